"""`digest ingest` and `digest actor add` options: each bad value is one line naming the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.frontmatter import parse_document
from tests.ingest_support import pasted

PASTED = "\n\n".join([
    "Ministers agree to resume border talks",
    "ANKARA (AP) — Ministers from both countries agreed on Tuesday to resume border talks after "
    "a pause of several months, officials told AP.",
    "The talks will open in Ankara next month, and both sides had agreed on an agenda for the "
    "militia question, the foreign ministry said.",
]) + "\n"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return pasted(tmp_path, PASTED)


def articles(root: Path) -> list[Path]:
    return sorted((root / "content" / "articles").glob("*.md"))


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and "usage:" not in err
    assert len(err.strip().splitlines()) == 1
    return err


@pytest.mark.parametrize(("value", "hint"), [
    ("javascript:alert(1)", "https://"),
    ("esta.krd/en/15420", "https://esta.krd/en/15420"),
    ("mailto:desk@example.com", "https://"),
])
def test_source_url_must_be_a_web_address(root: Path, source: Path, value: str, hint: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", "--root", str(root), "--date", "2024-03-05", "--source-url", value,
                 str(source)]) == 1
    error = one_line_error(capsys)
    assert f"--source-url: '{value}' is not an http(s) URL" in error and hint in error
    assert articles(root) == []


@pytest.mark.parametrize(("options", "message"), [
    (["--date", "2020-13-01"], "--date: '2020-13-01' is not a date (use YYYY-MM-DD"),
    (["--date", "2020-01-01", "--tag", ""], "--tag: an empty value"),
    (["--date", "2020-01-01", "--actor", "  "], "--actor: an empty value"),
])
def test_bad_values_are_one_line_errors(root: Path, source: Path, options: list[str],
                                        message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", "--root", str(root), *options, str(source)]) == 1
    assert message in one_line_error(capsys)
    assert articles(root) == []


def test_a_wrong_root_starts_no_new_digest(root: Path, source: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "typo-root"
    assert main(["ingest", "--root", str(typo), "--date", "2024-03-05", str(source)]) == 1
    assert f"{typo}: no such folder" in one_line_error(capsys)
    assert not typo.exists()
    content = root / "content"
    assert main(["ingest", "--root", str(content), "--date", "2024-03-05", str(source)]) == 1
    assert "not a digest folder" in one_line_error(capsys)
    assert not (content / "content").exists()
    nowhere = tmp_path / "nonexistent" / "dir"
    assert main(["actor", "add", "Test", "--root", str(nowhere)]) == 1
    assert "no such folder" in one_line_error(capsys)
    assert not nowhere.parent.exists()


def test_a_utf16_file_with_a_byte_order_mark_is_text(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "notepad.txt"
    path.write_bytes(PASTED.replace("\n", "\r\n").encode("utf-16"))
    assert main(["ingest", "--root", str(root), "--date", "2024-03-05", str(path)]) == 0
    (written,) = articles(root)
    assert "Ministers from both countries agreed" in written.read_text(encoding="utf-8")


LONG_HEADLINE = ("Iraqi lawmakers meet in Baghdad for a third day of talks on the budget, the "
                 "militias, the border crossings and the oil deal with the Kurdish region")


def test_a_missing_headline_is_named_and_title_gives_it(root: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert len(LONG_HEADLINE.split()) > 25
    path = tmp_path / "long.txt"
    path.write_text(PASTED.replace("Ministers agree to resume border talks", LONG_HEADLINE),
                    encoding="utf-8")
    assert main(["ingest", "--root", str(root), "--date", "2024-03-05", str(path)]) == 1
    error = one_line_error(capsys)
    assert "no headline found" in error and "--title" in error
    assert main(["ingest", "--root", str(root), "--date", "2024-03-05", "--title",
                 LONG_HEADLINE, str(path)]) == 0
    (written,) = articles(root)
    document = parse_document(written.read_text(encoding="utf-8"), written.name)
    assert document.meta["title"] == LONG_HEADLINE
    assert LONG_HEADLINE not in document.body


def test_a_digest_article_is_refused_as_input(root: Path, source: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", "--root", str(root), "--date", "2024-03-05", str(source)]) == 0
    [stored] = articles(root)
    copy = tmp_path / stored.name
    copy.write_text(stored.read_text(encoding="utf-8"), encoding="utf-8")
    capsys.readouterr()
    # Read as pasted text, its front matter became the headline and its date was ignored.
    assert main(["ingest", "--root", str(root), "--stdout", str(copy)]) == 1
    error = one_line_error(capsys)
    assert "already a digest article (it has front matter)" in error
    assert "copy it into content/articles/" in error


def test_a_post_from_another_generator_is_refused_with_what_to_change(
        root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    post = tmp_path / "2020-11-20-iran-instructs-allies.md"
    post.write_text("---\nlayout: post\ntitle: \"Iran instructs allies\"\n"
                    "date: 2020-11-20 10:00:00 +0300\ncategories: [iraq]\nauthor: Jane\n---\n\n"
                    + "\n\n".join(PASTED.split("\n\n")[1:]), encoding="utf-8")
    assert main(["ingest", "--root", str(root), "--stdout", str(post)]) == 1
    error = one_line_error(capsys)
    # Copied into content/articles/ as it is, the build fails on layout, categories, author.
    assert "already has front matter" in error
    assert "and layout, categories, author are not keys of a digest article" in error
    assert "keep only the keys the README lists under Content model" in error
    assert "copy it into content/articles/" not in error


def test_markdown_with_a_rule_on_its_first_line_is_still_an_article(
        root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pasted = tmp_path / "talks.md"
    pasted.write_text("---\n" + PASTED, encoding="utf-8")
    assert main(["ingest", "--root", str(root), "--date", "2024-03-05", "--stdout",
                 str(pasted)]) == 0
    assert "title: Ministers agree to resume border talks" in capsys.readouterr().out
