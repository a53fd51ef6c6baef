r"""Gradient flow and gradient descent of the network, in three exact representations.

The paper's theorems are about the gradient flow of :math:`L = \tfrac12\|Y - XUV^\top\|_F^2`
(Section 2); its experiments run gradient descent on :math:`\tfrac1n\|Y - XUV^\top\|_F^2`
(Section 5). Descent with step :math:`\eta` on the mean loss is the Euler scheme of the flow with
time step :math:`2\eta/n`, so step ``k`` corresponds to time

.. math::

    t = c\, \eta\, k, \qquad c = 2/n \ (\texttt{loss="mean"}),\quad c = 1\ (\texttt{loss="half"}).

**Loss conventions.** Both integrators take ``loss=`` (``"half"``: :math:`\tfrac12\|Y -
XUV^\top\|_F^2`; ``"mean"``: :math:`\tfrac1n\|Y - XUV^\top\|_F^2`). The run's ``tol``, its
result's ``loss`` and the recorded ``"loss"`` are all in that convention; both include
:math:`L^*`, so a ``tol`` at or below the reachable minimum (:math:`L^*`, or :math:`\tfrac2n L^*`)
can never stop a run and raises :class:`lnet.ToleranceWarning`. The flow's default is
``"half"`` (the theorems' loss), descent's ``"mean"`` (the experiments').

**Representations** (:mod:`lnet.networks`): ``"full"`` :math:`(U, V)` with the literal gradients
:math:`\dot U = X^\top R V`, :math:`\dot V = R^\top X U`, :math:`R = Y - XUV^\top` (the check);
``"reduced"`` :math:`(U_1, V)` with :math:`\dot U_1 = \Sigma_x^{1/2} E V`,
:math:`\dot V = E^\top \Sigma_x^{1/2} U_1`, :math:`E = \tilde Y - \Sigma_x^{1/2} U_1 V^\top`;
``"compact"`` (default) the reduced field on at most :math:`r + m` columns, exact at any width.
They agree to rounding for descent and to the integrator's tolerance for the flow.

The vector fields (:func:`reduced_vector_field`, :func:`full_vector_field`) are separate from the
integrators, diffrax style. Descent is one loop (schedule, stopping, divergence, recording)
driving a small step kernel per representation.

**Recording.** ``record`` is a tuple of names, evaluated at the times ``t_eval`` (flow) or the
steps ``record_every`` / ``record_steps`` (descent), and always at the end of the run:

- ``"loss"``: the loss, in the run's convention;
- ``"ltilde"``: :math:`\tilde L = L - L^* = \tfrac12\|E\|_F^2`;
- ``"theta"``: the end-to-end matrix (``D x m`` per record);
- ``"dist_min_norm"``: :math:`\|\Theta - \hat\Theta\|_F`;
- ``"u2v_norm"``: :math:`\|U_2(0) V(t)^\top\|_F`;
- ``"imbalance_drift"``: :math:`\|\mathcal D(t) - \mathcal D(0)\|_F`;
- ``"rate"``: the flow's instantaneous rate :math:`-\dot{\tilde L}/\tilde L
  = (\|\Sigma_x^{1/2} E V\|_F^2 + \|E^\top\Sigma_x^{1/2} U_1\|_F^2)/\tilde L` at the current point
  (in flow time; for descent, of the flow through the iterate); NaN only if :math:`\tilde L = 0`;
- ``"gram"``: :math:`Q = ZZ^\top`, ``(r+m) x (r+m)``, from which every spectral quantity of the
  imbalance follows (:math:`\mathcal D = Z^\top J Z` has the nonzero eigenvalues of :math:`JQ`).

**Long flows.** An explicit integrator needs about :math:`t\,\lambda_{\max}` steps, where
:math:`\lambda_{\max}` is the sharpness (the loss's largest curvature), even once the flow has
converged. ``method="auto"`` (the default) switches to the stiff solver LSODA when that count is
large and the state is small enough (at most 2,500 numbers) for its finite-difference Jacobian;
a flow to :math:`t = 10^4` then takes a second instead of a minute. Larger states (the compact
representation with :math:`(r + m)^2 > 2500`) stay explicit: their cost grows linearly with
:math:`t\lambda_{\max}`; stop them with ``tol=`` rather than a long ``t``.

Used in: ``book/setup.ipynb``, ``book/scalar.ipynb``, ``book/initializations.ipynb``,
``book/implicit_bias.ipynb``; through ``lnet.experiments`` in the experiment chapters,
``book/convergence.ipynb`` and ``book/width.ipynb``; and ``benchmarks/bench_dynamics.py``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import solve_ivp
from scipy.linalg.blas import dgemm as _dgemm
from scipy.linalg.blas import dgemv as _dgemv
from scipy.linalg.blas import dger as _dger

from ._checks import ToleranceWarning, positive_float, positive_int, relative_tolerance
from ._deprecation import moved_names, renamed_kwargs
from .networks import FullNetwork, ReducedNetwork, make_network
from .problem import Problem, resolve_problem

__all__ = [
    "LOSSES",
    "RECORDABLE",
    "DescentResult",
    "DivergenceError",
    "FlowResult",
    "full_vector_field",
    "gradient_descent",
    "gradient_descent_from",
    "gradient_flow",
    "gradient_flow_from",
    "reduced_vector_field",
]

#: The names ``record=`` accepts (see the module docstring for what each one records).
RECORDABLE = (
    "loss",
    "ltilde",
    "theta",
    "dist_min_norm",
    "u2v_norm",
    "imbalance_drift",
    "rate",
    "gram",
)
#: The loss conventions ``loss=`` accepts: ``{name: description}``.
LOSSES = {"half": "1/2 ||Y - X U V^T||_F^2", "mean": "(1/n) ||Y - X U V^T||_F^2"}
# OpenBLAS runs ger/gemv single-threaded up to m * n = 8192 elements (GEMM_MULTITHREAD_THRESHOLD 4)
_BLAS_SINGLE_THREAD_SIZE = 8000
# method="auto": LSODA when the explicit step count t * sharpness exceeds this and the state is small
_STIFF_STEPS, _STIFF_STATE = 2e4, 2500

__getattr__ = moved_names(
    "lnet.dynamics",
    {
        "random_compact_network": "lnet.initializations:random_compact_network",
        "compact_network_from_blocks": "lnet.networks:compact_network_from_blocks",
        "REPRESENTATIONS": "lnet.networks:REPRESENTATIONS",
    },
)


class DivergenceError(FloatingPointError):
    """Gradient descent blew up (loss not finite, or growing for many consecutive steps)."""


# -- vector fields ------------------------------------------------------------------------
def reduced_vector_field(problem: Problem, U1, V):
    r"""The reduced gradient flow :math:`(\dot U_1, \dot V) = (\Sigma_x^{1/2} E V,\ E^\top \Sigma_x^{1/2} U_1)`.

    :math:`E = \tilde Y - \Sigma_x^{1/2} U_1 V^\top`. Works at any width, hence also for the
    compact state (paper, Section 2).

    Parameters
    ----------
    problem : Problem
    U1 : ndarray, shape (r, k)
    V : ndarray, shape (m, k)

    Returns
    -------
    dU1 : ndarray, shape (r, k)
    dV : ndarray, shape (m, k)
    """
    s = problem.sqrt_sigma[:, None]
    A = s * (problem.Ytilde - s * (U1 @ V.T))
    return A @ V, A.T @ U1


def full_vector_field(problem: Problem, U, V):
    r"""The literal gradient flow :math:`(\dot U, \dot V) = (X^\top R V,\ R^\top X U)`, :math:`R = Y - XUV^\top`.

    Used in: ``book/setup.ipynb``.

    Parameters
    ----------
    problem : Problem
    U : ndarray, shape (D, h)
    V : ndarray, shape (m, h)

    Returns
    -------
    dU : ndarray, shape (D, h)
    dV : ndarray, shape (m, h)
    """
    XU = problem.X @ U
    R = problem.Y - XU @ V.T
    return (problem.X.T @ R) @ V, R.T @ XU


def _field(net):
    return full_vector_field if isinstance(net, FullNetwork) else reduced_vector_field


# -- loss conventions, tolerances, records --------------------------------------------------
def _loss_factor(loss, problem: Problem) -> float:
    """c with loss = c * (1/2)||Y - X U V^T||^2; also the flow time per unit step."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {tuple(LOSSES)}; got {loss!r}")
    return 2.0 / problem.n if loss == "mean" else 1.0


def _check_tol(tol, loss: str, problem: Problem) -> float:
    """Validate a stopping tolerance and warn when it is below the reachable minimum."""
    if tol is None:
        return -math.inf
    tol = positive_float("tol", tol)
    floor = _loss_factor(loss, problem) * problem.L_star
    if tol <= floor:
        warnings.warn(
            f"tol = {tol:.3g} is at or below the minimum of the {loss} loss ({LOSSES[loss]}), "
            f"{floor:.3g} (L* = {problem.L_star:.3g}): the run can never stop on it",
            ToleranceWarning,
            stacklevel=3,
        )
    return tol


def _check_record(record):
    if isinstance(record, str):
        record = (record,)
    record = tuple(record)
    for name in record:
        if name not in RECORDABLE:
            raise ValueError(f"record entries must be among {RECORDABLE}; got {name!r}")
    return record


def _dist_min_norm(net, V, N, M) -> float:
    prob = net.problem
    if isinstance(net, FullNetwork):
        return float(np.linalg.norm(net.theta() - prob.theta_hat))
    NV = N @ V.T
    d1 = M - prob.Ytilde / prob.sqrt_sigma[:, None]
    return math.sqrt(float(np.vdot(d1, d1) + np.vdot(NV, NV)))


def _observe(net, names, loss_value):
    """Evaluate the recorded quantities at the network's current state."""
    prob = net.problem
    U1, V, N = net.reduced_factors()
    s = prob.sqrt_sigma[:, None]
    M = U1 @ V.T
    E = prob.Ytilde - s * M
    lt = 0.5 * float(np.vdot(E, E))
    compute = {
        "loss": lambda: loss_value,
        "ltilde": lambda: lt,
        "theta": net.theta,
        "dist_min_norm": lambda: _dist_min_norm(net, V, N, M),
        "u2v_norm": lambda: float(np.linalg.norm(N @ V.T)),
        "imbalance_drift": net.imbalance_drift,
        "rate": lambda: _rate(s * E, U1, V, lt),
        "gram": lambda: np.vstack([U1, V]) @ np.vstack([U1, V]).T,
    }
    return {name: compute[name]() for name in names}


def _rate(A, U1, V, lt) -> float:
    g = float(np.linalg.norm(A @ V) ** 2 + np.linalg.norm(A.T @ U1) ** 2)
    return g / lt if lt > 0 else math.nan


def _stack(rows: list[dict], names) -> dict:
    return {name: np.array([row[name] for row in rows]) for name in names}


def _half_loss_at(net, first, V) -> float:
    r""":math:`\tfrac12\|Y - XUV^\top\|_F^2` at the state ``(first, V)`` of ``net``'s representation."""
    prob = net.problem
    if isinstance(net, FullNetwork):
        R = prob.Y - prob.X @ (first @ V.T)
        return 0.5 * float(np.vdot(R, R))
    E = prob.reduced_residual(first, V)
    return 0.5 * float(np.vdot(E, E)) + prob.L_star


def _sharpness(net) -> float:
    """A bound on the loss's largest curvature near where the run goes from ``net``."""
    prob = net.problem
    U1, V, _ = net.reduced_factors()
    weights = np.linalg.norm(U1, 2) ** 2 + np.linalg.norm(V, 2) ** 2 if U1.size else 0.0
    return float(prob.sigma[0] * (weights + 2 * np.linalg.norm(prob.theta_hat, 2)))


# -- gradient flow ------------------------------------------------------------------------
@dataclass(eq=False)
class FlowResult:
    r"""Outcome of :func:`gradient_flow`.

    Attributes
    ----------
    theta : ndarray, shape (D, m)
        End-to-end matrix at the final time.
    loss : float
        The loss at the final time, in the run's convention (default ``"half"``:
        :math:`\tfrac12\|Y - X\Theta\|_F^2`).
    t : float
        Final time.
    times : ndarray
        Times of the records (``t_eval`` then ``t``, without duplicates).
    records : dict of str to ndarray
        One array per recorded name, first axis over ``times``; also ``result["name"]``.
    network : ReducedNetwork or FullNetwork
        The final state (continue with :func:`gradient_flow_from`).
    nfev : int
        Number of vector-field evaluations.
    method : str
        The integrator that ran (``"auto"`` resolved).
    """

    theta: np.ndarray
    loss: float
    t: float
    times: np.ndarray
    records: dict = field(default_factory=dict)
    network: object = None
    nfev: int = 0
    method: str = "DOP853"

    def __getitem__(self, name):
        return self.records[name]


def _t_eval(t_eval, t: float) -> np.ndarray:
    if t_eval is None:
        return np.array([t])  # (also keeps solve_ivp from storing every step)
    t_eval = np.asarray(t_eval, dtype=float).ravel()
    if t_eval.size == 0 or not np.all(np.isfinite(t_eval)):
        raise ValueError("t_eval must be a non-empty array of finite times")
    if np.any(np.diff(t_eval) < 0) or t_eval[0] < 0 or t_eval[-1] > t:
        raise ValueError(f"t_eval must be sorted and lie in [0, t] = [0, {t}]")
    return np.append(t_eval, t) if t_eval[-1] < t else t_eval


def _choose_method(method: str, net, t: float, size: int) -> str:
    if method != "auto":
        return method
    if size > _STIFF_STATE or t * _sharpness(net) <= _STIFF_STEPS:
        return "DOP853"
    return "LSODA"


def _integrate(net, t, times, tol, c, method, ode_rtol, ode_atol):
    """Run solve_ivp on ``net``'s state; return (states, times, nfev), stopping at ``tol``."""
    first, V = net.get_state()
    shapes, n_first = (first.shape, V.shape), first.size
    y0 = np.concatenate([first.ravel(), V.ravel()])

    def unpack(y):
        return y[:n_first].reshape(shapes[0]), y[n_first:].reshape(shapes[1])

    def below_tol(_, y):
        return c * _half_loss_at(net, *unpack(y)) - tol

    below_tol.terminal, below_tol.direction = True, -1
    if t == 0 or below_tol(0, y0) < 0:
        return [y0], [0.0], 0, unpack
    if y0.size == 0:  # zero width (compact state of U = V = 0): nothing moves
        return [y0] * times.size, list(times), 0, unpack
    field_ = _field(net)

    def fun(_, y):
        return np.concatenate([a.ravel() for a in field_(net.problem, *unpack(y))])

    sol = solve_ivp(
        fun,
        (0.0, t),
        y0,
        method=method,
        rtol=ode_rtol,
        atol=ode_atol,
        t_eval=times,
        events=below_tol if tol > -math.inf else None,
    )
    if not sol.success:
        raise RuntimeError(
            f"gradient flow integration failed at ode_rtol={ode_rtol}: {sol.message}"
        )
    # When the loss tolerance stops the run before the first t_eval time, scipy returns
    # sol.y as an empty list rather than an (n, 0) array.
    states, out_t = list(np.reshape(sol.y, (y0.size, -1)).T), list(sol.t)
    if sol.status == 1:  # stopped by the loss tolerance
        states.append(sol.y_events[0][0])
        out_t.append(sol.t_events[0][0])
    return states, out_t, sol.nfev, unpack


@renamed_kwargs(rtol="ode_rtol", atol="ode_atol")
def gradient_flow_from(
    network,
    t,
    *,
    loss="half",
    tol=None,
    ode_rtol=1e-10,
    ode_atol=1e-12,
    method="auto",
    record=(),
    t_eval=None,
) -> FlowResult:
    r"""Integrate the gradient flow of :math:`\tfrac12\|Y - XUV^\top\|_F^2` from ``network`` to time ``t``.

    Integration is by :func:`scipy.integrate.solve_ivp` with error control. The input network
    is not modified.

    Parameters
    ----------
    network : ReducedNetwork or FullNetwork
        From :func:`lnet.make_network`, :func:`lnet.random_compact_network`, or a previous result.
    t : float
        Final time, >= 0.
    loss : {"half", "mean"}
        The convention of ``tol``, ``result.loss`` and the recorded ``"loss"`` (module docstring).
        The flow is the same: it is always the flow of the half loss, in its time.
    tol : float, optional
        Stop at the first time the loss (in the ``loss`` convention) falls below ``tol``
        (``result.t`` is that time). A ``tol`` at or below the minimum loss warns
        (:class:`lnet.ToleranceWarning`).
    ode_rtol, ode_atol : float
        Tolerances of the integrator's error control; ``ode_rtol`` in (0, 1). (Formerly
        ``rtol``, ``atol``.)
    method : str
        ``"auto"`` (DOP853, or LSODA for long flows of small states: module docstring) or any
        :func:`scipy.integrate.solve_ivp` method.
    record : tuple of str
        Names from :data:`RECORDABLE`, evaluated at ``t_eval`` and at the final time.
    t_eval : array_like, optional
        Sorted times in ``[0, t]``.

    Returns
    -------
    FlowResult

    Raises
    ------
    RuntimeError
        If the integrator fails (the message says why) or the state stops being finite.
    """
    t = positive_float("t", t, allow_zero=True)
    ode_rtol = relative_tolerance("ode_rtol", ode_rtol)
    ode_atol = positive_float("ode_atol", ode_atol)
    record = _check_record(record)
    net = network.copy()
    c = _loss_factor(loss, net.problem)
    tol = _check_tol(tol, loss, net.problem)
    times = _t_eval(t_eval, t)
    size = sum(a.size for a in net.get_state())
    method = _choose_method(method, net, t, size)
    states, times, nfev, unpack = _integrate(net, t, times, tol, c, method, ode_rtol, ode_atol)
    rows = []
    for y in states:
        if not np.all(np.isfinite(y)):
            raise RuntimeError("gradient flow produced non-finite weights; the run blew up")
        net.set_state(*(a.copy() for a in unpack(y)))
        rows.append(_observe(net, record, c * _half_loss_at(net, *net.get_state())))
    return FlowResult(
        theta=net.theta(),
        loss=c * _half_loss_at(net, *net.get_state()),
        t=float(times[-1]),
        times=np.asarray(times),
        records=_stack(rows, record),
        network=net,
        nfev=nfev,
        method=method,
    )


@renamed_kwargs(rtol="ode_rtol", atol="ode_atol")
def gradient_flow(
    X, Y, U0, V0, t, *, representation="compact", problem=None, rank_rtol=None, **kwargs
) -> FlowResult:
    r"""Gradient flow of :math:`L(U, V) = \tfrac12\|Y - XUV^\top\|_F^2` from :math:`(U_0, V_0)` up to time ``t``.

    .. math::

        \dot U = X^\top (Y - XUV^\top) V, \qquad \dot V = (Y - XUV^\top)^\top X U .

    Used in: ``book/setup.ipynb`` (the full-parameter run, and exercises).

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    U0 : array_like, shape (D, h)
    V0 : array_like, shape (m, h)
    t : float
        Final time, >= 0.
    representation : {"compact", "reduced", "full"}
        See :mod:`lnet.networks`. All give the same trajectory.
    problem : Problem, optional
        Reuse a precomputed SVD.
    rank_rtol : float, optional
        Compact only: relative size below which directions of :math:`Z_0` are dropped
        (see :func:`lnet.compact_network_from_blocks`).
    **kwargs
        ``loss``, ``tol``, ``ode_rtol``, ``ode_atol``, ``method``, ``record``, ``t_eval``: see
        :func:`gradient_flow_from`.

    Returns
    -------
    FlowResult
        ``result.theta`` (``D x m``), ``result.loss`` (default :math:`\tfrac12\|Y - X\Theta\|^2`),
        records.
    """
    prob = resolve_problem(X, Y, problem)
    net = make_network(prob, U0, V0, representation, rank_rtol=rank_rtol)
    return gradient_flow_from(net, t, **kwargs)


# -- gradient descent: per-representation step kernels ----------------------------------------
class _FullKernel:
    """One step of descent on (U, V) with the literal gradients."""

    def __init__(self, net: FullNetwork):
        self.net, self.X, self.Y = net, net.problem.X, net.problem.Y

    def half_loss(self) -> float:
        self.XU = self.X @ self.net.U
        self.R = self.Y - self.XU @ self.net.V.T
        return 0.5 * float(np.vdot(self.R, self.R))

    def step(self, ceta: float) -> None:
        net = self.net
        dV = self.R.T @ self.XU
        net.U += ceta * ((self.X.T @ self.R) @ net.V)
        net.V += ceta * dV

    def sync(self) -> None:
        pass


class _ReducedKernel:
    """One step on the reduced or compact state, any m, in scaled coordinates W1 = Sigma_x^(1/2) U1.

    E = Ytilde - W1 V^T is then one product, and the update rank-m BLAS calls done in place on
    Fortran-ordered arrays: a handful of small calls whose cost does not depend on the width.
    """

    def __init__(self, net: ReducedNetwork):
        prob = net.problem
        self.net, self.s, self.L_star = net, prob.sqrt_sigma[:, None], prob.L_star
        self.sigma, self.Yt = prob.sigma[:, None], prob.Ytilde
        self.W1 = np.asfortranarray(self.s * net.U1)
        self.V = np.asfortranarray(net.V)
        self.dV = np.zeros_like(self.V)  # Fortran order, like V

    def half_loss(self) -> float:
        self.E = self.Yt - self.W1 @ self.V.T
        return 0.5 * float(np.vdot(self.E, self.E)) + self.L_star

    def step(self, ceta: float) -> None:
        if self.W1.shape[1]:  # (k = 0, the zero initialization, does not move)
            _dgemm(ceta, self.E, self.W1, 0.0, self.dV, 1, 0, 1)  # dV = ceta E^T W1
            # W1 += ceta Sigma_x E V, in place
            _dgemm(1.0, (ceta * self.sigma) * self.E, self.V, 1.0, self.W1, 0, 0, 1)
            self.V += self.dV

    def sync(self) -> None:
        self.net.U1, self.net.V = self.W1 / self.s, np.array(self.V, order="C")


class _Rank1Kernel(_ReducedKernel):
    """m = 1 (experiment B): matrix-vector calls on column blocks of W1.

    Blocks are small enough that OpenBLAS runs each call on one thread: on a shared machine,
    waking a second thread for a 100 x 100 product costs more than the product (10x slower
    steps were measured under load). BLAS wrappers take positional arguments: keyword parsing
    costs more than the products here.
    """

    def __init__(self, net: ReducedNetwork):
        super().__init__(net)
        W1, k = self.W1, self.W1.shape[1]
        self.v, self.yt, self.sigma_v = self.V[0], self.Yt[:, 0].copy(), self.sigma[:, 0].copy()
        self.dv = np.empty_like(self.v)
        ncol = max(1, _BLAS_SINGLE_THREAD_SIZE // W1.shape[0])
        if -(-k // ncol) > 8:
            ncol = max(k, 1)  # large state: threads pay off, use whole calls
        self.blocks = [
            (W1[:, a : a + ncol], self.v[a : a + ncol], self.dv[a : a + ncol])
            for a in range(0, k, ncol)
        ]  # empty for the zero initialization (k = 0): nothing moves

    def half_loss(self) -> float:
        E = self.yt.copy()
        for Wb, vb, _ in self.blocks:  # E = yt - W1 v
            _dgemv(-1.0, Wb, vb, 1.0, E, 0, 1, 0, 1, 0, 1)
        self.E = E
        return 0.5 * float(E @ E) + self.L_star

    def step(self, ceta: float) -> None:
        # dv = ceta W1^T E and W1 += ceta Sigma_x E v^T, both from the old iterate
        for Wb, _, dvb in self.blocks:
            _dgemv(ceta, Wb, self.E, 0.0, dvb, 0, 1, 0, 1, 1, 1)
        a = (ceta * self.sigma_v) * self.E
        for Wb, vb, _ in self.blocks:
            _dger(1.0, a, vb, 1, 1, Wb, 1, 1, 1)  # W1 += a v^T, in place
        self.v += self.dv


def _kernel(net):
    if isinstance(net, FullNetwork):
        return _FullKernel(net)
    return _Rank1Kernel(net) if net.problem.m == 1 else _ReducedKernel(net)


# -- gradient descent: the loop ---------------------------------------------------------------
@dataclass(eq=False)
class DescentResult:
    r"""Outcome of :func:`gradient_descent`.

    Attributes
    ----------
    theta : ndarray, shape (D, m)
        Final end-to-end matrix.
    steps : int
        Steps taken.
    losses : ndarray, shape (steps + 1,)
        Loss at steps ``0..steps``, in the run's convention (``loss`` argument).
    loss : float
        ``losses[-1]``.
    converged : bool
        Whether the run stopped because the loss fell below ``tol``.
    eta : float
    time_per_step : float
        :math:`c\eta`: flow time per step (``2 eta / n`` for the mean loss, ``eta`` for half).
    record_steps : ndarray of int
        Steps at which ``records`` were taken (always including the last).
    times : ndarray
        ``time_per_step * record_steps``.
    records : dict of str to ndarray
        One array per recorded name; also ``result["name"]``.
    network : ReducedNetwork or FullNetwork
        The final state.
    """

    theta: np.ndarray
    steps: int
    losses: np.ndarray
    loss: float
    converged: bool
    eta: float
    time_per_step: float
    record_steps: np.ndarray
    times: np.ndarray
    records: dict = field(default_factory=dict)
    network: object = None

    def __getitem__(self, name):
        return self.records[name]


def _schedule(record_every, record_steps, max_steps):
    if record_every is not None and record_steps is not None:
        raise ValueError("give record_every or record_steps, not both")
    if record_every is not None:
        record_every = positive_int("record_every", record_every)
        return iter(range(0, max_steps + 1, record_every))
    if record_steps is not None:
        rs = np.asarray(record_steps)
        if rs.ndim != 1 or not np.issubdtype(rs.dtype, np.integer) or np.any(rs < 0):
            raise ValueError("record_steps must be a 1-D array of non-negative integers")
        return iter(np.unique(rs).tolist())
    return iter(())


class _Recorder:
    """Takes the records at the scheduled steps (the kernel is synced into the network first)."""

    def __init__(self, net, kernel, names, schedule):
        self.net, self.kernel, self.names, self.schedule = net, kernel, names, schedule
        self.rows, self.steps = [], []
        self.next = next(schedule, -1)

    def take(self, k: int, loss_value: float) -> None:
        self.kernel.sync()
        self.rows.append(_observe(self.net, self.names, loss_value))
        self.steps.append(k)
        while 0 <= self.next <= k:
            self.next = next(self.schedule, -1)

    def finish(self, k: int, loss_value: float) -> tuple[np.ndarray, dict]:
        if self.names and (not self.steps or self.steps[-1] != k):
            self.take(k, loss_value)
        return np.asarray(self.steps, dtype=np.int64), _stack(self.rows, self.names)


class _DivergenceGuard:
    """Raises when the loss is not finite or grew for ``patience`` steps past its first value."""

    def __init__(self, patience: int, eta: float, c: float, start):
        self.patience, self.eta, self.c, self.start = patience, eta, c, start
        self.first, self.grow, self.prev = None, 0, math.inf

    def check(self, k: int, loss_value: float) -> None:
        if self.first is None:
            self.first = loss_value
        self.grow = self.grow + 1 if loss_value > self.prev else 0
        self.prev = loss_value
        finite = loss_value < math.inf
        if finite and not (self.grow >= self.patience and loss_value > self.first):
            return
        why = f"grew for {self.grow} consecutive steps" if finite else "is not finite"
        sharp = _sharpness(self.start)
        stable = 1.0 / (self.c * sharp) if sharp > 0 else math.inf
        raise DivergenceError(
            f"gradient descent diverged at step {k} with eta = {self.eta:g}: the loss {why} "
            f"(now {loss_value:.3g}, initially {self.first:.3g}). Try a smaller step, e.g. "
            f"eta <= {stable:.3g} (1 / (c * lambda_1(Sigma_x) * (||U1(0)||_2^2 "
            f"+ ||V(0)||_2^2 + 2||Theta_hat||_2)), c = {self.c:g})"
        )


def gradient_descent_from(
    network,
    eta,
    max_steps,
    tol=None,
    loss="mean",
    *,
    record=(),
    record_every=None,
    record_steps=None,
    patience=200,
) -> DescentResult:
    r"""Run gradient descent from ``network`` (not modified); see :func:`gradient_descent`.

    Parameters
    ----------
    network : ReducedNetwork or FullNetwork
    eta, max_steps, tol, loss, record, record_every, record_steps, patience
        As in :func:`gradient_descent`.

    Returns
    -------
    DescentResult
    """
    eta = positive_float("eta", eta)
    max_steps = positive_int("max_steps", max_steps, minimum=0)
    patience = positive_int("patience", patience)
    net = network.copy()
    c = _loss_factor(loss, net.problem)
    tol = _check_tol(tol, loss, net.problem)
    kernel = _kernel(net)
    recorder = _Recorder(
        net, kernel, _check_record(record), _schedule(record_every, record_steps, max_steps)
    )
    guard = _DivergenceGuard(patience, eta, c, network)
    ceta, losses, k = c * eta, [], 0
    # overflow on the way to divergence is caught by the guard, with a stable step suggested
    with np.errstate(over="ignore", invalid="ignore"):
        while True:
            loss_k = c * kernel.half_loss()  # the residual is kept for the step
            losses.append(loss_k)
            if k == recorder.next:
                recorder.take(k, loss_k)
            guard.check(k, loss_k)
            if loss_k < tol or k >= max_steps:
                break
            kernel.step(ceta)
            k += 1
    kernel.sync()
    rec_at, records = recorder.finish(k, losses[-1])
    return DescentResult(
        theta=net.theta(),
        steps=k,
        losses=np.asarray(losses),
        loss=losses[-1],
        converged=losses[-1] < tol,
        eta=eta,
        time_per_step=ceta,
        record_steps=rec_at,
        times=ceta * rec_at,
        records=records,
        network=net,
    )


def gradient_descent(
    X,
    Y,
    U0,
    V0,
    eta,
    max_steps,
    tol=None,
    loss="mean",
    *,
    representation="compact",
    problem=None,
    rank_rtol=None,
    **kwargs,
) -> DescentResult:
    r"""Gradient descent :math:`(U, V) \leftarrow (U, V) - \eta \nabla \ell` on the paper's losses.

    .. math::

        \ell = \tfrac1n\|Y - XUV^\top\|_F^2\ (\texttt{loss="mean"}, \text{the paper's runs}),

        \ell = \tfrac12\|Y - XUV^\top\|_F^2\ (\texttt{loss="half"}).

    Step ``k`` corresponds to flow time :math:`t = c\eta k`, :math:`c = 2/n` (mean) or 1 (half).
    The imbalance is not conserved: it drifts by :math:`O(\eta^2)` per step.

    Used in: ``book/setup.ipynb`` (the imbalance drift), ``book/scalar.ipynb`` (an exercise).

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    U0 : array_like, shape (D, h)
    V0 : array_like, shape (m, h)
    eta : float
        Step size, > 0.
    max_steps : int
        Step cap, >= 0.
    tol : float, optional
        Stop at the first step whose loss, in the ``loss`` convention, is below ``tol`` (the
        paper uses ``tol=1e-8`` on the mean loss). At or below the minimum loss it warns
        (:class:`lnet.ToleranceWarning`).
    loss : {"mean", "half"}
        The loss descended, and the convention of ``tol``, ``losses`` and the records.
    representation : {"compact", "reduced", "full"}
    problem : Problem, optional
        Reuse a precomputed SVD.
    rank_rtol : float, optional
        Compact only: relative size below which directions of :math:`Z_0` are dropped
        (see :func:`lnet.compact_network_from_blocks`).
    **kwargs
        ``record``, ``record_every`` or ``record_steps``, ``patience`` (consecutive increases
        of the loss, above its initial value, that count as divergence; default 200).

    Returns
    -------
    DescentResult
        ``theta``, ``steps``, ``losses`` (steps ``0..steps``), records.

    Raises
    ------
    DivergenceError
        If the loss becomes non-finite or grows for ``patience`` consecutive steps past its
        initial value; the message names ``eta`` and suggests a stable one.
    """
    prob = resolve_problem(X, Y, problem)
    net = make_network(prob, U0, V0, representation, rank_rtol=rank_rtol)
    return gradient_descent_from(net, eta, max_steps, tol, loss, **kwargs)
