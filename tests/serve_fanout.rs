//! The fan-out of `recall serve` without SSH: a screen whose output never takes another frame
//! (a client that stopped reading, its window full) does not slow the snapshots' publication or
//! another screen, and skips frames itself.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use recall::model::ModelKind;
use recall::serve::hub::{Hub, Role};
use recall::serve::stage::Stages;
use recall::serve::viewer::{self, End, Input, Output, Start, ViewerSetup};
use recall::stimulus::ScenarioName;
use recall::ui::Theme;

/// An output that takes frames as fast as they come (`stuck`: only the first, then it stays
/// busy, like a client whose window is full).
struct Probe {
    frames: Arc<AtomicU64>,
    bytes: Arc<AtomicU64>,
    stuck: bool,
    busy: Arc<AtomicBool>,
    goodbye: Arc<Mutex<Option<Vec<u8>>>>,
}

impl Output for Probe {
    fn ready(&self) -> bool {
        !self.busy.load(Ordering::Relaxed)
    }

    fn send(&mut self, bytes: Vec<u8>) -> bool {
        self.frames.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if self.stuck {
            self.busy.store(true, Ordering::Relaxed);
        }
        true
    }

    fn finish(&mut self, bytes: Vec<u8>) {
        *self.goodbye.lock().unwrap() = Some(bytes);
    }
}

#[test]
fn a_stuck_screen_skips_frames_and_slows_nothing_else() {
    let hub = Hub::new(10, None);
    let stages = Arc::new(Stages::default());
    let start = Start {
        model: ModelKind::Idp,
        compare: None,
        scenario: ScenarioName::Tour,
        noise_std: 2.0,
        speed: 1.0,
    };
    let mut screens = Vec::new();
    let mut keep_inputs = Vec::new();
    for (name, stuck) in [("stuck", true), ("reading", false)] {
        let mailbox = hub.join(name.into(), Role::Viewer).unwrap();
        let (tx, rx) = crossbeam_channel::bounded::<Input>(8);
        keep_inputs.push(tx);
        let frames = Arc::new(AtomicU64::new(0));
        let bytes = Arc::new(AtomicU64::new(0));
        let goodbye = Arc::new(Mutex::new(None));
        let setup = ViewerSetup {
            mailbox,
            hub: Arc::clone(&hub),
            stages: Arc::clone(&stages),
            input: rx,
            output: Box::new(Probe {
                frames: Arc::clone(&frames),
                bytes: Arc::clone(&bytes),
                stuck,
                busy: Arc::new(AtomicBool::new(false)),
                goodbye: Arc::clone(&goodbye),
            }),
            size: (120, 40),
            theme: Theme::from_flags(false, false),
            fps: 15,
            byte_budget: 40_000,
            idle_timeout: None,
            links: None,
            start: start.clone(),
            join: None,
        };
        let thread = std::thread::spawn(move || viewer::run(setup));
        screens.push((name, frames, bytes, goodbye, thread));
    }
    // The simulator's side: 100 snapshots a second for 3 s.
    let base = recall::ui::fixture::snapshot(&[ModelKind::Idp]);
    let t0 = Instant::now();
    let mut longest = Duration::ZERO;
    for i in 0..300u64 {
        let mut s = base.clone();
        s.seq = i;
        s.time_secs = i as f64 * 0.01;
        let before = Instant::now();
        hub.publish(Arc::new(s));
        longest = longest.max(before.elapsed());
        std::thread::sleep(Duration::from_millis(10).saturating_sub(before.elapsed()));
    }
    let secs = t0.elapsed().as_secs_f64();
    hub.stop();
    let mut results = Vec::new();
    for (name, frames, bytes, goodbye, thread) in screens {
        let (end, _) = thread.join().unwrap();
        results.push((
            name,
            frames.load(Ordering::Relaxed),
            bytes.load(Ordering::Relaxed),
            end,
            goodbye.lock().unwrap().is_some(),
        ));
    }
    eprintln!("{secs:.2} s of publishing (longest publish {longest:?}): {results:?}");
    // A publish that waited for the stuck screen would never return: any bound shows it did
    // not (generous, for a loaded machine; the figures are printed above).
    assert!(secs < 6.0, "publishing took {secs} s");
    assert!(longest < Duration::from_secs(1), "{longest:?}");
    let (_, stuck_frames, _, stuck_end, _) = results[0];
    let (_, frames, bytes, end, said_goodbye) = results[1];
    assert_eq!(stuck_frames, 1, "the stuck screen was given more frames");
    assert!(
        frames >= 15,
        "the reading screen drew {frames} frames in {secs} s"
    );
    assert!(
        bytes as f64 / secs <= 40_000.0 * 1.1 + 40_000.0 / secs,
        "{bytes} bytes"
    );
    assert_eq!((stuck_end, end), (End::Stopping, End::Stopping));
    assert!(said_goodbye);
}
