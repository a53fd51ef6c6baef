"""``python -m lnetbook.worker SPEC``: execute one notebook with papermill (a child of execute).

The parent (:mod:`lnetbook.execute`) starts one worker per notebook in a session of its
own, so a Ctrl-C at the terminal reaches only the parent, which then stops each worker
and its kernel itself. The worker writes the executed notebook to a scratch path given in
the spec and a small JSON result next to it; the parent alone moves files into place.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

from .record import RunError
from .results import write_json_atomic

KERNEL_NAME = "python3"
#: papermill logs a warning for each line of a parameters cell it cannot type (comments,
#: multi-line values): noise to a reader, and not a problem of the notebook.
NOISE = ("Unable to parse line",)


class _NoiseFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not any(n in record.getMessage() for n in NOISE)


def quiet_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_NoiseFilter())
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)


def kernel_config() -> dict:
    """Encrypt the kernel's local TCP channels where jupyter_client and libzmq can.

    Without it ipykernel warns on every start that it runs over TCP without
    encryption, two lines of noise per notebook in the logs.
    """
    try:
        import zmq
        from jupyter_client.manager import KernelManager
        from traitlets.config import Config
    except ImportError:
        return {}
    if "transport_encryption" not in KernelManager.class_trait_names() or not zmq.has("curve"):
        return {}
    return {"config": Config({"KernelManager": {"transport_encryption": "auto"}})}


#: papermill's notebook metadata that names paths of the machine that ran it.
LOCAL_PATH_KEYS = ("input_path", "output_path")


def strip_local_paths(path: Path) -> None:
    """Drop papermill's ``input_path``/``output_path`` from an executed notebook (downloads)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    meta = nb.get("metadata", {}).get("papermill", {})
    if any(k in meta for k in LOCAL_PATH_KEYS):
        for key in LOCAL_PATH_KEYS:
            meta.pop(key, None)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def run(spec: dict) -> dict:
    """Execute ``spec['source']`` into ``spec['output']``; return seconds and the error, if any."""
    import papermill as pm

    started = time.perf_counter()
    error = None
    try:
        pm.execute_notebook(
            spec["source"],
            spec["output"],
            parameters=spec["parameters"],
            kernel_name=KERNEL_NAME,
            cwd=spec["cwd"],
            progress_bar=spec["progress_bar"],
            log_output=False,
            execution_timeout=spec["timeout"],
            **kernel_config(),
        )
    except Exception as exc:
        error = RunError.from_exception(exc)
    output = Path(spec["output"])
    if output.is_file():
        try:
            strip_local_paths(output)
        except (OSError, ValueError) as exc:
            error = error or RunError.from_exception(exc)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "error": asdict(error) if error else None,
    }


def main(argv: list[str]) -> int:
    quiet_logging()
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    write_json_atomic(Path(spec["result"]), run(spec))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    sys.exit(main(sys.argv[1:]))
