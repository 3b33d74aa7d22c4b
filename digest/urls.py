"""Every page's place in the site, decided in one module.

Paths here are relative to the site root and end in '/' for pages; the templates prefix them
with the base path (see Config.base_path) and feeds with the full base_url. The functions are
pure, so their answers are remembered: a large site asks for the same URLs many times.
"""

from __future__ import annotations

import functools
from urllib.parse import quote, unquote, urlsplit


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


def is_web_address(url: str) -> bool:
    """An http(s) address with a host, which a reader's browser can open: the one rule for
    every address a curator gives (source_url, links, base_url, --source-url)."""
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unclosed [ in the host, say
        return False


def is_link_target(url: str) -> bool:
    """What a page may link to: a web address or a mailto: one. Anything else (javascript:,
    data:) would run or show what the file says on a reader's click; site paths would miss
    the base_url path."""
    return is_web_address(url) or (url[:7].lower() == "mailto:" and len(url.strip()) > 7)
