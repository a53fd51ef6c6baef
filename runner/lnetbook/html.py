"""Building the HTML: stage the tree, run ``jupyter-book build -W -n``, check the result."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .check import freshness_gate, verify_build
from .errors import EXIT_FAILED, EXIT_OK, BookError
from .expected import compare, load_expected
from .htmlcheck import external_resource_problems, mathjax_problems, solution_problems
from .layout import Layout, Notebook
from .record import RunRecord
from .results import read_results, write_results
from .stage import stage

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def jupyter_book_build(layout: Layout, src: Path, output: Path | None = None) -> tuple[int, int]:
    """Run ``jupyter-book build`` on ``src`` with -W -n --keep-going; returns (exit code, warnings).

    The HTML goes to ``<output>/_build/html`` (``output`` defaults to the repository root).
    Interrupted, it stops jupyter-book before passing the interruption on.
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
    proc = subprocess.Popen(
        cmd,
        cwd=layout.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
    )
    try:
        for line in proc.stdout:
            sys.stdout.write(line if sys.stdout.isatty() else strip_ansi(line))
            warnings += ("WARNING:" in line) or ("ERROR:" in line)
        code = proc.wait()
    except BaseException:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    finally:
        proc.stdout.close()
    sys.stdout.flush()
    return code, warnings


def _run_jupyter_book(layout: Layout, src: Path, student: bool) -> tuple[int, int, Path]:
    # From scratch: viewcode keeps a module's page when it is newer than the module, so
    # pages written by an older build (or another configuration) would survive.
    for old in (layout.html_student, layout.build / "student") if student else (layout.html,):
        if old.exists():
            shutil.rmtree(old)
    if not student:
        code, warnings = jupyter_book_build(layout, src)
        return code, warnings, layout.html
    # jupyter-book writes to <path-output>/_build/html; build aside, then move.
    aside = layout.build / "student"
    code, warnings = jupyter_book_build(layout, src, aside)
    if (aside / "_build" / "html").is_dir():
        shutil.move(str(aside / "_build" / "html"), str(layout.html_student))
    return code, warnings, layout.html_student


def _html_problems(html: Path, student: bool) -> dict[str, list[str]]:
    if not html.is_dir():
        return {"MathJax": ["no HTML was built"], "offline": [], "student edition": []}
    return {
        "MathJax": mathjax_problems(html),
        "offline": external_resource_problems(html),
        "student edition": solution_problems(html) if student else [],
    }


def build_html(
    layout: Layout, notebooks: list[Notebook], *, student: bool = False, allow_stale: bool = False
) -> int:
    """Check the build folder, write the generated pages, stage and build the HTML; 0 if clean.

    ``student``: the student edition instead, without solutions, in ``_build/html-student``.
    """
    stems = [nb.stem for nb in notebooks]
    expected = load_expected(layout, stems)
    record = RunRecord.load(layout)
    for nb in notebooks:  # results are re-extracted from the copies: they are the truth
        if layout.executed_copy(nb.stem).is_file() and record.get(nb.stem) is not None:
            write_results(layout, nb.stem)
    problems = verify_build(layout, notebooks, record)
    if problems:
        raise BookError(
            f"cannot build the HTML: {problems[0]}" + "".join(f"\n  {p}" for p in problems[1:])
        )
    stale = freshness_gate(notebooks, record, allow_stale)
    comparisons = compare(expected, read_results(layout, stems))
    t0 = time.perf_counter()
    src = stage(layout, notebooks, record, comparisons, stale=stale, student=student)
    code, warnings, html = _run_jupyter_book(layout, src, student)
    seconds = time.perf_counter() - t0
    found = _html_problems(html, student)
    for label, items in found.items():
        for p in items:
            print(f"{label}: {p}")
    edition = "student edition" if student else "HTML"
    print(
        f"\n{edition} built in {seconds:.1f} s with {warnings} warning(s); "
        f"jupyter-book exit code {code}; MathJax {'PROBLEM' if found['MathJax'] else 'local (no CDN)'}; "
        f"{len(found['offline'])} resource(s) from the internet"
        + (f"; {len(found['student edition'])} page(s) with solutions" if student else "")
    )
    ok = code == 0 and warnings == 0 and not any(found.values())
    if ok:
        print(f"open {html / 'index.html'}", flush=True)
    return EXIT_OK if ok else EXIT_FAILED
