"""Property-based: the compact, reduced and full representations give one trajectory, over random shapes.

Shapes cover rank-deficient X (r < min(n, D)), r != m, h < r + m, and no null space (D = r).
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import lnet

RECORD = ("loss", "dist_min_norm", "u2v_norm", "imbalance_drift", "rate")


@st.composite
def instances(draw):
    n = draw(st.integers(1, 6))
    D = draw(st.integers(1, 10))
    r = draw(st.integers(1, min(n, D)))
    m = draw(st.integers(1, 3))
    h = draw(st.integers(1, 12))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    # X = P diag(s) Q^T with singular values in [0.5, 1.5]: rank exactly r, well conditioned
    P = np.linalg.qr(rng.standard_normal((n, r)))[0]
    Q = np.linalg.qr(rng.standard_normal((D, r)))[0]
    X = (P * rng.uniform(0.5, 1.5, r)) @ Q.T
    Y = rng.standard_normal((n, m))
    U0, V0 = lnet.random_init(D, m, h, alpha=0.25, seed=seed)
    return X, Y, U0, V0


def _rel(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)


@settings(max_examples=25, deadline=None)
@given(instances())
def test_descent_is_the_same_in_every_representation(inst):
    X, Y, U0, V0 = inst
    runs = {
        rep: lnet.gradient_descent(
            X,
            Y,
            U0,
            V0,
            0.01,
            60,
            loss="half",
            representation=rep,
            record=RECORD,
            record_every=20,
        )
        for rep in ("compact", "reduced", "full")
    }
    full = runs["full"]
    for rep in ("compact", "reduced"):
        assert _rel(runs[rep].theta, full.theta) < 1e-10
        for name in RECORD:
            assert np.allclose(runs[rep][name], full[name], rtol=1e-8, atol=1e-10), name


@settings(max_examples=25, deadline=None)
@given(instances())
def test_flow_is_the_same_in_every_representation(inst):
    X, Y, U0, V0 = inst
    kw = dict(
        ode_rtol=1e-12, ode_atol=1e-14, record=("u2v_norm", "imbalance_drift"), t_eval=[0.5, 1.0]
    )
    c = lnet.gradient_flow(X, Y, U0, V0, 1.0, representation="compact", **kw)
    f = lnet.gradient_flow(X, Y, U0, V0, 1.0, representation="full", **kw)
    assert _rel(c.theta, f.theta) < 1e-8
    assert np.allclose(c["u2v_norm"], f["u2v_norm"], rtol=1e-8, atol=1e-12)
    # the imbalance is conserved in both, to the integrator's tolerance
    scale = 1 + np.linalg.norm(U0) ** 2 + np.linalg.norm(V0) ** 2
    assert np.all(c["imbalance_drift"] < 1e-8 * scale)
    assert np.all(f["imbalance_drift"] < 1e-8 * scale)
    assert c.network.k <= min(U0.shape[1], c.network.problem.r + Y.shape[1])
