r"""Build the lnet book: execute every notebook, build the HTML, check the numbers.

Command line (run from the repository's top folder, with the project's Python)::

    python -m lnet.book build                  # execute all notebooks, build HTML, check
    python -m lnet.book run book/scalar.ipynb -p y 2.0   # re-execute one notebook
    python -m lnet.book html                   # rebuild the HTML from the executed copies
    python -m lnet.book html --student         # the student edition (no solutions)
    python -m lnet.book check                  # compare this build's numbers with book/expected.yml
    python -m lnet.book list                   # the notebooks named in _toc.yml

Where things land (all under ``_build/``, never in ``book/``):

- ``_build/executed/<stem>.ipynb``: the executed copies written by papermill, and
  ``_build/executed/run.json``, the record of each execution (seconds, status,
  parameters, the failing cell);
- ``_build/results/<stem>.json``: every scalar the notebook glued (name -> value);
- ``_build/src/``: the source tree that ``jupyter-book build`` reads: ``_config.yml``,
  ``_toc.yml``, ``book/`` without its notebooks, the executed notebooks in their
  place, the generated pages ``book/status.md`` (execution status) and
  ``book/reproduction.md`` (reproduction report), and ``_extra/mathjax/`` (MathJax 3
  from the ``django-static-mathjax`` wheel, so math renders offline);
- ``_build/html/``: the book; ``_build/src-student/`` and ``_build/html-student/``: the
  student edition, whose pages and downloadable notebooks have no solutions.

The staged ``_config.yml`` is derived from the repository's (:func:`staged_config`): the
one setting ``repository: url`` switches the repository and launch buttons on.

The committed notebooks in ``book/`` carry no outputs; papermill is the one thing that
executes them (``execute_notebooks: "off"`` in ``_config.yml``). This module imports
nothing beyond the standard library at import time, so ``import lnet`` never needs the
book's dependencies.
"""

from __future__ import annotations

import argparse
import ast
import datetime as _dt
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

BOOK_DIR = "book"
EXPECTED_FILE = "book/expected.yml"
STATUS_DOC = "book/status"
REPRODUCTION_DOC = "book/reproduction"
#: Pages that exist only in the staged source tree, written from the run's records.
GENERATED_DOCS = (STATUS_DOC, REPRODUCTION_DOC)
#: Written into the staged ``book/`` for ``book/teaching.md`` to include (not a page).
RUNTIMES_SNIPPET = "book/_runtimes.md"
#: A notebook "runs in under a minute on a laptop" below this many recorded seconds.
QUICK_SECONDS = 60.0
#: The launch services switched on when ``_config.yml`` names a repository.
BINDERHUB_URL = "https://mybinder.org"
COLAB_URL = "https://colab.research.google.com"
KERNEL_NAME = "python3"
DEFAULT_JOBS = 2
#: Seconds between "still running" lines while notebooks execute.
HEARTBEAT = 60.0

ENTRY_KEYS = {"value", "atol", "rtol", "paper", "source", "what"}
GLUE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class BookError(Exception):
    """A problem with the book's sources or build that the user must fix."""


# --------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """The paths of one repository checkout (``root`` holds ``_config.yml``)."""

    root: Path

    @property
    def book(self) -> Path:
        return self.root / BOOK_DIR

    @property
    def build(self) -> Path:
        return self.root / "_build"

    @property
    def executed(self) -> Path:
        return self.build / "executed"

    @property
    def results(self) -> Path:
        return self.build / "results"

    @property
    def src(self) -> Path:
        return self.build / "src"

    @property
    def html(self) -> Path:
        return self.build / "html"

    @property
    def src_student(self) -> Path:
        return self.build / "src-student"

    @property
    def html_student(self) -> Path:
        return self.build / "html-student"

    @property
    def run_record(self) -> Path:
        return self.executed / "run.json"

    @property
    def expected(self) -> Path:
        return self.root / EXPECTED_FILE

    def rel(self, path: Path) -> str:
        try:
            return str(Path(path).relative_to(self.root))
        except ValueError:
            return str(path)


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: cwd) holding ``_config.yml`` and ``_toc.yml``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (folder / "_toc.yml").is_file():
            return folder
    raise BookError(
        f"no _config.yml and _toc.yml in {here} or above: run this from the repository's top folder"
    )


# --------------------------------------------------------------------------------------
# Table of contents
# --------------------------------------------------------------------------------------


def load_yaml(path: Path):
    import yaml  # lazily: a [book]/[test] dependency, not one of lnet's

    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def toc_docnames(toc: dict) -> list[str]:
    """Every document the toc names, in reading order, without file suffix.

    Understands the jb-book and jb-article formats (``root``, ``parts``, ``chapters``,
    ``sections``, ``entries``); ``url`` and ``glob`` entries name no single file.
    """
    if not isinstance(toc, dict) or "root" not in toc:
        raise BookError("_toc.yml must be a mapping with a 'root' entry")
    names: list[str] = []

    def strip(file: str) -> str:
        p = Path(str(file))
        return str(p.with_suffix("")) if p.suffix in {".md", ".ipynb", ".rst"} else str(p)

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if "file" in node:
                names.append(strip(node["file"]))
            for key in ("parts", "chapters", "sections", "entries", "subtrees"):
                if key in node:
                    walk(node[key])

    names.append(strip(toc["root"]))
    walk({k: v for k, v in toc.items() if k != "root"})
    return names


@dataclass(frozen=True)
class Notebook:
    """A notebook of the book: ``book/<stem>.ipynb``."""

    stem: str
    source: Path


def toc_notebooks(layout: Layout) -> list[Notebook]:
    """The notebooks named in ``_toc.yml``, in toc order, after checking toc and book/ agree.

    Raises :class:`BookError` if the toc names a file that does not exist, or if a
    notebook in ``book/`` is missing from the toc.
    """
    docs = toc_docnames(load_yaml(layout.root / "_toc.yml"))
    notebooks: list[Notebook] = []
    problems: list[str] = []
    for doc in docs:
        if doc in GENERATED_DOCS:
            continue
        base = layout.root / doc
        if base.with_suffix(".ipynb").is_file():
            src = base.with_suffix(".ipynb")
            if src.parent != layout.book:
                problems.append(f"{doc}.ipynb: notebooks must live directly in {BOOK_DIR}/")
            notebooks.append(Notebook(src.stem, src))
        elif not (base.with_suffix(".md").is_file() or base.with_suffix(".rst").is_file()):
            problems.append(f"_toc.yml names {doc!r} but there is no {doc}.ipynb or {doc}.md")
    listed = {nb.source.resolve() for nb in notebooks}
    for path in sorted(layout.book.glob("*.ipynb")):
        if path.resolve() not in listed:
            problems.append(f"{layout.rel(path)} is not in _toc.yml: add it there or remove it")
    if problems:
        raise BookError("the table of contents and book/ disagree:\n  " + "\n  ".join(problems))
    return notebooks


def resolve_notebook(arg: str, notebooks: list[Notebook]) -> Notebook:
    """The toc notebook that ``arg`` (``book/x.ipynb``, ``x.ipynb`` or ``x``) names."""
    stem = Path(arg).stem if arg.endswith(".ipynb") else Path(arg).name
    for nb in notebooks:
        if nb.stem == stem:
            return nb
    known = ", ".join(nb.stem for nb in notebooks) or "none"
    raise BookError(f"notebook {arg!r} is not in _toc.yml (the toc's notebooks: {known})")


def parameters_cells(nb: dict) -> list[int]:
    """Indices of the cells tagged ``parameters``."""
    return [
        i
        for i, cell in enumerate(nb.get("cells", []))
        if "parameters" in cell.get("metadata", {}).get("tags", [])
    ]


def preflight(notebooks: list[Notebook]) -> None:
    """Check each notebook has exactly one code cell tagged ``parameters`` before running any."""
    problems = []
    for nb in notebooks:
        data = json.loads(nb.source.read_text(encoding="utf-8"))
        cells = parameters_cells(data)
        if len(cells) != 1:
            problems.append(
                f"{nb.source.name}: {len(cells)} cells tagged 'parameters' (need exactly 1)"
            )
        elif data["cells"][cells[0]].get("cell_type") != "code":
            problems.append(f"{nb.source.name}: the cell tagged 'parameters' is not a code cell")
    if problems:
        raise BookError("notebooks not ready for papermill:\n  " + "\n  ".join(problems))


# --------------------------------------------------------------------------------------
# Glue extraction
# --------------------------------------------------------------------------------------

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


def _text(data) -> str:
    return "".join(data) if isinstance(data, list) else str(data)


def glued_scalars(nb: dict) -> dict[str, int | float | bool]:
    """Every scalar glued with ``myst_nb.glue`` in an executed notebook: name -> value.

    ``glue(name, value, display=False)`` writes a display output whose metadata holds
    ``{"scrapbook": {"name": name, "mime_prefix": prefix}}`` and whose data holds the
    value's ``prefix + "text/plain"`` repr; figures, arrays and strings are skipped.
    """
    found: dict[str, int | float | bool] = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            meta = (output.get("metadata") or {}).get("scrapbook")
            if not meta or "name" not in meta:
                continue
            prefix = meta.get("mime_prefix", "")
            data = output.get("data", {})
            if prefix + "text/plain" not in data:
                continue
            value = parse_scalar(_text(data[prefix + "text/plain"]))
            if value is not None:
                found[meta["name"]] = value
    return found


def write_results(layout: Layout, stem: str) -> dict:
    """Extract the glued scalars of ``_build/executed/<stem>.ipynb`` to ``_build/results/<stem>.json``."""
    executed = layout.executed / f"{stem}.ipynb"
    values = glued_scalars(json.loads(executed.read_text(encoding="utf-8")))
    layout.results.mkdir(parents=True, exist_ok=True)
    (layout.results / f"{stem}.json").write_text(
        json.dumps(values, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return values


def read_results(layout: Layout) -> dict[str, dict]:
    """All ``_build/results/<stem>.json`` files: stem -> {name: value}."""
    if not layout.results.is_dir():
        return {}
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(layout.results.glob("*.json"))
    }


# --------------------------------------------------------------------------------------
# Expected values and the reproduction check
# --------------------------------------------------------------------------------------


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def validate_expected(expected, stems: list[str] | None = None) -> list[str]:
    """Problems with the structure of ``book/expected.yml`` (empty list: well-formed).

    ``stems``, when given, are the notebook stems of the toc; every top-level key must
    be one of them.
    """
    if expected is None:
        return []
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
            if not isinstance(entry, dict):
                problems.append(
                    f"{where}: must be a mapping with value, atol/rtol, paper, source, what"
                )
                continue
            unknown = set(entry) - ENTRY_KEYS
            if unknown:
                problems.append(
                    f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(ENTRY_KEYS)})"
                )
            if not _is_number(entry.get("value")):
                problems.append(f"{where}: 'value' must be a number; got {entry.get('value')!r}")
            if "atol" not in entry and "rtol" not in entry:
                problems.append(f"{where}: give a tolerance, 'atol' and/or 'rtol'")
            for tol in ("atol", "rtol"):
                if tol in entry and not (_is_number(entry[tol]) and entry[tol] >= 0):
                    problems.append(f"{where}: '{tol}' must be a number >= 0; got {entry[tol]!r}")
            if entry.get("paper") is not None and not _is_number(entry["paper"]):
                problems.append(
                    f"{where}: 'paper' must be a number or null; got {entry['paper']!r}"
                )
            for key in ("paper", "source"):
                if key not in entry:
                    problems.append(f"{where}: '{key}' is required (null if the paper has none)")
            if entry.get("source") is not None and not isinstance(entry["source"], str):
                problems.append(f"{where}: 'source' must be text or null")
            if not isinstance(entry.get("what"), str) or not entry["what"].strip():
                problems.append(f"{where}: 'what' must be a one-line description")
    return problems


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

    @property
    def tolerance(self) -> float:
        return self.atol + self.rtol * abs(self.expected)


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
            value = got.get(name)
            atol, rtol = float(e.get("atol", 0.0)), float(e.get("rtol", 0.0))
            if value is None or isinstance(value, str):
                status, value = "missing", None
            else:
                value = float(value)
                ok = math.isfinite(value) and abs(value - e["value"]) <= atol + rtol * abs(
                    e["value"]
                )
                status = "ok" if ok else "drift"
            rows.append(
                Comparison(
                    stem,
                    name,
                    str(e.get("what", "")),
                    e.get("paper"),
                    e.get("source"),
                    float(e["value"]),
                    atol,
                    rtol,
                    value,
                    status,
                )
            )
    return rows


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------


def format_table(headers: list[str], rows: list[list], align: str | None = None) -> str:
    """A plain-text table with aligned columns; ``align`` is one of 'l'/'r' per column."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    align = align or "l" * len(headers)

    def line(row):
        return "  ".join(
            c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(row, widths, align)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(r) for r in cells[1:]])


def markdown_table(headers: list[str], rows: list[list], align: str | None = None) -> str:
    """A MyST (GitHub-style) pipe table; ``|`` inside cells is escaped."""
    align = align or "l" * len(headers)

    def cell(c) -> str:
        return str(c).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(cell(h) for h in headers) + " |"]
    out.append("|" + "|".join("---:" if a == "r" else ":---" for a in align) + "|")
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def fmt_number(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return str(x)
    return f"{x:.6g}"


def fmt_params(params: dict | None) -> str:
    if not params:
        return "defaults"
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def status_rows(record: dict, notebooks: list[Notebook]) -> list[list]:
    """Rows notebook, seconds, status, parameters for the toc's notebooks, in toc order."""
    rows = []
    for nb in notebooks:
        r = record.get("notebooks", {}).get(nb.stem)
        if r is None:
            rows.append([f"{nb.stem}.ipynb", "—", "not run", "—"])
        else:
            rows.append(
                [
                    f"{nb.stem}.ipynb",
                    f"{r['seconds']:.1f}",
                    r["status"],
                    fmt_params(r.get("parameters")),
                ]
            )
    return rows


def comparison_rows(rows: list[Comparison]) -> list[list]:
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


COMPARISON_HEADERS = ["quantity", "paper", "expected", "this build", "tolerance", "status"]


# --------------------------------------------------------------------------------------
# Executing notebooks (papermill, in a pool of processes)
# --------------------------------------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def parse_parameter(value: str):
    """A ``-p name value`` value typed like papermill's CLI does: bool, None, int, float or text.

    A value that starts with ``[`` or ``{`` is read as YAML (what ``papermill -y`` does), so
    list parameters such as a notebook's widths can be changed too: ``-p widths "[30, 3000]"``.
    """
    if value.lstrip()[:1] in {"[", "{"}:
        import yaml

        try:
            return yaml.safe_load(value)
        except yaml.YAMLError as exc:
            raise BookError(
                f"parameter value {value!r} looks like a YAML list or map but is not: {exc}"
            ) from None
    if value in {"True", "true"}:
        return True
    if value in {"False", "false"}:
        return False
    if value in {"None", "null"}:
        return None
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def _execute_one(
    source: str, output: str, parameters: dict, cwd: str, timeout, progress_bar: bool
) -> dict:
    """Execute one notebook with papermill (runs in a worker process); never raises."""
    import papermill as pm

    started = time.perf_counter()
    error = None
    try:
        pm.execute_notebook(
            source,
            output,
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            cwd=cwd,
            progress_bar=progress_bar,
            log_output=False,
            execution_timeout=timeout,
            **_kernel_config(),
        )
    except pm.PapermillExecutionError as exc:
        error = {
            "cell_index": exc.cell_index,
            "execution_count": exc.exec_count,
            "source": exc.source,
            "ename": exc.ename,
            "evalue": strip_ansi(str(exc.evalue)),
            "traceback": strip_ansi("\n".join(exc.traceback)),
        }
    except BaseException as exc:  # noqa: BLE001 - a dead kernel or a timeout must not stop the other notebooks
        error = {
            "cell_index": None,
            "execution_count": None,
            "source": None,
            "ename": type(exc).__name__,
            "evalue": strip_ansi(str(exc)),
            "traceback": strip_ansi(traceback.format_exc()),
        }
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "status": "ok" if error is None else "failed",
        "parameters": parameters,
        "error": error,
    }


def _kernel_config() -> dict:
    """Encrypt the kernel's local TCP channels where jupyter_client and libzmq can.

    Without it ipykernel warns on every start that it runs over TCP without
    encryption, two lines of noise per notebook in the logs.
    """
    try:
        import zmq
        from jupyter_client.manager import KernelManager
        from traitlets.config import Config
    except ImportError:
        return {}
    if "transport_encryption" not in KernelManager.class_trait_names() or not zmq.has("curve"):
        return {}
    return {"config": Config({"KernelManager": {"transport_encryption": "auto"}})}


def _prepare_environment(layout: Layout, jobs: int) -> None:
    """Environment inherited by papermill's workers and their kernels.

    The kernel "python3" is pinned to this interpreter: a user-level kernelspec of
    the same name (another Python, without lnet) would otherwise take precedence.
    BLAS threads are split between the parallel kernels so they do not fight for cores.
    """
    kernels = layout.build / "jupyter" / "kernels" / KERNEL_NAME
    kernels.mkdir(parents=True, exist_ok=True)
    from ipykernel.kernelspec import get_kernel_dict  # argv[0] is sys.executable

    spec = dict(get_kernel_dict(), display_name="Python 3 (lnet book)")
    (kernels / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    jupyter_path = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(layout.build / "jupyter")] + ([jupyter_path] if jupyter_path else [])
    )
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    threads = str(max(1, (os.cpu_count() or 1) // jobs))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, threads)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def load_record(layout: Layout) -> dict:
    if layout.run_record.is_file():
        return json.loads(layout.run_record.read_text(encoding="utf-8"))
    return {"notebooks": {}}


def save_record(layout: Layout, record: dict) -> None:
    layout.executed.mkdir(parents=True, exist_ok=True)
    record["updated"] = _now()
    record["python"] = sys.version.split()[0]
    record["cpus"] = os.cpu_count()
    layout.run_record.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def report_failure(layout: Layout, stem: str, result: dict) -> None:
    """Print the notebook, the failing cell's source and the traceback."""
    e = result["error"] or {}
    where = (
        f"cell {e['cell_index']} (execution count {e['execution_count']})"
        if e.get("cell_index") is not None
        else "outside any cell"
    )
    bar = "=" * 78
    print(f"\n{bar}\nFAILED: {BOOK_DIR}/{stem}.ipynb, {where}: {e.get('ename')}: {e.get('evalue')}")
    if e.get("source"):
        print(f"--- source of the failing cell ---\n{e['source'].rstrip()}")
    print(f"--- traceback ---\n{(e.get('traceback') or '').rstrip()}")
    print(
        f"--- executed copy, with outputs up to the error: {layout.rel(layout.executed / (stem + '.ipynb'))}"
    )
    print(bar, flush=True)


def execute(
    layout: Layout,
    notebooks: list[Notebook],
    parameters: dict | None = None,
    *,
    jobs: int = DEFAULT_JOBS,
    timeout: float | None = None,
    progress_bar: bool = False,
    fresh: bool = False,
) -> dict[str, dict]:
    """Execute ``notebooks`` with papermill, ``jobs`` at a time; return stem -> result.

    Prints a line when each notebook starts and ends and, while any runs, every
    :data:`HEARTBEAT` seconds. Results (and the glued scalars) are saved as each
    notebook ends, so an interrupted build keeps what finished. ``fresh`` starts a new
    run record (a full build); otherwise the record of other notebooks is kept.
    """
    import concurrent.futures as cf
    import multiprocessing

    preflight(notebooks)
    layout.executed.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs, len(notebooks)))
    _prepare_environment(layout, jobs)
    record = load_record(layout)
    # Longest first (from the last run), so the pool is not left with one long tail.
    previous = record.get("notebooks", {})
    if fresh:
        record = {"notebooks": {}}
    queue = sorted(notebooks, key=lambda nb: -previous.get(nb.stem, {}).get("seconds", 0.0))
    t0 = time.perf_counter()
    results: dict[str, dict] = {}
    running: dict = {}

    def stamp() -> str:
        return f"[{time.perf_counter() - t0:7.1f} s]"

    print(f"executing {len(notebooks)} notebook(s) with papermill, {jobs} at a time", flush=True)
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        while queue or running:
            while queue and len(running) < jobs:
                nb = queue.pop(0)
                # No stale copy or numbers may survive a run that fails early.
                for stale in (
                    layout.executed / f"{nb.stem}.ipynb",
                    layout.results / f"{nb.stem}.json",
                ):
                    stale.unlink(missing_ok=True)
                fut = pool.submit(
                    _execute_one,
                    str(nb.source),
                    str(layout.executed / f"{nb.stem}.ipynb"),
                    dict(parameters or {}),
                    str(layout.executed),
                    timeout,
                    progress_bar,
                )
                running[fut] = (nb, time.perf_counter())
                print(f"{stamp()} start   {nb.source.name}", flush=True)
            done, _ = cf.wait(running, timeout=HEARTBEAT, return_when=cf.FIRST_COMPLETED)
            if not done:
                busy = ", ".join(
                    f"{nb.source.name} ({time.perf_counter() - s:.0f} s)"
                    for nb, s in running.values()
                )
                print(f"{stamp()} running {busy}", flush=True)
            for fut in done:
                nb, started = running.pop(fut)
                try:
                    result = fut.result()
                except Exception as exc:  # noqa: BLE001 - e.g. the worker was killed (out of memory)
                    result = {
                        "seconds": round(time.perf_counter() - started, 2),
                        "status": "failed",
                        "parameters": dict(parameters or {}),
                        "error": {
                            "cell_index": None,
                            "execution_count": None,
                            "source": None,
                            "ename": type(exc).__name__,
                            "evalue": str(exc),
                            "traceback": traceback.format_exc(),
                        },
                    }
                result["notebook"] = f"{BOOK_DIR}/{nb.source.name}"
                result["finished"] = _now()
                results[nb.stem] = result
                record.setdefault("notebooks", {})[nb.stem] = result
                save_record(layout, record)
                if (layout.executed / f"{nb.stem}.ipynb").is_file():
                    write_results(layout, nb.stem)
                word = "ok    " if result["status"] == "ok" else "FAILED"
                print(f"{stamp()} {word}  {nb.source.name} ({result['seconds']:.1f} s)", flush=True)
                if result["status"] != "ok":
                    report_failure(layout, nb.stem, result)
    total = time.perf_counter() - t0
    rows = status_rows({"notebooks": results}, [nb for nb in notebooks])
    print("\n" + format_table(["notebook", "seconds", "status", "parameters"], rows, "lrll"))
    print(f"wall time {total:.1f} s for {len(notebooks)} notebook(s), {jobs} at a time", flush=True)
    return results


# --------------------------------------------------------------------------------------
# Generated pages, staging, HTML
# --------------------------------------------------------------------------------------


def status_page(record: dict, notebooks: list[Notebook]) -> str:
    rows = []
    for nb, (name, seconds, status, params) in zip(notebooks, status_rows(record, notebooks)):
        finished = record.get("notebooks", {}).get(nb.stem, {}).get("finished", "—")
        rows.append([f"{{doc}}`{nb.stem}`", seconds, status, params, finished])
    total = sum(
        r["seconds"]
        for s, r in record.get("notebooks", {}).items()
        if s in {nb.stem for nb in notebooks}
    )
    failed = [
        nb.stem
        for nb in notebooks
        if record.get("notebooks", {}).get(nb.stem, {}).get("status") != "ok"
    ]
    lines = [
        "# Execution status",
        "",
        "Every notebook of this book was executed with papermill by `python -m lnet.book`",
        "before the HTML was built (the book itself executes nothing). This page is written",
        "from that run's record, `_build/executed/run.json`. *Parameters* lists the values",
        'given with `-p` on the command line; "defaults" means the values in the notebook\'s',
        "`parameters` cell, which are the paper's settings.",
        "",
        markdown_table(["Notebook", "Seconds", "Status", "Parameters", "Finished"], rows, "lrlll"),
        "",
        (
            f"Sum of execution times: {total:.1f} s (Python {record.get('python', '?')},"
            f" {record.get('cpus', '?')} CPU(s), up to {DEFAULT_JOBS} notebooks at a time)."
        ),
    ]
    if failed:
        lines += [
            "",
            ":::{warning}",
            "These notebooks did not run to the end: "
            + ", ".join(f"{{doc}}`{s}`" for s in failed)
            + ". Their pages show the outputs up to the error.",
            ":::",
        ]
    return "\n".join(lines) + "\n"


def reproduction_page(
    rows: list[Comparison], expected_empty: bool, record: dict | None = None
) -> str:
    lines = [
        "# Reproduction report",
        "",
        "Every number listed in `book/expected.yml` is compared with the value this build",
        "computed and glued in its notebook (written to `_build/results/<notebook>.json`).",
        "A row is *ok* when |this build − expected| ≤ atol + rtol·|expected| (the",
        "*tolerance* column); *drift* means the build computed something else, *missing*",
        "that the notebook glued no such number. `python -m lnet.book check` applies the",
        "same test and fails the build on any drift or missing number. *Paper* is the",
        "value the paper reports, where it reports one.",
        "",
    ]
    if expected_empty or not rows:
        lines.append("No numbers are listed in `book/expected.yml` yet.")
        return "\n".join(lines) + "\n"
    counts = {s: sum(c.status == s for c in rows) for s in ("ok", "drift", "missing")}
    lines.append(
        f"{len(rows)} numbers checked: {counts['ok']} ok, {counts['drift']} drift,"
        f" {counts['missing']} missing."
    )
    changed = {
        stem: r["parameters"]
        for stem, r in (record or {}).get("notebooks", {}).items()
        if r.get("parameters") and stem in {c.stem for c in rows}
    }
    if changed:
        lines += [
            "",
            ":::{note}",
            "These notebooks ran with parameters other than the paper's, so"
            " their numbers are not expected to match: "
            + "; ".join(f"{{doc}}`{s}` ({fmt_params(p)})" for s, p in changed.items())
            + ".",
            ":::",
        ]
    for stem in dict.fromkeys(c.stem for c in rows):
        part = [c for c in rows if c.stem == stem]
        lines += ["", f"## {{doc}}`{stem}`", ""]
        table = [
            [
                f"`{c.name}`",
                c.what,
                fmt_number(c.paper) + (f" ({c.source})" if c.source else ""),
                fmt_number(c.expected),
                fmt_number(c.value),
                f"{c.tolerance:.3g}",
                "**ok**" if c.status == "ok" else f"**{c.status.upper()}**",
            ]
            for c in part
        ]
        lines.append(
            markdown_table(
                ["Quantity", "What", "Paper", "Expected", "This build", "Tolerance", "Status"],
                table,
                "llrrrrl",
            )
        )
    return "\n".join(lines) + "\n"


#: The parts of MathJax 3 (es5 build) the book needs: the TeX+MathML → CommonHTML
#: component, the TeX extensions it autoloads (\boldsymbol, \cancel, ...), its fonts,
#: and the menu's lazily loaded accessibility parts.
MATHJAX_PARTS = (
    "tex-mml-chtml.js",
    "input/tex/extensions",
    "output/chtml/fonts/woff-v2",
    "ui",
    "a11y",
    "sre",
)


def mathjax_source() -> Path:
    """The es5 folder of MathJax 3 shipped by the ``django-static-mathjax`` wheel (no Django needed)."""
    import importlib.util

    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise BookError(
            "MathJax not found: install the book's dependencies (pip install -e '.[book]'), "
            "which include django-static-mathjax"
        )
    es5 = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5"
    if not (es5 / "tex-mml-chtml.js").is_file():
        raise BookError(f"MathJax found at {es5.parent} but it has no es5/tex-mml-chtml.js")
    return es5


def copy_mathjax(dest: Path) -> None:
    es5 = mathjax_source()
    dest.mkdir(parents=True, exist_ok=True)
    for part in MATHJAX_PARTS:
        src = es5 / part
        if src.is_dir():
            shutil.copytree(src, dest / part, dirs_exist_ok=True)
        elif src.is_file():
            (dest / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / part)
    license_file = es5.parent / "LICENSE"
    if license_file.is_file():
        shutil.copy2(license_file, dest / "LICENSE")


def staged_config(config: dict, *, student: bool = False) -> dict:
    """The ``_config.yml`` handed to jupyter-book, derived from the repository's.

    One setting drives everything a published book links to: ``repository: url``. Empty
    (the default), the book shows no repository button and no launch buttons, and links
    nowhere. Set (``https://github.com/OWNER/REPO``), it gets a repository button and
    Binder and Colab launch buttons on every notebook page, opening ``book/<name>.ipynb``
    of that repository (``branch``, default ``main``). ``student`` leaves the solutions
    out (sphinx-exercise's ``hide_solutions``) and says so in the title.
    """
    cfg = json.loads(json.dumps(config or {}))  # a deep copy
    repo = cfg.setdefault("repository", {}) or {}
    cfg["repository"] = repo
    url = str(repo.get("url") or "").strip().rstrip("/")
    html = cfg.setdefault("html", {})
    launch = cfg.setdefault("launch_buttons", {})
    if url:
        repo["url"] = url
        repo.setdefault("branch", "main")
        repo.setdefault("path_to_book", "")
        html["use_repository_button"] = True
        launch["binderhub_url"] = BINDERHUB_URL
        launch["colab_url"] = COLAB_URL
    else:
        # jupyter-book's default repository is its own; a book without one links nowhere.
        repo["url"] = ""
        html["use_repository_button"] = False
        html["use_issues_button"] = False
        html["use_edit_page_button"] = False
        launch["binderhub_url"] = ""
        launch["colab_url"] = ""
    launch["thebe"] = False  # live code needs a kernel server on the internet
    if student:
        cfg["title"] = f"{cfg.get('title', 'The lnet book')} (student edition)"
        sphinx = cfg.setdefault("sphinx", {})
        sphinx.setdefault("config", {})["hide_solutions"] = True
    return cfg


_SOLUTION_START = re.compile(r"^\s*(```+|:::+)\{solution-start\}")
# The closing directive may end the last cell of the solution's text.
_SOLUTION_END = re.compile(r"^\s*(```+|:::+)\{solution-end\}", re.MULTILINE)


def strip_solutions(nb: dict) -> tuple[dict, int]:
    """``nb`` without its gated solutions; returns (notebook, number removed).

    A gated solution is the markdown cell that opens with ``{solution-start}``, the
    cells after it and the cell with ``{solution-end}`` (which may start with the end of
    the solution's text). sphinx-exercise's
    ``hide_solutions`` drops only the opening directive of a gated solution and would
    leave the cells in between (the solution's text and code) on the page.
    """
    cells, removed, inside = [], 0, False
    for cell in nb.get("cells", []):
        text = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown" and _SOLUTION_START.match(text):
            if inside:
                raise BookError("a {solution-start} cell before the previous one's {solution-end}")
            inside, removed = True, removed + 1
        if not inside:
            cells.append(cell)
        if cell.get("cell_type") == "markdown" and _SOLUTION_END.search(text):
            if not inside:
                raise BookError("a {solution-end} cell without a {solution-start} before it")
            inside = False
    if inside:
        raise BookError("a {solution-start} cell without a {solution-end} after it")
    return dict(nb, cells=cells), removed


_MD_GATED_SOLUTION = re.compile(
    # from the opening fence of {solution-start} to the fence that closes {solution-end}
    r"^(`{3,}|:{3,})\{solution-start\}.*?^(`{3,}|:{3,})\{solution-end\}[ \t]*\n\2[ \t]*(?:\n|\Z)",
    re.MULTILINE | re.DOTALL,
)


def runtimes_snippet(record: dict, notebooks: list[Notebook]) -> str:
    """A table of each notebook's recorded execution time, for the teaching page."""
    rows, quick = [], 0
    for nb in notebooks:
        r = record.get("notebooks", {}).get(nb.stem)
        if r is None or r.get("status") != "ok" or r.get("parameters"):
            seconds, verdict = "—", "not measured (not run with the defaults in this build)"
        else:
            seconds = f"{r['seconds']:.0f}"
            fast = r["seconds"] < QUICK_SECONDS
            quick += fast
            verdict = "yes" if fast else "no"
        rows.append([f"{{doc}}`{nb.stem}`", f"`{BOOK_DIR}/{nb.stem}.ipynb`", seconds, verdict])
    headers = ["Chapter", "Notebook", "Seconds", f"Under {QUICK_SECONDS:.0f} s"]
    cpus = record.get("cpus", "?")
    return "\n".join(
        [
            markdown_table(headers, rows, "llrl"),
            "",
            f"{quick} of {len(notebooks)} notebooks ran in under {QUICK_SECONDS:.0f} s"
            f" in this build, on the machine that built it (Python {record.get('python', '?')},"
            f" {cpus} CPU(s), notebooks sharing the CPUs). The times are read from this build's"
            " run record, `_build/executed/run.json`; the {doc}`status` page has the details.",
        ]
    ) + "\n"


def stage(
    layout: Layout,
    notebooks: list[Notebook],
    record: dict,
    comparisons: list[Comparison],
    expected_empty: bool,
    *,
    student: bool = False,
) -> Path:
    """Assemble ``_build/src`` (``_build/src-student``): what ``jupyter-book build`` reads.

    The student edition's notebooks and pages have their gated solutions removed, so
    neither the pages nor the downloadable notebooks contain them. Returns the path.
    """
    missing = [nb for nb in notebooks if not (layout.executed / f"{nb.stem}.ipynb").is_file()]
    if missing:
        names = " ".join(f"{BOOK_DIR}/{nb.source.name}" for nb in missing)
        raise BookError(
            f"no executed copy of {names} in {layout.rel(layout.executed)}: run "
            f"`python -m lnet.book run {names}` (or `python -m lnet.book build` for all)"
        )
    import yaml  # lazily, as in load_yaml

    src = layout.src_student if student else layout.src
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    shutil.copy2(layout.root / "_toc.yml", src / "_toc.yml")
    config = staged_config(load_yaml(layout.root / "_config.yml"), student=student)
    (src / "_config.yml").write_text(
        "# Written by lnet/book.py from the repository's _config.yml: edit that one.\n"
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    if (layout.root / "_static").is_dir():
        shutil.copytree(layout.root / "_static", src / "_static")
    shutil.copytree(
        layout.book,
        src / BOOK_DIR,
        ignore=shutil.ignore_patterns("*.ipynb", "__pycache__", ".ipynb_checkpoints"),
    )
    for nb in notebooks:
        dest = src / BOOK_DIR / f"{nb.stem}.ipynb"
        shutil.copy2(layout.executed / f"{nb.stem}.ipynb", dest)
        if student:
            executed = json.loads(dest.read_text(encoding="utf-8"))
            dest.write_text(
                json.dumps(strip_solutions(executed)[0], indent=1, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
    if student:
        for page in (src / BOOK_DIR).glob("*.md"):
            text = page.read_text(encoding="utf-8")
            page.write_text(_MD_GATED_SOLUTION.sub("", text), encoding="utf-8")
    (src / RUNTIMES_SNIPPET).write_text(runtimes_snippet(record, notebooks), encoding="utf-8")
    (src / f"{STATUS_DOC}.md").write_text(status_page(record, notebooks), encoding="utf-8")
    (src / f"{REPRODUCTION_DOC}.md").write_text(
        reproduction_page(comparisons, expected_empty, record), encoding="utf-8"
    )
    copy_mathjax(src / "_extra" / "mathjax")
    return src


_MATHJAX_CDN = re.compile(
    r"""<script[^>]*\bsrc=["'][^"']*(?:https?:)?//[^"']*mathjax""", re.IGNORECASE
)
_MATHJAX_LOCAL = re.compile(
    r"""<script[^>]*\bsrc=["'](?![a-z]+:|//)[^"']*mathjax/tex-mml-chtml\.js""", re.IGNORECASE
)


def mathjax_problems(html: Path) -> list[str]:
    """Pages of the built HTML that load MathJax from the internet, or a missing local copy."""
    problems = []
    local = 0
    for page in sorted(html.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        if _MATHJAX_CDN.search(text):
            problems.append(f"{page.relative_to(html)} loads MathJax from the internet")
        local += bool(_MATHJAX_LOCAL.search(text))
    if local and not (html / "mathjax" / "tex-mml-chtml.js").is_file():
        problems.append("pages load mathjax/tex-mml-chtml.js but the HTML has no such file")
    if not local:
        problems.append("no page loads the local mathjax/tex-mml-chtml.js")
    return problems


_EXTERNAL_LOAD = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc=["']((?:https?:)?//[^"']+)"""
    r"""|<link\b(?=[^>]*\brel=["'](?:stylesheet|preload|modulepreload|icon|shortcut icon|manifest)["'])"""
    r"""[^>]*\bhref=["']((?:https?:)?//[^"']+)""",
    re.IGNORECASE,
)
_EXTERNAL_CSS = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])((?:https?:)?//[^"')\s]+)""", re.I)


def external_resource_problems(html: Path) -> list[str]:
    """Resources (scripts, styles, fonts, images, frames) the built book would load from the internet.

    Links a reader may follow (``<a href="https://...">``) are fine; anything the browser
    loads by itself is not: the book must work offline. ``.ci/browser_check.py`` also
    watches the requests a real browser makes.
    """
    problems = []
    for page in sorted(html.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        for m in _EXTERNAL_LOAD.finditer(text):
            problems.append(f"{page.relative_to(html)} loads {m.group(1) or m.group(2)}")
    for sheet in sorted(html.rglob("*.css")):
        for m in _EXTERNAL_CSS.finditer(sheet.read_text(encoding="utf-8", errors="replace")):
            problems.append(f"{sheet.relative_to(html)} loads {m.group(1)}")
    return problems


#: Text that only a page with a solution on it contains (sphinx-exercise's markup).
_SOLUTION_MARKUP = re.compile(r"""class=["'][^"']*\bsolution\b|solution-start|solution-end""")


def solution_problems(html: Path) -> list[str]:
    """Pages of a student edition that still show a solution."""
    return [
        f"{page.relative_to(html)} contains a solution"
        for page in sorted(html.rglob("*.html"))
        if page.relative_to(html).parts[0] not in {"_static", "_modules"}
        and _SOLUTION_MARKUP.search(page.read_text(encoding="utf-8", errors="replace"))
    ]


def jupyter_book_build(layout: Layout, src: Path, output: Path | None = None) -> tuple[int, int]:
    """Run ``jupyter-book build`` on ``src`` with -W -n --keep-going; returns (exit code, warnings).

    The HTML goes to ``<output>/_build/html`` (``output`` defaults to the repository root).
    """
    exe = Path(sys.executable).parent / "jupyter-book"
    cmd = [
        str(exe) if exe.exists() else "jupyter-book",
        "build",
        str(src),
        "--path-output",
        str(output or layout.root),
        "--all",
        "-W",
        "-n",
        "--keep-going",
    ]
    print("$ jupyter-book " + " ".join(cmd[1:]), flush=True)
    warnings = 0
    env = dict(os.environ, NO_COLOR="1")  # plain text in logs
    with subprocess.Popen(
        cmd,
        cwd=layout.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
    ) as proc:
        for line in proc.stdout:
            sys.stdout.write(line if sys.stdout.isatty() else strip_ansi(line))
            warnings += ("WARNING:" in line) or ("ERROR:" in line)
        code = proc.wait()
    sys.stdout.flush()
    return code, warnings


def build_html(layout: Layout, notebooks: list[Notebook], *, student: bool = False) -> int:
    """Re-extract results, write the generated pages, stage and build the HTML; 0 if clean.

    ``student``: the student edition instead, without solutions, in ``_build/html-student``.
    """
    record = load_record(layout)
    for nb in notebooks:
        if (layout.executed / f"{nb.stem}.ipynb").is_file():
            write_results(layout, nb.stem)
    expected = load_yaml(layout.expected) if layout.expected.is_file() else None
    problems = validate_expected(expected, [nb.stem for nb in notebooks])
    if problems:
        raise BookError(f"{EXPECTED_FILE} is malformed:\n  " + "\n  ".join(problems))
    comparisons = compare(expected, read_results(layout))
    t0 = time.perf_counter()
    src = stage(layout, notebooks, record, comparisons, not expected, student=student)
    # From scratch: viewcode keeps a module's page when it is newer than the module, so
    # pages written by an older build (or another configuration) would survive.
    for old in (layout.html_student, layout.build / "student") if student else (layout.html,):
        if old.exists():
            shutil.rmtree(old)
    if student:
        # jupyter-book writes to <path-output>/_build/html; build aside, then move.
        aside = layout.build / "student"
        code, warnings = jupyter_book_build(layout, src, aside)
        html = layout.html_student
        if html.exists():
            shutil.rmtree(html)
        if (aside / "_build" / "html").is_dir():
            shutil.move(str(aside / "_build" / "html"), str(html))
    else:
        code, warnings = jupyter_book_build(layout, src)
        html = layout.html
    seconds = time.perf_counter() - t0
    if not html.is_dir():
        mj, offline, shown = ["no HTML was built"], [], []
    else:
        mj = mathjax_problems(html)
        offline = external_resource_problems(html)
        shown = solution_problems(html) if student else []
    for label, problems in (("MathJax", mj), ("offline", offline), ("student edition", shown)):
        for p in problems:
            print(f"{label}: {p}")
    edition = "student edition" if student else "HTML"
    print(
        f"\n{edition} built in {seconds:.1f} s with {warnings} warning(s); "
        f"jupyter-book exit code {code}; MathJax {'local (no CDN)' if not mj else 'PROBLEM'}; "
        f"{len(offline)} resource(s) from the internet"
        + (f"; {len(shown)} page(s) with solutions" if student else "")
    )
    ok = code == 0 and warnings == 0 and not (mj or offline or shown)
    if ok:
        print(f"open {html / 'index.html'}", flush=True)
    return 0 if ok else 1


# --------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------


def check(layout: Layout, notebooks: list[Notebook]) -> int:
    """Print this build's numbers against book/expected.yml; 1 on drift, a missing number or a failed notebook."""
    record = load_record(layout)
    bad_runs = [
        nb.stem
        for nb in notebooks
        if record.get("notebooks", {}).get(nb.stem, {}).get("status") != "ok"
    ]
    expected = load_yaml(layout.expected) if layout.expected.is_file() else None
    problems = validate_expected(expected, [nb.stem for nb in notebooks])
    if problems:
        raise BookError(f"{EXPECTED_FILE} is malformed:\n  " + "\n  ".join(problems))
    rows = compare(expected, read_results(layout))
    print(f"reproduction check: {EXPECTED_FILE} against {layout.rel(layout.results)}/")
    if rows:
        print(format_table(COMPARISON_HEADERS, comparison_rows(rows), "lrrrrl"))
    else:
        print(f"(no numbers listed in {EXPECTED_FILE})")
    bad = [c for c in rows if c.status != "ok"]
    for stem in bad_runs:
        state = record.get("notebooks", {}).get(stem, {}).get("status", "not run")
        print(f"notebook {BOOK_DIR}/{stem}.ipynb: {state}")
    print(
        f"{len(rows) - len(bad)} of {len(rows)} numbers within tolerance"
        + (f"; {len(bad_runs)} notebook(s) not run cleanly" if bad_runs else "")
    )
    return 1 if bad or bad_runs else 0


def _parameters(pairs: list[list[str]] | None) -> dict:
    return {name: parse_parameter(value) for name, value in (pairs or [])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lnet.book",
        description="Execute the book's notebooks with papermill, build the HTML, check the numbers.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def exec_options(p):
        p.add_argument(
            "-j",
            "--jobs",
            type=int,
            default=DEFAULT_JOBS,
            help=f"notebooks executed at once (default {DEFAULT_JOBS})",
        )
        p.add_argument(
            "--timeout",
            type=float,
            default=None,
            help="seconds allowed per cell (default: no limit)",
        )
        p.add_argument(
            "--progress-bar",
            action="store_true",
            help="show papermill's per-cell progress bar (readable with -j 1)",
        )

    p_build = sub.add_parser("build", help="execute every notebook, build the HTML, run the check")
    exec_options(p_build)
    p_run = sub.add_parser("run", help="execute some notebooks (e.g. with other parameters)")
    p_run.add_argument("notebooks", nargs="+", help="book/<name>.ipynb (or <name>)")
    p_run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="override a value of the notebook's parameters cell",
    )
    exec_options(p_run)
    p_html = sub.add_parser("html", help="rebuild the HTML from the executed copies (executes nothing)")
    p_html.add_argument(
        "--student",
        action="store_true",
        help="build the student edition (no solutions) into _build/html-student instead",
    )
    sub.add_parser("check", help="compare this build's glued numbers with book/expected.yml")
    sub.add_parser("list", help="print the toc's notebooks")
    args = parser.parse_args(argv)

    try:
        layout = Layout(find_root())
        notebooks = toc_notebooks(layout)
        if args.command == "list":
            for nb in notebooks:
                print(layout.rel(nb.source))
            return 0
        if args.command == "check":
            return check(layout, notebooks)
        if args.command == "html":
            return build_html(layout, notebooks, student=args.student)
        if args.command == "run":
            chosen = list(dict.fromkeys(resolve_notebook(a, notebooks) for a in args.notebooks))
            results = execute(
                layout,
                chosen,
                _parameters(args.parameter),
                jobs=args.jobs,
                timeout=args.timeout,
                progress_bar=args.progress_bar,
            )
            print(
                "\nexecuted copies and results are in _build/; rebuild the HTML with "
                "`python -m lnet.book html`"
            )
            return 0 if all(r["status"] == "ok" for r in results.values()) else 1
        # build
        t0 = time.perf_counter()
        results = execute(
            layout,
            notebooks,
            jobs=args.jobs,
            timeout=args.timeout,
            progress_bar=args.progress_bar,
            fresh=True,
        )
        try:
            html_code = build_html(layout, notebooks)
        except BookError as exc:  # e.g. a notebook failed before papermill wrote its copy
            print(f"error: {exc}", file=sys.stderr)
            html_code = 1
        check_code = check(layout, notebooks)
        failed = [s for s, r in results.items() if r["status"] != "ok"]
        print(
            f"\nbook build finished in {time.perf_counter() - t0:.1f} s: "
            f"{len(notebooks) - len(failed)}/{len(notebooks)} notebooks ok, "
            f"HTML {'ok' if html_code == 0 else 'FAILED'}, "
            f"reproduction check {'ok' if check_code == 0 else 'FAILED'}"
        )
        if failed:
            print("failed notebooks: " + ", ".join(f"{BOOK_DIR}/{s}.ipynb" for s in failed))
        return 1 if failed or html_code or check_code else 0
    except BookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
