"""The paper's experiments as functions that return data (no drawing here).

- :mod:`lnet.experiments.convergence`: experiment A (convergence against imbalance) and
  experiment C (imbalance spectrum against width).
- :mod:`lnet.experiments.width`: experiment B (implicit bias against width), its extensions
  beyond the paper, and the Monte Carlo checks of the Lemma and of Theorem 2.
- :mod:`lnet.experiments.implicit_bias`: where gradient flow lands from random, orthogonal,
  counterexample and small initializations.

Each ``run_*`` function takes the paper's parameters as keyword defaults and returns a small
dataclass of arrays that :mod:`lnet.figures` draws and the tests check.
"""

__all__: list[str] = []  # the experiments live in the submodules, imported by name
