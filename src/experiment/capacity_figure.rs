//! The capacity sweep's figure, beside its theory: retrieval and final |m| against the load
//! (log axis), retrieval against the flipped fraction, and the limits P_max(N) (log–log) with
//! their fits. A panel without data in the sweep is left out.

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::combinators::{LogCoord, WithKeyPoints};
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::capacity::{CAPACITY_GAIN, CAPACITY_MODELS, CapacityConfig, CapacityRow};
use super::capacity_model::CapacityModel;
use super::capacity_report::{CapacityPoint, limits, points, significant};
use super::capacity_theory as theory;
use crate::model::ModelKind;
use crate::plot::legend::{self, Entry, Marker, Swatch};
use crate::plot::{Figure, colour, font, save};

/// One line of a panel: legend label, colour, dashed, points (x, y), and the model whose
/// measurements they are (drawn with its marker, a little to its side: `PanelSpec::spread`).
#[derive(Clone)]
struct Line {
    label: Option<String>,
    colour: RGBColor,
    dashed: bool,
    points: Vec<(f64, f64)>,
    marks: Option<CapacityModel>,
    /// How far its markers sit to the side of its points, as a share of the x axis (0 but
    /// where `PanelSpec::spread` sets it): the line stays at the measured values.
    nudge: f64,
}

/// A panel: title, axis names, ranges, whether each axis is logarithmic, its lines.
struct PanelSpec {
    title: String,
    x_desc: String,
    y_desc: String,
    x: (f64, f64, bool),
    /// A logarithmic x axis's labelled ticks: the values swept (as many as fit), or, with fewer
    /// than two, round numbers (`log_axis`).
    x_ticks: Vec<f64>,
    y: (f64, f64, bool),
    lines: Vec<Line>,
}

impl PanelSpec {
    /// The legend's entries: the labelled lines, dashed, solid or with their points' mark.
    fn legend(&self) -> Vec<Entry> {
        let entry = |l: &Line| {
            l.label.as_ref().map(|label| Entry {
                label: label.clone(),
                colour: l.colour,
                swatch: if l.dashed {
                    Swatch::Dashed
                } else if let Some(model) = l.marks {
                    Swatch::LineMarker(marker(model))
                } else {
                    Swatch::Line
                },
            })
        };
        self.lines.iter().filter_map(entry).collect()
    }

    /// Draws each model's markers a little to the side of its measured points (`SPREAD` of the
    /// axis between neighbours, in the order of `CAPACITY_MODELS`), so that models with the
    /// same values do not hide each other; the subtitle says so. Lines, theory and fits stay at
    /// their values; the axis grows by the largest offset on each side, so that no marker
    /// leaves the panel (the flips panel starts at 0, where three models' points were).
    fn spread(mut self) -> Self {
        let mut models: Vec<usize> = self
            .lines
            .iter()
            .filter_map(|l| l.marks.map(slot))
            .collect();
        models.sort_unstable();
        models.dedup();
        if models.len() < 2 {
            return self;
        }
        let centre = (models.len() as f64 - 1.0) / 2.0;
        for line in &mut self.lines {
            let Some(model) = line.marks else { continue };
            let rank = models.iter().position(|&m| m == slot(model)).unwrap_or(0);
            line.nudge = (rank as f64 - centre) * SPREAD;
        }
        // The axis grows by the largest offset (its share of the grown axis) on each side.
        let (x0, x1, log) = self.x;
        let edge = centre * SPREAD / (1.0 - 2.0 * centre * SPREAD);
        self.x = if log {
            let grow = (x1 / x0).powf(edge);
            (x0 / grow, x1 * grow, log)
        } else {
            let grow = (x1 - x0) * edge;
            (x0 - grow, x1 + grow, log)
        };
        self
    }

    /// Where a point's marker is drawn: `nudge` of the axis to its side.
    fn marker_x(&self, x: f64, nudge: f64) -> f64 {
        let (x0, x1, log) = self.x;
        if log {
            x * (x1 / x0).powf(nudge)
        } else {
            x + nudge * (x1 - x0)
        }
    }
}

/// How far apart neighbouring models' points are drawn, as a share of the x axis.
const SPREAD: f64 = 0.015;

/// A model's place in the sweep's list of models.
fn slot(model: CapacityModel) -> usize {
    CAPACITY_MODELS
        .iter()
        .position(|&m| m == model)
        .unwrap_or(CAPACITY_MODELS.len())
}

/// A model's marker: circle, triangle, square in the order of the sweep's list (the colour
/// tells apart two models with one shape).
fn marker(model: CapacityModel) -> Marker {
    [Marker::Circle, Marker::Triangle, Marker::Square][slot(model) % 3]
}

struct CapacityFigure {
    title: String,
    subtitle: Vec<String>,
    panels: Vec<PanelSpec>,
}

/// A panel's chart, without its legend.
const PANEL: (u32, u32) = (820, 620);
const HEAD_PX: u32 = 96;
/// Around a panel, and where its legend's rows start (past the y axis's labels).
const PANEL_MARGIN: u32 = 6;
const LEGEND_LEFT: u32 = 88;

impl CapacityFigure {
    /// The legend strip under every panel: as tall as the tallest panel's legend needs.
    fn legend_px(&self) -> u32 {
        let width = PANEL.0 - 2 * PANEL_MARGIN;
        let tallest = self
            .panels
            .iter()
            .map(|p| legend::height(&p.legend(), width, LEGEND_LEFT));
        tallest.max().unwrap_or(0)
    }
}

impl Figure for CapacityFigure {
    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(2) as u32;
        (2 * PANEL.0, HEAD_PX + rows * (PANEL.1 + self.legend_px()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(fail)?;
        let (head, body) = root.split_vertically(HEAD_PX);
        head.draw(&Text::new(self.title.clone(), (20, 10), font(24.0)))
            .map_err(fail)?;
        for (i, line) in self.subtitle.iter().enumerate() {
            head.draw(&Text::new(
                line.clone(),
                (20, 42 + 19 * i as i32),
                font(15.0).color(&RGBColor(80, 80, 80)),
            ))
            .map_err(fail)?;
        }
        let rows = self.panels.len().div_ceil(2);
        let areas = body.split_evenly((rows, 2));
        let legend_px = self.legend_px();
        for (panel, area) in self.panels.iter().zip(&areas) {
            let m = PANEL_MARGIN;
            let area = area.margin(m, m, m, m);
            let (_, h) = area.dim_in_pixel();
            let (chart, strip) = area.split_vertically(h.saturating_sub(legend_px));
            draw_panel(&chart, panel)?;
            legend::draw(&strip, &panel.legend(), LEGEND_LEFT)?;
        }
        Ok(())
    }
}

fn fail<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &PanelSpec,
) -> Result<(), String> {
    let builder = |area| {
        let mut b = ChartBuilder::on(area);
        b.caption(&p.title, font(19.0))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(76);
        b
    };
    let ((x0, x1, xlog), (y0, y1, ylog)) = (p.x, p.y);
    match (xlog, ylog) {
        (true, true) => {
            let mut chart = builder(area)
                .build_cartesian_2d(log_axis(x0, x1, &p.x_ticks), (y0..y1).log_scale())
                .map_err(fail)?;
            mesh(&mut chart, p)?;
            lines(&mut chart, p)
        }
        (false, true) => {
            let mut chart = builder(area)
                .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
                .map_err(fail)?;
            mesh(&mut chart, p)?;
            lines(&mut chart, p)
        }
        (true, false) => {
            let mut chart = builder(area)
                .build_cartesian_2d(log_axis(x0, x1, &p.x_ticks), y0..y1)
                .map_err(fail)?;
            mesh(&mut chart, p)?;
            lines(&mut chart, p)
        }
        _ => {
            let mut chart: ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>> =
                builder(area)
                    .build_cartesian_2d(x0..x1, y0..y1)
                    .map_err(fail)?;
            mesh(&mut chart, p)?;
            lines(&mut chart, p)
        }
    }
}

/// The least distance between two labelled ticks of a logarithmic x axis, as a share of the
/// axis (a label is about 40 px of a plot about 700 px wide).
const TICK_GAP: f64 = 0.07;

/// A logarithmic axis from `lo` to `hi`, labelled at `ticks` (those that leave room for their
/// labels, from the smallest up) when two or more are left, else at the powers of ten (two
/// decades or more) or at 1, 2 and 5 of each decade, else (a window with fewer than two of
/// those) at the first and last of `ticks`; light lines at every digit of each decade.
fn log_axis(lo: f64, hi: f64, ticks: &[f64]) -> WithKeyPoints<LogCoord<f64>> {
    let decades = |digits: &[f64]| {
        let mut out = Vec::new();
        let mut e = lo.log10().floor() as i32;
        while 10f64.powi(e) <= hi {
            out.extend(
                digits
                    .iter()
                    .map(|d| d * 10f64.powi(e))
                    .filter(|x| (lo..=hi).contains(x)),
            );
            e += 1;
        }
        out
    };
    let mut sorted: Vec<f64> = ticks
        .iter()
        .copied()
        .filter(|x| (lo..=hi).contains(x))
        .collect();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    let span = (hi / lo).ln();
    let mut bold: Vec<f64> = Vec::new();
    for &x in &sorted {
        if bold.last().is_none_or(|&b| (x / b).ln() >= TICK_GAP * span) {
            bold.push(x);
        }
    }
    if bold.len() < 2 {
        let round = if hi / lo >= 100.0 {
            decades(&[1.0])
        } else {
            decades(&[1.0, 2.0, 5.0])
        };
        if round.len() >= 2 {
            bold = round;
        } else if let (Some(&first), Some(&last)) = (sorted.first(), sorted.last()) {
            // A narrow window with no two round numbers in it: the sweep's ends.
            bold = vec![first, last];
            bold.dedup();
        } else {
            bold = decades(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
        }
    }
    (lo..hi)
        .log_scale()
        .with_key_points(bold)
        .with_light_points(decades(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]))
}

fn mesh<DB: DrawingBackend, X, Y>(
    chart: &mut ChartContext<DB, Cartesian2d<X, Y>>,
    p: &PanelSpec,
) -> Result<(), String>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(p.x_desc.as_str())
        .y_desc(p.y_desc.as_str())
        .x_label_style(font(14.0))
        .y_label_style(font(14.0))
        .axis_desc_style(font(15.0))
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&|v| short(*v))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(fail)?;
    Ok(())
}

/// A tick label: few digits.
fn short(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{}", (v * 10.0).round() / 10.0)
    } else {
        // Three significant digits: 0.0015, 0.02, 0.707.
        let decimals = (2 - v.abs().log10().floor() as i32).max(0) as usize;
        let s = format!("{v:.decimals$}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn lines<'a, DB: DrawingBackend + 'a, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    p: &PanelSpec,
) -> Result<(), String>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    for line in &p.lines {
        let col = line.colour;
        let style = col.stroke_width(if line.dashed { 2 } else { 3 });
        if line.dashed {
            chart
                .draw_series(DashedLineSeries::new(
                    line.points.iter().copied(),
                    9,
                    6,
                    style,
                ))
                .map_err(fail)?;
        } else {
            chart
                .draw_series(LineSeries::new(line.points.iter().copied(), style))
                .map_err(fail)?;
        }
        if let Some(model) = line.marks {
            let shape = marker(model);
            chart
                .draw_series(line.points.iter().map(|&(x, y)| {
                    EmptyElement::at((p.marker_x(x, line.nudge), y)) + legend::mark(shape, col)
                }))
                .map_err(fail)?;
        }
    }
    Ok(())
}

/// The flips the load panels draw, in percent ("10%", "5%, 10%").
fn load_flips(parts: &[CapacityConfig]) -> String {
    let mut flips: Vec<f64> = parts
        .iter()
        .filter(|p| p.loads.len() >= 2)
        .flat_map(|p| p.flips.iter().copied())
        .collect();
    flips.sort_by(f64::total_cmp);
    flips.dedup();
    if flips.is_empty() {
        flips = parts
            .iter()
            .flat_map(|p| p.flips.first().copied())
            .collect();
        flips.truncate(1);
    }
    let shown: Vec<String> = flips.iter().map(|f| format!("{:.0}%", 100.0 * f)).collect();
    shown.join(", ")
}

/// A vertical line of theory: where, in which colour.
type Edge = (f64, RGBColor);

/// The classic models of the capacity sweep (AGS's theory is theirs).
fn is_classic(model: CapacityModel) -> bool {
    [
        ModelKind::Discrete,
        ModelKind::ClassicInitial,
        ModelKind::ClassicConstant,
    ]
    .iter()
    .any(|&k| model == k)
}

/// The two panels against the load (retrieved, final overlap) of the models `keep` selects,
/// named `name` when the figure has more than one pair; the theory lines beyond the loads swept
/// are added to `left_out` instead of drawn.
fn load_panels(
    parts: &[CapacityConfig],
    per_part: &[Vec<CapacityPoint>],
    keep: &dyn Fn(CapacityModel) -> bool,
    name: Option<&str>,
    threshold: f64,
    left_out: &mut Vec<String>,
) -> Vec<PanelSpec> {
    let g = CAPACITY_GAIN;
    let alpha_c = theory::ags_critical_load();
    let alpha_g = theory::continuous_critical_load(g);
    let mut rate_lines = Vec::new();
    let mut overlap_lines = Vec::new();
    let mut loads: Vec<f64> = Vec::new();
    let mut idp_sizes: Vec<(usize, f64)> = Vec::new();
    for (part, pts) in parts.iter().zip(per_part) {
        if part.loads.len() < 2 || !part.models.iter().any(|&m| keep(m)) {
            continue;
        }
        loads.extend(part.loads.iter().copied());
        for &model in part.models.iter().filter(|&&m| keep(m)) {
            for (j, &n) in part.sizes.iter().enumerate() {
                for &flip in &part.flips {
                    let sel: Vec<&CapacityPoint> = pts
                        .iter()
                        .filter(|p| p.model == model && p.n == n && p.flip == flip)
                        .collect();
                    let col = shade(model, j, part.sizes.len());
                    // One legend entry a model: its largest N (the darkest).
                    let label = (j + 1 == part.sizes.len() && flip == part.flips[0])
                        .then(|| format!("{}, N = {}", model.name(), list_sizes(&part.sizes)));
                    let at = |v: &dyn Fn(&CapacityPoint) -> f64| {
                        sel.iter()
                            .map(|p| (p.p as f64 / p.n as f64, v(p)))
                            .collect()
                    };
                    rate_lines.push(Line {
                        label: label.clone(),
                        colour: col,
                        dashed: false,
                        points: at(&|p| p.retrieved),
                        marks: Some(model),
                        nudge: 0.0,
                    });
                    overlap_lines.push(Line {
                        label: None,
                        colour: col,
                        dashed: false,
                        points: at(&|p| p.overlap),
                        marks: Some(model),
                        nudge: 0.0,
                    });
                    if model == ModelKind::Idp {
                        idp_sizes.push((n, flip));
                    }
                }
            }
        }
    }
    let mut panels = Vec::new();
    let classic = parts
        .iter()
        .any(|part| part.loads.len() >= 2 && part.models.iter().any(|&m| keep(m) && is_classic(m)));
    if !loads.is_empty() {
        let lo = loads.iter().copied().fold(f64::INFINITY, f64::min) / 1.3;
        let hi = loads.iter().copied().fold(0.0, f64::max) * 1.3;
        // The loads swept label the axis where they span less than two decades (wider, their
        // labels read 0.707, 5.7, 45.3: the powers of ten read better).
        let load_ticks = if hi / lo < 100.0 {
            loads.clone()
        } else {
            Vec::new()
        };
        let vertical = |x: f64, col, label: Option<String>| Line {
            label,
            colour: col,
            dashed: true,
            points: vec![(x, 0.0), (x, 1.05)],
            marks: None,
            nudge: 0.0,
        };
        // A line of theory beyond the loads swept is left out (plotters would draw it at the
        // panel's edge, where it reads as a limit inside the range).
        // The subtitle names what is left out.
        let within = |x: f64| (lo..=hi).contains(&x);
        // AGS's lines beside the classic models only.
        let ags: Vec<(f64, RGBColor, String)> = if classic {
            vec![
                (alpha_c, BLACKISH, format!("AGS α_c = {alpha_c:.3}")),
                (alpha_g, GREY, format!("α_c at g = {g}: {alpha_g:.3}")),
            ]
        } else {
            Vec::new()
        };
        left_out.extend(
            ags.iter()
                .filter(|&&(x, _, _)| !within(x))
                .map(|(_, _, label)| label.clone()),
        );
        let mut theory_lines: Vec<Line> = ags
            .into_iter()
            .filter(|&(x, _, _)| within(x))
            .map(|(x, col, label)| vertical(x, col, Some(label)))
            .collect();
        let (idp, beyond): (Vec<Edge>, Vec<Edge>) = idp_sizes
            .iter()
            .enumerate()
            .map(|(k, &(n, flip))| {
                let col = shade(ModelKind::Idp, k, idp_sizes.len());
                (theory::idp_max_load(n, flip, g, threshold), col)
            })
            .partition(|&(x, _)| within(x));
        if !beyond.is_empty() {
            // In order, and as a range when there are more than a line holds.
            let mut at: Vec<f64> = beyond.iter().map(|&(x, _)| x).collect();
            at.sort_by(f64::total_cmp);
            let text: Vec<String> = at.iter().map(|&x| significant(x)).collect();
            left_out.push(if text.len() > 4 {
                format!(
                    "IDP estimate at P/N = {}–{} ({} sizes and flips)",
                    text[0],
                    text[text.len() - 1],
                    text.len()
                )
            } else {
                format!("IDP estimate at P/N = {}", text.join(", "))
            });
        }
        for (k, &(x, col)) in idp.iter().enumerate() {
            let label = (k + 1 == idp.len()).then(|| "IDP estimate, each N".to_string());
            theory_lines.push(vertical(x, col, label));
        }
        let mut rates = theory_lines;
        rates.extend(rate_lines);
        let titled = |what: &str| match name {
            Some(name) => format!("{what}: {name} (log axis)"),
            None => format!("{what} (log axis)"),
        };
        panels.push(PanelSpec {
            title: titled("retrieved against the load"),
            x_desc: "load P/N".into(),
            y_desc: retrieved_desc(
                threshold,
                parts.iter().any(|p| {
                    p.loads.len() >= 2 && p.models.iter().any(|&m| keep(m) && m == IDP_MODERN)
                }),
            ),
            x: (lo, hi, true),
            x_ticks: load_ticks.clone(),
            y: (0.0, 1.05, false),
            lines: rates,
        });
        // AGS m(α) up to α_c, then the drop, beside the classic models.
        let mut overlaps = Vec::new();
        if classic && within(alpha_c) {
            let mut curve: Vec<(f64, f64)> = (0..=200)
                .map(|k| lo * (alpha_c / lo).powf(f64::from(k) / 200.0))
                .filter_map(|a| theory::ags_overlap(a.min(alpha_c - 1e-9)).map(|m| (a, m)))
                .collect();
            curve.push((alpha_c, 0.0));
            overlaps.push(Line {
                label: Some("AGS m(α), T = 0".into()),
                colour: BLACKISH,
                dashed: true,
                points: curve,
                marks: None,
                nudge: 0.0,
            });
        }
        overlaps.extend(overlap_lines);
        panels.push(PanelSpec {
            title: titled("final overlap against the load"),
            x_desc: "load P/N".into(),
            y_desc: "mean final |m| of the cued memory".into(),
            x: (lo, hi, true),
            x_ticks: load_ticks.clone(),
            y: (0.0, 1.05, false),
            lines: overlaps,
        });
    }
    panels
}

const IDP_MODERN: CapacityModel = CapacityModel::Kind(ModelKind::IdpModern);

/// The y axis of a "retrieved" panel: what counts as retrieved, idp-modern's rule too when it
/// is drawn (it settles at x ≈ α·ξ, so its m is compared with threshold·α, not the threshold).
fn retrieved_desc(threshold: f64, idp_modern: bool) -> String {
    if idp_modern {
        format!("fraction retrieved: |m| ≥ {threshold} (idp-modern: m ≥ {threshold}·α)")
    } else {
        format!("fraction of cues with final |m| ≥ {threshold}")
    }
}

/// The colour of a model (its place in the sweep's list), lighter for smaller networks: `j` of
/// `count` sizes.
fn shade(model: impl Into<CapacityModel>, j: usize, count: usize) -> RGBColor {
    let model = model.into();
    // dense3 in cyan: the next colour, pink, read as IDP's red made lighter for a small N.
    let c = colour(if model == CapacityModel::Dense3 {
        8
    } else {
        slot(model)
    });
    let lighter = count.saturating_sub(1).saturating_sub(j);
    let f = 1.0 - 0.6 * lighter as f64 / count.max(2) as f64;
    let mix = |v: u8| (255.0 - (255.0 - f64::from(v)) * f) as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// "32, 64, 128".
fn list_sizes(sizes: &[usize]) -> String {
    sizes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

const BLACKISH: RGBColor = RGBColor(30, 30, 30);
const GREY: RGBColor = RGBColor(120, 120, 120);

/// Draws the figure of a capacity sweep of `parts` into `path` (.svg or .png).
pub fn capacity_figure(
    parts: &[CapacityConfig],
    rows: &[CapacityRow],
    cover: &super::report::Cover,
    path: &Path,
) -> anyhow::Result<()> {
    let g = CAPACITY_GAIN;
    let Some(first) = parts.first() else {
        return Ok(());
    };
    let threshold = first.threshold;
    let per_part: Vec<Vec<CapacityPoint>> = parts
        .iter()
        .map(|part| points(rows, &part.models, part))
        .collect();
    let alpha_c = theory::ags_critical_load();
    let alpha_g = theory::continuous_critical_load(g);

    // Along the loads: parts with more than one load, at each of their flips; the classic
    // models (loads up to about 0.3, beside AGS) apart from IDP, the modern models and dense3
    // (loads of 0.5 and up, beside their estimates) when a sweep has both, so that neither
    // family's curves hide the other's.
    let mut panels = Vec::new();
    // Lines of theory beyond the loads swept, which the load panels leave out.
    let mut left_out: Vec<String> = Vec::new();
    let families: [(&dyn Fn(CapacityModel) -> bool, &str); 2] = [
        (&is_classic, "the classic models"),
        (&|m| !is_classic(m), "IDP, the modern models, dense3"),
    ];
    let drawn: Vec<_> = families
        .iter()
        .filter(|(keep, _)| {
            parts
                .iter()
                .any(|part| part.loads.len() >= 2 && part.models.iter().any(|&m| keep(m)))
        })
        .collect();
    // The flip of the first part that sweeps IDP's loads, for its estimate of P_max(N).
    let idp_flip = parts
        .iter()
        .filter(|p| p.loads.len() >= 2 && p.models.iter().any(|&m| m == ModelKind::Idp))
        .find_map(|p| p.flips.first().copied());
    for &&(keep, family) in &drawn {
        let name = (drawn.len() > 1).then_some(family);
        panels.extend(load_panels(
            parts,
            &per_part,
            keep,
            name,
            threshold,
            &mut left_out,
        ));
    }

    // Along the flips.
    let mut flip_lines = Vec::new();
    let mut idp_flip_edges = Vec::new();
    let mut modern_flip_edges = Vec::new();
    for (part, pts) in parts.iter().zip(&per_part) {
        if part.flips.len() < 2 {
            continue;
        }
        for &model in &part.models {
            for (j, &n) in part.sizes.iter().enumerate() {
                for &load in &part.loads {
                    let line: Vec<(f64, f64)> = pts
                        .iter()
                        .filter(|p| p.model == model && p.n == n && p.load == load)
                        .map(|p| (p.flip, p.retrieved))
                        .collect();
                    flip_lines.push(Line {
                        label: Some(format!("{} N = {n}, P/N = {load}", model.name())),
                        colour: shade(model, j, part.sizes.len()),
                        dashed: false,
                        points: line,
                        marks: Some(model),
                        nudge: 0.0,
                    });
                    let p = CapacityConfig::p(n, load);
                    if model == ModelKind::Idp {
                        idp_flip_edges.push(theory::idp_max_flip(n, p, g, threshold));
                    }
                    if model.is_modern() {
                        let beta = crate::model::Params::default().beta;
                        let idp = model == ModelKind::IdpModern;
                        modern_flip_edges
                            .push((model, theory::modern_max_flip(n, p, beta, threshold, idp)));
                    }
                    if model == CapacityModel::Dense3 {
                        modern_flip_edges.push((model, theory::dense_max_flip(n, p, threshold)));
                    }
                }
            }
        }
    }
    if !flip_lines.is_empty() {
        let mut lines = Vec::new();
        for (k, &f) in idp_flip_edges.iter().enumerate() {
            lines.push(Line {
                label: (k == 0).then(|| format!("IDP estimate: m ≥ {threshold} up to here")),
                colour: shade(ModelKind::Idp, 1, 2),
                dashed: true,
                points: vec![(f, 0.0), (f, 1.05)],
                marks: None,
                nudge: 0.0,
            });
        }
        for (k, &(model, f)) in modern_flip_edges.iter().enumerate() {
            let first = modern_flip_edges[..k].iter().all(|e| e.0 != model);
            lines.push(Line {
                label: first.then(|| format!("{} estimate (ours)", model.name())),
                colour: shade(model, 1, 2),
                dashed: true,
                points: vec![(f, 0.0), (f, 1.05)],
                marks: None,
                nudge: 0.0,
            });
        }
        let edge = 0.5 * (1.0 - 1.0 / g);
        lines.push(Line {
            label: Some(format!("saliency 1 − 2f = 1/g: f = {edge:.2}")),
            colour: GREY,
            dashed: true,
            points: vec![(edge, 0.0), (edge, 1.05)],
            marks: None,
            nudge: 0.0,
        });
        lines.extend(flip_lines);
        panels.push(PanelSpec {
            title: "retrieved against the cue's flipped fraction".into(),
            x_desc: "fraction f of the cue's pixels flipped".into(),
            y_desc: retrieved_desc(
                threshold,
                parts
                    .iter()
                    .any(|p| p.flips.len() >= 2 && p.models.contains(&IDP_MODERN)),
            ),
            x: (0.0, 0.52, false),
            x_ticks: Vec::new(),
            y: (0.0, 1.05, false),
            lines,
        });
    }

    // The limits P_max(N).
    let mut limit_lines = Vec::new();
    let mut ns: Vec<f64> = Vec::new();
    let mut ps: Vec<f64> = Vec::new();
    // The modern models' limits, on a panel of their own (log P_max against N).
    let mut modern_found: Vec<ModernLimits> = Vec::new();
    // The dense model's sizes (lowest, highest) and flip, for its theory lines.
    let mut dense_range: Option<(f64, f64, f64)> = None;
    for (part, pts) in parts.iter().zip(&per_part) {
        if part.loads.len() < 2 {
            continue;
        }
        for &model in &part.models {
            for &flip in &part.flips {
                let found = limits(pts, model, part, flip);
                if found.is_empty() {
                    continue;
                }
                if model.is_modern() {
                    let xy = found.iter().map(|&(n, p)| (n as f64, p)).collect();
                    modern_found.push((model, flip, xy));
                    continue;
                }
                let pts_xy: Vec<(f64, f64)> = found.iter().map(|&(n, p)| (n as f64, p)).collect();
                if model == CapacityModel::Dense3 && dense_range.is_none() {
                    let (lo, hi) = (part.sizes.iter().min(), part.sizes.iter().max());
                    if let (Some(&lo), Some(&hi)) = (lo, hi) {
                        dense_range = Some((lo as f64, hi as f64, flip));
                    }
                }
                ns.extend(pts_xy.iter().map(|p| p.0));
                ps.extend(pts_xy.iter().map(|p| p.1));
                let col = shade(model, 0, 1);
                if let Some((b, a, _)) = theory::power_fit(&pts_xy) {
                    let (n0, n1) = (pts_xy[0].0, pts_xy[pts_xy.len() - 1].0);
                    limit_lines.push(Line {
                        label: Some(format!("{}: fit {}·N^{b:.2}", model.name(), significant(a))),
                        colour: col,
                        dashed: false,
                        points: vec![(n0, a * n0.powf(b)), (n1, a * n1.powf(b))],
                        marks: None,
                        nudge: 0.0,
                    });
                }
                limit_lines.push(Line {
                    label: None,
                    colour: col,
                    dashed: false,
                    points: pts_xy,
                    marks: Some(model),
                    nudge: 0.0,
                });
            }
        }
    }
    if !limit_lines.is_empty() {
        let lo = ns.iter().copied().fold(f64::INFINITY, f64::min) / 1.5;
        let hi = ns.iter().copied().fold(0.0, f64::max) * 1.5;
        let grid: Vec<f64> = (0..=16)
            .map(|k| lo * (hi / lo).powf(f64::from(k) / 16.0))
            .collect();
        let mut lines = vec![
            Line {
                label: Some(format!("AGS {alpha_c:.3}·N")),
                colour: BLACKISH,
                dashed: true,
                points: grid.iter().map(|&n| (n, alpha_c * n)).collect(),
                marks: None,
                nudge: 0.0,
            },
            Line {
                label: Some(format!("{alpha_g:.3}·N (g = {g})")),
                colour: GREY,
                dashed: true,
                points: grid.iter().map(|&n| (n, alpha_g * n)).collect(),
                marks: None,
                nudge: 0.0,
            },
        ];
        if let Some(flip) = idp_flip {
            lines.push(Line {
                label: Some("IDP estimate".into()),
                colour: shade(ModelKind::Idp, 0, 1),
                dashed: true,
                points: grid
                    .iter()
                    .map(|&n| {
                        let n_int = n.round() as usize;
                        (
                            n,
                            theory::idp_max_load(n_int, flip, g, threshold) * n_int as f64,
                        )
                    })
                    .collect(),
                marks: None,
                nudge: 0.0,
            });
        }
        if let Some((n0, n1, flip)) = dense_range {
            let sizes: Vec<usize> = (n0 as usize..=n1 as usize).collect();
            let line = |label: String, f: &dyn Fn(usize) -> f64, j| Line {
                label: Some(label),
                colour: shade(CapacityModel::Dense3, j, 2),
                dashed: true,
                points: sizes.iter().map(|&n| (n as f64, f(n))).collect(),
                marks: None,
                nudge: 0.0,
            };
            lines.push(line(
                "dense3: Krotov–Hopfield N²/(6 ln N)".into(),
                &|n| theory::dense_no_error_memories(n),
                0,
            ));
            lines.push(line(
                format!("dense3 estimate (ours), {:.0}% flipped", 100.0 * flip),
                &|n| theory::dense_max_memories(n, flip, threshold),
                1,
            ));
        }
        let y_all: Vec<f64> = ps
            .iter()
            .copied()
            .chain(lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)))
            .filter(|&v| v > 0.0)
            .collect();
        let ylo = y_all.iter().copied().fold(f64::INFINITY, f64::min) / 1.5;
        let yhi = y_all.iter().copied().fold(0.0, f64::max) * 1.5;
        lines.extend(limit_lines);
        panels.push(PanelSpec {
            title: "the limit P_max: P at the 50% point (log–log)".into(),
            x_desc: "neurons N".into(),
            y_desc: "memories P_max".into(),
            x: (lo, hi, true),
            x_ticks: ns.clone(),
            y: (ylo.max(0.1), yhi, true),
            lines,
        });
    }
    if let Some(panel) = modern_panel(&modern_found, threshold) {
        panels.push(panel);
    }
    let panels: Vec<PanelSpec> = panels.into_iter().map(PanelSpec::spread).collect();
    let mut figure = CapacityFigure {
        title: "Capacity: each model to its collapse, beside its theory".into(),
        subtitle: vec![
            format!(
                "P random memories in N neurons; a cue is a stored memory with a fraction of its \
                 pixels flipped ({} on the load panels); g = {g}, no noise; lighter: smaller N.",
                load_flips(parts)
            ),
            "Dashed: theory (AGS 1987 at T = 0 and at T = 1/g; Krotov–Hopfield 2016 for dense3; \
             IDP, modern, idp-modern, dense3: our estimates, docs/capacity.md)."
                .into(),
            format!(
                "Each model has its own marker, drawn {:.1}% of the axis to the side of its \
                 neighbour's so that equal values stay visible; the lines are at the values.",
                SPREAD * 100.0
            ),
        ],
        panels,
    };
    if !left_out.is_empty() {
        figure.subtitle.push(format!(
            "Beyond the loads swept, so not drawn on the load panels: {}.",
            left_out.join("; ")
        ));
    }
    if let Some(note) = cover.interrupted_note() {
        figure.subtitle.insert(0, note);
    }
    save(&figure, path)
}

/// A modern model's measured limits: the model, the flip fraction, (N, P_max) points.
type ModernLimits = (CapacityModel, f64, Vec<(f64, f64)>);

/// The modern models' limits P_max(N) on a log-y, linear-N axis (an exponential is a straight
/// line there), with their fits ln P_max = a + b·N and the estimates of capacity_theory.
fn modern_panel(found: &[ModernLimits], threshold: f64) -> Option<PanelSpec> {
    if found.is_empty() {
        return None;
    }
    let beta = crate::model::Params::default().beta;
    let all_n = found.iter().flat_map(|f| f.2.iter().map(|p| p.0));
    let (n_lo, n_hi) = all_n.fold((f64::INFINITY, 0.0f64), |(a, b), n| (a.min(n), b.max(n)));
    let mut lines = Vec::new();
    let mut ys: Vec<f64> = Vec::new();
    for (model, flip, xy) in found {
        let col = shade(*model, 0, 1);
        let estimate: Vec<(f64, f64)> = (n_lo as usize..=n_hi as usize)
            .map(|n| {
                let p = if *model == ModelKind::Modern {
                    theory::modern_max_memories(n, *flip, beta, threshold)
                } else {
                    theory::idp_modern_max_memories(n, *flip, beta, threshold)
                };
                (n as f64, p)
            })
            .collect();
        ys.extend(xy.iter().map(|p| p.1));
        ys.extend(estimate.iter().map(|p| p.1));
        lines.push(Line {
            label: Some(format!("{} estimate (ours)", model.name())),
            colour: col,
            dashed: true,
            points: estimate,
            marks: None,
            nudge: 0.0,
        });
        if let Some((b, a, _, _)) = theory::exp_fit(xy) {
            let (n0, n1) = (xy[0].0, xy[xy.len() - 1].0);
            lines.push(Line {
                label: Some(format!(
                    "{}: fit ln P_max = {:.2} + {}·N",
                    model.name(),
                    a.ln(),
                    significant(b)
                )),
                colour: col,
                dashed: false,
                points: vec![(n0, a * (b * n0).exp()), (n1, a * (b * n1).exp())],
                marks: None,
                nudge: 0.0,
            });
        }
        lines.push(Line {
            label: Some(format!("{}: measured", model.name())),
            colour: col,
            dashed: false,
            points: xy.clone(),
            marks: Some(*model),
            nudge: 0.0,
        });
    }
    let ylo = ys.iter().copied().fold(f64::INFINITY, f64::min) / 2.0;
    let yhi = ys.iter().copied().fold(0.0, f64::max) * 2.0;
    Some(PanelSpec {
        title: "the modern models' P_max (log against linear N)".into(),
        x_desc: "neurons N".into(),
        y_desc: "memories P_max".into(),
        x: (n_lo - 4.0, n_hi + 4.0, false),
        x_ticks: Vec::new(),
        y: (ylo.max(0.5), yhi, true),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bold(lo: f64, hi: f64, ticks: &[f64]) -> Vec<f64> {
        log_axis(lo, hi, ticks).bold_points().to_vec()
    }

    #[test]
    fn a_log_axis_is_labelled_at_the_loads_swept_or_round_numbers_never_fewer_than_two() {
        // The loads swept, the first one included (plotters' own ticks left 0.05 unlabelled).
        assert_eq!(
            bold(0.05 / 1.3, 0.2 * 1.3, &[0.05, 0.1, 0.2]),
            [0.05, 0.1, 0.2]
        );
        // Crowded loads are thinned from the smallest up.
        let many: Vec<f64> = (1..=15).map(|k| 0.02 * f64::from(k)).collect();
        let thinned = bold(0.02 / 1.3, 0.3 * 1.3, &many);
        assert_eq!(thinned[0], 0.02);
        assert!(
            thinned.len() < many.len() && thinned.len() >= 5,
            "{thinned:?}"
        );
        // Without ticks: powers of ten over a wide range, 1, 2 and 5 of each decade otherwise.
        assert_eq!(bold(0.015, 470.0, &[]), [0.1, 1.0, 10.0, 100.0]);
        assert_eq!(bold(0.03, 0.6, &[]), [0.05, 0.1, 0.2, 0.5]);
        // A window with no two round numbers in it, and loads too close to label both: the
        // sweep's ends (no axis without labels).
        assert_eq!(bold(0.3 / 1.3, 0.31 * 1.3, &[0.3, 0.31]), [0.3, 0.31]);
    }

    #[test]
    fn models_with_equal_values_are_drawn_apart_and_theory_stays_put() {
        let data = |model: ModelKind| Line {
            label: None,
            colour: BLACKISH,
            dashed: false,
            points: vec![(0.5, 1.0), (1.0, 1.0), (2.0, 1.0)],
            marks: Some(model.into()),
            nudge: 0.0,
        };
        let theory = Line {
            label: None,
            colour: GREY,
            dashed: true,
            points: vec![(1.0, 0.0), (1.0, 1.05)],
            marks: None,
            nudge: 0.0,
        };
        let panel = |x: (f64, f64, bool), lines| PanelSpec {
            title: String::new(),
            x_desc: String::new(),
            y_desc: String::new(),
            x,
            x_ticks: Vec::new(),
            y: (0.0, 1.05, false),
            lines,
        };
        // A log axis, and the flips panel's linear one, which starts at a measured 0.
        for x in [(0.3, 3.0, true), (0.0, 0.52, false)] {
            let lines = vec![
                theory.clone(),
                data(ModelKind::Modern),
                data(ModelKind::Idp),
            ];
            let spread = panel(x, lines).spread();
            let (th, modern, idp) = (&spread.lines[0], &spread.lines[1], &spread.lines[2]);
            // Lines and theory stay at their values; only the markers move.
            assert_eq!(th.points, theory.points);
            assert_eq!((th.nudge, modern.points.clone()), (0.0, idp.points.clone()));
            assert_eq!(idp.points, data(ModelKind::Idp).points);
            // IDP comes before modern in the sweep's list: to the left, a visible gap apart.
            assert!((modern.nudge - idp.nudge - SPREAD).abs() < 1e-12);
            // Every marker inside the (grown) axis, even at its ends.
            let (x0, x1, _) = spread.x;
            for l in [modern, idp] {
                for &(px, _) in &[(x.0, 0.0), (x.1, 0.0)] {
                    let at = spread.marker_x(px, l.nudge);
                    let slack = 1e-12 * (x1 - x0);
                    assert!(
                        (x0 - slack..=x1 + slack).contains(&at),
                        "{at} outside {x0}..{x1}"
                    );
                }
            }
            assert_ne!(
                marker(ModelKind::Idp.into()),
                marker(ModelKind::Modern.into())
            );
            // One model alone: no offset, the axis as it was.
            let alone = panel(x, vec![data(ModelKind::Idp)]).spread();
            assert_eq!((alone.lines[0].nudge, alone.x), (0.0, x));
        }
    }

    #[test]
    fn tick_labels_have_the_digits_that_tell_them_apart() {
        assert_eq!(short(0.0015), "0.0015");
        assert_eq!(short(0.001), "0.001");
        assert_eq!(short(0.002), "0.002");
        assert_eq!(short(0.02), "0.02");
        assert_eq!(short(0.707), "0.707");
        assert_eq!(short(0.1), "0.1");
        assert_eq!(short(5.657), "5.7");
        assert_eq!(short(4096.0), "4096");
        assert_eq!(short(0.0), "0");
    }
}
