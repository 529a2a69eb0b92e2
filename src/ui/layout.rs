//! The dashboard as one widget (`impl Widget for &App`): chooses the layout for the terminal's
//! size (compact from 80×24, everything from 120×40) and hands each region to its view. Views
//! read the newest snapshot only.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::pipeline::Snapshot;

use super::app::App;
use super::charts::{render_energy, render_overlaps, short_number};
use super::image::{HalfBlockImage, cells};
use super::landscape::LandscapePanel;
use super::panels::{render_log, render_saliency, short_model};
use super::status::{
    MIN_HEIGHT, MIN_WIDTH, render_footer, render_help, render_status, render_too_small,
};
use super::theme::Theme;
use super::theory::TheoryPanel;

/// From this size on, every panel is shown.
pub const FULL_WIDTH: u16 = 120;
pub const FULL_HEIGHT: u16 = 40;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            render_too_small(self, area, buf);
        } else {
            let [status, body, footer] = Layout::vertical([
                Constraint::Length(1),
                Constraint::Min(0),
                Constraint::Length(1),
            ])
            .areas(area);
            render_status(self, status, buf);
            render_footer(self, footer, buf);
            match &self.snapshot {
                None => Paragraph::new("starting the simulation…")
                    .alignment(Alignment::Center)
                    .render(body, buf),
                Some(snap) if area.width >= FULL_WIDTH && area.height >= FULL_HEIGHT => {
                    render_full(self, snap, body, buf)
                }
                Some(snap) => render_compact(self, snap, body, buf),
            }
            if self.show_help {
                render_help(self, area, buf);
            }
        }
        self.theme.ascii_pass(buf, area);
    }
}

/// The smallest shrink factor with which `count` image panels fit `max_w`×`max_h` cells.
fn pick_factor(snap: &Snapshot, count: u16, max_w: u16, max_h: u16) -> usize {
    let (w, h) = (snap.memories.width(), snap.memories.height());
    (1..=16)
        .find(|&k| {
            let (cw, ch) = cells(w, h, k);
            (cw + 2) * count <= max_w && ch + 2 <= max_h
        })
        .unwrap_or(16)
}

/// The images row: input, then per model its state Ψ(x) (and, with one model, the recalled
/// memory), then a readout filling the rest. Returns nothing; draws into `area`.
fn render_images(app: &App, snap: &Snapshot, k: usize, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let (w, h) = (snap.memories.width(), snap.memories.height());
    let (cw, _) = cells(w, h, k);
    let panel_w = cw + 2;
    let mut panels: Vec<(String, &[f32])> = Vec::new();
    let Some(images) = app.images.as_ref() else {
        return;
    };
    let input_title = if images.glitch {
        "input (glitch!)"
    } else {
        "input u"
    };
    panels.push((input_title.to_string(), &images.input));
    let single = snap.models.len() == 1;
    for (view, state) in snap.models.iter().zip(&images.states) {
        let title = if single {
            "state Ψ(x)".to_string()
        } else {
            format!("{} Ψ(x)", short_model(view.kind.name()))
        };
        panels.push((title, state));
    }
    let recalled = snap.models.first().and_then(|v| v.retrieved);
    if single && let Some(mu) = recalled {
        let name = snap.memories.names().get(mu).cloned().unwrap_or_default();
        panels.push((format!("recalled {name}"), snap.memories.memory(mu)));
    } else if single {
        panels.push(("recalled: none".to_string(), &[]));
    }
    let mut constraints: Vec<Constraint> =
        panels.iter().map(|_| Constraint::Length(panel_w)).collect();
    constraints.push(Constraint::Min(0));
    let areas = Layout::horizontal(constraints).split(area);
    for ((title, pixels), &cell) in panels.iter().zip(areas.iter()) {
        let block = Block::bordered()
            .title(Span::styled(title.clone(), theme.title()))
            .border_style(theme.border());
        let inner = block.inner(cell);
        block.render(cell, buf);
        if pixels.is_empty() {
            Paragraph::new(Line::styled("no memory above threshold", theme.dim()))
                .wrap(Wrap { trim: true })
                .render(inner, buf);
        } else {
            HalfBlockImage {
                pixels,
                width: w,
                height: h,
                theme,
            }
            .render(inner, buf);
        }
    }
    if let Some(&rest) = areas.last()
        && rest.width >= 12
    {
        render_readout(app, snap, rest, buf);
    }
}

/// What the stream shows and what each model recalled, in words.
fn render_readout(app: &App, snap: &Snapshot, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let names = snap.memories.names();
    let name = |mu: Option<usize>| {
        mu.and_then(|m| names.get(m).cloned())
            .unwrap_or_else(|| "—".into())
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("stream ", theme.dim()),
            Span::raw(snap.label.clone()),
        ]),
        Line::from(vec![
            Span::styled("shows  ", theme.dim()),
            Span::styled(
                name(snap.truth),
                snap.truth.map_or(theme.dim(), |m| theme.memory(m)),
            ),
            Span::styled(if snap.glitch { "  GLITCH" } else { "" }, theme.warning()),
        ]),
        Line::raw(""),
    ];
    for (i, view) in snap.models.iter().enumerate() {
        // Signed: −1 is the inverted picture, an attractor just as good (ψ is odd).
        let m = view
            .retrieved
            .and_then(|mu| view.overlaps.get(mu))
            .copied()
            .unwrap_or(0.0);
        let hit = view.retrieved.is_some() && view.retrieved == snap.truth;
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} ", short_model(view.kind.name())),
                theme.model(i),
            ),
            Span::raw("→ "),
            Span::styled(
                name(view.retrieved),
                view.retrieved.map_or(theme.dim(), |mu| theme.memory(mu)),
            ),
            Span::raw(format!(" m={m:+.2}")),
            Span::styled(if m < 0.0 { " inverted" } else { "" }, theme.dim()),
            Span::styled(if hit { " ✓" } else { "" }, theme.saliency(true, true)),
        ]));
        let acc = view
            .accuracy
            .map_or("—".to_string(), |a| format!("{:.0}%", a * 100.0));
        lines.push(Line::from(vec![
            Span::styled("  accuracy ", theme.dim()),
            Span::styled(acc, theme.value()),
            Span::styled("  E ", theme.dim()),
            Span::raw(short_number(view.energy)),
        ]));
        if view.theory.confusion {
            lines.push(Line::styled("  no well: confusion", theme.warning()));
        }
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(
            Block::bordered()
                .title(Span::styled("readout", theme.title()))
                .border_style(theme.border()),
        )
        .render(area, buf);
}

fn overlaps_title(app: &App, snap: &Snapshot, i: usize) -> String {
    let mark = app.theme.truth_mark();
    if snap.models.len() > 1 {
        format!(
            "{}: overlaps |m| ({mark} input)",
            short_model(snap.models[i].kind.name())
        )
    } else {
        format!("overlaps |m_μ| of Ψ(x) with each memory ({mark} = what the input shows)")
    }
}

/// Every panel: images and readout; overlaps and energy; event log and saliencies.
fn render_full(app: &App, snap: &Snapshot, area: Rect, buf: &mut Buffer) {
    let count = 1 + snap.models.len().max(2) as u16;
    let k = pick_factor(snap, count, area.width.saturating_sub(16), area.height / 2);
    let (_, ch) = cells(snap.memories.width(), snap.memories.height(), k);
    let images_h = ch + 2;
    let rest = area.height.saturating_sub(images_h);
    let charts_h = (rest * 3).div_ceil(5);
    let [images, charts, bottom] = Layout::vertical([
        Constraint::Length(images_h),
        Constraint::Length(charts_h),
        Constraint::Min(0),
    ])
    .areas(area);
    render_images(app, snap, k, images, buf);
    // The landscape takes a square column right of the charts and the bottom row.
    let below = Rect::new(area.x, charts.y, area.width, charts.height + bottom.height);
    let side = landscape_width(below, area.width * 2 / 5);
    let [left, landscape] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(side)]).areas(below);
    let [charts, bottom] =
        Layout::vertical([Constraint::Length(charts.height), Constraint::Min(0)]).areas(left);
    render_landscape(app, snap, landscape, buf);
    let window = 30.0;
    if snap.models.len() > 1 {
        let mut constraints = vec![Constraint::Fill(1); snap.models.len()];
        constraints.push(Constraint::Fill(1));
        let cols = Layout::horizontal(constraints).split(charts);
        for i in 0..snap.models.len() {
            let title = overlaps_title(app, snap, i);
            render_overlaps(snap, i, title, window, app.theme, cols[i], buf);
        }
        if let Some(&last) = cols.last() {
            render_energy(snap, window, app.theme, last, buf);
        }
    } else {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)])
                .areas(charts);
        render_overlaps(
            snap,
            0,
            overlaps_title(app, snap, 0),
            window,
            app.theme,
            left,
            buf,
        );
        render_energy(snap, window, app.theme, right, buf);
    }
    let [log, saliency, theory] = Layout::horizontal([
        Constraint::Percentage(36),
        Constraint::Percentage(34),
        Constraint::Percentage(30),
    ])
    .areas(bottom);
    render_log(app, log, buf);
    render_saliency(snap, app.theme, saliency, buf);
    render_theory(snap, app.theme, theory, buf);
}

/// The width of a landscape panel whose square map fills `area`'s height, at most `max`.
fn landscape_width(area: Rect, max: u16) -> u16 {
    // Borders (2) and the legend line (1); two map pixels per row, one per column.
    (2 * area.height.saturating_sub(3) + 2).min(max)
}

/// The primary model's energy landscape with the state's recent path.
fn render_landscape(app: &App, snap: &Snapshot, area: Rect, buf: &mut Buffer) {
    if let Some(view) = &snap.landscape {
        LandscapePanel {
            view,
            names: snap.memories.names(),
            trail: Some(&app.trail),
            theme: app.theme,
        }
        .render(area, buf);
    }
}

/// What the theory says of the primary model's landscape, next to the saliency bars.
fn render_theory(snap: &Snapshot, theme: Theme, area: Rect, buf: &mut Buffer) {
    if let Some(view) = snap.models.first() {
        TheoryPanel {
            report: &view.theory,
            names: snap.memories.names(),
            theme,
        }
        .render(area, buf);
    }
}

/// 80×24 and up: images (shrunk) with the readout, then the overlaps.
fn render_compact(app: &App, snap: &Snapshot, area: Rect, buf: &mut Buffer) {
    let count = 1 + snap.models.len().max(2) as u16;
    let k = pick_factor(
        snap,
        count,
        area.width.saturating_sub(24),
        area.height.saturating_sub(8),
    );
    let (_, ch) = cells(snap.memories.width(), snap.memories.height(), k);
    let [images, charts] =
        Layout::vertical([Constraint::Length(ch + 2), Constraint::Min(0)]).areas(area);
    render_images(app, snap, k, images, buf);
    let window = 20.0;
    // From 100 columns the landscape's compact form fits beside the overlaps; below, the
    // overlaps keep the room.
    let side = if area.width >= 100 {
        landscape_width(charts, area.width / 3)
    } else {
        0
    };
    let [charts, landscape] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(side)]).areas(charts);
    if side > 0 {
        render_landscape(app, snap, landscape, buf);
    }
    let cols =
        Layout::horizontal(vec![Constraint::Fill(1); snap.models.len().max(1)]).split(charts);
    for (i, &col) in cols.iter().enumerate() {
        let title = overlaps_title(app, snap, i);
        render_overlaps(snap, i, title, window, app.theme, col, buf);
    }
}
