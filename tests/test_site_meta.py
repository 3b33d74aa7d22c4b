"""What a shared link shows: every page names its own address (canonical link) and describes
itself to the apps and sites a link is pasted into (Open Graph, and article times and tags)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

from digest.build import Builder

BASE = "https://example.org/digest/"
GHAANI = "articles/2020-12-03-ghaani-in-baghdad/"
IRGC = "articles/2021-02-01-irgc-statement/"


class HeadReader(HTMLParser):
    """The <meta> and <link rel> tags of a page's <head>, as (key, value) pairs in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, str]] = []
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "head":
            self.in_head = True
        elif self.in_head and tag == "meta" and ("property" in values or "name" in values):
            self.tags.append((values.get("property") or values["name"], values["content"]))
        elif self.in_head and tag == "link" and values.get("rel") == "canonical":
            self.tags.append(("canonical", values["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


def head(site: Path, url: str) -> list[tuple[str, str]]:
    reader = HeadReader()
    reader.feed((site / url / "index.html").read_text(encoding="utf-8"))
    return reader.tags


def one(tags: list[tuple[str, str]], key: str) -> str:
    values = [value for name, value in tags if name == key]
    assert len(values) == 1, f"{key}: {values}"
    return values[0]


def test_an_article_link_shows_its_title_summary_address_and_dates(built_site: Path) -> None:
    tags = head(built_site, GHAANI)
    assert one(tags, "canonical") == BASE + GHAANI
    assert one(tags, "og:url") == BASE + GHAANI
    assert one(tags, "og:type") == "article"
    assert one(tags, "og:title") == "Ghaani asks allies in Baghdad for calm"
    assert one(tags, "og:site_name") == "Fixture Digest"
    assert one(tags, "og:description").startswith("Iranian General Esmail Ghaani")
    assert one(tags, "og:description") == one(tags, "description")
    assert one(tags, "article:published_time") == "2020-12-03T00:00:00+00:00"
    assert [value for name, value in tags if name == "article:tag"] == ["iraq", "militias"]
    assert "article:modified_time" not in dict(tags)
    updated = head(built_site, IRGC)
    assert one(updated, "article:published_time") == "2021-02-01T09:30:00+03:30"
    assert one(updated, "article:modified_time") == "2021-02-02T00:00:00+00:00"


def test_other_pages_are_websites_named_by_what_they_show(built_site: Path) -> None:
    home = head(built_site, "")
    assert one(home, "canonical") == BASE
    assert one(home, "og:type") == "website"
    assert one(home, "og:title") == "Fixture Digest"
    assert one(home, "og:description") == "A small digest the tests build."
    actor = head(built_site, "actors/quds-force/")
    assert one(actor, "og:type") == "website"
    assert one(actor, "og:title") == "Quds Force"
    assert one(actor, "og:description").startswith("Quds Force, armed group: 2 articles")
    assert one(head(built_site, "tags/iraq/"), "og:title") == "#iraq"
    assert one(head(built_site, "page/2/"), "canonical") == BASE + "page/2/"


def test_every_page_names_its_own_address(built_site: Path) -> None:
    pages = sorted(p for p in built_site.rglob("index.html"))
    assert len(pages) > 20
    for page in pages:
        url = page.parent.relative_to(built_site).as_posix()
        url = "" if url == "." else quote(url) + "/"
        tags = head(built_site, url)
        assert one(tags, "canonical") == BASE + url, page
        assert one(tags, "og:url") == BASE + url, page
        assert one(tags, "og:title"), page


def test_the_not_found_page_names_no_address_and_asks_not_to_be_indexed(
        built_site: Path) -> None:
    reader = HeadReader()
    reader.feed((built_site / "404.html").read_text(encoding="utf-8"))
    assert "canonical" not in dict(reader.tags)
    assert "og:url" not in dict(reader.tags)
    assert one(reader.tags, "robots") == "noindex"


def test_addresses_follow_the_base_url_a_build_is_given(digest_root: Path,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "site"
    Builder(digest_root, out, base_url="https://news.example.net/").build()
    assert one(head(out, GHAANI), "canonical") == "https://news.example.net/" + GHAANI


def test_a_page_without_a_description_has_no_empty_one(digest_root: Path) -> None:
    config = digest_root / "digest.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "description: A small digest the tests build.", "description:"), encoding="utf-8")
    Builder(digest_root).build()
    tags = dict(head(digest_root / "site", ""))
    assert "description" not in tags and "og:description" not in tags
