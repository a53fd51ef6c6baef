#!/usr/bin/env python3
"""Set up and run the lnet book with nothing but Python >= 3.11 and pip.

    python3 dev.py book      # build the whole book: execute every notebook, HTML, check
    python3 dev.py run book/scalar.ipynb -p y 2.0   # rerun notebooks with other parameters
    python3 dev.py html      # rebuild the HTML from what ran (--student: without solutions)
    python3 dev.py check     # compare the last build's numbers with book/expected.yml
    python3 dev.py list      # list the book's notebooks
    python3 dev.py test      # run the test suite (extra arguments go to pytest)
    python3 dev.py browser   # open every built page in headless Chromium and check it
    python3 dev.py setup     # only create, update or repair .venv
    python3 dev.py lock      # regenerate requirements/lock.txt and environment.yml

book, run, html, check and list are `.venv/bin/python -m lnetbook COMMAND ...` (book is
`build`); every argument after the command is passed on unchanged.

Each command first creates (or reuses) the virtual environment .venv next to this file
and installs lnet and the book's runner into it with the exact versions of
requirements/lock.txt: ``pip install -c requirements/lock.txt -e .[test] -e ./runner``.
``python3 dev.py --newest COMMAND`` (or LNET_NEWEST=1) installs the newest versions that
pyproject.toml and runner/pyproject.toml allow instead. The install is skipped while
both pyproject.toml files, the lock and the choice lock/newest are unchanged; before each
command dev.py checks .venv and repairs it, saying what it did: a venv whose Python was
upgraded or removed is recreated, missing or wrongly versioned packages are reinstalled.
Only the standard library is used here, so this runs on a fresh machine.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements" / "lock.txt"
ENVIRONMENT = ROOT / "environment.yml"
PYPROJECTS = (ROOT / "pyproject.toml", ROOT / "runner" / "pyproject.toml")

RUNNER_MODULE = "lnetbook"
RUNNER_COMMANDS = {"book": "build", "run": "run", "html": "html", "check": "check", "list": "list"}
COMMANDS = (*RUNNER_COMMANDS, "test", "browser", "setup", "lock")
# What `pip install` puts into .venv: lnet with its test extra, and the runner.
INSTALL_TARGETS = ["-e", ".[test]", "-e", "./runner"]
EDITABLE = {"lnet": ["-e", ".[test]"], "lnetbook": ["-e", "./runner"]}
# Modules whose files must be importable (their metadata alone is not enough).
KEY_MODULES = (
    "lnet",
    "lnetbook",
    "numpy",
    "scipy",
    "matplotlib",
    "papermill",
    "jupyter_book",
    "nbformat",
    "ipykernel",
    "yaml",
    "pytest",
)

USAGE = __doc__.split("\n\n")[1]


def say(msg: str) -> None:
    print(f"dev.py: {msg}", flush=True)


def run(cmd: list, **kw) -> int:
    say("$ " + " ".join(str(c) for c in cmd))
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kw)


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def venv_python(env_dir: Path) -> Path:
    return env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


PYTHON = venv_python(VENV)
STAMP = VENV / ".lnet-installed"


# ---------------------------------------------------------------------------------------
# The lock file


def normalize(name: str) -> str:
    """PEP 503 normalized name: ``Jinja2`` -> ``jinja2``, ``sphinx_design`` -> ``sphinx-design``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path = LOCK) -> dict[str, str]:
    """``{normalized name: version}`` of a lock file (``name==version`` lines)."""
    pins: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        if not m:
            raise ValueError(f"{rel(path)}:{number}: not a name==version line: {raw!r}")
        pins[normalize(m.group(1))] = m.group(2)
    return pins


def lock_python(path: Path = LOCK) -> str | None:
    """The Python version (``3.11``) a lock was generated with, from its header."""
    m = re.search(r"^# Python (\d+\.\d+)\.", path.read_text(encoding="utf-8"), re.MULTILINE)
    return m.group(1) if m else None


def newest_requested(flags: list[str]) -> bool:
    return "--newest" in flags or os.environ.get("LNET_NEWEST", "") not in ("", "0")


def install_mode(newest: bool) -> str:
    """``"lock"`` (the default) or ``"newest"``; without a lock file, newest."""
    if newest:
        return "newest"
    if not LOCK.is_file():
        say(
            f"no {rel(LOCK)}: installing the newest allowed versions "
            "(python3 dev.py lock writes one)"
        )
        return "newest"
    return "lock"


def stamp_value(mode: str) -> str:
    """What the install depends on: both pyproject files, the lock (when used), the mode."""
    digest = hashlib.sha256(mode.encode())
    for path in PYPROJECTS:
        digest.update(path.read_bytes())
    if mode == "lock":
        digest.update(LOCK.read_bytes())
    return digest.hexdigest()


def pip_base(python: Path) -> list:
    quiet = ["--quiet"] if os.environ.get("CI") else []
    return [python, "-m", "pip", "install", "--disable-pip-version-check", *quiet]


def pip_install(python: Path, mode: str) -> list:
    """The pip command that installs lnet[test] and the runner, from the lock or newest."""
    cmd = pip_base(python)
    if mode == "lock":
        return [*cmd, "-c", rel(LOCK), *INSTALL_TARGETS]
    return [*cmd, "--upgrade", "--upgrade-strategy", "eager", *INSTALL_TARGETS]


# ---------------------------------------------------------------------------------------
# The state of .venv: a probe run by its own interpreter

# Run by .venv's python with -I (so that the source tree itself is not importable from
# the working directory). Prints one JSON object: the interpreter's version, every
# installed distribution, the requirements of lnet[test] and lnetbook (recursively) that
# are missing or violated, and the key modules that cannot be found.
PROBE = r"""
import json, re, sys
from importlib import metadata, util

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

out = {"python": "{}.{}".format(*sys.version_info[:2]), "installed": {}, "required": [],
       "missing": [], "conflicts": [], "unimportable": []}
dists = {}
for d in metadata.distributions():
    name = d.metadata["Name"]
    if name and norm(name) not in dists:
        dists[norm(name)] = d
        out["installed"][norm(name)] = d.version
try:
    from packaging.requirements import Requirement
except ImportError:
    Requirement = None
    out["missing"].append(["packaging", "dev.py's check"])
todo, seen = [("lnet", ("test",), "dev.py"), ("lnetbook", (), "dev.py")], set()
while todo and Requirement is not None:
    name, extras, wanted_by = todo.pop()
    if (name, extras) in seen:
        continue
    seen.add((name, extras))
    out["required"].append(name)
    dist = dists.get(name)
    if dist is None:
        out["missing"].append([name, wanted_by])
        continue
    for line in dist.requires or []:
        req = Requirement(line)
        if req.marker is not None and not any(
            req.marker.evaluate({"extra": e}) for e in ("",) + extras
        ):
            continue
        key = norm(req.name)
        dep = dists.get(key)
        if dep is not None and not req.specifier.contains(dep.version, prereleases=True):
            out["conflicts"].append([key, dep.version, str(req.specifier), name])
        todo.append((key, tuple(sorted(req.extras)), name))
owners = metadata.packages_distributions()
for module in MODULES:
    try:
        found = util.find_spec(module) is not None
    except Exception:
        found = False
    if not found:
        out["unimportable"].append([module, sorted(set(owners.get(module, [])))])
print(json.dumps(out))
"""


def probe(python: Path = PYTHON) -> dict | None:
    """What .venv's interpreter reports about itself, or None when it does not run."""
    script = PROBE.replace("MODULES", repr(KEY_MODULES))
    try:
        done = subprocess.run(
            [str(python), "-I", "-c", script],
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        return None


def venv_home() -> tuple[str | None, str | None]:
    """``home`` and ``version`` (major.minor) from .venv/pyvenv.cfg."""
    home = version = None
    cfg = VENV / "pyvenv.cfg"
    if cfg.is_file():
        for line in cfg.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition("=")
            key, value = key.strip().lower(), value.strip()
            if key == "home":
                home = value
            elif key in ("version", "version_info") and version is None:
                version = ".".join(value.split(".")[:2])
    return home, version


def interpreter_problem(report: dict | None) -> str | None:
    """Why .venv's interpreter cannot be used (None when it can, or there is no .venv)."""
    if not VENV.exists():
        return None
    if PYTHON.is_symlink() and not PYTHON.exists():
        return (
            f"{rel(PYTHON)} points to {os.path.realpath(PYTHON)}, which no longer exists "
            "(the Python it was made from was upgraded or removed)"
        )
    if not PYTHON.exists():
        return f"{rel(VENV)}/ has no {rel(PYTHON)} (an incomplete or damaged environment)"
    home, made_with = venv_home()
    if home and not Path(home).is_dir():
        return f"the Python {rel(VENV)}/ was made from ({home}) no longer exists"
    if report is None:
        return f"{rel(PYTHON)} does not run (the Python it was made from changed or was removed)"
    if made_with and report["python"] != made_with:
        return (
            f"{rel(PYTHON)} is now Python {report['python']}, but {rel(VENV)}/ was made for "
            f"Python {made_with} (the Python it was made from was upgraded)"
        )
    return None


def package_problems(report: dict, mode: str) -> tuple[list[str], list[str]]:
    """(problems in words, what to force-reinstall) found in a probe report.

    Only what lnet[test] and lnetbook need counts: a package installed by hand beside
    them, or a lock entry for another platform, is no problem.
    """
    problems, force = [], []
    for name, wanted_by in report["missing"]:
        problems.append(f"{name} is missing (required by {wanted_by})")
    for name, have, spec, wanted_by in report["conflicts"]:
        problems.append(f"{name} {have} is installed but {wanted_by} requires {name}{spec}")
    installed = report["installed"]
    if mode == "lock":
        required = set(report["required"])
        for name, pinned in sorted(read_lock().items()):
            if name in required and name in installed and installed[name] != pinned:
                problems.append(f"{name} {installed[name]} is installed but the lock says {pinned}")
    for module, owners in report["unimportable"]:
        problems.append(f"the module {module} cannot be imported")
        if module in EDITABLE:  # the source is there, the import hook in .venv is not
            force += EDITABLE[module]
        else:
            force += [d for d in map(normalize, owners) if d not in force]
    return problems, force


# ---------------------------------------------------------------------------------------
# Creating, installing, repairing


def create_venv(env_dir: Path, clear: bool = False) -> None:
    try:
        venv.EnvBuilder(with_pip=True, clear=clear, symlinks=os.name != "nt").create(env_dir)
    except (OSError, subprocess.CalledProcessError) as exc:
        hint = ""
        try:
            import ensurepip  # noqa: F401
        except ImportError:
            hint = (
                " This Python has no ensurepip: on Debian/Ubuntu install the python3-venv "
                "package first (apt-get install python3-venv)."
            )
        sys.exit(f"dev.py: could not create {env_dir} ({exc}).{hint}")


def install(mode: str) -> None:
    what = "the locked versions" if mode == "lock" else "the newest allowed versions"
    say(f"installing lnet, the book runner and their dependencies into .venv ({what})")
    code = run(pip_install(PYTHON, mode))
    if code:
        sys.exit(f"dev.py: pip install failed (exit code {code})")


def ensure_venv(mode: str) -> None:
    """Create .venv if needed, recreate it if its Python is gone, install, repair."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py must say so on an older Python
        sys.exit(
            f"dev.py: Python >= 3.11 is needed; this is {sys.version.split()[0]} ({sys.executable})"
        )
    report = probe() if PYTHON.exists() else None
    why = interpreter_problem(report)
    if why:
        say(
            f"{why}: recreating {rel(VENV)}/ with {sys.executable} "
            f"(Python {platform.python_version()})"
        )
        create_venv(VENV, clear=True)
        STAMP.unlink(missing_ok=True)  # a new venv has nothing installed
        report = None
    elif not PYTHON.exists():
        say(f"creating the virtual environment {rel(VENV)}/")
        create_venv(VENV)
    want = stamp_value(mode)
    if not (STAMP.exists() and STAMP.read_text().strip() == want):
        STAMP.unlink(missing_ok=True)
        install(mode)
        report = None
    report = report or probe()
    if report is None:
        sys.exit(f"dev.py: {rel(PYTHON)} does not run; delete {rel(VENV)}/ and try again")
    problems, force = package_problems(report, mode)
    if problems:
        say("repairing .venv: " + "; ".join(problems))
        if force:
            pins = ["-c", rel(LOCK)] if mode == "lock" else []
            code = run([*pip_base(PYTHON), "--force-reinstall", "--no-deps", *pins, *force])
            if code:
                sys.exit(f"dev.py: reinstalling {', '.join(force)} failed (exit code {code})")
        install(mode)
        report = probe()
        left, _ = package_problems(report, mode) if report else (["python does not run"], [])
        if left:
            sys.exit(
                "dev.py: .venv is still broken after reinstalling: "
                + "; ".join(left)
                + f". Delete {rel(VENV)}/ and run dev.py again."
            )
        say("repaired .venv: " + "; ".join(problems) + " (reinstalled)")
    STAMP.write_text(want + "\n")


# ---------------------------------------------------------------------------------------
# python3 dev.py lock


def direct_requirements() -> list[str]:
    """The normalized names that pyproject.toml ([project] + [test]) and the runner require."""
    import tomllib

    names: list[str] = []
    top = tomllib.loads(PYPROJECTS[0].read_text())["project"]
    runner = tomllib.loads(PYPROJECTS[1].read_text())["project"]
    for req in [
        *top["dependencies"],
        *top["optional-dependencies"]["test"],
        *runner["dependencies"],
    ]:
        name = normalize(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req).group(1))
        if name not in names and name not in ("lnet", "lnetbook"):
            names.append(name)
    return names


LOCK_HEADER = """\
# The exact version of every package the lnet book and its tests use: lnet with its
# [test] extra and the book's runner (lnetbook), with all their dependencies.
# Generated by `python3 dev.py lock`; do not edit by hand. That command creates a fresh
# virtual environment, runs `pip install -e .[test] -e ./runner` (the newest versions
# that pyproject.toml and runner/pyproject.toml allow) and writes
# `pip freeze --exclude-editable` here. dev.py installs from it with
# `pip install -c requirements/lock.txt -e .[test] -e ./runner`; environment.yml pins the
# same versions (tests/test_publish.py checks that they agree).
# Python {python} ({implementation}) on {system} {machine}, pip {pip}, {date}
"""

ENVIRONMENT_TEMPLATE = """\
# Conda (or Binder) alternative to `python3 dev.py ...` (see README.md):
#   conda env create -f environment.yml && conda activate lnet-book
#   python -m lnetbook build        # or: pytest
# Generated by `python3 dev.py lock` from requirements/lock.txt; do not edit by hand.
# Conda provides Python and pip only; pip installs every package at the version of the
# lock (the pins below are the direct dependencies, `-c` pins all the others), so a conda
# environment runs exactly what `python3 dev.py` and CI run.
name: lnet-book
channels:
  - conda-forge
dependencies:
  - python={python}
  - pip
  - pip:
      - -c requirements/lock.txt
{pins}
      # lnet (with its test tools) and the book's runner, editable
      - -e .[test]
      - -e ./runner
"""


def write_environment(pins: dict[str, str], python: str) -> None:
    missing = [n for n in direct_requirements() if n not in pins]
    if missing:
        sys.exit(f"dev.py: the lock has no version of {', '.join(missing)}")
    lines = "\n".join(f"      - {n}=={pins[n]}" for n in direct_requirements())
    ENVIRONMENT.write_text(ENVIRONMENT_TEMPLATE.format(python=python, pins=lines), encoding="utf-8")


def make_lock() -> int:
    """Resolve the newest allowed versions in a fresh venv; write the lock and environment.yml."""
    with tempfile.TemporaryDirectory(prefix="lnet-lock-") as tmp:
        env_dir = Path(tmp) / "venv"
        say(f"creating a fresh virtual environment in {env_dir}")
        create_venv(env_dir)
        python = venv_python(env_dir)
        if run(pip_install(python, "newest")):
            sys.exit("dev.py: pip install failed; the lock was not changed")
        freeze = subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "freeze",
                "--exclude-editable",
                "--disable-pip-version-check",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        pip_version = subprocess.run(
            [str(python), "-c", "import pip; print(pip.__version__)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    lines = sorted(
        (ln.strip() for ln in freeze.splitlines() if ln.strip() and not ln.startswith("#")),
        key=lambda ln: normalize(ln.split("==")[0]),
    )
    odd = [ln for ln in lines if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*==\S+", ln)]
    if odd:
        sys.exit(f"dev.py: pip freeze gave lines that are not name==version: {odd}")
    header = LOCK_HEADER.format(
        python=platform.python_version(),
        implementation=platform.python_implementation(),
        system=platform.system(),
        machine=platform.machine(),
        pip=pip_version,
        date=datetime.date.today().isoformat(),
    )
    LOCK.parent.mkdir(exist_ok=True)
    old = read_lock() if LOCK.is_file() else {}
    LOCK.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    new = read_lock()
    write_environment(new, "{}.{}".format(*sys.version_info[:2]))
    changed = sorted(n for n in new.keys() | old.keys() if old.get(n) != new.get(n))
    say(f"wrote {rel(LOCK)} ({len(new)} packages) and {rel(ENVIRONMENT)}")
    for name in changed:
        say(f"  {name}: {old.get(name, '-')} -> {new.get(name, '-')}")
    return 0


# ---------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    if argv[:1] in (["-h"], ["--help"], ["help"]):
        print(__doc__)
        return 0
    flags = []
    while argv and argv[0].startswith("--"):
        flags.append(argv.pop(0))
    unknown = [f for f in flags if f != "--newest"]
    if unknown or not argv or argv[0] not in COMMANDS:
        print(USAGE)
        if unknown:
            print(
                f"\ndev.py: unknown option {' '.join(unknown)} (only --newest, before the command)"
            )
        return 2
    command, rest = argv[0], argv[1:]
    if command == "lock":
        return make_lock()
    ensure_venv(install_mode(newest_requested(flags)))
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if command == "setup":
        say(f"{rel(VENV)}/ is ready")
        return 0
    if command == "test":
        return run([PYTHON, "-m", "pytest", *rest], env=env)
    if command == "browser":  # standard library only; needs Debian's chromium
        return run([PYTHON, ROOT / ".ci" / "browser_check.py", *rest], env=env)
    return run([PYTHON, "-m", RUNNER_MODULE, RUNNER_COMMANDS[command], *rest], env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
