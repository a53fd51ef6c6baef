"""Initializations: seeded, the stated structure holds exactly, and impossible requests raise."""

import numpy as np
import pytest

import lnet


def _problem(n=8, D=30, m=2, rank=None, orthonormal_rows=False, seed=0):
    rng = np.random.default_rng(seed)
    if orthonormal_rows:
        X = np.linalg.qr(rng.standard_normal((D, n)))[0].T
    elif rank is None:
        X = rng.standard_normal((n, D))
    else:
        X = rng.standard_normal((n, rank)) @ rng.standard_normal((rank, D))
    return lnet.Problem.from_data(X, rng.standard_normal((n, m)))


def test_random_init_is_seeded_and_has_the_stated_variance():
    U, V = lnet.random_init(50, 3, 400, alpha=0.5, seed=7)
    U2, V2 = lnet.random_init(50, 3, 400, alpha=0.5, seed=7)
    assert np.array_equal(U, U2) and np.array_equal(V, V2)
    assert not np.array_equal(U, lnet.random_init(50, 3, 400, seed=8)[0])
    assert U.shape == (50, 400) and V.shape == (3, 400)
    # 20,000 draws: the sample std is within 2% of h^{-alpha} with overwhelming probability
    for alpha in (0.3, 0.5):
        U, _ = lnet.random_init(50, 3, 400, alpha=alpha, seed=1)
        assert U.std() == pytest.approx(400.0**-alpha, rel=0.02)


@pytest.mark.parametrize("block", [1, 7, 64, 1000])
def test_blocks_equal_the_one_shot_draw_bit_for_bit(block):
    U, V = lnet.scaled_init(20, 2, 150, 0.3, 0.7, seed=3)
    blocks = list(lnet.gaussian_blocks(20, 2, 150, sigma_U=0.3, sigma_V=0.7, seed=3, block=block))
    assert np.array_equal(np.hstack([b[0] for b in blocks]), U)
    assert np.array_equal(np.hstack([b[1] for b in blocks]), V)


def test_scaled_cases_share_their_draws():
    U1, V1 = lnet.scaled_init(30, 1, 50, 0.1, 0.1, seed=0)
    U2, V2 = lnet.scaled_init(30, 1, 50, 0.5, 0.02, seed=0)
    assert np.allclose(U1 / 0.1, U2 / 0.5) and np.allclose(V1 / 0.1, V2 / 0.02)


@pytest.mark.parametrize("m", [1, 2])
def test_balanced_init_has_zero_imbalance_and_the_given_end_to_end_matrix(m):
    p = _problem(m=m)
    theta0 = np.random.default_rng(5).standard_normal((p.D, m))
    U, V = lnet.balanced_init(p, theta0, 40, seed=1)
    assert np.allclose(U @ V.T, theta0, atol=1e-12)
    Dm = lnet.imbalance(p.X, U, V)
    assert np.abs(Dm).max() < 1e-12 * np.abs(U).max() ** 2 * 40
    Q = np.linalg.qr(np.random.default_rng(2).standard_normal((40, m)))[0]
    U, V = lnet.balanced_init(p, theta0, 40, Q=Q)
    assert np.allclose(V, (V @ Q) @ Q.T)  # rows of V lie in span(Q)


def test_balanced_init_errors():
    p = _problem(m=2)
    theta0 = np.ones((p.D, 2))  # rank 1: Phi1^T theta0 not of full column rank
    with pytest.raises(ValueError, match="theta0"):
        lnet.balanced_init(p, theta0, 10)
    with pytest.raises(ValueError, match="h must be >= m"):
        lnet.balanced_init(p, np.eye(p.D, 2), 1)
    with pytest.raises(ValueError, match="Q"):
        lnet.balanced_init(p, np.eye(p.D, 2), 10, Q=np.ones((10, 2)))


def test_orthogonal_init_is_in_the_invariant_set():
    p = _problem(rank=5)
    U, V = lnet.orthogonal_init(p, 60, seed=2)
    U1, U2 = p.split(U)
    assert np.linalg.norm(U2) > 0.1
    assert np.abs(U1 @ U2.T).max() < 1e-13
    assert np.abs(V @ U2.T).max() < 1e-13
    with pytest.raises(ValueError, match="h must be > r"):
        lnet.orthogonal_init(p, p.r + p.m)


@pytest.mark.parametrize("lambda0,h", [(0.7, 5), (0.7, 8), (-0.4, 2), (-0.4, 1)])
def test_homogeneous_init_has_D_equal_lambda0_I(lambda0, h):
    p = _problem(m=2)
    U, V = lnet.homogeneous_init(p, h, lambda0, seed=4, sigma_U2=0.1)
    assert np.allclose(lnet.imbalance(p.X, U, V), lambda0 * np.eye(h), atol=1e-12)


def test_homogeneous_init_raises_where_it_does_not_exist():
    p = _problem(m=2)  # r = 8
    with pytest.raises(ValueError, match="h <= r"):
        lnet.homogeneous_init(p, 9, 0.5)
    with pytest.raises(ValueError, match="h <= m"):
        lnet.homogeneous_init(p, 3, -0.5)
    with pytest.raises(ValueError, match="lambda0"):
        lnet.homogeneous_init(p, 3, 0.0)
    with pytest.raises(ValueError, match="lambda0"):
        lnet.homogeneous_init(p, 3, float("nan"))


def test_spectral_init_aligns_with_Ytilde():
    p = _problem(m=3)
    a, b = np.array([1.0, 0.5, 0.2]), np.array([0.3, 0.5, 0.9])
    U, V = lnet.spectral_init(p, 10, a, b, seed=0)
    U1, U2 = p.split(U)
    P, _y, Rt = np.linalg.svd(p.Ytilde, full_matrices=False)
    assert np.allclose(P.T @ (U1 @ V.T) @ Rt.T, np.diag(a * b), atol=1e-12)
    assert np.abs(U2).max() < 1e-12
    ev = np.sort(np.linalg.eigvalsh(lnet.imbalance(p.X, U, V)))
    assert np.allclose(ev[[0, 1, -1]], np.sort(a**2 - b**2), atol=1e-12)
    with pytest.raises(ValueError, match="h must be >= min"):
        lnet.spectral_init(p, 2, a, b)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="alpha"):
        lnet.random_init(5, 1, 10, alpha=-0.1)
    with pytest.raises(ValueError, match="alpha"):
        lnet.random_init(5, 1, 10, alpha=0.2, check_alpha=True)
    with pytest.raises(ValueError, match="alpha"):
        lnet.random_init(5, 1, 10, alpha=0.75, check_alpha=True)
    lnet.random_init(5, 1, 10, alpha=0.75)  # any alpha > 0 is a valid initialization
    with pytest.raises(ValueError, match="h"):
        lnet.random_init(5, 1, -3)
    with pytest.raises(TypeError, match="h"):
        lnet.random_init(5, 1, 2.5)
    with pytest.raises(ValueError, match="sigma_U"):
        lnet.scaled_init(5, 1, 10, -1.0, 1.0)
    with pytest.raises(ValueError, match="block"):
        next(lnet.gaussian_blocks(5, 1, 10, block=0))
