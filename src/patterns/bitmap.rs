//! In-memory images of a pattern: binary bitmaps (text, PBM) and grey images (PNG) that are
//! converted to the set's grid by area averaging and a mid-grey threshold.

/// A binary image, row-major; `true` is on (+1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width: usize,
    pub height: usize,
    /// `width * height` pixels, row-major.
    pub pixels: Vec<bool>,
}

/// A grey image, row-major, 0 = black, 255 = white (alpha already flattened onto white).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrayImage {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl GrayImage {
    /// Resizes to `width`×`height` by averaging the source pixels that fall in each target
    /// pixel (nearest pixel when enlarging), then thresholds at mid-grey: darker than 128 is on,
    /// like ink on paper.
    pub fn to_bitmap(&self, width: usize, height: usize) -> Bitmap {
        let mut pixels = Vec::with_capacity(width * height);
        for ty in 0..height {
            let (y0, y1) = span(ty, height, self.height);
            for tx in 0..width {
                let (x0, x1) = span(tx, width, self.width);
                let mut sum = 0u64;
                for y in y0..y1 {
                    let row = &self.pixels[y * self.width..(y + 1) * self.width];
                    sum += row[x0..x1].iter().map(|&v| u64::from(v)).sum::<u64>();
                }
                let count = ((y1 - y0) * (x1 - x0)) as u64;
                pixels.push(sum * 2 < 255 * count);
            }
        }
        Bitmap {
            width,
            height,
            pixels,
        }
    }
}

/// The source range [start, end) covered by target index `t` of `target` cells over `source`
/// cells; never empty when `source > 0`.
fn span(t: usize, target: usize, source: usize) -> (usize, usize) {
    let start = t * source / target;
    let end = ((t + 1) * source / target).max(start + 1).min(source);
    (start.min(source.saturating_sub(1)), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downscale_averages_and_thresholds() {
        // 4×2: left half black, right half white → 2×1: on, off.
        let g = GrayImage {
            width: 4,
            height: 2,
            pixels: vec![0, 0, 255, 255, 0, 0, 255, 255],
        };
        assert_eq!(g.to_bitmap(2, 1).pixels, vec![true, false]);
        // Enlarging picks the nearest pixel.
        assert_eq!(g.to_bitmap(8, 4).pixels.iter().filter(|&&p| p).count(), 16);
    }
}
