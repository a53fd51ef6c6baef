r"""Gradient flow and gradient descent of the network, in three exact representations.

The paper's theorems are about the gradient flow of :math:`L = \tfrac12\|Y - XUV^\top\|_F^2`
(Section 2); its experiments run gradient descent on :math:`\tfrac1n\|Y - XUV^\top\|_F^2`
(Section 5). Descent with step :math:`\eta` on the mean loss is the Euler scheme of the flow with
time step :math:`2\eta/n`, so step ``k`` corresponds to time

.. math::

    t = c\, \eta\, k, \qquad c = 2/n \ (\texttt{loss="mean"}),\quad c = 1\ (\texttt{loss="half"}).

**Representations** (all exact; they agree to rounding for descent and to the integrator's
tolerance for the flow):

``"full"``
    :math:`(U, V)`, shapes ``(D, h)``, ``(m, h)``, with the literal gradients
    :math:`\dot U = X^\top R V`, :math:`\dot V = R^\top X U`, :math:`R = Y - XUV^\top`. The check.
``"reduced"``
    :math:`(U_1, V)` with :math:`U_2 = \Phi_2^\top U` frozen (paper, Section 2):
    :math:`\dot U_1 = \Sigma_x^{1/2} E V`, :math:`\dot V = E^\top \Sigma_x^{1/2} U_1`,
    :math:`E = \tilde Y - \Sigma_x^{1/2} U_1 V^\top`.
``"compact"`` (default)
    The reduced dynamics acts linearly on :math:`Z = [U_1; V]` (``(r+m) x h``):
    :math:`\dot Z = \hat S Z` and :math:`Z_{k+1} = (I + c\eta \hat S_k) Z_k` where :math:`\hat S`
    depends on :math:`Z` only through :math:`ZZ^\top`. So :math:`Z(t) = P(t) Z(0)`, and with the
    thin SVD :math:`Z_0^\top = O\, S\, E^\top` (``k = rank Z_0 <= r + m`` kept columns),
    :math:`Z_c = Z_0 O = E S` evolves under *the same* reduced vector field, as a network of width
    ``k``, with the compressed frozen part :math:`\Phi_2 U_2(0) O` (``D x k``). Every quantity
    recorded below (loss, :math:`\Theta`, :math:`\|U_2(0)V^\top\|_F`, :math:`\|\mathcal D(t) -
    \mathcal D(0)\|_F`, the rate, :math:`ZZ^\top`) is invariant under :math:`Z \mapsto Z O`.
    Building it costs :math:`O((D + m)(r + m) h)` once, and can be streamed over column blocks
    of :math:`(U_0, V_0)` (:func:`compact_network_from_blocks`, :func:`random_compact_network`:
    width :math:`10^6` in about 150 MB); then each step costs :math:`O(r m k)`, independent of ``h``.

The vector fields (:func:`reduced_vector_field`, :func:`full_vector_field`) are separate from the
integrators (:func:`gradient_flow_from`, :func:`gradient_descent_from`), diffrax style: one
reduced field serves both the reduced and the compact representation.

**Recording.** ``record`` is a tuple of names, evaluated at the times ``t_eval`` (flow) or the
steps ``record_every`` / ``record_steps`` (descent), and always at the end of the run:

- ``"loss"``: the loss (flow: :math:`\tfrac12\|Y - X\Theta\|^2`; descent: in the run's convention);
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

Used in: ``book/setup.ipynb``, ``book/scalar.ipynb``, ``book/initializations.ipynb``,
``book/implicit_bias.ipynb``; through ``lnet.experiments`` in ``book/exp_a.ipynb``,
``book/exp_b.ipynb``, ``book/exp_c.ipynb``, ``book/convergence.ipynb`` and ``book/width.ipynb``;
and ``benchmarks/bench_dynamics.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import solve_ivp
from scipy.linalg.blas import dgemm as _dgemm
from scipy.linalg.blas import dgemv as _dgemv
from scipy.linalg.blas import dger as _dger

from ._checks import alpha_in_theorem_range, as_matrix, positive_float, positive_int
from .problem import Problem

__all__ = [
    "RECORDABLE",
    "FullNetwork",
    "ReducedNetwork",
    "reduced_vector_field",
    "full_vector_field",
    "make_network",
    "compact_network_from_blocks",
    "random_compact_network",
    "FlowResult",
    "DescentResult",
    "DivergenceError",
    "gradient_flow",
    "gradient_flow_from",
    "gradient_descent",
    "gradient_descent_from",
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
REPRESENTATIONS = ("compact", "reduced", "full")
# OpenBLAS runs ger/gemv single-threaded up to m * n = 8192 elements (GEMM_MULTITHREAD_THRESHOLD 4)
_BLAS_SINGLE_THREAD_SIZE = 8000


class DivergenceError(FloatingPointError):
    """Gradient descent blew up (loss not finite, or growing for many consecutive steps)."""


# -- vector fields ------------------------------------------------------------------------
def reduced_vector_field(problem: Problem, U1, V):
    r"""The reduced gradient flow :math:`(\dot U_1, \dot V) = (\Sigma_x^{1/2} E V,\ E^\top \Sigma_x^{1/2} U_1)`.

    :math:`E = \tilde Y - \Sigma_x^{1/2} U_1 V^\top`. Works at any width, hence also for the
    compact state (paper, Section 2; NOTES section 9).
    """
    s = problem.sqrt_sigma[:, None]
    A = s * (problem.Ytilde - s * (U1 @ V.T))
    return A @ V, A.T @ U1


def full_vector_field(problem: Problem, U, V):
    r"""The literal gradient flow :math:`(\dot U, \dot V) = (X^\top R V,\ R^\top X U)`, :math:`R = Y - XUV^\top`.

    Used in: ``book/setup.ipynb``.
    """
    XU = problem.X @ U
    R = problem.Y - XU @ V.T
    return (problem.X.T @ R) @ V, R.T @ XU


# -- network states -----------------------------------------------------------------------
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
        The frozen null-space part :math:`\Phi_2 U_2(0)` (times ``O`` for compact), in input coordinates.
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
        return ReducedNetwork(
            self.problem, self.U1.copy(), self.V.copy(), self.N, self.U1_0, self.V_0,
            self.width, self.representation,
        )

    @property
    def k(self) -> int:
        """Number of columns actually stored."""
        return self.V.shape[1]

    # the state as (P, V) with P the first factor, shared with FullNetwork
    def get_state(self):
        return self.U1, self.V

    def set_state(self, P, V):
        self.U1, self.V = P, V

    def vector_field(self, P, V):
        return reduced_vector_field(self.problem, P, V)

    def reduced_factors(self):
        return self.U1, self.V, self.N

    def theta(self) -> np.ndarray:
        r"""End-to-end matrix :math:`\Theta = \Phi_1 U_1 V^\top + \Phi_2 U_2(0) V^\top`."""
        return self.problem.Phi1 @ (self.U1 @ self.V.T) + self.N @ self.V.T

    def imbalance_drift(self) -> float:
        r""":math:`\|\mathcal D(t) - \mathcal D(0)\|_F`."""
        return _imbalance_drift(self.U1, self.V, self.U1_0, self.V_0)


@dataclass(eq=False)
class FullNetwork:
    r"""A network in full form :math:`(U, V)`; the literal gradients (the check representation)."""

    problem: Problem
    U: np.ndarray
    V: np.ndarray
    N: np.ndarray  # Phi2 U2(0) in input coordinates, for ||U2(0) V^T||
    U_0: np.ndarray
    V_0: np.ndarray
    representation: str = "full"

    def copy(self) -> FullNetwork:
        return FullNetwork(self.problem, self.U.copy(), self.V.copy(), self.N, self.U_0, self.V_0)

    @property
    def width(self) -> int:
        return self.V.shape[1]

    k = width

    def get_state(self):
        return self.U, self.V

    def set_state(self, P, V):
        self.U, self.V = P, V

    def vector_field(self, P, V):
        return full_vector_field(self.problem, P, V)

    def reduced_factors(self):
        return self.problem.Phi1.T @ self.U, self.V, self.N

    def theta(self) -> np.ndarray:
        return self.U @ self.V.T

    def imbalance_drift(self) -> float:
        r""":math:`\|\mathcal D(t) - \mathcal D(0)\|_F`, :math:`\mathcal D = U_1^\top U_1 - V^\top V`."""
        P = self.problem.Phi1.T
        return _imbalance_drift(P @ self.U, self.V, P @ self.U_0, self.V_0)


def _imbalance_drift(U1, V, U1_0, V_0) -> float:
    """||D(t) - D(0)||_F without forming h x h matrices when h is large.

    Both imbalances live on the row space of [U1; V; U1_0; V_0] (dimension <= 2(r + m)); in an
    orthonormal basis of it the difference is a small matrix with the same Frobenius norm.
    (Expanding ||D(t)||^2 + ||D(0)||^2 - 2<D(t), D(0)> instead would cancel catastrophically.)
    """
    r, h = U1.shape[0], U1.shape[1]
    K = np.vstack([U1, V, U1_0, V_0])
    if h > K.shape[0]:
        R = np.linalg.qr(K.T, mode="r")  # K^T = O R
        q = U1.shape[0] + V.shape[0]
        U1, V, U1_0, V_0 = R[:, :r].T, R[:, r:q].T, R[:, q : q + r].T, R[:, q + r :].T
    dD = (U1.T @ U1 - V.T @ V) - (U1_0.T @ U1_0 - V_0.T @ V_0)
    return float(np.linalg.norm(dD))


def _null_part(problem: Problem, U) -> np.ndarray:
    return U - problem.Phi1 @ (problem.Phi1.T @ U)


def _compress(problem: Problem, R, G, h, rank_rtol):
    """Compact state from R (R^T R = Z0 Z0^T, from a QR of Z0^T) and G = U0 Z0^T."""
    _, s, Et = np.linalg.svd(R, full_matrices=False)
    r = problem.r
    if rank_rtol is None:
        rank_rtol = (r + problem.m) * math.sqrt(max(h, 1)) * np.finfo(np.float64).eps
    keep = s > rank_rtol * (s[0] if s.size else 0.0)
    s, E = s[keep], Et[keep].T
    Zc = E * s
    # U0 O = G E S^{-1}; its row-space part is U1c, so only the null-space part is kept
    N = _null_part(problem, G @ (E / s)) if s.size else np.zeros((problem.D, 0))
    U1c, Vc = Zc[:r].copy(), Zc[r:].copy()
    return ReducedNetwork(problem, U1c, Vc, N, U1c.copy(), Vc.copy(), int(h), "compact")


def compact_network_from_blocks(problem: Problem, blocks, *, rank_rtol=None) -> ReducedNetwork:
    r"""Build the compact state from column blocks ``(U_b, V_b)`` of :math:`(U(0), V(0))`.

    Only :math:`Z_0 Z_0^\top` (through a streaming QR of :math:`Z_0^\top`, for accuracy) and
    :math:`U(0) Z_0^\top` are accumulated, so memory is one block plus ``O(D (r + m))``, whatever
    the width. Directions of :math:`Z_0` with singular value at most ``rank_rtol`` times the largest
    are dropped (default :math:`(r + m)\sqrt h\,\epsilon`), changing :math:`Z_0` by at most that
    relative amount per direction.

    Used in: ``benchmarks/bench_dynamics.py`` (width :math:`10^6`).
    """
    r, m, D = problem.r, problem.m, problem.D
    R = np.zeros((0, r + m))
    G = np.zeros((D, r + m))
    h = 0
    for i, (Ub, Vb) in enumerate(blocks):
        Ub = as_matrix(f"U block {i}", Ub, rows=D)
        Vb = as_matrix(f"V block {i}", Vb, rows=m, cols=Ub.shape[1])
        Zb = np.vstack([problem.Phi1.T @ Ub, Vb])
        R = np.linalg.qr(np.vstack([R, Zb.T]), mode="r")
        G += Ub @ Zb.T
        h += Ub.shape[1]
    if h == 0:
        raise ValueError("blocks must contain at least one column of (U0, V0); got none")
    return _compress(problem, R, G, h, rank_rtol)


def random_compact_network(
    problem: Problem, h, *, alpha=0.5, sigma_U=None, sigma_V=None, seed=None, block=8192,
    check_alpha=False, orthogonal=False,
) -> ReducedNetwork:
    r"""Compact state of the random initialization, streamed: never more than one block in memory.

    Entries :math:`\mathcal N(0, h^{-2\alpha})` (or standard deviations ``sigma_U``, ``sigma_V``
    when given). The network is exactly the one :func:`lnet.random_init` /
    :func:`lnet.scaled_init` returns for the same seed (see :func:`lnet.gaussian_blocks`).
    ``check_alpha=True`` requires :math:`1/4 < \alpha \le 1/2`, the range of the paper's results.

    ``orthogonal=True`` gives the compact state of :func:`lnet.orthogonal_init` with the same
    seed and scales: that initialization changes only :math:`U_2(0)`, projecting it off the row
    space of :math:`Z_0`, so its compressed frozen part is exactly zero (needs ``h > r + m``).
    """
    from .initializations import gaussian_blocks

    h = positive_int("h", h)
    a = alpha_in_theorem_range(alpha) if check_alpha else positive_float("alpha", alpha)
    sU = h**-a if sigma_U is None else sigma_U
    sV = h**-a if sigma_V is None else sigma_V
    if orthogonal and h <= problem.r + problem.m:
        raise ValueError(
            f"h must be > r + m = {problem.r + problem.m} for an orthogonal initialization; got h = {h}"
        )
    blocks = gaussian_blocks(problem.D, problem.m, h, scale_U=sU, scale_V=sV, seed=seed, block=block)
    net = compact_network_from_blocks(problem, blocks)
    if orthogonal:
        net.N = np.zeros_like(net.N)
    return net


def make_network(problem: Problem, U0, V0, representation: str = "compact", *, rank_rtol=None):
    """Validate ``(U0, V0)`` and build the state of the chosen representation."""
    if representation not in REPRESENTATIONS:
        raise ValueError(f"representation must be one of {REPRESENTATIONS}; got {representation!r}")
    U0, V0 = problem.check_weights(U0, V0)
    h = U0.shape[1]
    if representation == "compact":
        Z0 = np.vstack([problem.Phi1.T @ U0, V0])
        R = np.linalg.qr(Z0.T, mode="r")
        return _compress(problem, R, U0 @ Z0.T, h, rank_rtol)
    N = _null_part(problem, U0)
    if representation == "reduced":
        U1 = problem.Phi1.T @ U0
        return ReducedNetwork(problem, U1, V0.copy(), N, U1.copy(), V0.copy(), h, "reduced")
    return FullNetwork(problem, U0.copy(), V0.copy(), N, U0.copy(), V0.copy())


def _problem(X, Y, problem):
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
    if X is None or Y is None:
        raise ValueError("X and Y are required unless problem is given")
    return Problem.from_data(X, Y)


def _check_record(record):
    if isinstance(record, str):
        record = (record,)
    record = tuple(record)
    for name in record:
        if name not in RECORDABLE:
            raise ValueError(f"record entries must be among {RECORDABLE}; got {name!r}")
    return record


# -- observables --------------------------------------------------------------------------
def _observe(net, names, loss_value):
    """Evaluate the recorded quantities at the network's current state."""
    prob = net.problem
    U1, V, N = net.reduced_factors()
    s = prob.sqrt_sigma[:, None]
    M = U1 @ V.T
    E = prob.Ytilde - s * M
    lt = 0.5 * float(np.vdot(E, E))
    out = {}
    for name in names:
        if name == "loss":
            out[name] = loss_value
        elif name == "ltilde":
            out[name] = lt
        elif name == "theta":
            out[name] = net.theta()
        elif name == "dist_min_norm" and isinstance(net, FullNetwork):
            out[name] = float(np.linalg.norm(net.theta() - prob.theta_hat))
        elif name == "dist_min_norm":
            NV = N @ V.T
            d1 = M - prob.Ytilde / s
            out[name] = math.sqrt(float(np.vdot(d1, d1) + np.vdot(NV, NV)))
        elif name == "u2v_norm":
            out[name] = float(np.linalg.norm(N @ V.T))
        elif name == "imbalance_drift":
            out[name] = net.imbalance_drift()
        elif name == "rate":
            A = s * E
            g = float(np.linalg.norm(A @ V) ** 2 + np.linalg.norm(A.T @ U1) ** 2)
            out[name] = g / lt if lt > 0 else math.nan
        elif name == "gram":
            Z = np.vstack([U1, V])
            out[name] = Z @ Z.T
    return out


def _stack(rows: list[dict], names) -> dict:
    return {name: np.array([row[name] for row in rows]) for name in names}


# -- gradient flow ------------------------------------------------------------------------
@dataclass(eq=False)
class FlowResult:
    r"""Outcome of :func:`gradient_flow`.

    Attributes
    ----------
    theta : ndarray, shape (D, m)
        End-to-end matrix at the final time.
    loss : float
        :math:`\tfrac12\|Y - X\Theta\|_F^2` at the final time.
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
    """

    theta: np.ndarray
    loss: float
    t: float
    times: np.ndarray
    records: dict = field(default_factory=dict)
    network: object = None
    nfev: int = 0

    def __getitem__(self, name):
        return self.records[name]


def _half_loss_at(net, P, V) -> float:
    r""":math:`\tfrac12\|Y - XUV^\top\|_F^2` at the state ``(P, V)`` of ``net``'s representation."""
    prob = net.problem
    if isinstance(net, FullNetwork):
        R = prob.Y - prob.X @ (P @ V.T)
        return 0.5 * float(np.vdot(R, R))
    E = prob.reduced_residual(P, V)
    return 0.5 * float(np.vdot(E, E)) + prob.L_star


def _half_loss(net) -> float:
    return _half_loss_at(net, *net.get_state())


def gradient_flow_from(
    network, t, *, rtol=1e-10, atol=1e-12, method="DOP853", record=(), t_eval=None, tol=None
) -> FlowResult:
    r"""Integrate the gradient flow of :math:`\tfrac12\|Y - XUV^\top\|_F^2` from ``network`` to time ``t``.

    Integration is by :func:`scipy.integrate.solve_ivp` with error control (``method``, ``rtol``,
    ``atol`` passed through). The input network is not modified.

    Parameters
    ----------
    network : ReducedNetwork or FullNetwork
        From :func:`make_network`, :func:`random_compact_network`, or a previous result.
    t : float
        Final time, >= 0.
    rtol, atol : float
        Tolerances of the integrator's error control.
    method : str
        A :func:`scipy.integrate.solve_ivp` method; DOP853 (order 8) suits the tight tolerances.
    record : tuple of str
        Names from :data:`RECORDABLE`, evaluated at ``t_eval`` and at the final time.
    t_eval : array_like, optional
        Sorted times in ``[0, t]``.
    tol : float, optional
        Stop at the first time the loss falls below ``tol`` (``result.t`` is that time).

    Raises
    ------
    RuntimeError
        If the integrator fails (the message says why) or the state stops being finite.
    """
    t = positive_float("t", t, allow_zero=True)
    rtol = positive_float("rtol", rtol)
    atol = positive_float("atol", atol)
    if tol is not None:
        tol = positive_float("tol", tol)
    record = _check_record(record)
    net = network.copy()
    if t_eval is None:
        t_eval = np.array([t])  # (also keeps solve_ivp from storing every step)
    else:
        t_eval = np.asarray(t_eval, dtype=float).ravel()
        if t_eval.size == 0 or not np.all(np.isfinite(t_eval)):
            raise ValueError("t_eval must be a non-empty array of finite times")
        if np.any(np.diff(t_eval) < 0) or t_eval[0] < 0 or t_eval[-1] > t:
            raise ValueError(f"t_eval must be sorted and lie in [0, t] = [0, {t}]")
        if t_eval[-1] < t:
            t_eval = np.append(t_eval, t)
    P0, V0 = net.get_state()
    shp_P, shp_V = P0.shape, V0.shape
    nP = P0.size

    def unpack(y):
        return y[:nP].reshape(shp_P), y[nP:].reshape(shp_V)

    def fun(_, y):
        dP, dV = net.vector_field(*unpack(y))
        return np.concatenate([dP.ravel(), dV.ravel()])

    def below_tol(_, y):
        return _half_loss_at(net, *unpack(y)) - tol

    below_tol.terminal, below_tol.direction = True, -1

    y0 = np.concatenate([P0.ravel(), V0.ravel()])
    stopped = tol is not None and _half_loss_at(net, P0, V0) < tol
    if t == 0 or stopped:
        states, times, nfev = [y0], np.array([0.0]), 0
    else:
        sol = solve_ivp(
            fun, (0.0, t), y0, method=method, rtol=rtol, atol=atol, t_eval=t_eval,
            events=below_tol if tol is not None else None,
        )
        if not sol.success:
            raise RuntimeError(f"gradient flow integration failed at rtol={rtol}: {sol.message}")
        # When the loss tolerance stops the run before the first t_eval time, scipy returns
        # sol.y as an empty list rather than an (n, 0) array.
        states, times = list(np.reshape(sol.y, (y0.size, -1)).T), list(sol.t)
        if sol.status == 1:  # stopped by the loss tolerance
            states.append(sol.y_events[0][0])
            times.append(sol.t_events[0][0])
        nfev = sol.nfev
    rows = []
    for y in states:
        if not np.all(np.isfinite(y)):
            raise RuntimeError("gradient flow produced non-finite weights; the run blew up")
        net.set_state(*(a.copy() for a in unpack(y)))
        rows.append(_observe(net, record, _half_loss(net)) if record else {})
    return FlowResult(
        theta=net.theta(), loss=_half_loss(net), t=float(times[-1]), times=np.asarray(times),
        records=_stack(rows, record), network=net, nfev=nfev,
    )


def gradient_flow(
    X, Y, U0, V0, t, *, representation="compact", problem=None, rank_rtol=None, **kwargs
) -> FlowResult:
    r"""Gradient flow of :math:`L(U, V) = \tfrac12\|Y - XUV^\top\|_F^2` from :math:`(U_0, V_0)` up to time ``t``.

    .. math::

        \dot U = X^\top (Y - XUV^\top) V, \qquad \dot V = (Y - XUV^\top)^\top X U .

    Used in: ``book/setup.ipynb`` (the full-parameter run, and exercises).

    Parameters
    ----------
    X : array_like, shape (n, D)
    Y : array_like, shape (n, m)
    U0 : array_like, shape (D, h)
    V0 : array_like, shape (m, h)
    t : float
        Final time, >= 0.
    representation : {"compact", "reduced", "full"}
        See the module docstring. All give the same trajectory.
    problem : Problem, optional
        Reuse a precomputed SVD (``X``, ``Y`` may then be None).
    rank_rtol : float, optional
        Compact only: relative size below which directions of :math:`Z_0` are dropped
        (see :func:`compact_network_from_blocks`).
    **kwargs
        ``rtol``, ``atol``, ``method``, ``record``, ``t_eval``, ``tol``: see
        :func:`gradient_flow_from`.

    Returns
    -------
    FlowResult
        ``result.theta`` (``D x m``), ``result.loss`` (:math:`\tfrac12\|Y - X\Theta\|^2`), records.
    """
    prob = _problem(X, Y, problem)
    net = make_network(prob, U0, V0, representation, rank_rtol=rank_rtol)
    return gradient_flow_from(net, t, **kwargs)


# -- gradient descent ---------------------------------------------------------------------
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


def _stable_eta(net, c) -> float:
    """A rough stable step: 1 / (c * sharpness at a solution reached from here)."""
    prob = net.problem
    U1, V, _ = net.reduced_factors()
    sharp = prob.sigma[0] * (
        np.linalg.norm(U1, 2) ** 2 + np.linalg.norm(V, 2) ** 2
        + 2 * np.linalg.norm(prob.theta_hat, 2)
    )
    return 1.0 / (c * sharp) if sharp > 0 else math.inf


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


def gradient_descent_from(
    network, eta, max_steps, tol=None, loss="mean", *, record=(), record_every=None,
    record_steps=None, patience=200,
) -> DescentResult:
    r"""Run gradient descent from ``network`` (not modified); see :func:`gradient_descent`."""
    eta = positive_float("eta", eta)
    max_steps = positive_int("max_steps", max_steps, minimum=0)
    if tol is not None:
        tol = positive_float("tol", tol)
    if loss not in ("mean", "half"):
        raise ValueError(f'loss must be "mean" or "half"; got {loss!r}')
    patience = positive_int("patience", patience)
    record = _check_record(record)
    sched = _schedule(record_every, record_steps, max_steps)
    net = network.copy()
    prob = net.problem
    c = 2.0 / prob.n if loss == "mean" else 1.0
    # loss = to_loss * (1/2 residual^2) + offset, in the requested convention
    to_loss = 2.0 / prob.n if loss == "mean" else 1.0
    offset = to_loss * prob.L_star
    tol_ = -math.inf if tol is None else tol
    ceta = c * eta
    losses: list[float] = []
    rows, rec_at = [], []
    next_rec = next(sched, -1)
    first, grow, prev = None, 0, math.inf
    full = isinstance(net, FullNetwork)
    if full:
        X, Y, U, V = prob.X, prob.Y, net.U, net.V
    else:
        # Scaled coordinates W1 = Sigma_x^{1/2} U1 make E = Ytilde - W1 V^T one product, and the
        # update a rank-m BLAS call done in place on Fortran-ordered arrays: the step is then a
        # handful of small calls whose cost does not depend on the width.
        s = prob.sqrt_sigma[:, None]
        cs2 = ceta * prob.sigma[:, None]
        Yt = prob.Ytilde
        W1 = np.asfortranarray(s * net.U1)
        V = np.asfortranarray(net.V)
        rank1 = prob.m == 1
        dV = np.zeros_like(V)  # Fortran order, like V
        if rank1:
            v, yt, cs2v = V[0], Yt[:, 0].copy(), cs2[:, 0].copy()
            dv = np.empty_like(v)
            # Column blocks small enough that OpenBLAS runs each call on one thread: on a
            # shared machine, waking a second thread for a 100 x 100 product costs more than
            # the product (10x slower steps were measured under load).
            ncol = max(1, _BLAS_SINGLE_THREAD_SIZE // W1.shape[0])
            if -(-W1.shape[1] // ncol) > 8:
                ncol = max(W1.shape[1], 1)  # large state: threads pay off, use whole calls
            blocks = [
                (W1[:, a : a + ncol], v[a : a + ncol], dv[a : a + ncol])
                for a in range(0, W1.shape[1], ncol)
            ]  # empty for the zero initialization (k = 0): nothing moves
            W0, v0 = (blocks[0][0], blocks[0][1]) if blocks else (None, None)
    # overflow on the way to divergence is caught below and reported with a stable step
    with np.errstate(over="ignore", invalid="ignore"):
        k = 0
        while True:
            # residual and loss at step k (reused by the update)
            if full:
                XU = X @ U
                R = Y - XU @ V.T
                Lk = to_loss * 0.5 * float(np.vdot(R, R))
            elif rank1:
                # BLAS wrappers take positional arguments: keyword parsing costs more than the
                # products here. E = yt - W1 v (the first call returns a new array).
                E = yt.copy() if not blocks else _dgemv(-1.0, W0, v0, 1.0, yt)
                for Wb, vb, _ in blocks[1:]:
                    _dgemv(-1.0, Wb, vb, 1.0, E, 0, 1, 0, 1, 0, 1)
                Lk = to_loss * 0.5 * float(E @ E) + offset
            else:
                E = Yt - W1 @ V.T
                Lk = to_loss * 0.5 * float(np.vdot(E, E)) + offset
            losses.append(Lk)
            if k == next_rec:
                if not full:
                    net.U1, net.V = W1 / s, V.copy()
                rows.append(_observe(net, record, Lk))
                rec_at.append(k)
                next_rec = next(sched, -1)
                while 0 <= next_rec <= k:
                    next_rec = next(sched, -1)
            if first is None:
                first = Lk
            grow = grow + 1 if Lk > prev else 0
            prev = Lk
            if not (Lk < math.inf) or (grow >= patience and Lk > first):
                why = "is not finite" if not (Lk < math.inf) else f"grew for {grow} consecutive steps"
                raise DivergenceError(
                    f"gradient descent diverged at step {k} with eta = {eta:g}: the loss {why} "
                    f"(now {Lk:.3g}, initially {first:.3g}). Try a smaller step, e.g. "
                    f"eta <= {_stable_eta(network, c):.3g} (1 / (c * lambda_1(Sigma_x) * (||U1(0)||_2^2 "
                    f"+ ||V(0)||_2^2 + 2||Theta_hat||_2)), c = {c:g})"
                )
            if Lk < tol_ or k >= max_steps:
                break
            if full:
                dV = R.T @ XU
                U += ceta * ((X.T @ R) @ V)
                V += ceta * dV
            elif rank1:
                # dV = ceta E^T W1 and W1 += ceta Sigma_x E V, both from the old iterate
                for Wb, _, dvb in blocks:
                    _dgemv(ceta, Wb, E, 0.0, dvb, 0, 1, 0, 1, 1, 1)  # dv = ceta W1^T E
                a = cs2v * E
                for Wb, vb, _ in blocks:
                    _dger(1.0, a, vb, 1, 1, Wb, 1, 1, 1)  # W1 += a v^T, in place
                v += dv
            elif W1.shape[1]:  # (k = 0, the zero initialization, does not move)
                _dgemm(ceta, E, W1, 0.0, dV, 1, 0, 1)  # dV = ceta E^T W1
                _dgemm(1.0, cs2 * E, V, 1.0, W1, 0, 0, 1)  # W1 += ceta Sigma_x E V, in place
                V += dV
            k += 1
    if not full:
        net.U1, net.V = W1 / s, np.ascontiguousarray(V)
    if record and (not rec_at or rec_at[-1] != k):
        rows.append(_observe(net, record, losses[-1]))
        rec_at.append(k)
    rec_at = np.asarray(rec_at, dtype=np.int64)
    return DescentResult(
        theta=net.theta(), steps=k, losses=np.asarray(losses), loss=losses[-1],
        converged=losses[-1] < tol_, eta=eta, time_per_step=ceta, record_steps=rec_at,
        times=ceta * rec_at, records=_stack(rows, record), network=net,
    )


def gradient_descent(
    X, Y, U0, V0, eta, max_steps, tol=None, loss="mean", *, representation="compact",
    problem=None, rank_rtol=None, **kwargs,
) -> DescentResult:
    r"""Gradient descent :math:`(U, V) \leftarrow (U, V) - \eta \nabla \ell` on the paper's losses.

    .. math::

        \ell = \tfrac1n\|Y - XUV^\top\|_F^2\ (\texttt{loss="mean"}, \text{the paper's runs}), \qquad
        \ell = \tfrac12\|Y - XUV^\top\|_F^2\ (\texttt{loss="half"}).

    Step ``k`` corresponds to flow time :math:`t = c\eta k`, :math:`c = 2/n` (mean) or 1 (half).
    The imbalance is not conserved: it drifts by :math:`O(\eta^2)` per step.

    Used in: ``book/setup.ipynb`` (the imbalance drift), ``book/scalar.ipynb`` (an exercise).

    Parameters
    ----------
    X, Y, U0, V0 : array_like
        Data ``(n, D)``, ``(n, m)``; weights ``(D, h)``, ``(m, h)``.
    eta : float
        Step size, > 0.
    max_steps : int
        Step cap, >= 0.
    tol : float, optional
        Stop at the first step whose loss is below ``tol`` (the paper uses 1e-8).
    loss : {"mean", "half"}
    representation : {"compact", "reduced", "full"}
    problem : Problem, optional
        Reuse a precomputed SVD (``X``, ``Y`` may then be None).
    rank_rtol : float, optional
        Compact only: relative size below which directions of :math:`Z_0` are dropped
        (see :func:`compact_network_from_blocks`).
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
    prob = _problem(X, Y, problem)
    net = make_network(prob, U0, V0, representation, rank_rtol=rank_rtol)
    return gradient_descent_from(net, eta, max_steps, tol, loss, **kwargs)
