"""The benchmark corpus (bench/corpus.py) is deterministic and is valid digest content."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from digest.config import load_config
from digest.frontmatter import parse_document
from digest.load import load_content
from digest.model import name_key
from tests.bench_support import load_bench_script
from tests.test_incremental import tree


@pytest.fixture(scope="module")
def corpus_module() -> ModuleType:
    return load_bench_script("corpus")


def test_same_count_and_seed_give_identical_bytes_in_all_three_layouts(
        corpus_module: ModuleType, tmp_path: Path) -> None:
    for run in ("first", "second"):
        corpus_module.main(["--articles", "40", "--seed", "7", "--out", str(tmp_path / run / "d"),
                            "--hugo", str(tmp_path / run / "h"),
                            "--pelican", str(tmp_path / run / "p")])
    for layout in ("d", "h", "p"):
        first = tree(tmp_path / "first" / layout)
        assert first, layout
        assert first == tree(tmp_path / "second" / layout), layout


def test_another_seed_gives_another_corpus(corpus_module: ModuleType) -> None:
    assert corpus_module.generate(20, 1) != corpus_module.generate(20, 2)


def test_the_digest_layout_loads_as_digest_content(corpus_module: ModuleType,
                                                   tmp_path: Path) -> None:
    corpus_module.main(["--articles", "120", "--out", str(tmp_path)])
    config = load_config(tmp_path)
    content = load_content(config)

    assert config.base_url == "http://127.0.0.1:8000/"
    assert len(content.articles) == 120
    assert len(content.actors) == 40
    assert 55 <= len(content.tags) <= 65
    organisations = [actor for actor in content.actors if actor.kind == "organisation"]
    assert organisations
    assert sum(bool(actor.aliases) for actor in organisations) * 2 >= len(organisations)
    assert any(actor.affiliations for actor in content.actors)

    known = {name_key(n) for actor in content.actors for n in (actor.name, *actor.aliases)}
    aliases = {name_key(a) for actor in content.actors for a in actor.aliases}
    tag_names = {tag.name for tag in content.tags}
    named_by_alias = 0
    bodies = []
    for article in content.articles:
        body = parse_document((tmp_path / article.path).read_text(), article.path).body
        bodies.append(body)
        assert 3 <= len(article.actors) <= 8
        assert 2 <= len(article.tags) <= 5
        assert {name_key(name) for name in article.actors} <= known
        assert set(article.tags) <= tag_names
        named_by_alias += sum(name_key(name) in aliases for name in article.actors)
        for quote in article.quotes:
            assert quote.speaker in article.actors
        assert "\n## " in body
        words = [w for w in body.split() if w not in {"##", ">", "-", "—"}
                 and not w.rstrip(".").isdigit()]
        assert 400 <= len(words) <= 900, article.path
        assert Path(article.path).name.startswith(f"{article.date:%Y-%m-%d}-")
    assert named_by_alias > 0
    assert len({article.date.year for article in content.articles}) >= 4
    everything = "".join(bodies)
    assert "\n> " in everything and "\n- " in everything and "](https://" in everything


def test_some_actors_appear_far_more_often_than_others(corpus_module: ModuleType) -> None:
    corpus = corpus_module.generate(2000, 1)
    counts = Counter(name for article in corpus.articles for name in article.actors)
    top, *_ = counts.most_common(1)
    assert top[1] >= 500  # the skew that makes actor pages expensive in a naive build
    assert set(counts) == {actor.name for actor in corpus.actors}  # every actor file is used
