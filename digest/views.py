"""View records handed to templates: plain data, every URL already decided.

Kept apart from the model so that templates never reach into the graph, and so that a page's
view is a value that can be compared between builds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from digest import urls
from digest.charts import MONTH_NAMES
from digest.graph import QuoteRef, Related, SiteGraph
from digest.model import Article

# View records are frozen but not slotted: pages are fingerprinted by pickling their views
# (digest.cache), and slotted dataclasses pickle through a slow Python-level __getstate__.


@dataclass(frozen=True)
class ActorRef:
    name: str
    url: str
    kind: str


@dataclass(frozen=True)
class TagRef:
    name: str
    url: str


@dataclass(frozen=True)
class DateView:
    iso: str  # RFC 3339, for <time datetime> and feeds
    text: str  # "3 December 2020"


@dataclass(frozen=True)
class ArticleCard:
    slug: str
    title: str
    url: str
    date: DateView
    source: str
    via: str
    dateline: str
    summary: str
    actors: tuple[ActorRef, ...]
    tags: tuple[TagRef, ...]
    language: str  # "" when the article is in the digest's language


@dataclass(frozen=True)
class RelatedCard:
    article: ArticleCard
    shared_actors: tuple[ActorRef, ...]
    shared_tags: tuple[TagRef, ...]


@dataclass(frozen=True)
class QuoteView:
    text: str
    speaker: ActorRef
    article_title: str
    article_url: str
    date: DateView
    language: str  # the article's, "" when the digest's


def date_view(moment: dt.datetime) -> DateView:
    text = f"{moment.day} {MONTH_NAMES[moment.month - 1]} {moment.year}"
    return DateView(moment.isoformat(), text)


def summary_of(article: Article) -> str:
    """The curator's summary, or else the body's first paragraph."""
    return article.summary or article.lead


class Views:
    """Builds view records from the graph, each at most once."""

    def __init__(self, graph: SiteGraph) -> None:
        self.graph = graph
        self._cards: dict[str, ArticleCard] = {}
        self._actor_refs: dict[str, ActorRef] = {}
        self._tag_refs: dict[str, TagRef] = {}

    def actor(self, slug: str) -> ActorRef:
        ref = self._actor_refs.get(slug)
        if ref is None:
            actor = self.graph.actors[slug]
            ref = ActorRef(actor.name, urls.actor_url(slug), actor.kind or "")
            self._actor_refs[slug] = ref
        return ref

    def tag(self, slug: str) -> TagRef:
        ref = self._tag_refs.get(slug)
        if ref is None:
            ref = self._tag_refs[slug] = TagRef(self.graph.tags[slug].name, urls.tag_url(slug))
        return ref

    def card(self, slug: str) -> ArticleCard:
        card = self._cards.get(slug)
        if card is None:
            article = self.graph.by_slug[slug]
            card = ArticleCard(
                slug=slug, title=article.title, url=urls.article_url(slug),
                date=date_view(article.date), source=article.source or "",
                via=article.via or "", dateline=article.dateline or "",
                summary=summary_of(article),
                actors=tuple(self.actor(a) for a in self.graph.article_actors[slug]),
                tags=tuple(self.tag(t) for t in self.graph.article_tags[slug]),
                language=article.language or "",
            )
            self._cards[slug] = card
        return card

    def related(self, related: Related) -> RelatedCard:
        return RelatedCard(self.card(related.slug),
                           tuple(self.actor(a) for a in related.shared_actors),
                           tuple(self.tag(t) for t in related.shared_tags))

    def quotes(self, refs: tuple[QuoteRef, ...]) -> tuple[QuoteView, ...]:
        views = []
        for ref in refs:
            article = self.graph.by_slug[ref.article]
            views.append(QuoteView(ref.quote.text, self.actor(ref.speaker), article.title,
                                   urls.article_url(article.slug), date_view(article.date),
                                   article.language or ""))
        return tuple(views)
