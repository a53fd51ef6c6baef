"""Where things are: the repository's paths, its table of contents, and strict YAML reading.

A :class:`Layout` names every path the runner reads or writes (all output under
``_build/``, never in ``book/``); :func:`toc_notebooks` lists the book's notebooks in the
order of ``_toc.yml`` after checking that the toc and ``book/`` agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .errors import BookError

BOOK_DIR = "book"
EXPECTED_FILE = "book/expected.yml"
STATUS_DOC = "book/status"
REPRODUCTION_DOC = "book/reproduction"
#: Pages that exist only in the staged source tree, written from the run's records.
GENERATED_DOCS = (STATUS_DOC, REPRODUCTION_DOC)
#: The command users type (also printed in every "what to run" hint).
COMMAND = "python3 dev.py"  # the one command form the book and the README teach


@dataclass(frozen=True)
class Layout:
    """The paths of one repository checkout (``root`` holds ``_config.yml``)."""

    root: Path

    @property
    def book(self) -> Path:
        return self.root / BOOK_DIR

    @property
    def build(self) -> Path:
        return self.root / "_build"

    @property
    def executed(self) -> Path:
        return self.build / "executed"

    @property
    def results(self) -> Path:
        return self.build / "results"

    @property
    def src(self) -> Path:
        return self.build / "src"

    @property
    def html(self) -> Path:
        return self.build / "html"

    @property
    def src_student(self) -> Path:
        return self.build / "src-student"

    @property
    def html_student(self) -> Path:
        return self.build / "html-student"

    @property
    def run_record(self) -> Path:
        return self.executed / "run.json"

    @property
    def scratch(self) -> Path:
        """Where notebooks execute before their copy is moved into place."""
        return self.build / "tmp"

    @property
    def lock(self) -> Path:
        return self.build / "lock"

    @property
    def expected(self) -> Path:
        return self.root / EXPECTED_FILE

    @property
    def timing_hints(self) -> Path:
        """Seconds per notebook, committed, to order a build that has no run record yet."""
        return self.root / "runner" / "timings.json"

    def executed_copy(self, stem: str) -> Path:
        return self.executed / f"{stem}.ipynb"

    def results_file(self, stem: str) -> Path:
        return self.results / f"{stem}.json"

    def rel(self, path: Path) -> str:
        try:
            return str(Path(path).relative_to(self.root))
        except ValueError:
            return str(path)


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: cwd) holding ``_config.yml`` and ``_toc.yml``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (folder / "_toc.yml").is_file():
            return folder
    raise BookError(
        f"no _config.yml and _toc.yml in {here} or above: run this from the repository's top folder"
    )


# --------------------------------------------------------------------------------------
# Reading files: one line naming the file when it is broken
# --------------------------------------------------------------------------------------


def _strict_loader():
    import yaml  # lazily: the runner's dependency, imported only when a YAML file is read

    class StrictLoader(yaml.SafeLoader):
        """SafeLoader that rejects a key given twice in one mapping (YAML says last wins)."""

    def construct_mapping(loader, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {seen[key]})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return StrictLoader


def shown(path: Path) -> str:
    """``path`` relative to the working folder (the repository's top) when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_yaml(path: Path, *, fix: str = "fix the file"):
    """Read a YAML file; a syntax error or a duplicate key is one :class:`BookError` line.

    The message reads ``path:line: problem (fix)``.
    """
    import yaml

    name = shown(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BookError(f"{name}: missing ({fix})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BookError(f"{name}: cannot be read: {exc} ({fix})") from None
    try:
        return yaml.load(text, Loader=_strict_loader())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise BookError(f"{name}{line}: {problem} ({fix})") from None
    except yaml.YAMLError as exc:
        raise BookError(f"{name}: invalid YAML: {' '.join(str(exc).split())} ({fix})") from None


def load_json(path: Path, *, fix: str, what: str = "file"):
    """Read a JSON build file; missing or corrupt is one :class:`BookError` line saying ``fix``."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BookError(f"{shown(path)}: {what} missing; {fix}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = getattr(exc, "msg", None) or type(exc).__name__
        raise BookError(f"{shown(path)}: {what} is corrupt ({reason}); {fix}") from None


# --------------------------------------------------------------------------------------
# Table of contents
# --------------------------------------------------------------------------------------


def toc_docnames(toc: dict) -> list[str]:
    """Every document the toc names, in reading order, without file suffix.

    Understands the jb-book and jb-article formats (``root``, ``parts``, ``chapters``,
    ``sections``, ``entries``); ``url`` and ``glob`` entries name no single file.
    """
    if not isinstance(toc, dict) or "root" not in toc:
        raise BookError("_toc.yml must be a mapping with a 'root' entry")
    names: list[str] = []

    def strip(file: str) -> str:
        p = Path(str(file))
        return str(p.with_suffix("")) if p.suffix in {".md", ".ipynb", ".rst"} else str(p)

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if "file" in node:
                names.append(strip(node["file"]))
            for key in ("parts", "chapters", "sections", "entries", "subtrees"):
                if key in node:
                    walk(node[key])

    names.append(strip(toc["root"]))
    walk({k: v for k, v in toc.items() if k != "root"})
    return names


@dataclass(frozen=True)
class Notebook:
    """A notebook of the book: ``book/<stem>.ipynb``."""

    stem: str
    source: Path

    @property
    def name(self) -> str:
        """``book/<stem>.ipynb``, as messages and the run record write it."""
        return f"{BOOK_DIR}/{self.stem}.ipynb"


def toc_notebooks(layout: Layout) -> list[Notebook]:
    """The notebooks named in ``_toc.yml``, in toc order, after checking toc and book/ agree.

    Raises :class:`BookError` if the toc names a file that does not exist, or if a
    notebook in ``book/`` is missing from the toc.
    """
    docs = toc_docnames(load_yaml(layout.root / "_toc.yml"))
    notebooks: list[Notebook] = []
    problems: list[str] = []
    for doc in docs:
        if doc in GENERATED_DOCS:
            continue
        base = layout.root / doc
        if base.with_suffix(".ipynb").is_file():
            src = base.with_suffix(".ipynb")
            if src.parent != layout.book:
                problems.append(f"{doc}.ipynb: notebooks must live directly in {BOOK_DIR}/")
            notebooks.append(Notebook(src.stem, src))
        elif not (base.with_suffix(".md").is_file() or base.with_suffix(".rst").is_file()):
            problems.append(f"_toc.yml names {doc!r} but there is no {doc}.ipynb or {doc}.md")
    listed = {nb.source.resolve() for nb in notebooks}
    for path in sorted(layout.book.glob("*.ipynb")):
        if path.resolve() not in listed:
            problems.append(f"{layout.rel(path)} is not in _toc.yml: add it there or remove it")
    if problems:
        raise BookError("the table of contents and book/ disagree:\n  " + "\n  ".join(problems))
    return notebooks


def resolve_notebook(arg: str, notebooks: list[Notebook]) -> Notebook:
    """The toc notebook that ``arg`` (``book/x.ipynb``, ``x.ipynb`` or ``x``) names."""
    stem = Path(arg).stem if arg.endswith(".ipynb") else Path(arg).name
    for nb in notebooks:
        if nb.stem == stem:
            return nb
    known = ", ".join(nb.stem for nb in notebooks) or "none"
    raise BookError(f"notebook {arg!r} is not in _toc.yml (the toc's notebooks: {known})")
