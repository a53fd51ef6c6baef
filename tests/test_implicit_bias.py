"""Implicit bias (ICML Prop. 1 / EXT Prop. 10) along integrated flows of the full (U, V) system."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import lnet
from lnet.problem import Problem


def full_flow(X, Y, U, V, T):
    """Gradient flow of 1/2 ||Y - X U V^T||^2 in the full parameters, to time T."""
    D, h = U.shape
    m = V.shape[0]

    def fun(_, y):
        A, B = y[: D * h].reshape(D, h), y[D * h :].reshape(m, h)
        R = Y - X @ A @ B.T
        return np.concatenate([(X.T @ R @ B).ravel(), (R.T @ X @ A).ravel()])

    sol = solve_ivp(
        fun, (0, T), np.concatenate([U.ravel(), V.ravel()]), method="DOP853", rtol=1e-11, atol=1e-14
    )
    assert sol.success
    return sol.y[: D * h, -1].reshape(D, h), sol.y[D * h :, -1].reshape(m, h)


def _setup(seed=0, n=3, D=6, m=2):
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((n, D)), rng.standard_normal((n, m))
    return rng, X, Y, Problem.from_data(X, Y)


def test_limit_formula_matches_the_end_of_a_flow():
    rng, X, Y, p = _setup()
    U0, V0 = rng.standard_normal((6, 8)), rng.standard_normal((2, 8))
    UT, VT = full_flow(X, Y, U0, V0, 60.0)
    assert p.reduced_loss(*[p.Phi1.T @ UT, VT]) < 1e-16
    limit = lnet.implicit_bias_limit(X, Y, U0, VT)
    assert np.allclose(UT @ VT.T, limit, atol=1e-7)
    # A generic initialization does not find the min-norm solution.
    assert np.linalg.norm(limit - p.theta_hat) > 1e-2


def _orthogonal_init(rng, p, h, k):
    """U1, V on the first k hidden coordinates, U2 on the others: an orthogonal initialization."""
    U1 = np.zeros((p.r, h))
    V = np.zeros((p.m, h))
    U1[:, :k] = rng.standard_normal((p.r, k))
    V[:, :k] = rng.standard_normal((p.m, k))
    U2 = np.zeros((p.D - p.r, h))
    U2[:, k:] = rng.standard_normal((p.D - p.r, h - k))
    return p.Phi1 @ U1 + p.Phi2 @ U2, V


def test_orthogonal_initialization_finds_the_min_norm_solution():
    rng, X, Y, p = _setup(1)
    U0, V0 = _orthogonal_init(rng, p, 9, 5)
    chk = lnet.orthogonality_residuals(X, U0, V0)
    assert chk.holds and chk.norm_VU2 < 1e-12 and chk.norm_U1U2 < 1e-12
    UT, VT = full_flow(X, Y, U0, V0, 60.0)
    assert np.allclose(UT @ VT.T, p.theta_hat, atol=1e-7)
    assert np.allclose(lnet.implicit_bias_limit(X, Y, U0, VT), p.theta_hat, atol=1e-10)


def test_V_orthogonal_to_U2_alone_is_not_enough():
    """V(0) U2(0)^T = 0 but U1(0) U2(0)^T != 0: the flow leaves the invariant set."""
    rng, X, Y, p = _setup(2)
    h, k = 9, 5
    U0, V0 = _orthogonal_init(rng, p, h, k)
    U1 = p.Phi1.T @ U0
    U1[:, k:] = rng.standard_normal((p.r, h - k))  # U1 now overlaps U2's coordinates
    U0 = p.Phi1 @ U1 + p.Phi2 @ (p.Phi2.T @ U0)
    chk = lnet.orthogonality_residuals(X, U0, V0)
    assert chk.norm_VU2 < 1e-12 and chk.norm_U1U2 > 0.1 and not chk.holds
    UT, VT = full_flow(X, Y, U0, V0, 60.0)
    assert np.linalg.norm(UT @ VT.T - p.theta_hat) > 1e-2
    assert np.allclose(UT @ VT.T, lnet.implicit_bias_limit(X, Y, U0, VT), atol=1e-7)


def test_orthogonality_check_is_scale_free_and_validates():
    rng, X, Y, _p = _setup(3)
    U0, V0 = rng.standard_normal((6, 4)), rng.standard_normal((2, 4))
    a = lnet.orthogonality_residuals(X, U0, V0)
    b = lnet.orthogonality_residuals(X, 1e-6 * U0, 1e-6 * V0)
    assert a.holds == b.holds is False
    assert b.norm_VU2 == pytest.approx(1e-12 * a.norm_VU2)
    with pytest.raises(ValueError, match="V0 must have 4 columns"):
        lnet.orthogonality_residuals(X, U0, V0[:, :3])
    with pytest.raises(ValueError, match="U0 must have 6 rows"):
        lnet.implicit_bias_limit(X, Y, U0[:5], V0)
