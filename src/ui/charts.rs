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

/// The top of the overlap charts' y axis: |m| = 1 and a sliver above it, so a line at full
/// retrieval is not drawn on the border.
const OVERLAP_TOP: f64 = 1.04;

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

/// The memories a legend of `rows` lines lists, in order, and how many it leaves out: every
/// one in index order when they fit, else (one line kept for "+N lower |m|") the memory the
/// input shows, the ones recalled, then by |m| (`magnitude`), largest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegendPick {
    pub shown: Vec<usize>,
    pub hidden: usize,
}

impl LegendPick {
    pub fn of(
        p: usize,
        rows: usize,
        truth: Option<usize>,
        recalled: &[usize],
        magnitude: &dyn Fn(usize) -> f32,
    ) -> Self {
        if p <= rows {
            return Self {
                shown: (0..p).collect(),
                hidden: 0,
            };
        }
        let keep = rows.saturating_sub(1);
        let mut order: Vec<usize> = (0..p).collect();
        let key = |mu: usize| {
            let m = magnitude(mu);
            (
                truth != Some(mu),
                !recalled.contains(&mu),
                -(if m.is_finite() { m } else { 0.0 }),
            )
        };
        order.sort_by(|&a, &b| {
            key(a)
                .partial_cmp(&key(b))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(&b))
        });
        order.truncate(keep);
        Self {
            hidden: p - order.len(),
            shown: order,
        }
    }

    /// The line that says what the legend leaves out, if it leaves anything out.
    pub fn more_line(&self, theme: Theme) -> Option<Line<'static>> {
        (self.hidden > 0).then(|| Line::styled(format!(" +{} lower |m|", self.hidden), theme.dim()))
    }
}

/// Where a `Chart` draws its lines inside `area`: right of the y labels (`y_label_w` wide, or
/// under the first x label `first_x_w` wide) and the y axis, above the x axis and its labels
/// (ratatui's own layout, for drawing beside or over the chart at the same columns).
fn graph_area(area: Rect, y_label_w: u16, first_x_w: u16) -> Rect {
    let labels = y_label_w
        .max(first_x_w.saturating_sub(1))
        .min(area.width / 3);
    let left = (area.x + labels + 1).min(area.right());
    let height = area.height.saturating_sub(2);
    Rect::new(left, area.y, area.right() - left, height)
}

/// The column of time `t` on a graph `width` cells wide showing [x0, x1].
fn column_of(t: f64, x0: f64, x1: f64, width: u16) -> Option<u16> {
    let span = x1 - x0;
    if width == 0 || span.is_nan() || span <= 0.0 || !t.is_finite() {
        return None;
    }
    let c = ((t - x0) / span * f64::from(width - 1)).round();
    (c >= 0.0 && c <= f64::from(width - 1)).then_some(c as u16)
}

/// The input strip: one row above the overlap lines, each column in the colour (or line
/// character) of the memory the input showed then. It lies outside the plot, so it cannot be
/// read as an overlap; `label` goes in the gutter at its left.
fn render_input_strip(
    snap: &Snapshot,
    (x0, x1): (f64, f64),
    gutter: Rect,
    strip: Rect,
    label: &str,
    theme: Theme,
    buf: &mut Buffer,
) {
    Paragraph::new(Span::styled(label.to_string(), theme.dim())).render(gutter, buf);
    let times = &snap.history_times_secs;
    let Some(&last) = times.last() else {
        return;
    };
    let span = x1 - x0;
    for col in 0..strip.width {
        let t = x0 + (f64::from(col) + 0.5) / f64::from(strip.width) * span;
        if t > last + span / f64::from(strip.width.max(1)) {
            break;
        }
        let i = times.partition_point(|&s| s <= t).saturating_sub(1);
        if let Some(Some(mu)) = snap.history_truth.get(i)
            && let Some(cell) = buf.cell_mut((strip.x + col, strip.y))
        {
            cell.set_symbol(&theme.input_strip(*mu))
                .set_style(theme.memory(*mu));
        }
    }
}

/// The legend's line naming the input strip.
fn strip_key(theme: Theme, width: u16) -> Line<'static> {
    // Without colour the strip is in the memories' own characters: the gutter's "in" names it.
    let keys: [&str; 2] = if theme.text_lines() {
        ["in: input shows", "in: input"]
    } else {
        ["▀ input shows", "▀ input"]
    };
    // The longest that fits whole (a cut "in: input sho" read as a mistake).
    let key = keys
        .into_iter()
        .find(|k| k.chars().count() <= usize::from(width))
        .unwrap_or(keys[1]);
    let text: String = key.chars().take(usize::from(width)).collect();
    Line::styled(text, theme.dim())
}

/// Without colour: each memory's line as its own character (a cell per sample, joined
/// up and down within a column), the least important first so the others are drawn over it.
fn draw_text_lines(
    lines: &[Vec<(f64, f64)>],
    order: &[usize],
    (x0, x1): (f64, f64),
    graph: Rect,
    theme: Theme,
    buf: &mut Buffer,
) {
    if graph.width == 0 || graph.height == 0 {
        return;
    }
    let h = f64::from(graph.height - 1);
    let row_of =
        |y: f64| (((OVERLAP_TOP - y.clamp(0.0, OVERLAP_TOP)) / OVERLAP_TOP) * h).round() as u16;
    for &mu in order.iter().rev() {
        let Some(line) = lines.get(mu) else {
            continue;
        };
        let glyph = theme.line_char(mu).to_string();
        let style = theme.memory(mu);
        let mut previous: Option<u16> = None;
        for &(t, y) in line {
            let Some(col) = column_of(t, x0, x1, graph.width) else {
                previous = None;
                continue;
            };
            let row = row_of(y);
            let (lo, hi) = match previous {
                Some(p) => (p.min(row), p.max(row)),
                None => (row, row),
            };
            for r in lo..=hi {
                if let Some(cell) = buf.cell_mut((graph.x + col, graph.y + r)) {
                    cell.set_symbol(&glyph).set_style(style);
                }
            }
            previous = Some(row);
        }
    }
}

/// The overlaps' datasets in colour (none when the lines are drawn as characters).
fn overlap_datasets<'a>(lines: &'a [Vec<(f64, f64)>], theme: Theme) -> Vec<Dataset<'a>> {
    if theme.text_lines() {
        return Vec::new();
    }
    lines
        .iter()
        .enumerate()
        .map(|(mu, line)| {
            Dataset::default()
                .data(line)
                .marker(theme.memory_marker(mu))
                .graph_type(GraphType::Line)
                .style(theme.memory(mu))
        })
        .collect()
}

/// A legend's column without its first, left blank between the chart and the legend.
fn past_gap(area: Rect) -> Rect {
    if area.width < 2 {
        return Rect::default();
    }
    Rect::new(area.x + 1, area.y, area.width - 1, area.height)
}

/// One memory's legend line: its line sample, its name (`name_w` wide), and after it `tail`.
fn legend_line(
    mu: usize,
    name: &str,
    name_w: usize,
    bold: bool,
    tail: Vec<Span<'static>>,
    theme: Theme,
) -> Line<'static> {
    let mut name_style = theme.memory(mu);
    if bold {
        name_style = name_style.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    }
    let short: String = name.chars().take(name_w).collect();
    let mut spans = vec![
        Span::styled(format!("{} ", theme.memory_glyph(mu)), theme.memory(mu)),
        Span::styled(format!("{short:<name_w$}"), name_style),
    ];
    spans.extend(tail);
    Line::from(spans)
}

/// Overlap lines of model `model` of `snap` in `area`, with the input strip above them and a
/// legend column on the right.
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
    let name_w = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 12);
    // One column more than the legend's text: a gap between it and the chart's axis line
    // and time labels ("───■ sun", "6s■ tree" ran into each other).
    let legend_width = name_w as u16 + 10;
    let block = Block::bordered()
        .title(Span::styled(title, theme.title()))
        .border_style(theme.border());
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 3 {
        return;
    }
    let [left, legend_area] = if inner.width > legend_width + 20 {
        Layout::horizontal([Constraint::Min(20), Constraint::Length(legend_width)]).areas(inner)
    } else {
        [inner, Rect::default()]
    };
    let legend_area = past_gap(legend_area);
    let [strip_row, chart_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(left);

    let (x0, x1) = time_window(snap.time_secs, window_secs);
    let times = &snap.history_times_secs;
    let first = times.partition_point(|&t| t < x0);
    let lines = overlap_lines(view, times, first);
    let x_labels = vec![
        Span::styled(format!("{x0:.0}s"), theme.dim()),
        Span::styled(format!("{x1:.0}s"), theme.dim()),
    ];
    let first_x_w = format!("{x0:.0}s").chars().count() as u16;
    let chart = Chart::new(overlap_datasets(&lines, theme))
        .x_axis(
            Axis::default()
                .bounds([x0, x1])
                .labels(x_labels)
                .style(theme.dim()),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, OVERLAP_TOP])
                .labels(vec![
                    Span::styled("0", theme.dim()),
                    Span::styled(".5", theme.dim()),
                    Span::styled("1", theme.dim()),
                ])
                .style(theme.dim()),
        )
        .hidden_legend_constraints((Constraint::Length(0), Constraint::Length(0)));
    chart.render(chart_area, buf);
    let graph = graph_area(chart_area, 2, first_x_w);
    let gutter = Rect::new(left.x, strip_row.y, graph.x.saturating_sub(left.x), 1);
    let strip = Rect::new(graph.x, strip_row.y, graph.width, 1);
    render_input_strip(snap, (x0, x1), gutter, strip, "in", theme, buf);

    // When the legend does not fit, the memories that matter come first: the one the input
    // shows, the one recalled, then by overlap; the last line says how many are left out.
    let magnitude = |mu: usize| view.overlaps.get(mu).copied().unwrap_or(0.0).abs();
    let recalled: Vec<usize> = view.retrieved.into_iter().collect();
    let memory_rows = usize::from(legend_area.height.saturating_sub(1));
    let pick = LegendPick::of(names.len(), memory_rows, snap.truth, &recalled, &magnitude);
    if theme.text_lines() {
        let mut order = pick.shown.clone();
        order.extend((0..names.len()).filter(|mu| !pick.shown.contains(mu)));
        draw_text_lines(&lines, &order, (x0, x1), graph, theme, buf);
    }
    if legend_area.width == 0 {
        return;
    }
    let mut legend = vec![strip_key(theme, legend_area.width)];
    legend.extend(pick.shown.iter().map(|&mu| {
        let mut tail = vec![Span::raw(format!(" {:.2}", magnitude(mu)))];
        if snap.truth == Some(mu) {
            tail.push(Span::styled(
                format!(" {}", theme.truth_mark()),
                theme.value(),
            ));
        }
        legend_line(
            mu,
            &names[mu],
            name_w,
            view.retrieved == Some(mu),
            tail,
            theme,
        )
    }));
    legend.extend(pick.more_line(theme));
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
    // Per neuron, the unit of every energy on screen.
    let n = snap.status.n.max(1) as f64;
    let lines: Vec<Vec<(f64, f64)>> = snap
        .models
        .iter()
        .map(|m| {
            window_points(times, first, &m.energy_history, |e: f64| {
                e.is_finite().then_some(e / n)
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
    let step = nice_step((hi - lo).abs().max(0.01));
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
                .marker(theme.model_marker(i))
                .graph_type(GraphType::Line)
                .style(theme.model(i))
        })
        .collect();
    let title = if area.width >= 50 {
        "energy E(x;u)/N: lower = deeper well (< 0 inside)"
    } else {
        "energy E/N, lower = deeper"
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
                    format!("{} {}", theme.model_glyph(i), short_model(m.kind.name())),
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
                    Span::styled(format!("{} ", theme.model_glyph(i)), theme.model(i)),
                    Span::styled(
                        format!("{:<8} ", short_model(m.kind.name())),
                        theme.model(i),
                    ),
                    Span::raw(super::readout::energy_per_neuron(
                        m.energy,
                        snap.status.n,
                        theme,
                    )),
                ])
            })
            .collect();
        Paragraph::new(lines).render(legend, buf);
    }
}

/// In compare mode: one strip of overlap lines per model, stacked on a shared time axis under
/// the input strip, with one legend of the memories (their colours are the same in every strip)
/// and the stream's memory marked.
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
    if count == 0 || inner.height < count + 2 || inner.width < 20 {
        return;
    }
    let name_w = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 8) as u16;
    // "▀ input shows" is the legend's widest line but one; and a column of gap before it.
    let legend_w = (name_w + 4).max(13) + 1;
    let [body, legend] = if inner.width >= legend_w + 24 {
        Layout::horizontal([Constraint::Min(20), Constraint::Length(legend_w)]).areas(inner)
    } else {
        [inner, Rect::default()]
    };
    let legend = past_gap(legend);
    // The input strip, the model strips in the rows left, the time labels.
    let [strip_row, strips, axis] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(count),
        Constraint::Length(1),
    ])
    .areas(body);
    let rows = Layout::vertical(vec![Constraint::Fill(1); usize::from(count)]).split(strips);
    // A label is the model and what it recalls when every strip has the two rows; else the
    // model alone in every strip (the readout says what each recalls): with some strips of one
    // row, only some models said what they recall, and a bare "fish ✓" read as the next's.
    let recall_line = strips.height >= 2 * count;
    let gutter = 9u16;
    let (x0, x1) = time_window(snap.time_secs, window_secs);
    let times = &snap.history_times_secs;
    let first = times.partition_point(|&t| t < x0);
    let [strip_label, strip] =
        Layout::horizontal([Constraint::Length(gutter), Constraint::Min(1)]).areas(strip_row);
    render_input_strip(snap, (x0, x1), strip_label, strip, "input", theme, buf);
    let magnitude = |mu: usize| {
        snap.models
            .iter()
            .filter_map(|v| v.overlaps.get(mu))
            .fold(0.0f32, |m, &x| m.max(x.abs()))
    };
    let recalled: Vec<usize> = snap.models.iter().filter_map(|v| v.retrieved).collect();
    let pick = LegendPick::of(
        names.len(),
        usize::from(legend.height.saturating_sub(1)),
        snap.truth,
        &recalled,
        &magnitude,
    );
    let mut draw_order = pick.shown.clone();
    draw_order.extend((0..names.len()).filter(|mu| !pick.shown.contains(mu)));
    for (i, (view, &row)) in snap.models.iter().zip(rows.iter()).enumerate() {
        let [label, plot] =
            Layout::horizontal([Constraint::Length(gutter), Constraint::Min(1)]).areas(row);
        let hit = view.retrieved.is_some() && view.retrieved == view.expected;
        let mut text = vec![Line::styled(short_model(view.kind.name()), theme.model(i))];
        if recall_line {
            text.push(Line::from(vec![
                Span::styled(
                    view.retrieved
                        .and_then(|mu| names.get(mu))
                        .map_or("—".to_string(), |n| n.chars().take(6).collect()),
                    view.retrieved.map_or(theme.dim(), |mu| theme.memory(mu)),
                ),
                Span::styled(if hit { " ✓" } else { "" }, theme.saliency(true, true)),
            ]));
        }
        Paragraph::new(text).render(label, buf);
        let lines = overlap_lines(view, times, first);
        Chart::new(overlap_datasets(&lines, theme))
            .x_axis(Axis::default().bounds([x0, x1]))
            .y_axis(Axis::default().bounds([0.0, OVERLAP_TOP]))
            .legend_position(None)
            .render(plot, buf);
        if theme.text_lines() {
            draw_text_lines(&lines, &draw_order, (x0, x1), plot, theme, buf);
        }
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
    let mut lines = vec![strip_key(theme, legend.width)];
    lines.extend(pick.shown.iter().map(|&mu| {
        let tail = if snap.truth == Some(mu) {
            vec![Span::styled(format!(" {mark}"), theme.value())]
        } else {
            Vec::new()
        };
        legend_line(mu, &names[mu], usize::from(name_w), false, tail, theme)
    }));
    lines.extend(pick.more_line(theme));
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

/// A number in at most five characters: −312, 1.2k, −45k (a minus sign as E/N's; ASCII screens
/// turn it back into '-').
pub fn short_number(v: f64) -> String {
    short_ascii(v).replace('-', "−")
}

fn short_ascii(v: f64) -> String {
    let a = v.abs();
    if a >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if a >= 1000.0 {
        format!("{:.1}k", v / 1000.0)
    } else if a >= 10.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a < 1.0 {
        format!("{v:.2}")
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
    fn the_legend_keys_every_line_or_says_how_many_it_leaves_out() {
        let m = [0.1f32, 0.9, 0.3, 0.05, 0.6];
        let magnitude = |mu: usize| m[mu];
        // Room for all: every memory, in order.
        let all = LegendPick::of(5, 5, Some(0), &[1], &magnitude);
        assert_eq!(all.shown, [0, 1, 2, 3, 4]);
        assert_eq!(all.hidden, 0);
        assert!(
            all.more_line(Theme {
                color: true,
                ascii: false
            })
            .is_none()
        );
        // Four rows: three memories and "+2 lower |m|": the input's, the recalled, then |m|.
        let some = LegendPick::of(5, 4, Some(3), &[1], &magnitude);
        assert_eq!(some.shown, [3, 1, 4]);
        assert_eq!(some.hidden, 2);
        assert_eq!(some.shown.len() + some.hidden, 5, "every memory is counted");
        let line = some.more_line(Theme {
            color: true,
            ascii: false,
        });
        let text: String = line
            .map(|l| l.spans.iter().map(|s| s.content.to_string()).collect())
            .unwrap_or_default();
        assert_eq!(text, " +2 lower |m|");
        // No room at all still counts them.
        assert_eq!(LegendPick::of(5, 0, None, &[], &magnitude).hidden, 5);
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
