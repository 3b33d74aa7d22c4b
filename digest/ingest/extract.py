"""Entry points: a raw article (saved HTML page or pasted text) -> headline and clean Markdown."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from digest.config import IngestSettings
from digest.errors import DigestError
from digest.ingest.html import read_page
from digest.ingest.language import script_language
from digest.ingest.text import looks_english, read_text


class ExtractionError(DigestError):
    """The input holds no article we can extract."""


@dataclass(frozen=True, slots=True)
class Extracted:
    title: str  # the headline, plain text, typography fixed
    body: str  # clean Markdown without the title heading
    date: datetime.datetime | None  # from page metadata; None for pasted text unless stated
    source: str | None  # outlet or site name from metadata
    source_url: str | None  # canonical URL from the page, or the URL passed in
    authors: tuple[str, ...]
    language: str | None = None  # as the page declares it, or as its script shows
    header: tuple[str, ...] = ()  # pasted text's short lines by the headline (byline, date)


def extract_html(html: str, url: str | None, settings: IngestSettings) -> Extracted:
    """The article in a saved or fetched HTML page; trafilatura finds it, and the chrome
    patterns (built-in and the curator's) drop what it keeps of the page's furniture."""
    if not html.strip():
        raise ExtractionError("the page is empty (save the whole page, or paste its text)")
    page = read_page(html, url, settings.chrome_patterns)
    if page is None:
        raise ExtractionError(
            "no article found in the page (if it needs JavaScript, copy the article text from "
            "the browser and ingest that as a .txt file)")
    # a script that names one language outweighs the page's lang, which is often its
    # template's (a German blog declares "en"); so does English that is not
    language = script_language(page.body) or page.language
    if language is not None and language.startswith("en") and not looks_english(
            page.body.splitlines()):
        language = None
    return Extracted(title=page.title, body=page.body, date=page.date, source=page.source,
                     source_url=page.source_url, authors=page.authors, language=language)


def extract_text(text: str, settings: IngestSettings) -> Extracted:
    """The article in text pasted from a news page: headline, then the article's prose."""
    if not text.strip():
        raise ExtractionError("the text is empty (paste the article, headline first)")
    article = read_text(text, settings.chrome_patterns)
    if article is None:
        raise ExtractionError(
            "no article found in the text (paste the article's paragraphs; if the page is saved, "
            "ingest the .html file instead)")
    date = None if article.date is None else datetime.datetime.combine(
        article.date, datetime.time(0), datetime.UTC)
    return Extracted(title=article.title, body=article.body, date=date, source=None,
                     source_url=None, authors=(), language=script_language(article.body),
                     header=article.header)
