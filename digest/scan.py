"""One walk over the digest's input files: names, sizes and modification times.

A build walks its inputs once; the walk both tells whether anything changed at all and lets
loading skip files it has already read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from digest.errors import ContentError, Problem

# relative path (with '/') -> (modification time in ns, size in bytes)
Scan = dict[str, tuple[int, int]]


def scan(root: Path, tops: Iterable[Path]) -> Scan:
    """Every file under each of tops (files or folders), keyed by its path relative to root
    (or, outside root, its absolute path). Raises ContentError for what a build cannot read:
    a link to nothing (a curator's file silently left out would be worse), a link that makes
    a loop of folders, a folder that cannot be listed."""
    found: Scan = {}
    problems: list[Problem] = []
    for top in tops:
        if top.is_file():
            stat = top.stat()
            found[_key(root, str(top))] = (stat.st_mtime_ns, stat.st_size)
        elif top.is_dir():
            _walk(root, str(top), found, problems, set())
        elif top.is_symlink():
            problems.append(_broken_link(root, str(top)))
    if problems:
        raise ContentError(problems)
    return dict(sorted(found.items()))


def _walk(root: Path, folder: str, found: Scan, problems: list[Problem],
          above: set[tuple[int, int]]) -> None:
    """above: the folders (device, inode) this one is inside, to notice a link to one."""
    try:
        here = os.stat(folder)
        if (here.st_dev, here.st_ino) in above:
            problems.append(Problem(_key(root, folder), None,
                                    "this link leads back to a folder it is in",
                                    "remove the link, or make it point elsewhere"))
            return
        inside = above | {(here.st_dev, here.st_ino)}
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=True):
                    _walk(root, entry.path, found, problems, inside)
                elif entry.is_file(follow_symlinks=True):
                    stat = entry.stat()
                    found[_key(root, entry.path)] = (stat.st_mtime_ns, stat.st_size)
                elif entry.is_symlink() and not entry.name.startswith("."):
                    # (a hidden one is an editor's lock, Emacs's .#name: no source)
                    problems.append(_broken_link(root, entry.path))
    except OSError as error:
        problems.append(Problem(_key(root, folder), None,
                                f"cannot be read: {error.strerror or error}",
                                "check that the folder exists and that you may read it"))


def _broken_link(root: Path, path: str) -> Problem:
    return Problem(_key(root, path), None, f"a link to {os.readlink(path)}, which does not exist",
                   "remove the link, or restore the file it points to")


def key_of(root: Path, path: Path) -> str:
    """The key a file has in a scan of root."""
    return _key(root, str(path))


def _key(root: Path, path: str) -> str:
    prefix = str(root) + os.sep
    relative = path[len(prefix):] if path.startswith(prefix) else path
    return relative.replace(os.sep, "/")


def rescan(root: Path, previous: Scan, changed: Iterable[Path]) -> Scan | None:
    """The previous scan brought up to date for these changed files, or None if one of them
    is a folder (then only a whole new scan will do)."""
    updated = dict(previous)
    added = False
    for path in changed:
        key = _key(root, str(path))
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            updated.pop(key, None)
            continue
        if not os.path.isfile(path):
            return None
        added = added or key not in updated
        updated[key] = (stat.st_mtime_ns, stat.st_size)
    return dict(sorted(updated.items())) if added else updated


def signature(scanned: Scan) -> str:
    """A digest of every name, size and time in the scan (which is sorted by name)."""
    return hashlib.blake2b(repr(scanned).encode(), digest_size=16).hexdigest()
