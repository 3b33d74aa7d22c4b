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

INSIDE = ("Diplomats in the capital said the warning had been expected for weeks, since the "
          "factions had lost two commanders in a strike near the Syrian border.")


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
    "Follow the money, the prosecutor told the jury on Tuesday.",
    "“Follow us on Twitter for updates,” the police said in a statement.",
    "Every day we send patrols to the border, the commander said.",
    "Report after report has described the same failures at the ministry.",
    "“We need your support,” the candidate told voters in Mosul on Sunday.",
    "Support for the measure grew after the strike, and lawmakers voted on Monday.",
    "The foundation said it would fund independent journalism in the region.",
    "More in the capital than anywhere else, the strikes have shut schools and shops.",
    "Evan Gershkovich is a reporter for the Wall Street Journal, detained in Russia since March.",
])
def test_one_sentence_paragraphs_that_start_like_chrome_stay(sentence: str) -> None:
    body = extract_text(pasted(sentence), SETTINGS).body
    assert sentence in body
    assert CLOSING[-1] in body


@pytest.mark.parametrize("sentence", [
    "Follow the money on Twitter and you will find the militia's funding networks, the "
    "researcher said.",
    "Tell us what you think about the deal, the minister urged citizens.",
    "Related: the council met twice last month after similar attacks on the Green Zone.",
    "Volunteers handed out cookies and water at the site of the blast on Sunday, witnesses said.",
    "(c) Urges the Government of Iraq to hold accountable those responsible for attacks;",
    "Source: Russian Defense Ministry, October 25, 2019",
    "A joint AP/NORC poll found that most Iraqis wanted foreign forces to leave, AP reported.",
    "The photo, credited to AP Photo/Hadi Mizban by the paper, was later withdrawn.",
])
def test_sentences_worded_near_a_notice_stay(sentence: str) -> None:
    # Notices apply to every line, so each names the whole phrase a notice uses: a sentence
    # that shares a few of its words (follow ... on Twitter, tell us what you think, cookies
    # ... the site, a resolution's "(c)" read as ©) or a fact-check's dated source stays.
    body = extract_text(pasted(QUOTED, INSIDE, sentence), SETTINGS).body
    assert sentence in body.replace("\\", "")
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
               "We use cookies to ensure that we give you the best experience on our website.",
               "By continuing to browse the site you are agreeing to our use of cookies.",
               "Copyright © 2020 The Baghdad Post. All rights reserved.",
               "(c) 2019 Thomson Reuters. Click for restrictions.",
               "Tell us what you think in the comments below.",
               "Follow Kurdistan24 on Twitter, Facebook and Instagram.",
               "Subscribe to our newsletter."]
    body = extract_text(pasted(*notices), SETTINGS).body
    for notice in notices:
        assert notice not in body


@pytest.mark.parametrize("chrome", [
    "Let our news meet your inbox. The news and stories that matters, delivered weekday "
    "mornings.",
    "No spam, we promise. You can unsubscribe at any time and we'll never share your details "
    "without your permission.",
    "Stay up to date with Ascom. Subscribe to our newsletter.",
    "Want more stories like this?",
    "Every day we send an email with the top stories from Digg.",
    "This site is protected by recaptcha Privacy Policy | Terms of Service",
    "Related: The 15 Weirdest Galaxies in Our Universe",
    "(Image: © TNG Collaboration)",
    "Report",
    "Image caption Scooter Braun has managed Justin Bieber, among others, in his career",
    "Follow us on Twitter @Spacedotcom and on Facebook.",
    "These are external links and will open in a new window",
    "Do you rely on Snopes reporting? Click here to support it.",
    "Support Snopes and make a difference for readers everywhere.",
    "Support independent journalism: become a member today.",
    "A Word to Our Loyal Readers",
    "More in Trump Impeachment Inquiry",
    "Phil Helsel is a reporter for NBC News.",
    "About the author",
    "Close share panel",
    "Copy this link",
    # A caption copied with its photo credit reads like a sentence, but the credit ends it.
    "Rep. Ilhan Omar, D-Minn., speaks at the Capitol on July 25, 2019.J. Scott Applewhite / "
    "AP file",
    "Militia fighters parade through the streets of Baghdad on Monday. (AP Photo/Hadi Mizban)",
])
def test_sign_up_prompts_and_chrome_lines_go(chrome: str) -> None:
    # Well inside the article: a short line near its start would be taken for the headline.
    article = extract_text(pasted(QUOTED, INSIDE, chrome), SETTINGS)
    assert article.title == HEADLINE
    assert chrome not in article.body
    assert INSIDE in article.body and CLOSING[0] in article.body


def test_the_headline_is_found_above_a_long_share_panel() -> None:
    """Dozens of share lines between the headline and the article (a BBC page) do not push
    the headline out of reach, nor make the panel's last line the headline."""
    panel = []
    for network in ["Email", "Facebook", "Messenger", "Twitter", "Pinterest", "WhatsApp",
                    "LinkedIn"] * 3:
        panel += ["□", network, f"Share this with {network}"]
    panel += ["Copy this link", "These are external links and will open in a new window",
              "Close share panel"]
    text = "\n\n".join([HEADLINE, "19 November 2019", *panel, OPENING, SECOND, *CLOSING])
    article = extract_text(text, SETTINGS)
    assert article.title == HEADLINE
    assert article.body.startswith("BAGHDAD")


def test_teasers_cut_short_are_no_part_of_the_article() -> None:
    """A list of other stories, each its headline and the start of its lead ending in "...",
    above the article (an Indian weekly's page)."""
    teasers = [f"• {headline} NEW DELHI: {lead} ..." for headline, lead in [
        ("Cleric warns the government its days are numbered",
         "Firebrand cleric-cum-politician Maulana Fazlur Rehman on Wednesday said that the"),
        ("Court asks state to write a law for the temple",
         "The Supreme Court on Wednesday asked the state government to come out with an"),
        ("Opposition wants full disclosure about electoral bonds",
         "The Congress on Wednesday demanded that the Prime Minister should intervene in"),
    ]]
    text = "\n\n".join(["India Post", "Breaking News", *teasers, HEADLINE, "November 20",
                         OPENING, SECOND, *CLOSING])
    article = extract_text(text, SETTINGS)
    assert article.title == HEADLINE
    assert "Fazlur" not in article.body and "temple" not in article.body
    assert article.body.startswith("BAGHDAD")


def test_a_name_over_its_bio_is_no_subhead() -> None:
    article = extract_text(pasted(QUOTED, INSIDE, "Phil Helsel", "Phil Helsel is a reporter for "
                                  "NBC News, based in Los Angeles, who covers breaking news."),
                           SETTINGS)
    assert article.title == HEADLINE
    assert "## Phil Helsel" not in article.body
    assert "Phil Helsel is a reporter" in article.body


def article_page(*blocks: str) -> str:
    inner = "".join([f"<p>{OPENING}</p>", f"<p>{SECOND}</p>", *blocks,
                     *(f"<p>{paragraph}</p>" for paragraph in CLOSING)])
    return f"<html><body><article><h1>{HEADLINE}</h1>{inner}</article></body></html>"


@pytest.mark.parametrize("chrome", [
    "<h3>You may also like:</h3><ul><li><a href='https://x.example/a'>Pear jam</a></li>"
    "<li><a href='https://x.example/b'>Pickled sprouts</a></li></ul>",
    "<h3>Related post: <a href='https://x.example/c'>Pickled Brussels Sprouts Recipe</a></h3>",
    "<p><strong>Related:</strong> <strong>The 15 Weirdest Galaxies in Our Universe</strong></p>",
    "<h3>Tell us what YOU think...</h3><p>comments</p>",
    "<h2><a href='http://eepurl.com/x'>Click here to subscribe to The Paradigm Newsletter</a></h2>",
    "<p><em>Follow The New York Times Opinion section on Facebook, Twitter (@NYTopinion) and "
    "Instagram.</em></p>",
    "<p><em>Email Tariq Malik at tmalik@space.com or follow him @tariqjmalik.</em></p>",
])
def test_chrome_that_trafilatura_keeps_goes(chrome: str) -> None:
    body = extract_html(article_page(chrome), None, SETTINGS).body
    for words in ("like", "Related", "Pickled", "Weirdest", "think", "comments", "Paradigm",
                  "Follow", "Tariq"):
        assert words not in body
    assert SECOND in body and CLOSING[0] in body


@pytest.mark.parametrize("sentence", [
    "Related reports said the factions had met in Najaf as well.",
    "Follow the money, the prosecutor told the jury on Tuesday.",
    "Report after report has described the same failures at the ministry.",
    "Follow the money on Twitter and you will find the militia's funding networks, the "
    "researcher said.",
    "Tell us what you think about the deal, the minister urged citizens.",
    "Related: the council met twice last month after similar attacks on the Green Zone.",
    "Volunteers handed out cookies and water at the site of the blast on Sunday, witnesses said.",
])
def test_a_saved_page_keeps_sentences_that_start_like_chrome(sentence: str) -> None:
    body = extract_html(article_page(f"<p>{sentence}</p>"), None, SETTINGS).body
    assert sentence in body


def test_a_curator_pattern_applies_to_saved_pages_too() -> None:
    settings = IngestSettings(chrome_patterns=(r"baghdad post staff contributed to this report\.",))
    page = article_page("<p>Baghdad Post staff contributed to this report.</p>")
    assert "staff contributed" in extract_html(page, None, SETTINGS).body
    assert "staff contributed" not in extract_html(page, None, settings).body


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
