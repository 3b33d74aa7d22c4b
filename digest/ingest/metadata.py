"""What an article says about itself in its text: dateline, source, wire agency, summary."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from digest.plain import plain_text

# A dateline opens the first paragraph: `SULAIMANI (ESTA) —`, `KYIV, Ukraine (AP) —`,
# `BAGHDAD, Dec 3 (Reuters) -`, `AMMAN/BAGHDAD (Reuters) -`, `Baghdad (AFP) -`. The outlet in
# brackets is optional; a dash ends it. Whether the place is one is decided in _is_place.
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE_RE = re.compile(
    r"^[*_]{0,2}"
    r"(?P<place>[^\W\d_][^\W\d_ .'’/-]*(?:[ .'’/-]+[^\W\d_][^\W\d_ .'’/-]*)*)"
    rf"(?P<region>(?:,\s*(?!{_MONTH}\s+\d)[^\W\d_][^\W\d_ .'’-]*(?:[ .'’-]+[^\W\d_]+)*)?)"
    rf"(?:,\s*{_MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?)?[*_]{{0,2}}"
    r"\s*(?:\((?P<source>[^()\n]{1,40})\))?[*_]{0,2}\s*(?:[—–]|-{1,2})\s+"
)
# `Hong Kong (CNN Business)A muddled view`: CNN sets its dateline apart by markup alone, so
# the text runs on into the sentence with no dash and no space; the capital right after the
# bracket tells it from a sentence that names an acronym ("Iran (IRNA) said").
_RUN_ON_DATELINE_RE = re.compile(
    r"^(?P<place>[^\W\d_][^\W\d_ .'’/-]*(?:[ .'’/-]+[^\W\d_][^\W\d_ .'’/-]*){0,3})"
    r"\s*\((?P<source>[^()\n]{1,40})\)(?=[A-Z])")
# `(CNN) -- Iran has ...`: the outlet alone, no place.
_SOURCE_ONLY_RE = re.compile(
    r"^\((?P<source>[A-Z][\w&.]*(?: [A-Z][\w&.]*){0,2})\)\s*(?:(?:[—–]|-{1,2})\s*)?(?=[A-Z])")
# Kickers label the story, not its place: `EXCLUSIVE —`, `ANALYSIS —`, `BREAKING:`.
_KICKERS = ("EXCLUSIVE", "BREAKING", "BREAKING NEWS", "UPDATE", "UPDATED", "ANALYSIS", "WATCH",
            "OPINION", "EXPLAINER", "FACTBOX", "FACT CHECK", "LIVE", "VIDEO", "PHOTOS",
            "PHOTO", "EDITORIAL", "COMMENTARY", "INTERVIEW", "CORRECTION")
_KICKER_RE = re.compile(
    rf"^[*_]{{0,2}}(?:{'|'.join(_KICKERS)})[*_]{{0,2}}\s*(?:[—–:|]|-{{1,2}})\s+(?=\S)")
# Words that open sentences, never place names written in title case ("The U.S. — and ...").
_SENTENCE_OPENERS = frozenset({
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "he", "her", "his", "i", "if", "in",
    "it", "its", "meanwhile", "my", "no", "now", "of", "on", "our", "she", "so", "the", "their",
    "then", "there", "these", "they", "this", "those", "we", "yesterday", "today", "tonight",
    "you"})

# Wire agencies and how articles name them; the value is how `via` writes the agency.
WIRE_AGENCIES: dict[str, str] = {
    "AP": "AP", "Associated Press": "AP", "The Associated Press": "AP",
    "Reuters": "Reuters",
    "AFP": "AFP", "Agence France-Presse": "AFP", "Agence France Presse": "AFP",
    "Bloomberg": "Bloomberg", "dpa": "dpa", "DPA": "dpa", "UPI": "UPI",
    "Xinhua": "Xinhua", "Anadolu": "Anadolu", "Anadolu Agency": "Anadolu",
    "TASS": "TASS", "Interfax": "Interfax", "Kyodo": "Kyodo", "Yonhap": "Yonhap",
    "EFE": "EFE", "ANSA": "ANSA", "IRNA": "IRNA", "PTI": "PTI",
}
_AGENCY = "|".join(sorted((re.escape(name) for name in WIRE_AGENCIES), key=len, reverse=True))
# A byline naming the agency and the place ("PTI, Washington,"), printed by the headline.
_AGENCY_BYLINE_RE = re.compile(
    rf"(?:[Bb]y\s+)?(?P<agency>{_AGENCY}),\s*(?P<place>[^\W\d_][^\W\d_ .'’-]*(?:[ .'’-]+"
    r"[^\W\d_]+){0,3}),?")


def agency_byline(line: str) -> tuple[str, str] | None:
    """The wire agency and the place of a byline such as "PTI, Washington," or None."""
    match = _AGENCY_BYLINE_RE.fullmatch(line.strip())
    if match is None or not match.group("place")[:1].isupper():
        return None
    return WIRE_AGENCIES[match.group("agency")], match.group("place")


# Phrasings that say the story (or part of it) came from the agency: "AP reported", "told AP",
# "AP cited ... as saying", "according to Reuters", "AFP quoted ...".
_VIA_RE = re.compile(
    rf"(?<![\w-])(?P<a>{_AGENCY})(?:['’]s)?\s+(?:reported|reports|said|says|cited|quoted|"
    r"learned|reviewed|obtained|has\s+reported|was\s+told)\b"
    rf"|\b(?:told|to|according\s+to|reported\s+by|cited\s+by|quoted\s+by|(?:confirmed|said)\s+to)"
    rf"\s+(?:the\s+)?(?P<b>{_AGENCY})(?![\w-])"
)

# Abbreviations whose period does not end a sentence ("U.S. president", "Gen. Smith").
_ABBREVIATION_RE = re.compile(
    r"(?:\b(?:[A-Z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Sgt|Capt|Maj|Adm|Gov|Sen|Rep|St|Jr|Sr|"
    r"Prof|Rev|No|Inc|Corp|Co|Ltd|vs|etc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.)$"
)
_SENTENCE_END_RE = re.compile(r"[.!?][”\"’)]*(?=\s+[“\"‘(]?[A-Z0-9])")
# A backslash escape keeps its character; a link keeps its text; images and markers go.
SUMMARY_MAX = 300
_SHORTEST_LEAD = 40  # characters: a shorter first paragraph is a label or a kicker


@dataclass(frozen=True, slots=True)
class Dateline:
    place: str | None  # title case: "Sulaimani", "Kyiv, Ukraine"; None for `(CNN) ...`
    source: str | None  # the outlet in brackets: "ESTA", "AP"


def _title_case(place: str) -> str:
    def word(w: str) -> str:
        return "-".join(part[:1].upper() + part[1:].lower() for part in w.split("-"))
    return " ".join("/".join(word(w) for w in words.split("/")) for words in place.split())


def _is_place(place: str, has_source: bool) -> bool:
    """Capitals tell a dateline from a sentence that happens to contain a dash: a place in
    capitals is one; one in title case (as AFP writes `Baghdad (AFP) -`) only when its outlet
    follows. Without an outlet, `Kataib Hezbollah — The militia denied` or `Tuesday — The`
    cannot be told from `Sulaimani — Iran has`, and taking a name for a place cuts the actor
    from the body."""
    letters = [ch for ch in place if ch.isalpha()]
    if len(letters) < 2 or place.upper() in _KICKERS:
        return False
    if place == place.upper():
        return True
    words = re.split(r"[ /-]+", place)
    if (len(words) > 3 or words[0].casefold() in _SENTENCE_OPENERS
            or not all(w[:1].isupper() for w in words)):
        return False
    return has_source


def _is_outlet(name: str) -> bool:
    """`(CNN)`, `(Reuters)`: a wire agency, or a name that opens with an acronym; never a
    caption's `(Pictured)` or a kicker's `(UPDATE)`."""
    first = name.split()[0]
    return name in WIRE_AGENCIES or (
        len(first) >= 2 and first.isupper() and name.upper() not in _KICKERS)


def split_dateline(body: str) -> tuple[Dateline | None, str]:
    """The dateline opening the body's first paragraph, and the body without it (nor a kicker
    such as `EXCLUSIVE —` before it)."""
    opening = _KICKER_RE.sub("", body.lstrip(), count=1)
    kicker = opening != body.lstrip()
    match = _DATELINE_RE.match(opening)
    if match is not None:
        place = match.group("place").strip()
        rest = opening[match.end():]
        source = match.group("source")
        if rest.strip() and _is_place(place, source is not None):
            region = match.group("region").strip(" ,")
            full_place = _title_case(place) + (f", {region}" if region else "")
            dateline = Dateline(full_place, " ".join(source.split()) if source else None)
            return dateline, rest[:1].upper() + rest[1:]
    match = _RUN_ON_DATELINE_RE.match(opening)
    if match is not None:
        place, source = match.group("place").strip(), " ".join(match.group("source").split())
        if _is_outlet(source) and _is_place(place, True):
            return Dateline(_title_case(place) if place.isupper() else place, source), \
                opening[match.end():]
    match = _SOURCE_ONLY_RE.match(opening)
    if match is not None and _is_outlet(match.group("source")):
        return Dateline(None, match.group("source")), opening[match.end():]
    return None, opening if kicker else body


def find_via(text: str) -> str | None:
    """The wire agency the article credits most often ("AP reported", "told AP"), if any."""
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for match in _VIA_RE.finditer(text):
        agency = WIRE_AGENCIES[match.group("a") or match.group("b")]
        counts[agency] += 1
        first_seen.setdefault(agency, match.start())
    if not counts:
        return None
    return max(counts, key=lambda agency: (counts[agency], -first_seen[agency]))


def sentences(text: str) -> list[str]:
    """Split plain text into sentences, without breaking at "U.S." or "Gen."."""
    parts = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        if _ABBREVIATION_RE.search(text[start:match.start() + 1]):
            continue
        parts.append(text[start:match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def summarize(body: str) -> str | None:
    """The body's first sentence (or two when the first is very short), for listings."""
    blocks = [p for p in body.split("\n\n") if plain_text(p)]
    # the first block long enough to say what the article is: not a label ("#### Top news",
    # "Posted: [2018-08-25]", "BAAR, SWITZERLAND"); a deck or a key point may well be it
    first_paragraph = next((p for p in blocks if len(plain_text(p)) > _SHORTEST_LEAD),
                           blocks[0] if blocks else "")
    found = sentences(plain_text(first_paragraph))
    if not found:
        return None
    summary = found[0]
    if len(summary) < 60 and len(found) > 1:
        summary = f"{summary} {found[1]}"
    if len(summary) > SUMMARY_MAX:
        cut = summary[:SUMMARY_MAX].rsplit(" ", 1)[0]
        summary = cut.rstrip(",;:") + "…"
    return summary
