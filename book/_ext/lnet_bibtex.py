"""Readable citation labels for the book's bibliography (a Sphinx extension).

sphinxcontrib-bibtex's ``alpha`` style labels an entry by its authors' initials and year.
Two things go wrong with it here: the paper, its extended version and the talk share
authors and year and become ``MTVM21a``, ``MTVM21b``, ``MTVM21c`` (which is which?), and an
author written with a TeX accent (``Fran{\\c{c}}a``) is not abbreviated at all
(``TFranccaHV21``).

The ``lnet`` style is ``alpha`` with two changes:

- an entry with a ``shorthand`` field (biblatex's name for "a label to use instead of the
  regular one") is labelled by it: ``shorthand = {MTVM21 ICML}``;
- author names are decoded from TeX to Unicode before they are abbreviated, so França
  counts as one name (``TFHV21``).

Enabled by ``_config.yml`` (``sphinx: local_extensions`` and ``bibtex_default_style: lnet``).
"""

from __future__ import annotations

import codecs

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
from pybtex.database import Person
from pybtex.plugin import register_plugin
from pybtex.style.formatting.alpha import Style as AlphaStyle
from pybtex.style.labels.alpha import LabelStyle as AlphaLabelStyle

__all__ = ["LabelStyle", "Style", "setup"]

NAME = "lnet"


def _plain(text: str) -> str:
    """TeX to Unicode, without the braces TeX uses for grouping."""
    return codecs.decode(str(text), "ulatex").replace("{", "").replace("}", "")


class LabelStyle(AlphaLabelStyle):
    """``alpha`` labels, but a ``shorthand`` field wins and names are decoded from TeX."""

    def format_label(self, entry):
        shorthand = entry.fields.get("shorthand")
        if shorthand:
            return _plain(shorthand)
        return super().format_label(entry)

    def format_lab_names(self, persons):
        decoded = [p if str(p) == "others" else Person(_plain(str(p))) for p in persons]
        return super().format_lab_names(decoded)


class Style(AlphaStyle):
    """The ``alpha`` formatting style with :class:`LabelStyle` labels."""

    default_label_style = NAME


# Registered on import: sphinxcontrib-bibtex looks the style up by name when it reads
# bibtex_default_style, which is after every extension has been imported.
register_plugin("pybtex.style.labels", NAME, LabelStyle)
register_plugin("pybtex.style.formatting", NAME, Style)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
