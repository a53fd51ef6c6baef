"""lnet: gradient dynamics of overparametrized one-hidden-layer linear networks.

The companion package of the lnet book, which reproduces Min, Tarmoun, Vidal &
Mallada, "On the Explicit Role of Initialization on the Convergence and Implicit
Bias of Overparametrized Linear Networks" (ICML 2021). One module per idea of the
paper:

- :mod:`lnet.problem`: the data, the SVD reduction, the min-norm solution, the imbalance.
- :mod:`lnet.initializations`: random, scaled, balanced, orthogonal, homogeneous inits.
- :mod:`lnet.dynamics`: gradient flow and gradient descent in three exact representations.
- :mod:`lnet.closed_forms`: exact solutions used as ground truth (scalar, Riccati).
- :mod:`lnet.scalar`: the scalar model u, v of the talk.
- :mod:`lnet.bounds`: every rate bound and guarantee of the paper.
- :mod:`lnet.plotting`: the book's shared figure style.
"""

from .problem import Problem, imbalance, min_norm_solution

# -- dynamics (issue 3): initializations, dynamics, closed forms --------------------------
from .closed_forms import (
    gram_closed_form,
    riccati_balanced,
    riccati_homogeneous,
    scalar_product_balanced,
)
from .dynamics import (
    RECORDABLE,
    DescentResult,
    DivergenceError,
    FlowResult,
    FullNetwork,
    ReducedNetwork,
    compact_network_from_blocks,
    full_vector_field,
    gradient_descent,
    gradient_descent_from,
    gradient_flow,
    gradient_flow_from,
    make_network,
    random_compact_network,
    reduced_vector_field,
)
from .initializations import (
    balanced_init,
    gaussian_blocks,
    homogeneous_init,
    orthogonal_init,
    random_init,
    scaled_init,
    spectral_init,
)

# -- bounds (issue 4) ---------------------------------------------------------------------
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
    scalar_rate,
    sufficient_imbalance_rate,
    theorem3_bound,
    theorem3_c,
)
from .implicit_bias import OrthogonalityCheck, implicit_bias_limit, orthogonality_residuals
from .width import (
    LemmaBounds,
    LemmaMonteCarlo,
    LemmaQuantities,
    Theorem2Bound,
    Theorem2MonteCarlo,
    lemma_bounds,
    lemma_h0,
    lemma_monte_carlo,
    lemma_quantities,
    theorem2_bound,
    theorem2_monte_carlo,
)

__version__ = "0.1.0"

# -- finite step sizes (issue 14; Xu, Min, Tarmoun, Mallada & Vidal, AISTATS 2023) ---------
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
    run_step_size_rule,
    sharpness,
    step_constants,
    rule_step_size,
    step_size_limits,
)
