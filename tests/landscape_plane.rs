//! The landscape's plane and the memory table agree: while the table ranks two wells or more
//! (#1, #2 by depth), the plane is those two (the tour, run as the dashboard runs it, with the
//! theory solved in line every half second of model time).

use std::sync::Arc;

use recall::model::{ModelKind, Params};
use recall::pipeline::{RunStatus, SimCore};
use recall::stimulus::{ScenarioName, Stream, StreamConfig};

/// A core running `model` on the built-in set and the tour's stream, as the dashboard does.
fn tour(model: ModelKind) -> (SimCore, Stream) {
    let memories = Arc::new(recall::patterns::builtin());
    let stream_config = StreamConfig::default();
    let core = SimCore::new(
        Arc::clone(&memories),
        Params::default(),
        &[model],
        7,
        stream_config.frame_secs,
    )
    .expect("a core");
    let config = StreamConfig {
        frame_secs: core.session().frame_secs(),
        ..stream_config
    };
    let stream = Stream::new(ScenarioName::Tour, memories, config, 7);
    (core, stream)
}

/// The run's status as a snapshot takes it (none of it matters to the plane).
fn status() -> RunStatus {
    RunStatus {
        pattern_errors: Vec::new(),
        steps_per_sec: 100.0,
        paused: false,
        speed_reached: None,
        finished: false,
    }
}

#[test]
fn in_the_tour_the_plane_is_the_tables_two_deepest_wells() {
    let (mut core, mut stream) = tour(ModelKind::Idp);
    let dt = core.params().dt_secs;
    let (every_snapshot, every_solve) = ((1.0 / 15.0 / dt) as u64, (0.5 / dt) as u64);
    let mut log = Vec::new();
    let (mut checked, mut two_wells) = (0, 0);
    while core.time_secs() < 90.0 {
        if core.needs_frame() {
            core.feed(stream.next_frame(), &mut log);
            continue;
        }
        core.step(&mut log);
        if core.steps().is_multiple_of(every_solve) {
            for request in core.theory_requests() {
                let solved = Arc::new(request.input.solve());
                core.theory_solved(request.model, Some(solved));
            }
        }
        if !core.steps().is_multiple_of(every_snapshot) {
            continue;
        }
        let snap = core.snapshot(ScenarioName::Tour, 1.0, status());
        let model = &snap.models[0];
        let Some(view) = &snap.landscape else {
            continue;
        };
        checked += 1;
        if !model.theory_solved {
            continue;
        }
        let mut wells: Vec<(usize, f64)> = model
            .theory
            .memories
            .iter()
            .enumerate()
            .filter(|(_, m)| m.stable)
            .filter_map(|(mu, m)| m.depth_per_neuron.map(|d| (mu, d)))
            .collect();
        // As the table ranks them: by depth as shown (3 decimals), and among wells of one
        // shown depth the most salient first.
        let shown = |d: f64| (d * 1000.0).round() as i64;
        let alpha = |mu: usize| model.saliencies[mu];
        wells.sort_by(|a, b| {
            shown(a.1)
                .cmp(&shown(b.1))
                .then(alpha(b.0).total_cmp(&alpha(a.0)))
                .then(a.0.cmp(&b.0))
        });
        if let [a, b, ..] = wells.as_slice() {
            two_wells += 1;
            let (p, q) = view.axes;
            assert!(
                (p, q) == (a.0, b.0) || (q, p) == (a.0, b.0),
                "at {:.2} s the table's wells are #1 {} and #2 {}, the plane is {} + {}",
                snap.time_secs,
                a.0,
                b.0,
                p,
                q
            );
        }
    }
    assert!(checked > 1000, "{checked} snapshots");
    assert!(
        two_wells > 20,
        "only {two_wells} snapshots with two wells: the test shows nothing"
    );
}

#[test]
fn a_classic_networks_plane_is_about_the_input() {
    // W = ΞΞᵀ/N weighs every memory alike, so its wells are all one depth: the plane was its
    // first two memories (bird and cat) whatever the stream showed. Now the input's saliencies
    // choose: the memory the stream has held for a second is on the plane.
    let (mut core, mut stream) = tour(ModelKind::Discrete);
    let dt = core.params().dt_secs;
    let every_snapshot = (0.5 / dt) as u64;
    let mut log = Vec::new();
    let (mut held_since, mut last_truth, mut holding) = (0.0, None, false);
    let (mut checked, mut distinct) = (0, std::collections::BTreeSet::new());
    while core.time_secs() < 60.0 {
        if core.needs_frame() {
            let frame = stream.next_frame();
            // A whole memory held (not a morph or a blend), since when.
            let hold = frame.label.starts_with("hold ") && !frame.glitch;
            if frame.truth != last_truth || hold != holding {
                (held_since, last_truth, holding) = (frame.time_secs, frame.truth, hold);
            }
            core.feed(frame, &mut log);
            continue;
        }
        core.step(&mut log);
        if !core.steps().is_multiple_of(every_snapshot) {
            continue;
        }
        let snap = core.snapshot(ScenarioName::Tour, 1.0, status());
        let (Some(view), Some(truth)) = (&snap.landscape, last_truth) else {
            continue;
        };
        if !holding || snap.time_secs - held_since < 1.0 {
            continue;
        }
        checked += 1;
        distinct.insert(view.axes);
        let (p, q) = view.axes;
        assert!(
            p == truth || q == truth,
            "at {:.1} s the stream has held {truth} for a second, the plane is {p} + {q}",
            snap.time_secs
        );
    }
    assert!(checked > 40, "{checked} snapshots");
    assert!(distinct.len() > 2, "the plane never moved: {distinct:?}");
}
