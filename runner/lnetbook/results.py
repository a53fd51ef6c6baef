"""What a notebook glued: its scalars (the numbers the check reads) and its claims.

``_build/results/<stem>.json`` maps each glued scalar's name to its value and holds the
chapter's claims under ``claims_json`` (the list :meth:`lnetbook.claims.Chapter.report`
glues: ``{key, text, held, values}`` per claim).
"""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

from .errors import BookError
from .layout import COMMAND, Layout, load_json

#: The glue name under which :mod:`lnetbook.claims` stores a chapter's claims.
CLAIMS_KEY = "claims_json"

# numpy >= 2 shows scalars as np.float64(0.5), np.int64(3), np.True_.
_NUMPY_SCALAR = re.compile(
    r"^(?:np|numpy)\.(?:float|int|uint|longdouble|double)\w*\((.*)\)$", re.DOTALL
)
_NUMPY_BOOL = {"np.True_": True, "np.False_": False, "numpy.True_": True, "numpy.False_": False}


def parse_scalar(text: str) -> int | float | bool | None:
    """The number that a ``text/plain`` repr shows, or None if it is not a real scalar."""
    text = text.strip()
    if text in _NUMPY_BOOL:
        return _NUMPY_BOOL[text]
    m = _NUMPY_SCALAR.match(text)
    if m:
        text = m.group(1).strip()
    if text in {"nan", "inf", "-inf"}:
        return float(text)
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if isinstance(value, (bool, int, float)):
        return value
    return None


def parse_claims(text: str) -> list[dict] | None:
    """The claims list from the ``text/plain`` repr of the glued ``claims_json`` string."""
    try:
        raw = ast.literal_eval(text.strip())
        claims = json.loads(raw) if isinstance(raw, str) else None
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if not isinstance(claims, list) or not all(isinstance(c, dict) for c in claims):
        return None
    return [
        {
            "key": str(c.get("key", "")),
            "text": str(c.get("text", "")),
            "held": bool(c.get("held")),
            "values": c.get("values") if isinstance(c.get("values"), dict) else {},
        }
        for c in claims
    ]


def _text(data) -> str:
    return "".join(data) if isinstance(data, list) else str(data)


def _glue_outputs(nb: dict):
    """(name, text/plain repr) of every ``myst_nb.glue`` output of an executed notebook."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            meta = (output.get("metadata") or {}).get("scrapbook")
            if not meta or "name" not in meta:
                continue
            prefix = meta.get("mime_prefix", "")
            data = output.get("data", {})
            if prefix + "text/plain" in data:
                yield meta["name"], _text(data[prefix + "text/plain"])


def glued_scalars(nb: dict) -> dict[str, int | float | bool]:
    """Every scalar glued with ``myst_nb.glue`` in an executed notebook: name -> value.

    ``glue(name, value, display=False)`` writes a display output whose metadata holds
    ``{"scrapbook": {"name": name, "mime_prefix": prefix}}`` and whose data holds the
    value's ``prefix + "text/plain"`` repr; figures, arrays and strings are skipped.
    """
    found: dict[str, int | float | bool] = {}
    for name, text in _glue_outputs(nb):
        value = parse_scalar(text)
        if value is not None:
            found[name] = value
    return found


def glued_claims(nb: dict) -> list[dict] | None:
    """The chapter's claims (the glued ``claims_json``), or None if it glued none."""
    claims = None
    for name, text in _glue_outputs(nb):
        if name == CLAIMS_KEY:
            claims = parse_claims(text)
    return claims


def extract(nb: dict) -> dict:
    """The results of one executed notebook: its scalars, and its claims under ``claims_json``."""
    values: dict = dict(glued_scalars(nb))
    claims = glued_claims(nb)
    if claims is not None:
        values[CLAIMS_KEY] = claims
    return values


def write_json_atomic(path: Path, data) -> None:
    """Write JSON next to ``path`` and move it into place: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def repair_hint(stem: str) -> str:
    return f"run `{COMMAND} run book/{stem}.ipynb`"


def read_executed(layout: Layout, stem: str) -> dict:
    """The executed copy of ``stem``; missing or corrupt is one BookError line."""
    return load_json(layout.executed_copy(stem), fix=repair_hint(stem), what="executed notebook")


def write_results(layout: Layout, stem: str) -> dict:
    """Extract ``_build/executed/<stem>.ipynb`` into ``_build/results/<stem>.json``."""
    values = extract(read_executed(layout, stem))
    write_json_atomic(layout.results_file(stem), values)
    return values


def read_results(layout: Layout, stems: list[str] | None = None) -> dict[str, dict]:
    """``_build/results/<stem>.json`` files (all, or those of ``stems`` that exist): stem -> values."""
    if not layout.results.is_dir():
        return {}
    paths = sorted(layout.results.glob("*.json"))
    if stems is not None:
        paths = [p for p in paths if p.stem in stems]
    out = {}
    for p in paths:
        data = load_json(p, fix=repair_hint(p.stem), what="results file")
        if not isinstance(data, dict):
            raise BookError(f"{p}: results file is not a mapping; {repair_hint(p.stem)}")
        out[p.stem] = data
    return out


def claims_summary(claims: list[dict] | None) -> tuple[int, int, list[dict]]:
    """(held, total, failed claims) of a claims list (None: no claims, 0 of 0)."""
    claims = claims or []
    failed = [c for c in claims if not c.get("held")]
    return len(claims) - len(failed), len(claims), failed
