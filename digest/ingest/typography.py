"""Typography and encoding repair for extracted text: mojibake, whitespace, quotes, dashes."""

from __future__ import annotations

import re
import unicodedata

# Characters that a UTF-8 continuation byte (0x80-0xBF) turns into when the bytes are
# wrongly decoded as Windows-1252 (or Latin-1 for the five bytes cp1252 leaves undefined).
_CONTINUATION_CHARS = "".join(
    bytes([b]).decode("cp1252", errors="replace").replace("\ufffd", chr(b))
    for b in range(0x80, 0xC0)
)
_LEAD_2 = "\u00c2-\u00df"  # Â..ß: lead bytes of 2-byte sequences
_LEAD_3 = "\u00e0-\u00ef"  # à..ï: lead bytes of 3-byte sequences
_LEAD_4 = "\u00f0-\u00f4"  # ð..ô: lead bytes of 4-byte sequences
_CONT = "[" + re.escape(_CONTINUATION_CHARS) + "]"
_MOJIBAKE_RE = re.compile(
    f"(?:[{_LEAD_2}]{_CONT}|[{_LEAD_3}]{_CONT}{{2}}|[{_LEAD_4}]{_CONT}{{3}})+"
)

# Spaces that carry no meaning in running text; zero-width joiners are kept because
# Persian, Arabic and Indic scripts need them.
_ODD_SPACES_RE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\u000b\u000c]")
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u2060\ufeff]")
_RUNS_OF_SPACES_RE = re.compile(" {2,}")

_DOUBLE_HYPHEN_RE = re.compile(r"(?<=\S) ?-- ?(?=\S)")
# A straight double quote opens when it follows a space or an opening bracket.
_OPEN_DOUBLE_RE = re.compile(r'(^|[\s(\[{\u2014\u2013-])"')
_OPEN_SINGLE_RE = re.compile(r"(^|[\s(\[{\u201c\u2014\u2013-])'(?=\w)(?!\d\d?s\b)")


# Sequences that correct text practically never holds and mojibake always does: a 2-byte
# lead read as Â Ã Å Ð Ñ Ø Ù ("Ã©" for é, "Ð¼" for м, "Ø§" for ا) or the 3-byte punctuation
# leads "â€" and "â„" ("â€™" for ’), each followed by a continuation character.
_MARKER_RE = re.compile(
    f"[\u00c2\u00c3\u00c5\u00d0\u00d1\u00d8\u00d9]{_CONT}|\u00e2[\u20ac\u201e]{_CONT}")


def _decode_mojibake(match: re.Match[str]) -> str:
    text = match.group(0)
    raw = bytearray()
    for char in text:
        try:
            raw += char.encode("cp1252")
        except UnicodeEncodeError:
            raw += char.encode("latin-1")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return text


def is_mojibake(text: str) -> bool:
    """Whether the text is UTF-8 that was decoded as Windows-1252: it holds the sequences only
    mojibake has. Correct text ("Spaß“", "gagné\u00a0»", "CAFÉ”") has none of them, although
    such pairs of characters are also valid mojibake and would be "repaired" into nonsense."""
    return _MARKER_RE.search(text) is not None


def fix_mojibake(text: str, mojibake: bool | None = None) -> str:
    """Undo UTF-8 text that was decoded as Windows-1252 ("â€™" -> "’"), only when the text as a
    whole is mojibake (decided by the caller, or by is_mojibake on this text)."""
    if not (is_mojibake(text) if mojibake is None else mojibake):
        return text
    return _MOJIBAKE_RE.sub(_decode_mojibake, text)


def uses_curly_quotes(text: str) -> bool:
    """Whether the text already quotes typographically, so straight quotes are slips to fix."""
    return any(mark in text for mark in "\u201c\u201d\u2019")


def curl_quotes(text: str) -> str:
    """Turn straight quotes into curly ones (opening after a space or bracket, else closing)."""
    text = _OPEN_DOUBLE_RE.sub("\\1\u201c", text)
    text = text.replace('"', "\u201d")
    text = _OPEN_SINGLE_RE.sub("\\1\u2018", text)
    return text.replace("'", "\u2019")


def fix_line(text: str, curly: bool = False, mojibake: bool | None = None) -> str:
    """Repair one line (or paragraph) of running text; curly=True also curls straight quotes;
    mojibake says whether the whole text is mojibake (None: judge this line alone)."""
    text = unicodedata.normalize("NFC", fix_mojibake(text, mojibake))
    text = _INVISIBLE_RE.sub("", text)
    text = _ODD_SPACES_RE.sub(" ", text)
    text = _RUNS_OF_SPACES_RE.sub(" ", text).strip()
    text = _DOUBLE_HYPHEN_RE.sub(" \u2014 ", text)
    return curl_quotes(text) if curly else text


def fix_text(text: str) -> str:
    """Repair a multi-line text: line endings, mojibake, spacing; quotes stay as the text has them,
    except that straight quotes are curled when the text mostly uses curly ones."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = fix_mojibake(text)
    curly = uses_curly_quotes(text)
    return "\n".join(fix_line(line, curly, mojibake=False) for line in text.split("\n"))
