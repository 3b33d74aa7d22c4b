"""Download an article page for `digest ingest URL`: a timeout, a size cap, clear errors."""

from __future__ import annotations

import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

from digest import __version__
from digest.config import IngestSettings
from digest.errors import DigestError, Problem

log = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.I)


class FetchError(DigestError):
    """The page could not be downloaded, or is not a web page."""


@dataclass(frozen=True, slots=True)
class Page:
    url: str  # after redirects
    html: str


def is_url(argument: str) -> bool:
    return urlsplit(argument).scheme in ("http", "https")


def _problem(url: str, message: str, hint: str) -> FetchError:
    return FetchError(Problem(url, None, message, hint))


def _charset(headers: Message, raw: bytes) -> str:
    declared = headers.get_content_charset()
    if declared:
        return declared
    match = _META_CHARSET_RE.search(raw[:4096])
    return match.group(1).decode("ascii") if match else "utf-8"


def fetch(url: str, settings: IngestSettings) -> Page:
    """The HTML at url. Raises FetchError naming the URL and what went wrong."""
    request = urllib.request.Request(url, headers={
        "User-Agent": f"digest/{__version__} (news digest ingest)",
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    })
    try:
        with urllib.request.urlopen(request, timeout=settings.fetch_timeout) as response:
            content_type = response.headers.get_content_type()
            if content_type not in _HTML_TYPES:
                raise _problem(url, f"not a web page (the server sent {content_type})",
                               "ingest the URL of the article's HTML page, or save the file "
                               "and ingest it")
            raw = response.read(settings.max_bytes + 1)
            if len(raw) > settings.max_bytes:
                raise _problem(url, f"the page is larger than {settings.max_bytes} bytes",
                               "raise ingest.max_bytes in digest.yaml, or save the page and "
                               "ingest the file")
            final_url = response.geturl()
            encoding = _charset(response.headers, raw)
    except urllib.error.HTTPError as error:
        raise _problem(url, f"the server answered HTTP {error.code} {error.reason}",
                       "check the URL in a browser; if it needs a login, save the page and "
                       "ingest the file") from None
    except TimeoutError:
        raise _problem(url, f"no answer within {settings.fetch_timeout:g} seconds",
                       "try again, raise ingest.fetch_timeout in digest.yaml, or save the page "
                       "and ingest the file") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise _problem(url, f"no answer within {settings.fetch_timeout:g} seconds",
                           "try again, or raise ingest.fetch_timeout in digest.yaml") from None
        raise _problem(url, f"could not connect ({reason})",
                       "check the URL and the network") from None
    except (OSError, ValueError) as error:
        raise _problem(url, f"download failed ({error})", "check the URL and the network") from None
    try:
        html = raw.decode(encoding, errors="replace")
    except LookupError:
        html = raw.decode("utf-8", errors="replace")
    log.info("fetched %s (%d bytes)", final_url, len(raw))
    return Page(final_url, html)
