"""What the site graph refuses, and what it shows, when actors, affiliations, tags and dates
do not fit together: two actor files for one page, affiliations that loop, tags that would
share a page, kinds spelled two ways, times in different offsets, aliases in search, and actors
no article names yet."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from digest.build import Builder
from tests.conftest import build
from tests.test_build_errors import run_build, write_article
from tests.test_build_site import read
from tests.test_incremental import tree

ACTORS = "content/actors"


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def replace_in(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def main_of(html: str) -> str:
    match = re.search(r"<main.*?</main>", html, re.S)
    assert match
    return match.group(0)


# 1. One page per actor


@pytest.mark.parametrize(("relative", "name", "message"), [
    (f"{ACTORS}/people/iran.md", "Iran Air",
     "content/actors/people/iran.md:1: actor slug 'iran' is already used by "
     "content/actors/iran.md"),
    (f"{ACTORS}/Quds_Force.md", "Quds Force Two",
     "content/actors/quds-force.md:1: actor slug 'quds-force' is already used by "
     "content/actors/Quds_Force.md"),
], ids=["same file name in a subfolder", "file name spelled another way"])
def test_two_actor_files_that_would_share_a_page_are_an_error_naming_both(
        digest_root: Path, capsys: pytest.CaptureFixture[str], relative: str, name: str,
        message: str) -> None:
    write(digest_root, relative, f"---\nname: {name}\n---\n")
    code, err = run_build(digest_root, capsys)
    assert code == 1
    assert err == (f"error: {message} (rename one of the files: an actor's slug, and its page "
                   "actors/<slug>/, come from its file name)\n")


# 2. Affiliations


@pytest.mark.parametrize(("old", "new", "line"), [
    ("affiliations: [Iran]", "affiliations: [Iran, IRGC]", 5),
    ("affiliations: [Iran]", "affiliations:\n  - Iran\n  - irgc\n", 7),
], ids=["flow list", "block list"])
def test_an_actor_affiliated_with_itself_is_an_error_at_that_line(
        digest_root: Path, capsys: pytest.CaptureFixture[str], old: str, new: str,
        line: int) -> None:
    replace_in(digest_root, f"{ACTORS}/irgc.md", old, new)
    spelling = "IRGC" if "IRGC" in new else "irgc"
    code, err = run_build(digest_root, capsys)
    assert code == 1
    assert err == (f"error: content/actors/irgc.md:{line}: 'Islamic Revolutionary Guard Corps' "
                   f"lists itself among its affiliations, as '{spelling}' (remove it: an actor "
                   "cannot be part of itself)\n")


def build_command(root: Path) -> subprocess.CompletedProcess[str]:
    """`digest build` as a curator runs it, which succeeds: what it printed."""
    completed = subprocess.run([sys.executable, "-m", "digest", "build", "--root", str(root)],
                               capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    return completed


def test_a_name_spelt_almost_like_an_actor_files_is_built_with_a_warning_where_it_is_written(
        digest_root: Path) -> None:
    write_article(digest_root, "2021-06-01-typo.md",
                  "---\ntitle: Typo\ndate: 2021-06-01\nactors:\n  - Adam Schiff\n"
                  "  - Qods Forse\n---\nBody.\n")
    completed = build_command(digest_root)
    assert completed.stderr == (
        "warning: content/articles/2021-06-01-typo.md:6: 'Qods Forse' makes an actor of its own, "
        "but is spelt almost like 'Quds Force' (content/actors/quds-force.md): fix the spelling, "
        "or add it to that file's aliases if it is the same actor\n")  # nothing of Adam Schiff
    assert "no file in content/actors/: Adam Schiff, Kataib Hezbollah, Qods Forse" in (
        completed.stdout)


def test_affiliations_that_go_round_in_a_loop_are_built_with_a_warning_naming_each_line(
        digest_root: Path) -> None:
    """Most often a slip, but an alliance and its leading party may each be part of the other:
    the build warns and goes on."""
    # the fixture has Quds Force -> IRGC -> Iran; Iran -> Quds Force closes the loop
    replace_in(digest_root, f"{ACTORS}/iran.md", "kind: state\n",
               "kind: state\naffiliations: [Qods Force]\n")
    completed = build_command(digest_root)
    assert completed.stderr == (
        "warning: content/actors/iran.md:4: affiliations go round in a loop: Iran → Quds Force "
        "→ Islamic Revolutionary Guard Corps → Iran (they are at content/actors/iran.md:4, "
        "content/actors/quds-force.md:5 and content/actors/irgc.md:5; remove one of them unless "
        "each is meant to be part of the other)\n")
    assert "Quds Force</a>" in read(digest_root / "site", "actors/iran/index.html")


def test_an_affiliation_naming_no_known_actor_gives_it_a_page_and_a_line_in_the_report(
        digest_root: Path) -> None:
    replace_in(digest_root, f"{ACTORS}/esmail-ghaani.md", "affiliations: [Quds Force]",
               "affiliations: [Quds Force, Hezbollah Council]")
    report = build(digest_root)
    assert report.actors_without_file == ("Hezbollah Council", "Kataib Hezbollah")
    page = main_of(read(digest_root / "site", "actors/hezbollah-council/index.html"))
    assert "this actor has no file in <code>content/actors/</code>" in page
    assert "named in articles" not in page  # no article names it
    assert 'Members: <a href="/digest/actors/esmail-ghaani/">Esmail Ghaani</a>' in page
    assert "No articles name Hezbollah Council yet." in page
    ghaani = read(digest_root / "site", "actors/esmail-ghaani/index.html")
    assert re.search(r'Part of: .*href="/digest/actors/hezbollah-council/">Hezbollah Council',
                     ghaani)


# 3. Tags


def test_spellings_that_give_one_page_are_one_tag(digest_root: Path) -> None:
    """A large archive spells one subject many ways (U.S. and US, Iran–Iraq and Iran-Iraq): a
    build must not fail on it, nor ask for thousands of files to agree."""
    (digest_root / "content/tags.yaml").write_text(
        "united-states: The United States.\n", encoding="utf-8")
    write_article(digest_root, "2021-03-06-a.md",
                  "---\ntitle: A\ndate: 2021-03-06\ntags: [U.S., Iran–Iraq war, United States]\n"
                  "---\nBody.\n")
    write_article(digest_root, "2021-03-07-b.md",
                  "---\ntitle: B\ndate: 2021-03-07\ntags: [US, Iran-Iraq war, united states]\n"
                  "---\nBody.\n")
    build(digest_root)
    site = digest_root / "site"
    for slug in ("us", "iran-iraq-war", "united-states"):
        page = read(site, f"tags/{slug}/index.html")
        assert ">A</a>" in page and ">B</a>" in page, slug
    # named after its tags.yaml entry, or else the first spelling met (newest article first)
    united = read(site, "tags/united-states/index.html")
    assert '<h1 class="page-title">#united-states</h1>' in united
    assert '<h1 class="page-title">#US</h1>' in read(site, "tags/us/index.html")


def test_a_tag_spelled_with_other_case_or_spacing_is_the_same_tag(built_site: Path) -> None:
    # 'iraq' in tags.yaml and one article, 'Iraq' in another: one tag, one page
    tags = read(built_site, "tags/index.html")
    assert tags.count('href="/digest/tags/iraq/"') == 1
    assert re.search(r'>#iraq</a> <span class="count">2<', tags)


def test_a_tag_described_twice_in_tags_yaml_is_an_error(
        digest_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tags = digest_root / "content/tags.yaml"
    tags.write_text(tags.read_text(encoding="utf-8") + "Iraq: Iraq again.\n", encoding="utf-8")
    code, err = run_build(digest_root, capsys)
    assert code == 1
    assert err == ("error: content/tags.yaml:5: tag 'Iraq' would share the page tags/iraq/ "
                   "with tag 'iraq' (content/tags.yaml:1) (describe each tag once in "
                   "content/tags.yaml: a tag's page is named by the letters and digits of its "
                   "name)\n")


# 4. Kinds


def test_the_actors_index_groups_kinds_whatever_their_case_or_spacing(
        digest_root: Path) -> None:
    write(digest_root, f"{ACTORS}/ali-khamenei.md", "---\nname: Ali Khamenei\nkind: Person\n---\n")
    write(digest_root, f"{ACTORS}/badr.md", "---\nname: Badr\nkind: Armed  Group\n---\n")
    build(digest_root)
    index = main_of(read(digest_root / "site", "actors/index.html"))
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", index)
    assert headings == ["Armed group", "Person", "State", "Unclassified"]
    people = index.split(">Person</h2>")[1].split("</section>")[0]
    assert ">Ali Khamenei</a>" in people and ">Esmail Ghaani</a>" in people
    armed = index.split(">Armed group</h2>")[1].split("</section>")[0]
    assert ">Badr</a>" in armed and ">Quds Force</a>" in armed


# 5. Times in different offsets


def test_feeds_sitemap_and_order_compare_times_not_their_text(digest_root: Path) -> None:
    # 10:00+05:00 is 05:00 UTC: earlier than 08:00+00:00 on the same day
    write_article(digest_root, "2021-03-06-east.md",
                  "---\ntitle: East\ndate: 2021-03-06T10:00:00+05:00\nactors: [Iran]\n---\n"
                  "Written in the east.\n")
    write_article(digest_root, "2021-03-06-west.md",
                  "---\ntitle: West\ndate: 2021-03-06T08:00:00+00:00\nactors: [Iran]\n---\n"
                  "Written in the west.\n")
    build(digest_root)
    site = digest_root / "site"
    for feed in ["feed.xml", "actors/iran/feed.xml"]:
        text = read(site, feed)
        assert re.search(r"</generator>", text)
        head = text.split("<entry>")[0]
        assert "<updated>2021-03-06T08:00:00+00:00</updated>" in head, feed
        titles = re.findall(r"<entry>\s*<title>([^<]+)</title>", text)
        assert titles[:2] == ["West", "East"], feed
    home = read(site, "index.html")
    assert re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', home) == ["West", "East"]
    timeline = read(site, "actors/iran/index.html").split('id="timeline-heading"')[1]
    assert timeline.index(">West</a>") < timeline.index(">East</a>")
    sitemap = read(site, "sitemap.xml")
    assert ("<loc>https://example.org/digest/</loc><lastmod>2021-03-06T08:00:00+00:00</lastmod>"
            in sitemap)
    assert ("<loc>https://example.org/digest/articles/2021-03-06-east/</loc>"
            "<lastmod>2021-03-06T10:00:00+05:00</lastmod>") in sitemap
    # a day without a time stays a day
    assert ("<loc>https://example.org/digest/articles/2021-03-05-unrelated/</loc>"
            "<lastmod>2021-03-05</lastmod>") in sitemap


# 6. Search


def test_the_search_index_carries_each_actors_aliases_once(built_site: Path) -> None:
    index = json.loads(read(built_site, "search-index.json"))
    assert index["aliases"] == {
        "Esmail Ghaani": ["Ghaani", "Ismail Qaani"],
        "Islamic Revolutionary Guard Corps": ["IRGC"],
        "Quds Force": ["Qods Force", "Quds Corps"],
    }
    assert [entry["t"] for entry in index["articles"]] == [
        "A quiet week in the markets", "IRGC issues a statement",
        "Rockets land near the Green Zone", "Ghaani asks allies in Baghdad for calm"]
    assert index["articles"][3]["a"] == ["Esmail Ghaani", "Quds Force", "Kataib Hezbollah"]


# 7. Actors no article names


def test_an_actor_no_article_names_says_so_and_has_no_empty_feed(digest_root: Path) -> None:
    write(digest_root, f"{ACTORS}/hamas.md", "---\nname: Hamas\n---\n")
    build(digest_root)
    site = digest_root / "site"
    page = read(site, "actors/hamas/index.html")
    assert "No articles name Hamas yet." in page
    assert not re.search(r'<p class="meta">\s*</p>', page)
    assert not re.search(r"<ol[^>]*>\s*</ol>", page)
    assert "actors/hamas/feed.xml" not in page  # neither linked nor offered
    assert not (site / "actors/hamas/feed.xml").exists()
    assert re.search(r'>Hamas</a> <span class="count">0<', read(site, "actors/index.html"))
    assert "1970-01-01" not in "".join(p.read_text(encoding="utf-8")
                                       for p in site.rglob("feed.xml"))


def test_an_actor_losing_its_last_article_loses_its_feed_in_cached_builds_too(
        digest_root: Path, tmp_path: Path) -> None:
    cached = Builder(digest_root, tmp_path / "cached")
    cached.build()
    assert (tmp_path / "cached/actors/iran/feed.xml").is_file()
    replace_in(digest_root, "content/articles/2021/2021-02-01-irgc-statement.md",
               "actors: [IRGC, Iran]", "actors: [IRGC]")
    cached.build()
    Builder(digest_root, tmp_path / "fresh", use_cache=False).build()
    assert tree(tmp_path / "cached") == tree(tmp_path / "fresh")
    assert not (tmp_path / "cached/actors/iran/feed.xml").exists()
    assert "No articles name Iran yet." in read(tmp_path / "cached", "actors/iran/index.html")


def test_problems_with_actors_affiliations_and_tags_are_reported_at_once(
        digest_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(digest_root, f"{ACTORS}/people/iran.md", "---\nname: Iran Air\n---\n")
    replace_in(digest_root, f"{ACTORS}/irgc.md", "affiliations: [Iran]", "affiliations: [IRGC]")
    tags = digest_root / "content/tags.yaml"
    tags.write_text(tags.read_text(encoding="utf-8") + "Iraq: Iraq again.\n", encoding="utf-8")
    code, err = run_build(digest_root, capsys)
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("error: content/actors/people/iran.md:1: actor slug 'iran'")
    assert lines[1].startswith("error: content/tags.yaml:5: tag 'Iraq'")
    assert lines[2].startswith("error: content/actors/irgc.md:5: 'Islamic Revolutionary Guard "
                               "Corps' lists itself")


def test_a_candidate_the_curator_promoted_to_an_actor_counts_as_one(digest_root: Path) -> None:
    # ingest keeps names it is unsure of as actor_candidates; `digest actor add` makes a file
    # for one, and from then on the articles that found it name that actor
    write_article(digest_root, "2021-05-02-sanctions.md",
                  "---\ntitle: New sanctions named\ndate: 2021-05-02\n"
                  "actor_candidates: [Qods Force, Someone Unknown]\n---\n"
                  "The Qods Force and Someone Unknown were named in the list.\n")
    build(digest_root)
    site = digest_root / "site"
    page = read(site, "articles/2021-05-02-sanctions/index.html")
    assert 'href="/digest/actors/quds-force/"' in page  # listed, and its mention linked
    assert "New sanctions named" in read(site, "actors/quds-force/index.html")
    assert not (site / "actors/someone-unknown").exists()  # a candidate makes no actor
    write(digest_root, f"{ACTORS}/someone-unknown.md", "---\nname: Someone Unknown\n---\n")
    build(digest_root)  # promoted now (digest actor add writes this file)
    assert "New sanctions named" in read(site, "actors/someone-unknown/index.html")
