"""Direct quotations and who said them.

A quotation is kept only when the sentence around it names its speaker: `“…,” X said`,
`X said: “…”`, `X quoted Y as saying “…”`, `“…,” the embassy tweeted` (the embassy named
before), `“…,” he said` (the person named before). The speaker is written as the registry's
canonical name where an actor matches, otherwise as the fullest name the article gives. A quotation
whose speaker is anonymous ("an official said") or cannot be found is dropped, never guessed.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from digest.ingest import names
from digest.ingest.actors import ActorIndex, Mention, find_mentions
from digest.model import Quote
from digest.plain import plain_text

SPEECH_VERBS = (
    "said|says|say|told|tells|added|adds|stated|states|declared|declares|wrote|writes|tweeted|"
    "tweets|posted|asked|asks|insisted|insists|warned|warns|noted|notes|explained|explains|"
    "continued|replied|replies|responded|argued|argues|claimed|claims|announced|stressed|urged|"
    "recalled|recalls|acknowledged|admitted|conceded|complained|predicted|vowed|promised|pledged|"
    "cautioned|suggested|observed|remarked|countered|quipped|joked|exclaimed|shouted|testified|"
    "emphasized|emphasised|concluded|recounted|mused|agreed|reiterated|confirmed|boasted|"
    "lamented|wondered|maintained|contended|alleged|texted|wrote|sang|read|added"
)
_VERB = rf"(?:{SPEECH_VERBS})"
_AUX = r"(?:(?:has|had|have|would|also|then|later|once|previously|has\s+also|had\s+also)\s+)?"
_QUOTED_AS_SAYING_RE = re.compile(
    r"(?:quoted|cited|quotes|cites)\s+(?P<speaker>[^,;:“”\"]{1,80}?)\s+as\s+(?:saying|telling|"
    r"writing|having\s+said)")
_SAID_BEFORE_RE = re.compile(  # the left context ends with "X said in a statement: "
    rf"(?P<subject>[^“”\";]{{1,160}}?)\s+{_AUX}(?P<verb>{_VERB})\b"
    r"(?P<rest>[^“”\";.!?]{0,90}?)[,:]?\s*(?:that\s*)?$")
_SAID_AFTER_RE = re.compile(  # the right context starts with ", X said"
    rf"^[\s,—–-]*(?P<subject>[^“”\";.!?]{{1,160}}?)\s+{_AUX}(?P<verb>{_VERB})\b")
_SAID_INVERTED_RE = re.compile(  # ", said X, a spokesman"
    rf"^[\s,—–-]*(?:{_VERB})\s+(?P<subject>[^,;:.!?“”\"()]{{1,90}})")
_ACCORDING_TO_RE = re.compile(r"^[\s,—–-]*according\s+to\s+(?P<subject>[^,;:.!?“”\"()]{1,90})")
# A preposition after a common noun ends the speaker's head: "a spokesman | for the ministry".
# After a capitalised word it is part of a title: "Secretary of State Mike Pompeo".
_PREPOSITION_RE = re.compile(r"(?<=[a-z,])\s(?:for|of|at|from|with|in|to|on|by|about|during|after|"
                             r"before|who|which|that)\s")
_PRONOUN_RE = re.compile(r"(?i)^(?:he|she)$")
_GROUP_PRONOUN_RE = re.compile(r"(?i)^(?:it|they)$")
# "Patrick W. Carlineo Jr." is still "Carlineo" when the article shortens it.
_NAME_SUFFIX_RE = re.compile(r"(?:,?\s+(?:Jr|Sr)\.?|\s+(?:II|III|IV))$")
_DEFINITE_RE = re.compile(r"(?i)^(?:the|this|that)\s+(?:[\w’'.-]+\s+){0,3}(?P<head>[a-z][\w-]*)$")
_SENTENCE_BREAK_RE = re.compile(r"[.!?](?=[\s”\"’)]*\s)|\n")
# Photo credits name photographers, who say nothing: "(AP Photo/Hadi Mizban)", "Courtesy of
# Andrew Vaughan", "Hadi Mizban/AP". They are blanked (same length) before names are read.
_CREDIT_RE = re.compile(
    r"\([^()\n]{0,30}\b(?:Photo|Image|Picture)s?\b[^()\n]{0,60}\)"
    r"|\b[Cc]ourtesy(?: of)?(?:\s+[A-Z][\w.’'-]*)+"
    r"|(?:[A-Z][\w.’'-]*\s+){1,3}[A-Z][\w.’'-]*\s*/\s*(?:AP|AFP|Reuters|Getty Images)\b")
# A heading, or a paragraph all in bold: a subhead, not narration.
_SUBHEAD_RE = re.compile(r"#{1,6}\s[^\n]*|\*\*(?:(?!\*\*)[^\n])+\*\*|__(?:(?!__)[^\n])+__")
_MIN_WORDS = 2
_ATTRIBUTION_TAIL = 80  # `,” Petrides said during the same segment.` and no more


@dataclass(frozen=True, slots=True)
class _Span:
    open: int  # index of the opening mark
    close: int  # index just after the closing mark (paragraph end when unclosed)
    text: str
    paragraph: int
    closed: bool


@dataclass(frozen=True, slots=True)
class _Entity:
    """Someone the text names before a quote: a registry actor or a proper-noun phrase."""

    name: str  # canonical name for actors, the fullest form for other names
    start: int
    end: int
    words: frozenset[str]  # lowercase words it is known by, titles included ("general")
    person: bool
    sentence: int = 0  # which sentence of the text it is in
    subject: bool = False  # the first name in its sentence: what a later "he" or "it" means


def _spans(paragraphs: Sequence[str], offsets: Sequence[int]) -> list[_Span]:
    spans = []
    for number, (paragraph, offset) in enumerate(zip(paragraphs, offsets, strict=True)):
        start: int | None = None
        for index, char in enumerate(paragraph):
            opens = char == "“" or (char == '"' and start is None)
            closes = char == "”" or (char == '"' and start is not None)
            if start is None and opens:
                start = index
            elif start is not None and closes:
                spans.append(_Span(offset + start, offset + index + 1,
                                   paragraph[start + 1:index], number, True))
                start = None
        if start is not None:
            spans.append(_Span(offset + start, offset + len(paragraph), paragraph[start + 1:],
                               number, False))
    return spans


def _quote_text(raw: str) -> str:
    text = " ".join(raw.split())
    return text.rstrip(",;: ").lstrip("“\"")


class _Attributor:
    def __init__(self, text: str, spans: Sequence[_Span], index: ActorIndex) -> None:
        self.text = text
        self.index = index
        self.spans = spans
        inside = [(s.open, s.close) for s in spans]

        def quoted(start: int) -> bool:
            return any(a <= start < b for a, b in inside)

        self.phrases = names.phrases(text)
        self.full_names = self._full_names()
        self.sentence_starts = [0] + [m.end() for m in _SENTENCE_BREAK_RE.finditer(text)]
        self.entities = self._in_sentences(
            sorted(self._entities(find_mentions(text, index), quoted), key=lambda e: e.start))

    def sentence_of(self, position: int) -> int:
        return bisect.bisect_right(self.sentence_starts, position) - 1

    def _in_sentences(self, entities: list[_Entity]) -> list[_Entity]:
        placed = []
        seen: set[int] = set()
        for entity in entities:
            sentence = self.sentence_of(entity.start)
            placed.append(dataclasses.replace(entity, sentence=sentence,
                                              subject=sentence not in seen))
            seen.add(sentence)
        return placed

    def _entities(self, mentions: Sequence[Mention],
                  in_quote: Callable[[int], bool]) -> list[_Entity]:
        entities = []
        covered: list[tuple[int, int]] = []
        for mention in mentions:
            if in_quote(mention.start):
                continue
            before = self._words_before(mention.start)
            known = {w.lower() for w in re.findall(r"[\w-]+", mention.actor + " " + mention.text)}
            kind = self.index.kind(mention.actor).lower()
            entities.append(_Entity(mention.actor, mention.start, mention.end,
                                    frozenset(known | before | set(kind.split())),
                                    kind == "person"))
            covered.append((mention.start, mention.end))
        for phrase in self.phrases:
            if in_quote(phrase.start) or any(a < phrase.end and phrase.start < b
                                             for a, b in covered):
                continue
            if all(w.text.lower() in names.FUNCTION_WORDS for w in phrase.words):
                continue  # "Then", "The": capitalised only because a sentence starts there
            person = names.person_name(phrase)
            is_person = names.looks_like_person(phrase)
            name = self.fullest(person) if is_person and person else phrase.text
            if not is_person and person is not None and len(person.split()) == 1:
                # A surname alone is a person when the article gives the full name elsewhere.
                fuller = self.fullest(person)
                is_person = fuller != person and len(fuller.split()) > 1
                name = fuller if is_person else name
            words = {w.text.lower().rstrip(".") for w in phrase.words}
            entities.append(_Entity(name, phrase.start, phrase.end,
                                    frozenset(words | self._words_before(phrase.start)),
                                    is_person))
        return entities

    def _words_before(self, start: int) -> set[str]:
        """The title words just before a name ("Iranian General", "spokesman"), up to three,
        stopping at a function word so "Embassy to Iraq" does not call Iraq an embassy."""
        window = self.text[max(0, start - 40):start]
        window = re.split(r"[.!?;:,“”\"()\n]", window)[-1]
        found: set[str] = set()
        for word in reversed(window.split()[-3:]):
            lowered = word.lower().rstrip(".")
            if lowered in names.FUNCTION_WORDS:
                break
            found.add(lowered)
        return found

    def _full_names(self) -> list[tuple[str, str]]:
        """Person names as the article spells them; a leading word the article also uses on its
        own ("to Ukraine Kurt Volker") is not part of the name."""
        alone = {p.text for p in self.phrases if len(p.words) == 1}
        found = []
        for phrase in self.phrases:
            name = names.person_name(phrase)
            if name is None:
                continue
            tokens = name.split()
            while len(tokens) > 2 and tokens[0] in alone:
                tokens = tokens[1:]
            full = " ".join(tokens)
            found.append((full, _NAME_SUFFIX_RE.sub("", full)))
        return found

    def fullest(self, name: str) -> str:
        """"Smith" -> "John Smith" when the article gives the full name somewhere."""
        resolved = self.index.resolve(name)
        if resolved is not None:
            return resolved
        longer = [full for full, bare in self.full_names
                  if bare == name or bare.endswith((f" {name}", f"-{name}"))]
        return max(longer, key=len, default=name)

    def attribute(self, span: _Span, left_start: int, right_end: int) -> str | None:
        left = self.text[left_start:span.open]
        right = self.text[span.close:right_end]
        for context, offset in ((right, span.close), (left, left_start)):
            match = _QUOTED_AS_SAYING_RE.search(context)
            if match is not None:
                return self.speaker(match.group("speaker"), offset + match.start("speaker"),
                                    span.open)
        match = _SAID_BEFORE_RE.search(left)
        if match is not None:
            return self.speaker(match.group("subject"), left_start + match.start("subject"),
                                span.open)
        for pattern in (_SAID_INVERTED_RE, _ACCORDING_TO_RE, _SAID_AFTER_RE):
            match = pattern.search(right)
            if match is not None:
                return self.speaker(match.group("subject"), span.close + match.start("subject"),
                                    span.open)
        return None

    def speaker(self, subject: str, at: int, quote_start: int) -> str | None:
        """Who the subject of a speech verb names, or None when it is anonymous."""
        segments = []
        position = at
        for segment in subject.split(","):
            segments.append((segment, position))
            position += len(segment) + 1
        # "On Wednesday, the embassy" -> the embassy; "John Smith, a spokesman," -> John Smith.
        found: list[tuple[str, int]] = []
        for segment, offset in segments:
            head = _PREPOSITION_RE.split(f" {segment} ", maxsplit=1)[0].strip()
            if head:
                found.append((head, offset + segment.find(head)))
        # The person named first is the speaker: "Steve Menet, Senior Vice President of Sales
        # for Dräger, Inc., says" and "Dylan Nelson, of Munich, Germany, said" are Menet and
        # Nelson. With no person, the last named ("On Wednesday, the embassy").
        named = [(name, self._is_person(name)) for head, offset in found
                 if (name := self._named_in(head, offset)) is not None]
        person = next((name for name, is_person in named if is_person), None)
        if person is not None or named:
            return person if person is not None else named[-1][0]
        for head, _offset in reversed(found):
            name = self._referred_to(head, quote_start)
            if name is not None:
                return name
        return None

    def _is_person(self, name: str) -> bool:
        kind = self.index.kind(name).lower()
        if kind:
            return kind == "person"
        return any(e.person and e.name == name for e in self.entities)

    def _named_in(self, head: str, offset: int) -> str | None:
        end = offset + len(head)
        inside = [e for e in self.entities if offset <= e.start and e.end <= end
                  and not re.match(r"['’]s?\b", self.text[e.end:e.end + 2])]
        if not inside:
            return None
        last = max(inside, key=lambda e: (e.end, e.end - e.start))
        if re.search(r"[^\W\d_]", self.text[last.end:end]):
            return None  # the name only qualifies the noun: "the Iranian general", "Trump aides"
        if last.person or self.index.resolve(last.name) is not None:
            return last.name
        # A capitalised phrase that is no person: an organisation ("the Pentagon said").
        phrase = next((p for p in self.phrases if p.start == last.start), None)
        if phrase is None or all(w.sentence_initial and w.text.lower() in names.FUNCTION_WORDS
                                 for w in phrase.words):
            return None
        text = " ".join(w.text for w in phrase.words
                        if w.text.lower() not in names.FUNCTION_WORDS)
        return self.fullest(text) if text else None

    def _referred_to(self, head: str, before: int) -> str | None:
        """"he" -> the last person named; "the embassy" -> the last entity called an embassy."""
        earlier = [e for e in self.entities if e.end <= before]
        if _PRONOUN_RE.match(head):
            # A pronoun refers back to a subject: "Taylor Swift accused Big Machine ... she said".
            people = [e for e in earlier if e.person and e.subject] or [
                e for e in earlier if e.person]
            return people[-1].name if people else None
        if _GROUP_PRONOUN_RE.match(head):
            # "It"/"they" only for an organisation that is the subject of this or the previous
            # sentence; a plural "they" usually means people the article does not name.
            sentence = self.sentence_of(before)
            subjects = [e for e in earlier if e.subject and e.sentence >= sentence - 1]
            if subjects and not subjects[-1].person:
                return subjects[-1].name
            return None
        match = _DEFINITE_RE.match(head)
        if match is None:
            return None
        noun = match.group("head").lower()
        if noun.endswith("s") and not noun.endswith("ss"):
            return None  # "the officials": several people, none named
        for entity in reversed(earlier):
            if noun in entity.words:
                return entity.name
        return None


def _left_start(text: str, span: _Span, previous: _Span | None) -> int:
    """Where the sentence holding the quote starts (or the previous quote ends)."""
    floor = previous.close if previous is not None else 0
    paragraph_start = text.rfind("\n", 0, span.open) + 1
    floor = max(floor, paragraph_start)
    breaks = [m.end() for m in _SENTENCE_BREAK_RE.finditer(text, floor, span.open)]
    return breaks[-1] if breaks else floor


def _right_end(text: str, span: _Span, following: _Span | None) -> int:
    ceiling = following.open if following is not None else len(text)
    paragraph_end = text.find("\n", span.close)
    if paragraph_end != -1:
        ceiling = min(ceiling, paragraph_end)
    match = _SENTENCE_BREAK_RE.search(text, span.close, ceiling)
    return match.end() if match is not None else ceiling


def _narrative(paragraph: str) -> str:
    """A Markdown paragraph as plain text for attribution, blanked (same length) where it is
    no narration: a subhead (`## “…”`, a paragraph all in bold) quotes a claim nobody is
    said to make there, and a captioned photo's subject ("Rep. Ilhan Omar speaks ... J. Scott
    Applewhite / AP file") is nobody a later "he said" refers to."""
    text = plain_text(paragraph)
    stripped = paragraph.strip()
    subhead = _SUBHEAD_RE.fullmatch(stripped) is not None
    caption = _CREDIT_RE.search(text) is not None and not any(m in text for m in "“”\"")
    if subhead or caption:
        return " " * len(text)
    return _CREDIT_RE.sub(lambda m: " " * len(m.group(0)), text)


def find_quotes(body: str, index: ActorIndex) -> tuple[Quote, ...]:
    """Every attributable direct quotation in a Markdown body, in text order, each once."""
    paragraphs = [_narrative(p) for p in re.split(r"\n\s*\n", body) if p.strip()]
    offsets = []
    position = 0
    for paragraph in paragraphs:
        offsets.append(position)
        position += len(paragraph) + 1
    text = "\n".join(paragraphs)
    spans = _spans(paragraphs, offsets)
    attributor = _Attributor(text, spans, index)
    speakers: list[str | None] = []
    for number, span in enumerate(spans):
        previous = spans[number - 1] if number else None
        following = spans[number + 1] if number + 1 < len(spans) else None
        if previous is not None and previous.paragraph != span.paragraph:
            previous = None
        if following is not None and following.paragraph != span.paragraph:
            following = None
        speakers.append(attributor.attribute(span, _left_start(text, span, previous),
                                             _right_end(text, span, following)))
    _share_speakers(text, spans, speakers)
    quotes: dict[tuple[str, str], Quote] = {}
    for span, speaker in zip(spans, speakers, strict=True):
        text_of_quote = _quote_text(span.text)
        if speaker is None or len(text_of_quote.split()) < _MIN_WORDS or _is_title(text_of_quote):
            continue
        quotes.setdefault((text_of_quote, speaker), Quote(text_of_quote, speaker))
    return tuple(quotes.values())


def _is_title(text: str) -> bool:
    """A short run of capitalised words in quotes names a show or a book: “Trading Nation”."""
    tokens = text.split()
    return len(tokens) <= 4 and all(t[:1].isupper() for t in tokens) and not text.endswith(
        (".", "!", "?"))


def _starts_paragraph(text: str, span: _Span) -> bool:
    return span.open == 0 or text[span.open - 1] == "\n"


def _share_speakers(text: str, spans: Sequence[_Span], speakers: list[str | None]) -> None:
    """A quote with no attribution of its own continues the quote just before it: in the same
    paragraph (`“A,” she said. “B.”`), across paragraphs when the first was left open, or when
    a paragraph opens with a quote right after one that ended `“…,” she said.`"""
    for number in range(1, len(spans)):
        previous, span = spans[number - 1], spans[number]
        if speakers[number] is not None:
            continue
        same_paragraph = previous.paragraph == span.paragraph
        next_paragraph = span.paragraph == previous.paragraph + 1
        paragraph_end = text.find("\n", previous.close)
        tail = text[previous.close:paragraph_end if paragraph_end != -1 else len(text)]
        carried_on = (next_paragraph and _starts_paragraph(text, span)
                      and len(tail) <= _ATTRIBUTION_TAIL)
        if same_paragraph or (next_paragraph and not previous.closed) or carried_on:
            speakers[number] = speakers[number - 1]
    for number in range(len(spans) - 2, -1, -1):
        span, following = spans[number], spans[number + 1]
        if (speakers[number] is None and not span.closed
                and following.paragraph == span.paragraph + 1):
            speakers[number] = speakers[number + 1]
