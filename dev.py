#!/usr/bin/env python3
"""Set up and run the lnet book with nothing but Python >= 3.11 and pip.

    python3 dev.py book      # build the whole book: execute every notebook, HTML, check
    python3 dev.py test      # run the test suite (extra arguments go to pytest)
    python3 dev.py check     # compare the last build's numbers with book/expected.yml
    python3 dev.py html      # rebuild the HTML from the executed notebooks (--student: no solutions)
    python3 dev.py browser   # open every built page in headless Chromium and check it

Each command first creates (or reuses) the virtual environment .venv next to this
file and installs the project into it with ``pip install -e .[test] -e ./runner`` (lnet and the book's runner, lnetbook); the
install is skipped when the pyproject.toml files have not changed since the last one. Only the
standard library is used here, so this runs on a fresh machine.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".lnet-installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

USAGE = __doc__.split("\n\n")[1]


def say(msg: str) -> None:
    print(f"dev.py: {msg}", flush=True)


def run(cmd: list, **kw) -> int:
    say("$ " + " ".join(str(c) for c in cmd))
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kw)


def ensure_venv() -> None:
    """Create .venv if needed and install the project into it when pyproject.toml changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py must say so on an older Python
        sys.exit(
            f"dev.py: Python >= 3.11 is needed; this is {sys.version.split()[0]} ({sys.executable})"
        )
    if not PYTHON.exists():
        say(f"creating the virtual environment {VENV.name}/")
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except (OSError, subprocess.CalledProcessError) as exc:
            sys.exit(
                f"dev.py: could not create {VENV} ({exc}). On Debian/Ubuntu install the "
                "python3-venv package first (apt-get install python3-venv)."
            )
    want = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + (ROOT / "runner" / "pyproject.toml").read_bytes()
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == want:
        return
    say("installing lnet, the book runner and their dependencies into .venv (about a minute)")
    quiet = ["--quiet"] if os.environ.get("CI") else []
    code = run(
        [
            PYTHON,
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            *quiet,
            "-e",
            ".[test]",
            "-e",
            "./runner",
        ]
    )
    if code:
        sys.exit(f"dev.py: pip install failed (exit code {code})")
    STAMP.write_text(want + "\n")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"book", "test", "check", "html", "browser"}:
        print(USAGE)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_venv()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if command == "test":
        return run([PYTHON, "-m", "pytest", *rest], env=env)
    if command == "browser":  # standard library only; needs Debian's chromium
        return run([PYTHON, ROOT / ".ci" / "browser_check.py", *rest], env=env)
    book_command = "build" if command == "book" else command
    return run([PYTHON, "-m", "lnetbook", book_command, *rest], env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
