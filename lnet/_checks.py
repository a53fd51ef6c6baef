"""Input validation shared by every public function of :mod:`lnet`.

Every check raises ``ValueError`` (or ``TypeError``) whose message names the
argument, what was expected and what was given, so that a bad call fails at the
call and never later as a silent NaN.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_matrix(name: str, a, *, rows: int | None = None, cols: int | None = None) -> np.ndarray:
    """Return ``a`` as a finite float64 2-D array, or raise naming ``name``.

    ``rows`` / ``cols``, when given, are the required sizes.
    """
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a real 2-D array; could not convert it ({exc})") from None
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array; got {arr.ndim} dimension(s), shape {arr.shape}")
    if rows is not None and arr.shape[0] != rows:
        raise ValueError(f"{name} must have {rows} rows; got shape {arr.shape}")
    if cols is not None and arr.shape[1] != cols:
        raise ValueError(f"{name} must have {cols} columns; got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or infinite entr{'y' if bad == 1 else 'ies'}")
    return arr


def positive_int(name: str, value, *, minimum: int = 1) -> int:
    """Return ``value`` as an int ``>= minimum``, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return int(value)


def positive_float(name: str, value, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a finite float ``> 0`` (``>= 0`` with ``allow_zero``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r} ({type(value).__name__})")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite; got {v}")
    if v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}; got {v}")
    return v


def alpha_in_theorem_range(alpha) -> float:
    """The width exponent of the random-initialization results: 1/4 < alpha <= 1/2."""
    a = positive_float("alpha", alpha)
    if not (0.25 < a <= 0.5):
        raise ValueError(
            f"alpha must lie in (1/4, 1/2] for the random-initialization results "
            f"(entries N(0, h^(-2 alpha))); got {a}"
        )
    return a
