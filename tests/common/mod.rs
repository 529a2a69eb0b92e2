//! Helpers shared by the UI tests.

use ratatui::buffer::Buffer;

/// The symbols of a buffer, one line per row.
pub fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The whole dashboard `app` drawn at `w`×`h`, as text.
#[allow(dead_code)] // not every test file that shares this module draws a dashboard
pub fn screen(app: &recall::ui::App, w: u16, h: u16) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("test terminal");
    terminal
        .draw(|f| f.render_widget(app, f.area()))
        .expect("draw");
    text(terminal.backend().buffer())
}

/// Numbers that run into each other on a screen ("0.00020.0002"): words with two decimal points.
#[allow(dead_code)]
pub fn run_together(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || c == '│' || c == '(' || c == ')' || c == ',')
        .filter(|w| w.matches('.').count() > 1 && w.chars().any(|c| c.is_ascii_digit()))
        .collect()
}
