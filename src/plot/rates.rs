//! A panel of rates (or means) against a number, one line per series, with error bars and
//! markers; and the binomial rate with its standard error.

use plotters::coord::Shift;
use plotters::prelude::*;

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
    /// Extra legend entries for the markers: (label, marker).
    pub marker_legend: Vec<(String, Marker)>,
    pub legend_at: SeriesLabelPosition,
    /// A vertical mark: (x, label).
    pub mark: Option<(f64, String)>,
}

#[derive(Clone, Copy)]
pub enum Marker {
    Circle,
    Triangle,
    Square,
}

pub fn draw_rates<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &Rates,
) -> Result<(), String> {
    let (x0, x1) = r.x_range;
    let (y0, y1) = r.y_range;
    let mut chart = ChartBuilder::on(area)
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
    for (label, col, marker, pts) in &r.series {
        let style = col.stroke_width(2);
        chart
            .draw_series(pts.iter().map(|&(x, y, e)| {
                ErrorBar::new_vertical(x, (y - e).max(y0), y, (y + e).min(y1), style, 8)
            }))
            .map_err(fail)?;
        let line = chart
            .draw_series(LineSeries::new(pts.iter().map(|&(x, y, _)| (x, y)), style))
            .map_err(fail)?;
        let (col, marker) = (*col, *marker);
        if let Some(label) = label {
            line.label(label.as_str()).legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(-12, 0), (12, 0)], col.stroke_width(2))
                    + marker_at(marker, col)
            });
        }
        chart
            .draw_series(
                pts.iter()
                    .map(|&(x, y, _)| EmptyElement::at((x, y)) + marker_at(marker, col)),
            )
            .map_err(fail)?;
    }
    for (label, marker) in &r.marker_legend {
        let marker = *marker;
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
            .map_err(fail)?
            .label(label.as_str())
            .legend(move |(x, y)| {
                EmptyElement::at((x, y)) + marker_at(marker, RGBColor(90, 90, 90))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .label_font(font(14.0))
        .position(r.legend_at.clone())
        .draw()
        .map_err(fail)?;
    Ok(())
}

fn marker_at<DB: DrawingBackend>(
    marker: Marker,
    col: RGBColor,
) -> DynElement<'static, DB, (i32, i32)> {
    match marker {
        Marker::Circle => Circle::new((0, 0), 5, col.filled()).into_dyn(),
        Marker::Triangle => TriangleMarker::new((0, 0), 7, col.filled()).into_dyn(),
        Marker::Square => Rectangle::new([(-5, -5), (5, 5)], col.filled()).into_dyn(),
    }
}

/// Binomial rate and its standard error.
pub fn rate(hits: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    let p = hits as f64 / n as f64;
    (p, (p * (1.0 - p) / n as f64).sqrt())
}
