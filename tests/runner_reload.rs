//! `recall run --patterns DIR`: a bad file at start-up is skipped with its position, and a
//! pattern added while the run goes on reaches the JSON output.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use recall::patterns::{Bitmap, builtin, to_text};

/// Kills the child on every path out of the test.
struct Guard(Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn write_set(dir: &std::path::Path, names: &[&str]) {
    let mem = builtin();
    for name in names {
        let mu = mem.index_of(name).expect("a built-in name");
        let pixels: Vec<bool> = mem.memory(mu).iter().map(|&v| v > 0.0).collect();
        let bitmap = Bitmap {
            width: mem.width(),
            height: mem.height(),
            pixels,
        };
        std::fs::write(dir.join(format!("{name}.txt")), to_text(&bitmap)).expect("write");
    }
}

#[test]
fn a_bad_file_at_start_is_skipped_with_its_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_set(dir.path(), &["cat", "dog", "house"]);
    std::fs::write(dir.path().join("bad.txt"), "##..\n#x..\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_recall"))
        .args(["run", "--duration", "2", "--patterns"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(out.status.success(), "status {:?}", out.status);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.txt:2:2"), "stderr: {stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first: serde_json::Value =
        serde_json::from_str(stdout.lines().next().expect("a line")).expect("json");
    assert_eq!(
        first["memories"],
        serde_json::json!(["cat", "dog", "house"])
    );
}

#[test]
fn a_pattern_added_during_a_run_is_reported_and_used() {
    added_during_a_run(&[]);
}

#[test]
fn polling_watches_too() {
    added_during_a_run(&["--poll", "50"]);
}

/// A long `recall run` over `dir` whose JSON lines arrive on the receiver.
fn long_run(dir: &std::path::Path, extra: &[&str]) -> (Guard, mpsc::Receiver<String>) {
    let child = Command::new(env!("CARGO_BIN_EXE_recall"))
        .args(["run", "--duration", "100000", "--every", "5"])
        .args(extra)
        .arg("--patterns")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut guard = Guard(child);
    let stdout = guard.0.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (guard, rx)
}

/// The first `patterns` record within 20 s.
fn next_patterns_record(rx: &mpsc::Receiver<String>) -> serde_json::Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        let v: serde_json::Value = serde_json::from_str(&line).expect("json line");
        if v["type"] == "patterns" {
            return v;
        }
    }
    panic!("no patterns record within 20 s");
}

#[test]
fn the_record_says_when_the_last_good_set_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_set(dir.path(), &["cat", "dog"]);
    let (_guard, rx) = long_run(dir.path(), &[]);
    rx.recv_timeout(Duration::from_secs(20))
        .expect("the run starts");
    for name in ["cat", "dog"] {
        std::fs::remove_file(dir.path().join(format!("{name}.txt"))).expect("remove");
    }
    // The two removals may be seen as one rescan or two ("removed cat", then the last one).
    let mut record = next_patterns_record(&rx);
    if record["kept_last_good_set"] != true {
        assert_eq!(record["memories"], serde_json::json!(["dog"]), "{record}");
        record = next_patterns_record(&rx);
    }
    assert_eq!(record["kept_last_good_set"], true, "{record}");
    let kept = record["memories"].as_array().map_or(0, Vec::len);
    assert!(kept > 0, "the last good set is still in use: {record}");
}

fn added_during_a_run(extra: &[&str]) {
    let dir = tempfile::tempdir().expect("tempdir");
    write_set(dir.path(), &["cat", "dog", "house"]);
    let (_guard, rx) = long_run(dir.path(), extra);
    // Wait for the run to be under way, then add a memory.
    rx.recv_timeout(Duration::from_secs(20))
        .expect("the run starts");
    write_set(dir.path(), &["fish"]);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut reload = None;
    let mut sample_after = None;
    while std::time::Instant::now() < deadline && sample_after.is_none() {
        let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        let v: serde_json::Value = serde_json::from_str(&line).expect("json line");
        if v["type"] == "patterns" {
            reload = Some(v);
        } else if reload.is_some() && v["type"] == "sample" {
            sample_after = Some(v);
        }
    }
    let reload = reload.expect("a patterns record within 20 s");
    assert_eq!(reload["changes"], serde_json::json!(["added fish"]));
    assert_eq!(
        reload["memories"],
        serde_json::json!(["cat", "dog", "fish", "house"])
    );
    let sample = sample_after.expect("a sample after the reload");
    let overlaps = &sample["models"][0]["overlaps"];
    assert_eq!(
        overlaps.as_array().map(Vec::len),
        Some(4),
        "sample after reload: {sample}"
    );
}

#[test]
fn a_reload_to_another_image_size_keeps_the_run_going() {
    // The stream runs ahead of the simulation on its own thread: frames of the old size still
    // in flight when the set changes N are passed over, and the run goes on with the new set.
    let dir = tempfile::tempdir().expect("tempdir");
    write_set(dir.path(), &["cat", "dog", "house"]);
    let (_guard, rx) = long_run(dir.path(), &[]);
    rx.recv_timeout(Duration::from_secs(20))
        .expect("the run starts");
    let new = tempfile::tempdir().expect("tempdir");
    for (k, name) in ["a", "b"].iter().enumerate() {
        let pixels = (0..64).map(|i| (i * (k + 3)) % 5 < 2).collect();
        let bitmap = Bitmap {
            width: 8,
            height: 8,
            pixels,
        };
        std::fs::write(new.path().join(format!("{name}.txt")), to_text(&bitmap)).expect("write");
    }
    // Swap the directory's contents: the old files go, the 8×8 ones come.
    for name in ["cat", "dog", "house"] {
        std::fs::remove_file(dir.path().join(format!("{name}.txt"))).expect("remove");
    }
    for name in ["a", "b"] {
        let file = format!("{name}.txt");
        std::fs::copy(new.path().join(&file), dir.path().join(&file)).expect("copy");
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut after = 0;
    while std::time::Instant::now() < deadline && after < 3 {
        let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        let v: serde_json::Value = serde_json::from_str(&line).expect("json line");
        if v["type"] == "sample" && v["models"][0]["overlaps"].as_array().map(Vec::len) == Some(2) {
            after += 1;
        }
    }
    assert_eq!(after, 3, "three samples of the 8×8 set within 30 s");
}
