//! The two-neuron networks' wells, the grid solve against the closed forms (IDP at Fig. 4a,
//! idp-modern always), and the closed form's integral over the cells.

use super::*;

const FIG4A: [f64; 2] = [1.5, 1.5];
const FIG4B: [f64; 2] = [1.5, 2.25];

#[test]
fn the_figure_s_weights_and_wells() {
    let a = TwoNeuron::new(FIG4A, 1.0);
    assert_eq!(a.w, [[1.5, 0.0], [0.0, 1.5]]);
    assert!(a.is_gradient());
    let b = TwoNeuron::new(FIG4B, 1.0);
    assert_eq!(b.w, [[1.875, -0.375], [-0.375, 1.875]]);
    assert!(!b.is_gradient());
    // γ = α tanh γ: 1.287839 (α = 3/2), 2.194 9 (α = 9/4); four stable wells in both.
    for (model, gammas) in [(a, [1.287839, 1.287839]), (b, [1.287839, 2.19486])] {
        let wells = model.stable_wells();
        assert_eq!(wells.len(), 4, "{wells:?}");
        for w in &wells {
            let g = gammas[w.memory];
            let want = [w.sign * g * XI[w.memory][0], w.sign * g * XI[w.memory][1]];
            assert!(
                (w.x[0] - want[0]).abs() < 2e-5 && (w.x[1] - want[1]).abs() < 2e-5,
                "{w:?} against {want:?}"
            );
        }
    }
    // Below the existence threshold only the origin.
    let none = TwoNeuron::new([0.8, 0.9], 1.0).stable_wells();
    assert_eq!(none.len(), 1);
    assert_eq!(none[0].name(), "origin");
    assert!(none[0].x[0].abs() < 1e-9 && none[0].x[1].abs() < 1e-9);
}

/// Case (a): the grid solve against the closed form (issue 29's acceptance numbers).
#[test]
fn the_grid_solve_matches_the_closed_form_in_the_gradient_case() {
    let model = TwoNeuron::new(FIG4A, 1.0);
    let sigma = 0.8;
    let grid = Grid::for_model(&model, sigma, 81).unwrap();
    let p = solve_stationary(&model, sigma, &grid).unwrap();
    let q = closed_form(&model, sigma, &grid).unwrap().unwrap();
    let tv = total_variation(&p, &q);
    assert!(tv < 0.01, "TV {tv}");
    assert!(p.iter().all(|&v| v >= 0.0));
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let n = grid.cells;
    for j in 0..n {
        for i in 0..n {
            let (k, m) = (j * n + i, (n - 1 - j) * n + (n - 1 - i));
            assert!(
                (p[k] - p[m]).abs() <= 1e-9 * p[k].max(1e-12),
                "not symmetric at ({i}, {j}): {} against {}",
                p[k],
                p[m]
            );
        }
    }
    // Finer grids get closer (the scheme converges; a broken flux would not).
    let fine = Grid::for_model(&model, sigma, 161).unwrap();
    let tv_fine = total_variation(
        &solve_stationary(&model, sigma, &fine).unwrap(),
        &closed_form(&model, sigma, &fine).unwrap().unwrap(),
    );
    eprintln!("fig4a σ {sigma}: TV {tv:.2e} at 81², {tv_fine:.2e} at 161²");
    assert!(tv_fine < tv / 2.0, "TV {tv} at 81², {tv_fine} at 161²");
}

/// At low noise the wells exchange mass exponentially slowly (rates of e⁻⁵⁰ beside rates of
/// order one at σ = 0.2), and the split between them must still be the one the drift's x → −x
/// symmetry gives: mirror cells equal, and at Fig. 4a's equal α the four wells alike.
/// A banded LU of the same balances gave the mirror wells of Fig. 4b 0.35 and 0.65 at σ = 0.2.
#[test]
fn the_split_between_wells_is_exact_at_low_noise() {
    for (alphas, sigmas) in [(FIG4A, [0.2, 0.3]), (FIG4B, [0.2, 0.3])] {
        let model = TwoNeuron::new(alphas, 1.0);
        let wells = model.stable_wells();
        assert_eq!(wells.len(), 4);
        for sigma in sigmas {
            let grid = Grid::for_model(&model, sigma, 81).unwrap();
            let p = solve_stationary(&model, sigma, &grid).unwrap();
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            let n = grid.cells;
            let big = p.iter().fold(0.0f64, |m, &v| m.max(v));
            for k in 0..n * n {
                let m = n * n - 1 - k;
                assert!(
                    (p[k] - p[m]).abs() <= 1e-9 * p[k].max(p[m]) + 1e-300 * big,
                    "{alphas:?} σ {sigma}: cell {k} {} against its mirror {}",
                    p[k],
                    p[m]
                );
            }
            if alphas == FIG4A {
                // W is diagonal there: x₂ → −x₂, which swaps ξ1 and ξ2, is a symmetry too, so
                // the four wells hold a quarter each.
                for j in 0..n {
                    for i in 0..n {
                        let (k, m) = (j * n + i, (n - 1 - j) * n + i);
                        assert!(
                            (p[k] - p[m]).abs() <= 1e-9 * p[k].max(p[m]) + 1e-300 * big,
                            "σ {sigma}: cell ({i}, {j}) {} against ({i}, {}) {}",
                            p[k],
                            n - 1 - j,
                            p[m]
                        );
                    }
                }
                let near =
                    |x: [f64; 2]| -> f64 { cells_near(&grid, x, 0.6).iter().map(|&c| p[c]).sum() };
                let masses: Vec<f64> = wells.iter().map(|w| near(w.x)).collect();
                assert!(
                    masses
                        .iter()
                        .all(|m| (m - masses[0]).abs() < 1e-9 * masses[0]),
                    "σ {sigma}: {masses:?}"
                );
            }
        }
    }
}

/// Case (b): no closed form; the dominant memory's wells hold most of the mass, more at
/// lower noise, and the density carries the x → −x symmetry of the drift.
#[test]
fn the_dominant_memory_absorbs_the_mass_as_noise_falls() {
    let model = TwoNeuron::new(FIG4B, 1.0);
    assert!(
        closed_form(&model, 0.8, &Grid::new(41, 4.0).unwrap())
            .unwrap()
            .is_none()
    );
    let wells = model.stable_wells();
    let mut last = 0.0;
    for sigma in [1.2, 0.8, 0.6] {
        let grid = Grid::for_model(&model, sigma, 81).unwrap();
        let p = solve_stationary(&model, sigma, &grid).unwrap();
        assert!(p.iter().all(|&v| v >= 0.0));
        let basin = basins(&model, &wells, &grid);
        let dominant: f64 = p
            .iter()
            .zip(&basin)
            .filter(|(_, b)| b.is_some_and(|k| wells[k].memory == 1))
            .map(|(v, _)| v)
            .sum();
        assert!(dominant > 0.5 && dominant > last, "σ {sigma}: {dominant}");
        last = dominant;
    }
}

/// idp-modern's drift is −∇E_β (central differences), its wells are real rest points near
/// α_μξ_μ (no mirror wells), the deeper one the larger α's, and a low β leaves one mixture.
#[test]
fn the_modern_pair_is_the_gradient_flow_of_its_energy_and_has_its_own_wells() {
    let model = TwoNeuron::modern(FIG4B, 2.0);
    assert!(model.is_gradient());
    let e = |x: [f64; 2]| model.potential(x).expect("E_β");
    let h = 1e-5;
    for x in [
        [0.3, -0.7],
        [1.5, 1.4],
        [2.0, -2.5],
        [-3.0, 0.5],
        [40.0, -35.0],
    ] {
        let f = model.drift(x);
        let grad = [
            (e([x[0] + h, x[1]]) - e([x[0] - h, x[1]])) / (2.0 * h),
            (e([x[0], x[1] + h]) - e([x[0], x[1] - h])) / (2.0 * h),
        ];
        for i in 0..2 {
            assert!(
                (f[i] + grad[i]).abs() < 1e-6 * (1.0 + x[0].abs() + x[1].abs()),
                "at {x:?}: f {f:?}, ∇E {grad:?}"
            );
        }
    }
    let wells = model.stable_wells();
    let names: Vec<String> = wells.iter().map(Well::name).collect();
    assert_eq!(names, ["+ξ1", "+ξ2"], "{wells:?}");
    for w in &wells {
        let f = model.drift(w.x);
        assert!(f[0].hypot(f[1]) < 1e-10, "{w:?}: f = {f:?}");
        let a = FIG4B[w.memory];
        let want = [a * XI[w.memory][0], a * XI[w.memory][1]];
        assert!(
            (w.x[0] - want[0]).hypot(w.x[1] - want[1]) < 0.01 * a,
            "{w:?}"
        );
        // Not IDP's ±γξ (γ = 1.288, 2.195).
        assert!((w.x[0].abs() - [1.287839, 2.19486][w.memory]).abs() > 0.05);
    }
    assert!(
        e(wells[1].x) < e(wells[0].x) - 2.0,
        "ξ2's well is the deeper"
    );
    let soft = TwoNeuron::modern([1.5, 1.5], 0.2).stable_wells();
    assert_eq!(soft.len(), 1, "{soft:?}");
    assert_eq!(soft[0].name(), "mixture");
    // The energy is finite far out, at any β (the log-sum is taken with its top outside).
    let sharp = TwoNeuron::modern(FIG4B, 100.0);
    assert!(sharp.potential([1e3, -1e3]).is_some_and(f64::is_finite));
}

/// The grid solve does not know that idp-modern's drift is a gradient: it must find the
/// closed form exp(−2E_β/σ²) (integrated over the cells) to the grid's accuracy, which is
/// second order in the cell's side h: TV 1.5–2.0·10⁻³ at 81² (h = 0.13–0.15), four times
/// less at 161²; every mass near a well or in a basin within 1.8·10⁻³. The test asks for a
/// TV under 5·10⁻³, masses within 3·10⁻³, and the finer grid three times closer. A wrong
/// density is far: exp(−E_β/σ²) (TV 0.23–0.27), or β = 1 for β = 2 where both wells hold
/// mass (TV 0.08–0.16; at Fig. 4b's α the softmax is saturated in the one well that holds
/// the mass, and β = 1 is only 0.007 away).
#[test]
fn the_grid_solve_finds_the_modern_closed_form() {
    for (alphas, sigma, beta_matters) in [
        ([1.5, 1.5], 0.8, true),
        ([1.5, 1.75], 1.0, true),
        (FIG4B, 0.8, false),
    ] {
        let model = TwoNeuron::modern(alphas, 2.0);
        let grid = Grid::for_model(&model, sigma, 81).unwrap();
        let p = solve_stationary(&model, sigma, &grid).unwrap();
        let q = closed_form(&model, sigma, &grid).unwrap().unwrap();
        let tv = total_variation(&p, &q);
        let fine = Grid::for_model(&model, sigma, 161).unwrap();
        let tv_fine = total_variation(
            &solve_stationary(&model, sigma, &fine).unwrap(),
            &closed_form(&model, sigma, &fine).unwrap().unwrap(),
        );
        let halved = closed_form(&model, sigma * std::f64::consts::SQRT_2, &grid)
            .unwrap()
            .unwrap();
        let other_beta = closed_form(&TwoNeuron::modern(alphas, 1.0), sigma, &grid)
            .unwrap()
            .unwrap();
        let (tv_half, tv_beta) = (
            total_variation(&p, &halved),
            total_variation(&p, &other_beta),
        );
        // The masses the live view and the experiment quote: near each well, in its basin.
        let wells = model.stable_wells();
        let basin = basins(&model, &wells, &grid);
        let mass_error = (0..wells.len())
            .flat_map(|k| {
                let near = cells_near(&grid, wells[k].x, 0.6);
                let in_near = |d: &[f64]| near.iter().map(|&c| d[c]).sum::<f64>();
                let in_basin = |d: &[f64]| {
                    d.iter()
                        .zip(&basin)
                        .filter(|(_, b)| **b == Some(k))
                        .map(|(v, _)| v)
                        .sum::<f64>()
                };
                [
                    (in_near(&p) - in_near(&q)).abs(),
                    (in_basin(&p) - in_basin(&q)).abs(),
                ]
            })
            .fold(0.0, f64::max);
        eprintln!(
            "α {alphas:?} σ {sigma}: TV {tv:.2e} (161²: {tv_fine:.2e}), largest mass error \
             {mass_error:.1e}; exp(−E/σ²) {tv_half:.3}, β 1 {tv_beta:.4}"
        );
        assert!(tv < 5e-3, "TV {tv}");
        assert!(mass_error < 3e-3, "a mass off by {mass_error}");
        assert!(tv_fine < tv / 3.0, "TV {tv} at 81², {tv_fine} at 161²");
        assert!(tv_half > 0.1, "exp(−E/σ²): TV {tv_half}");
        if beta_matters {
            assert!(tv_beta > 0.01, "β 1: TV {tv_beta}");
        }
    }
}

/// A cell's probability is the density's integral over the cell (the particles are counted
/// by cell): idp-modern at Fig. 4b's α, σ = 0.8 has 0.43835 of its mass within 0.6 of the
/// ξ2 well by a 21 × 21 midpoint rule in every cell, and the closed form must give that to
/// 2·10⁻⁴ (its value at the cells' centres gave 0.4402).
#[test]
fn the_closed_form_is_integrated_over_each_cell() {
    let model = TwoNeuron::modern(FIG4B, 2.0);
    let sigma = 0.8;
    let grid = Grid::for_model(&model, sigma, 81).unwrap();
    let q = closed_form(&model, sigma, &grid).unwrap().unwrap();
    let fine = 21;
    let h = grid.step();
    let e = |x: [f64; 2]| model.potential(x).unwrap();
    let least = e([2.25, -2.25]) - 1e-3;
    let mut reference: Vec<f64> = (0..grid.len())
        .map(|k| {
            let c = grid.point(k);
            let mut sum = 0.0;
            for a in 0..fine {
                for b in 0..fine {
                    let d = |t: usize| ((t as f64 + 0.5) / fine as f64 - 0.5) * h;
                    sum += (-2.0 * (e([c[0] + d(a), c[1] + d(b)]) - least) / (sigma * sigma)).exp();
                }
            }
            sum
        })
        .collect();
    let total: f64 = reference.iter().sum();
    reference.iter_mut().for_each(|v| *v /= total);
    let near = cells_near(&grid, [2.25, -2.25], 0.6);
    let mass = |d: &[f64]| near.iter().map(|&c| d[c]).sum::<f64>();
    assert!(
        (mass(&reference) - 0.43835).abs() < 1e-4,
        "{}",
        mass(&reference)
    );
    assert!(
        (mass(&q) - mass(&reference)).abs() < 2e-4,
        "closed form {} against the integral {}",
        mass(&q),
        mass(&reference)
    );
    assert!(total_variation(&q, &reference) < 1e-3);
}

#[test]
fn bad_sizes_and_noise_are_errors() {
    let model = TwoNeuron::new(FIG4A, 1.0);
    assert_eq!(Grid::new(5, 3.0), Err(DensityError::Cells(5)));
    assert_eq!(Grid::new(1000, 3.0), Err(DensityError::Cells(1000)));
    assert!(Grid::new(41, f64::NAN).is_err());
    let grid = Grid::new(41, 4.0).unwrap();
    for s in [0.0, -1.0, f64::NAN, 50.0] {
        assert!(solve_stationary(&model, s, &grid).is_err(), "σ {s}");
    }
}

#[test]
fn the_bernoulli_function_is_smooth_at_zero_and_finite_far_out() {
    assert_eq!(bernoulli(0.0), 1.0);
    assert!((bernoulli(1e-9) - (1.0 - 0.5e-9)).abs() < 1e-15);
    assert!((bernoulli(1e-3) - 1e-3 / (1e-3f64).exp_m1()).abs() < 1e-15);
    assert_eq!(bernoulli(800.0), 0.0);
    assert_eq!(bernoulli(-800.0), 800.0);
}

/// A mass a solve left at −1e-17 (or −0) printed as "-0.000" in the table and the lesson.
#[test]
fn a_mass_is_shown_without_a_minus_sign_at_zero() {
    for v in [-1e-17, -0.0, 0.0] {
        assert_eq!(format!("{:.3}", shown_mass(v)), "0.000", "{v}");
    }
    assert_eq!(shown_mass(0.25), 0.25);
    assert!(
        shown_mass(f64::NAN).is_nan(),
        "a degenerate solve is not shown as 0"
    );
}
