//! One full dashboard frame rendered into a buffer (no terminal I/O), at 200×60 and 80×24,
//! single model and compare mode, from the fixed fixture snapshot.

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use recall::model::ModelKind;
use recall::stimulus::ScenarioName;
use recall::ui::{App, Msg, Theme, fixture};

fn app(models: &[ModelKind], ascii: bool) -> App {
    let compare = (models.len() > 1).then(|| models[1..].to_vec());
    let theme = Theme {
        color: !ascii,
        ascii,
    };
    let mut app = App::new(theme, models[0], compare, ScenarioName::Glitch, 2.0, 1.0);
    app.update(Msg::Snapshot(Box::new(fixture::snapshot(models))));
    for line in fixture::log() {
        app.update(Msg::Log(line));
    }
    app
}

fn render(c: &mut Criterion) {
    let cases = [
        ("200x60", 200, 60, vec![ModelKind::Idp], false),
        (
            "200x60 compare",
            200,
            60,
            vec![ModelKind::Idp, ModelKind::ClassicPulsed],
            false,
        ),
        ("200x60 ascii", 200, 60, vec![ModelKind::Idp], true),
        ("120x40", 120, 40, vec![ModelKind::Idp], false),
        ("80x24", 80, 24, vec![ModelKind::Idp], false),
    ];
    for (name, w, h, models, ascii) in cases {
        let app = app(&models, ascii);
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        c.bench_function(&format!("render {name}"), |b| {
            b.iter(|| {
                buf.reset();
                (&app).render(area, &mut buf);
                std::hint::black_box(&buf);
            })
        });
    }
}

criterion_group!(benches, render);
criterion_main!(benches);
