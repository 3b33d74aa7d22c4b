"""`digest serve` from its start: what it sees of the digest and what it tells the curator.

These run the real serve loop in this process (the real Builder, real files, a real HTTP
server on 127.0.0.1) so that a file can be saved at an exact moment of the start-up.
"""

from __future__ import annotations

import http.client
import io
import time
from collections.abc import Iterable
from pathlib import Path

from digest.build import Builder, BuildReport
from digest.serve.command import preview
from digest.serve.server import LiveReloadServer
from tests.test_serve_command import ARTICLE, ARTICLE_URL, article_text, write_digest

PATIENCE = 30.0  # seconds a rebuild may take on a busy machine before the test gives up


def page_text(server: LiveReloadServer, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", path)
        return connection.getresponse().read().decode()
    finally:
        connection.close()


def shows_soon(server: LiveReloadServer, path: str, text: str) -> bool:
    """Whether the page shows `text` once the rebuilds under way are done."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if text in page_text(server, path):
            return True
        time.sleep(0.05)
    return False


class SavedDuringFirstBuild(Builder):
    """The real Builder; the curator saves the article just as its first build has read
    every file (a first build of a large digest takes a while)."""

    def __init__(self, root: Path, site: Path, saving: str) -> None:
        super().__init__(root, site, use_cache=False, autosave=False, workers=1,
                         trust_changes=True)
        self.saving = saving
        self.builds = 0

    def build(self, changed: Iterable[Path] | None = None) -> BuildReport:
        report = super().build(changed)
        self.builds += 1
        if self.builds == 1:
            (self.root / ARTICLE).write_text(article_text(self.saving))
        return report


def test_an_edit_saved_while_the_first_build_runs_is_shown(tmp_path: Path) -> None:
    root = write_digest(tmp_path / "digest")
    builder = SavedDuringFirstBuild(root, tmp_path / "preview", "Saved while it started.")
    terminal = io.StringIO()
    seen: list[bool] = []

    def curator(server: LiveReloadServer) -> None:
        seen.append(shows_soon(server, "/digest/" + ARTICLE_URL, "Saved while it started."))

    assert preview(builder, port=0, until=curator, out=terminal) == 0
    assert seen == [True], terminal.getvalue()
    assert f"content changed: {ARTICLE}" in terminal.getvalue()


def test_actors_without_a_file_are_named_at_the_start_and_when_new_ones_appear(
        tmp_path: Path) -> None:
    """`digest build` lists them; in the preview, a misspelt name would otherwise just make a
    page of its own, with nothing said."""
    root = write_digest(tmp_path / "digest")
    statement = root / "content" / "articles" / "2021-02-01-statement.md"
    statement.write_text(statement.read_text().replace("actors: [Iran]",
                                                        "actors: [Iran, Kataib Hezbollah]"))
    builder = Builder(root, tmp_path / "preview", use_cache=False, autosave=False, workers=1,
                      trust_changes=True)
    terminal = io.StringIO()
    seen: list[bool] = []

    def curator(server: LiveReloadServer) -> None:
        (root / ARTICLE).write_text(article_text("Ghanni was named.").replace(
            "Esmail Ghaani", "Esmail Ghanni"))
        seen.append(shows_soon(server, "/digest/" + ARTICLE_URL, "Ghanni was named."))

    assert preview(builder, port=0, until=curator, out=terminal) == 0
    assert seen == [True]
    said = terminal.getvalue()
    assert ("1 actor has no file in content/actors/: Kataib Hezbollah "
            "(add one with: digest actor add NAME)") in said
    new = said.index("Esmail Ghanni")
    assert "no file in content/actors/" in said[said.rindex("\n", 0, new):new + 200], said
    assert said.count("Kataib Hezbollah") == 1, said  # told once, not after every build


def test_a_static_file_deleted_while_serving_is_no_longer_served(tmp_path: Path) -> None:
    root = write_digest(tmp_path / "digest")
    logo = root / "static" / "logo.svg"
    builder = Builder(root, tmp_path / "preview", use_cache=False, autosave=False, workers=1,
                      trust_changes=True)
    statuses: list[int] = []

    def curator(server: LiveReloadServer) -> None:
        logo.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
        assert shows_soon(server, "/digest/static/logo.svg", "<svg")
        logo.unlink()
        deadline = time.monotonic() + PATIENCE
        while status_of(server, "/digest/static/logo.svg") != 404 and (
                time.monotonic() < deadline):
            time.sleep(0.05)
        statuses.append(status_of(server, "/digest/static/logo.svg"))

    assert preview(builder, port=0, until=curator, out=io.StringIO()) == 0
    assert statuses == [404]


def status_of(server: LiveReloadServer, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("HEAD", path)
        return connection.getresponse().status
    finally:
        connection.close()
