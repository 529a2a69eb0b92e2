//! The watched directory itself is deleted, renamed or replaced (editors, sync tools and
//! `git checkout` do this): the watcher says so once, keeps the last good set, and watches the
//! path again when a directory is back. Real files, real watcher, OS events and polling.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, bounded};
use recall::patterns::watch::{Change, PatternEvent, WatchOptions, Watcher};
use recall::patterns::{ErrorKind, display_name, load_report};

const TIMEOUT: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(800);
const POLL: Option<Duration> = Some(Duration::from_millis(50));

/// A 2×2 pattern whose pixels are the bits of `k`.
fn pattern(k: u8) -> String {
    let px = |i: u8| if k >> i & 1 == 1 { '#' } else { '.' };
    format!("{}{}\n{}{}\n", px(0), px(1), px(2), px(3))
}

struct Harness {
    root: tempfile::TempDir,
    /// The directory as the watcher was given it (and names it in messages).
    watched: PathBuf,
    rx: Receiver<PatternEvent>,
    _watcher: Watcher,
}

impl Harness {
    /// `root/good` holds a (1) and b (2); `root/D`, a copy, is watched.
    fn start(poll: Option<Duration>) -> Harness {
        Harness::start_as(poll, false)
    }

    /// [`Harness::start`], the directory given as a path relative to the working directory
    /// (`recall --patterns patterns`) when `relative`.
    fn start_as(poll: Option<Duration>, relative: bool) -> Harness {
        let options = WatchOptions {
            poll,
            ..WatchOptions::default()
        };
        Harness::start_with(options, relative)
    }

    fn start_with(options: WatchOptions, relative: bool) -> Harness {
        let root = tempfile::tempdir().unwrap();
        let good = root.path().join("good");
        fs::create_dir(&good).unwrap();
        fs::write(good.join("a.txt"), pattern(1)).unwrap();
        fs::write(good.join("b.txt"), pattern(2)).unwrap();
        copy_dir(&good, &root.path().join("D"));
        let dir = root.path().join("D");
        let current = load_report(&dir, None).unwrap().memories.map(Arc::new);
        let dir = if relative { relative_to_cwd(&dir) } else { dir };
        assert_eq!(dir.is_relative(), relative);
        let (tx, rx) = bounded(16);
        let watcher = Watcher::start(&dir, current, options, tx).unwrap();
        Harness {
            root,
            watched: dir,
            rx,
            _watcher: watcher,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn next(&self) -> PatternEvent {
        self.rx
            .recv_timeout(TIMEOUT)
            .unwrap_or_else(|e| panic!("no pattern event within {TIMEOUT:?}: {e}"))
    }

    /// The next event is "the directory is gone/replaced, keeping the last good set".
    fn expect_gone(&self, found: Option<&str>) {
        match self.next() {
            PatternEvent::Errors(e) => {
                assert!(e.kept_last_good_set, "{e:?}");
                assert_eq!(e.errors.len(), 1, "{e:?}");
                assert_eq!(e.errors[0].path, self.watched);
                assert_eq!(
                    e.errors[0].kind,
                    ErrorKind::DirectoryGone {
                        found: found.map(String::from)
                    }
                );
                let said = e.errors[0].to_string();
                let expected = match found {
                    None => format!(
                        "{}: the pattern directory is gone (deleted or renamed): keeping the last good set until it is back",
                        display_name(&self.watched)
                    ),
                    Some(what) => format!(
                        "{}: the pattern directory is now {what}: keeping the last good set until it is a directory again",
                        display_name(&self.watched)
                    ),
                };
                assert_eq!(said, expected);
            }
            PatternEvent::Reloaded(r) => panic!("expected 'gone', got a reload {:?}", r.changes),
        }
    }

    /// The next event clears the error: the same set is back.
    fn expect_back(&self) {
        match self.next() {
            PatternEvent::Errors(e) => {
                assert!(e.errors.is_empty() && !e.kept_last_good_set, "{e:?}")
            }
            PatternEvent::Reloaded(r) => panic!("expected 'fixed', got a reload {:?}", r.changes),
        }
    }

    /// Edits D/a.txt and waits for the reload that says so (after any 'gone'/'back' messages
    /// of a replacement too quick to be seen as gone): the watcher follows the new directory.
    fn edit_is_reloaded(&self, k: u8) {
        fs::write(self.path("D").join("a.txt"), pattern(k)).unwrap();
        loop {
            match self.next() {
                PatternEvent::Reloaded(r) => {
                    assert_eq!(r.changes, vec![Change::Changed("a".into())]);
                    assert_eq!(r.memories.names(), ["a", "b"]);
                    return;
                }
                PatternEvent::Errors(e) => {
                    assert!(e.errors.iter().all(|e| e.path == self.watched), "{e:?}")
                }
            }
        }
    }

    fn quiet(&self) {
        match self.rx.recv_timeout(QUIET) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(PatternEvent::Reloaded(r)) => panic!("unexpected reload {:?}", r.changes),
            Ok(PatternEvent::Errors(e)) => panic!("unexpected errors {e:?}"),
            Err(e) => panic!("{e}"),
        }
    }
}

/// `path` (absolute) as a path relative to the working directory: `../../tmp/…`.
fn relative_to_cwd(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap();
    let mut relative = PathBuf::new();
    for _ in cwd.components().skip(1) {
        relative.push("..");
    }
    relative.join(path.strip_prefix("/").unwrap())
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn deleted_then_restored(poll: Option<Duration>) {
    let h = Harness::start(poll);
    fs::remove_dir_all(h.path("D")).unwrap();
    h.expect_gone(None);
    h.quiet();
    copy_dir(&h.path("good"), &h.path("D"));
    h.expect_back();
    h.edit_is_reloaded(3);
    h.quiet();
}

#[test]
fn deleted_then_restored_with_os_events() {
    deleted_then_restored(None);
}

#[test]
fn deleted_then_restored_by_polling() {
    deleted_then_restored(POLL);
}

fn deleted_and_copied_back_at_once(poll: Option<Duration>) {
    let h = Harness::start(poll);
    // `rm -rf D; cp -r good D`: quicker than the debounce.
    fs::remove_dir_all(h.path("D")).unwrap();
    copy_dir(&h.path("good"), &h.path("D"));
    h.edit_is_reloaded(3);
    h.edit_is_reloaded(4);
}

#[test]
fn deleted_and_copied_back_at_once_with_os_events() {
    deleted_and_copied_back_at_once(None);
}

#[test]
fn deleted_and_copied_back_at_once_by_polling() {
    deleted_and_copied_back_at_once(POLL);
}

fn renamed_away_and_replaced(poll: Option<Duration>) {
    let h = Harness::start(poll);
    // `mv D D.old; cp -r good D`.
    fs::rename(h.path("D"), h.path("D.old")).unwrap();
    copy_dir(&h.path("good"), &h.path("D"));
    h.edit_is_reloaded(3);
    // The old directory is not watched any more.
    fs::write(h.path("D.old").join("b.txt"), pattern(7)).unwrap();
    fs::remove_file(h.path("D.old").join("a.txt")).unwrap();
    h.quiet();
    h.edit_is_reloaded(5);
}

#[test]
fn renamed_away_and_replaced_with_os_events() {
    renamed_away_and_replaced(None);
}

#[test]
fn renamed_away_and_replaced_by_polling() {
    renamed_away_and_replaced(POLL);
}

fn renamed_away_then_a_copy_comes_back(poll: Option<Duration>) {
    let h = Harness::start(poll);
    fs::rename(h.path("D"), h.path("D.old")).unwrap();
    h.expect_gone(None);
    // Edits in the renamed directory are not the path's.
    fs::write(h.path("D.old").join("b.txt"), pattern(7)).unwrap();
    h.quiet();
    copy_dir(&h.path("good"), &h.path("D"));
    h.expect_back();
    h.edit_is_reloaded(3);
}

#[test]
fn renamed_away_then_a_copy_comes_back_with_os_events() {
    renamed_away_then_a_copy_comes_back(None);
}

#[test]
fn renamed_away_then_a_copy_comes_back_by_polling() {
    renamed_away_then_a_copy_comes_back(POLL);
}

fn replaced_by_a_file_and_restored(poll: Option<Duration>) {
    let h = Harness::start(poll);
    fs::remove_dir_all(h.path("D")).unwrap();
    fs::write(h.path("D"), "not a directory\n").unwrap();
    // Deleted, then a file: one message or two, the last one says what is there.
    loop {
        match h.next() {
            PatternEvent::Errors(e)
                if e.errors.len() == 1
                    && e.errors[0].kind == ErrorKind::DirectoryGone { found: None } => {}
            PatternEvent::Errors(e) => {
                assert_eq!(
                    e.errors.iter().map(|e| e.kind.clone()).collect::<Vec<_>>(),
                    vec![ErrorKind::DirectoryGone {
                        found: Some("a regular file".into())
                    }]
                );
                assert!(e.kept_last_good_set);
                break;
            }
            PatternEvent::Reloaded(r) => panic!("unexpected reload {:?}", r.changes),
        }
    }
    h.quiet();
    fs::remove_file(h.path("D")).unwrap();
    copy_dir(&h.path("good"), &h.path("D"));
    h.edit_is_reloaded(3);
}

#[test]
fn replaced_by_a_file_and_restored_with_os_events() {
    replaced_by_a_file_and_restored(None);
}

#[test]
fn replaced_by_a_file_and_restored_by_polling() {
    replaced_by_a_file_and_restored(POLL);
}

#[test]
fn the_gone_message_names_what_is_there() {
    let h = Harness::start(None);
    fs::remove_dir_all(h.path("D")).unwrap();
    h.expect_gone(None);
    fs::write(h.path("D"), "x").unwrap();
    h.expect_gone(Some("a regular file"));
}

fn a_relative_path_is_followed(poll: Option<Duration>) {
    let h = Harness::start_as(poll, true);
    h.edit_is_reloaded(3);
    fs::remove_dir_all(h.path("D")).unwrap();
    h.expect_gone(None);
    // Back with a = 1 again: a change from the 3 in use, and the error is gone.
    copy_dir(&h.path("good"), &h.path("D"));
    match h.next() {
        PatternEvent::Reloaded(r) => {
            assert_eq!(r.changes, vec![Change::Changed("a".into())]);
            assert!(r.errors.is_empty(), "{:?}", r.errors);
        }
        PatternEvent::Errors(e) => panic!("expected a reload, got {e:?}"),
    }
    h.edit_is_reloaded(4);
}

#[test]
fn a_relative_path_is_followed_with_os_events() {
    a_relative_path_is_followed(None);
}

#[test]
fn a_relative_path_is_followed_by_polling() {
    a_relative_path_is_followed(POLL);
}

#[test]
fn the_pollers_repeated_errors_do_not_put_off_the_message() {
    // The poller reports the missing directory on every poll; were each report to extend the
    // settle, the message would wait for the longest delay (here longer than TIMEOUT).
    let options = WatchOptions {
        poll: POLL,
        max_delay: Duration::from_secs(30),
        ..WatchOptions::default()
    };
    let h = Harness::start_with(options, false);
    fs::remove_dir_all(h.path("D")).unwrap();
    h.expect_gone(None);
}
