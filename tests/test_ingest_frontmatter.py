"""Front matter that ingest writes is plain text: the body's Markdown escapes stay in the body."""

from __future__ import annotations

from pathlib import Path

from digest.cli import main
from digest.frontmatter import parse_document
from tests.ingest_support import make_digest

PASTED = "\n\n".join([
    "Family thanks the friend who found him",
    "• [Update] The family of Mike Ford thanked his friends in a statement on Tuesday evening "
    "and asked for privacy.",
    "• The statement was sent to reporters by the family's lawyer in Minneapolis.",
    "“I am appreciative to [Elise] for finding Mike and calling the police, and I am glad he "
    "had caring friends,” Dale Ford said in the statement on Tuesday evening.",
    "The police said the case was closed and that nobody else had been involved in the death, "
    "according to the report the family had read.",
]) + "\n"


def test_quotes_and_summary_carry_no_markdown(tmp_path: Path) -> None:
    root = make_digest(tmp_path / "digest")
    source = tmp_path / "ford.txt"
    source.write_text(PASTED, encoding="utf-8")
    assert main(["ingest", "--root", str(root), "--date", "2024-03-05", str(source)]) == 0
    (path,) = (root / "content" / "articles").glob("*.md")
    document = parse_document(path.read_text(encoding="utf-8"), path.name)
    assert "\\[" in document.body  # the body is Markdown and keeps its escapes
    quote = document.meta["quotes"][0]
    assert quote["speaker"] == "Dale Ford"
    assert quote["text"].startswith("I am appreciative to [Elise] for finding Mike")
    summary = document.meta["summary"]
    assert summary.startswith("[Update] The family of Mike Ford thanked")
    assert "\\" not in summary and not summary.startswith("- ")
