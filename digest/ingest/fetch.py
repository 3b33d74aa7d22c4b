"""Download an article page for `digest ingest URL`: a timeout, a size cap, clear errors."""

from __future__ import annotations

import http.client
import logging
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from urllib.parse import quote, urlsplit, urlunsplit

from digest import __version__
from digest.config import IngestSettings
from digest.errors import DigestError, Problem

log = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.I)
_HOST_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*"
                      r"[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\]")
# What may stay as it is in a path or query; everything else (spaces, non-ASCII) is
# percent-encoded, and existing %XX escapes are kept.
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"
_CHUNK = 64 * 1024


class FetchError(DigestError):
    """The page could not be downloaded, or is not a web page."""


@dataclass(frozen=True, slots=True)
class Page:
    url: str  # after redirects
    html: str


def is_url(argument: str) -> bool:
    try:
        return urlsplit(argument).scheme in ("http", "https")
    except ValueError:  # "http://[::1": a URL, but a broken one; fetch says so
        return argument.lower().startswith(("http://", "https://"))


def _problem(url: str, message: str, hint: str) -> FetchError:
    return FetchError(Problem(url, None, message, hint))


def _charset(headers: Message, raw: bytes) -> str:
    declared = headers.get_content_charset()
    if declared:
        return declared
    match = _META_CHARSET_RE.search(raw[:4096])
    return match.group(1).decode("ascii") if match else "utf-8"


def request_url(url: str) -> str:
    """The URL as HTTP needs it: the host IDNA-encoded ("bücher.example" ->
    "xn--bcher-kva.example"), path and query percent-encoded. Raises FetchError for a URL that
    names no host a request can go to."""
    hint = "check the URL: http(s)://host/path, without spaces"
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = parts.port
    except ValueError as error:
        raise _problem(url, f"not a valid URL ({error})", hint) from None
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        raise _problem(url, f"not a valid host name '{host}'", hint) from None
    shown_host = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
    if not host or not _HOST_RE.fullmatch(shown_host):
        raise _problem(url, f"not a valid host name '{host}'", hint)
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{userinfo}@" if userinfo else "") + shown_host + (
        f":{port}" if port is not None else "")
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=_SAFE_PATH),
                       quote(parts.query, safe=_SAFE_QUERY), ""))


def _read_body(url: str, response: http.client.HTTPResponse, settings: IngestSettings,
               deadline: float) -> bytes:
    """The body, read as it comes, within the size cap and the total deadline: a server
    dripping a byte at a time cannot hold ingest beyond fetch_timeout."""
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(_CHUNK):
        chunks.append(chunk)
        size += len(chunk)
        if size > settings.max_bytes:
            raise _problem(url, f"the page is larger than {settings.max_bytes} bytes",
                           "raise ingest.max_bytes in digest.yaml, or save the page and "
                           "ingest the file")
        if time.monotonic() > deadline:
            raise TimeoutError
    if response.length:  # the connection closed before Content-Length bytes came
        raise http.client.IncompleteRead(b"".join(chunks), response.length)
    return b"".join(chunks)


def fetch(url: str, settings: IngestSettings) -> Page:
    """The HTML at url. Raises FetchError naming the URL and what went wrong."""
    deadline = time.monotonic() + settings.fetch_timeout
    request = urllib.request.Request(request_url(url), headers={
        "User-Agent": f"digest/{__version__} (news digest ingest)",
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    })
    too_slow = _problem(url, f"no answer within {settings.fetch_timeout:g} seconds",
                        "try again, raise ingest.fetch_timeout in digest.yaml, or save the page "
                        "and ingest the file")
    try:
        with urllib.request.urlopen(request, timeout=settings.fetch_timeout) as response:
            content_type = response.headers.get_content_type()
            if content_type not in _HTML_TYPES:
                raise _problem(url, f"not a web page (the server sent {content_type})",
                               "ingest the URL of the article's HTML page, or save the file "
                               "and ingest it")
            raw = _read_body(url, response, settings, deadline)
            final_url = response.geturl()
            encoding = _charset(response.headers, raw)
    except urllib.error.HTTPError as error:
        raise _problem(url, f"the server answered HTTP {error.code} {error.reason}",
                       "check the URL in a browser; if it needs a login, save the page and "
                       "ingest the file") from None
    except TimeoutError:
        raise too_slow from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise too_slow from None
        raise _problem(url, f"could not connect ({reason})",
                       "check the URL and the network") from None
    except http.client.IncompleteRead as error:
        raise _problem(url, f"download interrupted ({len(error.partial)} bytes came, "
                            f"{error.expected} more were announced)",
                       "try again, or save the page and ingest the file") from None
    except http.client.HTTPException as error:
        raise _problem(url, f"the server did not answer in HTTP ({type(error).__name__}: "
                            f"{str(error)[:80]})",
                       "check the URL and its port; it should be a web server's") from None
    except (OSError, ValueError) as error:
        raise _problem(url, f"download failed ({error})", "check the URL and the network") from None
    try:
        html = raw.decode(encoding, errors="replace")
    except LookupError:
        html = raw.decode("utf-8", errors="replace")
    log.info("fetched %s (%d bytes)", final_url, len(raw))
    return Page(final_url, html)
