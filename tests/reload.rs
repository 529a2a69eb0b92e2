//! Live reload on a temporary directory with a real watcher: every editor save style, delete
//! and re-create, bad files and their fixes, bursts, hostile names. Every wait has a timeout.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, bounded};
use recall::patterns::watch::{
    Change, PatternErrors, PatternEvent, PatternsReloaded, WatchOptions, Watcher,
};
use recall::patterns::{display_name, load_report};

/// Longest wait for an expected message.
const TIMEOUT: Duration = Duration::from_secs(5);
/// How long "nothing more arrives" is observed.
const QUIET: Duration = Duration::from_millis(600);

/// A 4×4 pattern whose pixels are the bits of `k` (k = 0 is all off).
fn pattern(k: u16) -> String {
    let mut s = String::new();
    for row in 0..4 {
        for col in 0..4 {
            s.push(if k >> (row * 4 + col) & 1 == 1 {
                '#'
            } else {
                '.'
            });
        }
        s.push('\n');
    }
    s
}

struct Harness {
    dir: tempfile::TempDir,
    rx: Receiver<PatternEvent>,
    watcher: Option<Watcher>,
}

impl Harness {
    fn start(files: &[(&str, u16)], poll: Option<Duration>) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        for (name, k) in files {
            fs::write(dir.path().join(name), pattern(*k)).unwrap();
        }
        let current = load_report(dir.path(), None)
            .unwrap()
            .memories
            .map(Arc::new);
        let (tx, rx) = bounded(16);
        let options = WatchOptions {
            poll,
            ..WatchOptions::default()
        };
        let watcher = Watcher::start(dir.path(), current, options, tx).unwrap();
        Harness {
            dir,
            rx,
            watcher: Some(watcher),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn next(&self) -> PatternEvent {
        self.rx
            .recv_timeout(TIMEOUT)
            .unwrap_or_else(|e| panic!("no pattern event within {TIMEOUT:?}: {e}"))
    }

    fn reloaded(&self) -> PatternsReloaded {
        match self.next() {
            PatternEvent::Reloaded(r) => r,
            PatternEvent::Errors(e) => panic!("expected a reload, got errors {e:?}"),
        }
    }

    fn errors(&self) -> PatternErrors {
        match self.next() {
            PatternEvent::Errors(e) => e,
            PatternEvent::Reloaded(r) => panic!("expected errors, got a reload {:?}", r.changes),
        }
    }

    /// Asserts that nothing arrives for [`QUIET`].
    fn quiet(&self) {
        match self.rx.recv_timeout(QUIET) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(PatternEvent::Reloaded(r)) => panic!("unexpected reload {:?}", r.changes),
            Ok(PatternEvent::Errors(e)) => panic!("unexpected errors {e:?}"),
            Err(e) => panic!("{e}"),
        }
    }
}

fn changed(name: &str) -> Vec<Change> {
    vec![Change::Changed(name.into())]
}

fn memory_bits(r: &PatternsReloaded, name: &str) -> u16 {
    let mu = r.memories.index_of(name).unwrap();
    r.memories
        .memory(mu)
        .iter()
        .enumerate()
        .map(|(i, &v)| if v > 0.0 { 1 << i } else { 0 })
        .sum()
}

#[test]
fn save_in_place_reloads_once_and_measures_latency() {
    let h = Harness::start(&[("a.txt", 1), ("b.txt", 2)], None);
    let mut latencies = Vec::new();
    for k in [3u16, 7, 15] {
        let t0 = Instant::now();
        // In place: same length, no truncation.
        let mut f = fs::OpenOptions::new()
            .write(true)
            .open(h.path("a.txt"))
            .unwrap();
        std::io::Write::write_all(&mut f, pattern(k).as_bytes()).unwrap();
        drop(f);
        let r = h.reloaded();
        latencies.push(t0.elapsed());
        assert_eq!(r.changes, changed("a"));
        assert_eq!(memory_bits(&r, "a"), k);
        assert!(r.errors.is_empty());
    }
    h.quiet();
    println!("save→reload latency (inotify, settle 100 ms): {latencies:?}");
}

#[test]
fn truncate_then_write_is_one_reload_without_an_empty_file_error() {
    let h = Harness::start(&[("a.txt", 1), ("b.txt", 2)], None);
    let t0 = Instant::now();
    let mut f = fs::File::create(h.path("a.txt")).unwrap(); // truncates
    // The editor takes a moment between truncating and writing (simulated).
    std::thread::sleep(Duration::from_millis(40));
    std::io::Write::write_all(&mut f, pattern(9).as_bytes()).unwrap();
    drop(f);
    let r = h.reloaded();
    println!("truncate+write → reload latency: {:?}", t0.elapsed());
    assert_eq!(r.changes, changed("a"));
    assert_eq!(memory_bits(&r, "a"), 9);
    h.quiet();
}

#[test]
fn write_temp_then_rename_and_vim_style_saves() {
    let h = Harness::start(&[("a.txt", 1), ("b.txt", 2)], None);
    // Write to a temporary file, then rename over the pattern.
    fs::write(h.path(".a.txt.tmp123"), pattern(5)).unwrap();
    fs::rename(h.path(".a.txt.tmp123"), h.path("a.txt")).unwrap();
    let r = h.reloaded();
    assert_eq!(r.changes, changed("a"));
    assert_eq!(memory_bits(&r, "a"), 5);
    // Vim: probe file 4913, swap file, backup by rename to a.txt~, write a new a.txt.
    fs::write(h.path("4913"), "").unwrap();
    fs::remove_file(h.path("4913")).unwrap();
    fs::write(h.path(".a.txt.swp"), "swap").unwrap();
    fs::rename(h.path("a.txt"), h.path("a.txt~")).unwrap();
    fs::write(h.path("a.txt"), pattern(6)).unwrap();
    fs::remove_file(h.path("a.txt~")).unwrap();
    let r = h.reloaded();
    assert_eq!(r.changes, changed("a"));
    assert_eq!(memory_bits(&r, "a"), 6);
    h.quiet();
}

#[test]
fn editor_debris_triggers_nothing() {
    let h = Harness::start(&[("a.txt", 1)], None);
    for name in [
        "a.txt.swp",
        ".a.txt.swx",
        "a.txt~",
        "4913",
        ".#a.txt",
        "#a.txt#",
        "x.tmp",
    ] {
        fs::write(h.path(name), "junk").unwrap();
    }
    h.quiet();
}

/// An empty file there when the watch starts is reported by its first scan, as the start's own
/// load reports it ("skipped …: empty file"): the dashboard's `e` and the first `patterns`
/// record left it out until something else in the directory changed.
#[test]
fn an_empty_file_there_at_the_start_is_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), pattern(1)).unwrap();
    fs::write(dir.path().join("b.txt"), pattern(2)).unwrap();
    fs::write(dir.path().join("empty.txt"), "").unwrap();
    let current = load_report(dir.path(), None)
        .unwrap()
        .memories
        .map(Arc::new);
    let (tx, rx) = bounded(16);
    let watcher = Watcher::start(dir.path(), current, WatchOptions::default(), tx).unwrap();
    let h = Harness {
        dir,
        rx,
        watcher: Some(watcher),
    };
    let p = display_name(&h.path("empty.txt"));
    let e = h.errors();
    assert_eq!(
        e.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        vec![format!(
            "{p}: empty file: expected rows of '#' (on) and '.' (off)"
        )]
    );
}

#[test]
fn a_file_left_empty_is_reported_after_the_grace_period() {
    let h = Harness::start(&[("a.txt", 1), ("b.txt", 2)], None);
    fs::write(h.path("a.txt"), "").unwrap();
    let e = h.errors();
    let p = display_name(&h.path("a.txt"));
    assert_eq!(
        e.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        vec![format!(
            "{p}: empty file: expected rows of '#' (on) and '.' (off)"
        )]
    );
    // Its last good version stays in use, and the watcher then goes quiet.
    h.quiet();
    fs::write(h.path("a.txt"), pattern(1)).unwrap();
    assert!(h.errors().errors.is_empty());
}

#[test]
fn delete_and_recreate() {
    let h = Harness::start(&[("a.txt", 1), ("b.txt", 2)], None);
    fs::remove_file(h.path("b.txt")).unwrap();
    let r = h.reloaded();
    assert_eq!(r.changes, vec![Change::Removed("b".into())]);
    assert_eq!(r.changes[0].to_string(), "removed b");
    assert_eq!(r.memories.names(), ["a"]);
    fs::write(h.path("b.txt"), pattern(4)).unwrap();
    let r = h.reloaded();
    assert_eq!(r.changes, vec![Change::Added("b".into())]);
    assert_eq!(r.changes[0].to_string(), "added b");
    fs::write(h.path("owl.pbm"), "P1 4 4\n1111 0000 1111 0000\n").unwrap();
    let r = h.reloaded();
    assert_eq!(r.changes, vec![Change::Added("owl".into())]);
    assert_eq!(memory_bits(&r, "owl"), 0x0f0f);
}

#[test]
fn rename_is_a_removal_and_an_addition() {
    let h = Harness::start(&[("cat.txt", 1), ("dog.txt", 2)], None);
    fs::rename(h.path("cat.txt"), h.path("kitty.txt")).unwrap();
    let r = h.reloaded();
    let said: Vec<String> = r.changes.iter().map(|c| c.to_string()).collect();
    assert_eq!(said, ["added kitty", "removed cat"]);
    assert_eq!(r.memories.names(), ["dog", "kitty"]);
}

#[test]
fn a_png_dropped_in_is_converted_to_the_running_grid() {
    let h = Harness::start(&[("a.txt", 1), ("b.txt", 2)], None);
    // 40×40, dark top half: on the 4×4 grid, the top two rows are on.
    let img =
        image::GrayImage::from_fn(40, 40, |_, y| image::Luma([if y < 20 { 10 } else { 240 }]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(img)
        .write_to(&mut bytes, image::ImageFormat::Png)
        .unwrap();
    // Written elsewhere and moved in, as a browser or file manager does.
    let staging = tempfile::tempdir().unwrap();
    fs::write(staging.path().join("owl.png"), bytes.into_inner()).unwrap();
    fs::rename(staging.path().join("owl.png"), h.path("owl.png")).unwrap();
    let r = h.reloaded();
    assert_eq!(r.changes, vec![Change::Added("owl".into())]);
    assert_eq!(memory_bits(&r, "owl"), 0x00ff);
    let owl = r.files.iter().find(|f| f.name == "owl").unwrap();
    assert_eq!(owl.status.as_ref().unwrap().converted_from, Some((40, 40)));
}

#[test]
fn invalid_file_keeps_its_last_good_version_until_fixed() {
    let h = Harness::start(&[("a.txt", 1), ("b.txt", 2)], None);
    fs::write(h.path("a.txt"), "#x..\n....\n....\n....\n").unwrap();
    let e = h.errors();
    let p = display_name(&h.path("a.txt"));
    assert_eq!(e.errors.len(), 1);
    assert_eq!(
        e.errors[0].to_string(),
        format!("{p}:1:2: unknown character 'x': expected '#' (on) or '.' (off)")
    );
    assert!(!e.kept_last_good_set);
    // Fixed to new content: a reload with no errors left.
    fs::write(h.path("a.txt"), pattern(12)).unwrap();
    let r = h.reloaded();
    assert_eq!(r.changes, changed("a"));
    assert!(r.errors.is_empty());
    // Broken again, then restored to the very content in use: the error clears.
    fs::write(h.path("a.txt"), "##\n#\n").unwrap();
    assert_eq!(h.errors().errors.len(), 1);
    fs::write(h.path("a.txt"), pattern(12)).unwrap();
    let e = h.errors();
    assert!(e.errors.is_empty() && !e.kept_last_good_set);
}

#[test]
fn wrong_size_file_is_reported_with_both_sizes() {
    let h = Harness::start(&[("a.txt", 1), ("b.txt", 2)], None);
    fs::write(h.path("big.txt"), "#####\n#####\n").unwrap();
    let e = h.errors();
    let p = display_name(&h.path("big.txt"));
    assert_eq!(
        e.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        vec![format!("{p}: wrong size: 5×2, the set's patterns are 4×4")]
    );
}

/// A file of the set saved at another size keeps its version in use, as a file with a bad
/// character does (it was removed from the set while the screen said it was kept); once every
/// file has the new size, the set takes it.
#[test]
fn a_file_of_the_set_saved_at_another_size_keeps_its_version_in_use() {
    let h = Harness::start(&[("a.txt", 1), ("b.txt", 2)], None);
    fs::write(h.path("a.txt"), "#####\n#####\n").unwrap();
    let e = h.errors();
    let p = display_name(&h.path("a.txt"));
    assert_eq!(
        e.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        vec![format!("{p}: wrong size: 5×2, the set's patterns are 4×4")]
    );
    assert!(!e.kept_last_good_set);
    // Fixed: the error clears, a stays.
    fs::write(h.path("a.txt"), pattern(1)).unwrap();
    assert!(h.errors().errors.is_empty());
    // Every file at the new size: the set is 5×2 now, nothing kept.
    fs::write(h.path("a.txt"), "#####\n#####\n").unwrap();
    let _ = h.errors();
    fs::write(h.path("b.txt"), "#.#.#\n.#.#.\n").unwrap();
    let r = h.reloaded();
    assert_eq!((r.memories.width(), r.memories.height()), (5, 2));
    assert_eq!(r.memories.names().len(), 2, "{:?}", r.changes);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

/// Only a file of the set keeps its version in use: a.pbm beside the a.txt in use, saved at
/// another size, is one bad file with one error, its duplicate name (it took a.txt's memory
/// and got a wrong size too).
#[test]
fn a_file_outside_the_set_saved_at_another_size_keeps_nothing() {
    let h = Harness::start(&[("a.txt", 1), ("b.txt", 2)], None);
    fs::write(h.path("a.pbm"), "P1\n5 2\n1 1 1 1 1\n0 0 0 0 0\n").unwrap();
    let e = h.errors();
    let (p, a) = (
        display_name(&h.path("a.pbm")),
        display_name(&h.path("a.txt")),
    );
    assert_eq!(
        e.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        vec![format!("{p}: duplicate name: a is already loaded from {a}")]
    );
}

#[test]
fn every_file_gone_keeps_the_last_good_set() {
    let h = Harness::start(&[("a.txt", 1)], None);
    fs::remove_file(h.path("a.txt")).unwrap();
    let e = h.errors();
    assert!(e.kept_last_good_set && e.errors.is_empty());
    fs::write(h.path("c.txt"), "bad\n").unwrap();
    let e = h.errors();
    assert!(e.kept_last_good_set && e.errors.len() == 1, "{e:?}");
    fs::write(h.path("a.txt"), pattern(1)).unwrap();
    // Back to the content of the set in use: nothing changed, only c.txt is still bad.
    let e = h.errors();
    assert!(!e.kept_last_good_set && e.errors.len() == 1, "{e:?}");
    fs::remove_file(h.path("c.txt")).unwrap();
    let e = h.errors();
    assert!(!e.kept_last_good_set && e.errors.is_empty(), "{e:?}");
}

#[test]
fn burst_of_100_saves_is_a_few_reloads_and_the_last_content_wins() {
    let h = Harness::start(&[("a.txt", 1), ("b.txt", 2)], None);
    for k in 100u16..200 {
        fs::write(h.path("a.txt"), pattern(k)).unwrap();
    }
    let mut reloads = Vec::new();
    let mut last = None;
    loop {
        match h.rx.recv_timeout(QUIET) {
            Ok(PatternEvent::Reloaded(r)) => {
                reloads.push(r.changes.clone());
                last = Some(memory_bits(&r, "a"));
            }
            Ok(PatternEvent::Errors(e)) => panic!("unexpected errors {e:?}"),
            Err(RecvTimeoutError::Timeout) if !reloads.is_empty() => break,
            Err(e) => panic!("no reload within {QUIET:?}: {e}"),
        }
    }
    println!("100 saves → {} reload(s)", reloads.len());
    assert!(reloads.len() <= 3, "{} reloads", reloads.len());
    assert_eq!(last, Some(199));
}

#[test]
fn escape_sequences_in_file_names_are_escaped() {
    let h = Harness::start(&[("a.txt", 1)], None);
    fs::write(h.path("owl\x1b[31m.txt"), pattern(8)).unwrap();
    let r = h.reloaded();
    assert_eq!(r.changes, vec![Change::Added("owl\\u{1b}[31m".into())]);
    fs::write(h.path("bad\x1b]0;x\x07.txt"), "?\n").unwrap();
    let e = h.errors();
    let msg = e.errors[0].to_string();
    assert!(!msg.chars().any(|c| c.is_control()), "{msg:?}");
    assert!(
        msg.contains("bad\\u{1b}]0;x\\u{7}.txt:1:1: unknown character '?'"),
        "{msg}"
    );
}

#[test]
fn polling_watcher_reloads_too() {
    let h = Harness::start(
        &[("a.txt", 1), ("b.txt", 2)],
        Some(Duration::from_millis(50)),
    );
    let t0 = Instant::now();
    fs::write(h.path("a.txt"), pattern(77)).unwrap();
    let r = h.reloaded();
    println!(
        "save→reload latency (polling every 50 ms): {:?}",
        t0.elapsed()
    );
    assert_eq!(r.changes, changed("a"));
    assert_eq!(memory_bits(&r, "a"), 77);
}

#[test]
fn forced_reload_always_reports() {
    let h = Harness::start(&[("a.txt", 1)], None);
    h.watcher.as_ref().unwrap().reload();
    let r = h.reloaded();
    assert!(r.changes.is_empty());
    assert_eq!(r.memories.names(), ["a"]);
}

#[test]
fn first_scan_reports_against_the_set_in_use() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), pattern(1)).unwrap();
    let (tx, rx) = bounded(4);
    let _w = Watcher::start(dir.path(), None, WatchOptions::default(), tx).unwrap();
    match rx.recv_timeout(TIMEOUT).unwrap() {
        PatternEvent::Reloaded(r) => assert_eq!(r.changes, vec![Change::Added("a".into())]),
        PatternEvent::Errors(e) => panic!("{e:?}"),
    }
}

#[test]
fn a_missing_directory_means_no_live_reload() {
    let (tx, _rx) = bounded(4);
    let missing = Path::new("/nonexistent/recall-patterns");
    let e = Watcher::start(missing, None, WatchOptions::default(), tx)
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "no live reload: cannot watch /nonexistent/recall-patterns: not a directory"
    );
}

#[test]
fn dropping_the_watcher_joins_its_thread() {
    let mut h = Harness::start(&[("a.txt", 1)], None);
    let t0 = Instant::now();
    drop(h.watcher.take());
    // The thread owned the only sender: once joined, the channel is disconnected.
    assert_eq!(
        h.rx.recv_timeout(TIMEOUT).err(),
        Some(RecvTimeoutError::Disconnected)
    );
    println!("stop took {:?}", t0.elapsed());
}

#[cfg(unix)]
#[test]
fn a_file_replaced_by_a_link_to_a_device_keeps_its_last_good_version() {
    let h = Harness::start(&[("a.txt", 1), ("b.txt", 2)], None);
    // Swapped in atomically, as a sync tool does.
    std::os::unix::fs::symlink("/dev/zero", h.path(".a.txt.tmp")).unwrap();
    fs::rename(h.path(".a.txt.tmp"), h.path("a.txt")).unwrap();
    let e = h.errors();
    let p = display_name(&h.path("a.txt"));
    assert_eq!(
        e.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        vec![format!(
            "{p}: expected a regular file, found a symbolic link to a character device"
        )]
    );
    assert!(!e.kept_last_good_set);
    // A FIFO never blocks the watcher: it is reported too.
    let status = std::process::Command::new("mkfifo")
        .arg(h.path("c.txt"))
        .status()
        .unwrap();
    assert!(status.success());
    let e = h.errors();
    assert_eq!(e.errors.len(), 2, "{e:?}");
    assert!(
        e.errors[1]
            .to_string()
            .ends_with("c.txt: expected a regular file, found a FIFO"),
        "{e:?}"
    );
    // a's last good version is still in the set.
    h.watcher.as_ref().unwrap().reload();
    let r = h.reloaded();
    assert_eq!(r.memories.names(), ["a", "b"]);
    assert_eq!(memory_bits(&r, "a"), 1);
    assert_eq!(r.errors.len(), 2);
    fs::remove_file(h.path("a.txt")).unwrap();
    fs::write(h.path("a.txt"), pattern(1)).unwrap();
    fs::remove_file(h.path("c.txt")).unwrap();
    let mut last = h.errors();
    while !last.errors.is_empty() {
        last = h.errors();
    }
    h.quiet();
}

#[test]
fn newcomers_over_the_limit_are_refused_and_never_evict_memories_in_use() {
    // Ten memories in use whose names sort after the newcomers'.
    let names: Vec<String> = (0..10).map(|i| format!("z{i}.txt")).collect();
    let files: Vec<(&str, u16)> = names.iter().map(|n| (n.as_str(), 1)).collect();
    let h = Harness::start(&files, None);
    // 300 more arrive at once (written elsewhere, moved in).
    let staging = tempfile::tempdir().unwrap();
    for i in 0..300u16 {
        fs::write(staging.path().join(format!("a{i:03}.txt")), pattern(i)).unwrap();
    }
    for i in 0..300u16 {
        let name = format!("a{i:03}.txt");
        fs::rename(staging.path().join(&name), h.path(&name)).unwrap();
    }
    // However many reloads the burst takes, no memory in use is ever removed.
    let mut last = None;
    loop {
        match h.rx.recv_timeout(Duration::from_millis(1500)) {
            Ok(PatternEvent::Reloaded(r)) => {
                let removed: Vec<_> = r
                    .changes
                    .iter()
                    .filter(|c| matches!(c, Change::Removed(_)))
                    .collect();
                assert!(removed.is_empty(), "{removed:?}");
                last = Some(r);
            }
            Ok(PatternEvent::Errors(_)) => {}
            Err(RecvTimeoutError::Timeout) if last.is_some() => break,
            Err(e) => panic!("no reload: {e}"),
        }
    }
    let r = last.unwrap();
    assert_eq!(r.memories.p(), 256);
    for i in 0..10 {
        assert!(
            r.memories.index_of(&format!("z{i}")).is_some(),
            "z{i} evicted"
        );
    }
    // The set stays in path order; the 54 refused newcomers are reported, each by name.
    let mut sorted = r.memories.names().to_vec();
    sorted.sort();
    assert_eq!(sorted, r.memories.names());
    let refused: Vec<String> = r.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(refused.len(), 54, "{refused:?}");
    assert_eq!(
        refused[0],
        format!(
            "{}: too many patterns: the limit is 256",
            display_name(&h.path("a246.txt"))
        )
    );
}

#[test]
fn a_newcomer_with_a_name_in_use_is_refused() {
    let h = Harness::start(&[("cat.txt", 1), ("dog.txt", 2)], None);
    // cat.pbm sorts before cat.txt: at start-up it would win; live, cat.txt is in use.
    fs::write(h.path("cat.pbm"), "P1 4 4\n1111 0000 1111 0000\n").unwrap();
    let e = h.errors();
    assert_eq!(
        e.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        vec![format!(
            "{}: duplicate name: cat is already loaded from {}",
            display_name(&h.path("cat.pbm")),
            display_name(&h.path("cat.txt"))
        )]
    );
}

/// Counts the times each file of `dir` is opened (inotify reports every open).
#[cfg(target_os = "linux")]
struct OpenCounter {
    opens: Arc<std::sync::Mutex<std::collections::HashMap<PathBuf, usize>>>,
    _watcher: notify::RecommendedWatcher,
}

#[cfg(target_os = "linux")]
impl OpenCounter {
    fn start(dir: &Path) -> OpenCounter {
        use notify::Watcher as _;
        let opens = Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
        let sink = Arc::clone(&opens);
        let mut watcher = notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
            if let Ok(e) = e
                && matches!(
                    e.kind,
                    notify::EventKind::Access(notify::event::AccessKind::Open(_))
                )
            {
                let mut opens = sink.lock().unwrap();
                for p in e.paths {
                    *opens.entry(p).or_insert(0) += 1;
                }
            }
        })
        .unwrap();
        watcher
            .watch(dir, notify::RecursiveMode::NonRecursive)
            .unwrap();
        OpenCounter {
            opens,
            _watcher: watcher,
        }
    }

    fn take(&self) -> std::collections::HashMap<PathBuf, usize> {
        std::mem::take(&mut *self.opens.lock().unwrap())
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_rescan_reads_only_the_files_that_changed() {
    let h = Harness::start(&[("a.txt", 1), ("b.txt", 2)], None);
    // Files changed in the last 2 s are always read again (their time stamps cannot tell two
    // quick saves apart); let these settle, and have them read once more.
    std::thread::sleep(Duration::from_millis(2200));
    fs::write(h.path("c.txt"), pattern(3)).unwrap();
    assert_eq!(h.reloaded().changes, vec![Change::Added("c".into())]);
    let counter = OpenCounter::start(h.dir.path());
    fs::write(h.path("d.txt"), pattern(4)).unwrap();
    assert_eq!(h.reloaded().changes, vec![Change::Added("d".into())]);
    // Give inotify a moment to deliver the last open events.
    std::thread::sleep(Duration::from_millis(200));
    let opens = counter.take();
    assert_eq!(opens.get(&h.path("a.txt")), None, "{opens:?}");
    assert_eq!(opens.get(&h.path("b.txt")), None, "{opens:?}");
    assert!(opens.contains_key(&h.path("d.txt")), "{opens:?}");
}

#[test]
fn a_duplicate_or_negative_added_live_comes_with_a_warning() {
    use recall::patterns::SetWarning;
    let h = Harness::start(&[("cat.txt", 0x1234), ("dog.txt", 0x0f0f)], None);
    fs::write(h.path("cat2.txt"), pattern(0x1234)).unwrap();
    let r = h.reloaded();
    assert_eq!(r.changes, vec![Change::Added("cat2".into())]);
    let duplicate = SetWarning::Duplicate {
        name: "cat2".into(),
        of: "cat".into(),
        negated: false,
    };
    // Three patterns of 16 pixels also pass the capacity (0.138·16 = 2.2), once.
    assert_eq!(
        r.warnings,
        vec![
            duplicate.clone(),
            SetWarning::OverCapacity {
                patterns: 3,
                capacity: 0.138 * 16.0
            }
        ]
    );
    assert_eq!(
        r.warnings[0].to_string(),
        "cat2 has the same pixels as cat: they are one memory, and will be confused"
    );
    fs::write(h.path("god.txt"), pattern(!0x0f0f)).unwrap();
    let r = h.reloaded();
    assert_eq!(
        r.warnings,
        vec![SetWarning::Duplicate {
            name: "god".into(),
            of: "dog".into(),
            negated: true,
        }]
    );
    // A change elsewhere does not repeat them; the reload key lists them all.
    fs::write(h.path("owl.txt"), pattern(0x8001)).unwrap();
    assert_eq!(h.reloaded().warnings, vec![]);
    h.watcher.as_ref().unwrap().reload();
    let all = h.reloaded().warnings;
    assert!(all.contains(&duplicate), "{all:?}");
    assert_eq!(all.len(), 3, "{all:?}"); // cat2, god and the capacity (N = 16)
}
