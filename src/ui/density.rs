//! The density view (`--scenario density`, the paper's Fig. 4): the particles' histogram beside
//! the stationary Fokker–Planck density on the same grid and colour scale (for the two-neuron
//! idp-modern network the exact exp(−2E_β/σ²)), the stable wells marked, and a table of the
//! masses near each well and in its basin, measured (± one standard error) against the theory.
//! It reads the snapshot's `DensityView` only.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::model::density::{DensityModel, Grid, Well, shown_mass};
use crate::pipeline::Snapshot;
use crate::pipeline::density::{DensityView, Estimate, SolveState};

use super::app::App;
use super::landscape::MapGeometry;
use super::theme::{HEAT_LEVELS, Theme};

/// Below this fraction of the largest cell a cell is drawn blank (the tails would otherwise
/// paint the whole plane in the lowest colour).
const BLANK_BELOW: f64 = 0.01;
/// Without colour: sparse to dense for more probability.
const SHADES: [&str; 4] = ["░", "▒", "▓", "█"];
const ASCII_RAMP: [&str; 5] = [".", "-", "=", "+", "#"];
/// The reading box beside the maps needs at least this many columns.
const NOTE_MIN_WIDTH: u16 = 24;
/// Maps of fewer rows than this are not drawn (too coarse to read).
const MIN_MAP_ROWS: u16 = 5;

/// The whole body of the dashboard while the density view is open.
pub fn render_density(app: &App, snap: &Snapshot, area: Rect, buf: &mut Buffer) {
    let Some(view) = snap.density.as_deref() else {
        return;
    };
    let theme = app.theme;
    let watch = area.height >= 34;
    let table_h = (view.wells.len() as u16 + 4 + u16::from(watch)).min(area.height);
    let maps_h = area.height - table_h;
    // Two square maps (a cell is two pixels high) with a key line under each, in borders.
    let map_rows = maps_h
        .saturating_sub(3)
        .min((area.width / 2).saturating_sub(2) / 2);
    if map_rows < MIN_MAP_ROWS {
        // Too little height for maps anyone could read (a lesson's caption at 80×24 left
        // them 3 rows): the table, under a line that says where the maps went.
        let hint = Rect::new(area.x, area.y, area.width, maps_h.min(1));
        // Say how much more the window needs (rows for the maps' height, columns for their
        // width, which is twice their rows).
        let more_rows = (MIN_MAP_ROWS + 3).saturating_sub(maps_h);
        let more_cols = (2 * (2 * MIN_MAP_ROWS + 2)).saturating_sub(area.width);
        let plural =
            |k: u16, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        let rows = plural(more_rows, "row taller", "rows taller");
        let cols = plural(more_cols, "column wider", "columns wider");
        let need = match (more_rows, more_cols) {
            (_, 0) => rows,
            (0, _) => cols,
            _ => format!("{rows} and {cols}"),
        };
        Paragraph::new(Span::styled(
            format!(" the maps (particles, theory) need a window {need}; the masses below"),
            theme.dim(),
        ))
        .render(hint, buf);
        let table = Rect::new(area.x, area.y + hint.height, area.width, table_h);
        render_table(view, watch, theme, table, buf);
        theme.ascii_pass(buf, area);
        return;
    }
    let panel_w = 2 * map_rows + 2;
    let panel_h = map_rows + 3;
    let note_w = area.width.saturating_sub(2 * panel_w);
    let with_note = note_w >= NOTE_MIN_WIDTH;
    let left = if with_note {
        area.x
    } else {
        area.x + note_w / 2
    };
    let measured = Rect::new(left, area.y, panel_w, panel_h);
    let theory = Rect::new(left + panel_w, area.y, panel_w, panel_h);
    let table = Rect::new(area.x, area.y + maps_h, area.width, table_h);
    let scale = Scale::of(view, measured);
    render_map(
        MapSpec {
            title: measured_title(view, measured),
            values: Some(&view.measured),
            key: Key::Colours,
        },
        view,
        &scale,
        theme,
        measured,
        buf,
    );
    let fp = view.theory.as_ref().map(|t| t.fp.as_slice());
    render_map(
        MapSpec {
            title: theory_title(view, theory),
            values: fp,
            key: Key::Axes,
        },
        view,
        &scale,
        theme,
        theory,
        buf,
    );
    if with_note {
        let note = Rect::new(left + 2 * panel_w, area.y, note_w, panel_h);
        render_note(view, theme, note, buf);
    }
    render_table(view, watch, theme, table, buf);
    theme.ascii_pass(buf, area);
}

/// The particles' map's title, in the longest form its panel has room for.
fn measured_title(view: &DensityView, panel: Rect) -> String {
    let forms = if view.sampling {
        let secs = view.since_secs - view.burn_in_secs;
        [
            format!("particles: where the cloud has been, {secs:.0} s"),
            format!("particles, {secs:.0} s sampled"),
            format!("particles, {secs:.0} s"),
        ]
    } else {
        let (now, of) = (view.since_secs, view.burn_in_secs);
        [
            format!("particles now (burn-in {now:.0}/{of:.0} s)"),
            format!("particles (burn-in {now:.0}/{of:.0} s)"),
            "particles (burn-in)".into(),
        ]
    };
    longest_that_fits(forms, panel)
}

/// The theory's map's title, in the longest form its panel has room for.
fn theory_title(view: &DensityView, panel: Rect) -> String {
    let forms: &[&str] = match &view.solve {
        SolveState::Solved { .. } => &[
            "theory: Fokker–Planck stationary density",
            "theory: Fokker–Planck density",
            "theory: Fokker–Planck",
        ],
        SolveState::Exact { .. } => &[
            "theory: exp(−2E_β/σ²), exact: gradient flow",
            "exact: exp(−2E_β/σ²)",
        ],
        SolveState::Solving => &["theory: solving…"],
        SolveState::Failed(_) => &["theory: the solve failed", "theory failed"],
    };
    longest_that_fits(forms.iter().map(|f| f.to_string()), panel)
}

/// The first of `forms` (longest first) that fits inside `panel`'s border, else the last.
fn longest_that_fits(forms: impl IntoIterator<Item = String>, panel: Rect) -> String {
    let room = usize::from(panel.width.saturating_sub(2));
    let mut last = String::new();
    for form in forms {
        if form.chars().count() <= room {
            return form;
        }
        last = form;
    }
    last
}

/// The colour scale both maps share: the largest pixel value of either.
struct Scale {
    max: f64,
}

impl Scale {
    fn of(view: &DensityView, panel: Rect) -> Self {
        let inner = Block::bordered().inner(panel);
        let Some(map) = map_geometry(view, inner) else {
            return Self { max: 0.0 };
        };
        let mut max = pixels(&view.measured, &view.grid, &map)
            .into_iter()
            .fold(0.0, f64::max);
        if let Some(t) = &view.theory {
            max = pixels(&t.fp, &t.grid, &map).into_iter().fold(max, f64::max);
        }
        Self { max }
    }

    /// The heat level of `v` (0 = least), `None` below [`BLANK_BELOW`] of the largest.
    fn level(&self, v: f64) -> Option<u8> {
        if self.max.is_nan() || self.max <= 0.0 || !v.is_finite() || v < BLANK_BELOW * self.max {
            return None;
        }
        let top = f64::from(HEAT_LEVELS);
        Some(((v / self.max * top).floor().min(top - 1.0)) as u8)
    }
}

/// The map inside a panel's inner area (the key line under it).
fn map_geometry(view: &DensityView, inner: Rect) -> Option<MapGeometry> {
    let area = Rect::new(
        inner.x,
        inner.y,
        inner.width,
        inner.height.saturating_sub(1),
    );
    MapGeometry::fit(area, view.grid.half_width)
}

/// Each map pixel's value: the mean probability of the grid cells whose centre falls in it, or,
/// where none does (a map finer than the grid), that of the cell under the pixel's centre.
fn pixels(values: &[f64], grid: &Grid, map: &MapGeometry) -> Vec<f64> {
    let (w, h) = map.pixels();
    let mut sum = vec![0.0; w * h];
    let mut count = vec![0u32; w * h];
    for (c, &v) in values.iter().enumerate().take(grid.len()) {
        let [x, y] = grid.point(c);
        if let Some((px, py)) = map.pixel_of(x, y) {
            sum[py * w + px] += v;
            count[py * w + px] += 1;
        }
    }
    (0..w * h)
        .map(|i| {
            if count[i] > 0 {
                sum[i] / f64::from(count[i])
            } else {
                let (a, b) = map.plane_of(i % w, i / w);
                grid.cell_of([a, b])
                    .and_then(|c| values.get(c).copied())
                    .unwrap_or(0.0)
            }
        })
        .collect()
}

/// What the line under a map says.
enum Key {
    /// The colour key.
    Colours,
    /// The axes and their range.
    Axes,
}

struct MapSpec<'a> {
    title: String,
    /// `None`: nothing to draw yet (the solve is pending or failed).
    values: Option<&'a [f64]>,
    key: Key,
}

fn render_map(
    spec: MapSpec,
    view: &DensityView,
    scale: &Scale,
    theme: Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let area = area.intersection(buf.area);
    if area.width < 4 || area.height < 4 {
        return;
    }
    let title = fit(&spec.title, usize::from(area.width.saturating_sub(2)));
    let block = Block::bordered()
        .title(Span::styled(title, theme.title()))
        .border_style(theme.border());
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(map) = map_geometry(view, inner) else {
        return;
    };
    let key_area = Rect::new(inner.x, inner.bottom() - 1, inner.width, 1);
    let key = match spec.key {
        Key::Colours => colour_key(scale, theme, inner.width),
        Key::Axes => axes_key(view, theme, inner.width),
    };
    Paragraph::new(key).render(key_area, buf);
    let Some(values) = spec.values else {
        let text = match &view.solve {
            SolveState::Failed(e) => e.clone(),
            _ => "solving the stationary equation on the grid…".into(),
        };
        Paragraph::new(Span::styled(text, theme.dim()))
            .wrap(Wrap { trim: true })
            .render(map.rect, buf);
        return;
    };
    // The theory is only ever that of the current settings: one grid for both maps.
    let levels: Vec<Option<u8>> = pixels(values, &view.grid, &map)
        .into_iter()
        .map(|v| scale.level(v))
        .collect();
    let (w, _) = map.pixels();
    for cy in 0..map.rect.height {
        for cx in 0..map.rect.width {
            let i = 2 * usize::from(cy) * w + usize::from(cx);
            let (top, bottom) = (levels[i], levels[i + w]);
            let Some(cell) = buf.cell_mut((map.rect.x + cx, map.rect.y + cy)) else {
                continue;
            };
            if theme.color && !theme.ascii {
                let (symbol, style) = match (top, bottom) {
                    (None, None) => (" ", Style::new()),
                    (Some(_), None) => ("▀", Style::new().fg(theme.heat(top))),
                    (None, Some(_)) => ("▄", Style::new().fg(theme.heat(bottom))),
                    (Some(_), Some(_)) => {
                        ("▀", Style::new().fg(theme.heat(top)).bg(theme.heat(bottom)))
                    }
                };
                cell.set_symbol(symbol).set_style(style);
            } else {
                // The higher of the two: a narrow peak must not vanish.
                cell.set_symbol(ramp(theme, top.max(bottom)));
            }
        }
    }
    render_wells(&view.wells, &map, theme, buf);
}

/// The glyph of a level without colour (denser for more probability).
fn ramp(theme: Theme, level: Option<u8>) -> &'static str {
    let glyphs: &[&'static str] = if theme.ascii { &ASCII_RAMP } else { &SHADES };
    level.map_or(" ", |l| {
        let t = f64::from(l) / f64::from(HEAT_LEVELS - 1);
        glyphs[((t * (glyphs.len() - 1) as f64).round() as usize).min(glyphs.len() - 1)]
    })
}

/// ◆ at every stable well, in its memory's colour on black (it reads on any level).
fn render_wells(wells: &[Well], map: &MapGeometry, theme: Theme, buf: &mut Buffer) {
    for w in wells {
        if let Some((x, y)) = map.cell_of(w.x[0], w.x[1])
            && let Some(cell) = buf.cell_mut((x, y))
        {
            let mark = if w.is_origin() { "●" } else { "◆" };
            cell.set_symbol(mark).set_style(theme.well_label(w.memory));
        }
    }
}

/// "P per cell 0 ▇▇▇▇ 0.46%  blank < 1% of max" in the maps' colours ("P 0 ▇▇▇▇ 0.46%" where
/// narrow).
fn colour_key(scale: &Scale, theme: Theme, width: u16) -> Line<'static> {
    let mut spans = Vec::new();
    let name = if width >= 30 { "P per cell " } else { "P " };
    spans.push(Span::styled(name, theme.dim()));
    spans.push(Span::raw("0 "));
    for level in 0..HEAT_LEVELS {
        if theme.color && !theme.ascii {
            spans.push(Span::styled("█", Style::new().fg(theme.heat(Some(level)))));
        } else {
            spans.push(Span::raw(ramp(theme, Some(level))));
        }
    }
    spans.push(Span::raw(format!(" {:.2}%", 100.0 * scale.max)));
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    if used + 19 <= usize::from(width) {
        spans.push(Span::styled("  blank < 1% of max", theme.dim()));
    }
    Line::from(spans)
}

/// "x1 → x2 ↑ ±5.95  ◆ ±ξ1 ◆ ±ξ2" under the theory's map: the axes, and which mark is
/// which memory's wells (in their colours).
fn axes_key(view: &DensityView, theme: Theme, width: u16) -> Line<'static> {
    let long = theme.spell(&format!("x1 →  x2 ↑  both ±{:.2}  ", view.grid.half_width));
    let short = theme.spell(&format!("x1 → x2 ↑ ±{:.1}  ", view.grid.half_width));
    // idp-modern has no mirror wells: its wells are +ξ only.
    let sign = match view.settings.model {
        DensityModel::Idp => "±",
        DensityModel::IdpModern => "+",
    };
    let marks = [0, 1].map(|mu| theme.spell(&format!("◆ {sign}ξ{}", mu + 1)));
    let legend = format!("{} {}", marks[0], marks[1]);
    let room = |s: &str| s.chars().count() + legend.chars().count() <= usize::from(width);
    let axes = if room(&long) { long } else { short };
    let mut spans = vec![Span::styled(axes.clone(), theme.dim())];
    if room(&axes) && !view.wells.iter().any(Well::is_origin) {
        let [one, two] = marks;
        spans.push(Span::styled(one, theme.well_mark(0)));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(two, theme.well_mark(1)));
    }
    Line::from(spans)
}

/// The reading box beside the maps (where the width allows it).
fn render_note(view: &DensityView, theme: Theme, area: Rect, buf: &mut Buffer) {
    let modern = view.settings.model == DensityModel::IdpModern;
    let title = if modern {
        format!("idp-modern, β = {}", view.settings.beta)
    } else {
        "the paper's Fig. 4".into()
    };
    let block = Block::bordered()
        .title(Span::styled(title, theme.title()))
        .border_style(theme.border());
    let inner = block.inner(area);
    block.render(area, buf);
    let [a1, a2] = view.settings.alphas;
    let sign = if modern { "+" } else { "±" };
    let right = if modern {
        "Right: exp(−2E_β/σ²), exact, as ẋ = −∇E_β."
    } else {
        "Right: the theory."
    };
    let text = vec![
        Line::from("Two neurons; memories ξ1 = (1, 1), ξ2 = (1, −1)."),
        Line::from(""),
        Line::from(vec![
            Span::styled(format!("◆ {sign}ξ1"), theme.well_mark(0)),
            Span::raw(format!(" α1 {a1}  ")),
            Span::styled(format!("◆ {sign}ξ2"), theme.well_mark(1)),
            Span::raw(format!(" α2 {a2}")),
        ]),
        Line::from(""),
        Line::from(format!("Left: {} noisy particles. {right}", view.particles)),
        Line::from(""),
        Line::from("The larger α takes the mass, more so at lower σ."),
    ];
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .render(inner, buf);
}

/// "0.183 ± 0.004" (a decimal more for an error under 0.001), or the mean alone while the
/// error is unknown.
fn estimate(e: &Estimate, theme: Theme) -> String {
    let mean = shown_mass(e.mean);
    let d = decimals(Some(e));
    match e.se {
        // With --ascii "+-" (its one-cell "+" read as a sum), no wider than " ± ".
        Some(se) if theme.ascii => format!("{mean:.d$} +-{se:.d$}"),
        Some(se) => format!("{mean:.d$} ± {se:.d$}"),
        None => format!("{mean:.d$}"),
    }
}

/// The decimals of a row's masses: four where the standard error is below 0.001, else three;
/// the solve's mass beside an estimate is given to as many.
fn decimals(e: Option<&Estimate>) -> usize {
    match e.and_then(|e| e.se) {
        Some(se) if se < 0.001 => 4,
        _ => 3,
    }
}

/// z = (measured − FP) / se, styled as a warning beyond 3; blank during the burn-in
/// (`sampling` false), when the masses are the cloud's now, not yet of the stationary density.
fn z_span(e: Option<&Estimate>, fp: Option<f64>, sampling: bool, theme: Theme) -> Span<'static> {
    let z = e
        .zip(fp)
        .filter(|_| sampling)
        .and_then(|(e, fp)| e.se.filter(|&s| s > 0.0).map(|s| (e.mean - fp) / s));
    match z {
        Some(z) => {
            let style = if z.abs() > 3.0 {
                theme.warning()
            } else {
                Style::new()
            };
            // Within ±0.05 it reads +0.0 (not −0.0).
            let z = if z.abs() < 0.05 { 0.0 } else { z };
            Span::styled(format!("{z:>+5.1}").replace('-', "−"), style)
        }
        None => Span::raw(format!("{:>5}", "")),
    }
}

fn fp_text(fp: Option<f64>, solving: bool, decimals: usize) -> String {
    match fp {
        Some(v) => format!("{:>6.decimals$}", shown_mass(v)),
        None if solving => format!("{:>6}", "…"),
        None => format!("{:>6}", "—"),
    }
}

/// The masses per well and a line on the samples and the solve.
fn render_table(view: &DensityView, watch: bool, theme: Theme, area: Rect, buf: &mut Buffer) {
    let exact = matches!(view.solve, SolveState::Exact { .. });
    let title = if exact {
        "masses per well: particles (± 1 s.e.) against the exact density exp(−2E_β/σ²)"
    } else {
        "masses per well: particles (± 1 s.e.) against the Fokker–Planck solve (FP)"
    };
    let block = Block::bordered()
        .title(Span::styled(
            fit(title, usize::from(area.width.saturating_sub(2))),
            theme.title(),
        ))
        .border_style(theme.border());
    let inner = block.inner(area);
    block.render(area, buf);
    // Wide: the wells at two decimals, the columns named in full. Narrower (80 columns): the
    // wells at one decimal, the columns a little narrower and "cloud" for "particles", so that
    // nothing is left out. Each estimate keeps a space before the solve's mass, which may take
    // all six of its places (0.0046).
    let wide = inner.width >= 96;
    let solving = view.solve == SolveState::Solving;
    let (est_w, gap, near_head, basin_head) = if wide {
        (18, "    ", "near 0.6: particles", "basin: particles")
    } else {
        (15, " ", "near 0.6: cloud", "basin: cloud")
    };
    let at_w = if wide { 16 } else { 13 };
    let mut lines = Vec::new();
    let theory = if exact { "exact" } else { "FP" };
    lines.push(Line::styled(
        format!(
            "{:<8}{:<at_w$}{:<near_w$}{:>6} {:>5}{gap}{:<near_w$}{:>6} {:>5}",
            "well",
            "at",
            near_head,
            theory,
            "z",
            basin_head,
            theory,
            "z",
            near_w = est_w + 1
        ),
        theme.dim(),
    ));
    for (w, m) in view.wells.iter().zip(&view.masses) {
        // The minus sign (the ASCII pass makes it '-').
        let at = if wide {
            format!("({:>5.2}, {:>5.2})", w.x[0], w.x[1])
        } else {
            format!("({:.1}, {:.1})", w.x[0], w.x[1])
        }
        .replace('-', "−");
        let mut spans = vec![
            Span::styled(format!("{:<7} ", w.name()), theme.well_mark(w.memory)),
            Span::raw(format!("{at:<at_w$}")),
        ];
        spans.push(Span::raw(format!("{:<est_w$} ", estimate(&m.near, theme))));
        spans.push(Span::raw(fp_text(
            m.near_fp,
            solving,
            decimals(Some(&m.near)),
        )));
        spans.push(Span::raw(" "));
        spans.push(z_span(Some(&m.near), m.near_fp, view.sampling, theme));
        spans.push(Span::raw(gap));
        let basin = m.basin.as_ref().map_or_else(
            || format!("{:<est_w$} ", if solving { "…" } else { "—" }),
            |b| format!("{:<est_w$} ", estimate(b, theme)),
        );
        spans.push(Span::raw(basin));
        spans.push(Span::raw(fp_text(
            m.basin_fp,
            solving,
            decimals(m.basin.as_ref()),
        )));
        spans.push(Span::raw(" "));
        spans.push(z_span(m.basin.as_ref(), m.basin_fp, view.sampling, theme));
        lines.push(Line::from(spans));
    }
    lines.push(summary(view, inner.width, theme));
    if watch {
        let text = match view.settings.model {
            DensityModel::Idp => {
                "watch: the wells of the memory with the larger α fill; lower σ (−) gives them \
                 more, equal α (a) shares the mass"
            }
            DensityModel::IdpModern if view.wells.iter().any(Well::is_mixture) => {
                "watch: at this β the softmax does not choose: one well between the memories \
                 (a larger --beta separates them)"
            }
            DensityModel::IdpModern => {
                "watch: one well per memory, near α·ξ (no mirror −ξ); the larger α's is deeper and \
                 takes the mass as σ falls (−)"
            }
        };
        lines.push(Line::styled(text, theme.dim()));
    }
    Paragraph::new(lines).render(inner, buf);
}

/// "σ 0.8 α 1.5, 2.25 · 40 s sampled: 400k samples of 1000 particles · FP 81² in 0.41 s".
fn summary(view: &DensityView, area_width: u16, theme: Theme) -> Line<'static> {
    let wide = area_width >= 96;
    let v = |s: String| Span::styled(s, theme.value());
    let k = |s: &str| Span::styled(s.to_string(), theme.dim());
    let [a1, a2] = view.settings.alphas;
    let mut spans = Vec::new();
    if view.settings.model == DensityModel::IdpModern {
        spans.extend([
            Span::styled("idp-modern", theme.title()),
            k(" β "),
            v(format!("{}", view.settings.beta)),
            k("  "),
        ]);
    }
    spans.extend([
        k("σ "),
        v(format!("{}", view.settings.sigma)),
        k("  α1 "),
        v(format!("{a1}")),
        k("  α2 "),
        v(format!("{a2}")),
        k("  · "),
    ]);
    if view.sampling {
        spans.push(v(count(view.samples)));
        // idp-modern's summary starts with the model and β: the particles are named from
        // 116 columns on (from 96 for IDP).
        let roomy = match view.settings.model {
            DensityModel::Idp => wide,
            DensityModel::IdpModern => area_width >= 116,
        };
        if roomy {
            spans.push(k(&format!(" samples of {} particles", view.particles)));
        } else {
            // Room for the model and β at 80 columns.
            spans.push(k(" samples"));
        }
        if roomy {
            spans.push(k(" every 0.1 s"));
        }
        let room_outside = view.settings.model == DensityModel::Idp || area_width >= 136;
        if wide && room_outside && view.outside > 0.0 {
            spans.push(k(&format!(", {:.2}% off the grid", 100.0 * view.outside)));
        }
    } else {
        spans.push(Span::styled("burn-in", theme.warning()));
        // What the masses are, where the line has room for it.
        let time = format!(" {:.0}/{:.0} s", view.since_secs, view.burn_in_secs);
        let whole = format!("{time}: masses of the cloud now");
        let used: usize = spans.iter().map(Span::width).sum();
        let fits = used + whole.chars().count() <= usize::from(area_width);
        spans.push(k(if fits { &whole } else { &time }));
    }
    // The theory's part, whole where it fits, else without its time, else left out.
    let exact = matches!(view.solve, SolveState::Exact { .. });
    let label = if exact { " · exact " } else { " · FP " };
    let tail: Vec<Span<'static>> = match &view.solve {
        SolveState::Solved { secs } | SolveState::Exact { secs } => {
            let cells = format!("{}²", view.grid.cells);
            let whole = match secs {
                Some(secs) => vec![k(label), k(&format!("{cells} in {secs:.2} s"))],
                None => vec![k(label), k(&cells)],
            };
            let short = vec![k(label), k(&cells)];
            let used: usize = spans.iter().map(Span::width).sum();
            let fits = |t: &[Span]| {
                used + t.iter().map(Span::width).sum::<usize>() <= usize::from(area_width)
            };
            if fits(&whole) {
                whole
            } else if fits(&short) {
                short
            } else {
                Vec::new()
            }
        }
        SolveState::Solving => vec![k(label), Span::styled("solving…", theme.warning())],
        SolveState::Failed(_) => vec![k(label), Span::styled("failed", theme.warning())],
    };
    spans.extend(tail);
    Line::from(spans)
}

/// 1234 → "1234", 340 000 → "340k", 2 500 000 → "2.5M".
fn count(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1}M", n as f64 / 1e6)
    } else if n >= 10_000 {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

/// `text` cut to `width` characters (with … when cut).
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}
