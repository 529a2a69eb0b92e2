//! Fixed, synthetic snapshots (no simulation, no clock) for the view tests and the render
//! benchmark: the same bytes every time, whatever the model and stimulus code do.

use std::sync::Arc;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::model::landscape::View;
use crate::model::{Memories, ModelKind, Network, Params};
use crate::pipeline::landscape::LandscapeCache;
use crate::pipeline::{LogEntry, LogKind, ModelView, Snapshot, Source, Status};
use crate::stimulus::ScenarioName;

/// The fixture's story order of the built-in pictures (cat first, dog second): the snapshots
/// tell a story by memory id, whatever order the built-in set itself has.
const STORY_ORDER: [&str; 10] = [
    "cat", "dog", "house", "tree", "fish", "bird", "star", "heart", "sun", "key",
];

/// The built-in pictures in the story's order (ten 32×32 pictures: cat, dog, house, tree, fish,
/// bird, star, heart, sun, key), and `extra` more random ones named `extra1`, `extra2`, ….
pub fn memories_with(extra: usize) -> Arc<Memories> {
    let builtin = crate::patterns::builtin();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
    let mut patterns: Vec<(String, Vec<f32>)> = STORY_ORDER
        .iter()
        .filter_map(|name| builtin.index_of(name))
        .map(|mu| (builtin.names()[mu].clone(), builtin.memory(mu).to_vec()))
        .collect();
    for k in 0..extra {
        let px = (0..builtin.n())
            .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
            .collect();
        patterns.push((format!("extra{}", k + 1), px));
    }
    // Sizes and values are valid by construction.
    Arc::new(
        Memories::new(builtin.width(), builtin.height(), patterns)
            .unwrap_or_else(|e| unreachable!("fixture: {e}")),
    )
}

/// The built-in pictures in the story's order.
pub fn memories() -> Arc<Memories> {
    memories_with(0)
}

/// `memory` with every pixel whose index hashes below `fraction` flipped, scaled by `scale`.
fn noisy(memory: &[f32], fraction: f32, salt: u64, scale: f32) -> Vec<f32> {
    memory
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let h = (i as u64 ^ salt).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
            let flip = (h as f32 / (1u64 << 24) as f32) < fraction;
            if flip { -v * scale } else { v * scale }
        })
        .collect()
}

/// The landscape of a `kind` network shown mostly cat (the fixture's saliencies as input), its
/// state near cat.
fn landscape(memories: &Arc<Memories>, kind: ModelKind) -> Option<View> {
    let p = memories.p();
    let alpha: Vec<f32> = (0..p)
        .map(|mu| if mu == 0 { 0.92 } else { 0.03 * mu as f32 })
        .collect();
    let mix = |coef: &dyn Fn(usize) -> f32| -> Vec<f32> {
        (0..memories.n())
            .map(|i| (0..p).map(|mu| coef(mu) * memories.memory(mu)[i]).sum())
            .collect()
    };
    let mut net = Network::new(memories.clone(), kind, Params::default(), 1).ok()?;
    net.set_input(&mix(&|mu| alpha[mu]), true).ok()?;
    net.set_state(&mix(&|mu| match mu {
        0 => 0.7,
        7 => 0.1,
        _ => 0.0,
    }))
    .ok()?;
    LandscapeCache::default().view(&net, None)
}

/// The truth at time `t` of the fixture's story: cat, a 2-s glitch to dog at 32 s, cat again.
fn truth_at(t: f64) -> usize {
    if (32.0..34.0).contains(&t) { 1 } else { 0 }
}

/// A snapshot at t = 47.3 s of `models` (the first is primary) on the built-in set: the first
/// model held cat through a glitch to dog at 32 s; later models followed the glitch.
pub fn snapshot(models: &[ModelKind]) -> Snapshot {
    snapshot_of(memories(), models, false)
}

/// A snapshot of `models` on `memories` (cat first, dog second): at t = 47.3 s, or with
/// `in_glitch` at t = 33.0 s, inside the glitch to dog, when the first model holds cat (the
/// memory the stream holds) and the others have followed the glitch to dog.
pub fn snapshot_of(memories: Arc<Memories>, models: &[ModelKind], in_glitch: bool) -> Snapshot {
    let p = memories.p();
    let now = if in_glitch { 33.0 } else { 47.3 };
    let times: Vec<f64> = (0..300).map(|i| now - 29.9 + 0.1 * f64::from(i)).collect();
    let views = models
        .iter()
        .enumerate()
        .map(|(k, &kind)| {
            let follows_glitch = k > 0;
            let target = if in_glitch && follows_glitch { 1 } else { 0 };
            let activation = noisy(
                memories.memory(target),
                0.04 + 0.06 * k as f32,
                k as u64,
                0.9,
            );
            let n = activation.len() as f32;
            let overlaps: Vec<f32> = (0..p)
                .map(|mu| {
                    memories
                        .memory(mu)
                        .iter()
                        .zip(&activation)
                        .map(|(a, b)| a * b)
                        .sum::<f32>()
                        / n
                })
                .collect();
            let overlap_history = (0..p)
                .map(|mu| {
                    times
                        .iter()
                        .map(|&t| {
                            let wobble = 0.03 * ((t * 1.7 + mu as f64).sin() as f32);
                            let glitching = follows_glitch && (32.5..35.5).contains(&t);
                            match (mu, glitching) {
                                (0, false) => 0.9 + wobble,
                                (0, true) => 0.15 + wobble,
                                (1, true) => 0.85 + wobble,
                                _ => 0.08 + wobble,
                            }
                        })
                        .collect()
                })
                .collect();
            let energy_history = times
                .iter()
                .map(|&t| {
                    -280.0
                        + 40.0 * k as f64
                        + 15.0 * (t * 0.9).sin()
                        + if (32.0..34.0).contains(&t) { 60.0 } else { 0.0 }
                })
                .collect();
            let saliencies: Vec<f32> = (0..p)
                .map(|mu| if mu == 0 { 0.92 } else { 0.03 * mu as f32 })
                .collect();
            let weights = if kind.is_idp() {
                saliencies.clone()
            } else {
                vec![1.0; p]
            };
            let w64: Vec<f64> = weights.iter().map(|&w| f64::from(w)).collect();
            ModelView {
                kind,
                activation_mean: activation.clone(),
                activation,
                overlaps,
                saliencies,
                // The closed forms with the zero diagonal, as before a solve comes back
                // (approximate: the built-in memories overlap).
                theory: crate::model::TheoryReport {
                    approximate: true,
                    ..crate::model::theory::analyse_orthogonal(
                        &w64,
                        10.0,
                        crate::model::Diagonal::new(true, memories.n()),
                    )
                },
                theory_solved: false,
                theory_current: false,
                theory_time_secs: None,
                theory_current_at_secs: None,
                theory_unsolved: None,
                weights,
                energy: -291.5 + 40.0 * k as f64,
                retrieved: Some(target),
                // The stream holds cat, glitch or not.
                expected: Some(0),
                accuracy: Some(if follows_glitch { 0.81 } else { 0.97 }),
                overlap_history,
                energy_history,
            }
        })
        .collect();
    let shown = if in_glitch { 1 } else { 0 };
    Snapshot {
        seq: 473,
        time_secs: now,
        steps: (now * 100.0).round() as u64,
        input_image: noisy(memories.memory(shown), 0.05, 99, 1.0),
        truth: Some(shown),
        glitch: in_glitch,
        label: if in_glitch {
            "glitch: dog".into()
        } else {
            "hold cat".into()
        },
        landscape: models.first().and_then(|&kind| landscape(&memories, kind)),
        models: views,
        history_truth: times.iter().map(|&t| Some(truth_at(t))).collect(),
        history_times_secs: times,
        status: Status {
            scenario: ScenarioName::Glitch,
            noise_std: 2.0,
            dt_secs: 0.01,
            speed: 1.0,
            seed: 7,
            n: memories.n(),
            p,
            steps_per_sec: 100.0,
            paused: false,
            speed_reached: None,
            pattern_errors: Vec::new(),
            tau_alpha_secs: 2.0,
        },
        memories,
        finished: false,
        density: None,
        lesson: None,
    }
}

/// A few log lines of the fixture's story (a stimulus change writes a transition and the
/// retrieval at the same instant).
pub fn log() -> Vec<LogEntry> {
    let line = |time_secs, source, kind, text: &str| LogEntry {
        who: None,
        time_secs,
        source,
        kind,
        text: text.to_string(),
    };
    vec![
        line(
            1.8,
            Source::Model(ModelKind::Idp),
            LogKind::Retrieved,
            "retrieved cat after 1.8 s",
        ),
        line(
            12.4,
            Source::Model(ModelKind::Idp),
            LogKind::Transition,
            "cat → tree",
        ),
        line(
            12.4,
            Source::Model(ModelKind::Idp),
            LogKind::Retrieved,
            "retrieved tree after 2.4 s",
        ),
        line(
            20.1,
            Source::Model(ModelKind::Idp),
            LogKind::Retrieved,
            "retrieved cat after 3.1 s",
        ),
        line(32.0, Source::User, LogKind::Info, "glitch injected"),
        line(
            33.1,
            Source::Model(ModelKind::ClassicPulsed),
            LogKind::Transition,
            "cat → dog",
        ),
        line(
            34.0,
            Source::Model(ModelKind::Idp),
            LogKind::GlitchCorrected,
            "glitch to dog at 32.0 s corrected",
        ),
        line(
            34.0,
            Source::Model(ModelKind::ClassicPulsed),
            LogKind::GlitchFollowed,
            "glitch to dog at 32.0 s followed",
        ),
        line(
            36.2,
            Source::Model(ModelKind::ClassicPulsed),
            LogKind::Transition,
            "dog → cat",
        ),
    ]
}

/// A dashboard (colour, 15 frames a second) showing the density view `view` of
/// `--scenario density`, as the density views' tests draw it.
pub fn density_app(view: crate::pipeline::density::DensityView) -> crate::ui::App {
    density_app_with(view, |_| {})
}

/// [`density_app`], its snapshot edited (a lesson's caption added, say) before it is shown.
pub fn density_app_with(
    view: crate::pipeline::density::DensityView,
    edit: impl FnOnce(&mut crate::pipeline::Snapshot),
) -> crate::ui::App {
    use crate::ui::{App, Msg, Theme};
    let mut app = App::new(
        Theme {
            color: true,
            ascii: false,
        },
        ModelKind::Idp,
        None,
        ScenarioName::Density,
        2.0,
        1.0,
    );
    let mut snap = snapshot(&[ModelKind::Idp]);
    snap.status.scenario = ScenarioName::Density;
    snap.density = Some(Arc::new(view));
    edit(&mut snap);
    app.update(Msg::Snapshot(Box::new(snap)));
    app.update(Msg::FrameRate(15.0));
    app
}
