//! `recall experiment density` (the paper's Fig. 4): the particle ensemble is seeded and
//! bitwise reproducible, its masses agree with the closed form (fig4a) and the grid solve of the
//! Fokker–Planck equation (fig4b) within their Monte-Carlo errors, and bad values are one line
//! and status 2.

use std::process::Command;

use recall::experiment::density::{
    DensityConfig, DensityOutcome, Preset, Theory, ensemble, mean_se, run_density,
};
use recall::experiment::progress::Progress;

fn quiet() -> Progress {
    Progress::with_output("", "", 0, false)
}

fn config(preset: Preset) -> DensityConfig {
    DensityConfig {
        preset,
        alphas: preset.alphas(),
        particles: 100,
        burn_in_secs: 30.0,
        sample_secs: 100.0,
        ..DensityConfig::default()
    }
}

#[test]
fn an_ensemble_is_bitwise_the_same_for_a_seed_and_shards_agree() {
    let c = DensityConfig {
        particles: 8,
        burn_in_secs: 2.0,
        sample_secs: 10.0,
        ..config(Preset::Fig4b)
    };
    let model = c.model();
    let wells = model.stable_wells();
    let theory = Theory::solve(&model, &wells, 0.9, c.cells).unwrap();
    let a = ensemble(&model, &wells, &c, &theory.grid, 0.9, 7);
    let b = ensemble(&model, &wells, &c, &theory.grid, 0.9, 7);
    let other = ensemble(&model, &wells, &c, &theory.grid, 0.9, 8);
    assert_eq!(a, b);
    assert_ne!(a, other);
    assert_eq!(a.samples(), 8 * 100);
    // Trial 1 of a run of trials 0..3 is trial 1 of a shard that starts there.
    let full = run_density(&c, &[0.9], 0..3, 5, &quiet()).unwrap();
    let shard = run_density(&c, &[0.9], 1..2, 5, &quiet()).unwrap();
    let key = |o: &DensityOutcome, t: usize| -> Vec<String> {
        o.rows
            .iter()
            .filter(|r| r.trial == t)
            .map(|r| format!("{r:?}"))
            .collect()
    };
    assert!(!key(&shard, 1).is_empty());
    assert_eq!(key(&full, 1), key(&shard, 1));
}

/// Every well's measured mass against a prediction, within `k` standard errors (which must be
/// small enough for the comparison to mean something).
fn assert_agrees(out: &DensityOutcome, sigma: f64, predicted: impl Fn(usize, bool) -> f64) {
    for (k, w) in out.wells.iter().enumerate() {
        let name = w.name();
        for near in [true, false] {
            let values: Vec<f64> = out
                .rows
                .iter()
                .filter(|r| r.sigma == sigma && r.well == name)
                .map(|r| {
                    if near {
                        r.near_measured
                    } else {
                        r.basin_measured
                    }
                })
                .collect();
            let (m, se) = mean_se(&values);
            let want = predicted(k, near);
            assert!(se > 0.0 && se < 0.03, "σ {sigma} {name}: se {se}");
            assert!(
                (m - want).abs() < 4.0 * se,
                "σ {sigma} {name} {}: measured {m} ± {se}, predicted {want}",
                if near { "near" } else { "basin" }
            );
        }
    }
}

#[test]
fn fig4a_masses_agree_with_the_closed_form() {
    let c = config(Preset::Fig4a);
    let sigmas = [0.6, 1.0];
    let out = run_density(&c, &sigmas, 0..12, 1, &quiet()).unwrap();
    assert_eq!(out.wells.len(), 4);
    for (theory, &sigma) in out.theories.iter().zip(&sigmas) {
        let closed = theory.closed.as_ref().expect("W is diagonal at fig4a");
        assert_agrees(&out, sigma, |k, near| {
            if near {
                theory.near_mass(closed, k)
            } else {
                theory.basin_mass(closed, k)
            }
        });
    }
}

#[test]
fn fig4b_the_dominant_memory_holds_most_mass_more_as_noise_falls_as_the_grid_solve_says() {
    let c = config(Preset::Fig4b);
    let sigmas = [1.2, 1.0, 0.8];
    let out = run_density(&c, &sigmas, 0..12, 1, &quiet()).unwrap();
    assert!(out.theories.iter().all(|t| t.closed.is_none()));
    let mut last = 0.0;
    for (theory, &sigma) in out.theories.iter().zip(&sigmas) {
        assert_agrees(&out, sigma, |k, near| {
            if near {
                theory.near_mass(&theory.fp, k)
            } else {
                theory.basin_mass(&theory.fp, k)
            }
        });
        let dominant: f64 = out
            .rows
            .iter()
            .filter(|r| r.sigma == sigma && r.well.ends_with("ξ2"))
            .map(|r| r.basin_measured)
            .sum::<f64>()
            / 12.0;
        assert!(dominant > 0.5 && dominant > last, "σ {sigma}: {dominant}");
        last = dominant;
    }
}

#[test]
fn bad_values_are_one_line_and_status_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["--alphas", "0,1.5"], "saliency 0"),
        (&["--alphas", "-1,1.5"], "saliency -1"),
        (&["--alphas", "1.5,99"], "saliency 99"),
        (&["--alphas", "1.5"], "two saliencies"),
        (&["--alphas", "1,2,3"], "two saliencies"),
        (&["--alphas", "1,x"], "is not a number"),
        (&["--sigmas", "0"], "σ = 0 is outside"),
        (&["--sigmas", "0.8,9"], "σ = 9 is outside"),
        (&["--gain", "0"], "gain 0"),
        (&["--gain", "1000"], "gain 1000"),
        (&["--gain", "nan"], "gain"),
        (&["--grid", "5"], "grid size"),
        (&["--grid", "100000"], "grid size"),
        (&["--particles", "0"], "particles"),
        (&["--preset", "fig9"], "unknown preset"),
        (&["--model", "modern"], "unknown model \"modern\""),
        (
            &["--model", "idp-modern", "--beta", "0"],
            "β 0 must be greater than 0",
        ),
        (&["--beta", "1e9"], "β 1e9 is too large"),
        (&["--beta", "nan"], "β"),
    ];
    for (args, needle) in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_recall"))
            .args(["experiment", "density", "--trials", "1"])
            .args(*args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// `--model idp-modern`: the table names the network and β, gives the grid solve and the
/// closed form side by side, and takes its z's against the closed form (a short run: 2 trials
/// of 100 particles at one σ, too few for a z, which it says).
#[test]
fn the_modern_table_is_against_its_closed_form() {
    let out = Command::new(env!("CARGO_BIN_EXE_recall"))
        .args([
            "experiment",
            "density",
            "--model",
            "idp-modern",
            "--beta",
            "2",
            "--preset",
            "fig4a",
            "--sigmas",
            "1",
            "--trials",
            "2",
            "--particles",
            "100",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        "idp-modern on the memories",
        "β = 2.",
        "closed = exp(−2E_β/σ²), exact",
        "z = (measured − closed) / se",
        "+ξ1    ( 1.500,  1.495)",
        "+ξ2    ( 1.500, -1.495)",
        "all trials against closed",
        "FP against closed: TV 0.00",
        "No z with fewer than 5 trials",
    ] {
        assert!(text.contains(needle), "lacks {needle}:\n{text}");
    }
    assert!(!text.contains("−ξ1"), "{text}");
    // Two trials give no z (their standard error has one degree of freedom).
    for row in text.lines().filter(|l| l.starts_with("+ξ")) {
        let last = row.split_whitespace().last().unwrap();
        assert!(!last.starts_with(['+', '-']), "a z from 2 trials: {row}");
    }
}

/// `--alphas` and `--sigmas` replace a preset's α and σ: the header names the preset only for
/// what it still sets.
#[test]
fn given_alphas_are_not_called_the_presets() {
    let header = |sigmas: &str, extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_recall"))
            .args([
                "experiment",
                "density",
                "--preset",
                "fig4a",
                "--sigmas",
                sigmas,
            ])
            .args(["--trials", "1", "--particles", "50"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{extra:?}");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    // The runs take one σ, not the preset's three: σ is given too.
    let preset = header("0.8", &[]);
    assert!(preset.contains("preset fig4a's α, σ given)"), "{preset}");
    let given = header("0.8", &["--alphas", "1,2"]);
    assert!(
        given.contains("(the paper's Fig. 4, α and σ given)"),
        "{given}"
    );
    assert!(given.contains("α1 = 1, α2 = 2"), "{given}");
    let sigmas = header("0.5,0.8,1.2", &["--alphas", "1,2"]);
    assert!(sigmas.contains("preset fig4a's σ, α given)"), "{sigmas}");
}
