"""The same O(N·P) IDP step in NumPy, for comparison with `cargo bench --bench step`.

Run with one BLAS thread, as the Rust step is single-threaded:
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python3 benches/numpy_step.py
Prints the best of 7 batches per case, in float32 and float64.
"""
import os, time
import numpy as np

def bench(N, P, dtype, steps):
    rng = np.random.default_rng(7)
    Xi = np.where(rng.random((N, P)) < 0.5, -1.0, 1.0).astype(dtype)
    u = (2.0 * Xi[:, 0]).astype(dtype)
    alpha = (Xi.T @ u) / N
    delta = alpha.sum() / N
    x = rng.standard_normal(N).astype(dtype)
    psi = np.tanh(10 * x)
    d = Xi.T @ psi
    dt, kick, g = dtype(0.01), dtype(2.0 * 0.1), dtype(10.0)
    best = 1e9
    for _ in range(7):
        t = time.perf_counter()
        for _ in range(steps):
            h = Xi @ (alpha * d / N)
            x += dt * (-x + h - delta * psi) + kick * rng.standard_normal(N, dtype=dtype)
            psi = np.tanh(g * x)
            d = Xi.T @ psi
        best = min(best, (time.perf_counter() - t) / steps)
    return best

print("numpy", np.__version__, "threads", os.environ.get("OPENBLAS_NUM_THREADS"))
for N, P, steps in [(1024, 10, 20000), (4096, 64, 3000)]:
    for dt in [np.float32, np.float64]:
        b = bench(N, P, dt, steps)
        print(f"N={N} P={P} {dt.__name__}: {b*1e6:.1f} us/step, {1/b:.0f} steps/s")
