//! The dashboard without a terminal: `App::update` decisions, and whole-screen snapshots of the
//! views (TestBackend + insta) from fixed synthetic snapshots.

mod common;
use common::text;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use recall::model::ModelKind;
use recall::pipeline::Control;
use recall::stimulus::ScenarioName;
use recall::ui::fixture;
use recall::ui::{App, Intent, Msg, Theme};

const PLAIN: Theme = Theme {
    color: true,
    ascii: false,
};

fn app(models: &[ModelKind], theme: Theme) -> App {
    let compare = (models.len() > 1).then(|| models[1..].to_vec());
    let mut app = App::new(theme, models[0], compare, ScenarioName::Glitch, 2.0, 1.0);
    app.update(Msg::Snapshot(Box::new(fixture::snapshot(models))));
    for line in fixture::log() {
        app.update(Msg::Log(line));
    }
    app.update(Msg::FrameRate(15.0));
    app
}

fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|f| f.render_widget(app, f.area()))
        .expect("draw");
    terminal
}

// ----- App::update -----

#[test]
fn keys_become_controls() {
    let mut a = app(&[ModelKind::Idp], PLAIN);
    assert_eq!(
        a.update(Msg::Intent(Intent::TogglePause)),
        Some(Control::SetPaused(true))
    );
    assert!(a.paused);
    assert_eq!(
        a.update(Msg::Intent(Intent::TogglePause)),
        Some(Control::SetPaused(false))
    );
    assert_eq!(
        a.update(Msg::Intent(Intent::RaiseNoise)),
        Some(Control::SetNoise(2.5))
    );
    assert_eq!(
        a.update(Msg::Intent(Intent::LowerNoise)),
        Some(Control::SetNoise(2.0))
    );
    assert_eq!(
        a.update(Msg::Intent(Intent::SpeedUp)),
        Some(Control::SetSpeed(2.0))
    );
    assert_eq!(
        a.update(Msg::Intent(Intent::SlowDown)),
        Some(Control::SetSpeed(1.0))
    );
    assert_eq!(
        a.update(Msg::Intent(Intent::InjectGlitch)),
        Some(Control::InjectGlitch)
    );
    assert_eq!(
        a.update(Msg::Intent(Intent::NextStimulus)),
        Some(Control::SkipToNext)
    );
    assert_eq!(
        a.update(Msg::Intent(Intent::ResetState)),
        Some(Control::ResetState)
    );
    assert_eq!(
        a.update(Msg::Intent(Intent::CycleScenario)),
        Some(Control::SetScenario(ScenarioName::NoiseRamp))
    );
    assert_eq!(
        a.update(Msg::Intent(Intent::CycleScenario)),
        Some(Control::SetScenario(ScenarioName::Tour))
    );
}

#[test]
fn noise_never_goes_negative_and_speed_stays_on_the_ladder() {
    let mut a = app(&[ModelKind::Idp], PLAIN);
    for _ in 0..10 {
        a.update(Msg::Intent(Intent::LowerNoise));
    }
    assert_eq!(a.noise_std, 0.0);
    for _ in 0..30 {
        a.update(Msg::Intent(Intent::SpeedUp));
    }
    assert_eq!(a.speed, 64.0);
    for _ in 0..30 {
        a.update(Msg::Intent(Intent::SlowDown));
    }
    assert_eq!(a.speed, 0.1);
}

#[test]
fn compare_and_model_cycling() {
    let mut a = app(&[ModelKind::Idp], PLAIN);
    assert_eq!(
        a.update(Msg::Intent(Intent::ToggleCompare)),
        Some(Control::SetModels(vec![
            ModelKind::Idp,
            ModelKind::ClassicPulsed
        ]))
    );
    assert_eq!(
        a.update(Msg::Intent(Intent::CycleModel)),
        Some(Control::SetModels(vec![
            ModelKind::IdpFilter,
            ModelKind::ClassicPulsed
        ]))
    );
    // Cycling onto the partner's kind picks another partner: never the same model twice.
    assert_eq!(
        a.update(Msg::Intent(Intent::CycleModel)),
        Some(Control::SetModels(vec![
            ModelKind::ClassicPulsed,
            ModelKind::Idp
        ]))
    );
    assert_eq!(
        a.update(Msg::Intent(Intent::ToggleCompare)),
        Some(Control::SetModels(vec![ModelKind::ClassicPulsed]))
    );
}

#[test]
fn help_and_quit() {
    let mut a = app(&[ModelKind::Idp], PLAIN);
    assert_eq!(a.update(Msg::Intent(Intent::ToggleHelp)), None);
    assert!(a.show_help);
    // Esc closes the help first, then quits.
    assert_eq!(a.update(Msg::Intent(Intent::Back)), None);
    assert!(!a.show_help && !a.should_quit);
    assert_eq!(a.update(Msg::Intent(Intent::Back)), Some(Control::Quit));
    assert!(a.should_quit);
}

#[test]
fn redraws_only_when_something_changed() {
    let mut a = app(&[ModelKind::Idp], PLAIN);
    assert!(a.is_dirty());
    a.mark_drawn();
    a.update(Msg::FrameRate(15.2));
    assert!(!a.is_dirty(), "an invisible change asked for a redraw");
    a.update(Msg::FrameRate(3.0));
    assert!(a.is_dirty());
    a.mark_drawn();
    a.update(Msg::Snapshot(Box::new(fixture::snapshot(&[
        ModelKind::Idp,
    ]))));
    assert!(a.is_dirty());
}

#[test]
fn the_log_is_bounded_and_keeps_the_newest() {
    let mut a = app(&[ModelKind::Idp], PLAIN);
    let mut line = fixture::log()[0].clone();
    for i in 0..1000 {
        line.time_secs = f64::from(i);
        a.update(Msg::Log(line.clone()));
    }
    assert_eq!(a.log.len(), recall::ui::app::LOG_LEN);
    assert_eq!(a.log.back().map(|l| l.time_secs), Some(999.0));
}

// ----- views -----

#[test]
fn view_compact_80x24() {
    let a = app(&[ModelKind::Idp], PLAIN);
    insta::assert_snapshot!("compact_80x24", draw(&a, 80, 24).backend());
}

#[test]
fn view_full_160x48() {
    let a = app(&[ModelKind::Idp], PLAIN);
    insta::assert_snapshot!("full_160x48", draw(&a, 160, 48).backend());
}

#[test]
fn view_compare_160x48() {
    let a = app(&[ModelKind::Idp, ModelKind::ClassicPulsed], PLAIN);
    insta::assert_snapshot!("compare_160x48", draw(&a, 160, 48).backend());
}

#[test]
fn view_compare_80x24() {
    let a = app(&[ModelKind::Idp, ModelKind::ClassicPulsed], PLAIN);
    insta::assert_snapshot!("compare_80x24", draw(&a, 80, 24).backend());
}

#[test]
fn view_help_and_paused_120x40() {
    let mut a = app(&[ModelKind::Idp], PLAIN);
    a.update(Msg::Intent(Intent::TogglePause));
    a.update(Msg::Intent(Intent::ToggleHelp));
    let screen = text(draw(&a, 120, 40).backend().buffer());
    assert!(screen.lines().next().is_some_and(|l| l.contains("PAUSED")));
    for needle in [
        "pause / resume",
        "inject a glitch now",
        "cycle the scenario",
    ] {
        assert!(screen.contains(needle), "help lacks {needle:?}");
    }
    insta::assert_snapshot!("help_paused_120x40", screen);
}

#[test]
fn view_ascii_has_only_ascii() {
    let theme = Theme {
        color: false,
        ascii: true,
    };
    let a = app(&[ModelKind::Idp, ModelKind::ClassicPulsed], theme);
    for (w, h) in [(80, 24), (160, 48)] {
        let screen = text(draw(&a, w, h).backend().buffer());
        let bad: String = screen.chars().filter(|c| !c.is_ascii()).collect();
        assert!(bad.is_empty(), "non-ASCII at {w}x{h}: {bad:?}");
        assert!(screen.contains('#'), "the images are missing");
    }
    insta::assert_snapshot!("ascii_80x24", draw(&a, 80, 24).backend());
}

#[test]
fn the_filter_key_switches_idp_and_shows_tau_alpha() {
    let mut a = app(&[ModelKind::Idp], PLAIN);
    assert!(!text(draw(&a, 120, 40).backend().buffer()).contains("τα"));
    assert_eq!(
        a.update(Msg::Intent(Intent::ToggleFilter)),
        Some(Control::SetModels(vec![ModelKind::IdpFilter]))
    );
    let screen = text(draw(&a, 120, 40).backend().buffer());
    assert!(screen.contains("idp-filter τα 2s"), "{screen}");
    assert_eq!(
        a.update(Msg::Intent(Intent::ToggleFilter)),
        Some(Control::SetModels(vec![ModelKind::Idp]))
    );
    // From a classic model the key turns the filter model on.
    a.model = ModelKind::ClassicPulsed;
    assert_eq!(
        a.update(Msg::Intent(Intent::ToggleFilter)),
        Some(Control::SetModels(vec![ModelKind::IdpFilter]))
    );
}

#[test]
fn the_trail_follows_the_snapshots_plane() {
    let mut a = app(&[ModelKind::Idp], PLAIN);
    assert_eq!(a.trail.len(), 1);
    let mut snap = fixture::snapshot(&[ModelKind::Idp]);
    if let Some(v) = snap.landscape.as_mut() {
        v.state.0 += 0.1;
    }
    a.update(Msg::Snapshot(Box::new(snap.clone())));
    assert_eq!(a.trail.len(), 2);
    snap.landscape = None;
    a.update(Msg::Snapshot(Box::new(snap)));
    assert!(a.trail.is_empty());
}

#[test]
fn the_screen_shows_every_panel() {
    let a = app(&[ModelKind::Idp], PLAIN);
    let screen = text(draw(&a, 160, 48).backend().buffer());
    for needle in [
        "input u",
        "state Ψ(x)",
        "recalled cat",
        "overlaps",
        "energy E(x;u)",
        "saliency α",
        "theory: the wells now",
        "energy E(a·cat + b·face)",
        "◆cat",
        "deepest cat",
        "events (model time)",
        "glitch to dog corrected",
        "idp",
        "glitch",
        "σ 2.0",
        "seed 7",
        "1024×8",
        "15 fps",
        "steps/s",
    ] {
        assert!(screen.contains(needle), "the screen lacks {needle:?}");
    }
    // The stimulus' dominant memory is marked in the legend.
    assert!(screen.lines().any(|l| l.contains("cat") && l.contains('◀')));
}

#[test]
fn below_the_minimum_it_says_so() {
    let a = app(&[ModelKind::Idp], PLAIN);
    let screen = text(draw(&a, 60, 20).backend().buffer());
    assert!(screen.contains("too small"), "{screen}");
    assert!(screen.contains("60×20"));
}

#[test]
fn no_size_panics() {
    for models in [
        &[ModelKind::Idp][..],
        &[
            ModelKind::Idp,
            ModelKind::ClassicPulsed,
            ModelKind::Discrete,
        ],
    ] {
        let mut a = app(models, PLAIN);
        a.update(Msg::Intent(Intent::ToggleHelp));
        for w in (0..=220).step_by(7) {
            for h in (0..=70).step_by(5) {
                draw(&a, w, h);
            }
        }
    }
    // And before the first snapshot.
    let a = App::new(PLAIN, ModelKind::Idp, None, ScenarioName::Tour, 2.0, 1.0);
    let screen = text(draw(&a, 80, 24).backend().buffer());
    assert!(screen.contains("starting"));
}

#[test]
fn state_images_change_only_by_whole_levels_and_at_the_image_rate() {
    let mut a = App::new(PLAIN, ModelKind::Idp, None, ScenarioName::Tour, 2.0, 1.0).with_fps(15);
    assert_eq!(a.image_every, 4);
    let mut snap = fixture::snapshot(&[ModelKind::Idp]);
    snap.models[0].activation_mean.fill(0.0);
    a.update(Msg::Snapshot(Box::new(snap.clone())));
    let shown = |a: &App| a.images.as_ref().map(|i| i.states[0][0]);
    assert_eq!(shown(&a), Some(0.0));
    // A wobble just past the boundary (0.25) never repaints, however many snapshots pass.
    snap.models[0].activation_mean.fill(0.3);
    for _ in 0..8 {
        a.update(Msg::Snapshot(Box::new(snap.clone())));
    }
    assert_eq!(shown(&a), Some(0.0));
    // A real change shows at the next image refresh (every fourth snapshot at 15 fps).
    snap.models[0].activation_mean.fill(0.9);
    for _ in 0..3 {
        a.update(Msg::Snapshot(Box::new(snap.clone())));
    }
    let before = shown(&a);
    a.update(Msg::Snapshot(Box::new(snap.clone())));
    assert_eq!(before, Some(0.0));
    assert_eq!(shown(&a), Some(1.0));
    // From an intermediate level, the extreme is reachable (no pixel sticks at a grey).
    snap.models[0].activation_mean.fill(0.5);
    for _ in 0..4 {
        a.update(Msg::Snapshot(Box::new(snap.clone())));
    }
    assert_eq!(shown(&a), Some(0.5));
    snap.models[0].activation_mean.fill(0.95);
    for _ in 0..4 {
        a.update(Msg::Snapshot(Box::new(snap.clone())));
    }
    assert_eq!(shown(&a), Some(1.0), "stuck at a grey level");
    // After a key press the very next snapshot refreshes the images.
    snap.models[0].activation_mean.fill(-1.0);
    a.update(Msg::Intent(Intent::ResetState));
    a.update(Msg::Snapshot(Box::new(snap)));
    assert_eq!(shown(&a), Some(-1.0));
}

/// Not a test: `perf stat` this (with --ignored) to get the CPU time of 2000 frames at 200×60
/// independently of the machine's load (the criterion bench `render` measures wall time).
#[test]
#[ignore]
fn render_2000_frames_200x60() {
    let a = app(&[ModelKind::Idp], PLAIN);
    let area = ratatui::layout::Rect::new(0, 0, 200, 60);
    let mut buf = Buffer::empty(area);
    for _ in 0..2000 {
        buf.reset();
        ratatui::widgets::Widget::render(&a, area, &mut buf);
    }
    assert!(text(&buf).contains("overlaps"));
}
