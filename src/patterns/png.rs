//! PNG input through the `image` crate: the size is checked from the header before anything
//! is decoded, then the image is decoded to grey (transparency flattened onto white) and
//! averaged down to at most [`MAX_SIDE`] per side; only that is kept, and it is later resized
//! to the set's grid and thresholded at mid-grey.

use image::ImageDecoder as _;
use image::codecs::png::PngDecoder;

use super::bitmap::{GrayImage, span};
use super::error::{ErrorKind, MAX_SIDE, ParseError};

/// Largest PNG side accepted, in pixels. Larger images are refused from their header, before
/// decoding: decoding costs time and memory in proportion to the pixels (a 137-KB 4096×4096
/// PNG needs 185 MB), and a pattern grid has at most [`MAX_SIDE`] pixels per side.
pub const MAX_PNG_SIDE: u32 = 512;

/// Most memory the decoder may allocate, in bytes: a 512×512 image of 16-bit RGBA is 2 MiB.
const MAX_DECODE_BYTES: u64 = 16 << 20;

/// Decodes a PNG to a grey image of at most [`MAX_SIDE`] per side (`source_width` and
/// `source_height` give the size in the file).
pub fn parse_png(bytes: &[u8]) -> Result<GrayImage, ParseError> {
    let fail = |e: image::ImageError| {
        ParseError::whole(ErrorKind::Png {
            message: e.to_string(),
        })
    };
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let decoder = PngDecoder::with_limits(std::io::Cursor::new(bytes), limits).map_err(fail)?;
    let (width, height) = decoder.dimensions();
    if width > MAX_PNG_SIDE || height > MAX_PNG_SIDE {
        return Err(ParseError::whole(ErrorKind::PngTooLarge {
            width,
            height,
            limit: MAX_PNG_SIDE,
        }));
    }
    if width == 0 || height == 0 {
        return Err(ParseError::whole(ErrorKind::Empty));
    }
    let color = decoder.color_type();
    // At most MAX_PNG_SIDE² × 8 bytes (16-bit RGBA): checked above, and by the decoder's limit.
    let mut raw = vec![0u8; usize::try_from(decoder.total_bytes()).unwrap_or(usize::MAX)];
    decoder.read_image(&mut raw).map_err(fail)?;
    let (width, height) = (width as usize, height as usize);
    grey_reduced(color, &raw, width, height, MAX_SIDE).ok_or_else(|| {
        ParseError::whole(ErrorKind::Png {
            message: format!("unsupported colour type {color:?}"),
        })
    })
}

/// The grey image of a decoded buffer, transparency composited onto white (transparent areas
/// are paper, i.e. off), averaged down to at most `max_side` per side in the same pass (each
/// cell the rounded mean of the pixels under it); `None` for a colour type PNG does not
/// produce.
fn grey_reduced(
    color: image::ColorType,
    raw: &[u8],
    width: usize,
    height: usize,
    max_side: usize,
) -> Option<GrayImage> {
    use image::ColorType as C;
    let reduce = match color {
        C::L8 => reduce_as::<1, 1, 255>,
        C::La8 => reduce_as::<2, 1, 255>,
        C::Rgb8 => reduce_as::<3, 1, 255>,
        C::Rgba8 => reduce_as::<4, 1, 255>,
        C::L16 => reduce_as::<1, 2, 65535>,
        C::La16 => reduce_as::<2, 2, 65535>,
        C::Rgb16 => reduce_as::<3, 2, 65535>,
        C::Rgba16 => reduce_as::<4, 2, 65535>,
        _ => return None,
    };
    let (cells_x, cells_y) = (width.min(max_side), height.min(max_side));
    let pixels = reduce(raw, width, height, cells_x, cells_y);
    Some(GrayImage {
        width: cells_x,
        height: cells_y,
        pixels,
        source_width: width,
        source_height: height,
    })
}

/// [`grey_reduced`] for pixels of `CHANNELS` samples of `BYTES` bytes (native endian) up to
/// `MAX`, into `cells_x`×`cells_y` cells (no more than the pixels).
fn reduce_as<const CHANNELS: usize, const BYTES: usize, const MAX: u32>(
    raw: &[u8],
    width: usize,
    height: usize,
    cells_x: usize,
    cells_y: usize,
) -> Vec<u8> {
    // Reducing, the cells' column spans partition the columns.
    let columns: Vec<(usize, usize)> = (0..cells_x).map(|t| span(t, cells_x, width)).collect();
    let pixel_bytes = CHANNELS * BYTES;
    let row_bytes = width * pixel_bytes;
    let mut sums = vec![0u32; cells_x];
    let mut pixels = Vec::with_capacity(cells_x * cells_y);
    for ty in 0..cells_y {
        let (y0, y1) = span(ty, cells_y, height);
        sums.fill(0);
        for row in raw[y0 * row_bytes..y1 * row_bytes].chunks_exact(row_bytes) {
            for (sum, &(x0, x1)) in sums.iter_mut().zip(&columns) {
                // Summed in a register: one store per cell, not per pixel.
                let cell = &row[x0 * pixel_bytes..x1 * pixel_bytes];
                *sum += cell
                    .chunks_exact(pixel_bytes)
                    .map(grey::<CHANNELS, BYTES, MAX>)
                    .sum::<u32>();
            }
        }
        let rows = y1 - y0;
        for (&sum, &(x0, x1)) in sums.iter().zip(&columns) {
            pixels.push(rounded_mean(sum, (rows * (x1 - x0)) as u32));
        }
    }
    pixels
}

/// `sum / count` rounded to the nearest; counts are 1, 2 or 4 at the present limits (a cell
/// covers at most two pixels each way), which are shifts rather than divisions.
fn rounded_mean(sum: u32, count: u32) -> u8 {
    let mean = match count {
        1 => sum,
        2 => (sum + 1) >> 1,
        4 => (sum + 2) >> 2,
        _ => (sum + count / 2) / count,
    };
    mean as u8
}

/// The grey level (0–255) of one pixel: luma by the sRGB weighting of the `image` crate
/// (0.2126, 0.7152, 0.0722, in integers), composited onto white by its alpha, then rounded to
/// 8 bits. `MAX` is the largest sample (a constant, so the divisions compile to
/// multiplications).
#[inline(always)]
fn grey<const CHANNELS: usize, const BYTES: usize, const MAX: u32>(px: &[u8]) -> u32 {
    let sample = |i: usize| {
        if BYTES == 2 {
            u32::from(u16::from_ne_bytes([px[2 * i], px[2 * i + 1]]))
        } else {
            u32::from(px[i])
        }
    };
    let luma = if CHANNELS >= 3 {
        (2126 * sample(0) + 7152 * sample(1) + 722 * sample(2)) / 10000
    } else {
        sample(0)
    };
    let grey = if CHANNELS == 2 || CHANNELS == 4 {
        let alpha = sample(CHANNELS - 1);
        // (luma·alpha + MAX·(MAX − alpha)) / MAX, split so that nothing overflows.
        luma * alpha / MAX + (MAX - alpha)
    } else {
        luma
    };
    if BYTES == 2 { (grey + 128) / 257 } else { grey }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ColorType as C;

    /// The grey levels of a row of pixels (no reduction).
    fn flatten(color: C, raw: &[u8]) -> Option<Vec<u8>> {
        let n = raw.len() / usize::from(color.bytes_per_pixel());
        grey_reduced(color, raw, n, 1, 256).map(|g| g.pixels)
    }

    #[test]
    fn flattening_weights_colour_and_composites_alpha_onto_white() {
        assert_eq!(flatten(C::L8, &[0, 200]), Some(vec![0, 200]));
        // Opaque black, transparent black (paper), half-transparent black.
        assert_eq!(
            flatten(C::La8, &[0, 255, 0, 0, 0, 128]),
            Some(vec![0, 255, 127])
        );
        // Pure green is 0.7152 of white.
        assert_eq!(flatten(C::Rgb8, &[0, 255, 0]), Some(vec![182]));
        assert_eq!(flatten(C::Rgba8, &[0, 255, 0, 255]), Some(vec![182]));
        let wide = |v: &[u16]| v.iter().flat_map(|s| s.to_ne_bytes()).collect::<Vec<u8>>();
        assert_eq!(
            flatten(C::L16, &wide(&[0, 65535, 32896])),
            Some(vec![0, 255, 128])
        );
        assert_eq!(flatten(C::La16, &wide(&[0, 0])), Some(vec![255]));
        assert_eq!(flatten(C::Rgb16, &wide(&[0, 65535, 0])), Some(vec![182]));
        assert_eq!(flatten(C::Rgba16, &wide(&[0, 0, 0, 65535])), Some(vec![0]));
        assert_eq!(flatten(C::Rgb32F, &[0; 12]), None);
    }

    #[test]
    fn reduction_averages_each_side_and_keeps_the_source_size() {
        // 6×2: columns 0, 0, 90, 90, 255, 255 → 3×2 at most 3 per side.
        let row = [0, 0, 90, 90, 255, 255];
        let g = grey_reduced(C::L8, &[row, row].concat(), 6, 2, 3).unwrap();
        assert_eq!((g.width, g.height), (3, 2));
        assert_eq!(g.pixels, vec![0, 90, 255, 0, 90, 255]);
        assert_eq!((g.source_width, g.source_height), (6, 2));
        // Rounded to the nearest level.
        let g = grey_reduced(C::L8, &[0, 255], 2, 1, 1).unwrap();
        assert_eq!(g.pixels, vec![128]);
        // 5 rows into 2 cells: rows 0–1 and 2–4.
        let g = grey_reduced(C::L8, &[0, 0, 255, 255, 255], 1, 5, 2).unwrap();
        assert_eq!(g.pixels, vec![0, 255]);
    }
}
