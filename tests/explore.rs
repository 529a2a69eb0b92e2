//! The `explore` scenario: the arrows set the saliencies, and in each of the four regimes of
//! the paper's Fig. 2 the equilibria the dashboard names are where a noise-free network settles.

use std::sync::Arc;

use rand::SeedableRng;
use rand_distr::Distribution;
use recall::model::{Memories, ModelKind, Network, Params};
use recall::pipeline::Control;
use recall::stimulus::ScenarioName;
use recall::stimulus::StreamConfig;
use recall::stimulus::held::{Held, HeldInput};
use recall::ui::theory::{Regime, Standing};
use recall::ui::{App, Intent, Msg, Theme, fixture};

/// A noise-free IDP network on the built-in set (the dashboard's defaults otherwise) whose
/// input gives exactly `alpha` (as explore makes it), started at `start`.
fn network(alpha: &[f64], start: &[f32]) -> Network {
    let mem = Arc::new(recall::patterns::builtin());
    let params = Params {
        noise_std: 0.0,
        ..Params::default()
    };
    let mut net = Network::new(Arc::clone(&mem), ModelKind::Idp, params, 1).unwrap();
    let mut held = Held::new(
        HeldInput::Saliencies(alpha.to_vec()),
        StreamConfig::default(),
        1,
    );
    let frame = held.frame(&mem, 0.0);
    net.set_input(&frame.input, true).unwrap();
    net.set_state(start).unwrap();
    net
}

/// γ·ξ_μ plus a small random push (so that a saddle is left).
fn near(mem: &Memories, mu: Option<usize>, gamma: f32, seed: u64) -> Vec<f32> {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..mem.n())
        .map(|i| {
            let base = mu.map_or(0.0, |m| gamma * mem.memory(m)[i]);
            base + 0.01 * Distribution::<f32>::sample(&rand_distr::StandardNormal, &mut rng)
        })
        .collect()
}

/// Where the noise-free network is after `secs` from `start`: |m| of every memory.
fn settle(alpha: &[f64], start: &[f32], secs: f64) -> Vec<f32> {
    let mut net = network(alpha, start);
    net.run((secs / 0.01) as usize).unwrap();
    net.overlaps().iter().map(|m| m.abs()).collect()
}

fn alphas(first: f64, second: f64) -> Vec<f64> {
    let mut a = vec![0.0; 10];
    a[0] = first;
    a[1] = second;
    a
}

/// The regime the dashboard names for these saliencies (the primary model's solved theory).
fn regime(alpha: &[f64]) -> (Regime, Standing, Standing) {
    let mem = recall::patterns::builtin();
    let net = network(alpha, &near(&mem, None, 0.0, 1));
    // The dashboard's theory: the equilibria solved for the running network.
    let report = recall::model::TheoryInput::of(&net)
        .solve()
        .report()
        .expect("continuous");
    let r = Regime::of(&report, net.saliencies(), net.kind()).expect("a regime");
    (r, Standing::of(&report, 0), Standing::of(&report, 1))
}

#[test]
fn no_memory_the_state_falls_to_the_origin() {
    let a = alphas(0.05, 0.03);
    assert_eq!(regime(&a).0, Regime::NoMemory { a: 0 });
    let mem = recall::patterns::builtin();
    let end = settle(&a, &near(&mem, Some(0), 1.0, 2), 20.0);
    assert!(end.iter().all(|&m| m < 0.05), "{end:?}");
}

#[test]
fn one_memory_its_well_holds_and_the_origin_is_left() {
    let a = alphas(0.3, 0.05);
    let (r, first, second) = regime(&a);
    assert_eq!(r, Regime::OneMemory { a: 0 });
    assert_eq!((first, second), (Standing::Well, Standing::Absent));
    let mem = recall::patterns::builtin();
    assert!(settle(&a, &near(&mem, Some(0), 0.3, 3), 20.0)[0] > 0.9);
    // From (almost) the origin the state leaves it for ±ξ_a.
    assert!(settle(&a, &near(&mem, None, 0.0, 4), 40.0)[0] > 0.9);
    // Started on the second memory (no equilibrium there), it does not stay.
    assert!(settle(&a, &near(&mem, Some(1), 0.3, 5), 40.0)[1] < 0.5);
}

#[test]
fn a_stable_memory_and_a_saddle_the_state_slides_off_the_saddle() {
    let a = alphas(0.5, 0.15);
    let (r, first, second) = regime(&a);
    assert_eq!(r, Regime::StableAndSaddle { a: 0, b: 1 });
    assert_eq!((first, second), (Standing::Well, Standing::Saddle));
    let mem = recall::patterns::builtin();
    let end = settle(&a, &near(&mem, Some(1), 0.15, 6), 60.0);
    assert!(end[1] < 0.5 && end[0] > 0.9, "{end:?}");
}

#[test]
fn two_stable_memories_both_hold() {
    let a = alphas(0.3, 0.25);
    let (r, first, second) = regime(&a);
    assert_eq!(
        r,
        Regime::TwoStable {
            a: 0,
            b: 1,
            depth: std::cmp::Ordering::Less
        }
    );
    assert_eq!((first, second), (Standing::Well, Standing::Well));
    let mem = recall::patterns::builtin();
    assert!(settle(&a, &near(&mem, Some(0), 0.3, 7), 30.0)[0] > 0.9);
    assert!(settle(&a, &near(&mem, Some(1), 0.25, 8), 30.0)[1] > 0.9);
}

#[test]
fn the_arrows_set_the_saliencies() {
    let theme = Theme {
        color: true,
        ascii: false,
    };
    let mut app = App::new(theme, ModelKind::Idp, None, ScenarioName::Explore, 2.0, 1.0);
    app.update(Msg::Snapshot(Box::new(fixture::snapshot(&[
        ModelKind::Idp,
    ]))));
    assert_eq!(app.key_mode(), recall::ui::keys::KeyMode::Explore);
    let step = app.snapshot.as_ref().unwrap().models[0]
        .theory
        .existence_threshold
        / 10.0;
    let sent = |c: Option<Control>| match c {
        Some(Control::Hold(Some(HeldInput::Saliencies(a)))) => a,
        other => panic!("{other:?}"),
    };
    for _ in 0..3 {
        app.update(Msg::Intent(Intent::RaiseFirst));
    }
    app.update(Msg::Intent(Intent::RaiseSecond));
    let a = sent(app.update(Msg::Intent(Intent::RaiseRest)));
    let close = |x: f64, y: f64| (x - y).abs() < 1e-12;
    assert!(
        close(a[0], 3.0 * step) && close(a[1], step) && close(a[5], step),
        "{a:?}"
    );
    // Never below 0, and back down exactly.
    for _ in 0..5 {
        app.update(Msg::Intent(Intent::LowerSecond));
    }
    let a = sent(app.update(Msg::Intent(Intent::LowerFirst)));
    assert!(close(a[0], 2.0 * step) && a[1] == 0.0, "{a:?}");
}
