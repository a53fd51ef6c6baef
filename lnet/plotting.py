r"""The book's shared figure style and a helper for loss curves.

One style for every figure (``lnet/book.mplstyle``): figures drawn at the size they are
shown (96 dpi, at most :data:`COLUMN_WIDTH` inches wide, text of 10 pt or more),
constrained layout, a colour-blind-safe cycle whose colours have names a caption can use
(:data:`COLORS`), no top/right spines. Loss curves are drawn on a log scale, solid, with
the matching guarantee dashed in the same colour, the convention of the paper's Figure 2.

The figure functions of ``lnet.figures`` follow one convention:
``plot_x(data, ax=None) -> Axes`` draws into ``ax`` (a new figure if ``None``), and a
figure of several panels is ``plot_x(data, fig=None) -> Figure``.

Used in: every chapter; first in ``book/setup.ipynb`` and ``book/scalar.ipynb``.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

__all__ = [
    "COLORS",
    "COLUMN_WIDTH",
    "MIN_FONT_SIZE",
    "STYLE",
    "color_name",
    "figure_problems",
    "legend_above",
    "plot_loss",
    "style_path",
    "use_book_style",
]

STYLE = "book.mplstyle"

#: Widest figure, in inches, that the book shows at its drawn size: the text column is
#: about 756 CSS pixels at a 1400 px window, and the style draws at 96 dpi (CSS pixels).
COLUMN_WIDTH = 7.5

#: Smallest font size, in points, of any text in a figure (the style's smallest is 10).
MIN_FONT_SIZE = 10.0

#: The style's colour cycle, ``C0`` to ``C7``, by the name a caption should use.
COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "red": "#CC3311",
    "purple": "#AA3377",
    "light blue": "#56B4E9",
    "grey": "#777777",
    "black": "#000000",
}


def color_name(color) -> str:
    """The caption name of a colour of the book's cycle: ``"C3"`` or ``"#CC3311"`` -> ``"red"``.

    Raises ``ValueError`` for a colour that is not in :data:`COLORS`.
    """
    from matplotlib.colors import to_hex

    if isinstance(color, str) and len(color) == 2 and color[0] == "C" and color[1].isdigit():
        return list(COLORS)[int(color[1]) % len(COLORS)]
    hexa = to_hex(color).upper()
    for name, value in COLORS.items():
        if value.upper() == hexa:
            return name
    raise ValueError(f"{color!r} is not a colour of the book's cycle ({', '.join(COLORS)})")


def figure_problems(
    fig, *, max_width: float = COLUMN_WIDTH, min_font: float = MIN_FONT_SIZE
) -> list[str]:
    """What keeps ``fig`` from being read at its drawn size in the book; empty if nothing.

    Checks the figure's width (at most ``max_width`` inches, so the page shows it
    unshrunk), the size of every visible text (at least ``min_font`` points) and that no
    legend covers a data point of a line, after drawing the figure once so that
    constrained layout has placed everything.
    """
    from matplotlib.legend import Legend
    from matplotlib.text import Text

    problems = []
    fig.canvas.draw()
    width = fig.get_size_inches()[0]
    if width > max_width + 1e-9:
        problems.append(f"figure is {width:.2f} in wide; at most {max_width} in is shown unshrunk")
    seen = set()
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip():
            continue
        size = text.get_fontsize()
        if size < min_font - 1e-9:
            key = (text.get_text(), size)
            if key not in seen:
                seen.add(key)
                problems.append(f"text {text.get_text()!r} is {size:g} pt (< {min_font:g} pt)")
    renderer = fig.canvas.get_renderer()
    legends = [leg for leg in fig.findobj(Legend) if leg.get_visible()]
    for leg in legends:
        box = leg.get_window_extent(renderer)
        for ax in fig.axes:
            for line in ax.get_lines():
                if not line.get_visible() or line in leg.get_lines():
                    continue
                xy = np.column_stack(
                    [
                        np.asarray(line.get_xdata(), dtype=float),
                        np.asarray(line.get_ydata(), dtype=float),
                    ]
                )
                xy = xy[np.isfinite(xy).all(axis=1)]
                if not xy.size:
                    continue
                with np.errstate(all="ignore"):
                    pts = line.get_transform().transform(xy)
                inside = (
                    (pts[:, 0] > box.x0)
                    & (pts[:, 0] < box.x1)
                    & (pts[:, 1] > box.y0)
                    & (pts[:, 1] < box.y1)
                )
                if inside.any():
                    problems.append(
                        f"the legend ({', '.join(t.get_text() for t in leg.get_texts())[:60]}) "
                        f"covers {int(inside.sum())} point(s) of the line "
                        f"{line.get_label()!r}"
                    )
    return problems


def style_path() -> str:
    """Path of the book's matplotlib style file, shipped inside the package."""
    return str(resources.files("lnet").joinpath(STYLE))


def use_book_style() -> None:
    """Apply the book's matplotlib style to every figure made afterwards.

    In a notebook (IPython with the inline backend) it also makes figures display as
    PNGs at twice the figure's dpi that carry their display size (IPython's "retina"
    format): sharp on high-density screens, and shown by the book at their drawn size.

    Used in: every notebook of the book, in its imports cell.
    """
    import matplotlib.pyplot as plt

    plt.style.use(style_path())
    _retina_inline()


def _retina_inline() -> None:
    """Inline figures as 2x PNGs with their display size, when running under IPython."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with every notebook kernel
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return  # a plain Python or IPython terminal: nothing is displayed inline
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover
        return
    set_matplotlib_formats("retina")


def legend_above(ax, *, ncol: int = 2, **kwargs):
    """A legend in a band above ``ax``, as wide as the axes: never on the data.

    Constrained layout (the book's style) makes room for it. Returns the legend.
    """
    kwargs.setdefault("borderaxespad", 0.3)
    return ax.legend(
        loc="lower left", bbox_to_anchor=(0.0, 1.02, 1.0, 0.1), mode="expand", ncol=ncol, **kwargs
    )


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
        (bl,) = ax.plot(
            t,
            np.where(bound > 0, bound, np.nan),
            ls="--",
            lw=1.2,
            color=line.get_color(),
            label=bound_label,
        )
        lines.append(bl)
    ax.set_yscale("log")
    return lines
