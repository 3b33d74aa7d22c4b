"""Write the site so that a reader never sees a half-built one.

New and changed files are written into a staging folder beside the site while pages are
rendered; nothing in the site itself changes until every page has rendered. Then a first build's
staging folder is renamed into place, and a later build's changed files are moved in, each by an
atomic rename: every page is always either its old or its new version. Files whose bytes did not
change are not touched at all, so their modification times stay as they were.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from digest.errors import DigestError, Problem


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: tuple[str, ...]  # new or changed files
    removed: tuple[str, ...]  # files of the previous site that the new one no longer has
    unchanged: int  # files left exactly as they were


def check_output_dir(out: Path, root: Path, sources: Iterable[Path], known: bool) -> None:
    """Refuse an output folder whose replacement would destroy something else: the digest
    itself, one of its source folders, a file, or a folder of other files. A build replaces
    everything in its folder, so that folder must be empty, or one digest built: known (the
    digest's cache says it built there) or holding the .nojekyll file every site gets."""
    def refuse(message: str, hint: str) -> DigestError:
        return DigestError(Problem(str(out), None, message, hint))

    choose = "choose an empty folder or the default site/ for --out"
    out, root = out.resolve(), root.resolve()
    if out == root or root.is_relative_to(out) or (out / "digest.yaml").exists() or (
            out / "content").is_dir():
        raise refuse("refusing to replace this folder with the site", choose)
    for source in sources:
        if out.is_relative_to(source.resolve()):
            raise refuse(f"refusing to build the site inside {source.name}/, which it is "
                         "made from", choose)
    if out.exists() and not out.is_dir():
        raise refuse("refusing to replace this file with the site", choose)
    if known or not out.is_dir() or (out / ".nojekyll").is_file():
        return
    others = sorted(p.name for p in out.iterdir() if p.name not in KEPT)
    if others:
        shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise refuse(f"refusing to replace this folder with the site: it holds files that "
                     f"digest did not make ({shown})",
                     "empty it, or choose an empty folder or the default site/ for --out")


class StagedFiles:
    """Writes files into the staging folder; safe to use from several processes at once
    provided each handles its own paths.

    A first build stages the whole site as a tree, which is then renamed into place. A later
    build stages only new and changed files, side by side in one flat folder (named by a hash
    of their path): no folder has to be made for each page, nor removed afterwards, and at
    10,000 articles that is a second of a template edit's build."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.staging = out.with_name(f".{out.name}.new")
        self._fresh = not out.exists()
        self._made: set[str] = set()

    def staged(self, relative: str) -> str:
        """Where the file is staged."""
        if self._fresh:
            return os.path.join(self.staging, relative)
        name = hashlib.blake2b(relative.encode(), digest_size=16).hexdigest()
        return os.path.join(self.staging, name)

    def put(self, relative: str, data: bytes) -> bool:
        """Stage a file; False (and nothing written) when the site already has these bytes."""
        if not self._fresh:
            current = os.path.join(self.out, relative)
            try:
                if os.stat(current).st_size == len(data):
                    with open(current, "rb") as old:
                        if old.read() == data:
                            return False
            except OSError:
                pass
        target = self.staged(relative)
        folder = os.path.dirname(target)
        if folder not in self._made:
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        with open(target, "wb") as staged:
            staged.write(data)
        return True


class SiteWriter:
    """Collects one build's files, then makes `out` hold exactly them (see the module doc)."""

    def __init__(self, out: Path, previous: Collection[str] | None = None) -> None:
        self.out = out
        self.files = StagedFiles(out)
        self._previous = previous  # the files `out` holds, when the caller knows them
        self._all: set[str] = set()
        self._changed: list[str] = []
        self._dropped: set[str] = set()
        if self.files.staging.exists():
            shutil.rmtree(self.files.staging)

    def put(self, relative: str, data: bytes) -> None:
        self.record(relative, self.files.put(relative, data))

    def keep(self, relative: str) -> None:
        """The file is known to be unchanged since the last build: leave it."""
        if not (self.out / relative).is_file():
            raise ValueError(f"cannot keep {relative}: the site does not have it")
        self.record(relative, False)

    def drop(self, relative: str) -> None:
        """A file of the last site that this one no longer has: a partial commit removes it
        (a full commit removes every file not recorded anyway)."""
        self._dropped.add(relative)

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(self._all)

    def record(self, relative: str, changed: bool) -> None:
        """A file staged elsewhere (by a worker process sharing the staging folder)."""
        self._all.add(relative)
        if changed:
            self._changed.append(relative)

    def _move_in(self, written: Iterable[str]) -> None:
        for relative in written:
            staged, target = self.files.staged(relative), os.path.join(self.out, relative)
            try:
                os.replace(staged, target)
            except (FileNotFoundError, NotADirectoryError):  # a new folder of pages
                parent = Path(target).parent
                if parent.is_file():  # a file became a folder of pages
                    parent.unlink()
                parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, target)
            except IsADirectoryError:  # a folder became a file: none of its files stay
                shutil.rmtree(target)
                os.replace(staged, target)

    def abort(self) -> None:
        if self.files.staging.exists():
            shutil.rmtree(self.files.staging)

    def commit(self, partial: bool = False) -> WriteReport:
        """Move the new and changed files into place. partial: the files recorded are only
        some of the site's; the others stay (else files not recorded are removed)."""
        staging = self.files.staging
        written = tuple(sorted(self._changed))
        if partial:
            dropped = sorted(self._dropped - self._all)
            self._remove(dropped)  # first: a file dropped may be where a new folder goes
            self._move_in(written)
            self.abort()
            return WriteReport(written, tuple(dropped), len(self._all) - len(written))
        if not self.out.exists():
            staging.mkdir(parents=True, exist_ok=True)
            staging.rename(self.out)
            return WriteReport(written, (), len(self._all) - len(written))
        old_files = _listing(self.out) if self._previous is None else set(self._previous)
        removed = sorted(old_files - self._all)
        self._move_in(written)
        self.abort()
        self._remove(removed)
        return WriteReport(written, tuple(removed), len(self._all) - len(written))

    def _remove(self, relatives: Iterable[str]) -> None:
        for relative in relatives:
            (self.out / relative).unlink(missing_ok=True)
            _prune_empty_parents(self.out, (self.out / relative).parent)


# What a site folder may hold that is not the site's, and that a build never removes: version
# control (a gh-pages checkout as --out), GitHub Pages' custom-domain file, and the files
# desktops leave behind.
KEPT = frozenset({".git", ".hg", ".svn", "CNAME", ".DS_Store", "Thumbs.db", "desktop.ini"})


def _listing(out: Path) -> set[str]:
    """The site's files in `out`, leaving out what it may keep (KEPT, at its top)."""
    return {p.relative_to(out).as_posix() for top in out.iterdir() if top.name not in KEPT
            for p in (top.rglob("*") if top.is_dir() else [top]) if p.is_file()}


def _prune_empty_parents(out: Path, folder: Path) -> None:
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
