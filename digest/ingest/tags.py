"""Suggest tags from the vocabulary in content/tags.yaml: a tag applies when a keyword occurs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from digest.model import TagInfo


def _keyword_regex(keyword: str) -> str:
    words = [re.escape(word) for word in keyword.replace("-", " ").split()]
    # Hyphens and spaces are interchangeable ("cease-fire" / "cease fire"); dots optional ("U.S").
    body = r"[\s\-‐‑–]+".join(words).replace(r"\.", r"\.?")
    # Acronyms keep their case, so "U.S." and "US" never match the word "us".
    flags = "" if keyword.isupper() else "(?i)"
    return rf"(?<!\w){flags and '(?i:'}{body}{flags and ')'}(?!\w)"


def _keywords(tag: TagInfo) -> tuple[str, ...]:
    # A tag with no keywords is suggested by its own name ("united-states" -> "united states").
    return tag.keywords or (tag.name,)


def match_tags(text: str, vocabulary: Sequence[TagInfo],
               extra: Iterable[str] = ()) -> tuple[str, ...]:
    """Tags whose keywords occur in the text (case-insensitive except acronyms), by first
    occurrence; then `extra` (from --tag) in the order given."""
    first_seen: dict[str, int] = {}
    for tag in vocabulary:
        pattern = re.compile("|".join(_keyword_regex(k) for k in _keywords(tag) if k.strip()))
        match = pattern.search(text) if pattern.pattern else None
        if match is not None:
            first_seen[tag.name] = match.start()
    ordered = dict.fromkeys(sorted(first_seen, key=lambda name: first_seen[name]))
    for name in extra:
        ordered.setdefault(name, None)
    return tuple(ordered)
