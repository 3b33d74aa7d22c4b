"""Markdown bodies to safe HTML, and the first mention of each actor turned into a link."""

from __future__ import annotations

import bisect
import functools
import heapq
import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import markdown
import nh3
from markdown import blockprocessors, inlinepatterns, treeprocessors, util


def _extensions() -> list[markdown.extensions.Extension]:
    """Only what news bodies use (every extension costs time on each article), as instances:
    extensions named by string are looked up among installed entry points, which takes
    longer than converting an article."""
    from markdown.extensions.fenced_code import FencedCodeExtension
    from markdown.extensions.sane_lists import SaneListExtension
    from markdown.extensions.tables import TableExtension

    extensions: list[markdown.extensions.Extension] = [
        TableExtension(), FencedCodeExtension(), SaneListExtension()]
    if _can_skip_patterns():
        extensions.append(_SkipAbsentPatterns())
    return extensions


# Inline patterns that cannot match a text without one of these characters, by their regular
# expression as Python-Markdown defines it (the reference patterns share the link ones). A
# pattern not listed here is always tried. Checked (tests/test_markup.py) with Python-Markdown
# 3.5.2, 3.7, 3.9, 3.10.2 and 3.11.3.
_NEEDS = {
    inlinepatterns.BACKTICK_RE: "`",
    inlinepatterns.ESCAPE_RE: "\\",
    inlinepatterns.LINK_RE: "[",
    inlinepatterns.IMAGE_LINK_RE: "[",
    inlinepatterns.AUTOLINK_RE: "<",
    inlinepatterns.AUTOMAIL_RE: "<",
    inlinepatterns.LINE_BREAK_RE: "\n",
    inlinepatterns.HTML_RE: "<",
    inlinepatterns.ENTITY_RE: "&",
    # emphasis before Python-Markdown 3.11 (since then one DelimiterProcessor does it)
    r"\*": "*",
    "_": "_",
}
if hasattr(inlinepatterns, "NOT_STRONG_RE"):
    _NEEDS[inlinepatterns.NOT_STRONG_RE] = "*_"
_HANDLE_INLINE = "_InlineProcessor__handleInline"
_APPLY_PATTERN = "_InlineProcessor__applyPattern"


# The Python-Markdown versions the skipping was checked with (tests/test_markup.py compares its
# output with the stock processors'); with any other version the stock processors run.
CHECKED_MARKDOWN = ((3, 5), (3, 11))


def _can_skip_patterns() -> bool:
    """The skipping below overrides one step of Python-Markdown's inline processor, which is
    not public: it is used only with the versions it was checked with."""
    version = tuple(markdown.__version_info__[:2])
    return (CHECKED_MARKDOWN[0] <= version <= CHECKED_MARKDOWN[1]
            and all(callable(getattr(treeprocessors.InlineProcessor, name, None))
                    for name in (_HANDLE_INLINE, _APPLY_PATTERN)))


def pattern_needs(pattern: object) -> str | None:
    """Characters of which a text must hold one for this inline pattern to match it; None
    when that is not known (the pattern is then tried on every text)."""
    delimiters = getattr(inlinepatterns, "DelimiterProcessor", None)
    if delimiters is not None and isinstance(pattern, delimiters):
        return "".join(token[0] for token in pattern.tokens) or None
    return _NEEDS.get(getattr(pattern, "pattern", None))  # type: ignore[arg-type]


class _SkippingInlineProcessor(treeprocessors.InlineProcessor):
    """Python-Markdown's inline processor, which tries each of its dozen inline patterns on
    every run of text, here passing over the patterns whose characters the text lacks: most
    news text has no backtick, backslash, angle bracket or ampersand. The output is the same
    (tests compare it with the stock processor's); Python-Markdown spends 40% less time.

    The placeholders that replace matched spans consist of control characters, letters and
    digits, none of which any pattern needs, so a text's characters can be checked as the
    patterns are applied one after another."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self._patterns: list[Any] = []
        self._needs: list[str | None] = []

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        # the patterns, in order, as a list (the registry sorts itself on every lookup)
        self._patterns = list(self.inlinePatterns)
        self._needs = [pattern_needs(pattern) for pattern in self._patterns]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802,N803
        if isinstance(data, util.AtomicString):
            return data
        patterns, needs = self._patterns, self._needs
        apply = getattr(self, _APPLY_PATTERN)
        start = 0
        index = patternIndex
        while index < len(patterns):
            characters = needs[index]
            if characters is not None and not (
                    characters in data if len(characters) == 1
                    else any(character in data for character in characters)):
                index, start = index + 1, 0
                continue
            data, matched, start = apply(patterns[index], data, index, start)
            if not matched:
                index += 1
        return data


def _block_needs() -> dict[type, str]:
    """Block processors that cannot accept a block without one of these characters (headings,
    quotes, underlined headings, rules, tables); each is asked about every block otherwise."""
    from markdown.extensions.tables import TableProcessor

    return {blockprocessors.HashHeaderProcessor: "#", blockprocessors.BlockQuoteProcessor: ">",
            blockprocessors.SetextHeaderProcessor: "=-", blockprocessors.HRProcessor: "-_*",
            TableProcessor: "|"}


def _guard(processor: blockprocessors.BlockProcessor, needs: str) -> None:
    """Answer "no" for the processor, without asking it, about a block lacking its characters
    (its own test would say no too; tests check that)."""
    test = processor.test

    def guarded(parent: Any, block: str) -> bool:
        return any(character in block for character in needs) and test(parent, block)

    def guarded_by_one(parent: Any, block: str) -> bool:
        return needs in block and test(parent, block)

    processor.test = guarded_by_one if len(needs) == 1 else guarded  # type: ignore[method-assign]


class _SkipAbsentPatterns(markdown.extensions.Extension):
    """Python-Markdown asks every inline pattern about every run of text and every block
    processor about every block; this extension skips the questions whose answer a missing
    character gives away. Together: half the time of a news article's conversion."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.treeprocessors.register(_SkippingInlineProcessor(md), "inline", 20)
        needs = _block_needs()
        for processor in md.parser.blockprocessors:
            if type(processor) in needs:
                _guard(processor, needs[type(processor)])


_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) - {"center", "map", "area", "strike", "tt", "acronym"}
_ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "*": {"id", "lang", "dir"},
}
# Links inside a body must never carry the actor link: these elements keep their text as is.
_NO_LINK_ELEMENTS = frozenset({"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "script",
                               "style", "kbd", "samp"})
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")


@dataclass(slots=True)
class MarkdownRenderer:
    """One reusable converter a process: Python-Markdown's set-up is the expensive part."""

    _converter: markdown.Markdown = field(
        default_factory=lambda: markdown.Markdown(extensions=_extensions(), output_format="html"))

    def to_html(self, text: str) -> str:
        """Markdown to sanitised HTML: raw HTML is kept only where it is harmless."""
        self._converter.reset()
        unsafe = self._converter.convert(text)
        return sanitise(unsafe)


def sanitise(fragment: str) -> str:
    return nh3.clean(fragment, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


@functools.lru_cache(maxsize=8192)
def _spellings_pattern(spellings: tuple[str, ...]) -> re.Pattern[str]:
    """One actor's spellings as a whole-word pattern over HTML text, longest first.

    Cached: an actor's pattern serves every article that names it, and compiling one pattern
    per article would cost more than the linking itself.
    """
    ordered = sorted(spellings, key=lambda s: (-len(s), s))
    alternatives = "|".join(re.escape(html.escape(s, quote=False)) for s in ordered)
    # no look-behind for the word's start here: a pattern opening with one is tried at every
    # position of the text, ten times slower than one opening with the names (see _mentions)
    return re.compile(rf"(?:{alternatives})(?!\w)")


_WORD_BEFORE = re.compile(r"[\w.]")


def _mentions(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The pattern's matches in text that start a word (no letter, digit, _ or . before them),
    as finditer would give them with a look-behind for those in front of the pattern."""
    position = 0
    while (match := pattern.search(text, position)) is not None:
        start = match.start()
        if start and _WORD_BEFORE.match(text, start - 1):
            position = start + 1  # no match can start here: try from the next character
            continue
        yield match
        position = match.end()


def link_first_mentions(body_html: str, names: Mapping[str, str], title_for: Mapping[str, str],
                        ) -> str:
    """Link the first mention of each actor in body_html.

    names maps every spelling (name or alias, as written) to the actor's URL. Each URL is
    linked once, at its first mention in reading order, whatever spelling it has there; where
    two actors' spellings start at the same place, the longer wins. Text inside links, code
    and headings is left alone.
    """
    if not names:
        return body_html
    by_url: dict[str, list[str]] = {}
    for spelling, url in names.items():
        by_url.setdefault(url, []).append(spelling)
    segments = _linkable_text(body_html)
    starts = [segment[0] for segment in segments]

    def linkable(match: re.Match[str]) -> bool:
        index = bisect.bisect_right(starts, match.start()) - 1
        return index >= 0 and match.end() <= segments[index][1]

    # Each actor's mentions in reading order; the earliest unclaimed one of all is linked next.
    mentions = {url: (m for m in _mentions(_spellings_pattern(tuple(sorted(spellings))),
                                           body_html) if linkable(m))
                for url, spellings in by_url.items()}
    heap: list[tuple[int, int, str]] = []
    for url, found in mentions.items():
        first = next(found, None)
        if first is not None:
            heapq.heappush(heap, (first.start(), first.start() - first.end(), url))
    links: list[tuple[int, int, str]] = []
    while heap:
        begin, negative_length, url = heapq.heappop(heap)
        end = begin - negative_length
        if any(begin < taken_end and taken_begin < end for taken_begin, taken_end, _ in links):
            later = next((m for m in mentions[url]
                          if not any(m.start() < e and b < m.end() for b, e, _ in links)), None)
            if later is not None:
                heapq.heappush(heap, (later.start(), later.start() - later.end(), url))
            continue
        links.append((begin, end, url))
    out: list[str] = []
    position = 0
    for begin, end, url in sorted(links):
        title = html.escape(title_for.get(url, ""), quote=True)
        out.append(body_html[position:begin])
        out.append(f'<a class="actor-link" href="{html.escape(url, quote=True)}" '
                   f'title="{title}">{body_html[begin:end]}</a>')
        position = end
    out.append(body_html[position:])
    return "".join(out)


def _linkable_text(body_html: str) -> list[tuple[int, int]]:
    """(start, end) of each run of text outside tags and outside links, code and headings."""
    segments = []
    blocked = 0
    position = 0
    for tag in _TAG.finditer(body_html):
        if blocked == 0 and tag.start() > position:
            segments.append((position, tag.start()))
        closing, name, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name in _NO_LINK_ELEMENTS and not self_closing:
            blocked = max(blocked + (-1 if closing else 1), 0)
        position = tag.end()
    if blocked == 0 and position < len(body_html):
        segments.append((position, len(body_html)))
    return segments
