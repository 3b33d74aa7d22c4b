"""The language an article is written in, when the page says so or its script does.

A digest has one language (digest.yaml); an article in another one carries its own
(`language:` in its front matter), so that its page is marked up in it: screen readers read
it in that language, and Chinese characters in a Japanese article take Japanese forms.
"""

from __future__ import annotations

import re
import unicodedata

from digest.model import language_tag

# Scripts that name one language (Arabic, Cyrillic or Latin letters name many: never guessed).
_SCRIPTS = (("HANGUL", "ko"), ("HIRAGANA", "ja"), ("KATAKANA", "ja"), ("HEBREW", "he"),
            ("GREEK", "el"), ("THAI", "th"), ("GEORGIAN", "ka"), ("ARMENIAN", "hy"))
_SAMPLE = 2000  # letters looked at: enough to tell, quick on a long article


def script_language(text: str) -> str | None:
    """The language a text's letters show: mostly Hangul is Korean; kana among the letters
    is Japanese; Chinese characters alone are Chinese."""
    counts: dict[str, int] = {}
    letters = 0
    for char in text:
        if not char.isalpha():
            continue
        letters += 1
        name = unicodedata.name(char, "")
        script = next((language for prefix, language in _SCRIPTS
                       if name.startswith(prefix)), None)
        if script is None and name.startswith("CJK UNIFIED IDEOGRAPH"):
            script = "zh"
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
        if letters >= _SAMPLE:
            break
    if not letters:
        return None
    if counts.get("ja", 0) >= letters / 20:  # kana among the kanji: Japanese
        return "ja"
    language, count = max(counts.items(), key=lambda item: item[1], default=(None, 0))
    return language if count > letters / 2 else None


def declared_language(value: str | None) -> str | None:
    """A page's own `<html lang>` (or Open Graph locale, "ko_KR"), as a language tag."""
    return language_tag(value.replace("_", "-")) if value else None


def _primary(language: str) -> str:
    """The language of a tag without its region or script: "pt-BR" -> "pt"."""
    return language.split("-")[0].lower()


def differs(language: str | None, digest_language: str) -> bool:
    """Whether an article in `language` needs to say so in a digest in `digest_language`."""
    return language is not None and _primary(language) != _primary(digest_language)


# Languages that write every noun with a capital letter: there a capital says nothing about a
# name. German's small words (articles, pronouns, prepositions), which split names apart...
_NOUNS_CAPITALISED = frozenset({"de", "lb"})
GERMAN_WORDS = frozenset({"der", "die", "das", "und", "ist", "nicht", "mit", "von", "zu",
                          "den", "dem", "des", "ein", "eine", "einer", "auf", "für", "sich",
                          "auch", "werden", "wird", "sind", "im", "bei", "oder", "aber", "am",
                          "vom", "zum", "zur", "ihre", "ihr", "sein", "seine", "unser", "unsere",
                          "dieser", "diese", "dieses", "es", "sie", "er", "wir", "in", "an"})
# ...and those of them English does not have, which tell a German text that declares nothing
_GERMAN_ONLY = GERMAN_WORDS - {"in", "an", "am", "er", "es"}
_WORD_RE = re.compile(r"[^\W\d_]+")
_GERMAN_SHARE = 0.08  # of the words: a quarter in German, under 2% in English


def capitalises_nouns(text: str, language: str | None) -> bool:
    """Whether the text is in a language that capitalises every noun (German): by its
    language when known, else by how many of its words are German's commonest."""
    if language is not None:
        return _primary(language) in _NOUNS_CAPITALISED
    words = [word.lower() for word in _WORD_RE.findall(text[:20_000])]
    return bool(words) and sum(word in _GERMAN_ONLY for word in words) >= _GERMAN_SHARE * len(
        words)
