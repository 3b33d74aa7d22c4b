"""Plain text escaped so that Python-Markdown (digest.markup) shows it as written.

Both cleaning paths (pasted text and saved pages) use these. Python-Markdown honours a
backslash only before its own marks, so the escapes are chosen to match what it reads:
a "<" that could open a tag becomes "&lt;" ("\\<" would show its backslash), and a number
opens a list only with a full stop ("2019. That was" -> "2019\\. That was"; "15) Thriller"
stays as it is).
"""

from __future__ import annotations

import re

_INLINE_SPECIALS_RE = re.compile(r"([\\`*_\[\]])")
# At the end of a text fragment the next character is unknown: it may be a letter.
_TAG_OPEN_RE = re.compile(r"<(?=[A-Za-z/!?]|$)")
_BLOCK_START_RE = re.compile(r"^(\s*)([#>]|[+-](?=\s|$)|\d+(?=\.(?:\s|$)))")


def escape_inline(text: str) -> str:
    """Marks that would turn plain text into emphasis, code, links or raw HTML."""
    return _TAG_OPEN_RE.sub("&lt;", _INLINE_SPECIALS_RE.sub(r"\\\1", text))


def escape_block_start(line: str) -> str:
    """A line of text that would open a heading, a quote or a list, escaped at its start."""
    match = _BLOCK_START_RE.match(line)
    if match is None:
        return line
    if match.group(2)[0].isdigit():
        return line[:match.end()] + "\\" + line[match.end():]
    return line[:match.start(2)] + "\\" + line[match.start(2):]


def escape_line(text: str) -> str:
    """A whole line of plain text, ready to be a Markdown paragraph."""
    return escape_block_start(escape_inline(text))
