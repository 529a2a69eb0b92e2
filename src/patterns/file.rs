//! One pattern file: which files are patterns (and which are editor debris), reading with the
//! size limit, and dispatch to the format parsers.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::bitmap::{Bitmap, GrayImage};
use super::error::{ErrorKind, FileError, MAX_FILE_BYTES, ParseError, escape_bytes};
use super::probe::{Probe, Stamp, open_regular, probe};
use super::{pbm, png, text};

/// The file formats a pattern can come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `NAME.txt`: rows of `#` and `.`.
    Text,
    /// `NAME.pbm`: Netpbm P1 or P4.
    Pbm,
    /// `NAME.png`: converted to the set's grid.
    Png,
}

impl Format {
    /// The format of a file, from its extension, or `None` for files that are not patterns:
    /// other extensions, hidden files and editor debris (`*.swp`, `*~`, `4913`, `.#*`, …).
    pub fn of(path: &Path) -> Option<Format> {
        let file_name = path.file_name()?.as_encoded_bytes();
        if file_name.starts_with(b".") || file_name.ends_with(b"~") || file_name.starts_with(b"#") {
            return None;
        }
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" => Some(Format::Text),
            "pbm" => Some(Format::Pbm),
            "png" => Some(Format::Png),
            _ => None,
        }
    }

    /// The usual extension, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Pbm => "PBM",
            Format::Png => "PNG",
        }
    }
}

/// The decoded image of a pattern file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Image {
    /// Exact pixels (text, PBM): must match the set's size.
    Binary(Bitmap),
    /// Grey pixels (PNG): converted to the set's grid.
    Gray(GrayImage),
}

/// A parsed pattern file, not yet fitted to a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The file stem, escaped for display (see [`super::display_name`]).
    pub name: String,
    pub path: PathBuf,
    pub format: Format,
    pub image: Image,
}

impl Pattern {
    /// The exact size of a binary pattern; `None` for a grey image that adapts to the set.
    pub fn exact_size(&self) -> Option<(usize, usize)> {
        match &self.image {
            Image::Binary(b) => Some((b.width, b.height)),
            Image::Gray(_) => None,
        }
    }

    /// The size of the source image in pixels.
    pub fn source_size(&self) -> (usize, usize) {
        match &self.image {
            Image::Binary(b) => (b.width, b.height),
            Image::Gray(g) => (g.source_width, g.source_height),
        }
    }
}

/// The display name of a pattern file: its stem, escaped.
pub fn pattern_name(path: &Path) -> String {
    path.file_stem()
        .map_or_else(String::new, |s| escape_bytes(s.as_encoded_bytes()))
}

/// Reads and parses one pattern file (its format chosen by [`Format::of`]; text if unknown).
/// What is not a regular file (a FIFO, a device, a directory, a broken link) is an error
/// saying what it is, and is never opened.
pub fn read_pattern(path: &Path) -> Result<Pattern, FileError> {
    match probe(path)? {
        Probe::File(_) => read_stamped(path).0,
        Probe::Gone => Err(gone(path)),
    }
}

/// Reads and parses a file that [`probe`] found regular, with the stamp of what was read
/// (`None` when it could not be opened).
pub(crate) fn read_stamped(path: &Path) -> (Result<Pattern, FileError>, Option<Stamp>) {
    let (file, stamp) = match open_regular(path) {
        Ok(opened) => opened,
        Err(e) => return (Err(e), None),
    };
    let format = Format::of(path).unwrap_or(Format::Text);
    let result = read_limited(path, file).and_then(|bytes| parse_pattern(path, format, &bytes));
    (result, Some(stamp))
}

fn gone(path: &Path) -> FileError {
    let message = "No such file or directory".into();
    FileError::new(path, ErrorKind::Io { message })
}

/// Parses the bytes of a pattern file of the given format.
pub fn parse_pattern(path: &Path, format: Format, bytes: &[u8]) -> Result<Pattern, FileError> {
    let image = parse_image(format, bytes).map_err(|e| e.with_path(path))?;
    Ok(Pattern {
        name: pattern_name(path),
        path: path.to_path_buf(),
        format,
        image,
    })
}

fn parse_image(format: Format, bytes: &[u8]) -> Result<Image, ParseError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let kind = ErrorKind::TooLarge {
            size: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        };
        return Err(ParseError::whole(kind));
    }
    if bytes.is_empty() {
        return Err(ParseError::whole(ErrorKind::Empty));
    }
    match format {
        Format::Text => text::parse_text(bytes).map(Image::Binary),
        Format::Pbm => pbm::parse_pbm(bytes).map(Image::Binary),
        Format::Png => png::parse_png(bytes).map(Image::Gray),
    }
}

/// Reads at most [`MAX_FILE_BYTES`] + 1 bytes, so a huge file is refused without reading it.
fn read_limited(path: &Path, file: std::fs::File) -> Result<Vec<u8>, FileError> {
    let io = |e: std::io::Error| {
        FileError::new(
            path,
            ErrorKind::Io {
                message: e.to_string(),
            },
        )
    };
    let size = file.metadata().map_err(io)?.len();
    let too_large = |size| {
        let kind = ErrorKind::TooLarge {
            size,
            limit: MAX_FILE_BYTES,
        };
        FileError::new(path, kind)
    };
    if size > MAX_FILE_BYTES {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debris_is_not_a_pattern() {
        for name in [
            "cat.swp",
            ".cat.txt.swp",
            "cat.txt~",
            "4913",
            ".#cat.txt",
            "#cat.txt#",
        ] {
            assert_eq!(Format::of(Path::new(name)), None, "{name}");
        }
        assert_eq!(Format::of(Path::new("d/cat.TXT")), Some(Format::Text));
        assert_eq!(Format::of(Path::new("owl.pbm")), Some(Format::Pbm));
        assert_eq!(Format::of(Path::new("owl.png")), Some(Format::Png));
    }
}
