r"""The paper's convergence experiments as functions that return data (no drawing here).

- **Experiment A** (ICML Fig. 2 / App. Fig. 3; extended version Fig. 3 / Fig. 6): convergence of gradient
  descent against the imbalance of the initialization, :func:`run_experiment_a`.
- **Experiment C** (extended version, Fig. 2, Figs. 4-5): the spectrum of the imbalance of a random
  initialization against the width, in matrix factorization, :func:`run_experiment_c`.

Time. Descent with step :math:`\eta` on the paper's mean loss :math:`\tfrac1n\|Y - XUV^\top\|_F^2`
is the Euler scheme of the gradient flow of :math:`\tfrac12\|Y - XUV^\top\|_F^2` with time step
:math:`2\eta/n`, so the Theorem 3 bound is drawn at :math:`t = 2\eta k/n` (paper, Section 5).
For the half loss of experiment C, :math:`t = \eta k`.

Every run uses the compact representation of :mod:`lnet.dynamics` (cost per step independent of
the width) and records only what the figures draw.

The smaller experiments of the chapters on the rate, on convergence and on the errata
(:func:`rate_along_flow`, :func:`conditioned_problem`, :func:`misprint_survey`) live here too.

Used in: ``book/exp_a.ipynb``, ``book/exp_c.ipynb``, ``book/rate.ipynb``,
``book/convergence.ipynb``, ``book/errata.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._checks import as_matrix, positive_float, positive_int
from ..bounds import gram_rate_series, imbalance_spectrum, rate_quantities, reduced_rate_quantities
from ..dynamics import gradient_descent, gradient_flow
from ..initializations import balanced_init, scaled_init
from ..problem import Problem

__all__ = [
    "PAPER_CASES",
    "PAPER_LEGEND_C",
    "CaseRun",
    "ExperimentA",
    "ExperimentC",
    "RateTrajectory",
    "WidthRun",
    "conditioned_problem",
    "experiment_a_levels",
    "experiment_a_problem",
    "experiment_c_problem",
    "loss_slope",
    "misprint_survey",
    "rate_along_flow",
    "run_experiment_a",
    "run_experiment_c",
]

#: The three scaled initializations of experiment A, (sigma_U, sigma_V), as the paper's text gives them.
PAPER_CASES = {"case 1": (0.1, 0.1), "case 2": (0.5, 0.02), "case 3": (0.05, 0.2)}
#: The "c" of the paper's legends (they are the level of imbalance Delta_low, see the chapter).
PAPER_LEGEND_C = {
    "icml": {"case 1": 6.02, "case 2": 39.6, "case 3": 20.1},
    "ext": {"case 1": 6.51, "case 2": 40.6, "case 3": 21.9},
}


# ---------------------------------------------------------------------------------------------
# Experiment A
# ---------------------------------------------------------------------------------------------
def experiment_a_problem(D=400, n=100, m=1, *, noise=0.01, seed=0) -> Problem:
    r"""The data of experiment A: whitened inputs and a noisy linear model.

    .. math::

        A \sim \mathcal N(0, 1)^{n\times D} = W S \Phi_1^\top,\quad X = W\Phi_1^\top,

        Y = X\Theta + \varepsilon,\quad \Theta \sim \mathcal N(0, I/D),\ \varepsilon \sim \mathcal N(0, \text{noise}^2),

    so every singular value of ``X`` is 1 (:math:`\Sigma_x = I`, :math:`r = n`) and :math:`L^* = 0`.
    ``seed`` drives the data only; the weights have their own seed.

    Used in: ``book/exp_a.ipynb``.

    Parameters
    ----------
    D, n, m : int
        Input dimension (> n), samples, outputs.
    noise : float
        Standard deviation of the label noise.
    seed : int

    Returns
    -------
    Problem
    """
    D, n, m = (positive_int(k, v) for k, v in (("D", D), ("n", n), ("m", m)))
    if n >= D:
        raise ValueError(f"experiment A is underdetermined: D must be > n = {n}; got D = {D}")
    noise = positive_float("noise", noise, allow_zero=True)
    rng = np.random.default_rng(seed)
    W, _, Phi1t = np.linalg.svd(rng.standard_normal((n, D)), full_matrices=False)
    X = W @ Phi1t
    theta = rng.standard_normal((D, m)) / np.sqrt(D)
    Y = X @ theta + noise * rng.standard_normal((n, m))
    return Problem.from_data(X, Y)


@dataclass(eq=False)
class CaseRun:
    r"""One initialization of experiment A, run by gradient descent (and gradient flow).

    Attributes
    ----------
    name, label : str
        ``"case 1"`` ... ``"balanced"``; the legend entry.
    sigma_U, sigma_V : float or None
        The scales (None for the balanced initialization).
    level : float
        :math:`\Delta_{\rm low}(0) = \lambda_r(\mathcal D(0)) + \lambda_m(-\mathcal D(0))`, the level of
        imbalance (the "c" of the paper's legend).
    Delta_plus, Delta_minus : float
        The spreads of the imbalance spectrum at :math:`t = 0`.
    c : float
        :math:`c(0)` of Theorem 3.
    rate : float
        :math:`\lambda_r(\Sigma_x)\,c(0)`: the guaranteed exponential rate, per unit of flow time.
    margin : float
        :math:`\sigma_{\min}(\tilde Y) - \|\tilde Y - \Sigma_x^{1/2}U_1V^\top\|_F` at :math:`t = 0`.
    losses : ndarray, shape (steps + 1,)
        The mean loss :math:`\tfrac1n\|Y - XUV^\top\|_F^2` at every iteration.
    times : ndarray
        Flow time :math:`2\eta k/n` of every iteration.
    rate_steps : ndarray of int
        Iterations at which the rates were recorded.
    inst_rate, rate_bound : ndarray
        The instantaneous rate :math:`-\dot{\tilde L}/\tilde L` of the flow through the iterate,
        and the Proposition 1 bound with the iterate's own imbalance (descent moves it).
    imbalance_norm : float
        :math:`\|\mathcal D(0)\|_F`.
    imbalance_drift : ndarray
        :math:`\|\mathcal D_k - \mathcal D(0)\|_F` at ``rate_steps`` (descent does not conserve it).
    flow_times, flow_loss, flow_rate : ndarray or None
        The same experiment under gradient flow (mean-loss convention), when run.
    """

    name: str
    label: str
    sigma_U: float | None
    sigma_V: float | None
    level: float
    Delta_plus: float
    Delta_minus: float
    c: float
    rate: float
    margin: float
    losses: np.ndarray
    times: np.ndarray
    rate_steps: np.ndarray
    inst_rate: np.ndarray
    rate_bound: np.ndarray
    imbalance_norm: float = 0.0
    imbalance_drift: np.ndarray | None = None
    flow_times: np.ndarray | None = None
    flow_loss: np.ndarray | None = None
    flow_rate: np.ndarray | None = None

    @property
    def bound(self) -> np.ndarray:
        r"""The Theorem 3 bound :math:`\ell(0)\, e^{-\lambda_r(\Sigma_x) c(0)\, t}` at every iteration (the mean loss is :math:`\tfrac2n\tilde L` here)."""
        return self.losses[0] * np.exp(-self.rate * self.times)

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    def mean_rate(self) -> float:
        r"""The average measured rate over the run, :math:`\log(\ell(0)/\ell(T))/T` (flow time)."""
        return float(np.log(self.losses[0] / self.losses[-1]) / self.times[-1])

    def tightness(self) -> float:
        r"""Guaranteed over measured average rate, in (0, 1]: 1 means the dashed line is the curve."""
        return self.rate / self.mean_rate()

    def late_tightness(self, fraction=0.1) -> float:
        r"""Guaranteed rate over the slope of :math:`\log\ell` on the last ``fraction`` of the run."""
        return self.rate / loss_slope(self.times, self.losses, fraction)

    def steps_to(self, level) -> int | None:
        """First iteration with mean loss below ``level`` (None if never)."""
        below = np.nonzero(self.losses < level)[0]
        return int(below[0]) if below.size else None


def loss_slope(times, losses, fraction=0.1) -> float:
    r"""The decay rate :math:`-d\log\ell/dt` fitted (least squares) on the last ``fraction`` of a run.

    Parameters
    ----------
    times, losses : array_like
    fraction : float
        Fraction of the run, at its end, used for the fit.

    Returns
    -------
    float
    """
    times, losses = np.asarray(times, float), np.asarray(losses, float)
    k = max(2, round(fraction * times.size))
    return float(-np.polyfit(times[-k:], np.log(losses[-k:]), 1)[0])


@dataclass(eq=False)
class ExperimentA:
    """Experiment A: the problem, the settings and one :class:`CaseRun` per initialization."""

    problem: Problem
    h: int
    eta: float
    steps: int
    seed: int
    cases: dict = field(default_factory=dict)

    def __getitem__(self, name) -> CaseRun:
        return self.cases[name]

    @property
    def scaled(self) -> list[CaseRun]:
        """The scaled cases (not the balanced one), in order."""
        return [c for c in self.cases.values() if c.sigma_U is not None]


def _case_label(name, sU, sV, level):
    if sU is None:
        return r"balanced, $\mathcal{D}(0) = 0$"
    return rf"{name}: $\sigma_U = {sU:g}$, $\sigma_V = {sV:g}$, $\Delta_{{\rm low}} = {level:.3g}$"


def experiment_a_levels(seeds=range(5), cases=None, *, D=400, n=100, m=1, h=500):
    r"""The level of imbalance :math:`\Delta_{\rm low}(0)` of each case for several seeds (no runs).

    Seed ``s`` draws the data and the weights as :func:`run_experiment_a` with ``seed=s``; only
    the data's row space :math:`\Phi_1` matters, through :math:`U_1 = \Phi_1^\top U`.

    Parameters
    ----------
    seeds : iterable of int
    cases : dict, optional
        ``{name: (sigma_U, sigma_V)}``; default :data:`PAPER_CASES`.
    D, n, m, h : int
        Sizes (the paper's by default; the extended version uses D = 500).

    Returns
    -------
    dict
        ``{case name: array of Delta_low(0) over seeds}``.

    Used in: ``book/exp_a.ipynb``, ``book/errata.ipynb``.
    """
    cases = dict(PAPER_CASES if cases is None else cases)
    out = {name: [] for name in cases}
    for s in seeds:
        prob = experiment_a_problem(D, n, m, seed=s)
        for name, (sU, sV) in cases.items():
            U, V = scaled_init(D, m, h, sU, sV, seed=s)
            out[name].append(imbalance_spectrum(prob.Phi1.T @ U, V).Delta_low)
    return {k: np.array(v) for k, v in out.items()}


def run_experiment_a(
    D=400,
    n=100,
    m=1,
    h=500,
    *,
    cases=None,
    balanced=True,
    eta=5e-4,
    steps=15_000,
    seed=0,
    noise=0.01,
    rate_every=150,
    flow=True,
) -> ExperimentA:
    r"""Experiment A: gradient descent from scaled initializations with one shared draw.

    :math:`U(0) = \sigma_U U_0`, :math:`V(0) = \sigma_V V_0` with the same standard normal
    :math:`U_0, V_0` in every case, so :math:`\Theta(0) = \sigma_U\sigma_V U_0V_0^\top`; the
    balanced initialization (:func:`lnet.balanced_init`) has the first case's :math:`\Theta(0)`
    (the same for all three paper cases, since :math:`\sigma_U\sigma_V = 0.01` in each).
    Gradient descent on :math:`\tfrac1n\|Y - XUV^\top\|_F^2`; the Theorem 3 rate is evaluated at
    the initialization and applies in flow time :math:`t = 2\eta k/n`.

    Parameters
    ----------
    D, n, m, h : int
        The paper's sizes (400, 100, 1, 500).
    cases : dict, optional
        ``{name: (sigma_U, sigma_V)}``; default :data:`PAPER_CASES`.
    balanced : bool
        Also run the balanced initialization with the same end-to-end matrix.
    eta, steps : float, int
        Step size and number of iterations (``5e-4``, 15,000).
    seed : int
        Seed of the data and of the weights (the paper shows one draw).
    noise : float
        Standard deviation of the label noise.
    rate_every : int
        Record the instantaneous rate and the Proposition 1 bound every this many steps.
    flow : bool
        Also integrate the gradient flow over the same time span.

    Returns
    -------
    ExperimentA

    Used in: ``book/exp_a.ipynb``.
    """
    h = positive_int("h", h)
    steps = positive_int("steps", steps)
    rate_every = positive_int("rate_every", rate_every)
    eta = positive_float("eta", eta)
    cases = dict(PAPER_CASES if cases is None else cases)
    if not cases:
        raise ValueError("cases must name at least one (sigma_U, sigma_V) pair")
    prob = experiment_a_problem(D, n, m, noise=noise, seed=seed)
    inits = {
        name: (sU, sV, *scaled_init(D, m, h, sU, sV, seed=seed)) for name, (sU, sV) in cases.items()
    }
    if balanced:
        first = next(iter(inits.values()))
        theta0 = first[2] @ first[3].T
        inits["balanced"] = (None, None, *balanced_init(prob, theta0, h, seed=seed))
    exp = ExperimentA(problem=prob, h=h, eta=eta, steps=steps, seed=seed)
    rate_steps = np.arange(0, steps + 1, rate_every)
    for name, (sU, sV, U, V) in inits.items():
        exp.cases[name] = _run_case(prob, name, sU, sV, U, V, eta, steps, rate_steps, flow)
    return exp


def _run_case(prob: Problem, name, sU, sV, U, V, eta, steps, rate_steps, flow) -> CaseRun:
    """One initialization of experiment A: descent (and flow) with the rates along the way."""
    h = U.shape[1]
    q = reduced_rate_quantities(prob, prob.Phi1.T @ U, V)
    record = ("rate", "gram", "imbalance_drift")
    res = gradient_descent(
        None, None, U, V, eta, steps, problem=prob, record=record, record_steps=rate_steps
    )
    series = gram_rate_series(prob, res["gram"], h)
    times = res.time_per_step * np.arange(res.steps + 1)
    spec = q.spectrum
    run = CaseRun(
        name=name,
        label=_case_label(name, sU, sV, spec.Delta_low),
        sigma_U=sU,
        sigma_V=sV,
        level=spec.Delta_low,
        Delta_plus=spec.Delta_plus,
        Delta_minus=spec.Delta_minus,
        c=q.c,
        rate=q.convergence_rate,
        margin=q.margin,
        losses=res.losses,
        times=times,
        rate_steps=res.record_steps,
        inst_rate=res["rate"],
        rate_bound=series["rate_lower_bound"],
        imbalance_norm=float(np.linalg.norm(spec.eigenvalues)),
        imbalance_drift=res["imbalance_drift"],
    )
    if flow:
        t_eval = times[:: max(1, steps // 300)]
        fl = gradient_flow(
            None, None, U, V, float(times[-1]), problem=prob, t_eval=t_eval, loss="mean",
            record=("loss", "rate"),
        )  # fmt: skip
        run.flow_times, run.flow_loss, run.flow_rate = fl.times, fl["loss"], fl["rate"]
    return run


# ---------------------------------------------------------------------------------------------
# Experiment C
# ---------------------------------------------------------------------------------------------
#: Experiment C's standard deviation of the entries of Y (variance 0.1).
Y_STD_C = float(np.sqrt(0.1))


def experiment_c_problem(h, n=20, m=5, *, y_std=Y_STD_C, seed=0) -> Problem:
    r"""Matrix factorization :math:`\tfrac12\|Y - UV^\top/\sqrt{mh}\|_F^2` as a regression problem.

    :math:`X = I_n/\sqrt{mh}`, so :math:`\Sigma_x = I/(mh)`, :math:`r = n`, :math:`D = n`; ``Y``
    has entries :math:`\mathcal N(0, \text{y\_std}^2)` (default variance 0.1), drawn from ``seed``
    and the same for every width.

    Used in: ``book/exp_c.ipynb``.

    Parameters
    ----------
    h : int
        Width (it scales ``X``).
    n, m : int
        Shape of ``Y``.
    y_std : float
        Standard deviation of the entries of ``Y``.
    seed : int

    Returns
    -------
    Problem
    """
    h, n, m = (positive_int(k, v) for k, v in (("h", h), ("n", n), ("m", m)))
    y_std = positive_float("y_std", y_std)
    Y = y_std * np.random.default_rng(seed).standard_normal((n, m))
    return Problem.from_data(np.eye(n) / np.sqrt(m * h), Y)


@dataclass(eq=False)
class WidthRun:
    r"""One width of experiment C.

    Attributes
    ----------
    h : int
    eigenvalues : ndarray
        The nonzero eigenvalues of :math:`\mathcal D(0)` scaled by :math:`1/(mh)`, decreasing.
    Delta_plus, Delta_minus, Delta_low : float
        The three spectral quantities of :math:`\mathcal D(0)`, scaled by :math:`1/(mh)`.
    c, rate : float
        Theorem 3's :math:`c(0)` and the guaranteed rate :math:`\lambda_r(\Sigma_x)c(0)`.
    margin : float
        :math:`\sigma_{\min}(\tilde Y) - \|\tilde Y - \Sigma_x^{1/2}U_1V^\top\|_F` at :math:`t = 0`.
    times, losses : ndarray
        Flow time :math:`\eta k` and the loss :math:`\tfrac12\|Y - UV^\top/\sqrt{mh}\|_F^2` at every step.
    rate_times, inst_rate, rate_bound : ndarray
        Instantaneous rate and Proposition 1 bound (with the iterate's own imbalance).
    """

    h: int
    eigenvalues: np.ndarray
    Delta_plus: float
    Delta_minus: float
    Delta_low: float
    c: float
    rate: float
    margin: float
    times: np.ndarray
    losses: np.ndarray
    rate_times: np.ndarray
    inst_rate: np.ndarray
    rate_bound: np.ndarray

    @property
    def bound(self) -> np.ndarray:
        r"""The Theorem 3 bound :math:`L(0)\, e^{-\lambda_r(\Sigma_x) c(0) t}` at every iteration."""
        return self.losses[0] * np.exp(-self.rate * self.times)

    def rate_ratio(self) -> np.ndarray:
        """Instantaneous rate over its Proposition 1 bound (>= 1 under the flow)."""
        return self.inst_rate / self.rate_bound


@dataclass(eq=False)
class ExperimentC:
    """Experiment C: settings and one :class:`WidthRun` per width."""

    n: int
    m: int
    eta: float
    seed: int
    runs: dict = field(default_factory=dict)

    def __getitem__(self, h) -> WidthRun:
        return self.runs[h]


def run_experiment_c(
    widths=(30, 100, 300, 1000),
    *,
    n=20,
    m=5,
    eta=0.05,
    steps=2000,
    tol=1e-20,
    y_std=Y_STD_C,
    seed=0,
    rate_every=10,
) -> ExperimentC:
    r"""Experiment C: gradient descent on matrix factorization from :math:`\mathcal N(0, 1)` weights at several widths.

    Loss :math:`\tfrac12\|Y - UV^\top/\sqrt{mh}\|_F^2` (:func:`experiment_c_problem`), so
    :math:`\Sigma_x = I/(mh)` and the flow time of step ``k`` is :math:`\eta k`.

    Parameters
    ----------
    widths : sequence of int
        The widths ``h`` (extended version: 30, 100, 300, 1000).
    n, m : int
        Size of ``Y`` (extended version: 20 x 5; appendix: m = 10).
    eta : float
        Step size (extended version: 0.05).
    steps : int
        Iteration cap.
    tol : float
        Stop below this loss (otherwise the loss reaches the rounding floor, near :math:`10^{-27}`).
    y_std : float
        Standard deviation of the entries of ``Y`` (default: variance 0.1).
    seed : int
        Seed ``seed`` draws ``Y``; seed ``seed + 1 + i`` draws the weights of the ``i``-th width.
    rate_every : int
        Record the rate and the Proposition 1 bound every this many steps.

    Returns
    -------
    ExperimentC

    Used in: ``book/exp_c.ipynb``.
    """
    eta = positive_float("eta", eta)
    steps = positive_int("steps", steps)
    rate_every = positive_int("rate_every", rate_every)
    exp = ExperimentC(n=n, m=m, eta=eta, seed=seed)
    for i, h in enumerate(widths):
        prob = experiment_c_problem(h, n, m, y_std=y_std, seed=seed)
        U, V = scaled_init(n, m, h, 1.0, 1.0, seed=seed + 1 + i)
        q = reduced_rate_quantities(prob, prob.Phi1.T @ U, V)
        sp, s = q.spectrum, float(m * h)
        res = gradient_descent(
            None,
            None,
            U,
            V,
            eta,
            steps,
            tol,
            loss="half",
            problem=prob,
            record=("rate", "gram"),
            record_every=rate_every,
        )
        series = gram_rate_series(prob, res["gram"], h)
        exp.runs[h] = WidthRun(
            h=h,
            eigenvalues=sp.eigenvalues / s,
            Delta_plus=sp.Delta_plus / s,
            Delta_minus=sp.Delta_minus / s,
            Delta_low=sp.Delta_low / s,
            c=q.c,
            rate=q.convergence_rate,
            margin=q.margin,
            times=eta * np.arange(res.steps + 1),
            losses=res.losses,
            rate_times=res.times,
            inst_rate=res["rate"],
            rate_bound=series["rate_lower_bound"],
        )
    return exp


# ---------------------------------------------------------------------------------------------
# The chapters' smaller experiments
# ---------------------------------------------------------------------------------------------
@dataclass(eq=False)
class RateTrajectory:
    r"""The exact rate and its lower bounds along one gradient-flow run.

    Attributes
    ----------
    times, ltilde, rate : ndarray
        Flow times, :math:`\tilde L` and the exact rate :math:`-\dot{\tilde L}/\tilde L`.
    gram_bound : ndarray
        :math:`2\lambda_r(\Sigma_x)(\lambda_m(VV^\top) + \lambda_r(U_1U_1^\top))`, the first step of the proof.
    bound : ndarray
        The Proposition 1 bound (the imbalance of the initialization, conserved by the flow).
    floor : ndarray
        :math:`2\lambda_r(\Sigma_x)\Delta_{\rm low}`, the sufficient-imbalance rate.
    local_rate : ndarray
        :math:`\lambda_r(\Sigma_x)c(t_0)`: the rate Theorem 3 guarantees from each recorded time on.
    quantities : RateQuantities
        Everything at :math:`t = 0`.
    """

    times: np.ndarray
    ltilde: np.ndarray
    rate: np.ndarray
    gram_bound: np.ndarray
    bound: np.ndarray
    floor: np.ndarray
    local_rate: np.ndarray
    quantities: object = None


def rate_along_flow(problem: Problem, U0, V0, t_eval) -> RateTrajectory:
    r"""Integrate the gradient flow from ``(U0, V0)`` and evaluate every rate bound along it.

    Parameters
    ----------
    problem : Problem
    U0, V0 : array_like
        Initial weights, shapes ``(D, h)`` and ``(m, h)``.
    t_eval : array_like
        Increasing times, from 0; the run ends at the last one.

    Returns
    -------
    RateTrajectory

    Used in: ``book/rate.ipynb``, ``book/convergence.ipynb``.
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be an lnet.Problem; got {type(problem).__name__}")
    t_eval = np.asarray(t_eval, dtype=float)
    if t_eval.ndim != 1 or t_eval.size < 2 or t_eval[0] != 0 or np.any(np.diff(t_eval) <= 0):
        raise ValueError(
            "t_eval must be an increasing 1-D array of at least two times starting at 0"
        )
    U0, V0 = problem.check_weights(U0, V0)
    q0 = reduced_rate_quantities(problem, problem.Phi1.T @ U0, V0)
    h = U0.shape[1]
    fl = gradient_flow(
        None,
        None,
        U0,
        V0,
        float(t_eval[-1]),
        problem=problem,
        t_eval=t_eval,
        record=("ltilde", "rate", "gram"),
    )
    series = gram_rate_series(problem, fl["gram"], h, spectrum=q0.spectrum)
    r = problem.r
    A, B = fl["gram"][:, :r, :r], fl["gram"][:, r:, r:]
    gram_bound = 2 * problem.sigma[-1] * (np.linalg.eigvalsh(A)[:, 0] + np.linalg.eigvalsh(B)[:, 0])
    return RateTrajectory(
        times=fl.times,
        ltilde=fl["ltilde"],
        rate=fl["rate"],
        gram_bound=gram_bound,
        bound=series["rate_lower_bound"],
        floor=series["sufficient_imbalance_rate"],
        local_rate=series["convergence_rate"],
        quantities=q0,
    )


def conditioned_problem(W, Phi1, Y, kappa) -> Problem:
    r""":math:`X = W\Sigma_x^{1/2}\Phi_1^\top` with eigenvalues of :math:`\Sigma_x` geometric from :math:`\sqrt\kappa` to :math:`1/\sqrt\kappa`.

    So :math:`\lambda_1(\Sigma_x)/\lambda_r(\Sigma_x) = \kappa` and their geometric mean is 1; ``W``
    (``n x r``) and ``Phi1`` (``D x r``) have orthonormal columns.

    Used in: ``book/convergence.ipynb``.

    Parameters
    ----------
    W : array_like, shape (n, r)
        Orthonormal columns.
    Phi1 : array_like, shape (D, r)
        Orthonormal columns.
    Y : array_like, shape (n, m)
    kappa : float
        The condition number of :math:`\Sigma_x`, > 0.

    Returns
    -------
    Problem
    """
    kappa = positive_float("kappa", kappa)
    W = as_matrix("W", W)
    r = W.shape[1]
    Phi1 = as_matrix("Phi1", Phi1, cols=r)
    sigma_x = np.geomspace(kappa**0.5, kappa**-0.5, r)
    return Problem.from_data(W @ np.diag(np.sqrt(sigma_x)) @ Phi1.T, Y)


def misprint_survey(n_instances=2000, *, seed=0) -> dict:
    r"""The talk's misprinted Proposition 1 against the correct one on random instances.

    Instances with :math:`r = m = 1`, :math:`h = 2`: :math:`X = [s]` with
    :math:`s \sim U(0.5, 2)`, target, :math:`u_1` and :math:`v` Gaussian (:math:`v` scaled by
    :math:`U(0.5, 3)`). Returns ``{"correct": ratios, "misprint": ratios}``, each the bound divided
    by the exact rate (a lower bound has every ratio at most 1).

    Used in: ``book/errata.ipynb``.

    Parameters
    ----------
    n_instances : int
    seed : int

    Returns
    -------
    dict of str to ndarray
    """
    n_instances = positive_int("n_instances", n_instances)
    rng = np.random.default_rng(seed)
    ok, bad = [], []
    for _ in range(n_instances):
        q = rate_quantities(
            [[rng.uniform(0.5, 2.0)]],
            rng.standard_normal((1, 1)),
            rng.standard_normal((1, 2)),
            rng.uniform(0.5, 3.0) * rng.standard_normal((1, 2)),
        )
        ok.append(q.rate_lower_bound / q.instantaneous_rate)
        bad.append(q.rate_lower_bound_talk_misprint / q.instantaneous_rate)
    return {"correct": np.array(ok), "misprint": np.array(bad)}
