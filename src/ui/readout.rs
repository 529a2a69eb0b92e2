//! The images row and the readout: the input with the memory the stream holds, each model's
//! state Ψ(x) with what it recalls (✓ when that is the memory the stream holds) and its
//! accuracy, the recalled memory (one model), and the readout in words. Items never break
//! across lines: a line that would overflow moves the whole next item to the next line.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::pipeline::{ModelView, Snapshot};

use super::app::App;
use super::image::{HalfBlockImage, Placement, fit_cells_scaled};
use super::paint::Drawing;
use super::panels::short_model;
use super::theme::GREY_LEVELS;
use super::theme::Theme;

/// The readout's narrowest useful width (borders included).
pub const READOUT_MIN: u16 = 30;

/// One image panel: title, bottom title and pixels (empty: no picture).
struct ImagePanel<'a> {
    title: Vec<Span<'static>>,
    /// The title where `title` does not fit (the model's name alone).
    narrow_title: Option<Vec<Span<'static>>>,
    bottom: Vec<Span<'static>>,
    pixels: &'a [f32],
}

/// The name of memory `mu` (or a dash).
fn name_of(snap: &Snapshot, mu: Option<usize>) -> String {
    mu.and_then(|m| snap.memories.names().get(m).cloned())
        .unwrap_or_else(|| "—".into())
}

/// The state is the mirror −ξ of the memory it recalls (a photographic negative: ψ is odd, so
/// −x is an equilibrium whenever x is, and |m| counts both).
fn on_mirror(view: &ModelView) -> bool {
    view.retrieved
        .and_then(|mu| view.overlaps.get(mu))
        .is_some_and(|&m| m < 0.0)
}

/// Below this largest |m| the readout names no nearest memory: the state is near none of them.
const NEAR_NONE: f32 = 0.1;

/// The memory with the largest |m| and its (signed) overlap: what the state is nearest when
/// nothing is recalled.
fn nearest(view: &ModelView) -> Option<(usize, f32)> {
    view.overlaps
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, m)| m.is_finite())
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
}

/// The recalled memory (as "−name" on its mirror), ✓ when it is the memory the stream holds,
/// and the accuracy.
fn verdict(snap: &Snapshot, view: &ModelView, theme: Theme) -> Vec<Span<'static>> {
    let hit = view.retrieved.is_some() && view.retrieved == view.expected;
    let acc = view
        .accuracy
        .map_or("—".to_string(), |a| format!("{:.0}%", a * 100.0));
    let sign = if on_mirror(view) { "−" } else { "" };
    vec![
        Span::styled(
            format!("{sign}{}", name_of(snap, view.retrieved)),
            view.retrieved.map_or(theme.dim(), |mu| theme.memory(mu)),
        ),
        Span::styled(if hit { " ✓" } else { "" }, theme.saliency(true, true)),
        Span::styled(format!(" {acc}"), theme.value()),
    ]
}

/// `spans` in at most `width` columns: the first span (a name) loses characters from its end
/// (and ends in "…") until the rest fits whole, or, a label that ends in a space ("holds "), goes whole; only
/// when the rest alone is too wide is it cut too.
fn shrink_first(mut spans: Vec<Span<'static>>, width: usize) -> Vec<Span<'static>> {
    let total: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    if total <= width || spans.is_empty() {
        return spans;
    }
    // First the spaces between the parts ("tree ✓100%"), from the last part back; never one
    // before a word, which would join two ("dogGLITCH").
    let mut over = total - width;
    for s in spans[1..].iter_mut().rev() {
        let before_word = s.content.chars().nth(1).is_some_and(char::is_alphabetic);
        if over > 0 && s.content.starts_with(' ') && !before_word {
            s.content = s.content[1..].to_string().into();
            over -= 1;
        }
    }
    if over == 0 {
        return spans;
    }
    let rest: usize = spans[1..].iter().map(|s| s.content.chars().count()).sum();
    if spans[0].content.ends_with(' ') && rest <= width {
        spans[0].content = "".into();
        return spans;
    }
    let keep = width.saturating_sub(rest).max(1.min(width));
    // A name cut to two or more columns ends in "…", so that it reads as cut ("const…", not
    // "consta"); one column keeps its first letter.
    let first: String = if keep >= 2 && spans[0].content.chars().count() > keep {
        let mut cut: String = spans[0].content.chars().take(keep - 1).collect();
        cut.push('…');
        cut
    } else {
        spans[0].content.chars().take(keep).collect()
    };
    spans[0].content = first.into();
    let mut left = width;
    spans
        .into_iter()
        .map(|mut s| {
            let n = s.content.chars().count().min(left);
            left -= n;
            if n < s.content.chars().count() {
                s.content = s.content.chars().take(n).collect::<String>().into();
            }
            s
        })
        .filter(|s| !s.content.is_empty())
        .collect()
}

/// Draws the images row into `area` and returns the rows it used (the images may be smaller
/// than the area when the width limits them).
pub fn render_images(
    app: &App,
    snap: &Snapshot,
    area: Rect,
    max_scale: f64,
    buf: &mut Buffer,
) -> u16 {
    let theme = app.theme;
    let Some(images) = app.images.as_ref() else {
        return area.height;
    };
    let (w, h) = (snap.memories.width(), snap.memories.height());
    let single = snap.models.len() == 1;
    let holds = snap.models.first().and_then(|m| m.expected);
    let mut input_bottom = vec![
        Span::styled(holds_word(snap), theme.dim()),
        Span::styled(
            name_of(snap, holds),
            holds.map_or(theme.dim(), |m| theme.memory(m)),
        ),
    ];
    if snap.glitch {
        input_bottom.push(Span::styled(" GLITCH", theme.warning()));
    }
    let input_title = if images.glitch {
        "input (glitch!)"
    } else {
        "input u"
    };
    let mut panels = vec![match &app.drawing {
        Some(d) => ImagePanel {
            title: vec![Span::styled("your drawing", theme.warning())],
            narrow_title: Some(vec![Span::styled("drawing", theme.warning())]),
            bottom: vec![Span::styled(
                if d.keyboard {
                    "←↑↓→ space · p"
                } else {
                    "p cursor · n stream"
                },
                theme.dim(),
            )],
            pixels: &d.pixels,
        },
        None => ImagePanel {
            title: vec![Span::styled(input_title, theme.title())],
            narrow_title: Some(vec![Span::styled("input", theme.title())]),
            bottom: input_bottom,
            pixels: &images.input,
        },
    }];
    for (i, (view, state)) in snap.models.iter().zip(&images.states).enumerate() {
        let name = Span::styled(
            short_model(view.kind.name()),
            theme.model(i).patch(theme.title()),
        );
        let (title, narrow_title) = if single {
            (vec![Span::styled("state Ψ(x)", theme.title())], None)
        } else {
            (
                vec![name.clone(), Span::styled(" Ψ(x)", theme.title())],
                Some(vec![name]),
            )
        };
        panels.push(ImagePanel {
            title,
            narrow_title,
            bottom: verdict(snap, view, theme),
            pixels: state,
        });
    }
    if single {
        let recalled = snap.models.first().and_then(|v| v.retrieved);
        let pixels = recalled.map_or(&[][..], |mu| snap.memories.memory(mu));
        let title = match recalled {
            Some(mu) => vec![
                Span::styled("recalled ", theme.title()),
                Span::styled(
                    name_of(snap, Some(mu)),
                    theme.memory(mu).patch(theme.title()),
                ),
            ],
            None => vec![Span::styled("recalled: none", theme.title())],
        };
        panels.push(ImagePanel {
            title,
            narrow_title: recalled.map(|mu| {
                vec![Span::styled(
                    name_of(snap, Some(mu)),
                    theme.memory(mu).patch(theme.title()),
                )]
            }),
            bottom: Vec::new(),
            pixels,
        });
    }
    let count = panels.len() as u16;
    // The readout keeps its minimum width when the images can spare it and it has the rows for
    // every model (else the panels' titles say it all and the images take the width).
    let natural_w = (w as f64 * max_scale.max(1.0)).floor() as u16 + 2;
    let readout_rows = if single {
        6
    } else {
        3 + snap.models.len() as u16
    };
    let readout_w = if area.height >= readout_rows + 2 {
        READOUT_MIN
    } else {
        0
    };
    let room = area.width.saturating_sub(readout_w);
    let panel_w = (room / count).min(natural_w).max(8.min(area.width / count));
    let (cw, ch) = fit_cells_scaled(
        w,
        h,
        panel_w.saturating_sub(2),
        area.height.saturating_sub(2),
        max_scale,
    );
    let panel_w = cw + 2;
    // A readout with more lines than the images have rows gets its rows (compare mode).
    let used = if readout_w > 0 {
        (ch + 2).max(readout_rows + 2)
    } else {
        ch + 2
    }
    .min(area.height);
    let mut constraints: Vec<Constraint> =
        panels.iter().map(|_| Constraint::Length(panel_w)).collect();
    constraints.push(Constraint::Min(0));
    let row = Rect::new(area.x, area.y, area.width, used);
    let areas = Layout::horizontal(constraints).split(row);
    for (k, (panel, &cell)) in panels.iter().zip(areas.iter()).enumerate() {
        // Titles never run past the border: the narrow form, then the name shortened.
        let room = usize::from(cell.width.saturating_sub(2));
        let title = match &panel.narrow_title {
            Some(narrow) if Line::from(panel.title.clone()).width() > room => narrow.clone(),
            _ => panel.title.clone(),
        };
        let mut block = Block::bordered()
            .title(Line::from(shrink_first(title, room)))
            .border_style(theme.border());
        if !panel.bottom.is_empty() {
            block = block.title_bottom(Line::from(shrink_first(panel.bottom.clone(), room)));
        }
        let inner = block.inner(cell);
        block.render(cell, buf);
        if panel.pixels.is_empty() {
            // The state is near no memory (the retrieval threshold of every network).
            let threshold = crate::model::Params::default().retrieval_threshold;
            Paragraph::new(vec![
                Line::styled("no memory", theme.dim()),
                Line::styled("retrieved:", theme.dim()),
                Line::styled(format!("all |m| < {threshold}"), theme.dim()),
            ])
            .render(inner, buf);
        } else {
            HalfBlockImage {
                pixels: panel.pixels,
                width: w,
                height: h,
                theme,
            }
            .render(inner, buf);
        }
        if k == 0 {
            // Where the mouse paints, and where the keyboard cursor is drawn.
            let place = Placement::of(w, h, inner);
            app.input_placement.set(place);
            if let (Some(place), Some(d)) = (place, app.drawing.as_ref().filter(|d| d.keyboard)) {
                draw_cursor(place, d, theme, buf);
            }
        }
    }
    if let Some(&rest) = areas.last()
        && rest.width >= 16
    {
        render_readout(snap, theme, rest, buf);
    }
    used
}

/// In `explore`: the saliencies set (the walk's two memories and the rest) and the regime the
/// theory of the running network puts them in.
fn explore_lines(
    snap: &Snapshot,
    view: &ModelView,
    width: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let names = snap.memories.names();
    // Set by hand to a grid of steps; what the network reads back differs by rounding only.
    let alpha = |mu: usize| {
        let a = view.saliencies.get(mu).copied().unwrap_or(0.0);
        if a.abs() < 5e-4 { 0.0 } else { a }
    };
    let item = |mu: usize, keys: &str| {
        vec![
            Span::styled(format!("{keys} "), theme.dim()),
            Span::styled(name_of(snap, Some(mu)), theme.memory(mu)),
            Span::raw(format!(" {:.3}", alpha(mu))),
        ]
    };
    let mut items = vec![item(0, "←→"), item(1, "↑↓")];
    if names.len() > 2 {
        items.push(vec![
            Span::styled("<> rest ", theme.dim()),
            Span::raw(format!("{:.3}", alpha(2))),
        ]);
    }
    let mut lines = flow(items, width);
    if let Some(regime) = super::theory::Regime::of(&view.theory, &view.saliencies, view.kind) {
        lines.extend(flow_gap(
            theme
                .spell(&regime.describe(names))
                .split(' ')
                .map(|w| vec![Span::styled(w.to_string(), theme.warning())])
                .collect(),
            width,
            1,
        ));
    }
    lines
}

/// The paint cursor: its half of the cell in the warning colour, the other half as it is.
fn draw_cursor(place: Placement, d: &Drawing, theme: Theme, buf: &mut Buffer) {
    let (col, row, top) = place.cell_of(d.cursor);
    let other = if top {
        (d.cursor.0, d.cursor.1 + 1)
    } else {
        (d.cursor.0, d.cursor.1.saturating_sub(1))
    };
    let grey = |on: bool| theme.grey(if on { GREY_LEVELS - 1 } else { 0 });
    let cursor = theme.warning().fg.unwrap_or(ratatui::style::Color::Yellow);
    if let Some(cell) = buf.cell_mut((col, row)) {
        let other_on = other.1 < d.height && d.is_on(other);
        cell.set_symbol(if top { "▀" } else { "▄" })
            .set_style(ratatui::style::Style::new().fg(cursor).bg(grey(other_on)));
    }
}

/// Lays `items` out on lines of at most `width` characters, two spaces apart; an item moves
/// to the next line whole rather than breaking (one wider than a line goes on a line alone).
pub fn flow(items: Vec<Vec<Span<'static>>>, width: usize) -> Vec<Line<'static>> {
    flow_gap(items, width, 2)
}

/// [`flow`] with `gap` spaces between items.
fn flow_gap(items: Vec<Vec<Span<'static>>>, width: usize, gap: usize) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut line: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for item in items {
        let len: usize = item.iter().map(|s| s.content.chars().count()).sum();
        if used > 0 && used + gap + len > width {
            lines.push(Line::from(std::mem::take(&mut line)));
            used = 0;
        }
        if used > 0 {
            line.push(Span::raw(" ".repeat(gap)));
            used += gap;
        }
        line.extend(item);
        used += len;
    }
    if !line.is_empty() {
        lines.push(Line::from(line));
    }
    lines
}

/// The word before the memory the input is about: "holds " for a stream of images; in explore,
/// whose input is a mixture of every memory at the saliencies set by hand, "most about " (a
/// user read "holds bird" as a picture of a bird that was not there).
fn holds_word(snap: &Snapshot) -> &'static str {
    if snap.status.scenario == crate::stimulus::ScenarioName::Explore {
        "most about "
    } else {
        "holds "
    }
}

/// What the stream shows and what each model recalled, in words.
fn render_readout(snap: &Snapshot, theme: Theme, area: Rect, buf: &mut Buffer) {
    let block = Block::bordered()
        .title(Span::styled("readout", theme.title()))
        .border_style(theme.border());
    let inner = block.inner(area);
    block.render(area, buf);
    let width = usize::from(inner.width);
    let holds = snap.models.first().and_then(|m| m.expected);
    let mut what = vec![vec![
        Span::styled(holds_word(snap), theme.dim()),
        Span::styled(
            name_of(snap, holds),
            holds.map_or(theme.dim(), |m| theme.memory(m)),
        ),
    ]];
    if snap.truth != holds || snap.glitch {
        what.push(vec![
            Span::styled("shows ", theme.dim()),
            Span::styled(
                name_of(snap, snap.truth),
                snap.truth.map_or(theme.dim(), |m| theme.memory(m)),
            ),
            Span::styled(if snap.glitch { " GLITCH" } else { "" }, theme.warning()),
        ]);
    }
    let mut lines = flow(what, width);
    // What the stream is doing, where it says more than "holds cat" (a morph, a glitch, the
    // flips); the words may break between themselves, never inside one.
    if let Some(detail) = stream_detail(&snap.label, &name_of(snap, holds)) {
        lines.extend(flow_gap(
            detail
                .split(' ')
                .map(|w| vec![Span::styled(w.to_string(), theme.dim())])
                .collect(),
            width,
            1,
        ));
    }
    if snap.status.scenario == crate::stimulus::ScenarioName::Explore
        && let Some(view) = snap.models.first()
    {
        lines.extend(explore_lines(snap, view, width, theme));
    }
    if snap.models.len() == 1 {
        if let Some(view) = snap.models.first() {
            lines.push(Line::raw(""));
            lines.extend(model_lines(snap, view, 0, width, theme));
            // Where there is room (a large terminal): the theory's regime of the two most
            // salient memories (explore shows it above).
            if snap.status.scenario != crate::stimulus::ScenarioName::Explore
                && let Some(regime) =
                    super::theory::Regime::of(&view.theory, &view.saliencies, view.kind)
            {
                let regime_lines = flow_gap(
                    theme
                        .spell(&regime.describe(snap.memories.names()))
                        .split(' ')
                        .map(|w| vec![Span::styled(w.to_string(), theme.dim())])
                        .collect(),
                    width,
                    1,
                );
                if lines.len() + 1 + regime_lines.len() <= usize::from(inner.height) {
                    lines.push(Line::raw(""));
                    lines.extend(regime_lines);
                }
            }
        }
    } else {
        lines.extend(compare_table(snap, width, theme));
    }
    Paragraph::new(lines).render(inner, buf);
}

/// The stream's label without what "holds NAME" already says: `None` for "hold cat" when it
/// holds cat, "glitch to dog" for "hold cat (glitch to dog)", the label itself otherwise.
pub fn stream_detail(label: &str, holds: &str) -> Option<String> {
    let label = label.trim();
    let rest = match label.strip_prefix(&format!("hold {holds}")) {
        Some(rest) if rest.is_empty() || rest.starts_with([' ', ',']) => rest,
        _ => return (!label.is_empty()).then(|| label.to_string()),
    };
    let rest = rest.trim_start_matches([',', ' ']);
    let rest = rest
        .strip_prefix('(')
        .map_or(rest.to_string(), |r| r.replacen(')', "", 1));
    let rest = rest.trim().to_string();
    (!rest.is_empty()).then_some(rest)
}

/// An energy per neuron (E/N), the unit of every energy on screen: "−4.47".
pub fn energy_per_neuron(energy: f64, n: usize, theme: Theme) -> String {
    let e = energy / n.max(1) as f64;
    let s = if e.abs() >= 100.0 {
        format!("{e:.0}")
    } else {
        format!("{e:.2}")
    };
    if theme.ascii {
        s
    } else {
        s.replace('-', "−")
    }
}

/// One model's readout as items: recalled memory and overlap, accuracy, energy.
fn model_lines(
    snap: &Snapshot,
    view: &ModelView,
    i: usize,
    width: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let hit = view.retrieved.is_some() && view.retrieved == view.expected;
    let mut recalled = vec![
        // One model: room for its whole name.
        Span::styled(view.kind.name(), theme.model(i)),
        Span::raw(" → "),
        Span::styled(
            name_of(snap, view.retrieved),
            view.retrieved.map_or(theme.dim(), |mu| theme.memory(mu)),
        ),
    ];
    if hit {
        recalled.push(Span::styled(" ✓", theme.saliency(true, true)));
    }
    // Signed: −1 is the inverted picture, an attractor just as good (ψ is odd). With nothing
    // recalled, the memory nearest the state and its overlap (not 0: it can be 0.49).
    let mut overlap = match view.retrieved.and_then(|mu| view.overlaps.get(mu)) {
        // A minus sign as E/N's ("m=−1.00"; ASCII screens turn it back into '-').
        Some(m) => vec![Span::raw(format!("m={m:+.2}").replace('-', "−"))],
        None => match nearest(view) {
            // The memory, or its mirror −ξ when m < 0.
            Some((mu, m)) if m.abs() >= NEAR_NONE => vec![
                Span::styled("nearest ", theme.dim()),
                Span::styled(
                    format!(
                        "{}{}",
                        if m < 0.0 { "−" } else { "" },
                        name_of(snap, Some(mu))
                    ),
                    theme.memory(mu),
                ),
                Span::raw(format!(" m={m:+.2}").replace('-', "−")),
            ],
            Some(_) => vec![Span::styled(
                format!("near no memory (|m| < {NEAR_NONE})"),
                theme.dim(),
            )],
            None => vec![Span::raw("m=—")],
        },
    };
    if on_mirror(view) {
        // A newcomer sees a negative picture: say why it still counts.
        overlap.push(Span::styled(" mirror −ξ", theme.dim()));
    }
    let acc = view
        .accuracy
        .map_or("—".to_string(), |a| format!("{:.0}%", a * 100.0));
    let mut items = vec![
        recalled,
        overlap,
        vec![
            Span::styled("accuracy ", theme.dim()),
            Span::styled(acc, theme.value()),
        ],
        vec![
            Span::styled("E/N ", theme.dim()),
            Span::raw(energy_per_neuron(view.energy, snap.status.n, theme)),
        ],
    ];
    if view.theory.confusion {
        items.push(vec![Span::styled("no well: confusion", theme.warning())]);
    }
    flow(items, width)
}

/// Compare mode: one row per model (recalled memory, overlap, ✓, accuracy) under a header.
fn compare_table(snap: &Snapshot, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        if width >= 28 {
            "model    recalls     m   acc"
        } else {
            "model    recalls"
        },
        theme.dim(),
    )];
    for (i, view) in snap.models.iter().enumerate() {
        // The recalled memory's overlap; none recalled, none shown (the column is its m).
        let overlap = view.retrieved.and_then(|mu| view.overlaps.get(mu)).copied();
        // The minus sign of every other panel, and the mirror named as the image titles name
        // it ("−cat").
        let m = overlap.map_or(format!("{:>6}", "—"), |m| {
            format!(" {m:+.2}").replace('-', "−")
        });
        let hit = view.retrieved.is_some() && view.retrieved == view.expected;
        let sign = if overlap.is_some_and(|m| m < 0.0) {
            "−"
        } else {
            ""
        };
        let name: String = format!("{sign}{}", name_of(snap, view.retrieved))
            .chars()
            .take(6)
            .collect();
        let mut spans = vec![
            Span::styled(
                format!("{:<8} ", short_model(view.kind.name())),
                theme.model(i),
            ),
            Span::styled(
                format!("{name:<6}"),
                view.retrieved.map_or(theme.dim(), |mu| theme.memory(mu)),
            ),
            Span::styled(if hit { " ✓" } else { "  " }, theme.saliency(true, true)),
        ];
        if width >= 28 {
            let acc = view
                .accuracy
                .map_or("—".to_string(), |a| format!("{:.0}%", a * 100.0));
            spans.push(Span::raw(m));
            spans.push(Span::styled(format!(" {acc:>4}"), theme.value()));
        }
        lines.push(Line::from(spans));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn a_title_shortens_its_name_before_the_rest() {
        let spans = vec![Span::raw("house"), Span::raw(" ✓"), Span::raw(" 100%")];
        assert_eq!(
            text(&[Line::from(shrink_first(spans.clone(), 20))]),
            ["house ✓ 100%"]
        );
        // The spaces go first ("tree ✓ 100%" in 10 columns), then the name's end.
        assert_eq!(
            text(&[Line::from(shrink_first(spans.clone(), 11))]),
            ["house ✓100%"]
        );
        assert_eq!(
            text(&[Line::from(shrink_first(spans.clone(), 8))]),
            ["ho…✓100%"]
        );
        // A name cut ends in "…", so that "constant" in six columns is not "consta".
        assert_eq!(
            text(&[Line::from(shrink_first(vec![Span::raw("constant")], 6))]),
            ["const…"]
        );
        assert_eq!(text(&[Line::from(shrink_first(spans, 4))]), ["h✓10"]);
        // A label before the name goes whole, and words keep their spaces.
        let glitch = vec![Span::raw("holds "), Span::raw("dog"), Span::raw(" GLITCH")];
        assert_eq!(
            text(&[Line::from(shrink_first(glitch.clone(), 16))]),
            ["holds dog GLITCH"]
        );
        assert_eq!(
            text(&[Line::from(shrink_first(glitch, 14))]),
            ["dog GLITCH"]
        );
    }

    #[test]
    fn the_stream_detail_never_repeats_holds() {
        assert_eq!(stream_detail("hold tree", "tree"), None);
        assert_eq!(
            stream_detail("hold cat (glitch to dog)", "cat").as_deref(),
            Some("glitch to dog")
        );
        assert_eq!(
            stream_detail("hold cat, flips 5% → 20%", "cat").as_deref(),
            Some("flips 5% → 20%")
        );
        assert_eq!(
            stream_detail("morph cat → dog (crossfade)", "dog").as_deref(),
            Some("morph cat → dog (crossfade)")
        );
        // "hold catfish" is not "hold cat".
        assert_eq!(
            stream_detail("hold catfish", "cat").as_deref(),
            Some("hold catfish")
        );
        assert_eq!(stream_detail("", "cat"), None);
    }

    #[test]
    fn items_move_whole_to_the_next_line() {
        let items = vec![
            vec![Span::raw("idp → tree")],
            vec![Span::raw("m=-0.90"), Span::raw(" inverted")],
            vec![Span::raw("accuracy 100%")],
        ];
        let lines = flow(items, 20);
        assert_eq!(
            text(&lines),
            ["idp → tree", "m=-0.90 inverted", "accuracy 100%"]
        );
        let wide = flow(vec![vec![Span::raw("a")], vec![Span::raw("b")]], 20);
        assert_eq!(text(&wide), ["a  b"]);
    }
}
