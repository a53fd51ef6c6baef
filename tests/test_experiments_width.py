"""Experiment B and its extensions at quick settings: the data they return, and claims that could fail."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from scipy import stats

import lnet
from lnet.experiments import implicit_bias as eib
from lnet.experiments import width as ew
from lnet.figures import width as fw


@pytest.fixture(scope="module")
def small_problem():
    # Experiment B's recipe at a tenth of the size: D = 40, n = 10, m = 1.
    return ew.experiment_b_problem(D=40, n=10, m=1, seed=0)


def test_experiment_b_problem_matches_the_paper_recipe():
    p = ew.experiment_b_problem()
    assert (p.n, p.D, p.m, p.r) == (100, 400, 1, 100)
    assert p.L_star == pytest.approx(0.0, abs=1e-20)  # n < D: full row rank, interpolation
    # X entries N(0, 1/D): the sample variance is close to 1/D
    assert np.var(p.X) * p.D == pytest.approx(1.0, rel=0.05)
    assert (
        ew.PAPER_WIDTHS[0] == 500 and ew.PAPER_WIDTHS[-1] == 10_000 and len(ew.PAPER_WIDTHS) == 20
    )


def test_exact_runs_agree_with_a_full_parameter_descent(small_problem):
    """The streamed compact runs give the paper's quantities of the same network as random_init."""
    p = small_problem
    runs = ew.run_width_runs(p, [60], [0], eta=5e-2, tol=1e-6, init_seed=9)
    U0, V0 = lnet.random_init(p.D, p.m, 60, seed=[9, 60, 0])
    full = lnet.gradient_descent(
        None, None, U0, V0, 5e-2, 10**6, tol=1e-6, problem=p, representation="full"
    )
    assert runs.steps[0, 0] == full.steps
    assert runs.dist[0, 0] == pytest.approx(np.linalg.norm(full.theta - p.theta_hat), rel=1e-8)
    U2 = U0 - p.Phi1 @ (p.Phi1.T @ U0)
    assert runs.u2v0[0, 0] == pytest.approx(np.linalg.norm(U2 @ V0.T), rel=1e-10)
    # after convergence the distance is the bias term U2(0) V(t_f)^T (Proposition 1)
    assert runs.dist[0, 0] == pytest.approx(runs.u2v_final[0, 0], rel=1e-3)
    assert runs.final_loss[0, 0] < 1e-6


def test_wishart_sampler_has_the_distribution_of_the_gaussian_draws(small_problem):
    """Final distances after descent: Gaussian draws vs the compressed sampler (two-sample KS)."""
    p = small_problem
    a = ew.run_width_runs(p, [200], 60, eta=5e-2, tol=1e-6, sampler="exact", init_seed=1)
    b = ew.run_width_runs(p, [200], 60, eta=5e-2, tol=1e-6, sampler="wishart", init_seed=2)
    for name in ("dist", "u2v0"):
        assert stats.ks_2samp(getattr(a, name)[0], getattr(b, name)[0]).pvalue > 1e-3


def test_wishart_blocks_shapes_and_small_widths():
    U1, U2, V = lnet.wishart_blocks(10, 4, 2, 1000, 0.5, 0)
    assert U1.shape == (4, 6) and U2.shape == (6, 6) and V.shape == (2, 6)
    assert np.allclose(
        np.triu(np.vstack([U1, V]), 1), 0
    )  # the Bartlett factor R^T is lower triangular
    U1, U2, V = lnet.wishart_blocks(10, 4, 2, 5, 0.5, 0)  # h <= r + m: direct draws
    assert U1.shape == (4, 5) and V.shape == (2, 5)
    with pytest.raises(ValueError, match="r \\(rank of X\\) must be <= D"):
        lnet.wishart_blocks(3, 4, 1, 10)


def test_lemma_monte_carlo_samplers_agree():
    a = ew.lemma_monte_carlo(30, 8, 1, 400, 0.5, 0.1, seeds=400)
    b = ew.lemma_monte_carlo(30, 8, 1, 400, 0.5, 0.1, seeds=range(1000, 1400), sampler="wishart")
    for name in ("imbalance", "orthogonality", "product"):
        assert stats.ks_2samp(getattr(a, name), getattr(b, name)).pvalue > 1e-3
    with pytest.raises(ValueError, match="sampler must be"):
        ew.lemma_monte_carlo(30, 8, 1, 400, 0.5, 0.1, seeds=2, sampler="nope")


def test_distance_falls_like_h_to_minus_half_with_the_flow(small_problem):
    runs = ew.run_width_runs(
        small_problem, [100, 1000, 10_000, 100_000], 4, method="flow", sampler="wishart"
    )
    fit = ew.fit_power_law(runs.widths, runs.dist)
    assert fit.slope == pytest.approx(-0.5, abs=0.08)
    assert np.all(runs.final_loss <= 1e-8 * (1 + 1e-6))  # the flow stops at the event loss = tol


def test_fit_power_law_recovers_an_exact_law():
    h = np.array([10, 100, 1000])
    fit = ew.fit_power_law(h, 3 * h**-0.25)
    assert fit.slope == pytest.approx(-0.25) and fit(10.0) == pytest.approx(3 * 10**-0.25)
    with pytest.raises(ValueError, match="two widths"):
        ew.fit_power_law([5, 5], [1.0, 2.0])


def test_alpha_sweep_exponents(small_problem):
    sw = ew.run_alpha_sweep(
        small_problem, alphas=(0.35, 0.5), widths=(1000, 10_000, 100_000), seeds=3
    )
    assert np.allclose(sw.predicted, [-0.2, -0.5])
    assert np.all(np.abs(sw.slopes - sw.predicted) < 0.1)


def test_lemma_scan_fractions_and_bounds():
    scan = ew.run_lemma_scan(30, 8, 1, [20, 2000], deltas=(0.5, 0.1), seeds=40)
    assert scan.imbalance.shape == (2, 40) and scan.bound_orthogonality.shape == (2, 2)
    assert scan.h0[1] == pytest.approx(lnet.lemma_h0(30, 1, 0.1))
    assert np.all(scan.holds_all[:, 1] == 1.0)  # far above h0 every draw satisfies the Lemma
    assert np.all(scan.holds_all <= scan.holds_imbalance)


def test_theorem2_scan_is_above_the_measurement(small_problem):
    runs = ew.run_width_runs(small_problem, [1000, 4000], 3, method="flow", sampler="wishart")
    t2 = ew.theorem2_scan(small_problem, runs, deltas=(0.1,))
    assert np.all(t2.frac_below == 1.0) and np.all(t2.looseness > 1)
    # at alpha = 1/2 the bound is c / sqrt(h): the informative width solves c / sqrt(h) = ||Theta_hat||
    b = lnet.theorem2_bound(None, None, round(t2.h_informative[0]), 0.5, 0.1, problem=small_problem)
    assert b.distance == pytest.approx(np.linalg.norm(small_problem.theta_hat), rel=1e-3)


def test_implicit_bias_three_initializations(small_problem):
    traj = eib.run_implicit_bias(small_problem, h=30, t_max=400.0, n_times=5)
    assert traj.dist["orthogonal"][-1] < 1e-8
    assert traj.dist["counterexample"][-1] > 1e-3 and traj.dist["random"][-1] > 1e-3
    vu2, u1u2 = traj.conditions["counterexample"]
    assert vu2 < 1e-12 and u1u2 > 1e-3
    for name in traj.dist:
        assert traj.decomposition_error[name] < 1e-8


def test_counterexample_init_errors(small_problem):
    with pytest.raises(ValueError, match="h must be > m"):
        lnet.counterexample_init(small_problem, 1)


def test_small_init_trades_bias_for_time(small_problem):
    runs = eib.run_small_init(small_problem, scales=(1e-3, 1e-1), h=30, seeds=2, t_zero=5.0)
    assert runs.bias[0].mean() < runs.bias[1].mean()
    assert runs.time[0].mean() > runs.time[1].mean()
    assert runs.zero_init_moves == 0.0
    assert runs.zero_init_loss == pytest.approx(0.5 * np.sum(small_problem.Y**2))


def test_ntk_time_change(small_problem):
    gap_theta, gap_V = ew.ntk_time_change(small_problem, h=50, t=1.0)
    assert gap_theta < 1e-7 and gap_V < 1e-7


def test_errors_name_the_argument(small_problem):
    with pytest.raises(ValueError, match="method must be"):
        ew.run_width_runs(small_problem, [10], 1, method="euler")
    with pytest.raises(ValueError, match="sampler must be"):
        ew.run_width_runs(small_problem, [10], 1, sampler="x")
    with pytest.raises(ValueError, match="widths must be"):
        ew.run_width_runs(small_problem, [1.5], 1)
    with pytest.raises(RuntimeError, match="max_steps"):
        ew.run_width_runs(small_problem, [50], 1, max_steps=3)


def test_figures_draw(small_problem):
    import matplotlib.pyplot as plt

    runs = ew.run_width_runs(small_problem, [100, 400], 2, eta=5e-2, tol=1e-6)
    ext = ew.run_width_runs(small_problem, [1000, 10_000], 2, eta=5e-2, tol=1e-6, sampler="wishart")
    fit = ew.fit_power_law(np.r_[runs.widths, ext.widths], np.vstack([runs.dist, ext.dist]))
    sw = ew.run_alpha_sweep(small_problem, alphas=(0.4, 0.5), widths=(100, 1000), seeds=2)
    scan = ew.run_lemma_scan(40, 10, 1, [20, 200], deltas=(0.1,), seeds=5)
    figs = [
        fw.plot_experiment_b(runs),
        fw.plot_experiment_b_extension(runs, ext, fit).figure,
        fw.plot_alpha_sweep(sw),
        fw.plot_lemma_scan(scan),
        fw.plot_theorem2_bound(ew.theorem2_scan(small_problem, sw.runs[-1]), sw.runs[-1]).figure,
        fw.plot_implicit_bias(eib.run_implicit_bias(small_problem, h=30, t_max=5.0, n_times=4)),
        fw.plot_small_init(
            eib.run_small_init(small_problem, scales=(1e-2, 1e-1), h=20, seeds=2, t_zero=1.0)
        ),
    ]
    assert len(figs[0].axes) == 4  # three panels and the legend's cell
    from lnet.plotting import figure_problems

    for f in figs:
        assert figure_problems(f) == []  # a column wide at most, no small text, no legend on data
        plt.close(f)


def test_lemma_quantities_from_blocks_matches_lemma_quantities():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((3, 8))
    p = lnet.Problem.from_data(X, np.zeros((3, 1)))
    U, V = rng.standard_normal((8, 40)), rng.standard_normal((1, 40))
    U1, U2 = p.split(U)
    a = lnet.width.lemma_quantities_from_blocks(U1, U2, V)
    b = lnet.lemma_quantities(X, U, V)
    assert a.imbalance == pytest.approx(b.imbalance)
    assert a.orthogonality == pytest.approx(b.orthogonality)
    assert a.product == pytest.approx(b.product)
    with pytest.raises(ValueError, match="U2 must be a 2-D array with 40 columns"):
        lnet.width.lemma_quantities_from_blocks(U1, U2[:, :3], V)
