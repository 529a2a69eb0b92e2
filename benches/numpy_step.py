"""The same O(N·P) IDP step in NumPy, for comparison with `cargo bench --bench step`.

Run with one BLAS thread, as the Rust step is single-threaded:
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python3 benches/numpy_step.py
prints the best of 7 batches per case, in float32 and float64 (the steps alone).

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python3 benches/numpy_step.py --whole STEPS_BIN
times whole processes, start to exit, as a user sees them: this script run afresh for each case
(interpreter, NumPy import, set-up and the steps) against `STEPS_BIN`, recall's
`examples/steps` (`cargo build --release --example steps`; the binary is then
target/release/examples/steps), which builds the same network and runs the same number of steps.
"""
import os, subprocess, sys, time
import numpy as np

CASES = [(1024, 10, 20000), (4096, 64, 3000)]
WHOLE_STEPS = {1024: 200000, 4096: 20000}


def setup(N, P, dtype):
    rng = np.random.default_rng(7)
    Xi = np.where(rng.random((N, P)) < 0.5, -1.0, 1.0).astype(dtype)
    u = (2.0 * Xi[:, 0]).astype(dtype)
    alpha = (Xi.T @ u) / N
    delta = alpha.sum() / N
    x = rng.standard_normal(N).astype(dtype)
    psi = np.tanh(10 * x)
    d = Xi.T @ psi
    return rng, Xi, alpha, delta, x, psi, d


def run(state, dtype, steps):
    rng, Xi, alpha, delta, x, psi, d = state
    N = Xi.shape[0]
    dt, kick, g = dtype(0.01), dtype(2.0 * 0.1), dtype(10.0)
    for _ in range(steps):
        h = Xi @ (alpha * d / N)
        x += dt * (-x + h - delta * psi) + kick * rng.standard_normal(N, dtype=dtype)
        psi = np.tanh(g * x)
        d = Xi.T @ psi
    return x


def bench(N, P, dtype, steps):
    state = setup(N, P, dtype)
    best = 1e9
    for _ in range(7):
        t = time.perf_counter()
        run(state, dtype, steps)
        best = min(best, (time.perf_counter() - t) / steps)
    return best


def wall(cmd):
    t = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - t, out.strip()


def whole(steps_bin):
    print("numpy", np.__version__, "threads", os.environ.get("OPENBLAS_NUM_THREADS"),
          "- whole processes, start to exit")
    for N, P, _ in CASES:
        steps = WHOLE_STEPS[N]
        side = int(round(N ** 0.5))
        rust, _ = wall([steps_bin, "idp", str(side), str(P), "2", str(steps)])
        print(f"N={N} P={P}, {steps} steps: recall {rust:.2f} s", end="")
        for dt in [np.float32, np.float64]:
            py, _ = wall([sys.executable, __file__, "--child", str(N), str(P), dt.__name__,
                          str(steps)])
            print(f", numpy {dt.__name__} {py:.2f} s ({py / rust:.1f}x)", end="")
        print()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        N, P, dtype, steps = int(sys.argv[2]), int(sys.argv[3]), getattr(np, sys.argv[4]), int(sys.argv[5])
        run(setup(N, P, dtype), dtype, steps)
    elif sys.argv[1:2] == ["--whole"]:
        whole(sys.argv[2])
    else:
        print("numpy", np.__version__, "threads", os.environ.get("OPENBLAS_NUM_THREADS"))
        for N, P, steps in CASES:
            for dt in [np.float32, np.float64]:
                b = bench(N, P, dt, steps)
                print(f"N={N} P={P} {dt.__name__}: {b*1e6:.1f} us/step, {1/b:.0f} steps/s")
