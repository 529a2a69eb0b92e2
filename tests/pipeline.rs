//! Headless tests of the live pipeline: reproducibility whatever the snapshot rate, controls,
//! and clean shutdown on every path.

use std::sync::Arc;
use std::time::Duration;

use rand::SeedableRng;
use recall::model::{Memories, ModelKind, Params};
use recall::pipeline::{Control, LogEntry, Pacing, Pipeline, PipelineConfig, Snapshot};
use recall::stimulus::{ScenarioName, StreamConfig};

const WAIT: Duration = Duration::from_secs(120);

fn memories() -> Arc<Memories> {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
    Arc::new(Memories::random(32, 32, 6, &mut rng))
}

/// A simulator core running IDP alone on `mem`, frames of 0.1 s.
fn sim_core(mem: &Arc<Memories>, params: Params, seed: u64) -> recall::pipeline::SimCore {
    recall::pipeline::SimCore::new(Arc::clone(mem), params, &[ModelKind::Idp], seed, 0.1)
        .expect("core")
}

fn config(pacing: Pacing, seed: u64) -> PipelineConfig {
    PipelineConfig {
        memories: memories(),
        scenario: ScenarioName::Glitch,
        stream: StreamConfig::default(),
        params: Params {
            noise_std: 4.0,
            ..Params::default()
        },
        models: vec![ModelKind::Idp, ModelKind::ClassicPulsed],
        seed,
        speed: 1.0,
        pacing,
        stop_at_secs: Some(12.0),
        paused: false,
    }
}

/// Runs to the stop time; returns the final snapshot, how many snapshots were seen, the log.
fn run_to_end(config: PipelineConfig) -> (Snapshot, usize, Vec<LogEntry>) {
    let pipeline = Pipeline::start(config).expect("start");
    let mut seen = 0;
    let last = loop {
        let snap = pipeline
            .snapshots()
            .recv_timeout(WAIT)
            .expect("a snapshot before the timeout");
        seen += 1;
        if snap.finished {
            break snap;
        }
    };
    let mut log = Vec::new();
    // The simulator has exited after its final snapshot: the log channel drains then closes.
    while let Ok(entry) = pipeline.log().recv_timeout(WAIT) {
        log.push(entry);
    }
    pipeline.shutdown().expect("clean shutdown");
    (*last, seen, log)
}

fn assert_same_trajectory(a: &Snapshot, b: &Snapshot) {
    assert_eq!(a.steps, b.steps);
    assert_eq!(a.history_times_secs, b.history_times_secs);
    assert_eq!(a.history_truth, b.history_truth);
    assert_eq!(a.input_image, b.input_image);
    for (ma, mb) in a.models.iter().zip(&b.models) {
        assert_eq!(ma.kind, mb.kind);
        assert_eq!(ma.activation, mb.activation, "{} state differs", ma.kind);
        assert_eq!(ma.overlap_history, mb.overlap_history);
        assert_eq!(ma.energy_history, mb.energy_history);
        assert_eq!(ma.accuracy, mb.accuracy);
    }
}

#[test]
fn same_seed_same_trajectory_at_two_snapshot_rates() {
    let (a, seen_a, log_a) = run_to_end(config(
        Pacing::Unpaced {
            snapshot_every_steps: 7,
        },
        11,
    ));
    let (b, seen_b, log_b) = run_to_end(config(
        Pacing::Unpaced {
            snapshot_every_steps: 200,
        },
        11,
    ));
    assert!(
        seen_a > seen_b,
        "rates did not differ: {seen_a} vs {seen_b}"
    );
    assert!(
        (a.time_secs - 12.0).abs() < 1e-9,
        "stopped at {}",
        a.time_secs
    );
    assert_eq!(
        a.history_times_secs.len(),
        120,
        "one sample per 0.1-s frame"
    );
    assert_same_trajectory(&a, &b);
    assert_eq!(log_a, log_b, "the event logs differ");

    // And the trajectory really depends on the seed (the test can fail).
    let (c, _, _) = run_to_end(config(
        Pacing::Unpaced {
            snapshot_every_steps: 7,
        },
        12,
    ));
    assert_ne!(a.models[0].activation, c.models[0].activation);
}

#[test]
fn wall_clock_pacing_is_reproducible_at_two_frame_rates() {
    let paced = |hz: f64| {
        let mut c = config(Pacing::WallClock { snapshot_hz: hz }, 5);
        c.speed = 40.0;
        c.stop_at_secs = Some(6.0);
        c
    };
    let (a, _, log_a) = run_to_end(paced(4.0));
    let (b, _, log_b) = run_to_end(paced(60.0));
    assert_same_trajectory(&a, &b);
    assert_eq!(log_a, log_b);
}

#[test]
fn pause_stops_model_time_and_resume_continues() {
    let mut c = config(Pacing::WallClock { snapshot_hz: 50.0 }, 1);
    c.stop_at_secs = None;
    c.speed = 5.0;
    let pipeline = Pipeline::start(c).expect("start");
    let snaps = pipeline.snapshots();
    // Wait until time has advanced.
    let moving = loop {
        let s = snaps.recv_timeout(WAIT).expect("snapshot");
        if s.time_secs > 0.5 {
            break s;
        }
    };
    assert!(!moving.status.paused);
    pipeline
        .controls()
        .send(Control::SetPaused(true))
        .expect("send");
    let paused = loop {
        let s = snaps.recv_timeout(WAIT).expect("snapshot");
        if s.status.paused {
            break s;
        }
    };
    // While paused nothing new is published except on request: no snapshot with a later time.
    pipeline
        .controls()
        .send(Control::SetNoise(1.5))
        .expect("send");
    let after = loop {
        let s = snaps.recv_timeout(WAIT).expect("snapshot");
        if s.status.noise_std == 1.5 {
            break s;
        }
    };
    assert_eq!(after.time_secs, paused.time_secs, "time moved while paused");
    pipeline
        .controls()
        .send(Control::SetPaused(false))
        .expect("send");
    let resumed = loop {
        let s = snaps.recv_timeout(WAIT).expect("snapshot");
        if s.time_secs > paused.time_secs {
            break s;
        }
    };
    assert!(!resumed.status.paused);
    pipeline.shutdown().expect("clean shutdown");
}

#[test]
fn controls_reach_the_models() {
    let mut c = config(Pacing::WallClock { snapshot_hz: 50.0 }, 1);
    c.stop_at_secs = None;
    c.models = vec![ModelKind::Idp];
    let pipeline = Pipeline::start(c).expect("start");
    pipeline
        .controls()
        .send(Control::SetModels(vec![
            ModelKind::IdpFilter,
            ModelKind::Discrete,
        ]))
        .expect("send");
    let snap = loop {
        let s = pipeline.snapshots().recv_timeout(WAIT).expect("snapshot");
        if s.models.len() == 2 {
            break s;
        }
    };
    assert_eq!(snap.models[0].kind, ModelKind::IdpFilter);
    assert_eq!(snap.models[1].kind, ModelKind::Discrete);
    let line = pipeline.log().recv_timeout(WAIT).expect("a log line");
    assert!(line.text.contains("idp-filter vs discrete"), "{line:?}");
    pipeline.shutdown().expect("clean shutdown");
}

/// A scenario switch shows at once: the frames the producer made of the stream left behind
/// (a batch in hand, two in the channel: about 0.3 s at ×1) are passed over, and the frame
/// shown ends.
#[test]
fn a_new_scenario_shows_at_once() {
    let mut c = config(Pacing::WallClock { snapshot_hz: 50.0 }, 1);
    c.stop_at_secs = None;
    c.models = vec![ModelKind::Idp];
    let pipeline = Pipeline::start(c).expect("start");
    // Let the producer fill its queue with the glitch scenario's frames.
    loop {
        let s = pipeline.snapshots().recv_timeout(WAIT).expect("snapshot");
        if s.time_secs >= 0.5 {
            assert!(s.label.starts_with("hold "), "{}", s.label);
            break;
        }
    }
    pipeline
        .controls()
        .send(Control::SetScenario(ScenarioName::Mixed))
        .expect("send");
    // The first snapshot after the switch, then 0.5 s of model time from it.
    let first = loop {
        let s = pipeline.snapshots().recv_timeout(WAIT).expect("snapshot");
        if s.status.scenario == ScenarioName::Mixed {
            break s.time_secs;
        }
    };
    let mut seen = Vec::new();
    loop {
        let s = pipeline.snapshots().recv_timeout(WAIT).expect("snapshot");
        // A step or two may pass between the switch and the snapshot that shows it.
        if s.time_secs > first + 0.025 {
            seen.push((s.time_secs, s.label.clone()));
        }
        if s.time_secs > first + 0.5 {
            break;
        }
    }
    let old: Vec<_> = seen
        .iter()
        .filter(|(_, label)| !label.starts_with("mixture "))
        .collect();
    assert!(
        old.is_empty(),
        "frames of the old stream after the switch at {first:.2} s: {old:?}"
    );
    pipeline.shutdown().expect("clean shutdown");
}

/// After a switch the stream's frames made ahead are passed over; its clock must go back with
/// them, or the time a label announces ("glitch to B at 9.0 s") runs ahead of the model's by
/// the frames passed over (a user saw 12.4 s announced for a glitch at 10.8 s).
#[test]
fn a_label_announces_the_model_time_after_switches() {
    let mut c = config(Pacing::WallClock { snapshot_hz: 50.0 }, 1);
    c.stop_at_secs = None;
    c.speed = 4.0;
    c.models = vec![ModelKind::Idp];
    let pipeline = Pipeline::start(c).expect("start");
    let snapshot = || pipeline.snapshots().recv_timeout(WAIT).expect("snapshot");
    // Three switches, each once the producer has filled its queue again.
    for _ in 0..3 {
        while snapshot().time_secs < 0.5 {}
        let at = snapshot().time_secs;
        pipeline
            .controls()
            .send(Control::SetScenario(ScenarioName::Glitch))
            .expect("send");
        while snapshot().time_secs < at + 0.6 {}
    }
    the_glitch_comes_when_announced(&pipeline);
    pipeline.shutdown().expect("clean shutdown");
}

/// The glitch the label announces, and the snapshots on either side of its start: it must
/// fall between them (± the label's rounding to 0.1 s), however far apart a loaded machine
/// takes them.
fn the_glitch_comes_when_announced(pipeline: &Pipeline) {
    let mut announced = None;
    let mut before = 0.0;
    let shown = loop {
        let s = pipeline.snapshots().recv_timeout(WAIT).expect("snapshot");
        if let Some(rest) = s.label.split(" at ").nth(1) {
            announced = rest.trim_end_matches(" s)").parse::<f64>().ok();
            before = s.time_secs;
        } else if s.label.starts_with("glitch to ") {
            break s.time_secs;
        }
    };
    let announced = announced.expect("a label that announces the glitch");
    assert!(
        before - 0.05 <= announced && announced <= shown + 0.05,
        "announced at {announced} s, shown between {before:.2} and {shown:.2} s"
    );
}

/// The stream waits while a drawing is held: back to it, it goes on from the model's time
/// (its clock had stood still, and the glitch came the time spent drawing after it was
/// announced).
#[test]
fn back_from_a_drawing_the_stream_keeps_the_models_time() {
    let mut c = config(Pacing::WallClock { snapshot_hz: 50.0 }, 1);
    c.stop_at_secs = None;
    c.speed = 4.0;
    c.models = vec![ModelKind::Idp];
    let drawing = c.memories.memory(2).to_vec();
    let pipeline = Pipeline::start(c).expect("start");
    let snapshot = || pipeline.snapshots().recv_timeout(WAIT).expect("snapshot");
    while snapshot().time_secs < 0.5 {}
    pipeline
        .controls()
        .send(Control::Hold(Some(
            recall::stimulus::held::HeldInput::Drawing(drawing),
        )))
        .expect("send");
    let at = snapshot().time_secs;
    while snapshot().time_secs < at + 2.0 {}
    pipeline.controls().send(Control::Hold(None)).expect("send");
    while snapshot().label.starts_with("drawing") {}
    the_glitch_comes_when_announced(&pipeline);
    pipeline.shutdown().expect("clean shutdown");
}

/// Nobody reads snapshots or the log: shutdown must still end every thread.
#[test]
fn shutdown_is_clean_when_nobody_reads() {
    let mut c = config(
        Pacing::Unpaced {
            snapshot_every_steps: 1,
        },
        2,
    );
    c.stop_at_secs = None;
    let pipeline = Pipeline::start(c).expect("start");
    let (done_tx, done_rx) = crossbeam_channel::bounded(1);
    std::thread::spawn(move || {
        let result = pipeline.shutdown();
        let _ = done_tx.send(result.is_ok());
    });
    assert_eq!(
        done_rx.recv_timeout(WAIT),
        Ok(true),
        "shutdown hung or failed"
    );
}

/// A run that reached its stop time and whose final snapshot nobody takes still shuts down.
#[test]
fn shutdown_is_clean_after_the_stop_time() {
    let mut c = config(
        Pacing::Unpaced {
            snapshot_every_steps: 50,
        },
        2,
    );
    c.stop_at_secs = Some(0.5);
    let pipeline = Pipeline::start(c).expect("start");
    let (done_tx, done_rx) = crossbeam_channel::bounded(1);
    std::thread::spawn(move || {
        let _ = done_tx.send(pipeline.shutdown().is_ok());
    });
    assert_eq!(
        done_rx.recv_timeout(WAIT),
        Ok(true),
        "shutdown hung or failed"
    );
}

/// A UI that reads no log line for the whole run (more lines than the channel holds) still gets
/// every line, in order: the same lines as a UI that reads them as they come.
#[test]
fn log_lines_are_never_lost() {
    let long = |seed| {
        let mut c = config(
            Pacing::Unpaced {
                snapshot_every_steps: 100,
            },
            seed,
        );
        c.scenario = ScenarioName::Tour;
        c.models = vec![
            ModelKind::Idp,
            ModelKind::ClassicPulsed,
            ModelKind::ClassicConstant,
        ];
        c.stop_at_secs = Some(900.0);
        c
    };
    // Reads the log only after the final snapshot.
    let (_, _, late) = run_to_end(long(4));
    // Reads the log while it runs.
    let pipeline = Pipeline::start(long(4)).expect("start");
    let mut eager = Vec::new();
    loop {
        crossbeam_channel::select! {
            recv(pipeline.log()) -> entry => match entry {
                Ok(e) => eager.push(e),
                Err(_) => break,
            },
            recv(pipeline.snapshots()) -> _ => {},
            default(WAIT) => panic!("the pipeline stalled"),
        }
    }
    pipeline.shutdown().expect("clean shutdown");
    assert!(
        late.len() > recall::pipeline::LOG_QUEUE,
        "only {} lines: the run did not overflow the channel, so it proves nothing",
        late.len()
    );
    assert_eq!(late, eager);
}

/// Editing a pattern keeps the charts (same ids); renaming one restarts them, while the tracking
/// follows the memories by name, even for frames made before the reload.
#[test]
fn a_reload_keeps_history_only_when_ids_keep_their_meaning() {
    use recall::pipeline::{RunStatus, SimCore};
    use recall::stimulus::Frame;
    let mem = memories();
    let mut core = sim_core(&mem, Params::default(), 1);
    // A frame of `set` holding memory `shown` at gain 10.
    let hold = |set: &Memories, shown: usize, k: u32| Frame {
        time_secs: f64::from(k) * 0.1,
        image: set.memory(shown).to_vec(),
        input: set.memory(shown).iter().map(|v| 10.0 * v).collect(),
        truth: Some(shown),
        names: set.names().into(),
        changed: k == 0,
        glitch: false,
        label: "hold".into(),
    };
    let mut log = Vec::new();
    for k in 0..30 {
        if core.needs_frame() {
            core.feed(hold(&mem, 0, k), &mut log);
        }
        for _ in 0..10 {
            core.step(&mut log);
        }
    }
    let samples = |core: &mut SimCore| {
        core.snapshot(ScenarioName::Tour, 1.0, RunStatus::default())
            .history_times_secs
            .len()
    };
    let before = samples(&mut core);
    assert!(before > 0);
    assert!(
        log.iter().any(|e| e.text.contains("retrieved")),
        "the memory on show was never retrieved"
    );
    // The same names with one pixel changed: an edit.
    let patterns = |names: &[String]| -> Vec<(String, Vec<f32>)> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut px = mem.memory(i).to_vec();
                px[0] = -px[0];
                (n.clone(), px)
            })
            .collect()
    };
    let edited = Arc::new(Memories::new(32, 32, patterns(mem.names())).expect("set"));
    core.set_memories(Arc::clone(&edited));
    assert_eq!(samples(&mut core), before, "an edit restarted the charts");
    // Another memory renamed (and so re-sorted): new ids, but the memory on show is the same.
    let mut renamed: Vec<String> = mem.names().to_vec();
    renamed[5] = "aardvark".into();
    let mut shuffled = patterns(&renamed);
    shuffled.rotate_left(3);
    let renamed_set = Arc::new(Memories::new(32, 32, shuffled).expect("set"));
    let shown = renamed_set.index_of(&mem.names()[0]).expect("still there");
    assert_ne!(shown, 0);
    // The reload lands in the middle of a frame, and two more frames of the old set are still
    // in flight (the producer's pending frame and one in the channel).
    log.clear();
    core.feed(hold(&edited, 0, 30), &mut log);
    for _ in 0..5 {
        core.step(&mut log);
    }
    core.set_memories(Arc::clone(&renamed_set));
    assert_eq!(samples(&mut core), 0, "new ids kept the old charts");
    for k in 31..60 {
        if core.needs_frame() {
            let frame = if k < 33 {
                hold(&edited, 0, k)
            } else {
                hold(&renamed_set, shown, k)
            };
            core.feed(frame, &mut log);
        }
        for _ in 0..10 {
            core.step(&mut log);
        }
    }
    // The tracker follows by name: holding the same memory is not a new retrieval.
    let texts: Vec<&str> = log.iter().map(|e| e.text.as_str()).collect();
    assert!(
        !texts.iter().any(|t| t.contains("retrieved")),
        "a reload looked like a retrieval: {texts:?}"
    );
    let snap = core.snapshot(ScenarioName::Tour, 1.0, RunStatus::default());
    assert_eq!(snap.truth, Some(shown));
}

/// Every snapshot carries the primary model's landscape, on the plane of its two most salient
/// memories, with the theory's wells and the state on the recalled memory's axis.
#[test]
fn snapshots_carry_the_primary_landscape() {
    use recall::pipeline::{RunStatus, SimCore};
    use recall::stimulus::Frame;
    let mem = memories();
    let mut core = SimCore::new(
        Arc::clone(&mem),
        Params {
            noise_std: 0.0,
            ..Params::default()
        },
        &[ModelKind::Idp, ModelKind::ClassicPulsed],
        1,
        0.1,
    )
    .expect("core");
    let input: Vec<f32> = (0..mem.n())
        .map(|i| 2.0 * mem.memory(2)[i] + 0.8 * mem.memory(4)[i])
        .collect();
    let mut log = Vec::new();
    for k in 0..50 {
        if core.needs_frame() {
            core.feed(
                Frame {
                    time_secs: f64::from(k) * 0.1,
                    image: input.clone(),
                    input: input.clone(),
                    truth: Some(2),
                    changed: k == 0,
                    glitch: false,
                    names: mem.names().into(),
                    label: "mix".into(),
                },
                &mut log,
            );
        }
        for _ in 0..10 {
            core.step(&mut log);
        }
    }
    let snap = core.snapshot(ScenarioName::Tour, 1.0, RunStatus::default());
    let view = snap.landscape.as_ref().expect("a landscape");
    assert_eq!(view.axes, (2, 4), "the two most salient memories");
    assert!(
        view.wells
            .iter()
            .any(|w| w.memory == 2 && w.stable && w.sign > 0),
        "memory 2 is a stable well: {:?}",
        view.wells
    );
    // The state has rolled into one of memory 2's wells: far out on the a axis.
    let gamma = view
        .wells
        .iter()
        .find(|w| w.memory == 2)
        .map_or(0.0, |w| w.at.0.abs());
    assert!(
        view.state.0.abs() > 0.5 * gamma && view.state.1.abs() < 0.5 * gamma,
        "state {:?}, γ {gamma}",
        view.state
    );
    // Finite inside the diamond of possible activations, NaN outside it (a corner).
    let g = &view.grid;
    assert!(g.at(g.cols / 2, g.rows / 2).is_finite() && g.at(0, 0).is_nan());
    // Without steps in between, the next snapshot shows the same landscape (cached plane).
    let again = core.snapshot(ScenarioName::Tour, 1.0, RunStatus::default());
    let again = again.landscape.as_ref().expect("a landscape");
    let bits = |v: &recall::model::landscape::View| {
        v.grid
            .energy
            .iter()
            .map(|e| e.to_bits())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        (again.plane, again.axes, again.state),
        (view.plane, view.axes, view.state)
    );
    assert_eq!(bits(again), bits(view));
}

#[test]
fn a_held_drawing_is_the_input_and_a_stored_memory_joins_the_set() {
    let mut c = config(Pacing::WallClock { snapshot_hz: 50.0 }, 1);
    c.stop_at_secs = None;
    c.speed = 8.0;
    c.models = vec![ModelKind::Idp];
    let mem = Arc::clone(&c.memories);
    let pipeline = Pipeline::start(c).expect("start");
    let drawing = mem.memory(2).to_vec();
    pipeline
        .controls()
        .send(Control::Hold(Some(
            recall::stimulus::held::HeldInput::Drawing(drawing.clone()),
        )))
        .expect("send");
    let held = loop {
        let s = pipeline.snapshots().recv_timeout(WAIT).expect("snapshot");
        if s.label.starts_with("drawing") {
            break s;
        }
    };
    assert_eq!(held.truth, Some(2), "the drawing shows memory 2");
    let differing = held
        .input_image
        .iter()
        .zip(&drawing)
        .filter(|(a, b)| a != b)
        .count();
    assert!(differing < drawing.len() / 5, "pixel flips still apply");
    // The network settles on it.
    let settled = loop {
        let s = pipeline.snapshots().recv_timeout(WAIT).expect("snapshot");
        if s.time_secs > held.time_secs + 6.0 {
            break s;
        }
    };
    assert_eq!(settled.models[0].retrieved, Some(2));
    // A new memory joins the running set.
    let pixels: Vec<bool> = (0..mem.n()).map(|k| (k / 5) % 2 == 0).collect();
    pipeline
        .controls()
        .send(Control::AddMemory {
            name: "stripes".into(),
            pixels,
        })
        .expect("send");
    let grown = loop {
        let s = pipeline.snapshots().recv_timeout(WAIT).expect("snapshot");
        if s.memories.p() == mem.p() + 1 {
            break s;
        }
    };
    assert_eq!(
        grown.memories.names().last().map(String::as_str),
        Some("stripes")
    );
    assert_eq!(grown.models[0].overlaps.len(), mem.p() + 1);
    // Back to the stream.
    pipeline.controls().send(Control::Hold(None)).expect("send");
    loop {
        let s = pipeline.snapshots().recv_timeout(WAIT).expect("snapshot");
        if !s.label.starts_with("drawing") {
            break;
        }
    }
    pipeline.shutdown().expect("clean shutdown");
}

/// The state image's running mean: a sample every step at watching speeds, every
/// `DISPLAY_SAMPLE_SECS` of model time at full speed, each weighted for the time since the last;
/// the trajectory is the same either way.
#[test]
fn the_state_images_mean_samples_every_step_when_watched_and_every_tenth_at_full_speed() {
    use recall::pipeline::{DISPLAY_TAU_SECS, RunStatus, SimCore, display_sample_steps};
    use recall::stimulus::Frame;
    assert_eq!(display_sample_steps(1.0, 0.01), 1);
    assert_eq!(display_sample_steps(0.1, 0.01), 1);
    assert_eq!(display_sample_steps(1.19, 0.01), 1);
    assert_eq!(display_sample_steps(1.5, 0.01), 2);
    assert_eq!(display_sample_steps(2.0, 0.01), 3);
    assert_eq!(display_sample_steps(f64::NAN, 0.01), 1);
    assert_eq!(display_sample_steps(500.0, 0.01), 10);
    assert_eq!(display_sample_steps(1000.0, 1e-6), 100_000);
    assert_eq!(display_sample_steps(500.0, 0.5), 1);
    let mem = memories();
    let params = Params {
        noise_std: 2.0,
        ..Params::default()
    };
    let core = |speed: Option<f64>| {
        let mut core = sim_core(&mem, params.clone(), 5);
        if let Some(speed) = speed {
            core.set_display_speed(speed);
        }
        core
    };
    let frame = |k: u32| Frame {
        time_secs: f64::from(k) * 0.1,
        image: mem.memory(1).to_vec(),
        input: mem.memory(1).iter().map(|v| 10.0 * v).collect(),
        truth: Some(1),
        names: mem.names().into(),
        changed: k == 0,
        glitch: false,
        label: "hold".into(),
    };
    let view = |core: &mut SimCore| {
        let s = core.snapshot(ScenarioName::Tour, 1.0, RunStatus::default());
        let m = &s.models[0];
        (m.activation.clone(), m.activation_mean.clone())
    };
    let (mut watched, mut fast) = (core(None), core(Some(500.0)));
    let mut log = Vec::new();
    let (mut mean_every, mut mean_tenth) = (view(&mut watched).1, view(&mut fast).1);
    let weight = |steps: f64| (1.0 - (-steps * 0.01 / DISPLAY_TAU_SECS).exp()) as f32;
    let ease = |mean: &mut Vec<f32>, to: &[f32], k: f32| {
        for (m, &a) in mean.iter_mut().zip(to) {
            *m += k * (a - *m);
        }
    };
    let mut frames = 0;
    for step in 1..=45 {
        for core in [&mut watched, &mut fast] {
            if core.needs_frame() {
                core.feed(frame(frames / 2), &mut log);
                frames += 1;
            }
            core.step(&mut log);
        }
        let (a, m) = view(&mut watched);
        let (a_fast, m_fast) = view(&mut fast);
        assert_eq!(
            a, a_fast,
            "step {step}: the trajectory depends on the speed"
        );
        ease(&mut mean_every, &a, weight(1.0));
        if step % 10 == 0 {
            ease(&mut mean_tenth, &a, weight(10.0));
        }
        assert_eq!(m, mean_every, "step {step}: a sample every step");
        assert_eq!(m_fast, mean_tenth, "step {step}: a sample every tenth step");
    }
    assert_ne!(mean_every, mean_tenth);
}

/// A memory set of another size resets the state images' means at once, between samples too.
#[test]
fn a_new_size_resets_the_state_images_mean_at_once() {
    use recall::pipeline::RunStatus;
    let mem = memories();
    let mut core = sim_core(&mem, Params::default(), 5);
    core.set_display_speed(500.0);
    let mut log = Vec::new();
    for _ in 0..3 {
        core.step(&mut log);
    }
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(4);
    core.set_memories(Arc::new(Memories::random(16, 8, 3, &mut rng)));
    let s = core.snapshot(ScenarioName::Tour, 500.0, RunStatus::default());
    assert_eq!(s.models[0].activation.len(), 128);
    assert_eq!(s.models[0].activation_mean, s.models[0].activation);
}

/// Paused, a model switched to gets its theory solved (the user trial: the memory table kept
/// the new model's closed forms until the run resumed or another key was pressed). Paced: the
/// solve's result was left unread while the simulator slept until a command; unpaced: the check
/// falls due by model time, which stands still.
#[test]
fn a_paused_run_solves_the_theory_of_a_model_switched_to() {
    let limit = Duration::from_secs(20);
    for pacing in [
        Pacing::WallClock { snapshot_hz: 20.0 },
        Pacing::Unpaced {
            snapshot_every_steps: 10,
        },
    ] {
        let mut c = config(pacing, 3);
        c.stop_at_secs = None;
        c.paused = true;
        c.models = vec![ModelKind::Idp];
        let pipeline = Pipeline::start(c).expect("start");
        pipeline
            .controls()
            .send(Control::SetModels(vec![ModelKind::ClassicConstant]))
            .expect("send");
        let deadline = std::time::Instant::now() + limit;
        let solved = loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let s = pipeline
                .snapshots()
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("{pacing:?}: no solve of the new model while paused"));
            let view = &s.models[0];
            if view.kind == ModelKind::ClassicConstant && view.theory_solved {
                break s;
            }
        };
        assert!(solved.status.paused);
        assert_eq!(solved.time_secs, 0.0, "time moved while paused");
        pipeline.shutdown().expect("clean shutdown");
    }
}
