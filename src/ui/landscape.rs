//! The energy-landscape panel: E(x; u) on the plane of the two most salient memories as a heat
//! map (two grid rows per cell with half blocks, a shade or character ramp without colour), the
//! theory's wells named, and the state's projection as a dot with a short trail.

use std::collections::VecDeque;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::model::landscape::View;

use super::theme::{HEAT_LEVELS, Theme};

/// Below this inner size the panel draws its compact form (initials, no legend line).
const COMPACT_WIDTH: u16 = 28;
const COMPACT_HEIGHT: u16 = 9;

/// Low energy blank, high energy dense.
const SHADES: [&str; 5] = [" ", "░", "▒", "▓", "█"];
const ASCII_RAMP: [&str; 8] = [" ", ".", ":", "-", "=", "+", "*", "#"];

/// The recent projections of the state, oldest first, for the plane they were taken on.
#[derive(Debug, Clone, PartialEq)]
pub struct Trail {
    axes: Option<(usize, usize)>,
    points: VecDeque<(f64, f64)>,
    capacity: usize,
}

impl Trail {
    /// A trail keeping the newest `capacity` points.
    pub fn new(capacity: usize) -> Self {
        Self {
            axes: None,
            points: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    /// Appends the state of `view`; forgets the older points when the plane changed (they were
    /// coordinates on other axes). Non-finite points are skipped.
    pub fn record(&mut self, view: &View) {
        if self.axes != Some(view.axes) {
            self.points.clear();
            self.axes = Some(view.axes);
        }
        let (a, b) = view.state;
        if self.capacity == 0 || !a.is_finite() || !b.is_finite() {
            return;
        }
        if self.points.len() == self.capacity {
            self.points.pop_front();
        }
        self.points.push_back((a, b));
    }

    /// Forgets every point.
    pub fn clear(&mut self) {
        self.points.clear();
        self.axes = None;
    }

    /// The points, oldest first.
    pub fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.points.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

/// Where the heat map lies on screen and how plane coordinates map to its cells: a square of
/// `rect.width` × 2·`rect.height` pixels (a half-block pixel is about square) covering
/// a, b ∈ [−extent, extent], a to the right and b up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapGeometry {
    pub rect: Rect,
    pub extent: f64,
}

impl MapGeometry {
    /// The largest square map centred in `area`, or `None` when nothing fits.
    pub fn fit(area: Rect, extent: f64) -> Option<Self> {
        let side = area.width.min(area.height.saturating_mul(2));
        if side < 2 || !extent.is_finite() || extent <= 0.0 {
            return None;
        }
        let (w, h) = (side, side.div_ceil(2));
        let rect = Rect::new(area.x + (area.width - w) / 2, area.y, w, h);
        Some(Self { rect, extent })
    }

    /// Pixels across and down.
    pub fn pixels(&self) -> (usize, usize) {
        (
            usize::from(self.rect.width),
            2 * usize::from(self.rect.height),
        )
    }

    /// The pixel nearest the plane point (a, b), if it lies on the map.
    pub fn pixel_of(&self, a: f64, b: f64) -> Option<(usize, usize)> {
        let (w, h) = self.pixels();
        let span = 2.0 * self.extent;
        let px = ((a + self.extent) / span * (w - 1) as f64).round();
        let py = ((self.extent - b) / span * (h - 1) as f64).round();
        let inside = |v: f64, n: usize| v.is_finite() && v >= 0.0 && v <= (n - 1) as f64;
        (inside(px, w) && inside(py, h)).then_some((px as usize, py as usize))
    }

    /// The buffer cell showing the plane point (a, b), if it lies on the map.
    pub fn cell_of(&self, a: f64, b: f64) -> Option<(u16, u16)> {
        let (px, py) = self.pixel_of(a, b)?;
        Some((self.rect.x + px as u16, self.rect.y + (py / 2) as u16))
    }

    /// The plane point at the centre of pixel (px, py).
    pub fn plane_of(&self, px: usize, py: usize) -> (f64, f64) {
        let (w, h) = self.pixels();
        let t = |k: usize, n: usize| {
            if n <= 1 {
                0.5
            } else {
                k as f64 / (n - 1) as f64
            }
        };
        let span = 2.0 * self.extent;
        (
            -self.extent + span * t(px, w),
            self.extent - span * t(py, h),
        )
    }
}

/// The landscape panel of one [`View`]. Never panics, whatever the area or the values.
pub struct LandscapePanel<'a> {
    pub view: &'a View,
    /// Memory names, indexed like the memories.
    pub names: &'a [String],
    pub trail: Option<&'a Trail>,
    pub theme: Theme,
}

impl LandscapePanel<'_> {
    fn name(&self, mu: usize) -> String {
        let raw = self.names.get(mu).map_or("?", String::as_str);
        let clean: String = raw.chars().filter(|c| !c.is_control()).take(10).collect();
        if self.theme.ascii {
            clean
                .chars()
                .map(|c| if c.is_ascii() { c } else { '?' })
                .collect()
        } else {
            clean
        }
    }

    fn minus(&self) -> &'static str {
        if self.theme.ascii { "-" } else { "−" }
    }

    /// The panel title: which plane this is.
    fn title(&self, width: u16) -> String {
        let (n1, n2) = (self.name(self.view.axes.0), self.name(self.view.axes.1));
        let long = format!("energy E(a·{n1} + b·{n2})");
        let title = if long.chars().count() + 2 <= usize::from(width) {
            long
        } else {
            format!("E {n1}/{n2}")
        };
        if self.theme.ascii {
            title.replace('·', "*")
        } else {
            title
        }
    }

    /// The legend line under the map: axes, range and marks.
    fn legend(&self) -> String {
        let (n1, n2) = (self.name(self.view.axes.0), self.name(self.view.axes.1));
        let e = self.view.grid.extent;
        if self.theme.ascii {
            format!("a>{n1} b^{n2} +-{e:.2}  O well x saddle @ x(t)")
        } else {
            format!("a→{n1} b↑{n2} ±{e:.2}  ◆ well × saddle ● x(t)")
        }
    }

    /// The heat level of each pixel of `map`, `None` where the energy is not finite.
    fn levels(&self, map: &MapGeometry) -> Vec<Option<u8>> {
        let grid = &self.view.grid;
        let (w, h) = map.pixels();
        if grid.cols == 0 || grid.rows == 0 || grid.energy.len() < grid.cols * grid.rows {
            return vec![None; w * h];
        }
        let (lo, hi) = grid
            .energy
            .iter()
            .filter(|e| e.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &e| {
                (lo.min(e), hi.max(e))
            });
        let nearest = |k: usize, n: usize, count: usize| {
            if n <= 1 {
                count / 2
            } else {
                (k * (count - 1) + (n - 1) / 2) / (n - 1)
            }
        };
        let mut out = Vec::with_capacity(w * h);
        for py in 0..h {
            let row = nearest(py, h, grid.rows);
            for px in 0..w {
                let e = grid.at(nearest(px, w, grid.cols), row);
                out.push(heat_level(e, lo, hi));
            }
        }
        out
    }

    /// Paints the heat map into `map`.
    fn render_heat(&self, map: &MapGeometry, buf: &mut Buffer) {
        let levels = self.levels(map);
        let (w, _) = map.pixels();
        for cy in 0..map.rect.height {
            for cx in 0..map.rect.width {
                let i = 2 * usize::from(cy) * w + usize::from(cx);
                let (top, bottom) = (levels[i], levels[i + w]);
                let Some(cell) = buf.cell_mut((map.rect.x + cx, map.rect.y + cy)) else {
                    continue;
                };
                if self.theme.ascii {
                    cell.set_symbol(ramp(&ASCII_RAMP, top, bottom));
                } else if self.theme.color {
                    cell.set_symbol("▀").set_style(
                        Style::new()
                            .fg(self.theme.heat(top))
                            .bg(self.theme.heat(bottom)),
                    );
                } else {
                    cell.set_symbol(ramp(&SHADES, top, bottom));
                }
            }
        }
    }

    /// Writes `text` at (x, y) in `style` over the map (a style without a background keeps
    /// each cell's own).
    fn put(&self, buf: &mut Buffer, x: u16, y: u16, text: &str, style: Style) {
        for (k, ch) in text.chars().enumerate() {
            if let Some(cell) = buf.cell_mut((x.saturating_add(k as u16), y)) {
                cell.set_char(ch).set_style(style);
            }
        }
    }

    /// Marks the wells and names them, without letting labels cover marks or one another.
    fn render_wells(&self, map: &MapGeometry, compact: bool, buf: &mut Buffer) {
        let ascii = self.theme.ascii;
        let mut taken: Vec<Rect> = Vec::new();
        let mut labels = Vec::new();
        for well in &self.view.wells {
            let Some((x, y)) = map.cell_of(well.at.0, well.at.1) else {
                continue;
            };
            let name = self.name(well.memory);
            let mark = match (compact, well.stable, ascii) {
                (true, true, _) if well.sign > 0 => name.chars().next().unwrap_or('?'),
                (true, true, _) => '-',
                (_, false, false) => '×',
                (_, false, true) => 'x',
                (false, true, false) => '◆',
                (false, true, true) => 'O',
            };
            self.put(
                buf,
                x,
                y,
                &mark.to_string(),
                self.theme.well_mark(well.memory),
            );
            let style = self.theme.well_label(well.memory);
            taken.push(Rect::new(x, y, 1, 1));
            if !compact {
                let sign = if well.sign < 0 { self.minus() } else { "" };
                labels.push((x, y, format!("{sign}{name}"), style));
            }
        }
        for (x, y, label, style) in labels {
            let len = label.chars().count() as u16;
            let right = Rect::new(x.saturating_add(1), y, len, 1);
            let left = Rect::new(x.saturating_sub(len), y, len, 1);
            let fits = |r: &Rect| {
                r.x >= map.rect.x
                    && r.right() <= map.rect.right()
                    && !taken.iter().any(|t| t.intersects(*r))
            };
            let left_room = x >= map.rect.x.saturating_add(len);
            let spot = [Some(right), left_room.then_some(left)]
                .into_iter()
                .flatten()
                .find(fits);
            if let Some(spot) = spot {
                self.put(buf, spot.x, spot.y, &label, style);
                taken.push(spot);
            }
        }
    }

    /// The trail (older points) and the state dot on top of everything.
    fn render_state(&self, map: &MapGeometry, buf: &mut Buffer) {
        let (dot, crumb) = if self.theme.ascii {
            ("@", ".")
        } else {
            ("●", "·")
        };
        let style = self.theme.value();
        if let Some(trail) = self.trail {
            let n = trail.len();
            for (a, b) in trail.points().take(n.saturating_sub(1)) {
                if let Some((x, y)) = map.cell_of(a, b) {
                    self.put(buf, x, y, crumb, self.theme.dim());
                }
            }
        }
        let (a, b) = self.view.state;
        if let Some((x, y)) = map.cell_of(a, b) {
            self.put(buf, x, y, dot, style);
        }
    }
}

impl Widget for LandscapePanel<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.width < 3 || area.height < 3 {
            return;
        }
        let block = Block::bordered()
            .title(Span::styled(self.title(area.width), self.theme.title()))
            .border_style(self.theme.border());
        let inner = block.inner(area);
        block.render(area, buf);
        let grid = &self.view.grid;
        if grid.cols == 0 || grid.rows == 0 || !grid.energy.iter().any(|e| e.is_finite()) {
            Paragraph::new(Span::styled("no landscape", self.theme.dim())).render(inner, buf);
            return;
        }
        let compact = inner.width < COMPACT_WIDTH || inner.height < COMPACT_HEIGHT;
        let map_area = if compact {
            inner
        } else {
            Rect::new(inner.x, inner.y, inner.width, inner.height - 1)
        };
        let Some(map) = MapGeometry::fit(map_area, grid.extent) else {
            return;
        };
        self.render_heat(&map, buf);
        self.render_wells(&map, compact, buf);
        self.render_state(&map, buf);
        if !compact {
            let legend = Rect::new(inner.x, inner.bottom() - 1, inner.width, 1);
            Paragraph::new(Span::styled(self.legend(), self.theme.dim())).render(legend, buf);
        }
        self.theme.ascii_pass(buf, area);
    }
}

/// The level of energy `e`, linear between the frame's lowest `lo` and highest `hi` (level 0 =
/// lowest), so that the depths of the basins compare honestly.
fn heat_level(e: f64, lo: f64, hi: f64) -> Option<u8> {
    if !e.is_finite() {
        return None;
    }
    let span = hi - lo;
    let t = if span.is_finite() && span > 0.0 {
        ((e - lo) / span).clamp(0.0, 1.0)
    } else {
        0.5
    };
    Some((t * f64::from(HEAT_LEVELS - 1)).round() as u8)
}

/// One glyph for a cell from a ramp, by the mean level of its two pixels (blank when neither
/// has an energy).
fn ramp(glyphs: &[&'static str], top: Option<u8>, bottom: Option<u8>) -> &'static str {
    let levels: Vec<u8> = [top, bottom].into_iter().flatten().collect();
    if levels.is_empty() {
        return " ";
    }
    let mean = levels.iter().map(|&l| f64::from(l)).sum::<f64>() / levels.len() as f64;
    let t = mean / f64::from(HEAT_LEVELS - 1);
    glyphs[((t * (glyphs.len() - 1) as f64).round() as usize).min(glyphs.len() - 1)]
}
