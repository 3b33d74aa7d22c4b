"""The generic live-reload server, fed by a builder that copies a folder.

The server knows nothing about digest, so these tests use the simplest builder there is; the
`digest serve` command with the real Builder is tested in test_serve_command.py and
test_serve_browser.py.
"""

from __future__ import annotations

import http.client
import os
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from digest.serve.server import BuildProblem, BuildResult, LiveReloadServer, PortInUse

ATOM = ('<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>\n')
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


class CopyBuilder:
    """Copies src/ into the site folder; a file named BROKEN holds 'file:line:message' and
    makes the build fail without touching the output, as a real builder must."""

    def __init__(self, source: Path, site: Path) -> None:
        self.source = source
        self.site = site
        self.calls: list[frozenset[Path] | None] = []
        self.between_files: threading.Event | None = None

    def __call__(self, changed: frozenset[Path] | None) -> BuildResult:
        self.calls.append(changed)
        broken = self.source / "BROKEN"
        if broken.exists():
            file, line, message = broken.read_text().strip().split(":", 2)
            return BuildResult(problems=(BuildProblem(file, int(line), message, "fix it"),))
        written: list[str] = []
        for path in sorted(self.source.rglob("*")):
            if path.is_dir():
                continue
            relative = path.relative_to(self.source).as_posix()
            target = self.site / relative
            data = path.read_bytes()
            if target.exists() and target.read_bytes() == data:
                continue
            if self.between_files is not None and written:
                self.between_files.set()
                threading.Event().wait(0.3)  # a window in which a request could see half
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(target.name + ".partial")
            temporary.write_bytes(data)
            os.replace(temporary, target)
            written.append(relative)
        return BuildResult(changed=tuple(written))


def page(body: str, title: str = "Page") -> str:
    return (f"<!doctype html><html><head><title>{title}</title>"
            f'<link rel="stylesheet" href="/digest/style.css"></head>'
            f"<body>{body}</body></html>")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "articles" / "first").mkdir(parents=True)
    (src / "index.html").write_text(page("<h1>Home</h1>"))
    (src / "404.html").write_text(page("<h1>Nothing here</h1>", "Not found"))
    (src / "articles" / "first" / "index.html").write_text(page("<p>First article</p>"))
    (src / "style.css").write_text("body { color: black }\n")
    (src / "app.js").write_text("console.log('hi');\n")
    (src / "feed.xml").write_text(ATOM)
    (src / "sitemap.xml").write_text('<?xml version="1.0"?><urlset></urlset>\n')
    (src / "search.json").write_text('{"pages": []}\n')
    (src / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    (src / "dot.png").write_bytes(PNG)
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    return src


@pytest.fixture
def builder(source: Path, tmp_path: Path) -> CopyBuilder:
    site = tmp_path / "site"
    site.mkdir()
    return CopyBuilder(source, site)


@pytest.fixture
def server(builder: CopyBuilder) -> Iterator[LiveReloadServer]:
    app = LiveReloadServer(builder.site, "/digest/", builder, port=0, heartbeat=0.5)
    app.rebuild(None)
    app.start()
    yield app
    app.shutdown()


def get(server: LiveReloadServer, path: str, method: str = "GET") -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(method, path)
    response = connection.getresponse()
    response.read()  # cached on the response; the connection can go
    connection.close()
    return response


def fetch(server: LiveReloadServer, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def raw_request(server: LiveReloadServer, data: bytes) -> bytes:
    """Send bytes as they are (http.client would normalise or refuse them)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(data)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


class EventStream:
    """A Server-Sent Events client reading one event at a time."""

    def __init__(self, server: LiveReloadServer, page: str = "") -> None:
        self.socket = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        query = f"?page={page}" if page else ""
        self.socket.sendall(f"GET /__livereload/events{query} HTTP/1.1\r\nHost: 127.0.0.1"
                            "\r\n\r\n".encode())
        self.buffer = b""
        head = self._until(b"\r\n\r\n")
        assert b"200" in head.split(b"\r\n")[0]
        assert b"text/event-stream" in head

    def _until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            chunk = self.socket.recv(65536)
            if not chunk:
                raise EOFError("stream closed")
            self.buffer += chunk
        item, self.buffer = self.buffer.split(marker, 1)
        return item

    def next_event(self) -> tuple[str, str]:
        """The next named event (comments, pings and retry lines skipped)."""
        while True:
            block = self._until(b"\n\n").decode()
            fields = dict(line.split(": ", 1) for line in block.splitlines()
                          if ": " in line and not line.startswith(":"))
            if "event" in fields:
                return fields["event"], fields["data"]

    def close(self) -> None:
        self.socket.close()


# ----- where the site lives -----

def test_the_root_redirects_to_the_base_path(server: LiveReloadServer) -> None:
    response = get(server, "/")
    assert response.status == 302
    assert response.getheader("Location") == "/digest/"
    assert get(server, "/digest").getheader("Location") == "/digest/"


def test_a_base_path_in_another_script_is_redirected_to_and_served(
        builder: CopyBuilder) -> None:
    app = LiveReloadServer(builder.site, "/новости/", builder, port=0, heartbeat=0.5)
    app.rebuild(None)
    app.start()
    try:
        response = get(app, "/")
        assert response.status == 302
        assert response.getheader("Location") == "/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/"
        status, _, body = fetch(app, response.getheader("Location") or "")
        assert status == 200 and b"<h1>Home</h1>" in body
    finally:
        app.shutdown()


def test_a_site_moved_to_another_base_path_is_served_there_and_old_addresses_follow(
        server: LiveReloadServer) -> None:
    """base_url edited while serving: the pages now link under the new path, and a page open
    under the old one reloads from there."""
    server.move("/news/")
    assert server.url.endswith("/news/")
    status, _, body = fetch(server, "/news/articles/first/")
    assert status == 200 and b"First article" in body
    response = get(server, "/digest/articles/first/?q=1")
    assert response.status == 302
    assert response.getheader("Location") == "/news/articles/first/?q=1"
    assert get(server, "/").getheader("Location") == "/news/"
    assert get(server, "/digest/").getheader("Location") == "/news/"
    assert fetch(server, "/digest/no-such-page/")[0] == 302  # followed, then not found there
    server.move("/")
    assert get(server, "/news/articles/first/").getheader("Location") == "/articles/first/"
    assert get(server, "/digest/articles/first/").getheader("Location") == "/articles/first/"
    assert fetch(server, "/articles/first/")[0] == 200


def test_pages_are_served_under_the_base_path(server: LiveReloadServer) -> None:
    status, _, body = fetch(server, "/digest/")
    assert status == 200 and b"<h1>Home</h1>" in body
    status, _, body = fetch(server, "/digest/articles/first/")
    assert status == 200 and b"First article" in body
    status, _, body = fetch(server, "/digest/articles/first/index.html?x=1")
    assert status == 200 and b"First article" in body


def test_a_folder_without_its_slash_redirects_to_it(server: LiveReloadServer) -> None:
    response = get(server, "/digest/articles/first")
    assert response.status == 302
    assert response.getheader("Location") == "first/"
    assert get(server, "/digest/articles/first?q=ghaani").getheader("Location") == (
        "first/?q=ghaani")
    assert get(server, "/?q=ghaani").getheader("Location") == "/digest/?q=ghaani"


def test_paths_outside_the_base_path_are_not_found(server: LiveReloadServer) -> None:
    status, _, body = fetch(server, "/style.css")
    assert status == 404 and b"Nothing here" in body


def test_a_missing_page_gets_the_sites_404_page_with_status_404(
        server: LiveReloadServer) -> None:
    status, headers, body = fetch(server, "/digest/no/such/page/")
    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert b"Nothing here" in body
    assert b"/__livereload/events" in body  # a 404 page reloads too once the page exists


def test_without_a_404_page_a_plain_one_is_served(
        server: LiveReloadServer, builder: CopyBuilder) -> None:
    (builder.site / "404.html").unlink()
    status, _, body = fetch(server, "/digest/missing")
    assert status == 404 and b"Not found" in body


@pytest.mark.parametrize(("path", "expected"), [
    ("/digest/", "text/html; charset=utf-8"),
    ("/digest/style.css", "text/css; charset=utf-8"),
    ("/digest/app.js", "text/javascript; charset=utf-8"),
    ("/digest/feed.xml", "application/atom+xml"),
    ("/digest/sitemap.xml", "application/xml"),
    ("/digest/search.json", "application/json"),
    ("/digest/logo.svg", "image/svg+xml"),
    ("/digest/dot.png", "image/png"),
])
def test_content_types(server: LiveReloadServer, path: str, expected: str) -> None:
    status, headers, _ = fetch(server, path)
    assert status == 200
    assert headers["content-type"] == expected
    assert headers["x-content-type-options"] == "nosniff"


def test_files_are_served_byte_for_byte(server: LiveReloadServer, source: Path) -> None:
    assert fetch(server, "/digest/dot.png")[2] == PNG
    assert fetch(server, "/digest/style.css")[2] == (source / "style.css").read_bytes()


def test_head_sends_the_headers_of_get_without_a_body(server: LiveReloadServer) -> None:
    for path in ("/digest/", "/digest/style.css", "/digest/missing"):
        _, get_headers, get_body = fetch(server, path)
        response = get(server, path, "HEAD")
        assert response.read() == b""
        assert response.getheader("Content-Length") == str(len(get_body))
        assert response.getheader("Content-Type") == get_headers["content-type"]
    raw = raw_request(server, b"HEAD /digest/ HTTP/1.0\r\n\r\n")
    assert raw.endswith(b"\r\n\r\n")  # nothing after the headers


# ----- the reload script -----

def test_the_script_is_added_to_served_html_only(
        server: LiveReloadServer, builder: CopyBuilder) -> None:
    body = fetch(server, "/digest/articles/first/")[2]
    assert body.count(b"<script data-events=") == 1
    assert body.index(b"<script data-events=") < body.index(b"</body>")
    on_disk = (builder.site / "articles" / "first" / "index.html").read_bytes()
    assert b"<script" not in on_disk
    assert fetch(server, "/digest/style.css")[2] == (builder.site / "style.css").read_bytes()
    assert b"<script" not in fetch(server, "/digest/feed.xml")[2]


def test_html_without_a_body_tag_gets_the_script_at_the_end(
        server: LiveReloadServer, builder: CopyBuilder) -> None:
    (builder.site / "bare.html").write_text("<p>bare")
    body = fetch(server, "/digest/bare.html")[2]
    assert body.startswith(b"<p>bare<script")


# ----- not leaving the site -----

@pytest.fixture
def symlinks_out(builder: CopyBuilder, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP SECRET")
    (builder.site / "folder-out").symlink_to(outside, target_is_directory=True)
    (builder.site / "file-out.txt").symlink_to(tmp_path / "secret.txt")


@pytest.mark.usefixtures("symlinks_out")
@pytest.mark.parametrize("target", [
    "/digest/../secret.txt",
    "/digest/../../secret.txt",
    "/digest/%2e%2e/secret.txt",
    "/digest/%2E%2E/secret.txt",
    "/digest/.%2e/secret.txt",
    "/digest/..%2fsecret.txt",
    "/digest/%2e%2e%2fsecret.txt",
    "/digest/%2e%2e%5csecret.txt",
    "/digest/..\\secret.txt",
    "/digest/articles/..%2f..%2f..%2fsecret.txt",
    "/digest/%252e%252e/secret.txt",
    "/digest/./../secret.txt",
    "/digest/secret.txt%00.html",
    "/digest/%00",
    "/digest/%c0%ae%c0%ae/secret.txt",
    "//secret.txt",
    "/digest//../secret.txt",
    "/digest/folder-out/secret.txt",
    "/digest/file-out.txt",
    "http://127.0.0.1/digest/../secret.txt",
    "*",
])
def test_traversal_attempts_never_reach_files_outside_the_site(
        server: LiveReloadServer, target: str) -> None:
    response = raw_request(server, f"GET {target} HTTP/1.0\r\n\r\n".encode())
    assert status_of(response) in (400, 404)
    assert b"TOP SECRET" not in response


def test_an_absolute_path_in_a_segment_stays_inside_the_site(
        server: LiveReloadServer, tmp_path: Path) -> None:
    target = "/digest/" + str(tmp_path / "secret.txt").lstrip("/")
    response = raw_request(server, f"GET {target} HTTP/1.0\r\n\r\n".encode())
    assert status_of(response) == 404 and b"TOP SECRET" not in response
    encoded = "/digest/" + str(tmp_path / "secret.txt").replace("/", "%2f")
    response = raw_request(server, f"GET {encoded} HTTP/1.0\r\n\r\n".encode())
    assert status_of(response) == 400 and b"TOP SECRET" not in response


def test_symlinks_inside_the_site_are_followed(
        server: LiveReloadServer, builder: CopyBuilder) -> None:
    (builder.site / "alias.css").symlink_to(builder.site / "style.css")
    assert fetch(server, "/digest/alias.css")[0] == 200


@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", 200), ("127.0.0.1:{port}", 200), ("localhost:{port}", 200),
    ("LOCALHOST", 200), ("[::1]:{port}", 200), ("preview.localhost:{port}", 200),
    ("evil.example", 400), ("evil.example:{port}", 400), ("127.0.0.1.evil.example", 400),
    ("", 400),
])
def test_only_requests_addressed_to_this_computer_are_answered(
        server: LiveReloadServer, host: str, expected: int) -> None:
    """A page on another site cannot read the preview by pointing its own DNS name at
    127.0.0.1 (DNS rebinding): the Host header gives it away."""
    header = host.format(port=server.port)
    response = raw_request(server, f"GET /digest/ HTTP/1.1\r\nHost: {header}\r\n"
                                   f"Connection: close\r\n\r\n".encode())
    assert status_of(response) == expected


# ----- malformed requests and bursts -----

@pytest.mark.parametrize(("request_bytes", "expected"), [
    (b"HELLO\r\n\r\n", 400),
    (b"GET\r\n\r\n", 400),
    (b"GET /digest/ HTTP/9.9\r\n\r\n", 505),
    (b"GET /digest/ FTP/1.0\r\n\r\n", 400),
    (b"GET /digest/%ff%fe HTTP/1.0\r\n\r\n", 400),
    (b"GET /digest/\x01 HTTP/1.0\r\n\r\n", 400),
    (b"GET /digest/ HTTP/1.0\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n", 431),
    (b"GET /" + b"a" * 70000 + b" HTTP/1.0\r\n\r\n", 414),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(64)) + b"\r\n\r\n", 400),
])
def test_malformed_requests_get_an_error_status_and_the_server_carries_on(
        server: LiveReloadServer, request_bytes: bytes, expected: int) -> None:
    assert status_of(raw_request(server, request_bytes)) == expected
    assert fetch(server, "/digest/")[0] == 200


def test_a_client_hanging_up_does_not_hurt_the_server(server: LiveReloadServer) -> None:
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", server.port)) as connection:
            connection.sendall(b"GET /digest/ HTT")
    assert fetch(server, "/digest/")[0] == 200


def test_unsupported_methods_are_refused(server: LiveReloadServer) -> None:
    for method in ("POST", "PUT", "DELETE"):
        assert get(server, "/digest/", method).status == 501
    assert fetch(server, "/digest/")[0] == 200


def test_a_burst_of_500_requests_from_20_threads_is_served(server: LiveReloadServer) -> None:
    paths = ["/digest/", "/digest/style.css", "/digest/articles/first/", "/digest/missing",
             "/digest/../secret.txt"]

    def one(number: int) -> int:
        return fetch(server, paths[number % len(paths)])[0]

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(one, range(500)))
    assert statuses.count(200) == 300
    assert statuses.count(404) == 100
    assert statuses.count(400) == 100
    assert fetch(server, "/digest/")[0] == 200


# ----- live reload over Server-Sent Events -----

def test_a_new_stream_is_told_the_current_version(server: LiveReloadServer) -> None:
    stream = EventStream(server)
    try:
        name, data = stream.next_event()
        assert name == "hello"
        assert f'"version": "{server.state.version}"' in data
        assert '"problems": []' in data
    finally:
        stream.close()


def test_a_content_change_tells_open_pages_to_reload(
        server: LiveReloadServer, source: Path) -> None:
    stream = EventStream(server)
    try:
        stream.next_event()
        before = server.state.version
        (source / "articles" / "first" / "index.html").write_text(page("<p>Edited</p>"))
        result = server.rebuild(frozenset({source / "articles" / "first" / "index.html"}))
        assert result.changed == ("articles/first/index.html",)
        name, data = stream.next_event()
        assert name == "build"
        assert server.state.version != before
        assert f'"version": "{server.state.version}"' in data and '"css_only": false' in data
    finally:
        stream.close()
    assert b"Edited" in fetch(server, "/digest/articles/first/")[2]


def test_served_pages_say_which_file_they_are_and_open_streams_are_known(
        server: LiveReloadServer) -> None:
    body = fetch(server, "/digest/articles/first/")[2]
    assert b'data-page="articles/first/index.html"' in body
    stream = EventStream(server, "articles/first/index.html")
    try:
        stream.next_event()
        assert server.open_pages() == frozenset({"articles/first/index.html"})
    finally:
        stream.close()


def test_a_builder_with_more_to_do_is_called_again_and_each_step_is_told(
        builder: CopyBuilder, source: Path) -> None:
    calls: list[frozenset[Path] | None] = []

    def in_two_steps(changed: frozenset[Path] | None) -> BuildResult:
        calls.append(changed)
        if changed is None:
            return builder(None)
        if len(calls) == 2:  # the open page first, then the rest
            return BuildResult(changed=("articles/first/index.html",), more=True)
        return BuildResult(changed=("index.html",))

    app = LiveReloadServer(builder.site, "/digest/", in_two_steps, port=0, heartbeat=0.5)
    app.rebuild(None)
    app.start()
    stream = EventStream(app)
    try:
        stream.next_event()
        result = app.rebuild(frozenset({source / "index.html"}))
        assert calls[1:] == [frozenset({source / "index.html"}), frozenset()]
        assert result.changed == ("index.html",)
        first, second = stream.next_event()[1], stream.next_event()[1]
        assert '"changed": ["articles/first/index.html"]' in first
        assert '"changed": ["index.html"]' in second
    finally:
        stream.close()
        app.shutdown()


def test_a_stylesheet_only_change_asks_for_a_css_swap(
        server: LiveReloadServer, source: Path) -> None:
    stream = EventStream(server)
    try:
        stream.next_event()
        (source / "style.css").write_text("body { color: red }\n")
        server.rebuild(frozenset({source / "style.css"}))
        assert '"css_only": true' in stream.next_event()[1]
    finally:
        stream.close()


def test_a_build_that_changes_nothing_sends_nothing(
        server: LiveReloadServer, source: Path) -> None:
    stream = EventStream(server)
    try:
        stream.next_event()
        version = server.state.version
        server.rebuild(frozenset({source / "index.html"}))  # touched, same bytes
        assert server.state.version == version
        (source / "app.js").write_text("// changed\n")
        server.rebuild(frozenset({source / "app.js"}))
        name, data = stream.next_event()  # the first event is the app.js one
        assert name == "build" and '"css_only": false' in data
    finally:
        stream.close()


def test_a_failed_build_shows_its_problems_and_recovery_clears_them(
        server: LiveReloadServer, source: Path) -> None:
    stream = EventStream(server)
    try:
        stream.next_event()
        version = server.state.version
        (source / "BROKEN").write_text("content/articles/first.md:3:invalid YAML: oops")
        server.rebuild(frozenset({source / "BROKEN"}))
        name, data = stream.next_event()
        assert name == "build"
        assert '"file": "content/articles/first.md", "line": 3' in data
        assert "invalid YAML: oops" in data

        # A page opened now shows the overlay from the start.
        body = fetch(server, "/digest/articles/first/")[2]
        assert b'id="livereload-overlay"' in body
        assert b"content/articles/first.md:3" in body and b"invalid YAML: oops" in body
        assert b"First article" in body  # the previous output is still served

        (source / "BROKEN").unlink()
        server.rebuild(frozenset({source / "BROKEN"}))
        name, data = stream.next_event()
        assert name == "build" and '"problems": []' in data
        assert server.state.version == version  # nothing changed, but the error is gone
    finally:
        stream.close()
    assert b'id="livereload-overlay"' not in fetch(server, "/digest/")[2]


def test_overlay_text_is_escaped(server: LiveReloadServer, source: Path) -> None:
    (source / "BROKEN").write_text("<b>x.md:1:<script>alert(1)</script>")
    server.rebuild(None)
    body = fetch(server, "/digest/")[2]
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert b"<script>alert(1)" not in body


def test_a_crashing_builder_becomes_a_problem_not_a_dead_server(
        builder: CopyBuilder) -> None:
    def crash(changed: frozenset[Path] | None) -> BuildResult:
        raise RuntimeError("bug in the builder")

    with LiveReloadServer(builder.site, "/", crash, port=0) as app:
        app.start()
        result = app.rebuild(None)
        assert "RuntimeError: bug in the builder" in result.problems[0].message
        status, _, body = fetch(app, "/")
        assert status == 404 and b"bug in the builder" in body


def test_requests_during_a_build_wait_for_it_to_finish(
        server: LiveReloadServer, builder: CopyBuilder, source: Path) -> None:
    """A page and its stylesheet always come from the same build."""
    (source / "index.html").write_text(page("<h1>Version 2</h1>"))
    (source / "style.css").write_text("body { color: green }\n")
    builder.between_files = threading.Event()
    rebuild = threading.Thread(target=server.rebuild, args=(None,))
    rebuild.start()
    assert builder.between_files.wait(10)  # index.html is written, style.css not yet
    css = fetch(server, "/digest/style.css")[2]
    rebuild.join()
    assert css == b"body { color: green }\n"


# ----- starting and stopping -----

def test_a_busy_port_is_reported_with_its_number(builder: CopyBuilder) -> None:
    with LiveReloadServer(builder.site, "/", builder, port=0) as first:
        with pytest.raises(PortInUse) as caught:
            LiveReloadServer(builder.site, "/", builder, port=first.port)
        assert caught.value.port == first.port


def test_shutdown_closes_streams_and_releases_the_port(builder: CopyBuilder) -> None:
    app = LiveReloadServer(builder.site, "/digest/", builder, port=0)
    app.rebuild(None)
    app.start()
    port = app.port
    stream = EventStream(app)
    stream.next_event()
    app.shutdown()
    with pytest.raises(EOFError):
        while True:
            stream.next_event()
    stream.close()
    assert app.open_streams == 0
    again = LiveReloadServer(builder.site, "/digest/", builder, port=port)
    again.shutdown()
    assert not any(t.name == "serve-http" for t in threading.enumerate())


def test_base_path_must_be_a_folder_path(builder: CopyBuilder) -> None:
    with pytest.raises(ValueError, match="base path"):
        LiveReloadServer(builder.site, "/digest", builder, port=0)

