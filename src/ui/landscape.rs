//! The energy-landscape panel: E/N over the activations Ψ = a·ξ₁ + b·ξ₂ of the two most salient
//! memories (the diamond |a| + |b| ≤ 1; its corners are ±ξ₁ and ±ξ₂) as a heat map, two grid
//! rows per cell with half blocks (a shade or character ramp without colour), darker for lower
//! energy on a colour scale that holds still while the plane does, with a key of its E/N values;
//! the theory's wells marked, the corners named outside the diamond (where the state never is),
//! and the state's activations as a dot with a short trail.

use std::collections::VecDeque;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::model::landscape::View;

use super::charts::nice_step;
use super::theme::{HEAT_LEVELS, Theme};

/// Below this inner size the panel draws its compact form (initials, no legend line).
const COMPACT_WIDTH: u16 = 28;
const COMPACT_HEIGHT: u16 = 9;

/// Low energy dense, high energy light (without colour a blank is "no state").
const SHADES: [&str; 4] = ["█", "▓", "▒", "░"];
const ASCII_RAMP: [&str; 6] = ["#", "%", "+", "=", "-", "."];

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
        let rect = Rect::new(
            area.x + (area.width - w) / 2,
            area.y + area.height.saturating_sub(h) / 2,
            w,
            h,
        );
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

/// The colour scale of the heat map: E/N from `lo` (level 0, darkest) to `hi` (lightest). It is
/// fitted to a plane when the plane first shows and then held while that plane stays, so a
/// shallower well looks lighter instead of the colours being stretched again; it refits early
/// only when the landscape goes deeper than the scale by more than a level (hysteresis).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeatScale {
    /// The plane it was fitted to ([`View::plane`]), `None` before the first.
    pub plane: Option<u64>,
    pub lo: f64,
    pub hi: f64,
}

impl Default for HeatScale {
    fn default() -> Self {
        Self {
            plane: None,
            lo: -1.0,
            hi: 0.0,
        }
    }
}

impl HeatScale {
    /// A scale over the finite energies of `view`, rounded out to a round step.
    pub fn fit(view: &View) -> Self {
        let (lo, hi) = view
            .grid
            .energy
            .iter()
            .filter(|e| e.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &e| {
                (lo.min(e), hi.max(e))
            });
        let (lo, hi) = if lo.is_finite() && hi.is_finite() {
            (lo, hi)
        } else {
            (-1.0, 0.0)
        };
        let step = nice_step((hi - lo).max(1e-3));
        Self {
            plane: Some(view.plane),
            lo: (lo / step).floor() * step,
            hi: ((hi / step).ceil() * step).max((lo / step).floor() * step + step),
        }
    }

    /// Keeps the scale for `view`'s plane, or fits a new one (new plane, or deeper energies).
    pub fn follow(&mut self, view: &View) {
        let deepest = view
            .grid
            .energy
            .iter()
            .filter(|e| e.is_finite())
            .fold(f64::INFINITY, |m, &e| m.min(e));
        let level = (self.hi - self.lo) / f64::from(HEAT_LEVELS);
        let too_deep = deepest < self.lo - level;
        let empty = self.hi.partial_cmp(&self.lo) != Some(std::cmp::Ordering::Greater);
        if self.plane != Some(view.plane) || too_deep || empty {
            *self = Self::fit(view);
        }
    }

    /// The level of E/N `e` (0 = lowest), clamped to the scale; `None` where `e` is not finite.
    pub fn level(&self, e: f64) -> Option<u8> {
        if !e.is_finite() {
            return None;
        }
        let span = self.hi - self.lo;
        let t = if span.is_finite() && span > 0.0 {
            ((e - self.lo) / span).clamp(0.0, 1.0)
        } else {
            0.5
        };
        let top = f64::from(HEAT_LEVELS);
        Some(((t * top).floor().min(top - 1.0)) as u8)
    }
}

/// The landscape panel of one [`View`]. Never panics, whatever the area or the values.
pub struct LandscapePanel<'a> {
    pub view: &'a View,
    /// Memory names, indexed like the memories.
    pub names: &'a [String],
    pub trail: Option<&'a Trail>,
    /// The colour scale to draw with (`None`: one fitted to this view).
    pub scale: Option<&'a HeatScale>,
    /// Whose landscape this is, when it needs saying (compare mode).
    pub model: Option<&'a str>,
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

    fn number(&self, v: f64) -> String {
        let s = if v.abs() >= 10.0 {
            format!("{v:.0}")
        } else if v.abs() >= 1.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.2}")
        };
        // No "−0.00".
        let s = if s
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            s.trim_start_matches('-').to_string()
        } else {
            s
        };
        s.replace('-', self.minus())
    }

    /// The panel title: whose landscape and which plane.
    fn title(&self, width: u16) -> String {
        let (n1, n2) = (self.name(self.view.axes.0), self.name(self.view.axes.1));
        let who = self.model.map_or(String::new(), |m| format!("{m}: "));
        let (energy, on) = if self.view.modern {
            ("E_β", "x")
        } else {
            ("E", "Ψ")
        };
        let long = if self.view.modern {
            format!("{who}E_β on x = a·{n1} + b·{n2}")
        } else {
            format!("{who}energy on Ψ = a·{n1} + b·{n2}")
        };
        let title = if long.chars().count() + 2 <= usize::from(width) {
            long
        } else {
            format!("{who}{energy}({on}) {n1}/{n2}")
        };
        if self.theme.ascii {
            title.replace('·', "*")
        } else {
            title
        }
    }

    /// The heat level of each pixel of `map`, `None` where no state has those activations.
    fn levels(&self, map: &MapGeometry, scale: &HeatScale) -> Vec<Option<u8>> {
        let grid = &self.view.grid;
        let (w, h) = map.pixels();
        if grid.cols == 0 || grid.rows == 0 || grid.energy.len() < grid.cols * grid.rows {
            return vec![None; w * h];
        }
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
                out.push(scale.level(e));
            }
        }
        out
    }

    /// The glyph of a level without colour (a ramp, denser for lower energy).
    fn ramp_glyph(&self, level: Option<u8>) -> &'static str {
        let glyphs: &[&'static str] = if self.theme.ascii {
            &ASCII_RAMP
        } else {
            &SHADES
        };
        level.map_or(" ", |l| {
            let t = f64::from(l) / f64::from(HEAT_LEVELS - 1);
            glyphs[((t * (glyphs.len() - 1) as f64).round() as usize).min(glyphs.len() - 1)]
        })
    }

    /// Paints the heat map into `map`; returns each cell's level (the lower of its pixels';
    /// `None`: no state has those activations), row by row.
    fn render_heat(
        &self,
        map: &MapGeometry,
        scale: &HeatScale,
        buf: &mut Buffer,
    ) -> Vec<Option<u8>> {
        let levels = self.levels(map, scale);
        let (w, _) = map.pixels();
        let mut cells = vec![None; usize::from(map.rect.width) * usize::from(map.rect.height)];
        for cy in 0..map.rect.height {
            for cx in 0..map.rect.width {
                let i = 2 * usize::from(cy) * w + usize::from(cx);
                let (top, bottom) = (levels[i], levels[i + w]);
                cells[usize::from(cy) * usize::from(map.rect.width) + usize::from(cx)] =
                    match (top, bottom) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                let Some(cell) = buf.cell_mut((map.rect.x + cx, map.rect.y + cy)) else {
                    continue;
                };
                if self.theme.colours_heat() {
                    // Outside the diamond the terminal's own background shows.
                    let (symbol, style) = match (top, bottom) {
                        (None, None) => (" ", Style::new()),
                        (Some(_), None) => ("▀", Style::new().fg(self.theme.heat(top))),
                        (None, Some(_)) => ("▄", Style::new().fg(self.theme.heat(bottom))),
                        (Some(_), Some(_)) => (
                            "▀",
                            Style::new()
                                .fg(self.theme.heat(top))
                                .bg(self.theme.heat(bottom)),
                        ),
                    };
                    cell.set_symbol(symbol).set_style(style);
                } else {
                    // The lower of the two levels: a well must not vanish into its rim.
                    let level = match (top, bottom) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    cell.set_symbol(self.ramp_glyph(level));
                }
            }
        }
        cells
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

    /// Marks the wells (◆ stable, × saddle; initials when compact), each on the colour of its
    /// cell's depth (`cells` from [`Self::render_heat`]), so a mark at the diamond's edge still
    /// shows how deep it is.
    fn render_wells(
        &self,
        map: &MapGeometry,
        cells: &[Option<u8>],
        compact: bool,
        buf: &mut Buffer,
    ) {
        let ascii = self.theme.ascii;
        for well in &self.view.wells {
            let Some((x, y)) = map.cell_of(well.at.0, well.at.1) else {
                continue;
            };
            let index = usize::from(y - map.rect.y) * usize::from(map.rect.width)
                + usize::from(x - map.rect.x);
            let mut style = self.theme.well_mark(well.memory);
            if let Some(level) = cells.get(index).copied().flatten()
                && self.theme.color
                && !self.theme.ascii
            {
                style = style.bg(self.theme.heat(Some(level)));
            }
            let name = self.name(well.memory);
            let mark = match (compact, well.stable, ascii) {
                (true, true, _) if well.sign > 0 => name.chars().next().unwrap_or('?'),
                (true, true, _) => '-',
                (_, false, false) => '×',
                (_, false, true) => 'x',
                (false, true, false) => '◆',
                (false, true, true) => 'O',
            };
            self.put(buf, x, y, &mark.to_string(), style);
        }
    }

    /// Names the corners ±ξ₁, ±ξ₂ next to each: in the blank cells outside the diamond,
    /// where the state (always inside) cannot cover them; where no blank cell is near (a
    /// modern model's plane is energy to its edges), on the map, on black (with colour), off
    /// the wells' marks, under the state's dot.
    fn render_corner_labels(
        &self,
        map: &MapGeometry,
        cells: &[Option<u8>],
        bounds: Rect,
        buf: &mut Buffer,
    ) {
        let (m1, m2) = self.view.axes;
        let corners = [
            (m1, 1i8, (1.0, 0.0)),
            (m1, -1, (-1.0, 0.0)),
            (m2, 1, (0.0, 1.0)),
            (m2, -1, (0.0, -1.0)),
        ];
        // The labels may use the blank cells of the map and the margins around it (`bounds`).
        let bounds = bounds.union(map.rect);
        let width = usize::from(bounds.width);
        let height = usize::from(bounds.height);
        let map_w = usize::from(map.rect.width);
        let blank: Vec<bool> = (0..height)
            .flat_map(|row| (0..width).map(move |col| (row, col)))
            .map(|(row, col)| {
                let (x, y) = (bounds.x + col as u16, bounds.y + row as u16);
                if map.rect.contains(ratatui::layout::Position::new(x, y)) {
                    let i = usize::from(y - map.rect.y) * map_w + usize::from(x - map.rect.x);
                    cells.get(i).is_none_or(Option::is_none)
                } else {
                    true
                }
            })
            .collect();
        let mut taken = vec![false; blank.len()];
        // The cells the labels must leave alone when they go on the map.
        let cell = |(x, y): (u16, u16)| {
            let (col, row) = (x.checked_sub(bounds.x)?, y.checked_sub(bounds.y)?);
            (col < bounds.width && row < bounds.height)
                .then(|| usize::from(row) * width + usize::from(col))
        };
        // (Not the state's: it moves every frame, and the labels would jump with it; the dot
        // is drawn over them instead.)
        let mut marked = vec![false; blank.len()];
        for at in self.view.wells.iter().map(|w| w.at) {
            if let Some(i) = map.cell_of(at.0, at.1).and_then(cell) {
                marked[i] = true;
            }
        }
        for (mu, sign, (a, b)) in corners {
            let Some((x, y)) = map.cell_of(a, b) else {
                continue;
            };
            let label = format!(
                "{}{}",
                if sign < 0 { self.minus() } else { "" },
                self.name(mu)
            );
            let len = label.chars().count() as i32;
            let (cx, cy) = (i32::from(x - bounds.x), i32::from(y - bounds.y));
            // Free for a label: in bounds, not taken, blank (or, on the map, not marked).
            let free = |x0: i32, row: i32, taken: &[bool], on_map: bool| {
                (x0..x0 + len).all(|x| {
                    let inside =
                        x >= 0 && (x as usize) < width && row >= 0 && (row as usize) < height;
                    inside && {
                        let i = row as usize * width + x as usize;
                        !taken[i] && if on_map { !marked[i] } else { blank[i] }
                    }
                })
            };
            // Beside the corner (either side) or over or under it, never across the map where
            // it would name another corner.
            let near = |x0: i32| {
                (x0 + len / 2 - cx)
                    .abs()
                    .min((x0 - 1 - cx).abs())
                    .min((x0 + len - cx).abs())
            };
            let mut starts: Vec<i32> = (-len..width as i32).filter(|&x0| near(x0) <= 2).collect();
            starts.sort_by_key(|&x0| near(x0));
            // The nearest free run of cells: rows nearest the corner first, in each row the
            // start nearest the corner.
            let search = |on_map: bool, taken: &[bool], rows: &[i32]| {
                rows.iter().find_map(|&dy| {
                    let row = cy + dy;
                    starts
                        .iter()
                        .find(|&&x0| free(x0, row, taken, on_map))
                        .map(|&x0| (x0, row))
                })
            };
            let far = [0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -6, 6];
            let spot = search(false, &taken, &far)
                .map(|at| (at, self.theme.well_mark(mu)))
                .or_else(|| {
                    search(true, &taken, &[0, -1, 1]).map(|at| (at, self.theme.well_label(mu)))
                });
            if let Some(((x0, row), style)) = spot {
                for x in x0..x0 + len {
                    taken[row as usize * width + x as usize] = true;
                }
                self.put(
                    buf,
                    bounds.x + x0 as u16,
                    bounds.y + row as u16,
                    &label,
                    style,
                );
            }
        }
    }

    /// The trail (older points) and the state dot on top of the map.
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

    /// The colour key: each level's colour with the E/N values at its ends.
    fn key(&self, scale: &HeatScale, width: u16) -> Line<'static> {
        let t = self.theme;
        let mut spans = vec![
            Span::styled("E/N ", t.dim()),
            Span::raw(self.number(scale.lo)),
            Span::raw(" "),
        ];
        for level in 0..HEAT_LEVELS {
            if t.colours_heat() {
                spans.push(Span::styled("█", Style::new().fg(t.heat(Some(level)))));
            } else {
                spans.push(Span::raw(self.ramp_glyph(Some(level))));
            }
        }
        spans.push(Span::raw(" "));
        spans.push(Span::raw(self.number(scale.hi)));
        // Without colour the deepest level is the densest glyph, which a dark terminal shows
        // brightest: "dark" would say the opposite there, so the key names the glyph.
        let note = if t.colours_heat() {
            "  dark = deep".to_string()
        } else {
            format!("  {} = deep", self.ramp_glyph(Some(0)))
        };
        let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
        if used + note.chars().count() <= usize::from(width) {
            spans.push(Span::styled(note, t.dim()));
        }
        Line::from(spans)
    }

    /// Where the heat map lies inside the panel's `inner` area (borders off): above the key
    /// and legend lines, and, where it would fill the width and stays large without them,
    /// leaving the left and right corners' names a margin.
    pub fn map_in(&self, inner: Rect) -> Option<MapGeometry> {
        let compact = inner.width < COMPACT_WIDTH || inner.height < COMPACT_HEIGHT;
        let map_h = inner.height.saturating_sub(if compact { 0 } else { 2 });
        let label_w = [self.view.axes.0, self.view.axes.1]
            .iter()
            .map(|&mu| self.name(mu).chars().count() as u16 + 1)
            .max()
            .unwrap_or(0);
        let margin = if !compact
            && inner.width <= 2 * map_h
            && inner.width.saturating_sub(2 * label_w) >= 40
        {
            label_w
        } else {
            0
        };
        let map_area = Rect::new(inner.x + margin, inner.y, inner.width - 2 * margin, map_h);
        MapGeometry::fit(map_area, self.view.grid.extent)
    }

    /// The marks' legend.
    fn legend(&self) -> &'static str {
        if self.theme.ascii {
            "O well  x saddle  @ state"
        } else {
            "◆ well  × saddle  ● state"
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
        let map_h = inner.height.saturating_sub(if compact { 0 } else { 2 });
        let Some(map) = self.map_in(inner) else {
            return;
        };
        let fitted = HeatScale::fit(self.view);
        let scale = self
            .scale
            .filter(|s| s.plane == Some(self.view.plane))
            .unwrap_or(&fitted);
        let cells = self.render_heat(&map, scale, buf);
        self.render_wells(&map, &cells, compact, buf);
        if !compact {
            let bounds = Rect::new(inner.x, inner.y, inner.width, map_h);
            self.render_corner_labels(&map, &cells, bounds, buf);
            let key = Rect::new(inner.x, inner.bottom() - 2, inner.width, 1);
            Paragraph::new(self.key(scale, inner.width)).render(key, buf);
            let legend = Rect::new(inner.x, inner.bottom() - 1, inner.width, 1);
            Paragraph::new(Span::styled(self.legend(), self.theme.dim())).render(legend, buf);
        }
        self.render_state(&map, buf);
        self.theme.ascii_pass(buf, area);
    }
}
