"""Every page's place in the site, decided in one module.

Paths here are relative to the site root and end in '/' for pages; the templates prefix them
with the base path (see Config.base_path) and feeds with the full base_url. The functions are
pure, so their answers are remembered: a large site asks for the same URLs many times.
"""

from __future__ import annotations

import functools
from urllib.parse import quote, unquote


@functools.lru_cache(maxsize=1 << 17)
def article_url(slug: str) -> str:
    return f"articles/{quote(slug)}/"


@functools.lru_cache(maxsize=1 << 17)
def actor_url(slug: str) -> str:
    return f"actors/{quote(slug)}/"


@functools.lru_cache(maxsize=1 << 17)
def actor_feed_url(slug: str) -> str:
    return f"actors/{quote(slug)}/feed.xml"


@functools.lru_cache(maxsize=1 << 17)
def tag_url(slug: str) -> str:
    return f"tags/{quote(slug)}/"


def home_page_url(number: int) -> str:
    return "" if number == 1 else f"page/{number}/"


def month_url(year: int, month: int) -> str:
    return f"archive/{year:04d}/{month:02d}/"


ACTORS_INDEX = "actors/"
TAGS_INDEX = "tags/"
ARCHIVE_INDEX = "archive/"
SEARCH_PAGE = "search/"
FEED = "feed.xml"
STYLESHEET = "static/style.css"


@functools.lru_cache(maxsize=1 << 17)
def output_path(url: str) -> str:
    """The file that serves a URL: pages are folders with an index.html."""
    path = unquote(url)
    return path + "index.html" if path == "" or path.endswith("/") else path
