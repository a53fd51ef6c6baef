"""Where a run's numbers came from: hashes of the sources, versions, the git commit.

Each notebook's run records the SHA-256 of its source (``book/<stem>.ipynb`` as
committed, without outputs) and of the installed ``lnet`` (every ``.py`` file of the
package, in path order). ``html`` and ``check`` compare them with the sources now, so
a page never shows numbers from an older version of its notebook without saying so.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import subprocess
from pathlib import Path

#: Distributions whose versions the run record keeps (name shown -> distribution).
VERSIONED = {
    "numpy": "numpy",
    "scipy": "scipy",
    "matplotlib": "matplotlib",
    "jupyter-book": "jupyter-book",
    "papermill": "papermill",
    "lnet": "lnet",
    "lnetbook": "lnetbook",
}


def file_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def package_hash(name: str = "lnet") -> str | None:
    """SHA-256 over the ``.py`` files of an installed package (paths and contents), or None."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def git_commit(root: Path) -> str:
    """``git rev-parse HEAD`` in ``root`` (with ``+dirty`` if tracked files changed), or "unknown"."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if head.returncode != 0:
            return "unknown"
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            check=False,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def blas_info() -> str:
    """The BLAS numpy uses: threadpoolctl's report if installed, else numpy's build config."""
    try:
        from threadpoolctl import threadpool_info

        libs = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if libs:
            return ", ".join(
                f"{i.get('internal_api', '?')} {i.get('version') or ''}".strip() for i in libs
            )
    except Exception:
        pass
    try:
        import numpy as np

        config = np.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:
        return "unknown"


def versions() -> dict[str, str]:
    """Python and the versions of the packages that make the book's numbers and pages."""
    import platform

    out = {"python": platform.python_version()}
    for label, dist in VERSIONED.items():
        try:
            out[label] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[label] = "not installed"
    out["blas"] = blas_info()
    return out


def staleness(record, notebooks) -> dict[str, list[str]]:
    """Notebooks whose executed copy no longer matches the sources: stem -> reasons.

    ``record`` is a :class:`lnetbook.record.RunRecord`. A changed notebook source is
    reported as ``"source changed"``, a changed ``lnet`` as ``"lnet changed"``.
    """
    lnet_now = package_hash("lnet")
    out: dict[str, list[str]] = {}
    for nb in notebooks:
        entry = record.get(nb.stem)
        if entry is None or not entry.has_copy:
            continue
        reasons = []
        if (
            entry.source_sha256
            and nb.source.is_file()
            and file_hash(nb.source) != entry.source_sha256
        ):
            reasons.append("source changed")
        if entry.lnet_sha256 and lnet_now and entry.lnet_sha256 != lnet_now:
            reasons.append("lnet changed")
        if reasons:
            out[nb.stem] = reasons
    return out
