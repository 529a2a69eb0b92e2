//! The event log, and the small text helpers the views share.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::model::ModelKind;
use crate::pipeline::{LogEntry, Source};

use super::app::App;
use super::theme::Theme;

/// The newest log lines that fit, oldest at the top, in model time. A line too long for the
/// panel wraps under its text (never cut), and only whole entries are shown.
pub fn render_log(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let block = Block::bordered()
        .title(Span::styled("events (model time)", theme.title()))
        .border_style(theme.border());
    let inner = block.inner(area);
    block.render(area, buf);
    if app.log.is_empty() {
        Paragraph::new(Line::styled("waiting for the first event…", theme.dim()))
            .render(inner, buf);
        return;
    }
    // Alone, the running model's lines go unnamed; every other model's are named (lines from
    // before the comparison ended, or from a lesson's chapter with other models).
    let unnamed = (!app.comparing).then_some(app.model);
    let lines = log_lines(
        app.log.iter(),
        unnamed,
        usize::from(inner.width),
        usize::from(inner.height),
        theme,
    );
    Paragraph::new(lines).render(inner, buf);
}

/// The screen lines of the newest `entries` that fit `width`×`rows`, oldest first; a model's
/// lines name it, but those of `unnamed` (the one model running, when it runs alone).
pub fn log_lines<'a>(
    entries: impl DoubleEndedIterator<Item = &'a LogEntry>,
    unnamed: Option<ModelKind>,
    width: usize,
    rows: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let entries: Vec<&LogEntry> = entries.rev().collect();
    // One width for the time column, so that the texts line up.
    let time_w = entries
        .iter()
        .take(rows)
        .map(|e| format!("{:.1}s", e.time_secs).chars().count())
        .max()
        .unwrap_or(4);
    let mut blocks: Vec<Vec<Line<'static>>> = Vec::new();
    let mut used = 0;
    for e in entries {
        let block = log_entry(e, unnamed, time_w, width, theme);
        if used + block.len() > rows {
            break;
        }
        used += block.len();
        blocks.push(block);
    }
    blocks.into_iter().rev().flatten().collect()
}

/// One entry as screen lines of at most `width` characters.
fn log_entry(
    e: &LogEntry,
    unnamed: Option<ModelKind>,
    time_w: usize,
    width: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let source = match e.source {
        Source::Model(kind) if unnamed == Some(kind) => String::new(),
        Source::Model(kind) => format!("{:<8} ", short_model(kind.name())),
        Source::Stream => "stream ".into(),
        Source::Patterns => "patterns ".into(),
        Source::User => match &e.who {
            Some(who) => format!("{who} "),
            None => "you ".into(),
        },
        Source::Server => "serve ".into(),
    };
    let time = format!("{:>time_w$} ", format!("{:.1}s", e.time_secs));
    let indent = time.chars().count() + source.chars().count();
    // Below a useful width the text goes under the time instead of beside it.
    let (first_w, indent) = if width >= indent + 12 {
        (width - indent, indent)
    } else {
        (
            width.saturating_sub(indent).max(1),
            2.min(width.saturating_sub(1)),
        )
    };
    let rest_w = width.saturating_sub(indent).max(1);
    let pieces = wrap(&sanitize(&e.text), first_w, rest_w);
    let style = theme.log(e.kind);
    pieces
        .into_iter()
        .enumerate()
        .map(|(k, piece)| {
            if k == 0 {
                Line::from(vec![
                    Span::styled(time.clone(), theme.dim()),
                    Span::styled(source.clone(), theme.dim()),
                    Span::styled(piece, style),
                ])
            } else {
                Line::from(vec![
                    Span::raw(" ".repeat(indent)),
                    Span::styled(piece, style),
                ])
            }
        })
        .collect()
}

/// `text` in lines of at most `first` characters, then `rest`: broken at spaces (never between
/// a number and its unit of seconds, "0.6 s"), and inside a word only when the word alone is
/// too long.
pub(crate) fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let limit = |lines: &Vec<String>| if lines.is_empty() { first } else { rest }.max(1);
    let mut words: Vec<String> = Vec::new();
    for word in text.split(' ') {
        let unit = word
            .strip_prefix('s')
            .is_some_and(|r| r.chars().all(|c| ",.;:)".contains(c)));
        match words.last_mut() {
            Some(number) if unit && number.ends_with(|c: char| c.is_ascii_digit()) => {
                number.push(' ');
                number.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
    }
    for word in &words {
        let len = line.chars().count();
        let word_len = word.chars().count();
        let sep = usize::from(len > 0);
        if len + sep + word_len <= limit(&lines) {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if len > 0 {
            lines.push(std::mem::take(&mut line));
        }
        let mut chars: Vec<char> = word.chars().collect();
        while chars.len() > limit(&lines) {
            let cut = limit(&lines);
            lines.push(chars.drain(..cut).collect());
        }
        line = chars.into_iter().collect();
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A model name in at most eight characters.
pub(crate) fn short_model(name: &str) -> String {
    match name {
        "classic-pulsed" => "pulsed".into(),
        "classic-constant" => "constant".into(),
        "classic-initial" => "initial".into(),
        // Cut with a mark, so that it reads as a cut ("idp-mod…", not "idp-mode": a model of
        // its own to a newcomer).
        other if other.chars().count() > 8 => {
            other.chars().take(7).chain(std::iter::once('…')).collect()
        }
        other => other.into(),
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
    fn wrapping_keeps_every_character_and_the_widths() {
        let text = "retrieved tree after 2.5 s";
        let lines = wrap(text, 12, 8);
        assert_eq!(lines, ["retrieved", "tree", "after", "2.5 s"]);
        let path = "/tmp/a-very-long-directory/tee.txt:3:30: unknown character 'x'";
        let lines = wrap(path, 20, 10);
        assert!(lines[0].chars().count() <= 20);
        assert!(
            lines[1..].iter().all(|l| l.chars().count() <= 10),
            "{lines:?}"
        );
        assert_eq!(lines.concat().replace(' ', ""), path.replace(' ', ""));
        assert_eq!(wrap("", 5, 5), [""]);
        // A number keeps its unit ("retrieved house after 0.6 ⏎ s" on the dashboard).
        let lines = wrap("34.0s retrieved house after 0.6 s", 30, 30);
        assert_eq!(lines, ["34.0s retrieved house after", "0.6 s"]);
        assert_eq!(
            wrap("glitch to dog at 32.0 s: corrected", 24, 24),
            ["glitch to dog at 32.0 s:", "corrected"]
        );
        // "s" after a word is a word of its own.
        assert_eq!(wrap("cat s", 3, 3), ["cat", "s"]);
    }
}
