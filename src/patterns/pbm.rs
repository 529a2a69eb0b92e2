//! Netpbm bitmaps: plain (P1, ASCII `0`/`1`) and raw (P4, packed bits). A 1 (black, ink) is
//! on. Errors in the header and in P1 data carry line and column.

use super::bitmap::Bitmap;
use super::error::{ErrorKind, MAX_SIDE, ParseError};

/// Parses a P1 or P4 file.
pub fn parse_pbm(bytes: &[u8]) -> Result<Bitmap, ParseError> {
    let mut cur = Cursor {
        bytes,
        pos: 0,
        line: 1,
        column: 1,
    };
    let raw = match bytes.get(..2) {
        Some(b"P1") => false,
        Some(b"P4") => true,
        _ => {
            // Bytes as `std::ascii::escape_default` writes them: printable ones as they are,
            // others as \xNN (a binary file printed "��").
            let found = format!("\"{}\"", bytes[..bytes.len().min(2)].escape_ascii());
            return Err(ParseError::at(1, 1, pbm("magic number P1 or P4", found)));
        }
    };
    cur.advance(2);
    let width = cur.header_number("the width")?;
    let height = cur.header_number("the height")?;
    if width == 0 || height == 0 {
        return Err(ParseError::whole(ErrorKind::Empty));
    }
    if width > MAX_SIDE {
        let kind = ErrorKind::TooWide {
            found: width,
            limit: MAX_SIDE,
        };
        return Err(ParseError::whole(kind));
    }
    if height > MAX_SIDE {
        let kind = ErrorKind::TooTall {
            found: height,
            limit: MAX_SIDE,
        };
        return Err(ParseError::whole(kind));
    }
    let pixels = if raw {
        cur.raw_data(width, height)?
    } else {
        cur.plain_data(width * height)?
    };
    Ok(Bitmap {
        width,
        height,
        pixels,
    })
}

fn pbm(expected: &'static str, found: String) -> ErrorKind {
    ErrorKind::Pbm { expected, found }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    column: usize,
}

impl Cursor<'_> {
    fn advance(&mut self, n: usize) {
        for _ in 0..n {
            if let Some(&b) = self.bytes.get(self.pos) {
                if b == b'\n' {
                    self.line += 1;
                    self.column = 1;
                } else {
                    self.column += 1;
                }
                self.pos += 1;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Skips whitespace and `#` comments (to the end of the line).
    fn skip_blank(&mut self) {
        while let Some(b) = self.peek() {
            if b == b'#' {
                while self.peek().is_some_and(|b| b != b'\n') {
                    self.advance(1);
                }
            } else if b.is_ascii_whitespace() {
                self.advance(1);
            } else {
                break;
            }
        }
    }

    fn here(&self, kind: ErrorKind) -> ParseError {
        ParseError::at(self.line, self.column, kind)
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "the end of the file".into(),
            Some(b) if b.is_ascii_graphic() => format!("{:?}", b as char),
            Some(b) => format!("byte 0x{b:02x}"),
        }
    }

    fn header_number(&mut self, what: &'static str) -> Result<usize, ParseError> {
        let before = self.pos;
        self.skip_blank();
        if self.pos == before && self.peek().is_some() {
            return Err(self.here(pbm("whitespace", self.found())));
        }
        let (line, column) = (self.line, self.column);
        let mut value: usize = 0;
        let mut digits = 0;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            value = value
                .saturating_mul(10)
                .saturating_add(usize::from(b - b'0'));
            digits += 1;
            self.advance(1);
        }
        if digits == 0 {
            return Err(ParseError::at(line, column, pbm(what, self.found())));
        }
        Ok(value)
    }

    fn plain_data(&mut self, count: usize) -> Result<Vec<bool>, ParseError> {
        let mut pixels = Vec::with_capacity(count);
        while pixels.len() < count {
            self.skip_blank();
            match self.peek() {
                Some(b'0') => pixels.push(false),
                Some(b'1') => pixels.push(true),
                None => {
                    let found = format!("{} pixels", pixels.len());
                    return Err(self.here(pbm("as many pixels as width × height", found)));
                }
                Some(_) => return Err(self.here(pbm("'0' or '1'", self.found()))),
            }
            self.advance(1);
        }
        Ok(pixels)
    }

    fn raw_data(&mut self, width: usize, height: usize) -> Result<Vec<bool>, ParseError> {
        // Exactly one whitespace byte separates the header from the data.
        match self.peek() {
            Some(b) if b.is_ascii_whitespace() => self.advance(1),
            _ => return Err(self.here(pbm("whitespace after the height", self.found()))),
        }
        let row_bytes = width.div_ceil(8);
        let data = &self.bytes[self.pos..];
        if data.len() < row_bytes * height {
            let expected = "width/8 × height bytes of data";
            let found = format!("{} of {} bytes", data.len(), row_bytes * height);
            return Err(ParseError::whole(pbm(expected, found)));
        }
        let mut pixels = Vec::with_capacity(width * height);
        for row in data.chunks(row_bytes).take(height) {
            pixels.extend((0..width).map(|x| row[x / 8] & (0x80 >> (x % 8)) != 0));
        }
        Ok(pixels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_raw_agree() {
        let p1 = parse_pbm(b"P1\n# a comment\n3 2\n1 0 1\n010\n").unwrap();
        let p4 = parse_pbm(b"P4 3 2\n\xa0\x40").unwrap();
        assert_eq!(p1, p4);
        assert_eq!(p1.pixels, vec![true, false, true, false, true, false]);
    }
}
