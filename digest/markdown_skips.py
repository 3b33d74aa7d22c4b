"""Python-Markdown made cheaper for news articles, with the same output.

Python-Markdown tries each of its inline patterns on every run of text, asks each block
processor about every block and runs each preprocessor over the whole text. Most of those
questions are answered by a missing character: a paragraph with no backtick has no code span,
a block with no `#` is no heading, a text with no `<` has no raw HTML. The extension here
skips them: Python-Markdown then spends 60% less time on a news article. tests/test_markup.py
compares its output with the stock converter's and checks that nothing it skips could have
matched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import markdown
from markdown import blockprocessors, inlinepatterns, preprocessors, treeprocessors, util

# Inline patterns that cannot match a text without one of these characters, by their regular
# expression as Python-Markdown defines it (the reference patterns share the link ones). A
# pattern not listed here is always tried. Checked (tests/test_markup.py) with Python-Markdown
# 3.5.2, 3.7, 3.9, 3.10.2 and 3.11.3.
_NEEDS = {
    inlinepatterns.BACKTICK_RE: "`",
    inlinepatterns.ESCAPE_RE: "\\",
    inlinepatterns.LINK_RE: "[",
    inlinepatterns.IMAGE_LINK_RE: "[",
    inlinepatterns.AUTOLINK_RE: "<",
    inlinepatterns.AUTOMAIL_RE: "<",
    inlinepatterns.LINE_BREAK_RE: "\n",
    inlinepatterns.HTML_RE: "<",
    inlinepatterns.ENTITY_RE: "&",
    # emphasis before Python-Markdown 3.11 (since then one DelimiterProcessor does it)
    r"\*": "*",
    "_": "_",
}
if hasattr(inlinepatterns, "NOT_STRONG_RE"):
    _NEEDS[inlinepatterns.NOT_STRONG_RE] = "*_"
_HANDLE_INLINE = "_InlineProcessor__handleInline"
_APPLY_PATTERN = "_InlineProcessor__applyPattern"


# The Python-Markdown versions the skipping was checked with (tests/test_markup.py compares its
# output with the stock processors'); with any other version the stock processors run.
CHECKED_MARKDOWN = ((3, 5), (3, 11))


def can_skip() -> bool:
    """The skipping below overrides one step of Python-Markdown's inline processor, which is
    not public: it is used only with the versions it was checked with."""
    version = tuple(markdown.__version_info__[:2])
    return (CHECKED_MARKDOWN[0] <= version <= CHECKED_MARKDOWN[1]
            and all(callable(getattr(treeprocessors.InlineProcessor, name, None))
                    for name in (_HANDLE_INLINE, _APPLY_PATTERN)))


def pattern_needs(pattern: object) -> str | None:
    """Characters of which a text must hold one for this inline pattern to match it; None
    when that is not known (the pattern is then tried on every text)."""
    delimiters = getattr(inlinepatterns, "DelimiterProcessor", None)
    if delimiters is not None and isinstance(pattern, delimiters):
        return "".join(token[0] for token in pattern.tokens) or None
    return _NEEDS.get(getattr(pattern, "pattern", None))  # type: ignore[arg-type]


class _SkippingInlineProcessor(treeprocessors.InlineProcessor):
    """Python-Markdown's inline processor, which tries each of its dozen inline patterns on
    every run of text, here passing over the patterns whose characters the text lacks: most
    news text has no backtick, backslash, angle bracket or ampersand. The output is the same
    (tests compare it with the stock processor's); Python-Markdown spends 40% less time.

    The placeholders that replace matched spans consist of control characters, letters and
    digits, none of which any pattern needs, so a text's characters can be checked as the
    patterns are applied one after another."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self._patterns: list[Any] = []
        self._needs: list[str | None] = []

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        # the patterns, in order, as a list (the registry sorts itself on every lookup), and
        # what each needs, looked up again only when they changed
        patterns = list(self.inlinePatterns)
        if patterns != self._patterns:
            self._patterns = patterns
            self._needs = [pattern_needs(pattern) for pattern in patterns]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802,N803
        if isinstance(data, util.AtomicString):
            return data
        patterns, needs = self._patterns, self._needs
        apply = getattr(self, _APPLY_PATTERN)
        start = 0
        index, count = patternIndex, len(patterns)
        while index < count:
            characters = needs[index]
            if characters is not None:
                # a loop, not any(): a generator would cost more than the look itself
                for character in characters:
                    if character in data:
                        break
                else:  # the text has none of them: the pattern cannot match
                    index, start = index + 1, 0
                    continue
            data, matched, start = apply(patterns[index], data, index, start)
            if not matched:
                index += 1
        return data


def _holds(*parts: str) -> Callable[[str], bool]:
    """A test that a text holds one of these parts."""
    if len(parts) == 1:
        (part,) = parts
        return lambda text: part in text

    def holds(text: str) -> bool:
        # a loop, not any(): asked about every block, a generator would cost more than the look
        for part in parts:  # noqa: SIM110
            if part in text:
                return True
        return False

    return holds


def _a_line_opens_with(characters: str) -> Callable[[str], bool]:
    """A test that a line of the text opens with one of these characters (after at most
    three spaces): where a thematic break (---, * * *, ___) must start."""
    holds_one = _holds(*characters)

    def test(text: str) -> bool:
        if not holds_one(text):
            return False
        for line in text.split("\n"):
            opening = line.lstrip(" ")
            if opening and opening[0] in characters and len(line) - len(opening) < 4:
                return True
        return False
    return test


def block_guards() -> dict[type, Callable[[str], bool]]:
    """Block processors, each with a test a block must pass for the processor to accept it:
    headings, quotes, underlined headings, thematic breaks, tables and link definitions. Each
    is otherwise asked about every block (tests/test_markup.py checks that each processor
    refuses every block its test turns away)."""
    from markdown.extensions.tables import TableProcessor

    return {blockprocessors.HashHeaderProcessor: _holds("#"),
            blockprocessors.BlockQuoteProcessor: _holds(">"),
            blockprocessors.SetextHeaderProcessor: _holds("\n=", "\n-"),
            blockprocessors.HRProcessor: _a_line_opens_with("-_*"),
            blockprocessors.ReferenceProcessor: _holds("]:"),
            TableProcessor: _holds("|")}


# A preprocessor's guard: a test the text must pass for the preprocessor to have work to do,
# and what the preprocessor gives for a text that fails it.
PreprocessorGuard = tuple[Callable[[str], bool], Callable[[str], list[str]]]


def _as_lines(text: str) -> list[str]:
    return text.split("\n")


def _needs_normalising(text: str) -> bool:
    """Whether Python-Markdown's whitespace normalising changes more than adding a blank line:
    it removes its placeholder characters, turns CR and tabs into newlines and spaces and
    empties lines of spaces."""
    return (any(character in text for character in (util.STX, util.ETX, "\r", "\t"))
            or " \n" in text or text.endswith(" "))


def preprocessor_guards() -> dict[type, PreprocessorGuard]:
    """Preprocessors that give a text without certain parts back as it is (or, for the
    whitespace normalising, with a blank line added): raw HTML blocks (and the character
    references the HTML parser completes), fenced code, tabs and blank lines of spaces."""
    from markdown.extensions.fenced_code import FencedBlockPreprocessor

    return {preprocessors.NormalizeWhitespace: (_needs_normalising,
                                                lambda text: _as_lines(text + "\n\n")),
            preprocessors.HtmlBlockPreprocessor: (_holds("<", "&"), _as_lines),
            FencedBlockPreprocessor: (_holds("```", "~~~"), _as_lines)}


def _guard_block_parsing(md: markdown.Markdown, guards: dict[type, Callable[[str], bool]],
                         ) -> None:
    """Python-Markdown's block parsing, which offers each block to each block processor in
    turn, here offering it only to those whose guard lets the block by (their own answer would
    be no). The processors are taken as they are when this extension is loaded, which has to be
    the last one: Python-Markdown would copy its registry of them for every block."""
    processors = [(processor, guards.get(type(processor)))
                  for processor in md.parser.blockprocessors]

    def parse_blocks(parent: Any, blocks: list[str]) -> None:
        while blocks:
            for processor, may_accept in processors:
                block = blocks[0]
                if may_accept is not None and not may_accept(block):
                    continue
                if processor.test(parent, block) and processor.run(parent, blocks) is not False:
                    break

    md.parser.parseBlocks = parse_blocks  # type: ignore[method-assign]


def _guard_unescaping(md: markdown.Markdown) -> None:
    """Python-Markdown's unescape step, which looks through every text of the tree for the
    placeholders of backslash escapes (\\* and the like), skipped for a text without a
    backslash: it has none. md.lines holds the text as the preprocessors left it, which is all
    that the tree's texts come from."""
    if "unescape" not in md.treeprocessors:
        return
    processor = md.treeprocessors["unescape"]
    if type(processor) is not treeprocessors.UnescapeTreeprocessor:
        return
    run = processor.run

    def guarded(root: Any) -> None:
        lines = getattr(md, "lines", None)  # set by Markdown.convert (not typed as its own)
        if lines is None or any("\\" in line for line in lines):
            run(root)

    processor.run = guarded  # type: ignore[method-assign]


def _guard_preprocessor(processor: preprocessors.Preprocessor, guard: PreprocessorGuard) -> None:
    """Give what the preprocessor would give, without running it, for a text that fails the
    guard's test."""
    run = processor.run
    has_work, otherwise = guard

    def guarded(lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        return run(lines) if has_work(text) else otherwise(text)

    processor.run = guarded  # type: ignore[method-assign]


class SkipAbsentPatterns(markdown.extensions.Extension):
    """Python-Markdown asks every inline pattern about every run of text and every block
    processor about every block, and runs each preprocessor over the whole text; this extension
    skips the questions whose answer a missing character gives away."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.treeprocessors.register(_SkippingInlineProcessor(md), "inline", 20)
        _guard_block_parsing(md, block_guards())
        _guard_unescaping(md)
        changes = preprocessor_guards()
        for preprocessor in md.preprocessors:
            if type(preprocessor) in changes:
                _guard_preprocessor(preprocessor, changes[type(preprocessor)])
        _look_up_block_level_in_a_set(md)
        _read_plain_links_at_once(md)


def _look_up_block_level_in_a_set(md: markdown.Markdown) -> None:
    """Python-Markdown asks whether a tag is a block-level one for every element it writes,
    and looks the name up in a list of 59 names, which an inline tag (em, a, strong) is read
    to the end of. The answers come from a set of the same names here: the list as it is when
    this extension is loaded, which has to be the last one (no other changes the list after)."""
    block_level = frozenset(md.block_level_elements)

    def is_block_level(tag: Any) -> bool:
        return isinstance(tag, str) and tag.lower().rstrip("/") in block_level

    md.is_block_level = is_block_level  # type: ignore[method-assign]


# An inline link at its simplest, read from just after its `[`: text without brackets, then
# `(`, spaces, and an address without brackets, parentheses or quotes that opens with neither
# a space nor `<` (so no title, no <address>, no nesting), then `)`.
_PLAIN_LINK = re.compile(r"""([^\[\]]*)\]\(\s*([^()'"<\s][^()'"]*)\)""")


def _registered(registry: util.Registry[Any], name: str) -> Any:
    """What the registry holds under name, or None (a Registry has no get())."""
    return registry[name] if name in registry else None  # noqa: SIM401


def _read_plain_links_at_once(md: markdown.Markdown) -> None:
    """Python-Markdown reads an inline link's text and address a character at a time in
    Python, to balance nested brackets and parentheses and find a title. A plain link (most
    of a news article's) is read here by one regular expression into the element the stock
    reading makes; any other goes the stock way. Before that, the reference link pattern
    (`[text][id]`) reads the same text a character at a time to find no `[id]` after it: for a
    plain link, its answer (no match) is given at once."""
    link = _registered(md.inlinePatterns, "link")
    if type(link) is not inlinepatterns.LinkInlineProcessor:
        return
    stock = link.handleMatch
    reference = _registered(md.inlinePatterns, "reference")
    if type(reference) is inlinepatterns.ReferenceInlineProcessor:
        stock_reference = reference.handleMatch

        def no_reference(match: re.Match[str], data: str) -> Any:
            if _PLAIN_LINK.match(data, match.end(0)) is not None:
                return None, None, None  # `](` follows the text, where an [id] would be
            return stock_reference(match, data)

        reference.handleMatch = no_reference  # type: ignore[method-assign, assignment]

    def handle_match(match: re.Match[str], data: str) -> Any:
        plain = _PLAIN_LINK.match(data, match.end(0))
        if plain is None:
            return stock(match, data)
        element = ElementTree.Element("a")
        element.text = plain.group(1)
        element.set("href", link.unescape(plain.group(2)).strip())
        return element, match.start(0), plain.end(0)

    link.handleMatch = handle_match  # type: ignore[method-assign, assignment]
