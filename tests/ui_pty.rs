//! The real dashboard in a pseudo-terminal: it stops when asked whatever the flags, suspends
//! and resumes like any terminal program, and repaints itself after a resize storm.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// Far longer than any of these should take (quit is meant to take under 200 ms); the code
/// before these tests never ended at all in the first cases.
const PATIENCE: Duration = Duration::from_secs(5);

struct Dashboard {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    /// Everything the program wrote, as it arrives.
    output: Arc<Mutex<Vec<u8>>>,
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

impl Dashboard {
    fn start(args: &[&str], cols: u16, rows: u16) -> Self {
        let pair = native_pty_system()
            .openpty(size(cols, rows))
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_recall"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        let child = pair.slave.spawn_command(cmd).expect("recall starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("a reader");
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().expect("a writer");
        let mut d = Self {
            master: pair.master,
            writer,
            child,
            output,
        };
        d.wait_for_output("seed");
        d
    }

    fn pid(&self) -> i32 {
        self.child.process_id().expect("a pid") as i32
    }

    fn len(&self) -> usize {
        self.output.lock().unwrap().len()
    }

    fn text_since(&self, from: usize) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()[from..]).into_owned()
    }

    fn wait_for_output(&mut self, needle: &str) {
        self.wait_for_output_since(0, needle);
    }

    /// Waits until the output from byte `from` on contains `needle`.
    fn wait_for_output_since(&self, from: usize, needle: &str) {
        let start = Instant::now();
        while !self.text_since(from).contains(needle) {
            assert!(
                start.elapsed() < PATIENCE * 4,
                "never showed {needle:?}: {:?}",
                self.text_since(from)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the process to end; returns its exit code and how long it took.
    fn wait_exit(&mut self) -> (u32, Duration) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return (status.exit_code(), start.elapsed());
            }
            if start.elapsed() > PATIENCE {
                let _ = self.child.kill();
                panic!("still running {PATIENCE:?} after it was asked to stop");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The process state letter from /proc (R, S, T, …).
    fn state(&self) -> char {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("the process exists");
        status
            .lines()
            .find_map(|l| l.strip_prefix("State:"))
            .and_then(|s| s.trim().chars().next())
            .unwrap_or('?')
    }
}

/// A speed the machine cannot reach (10⁹ steps per second asked): the simulator runs flat out.
const IMPOSSIBLE: [&str; 6] = ["--speed", "1000", "--dt", "1e-6", "--seed", "7"];

#[test]
fn q_ends_the_program_whatever_the_speed() {
    let mut d = Dashboard::start(&IMPOSSIBLE, 120, 40);
    std::thread::sleep(Duration::from_millis(500));
    d.send(b"q");
    let (code, _) = d.wait_exit();
    assert_eq!(code, 0);
}

#[test]
fn every_signal_ends_the_program_whatever_the_speed() {
    for (name, number) in [("INT", 2), ("TERM", 15), ("HUP", 1)] {
        let mut d = Dashboard::start(&IMPOSSIBLE, 100, 30);
        std::thread::sleep(Duration::from_millis(300));
        d.signal(name);
        let (code, _) = d.wait_exit();
        assert_eq!(code, 128 + number, "SIG{name}");
    }
}

#[test]
fn ctrl_z_suspends_and_sigcont_resumes() {
    let mut d = Dashboard::start(&["--seed", "7"], 100, 30);
    std::thread::sleep(Duration::from_millis(500));
    let before = d.len();
    d.send(&[0x1a]); // Ctrl-Z
    let start = Instant::now();
    while d.state() != 'T' {
        assert!(
            start.elapsed() < PATIENCE,
            "Ctrl-Z did not stop the process"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    d.wait_for_output_since(before, "\u{1b}[?1049l");
    d.wait_for_output_since(before, "\u{1b}[?25h");
    let at_stop = d.len();
    d.signal("CONT");
    let start = Instant::now();
    while !d.text_since(at_stop).contains("seed") {
        assert!(start.elapsed() < PATIENCE, "not redrawn after SIGCONT");
        std::thread::sleep(Duration::from_millis(10));
    }
    let resumed = d.text_since(at_stop);
    assert!(
        resumed.contains("\u{1b}[?1049h"),
        "not back on the alternate screen"
    );
    // Raw mode again: a single q quits, no Enter needed.
    d.send(b"q");
    assert_eq!(d.wait_exit().0, 0);
}

#[test]
fn sigtstp_from_outside_also_gives_the_terminal_back() {
    let mut d = Dashboard::start(&["--seed", "7"], 100, 30);
    std::thread::sleep(Duration::from_millis(300));
    let before = d.len();
    d.signal("TSTP");
    let start = Instant::now();
    while d.state() != 'T' {
        assert!(
            start.elapsed() < PATIENCE,
            "SIGTSTP did not stop the process"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    d.wait_for_output_since(before, "\u{1b}[?1049l");
    d.signal("CONT");
    std::thread::sleep(Duration::from_millis(300));
    d.send(b"q");
    assert_eq!(d.wait_exit().0, 0);
}

#[test]
fn a_resize_storm_ends_in_a_full_redraw_of_the_last_size() {
    let mut d = Dashboard::start(&["--compare", "--seed", "7"], 120, 40);
    for _ in 0..25 {
        d.master.resize(size(60, 20)).unwrap();
        d.master.resize(size(200, 60)).unwrap();
    }
    d.master.resize(size(120, 40)).unwrap();
    let after = d.len();
    std::thread::sleep(Duration::from_millis(1500));
    let bytes = d.output.lock().unwrap()[after..].to_vec();
    // The screen is cleared once more after the last resize, and what follows draws all of it.
    let clear = b"\x1b[2J";
    let last = bytes
        .windows(clear.len())
        .rposition(|w| w == clear)
        .expect("no full repaint after the last resize");
    let nz = |v: u16| std::num::NonZeroU16::new(v).expect("a size");
    let mut screen = vt100::Parser::new(nz(40), nz(120), 0);
    screen.process(&bytes[last..]);
    let rows: Vec<String> = screen.screen().rows(0, 120).collect();
    assert!(rows[0].contains("recall"), "status line: {:?}", rows[0]);
    assert!(rows[39].contains("q quit"), "help line: {:?}", rows[39]);
    assert!(
        rows.iter().all(|r| !r.trim().is_empty()),
        "blank rows in a full layout:\n{}",
        rows.join("\n")
    );
    d.send(b"q");
    d.wait_exit();
}

/// The screen that `bytes` leave on a `cols` × `rows` terminal, from their last full clear on.
fn screen_after_last_clear(bytes: &[u8], cols: u16, rows: u16) -> Vec<String> {
    let clear = b"\x1b[2J";
    let last = bytes
        .windows(clear.len())
        .rposition(|w| w == clear)
        .expect("a full repaint");
    let nz = |v: u16| std::num::NonZeroU16::new(v).expect("a size");
    let mut screen = vt100::Parser::new(nz(rows), nz(cols), 0);
    screen.process(&bytes[last..]);
    screen.screen().rows(0, cols).collect()
}

#[test]
fn record_writes_an_asciicast_that_replays_to_the_screen_the_terminal_showed() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let cast = dir.path().join("session.cast");
    let cast_arg = cast.to_str().expect("a UTF-8 path");
    let mut d = Dashboard::start(&["--seed", "7", "--record", cast_arg], 120, 40);
    std::thread::sleep(Duration::from_millis(1500));
    d.master.resize(size(100, 30)).unwrap();
    std::thread::sleep(Duration::from_millis(800));
    // Paused, the screen stops changing: what the terminal has is the last frame recorded.
    d.send(b" ");
    std::thread::sleep(Duration::from_millis(1200));
    let shown = d.output.lock().unwrap().clone();
    d.send(b"q");
    assert_eq!(d.wait_exit().0, 0);

    let text = std::fs::read_to_string(&cast).expect("the recording");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    assert_eq!(lines[0]["version"], 2);
    assert_eq!(
        (lines[0]["width"].clone(), lines[0]["height"].clone()),
        (120.into(), 40.into())
    );
    let events = &lines[1..];
    assert!(events.len() > 5, "{} events", events.len());
    let times: Vec<f64> = events
        .iter()
        .map(|e| e[0].as_f64().expect("a time"))
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "times go back: {times:?}"
    );
    // The recording's span is the session's (about 3.5 s), not a replay at once.
    assert!(
        times[times.len() - 1] > 2.5,
        "last event at {} s",
        times[times.len() - 1]
    );
    let resizes: Vec<&str> = events
        .iter()
        .filter(|e| e[1] == "r")
        .map(|e| e[2].as_str().expect("a size"))
        .collect();
    assert_eq!(resizes, ["100x30"]);
    let recorded: String = events
        .iter()
        .filter(|e| e[1] == "o")
        .map(|e| e[2].as_str().expect("text"))
        .collect();
    let replayed = screen_after_last_clear(recorded.as_bytes(), 100, 30);
    let on_terminal = screen_after_last_clear(&shown, 100, 30);
    assert!(on_terminal[0].contains("seed"), "{on_terminal:?}");
    assert_eq!(replayed, on_terminal);
}
