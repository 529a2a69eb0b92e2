#!/usr/bin/env python3
"""The mean and the fastest sample of each criterion benchmark, from target/criterion.

    cargo bench --bench step && python3 benches/fastest.py [FILTER]

With the filter `floor` it also adds up the step's floor (its parts timed alone, benches/step.rs
`floor/...`) for each size and sets the IDP step beside it, with and without noise.

Criterion's estimate is a mean over its samples. On a shared machine (a VM whose cores other
guests use) the samples of one run spread by 40% and more while the code stays the same; the
fastest sample says what this code does when it has the core to itself. Both are printed.
"""
import json
import os
import sys


def main():
    root = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "criterion")
    wanted = sys.argv[1] if len(sys.argv) > 1 else ""
    rows = []
    for dirpath, _, files in os.walk(root):
        if not dirpath.endswith(os.path.join("", "new")) or "sample.json" not in files:
            continue
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            name = json.load(f)["full_id"]
        if wanted not in name:
            continue
        with open(os.path.join(dirpath, "sample.json")) as f:
            sample = json.load(f)
        with open(os.path.join(dirpath, "estimates.json")) as f:
            mean = json.load(f)["mean"]["point_estimate"]
        per_iter = [t / i for t, i in zip(sample["times"], sample["iters"])]
        rows.append((name, mean, min(per_iter)))
    if not rows:
        what = f" matching {wanted!r}" if wanted else ""
        sys.exit(f"no criterion results{what} under {root} (run cargo bench first)")
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':{width}}  {'mean':>11}  {'fastest':>11}")
    for name, mean, fastest in sorted(rows):
        print(f"{name:{width}}  {fmt(mean):>11}  {fmt(fastest):>11}")
    if wanted == "floor":
        floor(root)


def floor(root):
    """The floor of one IDP step (the sum of its parts' means, and of their fastest samples)
    beside the step itself, at each size the floor was measured at."""
    found = {}
    for dirpath, _, files in os.walk(root):
        if not dirpath.endswith(os.path.join("", "new")) or "sample.json" not in files:
            continue
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            name = json.load(f)["full_id"]
        with open(os.path.join(dirpath, "sample.json")) as f:
            sample = json.load(f)
        with open(os.path.join(dirpath, "estimates.json")) as f:
            mean = json.load(f)["mean"]["point_estimate"]
        fastest = min(t / i for t, i in zip(sample["times"], sample["iters"]))
        found[name] = (mean, fastest)
    sizes = sorted({n.split("/", 2)[2] for n in found if n.startswith("floor/")})
    print()
    print("step against its floor (mean / fastest):")
    for size in sizes:
        parts = {k: found.get(f"floor/{k}/{size}") for k in ("products", "update", "noise")}
        if None in parts.values():
            continue
        for label, keys, step in (
            ("noise-free", ("products", "update"), f"step/idp-noise-free/{size}"),
            ("σ = 2", ("products", "update", "noise"), f"step/idp/{size}"),
        ):
            if step not in found:
                continue
            bound = [sum(parts[k][i] for k in keys) for i in (0, 1)]
            cost = found[step]
            print(
                f"  {size} {label}: floor {fmt(bound[0])} / {fmt(bound[1])}, "
                f"step {fmt(cost[0])} / {fmt(cost[1])}, "
                f"step ÷ floor {cost[0] / bound[0]:.2f} / {cost[1] / bound[1]:.2f}"
            )


def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


if __name__ == "__main__":
    main()
