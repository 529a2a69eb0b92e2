//! Live reload of a pattern directory: a notify watcher (or a polling one) feeding a thread
//! that debounces events, rescans the directory and sends typed messages.
//!
//! # How to use it
//!
//! ```no_run
//! # use std::{path::Path, sync::Arc, time::Duration};
//! # use recall::patterns::watch::{PatternEvent, WatchOptions, Watcher};
//! let (tx, rx) = crossbeam_channel::bounded(16);
//! let set = Arc::new(recall::patterns::load_dir(Path::new("patterns"))?);
//! let options = WatchOptions { poll: None, ..WatchOptions::default() };
//! match Watcher::start(Path::new("patterns"), Some(Arc::clone(&set)), options, tx) {
//!     Ok(watcher) => { /* keep it alive; dropping it stops and joins its thread */ }
//!     Err(e) => eprintln!("{e}"), // "no live reload: …": run on without it
//! }
//! for event in rx.iter() {
//!     match event {
//!         PatternEvent::Reloaded(r) => { /* net.set_memories(r.memories); log r.changes */ }
//!         PatternEvent::Errors(e) => { /* show e.errors (path:line:col); set unchanged */ }
//!     }
//! }
//! # anyhow::Ok(())
//! ```
//!
//! - [`PatternEvent::Reloaded`]: the set changed. `changes` reads "added owl", "changed cat",
//!   "removed dog" (`Display`); `errors` lists the files that are bad right now (their last
//!   good version, if any, stays in the set); `files` has every file's status, including
//!   `converted_from` for PNG images resized to the grid.
//! - [`PatternEvent::Errors`]: the set is unchanged but the errors changed. An empty `errors`
//!   means "fixed: clear the error". `kept_last_good_set` means every file is gone or bad and
//!   the network keeps its previous set.
//! - [`Watcher::reload`] forces a rescan that always reports (the "reload" key).
//! - Saves are debounced: a burst of events is one reload once the directory has been quiet
//!   for `settle` (at most `max_delay` after the first event). Editor debris (`*.swp`, `*~`,
//!   `4913`, `.#*`, temporary files) never triggers anything. An empty file counts as "not yet
//!   written" for `empty_grace` before it is reported.
//! - Messages go on the caller's bounded channel; the thread waits (never drops a message)
//!   and exits when the receiver is gone or the watcher is dropped.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, SendTimeoutError, Sender, TryRecvError, bounded, never, select};
use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};
use thiserror::Error;

use super::error::{FileError, display_name};
use super::file::Format;
use super::reload::{Outcome, ReloadState};
use super::set::FileReport;
use crate::model::Memories;

pub use super::reload::Change;

/// The set changed: install `memories` (same names → same meaning; see `changes`).
#[derive(Debug, Clone)]
pub struct PatternsReloaded {
    pub memories: Arc<Memories>,
    pub changes: Vec<Change>,
    /// Every pattern file's status, in path order.
    pub files: Vec<FileReport>,
    /// The bad files (also in `files`), in path order.
    pub errors: Vec<FileError>,
}

/// The set is unchanged, but the errors are not what was last reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternErrors {
    /// Empty when the last error was fixed.
    pub errors: Vec<FileError>,
    /// Every file is gone or bad: the network keeps its last good set.
    pub kept_last_good_set: bool,
}

/// What the watcher thread sends.
#[derive(Debug, Clone)]
pub enum PatternEvent {
    Reloaded(PatternsReloaded),
    Errors(PatternErrors),
}

/// How the watcher watches.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Poll the directory at this interval instead of using OS events (`--poll MS`).
    pub poll: Option<Duration>,
    /// Quiet time after the last event before a rescan (a save's burst of events is one
    /// reload).
    pub settle: Duration,
    /// Longest wait after the first event of a burst, so an endless stream still reloads.
    pub max_delay: Duration,
    /// How long an empty file counts as "not yet written".
    pub empty_grace: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            poll: None,
            settle: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            empty_grace: Duration::from_millis(500),
        }
    }
}

/// The watcher could not start: the program runs on without live reload.
#[derive(Debug, Error)]
#[error("no live reload: cannot watch {dir}: {message}")]
pub struct WatchError {
    pub dir: String,
    pub message: String,
}

enum Backend {
    Events(RecommendedWatcher),
    Poll(notify::PollWatcher),
}

enum Control {
    Reload,
}

/// A running watcher. Dropping it (or [`Watcher::stop`]) stops the backend and joins the
/// thread.
pub struct Watcher {
    control: Option<Sender<Control>>,
    thread: Option<JoinHandle<()>>,
    backend: Option<Backend>,
}

impl Watcher {
    /// Watches `dir`. `current` is the set the network runs now (if it came from `dir`):
    /// changes are reported against it, and the first rescan (done at once) reports whatever
    /// differs. Messages go to `events`.
    pub fn start(
        dir: &Path,
        current: Option<Arc<Memories>>,
        options: WatchOptions,
        events: Sender<PatternEvent>,
    ) -> Result<Watcher, WatchError> {
        let fail = |e: &dyn std::fmt::Display| WatchError {
            dir: display_name(dir),
            message: e.to_string(),
        };
        if !dir.is_dir() {
            return Err(fail(&"not a directory"));
        }
        let (raw_tx, raw_rx) = bounded::<notify::Result<notify::Event>>(256);
        let handler = move |e: notify::Result<notify::Event>| {
            // A full queue already holds a pending rescan: dropping this event loses nothing.
            let _ = raw_tx.try_send(e);
        };
        let mut backend = match options.poll {
            None => {
                RecommendedWatcher::new(handler, notify::Config::default()).map(Backend::Events)
            }
            Some(interval) => {
                let config = notify::Config::default()
                    .with_poll_interval(interval)
                    .with_compare_contents(true);
                notify::PollWatcher::new(handler, config).map(Backend::Poll)
            }
        }
        .map_err(|e| fail(&e))?;
        match &mut backend {
            Backend::Events(w) => w.watch(dir, RecursiveMode::NonRecursive),
            Backend::Poll(w) => w.watch(dir, RecursiveMode::NonRecursive),
        }
        .map_err(|e| fail(&e))?;
        let (control_tx, control_rx) = bounded(4);
        // The first scan happens now, after the watch is in place: nothing is missed, and a
        // save racing with start-up compares against the set in use.
        let mut state = ReloadState::new(dir, current, options.empty_grace);
        let first = state.rescan(Instant::now(), false);
        let worker = Worker {
            dir: dir.to_path_buf(),
            state,
            options,
            events,
            control: control_rx,
        };
        let thread = std::thread::Builder::new()
            .name("pattern-watcher".into())
            .spawn(move || worker.run(first, raw_rx))
            .map_err(|e| fail(&e))?;
        Ok(Watcher {
            control: Some(control_tx),
            thread: Some(thread),
            backend: Some(backend),
        })
    }

    /// Forces a rescan that always reports (a `Reloaded`, or `Errors` if no file is valid).
    pub fn reload(&self) {
        if let Some(c) = &self.control {
            let _ = c.try_send(Control::Reload);
        }
    }

    /// Stops watching and joins the thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.backend = None;
        self.control = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.shutdown();
    }
}

struct Worker {
    dir: PathBuf,
    state: ReloadState,
    options: WatchOptions,
    events: Sender<PatternEvent>,
    control: Receiver<Control>,
}

impl Worker {
    fn run(mut self, first: Outcome, raw: Receiver<notify::Result<notify::Event>>) {
        let control = self.control.clone();
        if !self.report(first) {
            return;
        }
        let mut first_event: Option<Instant> = None;
        let mut deadline: Option<Instant> = None;
        loop {
            let timer = deadline.map_or_else(never, crossbeam_channel::at);
            select! {
                recv(control) -> msg => match msg {
                    Ok(Control::Reload) => {
                        first_event = None;
                        deadline = None;
                        if !self.rescan(true) { return; }
                    }
                    Err(_) => return,
                },
                recv(raw) -> msg => match msg {
                    Ok(event) if self.relevant(&event) => {
                        let now = Instant::now();
                        let first = *first_event.get_or_insert(now);
                        deadline = Some((now + self.options.settle).min(first + self.options.max_delay));
                    }
                    Ok(_) => {}
                    Err(_) => return,
                },
                recv(timer) -> _ => {
                    first_event = None;
                    deadline = None;
                    if !self.rescan(false) { return; }
                    if self.state.waiting_for_writes() {
                        deadline = Some(Instant::now() + self.options.settle);
                    }
                },
            }
        }
    }

    /// Rescans and sends what changed; false when the receiver is gone.
    fn rescan(&mut self, force: bool) -> bool {
        let outcome = self.state.rescan(Instant::now(), force);
        self.report(outcome)
    }

    /// Sends an outcome; false when the receiver is gone.
    fn report(&self, outcome: Outcome) -> bool {
        let event = match outcome {
            Outcome::Unchanged => return true,
            Outcome::Reloaded {
                memories,
                changes,
                files,
                errors,
            } => PatternEvent::Reloaded(PatternsReloaded {
                memories,
                changes,
                files,
                errors,
            }),
            Outcome::Errors {
                errors,
                kept_last_good_set,
            } => PatternEvent::Errors(PatternErrors {
                errors,
                kept_last_good_set,
            }),
        };
        self.send(event)
    }

    /// Sends without dropping, but gives up when the watcher is being stopped.
    fn send(&self, mut event: PatternEvent) -> bool {
        loop {
            match self.events.send_timeout(event, Duration::from_millis(50)) {
                Ok(()) => return true,
                Err(SendTimeoutError::Disconnected(_)) => return false,
                Err(SendTimeoutError::Timeout(back)) => {
                    if matches!(self.control.try_recv(), Err(TryRecvError::Disconnected)) {
                        return false;
                    }
                    event = back;
                }
            }
        }
    }

    /// Events about pattern files (not debris, not access-only events), or backend errors.
    fn relevant(&self, event: &notify::Result<notify::Event>) -> bool {
        let Ok(event) = event else { return true };
        // Reads are noise; the close after a write marks its end and is worth a settle.
        if let EventKind::Access(kind) = event.kind
            && kind != AccessKind::Close(AccessMode::Write)
        {
            return false;
        }
        // A rename whose target is outside view, or an event on the directory itself.
        event.paths.is_empty()
            || event
                .paths
                .iter()
                .any(|p| Format::of(p).is_some() || p == &self.dir)
    }
}
