//! Issue 25, files and experiments, run as a user would: crafted NPY headers reach the terminal
//! escaped and cut; outputs that would overwrite an input or each other are refused; a bad
//! figure path is refused before an experiment runs and a figure that fails keeps the rows;
//! Ctrl-C during an experiment keeps the finished trials; a capacity sweep that cannot fit in
//! memory is refused before it starts.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn recall() -> Command {
    Command::new(env!("CARGO_BIN_EXE_recall"))
}

fn run(args: &[&str]) -> Output {
    recall().args(args).output().unwrap()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// An NPY file (version 2: a 4-byte header length) with header `header` and data `data`.
fn npy_v2(path: &Path, header: &[u8], data: &[u8]) {
    let mut h = header.to_vec();
    while !(12 + h.len() + 1).is_multiple_of(64) {
        h.push(b' ');
    }
    h.push(b'\n');
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(b"\x93NUMPY\x02\x00").unwrap();
    f.write_all(&(h.len() as u32).to_le_bytes()).unwrap();
    f.write_all(&h).unwrap();
    f.write_all(data).unwrap();
}

fn vector_npy(path: &Path, n: usize) {
    let dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({n},), }}");
    npy_v2(path, dict.as_bytes(), &vec![0u8; 4 * n]);
}

/// Item 7: what a header says reaches stderr escaped, on one line, and short.
#[test]
fn a_crafted_npy_header_is_escaped_and_cut() {
    let dir = tempfile::tempdir().unwrap();
    let title = dir.path().join("title.npy");
    npy_v2(&title, b"\x1b]0;owned\x07\x1b[2J\nrecall: all good\n", &[]);
    let huge = dir.path().join("huge.npy");
    npy_v2(&huge, &b"\x1b[31mfake line ".repeat(300_000), &[]);
    for file in [&title, &huge] {
        let out = run(&["run", "--duration", "1", "--input", s(file)]);
        let stderr = &out.stderr;
        let text = String::from_utf8_lossy(stderr);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(text.contains(s(file)), "{text}");
        assert!(
            stderr.len() < 600,
            "{} bytes of message: {}",
            stderr.len(),
            &text[..600.min(text.len())]
        );
        let body = &stderr[..stderr.len() - 1];
        assert_eq!(stderr.last(), Some(&b'\n'));
        assert!(
            body.iter().all(|&b| b >= 0x20 && b != 0x7f),
            "a control character reached the terminal: {text:?}"
        );
    }
}

/// Item 8: every pair of files of one run that are the same file is refused, before anything
/// is written, naming the flags; the input is left as it was.
#[test]
fn outputs_that_collide_with_an_input_or_each_other_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    let u = at("u.npy");
    vector_npy(&u, 1024);
    let before = std::fs::read(&u).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&u, at("link.npy")).unwrap();
    std::fs::create_dir(at("patterns")).unwrap();
    std::fs::write(at("patterns/a.txt"), "#.#.\n.#.#\n#.#.\n.#.#\n").unwrap();
    std::fs::write(at("patterns/b.txt"), "##..\n##..\n..##\n..##\n").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--input".into(),
                s(&u).into(),
                "--save-states".into(),
                s(&u).into(),
            ],
            "--save-states",
        ),
        (
            vec![
                "--init-state".into(),
                s(&u).into(),
                "--save-memories".into(),
                s(&u).into(),
            ],
            "--save-memories",
        ),
        (
            vec![
                "--input".into(),
                s(&u).into(),
                "--save-states".into(),
                s(&at("link.npy")).into(),
            ],
            "--save-states",
        ),
        (
            vec![
                "--save-states".into(),
                s(&at("x.npy")).into(),
                "--save-memories".into(),
                s(&at("sub/../x.npy")).into(),
            ],
            "--save-states and --save-memories",
        ),
        (
            vec![
                "--patterns".into(),
                s(&at("patterns")).into(),
                "--plot".into(),
                s(&at("patterns/fig.png")).into(),
            ],
            "--plot",
        ),
    ];
    std::fs::create_dir(at("sub")).unwrap();
    for (flags, needle) in &cases {
        let mut args = vec!["run", "--duration", "1"];
        args.extend(flags.iter().map(String::as_str));
        let out = run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {stderr}");
        assert!(stderr.contains(needle), "{flags:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(out.stdout.is_empty());
        assert_eq!(
            std::fs::read(&u).unwrap(),
            before,
            "{flags:?} wrote the input"
        );
        assert!(!at("x.npy").exists() && !at("patterns/fig.png").exists());
    }
    // stdout redirected to an output, or to an input, of the same run.
    let log = at("log.npy");
    let redirect = |to: &Path, args: &[&str]| {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(to)
            .unwrap();
        recall().args(args).stdout(file).output().unwrap()
    };
    for (to, args) in [
        (
            &log,
            vec!["run", "--duration", "1", "--save-states", s(&log)],
        ),
        (&u, vec!["run", "--duration", "1", "--input", s(&u)]),
        (
            &at("fig.svg"),
            vec![
                "experiment",
                "mixed",
                "--trials",
                "1",
                "--plot",
                s(&at("fig.svg")),
            ],
        ),
    ] {
        let out = redirect(to, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("stdout"), "{stderr}");
    }
    assert_eq!(std::fs::read(&u).unwrap(), before);
}

/// Item 9: a figure that cannot be written is refused before the experiment runs (status 2 at
/// once, no file left behind), and so is a `--plot-trial` that is not run.
#[test]
fn a_bad_figure_is_refused_before_the_experiment_runs() {
    let dir = tempfile::tempdir().unwrap();
    let nowhere = dir.path().join("no/such/dir/fig.svg");
    let fig = dir.path().join("fig.svg");
    for args in [
        vec![
            "experiment",
            "mixed",
            "--trials",
            "3",
            "--plot",
            s(&nowhere),
        ],
        vec![
            "experiment",
            "capacity",
            "--sizes",
            "64",
            "--plot",
            s(&nowhere),
        ],
        vec![
            "experiment",
            "glitch",
            "--trials",
            "2",
            "--plot",
            s(&fig),
            "--plot-trial",
            "5",
        ],
    ] {
        let start = Instant::now();
        let out = run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("recall: --plot"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(start.elapsed() < Duration::from_secs(2), "it ran first");
        assert!(!fig.exists());
    }
}

/// Lines of the child's stdout, read on a thread of their own.
fn lines_of(child: &mut Child) -> std::sync::mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits at most a minute for the child to end.
fn wait(child: &mut Child) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("still running a minute after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// `cmd` run with `stdout` (stderr piped), sent SIGINT after 1.5 s, and waited for.
fn interrupted(mut cmd: Command, stdout: Stdio) -> (Child, std::process::ExitStatus) {
    let mut child = cmd.stdout(stdout).stderr(Stdio::piped()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    interrupt(&child);
    let status = wait(&mut child);
    (child, status)
}

fn stderr_of(child: &mut Child) -> String {
    let mut text = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// "interrupted: K of T unit" on stderr: (K, T).
fn counts(stderr: &str) -> (usize, usize) {
    let rest = stderr
        .split("interrupted: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no interrupted line: {stderr}"));
    let words: Vec<&str> = rest.split_whitespace().collect();
    assert_eq!(words[1], "of", "{stderr}");
    (words[0].parse().unwrap(), words[2].parse().unwrap())
}

/// Item 10: with --csv, rows are written as trials finish; on Ctrl-C the rows of every finished
/// trial are there, in trial order, the same rows an uninterrupted run writes, and stderr says
/// how many of how many; status 130.
#[test]
fn ctrl_c_keeps_the_rows_of_the_finished_trials() {
    // (experiment, its flags, rows per job)
    let cases: [(&str, &[&str], usize); 4] = [
        ("mixed", &["--trials", "3000"], 21),
        ("noise-sweep", &["--trials", "3000"], 21),
        ("glitch", &["--trials", "3000"], 7),
        (
            "capacity",
            &[
                "--trials", "500", "--sizes", "64,128", "--loads", "0.1,0.2", "--cues", "2",
            ],
            // The seven capacity models × 2 cues.
            14,
        ),
    ];
    for (name, flags, per_job) in cases {
        let mut child = recall()
            .args(["experiment", name, "--csv"])
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = lines_of(&mut child);
        let mut got = Vec::new();
        while got.len() < 2 {
            match lines.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => got.push(line),
                Err(_) => {
                    let _ = child.kill();
                    panic!("{name}: no CSV row within a minute: {got:?}");
                }
            }
        }
        interrupt(&child);
        let status = wait(&mut child);
        got.extend(lines.iter());
        let stderr = stderr_of(&mut child);
        assert_eq!(status.code(), Some(130), "{name}: {stderr}");
        let (done, total) = counts(&stderr);
        assert!(done >= 1 && done < total, "{name}: {stderr}");
        assert!(got[0].starts_with("trial,seed,"), "{name}: {}", got[0]);
        assert_eq!(got.len() - 1, done * per_job, "{name}: {stderr}");
        // In trial order, and the rows of an uninterrupted run of the first trial.
        let trials: Vec<usize> = got[1..]
            .iter()
            .map(|l| l.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert!(
            trials.windows(2).all(|w| w[0] <= w[1]),
            "{name}: out of order"
        );
        let mut first: Vec<&str> = flags.to_vec();
        first[1] = "1";
        let whole = run(&[&["experiment", name, "--csv"], &first[..]].concat());
        let whole = String::from_utf8(whole.stdout).unwrap();
        let whole: Vec<&str> = whole.lines().collect();
        assert_eq!(got[..2], whole[..2], "{name}");
        for row in got.iter().filter(|l| l.starts_with("0,")) {
            assert!(whole.contains(&row.as_str()), "{name}: {row}");
        }
    }
}

/// Ctrl-C with `--plot`: the figure is drawn from the finished trials and says so (it was
/// not drawn at all, so an hour's sweep interrupted kept its table and lost its figure).
#[test]
fn ctrl_c_draws_the_figure_of_the_finished_trials() {
    let dir = tempfile::tempdir().unwrap();
    for (name, flags) in [
        ("mixed", &["--trials", "3000"][..]),
        ("noise-sweep", &["--trials", "3000"][..]),
        ("capacity", &["--trials", "500", "--sizes", "64,128"][..]),
    ] {
        let svg = dir.path().join(format!("{name}.svg"));
        let mut cmd = recall();
        cmd.args(["experiment", name, "--plot", svg.to_str().unwrap()])
            .args(flags);
        let (mut child, status) = interrupted(cmd, Stdio::null());
        let stderr = stderr_of(&mut child);
        assert_eq!(status.code(), Some(130), "{name}: {stderr}");
        let (done, total) = counts(&stderr);
        if done == 0 {
            // A slow machine finished nothing in the time: nothing to draw, and it says so.
            assert!(stderr.contains("no figure drawn"), "{name}: {stderr}");
            continue;
        }
        assert!(
            stderr.contains("the figure draws those only"),
            "{name}: {stderr}"
        );
        let figure = std::fs::read_to_string(&svg).unwrap_or_default();
        let said = format!("Interrupted: drawn from the {done} of {total} ");
        assert!(figure.contains(&said), "{name}: no {said:?} in the figure");
    }
}

/// Item 10 without --csv: Ctrl-C prints the table of the finished trials, saying how many.
#[test]
fn ctrl_c_prints_the_table_of_the_finished_trials() {
    for (name, flags) in [
        ("mixed", &["--trials", "3000"][..]),
        ("capacity", &["--trials", "500", "--sizes", "64,128"][..]),
    ] {
        let mut cmd = recall();
        cmd.args(["experiment", name]).args(flags);
        let (mut child, status) = interrupted(cmd, Stdio::piped());
        let mut table = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut table)
            .unwrap();
        let stderr = stderr_of(&mut child);
        assert_eq!(status.code(), Some(130), "{name}: {stderr}");
        let (done, total) = counts(&stderr);
        // The first numbers of the table's first line are what it counts.
        let said = format!(" the {done} of {total} ");
        let first = table.lines().next().unwrap_or_default();
        assert!(first.contains(&said), "{name}: {first}");
        assert!(
            first.contains("that finished before the interrupt, of "),
            "{name}: {first}"
        );
        assert!(table.contains("idp"), "{name}: {table}");
    }
}

/// Ctrl-C of `recall run` keeps the run so far: each model's summary (the table, or the JSON
/// lines' summary records), a line on stderr saying where it stopped, and status 130 (it was
/// killed with nothing written).
#[test]
fn ctrl_c_of_a_run_writes_the_summary_of_what_ran() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["table", "jsonl"] {
        // To a file: the JSON lines' theory records would fill a pipe nobody reads yet.
        let path = dir.path().join(format);
        let mut cmd = recall();
        cmd.args(["run", "--duration", "1000000", "--every", "1000"])
            .args(["--format", format]);
        let (mut child, status) =
            interrupted(cmd, Stdio::from(std::fs::File::create(&path).unwrap()));
        let out = std::fs::read_to_string(&path).unwrap();
        let stderr = stderr_of(&mut child);
        assert_eq!(status.code(), Some(130), "{format}: {stderr}");
        assert!(
            stderr.contains("interrupted at ") && stderr.contains("of the 1000000 s asked"),
            "{format}: {stderr}"
        );
        match format {
            "table" => assert!(
                out.contains("s of model time") && out.contains("idp"),
                "{out}"
            ),
            _ => assert!(
                out.lines().any(|l| l.contains("\"type\":\"summary\"")),
                "{out}"
            ),
        }
    }
}

/// Item 10: the rows stream as trials finish, and a figure that fails after the run keeps
/// them (the directory of the figure removed while the experiment runs).
#[test]
fn a_figure_that_fails_after_the_run_keeps_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let figs = dir.path().join("figs");
    std::fs::create_dir(&figs).unwrap();
    let fig: PathBuf = figs.join("fig.svg");
    let mut child = recall()
        .args([
            "experiment",
            "mixed",
            "--csv",
            "--trials",
            "12",
            "--plot",
            s(&fig),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    let header = lines
        .recv_timeout(Duration::from_secs(60))
        .expect("no CSV header");
    let row = lines
        .recv_timeout(Duration::from_secs(60))
        .expect("no first row");
    std::fs::remove_dir(&figs).unwrap();
    let status = wait(&mut child);
    let mut got = vec![header, row];
    got.extend(lines.iter());
    let stderr = stderr_of(&mut child);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("fig.svg"), "{stderr}");
    assert_eq!(got.len(), 1 + 12 * 21, "{stderr}");
}

/// Item 11: a sweep whose networks need more than the stated bound is refused before it
/// starts, in one line with the request and the bound.
#[test]
fn capacity_refuses_networks_beyond_the_memory_bound() {
    // 0.5 bytes per neuron and memory: N = 65536 fits up to P/N = 1.
    for loads in ["4", "1.5"] {
        let start = Instant::now();
        let out = run(&[
            "experiment",
            "capacity",
            "--sizes",
            "256,65536",
            "--loads",
            loads,
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{loads}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("N = 65536") && stderr.contains("GiB") && stderr.contains("limit"),
            "{stderr}"
        );
        assert!(start.elapsed() < Duration::from_secs(2));
    }
    // Within the bound it runs.
    let out = run(&[
        "experiment",
        "capacity",
        "--sizes",
        "64",
        "--loads",
        "0.1",
        "--trials",
        "1",
        "--csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
