//! Hands on the network: the user's drawing (painted with the mouse or a keyboard cursor) and
//! the one-line prompt that names a memory to store. Pure state; `App::update` drives it.

/// A picture being drawn, ±1 per pixel (on = +1), with the keyboard cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawing {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<f32>,
    /// The keyboard cursor (column, row).
    pub cursor: (usize, usize),
    /// The keyboard cursor is shown and the arrows move it.
    pub keyboard: bool,
    /// Where the mouse button went down or last dragged to (for filling a fast drag).
    pub last_mouse: Option<(usize, usize)>,
}

impl Drawing {
    /// A drawing that starts from `image` (values around ±1, taken by sign; 0 is off).
    pub fn from_image(width: usize, height: usize, image: &[f32]) -> Self {
        let pixels = (0..width * height)
            .map(|k| match image.get(k) {
                Some(&v) if v > 0.0 => 1.0,
                _ => -1.0,
            })
            .collect();
        Self {
            width,
            height,
            pixels,
            cursor: (width / 2, height / 2),
            keyboard: false,
            last_mouse: None,
        }
    }

    /// Sets pixel (x, y) on or off (outside: nothing).
    pub fn set(&mut self, (x, y): (usize, usize), on: bool) {
        if x < self.width && y < self.height {
            self.pixels[y * self.width + x] = if on { 1.0 } else { -1.0 };
        }
    }

    /// Pixel (x, y) is on.
    pub fn is_on(&self, (x, y): (usize, usize)) -> bool {
        self.pixels
            .get(y * self.width + x)
            .is_some_and(|&v| v > 0.0)
    }

    /// Flips the pixel under the keyboard cursor.
    pub fn toggle_at_cursor(&mut self) {
        let on = self.is_on(self.cursor);
        self.set(self.cursor, !on);
    }

    /// Moves the keyboard cursor by (dx, dy), staying inside the picture.
    pub fn move_cursor(&mut self, dx: isize, dy: isize) {
        let clamp = |v: usize, d: isize, n: usize| {
            (v as isize + d).clamp(0, n.saturating_sub(1) as isize) as usize
        };
        self.cursor = (
            clamp(self.cursor.0, dx, self.width),
            clamp(self.cursor.1, dy, self.height),
        );
    }

    /// Paints every pixel on the straight line from `from` to `to` (a fast drag leaves gaps
    /// between the positions the terminal reports).
    pub fn line(&mut self, from: (usize, usize), to: (usize, usize), on: bool) {
        let (mut x, mut y) = (from.0 as isize, from.1 as isize);
        let (x1, y1) = (to.0 as isize, to.1 as isize);
        let (dx, dy) = ((x1 - x).abs(), -(y1 - y).abs());
        let (sx, sy) = ((x1 - x).signum(), (y1 - y).signum());
        let mut err = dx + dy;
        loop {
            self.set((x as usize, y as usize), on);
            if x == x1 && y == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    /// Every pixel off.
    pub fn clear(&mut self) {
        self.pixels.fill(-1.0);
    }

    /// Every pixel flipped.
    pub fn invert(&mut self) {
        for v in &mut self.pixels {
            *v = -*v;
        }
    }

    /// The picture as on/off pixels.
    pub fn bools(&self) -> Vec<bool> {
        self.pixels.iter().map(|&v| v > 0.0).collect()
    }
}

/// What the prompt's text is for.
#[derive(Debug, Clone, PartialEq)]
pub struct StorePrompt {
    /// The name typed so far.
    pub text: String,
    /// The picture to store (on/off).
    pub pixels: Vec<bool>,
    /// A file of that name exists: Enter (or y) replaces it.
    pub confirm_overwrite: bool,
    /// Why the last name was refused.
    pub refused: Option<String>,
}

impl StorePrompt {
    /// A prompt for `pixels`, the name field holding `default`.
    pub fn new(pixels: Vec<bool>, default: String) -> Self {
        Self {
            text: default,
            pixels,
            confirm_overwrite: false,
            refused: None,
        }
    }

    /// Types `c` (a change of name drops a pending overwrite question). A character no name
    /// may hold is refused as it is typed, with why (it was taken, and refused only on Enter:
    /// fast keys after `w` filled the name with "+]?").
    pub fn type_char(&mut self, c: char) {
        if !crate::patterns::name_char(c) {
            self.refused = Some(crate::patterns::refused_char(c));
            return;
        }
        if self.text.chars().count() < crate::patterns::MAX_NAME + 8 {
            self.text.push(c);
        }
        self.confirm_overwrite = false;
        self.refused = None;
    }

    /// Erases the last character.
    pub fn erase(&mut self) {
        self.text.pop();
        self.confirm_overwrite = false;
        self.refused = None;
    }

    /// Clears the line (Ctrl-U).
    pub fn clear(&mut self) {
        self.text.clear();
        self.confirm_overwrite = false;
        self.refused = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A character no name may hold is refused as it is typed (fast keys after `w` filled the
    /// name with "+]?", refused only on Enter), and the line says why.
    #[test]
    fn the_name_prompt_refuses_a_bad_character_as_it_is_typed() {
        let mut p = StorePrompt::new(Vec::new(), "drawn-1".into());
        p.type_char('+');
        p.type_char(' ');
        assert_eq!(p.text, "drawn-1");
        assert_eq!(
            p.refused.as_deref(),
            Some("' ' is not allowed: letters, digits, - _ .")
        );
        p.type_char('x');
        assert_eq!((p.text.as_str(), p.refused.as_deref()), ("drawn-1x", None));
    }

    #[test]
    fn a_fast_drag_is_filled_with_a_line() {
        let mut d = Drawing::from_image(8, 8, &[]);
        d.line((0, 0), (7, 3), true);
        let on: Vec<(usize, usize)> = (0..8)
            .flat_map(|y| (0..8).map(move |x| (x, y)))
            .filter(|&p| d.is_on(p))
            .collect();
        assert_eq!(on.len(), 8, "{on:?}");
        assert!(d.is_on((0, 0)) && d.is_on((7, 3)));
        // Every column is painted once: no gaps.
        for x in 0..8 {
            assert_eq!(on.iter().filter(|p| p.0 == x).count(), 1);
        }
    }

    #[test]
    fn the_cursor_stays_inside_and_toggles() {
        let mut d = Drawing::from_image(4, 3, &[1.0; 12]);
        d.move_cursor(-10, 10);
        assert_eq!(d.cursor, (0, 2));
        d.toggle_at_cursor();
        assert!(!d.is_on((0, 2)));
        d.invert();
        assert!(d.is_on((0, 2)) && !d.is_on((1, 1)));
        d.clear();
        assert!(d.bools().iter().all(|&b| !b));
    }
}
