"""lnet 1.0: one vocabulary, hardened inputs, and the checks that would have caught known mutations."""

import time
import warnings

import numpy as np
import pytest

import lnet
from lnet import dynamics
from lnet.experiments import width as ew
from lnet.problem import Problem


def _data(n=10, D=40, m=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, D)) / np.sqrt(D), rng.standard_normal((n, m))


# -- Problem copies and freezes its inputs ------------------------------------------------------
def test_problem_copies_its_inputs_and_its_arrays_are_read_only():
    X, Y = _data()
    p = Problem.from_data(X, Y)
    U0, V0 = lnet.random_init(40, 3, 30, seed=1)
    before = lnet.gradient_descent(None, None, U0, V0, 0.05, 50, problem=p, representation="full")
    X *= 3.0  # the caller changes its array afterwards
    Y[0] = 100.0
    compact = lnet.gradient_descent(None, None, U0, V0, 0.05, 50, problem=p)
    full = lnet.gradient_descent(None, None, U0, V0, 0.05, 50, problem=p, representation="full")
    assert np.allclose(compact.losses, full.losses, rtol=1e-10)
    assert np.allclose(full.losses, before.losses, rtol=0, atol=0)
    for name in ("X", "Y", "W", "sigma", "Phi1", "Phi2", "Ytilde", "theta_hat", "sqrt_sigma"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(p, name)[...] = 0.0


@pytest.mark.parametrize(
    ("X", "exc", "match"),
    [
        (np.ones((4, 3)) + 1j, TypeError, "X must be real; got complex"),
        (np.ma.masked_array(np.ones((4, 3)), mask=False), TypeError, "X must be a plain array"),
        (np.array([["a", "b", "c"]] * 4), TypeError, "X must be a real numeric array"),
        (np.ones((4, 3), dtype=bool), TypeError, "X must be a real numeric array"),
    ],
)
def test_complex_masked_and_non_numeric_input_is_refused_by_name(X, exc, match):
    with pytest.raises(exc, match=match):
        Problem.from_data(X, np.ones((4, 1)))
    with pytest.raises(exc, match=match.replace("X", "U")):
        lnet.imbalance(np.eye(3), X.T if X.ndim == 2 else X, np.ones((1, 4)))


@pytest.mark.parametrize("scale", [1e300, 1e-300, 1e-170])
def test_extreme_scales_are_refused_with_a_message_that_says_how_to_rescale(scale):
    X, Y = _data()
    with pytest.raises(ValueError, match=r"X is too (large|small).*rescale"):
        Problem.from_data(X * scale, Y)
    with pytest.raises(ValueError, match="Y is too large"):
        Problem.from_data(X, Y * 1e300)


def test_moderately_extreme_scales_still_work():
    X, Y = _data()
    for scale in (1e150, 1e-150):
        p = Problem.from_data(X * scale, Y)
        assert np.all(np.isfinite(p.sigma)) and np.all(p.sigma > 0)
        assert np.allclose(p.theta_hat * scale, Problem.from_data(X, Y).theta_hat, rtol=1e-10)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda X, Y, U, V: Problem.from_data(X, Y, rank_rtol=2.0), "rank_rtol"),
        (lambda X, Y, U, V: lnet.gradient_flow(X, Y, U, V, 1.0, rank_rtol=2.0), "rank_rtol"),
        (lambda X, Y, U, V: lnet.gradient_descent(X, Y, U, V, 0.1, 1, rank_rtol=-1.0), "rank_rtol"),
        (lambda X, Y, U, V: lnet.gradient_flow(X, Y, U, V, 1.0, ode_rtol=1.0), "ode_rtol"),
        (lambda X, Y, U, V: lnet.gradient_flow(X, Y, U, V, 1.0, ode_atol=0.0), "ode_atol"),
        (lambda X, Y, U, V: lnet.gradient_flow(X, Y, U, V, 1.0, tol=-1.0), "tol"),
        (
            lambda X, Y, U, V: lnet.classify_initialization(X, Y, U, V, balance_rtol=1.5),
            "balance_rtol",
        ),
        (lambda X, Y, U, V: lnet.orthogonality_residuals(X, U, V, ortho_rtol=np.nan), "ortho_rtol"),
        (
            lambda X, Y, U, V: lnet.scalar.scalar_flow(1.0, 1.0, 1.0, [1.0], ode_atol=2.0),
            "ode_atol",
        ),
    ],
)
def test_every_tolerance_is_validated(call, name):
    X, Y = _data()
    U, V = lnet.random_init(40, 3, 8, seed=0)
    with pytest.raises(ValueError, match=name):
        call(X, Y, U, V)


# -- tol: one quantity, in the run's loss convention --------------------------------------------
def test_tol_is_the_same_quantity_in_flow_and_descent():
    X, Y = _data(n=20)
    U0, V0 = lnet.random_init(40, 3, 50, seed=2)
    flow = lnet.gradient_flow(X, Y, U0, V0, 1e3, loss="mean", tol=1e-6)
    mean_at_stop = np.sum((Y - X @ flow.theta) ** 2) / 20
    assert flow.loss == pytest.approx(1e-6, rel=1e-6) and mean_at_stop == pytest.approx(
        1e-6, rel=1e-6
    )
    descent = lnet.gradient_descent(X, Y, U0, V0, 0.05, 100_000, tol=1e-6, loss="mean")
    assert descent.converged and np.sum((Y - X @ descent.theta) ** 2) / 20 < 1e-6
    half = lnet.gradient_flow(X, Y, U0, V0, 1e3, tol=1e-6)  # the flow's default: the half loss
    assert 0.5 * np.sum((Y - X @ half.theta) ** 2) == pytest.approx(1e-6, rel=1e-6)


def test_a_tol_below_the_reachable_minimum_warns():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10, 4))  # n > D: L* > 0
    Y = rng.standard_normal((10, 1))
    p = Problem.from_data(X, Y)
    U0, V0 = lnet.random_init(4, 1, 6, seed=0)
    with pytest.warns(lnet.ToleranceWarning, match="minimum of the half loss"):
        lnet.gradient_flow(None, None, U0, V0, 1.0, problem=p, tol=0.5 * p.L_star)
    with pytest.warns(lnet.ToleranceWarning, match="minimum of the mean loss"):
        lnet.gradient_descent(None, None, U0, V0, 0.01, 5, tol=p.L_star * 2 / 10, problem=p)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lnet.gradient_descent(None, None, U0, V0, 0.01, 5, tol=1.01 * p.L_star * 2 / 10, problem=p)


# -- zero width, long flows ---------------------------------------------------------------------
@pytest.mark.parametrize("rep", ["compact", "reduced", "full"])
def test_flow_from_the_zero_initialization_stays_there(rep):
    X, Y = _data()
    zero = (np.zeros((40, 5)), np.zeros((3, 5)))
    res = lnet.gradient_flow(X, Y, *zero, 10.0, representation=rep, record=("loss",), t_eval=[1.0])
    assert np.all(res.theta == 0) and res.loss == pytest.approx(0.5 * np.sum(Y**2))
    assert list(res.times) == [1.0, 10.0] and np.all(res["loss"] == res.loss)
    stopped = lnet.gradient_flow(X, Y, *zero, 10.0, representation=rep, tol=1e-3)
    assert stopped.t == 10.0 and stopped.loss > 1e-3


def test_long_flows_switch_to_a_stiff_solver_and_agree_with_the_explicit_one():
    X, Y = _data(n=20, m=2)
    U0, V0 = lnet.random_init(40, 2, 100, seed=1)
    explicit = lnet.gradient_flow(X, Y, U0, V0, 100.0, method="DOP853")
    start = time.perf_counter()
    long = lnet.gradient_flow(X, Y, U0, V0, 1e4)
    assert long.method == "LSODA" and long.nfev < 50_000  # DOP853 needs about 460,000
    assert time.perf_counter() - start < 60
    # converged long before t = 100: both are the limit
    assert np.linalg.norm(long.theta - explicit.theta) < 1e-9 * np.linalg.norm(explicit.theta)
    short = lnet.gradient_flow(X, Y, U0, V0, 1.0)
    assert short.method == "DOP853"


# -- Theorem 2 in log space ----------------------------------------------------------------------
def _ill_conditioned(kappa=32.0, y_norm=25.0, n=20, D=40, seed=0):
    """lambda_1(Sigma_x) = 1, lambda_r = 1 / kappa: log C = 1 + kappa * ||Y|| = 801 > log(float max)."""
    rng = np.random.default_rng(seed)
    W, _ = np.linalg.qr(rng.standard_normal((n, n)))
    Phi1, _ = np.linalg.qr(rng.standard_normal((D, n)))
    s = np.sqrt(np.geomspace(1.0, 1.0 / kappa, n))
    Y = rng.standard_normal((n, 1))
    return (W * s) @ Phi1.T, Y * (y_norm / np.linalg.norm(Y))


def test_theorem2_bound_is_computed_in_log_space():
    X, Y = _ill_conditioned()
    b = lnet.theorem2_bound(X, Y, 10_000, 0.3, 0.1)
    assert np.inf == b.C and b.log_C == pytest.approx(801.0)  # C = e^801 overflows
    assert np.isfinite(b.distance) and np.isclose(np.log(b.distance), b.log_distance)
    orth = lnet.lemma_bounds(40, 20, 1, 10_000, 0.3, 0.1).orthogonality
    assert b.distance == pytest.approx(np.exp(801.0 / 10_000**0.4) * orth, rel=1e-10)
    # against a direct evaluation where C does not overflow
    p = Problem.from_data(*_data())
    direct = lnet.theorem2_bound(None, None, 500, 0.5, 0.1, problem=p)
    assert direct.distance == pytest.approx(
        direct.C * lnet.lemma_bounds(40, 10, 3, 500, 0.5, 0.1).orthogonality
    )


def test_theorem2_informative_width_is_exact_not_capped():
    Y = np.random.default_rng(1).standard_normal((20, 1))
    p = Problem.from_data(np.eye(20), 0.01 * Y / np.linalg.norm(Y))  # ||Theta_hat|| = 0.01
    log_h = ew.log_h_informative(p, 0.26, 0.1)  # alpha near 1/4: the bound decays like h^-0.02
    assert log_h / np.log(10) > 30  # far beyond the former bisection's silent cap at 1e30
    h = int(np.exp(log_h))
    norm = np.linalg.norm(p.theta_hat)
    assert lnet.theorem2_bound(None, None, h // 2, 0.26, 0.1, problem=p).distance > norm
    assert lnet.theorem2_bound(None, None, 2 * h, 0.26, 0.1, problem=p).distance < norm
    q = Problem.from_data(*_data())
    x = ew.log_h_informative(q, 0.4, 0.1)
    h = int(np.exp(x))
    norm = np.linalg.norm(q.theta_hat)
    assert lnet.theorem2_bound(None, None, h, 0.4, 0.1, problem=q).distance >= norm * (1 - 1e-6)
    assert lnet.theorem2_bound(None, None, h + 2, 0.4, 0.1, problem=q).distance < norm


# -- descent at experiment B's scale: the rank-1 multi-block kernel ------------------------------
def test_descent_at_experiment_b_scale_matches_the_full_representation():
    p = ew.experiment_b_problem(D=150, n=100, m=1, seed=3)
    U0, V0 = lnet.random_init(150, 1, 600, seed=4)
    full = lnet.gradient_descent(None, None, U0, V0, 5e-3, 300, problem=p, representation="full")
    for rep in ("compact", "reduced"):
        net = lnet.make_network(p, U0, V0, rep)
        assert len(dynamics._kernel(net.copy()).blocks) >= 2  # several column blocks
        res = lnet.gradient_descent_from(net, 5e-3, 300)
        assert np.allclose(res.losses, full.losses, rtol=1e-9)
        assert np.linalg.norm(res.theta - full.theta) < 1e-10 * np.linalg.norm(full.theta)


# -- the margin and the classification, pinned ----------------------------------------------------
def _diag_problem():
    """X = I_3 and Y with singular values 3 and 2: Ytilde = Y, sigma_min = 2, sigma_1 = 3."""
    Y = np.array([[3.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    return Problem.from_data(np.eye(3), Y)


def test_the_margin_uses_sigma_min_of_ytilde():
    p = _diag_problem()
    theta0 = 0.9 * p.theta_hat
    U, V = lnet.balanced_init(p, theta0, 4, seed=0)
    err = np.linalg.norm(p.Ytilde - p.Phi1.T @ theta0)  # Sigma_x = I
    assert lnet.margin(None, None, U, V, problem=p) == pytest.approx(2.0 - err, rel=1e-12)
    assert lnet.rate_quantities(None, None, U, V, problem=p).margin == pytest.approx(
        2.0 - err, rel=1e-12
    )


def _rows(p, U, V, **kw):
    cls = lnet.classify_initialization(None, None, U, V, problem=p, **kw)
    return {g.name: g.applies for g in cls.rows}


def test_classification_balanced_row_needs_balance_and_a_margin():
    p = _diag_problem()
    U, V = lnet.balanced_init(p, 0.9 * p.theta_hat, 4, seed=0)  # margin 2 - 0.36 > 0
    rows = _rows(p, U, V)
    assert rows["balanced"] and rows["sufficient_margin"] and rows["margin_approx_balanced"]
    assert not rows["sufficient_imbalance"] and not rows["homogeneous_imbalance"]
    U, V = lnet.balanced_init(p, 0.1 * p.theta_hat, 4, seed=0)  # balanced, margin < 0
    rows = _rows(p, U, V)
    assert not any(rows.values())  # no row applies: the balanced row requires a margin


def test_classification_margin_approx_balanced_row_is_norm_d_at_most_c_margin_squared():
    p = _diag_problem()
    U, V = lnet.balanced_init(p, 0.9 * p.theta_hat, 4, seed=0)
    U = U * 1.01  # ||D||_F about 0.02 ||U1||^2: not balanced, approximately balanced
    cls = lnet.classify_initialization(None, None, U, V, problem=p)
    normD = np.linalg.norm(lnet.imbalance(np.eye(3), U, V))
    delta = cls.quantities.margin
    assert not cls["balanced"].applies and cls["margin_approx_balanced"].applies
    assert normD <= delta**2
    C = 0.99 * normD / delta**2  # just below the threshold
    assert not _rows(p, U, V, balance_constant=C)["margin_approx_balanced"]
    assert _rows(p, U, V, balance_constant=1.01 * normD / delta**2)["margin_approx_balanced"]


def test_classification_homogeneous_and_sufficient_imbalance_rows():
    p = _diag_problem()
    U, V = lnet.homogeneous_init(p, 3, 0.5, seed=1)
    rows = _rows(p, U, V)
    assert rows["homogeneous_imbalance"] and rows["sufficient_imbalance"] and not rows["balanced"]
    U2 = U.copy()
    U2[:, 0] *= 1.1  # no longer lambda0 I
    assert not _rows(p, U2, V)["homogeneous_imbalance"]
    U, V = lnet.scaled_init(3, 2, 5, 2.0, 0.01, seed=2)  # U1 large, V tiny: Delta_low > 0
    q = lnet.rate_quantities(None, None, U, V, problem=p)
    rows = _rows(p, U, V)
    assert q.spectrum.Delta_low > 0 and rows["sufficient_imbalance"]
    assert rows["sufficient_margin"] == (q.margin > 0)


# -- checks from the mathematical audit (issue 15) -----------------------------------------------
def test_rescaling_symmetry_of_the_flow():
    """(X, U, V, t) -> (sX, U / sqrt(s), V / sqrt(s), t / s) maps flows to flows."""
    X, Y = _data()
    U0, V0 = lnet.random_init(40, 3, 12, seed=5)
    s, t = 4.0, 2.0
    tol = dict(ode_rtol=1e-12, ode_atol=1e-14, representation="reduced")
    a = lnet.gradient_flow(X, Y, U0, V0, t, **tol)
    b = lnet.gradient_flow(s * X, Y, U0 / np.sqrt(s), V0 / np.sqrt(s), t / s, **tol)
    assert np.allclose(b.theta, a.theta / s, rtol=1e-8, atol=1e-12)
    assert b.loss == pytest.approx(a.loss, rel=1e-8)
    assert np.allclose(b.network.V, a.network.V / np.sqrt(s), rtol=1e-8, atol=1e-12)


def test_balanced_init_for_scaled_data_is_the_rescaled_weights():
    X, Y = _data(m=2)
    s = 9.0
    p, ps = Problem.from_data(X, Y), Problem.from_data(s * X, Y)
    theta0 = 0.5 * p.theta_hat
    U, V = lnet.balanced_init(p, theta0, 6, seed=3)
    Us, Vs = lnet.balanced_init(ps, theta0 / s, 6, seed=3)
    assert np.allclose(Us, U / np.sqrt(s), atol=1e-12) and np.allclose(
        Vs, V / np.sqrt(s), atol=1e-12
    )


@pytest.mark.parametrize(("lambda0", "limit"), [(0.7, "r"), (-0.7, "m")])
def test_homogeneous_imbalance_exists_iff_h_at_most_r_or_m(lambda0, limit):
    rng = np.random.default_rng(0)
    p = Problem.from_data(rng.standard_normal((4, 7)), rng.standard_normal((4, 2)))  # r = 4, m = 2
    h_max = p.r if limit == "r" else p.m
    for h in range(1, h_max + 1):
        U, V = lnet.homogeneous_init(p, h, lambda0, seed=h)
        D = lnet.imbalance(None, U, V, problem=p)
        assert np.allclose(D, lambda0 * np.eye(h), atol=1e-10)
    with pytest.raises(ValueError, match=f"h <= {limit}"):
        lnet.homogeneous_init(p, h_max + 1, lambda0)


def test_lemma_quantity_for_h_below_r_is_minus_the_smallest_eigenvalue():
    """r = 100, m = 1: for h < r the Lemma quantity is lambda_1(-D) (positive when D has a
    negative eigenvalue), and exactly 0 at h = r."""
    r, m = 100, 1
    positive = 0
    for h, seed in [(60, 0), (60, 1), (90, 2), (90, 3)]:
        rng = np.random.default_rng(seed)
        U1, V = rng.standard_normal((r, h)) / np.sqrt(h), rng.standard_normal((m, h)) / np.sqrt(h)
        q = lnet.width.lemma_quantities_from_blocks(U1, np.zeros((0, h)), V)
        lam_min = np.linalg.eigvalsh(U1.T @ U1 - V.T @ V)[0]
        assert q.imbalance == pytest.approx(-lam_min, abs=1e-12)
        positive += q.imbalance > 0
    assert positive >= 3
    U1, V = rng.standard_normal((r, r)) / 10, rng.standard_normal((m, r)) / 10
    q = lnet.width.lemma_quantities_from_blocks(U1, np.zeros((0, r)), V)
    assert abs(q.imbalance) < 1e-12
