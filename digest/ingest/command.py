"""`digest ingest FILE|URL|-|FOLDER ...`: raw articles into content/articles/<date>-<slug>.md."""

from __future__ import annotations

import argparse
import codecs
import dataclasses
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from digest.config import Config, check_root, load_config
from digest.errors import DigestError, Problem, display_path
from digest.frontmatter import DocumentProblem, parse_document
from digest.ingest.compose import Overrides, Vocabulary, compose, load_vocabulary
from digest.ingest.extract import Extracted, extract_html, extract_text
from digest.ingest.fetch import fetch, is_url
from digest.ingest.options import day, names, web_url
from digest.ingest.store import save
from digest.load import ARTICLE_KEYS
from digest.plain import plain_text

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
STDIN = "-"


class InputError(DigestError):
    """An input that holds no text to ingest: empty, binary, missing, of an unknown kind."""


@dataclass(frozen=True, slots=True)
class RawArticle:
    name: str  # how the curator named it: a path, a URL or <stdin>
    text: str
    is_html: bool
    url: str | None = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="FILE|URL|-|FOLDER",
                        help=".txt/.md (pasted text), .html/.htm (saved page), an http(s) URL, "
                             "'-' for standard input, or a folder of such files")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the digest folder (holding digest.yaml and content/); default .")
    parser.add_argument("--stdout", action="store_true",
                        help="print the article instead of writing it under content/articles")
    parser.add_argument("--date", metavar="YYYY-MM-DD",
                        help="publication date (replaces the page's)")
    parser.add_argument("--title", help="the headline, when ingest finds none (or to replace it)")
    parser.add_argument("--source", help="the outlet (replaces the one found in the article)")
    parser.add_argument("--source-url", metavar="URL",
                        help="where the article was published (for pasted text)")
    parser.add_argument("--tag", action="append", default=[], metavar="TAG",
                        help="add a tag (repeatable)")
    parser.add_argument("--actor", action="append", default=[], metavar="NAME",
                        help="add an actor (repeatable)")
    parser.add_argument("--force", action="store_true",
                        help="replace an article already ingested (a backup is kept)")


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:2048].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head


def _decode(name: str, raw: bytes) -> str:
    if not raw.strip():
        raise InputError(Problem(name, None, "the input is empty",
                                 "paste the article (headline first) or save the whole page"))
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Notepad's "Unicode": UTF-16 with a byte-order mark; its NUL bytes are no binary.
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    head = raw[:8192]
    control = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f")
    if b"\x00" in head or control > len(head) // 20 or head.startswith(b"%PDF"):
        raise InputError(Problem(name, None, "this is a binary file, not text or HTML",
                                 "save the article as .txt or .html (copy the text from a PDF)"))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Text saved by older Windows tools; the typography pass repairs what remains.
        return raw.decode("cp1252", errors="replace")


def _article_front_matter(text: str) -> dict[str, object] | None:
    """The front matter text opens with when it is an article's (a file from content/articles/,
    or a Jekyll or Hugo post): read as pasted text, its fields would become the headline and
    its date would be lost."""
    try:
        meta = parse_document(text, "").meta
    except DocumentProblem:
        return None
    return meta if "title" in meta or "date" in meta else None


def _refuse_digest_article(name: str, text: str) -> None:
    meta = _article_front_matter(text)
    if meta is None:
        return
    foreign = [str(key) for key in meta if key not in ARTICLE_KEYS]
    if not foreign:
        raise InputError(Problem(
            name, None, "this is already a digest article (it has front matter), not a raw one",
            "copy it into content/articles/ of the digest instead of ingesting it"))
    # Copied as it is, the build would stop at each of these keys.
    raise InputError(Problem(
        name, None, f"this file already has front matter, and {', '.join(foreign)} "
        f"{'is not a key' if len(foreign) == 1 else 'are not keys'} of a digest article",
        "keep only the keys the README lists under Content model, such as title, date, "
        "source_url and tags, then put it in content/articles/; or ingest its text without "
        "the front matter"))


def _folder_files(folder: Path) -> list[Path]:
    suffixes = HTML_SUFFIXES | TEXT_SUFFIXES
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _read_file(path: Path, name: str) -> RawArticle:
    suffix = path.suffix.lower()
    if suffix not in HTML_SUFFIXES | TEXT_SUFFIXES:
        raise InputError(Problem(name, None, f"unknown kind of file '{suffix or path.name}'",
                                 "ingest .txt, .md, .html or .htm files"))
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(Problem(name, None, f"cannot read it ({error.strerror})")) from None
    text = _decode(name, raw)
    if suffix not in HTML_SUFFIXES:
        _refuse_digest_article(name, text)
    return RawArticle(name, text, suffix in HTML_SUFFIXES)


def raw_articles(argument: str, config: Config) -> Iterator[RawArticle | DigestError]:
    """What one command-line input holds: one article, or one per file of a folder."""
    if argument == STDIN:
        text = _decode("<stdin>", sys.stdin.buffer.read())
        is_html = _looks_like_html(text)
        if not is_html:
            _refuse_digest_article("<stdin>", text)
        yield RawArticle("<stdin>", text, is_html)
        return
    if is_url(argument):
        page = fetch(argument, config.ingest)
        yield RawArticle(argument, page.html, True, page.url)
        return
    path = Path(argument)
    if path.is_dir():
        files = _folder_files(path)
        if not files:
            yield InputError(Problem(argument, None, "the folder holds no .txt, .md or .html file"))
        for file in files:
            try:
                yield _read_file(file, str(file))
            except DigestError as error:
                yield error
        return
    if not path.exists():
        raise InputError(Problem(argument, None, "no such file, folder or URL",
                                 "check the path; URLs start with http:// or https://"))
    yield _read_file(path, argument)


def extract(raw: RawArticle, config: Config, title: str | None = None) -> Extracted:
    """The article in a raw input; title (from --title) replaces the headline found."""
    if raw.is_html:
        extracted = extract_html(raw.text, raw.url, config.ingest)
    else:
        extracted = extract_text(raw.text, config.ingest)
    if not extracted.body.strip():
        raise InputError(Problem(raw.name, None, "no article found in it",
                                 "check that the file holds the article's headline and text"))
    if title:
        first, _, rest = extracted.body.partition("\n\n")
        body = rest if plain_text(first) == title and rest.strip() else extracted.body
        return dataclasses.replace(extracted, title=title, body=body)
    if not extracted.title.strip():
        raise InputError(Problem(
            raw.name, None, "no headline found (the article itself was found)",
            "pass --title 'The headline' (a headline is a line of at most 25 words, or 50 "
            "Chinese, Japanese or Korean characters, not ending in ':' or '.')"))
    return extracted


def _with_name(error: DigestError, name: str) -> DigestError:
    """Extraction errors say what is wrong; the curator also needs to know with which input."""
    problems = [Problem(name, p.line, p.message, p.hint) if p.path == "digest" else p
                for p in error.problems]
    return type(error)(problems)


def _ingest_one(raw: RawArticle, args: argparse.Namespace, config: Config,
                vocabulary: Vocabulary, overrides: Overrides) -> None:
    try:
        extracted = extract(raw, config, overrides.title)
    except DigestError as error:
        raise _with_name(error, raw.name) from None
    article, candidates = compose(extracted, raw.name, overrides, vocabulary)
    if args.stdout:
        sys.stdout.write(article.text())
    else:
        saved = save(config.root, article, raw.name, force=args.force)
        for old, backup in zip(saved.replaced, saved.backups, strict=True):
            print(f"replaced {display_path(old, config.root)} "
                  f"(backup: {display_path(backup, config.root)})")
        if saved.path not in saved.replaced:  # a file of its own, not one replaced in place
            print(f"wrote {display_path(saved.path, config.root)}")
    if candidates:
        print(f"  actor candidates: {', '.join(candidates)}\n"
              "  (promote one with: digest actor add NAME --alias OTHER-SPELLING)",
              file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    try:
        check_root(args.root)
        overrides = Overrides(date=day(args.date), source=args.source,
                              source_url=web_url(args.source_url),
                              tags=names("--tag", args.tag), actors=names("--actor", args.actor),
                              title=" ".join(args.title.split()) if args.title else None)
    except DigestError as error:  # the folder or an option
        _report(error)
        return 1
    config = load_config(args.root)
    vocabulary = load_vocabulary(config)
    failures = 0
    for argument in args.inputs:
        try:
            for item in raw_articles(argument, config):
                try:
                    if isinstance(item, DigestError):
                        raise item
                    _ingest_one(item, args, config, vocabulary, overrides)
                except DigestError as error:
                    failures += 1
                    _report(error)
        except DigestError as error:
            failures += 1
            _report(error)
    return 1 if failures else 0


def _report(error: DigestError) -> None:
    for problem in error.problems:
        print(f"error: {problem}", file=sys.stderr)
