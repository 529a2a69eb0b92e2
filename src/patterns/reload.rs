//! The reload logic behind the watcher, free of threads and notify: rescan a directory, keep
//! the last good version of each file and the last good set, and say what changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::bitmap::Bitmap;
use super::error::{ErrorKind, FileError};
use super::file::{Format, Image, Pattern, pattern_name, read_stamped};
use super::probe::{Probe, RACY_WINDOW, Stamp, directory_gone, probe};
use super::set::{FileReport, assemble_keeping, choose_grid, pattern_files};
use super::warn::{SetWarning, new_warnings, set_warnings};
use crate::model::Memories;

/// One change of the memory set, by pattern name (the escaped file stem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added(String),
    Changed(String),
    Removed(String),
}

impl std::fmt::Display for Change {
    /// "added owl", "changed cat", "removed dog".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Added(n) => write!(f, "added {n}"),
            Change::Changed(n) => write!(f, "changed {n}"),
            Change::Removed(n) => write!(f, "removed {n}"),
        }
    }
}

/// What a rescan found.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The set changed (or a reload was forced): the new set, what changed, every file's
    /// status and the errors (a bad file's last good version stays in the set).
    Reloaded {
        memories: Arc<Memories>,
        changes: Vec<Change>,
        files: Vec<FileReport>,
        errors: Vec<FileError>,
        /// What `recall check` would warn about that this reload brought (see
        /// [`new_warnings`]); every warning of the set on a forced reload.
        warnings: Vec<SetWarning>,
    },
    /// The set did not change but the errors did (a file turned bad, or was fixed back to its
    /// last good content). `kept_last_good_set` is true when every file is gone or bad and the
    /// previous set stays in use.
    Errors {
        errors: Vec<FileError>,
        kept_last_good_set: bool,
    },
    /// Nothing to report.
    Unchanged,
}

#[derive(Debug, Default)]
struct FileState {
    /// The file's pattern is in the set in use: it keeps its place when newcomers arrive
    /// (over the pattern limit, or with a name already taken, the newcomer is refused).
    in_set: bool,
    /// The stamp of the file when `last_good` and `error` were read from it, kept only once the
    /// file had settled (see [`Stamp::settled`]): while it is unchanged the file is not read
    /// again.
    read: Option<Stamp>,
    last_good: Option<Pattern>,
    error: Option<FileError>,
    /// When the file was first seen empty: a truncate-then-write save in progress.
    empty_since: Option<Instant>,
}

/// The state of a watched directory between rescans.
#[derive(Debug)]
pub struct ReloadState {
    dir: PathBuf,
    files: BTreeMap<PathBuf, FileState>,
    /// The set in use (what the network runs), if any.
    current: Option<Arc<Memories>>,
    /// The errors last reported, and whether the last good set was being kept.
    reported: (Vec<FileError>, bool),
    /// How long an empty file counts as "not yet written" before it is an error.
    empty_grace: Duration,
    /// The directory was read at least once (the files of the set in use are known).
    scanned: bool,
    /// How recent a change must be for a file's stamp not to be trusted ([`RACY_WINDOW`]).
    racy_window: Duration,
    /// How many times a file was read and parsed (for tests and diagnostics).
    reads: u64,
}

impl ReloadState {
    /// Starts from the set the network runs now (`None` if it has none from this directory:
    /// the first rescan then reports every file as added).
    pub fn new(dir: &Path, current: Option<Arc<Memories>>, empty_grace: Duration) -> Self {
        Self {
            dir: dir.to_path_buf(),
            files: BTreeMap::new(),
            current,
            reported: (Vec::new(), false),
            empty_grace,
            scanned: false,
            racy_window: RACY_WINDOW,
            reads: 0,
        }
    }

    /// How many times a file was read and parsed since the start: a rescan reads only the
    /// files whose [`Stamp`] changed (or that changed too recently to be trusted).
    #[cfg(test)]
    pub fn reads(&self) -> u64 {
        self.reads
    }

    /// True while some file is empty and still within its grace period: rescan again soon.
    pub fn waiting_for_writes(&self) -> bool {
        self.files
            .values()
            .any(|f| f.empty_since.is_some() && f.error.is_none())
    }

    /// Reads the directory again and reports the difference with the set in use. `force`
    /// reports a reload even when nothing changed.
    pub fn rescan(&mut self, now: Instant, force: bool) -> Outcome {
        if let Some(found) = directory_gone(&self.dir) {
            // Every file's last good version stays, for when the directory is back.
            let gone = FileError::new(&self.dir, ErrorKind::DirectoryGone { found });
            return self.errors_only(vec![gone], true, force);
        }
        let paths = match pattern_files(&self.dir) {
            Ok(paths) => paths,
            Err(e) => {
                let kind = ErrorKind::Io {
                    message: e.to_string(),
                };
                return self.errors_only(vec![FileError::new(&self.dir, kind)], true, force);
            }
        };
        self.files.retain(|p, _| paths.contains(p));
        let wall_clock = SystemTime::now();
        for path in &paths {
            // Before the first scan only the names in use are known; after it, a new path is
            // a newcomer.
            let by_name = self.current.as_deref().filter(|_| !self.scanned);
            let state = self.files.entry(path.clone()).or_insert_with(|| FileState {
                in_set: by_name.is_some_and(|m| m.index_of(&pattern_name(path)).is_some()),
                ..FileState::default()
            });
            let (result, stamp) = match probe(path) {
                // Deleted between listing and reading: the next event rescans.
                Ok(Probe::Gone) => continue,
                // Unchanged since it was read: its last good version and error stand.
                Ok(Probe::File(stamp)) if state.read == Some(stamp) => continue,
                Ok(Probe::File(_)) => {
                    self.reads += 1;
                    read_stamped(path)
                }
                // Not a regular file (a FIFO, a device, a broken link): never opened.
                Err(e) => (Err(e), None),
            };
            // Trusted only if the file had settled; parse errors are as final as successes,
            // an I/O error or an empty file (a save in progress) is not.
            let settled = stamp.filter(|s| s.settled(wall_clock, self.racy_window));
            state.read = match &result {
                Ok(_) => settled,
                Err(e) if matches!(e.kind, ErrorKind::Io { .. } | ErrorKind::Empty) => None,
                Err(_) => settled,
            };
            if result.is_err() && state.last_good.is_none() {
                // A file first seen bad (or half-written) keeps the version the network runs.
                state.last_good = self.current.as_deref().and_then(|m| from_memories(m, path));
            }
            match result {
                Ok(pattern) => {
                    state.last_good = Some(pattern);
                    state.error = None;
                    state.empty_since = None;
                }
                Err(e) if is_empty_file(&e) => {
                    // A save in progress, while it is recent; one found by the first scan
                    // (there when the run started) or empty since before the racy window is
                    // an error now, as the start's own load said ("skipped …: empty file").
                    let since = *state.empty_since.get_or_insert(now);
                    let old = !self.scanned || settled.is_some();
                    if old || now.duration_since(since) >= self.empty_grace {
                        state.error = Some(e);
                    }
                }
                Err(e) => {
                    state.error = Some(e);
                    state.empty_since = None;
                }
            }
        }
        let prefer = self.current.as_ref().map(|m| (m.width(), m.height()));
        let mut parsed: Vec<_> = self
            .files
            .iter()
            .filter_map(|(p, s)| s.last_good.clone().map(|g| (p.clone(), Ok(g))))
            .collect();
        let size_errors = self.keep_resized(&mut parsed, prefer);
        // A newcomer never evicts a memory in use (over the limit, or with its name).
        let in_use = |p: &Path| self.files.get(p).is_some_and(|s| s.in_set);
        let assembled = assemble_keeping(parsed, prefer, in_use);
        self.scanned = true;
        if !assembled.is_empty() {
            // The assembled set is the one in use from now on (or equal to it).
            for file in &assembled.files {
                if let Some(state) = self.files.get_mut(&file.path) {
                    state.in_set = file.status.is_ok();
                }
            }
        }
        // The set in use again (a file outside it changed, or a forced reload): keep it rather
        // than build it again, which costs O(N·P²).
        let (report_files, memories) = match self.current.as_ref().filter(|m| assembled.is(m)) {
            Some(same) => (assembled.files, Some(Arc::clone(same))),
            None => {
                let report = assembled.build();
                (report.files, report.memories.map(Arc::new))
            }
        };
        let mut errors: Vec<FileError> = self
            .files
            .values()
            .filter_map(|s| s.error.clone())
            .chain(size_errors.values().cloned())
            .collect();
        errors.extend(report_files.iter().filter_map(|f| f.status.clone().err()));
        errors.sort_by(|a, b| a.path.cmp(&b.path));
        let mut files = report_files;
        for (path, state) in &self.files {
            if let Some(e) = state.error.as_ref().or(size_errors.get(path)) {
                if let Some(f) = files.iter_mut().find(|f| &f.path == path) {
                    f.status = Err(e.clone());
                } else {
                    files.push(FileReport {
                        path: path.clone(),
                        name: pattern_name(path),
                        status: Err(e.clone()),
                    });
                }
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let Some(memories) = memories else {
            return self.errors_only(errors, true, force);
        };
        let changes = diff(self.current.as_deref(), &memories);
        if changes.is_empty() && !force {
            return self.errors_only(errors, false, false);
        }
        let warnings = if force {
            set_warnings(&memories)
        } else {
            let brought: Vec<&str> = changes
                .iter()
                .filter_map(|c| match c {
                    Change::Added(n) | Change::Changed(n) => Some(n.as_str()),
                    Change::Removed(_) => None,
                })
                .collect();
            new_warnings(self.current.as_deref(), &memories, &brought)
        };
        self.current = Some(Arc::clone(&memories));
        self.reported = (errors.clone(), false);
        Outcome::Reloaded {
            memories,
            changes,
            files,
            errors,
            warnings,
        }
    }

    /// A file of the set in use saved at another size than the set's keeps the version in
    /// use, as a file with a bad character keeps its last good version: `parsed` gets that
    /// version back, and the size error is returned by path to be reported. The set changes
    /// size only when no file has its size any more (`choose_grid`), and then nothing is kept.
    fn keep_resized(
        &self,
        parsed: &mut [(PathBuf, Result<Pattern, FileError>)],
        prefer: Option<(usize, usize)>,
    ) -> BTreeMap<PathBuf, FileError> {
        let mut errors = BTreeMap::new();
        let grid = choose_grid(parsed, prefer);
        let Some(current) = self
            .current
            .as_deref()
            .filter(|m| (m.width(), m.height()) == grid)
        else {
            return errors;
        };
        for (path, result) in parsed.iter_mut() {
            // Only a file of the set in use has a version in use (not a newcomer, nor a
            // duplicate of a name the set holds from another file).
            if !self.files.get(path.as_path()).is_some_and(|s| s.in_set) {
                continue;
            }
            let Ok(good) = result else { continue };
            let Some((width, height)) = good.exact_size().filter(|&s| s != grid) else {
                continue;
            };
            if let Some(kept) = from_memories(current, path) {
                let kind = ErrorKind::WrongSize {
                    width,
                    height,
                    set_width: grid.0,
                    set_height: grid.1,
                };
                errors.insert(path.clone(), FileError::new(path, kind));
                *result = Ok(kept);
            }
        }
        errors
    }

    fn errors_only(
        &mut self,
        errors: Vec<FileError>,
        kept_last_good_set: bool,
        force: bool,
    ) -> Outcome {
        let state = (errors, kept_last_good_set);
        if !force && state == self.reported {
            return Outcome::Unchanged;
        }
        self.reported = state.clone();
        Outcome::Errors {
            errors: state.0,
            kept_last_good_set,
        }
    }
}

/// The pattern called like `path` in `mem`, as the file's last good version.
fn from_memories(mem: &Memories, path: &Path) -> Option<Pattern> {
    let name = pattern_name(path);
    let mu = mem.index_of(&name)?;
    let bitmap = Bitmap {
        width: mem.width(),
        height: mem.height(),
        pixels: mem.memory(mu).iter().map(|&v| v > 0.0).collect(),
    };
    Some(Pattern {
        name,
        path: path.to_path_buf(),
        format: Format::of(path).unwrap_or(Format::Text),
        image: Image::Binary(bitmap),
    })
}

fn is_empty_file(e: &FileError) -> bool {
    e.kind == ErrorKind::Empty && std::fs::metadata(&e.path).is_ok_and(|m| m.len() == 0)
}

/// Added, changed and removed memories between two sets, by name.
pub fn diff(old: Option<&Memories>, new: &Memories) -> Vec<Change> {
    let mut changes = Vec::new();
    let Some(old) = old else {
        return new.names().iter().cloned().map(Change::Added).collect();
    };
    let same_grid = (old.width(), old.height()) == (new.width(), new.height());
    for (mu, name) in new.names().iter().enumerate() {
        match old.index_of(name) {
            None => changes.push(Change::Added(name.clone())),
            Some(nu) if !same_grid || old.memory(nu) != new.memory(mu) => {
                changes.push(Change::Changed(name.clone()));
            }
            Some(_) => {}
        }
    }
    for name in old.names() {
        if new.index_of(name).is_none() {
            changes.push(Change::Removed(name.clone()));
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn only_files_whose_stamp_changed_are_read_again() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", "#.\n");
        write(dir.path(), "b.txt", ".#\n");
        write(dir.path(), "c.txt", "#?\n");
        let mut state = ReloadState::new(dir.path(), None, Duration::ZERO);
        state.racy_window = Duration::ZERO;
        let now = Instant::now();
        assert!(matches!(state.rescan(now, false), Outcome::Reloaded { .. }));
        assert_eq!(state.reads(), 3);
        // Nothing changed: nothing is read, and the bad file's error stands.
        let Outcome::Reloaded { errors, .. } = state.rescan(now, true) else {
            panic!("a forced reload")
        };
        assert_eq!(state.reads(), 3);
        assert_eq!(errors.len(), 1);
        // One file changed: only it is read.
        write(dir.path(), "a.txt", "##\n");
        let Outcome::Reloaded { changes, .. } = state.rescan(now, false) else {
            panic!("a reload")
        };
        assert_eq!(changes, vec![Change::Changed("a".into())]);
        assert_eq!(state.reads(), 4);
    }

    #[test]
    fn a_rescan_that_finds_the_set_in_use_keeps_it_instead_of_rebuilding_it() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", "#.\n");
        let mut state = ReloadState::new(dir.path(), None, Duration::ZERO);
        let now = Instant::now();
        let Outcome::Reloaded {
            memories: first, ..
        } = state.rescan(now, false)
        else {
            panic!("a reload")
        };
        // A file outside the set changes (here: a bad one appears), then a forced reload.
        write(dir.path(), "b.txt", "#?\n");
        assert!(matches!(state.rescan(now, false), Outcome::Errors { .. }));
        let Outcome::Reloaded { memories, .. } = state.rescan(now, true) else {
            panic!("a forced reload")
        };
        assert!(Arc::ptr_eq(&first, &memories));
    }

    #[test]
    fn a_file_changed_within_the_racy_window_is_read_every_time() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", "#.\n");
        let mut state = ReloadState::new(dir.path(), None, Duration::ZERO);
        let now = Instant::now();
        state.rescan(now, false);
        // The same size within one time-stamp tick looks unchanged; it is read anyway.
        write(dir.path(), "a.txt", ".#\n");
        let Outcome::Reloaded { changes, .. } = state.rescan(now, false) else {
            panic!("a reload")
        };
        assert_eq!(changes, vec![Change::Changed("a".into())]);
        assert_eq!(state.reads(), 2);
    }
}
