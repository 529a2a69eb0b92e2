//! The dashboard without a terminal: stdout piped (CI, `| less`) → exit status 2 and one line
//! on stderr that points to `recall run`; nothing on stdout.

use std::process::{Command, Stdio};

#[test]
fn without_a_terminal_recall_exits_2_with_one_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_recall"))
        .args(["--seed", "7"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run recall");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout.is_empty(),
        "wrote to a pipe: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("recall run"), "{stderr}");
}

/// Runs inside a pseudo-terminal (made by `script`): enters the dashboard's terminal mode,
/// leaks the guard (so only the panic hook can restore anything), and panics.
#[test]
#[ignore]
fn panic_child() {
    if std::env::var_os("RECALL_PANIC_CHILD").is_none() {
        return;
    }
    let guard = recall::ui::terminal::TerminalGuard::enter().expect("a terminal");
    std::mem::forget(guard);
    panic!("boom from the dashboard");
}

/// The panic hook restores the terminal: main screen, visible cursor, cooked mode (checked with
/// `stty` right after, on the same pseudo-terminal).
#[test]
fn a_panic_restores_the_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` (util-linux) to make a pseudo-terminal");
        return;
    }
    let exe = std::env::current_exe().expect("test binary");
    let child = format!(
        "RECALL_PANIC_CHILD=1 {} --exact panic_child --ignored --nocapture --test-threads 1; stty -a",
        exe.display()
    );
    let out = Command::new("script")
        .args(["-qec", &child, "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run script");
    let text = String::from_utf8_lossy(&out.stdout);
    let entered = text
        .find("\u{1b}[?1049h")
        .expect("the child entered the alternate screen");
    let left = text
        .rfind("\u{1b}[?1049l")
        .expect("the alternate screen was left");
    let shown = text
        .rfind("\u{1b}[?25h")
        .expect("the cursor was shown again");
    let message = text
        .find("boom from the dashboard")
        .expect("the panic message");
    assert!(
        entered < left && left < message,
        "restored only after the report: {text:?}"
    );
    assert!(shown < message);
    let stty = &text[message..];
    assert!(
        stty.contains(" icanon") && stty.contains(" echo "),
        "the tty is still raw: {stty}"
    );
}
