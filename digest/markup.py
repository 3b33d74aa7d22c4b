"""Markdown bodies to safe HTML, and the first mention of each actor turned into a link."""

from __future__ import annotations

import bisect
import functools
import heapq
import html
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import markdown
import nh3

# imported with this module, so that a parent process imports them once before it forks
# workers
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension

from digest.markdown_skips import SkipAbsentPatterns, can_skip


def _fenced_code() -> type[markdown.extensions.Extension]:
    """Python-Markdown's fenced code extension, imported without Pygments. Its module imports
    the code highlighter, and the highlighter imports Pygments when it is installed: 20 ms
    at the start of every build, before any worker can start. The highlighter only runs
    beside Python-Markdown's codehilite extension, which digest never loads, so the output
    is the same (a module set to None in sys.modules is one that cannot be imported)."""
    keep_out = "pygments" not in sys.modules  # when imported already, nothing to save
    if keep_out:
        sys.modules["pygments"] = None  # type: ignore[assignment]
    try:
        from markdown.extensions.fenced_code import FencedCodeExtension
    finally:
        if keep_out:
            del sys.modules["pygments"]
    return FencedCodeExtension


FencedCodeExtension = _fenced_code()


def _extensions() -> list[markdown.extensions.Extension]:
    """Only what news bodies use (every extension costs time on each article), as instances:
    extensions named by string are looked up among installed entry points, which takes
    longer than converting an article."""
    extensions: list[markdown.extensions.Extension] = [
        TableExtension(), FencedCodeExtension(), SaneListExtension()]
    if can_skip():
        extensions.append(SkipAbsentPatterns())
    return extensions


_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) - {"center", "map", "area", "strike", "tt", "acronym"}
_ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "*": {"id", "lang", "dir"},
}
# A tag in body HTML (the sanitiser writes every '<' and '>' that is not one as &lt; and &gt;,
# also inside attribute values). Group 2: the tag's name when it is one of the elements whose
# text never carries an actor link (a whole name: <abbr> is not <a>).
_TAG = re.compile(r"<(/?)(?:(a|code|pre|h[1-6]|script|style|kbd|samp)(?![a-zA-Z0-9])|"
                  r"[a-zA-Z][a-zA-Z0-9]*)[^>]*>", re.IGNORECASE)


@dataclass(slots=True)
class MarkdownRenderer:
    """One reusable converter a process: Python-Markdown's set-up is the expensive part."""

    _converter: markdown.Markdown = field(
        default_factory=lambda: markdown.Markdown(extensions=_extensions(), output_format="html"))
    # built once: nh3.clean would convert the allowed tags and attributes on every call
    _cleaner: nh3.Cleaner = field(default_factory=lambda: nh3.Cleaner(
        tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer"))

    def to_html(self, text: str) -> str:
        """Markdown to sanitised HTML: raw HTML is kept only where it is harmless."""
        self._converter.reset()
        unsafe = self._converter.convert(text)
        if "<h" in unsafe:
            unsafe = _leveled(unsafe)
        safe = self._cleaner.clean(unsafe)
        if "<pre" in safe or "<table" in safe:
            safe = _SCROLLING.sub(_focusable, safe)
        return safe


_SCROLLING = re.compile(r"<(pre|table)\b([^>]*)>|</table>")
_TABLE_BOX = '<div class="table-scroll" role="region" aria-label="Table" tabindex="0">'


def _focusable(match: re.Match[str]) -> str:
    """Code blocks and tables scroll sideways when wider than the screen (style.css), so each
    takes keyboard focus, for a reader without a mouse to scroll it (Chrome and Firefox focus
    a box that scrolls by themselves, Safari does not). A table scrolls in a box of its own, a
    region named "Table": a table that is itself a scrolling block is no table in Safari."""
    element, attributes = match.groups()
    if element == "pre":
        return f'<pre tabindex="0"{attributes}>'
    if element == "table":
        return f"{_TABLE_BOX}<table{attributes}>"
    return "</table></div>"


_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)


def _leveled(body_html: str) -> str:
    """Headings moved so that the body's highest is a second-level one: the page's title is
    its only first-level heading, and a body that opens its sections with `#` or `###` keeps
    their order under it without skipping a level (none goes below h6)."""
    levels = [int(level) for _, level in _HEADING_TAG.findall(body_html)]
    if not levels or min(levels) == 2:
        return body_html
    shift = 2 - min(levels)
    return _HEADING_TAG.sub(
        lambda m: f"<{m.group(1)}h{min(max(int(m.group(2)) + shift, 2), 6)}", body_html)


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
    tags, closed = _markup_spans(body_html)
    tag_starts = [span[0] for span in tags]
    closed_starts = [span[0] for span in closed]

    def linkable(match: re.Match[str]) -> bool:
        """Neither in a tag (an attribute's value) nor in a link, code or a heading."""
        start = match.start()
        for starts, spans in ((tag_starts, tags), (closed_starts, closed)):
            index = bisect.bisect_right(starts, start) - 1
            if index >= 0 and start < spans[index][1]:
                return False
        return True

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
        name = title_for.get(url, "")
        written = body_html[begin:end]
        # the actor's name as a tooltip only where the text says it otherwise (an alias):
        # a screen reader would read the same name twice
        title = "" if html.unescape(written) == name else (
            f' title="{html.escape(name, quote=True)}"')
        out.append(body_html[position:begin])
        out.append(f'<a class="actor-link" href="{html.escape(url, quote=True)}"{title}>'
                   f'{written}</a>')
        position = end
    out.append(body_html[position:])
    return "".join(out)


def _markup_spans(body_html: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(start, end) of each tag in body_html, and of each stretch inside links, code and
    headings (one left open runs to the end), in order."""
    found = list(_TAG.finditer(body_html))
    closed = []
    depth = opened = 0
    for tag in [tag for tag in found if tag.group(2)]:
        if tag.group(0).endswith("/>"):  # <a/> holds nothing
            continue
        if not tag.group(1):
            if depth == 0:
                opened = tag.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                closed.append((opened, tag.end()))
    if depth > 0:
        closed.append((opened, len(body_html)))
    return [tag.span() for tag in found], closed
