"""Build one generated corpus with digest, Hugo and Pelican, side by side, and print the figures.

    python bench/run_builds.py --articles 1000 [--articles 10000] [--repeat 3]
                               [--tools digest,hugo,pelican] [--json FILE] [--no-server]

For each tool present: a cold build (empty output, caches deleted), a second build with nothing
changed, a build after appending a sentence to one article, a build after appending a comment to
the article template; pages written, output size, peak memory. Tools take turns in a rotating
order each repeat so that a busy second core does not always hit the same tool. Medians are
printed with the ratios digest/Hugo and digest/Pelican for wall and CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
import corpus  # noqa: E402 - the generator sits next to this script, not in a package
from launcher import Launcher  # noqa: E402

TOOLS = ("digest", "hugo", "pelican")
STEPS = ("cold", "unchanged", "article_edit", "template_edit")
STEP_LABELS = {
    "cold": "cold build",
    "unchanged": "nothing changed",
    "article_edit": "one article edited",
    "template_edit": "one template edited",
}
TOTAL_IN = re.compile(r"Total in (\d+(?:\.\d+)?) ms")
BUILD_TIMEOUT = 1800.0  # seconds; a build that takes longer is reported as failed


class BuildFailed(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Measure:
    wall: float  # seconds
    cpu: float  # user + sys seconds of the build process and the children it waited for
    peak_mib: float  # max RSS of the largest single process of the build


@dataclass(frozen=True, slots=True)
class Tool:
    """How to build one layout of the corpus, and which files an edit touches."""

    name: str
    argv: tuple[str, ...]
    cwd: Path
    output: Path
    caches: tuple[Path, ...]  # deleted before a cold build
    cold_flags: tuple[str, ...]  # added to argv for the cold build only
    article: Path  # the article every edit appends to
    template: Path | None  # None: no template to edit yet ('n/a')
    template_comment: str  # a comment in the template language, with {n} for the edit number
    env: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class ToolResult:
    samples: dict[str, list[Measure]] = field(default_factory=lambda: {s: [] for s in STEPS})
    pages: int | None = None
    output_mib: float | None = None
    failures: dict[str, str] = field(default_factory=dict)  # step -> first failure message
    notes: list[str] = field(default_factory=list)


def run_measured(launcher: Launcher, argv: Sequence[str], cwd: Path,
                 env: dict[str, str]) -> Measure:
    """Run a build through the launcher (see bench/launcher.py: so that its peak memory is
    its own), timing it and reading its rusage from wait4 (which covers its children too)."""
    reply = launcher.run(list(argv), cwd, env, BUILD_TIMEOUT)
    if reply["status"] != 0:
        lines = [line for line in reply["output"].splitlines() if line.strip()]
        if not lines:
            raise BuildFailed(f"exit status {reply['status']}, no output")
        # The last line is the error itself; a few lines before it locate a traceback.
        context = "".join(f"\n    {line}" for line in lines[-7:-1])
        raise BuildFailed(f"{lines[-1].strip()}{context}")
    return Measure(reply["wall"], reply["cpu"], reply["maxrss_kib"] / 1024)


def _newest_article(folder: Path) -> Path:
    # File names start with the date, so the last one is the article a curator just added.
    return sorted(folder.glob("*.md"))[-1]


def digest_command() -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The installed console script if there is one, else `python -m digest` from this repo."""
    script = Path(sys.executable).parent / "digest"
    if script.exists():
        return (str(script),), ()
    python_path = os.pathsep.join(p for p in (str(REPO_DIR), os.environ.get("PYTHONPATH")) if p)
    return (sys.executable, "-m", "digest"), (("PYTHONPATH", python_path),)


def compile_digest() -> Path:
    """Byte-compile digest's modules, as installing a package does (pip compiles what it
    installs, and Pelican runs from the bytecode of its wheel). An editable install on a
    machine that sets PYTHONDONTWRITEBYTECODE, as this one does, would otherwise compile every
    module from source in every build: 40 ms of each run here."""
    import importlib.util

    spec = importlib.util.find_spec("digest")
    return compile_modules(Path(spec.origin).parent if spec is not None and spec.origin is not None
                           else REPO_DIR / "digest")


def compile_modules(folder: Path) -> Path:
    """Byte-compile the modules in folder (see compile_digest)."""
    import compileall

    if not compileall.compile_dir(str(folder), quiet=1):
        raise SystemExit(f"could not byte-compile {folder}")
    return folder


def make_tools(names: Sequence[str], work: Path, notes: list[str]) -> list[Tool]:
    tools = []
    stem = _newest_article(work / "digest" / "content" / "articles").name
    for name in names:
        if name == "digest":
            root = work / "digest"
            default_template = REPO_DIR / "templates" / "article.html"
            template = None
            if default_template.exists():
                # The copy is in place before the cold build, so every build sees the same theme.
                template = root / "templates" / "article.html"
                template.parent.mkdir(exist_ok=True)
                shutil.copyfile(default_template, template)
            else:
                notes.append("digest: templates/article.html does not exist yet, "
                             "so the template edit is n/a")
            argv, env = digest_command()
            tools.append(Tool(
                "digest", (*argv, "build", "--root", str(root), "--out", str(work / "site-digest")),
                cwd=work, output=work / "site-digest", caches=(root / ".digest-cache",),
                cold_flags=(), article=root / "content" / "articles" / stem, template=template,
                template_comment="{{# bench edit {n} #}}", env=env,
            ))
        elif name == "hugo":
            hugo = shutil.which("hugo") or "/usr/bin/hugo"
            if not Path(hugo).exists():
                notes.append("hugo: not installed (Debian package 'hugo'), skipped")
                continue
            root = work / "hugo"
            tools.append(Tool(
                "hugo", (hugo, "--quiet", "--source", str(root), "--destination",
                         str(work / "site-hugo")),
                cwd=root, output=work / "site-hugo", caches=(root / "resources",),
                cold_flags=("--ignoreCache",), article=root / "content" / "articles" / stem,
                template=root / "layouts" / "_default" / "single.html",
                template_comment="{{{{/* bench edit {n} */}}}}",
            ))
        elif name == "pelican":
            pelican = Path(sys.executable).parent / "pelican"
            found = str(pelican) if pelican.exists() else shutil.which("pelican")
            if found is None:
                notes.append("pelican: not installed (pip install pelican), skipped")
                continue
            root = work / "pelican"
            tools.append(Tool(
                "pelican", (found, "content", "-s", "pelicanconf.py", "-o",
                            str(work / "site-pelican"), "--quiet"),
                cwd=root, output=work / "site-pelican", caches=(root / "cache",),
                cold_flags=(), article=root / "content" / "articles" / stem,
                template=root / "theme" / "templates" / "article.html",
                template_comment="{{# bench edit {n} #}}",
            ))
        else:
            raise SystemExit(f"unknown tool {name!r}: use {', '.join(TOOLS)}")
    return tools


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:  # one write: one change event for watchers
        handle.write(text)


def _clear(tool: Tool, trash: Path) -> None:
    """Empty the tool's output and caches by moving them into `trash`, deleted when the runs
    of a corpus size are over. Deleting them here instead would slow the next cold build, of
    whichever tool, by the file system's own work: ext4 without a journal (as on this
    machine) will not reuse an inode for about 30 s after it is freed, and searches past every
    such inode for each file it creates. With 16,000 files just deleted, that added 1.3 s
    (3.5 s of system CPU) to a cold build of 10,000 articles here."""
    trash.mkdir(parents=True, exist_ok=True)
    for folder in (tool.output, *tool.caches):
        if folder.exists():
            folder.rename(trash / f"{len(list(trash.iterdir()))}-{folder.name}")


def _output_stats(folder: Path) -> tuple[int, float]:
    pages = 0
    size = 0
    for path in folder.rglob("*"):
        if path.is_file():
            size += path.stat().st_size
            pages += path.suffix == ".html"
    return pages, size / 2**20


def measure_tool(launcher: Launcher, tool: Tool, result: ToolResult, repeat: int,
                 label: str, trash: Path) -> None:
    """One round of the four builds; a failure ends the round (the next starts cold again)."""
    env = {**os.environ, **dict(tool.env)}
    edit = f"{repeat}-{tool.name}"

    def build(step: str, extra: tuple[str, ...] = ()) -> None:
        try:
            measure = run_measured(launcher, (*tool.argv, *extra), tool.cwd, env)
        except BuildFailed as error:
            message = f"{tool.name} build failed ({STEP_LABELS[step]}): {error}"
            result.failures.setdefault(step, message)
            print(f"  {label} {message}", flush=True)
            raise
        result.samples[step].append(measure)
        print(f"  {label} {tool.name:8} {STEP_LABELS[step]:20} {measure.wall:7.2f} s wall "
              f"{measure.cpu:7.2f} s cpu {measure.peak_mib:7.0f} MiB", flush=True)

    try:
        _clear(tool, trash)
        build("cold", tool.cold_flags)
        result.pages, result.output_mib = _output_stats(tool.output)
        build("unchanged")
        _append(tool.article, f"\nOne more sentence added by the benchmark, edit {edit}.\n")
        build("article_edit")
        if tool.template is not None:
            _append(tool.template, tool.template_comment.format(n=edit) + "\n")
            build("template_edit")
    except BuildFailed:
        pass  # recorded by build(); the next round starts from a cold build


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            text: str = response.read().decode("utf-8", "replace")
            return text
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@dataclass(frozen=True, slots=True)
class ServerEdit:
    served_ms: float  # from the append until the page served over HTTP shows the new text
    rebuild_ms: float | None  # what Hugo itself reports ("Total in N ms") for that rebuild


def _read_lines(stream: IO[str], lines: list[str]) -> None:
    for line in stream:
        lines.append(line)  # list.append is atomic; the measuring thread only reads


def measure_hugo_server(tool: Tool, edits: int, startup_timeout: float) -> list[ServerEdit]:
    """Edit one article while `hugo server` runs and time until the served page changes."""
    port = _free_port()
    argv = [tool.argv[0], "server", "--source", str(tool.cwd), "--bind", "127.0.0.1",
            "--port", str(port), "--disableLiveReload"]
    slug = tool.article.stem[len("YYYY-MM-DD-"):]
    url = f"http://127.0.0.1:{port}/articles/{slug}/"
    server = subprocess.Popen(argv, cwd=tool.cwd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    lines: list[str] = []
    threading.Thread(target=_read_lines, args=(server.stdout, lines), daemon=True).start()
    results = []
    try:
        deadline = time.monotonic() + startup_timeout
        while _fetch(url) is None:  # also marks the page as visited for Hugo's fast render
            if server.poll() is not None or time.monotonic() > deadline:
                raise BuildFailed("hugo server did not start: " + "".join(lines[-5:]))
            time.sleep(0.2)
        for number in range(edits):
            time.sleep(1.5)  # let the watcher settle between edits
            reports_before = sum(TOTAL_IN.search(line) is not None for line in lines)
            marker = f"hugo-server-edit-{number}-{port}"
            _append(tool.article, f"\nServer edit {marker}.\n")
            start = time.perf_counter()
            deadline = time.monotonic() + 60
            while marker not in (_fetch(url) or ""):
                if time.monotonic() > deadline:
                    raise BuildFailed("hugo server did not show an edit within 60 s")
                time.sleep(0.002)
            served = (time.perf_counter() - start) * 1000
            deadline = time.monotonic() + 5  # the "Total in" line may trail the page
            while (len(reports := [m for line in lines if (m := TOTAL_IN.search(line))])
                   <= reports_before and time.monotonic() < deadline):
                time.sleep(0.05)
            rebuild = float(reports[-1].group(1)) if len(reports) > reports_before else None
            results.append(ServerEdit(served, rebuild))
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return results


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _pair(wall: float | None, cpu: float | None, digits: int = 2) -> str:
    if wall is None or cpu is None:
        return "n/a"
    return f"{wall:.{digits}f} / {cpu:.{digits}f}"


def format_table(articles: int, repeat: int, results: dict[str, ToolResult]) -> str:
    names = list(results)
    ratio_columns = [other for other in ("hugo", "pelican") if other in results
                     and "digest" in results]
    width = 18
    header = f"{'':24}" + "".join(f"{n:>{width}}" for n in names)
    header += "".join(f"{'digest/' + o:>{width}}" for o in ratio_columns)
    lines = [
        f"N = {articles:,} articles · {repeat} repeat(s) · medians · "
        f"time cells are 'wall / CPU' seconds, ratios likewise",
        header,
    ]

    def medians(name: str, step: str) -> tuple[float | None, float | None]:
        samples = results[name].samples[step]
        return _median([m.wall for m in samples]), _median([m.cpu for m in samples])

    for step in STEPS:
        row = f"{STEP_LABELS[step]:24}"
        for name in names:
            cell = _pair(*medians(name, step))
            if cell == "n/a" and step in results[name].failures:
                cell = "failed"
            row += f"{cell:>{width}}"
        for other in ratio_columns:
            ours, theirs = medians("digest", step), medians(other, step)
            if None in (*ours, *theirs) or not theirs[0] or not theirs[1]:
                row += f"{'n/a':>{width}}"
            else:
                wall = ours[0] / theirs[0]  # type: ignore[operator]
                cpu = ours[1] / theirs[1]  # type: ignore[operator]
                row += f"{_pair(wall, cpu):>{width}}"
        lines.append(row)
    lines.append(f"{'pages written (.html)':24}" + "".join(
        f"{results[n].pages if results[n].pages is not None else 'n/a':>{width}}" for n in names))
    lines.append(f"{'output size MiB':24}" + "".join(
        f"{f'{results[n].output_mib:.1f}' if results[n].output_mib is not None else 'n/a':>{width}}"
        for n in names))
    peak_row = f"{'peak RSS MiB (max)':24}"
    for name in names:
        peaks = [m.peak_mib for step in STEPS for m in results[name].samples[step]]
        peak_row += f"{f'{max(peaks):.0f}' if peaks else 'n/a':>{width}}"
    lines.append(peak_row)
    for name in names:
        lines += [f"note: {note}" for note in results[name].notes]
        lines += [f"FAILED: {message}" for message in results[name].failures.values()]
    return "\n".join(lines)


def _version(argv: Sequence[str]) -> str:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return "absent"
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "?"


def digest_revision() -> str:
    """The commit digest is built from, marked when the working tree differs from it."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(REPO_DIR), *args], capture_output=True,
                              text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "digest", "templates")
    return f"{commit} + uncommitted changes" if dirty else commit


def bench_one_size(launcher: Launcher, articles: int,
                   args: argparse.Namespace) -> dict[str, object]:
    work = args.out / f"n{articles}"
    print(f"generating {articles:,} articles into {work} ...", flush=True)
    generated = corpus.generate(articles, args.seed)
    corpus.write_digest(generated, work / "digest")
    corpus.write_hugo(generated, work / "hugo")
    corpus.write_pelican(generated, work / "pelican")
    notes: list[str] = []
    tools = make_tools(args.tools, work, notes)
    for note in notes:
        print(f"note: {note}", flush=True)
    results = {tool.name: ToolResult() for tool in tools}
    if "digest" in results:
        results["digest"].notes += [n for n in notes if n.startswith("digest")]
    trash = work / ".trash"  # what cold builds cleared (see _clear)
    try:
        for repeat in range(args.repeat):
            shift = repeat % len(tools) if tools else 0
            for tool in tools[shift:] + tools[:shift]:
                measure_tool(launcher, tool, results[tool.name], repeat + 1,
                             f"[n={articles} run {repeat + 1}]", trash)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
    server: list[ServerEdit] = []
    hugo = next((tool for tool in tools if tool.name == "hugo"), None)
    if hugo is not None and not args.no_server:
        try:
            server = measure_hugo_server(hugo, args.server_edits, startup_timeout=600)
        except BuildFailed as error:
            print(f"note: hugo server measurement skipped: {error}", flush=True)
    table = format_table(articles, args.repeat, results)
    if server:
        served = [edit.served_ms for edit in server]
        rebuilt = [edit.rebuild_ms for edit in server if edit.rebuild_ms is not None]
        table += (f"\nhugo server, one-article edit ({len(server)} edits, medians): "
                  f"page served with the new text after {statistics.median(served):.0f} ms "
                  f"(includes up to 500 ms of Hugo's file-event batching); Hugo's own 'Total in' "
                  f"rebuild time "
                  + (f"{statistics.median(rebuilt):.0f} ms" if rebuilt else "not reported"))
    table += f"\nversions: digest {args.versions['digest']} · {args.versions['hugo']} · " \
             f"pelican {args.versions['pelican']} · {os.cpu_count()} CPUs"
    print("\n" + table + "\n", flush=True)
    return {
        "articles": articles,
        "actors": len(generated.actors),
        "tags": len(generated.tags),
        "table": table,
        "hugo_server": [asdict(edit) for edit in server],
        "tools": {name: {"samples": {s: [asdict(m) for m in r.samples[s]] for s in STEPS},
                         "pages": r.pages, "output_mib": r.output_mib,
                         "failures": r.failures, "notes": r.notes}
                  for name, r in results.items()},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, action="append",
                        help="corpus size; repeat the option for several sizes (default 1000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tools", default=",".join(TOOLS),
                        type=lambda text: [t.strip() for t in text.split(",") if t.strip()])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out",
                        help="where corpora and built sites go (default bench/out, gitignored)")
    parser.add_argument("--json", type=Path, help="also write every sample to this file")
    parser.add_argument("--no-server", action="store_true",
                        help="skip the hugo server re-render measurement")
    parser.add_argument("--server-edits", type=int, default=5)
    args = parser.parse_args(argv)
    launcher = Launcher.start()  # now, while this process is small (see bench/launcher.py)
    args.out = args.out.resolve()
    sizes = args.articles or [1000]
    # which build of Python matters as much as the version: one made without profile-guided
    # and link-time optimisation (a plain pyenv install) ran digest 6-10% and Pelican 15-17%
    # slower here
    build, built = platform.python_build()
    print(f"machine: {os.cpu_count()} CPUs, {platform.platform()}, Python "
          f"{platform.python_version()} ({build}, {built}, {platform.python_compiler()})",
          flush=True)
    versions = {
        "hugo": _version([shutil.which("hugo") or "/usr/bin/hugo", "version"]),
        "pelican": _version([str(Path(sys.executable).parent / "pelican"), "--version"]),
    }
    versions["digest"] = digest_revision()
    print(f"digest's modules byte-compiled in {compile_digest()}", flush=True)
    print(f"digest: {versions['digest']} · hugo: {versions['hugo']} · "
          f"pelican: {versions['pelican']}", flush=True)
    args.versions = versions
    try:
        runs = [bench_one_size(launcher, size, args) for size in sizes]
    finally:
        launcher.close()
    if args.json is not None:
        report = {"command": " ".join(["python", "bench/run_builds.py", *(argv or sys.argv[1:])]),
                  "cpus": os.cpu_count(), "platform": platform.platform(),
                  "python": sys.version,
                  "versions": versions, "runs": runs}
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
