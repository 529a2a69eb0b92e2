//! The status line, the key-hint footer, the pattern-error line, the help and errors overlays
//! and the too-small notice.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::app::App;
use super::keys::{HELP, VIEWER_HELP};
use super::layout::Mode;
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
    let names = |short: bool| {
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
    let sigma = format!("{:.1}", app.noise_std);
    items.push(Item::new(
        9,
        vec![k("σ "), v(sigma.clone())],
        vec![k("σ"), v(sigma)],
    ));
    if let Some(s) = &app.snapshot {
        let dt = format!("{}", s.status.dt_secs);
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
        let fps = format!("{:.0}", app.fps);
        let steps = format!("{:.0}", st.steps_per_sec);
        let t = format!("{:.1}s", s.time_secs);
        items.extend([
            Item::new(
                4,
                vec![k("seed "), v(seed.clone())],
                vec![k("seed"), v(seed)],
            ),
            Item::same(2, vec![v(format!("{}×{}", st.n, st.p))]),
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
            (
                format!("you control the run{join} · {} watching", a.watching),
                format!("you control{join} · {} watching", a.watching),
            )
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
    let viewer = app.audience.as_ref().is_some_and(|a| !a.controls);
    let hints: &[(&str, &str)] = if viewer {
        &[
            ("?", "help"),
            ("space", "pause this screen"),
            ("c", "compare shown"),
            ("↑/↓", "memories"),
            ("q", "leave"),
        ]
    } else if area.width >= 120 {
        &[
            ("?", "help"),
            ("space", "pause"),
            ("+/-", "noise"),
            ("[/]", "speed"),
            ("m", "model"),
            ("f", "filter"),
            ("c", "compare"),
            ("g", "glitch"),
            ("n", "next"),
            ("r", "reset"),
            ("s", "scenario"),
            ("q", "quit"),
        ]
    } else if area.width >= 100 {
        &[
            ("?", "help"),
            ("space", "pause"),
            ("+/-", "noise"),
            ("g", "glitch"),
            ("c", "compare"),
            ("q", "quit"),
        ]
    } else {
        // Room for what the layout leaves out; the help lists every key.
        &[
            ("?", "help"),
            ("space", "pause"),
            ("g", "glitch"),
            ("c", "compare"),
            ("q", "quit"),
        ]
    };
    let mut spans = vec![Span::raw(" ")];
    for (key, what) in hints {
        spans.push(Span::styled(*key, theme.value()));
        spans.push(Span::styled(format!(" {what}  "), theme.dim()));
    }
    if let Some(note) = mode.elsewhere() {
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
        lines.push(Line::styled(" every pattern file is valid", theme.dim()));
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
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " The set in use keeps each bad file's last good version; saving a fix clears it.",
        theme.dim(),
    ));
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = centered(area, width, height);
    Clear.render(popup, buf);
    let title = format!(
        " pattern files: {} error(s)  (e or Esc closes) ",
        errors.len()
    );
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

/// Every key, from the key map's help table, in a box over the dashboard.
pub fn render_help(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let width = 66.min(area.width);
    let viewer = app.audience.as_ref().filter(|a| !a.controls);
    let help = if viewer.is_some() { VIEWER_HELP } else { HELP };
    let height = (help.len() as u16 + 8 + u16::from(viewer.is_some())).min(area.height);
    let popup = centered(area, width, height);
    Clear.render(popup, buf);
    let mut lines: Vec<Line> = Vec::new();
    if let Some(a) = viewer {
        lines.push(Line::styled(
            format!(" View only: the run is controlled by {}.", a.controller),
            theme.warning(),
        ));
    }
    lines.extend(help.iter().map(|(keys, what)| {
        Line::from(vec![
            Span::styled(format!(" {keys:<16}"), theme.value()),
            Span::raw(*what),
        ])
    }));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " State images show Ψ(x) averaged over 0.3 s of model time.",
        theme.dim(),
    ));
    lines.push(Line::styled(
        " IDP: the input sets the synapses W(u); the state rolls into the memory the input is most about.",
        theme.dim(),
    ));
    lines.push(Line::styled(
        " \"−tree\": the state is tree's negative −ξ; ψ is odd, so −x is an equilibrium too: a \
         mirror counts (|m|).",
        theme.dim(),
    ));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::bordered()
                .title(Span::styled(" keys  (? or Esc closes) ", theme.title()))
                .border_style(theme.value()),
        )
        .render(popup, buf);
}

/// Shown instead of the dashboard when the terminal is below the minimum size.
pub fn render_too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let text = vec![
        Line::styled("terminal too small", app.theme.warning()),
        Line::raw(format!(
            "recall needs {MIN_WIDTH}×{MIN_HEIGHT}, this is {}×{}",
            area.width, area.height
        )),
        Line::raw("(still running: enlarge, or q to quit)"),
    ];
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
