"""Speed and memory of the compact representation (run: ``python benchmarks/bench_dynamics.py``).

Prints
1. width 10^6 in bounded memory: streamed set-up, a descent run, peak resident memory;
2. per-step cost of compact descent at h = 500 and h = 100,000 (same D, n, m), and their ratio;
3. one run of experiment B at h = 10,000 (and 500): wall time, steps, ||Theta - Theta_hat||_F,
   against the paper's ~0.8 (h = 500) and ~0.2 (h = 10^4) (0.76 and 0.18 for one draw);
   the full-parameter form on the same run, timed on a few steps and extrapolated.

Timings on a shared machine are noisy: each per-step figure is the best of a few repeats.
4. a gradient flow to t = 10^4 on a small problem (the default integrator).
Set BENCH_QUICK=1 to skip the width-10^6 part.
"""

from __future__ import annotations

import os
import resource
import time

import numpy as np

import lnet

D, N_SAMPLES, M = 400, 100, 1
ETA, TOL = 5e-3, 1e-8


def experiment_b_problem(seed=0) -> lnet.Problem:
    """Experiment B's data: X entries N(0, 1/D), Theta ~ N(0, I/D), noise N(0, 0.01^2)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N_SAMPLES, D)) / np.sqrt(D)
    theta = rng.standard_normal((D, M)) / np.sqrt(D)
    Y = X @ theta + 0.01 * rng.standard_normal((N_SAMPLES, M))
    return lnet.Problem.from_data(X, Y)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def per_step_seconds(nets: dict, steps=5_000, repeats=9) -> dict:
    """Best and median seconds per step of each network, repeats interleaved so that a change
    of load on a shared machine hits every width alike."""
    times = {key: [] for key in nets}
    for _ in range(repeats):
        for key, net in nets.items():
            t0 = time.perf_counter()
            lnet.gradient_descent_from(net, ETA, steps)
            times[key].append((time.perf_counter() - t0) / steps)
    return {key: (min(v), float(np.median(v))) for key, v in times.items()}


def main() -> None:
    prob = experiment_b_problem()
    print(
        f"experiment B problem: D = {D}, n = {N_SAMPLES}, m = {M}, r = {prob.r}; eta = {ETA}, "
        f'loss "mean", stop at loss < {TOL:g}'
    )
    print(f"peak RSS after set-up: {peak_rss_mb():.0f} MB")

    if not os.environ.get("BENCH_QUICK"):
        h = 10**6
        t0 = time.perf_counter()
        net = lnet.random_compact_network(prob, h, seed=1, block=4096)
        t_setup = time.perf_counter() - t0
        t0 = time.perf_counter()
        res = lnet.gradient_descent_from(net, ETA, 200_000, tol=TOL, record=("dist_min_norm",))
        t_run = time.perf_counter() - t0
        print(
            f"\n[1] width h = {h:,}: streamed set-up {t_setup:.1f} s (U(0) alone would be "
            f"{D * h * 8 / 1e9:.1f} GB), compact width k = {net.k}; run {t_run:.2f} s, "
            f"{res.steps} steps, ||Theta - Theta_hat||_F = {res['dist_min_norm'][-1]:.4f}"
        )
        print(f"    peak RSS of the whole process so far: {peak_rss_mb():.0f} MB")

    nets = {h: lnet.random_compact_network(prob, h, seed=1) for h in (500, 100_000)}
    cost = per_step_seconds(nets)
    (b5, m5), (b1, m1) = cost[500], cost[100_000]
    print(
        f"\n[2] per-step cost of compact descent (best / median of 9 interleaved repeats): "
        f"h = 500: {b5 * 1e6:.1f} / {m5 * 1e6:.1f} us, h = 100,000: {b1 * 1e6:.1f} / "
        f"{m1 * 1e6:.1f} us; ratio {b1 / b5:.2f} / {m1 / m5:.2f} (target <= 1.5; state width "
        f"k = {nets[500].k} and {nets[100_000].k})"
    )

    print(
        "\n[3] experiment B, one run per width (seed 1); wall time of the whole call from "
        "(U0, V0) arrays, first and best of 3 identical runs:"
    )
    for h in (500, 10_000):
        U0, V0 = lnet.random_init(D, M, h, seed=1)
        walls = []
        for _ in range(3):
            t0 = time.perf_counter()
            res = lnet.gradient_descent(None, None, U0, V0, ETA, 200_000, tol=TOL, problem=prob)
            walls.append(time.perf_counter() - t0)
        t_run = min(walls)
        dist = np.linalg.norm(res.theta - prob.theta_hat)
        print(
            f"    h = {h:>6,}: {walls[0]:.2f} s first, {t_run:.2f} s best (target < 2 s at "
            f"h = 10,000), {res.steps} steps, ||Theta - Theta_hat||_F = {dist:.3f}"
        )
    probe = 50
    t0 = time.perf_counter()
    lnet.gradient_descent(None, None, U0, V0, ETA, probe, problem=prob, representation="full")
    full_step = (time.perf_counter() - t0) / probe
    full_total = full_step * res.steps
    print(
        f"    full-parameter form at h = 10,000: {full_step * 1e3:.1f} ms/step (from {probe} "
        f"steps) -> {full_total:.0f} s extrapolated for {res.steps} steps; "
        f"compact is {full_total / t_run:.0f}x faster"
    )
    long_flow()


def long_flow() -> None:
    """[4] A long gradient flow (t = 10^4) on a small problem, with the default integrator."""
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((20, 40)) / np.sqrt(40), rng.standard_normal((20, 2))
    U0, V0 = lnet.random_init(40, 2, 100, seed=1)
    t0 = time.perf_counter()
    res = lnet.gradient_flow(X, Y, U0, V0, 1e4)
    wall = time.perf_counter() - t0
    method = getattr(res, "method", "DOP853")
    print(
        f"\n[4] gradient flow to t = 10^4 (n = 20, D = 40, m = 2, h = 100, compact): {wall:.1f} s, "
        f"{res.nfev:,} field evaluations, integrator {method}, final loss {res.loss:.2g}"
    )


if __name__ == "__main__":
    main()
