//! A progress line on stderr while an experiment's jobs run, only when stderr is a terminal
//! (a log file or a pipe gets nothing), rewritten in place at most four times a second.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Counts finished jobs and shows "capacity: 12/135 networks, 4 s".
pub struct Progress {
    label: String,
    unit: &'static str,
    total: usize,
    done: AtomicUsize,
    start: Instant,
    /// When the line was last drawn; `None` when nothing is drawn (stderr is no terminal).
    last: Option<Mutex<Instant>>,
}

impl Progress {
    /// A progress line for `total` jobs, drawn only if stderr is a terminal.
    pub fn new(label: &str, unit: &'static str, total: usize) -> Self {
        let shown = std::io::stderr().is_terminal();
        Self::with_output(label, unit, total, shown)
    }

    /// As [`Progress::new`], drawn or not as `shown` says.
    pub fn with_output(label: &str, unit: &'static str, total: usize, shown: bool) -> Self {
        let start = Instant::now();
        Self {
            label: label.to_string(),
            unit,
            total,
            done: AtomicUsize::new(0),
            start,
            last: shown.then(|| Mutex::new(start - Duration::from_secs(1))),
        }
    }

    /// One job finished.
    pub fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let Some(last) = &self.last else { return };
        let Ok(mut last) = last.lock() else { return };
        let now = Instant::now();
        if now.duration_since(*last) < Duration::from_millis(250) && done < self.total {
            return;
        }
        *last = now;
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{}: {done}/{} {}, {:.0} s\x1b[K",
            self.label,
            self.total,
            self.unit,
            self.start.elapsed().as_secs_f64()
        );
        let _ = err.flush();
    }

    /// Clears the line (the table follows on stdout).
    pub fn finish(&self) {
        if self.last.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }

    /// Seconds since the start.
    pub fn elapsed_secs(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }
}
