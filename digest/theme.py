"""Where the default theme lives.

Installed, it is the package folder digest/default_theme; in a checkout, the repository's
templates/ folder (pyproject.toml maps the one onto the other).
"""

from __future__ import annotations

from pathlib import Path


def theme_dir() -> Path:
    packaged = Path(__file__).resolve().parent / "default_theme"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"
