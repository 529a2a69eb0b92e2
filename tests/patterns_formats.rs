//! The formats besides text (PBM P1/P4, PNG converted to the grid) and `recall check`: its
//! report text and its exit status.

use std::fs;
use std::path::Path;
use std::process::Command;

use recall::patterns::{Format, check_report, display_name, load_report};

fn png_bytes(width: u32, height: u32, f: impl Fn(u32, u32) -> [u8; 2]) -> Vec<u8> {
    let img = image::GrayAlphaImage::from_fn(width, height, |x, y| image::LumaA(f(x, y)));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageLumaA8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

fn bits(mem: &recall::model::Memories, name: &str) -> String {
    let mu = mem.index_of(name).unwrap();
    mem.memory(mu)
        .chunks(mem.width())
        .map(|row| {
            row.iter()
                .map(|&v| if v > 0.0 { '#' } else { '.' })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn pbm_p1_p4_and_png_join_a_text_set() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), "##..\n##..\n..##\n..##\n").unwrap();
    fs::write(
        dir.path().join("b.pbm"),
        "P1\n# made by hand\n4 4\n1000\n0100\n0010\n0001\n",
    )
    .unwrap();
    fs::write(dir.path().join("c.pbm"), b"P4\n4 4\n\xf0\x00\xf0\x00").unwrap();
    // 64×48 PNG: dark left half, light right half, a transparent bottom quarter (paper).
    let png = png_bytes(64, 48, |x, y| {
        if y >= 36 {
            [0, 0]
        } else if x < 32 {
            [20, 255]
        } else {
            [230, 255]
        }
    });
    fs::write(dir.path().join("d.png"), png).unwrap();
    let report = load_report(dir.path(), None).unwrap();
    assert!(report.all_ok(), "{:?}", report.errors().collect::<Vec<_>>());
    let mem = report.memories.as_ref().unwrap();
    assert_eq!(mem.names(), ["a", "b", "c", "d"]);
    assert_eq!(bits(mem, "b"), "#.../.#../..#./...#");
    assert_eq!(bits(mem, "c"), "####/..../####/....");
    assert_eq!(bits(mem, "d"), "##../##../##../....");
    let d = report.files[3].status.as_ref().unwrap();
    assert_eq!(d.format, Format::Png);
    assert_eq!(d.converted_from, Some((64, 48)));
    assert_eq!(
        report.files[0].status.as_ref().unwrap().converted_from,
        None
    );
    let text = check_report(&report);
    let p = |n: &str| display_name(&dir.path().join(n));
    assert!(text.starts_with(&format!(
        "{}: ok (text, 4×4)\n{}: ok (PBM, 4×4)\n{}: ok (PBM, 4×4)\n{}: ok (PNG 64×48, converted to 4×4)\n",
        p("a.txt"),
        p("b.pbm"),
        p("c.pbm"),
        p("d.png")
    )), "{text}");
}

#[test]
fn a_set_of_only_images_uses_the_default_grid() {
    let dir = tempfile::tempdir().unwrap();
    let png = png_bytes(100, 100, |x, _| if x < 50 { [0, 255] } else { [255, 255] });
    fs::write(dir.path().join("half.png"), png).unwrap();
    let mem = load_report(dir.path(), None).unwrap().memories.unwrap();
    assert_eq!((mem.width(), mem.height()), (32, 32));
    let on = mem.memory(0).iter().filter(|&&v| v > 0.0).count();
    assert_eq!(on, 512);
}

#[test]
fn check_report_lists_files_overlaps_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), "####\n####\n####\n###.\n").unwrap();
    fs::write(dir.path().join("b.txt"), "####\n####\n####\n####\n").unwrap();
    fs::write(dir.path().join("c.txt"), "#.#.\n.#.#\n#.#.\n.#.#\n").unwrap();
    fs::write(dir.path().join("d.txt"), "#.#\n").unwrap();
    let report = load_report(dir.path(), None).unwrap();
    assert!(!report.all_ok());
    let p = |n: &str| display_name(&dir.path().join(n));
    let expected = format!(
        "{a}: ok (text, 4×4)
{b}: ok (text, 4×4)
{c}: ok (text, 4×4)
{d}: wrong size: 3×1, the set's patterns are 4×4
3 valid pattern(s) of 4×4 (N = 16), 1 bad file(s)

pairwise overlaps:
            a      b      c
a       1.000  0.875 -0.125
b       0.875  1.000  0.000
c      -0.125  0.000  1.000

warning: a and b overlap 0.88 (|overlap| above 0.5): they will be confused
warning: 3 patterns exceed 0.138·N = 2.2, the capacity of the classic (Hebbian) models for random patterns: retrieval degrades around it, and correlated patterns fail earlier
",
        a = p("a.txt"),
        b = p("b.txt"),
        c = p("c.txt"),
        d = p("d.txt")
    );
    assert_eq!(check_report(&report), expected);
}

fn recall_check(dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_recall"))
        .arg("check")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn recall_check_exits_zero_only_when_every_file_is_valid() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns");
    let (code, out) = recall_check(&repo);
    println!("{out}");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("cat.txt: ok (text, 32×32)"), "{out}");
    assert!(!out.contains("warning"), "{out}");

    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), "#.\n").unwrap();
    fs::write(dir.path().join("bad\x1b[2J.txt"), "#?\n").unwrap();
    let (code, out) = recall_check(dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("bad\\u{1b}[2J.txt:1:2: unknown character '?'"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "{out:?}");

    let empty = tempfile::tempdir().unwrap();
    let (code, out) = recall_check(empty.path());
    assert_eq!(code, 1, "{out}");
}

#[test]
fn check_report_says_which_patterns_are_duplicates_or_negatives() {
    let dir = tempfile::tempdir().unwrap();
    let rows = ["##..", "#...", "..##", "...#"];
    let negative: Vec<String> = rows
        .iter()
        .map(|r| {
            r.chars()
                .map(|c| if c == '#' { '.' } else { '#' })
                .collect()
        })
        .collect();
    fs::write(dir.path().join("cat.txt"), rows.join("\n") + "\n").unwrap();
    fs::write(dir.path().join("cat2.txt"), rows.join("\n") + "\n").unwrap();
    fs::write(dir.path().join("tac.txt"), negative.join("\n") + "\n").unwrap();
    let text = check_report(&load_report(dir.path(), None).unwrap());
    let warnings: Vec<&str> = text.lines().filter(|l| l.starts_with("warning")).collect();
    assert_eq!(
        warnings[..3],
        [
            "warning: cat2 has the same pixels as cat: they are one memory, and will be confused",
            "warning: tac is cat with every pixel flipped: a Hopfield network stores a pattern and its negative alike, so they are one memory and will be confused",
            "warning: tac is cat2 with every pixel flipped: a Hopfield network stores a pattern and its negative alike, so they are one memory and will be confused",
        ],
        "{text}"
    );
}
