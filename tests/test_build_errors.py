"""Bad input gets a clear error naming the file and line, and the previous site survives."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from digest.cli import main
from tests.conftest import build


def run_build(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["build", "--root", str(root)])
    captured = capsys.readouterr()
    return code, captured.err


def write_article(root: Path, name: str, text: str) -> None:
    (root / "content/articles" / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("name", "text", "message"), [
    ("bad-yaml.md", '---\ntitle: "Broken\ndate: 2021-01-01\n---\nBody\n',
     "content/articles/bad-yaml.md:2: invalid YAML: this quote is never closed (end the value "
     "with the quote mark it opens with)"),
    ("no-title.md", "---\ndate: 2021-01-01\n---\nBody\n",
     "content/articles/no-title.md:1: missing 'title' (add a line 'title: ...' to the front "
     "matter)"),
    ("no-date.md", "---\ntitle: A title\n---\nBody\n",
     "content/articles/no-date.md:1: missing 'date' (add a line 'date: YYYY-MM-DD')"),
    ("bad-date.md", "---\ntitle: A title\ndate: Dec 3rd\n---\nBody\n",
     "content/articles/bad-date.md:3: date: 'Dec 3rd' is not a date (use YYYY-MM-DD, or "
     "YYYY-MM-DDTHH:MM:SS+00:00 with a time)"),
    ("no-front-matter.md", "Just text\n",
     "content/articles/no-front-matter.md:1: no front matter (start the file with a line '---', "
     "the YAML fields, then another '---')"),
    ("unknown.md", "---\ntitle: A title\ndate: 2021-01-01\nauthor: me\n---\nBody\n",
     "content/articles/unknown.md:4: unknown field 'author' (remove it or use one of: "
     "actor_candidates, actors, date, dateline, draft, language, quotes, slug, source, "
     "source_url, summary, tags, title, updated, via)"),
    ("dup.md", "---\ntitle: A title\ndate: 2021-01-01\nslug: 2021-03-05-unrelated\n---\nBody\n",
     "content/articles/dup.md:4: slug '2021-03-05-unrelated' is already used by "
     "content/articles/2021-03-05-unrelated.md (rename one of the files or give one a 'slug:' of "
     "its own)"),
])
def test_article_errors_name_file_line_and_fix(
        digest_root: Path, capsys: pytest.CaptureFixture[str], name: str, text: str,
        message: str) -> None:
    write_article(digest_root, name, text)
    code, err = run_build(digest_root, capsys)
    assert code == 1
    assert err == f"error: {message}\n"


def test_alias_claimed_by_two_actors_names_both_files(digest_root: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (digest_root / "content/actors/qods.md").write_text(
        "---\nname: Qods\naliases: [Quds Force]\n---\n", encoding="utf-8")
    code, err = run_build(digest_root, capsys)
    assert code == 1
    assert err == ("error: content/actors/quds-force.md:2: 'Quds Force' is claimed by both "
                   "content/actors/qods.md and content/actors/quds-force.md "
                   "(keep the name or alias in one actor file only)\n")


def test_unknown_setting_is_named(digest_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = digest_root / "digest.yaml"
    config.write_text(config.read_text() + "colour: red\n", encoding="utf-8")
    code, err = run_build(digest_root, capsys)
    assert code == 1
    assert err.startswith("error: digest.yaml:7: unknown setting 'colour' (remove it or use one "
                          "of: author, base_url,")


def test_every_problem_is_reported_at_once(digest_root: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    write_article(digest_root, "a.md", "---\ndate: 2021-01-01\n---\n")
    write_article(digest_root, "b.md", "---\ntitle: B\ndate: soon\n---\n")
    code, err = run_build(digest_root, capsys)
    assert code == 1
    assert err.count("error: ") == 2 and "a.md:1" in err and "b.md:3" in err


def test_template_error_names_the_template_and_line(digest_root: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    templates = digest_root / "templates"
    templates.mkdir()
    (templates / "tag.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{{ tag.nmae }}\n{% endblock %}\n')
    code, err = run_build(digest_root, capsys)
    assert code == 1
    assert err.startswith("error: templates/tag.html:3: template error while rendering "
                          "tags/iraq/index.html:")
    assert "nmae" in err


def test_command_line_errors_print_no_traceback(digest_root: Path) -> None:
    write_article(digest_root, "bad.md", "---\ntitle: [unclosed\n---\n")
    result = subprocess.run([sys.executable, "-m", "digest", "build", "--root", str(digest_root)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: content/articles/bad.md:2: invalid YAML")


def test_a_failed_build_leaves_the_previous_site_untouched(digest_root: Path,
                                                           capsys: pytest.CaptureFixture[str],
                                                           ) -> None:
    build(digest_root)
    site = digest_root / "site"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in site.rglob("*") if p.is_file()}
    write_article(digest_root, "2021-05-01-new.md", "---\ntitle: New\ndate: 2021-05-01\n---\nNew\n")
    write_article(digest_root, "broken.md", "---\ntitle: Broken\ndate: never\n---\n")
    code, _ = run_build(digest_root, capsys)
    assert code == 1
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert not list(digest_root.glob(".site.*"))


def test_the_same_input_gives_byte_identical_output(digest_root: Path, tmp_path: Path) -> None:
    build(digest_root, tmp_path / "one")
    build(digest_root, tmp_path / "two")
    one = {p.relative_to(tmp_path / "one"): p.read_bytes()
           for p in (tmp_path / "one").rglob("*") if p.is_file()}
    two = {p.relative_to(tmp_path / "two"): p.read_bytes()
           for p in (tmp_path / "two").rglob("*") if p.is_file()}
    assert one == two and len(one) > 30


def test_refuses_to_replace_the_digest_itself(digest_root: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["build", "--root", str(digest_root), "--out", str(digest_root)])
    assert code == 1
    assert "refusing to replace this folder with the site" in capsys.readouterr().err
    assert (digest_root / "content/articles").is_dir()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("out", "message"), [
    ("content", "refusing to build the site inside content/, which it is made from"),
    ("content/actors", "refusing to build the site inside content/, which it is made from"),
    ("templates", "refusing to build the site inside templates/, which it is made from"),
    ("docs", "refusing to replace this folder with the site: it holds files that digest did "
             "not make (notes.txt)"),
    ("notes.txt", "refusing to replace this file with the site"),
])
def test_refuses_an_output_folder_that_holds_other_files(
        digest_root: Path, capsys: pytest.CaptureFixture[str], out: str, message: str) -> None:
    """A build replaces everything in its folder: a mistyped --out must lose nothing."""
    (digest_root / "templates").mkdir()
    (digest_root / "templates/base.html").write_text("{% block main %}{% endblock %}")
    (digest_root / "docs").mkdir()
    (digest_root / "docs/notes.txt").write_text("my notes")
    (digest_root / "notes.txt").write_text("my notes")
    before = snapshot(digest_root)
    code = main(["build", "--root", str(digest_root), "--out", str(digest_root / out)])
    assert code == 1
    assert message in capsys.readouterr().err
    assert snapshot(digest_root) == before


def test_builds_into_an_empty_folder_or_a_site_it_made_before(
        digest_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["build", "--root", str(digest_root), "--out", str(tmp_path / "empty")]) == 0
    assert main(["build", "--root", str(digest_root), "--out", str(tmp_path / "site")]) == 0
    (tmp_path / "site/index.html").unlink()  # a site it made, and a cache deleted since
    shutil.rmtree(digest_root / ".digest-cache")
    assert main(["build", "--root", str(digest_root), "--out", str(tmp_path / "site")]) == 0
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "empty")


def broken_link(root: Path, relative: str) -> None:
    (root / relative).parent.mkdir(parents=True, exist_ok=True)
    (root / relative).symlink_to(root / "no-such-file")


def cp1252_template(root: Path, name: str, text: str) -> None:
    (root / "templates").mkdir()
    (root / "templates" / name).write_bytes(text.encode("cp1252"))


BREAKAGES: dict[str, tuple[Callable[[Path], None], str]] = {
    "article link to nothing": (
        lambda root: broken_link(root, "content/articles/moved.md"),
        "content/articles/moved.md: a link to {root}/no-such-file, which does not exist "
        "(remove the link, or restore the file it points to)"),
    "template link to nothing": (
        lambda root: broken_link(root, "templates/article.html"),
        "templates/article.html: a link to {root}/no-such-file, which does not exist "
        "(remove the link, or restore the file it points to)"),
    "link making a loop": (
        lambda root: (root / "content/articles/again").symlink_to(root / "content"),
        "content/articles/again: this link leads back to a folder it is in (remove the link, "
        "or make it point elsewhere)"),
    "template not in UTF-8": (
        lambda root: cp1252_template(root, "tag.html", "{{ tag.name }} from Café Noir"),
        "templates/tag.html: not UTF-8 text (byte 23: 0xe9) (save the template as UTF-8)"),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_files_a_build_cannot_read_are_errors_and_the_site_stays(
        digest_root: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    """Not silently left out: a curator's file that a build skipped would just be missing."""
    assert run_build(digest_root, capsys)[0] == 0
    before = snapshot(digest_root / "site")
    breakage, message = BREAKAGES[name]
    breakage(digest_root)
    code, err = run_build(digest_root, capsys)
    assert code == 1
    assert err == f"error: {message.format(root=digest_root)}\n"
    assert snapshot(digest_root / "site") == before


def test_an_editors_lock_link_is_no_problem(digest_root: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Emacs marks a file with unsaved changes by a link to nowhere named .#file."""
    for folder in ("content/articles", "templates", "static"):
        (digest_root / folder).mkdir(exist_ok=True)
        (digest_root / folder / ".#2021-03-05-unrelated.md").symlink_to("root@host.12345:17324")
    assert run_build(digest_root, capsys) == (0, "")


def test_a_missing_or_wrong_digest_folder_is_named(
        digest_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["build", "--root", str(tmp_path / "nowhere")])
    assert code == 1
    assert capsys.readouterr().err == (f"error: {tmp_path / 'nowhere'}: no such folder "
                                       "(give --root the digest's folder, the one with "
                                       "digest.yaml, or run from it)\n")
    assert not (tmp_path / "nowhere").exists()
    articles = digest_root / "content/articles"  # run inside the digest
    assert main(["build", "--root", str(articles)]) == 1
    assert capsys.readouterr().err == (f"error: {articles}: not a digest folder: no digest.yaml "
                                       "or content/ in it (give --root the digest's "
                                       "folder, the one with digest.yaml, or run from it; to "
                                       "start a new digest here, make a digest.yaml (title, "
                                       "base_url: see the README) or a content/ folder)\n")
    assert not (articles / "site").exists()


def test_a_site_folder_keeps_version_control_and_its_custom_domain(
        digest_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A gh-pages checkout as --out: the site's files are replaced, its .git and CNAME stay;
    files a desktop leaves in an empty folder do not make it a folder of other files."""
    pages = tmp_path / "gh-pages"
    (pages / ".git").mkdir(parents=True)
    (pages / ".git/HEAD").write_text("ref: refs/heads/gh-pages\n")
    (pages / "CNAME").write_text("news.example.org\n")
    (pages / ".nojekyll").write_text("")
    (pages / "old-page.html").write_text("an old site's page")
    assert main(["build", "--root", str(digest_root), "--out", str(pages), "--no-cache"]) == 0
    assert (pages / ".git/HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (pages / "CNAME").read_text() == "news.example.org\n"
    assert not (pages / "old-page.html").exists() and (pages / "index.html").exists()
    desktop = tmp_path / "desktop"
    desktop.mkdir()
    (desktop / ".DS_Store").write_bytes(b"\0")
    assert main(["build", "--root", str(digest_root), "--out", str(desktop)]) == 0
    capsys.readouterr()


def test_a_digest_without_settings_is_told_its_pages_name_the_preview_address(
        digest_root: Path) -> None:
    (digest_root / "digest.yaml").unlink()

    def build_command(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "digest", "build", "--root",
                               str(digest_root), *extra], capture_output=True, text=True,
                              check=False)

    completed = build_command()
    assert completed.returncode == 0
    assert completed.stderr == (
        "warning: digest.yaml: no such file, so the site's address is the default "
        "http://127.0.0.1:8000/, which every page's canonical link and the feeds name (add it "
        "with base_url: ADDRESS, or pass --base-url)\n")
    assert build_command("--base-url", "https://example.org/news/").stderr == ""
