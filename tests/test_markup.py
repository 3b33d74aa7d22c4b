"""Markdown bodies become safe HTML, and the first mention of each actor becomes a link."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import markdown
import pytest

from digest.markup import MarkdownRenderer, link_first_mentions

IRAN = "/d/actors/iran/"
EMBASSY = "/d/actors/us-embassy/"
US = "/d/actors/united-states/"
TITLES = {IRAN: "Iran", EMBASSY: "U.S. Embassy", US: "United States"}


def link(html: str, names: dict[str, str]) -> str:
    return link_first_mentions(html, names, TITLES)


def test_only_the_first_mention_is_linked_whatever_its_spelling() -> None:
    html = "<p>The U.S. said so. The United States and the U.S. agreed.</p>"
    linked = link(html, {"United States": US, "U.S.": US})
    assert linked == ('<p>The <a class="actor-link" href="/d/actors/united-states/" '
                      'title="United States">U.S.</a> said so. The United States and the U.S. '
                      "agreed.</p>")


def test_the_longer_name_wins_where_two_start_together() -> None:
    linked = link("<p>The U.S. Embassy spoke for the U.S. government.</p>",
                  {"U.S. Embassy": EMBASSY, "U.S.": US})
    assert 'href="/d/actors/us-embassy/">U.S. Embassy</a>' in linked  # no tooltip: it says it
    assert 'title="United States">U.S.</a> government' in linked  # the name an alias stands for


def test_whole_words_only_but_possessives_count() -> None:
    linked = link("<p>Iranian officials spoke of Iran’s plans.</p>", {"Iran": IRAN})
    assert linked == ('<p>Iranian officials spoke of <a class="actor-link" href="/d/actors/iran/">'
                      'Iran</a>’s plans.</p>')


def test_never_inside_links_code_or_headings() -> None:
    html = ('<h2>Iran</h2><p><a href="https://x.org">Iran</a> <code>Iran</code></p>'
            "<pre><code>Iran</code></pre><p>Then Iran.</p>")
    linked = link(html, {"Iran": IRAN})
    assert linked.count("actor-link") == 1
    assert linked.endswith('<p>Then <a class="actor-link" href="/d/actors/iran/">Iran</a>.</p>')


def test_names_in_attributes_and_in_elements_named_like_links_are_told_apart() -> None:
    html = ('<p><img alt="Iran" src="m.png"> <abbr title="Iran">IR</abbr> <kbd>Iran</kbd> '
            "<address>Iran</address></p>")
    linked = link(html, {"Iran": IRAN})
    assert linked.count("actor-link") == 1  # not in alt or title, nor in a key to press
    assert '<address><a class="actor-link" href="/d/actors/iran/">Iran</a></address>' in linked
    assert link("<h3>Iran and Iran", {"Iran": IRAN}) == "<h3>Iran and Iran"  # never closed


def test_non_latin_names_and_escaped_characters() -> None:
    names = {"حزب الله": "/d/actors/hezbollah/", "AT&T": "/d/actors/att/"}
    linked = link_first_mentions("<p>قال حزب الله و AT&amp;T</p>", names, {})
    assert '<a class="actor-link" href="/d/actors/hezbollah/" title="">حزب الله</a>' in linked
    assert '<a class="actor-link" href="/d/actors/att/" title="">AT&amp;T</a>' in linked


def test_body_headings_stay_under_the_page_title() -> None:
    """The article's title is the page's one <h1>: a body that uses `#` for its sections
    has every heading moved one level down, keeping their order."""
    html = MarkdownRenderer().to_html("# Background\n\nText.\n\n## Earlier\n\n"
                                      "###### Deepest\n\n<h1>Raw</h1>\n")
    assert "<h1" not in html
    assert re.findall(r"<h(\d)>(\w+)</h\1>", html) == [
        ("2", "Background"), ("3", "Earlier"), ("6", "Deepest"), ("2", "Raw")]
    assert MarkdownRenderer().to_html("## Section\n\nText.\n") == (
        "<h2>Section</h2>\n<p>Text.</p>")  # bodies whose sections are `##` are as they were
    # sections written `###` (text pasted from a page whose own headings were h3) move up to
    # h2: a page's headings never skip from its title's h1 to h3
    html = MarkdownRenderer().to_html("### Claim\n\nText.\n\n#### Origin\n\nMore.\n")
    assert re.findall(r"<h(\d)>(\w+)</h\1>", html) == [("2", "Claim"), ("3", "Origin")]


def test_raw_html_is_sanitised() -> None:
    html = MarkdownRenderer().to_html(
        '<script>alert(1)</script>\n\n<img src="x" onerror="alert(2)">\n\n'
        '[a](javascript:alert(3)) <a href="https://ok.org" onclick="x()">ok</a>')
    assert "<script" not in html and "alert(1)" not in html
    assert "onerror" not in html and "onclick" not in html and "javascript:" not in html
    assert '<a href="https://ok.org" rel="noopener noreferrer">ok</a>' in html


def test_tables_fenced_code_and_lists() -> None:
    html = MarkdownRenderer().to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n\n"
                                      "1. one\n2. two\n")
    assert "<table>" in html and "<pre tabindex=\"0\"><code>code" in html and "<ol>" in html


def test_tables_and_code_blocks_take_keyboard_focus_to_be_scrolled() -> None:
    """Both scroll sideways on a narrow screen: a reader without a mouse must reach them. A
    table scrolls in a named region around it, from Markdown or raw HTML alike."""
    html = MarkdownRenderer().to_html(
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n    indented code\n\n"
        '<table lang="fa"><tr><td>x</td></tr></table>\n\nText with <pre>raw</pre> in it.\n')
    box = '<div class="table-scroll" role="region" aria-label="Table" tabindex="0">'
    assert html.count(box) == 2 and html.count("</table></div>") == 2
    assert f'{box}<table>\n<thead>' in html and f'{box}<table lang="fa">' in html
    assert '<pre tabindex="0"><code>indented code' in html
    assert '<pre tabindex="0">raw</pre>' in html
    assert "tabindex" not in MarkdownRenderer().to_html("Text with a <preview>tag</preview>.")


def test_converting_markdown_does_not_import_the_code_highlighter() -> None:
    # Python-Markdown's fenced code imports Pygments for a highlighter digest never uses: 20 ms
    # at the start of every build, before any worker can start. A fresh process shows it.
    import subprocess
    import sys

    script = ("import sys, digest.markup as m; "
              "html = m.MarkdownRenderer().to_html('~~~ python\\nx = 1\\n~~~'); "
              "print('pygments' in sys.modules, html)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    assert result.stdout == 'False <pre tabindex="0"><code>x = 1\n</code></pre>\n'


# Every inline pattern Python-Markdown has, in the places where they nest and overlap.
INLINE_SAMPLES = [
    "Plain words, then *em*, **strong**, ***both***, _under_ and __double__ and a_b_c.",
    "A [link](https://example.org/a_b) with *em [inside](https://x.org) it* and ![img](i.png).",
    "A [ref link][r] and [r] and ![ref image][i]\n\n[r]: https://r.org\n[i]: https://i.org/i.png",
    "Code `a*b*c` and ``code with ` tick`` and \\`escaped\\` and \\*not em\\*.",
    "An <https://auto.link/x?a=1&b=2> and <mail@example.org> and <span>html *em*</span>.",
    "Entities &amp; &#169; &#x263A; &copy; and a bare & and AT&T.",
    "A line with a break  \nand the next line\nand a soft one.",
    "Nesting: **bold [link *em*](https://x.org) bold** and *em `code` em*.",
    "Under_scores_in_words and snake_case_name and 2*3*4 and * lone star.",
    "> A quote with *em* and a [link](https://q.org).\n\n- list *item*\n- `code` item",
    "# Heading *em*\n\nTable:\n\n| a | *b* |\n|---|---|\n| `c` | [d](https://d.org) |",
    "\\\\`code after escaped backslash` and \\[not a link](x) and [a](<https://x.org/ b>)",
    # links read at once (plain ones) and the stock way (all others), side by side
    "[plain](https://x.org/a?b=1&c=2#d) [spaced]( https://x.org/s ) [lines](\nhttps://x.org\n)",
    "[t](https://x.org \"Title\") [t](https://x.org 'T') [t](<https://x.org> \"T\") [](x) [t]()",
    "[t](https://x.org/a_(b)) [a [nested] text](https://n.org) [t](x\"y) [t](x'y) [t](x<y)",
    "[esc\\]aped](https://e.org) [t](https://e.org/\\)) [t](https://x.org [t] (x) [*em*](y)",
    "[r](https://x.org) [r][] [r] [r] [x] [r](y)\n\n[r]: https://r.org\n[x]: https://x.org",
]
# Every block the guarded block processors accept, every text the guarded preprocessors
# change, and near misses.
BLOCK_SAMPLES = [
    "# One\n## Two ##\n###### Six\n####### seven is a paragraph\n\nText #hashtag and C# code.",
    "> quoted\n> > nested\n\n   > indented quote\n\n    > code, not a quote\n\na > b",
    "Underlined\n==========\n\nAlso\n---\n\nnot - a - heading\n= not either",
    "---\n\n* * *\n\n___\n\n- - -\n\n-- two only\n\nwell-known -- dash",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n\na | b\n--|--\n1 | 2\n\n| one |\n|---|\n| col |\n\n"
    "a|b\n-|-\n1|2",
    "Plain paragraph\nover two lines.\n\n1. one\n2. two\n\n- item\n- item",
    "[ref]: https://r.org \"Title\"\n\nA [ref] link.\n\nNot a definition: [x] : y",
    "[tight]:https://t.org\n\nA [tight] link.",
    "```\nfenced *code*\n```\n\nthree `` ` `` ticks",
    "~~~ python\nx = 1\n~~~",
    "<div class=\"box\">\nraw *html*\n</div>\n\nAT&T, &#169 and &copy without a semicolon",
]


def skipping_converter() -> markdown.Markdown:
    """The converter digest uses, with the skipping extension."""
    from digest.markup import _extensions

    return markdown.Markdown(extensions=_extensions(), output_format="html")


def stock_converter() -> markdown.Markdown:
    """The same converter without the skipping extension: what its output must equal."""
    from digest.markdown_skips import SkipAbsentPatterns
    from digest.markup import _extensions

    return markdown.Markdown(
        extensions=[e for e in _extensions() if not isinstance(e, SkipAbsentPatterns)],
        output_format="html")


def test_skipping_absent_patterns_changes_no_output() -> None:
    """The inline processor that passes over patterns whose characters a text lacks gives
    exactly what Python-Markdown's own gives."""
    from digest.markdown_skips import SkipAbsentPatterns
    from digest.markup import _extensions

    assert any(isinstance(e, SkipAbsentPatterns) for e in _extensions()), (
        f"Python-Markdown {markdown.__version__} is not among the versions the skipping was "
        "checked with: run these tests with it on (widen CHECKED_MARKDOWN in "
        "digest/markdown_skips.py) and keep the wider range if they pass")
    fast, stock = skipping_converter(), stock_converter()
    for sample in INLINE_SAMPLES + ["\n\n".join(INLINE_SAMPLES)]:
        assert fast.reset().convert(sample) == stock.reset().convert(sample), sample


def test_a_pattern_never_matches_text_without_the_characters_it_needs() -> None:
    """What the skipping relies on, checked for every inline pattern it knows."""
    from digest.markdown_skips import pattern_needs

    converter = skipping_converter()
    known = [p for p in converter.inlinePatterns if pattern_needs(p) is not None]
    assert len(known) == len(list(converter.inlinePatterns))  # none is tried blindly
    text = "\n".join(INLINE_SAMPLES)
    for pattern in known:
        needs = pattern_needs(pattern)
        assert needs is not None
        assert pattern.getCompiledRegExp().search(text), pattern  # it does match with them
        without = "".join(c for c in text if c not in needs)
        assert pattern.getCompiledRegExp().search(without) is None, pattern


def test_a_name_after_a_letter_digit_underscore_or_dot_is_not_a_mention() -> None:
    html = "<p>XIran 1Iran _Iran .Iran and then (Iran) spoke.</p>"
    linked = link(html, {"Iran": IRAN})
    assert linked.count("actor-link") == 1
    assert '(<a class="actor-link" href="/d/actors/iran/">Iran</a>)' in linked


def test_skipping_absent_block_characters_changes_no_output() -> None:
    fast, stock = skipping_converter(), stock_converter()
    for sample in BLOCK_SAMPLES + ["\n\n".join(BLOCK_SAMPLES + INLINE_SAMPLES)]:
        assert fast.reset().convert(sample) == stock.reset().convert(sample), sample


# Pieces of Markdown syntax that the guarded block processors and preprocessors look for,
# joined at random into texts: most fail a guard's test, many pass it, some are accepted.
PIECES = ["a", "word", " ", "   ", "    ", "\n", "\n\n", "-", "---", "- ", "=", "===", "_",
          "___", "*", "* * *", "#", "## ", ">", "> ", "|", "| a |", "|---|", "[r]", "]:", ": ",
          "https://r.org", "\"t\"", "(t)", "`", "```", "~", "~~~", "<", "<div>", "</div>", "&",
          "&amp;", "&#169", "&copy", ";", "1.", "\t", " \n", "\r", "\x02", "\x03"]


def random_texts(count: int, seed: int) -> list[str]:
    import random

    chooser = random.Random(seed)
    return ["".join(chooser.choices(PIECES, k=chooser.randint(1, 8))) for _ in range(count)]


def test_a_guarded_block_processor_never_takes_a_block_its_guard_turns_away() -> None:
    from digest.markdown_skips import block_guards

    stock = stock_converter()
    guards = block_guards()
    guarded = [p for p in stock.parser.blockprocessors if type(p) in guards]
    assert len(guarded) == len(guards)
    blocks = [block for sample in BLOCK_SAMPLES + INLINE_SAMPLES
              for block in sample.split("\n\n")] + random_texts(20000, seed=5)
    for processor in guarded:
        may_accept = guards[type(processor)]
        root = ElementTree.Element("div")
        turned_away = [block for block in blocks if not may_accept(block)]
        assert len(turned_away) > len(blocks) / 4, processor  # the guard does save work
        assert any(processor.test(root, block) and processor.run(root, [block]) is not False
                   for block in blocks if may_accept(block)), processor  # and lets some by
        for block in turned_away:
            assert not (processor.test(root, block) and processor.run(root, [block]) is not False
                        ), (processor, block)


def test_a_guarded_preprocessor_gives_what_the_stock_one_gives() -> None:
    from digest.markdown_skips import preprocessor_guards

    stock = stock_converter()
    guards = preprocessor_guards()
    guarded = [p for p in stock.preprocessors if type(p) in guards]
    assert len(guarded) == len(guards)
    texts = BLOCK_SAMPLES + INLINE_SAMPLES + random_texts(5000, seed=7)
    texts += [text.replace("\n", "\r\n") for text in texts[::50]]
    for processor in guarded:
        has_work, otherwise = guards[type(processor)]
        turned_away = [text for text in texts if not has_work(text)]
        assert len(turned_away) > len(texts) / 4, processor  # the guard does save work
        assert any(processor.run(_as_lines(text)) != otherwise(text)
                   for text in texts if has_work(text)), processor  # work it cannot skip
        for text in turned_away:
            stock.reset()
            assert processor.run(_as_lines(text)) == otherwise(text), (processor, text)


def _as_lines(text: str) -> list[str]:
    return text.split("\n")


def test_random_markdown_converts_as_with_the_stock_converter() -> None:
    fast, stock = skipping_converter(), stock_converter()
    for text in random_texts(3000, seed=11):
        assert fast.reset().convert(text) == stock.reset().convert(text), text


LINK_PIECES = ["[", "]", "(", ")", "](", "[t](", "'", "\"", "<", ">", " ", "\n", "a", "\\",
               "*", "https://x.org/p", "!"]


def test_random_links_convert_as_with_the_stock_converter() -> None:
    """Plain links are read at once, every other the stock way: the output is the same."""
    import random

    chooser = random.Random(3)
    texts = ["".join(chooser.choices(LINK_PIECES, k=chooser.randint(2, 12)))
             for _ in range(5000)]
    fast, stock = skipping_converter(), stock_converter()
    for name in ("link", "reference"):
        assert fast.inlinePatterns[name].handleMatch != stock.inlinePatterns[name].handleMatch
    for text in texts:
        assert outcome(fast, text) == outcome(stock, text), text


def outcome(converter: markdown.Markdown, text: str) -> tuple[str, str]:
    """The HTML, or the error: some Python-Markdown versions fail on a text like `<![x`
    (Python's HTML parser raises), with or without the skipping."""
    try:
        return "html", converter.reset().convert(text)
    except AssertionError as error:
        return "error", str(error)


def test_block_level_tags_are_told_as_python_markdown_tells_them() -> None:
    from markdown.util import BLOCK_LEVEL_ELEMENTS

    fast, stock = skipping_converter(), stock_converter()
    assert fast.is_block_level != stock.is_block_level  # digest's own answers, then
    tags = [*BLOCK_LEVEL_ELEMENTS, "em", "a", "strong", "span", "img", "br", "abbr", "", "P",
            "Div/", "hr/", "table ", None, ElementTree.Comment, 3]
    for tag in tags:
        assert fast.is_block_level(tag) == stock.is_block_level(tag), tag


def test_a_python_markdown_not_checked_with_gets_the_stock_processors(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from digest.markdown_skips import SkipAbsentPatterns
    from digest.markup import _extensions

    monkeypatch.setattr(markdown, "__version_info__", (3, 12, 0, "final", 0))
    assert not any(isinstance(e, SkipAbsentPatterns) for e in _extensions())
