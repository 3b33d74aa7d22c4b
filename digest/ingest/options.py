"""Command-line values of `digest ingest` and `digest actor add`, checked before any work:
each bad one is a one-line error naming the option and the fix."""

from __future__ import annotations

import datetime as dt

from digest.errors import DigestError, Problem
from digest.urls import is_web_address


class UsageError(DigestError):
    """A command-line value that cannot be used: a bad date, an empty tag, a URL that is not
    one."""


def day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(Problem("--date", None, f"{value!r} is not a date",
                                 "use YYYY-MM-DD, e.g. --date 2020-11-20")) from None


def web_url(value: str | None) -> str | None:
    if value is None:
        return None
    url = value.strip()
    if not is_web_address(url):
        example = "https://" + (url.split("://")[-1].lstrip("/") or "example.com/story")
        raise UsageError(Problem("--source-url", None, f"{value!r} is not an http(s) URL",
                                 f"give the article's full address, e.g. {example}"))
    return url


def names(option: str, values: list[str]) -> tuple[str, ...]:
    cleaned = tuple(" ".join(value.split()) for value in values)
    if any(not value for value in cleaned):
        raise UsageError(Problem(option, None, "an empty value",
                                 f"give {option} a name, or leave the option out"))
    return cleaned
