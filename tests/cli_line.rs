//! The command line runs what was typed (issue 24): options before the subcommand take effect or
//! are refused in one line; the built-in set and `--patterns patterns/` are one set; `recall
//! check --save-memories`; the manual pages and the completions' values.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn recall(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recall"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = recall(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn first_json(args: &[&str]) -> serde_json::Value {
    let text = stdout(args);
    serde_json::from_str(text.lines().next().unwrap()).unwrap()
}

fn patterns_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns")
}

#[test]
fn options_before_run_take_effect() {
    let head = first_json(&["--noise", "0", "--seed", "5", "run", "--duration", "1"]);
    assert_eq!(
        (head["noise_std"].as_f64(), head["seed"].as_u64()),
        (Some(0.0), Some(5))
    );
    // The same run as with the options after the subcommand.
    assert_eq!(
        stdout(&["--noise", "0", "--seed", "5", "run", "--duration", "2"]),
        stdout(&["run", "--noise", "0", "--seed", "5", "--duration", "2"])
    );
    let dir = tempfile::tempdir().unwrap();
    for name in ["cat", "dog"] {
        std::fs::copy(
            patterns_dir().join(format!("{name}.txt")),
            dir.path().join(format!("{name}.txt")),
        )
        .unwrap();
    }
    let d = dir.path().to_str().unwrap();
    let head = first_json(&["--patterns", d, "run", "--duration", "1"]);
    assert_eq!(head["memories"], serde_json::json!(["cat", "dog"]));
    let head = first_json(&[
        "--scenario",
        "explore",
        "run",
        "--saliencies",
        "0.5,0.3",
        "--duration",
        "1",
    ]);
    assert_eq!(head["scenario"], "explore");
    // Explore's input is made from its saliencies alone: no stream's gain or flips ran.
    assert!(
        head["input_gain"].is_null() && head["flip_prob"].is_null(),
        "{head}"
    );
    assert_eq!(head["saliencies"][0], 0.5);
    // Without --saliencies every α is 0, and the record says so.
    let head = first_json(&["--scenario", "explore", "run", "--duration", "1"]);
    let alphas = head["saliencies"].as_array().expect("saliencies recorded");
    assert_eq!(alphas.len(), 10);
    assert!(alphas.iter().all(|a| a == 0.0), "{head}");
    // A model's own option, for a run that runs that model (as --model or in --compare).
    for args in [
        &[
            "run",
            "--model",
            "idp-modern",
            "--beta",
            "3",
            "--duration",
            "1",
        ][..],
        &[
            "run",
            "--compare",
            "modern",
            "--beta",
            "3",
            "--duration",
            "1",
        ],
        &[
            "--tau-alpha",
            "0.5",
            "run",
            "--model",
            "idp-filter",
            "--duration",
            "1",
        ],
    ] {
        stdout(args);
    }
}

#[test]
fn options_that_belong_elsewhere_are_refused_in_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--fps", "30", "run", "--duration", "1"],
            "`recall run` draws nothing",
        ),
        (
            &["--seed", "5", "run", "--seed", "6"],
            "given both before and after `run`",
        ),
        (
            &["--seed", "5", "experiment", "mixed", "--trials", "1"],
            "recall experiment NAME --seed N",
        ),
        (
            &["--noise", "0", "experiment", "mixed", "--trials", "1"],
            "not of `recall experiment`",
        ),
        (
            &["--noise", "1", "check", "patterns"],
            "not of `recall check`",
        ),
        (
            &["--model", "discrete", "completions", "bash"],
            "not of `recall completions`",
        ),
        (&["--ascii", "man"], "not of `recall man`"),
        (
            &["--screenshot", "x.svg", "run", "--duration", "1"],
            "--screenshot is an option of the dashboard",
        ),
        (
            &["--record", "x.cast", "serve"],
            "--record is an option of the dashboard",
        ),
        (
            &["--no-color", "serve", "--fps", "3", "--no-color"],
            "given both before and after `serve`",
        ),
        // An experiment's own option, typed for one that does not read it.
        (
            &["experiment", "mixed", "--models", "idp", "--trials", "1"],
            "--models is an option of `recall experiment capacity`, not of `recall experiment mixed`",
        ),
        (
            &["experiment", "capacity", "--sigmas", "2", "--sizes", "64"],
            "--sigmas is an option of `recall experiment mixed|glitch|noise-sweep|density`",
        ),
        (
            &["experiment", "glitch", "--particles", "10", "--trials", "1"],
            "not of `recall experiment glitch`",
        ),
        (
            &["experiment", "density", "--sizes", "64"],
            "--sizes is an option of `recall experiment capacity`",
        ),
        (
            &[
                "experiment",
                "noise-sweep",
                "--plot-trial",
                "0",
                "--plot",
                "x.svg",
            ],
            "--plot-trial is an option of `recall experiment mixed|glitch`",
        ),
        (
            &["experiment", "mixed", "--plot-trial", "0", "--trials", "1"],
            "--plot-trial picks the trial --plot draws",
        ),
        (
            &["experiment", "mixed", "--beta", "3", "--trials", "1"],
            "--beta is an option of `recall experiment density`",
        ),
        (
            &["experiment", "density", "--beta", "3", "--trials", "1"],
            "--beta is the softmax's β of idp-modern: give --model idp-modern too",
        ),
        (
            &["run", "--poll", "50", "--duration", "1"],
            "--poll sets how the directory of --patterns is watched",
        ),
        (
            &["run", "--beta", "5", "--duration", "1"],
            "--beta is an option of modern or idp-modern, which this run does not run (idp)",
        ),
        (
            &[
                "--beta",
                "5",
                "run",
                "--compare",
                "idp-filter",
                "--duration",
                "1",
            ],
            "--beta is an option of modern or idp-modern",
        ),
        (
            &["run", "--tau-alpha", "5", "--duration", "1"],
            "--tau-alpha is an option of idp-filter, which this run does not run (idp)",
        ),
        (
            &["run", "--every", "0.333", "--duration", "1"],
            "--every 0.333 s is not a whole number of steps of --dt 0.01 s (samples fall on \
             steps): give 0.33 or 0.34",
        ),
        (
            &["run", "--every", "0.001", "--duration", "1"],
            "--every 0.001 s is not a whole number of steps of --dt 0.01 s (samples fall on \
             steps): give 0.01",
        ),
        (
            &["run", "--model", "modern", "--gain", "3", "--duration", "1"],
            "--gain is an option of idp, idp-filter or a classic model, which this run does not \
             run (modern); discrete reads the input's signs",
        ),
        (
            &[
                "--gain",
                "3",
                "run",
                "--model",
                "idp-modern",
                "--duration",
                "1",
            ],
            "--gain is an option of idp, idp-filter or a classic model",
        ),
        (
            &[
                "run",
                "--model",
                "discrete",
                "--compare",
                "modern",
                "--activation-gain",
                "3",
                "--duration",
                "1",
            ],
            "--activation-gain is an option of idp, idp-filter or a classic model, which this \
             run does not run (discrete, modern)",
        ),
        (
            &[
                "run",
                "--model",
                "idp-modern",
                "--no-zero-diagonal",
                "--duration",
                "1",
            ],
            "--no-zero-diagonal is an option of a model with a matrix W (any but modern and idp-modern)",
        ),
        (
            &[
                "run",
                "--input",
                "u.npy",
                "--scenario",
                "morph",
                "--duration",
                "1",
            ],
            "give --scenario or --input, not both",
        ),
        (
            &["run", "--gain", "2", "--input", "u.npy", "--duration", "1"],
            "give --gain or --input, not both",
        ),
        (
            &[
                "run",
                "--input",
                "u.npy",
                "--flip-rate",
                "0.1",
                "--duration",
                "1",
            ],
            "give --flip-rate or --input, not both",
        ),
        (
            &[
                "run",
                "--compare",
                "classic-pulsed",
                "--beta",
                "3",
                "--duration",
                "1",
            ],
            "which this run does not run (idp, classic-pulsed)",
        ),
        (
            &["run", "--duration", "1e-300"],
            "--duration 1e-300 s is less than half a step (--dt 0.01 s), so nothing would run",
        ),
        (
            &["run", "--dt", "0.1", "--duration", "0.04"],
            "give at least 0.05",
        ),
    ];
    for (args, says) in cases {
        let out = recall(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// The same ten files, built in or from `patterns/`, are the same memories in the same order,
/// so a seed gives the same run.
#[test]
fn the_builtin_set_and_the_patterns_directory_give_the_same_run() {
    let dir = patterns_dir();
    let d = dir.to_str().unwrap();
    let args = ["run", "--duration", "20", "--format", "csv"];
    let builtin = stdout(&args);
    let mut with_dir = args.to_vec();
    with_dir.extend(["--patterns", d]);
    assert_eq!(builtin, stdout(&with_dir));
    // In JSON lines the header says where the memories came from (it did not: two runs with
    // different sets of the same names read alike), and nothing else differs.
    let args = ["run", "--duration", "2"];
    let (builtin, from_dir) = (
        stdout(&args),
        stdout(&[&args[..], &["--patterns", d]].concat()),
    );
    let header = |text: &str| -> serde_json::Value {
        serde_json::from_str(text.lines().next().unwrap()).unwrap()
    };
    assert!(header(&builtin)["patterns"].is_null(), "{builtin}");
    assert_eq!(header(&from_dir)["patterns"], d);
    assert!(builtin.lines().skip(1).eq(from_dir.lines().skip(1)));
}

#[test]
fn check_writes_the_memories_of_a_directory_and_of_the_builtin_set() {
    let tmp = tempfile::tempdir().unwrap();
    let path = |name: &str| tmp.path().join(name).to_str().unwrap().to_string();
    let dir = patterns_dir();
    let text = stdout(&[
        "check",
        dir.to_str().unwrap(),
        "--save-memories",
        &path("dir.npy"),
    ]);
    assert!(text.contains("wrote the memories"), "{text}");
    let text = stdout(&[
        "check",
        "--builtin",
        "--save-memories",
        &path("builtin.npy"),
    ]);
    assert!(text.contains("bird, cat, dog"), "{text}");
    stdout(&[
        "run",
        "--duration",
        "0.01",
        "--format",
        "table",
        "--save-memories",
        &path("run.npy"),
    ]);
    let read = |name: &str| std::fs::read(path(name)).unwrap();
    assert_eq!(read("dir.npy"), read("run.npy"));
    assert_eq!(read("builtin.npy"), read("run.npy"));
    // Nothing valid: nothing written, one line.
    let empty = tempfile::tempdir().unwrap();
    let out = recall(&[
        "check",
        empty.path().to_str().unwrap(),
        "--save-memories",
        &path("none.npy"),
    ]);
    assert!(!out.status.success());
    assert!(!Path::new(&path("none.npy")).exists());
}

#[test]
fn every_subcommand_has_a_manual_page_and_the_main_page_its_sections() {
    for page in ["run", "experiment", "check", "completions", "man", "serve"] {
        let text = stdout(&["man", page]);
        assert!(text.contains(&format!(".TH recall-{page} 1")), "{page}");
        assert!(text.contains(".SH OPTIONS"), "{page}");
    }
    let main = stdout(&["man"]);
    for section in ["KEYS", "EXAMPLES", "FILES", "ENVIRONMENT", "SUBCOMMANDS"] {
        assert!(main.contains(&format!(".SH {section}\n")), "{section}");
    }
    for (keys, _) in recall::ui::keys::HELP {
        let roff = keys.replace('-', "\\-");
        assert!(main.contains(&format!("\\fB{roff}\\fR")), "key {keys:?}");
    }
    for word in [
        "NO_COLOR",
        "XDG_STATE_HOME",
        "ssh_host_ed25519_key",
        "recall\\-run(1)",
    ] {
        assert!(main.contains(word), "{word}");
    }
}

const SCENARIOS: &str = "tour morph partial mixed glitch noise-ramp explore density";
const MODELS: &str =
    "idp idp-filter classic-pulsed classic-constant classic-initial discrete modern idp-modern";
const EXPERIMENTS: &str = "mixed glitch noise-sweep capacity density";

#[test]
fn completions_offer_experiments_models_and_scenarios() {
    let bash = stdout(&["completions", "bash"]);
    for values in [SCENARIOS, MODELS] {
        assert!(
            bash.contains(&format!("compgen -W \"{values}\"")),
            "bash: {values}"
        );
    }
    assert!(bash.contains(EXPERIMENTS), "bash: experiments");
    let zsh = stdout(&["completions", "zsh"]);
    for values in [SCENARIOS, MODELS, EXPERIMENTS] {
        assert!(zsh.contains(&format!(":({values})'")), "zsh: {values}");
    }
    let fish = stdout(&["completions", "fish"]);
    for name in SCENARIOS.split(' ').chain(MODELS.split(' ')) {
        assert!(
            fish.contains(&format!("\n{name}\\t")) || fish.contains(&format!("\"{name}\\t")),
            "fish: {name}"
        );
    }
    assert!(
        fish.contains(&format!(
            "__fish_recall_using_subcommand experiment\" -f -a \"{EXPERIMENTS}\""
        )),
        "fish: experiments"
    );
}

/// What a bash user gets on TAB, when bash is there.
#[test]
fn bash_completes_the_values() {
    let script = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(script.path(), stdout(&["completions", "bash"])).unwrap();
    let probe = format!(
        "source {}; complete_at() {{ COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); \
         _recall recall \"\" \"${{@: -2:1}}\"; echo \"${{COMPREPLY[*]}}\"; }}; \
         complete_at recall experiment ''; complete_at recall run --model ''; \
         complete_at recall --scenario ''",
        script.path().display()
    );
    let Ok(out) = Command::new("bash").arg("-c").arg(&probe).output() else {
        eprintln!("no bash here: skipped");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(lines[0].ends_with(EXPERIMENTS), "{}", lines[0]);
    assert_eq!(lines[1], MODELS);
    assert_eq!(lines[2], SCENARIOS);
}
