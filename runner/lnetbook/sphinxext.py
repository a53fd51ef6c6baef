"""Sphinx extension of the lnet book: cross-references to names ``lnet`` re-exports.

The API page (``book/api.md``) documents every object once, under the module that
defines it: ``lnet.dynamics.gradient_descent``. The chapters call most functions through
the package's top level (``lnet.gradient_descent``), and type annotations inside a module
name imported classes (``problem: Problem`` in :mod:`lnet.dynamics`). Sphinx cannot know
that those names are the same objects; this extension asks Python. A ``py`` reference
that Sphinx could not resolve and that names an attribute of an ``lnet`` module (given in
full, ``lnet.gradient_descent``, or relative to the module being documented) is resolved
to the documented entry of the object it is, found from its ``__module__``.

References to anything outside ``lnet`` are left alone, so a typo in a project reference
still fails the nitpicky build.

Napoleon reads the first line of an attribute's or property's docstring as
``type: description`` when it has a colon, so "Theorem 3 at every iteration: ..." would
become a (broken) type reference. lnet gives types by annotation, never inline, so the
extension hides the first line from that rule (:func:`_no_inline_attribute_type`).

It also drops repeated inline scripts from each page. sphinx-thebe adds its inline
configuration (``const THEBE_JS_URL = ...``) with ``app.add_js_file`` after the HTML
builder has started, which Sphinx 7 records twice; the second copy is a JavaScript
``SyntaxError`` in the console of every page (found by ``.ci/browser_check.py``).

Loaded by ``_config.yml`` (``sphinx: extra_extensions``, as ``lnetbook.sphinxext``).
"""

from __future__ import annotations

import importlib


def _lookup(dotted: str):
    """The object at ``dotted`` (``lnet.x.y``: a module, then attributes), or None."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attr in parts[split:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj
    return None


def _canonical(target: str, context_module: str | None) -> str | None:
    """The documented name of the lnet object ``target`` refers to, if it differs."""
    candidates = [target] if target.startswith("lnet.") else []
    if context_module and context_module.startswith("lnet"):
        candidates.append(f"{context_module}.{target}")
    for name in candidates:
        obj = _lookup(name)
        module = getattr(obj, "__module__", None)
        qualname = getattr(obj, "__qualname__", None)
        if module and qualname and module.startswith("lnet"):
            canonical = f"{module}.{qualname}"
            if canonical != target:
                return canonical
    return None


def _resolve(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    canonical = _canonical(target, node.get("py:module"))
    if canonical is None:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(
        env, node.get("refdoc", ""), app.builder, node["reftype"], canonical, node, contnode
    )


def _no_inline_attribute_type(app, what, name, obj, options, lines):
    """Before napoleon: an empty comment first, so its inline-type rule sees no colon."""
    if what in {"attribute", "property", "data"} and lines and ":" in lines[0]:
        lines[:0] = ["..", ""]


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        # The two copies differ only in filename None and "" (inline scripts).
        name = getattr(js, "filename", str(js)) or ""
        key = (name, tuple(sorted((k, str(v)) for k, v in getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def setup(app):
    app.connect("missing-reference", _resolve)
    app.setup_extension("sphinx.ext.napoleon")
    app.connect("autodoc-process-docstring", _no_inline_attribute_type, priority=100)
    # Early: html-page-context stops at the first handler that returns a template name
    # (some do for the viewcode pages), so a late handler would miss those pages.
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
