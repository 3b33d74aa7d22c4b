"""What the curator writes is checked where it is read: a mistake in digest.yaml, an article,
an actor or tags.yaml is an error naming the file, the line and the fix, never a traceback,
a page that runs a script, or a setting that quietly means something else."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config
from digest.errors import Problem
from digest.ingest.tags import match_tags
from digest.load import load_tags
from tests.conftest import build
from tests.test_build_errors import run_build, write_article

DATE_HINT = "write a real date as YYYY-MM-DD, or quote the value if it is text"
YAML_HINT = "check the indentation; quote values that contain ': ' or start with a quote"
URL_HINT = "write a full address starting with http://, https:// or mailto:"
LINK_HINT = URL_HINT + "; paths on this site and other schemes are not allowed"


def write(root: Path, relative: str, text: str) -> None:
    (root / relative).write_text(text, encoding="utf-8")


def add_settings(root: Path, text: str) -> None:
    """Settings appended to the fixture's digest.yaml, which has six lines."""
    config = root / "digest.yaml"
    config.write_text(config.read_text(encoding="utf-8") + text, encoding="utf-8")


def errors(root: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    code, err = run_build(root, capsys)
    assert code == 1
    assert "Traceback" not in err
    return err.splitlines()


# An article whose fields are on lines 2-8, as `digest ingest` writes them.
ARTICLE = """---
title: Ghaani in Baghdad
date: 2021-01-04
source: ESTA
source_url: https://example.com/story
via: AP
dateline: Sulaimani
tags: [iraq]
---
Body.
"""


def article_with(old: str, new: str) -> str:
    assert old in ARTICLE
    return ARTICLE.replace(old, new)


@pytest.mark.parametrize(("text", "message"), [
    pytest.param(article_with("date: 2021-01-04", "date: 2021-02-30"),
                 f"x.md:3: '2021-02-30' is not a valid date: day is out of range for month "
                 f"({DATE_HINT})", id="impossible day"),
    pytest.param(article_with("date: 2021-01-04", "date: 2021-13-01"),
                 f"x.md:3: '2021-13-01' is not a valid date: month must be in 1..12 ({DATE_HINT})",
                 id="impossible month"),
    pytest.param(article_with("via: AP", "via: 2021-02-29"),
                 f"x.md:6: '2021-02-29' is not a valid date: day is out of range for month "
                 f"({DATE_HINT})", id="date-like text in another field"),
    pytest.param(article_with("tags:", "\ttags:"),
                 "x.md:8: invalid YAML: found a tab character that violates indentation "
                 "(indent with spaces: YAML does not allow tabs there)", id="tab before a key"),
    pytest.param(article_with("source: ESTA", 'source: "ESTA'),
                 "x.md:4: invalid YAML: this quote is never closed (end the value with the "
                 "quote mark it opens with)", id="unclosed quote: where it opens"),
    pytest.param(article_with("source: ESTA", 'source: "ESTA').replace("via: AP", 'via: "AP"'),
                 "x.md:4: invalid YAML: this quote is never closed (end the value with the "
                 "quote mark it opens with; YAML read on to the next one, and only stumbled at "
                 "line 6)", id="unclosed quote closed by a later one: where it opens"),
    pytest.param(article_with("tags: [iraq]", "tags: ['iraq]"),
                 "x.md:8: invalid YAML: this quote is never closed (end the value with the "
                 "quote mark it opens with)", id="unclosed quote in a list"),
    pytest.param(article_with("title: Ghaani in Baghdad", 'title: "Ghaani in\n  Baghdad"')
                 .replace("tags:", "\ttags:"),
                 "x.md:9: invalid YAML: found a tab character that violates indentation "
                 "(indent with spaces: YAML does not allow tabs there)",
                 id="a value quoted over two lines is no unclosed quote"),
    pytest.param(article_with("tags: [iraq]", "tags:\n  - iraq\n - militias"),
                 f"x.md:10: invalid YAML: did not find expected key ({YAML_HINT})",
                 id="bad indentation: the line that is off"),
    pytest.param(article_with("via: AP", "via AP"),
                 "x.md:6: invalid YAML: while scanning a simple key, could not find expected ':' "
                 f"({YAML_HINT})", id="line with no colon"),
    pytest.param(article_with("https://example.com/story", "\"javascript:alert('src')\""),
                 "x.md:5: 'source_url' must be an http(s) or mailto address, not "
                 f"\"javascript:alert('src')\" ({URL_HINT})", id="javascript source_url"),
    pytest.param(article_with("https://example.com/story", "data:text/html,hi"),
                 "x.md:5: 'source_url' must be an http(s) or mailto address, not "
                 f"'data:text/html,hi' ({URL_HINT})", id="data source_url"),
    pytest.param(article_with("https://example.com/story", "https:/example.com/story"),
                 "x.md:5: 'source_url' must be an http(s) or mailto address, not "
                 f"'https:/example.com/story' ({URL_HINT})", id="source_url without a host"),
    pytest.param(article_with("dateline: Sulaimani", "dateline: Sulaimani\nlanguage: Arabic"),
                 "x.md:8: 'language' must be a language tag such as ar, fa or pt-BR, not "
                 "'Arabic' (write the code of the article's language (BCP 47))",
                 id="language by its name"),
    pytest.param(article_with("title: Ghaani in Baghdad", 'title: "   "'),
                 "x.md:2: 'title' is empty (write the title after 'title:')", id="blank title"),
    pytest.param(article_with("title: Ghaani in Baghdad", "title:"),
                 "x.md:2: 'title' is empty (write the title after 'title:')", id="empty title"),
    pytest.param(article_with("tags: [iraq]", "tags: [iraq, no]"),
                 "x.md:8: 'tags' must be a list of names, and False is not one (put in quotes a "
                 "name YAML reads as something else (yes, no, on, off, numbers with a point, "
                 "dates), and give no empty item)", id="yes is not a name"),
    pytest.param(article_with("tags: [iraq]", "quotes: Calm down"),
                 "x.md:8: 'quotes' must be a list of quotes, not 'Calm down' (write each quote as "
                 "'- text: \"...\"' with 'speaker: Name' below it; a single quote may stand alone)",
                 id="quote with no speaker"),
])
def test_article_mistakes_are_located(digest_root: Path, capsys: pytest.CaptureFixture[str],
                                      text: str, message: str) -> None:
    write_article(digest_root, "x.md", text)
    assert errors(digest_root, capsys) == [f"error: content/articles/{message}"]


def test_a_single_item_stands_for_a_list_everywhere(digest_root: Path) -> None:
    write_article(digest_root, "2021-01-04-single.md", article_with(
        "tags: [iraq]", "tags: iraq\nactors: Qods Force\n"
                        "quotes:\n  text: Be calm.\n  speaker: Ghaani"))
    write(digest_root, "content/actors/iran.md",
          "---\nname: Iran\naliases: Islamic Republic\naffiliations: Axis\n"
          "links: https://example.org/iran\n---\n")
    build(digest_root)
    page = (digest_root / "site/articles/2021-01-04-single/index.html").read_text()
    assert "#iraq</a>" in page and ">Quds Force</a>" in page and "Be calm." in page
    actor = (digest_root / "site/actors/iran/index.html").read_text()
    assert "Islamic Republic" in actor and '<a href="https://example.org/iran"' in actor


def test_a_name_with_a_comma_stays_one_name(digest_root: Path) -> None:
    """A single name may hold a comma (Sadr, Muqtada al-; Washington, D.C.): it is never split
    into made-up actors or tags. Several names are written as a list."""
    write(digest_root, "content/actors/sadr.md", "---\nname: Sadr, Muqtada al-\n---\n")
    write_article(digest_root, "2021-01-04-commas.md", article_with(
        "tags: [iraq]", "tags: Washington, D.C.\nactors: Sadr, Muqtada al-"))
    build(digest_root)
    page = (digest_root / "site/articles/2021-01-04-commas/index.html").read_text()
    assert 'href="/digest/actors/sadr/"' in page and "actors/muqtada" not in page
    assert (digest_root / "site/tags/washington-dc/index.html").exists()
    assert not (digest_root / "site/tags/washington").exists()


@pytest.mark.parametrize(("text", "message"), [
    pytest.param('---\nname: Iran\nlinks: ["javascript:alert(1)"]\n---\n',
                 f"iran.md:3: a link must be an http(s) or mailto address, not "
                 f"'javascript:alert(1)' ({LINK_HINT})", id="javascript link"),
    pytest.param('---\nname: Iran\nlinks:\n  - https://example.org/\n'
                 '  - {title: x, url: "javascript:alert(2)"}\n---\n',
                 f"iran.md:5: a link must be an http(s) or mailto address, not "
                 f"'javascript:alert(2)' ({LINK_HINT})", id="javascript link with a title"),
    pytest.param("---\nname: Iran\nlinks: /actors/irgc/\n---\n",
                 f"iran.md:3: a link must be an http(s) or mailto address, not '/actors/irgc/' "
                 f"({LINK_HINT})", id="site path"),
    pytest.param("---\nname: Iran\nlinks:\n  - {title: Home}\n---\n",
                 "iran.md:4: a link must be a URL or {title, url}, got {'title': 'Home'} (write "
                 "each link as a URL or as {title: ..., url: ...}; a single link may stand alone)",
                 id="link without url"),
    pytest.param('---\nname: " "\n---\n',
                 "iran.md:2: 'name' is empty (write the name after 'name:')", id="blank name"),
    pytest.param("---\nname: Iran\nkind: 2021-02-30\n---\n",
                 f"iran.md:3: '2021-02-30' is not a valid date: day is out of range for month "
                 f"({DATE_HINT})", id="impossible date"),
])
def test_actor_mistakes_are_located(digest_root: Path, capsys: pytest.CaptureFixture[str],
                                    text: str, message: str) -> None:
    write(digest_root, "content/actors/iran.md", text)
    assert errors(digest_root, capsys) == [f"error: content/actors/{message}"]


def test_mailto_and_http_links_pass(digest_root: Path) -> None:
    write(digest_root, "content/actors/iran.md",
          "---\nname: Iran\nlinks:\n  - mailto:press@example.org\n"
          "  - {title: Site, url: 'HTTP://example.org/'}\n"
          "  - {title: 2020, url: 'https://example.org/2020'}\n---\n")
    build(digest_root)
    actor = (digest_root / "site/actors/iran/index.html").read_text()
    assert 'href="mailto:press@example.org"' in actor and 'href="HTTP://example.org/"' in actor
    assert '<a href="https://example.org/2020" rel="noopener">2020</a>' in actor


def test_a_keyword_given_as_text_is_one_keyword(digest_root: Path) -> None:
    write(digest_root, "content/tags.yaml",
          "markets:\n  description: Money.\n  keywords: markets\nempty:\n  keywords: ['', ' ']\n")
    problems: list[Problem] = []
    tags = load_tags(load_config(digest_root), problems)
    assert problems == []
    assert [(t.name, t.keywords) for t in tags] == [("markets", ("markets",)), ("empty", ())]
    # neither the letter 'a' nor a blank keyword makes a tag apply to any text
    assert match_tags("Talks went on for a week.", tags) == ()
    assert match_tags("Markets fell.", tags) == ("markets",)


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("iraq:\n  description: Iraq.\n  keywords: {a: 1}\n",
                 "tags.yaml:3: tag 'iraq': 'keywords' must be a list of words, not {'a': 1} "
                 "(write them as keywords: [word, other words]; a single keyword may stand alone)",
                 id="keywords mapping"),
    pytest.param("iraq:\n  description: [Iraq]\n",
                 "tags.yaml:2: tag 'iraq': 'description' must be text, not ['Iraq'] (write each "
                 "tag as 'name: {description: ..., keywords: [...]}')", id="description list"),
    pytest.param("iraq: Iraq.\nwar:\n  keywords: [war, 2021-02-30]\n",
                 f"tags.yaml:3: '2021-02-30' is not a valid date: day is out of range for month "
                 f"({DATE_HINT})", id="impossible date"),
    pytest.param("iraq: Iraq.\nmilitias: {description: Armed groups, keyword: [militia]}\n",
                 "tags.yaml:2: tag 'militias': unknown field 'keyword' (remove it or use one of: "
                 "description, keywords)", id="misspelt field"),
])
def test_tag_mistakes_are_located(digest_root: Path, capsys: pytest.CaptureFixture[str],
                                  text: str, message: str) -> None:
    write(digest_root, "content/tags.yaml", text)
    assert errors(digest_root, capsys) == [f"error: content/{message}"]


@pytest.mark.parametrize("relative", ["digest.yaml", "content/tags.yaml"])
def test_files_not_in_utf8_name_the_line(digest_root: Path, capsys: pytest.CaptureFixture[str],
                                         relative: str) -> None:
    path = digest_root / relative
    path.write_bytes(path.read_bytes() + "oops: Café Noir\n".encode("cp1252"))
    line = path.read_bytes().count(b"\n")
    offset = path.read_bytes().index(b"\xe9")
    assert errors(digest_root, capsys) == [
        f"error: {relative}:{line}: not UTF-8 text (byte {offset}: 0xe9) (save the file as UTF-8)"]


@pytest.mark.parametrize(("settings", "message"), [
    pytest.param("related_count: -3\n", "digest.yaml:7: 'related_count' must be 0 or more, not -3 "
                 "(related articles on an article page; 0 shows none)", id="related_count"),
    pytest.param("feed_items: -1\n", "digest.yaml:7: 'feed_items' must be 1 or more, not -1 "
                 "(entries in each Atom feed)", id="feed_items negative"),
    pytest.param("feed_items: 0\n", "digest.yaml:7: 'feed_items' must be 1 or more, not 0 "
                 "(entries in each Atom feed)", id="feed_items empty"),
    pytest.param("co_actors: -1\n", "digest.yaml:7: 'co_actors' must be 0 or more, not -1 "
                 "(actors an actor page lists as appearing with it; 0 lists none)", id="co_actors"),
    pytest.param("ingest:\n  fetch_timeout: -5\n", "digest.yaml:8: 'ingest.fetch_timeout' must "
                 "be more than 0, not -5 (seconds `digest ingest URL` waits for an answer)",
                 id="fetch_timeout"),
    pytest.param("ingest:\n  max_bytes: 0\n", "digest.yaml:8: 'ingest.max_bytes' must be 1 or "
                 "more, not 0 (the largest page, in bytes, that `digest ingest URL` downloads)",
                 id="max_bytes"),
    pytest.param("ingest:\n  chrome_patterns:\n    - Share this\n    - (unclosed\n",
                 "digest.yaml:10: 'ingest.chrome_patterns': '(unclosed' is not a regular "
                 "expression: missing ), unterminated subpattern at position 0 (patterns match "
                 "whole lines, case-insensitively; put a backslash before ( ) [ ] . * + ? meant "
                 "as text)", id="chrome pattern"),
    pytest.param("feed_items: 2021-02-30\n", "digest.yaml:7: '2021-02-30' is not a valid date: "
                 f"day is out of range for month ({DATE_HINT})", id="impossible date"),
])
def test_settings_out_of_range_are_located(digest_root: Path, capsys: pytest.CaptureFixture[str],
                                           settings: str, message: str) -> None:
    add_settings(digest_root, settings)
    assert errors(digest_root, capsys) == [f"error: {message}"]


@pytest.mark.parametrize(("url", "reason"), [
    ("https:/digest/", "must be a full http(s) URL with a host"),
    ("https://example.org/d/?x=1#frag", "must not have a query (?...) or a fragment (#...)"),
    ("https://example.org/d/#top", "must not have a query (?...) or a fragment (#...)"),
    ("https://example.org/my digest/", "must not hold spaces (write a space in a path as %20)"),
])
def test_base_url_needs_a_host_and_nothing_after_the_path(
        digest_root: Path, capsys: pytest.CaptureFixture[str], url: str, reason: str) -> None:
    config = digest_root / "digest.yaml"
    config.write_text(config.read_text().replace("https://example.org/digest/", url))
    assert errors(digest_root, capsys) == [
        f"error: digest.yaml:3: 'base_url' {reason}, not {url!r} "
        "(for example https://example.github.io/digest/)"]


def test_a_bad_base_url_option_is_blamed_on_the_option(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "content/articles").mkdir(parents=True)  # a digest with no digest.yaml
    code = main(["build", "--root", str(tmp_path), "--base-url", "foo"])
    assert code == 1
    assert capsys.readouterr().err == ("error: --base-url: must be a full http(s) URL with a "
                                       "host, not 'foo' (for example "
                                       "https://example.github.io/digest/)\n")


def test_zero_related_articles_and_co_actors_show_none(digest_root: Path) -> None:
    add_settings(digest_root, "related_count: 0\nco_actors: 0\n")
    build(digest_root)
    article = (digest_root / "site/articles/2020-12-03-ghaani-in-baghdad/index.html").read_text()
    actor = (digest_root / "site/actors/esmail-ghaani/index.html").read_text()
    assert "Related articles" not in article and 'class="counts"' not in actor


def test_a_bad_chrome_pattern_stops_ingest_with_its_line(
        digest_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_settings(digest_root, 'ingest:\n  chrome_patterns: ["(unclosed"]\n')
    raw = tmp_path / "raw.txt"
    raw.write_text("Talks in Baghdad\n\nOfficials met on Monday to discuss the security of the "
                   "city, a spokesman said after the meeting ended late in the evening.\n")
    code = main(["ingest", "--root", str(digest_root), "--stdout", "--date", "2021-01-04",
                 str(raw)])
    assert code == 1
    assert capsys.readouterr().err.startswith(
        "error: digest.yaml:8: 'ingest.chrome_patterns': '(unclosed' is not a regular expression")


def test_a_chrome_pattern_may_open_with_a_case_flag(
        digest_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Patterns match case-insensitively anyway; a curator who writes (?i) out of habit is right.
    add_settings(digest_root, "ingest:\n  chrome_patterns:\n    - (?i)share on .*\n"
                              "    - (?i)kurdistan24 messenger .*\n")
    build(digest_root)
    raw = tmp_path / "raw.txt"
    raw.write_text("Talks in Baghdad\n\nOfficials met on Monday to discuss the security of the "
                   "city, a spokesman said after the meeting ended late in the evening.\n\n"
                   "The talks will go on next week, the spokesman said when the meeting had "
                   "ended.\n\nKurdistan24 Messenger brings you the latest news from the "
                   "region every day.\n")
    code = main(["ingest", "--root", str(digest_root), "--stdout", "--date", "2021-01-04",
                 str(raw)])
    out = capsys.readouterr().out
    assert code == 0
    assert "Messenger" not in out and "go on next week" in out


def test_a_bad_chrome_pattern_is_explained_in_its_own_terms(
        digest_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_settings(digest_root, 'ingest:\n  chrome_patterns: ["share (?i)on"]\n')
    assert errors(digest_root, capsys) == [
        "error: digest.yaml:8: 'ingest.chrome_patterns': 'share (?i)on' is not a regular "
        "expression: global flags not at the start of the expression at position 6 (patterns "
        "match whole lines, case-insensitively; put a backslash before ( ) [ ] . * + ? meant "
        "as text)"]


def test_the_first_paragraph_shown_as_a_summary_is_plain_text() -> None:
    """Home, tag and actor pages and page descriptions show an article's opening as text:
    no Markdown escapes, list bullets or entities may show through."""
    from digest.load import lead_of

    body = ("- a list of points is not the article's opening, however long it is\n"
            "- second point\n\n"
            "\\[Analysis\\] The *palace* drama is [a hit](https://example.org/a) &amp; "
            "ratings rose 5 \\< 10 times in 2019\\.\n")
    assert lead_of(body) == ("[Analysis] The palace drama is a hit & ratings rose 5 < 10 "
                             "times in 2019.")


def test_a_date_in_the_future_is_built_with_a_warning(digest_root: Path) -> None:
    """Most often a typo for another year; it is built all the same (it may be meant)."""
    year = dt.date.today().year + 3
    write_article(digest_root, "later.md", f"---\ntitle: Later\ndate: {year}-01-02\n---\nBody\n")
    completed = subprocess.run([sys.executable, "-m", "digest", "build", "--root",
                                str(digest_root)], capture_output=True, text=True, check=False)
    assert completed.returncode == 0
    assert completed.stderr == (
        f"warning: content/articles/later.md:3: date {year}-01-02 is in the future, so the "
        "article comes first on the site until then (check the year)\n")
    assert (digest_root / "site/articles/later/index.html").exists()
    write_article(digest_root, "later.md",
                  f"---\ntitle: Later\ndate: {year}-01-02\ndraft: true\n---\nBody\n")
    completed = subprocess.run([sys.executable, "-m", "digest", "build", "--root",
                                str(digest_root)], capture_output=True, text=True, check=False)
    assert completed.returncode == 0 and completed.stderr == ""  # a scheduled draft


def test_front_matter_loads_as_pyyaml_safe_loader_loads_it() -> None:
    """digest's loader takes text nodes straight (faster), and still reads what PyYAML's safe
    loader reads: anchors and aliases, explicit tags, merge keys, numbers, dates, nulls."""
    import yaml

    from digest.frontmatter import load_yaml

    text = (
        "title: Talks in Doha\n"
        "source: &outlet ESTA\n"
        "via: *outlet\n"
        "summary: !!str 2024\n"
        "quoted: '2024'\n"
        "count: 12\n"
        "ratio: 1.5\n"
        "draft: no\n"
        "date: 2024-03-01\n"
        "updated: 2024-03-02 10:00:00+03:00\n"
        "empty:\n"
        "tags: [iran, &t iraq, *t]\n"
        "base: &base {kind: person, aliases: [A, B]}\n"
        "merged: {<<: *base, kind: state}\n"
        "quotes:\n  - text: \"We want calm.\"\n    speaker: Esmail Ghaani\n"
        "block: |\n  two\n  lines\n"
    )
    assert load_yaml(text, "a.md") == yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506


@pytest.mark.parametrize(("relative", "text", "message"), [
    ("content/articles/twice.md",
     "---\ntitle: Twice\ndate: 2021-01-01\ntags: [iraq]\nvia: AP\ntags: [markets]\n---\nBody\n",
     "content/articles/twice.md:6: 'tags' is given twice, also at line 4"),
    ("content/tags.yaml", "iraq: Iraq.\nwar: War.\niraq: Also Iraq.\n",
     "content/tags.yaml:3: 'iraq' is given twice, also at line 1"),
    ("content/actors/iran.md", "---\nname: Iran\naliases: [IRI]\nkind: state\naliases: [Tehran]\n"
     "---\n", "content/actors/iran.md:5: 'aliases' is given twice, also at line 3"),
])
def test_a_key_given_twice_is_an_error_not_a_silent_loss(
        digest_root: Path, capsys: pytest.CaptureFixture[str], relative: str, text: str,
        message: str) -> None:
    """YAML itself would keep the second and drop the first without a word."""
    write(digest_root, relative, text)
    assert errors(digest_root, capsys) == [
        f"error: {message} (keep one, holding what both should say: YAML would quietly keep "
        "the second and drop the first)"]


def test_settings_of_the_wrong_kind_say_what_kind_and_a_blank_text_is_empty(
        digest_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = digest_root / "digest.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "description: A small digest the tests build.", "description:"), encoding="utf-8")
    build(digest_root)  # a description left blank is no description (not "None")
    home = (digest_root / "site/index.html").read_text(encoding="utf-8")
    assert 'name="description"' not in home and "None" not in home
    add_settings(digest_root, "feed_items: ten\n")
    assert errors(digest_root, capsys) == [
        "error: digest.yaml:7: 'feed_items' must be a whole number, not 'ten'"]
