"""Telling whether the site folder is still as digest last left it.

A build that finds its inputs unchanged leaves the site alone, and one that finds a page's
views unchanged does not render it again: both take the folder to hold what the last build
wrote. Someone may have changed it since: deleted a folder of pages, edited a page by hand,
added a file. So every build records the size and modification time of each file it leaves
in the site and of each folder holding them (a folder's time changes when a file is added to
it or removed from it), and the next build compares them before it trusts the folder.

Stat calls on known paths, not a walk: a walk opens and lists every folder, and each page has
its own (about 0.17 s at 10,000 articles here, against 0.09 s for these stats).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

Stamp = tuple[int, int]  # size in bytes, modification time in nanoseconds
# path in the site -> its stamp; a folder's path ends in "/", and the site folder is "./"
Records = dict[str, Stamp]

TOP = "./"


def with_folders(paths: Iterable[str]) -> set[str]:
    """These files' paths and those of the folders above them, up to the site folder."""
    result = {TOP}
    for path in paths:
        result.add(path)
        slash = path.rfind("/")
        while slash > 0:
            folder = path[:slash + 1]
            if folder in result:  # and so are the folders above it
                break
            result.add(folder)
            slash = path.rfind("/", 0, slash)
    return result


def stamps(out: Path, paths: Iterable[str]) -> Records:
    """The stamps of those of these paths (in the site folder `out`) that exist."""
    records: Records = {}
    folder = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for path in paths:
            try:
                status = os.stat(path, dir_fd=folder, follow_symlinks=False)
            except OSError:
                continue
            records[path] = (status.st_size, status.st_mtime_ns)
    finally:
        os.close(folder)
    return records


def record_site(out: Path, files: Iterable[str]) -> Records:
    """The records of a site folder that holds these files (and what a build keeps: KEPT)."""
    return stamps(out, with_folders(files))


def updated(records: Records, out: Path, touched: Iterable[str]) -> Records:
    """The records after a build wrote or removed the files `touched` and left the rest."""
    again = with_folders(touched)
    result = {path: stamp for path, stamp in records.items() if path not in again}
    result.update(stamps(out, again))
    return result


def differences(out: Path, records: Records) -> list[str]:
    """The recorded paths whose stamps are not the same now (changed or gone), in order."""
    now = stamps(out, records)
    return sorted(path for path, stamp in records.items() if now.get(path) != stamp)


def describe(changes: list[str]) -> str:
    """What the differences tell a person, in a few words: the files changed or gone, or else
    the folders that files were added to (or removed from, whatever else changed)."""
    files = [path for path in changes if not path.endswith("/")]
    shown = files or [path.removeprefix(TOP) or "the site folder" for path in changes]
    listed = ", ".join(shown[:3]) + (f" and {len(shown) - 3:,} more" if len(shown) > 3 else "")
    return (f"{'files changed or removed' if files else 'files added to or removed from'}: "
            f"{listed}")
