"""The command line: ``python -m lnetbook {build,run,html,check,list}``.

Run from the repository's top folder with the project's Python::

    python -m lnetbook build                  # execute all notebooks, build HTML, check
    python -m lnetbook run book/scalar.ipynb -p y 2.0   # re-execute one notebook
    python -m lnetbook html                   # rebuild the HTML from the executed copies
    python -m lnetbook html --student         # the student edition (no solutions)
    python -m lnetbook check                  # compare this build's numbers with book/expected.yml
    python -m lnetbook list                   # the notebooks named in _toc.yml

Exit codes (:mod:`lnetbook.errors`): 0 ok; 1 a notebook failed, the HTML has warnings
or a number drifted; 2 nothing could be done or checked (bad arguments or files); 3
another runner holds ``_build/``; 130/143 stopped by Ctrl-C/SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

from .errors import EXIT_FAILED, EXIT_OK, EXIT_SIGINT, BookError, Interrupted
from .layout import COMMAND, Layout, find_root, resolve_notebook, toc_notebooks
from .lock import BuildLock, command_line

DEFAULT_JOBS = 2


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(
            f"must be a positive number of seconds, got {text} (leave it out for no limit)"
        )
    return value


def _exec_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=DEFAULT_JOBS,
        help=f"notebooks executed at once (default {DEFAULT_JOBS})",
    )
    p.add_argument(
        "--timeout",
        type=_timeout,
        default=None,
        help="seconds allowed per cell, > 0 (default: no limit)",
    )
    p.add_argument(
        "--progress-bar",
        action="store_true",
        help="show papermill's per-cell progress bar (readable with -j 1)",
    )


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog=COMMAND,
        description="Execute the book's notebooks with papermill, build the HTML, check the numbers.",
    )
    sub = ap.add_subparsers(dest="command", required=True)
    _exec_options(
        sub.add_parser("build", help="execute every notebook, build the HTML, run the check")
    )
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
    _exec_options(p_run)
    p_html = sub.add_parser(
        "html", help="rebuild the HTML from the executed copies (executes nothing)"
    )
    p_html.add_argument(
        "--student",
        action="store_true",
        help="build the student edition (no solutions) into _build/html-student instead",
    )
    p_check = sub.add_parser(
        "check", help="compare this build's glued numbers with book/expected.yml"
    )
    for p in (p_html, p_check):
        p.add_argument(
            "--allow-stale",
            action="store_true",
            help="go on (with a warning) when a notebook changed after it was executed",
        )
    sub.add_parser("list", help="print the toc's notebooks")
    return ap


def _parameters(pairs) -> dict:
    from .params import parse_parameter

    out = {}
    for name, value in pairs or []:
        if name in out:
            raise BookError(f"-p {name} given twice")
        out[name] = parse_parameter(value)
    return out


def _run(layout: Layout, notebooks, args) -> int:
    from .execute import execute

    chosen = list(dict.fromkeys(resolve_notebook(a, notebooks) for a in args.notebooks))
    outcome = execute(
        layout,
        chosen,
        _parameters(args.parameter),
        jobs=args.jobs,
        timeout=args.timeout,
        progress_bar=args.progress_bar,
    )
    print(f"\nexecuted copies and results are in _build/; rebuild the HTML with `{COMMAND} html`")
    return EXIT_OK if all(s == "ok" for s in outcome.values()) else EXIT_FAILED


def _build(layout: Layout, notebooks, args) -> int:
    from .check import check
    from .execute import execute
    from .html import build_html

    t0 = time.perf_counter()
    outcome = execute(
        layout,
        notebooks,
        jobs=args.jobs,
        timeout=args.timeout,
        progress_bar=args.progress_bar,
        prune=True,
    )
    codes = {}
    for step, fn in (
        ("HTML", lambda: build_html(layout, notebooks)),
        ("reproduction check", lambda: check(layout, notebooks)),
    ):
        try:
            codes[step] = fn()
        except BookError as exc:  # e.g. a notebook failed before papermill wrote its copy
            print(f"error: {exc}", file=sys.stderr)
            codes[step] = exc.code
    failed = [s for s, status in outcome.items() if status != "ok"]
    print(
        f"\nbook build finished in {time.perf_counter() - t0:.1f} s: "
        f"{len(notebooks) - len(failed)}/{len(notebooks)} notebooks ok, "
        + ", ".join(f"{k} {'ok' if v == 0 else 'FAILED'}" for k, v in codes.items())
    )
    if failed:
        print("failed notebooks: " + ", ".join(f"book/{s}.ipynb" for s in failed))
    return EXIT_FAILED if failed or any(codes.values()) else EXIT_OK


def _dispatch(layout: Layout, args, argv) -> int:
    notebooks = toc_notebooks(layout)
    if args.command == "list":
        for nb in notebooks:
            print(layout.rel(nb.source))
        return EXIT_OK
    with BuildLock(layout, command_line(argv)):
        if args.command == "check":
            from .check import check

            return check(layout, notebooks, allow_stale=args.allow_stale)
        if args.command == "html":
            from .html import build_html

            return build_html(layout, notebooks, student=args.student, allow_stale=args.allow_stale)
        if args.command == "run":
            return _run(layout, notebooks, args)
        return _build(layout, notebooks, args)


def _raise_interrupted(signum, frame):
    raise Interrupted(signum, f"interrupted by {signal.Signals(signum).name}")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        return _dispatch(Layout(find_root()), args, argv)
    except Interrupted as exc:
        print(exc.message, file=sys.stderr, flush=True)
        return exc.code
    except KeyboardInterrupt:
        print("interrupted by SIGINT", file=sys.stderr, flush=True)
        return EXIT_SIGINT
    except BookError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return exc.code
    finally:
        signal.signal(signal.SIGTERM, previous)
