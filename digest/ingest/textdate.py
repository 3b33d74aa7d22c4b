"""The publication date a pasted page states by its headline ("Nov. 19, 2019, 8:41 AM UTC").

A saved page carries its date in metadata; pasted text has only the line a news page prints
under the headline, beside the byline. Only such lines are read (short lines that are not the
article's prose, between the headline and the article's first lines): a date inside a sentence
of the article is what the article talks about, not when it was published. The first date
found is taken, since the update comes after it ("November 19, 2019 | Updated November 20").
Only the day is kept: the time's zone ("ist", "ET") is often ambiguous.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

# The first letters of each month's name, in English and in German (März, Mai, Oktober,
# Dezember; the others begin as in English).
_MONTH_NUMBERS = {name: number for number, names in enumerate(
    [("jan",), ("feb",), ("mar", "mär"), ("apr",), ("may", "mai"), ("jun",), ("jul",), ("aug",),
     ("sep",), ("oct", "okt"), ("nov",), ("dec", "dez")], start=1) for name in names}
_MONTH = rf"(?P<month>{'|'.join(_MONTH_NUMBERS)})[a-zä]*\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PATTERNS = (
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I),  # November 19, 2019 / Nov 20 2019
    re.compile(rf"\b{_DAY}\.?\s+{_MONTH},?\s+{_YEAR}\b", re.I),  # 19 November 2019, 19. November
    # 2019-11-19, 2019.11.19, 2019/11/19: the year first, then month and day, always
    re.compile(r"\b(?P<year>(?:19|20)\d\d)(?P<separator>[-./])(?P<month>\d\d?)(?P=separator)"
               r"(?P<day>\d\d?)\b"),
    # 19.11.2019: with full stops, the day comes first (with slashes it may be the month)
    re.compile(r"\b(?P<day>\d\d?)\.(?P<month>\d\d?)\.(?P<year>(?:19|20)\d\d)\b"),
)


def date_in(line: str) -> dt.date | None:
    """The first calendar date written in the line, if any."""
    found: list[tuple[int, dt.date]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(line):
            month = match.group("month")
            number = int(month) if month.isdigit() else _MONTH_NUMBERS[month[:3].lower()]
            try:
                found.append((match.start(), dt.date(int(match.group("year")), number,
                                                     int(match.group("day")))))
            except ValueError:  # 31 June
                continue
            break
    return min(found)[1] if found else None


def stated_date(header_lines: Iterable[str], today: dt.date) -> dt.date | None:
    """The first date in the lines around a headline, unless it lies ahead of today (a
    countdown or an event's date, not when the article appeared)."""
    for line in header_lines:
        day = date_in(line)
        if day is not None and day <= today + dt.timedelta(days=1):
            return day
    return None
