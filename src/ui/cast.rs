//! `recall --record FILE.cast`: the bytes the dashboard sends to its terminal, written as they
//! go as an asciicast v2 recording (the format `asciinema play` and the web player read), with
//! the timing they had, and no asciinema needed.

use std::fs::File;
use std::io::{self, BufWriter, Stdout, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

/// An asciicast v2 file being written: a header line, then one `[secs, "o", text]` line per
/// flush of the terminal (one drawn frame) and `[secs, "r", "COLSxROWS"]` per resize.
pub struct CastWriter {
    file: BufWriter<File>,
    start: Instant,
    /// Bytes written since the last event; a UTF-8 sequence cut by a write waits here whole.
    pending: Vec<u8>,
    /// The screen size in the header.
    size: (u16, u16),
}

impl CastWriter {
    /// Creates `path` (replacing it) and writes the header for a `cols` × `rows` screen.
    pub fn create(path: &Path, cols: u16, rows: u16) -> io::Result<Self> {
        let mut file = BufWriter::new(File::create(path)?);
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let term = std::env::var("TERM").unwrap_or_else(|_| "xterm-256color".into());
        let header = serde_json::json!({
            "version": 2,
            "width": cols,
            "height": rows,
            "timestamp": timestamp,
            "title": "recall",
            "env": { "TERM": term, "SHELL": "" },
        });
        writeln!(file, "{header}")?;
        Ok(Self {
            file,
            start: Instant::now(),
            // The dashboard took its screen over before the recording began: the playback
            // starts on a clear screen with the cursor hidden, as the dashboard did.
            pending: START.to_vec(),
            size: (cols, rows),
        })
    }

    /// Ends the recording as the dashboard ends: the cursor shown again.
    pub fn finish(&mut self) -> io::Result<()> {
        self.output(END);
        self.event()
    }

    fn secs(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Keeps `bytes` for the next event.
    pub fn output(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// Writes what was kept as one output event (nothing if nothing was kept). Invalid UTF-8
    /// is written as U+FFFD; an incomplete sequence at the end waits for the next event.
    pub fn event(&mut self) -> io::Result<()> {
        let whole = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        if whole == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.pending[..whole]).into_owned();
        self.pending.drain(..whole);
        let line = serde_json::json!([round_ms(self.secs()), "o", text]);
        writeln!(self.file, "{line}")?;
        self.file.flush()
    }

    /// Writes a resize event.
    pub fn resize(&mut self, cols: u16, rows: u16) -> io::Result<()> {
        self.event()?;
        let line = serde_json::json!([round_ms(self.secs()), "r", format!("{cols}x{rows}")]);
        writeln!(self.file, "{line}")?;
        self.file.flush()
    }
}

/// What a recording starts with: cursor hidden, home, screen cleared.
const START: &[u8] = b"\x1b[?25l\x1b[H\x1b[2J";
/// What it ends with: the cursor shown.
const END: &[u8] = b"\x1b[?25h";

/// Seconds to the millisecond (the recording's resolution; keeps lines short).
fn round_ms(secs: f64) -> f64 {
    (secs * 1000.0).round() / 1000.0
}

/// A recording in progress, shared by the terminal's writer (bytes, flushes) and its guard
/// (resizes, the closing message). A recording that cannot be written stops (the dashboard goes
/// on) and keeps its error for the closing message.
pub struct Recording {
    cast: Option<CastWriter>,
    /// The size last recorded (the header's, then each resize's).
    size: (u16, u16),
    error: Option<io::Error>,
}

impl Recording {
    /// A recording into `cast`, shareable.
    pub fn shared(cast: CastWriter) -> Arc<Mutex<Self>> {
        Arc::new(Mutex::new(Self {
            size: cast.size,
            cast: Some(cast),
            error: None,
        }))
    }

    fn attempt(&mut self, f: impl FnOnce(&mut CastWriter) -> io::Result<()>) {
        if let Some(cast) = self.cast.as_mut()
            && let Err(e) = f(cast)
        {
            self.cast = None;
            self.error = Some(e);
        }
    }

    /// Records the terminal's size if it changed.
    pub fn resized(&mut self, cols: u16, rows: u16) {
        if self.size != (cols, rows) {
            self.size = (cols, rows);
            self.attempt(|c| c.resize(cols, rows));
        }
    }

    /// Ends the recording (the cursor shown again); nothing after it is recorded.
    pub fn finish(&mut self) {
        self.attempt(CastWriter::finish);
        self.cast = None;
    }

    /// Why the recording stopped before the end, if it did.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }
}

/// Locks a recording; one left poisoned by a panic is still written (its data is only bytes).
pub fn lock(recording: &Mutex<Recording>) -> MutexGuard<'_, Recording> {
    recording.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The dashboard's terminal output: stdout, and a copy into the recording when there is one.
pub struct Screen {
    out: Stdout,
    recording: Option<Arc<Mutex<Recording>>>,
}

impl Screen {
    pub fn new(recording: Option<Arc<Mutex<Recording>>>) -> Self {
        Self {
            out: io::stdout(),
            recording,
        }
    }
}

impl Write for Screen {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        if let Some(recording) = &self.recording {
            lock(recording).attempt(|c| {
                c.output(&buf[..n]);
                Ok(())
            });
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Some(recording) = &self.recording {
            lock(recording).attempt(CastWriter::event);
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(path: &Path) -> Vec<serde_json::Value> {
        std::fs::read_to_string(path)
            .expect("cast")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }

    #[test]
    fn a_cast_is_a_header_then_timed_events() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("x.cast");
        let mut cast = CastWriter::create(&path, 120, 40).expect("create");
        cast.output(b"\x1b[1;1Hhello \xe2\x96");
        cast.event().expect("event");
        cast.output(b"\x80");
        cast.event().expect("event");
        cast.event().expect("an empty event is not written");
        cast.resize(80, 24).expect("resize");
        drop(cast);
        let lines = lines(&path);
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert_eq!(lines[0]["version"], 2);
        assert_eq!(lines[0]["width"], 120);
        assert_eq!(lines[0]["height"], 40);
        // The half-block's three bytes arrive in two writes and are written whole, once.
        assert_eq!(lines[1][1], "o");
        // The first event starts on a clear screen.
        assert_eq!(lines[1][2], "\u{1b}[?25l\u{1b}[H\u{1b}[2J\u{1b}[1;1Hhello ");
        assert_eq!(lines[2][2], "▀");
        assert_eq!(lines[3][1], "r");
        assert_eq!(lines[3][2], "80x24");
        let t: Vec<f64> = lines[1..]
            .iter()
            .map(|l| l[0].as_f64().expect("t"))
            .collect();
        assert!(t.windows(2).all(|w| w[0] <= w[1]), "{t:?}");
    }

    #[test]
    fn a_finished_recording_shows_the_cursor_again_and_records_nothing_more() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("x.cast");
        let rec = Recording::shared(CastWriter::create(&path, 80, 24).expect("create"));
        lock(&rec).attempt(|c| {
            c.output(b"frame");
            c.event()
        });
        lock(&rec).finish();
        lock(&rec).attempt(|c| {
            c.output(b"after");
            c.event()
        });
        drop(rec);
        let lines = lines(&path);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[2][2], "\u{1b}[?25h");
    }
}
