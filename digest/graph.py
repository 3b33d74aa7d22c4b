"""The site graph: aliases resolved, every cross-link between articles, actors and tags.

Everything a page shows is decided here, before anything is rendered or written.
"""

from __future__ import annotations

import bisect
import difflib
import heapq
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from digest import urls
from digest.config import Config
from digest.errors import ContentError, Problem
from digest.load import Content
from digest.model import Actor, Article, Quote, TagInfo, name_key, slugify

log = logging.getLogger(__name__)

_MISSPELT = 0.9  # names this alike (difflib's ratio) are most often one name mistyped

# Actors and tags shared by many articles are compared only with this many articles closest in
# time: it keeps related-article ranking linear in the archive's size.
RELATED_WINDOW = 40
TAGS_FILE = "content/tags.yaml"

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


def _item_line(root: Path, path: str, key: str, item: str) -> int:
    """The line of `item` in the front-matter list `key` (flow or block style); the key's own
    line when the item is written some other way, and 1 when the key is not there."""
    try:
        lines = (root / path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    start = next((n for n, line in enumerate(lines) if re.match(rf"{key}\s*:", line)), None)
    if start is None:
        return 1
    written = re.compile(rf"(?<!\w){re.escape(item)}(?!\w)")
    if written.search(lines[start].partition(":")[2]):
        return start + 1
    for number in range(start + 1, len(lines)):
        if not re.match(r"\s|-\s", lines[number]):  # the next key or the closing '---'
            break
        if written.search(lines[number]):
            return number + 1
    return start + 1


def _register_actors(config: Config, actors: Iterable[Actor], problems: list[Problem],
                     ) -> tuple[dict[str, Actor], dict[str, str]]:
    by_slug: dict[str, Actor] = {}
    keys: dict[str, str] = {}  # name_key -> actor slug
    for actor in actors:
        assert actor.path is not None
        if actor.slug in by_slug:  # one page each: the second file would replace the first
            problems.append(Problem(
                actor.path, 1,
                f"actor slug '{actor.slug}' is already used by {by_slug[actor.slug].path}",
                "rename one of the files: an actor's slug, and its page actors/<slug>/, come "
                "from its file name"))
            continue
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
    # Names resolve to the first file claiming them even after a problem, so that the checks
    # below run too and every problem is reported at once.
    actors, keys = _register_actors(config, content.actors, problems)

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

    tags = _Tags(config.root, content.tags, problems)
    article_actors: dict[str, tuple[str, ...]] = {}
    article_tags: dict[str, tuple[str, ...]] = {}
    article_quotes: dict[str, tuple[QuoteRef, ...]] = {}
    actor_articles: defaultdict[str, list[str]] = defaultdict(list)
    tag_articles: defaultdict[str, list[str]] = defaultdict(list)
    actor_quotes: defaultdict[str, list[QuoteRef]] = defaultdict(list)
    for article in articles:
        quotes = tuple(QuoteRef(article.slug, q, resolve(q.speaker)) for q in article.quotes)
        # a candidate ingest kept counts once an actor file claims it (the curator promoted
        # it with digest actor add); it never makes an actor of its own
        promoted = [slug for slug in (keys.get(name_key(n)) for n in article.candidates)
                    if slug is not None and actors[slug].path is not None]
        named = dict.fromkeys([resolve(n) for n in article.actors] + [q.speaker for q in quotes]
                              + promoted)
        article_actors[article.slug] = tuple(named)
        article_quotes[article.slug] = quotes
        for slug in named:
            actor_articles[slug].append(article.slug)
        for quote in quotes:
            actor_quotes[quote.speaker].append(quote)
        tag_slugs = dict.fromkeys(tags.slug(name) for name in article.tags)
        for tag_slug in tag_slugs:
            tag_articles[tag_slug].append(article.slug)
        article_tags[article.slug] = tuple(tag_slugs)

    parents: dict[str, tuple[str, ...]] = {}
    members: defaultdict[str, list[str]] = defaultdict(list)
    for actor in [a for a in actors.values() if a.path is not None]:
        # an affiliation naming no actor file makes an actor without a file, as in articles
        parents[actor.slug] = tuple(dict.fromkeys(resolve(name) for name in actor.affiliations))
        for parent in parents[actor.slug]:
            members[parent].append(actor.slug)
    for loop in _loops(parents):
        problem = _loop_problem(config.root, loop, actors, keys)
        if len(loop) == 1:  # an actor part of itself: surely a slip
            problems.append(problem)
        else:  # most often a slip too, but an alliance and its leading party may be meant
            log.warning("%s", problem)
    if problems:
        raise ContentError(problems)
    if missing:
        _warn_of_misspellings(config.root, missing, articles, actors, keys)

    spellings: dict[str, str] = {}
    for actor in actors.values():
        for spelling in (actor.name, *actor.aliases):
            spellings[spelling] = actor.slug

    return SiteGraph(
        config=config,
        articles=tuple(articles),
        by_slug={a.slug: a for a in articles},
        actors=dict(sorted(actors.items())),
        tags=dict(sorted(tags.by_slug.items())),
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


class _Tags:
    """Tag pages by slug. Every spelling that gives one slug is one tag (U.S. and US, Café and
    Cafe, united-states in tags.yaml and United States in an article): a large archive holds
    many spellings of one subject, and a curator cannot be asked to make thousands of files
    agree. A page is named after its tags.yaml entry, or else the first spelling met. Two
    tags.yaml entries for one page are a problem: which description would it show?"""

    def __init__(self, root: Path, infos: Iterable[TagInfo], problems: list[Problem]) -> None:
        self.root = root
        self.by_slug: dict[str, Tag] = {}
        self._slug_of: dict[str, str] = {}  # each spelling met in articles -> its tag slug
        for info in infos:
            tag = Tag(slugify(info.name), info.name, info.description)
            known = self.by_slug.setdefault(tag.slug, tag)
            if known is not tag:
                problems.append(Problem(
                    TAGS_FILE, self._line(TAGS_FILE, tag.name),
                    f"tag '{tag.name}' would share the page {urls.tag_url(tag.slug)} with tag "
                    f"'{known.name}' ({TAGS_FILE}:{self._line(TAGS_FILE, known.name)})",
                    "describe each tag once in content/tags.yaml: a tag's page is named by "
                    "the letters and digits of its name"))

    def slug(self, spelling: str) -> str:
        """The slug of a tag as an article spells it."""
        slug = self._slug_of.get(spelling)
        if slug is None:  # once per spelling: a large archive repeats a few dozen
            slug = self._slug_of[spelling] = slugify(spelling)
            self.by_slug.setdefault(slug, Tag(slug, spelling, ""))
        return slug

    def _line(self, path: str, name: str) -> int:
        """Where tags.yaml gives the tag (looked for only to report a problem)."""
        return _line_in(self.root, path, rf"^[\"']?{re.escape(name)}[\"']?\s*:") or 1


def _loops(parents: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Each loop in the affiliations (a in b, b in c, c in a; or a in a), as the actors along it,
    starting with the first actor in the order of `parents`. A depth-first walk: linear in the
    number of actors and affiliations."""
    order = {slug: index for index, slug in enumerate(parents)}
    done: set[str] = set()
    loops: list[tuple[str, ...]] = []
    for start in parents:
        if start in done:
            continue
        path = [start]
        on_path = {start}
        todo = [iter(parents[start])]
        while todo:
            parent = next(todo[-1], None)
            if parent is None:
                todo.pop()
                done.add(path[-1])
                on_path.discard(path.pop())
            elif parent in on_path:
                loop = path[path.index(parent):]
                first = min(range(len(loop)), key=lambda i: order[loop[i]])
                loops.append(tuple(loop[first:] + loop[:first]))
            elif parent not in done and parent in parents:
                path.append(parent)
                on_path.add(parent)
                todo.append(iter(parents[parent]))
    return sorted(loops, key=lambda loop: order[loop[0]])


def _warn_of_misspellings(root: Path, missing: Iterable[str], articles: Iterable[Article],
                          actors: dict[str, Actor], keys: dict[str, str]) -> None:
    """A name that makes an actor of its own while spelt almost like an actor file's name or
    alias ("Kataib Hezbolah") is most often a typo: said once, where an article writes it.
    keys: every spelling's name_key, with its actor's slug."""
    spellings: defaultdict[str, list[tuple[str, Actor]]] = defaultdict(list)
    for key, slug in keys.items():
        if actors[slug].path is not None:
            spellings[key[:1]].append((key, actors[slug]))
    for name in missing:
        key = name_key(name)
        near = [(difflib.SequenceMatcher(None, key, other).ratio(), actor)
                for other, actor in spellings.get(key[:1], ())
                if abs(len(other) - len(key)) <= 3]
        if not near or max(ratio for ratio, _ in near) < _MISSPELT:
            continue
        actor = max(near, key=lambda pair: pair[0])[1]
        where = next(((a.path, field) for a in articles for field, names in (
            ("actors", a.actors), ("quotes", [q.speaker for q in a.quotes])) if name in names),
            None)
        place = f"{where[0]}:{_item_line(root, where[0], where[1], name)}: " if where else ""
        log.warning("%s'%s' makes an actor of its own, but is spelt almost like '%s' (%s): fix "
                    "the spelling, or add it to that file's aliases if it is the same actor",
                    place, name, actor.name, actor.path)


def _loop_problem(root: Path, loop: tuple[str, ...], actors: dict[str, Actor],
                  keys: dict[str, str]) -> Problem:
    """A loop in the affiliations, at the first of them, with where each one is written."""
    places: list[tuple[str, int, str]] = []  # (file, line, the affiliation as written)
    for index, slug in enumerate(loop):
        actor, parent = actors[slug], loop[(index + 1) % len(loop)]
        assert actor.path is not None  # only actor files have affiliations
        written = next(n for n in actor.affiliations if keys.get(name_key(n)) == parent)
        places.append((actor.path, _item_line(root, actor.path, "affiliations", written),
                       written))
    path, line, written = places[0]
    if len(loop) == 1:
        return Problem(path, line, f"'{actors[loop[0]].name}' lists itself among its "
                       f"affiliations, as '{written}'",
                       "remove it: an actor cannot be part of itself")
    chain = " → ".join(actors[slug].name for slug in (*loop, loop[0]))
    where = [f"{p}:{n}" for p, n, _ in places]
    return Problem(path, line, f"affiliations go round in a loop: {chain}",
                   f"they are at {', '.join(where[:-1])} and {where[-1]}; remove one of them "
                   "unless each is meant to be part of the other")


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
