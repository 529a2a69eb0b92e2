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

/// The smallest shrink factor that fits the image in `area` (at most 16).
pub fn fit_factor(width: usize, height: usize, area: Rect) -> Option<usize> {
    (1..=16).find(|&k| {
        let (w, h) = cells(width, height, k);
        w <= area.width && h <= area.height
    })
}

impl HalfBlockImage<'_> {
    /// The mean of the k×k block at block coordinates (bx, by); NaN pixels count as 0.
    fn block(&self, bx: usize, by: usize, k: usize) -> f32 {
        let (mut sum, mut count) = (0.0f32, 0usize);
        for y in by * k..((by + 1) * k).min(self.height) {
            for x in bx * k..((bx + 1) * k).min(self.width) {
                let v = self.pixels.get(y * self.width + x).copied().unwrap_or(0.0);
                sum += if v.is_finite() { v } else { 0.0 };
                count += 1;
            }
        }
        if count == 0 { -1.0 } else { sum / count as f32 }
    }
}

/// The grey level of a value in [−1, 1].
fn level(v: f32) -> u8 {
    let t = ((v.clamp(-1.0, 1.0) + 1.0) / 2.0) * f32::from(GREY_LEVELS - 1);
    t.round() as u8
}

impl Widget for HalfBlockImage<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if self.width == 0 || self.height == 0 || self.pixels.len() < self.width * self.height {
            return;
        }
        let Some(k) = fit_factor(self.width, self.height, area) else {
            return;
        };
        let (w, h) = cells(self.width, self.height, k);
        // Centre the image in its area.
        let x0 = area.x + (area.width - w) / 2;
        let y0 = area.y + (area.height - h) / 2;
        let rows = self.height.div_ceil(k);
        for cy in 0..h {
            for cx in 0..w {
                let top = self.block(cx as usize, 2 * cy as usize, k);
                let bottom = if (2 * cy as usize + 1) < rows {
                    self.block(cx as usize, 2 * cy as usize + 1, k)
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
