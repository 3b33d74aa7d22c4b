"""Read content/ into typed records: articles, actors and tags, with every problem at once."""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest import urls
from digest.config import Config
from digest.errors import ContentError, Problem
from digest.frontmatter import (
    Document,
    DocumentProblem,
    YamlProblem,
    load_yaml,
    parse_document,
    read_utf8,
    value_line,
)
from digest.hashes import content_hash
from digest.model import Actor, Article, Link, Quote, TagInfo, language_tag, slugify
from digest.plain import LIST_ITEM, plain_text
from digest.scan import Scan, scan

if TYPE_CHECKING:
    from digest.ahead import BodiesAhead

log = logging.getLogger(__name__)

ARTICLE_KEYS = frozenset({
    "title", "date", "updated", "source", "source_url", "via", "dateline", "summary", "tags",
    "actors", "quotes", "draft", "slug", "actor_candidates", "language",
})
ACTOR_KEYS = frozenset({"name", "aliases", "kind", "affiliations", "links"})
# Values that recur across thousands of files are interned: one string object each, which
# saves memory on a large archive and objects in the build cache.
_REPEATED = frozenset({"source", "via", "dateline", "kind"})
_DATE_HINT = "use YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS+00:00 with a time"
_URL_HINT = "write a full address starting with http://, https:// or mailto:"
# Everywhere a list is expected, a single item may stand alone: `tags: iraq` is [iraq].
_ONE_ITEM = "a single {} may stand alone"


@dataclass(frozen=True)
class Content:
    articles: tuple[Article, ...]  # sorted by path
    actors: tuple[Actor, ...]  # actor files, sorted by path
    tags: tuple[TagInfo, ...]


def parse_date(value: Any) -> dt.datetime | None:
    """A timezone-aware datetime from YAML's date, datetime or an ISO string; None if not a date."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].+)?", value.strip()):
        try:
            return parse_date(dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def _is_name(value: Any) -> bool:
    # not a bool: YAML reads an unquoted yes, no, on or off as one
    return isinstance(value, str | int) and not isinstance(value, bool)


class _Fields:
    """Typed access to one file's front matter that records problems instead of raising."""

    def __init__(self, document: Document, problems: list[Problem]) -> None:
        self.document = document
        self.problems = problems

    def problem(self, key: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.document.path, self.document.line_of(key), message, hint))

    def language(self, key: str) -> str | None:
        """The field as a language tag ("ar", "pt-BR")."""
        text = self.text(key)
        tag = language_tag(text) if text else None
        if text and tag is None:
            self.problem(key, f"'{key}' must be a language tag such as ar, fa or pt-BR, not "
                         f"{text!r}", "write the code of the article's language (BCP 47)")
        return sys.intern(tag) if tag else None

    def text(self, key: str, required: bool = False) -> str | None:
        """The field as stripped text; None when absent or blank (an error if required)."""
        value = self.document.meta.get(key)
        if isinstance(value, bool | list | dict):
            self.problem(key, f"'{key}' must be text, not {value!r}")
            return None
        text = "" if value is None else str(value).strip()
        if not text:
            if required and key in self.document.meta:
                self.problem(key, f"'{key}' is empty", f"write the {key} after '{key}:'")
            elif required:
                self.problems.append(Problem(self.document.path, 1, f"missing '{key}'",
                                             f"add a line '{key}: ...' to the front matter"))
            return None
        return sys.intern(text) if key in _REPEATED else text

    def url(self, key: str) -> str | None:
        text = self.text(key)
        if text is not None and not urls.is_link_target(text):
            self.problem(key, f"'{key}' must be an http(s) or mailto address, not {text!r}",
                         _URL_HINT)
            return None
        return text

    def names(self, key: str) -> tuple[str, ...]:
        value = self.document.meta.get(key)
        if value is None:
            return ()
        if _is_name(value):  # one name: a comma may be part of it (Sadr, Muqtada al-)
            value = [value]
        if not isinstance(value, list):
            self.problem(key, f"'{key}' must be a list of names",
                         f"write it as {key}: [First, Second] or one '- name' per line; "
                         + _ONE_ITEM.format("name"))
            return ()
        odd = [v for v in value if not _is_name(v)]
        if odd:
            self.problem(key, f"'{key}' must be a list of names, and {odd[0]!r} is not one",
                         "put in quotes a name YAML reads as something else (yes, no, on, off, "
                         "numbers with a point, dates), and give no empty item")
            return ()
        seen: dict[str, None] = {}
        for item in value:
            text = " ".join(str(item).split())
            if text:
                seen.setdefault(sys.intern(text), None)
        return tuple(seen)

    def date(self, key: str, required: bool = False) -> dt.datetime | None:
        value = self.document.meta.get(key)
        if value is None:
            if required:
                self.problems.append(Problem(self.document.path, 1, f"missing '{key}'",
                                             f"add a line '{key}: YYYY-MM-DD'"))
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.problem(key, f"{key}: {str(value)!r} is not a date", _DATE_HINT)
        return parsed


def _unknown_keys(fields: _Fields, allowed: frozenset[str]) -> None:
    for key in fields.document.meta:
        if key not in allowed:
            fields.problem(str(key), f"unknown field '{key}'",
                           "remove it or use one of: " + ", ".join(sorted(allowed)))


def _quotes(fields: _Fields) -> tuple[Quote, ...]:
    value = fields.document.meta.get("quotes")
    if value is None:
        return ()
    hint = ("write each quote as '- text: \"...\"' with 'speaker: Name' below it; "
            + _ONE_ITEM.format("quote"))
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        fields.problem("quotes", f"'quotes' must be a list of quotes, not {value!r}", hint)
        return ()
    quotes = []
    for item in value:
        if (not isinstance(item, dict) or set(item) != {"text", "speaker"}
                or not all(isinstance(v, str) and v.strip() for v in item.values())):
            fields.problem("quotes", f"each quote needs 'text' and 'speaker', got {item!r}", hint)
            continue
        quotes.append(Quote(" ".join(item["text"].split()),
                            sys.intern(" ".join(item["speaker"].split()))))
    return tuple(quotes)


def _link(item: Any) -> Link | tuple[str, str]:
    """A link written as a URL or as {title, url}; else what is wrong with it, and the fix."""
    title: Any = None
    url = None
    if isinstance(item, str):
        url = item.strip()
    elif isinstance(item, dict) and set(item) <= {"title", "url"}:
        url = item["url"].strip() if isinstance(item.get("url"), str) else None
        title = item.get("title")
        if isinstance(title, int | float | dt.date) and not isinstance(title, bool):
            title = str(title)  # `title: 2020` is a year, written as YAML reads it
    if url is None or not isinstance(title, str | None):
        return (f"a link must be a URL or {{title, url}}, got {item!r}",
                "write each link as a URL or as {title: ..., url: ...}; "
                + _ONE_ITEM.format("link"))
    if not urls.is_link_target(url):
        return (f"a link must be an http(s) or mailto address, not {url!r}",
                _URL_HINT + "; paths on this site and other schemes are not allowed")
    return Link((title or "").strip() or url, url)


def _links(fields: _Fields) -> tuple[Link, ...]:
    value = fields.document.meta.get("links")
    if value is None:
        return ()
    links = []
    for index, item in enumerate(value if isinstance(value, list) else [value]):
        link = _link(item)
        if isinstance(link, Link):
            links.append(link)
            continue
        keys: list[str | int] = ["links", index] if isinstance(value, list) else ["links"]
        line = value_line(fields.document.front_matter, keys, first_line=2)
        fields.problems.append(Problem(fields.document.path, line or 1, *link))
    return tuple(links)


def lead_of(body: str, limit: int = 280) -> str:
    """The body's first paragraph of prose as plain text (no Markdown left in it: it is shown
    as text, in lists and page descriptions), cut at a word after `limit`."""
    for block in body.split("\n\n"):
        if LIST_ITEM.match(block):
            continue  # a list is not the article's opening prose
        text = plain_text(block)
        if len(text) > 40 and not block.lstrip().startswith(("#", "|", "```")):
            if len(text) <= limit:
                return text
            return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return ""


def read_article(document: Document, problems: list[Problem]) -> Article | None:
    fields = _Fields(document, problems)
    before = len(problems)
    _unknown_keys(fields, ARTICLE_KEYS)
    title = fields.text("title", required=True)
    date = fields.date("date", required=True)
    updated = fields.date("updated")
    draft = document.meta.get("draft", False)
    if not isinstance(draft, bool):
        fields.problem("draft", f"'draft' must be true or false, not {draft!r}")
    if date is not None and draft is not True and (
            date.date() > dt.date.today() + dt.timedelta(days=1)):
        # not an error (the date may be meant), but most often a typo for another year; a
        # draft dated ahead is a scheduled piece, not on the site anyway
        log.warning("%s:%s: date %s is in the future, so the article comes first on the site "
                    "until then (check the year)", document.path, document.line_of("date"),
                    date.date().isoformat())
    slug_value = fields.text("slug")
    stem = Path(document.path).stem
    slug = slugify(slug_value) if slug_value else slugify(stem)
    article = Article(
        path=document.path, slug=slug, title=title or "", date=date or dt.datetime.min,
        updated=updated, source=fields.text("source"), source_url=fields.url("source_url"),
        via=fields.text("via"), dateline=fields.text("dateline"),
        summary=fields.text("summary"), tags=fields.names("tags"),
        actors=fields.names("actors"), quotes=_quotes(fields), draft=draft is True,
        body_hash=content_hash(document.body), lead=lead_of(document.body),
        body_line=document.body_line, candidates=fields.names("actor_candidates"),
        language=fields.language("language"),
    )
    return article if len(problems) == before else None


def read_actor(document: Document, problems: list[Problem]) -> Actor | None:
    fields = _Fields(document, problems)
    before = len(problems)
    _unknown_keys(fields, ACTOR_KEYS)
    name = fields.text("name", required=True)
    actor = Actor(
        path=document.path, slug=slugify(Path(document.path).stem), name=name or "",
        aliases=fields.names("aliases"), kind=fields.text("kind"),
        affiliations=fields.names("affiliations"), links=_links(fields), body=document.body,
    )
    return actor if len(problems) == before else None


def read_document(path: Path, root: Path, problems: list[Problem]) -> Document | None:
    relative = path.relative_to(root).as_posix()
    try:
        text = read_utf8(path, relative)
    except ContentError as error:
        problems.extend(error.problems)
        return None
    try:
        return parse_document(text, relative)
    except DocumentProblem as error:
        problems.append(error.problem)
        return None


def load_tags(config: Config, problems: list[Problem]) -> tuple[TagInfo, ...]:
    path = config.content_dir / "tags.yaml"
    if not path.exists():
        return ()
    relative = path.relative_to(config.root).as_posix()
    try:
        text = read_utf8(path, relative)
        data = load_yaml(text, relative) or {}
    except ContentError as error:
        problems.extend(error.problems)
        return ()
    except YamlProblem as error:
        problems.append(error.problem)
        return ()
    hint = "write each tag as 'name: {description: ..., keywords: [...]}'"
    if not isinstance(data, dict):
        problems.append(Problem(relative, 1, "tags.yaml must map tag names to descriptions", hint))
        return ()
    tags = []
    for key, value in data.items():
        name = str(key)
        if isinstance(value, str) or value is None:
            tags.append(TagInfo(name, value or "", ()))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(relative, value_line(text, [name]) or 1,
                                    f"tag '{name}' is not understood", hint))
            continue
        unknown = sorted(str(field) for field in value if field not in ("description", "keywords"))
        if unknown:
            problems.extend(Problem(relative, value_line(text, [name, field]) or 1,
                                    f"tag '{name}': unknown field '{field}'",
                                    "remove it or use one of: description, keywords")
                            for field in unknown)
            continue
        description = value.get("description") or ""
        keywords = value.get("keywords") or []
        if _is_name(keywords):
            keywords = [keywords]
        if not isinstance(description, str):
            problems.append(Problem(relative, value_line(text, [name, "description"]) or 1,
                                    f"tag '{name}': 'description' must be text, not "
                                    f"{description!r}", hint))
        elif not isinstance(keywords, list) or not all(_is_name(k) for k in keywords):
            problems.append(Problem(relative, value_line(text, [name, "keywords"]) or 1,
                                    f"tag '{name}': 'keywords' must be a list of words, not "
                                    f"{value['keywords']!r}",
                                    "write them as keywords: [word, other words]; "
                                    + _ONE_ITEM.format("keyword")))
        else:
            # a blank keyword would make ingest suggest the tag for every article
            words = (str(k).strip() for k in keywords)
            tags.append(TagInfo(name, description, tuple(w for w in words if w)))
    return tuple(tags)


# Parsed records by path, with the (mtime_ns, size) they were read at: a build reuses them for
# files that have not changed since (see digest.cache).
ParsedFiles = dict[str, tuple[int, int, Article | Actor]]


def markdown_files(folder: Path) -> list[Path]:
    """Every .md file under folder, in a stable order; editor temp files are skipped."""
    return [folder / relative for relative in scan(folder, [folder])
            if _is_source(relative, "")]


def _is_source(relative: str, folder: str) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return (relative.startswith(folder) and name.endswith(".md")
            and not name.startswith((".", "_", "#")))


# Below this many files to read, starting worker processes costs more than it saves.
PARALLEL_READ = 400


def read_file(root: Path, relative: str) -> tuple[Article | Actor | None, list[Problem], str]:
    """One article or actor file (which, by its folder) as a record, or its problems; and its
    body (digest.ahead converts the bodies of the files it reads)."""
    problems: list[Problem] = []
    document = read_document(root / relative, root, problems)
    if document is None:
        return None, problems, ""
    if is_article_file(relative):
        return read_article(document, problems), problems, document.body
    return read_actor(document, problems), problems, document.body


def is_article_file(relative: str) -> bool:
    """Whether a file read_file reads is an article (else an actor), by its folder."""
    return relative.startswith("content/articles/")


def _read_file(root: Path, relative: str) -> tuple[Article | Actor | None, list[Problem]]:
    record, problems, _ = read_file(root, relative)
    return record, problems


def _read_files(root: Path, relatives: list[str], ahead: BodiesAhead | None,
                ) -> list[tuple[Article | Actor | None, list[Problem]]]:
    """_read_file for each, in order; in ahead's worker processes when there are many (YAML
    is slow), which then go on to convert the bodies."""
    if ahead is None or len(relatives) < PARALLEL_READ:
        return [_read_file(root, relative) for relative in relatives]
    return ahead.read(relatives)


def _read_folders(config: Config, scanned: Scan, problems: list[Problem], parsed: ParsedFiles,
                  changed: frozenset[str], ahead: BodiesAhead | None,
                  ) -> tuple[list[Article], list[Actor]]:
    """Every article and actor file: records from `parsed` for files whose size and time are
    as they were (and not in `changed`), the others read again (and `parsed` updated)."""
    sources = [(relative, stamp) for folder in ("content/articles/", "content/actors/")
               for relative, stamp in scanned.items() if _is_source(relative, folder)]
    fresh = [relative for relative, (mtime, size) in sources
             if relative in changed or parsed.get(relative, (None, None))[:2] != (mtime, size)]
    read = dict(zip(fresh, _read_files(config.root, fresh, ahead), strict=True))
    articles: list[Article] = []
    actors: list[Actor] = []
    for relative, (mtime, size) in sources:
        if relative in read:
            record, found = read[relative]
            problems.extend(found)
            if record is None or found:
                parsed.pop(relative, None)
                continue
            parsed[relative] = (mtime, size, record)
        else:
            record = parsed[relative][2]
        if isinstance(record, Article):
            articles.append(record)
        else:
            actors.append(record)
    return articles, actors


def reload_content(config: Config, previous: Content, parsed: ParsedFiles,
                   changed: set[str]) -> Content | None:
    """`previous` with the changed files read again, when they are all articles or actors it
    already had (else None: a file came or went, so load_content must look at everything).
    Files outside content/ (templates, static files, settings) make no difference to it."""
    tags_file = "content/tags.yaml"
    changed = {relative for relative in changed if relative.startswith("content/")}
    known = {a.path for a in previous.articles} | {a.path for a in previous.actors}
    if not changed <= known | {tags_file}:
        return None
    problems: list[Problem] = []
    articles: dict[str, Article] = {}
    actors: dict[str, Actor] = {}
    for relative in changed - {tags_file}:
        try:
            stat = (config.root / relative).stat()
        except FileNotFoundError:
            return None
        record, found = _read_file(config.root, relative)
        problems.extend(found)
        if isinstance(record, Article):
            articles[relative] = record
        elif isinstance(record, Actor):
            actors[relative] = record
        if record is not None:
            parsed[relative] = (stat.st_mtime_ns, stat.st_size, record)
    tags = load_tags(config, problems) if tags_file in changed else previous.tags
    if problems:
        raise ContentError(problems)
    if not articles and not actors:
        return Content(previous.articles, previous.actors, tags)
    return Content(tuple(articles.get(a.path, a) for a in previous.articles),
                   tuple(actors.get(a.path or "", a) for a in previous.actors), tags)


def load_content(config: Config, parsed: ParsedFiles | None = None,
                 changed: Iterable[str] = (), scanned: Scan | None = None,
                 ahead: BodiesAhead | None = None) -> Content:
    """Read every article, actor and tag. Raises ContentError listing all problems.

    parsed, when given, holds records from an earlier load; files whose size and modification
    time are unchanged (and that are not in `changed`) are not read again. It is updated.
    scanned is a scan of the digest root's content/ folder, when the caller has made one.
    ahead, when given, reads many files in its worker processes, which then convert the
    bodies (see digest.ahead); without it every file is read here.
    """
    problems: list[Problem] = []
    table: ParsedFiles = {} if parsed is None else parsed
    forced = frozenset(changed)
    if scanned is None:
        scanned = scan(config.root, [config.content_dir])
    articles, actors = _read_folders(config, scanned, problems, table, forced, ahead)
    tags = load_tags(config, problems)
    if problems:
        raise ContentError(problems)
    live = {a.path for a in articles} | {a.path for a in actors}
    for stale in [path for path in table if path not in live]:
        del table[stale]
    return Content(tuple(articles), tuple(actors), tags)
