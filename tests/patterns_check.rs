//! `recall check` on an output that fails: a closed pipe or a full disk is an error returned
//! to the shell (with the `io::Error` in the chain), never a panic.

use std::io::{self, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use recall::patterns::check_cli;

/// A writer that accepts `room` bytes, then fails every write with `kind`.
struct Failing {
    room: usize,
    kind: io::ErrorKind,
    written: Vec<u8>,
}

impl Write for Failing {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.room == 0 {
            return Err(io::Error::from(self.kind));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        self.written.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn repo_patterns() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns")
}

#[test]
fn a_failing_writer_is_an_error_with_the_io_error_in_the_chain() {
    for kind in [io::ErrorKind::BrokenPipe, io::ErrorKind::StorageFull] {
        for room in [0, 40] {
            let mut out = Failing {
                room,
                kind,
                written: Vec::new(),
            };
            let err = check_cli(&repo_patterns(), &mut out).expect_err("the write fails");
            let io = err
                .chain()
                .find_map(|e| e.downcast_ref::<io::Error>())
                .unwrap_or_else(|| panic!("no io::Error in the chain of {err:#}"));
            assert_eq!(io.kind(), kind, "{err:#}");
            assert_eq!(out.written.len(), room);
        }
    }
}

#[test]
fn a_working_writer_gets_the_whole_report() {
    let mut out = Vec::new();
    assert!(check_cli(&repo_patterns(), &mut out).expect("check"));
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.contains("cat.txt: ok (text, 32×32)"), "{text}");
    assert!(text.contains("10 valid pattern(s)"), "{text}");
}

/// A directory whose report is far longer than a pipe buffer (64 KiB).
fn long_report_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..200 {
        let k = i * 7 + 1;
        let rows: String = (0..4)
            .map(|r| {
                let row: String = (0..4)
                    .map(|c| {
                        if (k >> (r * 4 + c)) & 1 == 1 {
                            '#'
                        } else {
                            '.'
                        }
                    })
                    .collect();
                row + "\n"
            })
            .collect();
        std::fs::write(dir.path().join(format!("p{i:03}.txt")), rows).expect("write");
    }
    dir
}

#[test]
fn recall_check_into_a_closed_pipe_does_not_panic() {
    let dir = long_report_dir();
    let mut child = Command::new(env!("CARGO_BIN_EXE_recall"))
        .arg("check")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // `recall check DIR | head -0`: the reader is gone before anything is written.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(101), "panicked: {stderr}");
    // The reader went away (`| head`): it ends quietly, as `recall run` does.
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn recall_check_into_a_full_disk_does_not_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        println!("no /dev/full here: skipped");
        return;
    };
    let out = Command::new(env!("CARGO_BIN_EXE_recall"))
        .arg("check")
        .arg(repo_patterns())
        .stdout(full)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(101), "panicked: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
}

/// `--save-memories` into a directory or a missing one is refused before the report (status 2,
/// one line, nothing on stdout); it failed after the report with status 1.
#[test]
fn recall_check_refuses_a_memories_file_it_cannot_write_before_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/m.npy");
    for path in [dir.path().to_path_buf(), missing.clone()] {
        let out = Command::new(env!("CARGO_BIN_EXE_recall"))
            .args(["check", "--builtin", "--save-memories"])
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{path:?}: {stderr}");
        assert!(stderr.contains("--save-memories"), "{stderr}");
        assert!(out.stdout.is_empty(), "the report was written");
    }
    assert!(!missing.exists());
}
