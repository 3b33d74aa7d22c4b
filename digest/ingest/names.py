"""Proper-noun phrases in running text: "Esmail Ghaani", "Green Zone", "Ashab al-Kahf".

Shared by actor candidates (names the registry does not know) and quote attribution (who said
it). No part-of-speech tagger: capitalisation, position in the sentence and a few word lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that are capitalised because they open a sentence, not because they name something.
FUNCTION_WORDS = frozenset([
    "a", "about", "above", "according", "after", "again", "against", "all", "also", "although",
    "among", "an", "and", "another", "any", "are", "as", "at", "be", "because", "been", "before",
    "being", "between", "both", "but", "by", "can", "could", "despite", "did", "do", "does",
    "during", "each", "either", "even", "every", "few", "for", "from", "had", "has", "have",
    "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however",
    "i", "if", "in", "including", "instead", "into", "is", "it", "its", "itself", "just", "last",
    "later", "least", "less", "many", "may", "me", "meanwhile", "more", "most", "much", "must",
    "my", "neither", "never", "next", "no", "nor", "not", "now", "of", "off", "on", "once", "one",
    "only", "or", "other", "others", "our", "out", "over", "own", "perhaps", "please", "rather",
    "since", "so", "some", "still", "such", "than", "that", "the", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "this", "those", "though", "through", "thus",
    "to", "today", "tomorrow", "too", "under", "unless", "until", "up", "upon", "us", "very",
    "was", "we", "were", "what", "whatever", "when", "where", "whether", "which", "while", "who",
    "whom", "whose", "why", "will", "with", "within", "without", "would", "yes", "yesterday",
    "yet", "you", "your", "like", "unlike"
])

MONTHS = frozenset([
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec"
])
WEEKDAYS = frozenset([
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
])
# "Closed on Sun & Mon": alone, these are days, not names.
WEEKDAY_ABBREVIATIONS = frozenset([
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"
])
# Parties and leanings written before a name ("Republican Phil Bryant").
PARTY_WORDS = frozenset([
    "republican", "republicans", "democrat", "democrats", "democratic", "independent",
    "conservative", "liberal", "labour", "tory", "socialist", "communist", "nationalist"
])

# Letters of the scripts written without spaces between words (Chinese, Japanese, Korean) and
# full-width forms: such a letter counts as half a word, and no name can be told in a run of them.
WIDE_CHAR_RE = re.compile("[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")

# Words that stand before a person's name ("Iranian General Esmail Ghaani", "Mr. Smith").
TITLE_WORDS = frozenset([
    "mr", "mrs", "ms", "dr", "prof", "sir", "dame", "lord", "lady", "gen", "lt", "col", "maj",
    "sgt", "capt", "adm", "cmdr", "gov", "sen", "rep", "rev", "president", "vice", "prime",
    "minister", "secretary", "general", "lieutenant", "colonel", "major", "sergeant", "captain",
    "admiral", "commander", "chief", "director", "spokesman", "spokeswoman", "spokesperson",
    "speaker", "mayor", "governor", "senator", "representative", "congressman", "congresswoman",
    "judge", "justice", "king", "queen", "prince", "princess", "sheikh", "emir", "ayatollah",
    "cleric", "imam", "pope", "ambassador", "chancellor", "chairman", "chairwoman", "chair", "ceo",
    "founder", "leader", "foreign", "defense", "defence", "interior", "finance", "state", "deputy",
    "acting", "former", "late", "attorney", "executive", "adviser", "advisor", "administrator",
    "envoy", "commissioner"
])

# Last words of organisations, places and things: such a phrase is not a person.
NON_PERSON_HEADS = frozenset([
    "agency", "army", "assembly", "association", "authority", "bank", "brigade", "brigades",
    "bureau", "campaign", "center", "centre", "church", "city", "coalition", "college", "command",
    "commission", "committee", "company", "congress", "corps", "council", "court", "department",
    "embassy", "federation", "force", "forces", "front", "group", "guard", "guards", "hospital",
    "house", "institute", "island", "league", "media", "ministry", "movement", "network", "news",
    "office", "organization", "organisation", "parliament", "party", "police", "post", "press",
    "province", "region", "republic", "school", "senate", "service", "square", "state", "states",
    "street", "times", "tribunal", "union", "university", "zone"
])

# Proper adjectives that name no actor on their own.
PROPER_ADJECTIVES = frozenset([
    "shia", "shiite", "shi'ite", "sunni", "muslim", "muslims", "christian", "christians", "jewish",
    "jew", "jews", "catholic", "protestant", "orthodox", "islamic", "islamist", "arab", "arabs",
    "arabic", "kurdish", "western", "eastern", "northern", "southern", "european", "english",
    "french", "spanish", "hindu", "buddhist",
    # Nationalities, for articles that do not name the country ("Australian Timothy Weeks");
    # demonyms() finds the rest from the places an article names.
    "african", "afghan", "afghans", "algerian", "american", "americans", "argentine",
    "armenian", "asian", "australian", "australians", "austrian", "azerbaijani", "bangladeshi",
    "belarusian", "belgian", "brazilian", "british", "briton", "britons", "bulgarian",
    "canadian", "canadians", "chechen", "chilean", "chinese", "colombian", "congolese",
    "croatian", "cuban", "czech", "danish", "dutch", "egyptian", "egyptians", "emirati",
    "ethiopian", "filipino", "finnish", "german", "germans", "ghanaian", "greek", "hungarian",
    "indian", "indonesian", "iranian", "iranians", "iraqi", "iraqis", "irish", "israeli",
    "israelis", "italian", "italians", "japanese", "jordanian", "kazakh", "kenyan", "korean",
    "koreans", "kuwaiti", "lebanese", "libyan", "malaysian", "mexican", "mexicans", "moroccan",
    "nigerian", "nigerians", "norwegian", "pakistani", "pakistanis", "palestinian",
    "palestinians", "polish", "portuguese", "qatari", "romanian", "russian", "russians",
    "rwandan", "saudi", "saudis", "scottish", "serbian", "somali", "sudanese", "swedish",
    "swiss", "syrian", "syrians", "taiwanese", "thai", "tunisian", "turkish", "ugandan",
    "ukrainian", "ukrainians", "uzbek", "venezuelan", "vietnamese", "welsh", "yemeni",
    "yemenis"
])
# Words that turn a nationality into a region's ("North American", "South Korean").
COMPASS_WORDS = frozenset(["north", "south", "east", "west", "northern", "southern", "eastern",
                           "western", "central"])

_TOKEN_RE = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_][\w'’.\-]*")
# Initials ("Patrick W. Carlineo") keep their period too.
_ABBREVIATION_RE = re.compile(r"(?:[^\W\d_]\.){1,}|(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Sgt|Capt|Adm|"
                              r"Gov|Sen|Rep|Rev|Prof|St|Jr|Sr|Inc|Corp|Co|Ltd)\.")
# Lowercase particles inside names: "Ashab al-Kahf", "Ludwig van Beethoven", "Bank of England".
_PARTICLES = frozenset({"al", "el", "bin", "ibn", "bint", "abu", "de", "del", "der", "van",
                        "von", "da", "di", "du", "le", "la", "of", "the"})
_CONTRACTION_RE = re.compile(r"(?:['’](?:m|ll|ve|re|d)|n['’]t)$", re.IGNORECASE)
_SENTENCE_GAP_RE = re.compile(r"(?:^|\n|[.!?:;]|[“\"‘(\[—–])[ \t”\"’)\]*_#>-]*$")


@dataclass(frozen=True, slots=True)
class Word:
    text: str  # without a possessive 's or a sentence-final period
    start: int
    end: int
    capitalised: bool
    sentence_initial: bool


@dataclass(frozen=True, slots=True)
class Phrase:
    """A run of capitalised words (with name particles inside) at [start, end) of the text."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def start(self) -> int:
        return self.words[0].start

    @property
    def end(self) -> int:
        return self.words[-1].end


def _clean_token(token: str) -> str:
    for suffix in ("'s", "’s", "'", "’"):
        if token.endswith(suffix) and len(token) > len(suffix) + 1:
            token = token[: -len(suffix)]
            break
    if token.endswith(".") and not _ABBREVIATION_RE.fullmatch(token):
        token = token.rstrip(".")
    # "Iran-backed", "Kurdistan-based": the name is the part before a lowercase compound.
    head, _, tail = token.partition("-")
    if tail and tail[:1].islower() and head.lower() not in _PARTICLES:
        token = head
    return token


def words(text: str) -> list[Word]:
    found = []
    for match in _TOKEN_RE.finditer(text):
        raw = match.group(0)
        token = _clean_token(raw)
        if not token:
            continue
        head = token.split("-", 1)
        capitalised = token[:1].isupper() or (
            len(head) == 2 and head[0].lower() in _PARTICLES and head[1][:1].isupper())
        # Only capitalised words need it; a short look back is enough, as the gap holds only
        # spaces, quotes and brackets.
        initial = capitalised and _SENTENCE_GAP_RE.search(
            text, max(0, match.start() - 12), match.start()) is not None
        found.append(Word(token, match.start(), match.start() + len(token), capitalised, initial))
    return found


def _joined(text: str, left: Word, right: Word) -> bool:
    """Whether two words belong to one name: only spaces between them. A stripped possessive or
    sentence-final period stays in the gap, so "Iran's Qods Force" and "Zone. The" split."""
    gap = text[left.end:right.start]
    return gap.strip() == "" and "\n" not in gap


def phrases(text: str) -> list[Phrase]:
    """Every run of capitalised words, in text order; particles join but never end a run."""
    all_words = words(text)
    result: list[Phrase] = []
    current: list[Word] = []
    pending: list[Word] = []  # particles seen since the last capitalised word

    def close() -> None:
        if current:
            result.append(Phrase(tuple(current)))
        current.clear()
        pending.clear()

    previous: Word | None = None
    for word in all_words:
        linked = previous is not None and _joined(text, previous, word)
        if not linked:
            close()
        if word.capitalised:
            current.extend(pending)
            pending.clear()
            current.append(word)
        elif current and word.text.lower() in _PARTICLES and len(pending) < 2:
            pending.append(word)
        else:
            close()
        previous = word
    close()
    return result


def is_code(word: str) -> bool:
    """An identifier left in the text (an image's or a tracking code, "ED07AFBD9EE75871"), not a
    name: eight characters or more, at least a third of them digits. Names with a number stay
    names ("M23", "F-16", "COVID-19", "G20")."""
    digits = sum(character.isdigit() for character in word)
    return len(word) >= 8 and digits >= 3 and digits * 3 >= len(word)


def is_contraction(word: str) -> bool:
    """"I’m", "You're", "Isn't": a pronoun or verb with its contraction, never a name
    ("O'Neill", "Ja’far" and "De’Broski" go on with other letters)."""
    return _CONTRACTION_RE.search(word) is not None


def is_title(word: str) -> bool:
    return word.lower().rstrip(".") in TITLE_WORDS


def person_name(phrase: Phrase) -> str | None:
    """The name in "Iranian General Esmail Ghaani" or "Mr. Smith", if the phrase ends in one."""
    tokens = list(phrase.words)
    while tokens and tokens[0].text.lower() in FUNCTION_WORDS:
        tokens = tokens[1:]  # "Despite Ghaani's message": a sentence's first word
    last_title = max((i for i, w in enumerate(tokens) if is_title(w.text)), default=-1)
    name = tokens[last_title + 1:]
    if not name or any(w.text.lower() in NON_PERSON_HEADS or is_title(w.text) for w in name):
        return None
    # "Courtesy of Andrew Vaughan", "a fellow of Trinity John Smith": "of" and "the" join
    # organisations' names, never a person's; the person is what follows them.
    cut = max((i for i, w in enumerate(name) if w.text in ("of", "the")), default=-1)
    name = name[cut + 1:]
    if not name or name[0].text.lower() in _PARTICLES:
        return None
    return " ".join(w.text for w in name)


def looks_like_person(phrase: Phrase) -> bool:
    """Titled names ("President Trump") and two-to-four word names with no organisation word."""
    name = person_name(phrase)
    if name is None:
        return False
    titled = any(is_title(w.text) for w in phrase.words)
    count = len(name.split())
    lowered = {w.lower() for w in name.split()}
    if lowered & (FUNCTION_WORDS | MONTHS | WEEKDAYS | PROPER_ADJECTIVES):
        return False
    return titled or 2 <= count <= 4


_DEMONYM_ENDINGS = frozenset(["i", "ian", "an", "n", "ese", "ish", "ic", "ean", "ite", "is", "ians",
                              "ans", "ns"])


def demonyms(bases: set[str]) -> frozenset[str]:
    """The adjectives of place names, lowercase: "iranian" from Iran, "iraqi" from Iraq,
    "ukrainian" from Ukraine, "chinese" from China. Built once per article, then a set lookup."""
    sources: dict[str, set[str]] = {}
    for base in bases:
        stem = base.lower()
        for candidate_stem in {stem, stem.rstrip("aeiouy")}:
            if len(candidate_stem) >= 3:
                for ending in _DEMONYM_ENDINGS:
                    sources.setdefault(candidate_stem + ending, set()).add(stem)
    # "Iraqi" read as a base generates "iraqi" again; a word is no demonym of itself.
    return frozenset(word for word, stems in sources.items() if stems - {word})
