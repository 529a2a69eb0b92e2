//! A rendered screen (the ratatui `Buffer` the terminal would get) as an SVG picture: the
//! cells' colours, text in a monospace font, and the graphic characters (blocks, braille, box
//! lines) drawn as shapes so that they tile without gaps whatever font the viewer has.

use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// A cell's width in SVG units (pixels at 100%).
pub const CELL_W: f64 = 9.0;
/// A cell's height: about twice its width, as in a terminal.
pub const CELL_H: f64 = 18.0;
/// The terminal's default background and foreground (a dark theme).
const DEFAULT_BG: (u8, u8, u8) = (0x1c, 0x1c, 0x1c);
const DEFAULT_FG: (u8, u8, u8) = (0xd0, 0xd0, 0xd0);

/// The SVG document of `buf`.
pub fn to_svg(buf: &Buffer) -> String {
    let area = buf.area;
    let width = f64::from(area.width) * CELL_W;
    let height = f64::from(area.height) * CELL_H;
    let mut out = String::with_capacity(usize::from(area.width) * usize::from(area.height) * 24);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" xml:space=\"preserve\" \
         font-family=\"'DejaVu Sans Mono', Menlo, Consolas, monospace\" font-size=\"{:.1}\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"{}\"/>\n",
        CELL_H * 0.78,
        hex(DEFAULT_BG)
    );
    for y in 0..area.height {
        let y0 = f64::from(y) * CELL_H;
        let cells: Vec<_> = (0..area.width)
            .filter_map(|x| buf.cell((area.x + x, area.y + y)))
            .collect();
        // Backgrounds: one rect per run of cells of one colour.
        let mut x = 0;
        while x < cells.len() {
            let (_, bg) = colours(cells[x].fg, cells[x].bg, cells[x].modifier);
            let mut end = x + 1;
            while end < cells.len()
                && colours(cells[end].fg, cells[end].bg, cells[end].modifier).1 == bg
            {
                end += 1;
            }
            if bg != DEFAULT_BG {
                let w = (end - x) as f64 * CELL_W;
                rect(&mut out, x as f64 * CELL_W, y0, w, CELL_H, bg, 1.0);
            }
            x = end;
        }
        // Graphics as shapes; text as one element per run of cells of one style, each
        // character placed on its cell.
        let mut run: Option<TextRun> = None;
        for (x, cell) in cells.iter().enumerate() {
            let (fg, _) = colours(cell.fg, cell.bg, cell.modifier);
            let x0 = x as f64 * CELL_W;
            let symbol = cell.symbol();
            let mut chars = symbol.chars();
            let graphic = match (chars.next(), chars.next()) {
                (Some(c), None) => c != ' ' && draw_graphic(&mut out, c, x0, y0, fg),
                _ => false,
            };
            let style = (fg, cell.modifier);
            if (graphic || run.as_ref().is_some_and(|r| r.style != style))
                && let Some(r) = run.take()
            {
                r.write(&mut out, y0);
            }
            if graphic {
                continue;
            }
            let r = run.get_or_insert_with(|| TextRun {
                style,
                xs: Vec::new(),
                text: String::new(),
            });
            r.xs.push(x0);
            r.text
                .push_str(if symbol.is_empty() { " " } else { symbol });
        }
        if let Some(r) = run.take() {
            r.write(&mut out, y0);
        }
    }
    out.push_str("</svg>\n");
    out
}

/// Consecutive text cells of one style.
struct TextRun {
    style: ((u8, u8, u8), Modifier),
    /// The left edge of each cell (one per symbol).
    xs: Vec<f64>,
    text: String,
}

impl TextRun {
    fn write(self, out: &mut String, y: f64) {
        let trimmed = self.text.trim_end();
        if trimmed.trim_start().is_empty() {
            return;
        }
        let lead = trimmed.len() - trimmed.trim_start().len();
        let (skip, keep) = (
            self.text[..lead].chars().count(),
            trimmed.trim_start().chars().count(),
        );
        let xs: Vec<String> = self.xs[skip..skip + keep]
            .iter()
            .map(|x| format!("{x:.0}"))
            .collect();
        text(
            out,
            &xs.join(" "),
            y,
            trimmed.trim_start(),
            self.style.0,
            self.style.1,
        );
    }
}

/// Foreground and background as RGB, after reverse video.
fn colours(fg: Color, bg: Color, modifier: Modifier) -> ((u8, u8, u8), (u8, u8, u8)) {
    let fg = rgb(fg).unwrap_or(DEFAULT_FG);
    let bg = rgb(bg).unwrap_or(DEFAULT_BG);
    if modifier.contains(Modifier::REVERSED) {
        (bg, fg)
    } else {
        (fg, bg)
    }
}

/// A colour as RGB (xterm's defaults for the 16 named colours and the 256-colour cube), or
/// `None` for the terminal's default.
pub fn rgb(color: Color) -> Option<(u8, u8, u8)> {
    const BASE: [(u8, u8, u8); 16] = [
        (0x00, 0x00, 0x00),
        (0xcd, 0x00, 0x00),
        (0x00, 0xcd, 0x00),
        (0xcd, 0xcd, 0x00),
        (0x00, 0x00, 0xee),
        (0xcd, 0x00, 0xcd),
        (0x00, 0xcd, 0xcd),
        (0xe5, 0xe5, 0xe5),
        (0x7f, 0x7f, 0x7f),
        (0xff, 0x00, 0x00),
        (0x00, 0xff, 0x00),
        (0xff, 0xff, 0x00),
        (0x5c, 0x5c, 0xff),
        (0xff, 0x00, 0xff),
        (0x00, 0xff, 0xff),
        (0xff, 0xff, 0xff),
    ];
    Some(match color {
        Color::Reset => return None,
        Color::Black => BASE[0],
        Color::Red => BASE[1],
        Color::Green => BASE[2],
        Color::Yellow => BASE[3],
        Color::Blue => BASE[4],
        Color::Magenta => BASE[5],
        Color::Cyan => BASE[6],
        Color::Gray => BASE[7],
        Color::DarkGray => BASE[8],
        Color::LightRed => BASE[9],
        Color::LightGreen => BASE[10],
        Color::LightYellow => BASE[11],
        Color::LightBlue => BASE[12],
        Color::LightMagenta => BASE[13],
        Color::LightCyan => BASE[14],
        Color::White => BASE[15],
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => match i {
            0..=15 => BASE[usize::from(i)],
            16..=231 => {
                let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
                let i = i - 16;
                (level(i / 36), level((i / 6) % 6), level(i % 6))
            }
            _ => {
                let v = 8 + 10 * (i - 232);
                (v, v, v)
            }
        },
    })
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn rect(out: &mut String, x: f64, y: f64, w: f64, h: f64, fill: (u8, u8, u8), opacity: f64) {
    let _ = write!(
        out,
        "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" fill=\"{}\"",
        hex(fill)
    );
    if opacity < 1.0 {
        let _ = write!(out, " fill-opacity=\"{opacity:.2}\"");
    }
    out.push_str("/>\n");
}

fn text(out: &mut String, xs: &str, y: f64, symbol: &str, fill: (u8, u8, u8), modifier: Modifier) {
    let _ = write!(
        out,
        "<text x=\"{xs}\" y=\"{:.1}\" fill=\"{}\"",
        y + CELL_H * 0.78,
        hex(fill)
    );
    if modifier.contains(Modifier::BOLD) {
        out.push_str(" font-weight=\"bold\"");
    }
    if modifier.contains(Modifier::ITALIC) {
        out.push_str(" font-style=\"italic\"");
    }
    if modifier.contains(Modifier::DIM) {
        out.push_str(" fill-opacity=\"0.6\"");
    }
    if modifier.contains(Modifier::UNDERLINED) {
        out.push_str(" text-decoration=\"underline\"");
    }
    out.push('>');
    for c in symbol.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
    out.push_str("</text>\n");
}

/// Draws `c` as shapes if it is a block, braille or box-drawing character; false otherwise.
fn draw_graphic(out: &mut String, c: char, x: f64, y: f64, fg: (u8, u8, u8)) -> bool {
    let (w, h) = (CELL_W, CELL_H);
    let mut fill = |fx: f64, fy: f64, fw: f64, fh: f64| {
        rect(out, x + fx * w, y + fy * h, fw * w, fh * h, fg, 1.0);
    };
    match c {
        '█' => fill(0.0, 0.0, 1.0, 1.0),
        '▀' => fill(0.0, 0.0, 1.0, 0.5),
        '▄' => fill(0.0, 0.5, 1.0, 0.5),
        '▌' => fill(0.0, 0.0, 0.5, 1.0),
        '▐' => fill(0.5, 0.0, 0.5, 1.0),
        '▔' => fill(0.0, 0.0, 1.0, 0.125),
        '▕' => fill(0.875, 0.0, 0.125, 1.0),
        // Lower eighths ▁ … ▇.
        '\u{2581}'..='\u{2587}' => {
            let k = f64::from(c as u32 - 0x2580) / 8.0;
            fill(0.0, 1.0 - k, 1.0, k);
        }
        // Left eighths ▉ … ▏.
        '\u{2589}'..='\u{258f}' => {
            let k = f64::from(0x2590 - c as u32) / 8.0;
            fill(0.0, 0.0, k, 1.0);
        }
        '░' | '▒' | '▓' => {
            let opacity = match c {
                '░' => 0.25,
                '▒' => 0.5,
                _ => 0.75,
            };
            rect(out, x, y, w, h, fg, opacity);
        }
        // Quadrants.
        '\u{2596}'..='\u{259f}' => {
            // Bits: upper-left, upper-right, lower-left, lower-right.
            const QUADS: [u8; 10] = [
                0b0010, 0b0001, 0b1000, 0b1011, 0b1001, 0b1110, 0b1101, 0b0100, 0b0110, 0b0111,
            ];
            let bits = QUADS[(c as u32 - 0x2596) as usize];
            for (bit, fx, fy) in [(8, 0.0, 0.0), (4, 0.5, 0.0), (2, 0.0, 0.5), (1, 0.5, 0.5)] {
                if bits & bit != 0 {
                    fill(fx, fy, 0.5, 0.5);
                }
            }
        }
        // Braille: dots 1–3 and 7 down the left column, 4–6 and 8 down the right.
        '\u{2801}'..='\u{28ff}' => {
            let bits = c as u32 - 0x2800;
            const DOTS: [(u32, f64, f64); 8] = [
                (0x01, 0.0, 0.0),
                (0x02, 0.0, 1.0),
                (0x04, 0.0, 2.0),
                (0x40, 0.0, 3.0),
                (0x08, 1.0, 0.0),
                (0x10, 1.0, 1.0),
                (0x20, 1.0, 2.0),
                (0x80, 1.0, 3.0),
            ];
            let r = w * 0.16;
            for (bit, col, row) in DOTS {
                if bits & bit != 0 {
                    let cx = x + w * (0.28 + 0.44 * col);
                    let cy = y + h * (0.125 + 0.25 * row);
                    let _ = writeln!(
                        out,
                        "<circle cx=\"{cx:.2}\" cy=\"{cy:.2}\" r=\"{r:.2}\" fill=\"{}\"/>",
                        hex(fg)
                    );
                }
            }
        }
        '\u{2800}' => {}
        _ => return draw_box(out, c, x, y, fg),
    }
    true
}

/// Box-drawing lines as strokes from the cell's centre to the edges it joins.
fn draw_box(out: &mut String, c: char, x: f64, y: f64, fg: (u8, u8, u8)) -> bool {
    // Arms: left, right, up, down; the weight (1 light, 2 heavy, 3 double).
    let (arms, weight): ([bool; 4], u8) = match c {
        '─' => ([true, true, false, false], 1),
        '━' => ([true, true, false, false], 2),
        '═' => ([true, true, false, false], 3),
        '│' => ([false, false, true, true], 1),
        '┃' => ([false, false, true, true], 2),
        '║' => ([false, false, true, true], 3),
        '┌' | '╭' => ([false, true, false, true], 1),
        '┐' | '╮' => ([true, false, false, true], 1),
        '└' | '╰' => ([false, true, true, false], 1),
        '┘' | '╯' => ([true, false, true, false], 1),
        '┏' => ([false, true, false, true], 2),
        '┓' => ([true, false, false, true], 2),
        '┗' => ([false, true, true, false], 2),
        '┛' => ([true, false, true, false], 2),
        '╔' => ([false, true, false, true], 3),
        '╗' => ([true, false, false, true], 3),
        '╚' => ([false, true, true, false], 3),
        '╝' => ([true, false, true, false], 3),
        '├' => ([false, true, true, true], 1),
        '┤' => ([true, false, true, true], 1),
        '┬' => ([true, true, false, true], 1),
        '┴' => ([true, true, true, false], 1),
        '┼' => ([true, true, true, true], 1),
        _ => return false,
    };
    let (cx, cy) = (x + CELL_W / 2.0, y + CELL_H / 2.0);
    let ends = [
        (x, cy, arms[0]),
        (x + CELL_W, cy, arms[1]),
        (cx, y, arms[2]),
        (cx, y + CELL_H, arms[3]),
    ];
    let stroke = match weight {
        2 => 2.4,
        _ => 1.2,
    };
    let offsets: &[f64] = if weight == 3 { &[-1.5, 1.5] } else { &[0.0] };
    for &(ex, ey, on) in &ends {
        if !on {
            continue;
        }
        for &d in offsets {
            // A double line is two strokes, apart across the arm's direction.
            let (dx, dy) = if ey == cy { (0.0, d) } else { (d, 0.0) };
            let _ = writeln!(
                out,
                "<line x1=\"{:.2}\" y1=\"{:.2}\" x2=\"{:.2}\" y2=\"{:.2}\" stroke=\"{}\" \
                 stroke-width=\"{stroke}\" stroke-linecap=\"square\"/>",
                cx + dx,
                cy + dy,
                ex + dx,
                ey + dy,
                hex(fg)
            );
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    fn one(symbol: &str, style: Style) -> String {
        let mut buf = Buffer::empty(Rect::new(0, 0, 1, 1));
        buf.set_string(0, 0, symbol, style);
        to_svg(&buf)
    }

    #[test]
    fn the_picture_has_the_screen_size_in_cells() {
        let buf = Buffer::empty(Rect::new(0, 0, 120, 40));
        let svg = to_svg(&buf);
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("width=\"1080\" height=\"720\""), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn text_is_escaped_and_coloured() {
        let svg = one("<", Style::new().fg(Color::Indexed(196)));
        assert!(svg.contains(">&lt;</text>"), "{svg}");
        assert!(svg.contains("fill=\"#ff0000\""), "{svg}");
    }

    #[test]
    fn graphics_are_shapes_not_text() {
        // The page's background is one rect; a block adds another.
        for (c, shape, count) in [("▀", "<rect", 2), ("▁", "<rect", 2), ("⣿", "<circle", 8)] {
            let svg = one(c, Style::new());
            assert!(!svg.contains("<text"), "{c}: {svg}");
            assert_eq!(svg.matches(shape).count(), count, "{c}: {svg}");
        }
        // Four arms in a cross, two in a corner.
        assert_eq!(one("┼", Style::new()).matches("<line").count(), 4);
        assert_eq!(one("╭", Style::new()).matches("<line").count(), 2);
    }

    #[test]
    fn the_cube_and_greys_match_xterm() {
        assert_eq!(rgb(Color::Indexed(16)), Some((0, 0, 0)));
        assert_eq!(rgb(Color::Indexed(51)), Some((0, 255, 255)));
        assert_eq!(rgb(Color::Indexed(208)), Some((255, 135, 0)));
        assert_eq!(rgb(Color::Indexed(232)), Some((8, 8, 8)));
        assert_eq!(rgb(Color::Indexed(255)), Some((238, 238, 238)));
        assert_eq!(rgb(Color::Reset), None);
    }
}
