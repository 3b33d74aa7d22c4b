"""A deterministic benchmark corpus: the same N articles for digest, Hugo and Pelican.

    python bench/corpus.py --articles 1000 --out DIR [--seed 1] [--hugo DIR] [--pelican DIR]

Same N and seed give the same bytes: everything comes from one random.Random(seed), nothing
from the clock, and every collection is walked in an order the code chose.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import re
import shutil
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_URL = "http://127.0.0.1:8000/"
FIRST_DAY = dt.datetime(2018, 1, 1, tzinfo=dt.UTC)
YEARS = 6
PER_PAGE = 10
FEED_ITEMS = 20

def _word_list(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Common words of news prose; the body is drawn from them, so Markdown sees realistic text.
WORDS = _word_list("""
the of and to in a is that for on with as was by at from it be are has have said will
not this which an its but were their they after over new more than been also who year
government minister ministry report plan policy budget council court ruling vote election
party leader members agreement talks deal proposal committee inquiry evidence statement
company market prices energy water supply contract workers union strike wages jobs sector
city region border police officials residents families schools hospital health service
rules law bill reform funding tax cuts spending debt growth figures data survey analysis
week month weeks months years since before during under against between across about into
announced warned agreed rejected confirmed denied approved delayed expected promised planned
called raised told asked added noted argued claimed urged reported described suggested
first last next second early late local national international public private federal
major small large higher lower strong weak key main former current senior regional
people number share cost level rate risk demand growth support pressure response impact
decision question issue case project programme system network station port road rail
farmers fishermen traders investors voters judges lawyers doctors teachers engineers
spokesperson director chairman secretary president governor mayor ambassador envoy
morning evening night today yesterday tomorrow monday tuesday wednesday thursday friday
however while although because despite until unless whether where when how why what
could would should might must may can did does do had got made took gave found saw
""")

_WORD_BY_BYTE = tuple(WORDS[byte * len(WORDS) // 256] for byte in range(256))

FIRST_NAMES = _word_list("""
Amina Anders Beatriz Chen Dmitri Elena Farid Grace Hana Ibrahim Ines Jonas Kaito Leila
Marco Nadia Oskar Priya Quentin Rosa Samuel Tamar Uma Viktor Wen Ximena Yusuf Zofia
Adele Bruno Clara David Emeka Fatima Goran Helga Ivan Julia Karim Lucia Mateo Nora
Omar Paula Rafael Sofia Tomas Ursula Vera Walter Yara Zeynep Alma Boris Carmen Dario
""")

LAST_NAMES = _word_list("""
Abara Bergstrom Castillo Dubois Eriksen Fontaine Garcia Hoffmann Ivanova Jansen Kowalski
Lindqvist Moreau Nakamura Okafor Petrov Quinn Rossi Schmidt Takahashi Ulloa Varga Weber
Xu Yilmaz Zielinski Almeida Brennan Costa Delgado Esposito Fischer Gruber Haddad Iqbal
Jovanovic Keller Larsen Mendes Novak Oliveira Pereira Rahman Santos Torres Urban Vidal
Wagner Young Zamora Bianchi Conti Duarte Engel Ferrari Greco Horvath Ito Jensen Klein
""")

ORG_ADJECTIVES = _word_list("""
Northern Southern Eastern Western Central National Federal Regional Coastal United
Atlantic Pacific Continental Metropolitan Rural Urban Independent Public Civic Royal
""")

ORG_NOUNS = _word_list("""
Energy Water Transport Health Fisheries Farming Housing Shipping Mining Rail Grid Port
Telecom Steel Forestry Finance Trade Labour Education Justice Defence Aviation Tourism
""")

ORG_FORMS = ("Authority", "Agency", "Council", "Union", "Association", "Company", "Group",
             "Commission", "Institute", "Federation", "Bank", "Trust")

TAG_NAMES = (
    "energy", "climate", "elections", "parliament", "courts", "health", "education", "housing",
    "transport", "rail", "aviation", "shipping", "fisheries", "farming", "water", "forestry",
    "mining", "trade", "tariffs", "labour", "strikes", "wages", "pensions", "taxes", "budget",
    "debt", "banking", "inflation", "housing market", "police", "prisons", "migration",
    "borders", "defence", "diplomacy", "sanctions", "human rights", "press freedom",
    "corruption", "lobbying", "local government", "regional policy", "urban planning",
    "public health", "hospitals", "schools", "universities", "research", "technology",
    "telecoms", "data protection", "media", "culture", "sport", "tourism", "environment",
    "pollution", "biodiversity", "disasters", "infrastructure",
)

OUTLETS = (
    ("Harbour Times", "harbourtimes.example"), ("The Daily Ledger", "dailyledger.example"),
    ("Coastline Post", "coastlinepost.example"), ("Capital Wire", "capitalwire.example"),
    ("Morning Herald", "morningherald.example"), ("Valley Courier", "valleycourier.example"),
    ("Open Record", "openrecord.example"), ("The Observer Desk", "observerdesk.example"),
)

CITIES = ("Lisbon", "Oslo", "Nairobi", "Montreal", "Osaka", "Valparaiso", "Gdansk", "Tunis",
          "Brisbane", "Rotterdam", "Cork", "Bergen", "Porto", "Dakar", "Tallinn", "Manila")


@dataclass(frozen=True, slots=True)
class BenchActor:
    name: str
    slug: str
    kind: str  # "person" or "organisation"
    aliases: tuple[str, ...]
    affiliations: tuple[str, ...]  # names of organisations
    description: str


@dataclass(frozen=True, slots=True)
class BenchQuote:
    text: str
    speaker: str  # as written in the article: a name or an alias


@dataclass(frozen=True, slots=True)
class BenchArticle:
    stem: str  # file name without .md: <YYYY-MM-DD>-<slug>
    slug: str
    title: str
    date: dt.datetime
    summary: str
    source: str
    source_url: str
    dateline: str
    tags: tuple[str, ...]
    actors: tuple[str, ...]  # canonical names, for Hugo and Pelican which know no aliases
    written_actors: tuple[str, ...]  # as in the digest file: a few aliases instead of names
    quotes: tuple[BenchQuote, ...]
    body: str  # Markdown


@dataclass(frozen=True, slots=True)
class Corpus:
    articles: tuple[BenchArticle, ...]  # in generation order
    actors: tuple[BenchActor, ...]  # most frequently named first
    tags: tuple[str, ...]


def slugify(text: str) -> str:
    """The slug all three tools agree on for the plain ASCII names this corpus uses."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def _skewed_weights(count: int, exponent: float) -> list[float]:
    """Cumulative Zipf weights: rank r is drawn in proportion to 1 / r**exponent."""
    return list(itertools.accumulate(1.0 / (rank ** exponent) for rank in range(1, count + 1)))


def _draw_distinct(rng: random.Random, population: Sequence[str], cum_weights: list[float],
                   count: int) -> list[str]:
    chosen: dict[str, None] = {}  # a dict keeps the order drawn, a set would not
    while len(chosen) < count:
        for item in rng.choices(population, cum_weights=cum_weights, k=count):
            chosen.setdefault(item, None)
            if len(chosen) == count:
                break
    return list(chosen)


def _make_actors(rng: random.Random, count: int) -> tuple[BenchActor, ...]:
    """Unique names, slugs and aliases; people affiliated with organisations drawn earlier."""
    taken: dict[str, None] = {}  # name_key-style keys of every name and alias so far

    def claim(text: str) -> bool:
        key = " ".join(text.casefold().split())
        if key in taken or slugify(text) in taken:
            return False
        taken[key] = None
        taken[slugify(text)] = None
        return True

    organisations: list[str] = []
    actors: list[BenchActor] = []
    while len(actors) < count:
        if rng.random() < 0.4:
            qualifier = rng.choice(ORG_ADJECTIVES if rng.random() < 0.5 else LAST_NAMES)
            name = f"{qualifier} {rng.choice(ORG_NOUNS)} {rng.choice(ORG_FORMS)}"
            if not claim(name):
                continue
            acronym = "".join(word[0] for word in name.split())
            aliases = (acronym,) if claim(acronym) else ()
            parents = (rng.choice(organisations),) if organisations and rng.random() < 0.15 else ()
            description = (f"{name} is a {rng.choice(('regional', 'national', 'sector'))} body "
                           f"that appears in the digest's coverage of "
                           f"{rng.choice(TAG_NAMES)}.")
            actors.append(BenchActor(name, slugify(name), "organisation", aliases, parents,
                                     description))
            organisations.append(name)
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = f"{first} {last}"
            if not claim(name):
                name = f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {last}"
                if not claim(name):
                    continue
            short = f"{first[0]}. {last}"
            aliases = (short,) if rng.random() < 0.5 and claim(short) else ()
            affiliations = tuple(dict.fromkeys(
                rng.choice(organisations) for _ in range(rng.randint(0, 2))
            )) if organisations else ()
            role = rng.choice(("minister", "spokesperson", "director", "union leader",
                               "mayor", "researcher", "judge", "chief executive"))
            description = f"{name} is a {role} quoted in the digest's coverage."
            actors.append(BenchActor(name, slugify(name), "person", aliases, affiliations,
                                     description))
    return tuple(actors)


class _Prose:
    """Markdown body text from a fixed word budget, so each article's length is what was drawn."""

    def __init__(self, rng: random.Random, budget: int) -> None:
        self.rng = rng
        # One random byte per word: an order of magnitude faster than rng.choices at 10,000
        # articles, and just as deterministic.
        self.words = [_WORD_BY_BYTE[byte] for byte in rng.randbytes(budget)]
        self.position = 0

    def between(self, low: int, high: int) -> int:
        """rng.randint(low, high) without its argument checking, which dominated the profile."""
        return low + int(self.rng.random() * (high - low + 1))

    @property
    def left(self) -> int:
        return len(self.words) - self.position

    def take(self, count: int) -> list[str]:
        count = max(0, min(count, self.left))
        start = self.position
        self.position += count
        return self.words[start:self.position]

    def sentence(self, mention: str | None = None) -> str:
        rng = self.rng
        words = self.take(self.between(8, 22))
        if mention is not None and len(words) > 3:
            # The name takes the place of as many drawn words, keeping the count exact.
            size = len(mention.split())
            words[1:1 + size] = [f"**{mention}**" if rng.random() < 0.3 else mention]
        elif len(words) > 6 and rng.random() < 0.15:
            start = self.between(1, len(words) - 4)
            words[start:start + 3] = [f"[{' '.join(words[start:start + 3])}]"
                                      f"(https://{rng.choice(OUTLETS)[1]}/"
                                      f"{'-'.join(words[start:start + 3])})"]
        elif len(words) > 4 and rng.random() < 0.1:
            index = self.between(1, len(words) - 1)
            words[index] = f"*{words[index]}*"
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, mentions: Sequence[str]) -> str:
        sentences = []
        for _ in range(self.between(3, 6)):
            if self.left <= 0:
                break
            mention = self.rng.choice(mentions) if self.rng.random() < 0.3 else None
            if mention is not None and len(mention.split()) + 3 > self.left:
                mention = None
            sentences.append(self.sentence(mention))
        return " ".join(sentences)

    def heading(self) -> str:
        return "## " + " ".join(self.take(self.between(2, 5))).capitalize()

    def bullet_list(self) -> str:
        ordered = self.rng.random() < 0.3
        items = []
        for number in range(1, self.between(3, 5) + 1):
            if self.left <= 0:
                break
            marker = f"{number}." if ordered else "-"
            items.append(f"{marker} " + " ".join(self.take(self.between(4, 10))))
        return "\n".join(items)

    def quote(self, speaker: str) -> str:
        text = self.sentence()
        self.take(len(speaker.split()))  # the attribution counts against the budget too
        return f"> {text}\n>\n> — {speaker}"


def _body(rng: random.Random, mentions: Sequence[str], speakers: Sequence[str]) -> str:
    prose = _Prose(rng, rng.randint(400, 900))
    blocks = [prose.paragraph(mentions)]
    while prose.left > 0:
        blocks.append(prose.heading())
        for _ in range(prose.between(1, 3)):
            if prose.left > 0:
                blocks.append(prose.paragraph(mentions))
        if prose.left > 0 and rng.random() < 0.4:
            blocks.append(prose.bullet_list())
        if prose.left > 0 and rng.random() < 0.3:
            blocks.append(prose.quote(rng.choice(speakers)))
    return "\n\n".join(block for block in blocks if block.strip(" #>-")) + "\n"


def generate(article_count: int, seed: int = 1) -> Corpus:
    rng = random.Random(seed)
    actors = _make_actors(rng, max(40, article_count // 4))
    actor_names = [actor.name for actor in actors]
    actor_weights = _skewed_weights(len(actors), 1.0)
    tag_weights = _skewed_weights(len(TAG_NAMES), 0.6)
    alias_of = {actor.name: actor.aliases for actor in actors}

    casts = [_draw_distinct(rng, actor_names, actor_weights, rng.randint(3, 8))
             for _ in range(article_count)]
    # Every actor file is named by at least one article, so every tool makes the same pages.
    named = {name for cast in casts for name in cast}
    for offset, name in enumerate(n for n in actor_names if n not in named):
        cast = casts[(offset * 7919) % article_count]
        if len(cast) < 8:
            cast.append(name)
        else:
            cast[-1] = name

    span_minutes = YEARS * 365 * 24 * 60
    minutes = rng.sample(range(span_minutes), article_count)
    slugs: dict[str, None] = {}
    articles = []
    for index in range(article_count):
        cast = casts[index]
        written = tuple(rng.choice(alias_of[name]) if alias_of[name] and rng.random() < 0.06
                        else name for name in cast)
        date = FIRST_DAY + dt.timedelta(minutes=minutes[index])
        title_words = rng.choices(WORDS, k=rng.randint(4, 8))
        title = f"{cast[0]} {' '.join(title_words)}"
        slug = slugify(title)
        if slug in slugs:
            slug = f"{slug}-{index}"
        slugs[slug] = None
        outlet, domain = rng.choice(OUTLETS)
        speakers = [written[i] for i, name in enumerate(cast)
                    if rng.random() < 0.5] or [written[0]]
        quotes = tuple(
            BenchQuote(" ".join(rng.choices(WORDS, k=rng.randint(8, 20))).capitalize() + ".",
                       rng.choice(speakers))
            for _ in range(rng.randint(0, 3))
        )
        summary = " ".join(rng.choices(WORDS, k=rng.randint(12, 24))).capitalize() + "."
        articles.append(BenchArticle(
            stem=f"{date:%Y-%m-%d}-{slug}", slug=slug, title=title, date=date,
            summary=summary, source=outlet,
            source_url=f"https://{domain}/{date:%Y/%m}/{slug}", dateline=rng.choice(CITIES),
            tags=tuple(_draw_distinct(rng, TAG_NAMES, tag_weights, rng.randint(2, 5))),
            actors=tuple(cast), written_actors=written, quotes=quotes,
            body=_body(rng, written, speakers),
        ))
    return Corpus(tuple(articles), actors, TAG_NAMES)


def _q(text: str) -> str:
    """A YAML double-quoted scalar: JSON strings are valid YAML, and far faster to write."""
    return json.dumps(text, ensure_ascii=False)


def _flow(items: Sequence[str]) -> str:
    return "[" + ", ".join(_q(item) for item in items) + "]"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def _fresh(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def write_digest(corpus: Corpus, root: Path) -> None:
    _fresh(root)
    _write(root / "digest.yaml",
           f"title: Benchmark digest\ndescription: {len(corpus.articles)} generated articles\n"
           f"base_url: {BASE_URL}\nlanguage: en\nper_page: {PER_PAGE}\n"
           f"author: Benchmark\nfeed_items: {FEED_ITEMS}\n")
    tag_lines = [f"{_q(tag)}:\n  description: {_q('Coverage of ' + tag + '.')}\n"
                 f"  keywords: {_flow(tag.split())}\n" for tag in corpus.tags]
    _write(root / "content" / "tags.yaml", "".join(tag_lines))
    for actor in corpus.actors:
        lines = [f"name: {_q(actor.name)}", f"kind: {actor.kind}"]
        if actor.aliases:
            lines.append(f"aliases: {_flow(actor.aliases)}")
        if actor.affiliations:
            lines.append(f"affiliations: {_flow(actor.affiliations)}")
        lines.append(f"links: [{{title: Website, url: {_q('https://example.org/' + actor.slug)}}}]")
        _write(root / "content" / "actors" / f"{actor.slug}.md",
               "---\n" + "\n".join(lines) + "\n---\n" + actor.description + "\n")
    for article in corpus.articles:
        lines = [
            f"title: {_q(article.title)}", f"date: {article.date.isoformat()}",
            f"source: {_q(article.source)}", f"source_url: {_q(article.source_url)}",
            f"dateline: {_q(article.dateline)}", f"summary: {_q(article.summary)}",
            f"tags: {_flow(article.tags)}", f"actors: {_flow(article.written_actors)}",
        ]
        if article.quotes:
            lines.append("quotes:")
            for quote in article.quotes:
                lines += [f"  - text: {_q(quote.text)}", f"    speaker: {_q(quote.speaker)}"]
        _write(root / "content" / "articles" / f"{article.stem}.md",
               "---\n" + "\n".join(lines) + "\n---\n" + article.body)


def write_hugo(corpus: Corpus, root: Path) -> None:
    """The Hugo site: skeleton from bench/hugo, canonical actor names as a taxonomy."""
    _fresh(root)
    shutil.copytree(BENCH_DIR / "hugo", root, dirs_exist_ok=True)
    speakers_by_alias = {alias: actor.name for actor in corpus.actors for alias in actor.aliases}
    for article in corpus.articles:
        lines = [
            f"title: {_q(article.title)}", f"date: {article.date.isoformat()}",
            f"slug: {_q(article.slug)}", f"summary: {_q(article.summary)}",
            f"source: {_q(article.source)}", f"source_url: {_q(article.source_url)}",
            f"dateline: {_q(article.dateline)}",
            f"tags: {_flow(article.tags)}", f"actors: {_flow(article.actors)}",
        ]
        if article.quotes:
            lines.append("quotes:")
            for quote in article.quotes:
                speaker = speakers_by_alias.get(quote.speaker, quote.speaker)
                lines += [f"  - text: {_q(quote.text)}", f"    speaker: {_q(speaker)}"]
        _write(root / "content" / "articles" / f"{article.stem}.md",
               "---\n" + "\n".join(lines) + "\n---\n" + article.body)


def write_pelican(corpus: Corpus, root: Path) -> None:
    """The Pelican site: skeleton from bench/pelican, actors as authors, Markdown metadata."""
    _fresh(root)
    shutil.copytree(BENCH_DIR / "pelican", root, dirs_exist_ok=True)
    for article in corpus.articles:
        header = (
            f"Title: {article.title}\nDate: {article.date:%Y-%m-%d %H:%M}\n"
            f"Slug: {article.slug}\nTags: {', '.join(article.tags)}\n"
            f"Authors: {'; '.join(article.actors)}\nSummary: {article.summary}\n"
            f"Source: {article.source}\nSource_url: {article.source_url}\n"
            f"Dateline: {article.dateline}\n"
        )
        _write(root / "content" / "articles" / f"{article.stem}.md",
               header + "\n" + article.body)


def ensure_digest(root: Path, articles: int, seed: int = 1) -> None:
    """The digest of this many articles in root, generated unless root already holds one
    (the benchmark scripts reuse a digest from one run to the next)."""
    if (root / "digest.yaml").exists():
        return
    corpus = generate(articles, seed)
    write_digest(corpus, root)
    print(f"{len(corpus.articles)} articles, {len(corpus.actors)} actors, "
          f"{len(corpus.tags)} tags -> {root}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="digest folder to (re)create")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hugo", type=Path, help="also lay the corpus out as a Hugo site here")
    parser.add_argument("--pelican", type=Path, help="also lay it out as a Pelican site here")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be 1 or more")
    corpus = generate(args.articles, args.seed)
    write_digest(corpus, args.out)
    if args.hugo is not None:
        write_hugo(corpus, args.hugo)
    if args.pelican is not None:
        write_pelican(corpus, args.pelican)
    print(f"{len(corpus.articles)} articles, {len(corpus.actors)} actors, "
          f"{len(corpus.tags)} tags -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
