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
        Some(Control::SetScenario(ScenarioName::Explore))
    );
    assert_eq!(
        a.update(Msg::Intent(Intent::CycleScenario)),
        Some(Control::SetScenario(ScenarioName::Density))
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

/// A `--speed` beyond the ladder's ends: `]` never slows it and `[` never speeds it up (from
/// ×1000 `]` went to ×64, from ×0.01 `[` to ×0.1).
#[test]
fn the_speed_keys_go_the_way_they_say_from_beyond_the_ladder() {
    let at = |speed: f64| {
        App::new(
            PLAIN,
            ModelKind::Idp,
            None,
            ScenarioName::Glitch,
            2.0,
            speed,
        )
    };
    let mut fast = at(1000.0);
    // Nothing changes, and nothing is sent (a served run logged "set speed" to every screen).
    assert_eq!(fast.update(Msg::Intent(Intent::SpeedUp)), None);
    assert_eq!(fast.speed, 1000.0);
    fast.update(Msg::Intent(Intent::SlowDown));
    assert_eq!(fast.speed, 64.0);
    let mut slow = at(0.01);
    slow.update(Msg::Intent(Intent::SlowDown));
    assert_eq!(slow.speed, 0.01);
    slow.update(Msg::Intent(Intent::SpeedUp));
    assert_eq!(slow.speed, 0.1);
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
fn the_frame_rate_says_it_is_being_counted_until_it_is() {
    // Before the first second is counted the status line says "…", not "0 fps".
    let mut a = App::new(PLAIN, ModelKind::Idp, None, ScenarioName::Glitch, 2.0, 1.0);
    a.update(Msg::Snapshot(Box::new(fixture::snapshot(&[
        ModelKind::Idp,
    ]))));
    let status = rows(&a, 120, 40)[0].clone();
    assert!(status.contains("│ … fps │"), "{status}");
    a.mark_drawn();
    a.update(Msg::FrameRate(15.0));
    assert!(a.is_dirty(), "the first count is a visible change");
    let status = rows(&a, 120, 40)[0].clone();
    assert!(status.contains("│ 15 fps │"), "{status}");
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

const SIZES: [(u16, u16); 5] = [(80, 24), (100, 30), (120, 40), (160, 48), (200, 60)];
const FOUR: [ModelKind; 4] = [
    ModelKind::Idp,
    ModelKind::IdpFilter,
    ModelKind::ClassicPulsed,
    ModelKind::Discrete,
];

#[test]
fn views_at_every_size() {
    let one = app(&[ModelKind::Idp], PLAIN);
    let four = app(&FOUR, PLAIN);
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("view_{w}x{h}"), draw(&one, w, h).backend());
        insta::assert_snapshot!(format!("compare4_{w}x{h}"), draw(&four, w, h).backend());
    }
    let two = app(&[ModelKind::Idp, ModelKind::ClassicPulsed], PLAIN);
    insta::assert_snapshot!("compare2_120x40", draw(&two, 120, 40).backend());
    let three = app(&FOUR[..3], PLAIN);
    insta::assert_snapshot!("compare3_160x48", draw(&three, 160, 48).backend());
}

/// The screen's rows, for searching.
fn rows(a: &App, w: u16, h: u16) -> Vec<String> {
    text(draw(a, w, h).backend().buffer())
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn every_memory_has_its_saliency_and_theory_row() {
    let a = app(&[ModelKind::Idp], PLAIN);
    let names = fixture::memories().names().to_vec();
    assert_eq!(names.len(), 10, "the built-in set");
    for (w, h) in [(120, 40), (100, 30), (160, 48), (200, 60)] {
        let screen = rows(&a, w, h);
        for name in &names {
            // One row holds the name, its α value and its standing.
            let row = screen.iter().find(|r| {
                r.contains(&format!("│{name} "))
                    && (r.contains(" well ") || r.contains(" none ") || r.contains(" saddle "))
            });
            assert!(
                row.is_some(),
                "{w}x{h}: no α and theory row for {name}:\n{}",
                screen.join("\n")
            );
        }
        assert!(
            !screen.join("\n").contains("more ↓"),
            "{w}x{h}: nothing is hidden"
        );
    }
}

#[test]
fn twelve_memories_fit_at_120x40_and_more_scroll() {
    let twelve = fixture::memories_with(2);
    let mut a = App::new(PLAIN, ModelKind::Idp, None, ScenarioName::Glitch, 2.0, 1.0);
    a.update(Msg::Snapshot(Box::new(fixture::snapshot_of(
        twelve.clone(),
        &[ModelKind::Idp],
        false,
    ))));
    let screen = rows(&a, 120, 40).join("\n");
    for name in twelve.names() {
        assert!(
            screen.contains(&format!("│{name} ")),
            "{name} is missing:\n{screen}"
        );
    }
    // Sixteen do not: the table says how many more and scrolls to them.
    let sixteen = fixture::memories_with(6);
    a.update(Msg::Snapshot(Box::new(fixture::snapshot_of(
        sixteen.clone(),
        &[ModelKind::Idp],
        false,
    ))));
    // A table row: the name after a border, and the threshold tick of its bar.
    let table_row = |screen: &[String], name: &str| {
        screen
            .iter()
            .any(|r| r.contains(&format!("│{name} ")) && r.contains('┃'))
    };
    let screen = rows(&a, 120, 40).join("\n");
    assert!(screen.contains("more ↓"), "{screen}");
    assert!(!table_row(&rows(&a, 120, 40), "extra6"), "{screen}");
    for _ in 0..10 {
        assert_eq!(a.update(Msg::Intent(Intent::ScrollDown)), None);
    }
    let screen = rows(&a, 120, 40).join("\n");
    assert!(
        table_row(&rows(&a, 120, 40), "extra6"),
        "scrolled to the end:\n{screen}"
    );
    assert!(screen.contains("above ↑"), "{screen}");
    for _ in 0..20 {
        a.update(Msg::Intent(Intent::ScrollUp));
    }
    assert_eq!(a.memory_offset, 0);
}

#[test]
fn log_lines_are_whole_and_a_change_takes_one_line() {
    let a = app(&[ModelKind::Idp], PLAIN);
    // The transition and the retrieval at 12.4 s became one entry.
    let texts: Vec<&str> = a.log.iter().map(|e| e.text.as_str()).collect();
    assert!(texts.contains(&"cat → tree after 2.4 s"), "{texts:?}");
    assert_eq!(a.log.len(), fixture::log().len() - 1);
    let screen = rows(&a, 120, 40).join("\n");
    for whole in [
        "retrieved cat after 1.8 s",
        "cat → tree after 2.4 s",
        "glitch to dog at 32.0 s",
    ] {
        assert!(screen.contains(whole), "120x40 lacks {whole:?}:\n{screen}");
    }
    // At 100×30 the newest entries, whole.
    let screen = rows(&a, 100, 30).join("\n");
    for whole in [
        "glitch to dog at 32.0 s corrected",
        "glitch to dog at 32.0 s followed",
        "dog → cat",
    ] {
        assert!(screen.contains(whole), "100x30 lacks {whole:?}:\n{screen}");
    }
    // In compare mode the lines are longer and wrap under their text, never cut.
    let four = app(&FOUR, PLAIN);
    let screen = rows(&four, 120, 40).join("\n");
    assert!(screen.contains("glitch to dog"), "{screen}");
    assert!(screen.contains("followed"), "{screen}");
}

#[test]
fn a_model_not_running_keeps_its_name_in_the_log() {
    // IDP alone, with lines from the pulsed model (a comparison since turned off, a lesson's
    // earlier chapter): IDP's lines go unnamed, the pulsed model's say whose they are, so
    // that "followed" is not read as IDP's. At 100×30 the log shows the newest entries.
    let a = app(&[ModelKind::Idp], PLAIN);
    let screen = rows(&a, 100, 30).join("\n");
    for named in ["34.0s pulsed   glitch to dog", "36.2s pulsed   dog → cat"] {
        assert!(screen.contains(named), "no {named:?}:\n{screen}");
    }
    assert!(screen.contains("34.0s glitch to dog"), "{screen}");
    assert!(!screen.contains("idp   "), "{screen}");
}

#[test]
fn the_readout_never_breaks_an_item() {
    for models in [&[ModelKind::Idp][..], &FOUR[..2]] {
        let a = app(models, PLAIN);
        for (w, h) in SIZES {
            let screen = rows(&a, w, h).join("\n");
            assert!(!screen.contains("accuracy 9\n"), "{w}x{h}");
            if models.len() == 1 {
                assert!(screen.contains("accuracy 97%"), "{w}x{h}:\n{screen}");
                assert!(screen.contains("m=+0."), "{w}x{h}:\n{screen}");
            }
        }
    }
}

#[test]
fn compare_shows_each_models_name_recall_and_accuracy() {
    for count in [2, 3, 4] {
        let a = app(&FOUR[..count], PLAIN);
        for (w, h) in [(120, 40), (160, 48)] {
            let screen = rows(&a, w, h);
            let all = screen.join("\n");
            // The status line fits: it ends with the model time, never cut.
            assert!(
                screen[0].trim_end().ends_with("47.3s"),
                "{w}x{h}: {}",
                screen[0]
            );
            for kind in &FOUR[..count] {
                let short = match kind {
                    ModelKind::ClassicPulsed => "pulsed",
                    ModelKind::IdpFilter => "idp-fil…",
                    other => other.name(),
                };
                assert!(
                    all.contains(&format!("{short} Ψ(x)")),
                    "{w}x{h}: no {short} image"
                );
            }
            // Each state image names what it recalls and the accuracy, with ✓ on cat.
            assert!(all.contains("cat ✓ 97%"), "{w}x{h}:\n{all}");
            assert!(all.contains("cat ✓ 81%"), "{w}x{h}:\n{all}");
            // Both charts have legends: the memories beside the strips, the models beside
            // (or under) the energy.
            assert!(all.contains("■ house"), "{w}x{h}: no overlap legend");
            assert!(
                all.contains("━ idp-fil…"),
                "{w}x{h}: no energy legend:\n{all}"
            );
            assert!(all.contains("idp: energy on"), "{w}x{h}: whose landscape");
        }
    }
}

#[test]
fn the_check_mark_means_the_memory_the_stream_holds() {
    // Inside the glitch to dog: IDP held cat (the memory the stream holds) and gets the ✓;
    // the pulsed model followed the glitch to dog, what the input shows, and gets none.
    let models = [ModelKind::Idp, ModelKind::ClassicPulsed];
    let mut a = App::new(
        PLAIN,
        ModelKind::Idp,
        Some(vec![ModelKind::ClassicPulsed]),
        ScenarioName::Glitch,
        2.0,
        1.0,
    );
    a.update(Msg::Snapshot(Box::new(fixture::snapshot_of(
        fixture::memories(),
        &models,
        true,
    ))));
    let screen = rows(&a, 160, 48).join("\n");
    assert!(screen.contains("cat ✓ 97%"), "{screen}");
    assert!(screen.contains("dog 81%"), "{screen}");
    assert!(!screen.contains("dog ✓"), "{screen}");
    assert!(screen.contains("holds cat"), "{screen}");
}

#[test]
fn the_newest_pattern_error_is_readable_and_e_lists_them_all() {
    let mut a = app(&[ModelKind::Idp], PLAIN);
    let long = "/home/someone/projects/recall/my-patterns/tee.txt:3:30: unknown character 'x': \
                expected '#' (on) or '.' (off)";
    let other = "/home/someone/projects/recall/my-patterns/owl.pbm:1:1: not a PBM file: \
                 expected P1 or P4, found 'GI'";
    let mut snap = fixture::snapshot(&[ModelKind::Idp]);
    snap.status.pattern_errors = vec![other.to_string(), long.to_string()];
    a.update(Msg::Snapshot(Box::new(snap)));
    a.update(Msg::Log(recall::pipeline::LogEntry {
        time_secs: 40.0,
        source: recall::pipeline::Source::Patterns,
        kind: recall::pipeline::LogKind::Error,
        text: long.to_string(),
        who: None,
    }));
    for (w, h) in [(120, 40), (100, 30), (80, 24)] {
        let screen = rows(&a, w, h);
        // The error line (above the footer) holds the newest error in full, wrapped.
        let bar: String = screen[..h as usize - 1]
            .iter()
            .rev()
            .take_while(|r| !r.starts_with('└'))
            .map(|r| r.trim())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(bar.contains(long), "{w}x{h}: the error line is {bar:?}");
        assert!(screen[0].contains("2 bad"), "{w}x{h}: {}", screen[0]);
    }
    assert_eq!(a.update(Msg::Intent(Intent::ToggleErrors)), None);
    let screen = rows(&a, 120, 40).join("\n");
    let joined = screen.replace("│", " ");
    for error in [long, other] {
        let words: Vec<&str> = error.split(' ').collect();
        for w in words {
            assert!(
                joined.contains(w),
                "the overlay lacks {w:?} of {error:?}:\n{screen}"
            );
        }
    }
    insta::assert_snapshot!("errors_overlay_120x40", screen);
    assert_eq!(a.update(Msg::Intent(Intent::Back)), None);
    assert!(!a.show_errors && !a.should_quit);
    // The help lists the key.
    a.update(Msg::Intent(Intent::ToggleHelp));
    assert!(
        rows(&a, 120, 40)
            .join("\n")
            .contains("every pattern-file error")
    );
}

#[test]
fn ten_memories_have_ten_colours_and_more_reuse_them_with_other_glyphs() {
    let colours: Vec<_> = (0..10).map(|mu| PLAIN.memory(mu).fg).collect();
    for i in 0..10 {
        for j in 0..i {
            assert_ne!(
                colours[i], colours[j],
                "memories {i} and {j} share a colour"
            );
        }
    }
    assert_eq!(PLAIN.memory(12).fg, PLAIN.memory(2).fg);
    assert_ne!(PLAIN.memory_marker(12), PLAIN.memory_marker(2));
    assert_ne!(PLAIN.memory_glyph(12), PLAIN.memory_glyph(2));
}

#[test]
fn compact_and_medium_say_where_the_rest_went() {
    let a = app(&[ModelKind::Idp], PLAIN);
    let small = rows(&a, 80, 24);
    assert!(small[23].contains("from 100×30"), "{}", small[23]);
    let medium = rows(&a, 100, 30);
    assert!(medium[29].contains("from 120×40"), "{}", medium[29]);
    let full = rows(&a, 120, 40);
    assert!(!full[39].contains(" from "), "{}", full[39]);
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
fn the_help_offers_ctrl_z_only_where_it_suspends() {
    let mut a = app(&[ModelKind::Idp], PLAIN);
    a.update(Msg::Intent(Intent::ToggleHelp));
    let own = text(draw(&a, 120, 40).backend().buffer());
    assert!(own.contains("Ctrl-Z"), "{own}");
    // A presenter's screen of `recall serve`: the server does not stop for Ctrl-Z.
    a.audience = Some(recall::ui::Audience {
        controls: true,
        controller: "you".into(),
        shared: false,
        watching: 2,
        join: None,
        frozen: false,
    });
    let served = text(draw(&a, 120, 40).backend().buffer());
    assert!(served.contains("pause / resume"), "{served}");
    assert!(!served.contains("Ctrl-Z"), "{served}");
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
    assert!(
        screen
            .lines()
            .next()
            .is_some_and(|l| l.contains("idp-filter") && l.contains("τα 2s")),
        "{screen}"
    );
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
        "energy E",
        "memories: α and the theory",
        "energy on Ψ = a·cat + b·",
        "E/N ",
        "#1",
        "events (model time)",
        "glitch to dog at 32.0 s",
        "idp",
        "glitch",
        "σ 2.0",
        "seed 7",
        "1024×10",
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
    // Narrow, every line still shows (at 30×8 the long form wrapped and lost its end).
    let narrow = text(draw(&a, 30, 8).backend().buffer());
    for needle in ["too small", "80×24", "30×8", "q"] {
        assert!(narrow.contains(needle), "{needle:?} missing: {narrow}");
    }
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

#[test]
fn the_landscape_changes_only_by_more_than_most_of_a_level() {
    let mut a = App::new(PLAIN, ModelKind::Idp, None, ScenarioName::Tour, 2.0, 1.0).with_fps(15);
    let snap = fixture::snapshot(&[ModelKind::Idp]);
    a.update(Msg::Snapshot(Box::new(snap.clone())));
    // Bit patterns, so that the NaN outside the diamond compares equal.
    let bits = |e: &[f64]| e.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let shown = |a: &App| a.landscape.as_ref().map(|v| bits(&v.grid.energy));
    let first = shown(&a).expect("a landscape");
    let step = (a.heat_scale.hi - a.heat_scale.lo) / 10.0;
    // Noise: every point moves by half a level; over many snapshots nothing is redrawn.
    let mut noisy = snap.clone();
    if let Some(v) = noisy.landscape.as_mut() {
        v.grid.energy.iter_mut().for_each(|e| *e += 0.5 * step);
    }
    for _ in 0..8 {
        a.update(Msg::Snapshot(Box::new(noisy.clone())));
    }
    assert!(
        shown(&a).as_ref() == Some(&first),
        "noise repainted the landscape"
    );
    // A real change (a level and a half) shows at the next image refresh.
    let mut moved = snap.clone();
    if let Some(v) = moved.landscape.as_mut() {
        v.grid.energy.iter_mut().for_each(|e| *e += 1.5 * step);
    }
    for _ in 0..4 {
        a.update(Msg::Snapshot(Box::new(moved.clone())));
    }
    let want = moved.landscape.map(|v| bits(&v.grid.energy));
    assert!(shown(&a) == want, "the change was not drawn");
}

/// With no memory retrieved the recall panel says what that means (every |m| below the
/// retrieval threshold), not "below the threshold" of existence, which the theory panel may
/// contradict (explore at α₁ = 0.2: one well, and the state still at the origin).
#[test]
fn an_empty_recall_panel_says_no_memory_is_retrieved() {
    let mut a = app(&[ModelKind::Idp], PLAIN);
    let mut snap = fixture::snapshot(&[ModelKind::Idp]);
    snap.models[0].retrieved = None;
    a.update(Msg::Snapshot(Box::new(snap)));
    let screen = rows(&a, 120, 40).join("\n");
    assert!(screen.contains("recalled: none"), "{screen}");
    assert!(screen.contains("all |m| < 0.5"), "{screen}");
    assert!(!screen.contains("above the"), "{screen}");
}
