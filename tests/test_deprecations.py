"""Every name renamed or moved in lnet 1.0 still works for one release, with a DeprecationWarning."""

import numpy as np
import pytest

import lnet
from lnet import scalar
from lnet.problem import Problem


@pytest.fixture
def prob():
    rng = np.random.default_rng(0)
    return Problem.from_data(rng.standard_normal((6, 12)) / 4, rng.standard_normal((6, 2)))


def test_scalar_rate_and_margin_have_one_meaning_each():
    with pytest.deprecated_call(match="scalar_rate_from_product"):
        assert lnet.scalar_rate(1.0, 2.0) == pytest.approx(2 * np.sqrt(1 + 16))
    with pytest.deprecated_call(match="scalar_rate_from_product"):
        assert lnet.bounds.scalar_rate(0.0, 1.5) == pytest.approx(6.0)
    with pytest.deprecated_call(match="scalar_rate_from_weights"):
        assert scalar.scalar_rate(1.0, 2.0) == pytest.approx(10.0)
    with pytest.deprecated_call(match="scalar_margin"):
        assert scalar.margin(1.0, 0.25) == pytest.approx(0.25)
    # the new names: one formula each, and the two rates agree on the same point
    u, v = 1.0, 2.0
    assert lnet.scalar_rate_from_weights(u, v) == lnet.scalar_rate_from_product(
        u * u - v * v, u * v
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("lnet.dynamics.random_compact_network", lnet.random_compact_network),
        ("lnet.dynamics.compact_network_from_blocks", lnet.compact_network_from_blocks),
        ("lnet.width.wishart_blocks", lnet.wishart_blocks),
        ("lnet.width.wishart_compact_network", lnet.wishart_compact_network),
        ("lnet.width.lemma_monte_carlo", "lnet.experiments.width.lemma_monte_carlo"),
        ("lnet.lemma_monte_carlo", "lnet.experiments.width.lemma_monte_carlo"),
        ("lnet.theorem2_monte_carlo", "lnet.experiments.width.theorem2_monte_carlo"),
        (
            "lnet.experiments.width.run_implicit_bias",
            "lnet.experiments.implicit_bias.run_implicit_bias",
        ),
        ("lnet.experiments.width.run_small_init", "lnet.experiments.implicit_bias.run_small_init"),
    ],
)
def test_moved_names_resolve_with_a_warning(old, new):
    import importlib

    module, name = old.rsplit(".", 1)
    if isinstance(new, str):
        new_module, new_name = new.rsplit(".", 1)
        new = getattr(importlib.import_module(new_module), new_name)
    with pytest.deprecated_call(match=name):
        assert getattr(importlib.import_module(module), name) is new


def test_renamed_keywords_warn_and_pass_through(prob):
    rng = np.random.default_rng(1)
    U, V = rng.standard_normal((12, 5)) * 0.3, rng.standard_normal((2, 5)) * 0.3
    with pytest.deprecated_call(match="rank_rtol"):
        Problem.from_data(prob.X, prob.Y, rtol=1e-12)
    with pytest.deprecated_call(match="ode_rtol"):
        a = lnet.gradient_flow(None, None, U, V, 0.5, problem=prob, rtol=1e-11, atol=1e-13)
    b = lnet.gradient_flow(None, None, U, V, 0.5, problem=prob, ode_rtol=1e-11, ode_atol=1e-13)
    assert np.array_equal(a.theta, b.theta)
    with pytest.deprecated_call(match="balance_rtol"):
        lnet.classify_initialization(None, None, U, V, problem=prob, rtol=1e-8)
    with pytest.deprecated_call(match="ortho_rtol"):
        lnet.orthogonality_residuals(None, U, V, problem=prob, rtol=1e-8)
    with pytest.deprecated_call(match="sigma_U"):
        blocks = list(lnet.gaussian_blocks(3, 1, 4, scale_U=0.5, scale_V=0.5, seed=0))
    assert np.array_equal(blocks[0][0], lnet.scaled_init(3, 1, 4, 0.5, 0.5, seed=0)[0])
    with pytest.deprecated_call(match="sigma_U"):
        lnet.orthogonal_init(prob, 12, scale_U=0.2, scale_V=0.2, seed=0)
    with pytest.deprecated_call(match="sigma"):
        lnet.homogeneous_init(prob, 2, 0.5, scale=0.3, seed=0)
    with pytest.deprecated_call(match="ode_rtol"):
        scalar.scalar_flow(0.5, 0.5, 1.0, [0.0, 1.0], rtol=1e-10)
    with pytest.raises(TypeError, match="both"), pytest.deprecated_call():
        lnet.gradient_flow(None, None, U, V, 0.5, problem=prob, rtol=1e-11, ode_rtol=1e-11)


def test_attaining_instance_old_keywords(prob):
    D = np.diag([2.0, -1.0, 0.0])
    with pytest.deprecated_call(match="imbalance"):
        old = lnet.attaining_instance(D=D, P=np.array([[0.5]]))
    new = lnet.attaining_instance(imbalance=D, product=np.array([[0.5]]))
    assert np.array_equal(old.U, new.U)


def test_counterexample_init_old_home_and_scale(prob):
    import lnet.implicit_bias as ib

    with pytest.deprecated_call(match="initializations.counterexample_init"):
        old = ib.counterexample_init(prob, 9, scale=0.2, seed=1)
    new = lnet.counterexample_init(prob, 9, sigma_U=0.2, sigma_V=0.2, seed=1)
    assert np.array_equal(old[0], new[0]) and np.array_equal(old[1], new[1])
