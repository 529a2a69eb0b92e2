//! `demo.tape` is valid VHS (every `Set` before the first action, quoted single keys, a .gif
//! output) and every recall command it types is accepted by the real binary.

use std::process::{Command, Stdio};

const TAPE: &str = include_str!("../demo.tape");

/// Commands VHS knows (v0.7+).
const COMMANDS: &[&str] = &[
    "Output",
    "Require",
    "Set",
    "Type",
    "Sleep",
    "Enter",
    "Space",
    "Backspace",
    "Delete",
    "Insert",
    "Tab",
    "Escape",
    "Up",
    "Down",
    "Left",
    "Right",
    "PageUp",
    "PageDown",
    "Hide",
    "Show",
    "Wait",
    "Screenshot",
    "Copy",
    "Paste",
    "Source",
    "Env",
];

/// Settings VHS knows.
const SETTINGS: &[&str] = &[
    "Shell",
    "FontFamily",
    "FontSize",
    "Framerate",
    "PlaybackSpeed",
    "Height",
    "Width",
    "LetterSpacing",
    "TypingSpeed",
    "LineHeight",
    "Padding",
    "Theme",
    "LoopOffset",
    "BorderRadius",
    "Margin",
    "MarginFill",
    "WindowBar",
    "WindowBarSize",
    "CursorBlink",
];

/// The tape's lines without comments and blank lines, numbered from 1.
fn lines() -> Vec<(usize, &'static str)> {
    TAPE.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// The command word of a line: `Type@100ms "x"` → `Type`, `Ctrl+C` → `Ctrl`.
fn command(line: &str) -> &str {
    let word = line.split_whitespace().next().unwrap_or("");
    word.split(['@', '+']).next().unwrap_or(word)
}

/// The double-quoted argument of a `Type` line, if it is well formed.
fn quoted(line: &str) -> Option<&str> {
    let rest = line.split_once(' ')?.1.trim();
    let inner = rest.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('"')).then_some(inner)
}

fn is_duration(s: &str) -> bool {
    let number = s
        .strip_suffix("ms")
        .or_else(|| s.strip_suffix('s'))
        .unwrap_or(s);
    !number.is_empty() && number.parse::<f64>().is_ok_and(|v| v >= 0.0)
}

#[test]
fn every_line_is_a_vhs_command() {
    for (n, line) in lines() {
        let cmd = command(line);
        assert!(
            COMMANDS.contains(&cmd) || cmd == "Ctrl" || cmd == "Alt" || cmd == "Shift",
            "line {n}: unknown command {cmd:?}"
        );
        match cmd {
            "Type" => {
                assert!(
                    quoted(line).is_some(),
                    "line {n}: Type needs one quoted string: {line}"
                );
            }
            "Sleep" => {
                let arg = line.split_whitespace().nth(1).unwrap_or("");
                assert!(is_duration(arg), "line {n}: bad duration {arg:?}");
            }
            "Set" => {
                let name = line.split_whitespace().nth(1).unwrap_or("");
                assert!(
                    SETTINGS.contains(&name),
                    "line {n}: unknown setting {name:?}"
                );
                assert!(
                    line.split_whitespace().count() >= 3,
                    "line {n}: Set without a value"
                );
            }
            "Output" => {
                let path = line.split_whitespace().nth(1).unwrap_or("");
                assert!(
                    path.ends_with(".gif"),
                    "line {n}: the output must be a .gif: {path}"
                );
            }
            "Wait" => {
                let word = line.split_whitespace().next().unwrap_or("");
                let (head, timeout) = word.split_once('@').unwrap_or((word, ""));
                if !timeout.is_empty() {
                    assert!(
                        is_duration(timeout),
                        "line {n}: bad Wait timeout {timeout:?}"
                    );
                }
                assert!(
                    matches!(head, "Wait" | "Wait+Line" | "Wait+Screen"),
                    "line {n}: Wait's scope is +Line or +Screen: {word}"
                );
                assert!(
                    line.trim_end().ends_with('/'),
                    "line {n}: Wait needs a /regex/"
                );
            }
            _ => {}
        }
    }
}

/// The regex of a `Wait … /regex/` line and whether it looks at the whole screen (VHS's default
/// scope is the cursor's line).
fn wait_of(line: &str) -> Option<(&str, bool)> {
    let (word, rest) = line.split_once(' ')?;
    let regex = rest.trim().strip_prefix('/')?.strip_suffix('/')?;
    Some((regex, word.starts_with("Wait+Screen")))
}

#[test]
fn waits_wait_for_output_not_for_what_was_typed() {
    // On the cursor's line a Wait sees the command just typed: `Wait /built/` after typing
    // `… echo built` matches at once (or, once the screen is cleared, never).
    let lines = lines();
    let mut typed = String::new();
    for (n, line) in &lines {
        if command(line) == "Type" {
            typed = quoted(line).unwrap_or("").to_string();
        }
        if let Some((regex, screen)) = wait_of(line) {
            let literal = regex.trim_start_matches('^').trim_end_matches('$');
            if !screen {
                assert!(
                    !typed.contains(literal),
                    "line {n}: {line:?} matches the typed command {typed:?}"
                );
            } else {
                // A whole-screen wait must be anchored to a line of its own, or the typed
                // command (still on the screen) matches it.
                assert!(
                    regex.starts_with('^') && regex.ends_with('$'),
                    "line {n}: {line:?} would match the typed command"
                );
            }
        }
    }
    let build_wait = lines
        .iter()
        .find_map(|(_, l)| wait_of(l))
        .expect("the tape waits for the build");
    assert_eq!(build_wait, ("^built$", true));
}

#[test]
fn settings_come_before_the_first_action() {
    let lines = lines();
    let first_action = lines
        .iter()
        .position(|(_, l)| !matches!(command(l), "Set" | "Output" | "Require" | "Env"))
        .expect("the tape does something");
    for (n, line) in &lines[first_action..] {
        assert_ne!(command(line), "Set", "line {n}: Set after the first action");
    }
    assert_eq!(
        lines.iter().filter(|(_, l)| command(l) == "Output").count(),
        1,
        "exactly one Output"
    );
}

#[test]
fn the_tape_builds_off_camera_and_shows_the_demo() {
    let lines: Vec<&str> = lines().into_iter().map(|(_, l)| l).collect();
    let hide = lines.iter().position(|l| *l == "Hide").expect("a Hide");
    let show = lines.iter().position(|l| *l == "Show").expect("a Show");
    let build = lines
        .iter()
        .position(|l| l.contains("cargo build"))
        .expect("a build");
    assert!(
        hide < build && build < show,
        "the build must happen between Hide and Show"
    );
    // An installed recall is used as it is; only a checkout without one builds, and puts its
    // build on the PATH (the tape must not need cargo, nor a path into target/).
    assert!(
        !lines.iter().any(|l| l.starts_with("Require")),
        "a Require stops the tape where that program is missing"
    );
    let setup = lines[build];
    assert!(
        setup.contains("command -v recall") && setup.contains("export PATH=$PWD/target/release"),
        "{setup}"
    );
    let typed: Vec<&str> = lines
        .iter()
        .filter_map(|l| quoted(l).filter(|_| l.starts_with("Type")))
        .collect();
    for key in ["?", "+", "q"] {
        assert!(typed.contains(&key), "the tape never types {key:?}");
    }
    assert!(lines.contains(&"Space"), "the tape never pauses");
    let run = recall_commands();
    assert_eq!(run.len(), 1, "one recall run on camera");
    assert!(
        typed.iter().any(|t| t.starts_with("recall ")),
        "the tape types `recall`, as a user with it installed would"
    );
    assert!(run[0].contains(&"--seed".to_string()) && run[0].contains(&"--duration".to_string()));
}

/// The arguments of every recall command the tape types (after the program name).
fn recall_commands() -> Vec<Vec<String>> {
    lines()
        .into_iter()
        .filter(|(_, l)| command(l) == "Type")
        .filter_map(|(_, l)| quoted(l))
        .filter_map(|text| {
            let mut words = text.split_whitespace();
            let program = words.next()?;
            (program == "recall" || program.ends_with("/recall"))
                .then(|| words.map(str::to_string).collect())
        })
        .collect()
}

#[test]
fn the_binary_accepts_every_flag_the_tape_types() {
    for args in recall_commands() {
        // Without a terminal the dashboard refuses to start, after the flags were parsed: a
        // bad flag gives clap's one-line usage error instead.
        let out = Command::new(env!("CARGO_BIN_EXE_recall"))
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("run recall");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("needs a terminal") && stderr.contains("recall run"),
            "{args:?} was not accepted: {stderr}"
        );
        // And the same words parse as a command line (no subcommand: the dashboard).
        let mut argv = vec!["recall".to_string()];
        argv.extend(args.iter().cloned());
        use clap::Parser;
        let cli = recall::cli::Cli::try_parse_from(&argv).expect("the flags parse");
        assert!(cli.command.is_none());
    }
}

#[test]
fn a_bad_flag_would_be_caught() {
    // The check above can fail: an unknown flag is a usage error, not the terminal message.
    let out = Command::new(env!("CARGO_BIN_EXE_recall"))
        .args(["--seed", "7", "--no-such-flag"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run recall");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("needs a terminal"), "{stderr}");
}
