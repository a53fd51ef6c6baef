r"""Random initialization and width: the Lemma and Theorem 2 of the paper (book chapter "Width").

ICML Lemma 1 / Theorem 2, EXT Lemma 11 / Theorem 12. Entries of :math:`U(0)`, :math:`V(0)` are
i.i.d. :math:`\mathcal N(0, h^{-2\alpha})`, :math:`1/4 < \alpha \le 1/2`. With
:math:`\beta(\delta) = \sqrt{m + D} + \log(2/\delta)/2` and :math:`h_0 = 16\beta^2`, the Lemma states
that for :math:`h > h_0`, with probability at least :math:`1 - \delta`,

.. math::

    \lambda_r(\mathcal D(0)) + \lambda_m(-\mathcal D(0)) &> h^{1-2\alpha},\\
    \big\|[V(0)U_2(0)^\top;\ U_1(0)U_2(0)^\top]\big\|_F &\le 2\sqrt{m+r}\,\beta/h^{2\alpha-1/2},\\
    \|U_1(0)V(0)^\top\|_F &\le 2\sqrt{m}\,\beta/h^{2\alpha-1/2}.

The constant :math:`\log(2/\delta)/2` does not follow from the tail :math:`1 - 2e^{-t^2}` quoted in
the proof, which gives :math:`\sqrt{\log(2/\delta)}` (NOTES Section 6); ``tail="sqrt"`` uses that
instead, so the two can be compared by Monte Carlo (:func:`lemma_monte_carlo`).

Sampling. :math:`U_1 = \Phi_1^\top U`, :math:`U_2 = \Phi_2^\top U` of a Gaussian :math:`U` with i.i.d.
entries are independent with i.i.d. :math:`\mathcal N(0, h^{-2\alpha})` entries (rotation invariance),
so the Monte Carlo draws :math:`U_1`, :math:`U_2`, :math:`V` directly and needs no data for the Lemma.

Sampling at any width. Everything the Lemma, Theorem 2 and the compact dynamics need from a random
initialization is :math:`Z_0Z_0^\top` and :math:`U_2(0)Z_0^\top`, :math:`Z_0 = [U_1(0); V(0)]`. With
the QR factorization :math:`Z_0^\top = O R` (Bartlett), :math:`R` is upper triangular with
:math:`R_{ii} \sim h^{-\alpha}\chi_{h-i+1}`, :math:`R_{ij} \sim \mathcal N(0, h^{-2\alpha})` above the
diagonal, :math:`O` is Haar and independent of :math:`R`, and :math:`U_2(0)O` has i.i.d.
:math:`\mathcal N(0, h^{-2\alpha})` entries independent of both. :func:`wishart_blocks` draws
:math:`(R^\top, U_2(0)O)` directly, so a width-:math:`10^6` network costs
:math:`O(D(r+m))` random numbers instead of :math:`(D+m)h`. Exact in distribution, but not the same
network as :func:`lnet.random_init` for the same seed (use :func:`lnet.random_compact_network` for that).

Used in: ``book/width.ipynb``, ``book/exp_b.ipynb``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from ._checks import alpha_in_theorem_range, as_matrix, positive_float, positive_int
from .bounds import gram_rate_quantities, imbalance_spectrum
from .dynamics import gradient_flow_from, make_network
from .problem import Problem

__all__ = [
    "LemmaBounds",
    "LemmaQuantities",
    "LemmaMonteCarlo",
    "Theorem2Bound",
    "Theorem2MonteCarlo",
    "lemma_h0",
    "lemma_bounds",
    "lemma_quantities",
    "lemma_quantities_from_blocks",
    "lemma_monte_carlo",
    "theorem2_bound",
    "theorem2_monte_carlo",
    "wishart_blocks",
    "wishart_compact_network",
]


def _check_delta(delta) -> float:
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
    r"""The Lemma's width threshold :math:`h_0 = 16(\sqrt{m + D} + \log(2/\delta)/2)^2`."""
    D, m = positive_int("D", D), positive_int("m", m)
    return 16 * _beta(D, m, _check_delta(delta), tail) ** 2


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


def lemma_bounds(D: int, r: int, m: int, h: int, alpha, delta, *,
                 tail: str = "paper") -> LemmaBounds:
    r"""The Lemma's bounds :math:`h^{1-2\alpha}`, :math:`2\sqrt{m+r}\beta/h^{2\alpha-1/2}`, :math:`2\sqrt m\beta/h^{2\alpha-1/2}` and :math:`h_0`.

    Parameters
    ----------
    D, r, m, h : int
        Input dimension, rank of ``X``, output dimension, width.
    alpha : float in (1/4, 1/2]
    delta : float in (0, 1)
    tail : {"paper", "sqrt"}
        ``"paper"`` uses :math:`\log(2/\delta)/2` as printed; ``"sqrt"`` uses :math:`\sqrt{\log(2/\delta)}`.
    """
    D, r, m, h = (positive_int(k, v) for k, v in (("D", D), ("r", r), ("m", m), ("h", h)))
    if r > D:
        raise ValueError(f"r (rank of X) must be <= D = {D}; got {r}")
    a = alpha_in_theorem_range(alpha)
    beta = _beta(D, m, _check_delta(delta), tail)
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


def _lemma_from_blocks(U1, U2, V) -> LemmaQuantities:
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
    """
    U1 = as_matrix("U1", U1)
    V = as_matrix("V", V, cols=U1.shape[1])
    U2 = np.asarray(U2, dtype=float)
    if U2.ndim != 2 or U2.shape[1] != U1.shape[1]:
        raise ValueError(f"U2 must be a 2-D array with {U1.shape[1]} columns; got shape {U2.shape}")
    return _lemma_from_blocks(U1, U2, V)


def lemma_quantities(X, U, V, *, problem: Problem | None = None) -> LemmaQuantities:
    r"""The Lemma's three quantities at weights ``(U, V)`` for data ``X`` (only its row space matters).

    :math:`\|[VU_2^\top; U_1U_2^\top]\|_F` is computed as :math:`\|ZU^\top(I - \Phi_1\Phi_1^\top)\|_F`,
    :math:`Z = [V; U_1]`, which equals it because :math:`\Phi_2` has orthonormal columns.
    """
    if problem is None:
        X = as_matrix("X", X)
        problem = Problem.from_data(X, np.zeros((X.shape[0], 1)))
    U = as_matrix("U", U, rows=problem.D)
    V = as_matrix("V", V, cols=U.shape[1])
    U1 = problem.Phi1.T @ U
    U2perp = U - problem.Phi1 @ U1  # Phi2 U2
    q = _lemma_from_blocks(U1, np.zeros((0, U.shape[1])), V)
    Z = np.vstack([V, U1])
    return LemmaQuantities(q.imbalance, float(np.linalg.norm(Z @ U2perp.T)), q.product)


def _seed_list(seeds) -> list[int]:
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        return list(range(positive_int("seeds", seeds)))
    try:
        out = [int(s) for s in seeds]
    except TypeError:
        raise TypeError(f"seeds must be a count or an iterable of ints; got {seeds!r}") from None
    if not out:
        raise ValueError("seeds must not be empty")
    return out


@dataclass(frozen=True)
class LemmaMonteCarlo:
    r"""Fractions of draws in which each Lemma inequality holds, against the promised :math:`1 - \delta`.

    ``holds_*`` use the paper's constant; ``holds_*_sqrt`` the :math:`\sqrt{\log(2/\delta)}` one.
    ``ratio_*`` is quantity / bound per draw (for the lower bound: bound / quantity), so a value
    > 1 is a violation and the maximum shows how close the worst draw came.
    """

    imbalance: np.ndarray
    orthogonality: np.ndarray
    product: np.ndarray
    bounds: LemmaBounds
    bounds_sqrt: LemmaBounds
    target: float
    frac_imbalance: float
    frac_orthogonality: float
    frac_product: float
    frac_all: float
    frac_all_sqrt: float
    max_ratio: dict = field(default_factory=dict)


def wishart_blocks(D: int, r: int, m: int, h: int, alpha=0.5, seed=None):
    r"""Draw :math:`(U_1, U_2, V)` of a random initialization, compressed to ``min(h, r + m)`` columns.

    For ``h > r + m`` the columns are :math:`Z_c = [U_1; V]O = R^\top` (Bartlett factor of the
    Wishart matrix :math:`Z_0Z_0^\top`) and :math:`U_2O`; every quantity invariant under
    :math:`Z \mapsto ZO` (the Lemma's three, the imbalance spectrum, :math:`\|U_2(0)V(t)^\top\|`
    along the flow or descent) then has exactly the distribution it has under i.i.d.
    :math:`\mathcal N(0, h^{-2\alpha})` entries. For ``h <= r + m`` the blocks are drawn directly.

    .. math::

        R_{ii} = h^{-\alpha}\sqrt{\chi^2_{h-i+1}}, \qquad R_{ij} = h^{-\alpha} g_{ij}\ (i < j),
        \qquad U_2O = h^{-\alpha} G .

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

    Used in: ``book/width.ipynb``, ``book/exp_b.ipynb``.
    """
    D, r, m, h = (positive_int(k, v) for k, v in (("D", D), ("r", r), ("m", m), ("h", h)))
    if r > D:
        raise ValueError(f"r (rank of X) must be <= D = {D}; got {r}")
    sd = h ** (-positive_float("alpha", alpha))
    rng = np.random.default_rng(seed)
    k = r + m
    if h <= k:
        return (sd * rng.standard_normal((r, h)), sd * rng.standard_normal((D - r, h)),
                sd * rng.standard_normal((m, h)))
    R = np.triu(rng.standard_normal((k, k)), 1)
    R[np.diag_indices(k)] = np.sqrt(rng.chisquare(h - np.arange(k)))
    Zc = sd * R.T
    return Zc[:r].copy(), sd * rng.standard_normal((D - r, k)), Zc[r:].copy()


def wishart_compact_network(problem: Problem, h: int, *, alpha=0.5, seed=None):
    r"""The compact state of a random initialization of width ``h``, sampled in distribution.

    Same distribution of every recorded quantity as
    ``lnet.random_compact_network(problem, h, alpha=alpha)`` (see :func:`wishart_blocks`), at a
    cost of :math:`O(D(r + m))` random numbers and :math:`O(D r (r + m))` flops whatever ``h``:
    the frozen part is :math:`\Phi_2 U_2(0) O`.

    Returns
    -------
    lnet.ReducedNetwork
        ``representation == "compact"``, ``width == h``; run it with
        :func:`lnet.gradient_descent_from` or :func:`lnet.gradient_flow_from`.

    Used in: ``book/width.ipynb``, ``book/exp_b.ipynb``.
    """
    from .dynamics import ReducedNetwork

    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be an lnet.Problem; got {type(problem).__name__}")
    U1, U2, V = wishart_blocks(problem.D, problem.r, problem.m, h, alpha, seed)
    N = problem.Phi2 @ U2
    return ReducedNetwork(problem, U1, V, N, U1.copy(), V.copy(), int(h), "compact")


def lemma_monte_carlo(D: int, r: int, m: int, h: int, alpha, delta, seeds=200, *,
                      sampler: str = "direct") -> LemmaMonteCarlo:
    r"""Monte Carlo check of the Lemma: draw :math:`U_1, U_2, V` i.i.d. :math:`\mathcal N(0, h^{-2\alpha})` per seed.

    Parameters
    ----------
    D, r, m, h : int
        Sizes (``r <= D``); ``h`` may be below :math:`h_0` to see where the Lemma stops holding.
    alpha : float in (1/4, 1/2]
    delta : float in (0, 1)
    seeds : int or iterable of int
        A count (seeds ``0..seeds-1``) or explicit seeds for :func:`numpy.random.default_rng`.
    sampler : {"direct", "wishart"}
        ``"direct"`` draws the ``h``-column blocks; ``"wishart"`` draws their exact compressed
        distribution (:func:`wishart_blocks`), at a cost independent of ``h``.

    Used in: ``book/width.ipynb``.
    """
    if sampler not in ("direct", "wishart"):
        raise ValueError(f'sampler must be "direct" or "wishart"; got {sampler!r}')
    b = lemma_bounds(D, r, m, h, alpha, delta)
    bs = lemma_bounds(D, r, m, h, alpha, delta, tail="sqrt")
    sd = h ** (-float(alpha))
    rows = []
    for s in _seed_list(seeds):
        if sampler == "wishart":
            U1, U2, V = wishart_blocks(D, r, m, h, alpha, s)
        else:
            rng = np.random.default_rng(s)
            U1 = sd * rng.standard_normal((r, h))
            U2 = sd * rng.standard_normal((D - r, h))
            V = sd * rng.standard_normal((m, h))
        q = _lemma_from_blocks(U1, U2, V)
        rows.append((q.imbalance, q.orthogonality, q.product))
    imb, ort, prod = (np.array(c) for c in zip(*rows, strict=True))

    def holds(bb):
        return imb > bb.imbalance, ort <= bb.orthogonality, prod <= bb.product

    h1, h2, h3 = holds(b)
    s1, s2, s3 = holds(bs)
    with np.errstate(divide="ignore"):
        ratio_imb = np.where(imb > 0, b.imbalance / np.where(imb > 0, imb, 1.0), np.inf)
    return LemmaMonteCarlo(
        imbalance=imb, orthogonality=ort, product=prod, bounds=b, bounds_sqrt=bs,
        target=1 - float(delta),
        frac_imbalance=float(h1.mean()), frac_orthogonality=float(h2.mean()),
        frac_product=float(h3.mean()), frac_all=float((h1 & h2 & h3).mean()),
        frac_all_sqrt=float((s1 & s2 & s3).mean()),
        max_ratio={
            "imbalance": float(ratio_imb.max()),
            "orthogonality": float((ort / b.orthogonality).max()),
            "product": float((prod / b.product).max()),
        },
    )


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
        spectral norm and its proof gives the same bound for the Frobenius norm.
    C : float
        :math:`\exp(1 + \lambda_1(\Sigma_x)^{1/2}\|Y\|_F/\lambda_r(\Sigma_x))`.
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
    C: float
    loss_rate: float
    h0_lemma: float
    lemma_applies: bool
    threshold_explicit: bool = False


def theorem2_bound(X, Y, h: int, alpha, delta, *, problem: Problem | None = None,
                   tail: str = "paper") -> Theorem2Bound:
    r"""The Theorem 2 bound for data ``(X, Y)``, width ``h``, scale exponent ``alpha`` and failure probability ``delta``.

    .. math::

        \|U(\infty)V(\infty)^\top - \hat\Theta\|_2 \le
        2\,C^{1/h^{1-2\alpha}}\sqrt{m + r}\,\frac{\sqrt{m + D} + \log(2/\delta)/2}{h^{2\alpha - 1/2}},
        \qquad C = \exp\!\Big(1 + \frac{\lambda_1(\Sigma_x)^{1/2}\|Y\|_F}{\lambda_r(\Sigma_x)}\Big).

    The factor :math:`C^{1/h^{1-2\alpha}}` bounds the growth of :math:`\|[VU_2^\top; U_1U_2^\top]\|`,
    whose linear ODE has a coefficient of size :math:`\|E(t)\|`, integrated against the rate
    :math:`2\lambda_r h^{1-2\alpha}`.
    """
    if problem is None:
        problem = Problem.from_data(X, Y)
    h = positive_int("h", h)
    a = alpha_in_theorem_range(alpha)
    b = lemma_bounds(problem.D, problem.r, problem.m, h, a, delta, tail=tail)
    lam1, lamr = float(problem.sigma[0]), float(problem.sigma[-1])
    C = float(np.exp(1 + np.sqrt(lam1) * np.linalg.norm(problem.Y) / lamr))
    growth = C ** (1.0 / h ** (1 - 2 * a))
    return Theorem2Bound(
        distance=float(growth * b.orthogonality), C=C, loss_rate=2 * lamr * h ** (1 - 2 * a),
        h0_lemma=b.h0, lemma_applies=b.applies,
    )


@dataclass(frozen=True)
class Theorem2MonteCarlo:
    r"""Monte Carlo check of Theorem 2: per draw, the distance to :math:`\hat\Theta` after the flow.

    ``distance_2`` / ``distance_F``: :math:`\|U(T)V(T)^\top - \hat\Theta\|` (spectral / Frobenius) at
    the stopping time; ``final_loss_ratio``: :math:`\tilde L(T)/\tilde L(0)`; ``lemma_event``: whether
    the three Lemma inequalities held at initialization; ``frac_bound`` / ``frac_bound_F``: fraction
    of draws with distance <= bound; ``target`` = 1 - delta.
    """

    distance_2: np.ndarray
    distance_F: np.ndarray
    final_loss_ratio: np.ndarray
    lemma_event: np.ndarray
    bound: Theorem2Bound
    target: float
    frac_bound: float
    frac_bound_F: float


def theorem2_monte_carlo(X, Y, h: int, alpha, delta, seeds=20, *, problem: Problem | None = None,
                         loss_tol: float = 1e-12, rtol: float = 1e-9) -> Theorem2MonteCarlo:
    r"""Run gradient flow from ``len(seeds)`` random initializations and compare with :func:`theorem2_bound`.

    The flow runs on the exact width-independent :math:`(r+m)\times(r+m)` system, so the cost per
    draw is :math:`O((D + m)(r + m)h)` to set up and independent of ``h`` after that. At the stop,
    :math:`U(T)V(T)^\top - \hat\Theta = \Phi_1(U_1V^\top - \Sigma_x^{-1/2}\tilde Y) + \Phi_2U_2(0)V(T)^\top`.
    """
    if problem is None:
        problem = Problem.from_data(X, Y)
    h = positive_int("h", h)
    a = alpha_in_theorem_range(alpha)
    delta = _check_delta(delta)
    bound = theorem2_bound(None, None, h, a, delta, problem=problem)
    lb = lemma_bounds(problem.D, problem.r, problem.m, h, a, delta)
    r, m, D = problem.r, problem.m, problem.D
    sd = h ** (-a)
    d2, dF, fl, ev = [], [], [], []
    for s in _seed_list(seeds):
        rng = np.random.default_rng(s)
        U1 = sd * rng.standard_normal((r, h))
        U2 = sd * rng.standard_normal((D - r, h))
        V = sd * rng.standard_normal((m, h))
        q = _lemma_from_blocks(U1, U2, V)
        ev.append(q.imbalance > lb.imbalance and q.orthogonality <= lb.orthogonality
                  and q.product <= lb.product)
        spec = imbalance_spectrum(U1, V)
        Z0 = np.vstack([U1, V])
        rate = gram_rate_quantities(problem, Z0 @ Z0.T, h, spectrum=spec).convergence_rate
        t_max = 60.0 / rate if rate > 0 else 1e4
        # The compact dynamics cost the same per step at every width (lnet.dynamics).
        net = make_network(problem, problem.Phi1 @ U1 + problem.Phi2 @ U2, V, "compact")
        L0 = problem.reduced_loss(U1, V)
        res = gradient_flow_from(net, t_max, rtol=rtol, atol=rtol * 1e-3,
                                 tol=problem.L_star + loss_tol * L0 if L0 > 0 else None)
        M = res.theta - problem.theta_hat
        d2.append(float(np.linalg.norm(M, 2)))
        dF.append(float(np.linalg.norm(M)))
        fl.append((res.loss - problem.L_star) / L0 if L0 > 0 else 0.0)
    d2, dF = np.array(d2), np.array(dF)
    return Theorem2MonteCarlo(
        distance_2=d2, distance_F=dF, final_loss_ratio=np.array(fl), lemma_event=np.array(ev),
        bound=bound, target=1 - delta, frac_bound=float(np.mean(d2 <= bound.distance)),
        frac_bound_F=float(np.mean(dF <= bound.distance)),
    )
