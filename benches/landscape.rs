//! One redraw of the landscape panel as the dashboard does it, per snapshot: the view of the
//! primary model on a cached plane (terms, projection, 48×48 grid, wells), then the panel drawn
//! into a 40×22 buffer; and the plane's class sums, paid only when the pair changes.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use recall::model::landscape::{Plane, View, most_salient_pair, view};
use recall::model::{Memories, ModelKind, Network, Params};
use recall::ui::Theme;
use recall::ui::landscape::{LandscapePanel, Trail};

fn network() -> Network {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let mem = Arc::new(Memories::random(32, 32, 10, &mut rng));
    let mut net = Network::new(mem.clone(), ModelKind::Idp, Params::default(), 1).expect("params");
    let u: Vec<f32> = (0..mem.n())
        .map(|i| 2.0 * mem.memory(0)[i] + 0.8 * mem.memory(3)[i])
        .collect();
    net.set_input(&u, true).expect("input of size N");
    net.run(200).expect("steps");
    net
}

fn bench_landscape(c: &mut Criterion) {
    let net = network();
    let (m1, m2) = most_salient_pair(net.landscape_weights()).unwrap_or((0, 1));
    let plane = Plane::new(net.memories(), m1, m2);
    let names = net.memories().names().to_vec();
    let theme = Theme {
        color: true,
        ascii: false,
    };
    let area = Rect::new(0, 0, 40, 22);
    let mut trail = Trail::new(12);
    c.bench_function("landscape/plane/N=1024/P=10", |b| {
        b.iter(|| black_box(Plane::new(net.memories(), m1, m2)))
    });
    c.bench_function("landscape/view48/N=1024/P=10", |b| {
        b.iter(|| black_box(view(&net, &plane, 48, 48)))
    });
    let v = view(&net, &plane, 48, 48);
    trail.record(&v);
    let draw = |v: &View, buf: &mut Buffer| {
        LandscapePanel {
            view: v,
            names: &names,
            trail: Some(&trail),
            scale: None,
            model: None,
            theme,
        }
        .render(area, buf);
        black_box(&*buf);
    };
    c.bench_function("landscape/draw/40x22", |b| {
        let mut buf = Buffer::empty(area);
        b.iter(|| draw(&v, &mut buf))
    });
    c.bench_function("landscape/redraw/view48+draw40x22", |b| {
        let mut buf = Buffer::empty(area);
        b.iter(|| draw(&view(&net, &plane, 48, 48), &mut buf))
    });
}

criterion_group!(benches, bench_landscape);
criterion_main!(benches);
