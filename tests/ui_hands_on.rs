//! Hands on the network: painting with the keyboard cursor and the mouse (crossterm mouse
//! events on a drawn TestBackend screen), the held input they send, and storing a memory with
//! `w` (the prompt, the file written atomically, the set that reloads with it).

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use recall::model::ModelKind;
use recall::pipeline::Control;
use recall::stimulus::ScenarioName;
use recall::stimulus::held::HeldInput;
use recall::ui::app::StoreRefusal;
use recall::ui::keys::KeyMode;
use recall::ui::{App, Intent, Msg, Theme, fixture};

const THEME: Theme = Theme {
    color: true,
    ascii: false,
};

fn app() -> App {
    let mut app = App::new(THEME, ModelKind::Idp, None, ScenarioName::Tour, 2.0, 1.0);
    app.update(Msg::Snapshot(Box::new(fixture::snapshot(&[
        ModelKind::Idp,
    ]))));
    app
}

/// Draws the app at 120×40 (which records where the input image is).
fn draw(app: &App) {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal
        .draw(|f| f.render_widget(app, f.area()))
        .expect("draw");
}

fn intent(app: &mut App, i: Intent) -> Option<Control> {
    app.update(Msg::Intent(i))
}

/// The drawing a `Hold` control carries.
fn held(control: Option<Control>) -> Vec<f32> {
    match control {
        Some(Control::Hold(Some(HeldInput::Drawing(pixels)))) => pixels,
        other => panic!("not a held drawing: {other:?}"),
    }
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Msg {
    Msg::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn paint_mode_starts_from_the_screen_and_the_cursor_flips_pixels() {
    let mut a = app();
    let screen: Vec<bool> = a
        .images
        .as_ref()
        .unwrap()
        .input
        .iter()
        .map(|&v| v > 0.0)
        .collect();
    let first = held(intent(&mut a, Intent::TogglePaint));
    assert_eq!(a.key_mode(), KeyMode::Paint);
    let start: Vec<bool> = first.iter().map(|&v| v > 0.0).collect();
    assert_eq!(start, screen, "the drawing starts from the image on screen");
    let (x, y) = a.drawing.as_ref().unwrap().cursor;
    intent(&mut a, Intent::CursorRight);
    intent(&mut a, Intent::CursorDown);
    assert_eq!(a.drawing.as_ref().unwrap().cursor, (x + 1, y + 1));
    let before = a.drawing.as_ref().unwrap().is_on((x + 1, y + 1));
    let pixels = held(intent(&mut a, Intent::TogglePixel));
    let w = a.drawing.as_ref().unwrap().width;
    assert_eq!(pixels[(y + 1) * w + x + 1] > 0.0, !before);
    // x clears, i inverts: all on.
    intent(&mut a, Intent::ClearDrawing);
    let all_on = held(intent(&mut a, Intent::InvertDrawing));
    assert!(all_on.iter().all(|&v| v == 1.0));
    // p leaves paint mode; the drawing stays the input until n.
    assert_eq!(intent(&mut a, Intent::TogglePaint), None);
    assert_eq!(a.key_mode(), KeyMode::Normal);
    assert!(a.drawing.is_some());
    assert_eq!(
        intent(&mut a, Intent::NextStimulus),
        Some(Control::Hold(None))
    );
    assert!(a.drawing.is_none());
    // With no drawing, n skips to the next stimulus as before.
    assert_eq!(
        intent(&mut a, Intent::NextStimulus),
        Some(Control::SkipToNext)
    );
}

#[test]
fn the_mouse_paints_on_and_off_and_a_drag_leaves_no_gap() {
    let mut a = app();
    draw(&a);
    let place = a.input_placement.get().expect("the input image was drawn");
    // Clear first (x starts a drawing from the screen and clears it).
    intent(&mut a, Intent::ClearDrawing);
    let (c0, r0) = (place.x0 + 2, place.y0 + 3);
    let (c1, r1) = (place.x0 + 20, place.y0 + 3);
    held(a.update(mouse(MouseEventKind::Down(MouseButton::Left), c0, r0)));
    // One drag report far away: the pixels between are painted too.
    let pixels = held(a.update(mouse(MouseEventKind::Drag(MouseButton::Left), c1, r1)));
    a.update(mouse(MouseEventKind::Up(MouseButton::Left), c1, r1));
    let d = a.drawing.clone().unwrap();
    let [top0, _] = place.pixels_at(c0, r0).unwrap();
    let [top1, _] = place.pixels_at(c1, r1).unwrap();
    assert_eq!(top0.1, top1.1);
    for x in top0.0..=top1.0 {
        assert!(d.is_on((x, top0.1)), "gap at x = {x}");
        assert!(pixels[top0.1 * d.width + x] > 0.0);
    }
    // Right button paints off.
    let off = held(a.update(mouse(MouseEventKind::Down(MouseButton::Right), c0, r0)));
    assert!(off[top0.1 * d.width + top0.0] < 0.0);
    // Outside the image: nothing.
    assert_eq!(
        a.update(mouse(MouseEventKind::Down(MouseButton::Left), 0, 39)),
        None
    );
    // The screen says the input is a drawing.
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| f.render_widget(&a, f.area())).unwrap();
    let top: String = (0..120)
        .map(|x| terminal.backend().buffer()[(x, 0)].symbol().to_string())
        .collect();
    assert!(top.contains("input: drawing"), "{top}");
}

#[test]
fn w_asks_for_a_name_with_a_small_line_editor() {
    let mut a = app();
    intent(&mut a, Intent::TogglePaint);
    intent(&mut a, Intent::Store);
    assert_eq!(a.key_mode(), KeyMode::Prompt);
    assert_eq!(a.prompt.as_ref().unwrap().text, "drawn-1");
    intent(&mut a, Intent::ClearLine);
    for c in "my ".chars() {
        intent(&mut a, Intent::Type(c));
    }
    // A space is refused as it is typed, with the reason, and not taken.
    assert_eq!(a.prompt.as_ref().unwrap().text, "my");
    assert!(
        a.prompt
            .as_ref()
            .unwrap()
            .refused
            .as_ref()
            .unwrap()
            .contains("' '"),
        "{:?}",
        a.prompt
    );
    // An empty name is refused on Enter, and nothing is sent.
    intent(&mut a, Intent::ClearLine);
    assert_eq!(intent(&mut a, Intent::Confirm), None);
    assert!(a.prompt.as_ref().unwrap().refused.is_some());
    for c in "my-owl".chars() {
        intent(&mut a, Intent::Type(c));
    }
    let drawing = a.drawing.as_ref().unwrap().bools();
    match intent(&mut a, Intent::Confirm) {
        Some(Control::StoreMemory {
            name,
            pixels,
            overwrite,
        }) => {
            assert_eq!(name, "my-owl");
            assert_eq!(pixels, drawing);
            assert!(!overwrite);
        }
        other => panic!("{other:?}"),
    }
    // The file exists: the prompt stays and the next Enter replaces it.
    a.update(Msg::Stored(Err(StoreRefusal {
        reason: "my-owl.txt exists".into(),
        exists: true,
    })));
    assert!(matches!(
        intent(&mut a, Intent::Confirm),
        Some(Control::StoreMemory {
            overwrite: true,
            ..
        })
    ));
    a.update(Msg::Stored(Ok("stored my-owl".into())));
    assert!(a.prompt.is_none());
    assert!(a.log.iter().any(|l| l.text == "stored my-owl"));
    // Esc cancels a prompt without quitting.
    intent(&mut a, Intent::Store);
    assert_eq!(intent(&mut a, Intent::Back), None);
    assert!(a.prompt.is_none() && !a.should_quit);
}

#[test]
fn without_a_drawing_w_stores_the_state_by_sign() {
    let mut a = app();
    intent(&mut a, Intent::Store);
    let want: Vec<bool> = a.snapshot.as_ref().unwrap().models[0]
        .activation
        .iter()
        .map(|&v| v > 0.0)
        .collect();
    assert_eq!(a.prompt.as_ref().unwrap().pixels, want);
}

#[test]
fn a_stored_memory_is_a_valid_file_written_whole_and_the_set_reloads_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let set = recall::patterns::builtin();
    for (mu, name) in set.names().iter().enumerate().take(3) {
        let bitmap = recall::patterns::Bitmap {
            width: set.width(),
            height: set.height(),
            pixels: set.memory(mu).iter().map(|&v| v > 0.0).collect(),
        };
        std::fs::write(
            dir.path().join(format!("{name}.txt")),
            recall::patterns::to_text(&bitmap),
        )
        .unwrap();
    }
    let mut owl = vec![false; set.n()];
    for (k, px) in owl.iter_mut().enumerate() {
        *px = (k / 7) % 3 == 0;
    }
    let bitmap = recall::patterns::Bitmap {
        width: set.width(),
        height: set.height(),
        pixels: owl.clone(),
    };
    let path = recall::patterns::write_pattern(dir.path(), "owl", &bitmap, false).unwrap();
    assert_eq!(path, dir.path().join("owl.txt"));
    // Nothing but the pattern files: the temporary file was renamed into place.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["bird.txt", "cat.txt", "dog.txt", "owl.txt"]);
    let loaded = recall::patterns::load_dir(dir.path()).unwrap();
    let mu = loaded.index_of("owl").expect("the reloaded set has it");
    let back: Vec<bool> = loaded.memory(mu).iter().map(|&v| v > 0.0).collect();
    assert_eq!(back, owl);
    // An existing file is never replaced without the confirmation.
    assert!(matches!(
        recall::patterns::write_pattern(dir.path(), "owl", &bitmap, false),
        Err(recall::patterns::StoreError::Exists(_))
    ));
    assert!(recall::patterns::write_pattern(dir.path(), "owl", &bitmap, true).is_ok());
}
