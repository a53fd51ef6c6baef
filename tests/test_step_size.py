"""Tests of lnet.step_size: hand-computed constants, the per-step guarantee, and where it fails.

Hand case (scalar network, X = 1, y = 2, u = 1, v = 1/2): E = 3/2, L = 9/8, d = u^2 - v^2 = 3/4,
p1 = [2 - 3/2]_+ = 1/2, p2 = 2 + 3/2 = 7/2, alpha = sqrt(d^2 + 4 p1^2) = 5/4,
beta = (3/4 + sqrt(9/16 + 49))/2 + 7/2, and with 2 sqrt(2) sqrt(L) = 3:
a1 = 5/2, a2 = 21/2 + beta^2, a3 = 21/2 beta, a4 = 2 (7/2)^2 9/8 = 441/16.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import lnet
from lnet import Problem
from lnet.step_size import RULES


def _scalar(y=2.0, u=1.0, v=0.5):
    return Problem.from_data([[1.0]], [[y]]), np.array([[u]]), np.array([[v]])


def _step(p, U1, V, eta):
    s = p.sqrt_sigma[:, None]
    A = s * (p.Ytilde - s * (U1 @ V.T))
    return U1 + eta * A @ V, V + eta * A.T @ U1


def _ltilde(p, U1, V):
    E = p.reduced_residual(U1, V)
    return 0.5 * float(np.sum(E * E))


# -- hand-computed cases ---------------------------------------------------------------------------
def test_constants_scalar_by_hand():
    c = lnet.step_constants(*_scalar())
    beta = (0.75 + math.sqrt(0.5625 + 49)) / 2 + 3.5
    assert c.loss == pytest.approx(9 / 8)
    assert c.p1_m == pytest.approx(0.5) and c.p2 == pytest.approx(3.5)
    assert c.alpha == pytest.approx(1.25, rel=1e-14)
    assert c.beta == pytest.approx(beta, rel=1e-14)


def test_polynomial_scalar_by_hand():
    c = lnet.step_constants(*_scalar())
    beta = c.beta
    poly = lnet.contraction_polynomial(c)
    assert poly.a1 == pytest.approx(2.5)
    assert poly.a2 == pytest.approx(10.5 + beta**2)
    assert poly.a3 == pytest.approx(10.5 * beta)
    assert poly.a4 == pytest.approx(441 / 16)
    eta = 0.01
    assert poly(eta) == pytest.approx(
        1 - 2.5 * eta + poly.a2 * eta**2 + poly.a3 * eta**3 + poly.a4 * eta**4
    )
    # c1, c2 scale the first-order and the beta terms
    p2 = lnet.contraction_polynomial(c, c1=2.0, c2=0.5)
    assert p2.a1 == pytest.approx(1.25) and p2.a2 == pytest.approx(10.5 + 4 * beta**2)
    # the minimizer is a root of rho'
    eta_star = poly.minimizer()
    d = -poly.a1 + 2 * poly.a2 * eta_star + 3 * poly.a3 * eta_star**2 + 4 * poly.a4 * eta_star**3
    assert abs(d) < 1e-12 * poly.a1
    assert poly(eta_star) < 1


def test_alpha_is_half_theorem3_c():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 9))
    Y = rng.standard_normal((6, 2))
    U, V = rng.standard_normal((9, 7)), rng.standard_normal((2, 7))
    p = Problem.from_data(X, Y)
    U1 = p.Phi1.T @ U
    c = lnet.step_constants(p, U1, V)
    assert c.alpha == pytest.approx(0.5 * lnet.rate_quantities(X, Y, U, V).c, rel=1e-12)
    assert lnet.direct_step_constants(p, U1, V).alpha >= c.alpha * (1 - 1e-12)
    assert lnet.direct_step_constants(p, U1, V).beta <= c.beta * (1 + 1e-12)


def test_forms_agree_for_equal_singular_values_only():
    rng = np.random.default_rng(0)
    U1, V = rng.standard_normal((3, 5)), rng.standard_normal((2, 5))
    Y = rng.standard_normal((3, 2))
    iso = Problem.from_data(2.0 * np.eye(3), Y)
    c = lnet.step_constants(iso, U1, V)
    g, k = (lnet.contraction_polynomial(c, form=f, c1=1.5, c2=0.5) for f in ("general", "code"))
    assert np.allclose([g.a1, g.a2, g.a3, g.a4], [k.a1, k.a2, k.a3, k.a4], rtol=1e-13)
    ill = Problem.from_data(np.diag([1.0, 2.0, 10.0]), Y)
    c = lnet.step_constants(ill, U1, V)
    g, k = (lnet.contraction_polynomial(c, form=f) for f in ("general", "code"))
    assert k.a2 < g.a2 and k.a3 < g.a3


def test_earlier_step_sizes_by_hand():
    p, U1, V = _scalar()
    assert lnet.arora_step_size(p, U1, V) == pytest.approx(0.5**3 / (1e5 * 16))
    du = lnet.du_step_sizes(p, 3)
    assert du == pytest.approx([1 / (100 * k * 2**1.5) for k in (1, 2, 3)])


def test_sharpness_scalar_at_solution():
    p, _, _ = _scalar()
    u = np.array([[math.sqrt(2)]])
    assert lnet.sharpness(p, u, u, loss="half") == pytest.approx(4.0)  # u^2 + v^2
    assert lnet.sharpness(p, u, u, loss="mean") == pytest.approx(8.0)  # times 2/n, n = 1


def test_step_conversions():
    assert lnet.half_loss_step(5e-4, 100) == pytest.approx(1e-5)
    assert lnet.mean_loss_step(1e-5, 100) == pytest.approx(5e-4)


# -- rules and driver --------------------------------------------------------------------------------
def _instance(seed=0, sigma=1.0, n=5, m=3, h=40):
    rng = np.random.default_rng(seed)
    X, _ = np.linalg.qr(rng.standard_normal((n, n)))
    Y = X @ rng.normal(0, 1 / math.sqrt(n), (n, m))
    r = math.sqrt((sigma + math.sqrt(sigma**2 + 4)) / 2)
    return Problem.from_data(X, Y), r * rng.standard_normal((n, h)), rng.standard_normal((m, h)) / r


@pytest.mark.parametrize("rule", RULES)
def test_rules_keep_their_guarantee(rule):
    p, U, V = _instance()
    run = lnet.run_step_size_rule(p, U, V, rule, 60, c1=1.5, c2=0.5, track=True)
    assert np.all(run.within)  # the caps keep the run within the factors c1, c2
    assert np.all(run.losses[1:] <= run.rho * run.losses[:-1] * (1 + 1e-12))
    assert np.all(run.losses <= run.bound * (1 + 1e-9))
    cap = min(lnet.step_size_limits(run.constants0, 1.5, 0.5))
    assert np.all(run.etas <= cap * (1 + 1e-12))
    assert run.losses[-1] < run.losses[0]


def test_rule_step_size_matches_driver():
    p, U, V = _instance(1)
    U1 = p.Phi1.T @ U
    c0 = lnet.step_constants(p, U1, V)
    eta = lnet.rule_step_size("fixed", p, U1, V, constants0=c0, c1=1.5, c2=0.5)
    run = lnet.run_step_size_rule(p, U, V, "fixed", 3, c1=1.5, c2=0.5)
    assert run.etas == pytest.approx([eta] * 3)


def test_compact_and_full_width_give_the_same_constants():
    p, U, V = _instance(2, h=60)
    net = lnet.make_network(p, U, V, "compact")
    a, b = lnet.step_constants(p, p.Phi1.T @ U, V), lnet.step_constants(p, net.U1, net.V)
    assert a.alpha == pytest.approx(b.alpha, rel=1e-9) and a.beta == pytest.approx(b.beta, rel=1e-9)


# -- input validation ----------------------------------------------------------------------------------
def test_errors_speak():
    p, U1, V = _scalar()
    with pytest.raises(ValueError, match="NaN"):
        lnet.step_constants(p, np.array([[np.nan]]), V)
    with pytest.raises(ValueError, match="rows"):
        lnet.step_constants(p, np.ones((2, 1)), V)
    with pytest.raises(ValueError, match="rule must be"):
        lnet.run_step_size_rule(p, np.ones((1, 1)), V, "adam", 3)
    with pytest.raises(ValueError, match="c1 >= 1"):
        lnet.contraction_polynomial(lnet.step_constants(p, U1, V), c1=0.5)
    with pytest.raises(ValueError, match="needs etas"):
        lnet.run_step_size_rule(p, np.ones((1, 1)), V, "constant", 3)
    # no imbalance and no margin: alpha = 0, no step has a guarantee
    zero = lnet.step_constants(p, np.array([[1.0]]), np.array([[-1.0]]))
    assert zero.alpha == 0
    with pytest.raises(ValueError, match="alpha vanishes"):
        lnet.contraction_polynomial(zero).minimizer()
    with pytest.raises(lnet.DivergenceError, match="diverged"):
        lnet.run_step_size_rule(p, np.array([[3.0]]), np.array([[3.0]]), "constant", 200, etas=10.0)


# -- the per-step guarantee, by hypothesis ---------------------------------------------------------------
_sizes = st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 6))


def _random_point(seed, r, m, h, log_kappa):
    rng = np.random.default_rng(seed)
    Q1, _ = np.linalg.qr(rng.standard_normal((r, r)))
    Q2, _ = np.linalg.qr(rng.standard_normal((r, r)))
    sv = np.exp(rng.uniform(0, log_kappa, r))
    X = Q1 @ np.diag(sv) @ Q2
    Y = rng.standard_normal((r, m)) * 10 ** rng.uniform(-1, 1)
    p = Problem.from_data(X, Y)
    sc = 10 ** rng.uniform(-1, 1)
    return (
        p,
        sc * rng.standard_normal((r, h)),
        sc * 10 ** rng.uniform(-1, 1) * rng.standard_normal((m, h)),
    )


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    sizes=_sizes,
    log_kappa=st.floats(0, 5),
    log_eta=st.floats(-5, 1),
)
def test_one_step_never_beats_rho_hat(seed, sizes, log_kappa, log_eta):
    """For any point and any step, the polynomial with the point's own constants bounds the step."""
    p, U1, V = _random_point(seed, *sizes, log_kappa)
    L = _ltilde(p, U1, V)
    assume(L > 1e-20 * float(np.sum(p.Ytilde**2)))  # above rounding level
    eta = 10.0**log_eta
    for constants in (lnet.step_constants(p, U1, V), lnet.direct_step_constants(p, U1, V)):
        rho = lnet.contraction_polynomial(constants)(eta)
        assert _ltilde(p, *_step(p, U1, V, eta)) <= rho * L * (1 + 1e-9) + 1e-300


def test_code_form_fails_for_ill_conditioned_x():
    """The public code's coefficients are not a bound when X's singular values differ (found here)."""
    worst = 0.0
    for seed in range(300):
        p, U1, V = _random_point(seed, 3, 2, 4, math.log(10.0))
        L = _ltilde(p, U1, V)
        poly = lnet.contraction_polynomial(lnet.step_constants(p, U1, V), form="code")
        for eta in np.geomspace(1e-4, 1.0, 9):
            worst = max(worst, _ltilde(p, *_step(p, U1, V, eta)) / (poly(eta) * L))
    assert worst > 1.5


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), log_factor=st.floats(0, 2.5))
def test_start_constants_bound_every_step_within_the_assumptions(seed, log_factor):
    """With the start's constants, f(eta) bounds every step at which the assumptions hold.

    Steps up to 300 times the rule's step (far beyond the caps) are tried; the bound is only
    checked where the iterate's own alpha >= c2 alpha_0, beta <= c1 beta_0 and the loss is not
    above the start's.
    """
    rng = np.random.default_rng(seed)
    r, m, h = int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(2, 6))
    p = Problem.from_data(np.eye(r), 2 * rng.standard_normal((r, m)))
    U1, V = 0.3 * rng.standard_normal((r, h)), rng.standard_normal((m, h))
    c0 = lnet.step_constants(p, U1, V)
    assume(c0.alpha > 1e-9)
    eta = 10.0**log_factor * lnet.rule_step_size("fixed", p, U1, V, constants0=c0, c1=1.5, c2=0.5)
    for _ in range(40):
        L = _ltilde(p, U1, V)
        if not (1e-20 * float(np.sum(p.Ytilde**2)) < L < 1e8):
            break
        ck = lnet.step_constants(p, U1, V)
        within = ck.alpha >= 0.5 * c0.alpha and ck.beta <= 1.5 * c0.beta and ck.s <= c0.s
        f = lnet.contraction_polynomial(c0, loss=L, c1=1.5, c2=0.5)(eta)
        U1, V = _step(p, U1, V, eta)
        if within:
            assert _ltilde(p, U1, V) <= f * L * (1 + 1e-9)


def test_start_constants_can_fail_outside_the_assumptions():
    """Beyond the caps the run leaves the assumptions, and there the bound does fail (found here)."""
    failures = 0
    for seed in range(60):
        rng = np.random.default_rng(seed)
        p = Problem.from_data(np.eye(2), 2 * rng.standard_normal((2, 1)))
        U1, V = 0.3 * rng.standard_normal((2, 4)), rng.standard_normal((1, 4))
        c0 = lnet.step_constants(p, U1, V)
        if c0.alpha <= 1e-9:
            continue
        eta = 100 * lnet.rule_step_size("fixed", p, U1, V, constants0=c0, c1=1.5, c2=0.5)
        for _ in range(20):
            L = _ltilde(p, U1, V)
            if not 1e-20 < L < 1e8:
                break
            f = lnet.contraction_polynomial(c0, loss=L, c1=1.5, c2=0.5)(eta)
            U1, V = _step(p, U1, V, eta)
            failures += _ltilde(p, U1, V) > f * L * (1 + 1e-9)
    assert failures > 0
