"""The shipped Cyrillic recognizer (``rec_model="cyrillic"``): the default one's head grown by the Cyrillic letters of
Russian, Ukrainian, Bulgarian and Macedonian, read on rendered pages of such text."""

from __future__ import annotations

import pytest

from ocdr import OCR
from ocdr.models.recognition.lexicon import CYRILLIC
from ocdr.runtime.registry import resolve_model
from ocdr.runtime.session import OnnxModel
from ocdr.training.synth.render import render_lines

LINES = [
    "Москва большой город",  # Russian
    "Мы читаем книги вечером",
    "Київ і Харків у вересні",  # Ukrainian
    "Вона їхала додому з євреями",
    "България е хубава страна",  # Bulgarian
    "Љубов и живот во Скопје",  # Macedonian
]


@pytest.fixture(scope="module")
def cyrillic() -> OCR:
    return OCR(rec_model="cyrillic", threads=2)


def test_the_cyrillic_model_is_shipped_with_the_four_languages_letters():
    charset = OnnxModel(resolve_model("rec", "cyrillic")).metadata["charset"]
    assert set(CYRILLIC) | set(CYRILLIC.upper()) <= set(charset)
    shipped = OnnxModel(resolve_model("rec", None)).metadata["charset"]
    assert charset.startswith(shipped)  # the default's characters keep their places: it was fine-tuned from it


def test_the_cyrillic_model_reads_cyrillic_text(cyrillic, ocr):
    image, _ = render_lines(LINES)
    wanted = [w for line in LINES for w in line.split()]
    read = [w.text for w in cyrillic(image).words]
    assert sum(w in read for w in wanted) >= 0.8 * len(wanted), read
    # each word in one script: no Latin look-alike letter inside a Cyrillic word
    assert not [w for w in read if not w.isascii() and any(c.isascii() and c.isalpha() for c in w)], read
    assert not set(wanted) & {w.text for w in ocr(image).words}  # the default model has no Cyrillic letters


def test_auto_word_lists_are_the_four_languages_and_english(cyrillic, ocr):
    lexicon = cyrillic.pipeline.recognizer.lexicon
    assert {"правда", "україна", "българия", "џеб", "the"} <= set(lexicon.words)
    assert "правда" not in ocr.pipeline.recognizer.lexicon
    assert "ж" in lexicon.symbols and "ж" not in ocr.pipeline.recognizer.lexicon.symbols
