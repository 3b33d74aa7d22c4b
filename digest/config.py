"""digest.yaml: the digest's settings, checked key by key."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from digest.errors import ContentError, DigestError, Problem
from digest.frontmatter import YamlProblem, load_yaml, read_utf8, value_line
from digest.urls import is_web_address

CONFIG_FILE = "digest.yaml"


DEFAULT_BASE_URL = "http://127.0.0.1:8000/"  # the preview's address


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
    base_url: str = DEFAULT_BASE_URL
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
    # one pattern may stand alone, as a single name may in a list-valued front matter field
    "chrome_patterns": (list, str), "fetch_timeout": (int, float), "max_bytes": int,
}
# The smallest value each count allows, and what the count means at that end.
_MINIMUMS: dict[str, tuple[int, str]] = {
    "per_page": (1, "articles on each home page"),
    "related_count": (0, "related articles on an article page; 0 shows none"),
    "feed_items": (1, "entries in each Atom feed"),
    "co_actors": (0, "actors an actor page lists as appearing with it; 0 lists none"),
    "ingest.max_bytes": (1, "the largest page, in bytes, that `digest ingest URL` downloads"),
}
_BASE_URL_EXAMPLE = "for example https://example.github.io/digest/"


def _line_of(text: str, *keys: str | int) -> int:
    """The line of a setting (or of an item of a list setting) in digest.yaml, else 1."""
    return (value_line(text, keys) or 1) if text else 1


def _check(values: dict[str, Any], types: dict[str, Any], text: str, path: str,
           prefix: str = "") -> list[Problem]:
    problems = []
    keys = prefix.split(".")[:-1]
    for key, value in values.items():
        if key not in types:
            known = ", ".join(sorted(types))
            problems.append(Problem(path, _line_of(text, *keys, str(key)),
                                    f"unknown setting '{prefix}{key}'",
                                    f"remove it or use one of: {known}"))
        elif value is None and types[key] is str:
            values[key] = ""  # `description:` left blank: no description
        elif isinstance(value, bool) or not isinstance(value, types[key]):
            wanted = types[key]
            kind = wanted if isinstance(wanted, type) else wanted[0]
            problems.append(Problem(path, _line_of(text, *keys, str(key)),
                                    f"'{prefix}{key}' must be {_KINDS.get(kind, kind.__name__)}"
                                    f", not {value!r}"))
    return problems


_KINDS = {str: "text", int: "a whole number", float: "a number", list: "a list", dict: "a mapping"}


def base_url_problem(url: str) -> str | None:
    """What is wrong with url as the site's address, or None. Links, feed ids and the sitemap
    are made from it, so it needs a host, and a query or fragment would end up inside them."""
    if any(c.isspace() for c in url):
        return "must not hold spaces (write a space in a path as %20)"
    if not is_web_address(url):
        return "must be a full http(s) URL with a host"
    if "?" in url or "#" in url:
        return "must not have a query (?...) or a fragment (#...)"
    try:
        urlsplit(url).port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError:
        return "has a port that is not a number"
    return None


def _range_problems(data: dict[str, Any], ingest: dict[str, Any], text: str) -> list[Problem]:
    problems = []
    for name, (minimum, meaning) in _MINIMUMS.items():
        section, key = (ingest, name[len("ingest."):]) if name.startswith("ingest.") else (
            data, name)
        value = section.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value < minimum:
            problems.append(Problem(CONFIG_FILE, _line_of(text, *name.split(".")),
                                    f"'{name}' must be {minimum} or more, not {value}", meaning))
    timeout = ingest.get("fetch_timeout")
    if isinstance(timeout, int | float) and not isinstance(timeout, bool) and not (
            0 < timeout < math.inf):
        problems.append(Problem(CONFIG_FILE, _line_of(text, "ingest", "fetch_timeout"),
                                f"'ingest.fetch_timeout' must be more than 0, not {timeout}",
                                "seconds `digest ingest URL` waits for an answer"))
    return problems


def _pattern_problems(patterns: list[Any], text: str) -> list[Problem]:
    """Each chrome pattern must compile as ingest uses it: alone and case-insensitive, so a
    leading (?i) is fine and an error's position is one in the curator's own pattern."""
    problems = []
    for index, pattern in enumerate(patterns):
        line = _line_of(text, "ingest", "chrome_patterns", index)
        if not isinstance(pattern, str):
            problems.append(Problem(CONFIG_FILE, line,
                                    f"'ingest.chrome_patterns' holds {pattern!r}, not a pattern",
                                    "write each pattern as text, in quotes"))
            continue
        try:
            re.compile(pattern, re.I)
        except re.error as error:
            problems.append(Problem(CONFIG_FILE, line,
                                    f"'ingest.chrome_patterns': {pattern!r} is not a regular "
                                    f"expression: {error}",
                                    "patterns match whole lines, case-insensitively; put a "
                                    "backslash before ( ) [ ] . * + ? meant as text"))
    return problems


def check_root(root: Path) -> None:
    """The digest's folder must exist and be one (digest.yaml or content/ in it): a typo in
    --root, or a command run from inside content/, would otherwise make an empty site or a
    second digest there."""
    hint = "give --root the digest's folder, the one with digest.yaml, or run from it"
    if not root.is_dir():
        raise DigestError(Problem(str(root), None, "no such folder", hint))
    if not (root / CONFIG_FILE).is_file() and not (root / "content").is_dir():
        raise DigestError(Problem(
            str(root), None, "not a digest folder: no digest.yaml or content/ in it",
            f"{hint}; to start a new digest here, make a digest.yaml (title, base_url: see "
            "the README) or a content/ folder"))


def load_config(root: Path, base_url: str | None = None) -> Config:
    """Read digest.yaml under root; a missing file means all defaults.

    base_url, when given, replaces the file's (the Pages workflow knows the real address).
    """
    config_path = root / CONFIG_FILE
    text = read_utf8(config_path, CONFIG_FILE) if config_path.exists() else ""
    try:
        data = load_yaml(text, CONFIG_FILE) or {}
    except YamlProblem as error:
        raise ContentError(error.problem) from None
    if not isinstance(data, dict):
        raise ContentError(Problem(CONFIG_FILE, 1, "must be a mapping of settings",
                                   "write one 'key: value' per line"))
    problems = _check(data, _TYPES, text, CONFIG_FILE)
    ingest_data = data.get("ingest") or {}
    if isinstance(ingest_data, dict):
        problems += _check(ingest_data, _INGEST_TYPES, text, CONFIG_FILE, "ingest.")
    else:
        ingest_data = {}
    patterns = ingest_data.get("chrome_patterns")
    if isinstance(patterns, str):
        patterns = ingest_data["chrome_patterns"] = [patterns]
    if isinstance(patterns, list):
        problems += _pattern_problems(patterns, text)
    problems += _range_problems(data, ingest_data, text)
    if base_url is not None:  # the option wins over the file, so only the option is checked
        reason = base_url_problem(base_url)
        if reason is not None:
            problems.append(Problem("--base-url", None, f"{reason}, not {base_url!r}",
                                    _BASE_URL_EXAMPLE))
        data["base_url"] = base_url
    elif isinstance(data.get("base_url"), str):
        reason = base_url_problem(data["base_url"])
        if reason is not None:
            problems.append(Problem(CONFIG_FILE, _line_of(text, "base_url"),
                                    f"'base_url' {reason}, not {data['base_url']!r}",
                                    _BASE_URL_EXAMPLE))
    if problems:
        raise ContentError(sorted(problems, key=lambda problem: problem.line or 0))
    settings = {key: value for key, value in data.items() if key != "ingest"}
    url = settings.get("base_url")
    if isinstance(url, str) and not url.endswith("/"):
        settings["base_url"] = url + "/"
    ingest_values = dict(ingest_data)
    if "chrome_patterns" in ingest_values:
        ingest_values["chrome_patterns"] = tuple(ingest_values["chrome_patterns"])
    return Config(root=root, ingest=IngestSettings(**ingest_values), **settings)
