"""`digest serve`: build into a private folder, serve it with live reload, rebuild on change.

This module is the glue between digest's Builder and the generic server and watcher; it is
also the only part of `serve` that prints, since it is the command line.
"""

from __future__ import annotations

import argparse
import fcntl
import ipaddress
import shutil
import signal
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from digest.cache import CACHE_DIR
from digest.config import CONFIG_FILE, check_root
from digest.errors import DigestError, display_path
from digest.serve.server import BuildProblem, BuildResult, LiveReloadServer, PortInUse
from digest.serve.watch import ChangeBatch, SourceWatcher, classify
from digest.workers import default_workers

if TYPE_CHECKING:
    from digest.build import Builder


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the digest folder (with digest.yaml); default: here")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this computer only)")
    parser.add_argument("--port", type=int, default=8000,
                        help="port to listen on (default 8000; 0 picks a free one)")
    parser.add_argument("--drafts", action="store_true", help="include draft articles")
    parser.add_argument("--open", action="store_true", help="open the site in a web browser")


def _kinds(root: Path) -> dict[Path, str]:
    return {root / "content": "content", root / "templates": "template",
            root / "static": "static", root / "digest.yaml": "config"}


class _BuildStep:
    """Adapts digest's Builder to the server's builder callable and reports each build."""

    def __init__(self, builder: Builder, root: Path, out: TextIO) -> None:
        self._builder = builder
        self._base_path = builder.base_path
        self._root = root
        self._kinds = _kinds(root)
        self._out = out
        self._rest: frozenset[Path] | None = None  # changes whose full build is still to come
        # the site files open in a browser; the server is made after this step, so it is
        # connected afterwards (see run)
        self.open_pages: Callable[[], frozenset[str]] = frozenset

    def __call__(self, changed: frozenset[Path] | None) -> BuildResult:
        if self._rest is not None:  # the second half of a change whose open pages went first
            changed, self._rest = self._rest, None
            return self._build(changed)
        if changed is not None:
            for path in sorted(changed):
                kind = classify(path, self._kinds)
                self._say(f"{kind} changed: {display_path(path, self._root)}")
        pages = self.open_pages()
        if changed and pages and any(classify(p, self._kinds) in ("template", "config")
                                     for p in changed):
            # Every page depends on templates and settings: render the pages open in a
            # browser first, so the curator sees the edit at once, then the rest.
            started = time.perf_counter()
            try:
                report = self._builder.build_pages(pages, changed)
            except DigestError as error:
                return self._failed(error)
            self._say(f"open pages rebuilt in {(time.perf_counter() - started) * 1000:.0f} ms; "
                      "now the rest")
            self._rest = changed
            return BuildResult(changed=report.written, more=True)
        return self._build(changed)

    def _build(self, changed: frozenset[Path] | None) -> BuildResult:
        started = time.perf_counter()
        try:
            # The Builder checks every input's size and time itself; naming the changed
            # files makes it re-read them even when an editor kept both the same.
            report = self._builder.build(changed)
        except DigestError as error:
            return self._failed(error)
        # Wall time around the whole call (cache saving included): what the curator waits for.
        seconds = time.perf_counter() - started
        removed = f", {len(report.removed)} removed" if report.removed else ""
        self._say(f"built in {seconds * 1000:.0f} ms: {len(report.written)} written"
                  f"{removed}, {report.unchanged} unchanged ({report.pages} files in the site)")
        if changed is not None and any(p.name == CONFIG_FILE for p in changed):
            self._check_base_path()
        return BuildResult(changed=report.written + report.removed)

    def _failed(self, error: DigestError) -> BuildResult:
        for problem in error.problems:
            self._say(f"error: {problem}", error=True)
        self._say("build failed; the previous pages stay up until the file is fixed",
                  error=True)
        return BuildResult(problems=tuple(
            BuildProblem(p.path, p.line, p.message, p.hint) for p in error.problems))

    def _check_base_path(self) -> None:
        try:
            now = self._builder.base_path
        except DigestError:
            return  # reported by the build
        if now != self._base_path:
            self._say(f"warning: base_url now puts the site under {now}, but this preview "
                      f"serves it under {self._base_path}: restart digest serve", error=True)

    def _say(self, text: str, error: bool = False) -> None:
        print(text, file=sys.stderr if error else self._out, flush=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def _private_site(root: Path) -> Iterator[tuple[Path, bool]]:
    """Where the preview is built: .digest-cache/serve-site/ under the digest (kept between
    sessions, so a restart rebuilds only what changed meanwhile), or a temporary folder when
    another `digest serve` of the same digest holds that one. Never site/.
    Yields the folder and whether it outlives this session."""
    cache = root / CACHE_DIR
    cache.mkdir(exist_ok=True)
    with (cache / "serve.lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            temporary = Path(tempfile.mkdtemp(prefix="digest-serve-"))
            try:
                yield temporary, False
            finally:
                shutil.rmtree(temporary, ignore_errors=True)
            return
        yield cache / "serve-site", True  # the lock goes with the file


def run(args: argparse.Namespace) -> int:
    from digest.build import Builder  # the build stack is heavy; load it only when serving

    check_root(Path(args.root))
    root = Path(args.root).resolve()
    with _private_site(root) as (site, lasting):
        # The cache stays in memory between rebuilds (writing it takes longer than a
        # one-article rebuild) and is saved after the first build and on the way out; a
        # temporary folder's cache would be of no use to anyone later.
        # No worker processes (but for the first build, see _serve): forking a process that
        # runs server threads is not safe.
        # The watcher reports every changed file (or "everything" when unsure), so a rebuild
        # looks only at those.
        builder = Builder(root, site, drafts=args.drafts, use_cache=lasting, autosave=False,
                          workers=1, trust_changes=True)
        step = _BuildStep(builder, root, sys.stdout)
        try:
            server = LiveReloadServer(site, builder.base_path, step, host=args.host,
                                      port=args.port)
        except PortInUse as error:
            print(f"error: port {error.port} on {error.host} is already in use; stop the other "
                  f"server or choose another port, e.g. --port {error.port + 1} "
                  f"(--port 0 picks a free one)", file=sys.stderr)
            return 1
        step.open_pages = server.open_pages
        with server:
            return _serve(server, builder, root, args)


def _serve(server: LiveReloadServer, builder: Builder, root: Path,
           args: argparse.Namespace) -> int:
    if not _is_loopback(args.host):
        print(f"warning: listening on {args.host}: other computers can see this preview",
              file=sys.stderr)
    if threading.current_thread() is threading.main_thread():
        # `kill` should clean up like Ctrl-C does (the port, the event streams, the cache).
        signal.signal(signal.SIGTERM, _interrupt)
    watcher: SourceWatcher | None = None
    # Ctrl-C may come at any moment from here on, during the first build too.
    try:
        print(f"building {root}", flush=True)
        print(f"building into {server.site} (a private folder; site/ is not touched)",
              flush=True)
        # The port listens from the start, so a browser opened now waits for the first build
        # rather than failing to connect. Until the build is done nothing accepts: no thread
        # runs yet, so this build, the longest, may fork worker processes (later ones must
        # not: a fork copies a process whose other threads may hold locks).
        if threading.active_count() == 1:
            builder.workers = default_workers()
        try:
            server.rebuild(None)
        finally:
            builder.workers = 1
        server.start()
        builder.save()

        def on_change(batch: ChangeBatch) -> None:
            server.rebuild(None if batch.everything else batch.paths)

        watcher = SourceWatcher(builder.source_folders, builder.source_files, on_change)
        watcher.start()
        print(f"serving {server.url}  (Ctrl-C to stop)", flush=True)
        if args.open:
            threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
        while True:  # until Ctrl-C or SIGTERM
            # Woken now and then, not blocked for good: when the kernel hands the signal to
            # another thread, Python runs its handler only once this thread runs again.
            time.sleep(0.25)
    except KeyboardInterrupt:
        print("\nstopping", flush=True)
    finally:
        if watcher is not None:
            watcher.stop()  # waits for a rebuild in progress
        builder.save()
    return 0
