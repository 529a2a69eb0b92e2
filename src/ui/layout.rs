//! The dashboard as one widget (`impl Widget for &App`): chooses the layout for the terminal's
//! size and hands each region to its view. Three layouts: compact from 80×24 (images, readout,
//! overlaps), medium from 100×30 (plus the event log and the memory table), full from 120×40
//! (plus the energy chart and the landscape). Views read the newest snapshot only.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::widgets::{Paragraph, Widget};

use crate::pipeline::Snapshot;

use super::app::App;
use super::charts::{render_energy, render_overlap_strips, render_overlaps};
use super::landscape::LandscapePanel;
use super::memories::{MemoryTable, rows_needed};
use super::panels::{render_log, short_model};
use super::readout::render_images;
use super::status::{
    MIN_HEIGHT, MIN_WIDTH, error_bar_height, render_error_bar, render_errors, render_footer,
    render_help, render_status, render_too_small,
};

/// From this size on, every panel is shown.
pub const FULL_WIDTH: u16 = 120;
pub const FULL_HEIGHT: u16 = 40;
/// From this size on, the event log and the memory table are shown too.
pub const MEDIUM_WIDTH: u16 = 100;
pub const MEDIUM_HEIGHT: u16 = 30;
/// The memory table shows up to this many memories without scrolling where it has the room.
pub const TABLE_MEMORIES: usize = 12;
/// Model seconds across the time charts (full and medium layouts; compact shows 20).
const WINDOW_SECS: f64 = 30.0;
/// The lowest useful time chart, borders included.
pub(super) const MIN_CHARTS: u16 = 9;

/// Which panels a terminal size gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Images, readout, overlaps.
    Compact,
    /// Plus the event log and the memory table.
    Medium,
    /// Plus the energy chart and the landscape.
    Full,
}

impl Mode {
    /// The layout of a `width`×`height` terminal (at least the minimum size).
    pub fn of(width: u16, height: u16) -> Self {
        if width >= FULL_WIDTH && height >= FULL_HEIGHT {
            Mode::Full
        } else if width >= MEDIUM_WIDTH && height >= MEDIUM_HEIGHT {
            Mode::Medium
        } else {
            Mode::Compact
        }
    }

    /// What this layout leaves out and from which size it is shown, for the footer.
    pub fn elsewhere(self) -> Option<&'static str> {
        match self {
            Mode::Compact => Some("log, α, theory: from 100×30"),
            Mode::Medium => Some("energy, landscape from 120×40"),
            Mode::Full => None,
        }
    }
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            render_too_small(self, area, buf);
        } else {
            let errors_h = error_bar_height(self, area.width);
            let [status, body, errors, footer] = Layout::vertical([
                Constraint::Length(1),
                Constraint::Min(0),
                Constraint::Length(errors_h),
                Constraint::Length(1),
            ])
            .areas(area);
            let mode = Mode::of(area.width, area.height);
            render_status(self, status, buf);
            render_error_bar(self, errors, buf);
            render_footer(self, mode, footer, buf);
            match &self.snapshot {
                None => Paragraph::new("starting the simulation…")
                    .alignment(Alignment::Center)
                    .render(body, buf),
                Some(snap) => match &snap.lesson {
                    Some(lesson) => {
                        super::caption::render_lesson(self, snap, lesson, mode, body, buf)
                    }
                    None if snap.density.is_some() => {
                        // No input image to paint on.
                        self.input_placement.set(None);
                        super::density::render_density(self, snap, body, buf);
                    }
                    None => match mode {
                        Mode::Full => render_full(self, snap, body, buf),
                        Mode::Medium => render_medium(self, snap, body, buf),
                        Mode::Compact => render_compact(self, snap, body, buf),
                    },
                },
            }
            // Overlays leave the status line and the key line (which says how to close them).
            let overlay = Rect::new(area.x, area.y + 1, area.width, area.height - 2);
            if self.show_help {
                render_help(self, overlay, buf);
            } else if self.show_errors {
                render_errors(self, overlay, buf);
            }
        }
        self.theme.ascii_pass(buf, area);
    }
}

/// The natural height of the images row: the patterns at one pixel per cell, with borders.
pub(super) fn natural_images_height(snap: &Snapshot) -> u16 {
    (snap.memories.height().div_ceil(2) as u16).saturating_add(2)
}

/// How much the images may be enlarged in the full layout: 2× or 1.5× where the row of image
/// panels and the readout fit the width and the charts and the table keep their rows (a large
/// terminal), else not at all.
fn image_scale(snap: &Snapshot, area: Rect) -> f64 {
    let panels = if snap.models.len() == 1 {
        3
    } else {
        snap.models.len() as u16 + 1
    };
    let (w, h) = (snap.memories.width() as f64, snap.memories.height() as f64);
    for scale in [2.0, 1.5] {
        let panel_w = (w * scale).floor() as u16 + 2;
        let panel_h = ((h * scale).floor() / 2.0).ceil() as u16 + 2;
        let wide_enough = panels * panel_w + super::readout::READOUT_MIN <= area.width;
        let tall_enough = panel_h + table_height(snap) + MIN_CHARTS + 4 <= area.height;
        if wide_enough && tall_enough {
            return scale;
        }
    }
    1.0
}

/// Rows the memory table wants: every memory up to [`TABLE_MEMORIES`].
fn table_height(snap: &Snapshot) -> u16 {
    rows_needed(snap.memories.p().min(TABLE_MEMORIES))
}

/// Every panel: images and readout; charts; event log and memory table; the landscape at the
/// right of the charts and the table.
pub(super) fn render_full(app: &App, snap: &Snapshot, area: Rect, buf: &mut Buffer) {
    let table_h = table_height(snap);
    let scale = image_scale(snap, area);
    let scaled_h = ((snap.memories.height() as f64 * scale).floor() / 2.0).ceil() as u16 + 2;
    let images_h = scaled_h
        .min(area.height.saturating_sub(table_h + MIN_CHARTS))
        .max(6);
    let [images, rest] =
        Layout::vertical([Constraint::Length(images_h), Constraint::Min(0)]).areas(area);
    let images_used = render_images(app, snap, images, scale, buf);
    // A row of smaller images (compare mode, a narrow terminal) leaves its rows to the rest.
    let rest = Rect::new(
        rest.x,
        images.y + images_used,
        rest.width,
        rest.height + images_h - images_used,
    );
    // Beyond the table's needs the charts and the bottom row share the height 55:45.
    let bottom_h = table_h.max(rest.height * 9 / 20);
    let bottom_h = bottom_h.min(rest.height.saturating_sub(MIN_CHARTS));
    let side = landscape_width(rest, area.width * 17 / 50);
    let [left, landscape] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(side)]).areas(rest);
    let [charts, bottom] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(bottom_h)]).areas(left);
    render_landscape(app, snap, landscape, buf);
    render_charts(app, snap, charts, true, buf);
    let table_w = 50.min(bottom.width / 2 + 6);
    let [log, table] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(table_w)]).areas(bottom);
    render_log(app, log, buf);
    render_table(app, snap, table, buf);
}

/// From 100×30: images and readout; overlaps over the event log; the memory table.
pub(super) fn render_medium(app: &App, snap: &Snapshot, area: Rect, buf: &mut Buffer) {
    let table_h = table_height(snap);
    let images_h = natural_images_height(snap)
        .min(area.height.saturating_sub(table_h.max(MIN_CHARTS + 6)))
        .max(6);
    let [images, rest] =
        Layout::vertical([Constraint::Length(images_h), Constraint::Min(0)]).areas(area);
    let used = render_images(app, snap, images, 1.0, buf);
    let rest = Rect::new(
        rest.x,
        images.y + used,
        rest.width,
        rest.height + images_h - used,
    );
    let table_w = 46.min(rest.width / 2);
    let [left, table] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(table_w)]).areas(rest);
    let charts_h = (left.height * 11 / 20).max(MIN_CHARTS.min(left.height));
    let [charts, log] =
        Layout::vertical([Constraint::Length(charts_h), Constraint::Min(0)]).areas(left);
    render_charts(app, snap, charts, false, buf);
    render_log(app, log, buf);
    render_table(app, snap, table, buf);
}

/// 80×24 and up: images with the readout, then the overlaps.
pub(super) fn render_compact(app: &App, snap: &Snapshot, area: Rect, buf: &mut Buffer) {
    render_images_over_charts(app, snap, area, MIN_CHARTS + 2, buf);
}

/// The images at their natural height (leaving `charts_h` rows, at least 6 rows of images),
/// the overlaps chart in every row they leave.
pub(super) fn render_images_over_charts(
    app: &App,
    snap: &Snapshot,
    area: Rect,
    charts_h: u16,
    buf: &mut Buffer,
) {
    let images_h = natural_images_height(snap)
        .min(area.height.saturating_sub(charts_h))
        .max(6);
    let [images, rest] =
        Layout::vertical([Constraint::Length(images_h), Constraint::Min(0)]).areas(area);
    let used = render_images(app, snap, images, 1.0, buf);
    let charts = Rect::new(
        rest.x,
        images.y + used,
        rest.width,
        rest.height + images_h - used,
    );
    render_charts(app, snap, charts, false, buf);
}

/// The time charts: the overlaps (one chart, or a strip per model when comparing) and, with
/// `energy`, the energy chart beside them.
pub(super) fn render_charts(
    app: &App,
    snap: &Snapshot,
    area: Rect,
    energy: bool,
    buf: &mut Buffer,
) {
    let window = if energy || area.width >= 90 {
        WINDOW_SECS
    } else {
        20.0
    };
    let [overlaps, energy_area] = if energy {
        let energy_w = (area.width * 2 / 5).clamp(24, 44);
        Layout::horizontal([Constraint::Min(0), Constraint::Length(energy_w)]).areas(area)
    } else {
        [area, Rect::default()]
    };
    if snap.models.len() > 1 {
        render_overlap_strips(snap, window, app.theme, overlaps, buf);
    } else {
        let mark = app.theme.truth_mark();
        let title = if overlaps.width >= 70 {
            format!("overlaps |m_μ| of Ψ(x) with each memory ({mark} = what the input shows)")
        } else {
            format!("overlaps |m_μ| ({mark} = input)")
        };
        render_overlaps(snap, 0, title, window, app.theme, overlaps, buf);
    }
    if energy_area.width > 0 {
        render_energy(snap, window, app.theme, energy_area, buf);
    }
}

/// The width of a landscape panel whose square map fills `area`'s height, at most `max`.
pub(super) fn landscape_width(area: Rect, max: u16) -> u16 {
    // Borders (2) and the key and legend lines (2); two map pixels per row, one per column.
    (2 * area.height.saturating_sub(4) + 2).min(max)
}

/// The primary model's energy landscape with the state's recent path.
pub(super) fn render_landscape(app: &App, snap: &Snapshot, area: Rect, buf: &mut Buffer) {
    if let Some(view) = &app.landscape {
        let model = snap.models.first().map(|m| short_model(m.kind.name()));
        LandscapePanel {
            view,
            names: snap.memories.names(),
            trail: Some(&app.trail),
            scale: Some(&app.heat_scale),
            model: model.as_deref().filter(|_| snap.models.len() > 1),
            theme: app.theme,
        }
        .render(area, buf);
    }
}

/// The primary model's memory table (saliencies and theory).
pub(super) fn render_table(app: &App, snap: &Snapshot, area: Rect, buf: &mut Buffer) {
    let Some(view) = snap.models.first() else {
        return;
    };
    // The landscape the model uses: α̃ for the filter model, α otherwise.
    let alpha: &[f32] = if view.kind.is_idp() {
        &view.weights
    } else {
        &view.saliencies
    };
    let model = short_model(view.kind.name());
    // The modern models have no closed forms, and the discrete model's are the continuous
    // network's, not its own: without a solve their rows show α only. (A modern model of up to
    // MODERN_SOLVE_IN_PLACE memories is solved in place from the start.)
    let own_forms = !(view.kind == crate::model::ModelKind::Discrete || view.kind.is_modern());
    let rows_before_solve = own_forms
        || view.kind.is_modern()
            && snap.memories.p() <= crate::model::network::MODERN_SOLVE_IN_PLACE;
    MemoryTable {
        alpha,
        alpha_in_w: view.kind.is_idp(),
        report: &view.theory,
        names: snap.memories.names(),
        offset: app.memory_offset,
        model: (snap.models.len() > 1).then_some(model.as_str()),
        age: view.theory_unsolved.map_or_else(
            || match super::memories::TheoryAge::of(
                view.theory_solved,
                view.theory_current,
                view.theory_time_secs,
                view.theory_current_at_secs,
                snap.time_secs,
            ) {
                // A modern model has no closed forms to show before its first solve.
                super::memories::TheoryAge::ClosedForms if !rows_before_solve => {
                    super::memories::TheoryAge::Pending
                }
                age => age,
            },
            |why| super::memories::TheoryAge::Unsolved {
                why,
                closed_forms: own_forms,
            },
        ),
        theme: app.theme,
    }
    .render(area, buf);
}
