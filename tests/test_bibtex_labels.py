"""The book's citation labels (book/_ext/lnet_bibtex.py): readable, unique, TeX accents decoded."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_style():
    spec = importlib.util.spec_from_file_location(
        "lnet_bibtex", ROOT / "book" / "_ext" / "lnet_bibtex.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_three_sources_have_readable_labels_and_accents_are_decoded():
    from pybtex.database import parse_file

    style = load_style()
    entries = parse_file(str(ROOT / "book" / "references.bib")).entries
    labels = dict(
        zip(entries.keys(), style.LabelStyle().format_labels(entries.values()), strict=False)
    )
    assert labels["min2021explicit"] == "MTVM21-ICML"
    assert labels["min2021convergence"] == "MTVM21-ext"
    assert labels["min2021talk"] == "MTVM21-talk"
    assert labels["tarmoun2021understanding"] == "TFHV21"  # Fran{\c{c}}a, not "Francca"
    assert len(set(labels.values())) == len(labels)
    assert all(label.replace("-", "").replace("+", "").isalnum() for label in labels.values())


def test_the_style_is_registered_for_sphinxcontrib_bibtex():
    import pybtex.plugin

    load_style()
    assert (
        pybtex.plugin.find_plugin("pybtex.style.formatting", "lnet").default_label_style == "lnet"
    )
