"""`digest serve` as a curator runs it: a real subprocess, the real Builder, real HTTP."""

from __future__ import annotations

import http.client
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from digest.theme import theme_dir
from tests.process_support import children, hears_ctrl_c

REPO = Path(__file__).resolve().parents[1]
ARTICLE = "content/articles/2021-01-10-rockets-green-zone.md"
ARTICLE_URL = "articles/2021-01-10-rockets-green-zone/"


def article_text(body: str, title: str = "Rockets hit the Green Zone") -> str:
    return (f"---\ntitle: {title}\ndate: 2021-01-10\nsource: Example Wire\n"
            f"tags: [iraq]\nactors: [Esmail Ghaani, Iran]\n---\n{body}\n")


def write_digest(root: Path) -> Path:
    """A small digest served under /digest/, with its own article template and stylesheet
    (copies of the theme's) so that template and CSS edits can be watched."""
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "actors").mkdir()
    (root / "digest.yaml").write_text(
        "title: Serve Fixture\nbase_url: https://example.org/digest/\nper_page: 5\n")
    (root / "content" / "tags.yaml").write_text("iraq: Politics and security in Iraq.\n")
    (root / "content" / "actors" / "esmail-ghaani.md").write_text(
        "---\nname: Esmail Ghaani\naliases: [Ghaani]\nkind: person\n---\nQuds Force chief.\n")
    (root / "content" / "actors" / "iran.md").write_text("---\nname: Iran\nkind: state\n---\n")
    (root / ARTICLE).write_text(article_text("Three rockets landed near the embassy."))
    (root / "content" / "articles" / "2021-02-01-statement.md").write_text(
        "---\ntitle: A statement from Tehran\ndate: 2021-02-01\nactors: [Iran]\n---\n"
        "Iran denied any role.\n")
    (root / "content" / "articles" / "2020-12-03-baghdad.md").write_text(
        "---\ntitle: Ghaani in Baghdad\ndate: 2020-12-03\ntags: [iraq]\n"
        "actors: [Esmail Ghaani]\n---\nGhaani asked allies for calm.\n")
    (root / "templates").mkdir()
    (root / "templates" / "article.html").write_text(
        (theme_dir() / "article.html").read_text(encoding="utf-8"))
    (root / "static").mkdir()
    (root / "static" / "style.css").write_text(
        (theme_dir() / "static" / "style.css").read_text(encoding="utf-8"))
    return root


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServeProcess:
    """`python -m digest serve` in a subprocess, with its terminal output readable line by
    line while it runs."""

    def __init__(self, root: Path, *extra: str, port: int = 0) -> None:
        environment = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "digest", "serve", "--root", str(root), "--port", str(port),
             *extra],
            cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, preexec_fn=hears_ctrl_c)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = ""
        self.port = 0

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put("")  # end of output

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        """The first new line matching `pattern` (a regular expression)."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r} in:\n"
                                     + "".join(self.output)) from None
            if line == "":
                raise AssertionError(f"serve ended before {pattern!r}:\n" + "".join(self.output))
            if found := re.search(pattern, line):
                return found

    def seen(self, pattern: str) -> str:
        """Group 1 of `pattern` in the output so far."""
        for line in self.output:
            if found := re.search(pattern, line):
                return found.group(1)
        raise AssertionError(f"no {pattern!r} in:\n" + "".join(self.output))

    def wait_until_serving(self) -> ServeProcess:
        found = self.wait_for(r"serving (http://127\.0\.0\.1:(\d+)/\S*)")
        self.url, self.port = found.group(1), int(found.group(2))
        return self

    def stop(self, how: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(how)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def get(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request(method, path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body


@pytest.fixture
def digest_root(tmp_path: Path) -> Path:
    return write_digest(tmp_path / "digest")


Launch = Callable[..., ServeProcess]


@pytest.fixture
def launch() -> Iterator[Launch]:
    """Starts `digest serve` processes that are killed at the end of the test, whatever
    happened in it."""
    started: list[ServeProcess] = []

    def start(root: Path, *extra: str, port: int = 0) -> ServeProcess:
        started.append(ServeProcess(root, *extra, port=port))
        return started[-1]

    yield start
    for process in started:
        if process.process.poll() is None:
            process.process.kill()
            process.process.wait()


@pytest.fixture
def serve(digest_root: Path) -> Iterator[ServeProcess]:
    process = ServeProcess(digest_root)
    try:
        yield process.wait_until_serving()
    finally:
        process.stop(signal.SIGKILL)
        print("".join(process.output))  # shown by pytest when the test failed


def test_serves_the_site_under_the_base_path_of_base_url(serve: ServeProcess) -> None:
    assert serve.url == f"http://127.0.0.1:{serve.port}/digest/"
    status, headers, _ = serve.get("/")
    assert status == 302 and headers["location"] == "/digest/"
    status, headers, body = serve.get("/digest/" + ARTICLE_URL)
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert b"Three rockets landed near the embassy." in body
    assert serve.get("/digest/static/style.css")[1]["content-type"] == "text/css; charset=utf-8"
    assert serve.get("/digest/feed.xml")[1]["content-type"] == "application/atom+xml"
    status, _, body = serve.get("/digest/no-such-page/")
    assert status == 404 and b"Serve Fixture" in body  # the site's own 404 page


def test_the_build_goes_to_a_private_folder_without_the_script(
        serve: ServeProcess, digest_root: Path) -> None:
    private = Path(serve.seen(r"building into (\S+)"))
    assert private == digest_root / ".digest-cache" / "serve-site"
    assert not (digest_root / "site").exists()
    page = private / ARTICLE_URL / "index.html"
    assert b"Three rockets" in page.read_bytes()
    assert b"<script" not in page.read_bytes()
    assert b"/__livereload/events" in serve.get("/digest/" + ARTICLE_URL)[2]


def test_an_edit_is_rebuilt_and_reported(serve: ServeProcess, digest_root: Path) -> None:
    (digest_root / ARTICLE).write_text(article_text("Two rockets, not three."))
    serve.wait_for(r"content changed: " + re.escape(ARTICLE))
    serve.wait_for(r"built in \d+ ms: \d+ written, \d+ unchanged")
    assert b"Two rockets, not three." in serve.get("/digest/" + ARTICLE_URL)[2]


def test_a_broken_file_is_reported_and_the_server_keeps_going(
        serve: ServeProcess, digest_root: Path) -> None:
    (digest_root / ARTICLE).write_text("---\ntitle: [unclosed\ndate: 2021-01-10\n---\nBody\n")
    serve.wait_for(re.escape(ARTICLE) + r":\d+: invalid YAML")
    body = serve.get("/digest/" + ARTICLE_URL)[2]
    assert b'id="livereload-overlay"' in body
    assert b"Three rockets" in body  # the last good build is still served
    (digest_root / ARTICLE).write_text(article_text("Fixed again."))
    serve.wait_for(r"built in \d+ ms")
    body = serve.get("/digest/" + ARTICLE_URL)[2]
    assert b"Fixed again." in body and b'id="livereload-overlay"' not in body


def test_ctrl_c_stops_everything_and_frees_the_port(
        launch: Launch, digest_root: Path) -> None:
    serve = launch(digest_root).wait_until_serving()
    private = Path(serve.seen(r"building into (\S+)"))
    stream = socket.create_connection(("127.0.0.1", serve.port), timeout=30)
    stream.sendall(b"GET /__livereload/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    received = b""
    while b"event: hello" not in received:
        chunk = stream.recv(65536)
        assert chunk, "the event stream ended before its hello"
        received += chunk
    assert serve.stop(signal.SIGINT) == 0
    assert stream.recv(65536) in (b"", b"\r\n")  # the event stream was closed, not cut off
    stream.close()
    assert "stopping" in "".join(serve.output)
    assert (private / "index.html").is_file()  # kept for a quick restart
    with socket.socket() as again:  # nothing listens any more: another server can start
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", serve.port))
        again.listen()



def test_ctrl_c_stops_it_even_when_another_thread_receives_the_signal(
        serve: ServeProcess) -> None:
    """The kernel may hand a process's SIGINT to any of its threads (the HTTP server's, the
    watcher's); the server must stop all the same, not hang."""
    tasks = Path(f"/proc/{serve.process.pid}/task")
    others = sorted(int(task.name) for task in tasks.iterdir()
                    if int(task.name) != serve.process.pid)
    assert others, "digest serve runs its server and watcher on threads of their own"
    os.kill(others[0], signal.SIGINT)  # a process signal, delivered to that thread first
    serve.wait_for(r"^stopping", timeout=10)
    assert serve.process.wait(timeout=30) == 0

def test_a_second_serve_of_the_same_digest_builds_elsewhere(
        launch: Launch, serve: ServeProcess, digest_root: Path) -> None:
    second = launch(digest_root).wait_until_serving()
    private = Path(second.seen(r"building into (\S+)"))
    try:
        assert not private.is_relative_to(digest_root)
        assert b"Three rockets" in second.get("/digest/" + ARTICLE_URL)[2]
    finally:
        assert second.stop() == 0
    assert not private.exists()  # a temporary folder goes with its server
    assert serve.get("/digest/")[0] == 200
    # ...and leaves no cache behind that nobody would read again.
    assert len(list((digest_root / ".digest-cache").glob("build-*.pickle"))) <= 1


def test_own_templates_begun_while_serving_are_used_at_once(
        launch: Launch, digest_root: Path) -> None:
    """The README's way to change a page: copy the theme's template into templates/ and edit
    it. A curator may well start the preview before templates/ exists."""
    shutil.rmtree(digest_root / "templates")
    serve = launch(digest_root).wait_until_serving()
    (digest_root / "templates").mkdir()
    own = (theme_dir() / "article.html").read_text(encoding="utf-8").replace(
        "</article>", "<p>Curated by the desk</p></article>")
    assert own.count("Curated by the desk") == 1
    (digest_root / "templates" / "article.html").write_text(own)
    assert curated(serve)
    own = own.replace("Curated by the desk", "Checked by the desk")
    (digest_root / "templates" / "article.html").write_text(own)
    serve.wait_for(r"template changed: templates/article\.html")
    serve.wait_for(r"built in \d+ ms")
    assert b"Checked by the desk" in serve.get("/digest/" + ARTICLE_URL)[2]


def curated(serve: ServeProcess) -> bool:
    """Whether the article page shows the own template's line, once a rebuild has made it
    (the new folder may take two rebuilds: one when it appears, one for its file)."""
    for _ in range(3):
        if b"Curated by the desk" in serve.get("/digest/" + ARTICLE_URL)[2]:
            return True
        serve.wait_for(r"built in \d+ ms", timeout=10)
    return b"Curated by the desk" in serve.get("/digest/" + ARTICLE_URL)[2]


def test_a_changed_base_url_path_moves_the_preview_there(
        serve: ServeProcess, digest_root: Path) -> None:
    config = digest_root / "digest.yaml"
    config.write_text(config.read_text().replace("/digest/", "/news/"))
    serve.wait_for(r"config changed: digest\.yaml")
    serve.wait_for(r"base_url now puts the site under /news/: the preview is at "
                   + re.escape(f"http://127.0.0.1:{serve.port}/news/"))
    status, _, body = serve.get("/news/" + ARTICLE_URL)
    assert status == 200 and b'href="/news/static/style.css"' in body
    status, headers, _ = serve.get("/digest/" + ARTICLE_URL)
    assert status == 302 and headers["location"] == "/news/" + ARTICLE_URL


def test_a_missing_root_is_a_clear_error(
        launch: Launch, tmp_path: Path) -> None:
    serve = launch(tmp_path / "nowhere")
    assert serve.process.wait(timeout=60) == 1
    assert "nowhere: no such folder" in "".join(serve.output)


def test_a_busy_port_is_a_clear_error(
        launch: Launch, digest_root: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        serve = launch(digest_root, port=port)
        assert serve.process.wait(timeout=60) == 1
    output = "".join(serve.output)
    assert f"port {port} on 127.0.0.1 is already in use" in output
    assert "--port" in output
    assert "Traceback" not in output


def test_a_digest_broken_from_the_start_is_served_with_the_overlay(
        launch: Launch, digest_root: Path) -> None:
    (digest_root / ARTICLE).write_text("---\ntitle: x\n---\nno date\n")
    serve = launch(digest_root).wait_until_serving()
    try:
        status, _, body = serve.get("/digest/")
        assert status == 404  # nothing built yet
        assert b'id="livereload-overlay"' in body and ARTICLE.encode() in body
        (digest_root / ARTICLE).write_text(article_text("Now with a date."))
        serve.wait_for(r"built in \d+ ms")
        assert serve.get("/digest/")[0] == 200
    finally:
        assert serve.stop() == 0



def test_a_large_digest_is_first_built_by_workers_then_served_and_rebuilt(
        launch: Launch, tmp_path: Path) -> None:
    """The first build, before any thread runs, forks worker processes as `digest build`
    does; the rebuilds after it, with the server's threads running, do not."""
    from digest.bodies import PARALLEL_THRESHOLD
    from digest.rendering import PARALLEL_PAGES
    from tests.bench_support import load_bench_script

    corpus = load_bench_script("corpus")
    generated = corpus.generate(300, 1)
    root = tmp_path / "large"
    corpus.write_digest(generated, root)
    assert len(generated.articles) > PARALLEL_THRESHOLD and len(generated.articles) * 2 > (
        PARALLEL_PAGES)  # large enough to fork, with a page and a feed entry an article

    serve = launch(root)
    forked: set[int] = set()
    while not any("serving" in line for line in serve.output):
        forked |= children(serve.process.pid)
        assert serve.process.poll() is None, "".join(serve.output)
        time.sleep(0.005)
    serve.wait_until_serving()
    assert forked, "the first build ran in one process"
    assert not children(serve.process.pid)  # the workers are gone before serving starts

    article = sorted((root / "content" / "articles").glob("*.md"))[-1]
    page = f"{urllib.parse.urlsplit(serve.url).path}articles/{article.stem}/"
    assert serve.get(page)[0] == 200
    with article.open("a", encoding="utf-8") as handle:
        handle.write("\nA sentence added while serving.\n")
    serve.wait_for(r"built in \d+ ms", timeout=60)
    assert b"A sentence added while serving." in serve.get(page)[2]
    assert not children(serve.process.pid)
    assert serve.stop(signal.SIGINT) == 0
