"""Small inline digests for the ingest tests."""

from __future__ import annotations

from pathlib import Path

from digest.frontmatter import dump_front_matter

SHARED = Path(__file__).resolve().parents[2] / "shared"
# the raw article the project started from (a copy of shared/seeds/000_3edf7eb683d24681.txt)
SEED = Path(__file__).resolve().parent / "fixtures" / "seed" / "000_3edf7eb683d24681.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"

# The registry the seed article names (as in the bundled digest, descriptions left out).
SEED_ACTORS: dict[str, tuple[str, list[str]]] = {
    "Esmail Ghaani": ("person", ["Ismail Qaani", "Esmail Qaani", "Ghaani"]),
    "Quds Force": ("military unit", ["Qods Force", "Quds Corps"]),
    "Islamic Revolutionary Guard Corps": ("military", ["IRGC", "Revolutionary Guards",
                                                       "the Guard"]),
    "Iran": ("country", []),
    "Iraq": ("country", []),
    "United States": ("country", ["U.S.", "US", "America"]),
    "U.S. Embassy in Baghdad": ("diplomatic mission", ["U.S. Embassy"]),
    "Donald Trump": ("person", ["Trump"]),
    "Kataib Hezbollah": ("armed group", []),
    "Ashab al-Kahf": ("armed group", []),
    "Associated Press": ("media", ["AP"]),
}

TAGS_YAML = """\
iran:
  description: Iran
  keywords: [Iran, Tehran]
militias:
  description: Armed groups
  keywords: [militia, militias]
sport: Football and the rest
"""


def write_actor(root: Path, name: str, kind: str, aliases: list[str]) -> Path:
    from digest.model import slugify

    path = root / "content" / "actors" / f"{slugify(name)}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    meta: dict[str, object] = {"name": name, "kind": kind}
    if aliases:
        meta["aliases"] = aliases
    path.write_text(dump_front_matter(meta) + "\nA test actor.\n", encoding="utf-8")
    return path


def make_digest(root: Path, actors: dict[str, tuple[str, list[str]]] | None = None,
                tags: str = TAGS_YAML) -> Path:
    (root / "content" / "articles").mkdir(parents=True, exist_ok=True)
    (root / "digest.yaml").write_text("title: Test digest\n", encoding="utf-8")
    (root / "content" / "tags.yaml").write_text(tags, encoding="utf-8")
    for name, (kind, aliases) in (SEED_ACTORS if actors is None else actors).items():
        write_actor(root, name, kind, aliases)
    return root


def pasted(folder: Path, text: str, name: str = "talks.txt") -> Path:
    """A raw article as a curator pastes it into a text file."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
