"""The shipped recognizers of other languages (``rec_model="latin"``, ``"cyrillic"``, ``"greek"``): each the default
one's head grown by its letters, read on rendered lines of its languages (the Latin one's accented letters and word
lists: ``test_latin_model.py``)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ocdr import OCR
from ocdr.models.recognition.lexicon import ACCENTED, CYRILLIC, GREEK
from ocdr.runtime.registry import resolve_model
from ocdr.runtime.session import OnnxModel
from ocdr.training.synth.render import render_lines


@dataclass(frozen=True)
class Language:
    letters: str  # lower case: their capitals are in the charset too
    lines: tuple[str, ...]  # rendered lines of its languages, read word by word
    exact: float  # the share of their words read exactly at least
    list_words: frozenset[str]  # in its word lists ("auto"), not in the default's


# one-letter words (Ukrainian "і", "у", "з", Greek's articles "Η" and "Ο") are the models' common slips here: the
# Greek model's training lists had none; a lone look-alike letter takes its neighbours' script (``lone_letters``)
MODELS = {
    "latin": Language(ACCENTED, (), 0.0, frozenset({"på", "château"})),
    "cyrillic": Language(
        CYRILLIC,
        (
            "Москва большой город",  # Russian
            "Мы читаем книги вечером",
            "Київ і Харків у вересні",  # Ukrainian
            "Вона їхала додому з євреями",
            "България е хубава страна",  # Bulgarian
            "Љубов и живот во Скопје",  # Macedonian
        ),
        0.8,
        frozenset({"правда", "україна", "българия", "џеб"}),
    ),
    # the case of "θ" and "ψ", drawn alike in both cases, is among its slips here
    "greek": Language(
        GREEK,
        (
            "Η Αθήνα είναι μεγάλη πόλη",
            "Διαβάζουμε βιβλία το βράδυ",
            "Ο κόσμος της θάλασσας",
            "ΓΕΝΙΚΗ ΣΥΝΕΛΕΥΣΗ ΤΟΥ ΜΑΪΟΥ",
            "Ψάχνω ένα ζεστό φαγητό",
        ),
        0.75,
        frozenset({"είναι", "θάλασσα", "μαΐου"}),
    ),
}


@pytest.fixture(scope="module")
def models() -> dict[str, OCR]:
    return {}


def model(models: dict[str, OCR], name: str) -> OCR:
    """Each model loaded once for the module."""
    if name not in models:
        models[name] = OCR(rec_model=name, threads=2)
    return models[name]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_model_is_shipped_with_its_letters(name):
    letters = MODELS[name].letters
    charset = OnnxModel(resolve_model("rec", name)).metadata["charset"]
    assert set(letters) | {c.upper() for c in letters if len(c.upper()) == 1} <= set(charset)
    shipped = OnnxModel(resolve_model("rec", None)).metadata["charset"]
    assert charset.startswith(shipped)  # the default's characters keep their places: it was fine-tuned from it


@pytest.mark.parametrize("name", ["cyrillic", "greek"])
def test_each_model_reads_its_alphabet(models, ocr, name):
    language = MODELS[name]
    image, _ = render_lines(list(language.lines))
    wanted = [w for line in language.lines for w in line.split()]
    read = [w.text for w in model(models, name)(image).words]
    assert sum(w in read for w in wanted) >= language.exact * len(wanted), read
    folded = {r.casefold() for r in read}
    assert sum(w.casefold() in folded for w in wanted) >= 0.85 * len(wanted), read
    # each word in one script: no Latin look-alike letter inside a word of another alphabet
    assert not [w for w in read if not w.isascii() and any(c.isascii() and c.isalpha() for c in w)], read
    # and a word of one letter between words of its alphabet in it too ("Η Αθήνα", "Ο κόσμος"), not Latin
    lone = [w for w in read if len(w) == 1 and w.isalpha()]
    assert lone and not [w for w in lone if w.isascii()], read
    default = {w.text for w in ocr(image).words}  # the default model has none of their letters
    assert not {w for w in wanted if set(w) & set(language.letters + language.letters.upper())} & default


@pytest.mark.parametrize("name", sorted(MODELS))
def test_auto_word_lists_are_its_languages_and_english(models, ocr, name):
    """``lexicon="auto"`` (the default) is English for the English recognizer, and English with the languages'
    lists for one that reads their letters, named or given as a file."""
    lexicon = model(models, name).pipeline.recognizer.lexicon
    default = ocr.pipeline.recognizer.lexicon
    assert MODELS[name].list_words | {"the"} <= set(lexicon.words)
    assert not MODELS[name].list_words & set(default.words)
    letter = next(c for c in MODELS[name].letters if c in lexicon.symbols)
    assert letter not in default.symbols
    as_file = OCR(rec_model=str(resolve_model("rec", name)), threads=1)
    assert as_file.pipeline.recognizer.lexicon.words == lexicon.words
