//! Drawing figures (plotters), as SVG or PNG chosen by the file's extension. The font is
//! compiled in (DejaVu Sans), so a PNG draws its text on a machine with no fonts; an SVG names
//! the family `sans-serif` and the browser draws it.
//!
//! Each figure is a value that draws itself on any plotters backend ([`Figure`]); [`save`] picks
//! the backend. The panels: overlaps over time with the input strip under them and mean ± sd
//! bands ([`Timeline`]), rates against a number with error bars ([`Rates`]), laid out under a
//! title by [`Grid`]. What a run or an experiment draws is theirs (`runner::figure`,
//! `experiment::figures`): this module knows nothing of either.

mod grid;
pub mod legend;
mod rates;
mod timeline;

use std::path::Path;

use anyhow::Context;
use plotters::coord::Shift;
use plotters::prelude::*;

pub use grid::{Grid, Panel, runs};
pub use legend::Marker;
pub use rates::{Rates, Series, rate};
pub use timeline::{Curve, Piece, Timeline};

/// DejaVu Sans (Bitstream Vera licence, assets/DejaVuSans-LICENSE.txt).
static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
/// The family every text of a figure uses.
pub const FAMILY: &str = "sans-serif";

/// A figure file's format, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlotFormat {
    Svg,
    Png,
}

impl PlotFormat {
    /// The format of `path` (`.svg` or `.png`, any case), or what was expected.
    pub fn of(path: &Path) -> Result<Self, String> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("svg") => Ok(PlotFormat::Svg),
            Some("png") => Ok(PlotFormat::Png),
            _ => Err(format!(
                "{}: a figure is written as .svg or .png (chosen by the extension)",
                path.display()
            )),
        }
    }
}

/// Checks a `--plot` value: a path ending in `.svg` or `.png`.
pub fn check_plot_path(path: &Path) -> Result<(), String> {
    PlotFormat::of(path).map(|_| ())
}

/// Something that draws itself on a drawing area of any backend.
pub trait Figure {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws the whole figure on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// Turns a plotters error into text (its type depends on the backend).
pub(crate) fn fail<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

pub(crate) fn register_font() -> Result<(), String> {
    static DONE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, FONT)
            .map_err(|_| "the built-in font cannot be read".to_string())
    })
    .clone()
}

/// Draws `figure` into `path` as SVG or PNG (by the extension).
pub fn save(figure: &impl Figure, path: &Path) -> anyhow::Result<()> {
    let format = PlotFormat::of(path).map_err(anyhow::Error::msg)?;
    register_font().map_err(anyhow::Error::msg)?;
    let (w, h) = figure.size();
    let what = || format!("cannot write the figure {}", path.display());
    match format {
        PlotFormat::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, (w, h)).into_drawing_area();
                figure.draw(&root).map_err(anyhow::Error::msg)?;
                root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            std::fs::write(path, text).with_context(what)?;
        }
        PlotFormat::Png => {
            let mut buf = vec![0u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
                figure.draw(&root).map_err(anyhow::Error::msg)?;
                root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            let image = image::RgbImage::from_raw(w, h, buf)
                .ok_or_else(|| anyhow::anyhow!("the figure's buffer has the wrong size"))?;
            image
                .save_with_format(path, image::ImageFormat::Png)
                .with_context(what)?;
        }
    }
    Ok(())
}

/// Ten distinct colours (Tableau 10) for the memories and models that matter in a figure.
pub const COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(127, 127, 127),
];

/// The grey of the memories that are not the subject of a figure.
pub const OTHER: RGBColor = RGBColor(175, 175, 175);

/// The colour of item `k` (repeating after ten).
pub fn colour(k: usize) -> RGBColor {
    COLOURS[k % COLOURS.len()]
}

/// A text style of the figure's family.
pub fn font(size: f64) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&BLACK)
}
