//! Grey-level images drawn with half blocks: two pixels per cell (upper = foreground, lower =
//! background), so a 32×32 pattern takes 32×16 cells; shrunk by whole factors to fit.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

use super::theme::{GREY_LEVELS, Theme};

/// An image of `width`×`height` pixels with values in [−1, 1] (−1 black, +1 white), row-major.
pub struct HalfBlockImage<'a> {
    pub pixels: &'a [f32],
    pub width: usize,
    pub height: usize,
    pub theme: Theme,
}

/// The cells an image of `width`×`height` pixels takes at shrink factor `k`.
pub fn cells(width: usize, height: usize, k: usize) -> (u16, u16) {
    let k = k.max(1);
    let w = width.div_ceil(k);
    let h = height.div_ceil(k).div_ceil(2);
    (
        w.min(u16::MAX as usize) as u16,
        h.min(u16::MAX as usize) as u16,
    )
}

/// The largest size (cells across, cells down) at which a `width`×`height` image fits
/// `max_w`×`max_h` cells, keeping its proportions (a cell is one pixel wide and two high) and
/// never enlarged; `(0, 0)` when nothing fits.
pub fn fit_cells(width: usize, height: usize, max_w: u16, max_h: u16) -> (u16, u16) {
    fit_cells_scaled(width, height, max_w, max_h, 1.0)
}

/// [`fit_cells`], enlarged up to `max_scale` times where there is room (a large terminal).
pub fn fit_cells_scaled(
    width: usize,
    height: usize,
    max_w: u16,
    max_h: u16,
    max_scale: f64,
) -> (u16, u16) {
    if width == 0 || height == 0 || max_w == 0 || max_h == 0 {
        return (0, 0);
    }
    let scale = (f64::from(max_w) / width as f64)
        .min(f64::from(2 * max_h) / height as f64)
        .min(max_scale.max(1.0));
    let w = ((width as f64 * scale).floor() as u16).clamp(1, max_w);
    let px_h = ((height as f64 * scale).floor() as usize).max(1);
    let h = (px_h.div_ceil(2) as u16).clamp(1, max_h);
    (w, h)
}

impl HalfBlockImage<'_> {
    /// The source pixel at the centre of output pixel (ox, oy) of an `out_w`×`out_h`
    /// resampling (nearest neighbour: a black-and-white pattern stays black and white, which
    /// keeps a changed cell to a glyph, without a colour sequence); NaN pixels count as 0.
    fn sample(&self, ox: usize, oy: usize, out_w: usize, out_h: usize) -> f32 {
        let pick = |o: usize, out: usize, src: usize| {
            (((o as f64 + 0.5) * src as f64 / out.max(1) as f64) as usize).min(src - 1)
        };
        let (x, y) = (pick(ox, out_w, self.width), pick(oy, out_h, self.height));
        let v = self.pixels.get(y * self.width + x).copied().unwrap_or(0.0);
        if v.is_finite() { v } else { 0.0 }
    }
}

/// The grey level of a value in [−1, 1].
fn level(v: f32) -> u8 {
    let t = ((v.clamp(-1.0, 1.0) + 1.0) / 2.0) * f32::from(GREY_LEVELS - 1);
    t.round() as u8
}

/// Where a `width`×`height` picture is drawn in an area: its cells, centred, and the size of
/// the resampled picture (two pixel rows per cell). Also maps a cell back to the picture's
/// pixels (mouse painting) and a pixel to its cell (the paint cursor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub x0: u16,
    pub y0: u16,
    pub w: u16,
    pub h: u16,
    out_w: usize,
    out_h: usize,
    src_w: usize,
    src_h: usize,
}

impl Placement {
    /// The placement of a `width`×`height` picture in `area`, as large as fits (`None` when it
    /// does not fit).
    pub fn of(width: usize, height: usize, area: Rect) -> Option<Self> {
        if width == 0 || height == 0 {
            return None;
        }
        // The panel is sized for the picture (enlarged on a large terminal): fill it.
        let (w, h) = fit_cells_scaled(width, height, area.width, area.height, 4.0);
        if w == 0 || h == 0 {
            return None;
        }
        let out_w = usize::from(w);
        let out_h = (height * out_w / width).clamp(1, 2 * usize::from(h));
        Some(Self {
            x0: area.x + (area.width - w) / 2,
            y0: area.y + (area.height - h) / 2,
            w,
            h,
            out_w,
            out_h,
            src_w: width,
            src_h: height,
        })
    }

    /// The source pixel of output pixel (ox, oy) (nearest neighbour).
    fn source(&self, ox: usize, oy: usize) -> (usize, usize) {
        let pick = |o: usize, out: usize, src: usize| {
            (((o as f64 + 0.5) * src as f64 / out.max(1) as f64) as usize).min(src - 1)
        };
        (
            pick(ox, self.out_w, self.src_w),
            pick(oy, self.out_h, self.src_h),
        )
    }

    /// The picture's pixels under terminal cell (column, row): its top and bottom halves.
    pub fn pixels_at(&self, column: u16, row: u16) -> Option<[(usize, usize); 2]> {
        let inside = (self.x0..self.x0 + self.w).contains(&column)
            && (self.y0..self.y0 + self.h).contains(&row);
        if !inside {
            return None;
        }
        let (ox, oy) = (
            usize::from(column - self.x0),
            2 * usize::from(row - self.y0),
        );
        let top = self.source(ox, oy.min(self.out_h - 1));
        let bottom = self.source(ox, (oy + 1).min(self.out_h - 1));
        Some([top, bottom])
    }

    /// The cell that shows pixel (x, y), and whether it is the cell's top half.
    pub fn cell_of(&self, (x, y): (usize, usize)) -> (u16, u16, bool) {
        let ox = ((x as f64 + 0.5) * self.out_w as f64 / self.src_w as f64) as usize;
        let oy = ((y as f64 + 0.5) * self.out_h as f64 / self.src_h as f64) as usize;
        let col = (ox.min(self.out_w - 1) as u16).min(self.w - 1);
        let row = ((oy / 2) as u16).min(self.h - 1);
        (self.x0 + col, self.y0 + row, oy.is_multiple_of(2))
    }
}

impl Widget for HalfBlockImage<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if self.width == 0 || self.height == 0 || self.pixels.len() < self.width * self.height {
            return;
        }
        let Some(place) = Placement::of(self.width, self.height, area) else {
            return;
        };
        let (x0, y0, w, h) = (place.x0, place.y0, place.w, place.h);
        let (out_w, out_h) = (place.out_w, place.out_h);
        for cy in 0..h {
            for cx in 0..w {
                let (ox, oy) = (usize::from(cx), 2 * usize::from(cy));
                let top = self.sample(ox, oy, out_w, out_h);
                let bottom = if oy + 1 < out_h {
                    self.sample(ox, oy + 1, out_w, out_h)
                } else {
                    -1.0
                };
                let Some(cell) = buf.cell_mut((x0 + cx, y0 + cy)) else {
                    continue;
                };
                let (lt, lb) = (level(top), level(bottom));
                let top_level = GREY_LEVELS - 1;
                let extreme = |l: u8| l == 0 || l == top_level;
                if self.theme.color && !self.theme.ascii && extreme(lt) && extreme(lb) {
                    // Pure black and white cells share one style and differ only by glyph: a
                    // changed cell then costs the terminal no colour sequence (same look).
                    let symbol = match (lt == top_level, lb == top_level) {
                        (false, false) => " ",
                        (true, false) => "▀",
                        (false, true) => "▄",
                        (true, true) => "█",
                    };
                    cell.set_symbol(symbol).set_style(
                        Style::new()
                            .fg(self.theme.grey(top_level))
                            .bg(self.theme.grey(0)),
                    );
                } else if self.theme.color && !self.theme.ascii {
                    cell.set_symbol("▀")
                        .set_style(Style::new().fg(self.theme.grey(lt)).bg(self.theme.grey(lb)));
                } else {
                    // Two tones: a pixel is on when it is brighter than mid-grey.
                    let mid = (GREY_LEVELS - 1) / 2;
                    let (t, b) = (lt > mid, lb > mid);
                    let symbol = match (self.theme.ascii, t, b) {
                        (_, false, false) => " ",
                        (false, true, false) => "▀",
                        (false, false, true) => "▄",
                        (false, true, true) => "█",
                        (true, true, false) => "\"",
                        (true, false, true) => ",",
                        (true, true, true) => "#",
                    };
                    cell.set_symbol(symbol);
                }
            }
        }
    }
}
