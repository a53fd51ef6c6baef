"""Gradient flow and descent: the three representations agree, invariants hold, stop rules work."""

import numpy as np
import pytest

import lnet
from lnet.problem import Problem

FLOW_TOL = dict(ode_rtol=1e-12, ode_atol=1e-14)


def _data(n=10, D=40, m=3, rank=None, seed=0):
    """Entries of X of variance 1/D, as in the paper's experiment B (so lambda_1(Sigma_x) ~ 2)."""
    rng = np.random.default_rng(seed)
    if rank is None:
        X = rng.standard_normal((n, D)) / np.sqrt(D)
    else:
        X = rng.standard_normal((n, rank)) @ rng.standard_normal((rank, D)) / np.sqrt(D * rank)
    return X, rng.standard_normal((n, m))


def _rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


# -- the three representations ------------------------------------------------------------
def test_representations_agree_on_the_flow_at_width_2000():
    X, Y = _data()
    U0, V0 = lnet.random_init(40, 3, 2000, seed=1)
    thetas = {
        rep: lnet.gradient_flow(X, Y, U0, V0, 1.5, representation=rep, **FLOW_TOL).theta
        for rep in ("compact", "reduced", "full")
    }
    assert _rel(thetas["compact"], thetas["full"]) < 1e-8
    assert _rel(thetas["reduced"], thetas["full"]) < 1e-8


@pytest.mark.parametrize("h,rank,m", [(2000, None, 3), (5, None, 3), (7, 4, 2), (300, 4, 6)])
def test_representations_agree_on_descent(h, rank, m):
    X, Y = _data(m=m, rank=rank)
    U0, V0 = lnet.random_init(40, m, h, seed=2)
    res = {
        rep: lnet.gradient_descent(X, Y, U0, V0, 0.05, 300, representation=rep, loss="half")
        for rep in ("compact", "reduced", "full")
    }
    for rep in ("compact", "reduced"):
        assert _rel(res[rep].theta, res["full"].theta) < 1e-10
        assert np.allclose(res[rep].losses, res["full"].losses, rtol=1e-9)


def test_compact_width_is_at_most_r_plus_m_and_streaming_gives_the_same_network():
    X, Y = _data(m=2)
    p = Problem.from_data(X, Y)
    U0, V0 = lnet.random_init(40, 2, 3000, seed=5)
    a = lnet.make_network(p, U0, V0, "compact")
    b = lnet.random_compact_network(p, 3000, seed=5, block=700)
    assert a.k == p.r + p.m and b.k == a.k and b.width == 3000
    ra = lnet.gradient_descent_from(a, 0.05, 200, loss="half")
    rb = lnet.gradient_descent_from(b, 0.05, 200, loss="half")
    assert _rel(rb.theta, ra.theta) < 1e-10
    small = lnet.make_network(p, U0[:, :4], V0[:, :4], "compact")
    assert small.k == 4  # h < r + m: width stays h


# -- invariants ---------------------------------------------------------------------------
def test_imbalance_is_conserved_by_the_flow():
    X, Y = _data()
    U0, V0 = lnet.random_init(40, 3, 50, seed=3)
    res = lnet.gradient_flow(
        X,
        Y,
        U0,
        V0,
        3.0,
        representation="full",
        record=("imbalance_drift",),
        t_eval=[1.0, 3.0],
        ode_rtol=1e-10,
        ode_atol=1e-12,
    )
    U, V = res.network.U, res.network.V
    drift = np.linalg.norm(lnet.imbalance(X, U, V) - lnet.imbalance(X, U0, V0))
    scale = np.linalg.norm(lnet.imbalance(X, U, V))
    assert drift < 1e-8 * scale
    assert np.all(res["imbalance_drift"] < 1e-8 * scale)
    # while gradient descent to the same time visibly does not conserve it
    des = lnet.gradient_descent(
        X, Y, U0, V0, 0.01, 300, loss="half", record=("imbalance_drift",), record_every=300
    )
    assert des["imbalance_drift"][-1] > 1e-4 * scale


def test_descent_imbalance_drift_is_second_order_in_eta():
    X, Y = _data(m=2)
    U0, V0 = lnet.random_init(40, 2, 30, seed=4)
    T = 2.0  # same flow time for every step size
    drift = {}
    for eta in (0.02, 0.01, 0.005):
        steps = round(T / eta)
        res = lnet.gradient_descent(
            X, Y, U0, V0, eta, steps, loss="half", record=("imbalance_drift",), record_every=steps
        )
        drift[eta] = res["imbalance_drift"][-1]
    # O(eta^2) per step over T / eta steps: halving eta halves the drift at a fixed time
    assert 1.8 < drift[0.02] / drift[0.01] < 2.2
    assert 1.8 < drift[0.01] / drift[0.005] < 2.2


def test_descent_approximates_the_flow_at_t_equal_2_eta_k_over_n():
    X, Y = _data()
    U0, V0 = lnet.random_init(40, 3, 100, seed=6)
    n, t = X.shape[0], 0.5
    flow = lnet.gradient_flow(X, Y, U0, V0, t, **FLOW_TOL).theta
    err = {}
    for eta in (0.01, 0.005):
        k = round(t * n / (2 * eta))
        res = lnet.gradient_descent(X, Y, U0, V0, eta, k, loss="mean")
        assert res.time_per_step * res.steps == pytest.approx(t)
        err[eta] = _rel(res.theta, flow)
    assert err[0.01] < 0.05 and 1.7 < err[0.01] / err[0.005] < 2.3  # first order in eta


# -- implicit bias --------------------------------------------------------------------------
def test_orthogonal_init_converges_to_the_min_norm_solution():
    X, Y = _data(m=2)  # full row rank: L* = 0, so the loss itself can reach the tolerance
    p = Problem.from_data(X, Y)
    U0, V0 = lnet.orthogonal_init(p, 60, sigma_U=0.3, sigma_V=0.3, seed=0)
    res = lnet.gradient_descent(
        X, Y, U0, V0, 0.02, 50_000, tol=1e-26, loss="half", record=("dist_min_norm", "u2v_norm")
    )
    assert res.converged
    assert np.linalg.norm(res.theta - lnet.min_norm_solution(X, Y)) < 1e-8
    assert res["dist_min_norm"][-1] < 1e-8 and res["u2v_norm"][-1] < 1e-12


def test_generic_init_converges_elsewhere_by_exactly_phi2_u2_v():
    X, Y = _data(m=2)
    U0, V0 = lnet.random_init(40, 2, 60, alpha=0.25, seed=0)
    res = lnet.gradient_descent(
        X, Y, U0, V0, 0.02, 50_000, tol=1e-26, loss="half", record=("dist_min_norm", "u2v_norm")
    )
    assert res.converged
    d = np.linalg.norm(res.theta - lnet.min_norm_solution(X, Y))
    assert d > 0.1
    # Theta(inf) = Theta_hat + Phi2 U2(0) V(inf)^T (paper, Section 4)
    assert res["dist_min_norm"][-1] == pytest.approx(d, rel=1e-9)
    assert res["u2v_norm"][-1] == pytest.approx(d, rel=1e-6)


# -- recorded quantities ------------------------------------------------------------------
def test_recorded_rate_is_minus_dlogltilde_dt():
    X, Y = _data(m=2)
    U0, V0 = lnet.random_init(40, 2, 30, seed=9)
    h = 1e-4
    times = np.array([0.3 - h, 0.3, 0.3 + h])
    res = lnet.gradient_flow(X, Y, U0, V0, 0.4, t_eval=times, record=("ltilde", "rate"), **FLOW_TOL)
    lt = res["ltilde"]
    fd = -(np.log(lt[2]) - np.log(lt[0])) / (2 * h)
    assert res["rate"][1] == pytest.approx(fd, rel=1e-6)


@pytest.mark.parametrize("h", [4, 40])
def test_gram_gives_the_nonzero_spectrum_of_the_imbalance(h):
    X, Y = _data(m=2, rank=5)
    U0, V0 = lnet.random_init(40, 2, h, seed=1)
    res = lnet.gradient_descent(X, Y, U0, V0, 0.01, 10, record=("gram",), record_every=10)
    Q = res["gram"][-1]
    r = 5
    J = np.diag(np.r_[np.ones(r), -np.ones(2)])
    ev_JQ = np.sort(np.linalg.eigvals(J @ Q).real)
    full = lnet.gradient_descent(X, Y, U0, V0, 0.01, 10, representation="full")
    U, V = full.network.U, full.network.V
    ev_D = np.sort(np.linalg.eigvalsh(lnet.imbalance(X, U, V)))
    big = lambda e: e[np.abs(e) > 1e-9]  # noqa: E731
    assert np.allclose(big(ev_JQ), big(ev_D), atol=1e-10)


def test_descent_records_losses_times_and_steps():
    X, Y = _data()
    U0, V0 = lnet.random_init(40, 3, 50, seed=2)
    res = lnet.gradient_descent(X, Y, U0, V0, 0.01, 100, record=("loss", "theta"), record_every=30)
    assert list(res.record_steps) == [0, 30, 60, 90, 100]
    assert np.allclose(res["loss"], res.losses[res.record_steps])
    assert np.allclose(res.times, res.record_steps * 0.01 * 2 / 10)
    assert np.allclose(res["theta"][-1], res.theta)
    # loss conventions: the mean loss (1/n)||.||^2 and the half loss 1/2||.||^2
    direct = np.sum((Y - X @ U0 @ V0.T) ** 2)
    assert res.losses[0] == pytest.approx(direct / 10)
    half = lnet.gradient_descent(X, Y, U0, V0, 0.01, 0, loss="half")
    assert half.losses[0] == pytest.approx(direct / 2) and half.steps == 0
    res2 = lnet.gradient_descent(X, Y, U0, V0, 0.01, 100, record=("loss",), record_steps=[5, 7])
    assert list(res2.record_steps) == [5, 7, 100]


def test_flow_result_loss_is_the_half_loss_and_runs_are_deterministic():
    X, Y = _data()
    U0, V0 = lnet.random_init(40, 3, 50, seed=2)
    a = lnet.gradient_flow(X, Y, U0, V0, 0.7)
    b = lnet.gradient_flow(X, Y, U0, V0, 0.7)
    assert np.array_equal(a.theta, b.theta)
    assert a.loss == pytest.approx(0.5 * np.sum((Y - X @ a.theta) ** 2), rel=1e-10)
    c = lnet.gradient_descent(X, Y, U0, V0, 0.01, 50)
    d = lnet.gradient_descent(X, Y, U0, V0, 0.01, 50)
    assert np.array_equal(c.losses, d.losses)


# -- stop rules and divergence --------------------------------------------------------------
def test_stops_at_the_first_step_below_tol_and_at_the_cap():
    X, Y = _data()
    U0, V0 = lnet.random_init(40, 3, 50, seed=2)
    res = lnet.gradient_descent(X, Y, U0, V0, 0.02, 100_000, tol=1e-8)
    assert res.converged and res.losses[-1] < 1e-8 <= res.losses[-2]
    assert res.steps == res.losses.size - 1
    capped = lnet.gradient_descent(X, Y, U0, V0, 0.02, 17, tol=1e-8)
    assert capped.steps == 17 and not capped.converged and capped.losses.size == 18


def test_flow_stops_at_the_loss_tolerance_before_its_final_time():
    X, Y = _data()
    U0, V0 = lnet.random_init(40, 3, 50, seed=2)
    res = lnet.gradient_flow(X, Y, U0, V0, 1e4, tol=1e-6, **FLOW_TOL)
    assert res.t < 1e4 and res.loss == pytest.approx(1e-6, rel=1e-6)
    before = lnet.gradient_flow(X, Y, U0, V0, 0.99 * res.t, **FLOW_TOL)
    assert before.loss > 1e-6


def test_divergence_names_eta_and_the_suggested_step_is_stable():
    X, Y = _data()
    U0, V0 = lnet.random_init(40, 3, 50, seed=2)
    with pytest.raises(lnet.DivergenceError, match=r"eta = 5.*eta <= ") as info:
        lnet.gradient_descent(X, Y, U0, V0, 5.0, 10_000)
    suggested = float(info.value.args[0].split("eta <= ")[1].split()[0])
    res = lnet.gradient_descent(X, Y, U0, V0, suggested, 20_000, tol=1e-8)
    assert np.isfinite(res.loss) and res.loss < res.losses[0]


# -- bad input ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(eta=0.0), "eta"),
        (dict(eta=-1.0), "eta"),
        (dict(eta=float("nan")), "eta"),
        (dict(max_steps=-1), "max_steps"),
        (dict(tol=0.0), "tol"),
        (dict(loss="sum"), "loss"),
        (dict(representation="dense"), "representation"),
        (dict(record=("speed",)), "record"),
        (dict(record_every=0), "record_every"),
    ],
)
def test_descent_bad_arguments_are_named(kwargs, match):
    X, Y = _data()
    U0, V0 = lnet.random_init(40, 3, 20, seed=0)
    args = dict(eta=0.01, max_steps=5)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=match):
        lnet.gradient_descent(X, Y, U0, V0, **args)


def test_bad_shapes_and_values_are_named():
    X, Y = _data()
    U0, V0 = lnet.random_init(40, 3, 20, seed=0)
    with pytest.raises(ValueError, match="U"):
        lnet.gradient_flow(X, Y, U0[:-1], V0, 1.0)
    with pytest.raises(ValueError, match="V"):
        lnet.gradient_flow(X, Y, U0, V0[:, :-1], 1.0)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="X"):
        lnet.gradient_flow(Xn, Y, U0, V0, 1.0)
    U0i = U0.copy()
    U0i[1, 1] = np.inf
    with pytest.raises(ValueError, match="U"):
        lnet.gradient_descent(X, Y, U0i, V0, 0.01, 5)
    with pytest.raises(ValueError, match="t"):
        lnet.gradient_flow(X, Y, U0, V0, -1.0)
    with pytest.raises(ValueError, match="t_eval"):
        lnet.gradient_flow(X, Y, U0, V0, 1.0, t_eval=[0.5, 2.0])
    with pytest.raises(ValueError, match="ode_rtol"):
        lnet.gradient_flow(X, Y, U0, V0, 1.0, ode_rtol=0)
    with pytest.raises(ValueError, match="h"):
        lnet.random_compact_network(Problem.from_data(X, Y), 0)
    with pytest.raises(ValueError, match="X and Y"):
        lnet.gradient_flow(None, Y, U0, V0, 1.0)


def test_zero_initialization_is_a_fixed_point_in_every_representation():
    X, Y = _data()
    for rep in ("compact", "reduced", "full"):
        res = lnet.gradient_descent(
            X, Y, np.zeros((40, 5)), np.zeros((3, 5)), 0.01, 20, representation=rep
        )
        assert np.all(res.theta == 0) and np.all(res.losses == res.losses[0])


def test_flow_stops_when_the_loss_falls_below_tol():
    X, Y = _data()
    U0, V0 = lnet.random_init(40, 3, 50, seed=2)
    res = lnet.gradient_flow(X, Y, U0, V0, 100.0, tol=1e-6, t_eval=[0.0, 0.01], record=("loss",))
    assert res.t < 100 and res.loss == pytest.approx(1e-6, rel=1e-6)
    assert list(res.times[:2]) == [0.0, 0.01] and res.times[-1] == res.t
    assert res["loss"][-1] == pytest.approx(1e-6, rel=1e-6)


def test_sustained_growth_counts_as_divergence():
    X, Y = _data()
    U0, V0 = lnet.random_init(40, 3, 50, seed=2)
    with pytest.raises(lnet.DivergenceError, match="grew for 3 consecutive steps"):
        lnet.gradient_descent(X, Y, U0, V0, 5.0, 10_000, patience=3)
    with pytest.raises(ValueError, match="alpha"):
        lnet.random_compact_network(Problem.from_data(X, Y), 100, alpha=0.6, check_alpha=True)


def test_streamed_orthogonal_compact_state_equals_the_orthogonal_init():
    X, Y = _data(m=2)
    p = Problem.from_data(X, Y)
    U0, V0 = lnet.orthogonal_init(p, 500, seed=3)
    a = lnet.gradient_descent(None, None, U0, V0, 0.05, 300, problem=p, representation="full")
    b = lnet.gradient_descent_from(
        lnet.random_compact_network(p, 500, seed=3, orthogonal=True, block=64), 0.05, 300
    )
    assert _rel(b.theta, a.theta) < 1e-10
    with pytest.raises(ValueError, match="h must be > r"):
        lnet.random_compact_network(p, 12, orthogonal=True)
