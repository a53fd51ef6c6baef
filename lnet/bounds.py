r"""Every rate bound and convergence guarantee of the paper (book chapter "Convergence").

Notation (paper, Section 3). With the reduction of :mod:`lnet.problem`,
:math:`E = \tilde Y - \Sigma_x^{1/2} U_1 V^\top`, :math:`\tilde L = \tfrac12\|E\|_F^2 = L - L^*` and
the imbalance :math:`\mathcal D = U_1^\top U_1 - V^\top V \in \mathbb R^{h\times h}`, constant under
gradient flow. Eigenvalues are sorted in decreasing order, :math:`[a]_+ = \max(a, 0)`, and

.. math::

    \Delta_+ &= [\lambda_1(\mathcal D)]_+ - [\lambda_r(\mathcal D)]_+, \\
    \Delta_- &= [\lambda_1(-\mathcal D)]_+ - [\lambda_m(-\mathcal D)]_+, \\
    \Delta_{\rm low} &= [\lambda_r(\mathcal D)]_+ + [\lambda_m(-\mathcal D)]_+ .

The talk names the four clipped eigenvalues :math:`\bar\lambda_+ = [\lambda_1(\mathcal D)]_+`,
:math:`\underline\lambda_+ = [\lambda_r(\mathcal D)]_+`, :math:`\bar\lambda_- = [\lambda_1(-\mathcal D)]_+`,
:math:`\underline\lambda_- = [\lambda_m(-\mathcal D)]_+`; the slides misprint
:math:`\underline\lambda_+` as :math:`[\lambda_r(-\mathcal D)]_+`
(see :func:`rate_lower_bound_talk_misprint`).

**Eigenvalues beyond h.** :math:`\lambda_k(\mathcal D)` for :math:`k > h` is taken as 0. This is
the only convention under which the bounds do not change when dead hidden units (zero columns
of :math:`U` and :math:`V`) are added: such units change neither the dynamics nor the loss, and
pad the spectrum of :math:`\mathcal D` with zeros. Because :math:`\mathcal D = Z^\top J Z` with
:math:`Z = [U_1; V]` and :math:`J = \mathrm{diag}(I_r, -I_m)`, :math:`\mathcal D` has at most
:math:`\min(r, h)` positive and :math:`\min(m, h)` negative eigenvalues, so every *clipped* quantity
above is the same whether the spectrum is padded with zeros or not; the convention only decides
the case :math:`k > h`, where the clipped value is 0. Likewise :math:`\sigma_k(\cdot) = 0` when
:math:`k` exceeds the number of singular values.

**Cost.** The spectrum of :math:`\mathcal D` is never formed from the :math:`h\times h` matrix:
its nonzero eigenvalues are those of :math:`JQ`, :math:`Q = ZZ^\top` (size :math:`(r+m)`), padded
with zeros to :math:`h` values. From the weights they are computed as the
eigenvalues of :math:`TJT^\top` with :math:`Z^\top = Q_zT` (thin QR, backward stable); from
:math:`Q` alone as those of :math:`Q^{1/2}JQ^{1/2}` (see :func:`gram_imbalance_spectrum` for its
accuracy near balance). Every quantity of Proposition 1 and Theorem 3 is
a function of :math:`\Sigma_x`, :math:`\tilde Y`, :math:`Q` and :math:`h`, so the functions below cost
:math:`O((r+m)^2 h)` for the Gram matrix and :math:`O((r+m)^3)` after it, and run at
:math:`h = 10^5`. The ``gram_*`` variants take :math:`Q` directly (what the width-independent
dynamics of :mod:`lnet.dynamics` carry).

Used in: ``book/rate.ipynb``, ``book/convergence.ipynb``, ``book/initializations.ipynb``,
``book/errata.ipynb``; through :mod:`lnet.experiments.convergence` in ``book/exp_a.ipynb`` and
``book/exp_c.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import as_matrix, positive_float, positive_int, relative_tolerance
from ._deprecation import moved_names, renamed_kwargs
from .problem import Problem, resolve_problem

__all__ = [
    "Guarantee",
    "ImbalanceSpectrum",
    "InitializationClass",
    "RateQuantities",
    "TightInstance",
    "attaining_instance",
    "classify_initialization",
    "convergence_rate",
    "gram_imbalance_spectrum",
    "gram_rate_quantities",
    "gram_rate_series",
    "homogeneous_asymptotic_rate",
    "imbalance_spectrum",
    "instantaneous_rate",
    "local_rate_limit",
    "margin",
    "rate_lower_bound",
    "rate_lower_bound_talk_misprint",
    "rate_quantities",
    "reduced_rate_quantities",
    "sufficient_imbalance_rate",
    "theorem3_bound",
    "theorem3_c",
]

__getattr__ = moved_names("lnet.bounds", {"scalar_rate": "lnet.scalar:scalar_rate_from_product"})


# ---------------------------------------------------------------------------------------------
# The spectrum of the imbalance
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImbalanceSpectrum:
    r"""The spectrum of the imbalance :math:`\mathcal D = U_1^\top U_1 - V^\top V` and its summaries.

    Attributes
    ----------
    eigenvalues : ndarray
        The eigenvalues of :math:`\mathcal D` that can be nonzero, ``min(h, r + m)`` of them, in
        decreasing order. The remaining ``h - len(eigenvalues)`` eigenvalues are exactly zero.
    r, m, h : int
        Rank of ``X``, output dimension, width.
    """

    eigenvalues: np.ndarray
    r: int
    m: int
    h: int

    def lam(self, k: int) -> float:
        r""":math:`\lambda_k(\mathcal D)`, the k-th largest eigenvalue (1-based); 0 when ``k > h``."""
        k = positive_int("k", k)
        if k > self.h:
            return 0.0
        e = self.eigenvalues
        n_pos = int(np.count_nonzero(e > 0))
        n_nonneg = n_pos + int(np.count_nonzero(e == 0)) + (self.h - e.size)
        if k <= n_pos:
            return float(e[k - 1])
        if k <= n_nonneg:
            return 0.0
        return float(e[e < 0][k - n_nonneg - 1])

    def lam_neg(self, k: int) -> float:
        r""":math:`\lambda_k(-\mathcal D)`, the k-th largest eigenvalue of :math:`-\mathcal D`; 0 when ``k > h``."""
        k = positive_int("k", k)
        return 0.0 if k > self.h else -self.lam(self.h + 1 - k)

    def padded(self) -> np.ndarray:
        """All ``h`` eigenvalues of the imbalance, decreasing (allocates ``h`` floats)."""
        full = np.concatenate([self.eigenvalues, np.zeros(self.h - self.eigenvalues.size)])
        return np.sort(full)[::-1]

    # The four clipped eigenvalues, with the talk's names.
    @property
    def lambda_bar_plus(self) -> float:
        r""":math:`\bar\lambda_+ = [\lambda_1(\mathcal D)]_+`."""
        return max(self.lam(1), 0.0)

    @property
    def lambda_under_plus(self) -> float:
        r""":math:`\underline\lambda_+ = [\lambda_r(\mathcal D)]_+` (the talk misprints it; see module doc)."""
        return max(self.lam(self.r), 0.0)

    @property
    def lambda_bar_minus(self) -> float:
        r""":math:`\bar\lambda_- = [\lambda_1(-\mathcal D)]_+`."""
        return max(self.lam_neg(1), 0.0)

    @property
    def lambda_under_minus(self) -> float:
        r""":math:`\underline\lambda_- = [\lambda_m(-\mathcal D)]_+`."""
        return max(self.lam_neg(self.m), 0.0)

    @property
    def lambda_under_plus_talk_misprint(self) -> float:
        r"""The slides' misprinted :math:`\underline\lambda_+ = [\lambda_r(-\mathcal D)]_+`."""
        return max(self.lam_neg(self.r), 0.0)

    @property
    def Delta_plus(self) -> float:
        r""":math:`\Delta_+ = [\lambda_1(\mathcal D)]_+ - [\lambda_r(\mathcal D)]_+`: spread of the positive spectrum."""
        return self.lambda_bar_plus - self.lambda_under_plus

    @property
    def Delta_minus(self) -> float:
        r""":math:`\Delta_- = [\lambda_1(-\mathcal D)]_+ - [\lambda_m(-\mathcal D)]_+`: spread of the negative spectrum."""
        return self.lambda_bar_minus - self.lambda_under_minus

    @property
    def Delta_low(self) -> float:
        r""":math:`\Delta_{\rm low} = [\lambda_r(\mathcal D)]_+ + [\lambda_m(-\mathcal D)]_+`: level of imbalance."""
        return self.lambda_under_plus + self.lambda_under_minus


def _check_gram(Q, r: int) -> np.ndarray:
    Q = as_matrix("Q", Q)
    k = Q.shape[0]
    if Q.shape[1] != k:
        raise ValueError(f"Q must be square (r + m) x (r + m); got shape {Q.shape}")
    if not 1 <= r < k:
        raise ValueError(f"Q of size {k} must have r + m = {k} rows with 1 <= r < {k}; got r = {r}")
    scale = max(float(np.max(np.abs(Q))), np.finfo(float).tiny)
    asym = float(np.max(np.abs(Q - Q.T)))
    if asym > 1e-10 * scale:
        raise ValueError(f"Q must be symmetric (a Gram matrix Z Z^T); max |Q - Q^T| = {asym:.3g}")
    return 0.5 * (Q + Q.T)


def _spectrum_from_gram(Q: np.ndarray, r: int, h: int) -> ImbalanceSpectrum:
    """Eigenvalues of D from the (r+m) x (r+m) Gram matrix; see the module docstring."""
    k = Q.shape[0]
    w, G = np.linalg.eigh(Q)
    # Q is PSD; eigenvalues at rounding level (either sign) are its null space. Zeroing them
    # matters: their square roots would put errors of size sqrt(eps) * ||Q|| into the spectrum.
    w = np.where(w > k * np.finfo(float).eps * max(float(w[-1]), 0.0), w, 0.0)
    half = (G * np.sqrt(w)) @ G.T  # Q^{1/2}
    J = np.concatenate([np.ones(r), -np.ones(k - r)])
    # eig(JQ) = eig(Q^{1/2} J Q^{1/2}), which is symmetric, hence eigvalsh.
    mu = np.linalg.eigvalsh(half @ (J[:, None] * half))
    if h < k:
        # rank Q <= h, so JQ has at least k - h zero eigenvalues: drop the k - h nearest zero.
        mu = mu[np.sort(np.argsort(np.abs(mu))[k - h :])]
    return ImbalanceSpectrum(eigenvalues=mu[::-1].copy(), r=r, m=k - r, h=h)


def _check_reduced(U1, V, r: int | None = None, m: int | None = None):
    U1 = as_matrix("U1", U1, rows=r)
    V = as_matrix("V", V, rows=m, cols=U1.shape[1])
    return U1, V


def _spectrum_from_weights(U1: np.ndarray, V: np.ndarray) -> ImbalanceSpectrum:
    """Backward-stable route: Z^T = Q_z T, so D = Q_z (T J T^T) Q_z^T and eig(D) = eig(T J T^T)."""
    r, h = U1.shape
    m = V.shape[0]
    T = np.linalg.qr(np.vstack([U1, V]).T, mode="r")  # min(h, r+m) x (r+m), triangular
    J = np.concatenate([np.ones(r), -np.ones(m)])
    M = (T * J) @ T.T
    mu = np.linalg.eigvalsh(0.5 * (M + M.T))
    return ImbalanceSpectrum(eigenvalues=mu[::-1].copy(), r=r, m=m, h=h)


def imbalance_spectrum(U1, V) -> ImbalanceSpectrum:
    r"""The spectrum of :math:`\mathcal D = U_1^\top U_1 - V^\top V` without forming the h x h matrix.

    With the thin QR factorization :math:`Z^\top = Q_zT`, :math:`Z = [U_1; V]`,
    :math:`\mathcal D = Q_z(TJT^\top)Q_z^\top`, so the nonzero eigenvalues are those of the
    :math:`\min(h, r+m)`-square matrix :math:`TJT^\top`: cost :math:`O(h(r+m)^2)`, and backward
    stable (absolute error a few :math:`\epsilon\,\|Z\|^2`, even when :math:`\mathcal D = 0`).

    Parameters
    ----------
    U1 : array_like, shape (r, h)
        :math:`U_1 = \Phi_1^\top U`.
    V : array_like, shape (m, h)

    Returns
    -------
    ImbalanceSpectrum
        With :math:`\Delta_+`, :math:`\Delta_-`, :math:`\Delta_{\rm low}` and the talk's
        :math:`\bar\lambda_\pm`, :math:`\underline\lambda_\pm` as attributes.

    Used in: ``book/rate.ipynb``, ``book/step_size.ipynb``.
    """
    U1, V = _check_reduced(U1, V)
    return _spectrum_from_weights(U1, V)


def gram_imbalance_spectrum(Q, r: int, h: int) -> ImbalanceSpectrum:
    r"""The spectrum of :math:`\mathcal D` from :math:`Q = ZZ^\top`, :math:`Z = [U_1; V]`.

    .. math::

        \operatorname{spec}(\mathcal D) = {}& \operatorname{spec}(JQ) \text{ padded with zeros to } h
        \text{ values} \\
        & \text{(or with } r + m - h \text{ zeros dropped when } h < r + m).

    Accuracy: computed as :math:`\operatorname{spec}(Q^{1/2}JQ^{1/2})`. Eigenvalues of :math:`Q`
    at rounding level are set to zero, but when :math:`Q` is *nearly* singular (nearly balanced
    weights, or :math:`h` close to :math:`r + m`) the result can carry errors up to about
    :math:`\sqrt{\epsilon}\,\|Q\|`: this is intrinsic to starting from :math:`Q` (for
    :math:`\mathcal D = 0`, :math:`JQ` is nilpotent). Prefer :func:`imbalance_spectrum` from the
    weights; the spectrum is conserved by the flow, so compute it once at :math:`t = 0` and pass
    it to :func:`gram_rate_quantities` as ``spectrum=``.

    Parameters
    ----------
    Q : array_like, shape (r + m, r + m)
        The Gram matrix :math:`ZZ^\top`.
    r : int
        Rank of ``X``.
    h : int
        Width.

    Returns
    -------
    ImbalanceSpectrum
    """
    r = positive_int("r", r)
    h = positive_int("h", h)
    return _spectrum_from_gram(_check_gram(Q, r), r, h)


# ---------------------------------------------------------------------------------------------
# Proposition 1 and Theorem 3
# ---------------------------------------------------------------------------------------------
def _line(spread: float, low: float, b: float) -> float:
    r""":math:`-\Delta + \sqrt{(\Delta + \Delta_{\rm low})^2 + b}` without cancellation.

    Written as :math:`\Delta_{\rm low} + b / (\sqrt{a^2 + b} + a)`, :math:`a = \Delta + \Delta_{\rm low}`,
    because when the spread dominates, the direct form loses every digit of the answer.
    """
    a = spread + low
    if b <= 0.0:
        return low
    return low + b / (np.sqrt(a * a + b) + a)


def _talk_form(lbp: float, lum: float, lbm: float, lup: float, s_m: float, s_r: float) -> float:
    """The slides' grouping of Proposition 1 (same value as the grouping used here)."""
    return (
        -lbp
        + lum
        + np.sqrt((lbp + lum) ** 2 + 4 * s_m**2)
        - lbm
        + lup
        + np.sqrt((lbm + lup) ** 2 + 4 * s_r**2)
    )


def _sv(a: np.ndarray, k: int) -> float:
    """k-th singular value (1-based), 0 beyond the last one."""
    s = np.linalg.svd(a, compute_uv=False)
    return float(s[k - 1]) if k <= s.size else 0.0


@dataclass(frozen=True)
class RateQuantities:
    r"""Everything the paper says about the rate at one point :math:`(U_1, V)`.

    Attributes
    ----------
    loss_tilde : float
        :math:`\tilde L = L - L^* = \tfrac12\|E\|_F^2`.
    instantaneous_rate : float
        :math:`-\dot{\tilde L}/\tilde L = (\|\Sigma_x^{1/2}EV\|_F^2 + \|E^\top\Sigma_x^{1/2}U_1\|_F^2)/\tilde L`
        (NaN at a global minimum, where it is 0/0).
    rate_lower_bound : float
        Right-hand side of Proposition 1 (general :math:`\Sigma_x`).
    rate_lower_bound_talk_misprint : float
        The same with the slides' misprinted :math:`\underline\lambda_+` (not a bound).
    c : float
        :math:`c` of Theorem 3 at this point.
    convergence_rate : float
        :math:`\lambda_r(\Sigma_x)\, c`: the exponential rate Theorem 3 guarantees from this point on.
    c_limit, local_rate_limit : float
        :math:`c` and :math:`\lambda_r(\Sigma_x)c` with the margin terms replaced by their limits
        :math:`\sigma_m(\tilde Y)`, :math:`\sigma_r(\tilde Y)` (local-rate corollary, :math:`t_0\to\infty`).
    sufficient_imbalance_rate : float
        :math:`2\lambda_r(\Sigma_x)\Delta_{\rm low}` (corollary: sufficient imbalance).
    margin : float
        :math:`\sigma_{\min}(\tilde Y) - \|\tilde Y - \Sigma_x^{1/2}U_1V^\top\|_F` (corollary: sufficient margin when > 0).
    sigma_m_product, sigma_r_product : float
        :math:`\sigma_m(U_1V^\top)`, :math:`\sigma_r(U_1V^\top)`.
    lambda_r_sigma, lambda_1_sigma : float
        Smallest nonzero and largest eigenvalue of :math:`X^\top X`.
    spectrum : ImbalanceSpectrum
    """

    loss_tilde: float
    instantaneous_rate: float
    rate_lower_bound: float
    rate_lower_bound_talk_misprint: float
    c: float
    convergence_rate: float
    c_limit: float
    local_rate_limit: float
    sufficient_imbalance_rate: float
    margin: float
    sigma_m_product: float
    sigma_r_product: float
    lambda_r_sigma: float
    lambda_1_sigma: float
    spectrum: ImbalanceSpectrum = field(repr=False)


def _quantities(
    sigma: np.ndarray, Ytilde: np.ndarray, Q: np.ndarray, spec: ImbalanceSpectrum
) -> RateQuantities:
    r, m = Ytilde.shape
    A, P, B = Q[:r, :r], Q[:r, r:], Q[r:, r:]
    s = np.sqrt(sigma)
    E = Ytilde - s[:, None] * P
    loss = 0.5 * float(np.sum(E * E))
    SE = s[:, None] * E
    # ||Sigma^{1/2} E V||^2 + ||E^T Sigma^{1/2} U1||^2 = tr(SE B SE^T) + tr(SE^T A SE)
    grad2 = float(np.sum((SE @ B) * SE) + np.sum((A @ SE) * SE))
    inst = grad2 / loss if loss > 0 else float("nan")
    lam_r, lam_1 = float(sigma[-1]), float(sigma[0])
    s_m, s_r = _sv(P, m), _sv(P, r)
    dp, dm, dl = spec.Delta_plus, spec.Delta_minus, spec.Delta_low
    bound = lam_r * (_line(dp, dl, 4 * s_m**2) + _line(dm, dl, 4 * s_r**2))
    misprint = lam_r * _talk_form(
        spec.lambda_bar_plus,
        spec.lambda_under_minus,
        spec.lambda_bar_minus,
        spec.lambda_under_plus_talk_misprint,
        s_m,
        s_r,
    )
    err = float(np.sqrt(2 * loss))
    y_m, y_r = _sv(Ytilde, m), _sv(Ytilde, r)
    mg_m, mg_r = max(y_m - err, 0.0), max(y_r - err, 0.0)
    c = _line(dp, dl, 4 * mg_m**2 / lam_1) + _line(dm, dl, 4 * mg_r**2 / lam_1)
    c_lim = _line(dp, dl, 4 * y_m**2 / lam_1) + _line(dm, dl, 4 * y_r**2 / lam_1)
    return RateQuantities(
        loss_tilde=loss,
        instantaneous_rate=inst,
        rate_lower_bound=float(bound),
        rate_lower_bound_talk_misprint=float(misprint),
        c=float(c),
        convergence_rate=float(lam_r * c),
        c_limit=float(c_lim),
        local_rate_limit=float(lam_r * c_lim),
        sufficient_imbalance_rate=2 * lam_r * dl,
        margin=_sv(Ytilde, min(r, m)) - err,
        sigma_m_product=s_m,
        sigma_r_product=s_r,
        lambda_r_sigma=lam_r,
        lambda_1_sigma=lam_1,
        spectrum=spec,
    )


def _resolve(X, Y, U, V, problem):
    """(problem, U1, V) from the public arguments; builds the Problem only when not given."""
    problem = resolve_problem(X, Y, problem)
    U, V = problem.check_weights(U, V)
    return problem, problem.Phi1.T @ U, V


def rate_quantities(X, Y, U, V, *, problem: Problem | None = None) -> RateQuantities:
    r"""All rates and bounds of Proposition 1 and Theorem 3 at the weights ``(U, V)``.

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    U : array_like, shape (D, h)
    V : array_like, shape (m, h)
    problem : Problem, optional
        A precomputed :meth:`Problem.from_data(X, Y) <lnet.problem.Problem.from_data>`, to avoid
        recomputing the SVD of ``X`` at every call.

    Returns
    -------
    RateQuantities
    """
    problem, U1, V = _resolve(X, Y, U, V, problem)
    Z = np.vstack([U1, V])
    return _quantities(problem.sigma, problem.Ytilde, Z @ Z.T, _spectrum_from_weights(U1, V))


def reduced_rate_quantities(problem: Problem, U1, V) -> RateQuantities:
    r"""As :func:`rate_quantities`, from :math:`U_1 = \Phi_1^\top U` (shape (r, h)) and ``V``.

    Parameters
    ----------
    problem : Problem
    U1 : array_like, shape (r, h)
    V : array_like, shape (m, h)

    Returns
    -------
    RateQuantities
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be an lnet.Problem; got {type(problem).__name__}")
    U1, V = _check_reduced(U1, V, problem.r, problem.m)
    Z = np.vstack([U1, V])
    return _quantities(problem.sigma, problem.Ytilde, Z @ Z.T, _spectrum_from_weights(U1, V))


def gram_rate_quantities(
    problem: Problem, Q, h: int, *, spectrum: ImbalanceSpectrum | None = None
) -> RateQuantities:
    r"""As :func:`rate_quantities`, from the Gram matrix :math:`Q = ZZ^\top`, :math:`Z = [U_1; V]`, and the width.

    Costs :math:`O((r+m)^3)` whatever :math:`h`: the form to call at every step of a run.
    ``spectrum``, when given, is used for the imbalance instead of recomputing it from ``Q``
    (recommended along a flow, where it is conserved; see :func:`gram_imbalance_spectrum` for
    the accuracy of the spectrum computed from ``Q``).

    Parameters
    ----------
    problem : Problem
    Q : array_like, shape (r + m, r + m)
        The Gram matrix :math:`ZZ^\top`.
    h : int
        Width.
    spectrum : ImbalanceSpectrum, optional
        The imbalance's spectrum (conserved along a flow).

    Returns
    -------
    RateQuantities
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be an lnet.Problem; got {type(problem).__name__}")
    Q = _check_gram(Q, problem.r)
    k = problem.r + problem.m
    if Q.shape[0] != k:
        raise ValueError(f"Q must be {k} x {k} (r + m); got {Q.shape}")
    h = positive_int("h", h)
    if spectrum is None:
        spectrum = _spectrum_from_gram(Q, problem.r, h)
    elif not isinstance(spectrum, ImbalanceSpectrum):
        raise TypeError(f"spectrum must be an ImbalanceSpectrum; got {type(spectrum).__name__}")
    elif (spectrum.r, spectrum.m, spectrum.h) != (problem.r, problem.m, h):
        raise ValueError(
            f"spectrum is for (r, m, h) = {(spectrum.r, spectrum.m, spectrum.h)}; "
            f"expected {(problem.r, problem.m, h)}"
        )
    return _quantities(problem.sigma, problem.Ytilde, Q, spectrum)


def gram_rate_series(
    problem: Problem, grams, h: int, *, spectrum: ImbalanceSpectrum | None = None
) -> dict[str, np.ndarray]:
    r""":func:`gram_rate_quantities` along a trajectory: one array per scalar field of :class:`RateQuantities`.

    Parameters
    ----------
    problem : Problem
    grams : array_like, shape (T, r + m, r + m)
        The Gram matrices :math:`Q(t_k) = Z(t_k)Z(t_k)^\top` of a run (e.g. ``record=("gram",)`` of
        :func:`lnet.gradient_flow`).
    h : int
        The width.
    spectrum : ImbalanceSpectrum, optional
        The imbalance spectrum, conserved by gradient flow: compute it once from the initial
        weights with :func:`imbalance_spectrum` (more accurate than from ``Q``). Not conserved by
        gradient descent: leave it out there, so that each step uses its own.

    Returns
    -------
    dict
        ``{"loss_tilde": array(T), "instantaneous_rate": ..., "rate_lower_bound": ..., ...}``.
    """
    grams = np.asarray(grams, dtype=np.float64)
    if grams.ndim != 3:
        raise ValueError(f"grams must have shape (T, r + m, r + m); got shape {grams.shape}")
    rows = [gram_rate_quantities(problem, Q, h, spectrum=spectrum) for Q in grams]
    names = [f for f in RateQuantities.__dataclass_fields__ if f != "spectrum"]
    return {f: np.array([getattr(q, f) for q in rows]) for f in names}


def instantaneous_rate(X, Y, U, V, *, problem: Problem | None = None) -> float:
    r"""The exact instantaneous rate :math:`-\dot L/(L - L^*)` under the flow of :math:`\tfrac12\|Y - XUV^\top\|_F^2`.

    .. math::

        -\frac{\dot{\tilde L}}{\tilde L}
        = \frac{\|\nabla_{U_1}\tilde L\|_F^2 + \|\nabla_V\tilde L\|_F^2}{\tilde L}
        = \frac{\|\Sigma_x^{1/2}EV\|_F^2 + \|E^\top\Sigma_x^{1/2}U_1\|_F^2}{\tfrac12\|E\|_F^2}.

    Returns NaN when :math:`\tilde L = 0` (a global minimum, where the rate is 0/0).
    See :func:`rate_quantities` for the parameters.

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    U : array_like, shape (D, h)
    V : array_like, shape (m, h)
    problem : Problem, optional
        A precomputed :meth:`Problem.from_data(X, Y) <lnet.problem.Problem.from_data>`.

    Returns
    -------
    float
        NaN at a global minimum.
    """
    return rate_quantities(X, Y, U, V, problem=problem).instantaneous_rate


def rate_lower_bound(X, Y, U, V, *, problem: Problem | None = None) -> float:
    r"""Right-hand side of Proposition 1 (extended version, Proposition 1, general :math:`\Sigma_x`).

    .. math::

        -\frac{\dot{\tilde L}}{\tilde L} \ge \lambda_r(\Sigma_x)\Big(
          & -\Delta_+ + \sqrt{(\Delta_+ + \Delta_{\rm low})^2 + 4\sigma_m^2(U_1V^\top)} \\
          & -\Delta_- + \sqrt{(\Delta_- + \Delta_{\rm low})^2 + 4\sigma_r^2(U_1V^\top)}\Big).

    Equivalently, in the talk's names,
    :math:`-\bar\lambda_+ + \underline\lambda_- + \sqrt{(\bar\lambda_+ + \underline\lambda_-)^2 + 4\sigma_m^2}
    - \bar\lambda_- + \underline\lambda_+ + \sqrt{(\bar\lambda_- + \underline\lambda_+)^2 + 4\sigma_r^2}`
    with :math:`\underline\lambda_+ = [\lambda_r(\mathcal D)]_+`. Exact whenever :math:`r = m = 1`
    (the scalar case, and any width); attained for :math:`r \ne m` (see :func:`attaining_instance`).

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    U : array_like, shape (D, h)
    V : array_like, shape (m, h)
    problem : Problem, optional
        A precomputed :meth:`Problem.from_data(X, Y) <lnet.problem.Problem.from_data>`.

    Returns
    -------
    float
    """
    return rate_quantities(X, Y, U, V, problem=problem).rate_lower_bound


def rate_lower_bound_talk_misprint(X, Y, U, V, *, problem: Problem | None = None) -> float:
    r"""Proposition 1 as printed on the talk slides, with :math:`\underline\lambda_+ = [\lambda_r(-\mathcal D)]_+`.

    Kept to show the misprint: it is **not** a lower bound (it exceeds the exact rate, e.g. for
    :math:`r = m = 1`, :math:`h = 2` whenever :math:`\|v\|` is large compared with :math:`\|u_1\|`).

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    U : array_like, shape (D, h)
    V : array_like, shape (m, h)
    problem : Problem, optional
        A precomputed :meth:`Problem.from_data(X, Y) <lnet.problem.Problem.from_data>`.

    Returns
    -------
    float
    """
    return rate_quantities(X, Y, U, V, problem=problem).rate_lower_bound_talk_misprint


def theorem3_c(X, Y, U, V, *, problem: Problem | None = None) -> float:
    r""":math:`c` of Theorem 3 (extended version, Theorem 3, general :math:`\Sigma_x`) at the weights ``(U, V)``.

    .. math::

        c = {}& -\Delta_+ + \sqrt{(\Delta_+ + \Delta_{\rm low})^2
              + 4[\sigma_m(\tilde Y) - \|E\|_F]_+^2/\lambda_1(\Sigma_x)} \\
            & -\Delta_- + \sqrt{(\Delta_- + \Delta_{\rm low})^2
              + 4[\sigma_r(\tilde Y) - \|E\|_F]_+^2/\lambda_1(\Sigma_x)} .

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    U : array_like, shape (D, h)
    V : array_like, shape (m, h)
    problem : Problem, optional
        A precomputed :meth:`Problem.from_data(X, Y) <lnet.problem.Problem.from_data>`.

    Returns
    -------
    float
    """
    return rate_quantities(X, Y, U, V, problem=problem).c


def convergence_rate(X, Y, U, V, *, problem: Problem | None = None) -> float:
    r"""The rate :math:`\lambda_r(\Sigma_x)\,c` of Theorem 3: :math:`\tilde L(t) \le e^{-\lambda_r(\Sigma_x) c\, t}\tilde L(0)`.

    Evaluated at weights :math:`(U(t_0), V(t_0))` it is the local-rate corollary: the bound holds
    from :math:`t_0` on with :math:`c(t_0)`.

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    U : array_like, shape (D, h)
    V : array_like, shape (m, h)
    problem : Problem, optional
        A precomputed :meth:`Problem.from_data(X, Y) <lnet.problem.Problem.from_data>`.

    Returns
    -------
    float
    """
    return rate_quantities(X, Y, U, V, problem=problem).convergence_rate


def theorem3_bound(X, Y, U, V, t, *, t0: float = 0.0, problem: Problem | None = None) -> np.ndarray:
    r"""The Theorem 3 curve :math:`\tilde L(t_0)\, e^{-\lambda_r(\Sigma_x) c(t_0)(t - t_0)}` at times ``t``.

    ``(U, V)`` are the weights at time ``t0`` (default 0); ``t`` is an array of times ``>= t0``.

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    U : array_like, shape (D, h)
    V : array_like, shape (m, h)
    t : float or array_like
        Times ``>= t0``.
    t0 : float
        The time of the weights ``(U, V)``.
    problem : Problem, optional
        A precomputed :meth:`Problem.from_data(X, Y) <lnet.problem.Problem.from_data>`.

    Returns
    -------
    ndarray
        :math:`\tilde L(t_0) e^{-\lambda_r(\Sigma_x) c(t_0)(t - t_0)}`, the shape of ``t``.
    """
    q = rate_quantities(X, Y, U, V, problem=problem)
    t = np.asarray(t, dtype=np.float64)
    if t.ndim > 1 or not np.all(np.isfinite(t)):
        raise ValueError(f"t must be a finite scalar or 1-D array of times; got shape {t.shape}")
    t0 = positive_float("t0", t0, allow_zero=True)
    if np.any(t < t0):
        raise ValueError(f"t must be >= t0 = {t0}; got min(t) = {float(np.min(t))}")
    return q.loss_tilde * np.exp(-q.convergence_rate * (t - t0))


def local_rate_limit(X, Y, U, V, *, problem: Problem | None = None) -> float:
    r"""The local-rate corollary as :math:`t_0 \to \infty`: :math:`\lambda_r(\Sigma_x)\,c_\infty` with

    .. math::

        c_\infty = {}& -\Delta_+ + \sqrt{(\Delta_+ + \Delta_{\rm low})^2 + 4\sigma_m^2(\tilde Y)/\lambda_1(\Sigma_x)} \\
                   & -\Delta_- + \sqrt{(\Delta_- + \Delta_{\rm low})^2 + 4\sigma_r^2(\tilde Y)/\lambda_1(\Sigma_x)} .

    Only the imbalance of ``(U, V)`` matters (it is conserved along the flow).

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    U : array_like, shape (D, h)
    V : array_like, shape (m, h)
    problem : Problem, optional
        A precomputed :meth:`Problem.from_data(X, Y) <lnet.problem.Problem.from_data>`.

    Returns
    -------
    float
    """
    return rate_quantities(X, Y, U, V, problem=problem).local_rate_limit


def sufficient_imbalance_rate(X, Y, U, V, *, problem: Problem | None = None) -> float:
    r"""The sufficient-imbalance corollary's rate :math:`2\lambda_r(\Sigma_x)\Delta_{\rm low}` (never above :func:`convergence_rate`).

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    U : array_like, shape (D, h)
    V : array_like, shape (m, h)
    problem : Problem, optional
        A precomputed :meth:`Problem.from_data(X, Y) <lnet.problem.Problem.from_data>`.

    Returns
    -------
    float
    """
    return rate_quantities(X, Y, U, V, problem=problem).sufficient_imbalance_rate


def margin(X, Y, U, V, *, problem: Problem | None = None) -> float:
    r"""The margin :math:`\sigma_{\min}(\tilde Y) - \|\tilde Y - \Sigma_x^{1/2}U_1V^\top\|_F` (sufficient-margin corollary when > 0).

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    U : array_like, shape (D, h)
    V : array_like, shape (m, h)
    problem : Problem, optional
        A precomputed :meth:`Problem.from_data(X, Y) <lnet.problem.Problem.from_data>`.

    Returns
    -------
    float
        Positive when the sufficient-margin corollary applies.
    """
    return rate_quantities(X, Y, U, V, problem=problem).margin


# ---------------------------------------------------------------------------------------------
# Closed-form special cases
# ---------------------------------------------------------------------------------------------
def homogeneous_asymptotic_rate(lambda0, Y) -> float:
    r"""The asymptotic rate :math:`2\sqrt{\lambda_0^2 + 4\sigma_{\min}^2(Y)}` of Tarmoun et al. (2021).

    For :math:`\mathcal D = \lambda_0 I`, :math:`h = r = m`, :math:`\Sigma_x = I`; it equals
    :func:`local_rate_limit` there. ``Y`` is the (reduced) target :math:`\tilde Y`.

    Parameters
    ----------
    lambda0 : float
        The imbalance level.
    Y : array_like
        The reduced target :math:`\tilde Y`.

    Returns
    -------
    float
    """
    lam = float(lambda0)
    if not np.isfinite(lam):
        raise ValueError(f"lambda0 must be finite; got {lambda0!r}")
    Y = as_matrix("Y", Y)
    s = np.linalg.svd(Y, compute_uv=False)[-1]
    return float(2.0 * np.hypot(lam, 2.0 * s))


# ---------------------------------------------------------------------------------------------
# Tightness (extended version, Proposition 14): an instance attaining the Proposition 1 bound
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TightInstance:
    r"""A problem and weights at which the instantaneous rate equals the Proposition 1 bound.

    ``X = [I_r, 0]`` (so :math:`\Sigma_x = I`, :math:`D = r + 1`), ``Y`` with
    :math:`\tilde Y = U_1V^\top + a b^\top`, and ``(U, V)`` with :math:`U_1V^\top` the requested
    product and :math:`\mathcal D` the requested imbalance.
    """

    X: np.ndarray
    Y: np.ndarray
    U: np.ndarray
    V: np.ndarray
    U1: np.ndarray


def _pair(mu: float, nu: float, s: float) -> tuple[np.ndarray, np.ndarray]:
    r"""u, w in R^2 with :math:`uu^\top - ww^\top` of eigenvalues (mu, -nu) and :math:`u\cdot w = s`.

    From :math:`|u|^2 - |w|^2 = \mu - \nu` and :math:`|u|^2|w|^2 = \mu\nu + s^2`: with
    :math:`u = |u|e_1`, :math:`w = (s, \sqrt{\mu\nu})/|u|` (no :math:`\sqrt{1 - \cos^2}`, which
    loses half the digits when u and w are nearly parallel).
    """
    root = np.sqrt((mu + nu) ** 2 + 4 * s * s)
    d = mu - nu
    # |u|^2 = (d + root)/2, in the form without cancellation when d < 0.
    uu = 0.5 * (d + root) if d >= 0 else 2 * (mu * nu + s * s) / (root - d)
    nu_ = np.sqrt(max(uu, 0.0))
    if nu_ == 0.0:  # mu = s = 0
        return np.zeros(2), np.array([np.sqrt(nu), 0.0])
    return np.array([nu_, 0.0]), np.array([s, np.sqrt(mu * nu)]) / nu_


@renamed_kwargs(D="imbalance", P="product")
def attaining_instance(imbalance, product) -> TightInstance:
    r"""Weights with a given imbalance and product at which Proposition 1 holds with equality.

    Construction (derived here; the extended version's Proposition 14 states existence for :math:`r \ne m`, and its
    proof was not available to us). Take :math:`\Sigma_x = I`. Write :math:`\mathcal D`'s positive
    eigenvalues :math:`\mu_1 \ge \dots \ge \mu_r \ge 0` and negative ones :math:`-\nu_j`, and
    :math:`P = O_r\,\mathrm{diag}(\sigma_i)\,O_m^\top`. Pair the :math:`\min(r, m)` rows of
    :math:`U_1` and :math:`V` two by two in orthogonal planes of :math:`\mathbb R^h`, each pair a
    "scalar-like" block :math:`u u^\top - w w^\top` with eigenvalues :math:`(\mu_i, -\nu_i)` and
    :math:`u\cdot w = \sigma_i`; the :math:`|r - m|` remaining rows sit alone on further axes.
    For :math:`r < m` the pair of the smallest :math:`\sigma_r` gets the smallest :math:`\mu` and the
    largest :math:`\nu`, and the lone ``V`` row of smallest norm gets the smallest :math:`\nu`;
    then :math:`\lambda_r(U_1U_1^\top)` and :math:`\lambda_m(VV^\top)` both equal their lower bounds
    and, for the residual :math:`E = ab^\top` along the two minimizing eigenvectors, the rate
    :math:`2(\lambda_r(U_1U_1^\top) + \lambda_m(VV^\top))` equals the bound. :math:`r > m` is the
    transpose. Requires :math:`h \ge r + m`.

    When :math:`r = m \ge 2` the two extremes compete for the one pair with :math:`\sigma_{\min}`, and
    this construction attains the bound only when that is no conflict (all positive eigenvalues
    equal and all negative ones equal, or :math:`\sigma_{\min}` repeated). Whether every
    :math:`(\mathcal D, P)` with :math:`r = m \ge 2` admits an attaining point we do not know (the extended version
    claims tightness only for :math:`r \ne m`); a numerical minimization of worst-case rate over
    bound (``tests/test_bounds_adversarial.py``) does reach 1 for :math:`r = m` at points of its
    own choosing, including with a general :math:`\Sigma_x`. For :math:`r = m = 1` the bound is
    always exact, at every width and for every :math:`\Sigma_x`.

    Parameters
    ----------
    imbalance : array_like, shape (h, h)
        The imbalance matrix :math:`\mathcal D`: symmetric, with at most ``r`` positive and at
        most ``m`` negative eigenvalues. (Formerly ``D``, which elsewhere is the input dimension.)
    product : array_like, shape (r, m)
        The product :math:`P = U_1 V^\top` (formerly ``P``).

    Returns
    -------
    TightInstance

    Raises
    ------
    ValueError
        If the imbalance is not symmetric, its inertia is impossible for (r, m), ``h < r + m``, or
        ``r = m >= 2`` with a conflict (see above).
    """
    P = as_matrix("product", product)
    r, m = P.shape
    Dm, G, mu, nu, tol = _attainable_spectrum(imbalance, r, m)
    if r > m:
        # Transpose: (U1, V) -> (V, U1) maps D -> -D and P -> P^T.
        t = attaining_instance(-Dm, P.T)
        return _embed(t.V, t.U1)
    h = G.shape[0]
    Or, sv, OmT = np.linalg.svd(P)  # sv decreasing, length r
    if (
        r == m
        and r >= 2
        and not (
            (np.ptp(mu) <= tol and np.ptp(nu) <= tol) or (sv.size > 1 and sv[-2] - sv[-1] <= tol)
        )
    ):
        raise ValueError(
            "r = m >= 2: the block construction attains the bound only if all positive "
            "eigenvalues of the imbalance are equal and all negative ones are equal, or "
            "sigma_min(product) is repeated; whether the bound is attained otherwise is not known"
        )
    mu_p, nu_p, nu_alone = _assign_pairs(mu, nu, r, m)
    U1c, Vc = np.zeros((r, h)), np.zeros((m, h))
    for i in range(r):
        u, w = _pair(mu_p[i], nu_p[i], sv[i])
        U1c[i, 2 * i : 2 * i + 2] = u
        Vc[i, 2 * i : 2 * i + 2] = w
    for j, nj in enumerate(nu_alone):
        Vc[r + j, 2 * r + j] = np.sqrt(nj)
    U1c, Vc = Or @ U1c, OmT.T @ Vc
    # Rotate the hidden space so that the imbalance is the one given, not just its spectrum.
    Dc = U1c.T @ U1c - Vc.T @ Vc
    _, Gc = np.linalg.eigh(0.5 * (Dc + Dc.T))
    rotation = Gc @ G.T
    return _embed(U1c @ rotation, Vc @ rotation)


def _attainable_spectrum(imbalance, r: int, m: int):
    """Eigen-decomposition of a valid imbalance; mu, nu its positive / negative parts, padded."""
    Dm = as_matrix("imbalance", imbalance)
    h = Dm.shape[0]
    if Dm.shape != (h, h):
        raise ValueError(f"imbalance must be square h x h; got shape {Dm.shape}")
    if np.max(np.abs(Dm - Dm.T)) > 1e-12 * max(1.0, np.max(np.abs(Dm))):
        raise ValueError("imbalance must be symmetric")
    if h < r + m:
        raise ValueError(f"the construction needs h >= r + m = {r + m}; imbalance is {h} x {h}")
    Dm = 0.5 * (Dm + Dm.T)
    lam, G = np.linalg.eigh(Dm)  # increasing
    tol = 1e-12 * max(1.0, float(np.max(np.abs(lam))))
    lam = np.where(np.abs(lam) <= tol, 0.0, lam)
    pos, neg = np.sort(lam[lam > 0])[::-1], np.sort(-lam[lam < 0])[::-1]
    if pos.size > r or neg.size > m:
        raise ValueError(
            f"imbalance has {pos.size} positive and {neg.size} negative eigenvalues; an imbalance "
            f"U1^T U1 - V^T V has at most r = {r} positive and m = {m} negative ones"
        )
    mu = np.concatenate([pos, np.zeros(max(r - pos.size, 0))])  # decreasing
    nu = np.concatenate([neg, np.zeros(max(m - neg.size, 0))])  # decreasing
    return Dm, G, mu, nu, tol


def _assign_pairs(mu, nu, r: int, m: int):
    """Which eigenvalues each (U1 row, V row) pair carries; for r <= m."""
    # Pair r-1 carries sigma_r(P); it gets min mu and max nu (line of sigma_r tight).
    if r < m:
        # the smallest nu on a lone V row (line of sigma_m tight)
        return mu, np.concatenate([nu[1:r], nu[:1]]), nu[r:]
    if r == 1:
        return mu, nu, nu[:0]
    # r = m >= 2: pair r-2 (same sigma as pair r-1, or all mu and nu equal) gets max mu, min nu.
    mu_p = np.concatenate([mu[1 : r - 1], mu[:1], mu[r - 1 :]])
    nu_p = np.concatenate([nu[1 : r - 1], nu[r - 1 : r], nu[:1]])
    return mu_p, nu_p, nu[:0]


def _embed(U1: np.ndarray, V: np.ndarray) -> TightInstance:
    """A full problem X = [I_r, 0] whose worst-case residual realizes the bound at (U1, V)."""
    r, h = U1.shape
    _wa, Ga = np.linalg.eigh(U1 @ U1.T)
    _wb, Gb = np.linalg.eigh(V @ V.T)
    a, b = Ga[:, 0], Gb[:, 0]  # eigenvectors of lambda_r(U1U1^T), lambda_m(VV^T)
    Ytilde = U1 @ V.T + np.outer(a, b)
    X = np.hstack([np.eye(r), np.zeros((r, 1))])
    U = np.vstack([U1, np.zeros((1, h))])
    return TightInstance(X=X, Y=Ytilde, U=U, V=V, U1=U1)


# ---------------------------------------------------------------------------------------------
# Classification into the rows of the talk's summary table
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Guarantee:
    """One row of the talk's summary table: whether it applies and the rate it gives."""

    name: str
    condition: str
    applies: bool
    rate: float
    note: str = ""


@dataclass(frozen=True)
class InitializationClass:
    """The rows of the talk's summary table that an initialization falls in.

    ``rows`` holds one :class:`Guarantee` per row (all of them, applying or not); ``best_rate``
    is the largest rate among the rows that apply (0 when none does).
    """

    rows: tuple[Guarantee, ...]
    quantities: RateQuantities = field(repr=False)

    @property
    def applying(self) -> tuple[str, ...]:
        return tuple(g.name for g in self.rows if g.applies)

    @property
    def best_rate(self) -> float:
        return max((g.rate for g in self.rows if g.applies), default=0.0)

    def __getitem__(self, name: str) -> Guarantee:
        for g in self.rows:
            if g.name == name:
                return g
        raise KeyError(f"no row {name!r}; rows are {[g.name for g in self.rows]}")


@renamed_kwargs(rtol="balance_rtol")
def classify_initialization(
    X,
    Y,
    U,
    V,
    *,
    problem: Problem | None = None,
    balance_rtol: float = 1e-10,
    balance_constant: float = 1.0,
) -> InitializationClass:
    r"""Which rows of the talk's summary table an initialization falls in, and the rate each gives.

    Rows (:math:`\mathcal D = U_1^\top U_1 - V^\top V`, margin
    :math:`\delta = \sigma_{\min}(\tilde Y) - \|\tilde Y - \Sigma_x^{1/2}U_1V^\top\|_F`,
    :math:`\kappa = ` the scale :math:`\|U_1\|_F^2 + \|V\|_F^2`):

    - ``balanced``: :math:`\|\mathcal D\|_F \le \texttt{balance\_rtol}\,\kappa`. Rate: Theorem 3, which
      needs :math:`\delta > 0` to be positive (applies iff balanced and :math:`\delta > 0`).
    - ``margin_approx_balanced`` (Arora, Cohen, Golowich & Hu, ICLR 2019): deficiency margin
      :math:`\delta > 0` (their Definition 2, :math:`\|\Theta - \Phi\|_F \le \sigma_{\min}(\Phi) - \delta`,
      here in the reduced, whitened coordinates) and approximate balance
      :math:`\|\mathcal D\|_F \le C\delta^2` with ``C = balance_constant``. The slides give this
      condition without the constant, and Arora et al.'s own threshold is for gradient descent
      with a step size, so ``C`` is a user choice, not the paper's. Rate: Theorem 3.
    - ``homogeneous_imbalance`` (Tarmoun et al. 2021): :math:`\mathcal D = \lambda_0 I_h`,
      :math:`\lambda_0 \ne 0`. Rate: the asymptotic (local) rate of :func:`local_rate_limit`,
      :math:`2\sqrt{\lambda_0^2 + 4\sigma_{\min}^2}` when :math:`\Sigma_x = I`, h = r = m; the note
      carries the guaranteed rate from t = 0.
    - ``sufficient_imbalance``: :math:`\Delta_{\rm low} > 0`. Rate :math:`2\lambda_r(\Sigma_x)\Delta_{\rm low}`.
    - ``sufficient_margin``: :math:`\delta > 0`. Rate: Theorem 3, :math:`\lambda_r(\Sigma_x)c(0)`.

    Zero tests are relative: a quantity counts as zero when at most ``balance_rtol`` times
    :math:`\kappa` (the imbalance's own scale).

    Parameters
    ----------
    X : array_like, shape (n, D), or None when ``problem`` is given
    Y : array_like, shape (n, m), or None when ``problem`` is given
    U : array_like, shape (D, h)
    V : array_like, shape (m, h)
    problem : Problem, optional
    balance_rtol : float
        Relative tolerance of the zero tests, in [0, 1) (formerly ``rtol``).
    balance_constant : float
        ``C`` of the ``margin_approx_balanced`` row, > 0.

    Returns
    -------
    InitializationClass
    """
    problem, U1, V = _resolve(X, Y, U, V, problem)
    balance_rtol = relative_tolerance("balance_rtol", balance_rtol, allow_zero=True)
    C = positive_float("balance_constant", balance_constant)
    q = reduced_rate_quantities(problem, U1, V)
    h = U1.shape[1]
    zero = balance_rtol * float(np.sum(U1**2) + np.sum(V**2))
    # ||D||_F from its nonzero spectrum: the Gram identity tr(D^2) = ||A||^2 + ||B||^2 - 2||P||^2
    # cancels to sqrt(eps) * scale for a balanced D, which would hide balance.
    ev = q.spectrum.eigenvalues
    normD = float(np.linalg.norm(ev))
    # For h > r + m, D has h - r - m zero eigenvalues, so D = lambda0 I forces lambda0 = 0.
    lam0 = float(np.mean(ev)) if ev.size == h else 0.0
    homogeneous = ev.size == h and abs(lam0) > zero and float(np.max(np.abs(ev - lam0))) <= zero
    return InitializationClass(rows=_rows(q, normD, zero, C, homogeneous, lam0), quantities=q)


def _rows(q: RateQuantities, normD, zero, C, homogeneous, lam0) -> tuple[Guarantee, ...]:
    """The rows of the talk's summary table, from the quantities classify_initialization found."""
    thm = q.convergence_rate
    return (
        # With D = 0, Theorem 3's c(0) is positive exactly when the margin is; testing thm > 0
        # instead would let the rounding-level Delta_low of a balanced D (~1e-16) count as a rate.
        Guarantee(
            "balanced",
            "||D||_F <= balance_rtol * (||U1||_F^2 + ||V||_F^2)",
            normD <= zero and q.margin > 0,
            thm,
            "Theorem 3 rate; positive only with a margin",
        ),
        Guarantee(
            "margin_approx_balanced",
            "margin > 0 and ||D||_F <= balance_constant * margin^2",
            q.margin > 0 and normD <= C * q.margin**2,
            thm,
            "Theorem 3 rate",
        ),
        Guarantee(
            "homogeneous_imbalance",
            "D = lambda0 I_h, lambda0 != 0",
            homogeneous,
            q.local_rate_limit,
            f"lambda0 = {lam0:.6g}; guaranteed from t = 0: {thm:.6g}",
        ),
        Guarantee(
            "sufficient_imbalance",
            "Delta_low > balance_rtol * (||U1||_F^2 + ||V||_F^2)",
            q.spectrum.Delta_low > zero,
            q.sufficient_imbalance_rate,
            "2 lambda_r(Sigma_x) Delta_low",
        ),
        Guarantee(
            "sufficient_margin",
            "sigma_min(Ytilde) - ||Ytilde - Sigma_x^{1/2} U1 V^T||_F > 0",
            q.margin > 0,
            thm,
            "Theorem 3 rate lambda_r(Sigma_x) c(0)",
        ),
    )
