"""digest.yaml: the digest's settings, checked key by key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from digest.errors import ContentError, Problem
from digest.frontmatter import YamlProblem, load_yaml

CONFIG_FILE = "digest.yaml"


@dataclass(frozen=True, slots=True)
class IngestSettings:
    # Extra regular expressions for lines of page chrome in pasted text (whole-line matches).
    chrome_patterns: tuple[str, ...] = ()
    fetch_timeout: float = 20.0  # seconds, for `digest ingest URL`
    max_bytes: int = 5_000_000  # the largest page `digest ingest URL` downloads


@dataclass(frozen=True, slots=True)
class Config:
    root: Path
    title: str = "News digest"
    description: str = ""
    base_url: str = "http://127.0.0.1:8000/"
    language: str = "en"
    per_page: int = 10
    author: str = ""
    related_count: int = 5  # related articles shown on an article page
    feed_items: int = 20  # entries in each Atom feed
    co_actors: int = 10  # actors listed as "appears with" on an actor page
    ingest: IngestSettings = field(default_factory=IngestSettings)

    @property
    def base_path(self) -> str:
        """The path part of base_url, always starting and ending with '/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"


_TYPES: dict[str, type | tuple[type, ...]] = {
    "title": str, "description": str, "base_url": str, "language": str, "per_page": int,
    "author": str, "related_count": int, "feed_items": int, "co_actors": int, "ingest": dict,
}
_INGEST_TYPES: dict[str, type | tuple[type, ...]] = {
    "chrome_patterns": list, "fetch_timeout": (int, float), "max_bytes": int,
}


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(f"{key}:"):
            return number
    return 1


def _check(values: dict[str, Any], types: dict[str, Any], text: str, path: str,
           prefix: str = "") -> list[Problem]:
    problems = []
    for key, value in values.items():
        if key not in types:
            known = ", ".join(sorted(types))
            problems.append(Problem(path, _line_of(text, str(key)),
                                    f"unknown setting '{prefix}{key}'",
                                    f"remove it or use one of: {known}"))
        elif isinstance(value, bool) or not isinstance(value, types[key]):
            wanted = types[key]
            name = wanted.__name__ if isinstance(wanted, type) else wanted[0].__name__
            problems.append(Problem(path, _line_of(text, key),
                                    f"'{prefix}{key}' must be a {name}, not {value!r}"))
    return problems


def load_config(root: Path, base_url: str | None = None) -> Config:
    """Read digest.yaml under root; a missing file means all defaults.

    base_url, when given, replaces the file's (the Pages workflow knows the real address).
    """
    config_path = root / CONFIG_FILE
    text = config_path.read_text(encoding="utf-8") if config_path.exists() else ""
    try:
        data = load_yaml(text, CONFIG_FILE) or {}
    except YamlProblem as error:
        raise ContentError(error.problem) from None
    if not isinstance(data, dict):
        raise ContentError(Problem(CONFIG_FILE, 1, "must be a mapping of settings",
                                   "write one 'key: value' per line"))
    if base_url is not None:
        data["base_url"] = base_url
    problems = _check(data, _TYPES, text, CONFIG_FILE)
    ingest_data = data.get("ingest") or {}
    if isinstance(ingest_data, dict):
        problems += _check(ingest_data, _INGEST_TYPES, text, CONFIG_FILE, "ingest.")
    if isinstance(data.get("per_page"), int) and data["per_page"] < 1:
        problems.append(Problem(CONFIG_FILE, _line_of(text, "per_page"),
                                "'per_page' must be 1 or more"))
    url = data.get("base_url")
    if isinstance(url, str) and urlsplit(url).scheme not in ("http", "https"):
        problems.append(Problem(CONFIG_FILE, _line_of(text, "base_url"),
                                f"'base_url' must be a full http(s) URL, not {url!r}",
                                "for example https://example.github.io/digest/"))
    if problems:
        raise ContentError(problems)
    settings = {key: value for key, value in data.items() if key != "ingest"}
    if isinstance(url, str) and not url.endswith("/"):
        settings["base_url"] = url + "/"
    ingest_values = dict(ingest_data) if isinstance(ingest_data, dict) else {}
    if "chrome_patterns" in ingest_values:
        ingest_values["chrome_patterns"] = tuple(str(p) for p in ingest_values["chrome_patterns"])
    return Config(root=root, ingest=IngestSettings(**ingest_values), **settings)
