"""The paper's experiments as functions that return data (no drawing here).

- :mod:`lnet.experiments.convergence`: experiment A (convergence against imbalance) and
  experiment C (imbalance spectrum against width).
- :mod:`lnet.experiments.width`: experiment B (implicit bias against width) and its
  extensions beyond the paper.

Each ``run_*`` function takes the paper's parameters as keyword defaults and returns a small
dataclass of arrays that :mod:`lnet.figures` draws and the tests check.
"""
