"""What an article says about itself: dateline, source, wire agency, summary, tags."""

from __future__ import annotations

import pytest

from digest.ingest.language import script_language
from digest.ingest.metadata import (
    Dateline,
    agency_byline,
    find_via,
    split_dateline,
    summarize,
)
from digest.ingest.tags import match_tags
from digest.model import TagInfo


@pytest.mark.parametrize(("opening", "dateline", "rest"), [
    ("SULAIMANI (ESTA) — Iran has", Dateline("Sulaimani", "ESTA"), "Iran has"),
    ("BAGHDAD (Reuters) - Iraq said", Dateline("Baghdad", "Reuters"), "Iraq said"),
    ("KYIV, Ukraine (AP) — Russia fired", Dateline("Kyiv, Ukraine", "AP"), "Russia fired"),
    ("BAGHDAD, Dec 3 (Reuters) - Iraqi", Dateline("Baghdad", "Reuters"), "Iraqi"),
    ("WASHINGTON — The Senate voted", Dateline("Washington", None), "The Senate voted"),
    ("**NEW YORK** (AP) — Stocks rose", Dateline("New York", "AP"), "Stocks rose"),
    ("SÃO PAULO (Reuters) - Brazil's", Dateline("São Paulo", "Reuters"), "Brazil's"),
    # AFP writes its datelines in title case; wire stories filed from two cities name both.
    ("Baghdad (AFP) - Iran has", Dateline("Baghdad", "AFP"), "Iran has"),
    ("AMMAN/BAGHDAD (Reuters) - Iran has", Dateline("Amman/Baghdad", "Reuters"), "Iran has"),
    ("NAJAF, Iraq — Iran has", Dateline("Najaf, Iraq", None), "Iran has"),
    # CNN gives no place, only itself.
    ("(CNN) Iran has", Dateline(None, "CNN"), "Iran has"),
    ("(Reuters) — The attorney general", Dateline(None, "Reuters"), "The attorney general"),
    # CNN's pages set the dateline apart by markup alone: as text it runs into the sentence.
    ("Hong Kong (CNN Business)A muddled view", Dateline("Hong Kong", "CNN Business"),
     "A muddled view"),
    ("Washington (CNN)President Donald Trump", Dateline("Washington", "CNN"),
     "President Donald Trump"),
    ("(CNN)Iran has", Dateline(None, "CNN"), "Iran has"),
    # A kicker labels the story: it goes, and a dateline after it is still read.
    ("EXCLUSIVE — BAGHDAD (Reuters) - Iran has", Dateline("Baghdad", "Reuters"), "Iran has"),
])
def test_a_dateline_opening_becomes_place_and_source(opening: str, dateline: Dateline,
                                                     rest: str) -> None:
    assert split_dateline(opening) == (dateline, rest)


@pytest.mark.parametrize("opening", [
    "The U.S. — and its allies — said no.",
    "NATO said — again — that it would stay.",
    "Iran-backed militias — a loose alliance — denied it.",
    "Trump — the president, that is — denied it.",
    "The U.S. — Iran's old enemy — denied it.",
    "Meanwhile — Iran denied it.",
    "(Pictured) Iran denied it.",
    "Iran (IRNA) said on Monday that it would stay.",
    "The militia (KH)Denied it.",
])
def test_a_sentence_with_a_dash_is_not_a_dateline(opening: str) -> None:
    assert split_dateline(opening) == (None, opening)


@pytest.mark.parametrize("opening", [
    "Kataib Hezbollah — The Iran-backed militia denied any role.",
    "U.S. Senate — The Senate voted on Tuesday.",
    "Tuesday — The Iraqi parliament voted.",
    "Live Updates — The Iraqi parliament voted.",
    "Al Jazeera — The Iraqi parliament voted.",
    "Middle East Eye — The Iraqi parliament voted.",
    "Donald Trump — The president denied it.",
    "New York Times — The Iraqi parliament voted.",
    # Even a real place: in title case with a dash and no outlet, it reads like a name.
    "Sulaimani — Iran has told its allies to stand down.",
])
def test_title_case_before_a_dash_without_an_outlet_is_no_dateline(opening: str) -> None:
    # A name, a day or a section in title case cannot be told from a place: the actor the
    # opening names stays in the body.
    assert split_dateline(opening) == (None, opening)


@pytest.mark.parametrize("kicker", ["EXCLUSIVE —", "UPDATE —", "ANALYSIS —", "WATCH —",
                                    "BREAKING:", "OPINION |", "Exclusive —"])
def test_a_kicker_is_never_a_dateline(kicker: str) -> None:
    dateline, rest = split_dateline(f"{kicker} Iran has told its allies to stand down.")
    assert dateline is None
    assert rest.endswith("Iran has told its allies to stand down.")


@pytest.mark.parametrize(("text", "via"), [
    ("The request was delivered last week, AP reported.", "AP"),
    ("Two politicians who attended told AP.", "AP"),
    ("AP cited Iraqi officials as saying.", "AP"),
    ("The minister said so, according to Reuters.", "Reuters"),
    ("Officials told The Associated Press on Friday.", "AP"),
    ("AFP quoted a source. Reuters reported it too. AFP said later.", "AFP"),
    ("The apparatus was a trap, the report said.", None),
])
def test_via_is_the_wire_agency_credited_most(text: str, via: str | None) -> None:
    assert find_via(text) == via


def test_the_summary_is_the_first_sentence_and_abbreviations_do_not_end_it() -> None:
    body = ("Iran told allies to avoid tensions with the U.S. president’s team, officials said. "
            "A second sentence follows.\n\nAnother paragraph.")
    assert summarize(body) == ("Iran told allies to avoid tensions with the U.S. president’s "
                               "team, officials said.")


def test_the_summary_skips_labels_above_the_article() -> None:
    body = ("#### Entermedia top news\n\n- The headline again\n\nPosted: \\[2018-08-25 15:24\\]"
            "\n\nThe factions met twice last week to coordinate their response to the strike.")
    assert summarize(body) == ("The factions met twice last week to coordinate their response "
                               "to the strike.")
    key_point = "- Emirates will buy 30 of Boeing's 787-9 Dreamliner jets, its executives said."
    assert summarize(key_point + "\n\n" + body) == key_point[2:]  # a key point says it well


def test_the_summary_reads_links_as_their_text() -> None:
    assert summarize("The [ministry](https://x.example) denied the report on Monday, in full.") \
        == "The ministry denied the report on Monday, in full."


VOCABULARY = (
    TagInfo("iran", "", ("Iran", "Tehran")),
    TagInfo("united-states", "", ("U.S.", "United States")),
    TagInfo("ceasefire", "", ("cease-fire", "truce")),
    TagInfo("sport", "", ()),
)


def test_tags_match_keywords_on_word_boundaries_in_order_of_first_mention() -> None:
    text = "A truce in Tehran. Iranian officials met U.S. envoys. Sport resumed."
    assert match_tags(text, VOCABULARY) == ("ceasefire", "iran", "united-states", "sport")


def test_tags_ignore_case_but_not_for_acronyms() -> None:
    assert match_tags("tell us about the CEASE FIRE in iran", VOCABULARY) == ("ceasefire", "iran")
    assert match_tags("Iranians and Tehranis", VOCABULARY) == ()


def test_tags_given_by_hand_come_after_the_suggested_ones() -> None:
    assert match_tags("Iran", VOCABULARY, extra=["analysis", "iran"]) == ("iran", "analysis")


@pytest.mark.parametrize(("text", "language"), [
    ("류화영은 한 매체에 자신의 입장을 털어놓았다.", "ko"),
    ("App Storeにない非公式アプリを利用することもできるようになるとのことです。", "ja"),  # kana
    ("中国内蒙古自治区发现两例鼠疫病例。", "zh"),  # Chinese characters alone
    ("Η κυβέρνηση ανακοίνωσε νέα μέτρα.", "el"),
    ("Iran told its allies in Iraq to avoid provoking tensions.", None),
    ("سقطت ثلاثة صواريخ قرب السفارة.", None),  # Arabic, Persian or Urdu: not guessed
    ("Mustafa al-Kadhimi met 류화영 in Seoul, officials in Baghdad and Tehran said.", None),
])
def test_a_script_that_names_one_language_names_it(text: str, language: str | None) -> None:
    assert script_language(text) == language


@pytest.mark.parametrize(("line", "byline"), [
    ("PTI, Washington,", ("PTI", "Washington")),
    ("By The Associated Press, New York", ("AP", "New York")),
    ("Reuters, said", None),  # a place is a name
    ("PTI, Washington, Nov 20", None),  # a date line: read for the date
    ("Leyla Demir, Ankara", None),  # a writer, not an agency
])
def test_a_byline_of_an_agency_and_a_place(line: str, byline: tuple[str, str] | None) -> None:
    assert agency_byline(line) == byline
