"""Checks of the repository itself: notebooks, toc, expected.yml, environment files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lnetbook.expected import validate_expected
from lnetbook.htmlcheck import external_resource_problems, mathjax_problems
from lnetbook.layout import GENERATED_DOCS, Layout, toc_docnames, toc_notebooks
from lnetbook.params import parameters_cells
from lnetbook.stage import strip_solutions

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[1]
LAYOUT = Layout(ROOT)
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_outputs_and_no_execution_counts(path):
    dirty = [
        i
        for i, cell in enumerate(load(path)["cells"])
        if cell["cell_type"] == "code"
        and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} carry outputs or execution counts; clear them before committing"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_exactly_one_parameters_code_cell(path):
    nb = load(path)
    cells = parameters_cells(nb)
    assert len(cells) == 1, f"{path.name}: {len(cells)} cells tagged 'parameters', need exactly one"
    assert nb["cells"][cells[0]]["cell_type"] == "code"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_kernel_is_python3(path):
    assert load(path)["metadata"].get("kernelspec", {}).get("name") == "python3"


def test_toc_and_book_folder_agree():
    """Every notebook in book/ is in _toc.yml, every toc entry exists (raises otherwise)."""
    listed = {nb.source.resolve() for nb in toc_notebooks(LAYOUT)}
    assert listed == {p.resolve() for p in NOTEBOOKS}


def test_toc_names_the_generated_pages_and_the_bibliography():
    docs = toc_docnames(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    assert docs[0] == "book/intro"
    for doc in ("book/bibliography", *GENERATED_DOCS):
        assert doc in docs
    for doc in GENERATED_DOCS:  # written at build time, never committed
        assert not (ROOT / f"{doc}.md").exists()


def test_expected_yml_is_well_formed():
    expected = yaml.safe_load(LAYOUT.expected.read_text())
    stems = [p.stem for p in NOTEBOOKS]
    assert validate_expected(expected, stems) == []


def test_config_builds_offline_and_never_executes():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "off"
    sphinx = config["sphinx"]["config"]
    assert sphinx["mathjax_path"] == "../mathjax/tex-mml-chtml.js"
    assert "_extra" in sphinx["html_extra_path"]
    assert {"sphinx_proof", "sphinx_exercise"} <= set(config["sphinx"]["extra_extensions"])
    assert config["bibtex_bibfiles"] == ["book/references.bib"]
    for stray in (".venv", ".pytest_cache", "README.md"):
        assert stray in config["exclude_patterns"]


CONTEXT_KEYS = {
    "min2021explicit",
    "min2021convergence",
    "min2021talk",
    "saxe2014exact",
    "arora2019convergence",
    "du2019width",
    "gunasekar2017implicit",
    "tarmoun2021understanding",
    "fukumizu1998effect",
    "xu2023linear",  # book/step_size.ipynb (issue 14)
    "du2018algorithmic",  # book/step_size.ipynb (issue 14)
}


def test_bibliography_has_exactly_the_agreed_keys():
    keys = re.findall(
        r"^@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text(), re.MULTILINE
    )
    assert sorted(keys) == sorted(CONTEXT_KEYS)


def test_citations_in_markdown_use_known_keys():
    for md in (ROOT / "book").glob("*.md"):
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", md.read_text()):
            for key in group.split(","):
                assert key.strip() in CONTEXT_KEYS, f"{md.name}: unknown citation key {key!r}"


# environment.yml, requirements/lock.txt and pyproject.toml agree: tests/test_publish.py


# ---------------------------------------------------------------------------------------
# the built book, when there is one


def test_built_html_loads_mathjax_locally():
    if not (LAYOUT.html / "index.html").is_file():
        pytest.skip("no built book in _build/html (python3 dev.py book builds it)")
    assert mathjax_problems(LAYOUT.html) == []


# ---------------------------------------------------------------------------------------
# course material (issue 7): API page, rerun boxes, back-links, exercises

API_PAGE = ROOT / "book" / "api.md"


def public_modules() -> list[str]:
    import pkgutil

    import lnet

    names = [
        m.name
        for m in pkgutil.walk_packages(lnet.__path__, "lnet.")
        if not any(part.startswith("_") for part in m.name.split("."))
    ]
    return sorted(n for n in names if not n.endswith("__init__"))


def test_api_page_documents_every_public_module():
    documented = set(re.findall(r"^\.\. automodule:: (\S+)", API_PAGE.read_text(), re.MULTILINE))
    import importlib

    packages = {
        name
        for name in public_modules()
        if hasattr(importlib.import_module(name), "__path__")  # a package's modules suffice
    }
    missing = [m for m in public_modules() if m not in documented and m not in packages]
    assert missing == [], f"add these modules to book/api.md: {missing}"


def test_api_page_is_in_the_toc_with_the_teaching_page():
    docs = toc_docnames(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    assert "book/api" in docs and "book/teaching" in docs


FIGURE = re.compile(r"```\{glue:figure\}\s+(\w+)")
PY_REF = re.compile(r"\{py:(?:func|class|meth|obj)\}`(?:[^`<]*<)?~?(lnet[\w.]*)>?`")


def markdown_cells(path):
    return ["".join(c["source"]) for c in load(path)["cells"] if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_is_followed_by_a_reproduce_box(path):
    """Right after each figure (or after a run of adjacent figures) a rerun box."""
    cells = markdown_cells(path)
    for i, text in enumerate(cells):
        for fig in FIGURE.findall(text):
            after = text[text.index(fig) :]
            if "Reproduce this figure" in after and not FIGURE.search(after[len(fig) :]):
                box = after  # the box right under the figure, in the same cell
            else:
                j = i + 1
                while j < len(cells) and FIGURE.search(cells[j]):
                    j += 1  # figures shown side by side share one box
                box = cells[j] if j < len(cells) else ""
            assert "Reproduce this figure" in box, f"{path.name}: no rerun box after {fig}"
            assert f"python3 dev.py run book/{path.name}" in box
            assert PY_REF.search(box), f"{path.name}: the box after {fig} names no lnet function"


def _resolve(dotted):
    import importlib
    import warnings

    parts = dotted.split(".")
    # names that lnet 1.0 moved still resolve (with a DeprecationWarning) until the book switches
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*removed in lnet 1.1", category=DeprecationWarning
        )
        for cut in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
            return obj
    raise ImportError(dotted)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_functions_named_in_rerun_boxes_say_where_the_book_uses_them(path):
    boxes = [t for t in markdown_cells(path) if "Reproduce this figure" in t]
    for name in {n for box in boxes for n in PY_REF.findall(box)}:
        doc = _resolve(name).__doc__ or ""
        assert "Used in:" in doc and f"book/{path.name}" in doc, (
            f"{name}: its docstring should say 'Used in: ``book/{path.name}``'"
        )


EXERCISE = re.compile(r"^```\{exercise\}[^\n]*\n:label: (ex-[\w-]+)", re.MULTILINE)
SOLUTION_START = re.compile(r"^```\{solution-start\} (ex-[\w-]+)\n:class: dropdown\n```\s*$")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_have_folded_gated_solutions_that_a_student_edition_can_remove(path):
    cells = markdown_cells(path)
    labels = [m for text in cells for m in EXERCISE.findall(text)]
    starts = [text for text in cells if text.lstrip().startswith("```{solution-start}")]
    solved = [m.group(1) for text in starts if (m := SOLUTION_START.match(text))]
    assert len(solved) == len(starts), f"{path.name}: solutions are folded (:class: dropdown)"
    assert set(solved) <= set(labels) and len(set(solved)) == len(solved)
    stripped, removed = strip_solutions(load(path))
    assert removed == len(solved)
    left = "".join("".join(c["source"]) for c in stripped["cells"])
    assert "{solution" not in left


@pytest.mark.parametrize("stem", ["setup", "scalar"])
def test_chapter_has_derivations_numerical_exercises_and_an_exploration(stem):
    nb = load(ROOT / "book" / f"{stem}.ipynb")
    cells, labels, inside, code_solutions, solution_code = nb["cells"], [], False, 0, ""
    for cell in cells:
        text = "".join(cell["source"])
        labels += EXERCISE.findall(text) if cell["cell_type"] == "markdown" else []
        if cell["cell_type"] == "markdown" and SOLUTION_START.match(text):
            inside, solution_code = True, ""
        elif cell["cell_type"] == "markdown" and text.startswith("```{solution-end}"):
            inside = False
            if solution_code:  # a numerical solution checks what it claims (in any of its cells)
                code_solutions += 1
                assert "ch.claim(" in solution_code or "assert" in solution_code, solution_code[
                    :200
                ]
        elif inside and cell["cell_type"] == "code":
            solution_code += text
    assert len(labels) >= 3 and code_solutions >= 2
    assert len(labels) == sum(
        bool(SOLUTION_START.match("".join(c["source"])))
        for c in cells
        if c["cell_type"] == "markdown"
    ), "every exercise of this chapter has a solution"
    assert any("Exploration" in "".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def test_built_html_loads_nothing_from_the_internet():
    if not (LAYOUT.html / "index.html").is_file():
        pytest.skip("no built book in _build/html (python3 dev.py book builds it)")
    assert external_resource_problems(LAYOUT.html) == []


def test_download_button_offers_the_executed_notebooks():
    if not (LAYOUT.html / "index.html").is_file():
        pytest.skip("no built book in _build/html (python3 dev.py book builds it)")
    for path in NOTEBOOKS:
        page = LAYOUT.html / "book" / f"{path.stem}.html"
        if not page.is_file():
            continue  # not in this build
        assert f'href="../_sources/book/{path.name}"' in page.read_text(encoding="utf-8")
        offered = load(LAYOUT.html / "_sources" / "book" / path.name)
        assert any(c.get("outputs") for c in offered["cells"] if c["cell_type"] == "code"), (
            f"the download of {path.name} has no outputs"
        )
