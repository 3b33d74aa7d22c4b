"""A cold build's CPU work counted in instructions: a figure that does not move with the machine.

    python bench/instructions.py [--articles 300] [--dir DIR] [REV ...]

On a shared machine the time of one build moves by 10–40% from run to run, more than most
changes to the code save. The number of instructions a build executes moves by about 0.1%. This
script counts them with Valgrind's cachegrind (Debian's `valgrind` package; without it, the
script says so and stops): a cold build in one process (workers=1, no .digest-cache, a new
output folder), with PYTHONHASHSEED=0 so that sets and dicts come out the same every run.

Without REV it measures the working tree. With one or more git revisions (commits, branches,
tags) it measures each, checked out into bench/out/trees/ with `git worktree`, and says whether
they all write the same site, byte for byte. Each is measured twice: the build, and Python
importing digest's modules alone, which the build figure includes (start-up is the same work at
every size, and the build less start-up is what grows with the digest).

The corpus is bench/corpus.py's (made in DIR, default bench/out/instructions-nN, if DIR holds no
digest). Instructions are not time: a change that saves system calls or cache misses counts for
less here than on the clock. Confirm a change worth keeping with bench/run_builds.py.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402 - the scripts sit side by side, not in a package
from run_builds import compile_modules  # noqa: E402

TREES = BENCH / "out" / "trees"
INSTRUCTIONS = re.compile(r"I\s+refs:\s+([\d,]+)")

# What the child runs: a cold build of the corpus, in one process, from the given code tree.
BUILD = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from digest.build import Builder
Builder(Path(sys.argv[2]), Path(sys.argv[3]), workers=1).build()
"""
IMPORTS = """
import sys
sys.path.insert(0, sys.argv[1])
import digest.build, digest.markup, digest.render, digest.rendering, digest.pages
"""


@dataclass(frozen=True)
class Count:
    label: str  # the revision, or "working tree"
    build: int  # instructions of the whole cold build, start-up included
    imports: int  # instructions of start-up and imports alone
    site: Path


def valgrind() -> str | None:
    return shutil.which("valgrind")


def instructions(code: str, *arguments: str) -> int:
    """Instructions executed by `python -c code arguments...`, all of its processes."""
    command = [valgrind() or "valgrind", "--tool=cachegrind", "--cache-sim=no",
               "--cachegrind-out-file=/dev/null", "--trace-children=yes",
               sys.executable, "-c", code, *arguments]
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    if done.returncode != 0:
        raise SystemExit(f"the measured build failed:\n{done.stderr[-2000:]}")
    counts = [int(found.replace(",", "")) for found in INSTRUCTIONS.findall(done.stderr)]
    if not counts:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return sum(counts)


def checkout(revision: str) -> Path:
    """The revision's files in a worktree of their own under bench/out/trees/."""
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify",
                             f"{revision}^{{commit}}"], capture_output=True, text=True)
    if commit.returncode != 0:
        raise SystemExit(f"not a git revision: {revision}")
    sha = commit.stdout.strip()
    folder = TREES / sha[:12]
    if not (folder / "digest").is_dir():
        TREES.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--force",
                        str(folder), sha], check=True, capture_output=True)
    return folder


def compiled(tree: Path) -> Path:
    """The tree with its modules byte-compiled, as an installed package has them: compiling
    is not the build's work (and PYTHONDONTWRITEBYTECODE would have every run do it)."""
    compile_modules(tree / "digest")
    return tree


def measure(label: str, tree: Path, root: Path, sites: Path) -> Count:
    site = sites / re.sub(r"[^\w.-]", "_", label)
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(root / ".digest-cache", ignore_errors=True)
    build = instructions(BUILD, str(tree), str(root), str(site))
    return Count(label, build, instructions(IMPORTS, str(tree)), site)


def same_site(first: Path, second: Path) -> bool:
    """Whether the two folders hold the same files with the same bytes."""
    comparison = filecmp.dircmp(first, second)
    if comparison.left_only or comparison.right_only or comparison.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(first, second, comparison.common_files,
                                           shallow=False)
    return not mismatch and not errors and all(
        same_site(first / name, second / name) for name in comparison.common_dirs)


def report(counts: Sequence[Count], articles: int) -> list[str]:
    lines = [f"{'code':<16} {'build':>16} {'start-up':>14} {'build less start-up':>20}"
             f" {'per article':>12} {'vs first':>9}"]
    first = counts[0].build - counts[0].imports
    for count in counts:
        work = count.build - count.imports
        lines.append(f"{count.label:<16} {count.build:>16,} {count.imports:>14,} {work:>20,}"
                     f" {work // articles:>12,} {(work - first) / first:>+9.1%}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revisions", nargs="*", metavar="REV",
                        help="git revisions to measure (default: the working tree)")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--dir", type=Path, help="the digest (default bench/out/instructions-nN)")
    args = parser.parse_args(argv)
    if valgrind() is None:
        print("valgrind is not installed (Debian: apt-get install valgrind); nothing measured")
        return 1
    root = (args.dir or BENCH / "out" / f"instructions-n{args.articles}").resolve()
    corpus.ensure_digest(root, args.articles)
    sites = root.parent / f".{root.name}-sites"
    sites.mkdir(exist_ok=True)
    trees = ([(revision, checkout(revision)) for revision in args.revisions]
             or [("working tree", REPO)])
    counts = [measure(label, compiled(tree), root, sites) for label, tree in trees]
    articles = sum(1 for _ in (root / "content" / "articles").rglob("*.md"))
    print(f"{root} · {articles} articles · a cold build in one process · instructions")
    print("\n".join(report(counts, articles)))
    if len(counts) > 1:
        same = all(same_site(counts[0].site, count.site) for count in counts[1:])
        print("the same site from each" if same else "the sites differ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
