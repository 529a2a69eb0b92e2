//! A panel of rates (or means) against a number, one line per series, with error bars and
//! markers; and the binomial rate with its standard error.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::legend::{self, Entry, Marker, Swatch};
use super::{fail, font};

/// One line of a [`Rates`] panel: its legend label (or none), colour, marker and points
/// (x, y, ± error).
pub type Series = (Option<String>, RGBColor, Marker, Vec<(f64, f64, f64)>);

/// A panel of rates (or means) against a number, one line per series, with error bars.
pub struct Rates {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    /// (label in the legend (or none), colour, marker, points (x, y, ± error))
    pub series: Vec<Series>,
    /// A vertical mark: (x, label).
    pub mark: Option<(f64, String)>,
}

/// Draws `r` on `area`: the chart, and under it the legend in a strip of its own.
pub fn draw_rates<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &Rates,
) -> Result<(), String> {
    let (x0, x1) = r.x_range;
    let (y0, y1) = r.y_range;
    let entries = legend_of(r);
    let (w, h) = area.dim_in_pixel();
    let legend_h = legend::height(&entries, w, LEGEND_LEFT);
    let (area, strip) = area.split_vertically(h.saturating_sub(legend_h));
    legend::draw(&strip, &entries, LEGEND_LEFT)?;
    let mut chart = ChartBuilder::on(&area)
        .caption(&r.title, font(19.0))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(fail)?;
    chart
        .configure_mesh()
        .x_desc(r.x_desc.as_str())
        .y_desc(r.y_desc.as_str())
        .x_label_style(font(14.0))
        .y_label_style(font(14.0))
        .axis_desc_style(font(15.0))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(fail)?;
    if let Some((x, label)) = &r.mark {
        chart
            .draw_series(DashedLineSeries::new(
                [(*x, y0), (*x, y1)],
                8,
                6,
                BLACK.stroke_width(2),
            ))
            .map_err(fail)?;
        chart
            .draw_series(std::iter::once(Text::new(
                label.clone(),
                (*x + (x1 - x0) * 0.01, y0 + (y1 - y0) * 0.97),
                font(14.0),
            )))
            .map_err(fail)?;
    }
    for (_, col, marker, pts) in &r.series {
        let style = col.stroke_width(2);
        chart
            .draw_series(pts.iter().map(|&(x, y, e)| {
                ErrorBar::new_vertical(x, (y - e).max(y0), y, (y + e).min(y1), style, 8)
            }))
            .map_err(fail)?;
        chart
            .draw_series(LineSeries::new(pts.iter().map(|&(x, y, _)| (x, y)), style))
            .map_err(fail)?;
        let (col, marker) = (*col, *marker);
        chart
            .draw_series(
                pts.iter()
                    .map(|&(x, y, _)| EmptyElement::at((x, y)) + legend::mark(marker, col)),
            )
            .map_err(fail)?;
    }
    Ok(())
}

/// Where the legend's rows start: under the plot, past the y axis's labels.
const LEGEND_LEFT: u32 = 82;

/// The legend: a line with its marker per labelled series.
fn legend_of(r: &Rates) -> Vec<Entry> {
    let series = r.series.iter().filter_map(|(label, col, marker, _)| {
        label.as_ref().map(|label| Entry {
            label: label.clone(),
            colour: *col,
            swatch: Swatch::LineMarker(*marker),
        })
    });
    series.collect()
}

/// Binomial rate and its standard error.
pub fn rate(hits: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    let p = hits as f64 / n as f64;
    (p, (p * (1.0 - p) / n as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pixels of colour `c` in `r` drawn on a 600×400 bitmap.
    fn pixels_of(r: &Rates, c: RGBColor) -> usize {
        super::super::register_font().unwrap();
        let (w, h) = (600u32, 400u32);
        let mut buf = vec![0u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
            root.fill(&WHITE).unwrap();
            draw_rates(&root, r).unwrap();
            root.present().unwrap();
        }
        buf.chunks(3).filter(|p| p == &[c.0, c.1, c.2]).count()
    }

    #[test]
    fn no_legend_covers_a_point_in_a_corner() {
        // A labelled series at the top, and an unlabelled point in each lower corner, where a
        // legend box inside the chart would sit.
        let corner = RGBColor(1, 2, 3);
        let rates = |label: Option<&str>| Rates {
            title: "t".into(),
            x_desc: "x".into(),
            y_desc: "y".into(),
            x_range: (0.0, 1.0),
            y_range: (0.0, 1.0),
            series: vec![
                (
                    label.map(String::from),
                    RGBColor(200, 0, 0),
                    Marker::Circle,
                    vec![(0.5, 0.95, 0.0)],
                ),
                (
                    None,
                    corner,
                    Marker::Square,
                    vec![(0.02, 0.04, 0.0), (0.98, 0.04, 0.0)],
                ),
            ],
            mark: None,
        };
        let without = pixels_of(&rates(None), corner);
        assert!(without > 100, "the corner points drew {without} pixels");
        assert_eq!(
            pixels_of(&rates(Some("a model with a long name")), corner),
            without
        );
    }
}
