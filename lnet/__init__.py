r"""lnet: gradient dynamics of overparametrized one-hidden-layer linear networks.

The companion package of the lnet book, which reproduces Min, Tarmoun, Vidal & Mallada, "On the
Explicit Role of Initialization on the Convergence and Implicit Bias of Overparametrized Linear
Networks" (ICML 2021; extended version arXiv 2105.06351 v2). One module per idea of the paper,
each importing only from the ones above it:

- :mod:`lnet.problem`: the data, the SVD reduction, the min-norm solution, the imbalance.
- :mod:`lnet.networks`: the network's state in three exact representations (full, reduced, compact).
- :mod:`lnet.initializations`: every initializer and sampler (random, scaled, balanced, orthogonal,
  homogeneous, spectral, the counterexample, streamed and in-distribution compact states).
- :mod:`lnet.dynamics`: gradient flow and gradient descent (vector fields, integrators).
- :mod:`lnet.closed_forms`, :mod:`lnet.scalar`: exact solutions; the scalar model of the talk.
- :mod:`lnet.bounds`, :mod:`lnet.width`, :mod:`lnet.implicit_bias`: the formulas of the paper
  (rates and guarantees; the Lemma and Theorem 2; the implicit-bias limit).
- ``lnet.experiments``: drivers that run many trajectories (the paper's experiments, Monte
  Carlo checks, scans); they return data.
- ``lnet.figures``, :mod:`lnet.plotting`: drawing that data.

.. rubric:: Vocabulary

One name, one meaning, everywhere in the package:

Sizes
    ``n`` samples, ``D`` **input dimension** (an argument named ``D`` is always a size), ``m``
    output dimension, ``h`` width, ``r = rank X``, ``k`` the number of columns a compact state
    stores (``k <= r + m``).
Matrices
    :math:`U_1 = \Phi_1^\top U`, :math:`U_2 = \Phi_2^\top U`, :math:`Z = [U_1; V]`,
    :math:`Q = ZZ^\top` (the Gram matrix), :math:`\Theta = UV^\top` (end-to-end), :math:`\hat\Theta`
    the min-norm solution. :math:`\mathcal D = U_1^\top U_1 - V^\top V` is the **imbalance**; in code
    it is called ``imbalance`` (the function :func:`imbalance`, the argument ``imbalance=``),
    never ``D``. :math:`E = \tilde Y - \Sigma_x^{1/2}U_1V^\top` is always the **reduced residual**,
    :math:`R = Y - XUV^\top` always the **full residual**, :math:`P = U_1V^\top` always the
    **product** (argument ``product=``). Triangular QR factors are ``T``, the compact
    propagator :math:`Z(t) = K(t)Z(0)` is ``K``.
Losses
    ``loss="half"``: :math:`\tfrac12\|Y - XUV^\top\|_F^2` (the theorems'; time :math:`t`);
    ``loss="mean"``: :math:`\tfrac1n\|Y - XUV^\top\|_F^2` (the experiments'; descent step ``k``
    is flow time :math:`2\eta k/n`). Both include :math:`L^*`; :math:`\tilde L = L - L^*`.
``tol``
    A **stopping tolerance on the loss, in the run's** ``loss=`` **convention**, in both
    :func:`gradient_flow` and :func:`gradient_descent` (the flow's default convention is
    ``"half"``, descent's ``"mean"``: pass ``loss=`` to compare them). A ``tol`` at or below the
    minimum of that loss can never stop a run: it raises :class:`ToleranceWarning`.
``*_rtol``
    Every relative tolerance says what it is relative to: ``rank_rtol`` (a singular value
    counts as zero below ``rank_rtol`` times the largest, of ``X`` in :meth:`Problem.from_data`,
    of :math:`Z_0` in the compact representation), ``ode_rtol``/``ode_atol`` (the integrator's
    error control), ``balance_rtol`` (zero tests of :func:`classify_initialization`, relative
    to :math:`\|U_1\|_F^2 + \|V\|_F^2`), ``ortho_rtol`` (:func:`orthogonality_residuals`).
    Each must lie in ``[0, 1)`` or ``(0, 1)``.
Initialization scales
    ``sigma_U``, ``sigma_V``: standard deviations of the entries of ``U`` and ``V`` (the
    paper's experiments' :math:`\sigma_U, \sigma_V`); ``sigma`` for an initializer with one
    random factor, ``sigma_U2`` for the null-space part; ``alpha`` for entries
    :math:`\mathcal N(0, h^{-2\alpha})`.
``problem=``
    Every function that takes ``(X, Y)`` also takes ``problem=Problem.from_data(X, Y)`` (then
    ``X``, ``Y`` may be None), through one helper, :func:`lnet.problem.resolve_problem`.
Scalar model
    :mod:`lnet.scalar` names carry a ``scalar_`` prefix or say their arguments:
    :func:`scalar_margin` :math:`|y| - |y - w|` is the scalar case of :func:`margin`;
    :func:`scalar_rate_from_weights` :math:`2(u^2 + v^2)` and :func:`scalar_rate_from_product`
    :math:`2\sqrt{d^2 + 4w^2}` are one rate from two parametrizations.
Figures
    ``lnet.figures`` functions take the data an experiment returned.

.. rubric:: Renamed in 1.0

The old names still work in 1.0 and emit a ``DeprecationWarning``; they go in 1.1.

- ``lnet.scalar_rate(d, uv)``, ``lnet.bounds.scalar_rate`` → ``lnet.scalar_rate_from_product(d, w)``
- ``lnet.scalar.scalar_rate(u, v)`` → ``lnet.scalar_rate_from_weights(u, v)``
- ``lnet.scalar.margin(y, w)`` → ``lnet.scalar_margin(y, w)``
- ``Problem.from_data(rtol=)`` → ``Problem.from_data(rank_rtol=)``
- ``rtol=``, ``atol=`` of ``gradient_flow``, ``gradient_flow_from``, ``flow_to_tolerance``, ``run_implicit_bias``, ``scalar_flow``, ``theorem2_monte_carlo`` → ``ode_rtol=``, ``ode_atol=``
- ``classify_initialization(rtol=)`` → ``classify_initialization(balance_rtol=)``
- ``orthogonality_residuals(rtol=)`` → ``orthogonality_residuals(ortho_rtol=)``
- ``gaussian_blocks(scale_U=, scale_V=)``, ``orthogonal_init(scale_U=, scale_V=)`` → ``sigma_U=``, ``sigma_V=``
- ``homogeneous_init(scale=, U2_scale=)`` → ``homogeneous_init(sigma=, sigma_U2=)``
- ``attaining_instance(D=, P=)`` → ``attaining_instance(imbalance=, product=)``
- ``lnet.dynamics.random_compact_network`` → ``lnet.initializations.random_compact_network``
- ``lnet.dynamics.compact_network_from_blocks`` → ``lnet.networks.compact_network_from_blocks``
- ``lnet.width.wishart_blocks``, ``lnet.width.wishart_compact_network`` → ``lnet.initializations.wishart_blocks``, ``lnet.initializations.wishart_compact_network``
- ``lnet.implicit_bias.counterexample_init(scale=)`` → ``lnet.initializations.counterexample_init(sigma_U=, sigma_V=)``
- ``lnet.lemma_monte_carlo``, ``lnet.theorem2_monte_carlo`` (also from ``lnet.width``) → ``lnet.experiments.width.lemma_monte_carlo``, ``lnet.experiments.width.theorem2_monte_carlo``
- ``lnet.experiments.width.run_implicit_bias``, ``run_small_init``, ``BiasTrajectories``, ``SmallInitRuns`` → ``lnet.experiments.implicit_bias.`` (same names)
"""

from ._checks import ToleranceWarning
from ._deprecation import moved_names, renamed_function
from .bounds import (
    Guarantee,
    ImbalanceSpectrum,
    InitializationClass,
    RateQuantities,
    TightInstance,
    attaining_instance,
    classify_initialization,
    convergence_rate,
    gram_imbalance_spectrum,
    gram_rate_quantities,
    gram_rate_series,
    homogeneous_asymptotic_rate,
    imbalance_spectrum,
    instantaneous_rate,
    local_rate_limit,
    margin,
    rate_lower_bound,
    rate_lower_bound_talk_misprint,
    rate_quantities,
    reduced_rate_quantities,
    sufficient_imbalance_rate,
    theorem3_bound,
    theorem3_c,
)
from .closed_forms import (
    gram_closed_form,
    riccati_balanced,
    riccati_homogeneous,
    scalar_product_balanced,
)
from .dynamics import (
    LOSSES,
    RECORDABLE,
    DescentResult,
    DivergenceError,
    FlowResult,
    full_vector_field,
    gradient_descent,
    gradient_descent_from,
    gradient_flow,
    gradient_flow_from,
    reduced_vector_field,
)
from .implicit_bias import OrthogonalityCheck, implicit_bias_limit, orthogonality_residuals
from .initializations import (
    balanced_init,
    counterexample_init,
    gaussian_blocks,
    homogeneous_init,
    orthogonal_init,
    random_compact_network,
    random_init,
    scaled_init,
    spectral_init,
    wishart_blocks,
    wishart_compact_network,
)
from .networks import (
    REPRESENTATIONS,
    FullNetwork,
    ReducedNetwork,
    compact_network_from_blocks,
    make_network,
)
from .problem import Problem, imbalance, min_norm_solution
from .scalar import scalar_margin, scalar_rate_from_product, scalar_rate_from_weights
from .step_size import (
    STEP_SIZE_RULES,
    ContractionPolynomial,
    StepConstants,
    StepSizeRun,
    arora_step_size,
    contraction_polynomial,
    direct_step_constants,
    du_step_sizes,
    half_loss_step,
    largest_convergent_step,
    mean_loss_step,
    rule_step_size,
    run_step_size_rule,
    sharpness,
    step_constants,
    step_size_limits,
)
from .width import (
    LemmaBounds,
    LemmaQuantities,
    Theorem2Bound,
    lemma_bounds,
    lemma_h0,
    lemma_quantities,
    theorem2_bound,
)

__version__ = "1.0.0"

__all__ = [
    "LOSSES",
    "RECORDABLE",
    "REPRESENTATIONS",
    "STEP_SIZE_RULES",
    "ContractionPolynomial",
    "DescentResult",
    "DivergenceError",
    "FlowResult",
    "FullNetwork",
    "Guarantee",
    "ImbalanceSpectrum",
    "InitializationClass",
    "LemmaBounds",
    "LemmaQuantities",
    "OrthogonalityCheck",
    "Problem",
    "RateQuantities",
    "ReducedNetwork",
    "StepConstants",
    "StepSizeRun",
    "Theorem2Bound",
    "TightInstance",
    "ToleranceWarning",
    "__version__",
    "arora_step_size",
    "attaining_instance",
    "balanced_init",
    "classify_initialization",
    "compact_network_from_blocks",
    "contraction_polynomial",
    "convergence_rate",
    "counterexample_init",
    "direct_step_constants",
    "du_step_sizes",
    "full_vector_field",
    "gaussian_blocks",
    "gradient_descent",
    "gradient_descent_from",
    "gradient_flow",
    "gradient_flow_from",
    "gram_closed_form",
    "gram_imbalance_spectrum",
    "gram_rate_quantities",
    "gram_rate_series",
    "half_loss_step",
    "homogeneous_asymptotic_rate",
    "homogeneous_init",
    "imbalance",
    "imbalance_spectrum",
    "implicit_bias_limit",
    "instantaneous_rate",
    "largest_convergent_step",
    "lemma_bounds",
    "lemma_h0",
    "lemma_quantities",
    "local_rate_limit",
    "make_network",
    "margin",
    "mean_loss_step",
    "min_norm_solution",
    "orthogonal_init",
    "orthogonality_residuals",
    "random_compact_network",
    "random_init",
    "rate_lower_bound",
    "rate_lower_bound_talk_misprint",
    "rate_quantities",
    "reduced_rate_quantities",
    "reduced_vector_field",
    "riccati_balanced",
    "riccati_homogeneous",
    "rule_step_size",
    "run_step_size_rule",
    "scalar_margin",
    "scalar_product_balanced",
    "scalar_rate_from_product",
    "scalar_rate_from_weights",
    "scaled_init",
    "sharpness",
    "spectral_init",
    "step_constants",
    "step_size_limits",
    "sufficient_imbalance_rate",
    "theorem2_bound",
    "theorem3_bound",
    "theorem3_c",
    "wishart_blocks",
    "wishart_compact_network",
]

# -- old names (kept for one release; see "Renamed in 1.0") -----------------------------------
scalar_rate = renamed_function("lnet.scalar_rate", scalar_rate_from_product)
__getattr__ = moved_names(
    "lnet",
    {
        "lemma_monte_carlo": "lnet.experiments.width:lemma_monte_carlo",
        "theorem2_monte_carlo": "lnet.experiments.width:theorem2_monte_carlo",
        "LemmaMonteCarlo": "lnet.experiments.width:LemmaMonteCarlo",
        "Theorem2MonteCarlo": "lnet.experiments.width:Theorem2MonteCarlo",
    },
)
