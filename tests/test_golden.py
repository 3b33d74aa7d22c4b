"""The fixture digest builds to exactly the committed golden site (tests/golden/).

Any change to what a reader gets shows up here as a diff. When a change is meant, rebuild the
golden site and review it with git diff:

    UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.conftest import build

GOLDEN = Path(__file__).parent / "golden"


def files(folder: Path) -> dict[str, bytes]:
    """Every file but static/, which is the theme's own files copied as they are."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).parts[0] != "static"}


def test_the_fixture_digest_builds_to_the_golden_site(digest_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(digest_root, out)
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN, ignore=lambda folder, names: ["static"] if Path(
            folder) == out else [])
    built, golden = files(out), files(GOLDEN)
    assert sorted(built) == sorted(golden)
    for path, data in built.items():
        assert data == golden[path], f"{path} differs from tests/golden/{path}"
