"""A small bar chart of mentions per month, as inline SVG made at build time."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from html import escape

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
_MAX_MONTHS = 60  # five years of bars still fit a phone screen


def _months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    months = []
    year, month = first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _summary(months: list[tuple[int, int]], counts: Counter[tuple[int, int]]) -> str:
    """What the chart shows, in words: a chart is one image to a screen reader, its bars'
    own titles unread ("Articles per month, May 2020 to May 2021: 14 articles, most in
    June 2020, 5")."""
    def name(month: tuple[int, int]) -> str:
        return f"{MONTH_NAMES[month[1] - 1]} {month[0]}"
    total = sum(counts[m] for m in months)
    articles = f"{total} article{'s' if total != 1 else ''}"
    if len(months) == 1:
        return f"Articles in {name(months[0])}: {articles}"
    busiest = max(months, key=lambda m: (counts[m], m))  # the latest of equals
    return (f"Articles per month, {name(months[0])} to {name(months[-1])}: {articles}, most "
            f"in {name(busiest)}, {counts[busiest]}")


def mentions_chart(dates: Iterable[dt.datetime]) -> str:
    """SVG with one bar per month from the first mention to the last (at most five years)."""
    counts = Counter((d.year, d.month) for d in dates)
    if not counts:
        return ""
    months = _months_between(min(counts), max(counts))[-_MAX_MONTHS:]
    peak = max(counts[m] for m in months)
    gap, height = 2, 48
    bar = max(6, min(24, 240 // len(months) - gap))  # a few months get wide bars, many thin ones
    width = max(len(months) * (bar + gap), 120)  # room for the two month labels
    # sized in em, as many sixteenths of the text's size as it has units: at the usual 16 px
    # it is as many pixels, and a reader who makes text larger gets a larger chart and labels
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'viewBox="0 0 {width} {height + 14}" width="{width / 16:g}em" '
             f'height="{(height + 14) / 16:g}em">',
             f"<title>{escape(_summary(months, counts))}</title>"]
    for position, (year, month) in enumerate(months):
        count = counts[(year, month)]
        bar_height = max(1, round(height * count / peak)) if count else 0
        x = position * (bar + gap)
        label = f"{MONTH_NAMES[month - 1]} {year}: {count} article{'s' if count != 1 else ''}"
        parts.append(f'<rect x="{x}" y="{height - bar_height}" width="{bar}" '
                     f'height="{bar_height}"><title>{escape(label)}</title></rect>')
    first, last = months[0], months[-1]
    parts.append(f'<text x="0" y="{height + 12}">{first[0]}-{first[1]:02d}</text>')
    if len(months) > 1:
        parts.append(f'<text x="{width}" y="{height + 12}" text-anchor="end">'
                     f"{last[0]}-{last[1]:02d}</text>")
    parts.append("</svg>")
    return "".join(parts)
