//! Pattern directories that fight back: names with a pattern extension that are not regular
//! files (FIFOs, devices, directories, dangling links, link loops) are reported with what they
//! are, never skipped in silence and never opened (a FIFO would block the reader).

#![cfg(unix)]

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use recall::patterns::{check_cli, display_name, load_report};

/// Runs `f` on a thread and fails (instead of hanging) if it blocks, as opening a FIFO would.
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("{what} blocked for 10 s"))
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

/// A directory with two good patterns and one of each kind of hostile entry.
fn hostile_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("cat.txt"), "#.\n.#\n").unwrap();
    fs::write(d.join("dog.txt"), "##\n..\n").unwrap();
    symlink(d.join("nowhere.txt"), d.join("dangling.txt")).unwrap();
    symlink(d.join("loop.txt"), d.join("loop.txt")).unwrap();
    symlink("/dev/zero", d.join("zero.txt")).unwrap();
    mkfifo(&d.join("fifo.txt"));
    fs::create_dir(d.join("d.txt")).unwrap();
    // Not pattern names: ignored as before.
    mkfifo(&d.join("fifo.other"));
    dir
}

fn expected_errors(d: &Path) -> Vec<String> {
    let p = |n: &str| display_name(&d.join(n));
    vec![
        format!("{}: expected a regular file, found a directory", p("d.txt")),
        format!(
            "{}: expected a regular file, found a dangling symbolic link",
            p("dangling.txt")
        ),
        format!("{}: expected a regular file, found a FIFO", p("fifo.txt")),
        format!(
            "{}: expected a regular file, found a symbolic link loop",
            p("loop.txt")
        ),
        format!(
            "{}: expected a regular file, found a symbolic link to a character device",
            p("zero.txt")
        ),
    ]
}

#[test]
fn every_entry_that_is_not_a_regular_file_is_reported_with_what_it_is() {
    let dir = hostile_dir();
    let path = dir.path().to_path_buf();
    let report = within("load_report", move || load_report(&path, None).unwrap());
    let errors: Vec<String> = report.errors().map(|e| e.to_string()).collect();
    assert_eq!(errors, expected_errors(dir.path()));
    assert_eq!(report.memories.as_ref().unwrap().names(), ["cat", "dog"]);
    assert!(!report.all_ok());

    let path = dir.path().to_path_buf();
    let (ok, text) = within("check_cli", move || {
        let mut out = Vec::new();
        let ok = check_cli(&path, &mut out).unwrap();
        (ok, String::from_utf8(out).unwrap())
    });
    assert!(!ok, "{text}");
    assert!(
        text.contains("2 valid pattern(s) of 2×2 (N = 4), 5 bad file(s)"),
        "{text}"
    );
}

#[test]
fn recall_check_reports_them_and_exits_nonzero() {
    let dir = hostile_dir();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_recall"));
    cmd.arg("check").arg(dir.path());
    let out = within("recall check", move || cmd.output().unwrap());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for line in expected_errors(dir.path()) {
        assert!(
            stdout.lines().any(|l| l == line),
            "missing {line:?} in\n{stdout}"
        );
    }
}

#[test]
fn read_pattern_never_opens_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("f.txt");
    mkfifo(&fifo);
    let path = fifo.clone();
    let err = within("read_pattern", move || {
        recall::patterns::read_pattern(&path).unwrap_err()
    });
    assert_eq!(
        err.to_string(),
        format!(
            "{}: expected a regular file, found a FIFO",
            display_name(&fifo)
        )
    );
}
