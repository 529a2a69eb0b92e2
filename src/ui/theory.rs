//! The live theory panel (model.md §4): per memory, whether its equilibrium exists now (α above
//! 1/g), whether it is a stable well or a saddle (α above α* given the others), and its
//! predicted depth; then the hierarchy of the wells, or the confusion state.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::model::TheoryReport;

use super::theme::Theme;

/// What the theory says of one memory, in the words the panel uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A stable equilibrium: a well the state can rest in.
    Well,
    /// An equilibrium that is not stable: the state slides off it.
    Saddle,
    /// No equilibrium: α is below the existence threshold 1/g.
    Absent,
}

impl Standing {
    /// The standing of memory `mu` in `report` (absent when the report has no such memory).
    pub fn of(report: &TheoryReport, mu: usize) -> Self {
        match report.memories.get(mu) {
            Some(m) if m.exists && m.stable => Standing::Well,
            Some(m) if m.exists => Standing::Saddle,
            _ => Standing::Absent,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Standing::Well => "well",
            Standing::Saddle => "saddle",
            Standing::Absent => "none",
        }
    }
}

/// The stable wells, deepest first (the paper's memory hierarchy).
pub fn hierarchy(report: &TheoryReport) -> Vec<usize> {
    let mut wells: Vec<(usize, f64)> = (0..report.memories.len())
        .filter(|&mu| Standing::of(report, mu) == Standing::Well)
        .map(|mu| {
            let depth = report.memories[mu].depth_per_neuron.unwrap_or(0.0);
            (mu, if depth.is_finite() { depth } else { 0.0 })
        })
        .collect();
    wells.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    wells.into_iter().map(|(mu, _)| mu).collect()
}

/// The theory panel. Never panics, whatever the area or the values.
pub struct TheoryPanel<'a> {
    pub report: &'a TheoryReport,
    /// Memory names, indexed like the memories.
    pub names: &'a [String],
    pub theme: Theme,
}

impl TheoryPanel<'_> {
    fn name(&self, mu: usize, width: usize) -> String {
        let raw = self.names.get(mu).map_or("?", String::as_str);
        raw.chars()
            .filter(|c| !c.is_control())
            .map(|c| {
                if self.theme.ascii && !c.is_ascii() {
                    '?'
                } else {
                    c
                }
            })
            .take(width)
            .collect()
    }

    fn number(&self, v: f64) -> String {
        let s = format!("{v:.3}");
        if self.theme.ascii {
            s
        } else {
            s.replace('-', "−")
        }
    }

    fn header(&self, width: usize) -> Line<'static> {
        let t = self.theme;
        let (alpha, star) = if t.ascii { ("a", "a*") } else { ("α", "α*") };
        let (exists, stable) = if width >= 38 {
            (
                format!("exists {alpha}>1/g="),
                format!("  stable {alpha}>{star}="),
            )
        } else {
            ("1/g ".to_string(), format!("  {star} "))
        };
        Line::from(vec![
            Span::styled(exists, t.dim()),
            Span::raw(self.number(self.report.existence_threshold)),
            Span::styled(stable, t.dim()),
            Span::raw(self.number(self.report.alpha_star)),
        ])
    }

    fn memory_line(&self, mu: usize, name_w: usize, width: usize, deepest: f64) -> Line<'static> {
        let t = self.theme;
        let standing = Standing::of(self.report, mu);
        let glyph = match (standing, t.ascii) {
            (Standing::Well, false) => "◆",
            (Standing::Well, true) => "O",
            (Standing::Saddle, false) => "×",
            (Standing::Saddle, true) => "x",
            (Standing::Absent, _) => " ",
        };
        let style = t.saliency(standing != Standing::Absent, standing == Standing::Well);
        let mut spans = vec![
            Span::styled(format!("{:<name_w$} ", self.name(mu, name_w)), t.memory(mu)),
            Span::styled(format!("{glyph} {:<6}", standing.word()), style),
        ];
        let depth = self
            .report
            .memories
            .get(mu)
            .and_then(|m| m.depth_per_neuron)
            .filter(|d| d.is_finite());
        let used = name_w + 1 + 8;
        if width >= used + 8 {
            let none = if self.theme.ascii {
                "     -"
            } else {
                "     —"
            };
            let text = depth.map_or(none.into(), |d| format!("{:>6}", self.number(d)));
            spans.push(Span::styled(format!(" {text}"), style));
        }
        let bar_w = width.saturating_sub(used + 8);
        if bar_w >= 3
            && let Some(d) = depth
            && deepest < 0.0
        {
            let eighths = ((d / deepest).clamp(0.0, 1.0) * (bar_w * 8) as f64).round() as usize;
            spans.push(Span::styled(
                format!(" {}", t.bar(eighths.min(bar_w * 8))),
                style,
            ));
        }
        Line::from(spans)
    }

    fn summary(&self, name_w: usize) -> Line<'static> {
        let t = self.theme;
        if self.report.confusion {
            return Line::styled("confusion: no well, the origin is stable", t.warning());
        }
        let order = hierarchy(self.report);
        let sep = if t.ascii { " > " } else { " ≻ " };
        let mut spans = vec![Span::styled("deepest ", t.dim())];
        for (k, &mu) in order.iter().enumerate() {
            if k > 0 {
                spans.push(Span::styled(sep, t.dim()));
            }
            spans.push(Span::styled(self.name(mu, name_w), t.memory(mu)));
        }
        Line::from(spans)
    }
}

impl Widget for TheoryPanel<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.width < 3 || area.height < 3 {
            return;
        }
        let title = if area.width >= 30 {
            "theory: the wells now"
        } else {
            "theory"
        };
        let block = Block::bordered()
            .title(Span::styled(title, self.theme.title()))
            .border_style(self.theme.border());
        let inner = block.inner(area);
        block.render(area, buf);
        let width = usize::from(inner.width);
        let p = self.report.memories.len();
        let name_w = (0..p)
            .map(|mu| self.name(mu, 8).chars().count())
            .max()
            .unwrap_or(1)
            .max(1);
        let deepest = self
            .report
            .memories
            .iter()
            .filter_map(|m| m.depth_per_neuron)
            .filter(|d| d.is_finite())
            .fold(0.0, f64::min);
        let rows = usize::from(inner.height);
        let mut lines = Vec::with_capacity(rows);
        // The summary matters most, then the memories, then the header.
        let with_header = rows >= p + 2;
        if with_header {
            lines.push(self.header(width));
        }
        let room = rows.saturating_sub(usize::from(with_header) + 1);
        lines.extend(
            (0..p)
                .take(room)
                .map(|mu| self.memory_line(mu, name_w, width, deepest)),
        );
        lines.push(self.summary(name_w));
        Paragraph::new(lines).render(inner, buf);
        self.theme.ascii_pass(buf, area);
    }
}
