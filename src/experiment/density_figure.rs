//! The density experiment's figure: per σ a row of the measured histogram, the grid solve of
//! the Fokker–Planck equation and their difference as heatmaps over (x₁, x₂) with the stable
//! wells marked, and both 1-D marginals.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::density::{DensityConfig, DensityOutcome, NEAR_RADIUS};
use crate::model::density::{DensityModel, Grid, marginals};
use crate::plot::{Figure, colour, fail, font, save};

/// Viridis at eight stops (matplotlib's), interpolated linearly.
const VIRIDIS: [(u8, u8, u8); 8] = [
    (68, 1, 84),
    (70, 50, 127),
    (54, 92, 141),
    (39, 127, 143),
    (31, 162, 136),
    (74, 194, 110),
    (160, 219, 57),
    (254, 232, 37),
];

fn viridis(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0) * (VIRIDIS.len() - 1) as f64;
    let k = (t.floor() as usize).min(VIRIDIS.len() - 2);
    let f = t - k as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + f * (f64::from(b) - f64::from(a))).round() as u8;
    let (a, b) = (VIRIDIS[k], VIRIDIS[k + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Blue (negative) through white to red (positive), t in [−1, 1].
fn diverging(t: f64) -> RGBColor {
    let t = t.clamp(-1.0, 1.0);
    let fade = |full: u8| (255.0 + t.abs() * (f64::from(full) - 255.0)).round() as u8;
    if t < 0.0 {
        RGBColor(fade(33), fade(102), fade(172))
    } else {
        RGBColor(fade(178), fade(24), fade(43))
    }
}

struct Row {
    sigma: f64,
    grid: Grid,
    measured: Vec<f64>,
    fp: Vec<f64>,
    /// `fp` is the closed form exp(−2E/σ²) of a gradient flow, not a Fokker–Planck solve.
    exact: bool,
}

impl Row {
    /// What the measured density is compared with, in a panel's title.
    fn theory(&self) -> &'static str {
        if self.exact {
            "exact exp(−2E/σ²)"
        } else {
            "Fokker–Planck"
        }
    }

    fn theory_short(&self) -> &'static str {
        if self.exact { "exact" } else { "FP" }
    }
}

struct DensityFigure {
    title: String,
    subtitle: String,
    rows: Vec<Row>,
    wells: Vec<([f64; 2], String)>,
}

const PANEL: (u32, u32) = (380, 350);
const HEAD: u32 = 70;

impl Figure for DensityFigure {
    fn size(&self) -> (u32, u32) {
        (PANEL.0 * 4, PANEL.1 * self.rows.len() as u32 + HEAD)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(fail)?;
        let (head, body) = root.split_vertically(HEAD);
        head.draw(&Text::new(self.title.clone(), (20, 10), font(24.0)))
            .map_err(fail)?;
        head.draw(&Text::new(
            self.subtitle.clone(),
            (20, 42),
            font(15.0).color(&RGBColor(80, 80, 80)),
        ))
        .map_err(fail)?;
        let areas = body.split_evenly((self.rows.len(), 4));
        for (r, row) in self.rows.iter().enumerate() {
            let top = row
                .measured
                .iter()
                .chain(&row.fp)
                .copied()
                .fold(0.0, f64::max)
                .max(f64::MIN_POSITIVE);
            let diff: Vec<f64> = row
                .measured
                .iter()
                .zip(&row.fp)
                .map(|(a, b)| a - b)
                .collect();
            let spread = diff
                .iter()
                .map(|d| d.abs())
                .fold(0.0, f64::max)
                .max(f64::MIN_POSITIVE);
            let s = row.sigma;
            self.heatmap(
                &areas[r * 4],
                &row.grid,
                &format!("σ = {s}: measured (max {top:.2e} per cell)"),
                |k| viridis(row.measured[k] / top),
                WHITE,
            )?;
            self.heatmap(
                &areas[r * 4 + 1],
                &row.grid,
                &format!("σ = {s}: {} (same scale)", row.theory()),
                |k| viridis(row.fp[k] / top),
                WHITE,
            )?;
            self.heatmap(
                &areas[r * 4 + 2],
                &row.grid,
                &format!("measured − {} (±{spread:.1e}, red +)", row.theory_short()),
                |k| diverging(diff[k] / spread),
                BLACK,
            )?;
            self.marginals(&areas[r * 4 + 3], row)?;
        }
        Ok(())
    }
}

impl DensityFigure {
    fn heatmap<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        grid: &Grid,
        caption: &str,
        colour_of: impl Fn(usize) -> RGBColor,
        ink: RGBColor,
    ) -> Result<(), String> {
        // The wells' rings and names: `ink` edged with its opposite.
        let halo = if ink == WHITE { BLACK } else { WHITE };
        let l = grid.half_width;
        let mut chart = ChartBuilder::on(&area.margin(4, 4, 4, 4))
            .caption(caption, font(14.0))
            .x_label_area_size(28)
            .y_label_area_size(36)
            .build_cartesian_2d(-l..l, -l..l)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("x₁")
            .y_desc("x₂")
            .label_style(font(11.0))
            .draw()
            .map_err(fail)?;
        let h = grid.step();
        chart
            .draw_series((0..grid.len()).map(|k| {
                let [x, y] = grid.point(k);
                Rectangle::new(
                    [(x - h / 2.0, y - h / 2.0), (x + h / 2.0, y + h / 2.0)],
                    colour_of(k).filled(),
                )
            }))
            .map_err(fail)?;
        // The wells: a ring of the radius whose mass is counted, and the memory's name.
        let ring = |c: [f64; 2]| -> Vec<(f64, f64)> {
            (0..=48)
                .map(|t| {
                    let a = t as f64 / 48.0 * std::f64::consts::TAU;
                    (c[0] + NEAR_RADIUS * a.cos(), c[1] + NEAR_RADIUS * a.sin())
                })
                .collect()
        };
        for (x, name) in &self.wells {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    ring(*x),
                    halo.stroke_width(3),
                )))
                .map_err(fail)?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    ring(*x),
                    ink.stroke_width(1),
                )))
                .map_err(fail)?;
            // The name in `ink` over a one-pixel shadow in `halo`, readable on any colour.
            let at = (x[0] + 0.45, x[1] + 0.55);
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at(at)
                        + Text::new(name.clone(), (1, 1), font(12.0).color(&halo))
                        + Text::new(name.clone(), (0, 0), font(12.0).color(&ink)),
                ))
                .map_err(fail)?;
        }
        Ok(())
    }

    fn marginals<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        row: &Row,
    ) -> Result<(), String> {
        let grid = &row.grid;
        let h = grid.step();
        let measured = marginals(&row.measured, grid);
        let fp = marginals(&row.fp, grid);
        let top = measured
            .iter()
            .chain(&fp)
            .flatten()
            .copied()
            .fold(0.0, f64::max)
            / h;
        let l = grid.half_width;
        let mut chart = ChartBuilder::on(&area.margin(4, 4, 4, 4))
            .caption(
                format!("marginals: {} lines, measured marks", row.theory_short()),
                font(14.0),
            )
            .x_label_area_size(28)
            .y_label_area_size(40)
            .build_cartesian_2d(-l..l, 0.0..top * 1.08)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .x_desc("x")
            .y_desc("density")
            .label_style(font(11.0))
            .draw()
            .map_err(fail)?;
        for axis in 0..2 {
            let c = colour(axis);
            let points = |m: &[f64]| -> Vec<(f64, f64)> {
                m.iter()
                    .enumerate()
                    .map(|(i, v)| (grid.centre(i), v / h))
                    .collect()
            };
            // x2 dashed, so that x1 shows where the two coincide (by symmetry, in Fig. 4b).
            let line = points(&fp[axis]);
            if axis == 0 {
                chart
                    .draw_series(LineSeries::new(line, c.stroke_width(3)))
                    .map_err(fail)?
                    .label("x1")
                    .legend(move |(x, y)| {
                        PathElement::new([(x, y), (x + 16, y)], c.stroke_width(3))
                    });
            } else {
                chart
                    .draw_series(DashedLineSeries::new(line, 6, 5, c.stroke_width(2)))
                    .map_err(fail)?
                    .label("x2 (dashed)")
                    .legend(move |(x, y)| {
                        PathElement::new([(x, y), (x + 6, y)], c.stroke_width(2))
                    });
            }
            // The measured points hollow, a circle for x1 and a cross for x2, so that they show
            // on their lines and on each other (filled dots of 2 px were hidden under both).
            let dots = points(&measured[axis]);
            let style = c.stroke_width(1);
            if axis == 0 {
                chart
                    .draw_series(dots.into_iter().map(|p| Circle::new(p, 3, style)))
                    .map_err(fail)?
                    .label("x1 measured")
                    .legend(move |(x, y)| Circle::new((x + 8, y), 3, style));
            } else {
                chart
                    .draw_series(dots.into_iter().map(|p| Cross::new(p, 3, style)))
                    .map_err(fail)?
                    .label("x2 measured")
                    .legend(move |(x, y)| Cross::new((x + 8, y), 3, style));
            }
        }
        chart
            .configure_series_labels()
            .label_font(font(12.0))
            .border_style(BLACK)
            .background_style(WHITE.mix(0.8))
            .draw()
            .map_err(fail)?;
        Ok(())
    }
}

/// Draws the figure of a run into `path` (.svg or .png).
pub fn density_figure(
    config: &DensityConfig,
    out: &DensityOutcome,
    trials: usize,
    path: &Path,
) -> anyhow::Result<()> {
    let [a1, a2] = config.alphas;
    let figure = DensityFigure {
        title: format!(
            "Stationary density of the two-neuron {} network (the paper's Fig. 4, {})",
            match config.model {
                DensityModel::Idp => "IDP",
                DensityModel::IdpModern => "idp-modern",
            },
            config.preset.name()
        ),
        subtitle: format!(
            "α1 = {a1}, α2 = {a2}, {}; {trials} trials × {} particles, dt = {}, {} s sampled; \
             rings: radius {NEAR_RADIUS} around the stable wells",
            match config.model {
                DensityModel::Idp => format!("g = {}", config.gain),
                DensityModel::IdpModern => format!("β = {}", config.beta),
            },
            config.particles,
            config.dt_secs,
            config.sample_secs
        ),
        rows: out
            .theories
            .iter()
            .zip(&out.pooled)
            .map(|(t, p)| Row {
                sigma: t.sigma,
                grid: t.grid,
                measured: p.clone(),
                fp: t.fp.clone(),
                exact: t.exact,
            })
            .collect(),
        wells: out.wells.iter().map(|w| (w.x, w.name())).collect(),
    };
    save(&figure, path)
}
