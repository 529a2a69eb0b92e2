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
