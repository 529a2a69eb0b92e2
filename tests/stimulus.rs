//! Stimulus streams: determinism per seed, and every segment kind shows what it says.

use std::sync::Arc;

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use recall::model::Memories;
use recall::stimulus::{Mask, ScenarioName, Segment, SegmentKind, Stream, StreamConfig, scenario};

fn memories(seed: u64) -> Arc<Memories> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    Arc::new(Memories::random(32, 32, 6, &mut rng))
}

fn clean() -> StreamConfig {
    StreamConfig {
        flip_prob: 0.0,
        pixel_noise_std: 0.0,
        ..StreamConfig::default()
    }
}

fn overlap(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| f64::from(x * y)).sum::<f64>() / a.len() as f64
}

#[test]
fn same_seed_same_frames_other_seed_other_frames() {
    let config = StreamConfig {
        pixel_noise_std: 0.3,
        ..StreamConfig::default()
    };
    for name in ScenarioName::ALL {
        let mut a = Stream::new(name, memories(1), config.clone(), 42);
        let mut b = Stream::new(name, memories(1), config.clone(), 42);
        let mut c = Stream::new(name, memories(1), config.clone(), 43);
        let mut differs = false;
        for _ in 0..600 {
            let (fa, fb, fc) = (a.next_frame(), b.next_frame(), c.next_frame());
            assert_eq!(fa, fb, "{name}");
            differs |= fa.image != fc.image;
        }
        assert!(differs, "{name}: seeds 42 and 43 gave the same stream");
    }
}

#[test]
fn frames_carry_time_gain_and_changes() {
    let config = StreamConfig {
        input_gain: 3.0,
        ..clean()
    };
    let mut s = Stream::new(ScenarioName::Glitch, memories(2), config, 7);
    let frames: Vec<_> = (0..250).map(|_| s.next_frame()).collect();
    for (k, f) in frames.iter().enumerate() {
        assert!((f.time_secs - k as f64 * 0.1).abs() < 1e-9);
        for (u, v) in f.input.iter().zip(&f.image) {
            assert_eq!(*u, 3.0 * v);
        }
        let prev = k.checked_sub(1).map(|j| frames[j].truth);
        if prev.is_some_and(|p| p != f.truth) {
            assert!(f.changed, "truth changed at frame {k} without `changed`");
        }
    }
    // The paper's schedule: A [0,8), B [8,10) glitch, A [10,15), B [15,19), C [19,25).
    let at = |secs: f64| &frames[(secs * 10.0).round() as usize];
    let (a, b, c) = (at(0.0).truth, at(8.0).truth, at(19.0).truth);
    assert!(a.is_some() && b.is_some() && c.is_some());
    assert!(a != b && b != c && a != c);
    assert!(!at(7.9).glitch && at(8.0).glitch && at(9.9).glitch && !at(10.0).glitch);
    assert_eq!(at(12.0).truth, a);
    assert_eq!(at(15.0).truth, b);
    assert!(!at(15.0).glitch && at(15.0).changed && at(19.0).changed);
    let changes: Vec<f64> = frames
        .iter()
        .filter(|f| f.changed)
        .map(|f| f.time_secs)
        .collect();
    let want = [0.0, 8.0, 10.0, 15.0, 19.0];
    assert_eq!(changes.len(), want.len(), "{changes:?}");
    for (got, want) in changes.iter().zip(want) {
        assert!((got - want).abs() < 1e-6, "{changes:?}");
    }
}

#[test]
fn morphs_fall_from_a_and_rise_to_b_monotonically() {
    let mem = memories(3);
    let (a, b) = (0, 1);
    let ranks: Arc<[f32]> = (0..mem.n())
        .map(|i| ((i * 7919) % 1024) as f32 / 1024.0)
        .collect();
    for kind in [
        SegmentKind::Crossfade { from: a, to: b },
        SegmentKind::PixelMorph {
            from: a,
            to: b,
            ranks,
        },
    ] {
        let seg = Segment::new(kind, 4.0);
        let mut img = vec![0.0; mem.n()];
        let mut last = (f64::INFINITY, f64::NEG_INFINITY);
        let mut truths = Vec::new();
        for k in 0..=40 {
            let shown = seg.render(&mem, k as f64 * 0.1, &mut img);
            truths.push(shown.truth);
            let (ma, mb) = (overlap(&img, mem.memory(a)), overlap(&img, mem.memory(b)));
            assert!(
                ma <= last.0 + 1e-9 && mb >= last.1 - 1e-9,
                "step {k}: {ma} {mb}"
            );
            last = (ma, mb);
        }
        assert!(
            (overlap(
                &{
                    seg.render(&mem, 0.0, &mut img);
                    img.clone()
                },
                mem.memory(a)
            ) - 1.0)
                .abs()
                < 1e-6
        );
        assert!((last.1 - 1.0).abs() < 1e-6, "the morph ends on B");
        assert_eq!(truths[0], Some(a));
        assert_eq!(truths[40], Some(b));
    }
}

#[test]
fn partial_cues_are_zero_outside_their_window() {
    let mem = memories(4);
    let mask = Mask::Window {
        col: 4,
        row: 8,
        width: 10,
        height: 6,
    };
    let seg = Segment::new(SegmentKind::Partial { memory: 2, mask }, 5.0);
    let mut img = vec![9.0; mem.n()];
    let shown = seg.render(&mem, 1.0, &mut img);
    assert_eq!(shown.truth, Some(2));
    for (i, &v) in img.iter().enumerate() {
        let (c, r) = (i % 32, i / 32);
        if (4..14).contains(&c) && (8..14).contains(&r) {
            assert_eq!(v, mem.memory(2)[i]);
        } else {
            assert_eq!(v, 0.0, "pixel ({c}, {r})");
        }
    }
    // A random 40 % of the pixels.
    let ranks: Arc<[f32]> = (0..mem.n()).map(|i| (i % 10) as f32 / 10.0).collect();
    let mask = Mask::Fraction {
        fraction: 0.4,
        ranks,
    };
    let seg = Segment::new(SegmentKind::Partial { memory: 1, mask }, 5.0);
    seg.render(&mem, 0.0, &mut img);
    let visible = img.iter().filter(|v| **v != 0.0).count();
    let want = (0..mem.n()).filter(|i| i % 10 < 4).count();
    assert_eq!(visible, want);
}

#[test]
fn mixtures_are_dominated_by_their_largest_gain() {
    let mem = memories(5);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    for dominant in 0..mem.p() {
        let gains =
            scenario::mixture_gains(mem.p(), dominant, Some((dominant + 1) % 6), &mut rng, 1.0);
        let seg = Segment::new(SegmentKind::Mixture { gains }, 10.0);
        let mut img = vec![0.0; mem.n()];
        assert_eq!(seg.render(&mem, 0.0, &mut img).truth, Some(dominant));
        let ov: Vec<f64> = (0..mem.p())
            .map(|mu| overlap(&img, mem.memory(mu)))
            .collect();
        let best = (0..mem.p()).max_by(|&x, &y| ov[x].total_cmp(&ov[y]));
        assert_eq!(best, Some(dominant), "{ov:?}");
    }
    // The paper's normalisation: the gains sum to √(P·N).
    let gains = scenario::mixture_gains(10, 3, Some(4), &mut rng, (10.0f64 * 1024.0).sqrt());
    let sum: f32 = gains.iter().map(|g| g.1).sum();
    assert!((sum - 101.19).abs() < 0.01, "{sum}");
}

#[test]
fn glitches_switch_briefly_and_come_back() {
    let mem = memories(6);
    let seg = Segment::new(
        SegmentKind::Glitch {
            memory: 0,
            glitch: 3,
            at_secs: 2.0,
            glitch_secs: 1.0,
        },
        5.0,
    );
    let mut img = vec![0.0; mem.n()];
    for (t, truth, glitch) in [
        (1.9, 0, false),
        (2.0, 3, true),
        (2.9, 3, true),
        (3.0, 0, false),
    ] {
        let shown = seg.render(&mem, t, &mut img);
        assert_eq!(
            (shown.truth, shown.glitch),
            (Some(truth), glitch),
            "t = {t}"
        );
        assert_eq!(img, mem.memory(truth));
    }
}

#[test]
fn injected_glitches_flash_another_memory_then_return() {
    let mut s = Stream::new(ScenarioName::NoiseRamp, memories(7), clean(), 1);
    let before = s.next_frame().truth;
    let g = s.inject_glitch();
    assert!(g.is_some() && g != before);
    let during: Vec<_> = (0..10).map(|_| s.next_frame()).collect();
    assert!(during.iter().all(|f| f.glitch && f.truth == g));
    assert!(during[0].changed);
    let after = s.next_frame();
    assert!(!after.glitch && after.changed && after.truth == before);
}

#[test]
fn noise_flips_pixels_at_the_asked_rate() {
    let wrong_fraction = |f: &recall::stimulus::Frame, mem: &Memories| {
        let mu = f.truth.unwrap_or(0);
        let wrong = f
            .image
            .iter()
            .zip(mem.memory(mu))
            .filter(|(a, b)| a != b)
            .count();
        wrong as f64 / mem.n() as f64
    };
    let mem = memories(8);
    let config = StreamConfig {
        flip_prob: 0.2,
        ..clean()
    };
    let mut s = Stream::new(ScenarioName::Glitch, mem.clone(), config, 3);
    let mean = (0..50)
        .map(|_| wrong_fraction(&s.next_frame(), &mem))
        .sum::<f64>()
        / 50.0;
    assert!((mean - 0.2).abs() < 0.01, "{mean}");
    // The noise ramp: flips rise from 0 towards 45 % over each hold.
    let mut ramp = Stream::new(ScenarioName::NoiseRamp, mem.clone(), clean(), 3);
    let frames: Vec<_> = (0..150).map(|_| ramp.next_frame()).collect();
    let early = frames[..10]
        .iter()
        .map(|f| wrong_fraction(f, &mem))
        .sum::<f64>()
        / 10.0;
    let late = frames[140..]
        .iter()
        .map(|f| wrong_fraction(f, &mem))
        .sum::<f64>()
        / 10.0;
    assert!(early < 0.03 && late > 0.38, "early {early}, late {late}");
}

#[test]
fn skip_moves_to_the_next_segment() {
    let mut s = Stream::new(ScenarioName::Mixed, memories(9), clean(), 5);
    let first = s.next_frame();
    s.skip_to_next();
    let next = s.next_frame();
    assert!(next.changed && next.truth != first.truth);
}

#[test]
fn a_glitch_segments_label_says_when_the_glitch_comes_while_and_after() {
    // The paper's schedule: A [0,8), a glitch to B [8,10), A [10,15). The label said "hold A
    // (glitch to B)" for all 15 s, before and after the glitch too.
    let mut s = Stream::new(ScenarioName::Glitch, memories(2), clean(), 7);
    let frames: Vec<_> = (0..150).map(|_| s.next_frame()).collect();
    let label = |secs: f64| frames[(secs * 10.0).round() as usize].label.clone();
    let before = label(7.9);
    assert!(
        before.starts_with("hold ")
            && before.contains("(glitch to ")
            && before.ends_with(" at 8.0 s)"),
        "{before}"
    );
    for during in [8.0, 9.9] {
        assert!(label(during).starts_with("glitch to "), "{}", label(during));
    }
    let after = label(10.0);
    assert!(after.contains("(after a glitch to "), "{after}");
}
