//! The panels over time: overlaps |m_μ(t)| (lines, or lines with bands, e.g. quantiles over trials), a legend row above
//! them, glitch windows shaded, and a strip under them showing which memory the input holds
//! when.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::legend::{self, Entry, Swatch};
use super::{OTHER, fail, font};

/// Where the legend's row starts: past the y axis's labels.
const LEGEND_LEFT: u32 = 80;

/// One curve: values at the panel's times, with an optional ± band.
pub struct Curve {
    /// In the legend when given (grey curves share one "other memories" entry).
    pub label: Option<String>,
    pub colour: RGBColor,
    pub values: Vec<f64>,
    /// A band drawn at each time between a lower and an upper value (e.g. quantiles over
    /// trials).
    pub band: Option<Vec<(f64, f64)>>,
}

/// What the input holds over [start, end).
pub struct Piece {
    pub start_secs: f64,
    pub end_secs: f64,
    pub label: String,
    pub colour: RGBColor,
}

/// A panel: curves over time with the input strip under them.
pub struct Timeline {
    pub title: String,
    pub times_secs: Vec<f64>,
    pub duration_secs: f64,
    pub curves: Vec<Curve>,
    pub strip: Vec<Piece>,
    /// Glitch windows, shaded on the plot and the strip.
    pub shaded: Vec<(f64, f64)>,
    pub y_desc: String,
    /// A legend entry for the grey curves, if there are any.
    pub others_label: Option<String>,
}

const GLITCH: RGBColor = RGBColor(255, 200, 120);

/// Draws `t` on `area`: a legend row, the chart, the strip.
pub fn draw_timeline<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Timeline,
) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    let entries = legend_of(t);
    let legend_h = legend::height(&entries, w, LEGEND_LEFT) as i32;
    let strip_h = 64;
    let (top, rest) = area.split_vertically(legend_h);
    let (plot, strip) = rest.split_vertically(h as i32 - legend_h - strip_h);
    legend::draw(&top, &entries, LEGEND_LEFT)?;
    let x_range = 0.0..t.duration_secs.max(1e-9);
    let y_top = y_top(t);
    let mut chart = ChartBuilder::on(&plot)
        .caption(&t.title, font(19.0))
        .margin_left(10)
        .margin_right(20)
        .x_label_area_size(0)
        .y_label_area_size(62)
        .build_cartesian_2d(x_range.clone(), 0.0..y_top)
        .map_err(fail)?;
    chart
        .configure_mesh()
        .y_desc(t.y_desc.as_str())
        .y_label_style(font(14.0))
        .axis_desc_style(font(15.0))
        .light_line_style(RGBColor(235, 235, 235))
        .x_labels(12)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .draw()
        .map_err(fail)?;
    for &(a, b) in &t.shaded {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(a, 0.0), (b, y_top)],
                GLITCH.mix(0.45).filled(),
            )))
            .map_err(fail)?;
    }
    // Grey first, so the curves that matter are drawn over them.
    let mut order: Vec<&Curve> = t.curves.iter().filter(|c| c.label.is_none()).collect();
    order.extend(t.curves.iter().filter(|c| c.label.is_some()));
    for c in order {
        if let Some(band) = &c.band {
            let mut outline: Vec<(f64, f64)> = t
                .times_secs
                .iter()
                .zip(band)
                .map(|(&x, &(_, hi))| (x, hi))
                .collect();
            outline.extend(
                t.times_secs
                    .iter()
                    .zip(band)
                    .rev()
                    .map(|(&x, &(lo, _))| (x, lo)),
            );
            chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    c.colour.mix(0.22).filled(),
                )))
                .map_err(fail)?;
        }
        let width = if c.label.is_some() { 2 } else { 1 };
        chart
            .draw_series(LineSeries::new(
                t.times_secs.iter().copied().zip(c.values.iter().copied()),
                c.colour.stroke_width(width),
            ))
            .map_err(fail)?;
    }
    draw_strip(&strip, t, x_range)
}

/// The top of the y axis: 1.05, or above the highest value or band where one is higher (the
/// modern models' Ψ(x) = x lets noise take |m| past 1), in steps of 0.1.
fn y_top(t: &Timeline) -> f64 {
    let highest = t
        .curves
        .iter()
        .flat_map(|c| {
            c.values
                .iter()
                .copied()
                .chain(c.band.iter().flatten().map(|&(_, hi)| hi))
        })
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    if highest <= 1.05 {
        1.05
    } else {
        (highest * 10.0).ceil() / 10.0 + 0.05
    }
}

/// The legend's entries: the labelled curves, the grey ones' entry, the glitch windows.
fn legend_of(t: &Timeline) -> Vec<Entry> {
    let line = |label: &str, colour| Entry {
        label: label.to_string(),
        colour,
        swatch: Swatch::Line,
    };
    let mut entries: Vec<Entry> = t
        .curves
        .iter()
        .filter_map(|c| c.label.as_deref().map(|l| line(l, c.colour)))
        .collect();
    if let Some(label) = &t.others_label
        && t.curves.iter().any(|c| c.label.is_none())
    {
        entries.push(line(label, OTHER));
    }
    if !t.shaded.is_empty() {
        entries.push(Entry {
            label: "glitch".into(),
            colour: GLITCH,
            swatch: Swatch::Band,
        });
    }
    entries
}

fn draw_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Timeline,
    x_range: std::ops::Range<f64>,
) -> Result<(), String> {
    let mut chart = ChartBuilder::on(area)
        .margin_left(10)
        .margin_right(20)
        .x_label_area_size(36)
        .y_label_area_size(62)
        .build_cartesian_2d(x_range, 0.0..1.0f64)
        .map_err(fail)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .y_labels(0)
        .y_desc("input")
        .x_desc("time (s)")
        .x_label_style(font(14.0))
        .axis_desc_style(font(15.0))
        .x_labels(12)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .draw()
        .map_err(fail)?;
    for p in &t.strip {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(p.start_secs, 0.1), (p.end_secs, 0.9)],
                p.colour.mix(0.75).filled(),
            )))
            .map_err(fail)?;
    }
    for &(a, b) in &t.shaded {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(a, 0.0), (b, 1.0)],
                GLITCH.mix(0.45).filled(),
            )))
            .map_err(fail)?;
    }
    // A label where its piece is wide enough to hold it.
    let (w, _) = area.dim_in_pixel();
    let px_per_sec = f64::from(w.saturating_sub(92)) / t.duration_secs.max(1e-9);
    for p in &t.strip {
        let width_px = (p.end_secs - p.start_secs) * px_per_sec;
        if width_px >= 8.0 * p.label.chars().count() as f64 + 6.0 {
            chart
                .draw_series(std::iter::once(Text::new(
                    p.label.clone(),
                    (p.start_secs + 3.0 / px_per_sec, 0.78),
                    font(13.0).color(&WHITE),
                )))
                .map_err(fail)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(values: Vec<f64>, band: Option<Vec<(f64, f64)>>) -> Timeline {
        Timeline {
            title: String::new(),
            times_secs: (0..values.len()).map(|k| k as f64).collect(),
            duration_secs: values.len() as f64,
            curves: vec![Curve {
                label: None,
                colour: OTHER,
                values,
                band,
            }],
            strip: Vec::new(),
            shaded: Vec::new(),
            y_desc: String::new(),
            others_label: None,
        }
    }

    #[test]
    fn the_y_axis_reaches_past_every_value_and_band() {
        assert_eq!(y_top(&timeline(vec![0.2, 1.0, f64::NAN], None)), 1.05);
        // A modern model's |m| of 1.41 under noise is not cut at the top.
        let top = y_top(&timeline(vec![0.2, 1.41], None));
        assert!((1.41..=1.6).contains(&top), "{top}");
        let top = y_top(&timeline(vec![0.5], Some(vec![(0.3, 1.22)])));
        assert!((1.22..=1.4).contains(&top), "{top}");
    }
}
