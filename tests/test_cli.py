"""The command line: help, python -m digest, and the build summary a curator reads."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digest.cli import main
from digest.theme import theme_dir
from tests.process_support import children, hears_ctrl_c


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
    assert "1 actor has no file in content/actors/: Kataib Hezbollah" in out
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



def test_ctrl_c_stops_a_large_build_quietly_and_leaves_the_site_as_it_was(
        tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group: the workers leave it to the build, which stops
    them, removes its staging folder and says so in one line, without tracebacks."""
    from tests.bench_support import load_bench_script

    corpus = load_bench_script("corpus")
    root = tmp_path / "large"
    corpus.write_digest(corpus.generate(300, 1), root)
    command = [sys.executable, "-m", "digest", "build", "--root", str(root)]
    assert subprocess.run(command, capture_output=True, check=False).returncode == 0
    site = root / "site"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "base.html").write_text(
        (theme_dir() / "base.html").read_text(encoding="utf-8") + "<!-- changed -->\n",
        encoding="utf-8")  # every page must be rendered again

    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True,
                             preexec_fn=hears_ctrl_c)
    while not children(build.pid):  # interrupted while workers run
        assert build.poll() is None, "the build ended before it forked workers"
        time.sleep(0.002)
    os.killpg(build.pid, signal.SIGINT)
    out, err = build.communicate(timeout=60)

    assert build.returncode == 130, err
    assert err.strip().splitlines()[-1] == "interrupted" and "Traceback" not in err, err
    time.sleep(0.5)  # no worker goes on writing after the build has ended
    assert not (root / ".site.new").exists()
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


def test_a_ctrl_c_that_comes_while_python_frees_an_object_is_held_until_the_next_step(
        ) -> None:
    """Python only prints "Exception ignored" for a KeyboardInterrupt raised in an object's
    clean-up; a build whose Ctrl-C came while the parent freed a worker's connection ran on
    and published (seen in CI). Now it comes before the next workers start or the site is put
    in place, and at the latest when the command ends."""
    from digest.interrupts import held_interrupts, kept_interrupts

    class Freed:
        def __del__(self) -> None:
            raise KeyboardInterrupt  # what Python does when Ctrl-C comes in here

    steps = []
    hook = sys.unraisablehook
    with pytest.raises(KeyboardInterrupt), kept_interrupts():
        Freed()  # freed at once: the interrupt is swallowed in its __del__
        steps.append("went on")
        with held_interrupts():
            steps.append("put the site in place")
    assert steps == ["went on"]

    with pytest.raises(KeyboardInterrupt), kept_interrupts():
        Freed()
        steps.append("the command's last step")
    assert steps == ["went on", "the command's last step"]
    assert sys.unraisablehook is hook  # put back on the way out
    with held_interrupts():
        pass  # nothing held back any more


def test_the_file_watchers_own_warnings_are_left_out_and_ours_are_not() -> None:
    import warnings

    from digest.cli import quiet_library_warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet_library_warnings()
        warnings.warn_explicit("Callback with id 'x' already exists", RuntimeWarning,
                               "inotify_c.py", 449, module="watchdog.observers.inotify_c")
        warnings.warn_explicit("something of ours", RuntimeWarning, "build.py", 1,
                               module="digest.build")
    assert [str(w.message) for w in caught] == ["something of ours"]
