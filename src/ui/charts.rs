//! The time charts: overlaps |m_μ| with one named line per memory and the stimulus' dominant
//! memory marked (one chart, or in compare mode one strip per model beside a shared legend), and
//! the energy E(x;u) with a legend of its own. The time axis pages by a tenth of a window (the
//! line grows to the right, then the axis moves on), so only the newest cells change between
//! pages and at most a tenth of a chart is blank.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph, Widget};

use crate::pipeline::Snapshot;

use super::panels::short_model;
use super::readout::flow;
use super::theme::Theme;

/// Where the band marking the input's dominant memory sits, above the overlap lines.
const TRUTH_BAND_Y: f64 = 1.08;

/// Pages per window: the axis moves on by this fraction of the window at a time.
pub const PAGES: f64 = 10.0;

/// The x range shown for the newest time `t`: it ends at most a page (a tenth of `window`)
/// after `t` and is `window` wide, or starts at 0 and is shorter before `t` reaches `window`.
pub fn time_window(t: f64, window: f64) -> (f64, f64) {
    let page = window / PAGES;
    let t = if t.is_finite() { t.max(0.0) } else { 0.0 };
    let end = ((t / page).floor() + 1.0) * page;
    ((end - window).max(0.0), end)
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

/// |m_μ(t)| of every memory of `view` over the time window starting at sample `first`.
fn overlap_lines(
    view: &crate::pipeline::ModelView,
    times: &[f64],
    first: usize,
) -> Vec<Vec<(f64, f64)>> {
    view.overlap_history
        .iter()
        .map(|series| {
            window_points(times, first, series, |m: f32| {
                m.is_finite().then(|| f64::from(m.abs()))
            })
        })
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
    let lines = overlap_lines(view, times, first);
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
                .marker(theme.memory_marker(mu))
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
                Span::styled(format!("{} ", theme.memory_glyph(mu)), theme.memory(mu)),
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
                .data(line)
                .marker(theme.marker())
                .graph_type(GraphType::Line)
                .style(theme.model(i))
        })
        .collect();
    let title = if area.width >= 50 {
        "energy E(x;u): lower = deeper well (< 0 inside)"
    } else {
        "energy E(x;u), lower = deeper"
    };
    let block = Block::bordered()
        .title(Span::styled(title, theme.title()))
        .border_style(theme.border());
    let inner = block.inner(area);
    block.render(area, buf);
    // One line needs no legend (the title names it); several get a column of their own beside
    // the plot, never a box over it.
    let legend_w = 16;
    let several = snap.models.len() > 1;
    let (plot, legend) = if several && inner.width >= legend_w + 16 {
        let [plot, legend] =
            Layout::horizontal([Constraint::Min(16), Constraint::Length(legend_w)]).areas(inner);
        (plot, legend)
    } else if several {
        // Too narrow for a column: the names go under the plot, as many to a line as fit.
        let items = snap
            .models
            .iter()
            .enumerate()
            .map(|(i, m)| {
                vec![Span::styled(
                    format!("━ {}", short_model(m.kind.name())),
                    theme.model(i),
                )]
            })
            .collect();
        let lines = flow(items, usize::from(inner.width));
        let rows = (lines.len() as u16).min(inner.height / 2);
        let [plot, below] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(rows)]).areas(inner);
        Paragraph::new(lines).render(below, buf);
        (plot, Rect::default())
    } else {
        (inner, Rect::default())
    };
    let chart = Chart::new(datasets)
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
        .legend_position(None);
    chart.render(plot, buf);
    if legend.width > 0 {
        let lines: Vec<Line> = snap
            .models
            .iter()
            .enumerate()
            .map(|(i, m)| {
                Line::from(vec![
                    Span::styled("━ ", theme.model(i)),
                    Span::styled(
                        format!("{:<8} ", short_model(m.kind.name())),
                        theme.model(i),
                    ),
                    Span::raw(short_number(m.energy)),
                ])
            })
            .collect();
        Paragraph::new(lines).render(legend, buf);
    }
}

/// In compare mode: one strip of overlap lines per model, stacked on a shared time axis, with
/// one legend of the memories (their colours are the same in every strip) and the stream's
/// memory marked.
pub fn render_overlap_strips(
    snap: &Snapshot,
    window_secs: f64,
    theme: Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let mark = theme.truth_mark();
    let title = if area.width >= 60 {
        format!("overlaps |m_μ| per model ({mark} = what the input shows)")
    } else {
        "overlaps |m_μ| per model".to_string()
    };
    let block = Block::bordered()
        .title(Span::styled(title, theme.title()))
        .border_style(theme.border());
    let inner = block.inner(area);
    block.render(area, buf);
    let names = snap.memories.names();
    let count = snap.models.len() as u16;
    if count == 0 || inner.height < count + 1 || inner.width < 20 {
        return;
    }
    let name_w = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(4)
        .min(8) as u16;
    let legend_w = name_w + 4;
    let [body, legend] = if inner.width >= legend_w + 24 {
        Layout::horizontal([Constraint::Min(20), Constraint::Length(legend_w)]).areas(inner)
    } else {
        [inner, Rect::default()]
    };
    // The strips share the rows left after the time labels.
    let [strips, axis] =
        Layout::vertical([Constraint::Min(count), Constraint::Length(1)]).areas(body);
    let rows = Layout::vertical(vec![Constraint::Fill(1); usize::from(count)]).split(strips);
    let gutter = 9u16;
    let (x0, x1) = time_window(snap.time_secs, window_secs);
    let times = &snap.history_times_secs;
    let first = times.partition_point(|&t| t < x0);
    for (i, (view, &row)) in snap.models.iter().zip(rows.iter()).enumerate() {
        let [label, plot] =
            Layout::horizontal([Constraint::Length(gutter), Constraint::Min(1)]).areas(row);
        let hit = view.retrieved.is_some() && view.retrieved == view.expected;
        Paragraph::new(vec![
            Line::styled(short_model(view.kind.name()), theme.model(i)),
            Line::from(vec![
                Span::styled(
                    view.retrieved
                        .and_then(|mu| names.get(mu))
                        .map_or("—".to_string(), |n| n.chars().take(6).collect()),
                    view.retrieved.map_or(theme.dim(), |mu| theme.memory(mu)),
                ),
                Span::styled(if hit { " ✓" } else { "" }, theme.saliency(true, true)),
            ]),
        ])
        .render(label, buf);
        let lines = overlap_lines(view, times, first);
        let datasets: Vec<Dataset> = lines
            .iter()
            .enumerate()
            .map(|(mu, line)| {
                Dataset::default()
                    .data(line)
                    .marker(theme.memory_marker(mu))
                    .graph_type(GraphType::Line)
                    .style(theme.memory(mu))
            })
            .collect();
        Chart::new(datasets)
            .x_axis(Axis::default().bounds([x0, x1]))
            .y_axis(Axis::default().bounds([0.0, 1.05]))
            .legend_position(None)
            .render(plot, buf);
    }
    let labels = Line::from(vec![Span::styled(
        format!("{:gutter$}{x0:.0}s", "", gutter = usize::from(gutter)),
        theme.dim(),
    )]);
    Paragraph::new(labels).render(axis, buf);
    let end = format!("{x1:.0}s");
    let end_x = axis.right().saturating_sub(end.chars().count() as u16);
    Paragraph::new(Span::styled(end, theme.dim()))
        .render(Rect::new(end_x, axis.y, axis.right() - end_x, 1), buf);
    if legend.width == 0 {
        return;
    }
    let rows = usize::from(legend.height);
    let lines: Vec<Line> = names
        .iter()
        .enumerate()
        .take(rows)
        .map(|(mu, name)| {
            let short: String = name.chars().take(usize::from(name_w)).collect();
            let mut spans = vec![
                Span::styled(format!("{} ", theme.memory_glyph(mu)), theme.memory(mu)),
                Span::styled(
                    format!("{short:<w$}", w = usize::from(name_w)),
                    theme.memory(mu),
                ),
            ];
            if snap.truth == Some(mu) {
                spans.push(Span::styled(format!(" {mark}"), theme.value()));
            }
            Line::from(spans)
        })
        .collect();
    Paragraph::new(lines).render(legend, buf);
}

/// 1, 2 or 5 times a power of ten, about a fifth of `span`.
pub(crate) fn nice_step(span: f64) -> f64 {
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
    fn the_window_pages_by_a_tenth_and_is_never_more_than_a_tenth_blank() {
        for i in 0..500 {
            let t = f64::from(i) * 0.37;
            let (a, b) = time_window(t, 30.0);
            assert!(a <= t && t < b, "{t} not in [{a}, {b})");
            assert!(
                b - t <= 3.0 + 1e-9,
                "{t}: more than a page blank in [{a}, {b}]"
            );
            if t >= 30.0 {
                assert!((b - a - 30.0).abs() < 1e-9, "{t}: [{a}, {b}]");
            } else {
                assert_eq!(a, 0.0);
            }
            assert!(
                (a / 3.0 - (a / 3.0).round()).abs() < 1e-9,
                "{a} is not on a page"
            );
        }
        // At 8 s the chart shows [0, 9], not [0, 30].
        assert_eq!(time_window(8.0, 30.0), (0.0, 9.0));
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
