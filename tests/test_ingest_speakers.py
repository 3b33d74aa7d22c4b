"""Actors and speakers: the person the article names, never a neighbour of the name."""

from __future__ import annotations

import pytest

from digest.ingest.actors import build_index, find_mentions
from digest.ingest.quotes import find_quotes
from digest.model import Actor


def actor(name: str, *aliases: str, kind: str = "") -> Actor:
    return Actor(None, name.lower(), name, aliases, kind or None, (), (), "")


INDEX = build_index([
    actor("Donald Trump", "Trump", kind="person"),
    actor("United States", "U.S.", "US", "America", kind="country"),
    actor("Islamic Revolutionary Guard Corps", "IRGC", kind="military"),
    actor("Quds Force", kind="military unit"),
    actor("Kataib Hezbollah", kind="armed group"),
    actor("Iran", kind="country"),
])


def mentioned(text: str) -> list[str]:
    return [m.actor for m in find_mentions(text, INDEX)]


@pytest.mark.parametrize("text", [
    "First lady Melania Trump visited the embassy on Thursday.",
    "The Trump Organization declined to comment on the visit.",
    "Officials at the Trump International Hotel said nothing.",
    "The deal was signed by President Ascom North America on Monday.",
])
def test_an_alias_inside_a_longer_name_is_no_mention(text: str) -> None:
    assert mentioned(text) == []


@pytest.mark.parametrize(("text", "actors"), [
    ("President Trump said so on Monday.", ["Donald Trump"]),
    ("U.S. President Donald Trump said so.", ["United States", "Donald Trump"]),
    ("The IRGC Quds Force is led by a general.", ["Islamic Revolutionary Guard Corps",
                                                  "Quds Force"]),
    ("Iraqi Kataib Hezbollah fighters left Iraq.", ["Kataib Hezbollah"]),
    ("Iranian Quds Force officers left.", ["Quds Force"]),
    ("In America, nobody noticed.", ["United States"]),
    ("Trump Says Iran Will Pay For The Attack", ["Donald Trump", "Iran"]),
])
def test_titles_adjectives_and_other_actors_beside_a_name_keep_it(
        text: str, actors: list[str]) -> None:
    assert mentioned(text) == actors


def speakers(body: str) -> list[str]:
    return [q.speaker for q in find_quotes(body, INDEX)]


def test_melania_trump_s_words_are_hers() -> None:
    body = "“I am so proud of the work you do every day,” Melania Trump said in Baghdad."
    assert speakers(body) == ["Melania Trump"]


def test_a_photo_credit_is_no_speaker() -> None:
    body = ("Andrew Vaughan studies lungs at the University of Pennsylvania.\n\n"
            "Courtesy of Andrew Vaughan\n\n"
            "“Sure enough, they were all over the place,” Vaughan said.")
    assert speakers(body) == ["Andrew Vaughan"]


@pytest.mark.parametrize("body", [
    "Steve Menet, Senior Vice President of Sales for Dräger, Inc., says: “Effective alarm "
    "management continues to be a high focus for hospitals.”",
    "“Experiments of this kind succeed when you get out more than you put in,” Dylan Nelson, "
    "a postdoctoral fellow at the Max Planck Institute in Munich, Germany, and co-author of "
    "the study, said in a statement.",
])
def test_the_speaker_is_the_person_named_first_not_an_appositive(body: str) -> None:
    (speaker,) = speakers(body)
    assert speaker in ("Steve Menet", "Dylan Nelson")


@pytest.mark.parametrize("credit", [
    "Soldiers stand guard at the base in Baghdad. (AP Photo/Hadi Mizban)",
    "Soldiers stand guard at the base in Baghdad. Hadi Mizban/AP",
    "Courtesy of Hadi Mizban",
])
def test_a_photographer_in_a_caption_is_no_speaker(credit: str) -> None:
    body = f"{credit}\n\n“We will not leave,” he said on Monday."
    assert speakers(body) == []


def test_a_photo_caption_s_subject_is_not_who_he_refers_to() -> None:
    # A photo caption between the paragraphs names Omar first; "he" is still the man who
    # called, never the congresswoman he threatened.
    body = ("A New York man pleaded guilty to threatening to kill Rep. Ilhan Omar.\n\n"
            "Patrick W. Carlineo Jr., 55, of Addison, pleaded guilty on Monday.\n\n"
            "Carlineo faces a maximum of 10 years in prison.\n\n"
            "He was arrested in April for the March 21 call to the offices of Omar.\n\n"
            "Rep. Ilhan Omar, D-Minn., speaks at the Capitol on July 25, 2019.J. Scott "
            "Applewhite / AP file\n\n"
            "During the call, he asked about the Muslim Brotherhood, called Omar a “terrorist” "
            "and said, “somebody ought to put a bullet in her skull,” the prosecutor’s office "
            "said.")
    assert speakers(body) in ([], ["Patrick W. Carlineo Jr."])


def test_a_quoted_subhead_is_nobody_s_words() -> None:
    # A subhead quoting a claim belongs to no speaker: the paragraph before it ended with one.
    for subhead in ("**“… prevent the evacuation of civilians from the camp”**",
                    "## “Prevent the evacuation of civilians from the camp”"):
        body = ("“I can say with confidence that it is false,” Charles Simpson said.\n\n"
                f"{subhead}\n\n"
                "A refugee inside the camp said that the claim is wrong.")
        assert [q.text for q in find_quotes(body, INDEX)] == [
            "I can say with confidence that it is false"]


def test_a_paragraph_that_only_opens_and_ends_in_bold_is_narration() -> None:
    body = "**Baghdad** is calm, “and we will stay,” John Smith told **Reuters**"
    assert speakers(body) == ["John Smith"]
