"""The reproduction check, and the checks that a build folder can be trusted at all.

:func:`verify_build` makes sure every notebook of the toc has a complete executed copy
in ``_build/executed/``, recorded in ``run.json``, with results beside it that match it;
:func:`stale_problems` that no notebook changed since it ran. :func:`check` then compares
the glued numbers with ``book/expected.yml``.

Exit codes: 0 every number within tolerance; 1 a number drifted or is missing, or a
notebook failed (:data:`~lnetbook.errors.EXIT_FAILED`); 2 the check could not be made
(:data:`~lnetbook.errors.EXIT_ERROR`): a missing, corrupt or stale build file, a
missing or malformed ``book/expected.yml``.
"""

from __future__ import annotations

import json

from .errors import EXIT_ERROR, EXIT_FAILED, EXIT_OK, BookError
from .expected import COMPARISON_HEADERS, compare, comparison_rows, load_expected
from .layout import COMMAND, EXPECTED_FILE, Layout, Notebook
from .provenance import file_hash, staleness
from .record import RunRecord
from .results import extract, read_executed, repair_hint
from .tables import format_table


def _complete(nb: dict) -> bool:
    """Every code cell ran: papermill marks each ``completed``, none pending or running."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        status = cell.get("metadata", {}).get("papermill", {}).get("status")
        if status is not None and status != "completed":
            return False
    return not nb.get("metadata", {}).get("papermill", {}).get("exception")


def _verify_one(layout: Layout, nb: Notebook, record: RunRecord) -> str | None:
    entry = record.get(nb.stem)
    copy = layout.executed_copy(nb.stem)
    rel = layout.rel(copy)
    if entry is None or not entry.has_copy:
        state = "not run" if entry is None else entry.status
        return f"{nb.name}: {state} in this build folder; {repair_hint(nb.stem)}"
    try:
        executed = read_executed(layout, nb.stem)
    except BookError as exc:
        return str(exc)
    if entry.executed_sha256 and file_hash(copy) != entry.executed_sha256:
        return f"{rel}: not the copy the run record describes (changed after the run); {repair_hint(nb.stem)}"
    if entry.status == "ok" and not _complete(executed):
        return f"{rel}: incomplete (some cells never ran); {repair_hint(nb.stem)}"
    results = layout.results_file(nb.stem)
    try:
        stored = json.loads(results.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"{layout.rel(results)}: results file missing; {repair_hint(nb.stem)}"
    except (OSError, ValueError):
        return f"{layout.rel(results)}: results file is corrupt; {repair_hint(nb.stem)}"
    if stored != json.loads(json.dumps(extract(executed))):
        return f"{layout.rel(results)}: does not match its executed copy; {repair_hint(nb.stem)}"
    return None


def verify_build(layout: Layout, notebooks: list[Notebook], record: RunRecord) -> list[str]:
    """One line per notebook whose executed copy, record entry or results cannot be trusted."""
    return [p for nb in notebooks if (p := _verify_one(layout, nb, record))]


def stale_problems(
    notebooks: list[Notebook], record: RunRecord
) -> tuple[list[str], list[str], dict]:
    """(sources changed, lnet changed, stem -> reasons) since each notebook's run."""
    stale = staleness(record, notebooks)
    by_stem = {nb.stem: nb for nb in notebooks}
    sources = [by_stem[s].name for s, r in stale.items() if "source changed" in r]
    lnet = [by_stem[s].name for s, r in stale.items() if "lnet changed" in r]
    return sources, lnet, stale


def freshness_gate(notebooks: list[Notebook], record: RunRecord, allow_stale: bool) -> dict:
    """Refuse (or, with ``allow_stale``, warn loudly) when sources changed after their run."""
    sources, lnet, stale = stale_problems(notebooks, record)
    if lnet:
        print(
            f"WARNING: lnet changed since these notebooks ran: {' '.join(lnet)}; "
            f"their numbers may be out of date (`{COMMAND} book` reruns everything)"
        )
    if sources:
        line = (
            f"changed since they were executed: {' '.join(sources)}; "
            f"run `{COMMAND} run {' '.join(sources)}`"
        )
        if not allow_stale:
            raise BookError(line + " (or pass --allow-stale)")
        print(f"WARNING: {line}")
    return stale


def _pending_lines(notebooks: list[Notebook], record: RunRecord) -> list[str]:
    out = []
    for nb in notebooks:
        e = record.get(nb.stem)
        if e is not None and e.attempt is not None:
            out.append(
                f"note: the last run of {nb.name} was {e.attempt.status}; "
                f"the check uses the previous complete run ({e.status})"
            )
    return out


def check(layout: Layout, notebooks: list[Notebook], *, allow_stale: bool = False) -> int:
    """Print this build's numbers against book/expected.yml and return the exit code."""
    stems = [nb.stem for nb in notebooks]
    expected = load_expected(layout, stems)
    record = RunRecord.load(layout)
    problems = verify_build(layout, notebooks, record)
    if problems:
        raise BookError(f"cannot check: {problems[0]}" + "".join(f"\n  {p}" for p in problems[1:]))
    freshness_gate(notebooks, record, allow_stale)
    from .results import read_results

    rows = compare(expected, read_results(layout, stems))
    print(f"reproduction check: {EXPECTED_FILE} against {layout.rel(layout.results)}/")
    print(format_table(COMPARISON_HEADERS, comparison_rows(rows), "lrrrrl"))
    for line in _pending_lines(notebooks, record):
        print(line)
    bad = [c for c in rows if c.status != "ok"]
    failed = [nb.name for nb in notebooks if record.get(nb.stem).status != "ok"]
    for name in failed:
        print(f"notebook {name}: failed")
    print(
        f"{len(rows) - len(bad)} of {len(rows)} numbers within tolerance"
        + (f"; {len(failed)} notebook(s) failed" if failed else "")
    )
    return EXIT_FAILED if bad or failed else EXIT_OK


__all__ = ["EXIT_ERROR", "check", "freshness_gate", "verify_build"]
