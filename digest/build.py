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
from typing import TYPE_CHECKING, Any

from digest.cache import (
    BuildCache,
    code_version,
    content_hash,
    load_cache,
    read_stamp,
    save_cache,
    tree_signature,
    write_stamp,
)
from digest.config import CONFIG_FILE, Config, load_config
from digest.theme import theme_dir
from digest.write import SiteWriter, StagedFiles, check_output_dir

if TYPE_CHECKING:
    from digest.graph import SiteGraph
    from digest.pages import SitePlan

# (output path, page fingerprint, rendered, written): a page is rendered when its views changed,
# and written when that gave other bytes than the site has
PageResult = tuple[str, bytes, bool, bool]

log = logging.getLogger(__name__)

# Below these sizes, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 200  # Markdown bodies to convert
PARALLEL_PAGES = 3000  # pages in the site


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


class PageRenderer:
    """Renders pages whose views changed and stages them; the others are left alone."""

    def __init__(self, config: Config, plan: SitePlan, known: dict[str, bytes],
                 files: StagedFiles, root: Path) -> None:
        from digest.cache import PageFingerprints
        from digest.render import make_environment, template_dirs

        self.plan = plan
        self.known = known
        self.files = files
        self.root = root
        self.environment = make_environment(config)
        self.fingerprints = PageFingerprints(
            content_hash(tree_signature(template_dirs(config)), repr(config)))

    def render_share(self, index: int, count: int) -> list[PageResult]:
        """Every count-th page starting at index (so that workers split the site evenly)."""
        from digest.render import render_page

        results = []
        for position, page in enumerate(self.plan.pages()):
            if position % count != index:
                continue
            context = page.make_context()
            fingerprint = self.fingerprints.of(page.template, context)
            if self.known.get(page.path) == fingerprint:
                results.append((page.path, fingerprint, False, False))
            else:
                data = render_page(self.environment, page, context, self.root)
                results.append((page.path, fingerprint, True, self.files.put(page.path, data)))
        return results


def _render_in_workers(pages: PageRenderer, workers: int) -> list[PageResult]:
    """Render the site in forked worker processes, each taking every n-th page.

    Forking hands each worker the graph and views without copying or pickling them; only the
    small results (or the problems of a failed page) come back.
    """
    import multiprocessing

    from digest.errors import DigestError, TemplateError

    context = multiprocessing.get_context("fork")
    channels = []
    processes = []
    for index in range(workers):
        receiver, sender = context.Pipe(duplex=False)

        def work(index: int = index, sender: Any = sender) -> None:
            try:
                sender.send(("ok", pages.render_share(index, workers)))
            except DigestError as error:
                sender.send(("error", error.problems))
            except Exception as error:  # reported in the parent, never lost
                sender.send(("crash", repr(error)))
            finally:
                sender.close()

        process = context.Process(target=work, daemon=True)
        process.start()
        sender.close()
        channels.append(receiver)
        processes.append(process)
    results: list[PageResult] = []
    problems = []
    crashes = []
    for receiver, process in zip(channels, processes, strict=True):
        try:
            status, payload = receiver.recv()
        except EOFError:
            status, payload = "crash", f"worker exited with code {process.exitcode}"
        process.join()
        if status == "ok":
            results.extend(payload)
        elif status == "error":
            problems.extend(payload)
        else:
            crashes.append(payload)
    if problems:
        raise TemplateError(problems)
    if crashes:
        raise RuntimeError("; ".join(crashes))
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
        changed_paths = {self._relative(p) for p in changed or ()}
        stamp = f"{self._inputs()} {self._output_id()}"
        if self._cache is None and self.use_cache and not changed_paths:
            # A new process: if nothing changed since the last build, do not even load the cache.
            previous = read_stamp(self.root, self._cache_key).split("\n")
            if previous[0] == stamp and self.out.is_dir():
                missing = tuple(n for n in previous[2:] if n)
                return BuildReport(int(previous[1]), (), (), int(previous[1]),
                                   time.perf_counter() - started, missing, 0)
        if self._cache is None:
            self._cache = load_cache(self.root, self._cache_key) if self.use_cache else BuildCache()
        cache = self._cache
        if (not changed_paths and cache.inputs == stamp and cache.pages
                and self.out.is_dir()):
            files = len(cache.pages) + len(cache.static)
            return BuildReport(files, (), (), files, time.perf_counter() - started,
                               cache.actors_without_file, 0)
        cache.inputs = ""  # until this build succeeds
        report = self._build(config, cache, changed_paths, started)
        cache.output_id = self._output_id()
        cache.inputs = f"{stamp.split(' ', 1)[0]} {cache.output_id}"
        if self.use_cache:
            save_cache(self.root, self._cache_key, cache)
            write_stamp(self.root, self._cache_key, "\n".join(
                [cache.inputs, str(report.pages), *report.actors_without_file]))
        return report

    def _relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _build(self, config: Config, cache: BuildCache, changed: set[str],
               started: float) -> BuildReport:
        from digest.graph import build_graph
        from digest.load import load_content
        from digest.markup import MarkdownRenderer
        from digest.pages import SitePlan

        content = load_content(config, cache.parsed, changed)
        graph = build_graph(config, content, drafts=self.drafts)
        jobs = _body_jobs(graph)
        bodies = convert_bodies(jobs.values(), cache.bodies)
        cache.bodies = bodies  # only what this site uses, so the cache never grows stale
        renderer = MarkdownRenderer()
        descriptions = {slug: renderer.to_html(actor.body) if actor.body.strip() else ""
                        for slug, actor in graph.actors.items()}
        plan = SitePlan(graph, lambda slug: bodies[jobs[slug].key], descriptions.__getitem__)

        can_keep = cache.output_id == self._output_id() and self.out.is_dir()
        known = cache.pages if can_keep else {}
        writer = SiteWriter(self.out, set(cache.pages) | cache.static if can_keep else None)
        cache.pages = {}  # until the new site is in place, no page may be trusted
        try:
            pages = PageRenderer(config, plan, known, writer.files, self.root)
            page_count = sum(1 for _ in plan.pages())
            if page_count >= PARALLEL_PAGES and (os.cpu_count() or 1) > 1:
                results = _render_in_workers(pages, min(os.cpu_count() or 1, 4))
            else:
                results = pages.render_share(0, 1)
            for page_path, _fingerprint, _rendered, written in results:
                writer.record(page_path, written)
            for relative, source in static_files(config).items():
                writer.put(relative, source.read_bytes())
            writer.put(".nojekyll", b"")
        except BaseException:
            writer.abort()
            raise
        report = writer.commit()
        cache.pages = {path: fingerprint for path, fingerprint, _, _ in results}
        cache.static = {p for p in writer.paths if p not in cache.pages}
        cache.actors_without_file = graph.actors_without_file
        rendered = sum(1 for result in results if result[2])
        seconds = time.perf_counter() - started
        log.info("built %d files in %.2fs", len(writer.paths), seconds)
        return BuildReport(len(writer.paths), report.written, report.removed, report.unchanged,
                           seconds, graph.actors_without_file, rendered)
