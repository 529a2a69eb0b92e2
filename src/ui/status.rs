//! The status line, the key-hint footer, the help overlay and the too-small notice.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::app::App;
use super::keys::HELP;
use super::panels::{sanitize, short_model};
use crate::model::ModelKind;

/// The smallest terminal the dashboard draws in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// model, scenario, σ, dt, speed, seed, N×P, fps, steps/s, model time, and PAUSED; below
/// 120 columns in a terse form that fits 80.
pub fn render_status(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let wide = area.width >= 120;
    let sep = || Span::styled(if wide { " │ " } else { " " }, theme.dim());
    let v = |s: String| Span::styled(s, theme.value());
    let k = |s: &'static str| Span::styled(s, theme.dim());
    let mut spans = if wide {
        vec![Span::styled(" recall", theme.title()), sep()]
    } else {
        vec![Span::raw(" ")]
    };
    let models: Vec<String> = app
        .models()
        .iter()
        .map(|m| {
            if wide {
                m.name().to_string()
            } else {
                short_model(m.name())
            }
        })
        .collect();
    spans.push(v(models.join(" vs ")));
    if let Some(s) = &app.snapshot
        && app.models().contains(&ModelKind::IdpFilter)
    {
        spans.extend([
            k(if wide { " τα " } else { " τα" }),
            v(format!("{}s", s.status.tau_alpha_secs)),
        ]);
    }
    spans.push(sep());
    spans.push(v(app.scenario.name().to_string()));
    spans.push(sep());
    spans.push(k(if wide { "σ " } else { "σ" }));
    spans.push(v(format!("{:.1}", app.noise_std)));
    if let Some(s) = &app.snapshot {
        spans.extend([
            sep(),
            k(if wide { "dt " } else { "dt" }),
            v(format!("{}", s.status.dt_secs)),
        ]);
    }
    spans.extend([sep(), k("×"), v(format!("{}", app.speed))]);
    if let Some(s) = &app.snapshot {
        let st = &s.status;
        spans.extend([
            sep(),
            k(if wide { "seed " } else { "seed" }),
            v(st.seed.to_string()),
            sep(),
            v(format!("{}×{}", st.n, st.p)),
            sep(),
            v(format!("{:.0}", app.fps)),
            k(if wide { " fps" } else { "fps" }),
            sep(),
            v(format!("{:.0}", st.steps_per_sec)),
            k(if wide { " steps/s" } else { "st/s" }),
            sep(),
            k(if wide { "t " } else { "t" }),
            v(format!("{:.1}s", s.time_secs)),
        ]);
        if let Some(reached) = st.speed_reached {
            let text = format!("reached ×{}", crate::ui::status::short_speed(reached));
            spans.extend([Span::raw(" "), Span::styled(text, theme.warning())]);
        }
        if let Some(problem) = &st.pattern_problem {
            spans.extend([
                sep(),
                Span::styled(format!("patterns: {}", sanitize(problem)), theme.warning()),
            ]);
        }
    }
    if app.paused {
        spans.extend([Span::raw(" "), Span::styled(" PAUSED ", theme.paused())]);
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// The keys that matter most, on one line.
pub fn render_footer(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let hints: &[(&str, &str)] = if area.width >= 120 {
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
    } else {
        &[
            ("?", "help"),
            ("space", "pause"),
            ("+/-", "noise"),
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
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// Every key, from the key map's help table, in a box over the dashboard.
pub fn render_help(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let width = 66.min(area.width);
    let height = (HELP.len() as u16 + 6).min(area.height);
    let [row] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(row);
    Clear.render(popup, buf);
    let mut lines: Vec<Line> = HELP
        .iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!(" {keys:<16}"), theme.value()),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " State images show Ψ(x) averaged over 0.3 s of model time.",
        theme.dim(),
    ));
    lines.push(Line::styled(
        " IDP: the input sets the synapses W(u); the state rolls into the memory the input is most about.",
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
