//! Runs anyone can reproduce: `recall run --input/--init-state/--save-states/--save-memories`,
//! `--flip-rate`, `--no-zero-diagonal`, bad NPY files, a killed run's states; JSON lines rounded
//! and named one way; `--format table`; figures; shards; completions and the manual page.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn recall() -> Command {
    Command::new(env!("CARGO_BIN_EXE_recall"))
}

fn run(args: &[&str]) -> Output {
    recall().args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

/// The built-in set's N.
const N: usize = 1024;

fn write_f32(path: &Path, values: &[f32]) {
    let dict = format!(
        "{{'descr': '<f4', 'fortran_order': False, 'shape': ({},), }}",
        values.len()
    );
    let data: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    raw_npy(path, &dict, &data);
}

/// An NPY file with header dict `dict` and raw data `data`.
fn raw_npy(path: &Path, dict: &str, data: &[u8]) {
    let mut header = dict.as_bytes().to_vec();
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(b' ');
    }
    header.push(b'\n');
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(b"\x93NUMPY\x01\x00").unwrap();
    f.write_all(&(header.len() as u16).to_le_bytes()).unwrap();
    f.write_all(&header).unwrap();
    f.write_all(data).unwrap();
}

fn f64_npy(path: &Path, values: &[f64]) {
    let dict = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({},), }}",
        values.len()
    );
    raw_npy(
        path,
        &dict,
        &values
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<_>>(),
    );
}

fn read_npy(path: &Path) -> (Vec<u64>, Vec<f32>) {
    let file = std::fs::File::open(path).unwrap();
    let npy = npyz::NpyFile::new(std::io::BufReader::new(file)).unwrap();
    let shape = npy.shape().to_vec();
    (shape, npy.into_vec::<f32>().unwrap())
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn p(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn bad_npy_files_are_one_line_naming_the_file_and_status_2() {
    let dir = tmp();
    let short = p(&dir, "short.npy");
    write_f32(&short, &[0.5; 10]);
    let ints = p(&dir, "ints.npy");
    raw_npy(
        &ints,
        &format!("{{'descr': '<i4', 'fortran_order': False, 'shape': ({N},), }}"),
        &vec![0u8; 4 * N],
    );
    let text = p(&dir, "text.npy");
    std::fs::write(&text, "1 2 3\n").unwrap();
    let nan = p(&dir, "nan.npy");
    let mut values = vec![0.1f32; N];
    values[17] = f32::NAN;
    write_f32(&nan, &values);
    let matrix = p(&dir, "matrix.npy");
    raw_npy(
        &matrix,
        "{'descr': '<f4', 'fortran_order': False, 'shape': (32, 32), }",
        &vec![0u8; 4 * N],
    );
    let missing = p(&dir, "missing.npy");
    for (file, needle) in [
        (&short, "expected a vector of N = 1024"),
        (&ints, "expected float32 or float64"),
        (&text, "not an NPY file"),
        (&nan, "value 17 is NaN"),
        (&matrix, "shape (32, 32)"),
        (&missing, "cannot open"),
    ] {
        for flag in ["--input", "--init-state"] {
            let out = run(&["run", "--duration", "1", flag, s(file)]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{flag} {file:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(
                stderr.contains(s(file)) && stderr.contains(needle),
                "{stderr}"
            );
            assert!(out.stdout.is_empty());
        }
    }
}

/// The table says the model time run with the digits it has, and the header's default
/// `every_secs` is the round number it is (0.99 s read "1.0 s"; 0.49000000000000005).
#[test]
fn times_are_said_with_their_own_digits() {
    let table = ok(&[
        "run",
        "--dt",
        "0.03",
        "--duration",
        "1",
        "--format",
        "table",
    ]);
    assert!(table.contains("\n0.99 s of model time."), "{table}");
    let table = ok(&["run", "--duration", "3", "--format", "table"]);
    assert!(table.contains("\n3.0 s of model time."), "{table}");
    let out = ok(&["run", "--dt", "0.07", "--duration", "1"]);
    let header = out.lines().next().unwrap();
    assert!(header.contains("\"every_secs\":0.49,"), "{header}");
}

/// An input about no memory has no truth to score against; one whose saliencies overflow
/// float32 is refused before the run (it diverged at the first step, with status 0).
#[test]
fn an_input_about_no_memory_or_too_large_to_project() {
    let dir = tmp();
    let zero = p(&dir, "zero.npy");
    write_f32(&zero, &[0.0; N]);
    let out = ok(&["run", "--duration", "1", "--input", s(&zero)]);
    for line in out.lines().filter(|l| l.contains("\"truth\"")) {
        assert!(line.contains("\"truth\":null"), "{line}");
    }
    let table = ok(&[
        "run",
        "--duration",
        "1",
        "--input",
        s(&zero),
        "--format",
        "table",
    ]);
    assert!(table.contains("0 of 0"), "{table}");
    let huge = p(&dir, "huge.npy");
    write_f32(&huge, &[3e38; N]);
    let out = run(&["run", "--duration", "1", "--input", s(&huge)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(s(&huge)) && stderr.contains("overflow float32"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_constant_input_and_a_given_initial_state_are_used_as_given() {
    let dir = tmp();
    let xi = p(&dir, "xi.npy");
    ok(&[
        "run",
        "--duration",
        "0.01",
        "--format",
        "table",
        "--save-memories",
        s(&xi),
    ]);
    let (shape, memories) = read_npy(&xi);
    assert_eq!(shape, [shape[0], N as u64]);
    // u = 3·ξ_2 + 1.5·ξ_5 (no input gain is applied): IDP settles on memory 2.
    let u: Vec<f32> = (0..N)
        .map(|i| 3.0 * memories[2 * N + i] + 1.5 * memories[5 * N + i])
        .collect();
    let input = p(&dir, "u.npy");
    write_f32(&input, &u);
    let x0: Vec<f64> = (0..N)
        .map(|i| ((i * 7919) % 13) as f64 / 6.0 - 1.0)
        .collect();
    let init = p(&dir, "x0.npy");
    f64_npy(&init, &x0);
    let states = p(&dir, "states.npy");
    let text = ok(&[
        "run",
        "--input",
        s(&input),
        "--init-state",
        s(&init),
        "--save-states",
        s(&states),
        "--noise",
        "0",
        "--duration",
        "5",
        "--every",
        "0.5",
    ]);
    let (shape, x) = read_npy(&states);
    assert_eq!(shape, [11, N as u64]);
    // Row 0 is x(0) exactly as given (in float32).
    for i in 0..N {
        assert_eq!(x[i], x0[i] as f32);
    }
    // The same system integrated here in f64 from the same arrays (the README's NumPy snippet):
    // ẋ = −x + W(u) tanh(10x), W(u) = Ξ diag(Ξᵀu/N) Ξᵀ/N with a zero diagonal, Euler dt = 0.01.
    let p_mem = memories.len() / N;
    let alpha: Vec<f64> = (0..p_mem)
        .map(|mu| {
            (0..N)
                .map(|i| f64::from(memories[mu * N + i] * u[i]))
                .sum::<f64>()
                / N as f64
        })
        .collect();
    let diag: f64 = alpha.iter().sum::<f64>() / N as f64;
    let mut y = x0.clone();
    let mut worst = 0.0f64;
    for step in 1..=500 {
        let psi: Vec<f64> = y.iter().map(|v| (10.0 * v).tanh()).collect();
        let m: Vec<f64> = (0..p_mem)
            .map(|mu| {
                (0..N)
                    .map(|i| f64::from(memories[mu * N + i]) * psi[i])
                    .sum::<f64>()
            })
            .collect();
        for i in 0..N {
            let field: f64 = (0..p_mem)
                .map(|mu| alpha[mu] * f64::from(memories[mu * N + i]) * m[mu])
                .sum::<f64>()
                / N as f64
                - diag * psi[i];
            y[i] += 0.01 * (-y[i] + field);
        }
        if step % 50 == 0 {
            let row = &x[(step / 50) * N..(step / 50 + 1) * N];
            for i in 0..N {
                worst = worst.max((f64::from(row[i]) - y[i]).abs());
            }
        }
    }
    assert!(
        worst < 1e-4,
        "recall and the f64 integration differ by {worst}"
    );
    // The records say what was run.
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["input"], s(&input));
    assert_eq!(first["init_state"], true);
    // The stream's settings are not what ran: the input replaced the stream.
    for key in ["scenario", "input_gain", "flip_prob"] {
        assert!(first[key].is_null(), "{key}: {}", first[key]);
    }
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "summary");
    let sample: serde_json::Value = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["type"] == "sample")
        .unwrap();
    assert_eq!(sample["truth"], 2, "the input is most about memory 2");
}

#[test]
fn the_snippet_in_the_readme_agrees_when_numpy_is_there() {
    let has_numpy = Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_numpy {
        eprintln!("skipped: no NumPy");
        return;
    }
    let dir = tmp();
    let at = |f: &str| s(&p(&dir, f)).to_string();
    ok(&["check", "--builtin", "--save-memories", &at("xi.npy")]);
    let make = "import numpy as np; X = np.load('xi.npy'); rng = np.random.default_rng(1); \
                np.save('u.npy', (3*X[2] + 1.5*X[5]).astype(np.float32)); \
                np.save('x0.npy', rng.standard_normal(X.shape[1]))";
    let py = |code: &str| {
        let out = Command::new("python3")
            .args(["-c", code])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    py(make);
    ok(&[
        "run",
        "--input",
        &at("u.npy"),
        "--init-state",
        &at("x0.npy"),
        "--save-states",
        &at("states.npy"),
        "--noise",
        "0",
        "--duration",
        "10",
        "--format",
        "table",
    ]);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/reproducible.md"))
            .unwrap();
    let start = readme
        .find("    import numpy as np")
        .expect("the snippet is in docs/reproducible.md");
    let snippet: String = readme[start..]
        .lines()
        .take_while(|l| l.starts_with("    "))
        .map(|l| format!("{}\n", &l[4..]))
        .collect();
    assert_eq!(snippet.lines().count(), 5, "{snippet}");
    let diff: f64 = py(&snippet).trim().parse().unwrap();
    assert!(diff < 1e-4, "NumPy and recall differ by {diff}");
}

#[test]
fn a_killed_run_leaves_a_readable_file_of_the_samples_so_far() {
    let dir = tmp();
    let states = p(&dir, "states.npy");
    let mut child = recall()
        .args([
            "run",
            "--duration",
            "100000",
            "--every",
            "0.01",
            "--format",
            "table",
        ])
        .args(["--save-states", s(&states)])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::metadata(&states).map_or(0, |m| m.len()) < 128 + 40 * 4 * N as u64 {
        assert!(Instant::now() < deadline, "no states written");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: nothing is flushed or fixed up
    child.wait().unwrap();
    let (shape, x) = read_npy(&states);
    assert_eq!(shape.len(), 2);
    assert!(shape[0] >= 40, "{shape:?}");
    assert_eq!(shape[1], N as u64);
    assert_eq!(x.len() as u64, shape[0] * N as u64);
    assert!(x.iter().all(|v| v.is_finite()));
    // With --compare the file holds every model: (samples, models, N).
    let both = p(&dir, "both.npy");
    ok(&[
        "run",
        "--duration",
        "1",
        "--compare",
        "--format",
        "table",
        "--save-states",
        s(&both),
    ]);
    assert_eq!(read_npy(&both).0, [3, 2, N as u64]);
}

#[test]
fn flip_rate_and_the_diagonal_reach_the_run() {
    let header = |args: &[&str]| -> (serde_json::Value, String) {
        let mut all = vec!["run", "--duration", "4"];
        all.extend_from_slice(args);
        let text = ok(&all);
        let first = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        (first, text)
    };
    let (plain, plain_text) = header(&[]);
    assert_eq!(plain["flip_prob"], 0.05);
    assert_eq!(plain["zero_diagonal"], true);
    let (flipped, flipped_text) = header(&["--flip-rate", "0.3"]);
    assert_eq!(flipped["flip_prob"], 0.3);
    let (diag, diag_text) = header(&["--no-zero-diagonal"]);
    assert_eq!(diag["zero_diagonal"], false);
    // Each changes the trajectory (the saliencies see the flips; W its diagonal).
    let samples = |t: &str| {
        t.lines()
            .filter(|l| l.contains("\"sample\""))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_ne!(samples(&plain_text), samples(&flipped_text));
    assert_ne!(samples(&plain_text), samples(&diag_text));
    for bad in ["-0.1", "1.5", "x"] {
        let out = run(&["run", "--flip-rate", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
}

/// The decimals of every number in a JSON value (recursively).
fn max_decimals(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Number(n) => {
            let t = n.to_string();
            t.split_once('.').map_or(0, |(_, d)| {
                d.trim_end_matches(|c: char| !c.is_ascii_digit()).len()
            })
        }
        serde_json::Value::Array(a) => a.iter().map(max_decimals).max().unwrap_or(0),
        serde_json::Value::Object(m) => m.values().map(max_decimals).max().unwrap_or(0),
        _ => 0,
    }
}

#[test]
fn json_lines_are_rounded_and_each_name_has_one_meaning() {
    let text = ok(&["run", "--duration", "30", "--compare", "--every", "0.3"]);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut glitch_events = 0;
    for l in &lines[1..] {
        assert!(max_decimals(l) <= 4, "{l}");
        match l["type"].as_str().unwrap() {
            "sample" => assert!(l["glitch"].is_boolean()),
            "event" => {
                assert!(l.get("glitch").is_none(), "{l}");
                if let Some(id) = l.get("glitch_memory") {
                    assert!(id.is_u64());
                    assert!(l["glitch_memory_name"].is_string());
                    glitch_events += 1;
                }
            }
            _ => {}
        }
    }
    assert!(glitch_events > 0);
    // 0.3-s samples: the times are 0.3, 0.6, 0.9, … exactly as written.
    let times: Vec<String> = lines
        .iter()
        .filter(|l| l["type"] == "sample")
        .map(|l| l["time_secs"].to_string())
        .collect();
    assert_eq!(&times[..4], ["0.0", "0.3", "0.6", "0.9"]);
}

#[test]
fn format_table_prints_one_row_per_model() {
    let text = ok(&["run", "--duration", "20", "--compare", "--format", "table"]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("model") && lines[0].contains("accuracy"));
    assert!(lines[1].starts_with("idp ") && lines[2].starts_with("classic-pulsed "));
    assert!(!text.contains('{'));
}

fn assert_png(path: &Path) {
    let img = image::open(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    assert!(img.width() >= 800 && img.height() >= 400, "{path:?}");
    // Not blank: some dark pixels (text, lines) on the white background.
    let rgb = img.to_rgb8();
    let dark = rgb
        .pixels()
        .filter(|p| p.0.iter().all(|&c| c < 100))
        .count();
    assert!(dark > 1000, "{path:?} has {dark} dark pixels");
}

fn assert_svg(path: &Path, words: &[&str]) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.starts_with("<svg") && text.trim_end().ends_with("</svg>"),
        "{path:?}"
    );
    for w in words {
        assert!(text.contains(w), "{path:?} lacks {w:?}");
    }
}

#[test]
fn every_figure_is_written_as_png_and_svg() {
    let dir = tmp();
    for ext in ["png", "svg"] {
        let f = |name: &str| p(&dir, &format!("{name}.{ext}"));
        ok(&[
            "run",
            "--duration",
            "20",
            "--compare",
            "--format",
            "table",
            "--plot",
            s(&f("run")),
        ]);
        ok(&[
            "experiment",
            "mixed",
            "--trials",
            "2",
            "--plot",
            s(&f("mixed")),
        ]);
        ok(&[
            "experiment",
            "glitch",
            "--trials",
            "2",
            "--plot",
            s(&f("glitch")),
            "--plot-trial",
            "1",
        ]);
        ok(&[
            "experiment",
            "noise-sweep",
            "--trials",
            "2",
            "--sigmas",
            "0,4",
            "--plot",
            s(&f("sweep")),
        ]);
        ok(&[
            "experiment",
            "capacity",
            "--sizes",
            "64,128",
            "--loads",
            "0.05,0.2,0.3",
            "--trials",
            "1",
            "--plot",
            s(&f("capacity")),
        ]);
        if ext == "png" {
            for name in ["run", "mixed", "glitch", "sweep", "capacity"] {
                assert_png(&f(name));
            }
        } else {
            assert_svg(
                &f("run"),
                &["time (s)", "overlap |m_μ|", "idp", "classic-pulsed"],
            );
            assert_svg(
                &f("mixed"),
                &["median and 10–90% of 2 trials", "stimulus 1"],
            );
            assert_svg(&f("glitch"), &["glitch", "trial 1"]);
            assert_svg(&f("sweep"), &["network noise σ", "clean retrievals"]);
            // idp-modern's panel says its own rule for "retrieved" (m ≥ 0.9·α: it settles at
            // x ≈ α·ξ), the classic models' panel the plain one.
            assert_svg(
                &f("capacity"),
                &[
                    "load P/N",
                    "AGS α_c = 0.138",
                    "discrete",
                    "fraction of cues with final |m| ≥ 0.9",
                    "(idp-modern: m ≥ 0.9·α)",
                ],
            );
        }
    }
    for (args, needle) in [
        (&["run", "--plot", "x.pdf"][..], ".svg or .png"),
        (&["experiment", "capacity", "--plot", "x"], ".svg or .png"),
    ] {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(needle) && stderr.lines().count() == 1,
            "{stderr}"
        );
    }
    let out = run(&[
        "experiment",
        "glitch",
        "--trials",
        "2",
        "--plot",
        s(&p(&dir, "g.png")),
        "--plot-trial",
        "5",
    ]);
    // Refused before the run (issue 25): a usage error.
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not among the trials run"));
}

#[test]
fn two_shards_of_csv_are_one_run_byte_for_byte() {
    for (name, extra) in [
        ("mixed", &["--sigmas", "0,8"][..]),
        ("glitch", &[][..]),
        ("capacity", &["--sizes", "64", "--loads", "0.1,0.3"][..]),
    ] {
        let go = |more: &[&str]| {
            let mut args = vec!["experiment", name, "--csv"];
            args.extend_from_slice(extra);
            args.extend_from_slice(more);
            ok(&args)
        };
        let whole = go(&["--trials", "4"]);
        let first = go(&["--trials", "1"]);
        let rest = go(&["--trials", "3", "--first-trial", "1", "--no-header"]);
        assert_eq!(whole, first + &rest, "{name}");
        // The shard's own header line, for a shard read alone.
        let alone = go(&["--trials", "3", "--first-trial", "1"]);
        assert_eq!(alone.lines().next(), whole.lines().next());
    }
}

#[test]
fn completions_and_the_manual_page() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let text = ok(&["completions", shell]);
        assert!(text.contains("recall"), "{shell}");
        assert!(
            text.contains("experiment") && text.contains("save-states"),
            "{shell}"
        );
    }
    let man = ok(&["man"]);
    assert!(
        man.contains(".TH recall 1") && man.contains("experiment"),
        "{man}"
    );
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `recall run --patterns` says on stderr what `recall check` warns of (a user trial ran five
/// identical memories without a word), and runs the set as given.
#[test]
fn a_run_on_a_set_with_duplicates_warns_as_check_does() {
    let dir = tmp();
    let a = "#.#.\n.#.#\n##..\n..##\n";
    for (name, text) in [
        ("a.txt", a),
        ("b.txt", a),
        ("c.txt", "####\n....\n#..#\n.##.\n"),
    ] {
        std::fs::write(p(&dir, name), text).unwrap();
    }
    let out = run(&[
        "run",
        "--patterns",
        s(dir.path()),
        "--duration",
        "0.1",
        "--format",
        "csv",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("recall: warning: "), "{stderr}");
    let check = recall().args(["check", s(dir.path())]).output().unwrap();
    let said = String::from_utf8_lossy(&check.stdout);
    let warning = said
        .lines()
        .find(|l| l.starts_with("warning: "))
        .expect("check warns");
    assert!(stderr.contains(warning), "run: {stderr}\ncheck: {said}");
}

/// An output that cannot be written (a directory, a path under a missing directory) is a usage
/// error before the run, status 2 and one line naming the flag and the file; it was found when
/// the run began to write (status 1).
#[test]
fn an_output_that_cannot_be_written_is_refused_before_the_run() {
    let dir = tmp();
    let missing = p(&dir, "no/such/x.npy");
    for (flag, path, says) in [
        ("--save-states", dir.path().to_path_buf(), "is a directory"),
        (
            "--save-memories",
            dir.path().to_path_buf(),
            "is a directory",
        ),
        ("--save-states", missing.clone(), "cannot write there"),
    ] {
        let out = run(&["run", "--duration", "0.1", flag, s(&path)]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {path:?}: {stderr}");
        assert!(stderr.contains(flag) && stderr.contains(says), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(out.stdout.is_empty(), "{flag}: the run started");
    }
    assert!(!missing.exists());
    // A device takes the states (the writer seeks there): /dev/null still works.
    if std::path::Path::new("/dev/null").exists() {
        ok(&["run", "--duration", "0.1", "--save-states", "/dev/null"]);
    }
}

/// `--every` left out is its default made whole steps of `--dt` (0.5 s is 166.7 steps of
/// 0.003 s: 167, 0.501 s), which the header records; given, it must be whole steps already.
#[test]
fn the_default_every_is_whole_steps_of_any_dt() {
    let stdout = ok(&["run", "--dt", "0.003", "--duration", "1"]);
    let header: serde_json::Value =
        serde_json::from_str(stdout.lines().next().expect("a header")).unwrap();
    let every = header["every_secs"].as_f64().unwrap();
    assert!((every - 0.501).abs() < 1e-12, "{every}");
    let times: Vec<f64> = stdout
        .lines()
        .filter(|l| l.contains("\"sample\""))
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["time_secs"]
                .as_f64()
                .unwrap()
        })
        .collect();
    assert_eq!(times.len(), 2, "{times:?}");
    assert!((times[1] - 0.501).abs() < 1e-9, "{times:?}");
    let out = run(&["run", "--dt", "0.003", "--every", "0.5", "--duration", "1"]);
    assert_eq!(out.status.code(), Some(2));
}

/// More memories than neurons (here 20 of 4×4 pixels; or more than 128): the theory is not
/// solved, which at 256 memories took minutes a solve and stalled the run (115 s for 1 s of
/// model time at 1024 × 256). No theory records, and stderr says why.
#[test]
fn a_set_too_large_for_the_theory_runs_without_its_records_and_says_so() {
    let dir = tmp();
    let mut state = 12345u64;
    for k in 0..20 {
        let mut text = String::new();
        for _ in 0..4 {
            for _ in 0..4 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push(if state >> 63 == 1 { '#' } else { '.' });
            }
            text.push('\n');
        }
        std::fs::write(p(&dir, &format!("m{k:02}.txt")), text).unwrap();
    }
    let out = run(&["run", "--patterns", s(dir.path()), "--duration", "2"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.lines().any(|l| l.contains("\"type\":\"sample\"")),
        "no samples"
    );
    assert!(
        !stdout.lines().any(|l| l.contains("\"type\":\"theory\"")),
        "a theory record for 20 memories of 16 neurons"
    );
    assert!(
        stderr.contains("no theory records for idp from 0.00 s: 20 memories for 16 neurons"),
        "{stderr}"
    );
}
