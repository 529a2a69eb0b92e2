//! The status line, the key-hint footer, the pattern-error line, the help and errors overlays
//! and the too-small notice.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::app::App;
use super::app::PatternSource;
use super::keys::{GLOSSARY, HELP, HELP_NOTES, HintMode, SUSPEND, VIEWER_HELP, hints};
use super::layout::{MEDIUM_WIDTH, Mode};
use super::paint::StorePrompt;
use super::panels::{sanitize, short_model, wrap};
use super::theme::Theme;
use crate::model::ModelKind;

/// The smallest terminal the dashboard draws in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// One item of the status line: its text wide and terse, and how much it matters (the least
/// important items go first when the line is too long).
struct Item {
    wide: Vec<Span<'static>>,
    terse: Vec<Span<'static>>,
    priority: u8,
}

impl Item {
    fn new(priority: u8, wide: Vec<Span<'static>>, terse: Vec<Span<'static>>) -> Self {
        Self {
            wide,
            terse,
            priority,
        }
    }

    fn same(priority: u8, spans: Vec<Span<'static>>) -> Self {
        Self::new(priority, spans.clone(), spans)
    }
}

fn width_of(spans: &[Span]) -> usize {
    spans.iter().map(|s| s.content.chars().count()).sum()
}

/// model, scenario, σ, dt, speed, seed, N×P, fps, steps/s, model time, bad pattern files and
/// PAUSED. Wide with separators from 120 columns when it fits, else terse; the least important
/// items are left out rather than cut at the edge.
pub fn render_status(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let v = |s: String| Span::styled(s, theme.value());
    let k = |s: &'static str| Span::styled(s, theme.dim());
    let models = app.models();
    // The density view runs its two-neuron network (IDP or idp-modern), not the dashboard's.
    let density_model = app
        .density_view()
        .filter(|_| app.scenario == crate::stimulus::ScenarioName::Density)
        .map(|d| d.settings.model.name());
    let names = |short: bool| {
        if let Some(name) = density_model {
            return vec![name.to_string()];
        }
        models
            .iter()
            .map(|m| {
                if short {
                    short_model(m.name())
                } else {
                    m.name().to_string()
                }
            })
            .collect::<Vec<_>>()
    };
    let mut items = vec![Item::new(
        10,
        vec![v(names(models.len() > 2).join(" vs "))],
        vec![v(names(true).join(" vs "))],
    )];
    if let Some(s) = &app.snapshot
        && models.contains(&ModelKind::IdpFilter)
    {
        let tau = format!("{}s", s.status.tau_alpha_secs);
        items.push(Item::new(
            5,
            vec![k("τα "), v(tau.clone())],
            vec![k("τα"), v(tau)],
        ));
    }
    match &app.drawing {
        Some(_) => items.push(Item::same(
            10,
            vec![Span::styled("input: drawing", theme.warning())],
        )),
        None => items.push(Item::same(8, vec![v(app.scenario.name().to_string())])),
    }
    // The density view's σ, dt, size and time are its particles'.
    let density = app.density_view();
    let sigma = match density {
        Some(_) if app.scenario == crate::stimulus::ScenarioName::Density => {
            sigma_text(app.density.sigma)
        }
        _ => sigma_text(app.noise_std),
    };
    items.push(Item::new(
        9,
        vec![k("σ "), v(sigma.clone())],
        vec![k("σ"), v(sigma)],
    ));
    if let Some(s) = &app.snapshot {
        let dt = format!("{}", density.map_or(s.status.dt_secs, |d| d.dt_secs));
        items.push(Item::new(
            3,
            vec![k("dt "), v(dt.clone())],
            vec![k("dt"), v(dt)],
        ));
    }
    items.push(Item::same(7, vec![k("×"), v(format!("{}", app.speed))]));
    if let Some(s) = &app.snapshot {
        let st = &s.status;
        let seed = st.seed.to_string();
        // Not measured yet: the frames drawn in the first second, and the steps in the half
        // second after a start, a pause or a change of speed.
        let fps = if app.fps.is_finite() {
            format!("{:.0}", app.fps)
        } else {
            "…".to_string()
        };
        let steps = if st.steps_per_sec.is_finite() {
            format!("{:.0}", st.steps_per_sec)
        } else {
            "…".to_string()
        };
        let t = format!("{:.1}s", density.map_or(s.time_secs, |d| d.time_secs));
        let (n, p) = density.map_or((st.n, st.p), |_| (2, 2));
        items.extend([
            Item::new(
                4,
                vec![k("seed "), v(seed.clone())],
                vec![k("seed"), v(seed)],
            ),
            Item::same(2, vec![v(format!("{n}×{p}"))]),
            Item::new(1, vec![v(fps.clone()), k(" fps")], vec![v(fps), k("fps")]),
            Item::new(
                2,
                vec![v(steps.clone()), k(" steps/s")],
                vec![v(steps), k("st/s")],
            ),
            Item::new(9, vec![k("t "), v(t.clone())], vec![k("t"), v(t)]),
        ]);
        if let Some(reached) = st.speed_reached {
            items.push(Item::same(
                10,
                vec![Span::styled(
                    format!("reached ×{}", short_speed(reached)),
                    theme.warning(),
                )],
            ));
        }
        let bad = st.pattern_errors.len();
        if bad > 0 {
            let files = if bad == 1 { "file" } else { "files" };
            items.push(Item::new(
                10,
                vec![Span::styled(
                    format!("{bad} bad pattern {files} (e)"),
                    theme.warning(),
                )],
                vec![Span::styled(format!("{bad} bad (e)"), theme.warning())],
            ));
        }
    }
    if app.paused {
        items.push(Item::same(
            10,
            vec![Span::styled(" PAUSED ", theme.paused())],
        ));
    }
    if let Some(a) = &app.audience {
        if a.frozen {
            items.push(Item::new(
                10,
                vec![Span::styled(" THIS SCREEN PAUSED ", theme.paused())],
                vec![Span::styled(" SCREEN PAUSED ", theme.paused())],
            ));
        }
        let (wide, terse) = if a.controls {
            let join = a
                .join
                .as_deref()
                .map(|j| format!(" · {j}"))
                .unwrap_or_default();
            // Others' keys change the run too: say whose (this screen's own name among them).
            if a.shared {
                (
                    format!(
                        "you share control: {}{join} · {} watching",
                        a.controller, a.watching
                    ),
                    format!("shared control{join} · {} watching", a.watching),
                )
            } else {
                (
                    format!("you control the run{join} · {} watching", a.watching),
                    format!("you control{join} · {} watching", a.watching),
                )
            }
        } else {
            (
                format!("view only · run controlled by {}", a.controller),
                format!("view only · {}", a.controller),
            )
        };
        let style = if a.controls {
            theme.value()
        } else {
            theme.warning()
        };
        items.push(Item::new(
            10,
            vec![Span::styled(wide, style)],
            vec![Span::styled(terse, style)],
        ));
    }
    let width = usize::from(area.width);
    let line = |wide: bool, keep: &dyn Fn(&Item) -> bool| {
        let mut spans = if wide {
            vec![Span::styled(" recall", theme.title())]
        } else {
            vec![Span::raw(" ")]
        };
        for (n, item) in items.iter().filter(|i| keep(i)).enumerate() {
            if wide || n > 0 {
                spans.push(Span::styled(if wide { " │ " } else { " " }, theme.dim()));
            }
            spans.extend(if wide {
                item.wide.clone()
            } else {
                item.terse.clone()
            });
        }
        spans
    };
    let mut spans = line(true, &|_| true);
    if area.width < 120 || width_of(&spans) > width {
        spans = line(false, &|_| true);
    }
    // Leave out the least important items until the line fits.
    let mut floor = 0;
    while width_of(&spans) > width && floor < 10 {
        floor += 1;
        spans = line(false, &|i: &Item| i.priority > floor);
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// The keys that matter most, on one line, and what the layout leaves out (and from which size
/// it is shown) at the right when it fits.
pub fn render_footer(app: &App, mode: Mode, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    if let Some(prompt) = &app.prompt {
        render_prompt(prompt, theme, area, buf);
        return;
    }
    // A viewer's ↑/↓ scrolls the memory table, which a compact layout has not: there its
    // narrow key line, whatever the width.
    let hint_mode = app.hint_mode();
    let hint_width = if hint_mode == HintMode::Viewer && mode == Mode::Compact {
        area.width.min(MEDIUM_WIDTH - 1)
    } else {
        area.width
    };
    let hints = hints(hint_mode, hint_width);
    let mut spans = vec![Span::raw(" ")];
    // Space says what it would do now: resume a paused run (or a viewer's paused screen).
    let frozen = app.audience.as_ref().is_some_and(|a| a.frozen);
    for (key, what) in hints {
        let what = match *what {
            "pause" if app.paused => "resume",
            "pause this screen" if frozen => "resume this screen",
            "pause screen" if frozen => "resume screen",
            what => what,
        };
        spans.push(Span::styled(*key, theme.value()));
        spans.push(Span::styled(format!(" {what}  "), theme.dim()));
    }
    if let Some(note) = mode.elsewhere().filter(|_| app.density_view().is_none()) {
        let used = width_of(&spans);
        let note_w = note.chars().count() + 1;
        if used + note_w <= usize::from(area.width) {
            let pad = usize::from(area.width) - used - note_w;
            spans.push(Span::raw(" ".repeat(pad)));
            spans.push(Span::styled(note, theme.dim()));
        }
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// The name prompt of `w` in the footer's row: the name typed so far with a cursor, and what
/// Enter and Esc do (or why the name was refused, or that a file would be replaced).
fn render_prompt(prompt: &StorePrompt, theme: Theme, area: Rect, buf: &mut Buffer) {
    let mut spans = vec![
        Span::styled(" name of the new memory: ", theme.title()),
        Span::styled(sanitize(&prompt.text), theme.value()),
        Span::styled("█", theme.value()),
        Span::raw("  "),
    ];
    match &prompt.refused {
        Some(reason) => spans.push(Span::styled(sanitize(reason), theme.warning())),
        None => spans.push(Span::styled(
            "Enter stores · Esc cancels · Ctrl-U clears",
            theme.dim(),
        )),
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// σ as the status line shows it: one decimal at least, up to three where it has them (the
/// lesson's σ 0.05 read "σ 0.1").
fn sigma_text(sigma: f64) -> String {
    let text = format!("{sigma:.3}");
    let trimmed = text.trim_end_matches('0');
    if trimmed.ends_with('.') {
        format!("{trimmed}0")
    } else {
        trimmed.to_string()
    }
}

/// The pattern-file error the error line shows: the newest one the log reported while it is
/// still current, else the first current one.
fn shown_error(app: &App) -> Option<&str> {
    let errors = &app.snapshot.as_ref()?.status.pattern_errors;
    app.newest_pattern_error
        .as_deref()
        .filter(|e| errors.iter().any(|x| x == e))
        .or_else(|| errors.first().map(String::as_str))
}

/// The text of the error line.
fn error_text(app: &App) -> Option<String> {
    let error = sanitize(shown_error(app)?);
    let count = app
        .snapshot
        .as_ref()
        .map_or(0, |s| s.status.pattern_errors.len());
    let more = if count > 1 {
        format!("  (e: all {count})")
    } else {
        "  (e: in a box)".to_string()
    };
    Some(format!("patterns: {error}{more}"))
}

/// Rows the error line takes at `width`: none without a bad pattern file, else its wrapped
/// text (at most four rows).
pub fn error_bar_height(app: &App, width: u16) -> u16 {
    error_text(app).map_or(0, |text| {
        let w = usize::from(width.saturating_sub(1)).max(1);
        (wrap(&text, w, w).len() as u16).min(4)
    })
}

/// The newest pattern-file error in full, above the footer, wrapped.
pub fn render_error_bar(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let Some(text) = error_text(app) else {
        return;
    };
    let w = usize::from(area.width.saturating_sub(1)).max(1);
    let lines: Vec<Line> = wrap(&text, w, w)
        .into_iter()
        .map(|l| Line::styled(format!(" {l}"), app.theme.warning()))
        .collect();
    Paragraph::new(lines).render(area, buf);
}

/// Every current pattern-file error in full (file:line:col: what), in a box over the dashboard.
pub fn render_errors(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let errors: &[String] = app
        .snapshot
        .as_ref()
        .map_or(&[], |s| &s.status.pattern_errors);
    let width = area.width.saturating_sub(4).clamp(10, 110);
    let text_w = usize::from(width.saturating_sub(4)).max(1);
    let mut lines: Vec<Line> = Vec::new();
    if errors.is_empty() {
        let none = match &app.pattern_source {
            PatternSource::BuiltIn => {
                " no pattern directory: the built-in set is in use. Start with --patterns DIR to \
                 load your own pattern files and watch them for edits."
                    .to_string()
            }
            PatternSource::Directory(dir) => {
                format!(" every pattern file in {} is valid", sanitize(dir))
            }
            PatternSource::Unknown => " no pattern-file error".to_string(),
        };
        lines.push(Line::styled(none, theme.dim()));
    }
    for error in errors {
        for (k, piece) in wrap(&sanitize(error), text_w, text_w.saturating_sub(2))
            .into_iter()
            .enumerate()
        {
            let indent = if k == 0 { " " } else { "   " };
            lines.push(Line::styled(format!("{indent}{piece}"), theme.warning()));
        }
    }
    if !errors.is_empty() || app.pattern_source != PatternSource::BuiltIn {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            " The set in use keeps each bad file's last good version; saving a fix clears it.",
            theme.dim(),
        ));
    }
    // Wrapped lines count for the height.
    let rows: usize = lines
        .iter()
        .map(|l| {
            l.width()
                .div_ceil(usize::from(width.saturating_sub(2)).max(1))
                .max(1)
        })
        .sum();
    let height = (rows as u16 + 2).min(area.height);
    let popup = centered(area, width, height);
    Clear.render(popup, buf);
    let title = if app.pattern_source == PatternSource::BuiltIn {
        " pattern files: none  (e or Esc closes) ".to_string()
    } else {
        format!(
            " pattern files: {} error(s)  (e or Esc closes) ",
            errors.len()
        )
    };
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::bordered()
                .title(Span::styled(title, theme.title()))
                .border_style(theme.value()),
        )
        .render(popup, buf);
}

/// A box of `width` × `height` in the middle of `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(row);
    popup
}

/// Lines of a two-column table (`left` padded to `left_w`, then `right`) wrapped to `width`:
/// a wrapped line keeps the indent of its column.
fn table_lines(
    rows: &[(&str, &str)],
    left_w: usize,
    width: usize,
    left_style: ratatui::style::Style,
    right_style: ratatui::style::Style,
) -> Vec<Line<'static>> {
    let text_w = width.saturating_sub(left_w + 1).max(8);
    let mut lines = Vec::new();
    for (left, right) in rows {
        // A label as wide as its column has a line of its own (else it runs into its text).
        let own_line = left.chars().count() >= left_w;
        if own_line {
            lines.push(Line::styled(format!(" {left}"), left_style));
        }
        for (k, piece) in wrap(right, text_w, text_w).into_iter().enumerate() {
            let key = if k == 0 && !own_line { *left } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!(" {key:<left_w$}"), left_style),
                Span::styled(piece, right_style),
            ]));
        }
    }
    lines
}

/// A paragraph wrapped to `width` with a one-space indent on every line.
fn note_lines(text: &str, width: usize, style: ratatui::style::Style) -> Vec<Line<'static>> {
    let w = width.saturating_sub(2).max(8);
    wrap(text, w, w)
        .into_iter()
        .map(|piece| Line::styled(format!(" {piece}"), style))
        .collect()
}

/// The widths of the keys' and the glossary's columns inside a help box `width` wide (one
/// column: both the whole width; two: the keys as wide as their longest line, one apart).
fn help_widths(width: usize, two: bool) -> (usize, usize) {
    if two {
        let keys = 66.min(width / 2);
        (keys, width.saturating_sub(keys + 1))
    } else {
        (width, width)
    }
}

/// The help overlay's content at `width` (inside the box): the keys, then "reading the
/// screen" (every mark on the screen in a line) and the notes; in two columns when `two`.
fn help_columns(app: &App, width: usize, two: bool) -> Vec<Vec<Line<'static>>> {
    let theme = app.theme;
    let viewer = app.audience.as_ref().filter(|a| !a.controls);
    let help = if viewer.is_some() { VIEWER_HELP } else { HELP };
    // A served screen does not suspend (every screen would freeze): Ctrl-Z is not offered.
    let help: Vec<(&str, &str)> = help
        .iter()
        .copied()
        .filter(|&line| app.audience.is_none() || line != SUSPEND)
        .collect();
    let (keys_w, glossary_w) = help_widths(width, two);
    let mut keys: Vec<Line<'static>> = Vec::new();
    if let Some(a) = viewer {
        keys.extend(note_lines(
            &format!("View only: the run is controlled by {}.", a.controller),
            keys_w,
            theme.warning(),
        ));
    }
    keys.push(Line::styled(" keys", theme.title()));
    keys.extend(table_lines(&help, 16, keys_w, theme.value(), Style::new()));
    keys.push(Line::raw(""));
    let mut glossary = vec![Line::styled(" reading the screen", theme.title())];
    // With --ascii, "±" spelled out ("at ±ξ" read "at +x").
    let spelled: Vec<(String, String)> = GLOSSARY
        .iter()
        .map(|(mark, meaning)| (theme.spell(mark), theme.spell(meaning)))
        .collect();
    let rows: Vec<(&str, &str)> = spelled
        .iter()
        .map(|(mark, meaning)| (mark.as_str(), meaning.as_str()))
        .collect();
    glossary.extend(table_lines(
        &rows,
        17,
        glossary_w,
        theme.value(),
        Style::new(),
    ));
    for note in HELP_NOTES {
        glossary.push(Line::raw(""));
        glossary.extend(note_lines(&theme.spell(note), glossary_w, theme.dim()));
    }
    if two {
        vec![keys, glossary]
    } else {
        keys.extend(glossary);
        vec![keys]
    }
}

/// Every key (from the key map's help table) and every mark on the screen, in a box over the
/// dashboard: two columns where the terminal is wide, else one that scrolls with ↑ ↓ and says
/// what is below when it does not fit.
pub fn render_help(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let two = area.width >= 150;
    let width = if two {
        area.width.min(160)
    } else {
        78.min(area.width)
    };
    let inner_w = usize::from(width.saturating_sub(2));
    let columns = help_columns(app, inner_w, two);
    let total = columns.iter().map(Vec::len).max().unwrap_or(0);
    let height = (total as u16 + 2).min(area.height);
    let rows = usize::from(height.saturating_sub(2));
    // When it does not fit, the last row says what is below (and the first what is above).
    let fits = total <= rows;
    let page = if fits { rows } else { rows.saturating_sub(1) };
    let max_offset = total.saturating_sub(page);
    app.help_max_offset.set(max_offset);
    let offset = app.help_offset.min(max_offset);
    let popup = centered(area, width, height);
    Clear.render(popup, buf);
    let block = Block::bordered()
        .title(Span::styled(
            " keys and marks  (? or Esc closes) ",
            theme.title(),
        ))
        .border_style(theme.value());
    let inner = block.inner(popup);
    block.render(popup, buf);
    let (keys_w, glossary_w) = help_widths(usize::from(inner.width), two);
    let mut x = inner.x;
    for (column, w) in columns.iter().zip([keys_w, glossary_w]) {
        let shown: Vec<Line> = column.iter().skip(offset).take(page).cloned().collect();
        Paragraph::new(shown).render(Rect::new(x, inner.y, w as u16, page as u16), buf);
        x += w as u16 + 1;
    }
    if !fits && inner.height > 0 {
        let below = total - offset - page.min(total - offset);
        let (up, down) = if theme.ascii {
            ("^", "v")
        } else {
            ("↑", "↓")
        };
        let text = if below > 0 {
            let what = if offset == 0 && !two {
                "reading the screen (every mark) and more"
            } else {
                "more"
            };
            format!(" {down} {below} lines below: {what}  ({up}{down} scroll)")
        } else {
            format!(" {up} {offset} lines above  ({up}{down} scroll)")
        };
        Paragraph::new(Line::styled(text, theme.warning()))
            .render(Rect::new(inner.x, inner.bottom() - 1, inner.width, 1), buf);
    }
}

/// Shown instead of the dashboard when the terminal is below the minimum size.
pub fn render_too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let (w, h) = (area.width, area.height);
    // The long form where it fits on three rows; else one short line a row (at 30×8 the long
    // form wrapped to five rows and lost its last two).
    let text = if w >= 40 {
        vec![
            Line::styled("terminal too small", app.theme.warning()),
            Line::raw(format!(
                "recall needs {MIN_WIDTH}×{MIN_HEIGHT}, this is {w}×{h}"
            )),
            Line::raw("(still running: enlarge, or q to quit)"),
        ]
    } else {
        vec![
            Line::styled("too small", app.theme.warning()),
            Line::raw(format!("needs {MIN_WIDTH}×{MIN_HEIGHT}")),
            Line::raw(format!("this is {w}×{h}")),
            Line::raw("enlarge, or q"),
        ]
    };
    let height = (text.len() as u16).min(area.height);
    let [row] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    Paragraph::new(text)
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true })
        .render(row, buf);
}

/// A speed with two significant figures ("0.21", "3.4", "120").
pub fn short_speed(x: f64) -> String {
    if x >= 100.0 || x <= 0.0 {
        format!("{x:.0}")
    } else {
        let digits = (1 - x.log10().floor() as i32).max(0) as usize;
        format!("{x:.digits$}")
    }
}

#[cfg(test)]
mod sigma_tests {
    use super::sigma_text;

    #[test]
    fn sigma_shows_its_digits_up_to_three_decimals() {
        assert_eq!(sigma_text(2.0), "2.0");
        assert_eq!(sigma_text(0.05), "0.05");
        assert_eq!(sigma_text(0.1), "0.1");
        assert_eq!(sigma_text(8.0), "8.0");
        assert_eq!(sigma_text(0.125), "0.125");
        assert_eq!(sigma_text(0.0), "0.0");
    }
}
