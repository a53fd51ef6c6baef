r"""What a chapter states: its glued numbers and its claims, in one place per notebook.

A notebook of the book makes one :class:`Chapter` in its first (hidden) code cell and
goes through it for every number that appears in the prose and every claim the text
makes about those numbers::

    from lnetbook.claims import Chapter
    ch = Chapter("rate")
    ...
    ch.number("delta_plus", spec.Delta_plus)            # prose: {glue:md}`delta_plus:myst`
    ch.claim("bound_below_rate", "the rate never falls below the Proposition 1 bound",
             bool(np.all(rate >= bound)), min_ratio=float((rate / bound).min()))
    ...
    ch.report()                                         # last cell: glues the verdict box

**Numbers.** :meth:`Chapter.number` glues a value whose plain-text form is the raw number
(read by the reproduction check, and by ``{glue:text}`key:.3g```) and whose markdown form
is the book's formatting (:func:`format_number`: 3 significant figures, powers of ten as
:math:`\times 10^k`, a true minus sign, thousands separators for integers), pasted into
prose with ``{glue:md}`key:myst```.

**Claims.** :meth:`Chapter.claim` records what is claimed, the numbers it rests on and
whether it held. When the notebook runs with the book's own parameters, the runner sets
the environment variable ``LNETBOOK_STRICT=1`` and a claim that fails raises
:class:`ClaimFailed` (the build fails, as a bare ``assert`` did). With other parameters
(``-p seed 3``, or a notebook run by hand) a failed claim is recorded and the notebook
goes on; :meth:`Chapter.report` then glues ``claims_box``, an admonition that says how
many of the chapter's claims held and lists those that did not, and ``claims_json``, the
machine-readable list the runner copies into the status page and the reproduction report.
Put ``{glue:md}`claims_box:myst``` (as a directive: ``` ```{glue:md} claims_box``` with
``:format: myst``) near the top of the chapter.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field

__all__ = [
    "STRICT_ENV",
    "Chapter",
    "Claim",
    "ClaimFailed",
    "Number",
    "format_number",
]

STRICT_ENV = "LNETBOOK_STRICT"
_MINUS = "\u2212"


class ClaimFailed(AssertionError):
    """A claim of the book failed with the book's own parameters."""


def _group(digits: str) -> str:
    """Thousands separators for a string of digits, as ``{,}`` inside math."""
    out = []
    for i, ch in enumerate(reversed(digits)):
        if i and i % 3 == 0:
            out.append("{,}")
        out.append(ch)
    return "".join(reversed(out))


def format_number(x, sig: int = 3, *, math_mode: bool = True) -> str:
    r"""The book's one way of writing a number in prose.

    Parameters
    ----------
    x : int, float or bool
        The value. Integers (and integral floats of magnitude at least 1000 that are
        counts) keep every digit, with thousands separators; other reals are rounded
        to ``sig`` significant figures.
    sig : int
        Significant figures for reals (default 3).
    math_mode : bool
        If True (default) return TeX for inline math without the dollars
        (``1.4 \times 10^{4}``, ``86{,}041``, ``-0.31``); if False, plain Unicode text
        (``1.4 × 10⁴``, ``86,041``, ``−0.31``).

    Returns
    -------
    str
        Powers of ten are used below 10^-3 and from 10^5 up; numbers in between are
        written out, without trailing zeros. No e-notation.
    """
    if isinstance(x, bool):
        return "yes" if x else "no"
    if not isinstance(sig, int) or sig < 1:
        raise ValueError(f"format_number: sig must be a positive integer, got {sig!r}")
    if isinstance(x, int):
        text = _group(str(abs(x)))
        sign = "-" if x < 0 else ""
        return _finish(sign + text, math_mode)
    x = float(x)
    if math.isnan(x):
        return r"\mathrm{NaN}" if math_mode else "NaN"
    if math.isinf(x):
        return ("-" if x < 0 else "") + (r"\infty" if math_mode else "∞")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    a = abs(x)
    exp = math.floor(math.log10(a))
    mant = round(a / 10**exp, sig - 1)
    if mant >= 10:  # rounding carried into the next power
        mant /= 10
        exp += 1
    if -3 <= exp < 5:
        decimals = max(sig - 1 - exp, 0)
        body = f"{round(a, decimals):.{decimals}f}"
        if "." in body:
            body = body.rstrip("0").rstrip(".")
        if "." in body:
            int_part, frac = body.split(".")
            body = _group(int_part) + "." + frac
        else:
            body = _group(body)
        return _finish(sign + body, math_mode)
    mant_text = f"{mant:.{sig - 1}f}".rstrip("0").rstrip(".")
    if math_mode:
        power = "10^{" + str(exp) + "}"
        body = power if mant_text == "1" else mant_text + r" \times " + power
        return sign + body
    sup = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    body = ("10" if mant_text == "1" else mant_text + " × 10") + str(exp).translate(sup)
    return (_MINUS if sign else "") + body


def _finish(text: str, math_mode: bool) -> str:
    if math_mode:
        return text
    return text.replace("{,}", ",").replace("-", _MINUS)


class Number(float):
    """A float that pastes as the book formats it.

    Its plain-text form (what ``{glue:text}`` and the reproduction check read) is the
    exact value; its markdown form is inline math from :func:`format_number`.
    """

    sig: int = 3
    integer: bool = False

    def __new__(cls, value, sig: int = 3, integer: bool = False):
        obj = super().__new__(cls, value)
        obj.sig = sig
        obj.integer = integer
        return obj

    def __repr__(self) -> str:
        return repr(int(self)) if self.integer else repr(float(self))

    def _repr_markdown_(self) -> str:
        value = int(self) if self.integer else float(self)
        return "$" + format_number(value, self.sig) + "$"


@dataclass
class Claim:
    """One claim of a chapter: what is claimed, whether it held, the numbers behind it."""

    key: str
    text: str
    held: bool
    values: dict = field(default_factory=dict)


def _strict_default() -> bool:
    return os.environ.get(STRICT_ENV, "") == "1"


def _glue(key, value, display=False):
    from myst_nb import glue  # imported here: lnetbook.claims is importable without myst-nb

    glue(key, value, display=display)


def _plain(value):
    """A JSON-able plain value for the claims record."""
    if isinstance(value, bool):
        return value
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f if math.isfinite(f) else str(f)


class Chapter:
    """The numbers and claims of one notebook.

    Parameters
    ----------
    name : str
        The notebook's name (``"rate"`` for ``book/rate.ipynb``), used in messages.
    strict : bool, optional
        Raise :class:`ClaimFailed` at the first failed claim. Default: whether the
        environment variable ``LNETBOOK_STRICT`` is ``"1"``, which the runner sets when it
        runs the notebook with the book's parameters.
    glue : bool
        Glue numbers and the report with myst-nb (default). False keeps everything in
        memory (for tests and for use outside a notebook).
    """

    def __init__(self, name: str, *, strict: bool | None = None, glue: bool = True):
        if not isinstance(name, str) or not name:
            raise ValueError(f"Chapter: name must be a non-empty string, got {name!r}")
        self.name = name
        self.strict = _strict_default() if strict is None else bool(strict)
        self._glue_enabled = glue
        self.claims: list[Claim] = []
        self.numbers: dict[str, float] = {}

    # -- numbers --------------------------------------------------------------------
    def number(self, key: str, value, *, sig: int = 3):
        """Glue a number under ``key`` and return it unchanged.

        Integers (Python or numpy) paste with every digit; reals with ``sig``
        significant figures. Raises ValueError for a non-finite or non-numeric value,
        which would otherwise appear in the text as NaN.
        """
        self._check_key(key)
        if isinstance(value, bool):
            raise TypeError(f"Chapter.number({key!r}): a bool is a claim, not a number")
        try:
            f = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"Chapter.number({key!r}): expected a real number, got {type(value).__name__}"
            ) from None
        integer = isinstance(value, int) or (
            hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu"
        )
        if not math.isfinite(f):
            raise ValueError(f"Chapter.number({key!r}): the value is {f}, not a finite number")
        self.numbers[key] = f
        if self._glue_enabled:
            _glue(key, Number(f, sig=sig, integer=integer))
        return value

    def numbers_from(self, **values):
        """Glue several numbers at once: ``ch.numbers_from(ratio_end=r, steps=k)``."""
        for key, value in values.items():
            self.number(key, value)

    def figure(self, key: str, fig) -> None:
        """Glue a matplotlib figure under ``key`` and close it."""
        self._check_key(key)
        if self._glue_enabled:
            _glue(key, fig)
        import matplotlib.pyplot as plt

        plt.close(fig)

    # -- claims ---------------------------------------------------------------------
    def claim(self, key: str, text: str, held, **values) -> bool:
        """State a claim of the chapter and whether it held.

        Parameters
        ----------
        key : str
            A short identifier, unique in the chapter.
        text : str
            What is claimed, as a reader would say it ("the bound is attained").
        held : bool
            Whether it held for this run's numbers (a numpy bool is accepted).
        **values
            The numbers it rests on, shown when it fails.

        Returns
        -------
        bool
            ``held``, so that a notebook can branch on it.
        """
        self._check_key(key)
        if any(c.key == key for c in self.claims):
            raise ValueError(f"Chapter.claim: the key {key!r} is already used in {self.name}")
        try:
            ok = bool(held)
        except (TypeError, ValueError):
            raise TypeError(
                f"Chapter.claim({key!r}): held must be a single truth value, "
                f"got {type(held).__name__}"
            ) from None
        c = Claim(key, str(text), ok, {k: _plain(v) for k, v in values.items()})
        self.claims.append(c)
        if not ok and self.strict:
            raise ClaimFailed(f"{self.name}: claim {key!r} failed: {text} ({_values_text(c)})")
        return ok

    @property
    def failed(self) -> list[Claim]:
        return [c for c in self.claims if not c.held]

    def box(self) -> str:
        """The verdict box (MyST markdown) for the top of the chapter."""
        n, bad = len(self.claims), self.failed
        if not bad:
            return (
                ":::{admonition} Claims checked in this build\n:class: tip\n"
                f"All {n} numerical claims of this chapter held for the numbers computed "
                "below.\n:::\n"
            )
        lines = [
            (
                ":::{admonition} With these parameters, "
                f"{n - len(bad)} of {n} claims of this chapter held\n:class: warning"
            ),
            (
                "The text below was written for the book's parameters. "
                "These claims did not hold for this run:"
            ),
            "",
        ]
        lines += [f"- {c.text} ({_values_text(c, math_mode=False)})" for c in bad]
        lines.append(":::")
        return "\n".join(lines) + "\n"

    def report(self) -> None:
        """Glue ``claims_box`` (markdown) and ``claims_json``; call once, at the end."""
        if not self._glue_enabled:
            return
        from IPython.display import Markdown

        _glue("claims_box", Markdown(self.box()))
        _glue("claims_json", json.dumps([asdict(c) for c in self.claims]))

    @staticmethod
    def _check_key(key):
        if not isinstance(key, str) or not key.isidentifier():
            raise ValueError(f"glue key must be an identifier, got {key!r}")


def _values_text(c: Claim, math_mode: bool = False) -> str:
    if not c.values:
        return "no numbers recorded"
    parts = []
    for k, v in c.values.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = format_number(v, math_mode=math_mode)
        parts.append(f"{k} = {v}")
    return ", ".join(parts)
