"""The shared figure style and the loss-curve helper."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lnet.plotting import plot_loss, style_path, use_book_style


@pytest.fixture
def restore_rc():
    with matplotlib.rc_context():
        yield
    plt.close("all")


def test_style_file_ships_with_the_package_and_applies(restore_rc):
    from pathlib import Path

    assert Path(style_path()).is_file()
    use_book_style()
    rc = matplotlib.rcParams
    assert not rc["axes.spines.top"] and not rc["axes.spines.right"]
    assert rc["figure.constrained_layout.use"]
    assert rc["font.size"] >= 10
    # drawn at the size shown: CSS pixels per inch, and nothing smaller than 10 pt
    assert rc["figure.dpi"] == 96
    assert min(rc[k] for k in ("legend.fontsize", "xtick.labelsize", "ytick.labelsize")) >= 10
    assert len(rc["axes.prop_cycle"].by_key()["color"]) >= 6


def test_plot_loss_draws_loss_and_dashed_bound_in_one_colour(restore_rc):
    _fig, ax = plt.subplots()
    t = np.linspace(0, 1, 5)
    loss = np.array([1.0, 0.5, 0.2, 0.0, 0.01])
    line, bound = plot_loss(ax, t, loss, bound=np.exp(-t), label="run", bound_label="bound")
    assert ax.get_yscale() == "log"
    assert bound.get_linestyle() == "--" and bound.get_color() == line.get_color()
    # zeros are not drawn on the log scale (they would be -inf)
    assert np.isnan(line.get_ydata()[3])
    assert [t.get_text() for t in ax.legend().get_texts()] == ["run", "bound"]


def test_plot_loss_errors_name_the_argument(restore_rc):
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="t and loss"):
        plot_loss(ax, [0, 1], [1.0])
    with pytest.raises(ValueError, match="bound"):
        plot_loss(ax, [0, 1], [1.0, 0.5], bound=[1.0])


def test_figure_problems_finds_a_wide_figure_small_text_and_a_legend_on_data(restore_rc):
    from lnet.plotting import figure_problems

    use_book_style()
    fig, ax = plt.subplots(figsize=(11, 4))
    ax.plot(np.linspace(0, 1, 50), np.linspace(0, 1, 50), label="diagonal")
    ax.legend(loc="center")
    ax.set_xlabel("x", fontsize=7)
    problems = figure_problems(fig)
    assert any("11.00 in wide" in p for p in problems)
    assert any("'x' is 7 pt" in p for p in problems)
    assert any("covers" in p and "'diagonal'" in p for p in problems)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="diagonal")
    assert figure_problems(fig) == []


def test_the_colour_cycle_has_the_names_captions_use(restore_rc):
    from lnet.plotting import COLORS, color_name

    use_book_style()
    cycle = [
        c.upper().lstrip("#") for c in matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    ]
    assert cycle == [c.upper().lstrip("#") for c in COLORS.values()]
    assert color_name("C3") == "red" and color_name("#cc3311") == "red"
    assert color_name("C0") == "blue" and color_name("C9") == "orange"  # the cycle wraps
    with pytest.raises(ValueError, match="not a colour"):
        color_name("magenta")
