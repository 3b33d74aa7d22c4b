"""Live reload in a real browser: Debian's Chromium driven by Playwright.

Each test starts `digest serve` on a small digest whose base_url has a path (/digest/), opens a
page, changes a file on disk, and waits for the browser to show the change with no action.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_serve_command import ARTICLE, ARTICLE_URL, ServeProcess, article_text, write_digest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
WAIT_MS = 20_000  # generous: the machine may be busy with other test runs

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium is not at /usr/bin/chromium", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def digest_root(tmp_path: Path) -> Path:
    return write_digest(tmp_path / "digest")


@pytest.fixture
def serve(digest_root: Path) -> Iterator[ServeProcess]:
    process = ServeProcess(digest_root)
    try:
        yield process.wait_until_serving()
    finally:
        process.stop(signal.SIGKILL)
        print("".join(process.output))  # shown by pytest when the test failed


@pytest.fixture
def page(browser: Any, serve: ServeProcess) -> Iterator[Any]:
    context = browser.new_context()
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    opened.goto(serve.url + ARTICLE_URL)
    wait_until_live(opened)
    yield opened
    context.close()


def wait_until_live(page: Any) -> None:
    """The page's event stream is open, so no change can slip by before it listens."""
    page.wait_for_function(
        "() => document.querySelector('script[data-events]')?.dataset.state === 'live'")


def wait_for_text(page: Any, text: str) -> None:
    page.wait_for_function("text => document.body.innerText.includes(text)", arg=text)


def mark(page: Any) -> None:
    """A value that lives only as long as the document: a full reload removes it."""
    page.evaluate("() => { window.__notReloaded = true; }")


def still_marked(page: Any) -> bool:
    return bool(page.evaluate("() => window.__notReloaded === true"))


def test_the_site_is_served_under_the_base_url_path(page: Any, serve: ServeProcess) -> None:
    assert page.url == f"http://127.0.0.1:{serve.port}/digest/{ARTICLE_URL}"
    assert "Three rockets landed near the embassy." in page.inner_text("body")
    # The stylesheet and links resolve under /digest/ too.
    assert page.evaluate("() => document.styleSheets[0].cssRules.length") > 0
    page.goto(f"http://127.0.0.1:{serve.port}/")
    assert page.url == f"http://127.0.0.1:{serve.port}/digest/"
    page.click("text=Rockets hit the Green Zone")
    assert page.url.endswith("/digest/" + ARTICLE_URL)


def test_an_article_edit_appears_without_any_action(page: Any, digest_root: Path) -> None:
    (digest_root / ARTICLE).write_text(article_text("Four rockets, officials now say."))
    wait_for_text(page, "Four rockets, officials now say.")
    assert "Three rockets" not in page.inner_text("body")


def test_an_edit_to_another_article_leaves_the_open_page_alone(page: Any,
                                                               digest_root: Path) -> None:
    """The build changes that article's page and the site feed, which carries its text: this
    page shows neither, so it is not reloaded (a reader keeps their place)."""
    mark(page)
    served_at = page.evaluate("() => document.querySelector('script[data-events]').dataset.version")
    other = digest_root / "content/articles/2021-02-01-statement.md"
    other.write_text(other.read_text() + "\nA second paragraph, later.\n")
    page.wait_for_function(
        "v => document.querySelector('script[data-events]').dataset.version !== v", arg=served_at)
    assert still_marked(page)


def test_a_template_edit_appears_without_any_action(page: Any, digest_root: Path) -> None:
    template = digest_root / "templates" / "article.html"
    text = template.read_text()
    stamp = '<p class="stamp">Checked by the desk</p>\n'
    assert '<article class="story">' in text
    template.write_text(text.replace('<article class="story">', '<article class="story">' + stamp))
    wait_for_text(page, "Checked by the desk")


def test_a_base_url_edit_takes_the_open_page_to_its_new_address(
        page: Any, digest_root: Path, serve: ServeProcess) -> None:
    config = digest_root / "digest.yaml"
    config.write_text(config.read_text().replace("/digest/", "/news/"))
    page.wait_for_url(f"http://127.0.0.1:{serve.port}/news/{ARTICLE_URL}")
    wait_until_live(page)
    assert "Three rockets landed near the embassy." in page.inner_text("body")
    # styled: the stylesheet at the new address was found
    assert page.evaluate("() => document.styleSheets[0].cssRules.length") > 0


def test_a_stylesheet_edit_is_swapped_in_without_a_reload(page: Any, digest_root: Path) -> None:
    mark(page)
    stylesheet = digest_root / "static" / "style.css"
    rule = "\nbody { border-top: 7px solid rgb(1, 2, 3); }\n"
    stylesheet.write_text(stylesheet.read_text() + rule)
    page.wait_for_function("() => getComputedStyle(document.body).borderTopWidth === '7px'")
    assert still_marked(page)
    assert page.evaluate("() => document.querySelectorAll('link[rel=stylesheet]').length") == 1


def test_broken_front_matter_shows_an_overlay_and_the_page_recovers(
        page: Any, digest_root: Path, serve: ServeProcess) -> None:
    (digest_root / ARTICLE).write_text(
        "---\ntitle: Rockets\ndate: 2021-01-10\ntags: [iraq\n---\nBody\n")
    overlay = page.locator("#livereload-overlay")
    overlay.wait_for(state="visible")
    problem = overlay.inner_text()
    location = re.search(re.escape(ARTICLE) + r":(\d+)", problem)
    assert location is not None, problem
    assert "invalid YAML" in problem
    assert_readable(page)
    # The terminal names the same file and line.
    serve.wait_for(re.escape(f"{ARTICLE}:{location.group(1)}: invalid YAML"))

    # A page opened while the build is broken shows the overlay at once.
    page.reload()
    assert page.locator("#livereload-overlay").is_visible()
    assert_readable(page)
    wait_until_live(page)

    (digest_root / ARTICLE).write_text(article_text("Repaired and republished."))
    wait_for_text(page, "Repaired and republished.")
    overlay.wait_for(state="detached")


def assert_readable(page: Any) -> None:
    """The problems are light text straight on the overlay's dark backdrop: the theme's rules
    for <pre> (a light background in light mode) do not reach them."""
    colours = page.evaluate("""() => [...document.querySelectorAll('.livereload-problem')]
        .map((item) => [getComputedStyle(item).color, getComputedStyle(item).backgroundColor])""")
    assert colours and all(colour == ["rgb(244, 244, 244)", "rgba(0, 0, 0, 0)"]
                           for colour in colours), colours


def test_a_template_error_shows_the_template_and_line(page: Any, digest_root: Path) -> None:
    template = digest_root / "templates" / "article.html"
    good = template.read_text()
    template.write_text(good.replace("{% block main %}", "{% block main %}\n{% if %}", 1))
    overlay = page.locator("#livereload-overlay")
    overlay.wait_for(state="visible")
    assert re.search(r"templates/article\.html:\d+", overlay.inner_text())
    template.write_text(good)
    overlay.wait_for(state="detached")
    wait_for_text(page, "Three rockets landed near the embassy.")


def test_the_page_reconnects_and_reloads_after_a_server_restart(
        page: Any, digest_root: Path, serve: ServeProcess) -> None:
    mark(page)
    assert serve.stop(signal.SIGINT) == 0
    (digest_root / ARTICLE).write_text(article_text("Written while the server was down."))
    restarted = ServeProcess(digest_root, port=serve.port).wait_until_serving()
    try:
        wait_for_text(page, "Written while the server was down.")
        assert not still_marked(page)
    finally:
        restarted.stop()


def set_visibility(page: Any, state: str) -> None:
    page.evaluate("""state => {
        Object.defineProperty(document, 'visibilityState', {value: state, configurable: true});
        document.dispatchEvent(new Event('visibilitychange'));
    }""", state)


def test_a_hidden_page_lets_go_of_its_stream_and_catches_up_when_shown(
        page: Any, digest_root: Path, serve: ServeProcess) -> None:
    """Browsers allow six connections per host: background tabs must not hold them all."""
    set_visibility(page, "hidden")
    page.wait_for_function(
        "() => document.querySelector('script[data-events]').dataset.state === 'paused'")
    (digest_root / ARTICLE).write_text(article_text("Edited while the tab was hidden."))
    serve.wait_for(r"built in \d+ ms")
    page.wait_for_timeout(500)  # time enough for a page that still listened to reload
    assert "Edited while the tab was hidden." not in page.inner_text("body")
    set_visibility(page, "visible")
    wait_for_text(page, "Edited while the tab was hidden.")
