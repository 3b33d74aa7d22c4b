"""Article bodies: Markdown to HTML with first-mention actor links, each converted once.

A body's HTML depends on its Markdown and on the actor links it may get; both go into the job's
key, so converted HTML can be reused from the cache for as long as neither changes. The
Markdown is not kept in memory: a job names the file, and the body is read again when (and
only when) it has to be converted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from digest import urls
from digest.cache import HtmlStore
from digest.errors import ContentError, Problem
from digest.frontmatter import body_of
from digest.graph import SiteGraph
from digest.hashes import content_hash

if TYPE_CHECKING:
    from digest.ahead import BodiesAhead

# Below this many bodies to convert, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 200


@dataclass(frozen=True)  # pickled into the build cache: not slotted (see digest.model)
class BodyJob:
    key: str
    path: str  # the article file, relative to the digest root
    body_hash: str  # of the body the build loaded (digest.model.Article.body_hash)
    spellings: tuple[tuple[str, str], ...]  # spelling -> actor URL
    titles: tuple[tuple[str, str], ...]  # actor URL -> name


def read_body(root: Path, job: BodyJob) -> str:
    """The job's Markdown, read from its file. Raises ContentError if the file no longer holds
    the body the build loaded (it was edited during the build): converting it would store
    HTML under the wrong key."""
    problem = Problem(job.path, None, "the file changed while the site was being built",
                      "build again")
    body = body_of(root, job.path)
    if body is None or content_hash(body) != job.body_hash:
        raise ContentError([problem])
    return body


def _convert(root: Path, jobs: list[BodyJob]) -> list[tuple[str, str]]:
    from digest.markup import MarkdownRenderer, link_first_mentions

    renderer = MarkdownRenderer()
    return [(job.key, link_first_mentions(renderer.to_html(read_body(root, job)),
                                          dict(job.spellings), dict(job.titles)))
            for job in jobs]


def _convert_chunk(task: tuple[Path, list[BodyJob]]) -> list[tuple[str, str]]:
    return _convert(*task)


def body_jobs(graph: SiteGraph) -> dict[str, BodyJob]:
    """One job per article: its body and the actor links its first mentions get."""
    base = graph.config.base_path
    # an actor's (spelling, URL) and (URL, name) pairs, made once and shared by every job
    # that names the actor: a large archive has far fewer actors than mentions
    pairs: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, str]]] = {}
    jobs = {}
    for article in graph.articles:
        spellings: dict[str, tuple[str, str]] = {}
        titles: list[tuple[str, str]] = []
        for slug in graph.article_actors[article.slug]:
            known = pairs.get(slug)
            if known is None:
                actor = graph.actors[slug]
                url = base + urls.actor_url(slug)
                known = pairs[slug] = (tuple((s, url) for s in (actor.name, *actor.aliases)),
                                       (url, actor.name))
            titles.append(known[1])
            for pair in known[0]:
                spellings.setdefault(pair[0], pair)
        jobs[article.slug] = make_job(article.path, article.body_hash,
                                      tuple(sorted(spellings.values())), tuple(sorted(titles)))
    return jobs


def make_job(path: str, body_hash: str, spellings: tuple[tuple[str, str], ...],
             titles: tuple[tuple[str, str], ...]) -> BodyJob:
    return BodyJob(content_hash(body_hash, repr(spellings), repr(titles)), path, body_hash,
                   spellings, titles)


def convert_bodies(root: Path, jobs: Iterable[BodyJob], store: HtmlStore, workers: int,
                   progress: Callable[[str, int, int], None] = lambda *_: None,
                   ahead: BodiesAhead | None = None) -> None:
    """Convert the jobs whose HTML the store lacks (in up to `workers` forked processes when
    there are many), first taking what ahead's workers have converted. progress(what, done,
    total) is called as chunks finish."""
    by_key = {job.key: job for job in jobs}
    pending = [by_key[key] for key in sorted(store.missing(by_key))]
    if ahead is not None and pending:
        total, left = len(pending), []
        for job, html in ahead.take(pending, lambda done: progress("converting Markdown",
                                                                    min(done, total), total)):
            if html is None:
                left.append(job)
            else:
                store.put(job.key, html)
        store.flush()
        pending = left
    if len(pending) >= PARALLEL_THRESHOLD and workers > 1:
        from digest.workers import worker_pool

        chunks = [(root, pending[i::workers * 8]) for i in range(workers * 8)]
        done = 0
        with worker_pool(workers) as pool:
            for converted in pool.imap_unordered(_convert_chunk, chunks):
                for key, html in converted:
                    store.put(key, html)
                store.flush()
                done += len(converted)
                progress("converting Markdown", done, len(pending))
    else:
        for key, html in _convert(root, pending):
            store.put(key, html)


class Body(str):
    """An article's body HTML that knows its job's key, which decides the HTML (the body and
    its actor links; the store belongs to one version of the code): a page fingerprint takes
    the key instead of digesting the whole text (digest.cache.PageFingerprints)."""

    key: str

    def __new__(cls, html: str, key: str) -> Body:
        body = super().__new__(cls, html)
        body.key = key
        return body


class BodyHtml:
    """Body HTML by article slug, noting which bodies the page being made has asked for."""

    def __init__(self, root: Path, store: HtmlStore, jobs: dict[str, BodyJob]) -> None:
        self.root = root
        self.store = store
        self.jobs = jobs
        self.used: set[str] = set()

    def __call__(self, slug: str) -> Body:
        self.used.add(slug)
        job = self.jobs[slug]
        try:
            return Body(self.store.get(job.key), job.key)
        except KeyError:  # the store lost it (its file deleted under a running serve, say)
            ((key, html),) = _convert(self.root, [job])
            self.store.put(key, html)
            return Body(html, key)
