"""The same article never lands twice, and --force replaces it where it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.frontmatter import parse_document
from digest.ingest.store import normal_url
from tests.ingest_support import pasted

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
def source(tmp_path: Path) -> Path:
    return pasted(tmp_path, PASTED)


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


@pytest.mark.parametrize("parameter", ["cid", "src", "ref", "share", "amp", "partner", "rss"])
def test_only_certain_tracking_parameters_are_ignored(parameter: str) -> None:
    # Sites name their articles with any parameter: kurdistan24.net's news.php?cid=12341.
    first = normal_url(f"https://www.kurdistan24.net/en/news.php?{parameter}=12341")
    assert first != normal_url(f"https://www.kurdistan24.net/en/news.php?{parameter}=12342")


@pytest.mark.parametrize("parameter", ["utm_campaign", "fbclid", "gclid", "dclid", "msclkid",
                                       "igshid", "mc_cid", "mc_eid", "smid", "smtyp"])
def test_click_identifiers_are_ignored(parameter: str) -> None:
    assert normal_url(f"https://x.example/story?id=4&{parameter}=abc") == "x.example/story?id=4"


def test_articles_with_ids_in_the_query_are_both_kept(
        root: Path, source: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text(PASTED.replace("border talks", "water talks"), encoding="utf-8")
    news = "https://www.kurdistan24.net/en/news.php?cid="
    assert ingest(root, "--source-url", news + "12341", str(source)) == 0
    assert ingest(root, "--source-url", news + "12342", str(other)) == 0
    assert len(articles(root)) == 2


def test_a_brief_a_roundup_quotes_whole_is_another_article_when_their_urls_differ(
        root: Path, tmp_path: Path) -> None:
    roundup = tmp_path / "roundup.txt"
    roundup.write_text("\n\n".join([
        "Weekly roundup: the border after the talks",
        "It was a week of upheaval in the region, with several developments worth noting.",
        *PARAGRAPHS,
        "In other news, oil prices rose sharply on Monday, traders said."]) + "\n",
        encoding="utf-8")
    brief = tmp_path / "brief.txt"
    brief.write_text(PASTED, encoding="utf-8")
    assert ingest(root, "--source-url", "https://news.example/roundup", str(roundup)) == 0
    assert ingest(root, "--source-url", URL, str(brief)) == 0
    assert len(articles(root)) == 2


def test_a_body_decides_only_when_an_article_has_no_source_url(
        root: Path, source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ingest(root, "--source-url", URL, str(source)) == 0
    assert ingest(root, str(source)) == 1
    assert "already ingested as" in capsys.readouterr().err


def test_the_refusal_says_what_force_does_to_the_stored_file(
        root: Path, source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ingest(root, "--source-url", URL, str(source)) == 0
    (stored,) = articles(root)
    assert ingest(root, "--source-url", URL, str(source)) == 1
    error = capsys.readouterr().err
    assert "if it is the same article, pass --force to replace it" in error
    assert f"the old text is kept as {stored.name}.<time>.bak" in error


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
