"""A notebook's ``parameters`` cell and the ``-p NAME VALUE`` overrides checked against it.

papermill injects overrides after the cell tagged ``parameters``; it accepts any name and
any text. The runner checks first, before anything executes: every name must be an
identifier assigned in that cell, and a value must have the type of the cell's default
where the default is a plain literal.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from .errors import BookError
from .layout import Notebook

#: Default value stands for "a default that is not a plain literal" (no type check).
_UNKNOWN = object()


def parameters_cells(nb: dict) -> list[int]:
    """Indices of the cells tagged ``parameters``."""
    return [
        i
        for i, cell in enumerate(nb.get("cells", []))
        if "parameters" in cell.get("metadata", {}).get("tags", [])
    ]


def read_notebook(path: Path) -> dict:
    """A source notebook as JSON; a broken file is one :class:`BookError` line."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BookError(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BookError(f"{path}: not a readable notebook ({exc}); restore it with git") from None


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def preflight(notebooks: list[Notebook]) -> None:
    """Check each notebook has exactly one code cell tagged ``parameters`` before running any."""
    problems = []
    for nb in notebooks:
        data = read_notebook(nb.source)
        cells = parameters_cells(data)
        if len(cells) != 1:
            problems.append(
                f"{nb.source.name}: {len(cells)} cells tagged 'parameters' (need exactly 1)"
            )
        elif data["cells"][cells[0]].get("cell_type") != "code":
            problems.append(f"{nb.source.name}: the cell tagged 'parameters' is not a code cell")
    if problems:
        raise BookError("notebooks not ready for papermill:\n  " + "\n  ".join(problems))


def notebook_parameters(nb: dict) -> dict[str, object]:
    """The names the ``parameters`` cell assigns, with their literal defaults.

    A default that is not a plain literal (``np.pi``, ``2 ** 10``) is kept as an
    unknown value: the name is allowed, its type is not checked.
    """
    cells = parameters_cells(nb)
    if not cells:
        return {}
    try:
        tree = ast.parse(_source(nb["cells"][cells[0]]))
    except SyntaxError:
        return {}
    found: dict[str, object] = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        value = getattr(node, "value", None)
        for target in targets:
            if isinstance(target, ast.Name):
                try:
                    found[target.id] = ast.literal_eval(value) if value is not None else _UNKNOWN
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    found[target.id] = _UNKNOWN
    return found


def parse_parameter(value: str):
    """A ``-p name value`` value typed like papermill's CLI does: bool, None, int, float or text.

    A value that starts with ``[`` or ``{`` is read as YAML (what ``papermill -y`` does), so
    list parameters such as a notebook's widths can be changed too: ``-p widths "[30, 3000]"``.
    """
    if value.lstrip()[:1] in {"[", "{"}:
        import yaml

        try:
            return yaml.safe_load(value)
        except yaml.YAMLError as exc:
            first = " ".join(str(getattr(exc, "problem", exc) or exc).split())
            raise BookError(
                f"parameter value {value!r} looks like a YAML list or map but is not: {first}"
            ) from None
    if value in {"True", "true"}:
        return True
    if value in {"False", "false"}:
        return False
    if value in {"None", "null"}:
        return None
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def _kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean (True/False)"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list such as [1, 2]"
    if isinstance(value, dict):
        return "a mapping such as {a: 1}"
    return type(value).__name__


def _type_fits(default, value) -> bool:
    if default is _UNKNOWN or default is None or value is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    if isinstance(default, dict):
        return isinstance(value, dict)
    return True


def check_parameters(notebooks: list[Notebook], parameters: dict) -> None:
    """Refuse overrides a notebook does not declare, or of the wrong type, before running.

    Every problem of every notebook is listed in one :class:`BookError`, with the names
    the notebook allows.
    """
    problems = []
    for name in parameters:
        if not (isinstance(name, str) and name.isidentifier()):
            problems.append(f"-p {name!r}: a parameter name must be a Python identifier")
    for nb in notebooks:
        allowed = notebook_parameters(read_notebook(nb.source))
        names = ", ".join(allowed) or "none"
        for name, value in parameters.items():
            if not (isinstance(name, str) and name.isidentifier()):
                continue
            if name not in allowed:
                problems.append(f"{nb.name} has no parameter {name!r} (its parameters: {names})")
            elif not _type_fits(allowed[name], value):
                problems.append(
                    f"{nb.name}: {name} should be {_kind(allowed[name])} like its default "
                    f"{allowed[name]!r}; got {value!r}"
                )
    if problems:
        raise BookError("parameters refused, nothing was run:\n  " + "\n  ".join(problems))
