"""The cold-build profile (bench/cold_profile.py) times every step it names, and changes nothing
the build writes."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from digest.build import Builder
from tests.bench_support import load_bench_script
from tests.test_incremental import tree


@pytest.fixture(scope="module")
def profile() -> ModuleType:
    return load_bench_script("cold_profile")


@pytest.fixture(scope="module")
def corpus(profile: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("profile") / "digest"
    profile.corpus.ensure_digest(root, 30)
    return root


def test_a_profiled_build_writes_the_site_a_plain_build_writes(
        profile: ModuleType, corpus: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    profile.cold_build(corpus, runs, 0, 1)
    Builder(corpus, tmp_path / "plain", use_cache=False, workers=1).build()
    assert tree(runs / "site-0") == tree(tmp_path / "plain")


def test_every_step_of_a_one_process_build_is_timed(profile: ModuleType, corpus: Path,
                                                    tmp_path: Path) -> None:
    run = profile.cold_build(corpus, tmp_path, 0, 1)
    steps = run.spans[run.parent]
    articles = len(list((corpus / "content" / "articles").glob("*.md")))
    actors = len(list((corpus / "content" / "actors").glob("*.md")))
    assert steps["read a file"].calls == steps["YAML front matter"].calls == articles + actors
    assert steps["actor links in a body"].calls == articles
    pages = steps["page"].calls
    assert pages > articles and steps["Jinja"].calls == pages
    # compile templates runs only before forking workers, which a one-process build never does
    untimed = {step.label for step in profile.STEPS} - set(steps) - {"compile templates"}
    assert not untimed, f"steps the build never called through their wrappers: {untimed}"
    assert 0 < steps["page views"].seconds < steps["page"].seconds <= run.wall
    assert 0 < steps["read a file, less YAML"].seconds < steps["read a file"].seconds
    shares = profile.format_shares(run)
    assert "Markdown to HTML" in shares and "the rest (loading, plan, ...)" in shares
    assert "read a file, less YAML" in shares and "  read a file " not in shares
    libraries = sum(steps[label].seconds for label in profile.LIBRARIES)
    assert f"Jinja, YAML front matter): {libraries:.2f} s" in shares


def test_the_wrappers_are_gone_after_a_profiled_build(profile: ModuleType, corpus: Path,
                                                      tmp_path: Path) -> None:
    import digest.markup
    import digest.render

    render_page, to_html = digest.render.render_page, digest.markup.MarkdownRenderer.to_html
    profile.cold_build(corpus, tmp_path, 0, 1)
    assert digest.render.render_page is render_page
    assert digest.markup.MarkdownRenderer.to_html is to_html
