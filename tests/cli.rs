//! The real binary: bad flags are refused with status 2 and one line, `recall run` writes
//! parseable output and survives a reader that goes away, experiments print CSV.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn recall() -> Command {
    Command::new(env!("CARGO_BIN_EXE_recall"))
}

/// Runs `recall run` with `args`, checks it succeeded with nothing on stderr, and parses its
/// JSON lines.
fn run_json(args: &[&str]) -> Vec<serde_json::Value> {
    let out = recall().arg("run").args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.is_empty(),
        "{args:?}: {stderr}"
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn bad_flags_exit_2_with_one_line_on_stderr() {
    let cases: &[(&[&str], &str)] = &[
        (&["run", "--scenario", "nope"], "unknown scenario"),
        (&["run", "--model", "hopfield"], "unknown model"),
        (&["run", "--compare", "idp,nope"], "unknown model"),
        (&["run", "--duration", "-1"], "must be greater than 0"),
        (&["run", "--duration", "abc"], "is not a number"),
        (&["run", "--every", "0"], "must be greater than 0"),
        (&["run", "--format", "xml"], "xml"),
        (
            &["run", "--dt", "0.5"],
            "too large for a stable integration",
        ),
        (
            &["experiment", "noise-sweep", "--sigmas", "0,x"],
            "is not a number",
        ),
        (
            &["experiment", "noise-sweep", "--sigmas", "0,,4"],
            "is not a number",
        ),
        (
            &["experiment", "noise-sweep", "--sigmas", "-1,2"],
            "must be 0 or more",
        ),
        (&["run", "--tau-alpha", "-0.5"], "must be 0 or more"),
        (&["run", "--poll", "-1"], "is not a polling interval"),
        (
            &["check", "/nonexistent/recall-patterns"],
            "the pattern directory /nonexistent/recall-patterns does not exist",
        ),
        (
            &["run", "--patterns", "/nonexistent/recall-patterns"],
            "does not exist",
        ),
        (&["check", "Cargo.toml"], "is a file: give the directory"),
        (
            &["experiment", "mixed", "--sigmas", "8,8"],
            "--sigmas gives 8 twice",
        ),
        (
            &["experiment", "noise-sweep", "--sigmas", "0,2,4,2"],
            "--sigmas gives 2 twice",
        ),
        (
            &["run", "--scenario", "explore", "--saliencies", "-5,1"],
            "saliency -5 must be 0 or more",
        ),
        (
            &["run", "--scenario", "explore", "--saliencies", "0.5,-1"],
            "saliency -1 must be 0 or more",
        ),
        (
            &["run", "--scenario", "explore", "--saliencies", "1,2,3,4"],
            "give up to 3",
        ),
        (
            &["run", "--saliencies", "0.5"],
            "--saliencies sets the input of --scenario explore",
        ),
        (&["run", "--tau-alpha", "inf"], "tau"),
        (&["experiment", "nope"], "unknown experiment"),
        (
            &["experiment", "capacity", "--sizes", "8"],
            "not a network size",
        ),
        (
            &["experiment", "capacity", "--sizes", "256,x"],
            "not a network size",
        ),
        (&["experiment", "capacity", "--loads", "0"], "load P/N"),
        (
            &["experiment", "capacity", "--loads", "0.1,2000"],
            "load P/N",
        ),
        (
            &["experiment", "capacity", "--flip", "0.7"],
            "flip fraction",
        ),
        (
            &["experiment", "capacity", "--threshold", "1.5"],
            "threshold",
        ),
        (
            &["experiment", "capacity", "--cues", "0"],
            "cues per network",
        ),
        (
            &["experiment", "mixed", "--first-trial", "-1"],
            "first-trial",
        ),
        (&["experiment", "mixed", "--no-header"], "--csv"),
        (&["experiment", "mixed", "--trials", "0"], "trials"),
        // Values that would overflow f32 in the step, refused with their range.
        (&["run", "--activation-gain", "1e38"], "at most 1000"),
        (&["run", "--gain", "1e38"], "at most 1000"),
        (&["run", "--noise", "1e39"], "at most 1000"),
        (&["run", "--tau-alpha", "1e300"], "at most 1000000"),
        (&["run", "--dt", "1e-30"], "at least"),
        // A huge dt in a line, not 309 digits.
        (&["run", "--dt", "1e308"], "dt = 1e308 s is too large"),
        (&["--speed", "1e9"], "at most 1000"),
        (
            &["experiment", "glitch", "--sigmas", "1e39"],
            "at most 1000",
        ),
        // A negative number is the flag's value, refused with what the flag takes (it read
        // "unexpected argument '-1' found").
        (&["run", "--seed", "-1"], "is not a seed"),
        (&["experiment", "glitch", "--seed", "-2"], "is not a seed"),
        (&["run", "--flip-rate", "-0.1"], "must be 0 or more"),
        (&["--fps", "-5"], "not in 1..=120"),
        (
            &["serve", "--idle-timeout", "-1"],
            "not a number of seconds",
        ),
        (
            &["experiment", "capacity", "--loads", "-1,2"],
            "must be greater than 0",
        ),
        (
            &["experiment", "capacity", "--sizes", "-16"],
            "not a network size",
        ),
        (&["experiment", "mixed", "--trials", "-3"], "trials"),
        // A model named twice would silently be one row.
        (&["run", "--compare", "idp,idp"], "--model runs already"),
        (
            &["run", "--model", "modern", "--compare", "modern"],
            "--model runs already",
        ),
        (
            &["run", "--compare", "classic-pulsed,modern,classic-pulsed"],
            "--compare names classic-pulsed twice",
        ),
        // What a flag takes and clap's "did you mean" stay on the one line.
        (
            &["run", "--format", "json"],
            "[possible values: jsonl, csv, table]; tip: a similar value exists: 'jsonl'",
        ),
        (
            &["run", "--durration", "5"],
            "tip: a similar argument exists: '--duration'",
        ),
        // A run that could not finish in any reasonable time.
        (
            &["run", "--duration", "1000000", "--dt", "0.000001"],
            "1.000e12 steps",
        ),
    ];
    for (args, needle) in cases {
        let out = recall().args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn tau_alpha_reaches_the_filter_model() {
    // The header records it, and a slower filter follows the tour's changes later.
    let summary = |tau: &str| {
        let lines = run_json(&[
            "--model",
            "idp-filter",
            "--duration",
            "40",
            "--tau-alpha",
            tau,
        ]);
        let tau_in_header = lines[0]["tau_alpha_secs"].as_f64().unwrap();
        let summary = lines.last().unwrap().clone();
        assert_eq!(summary["type"], "summary");
        (tau_in_header, summary["accuracy"].as_f64().unwrap())
    };
    let (fast_tau, fast) = summary("0.2");
    let (slow_tau, slow) = summary("4");
    assert_eq!((fast_tau, slow_tau), (0.2, 4.0));
    assert!(fast > slow + 0.1, "τ_α 0.2 s: {fast}, τ_α 4 s: {slow}");
}

#[test]
fn csv_with_a_pattern_directory_says_reloads_are_not_followed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/patterns");
    let run = |format: &str| {
        recall()
            .args([
                "run",
                "--duration",
                "1",
                "--patterns",
                dir,
                "--format",
                format,
            ])
            .output()
            .unwrap()
    };
    let csv = run("csv");
    assert!(csv.status.success());
    let note = String::from_utf8_lossy(&csv.stderr);
    assert!(
        note.contains("not followed") && note.contains("--format jsonl"),
        "{note}"
    );
    let jsonl = run("jsonl");
    assert!(jsonl.status.success());
    assert!(
        jsonl.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&jsonl.stderr)
    );
    // JSON lines with a constant input follow no reloads either, and say so (they were
    // silent, though the docs say JSON lines follow edits).
    let held = recall()
        .args(["run", "--duration", "1", "--patterns", dir])
        .args(["--scenario", "explore", "--saliencies", "2,1"])
        .output()
        .unwrap();
    let note = String::from_utf8_lossy(&held.stderr);
    assert!(held.status.success(), "{note}");
    assert!(
        note.contains("--saliencies was given for the set loaded at the start")
            && note.contains("not followed"),
        "{note}"
    );
}

#[test]
fn run_help_states_the_default_duration() {
    let out = recall().args(["run", "--help"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    // However the help is wrapped.
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("default 120"), "{text}");
}

#[test]
fn run_writes_json_lines_ending_with_summaries() {
    let lines = run_json(&["--duration", "6", "--compare", "--seed", "4"]);
    assert_eq!(lines[0]["type"], "run");
    assert_eq!(
        lines[0]["models"],
        serde_json::json!(["idp", "classic-pulsed"])
    );
    let summaries: Vec<_> = lines.iter().filter(|l| l["type"] == "summary").collect();
    assert_eq!(summaries.len(), 2);
    let samples = lines.iter().filter(|l| l["type"] == "sample").count();
    assert_eq!(samples, 13);
}

#[test]
fn run_writes_csv_with_a_header() {
    let out = recall()
        .args(["run", "--duration", "2", "--format", "csv", "--every", "1"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header
            .starts_with("record,time_secs,model,truth,retrieved,mirror,glitch,energy,event,text,")
    );
    assert_eq!(text.lines().filter(|l| l.starts_with("sample,")).count(), 3);
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let mut child = recall()
        .args(["run", "--duration", "100000", "--every", "0.01"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut reader = BufReader::new(stdout);
    for _ in 0..3 {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(line.starts_with('{'));
    }
    drop(reader);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("recall run kept going after its reader left");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn experiments_print_csv_rows() {
    let out = recall()
        .args([
            "experiment",
            "glitch",
            "--trials",
            "2",
            "--csv",
            "--seed",
            "5",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "trial,seed,model,sigma,glitch,a_held,b_latency_secs,b_argmax_at_19,b_secs_to_09,c_latency_secs,diverged"
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2 * 7);
    assert!(rows.iter().all(|r| r.split(',').count() == 11));
}

/// Runs `recall ARGS` with stdout and stderr sent to the given files (e.g. /dev/full).
fn run_to(args: &[&str], stdout: &str, stderr: &str) -> std::process::Output {
    let open = |p: &str| std::fs::OpenOptions::new().write(true).open(p).unwrap();
    let mut child = recall()
        .args(args)
        .stdout(Stdio::from(open(stdout)))
        .stderr(if stderr == "piped" {
            Stdio::piped()
        } else {
            Stdio::from(open(stderr))
        })
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "{args:?} never ended");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_full_disk_is_one_line_and_a_failure_never_a_panic() {
    if !std::path::Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full");
        return;
    }
    for args in [
        &["run", "--duration", "5"][..],
        &["run", "--duration", "5", "--format", "csv"],
        &["experiment", "glitch", "--trials", "1"],
    ] {
        let out = run_to(args, "/dev/full", "piped");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains("No space left"), "{args:?}: {stderr}");
    }
    // Nowhere to report at all: still a status, not a panic (101).
    let out = run_to(&["run", "--bogus"], "/dev/null", "/dev/full");
    assert_eq!(out.status.code(), Some(2));
    let out = run_to(&["run", "--duration", "1"], "/dev/full", "/dev/full");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_reader_that_leaves_early_ends_an_experiment_quietly() {
    let mut child = recall()
        .args(["experiment", "glitch", "--trials", "2", "--csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the pipe before anything is read.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn explore_without_saliencies_says_what_it_holds() {
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--scenario",
            "explore",
            "--duration",
            "1",
            "--format",
            "table",
        ];
        args.extend_from_slice(extra);
        recall().args(&args).output().unwrap()
    };
    let out = run(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.starts_with("recall: warning: --scenario explore")
            && stderr.contains("--saliencies"),
        "{stderr}"
    );
    // With saliencies given, nothing to warn of.
    let out = run(&["--saliencies", "0.5,0.3"]);
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A file name that is not UTF-8 is a name like another: `--plot` and `--screenshot` write to it
/// (clap's `&str` parsers refused it with "invalid UTF-8 was detected", naming no flag).
#[cfg(unix)]
#[test]
fn figures_and_screenshots_take_file_names_that_are_not_utf8() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    let dir = tempfile::tempdir().unwrap();
    let name = |ext: &str| {
        let mut bytes = b"fig\xff.".to_vec();
        bytes.extend_from_slice(ext.as_bytes());
        dir.path().join(OsString::from_vec(bytes))
    };
    let (png, svg) = (name("png"), name("svg"));
    let writes = |args: &[&str], path: &std::path::Path| {
        let out = recall().args(args).arg(path).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        std::fs::read(path).unwrap()
    };
    let figure = writes(&["experiment", "glitch", "--trials", "2", "--plot"], &png);
    assert!(figure.starts_with(b"\x89PNG"));
    let shot = writes(&["--at", "0.5", "--screenshot"], &svg);
    assert!(shot.starts_with(b"<svg"));
    // A wrong extension is still refused, naming the flag.
    let out = recall()
        .args(["experiment", "glitch", "--plot"])
        .arg(name("txt"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("--plot"), "{stderr}");
}
