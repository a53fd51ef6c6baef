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

from ._checks import as_matrix


@dataclass(frozen=True, eq=False)
class Problem:
    r"""A least-squares problem :math:`(X, Y)` with its SVD reduction precomputed.

    Build it with :meth:`Problem.from_data`. All attributes are read-only arrays.

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
    def from_data(cls, X, Y, *, rtol: float | None = None) -> Problem:
        r"""Validate ``X`` and ``Y`` and compute the compact SVD of ``X``.

        Parameters
        ----------
        X : array_like, shape (n, D)
        Y : array_like, shape (n, m)
        rtol : float, optional
            Relative rank tolerance. A singular value :math:`s_i` of ``X`` counts as zero
            when :math:`s_i \le \mathrm{rtol}\, s_1`. The default,
            ``max(n, D) * machine epsilon``, is the one of :func:`numpy.linalg.matrix_rank`.

        Raises
        ------
        ValueError
            If a shape is wrong, an entry is NaN or infinite, or ``X`` is zero (rank 0).
        """
        X = as_matrix("X", X)
        Y = as_matrix("Y", Y, rows=X.shape[0])
        n, D = X.shape
        W_full, s, Vt = np.linalg.svd(X, full_matrices=False)
        if rtol is None:
            rtol = max(n, D) * np.finfo(np.float64).eps
        tol = float(rtol * (s[0] if s.size else 0.0))
        r = int(np.count_nonzero(s > tol))
        if r == 0:
            raise ValueError("X must have at least one nonzero singular value; got rank 0")
        return cls(
            X=X, Y=Y, W=W_full[:, :r], sigma=s[:r] ** 2, Phi1=Vt[:r].T.copy(), rank_tol=tol
        )

    # -- sizes -----------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def D(self) -> int:
        return self.X.shape[1]

    @property
    def m(self) -> int:
        return self.Y.shape[1]

    @property
    def r(self) -> int:
        """Rank of ``X``."""
        return self.sigma.size

    # -- the reduction ---------------------------------------------------------------------
    @cached_property
    def sqrt_sigma(self) -> np.ndarray:
        r"""Diagonal of :math:`\Sigma_x^{1/2}`: the nonzero singular values of ``X``."""
        return np.sqrt(self.sigma)

    @cached_property
    def Phi2(self) -> np.ndarray:
        r""":math:`\Phi_2`, shape ``(D, D - r)``: an orthonormal basis of the null space of ``X``."""
        _, _, Vt = np.linalg.svd(self.X, full_matrices=True)
        return Vt[self.r :].T.copy()

    @cached_property
    def Ytilde(self) -> np.ndarray:
        r""":math:`\tilde Y = W^\top Y`, shape ``(r, m)``."""
        return self.W.T @ self.Y

    @cached_property
    def L_star(self) -> float:
        r"""The minimum of the loss, :math:`L^* = \tfrac12\|(I - WW^\top)Y\|_F^2`."""
        return 0.5 * float(np.sum((self.Y - self.W @ self.Ytilde) ** 2))

    @cached_property
    def theta_hat(self) -> np.ndarray:
        r"""The minimum-norm solution :math:`\hat\Theta = X^+ Y = \Phi_1 \Sigma_x^{-1/2} \tilde Y`."""
        return self.Phi1 @ (self.Ytilde / self.sqrt_sigma[:, None])

    # -- weights ---------------------------------------------------------------------------
    def check_weights(self, U, V) -> tuple[np.ndarray, np.ndarray]:
        """Validate a pair of weights against this problem's shapes; return float arrays."""
        U = as_matrix("U", U, rows=self.D)
        V = as_matrix("V", V, rows=self.m, cols=U.shape[1])
        return U, V

    def split(self, U) -> tuple[np.ndarray, np.ndarray]:
        r"""Return :math:`(U_1, U_2) = (\Phi_1^\top U, \Phi_2^\top U)`."""
        U = as_matrix("U", U, rows=self.D)
        return self.Phi1.T @ U, self.Phi2.T @ U

    def loss(self, theta) -> float:
        r""":math:`\tfrac12\|Y - X\Theta\|_F^2` for an end-to-end matrix ``theta`` of shape ``(D, m)``."""
        theta = as_matrix("theta", theta, rows=self.D, cols=self.m)
        return 0.5 * float(np.sum((self.Y - self.X @ theta) ** 2))

    def reduced_residual(self, U1, V) -> np.ndarray:
        r""":math:`E = \tilde Y - \Sigma_x^{1/2} U_1 V^\top`, shape ``(r, m)``."""
        return self.Ytilde - self.sqrt_sigma[:, None] * (U1 @ V.T)

    def reduced_loss(self, U1, V) -> float:
        r""":math:`\tilde L = \tfrac12\|E\|_F^2 = L - L^*`."""
        return 0.5 * float(np.sum(self.reduced_residual(U1, V) ** 2))


def min_norm_solution(X, Y) -> np.ndarray:
    r"""The minimum-norm least-squares solution :math:`\hat\Theta = X^+ Y`, shape ``(D, m)``.

    Among all minimizers of :math:`\|Y - X\Theta\|_F` it has the least Frobenius norm.
    """
    return Problem.from_data(X, Y).theta_hat


def imbalance(X, U, V) -> np.ndarray:
    r"""The imbalance :math:`\mathcal D = U_1^\top U_1 - V^\top V`, shape ``(h, h)``, with :math:`U_1 = \Phi_1^\top U`.

    It is constant under gradient flow (paper, Section 3). ``X`` enters only through its row
    space :math:`\Phi_1`; the targets play no role, so none are asked for.

    Used in: ``book/setup.ipynb``.
    """
    X = as_matrix("X", X)
    prob = Problem.from_data(X, np.zeros((X.shape[0], 1)))
    U = as_matrix("U", U, rows=prob.D)
    V = as_matrix("V", V, cols=U.shape[1])
    U1 = prob.Phi1.T @ U
    return U1.T @ U1 - V.T @ V
