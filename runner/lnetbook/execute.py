"""Executing notebooks: a pool of papermill workers, scheduled longest first, atomic, interruptible.

Each notebook runs in its own worker process (:mod:`lnetbook.worker`, in a session of its
own) writing into ``_build/tmp/``. Only when a run completes does this process move the
executed copy and its results into place and update the run record; a run is recorded
``running`` before it starts. On Ctrl-C or SIGTERM the pending notebooks are dropped, the
workers and their kernels are stopped (terminated, then killed after a grace period),
each stopped run is recorded ``interrupted`` and :class:`~lnetbook.errors.Interrupted` is
raised: the previous executed copy, results and record entry stay as they were.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .claims import STRICT_ENV
from .errors import Interrupted
from .layout import Layout, Notebook, load_json
from .params import check_parameters, preflight
from .provenance import file_hash, git_commit, package_hash, versions
from .record import Attempt, NotebookRun, RunError, RunRecord, now
from .results import CLAIMS_KEY, claims_summary, extract, write_json_atomic
from .tables import fmt_params, format_table

DEFAULT_JOBS = 2
#: Seconds between "still running" lines while notebooks execute.
HEARTBEAT = 60.0
#: Seconds a stopped worker or kernel gets to exit before it is killed.
GRACE = 3.0
POLL = 0.1


# --------------------------------------------------------------------------------------
# Scheduling and the workers' environment
# --------------------------------------------------------------------------------------


def expected_seconds(layout: Layout, record: RunRecord) -> dict[str, float]:
    """Each notebook's last known execution time: the run record, else the committed hints."""
    seconds: dict[str, float] = {}
    if layout.timing_hints.is_file():
        try:
            hints = json.loads(layout.timing_hints.read_text(encoding="utf-8"))
            seconds.update({k: float(v) for k, v in hints.items()})
        except (ValueError, TypeError, AttributeError, OSError):
            print(
                f"warning: {layout.rel(layout.timing_hints)} is not a JSON map of seconds; ignored"
            )
    for stem, entry in record.notebooks.items():
        if entry.seconds:
            seconds[stem] = float(entry.seconds)
    return seconds


def schedule(notebooks: list[Notebook], seconds: dict[str, float]) -> list[Notebook]:
    """Longest first (toc order among equals), so no long notebook is left to run alone at the end."""
    return sorted(notebooks, key=lambda nb: -seconds.get(nb.stem, 0.0))


def prepare_environment(layout: Layout, jobs: int) -> None:
    """Environment inherited by the workers and their kernels.

    The kernel "python3" is pinned to this interpreter: a user-level kernelspec of
    the same name (another Python, without lnet) would otherwise take precedence.
    BLAS threads are split between the parallel kernels so they do not fight for cores.
    """
    from ipykernel.kernelspec import get_kernel_dict  # argv[0] is sys.executable

    kernels = layout.build / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True, exist_ok=True)
    spec = dict(get_kernel_dict(), display_name="Python 3 (lnet book)")
    (kernels / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    jupyter_path = os.environ.get("JUPYTER_PATH")
    ours = str(layout.build / "jupyter")
    if not jupyter_path or not jupyter_path.startswith(ours):
        os.environ["JUPYTER_PATH"] = os.pathsep.join(
            [ours] + ([jupyter_path] if jupyter_path else [])
        )
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    threads = str(max(1, (os.cpu_count() or 1) // jobs))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, threads)


# --------------------------------------------------------------------------------------
# Signals and stopping process trees
# --------------------------------------------------------------------------------------


class SignalGuard:
    """While active, SIGINT and SIGTERM only set ``signum``: the run loop stops cleanly."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.signum: int | None = None
        self._old = {}

    def _handler(self, signum, frame):
        self.signum = self.signum or signum

    def __enter__(self) -> SignalGuard:
        for sig in self.SIGNALS:
            self._old[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


def stop_process_trees(pids: list[int], grace: float = GRACE) -> None:
    """Terminate each process and all its descendants (kernels), then kill what remains."""
    import psutil

    procs = []
    for pid in pids:
        try:
            parent = psutil.Process(pid)
            procs += parent.children(recursive=True) + [parent]
        except psutil.NoSuchProcess:
            continue
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.terminate()
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for p in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    psutil.wait_procs(alive, timeout=grace)


# --------------------------------------------------------------------------------------
# One run of some notebooks
# --------------------------------------------------------------------------------------


@dataclass
class _Job:
    nb: Notebook
    proc: subprocess.Popen
    started: float
    started_at: str
    source_sha256: str


@dataclass
class Execution:
    """The notebooks of one ``run`` or ``build`` and how they ended."""

    layout: Layout
    parameters: dict
    jobs: int
    timeout: float | None
    progress_bar: bool
    record: RunRecord = field(default_factory=RunRecord)
    outcome: dict[str, str] = field(default_factory=dict)
    t0: float = field(default_factory=time.perf_counter)

    @property
    def strict(self) -> bool:
        """The book's own parameters: a failed claim fails the notebook."""
        return not self.parameters

    def stamp(self) -> str:
        return f"[{time.perf_counter() - self.t0:7.1f} s]"

    def paths(self, stem: str) -> dict[str, Path]:
        scratch = self.layout.scratch
        return {
            k: scratch / f"{stem}{suffix}"
            for k, suffix in (
                ("output", ".ipynb"),
                ("spec", ".spec.json"),
                ("result", ".result.json"),
            )
        }

    def start(self, nb: Notebook) -> _Job:
        """Record the notebook as running, then start its worker."""
        paths = self.paths(nb.stem)
        for p in paths.values():
            p.unlink(missing_ok=True)
        started_at = now()
        self._mark_running(nb, started_at)
        spec = {
            "source": str(nb.source),
            "output": str(paths["output"]),
            "result": str(paths["result"]),
            "parameters": self.parameters,
            "cwd": str(self.layout.executed),
            "timeout": self.timeout,
            "progress_bar": self.progress_bar,
        }
        write_json_atomic(paths["spec"], spec)
        env = dict(os.environ)
        env.pop(STRICT_ENV, None)
        if self.strict:
            env[STRICT_ENV] = "1"
        proc = subprocess.Popen(
            [sys.executable, "-m", "lnetbook.worker", str(paths["spec"])],
            env=env,
            start_new_session=True,  # Ctrl-C at the terminal reaches only us
        )
        print(f"{self.stamp()} start   {nb.source.name}", flush=True)
        return _Job(nb, proc, time.perf_counter(), started_at, file_hash(nb.source))

    def _mark_running(self, nb: Notebook, started_at: str) -> None:
        entry = self.record.get(nb.stem)
        attempt = Attempt("running", dict(self.parameters), started_at, pid=os.getpid())
        if entry is not None and entry.has_copy:
            entry.attempt = attempt
        else:
            # No copy to keep: nothing stale may survive beside the new run.
            self.layout.executed_copy(nb.stem).unlink(missing_ok=True)
            self.layout.results_file(nb.stem).unlink(missing_ok=True)
            self.record.notebooks[nb.stem] = NotebookRun(
                nb.name, "running", dict(self.parameters), started=started_at, strict=self.strict
            )
        self.record.save(self.layout)

    def finish(self, job: _Job) -> None:
        """A worker exited: move its copy into place (or keep the good one) and record it."""
        paths = self.paths(job.nb.stem)
        seconds = round(time.perf_counter() - job.started, 2)
        error = None
        try:
            result = load_json(paths["result"], fix="the worker died", what="worker result")
            seconds = result.get("seconds", seconds)
            error = RunError(**result["error"]) if result.get("error") else None
        except Exception as exc:
            error = RunError(
                "WorkerDied", f"the worker exited with code {job.proc.returncode}", str(exc)
            )
        if error is None and not paths["output"].is_file():
            error = RunError("NoOutput", "papermill wrote no executed notebook", "")
        entry = self._settle(job, paths["output"], seconds, error)
        for p in paths.values():
            p.unlink(missing_ok=True)
        self.outcome[job.nb.stem] = entry.settled
        word = "ok    " if entry.settled == "ok" else "FAILED"
        print(f"{self.stamp()} {word}  {job.nb.source.name} ({seconds:.1f} s)", flush=True)
        if error is not None:
            report_failure(self.layout, job.nb, error, entry)

    def _settle(self, job: _Job, output: Path, seconds: float, error: RunError | None):
        previous = self.record.get(job.nb.stem)
        if (
            error is not None
            and previous is not None
            and previous.status == "ok"
            and previous.has_copy
        ):
            # Never give up a good copy for a failed one: keep the failure aside.
            if output.is_file():
                failed = self.layout.build / "failed" / f"{job.nb.stem}.ipynb"
                failed.parent.mkdir(parents=True, exist_ok=True)
                os.replace(output, failed)
            previous.attempt = Attempt(
                "failed", dict(self.parameters), job.started_at, now(), seconds, error=error
            )
            self.record.save(self.layout)
            return previous
        entry = NotebookRun(
            job.nb.name,
            "ok" if error is None else "failed",
            dict(self.parameters),
            seconds,
            job.started_at,
            now(),
            self.strict,
            job.source_sha256,
            package_hash("lnet"),
            error=error,
        )
        if output.is_file():
            self._install(job.nb.stem, output, entry)
        self.record.notebooks[job.nb.stem] = entry
        self.record.save(self.layout)
        return entry

    def _install(self, stem: str, output: Path, entry: NotebookRun) -> None:
        """Results beside the copy, then both into place, then the record (by the caller)."""
        values = extract(json.loads(output.read_text(encoding="utf-8")))
        staged_results = self.layout.scratch / f"{stem}.values.json"
        write_json_atomic(staged_results, values)
        self.layout.executed.mkdir(parents=True, exist_ok=True)
        self.layout.results.mkdir(parents=True, exist_ok=True)
        os.replace(output, self.layout.executed_copy(stem))
        os.replace(staged_results, self.layout.results_file(stem))
        entry.executed_sha256 = file_hash(self.layout.executed_copy(stem))
        entry.claims = values.get(CLAIMS_KEY)

    def interrupt(self, running: dict[str, _Job], queued: list[Notebook], signum: int):
        """Stop every worker and kernel, record the stopped runs, raise Interrupted."""
        stop_process_trees([job.proc.pid for job in running.values()])
        for job in running.values():
            job.proc.wait()
            for p in self.paths(job.nb.stem).values():
                p.unlink(missing_ok=True)
            entry = self.record.notebooks[job.nb.stem]
            if entry.attempt is not None:
                entry.attempt.status, entry.attempt.finished = "interrupted", now()
            else:
                entry.status, entry.finished = "interrupted", now()
            self.outcome[job.nb.stem] = "interrupted"
        self.record.save(self.layout)
        name = signal.Signals(signum).name
        stopped = ", ".join(j.nb.name for j in running.values()) or "nothing running"
        raise Interrupted(
            signum,
            f"interrupted by {name}: stopped {stopped}"
            f"{f', {len(queued)} not started' if queued else ''}; "
            "_build/ keeps the last complete results",
        )

    def loop(self, queue: list[Notebook]) -> None:
        running: dict[str, _Job] = {}
        last_beat = time.perf_counter()
        with SignalGuard() as guard:
            while queue or running:
                if guard.signum:
                    self.interrupt(running, queue, guard.signum)
                while queue and len(running) < self.jobs:
                    nb = queue.pop(0)
                    running[nb.stem] = self.start(nb)
                for stem in [s for s, j in running.items() if j.proc.poll() is not None]:
                    self.finish(running.pop(stem))
                if time.perf_counter() - last_beat >= HEARTBEAT and running:
                    last_beat = time.perf_counter()
                    busy = ", ".join(
                        f"{j.nb.source.name} ({last_beat - j.started:.0f} s)"
                        for j in running.values()
                    )
                    print(f"{self.stamp()} running {busy}", flush=True)
                time.sleep(POLL)
            if guard.signum:  # arrived after the last notebook finished: nothing to stop
                self.interrupt({}, [], guard.signum)


def report_failure(layout: Layout, nb: Notebook, e: RunError, entry: NotebookRun) -> None:
    """Print the notebook, the failing cell's source and the traceback."""
    bar = "=" * 78
    print(f"\n{bar}\nFAILED: {nb.name}, {e.where}: {e.ename}: {e.evalue}")
    if e.source:
        print(f"--- source of the failing cell ---\n{e.source.rstrip()}")
    print(f"--- traceback ---\n{(e.traceback or '').rstrip()}")
    if entry.attempt is not None:
        kept = layout.rel(layout.build / "failed" / f"{nb.stem}.ipynb")
        print(f"--- the failed run is in {kept}; the last good executed copy is kept")
    elif entry.has_copy:
        print(
            f"--- executed copy, with outputs up to the error: "
            f"{layout.rel(layout.executed_copy(nb.stem))}"
        )
    print(bar, flush=True)


def summary_rows(record: RunRecord, notebooks: list[Notebook]) -> list[list]:
    rows = []
    for nb in notebooks:
        e = record.get(nb.stem)
        if e is None:
            rows.append([f"{nb.stem}.ipynb", "—", "not run", "—", "—"])
            continue
        held, total, _ = claims_summary(e.claims)
        seconds = e.attempt.seconds if e.attempt and e.attempt.seconds else e.seconds
        params = e.attempt.parameters if e.attempt else e.parameters
        rows.append(
            [
                f"{nb.stem}.ipynb",
                f"{seconds:.1f}" if seconds else "—",
                e.settled,
                fmt_params(params),
                f"{held}/{total}" if total else "—",
            ]
        )
    return rows


def execute(
    layout: Layout,
    notebooks: list[Notebook],
    parameters: dict | None = None,
    *,
    jobs: int = DEFAULT_JOBS,
    timeout: float | None = None,
    progress_bar: bool = False,
    prune: bool = False,
) -> dict[str, str]:
    """Execute ``notebooks`` with papermill, ``jobs`` at a time; return stem -> final status.

    The caller holds the build lock (:class:`lnetbook.lock.BuildLock`). Parameters are
    checked against each notebook's ``parameters`` cell before anything runs. Raises
    :class:`~lnetbook.errors.Interrupted` on Ctrl-C or SIGTERM, after cleaning up.
    ``prune`` (a full build) drops the record of notebooks no longer in the toc.
    """
    parameters = dict(parameters or {})
    preflight(notebooks)
    check_parameters(notebooks, parameters)
    jobs = max(1, min(jobs, len(notebooks)))
    prepare_environment(layout, jobs)
    layout.scratch.mkdir(parents=True, exist_ok=True)
    run = Execution(layout, parameters, jobs, timeout, progress_bar, RunRecord.load(layout))
    if prune:  # a full build: forget notebooks that left the toc
        keep = {nb.stem for nb in notebooks}
        run.record.notebooks = {s: e for s, e in run.record.notebooks.items() if s in keep}
    dead = run.record.settle_dead_attempts()
    if dead:
        print(f"note: an earlier run of {', '.join(dead)} was killed; recorded as interrupted")
    run.record.versions = versions()
    run.record.commit = git_commit(layout.root)
    queue = schedule(notebooks, expected_seconds(layout, run.record))
    print(
        f"executing {len(notebooks)} notebook(s) with papermill, {jobs} at a time"
        + ("" if run.strict else f" ({fmt_params(parameters)}; claims not enforced)"),
        flush=True,
    )
    order = [nb.stem for nb in queue]
    run.loop(queue)
    total = time.perf_counter() - run.t0
    run.record.last_execution = {
        "wall_seconds": round(total, 2),
        "jobs": jobs,
        "order": order,
        "finished": now(),
        "longest_seconds": max((run.record.get(s).seconds or 0.0 for s in order), default=0.0),
    }
    run.record.save(run.layout)
    rows = summary_rows(run.record, notebooks)
    print(
        "\n"
        + format_table(["notebook", "seconds", "status", "parameters", "claims"], rows, "lrlll")
    )
    print(f"wall time {total:.1f} s for {len(notebooks)} notebook(s), {jobs} at a time", flush=True)
    return run.outcome
