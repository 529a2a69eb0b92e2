//! The capacity experiment: the discrete network collapses where the theory puts it, IDP does
//! not, rows have their shape, and trials give the same numbers in any shard.

use std::sync::Arc;

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use recall::experiment::capacity::{
    CapacityConfig, CapacityRow, DiscreteHopfield, corrupted, run_network,
};
use recall::experiment::capacity_report::{capacity_csv, half_retrieval_load, limits, points};
use recall::experiment::capacity_theory::power_fit;
use recall::experiment::progress::Progress;
use recall::experiment::{ExperimentName, ExperimentRequest, capacity};
use recall::model::{Memories, ModelKind, Network, Params};

fn quiet() -> Progress {
    Progress::with_output("", "", 0, false)
}

fn recall_binary() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_recall"))
}

fn config(sizes: &[usize], loads: &[f64], cues: usize) -> CapacityConfig {
    CapacityConfig {
        sizes: sizes.to_vec(),
        loads: loads.to_vec(),
        cues,
        ..CapacityConfig::default()
    }
}

/// The tolerance on the collapse: the 50% crossing of the discrete network lies within
/// [0.12, 0.19], around the theory's 0.138 (finite N and a 10%-flipped cue push it up by a
/// few hundredths: 0.15–0.16 at N = 256–4096 in the README's sweep).
const COLLAPSE: std::ops::RangeInclusive<f64> = 0.12..=0.19;

#[test]
fn the_discrete_network_collapses_near_0138_and_idp_does_not() {
    let loads = [0.06, 0.10, 0.12, 0.14, 0.16, 0.18, 0.22, 0.28];
    let cfg = config(&[1024], &loads, 8);
    let models = [ModelKind::Discrete, ModelKind::Idp];
    let rows = capacity(&cfg, &models, 0..3, 7, &quiet()).unwrap();
    let pts = points(&rows, &models, &cfg);
    let line = |m: ModelKind| pts.iter().filter(|p| p.model == m).collect::<Vec<_>>();
    let discrete = line(ModelKind::Discrete);
    let at = |load: f64| discrete.iter().find(|p| p.load == load).unwrap().retrieved;
    assert!(at(0.06) >= 0.95 && at(0.10) >= 0.9, "{discrete:?}");
    assert!(at(0.22) <= 0.1 && at(0.28) <= 0.05, "{discrete:?}");
    let half = half_retrieval_load(&discrete).expect("retrieval falls through one half");
    assert!(
        COLLAPSE.contains(&half),
        "the discrete collapse is at {half}"
    );
    // Above the collapse the state wanders off: mean |m| well below a retrieval.
    let far = discrete.iter().find(|p| p.load == 0.28).unwrap();
    assert!(far.overlap < 0.6, "{far:?}");
    // IDP, given the cue as its input, retrieves at every one of these loads (it collapses
    // at loads of N/10: idp_collapses_and_its_limit_is_fitted).
    for p in line(ModelKind::Idp) {
        assert!(p.retrieved >= 0.95, "{p:?}");
        assert!(p.overlap > 0.95, "{p:?}");
    }
}

#[test]
fn the_collapse_is_sharper_for_larger_networks() {
    // Between loads 0.10 and 0.22 retrieval falls from ~1 to ~0; the larger network has fewer
    // cues in between (its transition is narrower).
    let loads = [0.10, 0.13, 0.16, 0.19, 0.22];
    let cfg = config(&[256, 2048], &loads, 8);
    let rows = capacity(&cfg, &[ModelKind::Discrete], 0..4, 3, &quiet()).unwrap();
    let pts = points(&rows, &[ModelKind::Discrete], &cfg);
    // The spread of the transition: Σ r(1 − r) over the loads (0 for a step).
    let width = |n: usize| -> f64 {
        pts.iter()
            .filter(|p| p.n == n)
            .map(|p| p.retrieved * (1.0 - p.retrieved))
            .sum()
    };
    assert!(
        width(2048) < width(256),
        "{} vs {}",
        width(2048),
        width(256)
    );
}

#[test]
fn rows_have_the_sweeps_shape() {
    let cfg = config(&[64, 128], &[0.05, 0.3], 5);
    let models = recall::experiment::capacity::CAPACITY_MODELS;
    let rows = capacity(&cfg, &models, 0..2, 1, &quiet()).unwrap();
    // P = round(load·N) ≥ 1; at most `cues` memories cued.
    let cues = |n: usize, l: f64| CapacityConfig::p(n, l).min(5);
    let per_trial: usize = [64, 128]
        .iter()
        .flat_map(|&n| [0.05, 0.3].map(|l| cues(n, l)))
        .sum();
    assert_eq!(rows.len(), 2 * models.len() * per_trial);
    assert_eq!(CapacityConfig::p(64, 0.05), 3);
    for r in &rows {
        assert!(r.memory < r.p && r.overlap.abs() <= 1.0 + 1e-3, "{r:?}");
        if !r.model.is_modern() {
            assert_eq!(r.retrieved, r.overlap.abs() >= cfg.threshold);
        }
        assert!(r.secs > 0.0 && r.secs <= cfg.max_secs);
    }
    let csv = capacity_csv(&rows, true);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("trial,seed,model,n,p,load,memory,overlap,retrieved,secs,settled,flip")
    );
    assert!(lines.all(|l| l.split(',').count() == 12));
    // Output order: trial, then N, then load.
    let order: Vec<(usize, usize)> = rows.iter().map(|r| (r.trial, r.n)).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
}

#[test]
fn a_cue_has_exactly_the_asked_fraction_flipped() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
    let mem = Memories::random(1000, 1, 3, &mut rng);
    let cue = corrupted(mem.memory(1), 0.1, &mut rng);
    let differ = cue
        .iter()
        .zip(mem.memory(1))
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(differ, 100);
}

#[test]
fn shards_of_trials_give_the_rows_of_one_run() {
    let cfg = config(&[64], &[0.1, 0.25], 3);
    let models = [ModelKind::Discrete, ModelKind::Idp];
    let whole = capacity(&cfg, &models, 0..3, 5, &quiet()).unwrap();
    let mut parts: Vec<CapacityRow> = capacity(&cfg, &models, 0..1, 5, &quiet()).unwrap();
    parts.extend(capacity(&cfg, &models, 1..3, 5, &quiet()).unwrap());
    assert_eq!(whole, parts);
    // And a network's numbers do not depend on the other points of the sweep.
    let alone = run_network(&cfg, &models, 2, 64, 0.25, 5).unwrap();
    let inside: Vec<CapacityRow> = whole
        .iter()
        .filter(|r| r.trial == 2 && r.load == 0.25)
        .cloned()
        .collect();
    assert_eq!(alone, inside);
}

#[test]
fn the_fast_discrete_network_stops_on_fixed_points_of_the_engines_discrete_model() {
    // N a power of two: the engine's f32 field is exact, so both apply the same sign rule.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
    for (p, mu) in [(10, 0), (40, 3)] {
        let mem = Arc::new(Memories::random(256, 1, p, &mut rng));
        let hop = DiscreteHopfield::new(&mem);
        let cue = corrupted(mem.memory(mu), 0.1, &mut rng);
        let (state, _, settled) = hop.recall(&cue, 100, &mut rng);
        assert!(settled);
        let params = Params {
            noise_std: 0.0,
            ..Params::default()
        };
        let mut net = Network::new(Arc::clone(&mem), ModelKind::Discrete, params, 1).unwrap();
        let x: Vec<f32> = state.iter().map(|&s| s as f32).collect();
        net.set_state(&x).unwrap();
        // 3 s at dt = 0.01: 3N updates, every neuron visited at least twice.
        net.run(300).unwrap();
        assert_eq!(net.state(), &x[..], "P = {p}");
    }
}

#[test]
fn the_experiment_prints_a_table_with_every_model() {
    let mut request = ExperimentRequest::new(ExperimentName::Capacity);
    request.trials = 1;
    request.capacity = vec![config(&[64], &[0.05, 0.3], 2)];
    let text = recall::experiment::run(&request).unwrap();
    for model in [
        "discrete",
        "classic-initial",
        "classic-constant",
        "idp",
        "modern",
        "idp-modern",
        "dense3",
    ] {
        assert!(text.contains(&format!("\n{model} — ")), "{text}");
    }
    assert!(text.contains("retrieval falls below 50%: "), "{text}");
    assert!(text.contains("0.138"), "{text}");
}

/// The sweep keeps its memories as sign bits only (issue 27: 563 MB at N = 4096, P = 8192 with
/// ±1 floats), and gives the numbers it gave with the floats: `tests/data/
/// capacity_before_compact.csv` was written by the binary before that change
/// (`recall experiment capacity --sizes 100,256 --loads 0.05,0.15,0.6 --csv`, seed 1). Columns
/// added since are not compared.
#[test]
fn sign_bit_memories_give_the_rows_of_the_float_ones() {
    let want = include_str!("data/capacity_before_compact.csv");
    let mut request = ExperimentRequest::new(ExperimentName::Capacity);
    request.trials = 2;
    request.csv = true;
    request.capacity = vec![CapacityConfig {
        // The models the file was written with (the modern ones came later).
        models: [
            ModelKind::Discrete,
            ModelKind::ClassicInitial,
            ModelKind::ClassicConstant,
            ModelKind::Idp,
        ]
        .map(Into::into)
        .to_vec(),
        sizes: vec![100, 256],
        loads: vec![0.05, 0.15, 0.6],
        ..CapacityConfig::default()
    }];
    let got = recall::experiment::run(&request).unwrap();
    let (want, got): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    assert_eq!(want.len(), got.len());
    for (w, g) in want.iter().zip(&got) {
        let fields = w.split(',').count();
        let g: Vec<&str> = g.split(',').take(fields).collect();
        assert_eq!(*w, g.join(","));
    }
}

/// The flip fraction is a second axis: IDP at a light load retrieves with 30% of the cue
/// flipped and loses it past 45% (its saliency 1 − 2f at 1/g); each flip's rows are those of a
/// sweep of that flip alone.
#[test]
fn the_flip_axis_shows_idps_edge() {
    let flips = vec![0.3, 0.4, 0.47, 0.5];
    let cfg = CapacityConfig {
        flips: flips.clone(),
        ..config(&[128], &[0.05], 4)
    };
    let models = [ModelKind::Idp, ModelKind::ClassicInitial];
    let rows = capacity(&cfg, &models, 0..2, 3, &quiet()).unwrap();
    assert_eq!(rows.len(), 2 * models.len() * flips.len() * 4);
    let pts = points(&rows, &models, &cfg);
    let idp = |f: f64| {
        pts.iter()
            .find(|p| p.model == ModelKind::Idp && p.flip == f)
            .unwrap()
            .retrieved
    };
    assert!(idp(0.3) >= 0.99 && idp(0.4) >= 0.99, "{pts:?}");
    assert!(idp(0.47) <= 0.01 && idp(0.5) <= 0.01, "{pts:?}");
    let alone = CapacityConfig {
        flips: vec![0.4],
        ..cfg.clone()
    };
    let want = capacity(&alone, &models, 0..2, 3, &quiet()).unwrap();
    let got: Vec<CapacityRow> = rows.into_iter().filter(|r| r.flip == 0.4).collect();
    assert_eq!(got, want);
}

/// IDP swept far past 0.3 collapses, and later for larger N: P_max(N) grows faster than N
/// (the table prints the fit; the README's exponent comes from the default plan).
#[test]
fn idp_collapses_and_its_limit_is_fitted() {
    let cfg = CapacityConfig {
        models: vec![ModelKind::Idp.into()],
        ..config(&[32, 64], &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0], 4)
    };
    let rows = capacity(&cfg, &cfg.models, 0..2, 1, &quiet()).unwrap();
    let pts = points(&rows, &cfg.models, &cfg);
    let found = limits(&pts, ModelKind::Idp, &cfg, 0.1);
    assert_eq!(found.len(), 2, "both sizes collapse: {pts:?}");
    let xy: Vec<(f64, f64)> = found.iter().map(|&(n, p)| (n as f64, p)).collect();
    let (b, _, _) = power_fit(&xy).unwrap();
    assert!((1.5..2.7).contains(&b), "P_max ∝ N^{b}: {found:?}");
    let mut request = ExperimentRequest::new(ExperimentName::Capacity);
    request.trials = 2;
    request.capacity = vec![cfg.clone(), config(&[64], &[0.1, 0.3], 2)];
    let text = recall::experiment::run(&request).unwrap();
    for want in [
        "2 parts:",
        "— part 2 —",
        "P_max (P at the 50% point): ",
        "fit P_max ≈ ",
        "theory: m ≥ 0.9 up to P/N ≈ ",
        "theory: α_c = 0.1379",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
}

/// The new options' bad values: one line and status 2, before anything runs.
#[test]
fn bad_capacity_axes_exit_2_with_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&["--flips", "0.1,0.6"], "flip fraction 0.6 is too large"),
        (
            &["--flips", "0.3,0.2"],
            "--flips must increase: 0.2 comes after 0.3",
        ),
        (&["--flips", "0.1,x"], "is not a number"),
        (&["--flip", "0.1", "--flips", "0.2,0.3"], "--flip"),
        (
            &["--models", "idp,hopfield"],
            "unknown capacity model \"hopfield\"",
        ),
        (&["--models", "idp-filter"], "unknown capacity model"),
        (
            &["--loads", "1001"],
            "load P/N 1001 is too large: at most 1000",
        ),
        (&["--sizes", "65536", "--loads", "2"], "needs about 4.0 GiB"),
        // A value given twice would run its networks twice and count them twice.
        (&["--sizes", "32,32"], "--sizes gives 32 twice"),
        (&["--loads", "1,2,1"], "--loads gives 1 twice"),
        (&["--models", "idp,modern,idp"], "--models gives idp twice"),
    ];
    for (args, needle) in cases {
        let out = recall_binary()
            .args(["experiment", "capacity"])
            .args(*args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// `--models modern` is a capacity model, and the modern network retrieves at loads far above
/// the classic network's 0.138: every cue at P/N = 4 (P = 128) in N = 32 neurons, with m ≈ 1,
/// where classic-initial retrieves none.
#[test]
fn the_modern_model_retrieves_far_above_0138() {
    let out = recall_binary()
        .args([
            "experiment",
            "capacity",
            "--models",
            "modern,classic-initial",
        ])
        .args(["--sizes", "32", "--loads", "4", "--csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let of = |model: &str| -> Vec<&Vec<&str>> { rows.iter().filter(|r| r[2] == model).collect() };
    let (modern, classic) = (of("modern"), of("classic-initial"));
    assert_eq!(modern.len(), 8, "{text}");
    for r in &modern {
        assert_eq!(r[4], "128", "{r:?}");
        assert_eq!(r[8], "true", "{r:?}");
        assert!(r[7].parse::<f64>().unwrap() > 0.95, "{r:?}");
    }
    assert!(classic.iter().all(|r| r[8] == "false"), "{text}");
}

/// idp-modern settles at x ≈ α·ξ of the cued memory, so its m is about α = 1 − 2f (0.8 for
/// 10% flipped), below the threshold 0.9 whenever anything is flipped: it is retrieved when
/// m ≥ 0.9·α and no other memory has a larger |m|. At a light load every cue is retrieved
/// that way, with m ≈ α exactly (|m| ≥ 0.9 would call all of them lost).
#[test]
fn idp_modern_is_judged_against_its_saliency() {
    use recall::experiment::capacity::retrieved;
    // The rule itself.
    let t = 0.9;
    assert!(retrieved(
        ModelKind::IdpModern,
        &[0.78, 0.1, -0.2],
        0,
        0.8,
        t
    ));
    assert!(!retrieved(
        ModelKind::IdpModern,
        &[0.70, 0.1, -0.2],
        0,
        0.8,
        t
    ));
    assert!(!retrieved(
        ModelKind::IdpModern,
        &[0.78, 0.1, -0.85],
        0,
        0.8,
        t
    ));
    assert!(!retrieved(ModelKind::IdpModern, &[0.1, 0.1], 0, 0.0, t));
    // modern has no mirror wells; the classic models count |m|.
    assert!(retrieved(ModelKind::Modern, &[0.95, 0.0], 0, 1.0, t));
    assert!(!retrieved(ModelKind::Modern, &[-0.95, 0.0], 0, 1.0, t));
    assert!(retrieved(ModelKind::Discrete, &[-0.95, 0.0], 0, 1.0, t));
    assert!(!retrieved(ModelKind::Idp, &[0.78, 0.0], 0, 0.8, t));
    // The sweep: N = 32, P = 8, 3 of 32 pixels flipped: α = 26/32.
    let cfg = CapacityConfig {
        models: vec![ModelKind::IdpModern.into()],
        ..config(&[32], &[0.25], 8)
    };
    let rows = run_network(&cfg, &[ModelKind::IdpModern], 0, 32, 0.25, 5).unwrap();
    assert_eq!(rows.len(), 8);
    for r in &rows {
        assert!(r.retrieved, "{r:?}");
        assert!((r.overlap - 26.0 / 32.0).abs() < 0.03, "{r:?}");
    }
}

/// dense3 (Krotov & Hopfield's F(z) = z³) stores far more than the classic discrete network at
/// small N, and its limit grows faster than N (as N², so P_max(32)/P_max(16) near 4; the
/// classic network's near 2). Seeded: 32 cues a point.
#[test]
fn the_dense_model_stores_far_more_and_grows_faster_than_n() {
    use recall::experiment::capacity::CapacityModel;
    let loads = [0.125, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0];
    let cfg = config(&[16, 32], &loads, 8);
    let models = [CapacityModel::Dense3, ModelKind::Discrete.into()];
    let rows = capacity(&cfg, &models, 0..4, 2, &quiet()).unwrap();
    let pts = points(&rows, &models, &cfg);
    let dense = limits(&pts, CapacityModel::Dense3, &cfg, 0.1);
    let discrete = limits(&pts, ModelKind::Discrete, &cfg, 0.1);
    assert_eq!(dense.len(), 2, "dense3 collapses at both sizes: {pts:?}");
    assert_eq!(
        discrete.len(),
        2,
        "discrete collapses at both sizes: {pts:?}"
    );
    for (d, c) in dense.iter().zip(&discrete) {
        assert!(
            d.1 > 4.0 * c.1,
            "N = {}: dense3 {} vs discrete {}",
            d.0,
            d.1,
            c.1
        );
    }
    let growth = dense[1].1 / dense[0].1;
    assert!(growth > 2.5, "P_max(32)/P_max(16) = {growth}: {dense:?}");
    // A retrieved cue ends on the memory itself (the cubic energy has no mirror wells).
    assert!(
        rows.iter()
            .filter(|r| r.model == CapacityModel::Dense3 && r.retrieved)
            .all(|r| r.overlap > 0.0)
    );
}

/// dense3 is a capacity model only: `--model dense3` says where it runs, in one line.
#[test]
fn dense3_is_refused_outside_the_capacity_sweep() {
    for args in [
        &["run", "--model", "dense3"][..],
        &["run", "--compare", "idp,dense3"],
        &["--model", "dense3"],
    ] {
        let out = recall_binary().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains("capacity sweep only: recall experiment capacity --models dense3"),
            "{args:?}: {stderr}"
        );
    }
}

/// A load of 100 or more widens the load column instead of pushing its row one column out of
/// line ("128.000" took seven characters where the column had six).
#[test]
fn loads_past_100_keep_the_table_in_line() {
    let out = recall_binary()
        .args([
            "experiment",
            "capacity",
            "--models",
            "modern",
            "--sizes",
            "16",
            "--loads",
            "8,128",
            "--trials",
            "1",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let column = |load: &str| {
        let row = text
            .lines()
            .find(|l| l.trim_start().starts_with(load))
            .unwrap_or_else(|| panic!("no row {load}:\n{text}"));
        row.find('%').unwrap()
    };
    assert_eq!(column("8.000"), column("128.000"), "{text}");
}
