"""The built site in a real browser (Debian's Chromium via Playwright), served as GitHub Pages
would serve it: plain files under the /digest/ path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import build
from tests.test_serve_browser import CHROMIUM, CHROMIUM_ARGS

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium is not at /usr/bin/chromium", allow_module_level=True)


@pytest.fixture
def page(digest_root: Path, static_server: tuple[str, Path]) -> Iterator[tuple[Any, str]]:
    base, www = static_server
    build(digest_root, www / "digest")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser.new_page(), base + "/digest/"
        browser.close()


def test_search_finds_articles_by_actor_alias_and_tag(page: tuple[Any, str]) -> None:
    tab, site = page
    tab.goto(site + "search/?q=Kataib+Hezbollah")
    results = tab.locator("#search-results li a")
    results.first.wait_for()
    assert sorted(results.all_inner_texts()) == ["Ghaani asks allies in Baghdad for calm",
                                                 "Rockets land near the Green Zone"]
    tab.fill("#q", "militias irgc")  # words from a tag and a title, in any case
    tab.wait_for_function("document.querySelectorAll('#search-results li').length === 1")
    assert results.all_inner_texts() == ["IRGC issues a statement"]
    results.first.click()
    tab.wait_for_url(site + "articles/2021-02-01-irgc-statement/")
    assert tab.locator("h1").inner_text() == "IRGC issues a statement"


def test_search_takes_words_in_quotes_as_one_phrase(page: tuple[Any, str]) -> None:
    tab, site = page
    tab.goto(site + "search/?q=%22Kataib+Hezbollah%22")  # "Kataib Hezbollah", as readers type
    results = tab.locator("#search-results li a")
    results.first.wait_for()
    assert len(results.all_inner_texts()) == 2
    tab.fill("#q", "\u201cGreen Zone\u201d rockets")  # typographic quotes, and a word
    tab.wait_for_function("document.querySelectorAll('#search-results li').length === 1")
    assert results.all_inner_texts() == ["Rockets land near the Green Zone"]
    tab.fill("#q", '"Zone Green"')  # both words are there, but not in this order
    tab.wait_for_function("document.querySelectorAll('#search-results li').length === 0")
    assert "Nothing matches" in tab.inner_text("#search-status")
    tab.fill("#q", "Zone Green")
    tab.wait_for_function("document.querySelectorAll('#search-results li').length === 1")


def test_a_paragraph_in_arabic_runs_from_the_right_and_one_in_english_from_the_left(
        page: tuple[Any, str], digest_root: Path, static_server: tuple[str, Path]) -> None:
    (digest_root / "content" / "articles" / "2021-05-01-arabic.md").write_text(
        "---\ntitle: صواريخ قرب المنطقة الخضراء\ndate: 2021-05-01\n---\n"
        "سقطت ثلاثة صواريخ قرب السفارة.\n\nThree rockets fell.\n", encoding="utf-8")
    build(digest_root, static_server[1] / "digest")
    tab, site = page
    tab.goto(site + "articles/2021-05-01-arabic/")
    # Where each paragraph's text sits in its box: flush right for Arabic, left for English.
    gaps = tab.evaluate("""() => [...document.querySelectorAll('.story .body p')].map((p) => {
        const range = document.createRange();
        range.selectNodeContents(p);
        const text = range.getBoundingClientRect(), box = p.getBoundingClientRect();
        return [Math.round(text.left - box.left), Math.round(box.right - text.right)];
    })""")
    (arabic_left, arabic_right), (english_left, english_right) = gaps
    assert arabic_right <= 1 < arabic_left, gaps
    assert english_left <= 1 < english_right, gaps


def test_pages_read_on_a_phone_without_sideways_scrolling(page: tuple[Any, str]) -> None:
    tab, site = page
    tab.set_viewport_size({"width": 360, "height": 740})
    for path in ["", "articles/2020-12-03-ghaani-in-baghdad/", "actors/quds-force/", "actors/"]:
        tab.goto(site + path)
        assert tab.evaluate("document.documentElement.scrollWidth") <= 360, path


def test_search_finds_articles_by_an_alias_of_their_actors(page: tuple[Any, str]) -> None:
    tab, site = page
    tab.goto(site + "search/?q=qaani")  # an alias of Esmail Ghaani, in no title or summary
    results = tab.locator("#search-results li a")
    results.first.wait_for()
    assert results.all_inner_texts() == ["Ghaani asks allies in Baghdad for calm"]
    tab.fill("#q", "Quds Corps")  # an alias of Quds Force
    tab.wait_for_function("document.querySelectorAll('#search-results li').length === 2")
    assert results.all_inner_texts() == ["Rockets land near the Green Zone",
                                         "Ghaani asks allies in Baghdad for calm"]


LONG_WORD = "Supercalifragilisticexpialidociousreorganisationcommitteeheadquarters"
LONG_ARTICLE = f"""---
title: The {LONG_WORD} announces changes
date: 2021-03-06
source: Rudaw Media Network International Broadcasting Corporation
dateline: Sulaimaniyah–Halabja–Penjwen border crossing
tags: [popular-mobilization-forces-and-their-reorganisation-under-the-prime-minister]
actors: [Popular Mobilization Forces Commission Headquarters Directorate of Operations]
quotes:
  - text: {LONG_WORD}{LONG_WORD}
    speaker: Popular Mobilization Forces Commission Headquarters Directorate of Operations
---
The commission said https://example.com/{LONG_WORD}/{LONG_WORD} on Saturday.

| Column one | Column two | Column three | Column four | Column five |
|---|---|---|---|---|
| aaaaaaaaaaaaaaaa | bbbbbbbbbbbbbbbbbbbb | cccccccccccccccccc | dddddddddddddddd | eeeeeeeeeee |

```
a very long line of code that scrolls inside its own box and never pushes the page sideways
```
"""


def test_long_names_words_and_addresses_never_make_a_phone_scroll_sideways(
        page: tuple[Any, str], digest_root: Path, static_server: tuple[str, Path]) -> None:
    tab, site = page
    (digest_root / "content/articles/2021-03-06-long.md").write_text(LONG_ARTICLE,
                                                                     encoding="utf-8")
    build(digest_root, static_server[1] / "digest")
    tab.set_viewport_size({"width": 360, "height": 740})
    actor = "actors/popular-mobilization-forces-commission-headquarters-directorate-of-operations/"
    for path in ["", "articles/2021-03-06-long/", actor, "archive/2021/03/",
                 "tags/popular-mobilization-forces-and-their-reorganisation-under-the-prime-"
                 "minister/", "search/?q=announces"]:
        tab.goto(site + path)
        if path.startswith("search"):
            tab.locator("#search-results li a").first.wait_for()
        assert tab.locator("h1").count() == 1
        assert tab.evaluate("document.documentElement.scrollWidth") <= 360, path


def test_wide_tables_and_code_scroll_in_boxes_the_keyboard_reaches(
        page: tuple[Any, str], digest_root: Path, static_server: tuple[str, Path]) -> None:
    """On a phone, a table or code block wider than the screen scrolls in its own box, which
    Tab reaches (Safari focuses no scrolling box by itself) and the arrow keys scroll; the
    table is still laid out as a table (a table made a scrolling block is none in Safari)."""
    tab, site = page
    (digest_root / "content/articles/2021-03-06-long.md").write_text(LONG_ARTICLE,
                                                                     encoding="utf-8")
    build(digest_root, static_server[1] / "digest")
    tab.set_viewport_size({"width": 360, "height": 740})
    tab.goto(site + "articles/2021-03-06-long/")
    assert tab.evaluate("getComputedStyle(document.querySelector('.body table')).display") \
        == "table"
    tab.evaluate("""() => {  // from the paragraph before them
        const before = document.querySelector('.body p');
        before.tabIndex = -1;
        before.focus();
    }""")
    for box in ("DIV", "PRE"):
        tab.keyboard.press("Tab")
        assert tab.evaluate("document.activeElement.tagName") == box
        assert tab.evaluate("document.activeElement.scrollWidth "
                            "> document.activeElement.clientWidth")
        tab.keyboard.press("ArrowRight")
        tab.wait_for_function("document.activeElement.scrollLeft > 0")
    assert tab.evaluate("document.activeElement.matches(':focus-visible')")


def test_search_finds_actor_pages_by_name_or_alias_even_without_articles(
        page: tuple[Any, str], digest_root: Path, static_server: tuple[str, Path]) -> None:
    tab, site = page
    (digest_root / "content/actors/hashd.md").write_text(
        "---\nname: Popular Mobilization Forces\naliases: [Hashd al-Shaabi, PMF]\n"
        "kind: armed group\n---\nAn umbrella of militias.\n", encoding="utf-8")
    build(digest_root, static_server[1] / "digest")
    tab.goto(site + "search/?q=qaani")  # an alias of Esmail Ghaani
    actors = tab.locator("#search-actor-results li a")
    actors.first.wait_for()
    assert actors.all_inner_texts() == ["Esmail Ghaani"]
    tab.fill("#q", "hashd")  # an actor no article names yet: found all the same
    tab.wait_for_function("document.querySelector('#search-actor-results li a') &&"
                          " document.querySelector('#search-actor-results li a').textContent"
                          " === 'Popular Mobilization Forces'")
    assert tab.locator("#search-results li").count() == 0
    assert "1 actor" in tab.inner_text("#search-status")
    actors.first.click()
    tab.wait_for_url(site + "actors/hashd/")


def test_a_search_with_no_results_says_so(page: tuple[Any, str]) -> None:
    tab, site = page
    tab.goto(site + "search/")
    tab.fill("#q", "zzyzx")
    tab.wait_for_function("document.getElementById('search-status').textContent !== ''")
    assert tab.inner_text("#search-status") == "Nothing matches “zzyzx”."
    assert tab.locator("#search-results li, #search-actor-results li").count() == 0
    assert tab.locator("#search-actors").is_hidden()
    assert tab.locator("#search-articles").is_hidden()


def test_pressing_enter_in_search_keeps_the_reader_in_place(page: tuple[Any, str]) -> None:
    """Enter must not reload the page (which drops the keyboard focus at the top of it); the
    address still holds the query, so that a search can be shared or bookmarked."""
    tab, site = page
    tab.goto(site + "search/")
    tab.evaluate("window.notReloaded = true")
    tab.focus("#q")
    tab.keyboard.type("irgc")
    tab.keyboard.press("Enter")
    tab.wait_for_function("window.location.search === '?q=irgc'")
    assert tab.evaluate("window.notReloaded") is True
    assert tab.evaluate("document.activeElement.id") == "q"
    assert tab.locator("#search-results li a").all_inner_texts() == ["IRGC issues a statement"]


def test_search_says_so_when_its_index_cannot_be_loaded(
        page: tuple[Any, str], static_server: tuple[str, Path]) -> None:
    tab, site = page
    (static_server[1] / "digest/search-index.json").unlink()
    tab.goto(site + "search/?q=irgc")
    tab.wait_for_function("document.getElementById('search-status').textContent !== ''")
    assert "could not load" in tab.inner_text("#search-status")


ARABIC_ARTICLE = """---
title: هيئة الحشد الشعبي تعلن عن تغييرات؟
date: 2021-03-07
source: Rudaw
actors: [Iran]
quotes:
  - text: نحن لن نتراجع!
    speaker: Iran
---
قالت الهيئة يوم السبت إنها لن تتراجع عن قرارها مهما كانت الضغوط.
"""


def test_text_in_a_right_to_left_script_reads_right_to_left(
        page: tuple[Any, str], digest_root: Path, static_server: tuple[str, Path]) -> None:
    """A digest in English quotes Arabic and Persian sources: their titles and quotes must run
    right to left (with the question mark at their end, on the left), the rest as before."""
    tab, site = page
    (digest_root / "content/articles/2021-03-07-hashd.md").write_text(ARABIC_ARTICLE,
                                                                      encoding="utf-8")
    build(digest_root, static_server[1] / "digest")

    def direction(selector: str) -> str:
        return str(tab.eval_on_selector(selector, "e => getComputedStyle(e).direction"))

    def from_the_right(selector: str) -> bool:  # where the text sits in its line
        return bool(tab.eval_on_selector(selector, """e => {
            const range = document.createRange(); range.selectNodeContents(e);
            const text = range.getBoundingClientRect(), box = e.getBoundingClientRect();
            return box.right - text.right < 2 && text.left - box.left > 2; }"""))

    tab.goto(site + "articles/2021-03-07-hashd/")
    assert from_the_right("h1")
    assert direction(".quote blockquote") == "rtl"
    tab.goto(site)
    assert from_the_right(".card-title")
    assert direction(".card .summary") == "rtl"
    tab.goto(site + "actors/iran/")
    assert direction(".quote blockquote") == "rtl"
    assert direction(".timeline li a") == "rtl"
    tab.goto(site + "articles/2020-12-03-ghaani-in-baghdad/")
    assert not from_the_right("h1")
    assert direction(".quote blockquote") == "ltr"


def test_a_listed_articles_source_reads_apart_from_its_title(page: tuple[Any, str]) -> None:
    tab, site = page
    tab.goto(site + "actors/quds-force/")
    source, time = (tab.eval_on_selector(f".timeline li {part}", "e => getComputedStyle(e).color")
                    for part in (".source", "time"))
    body = tab.eval_on_selector("body", "e => getComputedStyle(e).color")
    assert source == time != body  # muted, like the date, not the colour of the text


def test_the_page_content_keeps_clear_of_the_masthead_and_the_footer(
        page: tuple[Any, str]) -> None:
    """The last links of an article (older and newer) must not sit on the footer's rule."""
    tab, site = page
    for path in ["articles/2021-01-10-rockets-green-zone/", ""]:
        tab.goto(site + path)
        gaps = tab.evaluate("""() => {
            const main = document.querySelector('main');
            const last = main.lastElementChild.getBoundingClientRect();
            const first = main.firstElementChild.getBoundingClientRect();
            return [first.top - document.querySelector('.masthead').getBoundingClientRect().bottom,
                    document.querySelector('.colophon').getBoundingClientRect().top - last.bottom];
        }""")
        assert min(gaps) >= 16, (path, gaps)


def test_a_link_the_sanitiser_emptied_does_not_look_like_a_link(page: tuple[Any, str]) -> None:
    """A javascript: link in a body loses its address; what is left must read as text, not
    as a link that does nothing when clicked."""
    tab, site = page
    tab.goto(site + "articles/2021-01-10-rockets-green-zone/")
    emptied = tab.locator(".body a:not([href])")
    assert emptied.inner_text() == "click"
    color = "e => getComputedStyle(e).color"
    assert emptied.evaluate(color) == tab.eval_on_selector(".body p", color)


def test_the_skip_link_takes_keyboard_focus_into_the_page(page: tuple[Any, str]) -> None:
    tab, site = page
    tab.goto(site + "articles/2020-12-03-ghaani-in-baghdad/")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Skip to content"
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "main"


def contrast(first: list[float], second: list[float]) -> float:
    def luminance(rgb: list[float]) -> float:
        channels = [c / 255 for c in rgb[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    lighter, darker = sorted([luminance(first), luminance(second)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_field_and_the_focus_ring_stand_out(page: tuple[Any, str], scheme: str) -> None:
    """WCAG 1.4.11: the field's border, and a focused link's ring, 3:1 against the page."""
    tab, site = page
    tab.emulate_media(color_scheme=scheme)
    tab.goto(site + "search/")
    colours = tab.evaluate("""() => {
        const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const field = getComputedStyle(document.getElementById('q'));
        const page = getComputedStyle(document.body);
        const link = document.querySelector('main a, header a.brand');
        link.focus();
        return {border: rgb(field.borderTopColor), fill: rgb(field.backgroundColor),
                page: rgb(page.backgroundColor),
                ring: rgb(getComputedStyle(link).outlineColor),
                ringWidth: getComputedStyle(link).outlineWidth};
    }""")
    assert contrast(colours["border"], colours["page"]) >= 3, colours
    assert contrast(colours["border"], colours["fill"]) >= 3, colours
    assert contrast(colours["ring"], colours["page"]) >= 3, colours
    assert colours["ringWidth"] == "2px", colours


def test_the_mentions_chart_grows_with_the_text_and_scrolls_from_the_keyboard(
        page: tuple[Any, str]) -> None:
    """WCAG 1.4.4: a reader's larger text makes the chart's labels larger too; a chart wider
    than the screen then scrolls, and its box takes keyboard focus to be scrolled."""
    tab, site = page
    tab.goto(site + "actors/quds-force/")
    measure = """() => {
        const chart = document.querySelector('svg.chart');
        return {chart: chart.getBoundingClientRect().width,
                label: chart.querySelector('text').getBoundingClientRect().height};
    }"""
    usual = tab.evaluate(measure)
    tab.evaluate("document.documentElement.style.fontSize = '200%'")
    larger = tab.evaluate(measure)
    assert larger["chart"] >= 1.9 * usual["chart"], (usual, larger)
    assert larger["label"] >= 1.9 * usual["label"], (usual, larger)
    box = tab.locator("figure.chart-box")
    box.focus()
    assert tab.evaluate("document.activeElement.className") == "chart-box"
    assert tab.evaluate("document.activeElement.getAttribute('aria-labelledby')") \
        == "chart-heading"
