"""`digest build [--root DIR] [--out DIR] [--drafts]`"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import TextIO

from digest.build import Builder
from digest.config import CONFIG_FILE, DEFAULT_BASE_URL, check_root

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the digest folder (holding digest.yaml and content/); default: .")
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the site; default: ROOT/site")
    parser.add_argument("--drafts", action="store_true", help="include articles marked draft")
    parser.add_argument("--base-url", default=None,
                        help="publish under this address instead of digest.yaml's base_url")
    parser.add_argument("--no-cache", action="store_true",
                        help="ignore .digest-cache/ and build every page from scratch")


class ProgressLine:
    """One line on a terminal, redrawn at most ten times a second, cleared at the end."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = 0.0
        self.width = 0

    def __call__(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.shown < 0.1 and done < total:
            return
        self.shown = now
        text = f"{what}: {done:,} of {total:,}"
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def clear(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def run(args: argparse.Namespace) -> int:
    check_root(args.root)
    if args.base_url is None and not (args.root / CONFIG_FILE).is_file():
        # not an error (a digest may keep every default), but its pages would name the
        # preview's address as theirs in canonical links, Open Graph tags and feeds
        log.warning("%s: no such file, so the site's address is the default %s, which every "
                    "page's canonical link and the feeds name (add it with base_url: ADDRESS, "
                    "or pass --base-url)", CONFIG_FILE, DEFAULT_BASE_URL)
    line = ProgressLine(sys.stderr) if sys.stderr.isatty() else None
    builder = Builder(args.root, args.out, drafts=args.drafts, base_url=args.base_url,
                      use_cache=not args.no_cache, progress=line)
    try:
        report = builder.build()
    finally:
        if line is not None:
            line.clear()
    print(f"built {builder.out}: {report.pages} files ({len(report.written)} written, "
          f"{report.unchanged} unchanged, {len(report.removed)} removed) "
          f"in {report.seconds:.2f}s")
    if report.actors_without_file:
        names = ", ".join(report.actors_without_file)
        count = len(report.actors_without_file)
        print(f"{count} {'actor has' if count == 1 else 'actors have'} no file in "
              f"content/actors/: {names} (add one with: digest actor add NAME)")
    return 0
