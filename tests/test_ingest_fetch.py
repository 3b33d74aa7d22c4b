"""`digest ingest URL` and names on disk: every failure is one clear line naming the URL."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from digest.cli import main
from digest.ingest.fetch import request_url
from tests.ingest_support import FIXTURES

PAGE = (FIXTURES / "militia-truce.html").read_bytes()


def ingest(root: Path, *arguments: str) -> int:
    return main(["ingest", "--root", str(root), *arguments])


def error_of(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.err


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], str]]:
    """A TCP server on 127.0.0.1 that answers every connection with the given function."""
    servers: list[socket.socket] = []

    def start(answer: Callable[[socket.socket], None]) -> str:
        server = socket.create_server(("127.0.0.1", 0))
        servers.append(server)

        def serve() -> None:
            while True:
                try:
                    connection, _ = server.accept()
                except OSError:
                    return
                with connection:
                    connection.recv(65536)
                    with contextlib.suppress(OSError):  # the client gave up: fine
                        answer(connection)

        threading.Thread(target=serve, daemon=True).start()
        return f"http://127.0.0.1:{server.getsockname()[1]}"

    yield start
    for server in servers:
        server.close()


def headers(length: int) -> bytes:
    return (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n").encode("ascii")


def test_a_server_that_is_not_http_is_a_clear_error(
        root: Path, raw_server: Callable[[Callable[[socket.socket], None]], str],
        capsys: pytest.CaptureFixture[str]) -> None:
    base = raw_server(lambda connection: connection.sendall(b"SSH-2.0-OpenSSH_8.4\r\n"))
    assert ingest(root, f"{base}/story.html") == 1
    assert f"{base}/story.html: the server did not answer in HTTP" in error_of(capsys)


def test_a_download_cut_short_says_so(
        root: Path, raw_server: Callable[[Callable[[socket.socket], None]], str],
        capsys: pytest.CaptureFixture[str]) -> None:
    base = raw_server(lambda connection: connection.sendall(headers(len(PAGE)) + PAGE[:500]))
    assert ingest(root, f"{base}/story.html") == 1
    assert f"{base}/story.html: download interrupted" in error_of(capsys)


def test_fetch_timeout_bounds_the_whole_download(
        root: Path, raw_server: Callable[[Callable[[socket.socket], None]], str],
        capsys: pytest.CaptureFixture[str]) -> None:
    def drip(connection: socket.socket) -> None:
        connection.sendall(headers(len(PAGE)))
        for byte in PAGE[:40]:  # a byte every 0.1 s: each read is quick, the whole is slow
            connection.sendall(bytes([byte]))
            time.sleep(0.1)

    (root / "digest.yaml").write_text("title: Test\ningest:\n  fetch_timeout: 1\n",
                                      encoding="utf-8")
    base = raw_server(drip)
    assert ingest(root, f"{base}/story.html") == 1
    assert f"{base}/story.html: no answer within 1 seconds" in error_of(capsys)


@pytest.mark.parametrize("url", ["https://exa mple.com/a", "http://[::1", "http://exa_mple..com/"])
def test_a_malformed_url_is_a_clear_error(root: Path, url: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert ingest(root, url) == 1
    assert f"{url}: not a valid" in error_of(capsys)


def test_a_path_with_spaces_and_accents_is_fetched(
        root: Path, static_server: tuple[str, Path]) -> None:
    base, folder = static_server
    (folder / "café story.html").write_bytes(PAGE)
    assert ingest(root, f"{base}/café story.html") == 0
    assert len(list((root / "content" / "articles").glob("*.md"))) == 1


def test_urls_are_sent_percent_encoded_with_an_idna_host() -> None:
    assert request_url("https://bücher.example/straße?q=ü ß#x") == (
        "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%BC%20%C3%9F")
    assert request_url("http://127.0.0.1:8000/a%20b") == "http://127.0.0.1:8000/a%20b"


CJK_TITLE = ("美国总统特朗普周五表示伊朗必须为其在伊拉克支持的民兵组织对美国大使馆的袭击负责"
             "并警告德黑兰将付出沉重代价这是他本周第三次就此事发表强硬讲话引发地区紧张局势进一步升级")
CJK_BODY = ("美国总统特朗普周五在白宫对记者表示，伊朗必须为其在伊拉克支持的民兵组织对美国驻巴格达"
            "大使馆的袭击负责。他警告说，德黑兰将为此付出沉重代价。")


def cjk_page(last: str) -> str:
    return (f"<html><head><meta charset='utf-8'><title>{CJK_TITLE}</title></head><body>"
            f"<article><h1>{CJK_TITLE}</h1><p>{CJK_BODY}</p><p>{CJK_BODY}{last}</p>"
            "</article></body></html>")


def test_a_long_cjk_headline_makes_names_that_fit_on_disk(root: Path) -> None:
    assert len(CJK_TITLE) > 80
    source = root.parent / "zh.html"
    source.write_text(cjk_page(""), encoding="utf-8")
    other = root.parent / "zh2.html"
    other.write_text(cjk_page("再次。"), encoding="utf-8")
    assert ingest(root, "--date", "2024-03-05", str(source)) == 0
    assert ingest(root, "--date", "2024-03-05", "--force", str(source)) == 0
    assert ingest(root, "--date", "2024-03-05", str(other)) == 0
    names = [p.name for p in (root / "content" / "articles").iterdir()]
    assert len(names) == 3  # the article, its backup, and the other article's -2 file
    assert all(len(name.encode("utf-8")) <= 255 for name in names)
