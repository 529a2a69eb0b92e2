//! Small-trial versions of the paper's experiments: the qualitative results, with margins,
//! over a fixed list of seeds.

use recall::experiment::measure::GlitchVerdict;
use recall::experiment::{GlitchRow, MixedRow, run_glitch, run_mixed};
use recall::model::ModelKind;

const SEEDS: [u64; 3] = [1, 1001, 2002];
const TRIALS: usize = 6;

fn fraction<R>(rows: &[&R], f: impl Fn(&R) -> bool) -> f64 {
    rows.iter().filter(|r| f(r)).count() as f64 / rows.len().max(1) as f64
}

fn of(rows: &[MixedRow], model: ModelKind, sigma: f64) -> Vec<&MixedRow> {
    rows.iter()
        .filter(|r| r.model == model && r.sigma == sigma)
        .collect()
}

#[test]
fn idp_picks_the_dominant_memory_under_noise_and_classic_models_do_not() {
    let models = [
        ModelKind::Idp,
        ModelKind::ClassicPulsed,
        ModelKind::ClassicConstant,
    ];
    for seed in SEEDS {
        let rows = run_mixed(&models, &[8.0], TRIALS, seed).unwrap();
        assert_eq!(rows.len(), models.len() * TRIALS * 3);
        let idp = of(&rows, ModelKind::Idp, 8.0);
        let clean = fraction(&idp, |r| r.outcome.clean);
        assert!(clean >= 0.75, "seed {seed}: IDP clean in {clean}");
        let pulsed = of(&rows, ModelKind::ClassicPulsed, 8.0);
        let right = fraction(&pulsed, |r| r.outcome.right);
        assert!(right <= 0.35, "seed {seed}: pulsed right in {right}");
        assert_eq!(fraction(&pulsed, |r| r.outcome.clean), 0.0);
        // The constant current points at the right memory, but only as a mixture.
        let constant = of(&rows, ModelKind::ClassicConstant, 8.0);
        assert!(
            fraction(&constant, |r| r.outcome.right) >= 0.8,
            "seed {seed}"
        );
        assert!(
            constant.iter().all(|r| r.outcome.overlap < 0.9),
            "seed {seed}"
        );
    }
}

#[test]
fn noise_lets_idp_leave_the_previous_memory() {
    for seed in SEEDS {
        let rows = run_mixed(&[ModelKind::Idp], &[0.0, 4.0], TRIALS + 2, seed).unwrap();
        let switch = |sigma| {
            let later: Vec<&MixedRow> = of(&rows, ModelKind::Idp, sigma)
                .into_iter()
                .filter(|r| r.segment > 0)
                .collect();
            (
                fraction(&later, |r| r.outcome.clean),
                fraction(&later, |r| r.outcome.stuck),
            )
        };
        let (quiet, quiet_stuck) = switch(0.0);
        let (noisy, noisy_stuck) = switch(4.0);
        assert!(noisy >= 0.75, "seed {seed}: σ = 4 switches in {noisy}");
        assert!(
            noisy - quiet >= 0.25,
            "seed {seed}: σ = 0 {quiet}, σ = 4 {noisy}"
        );
        assert!(
            quiet_stuck >= 0.1 && quiet_stuck > noisy_stuck,
            "seed {seed}"
        );
    }
}

#[test]
fn idp_ignores_the_glitch_and_follows_the_change() {
    for seed in SEEDS {
        let models = [ModelKind::Idp, ModelKind::ClassicPulsed];
        let rows = run_glitch(&models, &[8.0], TRIALS, seed).unwrap();
        let pick = |m| -> Vec<&GlitchRow> { rows.iter().filter(|r| r.model == m).collect() };
        let (idp, pulsed) = (pick(ModelKind::Idp), pick(ModelKind::ClassicPulsed));
        let corrected = fraction(&idp, |r| r.outcome.glitch == GlitchVerdict::Corrected);
        // 85% of 20 trials of seed 1; of 6 trials at that rate, 4 or fewer happen for one seed
        // in five, 2 or fewer for one in 180: the bound is 3 (the pulsed model corrects none).
        assert!(corrected >= 0.5, "seed {seed}: IDP corrected {corrected}");
        // The classic pulsed model cannot tell a glitch from a change: it corrects none.
        let pulsed_corrected = fraction(&pulsed, |r| r.outcome.glitch == GlitchVerdict::Corrected);
        assert!(
            pulsed_corrected <= 0.1,
            "seed {seed}: pulsed corrected {pulsed_corrected}"
        );
        let held = idp.iter().map(|r| r.outcome.a_held).sum::<f64>() / idp.len() as f64;
        let pulsed_held =
            pulsed.iter().map(|r| r.outcome.a_held).sum::<f64>() / pulsed.len() as f64;
        // A held by one trial has a sd of about 0.25 (0.92 ± 0.24 over 20 trials of seed 1):
        // a mean of 6 trials has a standard error of 0.1, so the bound is 2 of them below.
        assert!(
            held >= 0.7 && pulsed_held <= 0.4,
            "seed {seed}: {held} vs {pulsed_held}"
        );
        let followed = fraction(&idp, |r| r.outcome.c_latency_secs.is_some());
        assert!(
            followed >= 0.75,
            "seed {seed}: IDP followed C in {followed}"
        );
        let b_or_c = fraction(&idp, |r| {
            r.outcome.b_latency_secs.is_some() || r.outcome.c_latency_secs.is_some()
        });
        assert!(b_or_c >= 0.8, "seed {seed}");
    }
}
