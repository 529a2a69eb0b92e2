//! The live view of the paper's Fig. 4 (issue 29): run headless through the pipeline, the
//! particles' masses per well converge to the Fokker–Planck solve's at fig4b (and a wrong drift
//! is caught by the same check); `Control::SetDensity` and the keys change σ and α; the view's
//! whole screen at 80×24, 120×40 and 200×60.

mod common;

use std::sync::Arc;
use std::time::Duration;

use recall::model::density::TwoNeuron;
use recall::model::{ModelKind, Params};
use recall::pipeline::density::{
    BURN_IN_SECS, DT_SECS, DensityLive, DensitySettings, DensityView, SolveState,
};
use recall::pipeline::{Control, Pacing, Pipeline, PipelineConfig, Snapshot};
use recall::stimulus::{ScenarioName, StreamConfig};
use recall::ui::{Intent, Msg, fixture};

const WAIT: Duration = Duration::from_secs(120);

fn config(stop_at_secs: f64, seed: u64) -> PipelineConfig {
    PipelineConfig {
        memories: Arc::new(recall::patterns::builtin()),
        scenario: ScenarioName::Density,
        stream: StreamConfig::default(),
        params: Params::default(),
        models: vec![ModelKind::Idp],
        seed,
        speed: 1.0,
        pacing: Pacing::Unpaced {
            snapshot_every_steps: 2000,
        },
        stop_at_secs: Some(stop_at_secs),
        paused: false,
    }
}

/// The final snapshot of a headless run of the density view (it carries the solve).
fn final_view(pipeline: &Pipeline) -> Arc<DensityView> {
    loop {
        let snap = pipeline
            .snapshots()
            .recv_timeout(WAIT)
            .expect("a snapshot before the timeout");
        if snap.finished {
            return snap.density.clone().expect("the density view");
        }
    }
}

/// Every well's measured masses (near and basin) against the solve's: the largest
/// |measured − FP| and the wells where it exceeds max(4 s.e., 0.01).
fn compare(view: &DensityView) -> (f64, Vec<String>) {
    let mut worst: f64 = 0.0;
    let mut off = Vec::new();
    for (w, m) in view.wells.iter().zip(&view.masses) {
        let pairs = [
            ("near", Some(m.near), m.near_fp),
            ("basin", m.basin, m.basin_fp),
        ];
        for (what, measured, fp) in pairs {
            let (Some(e), Some(fp)) = (measured, fp) else {
                off.push(format!("{} {what}: no number", w.name()));
                continue;
            };
            let diff = (e.mean - fp).abs();
            worst = worst.max(diff);
            let allowed = (4.0 * e.se.unwrap_or(0.0)).max(0.01);
            if diff > allowed {
                off.push(format!(
                    "{} {what}: {:.4} ± {:.4} against {fp:.4}",
                    w.name(),
                    e.mean,
                    e.se.unwrap_or(f64::NAN)
                ));
            }
        }
    }
    (worst, off)
}

/// Fig. 4b at σ = 0.8: started over the four wells, the cloud is far from the stationary
/// density in the burn-in, and after 120 s of samples the masses near each well and in each
/// basin agree with the grid solve within their errors; the dominant memory's basins hold
/// most of the mass.
#[test]
fn the_live_masses_converge_to_the_fokker_planck_solve_at_fig4b() {
    let early = Pipeline::start(config(2.0, 11)).expect("start");
    let view = final_view(&early);
    early.shutdown().expect("shutdown");
    assert!(!view.sampling);
    assert!(matches!(view.solve, SolveState::Solved { .. }));
    let (worst_early, _) = compare(&view);
    assert!(
        worst_early > 0.1,
        "2 s after the start the cloud should still be far off: {worst_early}"
    );

    let stop = BURN_IN_SECS + 120.0;
    let late = Pipeline::start(config(stop, 11)).expect("start");
    let view = final_view(&late);
    late.shutdown().expect("shutdown");
    assert!(view.sampling);
    assert!((view.time_secs - stop).abs() < DT_SECS);
    assert_eq!(view.samples, 1200 * view.particles as u64);
    let (worst, off) = compare(&view);
    assert!(off.is_empty(), "masses off the theory: {off:?}");
    assert!(worst < worst_early / 3.0, "{worst} against {worst_early}");
    let dominant: f64 = view
        .wells
        .iter()
        .zip(&view.masses)
        .filter(|(w, _)| w.memory == 1)
        .map(|(_, m)| m.basin.expect("basins").mean)
        .sum();
    assert!(dominant > 0.9, "ξ2's basins hold {dominant}");
}

/// The same check catches a wrong drift: particles that follow α swapped (ξ1 dominant), or
/// the zero-diagonal W, while the theory is Fig. 4b's.
#[test]
fn the_check_fails_when_the_particles_drift_wrongly() {
    let settings = DensitySettings::FIG4B;
    for wrong in [
        TwoNeuron::new([2.25, 1.5], 1.0),
        TwoNeuron {
            w: [[0.0, -0.375], [-0.375, 0.0]],
            ..TwoNeuron::new(settings.alphas, 1.0)
        },
    ] {
        let mut live = DensityLive::new(settings, 11)
            .expect("settings")
            .with_particle_model(wrong);
        live.solve_now();
        for _ in 0..((BURN_IN_SECS + 60.0) / DT_SECS) as u64 {
            live.step();
        }
        let (worst, off) = compare(&live.view());
        assert!(worst > 0.1 && !off.is_empty(), "{wrong:?}: {worst} {off:?}");
    }
}

/// `Control::SetDensity` switches a run to the density view and sets σ and α; the view
/// follows, a new solve is asked for, and settings out of range are refused (logged, kept).
#[test]
fn set_density_switches_to_the_view_and_sets_sigma_and_alpha() {
    let mut c = config(1e9, 3);
    c.scenario = ScenarioName::Tour;
    c.pacing = Pacing::Unpaced {
        snapshot_every_steps: 50,
    };
    let pipeline = Pipeline::start(c).expect("start");
    let next = |pred: &dyn Fn(&Snapshot) -> bool| loop {
        let s = pipeline.snapshots().recv_timeout(WAIT).expect("snapshot");
        if pred(&s) {
            return s;
        }
    };
    let first = next(&|_| true);
    assert!(first.density.is_none());
    let wanted = DensitySettings {
        sigma: 1.1,
        alphas: [2.0, 1.25],
        ..DensitySettings::FIG4B
    };
    pipeline
        .controls()
        .send(Control::SetDensity(wanted))
        .expect("send");
    let s = next(&|s| s.density.is_some());
    assert_eq!(s.status.scenario, ScenarioName::Density);
    let view = s.density.clone().expect("view");
    assert_eq!(view.settings, wanted);
    // The network waits while the particles run.
    let network_steps = s.steps;
    let later = next(&|s| s.density.as_ref().is_some_and(|d| d.time_secs > 2.0));
    assert_eq!(later.steps, network_steps);
    let bad = DensitySettings {
        sigma: 50.0,
        ..wanted
    };
    pipeline
        .controls()
        .send(Control::SetDensity(bad))
        .expect("send");
    let mut refused = false;
    while !refused {
        let entry = pipeline.log().recv_timeout(WAIT).expect("log line");
        refused = entry.text.contains("density refused") && entry.text.contains("σ = 50");
    }
    let kept = next(&|_| true);
    assert_eq!(kept.density.expect("view").settings, wanted);
    pipeline
        .controls()
        .send(Control::SetScenario(ScenarioName::Tour))
        .expect("send");
    let back = next(&|s| s.density.is_none());
    assert_eq!(back.status.scenario, ScenarioName::Tour);
    pipeline.shutdown().expect("shutdown");
}

/// A view of the density scenario: 60 s of Fig. 4b's particles at seed 7, solved (the solve's
/// time fixed, so the screen is the same on every machine).
fn density_view(settings: DensitySettings, secs: f64) -> DensityView {
    let mut live = DensityLive::new(settings, 7).expect("settings");
    live.solve_now();
    for _ in 0..(secs / DT_SECS).round() as u64 {
        live.step();
    }
    let mut view = live.view();
    view.solve = SolveState::Solved { secs: Some(0.48) };
    view
}

/// The keys of the density view: + − σ, ← → α1, ↑ ↓ α2, a b the paper's panels, each a
/// `Control::SetDensity` a lesson can send as well.
#[test]
fn the_keys_change_sigma_and_alpha() {
    let mut app = fixture::density_app(density_view(DensitySettings::FIG4B, 0.0));
    let mut press = |intent| match app.update(Msg::Intent(intent)) {
        Some(Control::SetDensity(s)) => s,
        other => panic!("{intent:?} sent {other:?}"),
    };
    let expect = |got: DensitySettings, sigma: f64, a1: f64, a2: f64| {
        assert!(
            (got.sigma - sigma).abs() < 1e-9
                && (got.alphas[0] - a1).abs() < 1e-9
                && (got.alphas[1] - a2).abs() < 1e-9,
            "{got:?} against σ {sigma}, α {a1}, {a2}"
        );
    };
    expect(press(Intent::RaiseNoise), 0.9, 1.5, 2.25);
    expect(press(Intent::LowerNoise), 0.8, 1.5, 2.25);
    expect(press(Intent::LowerNoise), 0.7, 1.5, 2.25);
    expect(press(Intent::RaiseFirst), 0.7, 1.75, 2.25);
    expect(press(Intent::LowerSecond), 0.7, 1.75, 2.0);
    assert_eq!(press(Intent::DensityFig4a), DensitySettings::FIG4A);
    assert_eq!(press(Intent::DensityFig4b), DensitySettings::FIG4B);
    // The arrows reach the view through its key mode.
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    let mode = app.key_mode();
    let intent = |code| recall::ui::keys::intent_in(mode, key(code));
    assert_eq!(intent(KeyCode::Right), Some(Intent::RaiseFirst));
    assert_eq!(intent(KeyCode::Up), Some(Intent::RaiseSecond));
    assert_eq!(intent(KeyCode::Char('a')), Some(Intent::DensityFig4a));
    assert_eq!(intent(KeyCode::Char('+')), Some(Intent::RaiseNoise));
}

/// The whole screen of the density view at three sizes: both maps, the wells (where they are,
/// to one decimal at 80 columns), the table with its numbers, the key line, nothing cut; and while a solve is pending it says so and shows no theory.
#[test]
fn the_density_screen_at_three_sizes() {
    let app = fixture::density_app(density_view(DensitySettings::FIG4B, BURN_IN_SECS + 40.0));
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        let text = common::screen(&app, w, h);
        for word in [
            "particles",
            "◆",
            "+ξ2",
            "−ξ1",
            "FP",
            "basin",
            "σ 0.8",
            "α2 2.25",
            "at ",
            "(−2.",
            "│P ",
        ] {
            assert!(text.contains(word), "{w}×{h} lacks {word}:\n{text}");
        }
        // Titles and columns are shortened where narrow, never cut.
        assert!(!text.contains('…'), "{w}×{h} cuts a word:\n{text}");
        let joined = common::run_together(&text);
        assert!(joined.is_empty(), "{w}×{h}: {joined:?}\n{text}");
        insta::assert_snapshot!(format!("density_{w}x{h}"), text);
    }
    let mut pending = density_view(DensitySettings::FIG4A, 3.0);
    pending.theory = None;
    pending.solve = SolveState::Solving;
    for m in &mut pending.masses {
        m.near_fp = None;
        m.basin_fp = None;
        m.basin = None;
    }
    let text = common::screen(&fixture::density_app(pending), 120, 40);
    assert!(
        text.contains("solving…") && text.contains("burn-in"),
        "{text}"
    );
    assert!(!text.contains("0.183"), "{text}");
    insta::assert_snapshot!("density_solving_120x40", text);
}

/// The density view in the lesson's last chapter (the Fig. 4 chapter), its caption under it.
fn lesson_density_app(view: DensityView) -> recall::ui::App {
    fixture::density_app_with(view, |snap| {
        let lesson = Arc::new(recall::lesson::builtin());
        let last = lesson.chapters.len() - 1;
        let mut progress = recall::lesson::Progress::new(lesson, false);
        progress.start(0.0);
        for _ in 0..last {
            progress.next(0.0);
        }
        let caption = {
            let live = recall::pipeline::lesson_live(snap, snap.time_secs);
            progress.view(snap.time_secs, &live)
        };
        snap.lesson = Some(Arc::new(caption));
    })
}

/// In a lesson at 80×24 the caption leaves the maps too few rows to read (they were 3 rows and
/// 8 columns): the table alone, under a line that says where the maps went; at 100×30 the maps.
#[test]
fn a_short_window_shows_the_table_and_says_where_the_maps_went() {
    let view = || density_view(DensitySettings::FIG4B, BURN_IN_SECS + 40.0);
    let app = lesson_density_app(view());
    let short = common::screen(&app, 80, 24);
    // How much taller, so that a teacher knows what to do.
    assert!(short.contains("need a window 1 row taller"), "{short}");
    assert!(!short.contains("│P "), "no map key: {short}");
    for word in ["+ξ2", "−ξ1", "FP", "basin", "σ 0.8", "7/7"] {
        assert!(short.contains(word), "80×24 lacks {word}:\n{short}");
    }
    let taller = common::screen(&lesson_density_app(view()), 100, 30);
    assert!(
        taller.contains("│P ") && !taller.contains("need a window"),
        "{taller}"
    );
}

/// A memory's two wells trade particles, so the error of their summed basins is taken from the
/// groups' sums (what the lesson's `{density}` quotes), not added as if the wells were
/// independent: the basins of ξ1 and ξ2 share the grid, so the two memories' errors are alike
/// and the sum's error is well below the independent sum of the wells'.
#[test]
fn a_memorys_basins_are_summed_group_by_group() {
    let view = density_view(DensitySettings::FIG4B, 140.0);
    let [one, two] = view.memory_basins.map(|e| e.expect("solved"));
    let (se1, se2) = (one.se.expect("se"), two.se.expect("se"));
    assert!((one.mean + two.mean - 1.0).abs() < 0.01, "{one:?} {two:?}");
    let wells = |memory: usize| -> f64 {
        view.wells
            .iter()
            .zip(&view.masses)
            .filter(|(w, _)| w.memory == memory)
            .map(|(_, m)| m.basin.and_then(|b| b.se).expect("se").powi(2))
            .sum::<f64>()
            .sqrt()
    };
    assert!(
        (se1 - se2).abs() < 0.5 * se1.max(se2),
        "ξ1 ± {se1}, ξ2 ± {se2}"
    );
    assert!(se2 < 0.5 * wells(1), "ξ2 ± {se2} against {}", wells(1));
}

/// A viewer of `recall serve` in the density view is offered only the keys that do something
/// there: no "↑/↓ memories" (there is no memory table) and no "c compare shown".
#[test]
fn a_viewer_of_the_density_view_is_offered_only_its_keys() {
    use recall::ui::app::Audience;
    use recall::ui::keys::{HintMode, hints};
    let app = fixture::density_app(density_view(DensitySettings::FIG4B, 1.0))
        .following_run(Audience::default());
    assert_eq!(app.hint_mode(), HintMode::ViewerDensity);
    let words: Vec<&str> = hints(app.hint_mode(), 120)
        .iter()
        .map(|(_, w)| *w)
        .collect();
    assert!(!words.contains(&"memories"), "{words:?}");
    assert!(!words.contains(&"compare shown"), "{words:?}");
    assert!(words.contains(&"pause this screen"), "{words:?}");
}

/// During the burn-in the masses are the cloud's now, not yet of the stationary density: no z
/// (a user trial saw z +15.0, +29.8, −23.8 at "burn-in 4/60 s").
#[test]
fn no_z_during_the_burn_in() {
    let view = density_view(DensitySettings::FIG4B, 4.0);
    assert!(!view.sampling, "4 s in, the burn-in goes on");
    let text = common::screen(&fixture::density_app(view), 120, 40);
    assert!(text.contains("burn-in"), "{text}");
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" ± ") && l.contains('('))
        .collect();
    assert!(!rows.is_empty(), "{text}");
    for row in rows {
        let signed = row.split_whitespace().filter(|w| {
            // A z is a signed number alone ("+15.0"), not a well's coordinate ("-1.29)").
            !w.contains([',', ')'])
                && (w.starts_with('+') || w.starts_with('−') || w.starts_with('-'))
                && w.chars().nth(1).is_some_and(|c| c.is_ascii_digit())
        });
        assert_eq!(signed.count(), 0, "a z in the burn-in: {row}\n{text}");
    }
}
