"""Assembling ``_build/src/`` (and ``_build/src-student/``): what ``jupyter-book build`` reads.

The staged tree holds the repository's ``_config.yml`` as adapted by :func:`staged_config`,
``_toc.yml``, ``book/`` without its notebooks, the executed notebooks in their place
(free of the builder's paths; without solutions in the student edition), the generated
pages of :mod:`lnetbook.pages`, and MathJax 3 under ``_extra/mathjax/`` so that math
renders offline.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from .errors import BookError
from .expected import Comparison
from .getcode import with_ensure_lnet_cell
from .layout import BOOK_DIR, COMMAND, REPRODUCTION_DOC, STATUS_DOC, Layout, Notebook, load_yaml
from .pages import (
    GLANCE_SNIPPET,
    RUNTIMES_SNIPPET,
    glance_table,
    reproduction_page,
    runtimes_snippet,
    status_page,
)
from .record import RunRecord
from .worker import LOCAL_PATH_KEYS

#: The launch services switched on when ``_config.yml`` names a repository.
BINDERHUB_URL = "https://mybinder.org"
COLAB_URL = "https://colab.research.google.com"

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
            "MathJax not found: install the book's runner (pip install -e ./runner), "
            "which depends on django-static-mathjax"
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
    the solution's text). sphinx-exercise's ``hide_solutions`` drops only the opening
    directive of a gated solution and would leave the cells in between (the solution's
    text and code) on the page.
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


MD_GATED_SOLUTION = re.compile(
    # from the opening fence of {solution-start} to the fence that closes {solution-end}
    r"^(`{3,}|:{3,})\{solution-start\}.*?^(`{3,}|:{3,})\{solution-end\}[ \t]*\n\2[ \t]*(?:\n|\Z)",
    re.MULTILINE | re.DOTALL,
)


def downloadable(nb: dict, *, student: bool) -> dict:
    """The executed notebook as readers download it: no local paths, no solutions (student)."""
    meta = nb.setdefault("metadata", {}).get("papermill")
    if isinstance(meta, dict):
        for key in LOCAL_PATH_KEYS:
            meta.pop(key, None)
    return strip_solutions(nb)[0] if student else nb


def _copy_tree(layout: Layout, notebooks: list[Notebook], src: Path, student: bool) -> None:
    import yaml  # the runner's dependency

    shutil.copy2(layout.root / "_toc.yml", src / "_toc.yml")
    config = staged_config(load_yaml(layout.root / "_config.yml"), student=student)
    (src / "_config.yml").write_text(
        "# Written by lnetbook (runner/lnetbook/stage.py) from the repository's _config.yml: "
        "edit that one.\n" + yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    if (layout.root / "_static").is_dir():
        shutil.copytree(layout.root / "_static", src / "_static")
    shutil.copytree(
        layout.book,
        src / BOOK_DIR,
        ignore=shutil.ignore_patterns("*.ipynb", "__pycache__", ".ipynb_checkpoints"),
    )
    repo = config.get("repository") or {}
    for nb in notebooks:
        executed = json.loads(layout.executed_copy(nb.stem).read_text(encoding="utf-8"))
        # A downloaded chapter installs lnet itself where it is missing (hidden on the page).
        ready = with_ensure_lnet_cell(
            downloadable(executed, student=student),
            repo.get("url") or "",
            repo.get("branch") or "main",
        )
        (src / BOOK_DIR / f"{nb.stem}.ipynb").write_text(
            json.dumps(ready, indent=1, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    if student:
        for page in (src / BOOK_DIR).glob("*.md"):
            text = page.read_text(encoding="utf-8")
            page.write_text(MD_GATED_SOLUTION.sub("", text), encoding="utf-8")


def stage(
    layout: Layout,
    notebooks: list[Notebook],
    record: RunRecord,
    comparisons: list[Comparison],
    *,
    stale: dict | None = None,
    student: bool = False,
) -> Path:
    """Assemble ``_build/src`` (``_build/src-student``) and return its path.

    The student edition's notebooks and pages have their gated solutions removed, so
    neither the pages nor the downloadable notebooks contain them.
    """
    missing = [nb for nb in notebooks if not layout.executed_copy(nb.stem).is_file()]
    if missing:
        names = " ".join(nb.name for nb in missing)
        raise BookError(
            f"no executed copy of {names} in {layout.rel(layout.executed)}: run "
            f"`{COMMAND} run {names}` (or `{COMMAND} book` for all)"
        )
    src = layout.src_student if student else layout.src
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    _copy_tree(layout, notebooks, src, student)
    order = [nb.stem for nb in notebooks]
    pages = {
        RUNTIMES_SNIPPET: runtimes_snippet(record, notebooks),
        GLANCE_SNIPPET: glance_table(comparisons, order),
        f"{STATUS_DOC}.md": status_page(record, notebooks, stale),
        f"{REPRODUCTION_DOC}.md": reproduction_page(comparisons, record, notebooks),
    }
    for name, text in pages.items():
        (src / name).write_text(text, encoding="utf-8")
    copy_mathjax(src / "_extra" / "mathjax")
    return src
