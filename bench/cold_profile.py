"""Where a cold build's time goes: the profile behind the cold-build figures.

    python bench/cold_profile.py [--articles 1000] [--repeat 3] [--dir DIR]

Generates a digest with bench/corpus.py (or reuses DIR if it already holds one), then builds
it cold (no site, no .digest-cache) --repeat times in each of two ways, and prints the run
with the median time of each:

1. as `digest build` does, with its worker processes: when each process does each step
   (first start, last end, and the time spent in it), with the build's wall and CPU time.
   It shows which steps run side by side and which one process does alone.
2. in one process (workers=1): the seconds each step takes and its share of the build. It
   shows what a faster step would save.

The steps are timed by wrapping the functions that do them (STEPS); the build itself runs
unchanged. Each call writes two lines to its process's log file (3 µs a call here, under 2%
of a build's CPU time). digest's modules are imported before the clock starts, so start-up is
not counted (bench/run_builds.py counts it). A step's time is inclusive, except two (SPLIT):
"page views" (the rest of a page's turn: making its views) is a page's time less its Jinja,
fingerprint and write, and "read a file, less YAML" a file's time less its front matter's YAML.

The last line sums the steps that are the libraries' own work (Python-Markdown with nh3, Jinja,
PyYAML): a cold build could not take less CPU time than that, whatever digest's own code did.

Writing a page takes several times longer in a run started right after many files were deleted
(another run's builds, removed when it ends): ext4 searches past freshly freed inodes for every
file it creates (bench/README.md). Give the file system a minute between runs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import shutil
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402 - the generator sits next to this script, not in a package


@dataclass(frozen=True)
class Step:
    module: str
    attribute: str  # a function of the module, or Class.method (the module where the build
    # looks the name up: a function another module imported by name is wrapped there)
    label: str


STEPS = (
    Step("digest.load", "read_file", "read a file"),
    Step("digest.frontmatter", "load_yaml", "YAML front matter"),
    Step("digest.markup", "MarkdownRenderer.to_html", "Markdown to HTML"),
    Step("digest.markup", "link_first_mentions", "actor links in a body"),
    Step("digest.graph", "build_graph", "site graph"),
    Step("digest.build", "Builder._salts_by_template", "template dependencies"),
    Step("digest.render", "compile_templates", "compile templates"),
    Step("digest.rendering", "PageRenderer._render", "page"),
    Step("digest.render", "render_page", "Jinja"),
    Step("digest.cache", "PageFingerprints.of", "page fingerprint"),
    Step("digest.write", "StagedFiles.put", "write a page"),
    Step("digest.build", "Builder._commit", "move the site in"),
    Step("digest.build", "save_cache", "save the cache"),  # imported by name there
)
PAGE = "page"
# A step whose time is shown split: the steps timed inside it, and the rest of it under its own
# label (a page's rest is making its views).
SPLIT = {
    PAGE: ("page views", ("Jinja", "page fingerprint", "write a page")),
    "read a file": ("read a file, less YAML", ("YAML front matter",)),
}
# The steps that are the work of the libraries the product's design fixes (Python-Markdown with
# nh3, Jinja, PyYAML): what a cold build would still take if digest's own code took no time.
LIBRARIES = ("Markdown to HTML", "Jinja", "YAML front matter")


@dataclass
class Span:
    """One step in one process: how often, when first and last, and for how long in all."""

    calls: int = 0
    first: float = float("inf")
    last: float = 0.0
    seconds: float = 0.0


@dataclass
class Run:
    wall: float
    cpu: float
    spans: dict[int, dict[str, Span]] = field(default_factory=dict)  # pid -> label -> span
    parent: int = 0


class Log:
    """Where the wrappers write: a file for each process, named by its pid, so that processes
    never wait on each other's writes. A worker forked during the build opens its own file at
    its first call."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pid, self._file = -1, -1

    def write(self, index: int, sign: str) -> None:
        pid = os.getpid()
        if pid != self._pid:
            self._pid = pid
            self._file = os.open(self.folder / f"{pid}.txt",
                                 os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.write(self._file, f"{time.perf_counter_ns()} {index} {sign}\n".encode())

    def close(self) -> None:
        if self._pid == os.getpid():
            os.close(self._file)


def _owner(step: Step) -> tuple[Any, str]:
    """The module or class that holds the step's function, and the function's name there."""
    owner: Any = importlib.import_module(step.module)
    *path, name = step.attribute.split(".")
    for part in path:
        owner = getattr(owner, part)
    return owner, name


def install(log: Log) -> None:
    """Wrap each step's function so that every call logs 'ns index +' and 'ns index -'."""
    for index, step in enumerate(STEPS):
        owner, name = _owner(step)
        setattr(owner, name, _wrapped(getattr(owner, name), index, log))


def _wrapped(function: Callable[..., Any], index: int, log: Log) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        log.write(index, "+")
        try:
            return function(*args, **kwargs)
        finally:
            log.write(index, "-")
    timed.__wrapped__ = function  # type: ignore[attr-defined]
    return timed


def read_logs(folder: Path, started_ns: int) -> dict[int, dict[str, Span]]:
    spans: dict[int, dict[str, Span]] = defaultdict(lambda: defaultdict(Span))
    opened: dict[tuple[int, int], list[float]] = defaultdict(list)
    lines = [(int(path.stem), line) for path in folder.glob("*.txt")
             for line in path.read_text().splitlines()]
    for pid, line in lines:
        ns, index_text, sign = line.split()
        index = int(index_text)
        moment = (int(ns) - started_ns) / 1e9
        span = spans[pid][STEPS[index].label]
        if sign == "+":
            opened[pid, index].append(moment)
            span.first = min(span.first, moment)
        else:
            span.calls += 1
            span.last = max(span.last, moment)
            span.seconds += moment - opened[pid, index].pop()
    for steps in spans.values():
        for outer, (rest_label, inside) in SPLIT.items():
            if outer in steps:
                whole, rest = steps[outer], steps[rest_label]
                rest.calls, rest.first, rest.last = whole.calls, whole.first, whole.last
                rest.seconds = whole.seconds - sum(
                    steps[label].seconds for label in inside if label in steps)
    return {pid: dict(steps) for pid, steps in spans.items()}


def _cpu_seconds() -> float:
    own, children = (resource.getrusage(resource.RUSAGE_SELF),
                     resource.getrusage(resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cold_build(root: Path, runs: Path, number: int, workers: int | None) -> Run:
    """Build root into a new folder with no cache. The last build's site and cache are moved
    aside, not deleted: ext4 searches past freshly freed inodes for every file it creates,
    which would slow the build down (see bench/README.md)."""
    from digest.build import Builder

    cache = root / ".digest-cache"
    if cache.exists():
        cache.rename(runs / f"cache-{number}")
    logs = runs / f"logs-{number}"
    logs.mkdir()
    log = Log(logs)
    install(log)
    try:
        cpu, started_ns = _cpu_seconds(), time.perf_counter_ns()
        Builder(root, runs / f"site-{number}", workers=workers).build()
        wall, cpu = (time.perf_counter_ns() - started_ns) / 1e9, _cpu_seconds() - cpu
    finally:
        uninstall()
        log.close()
    return Run(wall, cpu, read_logs(logs, started_ns), os.getpid())


def uninstall() -> None:
    for step in STEPS:
        owner, name = _owner(step)
        function = getattr(owner, name)
        setattr(owner, name, getattr(function, "__wrapped__", function))


def _process_name(run: Run, pid: int) -> str:
    if pid == run.parent:
        return "the build's own process"
    return "a worker that renders pages" if PAGE in run.spans[pid] else (
        "a worker that reads files and converts bodies")


def format_timeline(run: Run) -> str:
    lines = [f"With worker processes: {run.wall:.2f} s wall, {run.cpu:.2f} s CPU",
             f"  {'step':28s} {'calls':>6s} {'from s':>7s} {'to s':>7s} {'in it s':>8s}"]
    order = sorted(run.spans, key=lambda pid: (pid != run.parent, pid))
    for pid in order:
        lines.append(f"  {_process_name(run, pid)} (pid {pid})")
        for label, span in sorted(run.spans[pid].items(), key=lambda item: item[1].first):
            if label not in SPLIT:
                lines.append(f"    {label:26s} {span.calls:6d} {span.first:7.2f} "
                             f"{span.last:7.2f} {span.seconds:8.2f}")
    return "\n".join(lines)


def format_shares(run: Run) -> str:
    steps = run.spans.get(run.parent, {})
    counted = {label: span for label, span in steps.items() if label not in SPLIT}
    rest = run.wall - sum(span.seconds for span in counted.values())
    lines = [f"In one process: {run.wall:.2f} s wall, {run.cpu:.2f} s CPU",
             f"  {'step':28s} {'calls':>6s} {'s':>7s} {'share':>6s} {'ms a call':>10s}"]
    for label, span in sorted(counted.items(), key=lambda item: -item[1].seconds):
        lines.append(f"  {label:28s} {span.calls:6d} {span.seconds:7.2f} "
                     f"{span.seconds / run.wall:6.1%} {span.seconds / span.calls * 1e3:10.3f}")
    lines.append(f"  {'the rest (loading, plan, ...)':28s} {'':6s} {rest:7.2f} "
                 f"{rest / run.wall:6.1%}")
    libraries = sum(counted[label].seconds for label in LIBRARIES if label in counted)
    lines.append(f"The libraries' own steps ({', '.join(LIBRARIES)}): {libraries:.2f} s, "
                 f"{libraries / run.wall:.1%} of the build")
    return "\n".join(lines)


def median_run(runs: Sequence[Run]) -> Run:
    middle = statistics.median_low([run.wall for run in runs])
    return next(run for run in runs if run.wall == middle)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="the digest (default bench/out/profile-nN)")
    args = parser.parse_args(argv)
    root = (args.dir or BENCH / "out" / f"profile-n{args.articles}").resolve()
    corpus.ensure_digest(root, args.articles)
    sys.path.insert(0, str(REPO))
    for step in STEPS:  # imported now, before any clock starts
        importlib.import_module(step.module)
    runs = root.parent / f".{root.name}-runs"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir(parents=True)
    try:
        parallel, alone = [], []
        for round_ in range(args.repeat):
            parallel.append(cold_build(root, runs, 2 * round_, None))
            alone.append(cold_build(root, runs, 2 * round_ + 1, 1))
        print(f"{root} · cold builds · the median of {args.repeat}\n")
        print(format_timeline(median_run(parallel)) + "\n")
        print(format_shares(median_run(alone)))
    finally:
        shutil.rmtree(runs, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
