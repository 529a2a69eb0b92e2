//! The built-in default set works as memories: small pairwise overlaps, and every memory is
//! retrieved from a clean cue by the IDP model (plain and Gram saliency). The classic
//! initial-condition model is measured and printed too, but not asserted: with ten correlated
//! pictures its Hebbian cross-talk pulls some cues into mixtures (see the printed table).

use std::sync::Arc;

use recall::model::{Memories, ModelKind, Network, Params, Saliency};
use recall::patterns::{BUILTIN, builtin};

/// Model time of each retrieval run, in seconds.
const RUN_SECS: f64 = 15.0;

/// |m_μ| after running `kind` on a clean cue of each memory, one value per memory.
fn retrieval(mem: &Arc<Memories>, kind: ModelKind, saliency: Saliency, seed: u64) -> Vec<f32> {
    let params = Params {
        noise_std: 0.0,
        saliency,
        ..Params::default()
    };
    let input_gain = 1.0f32;
    let steps = (RUN_SECS / params.dt_secs).round() as usize;
    (0..mem.p())
        .map(|mu| {
            let mut net = Network::new(Arc::clone(mem), kind, params.clone(), seed + mu as u64)
                .expect("valid parameters");
            let cue: Vec<f32> = mem.memory(mu).iter().map(|v| v * input_gain).collect();
            net.set_input(&cue, true).expect("input of the right size");
            net.run(steps).expect("no divergence");
            // ±ξ are both attractors of the symmetric dynamics: the authors read |m|.
            net.overlaps()[mu].abs()
        })
        .collect()
}

fn report(mem: &Memories, label: &str, m: &[f32]) {
    let cells: Vec<String> = mem
        .names()
        .iter()
        .zip(m)
        .map(|(n, v)| format!("{n} {v:.3}"))
        .collect();
    println!("{label:<24} {}", cells.join("  "));
}

#[test]
fn default_set_is_ten_recognisable_32x32_pictures() {
    let mem = builtin();
    assert!(mem.p() >= 8);
    assert_eq!(mem.p(), BUILTIN.len());
    assert_eq!((mem.width(), mem.height()), (32, 32));
    for name in ["cat", "dog"] {
        assert!(mem.index_of(name).is_some(), "no {name}");
    }
    for (mu, name) in mem.names().iter().enumerate() {
        println!("{name}");
        for row in mem.memory(mu).chunks(32) {
            let line: String = row
                .iter()
                .map(|&v| if v > 0.0 { '#' } else { '.' })
                .collect();
            println!("  {line}");
        }
    }
}

#[test]
fn default_set_has_small_pairwise_overlaps() {
    let mem = builtin();
    println!(
        "pairwise overlaps ξ_aᵀξ_b / N of the default set:\n{}",
        mem.overlap_table()
    );
    let g = mem.overlap_matrix();
    let mut worst = 0.0f64;
    for a in 0..mem.p() {
        for b in 0..a {
            worst = worst.max(g[(a, b)].abs());
        }
    }
    println!("largest |overlap| between two memories: {worst:.3}");
    assert!(
        worst <= 0.35,
        "largest pairwise |overlap| {worst:.3} > 0.35"
    );
}

#[test]
fn every_default_memory_is_retrieved_from_a_clean_cue() {
    let mem = Arc::new(builtin());
    let mut failures = Vec::new();
    for (label, kind, saliency) in [
        ("idp (plain)", ModelKind::Idp, Saliency::Plain),
        ("idp (gram)", ModelKind::Idp, Saliency::Gram),
    ] {
        for seed in [1, 100] {
            let m = retrieval(&mem, kind, saliency, seed);
            report(&mem, &format!("{label} seed {seed}"), &m);
            for (mu, v) in m.iter().enumerate() {
                if *v < 0.9 {
                    failures.push(format!("{label} seed {seed}: {} {v:.3}", mem.names()[mu]));
                }
            }
        }
    }
    assert!(failures.is_empty(), "not retrieved: {failures:?}");
}

#[test]
fn classic_initial_retrieval_is_measured() {
    let mem = Arc::new(builtin());
    let m = retrieval(&mem, ModelKind::ClassicInitial, Saliency::Plain, 1);
    report(&mem, "classic-initial", &m);
    let retrieved = m.iter().filter(|&&v| v >= 0.9).count();
    println!(
        "classic-initial retrieves {retrieved} of {} memories",
        mem.p()
    );
    // The cue is the memory itself, so the run starts at overlap 1: it must stay related.
    assert!(m.iter().all(|&v| v > 0.3), "{m:?}");
}
