"""`digest build`: load the digest, resolve it into a graph, render the pages, write the site.

A Builder remembers what it made (digest.cache), so a second build re-reads only changed
files, converts only changed Markdown and renders only pages whose view values changed.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from digest.cache import (
    BuildCache,
    code_version,
    content_hash,
    load_cache,
    save_cache,
    tree_signature,
)
from digest.config import CONFIG_FILE, Config, load_config
from digest.theme import theme_dir
from digest.write import check_output_dir, write_site

if TYPE_CHECKING:
    from digest.graph import SiteGraph

log = logging.getLogger(__name__)

# Below this many Markdown bodies to convert, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 200


@dataclass(frozen=True, slots=True)
class BuildReport:
    pages: int  # files in the site
    written: tuple[str, ...]  # output paths written or changed by this build
    removed: tuple[str, ...]
    unchanged: int
    seconds: float
    actors_without_file: tuple[str, ...]
    rendered: int = 0  # pages whose templates ran (the others were known to be unchanged)


def static_files(config: Config) -> dict[str, Path]:
    """Theme static files, overridden file by file by the digest's own static/ folder."""
    found: dict[str, Path] = {}
    for folder in (theme_dir() / "static", config.static_dir):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    found["static/" + path.relative_to(folder).as_posix()] = path
    return found


@dataclass(frozen=True, slots=True)
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


def _body_jobs(graph: SiteGraph) -> dict[str, BodyJob]:
    """One job per article: its Markdown and the actor links its first mentions get."""
    base = graph.config.base_path
    jobs = {}
    for article in graph.articles:
        spellings: dict[str, str] = {}
        titles: dict[str, str] = {}
        for slug in graph.article_actors[article.slug]:
            actor = graph.actors[slug]
            url = base + f"actors/{slug}/"
            titles[url] = actor.name
            for spelling in (actor.name, *actor.aliases):
                spellings.setdefault(spelling, url)
        spelling_items = tuple(sorted(spellings.items()))
        title_items = tuple(sorted(titles.items()))
        key = content_hash(article.body, repr(spelling_items), repr(title_items))
        jobs[article.slug] = BodyJob(key, article.body, spelling_items, title_items)
    return jobs


def convert_bodies(jobs: Iterable[BodyJob], known: dict[str, str]) -> dict[str, str]:
    """Body HTML by job key: from `known` where possible, else converted (in parallel if many)."""
    todo = {job.key: job for job in jobs if job.key not in known}
    results = {key: known[key] for key in (job.key for job in jobs) if key in known}
    pending = list(todo.values())
    workers = min(os.cpu_count() or 1, 4)
    if len(pending) >= PARALLEL_THRESHOLD and workers > 1:
        import multiprocessing

        chunks = [pending[i::workers * 4] for i in range(workers * 4)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for converted in pool.imap_unordered(_convert, chunks):
                results.update(converted)
    else:
        results.update(_convert(pending))
    return results


class Builder:
    """Builds one digest folder into one output folder, as often as asked."""

    def __init__(self, root: Path, out: Path | None = None, *, drafts: bool = False,
                 base_url: str | None = None, use_cache: bool = True) -> None:
        self.root = root.resolve()
        self.out = (out or self.root / "site").resolve()
        self.drafts = drafts
        self.base_url = base_url
        self.use_cache = use_cache
        self._cache: BuildCache | None = None
        self._cache_key = content_hash(code_version(), str(self.out), str(drafts),
                                       str(base_url))[:16]

    @property
    def watch_paths(self) -> tuple[Path, ...]:
        candidates = (self.root / "content", self.root / "templates", self.root / "static",
                      self.root / CONFIG_FILE)
        return tuple(p for p in candidates if p.exists())

    @property
    def base_path(self) -> str:
        return self._config().base_path

    def _config(self) -> Config:
        return load_config(self.root, base_url=self.base_url)

    def _inputs(self) -> str:
        return tree_signature([self.root / "content", self.root / "templates",
                               self.root / "static", self.root / CONFIG_FILE, theme_dir()])

    def _output_id(self) -> tuple[int, int]:
        try:
            stat = self.out.stat()
        except FileNotFoundError:
            return (0, 0)
        return (stat.st_dev, stat.st_ino)

    def build(self, changed: Iterable[Path] | None = None) -> BuildReport:
        """Build the site. `changed` names files known to have changed (read them again even if
        their size and modification time look the same). Raises DigestError on bad input; the
        previous site is then left as it was."""
        started = time.perf_counter()
        config = self._config()
        check_output_dir(self.out, self.root)
        if self._cache is None:
            self._cache = load_cache(self.root, self._cache_key) if self.use_cache else BuildCache()
        cache = self._cache
        inputs = self._inputs()
        changed_paths = {self._relative(p) for p in changed or ()}
        if (not changed_paths and cache.inputs == inputs and cache.pages
                and cache.output_id == self._output_id()):
            files = len(cache.pages) + len(cache.static)
            return BuildReport(files, (), (), files, time.perf_counter() - started,
                               cache.actors_without_file, 0)
        cache.inputs = ""  # until this build succeeds
        report = self._build(config, cache, changed_paths, started)
        cache.inputs = inputs
        cache.output_id = self._output_id()
        if self.use_cache:
            save_cache(self.root, self._cache_key, cache)
        return report

    def _relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _build(self, config: Config, cache: BuildCache, changed: set[str],
               started: float) -> BuildReport:
        from digest.cache import PageFingerprints
        from digest.graph import build_graph
        from digest.load import load_content
        from digest.markup import MarkdownRenderer
        from digest.pages import plan_pages
        from digest.render import make_environment, render_page, template_dirs

        content = load_content(config, cache.parsed, changed)
        graph = build_graph(config, content, drafts=self.drafts)
        jobs = _body_jobs(graph)
        bodies = convert_bodies(jobs.values(), cache.bodies)
        cache.bodies = bodies  # only what this site uses, so the cache never grows stale
        renderer = MarkdownRenderer()
        descriptions = {slug: renderer.to_html(actor.body) if actor.body.strip() else ""
                        for slug, actor in graph.actors.items()}

        environment = make_environment(config)
        fingerprints = PageFingerprints(
            content_hash(tree_signature(template_dirs(config)), repr(config)))
        can_keep = cache.output_id == self._output_id() and self.out.is_dir()
        files: dict[str, bytes | None] = {}
        page_prints: dict[str, bytes] = {}
        rendered = 0
        for page in plan_pages(graph, lambda slug: bodies[jobs[slug].key],
                               descriptions.__getitem__):
            fingerprint = fingerprints.of(page.template, page.context)
            page_prints[page.path] = fingerprint
            if can_keep and cache.pages.get(page.path) == fingerprint:
                files[page.path] = None
            else:
                files[page.path] = render_page(environment, page, self.root)
                rendered += 1
        for relative, path in static_files(config).items():
            files[relative] = path.read_bytes()
        files[".nojekyll"] = b""
        previous = set(cache.pages) | cache.static if can_keep else None
        cache.pages = {}  # if writing fails, nothing may be trusted
        report = write_site(self.out, files, previous)
        cache.pages = page_prints
        cache.static = {p for p in files if p not in page_prints}
        cache.actors_without_file = graph.actors_without_file
        seconds = time.perf_counter() - started
        log.info("built %d files (%d rendered) in %.2fs", len(files), rendered, seconds)
        return BuildReport(len(files), report.written, report.removed, report.unchanged,
                           seconds, graph.actors_without_file, rendered)
