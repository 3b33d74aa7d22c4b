"""One walk over the digest's input files: names, sizes and modification times.

A build walks its inputs once; the walk both tells whether anything changed at all and lets
loading skip files it has already read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

# relative path (with '/') -> (modification time in ns, size in bytes)
Scan = dict[str, tuple[int, int]]


def scan(root: Path, tops: Iterable[Path]) -> Scan:
    """Every file under each of tops (files or folders), keyed by its path relative to root
    (or, outside root, its absolute path)."""
    found: Scan = {}
    for top in tops:
        if top.is_file():
            stat = top.stat()
            found[_key(root, str(top))] = (stat.st_mtime_ns, stat.st_size)
        elif top.is_dir():
            _walk(root, str(top), found)
    return dict(sorted(found.items()))


def _walk(root: Path, folder: str, found: Scan) -> None:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=True):
                _walk(root, entry.path, found)
            elif entry.is_file(follow_symlinks=True):
                stat = entry.stat()
                found[_key(root, entry.path)] = (stat.st_mtime_ns, stat.st_size)


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
