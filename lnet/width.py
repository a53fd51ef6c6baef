r"""Random initialization and width: the Lemma and Theorem 2 of the paper (book chapter "Width").

ICML version: Lemma 1 / Theorem 2; extended version: Lemma 11 / Theorem 12. Entries of :math:`U(0)`, :math:`V(0)` are
i.i.d. :math:`\mathcal N(0, h^{-2\alpha})`, :math:`1/4 < \alpha \le 1/2`. With
:math:`\beta(\delta) = \sqrt{m + D} + \log(2/\delta)/2` and :math:`h_0 = 16\beta^2`, the Lemma states
that for :math:`h > h_0`, with probability at least :math:`1 - \delta`,

.. math::

    \lambda_r(\mathcal D(0)) + \lambda_m(-\mathcal D(0)) &> h^{1-2\alpha},\\
    \big\|[V(0)U_2(0)^\top;\ U_1(0)U_2(0)^\top]\big\|_F &\le 2\sqrt{m+r}\,\beta/h^{2\alpha-1/2},\\
    \|U_1(0)V(0)^\top\|_F &\le 2\sqrt{m}\,\beta/h^{2\alpha-1/2}.

The constant :math:`\log(2/\delta)/2` does not follow from the tail :math:`1 - 2e^{-t^2}` quoted in
the proof, which gives :math:`\sqrt{\log(2/\delta)}`; ``tail="sqrt"`` uses that instead, so the
two can be compared by Monte Carlo (:func:`lnet.experiments.width.lemma_monte_carlo`).

Sampling. :math:`U_1 = \Phi_1^\top U`, :math:`U_2 = \Phi_2^\top U` of a Gaussian :math:`U` with i.i.d.
entries are independent with i.i.d. :math:`\mathcal N(0, h^{-2\alpha})` entries (rotation invariance),
so the Monte Carlo draws :math:`U_1`, :math:`U_2`, :math:`V` directly and needs no data for the Lemma.

The samplers (:func:`lnet.wishart_blocks`, :func:`lnet.wishart_compact_network`) are in
:mod:`lnet.initializations`; the Monte Carlo checks (:func:`lnet.experiments.width.lemma_monte_carlo`,
:func:`lnet.experiments.width.theorem2_monte_carlo`) in :mod:`lnet.experiments.width`. This
module holds the formulas only.

Used in: ``book/width.ipynb``, ``book/exp_b.ipynb``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._checks import alpha_in_theorem_range, as_matrix, positive_float, positive_int
from ._deprecation import moved_names
from .bounds import imbalance_spectrum
from .problem import Problem, resolve_problem

__all__ = [
    "LemmaBounds",
    "LemmaQuantities",
    "Theorem2Bound",
    "check_delta",
    "lemma_bounds",
    "lemma_from_blocks",
    "lemma_h0",
    "lemma_quantities",
    "lemma_quantities_from_blocks",
    "theorem2_bound",
    "theorem2_log_C",
]

__getattr__ = moved_names(
    "lnet.width",
    {
        "wishart_blocks": "lnet.initializations:wishart_blocks",
        "wishart_compact_network": "lnet.initializations:wishart_compact_network",
        "lemma_monte_carlo": "lnet.experiments.width:lemma_monte_carlo",
        "theorem2_monte_carlo": "lnet.experiments.width:theorem2_monte_carlo",
        "LemmaMonteCarlo": "lnet.experiments.width:LemmaMonteCarlo",
        "Theorem2MonteCarlo": "lnet.experiments.width:Theorem2MonteCarlo",
    },
)


def check_delta(delta) -> float:
    """A failure probability in (0, 1), or an error naming ``delta``.

    Parameters
    ----------
    delta : float

    Returns
    -------
    float
    """
    d = positive_float("delta", delta)
    if not d < 1:
        raise ValueError(f"delta must lie in (0, 1) (a failure probability); got {d}")
    return d


def _beta(D: int, m: int, delta: float, tail: str) -> float:
    if tail == "paper":
        extra = np.log(2 / delta) / 2
    elif tail == "sqrt":
        extra = np.sqrt(np.log(2 / delta))
    else:
        raise ValueError(
            f"tail must be 'paper' (log(2/delta)/2) or 'sqrt' (sqrt(log(2/delta))); got {tail!r}"
        )
    return float(np.sqrt(m + D) + extra)


def lemma_h0(D: int, m: int, delta: float, *, tail: str = "paper") -> float:
    r"""The Lemma's width threshold :math:`h_0 = 16(\sqrt{m + D} + \log(2/\delta)/2)^2`.

    Parameters
    ----------
    D, m : int
        Input and output dimensions.
    delta : float in (0, 1)
    tail : {"paper", "sqrt"}
        See :func:`lemma_bounds`.

    Returns
    -------
    float
    """
    D, m = positive_int("D", D), positive_int("m", m)
    return 16 * _beta(D, m, check_delta(delta), tail) ** 2


@dataclass(frozen=True)
class LemmaBounds:
    r"""The three bounds of the Lemma for given sizes, :math:`\alpha`, :math:`\delta`.

    ``imbalance`` is a *lower* bound (:math:`h^{1-2\alpha}`), the other two are upper bounds.
    ``applies`` says whether ``h > h0``.
    """

    imbalance: float
    orthogonality: float
    product: float
    h0: float
    applies: bool


def lemma_bounds(
    D: int, r: int, m: int, h: int, alpha, delta, *, tail: str = "paper"
) -> LemmaBounds:
    r"""The Lemma's bounds :math:`h^{1-2\alpha}`, :math:`2\sqrt{m+r}\beta/h^{2\alpha-1/2}`, :math:`2\sqrt m\beta/h^{2\alpha-1/2}` and :math:`h_0`.

    Parameters
    ----------
    D, r, m, h : int
        Input dimension, rank of ``X``, output dimension, width.
    alpha : float in (1/4, 1/2]
    delta : float in (0, 1)
    tail : {"paper", "sqrt"}
        ``"paper"`` uses :math:`\log(2/\delta)/2` as printed; ``"sqrt"`` uses :math:`\sqrt{\log(2/\delta)}`.

    Returns
    -------
    LemmaBounds
    """
    D, r, m, h = (positive_int(k, v) for k, v in (("D", D), ("r", r), ("m", m), ("h", h)))
    if r > D:
        raise ValueError(f"r (rank of X) must be <= D = {D}; got {r}")
    a = alpha_in_theorem_range(alpha)
    beta = _beta(D, m, check_delta(delta), tail)
    scale = h ** (2 * a - 0.5)
    h0 = 16 * beta**2
    return LemmaBounds(
        imbalance=float(h ** (1 - 2 * a)),
        orthogonality=float(2 * np.sqrt(m + r) * beta / scale),
        product=float(2 * np.sqrt(m) * beta / scale),
        h0=h0,
        applies=h > h0,
    )


@dataclass(frozen=True)
class LemmaQuantities:
    r"""The three Lemma quantities at one initialization.

    ``imbalance`` :math:`= \lambda_r(\mathcal D) + \lambda_m(-\mathcal D)` (unclipped, with
    :math:`\lambda_k = 0` for :math:`k > h`); ``orthogonality`` :math:`= \|[VU_2^\top; U_1U_2^\top]\|_F`;
    ``product`` :math:`= \|U_1V^\top\|_F`.
    """

    imbalance: float
    orthogonality: float
    product: float


def lemma_from_blocks(U1, U2, V) -> LemmaQuantities:
    """The Lemma's quantities from validated float blocks (no checks: for Monte Carlo loops).

    Parameters
    ----------
    U1 : ndarray, shape (r, k)
    U2 : ndarray, shape (D - r, k), or (0, k) to skip the orthogonality term
    V : ndarray, shape (m, k)

    Returns
    -------
    LemmaQuantities
    """
    spec = imbalance_spectrum(U1, V)
    Z = np.vstack([V, U1])
    return LemmaQuantities(
        imbalance=spec.lam(spec.r) + spec.lam_neg(spec.m),
        orthogonality=float(np.linalg.norm(Z @ U2.T)) if U2.size else 0.0,
        product=float(np.linalg.norm(U1 @ V.T)),
    )


def lemma_quantities_from_blocks(U1, U2, V) -> LemmaQuantities:
    r"""The Lemma's three quantities from the blocks :math:`U_1 = \Phi_1^\top U`, :math:`U_2 = \Phi_2^\top U`, :math:`V`.

    The blocks may be compressed (:func:`wishart_blocks`): every quantity is invariant under
    :math:`(U_1, U_2, V) \mapsto (U_1O, U_2O, VO)` for :math:`O` with orthonormal columns spanning
    the row space of :math:`[U_1; V]`.

    Used in: ``book/width.ipynb`` (through :func:`lnet.experiments.width.run_lemma_scan`).

    Parameters
    ----------
    U1 : array_like, shape (r, k)
    U2 : array_like, shape (D - r, k)
    V : array_like, shape (m, k)

    Returns
    -------
    LemmaQuantities
    """
    U1 = as_matrix("U1", U1)
    V = as_matrix("V", V, cols=U1.shape[1])
    U2 = np.asarray(U2, dtype=float)
    if U2.ndim != 2 or U2.shape[1] != U1.shape[1]:
        raise ValueError(f"U2 must be a 2-D array with {U1.shape[1]} columns; got shape {U2.shape}")
    return lemma_from_blocks(U1, U2, V)


def lemma_quantities(X, U, V, *, problem: Problem | None = None) -> LemmaQuantities:
    r"""The Lemma's three quantities at weights ``(U, V)`` for data ``X`` (only its row space matters).

    :math:`\|[VU_2^\top; U_1U_2^\top]\|_F` is computed as :math:`\|ZU^\top(I - \Phi_1\Phi_1^\top)\|_F`,
    :math:`Z = [V; U_1]`, which equals it because :math:`\Phi_2` has orthonormal columns.

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    U : array_like, shape (D, h)
    V : array_like, shape (m, h)
    problem : Problem, optional

    Returns
    -------
    LemmaQuantities
    """
    problem = resolve_problem(X, None, problem, need_Y=False)
    U = as_matrix("U", U, rows=problem.D)
    V = as_matrix("V", V, cols=U.shape[1])
    U1 = problem.Phi1.T @ U
    U2perp = U - problem.Phi1 @ U1  # Phi2 U2
    q = lemma_from_blocks(U1, np.zeros((0, U.shape[1])), V)
    Z = np.vstack([V, U1])
    return LemmaQuantities(q.imbalance, float(np.linalg.norm(Z @ U2perp.T)), q.product)


# ---------------------------------------------------------------------------------------------
# Theorem 2
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Theorem2Bound:
    r"""The Theorem 2 bound on :math:`\|U(\infty)V(\infty)^\top - \hat\Theta\|` and what is known of its threshold.

    Attributes
    ----------
    distance : float
        :math:`2C^{1/h^{1-2\alpha}}\sqrt{m+r}\,\beta/h^{2\alpha-1/2}`; the paper states it for the
        spectral norm and its proof gives the same bound for the Frobenius norm. Computed as
        ``exp(log_distance)``: ``inf`` only when the bound itself exceeds float64's range.
    log_distance : float
        Its natural logarithm, always finite.
    C : float
        :math:`\exp(1 + \lambda_1(\Sigma_x)^{1/2}\|Y\|_F/\lambda_r(\Sigma_x))` (``inf`` when it
        overflows; ``log_C`` is exact).
    log_C : float
        :math:`1 + \lambda_1(\Sigma_x)^{1/2}\|Y\|_F/\lambda_r(\Sigma_x)`.
    loss_rate : float
        :math:`2\lambda_r(\Sigma_x)h^{1-2\alpha}`, the loss rate on the same event.
    h0_lemma : float
        The Lemma's explicit threshold; the Theorem needs at least ``h > h0_lemma``.
    lemma_applies : bool
    threshold_explicit : bool
        Always False: the Theorem asks for :math:`h > h_0^{1/(4\alpha-1)}` with :math:`h_0`
        "polynomial in :math:`m, D, 1/\delta, \lambda_1(\Sigma_x)/\lambda_r^3(\Sigma_x)`" and no
        explicit constant, so whether a given ``h`` is large enough cannot be decided from the
        statement. ``lemma_applies`` is a necessary condition only.
    """

    distance: float
    log_distance: float
    C: float
    log_C: float
    loss_rate: float
    h0_lemma: float
    lemma_applies: bool
    threshold_explicit: bool = False


def _exp(x: float) -> float:
    """exp(x), inf (not an OverflowError) beyond float64's range."""
    return math.exp(x) if x < 709.78 else math.inf


def theorem2_log_C(problem: Problem) -> float:
    r""":math:`\log C = 1 + \lambda_1(\Sigma_x)^{1/2}\|Y\|_F/\lambda_r(\Sigma_x)` of Theorem 2.

    Parameters
    ----------
    problem : Problem

    Returns
    -------
    float
    """
    lam1, lamr = float(problem.sigma[0]), float(problem.sigma[-1])
    return 1.0 + math.sqrt(lam1) * float(np.linalg.norm(problem.Y)) / lamr


def theorem2_bound(
    X, Y, h: int, alpha, delta, *, problem: Problem | None = None, tail: str = "paper"
) -> Theorem2Bound:
    r"""The Theorem 2 bound for data ``(X, Y)``, width ``h``, scale exponent ``alpha`` and failure probability ``delta``.

    .. math::

        \|U(\infty)V(\infty)^\top - \hat\Theta\|_2 \le
        2\,C^{1/h^{1-2\alpha}}\sqrt{m + r}\,\frac{\sqrt{m + D} + \log(2/\delta)/2}{h^{2\alpha - 1/2}},

        C = \exp\!\Big(1 + \frac{\lambda_1(\Sigma_x)^{1/2}\|Y\|_F}{\lambda_r(\Sigma_x)}\Big).

    The factor :math:`C^{1/h^{1-2\alpha}}` bounds the growth of :math:`\|[VU_2^\top; U_1U_2^\top]\|`,
    whose linear ODE has a coefficient of size :math:`\|E(t)\|`, integrated against the rate
    :math:`2\lambda_r h^{1-2\alpha}`. Computed in log space: :math:`C` alone overflows for
    ill-conditioned data (condition number 100 and :math:`\|Y\|_F = 25` give
    :math:`\log C \approx 2.5\cdot 10^4`) while the bound at a large width is moderate.

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    h : int
        Width.
    alpha : float in (1/4, 1/2]
    delta : float in (0, 1)
    problem : Problem, optional
    tail : {"paper", "sqrt"}
        See :func:`lemma_bounds`.

    Returns
    -------
    Theorem2Bound
    """
    problem = resolve_problem(X, Y, problem)
    h = positive_int("h", h)
    a = alpha_in_theorem_range(alpha)
    b = lemma_bounds(problem.D, problem.r, problem.m, h, a, delta, tail=tail)
    log_C = theorem2_log_C(problem)
    log_distance = log_C / h ** (1 - 2 * a) + math.log(b.orthogonality)
    return Theorem2Bound(
        distance=_exp(log_distance),
        log_distance=log_distance,
        C=_exp(log_C),
        log_C=log_C,
        loss_rate=2 * float(problem.sigma[-1]) * h ** (1 - 2 * a),
        h0_lemma=b.h0,
        lemma_applies=b.applies,
    )
