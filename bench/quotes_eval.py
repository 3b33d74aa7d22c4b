#!/usr/bin/env python3
"""Precision and recall of quote attribution on hand-labelled articles.

    python bench/quotes_eval.py [--verbose]

Reads tests/fixtures/ingest/quotes/gold.json (quotes and speakers labelled by hand) and the
article bodies it names from ../shared/data/extraction-dev/<id>/truth.json, runs
digest.ingest.quotes.find_quotes with an empty actor registry (so speakers come from the text
alone), and counts (quote, speaker) pairs. A system quote matches a labelled one when their
word sequences are equal or one holds the other and is at least 80% of its length; the speaker
matches when it equals the labelled name or one of its listed other spellings.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from digest.ingest.actors import ActorIndex, build_index  # noqa: E402
from digest.ingest.quotes import find_quotes  # noqa: E402
from digest.model import name_key  # noqa: E402

GOLD = REPOSITORY / "tests" / "fixtures" / "ingest" / "quotes" / "gold.json"
DATA = REPOSITORY.parent / "shared" / "data" / "extraction-dev"


def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def same_quote(first: str, second: str) -> bool:
    a, b = words(first), words(second)
    shorter, longer = sorted((a, b), key=len)
    return bool(shorter) and shorter in longer and len(shorter) >= 0.8 * len(longer)


def score(article: dict[str, Any], index: ActorIndex, verbose: bool) -> tuple[int, int, int, int]:
    """(labelled, found, correct, quotes found with any speaker) for one article."""
    body = json.loads((DATA / article["id"] / "truth.json").read_text(encoding="utf-8"))["body"]
    system = find_quotes(body, index)
    expected = article["quotes"]
    used: set[int] = set()
    correct = 0
    for quote in system:
        match = next((i for i, g in enumerate(expected)
                      if i not in used and same_quote(quote.text, g["text"])), None)
        if match is None:
            if verbose:
                print(f"  false  {article['id'][:8]} {quote.speaker!r}: {quote.text[:60]!r}")
            continue
        used.add(match)
        accepted = [expected[match]["speaker"], *expected[match].get("also", [])]
        if name_key(quote.speaker) in {name_key(n) for n in accepted}:
            correct += 1
        elif verbose:
            print(f"  wrong  {article['id'][:8]} {quote.speaker!r} for "
                  f"{expected[match]['speaker']!r}: {quote.text[:50]!r}")
    if verbose:
        for i, g in enumerate(expected):
            if i not in used:
                print(f"  missed {article['id'][:8]} {g['speaker']!r}: {g['text'][:60]!r}")
    return len(expected), len(system), correct, len(used)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every miss and false hit")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent", file=sys.stderr)
        return 2
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["articles"]
    index = build_index([])
    totals: dict[str, list[int]] = {}
    for article in gold:
        labelled, found, correct, quotes_found = score(article, index, args.verbose)
        split = article.get("split", "dev")
        row = totals.setdefault(split, [0, 0, 0, 0, 0])
        for position, value in enumerate((1, labelled, found, correct, quotes_found)):
            row[position] += value
        print(f"{split:9} {article['id'][:8]}  labelled {labelled:2}  found {found:2}  "
              f"correct {correct:2}  {article['url'][:60]}")
    totals["all"] = [sum(row[i] for row in totals.values()) for i in range(5)]
    print()
    for split, (articles, labelled, found, correct, quotes_found) in totals.items():
        precision = correct / found if found else 0.0
        recall = correct / labelled if labelled else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"{split:9} articles {articles:2}  labelled {labelled:3}  system {found:3}  "
              f"correct {correct:3}  precision {precision:.3f}  recall {recall:.3f}  "
              f"F1 {f1:.3f}  (quotes found {quotes_found}/{labelled}, speaker right on "
              f"{correct}/{quotes_found})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
