"""Saved HTML page -> headline, metadata and Markdown body.

trafilatura finds the main content (we never hand-write a boilerplate remover for HTML);
this module picks the headline, reads the page metadata, and serialises trafilatura's
XML-like result tree (p, head, list/item, quote, table, hi, ref, lb) as Markdown.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import etree
from trafilatura.utils import load_html

from digest.ingest.escape import escape_block_start, escape_inline
from digest.ingest.language import declared_language
from digest.ingest.text import ChromeMatchers, is_chrome_line, looks_english, matchers
from digest.ingest.typography import fix_line, is_mojibake, uses_curly_quotes
from digest.plain import plain_text
from digest.urls import is_web_address

# Separators sites put between a headline and their name in <title> and og:title.
_TITLE_SEPARATOR_RE = re.compile(r"\s+[|\-\u2013\u2014:\u00b7\u2022/]{1,2}\s+")
_SAFE_LINK_SCHEMES = ("http", "https", "mailto")
# Blocks that the serialiser writes as structure (headings, quotes, lists, tables), not prose.
_STRUCTURE_BLOCK_RE = re.compile(r"^(?:[#>|]|- |\d+\. )")
_LINK_ITEM_RE = re.compile(r"\s*(?:-|\d+\.) \[[^\]]+\]\([^)\s]+\)")
_PROSE_BLOCK_RE = re.compile(r"[.!?\u2026\u3002\uff01\uff1f]")
_HEADING_LEVELS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


@dataclass(frozen=True, slots=True)
class HtmlArticle:
    """What a page yields before typography is settled for the whole article."""

    title: str
    body: str
    date: datetime.datetime | None
    source: str | None
    source_url: str | None
    authors: tuple[str, ...]
    language: str | None = None  # as the page declares it (<html lang>, og:locale)


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _site_names(tree: etree._Element, metadata_sitename: str | None) -> set[str]:
    names = {str(value) for value in tree.xpath(
        "//meta[@property='og:site_name' or @name='application-name'"
        " or @name='apple-mobile-web-app-title']/@content")}
    if metadata_sitename:
        names.add(metadata_sitename)
    return {" ".join(name.split()).casefold() for name in names if name.strip()}


def strip_site_name(title: str, site_names: set[str]) -> str:
    """Drop a leading or trailing site name ('Headline | Site', 'Site - Headline')."""
    parts = _TITLE_SEPARATOR_RE.split(title)
    if len(parts) < 2:
        return title
    separators = _TITLE_SEPARATOR_RE.findall(title)
    if parts[-1].casefold() in site_names or (len(parts[-1].split()) <= 3 and not site_names):
        return title[: title.rfind(separators[-1])].strip()
    if parts[0].casefold() in site_names:
        return title[title.find(separators[0]) + len(separators[0]):].strip()
    return title


def _headline_h1s(tree: etree._Element, site_names: set[str]) -> Iterator[str]:
    """Level-1 headings that can be the article's: not the site's name, not a link to another
    story, not in navigation or page furniture."""
    for heading in tree.iter("h1"):
        text = _text(heading)
        if not text or text.casefold() in site_names:
            continue
        if heading.xpath("ancestor-or-self::a or .//a[string-length(normalize-space()) > 0]"):
            continue
        if heading.xpath("ancestor::nav or ancestor::footer or ancestor::aside"):
            continue
        yield text


def choose_title(tree: etree._Element, metadata_title: str | None,
                 metadata_sitename: str | None) -> str:
    """The page's own headline (<h1>) if it has one, else og:title / <title> without the site
    name: the <h1> is what the reader sees, og:title is often rewritten for social media."""
    site_names = _site_names(tree, metadata_sitename)
    for text in _headline_h1s(tree, site_names):
        return text
    for query in ("//meta[@property='og:title']/@content",
                  "//meta[@name='twitter:title']/@content", "//head/title"):
        for found in tree.xpath(query):
            text = " ".join((found if isinstance(found, str) else _text(found)).split())
            if text:
                return strip_site_name(text, site_names)
    return metadata_title or ""


def _parse_date(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None


def _safe_link(target: str | None, base_url: str | None) -> str | None:
    if not target:
        return None
    absolute = urljoin(base_url, target.strip()) if base_url else target.strip()
    if urlsplit(absolute).scheme not in _SAFE_LINK_SCHEMES:
        return None
    return absolute.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


@dataclass(frozen=True, slots=True)
class _Serializer:
    """Turns trafilatura's result tree into Markdown; curly says whether to curl quotes,
    mojibake whether the page's text is mojibake to repair."""

    base_url: str | None
    curly: bool
    mojibake: bool

    def text(self, raw: str | None) -> str:
        if not raw:
            return ""
        # Keep an edge space so "a <b>b</b>" does not glue into "ab".
        fixed = fix_line(raw, self.curly, self.mojibake)
        if not fixed:
            return " "
        lead = " " if raw[:1].isspace() and fixed else ""
        trail = " " if raw[-1:].isspace() and fixed else ""
        return lead + escape_inline(fixed) + trail

    def inline(self, element: etree._Element) -> list[str]:
        """The element's content as Markdown lines (<lb/> breaks a paragraph into lines)."""
        lines = [""]
        lines[-1] += self.text(element.text)
        for child in element:
            tag = child.tag
            if tag == "lb":
                lines.append("")
            elif tag == "graphic":
                pass
            elif tag in ("ref", "hi"):
                lines[-1] += self.marked(child)
            else:
                child_lines = self.inline(child)
                lines[-1] += child_lines[0]
                lines.extend(child_lines[1:])
            lines[-1] += self.text(child.tail)
        return lines

    def marked(self, element: etree._Element) -> str:
        """A link or emphasis, with the spaces at its edges kept outside the markup."""
        raw = " ".join(self.inline(element))
        label = " ".join(raw.split())
        if not label:
            return " " if raw else ""
        if element.tag == "ref":
            target = _safe_link(element.get("target"), self.base_url)
            marked = f"[{label}]({target})" if target else label
        else:
            rend = element.get("rend", "")
            # Emphasis inside the same emphasis would close it early: the outer one is enough.
            nested = any(outer.get("rend") == rend for outer in element.iterancestors("hi"))
            mark = "" if nested else {"#b": "**", "#i": "*", "#t": "`"}.get(rend, "")
            marked = f"{mark}{label}{mark}"
        lead = " " if raw[:1].isspace() else ""
        trail = " " if raw[-1:].isspace() else ""
        return lead + marked + trail

    def paragraphs(self, element: etree._Element) -> list[str]:
        lines = (" ".join(line.split()) for line in self.inline(element))
        return [escape_block_start(line) for line in lines if line]

    def blocks(self, element: etree._Element) -> list[str]:
        """Markdown blocks for the children of a container element."""
        out: list[str] = []
        if element.text and element.text.strip():
            out.append(escape_block_start(self.text(element.text).strip()))
        for child in element:
            out.extend(self.block(child))
            if child.tail and child.tail.strip():
                out.append(escape_block_start(self.text(child.tail).strip()))
        return out

    def block(self, element: etree._Element) -> list[str]:
        tag = element.tag
        if tag == "head":
            level = _HEADING_LEVELS.get(element.get("rend", "h2"), 2)
            text = " ".join(" ".join(self.inline(element)).split())
            return [f"{'#' * level} {text}"] if text else []
        if tag == "list":
            return self.list_block(element)
        if tag == "quote":
            inner = self.blocks(element) if len(element) and element[0].tag in (
                "p", "list", "head", "quote") else self.paragraphs(element)
            return ["\n".join(("> " + line) if line else ">" for line in "\n\n".join(
                inner).split("\n"))] if inner else []
        if tag == "table":
            return self.table_block(element)
        if tag == "code":
            code = "".join(element.itertext()).strip("\n")
            return [f"```\n{code}\n```"] if code.strip() else []
        if tag in ("graphic", "lb"):
            return []
        if tag in ("div", "main", "body", "doc", "item", "cell", "row"):
            return self.blocks(element)
        return self.paragraphs(element)

    def list_block(self, element: etree._Element, depth: int = 0) -> list[str]:
        ordered = element.get("rend", "").lower() in ("ol", "#ol")
        lines = []
        for number, item in enumerate(element.iterfind("item"), start=1):
            marker = f"{number}." if ordered else "-"
            nested = [child for child in item if child.tag == "list"]
            for child in nested:
                item.remove(child)
            text = " ".join(" ".join(self.inline(item)).split())
            indent = "   " * depth
            if text:
                lines.append(f"{indent}{marker} {text}")
            for child in nested:
                lines.extend(self.list_block(child, depth + 1))
        return ["\n".join(lines)] if lines else []

    def table_block(self, element: etree._Element) -> list[str]:
        rows = [[" ".join(" ".join(self.inline(cell)).split()).replace("|", "\\|")
                 for cell in row.iterfind("cell")]
                for row in element.iterfind("row")]
        rows = [row for row in rows if any(row)]
        if not rows:
            return []
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        return ["\n".join(lines)]


def _merge_adjacent_emphasis(body: etree._Element) -> None:
    """Join runs of same emphasis that touch (NYT italicises a paragraph piece by piece:
    `<hi>Here are some </hi><hi>tips</hi><hi>. And</hi>`): written one by one they give
    `*tips**. And*`, which Markdown reads as a stray `**`."""
    for first in list(body.iter("hi")):
        if first.getparent() is None:  # already merged into its left neighbour
            continue
        following = first.getnext()
        while (following is not None and following.tag == "hi"
               and following.get("rend") == first.get("rend")
               and not (first.tail or "").strip()):
            gap = (first.tail or "") + (following.text or "")
            if len(first):
                first[-1].tail = (first[-1].tail or "") + gap
            else:
                first.text = (first.text or "") + gap
            first.extend(list(following))
            first.tail = following.tail
            following.getparent().remove(following)
            following = first.getnext()


def to_markdown(body: etree._Element, base_url: str | None, mojibake: bool = False) -> str:
    """Serialise trafilatura's main-content element as Markdown blocks."""
    _merge_adjacent_emphasis(body)
    curly = uses_curly_quotes("".join(body.itertext()))
    return "\n\n".join(_Serializer(base_url, curly, mojibake).blocks(body)).strip()


def _drop_repeated_headline(body: str, title: str) -> str:
    """The body starts after the headline: drop a first heading that repeats it."""
    first, _, rest = body.partition("\n\n")
    heading = first.lstrip("#").strip().replace("\\", "")
    if first.startswith("#") and heading.casefold() == title.casefold():
        return rest
    return body


def _has_prose(body: str) -> bool:
    """Whether the body holds running text, not only headings, lists of links or tables."""
    # Length in characters too: Chinese and Japanese put no spaces between words.
    return any(_PROSE_BLOCK_RE.search(block) and (len(block.split()) >= 8 or len(block) >= 40)
               and not _STRUCTURE_BLOCK_RE.match(block) for block in body.split("\n\n"))


def _is_link_list(block: str) -> bool:
    return all(_LINK_ITEM_RE.fullmatch(line) for line in block.split("\n"))


def _without_chrome(body: str, patterns: ChromeMatchers) -> str:
    """What trafilatura keeps of a page's chrome, dropped by the pasted-text patterns: headings
    and paragraphs ("### You may also like:", "**Related:** ...", newsletter prompts) and a
    list of bare links under such a line. Other lists, tables, quotes and code are never
    tested; a line reading as a sentence only meets the [notice] patterns."""
    blocks = body.split("\n\n")
    english = looks_english(blocks)
    kept: list[str] = []
    after_chrome = in_code = False
    for block in blocks:
        fences = block.count("```")
        if in_code or fences:  # code may hold blank lines: all of it is kept
            kept.append(block)
            in_code ^= fences % 2 == 1
            continue
        if _STRUCTURE_BLOCK_RE.match(block) and not block.startswith("#"):
            if not (after_chrome and _is_link_list(block)):
                kept.append(block)
                after_chrome = False
            continue
        after_chrome = is_chrome_line(plain_text(block), patterns, english)
        if not after_chrome:
            kept.append(block)
    return "\n\n".join(kept)


def canonical_url(tree: etree._Element) -> str | None:
    for query in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        for value in tree.xpath(query):
            if is_web_address(str(value).strip()):
                return str(value).strip()
    return None


def read_page(html: str, url: str | None,
              extra_patterns: tuple[str, ...] = ()) -> HtmlArticle | None:
    """The article in a page, or None when trafilatura finds no main content; extra_patterns
    are the curator's chrome patterns."""
    tree = load_html(html)
    if tree is None:
        return None
    # Title and URL are read first: trafilatura prunes the tree it is given.
    page_url = canonical_url(tree) or url
    metadata = trafilatura.extract_metadata(tree, default_url=url)
    title = choose_title(tree, metadata.title, metadata.sitename)
    result = trafilatura.bare_extraction(
        tree, url=page_url, include_comments=False, include_formatting=True,
        include_links=True, include_tables=True, with_metadata=False)
    if result is None or isinstance(result, dict) or result.body is None:
        return None
    # Mojibake is decided for the whole page: one text node alone ("Spaß“") can look like it.
    mojibake = is_mojibake(title + "\n" + "".join(result.body.itertext()))
    body = _without_chrome(to_markdown(result.body, page_url, mojibake),
                           matchers(tuple(extra_patterns)))
    body = _drop_repeated_headline(body, title)
    if not _has_prose(body):
        return None
    curly = uses_curly_quotes(body)
    authors = tuple(name.strip() for name in (metadata.author or "").split(";") if name.strip())
    locale = tree.xpath("string(//meta[@property='og:locale']/@content)")
    return HtmlArticle(
        title=fix_line(title, curly, mojibake), body=body, date=_parse_date(metadata.date),
        source=metadata.sitename or None, source_url=page_url, authors=authors,
        language=declared_language(tree.get("lang") or str(locale) or None))
