"""The package's shape, checked by parsing it: layering, function length, __all__, docstrings, style."""

import ast
import importlib
import importlib.metadata
import inspect
import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import lnet

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lnet"
# Files of lnet owned elsewhere (the runner moves out of lnet; the figures have their own owner).
NOT_LIBRARY = {"book.py", "_sphinxext.py", "plotting.py"}

# problem -> initializations -> dynamics -> bounds/width/implicit_bias -> experiments -> figures:
# a module may import from its own layer or a lower one, never from a higher one.
LAYERS = {
    "lnet._checks": 0,
    "lnet._deprecation": 0,
    "lnet.problem": 1,
    "lnet.networks": 2,
    "lnet.initializations": 3,
    "lnet.dynamics": 4,
    "lnet.closed_forms": 4,
    "lnet.scalar": 4,
    "lnet.bounds": 5,
    "lnet.width": 5,
    "lnet.implicit_bias": 5,
    "lnet.step_size": 5,
    "lnet.experiments": 6,
    "lnet.figures": 7,
    "lnet.plotting": 7,
}
MAX_FUNCTION_LINES = 60


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _library_files():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name in NOT_LIBRARY or "figures" in path.parts:
            continue
        yield path


def _layer(module: str) -> int | None:
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return LAYERS[prefix]
    return None


def _imports(path: Path, tree: ast.Module):
    """Absolute names of the lnet modules that ``path`` imports."""
    package = (
        _module_name(path) if path.name == "__init__.py" else _module_name(path).rsplit(".", 1)[0]
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("lnet"):
                yield node.lineno, target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("lnet"):
                    yield node.lineno, alias.name


@pytest.mark.parametrize("path", list(_library_files()), ids=lambda p: p.name)
def test_no_import_goes_back_up_the_layers(path):
    module = _module_name(path)
    if module == "lnet":
        return  # the package's front door re-exports every layer
    own = _layer(module)
    assert own is not None, f"{module} has no layer in tests/test_structure.py::LAYERS"
    tree = ast.parse(path.read_text())
    bad = [
        f"line {line}: {target}"
        for line, target in _imports(path, tree)
        if (_layer(target) or 0) > own
    ]
    assert not bad, f"{module} (layer {own}) imports from a higher layer: {bad}"


def _code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef, source: list[str]) -> int:
    body = node.body
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        body = body[1:] if isinstance(first.value.value, str) else body  # the docstring
    if not body:
        return 0
    lines = source[body[0].lineno - 1 : node.end_lineno]
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


@pytest.mark.parametrize("path", list(_library_files()), ids=lambda p: p.name)
def test_no_function_is_longer_than_60_lines_of_code(path):
    text = path.read_text()
    source = text.splitlines()
    long = [
        f"{node.name} ({n} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (n := _code_lines(node, source)) > MAX_FUNCTION_LINES
    ]
    assert not long, f"{path.name}: functions longer than {MAX_FUNCTION_LINES} lines: {long}"


def _public_modules():
    for path in _library_files():
        name = _module_name(path)
        if not any(part.startswith("_") for part in name.split(".")):
            yield name


@pytest.mark.parametrize("name", list(_public_modules()))
def test_every_public_module_declares_all_and_it_resolves(name):
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    missing = [n for n in module.__all__ if n not in vars(module)]
    assert not missing, f"{name}.__all__ names what the module does not define: {missing}"


def _public_functions():
    for name in _public_modules():
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            obj = vars(module).get(attr)
            if inspect.isfunction(obj) and obj.__module__ == name:
                yield f"{name}.{attr}", obj


@pytest.mark.parametrize(
    ("name", "func"), list(_public_functions()), ids=lambda x: x if isinstance(x, str) else ""
)
def test_every_public_function_has_numpydoc_parameters_and_returns(name, func):
    doc = inspect.getdoc(func) or ""
    lines = [line.strip() for line in doc.splitlines()]

    def has(section):
        return any(a == section and b.startswith("---") for a, b in itertools.pairwise(lines))

    assert has("Parameters"), f"{name}: no numpydoc Parameters section"
    assert has("Returns") or has("Yields"), f"{name}: no numpydoc Returns (or Yields) section"


def test_one_version_source():
    assert lnet.__version__ == "1.0.0"
    assert importlib.metadata.version("lnet") == lnet.__version__


def _ruff():
    if shutil.which("ruff") is None and importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (pip install ruff)")
    return [sys.executable, "-m", "ruff"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff_passes(command):
    out = subprocess.run(
        [*_ruff(), *command, "lnet", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
