r"""The book's shared figure style and two small helpers for loss curves.

One style for every figure (``lnet/book.mplstyle``): readable sizes for HTML, constrained
layout, a colour-blind-safe cycle, no top/right spines. Loss curves are drawn on a log
scale, solid, with the matching guarantee dashed in the same colour, the convention of the
paper's Figure 2.

Used in: every chapter; first in ``book/setup.ipynb`` and ``book/scalar.ipynb``.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

__all__ = ["STYLE", "plot_loss", "style_path", "use_book_style"]

STYLE = "book.mplstyle"


def style_path() -> str:
    """Path of the book's matplotlib style file, shipped inside the package."""
    return str(resources.files("lnet").joinpath(STYLE))


def use_book_style() -> None:
    """Apply the book's matplotlib style to every figure made afterwards.

    Used in: every notebook of the book, in its imports cell.
    """
    import matplotlib.pyplot as plt

    plt.style.use(style_path())


def plot_loss(ax, t, loss, *, bound=None, label=None, color=None, bound_label=None, **kwargs):
    r"""Draw a loss curve on a log scale, and optionally its guaranteed upper bound dashed.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    t, loss : array_like
        Times (or iterations) and loss values, same length. Zeros are not drawn (log scale).
    bound : array_like, optional
        Values of an upper bound (for example :math:`e^{-ct} L(0)`) at the same times; drawn
        dashed in the loss curve's colour.
    label, bound_label : str, optional
        Legend entries for the curve and the bound.
    color : optional
        Colour of both; the next colour of the cycle by default.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.plot` for the loss curve.

    Returns
    -------
    list of matplotlib.lines.Line2D
        The loss line, then the bound line if drawn.

    Used in: ``book/setup.ipynb``, ``book/scalar.ipynb``.
    """
    t = np.asarray(t, dtype=np.float64)
    loss = np.asarray(loss, dtype=np.float64)
    if t.shape != loss.shape or t.ndim != 1:
        raise ValueError(
            f"t and loss must be 1-D of the same length; got shapes {t.shape} and {loss.shape}"
        )
    shown = np.where(loss > 0, loss, np.nan)
    (line,) = ax.plot(t, shown, label=label, color=color, **kwargs)
    lines = [line]
    if bound is not None:
        bound = np.asarray(bound, dtype=np.float64)
        if bound.shape != t.shape:
            raise ValueError(f"bound must have the shape of t {t.shape}; got {bound.shape}")
        (bl,) = ax.plot(t, np.where(bound > 0, bound, np.nan), ls="--", lw=1.2,
                        color=line.get_color(), label=bound_label)
        lines.append(bl)
    ax.set_yscale("log")
    return lines
