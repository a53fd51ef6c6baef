"""The random-initialization Lemma and Theorem 2 by Monte Carlo: how often each promise holds."""

import numpy as np
import pytest

import lnet
from lnet.experiments import width as ew
from lnet.problem import Problem


def test_h0_and_bounds_formulas():
    D, r, m, h, alpha, delta = 10, 5, 2, 1000, 0.5, 0.1
    beta = np.sqrt(m + D) + np.log(2 / delta) / 2
    assert lnet.lemma_h0(D, m, delta) == pytest.approx(16 * beta**2)
    b = lnet.lemma_bounds(D, r, m, h, alpha, delta)
    assert b.imbalance == pytest.approx(1.0)  # h^(1 - 2 alpha) at alpha = 1/2
    assert b.orthogonality == pytest.approx(2 * np.sqrt(m + r) * beta / np.sqrt(h))
    assert b.product == pytest.approx(2 * np.sqrt(m) * beta / np.sqrt(h))
    assert b.applies == (h > 16 * beta**2)
    sq = lnet.lemma_bounds(D, r, m, h, alpha, delta, tail="sqrt")
    beta_sqrt = np.sqrt(m + D) + np.sqrt(np.log(20))
    assert sq.product == pytest.approx(2 * np.sqrt(m) * beta_sqrt / np.sqrt(h))


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="alpha must lie in"):
        lnet.lemma_bounds(10, 5, 1, 100, 0.2, 0.1)
    with pytest.raises(ValueError, match="delta must lie in"):
        lnet.lemma_bounds(10, 5, 1, 100, 0.5, 1.5)
    with pytest.raises(ValueError, match="r \\(rank of X\\) must be <= D"):
        lnet.lemma_bounds(4, 5, 1, 100, 0.5, 0.1)
    with pytest.raises(ValueError, match="tail must be"):
        lnet.lemma_h0(4, 1, 0.1, tail="nope")
    with pytest.raises(TypeError, match="h must be an integer"):
        lnet.lemma_bounds(10, 5, 1, 100.0, 0.5, 0.1)


def test_lemma_quantities_from_X_agree_with_the_blocks():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 9))
    p = Problem.from_data(X, np.zeros((4, 1)))
    U, V = rng.standard_normal((9, 30)), rng.standard_normal((2, 30))
    q = lnet.lemma_quantities(X, U, V)
    U1, U2 = p.split(U)
    assert q.product == pytest.approx(np.linalg.norm(U1 @ V.T))
    assert q.orthogonality == pytest.approx(np.linalg.norm(np.vstack([V @ U2.T, U1 @ U2.T])))
    D = np.sort(np.linalg.eigvalsh(U1.T @ U1 - V.T @ V))[::-1]
    assert q.imbalance == pytest.approx(D[p.r - 1] - D[-V.shape[0]])


@pytest.mark.parametrize("alpha", [0.3, 0.5])
def test_lemma_holds_at_least_as_often_as_promised_above_h0(alpha):
    D, r, m, delta = 10, 5, 1, 0.1
    h = int(lnet.lemma_h0(D, m, delta)) + 1
    mc = ew.lemma_monte_carlo(D, r, m, h, alpha, delta, seeds=300)
    assert mc.bounds.applies
    assert mc.frac_all >= mc.target
    # Not only 1 - delta: every draw satisfies every inequality, with room to spare.
    assert mc.frac_all == 1.0
    assert max(mc.max_ratio.values()) < 0.8


def test_lemma_probabilities_do_not_depend_on_alpha():
    """Each inequality is homogeneous in the scale h^-alpha: the same draws pass at every alpha."""
    a = ew.lemma_monte_carlo(8, 3, 2, 60, 0.3, 0.1, seeds=50)
    b = ew.lemma_monte_carlo(8, 3, 2, 60, 0.5, 0.1, seeds=50)
    assert a.max_ratio == pytest.approx(b.max_ratio)
    assert a.frac_all == b.frac_all


def test_lemma_imbalance_fails_below_h0():
    """Below the threshold the imbalance inequality is the first to break."""
    mc = ew.lemma_monte_carlo(10, 5, 1, 12, 0.5, 0.1, seeds=300)
    assert not mc.bounds.applies
    assert mc.frac_imbalance < 0.9
    assert mc.frac_orthogonality == 1.0 and mc.frac_product == 1.0


def test_theorem2_bound_formula():
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((4, 10)) / np.sqrt(10), rng.standard_normal((4, 1))
    p = Problem.from_data(X, Y)
    t = lnet.theorem2_bound(X, Y, 500, 0.5, 0.1)
    C = np.exp(1 + np.sqrt(p.sigma[0]) * np.linalg.norm(Y) / p.sigma[-1])
    b = lnet.lemma_bounds(10, 4, 1, 500, 0.5, 0.1)
    assert pytest.approx(C) == t.C
    assert t.distance == pytest.approx(C * b.orthogonality)  # C^(1/h^0) = C at alpha = 1/2
    assert t.loss_rate == pytest.approx(2 * p.sigma[-1])
    assert not t.threshold_explicit
    t3 = lnet.theorem2_bound(X, Y, 500, 0.3, 0.1, problem=p)
    b3 = lnet.lemma_bounds(10, 4, 1, 500, 0.3, 0.1)
    assert t3.distance == pytest.approx(C ** (1 / 500**0.4) * b3.orthogonality)


def test_theorem2_monte_carlo_distance_is_below_the_bound_and_shrinks_like_h_to_minus_half():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((4, 10)) / np.sqrt(10)
    Y = X @ rng.standard_normal((10, 1)) / np.sqrt(10)
    p = Problem.from_data(X, Y)
    small = ew.theorem2_monte_carlo(None, None, 400, 0.5, 0.1, seeds=8, problem=p)
    large = ew.theorem2_monte_carlo(None, None, 6400, 0.5, 0.1, seeds=8, problem=p)
    for mc in (small, large):
        assert np.all(mc.final_loss_ratio < 1e-10)
        assert mc.frac_bound == 1.0 and mc.frac_bound_F == 1.0
        assert np.all(mc.distance_2 <= mc.distance_F * (1 + 1e-12))
    # 16x the width: the distance falls by about 4 (h^-1/2 at alpha = 1/2).
    ratio = small.distance_F.mean() / large.distance_F.mean()
    assert 2.5 < ratio < 6.5


def test_theorem2_monte_carlo_agrees_with_a_direct_flow():
    """The width-independent flow inside theorem2_monte_carlo against a flow on (U1, V)."""
    from scipy.integrate import solve_ivp

    rng = np.random.default_rng(3)
    X = rng.standard_normal((2, 5))
    Y = rng.standard_normal((2, 1))
    p = Problem.from_data(X, Y)
    h, seed = 40, 7
    mc = ew.theorem2_monte_carlo(None, None, h, 0.5, 0.1, seeds=[seed], problem=p)
    g = np.random.default_rng(seed)
    sd = h**-0.5
    U1 = sd * g.standard_normal((2, h))
    U2 = sd * g.standard_normal((3, h))
    V = sd * g.standard_normal((1, h))
    s = p.sqrt_sigma

    def fun(_, y):
        A, B = y[: 2 * h].reshape(2, h), y[2 * h :].reshape(1, h)
        SE = s[:, None] * (p.Ytilde - s[:, None] * (A @ B.T))
        return np.concatenate([(SE @ B).ravel(), (SE.T @ A).ravel()])

    sol = solve_ivp(
        fun,
        (0, 200),
        np.concatenate([U1.ravel(), V.ravel()]),
        method="DOP853",
        rtol=1e-11,
        atol=1e-14,
    )
    VT = sol.y[2 * h :, -1].reshape(1, h)
    assert np.linalg.norm(U2 @ VT.T) == pytest.approx(mc.distance_F[0], rel=1e-5)
