r"""Exact solutions of the gradient flow, used as ground truth for the integrators.

- The scalar model :math:`L = \tfrac12 (y - uv)^2` with :math:`d = u^2 - v^2 = 0` (the talk; extended version, Section 3).
- The Gram matrix :math:`Q = ZZ^\top`, :math:`Z = [U_1; V]`, when :math:`\Sigma_x = I` and the
  imbalance is balanced (:math:`\mathcal D = 0`) or homogeneous (:math:`\mathcal D = \lambda_0 I`):
  a matrix Riccati equation with an explicit solution (derived in the book).

Used in: ``book/scalar.ipynb`` and the tests of :mod:`lnet.dynamics`.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_matrix

__all__ = ["gram_closed_form", "riccati_balanced", "riccati_homogeneous", "scalar_product_balanced"]


def _finite_scalar(name, x) -> float:
    if isinstance(x, bool) or not np.isscalar(x):
        raise TypeError(f"{name} must be a real number; got {x!r}")
    x = float(x)
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite; got {x}")
    return x


def scalar_product_balanced(w0, y, t):
    r"""The product :math:`w(t) = u(t) v(t)` of the balanced (:math:`u^2 = v^2`) scalar flow.

    With :math:`d = 0` the product obeys :math:`\dot w = 2|w|(y - w)`, a logistic equation; for
    :math:`w_0 > 0`

    .. math::

        w(t) = \frac{y\, w_0\, e^{2yt}}{y + w_0 (e^{2yt} - 1)},

    and for :math:`w_0 < 0` the same with :math:`t \to -t` (``w`` keeps its sign: ``w = 0`` is a
    fixed point, the saddle at the origin). Evaluated in an overflow-free form, also for ``y = 0``
    (:math:`w = w_0 / (1 + 2|w_0| t)`).

    Used in: ``book/scalar.ipynb``.

    Parameters
    ----------
    w0, y : float
        Initial product and target.
    t : float or array_like
        Times, >= 0.

    Returns
    -------
    float or ndarray
        :math:`w(t)`, same shape as ``t``.
    """
    w0 = _finite_scalar("w0", w0)
    y = _finite_scalar("y", y)
    t_arr = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(t_arr)) or np.any(t_arr < 0):
        raise ValueError("t must be finite and >= 0")
    if w0 == 0:
        out = np.zeros_like(t_arr)
    elif y == 0:
        out = w0 / (1 + 2 * abs(w0) * t_arr)
    else:
        a = 2 * np.sign(w0) * y  # w(t) = y w0 / (y e^{-a t} + w0 (1 - e^{-a t}))
        if a > 0:
            e = np.exp(-a * t_arr)
            out = y * w0 / (y * e + w0 * (1 - e))
        else:
            e = np.exp(a * t_arr)  # multiply through by e^{a t} <= 1
            out = y * w0 * e / (y + w0 * (e - 1))
    return float(out) if out.ndim == 0 else out


def gram_closed_form(Ytilde, Q0, t, lambda0=0.0):
    r"""Exact :math:`Q(t) = Z(t) Z(t)^\top` for :math:`\Sigma_x = I` and :math:`\mathcal D = \lambda_0 I`.

    With :math:`Z = [U_1; V]`, :math:`S = \begin{bmatrix}0 & \tilde Y\\ \tilde Y^\top & 0\end{bmatrix}`,
    :math:`J = \mathrm{diag}(I_r, -I_m)` and :math:`S_\lambda = S + \tfrac{\lambda_0}{2} J`, the flow
    gives the Riccati equation :math:`\dot Q = S_\lambda Q + Q S_\lambda - Q^2`, solved by

    .. math::

        Q(t) = e^{S_\lambda t} Q_0 \Big[I + \tfrac12 S_\lambda^{-1}\big(e^{2 S_\lambda t} - I\big) Q_0\Big]^{-1}
        e^{S_\lambda t},

    where :math:`\tfrac12 S^{-1}(e^{2St} - I) = \int_0^t e^{2Ss}\,ds` (defined for singular ``S``).
    :math:`\lambda_0 = 0` is the balanced case. The off-diagonal block of ``Q`` is
    :math:`U_1 V^\top`, hence the end-to-end matrix's row-space part.

    Only valid when every nonzero singular value of ``X`` is 1 and the initialization has
    :math:`U_1^\top U_1 - V^\top V = \lambda_0 I_h` (see :func:`lnet.homogeneous_init`,
    :func:`lnet.balanced_init`); the function cannot check that from ``Q0``.

    Parameters
    ----------
    Ytilde : array_like, shape (r, m)
    Q0 : array_like, shape (r + m, r + m)
        :math:`Z(0) Z(0)^\top`.
    t : float or array_like
        Time(s) >= 0.
    lambda0 : float

    Returns
    -------
    ndarray, shape (r + m, r + m) or (len(t), r + m, r + m)
    """
    Yt = as_matrix("Ytilde", Ytilde)
    r, m = Yt.shape
    Q0 = as_matrix("Q0", Q0, rows=r + m, cols=r + m)
    lambda0 = _finite_scalar("lambda0", lambda0)
    t_arr = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(t_arr)) or np.any(t_arr < 0):
        raise ValueError("t must be finite and >= 0")
    S = np.zeros((r + m, r + m))
    S[:r, r:] = Yt
    S[r:, :r] = Yt.T
    S[np.diag_indices(r + m)] += 0.5 * lambda0 * np.r_[np.ones(r), -np.ones(m)]
    mu, G = np.linalg.eigh(S)
    # A factor Z0 of Q0 = Z0 Z0^T, in the eigenbasis of S
    lam, Ev = np.linalg.eigh(0.5 * (Q0 + Q0.T))
    F = G.T @ (Ev * np.sqrt(np.clip(lam, 0, None)))
    out = []
    for tt in t_arr.ravel():
        if tt == 0:
            out.append(Q0.copy())
            continue
        # g = integral_0^t e^{2 mu s} ds = expm1(2 mu t) / (2 mu) (-> t as mu -> 0), all > 0.
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(np.abs(mu) * tt > 1e-12, np.expm1(2 * mu * tt) / (2 * mu), tt)
        # e F (I + F^T g F)^{-1} F^T e = Dr C (I + C^T C)^{-1} C^T Dr with C = g^{1/2} F and
        # Dr = e / g^{1/2}: the huge factors e^{mu t} and g cancel analytically, and
        # C (I + C^T C)^{-1} C^T = U diag(s^2 / (1 + s^2)) U^T is evaluated stably by an SVD.
        Uc, sc, _ = np.linalg.svd(np.sqrt(g)[:, None] * F, full_matrices=False)
        Dr = np.exp(mu * tt - 0.5 * np.log(g))
        B = G @ (Dr[:, None] * Uc)
        Qt = (B * (sc**2 / (1 + sc**2))) @ B.T
        out.append(0.5 * (Qt + Qt.T))
    out = np.array(out)
    return out[0] if t_arr.ndim == 0 else out.reshape(t_arr.shape + (r + m, r + m))


def riccati_balanced(Ytilde, Q0, t):
    r"""Balanced case (:math:`\mathcal D = 0`) of :func:`gram_closed_form`.

    Parameters
    ----------
    Ytilde : array_like, shape (r, m)
    Q0 : array_like, shape (r + m, r + m)
    t : float or array_like

    Returns
    -------
    ndarray
        As :func:`gram_closed_form`.
    """
    return gram_closed_form(Ytilde, Q0, t, 0.0)


def riccati_homogeneous(Ytilde, Q0, t, lambda0):
    r"""Homogeneous-imbalance case (:math:`\mathcal D = \lambda_0 I`) of :func:`gram_closed_form`.

    Parameters
    ----------
    Ytilde : array_like, shape (r, m)
    Q0 : array_like, shape (r + m, r + m)
    t : float or array_like
    lambda0 : float

    Returns
    -------
    ndarray
        As :func:`gram_closed_form`.
    """
    return gram_closed_form(Ytilde, Q0, t, lambda0)
