//! The one engine: the frame clock, divergence under both policies, reloads matched by name,
//! and seeds that depend on the model only.

use std::sync::Arc;

use rand::SeedableRng;
use recall::model::{Memories, ModelError, ModelKind, Params};
use recall::session::{OnDivergence, ProjectedFrame, Report, Session, SessionConfig};
use recall::stimulus::Frame;
use recall::tracking::{Event, TrackerConfig};

fn memories() -> Arc<Memories> {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
    Arc::new(Memories::random(16, 16, 4, &mut rng))
}

fn session(models: &[ModelKind], on_divergence: OnDivergence) -> Session {
    Session::new(
        memories(),
        SessionConfig {
            models: models.to_vec(),
            params: Params::default(),
            seed: 5,
            frame_secs: 0.1,
            tracker: TrackerConfig::default(),
            on_divergence,
        },
    )
    .expect("a valid session")
}

/// A frame showing memory `mu` of `mem` at input gain 10.
fn showing(mem: &Memories, mu: usize, changed: bool) -> Frame {
    let image = mem.memory(mu).to_vec();
    Frame {
        time_secs: 0.0,
        input: image.iter().map(|v| 10.0 * v).collect(),
        image,
        truth: Some(mu),
        names: mem.names().into(),
        changed,
        glitch: false,
        label: String::new(),
    }
}

/// Steps `steps` times, feeding `frame()` whenever a frame is due; returns every report.
fn run(s: &mut Session, steps: usize, mut frame: impl FnMut(&Memories) -> Frame) -> Vec<Report> {
    let mut reports = Vec::new();
    for _ in 0..steps {
        if s.needs_frame() {
            let f = frame(s.memories());
            s.feed(f).expect("a frame of the right size");
        }
        s.step(&mut reports);
    }
    reports
}

#[test]
fn a_frame_is_held_a_whole_number_of_steps() {
    let mut s = session(&[ModelKind::Idp], OnDivergence::Stop);
    assert_eq!(s.steps_per_frame(), 10);
    assert!((s.frame_secs() - 0.1).abs() < 1e-15);
    assert!(s.needs_frame());
    let mem = Arc::clone(s.memories());
    s.feed(showing(&mem, 0, true)).unwrap();
    let mut reports = Vec::new();
    for k in 1..=10 {
        assert!(!s.needs_frame(), "due after {k} steps");
        s.step(&mut reports);
    }
    assert!(s.needs_frame());
    assert_eq!(s.steps(), 10);
}

#[test]
fn a_frame_of_another_size_is_refused_and_changes_nothing() {
    let mut s = session(&[ModelKind::Idp], OnDivergence::Stop);
    let mem = Arc::clone(s.memories());
    s.feed(showing(&mem, 1, true)).unwrap();
    let mut wrong = showing(&mem, 2, true);
    wrong.input.truncate(10);
    assert_eq!(
        s.feed(wrong),
        Err(ModelError::InputSize {
            found: 10,
            expected: 256
        })
    );
    assert_eq!(s.frame().and_then(|f| f.truth), Some(1));
    assert!(!s.needs_frame());
}

fn nan_frame(mem: &Memories) -> Frame {
    let mut f = showing(mem, 0, true);
    f.input.fill(f32::NAN);
    f
}

#[test]
fn stop_ends_a_diverged_model_for_good_and_says_so_once() {
    let mut s = session(
        &[ModelKind::Idp, ModelKind::ClassicPulsed],
        OnDivergence::Stop,
    );
    let reports = run(&mut s, 50, nan_frame);
    let diverged: Vec<_> = reports
        .iter()
        .filter(|r| {
            matches!(
                r,
                Report::Tracked {
                    event: Event::Diverged { .. },
                    ..
                }
            )
        })
        .collect();
    assert_eq!(diverged.len(), 2, "one Diverged per model: {reports:?}");
    assert!(s.models().iter().all(|r| r.diverged()));
    // A stopped model is no longer stepped.
    assert!(s.models().iter().all(|r| r.net().time_secs() < 0.05));
    let summaries = s.finish();
    assert!(summaries.iter().all(|(_, _, summary)| summary.diverged));
}

#[test]
fn restart_redraws_the_state_and_runs_on() {
    let mut s = session(&[ModelKind::Idp], OnDivergence::Restart);
    let mut reports = run(&mut s, 5, nan_frame);
    assert!(
        matches!(
            reports.first(),
            Some(Report::Restarted {
                model: ModelKind::Idp,
                ..
            })
        ),
        "{reports:?}"
    );
    // A good frame after the bad ones: the model tracks again.
    reports = run(&mut s, 400, |mem| showing(mem, 2, false));
    let running = &s.models()[0];
    assert!(!running.diverged());
    assert!(running.net().state().iter().all(|x| x.is_finite()));
    assert_eq!(running.net().retrieved(), Some(2), "{reports:?}");
}

#[test]
fn a_model_runs_the_same_alone_or_compared() {
    let mut alone = session(&[ModelKind::IdpFilter], OnDivergence::Stop);
    let mut compared = session(
        &[ModelKind::Idp, ModelKind::IdpFilter, ModelKind::Discrete],
        OnDivergence::Stop,
    );
    run(&mut alone, 300, |mem| showing(mem, 3, false));
    run(&mut compared, 300, |mem| showing(mem, 3, false));
    assert_eq!(
        alone.models()[0].net().state(),
        compared.models()[1].net().state()
    );
}

#[test]
fn a_reload_is_followed_by_name() {
    let mut s = session(&[ModelKind::Idp], OnDivergence::Stop);
    run(&mut s, 400, |mem| showing(mem, 3, true));
    assert_eq!(s.models()[0].tracker().retrieved(), Some(3));
    let old = Arc::clone(s.memories());
    let name = old.names()[3].clone();
    // The same memories in reverse order: ids change meaning, names do not.
    let order: Vec<usize> = (0..old.p()).rev().collect();
    let patterns: Vec<(String, Vec<bool>)> = order
        .iter()
        .map(|&mu| {
            let px = old.memory(mu).iter().map(|&v| v > 0.0).collect();
            (old.names()[mu].clone(), px)
        })
        .collect();
    let reversed =
        Arc::new(Memories::from_bools(old.width(), old.height(), patterns).expect("a valid set"));
    s.set_memories(Arc::clone(&reversed));
    let id = reversed.index_of(&name).expect("still there");
    assert_ne!(id, 3);
    assert_eq!(s.models()[0].tracker().retrieved(), Some(id));
    // The frame being shown was matched too.
    assert_eq!(s.frame().and_then(|f| f.truth), Some(id));
}

#[test]
fn a_frames_projection_is_used_only_over_the_set_it_was_computed_for() {
    // `recall run`'s stream thread computes (1/N) Ξᵀu ahead; the session takes it only when it
    // was computed over the set in use (the same `Arc`), and computes its own otherwise (a
    // projection over a set since reloaded).
    let mut s = session(&[ModelKind::Idp, ModelKind::IdpFilter], OnDivergence::Stop);
    let mem = Arc::clone(s.memories());
    let frame = showing(&mem, 1, true);
    s.feed(frame.clone()).unwrap();
    let want: Vec<Vec<f32>> = s
        .models()
        .iter()
        .map(|r| r.net().saliencies().to_vec())
        .collect();
    let mut exact = vec![0.0f32; mem.p()];
    mem.project(&frame.input, &mut exact);
    assert_eq!(want[0], exact, "a plain feed projects the input itself");

    // Over another set (equal contents, another allocation): ignored, computed here.
    let other = Arc::new((*mem).clone());
    let bogus = vec![7.0f32; mem.p()];
    s.feed_projected(frame.clone(), Some((&other, &bogus)))
        .unwrap();
    let got: Vec<Vec<f32>> = s
        .models()
        .iter()
        .map(|r| r.net().saliencies().to_vec())
        .collect();
    assert_eq!(got, want);

    // Over the set in use: taken as given, by every model.
    s.feed_projected(frame, Some((&mem, &bogus))).unwrap();
    for r in s.models() {
        assert_eq!(r.net().saliencies(), bogus.as_slice());
    }
}

#[test]
fn a_feed_hands_back_the_frame_it_replaced_and_the_projection_it_read() {
    // `recall run` returns these to the stream's thread, which made them, to be freed there.
    let mut s = session(&[ModelKind::Idp], OnDivergence::Stop);
    let mem = Arc::clone(s.memories());
    let first = ProjectedFrame::new(showing(&mem, 1, true), &mem);
    let spent = s.feed_ready(first).unwrap();
    assert!(spent.frame.is_none(), "nothing was replaced");
    let (over, projection) = spent.projection.expect("the first frame's projection");
    assert!(Arc::ptr_eq(&over, &mem));
    let mut exact = vec![0.0f32; mem.p()];
    mem.project(&showing(&mem, 1, true).input, &mut exact);
    assert_eq!(projection, exact);

    let spent = s
        .feed_ready(ProjectedFrame::new(showing(&mem, 2, false), &mem))
        .unwrap();
    let replaced = spent.frame.expect("the first frame comes back");
    assert_eq!((replaced.truth, replaced.changed), (Some(1), true));
    assert_eq!(
        s.frame().and_then(|f| f.truth),
        Some(2),
        "the new one is held"
    );
    // A refused frame replaces nothing and is not handed back (the error says why).
    let wrong = Frame {
        input: vec![0.0; 3],
        ..showing(&mem, 0, false)
    };
    assert!(s.feed_ready(ProjectedFrame::plain(wrong)).is_err());
    assert_eq!(s.frame().and_then(|f| f.truth), Some(2));
}
