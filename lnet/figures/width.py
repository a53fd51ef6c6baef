r"""Figures of the implicit-bias, width and experiment-B chapters, drawn from :mod:`lnet.experiments.width` data.

Each function takes the dataclass an experiment returned; one of a single panel draws into
``ax`` and returns it (``plot_x(data, ax=None) -> Axes``), one of several panels fills
``fig`` and returns it (``plot_x(data, fig=None) -> Figure``). Nothing is computed here
beyond means and percentiles.

Used in: ``book/implicit_bias.ipynb``, ``book/width.ipynb``, ``book/exp_b.ipynb``.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..plotting import COLUMN_WIDTH, legend_above

__all__ = [
    "plot_alpha_sweep",
    "plot_experiment_b",
    "plot_experiment_b_extension",
    "plot_implicit_bias",
    "plot_lemma_scan",
    "plot_small_init",
    "plot_theorem2",
    "plot_theorem2_bound",
    # deprecated names, kept for one release
    "plot_width_extension",
]

_DIST = r"$\|U(t_f)V(t_f)^\top - \hat\Theta\|_F$"
_U2V0 = r"$\|U_2(0)V(0)^\top\|_F$"


def _tex_tol(tol: float) -> str:
    """``1e-08`` as ``10^{-8}`` for axis labels."""
    mant, exp = f"{tol:.0e}".split("e")
    return f"10^{{{int(exp)}}}" if mant == "1" else f"{mant} \\cdot 10^{{{int(exp)}}}"


def _errorbar(ax, x, runs, name, **kw):
    return ax.errorbar(x, runs.mean(name), yerr=runs.std(name), capsize=2.5, ms=4, lw=1.2, **kw)


def _figure(fig, height):
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(COLUMN_WIDTH - 0.3, height))
    return fig


def _ax(ax, height=4.2):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(COLUMN_WIDTH - 0.3, height))
    return ax


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"{old} is deprecated and will be removed in the next release; use {new}",
        DeprecationWarning,
        stacklevel=3,
    )


def plot_experiment_b(runs, fig=None):
    r"""The paper's three panels of experiment B (ICML Fig. 1 / App. Fig. 4; EXT Fig. 7), as 2 x 2.

    (a) :math:`\|U_2(0)V(0)^\top\|_F` (orange open squares, dashed) and
    :math:`\|U(t_f)V(t_f)^\top - \hat\Theta\|_F` (blue filled circles) against :math:`h`, mean over
    seeds with one-standard-deviation error bars; (b) the same against :math:`1/\sqrt h`;
    (c) iterations until the loss is below the tolerance (green). The fourth cell holds the
    legend, off the data. Returns the figure.

    Used in: ``book/exp_b.ipynb``.
    """
    fig = _figure(fig, 6.0)
    axes = fig.subplots(2, 2)
    h = runs.widths
    for ax, x in ((axes[0, 0], h), (axes[0, 1], 1 / np.sqrt(h))):
        # the two nearly coincide (that is the finding): open squares on a dashed line
        # under filled circles on a solid one, so both stay visible
        _errorbar(ax, x, runs, "u2v0", fmt="s--", label=_U2V0, color="C1", mfc="none", zorder=2)
        _errorbar(ax, x, runs, "dist", fmt="o-", label=_DIST, color="C0", zorder=3)
        ax.set_ylim(0, None)
    axes[0, 0].set(xlabel="width $h$", ylabel="distance", title="(a) against $h$")
    axes[0, 1].set(xlabel=r"$1/\sqrt{h}$", ylabel="distance", title=r"(b) against $1/\sqrt{h}$")
    _errorbar(axes[1, 0], h, runs, "steps", fmt="o-", color="C2", label="iterations (panel c)")
    axes[1, 0].set(
        xlabel="width $h$",
        ylabel="iterations",
        title=f"(c) iterations until loss $< {_tex_tol(runs.tol)}$",
    )
    axes[1, 0].ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
    key = axes[1, 1]
    key.axis("off")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    h3, l3 = axes[1, 0].get_legend_handles_labels()
    key.legend(handles + h3, labels + l3, loc="center", title="mean over seeds, ±1 s.d.")
    return fig


def plot_experiment_b_extension(paper, extension, fit, ax=None):
    r"""Distance against width on log-log axes, the paper's range and beyond, with a fitted power law.

    The paper's widths are blue circles, the widths beyond them orange diamonds, the fit
    a dashed black line. Returns the axes.

    Used in: ``book/exp_b.ipynb``.
    """
    ax = _ax(ax, 4.4)
    for runs, fmt, lab in (
        (paper, "o", "paper's widths (Gaussian draws)"),
        (extension, "D", "beyond (sampled in distribution)"),
    ):
        ax.errorbar(
            runs.widths,
            runs.mean("dist"),
            yerr=runs.std("dist"),
            fmt=fmt,
            capsize=2.5,
            ms=4.5,
            label=lab,
        )
    hh = np.geomspace(
        min(paper.widths.min(), extension.widths.min()) / 1.3,
        max(paper.widths.max(), extension.widths.max()) * 1.3,
        50,
    )
    ax.plot(hh, fit(hh), "k--", lw=1, label=f"fit $\\propto h^{{{fit.slope:.3f}}}$")
    ax.set(xscale="log", yscale="log", xlabel="width $h$", ylabel=_DIST)
    legend_above(ax, ncol=2)
    return ax


def plot_width_extension(paper, extension, fit):
    """Deprecated: :func:`plot_experiment_b_extension`, which returns the axes; this returns the figure.

    Used in: ``book/exp_b.ipynb`` (until it calls the new name).
    """
    _deprecated(
        "plot_width_extension(paper, extension, fit)",
        "plot_experiment_b_extension(paper, extension, fit, ax=None) -> Axes",
    )
    return plot_experiment_b_extension(paper, extension, fit).figure


def plot_alpha_sweep(sweep, fig=None):
    r"""Left: distance against :math:`h` for each :math:`\alpha`, with fitted power laws. Right: fitted
    exponent against :math:`\alpha`, with the Theorem's :math:`-(2\alpha - 1/2)`.

    One colour per :math:`\alpha` (the cycle: blue, orange, green, red, ...) on the left;
    red points and a dashed black line on the right. Returns the figure.

    Used in: ``book/width.ipynb``.
    """
    fig = _figure(fig, 4.2)
    ax, ax2 = fig.subplots(1, 2, width_ratios=[1.25, 1])
    for i, (a, runs, fit) in enumerate(zip(sweep.alphas, sweep.runs, sweep.fits, strict=False)):
        c = f"C{i}"
        ax.errorbar(
            runs.widths,
            runs.mean("dist"),
            yerr=runs.std("dist"),
            fmt="o",
            ms=4,
            capsize=2,
            color=c,
            label=rf"$\alpha = {a:g}$",
        )
        ax.plot(runs.widths, fit(runs.widths), "-", lw=1, color=c)
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="width $h$",
        ylabel=r"$\|U(\infty)V(\infty)^\top - \hat\Theta\|_F$",
    )
    legend_above(ax, ncol=2)
    aa = np.linspace(0.25, 0.5, 50)
    ax2.plot(aa, -(2 * aa - 0.5), "k--", lw=1, label=r"Theorem: $-(2\alpha - 1/2)$")
    ax2.errorbar(
        sweep.alphas,
        sweep.slopes,
        yerr=2 * sweep.slope_se,
        fmt="o",
        color="C3",
        capsize=3,
        label="fitted ($\\pm 2$ s.e.)",
    )
    ax2.set(xlabel=r"$\alpha$", ylabel="exponent of $h$")
    legend_above(ax2, ncol=1)
    return fig


def _band(ax, h, q, color, label):
    lo, med, hi = np.percentile(q, [2.5, 50, 97.5], axis=1)
    ax.fill_between(h, lo, hi, color=color, alpha=0.25, lw=0)
    ax.plot(h, med, "-", color=color, label=label)


_GREYS = ["0.1", "0.35", "0.55", "0.7"]
_DASHES = ["--", "-.", (0, (5, 1.5, 1, 1.5, 1, 1.5)), (0, (2, 1.5))]


def plot_lemma_scan(scan, fig=None):
    r"""The Lemma's three quantities against :math:`h` (median and 95% band over seeds), their bounds for
    each :math:`\delta` (dashed, one grey per :math:`\delta`) and the thresholds :math:`h_0(\delta)`
    (dotted, same grey); last panel: the fraction of seeds in which all three inequalities hold,
    against :math:`1 - \delta` (dashed). One legend below the four panels. Returns the figure.

    Used in: ``book/width.ipynb``.
    """
    fig = _figure(fig, 6.8)
    axes = fig.subplots(2, 2)
    h = scan.widths
    panels = (
        (
            axes[0, 0],
            scan.imbalance,
            scan.bound_imbalance,
            r"$\lambda_r(\mathcal{D}(0)) + \lambda_m(-\mathcal{D}(0))$",
        ),
        (
            axes[0, 1],
            scan.orthogonality,
            scan.bound_orthogonality,
            r"$\|[V(0)U_2(0)^\top;\ U_1(0)U_2(0)^\top]\|_F$",
        ),
        (axes[1, 0], scan.product, scan.bound_product, r"$\|U_1(0)V(0)^\top\|_F$"),
    )
    for ax, q, b, lab in panels:
        _band(ax, h, q, "C0", "measured (median, 95% of seeds)")
        lower = ax is axes[0, 0]
        for k in range(len(scan.deltas)):
            if lower and k == 0:  # h^(1 - 2 alpha) does not depend on delta
                ax.plot(
                    h,
                    b[k],
                    "-",
                    color="C3",
                    lw=1.3,
                    label="lower bound $h^{1-2\\alpha}$ (every $\\delta$)",
                )
            elif not lower:
                ax.plot(h, b[k], ls=_DASHES[k % 4], color=_GREYS[k % 4], lw=1.3)
            ax.axvline(scan.h0[k], color=_GREYS[k % 4], ls=":", lw=1.0)
        ax.set(xscale="log", yscale="linear" if lower else "log", xlabel="width $h$", ylabel=lab)
    ax = axes[1, 1]
    for k, d in enumerate(scan.deltas):
        ax.plot(h, scan.holds_all[k], "o", ls=_DASHES[k % 4], color=_GREYS[k % 4], ms=3)
        ax.axhline(1 - d, color=_GREYS[k % 4], ls=":", lw=1.0)
        ax.axvline(scan.h0[k], color=_GREYS[k % 4], ls=":", lw=1.0)
    ax.set(
        xscale="log",
        xlabel="width $h$",
        ylabel="fraction of seeds: all three hold",
        ylim=(-0.03, 1.03),
    )
    handles, labels = axes[0, 0].get_legend_handles_labels()
    from matplotlib.lines import Line2D

    for k, d in enumerate(scan.deltas):
        handles.append(Line2D([], [], ls=_DASHES[k % 4], color=_GREYS[k % 4], lw=1.3))
        labels.append(f"$\\delta = {d:g}$")
    fig.legend(handles, labels, loc="outside lower center", ncol=3)
    return fig


def plot_theorem2_bound(t2, runs, ax=None):
    r"""Theorem 2's bound (one dashed grey line per :math:`\delta`) against the measured distance.

    Measured: blue line and band; :math:`\|\hat\Theta\|_F`: red line; the Lemma's
    :math:`h_0(\delta)`: dotted verticals in the grey of their :math:`\delta`. Returns the axes.

    Used in: ``book/width.ipynb``.
    """
    ax = _ax(ax, 4.6)
    _band(ax, runs.widths, runs.dist, "C0", "measured, gradient flow (median, 95% of seeds)")
    for k, d in enumerate(t2.deltas):
        ax.plot(
            t2.widths,
            t2.bound[k],
            ls=_DASHES[k % 4],
            color=_GREYS[k % 4],
            label=f"Theorem 2 bound, $\\delta = {d:g}$",
        )
        ax.axvline(t2.h0_lemma[k], color=_GREYS[k % 4], ls=":", lw=0.9)
    ax.axhline(runs.theta_hat_norm, color="C3", lw=1.2, label=r"$\|\hat\Theta\|_F$")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="width $h$",
        ylabel=r"$\|U(\infty)V(\infty)^\top - \hat\Theta\|_F$",
    )
    legend_above(ax, ncol=2)
    return ax


def plot_theorem2(t2, runs):
    """Deprecated: :func:`plot_theorem2_bound`, which returns the axes; this returns the figure.

    Used in: ``book/width.ipynb`` (until it calls the new name).
    """
    _deprecated("plot_theorem2(t2, runs)", "plot_theorem2_bound(t2, runs, ax=None) -> Axes")
    return plot_theorem2_bound(t2, runs).figure


_BIAS_LABELS = {
    "random": "random",
    "orthogonal": "orthogonal ($VU_2^\\top = 0$, $U_1U_2^\\top = 0$)",
    "counterexample": "$VU_2^\\top = 0$ only",
}
# Curves that coincide stay visible: the first wide and pale underneath, the next ones
# dashed and dotted on top of it.
_BIAS_STYLES = {
    "random": dict(ls="-", lw=4.0, alpha=0.45, zorder=2),
    "orthogonal": dict(ls="--", lw=1.8, zorder=3),
    "counterexample": dict(ls=(0, (1, 1.5)), lw=2.2, zorder=4),
}


def plot_implicit_bias(traj, fig=None):
    r"""Loss (left) and distance to :math:`\hat\Theta` (right) along the flow, one colour per initialization.

    Random: blue, wide and pale; orthogonal: orange, dashed; :math:`VU_2^\top = 0` only:
    green, dotted, so that curves that coincide (the three losses do) all show. On the
    right, :math:`\|U_2(0)V(t)^\top\|_F` is drawn as open circles in the colour of its
    initialization: the distance levels off at it. One legend below both panels.
    Returns the figure.

    Used in: ``book/implicit_bias.ipynb``.
    """
    fig = _figure(fig, 4.4)
    ax, ax2 = fig.subplots(1, 2)
    tiny = 1e-18
    t = np.asarray(traj.times)
    every = max(1, t.size // 12)
    for i, name in enumerate(("random", "orthogonal", "counterexample")):
        c = f"C{i}"
        style = _BIAS_STYLES[name]
        ax.plot(t, traj.loss[name], color=c, label=_BIAS_LABELS[name], **style)
        ax2.plot(t, np.maximum(traj.dist[name], tiny), color=c, **style)
        # the bias term as markers, staggered per initialization so they do not overlap
        ax2.plot(
            t[i * every // 3 :: every],
            np.maximum(traj.u2v[name], tiny)[i * every // 3 :: every],
            "o",
            mfc="none",
            mec=c,
            ms=5,
            mew=1.2,
            zorder=5,
        )
    ax.set(yscale="log", xlabel="time $t$", ylabel=r"loss $\frac{1}{n}\|Y - XUV^\top\|_F^2$")
    ax2.plot(
        [],
        [],
        "o",
        mfc="none",
        mec="0.3",
        ms=5,
        mew=1.2,
        label=r"$\|U_2(0)V(t)^\top\|_F$ (circles)",
    )
    ax2.set(
        yscale="log",
        xlabel="time $t$",
        ylabel=r"$\|U(t)V(t)^\top - \hat\Theta\|_F$",
        ylim=(1e-17, 10),
    )
    handles, labels = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    fig.legend(handles + h2, labels + l2, loc="outside lower center", ncol=2)
    return fig


def plot_small_init(runs, fig=None):
    r"""Small initializations: the bias term :math:`\|U_2(0)V(t_f)^\top\|_F` (blue) and the time to converge (green) against the scale.

    Returns the figure.

    Used in: ``book/implicit_bias.ipynb``.
    """
    fig = _figure(fig, 3.8)
    ax, ax2 = fig.subplots(1, 2)
    s = runs.scales
    ax.errorbar(s, runs.bias.mean(1), yerr=runs.bias.std(1), fmt="o-", capsize=3, color="C0")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel=r"initial scale $\sigma$",
        ylabel=r"bias $\|U_2(0)V(t_f)^\top\|_F$",
    )
    ax2.errorbar(s, runs.time.mean(1), yerr=runs.time.std(1), fmt="o-", capsize=3, color="C2")
    ax2.set(
        xscale="log",
        xlabel=r"initial scale $\sigma$",
        ylabel=f"time until loss $< {_tex_tol(runs.tol)}$",
    )
    return fig
