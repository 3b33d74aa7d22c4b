"""Article bodies: Markdown to HTML with first-mention actor links, each converted once.

A body's HTML depends on its Markdown and on the actor links it may get; both go into the job's
key, so converted HTML can be reused from the cache for as long as neither changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from digest import urls
from digest.cache import HtmlStore, content_hash
from digest.graph import SiteGraph

# Below this many bodies to convert, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 200


@dataclass(frozen=True)  # pickled into the build cache: not slotted (see digest.model)
class BodyJob:
    key: str
    markdown: str
    spellings: tuple[tuple[str, str], ...]  # spelling -> actor URL
    titles: tuple[tuple[str, str], ...]  # actor URL -> name


def _convert(jobs: list[BodyJob]) -> list[tuple[str, str]]:
    from digest.markup import MarkdownRenderer, link_first_mentions

    renderer = MarkdownRenderer()
    return [(job.key, link_first_mentions(renderer.to_html(job.markdown), dict(job.spellings),
                                          dict(job.titles))) for job in jobs]


def body_jobs(graph: SiteGraph) -> dict[str, BodyJob]:
    """One job per article: its Markdown and the actor links its first mentions get."""
    base = graph.config.base_path
    jobs = {}
    for article in graph.articles:
        spellings: dict[str, str] = {}
        titles: dict[str, str] = {}
        for slug in graph.article_actors[article.slug]:
            actor = graph.actors[slug]
            url = base + urls.actor_url(slug)
            titles[url] = actor.name
            for spelling in (actor.name, *actor.aliases):
                spellings.setdefault(spelling, url)
        jobs[article.slug] = make_job(article.body, tuple(sorted(spellings.items())),
                                      tuple(sorted(titles.items())))
    return jobs


def make_job(markdown: str, spellings: tuple[tuple[str, str], ...],
             titles: tuple[tuple[str, str], ...]) -> BodyJob:
    return BodyJob(content_hash(markdown, repr(spellings), repr(titles)), markdown, spellings,
                   titles)


def convert_bodies(jobs: Iterable[BodyJob], store: HtmlStore, workers: int,
                   progress: Callable[[str, int, int], None] = lambda *_: None) -> None:
    """Convert the jobs whose HTML the store lacks (in up to `workers` forked processes when
    there are many). progress(what, done, total) is called as chunks finish."""
    by_key = {job.key: job for job in jobs}
    pending = [by_key[key] for key in sorted(store.missing(by_key))]
    if len(pending) >= PARALLEL_THRESHOLD and workers > 1:
        import multiprocessing

        chunks = [pending[i::workers * 8] for i in range(workers * 8)]
        done = 0
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for converted in pool.imap_unordered(_convert, chunks):
                for key, html in converted:
                    store.put(key, html)
                store.flush()
                done += len(converted)
                progress("converting Markdown", done, len(pending))
    else:
        for key, html in _convert(pending):
            store.put(key, html)


class BodyHtml:
    """Body HTML by article slug, noting which bodies the page being made has asked for."""

    def __init__(self, store: HtmlStore, jobs: dict[str, BodyJob]) -> None:
        self.store = store
        self.jobs = jobs
        self.used: set[str] = set()

    def __call__(self, slug: str) -> str:
        self.used.add(slug)
        job = self.jobs[slug]
        try:
            return self.store.get(job.key)
        except KeyError:  # the store lost it (its file deleted under a running serve, say)
            ((key, html),) = _convert([job])
            self.store.put(key, html)
            return html
