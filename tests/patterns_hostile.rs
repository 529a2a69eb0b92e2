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

/// A PNG of `width`×`height` 16-bit grey pixels, dark on the left half.
fn png16(width: u32, height: u32) -> Vec<u8> {
    let img = image::ImageBuffer::<image::Luma<u16>, Vec<u16>>::from_fn(width, height, |x, _| {
        image::Luma([if x < width / 2 { 0 } else { 65535 }])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma16(img)
        .write_to(&mut bytes, image::ImageFormat::Png)
        .unwrap();
    bytes.into_inner()
}

#[test]
fn a_png_over_the_side_limit_is_refused_from_its_header() {
    let dir = tempfile::tempdir().unwrap();
    // Small files, huge images: 4096×4096 of 16 bits is 32 MB decoded.
    for (name, w, h) in [("big.png", 4096, 4096), ("wide.png", 513, 8)] {
        let bytes = png16(w, h);
        assert!(bytes.len() < 200_000, "{name}: {} bytes", bytes.len());
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        let err = recall::patterns::read_pattern(&path)
            .err()
            .unwrap_or_else(|| panic!("{name} ({w}×{h}) was accepted"));
        assert_eq!(
            err.to_string(),
            format!(
                "{}: PNG too large: {w}×{h} pixels, the limit is 512×512 (scale it down first)",
                display_name(&path)
            )
        );
    }
    assert_eq!(recall::patterns::MAX_PNG_SIDE, 512);
}

#[test]
fn a_large_png_is_kept_reduced_and_converts_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("half.png");
    fs::write(&path, png16(512, 400)).unwrap();
    let pattern = recall::patterns::read_pattern(&path).unwrap();
    assert_eq!(pattern.source_size(), (512, 400));
    let recall::patterns::Image::Gray(grey) = &pattern.image else {
        panic!("a grey image")
    };
    // What is kept is at most the largest grid, not the 200 000 source pixels.
    assert_eq!((grey.width, grey.height), (256, 256));
    let report = load_report(dir.path(), None).unwrap();
    let loaded = report.files[0].status.as_ref().unwrap();
    assert_eq!(loaded.converted_from, Some((512, 400)));
    let mem = report.memories.unwrap();
    let on: Vec<bool> = mem.memory(0).iter().map(|&v| v > 0.0).collect();
    // Dark left half on the 32×32 grid.
    assert!(
        on.chunks(32)
            .all(|row| row[..16].iter().all(|&p| p) && row[16..].iter().all(|&p| !p))
    );
}

#[test]
fn a_set_over_the_pixel_budget_refuses_the_patterns_that_do_not_fit() {
    let dir = tempfile::tempdir().unwrap();
    let row = format!("{}\n", "#.".repeat(128));
    let picture = row.repeat(256);
    for i in 0..17 {
        fs::write(dir.path().join(format!("p{i:02}.txt")), &picture).unwrap();
    }
    let report = load_report(dir.path(), None).unwrap();
    let errors: Vec<String> = report.errors().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        vec![format!(
            "{}: too many patterns of this size: at most 16 of 256×256 fit in 1048576 pixels in all",
            display_name(&dir.path().join("p16.txt"))
        )]
    );
    assert_eq!(report.memories.unwrap().p(), 16);
    assert_eq!(recall::patterns::MAX_SET_PIXELS, 1 << 20);
}
