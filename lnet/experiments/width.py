r"""Experiment B (implicit bias against width) and its extensions, as functions that return data.

The paper's experiment B (ICML Fig. 1 / App. Fig. 4; extended version Fig. 7): :math:`D = 400`, :math:`n = 100`,
:math:`m = 1`, entries of :math:`X` i.i.d. :math:`\mathcal N(0, 1/D)`, :math:`\Theta \sim \mathcal N(0, I/D)`,
:math:`Y = X\Theta + \varepsilon` with :math:`\varepsilon \sim \mathcal N(0, 0.01^2)`; :math:`U(0)`,
:math:`V(0)` with i.i.d. :math:`\mathcal N(0, 1/h)` entries; gradient descent on
:math:`\tfrac1n\|Y - XUV^\top\|_F^2` with :math:`\eta = 5\cdot10^{-3}` until that loss is below
:math:`10^{-8}`. The data are drawn once (``data_seed``) and shared by every run; each run draws
a new initialization (seed ``[init_seed, h, s]`` for seed index ``s``).

Every run uses the exact width-independent dynamics of :mod:`lnet.dynamics` (``"compact"``), so
a width-:math:`10^6` run costs what a width-500 run costs once the initialization is set up.
Initializations come either from the actual Gaussian draws (``sampler="exact"``, streamed by
:func:`lnet.random_compact_network`: the same networks as :func:`lnet.random_init`) or from their
exact distribution in compressed form (``sampler="wishart"``, :func:`lnet.width.wishart_compact_network`,
whose cost does not grow with ``h``).

The Monte Carlo checks of the Lemma and of Theorem 2 (:func:`lemma_monte_carlo`,
:func:`theorem2_monte_carlo`) live here too; the formulas they check are in :mod:`lnet.width`.
The implicit-bias runs are in :mod:`lnet.experiments.implicit_bias`.

Used in: ``book/exp_b.ipynb``, ``book/width.ipynb``, ``book/implicit_bias.ipynb``.
"""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from .._checks import alpha_in_theorem_range, positive_float, positive_int
from .._deprecation import moved_names, renamed_kwargs
from ..bounds import gram_rate_quantities, imbalance_spectrum
from ..dynamics import gradient_descent_from, gradient_flow_from
from ..initializations import (
    random_compact_network,
    random_init,
    wishart_blocks,
    wishart_compact_network,
)
from ..networks import ReducedNetwork, make_network
from ..problem import Problem, resolve_problem
from ..width import (
    LemmaBounds,
    Theorem2Bound,
    check_delta,
    lemma_bounds,
    lemma_from_blocks,
    lemma_quantities_from_blocks,
    theorem2_bound,
    theorem2_log_C,
)

__all__ = [
    "PAPER_WIDTHS",
    "AlphaSweep",
    "LemmaMonteCarlo",
    "LemmaScan",
    "PowerLawFit",
    "Theorem2MonteCarlo",
    "Theorem2Scan",
    "WidthRuns",
    "distances",
    "experiment_b_problem",
    "fit_power_law",
    "flow_to_tolerance",
    "lemma_monte_carlo",
    "log_h_informative",
    "mean_loss",
    "ntk_time_change",
    "run_alpha_sweep",
    "run_experiment_b",
    "run_lemma_scan",
    "run_width_extension",
    "run_width_runs",
    "theorem2_monte_carlo",
    "theorem2_scan",
]

__getattr__ = moved_names(
    "lnet.experiments.width",
    {
        "BiasTrajectories": "lnet.experiments.implicit_bias:BiasTrajectories",
        "run_implicit_bias": "lnet.experiments.implicit_bias:run_implicit_bias",
        "SmallInitRuns": "lnet.experiments.implicit_bias:SmallInitRuns",
        "run_small_init": "lnet.experiments.implicit_bias:run_small_init",
    },
)

PAPER_WIDTHS = tuple(range(500, 10_001, 500))
"""The widths of experiment B: 500, 1000, ..., 10,000 (20 widths; the paper says "h from 500 to 10^4")."""


def experiment_b_problem(
    D: int = 400, n: int = 100, m: int = 1, noise: float = 0.01, seed=0
) -> Problem:
    r"""Experiment B's data: :math:`X_{ij} \sim \mathcal N(0, 1/D)`, :math:`Y = X\Theta + \varepsilon`.

    :math:`\Theta \sim \mathcal N(0, I/D)`, :math:`\varepsilon_{ij} \sim \mathcal N(0, \text{noise}^2)`.
    With :math:`n < D`, :math:`X` has full row rank and :math:`L^* = 0`.

    Used in: ``book/exp_b.ipynb``, ``book/width.ipynb``, ``book/implicit_bias.ipynb``.

    Parameters
    ----------
    D, n, m : int
        Input dimension, samples, outputs.
    noise : float
        Standard deviation of the label noise.
    seed : int

    Returns
    -------
    Problem
    """
    D, n, m = (positive_int(k, v) for k, v in (("D", D), ("n", n), ("m", m)))
    noise = positive_float("noise", noise, allow_zero=True)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, D)) / math.sqrt(D)
    theta = rng.standard_normal((D, m)) / math.sqrt(D)
    Y = X @ theta + noise * rng.standard_normal((n, m))
    return Problem.from_data(X, Y)


# -- one run ------------------------------------------------------------------------------------
def mean_loss(net: ReducedNetwork) -> float:
    r"""The mean loss :math:`\tfrac1n\|Y - XUV^\top\|_F^2` of a reduced or compact state.

    Parameters
    ----------
    net : ReducedNetwork

    Returns
    -------
    float
    """
    prob = net.problem
    E = prob.reduced_residual(net.U1, net.V)
    return (float(np.vdot(E, E)) + 2 * prob.L_star) / prob.n


def distances(net: ReducedNetwork) -> tuple[float, float]:
    r""":math:`(\|U V^\top - \hat\Theta\|_F, \|U_2(0) V^\top\|_F)` from a reduced or compact state.

    Parameters
    ----------
    net : ReducedNetwork

    Returns
    -------
    dist, u2v : float
    """
    prob = net.problem
    s = prob.sqrt_sigma[:, None]
    d1 = net.U1 @ net.V.T - prob.Ytilde / s
    NV = net.N @ net.V.T
    return math.sqrt(float(np.vdot(d1, d1) + np.vdot(NV, NV))), float(np.linalg.norm(NV))


@renamed_kwargs(rtol="ode_rtol", atol="ode_atol")
def flow_to_tolerance(
    net: ReducedNetwork,
    tol: float = 1e-8,
    *,
    t_max: float = 1e4,
    ode_rtol: float = 1e-10,
    ode_atol: float = 1e-13,
) -> tuple[ReducedNetwork, float]:
    r"""Gradient flow of :math:`\tfrac12\|Y - XUV^\top\|_F^2` until :math:`\tfrac1n\|Y - XUV^\top\|_F^2 <` ``tol``.

    :func:`lnet.gradient_flow_from` with ``loss="mean"``: the stopping rule of experiment B, in
    continuous time.

    Parameters
    ----------
    net : ReducedNetwork
    tol : float
        Stop when the mean loss is below it.
    t_max : float
        Longest flow time.
    ode_rtol, ode_atol : float
        The integrator's tolerances (formerly ``rtol``, ``atol``).

    Returns
    -------
    network : ReducedNetwork
        The state at the stopping time (a copy; the input is not modified).
    t : float
        The stopping time (``t_max`` if the loss never fell below ``tol``).

    Used in: ``book/width.ipynb``, ``book/implicit_bias.ipynb``.
    """
    res = gradient_flow_from(
        net,
        positive_float("t_max", t_max),
        loss="mean",
        tol=tol,
        ode_rtol=ode_rtol,
        ode_atol=ode_atol,
    )
    return res.network, res.t


# -- many runs over widths and seeds ------------------------------------------------------------
@dataclass(frozen=True)
class WidthRuns:
    r"""Runs of experiment B's protocol over ``widths`` x ``seeds``.

    Arrays have shape ``(len(widths), len(seeds))``.

    Attributes
    ----------
    widths : ndarray of int
    seeds : ndarray of int
        Seed indices; run ``(h, s)`` draws its initialization from ``[init_seed, h, s]``.
    dist : ndarray
        :math:`\|U(t_f)V(t_f)^\top - \hat\Theta\|_F` at the stop.
    u2v0, u2v_final : ndarray
        :math:`\|U_2(0)V(0)^\top\|_F` and :math:`\|U_2(0)V(t_f)^\top\|_F`.
    steps : ndarray
        Iterations to the stop (descent) or the stopping time (flow, as a float).
    final_loss, initial_loss : ndarray
        :math:`\tfrac1n\|Y - XUV^\top\|_F^2` at the stop and at the start.
    alpha, eta, tol : float
    method : {"descent", "flow"}
    sampler : {"exact", "wishart"}
    seconds : float
        Wall time of the whole set of runs.
    """

    widths: np.ndarray
    seeds: np.ndarray
    dist: np.ndarray
    u2v0: np.ndarray
    u2v_final: np.ndarray
    steps: np.ndarray
    final_loss: np.ndarray
    initial_loss: np.ndarray
    alpha: float
    eta: float
    tol: float
    method: str
    sampler: str
    seconds: float
    theta_hat_norm: float = math.nan

    def mean(self, name: str) -> np.ndarray:
        """Mean over seeds of the array ``name``, one value per width."""
        return np.mean(getattr(self, name), axis=1)

    def std(self, name: str) -> np.ndarray:
        """Sample standard deviation over seeds (ddof = 1), one value per width."""
        a = getattr(self, name)
        return np.std(a, axis=1, ddof=1) if a.shape[1] > 1 else np.zeros(a.shape[0])

    def at(self, name: str, h: int) -> np.ndarray:
        """The seeds' values of ``name`` at width ``h``."""
        idx = np.nonzero(self.widths == h)[0]
        if idx.size == 0:
            raise ValueError(f"h = {h} is not among the widths {self.widths.tolist()}")
        return getattr(self, name)[idx[0]]


def _seed_indices(seeds) -> np.ndarray:
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        return np.arange(positive_int("seeds", int(seeds)))
    out = np.asarray(list(seeds), dtype=np.int64)
    if out.ndim != 1 or out.size == 0:
        raise ValueError(f"seeds must be a count or a non-empty list of ints; got {seeds!r}")
    return out


def _widths(widths) -> np.ndarray:
    w = np.asarray(widths)
    if w.ndim != 1 or w.size == 0 or not np.issubdtype(w.dtype, np.integer) or np.any(w < 1):
        raise ValueError(
            f"widths must be a non-empty 1-D array of positive integers; got {widths!r}"
        )
    return w.astype(np.int64)


def _initial_network(problem, h, alpha, seed, sampler):
    if sampler == "exact":
        return random_compact_network(problem, int(h), alpha=alpha, seed=seed)
    return wishart_compact_network(problem, int(h), alpha=alpha, seed=seed)


def run_width_runs(
    problem: Problem,
    widths,
    seeds=5,
    *,
    alpha=0.5,
    method="descent",
    sampler="exact",
    eta=5e-3,
    tol=1e-8,
    max_steps=1_000_000,
    init_seed=1,
) -> WidthRuns:
    r"""Run experiment B's protocol on ``problem`` for every width and seed.

    Parameters
    ----------
    problem : Problem
    widths : sequence of int
    seeds : int or sequence of int
        A count (indices ``0..seeds-1``) or explicit seed indices.
    alpha : float
        Initialization scale :math:`h^{-\alpha}` (the paper's experiment: 1/2).
    method : {"descent", "flow"}
        Gradient descent on :math:`\tfrac1n\|Y - XUV^\top\|^2` with step ``eta`` (the paper's
        runs), or gradient flow of :math:`\tfrac12\|Y - XUV^\top\|^2` (the Theorem's setting,
        :func:`flow_to_tolerance`). Both stop when :math:`\tfrac1n\|Y - XUV^\top\|^2 <` ``tol``.
    sampler : {"exact", "wishart"}
        Gaussian draws (streamed) or their exact compressed distribution (module docstring).
    eta, tol, max_steps : descent step, stopping loss, step cap.
    init_seed : int

    Used in: ``book/exp_b.ipynb``, ``book/width.ipynb``.

    Returns
    -------
    WidthRuns
    """
    if method not in ("descent", "flow"):
        raise ValueError(f'method must be "descent" or "flow"; got {method!r}')
    if sampler not in ("exact", "wishart"):
        raise ValueError(f'sampler must be "exact" or "wishart"; got {sampler!r}')
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be an lnet.Problem; got {type(problem).__name__}")
    w = _widths(widths)
    sd = _seed_indices(seeds)
    alpha = positive_float("alpha", alpha)
    eta = positive_float("eta", eta)
    tol = positive_float("tol", tol)
    shape = (w.size, sd.size)
    dist, u2v0, u2vf, steps, fl, l0 = (np.empty(shape) for _ in range(6))
    t0 = time.perf_counter()
    for i, h in enumerate(w):
        for j, s in enumerate(sd):
            net = _initial_network(problem, h, alpha, [int(init_seed), int(h), int(s)], sampler)
            u2v0[i, j] = distances(net)[1]
            l0[i, j] = mean_loss(net)
            if method == "descent":
                res = gradient_descent_from(net, eta, max_steps, tol)
                if not res.converged:
                    raise RuntimeError(
                        f"descent did not reach loss < {tol:g} within max_steps = {max_steps} "
                        f"(h = {h}, seed {s}); raise max_steps"
                    )
                end, steps[i, j] = res.network, res.steps
            else:
                end, steps[i, j] = flow_to_tolerance(net, tol)
            dist[i, j], u2vf[i, j] = distances(end)
            fl[i, j] = mean_loss(end)
    return WidthRuns(
        widths=w,
        seeds=sd,
        dist=dist,
        u2v0=u2v0,
        u2v_final=u2vf,
        steps=steps,
        final_loss=fl,
        initial_loss=l0,
        alpha=alpha,
        eta=eta,
        tol=tol,
        method=method,
        sampler=sampler,
        seconds=time.perf_counter() - t0,
        theta_hat_norm=float(np.linalg.norm(problem.theta_hat)),
    )


def run_experiment_b(
    widths=PAPER_WIDTHS,
    seeds=5,
    *,
    problem: Problem | None = None,
    data_seed=0,
    init_seed=1,
    eta=5e-3,
    tol=1e-8,
    max_steps=1_000_000,
) -> WidthRuns:
    r"""Experiment B as in the paper: gradient descent from :math:`\mathcal N(0, 1/h)` weights, per width and seed.

    Defaults are the paper's: widths 500, 1000, ..., 10,000, five seeds, :math:`\eta = 5\cdot10^{-3}`,
    stop when :math:`\tfrac1n\|Y - XUV^\top\|_F^2 < 10^{-8}`. The data (:func:`experiment_b_problem`
    with ``data_seed``) are shared by all runs; the initializations are the actual Gaussian draws.

    Used in: ``book/exp_b.ipynb``.

    Parameters
    ----------
    widths : sequence of int
    seeds : int or sequence of int
    problem : Problem, optional
        Default: :func:`experiment_b_problem` with ``data_seed``.
    data_seed, init_seed : int
    eta, tol, max_steps : float, float, int
        Step, stopping mean loss, step cap.

    Returns
    -------
    WidthRuns
    """
    if problem is None:
        problem = experiment_b_problem(seed=data_seed)
    return run_width_runs(
        problem,
        widths,
        seeds,
        eta=eta,
        tol=tol,
        max_steps=max_steps,
        init_seed=init_seed,
        sampler="exact",
    )


def run_width_extension(
    widths=(10_000, 100_000, 1_000_000),
    seeds=5,
    *,
    problem: Problem | None = None,
    data_seed=0,
    init_seed=2,
    eta=5e-3,
    tol=1e-8,
    max_steps=1_000_000,
) -> WidthRuns:
    r"""Experiment B continued beyond the paper's widths, with initializations sampled in distribution.

    Same protocol as :func:`run_experiment_b`, but the initial state is drawn by
    :func:`lnet.width.wishart_compact_network`, whose cost does not grow with ``h``. Including
    ``h = 10^4`` lets one compare the two samplers at a width both reach.

    Used in: ``book/exp_b.ipynb``.

    Parameters
    ----------
    widths : sequence of int
    seeds : int or sequence of int
    problem : Problem, optional
    data_seed, init_seed : int
    eta, tol, max_steps : float, float, int

    Returns
    -------
    WidthRuns
    """
    if problem is None:
        problem = experiment_b_problem(seed=data_seed)
    return run_width_runs(
        problem,
        widths,
        seeds,
        eta=eta,
        tol=tol,
        max_steps=max_steps,
        init_seed=init_seed,
        sampler="wishart",
    )


# -- fits ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PowerLawFit:
    r"""Least-squares fit :math:`\log y = \text{intercept} + \text{slope}\,\log h` over all runs.

    ``slope_se`` is the usual standard error of the slope (i.i.d. residuals).
    """

    slope: float
    intercept: float
    slope_se: float
    n: int

    def __call__(self, h):
        return np.exp(self.intercept) * np.asarray(h, dtype=float) ** self.slope


def fit_power_law(widths, values) -> PowerLawFit:
    r"""Fit :math:`y \approx a h^{b}` by least squares on :math:`(\log h, \log y)`.

    ``values`` has shape ``(len(widths),)`` or ``(len(widths), seeds)``; every positive entry is a
    data point.

    Used in: ``book/exp_b.ipynb``, ``book/width.ipynb``.

    Parameters
    ----------
    widths : array_like, shape (W,)
    values : array_like, shape (W,) or (W, seeds)

    Returns
    -------
    PowerLawFit
    """
    h = np.asarray(widths, dtype=float)
    y = np.asarray(values, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    if y.shape[0] != h.size:
        raise ValueError(f"values must have len(widths) = {h.size} rows; got shape {y.shape}")
    H = np.broadcast_to(h[:, None], y.shape)
    keep = np.isfinite(y) & (y > 0)
    x, z = np.log(H[keep]), np.log(y[keep])
    if np.unique(x).size < 2:
        raise ValueError("need positive values at two widths at least to fit a slope")
    A = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(A, z, rcond=None)
    resid = z - A @ coef
    dof = max(x.size - 2, 1)
    s2 = float(resid @ resid) / dof
    se = math.sqrt(s2 / float(np.sum((x - x.mean()) ** 2)))
    return PowerLawFit(slope=float(coef[1]), intercept=float(coef[0]), slope_se=se, n=int(x.size))


# -- the Theorem's law in alpha -------------------------------------------------------------------
@dataclass(frozen=True)
class AlphaSweep:
    r"""Distances after gradient flow for several :math:`\alpha` and widths.

    ``runs[i]`` is the :class:`WidthRuns` of ``alphas[i]``; ``fits[i]`` the power law fitted to its
    distances; ``predicted[i]`` :math:`= -(2\alpha_i - 1/2)`, the Theorem's exponent.
    """

    alphas: np.ndarray
    runs: list = field(default_factory=list)
    fits: list = field(default_factory=list)
    predicted: np.ndarray = None

    @property
    def slopes(self) -> np.ndarray:
        return np.array([f.slope for f in self.fits])

    @property
    def slope_se(self) -> np.ndarray:
        return np.array([f.slope_se for f in self.fits])


def run_alpha_sweep(
    problem: Problem,
    alphas=(0.3, 0.35, 0.4, 0.45, 0.5),
    widths=(1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000),
    seeds=4,
    *,
    tol=1e-8,
    init_seed=3,
) -> AlphaSweep:
    r"""For each :math:`\alpha`, gradient flow from :math:`\mathcal N(0, h^{-2\alpha})` weights at every width.

    The Theorem predicts :math:`\|U(\infty)V(\infty)^\top - \hat\Theta\| = O(h^{-(2\alpha - 1/2)})`.
    Gradient flow (not descent) is used: it is the Theorem's setting, and for :math:`\alpha < 1/2`
    the weights grow like :math:`h^{1/2-\alpha}`, so a fixed descent step would become unstable.
    Initializations are sampled in distribution (:func:`lnet.width.wishart_compact_network`).

    Used in: ``book/width.ipynb``.

    Parameters
    ----------
    problem : Problem
    alphas : sequence of float
    widths : sequence of int
    seeds : int or sequence of int
    tol : float
        Stop each flow when the mean loss is below it.
    init_seed : int

    Returns
    -------
    AlphaSweep
    """
    a = np.asarray(alphas, dtype=float)
    runs, fits = [], []
    for alpha in a:
        wr = run_width_runs(
            problem,
            widths,
            seeds,
            alpha=float(alpha),
            method="flow",
            sampler="wishart",
            tol=tol,
            init_seed=init_seed,
        )
        runs.append(wr)
        fits.append(fit_power_law(wr.widths, wr.dist))
    return AlphaSweep(alphas=a, runs=runs, fits=fits, predicted=-(2 * a - 0.5))


# -- the Lemma against h ------------------------------------------------------------------------
@dataclass(frozen=True)
class LemmaScan:
    r"""The Lemma's three quantities over widths and seeds, with the bounds for several :math:`\delta`.

    ``imbalance``, ``orthogonality``, ``product``: shape ``(widths, seeds)``.
    ``bound_*``: shape ``(deltas, widths)``; ``h0``: shape ``(deltas,)``.
    ``holds_*``: fraction of seeds satisfying each inequality, shape ``(deltas, widths)``;
    ``holds_all``: all three at once.
    """

    widths: np.ndarray
    deltas: np.ndarray
    alpha: float
    imbalance: np.ndarray
    orthogonality: np.ndarray
    product: np.ndarray
    bound_imbalance: np.ndarray
    bound_orthogonality: np.ndarray
    bound_product: np.ndarray
    h0: np.ndarray
    holds_imbalance: np.ndarray
    holds_orthogonality: np.ndarray
    holds_product: np.ndarray
    holds_all: np.ndarray


def run_lemma_scan(
    D: int, r: int, m: int, widths, deltas=(0.5, 0.1, 0.01), seeds=200, *, alpha=0.5, init_seed=4
) -> LemmaScan:
    r"""Measure the Lemma's quantities at every width (draws by :func:`lnet.width.wishart_blocks`).

    .. math::

        \lambda_r(\mathcal D(0)) + \lambda_m(-\mathcal D(0)), \quad
        \|[V(0)U_2(0)^\top; U_1(0)U_2(0)^\top]\|_F, \quad \|U_1(0)V(0)^\top\|_F,

    and for each :math:`\delta` the Lemma's bounds (:func:`lnet.lemma_bounds`) and the fraction of
    seeds where each inequality holds. The quantities do not depend on :math:`\delta`: one set of
    draws serves every :math:`\delta`.

    Used in: ``book/width.ipynb``.

    Parameters
    ----------
    D, r, m : int
        Sizes (``r <= D``).
    widths : sequence of int
    deltas : sequence of float
    seeds : int or sequence of int
    alpha : float
    init_seed : int

    Returns
    -------
    LemmaScan
    """
    w = _widths(widths)
    dl = np.asarray(deltas, dtype=float)
    sd = _seed_indices(seeds)
    q = np.empty((3, w.size, sd.size))
    for i, h in enumerate(w):
        for j, s in enumerate(sd):
            U1, U2, V = wishart_blocks(D, r, m, int(h), alpha, [int(init_seed), int(h), int(s)])
            lq = lemma_quantities_from_blocks(U1, U2, V)
            q[:, i, j] = lq.imbalance, lq.orthogonality, lq.product
    b = np.array([[list(_bounds_row(D, r, m, int(h), alpha, d)) for h in w] for d in dl])
    hold_i = (q[0][None] > b[:, :, 0, None]).mean(axis=2)
    hold_o = (q[1][None] <= b[:, :, 1, None]).mean(axis=2)
    hold_p = (q[2][None] <= b[:, :, 2, None]).mean(axis=2)
    hold_all = (
        (q[0][None] > b[:, :, 0, None])
        & (q[1][None] <= b[:, :, 1, None])
        & (q[2][None] <= b[:, :, 2, None])
    ).mean(axis=2)
    return LemmaScan(
        widths=w,
        deltas=dl,
        alpha=float(alpha),
        imbalance=q[0],
        orthogonality=q[1],
        product=q[2],
        bound_imbalance=b[:, :, 0],
        bound_orthogonality=b[:, :, 1],
        bound_product=b[:, :, 2],
        h0=b[:, 0, 3],
        holds_imbalance=hold_i,
        holds_orthogonality=hold_o,
        holds_product=hold_p,
        holds_all=hold_all,
    )


def _bounds_row(D, r, m, h, alpha, delta):
    lb = lemma_bounds(D, r, m, h, alpha, float(delta))
    return lb.imbalance, lb.orthogonality, lb.product, lb.h0


# -- Theorem 2 against the measured distance ------------------------------------------------------
@dataclass(frozen=True)
class Theorem2Scan:
    r"""Theorem 2's bound against measured distances (from a :class:`WidthRuns`), per :math:`\delta`.

    ``bound``: shape ``(deltas, widths)``; ``looseness``: bound / mean measured distance;
    ``h_informative``: the width from which the bound is below :math:`\|\hat\Theta\|_F` (the
    distance of the trivial answer :math:`\Theta = 0`), per :math:`\delta`, ``inf`` when that
    width exceeds float64's range; ``log10_h_informative``: its base-10 logarithm, always finite;
    ``frac_below``: fraction of runs with distance <= bound, per :math:`\delta` and width;
    ``C``: the constant of the bound (``inf`` when it overflows), ``log_C`` its logarithm.
    """

    widths: np.ndarray
    deltas: np.ndarray
    bound: np.ndarray
    looseness: np.ndarray
    h0_lemma: np.ndarray
    h_informative: np.ndarray
    log10_h_informative: np.ndarray
    frac_below: np.ndarray
    C: float
    log_C: float


def log_h_informative(problem: Problem, alpha, delta) -> float:
    r"""The natural log of the width where the Theorem 2 bound equals :math:`\|\hat\Theta\|_F`.

    In :math:`x = \log h` the log of the bound is
    :math:`\log C\, e^{-(1-2\alpha)x} + \log(2\sqrt{m+r}\beta) - (2\alpha - 1/2)x`, decreasing in
    :math:`x` (for :math:`1/4 < \alpha \le 1/2`), so the crossing is unique and found by bracketing
    in :math:`x`; it is exact whatever its size (no cap at some large ``h``).

    Parameters
    ----------
    problem : Problem
    alpha : float in (1/4, 1/2]
    delta : float in (0, 1)

    Returns
    -------
    float
        :math:`\log h` (0 when the bound is below :math:`\|\hat\Theta\|_F` already at ``h = 1``).
    """
    a = alpha_in_theorem_range(alpha)
    b1 = lemma_bounds(problem.D, problem.r, problem.m, 1, a, delta)  # orthogonality at h = 1
    log_c, log_k = theorem2_log_C(problem), math.log(b1.orthogonality)
    target = math.log(float(np.linalg.norm(problem.theta_hat)))

    def excess(x):
        return log_c * math.exp(-(1 - 2 * a) * x) + log_k - (2 * a - 0.5) * x - target

    if excess(0.0) <= 0:
        return 0.0
    hi = 1.0
    while excess(hi) > 0:
        hi *= 2.0
    return brentq(excess, hi / 2 if hi > 1 else 0.0, hi, xtol=1e-12, rtol=1e-14)


def theorem2_scan(problem: Problem, runs: WidthRuns, deltas=(0.5, 0.1, 0.01)) -> Theorem2Scan:
    r"""Evaluate :func:`lnet.theorem2_bound` at the widths of ``runs`` and compare.

    At :math:`\alpha = 1/2` the bound is :math:`2C\sqrt{m+r}\,\beta(\delta)/\sqrt h`, so the width
    where it falls below :math:`\|\hat\Theta\|_F` is :math:`(2C\sqrt{m+r}\,\beta/\|\hat\Theta\|_F)^2`;
    in general it is found in log space (:func:`log_h_informative`).

    Used in: ``book/width.ipynb``.

    Parameters
    ----------
    problem : Problem
    runs : WidthRuns
        Measured distances (their ``alpha`` is used).
    deltas : sequence of float

    Returns
    -------
    Theorem2Scan
    """
    dl = np.asarray(deltas, dtype=float)
    t2 = [
        [
            theorem2_bound(None, None, int(h), runs.alpha, float(d), problem=problem)
            for h in runs.widths
        ]
        for d in dl
    ]
    bound = np.array([[t.distance for t in row] for row in t2])
    log_h = np.array([log_h_informative(problem, runs.alpha, float(d)) for d in dl])
    with np.errstate(over="ignore"):
        h_inf = np.exp(log_h)
    return Theorem2Scan(
        widths=runs.widths,
        deltas=dl,
        bound=bound,
        looseness=bound / runs.mean("dist")[None],
        h0_lemma=np.array([row[0].h0_lemma for row in t2]),
        h_informative=h_inf,
        log10_h_informative=log_h / math.log(10),
        frac_below=(runs.dist[None] <= bound[:, :, None]).mean(axis=2),
        C=t2[0][0].C,
        log_C=t2[0][0].log_C,
    )


def ntk_time_change(
    problem: Problem, h: int = 2000, *, alpha=0.5, t: float = 2.0, seed: int = 0
) -> tuple[float, float]:
    r"""Check the NTK-scaling remark: the flow of :math:`(U, V)` is that of :math:`(\tilde U, \tilde V) = h^\alpha(U, V)` sped up by :math:`h^{2\alpha}`.

    With :math:`\tilde L(\tilde U, \tilde V) = \tfrac12\|Y - h^{-2\alpha}X\tilde U\tilde V^\top\|^2`
    (a network :math:`x \mapsto h^{-2\alpha}\tilde V\tilde U^\top x` with standard-normal initial
    weights), :math:`\tilde U(s) = h^\alpha U(h^{-2\alpha}s)`. Runs the :math:`(U, V)` flow to time
    ``t`` and the :math:`(\tilde U, \tilde V)` flow (data :math:`h^{-2\alpha}X`) to time
    :math:`h^{2\alpha}t`, and returns the relative gap of the end-to-end matrices and of
    :math:`h^{-\alpha}\tilde V` against :math:`V`.

    Used in: ``book/width.ipynb``.

    Parameters
    ----------
    problem : Problem
    h : int
        Width.
    alpha : float
        Scale exponent.
    t : float
        Flow time of the :math:`(U, V)` run.
    seed : int

    Returns
    -------
    gap_theta, gap_V : float
    """
    U0, V0 = random_init(problem.D, problem.m, h, alpha=alpha, seed=seed)
    a = h**alpha
    slow = Problem.from_data(problem.X / a**2, problem.Y)
    r1 = gradient_flow_from(make_network(problem, U0, V0, "reduced"), t)
    r2 = gradient_flow_from(make_network(slow, a * U0, a * V0, "reduced"), a**2 * t)
    theta2 = r2.theta / a**2
    gap_theta = float(np.linalg.norm(theta2 - r1.theta) / np.linalg.norm(r1.theta))
    gap_V = float(np.linalg.norm(r2.network.V / a - r1.network.V) / np.linalg.norm(r1.network.V))
    return gap_theta, gap_V


# -- Monte Carlo checks of the Lemma and of Theorem 2 ---------------------------------------------
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


def _draw_blocks(D, r, m, h, alpha, seed, sampler):
    """(U1, U2, V) of one random initialization: direct Gaussian draws, or compressed ones."""
    if sampler == "wishart":
        return wishart_blocks(D, r, m, h, alpha, seed)
    sd = h ** (-float(alpha))
    rng = np.random.default_rng(seed)
    return (
        sd * rng.standard_normal((r, h)),
        sd * rng.standard_normal((D - r, h)),
        sd * rng.standard_normal((m, h)),
    )


def _holds(b: LemmaBounds, imb, ort, prod):
    return imb > b.imbalance, ort <= b.orthogonality, prod <= b.product


def lemma_monte_carlo(
    D: int, r: int, m: int, h: int, alpha, delta, seeds=200, *, sampler: str = "direct"
) -> LemmaMonteCarlo:
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

    Returns
    -------
    LemmaMonteCarlo
    """
    if sampler not in ("direct", "wishart"):
        raise ValueError(f'sampler must be "direct" or "wishart"; got {sampler!r}')
    b = lemma_bounds(D, r, m, h, alpha, delta)
    bs = lemma_bounds(D, r, m, h, alpha, delta, tail="sqrt")
    rows = []
    for s in _seed_list(seeds):
        q = lemma_from_blocks(*_draw_blocks(D, r, m, h, alpha, s, sampler))
        rows.append((q.imbalance, q.orthogonality, q.product))
    imb, ort, prod = (np.array(c) for c in zip(*rows, strict=True))
    h1, h2, h3 = _holds(b, imb, ort, prod)
    s1, s2, s3 = _holds(bs, imb, ort, prod)
    with np.errstate(divide="ignore"):
        ratio_imb = np.where(imb > 0, b.imbalance / np.where(imb > 0, imb, 1.0), np.inf)
    return LemmaMonteCarlo(
        imbalance=imb,
        orthogonality=ort,
        product=prod,
        bounds=b,
        bounds_sqrt=bs,
        target=1 - float(delta),
        frac_imbalance=float(h1.mean()),
        frac_orthogonality=float(h2.mean()),
        frac_product=float(h3.mean()),
        frac_all=float((h1 & h2 & h3).mean()),
        frac_all_sqrt=float((s1 & s2 & s3).mean()),
        max_ratio={
            "imbalance": float(ratio_imb.max()),
            "orthogonality": float((ort / b.orthogonality).max()),
            "product": float((prod / b.product).max()),
        },
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


@renamed_kwargs(rtol="ode_rtol")
def theorem2_monte_carlo(
    X,
    Y,
    h: int,
    alpha,
    delta,
    seeds=20,
    *,
    problem: Problem | None = None,
    loss_tol: float = 1e-12,
    ode_rtol: float = 1e-9,
) -> Theorem2MonteCarlo:
    r"""Run gradient flow from ``len(seeds)`` random initializations and compare with :func:`theorem2_bound`.

    The flow runs on the exact width-independent :math:`(r+m)\times(r+m)` system, so the cost per
    draw is :math:`O((D + m)(r + m)h)` to set up and independent of ``h`` after that. At the stop,
    :math:`U(T)V(T)^\top - \hat\Theta = \Phi_1(U_1V^\top - \Sigma_x^{-1/2}\tilde Y) + \Phi_2U_2(0)V(T)^\top`.

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    h : int
        Width.
    alpha : float in (1/4, 1/2]
    delta : float in (0, 1)
    seeds : int or iterable of int
    problem : Problem, optional
    loss_tol : float
        Each flow stops when :math:`\tilde L` falls below ``loss_tol`` times its initial value.
    ode_rtol : float
        The integrator's relative tolerance (formerly ``rtol``).

    Returns
    -------
    Theorem2MonteCarlo
    """
    problem = resolve_problem(X, Y, problem)
    h = positive_int("h", h)
    a = alpha_in_theorem_range(alpha)
    delta = check_delta(delta)
    bound = theorem2_bound(None, None, h, a, delta, problem=problem)
    lb = lemma_bounds(problem.D, problem.r, problem.m, h, a, delta)
    rows = [_theorem2_draw(problem, h, a, s, lb, loss_tol, ode_rtol) for s in _seed_list(seeds)]
    d2, dF, fl, ev = (np.array(c) for c in zip(*rows, strict=True))
    return Theorem2MonteCarlo(
        distance_2=d2,
        distance_F=dF,
        final_loss_ratio=fl,
        lemma_event=ev.astype(bool),
        bound=bound,
        target=1 - delta,
        frac_bound=float(np.mean(d2 <= bound.distance)),
        frac_bound_F=float(np.mean(dF <= bound.distance)),
    )


def _theorem2_draw(problem: Problem, h, alpha, seed, lb: LemmaBounds, loss_tol, ode_rtol):
    """One draw of theorem2_monte_carlo: (spectral distance, Frobenius distance, loss ratio, event)."""
    U1, U2, V = _draw_blocks(problem.D, problem.r, problem.m, h, alpha, seed, "direct")
    q = lemma_from_blocks(U1, U2, V)
    event = (
        q.imbalance > lb.imbalance
        and q.orthogonality <= lb.orthogonality
        and q.product <= lb.product
    )
    Z0 = np.vstack([U1, V])
    spec = imbalance_spectrum(U1, V)
    rate = gram_rate_quantities(problem, Z0 @ Z0.T, h, spectrum=spec).convergence_rate
    t_max = 60.0 / rate if rate > 0 else 1e4
    # The compact dynamics cost the same per step at every width (lnet.dynamics).
    net = make_network(problem, problem.Phi1 @ U1 + problem.Phi2 @ U2, V, "compact")
    L0 = problem.reduced_loss(U1, V)
    tol = problem.L_star + loss_tol * L0 if L0 > 0 else None
    res = gradient_flow_from(net, t_max, ode_rtol=ode_rtol, ode_atol=ode_rtol * 1e-3, tol=tol)
    M = res.theta - problem.theta_hat
    ratio = (res.loss - problem.L_star) / L0 if L0 > 0 else 0.0
    return float(np.linalg.norm(M, 2)), float(np.linalg.norm(M)), ratio, event
