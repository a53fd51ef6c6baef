r"""The network's state in three exact representations (paper, Section 2; book chapter "Problem setup").

``"full"``
    :math:`(U, V)`, shapes ``(D, h)``, ``(m, h)``: the literal weights (:class:`FullNetwork`).
``"reduced"``
    :math:`(U_1, V)` with :math:`U_1 = \Phi_1^\top U` moving and :math:`\Phi_2 U_2(0)` frozen
    (:class:`ReducedNetwork`, ``k = h`` columns).
``"compact"``
    The reduced dynamics acts linearly on :math:`Z = [U_1; V]` (``(r+m) x h``): :math:`Z(t) =
    K(t) Z(0)` for an :math:`(r+m)\times(r+m)` matrix :math:`K(t)` that depends on :math:`Z`
    only through :math:`ZZ^\top`. With the thin SVD :math:`Z_0^\top = O\, S\, G^\top`
    (``k = rank Z_0 <= r + m`` kept columns), :math:`Z_c = Z_0 O = G S` evolves under the same
    reduced vector field as a network of width ``k``, with the compressed frozen part
    :math:`\Phi_2 U_2(0) O` (``D x k``). Every quantity :mod:`lnet.dynamics` records is
    invariant under :math:`Z \mapsto Z O` (:class:`ReducedNetwork`, ``k <= r + m`` columns).
    Building it costs :math:`O((D + m)(r + m) h)` once and can be streamed over column blocks
    (:func:`compact_network_from_blocks`); each step then costs :math:`O(r m k)`, whatever ``h``.

This module holds the states and how to build them; the vector fields and integrators are in
:mod:`lnet.dynamics`, the initializers (including the streamed random compact state) in
:mod:`lnet.initializations`.

Used in: ``book/setup.ipynb``, ``book/implicit_bias.ipynb``, ``benchmarks/bench_dynamics.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._checks import as_matrix, relative_tolerance
from .problem import Problem

__all__ = [
    "REPRESENTATIONS",
    "FullNetwork",
    "ReducedNetwork",
    "compact_network_from_blocks",
    "make_network",
]

#: The names ``representation=`` accepts.
REPRESENTATIONS = ("compact", "reduced", "full")


@dataclass(eq=False)
class ReducedNetwork:
    r"""A network in reduced form: :math:`(U_1, V)` moving, :math:`\Phi_2 U_2(0)` frozen.

    Serves both the ``"reduced"`` representation (``k = h`` columns) and the ``"compact"`` one
    (``k <= r + m`` columns; see the module docstring).

    Attributes
    ----------
    problem : Problem
    U1 : ndarray, shape (r, k)
    V : ndarray, shape (m, k)
    N : ndarray, shape (D, k)
        The frozen null-space part :math:`\Phi_2 U_2(0)` (times ``O`` for compact), in input
        coordinates.
    U1_0, V_0 : ndarray
        The starting point (for the imbalance drift).
    width : int
        The network's width ``h`` (``k`` may be smaller).
    representation : str
        ``"reduced"`` or ``"compact"``.
    """

    problem: Problem
    U1: np.ndarray
    V: np.ndarray
    N: np.ndarray
    U1_0: np.ndarray
    V_0: np.ndarray
    width: int
    representation: str = "reduced"

    def copy(self) -> ReducedNetwork:
        """A copy whose moving weights can be changed without touching this one."""
        return ReducedNetwork(
            self.problem,
            self.U1.copy(),
            self.V.copy(),
            self.N,
            self.U1_0,
            self.V_0,
            self.width,
            self.representation,
        )

    @property
    def k(self) -> int:
        """Number of columns actually stored."""
        return self.V.shape[1]

    def get_state(self) -> tuple[np.ndarray, np.ndarray]:
        """The moving weights ``(U1, V)``."""
        return self.U1, self.V

    def set_state(self, first, V) -> None:
        """Set the moving weights ``(U1, V)``."""
        self.U1, self.V = first, V

    def reduced_factors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r""":math:`(U_1, V, \Phi_2 U_2(0))`."""
        return self.U1, self.V, self.N

    def theta(self) -> np.ndarray:
        r"""End-to-end matrix :math:`\Theta = \Phi_1 U_1 V^\top + \Phi_2 U_2(0) V^\top`."""
        return self.problem.Phi1 @ (self.U1 @ self.V.T) + self.N @ self.V.T

    def imbalance_drift(self) -> float:
        r""":math:`\|\mathcal D(t) - \mathcal D(0)\|_F`."""
        return _imbalance_drift(self.U1, self.V, self.U1_0, self.V_0)


@dataclass(eq=False)
class FullNetwork:
    r"""A network in full form :math:`(U, V)`; the literal gradients (the check representation).

    Attributes
    ----------
    problem : Problem
    U : ndarray, shape (D, h)
    V : ndarray, shape (m, h)
    N : ndarray, shape (D, h)
        :math:`\Phi_2 U_2(0)` in input coordinates, for :math:`\|U_2(0) V^\top\|_F`.
    U_0, V_0 : ndarray
        The starting point.
    """

    problem: Problem
    U: np.ndarray
    V: np.ndarray
    N: np.ndarray
    U_0: np.ndarray
    V_0: np.ndarray
    representation: str = "full"

    def copy(self) -> FullNetwork:
        """A copy whose weights can be changed without touching this one."""
        return FullNetwork(self.problem, self.U.copy(), self.V.copy(), self.N, self.U_0, self.V_0)

    @property
    def width(self) -> int:
        """The width ``h``."""
        return self.V.shape[1]

    k = width

    def get_state(self) -> tuple[np.ndarray, np.ndarray]:
        """The moving weights ``(U, V)``."""
        return self.U, self.V

    def set_state(self, first, V) -> None:
        """Set the moving weights ``(U, V)``."""
        self.U, self.V = first, V

    def reduced_factors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r""":math:`(U_1, V, \Phi_2 U_2(0))`."""
        return self.problem.Phi1.T @ self.U, self.V, self.N

    def theta(self) -> np.ndarray:
        r"""End-to-end matrix :math:`\Theta = UV^\top`."""
        return self.U @ self.V.T

    def imbalance_drift(self) -> float:
        r""":math:`\|\mathcal D(t) - \mathcal D(0)\|_F`, :math:`\mathcal D = U_1^\top U_1 - V^\top V`."""
        Pt = self.problem.Phi1.T
        return _imbalance_drift(Pt @ self.U, self.V, Pt @ self.U_0, self.V_0)


def _imbalance_drift(U1, V, U1_0, V_0) -> float:
    """||D(t) - D(0)||_F without forming h x h matrices when h is large.

    Both imbalances live on the row space of [U1; V; U1_0; V_0] (dimension <= 2(r + m)); in an
    orthonormal basis of it the difference is a small matrix with the same Frobenius norm.
    (Expanding ||D(t)||^2 + ||D(0)||^2 - 2<D(t), D(0)> instead would cancel catastrophically.)
    """
    r, h = U1.shape[0], U1.shape[1]
    K = np.vstack([U1, V, U1_0, V_0])
    if h > K.shape[0]:
        T = np.linalg.qr(K.T, mode="r")  # K^T = O T, T triangular
        q = U1.shape[0] + V.shape[0]
        U1, V, U1_0, V_0 = T[:, :r].T, T[:, r:q].T, T[:, q : q + r].T, T[:, q + r :].T
    dD = (U1.T @ U1 - V.T @ V) - (U1_0.T @ U1_0 - V_0.T @ V_0)
    return float(np.linalg.norm(dD))


def null_part(problem: Problem, U) -> np.ndarray:
    r""":math:`\Phi_2\Phi_2^\top U = (I - \Phi_1\Phi_1^\top) U`, without forming :math:`\Phi_2`.

    Parameters
    ----------
    problem : Problem
    U : ndarray, shape (D, h)

    Returns
    -------
    ndarray, shape (D, h)
    """
    return U - problem.Phi1 @ (problem.Phi1.T @ U)


def _rank_rtol(problem: Problem, h: int, rank_rtol) -> float:
    if rank_rtol is None:
        return (problem.r + problem.m) * math.sqrt(max(h, 1)) * np.finfo(np.float64).eps
    return relative_tolerance("rank_rtol", rank_rtol)


def compress(problem: Problem, T, G, h, rank_rtol=None) -> ReducedNetwork:
    r"""The compact state from ``T`` (:math:`T^\top T = Z_0Z_0^\top`) and :math:`G = U_0 Z_0^\top`.

    Parameters
    ----------
    problem : Problem
    T : ndarray, shape (k, r + m)
        Triangular factor of a QR factorization of :math:`Z_0^\top`.
    G : ndarray, shape (D, r + m)
        :math:`U(0) Z_0^\top`.
    h : int
        The width.
    rank_rtol : float, optional
        Relative rank tolerance in ``(0, 1)`` for :math:`Z_0` (see :func:`make_network`).

    Returns
    -------
    ReducedNetwork
        ``representation == "compact"``.
    """
    rank_rtol = _rank_rtol(problem, h, rank_rtol)
    # T = A S B^T, so Z0 = B S (Q A)^T: the compact state is Z0 O = B S with O = Q A = Z0^T B / S
    _, s, Bt = np.linalg.svd(T, full_matrices=False)
    r = problem.r
    keep = s > rank_rtol * (s[0] if s.size else 0.0)
    s, B = s[keep], Bt[keep].T
    Zc = B * s
    # U0 O = G B S^{-1}; its row-space part is U1c, so only the null-space part is kept
    N = null_part(problem, G @ (B / s)) if s.size else np.zeros((problem.D, 0))
    U1c, Vc = Zc[:r].copy(), Zc[r:].copy()
    return ReducedNetwork(problem, U1c, Vc, N, U1c.copy(), Vc.copy(), int(h), "compact")


def compact_network_from_blocks(problem: Problem, blocks, *, rank_rtol=None) -> ReducedNetwork:
    r"""Build the compact state from column blocks ``(U_b, V_b)`` of :math:`(U(0), V(0))`.

    Only :math:`Z_0 Z_0^\top` (through a streaming QR of :math:`Z_0^\top`, for accuracy) and
    :math:`U(0) Z_0^\top` are accumulated, so memory is one block plus ``O(D (r + m))``, whatever
    the width.

    Used in: ``benchmarks/bench_dynamics.py`` (width :math:`10^6`).

    Parameters
    ----------
    problem : Problem
    blocks : iterable of (ndarray, ndarray)
        Column blocks ``(U_b, V_b)``, shapes ``(D, b)`` and ``(m, b)``.
    rank_rtol : float, optional
        Directions of :math:`Z_0` with singular value at most ``rank_rtol`` times the largest
        are dropped (default :math:`(r + m)\sqrt h\,\epsilon`), changing :math:`Z_0` by at most
        that relative amount per direction. In ``(0, 1)``.

    Returns
    -------
    ReducedNetwork
        ``representation == "compact"``.
    """
    r, m, D = problem.r, problem.m, problem.D
    T = np.zeros((0, r + m))
    G = np.zeros((D, r + m))
    h = 0
    for i, (Ub, Vb) in enumerate(blocks):
        Ub = as_matrix(f"U block {i}", Ub, rows=D)
        Vb = as_matrix(f"V block {i}", Vb, rows=m, cols=Ub.shape[1])
        Zb = np.vstack([problem.Phi1.T @ Ub, Vb])
        T = np.linalg.qr(np.vstack([T, Zb.T]), mode="r")
        G += Ub @ Zb.T
        h += Ub.shape[1]
    if h == 0:
        raise ValueError("blocks must contain at least one column of (U0, V0); got none")
    return compress(problem, T, G, h, rank_rtol)


def make_network(problem: Problem, U0, V0, representation: str = "compact", *, rank_rtol=None):
    """Validate ``(U0, V0)`` and build the state of the chosen representation.

    Parameters
    ----------
    problem : Problem
    U0 : array_like, shape (D, h)
    V0 : array_like, shape (m, h)
    representation : {"compact", "reduced", "full"}
    rank_rtol : float, optional
        Compact only: relative rank tolerance of :math:`Z_0` (see
        :func:`compact_network_from_blocks`).

    Returns
    -------
    ReducedNetwork or FullNetwork
    """
    if representation not in REPRESENTATIONS:
        raise ValueError(f"representation must be one of {REPRESENTATIONS}; got {representation!r}")
    U0, V0 = problem.check_weights(U0, V0)
    h = U0.shape[1]
    if representation == "compact":
        Z0 = np.vstack([problem.Phi1.T @ U0, V0])
        T = np.linalg.qr(Z0.T, mode="r")
        return compress(problem, T, U0 @ Z0.T, h, rank_rtol)
    if rank_rtol is not None:
        relative_tolerance("rank_rtol", rank_rtol)
    N = null_part(problem, U0)
    if representation == "reduced":
        U1 = problem.Phi1.T @ U0
        return ReducedNetwork(problem, U1, V0.copy(), N, U1.copy(), V0.copy(), h, "reduced")
    return FullNetwork(problem, U0.copy(), V0.copy(), N, U0.copy(), V0.copy())
