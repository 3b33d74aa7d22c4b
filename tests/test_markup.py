"""Markdown bodies become safe HTML, and the first mention of each actor becomes a link."""

from __future__ import annotations

from digest.markup import MarkdownRenderer, link_first_mentions

IRAN = "/d/actors/iran/"
EMBASSY = "/d/actors/us-embassy/"
US = "/d/actors/united-states/"
TITLES = {IRAN: "Iran", EMBASSY: "U.S. Embassy", US: "United States"}


def link(html: str, names: dict[str, str]) -> str:
    return link_first_mentions(html, names, TITLES)


def test_only_the_first_mention_is_linked_whatever_its_spelling() -> None:
    html = "<p>The U.S. said so. The United States and the U.S. agreed.</p>"
    linked = link(html, {"United States": US, "U.S.": US})
    assert linked == ('<p>The <a class="actor-link" href="/d/actors/united-states/" '
                      'title="United States">U.S.</a> said so. The United States and the U.S. '
                      "agreed.</p>")


def test_the_longer_name_wins_where_two_start_together() -> None:
    linked = link("<p>The U.S. Embassy spoke for the U.S. government.</p>",
                  {"U.S. Embassy": EMBASSY, "U.S.": US})
    assert 'title="U.S. Embassy">U.S. Embassy</a>' in linked
    assert 'title="United States">U.S.</a> government' in linked


def test_whole_words_only_but_possessives_count() -> None:
    linked = link("<p>Iranian officials spoke of Iran’s plans.</p>", {"Iran": IRAN})
    assert linked == ('<p>Iranian officials spoke of <a class="actor-link" href="/d/actors/iran/" '
                      'title="Iran">Iran</a>’s plans.</p>')


def test_never_inside_links_code_or_headings() -> None:
    html = ('<h2>Iran</h2><p><a href="https://x.org">Iran</a> <code>Iran</code></p>'
            "<pre><code>Iran</code></pre><p>Then Iran.</p>")
    linked = link(html, {"Iran": IRAN})
    assert linked.count("actor-link") == 1
    assert linked.endswith('<p>Then <a class="actor-link" href="/d/actors/iran/" '
                           'title="Iran">Iran</a>.</p>')


def test_non_latin_names_and_escaped_characters() -> None:
    names = {"حزب الله": "/d/actors/hezbollah/", "AT&T": "/d/actors/att/"}
    linked = link_first_mentions("<p>قال حزب الله و AT&amp;T</p>", names, {})
    assert '<a class="actor-link" href="/d/actors/hezbollah/" title="">حزب الله</a>' in linked
    assert '<a class="actor-link" href="/d/actors/att/" title="">AT&amp;T</a>' in linked


def test_raw_html_is_sanitised() -> None:
    html = MarkdownRenderer().to_html(
        '<script>alert(1)</script>\n\n<img src="x" onerror="alert(2)">\n\n'
        '[a](javascript:alert(3)) <a href="https://ok.org" onclick="x()">ok</a>')
    assert "<script" not in html and "alert(1)" not in html
    assert "onerror" not in html and "onclick" not in html and "javascript:" not in html
    assert '<a href="https://ok.org" rel="noopener noreferrer">ok</a>' in html


def test_tables_fenced_code_and_lists() -> None:
    html = MarkdownRenderer().to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n\n"
                                      "1. one\n2. two\n")
    assert "<table>" in html and "<pre><code>code" in html and "<ol>" in html
