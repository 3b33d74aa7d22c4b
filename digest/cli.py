"""The `digest` command: parse arguments, call one function, map errors to exit codes."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Protocol

from digest import __version__
from digest.errors import DigestError


class CommandModule(Protocol):
    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...
    def run(self, args: argparse.Namespace) -> int: ...


# Each subcommand lives in its own module with add_arguments() and run(); imported lazily so
# that `digest build` does not pay for the ingest or serve imports.
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("digest.commands.build", "build the site into site/ (or --out)"),
    "serve": ("digest.serve.command", "live-reload preview on http://127.0.0.1:8000/"),
    "ingest": ("digest.ingest.command", "turn raw articles (text, HTML, URL) into content/ files"),
    "actor": ("digest.ingest.actor_command", "manage actor files (digest actor add NAME)"),
}


def make_parser(selected: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest", description="Static site generator for a curated news digest.")
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, summary) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=summary, description=summary)
        if name == selected:
            module: CommandModule = importlib.import_module(module_name)
            module.add_arguments(sub)
            sub.set_defaults(module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    selected = next((a for a in arguments if not a.startswith("-")), None)
    parser = make_parser(selected if selected in COMMANDS else None)
    args = parser.parse_args(arguments)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:
        for handler in logging.getLogger().handlers:
            handler.addFilter(_ours_or_errors)
            handler.setFormatter(_Plain())
        quiet_library_warnings()
    from digest.interrupts import kept_interrupts

    try:
        with kept_interrupts():
            return int(args.module.run(args))
    except DigestError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


class _Plain(logging.Formatter):
    """`warning: file:line: what`, like the errors: the module that logged it is a detail."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _ours_or_errors(record: logging.LogRecord) -> bool:
    """Without --verbose, a library's warnings are left out: they are about its own workings
    (trafilatura warns of every empty link in a saved page), not about the curator's files."""
    return record.name.partition(".")[0] == "digest" or record.levelno >= logging.ERROR


def quiet_library_warnings() -> None:
    """Python warnings from the file watcher are left out too, as its log records are: it warns
    when a folder moved out of content/ comes back (a callback it replaces), which is about its
    own bookkeeping."""
    warnings.filterwarnings("ignore", module=r"watchdog\.")


def entry() -> None:
    """The console script: run, then leave at once.

    A big build leaves a large heap behind; letting the interpreter free it object by object
    takes longer than some builds. Everything the command writes is closed by then.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
