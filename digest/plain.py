"""Markdown reduced to plain text, for what is shown or stored as text: an article's summary
on index pages, a quote or summary ingest writes into front matter."""

from __future__ import annotations

import html
import re

# A backslash escape (`\[` is a bracket: keep the character), an image (goes), a link (keeps
# its text), a raw HTML tag (goes), emphasis and heading or quote marks (go).
_MARKUP = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|])|!\[[^\]]*\]\([^)]*\)"
                     r"|\[([^\]]*)\]\([^)]*\)|<[A-Za-z/!][^>]*>|[*_`#>]+")
LIST_ITEM = re.compile(r"^[ \t]*(?:[-+*]|\d{1,9}[.)])[ \t]+", re.M)


def plain_text(markdown: str) -> str:
    """The words of a Markdown text, on one line: links keep their text; images, tags, list
    markers, emphasis and escapes go; entities are characters ("[Elise]", never "\\[Elise\\]")."""
    text = LIST_ITEM.sub("", markdown)
    text = _MARKUP.sub(lambda m: m.group(1) or m.group(2) or "", text)
    return " ".join(html.unescape(text).split())
