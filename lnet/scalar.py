r"""The scalar model of the talk: one weight :math:`u`, one weight :math:`v`, one target :math:`y`.

The loss and its gradient flow are

.. math::

    L(u, v) = \tfrac12 (y - uv)^2, \qquad
    \dot u = (y - uv)\, v, \qquad \dot v = (y - uv)\, u .

Everything the paper proves for matrices has a one-line scalar version here: the imbalance
:math:`d = u^2 - v^2` is constant, the instantaneous rate is
:math:`-\dot L / L = 2(u^2 + v^2) = 2\sqrt{d^2 + 4(uv)^2}`, and a positive margin
:math:`|y| - |y - uv|` keeps the rate away from zero.

Used in: ``book/scalar.ipynb``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from ._checks import relative_tolerance
from ._deprecation import renamed_function, renamed_kwargs

# The balanced closed form lives with the other exact solutions; it is re-exported here
# because the scalar chapter uses it next to the functions below.
from .closed_forms import scalar_product_balanced

__all__ = [
    "ScalarTrajectory",
    "init_from_product_and_imbalance",
    "scalar_flow",
    "scalar_imbalance",
    "scalar_loss",
    "scalar_margin",
    "scalar_product_balanced",
    "scalar_rate_from_product",
    "scalar_rate_from_weights",
    "scalar_rate_lower_bound",
    "scalar_time_to_product",
]


def _real(name: str, value) -> float:
    """A finite real scalar, or an error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r} ({type(value).__name__})")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite; got {v}")
    return v


def _real_array(name: str, value) -> np.ndarray:
    """A finite float array (any shape), or an error naming ``name``."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be real numbers; could not convert it ({exc})") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return arr


def _times(t) -> np.ndarray:
    t = _real_array("t", t)
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"t must be a non-empty 1-D array of times; got shape {t.shape}")
    if t[0] < 0 or np.any(np.diff(t) < 0):
        raise ValueError(
            "t must be nondecreasing and start at a time >= 0 (the flow starts at t = 0)"
        )
    return t


# -- the model -------------------------------------------------------------------------------
def scalar_loss(u, v, y):
    r"""The loss :math:`L(u, v) = \tfrac12 (y - uv)^2` (elementwise on arrays).

    Used in: ``book/scalar.ipynb``.

    Parameters
    ----------
    u, v, y : float or array_like
        Weights and target (broadcast).

    Returns
    -------
    float or ndarray
    """
    return 0.5 * (np.asarray(y) - np.asarray(u) * np.asarray(v)) ** 2


def scalar_imbalance(u, v):
    r"""The imbalance :math:`d = u^2 - v^2`, constant under gradient flow.

    Parameters
    ----------
    u, v : float or array_like

    Returns
    -------
    float or ndarray
    """
    u, v = np.asarray(u), np.asarray(v)
    return u * u - v * v


def scalar_rate_from_weights(u, v):
    r"""The instantaneous rate :math:`-\dot L / L = 2 (u^2 + v^2)` of the flow at :math:`(u, v)`.

    It does not depend on :math:`y`: along the flow :math:`\dot L = -(y - uv)^2 (u^2 + v^2)`.
    Formerly ``lnet.scalar.scalar_rate``; the same rate from :math:`(d, uv)` is
    :func:`scalar_rate_from_product`.

    Parameters
    ----------
    u, v : float or array_like

    Returns
    -------
    float or ndarray
    """
    u, v = np.asarray(u), np.asarray(v)
    return 2.0 * (u * u + v * v)


def scalar_rate_from_product(d, w):
    r"""The instantaneous rate written with the imbalance :math:`d` and the product :math:`w = uv`.

    .. math::

        -\frac{\dot L}{L} = 2(u^2 + v^2) = 2\sqrt{(u^2 - v^2)^2 + 4 (uv)^2} = 2\sqrt{d^2 + 4 w^2}.

    Since :math:`d` never changes, this is a function of the product alone along a trajectory.
    It is the scalar case of Proposition 1 of the extended version (and of the talk), where the
    lower bound on the rate holds with equality. (Formerly also ``lnet.scalar_rate(d, uv)``.)

    Used in: ``book/scalar.ipynb``, ``book/rate.ipynb``.

    Parameters
    ----------
    d : float or array_like
        The imbalance :math:`u^2 - v^2`.
    w : float or array_like
        The product :math:`uv`.

    Returns
    -------
    float or ndarray
    """
    d, w = np.asarray(d), np.asarray(w)
    return 2.0 * np.sqrt(d * d + 4.0 * w * w)


def scalar_margin(y, w):
    r"""The margin :math:`|y| - |y - w|` of a product :math:`w = uv` for the target :math:`y`.

    When it is positive, :math:`|w(t)|` stays at or above it for all :math:`t \ge 0` under
    gradient flow, because :math:`|y - w(t)|` never increases. It is the scalar case of
    :func:`lnet.margin` (formerly ``lnet.scalar.margin``).

    Used in: ``book/scalar.ipynb``.

    Parameters
    ----------
    y : float or array_like
        The target.
    w : float or array_like
        The product :math:`uv`.

    Returns
    -------
    float or ndarray
    """
    y, w = np.asarray(y), np.asarray(w)
    return np.abs(y) - np.abs(y - w)


def scalar_rate_lower_bound(d, y, w0):
    r"""The rate guaranteed from the start by imbalance and margin.

    .. math::

        c = 2\sqrt{d^2 + 4\,[\,|y| - |y - w_0|\,]_+^2}, \qquad L(t) \le e^{-ct} L(0).

    It is the scalar case of Theorem 3 of the extended version. With :math:`d = 0` and a margin
    :math:`\le 0` it is zero: the bound says nothing, which does not mean the flow fails.

    Used in: ``book/scalar.ipynb``.

    Parameters
    ----------
    d : float or array_like
        The imbalance.
    y : float or array_like
        The target.
    w0 : float or array_like
        The initial product.

    Returns
    -------
    float or ndarray
    """
    d = np.asarray(d, dtype=np.float64)
    m = np.maximum(scalar_margin(y, w0), 0.0)
    return 2.0 * np.sqrt(d * d + 4.0 * m * m)


def init_from_product_and_imbalance(w0, d) -> tuple[float, float]:
    r"""The weights :math:`(u_0, v_0)` with product :math:`w_0` and imbalance :math:`d`.

    That is, :math:`u_0 v_0 = w_0` and :math:`u_0^2 - v_0^2 = d`:

    .. math::

        u_0^2 = \frac{d + \sqrt{d^2 + 4 w_0^2}}{2}, \qquad
        v_0^2 = \frac{-d + \sqrt{d^2 + 4 w_0^2}}{2},

    with :math:`u_0 \ge 0` and the sign of :math:`v_0` that of :math:`w_0`. The other solution is
    :math:`(-u_0, -v_0)`, whose trajectory is the mirror image. Every pair of reals
    :math:`(w_0, d)` is reached this way, so the only invalid inputs are non-real or non-finite
    ones (``TypeError`` / ``ValueError`` naming the argument). For :math:`w_0 = 0` one weight is
    zero and the other is :math:`\sqrt{|d|}`.

    Used in: ``book/scalar.ipynb``.

    Parameters
    ----------
    w0 : float
        The product.
    d : float
        The imbalance.

    Returns
    -------
    u0, v0 : float
    """
    w0 = _real("w0", w0)
    d = _real("d", d)
    root = np.hypot(d, 2.0 * w0)
    # Compute the larger square from the sum (no cancellation) and the other from w0^2 = u^2 v^2.
    if d >= 0:
        u_sq = 0.5 * (d + root)
        u0 = np.sqrt(u_sq)
        v0 = w0 / u0 if u0 > 0 else 0.0
    else:
        v_sq = 0.5 * (-d + root)
        v_abs = np.sqrt(v_sq)
        u0 = abs(w0) / v_abs
        v0 = float(np.copysign(v_abs, w0)) if w0 != 0 else v_abs
    return float(u0), float(v0)


# -- closed forms (the balanced one is lnet.closed_forms.scalar_product_balanced) -----------
def scalar_time_to_product(w0, w, y, d, *, abs_residual=None):
    r"""The time the gradient flow needs to move the product from :math:`w_0` to :math:`w`, exactly.

    The product obeys the separable equation :math:`\dot w = (y - w)\sqrt{d^2 + 4 w^2}`, so

    .. math::

        t(w) = \frac{1}{s}\left[\log\frac{N(w)}{|y - w|} - \log\frac{N(w_0)}{|y - w_0|}\right],

        s = \sqrt{d^2 + 4y^2}, \quad N(w) = d^2 + 4yw + s\sqrt{d^2 + 4w^2}.

    This gives the exact trajectory for every imbalance :math:`d` (in implicit form), an
    independent check of any integrator. :math:`w` must lie between :math:`w_0` and :math:`y`
    (that is where the flow goes); the formula needs :math:`N > 0`, which fails only in the
    balanced case with :math:`y w \le 0`: use :func:`scalar_product_balanced` there.

    Near the target, :math:`t` is ill-conditioned as a function of :math:`w`
    (:math:`dt/dw = 1/\dot w \to \infty`): an error of one ulp in :math:`w` moves :math:`t` by
    about :math:`10^{-16}/|y - w|`. Pass ``abs_residual`` (:math:`|y - w|`, for example
    ``np.exp(traj.log_abs_residual)``) when it is known more accurately than ``y - w``.

    Used in: ``book/scalar.ipynb``.

    Parameters
    ----------
    w0 : float
        Initial product.
    w : float or array_like
        Products between ``w0`` and ``y``.
    y : float
        Target.
    d : float
        Imbalance.
    abs_residual : array_like, optional
        :math:`|y - w|`, when known more accurately than ``y - w``.

    Returns
    -------
    ndarray
        The times, shape of ``w``.
    """
    w0 = _real("w0", w0)
    y = _real("y", y)
    d = _real("d", d)
    w = _real_array("w", w)
    lo, hi = min(w0, y), max(w0, y)
    slack = 1e-9 * max(abs(w0), abs(y))  # integrated products may overshoot by round-off
    if np.any((w < lo - slack) | (w > hi + slack)):
        raise ValueError(f"w must lie between w0 = {w0} and y = {y}; got values outside")
    w = np.clip(w, lo, hi)
    if abs_residual is None:
        gap_w = np.abs(y - w)
    else:
        gap_w = _real_array("abs_residual", abs_residual)
        if gap_w.shape != w.shape or np.any(gap_w < 0):
            raise ValueError(
                f"abs_residual must be >= 0 with the shape of w {w.shape}; got shape {gap_w.shape}"
            )
    if w0 != y and np.any(gap_w == 0):
        raise ValueError("w must not equal y (the target is reached only as t -> inf)")
    if d == 0.0 and (y * w0 <= 0.0):
        raise ValueError(
            f"d = 0 with y * w0 <= 0 (y = {y}, w0 = {w0}) has no finite-time formula here; "
            "use scalar_product_balanced"
        )
    s = np.hypot(d, 2.0 * y)

    def log_n_over_gap(x, gap):
        x = np.asarray(x, dtype=np.float64)
        q = np.hypot(d, 2.0 * x)
        lin = d * d + 4.0 * y * x
        # When lin < 0, N = lin + s q cancels; (s q)^2 - lin^2 = 4 d^2 (y - x)^2 gives a
        # stable form.
        with np.errstate(divide="ignore"):
            direct = np.log(np.where(lin >= 0, lin + s * q, 1.0)) - np.log(gap)
            stable = np.log(4.0 * d * d) + np.log(gap) - np.log(np.where(lin < 0, s * q - lin, 1.0))
        return np.where(lin >= 0, direct, stable)

    if w0 == y:
        return np.zeros_like(w)
    return (log_n_over_gap(w, gap_w) - log_n_over_gap(w0, abs(y - w0))) / s


# -- integration -----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ScalarTrajectory:
    r"""A gradient-flow trajectory of the scalar model, sampled at times ``t``.

    Attributes
    ----------
    t, u, v : ndarray
        Times and weights.
    y : float
        The target.
    log_abs_residual : ndarray
        :math:`\log|y - u v|`, integrated alongside the weights from
        :math:`\tfrac{d}{dt}\log|y - uv| = -(u^2 + v^2)`. Computing the residual as
        ``y - u * v`` loses all digits once it is below about :math:`10^{-12}|y|`; this one
        keeps them, so :attr:`loss` is accurate far into the exponential tail.
    """

    t: np.ndarray
    u: np.ndarray
    v: np.ndarray
    y: float
    log_abs_residual: np.ndarray

    @property
    def w(self) -> np.ndarray:
        """The product :math:`w = uv`."""
        return self.u * self.v

    @property
    def d(self) -> np.ndarray:
        """The imbalance :math:`u^2 - v^2` at each time (constant up to integration error)."""
        return scalar_imbalance(self.u, self.v)

    @property
    def loss(self) -> np.ndarray:
        r""":math:`L(t) = \tfrac12 (y - uv)^2`, from ``log_abs_residual``."""
        return 0.5 * np.exp(2.0 * self.log_abs_residual)

    @property
    def rate(self) -> np.ndarray:
        r"""The instantaneous rate :math:`-\dot L/L = 2(u^2 + v^2)` along the trajectory."""
        return scalar_rate_from_weights(self.u, self.v)


@renamed_kwargs(rtol="ode_rtol", atol="ode_atol")
def scalar_flow(
    u0, v0, y, t, *, ode_rtol: float = 1e-12, ode_atol: float = 1e-14
) -> ScalarTrajectory:
    r"""Integrate the scalar gradient flow :math:`\dot u = (y - uv) v`, :math:`\dot v = (y - uv) u`.

    The flow is integrated directly in :math:`(u, v)` (no use of the invariance of :math:`d`,
    so the invariance can be checked), together with :math:`\log|y - uv|`, with the explicit
    Runge-Kutta method DOP853 at tight tolerances.

    Parameters
    ----------
    u0, v0, y : float
        Initial weights and target.
    t : array_like
        Nondecreasing sample times, starting at a time :math:`\ge 0`; the flow starts at 0.
    ode_rtol, ode_atol : float
        Tolerances passed to :func:`scipy.integrate.solve_ivp` (formerly ``rtol``, ``atol``).

    Returns
    -------
    ScalarTrajectory

    Used in: ``book/scalar.ipynb``.
    """
    u0 = _real("u0", u0)
    v0 = _real("v0", v0)
    y = _real("y", y)
    t = _times(t)
    ode_rtol = relative_tolerance("ode_rtol", ode_rtol)
    ode_atol = relative_tolerance("ode_atol", ode_atol)
    e0 = y - u0 * v0
    # At a global minimum nothing moves; with t = 0 there is nothing to integrate.
    if e0 == 0.0 or t[-1] == 0.0:
        n = t.size
        log_e0 = np.log(abs(e0)) if e0 != 0.0 else -np.inf
        return ScalarTrajectory(t, np.full(n, u0), np.full(n, v0), y, np.full(n, log_e0))

    def field(_, z):
        u, v, _log_e = z
        e = y - u * v
        return [e * v, e * u, -(u * u + v * v)]

    sol = solve_ivp(
        field,
        (0.0, float(t[-1])),
        [u0, v0, np.log(abs(e0))],
        method="DOP853",
        t_eval=t,
        rtol=ode_rtol,
        atol=ode_atol,
    )
    if not sol.success:  # pragma: no cover - DOP853 on this smooth field does not fail
        raise RuntimeError(f"scalar_flow: the integrator failed ({sol.message})")
    u, v, log_e = sol.y
    return ScalarTrajectory(t, u, v, y, log_e)


# -- old names (lnet 1.0 renamed them; kept for one release) -----------------------------------
scalar_rate = renamed_function("lnet.scalar.scalar_rate", scalar_rate_from_weights)
margin = renamed_function("lnet.scalar.margin", scalar_margin)
