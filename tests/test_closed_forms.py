"""Closed forms (scalar logistic; Riccati for balanced and homogeneous imbalance) against the integrator."""

import numpy as np
import pytest

import lnet

TOL = dict(ode_rtol=1e-11, ode_atol=1e-13)


def _whitened_problem(n=6, D=15, m=2, seed=0):
    """X with orthonormal rows, so Sigma_x = I (the closed forms' setting)."""
    rng = np.random.default_rng(seed)
    X = np.linalg.qr(rng.standard_normal((D, n)))[0].T
    return lnet.Problem.from_data(X, rng.standard_normal((n, m)))


@pytest.mark.parametrize("w0,y", [(0.01, 1.5), (2.0, 0.5), (-0.3, 1.0), (0.4, -0.8), (0.5, 0.0)])
def test_scalar_balanced_product_matches_the_flow(w0, y):
    u0 = np.sqrt(abs(w0))
    v0 = np.sign(w0) * u0  # u^2 = v^2: balanced
    times = np.linspace(0, 4, 9)
    res = lnet.gradient_flow(
        [[1.0]], [[y]], [[u0]], [[v0]], 4.0, t_eval=times, record=("theta",), **TOL
    )
    w_num = res["theta"][:, 0, 0]
    assert np.allclose(w_num, lnet.scalar_product_balanced(w0, y, times), rtol=1e-9, atol=1e-12)


def test_scalar_closed_form_limits_and_no_overflow():
    assert lnet.scalar_product_balanced(0.3, 2.0, 0.0) == pytest.approx(0.3)
    assert lnet.scalar_product_balanced(0.3, 2.0, 1e4) == pytest.approx(2.0)
    assert lnet.scalar_product_balanced(0.3, -2.0, 1e4) == pytest.approx(0.0, abs=1e-12)
    assert lnet.scalar_product_balanced(-0.3, 2.0, 1e4) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="t"):
        lnet.scalar_product_balanced(0.3, 2.0, -1.0)
    with pytest.raises(ValueError, match="w0"):
        lnet.scalar_product_balanced(float("nan"), 2.0, 1.0)


@pytest.mark.parametrize("h", [1, 3, 20])
def test_balanced_riccati_matches_the_flow(h):
    p = _whitened_problem(m=2 if h >= 2 else 1)
    theta0 = 0.1 * np.random.default_rng(1).standard_normal((p.D, p.m))
    U0, V0 = lnet.balanced_init(p, theta0, h, seed=2)
    times = np.array([0.0, 0.5, 2.0, 6.0])
    res = lnet.gradient_flow(
        None, None, U0, V0, 6.0, problem=p, t_eval=times, record=("gram",), **TOL
    )
    exact = lnet.riccati_balanced(p.Ytilde, res["gram"][0], times)
    scale = np.abs(exact).max()
    assert np.abs(res["gram"] - exact).max() < 1e-8 * scale


@pytest.mark.parametrize("lambda0,h,m", [(0.8, 4, 2), (2.0, 6, 1), (-0.5, 2, 3)])
def test_homogeneous_riccati_matches_the_flow(lambda0, h, m):
    p = _whitened_problem(m=m, seed=3)
    U0, V0 = lnet.homogeneous_init(p, h, lambda0, sigma=0.3, seed=5)
    times = np.array([0.0, 1.0, 3.0])
    for rep in ("compact", "full"):
        res = lnet.gradient_flow(
            None,
            None,
            U0,
            V0,
            3.0,
            problem=p,
            t_eval=times,
            record=("gram",),
            representation=rep,
            **TOL,
        )
        exact = lnet.riccati_homogeneous(p.Ytilde, res["gram"][0], times, lambda0)
        assert np.abs(res["gram"] - exact).max() < 1e-8 * np.abs(exact).max()


def test_riccati_is_not_the_answer_for_a_generic_imbalance():
    # honesty check: the closed form is specific to D = lambda0 I
    p = _whitened_problem()
    U0, V0 = lnet.random_init(p.D, p.m, 10, seed=1)
    res = lnet.gradient_flow(None, None, U0, V0, 2.0, problem=p, t_eval=[0, 2.0], record=("gram",))
    exact = lnet.riccati_balanced(p.Ytilde, res["gram"][0], 2.0)
    assert np.abs(res["gram"][-1] - exact).max() > 1e-3


def test_spectral_init_modes_follow_the_scalar_model():
    p = _whitened_problem(m=3, seed=4)
    y = np.linalg.svd(p.Ytilde, compute_uv=False)
    a = np.array([0.2, 0.5, 0.05])
    U0, V0 = lnet.spectral_init(p, 7, a, a, seed=0)  # balanced modes
    times = np.array([0.5, 1.5, 3.0])
    res = lnet.gradient_flow(
        None, None, U0, V0, 3.0, problem=p, t_eval=times, record=("theta",), **TOL
    )
    for i, t in enumerate(times):
        sv = np.linalg.svd(res["theta"][i], compute_uv=False)
        expected = [lnet.scalar_product_balanced(a[j] ** 2, y[j], t) for j in range(3)]
        assert np.allclose(np.sort(sv), np.sort(expected), rtol=1e-9)


def test_gram_closed_form_argument_checks():
    with pytest.raises(ValueError, match="Q0"):
        lnet.gram_closed_form(np.ones((3, 2)), np.eye(4), 1.0)
    with pytest.raises(ValueError, match="t"):
        lnet.gram_closed_form(np.ones((3, 2)), np.eye(5), -1.0)
