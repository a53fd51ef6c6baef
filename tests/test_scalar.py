"""The scalar model: the integrator against the exact formulas, and the formulas together."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lnet.scalar import (
    init_from_product_and_imbalance,
    scalar_flow,
    scalar_imbalance,
    scalar_loss,
    scalar_margin,
    scalar_product_balanced,
    scalar_rate_from_product,
    scalar_rate_from_weights,
    scalar_rate_lower_bound,
    scalar_time_to_product,
)

weights = st.floats(-2.0, 2.0, allow_nan=False)
targets = st.floats(-2.0, 2.0, allow_nan=False).filter(lambda y: abs(y) > 0.05)
T = np.linspace(0.0, 3.0, 61)


# -- initialization ------------------------------------------------------------------------
@given(st.floats(-5, 5), st.floats(-5, 5))
@settings(max_examples=60, deadline=None)
def test_init_has_the_requested_product_and_imbalance(w0, d):
    u0, v0 = init_from_product_and_imbalance(w0, d)
    scale = 1 + abs(w0) + abs(d)
    assert u0 * v0 == pytest.approx(w0, abs=1e-14 * scale)
    assert u0**2 - v0**2 == pytest.approx(d, abs=1e-14 * scale)


def test_init_talk_example():
    u0, _v0 = init_from_product_and_imbalance(0.5, 3.0)  # u^2 = (3 + sqrt(10)) / 2
    assert u0 == pytest.approx(np.sqrt((3 + np.sqrt(10)) / 2), rel=1e-15)
    assert init_from_product_and_imbalance(0.0, 0.0) == (0.0, 0.0)
    assert init_from_product_and_imbalance(0.0, -4.0) == (0.0, 2.0)


# -- the flow against the identities ------------------------------------------------------
@given(weights, weights, targets)
@settings(max_examples=25, deadline=None)
def test_flow_conserves_imbalance_and_has_the_exact_rate(u0, v0, y):
    traj = scalar_flow(u0, v0, y, T)
    d0 = u0**2 - v0**2
    assert np.max(np.abs(traj.d - d0)) < 1e-9
    # 2 (u^2 + v^2) = 2 sqrt(d^2 + 4 (uv)^2), with d the *initial* imbalance
    exact = scalar_rate_from_product(d0, traj.w)
    np.testing.assert_allclose(traj.rate, exact, rtol=1e-9, atol=1e-12)
    # the log-residual integrated alongside agrees with y - uv while the latter has digits left
    direct = scalar_loss(traj.u, traj.v, y)
    ok = direct > 1e-16
    np.testing.assert_allclose(traj.loss[ok], direct[ok], rtol=1e-4)


@given(weights, weights, targets)
@settings(max_examples=25, deadline=None)
def test_margin_bound_holds_along_trajectories(u0, v0, y):
    traj = scalar_flow(u0, v0, y, T)
    w0, d = u0 * v0, u0**2 - v0**2
    mu = scalar_margin(y, w0)
    if mu > 0:
        assert np.min(np.abs(traj.w)) >= mu - 1e-10
    c = scalar_rate_lower_bound(d, y, w0)
    assert np.all(traj.loss <= np.exp(-c * T) * traj.loss[0] * (1 + 1e-8) + 1e-300)
    # the loss never increases under gradient flow
    assert np.all(np.diff(traj.loss) <= 1e-12 * traj.loss[0])


def test_rate_from_finite_differences_matches_the_formula():
    y, (u0, v0) = 1.0, init_from_product_and_imbalance(0.05, 3.0)
    t = np.linspace(0, 1, 2001)
    traj = scalar_flow(u0, v0, y, t)
    rate_fd = -np.gradient(np.log(scalar_loss(traj.u, traj.v, y)), t)[1:-1]
    np.testing.assert_allclose(rate_fd, scalar_rate_from_product(3.0, traj.w)[1:-1], rtol=1e-5)


# -- closed forms against the integrator --------------------------------------------------
@given(st.floats(-2, 2).filter(lambda w: abs(w) > 1e-3), targets)
@settings(max_examples=30, deadline=None)
def test_balanced_closed_form_matches_integrator(w0, y):
    traj = scalar_flow(*init_from_product_and_imbalance(w0, 0.0), y, T)
    np.testing.assert_allclose(scalar_product_balanced(w0, y, T), traj.w, rtol=1e-8, atol=1e-10)


def test_balanced_closed_form_is_the_talk_formula_and_stable():
    y, w0, t = 2.0, 0.1, np.linspace(0, 3, 7)
    talk = y * w0 * np.exp(2 * y * t) / (y + w0 * (np.exp(2 * y * t) - 1))
    np.testing.assert_allclose(scalar_product_balanced(w0, y, t), talk, rtol=1e-14)
    # no overflow far out, and the limits are right: y when y w0 > 0, the saddle 0 when y w0 < 0
    assert scalar_product_balanced(0.1, 2.0, [1e4])[0] == pytest.approx(2.0, rel=1e-15)
    assert scalar_product_balanced(-0.1, 2.0, [1e4])[0] == 0.0
    # y = 0: w' = -2 w |w|, so w = w0 / (1 + 2 |w0| t)
    np.testing.assert_allclose(scalar_product_balanced(-0.5, 0.0, t), -0.5 / (1 + t), rtol=1e-14)
    assert np.all(scalar_product_balanced(0.0, 1.0, t) == 0)


@given(st.floats(-2, 2), targets, st.floats(-3, 3).filter(lambda d: abs(d) > 0.05))
@settings(max_examples=30, deadline=None)
def test_exact_time_formula_matches_integrator(w0, y, d):
    assume(abs(y - w0) > 1e-3)  # at w0 = y nothing moves and the clock cannot be read off w
    traj = scalar_flow(*init_from_product_and_imbalance(w0, d), y, T)
    t_exact = scalar_time_to_product(w0, traj.w, y, d, abs_residual=np.exp(traj.log_abs_residual))
    np.testing.assert_allclose(t_exact, T, atol=1e-8)


def test_exact_time_formula_reduces_to_the_balanced_closed_form():
    y, w0, t = 1.5, 0.2, np.linspace(0, 2, 9)
    w = scalar_product_balanced(w0, y, t)
    np.testing.assert_allclose(scalar_time_to_product(w0, w, y, 0.0), t, atol=1e-9)


# -- degenerate points --------------------------------------------------------------------
def test_saddle_and_minimum_do_not_move():
    saddle = scalar_flow(0.0, 0.0, 1.0, T)
    assert np.all(saddle.u == 0) and np.all(saddle.v == 0)
    assert np.all(saddle.loss == 0.5)
    at_min = scalar_flow(2.0, 0.5, 1.0, T)
    assert np.all(at_min.w == 1.0) and np.all(at_min.loss == 0)


def test_balanced_wrong_sign_goes_to_the_saddle_imbalanced_does_not():
    y, t = 1.0, np.linspace(0, 10, 11)
    stuck = scalar_flow(*init_from_product_and_imbalance(-0.3, 0.0), y, t)
    assert stuck.loss[-1] == pytest.approx(y**2 / 2, rel=1e-6)
    ok = scalar_flow(*init_from_product_and_imbalance(-0.3, 0.5), y, t)
    assert ok.loss[-1] < 1e-8


def test_rate_helpers_agree():
    u, v = np.array([0.3, -1.2, 2.0]), np.array([0.7, 0.1, -2.0])
    d = scalar_imbalance(u, v)
    np.testing.assert_allclose(scalar_rate_from_weights(u, v), scalar_rate_from_product(d, u * v))
    assert (
        scalar_margin(1.0, 0.25) == 0.25
        and scalar_margin(1.0, 2.5) == -0.5
        and scalar_margin(-1.0, -0.5) == 0.5
    )
    assert scalar_rate_lower_bound(0.0, 1.0, 2.5) == 0.0
    assert scalar_rate_lower_bound(3.0, 1.0, 2.5) == 6.0


# -- errors name the argument -------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "exc", "name"),
    [
        (lambda: scalar_flow(np.nan, 1.0, 1.0, T), ValueError, "u0"),
        (lambda: scalar_flow(1.0, "a", 1.0, T), TypeError, "v0"),
        (lambda: scalar_flow(1.0, 1.0, np.inf, T), ValueError, "y"),
        (lambda: scalar_flow(1.0, 1.0, 1.0, [1.0, 0.5]), ValueError, "t must be nondecreasing"),
        (lambda: scalar_flow(1.0, 1.0, 1.0, [-1.0, 0.5]), ValueError, "t must"),
        (lambda: scalar_flow(1.0, 1.0, 1.0, [[0.0, 1.0]]), ValueError, "t must be a non-empty 1-D"),
        (lambda: scalar_flow(1.0, 1.0, 1.0, T, ode_rtol=0), ValueError, "ode_rtol"),
        (lambda: init_from_product_and_imbalance(None, 1.0), TypeError, "w0"),
        (lambda: init_from_product_and_imbalance(1.0, np.nan), ValueError, "d"),
        (lambda: scalar_product_balanced(0.1, 1.0, [-1.0]), ValueError, "t must"),
        (lambda: scalar_time_to_product(0.1, [1.5], 1.0, 3.0), ValueError, "w must lie between"),
        (lambda: scalar_time_to_product(-0.1, [0.0], 1.0, 0.0), ValueError, "product_balanced"),
        (
            lambda: scalar_time_to_product(0.1, [0.5], 1.0, 1.0, abs_residual=[1, 2]),
            ValueError,
            "abs_residual",
        ),
    ],
)
def test_errors_name_the_argument(call, exc, name):
    with pytest.raises(exc, match=name):
        call()
