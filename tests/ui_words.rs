//! The words of the dashboard that need the run's facts: how old the theory's rows are, and
//! what `e` says without a pattern directory (issue 26).

mod common;

use recall::model::ModelKind;
use recall::stimulus::ScenarioName;
use recall::ui::app::PatternSource;
use recall::ui::fixture;
use recall::ui::{App, Intent, Msg, Theme};

const COLOR: Theme = Theme {
    color: true,
    ascii: false,
};

fn app_with(solved_ago_secs: f64, current: bool) -> App {
    let mut a = App::new(COLOR, ModelKind::Idp, None, ScenarioName::Glitch, 2.0, 1.0);
    let mut snap = fixture::snapshot(&[ModelKind::Idp]);
    let now = snap.time_secs;
    let view = &mut snap.models[0];
    view.theory_solved = true;
    view.theory_current = current;
    view.theory_time_secs = Some(now - solved_ago_secs);
    a.update(Msg::Snapshot(Box::new(snap)));
    a
}

#[test]
fn the_memory_table_says_how_old_its_rows_are() {
    // A new solve is pending (not current) but the rows are 0.3 s old: no "solving".
    let fresh = common::screen(&app_with(0.3, false), 120, 40);
    assert!(fresh.contains("solved 0.3 s ago"), "{fresh}");
    assert!(!fresh.contains("solving"), "{fresh}");
    // Rows 2.5 s old of a landscape that moved: stale, and it says so.
    let stale = common::screen(&app_with(2.5, false), 120, 40);
    assert!(stale.contains("stale (2.5 s old), solving…"), "{stale}");
    // Rows 8 s old of a landscape that has not moved (a modern model's): they say so, where
    // "solved 8.0 s ago" read as stale.
    let unmoved = common::screen(&app_with(8.0, true), 120, 40);
    assert!(
        unmoved.contains("solved 8.0 s ago, still current"),
        "{unmoved}"
    );
}

/// modern weighs each memory 1 (its cue is x(0)): its table's header does not put the input's
/// α into its fixed points, as idp-modern's does.
#[test]
fn a_modern_tables_header_says_whether_alpha_is_in_its_fixed_points() {
    let header = |kind: ModelKind| {
        let mut a = App::new(COLOR, kind, None, ScenarioName::Glitch, 2.0, 1.0);
        let mut snap = fixture::snapshot(&[kind]);
        snap.models[0].kind = kind;
        snap.models[0].theory.beta = Some(2.0);
        a.update(Msg::Snapshot(Box::new(snap)));
        common::screen(&a, 120, 40)
    };
    let modern = header(ModelKind::Modern);
    assert!(
        modern.contains("fixed points x = Ξ softmax (no α)"),
        "{modern}"
    );
    assert!(!modern.contains("Ξ(α⊙softmax)"), "{modern}");
    let idp_modern = header(ModelKind::IdpModern);
    assert!(
        idp_modern.contains("fixed points x = Ξ(α⊙softmax)"),
        "{idp_modern}"
    );
}

#[test]
fn e_without_a_pattern_directory_says_so_and_how_to_give_one() {
    let mut a = App::new(COLOR, ModelKind::Idp, None, ScenarioName::Glitch, 2.0, 1.0)
        .with_pattern_source(PatternSource::BuiltIn);
    a.update(Msg::Snapshot(Box::new(fixture::snapshot(&[
        ModelKind::Idp,
    ]))));
    a.update(Msg::Intent(Intent::ToggleErrors));
    let all = common::screen(&a, 120, 40);
    assert!(all.contains("no pattern directory"), "{all}");
    assert!(all.contains("--patterns DIR"), "{all}");
    assert!(!all.contains("every pattern file is valid"), "{all}");
}

#[test]
fn help_labels_never_run_into_their_text() {
    // Labels as wide as their column ("2/6 title · Fig. 2", 18 characters) ran into their
    // text: "2/6 title · Fig. 2recall lesson: …".
    let mut a = App::new(COLOR, ModelKind::Idp, None, ScenarioName::Glitch, 2.0, 1.0);
    a.update(Msg::Snapshot(Box::new(fixture::snapshot(&[
        ModelKind::Idp,
    ]))));
    a.update(Msg::Intent(Intent::ToggleHelp));
    let mut seen = String::new();
    // Scroll through the whole help (one column at 120×40).
    for _ in 0..40 {
        seen.push_str(&common::screen(&a, 120, 40));
        for _ in 0..10 {
            a.update(Msg::Intent(Intent::ScrollDown));
        }
    }
    let labels = recall::ui::keys::GLOSSARY
        .iter()
        .chain(recall::ui::keys::HELP)
        .map(|(label, _)| *label)
        // The long ones: short ones ("m", "c") are in every other word of the screen.
        .filter(|label| label.chars().count() >= 12);
    for label in labels {
        assert!(seen.contains(label), "{label:?} not in the help");
        for (at, _) in seen.match_indices(label) {
            let next = seen[at + label.len()..].chars().next();
            assert!(
                next.is_none_or(|c| c == ' ' || c == '│' || c == '\n'),
                "{label:?} runs into its text: {:?}",
                &seen[at..(at + label.len() + 20).min(seen.len())]
            );
        }
    }
}

#[test]
fn with_nothing_recalled_the_readout_names_the_nearest_memory_and_its_overlap() {
    let mut a = App::new(COLOR, ModelKind::Idp, None, ScenarioName::Glitch, 2.0, 1.0);
    let mut snap = fixture::snapshot(&[ModelKind::Idp]);
    let view = &mut snap.models[0];
    view.retrieved = None;
    view.overlaps.iter_mut().for_each(|m| *m = 0.1);
    view.overlaps[1] = -0.44;
    let name = snap.memories.names()[1].clone();
    a.update(Msg::Snapshot(Box::new(snap)));
    let screen = common::screen(&a, 120, 40);
    // Not "m=+0.00": the state is 0.44 of the way to a memory's mirror.
    assert!(
        screen.contains(&format!("nearest −{name} m=−0.44")),
        "{screen}"
    );
    assert!(!screen.contains("m=+0.00"), "{screen}");
}

#[test]
fn in_compare_a_model_that_recalls_nothing_keeps_the_columns() {
    let kinds = [ModelKind::Idp, ModelKind::ClassicPulsed];
    let mut a = App::new(COLOR, ModelKind::Idp, None, ScenarioName::Glitch, 2.0, 1.0);
    let mut snap = fixture::snapshot(&kinds);
    snap.models[1].retrieved = None;
    a.update(Msg::Snapshot(Box::new(snap)));
    let screen = common::screen(&a, 120, 40);
    let header = screen
        .lines()
        .find(|l| l.contains("model    recalls"))
        .unwrap();
    let row = screen.lines().find(|l| l.contains("pulsed   —")).unwrap();
    // The accuracy column ends where the header's "acc" ends.
    let end = |l: &str, at: usize| l[..at].chars().count();
    let acc = header.find("acc").unwrap() + "acc".len();
    let pct = row.rfind('%').unwrap() + 1;
    assert_eq!(end(row, pct), end(header, acc), "\n{header}\n{row}");
}

#[test]
fn the_readout_gives_the_paper_s_regimes_only_for_idp() {
    // The regimes order the memories by α, which a classic W does not contain: "tree deeper
    // than house" was shown for a discrete network whose wells are all one depth.
    let regimes = [
        "no memory:",
        "one memory:",
        "a saddle: the state slides",
        "two stable memories",
    ];
    let shows_regime = |kind: ModelKind| {
        let mut a = App::new(COLOR, kind, None, ScenarioName::Glitch, 2.0, 1.0);
        let mut snap = fixture::snapshot(&[kind]);
        snap.models[0].kind = kind;
        a.update(Msg::Snapshot(Box::new(snap)));
        let screen = common::screen(&a, 200, 60);
        regimes.iter().any(|r| screen.contains(r))
    };
    assert!(shows_regime(ModelKind::Idp));
    assert!(!shows_regime(ModelKind::Discrete));
    assert!(!shows_regime(ModelKind::ClassicPulsed));
}

/// A viewer of `recall serve` is offered ↑/↓ for the memory table only where the layout shows
/// one: at 100×24 (compact, no table) the key line had "↑/↓ memories" all the same.
#[test]
fn a_viewer_is_offered_the_table_s_keys_only_where_there_is_a_table() {
    let app = app_with(0.2, true).following_run(recall::ui::app::Audience::default());
    for (w, h, table) in [
        (100, 24, false),
        (119, 29, false),
        (100, 30, true),
        (120, 40, true),
    ] {
        let screen = common::screen(&app, w, h);
        let footer = screen.lines().last().unwrap();
        assert_eq!(footer.contains("memories"), table, "{w}×{h}: {footer}");
        assert_eq!(
            screen.contains("memories: α"),
            table,
            "{w}×{h}: is there a table?"
        );
    }
}

/// While paused, space's word on the key line is what it would do: resume (it said "pause"
/// beside PAUSED); the same for a viewer's paused screen.
#[test]
fn the_key_line_offers_to_resume_what_is_paused() {
    let footer = |app: &App| {
        common::screen(app, 120, 40)
            .lines()
            .last()
            .unwrap()
            .to_string()
    };
    let mut app = app_with(0.2, true);
    assert!(footer(&app).contains("space pause "), "{}", footer(&app));
    app.update(Msg::Intent(Intent::TogglePause));
    assert!(footer(&app).contains("space resume "), "{}", footer(&app));
    let viewer = app_with(0.2, true).following_run(recall::ui::app::Audience {
        frozen: true,
        ..Default::default()
    });
    assert!(
        footer(&viewer).contains("space resume this screen"),
        "{}",
        footer(&viewer)
    );
}

/// A set the theory is not solved for says so in the table's title, not "solving…" forever.
#[test]
fn a_set_too_large_for_the_theory_says_its_rows_are_closed_forms_for_good() {
    use recall::model::Unsolved;
    let mut a = App::new(COLOR, ModelKind::Idp, None, ScenarioName::Glitch, 2.0, 1.0);
    let mut snap = fixture::snapshot(&[ModelKind::Idp]);
    snap.models[0].theory_unsolved = Some(Unsolved::Memories { p: 100 });
    a.update(Msg::Snapshot(Box::new(snap)));
    let screen = common::screen(&a, 120, 40);
    assert!(
        screen.contains("closed forms, not solved above 64 memories"),
        "{screen}"
    );
}

/// A modern model has no closed forms, and the discrete model's are the continuous network's:
/// before their first solve, and for a set too large to solve, their rows show α and no
/// standing (they read "none", or the continuous "well −0.426 #1", as if solved), and the title
/// says which.
#[test]
fn a_model_without_closed_forms_of_its_own_shows_no_standing_unsolved() {
    use recall::model::Unsolved;
    let screen = |kind: ModelKind, unsolved: Option<Unsolved>| {
        let mut a = App::new(COLOR, kind, None, ScenarioName::Glitch, 2.0, 1.0);
        let mut snap = fixture::snapshot(&[kind]);
        snap.models[0].kind = kind;
        if kind.is_modern() {
            snap.models[0].theory.beta = Some(2.0);
        }
        snap.models[0].theory_solved = false;
        snap.models[0].theory_unsolved = unsolved;
        a.update(Msg::Snapshot(Box::new(snap)));
        common::screen(&a, 120, 40)
    };
    let too_many = Some(Unsolved::Memories { p: 100 });
    for (kind, unsolved, title) in [
        (ModelKind::Discrete, None, "theory, solving…"),
        (
            ModelKind::Discrete,
            too_many,
            "theory, not solved above 64 memories",
        ),
        (
            ModelKind::Modern,
            too_many,
            "theory, not solved above 64 memories",
        ),
    ] {
        let s = screen(kind, unsolved);
        assert!(s.contains(title), "{kind:?}: {s}");
        assert!(!s.contains("closed forms"), "{kind:?}: {s}");
        // "◆ well" once: the landscape's key, no row.
        assert!(
            !s.contains(" none ") && s.matches("◆ well").count() <= 1,
            "{kind:?}: {s}"
        );
    }
}
