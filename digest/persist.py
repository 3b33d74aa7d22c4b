"""The build cache on disk: one saved state, and a journal of the small builds since.

At 10,000 articles the cache is some 20 MB pickled, and writing it takes longer than the rest
of a one-article edit. A build that changed only entries (a few parsed files, page
fingerprints, article records and body jobs, with the site graph left standing) appends just
those to a journal beside the saved state, and loading replays them. Any other build, or a
long journal, saves the whole cache again.

Every file here only ever saves work: an unreadable state or journal is ignored (the next
build starts from nothing), and so is a cache whose build was interrupted after it began to
change the site (a marker says so until the cache is saved again).
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from digest.cache import CACHE_DIR, BuildCache
from digest.hashes import content_hash
from digest.load import ParsedFiles
from digest.model import Article

if TYPE_CHECKING:
    from digest.bodies import BodyJob
    from digest.incremental import LastBuild
    from digest.sitecheck import Records

log = logging.getLogger(__name__)

JOURNAL_LIMIT = 100  # records in a journal before the whole cache is saved again


@dataclass(frozen=True)
class Saved:
    """What the files on disk hold, to tell what a later build changed (shallow copies: the
    records themselves are shared with the live cache, and compared by identity)."""

    state: str  # the saved state's id, which its journal records carry
    records: int  # journal records since it
    parsed: ParsedFiles
    pages: dict[str, bytes]
    html_keys: frozenset[str]
    static: frozenset[str]
    actors_without_file: tuple[str, ...]
    template_salts: tuple[str, dict[str, str]]
    last: LastBuild | None

    @classmethod
    def of(cls, state: str, records: int, cache: BuildCache) -> Saved:
        return cls(state, records, dict(cache.parsed), dict(cache.pages),
                   frozenset(cache.html_keys), frozenset(cache.static),
                   cache.actors_without_file, cache.template_salts, cache.last)


@dataclass(frozen=True)
class Delta:
    """One journal record: the entries a build changed."""

    parsed: ParsedFiles
    unparsed: tuple[str, ...]
    pages: dict[str, bytes]
    html_added: frozenset[str]
    html_removed: frozenset[str]
    articles: dict[str, Article]  # by path
    jobs: dict[str, BodyJob]  # by article slug
    page_bodies: dict[str, frozenset[str]]
    inputs: str
    output_id: tuple[int, int, str]

    def apply(self, cache: BuildCache) -> None:
        cache.parsed.update(self.parsed)
        for path in self.unparsed:
            cache.parsed.pop(path, None)
        cache.pages.update(self.pages)
        cache.html_keys = (cache.html_keys - self.html_removed) | self.html_added
        if cache.last is not None:
            cache.last = cache.last.updated(self.articles, self.jobs, self.page_bodies)
        cache.inputs, cache.output_id = self.inputs, self.output_id


def _same_graph(now: LastBuild, before: LastBuild) -> bool:
    """True if the last build's graph is the saved one but for article records."""
    if (now.settings, now.salt) != (before.settings, before.salt) or (
            now.descriptions is not before.descriptions
            and now.descriptions != before.descriptions):
        return False
    return all(getattr(now.graph, f.name) is getattr(before.graph, f.name)
               for f in fields(now.graph) if f.name not in ("articles", "by_slug"))


def delta(saved: Saved, cache: BuildCache) -> Delta | None:
    """The entries `cache` changed since `saved`, or None when more changed than entries."""
    now, before = cache.last, saved.last
    if (cache.static != saved.static or cache.actors_without_file != saved.actors_without_file
            or cache.template_salts != saved.template_salts
            or len(cache.pages) != len(saved.pages) or (now is None) != (before is None)):
        return None
    articles: dict[str, Article] = {}
    jobs: dict[str, BodyJob] = {}
    page_bodies: dict[str, frozenset[str]] = {}
    if now is not None and before is not None:
        if (not _same_graph(now, before) or now.content.tags != before.content.tags
                or now.content.actors != before.content.actors
                or len(now.content.articles) != len(before.content.articles)
                or now.jobs.keys() != before.jobs.keys()
                or now.page_bodies.keys() != before.page_bodies.keys()):
            return None
        for new, old in zip(now.content.articles, before.content.articles, strict=True):
            if new is not old:
                if new.path != old.path:
                    return None
                articles[new.path] = new
        jobs = {slug: job for slug, job in now.jobs.items() if before.jobs[slug] is not job}
        page_bodies = {page: shown for page, shown in now.page_bodies.items()
                       if before.page_bodies[page] != shown}
    pages = {page: mark for page, mark in cache.pages.items() if saved.pages.get(page) != mark}
    if len(pages) > len(cache.pages) // 4:  # then the whole cache is as quick to write
        return None
    return Delta(
        parsed={path: entry for path, entry in cache.parsed.items()
                if saved.parsed.get(path) is not entry},
        unparsed=tuple(path for path in saved.parsed if path not in cache.parsed),
        pages=pages,
        html_added=frozenset(cache.html_keys - saved.html_keys),
        html_removed=frozenset(saved.html_keys - cache.html_keys),
        articles=articles, jobs=jobs, page_bodies=page_bodies,
        inputs=cache.inputs, output_id=cache.output_id,
    )


def _folder(root: Path) -> Path:
    return root / CACHE_DIR


def _made_folder(root: Path) -> Path:
    """The cache folder, made if need be, with a .gitignore so that git never sees it."""
    folder = _folder(root)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        folder.mkdir(exist_ok=True)
        ignore.write_text("*\n")
    return folder


def _state_file(root: Path, key: str) -> Path:
    return _folder(root) / f"build-{key}.pickle"


def _journal_file(root: Path, key: str) -> Path:
    return _folder(root) / f"build-{key}.journal"


def _stamp_file(root: Path, key: str) -> Path:
    return _folder(root) / f"build-{key}.stamp"


def _marker_file(root: Path, key: str) -> Path:
    return _folder(root) / f"build-{key}.building"


def read_stamp(root: Path, key: str) -> str:
    """What the last successful build saw (inputs and site folder); "" when unknown.

    Kept apart from the cache so that a build with nothing to do never loads the cache.
    """
    try:
        return _stamp_file(root, key).read_text(encoding="utf-8")
    except OSError:
        return ""


def write_stamp(root: Path, key: str, stamp: str) -> None:
    _made_folder(root)
    _stamp_file(root, key).write_text(stamp, encoding="utf-8")


def _writer_file(root: Path, out: Path) -> Path:
    return _folder(root) / f"site-{content_hash(str(out.resolve()))[:16]}.writer"


def site_writer(root: Path, out: Path) -> str:
    """The token the last build that changed the site folder `out` left; "" when unknown."""
    try:
        return _writer_file(root, out).read_text(encoding="utf-8")
    except OSError:
        return ""


def claim_site(root: Path, out: Path) -> str:
    """Say that a build is about to change the site folder `out`, with a new token.

    Each kind of build (with --drafts, another --base-url, --no-cache) keeps its own cache,
    and the site folder stays the same folder whichever wrote it last. A cache is trusted to
    describe the folder only while the token is the one its own build left: after a build
    with --drafts, say, the next plain build must look at the site again rather than keep
    the draft's pages."""
    _made_folder(root)
    token = secrets.token_hex(8)
    _writer_file(root, out).write_text(token, encoding="utf-8")
    return token


def _records_file(root: Path, out: Path) -> Path:
    return _folder(root) / f"site-{content_hash(str(out.resolve()))[:16]}.files"


def site_records(root: Path, out: Path) -> Records | None:
    """What the last build that changed the site folder `out` recorded of it (see
    digest.sitecheck); None when there is no record, or none that can be read."""
    path = _records_file(root, out)
    try:
        with path.open("rb") as handle:
            records = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as error:  # a damaged record only means that every page is rendered
        log.warning("ignoring unreadable record of the site %s: %s", path, error)
        return None
    return records if isinstance(records, dict) else None


def save_site_records(root: Path, out: Path, records: Records | None) -> None:
    """Keep the records of the site folder `out` for the next build (None: none are known)."""
    path = _records_file(root, out)
    if records is None:
        path.unlink(missing_ok=True)
        return
    _made_folder(root)
    _replace(path, lambda handle: pickle.dump(records, handle, protocol=pickle.HIGHEST_PROTOCOL))


def _replace(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write the file whole or not at all: into a temporary file, then renamed over it."""
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as handle, _no_gc():
        write(handle)
    os.replace(temporary, path)


def mark_site_changing(root: Path, key: str) -> None:
    """Say that a build is about to change the site: until save_cache, the saved cache may
    describe an older site than the one on disk, so no other build may trust it."""
    _made_folder(root)
    _stamp_file(root, key).unlink(missing_ok=True)
    _marker_file(root, key).touch()


@contextmanager
def _no_gc(freeze: bool = False) -> Iterator[None]:
    """Pause the cycle collector: (un)pickling a million small objects makes it run over and
    over for nothing, since the cache holds no cycles. freeze: then move every object made so
    far out of its reach (gc.freeze), or its next pass would look at all of them once more."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


def load_cache(root: Path, key: str, version: str) -> tuple[BuildCache, Saved | None]:
    """The saved cache with its journal replayed, and what it was on disk; an empty cache
    (and None) when there is none, it is from other code, or it cannot be trusted."""
    if _marker_file(root, key).exists():
        log.info("not using the cache: the build that last used it did not finish")
        return BuildCache(), None
    path = _state_file(root, key)
    try:
        with _no_gc(freeze=True):
            with path.open("rb") as handle:
                header = pickle.load(handle)
                if not (isinstance(header, tuple) and len(header) == 3
                        and header[0] == version):  # saved by other code
                    return BuildCache(), None
                _, state, articles = header
                cache = _ArticleLoader(handle, articles).load()
            if not isinstance(cache, BuildCache):
                return BuildCache(), None
            records = _replay(_journal_file(root, key), state, cache)
        return cache, Saved.of(state, records, cache)
    except FileNotFoundError:
        pass
    except Exception as error:  # a damaged cache is only a slower build
        log.warning("ignoring unreadable cache %s: %s", path, error)
    return BuildCache(), None


# The saved state is two pickles in one file: the article records, then the rest of the cache
# with each article as a reference to the first. A pickler keeps every object it has written
# until it is done; at 10,000 articles that is some 50 MB at once, and written in two parts,
# half of it.

def _saved_article(index: int) -> Article:
    """Stands for an article record of the first pickle in the second: never called, as the
    loader gives its own list's item for it (_ArticleLoader.find_class)."""
    raise RuntimeError("an article reference read outside digest.persist")


class _ArticleRefs(pickle.Pickler):
    def __init__(self, handle: BinaryIO, ids: dict[int, int]) -> None:
        super().__init__(handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.ids = ids

    # Asked only about objects of classes (a persistent_id would be asked about every string
    # and tuple too, 1.9 million questions at 10,000 articles: a third of the time to save).
    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Article:
            index = self.ids.get(id(obj))
            if index is not None:
                return _saved_article, (index,)
        return NotImplemented


class _ArticleLoader(pickle.Unpickler):
    def __init__(self, handle: BinaryIO, articles: list[Article]) -> None:
        super().__init__(handle)
        self.articles = articles

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == _saved_article.__name__:
            return self.articles.__getitem__
        return super().find_class(module, name)


def _write_state(handle: BinaryIO, version: str, state: str, cache: BuildCache) -> None:
    found: dict[int, Article] = {}
    for entry in cache.parsed.values():
        if type(entry[2]) is Article:
            found.setdefault(id(entry[2]), entry[2])
    if cache.last is not None:
        for record in (*cache.last.content.articles, *cache.last.graph.articles):
            found.setdefault(id(record), record)
    articles = list(found.values())
    pickle.dump((version, state, articles), handle, protocol=pickle.HIGHEST_PROTOCOL)
    _ArticleRefs(handle, {key: index for index, key in enumerate(found)}).dump(cache)


def _replay(journal: Path, state: str, cache: BuildCache) -> int:
    records = 0
    try:
        handle = journal.open("rb")
    except FileNotFoundError:
        return 0
    with handle:
        while handle.peek(1):
            record: Any = pickle.load(handle)
            if not (isinstance(record, tuple) and record[0] == state
                    and isinstance(record[1], Delta)):
                raise ValueError(f"{journal.name} does not belong to the saved cache")
            record[1].apply(cache)
            records += 1
    return records


def save_cache(root: Path, key: str, version: str, cache: BuildCache,
               saved: Saved | None, stamp: str) -> Saved:
    """Write the cache (as a journal record when it can) and then the stamp; returns what
    is on disk now."""
    _stamp_file(root, key).unlink(missing_ok=True)  # the stamp describes the saved cache
    change = delta(saved, cache) if saved is not None and saved.records < JOURNAL_LIMIT \
        else None
    journal = _journal_file(root, key)
    if saved is not None and change is not None:
        with journal.open("ab") as handle, _no_gc():
            pickle.dump((saved.state, change), handle, protocol=pickle.HIGHEST_PROTOCOL)
        now = Saved.of(saved.state, saved.records + 1, cache)
    else:
        _made_folder(root)
        path = _state_file(root, key)
        journal.unlink(missing_ok=True)
        state = secrets.token_hex(8)
        _replace(path, lambda handle: _write_state(handle, version, state, cache))
        now = Saved.of(state, 0, cache)
    _marker_file(root, key).unlink(missing_ok=True)
    write_stamp(root, key, stamp)
    return now
