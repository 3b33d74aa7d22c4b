"""The site graph: aliases resolved, every cross-link between articles, actors and tags.

Everything a page shows is decided here, before anything is rendered or written.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from digest.config import Config
from digest.errors import ContentError, Problem
from digest.load import Content
from digest.model import Actor, Article, Quote, TagInfo, name_key, slugify

# Actors and tags shared by many articles are compared only with this many articles closest in
# time: it keeps related-article ranking linear in the archive's size.
RELATED_WINDOW = 40

# Not slotted, like the model's records: the graph is pickled into the build cache.
@dataclass(frozen=True)
class Related:
    slug: str
    shared_actors: tuple[str, ...]  # actor slugs
    shared_tags: tuple[str, ...]  # tag slugs


@dataclass(frozen=True)
class QuoteRef:
    article: str  # article slug
    quote: Quote
    speaker: str  # actor slug


@dataclass(frozen=True)
class Tag:
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class SiteGraph:
    config: Config
    articles: tuple[Article, ...]  # published, newest first
    by_slug: dict[str, Article]
    actors: dict[str, Actor]  # slug -> actor, files and actors only named in articles
    tags: dict[str, Tag]
    article_actors: dict[str, tuple[str, ...]]  # article slug -> actor slugs, in article order
    article_tags: dict[str, tuple[str, ...]]
    actor_articles: dict[str, tuple[str, ...]]  # actor slug -> article slugs, newest first
    tag_articles: dict[str, tuple[str, ...]]
    parents: dict[str, tuple[str, ...]]  # actor slug -> the actors it belongs to
    members: dict[str, tuple[str, ...]]  # actor slug -> the actors that belong to it
    actor_quotes: dict[str, tuple[QuoteRef, ...]]  # newest first
    article_quotes: dict[str, tuple[QuoteRef, ...]]
    co_actors: dict[str, tuple[tuple[str, int], ...]]  # most shared articles first
    related: dict[str, tuple[Related, ...]]
    spellings: dict[str, str]  # every name and alias as written -> actor slug
    name_keys: dict[str, str]  # name_key of every name and alias -> actor slug
    actors_without_file: tuple[str, ...]  # names of actors that have no file

    def resolve(self, name: str) -> str | None:
        return self.name_keys.get(name_key(name))


def _line_in(root: Path, path: str, pattern: str) -> int | None:
    try:
        text = (root / path).read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(pattern, text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _register_actors(config: Config, actors: Iterable[Actor], problems: list[Problem],
                     ) -> tuple[dict[str, Actor], dict[str, str]]:
    by_slug: dict[str, Actor] = {}
    keys: dict[str, str] = {}  # name_key -> actor slug
    for actor in actors:
        assert actor.path is not None
        for spelling in (actor.name, *actor.aliases):
            key = name_key(spelling)
            owner = keys.get(key)
            if owner is not None and owner != actor.slug:
                other = by_slug[owner]
                problems.append(Problem(
                    actor.path, _line_in(config.root, actor.path, rf"\b{re.escape(spelling)}\b"),
                    f"'{spelling}' is claimed by both {other.path} and {actor.path}",
                    "keep the name or alias in one actor file only"))
                continue
            keys[key] = actor.slug
        by_slug[actor.slug] = actor
    return by_slug, keys


def _check_slugs(root: Path, articles: Iterable[Article], problems: list[Problem]) -> None:
    first: dict[str, Article] = {}
    for article in articles:
        if article.slug in first:
            problems.append(Problem(
                article.path, _line_in(root, article.path, r"^slug\s*:") or 1,
                f"slug '{article.slug}' is already used by {first[article.slug].path}",
                "rename one of the files or give one a 'slug:' of its own"))
        else:
            first[article.slug] = article


def build_graph(config: Config, content: Content, drafts: bool = False) -> SiteGraph:
    """Resolve the content into a site graph; raises ContentError listing every problem."""
    problems: list[Problem] = []
    articles = sorted((a for a in content.articles if drafts or not a.draft),
                      key=lambda a: (a.date, a.slug), reverse=True)
    _check_slugs(config.root, articles, problems)
    actors, keys = _register_actors(config, content.actors, problems)
    if problems:
        raise ContentError(problems)

    missing: dict[str, None] = {}

    def resolve(name: str) -> str:
        key = name_key(name)
        slug = keys.get(key)
        if slug is None:
            slug = slugify(name)
            while slug in actors:  # an actor without a file never takes a file's page
                slug += "-x"
            actors[slug] = Actor(None, slug, name, (), None, (), (), "")
            keys[key] = slug
            missing[name] = None
        return slug

    tag_infos: dict[str, TagInfo] = {slugify(t.name): t for t in content.tags}
    tags: dict[str, Tag] = {
        slug: Tag(slug, info.name, info.description) for slug, info in tag_infos.items()}
    article_actors: dict[str, tuple[str, ...]] = {}
    article_tags: dict[str, tuple[str, ...]] = {}
    article_quotes: dict[str, tuple[QuoteRef, ...]] = {}
    actor_articles: defaultdict[str, list[str]] = defaultdict(list)
    tag_articles: defaultdict[str, list[str]] = defaultdict(list)
    actor_quotes: defaultdict[str, list[QuoteRef]] = defaultdict(list)
    for article in articles:
        quotes = tuple(QuoteRef(article.slug, q, resolve(q.speaker)) for q in article.quotes)
        named = dict.fromkeys([resolve(n) for n in article.actors] + [q.speaker for q in quotes])
        article_actors[article.slug] = tuple(named)
        article_quotes[article.slug] = quotes
        for slug in named:
            actor_articles[slug].append(article.slug)
        for quote in quotes:
            actor_quotes[quote.speaker].append(quote)
        tag_slugs: dict[str, None] = {}
        for tag_name in article.tags:
            tag_slug = slugify(tag_name)
            if tag_slug not in tag_slugs:
                tag_slugs[tag_slug] = None
                tags.setdefault(tag_slug, Tag(tag_slug, tag_name, ""))
                tag_articles[tag_slug].append(article.slug)
        article_tags[article.slug] = tuple(tag_slugs)

    parents: dict[str, tuple[str, ...]] = {}
    members: defaultdict[str, list[str]] = defaultdict(list)
    for actor in [a for a in actors.values() if a.path is not None]:
        ups = tuple(dict.fromkeys(resolve(name) for name in actor.affiliations))
        parents[actor.slug] = tuple(u for u in ups if u != actor.slug)
        for parent in parents[actor.slug]:
            members[parent].append(actor.slug)

    spellings: dict[str, str] = {}
    for actor in actors.values():
        for spelling in (actor.name, *actor.aliases):
            spellings[spelling] = actor.slug

    return SiteGraph(
        config=config,
        articles=tuple(articles),
        by_slug={a.slug: a for a in articles},
        actors=dict(sorted(actors.items())),
        tags=dict(sorted(tags.items())),
        article_actors=article_actors,
        article_tags=article_tags,
        actor_articles={k: tuple(v) for k, v in sorted(actor_articles.items())},
        tag_articles={k: tuple(v) for k, v in sorted(tag_articles.items())},
        parents=parents,
        members={k: tuple(sorted(v)) for k, v in sorted(members.items())},
        actor_quotes={k: tuple(v) for k, v in sorted(actor_quotes.items())},
        article_quotes=article_quotes,
        co_actors=_co_actors(article_actors, config.co_actors),
        related=_related(articles, article_actors, article_tags, config.related_count),
        spellings=spellings,
        name_keys=dict(sorted(keys.items())),
        actors_without_file=tuple(sorted(missing, key=str.casefold)),
    )


def _co_actors(article_actors: dict[str, tuple[str, ...]], limit: int,
               ) -> dict[str, tuple[tuple[str, int], ...]]:
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for named in article_actors.values():
        for slug in named:
            counts[slug].update(other for other in named if other != slug)
    return {
        slug: tuple(heapq.nsmallest(limit, counter.items(), key=lambda item: (-item[1], item[0])))
        for slug, counter in sorted(counts.items())
    }


def _near(postings: list[int], index: int) -> list[int]:
    """The postings closest to index (postings are sorted article indexes)."""
    if len(postings) <= 2 * RELATED_WINDOW:
        return postings
    middle = bisect.bisect_left(postings, index)
    start = max(0, min(middle - RELATED_WINDOW // 2, len(postings) - RELATED_WINDOW))
    return postings[start:start + RELATED_WINDOW]


def _related(articles: list[Article], article_actors: dict[str, tuple[str, ...]],
             article_tags: dict[str, tuple[str, ...]], limit: int,
             ) -> dict[str, tuple[Related, ...]]:
    """Articles sharing the most actors (worth two) and tags (worth one); newer first on ties."""
    actor_postings: defaultdict[str, list[int]] = defaultdict(list)
    tag_postings: defaultdict[str, list[int]] = defaultdict(list)
    for index, article in enumerate(articles):
        for slug in article_actors[article.slug]:
            actor_postings[slug].append(index)
        for slug in article_tags[article.slug]:
            tag_postings[slug].append(index)
    related: dict[str, tuple[Related, ...]] = {}
    for index, article in enumerate(articles):
        scores: Counter[int] = Counter()
        own_actors = article_actors[article.slug]
        own_tags = article_tags[article.slug]
        for slug in own_actors:
            near = _near(actor_postings[slug], index)
            scores.update(near)
            scores.update(near)
        for slug in own_tags:
            scores.update(_near(tag_postings[slug], index))
        scores.pop(index, None)
        candidates = list(scores.items())
        if len(candidates) > limit:  # keep every candidate tied with the last place
            threshold = sorted(scores.values(), reverse=True)[limit - 1]
            candidates = [item for item in candidates if item[1] >= threshold]
        best = sorted(candidates, key=lambda item: (-item[1], item[0]))[:limit]
        chosen = []
        for other_index, _score in best:
            other = articles[other_index].slug
            other_actors = set(article_actors[other])
            other_tags = set(article_tags[other])
            chosen.append(Related(other, tuple(s for s in own_actors if s in other_actors),
                                  tuple(t for t in own_tags if t in other_tags)))
        related[article.slug] = tuple(chosen)
    return related
