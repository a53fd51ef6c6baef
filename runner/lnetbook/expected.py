"""``book/expected.yml``: the numbers the book must reproduce, its schema and the comparison.

The file is required and must list numbers for every notebook of the toc, so the
reproduction check cannot be switched off by deleting or emptying it. Schema, one block
per notebook stem and one entry per glue name::

    exp_a:
      c_case2:
        value: 40.1            # what this book computes at the paper's scale
        rtol: 0.02             # and/or atol: ok when |got - value| <= atol + rtol*|value|
        what: "..."            # one line: what the number is (or give `claim`)
        paper: 39.6            # optional: the paper's number
        source: "ICML Fig. 2 legend"   # where the paper states it (required with `paper`)
        verdict: reproduced    # optional: reproduced | differs | misprint | beyond
        claim: "c for case 2"  # optional: the line shown in "Results at a glance"
        note: "..."            # optional: the reason for a difference

Tolerances are finite and non-negative; a key given twice is an error (YAML would keep
the last one silently); a syntax error is reported as ``book/expected.yml:LINE: problem``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import BookError
from .layout import EXPECTED_FILE, Layout, load_yaml

ENTRY_KEYS = {"value", "atol", "rtol", "paper", "source", "what", "verdict", "claim", "note"}
VERDICTS = ("reproduced", "differs", "misprint", "beyond")
GLUE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _is_finite(x) -> bool:
    return _is_number(x) and math.isfinite(x)


def _text_or_none(entry: dict, key: str) -> bool:
    return entry.get(key) is None or (isinstance(entry[key], str) and entry[key].strip() != "")


def entry_problems(where: str, entry) -> list[str]:
    """Problems with one entry of expected.yml (empty list: well-formed)."""
    if not isinstance(entry, dict):
        return [f"{where}: must be a mapping with value, atol/rtol and what"]
    problems = []
    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(ENTRY_KEYS)})")
    if not _is_finite(entry.get("value")):
        problems.append(f"{where}: 'value' must be a finite number; got {entry.get('value')!r}")
    if "atol" not in entry and "rtol" not in entry:
        problems.append(f"{where}: give a tolerance, 'atol' and/or 'rtol'")
    for tol in ("atol", "rtol"):
        if tol in entry and not (_is_finite(entry[tol]) and entry[tol] >= 0):
            problems.append(f"{where}: '{tol}' must be a finite number >= 0; got {entry[tol]!r}")
    if entry.get("paper") is not None and not _is_finite(entry["paper"]):
        problems.append(f"{where}: 'paper' must be a finite number or null; got {entry['paper']!r}")
    if entry.get("paper") is not None and not entry.get("source"):
        problems.append(f"{where}: 'source' must say where the paper gives {entry['paper']!r}")
    for key in ("source", "what", "claim", "note"):
        if not _text_or_none(entry, key):
            problems.append(f"{where}: '{key}' must be one line of text")
    if not (entry.get("what") or entry.get("claim")):
        problems.append(f"{where}: 'what' (or 'claim') must say in one line what the number is")
    if entry.get("verdict") is not None and entry["verdict"] not in VERDICTS:
        problems.append(
            f"{where}: 'verdict' must be one of {', '.join(VERDICTS)}; got {entry['verdict']!r}"
        )
    # reproduced/differs compare with the paper: with its number, or (a qualitative finding
    # such as an ordering) with the place where the paper states it
    if (
        entry.get("verdict") in {"reproduced", "differs"}
        and entry.get("paper") is None
        and not entry.get("source")
    ):
        problems.append(
            f"{where}: verdict {entry['verdict']!r} needs the paper's number in 'paper', "
            "or, for a qualitative finding, 'source' saying where the paper states it"
        )
    return problems


def validate_expected(expected, stems: list[str] | None = None) -> list[str]:
    """Problems with the structure of ``book/expected.yml`` (empty list: well-formed).

    ``stems``, when given, are the notebook stems of the toc: every top-level key must be
    one of them and every one of them must have entries.
    """
    if expected is None:
        return ["the file is empty: it must list the expected numbers of every notebook"]
    if not isinstance(expected, dict):
        return [f"the top level must map notebook stems to entries; got {type(expected).__name__}"]
    problems = []
    for stem, entries in expected.items():
        if stems is not None and stem not in stems:
            problems.append(f"{stem}: not a notebook of the toc ({', '.join(stems) or 'none'})")
        if not isinstance(entries, dict) or not entries:
            problems.append(f"{stem}: must map glue names to entries")
            continue
        for name, entry in entries.items():
            where = f"{stem}.{name}"
            if not isinstance(name, str) or not GLUE_NAME.match(name):
                problems.append(f"{where}: glue names are snake_case ([a-z][a-z0-9_]*)")
            problems += entry_problems(where, entry)
    for stem in stems or []:
        if stem not in expected:
            problems.append(f"{stem}: no entries (every notebook of the toc needs at least one)")
    return problems


def load_expected(layout: Layout, stems: list[str]) -> dict:
    """Read and validate ``book/expected.yml``; anything wrong is a BookError (exit 2)."""
    path = layout.expected
    if not path.is_file():
        raise BookError(
            f"{EXPECTED_FILE}: missing; the reproduction check needs it (restore it with "
            f"`git checkout -- {EXPECTED_FILE}`)"
        )
    expected = load_yaml(path, fix=f"fix {EXPECTED_FILE}")
    problems = validate_expected(expected, stems)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise BookError(
            f"{EXPECTED_FILE}: {problems[0]}{more}" + "".join(f"\n  {p}" for p in problems[1:])
        )
    return expected


def _half_unit(x: float) -> float:
    """Half a unit in the last digit that ``x`` is written with (39.6 -> 0.05, 4e-3 -> 5e-4)."""
    text = repr(float(x)).lower()
    mant, _, exp = text.partition("e")
    decimals = len(mant.split(".")[1].rstrip("0")) if "." in mant else 0
    return 0.5 * 10.0 ** (-decimals + (int(exp) if exp else 0))


def derived_verdict(entry: dict, value: float | None) -> str | None:
    """The entry's verdict, or reproduced/differs from this book's value against the paper's.

    Reproduced when they agree to the paper's printed precision or within the entry's
    tolerance; None when the paper gives no number.
    """
    if entry.get("verdict"):
        return entry["verdict"]
    paper = entry.get("paper")
    if paper is None:
        return None
    ours = value if value is not None else entry["value"]
    if not math.isfinite(ours):
        return "differs"
    tol = max(_half_unit(paper), entry.get("atol", 0.0) + entry.get("rtol", 0.0) * abs(paper))
    return "reproduced" if abs(ours - paper) <= tol else "differs"


@dataclass(frozen=True)
class Comparison:
    """One expected number against this build's value."""

    stem: str
    name: str
    what: str
    paper: float | None
    source: str | None
    expected: float
    atol: float
    rtol: float
    value: float | None
    status: str  # "ok", "drift" or "missing"
    verdict: str | None = None
    claim: str | None = None
    note: str | None = None

    @property
    def tolerance(self) -> float:
        return self.atol + self.rtol * abs(self.expected)


def _status(e: dict, value) -> tuple[str, float | None]:
    if not _is_number(value) and not isinstance(value, bool):
        return "missing", None
    value = float(value)
    atol, rtol = float(e.get("atol", 0.0)), float(e.get("rtol", 0.0))
    ok = math.isfinite(value) and abs(value - e["value"]) <= atol + rtol * abs(e["value"])
    return ("ok" if ok else "drift"), value


def compare(expected: dict | None, results: dict[str, dict]) -> list[Comparison]:
    """Compare every entry of expected.yml with this build's glued value.

    ``ok`` when ``|value - expected| <= atol + rtol * |expected|``; ``drift`` otherwise
    (a NaN always drifts); ``missing`` when the notebook glued no such number (or did
    not run).
    """
    rows = []
    for stem, entries in (expected or {}).items():
        got = results.get(stem, {})
        for name, e in entries.items():
            status, value = _status(e, got.get(name))
            rows.append(
                Comparison(
                    stem,
                    name,
                    str(e.get("what") or e.get("claim") or ""),
                    e.get("paper"),
                    e.get("source"),
                    float(e["value"]),
                    float(e.get("atol", 0.0)),
                    float(e.get("rtol", 0.0)),
                    value,
                    status,
                    derived_verdict(e, value),
                    e.get("claim"),
                    e.get("note"),
                )
            )
    return rows


COMPARISON_HEADERS = ["quantity", "paper", "expected", "this build", "tolerance", "status"]


def comparison_rows(rows: list[Comparison]) -> list[list]:
    from .tables import fmt_number

    return [
        [
            f"{c.stem}.{c.name}",
            fmt_number(c.paper),
            fmt_number(c.expected),
            fmt_number(c.value),
            f"{c.tolerance:.3g}",
            c.status,
        ]
        for c in rows
    ]
