//! The landscape panel and the memory table without a terminal: TestBackend + insta snapshots
//! from fixed views built with the model (Hadamard memories, fixed inputs), the wells drawn where
//! the theory puts them, deeper wells drawn darker (on the built-in set too), a colour scale
//! that holds still, and no panic on any size or value.

mod common;
use common::text;

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use recall::model::landscape::{Grid, Plane, Terms, View, Well, most_salient_pair, view};
use recall::model::theory::gamma;
use recall::model::{Memories, ModelKind, Network, Params, TheoryReport};
use recall::pipeline::landscape::LandscapeCache;
use recall::ui::Theme;
use recall::ui::landscape::{HeatScale, LandscapePanel, MapGeometry, Trail};
use recall::ui::memories::MemoryTable;
use recall::ui::theory::{Standing, hierarchy};

const COLOR: Theme = Theme {
    color: true,
    ascii: false,
};
const MONO: Theme = Theme {
    color: false,
    ascii: false,
};
const ASCII: Theme = Theme {
    color: false,
    ascii: true,
};

/// Four orthogonal 32×32 memories with readable names.
fn memories() -> Arc<Memories> {
    let h = Memories::hadamard(32, 32, 4).expect("hadamard");
    let pats = ["cat", "dog", "owl", "fish"]
        .iter()
        .enumerate()
        .map(|(mu, name)| (name.to_string(), h.memory(mu).to_vec()))
        .collect();
    Arc::new(Memories::new(32, 32, pats).expect("memories"))
}

/// u = Σ α_μ ξ_μ, so that the saliencies are exactly `alpha` on orthogonal memories.
fn input(mem: &Memories, alpha: &[f64]) -> Vec<f32> {
    (0..mem.n())
        .map(|i| {
            alpha
                .iter()
                .enumerate()
                .map(|(mu, &a)| a as f32 * mem.memory(mu)[i])
                .sum()
        })
        .collect()
}

/// A network with saliencies `alpha` and state a·ξ_first + b·ξ_second of the salient pair.
fn network(gain: f64, alpha: &[f64], state: (f64, f64)) -> (Network, Plane) {
    let mem = memories();
    let params = Params {
        gain,
        zero_diagonal: gain > 1.0,
        noise_std: 0.0,
        ..Params::default()
    };
    let mut net = Network::new(mem.clone(), ModelKind::Idp, params, 1).expect("params");
    net.set_input(&input(&mem, alpha), true).expect("input");
    let (m1, m2) = most_salient_pair(net.landscape_weights()).expect("two memories");
    let x: Vec<f32> = (0..mem.n())
        .map(|i| (state.0 as f32) * mem.memory(m1)[i] + (state.1 as f32) * mem.memory(m2)[i])
        .collect();
    net.set_state(&x).expect("state");
    (net, Plane::new(&mem, m1, m2))
}

/// The dashboard's regime (g = 10): cat and dog are wells, fish a saddle, owl absent.
fn busy() -> (Network, View) {
    let (net, plane) = network(10.0, &[0.3, 0.2, 0.05, 0.12], (0.22, -0.05));
    let v = view(&net, &plane, 48, 48);
    (net, v)
}

fn names() -> Vec<String> {
    memories().names().to_vec()
}

fn render(widget: impl Widget, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|f| f.render_widget(widget, f.area()))
        .expect("draw");
    terminal.backend().buffer().clone()
}

fn panel<'a>(
    v: &'a View,
    names: &'a [String],
    trail: Option<&'a Trail>,
    theme: Theme,
) -> LandscapePanel<'a> {
    LandscapePanel {
        view: v,
        names,
        trail,
        scale: None,
        model: None,
        theme,
    }
}

/// A trail along a short path ending at the state of `v`.
fn trail_to(v: &View) -> Trail {
    let mut trail = Trail::new(6);
    for k in 0..5 {
        let mut step = v.clone();
        step.state = (
            v.state.0 - 0.03 * f64::from(5 - k),
            v.state.1 + 0.02 * f64::from(5 - k),
        );
        trail.record(&step);
    }
    trail.record(v);
    trail
}

// ----- snapshots -----

#[test]
fn landscape_normal_size() {
    let (_, v) = busy();
    let names = names();
    let trail = trail_to(&v);
    let buf = render(panel(&v, &names, Some(&trail), MONO), 44, 24);
    insta::assert_snapshot!(text(&buf));
}

#[test]
fn landscape_compact_size() {
    let (_, v) = busy();
    let names = names();
    let trail = trail_to(&v);
    let buf = render(panel(&v, &names, Some(&trail), COLOR), 22, 10);
    insta::assert_snapshot!(text(&buf));
}

#[test]
fn landscape_ascii() {
    let (_, v) = busy();
    let names = names();
    let trail = trail_to(&v);
    let buf = render(panel(&v, &names, Some(&trail), ASCII), 44, 24);
    let shown = text(&buf);
    assert!(
        shown.is_ascii(),
        "non-ASCII glyph in --ascii mode:\n{shown}"
    );
    insta::assert_snapshot!(shown);
}

/// The memory table of `net` (its landscape weights and theory).
fn table<'a>(
    alpha: &'a [f32],
    report: &'a TheoryReport,
    names: &'a [String],
    theme: Theme,
) -> MemoryTable<'a> {
    MemoryTable {
        alpha,
        alpha_in_w: true,
        report,
        names,
        offset: 0,
        model: None,
        age: recall::ui::memories::TheoryAge::ClosedForms,
        theme,
    }
}

#[test]
fn memory_table_normal_size() {
    let (net, _) = busy();
    let report = net.theory();
    let names = names();
    let buf = render(
        table(net.landscape_weights(), &report, &names, COLOR),
        48,
        8,
    );
    insta::assert_snapshot!(text(&buf));
}

#[test]
fn memory_table_compact_ascii() {
    let (net, _) = busy();
    let report = net.theory();
    let names = names();
    let buf = render(
        table(net.landscape_weights(), &report, &names, ASCII),
        26,
        6,
    );
    let shown = text(&buf);
    assert!(shown.is_ascii(), "{shown}");
    // Too short for four memories: two rows and what is hidden.
    assert!(shown.contains("+2 more"), "{shown}");
    insta::assert_snapshot!(shown);
}

// ----- what the panels claim -----

/// The cells of the map (inside the border, above the legend line) holding one of `glyphs`.
fn cells_with(buf: &Buffer, glyphs: &[&str]) -> Vec<(u16, u16)> {
    let area = buf.area;
    (1..area.height.saturating_sub(2))
        .flat_map(|y| (1..area.width.saturating_sub(1)).map(move |x| (x, y)))
        .filter(|&(x, y)| glyphs.contains(&buf[(x, y)].symbol()))
        .collect()
}

#[test]
fn marked_wells_sit_where_the_theory_and_the_grid_put_them() {
    // Gain 1, diagonal kept: the theory of model.md §4 is exact, and the wells are the grid's
    // strict minima. α = 2 (cat) and 1.5 (dog): both stable (α*(2) = 1.246).
    let (net, plane) = network(1.0, &[2.0, 1.5, 0.3, 0.0], (0.0, 0.0));
    let (width, height) = (70u16, 34u16);
    // The map of a 70×34 panel (inner 68×32, the key and the legend lines: a 60×30-cell square
    // with room for the corners' names beside it), as the panel places it.
    let coarse = view(&net, &plane, 2, 2);
    let extent = coarse.grid.extent;
    let names = names();
    let map = panel(&coarse, &names, None, MONO)
        .map_in(Rect::new(1, 1, width - 2, height - 2))
        .expect("room for a map");
    let (px_w, px_h) = map.pixels();
    assert_eq!((px_w, px_h), (60, 60));
    // Sample the grid exactly at the map's pixels, so a grid minimum is a pixel.
    let v = view(&net, &plane, px_w, px_h);
    let buf = render(panel(&v, &names, None, MONO), width, height);
    let mut marks = cells_with(&buf, &["◆"]);
    marks.sort();

    // Where the theory puts them: the activations tanh(γ(α)) (g = 1) along each axis memory.
    let (g_cat, g_dog) = (
        gamma(2.0).expect("root").tanh(),
        gamma(1.5).expect("root").tanh(),
    );
    let mut theory: Vec<(u16, u16)> = [(g_cat, 0.0), (-g_cat, 0.0), (0.0, g_dog), (0.0, -g_dog)]
        .into_iter()
        .map(|(a, b)| map.cell_of(a, b).expect("on the map"))
        .collect();
    theory.sort();
    assert_eq!(marks, theory, "marks vs the theory's wells");

    // Where the landscape has them: the strict minima of a fine grid (121 points a side, so
    // that the axes are sampled), drawn at their cells.
    let fine = Grid::sample_activation(&plane, &Terms::of(&net, &plane), 121, 121);
    let step = 2.0 * extent / 120.0;
    let points: Vec<(f64, f64)> = fine
        .minima()
        .into_iter()
        .map(|(c, r)| {
            (
                Grid::coord(c, 121, extent, false),
                Grid::coord(r, 121, extent, true),
            )
        })
        .collect();
    let mut minima: Vec<(u16, u16)> = points
        .iter()
        .map(|&(a, b)| map.cell_of(a, b).expect("on the map"))
        .collect();
    minima.sort();
    assert_eq!(marks, minima, "marks vs the landscape's minima {points:?}");
    // And those minima are the theory's ±tanh γ, within one grid step.
    for (a, b) in points {
        let near = |x: f64, g: f64| (x.abs() - g).abs() <= step;
        assert!(
            (near(a, g_cat) && b.abs() <= step) || (near(b, g_dog) && a.abs() <= step),
            "minimum at ({a:.3}, {b:.3}), γ = {g_cat:.3}, {g_dog:.3}"
        );
    }
    // Each corner of the diamond is named, outside the diamond.
    let shown = text(&buf);
    for label in ["cat", "−cat", "dog", "−dog"] {
        assert!(shown.contains(label), "label {label} missing:\n{shown}");
    }
}

#[test]
fn a_saddle_gets_its_own_mark() {
    // g·α = 3 and 1.2 on the axes: the second equilibrium exists but is a saddle.
    let (net, plane) = network(10.0, &[0.3, 0.12, 0.0, 0.05], (0.1, 0.0));
    let v = view(&net, &plane, 48, 48);
    let names = names();
    let buf = render(panel(&v, &names, None, COLOR), 44, 24);
    assert_eq!(cells_with(&buf, &["◆"]).len(), 2, "{}", text(&buf));
    assert_eq!(cells_with(&buf, &["×"]).len(), 2, "{}", text(&buf));
    assert_eq!(Standing::of(&net.theory(), 1), Standing::Saddle);
}

#[test]
fn the_state_dot_follows_the_state() {
    let names = names();
    let mut seen = Vec::new();
    for a in [-0.2, 0.0, 0.25] {
        let (net, plane) = network(10.0, &[0.3, 0.2, 0.0, 0.0], (a, 0.1));
        let v = view(&net, &plane, 40, 40);
        // The dot is the projection of the activations Ψ(x), inside the diamond.
        let psi: Vec<f64> = net.activation().iter().map(|&p| f64::from(p)).collect();
        let mean = |mu: usize| {
            let m = net.memories().memory(mu);
            psi.iter()
                .zip(m)
                .map(|(p, &s)| p * f64::from(s))
                .sum::<f64>()
                / psi.len() as f64
        };
        // Orthogonal memories: the projection is the pair of overlaps.
        assert!((v.state.0 - mean(v.axes.0)).abs() < 1e-5, "{:?}", v.state);
        assert!((v.state.1 - mean(v.axes.1)).abs() < 1e-5, "{:?}", v.state);
        assert!(v.state.0.abs() + v.state.1.abs() <= 1.0 + 1e-9);
        let buf = render(panel(&v, &names, None, COLOR), 44, 24);
        let dots = cells_with(&buf, &["●"]);
        assert_eq!(dots.len(), 1, "one state dot: {dots:?}");
        seen.push(dots[0]);
    }
    assert!(seen[0].0 < seen[1].0 && seen[1].0 < seen[2].0, "{seen:?}");
}

#[test]
fn the_trail_keeps_the_newest_points_of_one_plane() {
    let (_, v) = busy();
    let mut trail = Trail::new(3);
    for k in 0..5 {
        let mut s = v.clone();
        s.state = (f64::from(k), 0.0);
        trail.record(&s);
    }
    assert_eq!(
        trail.points().collect::<Vec<_>>(),
        [(2.0, 0.0), (3.0, 0.0), (4.0, 0.0)]
    );
    let mut nan = v.clone();
    nan.state = (f64::NAN, 0.0);
    trail.record(&nan);
    assert_eq!(trail.len(), 3, "non-finite points are skipped");
    let mut other = v.clone();
    other.axes = (v.axes.1, v.axes.0);
    trail.record(&other);
    assert_eq!(trail.len(), 1, "a new plane starts a new trail");
    trail.clear();
    assert!(trail.is_empty());
    // The older points are drawn as crumbs, the newest as the dot.
    let names = names();
    let t = trail_to(&v);
    let buf = render(panel(&v, &names, Some(&t), COLOR), 44, 24);
    assert!(!cells_with(&buf, &["·"]).is_empty(), "{}", text(&buf));
}

#[test]
fn hierarchy_and_confusion() {
    let (net, _) = busy();
    let r = net.theory();
    assert_eq!(
        hierarchy(&r),
        [0, 1],
        "cat deeper than dog; fish a saddle, owl absent"
    );
    let (calm, _) = network(10.0, &[0.05, 0.08, 0.02, 0.0], (0.0, 0.0));
    let r = calm.theory();
    assert!(r.confusion);
    let names = names();
    let buf = render(table(calm.landscape_weights(), &r, &names, COLOR), 44, 8);
    assert!(text(&buf).contains("confusion"), "{}", text(&buf));
}

// ----- robustness -----

fn odd_views() -> Vec<View> {
    let (_, v) = busy();
    let mut nan = v.clone();
    nan.grid
        .energy
        .iter_mut()
        .step_by(3)
        .for_each(|e| *e = f64::NAN);
    nan.state = (f64::NAN, f64::INFINITY);
    let mut all_nan = v.clone();
    all_nan.grid.energy.iter_mut().for_each(|e| *e = f64::NAN);
    let mut empty = v.clone();
    empty.grid = Grid {
        cols: 0,
        rows: 0,
        extent: 0.0,
        energy: Vec::new(),
    };
    let mut short = v.clone();
    short.grid.energy.truncate(7);
    let mut flat = v.clone();
    flat.grid.energy.iter_mut().for_each(|e| *e = 1.0);
    flat.grid.extent = f64::NAN;
    let mut single = v.clone();
    single.grid = Grid {
        cols: 1,
        rows: 1,
        extent: 1e300,
        energy: vec![-1e308],
    };
    single.wells.push(Well {
        memory: 99,
        sign: -1,
        at: (f64::NEG_INFINITY, f64::NAN),
        stable: true,
        energy: f64::NAN,
    });
    vec![v, nan, all_nan, empty, short, flat, single]
}

#[test]
fn no_size_or_value_makes_a_panel_panic() {
    let names = names();
    let few: Vec<String> = vec!["only".into()];
    let (net, _) = busy();
    let mut report: TheoryReport = net.theory();
    report.memories[1].depth_per_neuron = Some(f64::NAN);
    report.alpha_star = f64::INFINITY;
    let views = odd_views();
    let trail = trail_to(&views[0]);
    for width in (0..50).step_by(3) {
        for height in (0..30).step_by(2) {
            for theme in [COLOR, MONO, ASCII] {
                for v in &views {
                    for n in [&names, &few] {
                        render(panel(v, n, Some(&trail), theme), width, height);
                    }
                }
                render(
                    table(&[f32::NAN, 1e30], &report, &few, theme),
                    width,
                    height,
                );
                render(
                    table(net.landscape_weights(), &report, &names, theme),
                    width,
                    height,
                );
            }
        }
    }
    // A panel drawn into an area only partly inside the buffer.
    let mut buf = Buffer::empty(Rect::new(0, 0, 10, 5));
    panel(&views[0], &names, None, COLOR).render(Rect::new(5, 2, 40, 20), &mut buf);
}

/// The heat level drawn at plane point (a, b) of a colour panel `buf` with map `map`: the
/// background of its cell (the lower pixel), which a mark drawn there keeps.
fn level_at(buf: &Buffer, map: &MapGeometry, a: f64, b: f64) -> u8 {
    let (x, y) = map.cell_of(a, b).expect("on the map");
    let cell = &buf[(x, y)];
    (0..10u8)
        .find(|&l| COLOR.heat(Some(l)) == cell.bg || COLOR.heat(Some(l)) == cell.fg)
        .unwrap_or_else(|| panic!("no heat colour at ({a}, {b}): {cell:?}"))
}

#[test]
fn wells_are_dark_and_the_origin_is_bright_in_colour() {
    // Gain 1: the origin is a maximum (both α > 1) and the wells are the lowest points.
    let (net, plane) = network(1.0, &[2.0, 1.5, 0.3, 0.0], (0.0, 0.0));
    let v = view(&net, &plane, 60, 60);
    let names = names();
    let buf = render(panel(&v, &names, None, COLOR), 62, 34);
    let map = panel(&v, &names, None, COLOR)
        .map_in(Rect::new(1, 1, 60, 32))
        .expect("map");
    let g = gamma(2.0).expect("root").tanh();
    let well = level_at(&buf, &map, g, 0.0);
    let origin = level_at(&buf, &map, 0.0, 0.0);
    assert!(well <= 1, "the deepest well is dark: level {well}");
    assert!(origin > well + 3, "origin {origin} vs well {well}");
    // Outside the diamond no state has those activations: the cells are blank.
    let (x, y) = map.cell_of(0.9, 0.9).expect("on the map");
    assert_eq!(buf[(x, y)].symbol(), " ");
}

#[test]
fn on_the_builtin_set_deeper_wells_are_drawn_darker() {
    // The dashboard's regime (g = 10, zero diagonal, the built-in pictures, which overlap a
    // little), with inputs that make two memories salient by different amounts.
    let mem = Arc::new(recall::patterns::builtin());
    let names = mem.names().to_vec();
    let cases: [(&[(&str, f32)], &str); 4] = [
        (&[("sun", 0.45), ("tree", 0.17)], "sun over tree"),
        (&[("cat", 0.3), ("dog", 0.12)], "cat over dog"),
        (&[("house", 0.15), ("key", 0.4)], "key over house"),
        (
            &[("fish", 0.25), ("star", 0.2), ("heart", 0.05)],
            "fish over star",
        ),
    ];
    for (mix, what) in cases {
        let mut coef = vec![0.0f32; mem.p()];
        for &(name, c) in mix {
            coef[mem.index_of(name).expect("a built-in memory")] = c;
        }
        let u: Vec<f32> = (0..mem.n())
            .map(|i| (0..mem.p()).map(|mu| coef[mu] * mem.memory(mu)[i]).sum())
            .collect();
        let params = Params {
            noise_std: 0.0,
            ..Params::default()
        };
        let mut net = Network::new(mem.clone(), ModelKind::Idp, params, 1).expect("params");
        net.set_input(&u, true).expect("input");
        let v = LandscapeCache::default()
            .view(&net, None)
            .expect("two memories");
        let buf = render(panel(&v, &names, None, COLOR), 62, 34);
        let map = panel(&v, &names, None, COLOR)
            .map_in(Rect::new(1, 1, 60, 32))
            .expect("map");
        // The theory's order of the two wells on the plane, deepest first.
        let report = net.theory();
        let order: Vec<usize> = hierarchy(&report)
            .into_iter()
            .filter(|&mu| mu == v.axes.0 || mu == v.axes.1)
            .collect();
        assert_eq!(order.len(), 2, "{what}: both axes are wells: {order:?}");
        let level = |mu: usize| {
            let well = v
                .wells
                .iter()
                .find(|w| w.memory == mu && w.sign > 0)
                .expect("a well on each axis");
            level_at(&buf, &map, well.at.0, well.at.1)
        };
        let (deep, shallow) = (level(order[0]), level(order[1]));
        assert!(
            deep < shallow,
            "{what}: {} (level {deep}) is drawn no darker than {} (level {shallow})",
            names[order[0]],
            names[order[1]]
        );
        // Both are darker than the origin, the top of the landscape between them.
        assert!(shallow < level_at(&buf, &map, 0.0, 0.0), "{what}");
    }
}

#[test]
fn the_colour_scale_holds_while_the_plane_does() {
    let (_, mut v) = busy();
    v.plane = 1;
    let mut scale = HeatScale::default();
    scale.follow(&v);
    let fitted = scale;
    assert_eq!(fitted.plane, Some(1));
    assert!(fitted.lo <= v.grid.energy.iter().copied().fold(f64::INFINITY, f64::min));
    // The same plane, a shallower landscape (the input moved on): the scale stays, so the
    // same energy keeps its colour.
    let mut shallower = v.clone();
    shallower.grid.energy.iter_mut().for_each(|e| *e *= 0.6);
    scale.follow(&shallower);
    assert_eq!(scale, fitted);
    // Much deeper than the scale: refitted (by more than a level: hysteresis).
    let mut deeper = v.clone();
    deeper.grid.energy.iter_mut().for_each(|e| *e *= 3.0);
    scale.follow(&deeper);
    assert!(scale.lo < fitted.lo, "{scale:?}");
    // A new plane: refitted.
    let mut other = v.clone();
    other.plane = 2;
    scale.follow(&other);
    assert_eq!(scale, HeatScale::fit(&other));
    // The key shows the scale's E/N values.
    let names = names();
    let buf = render(
        LandscapePanel {
            view: &other,
            names: &names,
            trail: None,
            scale: Some(&scale),
            model: Some("idp"),
            theme: COLOR,
        },
        44,
        26,
    );
    let shown = text(&buf);
    assert!(shown.contains("E/N "), "{shown}");
    assert!(shown.contains("idp: "), "{shown}");
}

#[test]
fn labels_are_never_covered_by_the_state() {
    // The state sits on a corner (the memory retrieved): the corner's label is still whole.
    for a in [1.0, -1.0] {
        let (_, mut v) = busy();
        v.state = (a, 0.0);
        let names = names();
        let trail = trail_to(&v);
        let buf = render(panel(&v, &names, Some(&trail), COLOR), 44, 26);
        let shown = text(&buf);
        let label = if a > 0.0 { "cat" } else { "−cat" };
        assert!(shown.contains(label), "{label}:\n{shown}");
        assert_eq!(cells_with(&buf, &["●"]).len(), 1, "{shown}");
    }
}

#[test]
fn a_classic_networks_table_shows_no_thresholds_of_alpha_and_equal_wells_share_a_rank() {
    // Discrete Hopfield: W = ΞΞᵀ/N weighs every memory 1, whatever the input, so its four
    // orthogonal memories are wells of one depth. The bars are the input's saliencies.
    let mem = memories();
    let mut net = Network::new(mem.clone(), ModelKind::Discrete, Params::default(), 1).unwrap();
    net.set_input(&input(&mem, &[0.1, 0.9, 0.3, 0.2]), true)
        .unwrap();
    let report = net.theory();
    let names = names();
    let mut t = table(net.saliencies(), &report, &names, COLOR);
    t.alpha_in_w = false;
    let shown = text(&render(t, 72, 8));
    assert!(
        shown.contains("W = ΞΞᵀ/N weighs each memory 1: α (the input's) is not in W"),
        "{shown}"
    );
    assert!(!shown.contains("1/g"), "{shown}");
    assert!(!shown.contains('┃'), "a threshold tick on a bar:\n{shown}");
    for name in ["cat", "dog", "owl", "fish"] {
        let row = shown.lines().find(|l| l.contains(name)).unwrap();
        assert!(row.contains("◆ well") && row.contains("#1"), "{shown}");
    }
}

#[test]
fn where_a_memory_slides_to_is_named_whole() {
    // Memories stored from drawings are "drawn-1", "drawn-2", …: cut to six characters, every
    // row said "→drawn-".
    let (net, _) = busy();
    let mut report = net.theory();
    let names: Vec<String> = (1..=4).map(|k| format!("drawn-{k}")).collect();
    for m in &mut report.memories {
        m.exists = false;
    }
    report.memories[0].slides_to = Some(1);
    report.memories[2].slides_to = Some(3);
    let shown = text(&render(
        table(net.landscape_weights(), &report, &names, COLOR),
        60,
        8,
    ));
    assert!(
        shown.contains("→drawn-2") && shown.contains("→drawn-4"),
        "{shown}"
    );
}

#[test]
fn a_modern_plane_with_no_blank_cell_still_names_its_corners() {
    // A modern network's plane is energy to its edges: no blank cell outside a diamond for the
    // corners' names, which then go on the map, off the wells' marks and the state.
    let mem = memories();
    let mut net = Network::new(mem.clone(), ModelKind::Modern, Params::default(), 1).unwrap();
    net.set_input(&input(&mem, &[0.3, 0.2, 0.05, 0.12]), true)
        .unwrap();
    let x: Vec<f32> = mem.memory(0).to_vec();
    net.set_state(&x).unwrap();
    let plane = Plane::new(&mem, 0, 1);
    let v = view(&net, &plane, 48, 48);
    let names = names();
    let buf = render(panel(&v, &names, None, COLOR), 44, 26);
    let shown = text(&buf);
    let map = panel(&v, &names, None, COLOR)
        .map_in(Rect::new(1, 1, 42, 24))
        .unwrap();
    let blank = (map.rect.top()..map.rect.bottom())
        .flat_map(|y| (map.rect.left()..map.rect.right()).map(move |x| (x, y)))
        .filter(|&(x, y)| buf[(x, y)].symbol() == " ")
        .count();
    assert_eq!(
        blank, 0,
        "the plane has blank cells, so it tests nothing:\n{shown}"
    );
    // (Below the title, which names the plane's memories.)
    let below: String = shown.lines().skip(1).collect::<Vec<_>>().join("\n");
    for label in ["−cat", "−dog"] {
        assert!(below.contains(label), "label {label} missing:\n{shown}");
    }
    // "cat" and "dog" on their own too, not only inside "−cat" and "−dog".
    for label in ["cat", "dog"] {
        let alone = below.matches(label).count() > below.matches(&format!("−{label}")).count();
        assert!(alone, "label {label} missing:\n{shown}");
    }
    // The state keeps its dot (at cat's corner, beside its name), and wells their marks.
    assert_eq!(cells_with(&buf, &["●"]).len(), 1, "{shown}");
    let mut v = v;
    v.wells = vec![Well {
        memory: 1,
        sign: 1,
        at: (0.0, 1.0),
        stable: true,
        energy: -0.5,
    }];
    let shown = text(&render(panel(&v, &names, None, COLOR), 44, 26));
    let row = shown.lines().find(|l| l.contains('◆')).unwrap_or_default();
    assert!(row.contains("dog"), "{shown}");
}

#[test]
fn a_saliency_that_rounds_to_zero_has_no_minus_sign() {
    // The explore input's rounding leaves α of −1e−4 on the memories set to 0: the table read
    // "−0.00" for them.
    let (net, _) = busy();
    let report = net.theory();
    let names = names();
    let alpha = [0.3f32, -1e-4, -0.006, 0.0];
    let shown = text(&render(table(&alpha, &report, &names, COLOR), 48, 8));
    let dog = shown.lines().find(|l| l.contains("dog")).unwrap();
    assert!(dog.contains(" 0.00 ") && !dog.contains("−0.00 "), "{shown}");
    assert!(
        shown.contains("−0.01"),
        "a value that does not round to 0 keeps it:\n{shown}"
    );
}
