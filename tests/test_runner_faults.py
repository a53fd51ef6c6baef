"""The runner under faults (issue 12): interrupted, concurrent, stale, mistyped, corrupted.

Every test works on a throwaway repository in a temporary folder with one tiny notebook
(no notebook of the book runs here) and drives the real command line,
``python -m lnetbook``, in a subprocess; then it asserts the exit code, the one-line
message and the state of ``_build/`` afterwards. A kernel start costs a few seconds, so
one module-wide fixture executes the notebook once and each test starts from a copy.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytest.importorskip("papermill")
psutil = pytest.importorskip("psutil")

from lnetbook.errors import EXIT_BUSY, EXIT_ERROR, EXIT_FAILED, EXIT_SIGINT, EXIT_SIGTERM  # noqa: E402

pytestmark = pytest.mark.slow

PARAMETERS = (
    'seed = 0\nsleep = 0.0\nmarker = ""  # a file created when the work starts\nfail = False\n'
)
WORK = textwrap.dedent(
    """\
    import os, time
    from myst_nb import glue
    from lnetbook.claims import Chapter
    ch = Chapter("tiny")
    if marker:
        open(marker, "w").close()
    time.sleep(sleep)
    assert not fail, "asked to fail"
    ch.number("value", 2.0 * (seed + 1))
    glue("strict", os.environ.get("LNETBOOK_STRICT", "") == "1", display=False)
    ch.claim("seed_zero", "the seed is zero", seed == 0, seed=seed)
    ch.report()
    """
)
EXPECTED = "tiny:\n  value:\n    value: 2.0\n    atol: 1.0e-9\n    what: 2 (seed + 1)\n"


def cell(source, tags=(), id="c"):
    return {
        "id": id,
        "cell_type": "code",
        "source": source,
        "metadata": {"tags": list(tags)},
        "outputs": [],
        "execution_count": None,
    }


def make_repo(root: Path) -> None:
    (root / "book").mkdir(parents=True)
    (root / "_config.yml").write_text("title: tiny\n")
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n  - file: book/tiny\n"
    )
    (root / "book" / "intro.md").write_text("# Intro\n")
    (root / "book" / "expected.yml").write_text(EXPECTED)
    nb = {
        "cells": [cell(PARAMETERS, ["parameters"], "params"), cell(WORK, id="work")],
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    }
    (root / "book" / "tiny.ipynb").write_text(json.dumps(nb, indent=1))


def lnetbook(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lnetbook", *args],
        cwd=root,
        text=True,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def start(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lnetbook", *args],
        cwd=root,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def record(root: Path) -> dict:
    return json.loads((root / "_build" / "executed" / "run.json").read_text())["notebooks"]


def wait_for(predicate, timeout: float = 60.0) -> None:
    t0 = time.monotonic()
    while not predicate():
        if time.monotonic() - t0 > timeout:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def running(root: Path) -> bool:
    try:
        entry = record(root).get("tiny", {})
    except (FileNotFoundError, ValueError):
        return False
    return (
        entry.get("status") == "running" or (entry.get("attempt") or {}).get("status") == "running"
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A repository whose notebook ran once with the book's parameters."""
    root = tmp_path_factory.mktemp("built")
    make_repo(root)
    done = lnetbook(root, "run", "book/tiny.ipynb")
    assert done.returncode == 0, done.stdout + done.stderr
    return root


@pytest.fixture
def repo(built, tmp_path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(built, root)
    return root


def snapshot(root: Path) -> dict:
    b = root / "_build"
    return {p: (b / p).read_bytes() for p in ("executed/tiny.ipynb", "results/tiny.json")}


# ---------------------------------------------------------------------------------------
# a normal run: strict mode, claims, provenance, no local paths, no parse noise


def test_a_run_with_the_books_parameters_is_strict_and_records_claims_and_provenance(built):
    entry = record(built)["tiny"]
    assert entry["status"] == "ok" and entry["strict"] is True and entry["attempt"] is None
    assert entry["claims"] == [
        {"key": "seed_zero", "text": "the seed is zero", "held": True, "values": {"seed": 0.0}}
    ]
    assert entry["source_sha256"] and entry["lnet_sha256"] and entry["executed_sha256"]
    results = json.loads((built / "_build" / "results" / "tiny.json").read_text())
    assert results["strict"] is True and results["value"] == 2.0
    copy = (built / "_build" / "executed" / "tiny.ipynb").read_text()
    assert "input_path" not in copy and "output_path" not in copy and str(built) not in copy
    full = json.loads((built / "_build" / "executed" / "run.json").read_text())
    assert {"python", "numpy", "scipy", "matplotlib", "jupyter-book", "papermill", "blas"} <= set(
        full["versions"]
    )
    assert full["commit"] == "unknown"  # not a git checkout


def test_other_parameters_are_not_strict_a_failed_claim_is_recorded_and_no_noise(repo):
    done = lnetbook(repo, "run", "tiny", "-p", "seed", "3")
    assert done.returncode == 0, done.stderr
    assert "Unable to parse line" not in done.stdout + done.stderr
    entry = record(repo)["tiny"]
    assert entry["strict"] is False and entry["parameters"] == {"seed": 3}
    assert [c["held"] for c in entry["claims"]] == [False]
    assert json.loads((repo / "_build" / "results" / "tiny.json").read_text())["strict"] is False
    check = lnetbook(repo, "check")
    assert check.returncode == EXIT_FAILED and "0 of 1 numbers within tolerance" in check.stdout


# ---------------------------------------------------------------------------------------
# interruptions


def _interrupt(root: Path, sig: int, *, when: str, twice: bool = False):
    before = snapshot(root)
    marker = root / "started"
    proc = start(root, "run", "tiny", "-p", "sleep", "60", "-p", "marker", str(marker))
    wait_for(lambda: running(root))
    if when == "in the cell":
        wait_for(marker.exists)
    family = psutil.Process(proc.pid).children(recursive=True)
    t0 = time.monotonic()
    proc.send_signal(sig)
    if twice:
        time.sleep(0.3)
        proc.send_signal(sig)
    _out, err = proc.communicate(timeout=30)
    seconds = time.monotonic() - t0
    assert seconds < 10, f"took {seconds:.1f} s to stop"
    _gone, alive = psutil.wait_procs(family, timeout=5)
    assert alive == [], f"left running: {alive}"
    return proc.returncode, err, before


@pytest.mark.parametrize("when", ["while starting", "in the cell"])
@pytest.mark.parametrize(
    "sig, code", [(signal.SIGINT, EXIT_SIGINT), (signal.SIGTERM, EXIT_SIGTERM)]
)
def test_an_interrupted_run_keeps_the_good_result_and_stops_everything(repo, sig, code, when):
    returncode, err, before = _interrupt(repo, sig, when=when)
    assert returncode == code
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"interrupted by {signal.Signals(sig).name}")
    assert snapshot(repo) == before  # the good copy and results are untouched
    entry = record(repo)["tiny"]
    assert entry["status"] == "ok" and entry["parameters"] == {}
    assert entry["attempt"]["status"] == "interrupted"
    assert entry["attempt"]["parameters"]["sleep"] == 60
    assert not any((repo / "_build" / "tmp").iterdir())
    assert lnetbook(repo, "check").returncode == 0  # consistent: the check passes


def test_two_ctrl_c_in_a_row_still_stop_cleanly(repo):
    returncode, err, _ = _interrupt(repo, signal.SIGINT, when="in the cell", twice=True)
    assert returncode == EXIT_SIGINT and len(err.strip().splitlines()) == 1


def test_an_interrupted_first_run_leaves_no_copy_and_says_so(tmp_path):
    make_repo(tmp_path)
    proc = start(tmp_path, "run", "tiny", "-p", "sleep", "60")
    wait_for(lambda: running(tmp_path))
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert proc.returncode == EXIT_SIGINT
    assert record(tmp_path)["tiny"]["status"] == "interrupted"
    assert not (tmp_path / "_build" / "executed" / "tiny.ipynb").exists()
    assert not (tmp_path / "_build" / "results" / "tiny.json").exists()
    done = lnetbook(tmp_path, "check")
    assert done.returncode == EXIT_ERROR
    assert (
        "book/tiny.ipynb: interrupted in this build folder; run `python3 dev.py run book/tiny.ipynb`"
        in done.stderr
    )


def test_a_killed_runner_is_recorded_as_interrupted_by_the_next_run(repo):
    proc = start(repo, "run", "tiny", "-p", "sleep", "60")
    wait_for(lambda: running(repo))
    family = psutil.Process(proc.pid).children(recursive=True)
    proc.kill()  # no chance to clean up
    proc.communicate()
    for p in family:
        p.kill()
    done = lnetbook(repo, "run", "tiny")
    assert done.returncode == 0
    assert "an earlier run of tiny was killed; recorded as interrupted" in done.stdout


# ---------------------------------------------------------------------------------------
# concurrency, parameters, a failing notebook


def test_a_second_run_says_what_holds_the_build_folder(repo):
    first = start(repo, "run", "tiny", "-p", "sleep", "60")
    try:
        wait_for(lambda: running(repo))
        second = lnetbook(repo, "run", "tiny", "-p", "seed", "1")
        assert second.returncode == EXIT_BUSY
        assert second.stderr.strip().splitlines() == [
            f"error: _build/ is in use by `python -m lnetbook run tiny -p sleep 60` "
            f"(pid {first.pid}, since "
            + second.stderr.split("since ")[1].split(")")[0]
            + "); wait for it to finish (or stop it) and run this again"
        ]
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=30)
    assert record(repo)["tiny"]["attempt"]["parameters"] == {"sleep": 60}


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["-p", "bogus_name", "3"],
            "book/tiny.ipynb has no parameter 'bogus_name' (its parameters: seed, sleep, marker, fail)",
        ),
        (["-p", "a b", "1"], "-p 'a b': a parameter name must be a Python identifier"),
        (
            ["-p", "seed", "1.5"],
            "book/tiny.ipynb: seed should be an integer like its default 0; got 1.5",
        ),
        (["-p", "fail", "3"], "fail should be a boolean (True/False)"),
        (["--timeout", "0"], "--timeout: must be a positive number of seconds"),
        (["--timeout", "-1"], "--timeout: must be a positive number of seconds"),
        (["-j", "0"], "-j/--jobs: must be at least 1"),
    ],
)
def test_bad_arguments_are_refused_before_anything_runs(repo, args, message):
    before = (repo / "_build" / "executed" / "run.json").read_bytes()
    done = lnetbook(repo, "run", "tiny", *args)
    assert done.returncode == EXIT_ERROR and message in done.stderr
    assert (repo / "_build" / "executed" / "run.json").read_bytes() == before


def test_a_failing_run_never_replaces_a_good_copy(repo):
    before = snapshot(repo)
    done = lnetbook(repo, "run", "tiny", "-p", "fail", "True")
    assert done.returncode == EXIT_FAILED and "asked to fail" in done.stdout
    assert snapshot(repo) == before
    entry = record(repo)["tiny"]
    assert entry["status"] == "ok" and entry["attempt"]["status"] == "failed"
    assert (repo / "_build" / "failed" / "tiny.ipynb").is_file()


# ---------------------------------------------------------------------------------------
# stale sources


def test_an_edited_source_makes_html_and_check_refuse_naming_it(repo):
    nb = repo / "book" / "tiny.ipynb"
    data = json.loads(nb.read_text())
    data["cells"].append(
        {"id": "new", "cell_type": "markdown", "source": "New text.", "metadata": {}}
    )
    nb.write_text(json.dumps(data))
    for command in ("check", "html"):
        done = lnetbook(repo, command)
        assert done.returncode == EXIT_ERROR, done.stderr
        assert done.stderr.strip() == (
            "error: changed since they were executed: book/tiny.ipynb; run "
            "`python3 dev.py run book/tiny.ipynb` (or pass --allow-stale)"
        )
    done = lnetbook(repo, "check", "--allow-stale")
    assert done.returncode == 0 and "WARNING: changed since they were executed" in done.stdout


# ---------------------------------------------------------------------------------------
# expected.yml cannot switch the check off


@pytest.mark.parametrize(
    "text, message",
    [
        (None, "error: book/expected.yml: missing; the reproduction check needs it"),
        ("", "error: book/expected.yml: the file is empty"),
        ("# nothing\n", "error: book/expected.yml: the file is empty"),
        (
            "other:\n  x: {value: 1, atol: 1, what: w}\n",
            "error: book/expected.yml: other: not a notebook of the toc",
        ),
        (
            EXPECTED.replace("atol: 1.0e-9", "atol: .inf"),
            "'atol' must be a finite number >= 0; got inf",
        ),
        (
            EXPECTED + "  value:\n    value: 3.0\n    atol: 1\n    what: again\n",
            "error: book/expected.yml:6: duplicate key 'value' (first at line 2)",
        ),
        ("tiny:\n  value: [1, 2\n", "error: book/expected.yml:3: expected ',' or ']'"),
    ],
)
def test_a_broken_expected_yml_is_could_not_check_in_one_line(repo, text, message):
    path = repo / "book" / "expected.yml"
    if text is None:
        path.unlink()
    else:
        path.write_text(text)
    done = lnetbook(repo, "check")
    assert done.returncode == EXIT_ERROR
    assert message in done.stderr.splitlines()[0], done.stderr
    assert "Traceback" not in done.stderr


def test_a_drifted_number_is_exit_1_not_2(repo):
    path = repo / "book" / "expected.yml"
    path.write_text(EXPECTED.replace("value: 2.0", "value: 2.5"))
    done = lnetbook(repo, "check")
    assert done.returncode == EXIT_FAILED and "drift" in done.stdout


# ---------------------------------------------------------------------------------------
# corrupted or missing build files: one line naming the file and what to run


@pytest.mark.parametrize(
    "damage, message",
    [
        (("executed/run.json", "truncate"), "_build/executed/run.json: run record is corrupt"),
        (("executed/run.json", "{}"), "_build/executed/run.json: run record has an unknown layout"),
        (
            ("executed/tiny.ipynb", "truncate"),
            "_build/executed/tiny.ipynb: executed notebook is corrupt",
        ),
        (
            ("executed/tiny.ipynb", "delete"),
            "_build/executed/tiny.ipynb: executed notebook missing",
        ),
        (("results/tiny.json", "truncate"), "_build/results/tiny.json: results file is corrupt"),
        (("results/tiny.json", "delete"), "_build/results/tiny.json: results file missing"),
        (
            ("results/tiny.json", '{"value": 9.0}'),
            "_build/results/tiny.json: does not match its executed copy",
        ),
    ],
)
def test_a_corrupt_build_file_is_named_with_what_to_run(repo, damage, message):
    rel, how = damage
    path = repo / "_build" / rel
    if how == "truncate":
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    elif how == "delete":
        path.unlink()
    else:
        path.write_text(how)
    done = lnetbook(repo, "check")
    assert done.returncode == EXIT_ERROR, done.stdout + done.stderr
    first = done.stderr.strip().splitlines()[0]
    assert message in first and "python3 dev.py" in first, done.stderr
    assert "Traceback" not in done.stderr
    # the run the message names repairs it
    if how == "delete" and rel.startswith("executed"):
        assert lnetbook(repo, "run", "tiny").returncode == 0
        assert lnetbook(repo, "check").returncode == 0


def test_an_incomplete_executed_copy_is_caught(repo):
    path = repo / "_build" / "executed" / "tiny.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"][-1]["metadata"]["papermill"]["status"] = "pending"
    path.write_text(json.dumps(nb))
    entry = json.loads((repo / "_build" / "executed" / "run.json").read_text())
    from lnetbook.provenance import file_hash

    entry["notebooks"]["tiny"]["executed_sha256"] = file_hash(path)
    (repo / "_build" / "executed" / "run.json").write_text(json.dumps(entry))
    done = lnetbook(repo, "check")
    assert done.returncode == EXIT_ERROR
    assert "_build/executed/tiny.ipynb: incomplete (some cells never ran)" in done.stderr


def test_no_process_is_left_behind(built):
    """Nothing from these tests keeps running (a worker or kernel of this interpreter)."""
    me = os.getpid()
    leftovers = [
        p
        for p in psutil.process_iter(["cmdline", "ppid"])
        if p.info["cmdline"]
        and "lnetbook.worker" in " ".join(p.info["cmdline"])
        and str(built.parent) in " ".join(p.info["cmdline"])
        and p.pid != me
    ]
    assert leftovers == []
