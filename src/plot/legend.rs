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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// The width in pixels of `text` at the legend's font.
fn text_px(text: &str) -> i32 {
    font(FONT_PX)
        .font
        .box_size(text)
        .map_or(8 * text.chars().count() as i32, |(w, _)| w as i32)
}

/// `label` as it fits in `room` pixels: whole, or cut at a character with "…" at its end.
fn fitted(label: &str, room: i32) -> String {
    if text_px(label) <= room {
        return label.to_string();
    }
    let chars: Vec<char> = label.chars().collect();
    let cut = |k: usize| format!("{}…", chars[..k].iter().collect::<String>().trim_end());
    // The longest prefix that fits, by bisection (a longer prefix is never narrower).
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if text_px(&cut(mid)) <= room {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    cut(lo)
}

/// Where each entry goes in a strip `width` wide, its rows starting `left` in: (x, row), and
/// its label as it fits (cut with "…" when even a row of its own is too narrow).
fn layout(entries: &[Entry], width: i32, left: i32) -> Vec<(i32, i32, String)> {
    let (mut x, mut row) = (left, 0);
    entries
        .iter()
        .map(|e| {
            let w = SWATCH_PX + GAP_PX.0 + text_px(&e.label);
            if x > left && x + w > width {
                (x, row) = (left, row + 1);
            }
            let label = fitted(&e.label, width - x - SWATCH_PX - GAP_PX.0);
            let at = (x, row);
            x += SWATCH_PX + GAP_PX.0 + text_px(&label) + GAP_PX.1;
            (at.0, at.1, label)
        })
        .collect()
}

/// The height in pixels the entries take in a strip `width` wide (0 for none).
pub fn height(entries: &[Entry], width: u32, left: u32) -> u32 {
    match layout(entries, width as i32, left as i32).last() {
        Some(&(_, row, _)) => (2 * PAD_PX + (row + 1) * ROW_PX) as u32,
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
    for (e, (x, row, label)) in entries.iter().zip(layout(entries, w as i32, left as i32)) {
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
            label,
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
        let laid = layout(&entries, 800, 80);
        let at: Vec<(i32, i32)> = laid.iter().map(|&(x, row, _)| (x, row)).collect();
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
        // Labels that fit are whole.
        assert!(laid.iter().zip(&entries).all(|(at, e)| at.2 == e.label));
    }

    #[test]
    fn an_entry_wider_than_the_strip_has_a_row_of_its_own_and_ends_in_an_ellipsis() {
        let long = "x".repeat(200);
        let at = layout(&[entry(&long), entry("a")], 300, 10);
        assert_eq!((at[0].0, at[0].1), (10, 0));
        assert_eq!((at[1].0, at[1].1, at[1].2.as_str()), (10, 1, "a"));
        let cut = &at[0].2;
        assert!(cut.ends_with('…') && cut.len() < long.len(), "{cut}");
        // It fills its row: its text ends within the strip, and one more character would not.
        let room = 300 - 10 - SWATCH_PX - GAP_PX.0;
        assert!(text_px(cut) <= room, "{} > {room}", text_px(cut));
        let longer = format!("{}…", "x".repeat(cut.chars().count()));
        assert!(text_px(&longer) > room);
    }
}
