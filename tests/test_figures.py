"""The figure functions of lnet.figures: one convention, readable at the size they are shown.

Every function is drawn from small synthetic data of the shape its experiment returns
(no experiment is run here) and checked with lnet.plotting.figure_problems: at most a
column wide, no text under 10 pt, no legend on a data point. The old call forms still
work for one release, with a DeprecationWarning.
"""

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lnet.figures import convergence as fc
from lnet.figures import width as fw
from lnet.plotting import figure_problems, use_book_style


@pytest.fixture(autouse=True)
def book_style():
    with matplotlib.rc_context():
        use_book_style()
        yield
    plt.close("all")


RNG = np.random.default_rng(0)


class Runs(SimpleNamespace):
    def mean(self, name):
        return getattr(self, name).mean(axis=1)

    def std(self, name):
        return getattr(self, name).std(axis=1)


def width_runs(widths=(10, 20, 50, 100, 200)):
    h = np.asarray(widths, dtype=float)
    noise = 1 + 0.05 * RNG.standard_normal((h.size, 5))
    return Runs(
        widths=h,
        tol=1e-8,
        dist=(3 / np.sqrt(h))[:, None] * noise,
        u2v0=(4 / np.sqrt(h))[:, None] * noise,
        steps=(7e4 + 10 * h)[:, None] * noise,
        theta_hat_norm=2.0,
    )


def fit_line(slope=-0.5):
    return _Fit(slope)


class _Fit:
    def __init__(self, slope):
        self.slope = slope

    def __call__(self, h):
        return 3 * np.asarray(h, dtype=float) ** self.slope


def conv_run(i, label, balanced=False, n=400):
    k = np.arange(n)
    losses = 10 * np.exp(-(0.01 + 0.01 * i) * k)
    return SimpleNamespace(
        sigma_U=None if balanced else 0.1 * (i + 1),
        label=label,
        losses=losses,
        bound=losses * 1.5,
        rate=0.01,
        rate_steps=k[::10],
        inst_rate=np.full(40, 0.02 + 0.01 * i),
        rate_bound=np.full(40, 0.015 + 0.01 * i),
        times=k * 0.01,
        flow_times=k * 0.01,
        flow_loss=losses,
        eigenvalues=None,
    )


def exp_a():
    return SimpleNamespace(
        cases={f"c{i}": conv_run(i, f"case {i}", balanced=i == 0) for i in range(4)}
    )


class ExpC(SimpleNamespace):
    def __getitem__(self, h):
        return self.spectra[h]


def exp_c():
    spectra = {
        h: SimpleNamespace(eigenvalues=np.r_[np.linspace(3, 1, 5), -np.linspace(2, 0.5, 3)])
        for h in (30, 1000)
    }
    runs = {}
    for i, h in enumerate((30, 100, 1000)):
        k = np.arange(300)
        runs[h] = SimpleNamespace(
            h=h,
            losses=np.exp(-0.02 * (i + 1) * k),
            bound=np.exp(-0.01 * (i + 1) * k),
            rate_times=k[::10] * 0.1,
            inst_rate=np.linspace(1, 0.5, 30) * (i + 1),
            rate_bound=np.full(30, 0.4 * (i + 1)),
        )
    return ExpC(spectra=spectra, n=5, m=3, runs=runs, eta=0.1)


def traj():
    t = np.linspace(0, 60, 200)
    loss = np.exp(-t)
    return SimpleNamespace(
        times=t,
        loss=dict.fromkeys(("random", "orthogonal", "counterexample"), loss),
        dist={"random": 0.8 + 0 * t, "orthogonal": np.exp(-0.5 * t), "counterexample": 0.3 + 0 * t},
        u2v={"random": 0.8 + 0 * t, "orthogonal": 1e-15 + 0 * t, "counterexample": 0.3 + 0 * t},
    )


def lemma_scan():
    h = np.geomspace(10, 1e4, 8)
    q = lambda s: (s * h**-0.25)[:, None] * (1 + 0.1 * RNG.standard_normal((h.size, 20)))  # noqa: E731
    deltas = np.array([0.1, 0.05, 0.01])
    b = np.vstack([h**-0.2 * (1 + d) for d in deltas])
    return SimpleNamespace(
        widths=h,
        imbalance=q(2),
        bound_imbalance=b,
        orthogonality=q(1),
        bound_orthogonality=b * 3,
        product=q(1),
        bound_product=b * 4,
        deltas=deltas,
        h0=np.array([50, 100, 400]),
        holds_all=np.vstack([np.clip(np.linspace(0.2, 1, h.size), 0, 1)] * 3),
    )


def alpha_sweep():
    alphas = np.array([0.25, 0.375, 0.5])
    runs = [width_runs() for _ in alphas]
    return SimpleNamespace(
        alphas=alphas,
        runs=runs,
        fits=[_Fit(-(2 * a - 0.5)) for a in alphas],
        slopes=-(2 * alphas - 0.5),
        slope_se=np.full(3, 0.02),
    )


def theorem2():
    h = np.geomspace(10, 1e4, 8)
    runs = Runs(
        widths=h,
        dist=(3 / np.sqrt(h))[:, None] * (1 + 0.1 * RNG.standard_normal((8, 20))),
        theta_hat_norm=5.0,
    )
    t2 = SimpleNamespace(
        deltas=[0.1, 0.01],
        widths=h,
        bound=np.vstack([300 / np.sqrt(h), 600 / np.sqrt(h)]),
        h0_lemma=[100, 300],
    )
    return t2, runs


def small_init():
    s = np.geomspace(1e-3, 1, 6)
    return SimpleNamespace(
        scales=s,
        bias=s[:, None] ** 2 * np.ones((6, 4)),
        time=-np.log(s)[:, None] * np.ones((6, 4)),
        tol=1e-8,
    )


# (name, call with the new convention, expected type)
NEW_FORMS = [
    (
        "plot_imbalance_spectrum",
        lambda: fc.plot_imbalance_spectrum(exp_c()[30].eigenvalues, 5, 3),
        Axes,
    ),
    ("plot_experiment_a", lambda: fc.plot_experiment_a(exp_a()), Axes),
    ("plot_experiment_a_linear", lambda: fc.plot_experiment_a_linear(exp_a()), Axes),
    ("plot_experiment_a_rate", lambda: fc.plot_experiment_a_rate(exp_a()), Axes),
    ("plot_experiment_a_flow", lambda: fc.plot_experiment_a_flow(exp_a()), Axes),
    ("plot_experiment_c_spectrum", lambda: fc.plot_experiment_c_spectrum(exp_c()), Figure),
    ("plot_experiment_c_loss", lambda: fc.plot_experiment_c_loss(exp_c()), Axes),
    ("plot_experiment_c_rate", lambda: fc.plot_experiment_c_rate(exp_c()), Axes),
    ("plot_experiment_b", lambda: fw.plot_experiment_b(width_runs()), Figure),
    (
        "plot_experiment_b_extension",
        lambda: fw.plot_experiment_b_extension(width_runs(), width_runs((500, 1000)), _Fit(-0.5)),
        Axes,
    ),
    ("plot_alpha_sweep", lambda: fw.plot_alpha_sweep(alpha_sweep()), Figure),
    ("plot_lemma_scan", lambda: fw.plot_lemma_scan(lemma_scan()), Figure),
    ("plot_theorem2_bound", lambda: fw.plot_theorem2_bound(*theorem2()), Axes),
    ("plot_implicit_bias", lambda: fw.plot_implicit_bias(traj()), Figure),
    ("plot_small_init", lambda: fw.plot_small_init(small_init()), Figure),
]


@pytest.mark.parametrize("name, call, kind", NEW_FORMS, ids=[n for n, _, _ in NEW_FORMS])
def test_every_figure_follows_the_convention_and_reads_at_its_drawn_size(name, call, kind):
    out = call()
    assert isinstance(out, kind)
    fig = out if isinstance(out, Figure) else out.figure
    assert figure_problems(fig) == []


def test_every_public_figure_function_is_covered():
    public = {n for mod in (fc, fw) for n in mod.__all__ if n.startswith("plot_")}
    deprecated = {"plot_width_extension", "plot_theorem2"}
    assert public - deprecated == {n for n, _, _ in NEW_FORMS}


def test_a_given_axes_or_figure_is_drawn_into():
    fig, ax = plt.subplots()
    assert fc.plot_experiment_a(exp_a(), ax) is ax
    assert fc.plot_imbalance_spectrum(exp_c()[30].eigenvalues, 5, 3, ax=ax) is ax
    fig = plt.figure()
    assert fw.plot_experiment_b(width_runs(), fig=fig) is fig
    assert len(fig.axes) == 4


def test_spectrum_spreads_reads_the_three_quantities():
    ev = [3.0, 2.0, 1.0, -0.5, -2.5]
    out = fc.spectrum_spreads(ev, r=3, m=2)
    assert out == pytest.approx({"Delta_plus": 2.0, "Delta_minus": 2.0, "Delta_low": 1.5})
    # fewer positive eigenvalues than r: lambda_r counts as 0
    assert fc.spectrum_spreads([1.0, -1.0], r=2, m=1)["Delta_low"] == pytest.approx(1.0)


def test_old_call_forms_still_work_with_a_deprecation_warning():
    _, ax = plt.subplots()
    ev = exp_c()[30].eigenvalues
    with pytest.warns(DeprecationWarning, match="spectrum_spreads"):
        read = fc.plot_imbalance_spectrum(ax, ev, 5, 3)
    assert read == pytest.approx(fc.spectrum_spreads(ev, 5, 3))
    _, axes = plt.subplots(1, 2)
    with pytest.warns(DeprecationWarning, match="fig=None"):
        assert fc.plot_experiment_c_spectrum(exp_c(), (30, 1000), axes) is axes
    with pytest.warns(DeprecationWarning, match="plot_experiment_b_extension"):
        fig = fw.plot_width_extension(width_runs(), width_runs((500, 1000)), _Fit(-0.5))
    assert isinstance(fig, Figure)
    with pytest.warns(DeprecationWarning, match="plot_theorem2_bound"):
        assert isinstance(fw.plot_theorem2(*theorem2()), Figure)


def test_coinciding_implicit_bias_curves_stay_distinguishable():
    fig = fw.plot_implicit_bias(traj())
    left = fig.axes[0]
    styles = {(ln.get_linestyle(), ln.get_linewidth()) for ln in left.get_lines()}
    assert len(styles) == 3  # the three equal losses are drawn three different ways
