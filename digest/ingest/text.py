"""Text pasted from a news page -> headline and the article's paragraphs as Markdown.

No library cleans pasted text, so this is a small line classifier in the spirit of jusText
and boilerpipe. Every line gets a score from its shape: long lines of running prose (sentence
punctuation, many function words) count for the article, menu-like lines (bullets, a few
capitalised words, counters, chrome phrases from chrome.txt or the curator's patterns)
count against it. The article is the stretch of lines with the highest total (the densest
block of prose, allowed to bridge the odd caption or advert), and the headline is the
headline-shaped line just before it.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from dataclasses import dataclass, replace
from importlib import resources

from digest.ingest.escape import escape_line
from digest.ingest.names import WIDE_CHAR_RE
from digest.ingest.textdate import stated_date
from digest.ingest.typography import fix_text

logger = logging.getLogger(__name__)

_WORD_RE = re.compile(r"\w+")
_SENTENCE_END_RE = re.compile(r"[.!?\u2026\u3002\uff01\uff1f:;][\"'\u201d\u2019)\]]*$")
# A sentence ends inside the line: a lower-case word (not "Rep." or "U.S."), a full stop,
# then a capital.
_INNER_SENTENCE_RE = re.compile(
    r"[^\W\d_A-Z]{3}[.!?][\"'\u201d\u2019]?\s+[\"'\u201c\u2018(]?[A-Z\u0400-\u04ff]")
_BULLET_RE = re.compile(
    r"^([\u2022\u25a1\u2606\u25cb\u25cf\u25aa\u25e6\u2023\u2043\u00b7*+\-\u2013\u2014>»]"
    r"|\d{1,2}[.)])\s+")
# A numbered bullet keeps its number.
_NUMBER_RE = re.compile(r"^\s*(\d{1,2})[.)]\s")
_FORM_FIELD_RE = re.compile(r"\[[\s_]*\]|\[\s*[\w ]{0,20}\s*\]$|\(\s?\)")
_URLISH_RE = re.compile(r"https?://|www\.|@\w|#\w|\.com\b")
_DATE_TIME_RE = re.compile(
    r"^\W*(\d{1,4}[:/.\-]\d{1,2}([:/.\-]\d{1,4})?(\s*[ap]\.?m\.?)?|"
    r"((mon|tue|wed|thu|fri|sat|sun)\w*,?\s*)?"
    r"((jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d{1,2}(st|nd|rd|th)?,?\s*"
    r"(\d{4})?|"
    r"\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?,?\s*(\d{4})?)"
    r"([\s,]+(at\s+)?\d{1,2}[:.]\d{2}(\s*[ap]\.?m\.?)?(\s*[a-z]{2,4})?)?)\W*$", re.I)
# A sentence's end, for telling article sentences from furniture (a colon does not end one).
_FULL_STOP_RE = re.compile(r"[.!?\u2026\u3002\uff01\uff1f][\"'\u201d\u2019)\]]*$")
# "Photo: ...", "Tags | ...": a label, then what it labels.
_LABEL_RE = re.compile(r"^\W*\w+(?: \w+)?\s?[:|]\s")
_BYLINE_RE = re.compile(r"^(by|from|von|par|por|di|av|door)\s+\S", re.I)
_MENTIONS_DATE_RE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b|"
    r"\b\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{4}|"
    r"\b\d{1,2}:\d\d(?!\d)",
    re.I)
_POSTED_RE = re.compile(
    r"^\W*(posted|published|updated|written)\b|^\W*\w+ \d{1,2},? \d{4}\b", re.I)

def _split_words(text: str) -> list[str]:
    return text.split()


# Function words of English: their density tells running prose from menus and captions.
_STOP_WORDS = frozenset(_split_words("""
    a about after all also an and any are as at be because been before but by can could did do
    does for from had has have he her his how i if in into is it its just like may more most
    my no not of on one only or other our out over said says she so some than that the their
    them then there these they this those to up was we were what when where which while who
    will with would you your
"""))

# Scores are in word units: a line of prose adds its length, chrome lines subtract.
_CHROME_PENALTY = 12.0  # a line the patterns call chrome
_MENU_PENALTY = 4.0  # a bullet, a form field, a date, a few title-cased words
_SHORT_PENALTY = 1.5  # any other short line without a sentence
_MIN_PROSE_WORDS = 8
_MIN_SENTENCE_WORDS = 5  # a line this long ending in a full stop is never furniture
_HEADLINE_LOOKBACK = 40  # lines before the article searched for the headline
_HEADLINE_LOOKAHEAD = 4  # a claim or kicker may precede the headline
_COMMENTS_WEIGHT = 0.05  # prose after a comment header: readers, not the article
_MIN_ARTICLE_WORDS = 25  # prose words before a comment header can open the comments
_WINDOW = 2  # lines each side that decide whether a prose line sits among prose


@dataclass(frozen=True, slots=True)
class TextArticle:
    title: str
    body: str
    date: dt.date | None = None  # as the page states it by the headline
    header: tuple[str, ...] = ()  # the short lines by the headline: byline, date


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    words: float  # word count; wide (CJK) characters count as half a word each
    prose: bool  # running text: long enough, ends or contains a sentence
    chrome: bool  # matches a chrome pattern
    comments: bool  # opens a comment section
    menu: bool  # bullet, form field, link, date: navigation and furniture
    bullet: bool
    score: float


_SECTIONS = ("chrome", "notice", "comments", "comment-headers")


@functools.cache
def _builtin_patterns() -> dict[str, tuple[str, ...]]:
    """chrome.txt's patterns by section (see the file's header for what each one means)."""
    text = resources.files("digest.ingest").joinpath("chrome.txt").read_text(encoding="utf-8")
    sections: dict[str, list[str]] = {name: [] for name in _SECTIONS}
    current = sections["chrome"]
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line[1:-1] in sections and line.startswith("[") and line.endswith("]"):
            current = sections[line[1:-1]]
        else:
            current.append(line)
    return {name: tuple(patterns) for name, patterns in sections.items()}


def _alternation(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


@dataclass(frozen=True, slots=True)
class ChromeMatchers:
    furniture: re.Pattern[str]  # chrome-shaped lines only: never a line that reads as a sentence
    notice: re.Pattern[str]  # any line: cookie, copyright notices
    # The curator's patterns (any line), each compiled alone as digest.config checks them: in
    # one alternation a leading (?i) would be an error.
    curator: tuple[re.Pattern[str], ...]
    comments: re.Pattern[str]  # lines that open a comment section
    comment_header: re.Pattern[str]  # "joe says:": opens one when the text holds several

    def is_notice(self, line: str) -> bool:
        return bool(self.notice.fullmatch(line)) or any(
            pattern.fullmatch(line) for pattern in self.curator)


@functools.lru_cache(maxsize=8)
def matchers(extra_patterns: tuple[str, ...]) -> ChromeMatchers:
    """Compiled whole-line matchers for the built-in and the curator's chrome patterns."""
    builtin = _builtin_patterns()
    return ChromeMatchers(
        furniture=_alternation(builtin["chrome"] + builtin["comments"]),
        notice=_alternation(builtin["notice"]),
        curator=tuple(re.compile(pattern, re.I) for pattern in extra_patterns),
        comments=_alternation(builtin["comments"]),
        comment_header=_alternation(builtin["comment-headers"]))


def _word_count(text: str) -> float:
    wide = len(WIDE_CHAR_RE.findall(text))
    return len(_WORD_RE.findall(WIDE_CHAR_RE.sub(" ", text))) + wide / 2


def _is_latin(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and sum(char < "\u0250" for char in letters) > len(letters) / 2


def looks_english(lines: list[str]) -> bool:
    words = [w.lower() for line in lines for w in _WORD_RE.findall(line)]
    return bool(words) and sum(w in _STOP_WORDS for w in words) / len(words) > 0.15


def _reads_as_sentence(text: str, bare: str, words: float, english: bool) -> bool:
    """Five words or more ending like a sentence, not opened by a label ("Photo: ..."): such a
    line is the article's unless a [notice] pattern says otherwise."""
    if words < _MIN_SENTENCE_WORDS or not _FULL_STOP_RE.search(text) or _LABEL_RE.match(bare):
        return False
    if english and _is_latin(text):
        tokens = [w.lower() for w in _WORD_RE.findall(text)]
        return sum(t in _STOP_WORDS for t in tokens) / len(tokens) >= 0.12
    return True


def is_chrome_line(text: str, patterns: ChromeMatchers, english: bool = True) -> bool:
    """Whether the patterns call a line chrome: a [notice] pattern (or the curator's) on any
    line, a [chrome] one on a line that does not read as a sentence. Saved pages use this on
    what trafilatura kept."""
    bare = _BULLET_RE.sub("", text)
    forms = (bare.strip(), text)
    if any(patterns.is_notice(form) for form in forms):
        return True
    return not _reads_as_sentence(text, bare, _word_count(text), english) and any(
        patterns.furniture.fullmatch(form) for form in forms)


def _classify(text: str, patterns: ChromeMatchers, english: bool, comment_headers: bool) -> _Line:
    words = _word_count(text)
    bare = _BULLET_RE.sub("", text)
    bullet = bare != text
    forms = (bare.strip(), text)

    def matches(pattern: re.Pattern[str]) -> bool:
        return any(pattern.fullmatch(form) for form in forms)

    header = comment_headers and matches(patterns.comment_header)
    furniture = not _reads_as_sentence(text, bare, words, english) and matches(
        patterns.furniture)
    is_chrome = header or furniture or any(patterns.is_notice(form) for form in forms)
    comments = header or (furniture and matches(patterns.comments))
    menu = bool(bullet or _FORM_FIELD_RE.search(text) or _DATE_TIME_RE.match(text)
                or (_URLISH_RE.search(text) and words < 15))
    sentence = bool(_SENTENCE_END_RE.search(text) or _INNER_SENTENCE_RE.search(text))
    if english and words >= _MIN_PROSE_WORDS and _is_latin(text):
        tokens = [w.lower() for w in _WORD_RE.findall(text)]
        sentence = sentence and sum(t in _STOP_WORDS for t in tokens) / len(tokens) >= 0.12
    # "• Headline LEAD: Their dream shattered and ...": a teaser cut short, pointing elsewhere
    teaser = bullet and text.rstrip().endswith(("...", "\u2026"))
    prose = sentence and words >= _MIN_PROSE_WORDS and not is_chrome and not teaser
    if is_chrome:
        score = -_CHROME_PENALTY
    elif prose:
        score = words * (0.5 if bullet else 1.0)
    elif menu:
        score = -_MENU_PENALTY
    elif sentence and words >= 3:
        score = words / 2
    else:
        score = -_SHORT_PENALTY
    return _Line(text, words, prose, is_chrome, comments, menu, bullet, score)


def _weigh_by_neighbours(lines: list[_Line]) -> list[_Line]:
    """Scale each prose line by the share of prose among its neighbours: an article's
    paragraphs follow each other, while comments and teasers alternate with names, dates and
    links, so their prose counts for less."""
    weighed = []
    prose_words = 0.0
    in_comments = False
    for index, line in enumerate(lines):
        if line.score > 0:
            window = lines[max(0, index - _WINDOW): index + _WINDOW + 1]
            share = sum(other.prose for other in window) / len(window)
            if in_comments:
                share *= _COMMENTS_WEIGHT
            line = replace(line, score=line.score * share)
        # Comments follow the article: a comment header after some prose starts them.
        in_comments = in_comments or (line.comments and prose_words >= _MIN_ARTICLE_WORDS)
        prose_words += line.words if line.prose else 0
        weighed.append(line)
    return weighed


def _densest_block(lines: list[_Line]) -> tuple[int, int] | None:
    """The stretch [start, end) of lines with the highest total score (Kadane's algorithm)."""
    best, best_span = 0.0, None
    total, start = 0.0, 0
    for index, line in enumerate(lines):
        if total <= 0:
            total, start = 0.0, index
        total += line.score
        if total > best:
            best, best_span = total, (start, index + 1)
    return best_span


def _headline_shaped(line: _Line) -> bool:
    return (2 <= line.words <= 25 and not line.chrome and not line.menu
            and not _MENTIONS_DATE_RE.search(line.text)
            and not _BYLINE_RE.match(line.text) and not _INNER_SENTENCE_RE.search(line.text)
            and not line.text.rstrip("\"'\u201d\u2019)").endswith((".", ",", ":", ";", "\u3002")))


def _dateline_or_byline(line: _Line) -> bool:
    return bool(_DATE_TIME_RE.match(line.text) or _BYLINE_RE.match(line.text)
                or _POSTED_RE.match(line.text))


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD_RE.findall(text.lower()) if w not in _STOP_WORDS}


def _find_headline(lines: list[_Line], start: int, end: int) -> int | None:
    """The line that heads the article: headline-shaped, shortly before the article's first
    paragraph, sharing its words with the article, and often repeated by the page (its
    <title>, breadcrumbs, share text, "N responses to ...")."""
    article_words: set[str] = set()
    for line in lines[start:end]:
        article_words |= _content_words(line.text)
    candidates: list[tuple[float, int]] = []
    # Lines the patterns call chrome (a share panel's dozens) neither count towards the
    # lookback nor push the headline away from the article.
    distance = [0] * (start + 1)
    first = start
    while first > 0 and distance[first] < _HEADLINE_LOOKBACK:
        first -= 1
        distance[first] = distance[first + 1] + (0 if lines[first].chrome else 1)
    for index in range(first, min(start + _HEADLINE_LOOKAHEAD, end)):
        line = lines[index]
        if not _headline_shaped(line):
            continue
        words = _content_words(line.text)
        shared = min(len(words & article_words), 5) / 5
        # The page quoting the whole line inside a longer one ("34 responses to “…”",
        # "Opinion | …") marks its headline; lines repeated verbatim are menus.
        repeated = any(line.text in other.text and line.text != other.text
                       for other in lines if other.words <= 40)
        size = min(line.words, 6) / 6 - max(0.0, line.words - 20) / 10
        # Headlines are followed by the byline and the date.
        dated = any(_dateline_or_byline(after) for after in lines[index + 1: index + 4])
        score = (3.0 * shared + (1.0 if repeated else 0.0) + (1.5 if dated else 0.0) + size
                 - (distance[index] if index < start else index - start) / _HEADLINE_LOOKBACK)
        logger.debug("headline candidate %.2f %r", score, line.text)
        candidates.append((score, index))
    return max(candidates)[1] if candidates else None


def _render(lines: list[_Line]) -> str:
    """Markdown for the article's lines: paragraphs, '-' lists, '##' subheads."""
    blocks: list[str] = []
    for position, line in enumerate(lines):
        text = line.text
        if line.bullet:
            item = _BULLET_RE.sub("", text)
            number = _NUMBER_RE.match(text)
            # A pasted numbered list keeps its numbers ("1. ...", "2. ..."), others take "- ".
            marker = f"{number.group(1)}." if number else "-"
            entry = f"{marker} {escape_line(item)}"
            if blocks and lines[position - 1].bullet and blocks[-1][:1] in "-0123456789":
                blocks[-1] += "\n" + entry
            else:
                blocks.append(entry)
        elif not line.prose and line.words <= 12 and not _SENTENCE_END_RE.search(text) and (
                0 < position < len(lines) - 1 and lines[position + 1].prose):
            # "Phil Helsel" over "Phil Helsel is a reporter for ...": a name label that the
            # next line repeats, dropped rather than made a subhead.
            if not lines[position + 1].text.startswith(text + " "):
                blocks.append("## " + escape_line(text))
        else:
            blocks.append(escape_line(text))
    return "\n\n".join(blocks)


def read_text(text: str, extra_patterns: tuple[str, ...] = (),
              today: dt.date | None = None) -> TextArticle | None:
    """The article in pasted text, or None when no stretch of prose is found. today: the day
    against which a stated date is checked (not ahead of it)."""
    today = today or dt.date.today()
    raw_lines = [line for line in fix_text(text).split("\n") if line]
    if not raw_lines:
        return None
    patterns = matchers(tuple(extra_patterns))
    english = looks_english(raw_lines)
    headers = sum(1 for line in raw_lines if any(
        patterns.comment_header.fullmatch(form) for form in (line, _BULLET_RE.sub("", line))))
    lines = _weigh_by_neighbours([_classify(line, patterns, english, headers >= 2)
                                  for line in raw_lines])
    span = _densest_block(lines)
    if span is None:
        return None
    start, end = span
    headline = _find_headline(lines, start, end)
    if headline is None and _headline_shaped(lines[0]) and start > 0:
        headline = 0
    title = lines[headline].text if headline is not None else ""
    kept = [line for line in lines[start:end] if not line.chrome and not (
        line.menu and not line.bullet) and line.text != title]
    if not any(line.prose for line in kept):
        return None
    header = _header_lines(lines, headline, start)
    return TextArticle(title=title, body=_render(kept), date=stated_date(header, today),
                       header=tuple(header))


_DATE_LOOKBACK = 2  # lines above the headline where a page may print its date
_DATE_LOOKAHEAD = 3  # lines into the article (the byline and date often open it)


def _header_lines(lines: list[_Line], headline: int | None, start: int) -> list[str]:
    """The short lines around the headline where pages print the date: those after it first,
    then those above it; never the article's prose."""
    top = start if headline is None else headline
    after = lines[top + 1: start + _DATE_LOOKAHEAD]
    before = lines[max(0, top - _DATE_LOOKBACK): top + 1]
    return [line.text for line in [*after, *reversed(before)]
            if not line.prose and line.words <= 25]
