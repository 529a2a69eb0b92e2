//! The figures: a run's overlaps per model; the mixed and glitch protocols per model for one
//! trial and as mean ± sd over trials; the noise sweep's success against σ; the capacity
//! sweep's retrieval against P/N.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::timeline::{Curve, Piece, Timeline, draw_timeline};
use super::{Figure, OTHER, colour, fail, font, save};
use crate::experiment::capacity::{AGS_CRITICAL_LOAD, CapacityConfig};
use crate::experiment::capacity_report::CapacityPoint;
use crate::experiment::{ExperimentName, ExperimentRequest, MixedRow, TrialTrace};
use crate::model::ModelKind;
use crate::runner::trace::RunTrace;

/// A title over a column or grid of panels.
struct Grid {
    title: String,
    subtitle: String,
    /// Panels row by row.
    panels: Vec<Panel>,
    cols: usize,
    panel_size: (u32, u32),
}

enum Panel {
    Timeline(Timeline),
    Rates(Rates),
}

impl Figure for Grid {
    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(self.cols.max(1)) as u32;
        (
            self.panel_size.0 * self.cols as u32,
            self.panel_size.1 * rows + 70,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(fail)?;
        let (head, body) = root.split_vertically(70);
        head.draw(&Text::new(self.title.clone(), (20, 10), font(24.0)))
            .map_err(fail)?;
        head.draw(&Text::new(
            self.subtitle.clone(),
            (20, 42),
            font(15.0).color(&RGBColor(80, 80, 80)),
        ))
        .map_err(fail)?;
        let rows = self.panels.len().div_ceil(self.cols.max(1));
        let areas = body.split_evenly((rows, self.cols.max(1)));
        for (panel, area) in self.panels.iter().zip(&areas) {
            let area = area.margin(6, 6, 6, 6);
            match panel {
                Panel::Timeline(t) => draw_timeline(&area, t)?,
                Panel::Rates(r) => draw_rates(&area, r)?,
            }
        }
        Ok(())
    }
}

/// Consecutive runs of equal values: (start index, end index, value).
fn runs<T: PartialEq + Copy>(values: &[T]) -> Vec<(usize, usize, T)> {
    let mut out: Vec<(usize, usize, T)> = Vec::new();
    for (k, &v) in values.iter().enumerate() {
        match out.last_mut() {
            Some(last) if last.2 == v => last.1 = k + 1,
            _ => out.push((k, k + 1, v)),
        }
    }
    out
}

/// `recall run --plot`: one panel per model, the memories the input held in colour.
pub fn run_figure(trace: &RunTrace, subtitle: &str, path: &Path) -> anyhow::Result<()> {
    let p = trace.p();
    let t = &trace.times_secs;
    let end = |k: usize| {
        t.get(k)
            .copied()
            .unwrap_or_else(|| t.last().copied().unwrap_or(0.0))
    };
    // The memories the input held, in order of first appearance, each with its colour.
    let mut held: Vec<usize> = Vec::new();
    for mu in trace.truth.iter().flatten() {
        if !held.contains(mu) {
            held.push(*mu);
        }
    }
    let hue = |mu: usize| held.iter().position(|&h| h == mu).map(colour);
    let name = |mu: usize| {
        trace
            .names
            .get(mu)
            .cloned()
            .unwrap_or_else(|| format!("#{mu}"))
    };
    let strip: Vec<Piece> = runs(&trace.truth)
        .into_iter()
        .filter_map(|(a, b, truth)| {
            truth.map(|mu| Piece {
                start_secs: end(a),
                end_secs: end(b),
                label: name(mu),
                colour: hue(mu).unwrap_or(OTHER),
            })
        })
        .collect();
    let shaded: Vec<(f64, f64)> = runs(&trace.glitch)
        .into_iter()
        .filter(|r| r.2)
        .map(|(a, b, _)| (end(a), end(b)))
        .collect();
    let duration = t.last().copied().unwrap_or(0.0);
    let mut order: Vec<usize> = held.clone();
    order.extend((0..p).filter(|mu| !held.contains(mu)));
    let panels = trace
        .models
        .iter()
        .map(|(model, m)| {
            let curves = order
                .iter()
                .map(|&mu| Curve {
                    label: hue(mu).map(|_| name(mu)),
                    colour: hue(mu).unwrap_or(OTHER),
                    values: (0..t.len())
                        .map(|k| f64::from(m[k * p + mu].abs()))
                        .collect(),
                    band: None,
                })
                .collect();
            Panel::Timeline(Timeline {
                title: model.name().to_string(),
                times_secs: t.clone(),
                duration_secs: duration,
                curves,
                strip: strip.iter().map(copy_piece).collect(),
                shaded: shaded.clone(),
                y_desc: "overlap |m_μ|".into(),
                others_label: Some("memories never shown".into()),
            })
        })
        .collect();
    let mut subtitle = subtitle.to_string();
    if let Some(cut) = trace.cut_at_secs {
        subtitle.push_str(&format!(
            " (the memory set was reloaded at {cut:.1} s: drawn up to there)"
        ));
    }
    let grid = Grid {
        title: "Overlap with every memory over time".into(),
        subtitle,
        panels,
        cols: 1,
        panel_size: (1500, 420),
    };
    save(&grid, path)
}

fn copy_piece(p: &Piece) -> Piece {
    Piece {
        start_secs: p.start_secs,
        end_secs: p.end_secs,
        label: p.label.clone(),
        colour: p.colour,
    }
}

/// The memories a trial's stimuli were about, in order of first appearance.
fn roles(trace: &TrialTrace) -> Vec<usize> {
    let mut out = Vec::new();
    for &(_, mu) in &trace.pieces {
        if !out.contains(&mu) {
            out.push(mu);
        }
    }
    out
}

fn piece_ends(trace: &TrialTrace) -> Vec<(f64, f64, usize)> {
    trace
        .pieces
        .iter()
        .enumerate()
        .map(|(k, &(t0, mu))| {
            let t1 = trace.pieces.get(k + 1).map_or(trace.duration_secs, |n| n.0);
            (t0, t1, mu)
        })
        .collect()
}

/// One trial's panel: every memory's |m|, the stimuli's memories in colour.
fn trial_panel(trace: &TrialTrace, model_index: usize, role_names: &[String]) -> Panel {
    let (model, m) = &trace.models[model_index];
    let p = trace.p;
    let points = m.len() / p.max(1);
    let times: Vec<f64> = (1..=points).map(|k| k as f64 * trace.every_secs).collect();
    let roles = roles(trace);
    // The stimuli's memories in the order they were shown (the legend's order), then the others.
    let mut order: Vec<usize> = roles.clone();
    order.extend((0..p).filter(|mu| !roles.contains(mu)));
    let curves = order
        .into_iter()
        .map(|mu| {
            let role = roles.iter().position(|&r| r == mu);
            Curve {
                label: role.map(|r| format!("{} (m{mu})", role_names[r])),
                colour: role.map_or(OTHER, colour),
                values: (0..points)
                    .map(|k| f64::from(m[k * p + mu].abs()))
                    .collect(),
                band: None,
            }
        })
        .collect();
    Panel::Timeline(Timeline {
        title: format!(
            "{} — trial {}, σ = {}",
            model.name(),
            trace.trial,
            trace.sigma
        ),
        times_secs: times,
        duration_secs: trace.duration_secs,
        curves,
        strip: strip_of(trace, role_names),
        shaded: trace.glitch_secs.into_iter().collect(),
        y_desc: "overlap |m_μ|".into(),
        others_label: Some("other memories".into()),
    })
}

fn strip_of(trace: &TrialTrace, role_names: &[String]) -> Vec<Piece> {
    let roles = roles(trace);
    piece_ends(trace)
        .into_iter()
        .map(|(t0, t1, mu)| {
            let r = roles.iter().position(|&x| x == mu).unwrap_or(0);
            Piece {
                start_secs: t0,
                end_secs: t1,
                label: role_names.get(r).cloned().unwrap_or_default(),
                colour: colour(r),
            }
        })
        .collect()
}

/// Mean ± sd over trials of |m| of each stimulus' memory (by role) and of the largest other.
fn band_panel(traces: &[&TrialTrace], model_index: usize, role_names: &[String]) -> Panel {
    let first = traces[0];
    let (model, _) = &first.models[model_index];
    let p = first.p;
    let points = traces
        .iter()
        .map(|t| t.models[model_index].1.len() / p.max(1))
        .min()
        .unwrap_or(0);
    let times: Vec<f64> = (1..=points).map(|k| k as f64 * first.every_secs).collect();
    let n_roles = roles(first).len();
    // values[c][k][trial]: curve c (roles, then the largest other) at point k.
    let mut values = vec![vec![Vec::with_capacity(traces.len()); points]; n_roles + 1];
    for t in traces {
        let roles = roles(t);
        let m = &t.models[model_index].1;
        for k in 0..points {
            let row = &m[k * p..(k + 1) * p];
            for (c, &mu) in roles.iter().enumerate().take(n_roles) {
                values[c][k].push(f64::from(row[mu].abs()));
            }
            let other = (0..p)
                .filter(|mu| !roles.contains(mu))
                .map(|mu| f64::from(row[mu].abs()))
                .fold(0.0, f64::max);
            values[n_roles][k].push(other);
        }
    }
    let stats = |xs: &[f64]| {
        let n = xs.len().max(1) as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
        (mean, var.sqrt())
    };
    let curves = values
        .iter()
        .enumerate()
        .map(|(c, per_point)| {
            let (mean, sd): (Vec<f64>, Vec<f64>) = per_point.iter().map(|xs| stats(xs)).unzip();
            let is_role = c < n_roles;
            Curve {
                label: Some(if is_role {
                    role_names[c].clone()
                } else {
                    "largest other memory".into()
                }),
                colour: if is_role {
                    colour(c)
                } else {
                    RGBColor(110, 110, 110)
                },
                values: mean,
                band: Some(sd),
            }
        })
        .collect();
    Panel::Timeline(Timeline {
        title: format!(
            "{} — mean ± sd over {} trials, σ = {}",
            model.name(),
            traces.len(),
            first.sigma
        ),
        times_secs: times,
        duration_secs: first.duration_secs,
        curves,
        strip: strip_of(first, role_names),
        shaded: first.glitch_secs.into_iter().collect(),
        y_desc: "overlap |m|".into(),
        others_label: None,
    })
}

/// The mixed or glitch figure: per model, the chosen trial and the mean ± sd band.
fn protocol_figure(
    request: &ExperimentRequest,
    traces: &[TrialTrace],
    role_names: &[String],
    title: &str,
    path: &Path,
) -> anyhow::Result<()> {
    let Some(sigma) = traces.first().map(|t| t.sigma) else {
        anyhow::bail!("no trial to draw");
    };
    let at_sigma: Vec<&TrialTrace> = traces.iter().filter(|t| t.sigma == sigma).collect();
    let chosen_trial = request.plot_trial.unwrap_or(request.first_trial);
    let Some(chosen) = at_sigma.iter().find(|t| t.trial == chosen_trial) else {
        anyhow::bail!(
            "--plot-trial {chosen_trial} is not among the trials run ({}..{})",
            request.first_trial,
            request.first_trial + request.trials - 1
        );
    };
    let mut panels = Vec::new();
    for k in 0..chosen.models.len() {
        panels.push(trial_panel(chosen, k, role_names));
        panels.push(band_panel(&at_sigma, k, role_names));
    }
    let grid = Grid {
        title: title.into(),
        subtitle: format!(
            "N = 1024, P = 10 random memories, g = 10, dt = 0.01 s, σ = {sigma}; left: trial {} \
             (coloured: the memories the stimuli are about, grey: the others); right: mean ± sd \
             over {} trials; under each panel, the stimulus shown",
            chosen.trial,
            at_sigma.len()
        ),
        panels,
        cols: 2,
        panel_size: (900, 330),
    };
    save(&grid, path)
}

/// The glitch protocol's figure.
pub fn glitch_figure(
    request: &ExperimentRequest,
    traces: &[TrialTrace],
    path: &Path,
) -> anyhow::Result<()> {
    let names = ["A", "B", "C"].map(String::from);
    protocol_figure(
        request,
        traces,
        &names,
        "Glitch: A, a 2-s glitch to B (shaded), A, then genuine changes to B and C",
        path,
    )
}

/// The mixed protocol's figure, or the noise sweep's.
pub fn experiment_figure(
    request: &ExperimentRequest,
    rows: &[MixedRow],
    traces: &[TrialTrace],
    path: &Path,
) -> anyhow::Result<()> {
    if request.name == ExperimentName::NoiseSweep {
        return sweep_figure(rows, path);
    }
    let names = ["stimulus 1", "stimulus 2", "stimulus 3"].map(String::from);
    protocol_figure(
        request,
        traces,
        &names,
        "Mixed inputs: three mixtures of 10 s, each dominated by a new memory",
        path,
    )
}

/// One line of a [`Rates`] panel: its legend label (or none), colour, marker and points
/// (x, y, ± error).
type Series = (Option<String>, RGBColor, Marker, Vec<(f64, f64, f64)>);

/// A panel of rates (or means) against a number, one line per series, with error bars.
struct Rates {
    title: String,
    x_desc: String,
    y_desc: String,
    x_range: (f64, f64),
    y_range: (f64, f64),
    /// (label in the legend (or none), colour, marker, points (x, y, ± error))
    series: Vec<Series>,
    /// Extra legend entries for the markers: (label, marker).
    marker_legend: Vec<(String, Marker)>,
    legend_at: SeriesLabelPosition,
    /// A vertical mark: (x, label).
    mark: Option<(f64, String)>,
}

#[derive(Clone, Copy)]
enum Marker {
    Circle,
    Triangle,
    Square,
}

fn draw_rates<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, r: &Rates) -> Result<(), String> {
    let (x0, x1) = r.x_range;
    let (y0, y1) = r.y_range;
    let mut chart = ChartBuilder::on(area)
        .caption(&r.title, font(19.0))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(fail)?;
    chart
        .configure_mesh()
        .x_desc(r.x_desc.as_str())
        .y_desc(r.y_desc.as_str())
        .x_label_style(font(14.0))
        .y_label_style(font(14.0))
        .axis_desc_style(font(15.0))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(fail)?;
    if let Some((x, label)) = &r.mark {
        chart
            .draw_series(DashedLineSeries::new(
                [(*x, y0), (*x, y1)],
                8,
                6,
                BLACK.stroke_width(2),
            ))
            .map_err(fail)?;
        chart
            .draw_series(std::iter::once(Text::new(
                label.clone(),
                (*x + (x1 - x0) * 0.01, y0 + (y1 - y0) * 0.97),
                font(14.0),
            )))
            .map_err(fail)?;
    }
    for (label, col, marker, pts) in &r.series {
        let style = col.stroke_width(2);
        chart
            .draw_series(pts.iter().map(|&(x, y, e)| {
                ErrorBar::new_vertical(x, (y - e).max(y0), y, (y + e).min(y1), style, 8)
            }))
            .map_err(fail)?;
        let line = chart
            .draw_series(LineSeries::new(pts.iter().map(|&(x, y, _)| (x, y)), style))
            .map_err(fail)?;
        let (col, marker) = (*col, *marker);
        if let Some(label) = label {
            line.label(label.as_str()).legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(-12, 0), (12, 0)], col.stroke_width(2))
                    + marker_at(marker, col)
            });
        }
        chart
            .draw_series(
                pts.iter()
                    .map(|&(x, y, _)| EmptyElement::at((x, y)) + marker_at(marker, col)),
            )
            .map_err(fail)?;
    }
    for (label, marker) in &r.marker_legend {
        let marker = *marker;
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
            .map_err(fail)?
            .label(label.as_str())
            .legend(move |(x, y)| {
                EmptyElement::at((x, y)) + marker_at(marker, RGBColor(90, 90, 90))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .label_font(font(14.0))
        .position(r.legend_at.clone())
        .draw()
        .map_err(fail)?;
    Ok(())
}

fn marker_at<DB: DrawingBackend>(
    marker: Marker,
    col: RGBColor,
) -> DynElement<'static, DB, (i32, i32)> {
    match marker {
        Marker::Circle => Circle::new((0, 0), 5, col.filled()).into_dyn(),
        Marker::Triangle => TriangleMarker::new((0, 0), 7, col.filled()).into_dyn(),
        Marker::Square => Rectangle::new([(-5, -5), (5, 5)], col.filled()).into_dyn(),
    }
}

/// Binomial rate and its standard error.
fn rate(hits: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    let p = hits as f64 / n as f64;
    (p, (p * (1.0 - p) / n as f64).sqrt())
}

/// The noise sweep: clean retrieval against σ, over every stimulus and over the switches.
fn sweep_figure(rows: &[MixedRow], path: &Path) -> anyhow::Result<()> {
    let mut models: Vec<ModelKind> = Vec::new();
    let mut sigmas: Vec<f64> = Vec::new();
    for r in rows {
        if !models.contains(&r.model) {
            models.push(r.model);
        }
        if !sigmas.contains(&r.sigma) {
            sigmas.push(r.sigma);
        }
    }
    sigmas.sort_by(f64::total_cmp);
    let smax = sigmas.last().copied().unwrap_or(1.0).max(1.0);
    let panel = |title: &str, keep: &dyn Fn(usize) -> bool| {
        let series = models
            .iter()
            .enumerate()
            .map(|(k, &m)| {
                let pts = sigmas
                    .iter()
                    .map(|&s| {
                        let sel: Vec<&MixedRow> = rows
                            .iter()
                            .filter(|r| r.model == m && r.sigma == s && keep(r.segment))
                            .collect();
                        let (p, se) =
                            rate(sel.iter().filter(|r| r.outcome.clean).count(), sel.len());
                        (s, p, se)
                    })
                    .collect();
                (Some(m.name().to_string()), colour(k), Marker::Circle, pts)
            })
            .collect();
        Panel::Rates(Rates {
            title: title.into(),
            x_desc: "network noise σ (per √s)".into(),
            y_desc: "clean retrievals (fraction, ± s.e.)".into(),
            x_range: (-0.04 * smax, smax * 1.04),
            y_range: (0.0, 1.05),
            series,
            mark: None,
            marker_legend: Vec::new(),
            legend_at: SeriesLabelPosition::LowerRight,
        })
    };
    let trials = rows
        .iter()
        .map(|r| r.trial)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let grid = Grid {
        title: "Noise sweep: does noise free the network from the previous memory?".into(),
        subtitle: format!(
            "mixed protocol, {trials} trials per σ; a stimulus succeeds when its dominant memory \
             is retrieved cleanly (mean |m| ≥ 0.9 over its last second)"
        ),
        panels: vec![
            panel("every stimulus", &|_| true),
            panel(
                "stimuli 2 and 3 (switching from the previous memory)",
                &|k| k > 0,
            ),
        ],
        cols: 2,
        panel_size: (800, 560),
    };
    save(&grid, path)
}

/// The capacity sweep: retrieval and final |m| against P/N, one line per model and size.
pub fn capacity_figure(
    config: &CapacityConfig,
    points: &[CapacityPoint],
    path: &Path,
) -> anyhow::Result<()> {
    let mut models: Vec<ModelKind> = Vec::new();
    for p in points {
        if !models.contains(&p.model) {
            models.push(p.model);
        }
    }
    let lmax = config.loads.iter().copied().fold(0.0, f64::max).max(0.01);
    let markers = [Marker::Circle, Marker::Triangle, Marker::Square];
    let series = |value: &dyn Fn(&CapacityPoint) -> (f64, f64)| {
        let mut out = Vec::new();
        for (k, &m) in models.iter().enumerate() {
            for (j, &n) in config.sizes.iter().enumerate() {
                let pts: Vec<(f64, f64, f64)> = points
                    .iter()
                    .filter(|p| p.model == m && p.n == n)
                    .map(|p| {
                        let (v, e) = value(p);
                        (p.p as f64 / p.n as f64, v, e)
                    })
                    .collect();
                if pts.is_empty() {
                    continue;
                }
                // Smaller networks lighter.
                let c = colour(k);
                let shade = 1.0 - 0.28 * (config.sizes.len() - 1 - j) as f64;
                let col = RGBColor(
                    (255.0 - (255.0 - f64::from(c.0)) * shade) as u8,
                    (255.0 - (255.0 - f64::from(c.1)) * shade) as u8,
                    (255.0 - (255.0 - f64::from(c.2)) * shade) as u8,
                );
                // One legend entry per model (the colour), one per size (the marker).
                let label = (j + 1 == config.sizes.len()).then(|| m.name().to_string());
                out.push((label, col, markers[j % 3], pts));
            }
        }
        out
    };
    let mark = Some((AGS_CRITICAL_LOAD, format!("P/N = {AGS_CRITICAL_LOAD}")));
    let sizes: Vec<(String, Marker)> = config
        .sizes
        .iter()
        .enumerate()
        .map(|(j, n)| (format!("N = {n} (lighter: smaller)"), markers[j % 3]))
        .collect();
    let grid = Grid {
        title: "Capacity: retrieval of a cued memory against the load P/N".into(),
        subtitle: format!(
            "each cue is a stored memory with {:.0}% of its pixels flipped; retrieved: final \
             |m| ≥ {} (± s.e. over the cues); dashed: the classic capacity P/N ≈ 0.138",
            100.0 * config.flip,
            config.threshold
        ),
        panels: vec![
            Panel::Rates(Rates {
                title: "retrieved".into(),
                x_desc: "load P/N (memories per neuron)".into(),
                y_desc: format!("fraction of cues with |m| ≥ {}", config.threshold),
                x_range: (0.0, lmax * 1.04),
                y_range: (0.0, 1.05),
                series: series(&|p| (p.retrieved, p.retrieved_se)),
                mark: mark.clone(),
                marker_legend: sizes.clone(),
                legend_at: SeriesLabelPosition::MiddleRight,
            }),
            Panel::Rates(Rates {
                title: "final overlap".into(),
                x_desc: "load P/N (memories per neuron)".into(),
                y_desc: "mean final |m| of the cued memory".into(),
                x_range: (0.0, lmax * 1.04),
                y_range: (0.0, 1.05),
                series: series(&|p| (p.overlap, p.overlap_se)),
                mark,
                marker_legend: sizes,
                legend_at: SeriesLabelPosition::LowerLeft,
            }),
        ],
        cols: 2,
        panel_size: (850, 700),
    };
    save(&grid, path)
}
