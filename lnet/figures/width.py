r"""Figures of the implicit-bias, width and experiment-B chapters, drawn from :mod:`lnet.experiments.width` data.

Each function takes the dataclass an experiment returned and returns a
:class:`matplotlib.figure.Figure`; nothing is computed here beyond means and percentiles.

Used in: ``book/implicit_bias.ipynb``, ``book/width.ipynb``, ``book/exp_b.ipynb``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "plot_experiment_b",
    "plot_width_extension",
    "plot_alpha_sweep",
    "plot_lemma_scan",
    "plot_theorem2",
    "plot_implicit_bias",
    "plot_small_init",
]

_DIST = r"$\|U(t_f)V(t_f)^\top - \hat\Theta\|_F$"
_U2V0 = r"$\|U_2(0)V(0)^\top\|_F$"


def _tex_tol(tol: float) -> str:
    """``1e-08`` as ``10^{-8}`` for axis labels."""
    mant, exp = f"{tol:.0e}".split("e")
    return (f"10^{{{int(exp)}}}" if mant == "1" else f"{mant} \\cdot 10^{{{int(exp)}}}")


def _errorbar(ax, x, runs, name, **kw):
    return ax.errorbar(x, runs.mean(name), yerr=runs.std(name), capsize=2.5, ms=4, lw=1.2, **kw)


def plot_experiment_b(runs):
    r"""The paper's three panels of experiment B (ICML Fig. 1 / App. Fig. 4; EXT Fig. 7).

    (a) :math:`\|U_2(0)V(0)^\top\|_F` and :math:`\|U(t_f)V(t_f)^\top - \hat\Theta\|_F` against
    :math:`h`, mean over seeds with one-standard-deviation error bars; (b) the same against
    :math:`1/\sqrt h`; (c) iterations until the loss is below the tolerance.

    Used in: ``book/exp_b.ipynb``.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.9))
    h = runs.widths
    for ax, x in ((axes[0], h), (axes[1], 1 / np.sqrt(h))):
        _errorbar(ax, x, runs, "u2v0", fmt="s-", label=_U2V0, color="C1")
        _errorbar(ax, x, runs, "dist", fmt="o-", label=_DIST, color="C0")
        ax.set_ylim(0, None)
        ax.legend()
    axes[0].set(xlabel="width $h$", ylabel="distance", title="(a) against $h$")
    axes[1].set(xlabel=r"$1/\sqrt{h}$", ylabel="distance", title=r"(b) against $1/\sqrt{h}$")
    _errorbar(axes[2], h, runs, "steps", fmt="o-", color="C2")
    axes[2].set(xlabel="width $h$", ylabel="iterations",
                title=f"(c) iterations until loss $< {_tex_tol(runs.tol)}$")
    axes[2].ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
    return fig


def plot_width_extension(paper, extension, fit):
    r"""Distance against width on log-log axes, the paper's range and beyond, with a fitted power law.

    Used in: ``book/exp_b.ipynb``.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.3))
    for runs, fmt, lab in ((paper, "o", "paper's widths (Gaussian draws)"),
                           (extension, "D", "beyond (sampled in distribution)")):
        ax.errorbar(runs.widths, runs.mean("dist"), yerr=runs.std("dist"), fmt=fmt, capsize=2.5,
                    ms=4.5, label=lab)
    hh = np.geomspace(min(paper.widths.min(), extension.widths.min()) / 1.3,
                      max(paper.widths.max(), extension.widths.max()) * 1.3, 50)
    ax.plot(hh, fit(hh), "k--", lw=1,
            label=f"fit $\\propto h^{{{fit.slope:.3f}}}$")
    ax.set(xscale="log", yscale="log", xlabel="width $h$", ylabel=_DIST)
    ax.legend()
    return fig


def plot_alpha_sweep(sweep):
    r"""Left: distance against :math:`h` for each :math:`\alpha`, with fitted power laws. Right: fitted
    exponent against :math:`\alpha`, with the Theorem's :math:`-(2\alpha - 1/2)`.

    Used in: ``book/width.ipynb``.
    """
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), width_ratios=[1.3, 1])
    for i, (a, runs, fit) in enumerate(zip(sweep.alphas, sweep.runs, sweep.fits)):
        c = f"C{i}"
        ax.errorbar(runs.widths, runs.mean("dist"), yerr=runs.std("dist"), fmt="o", ms=4,
                    capsize=2, color=c, label=rf"$\alpha = {a:g}$")
        ax.plot(runs.widths, fit(runs.widths), "-", lw=1, color=c)
    ax.set(xscale="log", yscale="log", xlabel="width $h$",
           ylabel=r"$\|U(\infty)V(\infty)^\top - \hat\Theta\|_F$ (gradient flow)")
    ax.legend(fontsize=8.5)
    aa = np.linspace(0.25, 0.5, 50)
    ax2.plot(aa, -(2 * aa - 0.5), "k--", lw=1, label=r"Theorem: $-(2\alpha - 1/2)$")
    ax2.errorbar(sweep.alphas, sweep.slopes, yerr=2 * sweep.slope_se, fmt="o", color="C3",
                 capsize=3, label="fitted exponent ($\\pm 2$ s.e.)")
    ax2.set(xlabel=r"$\alpha$", ylabel="exponent of $h$")
    ax2.legend()
    return fig


def _band(ax, h, q, color, label):
    lo, med, hi = np.percentile(q, [2.5, 50, 97.5], axis=1)
    ax.fill_between(h, lo, hi, color=color, alpha=0.25, lw=0)
    ax.plot(h, med, "-", color=color, label=label)


def plot_lemma_scan(scan):
    r"""The Lemma's three quantities against :math:`h` (median and 95% band over seeds), their bounds for
    each :math:`\delta` (dashed) and the thresholds :math:`h_0(\delta)` (dotted); last panel: the
    fraction of seeds in which all three inequalities hold, against :math:`1 - \delta`.

    Used in: ``book/width.ipynb``.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 7.6))
    h = scan.widths
    panels = (
        (axes[0, 0], scan.imbalance, scan.bound_imbalance,
         r"$\lambda_r(\mathcal{D}(0)) + \lambda_m(-\mathcal{D}(0))$", "lower bound $h^{1-2\\alpha}$"),
        (axes[0, 1], scan.orthogonality, scan.bound_orthogonality,
         r"$\|[V(0)U_2(0)^\top;\ U_1(0)U_2(0)^\top]\|_F$", "upper bound"),
        (axes[1, 0], scan.product, scan.bound_product, r"$\|U_1(0)V(0)^\top\|_F$", "upper bound"),
    )
    greys = ["0.15", "0.4", "0.6", "0.75"]
    for ax, q, b, lab, blab in panels:
        _band(ax, h, q, "C0", "measured (median, 95% of seeds)")
        lower = ax is axes[0, 0]
        for k, d in enumerate(scan.deltas):
            if lower and k == 0:  # h^(1 - 2 alpha) does not depend on delta
                ax.plot(h, b[k], "--", color="0.15", lw=1.1, label=f"{blab} (every $\\delta$)")
            elif not lower:
                ax.plot(h, b[k], "--", color=greys[k % 4], lw=1.1, label=f"{blab}, $\\delta = {d:g}$")
            ax.axvline(scan.h0[k], color=greys[k % 4], ls=":", lw=0.9)
        ax.set(xscale="log", yscale="linear" if lower else "log", xlabel="width $h$", ylabel=lab)
        ax.legend(fontsize=8)
    ax = axes[1, 1]
    styles = ["-", "--", ":"]
    for k, d in enumerate(scan.deltas):
        (ln,) = ax.plot(h, scan.holds_all[k], "o", ls=styles[k % 3], ms=3, label=f"$\\delta = {d:g}$")
        ax.axhline(1 - d, color=ln.get_color(), ls="--", lw=0.9)
        ax.axvline(scan.h0[k], color=ln.get_color(), ls=":", lw=0.9)
    ax.set(xscale="log", xlabel="width $h$", ylabel="fraction of seeds: all three hold",
           ylim=(-0.03, 1.03))
    ax.legend(fontsize=8, loc="lower right")
    return fig


def plot_theorem2(t2, runs):
    r"""Theorem 2's bound (one dashed line per :math:`\delta`) against the measured distance.

    Used in: ``book/width.ipynb``.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    _band(ax, runs.widths, runs.dist, "C0", "measured, gradient flow (median, 95% of seeds)")
    greys = ["0.15", "0.4", "0.6"]
    for k, d in enumerate(t2.deltas):
        ax.plot(t2.widths, t2.bound[k], "--", color=greys[k % 3], label=f"Theorem 2 bound, $\\delta = {d:g}$")
        ax.axvline(t2.h0_lemma[k], color=greys[k % 3], ls=":", lw=0.9)
    ax.axhline(runs.theta_hat_norm, color="C3", lw=1, label=r"$\|\hat\Theta\|_F$")
    ax.set(xscale="log", yscale="log", xlabel="width $h$", ylabel=r"$\|U(\infty)V(\infty)^\top - \hat\Theta\|_F$")
    ax.legend(fontsize=8.5, loc="center left")
    return fig


_BIAS_LABELS = {
    "random": "random",
    "orthogonal": "orthogonal ($VU_2^\\top = 0$, $U_1U_2^\\top = 0$)",
    "counterexample": "$VU_2^\\top = 0$ only",
}


def plot_implicit_bias(traj):
    r"""Loss, distance to :math:`\hat\Theta` (solid) and :math:`\|U_2(0)V(t)^\top\|_F` (dotted) along the flow.

    Used in: ``book/implicit_bias.ipynb``.
    """
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    tiny = 1e-18
    for i, name in enumerate(("random", "orthogonal", "counterexample")):
        c = f"C{i}"
        ax.plot(traj.times, traj.loss[name], color=c, label=_BIAS_LABELS[name])
        ax2.plot(traj.times, np.maximum(traj.dist[name], tiny), color=c, label=_BIAS_LABELS[name])
        ax2.plot(traj.times, np.maximum(traj.u2v[name], tiny), ":", color=c, lw=1.6)
    ax.set(yscale="log", xlabel="time $t$", ylabel=r"loss $\frac{1}{n}\|Y - XUV^\top\|_F^2$")
    ax.legend(fontsize=8.5)
    ax2.plot([], [], "k:", label=r"$\|U_2(0)V(t)^\top\|_F$")
    ax2.set(yscale="log", xlabel="time $t$", ylabel=r"$\|U(t)V(t)^\top - \hat\Theta\|_F$",
            ylim=(1e-17, 10))
    ax2.legend(fontsize=8.5, loc="center right")
    return fig


def plot_small_init(runs):
    r"""Small initializations: the bias term :math:`\|U_2(0)V(t_f)^\top\|_F` and the time to converge against the scale.

    Used in: ``book/implicit_bias.ipynb``.
    """
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    s = runs.scales
    ax.errorbar(s, runs.bias.mean(1), yerr=runs.bias.std(1), fmt="o-", capsize=3)
    ax.set(xscale="log", yscale="log", xlabel=r"initial scale $\sigma$",
           ylabel=r"bias $\|U_2(0)V(t_f)^\top\|_F$")
    ax2.errorbar(s, runs.time.mean(1), yerr=runs.time.std(1), fmt="o-", capsize=3, color="C2")
    ax2.set(xscale="log", xlabel=r"initial scale $\sigma$",
            ylabel=f"time until loss $< {_tex_tol(runs.tol)}$")
    return fig
