"""Checks of the built HTML: MathJax served locally, nothing loaded from the internet,
no solution left in the student edition."""

from __future__ import annotations

import re
from pathlib import Path

_MATHJAX_CDN = re.compile(
    r"""<script[^>]*\bsrc=["'][^"']*(?:https?:)?//[^"']*mathjax""", re.IGNORECASE
)
_MATHJAX_LOCAL = re.compile(
    r"""<script[^>]*\bsrc=["'](?![a-z]+:|//)[^"']*mathjax/tex-mml-chtml\.js""", re.IGNORECASE
)


def mathjax_problems(html: Path) -> list[str]:
    """Pages of the built HTML that load MathJax from the internet, or a missing local copy."""
    problems = []
    local = 0
    for page in sorted(html.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        if _MATHJAX_CDN.search(text):
            problems.append(f"{page.relative_to(html)} loads MathJax from the internet")
        local += bool(_MATHJAX_LOCAL.search(text))
    if local and not (html / "mathjax" / "tex-mml-chtml.js").is_file():
        problems.append("pages load mathjax/tex-mml-chtml.js but the HTML has no such file")
    if not local:
        problems.append("no page loads the local mathjax/tex-mml-chtml.js")
    return problems


_EXTERNAL_LOAD = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc=["']((?:https?:)?//[^"']+)"""
    r"""|<link\b(?=[^>]*\brel=["'](?:stylesheet|preload|modulepreload|icon|shortcut icon|manifest)["'])"""
    r"""[^>]*\bhref=["']((?:https?:)?//[^"']+)""",
    re.IGNORECASE,
)
_EXTERNAL_CSS = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])((?:https?:)?//[^"')\s]+)""", re.I)


def external_resource_problems(html: Path) -> list[str]:
    """Resources (scripts, styles, fonts, images, frames) the built book would load from the internet.

    Links a reader may follow (``<a href="https://...">``) are fine; anything the browser
    loads by itself is not: the book must work offline. ``.ci/browser_check.py`` also
    watches the requests a real browser makes.
    """
    problems = []
    for page in sorted(html.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        for m in _EXTERNAL_LOAD.finditer(text):
            problems.append(f"{page.relative_to(html)} loads {m.group(1) or m.group(2)}")
    for sheet in sorted(html.rglob("*.css")):
        for m in _EXTERNAL_CSS.finditer(sheet.read_text(encoding="utf-8", errors="replace")):
            problems.append(f"{sheet.relative_to(html)} loads {m.group(1)}")
    return problems


#: Text that only a page with a solution on it contains (sphinx-exercise's markup).
_SOLUTION_MARKUP = re.compile(r"""class=["'][^"']*\bsolution\b|solution-start|solution-end""")


def solution_problems(html: Path) -> list[str]:
    """Pages of a student edition that still show a solution."""
    return [
        f"{page.relative_to(html)} contains a solution"
        for page in sorted(html.rglob("*.html"))
        if page.relative_to(html).parts[0] not in {"_static", "_modules"}
        and _SOLUTION_MARKUP.search(page.read_text(encoding="utf-8", errors="replace"))
    ]
