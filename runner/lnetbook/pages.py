"""The pages written from the run's records into the staged tree (never committed).

- ``book/status.md``: how each notebook ran (seconds, status, parameters, claims,
  whether its source changed since), and the versions that made the numbers;
- ``book/reproduction.md``: "Results at a glance" (the paper's numbers against this
  book's), the claims that did not hold, and the regression check against
  ``book/expected.yml`` in a dropdown;
- ``book/_glance.md``: the "Results at a glance" table alone, for the landing page to
  include; ``book/_runtimes.md``: each notebook's time, for the teaching page.
"""

from __future__ import annotations

from .claims import format_number
from .expected import Comparison
from .layout import COMMAND, Notebook
from .record import RunRecord
from .results import claims_summary
from .tables import fmt_params, markdown_table

#: A notebook "runs in under a minute on a laptop" below this many recorded seconds.
QUICK_SECONDS = 60.0
GLANCE_SNIPPET = "book/_glance.md"
RUNTIMES_SNIPPET = "book/_runtimes.md"
VERDICT_WORDS = {
    "reproduced": "reproduced",
    "differs": "**differs**",
    "misprint": "misprint in the paper",
    "beyond": "beyond the paper",
}


def math_number(x, sig: int = 3) -> str:
    """A number for a page: :func:`lnetbook.claims.format_number` in inline math, a dash for none."""
    if x is None:
        return "—"
    return "$" + format_number(x, sig) + "$"


def _claims_cell(claims) -> str:
    held, total, _ = claims_summary(claims)
    return f"{held} of {total} held" if total else "—"


def _status_row(nb: Notebook, record: RunRecord, stale: dict) -> list:
    e = record.get(nb.stem)
    if e is None:
        return [f"{{doc}}`{nb.stem}`", "—", "not run", "—", "—", "—", "—"]
    status = e.status
    if e.attempt is not None:
        status += f"; last attempt {e.attempt.status} ({fmt_params(e.attempt.parameters)})"
    source = "**changed since**: " + ", ".join(stale[nb.stem]) if nb.stem in stale else "current"
    seconds = f"{e.seconds:.1f}" if e.seconds else "—"
    return [
        f"{{doc}}`{nb.stem}`",
        seconds,
        status,
        fmt_params(e.parameters),
        _claims_cell(e.claims),
        source,
        e.finished or "—",
    ]


def _failed_claims_lines(record: RunRecord, notebooks: list[Notebook]) -> list[str]:
    lines = []
    for nb in notebooks:
        e = record.get(nb.stem)
        _, _, failed = claims_summary(e.claims if e else None)
        for c in failed:
            values = ", ".join(
                f"{k} = {math_number(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v}"
                for k, v in (c.get("values") or {}).items()
            )
            lines.append(
                f"- {{doc}}`{nb.stem}`: {c.get('text', c.get('key'))}"
                + (f" ({values})" if values else "")
            )
    return lines


def _environment_lines(record: RunRecord) -> list[str]:
    rows = [[k, f"`{v}`"] for k, v in record.versions.items()]
    rows.append(["git commit", f"`{record.commit}`"])
    return [markdown_table(["Component", "Version"], rows, "ll")]


def status_page(record: RunRecord, notebooks: list[Notebook], stale: dict | None = None) -> str:
    stale = stale or {}
    rows = [_status_row(nb, record, stale) for nb in notebooks]
    stems = {nb.stem for nb in notebooks}
    total = sum(e.seconds or 0 for s, e in record.notebooks.items() if s in stems)
    failed = [nb.stem for nb in notebooks if (e := record.get(nb.stem)) is None or e.status != "ok"]
    lines = [
        "# Execution status",
        "",
        f"Every notebook of this book was executed with papermill by `{COMMAND}`",
        "before the HTML was built (the book itself executes nothing). This page is written",
        "from that run's record, `_build/executed/run.json`. *Parameters* lists the values",
        'given with `-p` on the command line; "defaults" means the values in the notebook\'s',
        "`parameters` cell, which are the paper's settings (then a failed claim fails the",
        "build). *Source* says whether the notebook or `lnet` changed after the run.",
        "",
        markdown_table(
            ["Notebook", "Seconds", "Status", "Parameters", "Claims", "Source", "Finished"],
            rows,
            "lrlllll",
        ),
        "",
        (
            f"Sum of execution times: {total:.1f} s (Python {record.python},"
            f" {record.cpus or '?'} CPU(s), notebooks run side by side)."
        ),
    ]
    claims = _failed_claims_lines(record, notebooks)
    if claims:
        lines += ["", "## Claims that did not hold", "", *claims]
    if failed:
        lines += [
            "",
            ":::{warning}",
            "These notebooks did not run to the end: "
            + ", ".join(f"{{doc}}`{s}`" for s in failed)
            + ". Their pages show the outputs up to the error.",
            ":::",
        ]
    if stale:
        lines += [
            "",
            ":::{warning}",
            "These pages show numbers from an older version of their "
            "sources: " + ", ".join(f"{{doc}}`{s}`" for s in stale) + ".",
            ":::",
        ]
    lines += ["", "## Software", "", *_environment_lines(record)]
    return "\n".join(lines) + "\n"


def glance_rows(rows: list[Comparison], order: list[str]) -> list[list]:
    """claim | paper | this book | verdict, for the entries with a paper value or a verdict."""
    rank = {stem: i for i, stem in enumerate(order)}
    chosen = [c for c in rows if c.paper is not None or c.verdict]
    chosen.sort(key=lambda c: rank.get(c.stem, len(rank)))  # stable: expected.yml order within
    out = []
    for c in chosen:
        verdict = VERDICT_WORDS.get(c.verdict or "", "—")
        if c.note:
            verdict += f": {c.note}"
        if c.paper is not None:
            paper = math_number(c.paper) + (f" ({c.source})" if c.source else "")
        else:  # a qualitative finding: where the paper states it
            paper = f"stated in {c.source}" if c.source else "—"
        out.append(
            [f"{c.claim or c.what} ({{doc}}`{c.stem}`)", paper, math_number(c.value), verdict]
        )
    return out


def glance_table(rows: list[Comparison], order: list[str]) -> str:
    """The "Results at a glance" table (markdown), in the book's chapter order."""
    table = glance_rows(rows, order)
    if not table:
        return "No number of the paper is listed in `book/expected.yml` yet.\n"
    return markdown_table(["Claim", "Paper", "This book", "Verdict"], table, "lrrl") + "\n"


def _regression_lines(rows: list[Comparison]) -> list[str]:
    lines = []
    for stem in dict.fromkeys(c.stem for c in rows):
        table = [
            [
                f"`{c.name}`",
                c.what,
                math_number(c.expected, 6),
                math_number(c.value, 6),
                math_number(c.tolerance),
                "ok" if c.status == "ok" else f"**{c.status.upper()}**",
            ]
            for c in rows
            if c.stem == stem
        ]
        lines += [
            "",
            f"**{{doc}}`{stem}`**",
            "",
            markdown_table(
                ["Quantity", "What", "Expected", "This build", "Tolerance", "Status"],
                table,
                "llrrrl",
            ),
        ]
    return lines


def reproduction_page(rows: list[Comparison], record: RunRecord, notebooks: list[Notebook]) -> str:
    order = [nb.stem for nb in notebooks]
    counts = {s: sum(c.status == s for c in rows) for s in ("ok", "drift", "missing")}
    lines = [
        "# Reproduction report",
        "",
        "## Results at a glance",
        "",
        "The paper's numbers next to the ones this book computes, chapter by chapter.",
        "",
        glance_table(rows, order),
    ]
    changed = {s: e.parameters for s, e in record.notebooks.items() if e.parameters and s in order}
    if changed:
        lines += [
            ":::{note}",
            "These notebooks ran with parameters other than the paper's, so"
            " their numbers are not expected to match: "
            + "; ".join(f"{{doc}}`{s}` ({fmt_params(p)})" for s, p in changed.items())
            + ".",
            ":::",
            "",
        ]
    claims = _failed_claims_lines(record, notebooks)
    lines += [
        "## Claims",
        "",
        "Each chapter checks the claims its text makes on the numbers it "
        "computes. "
        + (
            f"{len(claims)} did not hold in this build:"
            if claims
            else "All of them held in this build."
        ),
        "",
        *claims,
    ]
    lines += [
        "",
        "## Regression check",
        "",
        (
            f"{len(rows)} numbers compared with `book/expected.yml`: {counts['ok']} ok,"
            f" {counts['drift']} drift, {counts['missing']} missing."
        ),
        "",
        ":::{dropdown} This build against `book/expected.yml`",
        "A row is *ok* when |this build − expected| ≤ atol + rtol·|expected| (the",
        "*tolerance* column); *drift* means the build computed something else, *missing*",
        f"that the notebook glued no such number. `{COMMAND} check` applies the same",
        "test and fails the build on any drift or missing number.",
        *_regression_lines(rows),
        ":::",
    ]
    return "\n".join(lines) + "\n"


def runtimes_snippet(record: RunRecord, notebooks: list[Notebook]) -> str:
    """A table of each notebook's recorded execution time, for the teaching page."""
    rows, quick = [], 0
    for nb in notebooks:
        e = record.get(nb.stem)
        if e is None or e.status != "ok" or e.parameters or not e.seconds:
            seconds, verdict = "—", "not measured (not run with the defaults in this build)"
        else:
            seconds = f"{e.seconds:.0f}"
            fast = e.seconds < QUICK_SECONDS
            quick += fast
            verdict = "yes" if fast else "no"
        rows.append([f"{{doc}}`{nb.stem}`", f"`{nb.name}`", seconds, verdict])
    headers = ["Chapter", "Notebook", "Seconds", f"Under {QUICK_SECONDS:.0f} s"]
    return (
        "\n".join(
            [
                markdown_table(headers, rows, "llrl"),
                "",
                (
                    f"{quick} of {len(notebooks)} notebooks ran in under {QUICK_SECONDS:.0f} s"
                    f" in this build, on the machine that built it (Python {record.python},"
                    f" {record.cpus or '?'} CPU(s), notebooks sharing the CPUs). The times are read from this"
                    " build's run record, `_build/executed/run.json`; the {doc}`status` page has the details."
                ),
            ]
        )
        + "\n"
    )
