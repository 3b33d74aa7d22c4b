"""Save-to-visible latency of `digest serve`, measured in a real browser.

    python bench/serve_latency.py [--articles 1000] [--edits 10] [--dir DIR] [--json FILE]

Generates a digest with bench/corpus.py (or reuses DIR if it already holds one), starts
`python -m digest serve` on a free port, opens one article in Debian's Chromium (Playwright),
then, --edits times each:

- article edit: rewrite the article's Markdown with a new sentence;
- template edit: rewrite templates/article.html (a copy of the theme's) with a new line;

and measures from "the file is written" (time.time() right after the write returns) to "the
new text is in the page's DOM" (inside the page: Date.now() when a 5 ms polling check first
finds it; after a reload, the new document's domInteractive time, since the text was in its
DOM by then and the polling check only gets going again some 100 ms later; the polling time
is printed too). Both clocks are this machine's wall clock. The page is live again (its event
stream open) before the next edit starts.

The figures include everything a curator waits for: the watcher's debounce, the rebuild, the
event to the page, the page's reload. The server's own "built in N ms" line is reported too,
so the rebuild can be told apart from the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402 - the generator sits next to this script, not in a package

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
DEBUG = bool(os.environ.get("SERVE_LATENCY_DEBUG"))
LIVE = "() => document.querySelector('script[data-events]')?.dataset.state === 'live'"
# When the text is found: the time now, and the navigation timeline of this document (both
# in epoch milliseconds) so the parts of a reload can be told apart.
SEEN = """text => {
  if (!document.body || !document.body.innerText.includes(text)) return false;
  const nav = performance.getEntriesByType('navigation')[0];
  const at = name => nav ? performance.timeOrigin + nav[name] : null;
  return {now: Date.now(), origin: performance.timeOrigin, request: at('requestStart'),
          response: at('responseEnd'), interactive: at('domInteractive')};
}"""


@dataclass
class Series:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    builds_ms: list[float] = field(default_factory=list)
    # file written -> the server reports the change (watcher and debounce)
    noticed_ms: list[float] = field(default_factory=list)
    # build reported -> new text in the DOM (event, reload, page load)
    shown_ms: list[float] = field(default_factory=list)
    # file written -> the polling check saw the text (an upper bound)
    polled_ms: list[float] = field(default_factory=list)
    # after a template edit the open page is rebuilt first; then the rest of the site
    rest_ms: list[float] = field(default_factory=list)

    def summary(self) -> str:
        if not self.latencies_ms:
            return f"{self.name}: no samples"
        ordered = sorted(self.latencies_ms)
        p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
        build = ""
        if self.builds_ms and self.noticed_ms and self.shown_ms:
            build = (f"\n    medians of the parts: change noticed after "
                     f"{statistics.median(self.noticed_ms):.0f} ms, rebuild "
                     f"{statistics.median(self.builds_ms):.0f} ms, built -> visible "
                     f"{statistics.median(self.shown_ms):.0f} ms; seen by polling after "
                     f"{statistics.median(self.polled_ms):.0f} ms")
        if self.rest_ms:
            build += (f"\n    the open page was rebuilt first; the rest of the site took "
                      f"{statistics.median(self.rest_ms):.0f} ms more (median), in the background")
        return (f"{self.name}: n={len(ordered)} median {statistics.median(ordered):.0f} ms, "
                f"p90 {p90:.0f} ms, min {ordered[0]:.0f} ms, max {ordered[-1]:.0f} ms{build}")


class Server:
    """`python -m digest serve` with its output read line by line."""

    def __init__(self, root: Path) -> None:
        environment = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "digest", "serve", "--root", str(root), "--port", "0"],
            env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.transcript: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        found = self.wait_for(r"serving (\S+)", timeout=600)
        self.url = found.group(1)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.transcript.append(line)
            self.lines.put((time.time(), line))  # when the server said it, near enough
        self.lines.put((time.time(), ""))

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        return self.wait_for_timed(pattern, timeout)[1]

    def wait_for_timed(self, pattern: str, timeout: float = 60) -> tuple[float, re.Match[str]]:
        deadline = time.monotonic() + timeout
        while True:
            when, line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            if line == "":
                raise RuntimeError("digest serve ended early")
            if "error" in line:
                print(f"  server: {line.rstrip()}", file=sys.stderr)
            if found := re.search(pattern, line):
                return when, found

    def drain(self) -> None:
        while not self.lines.empty():
            self.lines.get_nowait()

    def stop(self) -> None:
        # SIGTERM, which digest serve handles like Ctrl-C: a SIGINT would be ignored when this
        # script runs as a background job of a shell, whose children ignore SIGINT
        self.process.terminate()
        self.process.wait(timeout=60)


def prepare(root: Path, articles: int) -> Path:
    """The digest (generated once) and the article the browser shows."""
    corpus.ensure_digest(root, articles)
    templates = root / "templates"
    templates.mkdir(exist_ok=True)
    sys.path.insert(0, str(REPO))
    from digest.theme import theme_dir

    (templates / "article.html").write_text(
        (theme_dir() / "article.html").read_text(encoding="utf-8"), encoding="utf-8")
    files = sorted((root / "content" / "articles").rglob("*.md"))
    return files[len(files) // 2]


def measure(page: Any, server: Server, series: Series, edit: Callable[[str], None],
            label: str) -> None:
    page.wait_for_function(LIVE)
    page.wait_for_timeout(300)  # let the last build's echoes settle
    server.drain()
    text = f"{label} {time.time_ns():x}"
    edit(text)
    written = time.time()
    handle = page.wait_for_function(SEEN, arg=text, polling=5, timeout=120_000)
    timeline = handle.json_value()
    polled = float(timeline["now"]) / 1000
    seen = polled
    # After a reload the text entered the DOM while the new document was parsed: by
    # domInteractive at the latest. The polling check finds it later, because Playwright has
    # to set itself up again in the new document; that delay is the benchmark's, not serve's.
    if timeline["interactive"] is not None and timeline["origin"] / 1000 > written:
        seen = float(timeline["interactive"]) / 1000
    series.polled_ms.append((polled - written) * 1000)
    if DEBUG:
        print({k: round(v - written * 1000) for k, v in timeline.items() if v is not None})
    series.latencies_ms.append((seen - written) * 1000)
    try:
        noticed, _ = server.wait_for_timed(r" changed: ", timeout=5)
        built_at, built = server.wait_for_timed(r"(?:open pages rebuilt|built) in (\d+) ms",
                                                timeout=120)
        if built.group(0).startswith("open pages"):
            # wait until the server is idle again, so that each edit starts from a quiet server
            _, rest = server.wait_for_timed(r"built in (\d+) ms", timeout=600)
            series.rest_ms.append(float(rest.group(1)))
    except queue.Empty:
        return
    series.noticed_ms.append((noticed - written) * 1000)
    series.builds_ms.append(float(built.group(1)))
    series.shown_ms.append((seen - built_at) * 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--dir", type=Path, default=BENCH / "out" / "serve-latency")
    parser.add_argument("--json", type=Path, help="write every sample to this file")
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("playwright is not installed", file=sys.stderr)
        return 1
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM}", file=sys.stderr)
        return 1

    root = args.dir.resolve()
    if (root / "digest.yaml").exists():
        existing = len(list((root / "content" / "articles").rglob("*.md")))
        if existing != args.articles:
            print(f"{root} holds {existing} articles, not {args.articles}; delete it first",
                  file=sys.stderr)
            return 1
    article = prepare(root, args.articles)
    original = article.read_text(encoding="utf-8")
    template = root / "templates" / "article.html"
    original_template = template.read_text(encoding="utf-8")
    url_path = f"articles/{article.stem}/"

    def edit_article(text: str) -> None:
        head, fence, body = original.partition("\n---\n")
        article.write_text(f"{head}{fence}{text}.\n\n{body}", encoding="utf-8")

    anchor = '<article class="story">'
    if anchor not in original_template:
        raise SystemExit(f"{template} has no {anchor!r} to put the probe after")

    def edit_template(text: str) -> None:
        template.write_text(original_template.replace(
            anchor, f'{anchor}\n<p class="probe">{text}</p>', 1), encoding="utf-8")

    started = time.perf_counter()
    server = Server(root)
    print(f"digest serve ready in {time.perf_counter() - started:.1f} s at {server.url} "
          f"({args.articles} articles)")
    results = [Series("article edit"), Series("template edit")]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(server.url + url_path)
            for number in range(args.edits):
                measure(page, server, results[0], edit_article, f"Article probe {number}")
            for number in range(args.edits):
                measure(page, server, results[1], edit_template, f"Template probe {number}")
            browser.close()
    except Exception:
        print("digest serve said:\n" + "".join(server.transcript[-30:]), file=sys.stderr)
        raise
    finally:
        article.write_text(original, encoding="utf-8")
        template.write_text(original_template, encoding="utf-8")
        server.stop()
    print(f"save-to-visible latency, {args.edits} edits each, on {os.cpu_count()} cores:")
    for series in results:
        print("  " + series.summary())
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(s) for s in results], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
