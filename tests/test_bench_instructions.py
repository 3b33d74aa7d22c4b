"""The instruction count (bench/instructions.py) is a steady figure, and it tells whether two
versions of the code write the same site."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType

import pytest

from tests.bench_support import load_bench_script


@pytest.fixture(scope="module")
def counter() -> ModuleType:
    return load_bench_script("instructions")


def test_sites_are_the_same_only_when_every_file_and_byte_is(counter: ModuleType,
                                                             tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for site in (first, second):
        (site / "articles" / "a").mkdir(parents=True)
        (site / "index.html").write_bytes(b"<p>home</p>")
        (site / "articles" / "a" / "index.html").write_bytes(b"<p>a</p>")
    assert counter.same_site(first, second)
    (second / "articles" / "a" / "index.html").write_bytes(b"<p>A</p>")  # same size
    assert not counter.same_site(first, second)
    (second / "articles" / "a" / "index.html").write_bytes(b"<p>a</p>")
    (second / "articles" / "b").mkdir()
    assert not counter.same_site(first, second)


def test_the_report_counts_the_build_without_start_up(counter: ModuleType,
                                                      tmp_path: Path) -> None:
    counts = [counter.Count("old", 1_500, 500, tmp_path), counter.Count("new", 1_400, 500,
                                                                         tmp_path)]
    lines = counter.report(counts, 10)
    assert lines[1].split() == ["old", "1,500", "500", "1,000", "100", "+0.0%"]
    assert lines[2].split() == ["new", "1,400", "500", "900", "90", "-10.0%"]


@pytest.mark.skipif(shutil.which("valgrind") is None,
                    reason="valgrind is not installed (Debian: apt-get install valgrind)")
def test_a_build_counted_twice_gives_the_same_count_and_the_same_site(
        counter: ModuleType, tmp_path: Path) -> None:
    root = tmp_path / "digest"
    counter.corpus.ensure_digest(root, 12)
    sites = tmp_path / "sites"
    sites.mkdir()
    tree = counter.compiled(counter.REPO)
    once, again = (counter.measure(label, tree, root, sites) for label in ("once", "again"))
    assert 0 < once.imports < once.build
    assert abs(once.build - again.build) < once.build * 0.005
    assert abs(once.imports - again.imports) < once.imports * 0.005
    assert (once.site / "index.html").is_file()
    assert counter.same_site(once.site, again.site)
