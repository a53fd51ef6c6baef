"""One runner at a time per build folder.

``_build/lock`` is locked with ``flock`` for as long as a command that writes to
``_build/`` runs; the lock goes away with the process, however it ends (even
``kill -9``). The file holds who took it, so a second command can say what holds the
build instead of silently losing one of two records.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from .errors import EXIT_BUSY, BookError
from .layout import Layout

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, as before
    fcntl = None


class BuildLock:
    """``with BuildLock(layout, "run rate"):`` holds the build folder or raises BookError."""

    def __init__(self, layout: Layout, what: str):
        self.layout = layout
        self.what = what
        self._fh = None

    def __enter__(self) -> BuildLock:
        path: Path = self.layout.lock
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "a+", encoding="utf-8")
        if fcntl is not None:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fh.seek(0)
                holder = _describe(fh.read())
                fh.close()
                raise BookError(
                    f"{self.layout.rel(self.layout.build)}/ is in use by {holder}; "
                    "wait for it to finish (or stop it) and run this again",
                    code=EXIT_BUSY,
                ) from None
        fh.seek(0)
        fh.truncate()
        info = {"pid": os.getpid(), "command": self.what, "since": time.strftime("%H:%M:%S")}
        fh.write(json.dumps(info) + "\n")
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            self._fh.close()  # closing releases the flock
            self._fh = None


def _describe(text: str) -> str:
    try:
        info = json.loads(text)
        return f"`{info['command']}` (pid {info['pid']}, since {info['since']})"
    except (ValueError, KeyError, TypeError):
        return "another runner"


def command_line(argv: list[str] | None) -> str:
    return "python -m lnetbook " + " ".join(argv if argv is not None else sys.argv[1:])
