"""The content model: plain, immutable records read from the digest's files."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

# Records are frozen but not slotted: the build cache pickles thousands of them, and slotted
# dataclasses pickle through a slow Python-level __getstate__ (see digest.cache).
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def language_tag(value: str) -> str | None:
    """`value` as a language tag ("ar", "pt-BR", "zh-Hant"), or None if it is not one."""
    value = value.strip()
    if not _LANGUAGE_TAG.fullmatch(value):
        return None
    primary, *rest = value.split("-")
    return "-".join([primary.lower(), *rest])


@dataclass(frozen=True)
class Quote:
    """A direct quotation; `speaker` is an actor name or alias as written in the file."""

    text: str
    speaker: str


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Article:
    path: str  # relative to the digest root, with forward slashes
    slug: str
    title: str
    date: dt.datetime  # timezone-aware; midnight UTC when the file gives only a day
    updated: dt.datetime | None
    source: str | None
    source_url: str | None
    via: str | None
    dateline: str | None
    summary: str | None
    tags: tuple[str, ...]
    actors: tuple[str, ...]  # names or aliases as written; resolved in the graph
    quotes: tuple[Quote, ...]
    draft: bool
    # The Markdown body itself stays in the file (an archive's bodies would be most of the
    # build's memory): digest.bodies reads it again when it converts it.
    body_hash: str  # digest.hashes.content_hash of the body
    lead: str  # the body's first paragraph as plain text, cut at a word: what listings show
    body_line: int  # the file line where the body starts, for error messages
    # names ingest found that may be actors: not published, but one that an actor file names
    # (digest actor add) counts as an actor the article names
    candidates: tuple[str, ...] = ()
    language: str | None = None  # a language tag, when it is not the digest's


@dataclass(frozen=True)
class Actor:
    path: str | None  # None for an actor named in articles that has no file of its own
    slug: str
    name: str
    aliases: tuple[str, ...]
    kind: str | None
    affiliations: tuple[str, ...]  # names or aliases of parent actors
    links: tuple[Link, ...]
    body: str  # Markdown description


@dataclass(frozen=True)
class TagInfo:
    name: str
    description: str
    keywords: tuple[str, ...]  # words that suggest the tag when ingesting


_NOT_ASCII_WORD = re.compile(r"[\W_]+", re.ASCII)


def slugify(text: str) -> str:
    """URL-safe slug: accents of Latin letters folded (Café → cafe), other scripts kept whole,
    words joined by '-'.

    Only Latin letters lose their marks: in Devanagari, Arabic, Cyrillic or Japanese a mark is
    part of the letter (й, أ, が; a Hindi vowel sign), and Hangul would fall apart into jamo.
    """
    if text.isascii():  # most names: no marks, one pass of a regular expression
        plain = text.replace("'", "").replace(".", "").casefold()
        return _NOT_ASCII_WORD.sub("-", plain).strip("-") or "item"
    kept = []
    latin = False  # whether the last letter was Latin, whose marks go
    for character in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text)):
        if unicodedata.combining(character):
            if not latin:
                kept.append(character)
            continue
        latin = character.isascii() or unicodedata.name(character, "").startswith("LATIN")
        kept.append(character)
    folded = unicodedata.normalize("NFC", "".join(kept))  # Hangul, が and й whole again
    folded = folded.replace("'", "").replace("\u2019", "").replace(".", "")
    words = "".join(ch if ch.isalnum() or unicodedata.category(ch).startswith("M") else " "
                    for ch in folded.casefold())
    return "-".join(words.split()) or "item"


def name_key(name: str) -> str:
    """How names and aliases are compared: case, spacing and apostrophe style do not matter."""
    name = unicodedata.normalize("NFKC", name).replace("\u2019", "'")
    return " ".join(name.casefold().split())
