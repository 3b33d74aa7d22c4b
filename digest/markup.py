"""Markdown bodies to safe HTML, and the first mention of each actor turned into a link."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import markdown
import nh3

# Only what news bodies use; every extension costs time on each article.
_EXTENSIONS = ("tables", "fenced_code", "sane_lists")
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
        default_factory=lambda: markdown.Markdown(extensions=list(_EXTENSIONS),
                                                  output_format="html"))

    def to_html(self, text: str) -> str:
        """Markdown to sanitised HTML: raw HTML is kept only where it is harmless."""
        self._converter.reset()
        unsafe = self._converter.convert(text)
        return sanitise(unsafe)


def sanitise(fragment: str) -> str:
    return nh3.clean(fragment, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


def link_first_mentions(body_html: str, names: Mapping[str, str], title_for: Mapping[str, str],
                        ) -> str:
    """Link the first mention of each actor in body_html.

    names maps every spelling (name or alias, as written) to the actor's URL. Each URL is
    linked once, at its first mention in reading order, whatever spelling it has there; text
    inside links, code and headings is left alone.
    """
    if not names:
        return body_html
    spellings: Sequence[str] = sorted(names, key=lambda s: (-len(s), s))
    pattern = re.compile(
        r"(?<![\w.])(" + "|".join(re.escape(html.escape(s, quote=False)) for s in spellings)
        + r")(?![\w])")
    by_escaped = {html.escape(s, quote=False): s for s in spellings}
    linked: set[str] = set()
    out: list[str] = []
    blocked = 0
    position = 0
    for tag in _TAG.finditer(body_html):
        if blocked == 0:
            out.append(_link_text(body_html[position:tag.start()], pattern, by_escaped, names,
                                  title_for, linked))
        else:
            out.append(body_html[position:tag.start()])
        closing, name, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name in _NO_LINK_ELEMENTS and not self_closing:
            blocked += -1 if closing else 1
            blocked = max(blocked, 0)
        out.append(tag.group(0))
        position = tag.end()
    tail = body_html[position:]
    out.append(_link_text(tail, pattern, by_escaped, names, title_for, linked)
               if blocked == 0 else tail)
    return "".join(out)


def _link_text(text: str, pattern: re.Pattern[str], by_escaped: Mapping[str, str],
               names: Mapping[str, str], title_for: Mapping[str, str], linked: set[str]) -> str:
    if not text.strip():
        return text

    def replace(match: re.Match[str]) -> str:
        url = names[by_escaped[match.group(1)]]
        if url in linked:
            return match.group(0)
        linked.add(url)
        title = html.escape(title_for.get(url, ""), quote=True)
        return f'<a class="actor-link" href="{html.escape(url, quote=True)}" title="{title}">' \
               f"{match.group(0)}</a>"

    return pattern.sub(replace, text)
