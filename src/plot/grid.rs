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

/// The average width of a character of the subtitle's font (15 px), in pixels, generously.
const SUBTITLE_CHAR_PX: u32 = 8;
/// The height of one line of the subtitle.
const SUBTITLE_LINE_PX: u32 = 19;

/// `text` broken at spaces into lines of at most `max_chars` characters.
fn wrap(text: &str, max_chars: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max_chars {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

impl Grid {
    fn width(&self) -> u32 {
        self.panel_size.0 * self.cols.max(1) as u32
    }

    /// The subtitle's lines, each within the figure's width.
    fn subtitle_lines(&self) -> Vec<String> {
        wrap(
            &self.subtitle,
            (self.width().saturating_sub(40) / SUBTITLE_CHAR_PX).max(20) as usize,
        )
    }

    /// The height of the title and the subtitle.
    fn head_px(&self) -> u32 {
        70 + SUBTITLE_LINE_PX * (self.subtitle_lines().len() as u32 - 1)
    }
}

impl Figure for Grid {
    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(self.cols.max(1)) as u32;
        (self.width(), self.panel_size.1 * rows + self.head_px())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(fail)?;
        let (head, body) = root.split_vertically(self.head_px());
        head.draw(&Text::new(self.title.clone(), (20, 10), font(24.0)))
            .map_err(fail)?;
        for (i, line) in self.subtitle_lines().into_iter().enumerate() {
            head.draw(&Text::new(
                line,
                (20, 42 + SUBTITLE_LINE_PX as i32 * i as i32),
                font(15.0).color(&RGBColor(80, 80, 80)),
            ))
            .map_err(fail)?;
        }
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
