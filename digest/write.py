"""Write the site aside, then swap it in: a failed build never leaves a half-written site."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from digest.errors import DigestError, Problem


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: tuple[str, ...]  # new or changed files
    removed: tuple[str, ...]  # files of the previous site that the new one no longer has
    unchanged: int  # files carried over untouched (same inode, same modification time)


def check_output_dir(out: Path, root: Path) -> None:
    """Refuse an output folder whose replacement would destroy the digest itself."""
    out, root = out.resolve(), root.resolve()
    if out == root or root.is_relative_to(out) or (out / "digest.yaml").exists() or (
            out / "content").is_dir():
        raise DigestError(Problem(str(out), None, "refusing to replace this folder with the site",
                                  "choose an empty folder or the default site/ for --out"))


def _same_file(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def write_site(out: Path, files: Mapping[str, bytes | None]) -> WriteReport:
    """Make `out` hold exactly `files` (path relative to out -> bytes).

    A value of None means "the same as in the current site": the file is carried over without
    being read. Files whose bytes did not change are carried over as hard links, so their
    modification times stay as they were.
    """
    staging = out.with_name(f".{out.name}.new")
    retired = out.with_name(f".{out.name}.old")
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    staging.mkdir(parents=True)
    written, unchanged = [], 0
    made_dirs: set[Path] = {staging}
    for relative, data in files.items():
        target = staging / relative
        if target.parent not in made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(target.parent)
        previous = out / relative
        if data is None or _same_file(previous, data):
            try:
                os.link(previous, target)
                unchanged += 1
                continue
            except OSError:
                if data is None:
                    raise
        target.write_bytes(data)  # type: ignore[arg-type]
        written.append(relative)
    removed = []
    if out.exists():
        kept = set(files)
        removed = sorted(
            p.relative_to(out).as_posix() for p in out.rglob("*")
            if p.is_file() and p.relative_to(out).as_posix() not in kept)
        out.rename(retired)
    staging.rename(out)
    if retired.exists():
        shutil.rmtree(retired)
    return WriteReport(tuple(sorted(written)), tuple(removed), unchanged)
