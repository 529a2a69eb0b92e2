//! A figure of panels under a title and a subtitle, row by row.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::rates::{Rates, draw_rates};
use super::timeline::{Timeline, draw_timeline};
use super::{Figure, fail, font};

/// A title over a column or grid of panels.
pub struct Grid {
    pub title: String,
    pub subtitle: String,
    /// Panels row by row.
    pub panels: Vec<Panel>,
    pub cols: usize,
    pub panel_size: (u32, u32),
}

pub enum Panel {
    Timeline(Timeline),
    Rates(Rates),
}

impl Figure for Grid {
    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(self.cols.max(1)) as u32;
        (
            self.panel_size.0 * self.cols as u32,
            self.panel_size.1 * rows + 70,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(fail)?;
        let (head, body) = root.split_vertically(70);
        head.draw(&Text::new(self.title.clone(), (20, 10), font(24.0)))
            .map_err(fail)?;
        head.draw(&Text::new(
            self.subtitle.clone(),
            (20, 42),
            font(15.0).color(&RGBColor(80, 80, 80)),
        ))
        .map_err(fail)?;
        let rows = self.panels.len().div_ceil(self.cols.max(1));
        let areas = body.split_evenly((rows, self.cols.max(1)));
        for (panel, area) in self.panels.iter().zip(&areas) {
            let area = area.margin(6, 6, 6, 6);
            match panel {
                Panel::Timeline(t) => draw_timeline(&area, t)?,
                Panel::Rates(r) => draw_rates(&area, r)?,
            }
        }
        Ok(())
    }
}

/// Consecutive runs of equal values: (start index, end index, value).
pub fn runs<T: PartialEq + Copy>(values: &[T]) -> Vec<(usize, usize, T)> {
    let mut out: Vec<(usize, usize, T)> = Vec::new();
    for (k, &v) in values.iter().enumerate() {
        match out.last_mut() {
            Some(last) if last.2 == v => last.1 = k + 1,
            _ => out.push((k, k + 1, v)),
        }
    }
    out
}
