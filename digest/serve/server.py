"""A live-reload HTTP server for a folder of static files.

It knows nothing about digest: it is handed the site folder, the URL path the site lives under,
and a builder callable. `rebuild(changed)` runs the builder while holding requests back (so no
page is ever served from a half-finished build) and then tells every open page, over
Server-Sent Events, to reload, to swap its stylesheets, or to show the build's errors.
The reload script is added to HTML as it is served; the files on disk never contain it.
"""

from __future__ import annotations

import html
import ipaddress
import json
import logging
import mimetypes
import queue
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

log = logging.getLogger(__name__)

EVENTS_PATH = "/__livereload/events"
# After a first part of a build, how long the rest may wait for open pages to reload.
RELOAD_GRACE = 0.5


@dataclass(frozen=True, slots=True)
class BuildProblem:
    """One build error as the browser overlay shows it."""

    file: str
    line: int | None
    message: str
    hint: str = ""


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a builder reports: output paths (relative to the site folder, posix) it wrote or
    removed, or the problems that stopped it (then the previous output must be intact).

    `more` says the builder did part of the work first (the pages open in a browser, say):
    the server tells the open pages, then calls it again with no new changes for the rest."""

    changed: tuple[str, ...] = ()
    problems: tuple[BuildProblem, ...] = ()
    more: bool = False


# The builder receives the changed source paths, or None for "check everything".
Builder = Callable[[frozenset[Path] | None], BuildResult]


@dataclass(frozen=True, slots=True)
class SiteState:
    """What open pages need to know: the site's version and whether the last build failed.
    The version changes whenever output files change; pages served at an older version
    are stale."""

    version: str
    problems: tuple[BuildProblem, ...] = ()
    css_only: bool = False
    changed: tuple[str, ...] = ()  # the files the last build changed (pages reload if theirs)

    def to_json(self) -> str:
        return json.dumps({
            "version": self.version,
            "problems": [{"file": p.file, "line": p.line, "message": p.message, "hint": p.hint}
                         for p in self.problems],
            "css_only": self.css_only,
            "changed": list(self.changed),
        })


_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
    ".webmanifest": "application/manifest+json",
}
_ATOM_ROOT = re.compile(rb"<feed\b[^>]*http://www\.w3\.org/2005/Atom")
_RSS_ROOT = re.compile(rb"<rss\b")


def content_type(path: Path, head: bytes) -> str:
    """The Content-Type for a site file; XML feeds are recognised by their root element."""
    suffix = path.suffix.lower()
    if suffix == ".xml":
        if _ATOM_ROOT.search(head):
            return "application/atom+xml"
        if _RSS_ROOT.search(head):
            return "application/rss+xml"
    known = _CONTENT_TYPES.get(suffix)
    if known is not None:
        return known
    guessed, _ = mimetypes.guess_type(path.name, strict=False)
    return guessed or "application/octet-stream"


class BadPath(ValueError):
    """A request path that cannot name a file (malformed or an attempt to leave the site)."""


def url_segments(raw_path: str) -> list[str]:
    """Decode a request target's path into segments, refusing anything that could leave the
    folder: dot segments, encoded slashes or backslashes, NUL, invalid UTF-8."""
    if not raw_path.startswith("/") or raw_path.startswith("//"):
        raise BadPath("not an origin-form path")  # absolute URLs, '*', scheme-relative
    path = raw_path.split("?", 1)[0].split("#", 1)[0]
    segments = []
    for raw in path.split("/")[1:]:
        try:
            segment = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            raise BadPath("invalid percent-encoding") from None
        if segment in (".", "..") or any(c in segment for c in "/\\\0"):
            raise BadPath(f"refused path segment {raw!r}")
        if any(ord(c) < 0x20 for c in segment):
            raise BadPath("control character in path")
        segments.append(segment)
    return segments


class _Gate:
    """Readers (requests) and one writer (the build) exclusion: a build waits for requests
    in flight and holds new ones back until it has finished, so a page and the stylesheet
    it links always come from the same build."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._building = False

    @contextmanager
    def reading(self, patience: float) -> Iterator[None]:
        with self._cond:
            # After `patience` seconds a stuck build must not hang the browser for ever.
            self._cond.wait_for(lambda: not self._building, timeout=patience)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def building(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._building)
            self._building = True
            self._cond.wait_for(lambda: self._readers == 0, timeout=5.0)
        try:
            yield
        finally:
            with self._cond:
                self._building = False
                self._cond.notify_all()


class _Subscribers:
    """Open event streams; each gets its own queue so a slow page cannot stall others."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[queue.Queue[str | None], str] = {}  # inbox -> the page it serves
        self._closed = False

    def subscribe(self, page: str = "") -> queue.Queue[str | None]:
        inbox: queue.Queue[str | None] = queue.Queue()
        with self._lock:
            if self._closed:
                inbox.put(None)
            else:
                self._queues[inbox] = page
        return inbox

    def unsubscribe(self, inbox: queue.Queue[str | None]) -> None:
        with self._lock:
            self._queues.pop(inbox, None)

    def pages(self) -> frozenset[str]:
        with self._lock:
            return frozenset(page for page in self._queues.values() if page)

    def publish(self, message: str) -> None:
        with self._lock:
            for inbox in self._queues:
                inbox.put(message)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for inbox in self._queues:
                inbox.put(None)
            self._queues.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._queues)


@dataclass(slots=True)
class _Versions:
    """The server's build counter; the epoch makes versions from an earlier run differ."""

    epoch: str = field(default_factory=lambda: format(time.time_ns(), "x"))
    count: int = 0

    def next(self) -> str:
        self.count += 1
        return f"{self.epoch}.{self.count}"


def _sse(event: str, data: str) -> str:
    return f"event: {event}\ndata: {data}\n\n"


class PortInUse(OSError):
    """The address is taken by another process."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(f"{host}:{port} is already in use")
        self.host = host
        self.port = port


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a page load fires many requests at once
    allow_reuse_address = True  # restart right after Ctrl-C despite TIME_WAIT sockets
    allow_reuse_port = False  # two servers on one port would silently share requests

    def __init__(self, address: tuple[str, int], app: LiveReloadServer) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.app = app
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-response is normal; anything else is logged, and the
        # server goes on serving the other requests.
        log.debug("request from %s failed", client_address, exc_info=True)


class LiveReloadServer:
    """Serves `site` under `base_path` on host:port, with live reload.

    Call `rebuild(None)` once for the first build, `start()` to accept requests on a thread,
    `rebuild(paths)` on every change, `shutdown()` at the end (closes streams and the port).
    """

    def __init__(self, site: Path, base_path: str, builder: Builder, *,
                 host: str = "127.0.0.1", port: int = 8000, heartbeat: float = 15.0,
                 patience: float = 60.0) -> None:
        _check_base_path(base_path)
        self.site = site.resolve()
        self.base_path = base_path
        self._former_base_paths: tuple[str, ...] = ()  # newest first
        self._builder = builder
        self.heartbeat = heartbeat
        self.patience = patience
        self._gate = _Gate()
        self._subscribers = _Subscribers()
        self._versions = _Versions()
        self._served = threading.Condition()
        self._served_at: dict[str, float] = {}  # site file -> when it was last sent
        self._state_lock = threading.Lock()
        self._state = SiteState(self._versions.next())
        package = resources.files(__name__.rpartition(".")[0])
        self._script = (package / "reload.js").read_text(encoding="utf-8")
        self._thread: threading.Thread | None = None
        try:
            self._httpd = _HTTPServer((host, port), self)
        except OSError as error:
            if error.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                raise PortInUse(host, port) from None
            raise

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.base_path}"

    @property
    def state(self) -> SiteState:
        with self._state_lock:
            return self._state

    @property
    def open_streams(self) -> int:
        return len(self._subscribers)

    def open_pages(self) -> frozenset[str]:
        """The site files (relative paths) that pages with a live event stream show."""
        return self._subscribers.pages()

    def move(self, base_path: str) -> None:
        """Serve the site under another path from now on (its base_url changed); an address
        under an earlier one is sent to the same place under the new one, so that an open
        page reloads from its new address."""
        _check_base_path(base_path)
        if base_path != self.base_path:
            former = (self.base_path, *self._former_base_paths)
            self._former_base_paths = tuple(p for p in former if p != base_path)
            self.base_path = base_path  # one assignment: a request sees the old or the new
            log.info("now serving at %s", self.url)

    def moved_address(self, segments: list[str]) -> str | None:
        """Where a request under a former base path now is (None if under none)."""
        for former in self._former_base_paths:
            base = [s for s in former.split("/") if s]
            if segments[:len(base)] == base:
                return self.base_path + "/".join(segments[len(base):])
        return None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={
            "poll_interval": 0.1}, name="serve-http", daemon=True)
        self._thread.start()
        log.info("serving %s at %s", self.site, self.url)

    def rebuild(self, changed: frozenset[Path] | None) -> BuildResult:
        """Run the builder with requests held back, then tell open pages what happened; again
        (with no new changes) for as long as the builder says it has more to do."""
        result = self._rebuild_once(changed, hold_requests=True)
        while result.more and not result.problems:
            # The open pages are new already and their readers reload now: let them load before
            # the rest is built (it competes for the processor), while requests go on (the
            # builder replaces each file whole).
            self._await_reloads(result.changed, RELOAD_GRACE)
            result = self._rebuild_once(frozenset(), hold_requests=False)
        return result

    def _await_reloads(self, pages: tuple[str, ...], timeout: float) -> None:
        since = time.monotonic()
        waiting = set(pages) & self.open_pages()
        with self._served:
            self._served.wait_for(lambda: all(self._served_at.get(page, 0.0) > since
                                               for page in waiting), timeout=timeout)

    def served(self, page: str) -> None:
        """A page (a site file) was sent to a browser."""
        with self._served:
            self._served_at[page] = time.monotonic()
            self._served.notify_all()

    def _rebuild_once(self, changed: frozenset[Path] | None, hold_requests: bool) -> BuildResult:
        with self._gate.building() if hold_requests else nullcontext():
            try:
                result = self._builder(changed)
            except Exception as error:  # a builder bug must not take the server down
                log.exception("the builder failed")
                result = BuildResult(problems=(BuildProblem(
                    "(builder)", None, f"{type(error).__name__}: {error}",
                    "see the terminal for the traceback"),))
            with self._state_lock:
                previous = self._state
                if result.problems:
                    state = SiteState(previous.version, result.problems)
                elif result.changed:
                    css_only = all(p.endswith(".css") for p in result.changed)
                    state = SiteState(self._versions.next(), css_only=css_only,
                                      changed=result.changed)
                else:
                    state = SiteState(previous.version)
                self._state = state
        if state != previous or result.changed:
            self._subscribers.publish(_sse("build", state.to_json()))
        return result

    def shutdown(self) -> None:
        """Close event streams, stop accepting, release the port. Safe to call twice."""
        self._subscribers.close()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> LiveReloadServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # ----- used by the request handler -----

    def allows_host(self, header: str | None) -> bool:
        """On a loopback address, only requests addressed to this computer by name are
        answered: a web page elsewhere cannot read the preview through a DNS name of its own
        that it points at 127.0.0.1 (DNS rebinding)."""
        if header is None or not ipaddress.ip_address(self.host).is_loopback:
            return True
        name = header.strip().lower()
        name = name[1:].split("]", 1)[0] if name.startswith("[") else name.rsplit(":", 1)[0]
        if name.endswith(".localhost") or name == "localhost":
            return True
        try:
            return ipaddress.ip_address(name).is_loopback
        except ValueError:
            return False

    def inject(self, page: bytes, state: SiteState, path: str = "") -> bytes:
        """The page with the reload script (and the error overlay when the build is broken)
        added before </body>. `path` is the page's file in the site, if it is one."""
        parts = []
        if state.problems:
            parts.append(_overlay_html(state.problems))
        parts.append(f'<script data-events="{EVENTS_PATH}" data-version="{state.version}" '
                     f'data-page="{html.escape(path, quote=True)}">{self._script}</script>')
        addition = "\n".join(parts).encode()
        position = page.lower().rfind(b"</body>")
        if position < 0:
            return page + addition
        return page[:position] + addition + page[position:]

    def stream_events(self, write: Callable[[bytes], None], page: str = "") -> None:
        """Feed one event stream until the client leaves or the server shuts down.
        `page` is the site file the listening page shows."""
        inbox = self._subscribers.subscribe(page)
        try:
            # Reconnect quickly after a restart: the curator is waiting for the page.
            write(b"retry: 500\n\n" + _sse("hello", self.state.to_json()).encode())
            while True:
                try:
                    message = inbox.get(timeout=self.heartbeat)
                except queue.Empty:
                    write(b": ping\n\n")  # finds dead connections
                    continue
                if message is None:
                    return
                write(message.encode())
        finally:
            self._subscribers.unsubscribe(inbox)

    @contextmanager
    def reading(self) -> Iterator[SiteState]:
        """Hold the build back while a file is read; yields the state the file belongs to."""
        with self._gate.reading(self.patience):
            yield self.state


def _check_base_path(base_path: str) -> None:
    if not base_path.startswith("/") or not base_path.endswith("/"):
        raise ValueError(f"base path must start and end with '/': {base_path!r}")


def _overlay_html(problems: tuple[BuildProblem, ...]) -> str:
    """The overlay for a page loaded while the build is broken (reload.js draws the same)."""
    items = []
    for problem in problems:
        where = problem.file if problem.line is None else f"{problem.file}:{problem.line}"
        hint = f"\n  ({html.escape(problem.hint)})" if problem.hint else ""
        items.append('<pre class="livereload-problem" style="white-space:pre-wrap;margin:0 0 '
                     '1rem;padding:0;font:inherit;color:inherit;background:none">'
                     f'<strong class="livereload-where">{html.escape(where)}</strong>: '
                     f"{html.escape(problem.message)}{hint}</pre>")
    return ('<div id="livereload-overlay" role="alert" style="position:fixed;inset:0;'
            "z-index:2147483647;overflow:auto;margin:0;padding:2rem;"
            "background:rgba(24,24,24,.94);color:#f4f4f4;"
            'font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace">'
            '<h2 style="color:#ff6b6b;font:bold 18px/1.4 sans-serif;margin:0 0 1rem">'
            "Build failed</h2>" + "".join(items) +
            '<p style="color:#aaa;margin:0">Fix the file and save: this page recovers by itself.'
            "</p></div>")


def _find(site: Path, inner: list[str]) -> Path | str | None:
    """The file a URL path (segments below the base path) names inside `site`: a Path, a
    redirect target (a folder asked for without its trailing slash), or None for not found.
    Symlinks are followed only while they stay inside the site."""
    try:
        resolved = site.joinpath(*inner).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, too long, or a symlink loop
        return None
    if not resolved.is_relative_to(site):
        return None
    trailing_slash = not inner or inner[-1] == ""
    if resolved.is_dir():
        if not trailing_slash:
            return inner[-1] + "/"  # relative: keeps the base path and any parent folders
        resolved = resolved / "index.html"
        return resolved if resolved.is_file() else None
    if trailing_slash or not resolved.is_file():
        return None
    return resolved


_FALLBACK_404 = (b"<!doctype html><html><head><meta charset=utf-8><title>Not found</title>"
                 b"</head><body><h1>Not found</h1></body></html>")


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "livereload"
    protocol_version = "HTTP/1.0"  # one request per connection: nothing idle to clean up
    # Answer even unparseable requests with a status line (HTTP/0.9 replies have none).
    default_request_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        app = self.server.app
        if not app.allows_host(self.headers.get("Host")):
            self.send_error(HTTPStatus.BAD_REQUEST, "unexpected Host header")
            return
        try:
            segments = url_segments(self.path)
        except BadPath as error:
            self.send_error(HTTPStatus.BAD_REQUEST, str(error))
            return
        path = "/" + "/".join(segments)
        if path == EVENTS_PATH and send_body:
            self._events(_query_value(self.path, "page"))
            return
        query = self.path.partition("?")[2].partition("#")[0]  # kept by every redirect
        base_path = app.base_path  # read once: a rebuild may move the site meanwhile
        if path == "/" and base_path != "/":
            self._redirect(base_path, query)
            return
        if path + "/" == base_path:
            self._redirect(base_path, query)
            return
        base = [s for s in base_path.split("/") if s]
        found: Path | str | None = None
        body = b""
        if segments[:len(base)] == base:
            with app.reading() as state:
                found = _find(app.site, segments[len(base):])
                if isinstance(found, Path):
                    try:
                        body = found.read_bytes()
                    except OSError:
                        found = None
        else:
            state = app.state
        if found is None and (moved := app.moved_address(segments)) is not None:
            # a page open under a base path the site had before base_url was edited
            self._redirect(moved, query)
            return
        # The response is written after the gate is released: a slow client must not delay
        # the next build.
        if found is None:
            self._not_found(send_body, state)
        elif isinstance(found, str):
            self._redirect(found, query)
        else:
            self._send(HTTPStatus.OK, content_type(found, body[:512]), body, send_body, state,
                       found.relative_to(app.site).as_posix())

    def _not_found(self, send_body: bool, state: SiteState | None = None) -> None:
        app = self.server.app
        try:
            body = (app.site / "404.html").read_bytes()
        except OSError:
            body = _FALLBACK_404
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", body, send_body,
                   state or app.state)

    def _send(self, status: HTTPStatus, kind: str, body: bytes, send_body: bool,
              state: SiteState, page: str = "") -> None:
        if kind.startswith("text/html"):
            body = self.server.app.inject(body, state, page)
            if page and status == HTTPStatus.OK and send_body:
                self.server.app.served(page)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _redirect(self, location: str, query: str = "") -> None:
        """To a path (not yet percent-encoded), with the request's query (as it came)."""
        self.send_response(HTTPStatus.FOUND)
        # a header is ASCII: a base path in another script (/новости/) goes percent-encoded
        self.send_header("Location", urllib.parse.quote(location, safe="/%")
                         + (f"?{query}" if query else ""))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _events(self, page: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

        def write(data: bytes) -> None:
            self.wfile.write(data)
            self.wfile.flush()

        with suppress(OSError):  # the page went away
            self.server.app.stream_events(write, page)


def _query_value(target: str, name: str) -> str:
    """One query parameter of a request target ("" when absent or malformed)."""
    query = target.partition("?")[2].partition("#")[0]
    try:
        values = parse_qs(query, errors="strict").get(name)
    except (UnicodeDecodeError, ValueError):
        return ""
    return values[0] if values else ""
