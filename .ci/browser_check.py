#!/usr/bin/env python3
"""Open every page of the built book in headless Chromium and check what a reader sees.

    python3 .ci/browser_check.py [HTML_DIR] [--screenshots DIR] [--chromium PATH]

Defaults: ``_build/html``, ``_build/screenshots``, ``chromium`` on the PATH (Debian's
package). Standard library only: the browser is driven through the Chrome DevTools
protocol over a pipe (``--remote-debugging-pipe``: NUL-separated JSON on file
descriptors 3 and 4), so neither websockets nor playwright is needed.

The pages are opened from disk (``file://``) with every host name unresolvable, as a
reader without internet would open them. For each page the check waits until MathJax
has typeset the page and every image has loaded, then fails on:

- untypeset math: TeX delimiters ``\\(``, ``\\[``, ``$$`` left in the text outside code,
  a Sphinx math element MathJax did not replace, a MathJax error (``mjx-merror``), or
  an undefined macro (which MathJax draws in red);
- a broken image (``naturalWidth == 0``);
- a broken internal link: a link into the book whose file does not exist, or whose
  ``#fragment`` names no element of the target page;
- a console error, an uncaught exception, or a resource that failed to load;
- any request to the internet (http/https): the book must work offline.

It also checks that the search page finds a word of the book, and keeps screenshots of
a few key pages. Exit code 0 when every page is clean, 1 otherwise, 2 on a usage error
(no HTML, no chromium).
"""

from __future__ import annotations

import argparse
import base64
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

#: Pages photographed (relative to the HTML folder): (element id to scroll to or None, file name).
SCREENSHOTS = {
    "book/intro.html": [(None, "intro.png")],
    "book/setup.html": [(None, "setup.png"), ("fig-setup-flow", "setup-figure.png")],
    "book/scalar.html": [(None, "scalar.png"), ("exercises", "scalar-exercises.png")],
    "book/api.html": [(None, "api.png")],
    "book/teaching.html": [(None, "teaching.png")],
}
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
    "--window-size=1280,900",
    "--remote-debugging-pipe",
]

# Runs in the page once it has loaded: waits for MathJax, fonts and images, then reports.
PAGE_REPORT_JS = r"""
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
    images: document.images.length,
    broken_images: [...document.images].filter(i => !i.complete || i.naturalWidth === 0)
        .map(i => i.getAttribute("src")),
    links: [...new Set([...document.querySelectorAll("a[href]")].map(a => a.href))],
    ids: [...document.querySelectorAll("[id], a[name]")].map(e => e.id || e.getAttribute("name")),
    title: document.title,
  });
})()
"""

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

        self._log = open(log, "wb")
        self.proc = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            close_fds=False,  # fds 3 and 4 must survive; Python's own fds are close-on-exec
            preexec_fn=wire_fds,
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

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = PAGE_TIMEOUT) -> dict:
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
        try:
            self.send("Browser.close", timeout=5)
        except (CDPError, OSError):
            pass
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
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            problems.append(f"console {p['type']}: {text[:200]}")
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            text = d.get("exception", {}).get("description") or d.get("text", "")
            problems.append(f"uncaught exception: {text[:200]}")
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            problems.append(f"browser log error: {e.get('text', '')[:200]} {e.get('url', '')}".rstrip())
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
                known = set(re.findall(r"""\b(?:id|name)=["']([^"']+)["']""",
                                       target.read_text(encoding="utf-8", errors="replace")))
                ids[target] = known
            if unquote(fragment) not in known:
                problems.append(f"broken anchor: {link} (no id {fragment!r} in {target.relative_to(html)})")
    return problems


_REFRESH = re.compile(r"""<meta\s+http-equiv=["']refresh["']\s+content=["'][^"']*url=([^"']+)["']""", re.I)


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


def check(html: Path, shots: Path, chromium: str) -> int:
    pages, redirects = book_pages(html)
    shots.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="lnet-chromium-"))
    log = shots / "chromium.log"
    t0 = time.perf_counter()
    browser = Browser(chromium, profile, log)
    failures: dict[str, list[str]] = {}
    ids: dict[Path, set] = {}
    outgoing: dict[Path, list[str]] = {}
    typeset = 0
    images = 0
    outgoing.update({page: [url] for page, url in redirects.items()})
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable", session=session)
        for page in pages:
            rel = page.relative_to(html).as_posix()
            browser.events()  # drop what belongs to the previous page
            seen: list[dict] = []
            browser.send("Page.navigate", {"url": page.as_uri()}, session=session)
            problems = []
            if not browser.wait_event("Page.loadEventFired", session, PAGE_TIMEOUT, seen):
                problems.append(f"did not finish loading in {PAGE_TIMEOUT:.0f} s")
            result = browser.send(
                "Runtime.evaluate",
                {"expression": PAGE_REPORT_JS, "awaitPromise": True, "returnByValue": True},
                session=session,
            )
            if "exceptionDetails" in result:
                problems.append(f"the check's script failed: {result['exceptionDetails'].get('text')}")
                report = None
            else:
                report = json.loads(result["result"]["value"])
            if rel == "search.html":
                browser.send("Page.navigate", {"url": page.as_uri() + f"?q={SEARCH_WORD}"}, session=session)
                browser.wait_event("Page.loadEventFired", session, PAGE_TIMEOUT, seen)
                hits = browser.send("Runtime.evaluate", {"expression": SEARCH_JS, "awaitPromise": True,
                                                         "returnByValue": True}, session=session)
                if not hits.get("result", {}).get("value"):
                    problems.append(f"the search for {SEARCH_WORD!r} found nothing")
            for anchor, name in SCREENSHOTS.get(rel, []) if report is not None else []:
                scroll = (f"document.getElementById({json.dumps(anchor)})?.scrollIntoView()"
                          if anchor else "window.scrollTo(0, 0)")
                browser.send("Runtime.evaluate", {"expression": scroll}, session=session)
                time.sleep(0.3)  # let the page settle (sticky header, lazy layout)
                shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
                (shots / name).write_bytes(base64.b64decode(shot["data"]))
            time.sleep(0.05)  # late console messages of this page
            seen += browser.events()
            problems += event_problems(seen, session, html.as_uri())
            if report is not None:
                problems += math_problems(report)
                problems += [f"broken image: {src}" for src in report["broken_images"]]
                ids[page] = set(report["ids"])
                outgoing[page] = report["links"]
                typeset += report["typeset"]
                images += report["images"]
            if problems:
                failures[rel] = problems
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
    links = sum(len(v) for v in outgoing.values())
    print(
        f"browser check: {len(pages)} pages (and {len(redirects)} redirect) in {seconds:.1f} s, {typeset} formulas typeset, "
        f"{images} images, {links} links checked; {len(failures)} page(s) with problems; "
        f"screenshots in {shots}"
    )
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", nargs="?", default="_build/html", help="built HTML (default _build/html)")
    parser.add_argument("--screenshots", default="_build/screenshots", help="where screenshots go")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "chromium"))
    args = parser.parse_args(argv)
    html = Path(args.html).resolve()
    if not (html / "index.html").is_file():
        print(f"browser check: no book in {html} (build it first: python3 dev.py book)", file=sys.stderr)
        return 2
    exe = shutil.which(args.chromium)
    if exe is None:
        print(f"browser check: {args.chromium!r} not found (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    return check(html, Path(args.screenshots).resolve(), exe)


if __name__ == "__main__":
    sys.exit(main())
