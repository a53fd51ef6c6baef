r"""The regression problem and its SVD reduction (paper, Section 2; book chapter "Problem setup").

Data :math:`X \in \mathbb{R}^{n\times D}`, targets :math:`Y \in \mathbb{R}^{n\times m}`, network
:math:`x \mapsto V U^\top x` with :math:`U \in \mathbb{R}^{D\times h}`, :math:`V \in \mathbb{R}^{m\times h}`,
loss :math:`L(U, V) = \tfrac12 \|Y - X U V^\top\|_F^2`.

With the compact SVD

.. math::

    X = W \Sigma_x^{1/2} \Phi_1^\top, \qquad W \in \mathbb{R}^{n\times r},\ \Phi_1 \in \mathbb{R}^{D\times r},

and :math:`\Phi_2` an orthonormal basis of the null space of :math:`X`, the weights split as
:math:`U_1 = \Phi_1^\top U` (which learns) and :math:`U_2 = \Phi_2^\top U` (which never moves), and

.. math::

    L = \tfrac12 \|\tilde Y - \Sigma_x^{1/2} U_1 V^\top\|_F^2 + L^*, \qquad
    \tilde Y = W^\top Y, \quad L^* = \tfrac12 \|(I - W W^\top) Y\|_F^2 .

Used in: every chapter; first in ``book/setup.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ._checks import as_matrix, relative_tolerance
from ._deprecation import renamed_kwargs

__all__ = ["Problem", "imbalance", "min_norm_solution", "resolve_problem"]

# Square roots of float64's normal range: the dynamics use squares of singular values.
_SQRT_TINY = float(np.sqrt(np.finfo(np.float64).tiny))
_SQRT_HUGE = float(np.sqrt(np.finfo(np.float64).max))


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Problem:
    r"""A least-squares problem :math:`(X, Y)` with its SVD reduction precomputed.

    Build it with :meth:`Problem.from_data`, which copies the data: changing the caller's
    arrays afterwards does not change the problem. Every array attribute is read-only.

    Used in: ``book/setup.ipynb``.

    Attributes
    ----------
    X, Y : ndarray
        The data, shapes ``(n, D)`` and ``(n, m)``.
    W : ndarray, shape (n, r)
        Left singular vectors of ``X`` for its ``r`` nonzero singular values.
    sigma : ndarray, shape (r,)
        The diagonal of :math:`\Sigma_x`: the nonzero eigenvalues of :math:`X^\top X`
        (squared singular values of ``X``), in decreasing order.
    Phi1 : ndarray, shape (D, r)
        Right singular vectors of ``X`` (an orthonormal basis of its row space).
    rank_tol : float
        Singular values of ``X`` at or below this are treated as zero.
    """

    X: np.ndarray
    Y: np.ndarray
    W: np.ndarray
    sigma: np.ndarray
    Phi1: np.ndarray
    rank_tol: float

    @classmethod
    @renamed_kwargs(rtol="rank_rtol")
    def from_data(cls, X, Y, *, rank_rtol: float | None = None) -> Problem:
        r"""Validate and copy ``X`` and ``Y`` and compute the compact SVD of ``X``.

        Parameters
        ----------
        X : array_like, shape (n, D)
        Y : array_like, shape (n, m)
        rank_rtol : float, optional
            Relative rank tolerance, in ``(0, 1)``. A singular value :math:`s_i` of ``X`` counts
            as zero when :math:`s_i \le \texttt{rank\_rtol}\, s_1`. The default,
            ``max(n, D) * machine epsilon``, is the one of :func:`numpy.linalg.matrix_rank`.
            (Formerly ``rtol``.)

        Returns
        -------
        Problem

        Raises
        ------
        ValueError
            If a shape is wrong, an entry is NaN or infinite, ``X`` is zero (rank 0), or the
            data's scale is outside what float64 can carry (the eigenvalues :math:`s_i^2` of
            :math:`X^\top X`, or :math:`\|Y\|_F^2`, overflow or underflow); the message says
            how to rescale.
        TypeError
            If ``X`` or ``Y`` is complex, masked or not numeric.
        """
        X = as_matrix("X", X)
        Y = as_matrix("Y", Y, rows=X.shape[0])
        n, D = X.shape
        if rank_rtol is None:
            rank_rtol = max(n, D) * np.finfo(np.float64).eps
        rank_rtol = relative_tolerance("rank_rtol", rank_rtol)
        # Factor X / max|X| so that LAPACK never sees entries near overflow or underflow.
        x_scale = float(np.max(np.abs(X)))
        if x_scale == 0.0:
            raise ValueError("X must have at least one nonzero singular value; got rank 0")
        W_full, s, Vt = np.linalg.svd(X / x_scale, full_matrices=False)
        s = s * x_scale
        tol = float(rank_rtol * s[0])
        r = int(np.count_nonzero(s > tol))
        _check_scale(s[:r], Y)
        return cls(
            X=_frozen(X),
            Y=_frozen(Y),
            W=_frozen(W_full[:, :r].copy()),
            sigma=_frozen(s[:r] ** 2),
            Phi1=_frozen(Vt[:r].T.copy()),
            rank_tol=tol,
        )

    # -- sizes -----------------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of samples (rows of ``X``)."""
        return self.X.shape[0]

    @property
    def D(self) -> int:
        """Input dimension (columns of ``X``). Never the imbalance matrix (see the vocabulary)."""
        return self.X.shape[1]

    @property
    def m(self) -> int:
        """Output dimension (columns of ``Y``)."""
        return self.Y.shape[1]

    @property
    def r(self) -> int:
        """Rank of ``X``."""
        return self.sigma.size

    # -- the reduction ---------------------------------------------------------------------
    @cached_property
    def sqrt_sigma(self) -> np.ndarray:
        r"""Diagonal of :math:`\Sigma_x^{1/2}`: the nonzero singular values of ``X``."""
        return _frozen(np.sqrt(self.sigma))

    @cached_property
    def Phi2(self) -> np.ndarray:
        r""":math:`\Phi_2`, shape ``(D, D - r)``: an orthonormal basis of the null space of ``X``."""
        _, _, Vt = np.linalg.svd(self.X / np.max(np.abs(self.X)), full_matrices=True)
        return _frozen(Vt[self.r :].T.copy())

    @cached_property
    def Ytilde(self) -> np.ndarray:
        r""":math:`\tilde Y = W^\top Y`, shape ``(r, m)``."""
        return _frozen(self.W.T @ self.Y)

    @cached_property
    def L_star(self) -> float:
        r"""The minimum of the loss, :math:`L^* = \tfrac12\|(I - WW^\top)Y\|_F^2`."""
        return 0.5 * float(np.sum((self.Y - self.W @ self.Ytilde) ** 2))

    @cached_property
    def theta_hat(self) -> np.ndarray:
        r"""The minimum-norm solution :math:`\hat\Theta = X^+ Y = \Phi_1 \Sigma_x^{-1/2} \tilde Y`."""
        return _frozen(self.Phi1 @ (self.Ytilde / self.sqrt_sigma[:, None]))

    # -- weights ---------------------------------------------------------------------------
    def check_weights(self, U, V) -> tuple[np.ndarray, np.ndarray]:
        """Validate a pair of weights against this problem's shapes; return float copies.

        Parameters
        ----------
        U : array_like, shape (D, h)
        V : array_like, shape (m, h)

        Returns
        -------
        U, V : ndarray
        """
        U = as_matrix("U", U, rows=self.D)
        V = as_matrix("V", V, rows=self.m, cols=U.shape[1])
        return U, V

    def split(self, U) -> tuple[np.ndarray, np.ndarray]:
        r"""Return :math:`(U_1, U_2) = (\Phi_1^\top U, \Phi_2^\top U)`.

        Parameters
        ----------
        U : array_like, shape (D, h)

        Returns
        -------
        U1 : ndarray, shape (r, h)
        U2 : ndarray, shape (D - r, h)
        """
        U = as_matrix("U", U, rows=self.D)
        return self.Phi1.T @ U, self.Phi2.T @ U

    def loss(self, theta) -> float:
        r""":math:`\tfrac12\|Y - X\Theta\|_F^2` for an end-to-end matrix ``theta``.

        Parameters
        ----------
        theta : array_like, shape (D, m)

        Returns
        -------
        float
        """
        theta = as_matrix("theta", theta, rows=self.D, cols=self.m)
        return 0.5 * float(np.sum((self.Y - self.X @ theta) ** 2))

    def reduced_residual(self, U1, V) -> np.ndarray:
        r"""The reduced residual :math:`E = \tilde Y - \Sigma_x^{1/2} U_1 V^\top`.

        Parameters
        ----------
        U1 : ndarray, shape (r, h)
        V : ndarray, shape (m, h)

        Returns
        -------
        ndarray, shape (r, m)
        """
        return self.Ytilde - self.sqrt_sigma[:, None] * (U1 @ V.T)

    def reduced_loss(self, U1, V) -> float:
        r""":math:`\tilde L = \tfrac12\|E\|_F^2 = L - L^*`.

        Parameters
        ----------
        U1 : ndarray, shape (r, h)
        V : ndarray, shape (m, h)

        Returns
        -------
        float
        """
        return 0.5 * float(np.sum(self.reduced_residual(U1, V) ** 2))


def _check_scale(s: np.ndarray, Y: np.ndarray) -> None:
    """Refuse data whose squares (what the dynamics use) leave float64's normal range."""
    hint = (
        "rescale the data: the flow for (s X, U / sqrt(s), V / sqrt(s)) at time t / s is the "
        "flow for (X, U, V) at time t, so dividing X by its largest singular value loses nothing"
    )
    if not s[0] < _SQRT_HUGE:
        raise ValueError(
            f"X is too large: its largest singular value {s[0]:.3g} squared overflows float64; {hint}"
        )
    if not s[-1] >= _SQRT_TINY:
        raise ValueError(
            f"X is too small: its smallest nonzero singular value {s[-1]:.3g} squared underflows "
            f"float64; {hint}"
        )
    y_scale = float(np.max(np.abs(Y)))
    if not y_scale < _SQRT_HUGE / np.sqrt(Y.size):  # (a tiny Y is fine: the residual is not)
        raise ValueError(
            f"Y is too large: its scale {y_scale:.3g} makes the loss 1/2 ||Y||^2 overflow float64; "
            "rescale Y: the problem (X, s Y) has the solutions s Theta, and the losses s^2 L"
        )


def resolve_problem(X, Y, problem, *, need_Y: bool = True) -> Problem:
    """The one way every function that takes ``(X, Y)`` also accepts ``problem=``.

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given (or not ``need_Y``)
    problem : Problem or None
        A precomputed :meth:`Problem.from_data`; ``X`` and ``Y``, when also given, must have its
        shapes.
    need_Y : bool
        False for functions that use only the row space of ``X`` (zero targets are used).

    Returns
    -------
    Problem
    """
    if problem is not None:
        if not isinstance(problem, Problem):
            raise TypeError(f"problem must be an lnet.Problem; got {type(problem).__name__}")
        for name, a, ref in (("X", X, problem.X), ("Y", Y, problem.Y)):
            if a is not None and np.shape(a) != ref.shape:
                raise ValueError(
                    f"{name} has shape {np.shape(a)} but problem.{name} has shape {ref.shape}; "
                    "pass the same data or only problem"
                )
        return problem
    if X is None or (need_Y and Y is None):
        raise ValueError(
            "give X and Y, or a precomputed problem=Problem.from_data(X, Y)"
            if need_Y
            else "give X, or a precomputed problem=Problem.from_data(X, Y)"
        )
    if Y is None:
        X = as_matrix("X", X)
        Y = np.zeros((X.shape[0], 1))
    return Problem.from_data(X, Y)


def min_norm_solution(X, Y, *, problem: Problem | None = None) -> np.ndarray:
    r"""The minimum-norm least-squares solution :math:`\hat\Theta = X^+ Y`.

    Among all minimizers of :math:`\|Y - X\Theta\|_F` it has the least Frobenius norm.

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    problem : Problem, optional

    Returns
    -------
    ndarray, shape (D, m)
    """
    return resolve_problem(X, Y, problem).theta_hat.copy()


def imbalance(X, U, V, *, problem: Problem | None = None) -> np.ndarray:
    r"""The imbalance :math:`\mathcal D = U_1^\top U_1 - V^\top V`, with :math:`U_1 = \Phi_1^\top U`.

    It is constant under gradient flow (paper, Section 3). ``X`` enters only through its row
    space :math:`\Phi_1`; the targets play no role, so none are asked for.

    Used in: ``book/setup.ipynb``.

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    U : array_like, shape (D, h)
    V : array_like, shape (m, h)
    problem : Problem, optional

    Returns
    -------
    ndarray, shape (h, h)
    """
    prob = resolve_problem(X, None, problem, need_Y=False)
    U = as_matrix("U", U, rows=prob.D)
    V = as_matrix("V", V, cols=U.shape[1])
    U1 = prob.Phi1.T @ U
    return U1.T @ U1 - V.T @ V
