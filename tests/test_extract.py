"""Cleaning raw articles: pasted text and saved pages become a headline and clean Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import IngestSettings
from digest.ingest.extract import ExtractionError, extract_html, extract_text
from digest.ingest.typography import fix_text

SHARED = Path(__file__).resolve().parents[2] / "shared"
# the raw article the project started from (a copy of shared/seeds/000_3edf7eb683d24681.txt)
SEED = Path(__file__).resolve().parent / "fixtures" / "seed" / "000_3edf7eb683d24681.txt"
SETTINGS = IngestSettings()

needs_seed = pytest.mark.skipif(not SEED.exists(), reason=f"the seed article is absent ({SEED})")

# The page quotes typographically, so the apostrophe is curly too.
PARAGRAPH = ("The minister said on Tuesday that the talks would resume next week, after "
             "a pause of several months that had worried the region’s smaller states.")

PASTED = f"""Home
News
World
Sign in
Ministers agree to resume border talks
By Jane Doe
March 3, 2024
{PARAGRAPH}
Officials from both sides have met twice since the summer, but neither meeting produced \
an agreement on the disputed crossings or on the customs posts along the river.
“We are closer than we have ever been,” the envoy told reporters in the capital.
Share this:
• Facebook
• Twitter
Related Posts
Weather warning issued for coastal towns
Newsletter: sign up for our morning briefing
"""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour reopens after storm | The Coast Courier</title>
<meta property="og:site_name" content="The Coast Courier">
<meta property="og:title" content="Harbour reopens after storm">
<meta property="article:published_time" content="2024-02-11T09:30:00+00:00">
<link rel="canonical" href="https://courier.example/harbour-reopens">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
<div class="share"><a href="https://facebook.com/share">Share on Facebook</a>
<a href="https://twitter.com/share">Tweet</a></div>
<article>
<h1>Harbour reopens after storm</h1>
<p>The harbour reopened on Sunday morning, three days after the storm tore through the \
breakwater and sank two fishing boats at their moorings in the inner basin.</p>
<p>Port officials said that divers had checked the channel overnight and found it clear, \
and that <a href="https://courier.example/storm">the damage report</a> would follow later.</p>
<blockquote><p>We were lucky that nobody was on the boats when the wall gave way.</p></blockquote>
<p>The council listed the repairs it will pay for this year, in the order it will make them:</p>
<ul><li>the outer breakwater wall</li><li>the lifeboat slipway</li><li>the harbour lights</li></ul>
<p>Fishing crews are expected back at sea by the end of the week, weather permitting, \
after the coastguard lifts its warning for the northern approach.</p>
</article>
<footer><p>© 2024 The Coast Courier. All rights reserved.</p>
<a href="/privacy">Privacy policy</a></footer>
</body></html>
"""


@needs_seed
def test_the_seed_keeps_its_headline_and_the_whole_article_and_nothing_else() -> None:
    article = extract_text(SEED.read_text(encoding="utf-8"), SETTINGS)
    assert article.title == (
        "Iran instructed Iraqi Shia allies to avoid provoking tensions with U.S. – officials")
    assert article.body.startswith("SULAIMANI (ESTA) — Iran has instructed its Shia allies")
    assert article.body.endswith("perpetrate acts of violence against the Iraqi state.")
    for chrome in ("Previous Article", "Next Article", "Netherlands to send", "Iran tightens",
                   "Related Posts", "Total", "Share"):
        assert chrome not in article.body
    assert "\n\n0\n" not in article.body and not article.body.endswith("0")
    assert article.date is None and article.source is None


def test_pasted_text_loses_menus_bylines_and_share_prompts() -> None:
    article = extract_text(PASTED, SETTINGS)
    assert article.title == "Ministers agree to resume border talks"
    assert article.body.startswith(PARAGRAPH)
    assert article.body.endswith("the envoy told reporters in the capital.")
    for chrome in ("Sign in", "By Jane Doe", "Share this", "Facebook", "Related Posts",
                   "Weather warning", "Newsletter"):
        assert chrome not in article.body


def test_a_curator_chrome_pattern_removes_lines_inside_the_article() -> None:
    text = PASTED.replace("“We are closer", "READ: Border deal timeline\n“We are closer")
    assert "READ: Border deal timeline" in extract_text(text, SETTINGS).body
    curated = IngestSettings(chrome_patterns=(r"read: .*",))
    assert "READ: Border deal timeline" not in extract_text(text, curated).body


def test_pasted_text_keeps_cyrillic_and_arabic_and_repairs_mojibake() -> None:
    text = ("Министр объявил о переговорах\n"
            "Министр иностранных дел заявил во вторник, что переговоры возобновятся на "
            "следующей неделе после долгой паузы, которая беспокоила соседние страны.\n"
            "وقال الوزير إن المحادثات ستستأنف الأسبوع المقبل بعد توقف طويل أثار قلق الدول "
            "المجاورة في المنطقة كلها.\n"
            "The envoy said it\u00e2\u20ac\u2122s a "
            "\u00e2\u20ac\u0153real chance\u00e2\u20ac\u009d for peace, and that "
            "the two delegations would meet in the capital on Monday.\n")
    article = extract_text(text, SETTINGS)
    assert article.title == "Министр объявил о переговорах"
    assert "Министр иностранных дел заявил во вторник" in article.body
    assert "وقال الوزير إن المحادثات ستستأنف" in article.body
    assert "it’s a “real chance” for peace" in article.body


def test_typography_repair_normalises_spaces_and_keeps_quotes_curly() -> None:
    assert fix_text("a\u00a0 b\u200b  c\r\nd") == "a b c\nd"
    assert fix_text("caf\u00c3\u00a9 \u00e2\u20ac\u201d done") == "café — done"
    assert fix_text("“Yes,” he said, \"it's done\"") == "“Yes,” he said, “it’s done”"
    assert fix_text("plain \"straight\" text") == "plain \"straight\" text"


def test_a_saved_page_becomes_markdown_without_its_chrome() -> None:
    article = extract_html(PAGE, "https://courier.example/x?utm=1", SETTINGS)
    assert article.title == "Harbour reopens after storm"
    assert article.source == "The Coast Courier"
    assert article.source_url == "https://courier.example/harbour-reopens"
    assert article.date is not None and article.date.year == 2024
    body = article.body
    assert body.startswith("The harbour reopened on Sunday morning")
    assert "# Harbour reopens" not in body
    assert "[the damage report](https://courier.example/storm)" in body
    assert "> We were lucky that nobody was on the boats" in body
    assert "- the outer breakwater wall\n- the lifeboat slipway\n- the harbour lights" in body
    assert body.endswith("lifts its warning for the northern approach.")
    for chrome in ("Home", "Sport", "Share on Facebook", "Tweet", "All rights reserved",
                   "Privacy policy"):
        assert chrome not in body


def test_links_with_unsafe_schemes_keep_only_their_text() -> None:
    page = PAGE.replace('href="https://courier.example/storm"', 'href="javascript:alert(1)"')
    body = extract_html(page, None, SETTINGS).body
    assert "javascript:" not in body
    assert "and that the damage report would follow later." in body


@pytest.mark.parametrize("text", ["", "   \n\t\n"])
def test_empty_input_is_an_error_that_says_what_to_do(text: str) -> None:
    with pytest.raises(ExtractionError, match="empty"):
        extract_text(text, SETTINGS)
    with pytest.raises(ExtractionError, match="empty"):
        extract_html(text, None, SETTINGS)


def test_a_page_or_text_without_an_article_is_an_error() -> None:
    menu_page = ("<html><head><title>Index</title></head><body><nav><ul>"
                 + "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(20))
                 + "</ul></nav></body></html>")
    with pytest.raises(ExtractionError, match="no article found"):
        extract_html(menu_page, None, SETTINGS)
    with pytest.raises(ExtractionError, match="no article found"):
        extract_text("Home\nNews\nSport\nSign in\n• Weather\n• Travel\n", SETTINGS)
