//! The memory table: per memory its saliency α_μ as a bar with the existence threshold 1/g, and
//! what the theory says of it now (model.md §4: a stable well, a saddle or nothing, the predicted
//! depth E/N and its rank among the wells). Every memory gets a row; when the panel is too short
//! the last row says how many more there are and how to scroll to them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::model::{TheoryReport, Unsolved};

use super::theme::Theme;
use super::theory::{Standing, ranks};

/// Columns besides the name and the bar: " 12.34 ◆ well  −0.683 #1".
const VALUE_W: usize = 6;
const STANDING_W: usize = 9;
const DEPTH_W: usize = 7;
const RANK_W: usize = 4;
/// The narrowest bar worth drawing.
const MIN_BAR: usize = 4;

/// The table of one model's memories. Never panics, whatever the area or the values.
pub struct MemoryTable<'a> {
    /// The landscape weights per memory (α, or the filtered α̃), indexed like the memories;
    /// for a model whose W the input does not set, its saliencies α.
    pub alpha: &'a [f32],
    /// W is weighted by `alpha` (the IDP models). Else (classic, discrete) W = ΞΞᵀ/N weighs
    /// every memory 1: the bars are the input's saliencies and carry no threshold, and the
    /// header says so.
    pub alpha_in_w: bool,
    pub report: &'a TheoryReport,
    /// Memory names, indexed like the memories.
    pub names: &'a [String],
    /// The first memory shown (clamped so that the last rows are never empty).
    pub offset: usize,
    /// Whose memories these are, for the title (compare mode), if it needs saying.
    pub model: Option<&'a str>,
    /// How old the rows are: solved (and when), stale, or the closed forms.
    pub age: TheoryAge,
    pub theme: Theme,
}

/// Rows solved for a landscape older than this (model seconds) that has moved since are stale.
pub const STALE_SECS: f64 = 1.0;

/// What the memory table's rows are, as its title says it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TheoryAge {
    /// The closed forms of model.md §4 (before the first solve of this memory set).
    ClosedForms,
    /// Solved for the landscape as it was `age_secs` model seconds ago, and still true of it
    /// now or not older than [`STALE_SECS`]; `unchanged` when older than that and true of it
    /// now (the landscape has not moved: a modern model's, or a held input's).
    Solved { age_secs: f64, unchanged: bool },
    /// Solved for a landscape older than [`STALE_SECS`] that has moved since; a new solve is
    /// under way. `moved_secs`: how long ago the rows stopped being true of the landscape.
    Stale {
        age_secs: f64,
        moved_secs: Option<f64>,
    },
    /// Not solved for this set (too many memories): the closed forms for good, or (a modern
    /// model, which has none) nothing.
    Unsolved { why: Unsolved, closed_forms: bool },
    /// A modern model before its first solve: it has no closed forms, so the rows say nothing
    /// of its fixed points yet.
    Pending,
}

impl TheoryAge {
    /// The age of a model's rows: `solved` (else the closed forms), `current` (the landscape
    /// is still within the solve's tolerance), the model time the solve describes, the last
    /// time it was still current, and now.
    pub fn of(
        solved: bool,
        current: bool,
        solved_at_secs: Option<f64>,
        current_at_secs: Option<f64>,
        now_secs: f64,
    ) -> Self {
        if !solved {
            return TheoryAge::ClosedForms;
        }
        let since = |t: Option<f64>| t.map_or(f64::INFINITY, |t| (now_secs - t).max(0.0));
        let age_secs = since(solved_at_secs);
        if !current && age_secs > STALE_SECS {
            TheoryAge::Stale {
                age_secs,
                moved_secs: current_at_secs.map(|t| since(Some(t))),
            }
        } else {
            TheoryAge::Solved {
                age_secs,
                unchanged: age_secs > STALE_SECS,
            }
        }
    }

    /// The words of the table's title: "solved 0.3 s ago", "stale (moved 0.2 s ago),
    /// solving…" (how long the rows have been out of date: an 8-s-old solve of a landscape
    /// that held still until just now read "stale (8.1 s old)", as if the solver were 8 s
    /// behind), "closed forms".
    pub fn words(self) -> String {
        let secs = |a: f64| {
            if a.is_finite() {
                format!("{a:.1} s")
            } else {
                "?".into()
            }
        };
        match self {
            TheoryAge::ClosedForms => "closed forms".into(),
            TheoryAge::Pending => "solving…".into(),
            TheoryAge::Unsolved {
                why,
                closed_forms: true,
            } => format!("closed forms, {}", why.short()),
            TheoryAge::Unsolved { why, .. } => why.short(),
            TheoryAge::Solved {
                age_secs,
                unchanged: false,
            } => format!("solved {} ago", secs(age_secs)),
            // An old solve reads as stale unless it says that it is not.
            TheoryAge::Solved {
                age_secs,
                unchanged: true,
            } => format!("solved {} ago, still current", secs(age_secs)),
            TheoryAge::Stale {
                moved_secs: Some(moved),
                ..
            } => format!("stale (moved {} ago), solving…", secs(moved)),
            TheoryAge::Stale {
                age_secs,
                moved_secs: None,
            } => format!("stale ({} old), solving…", secs(age_secs)),
        }
    }
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
        // A value that rounds to zero has no sign ("0.00", not "−0.00": a saliency of −1e−4
        // from the explore input's rounding read as a negative one).
        let s = match s.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
            _ => s,
        };
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
        if let Some(beta) = self.report.beta {
            // A modern model: no thresholds; its rows are the solved fixed points.
            let (alpha, odot, beta_sym) = if t.ascii {
                ("a", "*", "beta")
            } else {
                ("α", "⊙", "β")
            };
            // modern weighs each memory 1 (its cue is x(0)); idp-modern by the input's α.
            let forms = if self.alpha_in_w {
                vec![
                    format!("fixed points x = Ξ({alpha}{odot}softmax), {beta_sym} = "),
                    format!("softmax {beta_sym} = "),
                ]
            } else {
                vec![
                    format!(
                        "fixed points x = Ξ softmax: {alpha} (the input's) is not in it, \
                         {beta_sym} = "
                    ),
                    format!("fixed points x = Ξ softmax (no {alpha}), {beta_sym} = "),
                    format!("softmax (no {alpha}), {beta_sym} = "),
                    format!("softmax {beta_sym} = "),
                ]
            };
            let last = forms.last().cloned().unwrap_or_default();
            let text = forms
                .into_iter()
                .find(|f| f.chars().count() + 6 <= width)
                .unwrap_or(last);
            return Line::from(vec![
                Span::styled(text, t.dim()),
                Span::raw(self.number(beta, 2)),
            ]);
        }
        let (alpha, star) = if t.ascii { ("a", "a*") } else { ("α", "α*") };
        if !self.alpha_in_w {
            // Classic and discrete: the thresholds are of weights the input does not set.
            let w = if t.ascii {
                "W = XX'/N"
            } else {
                "W = ΞΞᵀ/N"
            };
            let text = [
                format!("{w} weighs each memory 1: {alpha} (the input's) is not in W"),
                format!("{w}: {alpha} is not in W"),
                format!("{alpha} not in W"),
            ]
            .into_iter()
            .find(|l| l.chars().count() <= width)
            .unwrap_or_default();
            return Line::styled(text, t.dim());
        }
        // The thresholds are the closed forms', exact only on orthogonal memories.
        let eq = if !self.report.approximate {
            "="
        } else if t.ascii {
            "~"
        } else {
            "≈"
        };
        let threshold = match (self.report.self_coupling > 0.0 && width >= 40, t.ascii) {
            (true, false) => "1/g+Σα/N",
            (true, true) => "1/g+sum(a)/N",
            (false, _) => "1/g",
        };
        let line = |long: bool| {
            let mut spans = vec![
                Span::styled(format!("{} {threshold} {eq} ", t.threshold_mark()), t.dim()),
                Span::raw(self.number(self.report.existence_threshold, 3)),
            ];
            let stable = if long {
                format!("  stable {alpha} > {star} {eq} ")
            } else {
                format!("  {star} {eq} ")
            };
            spans.push(Span::styled(stable, t.dim()));
            spans.push(Span::raw(self.number(self.report.alpha_star, 3)));
            Line::from(spans)
        };
        let long = line(true);
        if long.width() <= width {
            long
        } else {
            line(false)
        }
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
        // A modern model has no closed forms: before its first solve, or never (too many
        // memories), its rows hold no standing (they read "none", as if solved to have none).
        let known = !matches!(
            self.age,
            TheoryAge::Pending
                | TheoryAge::Unsolved {
                    closed_forms: false,
                    ..
                }
        );
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
            if self.alpha_in_w && tick.is_finite() && tick >= 0.0 && (tick as usize) < bar_w {
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
            let (glyph, word) = if known {
                (glyph, standing.word())
            } else {
                (" ", "")
            };
            spans.push(Span::styled(format!(" {glyph} {word:<6}"), style));
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
                        self.name(to, cols.depth_w - 1)
                    )
                });
            let text = match (depth, slides) {
                _ if !known => String::new(),
                (Some(d), _) if standing != Standing::Absent => self.number(d, 3),
                (_, Some(to)) => to,
                (Some(d), None) => self.number(d, 3),
                (None, None) => none.to_string(),
            };
            let depth_w = cols.depth_w;
            spans.push(Span::styled(format!("{text:>depth_w$}"), style));
        }
        if cols.rank {
            let text = rank
                .filter(|_| known)
                .map_or(String::new(), |r| format!("#{r}"));
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

/// Which optional columns fit, and the depth column's width.
#[derive(Debug, Clone, Copy)]
struct Cols {
    standing: bool,
    depth: bool,
    rank: bool,
    /// [`DEPTH_W`], or wide enough for "→" and the longest name shown (8 characters), so
    /// that "→drawn-1" and "→drawn-2" are told apart.
    depth_w: usize,
}

impl Widget for MemoryTable<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.width < 3 || area.height < 3 {
            return;
        }
        let t = self.theme;
        // Whose memories, and how old the theory's rows are (the longest form that fits).
        let who = self.model.map_or(String::new(), |m| format!("{m}: "));
        let age = self.age.words();
        let room = usize::from(area.width.saturating_sub(2));
        let title = [
            format!("{who}memories: α and the theory, {age}"),
            format!("{who}α and theory, {age}"),
            format!("{who}α, {age}"),
            age.clone(),
        ]
        .into_iter()
        .find(|t| t.chars().count() <= room)
        .unwrap_or(age);
        let age_style = match self.age {
            TheoryAge::Solved { .. } => t.title(),
            _ => t.warning(),
        };
        let block = Block::bordered()
            .title(Span::styled(title, age_style))
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
            depth_w: DEPTH_W.max(name_w + 1),
        };
        let used = |c: Cols| {
            fixed
                + if c.standing { STANDING_W } else { 0 }
                + if c.depth { c.depth_w } else { 0 }
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
        // The bars leave room for twice the threshold, where they show one.
        let threshold = if self.alpha_in_w {
            self.report.existence_threshold as f32
        } else {
            0.0
        };
        let scale = self
            .alpha
            .iter()
            .filter(|a| a.is_finite())
            .fold(threshold * 2.0, |m, &a| m.max(a))
            .max(1e-6);
        // Wells of one depth share a rank.
        let ranks = ranks(self.report);
        let rank = |mu: usize| ranks.get(mu).copied().flatten();

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

    #[test]
    fn the_rows_say_their_age_and_solving_only_when_stale() {
        // A new solve pending but the rows are 0.3 s old: solved, with the age.
        let young = TheoryAge::of(true, false, Some(9.7), Some(9.8), 10.0);
        assert!(
            matches!(young, TheoryAge::Solved { age_secs, .. } if (age_secs - 0.3).abs() < 1e-9)
        );
        assert_eq!(young.words(), "solved 0.3 s ago");
        // Old rows of a landscape that has not moved are still true: no "solving", and the
        // title says they are current (a modern model's "solved 7.9 s ago" read as stale).
        assert_eq!(
            TheoryAge::of(true, true, Some(2.0), Some(10.0), 10.0).words(),
            "solved 8.0 s ago, still current"
        );
        // Old rows of a landscape that moved: stale, and it says so.
        let stale = TheoryAge::of(true, false, Some(8.5), Some(8.5), 10.0);
        assert_eq!(
            stale,
            TheoryAge::Stale {
                age_secs: 1.5,
                moved_secs: Some(1.5)
            }
        );
        assert_eq!(stale.words(), "stale (moved 1.5 s ago), solving…");
        // Rows solved long ago of a landscape that held still until 0.2 s ago: the title says
        // how long they have been out of date, not their age (which read as the solver being
        // 8 s behind).
        assert_eq!(
            TheoryAge::of(true, false, Some(1.9), Some(9.8), 10.0).words(),
            "stale (moved 0.2 s ago), solving…"
        );
        assert_eq!(
            TheoryAge::of(false, false, None, None, 10.0).words(),
            "closed forms"
        );
        // Exactly the limit is not stale yet.
        assert!(matches!(
            TheoryAge::of(true, false, Some(9.0), Some(9.0), 10.0),
            TheoryAge::Solved { .. }
        ));
    }
}
