//! Every pattern-file error, with its exact message (path:line:column: what was expected and
//! what was found).

use std::path::{Path, PathBuf};

use recall::patterns::{
    FileError, Format, MAX_PATTERNS, display_name, load_dir, load_lenient, load_report,
    read_pattern,
};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The message of the error that reading `bytes` as `name` gives.
fn error_of(name: &str, bytes: &[u8]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), name, bytes);
    let err: FileError = read_pattern(&path).unwrap_err();
    (err.to_string(), display_name(&path))
}

#[test]
fn ragged_row() {
    let (msg, p) = error_of("a.txt", b"##.\n#.\n###\n");
    assert_eq!(
        msg,
        format!("{p}:2:3: ragged row: expected 3 pixels (like line 1), found 2")
    );
    let (msg, p) = error_of("a.txt", b"; comment\n##\n###\n");
    assert_eq!(
        msg,
        format!("{p}:3:3: ragged row: expected 2 pixels (like line 2), found 3")
    );
    let (msg, p) = error_of("a.txt", b"##\n\n##\n");
    assert_eq!(
        msg,
        format!(
            "{p}:2:1: blank line inside the picture (its rows begin on line 1): remove it, or \
             start it with ';' to make it a comment"
        )
    );
}

/// A UTF-8 byte-order mark (Windows Notepad writes one) is not a character of the picture: it
/// was "a.txt:1:1: unknown character '\u{feff}'". Columns count from after it.
#[test]
fn a_byte_order_mark_is_passed_over() {
    let read = |bytes: &[u8]| {
        let path = Path::new("a.txt");
        recall::patterns::parse_pattern(path, Format::Text, bytes)
            .unwrap()
            .image
    };
    assert_eq!(read("\u{feff}#.\n.#\n".as_bytes()), read(b"#.\n.#\n"));
    let (msg, p) = error_of("a.txt", "\u{feff}#x\n".as_bytes());
    assert_eq!(
        msg,
        format!("{p}:1:2: unknown character 'x': expected '#' (on) or '.' (off)")
    );
}

#[test]
fn unknown_character() {
    let (msg, p) = error_of("a.txt", b"#.#\n#x.\n");
    assert_eq!(
        msg,
        format!("{p}:2:2: unknown character 'x': expected '#' (on) or '.' (off)")
    );
    // Control characters in contents are escaped too.
    let (msg, p) = error_of("a.txt", b"#\x1b[31m\n");
    assert_eq!(
        msg,
        format!("{p}:1:2: unknown character '\\u{{1b}}': expected '#' (on) or '.' (off)")
    );
}

#[test]
fn empty_file() {
    let (msg, p) = error_of("a.txt", b"");
    assert_eq!(
        msg,
        format!("{p}: empty file: expected rows of '#' (on) and '.' (off)")
    );
    // A file with lines, none of them pixels, is not called empty.
    for bytes in [&b"\n\n"[..], b"; only a comment\n\n"] {
        let (msg, p) = error_of("a.txt", bytes);
        assert_eq!(
            msg,
            format!(
                "{p}: no pixel rows: only comments and blank lines; \
                 expected rows of '#' (on) and '.' (off)"
            )
        );
    }
}

/// A directory with no valid pattern names every bad file, as `recall check` does, not only
/// the first.
#[test]
fn no_valid_pattern_names_every_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.txt", b"");
    let c = write(dir.path(), "c.txt", b"; only a comment\n");
    let e = format!("{:#}", load_lenient(dir.path()).unwrap_err());
    assert!(e.starts_with("no valid pattern in "), "{e}");
    for (path, what) in [(&a, "empty file"), (&c, "no pixel rows")] {
        let named = format!("{}: {what}", display_name(path));
        assert!(e.contains(&named), "{named:?} missing from {e}");
    }
    // One bad file: it alone, after the directory.
    std::fs::remove_file(&c).unwrap();
    let e = format!("{:#}", load_lenient(dir.path()).unwrap_err());
    assert!(
        e.ends_with(&format!(
            "{}: empty file: expected rows of '#' (on) and '.' (off)",
            display_name(&a)
        )),
        "{e}"
    );
}

#[test]
fn size_over_the_limits() {
    let big = vec![b'#'; (1 << 20) + 1];
    let (msg, p) = error_of("a.txt", &big);
    assert_eq!(
        msg,
        format!("{p}: file too large: 1048577 bytes, the limit is 1048576 bytes")
    );

    let wide = format!("{}\n", "#".repeat(257));
    let (msg, p) = error_of("a.txt", wide.as_bytes());
    assert_eq!(
        msg,
        format!("{p}:1:257: too wide: expected at most 256 pixels per row, found 257")
    );

    let tall = "#\n".repeat(257);
    let (msg, p) = error_of("a.txt", tall.as_bytes());
    assert_eq!(
        msg,
        format!("{p}:257:1: too tall: expected at most 256 rows, found 257")
    );

    // Exactly at the limits is fine.
    let ok = format!("{}\n", "#".repeat(256)).repeat(256);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "max.txt", ok.as_bytes());
    assert_eq!(read_pattern(&path).unwrap().exact_size(), Some((256, 256)));
}

#[test]
fn not_utf8() {
    let (msg, p) = error_of("a.txt", b"##\n#\xff\n");
    assert_eq!(
        msg,
        format!("{p}:2:2: not UTF-8: expected text, found byte 0xff")
    );
}

#[test]
fn wrong_size_names_both_sizes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", b"##\n..\n");
    write(dir.path(), "b.txt", b"#.\n.#\n");
    let c = write(dir.path(), "c.txt", b"###\n...\n");
    let report = load_report(dir.path(), None).unwrap();
    let errors: Vec<String> = report.errors().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        vec![format!(
            "{}: wrong size: 3×2, the set's patterns are 2×2",
            display_name(&c)
        )]
    );
    let mem = report.memories.unwrap();
    assert_eq!(mem.names(), ["a", "b"]);
    // The strict loader refuses the directory with the same message.
    let strict = load_dir(dir.path()).unwrap_err();
    assert_eq!(strict.to_string(), errors[0]);
}

#[test]
fn preferred_size_wins_over_the_majority() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", b"##\n");
    write(dir.path(), "b.txt", b"#.#\n");
    write(dir.path(), "c.txt", b"..#\n");
    let report = load_report(dir.path(), Some((2, 1))).unwrap();
    assert_eq!(report.memories.unwrap().names(), ["a"]);
    let report = load_report(dir.path(), None).unwrap();
    assert_eq!(report.memories.unwrap().names(), ["b", "c"]);
}

#[test]
fn duplicate_names() {
    let dir = tempfile::tempdir().unwrap();
    let txt = write(dir.path(), "cat.txt", b"#\n");
    let pbm = write(dir.path(), "cat.pbm", b"P1 1 1 1\n");
    let report = load_report(dir.path(), None).unwrap();
    let errors: Vec<String> = report.errors().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        vec![format!(
            "{}: duplicate name: cat is already loaded from {}",
            display_name(&txt),
            display_name(&pbm)
        )]
    );
}

#[test]
fn too_many_patterns() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..=MAX_PATTERNS {
        write(
            dir.path(),
            &format!("p{i:03}.txt"),
            if i % 2 == 0 { b"#.\n" } else { b".#\n" },
        );
    }
    let report = load_report(dir.path(), None).unwrap();
    let errors: Vec<String> = report.errors().map(|e| e.to_string()).collect();
    let last = dir.path().join("p256.txt");
    assert_eq!(
        errors,
        vec![format!(
            "{}: too many patterns: the limit is 256",
            display_name(&last)
        )]
    );
    assert_eq!(report.memories.unwrap().p(), MAX_PATTERNS);
}

#[test]
fn pbm_errors() {
    let (msg, p) = error_of("a.pbm", b"P3\n1 1\n1\n");
    assert_eq!(
        msg,
        format!("{p}:1:1: bad PBM: expected magic number P1 or P4, found \"P3\"")
    );
    // A binary file's first bytes are escaped, not printed raw ("��").
    let (msg, p) = error_of("a.pbm", b"!\xad\x00\x01");
    assert_eq!(
        msg,
        format!("{p}:1:1: bad PBM: expected magic number P1 or P4, found \"!\\xad\"")
    );
    let (msg, p) = error_of("a.pbm", b"P1\n2 x\n");
    assert_eq!(
        msg,
        format!("{p}:2:3: bad PBM: expected the height, found 'x'")
    );
    let (msg, p) = error_of("a.pbm", b"P1\n2 2\n1 0\n1 7\n");
    assert_eq!(
        msg,
        format!("{p}:4:3: bad PBM: expected '0' or '1', found '7'")
    );
    let (msg, p) = error_of("a.pbm", b"P1\n2 2\n1 0 1\n");
    assert_eq!(
        msg,
        format!("{p}:4:1: bad PBM: expected as many pixels as width × height, found 3 pixels")
    );
    let (msg, p) = error_of("a.pbm", b"P4 16 2\n\xff\xff\xff");
    assert_eq!(
        msg,
        format!("{p}: bad PBM: expected width/8 × height bytes of data, found 3 of 4 bytes")
    );
    let (msg, p) = error_of("a.pbm", b"P1 300 1\n");
    assert_eq!(
        msg,
        format!("{p}: too wide: expected at most 256 pixels per row, found 300")
    );
    // A side past any number read: not the number it saturated to, which is not in the file.
    let (msg, p) = error_of(
        "a.pbm",
        b"P1 2 99999999999999999999
",
    );
    assert_eq!(
        msg,
        format!(
            "{p}: too tall: expected at most 256 rows, found a number over {}",
            usize::MAX
        )
    );
}

#[test]
fn png_errors_and_conversion() {
    let (msg, p) = error_of("a.png", b"not a png at all");
    assert!(
        msg.starts_with(&format!("{p}: cannot decode PNG: ")),
        "{msg}"
    );
}

#[test]
fn escape_sequences_in_names_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "evil\x1b]0;pwned\x07.txt", b"#x\n");
    let msg = read_pattern(&path).unwrap_err().to_string();
    assert!(!msg.contains('\x1b') && !msg.contains('\x07'), "{msg:?}");
    assert!(
        msg.contains("evil\\u{1b}]0;pwned\\u{7}.txt:1:2: unknown character"),
        "{msg}"
    );
    let ok = write(dir.path(), "ok\x1b[2J.txt", b"#.\n");
    let report = load_report(dir.path(), None).unwrap();
    let mem = report.memories.unwrap();
    assert_eq!(mem.names(), ["ok\\u{1b}[2J"]);
    assert_eq!(Format::of(&ok), Some(Format::Text));
}
