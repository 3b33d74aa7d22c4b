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
from digest.scan import Scan, scan
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
        self._without_file: frozenset[str] = frozenset()  # actors the curator was told of
        # the site files open in a browser; the server is made after this step, so it is
        # connected afterwards (see run)
        self.open_pages: Callable[[], frozenset[str]] = frozenset
        # serves the site under another base path and says where it is now (see run)
        self.move: Callable[[str], str] = lambda base_path: base_path

    def __call__(self, changed: frozenset[Path] | None) -> BuildResult:
        if self._rest is not None:  # the second half of a change whose open pages went first
            changed, self._rest = self._rest, None
            return self._build(changed)
        if changed is not None:
            for path in sorted(changed):
                kind = classify(path, self._kinds)
                self.say(f"{kind} changed: {display_path(path, self._root)}")
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
            self.say(f"open pages rebuilt in {(time.perf_counter() - started) * 1000:.0f} ms; "
                      "now the rest")
            self._check_base_path()  # before the open pages reload, since they link there
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
        self.say(f"built in {seconds * 1000:.0f} ms: {len(report.written)} written"
                  f"{removed}, {report.unchanged} unchanged ({report.pages} files in the site)")
        self._tell_actors_without_file(report.actors_without_file)
        if changed is None or any(p.name == CONFIG_FILE for p in changed):
            self._check_base_path()
        return BuildResult(changed=report.written + report.removed)

    def _tell_actors_without_file(self, names: tuple[str, ...]) -> None:
        """As `digest build` does, name the actors that have no file; then, once, each new
        one (a misspelt name in an article makes a page of its own, and nothing else shows)."""
        new = [name for name in names if name not in self._without_file]
        self._without_file = frozenset(names)
        if new:
            count = len(new)
            self.say(f"{count} {'actor has' if count == 1 else 'actors have'} no file in "
                     f"content/actors/: {', '.join(new)} (add one with: digest actor add NAME)")

    def _failed(self, error: DigestError) -> BuildResult:
        for problem in error.problems:
            self.say(f"error: {problem}", error=True)
        self.say("build failed; the previous pages stay up until the file is fixed",
                  error=True)
        return BuildResult(problems=tuple(
            BuildProblem(p.path, p.line, p.message, p.hint) for p in error.problems))

    def _check_base_path(self) -> None:
        """Follow an edited base_url: its path is in every link of the new pages."""
        try:
            now = self._builder.base_path
        except DigestError:
            return  # reported by the build
        if now != self._base_path:
            self._base_path = now
            self.say(f"base_url now puts the site under {now}: the preview is at "
                     f"{self.move(now)}")

    def say(self, text: str, error: bool = False) -> None:
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
        return preview(builder, host=args.host, port=args.port, open_browser=args.open)


def _until_interrupted(server: LiveReloadServer) -> None:
    while True:  # until Ctrl-C or SIGTERM
        # Woken now and then, not blocked for good: when the kernel hands the signal to
        # another thread, Python runs its handler only once this thread runs again.
        time.sleep(0.25)


def preview(builder: Builder, *, host: str = "127.0.0.1", port: int = 8000,
            open_browser: bool = False,
            until: Callable[[LiveReloadServer], None] = _until_interrupted,
            out: TextIO | None = None) -> int:
    """Build the builder's site, serve it and rebuild it on every change until `until`
    returns (by default: until Ctrl-C or SIGTERM). Returns the exit code."""
    out = out or sys.stdout
    step = _BuildStep(builder, builder.root, out)
    try:
        server = LiveReloadServer(builder.out, builder.base_path, step, host=host, port=port)
    except PortInUse as error:
        print(f"error: port {error.port} on {error.host} is already in use; stop the other "
              f"server or choose another port, e.g. --port {error.port + 1} "
              f"(--port 0 picks a free one)", file=sys.stderr)
        return 1
    step.open_pages = server.open_pages

    def move(base_path: str) -> str:
        server.move(base_path)
        return server.url

    step.move = move
    with server:
        return _serve(server, builder, step, open_browser, until)


def _serve(server: LiveReloadServer, builder: Builder, step: _BuildStep, open_browser: bool,
           until: Callable[[LiveReloadServer], None]) -> int:
    if not _is_loopback(server.host):
        step.say(f"warning: listening on {server.host}: other computers can see this preview",
                 error=True)
    previous_handler = None
    if threading.current_thread() is threading.main_thread():
        # `kill` should clean up like Ctrl-C does (the port, the event streams, the cache).
        previous_handler = signal.signal(signal.SIGTERM, _interrupt)
    watcher: SourceWatcher | None = None
    # Ctrl-C may come at any moment from here on, during the first build too.
    try:
        step.say(f"building {builder.root}")
        step.say(f"building into {server.site} (a private folder; site/ is not touched)")
        # What the sources are as the first build begins: a file saved while it runs (a
        # first build of a large digest takes a while) is found by comparing, below.
        before = _sources(builder)
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
        # From now on the watcher sees every save; those made before it watched are the
        # files that differ from the start (or, if that could not be told, everything).
        after = _sources(builder)
        if before is None or after is None:
            watcher.add((), everything=True)
        else:
            watcher.add(builder.root / key for key in before.keys() | after.keys()
                        if before.get(key) != after.get(key))
        step.say(f"serving {server.url}  (Ctrl-C to stop)")
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
        until(server)
    except KeyboardInterrupt:
        step.say("\nstopping")
    finally:
        if watcher is not None:
            watcher.stop()  # waits for a rebuild in progress
        builder.save()
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
    return 0


def _sources(builder: Builder) -> Scan | None:
    """Every source file's size and time (None if a folder cannot be read: the build says
    why)."""
    try:
        return scan(builder.root, [*builder.source_folders, *builder.source_files])
    except DigestError:
        return None
