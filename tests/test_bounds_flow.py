"""Theorem 3 and its corollaries along integrated gradient flows: try to break them.

The flow of 1/2 ||Y - X U V^T||^2 is integrated here, independently of lnet.dynamics, on the
reduced system dU1/dt = S E V, dV/dt = E^T S U1 (S = Sigma_x^{1/2}, E = Ytilde - S U1 V^T) with
scipy's DOP853 at rtol 1e-11. The tolerances below are those of the integrator: the loss is
compared with relative slack 1e-6 plus an absolute 1e-12 * Ltilde(0).

Singular values of X are spread over 10^-1 .. 10^1 here (not 10^-3 .. 10^3 as in
test_bounds.py): at 10^6 condition numbers of Sigma_x the flow is too stiff for an explicit
integrator to finish in test time, and the pointwise tests already cover that range.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

import lnet
from lnet.problem import Problem


def integrate(problem, U1, V, t_eval):
    """Reduced gradient flow; returns U1(t), V(t) at t_eval (arrays of shape (len(t), ...))."""
    r, h = U1.shape
    m = V.shape[0]
    s = problem.sqrt_sigma

    def fun(_, y):
        A, B = y[: r * h].reshape(r, h), y[r * h :].reshape(m, h)
        SE = s[:, None] * (problem.Ytilde - s[:, None] * (A @ B.T))
        return np.concatenate([(SE @ B).ravel(), (SE.T @ A).ravel()])

    y0 = np.concatenate([U1.ravel(), V.ravel()])
    sol = solve_ivp(
        fun,
        (0.0, float(t_eval[-1])),
        y0,
        method="DOP853",
        t_eval=t_eval,
        rtol=1e-11,
        atol=1e-14 * (1 + np.abs(y0).max()),
    )
    assert sol.success, sol.message
    Y = sol.y.T
    return Y[:, : r * h].reshape(-1, r, h), Y[:, r * h :].reshape(-1, m, h)


@st.composite
def flow_instances(draw):
    r = draw(st.integers(1, 3))
    m = draw(st.integers(1, 3))
    h = draw(st.integers(1, 7))
    n = r + draw(st.integers(0, 1))
    D = n + draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    Wn, _ = np.linalg.qr(rng.standard_normal((n, n)))
    Ph, _ = np.linalg.qr(rng.standard_normal((D, D)))
    X = (Wn[:, :r] * 10.0 ** rng.uniform(-1, 1, r)) @ Ph[:, :r].T
    Y = rng.standard_normal((n, m))
    U = rng.standard_normal((D, h)) * 10.0 ** rng.uniform(-1, 0.5)
    V = rng.standard_normal((m, h)) * 10.0 ** rng.uniform(-1, 0.5)
    return Problem.from_data(X, Y), U, V


def _horizon(q):
    # Long enough for the bound to fall by e^-4 when it is informative; bounded for stiff cases.
    rate = max(q.convergence_rate, 0.2 * q.instantaneous_rate, 1e-2)
    return min(4.0 / rate, 50.0)


@given(flow_instances())
@settings(max_examples=50, deadline=None)
def test_theorem3_bound_holds_along_the_flow_and_restarts_at_every_time(inst):
    p, U, V = inst
    U1 = p.Phi1.T @ U
    q0 = lnet.reduced_rate_quantities(p, U1, V)
    t = np.linspace(0.0, _horizon(q0), 25)
    U1s, Vs = integrate(p, U1, V, t)
    qs = [lnet.reduced_rate_quantities(p, a, b) for a, b in zip(U1s, Vs, strict=True)]
    L = np.array([q.loss_tilde for q in qs])
    bound = q0.loss_tilde * np.exp(-q0.convergence_rate * t)
    assert np.all(bound * (1 + 1e-6) + 1e-12 * q0.loss_tilde >= L)
    # Local-rate corollary: from every recorded t0 with c(t0).
    for i, qi in enumerate(qs[:-1]):
        later = qi.loss_tilde * np.exp(-qi.convergence_rate * (t[i:] - t[i]))
        assert np.all(L[i:] <= later * (1 + 1e-6) + 1e-12 * q0.loss_tilde)
    # Along the flow: D is conserved, Prop 1 holds at every point, c(t) <= its limit.
    d0 = q0.spectrum.eigenvalues
    scale = np.sum(U1**2) + np.sum(V**2)
    for q in qs:
        assert np.allclose(q.spectrum.eigenvalues, d0, atol=1e-8 * scale)
        assert q.c <= q0.c_limit * (1 + 1e-6) + 1e-9
        if q.loss_tilde > 1e-10 * q0.loss_tilde:
            assert q.instantaneous_rate >= q.rate_lower_bound * (1 - 1e-7) - 1e-9 * scale


def test_instantaneous_rate_matches_the_observed_log_derivative_of_the_loss():
    """-d log Ltilde / dt by finite differences of an integrated flow equals the formula."""
    rng = np.random.default_rng(12)
    X = rng.standard_normal((3, 6))
    p = Problem.from_data(X, rng.standard_normal((3, 2)))
    U1, V = rng.standard_normal((3, 5)) * 0.5, rng.standard_normal((2, 5)) * 0.5
    dt = 1e-4
    t = np.array([0.2 - dt, 0.2, 0.2 + dt])
    U1s, Vs = integrate(p, U1, V, np.concatenate([[0.0], t]))
    L = np.array([p.reduced_loss(a, b) for a, b in zip(U1s[1:], Vs[1:], strict=True)])
    observed = -(np.log(L[2]) - np.log(L[0])) / (2 * dt)
    assert lnet.reduced_rate_quantities(p, U1s[2], Vs[2]).instantaneous_rate == pytest.approx(
        observed, rel=1e-6
    )


def test_c_tends_to_its_limit_as_the_flow_converges():
    rng = np.random.default_rng(13)
    X = rng.standard_normal((2, 4))
    p = Problem.from_data(X, rng.standard_normal((2, 2)))
    U1, V = rng.standard_normal((2, 6)), rng.standard_normal((2, 6))
    q0 = lnet.reduced_rate_quantities(p, U1, V)
    assert q0.convergence_rate > 0  # sufficient imbalance at h = 6 > r + m
    U1s, Vs = integrate(p, U1, V, np.array([0.0, 25.0 / q0.convergence_rate]))
    qT = lnet.reduced_rate_quantities(p, U1s[-1], Vs[-1])
    assert qT.loss_tilde < 1e-8 * q0.loss_tilde
    assert qT.c == pytest.approx(q0.c_limit, rel=1e-4)
    # The local rate at the end is a valid (and larger) rate than at t = 0.
    assert qT.convergence_rate >= q0.convergence_rate


def test_balanced_initialization_with_margin_converges_at_the_theorem_rate():
    """D = 0: only the margin gives a rate, and the bound holds with it."""
    rng = np.random.default_rng(14)
    X = np.hstack([np.diag([2.0, 1.0, 0.5]), np.zeros((3, 2))])
    p = Problem.from_data(X, rng.standard_normal((3, 2)))
    M = 0.8 * p.Ytilde / p.sqrt_sigma[:, None]
    O, s, Qt = np.linalg.svd(M, full_matrices=False)
    H, _ = np.linalg.qr(rng.standard_normal((5, 2)))
    U1, V = (O * np.sqrt(s)) @ H.T, (Qt.T * np.sqrt(s)) @ H.T
    q0 = lnet.reduced_rate_quantities(p, U1, V)
    assert q0.spectrum.Delta_low < 1e-12 and q0.margin > 0 and q0.convergence_rate > 0
    t = np.linspace(0, 5 / q0.convergence_rate, 30)
    U1s, Vs = integrate(p, U1, V, t)
    L = np.array([p.reduced_loss(a, b) for a, b in zip(U1s, Vs, strict=True)])
    assert np.all(q0.loss_tilde * np.exp(-q0.convergence_rate * t) * (1 + 1e-6) >= L)


def test_bounds_along_lnet_gradient_flow():
    """The same checks on trajectories from lnet.gradient_flow (the dynamics module)."""
    rng = np.random.default_rng(15)
    X, Y = rng.standard_normal((4, 9)), rng.standard_normal((4, 2))
    p = Problem.from_data(X, Y)
    U0, V0 = 0.3 * rng.standard_normal((9, 12)), 0.3 * rng.standard_normal((2, 12))
    q0 = lnet.rate_quantities(X, Y, U0, V0, problem=p)
    T = 4 / q0.convergence_rate
    t = np.linspace(0, T, 20)
    res = lnet.gradient_flow(
        None,
        None,
        U0,
        V0,
        T,
        problem=p,
        t_eval=t,
        ode_rtol=1e-11,
        ode_atol=1e-14,
        record=("ltilde", "rate", "gram"),
    )
    L, rate, gram = res["ltilde"], res["rate"], res["gram"]
    spec = lnet.imbalance_spectrum(p.Phi1.T @ U0, V0)
    assert np.all(q0.loss_tilde * np.exp(-q0.convergence_rate * res.times) * (1 + 1e-6) >= L)
    for Lt, rt, Q in zip(L, rate, gram, strict=True):
        q = lnet.gram_rate_quantities(p, Q, 12, spectrum=spec)
        assert q.loss_tilde == pytest.approx(Lt, rel=1e-9)
        assert q.instantaneous_rate == pytest.approx(rt, rel=1e-8)
        assert rt >= q.rate_lower_bound * (1 - 1e-9)


def test_gram_rate_series_matches_pointwise_calls():
    rng = np.random.default_rng(16)
    X = rng.standard_normal((3, 5))
    p = Problem.from_data(X, rng.standard_normal((3, 2)))
    U1, V = rng.standard_normal((3, 6)), rng.standard_normal((2, 6))
    U1s, Vs = integrate(p, U1, V, np.linspace(0, 1, 6))
    Zs = [np.vstack([a, b]) for a, b in zip(U1s, Vs, strict=True)]
    grams = np.array([Z @ Z.T for Z in Zs])
    series = lnet.gram_rate_series(p, grams, 6, spectrum=lnet.imbalance_spectrum(U1, V))
    assert series["loss_tilde"].shape == (6,)
    for k, (a, b) in enumerate(zip(U1s, Vs, strict=True)):
        q = lnet.reduced_rate_quantities(p, a, b)
        assert series["rate_lower_bound"][k] == pytest.approx(q.rate_lower_bound, rel=1e-7)
        assert series["instantaneous_rate"][k] == pytest.approx(q.instantaneous_rate, rel=1e-9)
    assert np.all(np.diff(series["loss_tilde"]) < 0)
    with pytest.raises(ValueError, match="grams must have shape"):
        lnet.gram_rate_series(p, grams[0], 6)
