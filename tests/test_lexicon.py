"""Lexicon-aided decoding: the CTC helpers against brute force, the correction rule on made-up outputs, and the
shipped recognizer on real ICDAR 2015 and FUNSD crops with and without the shipped English list."""

from __future__ import annotations

import itertools
import string

import cv2
import numpy as np
import pytest

from ocdr.errors import ModelError
from ocdr.io.crop_datasets import read_crop_dataset
from ocdr.models.recognition.charset import DEFAULT_CHARSET
from ocdr.models.recognition.ctc import (
    CTCResult,
    ctc_best_alignment,
    ctc_greedy_decode,
    ctc_log_likelihood,
)
from ocdr.models.recognition.lexicon import CYRILLIC, GREEK, PAPER_MARGIN, Lexicon, auto_lexicons
from tests.conftest import SHARED_DATA

CHARS = list(string.ascii_letters + string.digits + " .")  # class k + 1 is CHARS[k]; class 0 the blank


def collapse(path: tuple[int, ...]) -> tuple[int, ...]:
    """CTC's many-to-one map: merge repeats, drop blanks."""
    return tuple(k for k, _ in itertools.groupby(path) if k != 0)


def test_ctc_likelihood_and_alignment_match_brute_force():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(5, 3))
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    for labels in [(), (1,), (1, 2), (1, 1), (2, 1, 2)]:
        paths = [p for p in itertools.product(range(3), repeat=5) if collapse(p) == labels]
        scores = [sum(log_probs[t, k] for t, k in enumerate(p)) for p in paths]
        assert ctc_log_likelihood(log_probs, labels) == pytest.approx(np.logaddexp.reduce(scores))
        if not labels:  # only the all-blank path (this read log 2 too high before stop 66)
            continue
        best = paths[int(np.argmax(scores))]
        # the best path's runs of labels, one per label (a repeated label's runs have a blank between them)
        runs = [[t for t, _ in run] for k, run in itertools.groupby(enumerate(best), key=lambda x: x[1]) if k != 0]
        assert ctc_best_alignment(log_probs, labels) == [(r[0], r[-1]) for r in runs]
    assert ctc_log_likelihood(log_probs[:2], (1, 1, 1)) == -np.inf  # "aaa" needs 5 steps


def outputs(text: str, weak: dict[int, tuple[str, float]] | None = None, chars: list[str] = CHARS) -> np.ndarray:
    """Softmax outputs over ``chars`` that read ``text`` (character i at step 3i + 1, blanks between), with another
    letter given probability ``p`` at chosen steps: ``weak[step] = (char, p)``."""
    steps = 3 * len(text) + 1
    probs = np.full((steps, len(chars) + 1), 1e-6)
    probs[:, 0] = 1.0  # blanks, and the steps not overwritten below
    for i, ch in enumerate(text):
        probs[3 * i + 1, 0] = 1e-6
        probs[3 * i + 1, chars.index(ch) + 1] = 1.0
    for step, (ch, p) in (weak or {}).items():
        top = probs[step].argmax()
        probs[step, top] = 1.0 - p
        probs[step, chars.index(ch) + 1] = p
    return probs / probs.sum(axis=1, keepdims=True)


def read(lexicon: Lexicon, probs: np.ndarray) -> CTCResult:
    result = ctc_greedy_decode(probs[None], CHARS)[0]
    corrected = lexicon.correct(result, probs, CHARS)
    assert len(corrected.char_probs) == len(corrected.positions) == len(corrected.text)
    return corrected


def test_near_misses_become_list_words_and_the_rest_stays():
    lexicon = Lexicon(["france", "go", "to", "shopping", "cc"])
    # "Fance": the blank step between F and a gives "r" 30%: the list word is nearly as likely, so it replaces it
    fixed = read(lexicon, outputs("Fance", {2: ("r", 0.3)}))
    assert fixed.text == "France"
    assert [a <= b for a, b in fixed.positions] == [True] * 6
    assert fixed.char_probs[1] == pytest.approx(0.3, abs=1e-3)  # the confidence shows the letter it had to take
    # capitals stay capitals; marks around the word and the other words of a line stay
    assert read(lexicon, outputs("go to FANCE.", {20: ("R", 0.3)})).text == "go to FRANCE."
    # a doubled letter lost to greedy decoding comes back when a step after it gave the letter fair odds
    assert read(lexicon, outputs("SHOPING")).text == "SHOPING"  # no second P anywhere: far less likely, left alone
    assert read(lexicon, outputs("SHOPING", {12: ("P", 0.3)})).text == "SHOPPING"
    # a sure reading outside the list, a word in the list, numbers and short list words are never replaced
    assert read(lexicon, outputs("Frange", {13: ("c", 0.001)})).text == "Frange"
    # within e^-3 of the reading it is replaced, at e^-3.9 only by a wider margin (paper pages': ``PAPER_MARGIN``)
    assert read(lexicon, outputs("Frange", {13: ("c", 0.1)})).text == "France"
    nearly = outputs("Frange", {13: ("c", 0.02)})
    assert read(lexicon, nearly).text == "Frange"
    assert lexicon.correct(ctc_greedy_decode(nearly[None], CHARS)[0], nearly, CHARS, PAPER_MARGIN).text == "France"
    assert read(lexicon, outputs("to")).text == "to"
    assert read(lexicon, outputs("12 Fance", {11: ("r", 0.3)})).text == "12 France"
    assert read(lexicon, outputs("cx", {4: ("c", 0.45)})).text == "cx"  # "cc" has 2 letters: never put in


def test_figures_read_among_a_words_letters_become_the_letters_they_look_like():
    """A "0" or "1" read among a word's letters ("GOODS S0LD", "N0.", "f1ow") is the letter it looks like where
    that spells a list word: a "0" an "O" in a word without small letters, a "1" an "l" or "i" among small letters;
    a "0" among initials is an "O" ("P.0." for "P.O.", not a version's "0.0." nor "A.3.0.").
    Codes stay: more figures than letters ("C01"), a short word's "1" ("A1", "K1P"), what spells no list word. On
    paper only: a sign's lettering is drawn, and its codes are many."""
    lexicon = Lexicon(["goods", "sold", "no", "to", "flow", "file", "col", "kip", "al", "box"])
    probs = outputs("G00DS S0LD N0. T0 f1ow Fi1e C01 K1P A1 B0XY 10 S0 P.0. V.0.C.s 0.0. A.3.0.")
    reading = ctc_greedy_decode(probs[None], CHARS)[0]
    line = lexicon.correct(reading, probs, CHARS, PAPER_MARGIN)
    assert line.text == "GOODS SOLD NO. TO flow File C01 K1P A1 B0XY 10 S0 P.O. V.O.C.s 0.0. A.3.0."
    assert line.positions == reading.positions  # each character keeps its steps
    assert lexicon.correct(reading, probs, CHARS).text == reading.text  # a sign's margin


def test_names_and_acronyms_are_not_cut_or_changed_into_short_list_words():
    """A letter read is left out only to make a list word of ``SHORTENED_MIN`` letters or more ("JALAN", a street,
    stays; "Projiect" becomes "Project"); on paper, three capitals stay an acronym ("SDN", "GST"), while on a
    sign's margin they may still be a misread word."""
    lexicon = Lexicon(["alan", "project", "son"])
    faint = outputs("JALAN")
    faint[1, 0], faint[1, CHARS.index("J") + 1] = 0.3, 0.7  # the "J" read, the blank given fair odds
    result = ctc_greedy_decode(faint[None], CHARS)[0]
    assert lexicon.correct(result, faint, CHARS, PAPER_MARGIN).text == "JALAN"
    extra = outputs("Projiect")
    extra[13, 0], extra[13, CHARS.index("i") + 1] = 0.3, 0.7
    result = ctc_greedy_decode(extra[None], CHARS)[0]
    assert lexicon.correct(result, extra, CHARS, PAPER_MARGIN).text == "Project"
    acronym = outputs("SDN", {4: ("O", 0.3)})
    result = ctc_greedy_decode(acronym[None], CHARS)[0]
    assert lexicon.correct(result, acronym, CHARS, PAPER_MARGIN).text == "SDN"
    assert lexicon.correct(result, acronym, CHARS).text == "SON"  # a sign's margin


def test_words_with_other_letters_are_left_to_their_reading():
    """A word in another language ("café", "Ångström" read by a Latin model) is not a near miss of an English list
    word: its a-z letters are not corrected, as they are in a word made of a-z letters alone."""
    chars = [*CHARS, "é"]
    lexicon = Lexicon(["car"])

    def read_with(text: str, weak: dict[int, tuple[str, float]]) -> str:
        probs = np.pad(outputs(text.replace("é", "."), weak), ((0, 0), (0, 1)), constant_values=1e-6)
        if "é" in text:  # the last character: the "." class swapped for "é"
            probs[:, [-2, -1]] = probs[:, [-1, -2]]
        return lexicon.correct(ctc_greedy_decode(probs[None], chars)[0], probs, chars).text

    assert read_with("caf", {7: ("r", 0.3)}) == "car"  # a-z alone: a near miss, corrected
    assert read_with("café", {7: ("r", 0.3)}) == "café"  # with an "é" after its letters: as read ("caré" before)


def test_a_list_of_accented_words_spells_with_their_letters():
    """A list of your own with accented words ("Zürich", "Müller") corrects near misses of them, the accented letter
    included, with a recognizer that has it (the Latin one); its other letters are a-z as ever."""
    chars = [*CHARS, "ü", "Ü"]
    lexicon = Lexicon(["Zürich", "Müller", "zoo"])
    assert lexicon.symbols == "".join(sorted(set(string.ascii_lowercase) | {"ü"})) + " "

    def read_with(text: str, weak: dict[int, tuple[str, float]]) -> str:
        """``text`` read with "ü" at the steps ``weak`` gives it (``outputs`` spells a-z only)."""
        probs = np.pad(outputs(text, {s: w for s, w in weak.items() if w[0] != "ü"}), ((0, 0), (0, 2)))
        for step, (_, p) in ((s, w) for s, w in weak.items() if w[0] == "ü"):
            probs[step] *= 1 - p
            probs[step, chars.index("ü") + 1] = p
        return lexicon.correct(ctc_greedy_decode(probs[None], chars)[0], probs, chars).text

    assert read_with("Zurich", {4: ("ü", 0.3)}) == "Zürich"  # the u step gave ü fair odds
    assert read_with("Muler", {4: ("ü", 0.3), 9: ("l", 0.3)}) == "Müller"  # and a doubled l
    assert read_with("Zurich", {}) == "Zurich"  # no odds for ü anywhere: left
    assert lexicon.knows("ZÜRICH,") and not lexicon.knows("Zurich")


def test_missed_spaces_come_back_where_the_network_saw_one():
    lexicon = Lexicon(["tax", "invoice", "to", "the", "scant", "land"])
    # "TaxInvoice": the step after "x" gave the space 20%; each side is a list word, so the reading is split, and
    # each word keeps its own case
    fixed = read(lexicon, outputs("TaxInvoice", {8: (" ", 0.2)}))
    assert fixed.text == "Tax Invoice"
    assert fixed.positions[3][0] == 8  # the space sits where the network saw it: word boxes are cut there
    assert read(lexicon, outputs("tothe", {5: (" ", 0.2)})).text == "to the"  # two-letter words may be split off
    # no odds for a space anywhere: a name made of list words stays whole
    assert read(lexicon, outputs("Scantland")).text == "Scantland"


def test_a_missed_space_beside_the_word_a_comes_back_but_not_in_an_acronym():
    lexicon = Lexicon(["a", "final", "by", "us"])
    assert read(lexicon, outputs("Afinal", {2: (" ", 0.2)})).text == "A final"  # "A final" read run together
    assert read(lexicon, outputs("bya", {5: (" ", 0.2)})).text == "by a"
    assert read(lexicon, outputs("USA", {5: (" ", 0.2)})).text == "USA"  # not "US A"
    assert read(lexicon, outputs("Afinal")).text == "Afinal"  # no odds for the space: left


def test_search_is_the_ctc_likelihood_of_the_best_list_word(monkeypatch):
    """Few steps and a small list keep every prefix in the beam, so the search is exact: its word and score are the
    best list word's CTC log-likelihood, folded as the search folds (blank, a-z, space). Searching again (the next
    symbols of each spelling remembered) or with the memory full (cleared, worked out again) changes nothing. Over
    300 steps the likelihoods are near e^-1000, far below the smallest float: the search's scaling keeps them."""
    lexicon = Lexicon(["cat", "car", "cart", "dog"])
    rng = np.random.default_rng(1)
    for steps in [4] * 20 + [300] * 3:
        logits = rng.normal(scale=0.5, size=(steps, 28))  # every class above the search's floor
        logits[:, 27] -= 30 * (steps > 4)  # ...but the space on the long ones: one word, few prefixes
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        scores = {w: ctc_log_likelihood(log_probs, [ord(c) - ord("a") + 1 for c in w]) for w in lexicon.words}
        word, score = lexicon.search(log_probs)
        assert word == max(scores, key=scores.get) and score == pytest.approx(scores[word])
        assert lexicon.search(log_probs) == (word, score)
    monkeypatch.setattr("ocdr.models.recognition.lexicon.KNOWN_SPELLINGS", 2)
    small = Lexicon(lexicon.words)
    assert small.search(log_probs) == (word, score) and len(small._next) <= 2


def test_next_symbols_of_a_spelling():
    lexicon = Lexicon(["to", "tor", "tore", "torn", "tax", "zz"])
    assert [ch for ch, _, _ in lexicon.next_symbols("")] == ["t", "z"]
    assert [(ch, k, spelt) for ch, k, spelt in lexicon.next_symbols("to")] == [("r", 18, "tor"), (" ", 27, "")]
    assert [ch for ch, _, _ in lexicon.next_symbols("tor")] == ["e", "n", " "]
    assert lexicon.next_symbols("tq") == () and lexicon.next_symbols("zz") == ((" ", 27, ""),)


def test_lexicon_files_and_shipped_list(tmp_path):
    shipped = Lexicon.load("en")
    assert len(shipped) == 73066 and "germany" in shipped and "the" in shipped and "xqzt" not in shipped
    assert "i" in [ch for ch, _, _ in shipped.next_symbols("shopp")] and not shipped.next_symbols("xqz")
    assert all(map(shipped.knows, ("prefer", "(at", "Court,")))  # marks around a word aside
    assert not any(map(shipped.knows, ("dn-do1", "VSIA", "k.cook")))
    mine = tmp_path / "terms.txt"
    mine.write_text("Ocdr\nDBNet\nR2-D2\n", encoding="utf-8")
    merged = Lexicon.load(["en", mine])
    assert "ocdr" in merged and "dbnet" in merged and len(merged) == len(shipped) + 2  # R2-D2: not letters only
    with pytest.raises(ModelError, match="no such file"):
        Lexicon.load(tmp_path / "missing.txt")
    (tmp_path / "empty.txt").write_text("123\n", encoding="utf-8")
    with pytest.raises(ModelError, match="no words"):
        Lexicon.load(tmp_path / "empty.txt")


def test_shipped_lists_of_the_latin_recognizers_languages():
    """Ten languages' lists, alone or together as "latin"; "auto" is the recognizer's languages: English for the
    English recognizers, English and the ten for the Latin one."""
    swedish, latin = Lexicon.load("sv"), Lexicon.load("latin")
    assert {"på", "också", "först"} <= set(swedish.words) and "è" not in swedish.symbols
    assert {"på", "garçon", "können", "año", "não", "città", "één", "æble", "kiitos"} <= set(latin.words)
    assert len(latin) > 140_000 and set("àâçéèêëîïôûüæœäöåøñãõáíóú") <= set(latin.symbols)
    assert "ß" not in latin.symbols  # wordfreq spells it "ss": a word read with "ß" is left as read
    assert Lexicon.load("auto").words == Lexicon.load("en").words
    assert auto_lexicons(DEFAULT_CHARSET) == ("en",) and auto_lexicons([*DEFAULT_CHARSET, "ü"]) == ("en", "latin")
    assert set(Lexicon.load(["auto"], auto=("en", "latin")).words) == set(Lexicon.load(["en", "latin"]).words)
    with pytest.raises(ModelError, match="shipped lexicons: auto, en, latin"):
        Lexicon.load("klingon")


def test_shipped_lists_of_the_cyrillic_recognizers_languages():
    """Four languages' lists, alone or together as "cyrillic", which "auto" adds for a recognizer that reads
    Cyrillic; their symbols are a-z and the Cyrillic letters, each a class of its own beside its Latin look-alike."""
    ukrainian, cyrillic = Lexicon.load("uk"), Lexicon.load("cyrillic")
    assert {"україна", "їжа", "європа"} <= set(ukrainian.words) and "ќ" not in ukrainian.symbols
    assert {"правда", "человека", "българия", "съм", "ќе", "џеб", "всё"} <= set(cyrillic.words)
    assert len(cyrillic) > 60_000 and set(CYRILLIC) <= set(cyrillic.symbols) and set("aeopcx") <= set(cyrillic.symbols)
    assert auto_lexicons([*DEFAULT_CHARSET, "ж"]) == ("en", "cyrillic")
    assert auto_lexicons([*DEFAULT_CHARSET, "ж", "é"]) == ("en", "latin", "cyrillic")


def test_shipped_list_of_the_greek_recognizers_language_and_words_of_capitals():
    """Greek's list ("el", or "greek"), which "auto" adds for a recognizer that reads Greek. Print drops Greek's
    accent in words of capitals: "ΕΙΝΑΙ" is the list's "είναι", and a near miss in capitals is corrected to the list
    word in capitals, without the accent, the network's unaccented capital counting for the accented letter."""
    greek = Lexicon.load("greek")
    assert greek.words == Lexicon.load("el").words and len(greek) > 18_000
    assert {"είναι", "της", "ελλάδα", "κόσμος", "μαΐου"} <= set(greek.words)
    assert set(GREEK) - set(greek.symbols) == {"ΰ"}  # no frequent word has it
    assert not [w for w in greek.words if w.endswith("σ")]  # the final sigma as print writes it
    assert all(greek.knows(w) for w in ("ΕΙΝΑΙ", "Είναι", "ΤΗΣ,", "ΚΟΣΜΟΣ")) and not greek.knows("ΕΙΝΑΙΙ")
    assert auto_lexicons([*DEFAULT_CHARSET, "λ"]) == ("en", "greek")
    chars = [*CHARS, *GREEK, *dict.fromkeys(c.upper() for c in GREEK if len(c.upper()) == 1)]
    lexicon = Lexicon(["καλημέρα", "είναι"])

    def read_with(text: str, weak: dict[int, tuple[str, float]]) -> str:
        probs = outputs(text, weak, chars)
        return lexicon.correct(ctc_greedy_decode(probs[None], chars)[0], probs, chars).text

    assert read_with("ΚΑΛΗΜΕΝΑ", {19: ("Ρ", 0.3)}) == "ΚΑΛΗΜΕΡΑ"  # not "ΚΑΛΗΜΈΡΑ"
    assert read_with("Καλημένα", {19: ("ρ", 0.3)}) == "Καλημέρα"
    assert read_with("ΚΑΛΗΜΕΡΑ", {}) == "ΚΑΛΗΜΕΡΑ"


# real crops the shipped recognizer misreads by a letter (greedy) and reads right with the English list
NEAR_MISSES = {
    "icdar2015_words_train/images/word_893.jpg": ("BLCCK", "BLOCK"),
    "icdar2015_words_train/images/word_943.jpg": ("Piease", "Please"),
    "icdar2015_words_train/images/word_461.jpg": ("TEXTBOON", "TEXTBOOK"),
    "funsd_train_words/images/0001123541_046.png": ("SUBNITTED", "SUBMITTED"),
    "funsd_train_words/images/13149651_196.png": ("Authgrized", "Authorized"),
}


@pytest.mark.skipif(not (SHARED_DATA / "recognition").is_dir(), reason="needs ../shared/data")
def test_shipped_list_on_real_crops(ocr):
    from ocdr import OCR

    plain = OCR(threads=2, lexicon=None)
    assert plain.pipeline.recognizer.lexicon is None and ocr.pipeline.recognizer.lexicon is not None
    assert OCR(threads=2, lexicon="None").pipeline.recognizer.lexicon is None  # as the CLI's --lexicon none
    crops = [cv2.imread(str(SHARED_DATA / "recognition" / name), cv2.IMREAD_GRAYSCALE) for name in NEAR_MISSES]
    greedy = [r.text for r in plain.pipeline.recognizer(crops)]
    corrected = [r.text for r in ocr.pipeline.recognizer(crops)]
    assert greedy == [g for g, _ in NEAR_MISSES.values()]
    assert corrected == [c for _, c in NEAR_MISSES.values()]
    # over the first 150 FUNSD word crops (scanned forms: names, numbers, codes), the list costs nothing
    items = [(img, text) for _, img, text in read_crop_dataset(SHARED_DATA / "recognition" / "funsd_train_words", 150)]
    images, texts = [i for i, _ in items], [t for _, t in items]
    right = [sum(r.text == t for r, t in zip(o.pipeline.recognizer(images), texts, strict=True)) for o in (plain, ocr)]
    assert right[1] >= right[0], right


def test_cli_lexicon_option(tmp_path, capsys):
    from ocdr.cli import _ocr_options, build_parser, main

    def options(*flags: str) -> dict:
        return _ocr_options(build_parser().parse_args(["read", "page.png", *flags]))

    terms = tmp_path / "terms.txt"
    terms.write_text("dbnet\n", encoding="utf-8")
    assert options()["lexicon"] == ["auto"]
    assert options("--lexicon", "none")["lexicon"] is None
    assert options("--lexicon", str(terms), "--lexicon", "en")["lexicon"] == [str(terms), "en"]
    assert main(["read", str(tmp_path / "page.png"), "--lexicon", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt: no such file" in capsys.readouterr().err
