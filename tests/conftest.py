"""Shared test helpers: the fixture digest, builds, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.build import Builder, BuildReport
from tests.ingest_support import make_digest

FIXTURE = Path(__file__).parent / "fixtures" / "digest"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A digest for ingest to write into: settings, tags and the seed's actors, no articles."""
    return make_digest(tmp_path / "digest")


@pytest.fixture
def digest_root(tmp_path: Path) -> Path:
    """A private copy of the fixture digest that a test may edit."""
    root = tmp_path / "digest"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".digest-cache", "site"))
    return root


def build(root: Path, out: Path | None = None, drafts: bool = False) -> BuildReport:
    return Builder(root, out, drafts=drafts).build()


@pytest.fixture
def built_site(digest_root: Path) -> Path:
    build(digest_root)
    return digest_root / "site"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A plain HTTP server on 127.0.0.1 over a folder; yields (base URL, folder)."""
    folder = tmp_path / "www"
    folder.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()
