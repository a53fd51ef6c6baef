"""The run record, ``_build/executed/run.json``: what ran, how, from which sources.

One :class:`NotebookRun` per notebook describes the executed copy that is in place
(``_build/executed/<stem>.ipynb``) and the results beside it: status, seconds,
parameters, claims, and the hashes that tie it to its sources. A run that did not
replace that copy (it is running, was interrupted, or failed while a good copy existed)
is kept as the entry's :class:`Attempt`, so the record never claims a copy that is not
there, and a good copy is never given up for a partial one.
"""

from __future__ import annotations

import datetime as _dt
import os
import traceback
from dataclasses import asdict, dataclass, field, fields

from .errors import BookError
from .layout import COMMAND, Layout, load_json
from .results import write_json_atomic

#: Statuses of an executed copy in place, and of an attempt that left it alone.
COPY_STATUSES = ("ok", "failed")
ATTEMPT_STATUSES = ("running", "interrupted", "failed")


def now() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


@dataclass
class RunError:
    """Where and how a notebook's execution failed."""

    ename: str
    evalue: str
    traceback: str
    cell_index: int | None = None
    execution_count: int | None = None
    source: str | None = None

    @classmethod
    def from_exception(cls, exc: BaseException) -> RunError:
        """The one constructor: papermill's cell error (with its cell) or anything else."""
        cell_traceback = getattr(exc, "traceback", None)
        if isinstance(cell_traceback, list):  # papermill.PapermillExecutionError
            return cls(
                ename=str(getattr(exc, "ename", type(exc).__name__)),
                evalue=_strip_ansi(str(getattr(exc, "evalue", exc))),
                traceback=_strip_ansi("\n".join(cell_traceback)),
                cell_index=getattr(exc, "cell_index", None),
                execution_count=getattr(exc, "exec_count", None),
                source=getattr(exc, "source", None),
            )
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return cls(type(exc).__name__, _strip_ansi(str(exc)), _strip_ansi(text))

    @property
    def where(self) -> str:
        if self.cell_index is None:
            return "outside any cell"
        return f"cell {self.cell_index} (execution count {self.execution_count})"


@dataclass
class Attempt:
    """A run that did not (yet) replace the executed copy in place."""

    status: str  # running | interrupted | failed
    parameters: dict
    started: str
    finished: str | None = None
    seconds: float | None = None
    pid: int | None = None
    error: RunError | None = None


@dataclass
class NotebookRun:
    """One notebook's entry: the executed copy in place (if any) and its last attempt."""

    notebook: str
    status: str  # ok | failed (a copy in place) | running | interrupted (no copy)
    parameters: dict = field(default_factory=dict)
    seconds: float | None = None
    started: str | None = None
    finished: str | None = None
    strict: bool = False
    source_sha256: str | None = None
    lnet_sha256: str | None = None
    executed_sha256: str | None = None
    claims: list | None = None
    error: RunError | None = None
    attempt: Attempt | None = None

    @property
    def has_copy(self) -> bool:
        """An executed copy (and results) belong to this entry.

        A record written before hashes were kept (no ``source_sha256``) is trusted on
        its status.
        """
        if self.executed_sha256 is not None:
            return True
        return self.status in COPY_STATUSES and self.source_sha256 is None

    @property
    def settled(self) -> str:
        """The status a reader should see: the copy's, unless an attempt is pending."""
        return self.attempt.status if self.attempt else self.status

    @classmethod
    def from_dict(cls, data: dict) -> NotebookRun:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in data.items() if k in known}
        if isinstance(kw.get("error"), dict):
            kw["error"] = _from(RunError, kw["error"])
        if isinstance(kw.get("attempt"), dict):
            attempt = dict(kw["attempt"])
            if isinstance(attempt.get("error"), dict):
                attempt["error"] = _from(RunError, attempt["error"])
            kw["attempt"] = _from(Attempt, attempt)
        return cls(**kw)


def _from(kind, data: dict):
    known = {f.name for f in fields(kind)}
    return kind(**{k: v for k, v in data.items() if k in known})


@dataclass
class RunRecord:
    """Everything in ``run.json``: the notebooks' entries and the machine that ran them."""

    notebooks: dict[str, NotebookRun] = field(default_factory=dict)
    updated: str | None = None
    cpus: int | None = None
    versions: dict = field(default_factory=dict)
    commit: str = "unknown"
    #: The last ``run``/``build`` as a whole: wall seconds, workers, notebooks in start order.
    last_execution: dict = field(default_factory=dict)

    @property
    def python(self) -> str:
        return self.versions.get("python", "?")

    @classmethod
    def load(cls, layout: Layout) -> RunRecord:
        """The record in ``_build/executed/run.json`` (empty if none); corrupt: one BookError line."""
        path = layout.run_record
        if not path.exists():
            return cls()
        fix = f"run `{COMMAND} book` to make it again (or delete it and rerun the notebooks)"
        data = load_json(path, fix=fix, what="run record")
        try:
            entries = data["notebooks"]
            record = cls(
                notebooks={s: NotebookRun.from_dict(e) for s, e in entries.items()},
                updated=data.get("updated"),
                cpus=data.get("cpus"),
                versions=dict(data.get("versions") or {}),
                commit=str(data.get("commit", "unknown")),
                last_execution=dict(data.get("last_execution") or {}),
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise BookError(
                f"{layout.rel(path)}: run record has an unknown layout ({exc!r}); {fix}"
            ) from None
        return record

    def save(self, layout: Layout) -> None:
        """Write run.json atomically (a reader sees the old or the new record, never half)."""
        self.updated = now()
        self.cpus = os.cpu_count()
        write_json_atomic(layout.run_record, asdict(self))

    def get(self, stem: str) -> NotebookRun | None:
        return self.notebooks.get(stem)

    def settle_dead_attempts(self) -> list[str]:
        """Attempts left ``running`` by a runner that died (it held the lock we now hold)."""
        dead = []
        for stem, entry in self.notebooks.items():
            if entry.attempt and entry.attempt.status == "running":
                entry.attempt.status = "interrupted"
                dead.append(stem)
            elif entry.status == "running":
                entry.status = "interrupted"
                dead.append(stem)
        return dead
