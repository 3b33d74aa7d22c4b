"""`digest ingest`: every kind of input becomes an article file that `digest.load` reads."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config
from digest.errors import Problem
from digest.frontmatter import parse_document
from digest.load import load_content, read_article
from digest.model import Article, Quote
from tests.ingest_support import FIXTURES, SEED

needs_seed = pytest.mark.skipif(not SEED.exists(), reason=f"the seed article is absent ({SEED})")

SEED_NAME = ("2020-11-20-iran-instructed-iraqi-shia-allies-to-avoid-provoking-tensions-with-"
             "us-officials.md")
PASTED = "\n\n".join([
    "Ministers agree to resume border talks",
    "ANKARA (AP) — Ministers from both countries agreed on Tuesday to resume border talks after "
    "a pause of several months, officials told AP.",
    "“We have lost too much time already,” said Foreign Minister Leyla Demir, who led the "
    "delegation.",
    "The talks will open in Ankara next month, and Demir said both sides had agreed on an agenda "
    "for the militia question.",
]) + "\n"


def ingest(root: Path, *arguments: str) -> int:
    return main(["ingest", "--root", str(root), *arguments])


def articles(root: Path) -> list[Path]:
    return sorted((root / "content" / "articles").glob("*.md"))


def read(path: Path, root: Path) -> Article:
    problems: list[Problem] = []
    document = parse_document(path.read_text(encoding="utf-8"),
                              path.relative_to(root).as_posix())
    article = read_article(document, problems)
    assert problems == []
    assert article is not None
    return article


def body_of(path: Path, root: Path) -> str:
    return parse_document(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix()).body


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- the seed article -------------------------------------------------------------------------

@needs_seed
def test_the_seed_ingests_to_the_article_the_issue_describes(root: Path) -> None:
    assert ingest(root, "--date", "2020-11-20", str(SEED)) == 0
    (path,) = articles(root)
    assert path.name == SEED_NAME
    article = read(path, root)
    assert article.title == ("Iran instructed Iraqi Shia allies to avoid provoking tensions "
                             "with U.S. – officials")
    assert article.date == dt.datetime(2020, 11, 20, tzinfo=dt.UTC)
    assert (article.dateline, article.source, article.via) == ("Sulaimani", "ESTA", "AP")
    body = body_of(path, root)
    assert body.lstrip().startswith("Iran has instructed its Shia allies in Iraq")
    assert body.rstrip().endswith("perpetrate acts of violence against the Iraqi state.")
    for chrome in ("Previous Article", "Next Article", "Related Posts", "Share", "Netherlands"):
        assert chrome not in body
    assert article.actors == (
        "Iran", "United States", "Iraq", "Donald Trump", "Associated Press", "Esmail Ghaani",
        "Islamic Revolutionary Guard Corps", "Quds Force", "U.S. Embassy in Baghdad",
        "Ashab al-Kahf", "Kataib Hezbollah")
    assert article.quotes == (
        Quote("Stand down to avoid giving Trump the opportunity to initiate a fresh tit-for-tat "
              "round of violence", "Esmail Ghaani"),
        Quote("And to the Iraqi Shiite paramilitaries: Be calm and cease attacks for now "
              "against American presence in Iraq", "Esmail Ghaani"),
        Quote("be in line with the type of strike", "Esmail Ghaani"),
        Quote("Lawless militias supported by Iran’s Qods Force continue to destabilize Iraq, "
              "kill Iraqi citizens, and threaten Iraq’s sovereignty", "U.S. Embassy in Baghdad"),
    )
    assert article.tags == ("iran", "militias")
    assert article.summary is not None and article.summary.startswith("Iran has instructed")


@needs_seed
def test_front_matter_keys_come_in_the_documented_order(root: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert ingest(root, "--stdout", "--date", "2020-12-03", str(SEED)) == 0
    captured = capsys.readouterr()
    keys = [line.split(":")[0] for line in captured.out.split("---")[1].splitlines()
            if line and not line.startswith((" ", "-"))]
    assert keys == ["title", "date", "source", "via", "dateline", "summary", "tags", "actors",
                    "actor_candidates", "quotes"]
    assert articles(root) == []  # --stdout writes nothing
    assert "actor candidates: Baghdad, Katyusha, Green Zone" in captured.err


@needs_seed
def test_the_bundled_seed_article_is_what_ingest_writes(tmp_path: Path) -> None:
    repository = Path(__file__).resolve().parents[1]
    bundled = repository / "content" / "articles" / SEED_NAME
    root = tmp_path / "digest"
    shutil.copytree(repository / "content" / "actors", root / "content" / "actors")
    shutil.copy(repository / "content" / "tags.yaml", root / "content" / "tags.yaml")
    # AP's report ran on 20 November 2020; ESTA's page (the seed) gives no date of its own
    assert ingest(root, "--date", "2020-11-20", "--source-url", "https://esta.krd/en/15420",
                  str(SEED)) == 0
    assert (root / "content" / "articles" / SEED_NAME).read_text(encoding="utf-8") == \
        bundled.read_text(encoding="utf-8")


# --- each kind of input -----------------------------------------------------------------------

def test_pasted_text_file(root: Path) -> None:
    source = write(root.parent, "talks.txt", PASTED)
    assert ingest(root, "--date", "2024-03-05", str(source)) == 0
    (path,) = articles(root)
    assert path.name == "2024-03-05-ministers-agree-to-resume-border-talks.md"
    article = read(path, root)
    assert (article.dateline, article.source) == ("Ankara", "AP")
    assert article.via is None  # the source itself is the wire agency
    assert article.quotes == (Quote("We have lost too much time already", "Leyla Demir"),)
    assert article.tags == ("militias",)


def test_markdown_file_with_tags_actors_and_source_by_hand(root: Path) -> None:
    source = write(root.parent, "talks.md", PASTED)
    assert ingest(root, "--date", "2024-03-05", "--source", "Daily Example", "--tag", "diplomacy",
                  "--actor", "Ghaani", "--actor", "Leyla Demir", str(source)) == 0
    article = read(articles(root)[0], root)
    assert article.source == "Daily Example"
    assert article.tags == ("militias", "diplomacy")
    assert article.actors == ("Associated Press", "Esmail Ghaani", "Leyla Demir")


def test_source_url_by_hand_for_pasted_text(root: Path) -> None:
    source = write(root.parent, "talks.txt", PASTED)
    assert ingest(root, "--date", "2024-03-05", "--source-url", "https://example.com/talks",
                  str(source)) == 0
    assert read(articles(root)[0], root).source_url == "https://example.com/talks"


def test_saved_html_page_keeps_the_article_and_drops_the_chrome(root: Path) -> None:
    assert ingest(root, str(FIXTURES / "militia-truce.html")) == 0
    (path,) = articles(root)
    assert path.name == "2020-11-12-iraqi-militias-extend-truce-on-us-targets.md"
    article = read(path, root)
    assert article.title == "Iraqi militias extend truce on U.S. targets"
    assert article.source_url == "https://news.example.org/2020/11/12/iraqi-militias-extend-truce"
    assert (article.dateline, article.source) == ("Baghdad", "Reuters")
    assert body_of(path, root).lstrip().startswith("An alliance of Iran-backed Iraqi militias")
    for chrome in ("Sign up", "Related stories", "Share on", "Cookie", "All rights reserved"):
        assert chrome not in body_of(path, root)
    assert article.quotes == (
        Quote("We are giving the government a chance to keep its promises", "Mohammed Mohie"),
        Quote("Iraq will not be a battlefield for others", "Mustafa al-Kadhimi"),
    )
    assert article.actors[:3] == ("United States", "Iran", "Kataib Hezbollah")


def test_an_article_in_another_language_says_which(root: Path) -> None:
    page = (FIXTURES / "militia-truce.html").read_text(encoding="utf-8")
    assert ingest(root, str(FIXTURES / "militia-truce.html")) == 0
    assert read(articles(root)[0], root).language is None  # English, as the digest
    write(root.parent, "ar.html", page.replace('<html lang="en">', '<html lang="ar">'))
    assert ingest(root, "--force", str(root.parent / "ar.html")) == 0
    assert read(articles(root)[0], root).language == "ar"  # as the page declares
    paragraph = ("류화영은 한 매체에 자신의 입장을 털어놓으며, 엘제이와의 관계를 전했다. "
                 "하지만 엘제이 역시 반박하고 나섰다.")
    write(root.parent, "ko.txt", "\n\n".join(["엘제이와 류화영의 진실공방", *[paragraph] * 3]))
    assert ingest(root, "--date", "2018-08-25", str(root.parent / "ko.txt")) == 0
    (korean,) = [p for p in articles(root) if p.name.startswith("2018")]
    assert read(korean, root).language == "ko"  # as its letters show


def test_a_pasted_german_article_suggests_acronyms_and_recurring_names_not_its_nouns(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paragraphs = [
        "Krankenkasse startet digitale Patientenakte",
        "HAMBURG (dpa) — Die Techniker Krankenkasse bietet ihren Versicherten ab Montag eine "
        "elektronische Patientenakte an. Der Vorstand sprach von einem wichtigen Schritt für die "
        "Digitalisierung im Gesundheitswesen.",
        "Auch die Kassenärztliche Bundesvereinigung und die AOK arbeiten an eigenen Lösungen. "
        "Die Techniker Krankenkasse will die Akte bis zum Sommer allen Versicherten anbieten.",
    ]
    write(root.parent, "de.txt", "\n\n".join(paragraphs))
    assert ingest(root, "--stdout", "--date", "2021-01-04", str(root.parent / "de.txt")) == 0
    err = capsys.readouterr().err
    assert "actor candidates: Techniker Krankenkasse, AOK" in err
    assert "Digitalisierung" not in err and "Der Vorstand" not in err


def test_a_byline_naming_the_agency_and_place_gives_via_and_dateline(root: Path) -> None:
    """An Indian daily prints "PTI, Washington," between the headline and the date."""
    headline, opening, *rest = PASTED.strip().split("\n\n")
    opening = opening.replace("ANKARA (AP) — ", "").replace(", officials told AP", "")
    text = "\n\n".join([headline, "PTI, Washington,", "• Nov 20 2019, 10:18am ist", opening,
                         *rest])
    write(root.parent, "pti.txt", text)
    assert ingest(root, str(root.parent / "pti.txt")) == 0
    article = read(articles(root)[0], root)
    assert (article.via, article.dateline, article.date.date()) == (
        "PTI", "Washington", dt.date(2019, 11, 20))


def test_standard_input(root: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "digest", "ingest", "--root", str(root), "--date", "2024-03-05",
         "-"], input=PASTED.encode("utf-8"), capture_output=True, check=False)
    assert completed.returncode == 0, completed.stderr.decode()
    (path,) = articles(root)
    assert read(path, root).title == "Ministers agree to resume border talks"


def test_a_library_s_warnings_show_only_with_verbose(root: Path) -> None:
    """trafilatura warns of each empty link in a saved page; the curator sees that only when
    asking for the details (-v), while digest's own warnings always show."""
    page = (FIXTURES / "militia-truce.html").read_text(encoding="utf-8").replace(
        "told Reuters.", 'told Reuters. <a href="https://example.org/photo.jpg">&nbsp;</a>', 1)
    write(root.parent, "page.html", page)

    def ingest_page(*options: str) -> str:
        for path in articles(root):
            path.unlink()
        completed = subprocess.run(
            [sys.executable, "-m", "digest", *options, "ingest", "--root", str(root),
             str(root.parent / "page.html")], capture_output=True, check=False)
        assert completed.returncode == 0, completed.stderr.decode()
        return completed.stderr.decode()

    assert "empty link" in ingest_page("-v")  # the page does make trafilatura warn
    quiet = ingest_page()
    assert "trafilatura" not in quiet and "WARNING" not in quiet
    (path,) = articles(root)
    assert "Kataib Hezbollah" in body_of(path, root)


def test_a_folder_is_a_batch_and_one_bad_file_does_not_stop_it(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = root.parent / "batch"
    write(batch, "a.txt", PASTED)
    write(batch, "b.html", (FIXTURES / "militia-truce.html").read_text(encoding="utf-8"))
    write(batch, "c.txt", "")
    write(batch, "notes.pdf", b"%PDF-1.4 not ingested: unknown kind")
    assert ingest(root, "--date", "2024-03-05", str(batch)) == 1
    assert [p.name for p in articles(root)] == [
        "2024-03-05-iraqi-militias-extend-truce-on-us-targets.md",
        "2024-03-05-ministers-agree-to-resume-border-talks.md"]
    assert f"{batch / 'c.txt'}: the input is empty" in capsys.readouterr().err
    load_content(load_config(root))  # everything written loads cleanly


def test_url_served_over_http(root: Path, static_server: tuple[str, Path]) -> None:
    base, folder = static_server
    shutil.copy(FIXTURES / "militia-truce.html", folder / "story.html")
    assert ingest(root, f"{base}/story.html") == 0
    article = read(articles(root)[0], root)
    assert article.title == "Iraqi militias extend truce on U.S. targets"
    # The page's canonical link names the article better than the URL it was fetched from.
    assert article.source_url == "https://news.example.org/2020/11/12/iraqi-militias-extend-truce"


def test_url_without_a_canonical_link_keeps_the_fetched_url(
        root: Path, static_server: tuple[str, Path]) -> None:
    base, folder = static_server
    page = (FIXTURES / "militia-truce.html").read_text(encoding="utf-8")
    page = "\n".join(line for line in page.splitlines() if "canonical" not in line)
    write(folder, "story.html", page)
    assert ingest(root, f"{base}/story.html") == 0
    assert read(articles(root)[0], root).source_url == f"{base}/story.html"


# --- never overwrite ----------------------------------------------------------------------------

def test_a_second_ingest_of_the_same_text_is_refused(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(root.parent, "talks.txt", PASTED)
    assert ingest(root, "--date", "2024-03-05", str(source)) == 0
    (first,) = articles(root)
    before = first.read_text(encoding="utf-8")
    again = write(root.parent, "again.txt", PASTED.replace("\n\n", "\n\n\n"))
    assert ingest(root, "--date", "2024-03-06", str(again)) == 1
    error = capsys.readouterr().err
    assert f"{again}: already ingested as content/articles/{first.name}" in error
    assert "--force" in error
    assert articles(root) == [first]
    assert first.read_text(encoding="utf-8") == before


def test_a_second_ingest_of_the_same_url_is_refused(
        root: Path, static_server: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    base, folder = static_server
    shutil.copy(FIXTURES / "militia-truce.html", folder / "story.html")
    assert ingest(root, f"{base}/story.html") == 0
    page = (FIXTURES / "militia-truce.html").read_text(encoding="utf-8")
    write(folder, "story.html", page.replace("did not comment", "declined to comment"))
    assert ingest(root, f"{base}/story.html") == 1
    assert "already ingested as content/articles/2020-11-12-" in capsys.readouterr().err


def test_force_replaces_and_keeps_a_backup(root: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    source = write(root.parent, "talks.txt", PASTED)
    assert ingest(root, "--date", "2024-03-05", str(source)) == 0
    (first,) = articles(root)
    before = first.read_text(encoding="utf-8")
    assert ingest(root, "--date", "2024-03-05", "--tag", "analysis", "--force", str(source)) == 0
    assert articles(root) == [first]
    assert "analysis" in read(first, root).tags
    (backup,) = first.parent.glob(f"{first.name}.*.bak")
    assert backup.read_text(encoding="utf-8") == before
    said = capsys.readouterr().out.splitlines()
    assert said[-1] == (f"replaced content/articles/{first.name} "
                        f"(backup: content/articles/{backup.name})")  # one line for one file
    load_content(load_config(root))  # the backup is not read as an article


def test_a_different_article_with_the_same_title_and_day_gets_its_own_file(root: Path) -> None:
    write(root.parent, "one.txt", PASTED)
    write(root.parent, "two.txt", PASTED.replace("next month", "in May"))
    assert ingest(root, "--date", "2024-03-05", str(root.parent / "one.txt")) == 0
    assert ingest(root, "--date", "2024-03-05", str(root.parent / "two.txt")) == 0
    assert [p.name for p in articles(root)] == [
        "2024-03-05-ministers-agree-to-resume-border-talks-2.md",
        "2024-03-05-ministers-agree-to-resume-border-talks.md"]


# --- clear errors -------------------------------------------------------------------------------

def error_of(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.err


def test_missing_date_says_which_flag_to_pass(root: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    source = write(root.parent, "talks.txt", PASTED)
    assert ingest(root, str(source)) == 1
    assert f"{source}: no publication date found in the article (pass --date YYYY-MM-DD" in \
        error_of(capsys)
    assert articles(root) == []


def test_empty_file(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(root.parent, "empty.txt", "  \n\n")
    assert ingest(root, "--date", "2024-03-05", str(source)) == 1
    assert f"{source}: the input is empty" in error_of(capsys)


def test_binary_file(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(root.parent, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    assert ingest(root, "--date", "2024-03-05", str(source)) == 1
    assert f"{source}: this is a binary file, not text or HTML" in error_of(capsys)


def test_missing_file(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ingest(root, "--date", "2024-03-05", "nowhere.txt") == 1
    assert "nowhere.txt: no such file, folder or URL" in error_of(capsys)


def test_url_404(root: Path, static_server: tuple[str, Path],
                 capsys: pytest.CaptureFixture[str]) -> None:
    base, _folder = static_server
    assert ingest(root, f"{base}/missing.html") == 1
    assert f"{base}/missing.html: the server answered HTTP 404" in error_of(capsys)


def test_url_that_is_not_a_web_page(root: Path, static_server: tuple[str, Path],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    base, folder = static_server
    write(folder, "data.json", '{"title": "not a page"}')
    assert ingest(root, f"{base}/data.json") == 1
    assert f"{base}/data.json: not a web page (the server sent application/json)" in \
        error_of(capsys)


def test_url_larger_than_the_cap(root: Path, static_server: tuple[str, Path],
                                 capsys: pytest.CaptureFixture[str]) -> None:
    base, folder = static_server
    (root / "digest.yaml").write_text("title: Test\ningest:\n  max_bytes: 1000\n",
                                      encoding="utf-8")
    shutil.copy(FIXTURES / "militia-truce.html", folder / "story.html")
    assert ingest(root, f"{base}/story.html") == 1
    assert "the page is larger than 1000 bytes" in error_of(capsys)


def test_unreachable_url(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ingest(root, "http://127.0.0.1:9/story.html") == 1
    assert "http://127.0.0.1:9/story.html: could not connect" in error_of(capsys)


def test_page_with_no_article(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(root.parent, "menu.html", "<html><body><nav><a href='/'>Home</a> "
                   "<a href='/news'>News</a></nav><footer>© 2024</footer></body></html>")
    assert ingest(root, "--date", "2024-03-05", str(source)) == 1
    assert f"{source}: no article found" in error_of(capsys)
    assert articles(root) == []


def test_a_broken_actor_file_is_reported_before_anything_is_ingested(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / "content" / "actors" / "broken.md").write_text("---\nname: [\n---\n", encoding="utf-8")
    source = write(root.parent, "talks.txt", PASTED)
    assert ingest(root, "--date", "2024-03-05", str(source)) == 1
    assert "content/actors/broken.md:" in error_of(capsys)
    assert articles(root) == []
