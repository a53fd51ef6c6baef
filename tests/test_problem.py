"""The SVD reduction of the problem (paper Section 2) against direct linear algebra."""

import numpy as np
import pytest

import lnet
from lnet.problem import Problem


def _instance(n=10, D=40, m=3, rank=None, seed=0):
    rng = np.random.default_rng(seed)
    if rank is None:
        X = rng.standard_normal((n, D))
    else:
        X = rng.standard_normal((n, rank)) @ rng.standard_normal((rank, D))
    return X, rng.standard_normal((n, m))


@pytest.mark.parametrize("rank", [None, 4])
def test_reduction_reconstructs_X_and_splits_the_space(rank):
    X, Y = _instance(rank=rank)
    p = Problem.from_data(X, Y)
    assert p.r == (rank or 10)
    X_rebuilt = p.W @ (p.sqrt_sigma[:, None] * p.Phi1.T)
    assert np.allclose(X_rebuilt, X, atol=1e-12 * np.abs(X).max())
    basis = np.hstack([p.Phi1, p.Phi2])
    assert np.allclose(basis.T @ basis, np.eye(p.D), atol=1e-12)
    assert np.allclose(X @ p.Phi2, 0, atol=1e-12 * np.abs(X).max())


@pytest.mark.parametrize("rank", [None, 4])
def test_min_norm_solution_is_the_pseudoinverse(rank):
    X, Y = _instance(rank=rank)
    assert np.allclose(lnet.min_norm_solution(X, Y), np.linalg.pinv(X) @ Y, atol=1e-10)


def test_loss_splits_into_reduced_loss_plus_L_star():
    X, Y = _instance(rank=4)
    p = Problem.from_data(X, Y)
    rng = np.random.default_rng(1)
    U, V = rng.standard_normal((p.D, 7)), rng.standard_normal((p.m, 7))
    U1, _ = p.split(U)
    assert p.L_star > 0  # rank 4 < n: the targets are not all reachable
    assert np.isclose(p.loss(U @ V.T), p.reduced_loss(U1, V) + p.L_star, rtol=1e-12)
    assert np.isclose(p.loss(p.theta_hat), p.L_star, rtol=1e-10)


def test_imbalance_uses_only_the_row_space_of_X():
    X, Y = _instance()
    p = Problem.from_data(X, Y)
    rng = np.random.default_rng(2)
    U, V = rng.standard_normal((p.D, 6)), rng.standard_normal((p.m, 6))
    U1 = p.Phi1.T @ U
    assert np.allclose(lnet.imbalance(X, U, V), U1.T @ U1 - V.T @ V, atol=1e-12)
    # moving U inside the null space of X leaves the imbalance unchanged
    U_shifted = U + p.Phi2 @ rng.standard_normal((p.D - p.r, 6))
    assert np.allclose(lnet.imbalance(X, U_shifted, V), lnet.imbalance(X, U, V), atol=1e-10)


@pytest.mark.parametrize(
    ("X", "Y", "match"),
    [
        (np.ones(5), np.ones((5, 1)), "X must be a 2-D array"),
        (np.ones((5, 3)), np.ones((4, 1)), "Y must have 5 rows"),
        (np.full((2, 3), np.nan), np.ones((2, 1)), "X contains 6 NaN"),
        (np.zeros((2, 3)), np.ones((2, 1)), "rank 0"),
        (np.ones((2, 3)), [[1.0], [np.inf]], "Y contains 1 NaN or infinite entry"),
    ],
)
def test_bad_data_is_named(X, Y, match):
    with pytest.raises(ValueError, match=match):
        Problem.from_data(X, Y)


def test_bad_weights_are_named():
    X, _Y = _instance()
    with pytest.raises(ValueError, match="U must have 40 rows"):
        lnet.imbalance(X, np.ones((39, 5)), np.ones((3, 5)))
    with pytest.raises(ValueError, match="V must have 5 columns"):
        lnet.imbalance(X, np.ones((40, 5)), np.ones((3, 4)))
