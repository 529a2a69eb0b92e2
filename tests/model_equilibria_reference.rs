//! The theory's verdicts, depths and stability on a fixed collection of landscapes, against what
//! the N-dimensional solver said before the solve became P-dimensional (issue 27):
//! `tests/fixtures/theory_reference.json` was written by that solver (commit 84fca56's
//! `model::equilibria`, by running this test with `RECALL_BLESS=1`). The landscapes: the
//! built-in set along the tour (IDP, the defaults; classic-constant with its current), and
//! random sets at N = 256, 1024 and 4096 with P from 3 to 32, gains 1, 3 and 10, the diagonal
//! kept or removed, and weights in each regime (one well, two wells of different depths, two
//! nearly equal, all below the threshold, weights of both signs, a current).
//!
//! Every memory's standing, where its start settles, the unstable counts and the origin's must
//! be the same; γ, m_ρ and E/N (of the equilibrium and of where it settles) within 1e-6.

use std::sync::Arc;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use recall::model::equilibria::{Equilibria, TheoryDynamics, TheoryInput};
use recall::model::{Memories, ModelKind, Network, Params};
use recall::stimulus::{ScenarioName, Stream, StreamConfig};
use serde_json::{Value, json};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/theory_reference.json"
);

/// The network of `kind` that followed the tour over `mem` for `frames` frames.
fn tour_input(mem: Arc<Memories>, kind: ModelKind, frames: usize, seed: u64) -> TheoryInput {
    let mut stream = Stream::new(
        ScenarioName::Tour,
        mem.clone(),
        StreamConfig::default(),
        seed,
    );
    let mut net = Network::new(mem, kind, Params::default(), seed).expect("params");
    for _ in 0..frames {
        let f = stream.next_frame();
        net.set_input(&f.input, f.changed).expect("input");
        net.run(10).expect("finite");
    }
    TheoryInput::of(&net)
}

/// Weights of each regime over `p` memories at gain `g` (threshold t = 1/g).
fn regimes(p: usize, g: f64, rng: &mut Xoshiro256PlusPlus) -> Vec<(&'static str, Vec<f64>)> {
    let t = 1.0 / g;
    let rest = |v: f64| vec![v; p];
    let mut one = rest(0.3 * t);
    one[0] = 6.0 * t;
    let mut two = rest(0.2 * t);
    two[0] = 8.0 * t;
    two[p - 1] = 4.0 * t;
    let mut close = rest(0.1 * t);
    close[0] = 3.0 * t;
    close[1] = 2.9 * t;
    let below = rest(0.6 * t);
    let mixed: Vec<f64> = (0..p)
        .map(|_| rng.random_range(-2.0 * t..10.0 * t))
        .collect();
    // Just above the threshold, where crosstalk makes saddles of equilibria.
    let above: Vec<f64> = (0..p).map(|_| rng.random_range(1.0 * t..1.6 * t)).collect();
    vec![
        ("one well", one),
        ("two wells", two),
        ("nearly equal", close),
        ("all below", below),
        ("both signs", mixed),
        ("just above", above),
    ]
}

/// The landscapes, named.
fn cases() -> Vec<(String, TheoryInput)> {
    let mut out = Vec::new();
    let builtin = Arc::new(recall::patterns::builtin());
    for frames in [45, 120, 300] {
        out.push((
            format!("builtin idp tour frame {frames}"),
            tour_input(builtin.clone(), ModelKind::Idp, frames, 3),
        ));
    }
    out.push((
        "builtin classic-constant tour frame 60".into(),
        tour_input(builtin.clone(), ModelKind::ClassicConstant, 60, 5),
    ));
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(27);
    for (side, p) in [(16usize, 3usize), (16, 8), (32, 10), (32, 32), (64, 16)] {
        let mem = Arc::new(Memories::random(side, side, p, &mut rng));
        for gain in [10.0, 3.0, 1.0] {
            for (label, weights) in regimes(p, gain, &mut rng) {
                for zero_diagonal in [true, false] {
                    if side == 64 && (!zero_diagonal || gain == 3.0) {
                        continue;
                    }
                    let input = TheoryInput::new(
                        mem.clone(),
                        weights.clone(),
                        None,
                        gain,
                        zero_diagonal,
                        TheoryDynamics::Continuous,
                    )
                    .expect("input");
                    out.push((
                        format!(
                            "random {n}x{p} g={gain} {label} zero_diagonal={zero_diagonal}",
                            n = side * side
                        ),
                        input,
                    ));
                }
            }
        }
        // A current: the paper's constant input on memory 0 with crosstalk from the others.
        if side <= 32 {
            let bias: Vec<f64> = (0..mem.n())
                .map(|i| {
                    0.3 * f64::from(mem.memory(0)[i])
                        + rng.random_range(-0.05..0.05)
                        + if p > 1 {
                            0.1 * f64::from(mem.memory(1)[i])
                        } else {
                            0.0
                        }
                })
                .collect();
            let weights = vec![1.0; p];
            let input = TheoryInput::new(
                mem.clone(),
                weights,
                Some(bias),
                10.0,
                true,
                TheoryDynamics::Continuous,
            )
            .expect("input");
            out.push((format!("random {}x{p} a current", side * side), input));
        }
    }
    out
}

fn round(v: f64) -> Value {
    json!(v)
}

/// What the reference keeps of one solve.
fn summary(eq: &Equilibria) -> Value {
    let side = |e: &recall::model::Equilibrium| {
        json!({
            "standing": format!("{:?}", e.standing),
            "unstable": e.unstable,
            "gamma": round(e.gamma),
            "overlap": round(e.overlap),
            "energy": round(e.energy_per_neuron),
            "converged": e.convergence.converged,
            "settles": e.settles.map(|s| json!({
                "memory": s.memory,
                "overlap": round(s.overlap),
                "energy": round(s.energy_per_neuron),
                "stable": s.stable,
            })),
        })
    };
    json!({
        "origin": eq.origin.map(|o| o.unstable),
        "memories": eq.memories.iter().map(|m| json!([side(&m.positive), side(&m.negative)])).collect::<Vec<_>>(),
    })
}

/// Compares `got` with `want` (the reference), listing the differences.
fn differences(path: &str, got: &Value, want: &Value, out: &mut Vec<String>) {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            if (a - b).abs() > 1e-6 * (1.0 + b.abs()) {
                out.push(format!("{path}: {a} (was {b})"));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                differences(&format!("{path}[{i}]"), x, y, out);
            }
        }
        (Value::Object(a), Value::Object(b)) if a.len() == b.len() => {
            for (k, y) in b {
                match a.get(k) {
                    Some(x) => differences(&format!("{path}.{k}"), x, y, out),
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
        }
        _ if got == want => {}
        _ => out.push(format!("{path}: {got} (was {want})")),
    }
}

#[test]
fn verdicts_depths_and_stability_are_the_reference_solvers() {
    let got: Vec<(String, Value)> = cases()
        .into_iter()
        .map(|(name, input)| (name, summary(&input.solve())))
        .collect();
    if std::env::var_os("RECALL_BLESS").is_some() {
        let doc: serde_json::Map<String, Value> = got.into_iter().collect();
        std::fs::write(
            FIXTURE,
            serde_json::to_string(&Value::Object(doc)).expect("json") + "\n",
        )
        .expect("write the fixture");
        return;
    }
    let text = std::fs::read_to_string(FIXTURE).expect("the fixture");
    let want: Value = serde_json::from_str(&text).expect("json");
    let want = want.as_object().expect("an object of cases");
    assert_eq!(want.len(), got.len(), "the cases changed");
    let mut failures = Vec::new();
    for (name, value) in &got {
        match want.get(name) {
            Some(w) => differences(name, value, w, &mut failures),
            None => failures.push(format!("{name}: not in the reference")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
