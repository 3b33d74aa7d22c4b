"""Caches only save work: a cached build writes exactly the bytes a fresh one does."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from digest.build import Builder

GHAANI = "content/articles/2020-12-03-ghaani-in-baghdad.md"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


EDITS: dict[str, Callable[[Path], None]] = {
    "article body": lambda r: edit(r, GHAANI, "met allies in Baghdad.",
                                   "met allies in Baghdad on Tuesday."),
    "later paragraph": lambda r: edit(r, GHAANI, "avoid provoking tensions.",
                                      "avoid provoking new tensions."),
    "article title": lambda r: edit(r, GHAANI, "title: Ghaani asks allies in Baghdad for calm",
                                    "title: Ghaani urges calm in Baghdad"),
    "article actors": lambda r: edit(r, GHAANI, "actors: [Esmail Ghaani, Qods Force, "
                                     "Kataib Hezbollah]", "actors: [Esmail Ghaani, Iran]"),
    "article date": lambda r: edit(r, GHAANI, "date: 2020-12-03", "date: 2021-06-03"),
    "new article": lambda r: append(r, "content/articles/2021-07-01-new.md",
                                    "---\ntitle: New one\ndate: 2021-07-01\nactors: [IRGC]\n"
                                    "tags: [iraq]\n---\nThe IRGC said something new.\n"),
    "deleted article": lambda r: (r / "content/articles/2021-03-05-unrelated.md").unlink(),
    "actor alias": lambda r: edit(r, "content/actors/quds-force.md", "Quds Corps",
                                  "Quds Corps, Sepah Qods"),
    "actor name": lambda r: edit(r, "content/actors/iran.md", "name: Iran",
                                 "name: Islamic Republic of Iran"),
    "actor affiliation": lambda r: edit(r, "content/actors/esmail-ghaani.md",
                                        "affiliations: [Quds Force]",
                                        "affiliations: [Quds Force, Iran]"),
    "tags file": lambda r: append(r, "content/tags.yaml", "economy: Money and markets.\n"),
    "template": lambda r: edit(r, "templates/article.html", "Related articles",
                               "Related reading"),
    "config": lambda r: edit(r, "digest.yaml", "title: Fixture Digest", "title: Renamed Digest"),
    "base url": lambda r: edit(r, "digest.yaml", "base_url: https://example.org/digest/",
                               "base_url: https://news.example.org/"),
    "stylesheet": lambda r: append(r, "static/style.css", "body { color: red; }\n"),
    "new static file": lambda r: append(r, "static/img/logo.svg", "<svg></svg>\n"),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_cached_build_after_an_edit_equals_a_fresh_build(digest_root: Path, tmp_path: Path,
                                                         name: str) -> None:
    from digest.theme import theme_dir

    (digest_root / "templates").mkdir()
    shutil.copy(theme_dir() / "article.html", digest_root / "templates/article.html")
    builder = Builder(digest_root, tmp_path / "cached")
    builder.build()
    EDITS[name](digest_root)
    builder.build()  # the same Builder, its cache in memory
    Builder(digest_root, tmp_path / "from-disk").build()  # a new process: the cache on disk
    shutil.rmtree(digest_root / ".digest-cache")
    Builder(digest_root, tmp_path / "fresh", use_cache=False).build()
    fresh = tree(tmp_path / "fresh")
    assert tree(tmp_path / "cached") == fresh
    assert tree(tmp_path / "from-disk") == fresh


def stamps_of(root: Path) -> dict[Path, tuple[int, int]]:
    """Each file's time and size, as a watcher would notice them change."""
    return {path: (path.stat().st_mtime_ns, path.stat().st_size)
            for path in root.rglob("*") if path.is_file() and ".digest-cache" not in path.parts}


@pytest.mark.parametrize("name", list(EDITS))
def test_a_build_told_what_changed_equals_a_fresh_build(digest_root: Path, tmp_path: Path,
                                                        name: str) -> None:
    # digest serve's builder looks only at the files its watcher names
    from digest.theme import theme_dir

    (digest_root / "templates").mkdir()
    shutil.copy(theme_dir() / "article.html", digest_root / "templates/article.html")
    builder = Builder(digest_root, tmp_path / "preview", trust_changes=True)
    builder.build()
    before = stamps_of(digest_root)
    EDITS[name](digest_root)
    after = stamps_of(digest_root)
    changed = [path for path in before.keys() | after.keys() if before.get(path) != after.get(path)]
    assert changed
    builder.build(changed=changed)
    Builder(digest_root, tmp_path / "fresh", use_cache=False).build()
    assert tree(tmp_path / "preview") == tree(tmp_path / "fresh")


def test_a_build_for_another_address_uses_templates_compiled_for_its_own(
        digest_root: Path, tmp_path: Path) -> None:
    """Compiling a template works out `'static/style.css'|url` once, with the site's address:
    the preview and a build with --base-url must not share compiled templates."""
    from digest.cache import COMPILED_KEPT

    Builder(digest_root, tmp_path / "pages", base_url="https://news.example.org/").build()
    Builder(digest_root, tmp_path / "local").build()
    Builder(digest_root, tmp_path / "fresh", use_cache=False).build()
    assert tree(tmp_path / "local") == tree(tmp_path / "fresh")
    assert 'href="/digest/static/style.css"' in (tmp_path / "local/index.html").read_text()
    assert 'href="/static/style.css"' in (tmp_path / "pages/index.html").read_text()
    for number in range(COMPILED_KEPT + 2):  # old settings' templates do not pile up
        Builder(digest_root, tmp_path / f"site-{number}",
                base_url=f"https://example.org/{number}/").build()
    compiled = digest_root / ".digest-cache" / "templates"
    assert len([p for p in compiled.iterdir()]) == COMPILED_KEPT


@pytest.mark.parametrize("one_builder", [True, False], ids=["serve session", "build commands"])
def test_a_series_of_edits_matches_fresh_builds(digest_root: Path, tmp_path: Path,
                                                one_builder: bool) -> None:
    # `digest serve` keeps one Builder; each `digest build` starts from the cache on disk
    session = Builder(digest_root, tmp_path / "session")
    session.build()
    for step, name in enumerate(["later paragraph", "article title", "later paragraph",
                                 "new static file", "later paragraph", "deleted static file",
                                 "new static file", "new article", "deleted static file",
                                 "actor alias", "deleted article"]):
        if name == "later paragraph" and step:
            text = (digest_root / GHAANI).read_text(encoding="utf-8")
            (digest_root / GHAANI).write_text(re.sub(r"new tensions[^.]*\.",
                                                     f"new tensions ({step}).", text),
                                              encoding="utf-8")
        elif name == "deleted static file":
            (digest_root / "static/img/logo.svg").unlink()
        else:
            EDITS[name](digest_root)
        (session if one_builder else Builder(digest_root, tmp_path / "session")).build()
        fresh = tmp_path / f"fresh-{step}"
        Builder(digest_root, fresh, use_cache=False).build()
        assert tree(tmp_path / "session") == tree(fresh), name


@pytest.mark.parametrize("other", [{"drafts": True}, {"base_url": "https://example.org/pr-7/"},
                                   {"use_cache": False}], ids=["drafts", "base url", "no cache"])
def test_a_build_after_another_kind_of_build_into_the_same_folder_is_right(
        digest_root: Path, tmp_path: Path, other: dict[str, Any]) -> None:
    """Each kind of build keeps its own cache, but they share the site folder: a draft
    previewed with --drafts must not stay on the site the next plain build publishes."""
    site = tmp_path / "site"
    fresh_builds = iter(range(100))

    def fresh(**mode: Any) -> dict[str, bytes]:
        folder = tmp_path / f"fresh-{next(fresh_builds)}"
        Builder(digest_root, folder, **{**mode, "use_cache": False}).build()
        return tree(folder)

    Builder(digest_root, site).build()
    original = (digest_root / GHAANI).read_text(encoding="utf-8")
    EDITS["later paragraph"](digest_root)
    Builder(digest_root, site, **other).build()
    assert tree(site) == fresh(**other)
    (digest_root / GHAANI).write_text(original, encoding="utf-8")  # the edit taken back
    Builder(digest_root, site).build()
    assert tree(site) == fresh()
    Builder(digest_root, site, **other).build()  # nothing changed since its last build
    assert tree(site) == fresh(**other)
    Builder(digest_root, site).build()
    assert tree(site) == fresh()


def test_a_file_that_becomes_a_folder_and_back_is_moved_in_right(digest_root: Path,
                                                                  tmp_path: Path) -> None:
    """A later build moves only changed files in, each to its own place: where a file stood
    a folder may now go (a static file replaced by a folder of them), and the other way."""
    static = digest_root / "static"
    static.mkdir()
    (static / "logo").write_text("a file")
    builder = Builder(digest_root, tmp_path / "site")
    builder.build()
    (static / "logo").unlink()
    (static / "logo").mkdir()
    (static / "logo" / "dark.svg").write_text("<svg/>")
    builder.build()
    Builder(digest_root, tmp_path / "fresh", use_cache=False).build()
    assert tree(tmp_path / "site") == tree(tmp_path / "fresh")
    assert (tmp_path / "site/static/logo/dark.svg").read_text() == "<svg/>"
    shutil.rmtree(static / "logo")
    (static / "logo").write_text("a file again")
    Builder(digest_root, tmp_path / "site").build()
    assert (tmp_path / "site/static/logo").read_text() == "a file again"
    assert not (tmp_path / ".site.new").exists()


def test_nothing_changed_rewrites_nothing(digest_root: Path) -> None:
    Builder(digest_root).build()
    stamps = {p: p.stat().st_mtime_ns for p in (digest_root / "site").rglob("*")}
    report = Builder(digest_root).build()
    assert report.written == () and report.rendered == 0
    assert {p: p.stat().st_mtime_ns for p in (digest_root / "site").rglob("*")} == stamps


def test_a_body_edit_renders_only_the_pages_that_show_the_body(digest_root: Path) -> None:
    builder = Builder(digest_root)
    builder.build()
    site = digest_root / "site"
    home = (site / "index.html").stat()
    edit(digest_root, GHAANI, "avoid provoking tensions.", "avoid provoking new tensions.")
    report = builder.build()
    # the article itself and the site feed carry the body; the summary (the first paragraph)
    # did not change, so no listing and no actor feed changes
    assert set(report.written) == {"articles/2020-12-03-ghaani-in-baghdad/index.html",
                                   "feed.xml"}
    assert report.rendered == 2
    after = (site / "index.html").stat()  # untouched: the same file, not a new copy
    assert (after.st_ino, after.st_mtime_ns) == (home.st_ino, home.st_mtime_ns)


HAND_EDITS: dict[str, Callable[[Path], None]] = {
    "a folder of pages deleted": lambda site: shutil.rmtree(site / "actors/quds-force"),
    "a page deleted": lambda site: (site / "feed.xml").unlink(),
    "a page edited": lambda site: (site / "index.html").write_text("edited by hand"),
    "a static file edited": lambda site: (site / "static/style.css").write_text("p {}"),
}
BUILDS_AFTER: dict[str, Callable[[Builder, Path], Builder]] = {
    "a new process": lambda builder, root: Builder(root),
    "the same builder": lambda builder, root: builder,
    "a body edit": lambda builder, root: (EDITS["later paragraph"](root), builder)[1],
    "digest serve's first": lambda builder, root: Builder(root, trust_changes=True),
}


@pytest.mark.parametrize("after", list(BUILDS_AFTER))
@pytest.mark.parametrize("hand_edit", list(HAND_EDITS))
def test_a_site_changed_by_hand_is_put_right_by_the_next_build(
        digest_root: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, hand_edit: str,
        after: str) -> None:
    """A cached build takes the site folder to be as digest last left it only while its files
    have the sizes and times that build recorded: a change by hand is undone though no input
    changed, and the build says what it found."""
    builder = Builder(digest_root)
    builder.build()
    HAND_EDITS[hand_edit](digest_root / "site")
    BUILDS_AFTER[after](builder, digest_root).build()
    Builder(digest_root, tmp_path / "fresh", use_cache=False).build()
    assert tree(digest_root / "site") == tree(tmp_path / "fresh")
    assert "site was changed since digest last wrote it" in caplog.text
    again = Builder(digest_root).build()  # and trusted again
    assert again.written == () and again.rendered == 0


def test_the_warning_names_what_was_changed_by_hand(digest_root: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    Builder(digest_root).build()
    site = digest_root / "site"
    (site / "index.html").write_text("edited by hand")
    (site / "sitemap.xml").unlink()
    Builder(digest_root).build()
    assert "(files changed or removed: index.html, sitemap.xml); this build restores it" \
        in caplog.text
    shutil.rmtree(site / "actors")
    Builder(digest_root).build()
    assert "(files changed or removed: actors/esmail-ghaani/feed.xml, " \
        "actors/esmail-ghaani/index.html, actors/index.html and " in caplog.text


def test_digest_serve_looks_at_the_site_folder_once_when_it_starts(
        digest_root: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Only the first build of a builder told what changes compares the folder with its record:
    the preview's rebuilds write the folder themselves, and a stat call on each of its files
    would cost a rebuild 0.05 s at 10,000 articles. Also when that first build made the
    folder."""
    builder = Builder(digest_root, tmp_path / "preview", trust_changes=True)
    builder.build()
    (tmp_path / "preview/sitemap.xml").unlink()
    EDITS["later paragraph"](digest_root)
    builder.build(changed=[digest_root / GHAANI])
    assert not (tmp_path / "preview/sitemap.xml").exists()
    assert "changed since digest last wrote it" not in caplog.text


def test_a_file_added_to_the_site_by_hand_stays_until_a_build_without_the_cache(
        digest_root: Path) -> None:
    """Not looked for: it changes none of digest's pages, and desktops leave files of their own
    in the folders a person opens (.DS_Store), which should not make every build start over."""
    Builder(digest_root).build()
    added = digest_root / "site/articles/.DS_Store"
    added.write_bytes(b"a desktop's file")
    assert Builder(digest_root).build().rendered == 0 and added.exists()
    Builder(digest_root, use_cache=False).build()
    assert not added.exists()


def test_a_site_without_a_record_of_it_is_looked_at_whole(digest_root: Path) -> None:
    """No record of the site folder (or one that cannot be read): every page is rendered and
    compared with the folder, and only what differs is written."""
    Builder(digest_root).build()
    (digest_root / "site/index.html").write_text("edited by hand")
    records = next((digest_root / ".digest-cache").glob("site-*.files"))
    records.write_bytes(b"not a pickle")
    report = Builder(digest_root).build()
    assert report.written == ("index.html",) and report.rendered > 1
    records.unlink()
    (digest_root / "site/sitemap.xml").unlink()
    report = Builder(digest_root).build()
    assert report.written == ("sitemap.xml",)


def test_an_edit_shows_even_when_size_and_time_look_unchanged(digest_root: Path) -> None:
    builder = Builder(digest_root)
    builder.build()
    path = digest_root / GHAANI
    before = path.stat()
    edit(digest_root, GHAANI, "met allies", "saw allies")  # same length
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    builder.build(changed=[path])
    page = digest_root / "site/articles/2020-12-03-ghaani-in-baghdad/index.html"
    assert "saw allies" in page.read_text(encoding="utf-8")


def test_compiled_templates_that_cannot_be_kept_only_cost_time(
        digest_root: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The folder of compiled templates gone under a running build (removed by another build's
    tidying, say): the templates are compiled and used all the same, and a warning says so."""
    from digest.config import load_config
    from digest.render import make_environment

    environment = make_environment(load_config(digest_root), tmp_path / "gone")
    assert "<html" in environment.get_template("base.html").render()
    assert "could not keep a compiled template" in caplog.text


def test_a_build_with_nowhere_to_keep_compiled_templates_still_builds(
        digest_root: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (digest_root / ".digest-cache").mkdir()
    (digest_root / ".digest-cache" / "templates").write_text("a file where a folder should be")
    Builder(digest_root).build()
    Builder(digest_root, tmp_path / "fresh", use_cache=False).build()
    assert tree(digest_root / "site") == tree(tmp_path / "fresh")
    assert "not keeping compiled templates" in caplog.text


def test_a_damaged_cache_is_ignored(digest_root: Path) -> None:
    Builder(digest_root).build()
    for path in (digest_root / ".digest-cache").glob("*.*"):
        if path.suffix in (".pickle", ".sqlite"):
            path.write_bytes(b"not a pickle, not a database")
    EDITS["article title"](digest_root)
    Builder(digest_root).build()
    Builder(digest_root, digest_root.parent / "fresh", use_cache=False).build()
    assert tree(digest_root / "site") == tree(digest_root.parent / "fresh")


def test_worker_processes_write_the_same_site(digest_root: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.bodies
    import digest.load
    import digest.rendering

    Builder(digest_root, tmp_path / "serial", use_cache=False, workers=1).build()
    monkeypatch.setattr(digest.rendering, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(digest.bodies, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(digest.load, "PARALLEL_READ", 1)
    Builder(digest_root, tmp_path / "parallel", use_cache=False, workers=2).build()
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")
    EDITS["article title"](digest_root)  # and a rebuild through the workers keeps pages
    report = Builder(digest_root, tmp_path / "parallel", workers=2).build()
    assert 0 < report.rendered < report.pages


@pytest.mark.parametrize("chunk", [1, 5])
def test_workers_share_out_the_pages_each_page_once(digest_root: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    chunk: int) -> None:
    import digest.rendering

    monkeypatch.setattr(digest.rendering, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(digest.rendering, "CHUNK", chunk)
    made: list[list[str]] = []
    original = digest.rendering.render_pages

    def recording(*args: Any) -> list[Any]:
        results = original(*args)
        made.append([result.path for result in results])
        return results

    monkeypatch.setattr(digest.rendering, "render_pages", recording)
    Builder(digest_root, tmp_path / "serial", use_cache=False, workers=1).build()
    Builder(digest_root, tmp_path / "three", use_cache=False, workers=3).build()
    serial, three = made
    assert len(set(serial)) == len(serial) > 20
    assert three == sorted(serial)  # workers' results come sorted by path
    assert tree(tmp_path / "three") == tree(tmp_path / "serial")


def test_a_first_build_renders_its_share_beside_one_worker_fewer(
        digest_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With two processes to use, a build with no earlier one in memory forks one worker to
    render pages and renders the others itself, and its progress counts every page once, both
    processes' pages. A build that loaded the last one's cache leaves rendering to two workers
    (rendering on top of that cache would raise its peak memory)."""
    import digest.rendering
    from digest.rendering import PageRenderer

    monkeypatch.setattr(digest.rendering, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(digest.rendering, "CHUNK", 1)
    log = tmp_path / "renderers"
    original = PageRenderer.render_claimed

    def recording(self: PageRenderer, *args: Any) -> list[Any]:
        results = original(self, *args)
        with log.open("a") as handle:  # a forked worker's memory is its own: a file is not
            handle.write(f"{os.getpid()} {len(results)}\n")
        return results

    def renderers() -> dict[str, str]:
        found = dict(line.split() for line in log.read_text().splitlines())
        log.unlink()
        return found

    monkeypatch.setattr(PageRenderer, "render_claimed", recording)
    counts: list[tuple[int, int]] = []
    report = Builder(digest_root, workers=2,
                     progress=lambda what, done, total: counts.append((done, total))
                     if what == "rendering pages" else None).build()
    first = renderers()
    assert len(first) == 2 and str(os.getpid()) in first
    pages = report.rendered  # every page (no cache yet: none is known unchanged)
    assert pages > 20 and sum(int(done) for done in first.values()) == pages
    assert counts[-1] == (pages, pages)
    assert [done for done, _ in counts] == sorted(done for done, _ in counts)

    EDITS["article title"](digest_root)
    Builder(digest_root, workers=2).build()
    later = renderers()
    assert len(later) == 2 and str(os.getpid()) not in later


def test_files_read_in_workers_give_the_same_content_and_problems(
        digest_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.load
    from digest.ahead import BodiesAhead
    from digest.config import load_config
    from digest.errors import ContentError

    config = load_config(digest_root)
    serial = digest.load.load_content(config)
    monkeypatch.setattr(digest.load, "PARALLEL_READ", 1)
    with BodiesAhead(digest_root, 2) as ahead:
        assert digest.load.load_content(config, ahead=ahead) == serial
    edit(digest_root, GHAANI, "date: 2020-12-03", "date: someday")
    edit(digest_root, "content/actors/iran.md", "---", "---\nbad: [")
    with pytest.raises(ContentError) as in_workers, BodiesAhead(digest_root, 2) as ahead:
        digest.load.load_content(config, ahead=ahead)
    with pytest.raises(ContentError) as here:
        digest.load.load_content(config)
    assert len(in_workers.value.problems) == 2
    assert in_workers.value.problems == here.value.problems


def converted(root: Path, ahead: Any = None) -> dict[str, str]:
    """Each article's body HTML by file, as convert_bodies stores it (through ahead's workers
    when given, which then read the files for load_content)."""
    from digest.bodies import body_jobs, convert_bodies
    from digest.cache import HtmlStore
    from digest.config import load_config
    from digest.graph import build_graph
    from digest.load import load_content

    config = load_config(root)
    jobs = body_jobs(build_graph(config, load_content(config, ahead=ahead)))
    store = HtmlStore(None)
    convert_bodies(root, jobs.values(), store, workers=1, ahead=ahead)
    return {job.path: store.get(job.key) for job in jobs.values()}


def test_bodies_converted_ahead_are_the_bodies_converted_after(
        digest_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a big build's file-reading workers convert the bodies while the graph is made
    import digest.load
    from digest.ahead import BodiesAhead
    from digest.config import load_config
    from digest.model import Article

    serial = converted(digest_root)
    monkeypatch.setattr(digest.load, "PARALLEL_READ", 1)
    with BodiesAhead(digest_root, 2) as ahead:
        assert converted(digest_root, ahead) == serial
        assert ahead.converted() == 5  # the fixture's five articles, its draft included
    content = digest.load.load_content(load_config(digest_root))
    known = frozenset(a.body_hash for a in content.articles if isinstance(a, Article))
    with BodiesAhead(digest_root, 2, known) as ahead:  # what the last build had: the store's
        assert converted(digest_root, ahead) == serial
        assert ahead.converted() == 0


def test_a_worker_done_with_its_bodies_converts_those_a_slower_one_has_not_started(
        digest_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers take bodies in chunks, their own share's first; one held up (the parent's
    work took its core, say) finds the other has converted its share, reading those files again,
    and the HTML is the same."""
    import time

    import digest.ahead
    import digest.load
    from digest.ahead import BodiesAhead

    serial = converted(digest_root)
    monkeypatch.setattr(digest.load, "PARALLEL_READ", 1)
    monkeypatch.setattr(digest.ahead, "BODY_CHUNK", 1)
    original = digest.ahead._read_convert_link

    def late_second(root: Path, shares: Any, index: int, *rest: Any) -> None:
        if index == 1:
            time.sleep(1.5)  # the first reads, converts its share, then takes this one's
        original(root, shares, index, *rest)

    monkeypatch.setattr(digest.ahead, "_read_convert_link", late_second)
    with BodiesAhead(digest_root, 2) as ahead:
        assert converted(digest_root, ahead) == serial
        assert ahead.converted() == 5
        first, second = ahead._held
    assert first is not None and len(first) == 5 and second == []


def test_a_worker_reading_ahead_imports_nothing_once_forked(digest_root: Path,
                                                          tmp_path: Path) -> None:
    """What a reading worker needs, the build imports before forking it, once for all: a
    module a worker imported itself (to unpickle the jobs the parent sends, say) would be
    imported again in each. A fresh interpreter builds the fixture with two workers reading."""
    import subprocess
    import sys

    script = """
import os, sys
import digest.load
from digest.build import Builder
from pathlib import Path
digest.load.PARALLEL_READ = 1  # the fixture's few files are read by the workers
main = os.getpid()
def heard(event, args):
    if event == "import" and os.getpid() != main and args[0] not in sys.modules:
        os.write(2, f"imported in a worker: {args[0]}\\n".encode())
sys.addaudithook(heard)
Builder(Path(sys.argv[1]), Path(sys.argv[2]), workers=2).build()
"""
    result = subprocess.run([sys.executable, "-c", script, str(digest_root),
                             str(tmp_path / "site")], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "articles").is_dir()
    assert "imported in a worker" not in result.stderr


def test_a_body_edited_after_it_was_read_ahead_is_converted_from_the_file(
        digest_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.load
    from digest.ahead import BodiesAhead
    from digest.config import load_config

    monkeypatch.setattr(digest.load, "PARALLEL_READ", 1)
    with BodiesAhead(digest_root, 2) as ahead:
        digest.load.load_content(load_config(digest_root), ahead=ahead)
        EDITS["article body"](digest_root)  # the workers hold the old body
        monkeypatch.setattr(digest.load, "PARALLEL_READ", 10_000)  # the build reads it anew
        html = converted(digest_root, ahead)
    assert "met allies in Baghdad on Tuesday." in html[GHAANI]


def test_workers_reading_ahead_stop_when_the_build_does(
        digest_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    import digest.load
    import digest.markup
    from digest.errors import ContentError

    monkeypatch.setattr(digest.load, "PARALLEL_READ", 1)
    edit(digest_root, GHAANI, "date: 2020-12-03", "date: someday")
    with pytest.raises(ContentError):
        Builder(digest_root, workers=2).build()
    assert not multiprocessing.active_children()
    edit(digest_root, GHAANI, "date: someday", "date: 2020-12-03")

    parent, to_html = os.getpid(), digest.markup.MarkdownRenderer.to_html

    def broken(self: digest.markup.MarkdownRenderer, text: str) -> str:
        if os.getpid() == parent:
            return to_html(self, text)
        raise ValueError("no Markdown today")  # in a worker (forked: it has this patch)

    monkeypatch.setattr(digest.markup.MarkdownRenderer, "to_html", broken)
    with pytest.raises(RuntimeError, match="no Markdown today"):
        Builder(digest_root, workers=2).build()
    assert not multiprocessing.active_children()
    assert not (digest_root / "site").exists()


def test_a_template_error_in_a_worker_is_reported_with_its_line(
        digest_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.rendering
    from digest.errors import TemplateError

    monkeypatch.setattr(digest.rendering, "PARALLEL_PAGES", 1)
    (digest_root / "templates").mkdir()
    (digest_root / "templates/tag.html").write_text("{{ tag.missing }}\n")
    with pytest.raises(TemplateError) as raised:
        Builder(digest_root, workers=2).build()
    assert str(raised.value.problems[0]).startswith("templates/tag.html:1: template error")
    assert not (digest_root / "site").exists()
    assert not (digest_root / ".site.new").exists()


def test_a_long_lived_builder_saves_its_cache_when_asked(digest_root: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    """digest serve's builder keeps its cache, and its record of the site folder, until it
    stops: a preview that dies first leaves no record of the folder, rather than one that
    would take its own last pages for a hand edit."""
    builder = Builder(digest_root, autosave=False, trust_changes=True)
    builder.build()
    EDITS["later paragraph"](digest_root)
    builder.build(changed=[digest_root / GHAANI])
    cache = digest_root / ".digest-cache"
    assert not list(cache.glob("*.pickle")) and not list(cache.glob("site-*.files"))
    builder.save()
    report = Builder(digest_root).build()  # a new process finds nothing to do
    assert report.rendered == 0 and report.written == ()
    assert "changed since digest last wrote it" not in caplog.text


def test_a_long_lived_builder_keeps_no_record_of_a_site_another_build_wrote_since(
        digest_root: Path, caplog: pytest.LogCaptureFixture) -> None:
    preview = Builder(digest_root, autosave=False, trust_changes=True)
    preview.build()
    Builder(digest_root, drafts=True).build()  # the draft's pages are on the site now
    preview.save()  # its record would describe the site without them
    Builder(digest_root).build()
    assert "changed since digest last wrote it" not in caplog.text
    assert not (digest_root / "site/articles/2021-04-01-draft").exists()


def test_open_pages_first_then_the_rest(digest_root: Path, tmp_path: Path) -> None:
    from digest.theme import theme_dir

    (digest_root / "templates").mkdir()
    template = digest_root / "templates/article.html"
    shutil.copy(theme_dir() / "article.html", template)
    builder = Builder(digest_root, tmp_path / "site")
    builder.build()
    edit(digest_root, "templates/article.html", "Related articles", "new template: related")
    shown = "articles/2020-12-03-ghaani-in-baghdad/index.html"
    other = tmp_path / "site/articles/2021-01-10-rockets-green-zone/index.html"
    report = builder.build_pages({shown}, changed=[template])
    assert report.written == (shown,)
    assert "new template" in (tmp_path / "site" / shown).read_text()
    assert "new template" not in other.read_text()  # not yet
    report = builder.build()
    assert "new template" in other.read_text()
    # the rest: the other article pages, and no page made with other templates
    articles = len(list((tmp_path / "site/articles").rglob("index.html")))
    assert report.rendered == articles
    Builder(digest_root, tmp_path / "fresh", use_cache=False).build()
    assert tree(tmp_path / "site") == tree(tmp_path / "fresh")


def test_after_open_pages_fail_to_build_every_change_still_reaches_the_site(
        digest_root: Path, tmp_path: Path) -> None:
    # digest serve, told what changed: one save touches two templates, the open page's is
    # broken; once it is fixed, the other template's edit must reach its pages too
    from digest.errors import TemplateError
    from digest.theme import theme_dir

    (digest_root / "templates").mkdir()
    article, tag = digest_root / "templates/article.html", digest_root / "templates/tag.html"
    shutil.copy(theme_dir() / "article.html", article)
    shutil.copy(theme_dir() / "tag.html", tag)
    builder = Builder(digest_root, tmp_path / "site", autosave=False, trust_changes=True)
    builder.build()
    shown = "articles/2020-12-03-ghaani-in-baghdad/index.html"
    edit(digest_root, "templates/tag.html", '<h1 class="page-title">',
         '<h1 class="page-title">Tag ')
    edit(digest_root, "templates/article.html", "Related articles", "{{ no_such_macro() }}")
    with pytest.raises(TemplateError):
        builder.build_pages({shown}, changed=[tag, article])

    edit(digest_root, "templates/article.html", "{{ no_such_macro() }}", "Related")
    builder.build_pages({shown}, changed=[article])
    builder.build(changed=[article])
    assert "Tag #" in (tmp_path / "site/tags/iraq/index.html").read_text(encoding="utf-8")
    Builder(digest_root, tmp_path / "fresh", use_cache=False).build()
    assert tree(tmp_path / "site") == tree(tmp_path / "fresh")


@pytest.mark.parametrize(("workers", "read_ahead"), [(1, False), (2, False), (2, True)])
def test_long_builds_report_their_progress(digest_root: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch, workers: int,
                                           read_ahead: bool) -> None:
    import digest.bodies
    import digest.load
    import digest.rendering

    if read_ahead:
        monkeypatch.setattr(digest.load, "PARALLEL_READ", 1)
    monkeypatch.setattr(digest.rendering, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(digest.rendering, "PROGRESS_EVERY", 5)
    monkeypatch.setattr(digest.bodies, "PARALLEL_THRESHOLD", 1)
    heard: list[tuple[str, int, int]] = []
    report = Builder(digest_root, tmp_path / "site", workers=workers,
                     progress=lambda what, done, total: heard.append((what, done, total))).build()
    rendering = [(done, total) for what, done, total in heard if what == "rendering pages"]
    pages = report.pages - 4  # the stylesheet, search script, icon and .nojekyll are copied
    assert rendering[-1] == (pages, pages)
    assert [done for done, _ in rendering] == sorted(done for done, _ in rendering)
    assert len(rendering) > 2
    if workers > 1:
        assert ("converting Markdown", 4, 4) in heard  # the fixture's four articles


def test_a_builder_told_what_changed_looks_only_at_that(digest_root: Path, tmp_path: Path) -> None:
    builder = Builder(digest_root, tmp_path / "site", trust_changes=True)
    builder.build()
    EDITS["article title"](digest_root)
    new = digest_root / "content/articles/2021-07-01-new.md"
    EDITS["new article"](digest_root)
    builder.build(changed=[digest_root / GHAANI, new])
    gone = digest_root / "content/articles/2021-03-05-unrelated.md"
    gone.unlink()
    builder.build(changed=[gone])
    builder.build(changed=[digest_root / "content"])  # a folder: everything is looked at
    from digest.errors import ContentError

    path = digest_root / GHAANI
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("date: 2020-12-03", "date: soon"), encoding="utf-8")
    with pytest.raises(ContentError):
        builder.build(changed=[path])
    path.write_text(good.replace("met allies", "met his allies"), encoding="utf-8")
    builder.build(changed=[path])
    Builder(digest_root, tmp_path / "fresh", use_cache=False).build()
    assert tree(tmp_path / "site") == tree(tmp_path / "fresh")


def test_a_template_edit_renders_only_the_pages_made_with_it(digest_root: Path) -> None:
    from digest.theme import theme_dir

    (digest_root / "templates").mkdir()
    shutil.copy(theme_dir() / "tag.html", digest_root / "templates/tag.html")
    builder = Builder(digest_root)
    builder.build()
    edit(digest_root, "templates/tag.html", '<h1 class="page-title">',
         '<h1 class="page-title">Tag ')
    report = builder.build()
    assert report.rendered == 2  # the two tag pages; nothing else is made with tag.html
    assert set(report.written) == {"tags/iraq/index.html", "tags/militias/index.html"}
    shutil.copy(theme_dir() / "base.html", digest_root / "templates/base.html")  # an override
    edit(digest_root, "templates/base.html", "Skip to content", "Skip to the article")
    html_pages = len(list((digest_root / "site").rglob("*.html")))
    assert builder.build().rendered == html_pages  # every HTML page is made with base.html


def test_a_template_that_starts_or_stops_including_another_changes_what_depends_on_it(
        digest_root: Path) -> None:
    # one builder across the edits, as in digest serve: it remembers which templates each one
    # includes, and must notice when a template's text says otherwise
    from digest.theme import theme_dir

    (digest_root / "templates").mkdir()
    shutil.copy(theme_dir() / "tag.html", digest_root / "templates/tag.html")
    (digest_root / "templates/note.html").write_text("<p>Note one</p>", encoding="utf-8")
    builder = Builder(digest_root)
    builder.build()
    edit(digest_root, "templates/tag.html", "{% block main %}",
         '{% block main %}{% include "note.html" %}')
    builder.build()
    tag_page = digest_root / "site/tags/iraq/index.html"
    assert "<p>Note one</p>" in tag_page.read_text(encoding="utf-8")

    edit(digest_root, "templates/note.html", "one", "two")
    report = builder.build()
    assert set(report.written) == {"tags/iraq/index.html", "tags/militias/index.html"}
    assert "<p>Note two</p>" in tag_page.read_text(encoding="utf-8")

    edit(digest_root, "templates/tag.html", '{% include "note.html" %}', "")
    builder.build()
    edit(digest_root, "templates/note.html", "two", "three")
    assert builder.build().rendered == 0  # nothing includes it any more


def test_a_body_edited_during_the_build_is_an_error_not_a_wrong_page(digest_root: Path) -> None:
    # Bodies are read again from their files when converted; if the file no longer holds the
    # body the build loaded, converting it would cache HTML under the old body's key.
    from digest.bodies import body_jobs, read_body
    from digest.config import load_config
    from digest.errors import ContentError
    from digest.graph import build_graph
    from digest.load import load_content

    config = load_config(digest_root)
    jobs = body_jobs(build_graph(config, load_content(config)))
    job = next(job for job in jobs.values() if job.path == GHAANI)
    assert "met allies in Baghdad." in read_body(digest_root, job)

    EDITS["article body"](digest_root)
    with pytest.raises(ContentError) as caught:
        read_body(digest_root, job)
    assert str(caught.value) == (f"{GHAANI}: the file changed while the site was being built "
                                 "(build again)")
    Builder(digest_root).build()  # a new build loads the new body and converts it
    page = (digest_root / "site/articles/2020-12-03-ghaani-in-baghdad/index.html").read_text()
    assert "met allies in Baghdad on Tuesday." in page


def test_each_page_found_by_its_path_is_the_page_the_full_walk_makes(digest_root: Path) -> None:
    # digest serve renders the pages an edit touches by path, without walking the whole site
    from digest.config import load_config
    from digest.graph import build_graph
    from digest.load import load_content
    from digest.pages import SitePlan

    config = load_config(digest_root)
    plan = SitePlan(build_graph(config, load_content(config)), lambda slug: f"<p>{slug}</p>",
                    lambda slug: "")
    walked = {page.path: (page.template, page.make_context()) for page in plan.pages()}
    assert {"articles/2020-12-03-ghaani-in-baghdad/index.html", "actors/iran/feed.xml",
            "actors/index.html", "tags/index.html", "feed.xml", "index.html"} <= set(walked)
    for path, (template, context) in walked.items():
        (page,) = plan.pages_at([path])
        assert (page.path, page.template, page.make_context()) == (path, template, context)
    found = plan.pages_at([*walked, "articles/no-such-article/index.html", "nowhere.html"])
    assert sorted(page.path for page in found) == sorted(walked)


def test_the_html_store_writes_as_it_goes_and_reads_entry_by_entry(tmp_path: Path) -> None:
    # a build of ten thousand bodies must not hold them all in memory
    from digest.cache import HtmlStore

    store = HtmlStore(tmp_path / "html.sqlite")
    entries = {f"key{n}": f"<p>body {n}</p>" for n in range(3 * HtmlStore.BATCH + 10)}
    for key, value in entries.items():
        store.put(key, value)
    other = HtmlStore(tmp_path / "html.sqlite")  # another process, before the build ends
    assert len(entries) - len(other.missing(entries)) == 3 * HtmlStore.BATCH
    store.save(set(entries))
    assert other.missing(entries) == set()
    assert all(other.get(key) == value for key, value in entries.items())
    with pytest.raises(KeyError):
        other.get("no such key")


def cache_files(root: Path, suffix: str) -> list[Path]:
    return sorted((root / ".digest-cache").glob(f"build-*{suffix}"))


def test_body_edits_are_saved_as_a_journal_that_later_builds_replay(digest_root: Path,
                                                                    tmp_path: Path) -> None:
    # each `digest build` is a new process: it loads the saved cache and replays the journal
    Builder(digest_root).build()
    (state,) = cache_files(digest_root, ".pickle")
    saved = state.read_bytes()
    for step in range(1, 4):
        append(digest_root, GHAANI, f"\nA sentence added in step {step}.\n")
        report = Builder(digest_root).build()
        assert set(report.written) == {"articles/2020-12-03-ghaani-in-baghdad/index.html",
                                       "feed.xml"}
        assert state.read_bytes() == saved  # the saved state is not written again
        Builder(digest_root, tmp_path / f"fresh-{step}", use_cache=False).build()
        assert tree(digest_root / "site") == tree(tmp_path / f"fresh-{step}")
    assert len(cache_files(digest_root, ".journal")) == 1
    for stamp in cache_files(digest_root, ".stamp"):
        stamp.unlink()  # so that the next build loads the cache and replays the journal
    again = Builder(digest_root).build()  # it knows the pages of step 3: none to render
    assert again.rendered == 0 and again.written == ()

    os.utime(digest_root / GHAANI)  # a new time, the same text: the cache is still consulted
    again = Builder(digest_root).build()
    assert again.rendered == 0 and again.written == ()

    EDITS["article title"](digest_root)  # the graph changes: the whole cache is saved
    Builder(digest_root).build()
    assert cache_files(digest_root, ".journal") == []
    assert state.read_bytes() != saved
    Builder(digest_root, tmp_path / "fresh-title", use_cache=False).build()
    assert tree(digest_root / "site") == tree(tmp_path / "fresh-title")


def test_the_saved_cache_writes_each_article_record_once(digest_root: Path) -> None:
    # The article records go first, in a pickle of their own, and the rest of the cache refers
    # to them: a pickler holds on to everything it has written, so one pickle of the whole
    # cache would hold twice as much at once (see digest.persist; peak memory is a target).
    import pickle

    from digest.persist import _ArticleLoader

    Builder(digest_root).build()
    (state,) = cache_files(digest_root, ".pickle")
    with state.open("rb") as handle:
        _, _, articles = pickle.load(handle)
        rest = handle.tell()
        cache = _ArticleLoader(handle, articles).load()
    assert articles and cache.last is not None
    first = {id(article) for article in articles}
    assert all(id(article) in first for article in cache.last.content.articles)
    assert all(id(article) in first for article in cache.last.graph.articles)
    assert b"Ghaani asks allies in Baghdad for calm" not in state.read_bytes()[rest:]


def test_a_damaged_journal_is_ignored(digest_root: Path, tmp_path: Path) -> None:
    Builder(digest_root).build()
    EDITS["later paragraph"](digest_root)
    Builder(digest_root).build()
    (journal,) = cache_files(digest_root, ".journal")
    journal.write_bytes(journal.read_bytes()[:-20])  # cut short, as by a full disk
    EDITS["article body"](digest_root)
    Builder(digest_root).build()
    Builder(digest_root, tmp_path / "fresh", use_cache=False).build()
    assert tree(digest_root / "site") == tree(tmp_path / "fresh")


def test_a_build_that_did_not_finish_leaves_a_cache_no_build_trusts(digest_root: Path) -> None:
    Builder(digest_root).build()
    page = digest_root / "site/articles/2020-12-03-ghaani-in-baghdad/index.html"
    # a build writes the site, then stops before it saves its cache (killed, say)
    EDITS["later paragraph"](digest_root)
    Builder(digest_root, autosave=False).build()
    assert "avoid provoking new tensions." in page.read_text(encoding="utf-8")
    # the curator undoes the edit: the saved cache describes exactly this text, but the site
    # on disk does not have it any more
    edit(digest_root, GHAANI, "avoid provoking new tensions.", "avoid provoking tensions.")
    Builder(digest_root).build()
    assert "avoid provoking tensions." in page.read_text(encoding="utf-8")


def test_a_build_stopped_by_bad_input_leaves_the_cache_trusted(digest_root: Path) -> None:
    from digest.errors import ContentError

    Builder(digest_root).build()
    edit(digest_root, GHAANI, "date: 2020-12-03", "date: someday")
    with pytest.raises(ContentError):
        Builder(digest_root).build()  # nothing in the site changed
    edit(digest_root, GHAANI, "date: someday", "date: 2020-12-03")
    EDITS["later paragraph"](digest_root)
    report = Builder(digest_root).build()
    assert report.rendered == 2  # the article and the site feed, not the whole site again


def test_a_long_journal_is_folded_into_a_new_saved_cache(digest_root: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.persist

    monkeypatch.setattr(digest.persist, "JOURNAL_LIMIT", 2)
    Builder(digest_root).build()
    (state,) = cache_files(digest_root, ".pickle")
    saved = state.read_bytes()
    for step in range(1, 4):
        append(digest_root, GHAANI, f"\nA sentence added in step {step}.\n")
        Builder(digest_root).build()
        assert len(cache_files(digest_root, ".journal")) == (1 if step < 3 else 0)
        assert (state.read_bytes() == saved) == (step < 3)
    Builder(digest_root, tmp_path / "fresh", use_cache=False).build()
    assert tree(digest_root / "site") == tree(tmp_path / "fresh")
    for stamp in cache_files(digest_root, ".stamp"):
        stamp.unlink()
    assert Builder(digest_root).build().rendered == 0


def test_html_made_by_other_code_is_not_reused(digest_root: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # an upgrade of digest, Python-Markdown or nh3 may change a body's HTML for the same text
    import sqlite3

    import digest.build

    page = digest_root / "site/articles/2020-12-03-ghaani-in-baghdad/index.html"
    Builder(digest_root).build()
    with sqlite3.connect(digest_root / ".digest-cache/html.sqlite") as db:
        db.execute("UPDATE html SET value = '<p>HTML of older code</p>'")
    EDITS["config"](digest_root)  # every page again, bodies from the store
    Builder(digest_root).build()
    assert "HTML of older code" in page.read_text(encoding="utf-8")  # the store was used

    monkeypatch.setattr(digest.build, "code_version", lambda: "other code")
    edit(digest_root, "digest.yaml", "title: Renamed Digest", "title: Fixture Digest")
    Builder(digest_root).build()
    text = page.read_text(encoding="utf-8")
    assert "HTML of older code" not in text and "met allies in Baghdad." in text


def test_the_code_version_follows_the_libraries_that_shape_pages() -> None:
    import jinja2
    import markdown
    import yaml

    from digest.cache import _installed_version

    assert _installed_version("markdown", "markdown") == markdown.__version__
    assert _installed_version("jinja2", "jinja2") == jinja2.__version__
    assert _installed_version("yaml", "pyyaml") == yaml.__version__
    assert _installed_version("no_such_module_here", "nothing") == "absent"
