"""`digest build`: load the digest, resolve it into a graph, render the pages, write the site.

A Builder remembers what it made (digest.cache), so a second build re-reads only changed
files, converts only changed Markdown and renders only pages whose view values changed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from digest.cache import BuildCache, code_version, compiled_templates, html_store
from digest.config import CONFIG_FILE, Config, load_config
from digest.hashes import content_hash
from digest.interrupts import held_interrupts
from digest.persist import (
    Saved,
    claim_site,
    load_cache,
    mark_site_changing,
    read_stamp,
    save_cache,
    save_site_records,
    site_records,
    site_writer,
)
from digest.scan import Scan, key_of, rescan, scan, signature
from digest.sitecheck import describe, differences, stamps, update
from digest.theme import theme_dir
from digest.workers import default_workers
from digest.write import SiteWriter, check_output_dir

if TYPE_CHECKING:
    import jinja2

    from digest.ahead import BodiesAhead
    from digest.bodies import BodyHtml, BodyJob
    from digest.cache import PageFingerprints
    from digest.graph import SiteGraph
    from digest.incremental import BodyEdit
    from digest.load import Content
    from digest.pages import SitePlan
    from digest.render import ParsedTemplates
    from digest.rendering import PageResult, Progress
    from digest.sitecheck import Records
    from digest.write import WriteReport

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class _Prepared:
    content: Content
    graph: SiteGraph
    jobs: dict[str, BodyJob]
    body_html: BodyHtml
    plan: SitePlan
    settings: str  # digest.yaml and the flags
    salt: str  # templates and settings
    can_keep: bool  # the site on disk is the one the cache describes
    edit: BodyEdit | None  # set when only article bodies changed since the last build
    html_keys: set[str]
    descriptions: dict[str, str]  # actor slug -> HtmlStore key


class Builder:
    """Builds one digest folder into one output folder, as often as asked."""

    def __init__(self, root: Path, out: Path | None = None, *, drafts: bool = False,
                 base_url: str | None = None, use_cache: bool = True,
                 autosave: bool = True, workers: int | None = None,
                 progress: Progress | None = None, trust_changes: bool = False) -> None:
        """use_cache: read and keep .digest-cache/ (off: every build starts from nothing).
        autosave: write the cache after each build; a long-lived builder (digest serve) keeps
        it in memory instead and calls save() when it stops.
        workers: processes a large build may fork (default: one a core, at most 4); a
        program with threads of its own (digest serve) should not fork, and passes 1.
        progress(what, done, total) hears how a long build goes (the CLI draws a line).
        trust_changes: a build told what changed looks only at those files, not at every input
        (for a caller that watches the files itself, as digest serve does)."""
        self.root = root.resolve()
        self.out = (out or self.root / "site").resolve()
        self.drafts = drafts
        self.base_url = base_url
        self.use_cache = use_cache
        self.autosave = autosave
        self.workers = workers if workers is not None else default_workers()
        self.progress: Progress = progress or (lambda what, done, total: None)
        self.trust_changes = trust_changes
        self._scanned: Scan | None = None  # the inputs as the last successful build saw them
        self._cache: BuildCache | None = None
        self._saved: Saved | None = None  # what .digest-cache/ holds, when it is the cache's past
        self._last_pages = 0
        self._environment: tuple[str, jinja2.Environment] | None = None
        self._parsed_templates: ParsedTemplates = {}  # kept for the next template edit
        # the site folder as this builder last saw it, and the token it claimed the folder with
        self._records: Records | None = None
        self._token = ""
        self._site_checked = False
        self._version = code_version()
        self._cache_key = content_hash(str(self.out), str(drafts), str(base_url))[:16]
        self._store = html_store(self.root, use_cache, self._version)

    @property
    def source_folders(self) -> tuple[Path, ...]:
        """The folders whose files make the site, whether they exist yet or not."""
        return (self.root / "content", self.root / "templates", self.root / "static")

    @property
    def source_files(self) -> tuple[Path, ...]:
        return (self.root / CONFIG_FILE,)

    @property
    def base_path(self) -> str:
        return self._config().base_path

    def _config(self) -> Config:
        return load_config(self.root, base_url=self.base_url)

    def _scan(self) -> Scan:
        """Every input file: content, templates, static files, settings, the default theme."""
        return scan(self.root, [*self.source_folders, *self.source_files, theme_dir()])

    def _scan_for(self, changed: Iterable[Path] | None) -> Scan:
        """The inputs now: for a builder told what changes (trust_changes), the last build's
        scan brought up to date for the files that changed; else a new scan of every input
        (at 10,000 articles, 55 ms of digest serve's 110 ms for a template edit's open page)."""
        if self.trust_changes and changed is not None and self._scanned is not None:
            scanned = rescan(self.root, self._scanned, changed)
            if scanned is not None:
                return scanned
        return self._scan()

    def _check_output_dir(self) -> None:
        check_output_dir(self.out, self.root, self.source_folders,
                         known=site_writer(self.root, self.out) != "")

    def _output_id(self) -> tuple[int, int, str]:
        """The site folder as the build cache knows it: which folder, and which build last
        changed it (see digest.persist.claim_site)."""
        try:
            stat = self.out.stat()
        except FileNotFoundError:
            return (0, 0, "")
        return (stat.st_dev, stat.st_ino, site_writer(self.root, self.out))

    def build(self, changed: Iterable[Path] | None = None) -> BuildReport:
        """Build the site. `changed` names files known to have changed (read them again even if
        their size and modification time look the same). Raises DigestError on bad input; the
        previous site is then left as it was."""
        started = time.perf_counter()
        config = self._config()
        self._check_output_dir()
        self._check_site()
        changed_paths = {self._relative(p) for p in changed or ()}
        scanned = self._scan_for(changed)
        inputs = f"{self._version} {signature(scanned)}"
        stamp = f"{inputs} {self._output_id()}"
        if self._cache is None and self.use_cache and not changed_paths:
            # A new process: if nothing changed since the last build, do not even load the cache.
            previous = read_stamp(self.root, self._cache_key).split("\n")
            if previous[0] == stamp and self.out.is_dir():
                missing = tuple(n for n in previous[2:] if n)
                return BuildReport(int(previous[1]), (), (), int(previous[1]),
                                   time.perf_counter() - started, missing, 0)
        cache = self._loaded_cache()
        if (not changed_paths and cache.inputs == stamp and cache.pages
                and self.out.is_dir()):
            files = len(cache.pages) + len(cache.static)
            return BuildReport(files, (), (), files, time.perf_counter() - started,
                               cache.actors_without_file, 0)
        cache.inputs = ""  # until this build succeeds
        self._scanned = None
        report = self._build(config, cache, changed_paths, scanned, started)
        self._scanned = scanned
        cache.output_id = self._output_id()
        cache.inputs = f"{inputs} {cache.output_id}"
        self._last_pages = report.pages
        if self.autosave:
            self.save()
        return report

    def _check_site(self) -> None:
        """If the site folder changed since digest last wrote it (see digest.sitecheck), say so,
        and take it as written by another build: with a new token (claim_site), no cache
        describes it, and this build renders every page again and puts back what differs.
        Before every build; only before the first of a builder told what changes (digest serve,
        whose own builds are the ones writing the folder meanwhile)."""
        if self.trust_changes and self._site_checked:
            return
        self._site_checked = True
        if not self.out.is_dir():  # nothing to check: this build writes every file
            return
        records = (self._records if self._token == site_writer(self.root, self.out)
                   else site_records(self.root, self.out))  # (saved by the last to save)
        changes = differences(self.out, records) if records else None
        if changes == []:
            self._records = records
            return
        if changes:
            log.warning("%s was changed since digest last wrote it (files changed or removed: "
                        "%s); this build restores it. To change the site, edit content/, "
                        "templates/ or static/: every build replaces what the site folder holds",
                        self.out, describe(changes))
        self._records = None
        claim_site(self.root, self.out)

    def _loaded_cache(self) -> BuildCache:
        if self._cache is None:
            self._cache, self._saved = (load_cache(self.root, self._cache_key, self._version)
                                        if self.use_cache else (BuildCache(), None))
        return self._cache

    def save(self) -> None:
        """Write what this builder knows to .digest-cache/ for the next process."""
        cache = self._cache
        if not self.use_cache or cache is None or not cache.inputs:
            return
        if self._token == site_writer(self.root, self.out):  # no other build wrote it since
            save_site_records(self.root, self.out, self._records)
        self._store.save(cache.html_keys)
        self._saved = save_cache(self.root, self._cache_key, self._version, cache, self._saved,
                                 "\n".join([cache.inputs, str(self._last_pages),
                                            *cache.actors_without_file]))

    def _commit(self, writer: SiteWriter, partial: bool = False) -> WriteReport:
        """Put the staged files in place. From now until the cache is saved, the saved cache no
        longer describes the site (see digest.persist); a Ctrl-C meanwhile waits until every
        file is in place, so that the site is all old or all new."""
        with held_interrupts():
            self._token = claim_site(self.root, self.out)
            save_site_records(self.root, self.out, None)  # until save() keeps the new ones
            if self.use_cache:
                mark_site_changing(self.root, self._cache_key)
            report = writer.commit(partial=partial)
            if not partial:
                self._records = stamps(self.out, writer.paths)
            elif self._records is not None:
                update(self._records, self.out, (*report.written, *report.removed))
            return report

    def _relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _prepare(self, config: Config, cache: BuildCache, changed: set[str],
                 scanned: Scan) -> _Prepared:
        """Everything up to rendering: content, graph, body HTML, the plan of pages."""
        with self._bodies_ahead(cache) as ahead:
            return self._prepare_with(config, cache, changed, scanned, ahead)

    def _bodies_ahead(self, cache: BuildCache) -> AbstractContextManager[BodiesAhead | None]:
        """Workers for load_content to read many files in, which go on to convert the bodies
        (see digest.ahead), but not those the last build's articles had; none for a builder
        that must not fork (digest serve's rebuilds)."""
        from digest.ahead import BodiesAhead
        from digest.model import Article

        if self.workers < 2:
            return nullcontext()
        known = frozenset(record.body_hash for _, _, record in cache.parsed.values()
                          if isinstance(record, Article))
        return BodiesAhead(self.root, self.workers, known)

    def _prepare_with(self, config: Config, cache: BuildCache, changed: set[str],
                      scanned: Scan, ahead: BodiesAhead | None) -> _Prepared:
        from digest.load import load_content, reload_content

        content = None
        if self.trust_changes and changed and cache.last is not None:
            content = reload_content(config, cache.last.content, cache.parsed, changed)
        if content is None:
            content = load_content(config, cache.parsed, changed, scanned, ahead)
        # imported only now, so that ahead's workers are not forked 25 ms later (mostly Jinja)
        from digest.bodies import BodyHtml, body_jobs, convert_bodies
        from digest.graph import build_graph
        from digest.incremental import as_body_edit
        from digest.pages import SitePlan
        from digest.render import compile_templates, make_environment
        from digest.rendering import PARALLEL_PAGES

        # every page depends on the templates (the digest's own and the theme's) and settings
        templates = {path: stamp for path, stamp in scanned.items()
                     if not path.startswith(("content/", "static/", CONFIG_FILE))}
        settings = content_hash(repr(config), str(self.drafts))
        salt = content_hash(repr(templates), settings)
        can_keep = cache.output_id == self._output_id() and self.out.is_dir()
        edit = as_body_edit(cache.last if can_keep else None, content, settings, salt)
        if edit is not None:
            graph, jobs = edit.graph, edit.jobs
        else:
            # the last graph is of no more use: let it go before the new one is made
            cache.last, self._saved = None, None
            graph = build_graph(config, content, drafts=self.drafts)
            jobs = body_jobs(graph)
        # What this process has to do itself comes before the bodies are converted: while
        # ahead's workers convert them, it would otherwise only wait.
        descriptions = edit.descriptions if edit is not None else self._descriptions(graph)
        if self._environment is None or self._environment[0] != salt:
            compiled = (compiled_templates(self.root, self._version, settings)
                        if self.use_cache else None)
            environment = make_environment(config, compiled)
            whole_site = edit is None or not edit.same_templates
            if self.workers > 1 and whole_site and len(graph.articles) >= PARALLEL_PAGES:
                compile_templates(environment)  # once here, not in each worker that renders
            self._environment = (salt, environment)
        if cache.template_salts[0] != salt:  # which templates each page depends on
            cache.template_salts = (salt, self._salts_by_template(config, self._environment[1],
                                                                  scanned, settings))
        if edit is not None:  # the other bodies are as the last build left them
            convert_bodies(self.root, [jobs[slug] for slug in edit.touched], self._store,
                           self.workers, ahead=ahead)
        else:
            convert_bodies(self.root, jobs.values(), self._store, self.workers, self.progress,
                           ahead)
        body_html = BodyHtml(self.root, self._store, jobs)
        plan = SitePlan(graph, body_html, lambda slug: self._store.get(descriptions[slug]))
        html_keys = {job.key for job in jobs.values()} | set(descriptions.values())
        return _Prepared(content, graph, jobs, body_html, plan, settings, salt, can_keep, edit,
                         html_keys, descriptions)

    def _build(self, config: Config, cache: BuildCache, changed: set[str], scanned: Scan,
               started: float) -> BuildReport:
        ready = self._prepare(config, cache, changed, scanned)
        from digest.incremental import LastBuild  # after the reading workers start (_prepare)
        from digest.rendering import PageRenderer, render_pages

        assert self._environment is not None
        if ready.edit is not None and ready.edit.same_templates and cache.last is not None:
            return self._build_body_edit(config, cache, ready, started)
        cache.html_keys = ready.html_keys
        self._saved = None  # a build of every page: the next save writes the whole cache
        known = cache.pages if ready.can_keep else {}
        writer = SiteWriter(self.out,
                            set(cache.pages) | cache.static if ready.can_keep else None)
        cache.pages, cache.last = {}, None  # until the new site is in place, trust nothing
        try:
            pages = PageRenderer(ready.plan, ready.body_html, self._environment[1],
                                 self._fingerprints(ready.salt), known, writer.files, self.root,
                                 ready.edit)
            results = render_pages(pages, self.workers, self.progress)
            for result in results:
                writer.record(result.path, result.written)
            for relative, source in static_files(config).items():
                writer.put(relative, source.read_bytes())
            writer.put(".nojekyll", b"")
        except BaseException:
            writer.abort()
            raise
        report = self._commit(writer)
        graph = ready.graph
        cache.pages = {result.path: result.fingerprint for result in results}
        cache.static = {p for p in writer.paths if p not in cache.pages}
        cache.actors_without_file = graph.actors_without_file
        cache.last = LastBuild(ready.content, graph, ready.jobs, ready.settings, ready.salt,
                               {result.path: result.bodies for result in results},
                               ready.descriptions)
        rendered = sum(1 for result in results if result.rendered)
        seconds = time.perf_counter() - started
        log.info("built %d files in %.2fs", len(writer.paths), seconds)
        return BuildReport(len(writer.paths), report.written, report.removed, report.unchanged,
                           seconds, graph.actors_without_file, rendered)

    def _build_body_edit(self, config: Config, cache: BuildCache, ready: _Prepared,
                         started: float) -> BuildReport:
        """Only article bodies changed: render the pages that show them, and nothing else (the
        graph, and so every other page, is as the last build left it)."""
        from digest.incremental import LastBuild

        assert ready.edit is not None and self._environment is not None
        affected = ready.edit.affected() | {page for page, mark in cache.pages.items()
                                            if not mark}  # written ahead by build_pages
        static = {*static_files(config), ".nojekyll"}
        results, report = self._write_pages(ready, affected, cache.pages, config,
                                            gone=cache.static - static)
        cache.static = static
        page_bodies = dict(ready.edit.page_bodies)
        for result in results:
            cache.pages[result.path] = result.fingerprint
            page_bodies[result.path] = result.bodies
        cache.html_keys = ready.html_keys
        cache.last = LastBuild(ready.content, ready.graph, ready.jobs, ready.settings,
                               ready.salt, page_bodies, ready.descriptions)
        files = len(cache.pages) + len(cache.static)
        return BuildReport(files, report.written, (), files - len(report.written),
                           time.perf_counter() - started, ready.graph.actors_without_file,
                           sum(1 for result in results if result.rendered))

    def build_pages(self, pages: Iterable[str], changed: Iterable[Path] | None = None,
                    ) -> BuildReport:
        """Render these output pages (paths in the site) now, ahead of a full build.

        `digest serve` calls it after a template or settings change, so that the page in the
        browser is new at once; build() then does the rest. Only these files are written,
        and the cache still describes the last full build: build() renders everything this
        left out. Raises DigestError like build()."""

        started = time.perf_counter()
        config = self._config()
        self._check_output_dir()
        if not self.out.is_dir():
            return self.build(changed)
        cache = self._loaded_cache()
        changed_paths = {self._relative(p) for p in changed or ()}
        try:
            ready = self._prepare(config, cache, changed_paths, self._scan_for(changed))
            # no fingerprints known: every page asked for is rendered; and the next build must
            # not take them for the last full build's pages (it renders pages marked b"" again)
            trusted = cache.output_id == self._output_id()
            results, report = self._write_pages(ready, set(pages), {}, None)
        except BaseException:
            # the changes it was told of may never be told again (the build that follows a
            # failure is told only of the fix): the next build looks at every input
            self._scanned = None
            raise
        if trusted:  # its own writing: the cache still describes every other page of the site
            cache.output_id = self._output_id()
        for result in results:
            if result.path in cache.pages:
                cache.pages[result.path] = b""
        return BuildReport(len(results), report.written, (), report.unchanged,
                           time.perf_counter() - started, ready.graph.actors_without_file,
                           len(results))

    def _write_pages(self, ready: _Prepared, paths: set[str], known: dict[str, bytes],
                     config: Config | None, gone: Iterable[str] = (),
                     ) -> tuple[list[PageResult], WriteReport]:
        """Render these pages (those whose fingerprint is not in `known`) and move them into
        the site, leaving every other file as it is but those `gone`; with a config, refresh
        static files too."""
        from digest.rendering import PageRenderer

        assert self._environment is not None
        writer = SiteWriter(self.out)
        try:
            renderer = PageRenderer(ready.plan, ready.body_html, self._environment[1],
                                    self._fingerprints(ready.salt), known, writer.files,
                                    self.root)
            results = renderer.render_paths(paths)
            if config is not None:
                for relative, source in static_files(config).items():
                    writer.put(relative, source.read_bytes())
            for relative in gone:
                writer.drop(relative)
        except BaseException:
            writer.abort()
            raise
        for result in results:
            writer.record(result.path, result.written)
        return results, self._commit(writer, partial=True)

    def _salts_by_template(self, config: Config, environment: jinja2.Environment,
                           scanned: Scan, settings: str) -> dict[str, str]:
        """What pages of each template depend on besides their views: the settings and the
        files of the templates it is made of (the digest's own and the theme's, so that adding
        or removing an override counts too). Templates that name others at render time are
        left out: their pages depend on every template (the overall salt)."""
        from digest.render import template_closures, template_dirs

        folders = template_dirs(config)
        salts = {}
        for name, closure in template_closures(environment, self.root,
                                               self._parsed_templates).items():
            if closure is not None:
                stamps = [(part, [scanned.get(key_of(self.root, folder / part))
                                  for folder in folders]) for part in sorted(closure)]
                salts[name] = content_hash(repr(stamps), settings)
        return salts

    def _fingerprints(self, salt: str) -> PageFingerprints:
        from digest.cache import PageFingerprints

        return PageFingerprints(salt, self._loaded_cache().template_salts[1])

    def _descriptions(self, graph: SiteGraph) -> dict[str, str]:
        """Actor slug -> the store key of its description's HTML, converted only when new."""
        from digest.markup import MarkdownRenderer

        keys = {slug: content_hash("actor description", actor.body)
                for slug, actor in graph.actors.items()}
        missing = self._store.missing(keys.values())
        if missing:
            renderer = MarkdownRenderer()
            for slug, key in keys.items():
                if key in missing:
                    body = graph.actors[slug].body
                    self._store.put(key, renderer.to_html(body) if body.strip() else "")
                    missing.discard(key)
        return keys
