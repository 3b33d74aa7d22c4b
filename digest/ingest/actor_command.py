"""`digest actor add NAME --alias A --kind K --affiliation X`: a new content/actors/<slug>.md."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from digest.config import check_root, load_config
from digest.errors import ContentError, Problem, display_path
from digest.frontmatter import dump_front_matter
from digest.ingest.actors import load_actors
from digest.model import name_key, slugify


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create an actor file",
                             description="Create content/actors/<slug>.md for a new actor.")
    add.add_argument("name", metavar="NAME", help="the actor's canonical name")
    add.add_argument("--alias", action="append", default=[], metavar="ALIAS",
                     help="another spelling or short name (repeatable)")
    add.add_argument("--kind", help="person, organization, country, armed group, media, ...")
    add.add_argument("--affiliation", action="append", default=[], metavar="ACTOR",
                     help="an actor this one belongs to (repeatable)")
    add.add_argument("--description", default="", help="one or two factual sentences")
    add.add_argument("--root", type=Path, default=Path("."),
                     help="the digest folder (holding content/); default .")


def actor_text(name: str, aliases: list[str], kind: str | None, affiliations: list[str],
               description: str) -> str:
    meta: dict[str, Any] = {"name": name}
    if aliases:
        meta["aliases"] = aliases
    if kind:
        meta["kind"] = kind
    if affiliations:
        meta["affiliations"] = affiliations
    return dump_front_matter(meta) + (f"\n{description.strip()}\n" if description.strip() else "")


def add_actor(root: Path, name: str, aliases: list[str], kind: str | None,
              affiliations: list[str], description: str = "") -> Path:
    """Write the actor file; refuse a file that exists or a name another actor already uses."""
    check_root(root)
    config = load_config(root)
    name = " ".join(name.split())
    aliases = list(dict.fromkeys(" ".join(a.split()) for a in aliases if a.strip()))
    if not name:
        raise ContentError(Problem("digest actor add", None, "the actor needs a name"))
    path = config.content_dir / "actors" / f"{slugify(name)}.md"
    shown = display_path(path, root)
    if path.exists():
        raise ContentError(Problem(shown, None, "already exists; not overwritten",
                                   "edit that file to add aliases"))
    owners: dict[str, str] = {}
    for actor in load_actors(config):
        for written in (actor.name, *actor.aliases):
            owners.setdefault(name_key(written), actor.path or actor.name)
    problems = [
        Problem(shown, None,
                f"'{spelling}' already names the actor in {owners[name_key(spelling)]}",
                "drop that alias, or add it to the existing actor instead" if index else
                "that actor may be the one meant: edit its file, or give this one another name")
        for index, spelling in enumerate((name, *aliases)) if name_key(spelling) in owners
    ]
    if problems:
        raise ContentError(problems)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as stream:
        stream.write(actor_text(name, aliases, kind, affiliations, description))
    return path


def run(args: argparse.Namespace) -> int:
    path = add_actor(args.root, args.name, args.alias, args.kind, args.affiliation,
                     args.description)
    print(f"wrote {display_path(path, args.root)}")
    return 0
