"""Watch source folders and hand over settled batches of changed paths.

Editors do not write a file once: vim writes `4913` and `.swp` files, others write a temporary
file and rename it over the original, and a `git checkout` touches hundreds of files in a burst.
The watcher drops the noise, waits until events settle for a moment, then delivers one batch,
so that one save means one rebuild.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

log = logging.getLogger(__name__)

# Names editors and tools write next to the real file while saving; never a source of content.
_NOISE_SUFFIXES = (".swp", ".swo", ".swx", ".swpx", "~", ".tmp", ".temp", ".part",
                   ".kate-swp", ".crdownload", ".bak")
_NOISE_PREFIXES = (".#", ".~lock.")
_NOISE_NAMES = frozenset({"4913", ".DS_Store", "Thumbs.db"})
_NOISE_FOLDERS = frozenset({".git", ".hg", ".svn", "__pycache__", ".digest-cache"})


def is_noise(path: Path) -> bool:
    """True for editor swap/backup/lock files and version-control folders."""
    name = path.name
    if name in _NOISE_NAMES or name.endswith(_NOISE_SUFFIXES) or name.startswith(_NOISE_PREFIXES):
        return True
    # Emacs auto-save files look like #name#.
    if len(name) > 1 and name.startswith("#") and name.endswith("#"):
        return True
    return any(part in _NOISE_FOLDERS for part in path.parts)


@dataclass(frozen=True, slots=True)
class ChangeBatch:
    """Changes that settled together. `everything` means: the set is not trustworthy
    (a folder moved or vanished), so the consumer should check all sources."""

    paths: frozenset[Path]
    everything: bool = False


def classify(path: Path, kinds: Mapping[Path, str], default: str = "other") -> str:
    """The kind of the watched root that holds `path` (the deepest one wins)."""
    best: tuple[int, str] | None = None
    for root, kind in kinds.items():
        if path == root or path.is_relative_to(root):
            depth = len(root.parts)
            if best is None or depth > best[0]:
                best = (depth, kind)
    return default if best is None else best[1]


class _Collector(FileSystemEventHandler):
    """Receives watchdog events on the observer thread and feeds the debouncer."""

    def __init__(self, accept: Callable[[Path], bool],
                 add: Callable[[Iterable[Path], bool], None],
                 folder_event: Callable[[list[Path]], None]) -> None:
        self._accept = accept
        self._add = add
        self._folder_event = folder_event

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reads, not changes
        raw = [event.src_path]
        if event.dest_path:
            raw.append(event.dest_path)
        paths = [Path(p if isinstance(p, str) else p.decode()) for p in raw]
        if event.is_directory:
            self._folder_event(paths)  # a watched folder may have appeared or gone
            if event.event_type in ("modified", "created", "closed"):
                return  # the files inside report their own events
        wanted = [p for p in paths if self._accept(p)]
        if not wanted:
            return
        # A folder renamed or deleted hides which files went with it.
        self._add(wanted, event.is_directory)


class Debouncer:
    """Gathers paths and calls `deliver` once they have been quiet for `quiet` seconds
    (or `longest` seconds after the first one, so a steady stream cannot starve rebuilds).
    Deliveries run one at a time on the debouncer's own thread; changes that arrive while
    `deliver` runs make up the next batch."""

    def __init__(self, deliver: Callable[[ChangeBatch], None], *, quiet: float = 0.05,
                 longest: float = 1.0) -> None:
        self._deliver = deliver
        self._quiet = quiet
        self._longest = longest
        self._lock = threading.Condition()
        self._pending: set[Path] = set()
        self._everything = False
        self._first = 0.0
        self._last = 0.0
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="serve-debounce", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, paths: Iterable[Path], everything: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            if not self._pending and not self._everything:
                self._first = now
            self._pending.update(paths)
            self._everything = self._everything or everything
            self._last = now
            self._lock.notify_all()

    def stop(self) -> None:
        """Stop after the delivery in progress (if any); pending changes are dropped."""
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()

    def _next_batch(self) -> ChangeBatch | None:
        with self._lock:
            while True:
                if self._stopping:
                    return None
                if self._pending or self._everything:
                    now = time.monotonic()
                    due = min(self._last + self._quiet, self._first + self._longest)
                    if now >= due:
                        batch = ChangeBatch(frozenset(self._pending), self._everything)
                        self._pending = set()
                        self._everything = False
                        return batch
                    self._lock.wait(due - now)
                else:
                    self._lock.wait()

    def _loop(self) -> None:
        while (batch := self._next_batch()) is not None:
            try:
                self._deliver(batch)
            except Exception:  # one failed delivery must not end watching
                log.exception("handling changes failed")


class SourceWatcher:
    """Watches folders (recursively) and single files, and delivers debounced ChangeBatches.

    A folder need not exist: a curator may start a preview before making templates/ for their
    own templates. Each folder's parent is watched too, so that a folder that appears (made,
    moved in, or checked out again after being removed) is watched from then on, and reported
    as a change of everything, since files may have landed in it before its watch began."""

    def __init__(self, folders: Iterable[Path], files: Iterable[Path],
                 deliver: Callable[[ChangeBatch], None], *,
                 quiet: float = 0.05, longest: float = 1.0) -> None:
        self._folders = tuple(p.resolve() for p in folders)
        self._files = frozenset(p.resolve() for p in files)
        self._debouncer = Debouncer(deliver, quiet=quiet, longest=longest)
        self._observer = Observer()
        self._observer.daemon = True
        self._handler = _Collector(self._accepts, self._debouncer.add, self._folder_event)
        # changed on the observer's thread alone once it runs
        self._watches: dict[Path, ObservedWatch] = {}
        for folder in self._folders:
            self._watch(folder)
        # Single files (digest.yaml) are watched through their folder, which survives the
        # file being replaced by an atomic save; so are folders, to see them appear.
        parents = {p.parent for p in self._files} | {p.parent for p in self._folders}
        for parent in sorted(parents - set(self._folders)):
            if parent.is_dir():
                self._observer.schedule(self._handler, str(parent), recursive=False)

    def _watch(self, folder: Path) -> bool:
        """Watch the folder if it exists and is not watched yet; True if it is new."""
        if folder in self._watches or not folder.is_dir():
            return False
        self._watches[folder] = self._observer.schedule(self._handler, str(folder),
                                                        recursive=True)
        return True

    def _unwatch(self, folder: Path) -> None:
        """Stop watching a folder that was removed or moved away (a watch follows the folder
        itself, so a moved folder would go on reporting under its old name)."""
        watch = self._watches.pop(folder, None)
        if watch is not None:
            self._observer.unschedule(watch)

    def _folder_event(self, paths: list[Path]) -> None:
        for path in paths:
            if path not in self._folders:
                continue
            if path.is_dir():
                if self._watch(path):
                    log.info("watching %s", path)
                    self._debouncer.add([path], True)
            else:
                self._unwatch(path)

    def _accepts(self, path: Path) -> bool:
        if is_noise(path):
            return False
        if path in self._files:
            return True
        return any(path.is_relative_to(folder) for folder in self._folders)

    def add(self, paths: Iterable[Path], everything: bool = False) -> None:
        """Report changes found some other way (files saved before the watch began), as if
        they had been seen; noise is dropped as usual."""
        wanted = [p for p in paths if self._accepts(p)]
        if wanted or everything:
            self._debouncer.add(wanted, everything)

    def start(self) -> None:
        self._debouncer.start()
        self._observer.start()
        log.info("watching %s", ", ".join(str(p) for p in (*self._folders, *self._files)))

    def stop(self) -> None:
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join()
        self._debouncer.stop()
