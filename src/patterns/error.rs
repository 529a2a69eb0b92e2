//! The typed errors of pattern files: what went wrong, where (path, line, column), and the
//! escaping of untrusted file names before they reach a terminal.

use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::probe::FileKind;

/// Largest pattern file accepted, in bytes (1 MiB).
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// Largest pattern side, in pixels (both width and height).
pub const MAX_SIDE: usize = 256;
/// Largest number of patterns in one set.
pub const MAX_PATTERNS: usize = 256;
/// Largest number of pixels of all the patterns of a set together (N·P, 2^20): e.g. 256
/// patterns of 64×64 or 16 of 256×256. Building a set costs O(N·P²) and every step of the
/// network O(N·P), so this bounds both the load (≤ 1 s) and the memory (≤ 64 MB).
pub const MAX_SET_PIXELS: usize = 1 << 20;

/// What is wrong with one pattern file. The position, when there is one, is kept apart in
/// [`FileError`] so that every message reads "path:line:column: what".
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ErrorKind {
    /// A character other than `#` or `.` in a row of the text format.
    #[error("unknown character {found:?}: expected '#' (on) or '.' (off)")]
    UnknownChar { found: char },
    /// A blank line between rows of the text format.
    #[error(
        "blank line inside the picture (its rows begin on line {first_line}): remove it, or \
         start it with ';' to make it a comment"
    )]
    BlankLine { first_line: usize },
    /// A row whose length differs from the first row's.
    #[error("ragged row: expected {expected} pixels (like line {first_line}), found {found}")]
    RaggedRow {
        expected: usize,
        found: usize,
        first_line: usize,
    },
    /// No bytes at all (or an image of no pixels).
    #[error("empty file: expected rows of '#' (on) and '.' (off)")]
    Empty,
    /// A text pattern with lines, but none of them a row of pixels.
    #[error(
        "no pixel rows: only comments and blank lines; expected rows of '#' (on) and '.' (off)"
    )]
    NoRows,
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("file too large: {size} bytes, the limit is {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    /// The image is wider than [`MAX_SIDE`].
    #[error("too wide: expected at most {limit} pixels per row, found {}", side(*.found))]
    TooWide { found: usize, limit: usize },
    /// The image is taller than [`MAX_SIDE`].
    #[error("too tall: expected at most {limit} rows, found {}", side(*.found))]
    TooTall { found: usize, limit: usize },
    /// A byte sequence that is not UTF-8 in a text pattern.
    #[error("not UTF-8: expected text, found byte 0x{byte:02x}")]
    NotUtf8 { byte: u8 },
    /// The pattern's size differs from the set's.
    #[error("wrong size: {width}×{height}, the set's patterns are {set_width}×{set_height}")]
    WrongSize {
        width: usize,
        height: usize,
        set_width: usize,
        set_height: usize,
    },
    /// Another file already gave a pattern this name (e.g. `cat.txt` and `cat.png`).
    #[error("duplicate name: {name} is already loaded from {other}")]
    DuplicateName { name: String, other: String },
    /// More valid patterns than [`MAX_PATTERNS`]; the files after the limit are refused.
    #[error("too many patterns: the limit is {limit}")]
    TooManyPatterns { limit: usize },
    /// More pixels in all than [`MAX_SET_PIXELS`]: at this size only `limit` patterns fit.
    #[error(
        "too many patterns of this size: at most {limit} of {width}×{height} fit in {max_pixels} pixels in all"
    )]
    TooManyPixels {
        limit: usize,
        width: usize,
        height: usize,
        max_pixels: usize,
    },
    /// A malformed PBM file (header or data).
    #[error("bad PBM: expected {expected}, found {found}")]
    Pbm {
        expected: &'static str,
        found: String,
    },
    /// A PNG the decoder refused.
    #[error("cannot decode PNG: {message}")]
    Png { message: String },
    /// A PNG larger than [`super::MAX_PNG_SIDE`] on a side, refused from its header.
    #[error(
        "PNG too large: {width}×{height} pixels, the limit is {limit}×{limit} (scale it down first)"
    )]
    PngTooLarge { width: u32, height: u32, limit: u32 },
    /// The file could not be read.
    #[error("cannot read: {message}")]
    Io { message: String },
    /// A pattern name that is not a regular file (after following symbolic links): a FIFO,
    /// a device, a directory, a broken link. It is never opened.
    #[error("expected a regular file, found {}{found}", link_to(.through_link))]
    NotAFile { found: FileKind, through_link: bool },
    /// The watched directory is gone (`found: None`: deleted, renamed, or behind a dangling
    /// link) or is something else now; the last good set stays in use until it is back.
    #[error("{}", directory_gone(.found))]
    DirectoryGone { found: Option<String> },
}

/// A side read from a header: a number past `usize` was read as `usize::MAX`, which is not the
/// number in the file.
fn side(found: usize) -> String {
    if found == usize::MAX {
        format!("a number over {}", usize::MAX)
    } else {
        found.to_string()
    }
}

fn directory_gone(found: &Option<String>) -> String {
    match found {
        None => "the pattern directory is gone (deleted or renamed): keeping the last good set \
                 until it is back"
            .into(),
        Some(what) => format!(
            "the pattern directory is now {what}: keeping the last good set until it is a \
             directory again"
        ),
    }
}

fn link_to(through_link: &bool) -> &'static str {
    if *through_link {
        "a symbolic link to "
    } else {
        ""
    }
}

/// One bad pattern file: its path, the 1-based line and column when the error has a position,
/// and what is wrong. Displays as `path:line:column: message` (or `path: message`), with the
/// path escaped by [`display_name`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct FileError {
    pub path: PathBuf,
    /// 1-based line and column (in characters) of the error, if it has a place in the file.
    pub position: Option<(usize, usize)>,
    pub kind: ErrorKind,
}

impl FileError {
    /// An error without a position.
    pub fn new(path: &Path, kind: ErrorKind) -> Self {
        Self {
            path: path.to_path_buf(),
            position: None,
            kind,
        }
    }

    /// An error at 1-based `line`, `column`.
    pub fn at(path: &Path, line: usize, column: usize, kind: ErrorKind) -> Self {
        Self {
            path: path.to_path_buf(),
            position: Some((line, column)),
            kind,
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = display_name(&self.path);
        match self.position {
            Some((line, column)) => write!(f, "{path}:{line}:{column}: {}", self.kind),
            None => write!(f, "{path}: {}", self.kind),
        }
    }
}

/// A parse error inside a file's bytes, before the path is known (see [`FileError`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}{kind}", position.map_or(String::new(), |(l, c)| format!("{l}:{c}: ")))]
pub struct ParseError {
    /// 1-based line and column, when the error has a place in the file.
    pub position: Option<(usize, usize)>,
    pub kind: ErrorKind,
}

impl ParseError {
    /// An error at 1-based `line`, `column`.
    pub fn at(line: usize, column: usize, kind: ErrorKind) -> Self {
        Self {
            position: Some((line, column)),
            kind,
        }
    }
    /// An error about the whole file.
    pub fn whole(kind: ErrorKind) -> Self {
        Self {
            position: None,
            kind,
        }
    }
    /// The same error, attached to a file.
    pub fn with_path(self, path: &Path) -> FileError {
        FileError {
            path: path.to_path_buf(),
            position: self.position,
            kind: self.kind,
        }
    }
}

/// A path made safe to print on a terminal: control characters, escape sequences and
/// bidirectional overrides are shown escaped (`\u{1b}`), bytes that are not UTF-8 as `\xNN`.
/// Everything the program prints about a file name goes through this.
pub fn display_name(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        escape_bytes(path.as_os_str().as_bytes())
    }
    #[cfg(not(unix))]
    {
        escape_str(&path.to_string_lossy())
    }
}

/// [`display_name`] for a string: control and bidi-override characters escaped.
pub fn escape_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// [`escape_str`] of at most the first `max_chars` characters of `s`, then "… (K characters in
/// all)" when `s` is longer: for text a file carries (an NPY header) that reaches a message.
pub fn escape_cut(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        None => escape_str(s),
        Some((end, _)) => format!(
            "{}… ({} characters in all)",
            escape_str(&s[..end]),
            s.chars().count()
        ),
    }
}

/// Escapes raw bytes: valid UTF-8 runs as by [`escape_str`], invalid bytes as `\xNN`.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_escaped(&mut out, c);
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    let bidi =
        matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if c.is_control() || bidi {
        out.extend(c.escape_default());
    } else if c == '\\' {
        out.push_str("\\\\");
    } else {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_escape_sequences_are_escaped() {
        assert_eq!(escape_str("cat\x1b[31m"), "cat\\u{1b}[31m");
        assert_eq!(escape_str("a\nb\tc"), "a\\nb\\tc");
        assert_eq!(escape_str("evil\u{202e}txt"), "evil\\u{202e}txt");
        assert_eq!(escape_str("back\\slash"), "back\\\\slash");
        assert_eq!(escape_bytes(b"ok\xffz"), "ok\\xffz");
        assert_eq!(escape_str("chat-été"), "chat-été");
    }

    #[test]
    fn long_text_is_cut_after_escaping_what_is_kept() {
        assert_eq!(escape_cut("short", 10), "short");
        assert_eq!(escape_cut("0123456789", 10), "0123456789");
        assert_eq!(
            escape_cut("\x1b]0;evil\x07 and more", 6),
            "\\u{1b}]0;ev… (18 characters in all)"
        );
        assert_eq!(
            escape_cut(&"é".repeat(1000), 3),
            "ééé… (1000 characters in all)"
        );
    }

    #[test]
    fn file_errors_read_path_line_column() {
        let e = FileError::at(
            Path::new("p/x.txt"),
            3,
            4,
            ErrorKind::UnknownChar { found: 'x' },
        );
        assert_eq!(
            e.to_string(),
            "p/x.txt:3:4: unknown character 'x': expected '#' (on) or '.' (off)"
        );
        let e = FileError::new(Path::new("p/\x1b.txt"), ErrorKind::Empty);
        assert_eq!(
            e.to_string(),
            "p/\\u{1b}.txt: empty file: expected rows of '#' (on) and '.' (off)"
        );
    }
}
