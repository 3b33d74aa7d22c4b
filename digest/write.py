"""Write the site so that a reader never sees a half-built one.

Every page is rendered before the first byte is written. A first build is written aside and
renamed into place. Later builds stage the files that changed, then move each into place with
an atomic rename: every page is always either its old or its new version, and files whose bytes
did not change are not touched at all.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from digest.errors import DigestError, Problem


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: tuple[str, ...]  # new or changed files
    removed: tuple[str, ...]  # files of the previous site that the new one no longer has
    unchanged: int  # files left exactly as they were


def check_output_dir(out: Path, root: Path) -> None:
    """Refuse an output folder whose replacement would destroy the digest itself."""
    out, root = out.resolve(), root.resolve()
    if out == root or root.is_relative_to(out) or (out / "digest.yaml").exists() or (
            out / "content").is_dir():
        raise DigestError(Problem(str(out), None, "refusing to replace this folder with the site",
                                  "choose an empty folder or the default site/ for --out"))


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _write_tree(folder: Path, files: Mapping[str, bytes]) -> None:
    made: set[Path] = set()
    for relative, data in files.items():
        target = folder / relative
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(data)


def _listing(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def write_site(out: Path, files: Mapping[str, bytes | None],
               previous: Collection[str] | None = None) -> WriteReport:
    """Make `out` hold exactly `files` (path relative to out -> bytes).

    None means "unchanged since the last build": the file in `out` is kept as it is.
    `previous` lists the files `out` holds, when the caller knows it (saves a walk of the tree).
    """
    staging = out.with_name(f".{out.name}.new")
    if staging.exists():
        shutil.rmtree(staging)
    if not out.exists():
        missing = [path for path, data in files.items() if data is None]
        if missing:
            raise ValueError(f"cannot keep {missing[0]}: there is no previous site")
        _write_tree(staging, {p: d for p, d in files.items() if d is not None})
        staging.rename(out)
        return WriteReport(tuple(sorted(files)), (), 0)

    changed = {path: data for path, data in files.items()
               if data is not None and not _same_bytes(out / path, data)}
    old_files = _listing(out) if previous is None else set(previous)
    removed = sorted(old_files - set(files))
    _write_tree(staging, changed)
    made: set[Path] = set()
    for relative in changed:
        target = out / relative
        if target.parent not in made:
            if target.parent.is_file():  # a file became a folder of pages
                target.parent.unlink()
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        os.replace(staging / relative, target)
    if staging.exists():
        shutil.rmtree(staging)
    for relative in removed:
        (out / relative).unlink(missing_ok=True)
        _prune_empty_parents(out, (out / relative).parent)
    return WriteReport(tuple(sorted(changed)), tuple(removed), len(files) - len(changed))


def _prune_empty_parents(out: Path, folder: Path) -> None:
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
