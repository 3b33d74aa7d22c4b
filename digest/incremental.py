"""What the last build made, and how much of it an edit leaves standing.

When only the bodies of some articles changed (and not their first paragraph, which listings
show), the site graph is the same: the last graph is kept with the new article records, and
the only pages to look at are those that show one of those bodies (all of them, if templates
changed too). Anything else is a full build (which still renders only the pages whose views
changed: see digest.cache).
"""

from __future__ import annotations

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
    by_slug = dict(last.graph.by_slug)
    touched = frozenset(a.slug for a in changed.values() if a.slug in by_slug)  # not drafts
    for slug in touched:
        by_slug[slug] = changed[by_slug[slug].path]
    graph = replace(last.graph, articles=tuple(by_slug[a.slug] for a in last.graph.articles),
                    by_slug=by_slug)
    jobs = dict(last.jobs)
    for slug in touched:
        job = jobs[slug]
        jobs[slug] = make_job(job.path, graph.by_slug[slug].body_hash, job.spellings,
                              job.titles)
    return BodyEdit(graph, jobs, last.page_bodies, touched, last.salt == salt,
                    last.descriptions)

