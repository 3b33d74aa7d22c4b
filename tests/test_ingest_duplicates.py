"""The same article never lands twice, and --force replaces it where it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.frontmatter import parse_document
from digest.ingest.store import normal_url
from tests.ingest_support import make_digest

PARAGRAPHS = [
    "ANKARA (AP) — Ministers from both countries agreed on Tuesday to resume border talks after "
    "a pause of several months, officials told AP.",
    "The talks will open in Ankara next month, and both sides had agreed on an agenda for the "
    "militia question, the foreign ministry said in a statement on Tuesday evening.",
    "Officials on both sides said the crossings would stay open while the talks went on, and "
    "that trucks carrying food would be let through without the usual checks.",
]
PASTED = "\n\n".join(["Ministers agree to resume border talks", *PARAGRAPHS]) + "\n"
URL = "https://news.example/2024/03/05/border-talks.html"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_digest(tmp_path / "digest")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "talks.txt"
    path.write_text(PASTED, encoding="utf-8")
    return path


def ingest(root: Path, *arguments: str) -> int:
    return main(["ingest", "--root", str(root), "--date", "2024-03-05", *arguments])


def articles(root: Path) -> list[Path]:
    return sorted((root / "content" / "articles").rglob("*.md"))


@pytest.mark.parametrize("variant", [
    URL + "?smid=tw-share",
    URL + "?utm_source=twitter&utm_medium=social",
    URL + "#comments",
    "http://www.news.example/2024/03/05/border-talks.html/",
])
def test_a_shared_link_to_the_same_page_is_the_same_article(
        root: Path, source: Path, variant: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert ingest(root, "--source-url", URL, str(source)) == 0
    updated = source.with_name("updated.txt")  # the page, edited since
    updated.write_text(PASTED.replace("next month", "in May"), encoding="utf-8")
    assert ingest(root, "--source-url", variant, str(updated)) == 1
    assert "already ingested as" in capsys.readouterr().err
    assert len(articles(root)) == 1


def test_query_parameters_that_name_the_article_still_count() -> None:
    assert normal_url("https://x.example/story?id=4&utm_source=a") == "x.example/story?id=4"
    assert normal_url("https://x.example/story?id=4") != normal_url("https://x.example/story?id=5")


def test_a_stored_article_the_curator_added_to_is_still_the_same_article(
        root: Path, source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ingest(root, str(source)) == 0
    (stored,) = articles(root)
    stored.write_text(stored.read_text(encoding="utf-8") + "\nEditor's note: see also May.\n",
                      encoding="utf-8")
    assert ingest(root, "--source-url", URL, str(source)) == 1
    assert "already ingested as" in capsys.readouterr().err
    assert articles(root) == [stored]


def test_force_replaces_the_file_where_it_is(root: Path, source: Path) -> None:
    folder = root / "content" / "articles" / "2020"
    assert ingest(root, "--source-url", URL, str(source)) == 0
    (written,) = articles(root)
    folder.mkdir()
    moved = folder / "seed.md"
    written.rename(moved)
    assert ingest(root, "--source-url", URL, "--tag", "talks", "--force", str(source)) == 0
    assert articles(root) == [moved]
    assert "talks" in parse_document(moved.read_text(encoding="utf-8"), "seed.md").meta["tags"]
    assert len(list(folder.glob("seed.md.*.bak"))) == 1
