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
