//! PNG input through the `image` crate: decoded to grey (transparency flattened onto white),
//! later resized to the set's grid and thresholded at mid-grey.

use super::bitmap::GrayImage;
use super::error::{ErrorKind, ParseError};

/// Largest PNG side accepted before conversion, in pixels (a decompression-bomb guard).
pub const MAX_PNG_SIDE: u32 = 4096;

/// Decodes a PNG to a grey image.
pub fn parse_png(bytes: &[u8]) -> Result<GrayImage, ParseError> {
    let fail = |message: String| ParseError::whole(ErrorKind::Png { message });
    let mut reader =
        image::ImageReader::with_format(std::io::Cursor::new(bytes), image::ImageFormat::Png);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_PNG_SIDE);
    limits.max_image_height = Some(MAX_PNG_SIDE);
    limits.max_alloc = Some(256 << 20);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| fail(e.to_string()))?;
    let rgba = decoded.to_luma_alpha8();
    let (width, height) = (rgba.width() as usize, rgba.height() as usize);
    if width == 0 || height == 0 {
        return Err(ParseError::whole(ErrorKind::Empty));
    }
    let pixels = rgba
        .pixels()
        .map(|p| {
            let [luma, alpha] = p.0;
            // Composite onto white: transparent areas are paper, i.e. off.
            let (l, a) = (u32::from(luma), u32::from(alpha));
            ((l * a + 255 * (255 - a)) / 255) as u8
        })
        .collect();
    Ok(GrayImage {
        width,
        height,
        pixels,
    })
}
