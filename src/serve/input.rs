//! The bytes a viewer's terminal sends (keys, mouse reports) turned into the dashboard's
//! crossterm events. The escape sequences are parsed by `terminput` (crossterm's own parser,
//! over a byte buffer); this file only feeds it and converts its types.

use ratatui::crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MouseButton,
    MouseEvent, MouseEventKind,
};
use terminput as ti;

/// Longest escape sequence kept while waiting for its end (anything longer is noise).
const MAX_PENDING: usize = 64;

/// An incremental parser: bytes in, events out, a sequence split across two packets kept.
#[derive(Debug, Default)]
pub struct InputParser {
    pending: Vec<u8>,
}

impl InputParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// The events in `bytes` (with what an earlier call left unfinished before them).
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<TermEvent> {
        let mut events = Vec::new();
        for (i, &b) in bytes.iter().enumerate() {
            self.pending.push(b);
            let more = i + 1 < bytes.len();
            // A lone ESC with more bytes in the same packet starts a sequence; at the end of a
            // packet it is the Esc key.
            if self.pending == [0x1b] && more {
                continue;
            }
            match ti::Event::parse_from(&self.pending) {
                Ok(Some(event)) => {
                    self.pending.clear();
                    events.extend(convert(event));
                }
                Ok(None) if self.pending.len() < MAX_PENDING => {}
                _ => self.pending.clear(),
            }
        }
        events
    }
}

fn modifiers(m: ti::KeyModifiers) -> KeyModifiers {
    let mut out = KeyModifiers::NONE;
    for (from, to) in [
        (ti::KeyModifiers::SHIFT, KeyModifiers::SHIFT),
        (ti::KeyModifiers::ALT, KeyModifiers::ALT),
        (ti::KeyModifiers::CTRL, KeyModifiers::CONTROL),
        (ti::KeyModifiers::SUPER, KeyModifiers::SUPER),
        (ti::KeyModifiers::META, KeyModifiers::META),
    ] {
        if m.contains(from) {
            out |= to;
        }
    }
    out
}

fn key_code(code: ti::KeyCode) -> Option<KeyCode> {
    Some(match code {
        ti::KeyCode::Backspace => KeyCode::Backspace,
        ti::KeyCode::Enter => KeyCode::Enter,
        ti::KeyCode::Left => KeyCode::Left,
        ti::KeyCode::Right => KeyCode::Right,
        ti::KeyCode::Up => KeyCode::Up,
        ti::KeyCode::Down => KeyCode::Down,
        ti::KeyCode::Home => KeyCode::Home,
        ti::KeyCode::End => KeyCode::End,
        ti::KeyCode::PageUp => KeyCode::PageUp,
        ti::KeyCode::PageDown => KeyCode::PageDown,
        ti::KeyCode::Tab => KeyCode::Tab,
        ti::KeyCode::Delete => KeyCode::Delete,
        ti::KeyCode::Insert => KeyCode::Insert,
        ti::KeyCode::F(n) => KeyCode::F(n),
        ti::KeyCode::Char(c) => KeyCode::Char(c),
        ti::KeyCode::Esc => KeyCode::Esc,
        _ => return None,
    })
}

fn button(b: ti::MouseButton) -> Option<MouseButton> {
    match b {
        ti::MouseButton::Left => Some(MouseButton::Left),
        ti::MouseButton::Right => Some(MouseButton::Right),
        ti::MouseButton::Middle => Some(MouseButton::Middle),
        _ => None,
    }
}

/// The dashboard's event for a parsed one (only key presses and mouse buttons matter to it).
fn convert(event: ti::Event) -> Option<TermEvent> {
    match event {
        ti::Event::Key(k) => {
            let kind = match k.kind {
                ti::KeyEventKind::Press => KeyEventKind::Press,
                ti::KeyEventKind::Repeat => KeyEventKind::Repeat,
                ti::KeyEventKind::Release => KeyEventKind::Release,
            };
            Some(TermEvent::Key(KeyEvent {
                code: key_code(k.code)?,
                modifiers: modifiers(k.modifiers),
                kind,
                state: KeyEventState::NONE,
            }))
        }
        ti::Event::Mouse(m) => {
            let kind = match m.kind {
                ti::MouseEventKind::Down(b) => MouseEventKind::Down(button(b)?),
                ti::MouseEventKind::Up(b) => MouseEventKind::Up(button(b)?),
                ti::MouseEventKind::Drag(b) => MouseEventKind::Drag(button(b)?),
                ti::MouseEventKind::Moved => MouseEventKind::Moved,
                ti::MouseEventKind::Scroll(_) => return None,
            };
            Some(TermEvent::Mouse(MouseEvent {
                kind,
                column: m.column,
                row: m.row,
                modifiers: modifiers(m.modifiers),
            }))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(bytes: &[u8]) -> Vec<(KeyCode, KeyModifiers)> {
        InputParser::new()
            .feed(bytes)
            .into_iter()
            .filter_map(|e| match e {
                TermEvent::Key(k) => Some((k.code, k.modifiers)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn plain_keys_arrows_and_control() {
        assert_eq!(
            keys(b"+q\x1b[A\x03"),
            vec![
                (KeyCode::Char('+'), KeyModifiers::NONE),
                (KeyCode::Char('q'), KeyModifiers::NONE),
                (KeyCode::Up, KeyModifiers::NONE),
                (KeyCode::Char('c'), KeyModifiers::CONTROL),
            ]
        );
        assert_eq!(keys(b"\x1b"), vec![(KeyCode::Esc, KeyModifiers::NONE)]);
    }

    #[test]
    fn a_sequence_split_across_packets_is_one_key() {
        let mut p = InputParser::new();
        assert!(p.feed(b"\x1b[").is_empty());
        let events = p.feed(b"B");
        assert!(matches!(
            events.as_slice(),
            [TermEvent::Key(KeyEvent {
                code: KeyCode::Down,
                ..
            })]
        ));
    }

    #[test]
    fn mouse_reports_are_mouse_events() {
        // SGR report: left button down at column 10, row 5 (1-based on the wire).
        let events = InputParser::new().feed(b"\x1b[<0;10;5M");
        assert!(matches!(
            events.as_slice(),
            [TermEvent::Mouse(MouseEvent {
                kind: MouseEventKind::Down(MouseButton::Left),
                column: 9,
                row: 4,
                ..
            })]
        ));
    }

    #[test]
    fn garbage_is_dropped_not_kept() {
        let mut p = InputParser::new();
        let _ = p.feed(&[0x1b, b'[', 0xff, 0xfe]);
        assert_eq!(keys(b"x"), vec![(KeyCode::Char('x'), KeyModifiers::NONE)]);
        assert!(p.pending.len() < MAX_PENDING);
    }
}
