r"""Figures of the convergence chapters, drawn from the data of :mod:`lnet.experiments.convergence`.

Conventions of the paper's Figure 2: loss on a log scale against the iteration, solid, with the
Theorem 3 bound dashed in the same colour; the balanced initialization in black.

Used in: ``book/rate.ipynb``, ``book/exp_a.ipynb``, ``book/exp_c.ipynb``.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..plotting import legend_above, plot_loss

__all__ = [
    "plot_experiment_a",
    "plot_experiment_a_flow",
    "plot_experiment_a_linear",
    "plot_experiment_a_rate",
    "plot_experiment_c_loss",
    "plot_experiment_c_rate",
    "plot_experiment_c_spectrum",
    "plot_imbalance_spectrum",
    "spectrum_spreads",
]


def _ax(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def _is_axes(obj) -> bool:
    from matplotlib.axes import Axes

    return isinstance(obj, Axes)


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"{old} is deprecated and will be removed in the next release; use {new}",
        DeprecationWarning,
        stacklevel=3,
    )


def _color(run, i):
    return "k" if run.sigma_U is None else f"C{i}"


def spectrum_spreads(eigenvalues, r, m) -> dict:
    r"""The three quantities of the imbalance spectrum, read off its sorted eigenvalues.

    Parameters
    ----------
    eigenvalues : array_like
        The nonzero eigenvalues of :math:`\mathcal D` (any scaling), any order.
    r, m : int
        Rank of ``X`` and output dimension.

    Returns
    -------
    dict
        ``{"Delta_plus", "Delta_minus", "Delta_low"}``:
        :math:`\lambda_1(\mathcal D) - \lambda_r(\mathcal D)`,
        :math:`\lambda_1(-\mathcal D) - \lambda_m(-\mathcal D)` and
        :math:`\lambda_r(\mathcal D) + \lambda_m(-\mathcal D)`, with an eigenvalue that does
        not exist (fewer than ``r`` positive ones) counted as 0.

    Used in: ``book/rate.ipynb``.
    """
    ev = np.sort(np.asarray(eigenvalues, dtype=float))[::-1]
    pos, neg = ev[ev > 0], -ev[ev < 0][::-1]  # both decreasing
    lam1 = pos[0] if pos.size else 0.0
    lamr = pos[r - 1] if pos.size >= r else 0.0
    nlam1 = neg[0] if neg.size else 0.0
    nlamm = neg[m - 1] if neg.size >= m else 0.0
    return {"Delta_plus": lam1 - lamr, "Delta_minus": nlam1 - nlamm, "Delta_low": lamr + nlamm}


def plot_imbalance_spectrum(eigenvalues, r, m=None, ax=None, *, title=None, annotate=True):
    r"""Eigenvalues of the imbalance :math:`\mathcal D`, with :math:`\Delta_+`, :math:`\Delta_-`, :math:`\Delta_{\rm low}` marked.

    Parameters
    ----------
    eigenvalues : array_like
        The nonzero eigenvalues of :math:`\mathcal D` (any scaling), any order.
    r, m : int
        Rank of ``X`` and output dimension: :math:`\lambda_r(\mathcal D)` and
        :math:`\lambda_m(-\mathcal D)` are read off the sorted values.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    title : str, optional
    annotate : bool
        Draw the three quantities as labelled vertical arrows.

    Returns
    -------
    matplotlib.axes.Axes
        The quantities themselves are :func:`spectrum_spreads`.

    The old form ``plot_imbalance_spectrum(ax, eigenvalues, r, m)``, which returned the
    dictionary of :func:`spectrum_spreads`, still works for one release, with a
    ``DeprecationWarning``.

    Used in: ``book/rate.ipynb``, ``book/exp_c.ipynb``.
    """
    if _is_axes(eigenvalues):  # the old form: (ax, eigenvalues, r, m)
        _deprecated(
            "plot_imbalance_spectrum(ax, eigenvalues, r, m)",
            "plot_imbalance_spectrum(eigenvalues, r, m, ax=ax), and spectrum_spreads for the numbers",
        )
        ax_, eigenvalues, r, m = eigenvalues, r, m, ax
        _draw_spectrum(ax_, eigenvalues, r, m, title=title, annotate=annotate)
        return spectrum_spreads(eigenvalues, r, m)
    if m is None:
        raise TypeError("plot_imbalance_spectrum() needs r and m")
    ax = _ax(ax)
    _draw_spectrum(ax, eigenvalues, r, m, title=title, annotate=annotate)
    return ax


def _draw_spectrum(ax, eigenvalues, r, m, *, title, annotate):
    ev = np.sort(np.asarray(eigenvalues, dtype=float))[::-1]
    pos, neg = ev[ev > 0], -ev[ev < 0][::-1]
    lam1 = pos[0] if pos.size else 0.0
    lamr = pos[r - 1] if pos.size >= r else 0.0
    nlam1 = neg[0] if neg.size else 0.0
    nlamm = neg[m - 1] if neg.size >= m else 0.0
    k = np.arange(1, ev.size + 1)
    ax.plot(k[ev > 0], ev[ev > 0], "o", color="C0", label=r"positive eigenvalues of $\mathcal{D}$")
    ax.plot(
        k[ev <= 0], ev[ev <= 0], "o", color="C3", label=r"negative eigenvalues of $\mathcal{D}$"
    )
    ax.axhline(0, color="0.4", lw=0.8)
    if annotate:
        x0 = ev.size + 1.5
        spans = [
            (lamr, lam1, x0, "C0", r"$\Delta_+$"),
            (-nlam1, -nlamm, x0, "C3", r"$\Delta_-$"),
            (-nlamm, lamr, x0 + 0.12 * ev.size + 1.2, "C2", r"$\Delta_{\rm low}$"),
        ]
        for lo, hi, x, col, text in spans:
            ax.annotate(
                "",
                xy=(x, hi),
                xytext=(x, lo),
                arrowprops=dict(arrowstyle="<->", color=col, lw=1.5, shrinkA=0, shrinkB=0),
            )
            ax.text(x + 0.3, 0.5 * (lo + hi), text, color=col, va="center")
        for y, col in ((lam1, "C0"), (lamr, "C0"), (-nlam1, "C3"), (-nlamm, "C3")):
            ax.axhline(y, color=col, lw=0.7, ls=":")
        ax.set_xlim(0, x0 + 0.25 * ev.size + 3)
    ax.set(xlabel="index $k$ (decreasing order)", ylabel=r"eigenvalue $\lambda_k(\mathcal{D})$")
    if title:
        ax.set_title(title)


def plot_experiment_a(exp, ax=None, *, bounds=True, every=10):
    r"""The paper's Figure 2: log loss against the iteration, with the Theorem 3 bound dashed.

    The bound is :math:`\ell(0)\,e^{-\lambda_r(\Sigma_x)c(0)\,t}` at :math:`t = 2\eta k/n`. The
    legend carries :math:`\Delta_{\rm low}(0)`, the number the paper's legend calls ``c``.

    Used in: ``book/exp_a.ipynb``.
    """
    ax = _ax(ax)
    for i, run in enumerate(exp.cases.values()):
        k = np.arange(run.losses.size)[::every]
        b = run.bound[::every] if bounds and run.rate > 1e-12 else None
        plot_loss(ax, k, run.losses[::every], bound=b, label=run.label, color=_color(run, i))
    ax.set(xlabel="iteration $k$", ylabel=r"loss $\frac{1}{n}\|Y - XUV^\top\|_F^2$")
    legend_above(ax)
    return ax


def plot_experiment_a_linear(exp, ax=None, *, every=10):
    """EXT's linear-scale panel of experiment A: the same losses, linear axis.

    Used in: ``book/exp_a.ipynb``.
    """
    ax = _ax(ax)
    for i, run in enumerate(exp.cases.values()):
        k = np.arange(run.losses.size)[::every]
        ax.plot(k, run.losses[::every], color=_color(run, i), label=run.label)
    ax.set(xlabel="iteration $k$", ylabel=r"loss $\frac{1}{n}\|Y - XUV^\top\|_F^2$", ylim=(0, None))
    legend_above(ax)
    return ax


def plot_experiment_a_rate(exp, ax=None):
    r"""EXT's rate panel: instantaneous rate (solid) against the Proposition 1 bound (dashed).

    Used in: ``book/exp_a.ipynb``.
    """
    ax = _ax(ax)
    for i, run in enumerate(exp.cases.values()):
        col = _color(run, i)
        ax.plot(run.rate_steps, run.inst_rate, color=col, label=run.label)
        ax.plot(run.rate_steps, run.rate_bound, ls="--", lw=1.2, color=col)
    ax.plot([], [], ls="--", color="0.4", label="Proposition 1 bound")
    ax.set(xlabel="iteration $k$", ylabel=r"rate $-\dot{\tilde L}/\tilde L$", yscale="log")
    legend_above(ax)
    return ax


def plot_experiment_a_flow(exp, ax=None, *, every=10):
    """Gradient descent (solid) against gradient flow (dotted, black) on the same time axis.

    Used in: ``book/exp_a.ipynb``.
    """
    ax = _ax(ax)
    for i, run in enumerate(exp.cases.values()):
        col = _color(run, i)
        plot_loss(ax, run.times[::every], run.losses[::every], color=col, label=run.label)
        ax.plot(
            run.flow_times,
            run.flow_loss,
            ls=(0, (1, 2)),
            lw=2.2,
            color="0.2" if col != "k" else "0.6",
        )
    ax.plot([], [], ls=(0, (1, 2)), lw=2.2, color="0.2", label="gradient flow")
    ax.set(xlabel=r"time $t = 2\eta k / n$", ylabel=r"loss $\frac{1}{n}\|Y - XUV^\top\|_F^2$")
    legend_above(ax)
    return ax


def plot_experiment_c_spectrum(exp, widths=(30, 1000), fig=None):
    r"""EXT Fig. 2: the scaled eigenvalues of :math:`\mathcal D(0)` at two widths, quantities marked.

    One panel per width, side by side, sharing the vertical axis; one legend below them.
    Returns the figure. The old form ``plot_experiment_c_spectrum(exp, widths, axes)``,
    drawing into given axes and returning them, still works for one release, with a
    ``DeprecationWarning``.

    Used in: ``book/exp_c.ipynb``.
    """
    if fig is not None and not _is_figure(fig):  # the old form: axes
        _deprecated(
            "plot_experiment_c_spectrum(exp, widths, axes)",
            "plot_experiment_c_spectrum(exp, widths, fig=None) -> Figure",
        )
        axes = fig
        _spectrum_panels(exp, widths, np.atleast_1d(axes))
        np.atleast_1d(axes)[0].legend(loc="lower left")
        return axes
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(7.2, 4.2))
    axes = np.atleast_1d(fig.subplots(1, len(widths), sharey=True))
    _spectrum_panels(exp, widths, axes)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2)
    return fig


def _is_figure(obj) -> bool:
    from matplotlib.figure import FigureBase

    return isinstance(obj, FigureBase)


def _spectrum_panels(exp, widths, axes):
    for i, (ax, h) in enumerate(zip(axes, widths, strict=False)):
        run = exp[h]
        _draw_spectrum(ax, run.eigenvalues, exp.n, exp.m, title=f"$h = {h}$", annotate=True)
        ax.set_ylabel(r"$\lambda_k(\mathcal{D}(0)) / (mh)$" if i == 0 else "")


def plot_experiment_c_loss(exp, ax=None):
    """Experiment C: log loss against the iteration per width, Theorem 3 bound dashed.

    Used in: ``book/exp_c.ipynb``.
    """
    ax = _ax(ax)
    for i, run in enumerate(exp.runs.values()):
        k = np.arange(run.losses.size)
        plot_loss(ax, k, run.losses, bound=run.bound, color=f"C{i}", label=f"$h = {run.h}$")
    ax.set(xlabel="iteration $k$", ylabel=r"loss $\frac{1}{2}\|Y - UV^\top/\sqrt{mh}\|_F^2$")
    legend_above(ax, ncol=3)
    return ax


def plot_experiment_c_rate(exp, ax=None):
    """Experiment C: instantaneous rate (solid) and Proposition 1 bound (dashed) per width.

    Used in: ``book/exp_c.ipynb``.
    """
    ax = _ax(ax)
    for i, run in enumerate(exp.runs.values()):
        k = np.rint(run.rate_times / exp.eta).astype(int)
        ax.plot(k, run.inst_rate, color=f"C{i}", label=f"$h = {run.h}$")
        ax.plot(k, run.rate_bound, ls="--", lw=1.2, color=f"C{i}")
    ax.plot([], [], ls="--", color="0.4", label="Proposition 1 bound")
    top = max(float(np.nanmax(run.inst_rate)) for run in exp.runs.values())
    ax.set(xlabel="iteration $k$", ylabel=r"rate $-\dot{\tilde L}/\tilde L$", ylim=(0, 1.05 * top))
    legend_above(ax, ncol=3)
    return ax
