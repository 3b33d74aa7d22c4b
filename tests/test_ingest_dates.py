"""Pasted text has no metadata: the publication date is the one the page prints by its
headline, never a date the article's sentences mention."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from digest.ingest.text import read_text
from digest.ingest.textdate import date_in
from tests.test_ingest_command import PASTED, articles, ingest, read, write

TODAY = dt.date(2026, 11, 24)
HEADLINE, FIRST, *REST = PASTED.strip().split("\n\n")


def pasted_with(*header: str) -> str:
    return "\n\n".join([HEADLINE, *header, FIRST, *REST]) + "\n"


@pytest.mark.parametrize(("line", "day"), [
    ("November 19, 2019 | 4:20am | Updated November 20, 2019", dt.date(2019, 11, 19)),
    ("Nov 20 2019, 10:18am ist", dt.date(2019, 11, 20)),
    ("Nov. 19, 2019, 8:41 AM UTC", dt.date(2019, 11, 19)),
    ("Published 11:26 pm EST, Tuesday, November 19, 2019", dt.date(2019, 11, 19)),
    ("Updated 0339 GMT (1139 HKT) 19 November 2019", dt.date(2019, 11, 19)),
    ("Posted 2019-11-19 08:00", dt.date(2019, 11, 19)),
    ("by ライトハウス国際特許事務所／ 2016.12.01", dt.date(2016, 12, 1)),  # year first, any mark
    ("Von Moritz Bachmann publiziert am 25. September 2018", dt.date(2018, 9, 25)),
    ("Stand: 04.05.2021, 10:00 Uhr · 3. März 2021", dt.date(2021, 5, 4)),  # the first
    ("12/11/2019", None),  # 12 November or December 11: not guessed
    ("By Leyla Demir, AP", None),
    ("31 June 2019", None),  # no such day
])
def test_a_date_line_gives_its_day(line: str, day: dt.date | None) -> None:
    assert date_in(line) == day


def test_the_date_printed_by_the_headline_is_the_articles() -> None:
    article = read_text(pasted_with("By Leyla Demir", "March 5, 2024, 9:12 AM ET"), today=TODAY)
    assert article is not None and article.date == dt.date(2024, 3, 5)
    above = read_text("\n\n".join(["5 March 2024", HEADLINE, FIRST, *REST]), today=TODAY)
    assert above is not None and above.date == dt.date(2024, 3, 5)


def test_a_date_in_the_articles_sentences_is_not_its_date() -> None:
    mentioned = FIRST.replace("on Tuesday", "on March 5, 2024")
    article = read_text("\n\n".join([HEADLINE, mentioned, *REST]), today=TODAY)
    assert article is not None and article.date is None


def test_a_date_ahead_of_today_is_not_taken() -> None:
    article = read_text(pasted_with("Talks open December 1, 2026"), today=TODAY)
    assert article is not None and article.date is None


def test_ingest_writes_the_stated_date_and_still_asks_when_there_is_none(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(root.parent, "talks.txt", pasted_with("March 5, 2024 | 9:12am"))
    assert ingest(root, str(source)) == 0
    (written,) = articles(root)
    assert written.name.startswith("2024-03-05-")
    assert read(written, root).date.date() == dt.date(2024, 3, 5)
    undated = write(root.parent, "other.txt", PASTED.replace("Ministers", "Envoys"))
    assert ingest(root, str(undated)) == 1
    assert "no publication date found" in capsys.readouterr().err
