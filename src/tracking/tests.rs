//! The tracker on hand-made readouts.

use super::*;

const DT: f64 = 0.01;

/// Feeds `secs` of steps: the truth, the glitch flag and the readout as functions of time;
/// then closes the run.
fn feed(
    tracker: &mut Tracker,
    secs: f64,
    stimulus: impl Fn(f64) -> (Option<usize>, bool),
    readout: impl Fn(f64) -> Option<usize>,
) -> Vec<Event> {
    let mut events = feed_span(tracker, (0.0, secs), stimulus, readout);
    events.extend(tracker.finish());
    events
}

/// Feeds the steps from `from` to `to` seconds (the run stays open).
fn feed_span(
    tracker: &mut Tracker,
    (from, to): (f64, f64),
    stimulus: impl Fn(f64) -> (Option<usize>, bool),
    readout: impl Fn(f64) -> Option<usize>,
) -> Vec<Event> {
    let mut events = Vec::new();
    let steps = ((to - from) / DT).round() as usize;
    for k in 0..steps {
        let t = from + k as f64 * DT;
        let (truth, glitch) = stimulus(t);
        let retrieved = readout(t);
        let mut overlaps = [0.0f32; 4];
        if let Some(r) = retrieved {
            overlaps[r] = 0.9;
        }
        events.extend(tracker.observe(&Observation {
            time_secs: t,
            step_secs: DT,
            truth,
            glitch,
            retrieved,
            overlaps: &overlaps,
            diverged: false,
        }));
    }
    events
}

/// Memory 0 for 10 s, then memory 1 for 10 s.
fn two_holds(t: f64) -> (Option<usize>, bool) {
    (Some(if t < 10.0 { 0 } else { 1 }), false)
}

#[test]
fn a_model_that_follows_with_a_lag_is_accurate_and_its_latency_is_measured() {
    let mut tr = Tracker::default();
    let events = feed(&mut tr, 20.0, two_holds, |t| {
        if t < 1.0 {
            None
        } else if t < 11.5 {
            Some(0)
        } else {
            Some(1)
        }
    });
    let s = tr.summary();
    assert_eq!(s.accuracy, Some(1.0));
    assert_eq!((s.changes, s.retrievals, s.missed), (2, 2, 0));
    let median = s.latency_median_secs.unwrap();
    let worst = s.latency_worst_secs.unwrap();
    assert!(
        (median - 1.25).abs() < 0.02 && (worst - 1.5).abs() < 0.02,
        "{s:?}"
    );
    assert!((s.mean_overlap.unwrap() - 0.9).abs() < 1e-6);
    let kinds: Vec<_> = events.iter().map(|e| e.describe(&[])).collect();
    assert_eq!(
        kinds,
        [
            "retrieved #0 after 1.0 s",
            "#0 → #1",
            "retrieved #1 after 1.5 s"
        ]
    );
}

#[test]
fn a_model_stuck_on_the_old_memory_scores_half_and_misses_the_change() {
    let mut tr = Tracker::default();
    feed(&mut tr, 20.0, two_holds, |_| Some(0));
    let s = tr.summary();
    let acc = s.accuracy.unwrap();
    // Tracked: [3, 10) right and [13, 20) wrong.
    assert!((acc - 0.5).abs() < 0.01, "{acc}");
    assert_eq!((s.retrievals, s.missed), (1, 1));
}

#[test]
fn flicker_shorter_than_the_dwell_is_ignored() {
    let mut tr = Tracker::default();
    let events = feed(&mut tr, 10.0, two_holds, |t| {
        if (5.0..5.1).contains(&t) {
            Some(2)
        } else {
            Some(0)
        }
    });
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(tr.summary().transitions, 0);
}

/// Memory 0, a 1-s glitch to 3 at 4 s, memory 0 again.
fn glitchy(t: f64) -> (Option<usize>, bool) {
    if (4.0..5.0).contains(&t) {
        (Some(3), true)
    } else {
        (Some(0), false)
    }
}

#[test]
fn an_ignored_glitch_is_corrected_and_a_followed_one_is_not() {
    let mut tr = Tracker::default();
    let events = feed(&mut tr, 12.0, glitchy, |_| Some(0));
    let corrected = Event::GlitchCorrected {
        time_secs: 7.0,
        glitch: 3,
        glitch_secs: 4.0,
    };
    assert!(events.contains(&corrected), "{events:?}");
    // Judged at 7 s, its line says when the glitch was.
    assert_eq!(
        corrected.describe(&["a", "b", "c", "fish"].map(String::from)),
        "glitch to fish at 4.0 s corrected"
    );
    let s = tr.summary();
    assert_eq!((s.glitches_seen, s.glitches_corrected), (1, 1));
    assert_eq!(s.accuracy, Some(1.0));

    let mut tr = Tracker::default();
    let events = feed(&mut tr, 12.0, glitchy, |t| {
        Some(if (4.2..6.5).contains(&t) { 3 } else { 0 })
    });
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::GlitchFollowed { glitch: 3, .. }))
    );
    let s = tr.summary();
    assert_eq!((s.glitches_seen, s.glitches_corrected), (1, 0));
    assert!(s.accuracy.unwrap() < 0.8);
}

#[test]
fn a_short_visit_to_the_glitch_memory_is_following_it() {
    // 0.3 s on 3: past the readout's 0.2-s debounce, so the model moved there.
    let mut tr = Tracker::default();
    feed(&mut tr, 12.0, glitchy, |t| {
        Some(if (4.6..4.9).contains(&t) { 3 } else { 0 })
    });
    let s = tr.summary();
    assert_eq!(
        (s.glitches_seen, s.glitches_corrected, s.glitches_followed),
        (1, 0, 1)
    );
}

#[test]
fn flicker_toward_the_glitch_memory_below_the_debounce_is_not_a_move() {
    let mut tr = Tracker::default();
    feed(&mut tr, 12.0, glitchy, |t| {
        Some(if (4.6..4.7).contains(&t) { 3 } else { 0 })
    });
    let s = tr.summary();
    assert_eq!(
        (s.glitches_seen, s.glitches_corrected, s.glitches_followed),
        (1, 1, 0)
    );
}

#[test]
fn confusion_and_divergence_are_reported_once() {
    let mut tr = Tracker::default();
    let events = feed(&mut tr, 6.0, two_holds, |t| (t < 3.0).then_some(0));
    assert!(matches!(events.last(), Some(Event::Confusion { .. })));
    let overlaps = [0.0f32; 4];
    let obs = Observation {
        time_secs: 6.0,
        step_secs: DT,
        truth: Some(0),
        glitch: false,
        retrieved: None,
        overlaps: &overlaps,
        diverged: true,
    };
    assert_eq!(tr.observe(&obs), vec![Event::Diverged { time_secs: 6.0 }]);
    assert!(tr.observe(&obs).is_empty());
    assert!(tr.summary().diverged);
}

/// A stimulus that shows `truth` throughout, with no glitch.
fn hold(truth: Option<usize>) -> impl Fn(f64) -> (Option<usize>, bool) {
    move |_| (truth, false)
}

#[test]
fn a_renamed_memory_set_keeps_the_tracking_going() {
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (old, new) = (names(&["a", "b", "c"]), names(&["c", "a"]));
    let mut tr = Tracker::default();
    let before = feed_span(&mut tr, (0.0, 5.0), hold(Some(0)), |_| Some(0));
    assert_eq!(before.len(), 1, "{before:?}");
    tr.rename(&old, &new);
    assert_eq!((tr.expected(), tr.retrieved()), (Some(1), Some(1)));
    // "a" is now memory 1: nothing new happened, so nothing is reported.
    let same = feed_span(&mut tr, (5.0, 8.0), hold(Some(1)), |_| Some(1));
    assert!(same.is_empty(), "{same:?}");
    // A real change to "c" (memory 0 now), followed after 1 s.
    let change = feed_span(&mut tr, (8.0, 12.0), hold(Some(0)), |t| {
        Some(if t < 9.0 { 1 } else { 0 })
    });
    assert!(
        matches!(change.as_slice(), [
                Event::Transition { from: 1, to: 0, .. },
                Event::Retrieved { memory: 0, latency_secs, .. },
            ] if (latency_secs - 1.0).abs() < 0.02),
        "{change:?}"
    );
    let s = tr.summary();
    assert_eq!((s.changes, s.retrievals, s.missed), (2, 2, 0));
}

#[test]
fn a_memory_removed_while_awaited_is_not_a_miss() {
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut tr = Tracker::default();
    feed_span(&mut tr, (0.0, 3.0), hold(Some(1)), |_| Some(0));
    tr.rename(&names(&["a", "b"]), &names(&["a"]));
    assert_eq!((tr.expected(), tr.retrieved()), (None, Some(0)));
    tr.finish();
    assert_eq!(tr.summary().missed, 0);
}

#[test]
fn a_candidate_removed_by_a_reload_starts_its_dwell_again() {
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut tr = Tracker::default();
    // a is retrieved; from 1.0 s the readout moves to b, which is removed at 1.1 s; from then on
    // the readout is nothing. Confusion needs the full 0.2-s dwell after the removal.
    feed_span(&mut tr, (0.0, 1.0), hold(Some(0)), |_| Some(0));
    feed_span(&mut tr, (1.0, 1.1), hold(Some(0)), |_| Some(1));
    tr.rename(&names(&["a", "b"]), &names(&["a"]));
    let events = feed_span(&mut tr, (1.1, 2.0), hold(Some(0)), |_| None);
    let confusion: Vec<f64> = events
        .iter()
        .filter_map(|e| match e {
            Event::Confusion { time_secs } => Some(*time_secs),
            _ => None,
        })
        .collect();
    assert_eq!(confusion.len(), 1, "{events:?}");
    assert!(confusion[0] >= 1.29, "confusion at {} s", confusion[0]);
}

/// The outcome counts (corrected, followed, not tracking) after `glitchy` with `readout`.
fn glitch_outcome(readout: impl Fn(f64) -> Option<usize>) -> (usize, usize, usize, Vec<Event>) {
    let mut tr = Tracker::default();
    let events = feed(&mut tr, 12.0, glitchy, readout);
    let s = tr.summary();
    assert_eq!(s.glitches_seen, 1);
    (
        s.glitches_corrected,
        s.glitches_followed,
        s.glitches_not_tracking,
        events,
    )
}

#[test]
fn a_confused_network_corrects_no_glitch() {
    let (corrected, followed, not_tracking, events) = glitch_outcome(|_| None);
    assert_eq!((corrected, followed, not_tracking), (0, 0, 1));
    assert!(events.contains(&Event::GlitchNotTracking {
        time_secs: 7.0,
        glitch: 3,
        glitch_secs: 4.0,
        held: Some(0)
    }));
}

#[test]
fn a_network_on_a_third_memory_corrects_no_glitch() {
    let (corrected, followed, not_tracking, _) = glitch_outcome(|_| Some(2));
    assert_eq!((corrected, followed, not_tracking), (0, 0, 1));
}

#[test]
fn a_network_that_loses_the_held_memory_in_the_glitch_corrects_nothing() {
    // On 0 before, confused from the glitch on: it never moved to 3, but it was not
    // back on 0 either.
    let (corrected, followed, not_tracking, _) = glitch_outcome(|t| (t < 4.0).then_some(0));
    assert_eq!((corrected, followed, not_tracking), (0, 0, 1));
}

#[test]
fn a_network_that_arrives_on_the_held_memory_only_after_the_glitch_corrects_nothing() {
    // It was not on 0 when the glitch began (still confused), so there was nothing to hold.
    let (corrected, followed, not_tracking, _) = glitch_outcome(|t| (t >= 5.0).then_some(0));
    assert_eq!((corrected, followed, not_tracking), (0, 0, 1));
}

#[test]
fn every_glitch_gets_exactly_one_outcome() {
    for readout in [
        (|_| Some(0)) as fn(f64) -> Option<usize>,
        |t| Some(if (4.2..6.5).contains(&t) { 3 } else { 0 }),
        |_| None,
        |_| Some(1),
    ] {
        let (c, f, n, _) = glitch_outcome(readout);
        assert_eq!(c + f + n, 1);
    }
}

#[test]
fn retrievals_on_the_mirror_are_named_and_counted() {
    let mut tr = Tracker::default();
    let mut events = Vec::new();
    for k in 0..1000 {
        let t = k as f64 * DT;
        // The state sits on −ξ₀ (overlap −0.9) from 1 s on.
        let retrieved = (t >= 1.0).then_some(0);
        let overlaps = [if t >= 1.0 { -0.9 } else { 0.0 }, 0.0];
        events.extend(tr.observe(&Observation {
            time_secs: t,
            step_secs: DT,
            truth: Some(0),
            glitch: false,
            retrieved,
            overlaps: &overlaps,
            diverged: false,
        }));
    }
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Retrieved { mirror: true, .. })),
        "{events:?}"
    );
    assert_eq!(tr.summary().mirror_fraction, Some(1.0));
    assert!(events[0].describe(&["cat".into()]).contains("mirror"));
}

#[test]
fn the_observed_time_is_counted_in_steps() {
    // 12,000 steps of 0.01 s are 120 s (a sum of the times' differences gives 119.99).
    let mut tr = Tracker::default();
    feed(&mut tr, 120.0, hold(Some(0)), |_| Some(0));
    assert_eq!(tr.summary().duration_secs, 120.0);
}

#[test]
fn a_model_on_the_memory_already_when_the_input_comes_to_it_is_not_said_to_retrieve_it() {
    // The stream holds 0, then 1 from 5 s; the model has been on 1 since 3 s (it followed a
    // glitch there, say). The user trial read "retrieved heart after 0.0 s" as a retrieval.
    let mut tr = Tracker::default();
    let stream = |t: f64| (Some(usize::from(t >= 5.0)), false);
    let events = feed(&mut tr, 8.0, stream, |t| Some(usize::from(t >= 3.0)));
    let at_change: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e, Event::Retrieved { memory: 1, .. }))
        .collect();
    assert_eq!(at_change.len(), 1, "{events:?}");
    let Event::Retrieved {
        latency_secs,
        already,
        ..
    } = at_change[0]
    else {
        unreachable!()
    };
    assert_eq!((*latency_secs, *already), (0.0, true));
    let names = ["cat", "heart"].map(String::from);
    assert_eq!(
        at_change[0].describe(&names),
        "on heart already as the input came to it"
    );
    // It still counts as a change answered (its latency 0), beside the first change's.
    let s = tr.summary();
    assert_eq!((s.changes, s.retrievals), (2, 2));
    // A retrieval that takes time is worded as before.
    let mut tr = Tracker::default();
    let events = feed(&mut tr, 8.0, stream, |t| Some(usize::from(t >= 6.0)));
    let late = events
        .iter()
        .find(|e| matches!(e, Event::Retrieved { memory: 1, .. }))
        .unwrap();
    assert!(
        late.describe(&names)
            .starts_with("retrieved heart after 1."),
        "{late:?}"
    );
}

#[test]
fn a_retrieval_out_of_confusion_is_timed_from_when_the_model_last_had_to_retrieve_it() {
    // The user trial: confused before a glitch, the model fell onto the glitch's memory 0.1 s
    // into it, and the log said "retrieved … after 8.1 s", timed from the start of the held
    // memory's stretch. Here: on 0 until 2 s, confused, on the glitch's 3 from 4.1 s (the
    // glitch is 4–5 s), confused again from 5.5 s, back on 0 from 6 s.
    let mut tr = Tracker::default();
    let events = feed(&mut tr, 12.0, glitchy, |t| {
        if t < 2.0 {
            Some(0)
        } else if t < 4.1 {
            None
        } else if t < 5.5 {
            Some(3)
        } else if t < 6.0 {
            None
        } else {
            Some(0)
        }
    });
    let lines: Vec<String> = events
        .iter()
        .filter(|e| matches!(e, Event::Retrieved { .. }))
        .map(|e| e.describe(&[]))
        .collect();
    assert_eq!(
        lines,
        [
            "retrieved #0 after 0.0 s",
            // From the glitch's start (4.0 s), not from the stream's change to 0 (0 s).
            "retrieved #3 after 0.1 s",
            // From the loss at 5.5 s (later than the glitch's end at 5.0 s), not from 0 s.
            "retrieved #0 after 0.5 s",
        ],
        "{events:?}"
    );
    // Out of confusion onto a memory the input does not show: no latency to claim, and the
    // line names what the input shows.
    let mut tr = Tracker::default();
    let events = feed(&mut tr, 3.0, hold(Some(0)), |t| (t >= 1.0).then_some(2));
    assert!(
        matches!(
            events.as_slice(),
            [Event::Retrieved { memory: 2, latency_secs, input_memory: Some(Some(0)), .. }]
                if *latency_secs == 0.0
        ),
        "{events:?}"
    );
    assert_eq!(
        events[0].describe(&["cat", "b", "tree"].map(String::from)),
        "on tree while the input shows cat"
    );
    // A retrieval is judged by where it began: onto the glitch's memory 0.1 s before the
    // glitch ends (4.9 s; confirmed 0.2 s later, after the end) is a retrieval of what the
    // input showed, timed from the glitch's start.
    let mut tr = Tracker::default();
    let events = feed(&mut tr, 8.0, glitchy, |t| {
        if t < 2.0 {
            Some(0)
        } else if t < 4.9 {
            None
        } else {
            Some(3)
        }
    });
    let late = events
        .iter()
        .find(|e| matches!(e, Event::Retrieved { memory: 3, .. }))
        .expect("a retrieval of the glitch's memory");
    assert_eq!(late.describe(&[]), "retrieved #3 after 0.9 s", "{events:?}");
    // Back on the held memory beneath a glitch (the model lost it at 4.2 s, into the glitch,
    // and found it again at 4.5 s): what the model should show, timed from the loss.
    let mut tr = Tracker::default();
    let events = feed(&mut tr, 8.0, glitchy, |t| {
        (!(4.2..4.5).contains(&t)).then_some(0)
    });
    let back = events
        .iter()
        .filter(|e| matches!(e, Event::Retrieved { .. }))
        .map(|e| e.describe(&[]))
        .collect::<Vec<_>>();
    assert_eq!(
        back,
        ["retrieved #0 after 0.0 s", "retrieved #0 after 0.3 s"],
        "{events:?}"
    );
    // The first retrieval after a change is timed from the change, a loss after it aside:
    // a change to 1 at 10 s, the model lost at 11 s, on 1 at 12 s: 2.0 s.
    let mut tr = Tracker::default();
    let stream = |t: f64| (Some(if t < 10.0 { 0 } else { 1 }), false);
    let events = feed(&mut tr, 14.0, stream, |t| {
        if t < 11.0 {
            Some(0)
        } else if t < 12.0 {
            None
        } else {
            Some(1)
        }
    });
    let first = events
        .iter()
        .find(|e| matches!(e, Event::Retrieved { memory: 1, .. }))
        .expect("a retrieval of 1");
    assert_eq!(
        first.describe(&[]),
        "retrieved #1 after 2.0 s",
        "{events:?}"
    );
}
