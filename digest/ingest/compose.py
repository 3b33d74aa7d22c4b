"""Turn an extracted article into the file `digest build` publishes: front matter and body.

Extraction (extract.py) decides what the article is; this module decides what the digest says
about it: date, source, dateline, wire agency, summary, tags, actors, candidates and quotes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from digest.config import Config
from digest.errors import ContentError, DigestError, Problem
from digest.ingest.actors import (
    ActorIndex,
    actor_candidates,
    actors_named,
    build_index,
    find_mentions,
    load_actors,
)
from digest.ingest.extract import Extracted
from digest.ingest.language import capitalises_nouns, differs
from digest.ingest.metadata import (
    WIRE_AGENCIES,
    agency_byline,
    find_via,
    split_dateline,
    summarize,
)
from digest.ingest.quotes import find_quotes
from digest.ingest.store import ArticleFile, article_slug
from digest.ingest.tags import match_tags
from digest.load import load_tags
from digest.model import TagInfo


class MissingDateError(DigestError):
    """Neither the page nor the curator gave a date; ingest never invents one."""


@dataclass(frozen=True, slots=True)
class Overrides:
    """Fields the curator sets by hand: --date, --source, --source-url and --title replace,
    --tag and --actor add."""

    date: dt.date | None = None
    source: str | None = None
    source_url: str | None = None
    tags: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What the digest already knows: its actors and its tags."""

    actors: ActorIndex
    tags: tuple[TagInfo, ...]
    language: str = "en"  # the digest's (digest.yaml's language)


def load_vocabulary(config: Config) -> Vocabulary:
    problems: list[Problem] = []
    tags = load_tags(config, problems)
    if problems:
        raise ContentError(problems)
    return Vocabulary(build_index(load_actors(config)), tags, config.language)


def _date_value(extracted: Extracted, overrides: Overrides,
                input_name: str) -> dt.date | dt.datetime:
    if overrides.date is not None:
        return overrides.date
    if extracted.date is None:
        raise MissingDateError(Problem(
            input_name, None, "no publication date found in the article",
            "pass --date YYYY-MM-DD with the day the article was published"))
    stamp = extracted.date if extracted.date.tzinfo else extracted.date.replace(tzinfo=dt.UTC)
    if stamp.utcoffset() == dt.timedelta(0) and stamp.time() == dt.time(0):
        return stamp.date()
    return stamp


def _same_outlet(first: str | None, second: str | None) -> bool:
    if first is None or second is None:
        return False
    def outlet(name: str) -> str:
        return WIRE_AGENCIES.get(name, name).casefold()
    return outlet(first) == outlet(second)


def compose(extracted: Extracted, input_name: str, overrides: Overrides,
            vocabulary: Vocabulary) -> tuple[ArticleFile, tuple[str, ...]]:
    """The article file, and the actor candidates to show the curator."""
    date = _date_value(extracted, overrides, input_name)
    dateline, body = split_dateline(extracted.body)
    source = overrides.source or (dateline.source if dateline else None) or extracted.source
    via = find_via(f"{extracted.title}\n\n{body}")
    # "PTI, Washington," by a pasted headline: the agency and the place, when the body has none
    byline = next(filter(None, map(agency_byline, extracted.header)), None)
    place = dateline.place if dateline else None
    if byline is not None:
        via, place = via or byline[0], place or byline[1]
    if _same_outlet(via, source):
        via = None
    index = vocabulary.actors
    everything = f"{extracted.title}\n\n{body}"
    extra_actors = tuple(index.resolve(name) or name for name in overrides.actors)
    actors = actors_named(find_mentions(everything, index), extra_actors)
    candidates = tuple(c for c in actor_candidates(
        body, find_mentions(body, index), index,
        nouns_capitalised=capitalises_nouns(body, extracted.language)) if c not in actors)
    quotes = find_quotes(body, index)
    meta: dict[str, Any] = {
        "title": extracted.title,
        "date": date,
        "source": source,
        "source_url": overrides.source_url or extracted.source_url,
        "via": via,
        "dateline": place,
        "summary": summarize(body),
        "tags": list(match_tags(everything, vocabulary.tags, overrides.tags)),
        "actors": list(actors),
        "actor_candidates": list(candidates),
        "quotes": [{"text": q.text, "speaker": q.speaker} for q in quotes],
        "language": extracted.language if differs(extracted.language, vocabulary.language)
        else None,
    }
    meta = {key: value for key, value in meta.items() if value not in (None, "", [])}
    day = date.date() if isinstance(date, dt.datetime) else date
    article = ArticleFile(day, article_slug(extracted.title), meta, body)
    return article, candidates
