"""Watching sources: editor noise is ignored and a burst of events becomes one batch."""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.serve.watch import ChangeBatch, Debouncer, SourceWatcher, classify, is_noise

# Long enough that a burst written by a test never spans two batches on a busy machine.
QUIET = 0.3


@pytest.mark.parametrize("name", [
    "4913", ".article.md.swp", ".article.md.swo", "article.md~", ".#article.md",
    "#article.md#", "article.md.tmp", ".DS_Store", "article.md.kate-swp",
])
def test_editor_droppings_are_noise(name: str) -> None:
    assert is_noise(Path("/d/content/articles") / name)


@pytest.mark.parametrize("path", [
    "/d/content/articles/2021-01-01-x.md", "/d/templates/base.html", "/d/digest.yaml",
    "/d/static/style.css", "/d/content/articles/#tags.md",
])
def test_sources_are_not_noise(path: str) -> None:
    assert not is_noise(Path(path))


def test_version_control_folders_are_noise() -> None:
    assert is_noise(Path("/d/content/.git/index"))
    assert is_noise(Path("/d/templates/__pycache__/x.pyc"))


def test_classify_names_the_deepest_watched_root() -> None:
    kinds = {Path("/d/content"): "content", Path("/d/content/actors"): "actor",
             Path("/d/digest.yaml"): "config"}
    assert classify(Path("/d/content/articles/x.md"), kinds) == "content"
    assert classify(Path("/d/content/actors/iran.md"), kinds) == "actor"
    assert classify(Path("/d/digest.yaml"), kinds) == "config"
    assert classify(Path("/d/README.md"), kinds) == "other"


def test_the_debouncer_turns_a_burst_into_one_batch() -> None:
    batches: queue.Queue[ChangeBatch] = queue.Queue()
    debouncer = Debouncer(batches.put, quiet=QUIET, longest=30)
    debouncer.start()
    try:
        for number in range(200):
            debouncer.add([Path(f"/d/{number % 20}.md")])
        batch = batches.get(timeout=10)
        assert batch.paths == {Path(f"/d/{n}.md") for n in range(20)}
        assert not batch.everything
        debouncer.add([Path("/d/later.md")], everything=True)
        later = batches.get(timeout=10)
        assert later.paths == {Path("/d/later.md")} and later.everything
    finally:
        debouncer.stop()


def test_changes_during_a_delivery_make_the_next_batch() -> None:
    batches: list[ChangeBatch] = []
    inside = threading.Event()
    release = threading.Event()
    done = threading.Semaphore(0)

    def slow(batch: ChangeBatch) -> None:
        batches.append(batch)
        inside.set()
        release.wait(10)
        done.release()

    debouncer = Debouncer(slow, quiet=0.01, longest=30)
    debouncer.start()
    try:
        debouncer.add([Path("/d/a.md")])
        assert inside.wait(10)
        debouncer.add([Path("/d/b.md")])
        debouncer.add([Path("/d/c.md")])
        release.set()
        assert done.acquire(timeout=10) and done.acquire(timeout=10)
        assert [b.paths for b in batches] == [{Path("/d/a.md")}, {Path("/d/b.md"), Path("/d/c.md")}]
    finally:
        debouncer.stop()


def test_a_failing_delivery_does_not_stop_watching() -> None:
    seen: queue.Queue[ChangeBatch] = queue.Queue()

    def flaky(batch: ChangeBatch) -> None:
        seen.put(batch)
        raise RuntimeError("boom")

    debouncer = Debouncer(flaky, quiet=0.01)
    debouncer.start()
    try:
        debouncer.add([Path("/d/a.md")])
        seen.get(timeout=10)
        debouncer.add([Path("/d/b.md")])
        assert seen.get(timeout=10).paths == {Path("/d/b.md")}
    finally:
        debouncer.stop()


@pytest.fixture
def digest_folder(tmp_path: Path) -> Path:
    root = (tmp_path / "digest").resolve()
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "articles" / "a.md").write_text("---\ntitle: A\n---\nBody\n")
    (root / "digest.yaml").write_text("title: T\n")
    (root / "site").mkdir()
    return root


@pytest.fixture
def batches(digest_folder: Path) -> Iterator[queue.Queue[ChangeBatch]]:
    found: queue.Queue[ChangeBatch] = queue.Queue()
    watcher = SourceWatcher([digest_folder / "content", digest_folder / "templates"],
                            [digest_folder / "digest.yaml"], found.put, quiet=QUIET)
    watcher.start()
    yield found
    watcher.stop()


def no_more(found: queue.Queue[ChangeBatch]) -> bool:
    try:
        found.get(timeout=3 * QUIET)
    except queue.Empty:
        return True
    return False


def test_a_vim_style_save_is_one_change_of_the_real_file(
        digest_folder: Path, batches: queue.Queue[ChangeBatch]) -> None:
    folder = digest_folder / "content" / "articles"
    article = folder / "a.md"
    # What vim does on :w with its default backupcopy=auto.
    probe = folder / "4913"
    probe.write_text("")
    probe.unlink()
    swap = folder / ".a.md.swp"
    swap.write_bytes(b"\0" * 100)
    backup = folder / "a.md~"
    os.rename(article, backup)
    article.write_text("---\ntitle: A\n---\nEdited\n")
    backup.unlink()
    swap.unlink()
    batch = batches.get(timeout=10)
    assert batch.paths == {article}
    assert no_more(batches)


def test_an_atomic_save_reports_the_target(
        digest_folder: Path, batches: queue.Queue[ChangeBatch]) -> None:
    article = digest_folder / "content" / "articles" / "a.md"
    temporary = article.with_name("a.md.tmp")
    temporary.write_text("---\ntitle: A\n---\nAtomic\n")
    os.replace(temporary, article)
    assert batches.get(timeout=10).paths == {article}


def test_the_config_file_is_watched_but_not_its_neighbours(
        digest_folder: Path, batches: queue.Queue[ChangeBatch]) -> None:
    (digest_folder / "README.md").write_text("not a source")
    (digest_folder / "site" / "index.html").write_text("output")
    config = digest_folder / "digest.yaml"
    temporary = digest_folder / ".digest.yaml.tmp"
    temporary.write_text("title: Changed\n")
    os.replace(temporary, config)
    assert batches.get(timeout=10).paths == {config}
    assert no_more(batches)


def test_new_and_deleted_files_are_changes(
        digest_folder: Path, batches: queue.Queue[ChangeBatch]) -> None:
    folder = digest_folder / "content" / "articles"
    (folder / "b.md").write_text("---\ntitle: B\n---\n")
    (folder / "a.md").unlink()
    assert batches.get(timeout=10).paths == {folder / "a.md", folder / "b.md"}


def test_a_folder_moved_away_asks_for_a_full_check(
        digest_folder: Path, batches: queue.Queue[ChangeBatch]) -> None:
    nested = digest_folder / "content" / "articles" / "2021"
    nested.mkdir()
    (nested / "c.md").write_text("---\ntitle: C\n---\n")
    batches.get(timeout=10)
    os.rename(nested, digest_folder / "elsewhere")
    assert batches.get(timeout=10).everything


def settle(found: queue.Queue[ChangeBatch]) -> list[ChangeBatch]:
    """The batches delivered until the watcher has been quiet for a while."""
    seen = [found.get(timeout=10)]
    while not no_more(found):
        pass
    return seen


def test_a_templates_folder_made_after_the_start_is_watched_from_then_on(
        digest_folder: Path, batches: queue.Queue[ChangeBatch]) -> None:
    templates = digest_folder / "templates"
    templates.mkdir()
    (templates / "article.html").write_text("{{ article.title }}")
    # the file may have been written before the folder's watch began: check everything
    assert any(batch.everything for batch in settle(batches))
    (templates / "article.html").write_text("<h1>{{ article.title }}</h1>")
    assert batches.get(timeout=10).paths == {templates / "article.html"}


def test_a_folder_removed_and_made_again_is_watched_again(
        digest_folder: Path, batches: queue.Queue[ChangeBatch]) -> None:
    content = digest_folder / "content"
    content.rename(digest_folder / "content.old")
    assert any(batch.everything for batch in settle(batches))
    (digest_folder / "content.old" / "articles" / "a.md").write_text("moved away: no source")
    assert no_more(batches)
    (content / "articles").mkdir(parents=True)
    settle(batches)
    article = content / "articles" / "b.md"
    article.write_text("---\ntitle: B\n---\n")
    assert batches.get(timeout=10).paths == {article}
