//! `recall --screenshot`: the dashboard drawn by recall itself, the same picture for a seed on
//! every run, and bad requests refused with status 2 and one line.

use std::process::Command;

fn recall() -> Command {
    Command::new(env!("CARGO_BIN_EXE_recall"))
}

fn shoot(dir: &std::path::Path, name: &str, args: &[&str]) -> String {
    let path = dir.join(name);
    let out = recall()
        .arg("--screenshot")
        .arg(&path)
        .args(args)
        .output()
        .expect("recall runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&path).expect("the picture was written")
}

#[test]
fn a_screenshot_is_the_dashboard_at_the_asked_size_and_the_same_for_a_seed() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let args = ["--seed", "7", "--at", "6", "--size", "100x30"];
    let a = shoot(dir.path(), "a.svg", &args);
    let b = shoot(dir.path(), "b.svg", &args);
    assert!(a.starts_with("<svg"), "{}", &a[..a.len().min(200)]);
    // 100 × 30 cells of 9 × 18 units.
    assert!(a.contains("width=\"900\" height=\"540\""));
    // The status line, the panels' titles and the key line are there as text.
    for text in [
        ">idp<",
        ">seed<",
        ">overlaps |m_μ|",
        ">memories: α and the theory",
        ">quit<",
    ] {
        assert!(a.contains(text), "no {text}");
    }
    // The model time is the one asked for.
    assert!(a.contains(">6.0s<"), "no t 6.0s");
    assert_eq!(a, b, "two screenshots of one seed differ");
    let other = shoot(
        dir.path(),
        "c.svg",
        &["--seed", "8", "--at", "6", "--size", "100x30"],
    );
    assert_ne!(a, other, "the seed changes nothing");
}

#[test]
fn bad_screenshot_requests_exit_2_with_one_line() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let png = dir.path().join("x.png");
    let svg = dir.path().join("x.svg");
    std::fs::create_dir(dir.path().join("d.svg")).unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--screenshot".into(), png.display().to_string()],
            "name the file .svg",
        ),
        (
            vec![
                "--screenshot".into(),
                svg.display().to_string(),
                "--size".into(),
                "120".into(),
            ],
            "write COLSxROWS",
        ),
        (
            vec![
                "--screenshot".into(),
                svg.display().to_string(),
                "--size".into(),
                "9000x40".into(),
            ],
            "out of range",
        ),
        (vec!["--at".into(), "5".into()], "--screenshot"),
        // Refused before the run, not after it.
        (
            vec![
                "--screenshot".into(),
                dir.path().join("nodir/x.svg").display().to_string(),
                "--at".into(),
                "2000".into(),
            ],
            "cannot write there",
        ),
        // A directory is no file name.
        (
            vec![
                "--screenshot".into(),
                dir.path().join("d.svg").display().to_string(),
            ],
            "is a directory",
        ),
        (
            vec![
                "--screenshot".into(),
                svg.display().to_string(),
                "--record".into(),
                "x.cast".into(),
            ],
            "cannot be used with",
        ),
    ];
    for (args, needle) in cases {
        let out = recall().args(&args).output().expect("recall runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!svg.exists() && !png.exists(), "{args:?} wrote a file");
    }
}

/// The README's picture is what the dashboard draws today: a change of the screen fails here
/// until the picture is made again with the command the README gives.
#[test]
fn the_readme_picture_is_the_dashboard_of_today() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let args = ["--seed", "7", "--at", "20", "--size", "120x40"];
    let now = shoot(dir.path(), "dashboard.svg", &args);
    let readme_picture =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/dashboard.svg"))
            .expect("docs/dashboard.svg");
    assert!(
        now == readme_picture,
        "docs/dashboard.svg is out of date: run `recall --screenshot docs/dashboard.svg {}`",
        args.join(" ")
    );
    let readme = include_str!("../README.md");
    assert!(readme.contains("](docs/dashboard.svg)"));
    assert!(readme.contains(&format!(
        "recall --screenshot docs/dashboard.svg {}",
        args[..4].join(" ")
    )));
}

/// The density view's screenshot is the same on every run: it shows the grid solve without
/// its wall-clock time (two runs differed only in "FP 81² in 0.14 s" against "in 0.28 s").
#[test]
fn a_density_screenshot_shows_no_wall_clock_time() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let args = ["--scenario", "density", "--seed", "7", "--at", "3"];
    let a = shoot(dir.path(), "a.svg", &args);
    assert!(a.contains("81²"), "no grid solve shown");
    assert!(
        !a.contains("² in "),
        "a wall-clock solve time in a screenshot"
    );
    assert_eq!(
        a,
        shoot(dir.path(), "b.svg", &args),
        "two screenshots differ"
    );
}

/// A recording is not replaced without `--overwrite` (it cannot be made again; `asciinema rec`
/// refuses too): status 2, one line, the file untouched. An empty file is no recording.
#[test]
fn a_recording_is_not_replaced_without_overwrite() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let cast = dir.path().join("demo.cast");
    std::fs::write(&cast, "a take worth keeping\n").unwrap();
    for args in [&["--record"][..], &["lesson", "--record"][..]] {
        let out = recall()
            .args(args)
            .arg(&cast)
            .output()
            .expect("recall runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("exists") && stderr.contains("--overwrite"),
            "{stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(&cast).unwrap(),
            "a take worth keeping\n"
        );
    }
    // A directory is no file name, with --overwrite or not.
    let out = recall()
        .arg("--record")
        .arg(dir.path())
        .arg("--overwrite")
        .output()
        .expect("recall runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is a directory"), "{stderr}");
    // With --overwrite (or an empty file) it goes on, here to the want of a terminal.
    std::fs::write(dir.path().join("empty.cast"), "").unwrap();
    for (name, flags) in [("demo.cast", &["--overwrite"][..]), ("empty.cast", &[][..])] {
        let out = recall()
            .arg("--record")
            .arg(dir.path().join(name))
            .args(flags)
            .output()
            .expect("recall runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("needs a terminal"), "{name}: {stderr}");
    }
}
