"""The shipped Latin recognizer (``rec_model="latin"``): the default one's head grown by the accented letters of ten
Western European languages, read on rendered pages of such text (its charset and word lists beside the other
languages' models: ``test_language_models.py``)."""

from __future__ import annotations

import pytest

from ocdr import OCR
from ocdr.training.synth.render import render_lines

# letters it reads well (ä ö ü é ç ø); the card lists those it does not yet (å, the circumflexes, tildes and graves)
LINES = [
    "Die Häuser sind schön und müde",
    "Frühstück für Bäcker",
    "Le garçon a mangé",
    "Sjöström köpte smör och ägg",
    "Kerstin läser även böcker",
    "Søren spiser brød",
]


@pytest.fixture(scope="module")
def latin() -> OCR:
    return OCR(rec_model="latin", threads=2)


def test_the_latin_model_reads_accented_text(latin, ocr):
    image, _ = render_lines(LINES)
    wanted = [w for line in LINES for w in line.split() if not w.isascii()]  # the 17 words with accented letters
    read = [w.text for w in latin(image).words]
    assert sum(w in read for w in wanted) >= 0.8 * len(wanted), read  # 16 of 17 at the time of writing
    default = [w.text for w in ocr(image).words]  # the default model reads their letters without the accents
    assert not set(wanted) & set(default) and not set("".join(default)) & set("äöüéçø")


def test_its_languages_word_lists_fix_the_letters_it_confuses(latin):
    """The letters it reads as look-alikes (å as ä or à, â as å) come right in list words: by default
    (``lexicon="auto"``) the Latin recognizer reads with the ten languages' lists as well as the English one."""
    lines = ["Mina två söner måste åka", "Hon får åtta böcker", "Le château et la grâce", "Vår båt är här"]
    fixed = ["två", "åka", "åtta", "château", "grâce", "båt"]
    image, _ = render_lines(lines)
    read = [w.text for w in latin(image).words]
    assert sum(w in read for w in fixed) >= 5, read  # all 6 at the time of writing
    plain = [w.text for w in OCR(rec_model="latin", threads=2, lexicon=None)(image).words]
    assert sum(w in plain for w in fixed) <= 2, plain  # none at the time of writing
