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
//!   `converted_from` for PNG images resized to the grid; `warnings` what `recall check`
//!   would warn about that the changes brought (a duplicate, a negative, a look-alike, the
//!   capacity passed).
//! - [`PatternEvent::Errors`]: the set is unchanged but the errors changed. An empty `errors`
//!   means "fixed: clear the error". `kept_last_good_set` means every file is gone or bad and
//!   the network keeps its previous set.
//! - [`Watcher::reload`] forces a rescan that always reports (the "reload" key).
//! - Saves are debounced: a burst of events is one reload once the directory has been quiet
//!   for `settle` (at most `max_delay` after the first event). Editor debris (`*.swp`, `*~`,
//!   `4913`, `.#*`, temporary files) never triggers anything. An empty file counts as "not yet
//!   written" for `empty_grace` before it is reported.
//! - The directory itself deleted, renamed or replaced by something else is one
//!   `Errors` (`ErrorKind::DirectoryGone`, `kept_last_good_set`); the path is watched again
//!   when a directory is back there, and the next message reports against the set in use.
//! - Messages go on the caller's bounded channel; the thread waits (never drops a message)
//!   and exits when the receiver is gone or the watcher is dropped.

use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, SendTimeoutError, Sender, TryRecvError, bounded, never, select};
use thiserror::Error;

use super::backend::{Backend, DirId, RawEvent, Target, dir_id};
use super::error::{FileError, display_name};
use super::reload::{Outcome, ReloadState};
use super::set::FileReport;
use super::warn::SetWarning;
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
    /// What `recall check` would warn about that this reload brought: a pattern added or
    /// changed that duplicates another (or is its negative) or looks too much like one, or
    /// the set passing the capacity. A forced reload ([`Watcher::reload`]) gives every warning
    /// of the set. `Display` gives the text after "warning: ".
    pub warnings: Vec<SetWarning>,
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
    /// How often a directory that is gone (deleted, renamed, replaced by a file) is looked
    /// for; with OS events its parent is watched too, so it is usually seen back at once.
    pub gone_poll: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            poll: None,
            settle: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            empty_grace: Duration::from_millis(500),
            gone_poll: Duration::from_millis(250),
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

enum Control {
    Reload,
}

/// A running watcher. Dropping it (or [`Watcher::stop`]) stops the thread, which stops the
/// backend, and joins it.
pub struct Watcher {
    control: Option<Sender<Control>>,
    thread: Option<JoinHandle<()>>,
}

impl Watcher {
    /// Watches `dir`. `current` is the set the network runs now (if it came from `dir`):
    /// changes are reported against it, and the first rescan (done at once) reports whatever
    /// differs. Messages go to `events`.
    ///
    /// If the directory is later deleted, renamed or replaced (an editor, a sync tool or
    /// `git checkout` doing `rm -rf D; cp -r … D`), that is reported once
    /// ([`ErrorKind::DirectoryGone`](super::ErrorKind::DirectoryGone), the last good set kept)
    /// and the path is watched again as soon as a directory is there.
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
        let Some(id) = dir_id(dir) else {
            return Err(fail(&"not a directory"));
        };
        let target = Target::new(dir);
        let (raw_tx, raw_rx) = bounded::<RawEvent>(256);
        let backend = target
            .arm(options.poll, true, raw_tx.clone())
            .map_err(|e| fail(&e))?;
        let (control_tx, control_rx) = bounded(4);
        // The first scan happens now, after the watch is in place: nothing is missed, and a
        // save racing with start-up compares against the set in use.
        let mut state = ReloadState::new(dir, current, options.empty_grace);
        let first = state.rescan(Instant::now(), false);
        let worker = Worker {
            target,
            state,
            options,
            events,
            control: control_rx,
            raw_tx,
            backend,
            watching: Watching::Dir(id),
            recheck: None,
            dir_touched: false,
        };
        let thread = std::thread::Builder::new()
            .name("pattern-watcher".into())
            .spawn(move || worker.run(first, raw_rx))
            .map_err(|e| fail(&e))?;
        Ok(Watcher {
            control: Some(control_tx),
            thread: Some(thread),
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
        // The thread sees the control channel close, returns and drops the backend.
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

/// What the backend watches now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Watching {
    /// This directory (a replacement at the same path has another id).
    Dir(DirId),
    /// Nothing is at the path, or not a directory: waiting for one (the parent is watched
    /// with OS events, and the path is looked at every `gone_poll`).
    Gone,
    /// A directory is there but could not be watched: tried again every `gone_poll`.
    Failed,
}

struct Worker {
    target: Target,
    state: ReloadState,
    options: WatchOptions,
    events: Sender<PatternEvent>,
    control: Receiver<Control>,
    /// Where new backends send their events (the thread holds one end of its own queue).
    raw_tx: Sender<RawEvent>,
    /// Kept alive while it watches; replaced when the directory is.
    backend: Option<Backend>,
    watching: Watching,
    /// When to look again for a directory that is gone (or could not be watched).
    recheck: Option<Instant>,
    /// An event said the directory itself was created, deleted or renamed since it was last
    /// watched afresh.
    dir_touched: bool,
}

impl Worker {
    fn run(mut self, first: Outcome, raw: Receiver<RawEvent>) {
        let control = self.control.clone();
        if !self.report(first) {
            return;
        }
        let mut first_event: Option<Instant> = None;
        let mut deadline: Option<Instant> = None;
        loop {
            let timer = deadline.map_or_else(never, crossbeam_channel::at);
            let recheck = self.recheck.map_or_else(never, crossbeam_channel::at);
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
                    Ok(event) => {
                        // With OS events, the watch on a directory deleted or renamed is dead
                        // even if a new one at the path gets the old inode number.
                        if self.options.poll.is_none() && self.target.touches_dir(&event) {
                            self.dir_touched = true;
                        }
                        // The backend's filter queued only events that matter. An error (the
                        // poller repeats one every interval while the directory is gone)
                        // starts a settle but never extends one.
                        if event.is_ok() || deadline.is_none() {
                            let now = Instant::now();
                            let first = *first_event.get_or_insert(now);
                            deadline = Some((now + self.options.settle).min(first + self.options.max_delay));
                        }
                    }
                    Err(_) => return,
                },
                recv(timer) -> _ => {
                    first_event = None;
                    deadline = None;
                    // A directory that just came back (or replaced the one watched) may still
                    // be being copied: now that it is watched, wait for it to settle.
                    if self.follow_dir() {
                        let now = Instant::now();
                        first_event = Some(now);
                        deadline = Some(now + self.options.settle);
                        continue;
                    }
                    if !self.rescan(false) { return; }
                    if self.state.waiting_for_writes() {
                        deadline = Some(Instant::now() + self.options.settle);
                    }
                },
                recv(recheck) -> _ => {
                    self.recheck = None;
                    if self.follow_dir() {
                        let now = Instant::now();
                        first_event = Some(now);
                        deadline = Some(now + self.options.settle);
                    } else if self.watching == Watching::Failed && !self.rescan(false) {
                        // Not watched, but there: read it on every look.
                        return;
                    }
                },
            }
        }
    }

    /// Watches whatever directory is at the path now: nothing to do while it is the same one;
    /// when it is gone, replaced or back, the old backend is dropped first (so a renamed
    /// directory's events no longer come in as the path's) and a new one watches the path.
    /// True when a directory is newly watched.
    fn follow_dir(&mut self) -> bool {
        let found = dir_id(&self.target.dir);
        match (self.watching, found) {
            (Watching::Dir(id), Some(now)) if id == now && !self.dir_touched => return false,
            (Watching::Gone, None) => {
                self.recheck_later();
                return false;
            }
            _ => {}
        }
        self.backend = None;
        self.dir_touched = false;
        let armed = self
            .target
            .arm(self.options.poll, found.is_some(), self.raw_tx.clone());
        (self.backend, self.watching) = match (armed, found) {
            (Ok(backend), Some(id)) => (backend, Watching::Dir(id)),
            (Ok(backend), None) => (backend, Watching::Gone),
            (Err(_), Some(_)) => (None, Watching::Failed),
            (Err(_), None) => (None, Watching::Gone),
        };
        if matches!(self.watching, Watching::Dir(_)) {
            self.recheck = None;
            true
        } else {
            self.recheck_later();
            false
        }
    }

    fn recheck_later(&mut self) {
        self.recheck = Some(Instant::now() + self.options.gone_poll);
    }

    /// Rescans and sends what changed; false when the receiver is gone.
    fn rescan(&mut self, force: bool) -> bool {
        self.follow_dir();
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
                warnings,
            } => PatternEvent::Reloaded(PatternsReloaded {
                memories,
                changes,
                files,
                errors,
                warnings,
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
}
