"""Where the default theme lives: packaged as digest/theme, or the repository's templates/."""

from __future__ import annotations

from pathlib import Path


def theme_dir() -> Path:
    packaged = Path(__file__).resolve().parent / "theme"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"
