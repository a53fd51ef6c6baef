"""Proposition 1 and Theorem 3 at single points: try to break the paper's bounds.

Tolerance. Both sides are computed from the Gram matrix Q = Z Z^T, Z = [U1; V]; the eigenvalues
of the imbalance carry an absolute error of a few eps * ||Q||, which enters the bound multiplied
by lambda_r(Sigma_x). So "rate >= bound" is tested as
rate >= bound * (1 - 1e-9) - 1e-12 * lambda_r(Sigma_x) * tr(Q): a violation larger than rounding
of the inputs fails the test.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lnet
from lnet import bounds as B
from lnet.problem import Problem

SETTINGS = settings(max_examples=80, deadline=None)


def _data(rng, n, D, r, m, spread):
    """X of rank r with singular values spread over 10^-spread .. 10^spread, and Y."""
    Wn, _ = np.linalg.qr(rng.standard_normal((n, n)))
    Ph, _ = np.linalg.qr(rng.standard_normal((D, D)))
    s = 10.0 ** rng.uniform(-spread, spread, r)
    X = (Wn[:, :r] * s) @ Ph[:, :r].T
    Y = rng.standard_normal((n, m)) * 10.0 ** rng.uniform(-1, 1)
    return X, Y


def _weights(rng, D, m, h):
    # Separate scales for U and V: from nearly balanced to strongly imbalanced either way.
    U = rng.standard_normal((D, h)) * 10.0 ** rng.uniform(-1.5, 1)
    V = rng.standard_normal((m, h)) * 10.0 ** rng.uniform(-1.5, 1)
    return U, V


@st.composite
def instances(draw, max_spread=3):
    r = draw(st.integers(1, 4))
    m = draw(st.integers(1, 4))
    h = draw(st.integers(1, 9))  # includes h < r + m and h < min(r, m)
    n = r + draw(st.integers(0, 2))  # n > r: rank-deficient X
    D = n + draw(st.integers(1, 3))
    spread = draw(st.sampled_from([0, 1, max_spread]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X, Y = _data(rng, n, D, r, m, spread)
    U, V = _weights(rng, D, m, h)
    return X, Y, U, V


def _slack(q, Q_trace):
    return 1e-9 * abs(q.rate_lower_bound) + 1e-12 * q.lambda_r_sigma * Q_trace


def _trace(p, U, V):
    U1 = p.Phi1.T @ U
    return float(np.sum(U1**2) + np.sum(V**2))


# ---------------------------------------------------------------------------------------------
# The spectrum of D from the small side
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "r,m,h", [(1, 1, 1), (2, 3, 1), (3, 2, 4), (2, 2, 4), (1, 3, 9), (4, 2, 30)]
)
def test_spectrum_from_gram_matches_explicit_eigvalsh(r, m, h):
    rng = np.random.default_rng(r * 100 + m * 10 + h)
    for _ in range(20):
        U1 = rng.standard_normal((r, h)) * rng.uniform(0.1, 3)
        V = rng.standard_normal((m, h)) * rng.uniform(0.1, 3)
        spec = lnet.imbalance_spectrum(U1, V)
        explicit = np.sort(np.linalg.eigvalsh(U1.T @ U1 - V.T @ V))[::-1]
        scale = np.sum(U1**2) + np.sum(V**2)
        assert spec.eigenvalues.size == min(h, r + m)
        assert np.allclose(spec.padded(), explicit, rtol=0, atol=1e-12 * scale)
        for k in range(1, h + 1):
            assert spec.lam(k) == pytest.approx(explicit[k - 1], abs=1e-12 * scale)
            assert spec.lam_neg(k) == pytest.approx(-explicit[h - k], abs=1e-12 * scale)
        assert spec.lam(h + 1) == 0.0 and spec.lam_neg(h + 1) == 0.0
        Z = np.vstack([U1, V])
        gram = lnet.gram_imbalance_spectrum(Z @ Z.T, r, h)
        assert np.allclose(gram.padded(), explicit, rtol=0, atol=1e-10 * scale)


def test_weights_route_is_accurate_for_a_balanced_imbalance():
    # D = 0 exactly: J Q is nilpotent, the worst case for any route through Q alone.
    rng = np.random.default_rng(1)
    H, _ = np.linalg.qr(rng.standard_normal((9, 3)))
    M = rng.standard_normal((3, 3))
    O, s, Qt = np.linalg.svd(M)
    U1, V = (O * np.sqrt(s)) @ H.T, (Qt.T * np.sqrt(s)) @ H.T
    spec = lnet.imbalance_spectrum(U1, V)
    assert np.max(np.abs(spec.eigenvalues)) < 1e-14 * np.sum(s)
    assert spec.Delta_low < 1e-14 * np.sum(s)


def test_gram_spectrum_runs_at_width_1e5():
    rng = np.random.default_rng(0)
    h = 100_000
    U1, V = rng.standard_normal((3, h)) / np.sqrt(h), rng.standard_normal((2, h)) / np.sqrt(h)
    spec = lnet.imbalance_spectrum(U1, V)
    assert spec.h == h and spec.eigenvalues.size == 5
    # Balanced Gaussian blocks: D has 3 eigenvalues near +1 and 2 near -1.
    assert np.all(np.abs(np.abs(spec.eigenvalues) - 1) < 0.05)
    assert spec.Delta_low == pytest.approx(spec.lam(3) + spec.lam_neg(2))


def test_spread_and_level_definitions_on_a_diagonal_imbalance():
    # U1^T U1 = diag(5, 2, 0, 0, 0), V^T V = diag(0, 0, 4, 1, 0) with r = 2, m = 2.
    U1 = np.zeros((2, 5))
    U1[0, 0], U1[1, 1] = np.sqrt(5), np.sqrt(2)
    V = np.zeros((2, 5))
    V[0, 2], V[1, 3] = 2.0, 1.0
    s = lnet.imbalance_spectrum(U1, V)
    assert (s.lambda_bar_plus, s.lambda_under_plus) == pytest.approx((5, 2))
    assert (s.lambda_bar_minus, s.lambda_under_minus) == pytest.approx((4, 1))
    assert (s.Delta_plus, s.Delta_minus, s.Delta_low) == pytest.approx((3, 3, 3))
    # The talk's misprint reads lambda_r(-D) = lambda_2(-D) = 1 instead of lambda_2(D) = 2.
    assert s.lambda_under_plus_talk_misprint == pytest.approx(1)


@given(instances())
@SETTINGS
def test_dead_hidden_units_change_nothing(inst):
    X, Y, U, V = inst
    p = Problem.from_data(X, Y)
    q = lnet.rate_quantities(X, Y, U, V, problem=p)
    pad = 3
    q2 = lnet.rate_quantities(
        X,
        Y,
        np.hstack([U, np.zeros((U.shape[0], pad))]),
        np.hstack([V, np.zeros((V.shape[0], pad))]),
        problem=p,
    )
    scale = 1e-10 * (1 + abs(q.rate_lower_bound))
    assert q2.rate_lower_bound == pytest.approx(q.rate_lower_bound, abs=scale)
    assert q2.c == pytest.approx(q.c, rel=1e-9, abs=1e-9 * (1 + q.c))
    tol = 1e-12 * (1 + _trace(p, U, V))
    assert q2.spectrum.Delta_low == pytest.approx(q.spectrum.Delta_low, abs=tol)


# ---------------------------------------------------------------------------------------------
# Proposition 1
# ---------------------------------------------------------------------------------------------
@given(instances())
@SETTINGS
def test_instantaneous_rate_is_at_least_the_proposition_1_bound(inst):
    X, Y, U, V = inst
    p = Problem.from_data(X, Y)
    q = lnet.rate_quantities(X, Y, U, V, problem=p)
    assert q.loss_tilde > 0
    assert q.instantaneous_rate >= q.rate_lower_bound - _slack(q, _trace(p, U, V))
    # The chain of the paper: Theorem 3's rate at t = 0 <= Prop 1 bound, and the corollary's
    # sufficient-imbalance rate <= both.
    tol = 1e-9 * (1 + q.rate_lower_bound) + 1e-12 * q.lambda_r_sigma * _trace(p, U, V)
    assert q.convergence_rate <= q.rate_lower_bound + tol
    assert q.sufficient_imbalance_rate <= q.convergence_rate + tol
    assert q.c <= q.c_limit * (1 + 1e-12) + 1e-12


def test_sweep_of_2000_random_instances_never_violates_proposition_1():
    """The correct bound held in 20,000 instances, with equality in some. Reproduce a 10th."""
    rng = np.random.default_rng(20210718)
    worst, n_equal = np.inf, 0
    for _ in range(2000):
        r, m, h = rng.integers(1, 5), rng.integers(1, 5), rng.integers(1, 10)
        n = r + rng.integers(0, 3)
        X, Y = _data(rng, n, n + rng.integers(1, 4), r, m, rng.choice([0, 1, 2]))
        U, V = _weights(rng, X.shape[1], m, h)
        p = Problem.from_data(X, Y)
        q = lnet.rate_quantities(X, Y, U, V, problem=p)
        if q.rate_lower_bound > 0:  # the bound is 0 e.g. when h < min(r, m) and D is small
            gap = (q.instantaneous_rate - q.rate_lower_bound) / q.rate_lower_bound
            worst = min(worst, gap)
            n_equal += gap < 1e-9
        assert q.instantaneous_rate >= q.rate_lower_bound - _slack(q, _trace(p, U, V))
    assert worst > -1e-9
    assert n_equal > 0  # r = m = 1 instances are exact


def test_instantaneous_rate_equals_the_full_gradient_formula():
    """-dL/dt / (L - L*) from the gradient of the full loss in (U, V), not the reduction."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        X, Y = _data(rng, 5, 9, 4, 3, 1)
        U, V = _weights(rng, 9, 3, 6)
        R = Y - X @ U @ V.T
        gU, gV = X.T @ R @ V, R.T @ X @ U
        theta_ls = np.linalg.lstsq(X, Y, rcond=None)[0]
        L_excess = 0.5 * np.sum(R**2) - 0.5 * np.sum((Y - X @ theta_ls) ** 2)
        expected = (np.sum(gU**2) + np.sum(gV**2)) / L_excess
        assert lnet.instantaneous_rate(X, Y, U, V) == pytest.approx(expected, rel=1e-8)


@given(st.floats(-3, 3), st.floats(-3, 3), st.floats(-3, 3), st.floats(0.01, 100))
@SETTINGS
def test_scalar_case_is_exact(u, v, y, s2):
    """r = m = h = 1 with any Sigma_x = s2: rate = bound = s2 * 2 sqrt(d^2 + 4 (uv)^2)."""
    X = np.array([[np.sqrt(s2), 0.0]])
    Y = np.array([[y]])
    U, V = np.array([[u], [0.7]]), np.array([[v]])  # U's null-space part plays no role
    if abs(y - np.sqrt(s2) * u * v) < 1e-6 or abs(u * v) < 1e-6:
        return
    rate = lnet.instantaneous_rate(X, Y, U, V)
    exact = s2 * lnet.scalar_rate_from_product(u * u - v * v, u * v)
    assert rate == pytest.approx(exact, rel=1e-10)
    assert lnet.rate_lower_bound(X, Y, U, V) == pytest.approx(exact, rel=1e-10)


@given(st.integers(1, 12), st.integers(0, 2**32 - 1), st.floats(0.01, 100))
@SETTINGS
def test_bound_is_exact_for_one_input_direction_and_one_output(h, seed, s2):
    """r = m = 1 (rank-1 X, one output): the bound is attained at every width and every point."""
    rng = np.random.default_rng(seed)
    X = np.sqrt(s2) * np.outer(rng.standard_normal(3), rng.standard_normal(5))
    X /= np.linalg.norm(X, 2) / np.sqrt(s2)
    Y = rng.standard_normal((3, 1))
    U, V = _weights(rng, 5, 1, h)
    q = lnet.rate_quantities(X, Y, U, V)
    assert q.instantaneous_rate == pytest.approx(q.rate_lower_bound, rel=1e-8)


def test_talk_grouping_equals_notes_grouping():
    rng = np.random.default_rng(5)
    for _ in range(200):
        lbp, lup = np.sort(rng.exponential(size=2))[::-1]
        lbm, lum = np.sort(rng.exponential(size=2))[::-1]
        s_m, s_r = rng.exponential(size=2)
        low = lup + lum
        notes = B._line(lbp - lup, low, 4 * s_m**2) + B._line(lbm - lum, low, 4 * s_r**2)
        assert B._talk_form(lbp, lum, lbm, lup, s_m, s_r) == pytest.approx(notes, rel=1e-12)


def test_line_is_stable_when_the_spread_dominates():
    # -Delta + sqrt((Delta + low)^2 + b) with Delta = 1e9: direct evaluation cancels to 0.
    d, low, b = 1e9, 1e-3, 4e-2
    exact = low + b / (np.sqrt((d + low) ** 2 + b) + d + low)
    assert B._line(d, low, b) == pytest.approx(exact, rel=1e-14)
    assert B._line(d, low, b) > low


# ---------------------------------------------------------------------------------------------
# The talk's misprint
# ---------------------------------------------------------------------------------------------
def _misprint_counterexample():
    """First seeded r = m = 1, h = 2 instance where the misprinted 'bound' exceeds the true rate."""
    for seed in range(200):
        rng = np.random.default_rng(seed)
        X = np.array([[1.0, 0.0]])
        Y = rng.standard_normal((1, 1))
        U = np.vstack([rng.standard_normal((1, 2)), np.zeros((1, 2))])
        V = rng.standard_normal((1, 2))
        q = lnet.rate_quantities(X, Y, U, V)
        if q.rate_lower_bound_talk_misprint > q.instantaneous_rate * (1 + 1e-6):
            return seed, X, Y, U, V, q
    raise AssertionError("no counterexample in 200 seeds")


def test_talk_misprint_exceeds_the_true_rate():
    seed, X, Y, U, V, q = _misprint_counterexample()
    assert seed < 20  # about half of random r = m = 1, h = 2 instances are counterexamples
    assert lnet.rate_lower_bound_talk_misprint(X, Y, U, V) > lnet.instantaneous_rate(X, Y, U, V)
    # ... while the corrected bound is exact there.
    assert q.rate_lower_bound == pytest.approx(q.instantaneous_rate, rel=1e-10)


def test_talk_misprint_fails_often_at_r_m_1_h_2():
    rng = np.random.default_rng(11)
    X = np.array([[1.0, 0.0]])
    bad = 0
    for _ in range(400):
        U = np.vstack([rng.standard_normal((1, 2)), np.zeros((1, 2))])
        q = lnet.rate_quantities(X, rng.standard_normal((1, 1)), U, rng.standard_normal((1, 2)))
        bad += q.rate_lower_bound_talk_misprint > q.instantaneous_rate * (1 + 1e-9)
    assert 0.2 < bad / 400 < 0.8


# ---------------------------------------------------------------------------------------------
# Tightness (EXT Prop 14)
# ---------------------------------------------------------------------------------------------
@given(
    st.integers(1, 4),
    st.integers(1, 4),
    st.integers(0, 3),
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
@SETTINGS
def test_attaining_instance_has_the_given_D_and_product_and_attains_the_bound(
    r, m, extra, seed, degenerate
):
    rng = np.random.default_rng(seed)
    h = r + m + extra
    pos = rng.exponential(size=r) * (rng.random(r) > 0.3 * degenerate)
    neg = rng.exponential(size=m) * (rng.random(m) > 0.3 * degenerate)
    if r == m and r >= 2:
        pos[:], neg[:] = pos[0], neg[0]  # the one case of r = m >= 2 the construction covers
    G, _ = np.linalg.qr(rng.standard_normal((h, h)))
    D = (G * np.concatenate([pos, -neg, np.zeros(extra)])) @ G.T
    P = rng.standard_normal((r, m)) * (rng.random() > 0.2 * degenerate)
    t = lnet.attaining_instance(D, P)
    assert np.allclose(t.U1.T @ t.U1 - t.V.T @ t.V, D, atol=1e-10 * (1 + np.abs(D).max()))
    assert np.allclose(t.U1 @ t.V.T, P, atol=1e-10 * (1 + np.abs(P).max()))
    q = lnet.rate_quantities(t.X, t.Y, t.U, t.V)
    assert q.instantaneous_rate == pytest.approx(q.rate_lower_bound, rel=1e-8, abs=1e-10)


def test_attaining_instance_refuses_what_it_cannot_do():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="h >= r \\+ m"):
        lnet.attaining_instance(np.zeros((2, 2)), np.ones((1, 2)))
    with pytest.raises(ValueError, match="at most r = 1 positive"):
        lnet.attaining_instance(np.diag([1.0, 2.0, 0.0]), np.ones((1, 1)))
    with pytest.raises(ValueError, match="r = m >= 2"):
        lnet.attaining_instance(np.diag([1.0, 2.0, -1.0, -3.0]), rng.standard_normal((2, 2)))


# ---------------------------------------------------------------------------------------------
# Theorem 3 at a point, corollaries, closed forms
# ---------------------------------------------------------------------------------------------
@given(instances(), st.floats(0.0, 0.9), st.floats(-2, 2))
@SETTINGS
def test_sufficient_margin_gives_a_positive_rate_at_any_imbalance(inst, shrink, log_g):
    """U V^T = theta_hat + (shrink) * noise, factored with an arbitrary G: any imbalance, a margin."""
    X, Y, U, V = inst
    p = Problem.from_data(X, Y)
    rng = np.random.default_rng(abs(hash((X.shape, float(X.sum())))) % 2**32)
    D, m = p.D, p.m
    h = max(U.shape[1], m)
    smin = np.linalg.svd(p.Ytilde, compute_uv=False)[-1]
    noise = rng.standard_normal((D, m))
    # ||Sigma^{1/2} Phi1^T noise||_F <= ||X||_2 ||noise||_F: scale so the margin stays positive.
    noise *= shrink * smin / (np.linalg.norm(X, 2) * np.linalg.norm(noise) + 1e-300)
    theta = p.theta_hat + noise
    Qh, _ = np.linalg.qr(rng.standard_normal((h, m)))
    G = rng.standard_normal((m, m)) + 3 * np.eye(m)
    G *= 10.0**log_g
    U, V = theta @ G @ Qh.T, np.linalg.inv(G).T @ Qh.T
    q = lnet.rate_quantities(X, Y, U, V, problem=p)
    assert np.allclose(U @ V.T, theta, atol=1e-8 * (1 + np.abs(theta).max()))
    assert q.margin >= (1 - shrink) * smin * (1 - 1e-9) - 1e-12
    assert q.c > 0 and q.convergence_rate > 0
    if q.spectrum.Delta_low > 0:
        assert q.convergence_rate >= q.sufficient_imbalance_rate * (1 - 1e-12)


def test_margin_corollary_on_a_near_solution():
    rng = np.random.default_rng(8)
    X, Y = _data(rng, 4, 7, 4, 2, 1)
    p = Problem.from_data(X, Y)
    theta = p.theta_hat + 1e-3 * rng.standard_normal((7, 2))
    # U = theta Q^T, V = Q^T with Q^T Q = I gives U V^T = theta: a margin, whatever the imbalance.
    Qh, _ = np.linalg.qr(rng.standard_normal((6, 2)))
    U, V = theta @ Qh.T, Qh.T
    q = lnet.rate_quantities(X, Y, U, V, problem=p)
    assert q.margin > 0.5 * np.linalg.svd(p.Ytilde, compute_uv=False)[-1]
    assert q.c > 0
    assert lnet.margin(X, Y, U, V) == pytest.approx(q.margin)


def test_homogeneous_imbalance_recovers_tarmoun_rate():
    rng = np.random.default_rng(2)
    r = m = h = 3
    X = np.hstack([np.eye(r), np.zeros((r, 2))])
    for lam0 in (0.7, -1.3):
        Y = rng.standard_normal((r, m))
        V = rng.standard_normal((m, h))
        if lam0 > 0:
            w, G = np.linalg.eigh(V.T @ V + lam0 * np.eye(h))
            U1 = (G * np.sqrt(w)) @ G.T
        else:
            U1 = rng.standard_normal((r, h))
            w, G = np.linalg.eigh(U1.T @ U1 - lam0 * np.eye(h))
            V = (G * np.sqrt(w)) @ G.T
        U = np.vstack([U1, np.zeros((2, h))])
        p = Problem.from_data(X, Y)
        assert np.allclose(lnet.imbalance(X, U, V), lam0 * np.eye(h), atol=1e-10)
        expected = lnet.homogeneous_asymptotic_rate(lam0, p.Ytilde)
        assert lnet.local_rate_limit(X, Y, U, V, problem=p) == pytest.approx(expected, rel=1e-10)
        cls = lnet.classify_initialization(X, Y, U, V, problem=p)
        assert cls["homogeneous_imbalance"].applies
        assert cls["homogeneous_imbalance"].rate == pytest.approx(expected, rel=1e-10)
        assert cls["sufficient_imbalance"].applies
        assert cls["sufficient_imbalance"].rate == pytest.approx(2 * abs(lam0), rel=1e-9)


def test_scalar_rate_closed_form():
    assert lnet.scalar_rate_from_product(0.0, 1.5) == pytest.approx(6.0)
    assert lnet.scalar_rate_from_product(3.0, 0.0) == pytest.approx(6.0)
    u, v = 1.3, -0.4
    assert lnet.scalar_rate_from_product(u * u - v * v, u * v) == pytest.approx(2 * (u * u + v * v))
    assert lnet.scalar_rate_from_product(
        np.array([0.0, 3.0]), np.array([1.5, 0.0])
    ) == pytest.approx([6, 6])


def test_theorem3_bound_curve_and_local_restart():
    rng = np.random.default_rng(4)
    X, Y = _data(rng, 3, 6, 3, 2, 1)
    U, V = _weights(rng, 6, 2, 7)
    q = lnet.rate_quantities(X, Y, U, V)
    t = np.linspace(0, 2, 5)
    curve = lnet.theorem3_bound(X, Y, U, V, t)
    assert curve[0] == pytest.approx(q.loss_tilde)
    assert np.allclose(curve, q.loss_tilde * np.exp(-q.convergence_rate * t))
    later = lnet.theorem3_bound(X, Y, U, V, t + 1, t0=1.0)
    assert np.allclose(later, curve)
    with pytest.raises(ValueError, match="t must be >= t0"):
        lnet.theorem3_bound(X, Y, U, V, [0.5], t0=1.0)
    assert lnet.theorem3_c(X, Y, U, V) * q.lambda_r_sigma == pytest.approx(
        lnet.convergence_rate(X, Y, U, V)
    )


# ---------------------------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------------------------
def test_classification_of_a_balanced_initialization_with_margin():
    rng = np.random.default_rng(6)
    X, Y = _data(rng, 3, 6, 3, 2, 0)
    p = Problem.from_data(X, Y)
    M = (p.Ytilde / p.sqrt_sigma[:, None]) * 0.95  # U1 V^T near the solution: a margin
    O, s, Qt = np.linalg.svd(M, full_matrices=False)
    H, _ = np.linalg.qr(rng.standard_normal((8, 2)))
    U1 = (O * np.sqrt(s)) @ H.T
    V = (Qt.T * np.sqrt(s)) @ H.T
    U = p.Phi1 @ U1
    cls = lnet.classify_initialization(X, Y, U, V, problem=p)
    assert set(cls.applying) == {"balanced", "margin_approx_balanced", "sufficient_margin"}
    assert cls["balanced"].rate == pytest.approx(cls.quantities.convergence_rate)
    assert cls.best_rate > 0


def test_classification_of_a_wide_random_initialization():
    rng = np.random.default_rng(7)
    X, Y = _data(rng, 3, 6, 3, 2, 0)
    h = 400
    U, V = rng.standard_normal((6, h)) / np.sqrt(h), rng.standard_normal((2, h)) / np.sqrt(h)
    cls = lnet.classify_initialization(X, Y, U, V)
    assert "sufficient_imbalance" in cls.applying
    assert "balanced" not in cls.applying and "homogeneous_imbalance" not in cls.applying
    with pytest.raises(KeyError, match="no row"):
        cls["nope"]


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------
def test_errors_name_the_argument():
    rng = np.random.default_rng(0)
    X, Y = _data(rng, 3, 5, 3, 2, 0)
    U, V = _weights(rng, 5, 2, 4)
    with pytest.raises(ValueError, match="U must have 5 rows"):
        lnet.rate_lower_bound(X, Y, U[:4], V)
    with pytest.raises(ValueError, match="V must have 4 columns"):
        lnet.instantaneous_rate(X, Y, U, V[:, :3])
    bad = V.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="V contains 1 NaN"):
        lnet.convergence_rate(X, Y, U, bad)
    with pytest.raises(ValueError, match="give X and Y"):
        lnet.convergence_rate(None, None, U, V)
    p = Problem.from_data(X, Y)
    with pytest.raises(ValueError, match="X has shape"):
        lnet.convergence_rate(X[:, :4], None, U, V, problem=p)
    with pytest.raises(TypeError, match="problem must be an lnet.Problem"):
        lnet.reduced_rate_quantities("p", U[:3], V)
    with pytest.raises(ValueError, match="Q must be symmetric"):
        lnet.gram_rate_quantities(p, np.triu(np.ones((5, 5))), 4)
    with pytest.raises(ValueError, match="U1 must have 3 rows"):
        lnet.reduced_rate_quantities(p, U, V)


def test_problem_keyword_and_reduced_and_gram_forms_agree():
    rng = np.random.default_rng(9)
    X, Y = _data(rng, 4, 7, 3, 2, 1)
    U, V = _weights(rng, 7, 2, 5)
    p = Problem.from_data(X, Y)
    a = lnet.rate_quantities(X, Y, U, V)
    b = lnet.rate_quantities(None, None, U, V, problem=p)
    U1 = p.Phi1.T @ U
    c = lnet.reduced_rate_quantities(p, U1, V)
    Z = np.vstack([U1, V])
    d = lnet.gram_rate_quantities(p, Z @ Z.T, 5)
    for f in ("instantaneous_rate", "rate_lower_bound", "convergence_rate", "local_rate_limit"):
        vals = [getattr(x, f) for x in (a, b, c, d)]
        assert np.allclose(vals, vals[0], rtol=1e-9), f


def test_instantaneous_rate_is_nan_at_a_global_minimum():
    X = np.array([[1.0, 0.0]])
    Y = np.array([[2.0]])
    U, V = np.array([[1.0], [0.0]]), np.array([[2.0]])
    q = lnet.rate_quantities(X, Y, U, V)
    assert q.loss_tilde == 0 and np.isnan(q.instantaneous_rate)
    assert q.rate_lower_bound == pytest.approx(lnet.scalar_rate_from_product(1 - 4, 2))


def test_experiment_A_legend_values_are_the_imbalance_level():
    """Paper scale (D = 400, n = 100, m = 1, h = 500, Sigma_x = I): the legend's c (ICML 6.02,
    39.6, 20.1) is Delta_low, i.e. half of Theorem 3's c(0) = 2 Delta_low (m = 1, no margin)."""
    rng = np.random.default_rng(0)
    n, D, m, h = 100, 400, 1, 500
    W, _, Vt = np.linalg.svd(rng.standard_normal((n, D)), full_matrices=False)
    X = W @ Vt
    Y = X @ (rng.standard_normal((D, m)) / np.sqrt(D)) + 0.01 * rng.standard_normal((n, m))
    p = Problem.from_data(X, Y)
    U0, V0 = rng.standard_normal((D, h)), rng.standard_normal((m, h))
    for (su, sv), legend in zip(
        [(0.1, 0.1), (0.5, 0.02), (0.05, 0.2)], [6.02, 39.6, 20.1], strict=True
    ):
        q = lnet.rate_quantities(None, None, su * U0, sv * V0, problem=p)
        assert q.spectrum.Delta_low == pytest.approx(legend, rel=0.1)
        assert q.c == pytest.approx(2 * q.spectrum.Delta_low, rel=1e-12)
    # The ICML legend's (0.2, 0.05) for case 2 gives about 7, not about 40 (an erratum of the ICML legend).
    q = lnet.rate_quantities(None, None, 0.2 * U0, 0.05 * V0, problem=p)
    assert 5 < q.spectrum.Delta_low < 10
