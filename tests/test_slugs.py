"""Slugs name every page: readable, stable, and never damaging a name's own letters."""

from __future__ import annotations

import unicodedata

import pytest

from digest.model import slugify


@pytest.mark.parametrize(("text", "slug"), [
    ("Quds Force", "quds-force"),
    ("U.S. Embassy in Baghdad", "us-embassy-in-baghdad"),
    ("Kata'ib Hezbollah’s fighters", "kataib-hezbollahs-fighters"),
    ("Café Noir — Straße_und Weg", "cafe-noir-strasse-und-weg"),  # Latin accents folded
    ("ﬁnance Ａｂｃ", "finance-abc"),  # ligatures and full-width letters
    ("Ølberg", "ølberg"),  # a Latin letter of its own, not an accent
    ("2020-11-20-iran-instructed", "2020-11-20-iran-instructed"),
    ("!!!", "item"),
])
def test_latin_names_give_plain_slugs(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(("text", "slug"), [
    ("नमस्ते दुनिया: ईरान", "नमस्ते-दुनिया-ईरान"),  # Devanagari vowel signs and virama
    ("действия официальный", "действия-официальный"),  # й is a letter, not и with a breve
    ("商品の改造が", "商品の改造が"),  # が keeps its voicing mark
    ("الأمريكية آمریکا", "الأمريكية-آمریکا"),  # hamza and madda
    ("엘제이 뉴스", "엘제이-뉴스"),  # Hangul syllables, not loose jamo
])
def test_other_scripts_keep_their_letters_whole(text: str, slug: str) -> None:
    assert slugify(text) == slug
    assert unicodedata.is_normalized("NFC", slugify(text))  # as a browser writes the URL
