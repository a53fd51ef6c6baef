#!/usr/bin/env python3
"""Open every page of the built book in headless Chromium and check what a reader sees.

    python3 .ci/browser_check.py [HTML_DIR] [--screenshots DIR] [--chromium PATH] [--report-only]

Defaults: ``_build/html``, ``_build/screenshots``, ``chromium`` on the PATH (Debian's
package). Standard library only: the browser is driven through the Chrome DevTools
protocol over a pipe (``--remote-debugging-pipe``: NUL-separated JSON on file
descriptors 3 and 4), so neither websockets nor playwright is needed.

The pages are opened from disk (``file://``) with every host name unresolvable, as a
reader without internet would open them, at two window widths: 1400 px (a desktop) and
420 px (a phone). For each page the check waits until MathJax has typeset the page and
every image has loaded, then fails on:

- untypeset math: TeX delimiters ``\\(``, ``\\[``, ``$$`` left in the text outside code,
  a Sphinx math element MathJax did not replace, a MathJax error (``mjx-merror``), or
  an undefined macro (which MathJax draws in red);
- a broken image (``naturalWidth == 0``);
- a broken internal link: a link into the book whose file does not exist, or whose
  ``#fragment`` names no element of the target page;
- a console error, an uncaught exception, or a resource that failed to load;
- any request to the internet (http/https): the book must work offline;

and on the reading rules (issue 10), each reported with its page and element:

- ``equation-too-wide``: a display equation wider than its box in the text column at
  1400 px (break it with ``aligned``/``multline``);
- ``equation-not-scrollable``: at 420 px, an equation wider than the screen that cannot be
  scrolled sideways, or scrolls without a visible scrollbar;
- ``figure-shrunk``: a figure (an image in a ``figure`` or a cell output) shown at less
  than 0.8 of its natural size at 1400 px. The natural size of an image that states its
  display width (a high-dpi PNG) is that width, otherwise its pixel width;
- ``alt-text``: an image of the text without real alt text (none, a file path, or a
  generic word such as "image");
- ``e-notation``: a number like ``1.4e+04`` in prose (outside code, math and tables of raw
  values: a table with the class ``raw-values``, in an element with that class, or
  inside a folded ``<details>``).

``--report-only`` lists the reading-rule violations without failing on them (the other
checks still fail). Every page (but Sphinx's source listings, ``_modules/``) is
photographed at both widths, the whole page, into
``SCREENSHOTS/1400/`` and ``SCREENSHOTS/420/`` (``book-rate.png`` for ``book/rate.html``);
the violations are also written to ``SCREENSHOTS/reading.json``, and every display
equation's and figure's measured widths at 1400 px to ``SCREENSHOTS/measurements.json``.

It also checks that the search page finds a word of the book. Exit code 0 when every
page is clean, 1 otherwise, 2 on a usage error (no HTML, no chromium).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

#: Window widths (CSS px) every page is opened at: a desktop and a phone. The reading
#: rules on widths and sizes are measured at the first.
WIDTHS = (1400, 420)
#: The window height; screenshots cover the whole page up to SHOT_MAX_HEIGHT px.
HEIGHT = 900
SHOT_MAX_HEIGHT = 20000
#: A figure shown at less than this fraction of its natural size at 1400 px fails.
MIN_FIGURE_RATIO = 0.8
#: Reading rules (reported with --report-only, failing otherwise).
READING_RULES = (
    "equation-too-wide",
    "equation-not-scrollable",
    "figure-shrunk",
    "alt-text",
    "e-notation",
)
#: A word the search page must find (the book's central quantity).
SEARCH_WORD = "imbalance"
#: Seconds allowed for one page to load and typeset.
PAGE_TIMEOUT = 60.0

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--mute-audio",
    # No internet: every host name fails to resolve, so a page that needs the network
    # shows it (and the request is reported below before it fails).
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--window-size=1400,900",
    "--remote-debugging-pipe",
]

# Runs in the page once it has loaded: waits for MathJax, fonts and images, then reports.
PAGE_REPORT_JS_TEMPLATE = r"""
(async () => {
  for (const img of document.images) { img.loading = "eager"; }
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await Promise.all([...document.images].map(img => img.complete ? null :
      new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done); })));
  if (document.fonts) { await document.fonts.ready; }
  const skip = "script, style, pre, code, textarea, mjx-container, .highlight, .MathJax";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  const tex = /\\\(|\\\[|\$\$|\\begin\{/;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (tex.test(n.textContent) && !n.parentElement.closest(skip)) {
      raw.push(n.textContent.trim().slice(0, 80));
    }
  }
  const untypeset = [...document.querySelectorAll("span.math, div.math")]
      .filter(e => !e.querySelector("mjx-container")).map(e => e.textContent.trim().slice(0, 80));
  return JSON.stringify({
    mathjax: !!(window.MathJax && MathJax.startup),
    typeset: document.querySelectorAll("mjx-container").length,
    raw_tex: raw.slice(0, 5),
    untypeset: untypeset.slice(0, 5),
    merror: [...document.querySelectorAll("mjx-merror")].map(e => e.textContent.slice(0, 80)).slice(0, 5),
    // MathJax's noundefined extension draws an unknown macro in red instead of failing
    undefined: [...document.querySelectorAll('mjx-mtext[style*="color: red"]')].map(e => {
      const mml = e.closest("mjx-container")?.querySelector("mjx-assistive-mml");
      return (mml ? mml.textContent : "").slice(0, 80) || "(a red mtext)";
    }).slice(0, 5),
    reading: READING_JS,
    images: document.images.length,
    broken_images: [...document.images].filter(i => !i.complete || i.naturalWidth === 0)
        .map(i => i.getAttribute("src")),
    links: [...new Set([...document.querySelectorAll("a[href]")].map(a => a.href))],
    ids: [...document.querySelectorAll("[id], a[name]")].map(e => e.id || e.getAttribute("name")),
    title: document.title,
  });
})()
"""

# Measures for the reading rules, evaluated inside PAGE_REPORT_JS (after typesetting).
READING_JS = r"""
(() => {
  const where = e => { const h = e.closest("[id]"); return h ? "#" + h.id : e.tagName.toLowerCase(); };
  const tex = new Map();
  try { for (const item of MathJax.startup.document.math) tex.set(item.typesetRoot, item.math); } catch (e) {}
  const article = document.querySelector("article") || document.body;
  const equations = [...article.querySelectorAll("div.math")].map(d => {
    const c = d.querySelector("mjx-container");
    const m = c && c.querySelector("mjx-math");
    if (!m) { return null; }
    const s = getComputedStyle(c);
    return {
      where: where(d),
      tex: (tex.get(c) || "").trim().replace(/\s+/g, " ").slice(0, 70),
      width: Math.ceil(m.getBoundingClientRect().width),
      box: c.clientWidth,
      column: d.clientWidth,
      scrolls: ["auto", "scroll"].includes(s.overflowX),
      scrollbar: c.offsetHeight - c.clientHeight - (parseFloat(s.borderTopWidth) || 0)
                 - (parseFloat(s.borderBottomWidth) || 0),
    };
  }).filter(Boolean);
  const px = v => (v && /^\d+(\.\d+)?(px)?$/.test(v.trim())) ? parseFloat(v) : null;
  const figures = [...article.querySelectorAll("figure img, .cell_output img")].map(img => {
    const stated = px(img.getAttribute("width")) ?? px(img.style.width);
    return {where: where(img), src: img.getAttribute("src"), natural: stated ?? img.naturalWidth,
            shown: Math.round(img.getBoundingClientRect().width * 10) / 10};
  });
  const alts = [...article.querySelectorAll("img")].map(img =>
      ({where: where(img), src: img.getAttribute("src") || "", alt: img.getAttribute("alt")}));
  const skip = "script, style, pre, code, kbd, samp, textarea, mjx-container, .MathJax, .math, " +
               ".highlight, table.raw-values, .raw-values, details table, dt.sig, .sig";
  const enote = /(^|[^\w.])([-+\u2212]?\d+(?:\.\d+)?[eE][-+]?\d+)(?![\w.])/g;
  const prose = [];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent;
    if (!/\d[eE][-+]?\d/.test(text) || n.parentElement.closest(skip)) { continue; }
    const block = n.parentElement.closest("p, li, td, th, dd, dt, figcaption, h1, h2, h3, h4, div") || n.parentElement;
    const whole = block.textContent.replace(/\s+/g, " ");
    for (const m of text.matchAll(enote)) {
      const at = Math.max(0, whole.indexOf(m[2]));
      prose.push({where: where(n.parentElement), number: m[2],
                  context: whole.slice(Math.max(0, at - 50), at + m[2].length + 30).trim()});
    }
  }
  return {equations, figures, alts, prose};
})()
"""

PAGE_REPORT_JS = PAGE_REPORT_JS_TEMPLATE.replace("READING_JS", READING_JS.strip())

SEARCH_JS = r"""
(async () => {
  for (let i = 0; i < 100; i++) {
    const hits = document.querySelectorAll("#search-results li, ul.search li");
    if (hits.length) { return hits.length; }
    await new Promise(r => setTimeout(r, 100));
  }
  return 0;
})()
"""


class CDPError(RuntimeError):
    pass


class Browser:
    """Headless Chromium driven over ``--remote-debugging-pipe``."""

    def __init__(self, executable: str, profile: Path, log: Path):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire_fds():  # in the child: the protocol lives on fds 3 (in) and 4 (out)
            # Via fresh copies: the pipe may already sit on fd 3 or 4, where dup2 would be
            # a no-op that leaves it close-on-exec.
            fd_in, fd_out = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(fd_in, 3)
            os.dup2(fd_out, 4)

        self._log = open(log, "wb")  # noqa: SIM115 - closed in close(), lives as long as chromium
        self.proc = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            close_fds=False,  # fds 3 and 4 must survive; Python's own fds are close-on-exec
            preexec_fn=wire_fds,  # noqa: PLW1509 - wire_fds only calls os.dup2 (async-signal-safe)
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._next_id = 0
        self._replies: dict[int, dict] = {}
        self._events: queue.Queue = queue.Queue()
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buf = b""
        while True:
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                with self._cond:
                    self._replies[-1] = {"error": {"message": "chromium closed the pipe"}}
                    self._cond.notify_all()
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                if "id" in msg:
                    with self._cond:
                        self._replies[msg["id"]] = msg
                        self._cond.notify_all()
                else:
                    self._events.put(msg)

    def send(
        self,
        method: str,
        params: dict | None = None,
        session: str | None = None,
        timeout: float = PAGE_TIMEOUT,
    ) -> dict:
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._next_id not in self._replies and -1 not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CDPError(f"{method}: no answer from chromium in {timeout:.0f} s")
                self._cond.wait(left)
            reply = self._replies.pop(self._next_id, None) or self._replies[-1]
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def events(self) -> list[dict]:
        out = []
        while True:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                return out

    def wait_event(self, method: str, session: str, timeout: float, seen: list) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                ev = self._events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return False
            seen.append(ev)
            if ev.get("method") == method and ev.get("sessionId") == session:
                return True
        return False

    def close(self) -> None:
        with contextlib.suppress(CDPError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


# --------------------------------------------------------------------------------------


def event_problems(events: list[dict], session: str, root_url: str) -> list[str]:
    """Console errors, exceptions, failed loads and internet requests among ``events``."""
    problems = []
    for ev in events:
        if ev.get("sessionId") != session:
            continue
        method, p = ev.get("method"), ev.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in {"error", "assert"}:
            text = " ".join(
                str(a.get("value", a.get("description", ""))) for a in p.get("args", [])
            )
            problems.append(f"console {p['type']}: {text[:200]}")
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            text = d.get("exception", {}).get("description") or d.get("text", "")
            problems.append(f"uncaught exception: {text[:200]}")
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            problems.append(
                f"browser log error: {e.get('text', '')[:200]} {e.get('url', '')}".rstrip()
            )
        elif method == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            if urlparse(url).scheme in {"http", "https", "ws", "wss"}:
                problems.append(f"request to the internet: {url}")
        elif method == "Network.loadingFailed" and not p.get("canceled"):
            problems.append(f"failed to load a resource: {p.get('errorText')} ({p.get('type')})")
    return problems


def math_problems(report: dict) -> list[str]:
    problems = []
    for t in report["raw_tex"]:
        problems.append(f"untypeset TeX in the text: {t!r}")
    for t in report["untypeset"]:
        problems.append(f"math element not typeset by MathJax: {t!r}")
    for t in report["merror"]:
        problems.append(f"MathJax error: {t!r}")
    for t in report.get("undefined", []):
        problems.append(f"undefined TeX macro (drawn in red): {t!r}")
    return problems


def link_problems(page: Path, links: list[str], html: Path, ids: dict[Path, set]) -> list[str]:
    """Links from ``page`` into the book whose file or fragment does not exist."""
    problems = []
    for link in links:
        parsed = urlparse(link)
        if parsed.scheme != "file":
            continue  # http(s) links leave the book; they are not loaded
        url, fragment = urldefrag(link)
        target = Path(unquote(urlparse(url).path))
        try:
            target.relative_to(html)
        except ValueError:
            problems.append(f"link leaves the book's folder: {link}")
            continue
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            problems.append(f"broken link: {link} (no file {target.relative_to(html)})")
        elif fragment and target.suffix == ".html":
            known = ids.get(target)
            if known is None:
                known = set(
                    re.findall(
                        r"""\b(?:id|name)=["']([^"']+)["']""",
                        target.read_text(encoding="utf-8", errors="replace"),
                    )
                )
                ids[target] = known
            if unquote(fragment) not in known:
                problems.append(
                    f"broken anchor: {link} (no id {fragment!r} in {target.relative_to(html)})"
                )
    return problems


_REFRESH = re.compile(
    r"""<meta\s+http-equiv=["']refresh["']\s+content=["'][^"']*url=([^"']+)["']""", re.I
)


def book_pages(html: Path) -> tuple[list[Path], dict[Path, str]]:
    """The pages to open, and the redirect pages (``index.html``) with their targets.

    ``_static/`` holds theme templates and assets, not pages.
    """
    pages, redirects = [], {}
    for page in sorted(html.rglob("*.html")):
        if page.relative_to(html).parts[0] == "_static":
            continue
        head = page.read_text(encoding="utf-8", errors="replace")[:2000]
        m = _REFRESH.search(head)
        if m:
            redirects[page] = (page.parent / m.group(1)).resolve().as_uri()
        else:
            pages.append(page)
    return pages, redirects


_IMAGE_PATH = re.compile(r"(^|/)[^/\s]+\.(png|jpe?g|gif|svg|webp)$", re.I)
_GENERIC_ALT = re.compile(
    r"^(an? )?(image|figure|fig\.?|img|picture|png|svg|plot|graph|chart|output|"
    r"untitled|screenshot)\s*\d*\.?$",
    re.I,
)


def alt_problem(alt: str | None, src: str) -> str | None:
    """What is wrong with an image's alt text, or None if it says something."""
    text = (alt or "").strip()
    if not text:
        return "no alt text"
    if text == src or _IMAGE_PATH.search(text) or "_images/" in text:
        return f"the alt text is a file path ({text[:60]!r})"
    if _GENERIC_ALT.match(text):
        return f"generic alt text ({text!r})"
    return None


def reading_problems(reading: dict) -> list[tuple[str, str]]:
    """The reading-rule violations of one page at 1400 px: (rule, message) pairs."""
    out = []
    for eq in reading.get("equations", []):
        if eq["width"] > eq["box"] + 1:
            out.append(
                (
                    "equation-too-wide",
                    (
                        f"{eq['where']}: equation {eq['width']} px wide in a {eq['box']} px box "
                        f"(column {eq['column']} px): {eq['tex']!r}"
                    ),
                )
            )
    for fig in reading.get("figures", []):
        natural = fig.get("natural") or 0
        if natural > 0 and fig["shown"] / natural < MIN_FIGURE_RATIO:
            out.append(
                (
                    "figure-shrunk",
                    (
                        f"{fig['where']}: shown at {fig['shown']:.0f} of {natural:.0f} px "
                        f"({fig['shown'] / natural:.2f} < {MIN_FIGURE_RATIO}) {fig['src']}"
                    ),
                )
            )
    for img in reading.get("alts", []):
        bad = alt_problem(img.get("alt"), img.get("src", ""))
        if bad:
            out.append(("alt-text", f"{img['where']}: {bad} {img['src']}"))
    for hit in reading.get("prose", []):
        out.append(("e-notation", f'{hit["where"]}: {hit["number"]!r} in "{hit["context"]}"'))
    return out


def narrow_problems(reading: dict, width: int) -> list[tuple[str, str]]:
    """At a narrow width: equations wider than their box that cannot be scrolled visibly."""
    out = []
    for eq in reading.get("equations", []):
        if eq["width"] <= eq["box"] + 1:
            continue
        if not eq["scrolls"]:
            out.append(
                (
                    "equation-not-scrollable",
                    (
                        f"{eq['where']} at {width} px: equation {eq['width']} px wide in a "
                        f"{eq['box']} px box that does not scroll: {eq['tex']!r}"
                    ),
                )
            )
        elif eq["scrollbar"] < 2:
            out.append(
                (
                    "equation-not-scrollable",
                    (
                        f"{eq['where']} at {width} px: equation {eq['width']} px wide in a "
                        f"{eq['box']} px box scrolls without a visible scrollbar: {eq['tex']!r}"
                    ),
                )
            )
    return out


def shot_name(rel: str) -> str:
    """``book/rate.html`` -> ``book-rate.png``."""
    return rel.removesuffix(".html").replace("/", "-") + ".png"


def _load(browser: Browser, session: str, url: str, seen: list) -> tuple[dict | None, list[str]]:
    """Open ``url`` and run PAGE_REPORT_JS; (report or None, problems)."""
    problems = []
    browser.send("Page.navigate", {"url": url}, session=session)
    if not browser.wait_event("Page.loadEventFired", session, PAGE_TIMEOUT, seen):
        problems.append(f"did not finish loading in {PAGE_TIMEOUT:.0f} s")
    result = browser.send(
        "Runtime.evaluate",
        {"expression": PAGE_REPORT_JS, "awaitPromise": True, "returnByValue": True},
        session=session,
    )
    if "exceptionDetails" in result:
        d = result["exceptionDetails"]
        text = d.get("exception", {}).get("description") or d.get("text")
        problems.append(f"the check's script failed: {text}")
        return None, problems
    return json.loads(result["result"]["value"]), problems


def _set_width(browser: Browser, session: str, width: int, height: int = HEIGHT) -> None:
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )


def _screenshot(browser: Browser, session: str, width: int, path: Path) -> None:
    """The whole page (up to SHOT_MAX_HEIGHT px) at ``width``."""
    metrics = browser.send("Page.getLayoutMetrics", session=session)
    size = metrics.get("cssContentSize") or metrics.get("contentSize")
    height = int(min(max(size["height"], HEIGHT), SHOT_MAX_HEIGHT))
    browser.send("Runtime.evaluate", {"expression": "window.scrollTo(0, 0)"}, session=session)
    shot = browser.send(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
        session=session,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


def check(html: Path, shots: Path, chromium: str, *, report_only: bool = False) -> int:
    pages, redirects = book_pages(html)
    shots.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="lnet-chromium-"))
    log = shots / "chromium.log"
    t0 = time.perf_counter()
    browser = Browser(chromium, profile, log)
    failures: dict[str, list[str]] = {}
    reading: dict[str, list[tuple[str, str]]] = {}
    measured: dict[str, dict] = {}
    ids: dict[Path, set] = {}
    outgoing: dict[Path, list[str]] = {}
    typeset = 0
    images = 0
    outgoing.update({page: [url] for page, url in redirects.items()})
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable", session=session)
        for page in pages:
            rel = page.relative_to(html).as_posix()
            problems: list[str] = []
            rules: list[tuple[str, str]] = []
            seen: list[dict] = []
            # Sphinx's highlighted source listings (viewcode) are checked for links and
            # errors at the first width only: no prose, no math, nothing to photograph.
            listing = rel.startswith("_modules/")
            for width in WIDTHS[:1] if listing else WIDTHS:
                browser.events()  # drop what belongs to the previous page
                _set_width(browser, session, width)
                report, load_problems = _load(browser, session, page.as_uri(), seen)
                time.sleep(0.05)  # late console messages of this page
                seen += browser.events()
                problems += load_problems
                problems += event_problems(seen, session, html.as_uri())
                if width == WIDTHS[0]:
                    if report is not None:
                        problems += math_problems(report)
                        problems += [f"broken image: {src}" for src in report["broken_images"]]
                        ids[page] = set(report["ids"])
                        outgoing[page] = report["links"]
                        typeset += report["typeset"]
                        images += report["images"]
                        rules += reading_problems(report["reading"])
                        measured[rel] = {k: report["reading"][k] for k in ("equations", "figures")}
                elif report is not None:
                    rules += narrow_problems(report["reading"], width)
                if report is not None and not listing:
                    _screenshot(browser, session, width, shots / str(width) / shot_name(rel))
                seen = []
            _set_width(browser, session, WIDTHS[0])
            if rel == "search.html":
                browser.send(
                    "Page.navigate", {"url": page.as_uri() + f"?q={SEARCH_WORD}"}, session=session
                )
                browser.wait_event("Page.loadEventFired", session, PAGE_TIMEOUT, seen)
                hits = browser.send(
                    "Runtime.evaluate",
                    {"expression": SEARCH_JS, "awaitPromise": True, "returnByValue": True},
                    session=session,
                )
                if not hits.get("result", {}).get("value"):
                    problems.append(f"the search for {SEARCH_WORD!r} found nothing")
            if problems:
                failures[rel] = list(dict.fromkeys(problems))
            if rules:
                reading[rel] = rules
        for page, links in outgoing.items():
            bad = link_problems(page, links, html, ids)
            if bad:
                failures.setdefault(page.relative_to(html).as_posix(), []).extend(bad)
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    seconds = time.perf_counter() - t0
    for rel, problems in sorted(failures.items()):
        print(f"FAIL {rel}")
        for p in problems[:20]:
            print(f"     {p}")
        if len(problems) > 20:
            print(f"     ... and {len(problems) - 20} more")
    word = "REPORT" if report_only else "FAIL"
    counts: dict[str, int] = {}
    for rel, rules in sorted(reading.items()):
        print(f"{word} {rel} (reading rules)")
        for rule, message in rules:
            counts[rule] = counts.get(rule, 0) + 1
            print(f"     [{rule}] {message}")
    (shots / "reading.json").write_text(
        json.dumps(
            {
                rel: [{"rule": r, "message": m} for r, m in rules]
                for rel, rules in sorted(reading.items())
            },
            indent=1,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    (shots / "measurements.json").write_text(
        json.dumps(measured, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    links = sum(len(v) for v in outgoing.values())
    summary = ", ".join(f"{counts.get(r, 0)} {r}" for r in READING_RULES)
    print(
        f"browser check: {len(pages)} pages (and {len(redirects)} redirect) at {' and '.join(map(str, WIDTHS))} px "
        f"in {seconds:.1f} s, {typeset} formulas typeset, {images} images, {links} links checked; "
        f"{len(failures)} page(s) with problems; reading rules{' (report only)' if report_only else ''}: "
        f"{summary} on {len(reading)} page(s); screenshots in {shots}"
    )
    return 1 if failures or (reading and not report_only) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "html", nargs="?", default="_build/html", help="built HTML (default _build/html)"
    )
    parser.add_argument("--screenshots", default="_build/screenshots", help="where screenshots go")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "chromium"))
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="list the reading-rule violations without failing on them",
    )
    args = parser.parse_args(argv)
    html = Path(args.html).resolve()
    if not (html / "index.html").is_file():
        print(
            f"browser check: no book in {html} (build it first: python3 dev.py book)",
            file=sys.stderr,
        )
        return 2
    exe = shutil.which(args.chromium)
    if exe is None:
        print(
            f"browser check: {args.chromium!r} not found (Debian: apt-get install chromium)",
            file=sys.stderr,
        )
        return 2
    return check(html, Path(args.screenshots).resolve(), exe, report_only=args.report_only)


if __name__ == "__main__":
    sys.exit(main())
