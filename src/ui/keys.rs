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
];

/// The intent of a key press, if it has one. Releases and repeats of other kinds are ignored.
pub fn intent_for(event: KeyEvent) -> Option<Intent> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    KEYMAP
        .iter()
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
            intent_for(press(KeyCode::Char('x'), KeyModifiers::NONE)),
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
        ] {
            assert!(
                KEYMAP.iter().any(|b| b.intent == intent),
                "{intent:?} has no key"
            );
        }
    }
}
