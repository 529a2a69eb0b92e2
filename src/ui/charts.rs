//! The time charts: overlaps |m_μ| with one named line per memory and the stimulus' dominant
//! memory marked, and the energy E(x;u) with its meaning. The time axis pages by half a window
//! (the line grows to the right, then jumps), so only the newest cells change per frame.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph, Widget};

use crate::pipeline::Snapshot;

use super::theme::Theme;

/// Where the band marking the input's dominant memory sits, above the overlap lines.
const TRUTH_BAND_Y: f64 = 1.08;

/// The x range shown for the newest time `t`: `window` wide, paged by half a window.
pub fn time_window(t: f64, window: f64) -> (f64, f64) {
    let half = window / 2.0;
    let start = ((t / half).floor() * half - half).max(0.0);
    (start, start + window)
}

/// The chart points (t, y) of a history `series` from sample `first` on (the start of the time
/// window), keeping the samples that `value` turns into a y.
fn window_points<T: Copy>(
    times: &[f64],
    first: usize,
    series: &[T],
    value: impl Fn(T) -> Option<f64>,
) -> Vec<(f64, f64)> {
    times[first..]
        .iter()
        .zip(&series[first.min(series.len())..])
        .filter_map(|(&t, &v)| value(v).map(|y| (t, y)))
        .collect()
}

/// Overlap lines of model `model` of `snap` in `area`, with a legend column on the right.
pub fn render_overlaps(
    snap: &Snapshot,
    model: usize,
    title: String,
    window_secs: f64,
    theme: Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let Some(view) = snap.models.get(model) else {
        return;
    };
    let names = snap.memories.names();
    let legend_width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(4)
        .min(12) as u16
        + 9;
    let block = Block::bordered()
        .title(Span::styled(title, theme.title()))
        .border_style(theme.border());
    let inner = block.inner(area);
    block.render(area, buf);
    let [chart_area, legend_area] = if inner.width > legend_width + 20 {
        Layout::horizontal([Constraint::Min(20), Constraint::Length(legend_width)]).areas(inner)
    } else {
        [inner, Rect::default()]
    };

    let (x0, x1) = time_window(snap.time_secs, window_secs);
    let times = &snap.history_times_secs;
    let first = times.partition_point(|&t| t < x0);
    let lines: Vec<Vec<(f64, f64)>> = view
        .overlap_history
        .iter()
        .map(|series| {
            window_points(times, first, series, |m: f32| {
                m.is_finite().then(|| f64::from(m.abs()))
            })
        })
        .collect();
    let bands: Vec<Vec<(f64, f64)>> = (0..names.len())
        .map(|mu| {
            window_points(times, first, &snap.history_truth, |truth| {
                (truth == Some(mu)).then_some(TRUTH_BAND_Y)
            })
        })
        .collect();
    let mut datasets: Vec<Dataset> = Vec::with_capacity(2 * names.len());
    for (mu, band) in bands.iter().enumerate() {
        datasets.push(
            Dataset::default()
                .data(band)
                .marker(theme.marker())
                .graph_type(GraphType::Scatter)
                .style(theme.memory(mu)),
        );
    }
    for (mu, line) in lines.iter().enumerate() {
        datasets.push(
            Dataset::default()
                .data(line)
                .marker(theme.marker())
                .graph_type(GraphType::Line)
                .style(theme.memory(mu)),
        );
    }
    let x_labels = vec![
        Span::styled(format!("{x0:.0}s"), theme.dim()),
        Span::styled(format!("{x1:.0}s"), theme.dim()),
    ];
    let chart = Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds([x0, x1])
                .labels(x_labels)
                .style(theme.dim()),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, 1.12])
                .labels(vec![
                    Span::styled("0", theme.dim()),
                    Span::styled(".5", theme.dim()),
                    Span::styled("1", theme.dim()),
                ])
                .style(theme.dim()),
        )
        .hidden_legend_constraints((Constraint::Length(0), Constraint::Length(0)));
    chart.render(chart_area, buf);

    if legend_area.width == 0 {
        return;
    }
    // When the legend does not fit, the memories that matter come first: the one the input
    // shows, the one recalled, then by overlap.
    let mut order: Vec<usize> = (0..names.len()).collect();
    if names.len() > legend_area.height as usize {
        let key = |mu: usize| {
            let m = view.overlaps.get(mu).copied().unwrap_or(0.0).abs();
            (snap.truth != Some(mu), view.retrieved != Some(mu), -m)
        };
        order.sort_by(|&a, &b| {
            key(a)
                .partial_cmp(&key(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    let legend: Vec<Line> = order
        .into_iter()
        .map(|mu| (mu, &names[mu]))
        .map(|(mu, name)| {
            let m = view.overlaps.get(mu).copied().unwrap_or(0.0).abs();
            let mut name_style = theme.memory(mu);
            if view.retrieved == Some(mu) {
                name_style = name_style.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
            }
            let short: String = name.chars().take(12).collect();
            let mut spans = vec![
                Span::styled("■ ", theme.memory(mu)),
                Span::styled(
                    format!("{short:<w$}", w = legend_width as usize - 9),
                    name_style,
                ),
                Span::raw(format!(" {m:.2}")),
            ];
            if snap.truth == Some(mu) {
                spans.push(Span::styled(
                    format!(" {}", theme.truth_mark()),
                    theme.value(),
                ));
            }
            Line::from(spans)
        })
        .collect();
    Paragraph::new(legend).render(legend_area, buf);
}

/// Energy lines, one per model, in `area`.
pub fn render_energy(
    snap: &Snapshot,
    window_secs: f64,
    theme: Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let (x0, x1) = time_window(snap.time_secs, window_secs);
    let times = &snap.history_times_secs;
    let first = times.partition_point(|&t| t < x0);
    let lines: Vec<Vec<(f64, f64)>> = snap
        .models
        .iter()
        .map(|m| {
            window_points(times, first, &m.energy_history, |e: f64| {
                e.is_finite().then_some(e)
            })
        })
        .collect();
    let (mut lo, mut hi) = lines
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, e)| {
            (lo.min(e), hi.max(e))
        });
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (-1.0, 1.0);
    }
    // Round the range outwards to a "nice" step so that it changes rarely (fewer redraws).
    let step = nice_step((hi - lo).abs().max(1.0));
    let (lo, hi) = (
        (lo / step).floor() * step,
        (hi / step).ceil() * step + step * 0.01,
    );
    let datasets: Vec<Dataset> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            Dataset::default()
                .name(snap.models[i].kind.name())
                .data(line)
                .marker(theme.marker())
                .graph_type(GraphType::Line)
                .style(theme.model(i))
        })
        .collect();
    let title = if area.width >= 44 {
        "energy E(x;u): lower = deeper well (< 0 inside)"
    } else {
        "energy E(x;u), lower = deeper"
    };
    let block = Block::bordered()
        .title(Span::styled(title, theme.title()))
        .border_style(theme.border());
    let chart = Chart::new(datasets)
        .block(block)
        .x_axis(
            Axis::default()
                .bounds([x0, x1])
                .labels(vec![
                    Span::styled(format!("{x0:.0}s"), theme.dim()),
                    Span::styled(format!("{x1:.0}s"), theme.dim()),
                ])
                .style(theme.dim()),
        )
        .y_axis(
            Axis::default()
                .bounds([lo, hi])
                .labels(vec![
                    Span::styled(short_number(lo), theme.dim()),
                    Span::styled(short_number(hi), theme.dim()),
                ])
                .style(theme.dim()),
        )
        .hidden_legend_constraints((Constraint::Ratio(1, 2), Constraint::Ratio(1, 2)));
    // One line needs no legend (the title names it).
    let chart = if snap.models.len() > 1 {
        chart
    } else {
        chart.legend_position(None)
    };
    chart.render(area, buf);
}

/// 1, 2 or 5 times a power of ten, about a fifth of `span`.
fn nice_step(span: f64) -> f64 {
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let r = raw / mag;
    let m = if r <= 1.0 {
        1.0
    } else if r <= 2.0 {
        2.0
    } else if r <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// A number in at most five characters: −312, 1.2k, −45k.
pub fn short_number(v: f64) -> String {
    let a = v.abs();
    if a >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if a >= 1000.0 {
        format!("{:.1}k", v / 1000.0)
    } else if a >= 10.0 || a == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_pages_by_half_and_always_contains_now() {
        for i in 0..500 {
            let t = f64::from(i) * 0.37;
            let (a, b) = time_window(t, 30.0);
            assert!(a <= t && t <= b, "{t} not in [{a}, {b}]");
            assert_eq!(b - a, 30.0);
            assert_eq!(a % 15.0, 0.0);
        }
    }

    #[test]
    fn short_numbers_are_short() {
        for v in [-123456.0, -3012.5, -312.2, -4.25, 0.0, 7.5, 999.0, 52000.0] {
            assert!(
                short_number(v).chars().count() <= 5,
                "{v} → {}",
                short_number(v)
            );
        }
    }
}
