"""Tests of lnet.experiments.convergence and lnet.figures.convergence (experiments A and C).

Quick settings: the same code paths as the book at a fraction of the size, with the claims the
chapters make about the figures asserted on the numbers. Paper-scale checks are limited to the
levels of imbalance, which cost no training.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lnet.experiments.convergence import (
    PAPER_CASES,
    PAPER_LEGEND_C,
    experiment_a_levels,
    experiment_a_problem,
    experiment_c_problem,
    loss_slope,
    run_experiment_a,
    run_experiment_c,
)
from lnet.figures import convergence as figs

QUICK_A = dict(D=60, n=20, m=1, h=80, eta=2e-3, steps=1500, rate_every=100)


@pytest.fixture(scope="module")
def exp_a():
    return run_experiment_a(**QUICK_A)


@pytest.fixture(scope="module")
def exp_c():
    return run_experiment_c((30, 300), steps=400, rate_every=20)


def test_problem_a_is_whitened():
    prob = experiment_a_problem(60, 20, 2, seed=1)
    assert prob.r == 20 and np.allclose(prob.sigma, 1.0)
    assert prob.L_star < 1e-20  # r = n: every target is reachable


def test_problem_a_rejects_overdetermined():
    with pytest.raises(ValueError, match="D must be > n"):
        experiment_a_problem(20, 20)


def test_same_theta0_and_levels(exp_a):
    runs = list(exp_a.cases.values())
    assert np.allclose([r.losses[0] for r in runs], runs[0].losses[0], rtol=1e-12)
    assert abs(exp_a["balanced"].level) < 1e-10
    levels = experiment_a_levels([0], D=60, n=20, m=1, h=80)
    for name in PAPER_CASES:
        assert np.isclose(levels[name][0], exp_a[name].level, rtol=1e-12)


def test_c_is_twice_the_level_for_m1(exp_a):
    for run in exp_a.scaled:
        assert run.Delta_minus == 0 and run.margin < 0
        assert np.isclose(run.c, 2 * run.level, rtol=1e-12)
        assert np.isclose(run.rate, run.c, rtol=1e-12)  # Sigma_x = I


def test_ordering_and_bounds(exp_a):
    final = {name: run.final_loss for name, run in exp_a.cases.items()}
    assert sorted(final, key=final.get) == ["case 2", "case 3", "case 1", "balanced"]
    for run in exp_a.scaled:
        assert np.all(run.losses <= run.bound * (1 + 1e-9))  # Theorem 3, descent
        assert np.all(
            run.flow_loss <= run.losses[0] * np.exp(-run.rate * run.flow_times) * (1 + 1e-9)
        )
        assert 0 < run.tightness() <= 1 and 0 < run.late_tightness() <= 1.0 + 1e-6


def test_proposition1_at_every_iterate(exp_a):
    for run in exp_a.cases.values():
        assert np.all(run.inst_rate >= run.rate_bound * (1 - 1e-9))


def test_descent_tracks_flow(exp_a):
    for run in exp_a.cases.values():
        gd = np.interp(run.flow_times, run.times, np.log(run.losses))
        assert np.max(np.abs(gd - np.log(run.flow_loss))) < 0.02


def test_paper_scale_levels_bracket_the_legend():
    levels = experiment_a_levels(range(5))
    for name in PAPER_CASES:
        assert (
            0.95 * levels[name].min() <= PAPER_LEGEND_C["icml"][name] <= 1.05 * levels[name].max()
        )
    order = [np.median(levels[n]) for n in ("case 1", "case 3", "case 2")]
    assert order == sorted(order)
    # the ICML legend's case-2 pair (0.2, 0.05) is a misprint: it gives about 7, not 39.6
    legend_pair = experiment_a_levels(range(5), {"legend": (0.2, 0.05)})["legend"]
    assert legend_pair.max() < 10 < 30 < levels["case 2"].min()


def test_loss_slope_recovers_an_exponential():
    t = np.linspace(0, 5, 200)
    assert np.isclose(loss_slope(t, 3.0 * np.exp(-1.7 * t)), 1.7, rtol=1e-10)


def test_experiment_c_regimes(exp_c):
    narrow, wide = exp_c[30], exp_c[300]
    assert narrow.Delta_plus > wide.Delta_plus and narrow.Delta_minus > wide.Delta_minus
    assert narrow.Delta_low < wide.Delta_low < 2 / exp_c.m
    for run in (narrow, wide):
        assert np.all(run.losses <= run.bound * (1 + 1e-9))
        assert np.all(run.rate_ratio() >= 1 - 1e-9)
        assert np.isclose(run.eigenvalues.size, min(run.h, exp_c.n + exp_c.m))
    assert narrow.rate_ratio()[0] > 2 * wide.rate_ratio()[0]  # narrow: bound loose early


def test_experiment_c_problem_scaling():
    prob = experiment_c_problem(50, 20, 5, seed=3)
    assert np.allclose(prob.sigma, 1 / 250) and prob.Y.shape == (20, 5)
    with pytest.raises(ValueError, match="y_std"):
        experiment_c_problem(50, y_std=-1.0)


def test_run_a_validates_arguments():
    with pytest.raises(ValueError, match="eta"):
        run_experiment_a(**{**QUICK_A, "eta": -1.0})
    with pytest.raises(ValueError, match="cases"):
        run_experiment_a(**{**QUICK_A, "cases": {}})


def test_figures_draw(exp_a, exp_c):
    _fig, axes = plt.subplots(2, 4)
    ax = axes.ravel()
    figs.plot_experiment_a(exp_a, ax[0])
    assert (
        len(ax[0].get_lines()) == 2 * len(exp_a.scaled) + 1
    )  # bound per scaled case, none for balanced
    figs.plot_experiment_a_linear(exp_a, ax[1])
    figs.plot_experiment_a_rate(exp_a, ax[2])
    figs.plot_experiment_a_flow(exp_a, ax[3])
    assert len(figs.plot_experiment_c_spectrum(exp_c, (30, 300)).axes) == 2
    figs.plot_experiment_c_loss(exp_c, ax[6])
    figs.plot_experiment_c_rate(exp_c, ax[7])
    ev = [3.0, 1.0, 0.0, -0.5, -2.0]
    assert figs.plot_imbalance_spectrum(ev, r=2, m=2).has_data()
    read = figs.spectrum_spreads(ev, r=2, m=2)
    assert read == {"Delta_plus": 2.0, "Delta_minus": 1.5, "Delta_low": 1.5}
    plt.close("all")


def test_rate_along_flow_orders_the_bounds():
    from lnet import scaled_init
    from lnet.experiments.convergence import conditioned_problem, rate_along_flow

    rng = np.random.default_rng(0)
    W, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    Phi1, _ = np.linalg.qr(rng.standard_normal((9, 4)))
    prob = conditioned_problem(W, Phi1, rng.standard_normal((4, 2)), 10.0)
    assert np.isclose(prob.sigma[0] / prob.sigma[-1], 10.0) and np.isclose(np.prod(prob.sigma), 1.0)
    U0, V0 = scaled_init(9, 2, 12, 0.6, 0.3, seed=1)
    traj = rate_along_flow(prob, U0, V0, np.linspace(0, 3, 61))
    assert np.all(traj.rate >= traj.gram_bound * (1 - 1e-9))
    assert np.all(traj.gram_bound >= traj.bound * (1 - 1e-9))
    assert np.all(traj.bound >= traj.floor * (1 - 1e-9))
    assert np.all(
        traj.ltilde <= traj.ltilde[0] * np.exp(-traj.local_rate[0] * traj.times) * (1 + 1e-9)
    )
    with pytest.raises(ValueError, match="t_eval"):
        rate_along_flow(prob, U0, V0, [1.0, 2.0])


def test_misprint_survey_separates_the_two_versions():
    from lnet.experiments.convergence import misprint_survey

    survey = misprint_survey(200, seed=1)
    assert np.all(survey["correct"] <= 1 + 1e-9) and np.allclose(survey["correct"], 1.0)  # exact
    assert np.mean(survey["misprint"] > 1 + 1e-12) > 0.1  # the printed "bound" is violated


@pytest.mark.slow
def test_paper_scale_experiment_a_claims():
    """The paper's reading of its Figure 2, at its scale (seed 0): about 10 s."""
    exp = run_experiment_a(flow=False, rate_every=1500)
    final = {name: run.final_loss for name, run in exp.cases.items()}
    assert sorted(final, key=final.get) == ["case 2", "case 3", "case 1", "balanced"]
    assert 1.0e4 <= exp["case 2"].steps_to(1e-8) <= 1.5e4  # the paper: ~1e-8 at ~1.4e4
    assert exp["case 3"].tightness() > 0.9  # nearly tight
    assert exp["case 2"].late_tightness() > exp["case 2"].tightness() + 0.1  # tight only late
    for run in exp.scaled:
        assert np.all(run.losses <= run.bound * (1 + 1e-9))
        assert abs(run.level / PAPER_LEGEND_C["icml"][run.name] - 1) < 0.05
