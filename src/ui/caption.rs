//! The lesson's caption panel (`recall lesson`): a header line with the chapter's number,
//! title and figure and what moves it on, then the caption, filled by the simulator from the
//! run (the panel only draws the snapshot's words). Beside it, the panels the chapter names;
//! at 80×24 only those.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::lesson::{LessonView, Panel};
use crate::pipeline::Snapshot;

use super::app::App;
use super::keys::KeyMode;
use super::layout::{
    MIN_CHARTS, Mode, landscape_width, render_charts, render_compact, render_full,
    render_images_over_charts, render_landscape, render_medium, render_table,
};
use super::readout::render_images;

/// The caption's lines at `width` columns: its text wrapped at words, one column of margin.
pub fn wrapped(view: &LessonView, width: u16) -> Vec<String> {
    let width = usize::from(width.saturating_sub(2)).max(10);
    let mut out = Vec::new();
    for line in &view.lines {
        let mut current = String::new();
        for word in line.split_whitespace() {
            let fits = current.chars().count() + 1 + word.chars().count() <= width;
            if !current.is_empty() && !fits {
                out.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push(current);
    }
    out
}

/// Rows the caption panel wants at `width`: the header and the wrapped caption.
pub fn height(view: &LessonView, width: u16) -> u16 {
    1 + wrapped(view, width).len() as u16
}

/// The body of a lesson's screen: the chapter's panels over the caption.
pub fn render_lesson(
    app: &App,
    snap: &Snapshot,
    view: &LessonView,
    mode: Mode,
    body: Rect,
    buf: &mut Buffer,
) {
    // The caption first: at most a third of the body, at least its header and two lines.
    let want = height(view, body.width);
    let cap_h = want.min((body.height / 3).max(3)).min(body.height);
    let [panels, caption] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(cap_h)]).areas(body);
    if snap.density.is_some() {
        // A chapter on the paper's Fig. 4: the density view above the caption.
        app.input_placement.set(None);
        super::density::render_density(app, snap, panels, buf);
        render_caption(app, view, caption, buf);
        return;
    }
    match mode {
        Mode::Full => render_full(app, snap, panels, buf),
        Mode::Medium => render_medium(app, snap, panels, buf),
        Mode::Compact => render_compact_lesson(app, snap, &view.panels, panels, buf),
    }
    render_caption(app, view, caption, buf);
}

/// Rows the overlaps keep under the images at 80×24 in a lesson.
const LESSON_CHARTS: u16 = 7;

/// 80×24: only the panels that matter. Images and overlaps as the compact layout has them;
/// the landscape beside the overlaps or the memory table.
fn render_compact_lesson(
    app: &App,
    snap: &Snapshot,
    panels: &[Panel],
    area: Rect,
    buf: &mut Buffer,
) {
    let wants = |p: Panel| panels.contains(&p);
    let side_panels = wants(Panel::Landscape) || wants(Panel::Table);
    if wants(Panel::Images) && !wants(Panel::Overlaps) && !side_panels {
        render_images(app, snap, area, 1.0, buf);
        return;
    }
    if wants(Panel::Images) && wants(Panel::Overlaps) {
        // The pictures a little larger than the compact layout leaves them beside a caption.
        render_images_over_charts(app, snap, area, LESSON_CHARTS, buf);
        return;
    }
    if wants(Panel::Images) || !side_panels || area.height < MIN_CHARTS {
        render_compact(app, snap, area, buf);
        return;
    }
    let side = if wants(Panel::Landscape) {
        landscape_width(area, area.width * 2 / 5)
    } else {
        area.width / 2
    };
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(side)]).areas(area);
    if wants(Panel::Table) && !wants(Panel::Overlaps) && wants(Panel::Landscape) {
        render_table(app, snap, left, buf);
    } else {
        render_charts(app, snap, left, false, buf);
    }
    if wants(Panel::Landscape) {
        render_landscape(app, snap, right, buf);
    } else {
        render_table(app, snap, right, buf);
    }
}

/// What moves the lesson on, with the keys that turn its pages now: where the arrows set the
/// saliencies or α1, α2 (an explore or density scenario, the chapter's or one `s` chose) they
/// are PgDn and PgUp, and the line said "← back" there; while painting, after `p`.
fn page_keys(app: &App, next: &str) -> String {
    // A viewer's keys do not turn the pages: what moves the lesson on, without them.
    if app.audience.as_ref().is_some_and(|a| !a.controls) {
        let head = next.rfind(" · ").map_or(next, |at| &next[..at]);
        return if head.contains('→') || head.contains('←') {
            "the presenter turns the pages".into()
        } else {
            head.to_string()
        };
    }
    match app.key_mode() {
        KeyMode::LessonExplore | KeyMode::LessonDensity => {
            next.replace('→', "PgDn").replace('←', "PgUp")
        }
        // Painting, the arrows move the cursor: `p` ends it (the drawing stays), and then the
        // arrows turn the pages again.
        KeyMode::Paint => format!("p, then {next}"),
        _ => next.to_string(),
    }
}

/// What moves the lesson on, in at most `room` characters: whole words, the condition cut
/// with "…" before the keys that turn the page (" · →", " · PgDn") so that those stay; the
/// keys alone where nothing else fits.
fn fit_next(next: &str, room: usize) -> String {
    let count = |s: &str| s.chars().count();
    if count(next) <= room {
        return next.to_string();
    }
    let (head, keys) = match next.rfind(" · ") {
        Some(at) => (&next[..at], &next[at..]),
        None => (next, ""),
    };
    // The head cut between words (at least two kept), then its first word alone (a key such
    // as "PgDn", or "next"), then the keys alone.
    let mut words: Vec<&str> = head.split(' ').collect();
    while words.len() > 2 {
        words.pop();
        let cut = format!("{}…{keys}", words.join(" "));
        if count(&cut) <= room {
            return cut;
        }
    }
    let first = format!("{}{keys}", words[0]);
    let keys = keys.trim_start_matches(" · ");
    [first, keys.to_string(), words[0].to_string()]
        .into_iter()
        .find(|c| !c.is_empty() && count(c) <= room)
        .unwrap_or_default()
}

/// The header (chapter n/N, title, figure; what moves it on) and the caption's lines.
pub fn render_caption(app: &App, view: &LessonView, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let theme = app.theme;
    let badge = format!(" {}/{} ", view.number, view.total);
    let title = format!(" {} · {} ", view.title, view.figure);
    let used = badge.chars().count() + title.chars().count();
    let room = usize::from(area.width).saturating_sub(used + 1);
    let next = fit_next(&page_keys(app, &view.next), room);
    let pad = room.saturating_sub(next.chars().count()) + 1;
    let header = Line::from(vec![
        Span::styled(badge, theme.paused()),
        Span::styled(title, theme.title()),
        Span::styled("─".repeat(pad), theme.border()),
        Span::styled(next, theme.dim()),
    ]);
    let mut lines = vec![header];
    lines.extend(
        wrapped(view, area.width)
            .into_iter()
            .map(|l| Line::from(vec![Span::raw(" "), Span::styled(l, theme.value())])),
    );
    Paragraph::new(lines).render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::{fit_next, page_keys};

    #[test]
    fn a_viewer_is_not_offered_the_keys_that_turn_the_pages() {
        use crate::model::ModelKind;
        use crate::stimulus::ScenarioName;
        use crate::ui::app::Audience;
        use crate::ui::{App, Theme};
        let theme = Theme {
            color: true,
            ascii: false,
        };
        let app = App::new(theme, ModelKind::Idp, None, ScenarioName::Tour, 2.0, 1.0);
        assert_eq!(page_keys(&app, "next in 9 s · →"), "next in 9 s · →");
        let viewer = app.following_run(Audience {
            controls: false,
            controller: "presenter alice".into(),
            shared: false,
            watching: 1,
            join: None,
            frozen: false,
        });
        assert_eq!(page_keys(&viewer, "next in 9 s · →"), "next in 9 s");
        assert_eq!(
            page_keys(&viewer, "→ next · ← back"),
            "the presenter turns the pages"
        );
        assert_eq!(page_keys(&viewer, "last chapter · ← back"), "last chapter");
    }

    #[test]
    fn what_moves_the_lesson_on_is_cut_between_words_and_keeps_its_keys() {
        let next = "next when the landscape reaches regime 4 · PgDn";
        assert_eq!(fit_next(next, 60), next);
        assert_eq!(fit_next(next, 31), "next when the landscape… · PgDn");
        assert_eq!(fit_next(next, 30), "next when the… · PgDn");
        // Never a word cut in the middle ("reach"), and never over the room.
        for room in 0..next.len() {
            let fit = fit_next(next, room);
            assert!(fit.chars().count() <= room, "{room}: {fit}");
            let words = fit.trim_end_matches(" · PgDn").trim_end_matches('…');
            assert!(
                words.is_empty() || words == "PgDn" || next.starts_with(&format!("{words} ")),
                "{room}: {fit}"
            );
            assert!(fit.is_empty() || fit.ends_with("PgDn"), "{room}: {fit}");
        }
        assert_eq!(fit_next(next, 17), "next when… · PgDn");
        assert_eq!(fit_next(next, 16), "next · PgDn");
        assert_eq!(fit_next(next, 6), "PgDn");
        assert_eq!(fit_next(next, 3), "");
        assert_eq!(fit_next("last chapter", 8), "last");
        // A line that begins with its forward key keeps it.
        let paged = "PgDn next · PgUp back";
        assert_eq!(fit_next(paged, 18), "PgDn · PgUp back");
        assert_eq!(fit_next(paged, 10), "PgUp back");
    }
}
