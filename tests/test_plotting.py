"""The shared figure style and the loss-curve helper."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lnet.plotting import plot_loss, style_path, use_book_style  # noqa: E402


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
    assert len(rc["axes.prop_cycle"].by_key()["color"]) >= 6


def test_plot_loss_draws_loss_and_dashed_bound_in_one_colour(restore_rc):
    fig, ax = plt.subplots()
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
