"""`digest build`: load the digest, resolve it into a graph, render every page, write the site."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from digest.config import CONFIG_FILE, Config, load_config
from digest.graph import SiteGraph, build_graph
from digest.load import load_content
from digest.markup import MarkdownRenderer, link_first_mentions
from digest.pages import plan_pages
from digest.render import make_environment, render_page
from digest.theme import theme_dir
from digest.write import check_output_dir, write_site

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BuildReport:
    pages: int  # files in the site
    written: tuple[str, ...]  # output paths written or changed by this build
    removed: tuple[str, ...]
    unchanged: int
    seconds: float
    actors_without_file: tuple[str, ...]


def static_files(config: Config) -> dict[str, Path]:
    """Theme static files, overridden file by file by the digest's own static/ folder."""
    found: dict[str, Path] = {}
    for folder in (theme_dir() / "static", config.static_dir):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    found["static/" + path.relative_to(folder).as_posix()] = path
    return found


def _body_renderer(graph: SiteGraph, renderer: MarkdownRenderer) -> dict[str, str]:
    base = graph.config.base_path
    bodies = {}
    for article in graph.articles:
        spellings: dict[str, str] = {}
        titles: dict[str, str] = {}
        for slug in graph.article_actors[article.slug]:
            actor = graph.actors[slug]
            url = base + f"actors/{slug}/"
            titles[url] = actor.name
            for spelling in (actor.name, *actor.aliases):
                spellings[spelling] = url
        bodies[article.slug] = link_first_mentions(
            renderer.to_html(article.body), spellings, titles)
    return bodies


class Builder:
    """Builds one digest folder into one output folder, as often as asked."""

    def __init__(self, root: Path, out: Path | None = None, *, drafts: bool = False,
                 base_url: str | None = None) -> None:
        self.root = root.resolve()
        self.out = (out or self.root / "site").resolve()
        self.drafts = drafts
        self.base_url = base_url
        self._renderer = MarkdownRenderer()

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

    def build(self, changed: Iterable[Path] | None = None) -> BuildReport:
        started = time.perf_counter()
        config = self._config()
        check_output_dir(self.out, self.root)
        content = load_content(config)
        graph = build_graph(config, content, drafts=self.drafts)
        bodies = _body_renderer(graph, self._renderer)
        descriptions = {slug: self._renderer.to_html(actor.body) if actor.body.strip() else ""
                        for slug, actor in graph.actors.items()}
        environment = make_environment(config)
        files: dict[str, bytes | None] = {}
        for page in plan_pages(graph, bodies.__getitem__, descriptions.__getitem__):
            files[page.path] = render_page(environment, page, self.root)
        for relative, path in static_files(config).items():
            files[relative] = path.read_bytes()
        files[".nojekyll"] = b""
        report = write_site(self.out, files)
        seconds = time.perf_counter() - started
        log.info("built %d files in %.2fs", len(files), seconds)
        return BuildReport(len(files), report.written, report.removed, report.unchanged,
                           seconds, graph.actors_without_file)
