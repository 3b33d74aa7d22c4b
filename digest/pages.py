"""Which pages the site has and what each one shows."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urljoin

from digest import urls
from digest.charts import MONTH_NAMES, mentions_chart
from digest.graph import SiteGraph
from digest.model import Article, name_key
from digest.render import PageSpec
from digest.views import ActorRef, ArticleCard, TagRef, Views, date_view

Context = Mapping[str, Any]


@dataclass(frozen=True)  # not slotted: see digest.views
class Pagination:
    number: int
    count: int
    previous_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    name: str
    url: str
    count: int


@dataclass(frozen=True)
class FeedEntry:
    card: ArticleCard
    updated: str
    content_html: str


@dataclass(frozen=True)
class Counted:
    """An actor or tag with the number of articles naming it."""

    item: ActorRef | TagRef
    count: int


class SitePlan:
    """Every page of the site. Each page's view values are made only when asked for.

    body_html(article slug) and description_html(actor slug) give the rendered Markdown.
    """

    def __init__(self, graph: SiteGraph, body_html: Callable[[str], str],
                 description_html: Callable[[str], str]) -> None:
        self.graph = graph
        self.views = Views(graph)
        self.body_html = body_html
        self.description_html = description_html
        self._months: dict[Month, tuple[str, ...]] | None = None

    def pages(self) -> Iterator[PageSpec]:
        graph = self.graph
        # the few pages that list the whole site (search index, sitemap) first: a worker that
        # drew one of them at the end would keep the other waiting (see digest.rendering)
        yield from self._other_pages()
        yield self._page(urls.ACTORS_INDEX, "actors.html", self._actors_index)
        yield self._page(urls.TAGS_INDEX, "tags.html", self._tags_index)
        yield from self._home_pages()
        for position, article in enumerate(graph.articles):
            yield self._article_page(article.slug, position)
        for slug in graph.actors:
            yield from self._actor_pages(slug)
        for slug in graph.tags:
            yield self._tag_page(slug)

    def pages_at(self, paths: Iterable[str]) -> list[PageSpec]:
        """The pages at these output paths, in no set order. Article, actor and tag pages are
        found by their slug, without making the specs of the thousands of others (a one-page
        edit in digest serve must not walk the whole site)."""
        found: list[PageSpec] = []
        rest: set[str] = set()
        articles: set[str] = set()
        graph = self.graph
        for path in paths:
            folder, _, tail = path.partition("/")
            slug, _, name = tail.partition("/")
            if folder == "articles" and name == "index.html" and slug in graph.by_slug:
                articles.add(slug)
                continue
            elif folder == "actors" and name in ("index.html", "feed.xml") and (
                    slug in graph.actors):
                found.extend(p for p in self._actor_pages(slug) if p.path == path)
                continue
            elif folder == "tags" and name == "index.html" and slug in graph.tags:
                found.append(self._tag_page(slug))
                continue
            rest.add(path)
        if articles:  # an article page needs its place in the site, for previous and next
            found.extend(self._article_page(article.slug, position)
                         for position, article in enumerate(graph.articles)
                         if article.slug in articles)
        for page in self._rest_pages() if rest else ():
            if page.path in rest:
                found.append(page)
                rest.discard(page.path)
                if not rest:
                    break
        return found

    def _home_pages(self) -> Iterator[PageSpec]:
        count = max(1, -(-len(self.graph.articles) // self.graph.config.per_page))
        for number in range(1, count + 1):
            yield self._page(urls.home_page_url(number), "index.html", self._home, number, count)

    def _article_page(self, slug: str, position: int) -> PageSpec:
        return self._page(urls.article_url(slug), "article.html", self._article, position)

    def _actor_pages(self, slug: str) -> Iterator[PageSpec]:
        yield self._page(urls.actor_url(slug), "actor.html", self._actor, slug)
        # A feed with no entries would need an invented <updated>: an actor gets its feed
        # with the first article naming it.
        if slug in self.graph.actor_articles:
            yield PageSpec(urls.actor_feed_url(slug), "feed.xml", partial(self._actor_feed, slug))

    def _tag_page(self, slug: str) -> PageSpec:
        return self._page(urls.tag_url(slug), "tag.html", self._tag, slug)

    def _rest_pages(self) -> Iterator[PageSpec]:
        """The pages that are not one article's, actor's or tag's."""
        yield from self._home_pages()
        yield self._page(urls.ACTORS_INDEX, "actors.html", self._actors_index)
        yield self._page(urls.TAGS_INDEX, "tags.html", self._tags_index)
        yield from self._other_pages()

    def _other_pages(self) -> Iterator[PageSpec]:
        yield self._page(urls.ARCHIVE_INDEX, "archive.html", lambda: {"months": self.months()})
        yield PageSpec(urls.FEED, "feed.xml", self._site_feed)
        yield self._page(urls.SEARCH_PAGE, "search.html", dict)
        yield PageSpec("search-index.json", "search-index.json", self._search_index)
        yield PageSpec("404.html", "404.html", dict)
        yield PageSpec("robots.txt", "robots.txt", dict)
        yield PageSpec("sitemap.xml", "sitemap.xml", lambda: {"pages": self._sitemap()})
        for month in self.months():
            yield self._page(month.url, "month.html", self._month, month)

    @staticmethod
    def _page(url: str, template: str, make: Callable[..., Context], *args: Any) -> PageSpec:
        return PageSpec(urls.output_path(url), template,
                        partial(_with_address, url, partial(make, *args)))

    def months(self) -> tuple[Month, ...]:
        if self._months is None:
            grouped: defaultdict[tuple[int, int], list[str]] = defaultdict(list)
            for article in self.graph.articles:
                grouped[(article.date.year, article.date.month)].append(article.slug)
            self._months = {
                Month(year, month, f"{MONTH_NAMES[month - 1]} {year}",
                      urls.month_url(year, month), len(slugs)): tuple(slugs)
                for (year, month), slugs in sorted(grouped.items(), reverse=True)
            }
        return tuple(self._months)

    def _home(self, number: int, count: int) -> Context:
        per_page = self.graph.config.per_page
        chunk = self.graph.articles[(number - 1) * per_page:number * per_page]
        return {
            "articles": tuple(self.views.card(a.slug) for a in chunk),
            "pagination": Pagination(
                number, count,
                urls.home_page_url(number - 1) if number > 1 else None,
                urls.home_page_url(number + 1) if number < count else None),
        }

    def _article(self, position: int) -> Context:
        graph, views = self.graph, self.views
        article = graph.articles[position]
        slug = article.slug
        newer = graph.articles[position - 1].slug if position > 0 else None
        older = graph.articles[position + 1].slug if position + 1 < len(graph.articles) else None
        return {
            "article": views.card(slug),
            "body_html": self.body_html(slug),
            "source_url": article.source_url or "",
            "updated": date_view(article.updated) if article.updated else None,
            "quotes": views.quotes(graph.article_quotes[slug]),
            "related": tuple(views.related(r) for r in graph.related[slug]),
            "newer": views.card(newer) if newer else None,
            "older": views.card(older) if older else None,
        }

    def _actor(self, slug: str) -> Context:
        graph, views = self.graph, self.views
        actor = graph.actors[slug]
        article_slugs = graph.actor_articles.get(slug, ())
        dates = [graph.by_slug[s].date for s in article_slugs]
        return {
            "actor": views.actor(slug),
            "aliases": actor.aliases,
            "has_file": actor.path is not None,
            "description_html": self.description_html(slug),
            "links": actor.links,
            "parents": tuple(views.actor(p) for p in graph.parents.get(slug, ())),
            "members": tuple(views.actor(m) for m in graph.members.get(slug, ())),
            "first_seen": date_view(min(dates)) if dates else None,
            "last_seen": date_view(max(dates)) if dates else None,
            "chart_svg": mentions_chart(dates),
            "timeline": tuple(views.card(s) for s in article_slugs),
            "quotes": views.quotes(graph.actor_quotes.get(slug, ())),
            "co_actors": tuple(Counted(views.actor(other), count)
                               for other, count in graph.co_actors.get(slug, ())),
            "feed_url": urls.actor_feed_url(slug),
            "has_feed": bool(article_slugs),
        }

    def _actor_feed(self, slug: str) -> Context:
        limit = self.graph.config.feed_items
        article_slugs = self.graph.actor_articles.get(slug, ())[:limit]
        # Actor feeds carry summaries, the site feed whole articles: thousands of actor feeds
        # with full text would make most of the site's size, and repeat the site feed.
        return self._feed(urls.actor_feed_url(slug),
                          f"{self.graph.config.title}: {self.graph.actors[slug].name}",
                          urls.actor_url(slug), article_slugs, full_text=False)

    def _site_feed(self) -> Context:
        latest = [a.slug for a in self.graph.articles[:self.graph.config.feed_items]]
        return self._feed(urls.FEED, self.graph.config.title, "", latest, full_text=True)

    def _feed(self, path: str, title: str, alternate: str, article_slugs: Sequence[str],
              full_text: bool) -> Context:
        entries = []
        changes = [_changed(self.graph.by_slug[slug]) for slug in article_slugs]
        base_url = self.graph.config.base_url
        for slug, changed in zip(article_slugs, changes, strict=True):
            card = self.views.card(slug)
            content = _absolute_links(self.body_html(slug), base_url + card.url) if (
                full_text) else ""
            entries.append(FeedEntry(card, changed.isoformat(), content))
        # compared as times: as text, 10:00+05:00 would come after 08:00+00:00
        newest = max(changes, default=_EPOCH).isoformat()
        return {"feed_title": title, "feed_path": path, "alternate": alternate,
                "updated": newest, "entries": tuple(entries)}

    def _actors_index(self) -> Context:
        # Kinds are grouped as names are compared ('Person' and 'person  ' are one kind),
        # under the spelling most of their actors use.
        groups: defaultdict[str, list[Counted]] = defaultdict(list)
        spellings: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for slug, actor in self.graph.actors.items():
            kind = " ".join((actor.kind or "unclassified").split())
            groups[name_key(kind)].append(
                Counted(self.views.actor(slug), len(self.graph.actor_articles.get(slug, ()))))
            spellings[name_key(kind)][kind] += 1
        ordered = sorted(groups, key=lambda key: (key == "unclassified", key))
        return {"groups": tuple(
            (min(spellings[key], key=lambda k: (-spellings[key][k], k)),
             tuple(sorted(groups[key], key=lambda c: c.item.name.casefold())))
            for key in ordered)}

    def _tag(self, slug: str) -> Context:
        return {"tag": self.views.tag(slug), "description": self.graph.tags[slug].description,
                "articles": tuple(self.views.card(s)
                                  for s in self.graph.tag_articles.get(slug, ()))}

    def _tags_index(self) -> Context:
        counted = [Counted(self.views.tag(slug), len(self.graph.tag_articles.get(slug, ())))
                   for slug in self.graph.tags]
        return {"tags": tuple(sorted(counted, key=lambda c: (-c.count, c.item.name.casefold())))}

    def _month(self, month: Month) -> Context:
        assert self._months is not None
        return {"month": month,
                "articles": tuple(self.views.card(s) for s in self._months[month])}

    def _search_index(self) -> Context:
        """Every article's card; every actor, so that a reader looking for one by any of its
        names finds its page (also before an article names it); and each actor's aliases
        once: repeated on every card, an actor named in thousands of articles would swell the
        index that every search downloads."""
        graph = self.graph
        aliases = {actor.name: actor.aliases for actor in graph.actors.values() if actor.aliases}
        actors = [Counted(self.views.actor(slug), len(graph.actor_articles.get(slug, ())))
                  for slug in graph.actors]
        return {"cards": tuple(self.views.card(a.slug) for a in graph.articles),
                "actors": tuple(sorted(actors, key=lambda c: (c.item.name.casefold(),
                                                              c.item.url))),
                "aliases": dict(sorted(aliases.items()))}

    def _sitemap(self) -> tuple[tuple[str, str], ...]:
        graph = self.graph
        entries = [("", _lastmod(graph.articles[0].date) if graph.articles else "")]
        entries += [(urls.article_url(a.slug), _lastmod(_changed(a))) for a in graph.articles]
        entries += [(urls.actor_url(s), "") for s in graph.actors]
        entries += [(urls.tag_url(s), "") for s in graph.tags]
        entries += [(urls.ACTORS_INDEX, ""), (urls.TAGS_INDEX, ""), (urls.ARCHIVE_INDEX, "")]
        entries += [(month.url, "") for month in self.months()]
        return tuple(entries)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # the <updated> of a feed with no entries


# A start tag in body HTML, and one attribute of it: the sanitiser writes every attribute as
# name="value" (no quote inside a value), and '<' in text as &lt;, so these find exactly the
# tags and their attributes, never text that looks like one (a code sample of a link).
_START_TAG = re.compile(r'<[a-zA-Z][^\s/>]*(?:\s+[^\s"\'=/>]+="[^"]*")*\s*/?>')
_ATTRIBUTE = re.compile(r'(\s)([^\s"\'=/>]+)="([^"]*)"')


def _absolute_links(body_html: str, page_url: str) -> str:
    """Body HTML with every link and image address made full, as it resolves on the article's
    page: a feed reader shows the body away from that page (the feed's xml:base is the site's,
    and some readers ignore xml:base), where '../other/' or '/digest/actors/x/' lead nowhere."""
    def attribute(match: re.Match[str]) -> str:
        space, name, value = match.groups()
        if name.lower() not in ("href", "src"):
            return match.group(0)
        return f'{space}{name}="{html.escape(urljoin(page_url, html.unescape(value)))}"'

    return _START_TAG.sub(lambda tag: _ATTRIBUTE.sub(attribute, tag.group(0)), body_html)


def _with_address(url: str, make: Callable[[], Context]) -> Context:
    """A page's view values and its own address, which its canonical link and Open Graph
    tags give: what a link shared from a page shows, wherever it was copied from."""
    return {**make(), "page_url": url}


def _changed(article: Article) -> dt.datetime:
    return article.updated or article.date


def _lastmod(moment: dt.datetime) -> str:
    """A sitemap date: the day alone when the file gave only a day (midnight UTC), else the
    time with its offset (the day alone would be the day in that offset, not in UTC)."""
    if moment.utcoffset() == dt.timedelta(0) and moment.time() == dt.time(0):
        return moment.date().isoformat()
    return moment.isoformat()
