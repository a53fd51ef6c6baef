#!/usr/bin/env python3
"""Print the built book to PDF with headless Chromium: one PDF per page, in reading order.

    python3 .ci/print_pdf.py [HTML_DIR] [--out DIR]      # defaults: _build/html, _build/pdf

Optional, not part of CI. Needs Debian's ``chromium``; merges the pages into
``<out>/book.pdf`` when ``pdfunite`` (Debian package ``poppler-utils``) is installed.
The reading order is the order of the book's navigation sidebar. Each page is printed
after MathJax has typeset it, with the theme's print style (no sidebars).

Why not jupyter-book's own PDF builders: ``pdfhtml`` needs pyppeteer and a browser it
downloads from the internet, ``singlehtml`` (which it prints) fails on sphinx-proof's
theorem boxes, and ``pdflatex`` needs TeX Live with ``texlive-fonts-extra``.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("browser_check", HERE / "browser_check.py")
bc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bc)

ORDER_JS = r"""JSON.stringify([location.href].concat(
  [...document.querySelectorAll("nav.bd-docs-nav a.reference.internal")].map(a => a.href)))"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", nargs="?", default="_build/html")
    parser.add_argument("--out", default="_build/pdf")
    parser.add_argument("--chromium", default="chromium")
    args = parser.parse_args(argv)
    html, out = Path(args.html).resolve(), Path(args.out).resolve()
    exe = shutil.which(args.chromium)
    root = html / "book" / "intro.html"
    if exe is None or not root.is_file():
        print("print_pdf: needs chromium and a built book (python3 dev.py book)", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="lnet-pdf-"))
    browser = bc.Browser(exe, profile, out / "chromium.log")
    written = []
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        browser.send("Page.enable", session=session)

        def load(url):
            seen = []
            browser.send("Page.navigate", {"url": url}, session=session)
            browser.wait_event("Page.loadEventFired", session, bc.PAGE_TIMEOUT, seen)
            browser.send(
                "Runtime.evaluate",
                {"expression": bc.PAGE_REPORT_JS, "awaitPromise": True, "returnByValue": True},
                session=session,
            )

        load(root.as_uri())
        order = browser.send(
            "Runtime.evaluate", {"expression": ORDER_JS, "returnByValue": True}, session=session
        )["result"]["value"]
        pages = list(dict.fromkeys(u.split("#")[0] for u in json.loads(order)))
        for i, url in enumerate(pages, start=1):
            load(url)
            time.sleep(0.2)
            pdf = browser.send(
                "Page.printToPDF",
                {"printBackground": True, "preferCSSPageSize": True},
                session=session,
                timeout=120,
            )
            name = out / f"{i:02d}-{Path(url).stem}.pdf"
            name.write_bytes(base64.b64decode(pdf["data"]))
            written.append(name)
            print(f"printed {name.relative_to(out.parent)}")
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    if shutil.which("pdfunite"):
        subprocess.run(["pdfunite", *map(str, written), str(out / "book.pdf")], check=True)
        print(f"merged into {out / 'book.pdf'}")
    else:
        print("pdfunite not found (Debian: apt-get install poppler-utils): the pages stay separate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
