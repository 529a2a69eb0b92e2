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
/// `pixels` may be a reduction of the image in the file (a PNG is kept at most
/// [`super::MAX_SIDE`] per side), whose size `source_width`×`source_height` is what reports
/// show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrayImage {
    pub width: usize,
    pub height: usize,
    /// `width * height` grey levels, row-major.
    pub pixels: Vec<u8>,
    /// The size of the image in the file, in pixels.
    pub source_width: usize,
    pub source_height: usize,
}

impl GrayImage {
    /// An image of `width`×`height` grey levels, as large as its source.
    pub fn new(width: usize, height: usize, pixels: Vec<u8>) -> GrayImage {
        GrayImage {
            width,
            height,
            pixels,
            source_width: width,
            source_height: height,
        }
    }

    /// Resizes to `width`×`height` by averaging the source pixels that fall in each target
    /// pixel (nearest pixel when enlarging), then thresholds at mid-grey: darker than 128 is on,
    /// like ink on paper.
    pub fn to_bitmap(&self, width: usize, height: usize) -> Bitmap {
        let mut pixels = Vec::with_capacity(width * height);
        self.box_sums(width, height, |sum, count| {
            pixels.push(sum * 2 < 255 * count)
        });
        Bitmap {
            width,
            height,
            pixels,
        }
    }

    /// Calls `cell(sum, count)` for each cell of a `width`×`height` grid laid over the image,
    /// row by row: the sum of the grey levels under the cell and how many there are. One pass
    /// over the image, spans computed once.
    fn box_sums(&self, width: usize, height: usize, mut cell: impl FnMut(u64, u64)) {
        let columns: Vec<(usize, usize)> = (0..width).map(|t| span(t, width, self.width)).collect();
        let mut sums = vec![0u64; width];
        for ty in 0..height {
            let (y0, y1) = span(ty, height, self.height);
            sums.fill(0);
            for row in self.pixels[y0 * self.width..y1 * self.width].chunks_exact(self.width) {
                for (sum, &(x0, x1)) in sums.iter_mut().zip(&columns) {
                    *sum += row[x0..x1].iter().map(|&v| u64::from(v)).sum::<u64>();
                }
            }
            for (&sum, &(x0, x1)) in sums.iter().zip(&columns) {
                cell(sum, ((y1 - y0) * (x1 - x0)) as u64);
            }
        }
    }
}

/// The source range [start, end) covered by target index `t` of `target` cells over `source`
/// cells; never empty when `source > 0`.
pub(super) fn span(t: usize, target: usize, source: usize) -> (usize, usize) {
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
        let g = GrayImage::new(4, 2, vec![0, 0, 255, 255, 0, 0, 255, 255]);
        assert_eq!(g.to_bitmap(2, 1).pixels, vec![true, false]);
        // Enlarging picks the nearest pixel.
        assert_eq!(g.to_bitmap(8, 4).pixels.iter().filter(|&&p| p).count(), 16);
    }
}
