r"""Implicit bias: where gradient flow ends up (ICML Proposition 1, extended version Proposition 10; book chapter "Implicit bias").

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

import warnings
from dataclasses import dataclass

import numpy as np

from ._checks import as_matrix, relative_tolerance
from ._deprecation import renamed_kwargs
from .initializations import counterexample_init as _counterexample_init
from .networks import null_part
from .problem import Problem, resolve_problem

__all__ = [
    "OrthogonalityCheck",
    "implicit_bias_limit",
    "orthogonality_residuals",
]


def implicit_bias_limit(X, Y, U0, V, *, problem: Problem | None = None) -> np.ndarray:
    r""":math:`\hat\Theta + \Phi_2U_2(0)V^\top`, shape (D, m): the limit of :math:`UV^\top` if the flow from ``U0`` converges to ``V``.

    Parameters
    ----------
    X, Y : array_like, or None when ``problem`` is given
    U0 : array_like, shape (D, h)
        The initial first-layer weights (only their null-space part :math:`\Phi_2U_2(0)` matters).
    V : array_like, shape (m, h)
        The final second-layer weights :math:`V(\infty)` (or :math:`V(t)` late in a run).

    problem : Problem, optional

    Returns
    -------
    ndarray, shape (D, m)

    Notes
    -----
    :math:`\Phi_2U_2(0) = (I - \Phi_1\Phi_1^\top)U_0`, so the null-space basis is never formed.
    ``Y`` may be None without ``problem`` when only the bias term matters (zero targets).
    """
    problem = resolve_problem(X, Y, problem, need_Y=False)
    U0 = as_matrix("U0", U0, rows=problem.D)
    V = as_matrix("V", V, rows=problem.m, cols=U0.shape[1])
    return problem.theta_hat + null_part(problem, U0) @ V.T


@dataclass(frozen=True)
class OrthogonalityCheck:
    r"""The two residuals of the orthogonal-initialization condition.

    ``norm_VU2`` :math:`= \|V(0)U_2(0)^\top\|_F`, ``norm_U1U2`` :math:`= \|U_1(0)U_2(0)^\top\|_F`;
    ``holds`` is True when each is at most ``ortho_rtol`` times the product of the two factors'
    Frobenius norms (a scale-free "cosine" test).
    """

    norm_VU2: float
    norm_U1U2: float
    holds: bool


@renamed_kwargs(rtol="ortho_rtol")
def orthogonality_residuals(
    X, U0, V0, *, problem: Problem | None = None, ortho_rtol: float = 1e-10
) -> OrthogonalityCheck:
    r"""Check :math:`V(0)U_2(0)^\top = 0` and :math:`U_1(0)U_2(0)^\top = 0` (the condition for :math:`U(\infty)V(\infty)^\top = \hat\Theta`).

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    U0 : array_like, shape (D, h)
    V0 : array_like, shape (m, h)
    problem : Problem, optional
    ortho_rtol : float
        Relative tolerance of ``holds``, in [0, 1) (formerly ``rtol``).

    Returns
    -------
    OrthogonalityCheck
    """
    problem = resolve_problem(X, None, problem, need_Y=False)
    U0 = as_matrix("U0", U0, rows=problem.D)
    V0 = as_matrix("V0", V0, cols=U0.shape[1])
    ortho_rtol = relative_tolerance("ortho_rtol", ortho_rtol, allow_zero=True)
    U1 = problem.Phi1.T @ U0
    N = null_part(problem, U0)  # Phi2 U2(0): same Gram products as U2(0)
    n_vu2 = float(np.linalg.norm(V0 @ N.T))
    n_u1u2 = float(np.linalg.norm(U1 @ N.T))
    n2 = float(np.linalg.norm(N))
    holds = n_vu2 <= ortho_rtol * n2 * float(np.linalg.norm(V0)) and n_u1u2 <= (
        ortho_rtol * n2 * float(np.linalg.norm(U1))
    )
    return OrthogonalityCheck(norm_VU2=n_vu2, norm_U1U2=n_u1u2, holds=bool(holds))


def __getattr__(name: str):
    # lnet.implicit_bias.counterexample_init moved to lnet.initializations (its one scale= became
    # sigma_U, sigma_V); kept for one release.
    if name != "counterexample_init":
        raise AttributeError(f"module 'lnet.implicit_bias' has no attribute {name!r}")
    warnings.warn(
        "lnet.implicit_bias.counterexample_init is now lnet.initializations.counterexample_init "
        "(scale= is now sigma_U=, sigma_V=); it will be removed in lnet 1.1",
        DeprecationWarning,
        stacklevel=2,
    )
    return _counterexample_alias


def _counterexample_alias(problem: Problem, h, *, scale=None, seed=None):
    return _counterexample_init(problem, h, sigma_U=scale, sigma_V=scale, seed=seed)
