//! The saliency bars (with the existence threshold 1/g) and the event log.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::pipeline::{LogEntry, Snapshot, Source};

use super::app::App;
use super::theme::Theme;

/// One bar per memory: α_μ of the input (for the filtered model, the landscape weight α̃),
/// scaled so that the largest fits, with the existence threshold 1/g marked on every bar.
pub fn render_saliency(snap: &Snapshot, theme: Theme, area: Rect, buf: &mut Buffer) {
    let Some(view) = snap.models.first() else {
        return;
    };
    let threshold = view.theory.existence_threshold;
    let title = if area.width >= 34 {
        format!(
            "saliency α  ({} = 1/g = {threshold:.2})",
            theme.threshold_mark()
        )
    } else {
        format!("α ({} = 1/g)", theme.threshold_mark())
    };
    let block = Block::bordered()
        .title(Span::styled(title, theme.title()))
        .border_style(theme.border());
    let inner = block.inner(area);
    block.render(area, buf);
    let names = snap.memories.names();
    let name_w = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(3)
        .min(8);
    let value_w = 6;
    let bar_w = (inner.width as usize).saturating_sub(name_w + value_w + 2);
    if bar_w < 3 {
        return;
    }
    // The landscape the model uses: α̃ for the filter model, α otherwise.
    let alpha: &[f32] = if view.kind.is_idp() {
        &view.weights
    } else {
        &view.saliencies
    };
    let scale = alpha
        .iter()
        .fold(threshold as f32 * 2.0, |m, &a| m.max(a))
        .max(1e-6);
    let tick = ((threshold as f32 / scale) * bar_w as f32).round() as usize;
    let lines: Vec<Line> = names
        .iter()
        .enumerate()
        .take(inner.height as usize)
        .map(|(mu, name)| {
            let a = alpha.get(mu).copied().unwrap_or(0.0);
            let eighths = ((a.max(0.0) / scale) * (bar_w * 8) as f32).round() as usize;
            let mut bar: Vec<String> = bar_cells(&theme.bar(eighths.min(bar_w * 8)), bar_w);
            if tick < bar_w {
                bar[tick] = theme.threshold_mark().to_string();
            }
            let theory = view.theory.memories.get(mu);
            let style = theme.saliency(
                theory.is_some_and(|t| t.exists),
                theory.is_some_and(|t| t.stable),
            );
            let short: String = name.chars().take(name_w).collect();
            Line::from(vec![
                Span::styled(format!("{short:<name_w$} "), theme.memory(mu)),
                Span::styled(bar.concat(), style),
                Span::raw(format!(" {a:>5.2}")),
            ])
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
}

/// The bar's glyphs as exactly `width` cells (padded with spaces).
fn bar_cells(bar: &str, width: usize) -> Vec<String> {
    let mut cells: Vec<String> = bar.chars().map(String::from).take(width).collect();
    cells.resize(width, " ".to_string());
    cells
}

/// The newest log lines that fit, oldest at the top, in model time.
pub fn render_log(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let block = Block::bordered()
        .title(Span::styled("events (model time)", theme.title()))
        .border_style(theme.border());
    let inner = block.inner(area);
    block.render(area, buf);
    let show_model = app.comparing;
    let lines: Vec<Line> = app
        .log
        .iter()
        .rev()
        .take(inner.height as usize)
        .rev()
        .map(|e| log_line(e, show_model, theme))
        .collect();
    if lines.is_empty() {
        Paragraph::new(Line::styled("waiting for the first event…", theme.dim()))
            .render(inner, buf);
    } else {
        Paragraph::new(lines).render(inner, buf);
    }
}

fn log_line(e: &LogEntry, show_model: bool, theme: Theme) -> Line<'static> {
    let source = match e.source {
        Source::Model(kind) if show_model => format!("{:<8} ", short_model(kind.name())),
        Source::Model(_) => String::new(),
        Source::Stream => "stream   ".into(),
        Source::Patterns => "patterns ".into(),
        Source::User => "you      ".into(),
    };
    Line::from(vec![
        Span::styled(format!("{:>7.1}s ", e.time_secs), theme.dim()),
        Span::styled(source, theme.dim()),
        Span::styled(sanitize(&e.text), theme.log(e.kind)),
    ])
}

/// A model name in at most eight characters.
pub(crate) fn short_model(name: &str) -> String {
    match name {
        "classic-pulsed" => "pulsed".into(),
        "classic-constant" => "constant".into(),
        "classic-initial" => "initial".into(),
        other => other.chars().take(8).collect(),
    }
}

/// Control characters (from file names, say) shown escaped, never sent raw to the terminal.
pub(crate) fn sanitize(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_neutralised() {
        let s = sanitize("owl\u{1b}[2Jx\n");
        assert!(!s.chars().any(char::is_control), "{s:?}");
        assert!(s.contains("owl"));
    }

    #[test]
    fn bars_have_the_exact_width() {
        assert_eq!(bar_cells("███▌", 10).len(), 10);
        assert_eq!(bar_cells("████████████", 5).len(), 5);
    }
}
