"""What the last build made, and how much of it an edit leaves standing.

When only the bodies of some articles changed (and not their first paragraph, which listings
show), the site graph is the same: the last graph is kept with the new article records, and
the only pages to look at are those that show one of those bodies (all of them, if templates
changed too). Anything else is a full build (which still renders only the pages whose views
changed: see digest.cache).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from digest.bodies import BodyJob, make_job
from digest.graph import SiteGraph
from digest.load import Content
from digest.model import Article
from digest.views import summary_of


@dataclass(frozen=True)  # pickled into the build cache: not slotted (see digest.model)
class LastBuild:
    content: Content
    graph: SiteGraph
    jobs: dict[str, BodyJob]
    settings: str  # what the graph was made with: digest.yaml and the flags
    salt: str  # what the pages were rendered with: the settings and the templates
    page_bodies: dict[str, frozenset[str]]  # page -> articles whose body HTML it shows
    descriptions: dict[str, str]  # actor slug -> HtmlStore key of its description

    def updated(self, articles: Mapping[str, Article], jobs: Mapping[str, BodyJob],
                page_bodies: Mapping[str, frozenset[str]]) -> LastBuild:
        """This build with new records for some articles (by path; the rest of the graph the
        same), and some new body jobs and page entries (by slug and by page)."""
        content = replace(self.content, articles=tuple(
            articles.get(a.path, a) for a in self.content.articles))
        return replace(self, content=content, graph=with_articles(self.graph, articles),
                       jobs={**self.jobs, **jobs}, page_bodies={**self.page_bodies, **page_bodies})


def with_articles(graph: SiteGraph, articles: Mapping[str, Article]) -> SiteGraph:
    """The graph with these records (by path) in place of the articles it has; the rest of
    it as it was (so only changes that leave it standing, like body edits, may come here).
    Drafts that the graph leaves out stay out."""
    by_slug = dict(graph.by_slug)
    for article in articles.values():
        known = by_slug.get(article.slug)
        if known is not None and known.path == article.path:
            by_slug[article.slug] = article
    return replace(graph, articles=tuple(by_slug[a.slug] for a in graph.articles),
                   by_slug=by_slug)


@dataclass(frozen=True)
class BodyEdit:
    """The last build, brought up to date with new article bodies."""

    graph: SiteGraph
    jobs: dict[str, BodyJob]
    page_bodies: dict[str, frozenset[str]]
    touched: frozenset[str]  # slugs of the articles whose bodies changed
    same_templates: bool  # else every page must be looked at, though the graph stands
    descriptions: dict[str, str]  # actor slug -> HtmlStore key (actors did not change)

    def unchanged(self, page: str) -> bool:
        """True for a page of the last build that shows none of the changed bodies."""
        shown = self.page_bodies.get(page)
        return self.same_templates and shown is not None and not shown & self.touched

    def affected(self) -> set[str]:
        """The pages of the last build that show a changed body."""
        return {page for page, shown in self.page_bodies.items() if shown & self.touched}


def body_only_changes(old: Content, new: Content) -> dict[str, Article] | None:
    """The articles whose bodies alone changed, by path, or None if anything else did."""
    if old.tags != new.tags or len(old.actors) != len(new.actors) or any(
            a is not b and a != b for a, b in zip(old.actors, new.actors, strict=True)):
        return None
    if len(old.articles) != len(new.articles):
        return None
    changed = {}
    for before, after in zip(old.articles, new.articles, strict=True):
        if before is after:
            continue
        if replace(before, body_hash=after.body_hash, body_line=after.body_line,
                   lead=after.lead) != after:
            return None
        if summary_of(before) != summary_of(after):  # listings show the first paragraph
            return None
        changed[after.path] = after
    return changed


def as_body_edit(last: LastBuild | None, content: Content, settings: str,
                 salt: str) -> BodyEdit | None:
    """The last build updated for `content`, if only article bodies (or nothing) changed since
    in the content and settings; templates may have changed."""
    if last is None or last.settings != settings:
        return None
    changed = body_only_changes(last.content, content)
    if changed is None:
        return None
    graph = with_articles(last.graph, changed)
    touched = frozenset(a.slug for a in changed.values() if graph.by_slug.get(a.slug) is a)
    jobs = dict(last.jobs)
    for slug in touched:
        job = jobs[slug]
        jobs[slug] = make_job(job.path, graph.by_slug[slug].body_hash, job.spellings,
                              job.titles)
    return BodyEdit(graph, jobs, last.page_bodies, touched, last.salt == salt,
                    last.descriptions)

