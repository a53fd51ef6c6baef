"""A first cell that lets a downloaded notebook run as downloaded.

A reader who downloads a chapter (the download button of each page offers the executed
``.ipynb``) and opens it in Colab or in a fresh Python has neither ``lnet`` nor the
book's helpers (``lnetbook.claims``). The runner puts :func:`ensure_lnet_cell` first in
every notebook it stages for the site (:func:`with_ensure_lnet_cell`); tagged
``remove-cell``, it never shows on the page, only in the download. When ``lnet`` is
installed (a clone with ``python3 dev.py``, CI, the build itself) it does nothing.

With ``repository: url`` set in ``_config.yml`` the cell installs, only when they are
missing, ``lnet`` (with numpy, scipy and matplotlib) and the runner's notebook helpers
from that repository: ``lnetbook`` without its build dependencies (jupyter-book,
papermill: a notebook needs none of them, and they would disturb Colab's own Jupyter)
plus ``myst-nb``, whose ``glue`` the chapters use. With the url empty (the repository's
default) there is nowhere to install from, and the cell says how to install from a clone.
"""

from __future__ import annotations

import re

__all__ = ["CELL_ID", "CELL_TAG", "ensure_lnet_cell", "with_ensure_lnet_cell"]

#: The id and tag of the cell, so that staging can recognise it and never add it twice.
CELL_ID = "lnetbook-ensure-lnet"
CELL_TAG = "lnetbook-ensure-lnet"

_URL = re.compile(r"https://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~-]+)+")
_BRANCH = re.compile(r"[A-Za-z0-9._/-]+")

_INSTALL = """\
# Runs as downloaded: in Colab or a fresh Python this installs lnet and the book's
# notebook helpers from {url} (branch {branch}); where they are installed it does nothing.
try:
    import lnet
    import lnetbook.claims
    import myst_nb
except ImportError:
    %pip install --quiet "lnet @ git+{url}.git@{branch}" myst-nb
    %pip install --quiet --no-deps "lnetbook @ git+{url}.git@{branch}#subdirectory=runner"
    import importlib
    importlib.invalidate_caches()
    import lnet
    import lnetbook.claims
"""

_EXPLAIN = """\
# This notebook needs lnet and the book's notebook helpers (lnetbook); where they are
# installed this cell does nothing.
try:
    import lnet
    import lnetbook.claims
except ImportError:
    raise ModuleNotFoundError(
        "This notebook needs lnet and the book's helpers (lnetbook). In a clone of the "
        "book's repository run `python3 dev.py setup` and open the notebook with the "
        "kernel of .venv, or install both into this Python from the clone's top folder "
        "with `pip install -e . -e ./runner`; then restart the kernel."
    ) from None
"""


def _clean_url(repo_url: str) -> str:
    url = (repo_url or "").strip().rstrip("/")
    url = url.removesuffix(".git")
    if url and not _URL.fullmatch(url):
        raise ValueError(
            f"repository url {repo_url!r} is not a plain https URL such as "
            "https://github.com/OWNER/REPO (it is pasted into the notebook's install command)"
        )
    return url


def ensure_lnet_cell(repo_url: str, branch: str = "main") -> dict:
    """An nbformat 4 code cell that installs ``lnet`` when it is missing.

    Parameters
    ----------
    repo_url : str
        ``repository: url`` of ``_config.yml`` (``https://github.com/OWNER/REPO``). Empty:
        the cell cannot install anything and says how to install from a clone.
    branch : str, optional
        ``repository: branch`` (default ``main``): what ``pip`` installs from.

    Returns
    -------
    dict
        A code cell without outputs, tagged ``remove-cell`` (hidden on the page, kept
        in the download) and ``lnetbook-ensure-lnet``.

    Raises
    ------
    ValueError
        When the url or the branch is not plain enough to paste into a command.
    """
    url = _clean_url(repo_url)
    branch = (branch or "main").strip()
    if not _BRANCH.fullmatch(branch) or branch.startswith("-"):
        raise ValueError(f"repository branch {branch!r} is not a plain branch name")
    source = _INSTALL.format(url=url, branch=branch) if url else _EXPLAIN
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": CELL_ID,
        "metadata": {"tags": ["remove-cell", CELL_TAG]},
        "outputs": [],
        "source": source,
    }


def with_ensure_lnet_cell(nb: dict, repo_url: str, branch: str = "main") -> dict:
    """``nb`` (an nbformat 4 dict) with :func:`ensure_lnet_cell` as its first cell.

    A cell added before (same id or tag) is replaced, never duplicated; ``nb`` itself is
    not changed.
    """
    cells = [
        c
        for c in nb.get("cells", [])
        if c.get("id") != CELL_ID and CELL_TAG not in c.get("metadata", {}).get("tags", [])
    ]
    cell = ensure_lnet_cell(repo_url, branch)
    if (nb.get("nbformat", 4), nb.get("nbformat_minor", 0)) < (4, 5):
        del cell["id"]  # cell ids came with nbformat 4.5
    return dict(nb, cells=[cell, *cells])
