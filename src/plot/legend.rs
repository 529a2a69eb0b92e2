//! A legend in a strip of its own beside a chart, so that no entry covers a line or a point:
//! entries flow left to right and wrap onto further rows.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{fail, font};

/// How an entry shows its series.
#[derive(Clone, Copy)]
pub enum Swatch {
    Line,
    Dashed,
    /// A filled box (a shaded region).
    Band,
    /// A line with its marker.
    LineMarker(Marker),
}

/// A point's mark.
#[derive(Clone, Copy)]
pub enum Marker {
    Circle,
    Triangle,
    Square,
}

/// One entry: what it says, its colour and its swatch.
pub struct Entry {
    pub label: String,
    pub colour: RGBColor,
    pub swatch: Swatch,
}

const FONT_PX: f64 = 13.0;
const ROW_PX: i32 = 20;
const SWATCH_PX: i32 = 28;
/// Between a swatch and its label, and between entries.
const GAP_PX: (i32, i32) = (6, 22);
/// Above and below the rows.
const PAD_PX: i32 = 6;

/// Where each entry goes in a strip `width` wide, its rows starting `left` in: (x, row).
fn layout(entries: &[Entry], width: i32, left: i32) -> Vec<(i32, i32)> {
    let style = font(FONT_PX);
    let (mut x, mut row) = (left, 0);
    entries
        .iter()
        .map(|e| {
            let text = style
                .font
                .box_size(&e.label)
                .map_or(8 * e.label.chars().count() as i32, |(w, _)| w as i32);
            let w = SWATCH_PX + GAP_PX.0 + text;
            if x > left && x + w > width {
                (x, row) = (left, row + 1);
            }
            let at = (x, row);
            x += w + GAP_PX.1;
            at
        })
        .collect()
}

/// The height in pixels the entries take in a strip `width` wide (0 for none).
pub fn height(entries: &[Entry], width: u32, left: u32) -> u32 {
    match layout(entries, width as i32, left as i32).last() {
        Some(&(_, row)) => (2 * PAD_PX + (row + 1) * ROW_PX) as u32,
        None => 0,
    }
}

/// Draws the entries on `area`, a strip at least [`height`] tall.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
    left: u32,
) -> Result<(), String> {
    let (w, _) = area.dim_in_pixel();
    for (e, (x, row)) in entries.iter().zip(layout(entries, w as i32, left as i32)) {
        let y = PAD_PX + row * ROW_PX + ROW_PX / 2;
        let col = e.colour;
        let line = |to: i32| PathElement::new(vec![(x, y), (x + to, y)], col.stroke_width(3));
        match e.swatch {
            Swatch::Line => area.draw(&line(SWATCH_PX)),
            Swatch::Dashed => area.draw(&line(10)).and_then(|_| {
                area.draw(&PathElement::new(
                    vec![(x + 16, y), (x + SWATCH_PX, y)],
                    col.stroke_width(3),
                ))
            }),
            Swatch::Band => area.draw(&Rectangle::new(
                [(x, y - 7), (x + SWATCH_PX, y + 7)],
                col.mix(0.6).filled(),
            )),
            Swatch::LineMarker(m) => area.draw(&line(SWATCH_PX)).and_then(|_| {
                area.draw(&(EmptyElement::at((x + SWATCH_PX / 2, y)) + mark(m, col)))
            }),
        }
        .map_err(fail)?;
        area.draw(&Text::new(
            e.label.clone(),
            (x + SWATCH_PX + GAP_PX.0, y - 8),
            font(FONT_PX),
        ))
        .map_err(fail)?;
    }
    Ok(())
}

/// A marker centred on (0, 0), to add to an element placed at a point.
pub fn mark<DB: DrawingBackend>(
    marker: Marker,
    col: RGBColor,
) -> DynElement<'static, DB, (i32, i32)> {
    match marker {
        Marker::Circle => Circle::new((0, 0), 5, col.filled()).into_dyn(),
        Marker::Triangle => TriangleMarker::new((0, 0), 7, col.filled()).into_dyn(),
        Marker::Square => Rectangle::new([(-5, -5), (5, 5)], col.filled()).into_dyn(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(label: &str) -> Entry {
        Entry {
            label: label.into(),
            colour: BLACK,
            swatch: Swatch::Line,
        }
    }

    #[test]
    fn entries_wrap_onto_rows_within_the_width() {
        let entries: Vec<Entry> = (0..9)
            .map(|k| entry(&format!("model {k}: N = 256, 1024")))
            .collect();
        let at = layout(&entries, 800, 80);
        assert_eq!(at[0], (80, 0));
        // Each row starts at the left, no entry's start lies past the width, and rows fill in order.
        assert!(at.iter().all(|&(x, _)| (80..800).contains(&x)));
        assert!(
            at.windows(2)
                .all(|w| w[1].1 == w[0].1 && w[1].0 > w[0].0 || w[1] == (80, w[0].1 + 1))
        );
        let rows = at.last().unwrap().1 + 1;
        assert!(
            rows > 1,
            "nine long entries in 800 px take more than one row"
        );
        assert_eq!(
            height(&entries, 800, 80),
            (2 * PAD_PX + rows * ROW_PX) as u32
        );
        assert_eq!(height(&[], 800, 80), 0);
        // One entry wider than the strip still has a row of its own.
        assert_eq!(
            layout(&[entry(&"x".repeat(200)), entry("a")], 300, 10),
            vec![(10, 0), (10, 1)]
        );
    }
}
