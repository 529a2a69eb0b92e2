//! The memory table: per memory its saliency α_μ as a bar with the existence threshold 1/g, and
//! what the theory says of it now (model.md §4: a stable well, a saddle or nothing, the predicted
//! depth E/N and its rank among the wells). Every memory gets a row; when the panel is too short
//! the last row says how many more there are and how to scroll to them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::model::TheoryReport;

use super::theme::Theme;
use super::theory::{Standing, hierarchy};

/// Columns besides the name and the bar: " 12.34 ◆ well  −0.683 #1".
const VALUE_W: usize = 6;
const STANDING_W: usize = 9;
const DEPTH_W: usize = 7;
const RANK_W: usize = 4;
/// The narrowest bar worth drawing.
const MIN_BAR: usize = 4;

/// The table of one model's memories. Never panics, whatever the area or the values.
pub struct MemoryTable<'a> {
    /// The landscape weights per memory (α, or the filtered α̃), indexed like the memories.
    pub alpha: &'a [f32],
    pub report: &'a TheoryReport,
    /// Memory names, indexed like the memories.
    pub names: &'a [String],
    /// The first memory shown (clamped so that the last rows are never empty).
    pub offset: usize,
    /// Whose memories these are, for the title (compare mode), if it needs saying.
    pub model: Option<&'a str>,
    /// The verdicts and depths are solved for the actual memories (else: closed forms).
    pub solved: bool,
    /// The solve is of the landscape as it is now (false while a new one runs).
    pub current: bool,
    pub theme: Theme,
}

/// Rows a table of `p` memories needs to show every one: borders, the header, one per memory.
pub fn rows_needed(p: usize) -> u16 {
    (p as u16).saturating_add(3)
}

/// The first memory shown for a requested `offset`, when `room` rows are left for `p`
/// memories (one of them taken by the "+N more" line when not all fit).
pub fn clamp_offset(offset: usize, p: usize, room: usize) -> usize {
    if p <= room {
        0
    } else {
        offset.min(p - room.saturating_sub(1).max(1))
    }
}

impl MemoryTable<'_> {
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

    fn number(&self, v: f64, decimals: usize) -> String {
        let s = format!("{v:.decimals$}");
        if self.theme.ascii {
            s
        } else {
            s.replace('-', "−")
        }
    }

    fn header(&self, width: usize) -> Line<'static> {
        let t = self.theme;
        if self.report.confusion {
            return Line::styled("confusion: no well, the origin is stable", t.warning());
        }
        let (alpha, star) = if t.ascii { ("a", "a*") } else { ("α", "α*") };
        // The thresholds are the closed forms', exact only on orthogonal memories.
        let eq = if !self.report.approximate {
            "="
        } else if t.ascii {
            "~"
        } else {
            "≈"
        };
        let threshold = if self.report.self_coupling > 0.0 && width >= 40 {
            "1/g+Σα/N"
        } else {
            "1/g"
        };
        let mut spans = vec![
            Span::styled(format!("{} {threshold} {eq} ", t.threshold_mark()), t.dim()),
            Span::raw(self.number(self.report.existence_threshold, 3)),
        ];
        if width >= 36 {
            spans.push(Span::styled(
                format!("  stable {alpha} > {star} {eq} "),
                t.dim(),
            ));
        } else {
            spans.push(Span::styled(format!("  {star} "), t.dim()));
        }
        spans.push(Span::raw(self.number(self.report.alpha_star, 3)));
        if width >= 48 {
            // Whether the rows are solved for these memories, or closed forms for now.
            let (note, style) = match (self.solved, self.current) {
                (true, true) => ("  solved", t.dim()),
                (true, false) => ("  solving…", t.dim()),
                (false, _) => ("  closed forms", t.warning()),
            };
            spans.push(Span::styled(note, style));
        }
        Line::from(spans)
    }

    fn row(
        &self,
        mu: usize,
        widths: (usize, usize),
        scale: f32,
        rank: Option<usize>,
        cols: Cols,
    ) -> Line<'static> {
        let (name_w, bar_w) = widths;
        let t = self.theme;
        let a = self.alpha.get(mu).copied().unwrap_or(f32::NAN);
        let standing = Standing::of(self.report, mu);
        let style = t.saliency(standing != Standing::Absent, standing == Standing::Well);
        let mut spans = vec![Span::styled(
            format!("{:<name_w$} ", self.name(mu, name_w)),
            t.memory(mu),
        )];
        if bar_w > 0 {
            let threshold = self.report.existence_threshold as f32;
            let fill = if a.is_finite() && scale > 0.0 {
                ((a.max(0.0) / scale) * (bar_w * 8) as f32).round() as usize
            } else {
                0
            };
            let mut cells: Vec<String> = t
                .bar(fill.min(bar_w * 8))
                .chars()
                .map(String::from)
                .take(bar_w)
                .collect();
            cells.resize(bar_w, " ".to_string());
            let tick = ((threshold / scale) * bar_w as f32).round();
            if tick.is_finite() && tick >= 0.0 && (tick as usize) < bar_w {
                cells[tick as usize] = t.threshold_mark().to_string();
            }
            spans.push(Span::styled(cells.concat(), style));
        }
        let value = if a.is_finite() {
            self.number(f64::from(a), 2)
        } else {
            "—".into()
        };
        spans.push(Span::raw(format!("{value:>VALUE_W$}")));
        if cols.standing {
            let glyph = match (standing, t.ascii) {
                (Standing::Well, false) => "◆",
                (Standing::Well, true) => "O",
                (Standing::Saddle, false) => "×",
                (Standing::Saddle, true) => "x",
                (Standing::Absent, _) => " ",
            };
            spans.push(Span::styled(
                format!(" {glyph} {:<6}", standing.word()),
                style,
            ));
        }
        if cols.depth {
            let depth = self
                .report
                .memories
                .get(mu)
                .and_then(|m| m.depth_per_neuron)
                .filter(|d| d.is_finite());
            let none = if t.ascii { "-" } else { "—" };
            // No equilibrium of its own: where a state started there goes instead.
            let slides = self
                .report
                .memories
                .get(mu)
                .and_then(|m| m.slides_to)
                .map(|to| {
                    format!(
                        "{}{}",
                        if t.ascii { ">" } else { "→" },
                        self.name(to, DEPTH_W - 1)
                    )
                });
            let text = match (depth, slides) {
                (Some(d), _) if standing != Standing::Absent => self.number(d, 3),
                (_, Some(to)) => to,
                (Some(d), None) => self.number(d, 3),
                (None, None) => none.to_string(),
            };
            spans.push(Span::styled(format!("{text:>DEPTH_W$}"), style));
        }
        if cols.rank {
            let text = rank.map_or(String::new(), |r| format!("#{}", r + 1));
            spans.push(Span::styled(format!("{text:>RANK_W$}"), style));
        }
        Line::from(spans)
    }

    /// "+3 more ↓" with the most salient hidden memory named when it is a well.
    fn more(&self, hidden: &[usize], above: usize) -> Line<'static> {
        let t = self.theme;
        let (up, down) = if t.ascii { ("^", "v") } else { ("↑", "↓") };
        let below = hidden.len().saturating_sub(above);
        let mut text = String::new();
        if above > 0 {
            text.push_str(&format!("{above} above {up}"));
        }
        if below > 0 {
            if !text.is_empty() {
                text.push_str(", ");
            }
            text.push_str(&format!("+{below} more {down}"));
        }
        let mut spans = vec![Span::styled(text, t.value())];
        let best = hidden
            .iter()
            .copied()
            .filter(|&mu| Standing::of(self.report, mu) == Standing::Well)
            .max_by(|&x, &y| {
                let a = |mu: usize| self.alpha.get(mu).copied().unwrap_or(f32::NEG_INFINITY);
                a(x).total_cmp(&a(y))
            });
        if let Some(mu) = best {
            spans.push(Span::styled(" (", t.dim()));
            spans.push(Span::styled(self.name(mu, 8), t.memory(mu)));
            spans.push(Span::styled(" is a well)", t.dim()));
        }
        spans.push(Span::styled(format!("  {up}{down} scroll"), t.dim()));
        Line::from(spans)
    }
}

/// Which optional columns fit.
#[derive(Debug, Clone, Copy)]
struct Cols {
    standing: bool,
    depth: bool,
    rank: bool,
}

impl Widget for MemoryTable<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.width < 3 || area.height < 3 {
            return;
        }
        let t = self.theme;
        let title = match self.model {
            Some(m) if area.width >= 44 => format!("{m}: memories, saliency α and theory"),
            Some(m) => format!("{m}: α, theory"),
            None if area.width >= 40 => "memories: saliency α and the theory now".to_string(),
            None => "α and theory".to_string(),
        };
        let block = Block::bordered()
            .title(Span::styled(title, t.title()))
            .border_style(t.border());
        let inner = block.inner(area);
        block.render(area, buf);
        let width = usize::from(inner.width);
        let p = self.report.memories.len().max(self.names.len());
        let name_w = (0..p)
            .map(|mu| self.name(mu, 8).chars().count())
            .max()
            .unwrap_or(1)
            .max(1);
        // The optional columns go first when the row is short, the rank before the depth.
        let fixed = name_w + 1 + VALUE_W;
        let mut cols = Cols {
            standing: true,
            depth: true,
            rank: true,
        };
        let used = |c: Cols| {
            fixed
                + if c.standing { STANDING_W } else { 0 }
                + if c.depth { DEPTH_W } else { 0 }
                + if c.rank { RANK_W } else { 0 }
        };
        for drop in 0..3 {
            if width >= used(cols) + MIN_BAR {
                break;
            }
            match drop {
                0 => cols.rank = false,
                1 => cols.depth = false,
                _ => cols.standing = false,
            }
        }
        let bar_w = width.saturating_sub(used(cols));
        let bar_w = if bar_w >= MIN_BAR { bar_w.min(40) } else { 0 };
        let threshold = self.report.existence_threshold as f32;
        let scale = self
            .alpha
            .iter()
            .filter(|a| a.is_finite())
            .fold(threshold * 2.0, |m, &a| m.max(a))
            .max(1e-6);
        let order = hierarchy(self.report);
        let rank = |mu: usize| order.iter().position(|&w| w == mu);

        let rows = usize::from(inner.height);
        let mut lines = vec![self.header(width)];
        let room = rows.saturating_sub(1);
        let offset = clamp_offset(self.offset, p, room);
        let fits = p <= room;
        let shown = if fits { p } else { room.saturating_sub(1) };
        let visible: Vec<usize> = (offset..p).take(shown).collect();
        lines.extend(
            visible
                .iter()
                .map(|&mu| self.row(mu, (name_w, bar_w), scale, rank(mu), cols)),
        );
        if !fits && room > 0 {
            let hidden: Vec<usize> = (0..p).filter(|mu| !visible.contains(mu)).collect();
            lines.push(self.more(&hidden, offset));
        }
        Paragraph::new(lines).render(inner, buf);
        t.ascii_pass(buf, area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_keeps_the_last_rows_full() {
        assert_eq!(clamp_offset(5, 10, 12), 0, "all fit: no scrolling");
        // 6 rows: 5 memories and the "+N more" line; the last offset shows 5..10.
        assert_eq!(clamp_offset(0, 10, 6), 0);
        assert_eq!(clamp_offset(3, 10, 6), 3);
        assert_eq!(clamp_offset(99, 10, 6), 5);
        assert_eq!(clamp_offset(99, 10, 0), 9);
    }
}
