r"""Implicit bias as experiments: where gradient flow lands from different initializations.

The formulas (the limit :math:`\hat\Theta + \Phi_2U_2(0)V(\infty)^\top`, the orthogonality
condition) are in :mod:`lnet.implicit_bias`; the initializations in :mod:`lnet.initializations`.

Used in: ``book/implicit_bias.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import positive_float, positive_int
from .._deprecation import renamed_kwargs
from ..dynamics import gradient_flow_from
from ..initializations import counterexample_init, orthogonal_init, random_init, scaled_init
from ..networks import make_network, null_part
from ..problem import Problem
from .width import _seed_indices, distances, flow_to_tolerance, mean_loss

__all__ = ["BiasTrajectories", "SmallInitRuns", "run_implicit_bias", "run_small_init"]


@dataclass(frozen=True)
class BiasTrajectories:
    r"""Gradient-flow trajectories from three initializations of one problem.

    For each name in ``("random", "orthogonal", "counterexample")``: ``loss[name]``
    (:math:`\tfrac1n\|Y - XUV^\top\|^2`), ``dist[name]`` (:math:`\|U(t)V(t)^\top - \hat\Theta\|_F`),
    ``u2v[name]`` (:math:`\|U_2(0)V(t)^\top\|_F`), at ``times``; ``decomposition_error[name]``:
    :math:`\|U(T)V(T)^\top - \hat\Theta - \Phi_2U_2(0)V(T)^\top\|_F` at the end; ``conditions[name]``:
    :math:`(\|V(0)U_2(0)^\top\|_F, \|U_1(0)U_2(0)^\top\|_F)`.
    """

    times: np.ndarray
    h: int
    loss: dict
    dist: dict
    u2v: dict
    decomposition_error: dict
    conditions: dict


@renamed_kwargs(rtol="ode_rtol", atol="ode_atol")
def run_implicit_bias(
    problem: Problem,
    h: int = 500,
    *,
    t_max: float = 40.0,
    n_times: int = 81,
    seed: int = 0,
    ode_rtol: float = 1e-12,
    ode_atol: float = 1e-15,
) -> BiasTrajectories:
    r"""Gradient flow from a random, an orthogonal and a counterexample initialization (same draw).

    All three start from the same Gaussian draw with :math:`\mathcal N(0, 1/h)` entries:
    ``random`` as drawn; ``orthogonal`` with the rows of :math:`U_2(0)` projected off the rows of
    :math:`U_1(0)` and :math:`V(0)` (:func:`lnet.orthogonal_init`); ``counterexample`` projected
    off the rows of :math:`V(0)` only (:func:`lnet.counterexample_init`).

    Used in: ``book/implicit_bias.ipynb``.

    Parameters
    ----------
    problem : Problem
    h : int
        Width.
    t_max : float
        Final time.
    n_times : int
        Number of recorded times in ``[0, t_max]``.
    seed : int
    ode_rtol, ode_atol : float
        The integrator's tolerances (tight, so that the orthogonal run can be seen reaching
        :math:`\hat\Theta` to near machine precision). Formerly ``rtol``, ``atol``.

    Returns
    -------
    BiasTrajectories
    """
    h = positive_int("h", h)
    times = np.linspace(0.0, positive_float("t_max", t_max), positive_int("n_times", n_times))
    inits = {
        "random": random_init(problem.D, problem.m, h, seed=seed),
        "orthogonal": orthogonal_init(problem, h, seed=seed),
        "counterexample": counterexample_init(problem, h, seed=seed),
    }
    out = {key: {} for key in ("loss", "dist", "u2v", "decomposition_error", "conditions")}
    for name, (U0, V0) in inits.items():
        U1, N = problem.Phi1.T @ U0, null_part(problem, U0)
        out["conditions"][name] = (float(np.linalg.norm(V0 @ N.T)), float(np.linalg.norm(U1 @ N.T)))
        # One integration per interval, so that every recorded point is an integrator step
        # (dense-output interpolation would put a floor of about ode_rtol on small distances).
        net = make_network(problem, U0, V0)
        rows = [distances(net) + (mean_loss(net),)]
        for dt in np.diff(times):
            net = gradient_flow_from(net, float(dt), ode_rtol=ode_rtol, ode_atol=ode_atol).network
            rows.append(distances(net) + (mean_loss(net),))
        dist, u2v, loss = (np.array(c) for c in zip(*rows, strict=True))
        out["dist"][name], out["u2v"][name], out["loss"][name] = dist, u2v, loss
        theta_err = net.theta() - problem.theta_hat - net.N @ net.V.T
        out["decomposition_error"][name] = float(np.linalg.norm(theta_err))
    return BiasTrajectories(times=times, h=h, **out)


@dataclass(frozen=True)
class SmallInitRuns:
    r"""Gradient flow from random weights with entries :math:`\mathcal N(0, \sigma^2)` for several :math:`\sigma`.

    ``dist``, ``bias``, ``time``: shape ``(scales, seeds)``; distance to :math:`\hat\Theta`, the bias
    term :math:`\|U_2(0)V(t_f)^\top\|_F` and the flow time at the stop
    (:math:`\tfrac1n\|Y - XUV^\top\|^2 <` ``tol``). The distance also contains the residual left
    at the stop (at most :math:`\sqrt{n\,\text{tol}/\lambda_r(\Sigma_x)}`), the bias term does not.
    ``zero_init_moves``: the largest change of :math:`(U, V)` along a flow from :math:`U = V = 0`; ``zero_init_loss``: its loss.
    """

    scales: np.ndarray
    h: int
    tol: float
    dist: np.ndarray
    bias: np.ndarray
    time: np.ndarray
    zero_init_moves: float
    zero_init_loss: float


def run_small_init(
    problem: Problem,
    scales=(1e-3, 1e-2, 1e-1, 1.0),
    h: int = 500,
    seeds=3,
    *,
    tol=1e-8,
    init_seed=5,
    t_zero: float = 100.0,
) -> SmallInitRuns:
    r"""Why zero initialization does not help: small scales buy a small bias with a long plateau.

    Runs :func:`lnet.experiments.width.flow_to_tolerance` from :math:`U(0) = \sigma U_0`,
    :math:`V(0) = \sigma V_0` (standard normal :math:`U_0, V_0`), and a flow of length ``t_zero``
    from :math:`U = V = 0`.

    Used in: ``book/implicit_bias.ipynb``.

    Parameters
    ----------
    problem : Problem
    scales : sequence of float
        The scales :math:`\sigma`.
    h : int
        Width.
    seeds : int or sequence of int
    tol : float
        Stop when the mean loss is below it.
    init_seed : int
    t_zero : float
        Length of the flow from the zero initialization.

    Returns
    -------
    SmallInitRuns
    """
    sc = np.asarray(scales, dtype=float)
    sd = _seed_indices(seeds)
    dist, bias, tt = (np.empty((sc.size, sd.size)) for _ in range(3))
    for i, s in enumerate(sc):
        for j, k in enumerate(sd):
            U0, V0 = scaled_init(
                problem.D, problem.m, h, float(s), float(s), seed=[int(init_seed), int(k)]
            )
            end, tt[i, j] = flow_to_tolerance(make_network(problem, U0, V0), tol)
            dist[i, j], bias[i, j] = distances(end)
    Z = (np.zeros((problem.D, h)), np.zeros((problem.m, h)))
    res = gradient_flow_from(make_network(problem, *Z, "reduced"), t_zero)
    moved = max(float(np.abs(res.network.U1).max()), float(np.abs(res.network.V).max()))
    return SmallInitRuns(
        scales=sc,
        h=int(h),
        tol=float(tol),
        dist=dist,
        bias=bias,
        time=tt,
        zero_init_moves=moved,
        zero_init_loss=float(res.loss),
    )
