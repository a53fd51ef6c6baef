"""Unit tests of the book runner's pure parts (the lnetbook package, runner/lnetbook/).

No kernel runs here except in one small test (marked slow) that executes a
two-cell notebook with papermill, once passing and once failing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from lnetbook.errors import BookError
from lnetbook.execute import execute, summary_rows
from lnetbook.expected import compare, derived_verdict, validate_expected
from lnetbook.htmlcheck import external_resource_problems, mathjax_problems, solution_problems
from lnetbook.layout import (
    Layout,
    Notebook,
    find_root,
    resolve_notebook,
    toc_docnames,
    toc_notebooks,
)
from lnetbook.pages import glance_table, reproduction_page, runtimes_snippet, status_page
from lnetbook.params import parse_parameter, preflight
from lnetbook.record import NotebookRun, RunRecord
from lnetbook.results import glued_scalars, parse_scalar, read_results, write_results
from lnetbook.stage import (
    BINDERHUB_URL,
    COLAB_URL,
    MD_GATED_SOLUTION,
    mathjax_source,
    staged_config,
    strip_solutions,
)
from lnetbook.tables import format_table, markdown_table

# ---------------------------------------------------------------------------------------
# helpers


def write_toc(root, chapters, root_doc="book/intro"):
    lines = [
        "format: jb-book",
        f"root: {root_doc}",
        "parts:",
        "  - caption: Chapters",
        "    chapters:",
    ]
    lines += [f"      - file: {c}" for c in chapters]
    (root / "_toc.yml").write_text("\n".join(lines) + "\n")
    (root / "_config.yml").write_text("title: test\n")


def notebook(cells):
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def code(source, tags=(), outputs=()):
    return {
        "cell_type": "code",
        "source": source,
        "metadata": {"tags": list(tags)},
        "outputs": list(outputs),
        "execution_count": None,
    }


def glue_output(name, text, *, display=False):
    """An output cell as myst_nb.glue writes it (see myst_nb/ext/glue/__init__.py)."""
    prefix = "" if display else "application/papermill.record/"
    return {
        "output_type": "display_data",
        "data": {prefix + "text/plain": text},
        "metadata": {"scrapbook": {"name": name, "mime_prefix": prefix}},
    }


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "intro.md").write_text("# Intro\n")
    return tmp_path


# ---------------------------------------------------------------------------------------
# toc discovery


def test_toc_docnames_reads_parts_chapters_sections_in_order():
    toc = {
        "format": "jb-book",
        "root": "book/intro",
        "parts": [
            {
                "caption": "A",
                "chapters": [
                    {"file": "book/a.ipynb", "sections": [{"file": "book/a1"}]},
                    {"url": "https://example.org", "title": "x"},
                ],
            },
            {"caption": "B", "chapters": [{"file": "book/b.md"}]},
        ],
    }
    assert toc_docnames(toc) == ["book/intro", "book/a", "book/a1", "book/b"]


def test_toc_docnames_requires_root():
    with pytest.raises(BookError, match="root"):
        toc_docnames({"format": "jb-book", "chapters": []})


def test_toc_notebooks_in_toc_order_skipping_markdown_and_generated_pages(repo):
    for stem in ("zeta", "alpha"):
        (repo / "book" / f"{stem}.ipynb").write_text(json.dumps(notebook([])))
    write_toc(repo, ["book/zeta", "book/alpha", "book/status", "book/reproduction"])
    found = toc_notebooks(Layout(repo))
    assert [nb.stem for nb in found] == ["zeta", "alpha"]


def test_notebook_missing_from_toc_is_an_error(repo):
    (repo / "book" / "stray.ipynb").write_text(json.dumps(notebook([])))
    write_toc(repo, [])
    with pytest.raises(BookError, match="stray.ipynb is not in _toc.yml"):
        toc_notebooks(Layout(repo))


def test_toc_entry_without_file_is_an_error(repo):
    write_toc(repo, ["book/ghost"])
    with pytest.raises(BookError, match="'book/ghost'"):
        toc_notebooks(Layout(repo))


def test_resolve_notebook_accepts_path_name_and_stem(repo):
    (repo / "book" / "scalar.ipynb").write_text(json.dumps(notebook([])))
    write_toc(repo, ["book/scalar"])
    nbs = toc_notebooks(Layout(repo))
    for arg in ("book/scalar.ipynb", "scalar.ipynb", "scalar"):
        assert resolve_notebook(arg, nbs).stem == "scalar"
    with pytest.raises(BookError, match="not in _toc.yml"):
        resolve_notebook("book/other.ipynb", nbs)


def test_preflight_needs_exactly_one_parameters_cell(repo):
    path = repo / "book" / "two.ipynb"
    path.write_text(
        json.dumps(notebook([code("a = 1", ["parameters"]), code("b = 2", ["parameters"])]))
    )
    with pytest.raises(BookError, match="2 cells tagged 'parameters'"):
        preflight([Notebook("two", path)])
    path.write_text(json.dumps(notebook([code("a = 1", ["parameters"])])))
    preflight([Notebook("two", path)])


def test_find_root_walks_up(repo):
    write_toc(repo, [])
    assert find_root(repo / "book") == repo.resolve()


# ---------------------------------------------------------------------------------------
# glue extraction


@pytest.mark.parametrize(
    "text, value",
    [
        ("0.5", 0.5),
        ("3", 3),
        ("np.float64(0.125)", 0.125),
        ("np.int64(-7)", -7),
        ("np.True_", True),
        ("True", True),
        ("1e-08", 1e-8),
        ("np.float64(1e-08)", 1e-8),
    ],
)
def test_parse_scalar_reads_python_and_numpy_reprs(text, value):
    got = parse_scalar(text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    "text",
    [
        "'a string'",
        "array([1., 2.])",
        "<Figure size 640x480 with 1 Axes>",
        "[1, 2]",
        "(1+2j)",
        "None",
    ],
)
def test_parse_scalar_rejects_non_scalars(text):
    assert parse_scalar(text) is None


def test_parse_scalar_nan_and_inf():
    assert math.isnan(parse_scalar("np.float64(nan)"))
    assert parse_scalar("inf") == math.inf


def test_glued_scalars_from_a_synthetic_executed_notebook():
    figure = {
        "output_type": "display_data",
        "data": {
            "application/papermill.record/image/png": "iVBOR...",
            "application/papermill.record/text/plain": "<Figure size 640x480 with 1 Axes>",
        },
        "metadata": {
            "scrapbook": {"name": "fig_loss", "mime_prefix": "application/papermill.record/"}
        },
    }
    nb = notebook(
        [
            {"cell_type": "markdown", "source": "text", "metadata": {}},
            code(
                "glue(...)",
                outputs=[
                    glue_output("rate", "np.float64(2.5)"),
                    glue_output("width", "500", display=True),
                    {"output_type": "stream", "name": "stdout", "text": "hello\n"},
                    figure,
                    glue_output("label", "'balanced'"),
                ],
            ),
            code(
                "x",
                outputs=[
                    {
                        "output_type": "execute_result",
                        "data": {"text/plain": "3"},
                        "metadata": {},
                        "execution_count": 1,
                    }
                ],
            ),
            code("glue(...)", outputs=[glue_output("multi", ["np.float64(", "0.75)"])]),
        ]
    )
    assert glued_scalars(nb) == {"rate": 2.5, "width": 500, "multi": 0.75}


def test_glue_extraction_matches_what_myst_nb_glue_writes():
    """Build the output the way myst_nb.glue does (same formatter), then extract it."""
    np = pytest.importorskip("numpy")
    formatters = pytest.importorskip("IPython.core.formatters")
    bundle, _ = formatters.format_display_data(np.float64(0.1) * 3)
    prefix = "application/papermill.record/"
    out = {
        "output_type": "display_data",
        "data": {prefix + k: v for k, v in bundle.items()},
        "metadata": {"scrapbook": {"name": "x", "mime_prefix": prefix}},
    }
    assert glued_scalars(notebook([code("", outputs=[out])])) == {"x": float(np.float64(0.1) * 3)}


def test_write_results_writes_stem_json(repo):
    layout = Layout(repo)
    layout.executed.mkdir(parents=True)
    (layout.executed / "scalar.ipynb").write_text(
        json.dumps(notebook([code("", outputs=[glue_output("rate", "4.0")])]))
    )
    write_results(layout, "scalar")
    assert json.loads((layout.results / "scalar.json").read_text()) == {"rate": 4.0}
    assert read_results(layout) == {"scalar": {"rate": 4.0}}


# ---------------------------------------------------------------------------------------
# expected.yml and the comparison


def entry(value, **kw):
    e = {"value": value, "paper": None, "source": None, "what": "a number"}
    e.update(kw)
    return e


def test_compare_ok_drift_missing_and_nan():
    expected = {
        "nb": {
            "a": entry(1.0, atol=1e-3),
            "b": entry(1.0, atol=1e-3),
            "c": entry(100.0, rtol=0.01),
            "d": entry(1.0, atol=1.0),
            "e": entry(0.0, atol=0.5),
        },
        "gone": {"f": entry(1.0, atol=1.0)},
    }
    results = {"nb": {"a": 1.0005, "b": 1.01, "c": 100.9, "e": float("nan"), "extra": 5.0}}
    status = {(c.stem, c.name): c.status for c in compare(expected, results)}
    assert status == {
        ("nb", "a"): "ok",
        ("nb", "b"): "drift",
        ("nb", "c"): "ok",
        ("nb", "d"): "missing",
        ("nb", "e"): "drift",
        ("gone", "f"): "missing",
    }


def test_compare_tolerance_is_atol_plus_rtol_times_expected():
    [c] = compare({"nb": {"x": entry(-200.0, atol=0.5, rtol=0.01)}}, {"nb": {"x": -202.5}})
    assert c.tolerance == pytest.approx(2.5) and c.status == "ok"
    [c] = compare({"nb": {"x": entry(-200.0, atol=0.5, rtol=0.01)}}, {"nb": {"x": -202.51}})
    assert c.status == "drift"


def test_compare_of_nothing_is_empty():
    assert compare(None, {"nb": {"x": 1.0}}) == []


def test_validate_expected_accepts_the_documented_schema():
    good = {
        "scalar": {
            "rate_balanced": {
                "value": 4.0,
                "atol": 1e-9,
                "paper": 6.02,
                "source": "ICML Fig. 2",
                "what": "the rate",
            }
        }
    }
    assert validate_expected(good, ["scalar"]) == []
    # the plan's fields for "Results at a glance"; `claim` may stand in for `what`
    good["scalar"]["rate_balanced"].update(verdict="differs", claim="the rate", note="why")
    del good["scalar"]["rate_balanced"]["what"]
    assert validate_expected(good, ["scalar"]) == []


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"nb": {"RateX": entry(1.0, atol=1)}}, "snake_case"),
        ({"nb": {"x": entry("1.0", atol=1)}}, "'value' must be a finite number"),
        ({"nb": {"x": entry(1.0)}}, "give a tolerance"),
        ({"nb": {"x": entry(1.0, atol=-1)}}, "'atol' must be a finite number >= 0"),
        ({"nb": {"x": entry(1.0, atol=math.inf)}}, "'atol' must be a finite number >= 0"),
        ({"nb": {"x": entry(1.0, rtol=math.nan)}}, "'rtol' must be a finite number >= 0"),
        ({"nb": {"x": entry(math.inf, atol=1)}}, "'value' must be a finite number"),
        ({"nb": {"x": entry(1.0, atol=1, paper=2.0)}}, "'source' must say where"),
        ({"nb": {"x": entry(1.0, atol=1, what="")}}, "'what'"),
        ({"nb": {"x": entry(1.0, atol=1, verdict="fine")}}, "'verdict' must be one of"),
        ({"nb": {"x": entry(1.0, atol=1, verdict="differs")}}, "needs the paper's number"),
        ({}, "nb: no entries"),
        (None, "the file is empty"),
        ({"nb": {"x": entry(1.0, atol=1, tolerance=3)}}, "unknown keys"),
        ({"other": {"x": entry(1.0, atol=1)}}, "not a notebook of the toc"),
        ({"nb": []}, "must map glue names"),
        ([1, 2], "top level"),
    ],
)
def test_validate_expected_names_what_is_wrong(bad, message):
    problems = validate_expected(bad, ["nb"])
    assert any(message in p for p in problems), problems


# ---------------------------------------------------------------------------------------
# tables and generated pages


def test_format_table_aligns_columns():
    text = format_table(
        ["notebook", "seconds", "status"],
        [["setup.ipynb", "12.3", "ok"], ["s.ipynb", "1.0", "failed"]],
        "lrl",
    )
    lines = text.splitlines()
    assert lines[0] == "notebook     seconds  status"
    assert lines[1] == "-----------  -------  ------"
    assert lines[2] == "setup.ipynb     12.3  ok"
    assert lines[3] == "s.ipynb          1.0  failed"


def test_markdown_table_escapes_pipes_and_aligns():
    text = markdown_table(["a", "b"], [["x|y", 1]], "lr")
    assert text.splitlines() == ["| a | b |", "|:---|---:|", "| x\\|y | 1 |"]


def record_of(**entries):
    return RunRecord(
        notebooks={s: NotebookRun(f"book/{s}.ipynb", **e) for s, e in entries.items()},
        cpus=2,
        versions={"python": "3.11.2", "numpy": "2.4"},
        commit="abc123",
    )


def test_summary_rows_marks_notebooks_not_run_and_counts_claims():
    nbs = [Notebook("setup", None), Notebook("scalar", None)]
    claims = [
        {"key": "a", "text": "A", "held": True, "values": {}},
        {"key": "b", "text": "B", "held": False, "values": {"r": 0.5}},
    ]
    record = record_of(
        setup=dict(
            status="ok", seconds=3.14159, parameters={"h": 10}, claims=claims, executed_sha256="x"
        )
    )
    assert summary_rows(record, nbs) == [
        ["setup.ipynb", "3.1", "ok", "h=10", "1/2"],
        ["scalar.ipynb", "—", "not run", "—", "—"],
    ]


def test_status_page_lists_every_notebook_claims_provenance_and_warns_on_failure():
    nbs = [Notebook("setup", None), Notebook("scalar", None)]
    claims = [{"key": "b", "text": "the bound holds", "held": False, "values": {"r": 0.5}}]
    record = record_of(
        setup=dict(status="ok", seconds=1.0, finished="t", claims=claims, executed_sha256="x"),
        scalar=dict(status="failed", seconds=2.0, executed_sha256="y"),
    )
    page = status_page(record, nbs, {"scalar": ["source changed"]})
    assert page.startswith("# Execution status\n")
    assert "| {doc}`setup` | 1.0 | ok | defaults | 0 of 1 held | current | t |" in page
    assert "{doc}`scalar` | 2.0 | failed" in page and "**changed since**: source changed" in page
    assert "- {doc}`setup`: the bound holds (r = $0.5$)" in page
    assert ":::{warning}" in page
    assert "| numpy | `2.4` |" in page and "| git commit | `abc123` |" in page


def test_reproduction_page_opens_with_the_glance_table_then_the_regression_dropdown():
    nbs = [Notebook("setup", None), Notebook("scalar", None)]
    rows = compare(
        {
            "scalar": {"rate": entry(4.0, atol=0.1, paper=4.1, source="Fig. 1", claim="the rate")},
            "setup": {
                "n": entry(
                    12345.0,
                    atol=0.5,
                    paper=12000.0,
                    source="Sec. 2",
                    verdict="misprint",
                    note="a typo",
                )
            },
        },
        {"scalar": {"rate": 4.5}, "setup": {"n": 12345.0}},
    )
    page = reproduction_page(rows, record_of(), nbs)
    glance = page.index("## Results at a glance")
    assert glance < page.index("## Regression check") < page.index(":::{dropdown}")
    # chapter (toc) order: setup before scalar; numbers as inline math; the note as reason
    assert page.index("{doc}`setup`") < page.index("the rate ({doc}`scalar`)")
    assert "| the rate ({doc}`scalar`) | $4.1$ (Fig. 1) | $4.5$ | **differs** |" in page
    assert "$12{,}345$ | misprint in the paper: a typo |" in page
    assert "| `rate` | a number | $4$ | $4.5$ | $0.1$ | **DRIFT** |" in page
    assert "2 numbers compared with `book/expected.yml`: 1 ok, 1 drift, 0 missing." in page
    assert ":::{note}" not in page
    record = record_of(
        scalar=dict(status="ok", parameters={"y": 2.0}),
        other=dict(status="ok", parameters={"h": 1}),
    )
    page = reproduction_page(rows, record, nbs)
    assert "{doc}`scalar` (y=2.0)." in page and "{doc}`other`" not in page


def test_derived_verdict_uses_the_papers_printed_precision():
    assert derived_verdict({"paper": 39.6, "value": 40.1, "rtol": 0.0}, 39.64) == "reproduced"
    assert derived_verdict({"paper": 39.6, "value": 40.1, "rtol": 0.0}, 40.1) == "differs"
    assert derived_verdict({"paper": 39.6, "value": 40.1, "rtol": 0.02}, 40.1) == "reproduced"
    assert derived_verdict({"paper": None, "value": 1.0}, 1.0) is None
    assert derived_verdict({"paper": 1.0, "value": 1.0, "verdict": "beyond"}, 9.0) == "beyond"


def test_glance_table_without_paper_numbers_says_so():
    assert "No number of the paper" in glance_table([], [])


def test_parse_parameter_types_like_papermill():
    assert parse_parameter("2.0") == 2.0 and isinstance(parse_parameter("2.0"), float)
    assert parse_parameter("500") == 500 and isinstance(parse_parameter("500"), int)
    assert parse_parameter("True") is True and parse_parameter("None") is None
    assert parse_parameter("balanced") == "balanced"


def test_parse_parameter_reads_lists_as_yaml():
    assert parse_parameter("[30, 3000]") == [30, 3000]
    assert parse_parameter("{a: 1.5}") == {"a": 1.5}
    with pytest.raises(BookError, match="looks like a YAML list"):
        parse_parameter("[30, 3000")


def test_mathjax_problems_flags_cdn_and_accepts_local(tmp_path):
    page = tmp_path / "book" / "a.html"
    page.parent.mkdir()
    page.write_text(
        '<script defer="defer" src="../_static/../mathjax/tex-mml-chtml.js?v=1"></script>'
    )
    assert mathjax_problems(tmp_path) == [
        "pages load mathjax/tex-mml-chtml.js but the HTML has no such file"
    ]
    (tmp_path / "mathjax").mkdir()
    (tmp_path / "mathjax" / "tex-mml-chtml.js").write_text("")
    assert mathjax_problems(tmp_path) == []
    page.write_text(
        '<script async src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'
    )
    assert any("from the internet" in p for p in mathjax_problems(tmp_path))


def test_mathjax_source_ships_the_component_and_fonts():
    pytest.importorskip("yaml")  # only where the [book] extra is installed
    try:
        es5 = mathjax_source()
    except BookError:
        pytest.skip("django-static-mathjax is not installed")
    assert (es5 / "tex-mml-chtml.js").is_file()
    assert any((es5 / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))


def test_lnet_imports_nothing_of_the_runner_or_the_book_toolchain():
    """lnet installs and imports without lnetbook, papermill, myst-nb, yaml or sphinx."""
    import subprocess
    import sys

    blocked = ("lnetbook", "papermill", "myst_nb", "yaml", "nbformat", "jupyter_book", "sphinx")
    code = (
        "import sys\n"
        f"for name in {blocked!r}: sys.modules[name] = None  # importing it raises ImportError\n"
        "import pkgutil, importlib, lnet\n"
        "for m in pkgutil.walk_packages(lnet.__path__, 'lnet.'):\n"
        "    importlib.import_module(m.name)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    import lnet

    assert not hasattr(lnet, "book") and not (Path(lnet.__file__).parent / "book.py").exists()


def test_import_lnetbook_cli_needs_no_papermill():
    import subprocess
    import sys

    code = (
        "import sys, lnetbook.cli, lnetbook.claims; "
        "print([m for m in ('papermill', 'nbformat', 'jupyter_book', 'sphinx', 'myst_nb') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------
# one real execution


@pytest.mark.slow
def test_execute_runs_papermill_records_results_and_reports_the_failing_cell(repo, capsys):
    pytest.importorskip("papermill")
    src = repo / "book" / "tiny.ipynb"
    nb = notebook(
        [
            code("y = 2.0\nfail = False", ["parameters"]),
            code(
                "from myst_nb import glue\nassert not fail, 'asked to fail'\nglue('rate', 2 * y, display=False)"
            ),
        ]
    )
    nb["metadata"]["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    src.write_text(json.dumps(nb))
    write_toc(repo, ["book/tiny"])
    lay = Layout(repo)
    tiny = Notebook("tiny", src)

    assert execute(lay, [tiny], {"y": 3.0}, jobs=1) == {"tiny": "ok"}
    assert json.loads((lay.results / "tiny.json").read_text()) == {"rate": 6.0}
    assert json.loads(src.read_text())["cells"][1]["outputs"] == []  # the source is untouched
    good = lay.executed_copy("tiny").read_bytes()
    assert b"input_path" not in good and str(repo).encode() not in good  # no local paths

    assert execute(lay, [tiny], {"fail": True}, jobs=1) == {"tiny": "failed"}
    out = capsys.readouterr().out
    assert "FAILED: book/tiny.ipynb" in out and "asked to fail" in out
    record = json.loads(lay.run_record.read_text())["notebooks"]["tiny"]
    # the good copy stays, with its parameters; the failure is kept aside and recorded
    assert record["status"] == "ok" and record["parameters"] == {"y": 3.0}
    assert record["attempt"]["status"] == "failed"
    assert record["attempt"]["parameters"] == {"fail": True}
    assert record["attempt"]["error"]["ename"] == "AssertionError"
    assert "assert not fail" in record["attempt"]["error"]["source"]
    assert lay.executed_copy("tiny").read_bytes() == good
    assert (lay.build / "failed" / "tiny.ipynb").is_file()


# ---------------------------------------------------------------------------------------
# staging: launch buttons, student edition, teaching page (issue 7)


def test_staged_config_without_repository_links_nowhere():
    cfg = staged_config({"title": "T", "repository": {"url": ""}, "html": {}})
    assert cfg["repository"]["url"] == ""
    assert cfg["launch_buttons"]["binderhub_url"] == ""
    assert cfg["launch_buttons"]["colab_url"] == ""
    assert cfg["html"]["use_repository_button"] is False
    assert cfg["launch_buttons"]["thebe"] is False
    # jupyter-book's own default repository must not leak in when the key is absent
    assert staged_config({"title": "T"})["repository"]["url"] == ""


def test_staged_config_with_repository_switches_on_binder_colab_and_the_repo_button():
    source = {"title": "T", "repository": {"url": "https://github.com/o/r/"}}
    cfg = staged_config(source)
    assert cfg["repository"] == {
        "url": "https://github.com/o/r",
        "branch": "main",
        "path_to_book": "",
    }
    assert cfg["launch_buttons"]["binderhub_url"] == BINDERHUB_URL
    assert cfg["launch_buttons"]["colab_url"] == COLAB_URL
    assert cfg["html"]["use_repository_button"] is True
    assert source == {"title": "T", "repository": {"url": "https://github.com/o/r/"}}  # not mutated


def test_staged_config_student_edition_hides_solutions_and_says_so():
    cfg = staged_config({"title": "T", "sphinx": {"config": {"x": 1}}}, student=True)
    assert cfg["sphinx"]["config"] == {"x": 1, "hide_solutions": True}
    assert "student edition" in cfg["title"]
    assert "hide_solutions" not in staged_config({"title": "T"}).get("sphinx", {}).get("config", {})


def md_cell(text):
    return {"cell_type": "markdown", "source": text, "metadata": {}}


def test_strip_solutions_removes_the_gated_cells_and_keeps_the_exercise():
    cells = [
        md_cell("```{exercise} E\n:label: ex-1\nQuestion\n```"),
        md_cell("```{solution-start} ex-1\n:class: dropdown\n```"),
        md_cell("The answer is 42."),
        code("secret = 42"),
        md_cell("```{solution-end}\n```"),
        md_cell("After."),
    ]
    stripped, removed = strip_solutions(notebook(cells))
    assert removed == 1
    assert [c["source"] for c in stripped["cells"]] == [cells[0]["source"], "After."]
    assert len(notebook(cells)["cells"]) == 6  # the input is left alone


def test_strip_solutions_accepts_the_end_directive_after_the_solution_text():
    cells = [
        md_cell("```{solution-start} ex-1\n:class: dropdown\n```"),
        md_cell("The answer.\n\n```{solution-end}\n```"),
        md_cell("After."),
    ]
    stripped, removed = strip_solutions(notebook(cells))
    assert removed == 1 and [c["source"] for c in stripped["cells"]] == ["After."]


@pytest.mark.parametrize(
    "cells",
    [
        [md_cell("```{solution-start} ex-1\n```"), md_cell("x")],
        [md_cell("x"), md_cell("```{solution-end}\n```")],
        [md_cell("```{solution-start} a\n```"), md_cell("```{solution-start} b\n```")],
    ],
)
def test_strip_solutions_rejects_unbalanced_gates(cells):
    with pytest.raises(BookError, match="solution"):
        strip_solutions(notebook(cells))


def test_gated_solutions_are_removed_from_markdown_pages():
    text = (
        "Intro\n```{exercise} E\n:label: ex-1\nQ\n```\n"
        "```{solution-start} ex-1\n:class: dropdown\n```\nSecret\n```python\nx = 1\n```\n"
        "```{solution-end}\n```\nAfter\n"
    )
    out = MD_GATED_SOLUTION.sub("", text)
    assert "Secret" not in out and "x = 1" not in out and "solution" not in out
    assert out.startswith("Intro\n```{exercise} E") and out.endswith("After\n")


def test_runtimes_snippet_reads_the_run_record():
    nbs = [Notebook(s, None) for s in ("fast", "slow", "changed", "missing")]
    record = record_of(
        fast=dict(seconds=12.3, status="ok"),
        slow=dict(seconds=75.0, status="ok"),
        changed=dict(seconds=5.0, status="ok", parameters={"y": 2.0}),
    )
    text = runtimes_snippet(record, nbs)
    rows = {
        line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| {doc}")
    }
    assert "| 12 | yes |" in rows["{doc}`fast`"]
    assert "| 75 | no |" in rows["{doc}`slow`"]
    assert "not measured" in rows["{doc}`changed`"] and "not measured" in rows["{doc}`missing`"]
    assert "1 of 4 notebooks ran in under 60 s" in text


def test_external_resource_problems_flags_loads_but_not_links(tmp_path):
    (tmp_path / "_static").mkdir()
    page = tmp_path / "a.html"
    page.write_text(
        '<a href="https://arxiv.org/abs/2105.06351">paper</a><script src="_static/x.js"></script>'
    )
    (tmp_path / "_static" / "s.css").write_text("body { background: url(img.png) }")
    assert external_resource_problems(tmp_path) == []
    page.write_text(
        '<script src="https://cdn.example/x.js"></script>'
        '<link rel="stylesheet" href="//fonts.example/f.css">'
        '<img alt="" src="http://example.org/i.png">'
    )
    (tmp_path / "_static" / "s.css").write_text("@import 'https://fonts.example/f.css';")
    problems = external_resource_problems(tmp_path)
    assert len(problems) == 4, problems


def test_solution_problems_finds_solution_markup(tmp_path):
    (tmp_path / "a.html").write_text('<div class="exercise admonition">Q</div>')
    assert solution_problems(tmp_path) == []
    (tmp_path / "b.html").write_text('<div class="solution dropdown admonition">A</div>')
    assert solution_problems(tmp_path) == ["b.html contains a solution"]


# ---------------------------------------------------------------------------------------
# the Sphinx extension: references to re-exported names


def test_sphinxext_resolves_reexports_and_imported_annotations():
    from lnetbook import sphinxext as _sphinxext

    assert _sphinxext._canonical("lnet.gradient_descent", None) == "lnet.dynamics.gradient_descent"
    assert _sphinxext._canonical("lnet.Problem.from_data", None) == "lnet.problem.Problem.from_data"
    assert _sphinxext._canonical("Problem", "lnet.dynamics") == "lnet.problem.Problem"
    # already canonical, outside lnet, or unknown: left to Sphinx (and to -n)
    assert _sphinxext._canonical("lnet.dynamics.gradient_descent", None) is None
    assert _sphinxext._canonical("numpy.ndarray", "lnet.dynamics") is None
    assert _sphinxext._canonical("lnet.no_such_function", None) is None


def test_sphinxext_keeps_napoleon_from_reading_a_first_line_as_a_type():
    from lnetbook import sphinxext as _sphinxext

    lines = ["Theorem 3 at every iteration: the bound."]
    _sphinxext._no_inline_attribute_type(None, "property", "x", None, {}, lines)
    assert lines == ["..", "", "Theorem 3 at every iteration: the bound."]
    lines = ["A function: not touched."]
    _sphinxext._no_inline_attribute_type(None, "function", "x", None, {}, lines)
    assert lines == ["A function: not touched."]


# ---------------------------------------------------------------------------------------
# the browser check's pure parts (.ci/browser_check.py; the browser itself runs in CI)


@pytest.fixture(scope="module")
def browser_check():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / ".ci" / "browser_check.py"
    spec = importlib.util.spec_from_file_location("browser_check", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_browser_check_link_problems(browser_check, tmp_path):
    (tmp_path / "book").mkdir()
    a = tmp_path / "book" / "a.html"
    a.write_text('<h1 id="top">A</h1>')
    b = tmp_path / "book" / "b.html"
    b.write_text("x")
    ids = {b: {"sec"}}
    links = [
        a.as_uri() + "#top",
        b.as_uri() + "#sec",
        "https://example.org/#anything",
        (tmp_path / "book" / "missing.html").as_uri(),
        a.as_uri() + "#nowhere",
        (tmp_path.parent / "elsewhere.html").as_uri(),
    ]
    problems = browser_check.link_problems(b, links, tmp_path, ids)
    assert len(problems) == 3, problems
    assert "missing.html" in problems[0] and "nowhere" in problems[1] and "leaves" in problems[2]


def test_browser_check_skips_static_and_follows_redirects(browser_check, tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "macros.html").write_text("{{ pathto('x') }}")
    (tmp_path / "index.html").write_text(
        '<meta http-equiv="Refresh" content="0; url=book/intro.html" />'
    )
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "intro.html").write_text("<p>hi</p>")
    pages, redirects = browser_check.book_pages(tmp_path)
    assert pages == [tmp_path / "book" / "intro.html"]
    assert redirects == {tmp_path / "index.html": (tmp_path / "book" / "intro.html").as_uri()}


def test_browser_check_math_and_event_problems(browser_check):
    report = {"raw_tex": [r"\(x\)"], "untypeset": [], "merror": ["Undefined control sequence"]}
    assert len(browser_check.math_problems(report)) == 2
    events = [
        {
            "sessionId": "s",
            "method": "Runtime.consoleAPICalled",
            "params": {"type": "error", "args": [{"value": "boom"}]},
        },
        {
            "sessionId": "s",
            "method": "Runtime.consoleAPICalled",
            "params": {"type": "log", "args": [{"value": "fine"}]},
        },
        {
            "sessionId": "s",
            "method": "Network.requestWillBeSent",
            "params": {"request": {"url": "https://cdn.example/x.js"}},
        },
        {
            "sessionId": "s",
            "method": "Network.requestWillBeSent",
            "params": {"request": {"url": "file:///book/a.html"}},
        },
        {"sessionId": "other", "method": "Runtime.exceptionThrown", "params": {}},
    ]
    problems = browser_check.event_problems(events, "s", "file:///book/")
    assert problems == ["console error: boom", "request to the internet: https://cdn.example/x.js"]


# ---------------------------------------------------------------------------------------
# the runner package itself


def test_no_function_of_the_runner_is_longer_than_60_lines_of_code():
    """Lines from the first statement after the docstring to the end (issue 11)."""
    import ast

    import lnetbook

    long = []
    for path in sorted(Path(lnetbook.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body
                if (
                    body
                    and isinstance(body[0], ast.Expr)
                    and isinstance(getattr(body[0], "value", None), ast.Constant)
                ):
                    body = body[1:] or body
                lines = node.end_lineno - body[0].lineno + 1
                if lines > 60:
                    long.append(f"{path.name}:{node.name} ({lines} lines)")
    assert long == []


def test_schedule_puts_the_longest_notebooks_first():
    from lnetbook.execute import schedule

    nbs = [Notebook(s, None) for s in ("a", "b", "c", "d")]
    order = schedule(nbs, {"c": 120.0, "b": 25.0, "d": 25.0})
    assert [nb.stem for nb in order] == ["c", "b", "d", "a"]


def test_lnetbook_is_a_package_beside_lnet():
    import lnetbook

    assert Path(lnetbook.__file__).parent.parent.name == "runner"
