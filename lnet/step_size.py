r"""Finite step sizes: a per-step contraction of gradient descent and the step sizes it suggests.

Beyond the paper (book chapter "How large may the step be?"). The same group later proved linear
convergence of gradient descent itself, at finite width and from a general initialization
(Xu, Min, Tarmoun, Mallada & Vidal, AISTATS 2023). What is implemented here rests on the public
experiment code of that paper (repository ``simonxu97/aistats2023_overparametrization``),
restated in this book's notation and checked by the tests; the inequalities marked *derived
here* were re-derived for this module.

**Convention.** Everything here is for the half loss :math:`L = \tfrac12\|Y - XUV^\top\|_F^2` of
the paper's theory, in reduced coordinates: :math:`E = \tilde Y - \Sigma_x^{1/2}U_1V^\top`,
:math:`\tilde L = \tfrac12\|E\|_F^2`, and a step of size :math:`\eta` is
:math:`U_1 \leftarrow U_1 + \eta\,\Sigma_x^{1/2}EV`, :math:`V \leftarrow V + \eta\,E^\top\Sigma_x^{1/2}U_1`.
The book's experiments run descent on the mean loss :math:`\tfrac1n\|\cdot\|_F^2` with a step
:math:`\eta_{\rm mean}`, which is the half-loss step :math:`2\eta_{\rm mean}/n`
(:func:`half_loss_step`).

**Constants at a point.** With :math:`\lambda_1 \ge \lambda_r` the largest and smallest nonzero
eigenvalues of :math:`\Sigma_x = X^\top X`, and the clipped imbalance eigenvalues and spreads of
:mod:`lnet.bounds`,

.. math::

    p_{1,k} &= \frac{[\sigma_k(\tilde Y) - \|E\|_F]_+}{\sqrt{\lambda_1}}, \qquad
    p_2 = \frac{\|\tilde Y\|_F + \|E\|_F}{\sqrt{\lambda_r}}, \\
    \alpha &= \tfrac12\Big(-\Delta_+ + \sqrt{(\Delta_+ + \Delta_{\rm low})^2 + 4p_{1,m}^2} \\
           &\qquad\;-\Delta_- + \sqrt{(\Delta_- + \Delta_{\rm low})^2 + 4p_{1,r}^2}\Big) \\
           &= \tfrac12\, c \ \text{(Theorem 3's } c \text{ at this point)}, \\
    \beta &= \frac{\bar\lambda_+ + \sqrt{\bar\lambda_+^2 + 4p_2^2}}{2}
          + \frac{\bar\lambda_- + \sqrt{\bar\lambda_-^2 + 4p_2^2}}{2}.

:math:`\alpha` is Proposition 1's bound with :math:`p_1` in place of :math:`\sigma_k(U_1V^\top)`, so
:math:`\|\nabla\tilde L\|_F^2 \ge 2\lambda_r\alpha\,\tilde L`; :math:`\beta \ge \|U_1\|_2^2 + \|V\|_2^2`,
since :math:`\|U_1V^\top\|_2 \le p_2`.

**The contraction polynomial.** One step multiplies :math:`\tilde L` by an exact quartic in
:math:`\eta`; it is bounded (derived here, for any :math:`\Sigma_x`) by

.. math::

    \rho(\eta) = 1 - a_1\eta + a_2\eta^2 + a_3\eta^3 + a_4\eta^4, \qquad
    a_1 = 2c_2\alpha\lambda_r, \quad
    a_2 = 2\sqrt2\,\lambda_1 s\sqrt{\tilde L} + c_1^2\beta^2\lambda_1^2,

    a_3 = 2\sqrt2\,c_1\beta s\sqrt{\tilde L}\,\lambda_1^2, \qquad
    a_4 = 2\lambda_1^2 s^2\tilde L,

where :math:`s \ge \|\Sigma_x^{1/2}U_1V^\top\|_2` (:math:`s = \sqrt{\lambda_r}\,p_2`). With the
constants of the current point and :math:`c_1 = c_2 = 1`, :math:`\tilde L_{k+1} \le \rho(\eta)\tilde L_k`
for every :math:`\eta \ge 0`. With the constants of the start, the factors :math:`c_2 < 1 < c_1`
allow the iterate's own :math:`\alpha` to fall to :math:`c_2\alpha_0` and :math:`\beta` to grow to
:math:`c_1\beta_0`. The public code writes the same polynomial with :math:`\sqrt{\lambda_1\lambda_r}`
in place of some factors :math:`\lambda_1` (``form="code"``); the two agree when all nonzero
singular values of :math:`X` are equal, as in every experiment of that code.

**Step-size rules** (the four of the code). Each takes the minimizer of a polynomial of the form
above, capped by the two constraints of :func:`step_size_limits`:

- ``"fixed"``: :math:`\rho` with the constants and loss of the start, once;
- ``"f"``: the constants of the start and the current loss, every step;
- ``"rho_hat"``: :math:`\alpha, \beta, p_2` of the current point, :math:`c_1 = c_2 = 1`;
- ``"rho"``: the direct constants :math:`\lambda_r(U_1U_1^\top) + \lambda_m(VV^\top)`,
  :math:`\|U_1\|_2^2 + \|V\|_2^2` and :math:`s = \|\Sigma_x^{1/2}U_1V^\top\|_2` of the current point.

Used in: ``book/step_size.ipynb``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ._checks import as_matrix, positive_float, positive_int
from .bounds import imbalance_spectrum
from .dynamics import DivergenceError, gradient_descent_from
from .networks import ReducedNetwork, make_network
from .problem import Problem

__all__ = [
    "RULES",
    "STEP_SIZE_RULES",
    "ContractionPolynomial",
    "StepConstants",
    "StepSizeRun",
    "alpha_constant",
    "arora_step_size",
    "beta_constant",
    "contraction_polynomial",
    "direct_step_constants",
    "du_step_sizes",
    "half_loss_step",
    "largest_convergent_step",
    "mean_loss_step",
    "rule_step_size",
    "run_step_size_rule",
    "sharpness",
    "step_constants",
    "step_size_limits",
]

#: The step-size rules of the public code, in its order.
RULES = ("fixed", "f", "rho_hat", "rho")
STEP_SIZE_RULES = RULES
FORMS = ("general", "code")


# -- conventions ------------------------------------------------------------------------------
def half_loss_step(eta, n: int) -> float:
    r"""The half-loss step :math:`2\eta/n` equal to a step :math:`\eta` on the mean loss :math:`\tfrac1n\|\cdot\|_F^2`.

    Parameters
    ----------
    eta : float
        A step on the mean loss (``> 0``).
    n : int
        Number of samples (rows of :math:`X`).

    Returns
    -------
    float
        The same step in the half-loss convention, :math:`2\eta/n`.

    Used in: ``book/step_size.ipynb``.
    """
    return 2.0 * positive_float("eta", eta) / positive_int("n", n)


def mean_loss_step(eta, n: int) -> float:
    r"""The inverse of :func:`half_loss_step`: :math:`n\eta/2`.

    Parameters
    ----------
    eta : float
        A step in the half-loss convention (``>= 0``).
    n : int
        Number of samples (rows of :math:`X`).

    Returns
    -------
    float
        The same step on the mean loss, :math:`n\eta/2`.

    Used in: ``book/step_size.ipynb``.
    """
    return positive_float("eta", eta, allow_zero=True) * positive_int("n", n) / 2.0


# -- constants at a point ---------------------------------------------------------------------
@dataclass(frozen=True)
class StepConstants:
    r"""The constants of the contraction polynomial at one point :math:`(U_1, V)`.

    Attributes
    ----------
    alpha : float
        Lower constant: :math:`\|\nabla\tilde L\|_F^2 \ge 2\lambda_r\alpha\tilde L`.
    beta : float
        Upper constant: :math:`\beta \ge \|U_1\|_2^2 + \|V\|_2^2`.
    s : float
        Upper bound on :math:`\|\Sigma_x^{1/2}U_1V^\top\|_2`.
    loss : float
        :math:`\tilde L = \tfrac12\|E\|_F^2`.
    lambda_1, lambda_r : float
        Largest and smallest nonzero eigenvalue of :math:`\Sigma_x`.
    p1_m, p1_r, p2 : float
        :math:`p_{1,m}`, :math:`p_{1,r}`, :math:`p_2` (NaN for the direct constants).
    kind : str
        ``"data"`` (:func:`step_constants`) or ``"direct"`` (:func:`direct_step_constants`).
    """

    alpha: float
    beta: float
    s: float
    loss: float
    lambda_1: float
    lambda_r: float
    p1_m: float = math.nan
    p1_r: float = math.nan
    p2: float = math.nan
    kind: str = "data"

    @property
    def ratio(self) -> float:
        r""":math:`\alpha/\beta`, in :math:`[0, 1]` when :math:`\Sigma_x = I`."""
        return self.alpha / self.beta


def _reduced(problem, U1, V):
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be an lnet.Problem; got {type(problem).__name__}")
    U1 = as_matrix("U1", U1, rows=problem.r)
    V = as_matrix("V", V, rows=problem.m, cols=U1.shape[1])
    return U1, V


def _beta_line(lam: float, p2: float) -> float:
    return 0.5 * (lam + math.sqrt(lam * lam + 4.0 * p2 * p2))


@functools.lru_cache(maxsize=64)
def _target_summary(problem: Problem) -> tuple[np.ndarray, float]:
    """Singular values and Frobenius norm of the reduced target (fixed for a problem)."""
    return np.linalg.svd(problem.Ytilde, compute_uv=False), float(np.linalg.norm(problem.Ytilde))


def _line(spread: float, low: float, b: float) -> float:
    r""":math:`-\Delta + \sqrt{(\Delta + \Delta_{\rm low})^2 + b}`, in the form without cancellation."""
    a = spread + low
    return low if b <= 0.0 else low + b / (math.sqrt(a * a + b) + a)


def step_constants(problem: Problem, U1, V) -> StepConstants:
    r"""The constants :math:`\alpha`, :math:`\beta`, :math:`p_1`, :math:`p_2` at :math:`(U_1, V)` (module docstring).

    The spreads and level come from :func:`lnet.imbalance_spectrum`, so :math:`\alpha` is
    half of Theorem 3's :math:`c` at this point (:func:`lnet.rate_quantities`), whose margin
    terms are :math:`4p_{1,k}^2` (checked in ``tests/test_step_size.py``).

    Parameters
    ----------
    problem : Problem
    U1 : array_like, shape (r, k)
        :math:`\Phi_1^\top U` (any number of columns: the compact state of
        :mod:`lnet.dynamics` gives the same constants as the full width).
    V : array_like, shape (m, k)

    Returns
    -------
    StepConstants
        ``kind="data"``: :math:`\alpha`, :math:`\beta`, :math:`s = \sqrt{\lambda_r}\,p_2`,
        :math:`\tilde L`, :math:`\lambda_1`, :math:`\lambda_r`, :math:`p_{1,m}`,
        :math:`p_{1,r}`, :math:`p_2`.

    Used in: ``book/step_size.ipynb``.
    """
    U1, V = _reduced(problem, U1, V)
    spec = imbalance_spectrum(U1, V)
    lam1, lamr = float(problem.sigma[0]), float(problem.sigma[-1])
    E = problem.reduced_residual(U1, V)
    loss = 0.5 * float(np.sum(E * E))
    err = math.sqrt(2.0 * loss)
    sv, ynorm = _target_summary(problem)

    def p1(k):
        return max((float(sv[k - 1]) if k <= sv.size else 0.0) - err, 0.0) / math.sqrt(lam1)

    p1_m, p1_r = p1(problem.m), p1(problem.r)
    dp, dm, dl = spec.Delta_plus, spec.Delta_minus, spec.Delta_low
    alpha = 0.5 * (_line(dp, dl, 4.0 * p1_m**2) + _line(dm, dl, 4.0 * p1_r**2))
    p2 = (ynorm + err) / math.sqrt(lamr)
    beta = _beta_line(spec.lambda_bar_plus, p2) + _beta_line(spec.lambda_bar_minus, p2)
    return StepConstants(
        alpha=alpha,
        beta=beta,
        s=math.sqrt(lamr) * p2,
        loss=loss,
        lambda_1=lam1,
        lambda_r=lamr,
        p1_m=p1_m,
        p1_r=p1_r,
        p2=p2,
        kind="data",
    )


def direct_step_constants(problem: Problem, U1, V) -> StepConstants:
    r"""The direct constants of the rule ``"rho"`` at :math:`(U_1, V)`.

    .. math::

        \alpha = \lambda_r(U_1U_1^\top) + \lambda_m(VV^\top), \qquad
        \beta = \|U_1\|_2^2 + \|V\|_2^2, \qquad s = \|\Sigma_x^{1/2}U_1V^\top\|_2 .

    The first is the bound from which Proposition 1 is derived
    (:math:`\|\Sigma_x^{1/2}EV\|_F^2 \ge \lambda_r\lambda_m(VV^\top)\|E\|_F^2`, and the same for
    :math:`U_1`); it is never below :func:`step_constants`' :math:`\alpha`. (The public code's
    step rule writes :math:`\|V\|_2` unsquared in :math:`\beta`, its bound squares it; squared here.)

    Parameters
    ----------
    problem : Problem
    U1 : array_like, shape (r, k)
        :math:`\Phi_1^\top U` (any number of columns, as in :func:`step_constants`).
    V : array_like, shape (m, k)

    Returns
    -------
    StepConstants
        ``kind="direct"``: :math:`\alpha`, :math:`\beta`, :math:`s` above, :math:`\tilde L`,
        :math:`\lambda_1`, :math:`\lambda_r` (``p1_m``, ``p1_r``, ``p2`` are NaN).

    Used in: ``book/step_size.ipynb``.
    """
    U1, V = _reduced(problem, U1, V)
    r, m = problem.r, problem.m
    eu = np.linalg.eigvalsh(U1 @ U1.T)[::-1]
    ev = np.linalg.eigvalsh(V @ V.T)[::-1]
    alpha = max(float(eu[r - 1]), 0.0) + max(float(ev[m - 1]), 0.0)
    beta = max(float(eu[0]), 0.0) + max(float(ev[0]), 0.0)
    s = float(np.linalg.svd(problem.sqrt_sigma[:, None] * (U1 @ V.T), compute_uv=False)[0])
    E = problem.reduced_residual(U1, V)
    return StepConstants(
        alpha=alpha,
        beta=beta,
        s=s,
        loss=0.5 * float(np.sum(E * E)),
        lambda_1=float(problem.sigma[0]),
        lambda_r=float(problem.sigma[-1]),
        kind="direct",
    )


def alpha_constant(problem: Problem, U1, V) -> float:
    r""":math:`\alpha` of :func:`step_constants` (half of Theorem 3's :math:`c` at this point).

    Parameters
    ----------
    problem : Problem
    U1 : array_like, shape (r, k)
        :math:`\Phi_1^\top U`.
    V : array_like, shape (m, k)

    Returns
    -------
    float
        :math:`\alpha \ge 0`.

    Used in: ``book/step_size.ipynb``.
    """
    return step_constants(problem, U1, V).alpha


def beta_constant(problem: Problem, U1, V) -> float:
    r""":math:`\beta` of :func:`step_constants`.

    Parameters
    ----------
    problem : Problem
    U1 : array_like, shape (r, k)
        :math:`\Phi_1^\top U`.
    V : array_like, shape (m, k)

    Returns
    -------
    float
        :math:`\beta > 0`, an upper bound on :math:`\|U_1\|_2^2 + \|V\|_2^2`.

    Used in: ``book/step_size.ipynb``.
    """
    return step_constants(problem, U1, V).beta


# -- the polynomial -----------------------------------------------------------------------------
def _positive_root(c3: float, c2: float, c1: float, c0: float) -> float:
    r"""The one positive root of :math:`c_3x^3 + c_2x^2 + c_1x - c_0` (all :math:`c_i \ge 0`, :math:`c_0 > 0`).

    The cubic increases on :math:`x > 0` from :math:`-c_0`, so bisection is safe; ``np.roots``
    would have to pick among three roots, two of them possibly real and negative.
    """

    def g(x):
        return ((c3 * x + c2) * x + c1) * x - c0

    hi = 1.0
    while g(hi) < 0:
        hi *= 2.0
        if hi > 1e300:
            raise ValueError("the step-size polynomial has no positive root (all its terms vanish)")
    lo = 0.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if g(mid) < 0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    return 0.5 * (lo + hi)


@dataclass(frozen=True)
class ContractionPolynomial:
    r""":math:`\rho(\eta) = 1 - a_1\eta + a_2\eta^2 + a_3\eta^3 + a_4\eta^4` (module docstring).

    Call it on a step (or an array of steps) to get the guaranteed factor.
    """

    a1: float
    a2: float
    a3: float
    a4: float

    def __call__(self, eta):
        eta = np.asarray(eta, dtype=float)
        out = 1.0 + eta * (-self.a1 + eta * (self.a2 + eta * (self.a3 + eta * self.a4)))
        return float(out) if out.ndim == 0 else out

    def minimizer(self) -> float:
        r"""The step minimizing :math:`\rho`: the positive root of :math:`\rho'(\eta) = 0`.

        Raises ValueError when :math:`a_1 = 0` (no decrease is guaranteed at any step).
        """
        if not self.a1 > 0:
            raise ValueError(
                "a1 = 2 c2 alpha lambda_r is 0: the lower constant alpha vanishes (no imbalance "
                "level and no margin), so no step has a guaranteed decrease"
            )
        return _positive_root(4 * self.a4, 3 * self.a3, 2 * self.a2, self.a1)

    def crossing(self, extra: float = 0.0) -> float:
        r"""The largest step with :math:`\rho(\eta) + \text{extra}\,\eta^2 \le 1`."""
        if not self.a1 > 0:
            raise ValueError("a1 is 0: no step has rho(eta) < 1")
        return _positive_root(self.a4, self.a3, self.a2 + extra, self.a1)


def contraction_polynomial(
    constants: StepConstants,
    *,
    loss: float | None = None,
    c1: float = 1.0,
    c2: float = 1.0,
    form: str = "general",
) -> ContractionPolynomial:
    r"""The coefficients :math:`a_1, \dots, a_4` of :math:`\rho(\eta)` (module docstring).

    Parameters
    ----------
    constants : StepConstants
        :math:`\alpha, \beta, s, \lambda_1, \lambda_r` (from :func:`step_constants` or
        :func:`direct_step_constants`, at this point or at the start).
    loss : float, optional
        :math:`\tilde L` at the current point; default ``constants.loss``.
    c1, c2 : float
        :math:`c_1 \ge 1`, :math:`0 < c_2 \le 1`.
    form : {"general", "code"}
        ``"general"``: the bound derived here, valid for any :math:`\Sigma_x`. ``"code"``: the
        public code's coefficients,

        .. math::

            a_2 = 2\sqrt2\sqrt{\lambda_1}\lambda_r p_2\sqrt{\tilde L} + \kappa c_1^2\beta^2\lambda_r^2,\
            a_3 = 2\sqrt2 c_1\beta p_2\sqrt{\tilde L}\lambda_1^{3/2}\lambda_r,\
            a_4 = 2\kappa^2 p_2^2\tilde L\lambda_r^3,\quad \kappa = \lambda_1/\lambda_r,

        equal to ``"general"`` when :math:`\lambda_1 = \lambda_r`.

    Returns
    -------
    ContractionPolynomial
        Callable on a step (or an array of steps) for :math:`\rho(\eta)`, with
        :meth:`~ContractionPolynomial.minimizer` and :meth:`~ContractionPolynomial.crossing`.

    Used in: ``book/step_size.ipynb``.
    """
    if not isinstance(constants, StepConstants):
        raise TypeError(f"constants must be a StepConstants; got {type(constants).__name__}")
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}; got {form!r}")
    L = constants.loss if loss is None else positive_float("loss", loss, allow_zero=True)
    c1 = positive_float("c1", c1)
    c2 = positive_float("c2", c2)
    if c1 < 1 or c2 > 1:
        raise ValueError(f"need c1 >= 1 and 0 < c2 <= 1; got c1 = {c1}, c2 = {c2}")
    al, be, s = constants.alpha, constants.beta, constants.s
    l1, lr = constants.lambda_1, constants.lambda_r
    rl = math.sqrt(L)
    a1 = 2.0 * c2 * al * lr
    a4 = 2.0 * l1 * l1 * s * s * L
    if form == "general":
        a2 = 2.0 * math.sqrt(2.0) * l1 * s * rl + (c1 * be * l1) ** 2
        a3 = 2.0 * math.sqrt(2.0) * c1 * be * s * rl * l1 * l1
    else:
        g = math.sqrt(l1 * lr)  # the code's sqrt(lambda_1) * sigma_min(X) ... in place of lambda_1
        a2 = 2.0 * math.sqrt(2.0) * g * s * rl + (c1 * be) ** 2 * l1 * lr
        a3 = 2.0 * math.sqrt(2.0) * c1 * be * s * rl * l1 * g
    return ContractionPolynomial(a1=a1, a2=a2, a3=a3, a4=a4)


def step_size_limits(
    constants0: StepConstants, c1: float, c2: float, *, form: str = "general"
) -> tuple[float, float]:
    r"""The two caps on the step that keep the run within the factors :math:`c_1`, :math:`c_2`.

    With :math:`\rho_0` the polynomial of the start (constants and loss :math:`\tilde L_0` of the
    start, factors :math:`c_1, c_2`), the public code requires

    .. math::

        \frac{4c_1\lambda_1\tilde L_0\,\eta^2}{1 - \rho_0(\eta)} \le c_1 - 1, \qquad
        \frac{8c_1\lambda_1\beta_0\tilde L_0\,\eta^2}{(1 - \rho_0(\eta))\,\alpha_0} \le 1 - c_2,

    the form of a geometric-series bound on how far the weights travel when the loss contracts
    by :math:`\rho_0(\eta)` per step. Each holds exactly for :math:`\eta` up to the returned value.

    Parameters
    ----------
    constants0 : StepConstants
        :func:`step_constants` at the start (its loss is :math:`\tilde L_0`).
    c1, c2 : float
        The factors, :math:`c_1 > 1` and :math:`0 < c_2 < 1`.
    form : {"general", "code"}
        The form of :math:`\rho_0` (:func:`contraction_polynomial`).

    Returns
    -------
    (float, float)
        The largest steps satisfying the first and the second condition.

    Used in: ``book/step_size.ipynb``.
    """
    c1 = positive_float("c1", c1)
    c2 = positive_float("c2", c2)
    if not (c1 > 1 and 0 < c2 < 1):
        raise ValueError(f"the caps need c1 > 1 and 0 < c2 < 1; got c1 = {c1}, c2 = {c2}")
    poly = contraction_polynomial(constants0, c1=c1, c2=c2, form=form)
    L0, l1 = constants0.loss, constants0.lambda_1
    k1 = 4.0 * c1 * L0 * l1 / (c1 - 1.0)
    k2 = 8.0 * c1 * constants0.beta * L0 * l1 / ((1.0 - c2) * constants0.alpha)
    return poly.crossing(k1), poly.crossing(k2)


def rule_step_size(
    rule: str,
    problem: Problem,
    U1,
    V,
    *,
    constants0: StepConstants,
    c1: float,
    c2: float,
    form: str = "general",
) -> float:
    r"""The step of a rule at the point :math:`(U_1, V)` (half-loss convention).

    :math:`\eta = \min(\arg\min_\eta h(\eta), \eta_{g_1}, \eta_{g_2})` with :math:`h` the rule's
    polynomial (module docstring) and the caps of :func:`step_size_limits` at the start.

    Parameters
    ----------
    rule : {"fixed", "f", "rho_hat", "rho"}
    problem : Problem
    U1, V : array_like
        The current point (for ``"fixed"``: the start).
    constants0 : StepConstants
        :func:`step_constants` at the start.
    c1, c2 : float
        The factors, :math:`c_1 > 1` and :math:`0 < c_2 < 1` (as :func:`step_size_limits`).
    form : {"general", "code"}

    Returns
    -------
    float
        The step :math:`\eta > 0`, half-loss convention (:func:`mean_loss_step` converts it).

    Used in: ``book/step_size.ipynb``.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}; got {rule!r}")
    cap = min(step_size_limits(constants0, c1, c2, form=form))
    return min(_rule_polynomial(rule, problem, U1, V, constants0, c1, c2, form).minimizer(), cap)


def _rule_polynomial(rule, problem, U1, V, constants0, c1, c2, form) -> ContractionPolynomial:
    if rule == "fixed":
        return contraction_polynomial(constants0, c1=c1, c2=c2, form=form)
    if rule == "f":
        E = problem.reduced_residual(U1, V)
        return contraction_polynomial(
            constants0, loss=0.5 * float(np.sum(E * E)), c1=c1, c2=c2, form=form
        )
    if rule == "rho_hat":
        return contraction_polynomial(step_constants(problem, U1, V), form=form)
    return contraction_polynomial(direct_step_constants(problem, U1, V), form=form)


# -- the step sizes of earlier work, as the public code defines them -------------------------------
def arora_step_size(problem: Problem, U1, V) -> float:
    r"""The step the public code attributes to Arora et al. (ICLR 2019), half-loss convention.

    .. math::

        \eta = \frac{p_1^3}{10^5\,\|\tilde Y\|_F^4}, \qquad
        p_1 = \frac{[\sigma_{\min}(\tilde Y) - \|E(0)\|_F]_+}{\sqrt{\lambda_1}},

    :math:`p_1` playing the role of Arora et al.'s deficiency margin. Zero without a margin.

    Parameters
    ----------
    problem : Problem
    U1 : array_like, shape (r, k)
        :math:`\Phi_1^\top U` at the start.
    V : array_like, shape (m, k)

    Returns
    -------
    float
        The step :math:`\eta \ge 0`, half-loss convention.

    Used in: ``book/step_size.ipynb``.
    """
    U1, V = _reduced(problem, U1, V)
    E = problem.reduced_residual(U1, V)
    smin = float(np.linalg.svd(problem.Ytilde, compute_uv=False)[-1])
    p1 = max(smin - float(np.linalg.norm(E)), 0.0) / math.sqrt(float(problem.sigma[0]))
    return p1**3 / (1e5 * float(np.linalg.norm(problem.Ytilde)) ** 4)


def du_step_sizes(problem: Problem, steps: int) -> np.ndarray:
    r"""The decaying steps the public code attributes to Du et al., half-loss convention.

    .. math::

        \eta_k = \frac{\sqrt{\varepsilon/\operatorname{rank}\tilde Y}}{100\,(k+1)\,\|\tilde Y\|_F^{3/2}},
        \qquad \varepsilon = \tfrac12\|\tilde Y\|_F, \quad k = 0, \dots, \text{steps} - 1,

    a step :math:`\propto 1/(k+1)` of the kind Du, Hu & Lee (NeurIPS 2018) analyse for
    matrix factorization.

    Parameters
    ----------
    problem : Problem
        Its reduced target :math:`\tilde Y` must be nonzero.
    steps : int
        Number of steps.

    Returns
    -------
    ndarray, shape (steps,)
        :math:`\eta_0, \dots, \eta_{\text{steps}-1}`, half-loss convention.

    Used in: ``book/step_size.ipynb``.
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be an lnet.Problem; got {type(problem).__name__}")
    steps = positive_int("steps", steps)
    ny = float(np.linalg.norm(problem.Ytilde))
    rank = int(np.linalg.matrix_rank(problem.Ytilde))
    if rank == 0:
        raise ValueError("the target is zero: Du et al.'s step is undefined")
    return math.sqrt(0.5 * ny / rank) / (100.0 * np.arange(1, steps + 1) * ny**1.5)


# -- the driver -------------------------------------------------------------------------------------
@dataclass(eq=False)
class StepSizeRun:
    r"""One run of gradient descent on the half loss with a step-size rule.

    Attributes
    ----------
    rule : str
        One of :data:`RULES`, ``"constant"`` (given steps) .
    losses : ndarray, shape (steps + 1,)
        :math:`\tilde L_k`.
    etas : ndarray, shape (steps,)
        The step taken at iteration ``k`` (half-loss convention).
    rho : ndarray, shape (steps,)
        The guaranteed factor of iteration ``k`` (the rule's polynomial at its step; for
        ``"constant"``, :math:`\hat\rho` at the iterate with ``c1 = c2 = 1``).
    bound : ndarray, shape (steps + 1,)
        :math:`\tilde L_0\prod_{j<k}\rho_j`.
    alpha, beta : ndarray, shape (steps + 1,)
        :func:`step_constants` at every iterate (only with ``track=True``; else empty).
    within : ndarray of bool, shape (steps,)
        Whether the iterate's own constants satisfied :math:`\alpha_k \ge c_2\alpha_0`,
        :math:`\beta_k \le c_1\beta_0` and :math:`s_k \le s_0` (that is,
        :math:`\tilde L_k \le \tilde L_0`): the assumptions under which the polynomial with the
        start's constants bounds step ``k`` (only with ``track=True``).
    constants0 : StepConstants
    """

    rule: str
    losses: np.ndarray
    etas: np.ndarray
    rho: np.ndarray
    bound: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    within: np.ndarray
    constants0: StepConstants

    @property
    def per_step_ratio(self) -> np.ndarray:
        r"""Measured :math:`\tilde L_{k+1}/\tilde L_k` over guaranteed :math:`\rho_k` (at most 1 when the bound holds)."""
        return (self.losses[1:] / self.losses[:-1]) / self.rho


def _start(problem, U, V):
    if isinstance(U, ReducedNetwork):
        return U.U1.copy(), U.V.copy()
    net = make_network(problem, U, V, "compact")
    return net.U1.copy(), net.V.copy()


def _given_steps_or_cap(rule, steps, etas, const0, c1, c2, form):
    """Check ``etas`` against the rule: ``(etas, None)`` for ``"constant"``, else ``(None, cap)``.

    The cap is the smaller of the two limits of :func:`step_size_limits` at the start.
    """
    if rule == "constant":
        if etas is None:
            raise ValueError('rule "constant" needs etas (a step or one step per iteration)')
        eta_seq = np.broadcast_to(np.asarray(etas, dtype=float), (steps,))
        if not np.all(np.isfinite(eta_seq)) or np.any(eta_seq <= 0):
            raise ValueError("etas must be finite and > 0")
        return eta_seq, None
    if etas is not None:
        raise ValueError(f"etas is only for rule 'constant'; rule {rule!r} chooses its own")
    return None, min(step_size_limits(const0, c1, c2, form=form))


def _bound_at(problem, U1, V, form) -> ContractionPolynomial:
    r"""The bound :math:`\hat\rho` of a given step: the current point's polynomial, :math:`c_1 = c_2 = 1`."""
    return contraction_polynomial(step_constants(problem, U1, V), form=form)


def _rule_step(rule, problem, U1, V, L, const0, c1, c2, form, cap, eta_fixed):
    """The step a rule takes at the current point (loss ``L``) and the polynomial that bounds it.

    ``"fixed"`` takes its capped minimizer once, at the first step (``eta_fixed`` None), and
    then keeps it, its polynomial following the current loss.
    """
    if rule == "fixed":
        poly = contraction_polynomial(const0, loss=L, c1=c1, c2=c2, form=form)
        return (min(poly.minimizer(), cap) if eta_fixed is None else eta_fixed), poly
    poly = _rule_polynomial(rule, problem, U1, V, const0, c1, c2, form)
    return min(poly.minimizer(), cap), poly


def run_step_size_rule(
    problem: Problem,
    U,
    V,
    rule: str,
    steps: int,
    *,
    c1: float = 1.0,
    c2: float = 1.0,
    etas=None,
    form: str = "general",
    track: bool = False,
    tol: float | None = None,
    bound_every: int = 1,
) -> StepSizeRun:
    r"""Gradient descent on :math:`\tilde L = \tfrac12\|E\|_F^2` with a step-size rule, and its bound.

    Runs in the compact representation of :mod:`lnet.dynamics` (exact, cost independent of the
    width). A rule adapts the step every iteration, hence this small loop rather than
    :func:`lnet.gradient_descent`, whose step is fixed.

    Used in: ``book/step_size.ipynb``.

    Parameters
    ----------
    problem : Problem
    U, V : array_like, shapes (D, h), (m, h); or ``U`` a :class:`lnet.ReducedNetwork` and ``V`` None
    rule : {"fixed", "f", "rho_hat", "rho", "constant"}
        ``"constant"`` uses the steps ``etas`` (a number or one per iteration), with the bound
        :math:`\hat\rho` of the current point.
    steps : int
    c1, c2 : float
        The factors of the rules (``c1 > 1 > c2`` for the four rules).
    etas : float or array_like, optional
        Only for ``"constant"``.
    form : {"general", "code"}
    track : bool
        Record :func:`step_constants` at every iterate and whether it stayed within the factors.
    tol : float, optional
        Stop early at the first iterate with :math:`\tilde L \le` ``tol`` (``steps`` is then a cap).
    bound_every : int
        Rule ``"constant"`` only: evaluate the bound every this many iterations (NaN between),
        for long runs.

    Returns
    -------
    StepSizeRun
        Losses, steps, guaranteed factors and their cumulative bound; with ``track=True`` also
        :math:`\alpha_k`, :math:`\beta_k` and whether each iterate stayed within the factors.

    Raises
    ------
    DivergenceError
        If the loss becomes non-finite.
    """
    if rule not in RULES + ("constant",):
        raise ValueError(f"rule must be one of {RULES + ('constant',)}; got {rule!r}")
    steps = positive_int("steps", steps)
    bound_every = positive_int("bound_every", bound_every)
    tol = -1.0 if tol is None else positive_float("tol", tol)
    U1, V = _start(problem, U, V)
    const0 = step_constants(problem, U1, V)
    eta_seq, cap = _given_steps_or_cap(rule, steps, etas, const0, c1, c2, form)
    s = problem.sqrt_sigma[:, None]
    losses, etas_out, rho, al, be, sk, within = [], [], [], [], [], [], []
    eta_fixed = None
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps + 1):
            E = problem.Ytilde - s * (U1 @ V.T)
            L = 0.5 * float(np.sum(E * E))
            if not math.isfinite(L):
                raise DivergenceError(
                    f"gradient descent with rule {rule!r} diverged at step {k}: the loss is not "
                    f"finite (last step {etas_out[-1]:.3g})"
                )
            losses.append(L)
            if track:
                ck = step_constants(problem, U1, V)
                al.append(ck.alpha)
                be.append(ck.beta)
                sk.append(ck.s)
            if k == steps or L <= tol:
                break
            if rule == "constant":
                eta = float(eta_seq[k])
                poly = _bound_at(problem, U1, V, form) if k % bound_every == 0 else None
            else:
                eta, poly = _rule_step(
                    rule, problem, U1, V, L, const0, c1, c2, form, cap, eta_fixed
                )
                eta_fixed = eta if rule == "fixed" else None
            if track:
                within.append(
                    al[-1] >= c2 * const0.alpha
                    and be[-1] <= c1 * const0.beta
                    and sk[-1] <= const0.s
                )
            etas_out.append(eta)
            rho.append(poly(eta) if poly is not None else math.nan)
            A = s * E
            U1, V = U1 + eta * (A @ V), V + eta * (A.T @ U1)
    losses = np.asarray(losses)
    rho = np.asarray(rho)
    return StepSizeRun(
        rule=rule,
        losses=losses,
        etas=np.asarray(etas_out),
        rho=rho,
        bound=losses[0] * np.concatenate([[1.0], np.cumprod(rho)]),
        alpha=np.asarray(al),
        beta=np.asarray(be),
        within=np.asarray(within, dtype=bool),
        constants0=const0,
    )


# -- where descent leaves the flow ---------------------------------------------------------------
def sharpness(problem: Problem, U1, V, *, loss: str = "mean") -> float:
    r"""The largest eigenvalue of the Gauss-Newton matrix :math:`J^\top J` of the loss at :math:`(U_1, V)`.

    :math:`J` is the Jacobian of :math:`\Sigma_x^{1/2}U_1V^\top` in :math:`(U_1, V)`; the nonzero
    eigenvalues of :math:`J^\top J` are those of

    .. math::

        JJ^\top = VV^\top \otimes \Sigma_x + I_m \otimes \Sigma_x^{1/2}U_1U_1^\top\Sigma_x^{1/2}
        \qquad (rm \times rm).

    At a global minimum (:math:`E = 0`) this is the Hessian's largest eigenvalue (the directions
    of the frozen :math:`U_2` have zero curvature). Times :math:`2/n` for the mean loss
    (``loss="mean"``), 1 for the half loss. Gradient descent with a fixed step is linearly
    stable at the minimum only if :math:`\eta < 2/\text{sharpness}`.

    Parameters
    ----------
    problem : Problem
    U1 : array_like, shape (r, k)
        :math:`\Phi_1^\top U`.
    V : array_like, shape (m, k)
    loss : {"mean", "half"}
        The loss whose curvature is returned (the convention of the step it is compared with).

    Returns
    -------
    float
        The largest eigenvalue of :math:`J^\top J` (times :math:`2/n` for ``loss="mean"``).

    Used in: ``book/step_size.ipynb``.
    """
    if loss not in ("mean", "half"):
        raise ValueError(f'loss must be "mean" or "half"; got {loss!r}')
    U1, V = _reduced(problem, U1, V)
    _r, m = problem.r, problem.m
    W = problem.sqrt_sigma[:, None] * U1
    M = np.kron(V @ V.T, np.diag(problem.sigma)) + np.kron(np.eye(m), W @ W.T)
    top = float(np.linalg.eigvalsh(0.5 * (M + M.T))[-1])
    return top * (2.0 / problem.n if loss == "mean" else 1.0)


def largest_convergent_step(
    network: ReducedNetwork,
    lo: float,
    hi: float,
    *,
    max_steps: int,
    rtol: float = 1e-6,
    iterations: int = 30,
    loss: str = "mean",
) -> float:
    r"""The largest fixed step for which gradient descent still converges, by bisection.

    "Converges" means: no divergence (:class:`lnet.DivergenceError`) and a loss at most
    ``rtol`` times the initial one within ``max_steps`` iterations of
    :func:`lnet.gradient_descent_from`. Assumes convergence at ``lo`` and not at ``hi``
    (checked), and a single edge between them (bisection on :math:`\log\eta`).

    Parameters
    ----------
    network : ReducedNetwork
        The start of every trial run.
    lo, hi : float
        Steps with ``0 < lo < hi``: descent converges at ``lo`` and not at ``hi``.
    max_steps : int
        Iterations of each trial run.
    rtol : float
        Required final loss, relative to the initial one.
    iterations : int
        Bisection steps.
    loss : {"mean", "half"}
        The loss, and so the step convention, of :func:`lnet.gradient_descent_from`.

    Returns
    -------
    float
        The largest converging step found (within a factor :math:`(hi/lo)^{2^{-\text{iterations}}}`).

    Used in: ``book/step_size.ipynb``.
    """
    if not isinstance(network, ReducedNetwork):
        raise TypeError(f"network must be an lnet.ReducedNetwork; got {type(network).__name__}")
    lo, hi = positive_float("lo", lo), positive_float("hi", hi)
    if not lo < hi:
        raise ValueError(f"need lo < hi; got lo = {lo}, hi = {hi}")
    max_steps = positive_int("max_steps", max_steps)

    def converges(eta):
        try:
            res = gradient_descent_from(network, eta, max_steps, loss=loss, patience=50)
        except DivergenceError:
            return False
        return bool(res.losses[-1] <= rtol * res.losses[0])

    if not converges(lo):
        raise ValueError(f"descent does not converge at lo = {lo:g}; take a smaller lo")
    if converges(hi):
        raise ValueError(f"descent still converges at hi = {hi:g}; take a larger hi")
    for _ in range(positive_int("iterations", iterations)):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if converges(mid) else (lo, mid)
    return lo
