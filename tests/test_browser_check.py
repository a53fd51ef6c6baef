"""The reading rules of the browser check (.ci/browser_check.py): their pure parts.

The measurements come from the page (READING_JS, run by Chromium in CI); these tests
feed the rules measured values and check what they report.
"""

import importlib.util
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def bc():
    path = Path(__file__).resolve().parents[1] / ".ci" / "browser_check.py"
    spec = importlib.util.spec_from_file_location("browser_check_reading", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "alt, src, bad",
    [
        (None, "../_images/a.png", "no alt text"),
        ("  ", "../_images/a.png", "no alt text"),
        ("../_images/a.png", "../_images/a.png", "file path"),
        ("0756c2c35c.png", "../_images/0756c2c35c.png", "file path"),
        ("Figure", "x.png", "generic"),
        ("image 3", "x.png", "generic"),
        (
            "Distance to the minimum-norm solution against the width, falling like h^-1/2",
            "x.png",
            None,
        ),
    ],
)
def test_alt_text(bc, alt, src, bad):
    found = bc.alt_problem(alt, src)
    assert (found is None) if bad is None else (bad in found)


def test_reading_problems_name_the_rule_the_element_and_the_numbers(bc):
    reading = {
        "equations": [
            {
                "where": "#equation-eq-rate-bound",
                "tex": r"-\frac{\dot L}{L} \ge",
                "width": 850,
                "box": 635,
                "column": 705,
                "scrolls": True,
                "scrollbar": 6,
            },
            {
                "where": "#equation-eq-ok",
                "tex": "x",
                "width": 300,
                "box": 635,
                "column": 705,
                "scrolls": True,
                "scrollbar": 0,
            },
        ],
        "figures": [
            {"where": "#fig-expb", "src": "a.png", "natural": 1442, "shown": 756},
            {"where": "#fig-ok", "src": "b.png", "natural": 691, "shown": 691},
            {"where": "#fig-hidpi", "src": "c.png", "natural": 700, "shown": 600},  # 0.857
        ],
        "alts": [{"where": "#fig-expb", "src": "a.png", "alt": "a.png"}],
        "prose": [{"where": "#s", "number": "1.4e+04", "context": "about 1.4e+04 steps"}],
    }
    found = bc.reading_problems(reading)
    rules = [r for r, _ in found]
    assert rules == ["equation-too-wide", "figure-shrunk", "alt-text", "e-notation"]
    text = dict(found)
    assert (
        "850 px" in text["equation-too-wide"]
        and "#equation-eq-rate-bound" in text["equation-too-wide"]
    )
    assert "0.52" in text["figure-shrunk"] and "#fig-expb" in text["figure-shrunk"]
    assert "1.4e+04" in text["e-notation"]


def test_narrow_problems_want_a_scroll_box_with_a_visible_bar(bc):
    eq = {"where": "#e", "tex": "x", "width": 700, "box": 380, "column": 380}
    assert bc.narrow_problems({"equations": [dict(eq, scrolls=True, scrollbar=6)]}, 420) == []
    ((rule, msg),) = bc.narrow_problems({"equations": [dict(eq, scrolls=False, scrollbar=0)]}, 420)
    assert rule == "equation-not-scrollable" and "does not scroll" in msg
    ((rule, msg),) = bc.narrow_problems({"equations": [dict(eq, scrolls=True, scrollbar=0)]}, 420)
    assert "without a visible scrollbar" in msg
    fits = dict(eq, width=300, scrolls=False, scrollbar=0)
    assert bc.narrow_problems({"equations": [fits]}, 420) == []


def test_screenshot_names(bc):
    assert bc.shot_name("book/rate.html") == "book-rate.png"
    assert bc.shot_name("index.html") == "index.png"
