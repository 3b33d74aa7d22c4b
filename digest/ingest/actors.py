"""Find the registry's actors in an article, and the names it does not know yet.

An actor is found by its name or any alias, on word boundaries, whatever the possessive
("Ghaani’s"), the apostrophe style or the dots of an abbreviation ("U.S." / "US"). Names with
capitals match with those capitals, so the alias "US" never matches the word "us".
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from digest.config import Config
from digest.errors import ContentError, Problem
from digest.ingest import names
from digest.ingest.language import GERMAN_WORDS
from digest.load import markdown_files, read_actor, read_document
from digest.model import Actor, name_key

log = logging.getLogger(__name__)

MAX_CANDIDATES = 25


@dataclass(frozen=True, slots=True)
class Mention:
    actor: str  # the canonical name
    start: int
    end: int
    text: str  # as written in the article


@dataclass(frozen=True, slots=True)
class ActorIndex:
    """Every actor's names compiled into one pattern; built once per ingest run."""

    actors: tuple[Actor, ...]
    pattern: re.Pattern[str] | None
    canonical: dict[str, str]  # match_key(variant) -> canonical name
    kinds: dict[str, str]  # canonical name -> kind ("" when unknown)

    def kind(self, name: str) -> str:
        return self.kinds.get(name, "")

    def resolve(self, name: str) -> str | None:
        """The canonical name for a name or alias as written, or None."""
        return self.canonical.get(match_key(name))


def match_key(text: str) -> str:
    """How a matched span is looked up: no dots, no leading 'the', apostrophes and dashes folded."""
    key = name_key(text).replace(".", "").replace("‐", "-").replace("‑", "-").replace("–", "-")
    key = re.sub(r"\s+", " ", key).strip()
    return key[4:] if key.startswith("the ") else key


def _variant_regex(name: str) -> str:
    parts = []
    for index, char in enumerate(name):
        if char == ".":
            # "U.S." also matches "US"; the last dot may be a sentence's full stop.
            parts.append(r"\.?")
        elif char in "'’":
            parts.append("['’]")
        elif char in "-‐‑–":
            parts.append("[-‐‑–]")
        elif char.isspace():
            if not name[index - 1].isspace():
                parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
    body = "".join(parts)
    if re.match(r"(?i)the\s", name):
        body = "[Tt]he" + body[3:]
    if not any(ch.isupper() for ch in name):
        return f"(?i:{body})"
    letters = [ch for ch in name if ch.isalpha()]
    if len(letters) >= 4 and name != name.upper():
        # All-capitals headlines and datelines spell names in capitals.
        upper = r"\s+".join(re.escape(word) for word in name.upper().split())
        return f"(?:{body}|{upper})"
    return body


def build_index(actors: Sequence[Actor]) -> ActorIndex:
    canonical: dict[str, str] = {}
    variants: dict[str, int] = {}
    for actor in actors:
        for written in (actor.name, *actor.aliases):
            key = match_key(written)
            if not key:
                continue
            owner = canonical.setdefault(key, actor.name)
            if owner != actor.name:
                log.warning("'%s' names both %s and %s; matching it as %s",
                            written, owner, actor.name, owner)
            variants.setdefault(_variant_regex(written.strip()), len(written))
    if not variants:
        return ActorIndex(tuple(actors), None, canonical, {})
    # Longest names first, so "U.S. Embassy" wins over "U.S." at the same place.
    alternatives = sorted(variants, key=lambda v: (-variants[v], v))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
    kinds = {actor.name: (actor.kind or "") for actor in actors}
    return ActorIndex(tuple(actors), pattern, canonical, kinds)


def load_actors(config: Config) -> tuple[Actor, ...]:
    """The actor files under content/actors; a broken one is an error naming the file."""
    problems: list[Problem] = []
    actors = []
    for path in markdown_files(config.content_dir / "actors"):
        document = read_document(path, config.root, problems)
        if document is not None and (actor := read_actor(document, problems)):
            actors.append(actor)
    if problems:
        raise ContentError(problems)
    return tuple(actors)


_WORD_BEFORE_RE = re.compile(r"([^\W\d_][\w.’'-]*)[ \t]+$")
_WORD_AFTER_RE = re.compile(r"^[ \t]+([^\W\d_][\w’'-]*)")


def _title_case_line(text: str, position: int) -> bool:
    """Whether the line holding position is a headline in title case or capitals, where every
    word is capitalised and neighbours tell nothing."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    tokens = re.findall(r"[^\W\d_][\w’'-]*", text[start:end if end != -1 else len(text)])
    return len(tokens) >= 3 and sum(t[:1].isupper() for t in tokens) >= 0.7 * len(tokens)


def _inside_longer_name(text: str, start: int, end: int, spans: list[tuple[int, int]],
                        adjectives: frozenset[str]) -> bool:
    """Whether a match is part of a longer capitalised name: "Trump" in "Melania Trump" or
    "Trump Organization", "America" in "Ascom North America". A neighbour that is a title
    ("President Trump", "Iran Foreign Minister"), a sentence's first function word ("In Iraq"),
    a place's adjective ("Iraqi Kataib Hezbollah") or another actor ("IRGC Quds Force") is
    no part of the name."""
    def free(word: str, at: int) -> bool:
        lowered = word.lower().rstrip(".")
        return (not word[:1].isupper() or names.is_title(word)
                or lowered in names.FUNCTION_WORDS or lowered in adjectives
                or any(a <= at < b for a, b in spans))

    before = _WORD_BEFORE_RE.search(text, max(0, start - 40), start)
    after = _WORD_AFTER_RE.search(text[end:end + 40])
    if before is None and after is None:
        return False
    if _title_case_line(text, start):
        return False
    return ((before is not None and not free(before.group(1), before.start(1)))
            or (after is not None and not free(after.group(1), end + after.start(1))))


def find_mentions(text: str, index: ActorIndex) -> list[Mention]:
    """Every mention of a registry actor, in text order, longest name first where they overlap;
    never a name inside a longer capitalised name ("Melania Trump" is not Donald Trump)."""
    if index.pattern is None:
        return []
    matches = [(m, actor) for m in index.pattern.finditer(text)
               if (actor := index.resolve(m.group(0))) is not None]
    spans = [(m.start(), m.end()) for m, _actor in matches]
    capitalised = set(re.findall(r"\b[^\W\d_][\w-]*", text))
    bases = {w for w in capitalised if w[:1].isupper()}
    bases |= {n for actor in index.actors for n in (actor.name, *actor.aliases)}
    adjectives = names.demonyms(bases) | names.PROPER_ADJECTIVES
    found = []
    for match, actor in matches:
        if _inside_longer_name(text, match.start(), match.end(), spans, adjectives):
            continue
        found.append(Mention(actor, match.start(), match.end(), match.group(0)))
    return found


def actors_named(mentions: Iterable[Mention], extra: Iterable[str] = ()) -> tuple[str, ...]:
    """Canonical names, ordered by first mention, each once; `extra` (from --actor) goes last."""
    ordered: dict[str, None] = {}
    for mention in mentions:
        ordered.setdefault(mention.actor, None)
    for name in extra:
        ordered.setdefault(name, None)
    return tuple(ordered)


# Link targets, bare addresses, @handles and #hashtags: words in them name nobody
# ("apnews.com/Trumpimpeachmentinquiry", "@MattBevin").
_NOT_PROSE_RE = re.compile(r"\]\([^)\s]*\)|https?://\S+|www\.\S+|[@#]\w+")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_ROMAN_RE = re.compile(r"[IVXLCDM]+")
# Days and months that follow a name in a sentence; not "May" (a name) nor "Jun" ("Lee Ho Jun").
_TRAILING_DATES = names.WEEKDAYS | {
    "january", "february", "march", "april", "june", "july", "august", "september", "october",
    "november", "december"}
# Small words inside names written in capitals ("BANK OF AMERICA").
_NAME_PARTICLES = frozenset({"of", "the", "and", "for", "de", "al", "el"})


def _masked(text: str, mentions: Sequence[Mention]) -> str:
    """The text with known actors blotted out, so they split phrases and are not candidates,
    and with addresses and handles blotted out too."""
    pieces = []
    position = 0
    for mention in mentions:
        pieces.append(text[position:mention.start])
        pieces.append("|" * (mention.end - mention.start))
        position = mention.end
    pieces.append(text[position:])
    return _NOT_PROSE_RE.sub(lambda match: "|" * len(match.group(0)), "".join(pieces))


@dataclass(frozen=True, slots=True)
class _Evidence:
    """What the whole article says about its words."""

    capitalised_elsewhere: frozenset[str]  # capitalised words seen inside a sentence
    demonyms: frozenset[str]
    lowercase: frozenset[str]  # words the article also writes in lower case: common words
    plain_words: frozenset[str]  # words of phrases that open with no demonym or party


def _descriptor(word: str, demonyms: frozenset[str]) -> bool:
    """A word that says where someone is from or which side they are on: never a name."""
    lowered = word.lower()
    return (lowered in names.PROPER_ADJECTIVES or lowered in demonyms
            or lowered in names.PARTY_WORDS)


def _common_words(tokens: Sequence[names.Word], evidence: _Evidence) -> bool:
    """"GET OUT", "VOTE", "Complete": ordinary words shouted or capitalised for emphasis; the
    article writes them in lower case too. Acronyms ("NASA") and names never are."""
    content = [t.text for t in tokens if t.text.lower() not in names.FUNCTION_WORDS]
    return all(word.lower() in evidence.lowercase for word in content)


def _without_descriptor(tokens: list[names.Word], evidence: _Evidence) -> list[names.Word]:
    """"Republican Phil Bryant" -> "Phil Bryant": a party before a name of two or three words;
    "American Kevin Mayer" -> "Kevin Mayer": a nationality before a name the article also
    writes without it ("Mayer said"). Organisations keep theirs ("American University of Kabul",
    "European Union", "Republican National Committee"; "American Music Awards")."""
    rest = tokens[1:]
    if not 2 <= len(rest) <= 3 or any(t.text.lower() in names.NON_PERSON_HEADS for t in rest):
        return tokens
    first = tokens[0].text.lower()
    if first in names.PARTY_WORDS or (
            _descriptor(first, evidence.demonyms) and rest[-1].text in evidence.plain_words):
        return rest
    return tokens


def _without_opener(tokens: list[names.Word], evidence: _Evidence) -> list[names.Word]:
    """The word that opens a sentence before a name: "Getting Disney to agree", "Questioning
    Vindman", "Frankly I". An adverb only if the article also writes it in lower case ("Kelly
    Craft" stays); a verb in -ing also if it is capitalised nowhere else ("Beijing" is)."""
    if len(tokens) < 2 or not tokens[0].sentence_initial:
        return tokens
    word = tokens[0].text
    common = word.lower() in evidence.lowercase
    if (word.endswith("ly") and common) or (word.endswith("ing") and (
            common or word not in evidence.capitalised_elsewhere)):
        tokens = tokens[1:]
    elif len(tokens) == 2 and tokens[1].text == "I":
        tokens = tokens[:1]  # "Frankly I couldn't": the one word is judged alone, below
    return tokens


def _without_date(tokens: list[names.Word]) -> list[names.Word]:
    """The day or month after a name ("House Intelligence Committee Tuesday"), or after the
    word that opens a sentence ("Come November"); "Black Friday" and "Theresa May" stay."""
    rest = tokens[:-1]
    if rest and tokens[-1].text.lower() in _TRAILING_DATES and (
            len(rest) > 1 or rest[0].sentence_initial):
        return rest
    return tokens


def _candidate(phrase: names.Phrase, evidence: _Evidence) -> str | None:
    tokens = list(phrase.words)
    if any(names.is_code(token.text) or names.is_contraction(token.text)
           # Chinese, Japanese and Korean run on without spaces, or with particles joined
           # ("SNS에", "Apple社は"): a run of their letters is no name that can be told
           or names.WIDE_CHAR_RE.search(token.text) for token in tokens):
        return None
    # A person's title and nationality are not part of the name: "Iranian General X" -> "X".
    person = names.person_name(phrase)
    if person is not None and person != phrase.text:
        return person if names.looks_like_person(phrase) else None
    while tokens and (tokens[0].text.lower() in names.FUNCTION_WORDS
                      or (tokens[0].sentence_initial and len(tokens) > 1
                          and tokens[0].text.lower() in names.TITLE_WORDS)):
        tokens = tokens[1:]
    tokens = _without_opener(tokens, evidence)
    tokens = _without_descriptor(tokens, evidence)
    # Trailing particles and titles whose name was a known actor ("Iranian General [Ghaani]").
    while tokens and (tokens[-1].text.lower() in {"of", "the", "al", "el"}
                      or names.is_title(tokens[-1].text)):
        tokens = tokens[:-1]
    tokens = _without_date(tokens)
    # "Iraqi Shia", "American", "North American": adjectives of places and faiths, not actors.
    if all(_descriptor(t.text, evidence.demonyms) or t.text.lower() in names.COMPASS_WORDS
           for t in tokens):
        return None
    if all(t.text.isupper() for t in tokens) and (_common_words(tokens, evidence) or any(
            t.text.lower() in names.FUNCTION_WORDS - _NAME_PARTICLES for t in tokens)):
        return None  # shouted words ("GET OUT", "VOTE"), not an acronym or a name in capitals
    if len(tokens) == 1:
        word = tokens[0]
        lowered = word.text.lower()
        if (_common_words(tokens, evidence) or lowered in names.FUNCTION_WORDS
                or lowered in names.MONTHS or lowered in names.WEEKDAYS
                or lowered in names.WEEKDAY_ABBREVIATIONS or lowered in names.TITLE_WORDS
                or len(word.text) < 2):
            return None
        # Capitalised only where a sentence starts: an ordinary word ("Lawless", "Stand").
        if word.sentence_initial and word.text not in evidence.capitalised_elsewhere:
            return None
    elif all(t.text.lower() in names.MONTHS | names.WEEKDAYS | names.FUNCTION_WORDS
             for t in tokens):
        return None
    return " ".join(t.text for t in tokens)


def _acronym(word: str) -> bool:
    """"SPD", "CDU", "NATO": two letters or more, all capitals (not a number: "II", "XIV")."""
    return (word.isupper() and sum(character.isalpha() for character in word) >= 2
            and not _ROMAN_RE.fullmatch(word))


def _named_where_nouns_capitalised(candidates: dict[str, str], counts: Counter[str],
                                   ) -> tuple[dict[str, str], Counter[str]]:
    """What is left of the candidates in German, where every noun has a capital: the parts of
    each between German's small words ("Die TI", "Der Vorstand der Techniker Krankenkasse"),
    a part kept when it is an acronym, or a name of several words that the article gives more
    than once ("Techniker Krankenkasse"); of the other parts, their acronyms alone ("Standard
    FHIR")."""
    parts: list[tuple[str, int]] = []  # (part, how often its candidate was found)
    for key, name in candidates.items():
        segment: list[str] = []
        for word in [*name.split(), ""]:
            if word and word.lower() not in GERMAN_WORDS:
                segment.append(word)
                continue
            if len(segment) > 1:
                parts.append((" ".join(segment), counts[key]))
            parts.extend((acronym, counts[key]) for acronym in segment if _acronym(acronym))
            segment = []
    found: Counter[str] = Counter()
    for part, count in parts:
        found[_spelling_key(part)] += count
    kept: dict[str, str] = {}  # by first mention, as the candidates were
    for part, _ in parts:
        key = _spelling_key(part)
        if key not in kept and (_acronym(part) or found[key] > 1):
            kept[key] = part
    return kept, Counter({key: found[key] for key in kept})


def _spelling_key(name: str) -> str:
    """"MattBevin" and "Matt Bevin" are one spelling."""
    return re.sub(r"[\s\-]", "", name_key(name))


def _full_name(name: str) -> bool:
    """A person's name in full, as candidates give it: two or three words, none in capitals
    ("Esmail Ghaani", "Mark Rutte"; not "AP Ghaani" nor a heading run on for many words)."""
    words = name.split()
    return 2 <= len(words) <= 3 and all(
        word[0].isupper() and not _acronym(word) for word in words)


def _fullest(candidates: dict[str, str], counts: Counter[str],
             word_counts: Counter[str]) -> list[str]:
    """One name a person: "Smith" after "John Smith" (the surname) is the same person, and so
    is "Joe" beside "Joe Biden": a first name, written alone less often than the full name, or
    as often when the surname also stands without it ("Hunter Biden", "Biden said").
    "Google" beside "Google Stadia" and "Ithaca" beside "Ithaca Holdings" stay."""
    def first_name_of(key: str, short: str, other_key: str, other: str) -> bool:
        if " " in short or not other.startswith(f"{short} ") or len(other.split()) != 2:
            return False
        surname = other.split()[1]
        if surname.lower() in names.NON_PERSON_HEADS:  # "Carlyle Group"
            return False
        return counts[other_key] > counts[key] or (
            counts[other_key] == counts[key] and word_counts[surname] > counts[other_key])

    def part_of_another(key: str, short: str) -> bool:
        return any(other.endswith((f" {short}", f"-{short}"))
                   or first_name_of(key, short, other_key, other)
                   for other_key, other in candidates.items() if other != short)

    def run_together(key: str, name: str) -> bool:
        """"confirmed to AP Ghaani's meetings": an acronym the article names alone too, then
        the surname of a person it names in full, side by side once; two names, not one."""
        words = name.split()
        return (len(words) == 2 and counts[key] == 1 and _acronym(words[0])
                and _spelling_key(words[0]) in candidates
                and _spelling_key(words[1]) in candidates
                and words[1].lower() not in names.NON_PERSON_HEADS
                and any(other.endswith(f" {words[1]}") and _full_name(other)
                        for other in candidates.values()))
    return [name for key, name in candidates.items()
            if not part_of_another(key, name) and not run_together(key, name)]


def actor_candidates(body: str, mentions: Sequence[Mention], index: ActorIndex,
                     limit: int = MAX_CANDIDATES, nouns_capitalised: bool = False,
                     ) -> tuple[str, ...]:
    """Proper-noun phrases of the body that name no registry actor, by first mention.

    nouns_capitalised: the body is in a language that capitalises every noun (German), where
    a capital tells no name from a word ("Die Digitalisierung", "Bereich Healthcare"): only
    acronyms ("SPD", "KIS") and names of several words that recur are candidates there."""
    masked = _masked(body, mentions)
    found = names.phrases(masked)
    bases = {w.text for p in found for w in p.words} | {m.text for m in mentions}
    bases |= {n for actor in index.actors for n in (actor.name, *actor.aliases)}
    demonyms = names.demonyms(bases)
    evidence = _Evidence(
        capitalised_elsewhere=frozenset(
            w.text for p in found for w in p.words if not w.sentence_initial),
        demonyms=demonyms,
        lowercase=frozenset(w for w in _LETTERS_RE.findall(masked) if w.islower()),
        plain_words=frozenset(w.text for p in found for w in p.words
                              if not _descriptor(p.words[0].text, demonyms)))
    ordered: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for phrase in found:
        candidate = _candidate(phrase, evidence)
        if candidate is None or index.resolve(candidate) is not None:
            continue
        key = _spelling_key(candidate)
        counts[key] += 1
        # Of two spellings, the one with its spaces ("Matt Bevin") is the name as written.
        if key not in ordered or len(candidate.split()) > len(ordered[key].split()):
            ordered[key] = candidate
    if nouns_capitalised:
        ordered, counts = _named_where_nouns_capitalised(ordered, counts)
    word_counts = Counter(w.text for p in found for w in p.words)
    return tuple(_fullest(ordered, counts, word_counts)[:limit])
