r"""Initializations of the paper (Sections 3-4 and the experiments; book chapters on convergence and bias).

Every function returns a pair ``(U, V)`` with ``U`` of shape ``(D, h)`` and ``V`` of shape ``(m, h)``,
so that the network is :math:`x \mapsto V U^\top x` and the end-to-end matrix is :math:`\Theta = U V^\top`.
Random draws come from a seeded :class:`numpy.random.Generator`: the same seed gives the same arrays.

All random draws share one convention, so that different initializations built from one seed use
the same underlying Gaussian numbers (experiment A needs this): an ``(h, D + m)`` array ``G`` of
standard normals is drawn in C (row) order, and :math:`U_0 = G_{:, :D}^\top`, :math:`V_0 = G_{:, D:}^\top`.
Row-blocks of ``G`` are consecutive in the generator's stream, so :func:`gaussian_blocks` yields
exactly the same numbers in column blocks of ``(U_0, V_0)`` as the one-shot draw: a width
:math:`10^6` network can be fed to :func:`lnet.compact_network_from_blocks` without ever holding
``U`` in memory, and it is the *same* network as :func:`random_init` would return.
"""

from __future__ import annotations

import numpy as np

from ._checks import alpha_in_theorem_range, as_matrix, positive_float, positive_int
from ._deprecation import renamed_kwargs
from .networks import ReducedNetwork, compact_network_from_blocks, null_part
from .problem import Problem

__all__ = [
    "balanced_init",
    "counterexample_init",
    "gaussian_blocks",
    "homogeneous_init",
    "orthogonal_init",
    "random_compact_network",
    "random_init",
    "scaled_init",
    "spectral_init",
    "wishart_blocks",
    "wishart_compact_network",
]

DEFAULT_BLOCK = 8192


def _gaussian(D: int, m: int, h: int, seed) -> tuple[np.ndarray, np.ndarray]:
    G = np.random.default_rng(seed).standard_normal((h, D + m))
    return np.ascontiguousarray(G[:, :D].T), np.ascontiguousarray(G[:, D:].T)


@renamed_kwargs(scale_U="sigma_U", scale_V="sigma_V")
def gaussian_blocks(D, m, h, *, sigma_U=1.0, sigma_V=1.0, seed=None, block=DEFAULT_BLOCK):
    r"""Yield ``(U_b, V_b)``: consecutive column blocks of :math:`(\sigma_U U_0, \sigma_V V_0)`.

    The blocks, put side by side, equal ``scaled_init(D, m, h, sigma_U, sigma_V, seed=seed)``
    exactly (bit for bit) whatever ``block`` is. Memory use is ``O((D + m) * block)``.

    Parameters
    ----------
    D, m, h : int
        Input dimension, output dimension, width.
    sigma_U, sigma_V : float
        Standard deviations of the entries of ``U`` and ``V`` (formerly ``scale_U``, ``scale_V``).
    seed : int or numpy.random.Generator-compatible seed
    block : int
        Number of columns per block.

    Yields
    ------
    U_b : ndarray, shape (D, b)
    V_b : ndarray, shape (m, b)

    Used in: ``benchmarks/bench_dynamics.py`` (width :math:`10^6`).
    """
    D, m, h = (positive_int(k, v) for k, v in (("D", D), ("m", m), ("h", h)))
    block = positive_int("block", block)
    sigma_U = positive_float("sigma_U", sigma_U, allow_zero=True)
    sigma_V = positive_float("sigma_V", sigma_V, allow_zero=True)
    rng = np.random.default_rng(seed)
    for start in range(0, h, block):
        b = min(block, h - start)
        G = rng.standard_normal((b, D + m))
        yield sigma_U * G[:, :D].T, sigma_V * G[:, D:].T


def random_init(D, m, h, *, alpha=0.5, seed=None, check_alpha=False):
    r"""Entries of :math:`U(0)` and :math:`V(0)` i.i.d. :math:`\mathcal N(0, h^{-2\alpha})` (paper, Section 4).

    Used in: ``book/setup.ipynb``.

    Parameters
    ----------
    D, m, h : int
        Input dimension, output dimension and width.
    alpha : float
        Width exponent, > 0. The paper's results need :math:`1/4 < \alpha \le 1/2`; the
        initialization itself accepts any positive value.
    seed : int, optional
    check_alpha : bool
        If true, raise unless :math:`1/4 < \alpha \le 1/2` (for callers that quote the theorem).

    Returns
    -------
    U : ndarray, shape (D, h)
    V : ndarray, shape (m, h)
    """
    a = alpha_in_theorem_range(alpha) if check_alpha else positive_float("alpha", alpha)
    h_ = positive_int("h", h)
    s = float(h_) ** (-a)
    return scaled_init(D, m, h, s, s, seed=seed)


def scaled_init(D, m, h, sigma_U, sigma_V, *, seed=None):
    r""":math:`U(0) = \sigma_U U_0`, :math:`V(0) = \sigma_V V_0` with :math:`U_0, V_0` standard normal.

    The draws depend only on ``(D, m, h, seed)``, so every case of experiment A built with one
    seed shares the same :math:`U_0, V_0` (paper, Section 5, Figure 2).

    Parameters
    ----------
    D, m, h : int
        Input dimension, output dimension and width.
    sigma_U, sigma_V : float
        Standard deviations of the entries, >= 0.
    seed : int, optional

    Returns
    -------
    U : ndarray, shape (D, h)
    V : ndarray, shape (m, h)
    """
    D, m, h = (positive_int(k, v) for k, v in (("D", D), ("m", m), ("h", h)))
    sigma_U = positive_float("sigma_U", sigma_U, allow_zero=True)
    sigma_V = positive_float("sigma_V", sigma_V, allow_zero=True)
    U0, V0 = _gaussian(D, m, h, seed)
    return sigma_U * U0, sigma_V * V0


def _orthonormal_columns(rng, rows: int, cols: int) -> np.ndarray:
    Qm, T = np.linalg.qr(rng.standard_normal((rows, cols)))
    return Qm * np.sign(np.diag(T))  # sign fix: Haar-distributed and seed-stable


def _sym_power(M: np.ndarray, p: float) -> np.ndarray:
    w, G = np.linalg.eigh(M)
    return (G * w**p) @ G.T


def balanced_init(problem: Problem, theta0, h, *, Q=None, seed=None):
    r"""The balanced initialization with end-to-end matrix :math:`\Theta_0` (paper, experiment A).

    .. math::

        U = \Theta_0 (\Theta_0^\top \Phi_1 \Phi_1^\top \Theta_0)^{-1/4} Q^\top, \qquad
        V = (\Theta_0^\top \Phi_1 \Phi_1^\top \Theta_0)^{1/4} Q,

    so that :math:`U V^\top = \Theta_0` and :math:`\mathcal D = U_1^\top U_1 - V^\top V = 0`.

    Parameters
    ----------
    problem : Problem
    theta0 : array_like, shape (D, m)
        The end-to-end matrix. :math:`\Phi_1^\top \Theta_0` must have rank ``m`` (so ``r >= m``).
    h : int
        Width, ``h >= m``.
    Q : array_like, shape (h, m), optional
        Any matrix with orthonormal columns; by default a random one drawn from ``seed``.
    seed : int, optional

    Returns
    -------
    U : ndarray, shape (D, h)
    V : ndarray, shape (m, h)

    Used in: ``book/exp_a.ipynb`` (the balanced case of the paper's Figure 2),
    ``book/convergence.ipynb``, ``book/initializations.ipynb``.
    """
    theta0 = as_matrix("theta0", theta0, rows=problem.D, cols=problem.m)
    h = positive_int("h", h)
    m = problem.m
    if h < m:
        raise ValueError(f"h must be >= m = {m} for a balanced initialization; got h = {h}")
    if Q is None:
        Q = _orthonormal_columns(np.random.default_rng(seed), h, m)
    else:
        Q = as_matrix("Q", Q, rows=h, cols=m)
        if not np.allclose(Q.T @ Q, np.eye(m), atol=1e-10):
            raise ValueError("Q must have orthonormal columns (Q^T Q = I)")
    T1 = problem.Phi1.T @ theta0
    M = T1.T @ T1
    w = np.linalg.eigvalsh(M)
    if w[0] <= 1e-12 * max(w[-1], np.finfo(float).tiny):
        raise ValueError(
            "theta0 must have Phi1^T theta0 of full column rank m (its row-space part must be "
            f"invertible); got smallest eigenvalue {w[0]:.3g} of theta0^T Phi1 Phi1^T theta0"
        )
    U = theta0 @ _sym_power(M, -0.25) @ Q.T
    V = _sym_power(M, 0.25) @ Q.T
    return U, V


@renamed_kwargs(scale_U="sigma_U", scale_V="sigma_V")
def orthogonal_init(problem: Problem, h, *, sigma_U=None, sigma_V=None, seed=None):
    r"""A random initialization in the invariant set of the implicit-bias result (paper, Proposition 1).

    The rows of :math:`U_2(0) = \Phi_2^\top U(0)` are made orthogonal in :math:`\mathbb R^h` to every
    row of :math:`U_1(0)` and :math:`V(0)`, i.e. :math:`U_1(0) U_2(0)^\top = 0` and
    :math:`V(0) U_2(0)^\top = 0`, by projecting them off the row space of
    :math:`Z_0 = [U_1(0); V(0)]`. Starting from the draw of :func:`scaled_init` (default scales
    :math:`h^{-1/2}`, experiment B's). If the flow converges, :math:`U V^\top \to \hat\Theta`.

    Requires ``h > r + m``: otherwise the row space of :math:`Z_0` is (generically) all of
    :math:`\mathbb R^h` and :math:`U_2(0)` would be forced to zero.

    Parameters
    ----------
    problem : Problem
    h : int
        Width, ``> r + m``.
    sigma_U, sigma_V : float, optional
        Standard deviations of the entries before the projection (default :math:`h^{-1/2}`;
        formerly ``scale_U``, ``scale_V``).
    seed : int, optional

    Returns
    -------
    U : ndarray, shape (D, h)
    V : ndarray, shape (m, h)
    """
    h = positive_int("h", h)
    r, m, D = problem.r, problem.m, problem.D
    if h <= r + m:
        raise ValueError(
            f"h must be > r + m = {r + m} for an orthogonal initialization with nonzero U2(0) "
            f"(r = rank X = {r}, m = {m}); got h = {h}"
        )
    s_U = h**-0.5 if sigma_U is None else sigma_U
    s_V = h**-0.5 if sigma_V is None else sigma_V
    U, V = scaled_init(D, m, h, s_U, s_V, seed=seed)
    return _project_null_part(problem, U, np.vstack([problem.Phi1.T @ U, V])), V


def _project_null_part(problem: Problem, U, rows) -> np.ndarray:
    """``U`` with the rows of its null-space part Phi2 U2 projected off the row space of ``rows``."""
    U1 = problem.Phi1.T @ U
    basis, _ = np.linalg.qr(rows.T)  # h x k: orthonormal basis of the row space of rows
    N = U - problem.Phi1 @ U1  # null-space part Phi2 U2 in input coordinates
    N -= (N @ basis) @ basis.T
    return problem.Phi1 @ U1 + N


@renamed_kwargs(scale="sigma", U2_scale="sigma_U2")
def homogeneous_init(problem: Problem, h, lambda0, *, sigma=None, seed=None, sigma_U2=0.0):
    r"""An initialization with homogeneous imbalance :math:`\mathcal D = U_1^\top U_1 - V^\top V = \lambda_0 I_h`.

    Existence. :math:`\mathcal D = Z^\top J Z` with :math:`Z = [U_1; V]` and
    :math:`J = \mathrm{diag}(I_r, -I_m)`, so by Sylvester's law of inertia :math:`\mathcal D` has at
    most ``r`` positive and at most ``m`` negative eigenvalues. Hence :math:`\lambda_0 I_h` is
    reachable iff ``h <= r`` when :math:`\lambda_0 > 0`, iff ``h <= m`` when :math:`\lambda_0 < 0`;
    :math:`\lambda_0 = 0` is the balanced case (use :func:`balanced_init`). Otherwise this raises.

    Construction: :math:`V` random (entries :math:`\mathcal N(0, \sigma^2)`, default
    :math:`h^{-1/2}`), :math:`U_1 = O (\lambda_0 I + V^\top V)^{1/2}` with a random ``O`` (``r x h``,
    orthonormal columns) for :math:`\lambda_0 > 0`; symmetrically for :math:`\lambda_0 < 0`.
    :math:`U_2 = \Phi_2^\top U` has entries :math:`\mathcal N(0, \sigma_{U_2}^2)` (default 0).

    Used in: ``book/initializations.ipynb`` (the homogeneous row of the summary table) and the
    tests of the homogeneous-imbalance closed form (:func:`lnet.gram_closed_form`).

    Parameters
    ----------
    problem : Problem
    h : int
        Width: ``h <= r`` for ``lambda0 > 0``, ``h <= m`` for ``lambda0 < 0``.
    lambda0 : float
        The imbalance level, nonzero.
    sigma : float, optional
        Standard deviation of the random factor's entries (``V`` for ``lambda0 > 0``, ``U1``
        otherwise); default :math:`h^{-1/2}`. Formerly ``scale``.
    seed : int, optional
    sigma_U2 : float
        Standard deviation of the entries of :math:`U_2` (formerly ``U2_scale``).

    Returns
    -------
    U : ndarray, shape (D, h)
    V : ndarray, shape (m, h)
    """
    h = positive_int("h", h)
    if isinstance(lambda0, bool) or not np.isscalar(lambda0) or not np.isfinite(lambda0):
        raise ValueError(f"lambda0 must be a finite real number; got {lambda0!r}")
    lambda0 = float(lambda0)
    r, m, D = problem.r, problem.m, problem.D
    if lambda0 == 0:
        raise ValueError("lambda0 must be nonzero; for lambda0 = 0 use balanced_init")
    if lambda0 > 0 and h > r:
        raise ValueError(
            f"D = lambda0 I with lambda0 > 0 exists only for h <= r = rank X = {r} "
            f"(D has at most r positive eigenvalues); got h = {h}"
        )
    if lambda0 < 0 and h > m:
        raise ValueError(
            f"D = lambda0 I with lambda0 < 0 exists only for h <= m = {m} "
            f"(D has at most m negative eigenvalues); got h = {h}"
        )
    sigma = h**-0.5 if sigma is None else positive_float("sigma", sigma, allow_zero=True)
    sigma_U2 = positive_float("sigma_U2", sigma_U2, allow_zero=True)
    rng = np.random.default_rng(seed)
    if lambda0 > 0:
        V = sigma * rng.standard_normal((m, h))
        U1 = _orthonormal_columns(rng, r, h) @ _sym_power(lambda0 * np.eye(h) + V.T @ V, 0.5)
    else:
        U1 = sigma * rng.standard_normal((r, h))
        V = _orthonormal_columns(rng, m, h) @ _sym_power(-lambda0 * np.eye(h) + U1.T @ U1, 0.5)
    U = problem.Phi1 @ U1
    if sigma_U2 > 0 and r < D:
        U = U + null_part(problem, sigma_U2 * rng.standard_normal((D, h)))
    return U, V


def spectral_init(problem: Problem, h, a, b, *, seed=None):
    r"""A spectral initialization: :math:`U_1 V^\top` shares its singular vectors with :math:`\tilde Y`.

    With the compact SVD :math:`\tilde Y = A_y\, \mathrm{diag}(y)\, B_y^\top` (``p = min(r, m)`` modes),

    .. math::

        U = \Phi_1 A_y\, \mathrm{diag}(a)\, O^\top, \qquad V = B_y\, \mathrm{diag}(b)\, O^\top,

    with a random ``O`` (``h x p``, orthonormal columns), so :math:`U_2(0) = 0` and
    :math:`\mathcal D = O\, \mathrm{diag}(a^2 - b^2)\, O^\top`. When :math:`\Sigma_x = I` the
    flow decouples: mode ``i`` follows the scalar model :math:`(u, v) = (a_i, b_i)` with target
    :math:`y_i` (paper, Section 3; :func:`lnet.scalar_product_balanced` when :math:`a_i = b_i`).
    For a general :math:`\Sigma_x` the modes do not decouple (the singular vectors of
    :math:`\Sigma_x^{1/2}\tilde Y` and :math:`\tilde Y` differ); the initialization still exists.
    It needs ``h >= p``; otherwise it does not exist and this raises.

    Parameters
    ----------
    problem : Problem
    h : int
        Width, ``>= min(r, m)``.
    a, b : float or array_like, shape (min(r, m),)
        The modes' weights (scalars broadcast).
    seed : int, optional

    Returns
    -------
    U : ndarray, shape (D, h)
    V : ndarray, shape (m, h)
    """
    h = positive_int("h", h)
    Py, y, Rt = np.linalg.svd(problem.Ytilde, full_matrices=False)
    p = y.size
    a = np.broadcast_to(np.asarray(a, dtype=float), (p,))
    b = np.broadcast_to(np.asarray(b, dtype=float), (p,))
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("a and b must be finite")
    if h < p:
        raise ValueError(f"h must be >= min(r, m) = {p} for a spectral initialization; got h = {h}")
    O = _orthonormal_columns(np.random.default_rng(seed), h, p)
    U = problem.Phi1 @ (Py * a) @ O.T
    V = (Rt.T * b) @ O.T
    return U, V


def counterexample_init(problem: Problem, h, *, sigma_U=None, sigma_V=None, seed=None):
    r"""An initialization with :math:`V(0)U_2(0)^\top = 0` but :math:`U_1(0)U_2(0)^\top \neq 0`.

    The draw of :func:`scaled_init` (default scales :math:`h^{-1/2}`) with the rows of
    :math:`U_2(0)` projected off the row space of :math:`V(0)` only. Half of the orthogonality
    condition holds, yet :math:`\frac{d}{dt}(VU_2(0)^\top) = E^\top\Sigma_x^{1/2}U_1U_2(0)^\top \neq 0`
    once the residual is nonzero, so :math:`VU_2(0)^\top` leaves zero and the flow does not reach
    :math:`\hat\Theta`. Requires ``h > m``. (Formerly ``lnet.implicit_bias.counterexample_init``
    with one ``scale`` for both factors.)

    Used in: ``book/implicit_bias.ipynb``.

    Parameters
    ----------
    problem : Problem
    h : int
        Width, ``> m``.
    sigma_U, sigma_V : float, optional
        Standard deviations of the entries before the projection (default :math:`h^{-1/2}`).
    seed : int, optional

    Returns
    -------
    U : ndarray, shape (D, h)
    V : ndarray, shape (m, h)
    """
    h = positive_int("h", h)
    if h <= problem.m:
        raise ValueError(
            f"h must be > m = {problem.m} for a nonzero U2(0) orthogonal to V(0); got h = {h}"
        )
    s_U = h**-0.5 if sigma_U is None else positive_float("sigma_U", sigma_U)
    s_V = h**-0.5 if sigma_V is None else positive_float("sigma_V", sigma_V)
    U, V = scaled_init(problem.D, problem.m, h, s_U, s_V, seed=seed)
    return _project_null_part(problem, U, V), V


def random_compact_network(
    problem: Problem,
    h,
    *,
    alpha=0.5,
    sigma_U=None,
    sigma_V=None,
    seed=None,
    block=DEFAULT_BLOCK,
    check_alpha=False,
    orthogonal=False,
) -> ReducedNetwork:
    r"""Compact state of the random initialization, streamed: never more than one block in memory.

    Entries :math:`\mathcal N(0, h^{-2\alpha})` (or standard deviations ``sigma_U``, ``sigma_V``
    when given). The network is exactly the one :func:`random_init` / :func:`scaled_init`
    returns for the same seed (see :func:`gaussian_blocks`).

    ``orthogonal=True`` gives the compact state of :func:`orthogonal_init` with the same
    seed and scales: that initialization changes only :math:`U_2(0)`, projecting it off the row
    space of :math:`Z_0`, so its compressed frozen part is exactly zero (needs ``h > r + m``).

    Parameters
    ----------
    problem : Problem
    h : int
        Width.
    alpha : float
        Entries :math:`\mathcal N(0, h^{-2\alpha})` unless ``sigma_U``/``sigma_V`` are given.
    sigma_U, sigma_V : float, optional
        Standard deviations of the entries of ``U`` and ``V``.
    seed : int, optional
    block : int
        Columns per streamed block.
    check_alpha : bool
        Require :math:`1/4 < \alpha \le 1/2`, the range of the paper's results.
    orthogonal : bool
        The compact state of :func:`orthogonal_init` instead.

    Returns
    -------
    ReducedNetwork
        ``representation == "compact"``, ``width == h``.
    """
    h = positive_int("h", h)
    a = alpha_in_theorem_range(alpha) if check_alpha else positive_float("alpha", alpha)
    sU = h**-a if sigma_U is None else sigma_U
    sV = h**-a if sigma_V is None else sigma_V
    if orthogonal and h <= problem.r + problem.m:
        raise ValueError(
            f"h must be > r + m = {problem.r + problem.m} for an orthogonal initialization; "
            f"got h = {h}"
        )
    blocks = gaussian_blocks(
        problem.D, problem.m, h, sigma_U=sU, sigma_V=sV, seed=seed, block=block
    )
    net = compact_network_from_blocks(problem, blocks)
    if orthogonal:
        net.N = np.zeros_like(net.N)
    return net


def wishart_blocks(D: int, r: int, m: int, h: int, alpha=0.5, seed=None):
    r"""Draw :math:`(U_1, U_2, V)` of a random initialization, compressed to ``min(h, r + m)`` columns.

    Everything the Lemma, Theorem 2 and the compact dynamics need from a random initialization is
    :math:`Z_0Z_0^\top` and :math:`U_2(0)Z_0^\top`, :math:`Z_0 = [U_1(0); V(0)]`. With the QR
    factorization :math:`Z_0^\top = O T` (Bartlett), :math:`T` is upper triangular with
    :math:`T_{ii} \sim h^{-\alpha}\chi_{h-i+1}`, :math:`T_{ij} \sim \mathcal N(0, h^{-2\alpha})`
    above the diagonal, :math:`O` is Haar and independent of :math:`T`, and :math:`U_2(0)O` has
    i.i.d. :math:`\mathcal N(0, h^{-2\alpha})` entries independent of both. For ``h > r + m`` the
    columns returned are :math:`Z_c = [U_1; V]O = T^\top` and :math:`U_2O`: every quantity
    invariant under :math:`Z \mapsto ZO` (the Lemma's three, the imbalance spectrum,
    :math:`\|U_2(0)V(t)^\top\|` along the flow or descent) has exactly the distribution it has
    under i.i.d. :math:`\mathcal N(0, h^{-2\alpha})` entries, at a cost of :math:`O(D(r+m))`
    random numbers instead of :math:`(D+m)h`. For ``h <= r + m`` the blocks are drawn directly.
    Exact in distribution, but not the same network as :func:`random_init` for the same seed
    (use :func:`random_compact_network` for that).

    Used in: ``book/width.ipynb``, ``book/exp_b.ipynb``.

    Parameters
    ----------
    D, r, m, h : int
        Input dimension, rank of ``X`` (``r <= D``), output dimension, width.
    alpha : float
        Entries have standard deviation :math:`h^{-\alpha}` (any ``alpha > 0``).
    seed : optional
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    U1 : ndarray, shape (r, k)
    U2 : ndarray, shape (D - r, k)
    V : ndarray, shape (m, k)
    """
    D, r, m, h = (positive_int(k, v) for k, v in (("D", D), ("r", r), ("m", m), ("h", h)))
    if r > D:
        raise ValueError(f"r (rank of X) must be <= D = {D}; got {r}")
    sd = h ** (-positive_float("alpha", alpha))
    rng = np.random.default_rng(seed)
    k = r + m
    if h <= k:
        return (
            sd * rng.standard_normal((r, h)),
            sd * rng.standard_normal((D - r, h)),
            sd * rng.standard_normal((m, h)),
        )
    T = np.triu(rng.standard_normal((k, k)), 1)
    T[np.diag_indices(k)] = np.sqrt(rng.chisquare(h - np.arange(k)))
    Zc = sd * T.T
    return Zc[:r].copy(), sd * rng.standard_normal((D - r, k)), Zc[r:].copy()


def wishart_compact_network(problem: Problem, h: int, *, alpha=0.5, seed=None) -> ReducedNetwork:
    r"""The compact state of a random initialization of width ``h``, sampled in distribution.

    Same distribution of every recorded quantity as
    ``random_compact_network(problem, h, alpha=alpha)`` (see :func:`wishart_blocks`), at a
    cost of :math:`O(D(r + m))` random numbers and :math:`O(D r (r + m))` flops whatever ``h``:
    the frozen part is :math:`\Phi_2 U_2(0) O`.

    Used in: ``book/width.ipynb``, ``book/exp_b.ipynb``.

    Parameters
    ----------
    problem : Problem
    h : int
        Width.
    alpha : float
        Entries have standard deviation :math:`h^{-\alpha}`.
    seed : optional

    Returns
    -------
    ReducedNetwork
        ``representation == "compact"``, ``width == h``; run it with
        :func:`lnet.gradient_descent_from` or :func:`lnet.gradient_flow_from`.
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be an lnet.Problem; got {type(problem).__name__}")
    U1, U2, V = wishart_blocks(problem.D, problem.r, problem.m, h, alpha, seed)
    N = problem.Phi2 @ U2
    return ReducedNetwork(problem, U1, V, N, U1.copy(), V.copy(), int(h), "compact")
