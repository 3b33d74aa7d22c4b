"""Write an ingested article into content/articles without ever losing one.

A second ingest of the same source URL (or, when one of the two has none, the same body) is
refused with the path of the first; with `force` the first is replaced in place (same path, so
the same page address) and a copy of it is kept next to it (`<name>.md.<time>.bak`, which the
loader ignores: it does not end in .md).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from digest.errors import DigestError, Problem, display_path
from digest.frontmatter import DocumentProblem, dump_front_matter, parse_document
from digest.load import markdown_files
from digest.model import slugify

log = logging.getLogger(__name__)

ARTICLES_DIR = Path("content") / "articles"
SLUG_MAX = 80
# File systems allow 255 bytes a name. The longest name ingest makes around a slug is
# "<date>-<slug>-NN.md.<YYYYmmddTHHMMSS>-NN.bak": 45 bytes, so 200 bytes of slug always fit.
SLUG_MAX_BYTES = 200
_MIN_CONTAINED = 200  # characters: a body this long found inside another is that article


class DuplicateError(DigestError):
    """The article is already in the digest."""


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """An article ready to be written: its file name, front matter and body."""

    date: dt.date
    slug: str
    meta: dict[str, Any]  # front matter, keys in the order they are written
    body: str

    @property
    def name(self) -> str:
        return f"{self.date.isoformat()}-{self.slug}.md"

    @property
    def source_url(self) -> str | None:
        value = self.meta.get("source_url")
        return str(value) if value else None

    def text(self) -> str:
        return dump_front_matter(self.meta) + "\n" + self.body.strip() + "\n"


@dataclass(frozen=True, slots=True)
class Saved:
    path: Path
    replaced: tuple[Path, ...]  # files --force replaced
    backups: tuple[Path, ...]  # where their old text now is


@dataclass(frozen=True, slots=True)
class _Known:
    path: Path
    source_url: str | None
    body: str  # whitespace collapsed: re-wrapped text is the same text


def _cut(slug: str, fits: Callable[[str], bool]) -> str:
    """The slug's longest start that fits, ending at a word boundary when there is one."""
    if fits(slug):
        return slug
    end = len(slug)
    while end > 0 and not fits(slug[:end]):
        end -= 1
    cut = slug[:end]
    if slug[end:end + 1] != "-" and "-" in cut:
        cut = cut.rsplit("-", 1)[0]
    return cut.strip("-")


def article_slug(title: str) -> str:
    """The title's slug, cut at a word boundary so file names stay readable, and short enough
    in UTF-8 bytes (a Chinese or Korean headline is three bytes a character) for any name
    ingest makes from it."""
    slug = _cut(slugify(title), lambda s: len(s) <= SLUG_MAX)
    return _cut(slug, lambda s: len(s.encode("utf-8")) <= SLUG_MAX_BYTES)


# Query parameters that are certainly click tracking (besides utm_*). Only these: sites name
# their articles with any parameter (kurdistan24.net's news.php?cid=12341), and taking two
# articles for one makes --force overwrite the other.
_TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "gbraid", "wbraid", "dclid", "msclkid", "yclid", "twclid", "ttclid",
    "igshid", "mc_cid", "mc_eid", "smid", "smtyp", "_hsenc", "_hsmi", "mkt_tok"})


def normal_url(url: str) -> str:
    """How source URLs compare: scheme, "www.", fragment, trailing slash and click tracking
    (utm_*, fbclid, smid, ...) make no other article; every other parameter does."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = parts.netloc.lower().removeprefix("www.")
    query = sorted((key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
                   if not key.lower().startswith("utm_")
                   and key.lower() not in _TRACKING_PARAMETERS)
    return host + parts.path.rstrip("/") + (f"?{urlencode(query)}" if query else "")


def _flat(body: str) -> str:
    return " ".join(body.split())


def _known_articles(articles_dir: Path) -> list[_Known]:
    known = []
    for path in markdown_files(articles_dir):
        try:
            document = parse_document(path.read_text(encoding="utf-8"), path.name)
        except (DocumentProblem, UnicodeDecodeError, OSError):
            continue  # `digest build` reports broken files; here they cannot be duplicates
        url = document.meta.get("source_url")
        known.append(_Known(path, str(url) if url else None, _flat(document.body)))
    return known


def _same_body(new: str, old: str) -> bool:
    """The same text, or one holding the other whole: a curator's added line or note does not
    make the stored article another one."""
    if new == old:
        return True
    shorter = min(new, old, key=len)
    return len(shorter) >= _MIN_CONTAINED and shorter in (old if shorter is new else new)


def find_duplicates(root: Path, article: ArticleFile) -> list[Path]:
    """Articles already in the digest that are this one: the same source URL; the body decides
    only when one of the two has no source URL (a roundup quoting a brief whole, each with its
    own address, is another article)."""
    new_body = _flat(article.body)
    new_url = normal_url(article.source_url) if article.source_url else None

    def same(known: _Known) -> bool:
        if new_url and known.source_url:
            return normal_url(known.source_url) == new_url
        return _same_body(new_body, known.body)

    return [known.path for known in _known_articles(root / ARTICLES_DIR) if same(known)]


def _free_path(folder: Path, article: ArticleFile, taken: Iterable[Path]) -> Path:
    """The article's file name; a different article with the same date and title gets -2, -3."""
    reserved = {p.resolve() for p in taken}
    candidate = folder / article.name
    number = 2
    while candidate.exists() and candidate.resolve() not in reserved:
        candidate = folder / f"{article.date.isoformat()}-{article.slug}-{number}.md"
        number += 1
    return candidate


def _backup(path: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    backup = path.with_name(f"{path.name}.{stamp}.bak")
    number = 2
    while backup.exists():
        backup = path.with_name(f"{path.name}.{stamp}-{number}.bak")
        number += 1
    shutil.copy2(path, backup)
    return backup


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".ingest-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save(root: Path, article: ArticleFile, input_name: str, force: bool = False) -> Saved:
    """Write the article under content/articles. Raises DuplicateError if it is already there
    (unless force, which backs the old file up and replaces it)."""
    duplicates = find_duplicates(root, article)
    if duplicates and not force:
        first = display_path(duplicates[0], root)
        raise DuplicateError(Problem(
            input_name, None, f"already ingested as {first}",
            f"edit that file; if it is the same article, pass --force to replace it "
            f"(the old text is kept as {duplicates[0].name}.<time>.bak)"))
    backups = tuple(_backup(path) for path in duplicates)
    # --force replaces the article where it is: its file name (and so its page's address)
    # stays, whatever folder or name the curator gave it.
    path = duplicates[0] if duplicates else _free_path(root / ARTICLES_DIR, article, ())
    _write_atomically(path, article.text())
    for old in duplicates:
        if old.resolve() != path.resolve():
            old.unlink()
    for old, backup in zip(duplicates, backups, strict=True):
        log.info("replaced %s (backup %s)", old, backup)
    return Saved(path, tuple(duplicates), backups)
