"""Input validation shared by every public function of :mod:`lnet`.

Every check raises ``ValueError`` (or ``TypeError``) whose message names the
argument, what was expected and what was given, so that a bad call fails at the
call and never later as a silent NaN.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "ToleranceWarning",
    "alpha_in_theorem_range",
    "as_matrix",
    "positive_float",
    "positive_int",
    "relative_tolerance",
]


class ToleranceWarning(UserWarning):
    """A stopping tolerance that a run can never meet (for example below the minimum loss)."""


def _real_array(name: str, a) -> np.ndarray:
    """``a`` as a float64 array, refusing complex, masked, boolean and non-numeric input by name."""
    if np.ma.isMaskedArray(a):
        raise TypeError(f"{name} must be a plain array; got a masked array (fill or drop the mask)")
    raw = np.asarray(a)
    if raw.dtype.kind == "c":
        raise TypeError(f"{name} must be real; got complex entries (dtype {raw.dtype})")
    if raw.dtype.kind not in "iuf":
        if raw.dtype.kind != "O":
            raise TypeError(f"{name} must be a real numeric array; got dtype {raw.dtype}")
        try:  # nested lists of Python numbers arrive as object arrays only when ragged
            raw = np.asarray(a, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} must be a real numeric array; could not convert it ({exc})"
            ) from None
    return np.array(raw, dtype=np.float64)  # a copy: callers may keep it


def as_matrix(name: str, a, *, rows: int | None = None, cols: int | None = None) -> np.ndarray:
    """Return ``a`` as a finite float64 2-D array (a new copy), or raise naming ``name``.

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    a : array_like
        Real numbers; complex, masked, boolean and non-numeric input is refused.
    rows, cols : int, optional
        The required sizes.

    Returns
    -------
    ndarray
        A float64 copy of ``a``.
    """
    arr = _real_array(name, a)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array; got {arr.ndim} dimension(s), shape {arr.shape}"
        )
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
    """Return ``value`` as an int ``>= minimum``, or raise naming ``name``.

    Parameters
    ----------
    name : str
    value : int
    minimum : int

    Returns
    -------
    int
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return int(value)


def positive_float(name: str, value, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a finite float ``> 0`` (``>= 0`` with ``allow_zero``).

    Parameters
    ----------
    name : str
    value : float
    allow_zero : bool

    Returns
    -------
    float
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r} ({type(value).__name__})")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite; got {v}")
    if v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}; got {v}")
    return v


def relative_tolerance(name: str, value, *, allow_zero: bool = False) -> float:
    """A relative tolerance: a real number in ``(0, 1)`` (``[0, 1)`` with ``allow_zero``).

    A relative tolerance of 1 or more would call everything negligible (for a rank tolerance:
    every direction dropped, silently turning the run into the zero initialization's).

    Parameters
    ----------
    name : str
    value : float
    allow_zero : bool

    Returns
    -------
    float
    """
    v = positive_float(name, value, allow_zero=allow_zero)
    if v >= 1:
        raise ValueError(f"{name} is a relative tolerance and must be < 1; got {v}")
    return v


def alpha_in_theorem_range(alpha) -> float:
    """The width exponent of the random-initialization results: 1/4 < alpha <= 1/2.

    Parameters
    ----------
    alpha : float

    Returns
    -------
    float
    """
    a = positive_float("alpha", alpha)
    if not (0.25 < a <= 0.5):
        raise ValueError(
            f"alpha must lie in (1/4, 1/2] for the random-initialization results "
            f"(entries N(0, h^(-2 alpha))); got {a}"
        )
    return a
