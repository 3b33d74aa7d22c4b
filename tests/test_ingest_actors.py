"""Finding the registry's actors in an article, names it does not know, and `digest actor add`."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config
from digest.ingest.actors import (
    actor_candidates,
    actors_named,
    build_index,
    find_mentions,
    load_actors,
)
from digest.ingest.language import capitalises_nouns
from digest.load import load_content
from digest.model import Actor
from tests.ingest_support import make_digest, write_actor


def actor(name: str, *aliases: str, kind: str = "") -> Actor:
    return Actor(None, name.lower(), name, aliases, kind or None, (), (), "")


INDEX = build_index([
    actor("Esmail Ghaani", "Ghaani", "Ismail Qaani", kind="person"),
    actor("Quds Force", "Qods Force", "Quds Corps"),
    actor("United States", "U.S.", "US", "America"),
    actor("U.S. Embassy in Baghdad", "U.S. Embassy"),
    actor("Islamic Revolutionary Guard Corps", "IRGC", "the Guard"),
    actor("Ma'ariv"),
    actor("Iran"),
])


def named(text: str) -> tuple[str, ...]:
    return actors_named(find_mentions(text, INDEX))


def test_names_and_aliases_are_stored_by_canonical_name_in_order_of_first_mention() -> None:
    assert named("Ismail Qaani met the IRGC in Iran.") == (
        "Esmail Ghaani", "Islamic Revolutionary Guard Corps", "Iran")


def test_possessives_with_either_apostrophe_match() -> None:
    assert named("Ghaani’s message") == ("Esmail Ghaani",)
    assert named("Ghaani's message") == ("Esmail Ghaani",)
    assert named("the Guard’s expeditionary force") == ("Islamic Revolutionary Guard Corps",)


def test_an_actor_spelled_two_ways_is_listed_once() -> None:
    text = "the Quds Force ... Iran's Qods Force ... the Quds Corps"
    assert named(text) == ("Quds Force", "Iran")


def test_abbreviations_match_with_or_without_dots_and_at_a_sentence_end() -> None:
    assert named("Talks with the U.S. ended.") == ("United States",)
    assert named("It blamed the U.S.") == ("United States",)
    assert named("It blamed the US. Then") == ("United States",)
    assert named("U.S.-led forces") == ("United States",)


def test_case_keeps_an_acronym_from_matching_an_ordinary_word() -> None:
    assert named("Tell us about the guard at the gate.") == ()


def test_word_boundaries_keep_derived_words_out() -> None:
    assert named("Iranian and Americana officials, Iranium") == ()


def test_the_longest_name_wins_where_names_overlap() -> None:
    assert named("landing near the U.S. Embassy.") == ("U.S. Embassy in Baghdad",)


def test_apostrophe_styles_in_names_are_interchangeable() -> None:
    assert named("the daily Ma’ariv reported") == ("Ma'ariv",)


def test_names_in_all_capitals_match() -> None:
    assert named("QUDS FORCE CHIEF IN BAGHDAD") == ("Quds Force",)


def candidates(text: str) -> tuple[str, ...]:
    return actor_candidates(text, find_mentions(text, INDEX), INDEX)


def test_unknown_proper_nouns_become_candidates_in_order_of_first_mention() -> None:
    text = ("A barrage hit the Green Zone near the U.S. Embassy. Ashab al-Kahf claimed it. "
            "Iraqi Prime Minister Mustafa al-Kadhimi condemned it, and Kadhimi's office said "
            "Kataib Hezbollah denied a role.")
    assert candidates(text) == ("Green Zone", "Ashab al-Kahf", "Mustafa al-Kadhimi",
                                "Kataib Hezbollah")


def test_sentence_openers_months_weekdays_titles_and_adjectives_are_not_candidates() -> None:
    text = ("Despite the truce, rockets fell on Wednesday. Lawless militias fired in October. "
            "Iranian and Shia officials met. The general said: “Stand down.” "
            "President Trump spoke.")
    # Trump is the only proper name the registry does not know; "Iranian" comes from Iran.
    assert candidates(text) == ("Trump",)


def test_codes_left_in_the_text_are_not_candidates_but_names_with_numbers_are() -> None:
    text = ("Photo ED07AFBD9EE75871C12584B0005467DA shows the M23 rebels near a G20 venue. "
            "Talks slowed by COVID-19 ended, and F-16 jets flew over Goma.")
    assert candidates(text) == ("M23", "G20", "COVID-19", "F-16", "Goma")


def test_an_acronym_run_into_a_surname_is_two_names_not_one() -> None:
    # the seed article: "confirmed to AP Ghaani's meetings", with no actor registered yet
    text = ("AP reported that the request came from General Esmail Ghaani. Ghaani had met "
            "allies, two politicians told AP. An official confirmed to AP Ghaani's meetings.")
    found = actor_candidates(text, [], build_index([]))
    assert found == ("AP", "Esmail Ghaani")
    # a name that only looks run together stays: its second word is no person's surname, or
    # the pair comes more than once
    text = ("NATO said so, and NATO met. The Army moved; the Army left. The Pakistan Army "
            "waited, and the NATO Army stayed.")
    assert "NATO Army" in actor_candidates(text, [], build_index([]))
    text = "CNN said so. CNN Ghaani and CNN Ghaani again; Esmail Ghaani met Ghaani."
    assert "CNN Ghaani" in actor_candidates(text, [], build_index([]))
    text = ("AP reported it. AP said more. Later Ghaani spoke, and Ghaani left; officials "
            "confirmed to AP Ghaani's meetings{}.")
    assert "AP Ghaani" in actor_candidates(text.format(""), [], build_index([]))
    assert actor_candidates(text.format(" with Esmail Ghaani"), [], build_index([])) == (
        "AP", "Esmail Ghaani")
    # a headline run on to the word is no person named in full (a real page's "AMD Ryzen")
    text = ("AMD said so, and AMD shipped. Ryzen sold well; then Ryzen won. The AMD Ryzen chip "
            "is fast. Tool Author Not Receiving Ryzen was the headline.")
    assert "AMD Ryzen" in actor_candidates(text, [], build_index([]))


def test_known_actors_are_never_candidates() -> None:
    assert candidates("Iranian General Esmail Ghaani met officials in Iran.") == ()


def test_load_actors_reads_the_registry(tmp_path: Path) -> None:
    root = make_digest(tmp_path)
    names = {a.name for a in load_actors(load_config(root))}
    assert {"Esmail Ghaani", "Quds Force", "United States"} <= names


def test_actor_add_creates_a_file_the_loader_reads(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = make_digest(tmp_path, actors={})
    code = main(["actor", "add", "Mustafa al-Kadhimi", "--alias", "Kadhimi", "--alias",
                 "al-Kadhimi", "--kind", "person", "--affiliation", "Iraq",
                 "--description", "Iraqi prime minister from 2020 to 2022.", "--root", str(root)])
    assert code == 0
    path = root / "content" / "actors" / "mustafa-al-kadhimi.md"
    assert "wrote content/actors/mustafa-al-kadhimi.md" in capsys.readouterr().out
    (loaded,) = load_content(load_config(root)).actors
    assert loaded.name == "Mustafa al-Kadhimi"
    assert loaded.aliases == ("Kadhimi", "al-Kadhimi")
    assert loaded.kind == "person"
    assert loaded.affiliations == ("Iraq",)
    assert loaded.body.strip() == "Iraqi prime minister from 2020 to 2022."
    assert path.exists()


def test_actor_add_refuses_to_overwrite(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = make_digest(tmp_path, actors={})
    original = write_actor(root, "Iran", "country", []).read_text(encoding="utf-8")
    assert main(["actor", "add", "Iran", "--root", str(root)]) == 1
    assert "content/actors/iran.md: already exists; not overwritten" in capsys.readouterr().err
    assert (root / "content" / "actors" / "iran.md").read_text(encoding="utf-8") == original


def test_actor_add_refuses_an_alias_another_actor_claims(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_digest(tmp_path, actors={"United States": ("country", ["U.S.", "US"])})
    assert main(["actor", "add", "Union of Students", "--alias", "us", "--root", str(root)]) == 1
    error = capsys.readouterr().err
    assert "'us' already names the actor in content/actors/united-states.md" in error
    assert "(drop that alias, or add it to the existing actor instead)" in error
    assert not (root / "content" / "actors" / "union-of-students.md").exists()


def test_actor_add_of_a_name_another_actor_has_says_that_actor_may_be_meant(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_digest(tmp_path, actors={"United States": ("country", ["U.S.", "US"])})
    assert main(["actor", "add", "us", "--root", str(root)]) == 1
    error = capsys.readouterr().err
    assert ("'us' already names the actor in content/actors/united-states.md (that actor may be "
            "the one meant: edit its file, or give this one another name)") in error


@pytest.mark.parametrize(("text", "junk"), [
    ("Maria Lopez said that I’m sure of it, and that I’m staying.", "I’m"),
    ("Come November, Maria Lopez will vote in Madrid.", "Come November"),
    ("The museum in Seoul is closed on Sun & Mon, Maria Lopez said.", "Sun"),
    ("Maria Lopez testified to the House Intelligence Committee Tuesday in Washington.",
     "House Intelligence Committee Tuesday"),
    ("Maria Lopez spoke at [the inquiry](https://apnews.com/Trumpimpeachmentinquiry) today.",
     "Trumpimpeachmentinquiry"),
    ("“GET OUT and VOTE for your GREAT Governor,” Maria Lopez wrote. People get out to vote "
     "for a great cause.", "VOTE"),
    ("Maria Lopez thanked @MariaLopez and Matt Bevin; Governor @MattBevin replied.", "MattBevin"),
    ("“Frankly I couldn't believe it,” Maria Lopez said.", "Frankly I"),
    ("Getting Disney to agree was hard, Maria Lopez said.", "Getting Disney"),
    ("Like Instagram, the app hides likes, Maria Lopez said.", "Like Instagram"),
    ("Maria Lopez met North American and South Korean buyers and a Ghanaian carrier.",
     "North American"),
    ("Maria Lopez met North American and South Korean buyers and a Ghanaian carrier.",
     "Ghanaian"),
    ("Maria Lopez said the photos went up on SNS에 without consent.", "SNS에"),
    ("Maria Lopez wrote: App Storeにない非公式アプリを利用できる.",
     "App Storeにない非公式アプリを利用できる"),
])
def test_words_that_name_nobody_are_no_candidates(text: str, junk: str) -> None:
    found = candidates(text)
    assert junk not in found
    assert "Maria Lopez" in found


def test_shouted_words_are_no_candidates_but_acronyms_and_names_in_capitals_are() -> None:
    text = ("“GET OUT and VOTE,” he wrote. People get out to vote. Envoys from NASA and "
            "NEW DELHI met.")
    assert candidates(text) == ("NASA", "NEW DELHI")


def test_a_party_or_nationality_is_no_part_of_a_name() -> None:
    text = ("Republican Phil Bryant won in a landslide. American Kevin Mayer was freed; Mayer "
            "thanked the American University of Kabul and the European Union.")
    assert candidates(text) == ("Phil Bryant", "Kevin Mayer", "American University of Kabul",
                                "European Union")


def test_a_nationality_goes_even_when_the_article_names_no_country() -> None:
    text = ("American Kevin Mayer and Australian Timothy Weeks were freed. Mayer and Weeks’ "
            "family thanked the Australian government and the American Music Awards.")
    assert candidates(text) == ("Kevin Mayer", "Timothy Weeks", "American Music Awards")


def test_a_job_title_before_a_name_is_no_part_of_it() -> None:
    text = ("Chief Executive Carrie Lam spoke. National Security Adviser John Bolton and NASA "
            "Administrator Jim Bridenstine listened; Executive Bob Iger left.")
    assert candidates(text) == ("Carrie Lam", "John Bolton", "Jim Bridenstine", "Bob Iger")


def test_a_first_name_beside_the_full_name_is_the_same_person() -> None:
    text = ("Taylor Swift sang. He urged them to investigate Joe and Hunter Biden, and Joe "
            "Biden denied it. Taylor Swift and Taylor thanked Google; Google Stadia and Google "
            "launched.")
    assert candidates(text) == ("Taylor Swift", "Hunter Biden", "Joe Biden", "Google",
                                "Google Stadia")


GERMAN = ("Die Bundesregierung will die Digitalisierung im Gesundheitswesen beschleunigen. "
          "Der Vorstand der Techniker Krankenkasse begrüßte den Plan, die Kosten seien aber "
          "hoch. Auch die SPD und die Kassenärztliche Vereinigung äußerten sich zum Entwurf. "
          "Die Techniker Krankenkasse will die elektronische Patientenakte im Sommer anbieten.")


def test_in_german_where_every_noun_has_a_capital_only_acronyms_and_recurring_names_are_candidates(
        ) -> None:
    # capitals name every noun in German: taken as names, they were a list of the article's
    # nouns ("Die Bundesregierung", "Digitalisierung", "Gesundheitswesen", "Der Vorstand"...)
    assert "Digitalisierung" in candidates(GERMAN)
    assert actor_candidates(GERMAN, find_mentions(GERMAN, INDEX), INDEX,
                            nouns_capitalised=True) == ("Techniker Krankenkasse", "SPD")


def test_a_german_text_is_told_by_its_commonest_words_or_its_declared_language() -> None:
    assert capitalises_nouns(GERMAN, None)
    english = ("The German government wants to speed up the digitalisation of health care. "
               "Die-hard critics of the plan, and Der Spiegel, said it came too late.")
    assert not capitalises_nouns(english, None)
    assert capitalises_nouns(english, "de-AT")  # the page says so
    assert not capitalises_nouns(GERMAN, "en")
