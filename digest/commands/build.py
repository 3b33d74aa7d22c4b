"""`digest build [--root DIR] [--out DIR] [--drafts]`"""

from __future__ import annotations

import argparse
from pathlib import Path

from digest.build import Builder


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the digest folder (holding digest.yaml and content/); default: .")
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the site; default: ROOT/site")
    parser.add_argument("--drafts", action="store_true", help="include articles marked draft")
    parser.add_argument("--base-url", default=None,
                        help="publish under this address instead of digest.yaml's base_url")


def run(args: argparse.Namespace) -> int:
    builder = Builder(args.root, args.out, drafts=args.drafts, base_url=args.base_url)
    report = builder.build()
    print(f"built {builder.out}: {report.pages} files ({len(report.written)} written, "
          f"{report.unchanged} unchanged, {len(report.removed)} removed) "
          f"in {report.seconds:.2f}s")
    if report.actors_without_file:
        names = ", ".join(report.actors_without_file)
        print(f"{len(report.actors_without_file)} actors have no file in content/actors/: {names}")
    return 0
