"""Cleaning pasted text and saved pages: chrome goes, every sentence of the article stays."""

from __future__ import annotations

import pytest

from digest.config import IngestSettings
from digest.ingest.extract import extract_html, extract_text
from digest.ingest.typography import fix_text
from digest.markup import MarkdownRenderer

SETTINGS = IngestSettings()

HEADLINE = "Militia statement raises tensions in Baghdad"
OPENING = ("BAGHDAD — A coalition of Iraqi armed groups issued a statement on Monday warning "
           "foreign forces to leave the country within thirty days, raising fears of renewed "
           "attacks on bases that host American troops.")
SECOND = ("The statement, signed by four factions and posted on a Telegram channel linked to "
          "Kataib Hezbollah, was the strongest warning since the truce announced in October.")
QUOTED = ("Foreign forces have a last chance to leave our land peacefully, and we will not be "
          "responsible for what happens after the deadline passes.")
CLOSING = [
    "Officials in Baghdad did not immediately respond to requests for comment on the "
    "statement, which was shared widely on social media by supporters of the factions.",
    "Published reports in Iraqi media said the factions had met twice last week to coordinate "
    "their response to the strike that killed two of their commanders near the border.",
    "Share prices on the Iraq Stock Exchange fell sharply after the statement was published, "
    "traders in Baghdad said, with banking stocks leading the losses in the afternoon.",
]


def pasted(*middle: str) -> str:
    return "\n\n".join([HEADLINE, OPENING, SECOND, *middle, *CLOSING]) + "\n"


@pytest.mark.parametrize("introduction", [
    "The statement says:",
    "The statement reads as follows:",
    "In a 2019 video, the leader of the group said:",
    "Trump says:",
])
def test_a_line_introducing_a_quotation_cuts_nothing(introduction: str) -> None:
    body = extract_text(pasted(introduction, QUOTED), SETTINGS).body
    assert introduction in body
    assert QUOTED in body
    for paragraph in CLOSING:
        assert paragraph in body


@pytest.mark.parametrize("sentence", [
    "Sources said the deadline was set after a meeting in Baghdad.",
    "Volunteers baked cookies for the wounded soldiers at the base.",
    "Join the protest, the cleric told his followers on Sunday.",
    "Subscribers to the cleric's channel shared the video within minutes.",
    "Related reports said the factions had met in Najaf as well.",
])
def test_one_sentence_paragraphs_that_start_like_chrome_stay(sentence: str) -> None:
    body = extract_text(pasted(sentence), SETTINGS).body
    assert sentence in body
    assert CLOSING[-1] in body


def test_comment_headers_still_end_the_article() -> None:
    comments = ["1. joe says:", "November 19, 2019 at 9:41 am",
                "This is the worst decision the government could have made, and everyone "
                "in the neighbourhood knows it.",
                "2. ann_b says:", "November 19, 2019 at 10:02 am",
                "I could not disagree more with the previous comment, the decision was long "
                "overdue and everyone knew it."]
    text = "\n\n".join([HEADLINE, OPENING, SECOND, *CLOSING, *comments])
    body = extract_text(text, SETTINGS).body
    assert body.endswith(CLOSING[-1])
    assert "worst decision" not in body


def test_chrome_written_as_sentences_goes() -> None:
    notices = ["This website uses cookies to improve your experience. You can opt out.",
               "Copyright © 2020 The Baghdad Post. All rights reserved.",
               "Subscribe to our newsletter."]
    body = extract_text(pasted(*notices), SETTINGS).body
    for notice in notices:
        assert notice not in body


# --- typography -------------------------------------------------------------------------------

@pytest.mark.parametrize("correct", [
    "„Die Lage ist ernst, und ohne großen Spaß“, sagte er.",
    "« Nous avons enfin gagné\u00a0», a déclaré la ministre.",
    "Le menu du CAFÉ” était court.",
    "Ελληνικά, русский, العربية, 中文 — “quoted” and ‘single’ too.",
])
def test_correct_text_comes_through_the_mojibake_repair_unchanged(correct: str) -> None:
    expected = correct.replace("\u00a0", " ")  # odd spaces become plain ones
    assert fix_text(correct) == expected
    page = f"<html><body><article><p>{correct} {OPENING}</p></article></body></html>"
    assert expected in extract_html(page, None, SETTINGS).body


def test_real_mojibake_is_repaired_whole() -> None:
    broken = "The envoy said it’s a “real chance” for peace in Baghdad, in the café."
    # What a Windows tool shows for UTF-8 (the bytes cp1252 leaves undefined as Latin-1).
    mojibake = "".join(bytes([byte]).decode("cp1252", errors="ignore") or chr(byte)
                       for byte in broken.encode("utf-8"))
    assert "â€" in mojibake
    assert fix_text(mojibake) == broken
    page = f"<html><body><article><p>{mojibake} {OPENING}</p></article></body></html>"
    assert broken in extract_html(page, None, SETTINGS).body


# --- Markdown escaping, checked with the renderer the build uses -------------------------------

def rendered(*lines: str) -> str:
    body = extract_text(pasted(*lines), SETTINGS).body
    return MarkdownRenderer().to_html(body)


@pytest.mark.parametrize(("line", "shown"), [
    ("15) Thriller is the best-selling album of all time, the label said on Monday.",
     "Thriller is the best-selling album"),
    ("2019. That was the year the protests began, and many lawmakers have not forgotten it.",
     "<p>2019. That was the year"),
    ("Prices rose 5% < 10% forecast, while the dinar fell against the dollar, traders said.",
     "<p>Prices rose 5% &lt; 10% forecast"),
    ("#IraqProtests trended on Twitter for hours after the vote, with many users posting "
     "pictures of the session and of the lawmakers who stayed away.",
     "<p>#IraqProtests trended"),
])
def test_lines_show_as_written(line: str, shown: str) -> None:
    html = rendered(line)
    assert shown in html
    assert "\\" not in html


def test_a_pasted_numbered_list_keeps_its_numbers() -> None:
    html = rendered("The measures were the following:",
                    "1. Expel all foreign troops from Iraqi soil within one year.",
                    "2. Cancel the request for help from the international coalition.")
    assert "<ol>\n<li>Expel all foreign troops" in html
    assert "<li>Cancel the request" in html


def rendered_page(*paragraphs: str) -> str:
    """A saved page with these paragraphs (raw HTML) among the article's, as the build shows it."""
    inner = "".join(f"<p>{paragraph}</p>" for paragraph in (OPENING, SECOND, *paragraphs,
                                                             *CLOSING))
    page = f"<html><body><article><h1>{HEADLINE}</h1>{inner}</article></body></html>"
    return MarkdownRenderer().to_html(extract_html(page, None, SETTINGS).body)


@pytest.mark.parametrize(("paragraph", "shown"), [
    ("15) Thriller (Vinile) is on sale at half price until Sunday, the shop said.",
     "<p>15) Thriller (Vinile) is on sale"),
    ("2019. That was the year the protests began, and many lawmakers have not forgotten it.",
     "<p>2019. That was the year"),
    ("It opened the festival with &lt;The Palace: Tale of Jang Noksu&gt; on Friday night.",
     "with &lt;The Palace: Tale of Jang Noksu&gt; on"),
    ("Prices rose 5% &lt; 10% forecast, while the dinar fell against the dollar, traders said.",
     "<p>Prices rose 5% &lt; 10% forecast"),
])
def test_saved_page_paragraphs_show_as_written(paragraph: str, shown: str) -> None:
    html = rendered_page(paragraph)
    assert shown in html
    assert "\\" not in html


@pytest.mark.parametrize(("paragraph", "shown"), [
    # The New York Times italicises a paragraph one piece at a time, links and all.
    ("<em>We’d like to hear what you think. Here are some </em><em>tips</em>"
     "<em>. And here’s our email: </em><em>letters@nytimes.com</em><em>.</em>",
     "<p><em>We’d like to hear what you think. Here are some tips. And here’s our email: "
     "letters@nytimes.com.</em></p>"),
    ("<em>Here are some <strong>tips</strong>. And here’s our email, for letters.</em>",
     "<p><em>Here are some <strong>tips</strong>. And here’s our email, for letters.</em></p>"),
    ("<em>The envoy’s <em>own</em> words were read out in parliament on Monday.</em>",
     "<p><em>The envoy’s own words were read out in parliament on Monday.</em></p>"),
])
def test_emphasis_from_a_saved_page_renders_as_emphasis(paragraph: str, shown: str) -> None:
    html = rendered_page(paragraph)
    assert shown in html
    assert "*" not in html
