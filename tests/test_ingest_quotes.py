"""Direct quotations and their speakers: attributed when the article says who, dropped otherwise."""

from __future__ import annotations

from digest.ingest.actors import ActorIndex, build_index
from digest.ingest.quotes import find_quotes
from digest.model import Actor, Quote


def actor(name: str, *aliases: str, kind: str = "") -> Actor:
    return Actor(None, name.lower(), name, aliases, kind or None, (), (), "")


INDEX = build_index([
    actor("Esmail Ghaani", "Ghaani", kind="person"),
    actor("U.S. Embassy in Baghdad", "U.S. Embassy", kind="diplomatic mission"),
    actor("Associated Press", "AP", kind="media"),
    actor("Donald Trump", "Trump", kind="person"),
])
EMPTY = build_index([])


def quotes(body: str, index: ActorIndex = INDEX) -> list[tuple[str, str]]:
    return [(q.text, q.speaker) for q in find_quotes(body, index)]


def test_quote_then_said_x() -> None:
    assert quotes("“We will stay,” John Smith said.", EMPTY) == [("We will stay", "John Smith")]


def test_quote_then_said_x_with_an_apposition() -> None:
    body = "“We will stay,” said Jane Roe, a spokeswoman for the ministry."
    assert quotes(body, EMPTY) == [("We will stay", "Jane Roe")]


def test_x_said_colon_quote() -> None:
    assert quotes("John Smith said: “We will stay.”", EMPTY) == [("We will stay.", "John Smith")]


def test_x_quoted_y_as_saying_names_y_not_the_outlet() -> None:
    body = "“Be calm and cease attacks,” AP quoted Ghaani as saying."
    assert quotes(body) == [("Be calm and cease attacks", "Esmail Ghaani")]


def test_y_cited_as_saying_inside_a_longer_sentence() -> None:
    body = ("He said Iran’s response would “be in line with the type of strike,” one of the "
            "politicians cited Ghaani as saying, AP said.")
    assert quotes(body) == [("be in line with the type of strike", "Esmail Ghaani")]


def test_the_embassy_means_the_embassy_named_before() -> None:
    body = ("On Wednesday, the U.S. Embassy to Iraq said militias destabilize Iraq.\n\n"
            "“Lawless militias continue to destabilize Iraq,” the embassy tweeted.")
    assert quotes(body) == [("Lawless militias continue to destabilize Iraq",
                             "U.S. Embassy in Baghdad")]


def test_a_descriptor_finds_the_person_it_titled() -> None:
    body = ("The request came from Iranian General Esmail Ghaani last week.\n\n"
            "The Iranian general said in the message, “Stand down for now,” AP reported.")
    assert quotes(body) == [("Stand down for now", "Esmail Ghaani")]


def test_he_is_the_person_named_before_in_the_fullest_form() -> None:
    body = ("Mark Esper, the defense secretary, visited troops.\n\n"
            "“We are not leaving,” he said. Esper later flew home.")
    assert quotes(body, EMPTY) == [("We are not leaving", "Mark Esper")]


def test_a_surname_is_written_as_the_fullest_name_the_article_gives() -> None:
    body = ("Iraqi Prime Minister Mustafa al-Kadhimi welcomed the move. "
            "“Iraq will not be a battlefield,” Kadhimi said.")
    assert quotes(body, EMPTY) == [("Iraq will not be a battlefield", "Mustafa al-Kadhimi")]


def test_an_alias_speaker_is_stored_by_canonical_name() -> None:
    assert quotes("“It was a great deal,” Trump told reporters.") == [
        ("It was a great deal", "Donald Trump")]


def test_anonymous_speakers_are_dropped_not_guessed() -> None:
    body = ("“The talks failed,” an official said.\n\n"
            "“Nobody came,” the official added.\n\n"
            "“They left early,” officials said.\n\n"
            "“It was cold,” a spokesman for Prime Minister Boris Johnson said.")
    assert quotes(body, EMPTY) == []


def test_he_with_nobody_named_before_is_dropped() -> None:
    assert quotes("“We are not leaving,” he said.", EMPTY) == []


def test_scare_quotes_and_unattributed_quotes_are_dropped() -> None:
    body = "The so-called “peace plan” was a “tit-for-tat” affair. “Nobody knows the future.”"
    assert quotes(body, EMPTY) == []


def test_a_quote_continued_in_the_same_paragraph_keeps_its_speaker() -> None:
    body = "“We are ready,” said Jane Roe. “We have always been ready.”"
    assert quotes(body, EMPTY) == [("We are ready", "Jane Roe"),
                                   ("We have always been ready.", "Jane Roe")]


def test_a_quote_left_open_continues_in_the_next_paragraph() -> None:
    body = "Jane Roe said: “We are ready.\n\n“We have always been ready,” she added."
    assert quotes(body, EMPTY) == [("We are ready.", "Jane Roe"),
                                   ("We have always been ready", "Jane Roe")]


def test_straight_quotes_work_too() -> None:
    assert quotes('"We will stay," John Smith said.', EMPTY) == [("We will stay", "John Smith")]


def test_markdown_links_and_emphasis_do_not_hide_the_speaker() -> None:
    body = "“We will stay,” said [John Smith](https://example.org/smith), *the mayor*."
    assert quotes(body, EMPTY) == [("We will stay", "John Smith")]


def test_quotes_are_typed_records() -> None:
    assert find_quotes("“We will stay,” John Smith said.", EMPTY) == (
        Quote("We will stay", "John Smith"),)
