"""The command line: help, python -m digest, and the build summary a curator reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from digest.cli import main


def test_python_dash_m_digest_shows_every_command() -> None:
    result = subprocess.run([sys.executable, "-m", "digest", "--help"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0
    for command in ("build", "serve", "ingest", "actor"):
        assert command in result.stdout


@pytest.mark.parametrize("command", ["build", "serve", "ingest", "actor"])
def test_each_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    assert f"usage: digest {command}" in capsys.readouterr().out


def test_build_prints_a_summary_and_the_actors_without_a_file(
        digest_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--root", str(digest_root)]) == 0
    out = capsys.readouterr().out
    assert f"built {digest_root / 'site'}: " in out
    assert "written, 0 unchanged, 0 removed) in " in out
    assert "1 actors have no file in content/actors/: Kataib Hezbollah" in out
    assert main(["build", "--root", str(digest_root)]) == 0  # nothing changed
    again = capsys.readouterr().out
    assert "(0 written," in again and "Kataib Hezbollah" in again


def test_a_digest_outside_the_repository_builds_with_the_packaged_theme(tmp_path: Path) -> None:
    root = tmp_path / "elsewhere"
    (root / "content/articles").mkdir(parents=True)
    (root / "content/articles/2024-01-02-first.md").write_text(
        "---\ntitle: First\ndate: 2024-01-02\n---\nHello.\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "digest", "build", "--root", str(root)],
                            capture_output=True, text=True, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (root / "site/articles/2024-01-02-first/index.html").read_text(encoding="utf-8")
    assert "<h1>First</h1>" in page
    assert (root / "site/static/style.css").is_file()


def test_the_progress_line_redraws_in_place_and_clears_itself() -> None:
    import io

    from digest.commands.build import ProgressLine

    stream = io.StringIO()
    line = ProgressLine(stream)
    line("rendering pages", 250, 16144)
    line("rendering pages", 251, 16144)  # too soon after the last one: not drawn
    line("rendering pages", 16144, 16144)  # the last one always is
    line.clear()
    assert stream.getvalue() == ("\rrendering pages: 250 of 16,144"
                                 "\rrendering pages: 16,144 of 16,144"
                                 "\r" + " " * len("rendering pages: 16,144 of 16,144") + "\r")
