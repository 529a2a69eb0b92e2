//! The density view with the two-neuron idp-modern network (issue 28): its theory is the exact
//! stationary density exp(−2E_β/σ²) (a gradient flow), shown at once; the particles, stepped
//! by Euler–Maruyama, match its masses near each well and in each basin within their
//! Monte-Carlo error, and the same check fails against a wrong density (exp(−E_β/σ²), or
//! β = 1 for β = 2); `m` and `Control::SetDensity` switch the network, keeping σ, α and β; the
//! view's screen at 80×24, 100×30, 120×40 and 200×60.

mod common;

use std::sync::Arc;
use std::time::Duration;

use recall::experiment::density::Theory;
use recall::model::density::{DensityModel, TwoNeuron, closed_form};
use recall::model::{ModelKind, Params};
use recall::pipeline::density::{
    BETA_DEFAULT, DT_SECS, DensityLive, DensitySettings, DensityView, MODERN_BURN_IN_SECS,
    SolveState,
};
use recall::pipeline::{Control, Pacing, Pipeline, PipelineConfig, Snapshot};
use recall::stimulus::{ScenarioName, StreamConfig};
use recall::ui::{Intent, Msg, fixture};

const WAIT: Duration = Duration::from_secs(120);

fn modern(sigma: f64, alphas: [f64; 2]) -> DensitySettings {
    DensitySettings {
        sigma,
        alphas,
        model: DensityModel::IdpModern,
        beta: BETA_DEFAULT,
    }
}

/// Every well's measured masses (near and basin) against `density` on the view's grid and
/// basins: the largest |measured − theory| and the masses off by more than max(4 s.e., 0.01).
fn compare(view: &DensityView, theory: &Theory, density: &[f64]) -> (f64, Vec<String>) {
    let mut worst: f64 = 0.0;
    let mut off = Vec::new();
    for (k, (w, m)) in view.wells.iter().zip(&view.masses).enumerate() {
        let basin = m.basin.expect("the exact theory gives the basins at once");
        let pairs = [
            ("near", m.near, theory.near_mass(density, k)),
            ("basin", basin, theory.basin_mass(density, k)),
        ];
        for (what, e, want) in pairs {
            let diff = (e.mean - want).abs();
            worst = worst.max(diff);
            let se = e.se.expect("groups");
            if diff > (4.0 * se).max(0.01) {
                off.push(format!(
                    "{} {what}: {:.4} ± {se:.4} against {want:.4}",
                    w.name(),
                    e.mean
                ));
            }
        }
    }
    (worst, off)
}

/// The particles after the burn-in (idp-modern's) and `sampled_secs` of samples (seed 11).
fn run(settings: DensitySettings, sampled_secs: f64) -> DensityView {
    let mut live = DensityLive::new(settings, 11).expect("settings");
    for _ in 0..((MODERN_BURN_IN_SECS + sampled_secs) / DT_SECS).round() as u64 {
        live.step();
    }
    live.view()
}

/// At Fig. 4a's α (two wells of equal depth), at α = 1.5, 1.75 (one deeper) and at Fig. 4b's
/// (one far deeper), 120 s after the burn-in, the particles' masses near each well and in each
/// basin agree with the closed form within max(4 s.e., 0.01); the same masses against
/// exp(−E_β/σ²) or against β = 1's closed form are caught.
#[test]
fn the_particles_match_the_exact_density_and_not_a_wrong_one() {
    // At Fig. 4b's α the softmax is saturated in the one well that holds the mass: β = 1
    // gives nearly the same density there, so only exp(−E/σ²) is asked to fail.
    for (settings, beta_matters) in [
        (modern(0.8, [1.5, 1.5]), true),
        (modern(1.0, [1.5, 1.75]), true),
        (modern(0.8, [1.5, 2.25]), false),
    ] {
        let names = ["+ξ1", "+ξ2"];
        let view = run(settings, 120.0);
        let wells: Vec<String> = view.wells.iter().map(|w| w.name()).collect();
        assert_eq!(wells, names, "{settings:?}");
        assert!(matches!(view.solve, SolveState::Exact { .. }));
        let theory = view.theory.clone().expect("exact theory");
        assert!(theory.exact);
        let model = settings.network();
        let closed = closed_form(&model, settings.sigma, &theory.grid)
            .expect("σ")
            .expect("a gradient flow");
        assert_eq!(theory.fp, closed, "the view shows the closed form");
        let (worst, off) = compare(&view, &theory, &closed);
        for (w, m) in view.wells.iter().zip(&view.masses) {
            let (near, basin) = (m.near, m.basin.expect("basin"));
            eprintln!(
                "α {:?} σ {}: {} near {:.4} ± {:.4} (exact {:.4}), basin {:.4} ± {:.4} (exact {:.4})",
                settings.alphas,
                settings.sigma,
                w.name(),
                near.mean,
                near.se.unwrap_or(f64::NAN),
                m.near_fp.unwrap_or(f64::NAN),
                basin.mean,
                basin.se.unwrap_or(f64::NAN),
                m.basin_fp.unwrap_or(f64::NAN)
            );
        }
        assert!(off.is_empty(), "{settings:?}: off the closed form: {off:?}");
        assert!(worst < 0.02, "{settings:?}: worst {worst}");

        // The wrong densities, on the same grid and basins.
        let halved = closed_form(
            &model,
            settings.sigma * std::f64::consts::SQRT_2,
            &theory.grid,
        )
        .expect("σ")
        .expect("gradient");
        let beta_one = closed_form(
            &TwoNeuron::modern(settings.alphas, 1.0),
            settings.sigma,
            &theory.grid,
        )
        .expect("σ")
        .expect("gradient");
        for (what, wrong) in [("exp(−E/σ²)", &halved), ("β = 1", &beta_one)] {
            if what == "β = 1" && !beta_matters {
                continue;
            }
            let (worst, off) = compare(&view, &theory, wrong);
            eprintln!("{settings:?} against {what}: worst {worst:.4}, {off:?}");
            assert!(!off.is_empty(), "{what} passed the check: worst {worst}");
        }
    }
}

/// The exact theory is there at once (no "solving…"), through the pipeline too:
/// `Control::SetDensity` with idp-modern switches a run to the view, the first snapshot of it
/// carries the closed form, and the log says which network and β.
#[test]
fn set_density_with_idp_modern_shows_the_exact_theory_at_once() {
    let config = PipelineConfig {
        memories: Arc::new(recall::patterns::builtin()),
        scenario: ScenarioName::Tour,
        stream: StreamConfig::default(),
        params: Params::default(),
        models: vec![ModelKind::Idp],
        seed: 3,
        speed: 1.0,
        pacing: Pacing::Unpaced {
            snapshot_every_steps: 50,
        },
        stop_at_secs: Some(1e9),
        paused: false,
    };
    assert_eq!(Params::default().beta, BETA_DEFAULT);
    let pipeline = Pipeline::start(config).expect("start");
    let next = |pred: &dyn Fn(&Snapshot) -> bool| loop {
        let s = pipeline.snapshots().recv_timeout(WAIT).expect("snapshot");
        if pred(&s) {
            return s;
        }
    };
    let wanted = modern(1.1, [2.0, 1.25]);
    pipeline
        .controls()
        .send(Control::SetDensity(wanted))
        .expect("send");
    let s = next(&|s| s.density.is_some());
    let view = s.density.clone().expect("view");
    assert_eq!(view.settings, wanted);
    assert!(
        matches!(view.solve, SolveState::Exact { .. }) && view.theory.is_some(),
        "{:?}",
        view.solve
    );
    assert!(view.masses.iter().all(|m| m.near_fp.is_some()));
    let mut said = false;
    while !said {
        let entry = pipeline.log().recv_timeout(WAIT).expect("log line");
        said = entry.text.contains("density: idp-modern β 2");
    }
    // Back to IDP: its grid solve is asked for again.
    pipeline
        .controls()
        .send(Control::SetDensity(wanted.other_model()))
        .expect("send");
    let s = next(&|s| {
        s.density
            .as_ref()
            .is_some_and(|d| d.settings.model == DensityModel::Idp)
    });
    let idp = s.density.expect("view");
    assert!(!idp.theory.as_ref().is_some_and(|t| t.exact));
    pipeline.shutdown().expect("shutdown");
}

/// `m` switches the network and keeps σ, α and β; a and b keep the network; the key is `m` in
/// the density view (and in a lesson's density chapter), and a viewer of `recall serve` is not
/// offered it.
#[test]
fn m_switches_the_network_keeping_sigma_alpha_and_beta() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use recall::ui::keys::{HintMode, KeyMode, hints, intent_in};
    let settings = DensitySettings {
        beta: 3.5,
        ..DensitySettings::FIG4B
    };
    let view = DensityLive::new(settings, 11).expect("settings").view();
    let mut app = fixture::density_app(view);
    let mut press = |intent| match app.update(Msg::Intent(intent)) {
        Some(Control::SetDensity(s)) => s,
        other => panic!("{intent:?} sent {other:?}"),
    };
    press(Intent::LowerNoise);
    let on = press(Intent::DensityModel);
    assert_eq!(
        (on.model, on.sigma, on.alphas, on.beta),
        (DensityModel::IdpModern, 0.7, [1.5, 2.25], 3.5)
    );
    let a = press(Intent::DensityFig4a);
    assert_eq!(
        (a.model, a.alphas, a.beta),
        (DensityModel::IdpModern, [1.5, 1.5], 3.5)
    );
    let off = press(Intent::DensityModel);
    assert_eq!(off.model, DensityModel::Idp);
    assert_eq!(
        off,
        DensitySettings {
            beta: 3.5,
            ..DensitySettings::FIG4A
        }
    );

    let m = KeyEvent::new(KeyCode::Char('m'), KeyModifiers::NONE);
    assert_eq!(intent_in(KeyMode::Density, m), Some(Intent::DensityModel));
    assert_eq!(
        intent_in(KeyMode::LessonDensity, m),
        Some(Intent::DensityModel)
    );
    assert_eq!(intent_in(KeyMode::Normal, m), Some(Intent::CycleModel));
    for width in [80, 120] {
        assert!(
            hints(HintMode::Density, width)
                .iter()
                .any(|(k, _)| *k == "m")
        );
        assert!(
            !hints(HintMode::ViewerDensity, width)
                .iter()
                .any(|(k, _)| *k == "m")
        );
    }
    let help = recall::ui::keys::HELP;
    assert!(
        help.iter()
            .any(|(k, what)| *k == "m" && what.contains("idp-modern")),
        "the ? overlay has m's line"
    );
}

/// The whole screen with idp-modern at four sizes (nothing cut: the key line ends with "q quit",
/// the summary with the time of the closed form): the model and β, the exact theory named as
/// such, the two wells +ξ1 +ξ2 (no mirrors) and the table against the exact density.
#[test]
fn the_modern_density_screen_at_four_sizes() {
    // What `m` shows from the view's opening (Fig. 4b's σ and α), 60 s after the burn-in.
    let mut view = run(modern(0.8, [1.5, 2.25]), 60.0);
    // The time of the closed form fixed, so the screen is the same on every machine.
    view.solve = SolveState::Exact { secs: Some(0.02) };
    let app = fixture::density_app(view);
    for (w, h) in [(80, 24), (100, 30), (120, 40), (200, 60)] {
        let text = common::screen(&app, w, h);
        for word in [
            "q quit",
            "in 0.02 s",
            "idp-modern",
            "β 2",
            "exact",
            "+ξ1",
            "+ξ2",
            "◆",
            "σ 0.8",
            "α2 2.25",
        ] {
            assert!(text.contains(word), "{w}×{h} lacks {word}:\n{text}");
        }
        assert!(
            !text.contains("−ξ1") && !text.contains("FP "),
            "{w}×{h}:\n{text}"
        );
        // The status line names the view's network, not the waiting dashboard's.
        let status = text.lines().next().unwrap_or_default();
        assert!(status.contains("idp-modern"), "{status}");
        let joined = common::run_together(&text);
        assert!(joined.is_empty(), "{w}×{h}: {joined:?}\n{text}");
        insta::assert_snapshot!(format!("density_modern_{w}x{h}"), text);
    }
    let text = common::screen(&app, 120, 40);
    assert!(
        text.contains("exp(−2E_β/σ²), exact: gradient flow"),
        "{text}"
    );
}

/// At a low β with equal α the softmax does not choose: one well between the memories, named
/// "mixture", and the "watch:" line says so instead of "one well per memory".
#[test]
fn a_low_beta_leaves_one_mixture_well_and_the_screen_says_so() {
    let settings = DensitySettings {
        beta: 0.2,
        ..modern(0.8, [1.5, 1.5])
    };
    let view = DensityLive::new(settings, 7).expect("settings").view();
    let names: Vec<String> = view.wells.iter().map(|w| w.name()).collect();
    assert_eq!(names, ["mixture"]);
    let text = common::screen(&fixture::density_app(view), 120, 40);
    assert!(
        text.contains("mixture") && text.contains("the softmax does not choose"),
        "{text}"
    );
    assert!(!text.contains("one well per memory"), "{text}");
}

/// During the burn-in the summary line is longer ("burn-in 24/60 s: masses of the cloud now");
/// where the theory's time does not fit, it is left out whole, not cut after "in" (at 100×30
/// the line ended "· exact 81² in").
#[test]
fn the_burn_in_summary_drops_the_theory_time_rather_than_cut_it() {
    let mut live = DensityLive::new(modern(0.8, [1.5, 2.25]), 11).expect("settings");
    for _ in 0..(24.0 / DT_SECS).round() as u64 {
        live.step();
    }
    let mut view = live.view();
    view.solve = SolveState::Exact { secs: Some(0.02) };
    let app = fixture::density_app(view);
    for (w, h) in [(80, 24), (100, 30), (120, 40), (200, 60)] {
        let text = common::screen(&app, w, h);
        let line = text
            .lines()
            .find(|l| l.contains("idp-modern β") && l.contains("burn-in 24/60 s"))
            .unwrap_or_else(|| panic!("{w}×{h}: no burn-in summary:\n{text}"));
        let words = line.trim_matches(|c: char| c == '│' || c.is_whitespace());
        assert!(
            words.ends_with("in 0.02 s") || words.ends_with("81²") || words.ends_with("now"),
            "{w}×{h}: {line}"
        );
    }
    // Wide enough, the whole of it.
    assert!(common::screen(&app, 200, 60).contains("exact 81² in 0.02 s"));
}
