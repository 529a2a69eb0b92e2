//! The one place that holds every style and glyph: colour or none (`NO_COLOR`, `--no-color`),
//! Unicode or plain ASCII (`--ascii`), and the ASCII fallback applied to a whole frame.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;

use crate::pipeline::LogKind;

/// Grey levels an image pixel is quantised to (fewer levels: fewer cells change per frame).
pub const GREY_LEVELS: u8 = 5;

/// Energy levels of the landscape heat map (fewer levels: fewer cells change per frame).
pub const HEAT_LEVELS: u8 = 10;
/// The heat map's xterm-256 colours, darker for lower energy: the deepest wells dark blue,
/// the highest ground pale yellow.
const HEAT_COLORS: [u8; HEAT_LEVELS as usize] = [17, 18, 19, 25, 31, 37, 72, 143, 186, 229];

/// How the dashboard draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Theme {
    /// Use colour.
    pub color: bool,
    /// Only ASCII characters reach the terminal.
    pub ascii: bool,
}

/// Line colours of the memories, in order: ten hues that stay apart on a dark background
/// (xterm-256: cyan, orange, yellow, green, red, blue, pink, brown, violet, grey). Beyond ten
/// the colours repeat with another line glyph ([`Theme::memory_marker`]).
const PALETTE: [Color; 10] = [
    Color::Indexed(51),
    Color::Indexed(208),
    Color::Indexed(226),
    Color::Indexed(46),
    Color::Indexed(196),
    Color::Indexed(33),
    Color::Indexed(213),
    Color::Indexed(137),
    Color::Indexed(141),
    Color::Indexed(250),
];

/// The same hues a shade apart, for memories 20–39 (then both palettes repeat): with the line
/// glyph ([`Theme::memory_marker`]) every memory up to 40 has a look of its own.
const PALETTE_ALT: [Color; 10] = [
    Color::Indexed(117),
    Color::Indexed(215),
    Color::Indexed(229),
    Color::Indexed(120),
    Color::Indexed(210),
    Color::Indexed(111),
    Color::Indexed(219),
    Color::Indexed(180),
    Color::Indexed(183),
    Color::Indexed(245),
];

/// Without colour (or in ASCII) each memory's line is drawn with a character of its own, in
/// this order, and the legend shows the same character.
/// ('@' is left out: it is the landscape's state "●" in ASCII.)
const LINE_GLYPHS: &str = "*+ox#%&=~abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The characters of the models' energy lines when [`Theme::text_lines`] (one kind each).
const MODEL_GLYPHS: [char; 6] = ['o', 'x', '+', '*', '#', '%'];

/// Line colours of the models (energy chart, readout, overlap strips): one per kind of model.
const MODEL_PALETTE: [Color; 6] = [
    Color::Indexed(45),
    Color::Indexed(209),
    Color::Indexed(220),
    Color::Indexed(120),
    Color::Indexed(177),
    Color::Indexed(255),
];

impl Theme {
    /// `text` as this theme writes it: with `--ascii`, "±" spelled "+/-" and "²" "^2" (the
    /// cell-by-cell pass writes one character: "a well at +bird" lost the mirror's well).
    pub fn spell(&self, text: &str) -> String {
        if self.ascii {
            text.replace('±', "+/-").replace('²', "^2")
        } else {
            text.to_string()
        }
    }

    /// The theme the flags and the environment ask for (`NO_COLOR` set and non-empty: no colour).
    pub fn from_flags(ascii: bool, no_color: bool) -> Self {
        let env_no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            color: !(no_color || env_no_color),
            ascii,
        }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// Panel titles.
    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    /// Secondary text (axes, hints).
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }
    /// Panel borders.
    pub fn border(&self) -> Style {
        self.dim()
    }
    /// The PAUSED badge: visible in any mode.
    pub fn paused(&self) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED);
        if self.color { s.fg(Color::Yellow) } else { s }
    }
    /// Warnings (lagging, too small).
    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    /// Emphasis for the status values.
    pub fn value(&self) -> Style {
        self.fg(Color::White).add_modifier(Modifier::BOLD)
    }
    /// The line of memory `mu`: ten hues, then the same with the other line glyph, then a
    /// shade lighter (memories 20–39), then again.
    pub fn memory(&self, mu: usize) -> Style {
        let palette = if (mu / (2 * PALETTE.len())).is_multiple_of(2) {
            &PALETTE
        } else {
            &PALETTE_ALT
        };
        self.fg(palette[mu % PALETTE.len()])
    }
    /// The line of the `i`-th running model.
    pub fn model(&self, i: usize) -> Style {
        self.fg(MODEL_PALETTE[i % MODEL_PALETTE.len()])
    }
    /// A saliency bar: above the existence threshold and stable, above but unstable, or below.
    pub fn saliency(&self, exists: bool, stable: bool) -> Style {
        match (exists, stable) {
            (true, true) => self.fg(Color::LightGreen),
            (true, false) => self.fg(Color::Yellow),
            _ => self.dim(),
        }
    }
    /// A line of the event log.
    pub fn log(&self, kind: LogKind) -> Style {
        match kind {
            LogKind::Retrieved => self.fg(Color::LightGreen),
            LogKind::Transition => self.fg(Color::Cyan),
            LogKind::Confusion => self.fg(Color::Yellow),
            LogKind::GlitchCorrected => self.fg(Color::LightGreen).add_modifier(Modifier::BOLD),
            LogKind::GlitchFollowed => self.fg(Color::LightRed),
            LogKind::GlitchNotTracking => self.fg(Color::Yellow),
            LogKind::Patterns => self.fg(Color::LightBlue),
            LogKind::Error => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            LogKind::Info => self.dim(),
        }
    }
    /// The 256-colour grey of quantised level `level` (0 = black … GREY_LEVELS−1 = white).
    pub fn grey(&self, level: u8) -> Color {
        let top = u16::from(GREY_LEVELS.saturating_sub(1)).max(1);
        let step = (u16::from(level.min(GREY_LEVELS - 1)) * 23 / top) as u8;
        Color::Indexed(232 + step)
    }
    /// The landscape colour of heat level `level` (0 = lowest energy), or the terminal's
    /// default where the energy is not a number.
    pub fn heat(&self, level: Option<u8>) -> Color {
        level.map_or(Color::Reset, |l| {
            Color::Indexed(HEAT_COLORS[usize::from(l.min(HEAT_LEVELS - 1))])
        })
    }
    /// A well's mark on the heat map: its memory's colour, bold.
    pub fn well_mark(&self, mu: usize) -> Style {
        self.memory(mu).add_modifier(Modifier::BOLD)
    }
    /// A well's name on the heat map: as its mark, on black so that it reads on any level.
    pub fn well_label(&self, mu: usize) -> Style {
        let s = self.well_mark(mu);
        if self.color { s.bg(Color::Black) } else { s }
    }
    /// The memories' lines are drawn as characters, one per memory ([`Theme::line_char`]),
    /// because colour cannot tell them apart (no colour, or ASCII's single dot).
    pub fn text_lines(&self) -> bool {
        !self.color || self.ascii
    }
    /// The character of memory `mu`'s line when [`Theme::text_lines`] (distinct for the first
    /// 61 memories).
    pub fn line_char(&self, mu: usize) -> char {
        let count = LINE_GLYPHS.chars().count();
        LINE_GLYPHS.chars().nth(mu % count).unwrap_or('*')
    }
    /// The chart marker of memory `mu`'s line in colour: braille for the first ten, dots for the
    /// next ten (the colours repeat), and so on; never a full block (a line at zero would be
    /// a solid bar).
    pub fn memory_marker(&self, mu: usize) -> Marker {
        if (mu / PALETTE.len()).is_multiple_of(2) {
            Marker::Braille
        } else {
            Marker::Dot
        }
    }
    /// The legend's sample of memory `mu`'s line, matching [`Theme::memory_marker`] (or the
    /// line's own character without colour).
    pub fn memory_glyph(&self, mu: usize) -> String {
        if self.text_lines() {
            self.line_char(mu).to_string()
        } else if (mu / PALETTE.len()).is_multiple_of(2) {
            "■".into()
        } else {
            "•".into()
        }
    }
    /// The glyph of the input strip above the overlap lines (what the input shows, in its
    /// memory's colour, or its memory's line character).
    pub fn input_strip(&self, mu: usize) -> String {
        if self.text_lines() {
            self.line_char(mu).to_string()
        } else {
            "▀".into()
        }
    }
    /// The chart marker of model `i`'s energy line: the chart's in colour, else a character
    /// of its own (without colour two models' lines and legend samples were alike).
    pub fn model_marker(&self, i: usize) -> Marker {
        if self.text_lines() {
            Marker::Custom(MODEL_GLYPHS[i % MODEL_GLYPHS.len()])
        } else {
            self.marker()
        }
    }
    /// The legend's sample of model `i`'s energy line, matching [`Theme::model_marker`].
    pub fn model_glyph(&self, i: usize) -> String {
        if self.text_lines() {
            MODEL_GLYPHS[i % MODEL_GLYPHS.len()].to_string()
        } else {
            "━".into()
        }
    }
    /// The chart marker: braille, or dots replaced by the ASCII pass.
    pub fn marker(&self) -> Marker {
        if self.ascii {
            Marker::Dot
        } else {
            Marker::Braille
        }
    }
    /// The glyph marking the stimulus' dominant memory.
    pub fn truth_mark(&self) -> &'static str {
        if self.ascii { "<" } else { "◀" }
    }
    /// The existence-threshold tick of the saliency bars.
    pub fn threshold_mark(&self) -> &'static str {
        if self.ascii { "|" } else { "┃" }
    }
    /// A bar of `eighths`/8 cells: full blocks then one partial block (or `#`).
    pub fn bar(&self, eighths: usize) -> String {
        const PARTIAL: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
        if self.ascii {
            return "#".repeat(eighths.div_ceil(8));
        }
        let mut s = "█".repeat(eighths / 8);
        s.push_str(PARTIAL[eighths % 8]);
        s
    }

    /// With `--ascii`, replaces every non-ASCII symbol in `area` by an ASCII look-alike, so no
    /// widget can leak a block, braille or box character.
    /// The landscape's heat map is drawn in colours (colour on, not ASCII), else in the glyphs
    /// of a density ramp.
    pub fn colours_heat(&self) -> bool {
        self.color && !self.ascii
    }

    pub fn ascii_pass(&self, buf: &mut Buffer, area: Rect) {
        if !self.ascii {
            return;
        }
        let area = area.intersection(buf.area);
        for y in area.top()..area.bottom() {
            for x in area.left()..area.right() {
                if let Some(cell) = buf.cell_mut((x, y))
                    && !cell.symbol().is_ascii()
                {
                    let c = cell.symbol().chars().next().unwrap_or(' ');
                    cell.set_char(ascii_for(c));
                }
            }
        }
    }
}

/// An ASCII stand-in for one character.
pub fn ascii_for(c: char) -> char {
    match c {
        '─' | '━' | '═' | '╌' | '┄' => '-',
        '│' | '┃' | '║' | '┆' | '▕' | '▏' => '|',
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╰' | '╯' => {
            '+'
        }
        '•' | '·' | '…' => '.',
        '→' | '▶' => '>',
        '←' | '◀' => '<',
        '×' => 'x',
        '✓' => '*',
        '—' | '–' => '-',
        'σ' => 's',
        'Σ' => 'S',
        '≈' => '~',
        'α' => 'a',
        'τ' => 't',
        '↔' | '≻' => '>',
        '↑' => '^',
        '↓' => 'v',
        '◆' => 'O',
        '●' => '@',
        '±' => '+',
        'Ψ' | 'ψ' => 'Y',
        'β' => 'b',
        'Ξ' => 'X',
        '²' => '^',
        '₁' => '1',
        '₂' => '2',
        'ᵀ' => 'T',
        '§' => 'S',
        '⌈' => '[',
        '⌉' => ']',
        '⊙' => '*',
        'ẋ' => 'x',
        '∇' => 'V',
        '∈' => 'e',
        '⏎' => '<',
        '▔' => '-',
        '┏' | '┓' | '┗' | '┛' | '╔' | '╗' | '╚' | '╝' => '+',
        '▇' | '▉' | '▊' | '▋' | '▍' | '▎' | '▁' => '#',
        'μ' => 'u',
        'ξ' => 'x',
        'γ' => 'g',
        '≥' => '>',
        '≤' => '<',
        '−' => '-',
        '\u{2800}' => ' ',
        '\u{2801}'..='\u{28ff}' => '.',
        '▀' | '▄' | '█' | '▌' | '▐' | '░' | '▒' | '▓' | '■' => '#',
        _ => '?',
    }
}

#[cfg(test)]
mod ascii_tests {
    use super::*;

    /// Every character the dashboard's words and help use has a stand-in: with `--ascii` the
    /// help read "exp(-2E_?/s?)" and "?(a?softmax), ?" for β, ², subscripts and ⊙.
    #[test]
    fn the_screens_characters_have_ascii_stand_ins() {
        for c in "βΞ²₁₂ᵀ§⌈⌉⊙ẋ∇∈⏎▔┏┓┗┛╔╗╚╝▇▉▊▋▍▎▁σ±αψΨμξ".chars()
        {
            assert_ne!(ascii_for(c), '?', "{c:?}");
        }
        let ascii = Theme {
            color: false,
            ascii: true,
        };
        assert_eq!(ascii.spell("a well at ±fish"), "a well at +/-fish");
        assert_eq!(ascii.spell("FP 81²"), "FP 81^2");
    }
}
