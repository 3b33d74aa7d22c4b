"""What a reader sees after `digest build` on the fixture digest."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urljoin, urlsplit
from urllib.request import urlopen
from xml.etree import ElementTree

import feedparser  # type: ignore[import-untyped]
import pytest

from tests.conftest import build

GHAANI = "articles/2020-12-03-ghaani-in-baghdad/index.html"
ROCKETS = "articles/2021-01-10-rockets-green-zone/index.html"


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def section(html: str, heading_id: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert match, f"no section {heading_id}"
    return match.group(0)


def add_and_build(root: Path, name: str, text: str) -> str:
    """Add content/articles/<name>.md, build, and give the article's page."""
    (root / f"content/articles/{name}.md").write_text(text, encoding="utf-8")
    build(root)
    return read(root / "site", f"articles/{name}/index.html")


class LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def test_every_page_a_reader_needs_exists(built_site: Path) -> None:
    for path in ["index.html", "page/2/index.html", GHAANI, ROCKETS,
                 "actors/index.html", "actors/quds-force/index.html",
                 "actors/quds-force/feed.xml", "actors/kataib-hezbollah/index.html",
                 "tags/index.html", "tags/iraq/index.html", "archive/index.html",
                 "archive/2020/12/index.html", "feed.xml", "sitemap.xml", "robots.txt",
                 "404.html", ".nojekyll", "static/style.css", "static/favicon.svg",
                 "search/index.html", "search-index.json"]:
        assert (built_site / path).is_file(), path


def test_home_lists_latest_first_with_date_source_summary_and_actors(built_site: Path) -> None:
    home = read(built_site, "index.html")
    titles = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', home)
    assert titles == ["A quiet week in the markets", "IRGC issues a statement"]
    assert "1 February 2021" in home and "Example Wire" in home
    assert "The IRGC spoke about the region." in home
    assert 'href="/digest/actors/irgc/">Islamic Revolutionary Guard Corps</a>' in home
    assert 'href="/digest/page/2/"' in home
    older = read(built_site, "page/2/index.html")
    assert "Rockets land near the Green Zone" in older and "Ghaani asks allies" in older


def test_drafts_are_left_out_unless_asked_for(digest_root: Path, tmp_path: Path) -> None:
    build(digest_root)
    assert not (digest_root / "site/articles/2021-04-01-draft").exists()
    build(digest_root, tmp_path / "with-drafts", drafts=True)
    assert (tmp_path / "with-drafts/articles/2021-04-01-draft/index.html").is_file()


def test_article_page_shows_byline_source_link_body_actors_tags_quotes(built_site: Path) -> None:
    page = read(built_site, GHAANI)
    assert "<h1>Ghaani asks allies in Baghdad for calm</h1>" in page
    assert "3 December 2020" in page
    assert '<span class="dateline">Sulaimani</span>' in page
    assert '<span class="source">ESTA</span> <span class="via">via AP</span>' in page
    assert 'href="https://example.com/ghaani-baghdad"' in page
    assert '<a class="chip tag" href="/digest/tags/militias/">#militias</a>' in page
    quotes = section(page, "quotes-heading")
    assert "Be calm and cease attacks for now." in quotes
    assert 'href="/digest/actors/esmail-ghaani/">Esmail Ghaani</a>' in quotes


def test_the_lists_under_a_heading_are_named_by_it_and_others_have_a_name(
        built_site: Path) -> None:
    # a screen reader says a list's name: the heading's id names it, so that "Actors" is not
    # heard twice; a card's chips have no heading, and their list keeps a name of its own
    page = read(built_site, GHAANI)
    assert re.search(r'<h2 class="label" id="actors-heading">Actors</h2>\s*'
                     r'<ul class="chips" aria-labelledby="actors-heading">', page)
    assert re.search(r'<h2 class="label" id="tags-heading">Tags</h2>\s*'
                     r'<ul class="chips" aria-labelledby="tags-heading">', page)
    assert 'aria-label="Actors"' not in page and 'aria-label="Tags"' not in page
    assert '<ul class="chips" aria-label="Actors">' in read(built_site, "index.html")


def test_alias_lands_on_the_canonical_actor_page(built_site: Path) -> None:
    page = read(built_site, GHAANI)
    assert 'href="/digest/actors/quds-force/">Quds Force</a>' in page
    assert not (built_site / "actors/qods-force").exists()
    actor = read(built_site, "actors/quds-force/index.html")
    timeline = section(actor, "timeline-heading")
    assert "Ghaani asks allies in Baghdad for calm" in timeline  # listed as Qods Force
    assert "Rockets land near the Green Zone" in timeline  # listed as Quds Force
    assert timeline.index("Rockets land") < timeline.index("Ghaani asks")  # newest first


def test_first_mention_links_to_actor_but_not_in_links_code_or_headings(built_site: Path) -> None:
    body = re.search(r'<div class="body">(.*?)</div>', read(built_site, GHAANI), re.S)
    assert body
    html = body.group(1)
    assert html.count('href="/digest/actors/esmail-ghaani/"') == 1
    assert ('<a class="actor-link" href="/digest/actors/esmail-ghaani/">'
            "Esmail Ghaani</a>") in html  # the name a tooltip would repeat: none
    assert '<a class="actor-link" href="/digest/actors/quds-force/" title="Quds Force">' \
           "Qods Force</a>" in html
    assert "<h2>What Ghaani said</h2>" in html
    assert "<code>Ghaani</code>" in html
    assert ">the report about Ghaani</a>" in html


def test_related_articles_rank_by_shared_actors_and_tags_and_say_why(built_site: Path) -> None:
    related = section(read(built_site, GHAANI), "related-heading")
    titles = re.findall(r'<li>\s*<a href="[^"]+"[^>]*>([^<]+)</a>', related)
    assert titles == ["Rockets land near the Green Zone", "IRGC issues a statement"]
    first = related.split("</li>")[0]
    assert ">Quds Force</a>" in first and ">Kataib Hezbollah</a>" in first
    assert ">#iraq</a>" in first
    assert "A quiet week" not in related  # shares nothing


def test_previous_and_next_by_date(built_site: Path) -> None:
    page = read(built_site, ROCKETS)
    assert 'rel="prev" href="/digest/articles/2020-12-03-ghaani-in-baghdad/"' in page
    assert 'rel="next" href="/digest/articles/2021-02-01-irgc-statement/"' in page


def test_actor_page_has_everything_known_about_the_actor(built_site: Path) -> None:
    page = read(built_site, "actors/quds-force/index.html")
    assert "<h1>Quds Force</h1>" in page
    assert "also known as Qods Force, Quds Corps" in page
    assert "The expeditionary arm" in page
    affiliations = section(page, "affiliations-heading")
    assert "Part of: <a href=\"/digest/actors/irgc/\">Islamic Revolutionary Guard Corps</a>" \
        in affiliations
    assert 'Members: <a href="/digest/actors/esmail-ghaani/">Esmail Ghaani</a>' in affiliations
    assert "first seen <time datetime=\"2020-12-03T00:00:00+00:00\">3 December 2020</time>" \
        in page
    assert "last seen <time datetime=\"2021-01-10T00:00:00+00:00\">10 January 2021</time>" in page
    chart = section(page, "chart-heading")
    assert chart.count("<rect") == 2  # December 2020 and January 2021
    # a screen reader hears the chart as one image: its name says what the bars show
    assert 'role="img"' in chart
    assert ("<title>Articles per month, December 2020 to January 2021: 2 articles, most in "
            "January 2021, 1</title>") in chart
    assert "<script" not in page
    with_most = section(page, "with-heading")
    assert re.search(r">Kataib Hezbollah</a> <span class=\"count\">2<", with_most)
    ghaani = read(built_site, "actors/esmail-ghaani/index.html")
    assert "Be calm and cease attacks for now." in section(ghaani, "quotes-heading")
    assert 'href="https://example.com/ghaani" rel="noopener">Profile</a>' in ghaani


def test_actor_and_tag_pages_describe_themselves_to_search_engines(built_site: Path) -> None:
    def description(path: str) -> str:
        found = re.search(r'<meta name="description" content="([^"]*)">', read(built_site, path))
        assert found is not None
        return found.group(1)

    assert description("actors/quds-force/index.html") == (
        "Quds Force, armed group: 2 articles in Fixture Digest, 3 December 2020 to "
        "10 January 2021.")
    assert description("tags/iraq/index.html") == "Politics and security in Iraq."
    assert description("index.html") == "A small digest the tests build."


def test_actor_without_file_still_gets_a_page_and_is_reported(digest_root: Path) -> None:
    report = build(digest_root)
    assert report.actors_without_file == ("Kataib Hezbollah",)
    page = read(digest_root / "site", "actors/kataib-hezbollah/index.html")
    assert "has no file in <code>content/actors/</code>" in page


def test_indexes_group_and_count(built_site: Path) -> None:
    actors = read(built_site, "actors/index.html")
    assert re.search(r"<h2[^>]*>Armed group</h2>", actors)
    # a count shows as a number and is heard as "2 articles" (the rest is visually hidden)
    hidden = '<span class="visually-hidden">'
    assert f'>Quds Force</a> <span class="count">2{hidden} articles</span></span>' in actors
    assert re.search(r"<h2[^>]*>Unclassified</h2>", actors)
    tags = read(built_site, "tags/index.html")
    assert f'>#iraq</a> <span class="count">2{hidden} articles</span></span>' in tags
    assert "Politics and security in Iraq." in read(built_site, "tags/iraq/index.html")
    archive = read(built_site, "archive/index.html")
    assert f'>December 2020</a> <span class="count">1{hidden} article</span></span>' in archive
    together = read(built_site, "actors/quds-force/index.html")
    assert f'<span class="count">2{hidden} shared articles</span></span>' in together


def test_raw_html_in_bodies_is_sanitised(built_site: Path) -> None:
    page = read(built_site, ROCKETS)
    assert "<script" not in page.split('<div class="body">')[1].split("</div>")[0]
    assert "javascript:" not in page and "onclick" not in page
    assert 'alert("x")' not in page


@pytest.mark.parametrize("feed", ["feed.xml", "actors/quds-force/feed.xml"])
def test_feeds_are_valid_atom(built_site: Path, feed: str) -> None:
    parsed = feedparser.parse((built_site / feed).read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert all(e.link.startswith("https://example.org/digest/articles/") for e in parsed.entries)
    if feed == "feed.xml":  # whole articles
        assert [e.title for e in parsed.entries][0] == "A quiet week in the markets"
        assert len(parsed.entries) == 4
        assert all(e.content[0].value for e in parsed.entries)
        # the body's links to actor pages, read by a feed reader from anywhere
        body = next(e for e in parsed.entries if "actor-link" in e.content[0].value)
        assert 'href="https://example.org/digest/actors/' in body.content[0].value
    else:  # an actor's feed: its articles, summarised
        assert [e.title for e in parsed.entries] == ["Rockets land near the Green Zone",
                                                     "Ghaani asks allies in Baghdad for calm"]
        assert all("content" not in e and e.summary for e in parsed.entries)
    # each entry's actors and tags, told apart by their scheme (a tag may share an actor's name)
    ghaani = next(e for e in parsed.entries if e.title.startswith("Ghaani"))
    assert {(t.term, t.scheme) for t in ghaani.tags} == {
        ("Esmail Ghaani", "https://example.org/digest/actors/"),
        ("Quds Force", "https://example.org/digest/actors/"),
        ("Kataib Hezbollah", "https://example.org/digest/actors/"),
        ("iraq", "https://example.org/digest/tags/"),
        ("militias", "https://example.org/digest/tags/")}


def test_control_characters_pasted_into_an_article_do_not_break_the_feeds(
        digest_root: Path) -> None:
    """Text copied out of a PDF can carry form feeds and other control characters, which
    XML does not allow: one such article must not make every feed unreadable."""
    article = digest_root / "content/articles/2021-03-05-unrelated.md"
    text = article.read_text(encoding="utf-8")
    # (front matter cannot hold them: YAML refuses them with a clear error)
    article.write_text(text.replace("source: Example Daily",
                                    "source: Example Daily\nactors: [Iran]")
                       + "\nPage 2\x0c of the report\x07 follows.\x0b\n", encoding="utf-8")
    build(digest_root)
    for feed in ("feed.xml", "actors/iran/feed.xml", "sitemap.xml"):
        data = (digest_root / "site" / feed).read_bytes()
        ElementTree.fromstring(data)  # well-formed
        assert not feedparser.parse(data).bozo
    feed = feedparser.parse((digest_root / "site/feed.xml").read_bytes())
    assert feed.entries[0].title == "A quiet week in the markets"
    assert "Page 2 of the report follows." in feed.entries[0].content[0].value


def test_sitemap_and_robots_use_the_full_base_url(built_site: Path) -> None:
    sitemap = read(built_site, "sitemap.xml")
    assert "<loc>https://example.org/digest/articles/2021-01-10-rockets-green-zone/</loc>" \
        in sitemap
    for month in sorted(built_site.glob("archive/*/*/index.html")):  # and every month's page
        address = month.parent.relative_to(built_site).as_posix()
        assert f"<loc>https://example.org/digest/{address}/</loc>" in sitemap
    assert "Sitemap: https://example.org/digest/sitemap.xml" in read(built_site, "robots.txt")


def test_every_internal_link_resolves_when_served_under_the_subpath(
        digest_root: Path, static_server: tuple[str, Path]) -> None:
    base, www = static_server
    build(digest_root, www / "digest")
    site = www / "digest"
    checked: dict[str, int] = {}
    for page in sorted(site.rglob("*.html")):
        collector = LinkCollector()
        collector.feed(page.read_text(encoding="utf-8"))
        page_url = base + "/" + page.relative_to(www).as_posix()
        for link in collector.links:
            target = urljoin(page_url, link)
            if not target.startswith(base):
                continue
            target = target.split("#")[0]
            assert urlsplit(target).path.startswith("/digest/"), (page, link)
            if target not in checked:
                try:
                    with urlopen(target) as response:  # noqa: S310 - our own server
                        checked[target] = response.status
                except HTTPError as error:
                    checked[target] = error.code
            assert checked[target] == 200, f"{page.relative_to(site)} links to broken {link}"
    assert len(checked) > 30


def test_links_in_feed_entries_lead_where_they_lead_on_the_article_page(
        digest_root: Path) -> None:
    """A feed reader shows an article away from its page: each link and image in it must be a
    full address, the one it has on the page (a reader that ignores xml:base included)."""
    article = digest_root / "content/articles/2021/2021-01-10-rockets-green-zone.md"
    article.write_text(article.read_text(encoding="utf-8") + (
        "\nSee [the earlier report](../2020-12-03-ghaani-in-baghdad/), [its notes](#notes)"
        ' and ![a map](map.png); a link is written `<a href="../x/">`.\n'), encoding="utf-8")
    build(digest_root)
    page = "https://example.org/digest/articles/2021-01-10-rockets-green-zone/"
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.fromstring((digest_root / "site/feed.xml").read_bytes())
    entry = next(e for e in feed.iter(f"{atom}entry") if e.findtext(f"{atom}id") == page)
    content = entry.findtext(f"{atom}content") or ""
    assert '<code>&lt;a href="../x/"&gt;</code>' in content  # a code sample stays as written
    collector = LinkCollector()
    collector.feed(content)
    assert "https://example.org/digest/articles/2020-12-03-ghaani-in-baghdad/" in collector.links
    assert page + "#notes" in collector.links
    assert page + "map.png" in collector.links
    assert "https://example.org/digest/actors/kataib-hezbollah/" in collector.links
    assert all(link.startswith("https://") for link in collector.links), collector.links


def test_older_and_newer_links_say_which_way_they_lead(built_site: Path) -> None:
    """A screen reader lists links by their text: an arrow and a title alone do not say
    whether the article is older or newer."""
    pager = re.search(r'<nav class="pager" aria-label="More articles by date">(.*?)</nav>',
                      read(built_site, ROCKETS), re.S)
    assert pager
    links = re.findall(r'<a rel="(prev|next)" href="[^"]+">(.*?)</a>', pager.group(1), re.S)
    assert [(rel, re.sub(r"<[^>]+>|\s+", " ", text).split()) for rel, text in links] == [
        ("prev", ["Older:", "Ghaani", "asks", "allies", "in", "Baghdad", "for", "calm"]),
        ("next", ["Newer:", "IRGC", "issues", "a", "statement"])]


def test_a_lone_article_has_no_empty_navigation(digest_root: Path) -> None:
    for extra in (digest_root / "content/articles").rglob("*.md"):
        if extra.name != "2021-03-05-unrelated.md":
            extra.unlink()
    build(digest_root)
    page = read(digest_root / "site", "articles/2021-03-05-unrelated/index.html")
    assert 'aria-label="More articles by date"' not in page


def test_an_article_in_another_language_is_marked_up_in_it(digest_root: Path) -> None:
    page = add_and_build(digest_root, "2021-05-01-korean",
                         "---\ntitle: 엘제이와 류화영\ndate: 2021-05-01\nlanguage: ko\nquotes:\n"
                         "  - text: 사실이 아니다\n    speaker: Esmail Ghaani\n---\n"
                         "류화영은 한 매체에 자신의 입장을 털어놓았다.\n")
    site = digest_root / "site"
    assert '<h1 lang="ko">엘제이와 류화영</h1>' in page
    assert '<div class="body" lang="ko">' in page
    assert '<blockquote dir="auto" lang="ko"><p>사실이 아니다</p></blockquote>' in page
    assert 'lang="ko">엘제이와 류화영</a>' in read(site, "index.html")  # its card
    assert '<blockquote dir="auto" lang="ko"><p>사실이 아니다</p>' in read(  # the speaker's page
        site, "actors/esmail-ghaani/index.html")
    other = read(site, GHAANI)  # in the digest's language: nothing said of it
    assert "<h1>" in other and '<div class="body">' in other
    assert 'dir="auto" lang="ko">엘제이와 류화영</a>' in other  # but of a related article
    newest = read(site, "articles/2021-03-05-unrelated/index.html")  # and of a newer one
    assert '<bdi lang="ko">엘제이와 류화영</bdi>' in newest


def test_the_navigation_marks_the_page_the_reader_is_on(built_site: Path) -> None:
    def current(path: str) -> list[str]:
        return re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>',
                          read(built_site, path))
    assert current("index.html") == ["Latest"]
    assert current("actors/index.html") == ["Actors"]
    assert current("search/index.html") == ["Search"]
    assert current("page/2/index.html") == []  # a page of Latest, not the one its link opens
    assert current(GHAANI) == []


def test_text_from_the_front_matter_is_shown_as_written_never_as_markup(
        digest_root: Path) -> None:
    page = add_and_build(digest_root, "2021-05-02-markup",
                         "---\ntitle: 'Is <b>5 < 6</b> & \"x\" O''Neil''s?'\ndate: 2021-05-02\n"
                         "summary: <script>alert(1)</script> & more\nquotes:\n"
                         "  - text: '\"<i>No</i>,\" he said'\n    speaker: Esmail Ghaani\n"
                         "---\nA body.\n")
    site = digest_root / "site"
    title = "Is &lt;b&gt;5 &lt; 6&lt;/b&gt; &amp; &#34;x&#34; O&#39;Neil&#39;s?"
    assert f"<h1>{title}</h1>" in page
    assert f'<meta property="og:title" content="{title}">' in page
    assert ('<meta name="description" content="&lt;script&gt;alert(1)&lt;/script&gt; &amp; '
            'more">') in page
    assert "<p>&#34;&lt;i&gt;No&lt;/i&gt;,&#34; he said</p>" in page
    assert "<script>alert" not in page
    assert f'markup/">{title}</a></h2>' in read(site, "index.html")  # its card
    assert f"<title>{title}</title>" in read(site, "feed.xml")
