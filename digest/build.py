"""`digest build`: load the digest, resolve it into a graph, render the pages, write the site.

A Builder remembers what it made (digest.cache), so a second build re-reads only changed
files, converts only changed Markdown and renders only pages whose view values changed.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from digest.cache import (
    BuildCache,
    code_version,
    content_hash,
    load_cache,
    read_stamp,
    save_cache,
    write_stamp,
)
from digest.config import CONFIG_FILE, Config, load_config
from digest.scan import Scan, scan, signature
from digest.theme import theme_dir
from digest.write import SiteWriter, StagedFiles, check_output_dir

if TYPE_CHECKING:
    import jinja2

    from digest.graph import SiteGraph
    from digest.load import Content
    from digest.pages import SitePlan



class PageResult(NamedTuple):
    path: str
    fingerprint: bytes
    rendered: bool  # its views changed, so its template ran
    written: bool  # rendering gave other bytes than the site had
    bodies: frozenset[str]  # the articles whose body HTML the page shows


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


class BodyHtml:
    """Body HTML by article slug, noting which bodies the page being made has asked for."""

    def __init__(self, bodies: dict[str, str], jobs: dict[str, BodyJob]) -> None:
        self.bodies = bodies
        self.jobs = jobs
        self.used: set[str] = set()

    def __call__(self, slug: str) -> str:
        self.used.add(slug)
        return self.bodies[self.jobs[slug].key]


class PageRenderer:
    """Renders pages whose views changed and stages them; the others are left alone."""

    def __init__(self, plan: SitePlan, body_html: BodyHtml, environment: jinja2.Environment,
                 salt: str, known: dict[str, bytes], files: StagedFiles, root: Path,
                 unchanged: Callable[[str], bool] = lambda path: False) -> None:
        from digest.cache import PageFingerprints

        self.plan = plan
        self.body_html = body_html
        self.environment = environment
        self.known = known
        self.files = files
        self.root = root
        self.unchanged = unchanged  # pages known unchanged without looking at their views
        self.fingerprints = PageFingerprints(salt)

    def render_share(self, index: int, count: int,
                     previous_bodies: dict[str, frozenset[str]] | None = None,
                     ) -> list[PageResult]:
        """Every count-th page starting at index (so that workers split the site evenly)."""
        from digest.render import render_page

        results = []
        for position, page in enumerate(self.plan.pages()):
            if position % count != index:
                continue
            if self.unchanged(page.path):
                bodies = previous_bodies[page.path] if previous_bodies else frozenset()
                results.append(PageResult(page.path, self.known[page.path], False, False, bodies))
                continue
            self.body_html.used = set()
            context = page.make_context()
            fingerprint = self.fingerprints.of(page.template, context)
            bodies = frozenset(self.body_html.used)
            if self.known.get(page.path) == fingerprint:
                results.append(PageResult(page.path, fingerprint, False, False, bodies))
            else:
                data = render_page(self.environment, page, context, self.root)
                results.append(PageResult(page.path, fingerprint, True,
                                          self.files.put(page.path, data), bodies))
        return results


@dataclass(frozen=True, slots=True)
class _Previous:
    """What a Builder made last time, kept in memory for the next build (digest serve)."""

    content: Content
    graph: SiteGraph
    jobs: dict[str, BodyJob]
    salt: str  # templates and settings
    page_bodies: dict[str, frozenset[str]]  # page -> articles whose body HTML it shows


def _body_only_changes(old: Content, new: Content) -> set[str] | None:
    """Paths of the articles whose bodies alone changed, or None if anything else did."""
    from digest.views import summary_of

    if old.tags != new.tags or len(old.actors) != len(new.actors) or any(
            a is not b and a != b for a, b in zip(old.actors, new.actors, strict=True)):
        return None
    if len(old.articles) != len(new.articles):
        return None
    changed = set()
    for before, after in zip(old.articles, new.articles, strict=True):
        if before is after:
            continue
        if replace(before, body=after.body, body_line=after.body_line) != after:
            return None
        if summary_of(before) != summary_of(after):  # listings show the first paragraph
            return None
        changed.add(after.path)
    return changed


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
                 base_url: str | None = None, use_cache: bool = True,
                 autosave: bool = True) -> None:
        """use_cache: read and keep .digest-cache/ (off: every build starts from nothing).
        autosave: write the cache after each build; a long-lived builder (digest serve) keeps
        it in memory instead and calls save() when it stops."""
        self.root = root.resolve()
        self.out = (out or self.root / "site").resolve()
        self.drafts = drafts
        self.base_url = base_url
        self.use_cache = use_cache
        self.autosave = autosave
        self._cache: BuildCache | None = None
        self._previous: _Previous | None = None
        self._last_pages = 0
        self._environment: tuple[str, jinja2.Environment] | None = None
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

    def _scan(self) -> Scan:
        """Every input file: content, templates, static files, settings, the default theme."""
        return scan(self.root, [self.root / "content", self.root / "templates",
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
        scanned = self._scan()
        stamp = f"{signature(scanned)} {self._output_id()}"
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
        report = self._build(config, cache, changed_paths, scanned, started)
        cache.output_id = self._output_id()
        cache.inputs = f"{stamp.split(' ', 1)[0]} {cache.output_id}"
        self._last_pages = report.pages
        if self.autosave:
            self.save()
        return report

    def save(self) -> None:
        """Write what this builder knows to .digest-cache/ for the next process."""
        cache = self._cache
        if not self.use_cache or cache is None or not cache.inputs:
            return
        save_cache(self.root, self._cache_key, cache)
        write_stamp(self.root, self._cache_key, "\n".join(
            [cache.inputs, str(self._last_pages), *cache.actors_without_file]))

    def _relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _build(self, config: Config, cache: BuildCache, changed: set[str], scanned: Scan,
               started: float) -> BuildReport:
        from digest.graph import build_graph
        from digest.load import load_content
        from digest.pages import SitePlan
        from digest.render import make_environment

        content = load_content(config, cache.parsed, changed, scanned)
        # every page depends on the templates (the digest's own and the theme's) and settings
        templates = {path: stamp for path, stamp in scanned.items()
                     if not path.startswith(("content/", "static/", CONFIG_FILE))}
        salt = content_hash(repr(templates), repr(config))
        can_keep = cache.output_id == self._output_id() and self.out.is_dir()
        previous = self._previous if can_keep and self._previous else None
        if previous is not None and previous.salt != salt:
            previous = None
        body_changes = _body_only_changes(previous.content, content) if previous else None
        if previous is not None and body_changes is not None:
            # Only article bodies changed: the graph stands; pages that show none of those
            # bodies are unchanged, and are not even looked at.
            by_path = {a.path: a for a in content.articles}
            articles = tuple(by_path[a.path] for a in previous.graph.articles)
            graph = replace(previous.graph, articles=articles,
                            by_slug={a.slug: a for a in articles})
            jobs = dict(previous.jobs)
            touched = {a.slug for a in articles if a.path in body_changes}
            for slug in touched:
                job = jobs[slug]
                body = graph.by_slug[slug].body
                jobs[slug] = BodyJob(content_hash(body, repr(job.spellings), repr(job.titles)),
                                     body, job.spellings, job.titles)
            page_bodies = previous.page_bodies
            known_paths = set(page_bodies)

            def unchanged(path: str) -> bool:
                return path in known_paths and not page_bodies[path] & touched
        else:
            graph = build_graph(config, content, drafts=self.drafts)
            jobs = _body_jobs(graph)
            page_bodies = {}

            def unchanged(path: str) -> bool:
                return False

        bodies = convert_bodies(jobs.values(), cache.bodies)
        descriptions = self._descriptions(graph, cache.bodies)
        cache.bodies = {**bodies, **descriptions}  # only what this site uses: never stale
        body_html = BodyHtml(bodies, jobs)
        plan = SitePlan(graph, body_html, lambda slug: descriptions[_description_key(
            graph.actors[slug].body)])
        if self._environment is None or self._environment[0] != salt:
            self._environment = (salt, make_environment(config))

        known = cache.pages if can_keep else {}
        writer = SiteWriter(self.out, set(cache.pages) | cache.static if can_keep else None)
        cache.pages = {}  # until the new site is in place, no page may be trusted
        self._previous = None
        try:
            pages = PageRenderer(plan, body_html, self._environment[1], salt, known,
                                 writer.files, self.root, unchanged)
            page_count = len(known) if page_bodies else sum(1 for _ in plan.pages())
            if page_count >= PARALLEL_PAGES and (os.cpu_count() or 1) > 1 and not page_bodies:
                results = _render_in_workers(pages, min(os.cpu_count() or 1, 4))
            else:
                results = pages.render_share(0, 1, page_bodies)
            for result in results:
                writer.record(result.path, result.written)
            for relative, source in static_files(config).items():
                writer.put(relative, source.read_bytes())
            writer.put(".nojekyll", b"")
        except BaseException:
            writer.abort()
            raise
        report = writer.commit()
        cache.pages = {result.path: result.fingerprint for result in results}
        cache.static = {p for p in writer.paths if p not in cache.pages}
        cache.actors_without_file = graph.actors_without_file
        self._previous = _Previous(content, graph, jobs, salt,
                                   {result.path: result.bodies for result in results})
        rendered = sum(1 for result in results if result.rendered)
        seconds = time.perf_counter() - started
        log.info("built %d files in %.2fs", len(writer.paths), seconds)
        return BuildReport(len(writer.paths), report.written, report.removed, report.unchanged,
                           seconds, graph.actors_without_file, rendered)

    def _descriptions(self, graph: SiteGraph, known: dict[str, str]) -> dict[str, str]:
        """Actor descriptions as HTML, by content hash, converted only when new."""
        from digest.markup import MarkdownRenderer

        renderer: MarkdownRenderer | None = None
        descriptions = {}
        for actor in graph.actors.values():
            key = _description_key(actor.body)
            if key in descriptions:
                continue
            if key in known:
                descriptions[key] = known[key]
            else:
                renderer = renderer or MarkdownRenderer()
                descriptions[key] = renderer.to_html(actor.body) if actor.body.strip() else ""
        return descriptions


def _description_key(markdown: str) -> str:
    return content_hash("actor description", markdown)
