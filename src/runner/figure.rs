//! `recall run --plot`: the overlaps of every model over time, with the input strip.

use std::path::Path;

use super::trace::RunTrace;
use crate::plot::{Curve, Grid, OTHER, Panel, Piece, Timeline, colour, runs, save};

/// `recall run --plot`: one panel per model, the memories the input held in colour, and those
/// with a saliency set by hand (`salient`, explore's non-zero α) too.
pub fn run_figure(
    trace: &RunTrace,
    subtitle: &str,
    salient: &[usize],
    path: &Path,
) -> anyhow::Result<()> {
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
    for &mu in salient {
        if !held.contains(&mu) && mu < p {
            held.push(mu);
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
                others_label: Some(if salient.is_empty() {
                    "memories never shown".into()
                } else {
                    "memories with α = 0".into()
                }),
            })
        })
        .collect();
    let mut subtitle = subtitle.to_string();
    if !shaded.is_empty() {
        subtitle.push_str("; shaded: glitches");
    }
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
