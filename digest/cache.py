"""Everything a build keeps for the next one, in one place (.digest-cache/).

The cache only ever saves work: deleting .digest-cache/ changes no output byte. Every entry is
keyed by what it was made from (file size and modification time, a content hash, or a page's
complete view values), and the whole cache is dropped when digest's own code changes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import logging
import os
import pickle
import shutil
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest.hashes import content_hash
from digest.load import ParsedFiles

if TYPE_CHECKING:
    import sqlite3

    from digest.incremental import LastBuild
    from digest.views import ArticleCard

log = logging.getLogger(__name__)

CACHE_DIR = ".digest-cache"
_PACKAGE = Path(__file__).resolve().parent


# Packages whose code shapes the output, by module and by distribution name.
_DEPENDENCIES = (("markdown", "markdown"), ("jinja2", "jinja2"), ("markupsafe", "markupsafe"),
                 ("nh3", "nh3"), ("yaml", "pyyaml"))


def code_version() -> str:
    """Changes whenever the code that makes the output changes, so old entries are never
    trusted: the build's own modules (by content: a fresh install of the same code, as in a
    CI job, keeps the cache) and the versions of the libraries that shape pages (a Markdown
    or Jinja upgrade may change them). ingest/ and serve/ do not shape the output.
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(sys.version.encode())
    for path in sorted(_PACKAGE.glob("*.py")):
        digest.update(f"{path.name}\0".encode())
        digest.update(path.read_bytes())
    for module, distribution in _DEPENDENCIES:
        digest.update(f"\0{module}:{_installed_version(module, distribution)}".encode())
    return digest.hexdigest()


def _installed_version(module: str, distribution: str) -> str:
    """The version in the name of the distribution's .dist-info folder beside the module
    (cheaper than importlib.metadata); else the module file's size and time."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return "absent"
    origin = Path(spec.origin)
    folder = origin.parent.parent if origin.name == "__init__.py" else origin.parent
    try:
        for entry in os.scandir(folder):
            stem = entry.name.removesuffix(".dist-info")
            name, _, version = stem.partition("-")
            if stem != entry.name and name.lower().replace(".", "_") == distribution:
                return version
        stat = origin.stat()
    except OSError:
        return "unknown"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


@dataclass(slots=True)
class BuildCache:
    """What one Builder remembers between builds. Owned by the Builder; never shared."""

    parsed: ParsedFiles = field(default_factory=dict)
    pages: dict[str, bytes] = field(default_factory=dict)  # output path -> page fingerprint
    static: set[str] = field(default_factory=set)  # other files of the site it wrote
    actors_without_file: tuple[str, ...] = ()
    last: LastBuild | None = None  # the last build's graph, for edits that leave it standing
    html_keys: set[str] = field(default_factory=set)  # the HtmlStore entries the site uses
    # the salt of the templates and settings, and each template's own salt (digest.build)
    template_salts: tuple[str, dict[str, str]] = ("", {})
    inputs: str = ""  # digest.scan signature of every input at the last successful build
    # the site folder it wrote: device, inode and the token its build left (digest.persist)
    output_id: tuple[int, int, str] = (0, 0, "")


class HtmlStore:
    """HTML converted from Markdown, by content hash: a SQLite file read entry by entry, so
    that a build which needs a few bodies does not load them all, and written in batches, so
    that a build of ten thousand does not hold them all. With no path, memory only."""

    BATCH = 256  # new entries kept in memory before they are written to the file
    RECENT = 256  # entries read from the file kept in memory (pages share a few bodies)

    def __init__(self, path: Path | None, version: str = "") -> None:
        self._version = version  # of the code that made the HTML: a file of other code is emptied
        self._memo: dict[str, str] = {}  # with no file: every entry
        self._pending: dict[str, str] = {}  # with a file: new entries not yet written
        self._recent: OrderedDict[str, str] = OrderedDict()
        self._path = path
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def _connection(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():  # a forked worker never uses its parent's connection
            self._db = None
        if self._db is None and self._path is not None:
            import sqlite3  # here: a build with nothing to do never opens the store

            self._pid = os.getpid()
            try:
                self._path.parent.mkdir(exist_ok=True)
                # a Builder may build from another thread than the one that made it (serve);
                # it never builds from two at once
                self._db = sqlite3.connect(self._path, timeout=30, check_same_thread=False)
                with self._db:
                    self._db.execute("CREATE TABLE IF NOT EXISTS html (key TEXT PRIMARY KEY, "
                                     "value TEXT NOT NULL)")
                    self._db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, "
                                     "value TEXT NOT NULL)")
                    row = self._db.execute(
                        "SELECT value FROM meta WHERE name = 'version'").fetchone()
                    if row is None or row[0] != self._version:
                        self._db.execute("DELETE FROM html")
                        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)",
                                         (self._version,))
            except sqlite3.Error as error:  # a damaged store is only a slower build
                log.warning("ignoring unreadable %s: %s", self._path, error)
                self._path.unlink(missing_ok=True)
                self._path = None
                self._db = None
                self._memo.update(self._pending)
                self._pending = {}
        return self._db

    def missing(self, keys: Iterable[str]) -> set[str]:
        wanted = {key for key in keys if key not in self._memo and key not in self._pending}
        db = self._connection()
        if db is None or not wanted:
            return wanted
        found: set[str] = set()
        ordered = sorted(wanted)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(row[0] for row in db.execute(
                f"SELECT key FROM html WHERE key IN ({marks})", chunk))  # noqa: S608
        return wanted - found

    def get(self, key: str) -> str:
        for kept in (self._memo, self._pending, self._recent):
            value = kept.get(key)
            if value is not None:
                return value
        db = self._connection()
        row = db.execute("SELECT value FROM html WHERE key = ?", (key,)).fetchone() \
            if db is not None else None
        if row is None:
            raise KeyError(key)
        self._recent[key] = row[0]
        if len(self._recent) > self.RECENT:
            self._recent.popitem(last=False)
        return str(row[0])

    def put(self, key: str, value: str) -> None:
        if self._connection() is None:
            self._memo[key] = value
            return
        self._pending[key] = value
        if len(self._pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Write new entries to the file now."""
        db = self._connection()
        if db is None or not self._pending:
            return
        with db:
            db.executemany("INSERT OR REPLACE INTO html VALUES (?, ?)", self._pending.items())
        self._pending = {}

    def save(self, live: set[str]) -> None:
        """Write what is new; forget entries no build uses any more once they pile up."""
        db = self._connection()
        if db is None:
            if len(self._memo) > 2 * len(live) + 100:
                self._memo = {key: value for key, value in self._memo.items() if key in live}
            return
        self.flush()
        with db:
            (count,) = db.execute("SELECT count(*) FROM html").fetchone()
            if count > 2 * len(live) + 100:
                db.execute("CREATE TEMP TABLE IF NOT EXISTS live (key TEXT PRIMARY KEY)")
                db.execute("DELETE FROM live")
                db.executemany("INSERT INTO live VALUES (?)", ((key,) for key in live))
                db.execute("DELETE FROM html WHERE key NOT IN (SELECT key FROM live)")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def html_store(root: Path, persistent: bool, version: str) -> HtmlStore:
    return HtmlStore(root / CACHE_DIR / "html.sqlite" if persistent else None, version)


# Folders of compiled templates kept for other settings (digest serve and a build with
# --base-url use different ones), the least recently used removed beyond this many.
COMPILED_KEPT = 4


def compiled_templates(root: Path, version: str, settings: str) -> Path | None:
    """Where Jinja keeps the templates compiled for this code and these settings.

    Jinja knows a compiled template by its source alone, but compiling does more than read the
    source: a filter applied to a constant (`'feed.xml'|url`) is worked out there and then, with
    the site's address of the time. So each code version and settings compile into a folder of
    their own; a build with other settings never loads templates compiled for these. None
    when there is no such folder to be had (compiled templates are then not kept)."""
    folder = root / CACHE_DIR / "templates"
    current = folder / content_hash(version, settings)[:16]
    try:
        current.mkdir(parents=True, exist_ok=True)
        os.utime(current)  # just used: the last to be removed
    except OSError as error:  # only a slower build
        log.warning("not keeping compiled templates: %s", error)
        return None
    try:
        others = sorted((entry for entry in os.scandir(folder)
                         if entry.is_dir() and entry.name != current.name),
                        key=lambda entry: entry.stat().st_mtime, reverse=True)
        for entry in others[COMPILED_KEPT - 1:]:
            shutil.rmtree(entry.path, ignore_errors=True)
        for entry in os.scandir(folder):  # compiled templates of earlier versions of digest
            if entry.is_file():
                os.unlink(entry.path)
    except OSError as error:  # only a slower build
        log.warning("could not tidy %s: %s", folder, error)
    return current


def _reference(name: bytes | str) -> bytes | str:
    """What a page fingerprint's pickle holds in place of a value named apart: an article
    card's digest (bytes) or a body's key (text). Never called: fingerprints are not loaded."""
    return name


class PageFingerprints:
    """Digests of page views: equal digests mean the rendered page would be byte-identical.

    Article cards recur on many pages (home, timelines, tags, months), so each is digested once
    and pages refer to it by that digest; a body's HTML is referred to by its key.
    """

    def __init__(self, salt: str, salts: Mapping[str, str] | None = None) -> None:
        # What pages depend on besides their views: the settings and the templates; per
        # template name when known (a page depends only on the templates it is made of).
        self._salt = salt.encode()
        self._salts = {name: value.encode() for name, value in (salts or {}).items()}
        self._cards: dict[int, tuple[ArticleCard, bytes]] = {}
        # imported here, not with the module: a build starts its first workers before it
        # needs the views (digest.ahead)
        from digest.bodies import Body
        from digest.views import ArticleCard
        self._reducers: dict[type, Callable[[Any], Any]] = {
            ArticleCard: self._reduce_card, Body: lambda body: (_reference, (body.key,))}

    def _reduce_card(self, card: ArticleCard) -> tuple[Any, tuple[bytes]]:
        known = self._cards.get(id(card))
        if known is None or known[0] is not card:
            digest = hashlib.blake2b(pickle.dumps(card, protocol=5), digest_size=16).digest()
            known = (card, digest)
            self._cards[id(card)] = known
        return _reference, (known[1],)

    def of(self, template: str, context: Mapping[str, Any]) -> bytes:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=5)
        pickler.dispatch_table = self._reducers
        pickler.dump((template, sorted(context.items())))
        digest = hashlib.blake2b(self._salts.get(template, self._salt), digest_size=20)
        digest.update(buffer.getvalue())
        return digest.digest()
