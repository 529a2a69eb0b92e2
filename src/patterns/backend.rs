//! The notify side of the watcher: what is watched (the directory, and with OS events its
//! parent too, so that a directory deleted, renamed or replaced is seen coming back), which
//! events count, and the identity that tells a directory from its replacement.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crossbeam_channel::Sender;
use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use super::file::Format;

/// What notify delivers.
pub type RawEvent = notify::Result<notify::Event>;

/// The identity of a directory, links followed: device, inode and birth time where the system
/// records it, so a directory put in the place of another (`mv D D.old; cp -r good D`) is told
/// apart. Not proof: a deleted directory's inode can be reused at once, which is why events
/// about the directory itself also make the watcher watch it afresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirId {
    #[cfg(unix)]
    inode: (u64, u64),
    created: Option<std::time::SystemTime>,
}

/// The identity of `dir` if it is a directory now.
pub fn dir_id(dir: &Path) -> Option<DirId> {
    let meta = std::fs::metadata(dir).ok().filter(|m| m.is_dir())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(DirId {
            inode: (meta.dev(), meta.ino()),
            created: meta.created().ok(),
        })
    }
    #[cfg(not(unix))]
    {
        Some(DirId {
            created: meta.created().ok(),
        })
    }
}

/// A running notify watcher (OS events or polling), kept only to be dropped: that stops it.
pub struct Backend {
    _watcher: Box<dyn notify::Watcher + Send>,
}

impl Backend {
    fn new(watcher: impl notify::Watcher + Send + 'static) -> Backend {
        Backend {
            _watcher: Box::new(watcher),
        }
    }
}

/// The watched paths and the filter on their events.
#[derive(Debug, Clone)]
pub struct Target {
    /// The pattern directory, as given.
    pub dir: PathBuf,
    /// The directory's parent as notify is told to watch it (`.` for `patterns`); `None` for
    /// `.`, `/` and the like.
    parent: Option<PathBuf>,
    /// The names events may give the directory: as given, absolute (inotify and kqueue make
    /// relative paths absolute) and canonical (FSEvents resolves links).
    names: Vec<PathBuf>,
    /// The names events from the parent may give it (`/cwd/./patterns`, …).
    names_in_parent: Vec<PathBuf>,
}

impl Target {
    pub fn new(dir: &Path) -> Target {
        let forms = |p: &Path| {
            let mut forms = vec![p.to_path_buf()];
            forms.extend(std::path::absolute(p).ok());
            forms.extend(p.canonicalize().ok());
            forms.dedup();
            forms
        };
        let parent = dir.file_name().map(|_| match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        });
        let names_in_parent = match (&parent, dir.file_name()) {
            (Some(parent), Some(name)) => forms(parent).iter().map(|p| p.join(name)).collect(),
            _ => Vec::new(),
        };
        Target {
            dir: dir.to_path_buf(),
            parent,
            names: forms(dir),
            names_in_parent,
        }
    }

    /// True when `p` (from an event) names the directory.
    fn is_dir(&self, p: &Path) -> bool {
        self.names.iter().any(|d| d == p)
    }

    /// True when `p` (from an event) names the directory's entry in its parent.
    fn is_dir_in_parent(&self, p: &Path) -> bool {
        self.names_in_parent.iter().any(|d| d == p)
    }

    /// Starts watching: the directory when `with_dir` (it exists), and with OS events its
    /// parent as well (when it can: a parent that cannot be watched leaves the caller's
    /// polling for the directory to come back). Polling watches only the directory, so a
    /// polling target without it is `None`. Events that matter go to `events`.
    pub fn arm(
        &self,
        poll: Option<Duration>,
        with_dir: bool,
        events: Sender<RawEvent>,
    ) -> notify::Result<Option<Backend>> {
        let filter = self.clone();
        let handler = move |e: RawEvent| {
            // Only what matters is queued, so a full queue already holds a pending rescan and
            // dropping this event loses nothing (a busy parent cannot crowd it out).
            if filter.relevant(&e) {
                let _ = events.try_send(e);
            }
        };
        match poll {
            None => {
                let mut w = RecommendedWatcher::new(handler, notify::Config::default())?;
                if with_dir {
                    w.watch(&self.dir, RecursiveMode::NonRecursive)?;
                }
                if let Some(parent) = &self.parent {
                    let watched = w.watch(parent, RecursiveMode::NonRecursive);
                    if watched.is_err() && !with_dir {
                        return Ok(None);
                    }
                }
                Ok(Some(Backend::new(w)))
            }
            Some(_) if !with_dir => Ok(None),
            Some(interval) => {
                let config = notify::Config::default()
                    .with_poll_interval(interval)
                    .with_compare_contents(true);
                let mut w = notify::PollWatcher::new(handler, config)?;
                w.watch(&self.dir, RecursiveMode::NonRecursive)?;
                Ok(Some(Backend::new(w)))
            }
        }
    }

    /// True for an event that the directory itself was created, deleted or renamed (its own
    /// watch, or its entry in the parent): whatever its identity now, the OS watch on it may be
    /// dead, so it is watched afresh.
    pub fn touches_dir(&self, event: &RawEvent) -> bool {
        let Ok(event) = event else { return false };
        let moved = matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_))
        );
        moved
            && event
                .paths
                .iter()
                .any(|p| self.is_dir(p) || self.is_dir_in_parent(p))
    }

    /// Events about pattern files of the directory (not debris, not access-only events), about
    /// the directory itself (deleted, renamed, replaced, back), or backend errors.
    pub fn relevant(&self, event: &RawEvent) -> bool {
        let Ok(event) = event else { return true };
        // Reads are noise (our own rescans make them); the close after a write marks its end
        // and is worth a settle.
        if let EventKind::Access(kind) = event.kind
            && kind != AccessKind::Close(AccessMode::Write)
        {
            return false;
        }
        // No paths: notify lost track (a queue overflow), rescan.
        event.paths.is_empty()
            || event.paths.iter().any(|p| {
                self.is_dir(p)
                    || self.is_dir_in_parent(p)
                    || (p.parent().is_some_and(|d| self.is_dir(d)) && Format::of(p).is_some())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind, path: &str) -> RawEvent {
        Ok(notify::Event::new(kind).add_path(PathBuf::from(path)))
    }

    #[test]
    fn only_the_directory_and_its_pattern_files_are_relevant() {
        use notify::event::{CreateKind, RemoveKind};
        let t = Target::new(Path::new("patterns"));
        let create = EventKind::Create(CreateKind::File);
        assert!(t.relevant(&event(create, "patterns/cat.txt")));
        assert!(!t.relevant(&event(create, "patterns/cat.txt.swp")));
        // Siblings in the parent are not, the directory as the parent names it is.
        assert!(!t.relevant(&event(create, "./cat.txt")));
        assert!(t.relevant(&event(EventKind::Remove(RemoveKind::Folder), "./patterns")));
        assert!(t.relevant(&event(EventKind::Modify(ModifyKind::Any), "patterns")));
        // Opening the directory (our own rescans do) is not.
        let open = EventKind::Access(AccessKind::Open(AccessMode::Any));
        assert!(!t.relevant(&event(open, "./patterns")));
        let t = Target::new(Path::new("/a/b/patterns"));
        assert!(t.relevant(&event(create, "/a/b/patterns")));
        assert!(!t.relevant(&event(create, "/a/b/other.txt")));
        assert!(Target::new(Path::new(".")).parent.is_none());
        // Relative paths come back absolute from inotify.
        let cwd = std::env::current_dir().unwrap();
        let t = Target::new(Path::new("patterns"));
        assert!(t.relevant(&event(
            create,
            cwd.join("patterns/cat.txt").to_str().unwrap()
        )));
        let gone = EventKind::Remove(RemoveKind::Folder);
        assert!(t.relevant(&event(gone, cwd.join("./patterns").to_str().unwrap())));
        assert!(t.touches_dir(&event(gone, cwd.join("patterns").to_str().unwrap())));
        assert!(!t.relevant(&event(create, cwd.join("cat.txt").to_str().unwrap())));
    }

    #[test]
    fn the_directory_created_deleted_or_renamed_touches_it() {
        use notify::event::{CreateKind, DataChange, RemoveKind, RenameMode};
        let t = Target::new(Path::new("/a/patterns"));
        let gone = EventKind::Remove(RemoveKind::Folder);
        assert!(t.touches_dir(&event(gone, "/a/patterns")));
        let back = EventKind::Create(CreateKind::Folder);
        assert!(t.touches_dir(&event(back, "/a/patterns")));
        let moved = EventKind::Modify(ModifyKind::Name(RenameMode::From));
        assert!(t.touches_dir(&event(moved, "/a/patterns")));
        // A file in it, or a change of its contents, does not.
        assert!(!t.touches_dir(&event(gone, "/a/patterns/cat.txt")));
        let written = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        assert!(!t.touches_dir(&event(written, "/a/patterns")));
    }
}
