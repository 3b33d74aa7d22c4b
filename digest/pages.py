"""Which pages the site has and what each one shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from digest import urls
from digest.charts import MONTH_NAMES, mentions_chart
from digest.graph import SiteGraph
from digest.render import PageSpec
from digest.views import ArticleCard, Views, date_view


@dataclass(frozen=True)  # not slotted: see digest.views
class Pagination:
    number: int
    count: int
    previous_url: str | None
    next_url: str | None


@dataclass(frozen=True)  # not slotted: see digest.views
class Month:
    year: int
    month: int
    name: str
    url: str
    count: int


@dataclass(frozen=True)  # not slotted: see digest.views
class FeedEntry:
    card: ArticleCard
    updated: str
    content_html: str


def plan_pages(graph: SiteGraph, body_html: Callable[[str], str],
               description_html: Callable[[str], str]) -> Iterator[PageSpec]:
    """Every page of the site, in a stable order.

    body_html(article slug) and description_html(actor slug) give the rendered Markdown.
    """
    views = Views(graph)
    config = graph.config
    yield from _home_pages(graph, views)
    months = _months(graph)
    for position, article in enumerate(graph.articles):
        slug = article.slug
        newer = graph.articles[position - 1].slug if position > 0 else None
        older = graph.articles[position + 1].slug if position + 1 < len(graph.articles) else None
        yield PageSpec(urls.output_path(urls.article_url(slug)), "article.html", {
            "article": views.card(slug),
            "body_html": body_html(slug),
            "source_url": article.source_url or "",
            "updated": date_view(article.updated) if article.updated else None,
            "quotes": views.quotes(graph.article_quotes[slug]),
            "related": tuple(views.related(r) for r in graph.related[slug]),
            "newer": views.card(newer) if newer else None,
            "older": views.card(older) if older else None,
        })
    for slug, actor in graph.actors.items():
        article_slugs = graph.actor_articles.get(slug, ())
        dates = [graph.by_slug[s].date for s in article_slugs]
        cards = tuple(views.card(s) for s in article_slugs)
        yield PageSpec(urls.output_path(urls.actor_url(slug)), "actor.html", {
            "actor": views.actor(slug),
            "aliases": actor.aliases,
            "has_file": actor.path is not None,
            "description_html": description_html(slug),
            "links": actor.links,
            "parents": tuple(views.actor(p) for p in graph.parents.get(slug, ())),
            "members": tuple(views.actor(m) for m in graph.members.get(slug, ())),
            "first_seen": date_view(min(dates)) if dates else None,
            "last_seen": date_view(max(dates)) if dates else None,
            "chart_svg": mentions_chart(dates),
            "timeline": cards,
            "quotes": views.quotes(graph.actor_quotes.get(slug, ())),
            "co_actors": tuple((views.actor(other), count)
                               for other, count in graph.co_actors.get(slug, ())),
            "feed_url": urls.actor_feed_url(slug),
        })
        yield _feed(urls.actor_feed_url(slug), f"{config.title}: {actor.name}",
                    urls.actor_url(slug), cards[:config.feed_items], graph, body_html)
    yield PageSpec(urls.output_path(urls.ACTORS_INDEX), "actors.html",
                   {"groups": _actor_groups(graph, views)})
    for slug, tag in graph.tags.items():
        yield PageSpec(urls.output_path(urls.tag_url(slug)), "tag.html", {
            "tag": views.tag(slug), "description": tag.description,
            "articles": tuple(views.card(s) for s in graph.tag_articles.get(slug, ())),
        })
    yield PageSpec(urls.output_path(urls.TAGS_INDEX), "tags.html", {
        "tags": tuple(sorted(((views.tag(s), len(graph.tag_articles.get(s, ())))
                              for s in graph.tags), key=lambda t: (-t[1], t[0].name.casefold()))),
    })
    for month, slugs in months.items():
        yield PageSpec(urls.output_path(month.url), "month.html", {
            "month": month, "articles": tuple(views.card(s) for s in slugs)})
    yield PageSpec(urls.output_path(urls.ARCHIVE_INDEX), "archive.html",
                   {"months": tuple(months)})
    latest = tuple(views.card(a.slug) for a in graph.articles[:config.feed_items])
    yield _feed(urls.FEED, config.title, "", latest, graph, body_html)
    yield PageSpec(urls.output_path(urls.SEARCH_PAGE), "search.html", {})
    yield PageSpec("search-index.json", "search-index.json", {
        "cards": tuple(views.card(a.slug) for a in graph.articles)})
    yield PageSpec("404.html", "404.html", {})
    yield PageSpec("robots.txt", "robots.txt", {})
    yield PageSpec("sitemap.xml", "sitemap.xml", {"pages": _sitemap_entries(graph)})


def _home_pages(graph: SiteGraph, views: Views) -> Iterator[PageSpec]:
    per_page = graph.config.per_page
    count = max(1, -(-len(graph.articles) // per_page))
    for number in range(1, count + 1):
        chunk = graph.articles[(number - 1) * per_page:number * per_page]
        yield PageSpec(urls.output_path(urls.home_page_url(number)), "index.html", {
            "articles": tuple(views.card(a.slug) for a in chunk),
            "pagination": Pagination(
                number, count,
                urls.home_page_url(number - 1) if number > 1 else None,
                urls.home_page_url(number + 1) if number < count else None),
        })


def _months(graph: SiteGraph) -> dict[Month, tuple[str, ...]]:
    grouped: defaultdict[tuple[int, int], list[str]] = defaultdict(list)
    for article in graph.articles:
        grouped[(article.date.year, article.date.month)].append(article.slug)
    return {
        Month(year, month, f"{MONTH_NAMES[month - 1]} {year}", urls.month_url(year, month),
              len(slugs)): tuple(slugs)
        for (year, month), slugs in sorted(grouped.items(), reverse=True)
    }


def _actor_groups(graph: SiteGraph, views: Views,
                  ) -> tuple[tuple[str, tuple[tuple[object, int], ...]], ...]:
    groups: defaultdict[str, list[tuple[object, int]]] = defaultdict(list)
    for slug, actor in graph.actors.items():
        groups[actor.kind or "unclassified"].append(
            (views.actor(slug), len(graph.actor_articles.get(slug, ()))))
    ordered = []
    for kind in sorted(groups, key=lambda k: (k == "unclassified", k.casefold())):
        members = sorted(groups[kind], key=lambda item: item[0].name.casefold())  # type: ignore[attr-defined]
        ordered.append((kind, tuple(members)))
    return tuple(ordered)


def _feed(path: str, title: str, alternate: str, cards: tuple[ArticleCard, ...],
          graph: SiteGraph, body_html: Callable[[str], str]) -> PageSpec:
    entries = []
    for card in cards:
        article = graph.by_slug[card.slug]
        updated = (article.updated or article.date).isoformat()
        entries.append(FeedEntry(card, updated, body_html(card.slug)))
    newest = max((e.updated for e in entries), default="1970-01-01T00:00:00+00:00")
    return PageSpec(path, "feed.xml", {"feed_title": title, "feed_path": path,
                                       "alternate": alternate, "updated": newest,
                                       "entries": tuple(entries)})


def _sitemap_entries(graph: SiteGraph) -> tuple[tuple[str, str], ...]:
    entries = [("", graph.articles[0].date.date().isoformat() if graph.articles else "")]
    entries += [(urls.article_url(a.slug), (a.updated or a.date).date().isoformat())
                for a in graph.articles]
    entries += [(urls.actor_url(s), "") for s in graph.actors]
    entries += [(urls.tag_url(s), "") for s in graph.tags]
    entries += [(urls.ACTORS_INDEX, ""), (urls.TAGS_INDEX, ""), (urls.ARCHIVE_INDEX, "")]
    return tuple(entries)
