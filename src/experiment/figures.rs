//! The experiments' figures: the mixed and glitch protocols per model for one trial and as
//! mean ± sd over trials; the noise sweep's success against σ (the capacity sweep's figure is
//! `capacity_figure`).

use std::path::Path;

use plotters::prelude::RGBColor;

use super::report::Cover;
use super::{ExperimentName, ExperimentRequest, MixedRow, TrialTrace};
use crate::model::ModelKind;
use crate::plot::{Curve, Grid, Marker, OTHER, Panel, Piece, Rates, Timeline, colour, rate, save};

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

/// The quantiles of the band: the middle 80% of the trials.
const BAND_QUANTILES: (f64, f64) = (0.1, 0.9);

/// The `q`-quantile of `xs` (linear between order statistics, as NumPy's default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The median and the 10% and 90% quantiles of `xs`: a band within the values' own range (for
/// |m|, within [0, 1]), where mean ± sd ran past 1 and was clipped.
fn spread(xs: &[f64]) -> (f64, (f64, f64)) {
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    (
        quantile(&sorted, 0.5),
        (
            quantile(&sorted, BAND_QUANTILES.0),
            quantile(&sorted, BAND_QUANTILES.1),
        ),
    )
}

/// The median over trials of |m| of each stimulus' memory (by role) and of the largest other,
/// with the band of the middle 80% of trials (10% and 90% quantiles).
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
    let curves = values
        .iter()
        .enumerate()
        .map(|(c, per_point)| {
            let (median, band): (Vec<f64>, Vec<(f64, f64)>) =
                per_point.iter().map(|xs| spread(xs)).unzip();
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
                values: median,
                band: Some(band),
            }
        })
        .collect();
    Panel::Timeline(Timeline {
        title: format!(
            "{} — median and 10–90% of {} trials, σ = {}",
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

/// The mixed or glitch figure: per model, the chosen trial and the median with its 10–90% band.
fn protocol_figure(
    request: &ExperimentRequest,
    traces: &[TrialTrace],
    role_names: &[String],
    title: &str,
    cover: &Cover,
    path: &Path,
) -> anyhow::Result<()> {
    let Some(sigma) = traces.first().map(|t| t.sigma) else {
        anyhow::bail!("no trial to draw");
    };
    let at_sigma: Vec<&TrialTrace> = traces.iter().filter(|t| t.sigma == sigma).collect();
    let chosen_trial = request.plot_trial.unwrap_or(request.first_trial);
    let chosen = match at_sigma.iter().find(|t| t.trial == chosen_trial) {
        Some(chosen) => chosen,
        // Interrupted before that trial finished: the first that did (the subtitle names the
        // trial drawn), so that the run still ends as interrupted, with its figure.
        None if cover.interrupted() => {
            if request.plot_trial.is_some() {
                eprintln!(
                    "recall: --plot-trial {chosen_trial} did not finish before the interrupt: \
                     the figure draws trial {} (trials {} finished)",
                    at_sigma[0].trial,
                    finished(&at_sigma)
                );
            }
            at_sigma[0]
        }
        None => anyhow::bail!(
            "--plot-trial {chosen_trial} is not among the trials run ({}..{})",
            request.first_trial,
            request.first_trial + request.trials - 1
        ),
    };
    let mut panels = Vec::new();
    for k in 0..chosen.models.len() {
        panels.push(trial_panel(chosen, k, role_names));
        panels.push(band_panel(&at_sigma, k, role_names));
    }
    let grid = Grid {
        title: title.into(),
        subtitle: format!(
            "{}N = 1024, P = 10 random memories, g = 10, dt = 0.01 s, σ = {sigma}; left: trial {} \
             (seed {}; coloured: the memories the stimuli are about, grey: the others); right: \
             the median |m| over {} trials, the band holding the middle 80% of them (10% and 90% \
             quantiles); under each panel, the stimulus shown",
            cover.interrupted_note().map_or(String::new(), |n| n + " "),
            chosen.trial,
            request.seed.wrapping_add(chosen.trial as u64),
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
    cover: &Cover,
    path: &Path,
) -> anyhow::Result<()> {
    let names = ["A", "B", "C"].map(String::from);
    protocol_figure(
        request,
        traces,
        &names,
        "Glitch: A, a 2-s glitch to B (shaded), A, then genuine changes to B and C",
        cover,
        path,
    )
}

/// "0..6, 8" : the trials of `traces`, as ranges.
fn finished(traces: &[&TrialTrace]) -> String {
    let mut trials: Vec<usize> = traces.iter().map(|t| t.trial).collect();
    trials.sort_unstable();
    trials.dedup();
    let mut out: Vec<String> = Vec::new();
    let mut k = 0;
    while k < trials.len() {
        let start = trials[k];
        while k + 1 < trials.len() && trials[k + 1] == trials[k] + 1 {
            k += 1;
        }
        out.push(if trials[k] == start {
            start.to_string()
        } else {
            format!("{start}..{}", trials[k])
        });
        k += 1;
    }
    out.join(", ")
}

/// The mixed protocol's figure, or the noise sweep's.
pub fn experiment_figure(
    request: &ExperimentRequest,
    rows: &[MixedRow],
    traces: &[TrialTrace],
    cover: &Cover,
    path: &Path,
) -> anyhow::Result<()> {
    if request.name == ExperimentName::NoiseSweep {
        return sweep_figure(rows, cover, path);
    }
    let names = ["stimulus 1", "stimulus 2", "stimulus 3"].map(String::from);
    protocol_figure(
        request,
        traces,
        &names,
        "Mixed inputs: three mixtures of 10 s, each dominated by a new memory",
        cover,
        path,
    )
}

/// How far apart the noise sweep draws the models at one σ, as a fraction of the largest σ.
const SWEEP_OFFSET: f64 = 0.012;

/// The noise sweep: clean retrieval against σ, over every stimulus and over the switches.
fn sweep_figure(rows: &[MixedRow], cover: &Cover, path: &Path) -> anyhow::Result<()> {
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
    // Models whose rates coincide would hide each other: each has its own marker and sits a
    // little to the side of the σ it was run at (the subtitle says so).
    let markers = [Marker::Circle, Marker::Triangle, Marker::Square];
    let offset = |k: usize| (k as f64 - (models.len() as f64 - 1.0) / 2.0) * SWEEP_OFFSET * smax;
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
                        (s + offset(k), p, se)
                    })
                    .collect();
                (
                    Some(m.name().to_string()),
                    colour(k),
                    markers[k % markers.len()],
                    pts,
                )
            })
            .collect();
        Panel::Rates(Rates {
            title: title.into(),
            x_desc: "network noise σ (per √s)".into(),
            y_desc: "clean retrievals (fraction, ± s.e.)".into(),
            x_range: (-0.06 * smax, smax * 1.06),
            y_range: (0.0, 1.05),
            series,
            mark: None,
        })
    };
    // Trials per σ: one count, or (interrupted, jobs ending trial by trial, σ by σ) a range.
    let per_sigma: Vec<usize> = sigmas
        .iter()
        .map(|&s| {
            rows.iter()
                .filter(|r| r.sigma == s)
                .map(|r| r.trial)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        })
        .collect();
    let (fewest, most) = (
        per_sigma.iter().copied().min().unwrap_or(0),
        per_sigma.iter().copied().max().unwrap_or(0),
    );
    let trials = if fewest == most {
        format!("{most}")
    } else {
        format!("{fewest}–{most}")
    };
    let grid = Grid {
        title: "Noise sweep: does noise free the network from the previous memory?".into(),
        subtitle: format!(
            "{}mixed protocol, {trials} trials per σ; a stimulus succeeds when its dominant memory \
             is retrieved cleanly (mean |m| ≥ 0.9 over its last second); each model is drawn \
             {:.1}% of the largest σ to the side of the σ it ran at, with its own marker, so that \
             equal rates stay visible",
            cover.interrupted_note().map_or(String::new(), |n| n + " "),
            SWEEP_OFFSET * 100.0
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

#[cfg(test)]
mod tests {
    use super::*;

    /// |m| over trials that mostly retrieved: mean + sd is past 1, the quantile band is not.
    #[test]
    fn the_band_of_overlaps_stays_within_zero_and_one() {
        let xs = [1.0, 1.0, 1.0, 0.98, 0.99, 1.0, 0.1, 1.0, 0.97, 1.0];
        let (median, (lo, hi)) = spread(&xs);
        assert!((0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi));
        assert!(lo <= median && median <= hi);
        assert_eq!(median, 1.0);
        // The quantiles are NumPy's (linear): 10% of these ten values.
        assert!((lo - (0.1 + 0.9 * (0.97 - 0.1))).abs() < 1e-12, "{lo}");
        let mean = xs.iter().sum::<f64>() / 10.0;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 9.0).sqrt();
        assert!(mean + sd > 1.0, "the case mean ± sd clipped");
    }
}
