r"""Implicit bias: where gradient flow ends up (ICML Proposition 1, EXT Proposition 10; book chapter "Implicit bias").

The end-to-end matrix splits as :math:`UV^\top = \Phi_1U_1V^\top + \Phi_2U_2V^\top` and
:math:`U_2` never moves, so if the flow converges (:math:`E \to 0`, i.e.
:math:`\Phi_1U_1V^\top \to \hat\Theta`),

.. math::

    U(\infty)V(\infty)^\top = \hat\Theta + \Phi_2U_2(0)V(\infty)^\top .

Under the "orthogonal initialization" :math:`V(0)U_2(0)^\top = 0`, :math:`U_1(0)U_2(0)^\top = 0`, the
pair :math:`(VU_2(0)^\top, U_1U_2(0)^\top)` solves a linear ODE with zero as an invariant point,
so :math:`U_2(0)V(\infty)^\top = 0` and the flow finds the min-norm solution :math:`\hat\Theta`.

Used in: ``book/implicit_bias.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import as_matrix, positive_float
from .problem import Problem

__all__ = [
    "OrthogonalityCheck",
    "counterexample_init",
    "implicit_bias_limit",
    "orthogonality_residuals",
]


def _problem(X, Y, problem):
    if problem is not None:
        if not isinstance(problem, Problem):
            raise TypeError(f"problem must be an lnet.Problem; got {type(problem).__name__}")
        return problem
    X = as_matrix("X", X)
    if Y is None:
        Y = np.zeros((X.shape[0], 1))
    return Problem.from_data(X, Y)


def implicit_bias_limit(X, Y, U0, V, *, problem: Problem | None = None) -> np.ndarray:
    r""":math:`\hat\Theta + \Phi_2U_2(0)V^\top`, shape (D, m): the limit of :math:`UV^\top` if the flow from ``U0`` converges to ``V``.

    Parameters
    ----------
    X, Y : array_like, or None when ``problem`` is given
    U0 : array_like, shape (D, h)
        The initial first-layer weights (only their null-space part :math:`\Phi_2U_2(0)` matters).
    V : array_like, shape (m, h)
        The final second-layer weights :math:`V(\infty)` (or :math:`V(t)` late in a run).

    Notes
    -----
    :math:`\Phi_2U_2(0) = (I - \Phi_1\Phi_1^\top)U_0`, so the null-space basis is never formed.
    """
    problem = _problem(X, Y, problem)
    U0 = as_matrix("U0", U0, rows=problem.D)
    V = as_matrix("V", V, rows=problem.m, cols=U0.shape[1])
    null_part = U0 - problem.Phi1 @ (problem.Phi1.T @ U0)
    return problem.theta_hat + null_part @ V.T


@dataclass(frozen=True)
class OrthogonalityCheck:
    r"""The two residuals of the orthogonal-initialization condition.

    ``norm_VU2`` :math:`= \|V(0)U_2(0)^\top\|_F`, ``norm_U1U2`` :math:`= \|U_1(0)U_2(0)^\top\|_F`;
    ``holds`` is True when each is at most ``rtol`` times the product of the two factors'
    Frobenius norms (a scale-free "cosine" test).
    """

    norm_VU2: float
    norm_U1U2: float
    holds: bool


def orthogonality_residuals(X, U0, V0, *, problem: Problem | None = None,
                            rtol: float = 1e-10) -> OrthogonalityCheck:
    r"""Check :math:`V(0)U_2(0)^\top = 0` and :math:`U_1(0)U_2(0)^\top = 0` (the condition for :math:`U(\infty)V(\infty)^\top = \hat\Theta`).

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    U0 : array_like, shape (D, h)
    V0 : array_like, shape (m, h)
    rtol : float
        Relative tolerance of ``holds``.
    """
    problem = _problem(X, None, problem)
    U0 = as_matrix("U0", U0, rows=problem.D)
    V0 = as_matrix("V0", V0, cols=U0.shape[1])
    rtol = positive_float("rtol", rtol, allow_zero=True)
    U1 = problem.Phi1.T @ U0
    null_part = U0 - problem.Phi1 @ U1  # Phi2 U2(0): same Gram products as U2(0)
    n_vu2 = float(np.linalg.norm(V0 @ null_part.T))
    n_u1u2 = float(np.linalg.norm(U1 @ null_part.T))
    n2 = float(np.linalg.norm(null_part))
    holds = n_vu2 <= rtol * n2 * float(np.linalg.norm(V0)) and n_u1u2 <= rtol * n2 * float(
        np.linalg.norm(U1)
    )
    return OrthogonalityCheck(norm_VU2=n_vu2, norm_U1U2=n_u1u2, holds=bool(holds))


def counterexample_init(problem: Problem, h, *, scale=None, seed=None):
    r"""An initialization with :math:`V(0)U_2(0)^\top = 0` but :math:`U_1(0)U_2(0)^\top \neq 0`.

    The draw of :func:`lnet.scaled_init` (default scales :math:`h^{-1/2}`) with the rows of
    :math:`U_2(0)` projected off the row space of :math:`V(0)` only. Half of the orthogonality
    condition holds, yet :math:`\frac{d}{dt}(VU_2(0)^\top) = E^\top\Sigma_x^{1/2}U_1U_2(0)^\top \neq 0`
    once the residual is nonzero, so :math:`VU_2(0)^\top` leaves zero and the flow does not reach
    :math:`\hat\Theta`. Requires ``h > m``.

    Used in: ``book/implicit_bias.ipynb``.
    """
    from ._checks import positive_int
    from .initializations import scaled_init

    h = positive_int("h", h)
    if h <= problem.m:
        raise ValueError(f"h must be > m = {problem.m} for a nonzero U2(0) orthogonal to V(0); got h = {h}")
    s = h**-0.5 if scale is None else positive_float("scale", scale)
    U, V = scaled_init(problem.D, problem.m, h, s, s, seed=seed)
    U1 = problem.Phi1.T @ U
    N = U - problem.Phi1 @ U1
    Qv, _ = np.linalg.qr(V.T)  # h x m: basis of the row space of V(0)
    N -= (N @ Qv) @ Qv.T
    return problem.Phi1 @ U1 + N, V
