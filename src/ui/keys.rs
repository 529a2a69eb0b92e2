//! The key map: one table turns key presses into intents, and the help overlay is printed from
//! the same table, so the two cannot disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What the user wants, independent of the key that says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Quit,
    TogglePause,
    ToggleHelp,
    /// Close an overlay if one is open, otherwise quit.
    Back,
    RaiseNoise,
    LowerNoise,
    SpeedUp,
    SlowDown,
    CycleModel,
    ToggleCompare,
    InjectGlitch,
    NextStimulus,
    ResetState,
    CycleScenario,
    /// Rescan the pattern directory now (with `--patterns`).
    ReloadPatterns,
    /// Switch the primary model between IDP and IDP with the input filter.
    ToggleFilter,
    /// Show or hide every current pattern-file error in full.
    ToggleErrors,
    /// Scroll the memory table (when it has more memories than rows).
    ScrollUp,
    ScrollDown,
    /// Enter or leave paint mode (the keyboard cursor on the input image).
    TogglePaint,
    /// Store the drawing (or the state, by sign) as a new memory: opens the name prompt.
    Store,
    /// Turn every pixel of the drawing off.
    ClearDrawing,
    /// Flip every pixel of the drawing.
    InvertDrawing,
    /// Paint mode: move the cursor; flip the pixel under it.
    CursorLeft,
    CursorRight,
    CursorUp,
    CursorDown,
    TogglePixel,
    /// The name prompt: a typed character, Backspace, Ctrl-U, Enter.
    Type(char),
    Erase,
    ClearLine,
    Confirm,
    /// Explore: α of the first / second memory of the walk up or down, the others' level.
    RaiseFirst,
    LowerFirst,
    RaiseSecond,
    LowerSecond,
    RaiseRest,
    LowerRest,
}

/// What the keys mean now: the dashboard's map, paint mode's (arrows and space on the cursor,
/// then the dashboard's), or the name prompt's (text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMode {
    Normal,
    Paint,
    Prompt,
    /// The `explore` scenario: the arrows and < > set the saliencies.
    Explore,
}

/// One row of the key map.
pub struct Binding {
    pub code: KeyCode,
    /// Ctrl must be held (and only then does the binding match).
    pub ctrl: bool,
    pub intent: Intent,
}

const fn key(c: char, intent: Intent) -> Binding {
    Binding {
        code: KeyCode::Char(c),
        ctrl: false,
        intent,
    }
}

/// Every binding.
pub const KEYMAP: &[Binding] = &[
    key(' ', Intent::TogglePause),
    key('q', Intent::Quit),
    Binding {
        code: KeyCode::Esc,
        ctrl: false,
        intent: Intent::Back,
    },
    Binding {
        code: KeyCode::Char('c'),
        ctrl: true,
        intent: Intent::Quit,
    },
    key('?', Intent::ToggleHelp),
    key('h', Intent::ToggleHelp),
    key('+', Intent::RaiseNoise),
    key('=', Intent::RaiseNoise),
    key('-', Intent::LowerNoise),
    key('_', Intent::LowerNoise),
    key(']', Intent::SpeedUp),
    key('[', Intent::SlowDown),
    key('m', Intent::CycleModel),
    key('c', Intent::ToggleCompare),
    key('g', Intent::InjectGlitch),
    key('n', Intent::NextStimulus),
    key('r', Intent::ResetState),
    key('s', Intent::CycleScenario),
    key('l', Intent::ReloadPatterns),
    key('f', Intent::ToggleFilter),
    key('e', Intent::ToggleErrors),
    Binding {
        code: KeyCode::Up,
        ctrl: false,
        intent: Intent::ScrollUp,
    },
    Binding {
        code: KeyCode::Down,
        ctrl: false,
        intent: Intent::ScrollDown,
    },
    key('p', Intent::TogglePaint),
    key('w', Intent::Store),
    key('x', Intent::ClearDrawing),
    key('i', Intent::InvertDrawing),
];

const fn code(code: KeyCode, intent: Intent) -> Binding {
    Binding {
        code,
        ctrl: false,
        intent,
    }
}

/// The `explore` scenario's own keys (←/→ the first memory's α, ↑/↓ the second's, < > the
/// others'); the rest are the dashboard's.
pub const EXPLORE_KEYMAP: &[Binding] = &[
    code(KeyCode::Left, Intent::LowerFirst),
    code(KeyCode::Right, Intent::RaiseFirst),
    code(KeyCode::Up, Intent::RaiseSecond),
    code(KeyCode::Down, Intent::LowerSecond),
    key('<', Intent::LowerRest),
    key(',', Intent::LowerRest),
    key('>', Intent::RaiseRest),
    key('.', Intent::RaiseRest),
];

/// Paint mode's own keys; the rest are the dashboard's.
pub const PAINT_KEYMAP: &[Binding] = &[
    code(KeyCode::Left, Intent::CursorLeft),
    code(KeyCode::Right, Intent::CursorRight),
    code(KeyCode::Up, Intent::CursorUp),
    code(KeyCode::Down, Intent::CursorDown),
    key(' ', Intent::TogglePixel),
    code(KeyCode::Enter, Intent::TogglePixel),
    code(KeyCode::Esc, Intent::TogglePaint),
];

/// The help overlay's lines: keys as shown, and what they do.
pub const HELP: &[(&str, &str)] = &[
    ("space", "pause / resume"),
    ("q  Esc  Ctrl-C", "quit (Esc first closes an overlay)"),
    ("?  h", "this help"),
    ("+  -", "noise σ up / down"),
    ("]  [", "speed (model s per wall s) up / down"),
    ("m", "cycle the model"),
    ("c", "compare with a classic model, side by side"),
    ("g", "inject a glitch now"),
    ("n", "jump to the next stimulus"),
    ("r", "reset the state to random"),
    ("s", "cycle the scenario"),
    ("l", "reload the pattern files now (--patterns)"),
    ("f", "input filter on / off: idp ↔ idp-filter (τα)"),
    ("e", "every pattern-file error in full (--patterns)"),
    ("↑  ↓", "scroll the memory table (when it has more)"),
    ("mouse", "paint the input: left on, right off (drag)"),
    ("p", "paint mode: arrows move, space flips, p leaves"),
    ("x  i", "clear / invert the drawing"),
    ("n", "(drawing) back to the stream"),
    ("w", "store the drawing (or the state) as a memory"),
    (
        "← →  ↑ ↓  < >",
        "(explore) α of the 1st, the 2nd, the others",
    ),
];

/// The help overlay of a viewer of `recall serve`: the keys that change only its own screen.
pub const VIEWER_HELP: &[(&str, &str)] = &[
    ("space", "pause / resume this screen (the run goes on)"),
    ("?  h", "this help"),
    (
        "c",
        "show / hide the compared models (when the run has them)",
    ),
    ("↑  ↓", "scroll the memory table (when it has more)"),
    ("e", "every pattern-file error in full (--patterns)"),
    ("q  Esc  Ctrl-C", "leave (Esc first closes an overlay)"),
];

/// The intent of a key press on the dashboard, if it has one. Releases are ignored.
pub fn intent_for(event: KeyEvent) -> Option<Intent> {
    lookup(KEYMAP, event)
}

/// The intent of a key press in `mode`.
pub fn intent_in(mode: KeyMode, event: KeyEvent) -> Option<Intent> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    match mode {
        KeyMode::Normal => intent_for(event),
        KeyMode::Paint => lookup(PAINT_KEYMAP, event).or_else(|| intent_for(event)),
        KeyMode::Explore => lookup(EXPLORE_KEYMAP, event).or_else(|| intent_for(event)),
        KeyMode::Prompt => match event.code {
            KeyCode::Char('c') if ctrl => Some(Intent::Quit),
            KeyCode::Char('u') if ctrl => Some(Intent::ClearLine),
            KeyCode::Char(c) if !ctrl => Some(Intent::Type(c)),
            KeyCode::Backspace => Some(Intent::Erase),
            KeyCode::Enter => Some(Intent::Confirm),
            KeyCode::Esc => Some(Intent::Back),
            _ => None,
        },
    }
}

fn lookup(map: &[Binding], event: KeyEvent) -> Option<Intent> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    map.iter()
        .find(|b| b.code == event.code && b.ctrl == ctrl)
        .map(|b| b.intent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn ctrl_c_quits_but_c_compares() {
        assert_eq!(
            intent_for(press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Intent::Quit)
        );
        assert_eq!(
            intent_for(press(KeyCode::Char('c'), KeyModifiers::NONE)),
            Some(Intent::ToggleCompare)
        );
        assert_eq!(
            intent_for(press(KeyCode::Char('z'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn shifted_symbols_still_match() {
        // Terminals report '?' and '+' with SHIFT held.
        assert_eq!(
            intent_for(press(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Intent::ToggleHelp)
        );
        assert_eq!(
            intent_for(press(KeyCode::Char('+'), KeyModifiers::SHIFT)),
            Some(Intent::RaiseNoise)
        );
    }

    #[test]
    fn every_intent_has_a_key() {
        use Intent::*;
        for intent in [
            Quit,
            TogglePause,
            ToggleHelp,
            Back,
            RaiseNoise,
            LowerNoise,
            SpeedUp,
            SlowDown,
            CycleModel,
            ToggleCompare,
            InjectGlitch,
            NextStimulus,
            ResetState,
            CycleScenario,
            ReloadPatterns,
            ToggleFilter,
            ToggleErrors,
            ScrollUp,
            ScrollDown,
            TogglePaint,
            Store,
            ClearDrawing,
            InvertDrawing,
        ] {
            assert!(
                KEYMAP.iter().any(|b| b.intent == intent),
                "{intent:?} has no key"
            );
        }
        for intent in [CursorLeft, CursorRight, CursorUp, CursorDown, TogglePixel] {
            assert!(PAINT_KEYMAP.iter().any(|b| b.intent == intent));
        }
        for intent in [
            RaiseFirst,
            LowerFirst,
            RaiseSecond,
            LowerSecond,
            RaiseRest,
            LowerRest,
        ] {
            assert!(EXPLORE_KEYMAP.iter().any(|b| b.intent == intent));
        }
    }

    #[test]
    fn paint_mode_takes_the_arrows_and_space_and_the_prompt_takes_text() {
        let up = press(KeyCode::Up, KeyModifiers::NONE);
        assert_eq!(intent_in(KeyMode::Normal, up), Some(Intent::ScrollUp));
        assert_eq!(intent_in(KeyMode::Paint, up), Some(Intent::CursorUp));
        let space = press(KeyCode::Char(' '), KeyModifiers::NONE);
        assert_eq!(intent_in(KeyMode::Paint, space), Some(Intent::TogglePixel));
        // Other keys keep their meaning while painting.
        let plus = press(KeyCode::Char('+'), KeyModifiers::NONE);
        assert_eq!(intent_in(KeyMode::Paint, plus), Some(Intent::RaiseNoise));
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(intent_in(KeyMode::Prompt, q), Some(Intent::Type('q')));
        let ctrl_u = press(KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!(intent_in(KeyMode::Prompt, ctrl_u), Some(Intent::ClearLine));
        let esc = press(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(intent_in(KeyMode::Prompt, esc), Some(Intent::Back));
    }
}
