//! The text pattern format: rows of `#` (on) and `.` (off), `;` comment lines, trailing blank
//! lines ignored. Errors carry the 1-based line and column of the first offending character.

use super::bitmap::Bitmap;
use super::error::{ErrorKind, MAX_SIDE, ParseError};

/// Parses a text pattern. Rules: lines starting with `;` are comments; trailing spaces, tabs
/// and `\r` are ignored; blank lines before the first row and after the last are ignored;
/// every row has the same number of pixels; at most [`MAX_SIDE`] rows of [`MAX_SIDE`] pixels.
pub fn parse_text(bytes: &[u8]) -> Result<Bitmap, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|e| not_utf8(bytes, e.valid_up_to()))?;
    // A byte-order mark (Windows Notepad writes one) is no character of the picture; columns
    // count from after it, as an editor shows them.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut pixels = Vec::new();
    let mut width = 0;
    let mut height = 0;
    let mut first_line = 0;
    let mut blank_since: Option<usize> = None;
    for (index, raw) in text.split('\n').enumerate() {
        let line = index + 1;
        if raw.starts_with(';') {
            continue;
        }
        let row = raw.trim_end_matches([' ', '\t', '\r']);
        if row.is_empty() {
            if height > 0 && blank_since.is_none() {
                blank_since = Some(line);
            }
            continue;
        }
        if let Some(blank) = blank_since {
            return Err(ParseError::at(
                blank,
                1,
                ErrorKind::BlankLine { first_line },
            ));
        }
        let start = pixels.len();
        let mut found = 0;
        for (i, c) in row.chars().enumerate() {
            match c {
                '#' => pixels.push(true),
                '.' => pixels.push(false),
                _ => {
                    return Err(ParseError::at(
                        line,
                        i + 1,
                        ErrorKind::UnknownChar { found: c },
                    ));
                }
            }
            found += 1;
            if found > MAX_SIDE {
                let kind = ErrorKind::TooWide {
                    found: row.chars().count(),
                    limit: MAX_SIDE,
                };
                return Err(ParseError::at(line, MAX_SIDE + 1, kind));
            }
        }
        if height == 0 {
            width = found;
            first_line = line;
        } else if found != width {
            let kind = ErrorKind::RaggedRow {
                expected: width,
                found,
                first_line,
            };
            return Err(ParseError::at(line, found.min(width) + 1, kind));
        }
        debug_assert_eq!(pixels.len() - start, width);
        height += 1;
        if height > MAX_SIDE {
            let rows = count_rows(text);
            return Err(ParseError::at(
                line,
                1,
                ErrorKind::TooTall {
                    found: rows,
                    limit: MAX_SIDE,
                },
            ));
        }
    }
    if height == 0 {
        return Err(ParseError::whole(ErrorKind::NoRows));
    }
    Ok(Bitmap {
        width,
        height,
        pixels,
    })
}

/// Writes a bitmap in the text format (no comments, one row per line).
pub fn to_text(bitmap: &Bitmap) -> String {
    let mut s = String::with_capacity((bitmap.width + 1) * bitmap.height);
    for row in bitmap.pixels.chunks(bitmap.width.max(1)) {
        s.extend(row.iter().map(|&on| if on { '#' } else { '.' }));
        s.push('\n');
    }
    s
}

fn count_rows(text: &str) -> usize {
    text.split('\n')
        .filter(|l| !l.starts_with(';') && !l.trim_end_matches([' ', '\t', '\r']).is_empty())
        .count()
}

/// The position of the first invalid byte: line, and column in characters.
fn not_utf8(bytes: &[u8], valid_up_to: usize) -> ParseError {
    let before = &bytes[..valid_up_to];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    // The prefix is valid UTF-8 by construction of `valid_up_to`.
    let column = std::str::from_utf8(&before[line_start..]).map_or(0, |s| s.chars().count()) + 1;
    ParseError::at(
        line,
        column,
        ErrorKind::NotUtf8 {
            byte: bytes[valid_up_to],
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_comments_and_trailing_blanks() {
        let b = parse_text(b"; a comment\n#.#\r\n.#.\n; inner comment\n###  \n\n\n").unwrap();
        assert_eq!((b.width, b.height), (3, 3));
        assert_eq!(to_text(&b), "#.#\n.#.\n###\n");
    }

    #[test]
    fn blank_line_inside_is_a_ragged_row() {
        let e = parse_text(b"##\n\n##\n").unwrap_err();
        assert_eq!(e.position, Some((2, 1)));
    }
}
