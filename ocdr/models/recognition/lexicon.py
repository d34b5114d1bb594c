"""Lexicon-aided CTC decoding: a word the recognizer read that is not in the word list becomes the list's word that
the recognizer's own outputs make nearly as likely.

Greedy decoding takes each step's best class, so one blurred letter ("Fance", "SHOPING": a doubled letter needs a
blank between its halves) makes a word wrong although the network gave the right letters fair odds. For each word
read outside the list, a CTC prefix beam search restricted to the list's words finds the most likely list word over
the same steps; it replaces the reading when its log-likelihood is within ``LEXICON_MARGIN`` of the reading's own
(``PAPER_MARGIN`` on paper pages, whose words are mostly list words).
Words that are in the list, words with digits, and readings the network is sure of are left as they are, so names,
numbers and codes pass through. Letters are matched case-blind; the replacement takes the reading's case pattern. The
search spells with a-z and the list's other letters (a list of your own may have accented words: "Zürich"), and a
word read with a letter beyond those ("café" against the English list) is left as read.
The search may also put spaces where the network gave a space fair odds but greedy decoding dropped it ("KEEPTHIS"
-> "KEEP THIS"): each word of such a split is a list word.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import string
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from ocdr.errors import ModelError
from ocdr.models.recognition.ctc import CTCResult, ctc_best_alignment, ctc_log_likelihood
from ocdr.models.recognition.scripts import capitals

# nats: picked on crops no figure is reported on, the 3,913 rectified ICDAR 2015 training words and 500 synthetic crops:
# at 1 / 2 / 3 / 4 / 5 they read 0.734 / 0.752 / 0.762 / 0.764 / 0.762 and 0.824 / 0.828 / 0.834 / 0.834 / 0.832
# (greedy 0.704 and 0.812); 3 and 4 tie, and the smaller margin changes fewer readings
LEXICON_MARGIN = 3.0
# nats, on paper (forms, letters, receipts: mostly list words, few brands): picked on 60 training pages of FUNSD and
# of SROIE outside the held-out split, word F at 3 / 4 / 5 / 6: FUNSD 0.7788 / 0.7837 / 0.7863 / 0.7864, SROIE
# 0.5098 / 0.5101 / 0.5095 / 0.5072; scene crops lose at more than 3 (names and brands read right become list words)
PAPER_MARGIN = 5.0
# On paper (``PAPER_MARGIN``), a reading is shortened (a letter it holds left out) only into a list word of
# SHORTENED_MIN letters or more ("JALAN" -> "ALAN", "Nett" -> "Net", "Incl" -> "Inc", "TION" -> "ION" were right as
# read), and Latin capitals of ACRONYM letters or fewer are not put in place of by a list word as long ("SDN" -> "SON",
# "GST" -> "EST", "BHD" -> "BID"; a Greek word read with Latin look-alikes, "TOΥ", is still spelt in Greek, "ΤΟΥ").
# On 75 FUNSD and 90 SROIE training pages, the two rules left 50 readings as read that their labels have so, against
# 24 the list had put right ("PTAX" -> "TAX", "SUX" -> "SIX"); 61 more changed that the labels do not decide. Signs'
# crops are left to the list as before: their garbled readings shortened into list words read less sure, so a turned
# crop's right reading wins over them ("oipul" -> "opal"), and "ONF" is "ONE"
SHORTENED_MIN = 5
ACRONYM = 3
MIN_WORD = 3  # shorter list words ("cc", "tl", "k": abbreviations, letters) are never put in place of a reading
BEAM = 10  # prefixes kept per step
KNOWN_SPELLINGS = 20_000  # spellings whose next symbols the search remembers (``Lexicon._next``; 10 MB at most)
FLOOR = -7.0  # a letter or space less likely than this (log, 0.1%) at a step is not tried there: it costs too much
SPLIT_WORD = 2  # the words a reading is split into have at least this many letters ("to the", "form no")...
SPLIT_LETTERS = ("a",)  # ...or are one of these ("Afinal" -> "A final", "bya" -> "by a"; a lone "I" is told by its ink)
LANGUAGES = ("da", "de", "es", "fi", "fr", "it", "nb", "nl", "pt", "sv")  # the Latin recognizer's, English aside
CYRILLIC_LANGUAGES = ("bg", "mk", "ru", "uk")  # the Cyrillic recognizer's, English aside
GREEK_LANGUAGES = ("el",)  # the Greek recognizer's, English aside
# name -> files in ocdr/runtime/lexicons
SHIPPED = (
    {"en": ("en.txt",)}
    | {"latin": tuple(f"{lang}.txt" for lang in LANGUAGES)}
    | {"cyrillic": tuple(f"{lang}.txt" for lang in CYRILLIC_LANGUAGES)}
    | {"greek": tuple(f"{lang}.txt" for lang in GREEK_LANGUAGES)}
    | {lang: (f"{lang}.txt",) for lang in (*LANGUAGES, *CYRILLIC_LANGUAGES, *GREEK_LANGUAGES)}
)
ACCENTED = "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿœß"  # the ten languages' letters beyond a-z (the Latin recognizer's)
# the four languages' letters (the Cyrillic recognizer's): Russian's (Bulgarian's are among them), Ukrainian's and
# Macedonian's others, and Bulgarian's ѝ
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя" + "ґєії" + "ѓѕјљњќџ" + "ѝ"
# Modern Greek's letters (the Greek recognizer's): the alphabet, the final sigma, the accented (tonos) vowels and
# those with a diaeresis
GREEK = "αβγδεζηθικλμνξοπρστυφχψω" + "ς" + "άέήίόύώ" + "ϊϋΐΰ"
LAST = chr(0x10FFFF)  # sorts after every letter: the words that start with a spelling end before it + LAST
_TOKEN = re.compile(r"([\W\d_]*)([^\W\d_]{2,})([\W\d_]*)")  # a word's letters between leading/trailing marks
# Figures a letter is read as: its capital, then its small letters (a dot-matrix "i" whose dot is lost reads "1")
LOOKALIKES = {"0": "Oo", "1": "Ili"}
# A word of letters with figures read among them ("S0LD", "oi1", "N0."), between leading and trailing marks
_FIGURED = re.compile(r"(\W*)([^\W\d_](?:[^\W\d_]|[01])*)(\W*)")
# Initials, a capital and a period each, with a "0" read for an "O" among them ("P.0.", "V.0.C.s": a plural's "s" after)
_INITIALS = re.compile(r"(\W*)((?:[A-Z0]\.){2,})(s?\W*)")
# a "1" is taken for a letter only in a word this long: "A1", "H1", "K1P" (a postcode's) are no "Al", "Hi", "KIP"
FIGURED_ONE_MIN = 4


class Lexicon:
    """A sorted list of lower-case words (entries of letters only, NFC; others are skipped), searched by bisection.
    ``symbols``: the search's classes after the blank: a-z and the other letters the words have, then the space."""

    def __init__(self, words: Iterable[str]):
        lowered = (unicodedata.normalize("NFC", w.strip()).lower() for w in words)
        self.words = sorted({w for w in lowered if w.isalpha()})
        if not self.words:
            raise ModelError("the lexicon has no words of letters only")
        # the words that print sets otherwise in capitals, as those capitals read in lower case (Greek's, without
        # their accents: "ΕΧΕΙ" is "έχει")
        self.capital_forms = {bare for w in self.words if not w.isascii() and (bare := capitals(w).lower()) != w}
        self.symbols = "".join(sorted(set(string.ascii_lowercase).union(*self.words))) + " "
        self._class = {c: k for k, c in enumerate(self.symbols, start=1)}
        self._next: dict[str, tuple[tuple[str, int, str], ...]] = {}  # ``next_symbols``'s answers

    @classmethod
    def load(cls, specs: str | Path | Sequence[str | Path], auto: Sequence[str] = ("en",)) -> Lexicon:
        """One lexicon from shipped names and word-list files (one word per line), merged. Shipped: ``en`` (73,066
        English words and names from SCOWL, via Debian's wamerican; ``scripts/make_lexicon.py``); ``da de es fi fr
        it nb nl pt sv`` (about 19,800 frequent words of each language from wordfreq, ``scripts/language_words.py``) and
        ``latin``, all ten of them; ``bg mk ru uk`` (as many, the same way) and ``cyrillic``, all four; ``el`` (as many)
        and ``greek``, the same; ``auto``, the names ``auto`` says (the recognizer's languages)."""
        if isinstance(specs, (str, Path)):
            specs = [specs]
        specs = [name for spec in specs for name in (auto if str(spec) == "auto" else [spec])]
        words: list[str] = []
        for spec in specs:
            if str(spec) in SHIPPED:
                words += _shipped(str(spec))
                continue
            path = Path(spec)
            if not path.is_file():
                raise ModelError(f"lexicon {spec}: no such file (shipped lexicons: auto, {', '.join(SHIPPED)})")
            words += path.read_text(encoding="utf-8", errors="replace").split()
        return cls(words)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        i = bisect.bisect_left(self.words, word)
        return i < len(self.words) and self.words[i] == word

    def search(self, log_probs: np.ndarray) -> tuple[str | None, float]:
        """The most likely list word of ``MIN_WORD`` letters or more, or list words of ``SPLIT_WORD`` letters or more
        (or ``SPLIT_LETTERS``) with spaces between, over ``log_probs`` (steps, classes: the blank, ``symbols``) and
        its log-likelihood, by a CTC prefix beam search that only keeps prefixes of such readings (None, -inf if none
        fits). A space is tried only where the network gave it odds, so a missed space comes back ("tothe" -> "to
        the") but a word is not cut up.

        The pages' hottest Python loop (a tenth of a form's reading time before stop 52; twice as fast since): each
        prefix carries the word it is spelling and its last class, and each spelling's possible next symbols come
        from ``next_symbols``, worked out once. The probabilities are plain numbers, not logs, scaled after each step
        so that the likeliest prefix's is 1 (``scale`` keeps the log of the factor): sums where logs need a
        log-add-exp each (stop 78: the same words, in a third less time)."""
        floor = math.exp(FLOOR)
        after = self._next
        scale = 0.0
        # prefix -> [p ending in a blank, p ending in a symbol, the word being spelt, its last symbol's class]
        beams: dict[str, list] = {"": [1.0, 0.0, "", 0]}
        for p in np.exp(log_probs).tolist():
            stay = p[0]
            grown: dict[str, list] = {}
            for prefix, (blank, last, segment, cls) in beams.items():
                total = blank + last
                entry = grown.get(prefix)
                if entry is None:
                    entry = grown[prefix] = [total * stay, 0.0, segment, cls]
                else:
                    entry[0] += total * stay
                if cls:  # the last symbol goes on
                    entry[1] += last * p[cls]
                nexts = after.get(segment)
                if nexts is None:
                    nexts = self.next_symbols(segment)
                for ch, k, spelt in nexts:
                    q = p[k]
                    if q < floor:
                        continue
                    longer = prefix + ch
                    step = (blank if cls == k else total) * q  # a repeat needs a blank between
                    entry = grown.get(longer)
                    if entry is None:
                        grown[longer] = [0.0, step, spelt, k]
                    else:
                        entry[1] += step
            scored = sorted(((v[0] + v[1], w) for w, v in grown.items()), reverse=True)[:BEAM]
            top = scored[0][0]
            scale += math.log(top)
            beams = {}
            for _, w in scored:
                entry = beams[w] = grown[w]
                entry[0] /= top
                entry[1] /= top
        done = [(v[0] + v[1], w) for w, v in beams.items() if self._complete(w)]
        if not done:
            return None, -math.inf
        best, word = max(done)
        return word, math.log(best) + scale if best > 0 else -math.inf

    def next_symbols(self, segment: str) -> tuple[tuple[str, int, str], ...]:
        """What may follow ``segment`` (the word being spelt) in the search, as (symbol, class, the word being spelt
        after it): each letter that continues it towards a list word, and a space if it is a list word of
        ``SPLIT_WORD`` letters or more or one of ``SPLIT_LETTERS``. Kept in ``_next``: the same spellings come up in
        every search."""
        words, start = self.words, len(segment)
        i, end = bisect.bisect_left(words, segment), bisect.bisect_left(words, segment + LAST)
        nexts = []
        while i < end:  # one bisection per letter that follows
            if len(words[i]) == start:
                i += 1
                continue
            ch = words[i][start]
            nexts.append((ch, self._class[ch], segment + ch))
            i = bisect.bisect_left(words, segment + chr(ord(ch) + 1), i, end)
        if (len(segment) >= SPLIT_WORD or segment in SPLIT_LETTERS) and segment in self:
            nexts.append((" ", self._class[" "], ""))
        if len(self._next) >= KNOWN_SPELLINGS:
            self._next.clear()
        self._next[segment] = found = tuple(nexts)
        return found

    def _complete(self, reading: str) -> bool:
        """A list word of ``MIN_WORD`` letters or more, or list words of ``SPLIT_WORD`` or more (or
        ``SPLIT_LETTERS``) with spaces between."""
        words = reading.split(" ")
        if len(words) == 1:
            return len(reading) >= MIN_WORD and reading in self
        return all((len(w) >= SPLIT_WORD or w in SPLIT_LETTERS) and w in self for w in words)

    def correct(
        self, result: CTCResult, probs: np.ndarray, chars: Sequence[str], margin: float = LEXICON_MARGIN
    ) -> CTCResult:
        """``result`` with each word outside the list that a list word nearly matches (within ``margin`` nats)
        replaced. ``probs``: the recognizer's softmax outputs (steps, classes) that ``result`` was decoded from."""
        pieces = [m.span() for m in re.finditer(r"\S+|\s+", result.text)]  # words and the spaces between
        if margin >= PAPER_MARGIN:  # print's figures and letters (a sign's lettering is drawn, its codes many)
            lettered = "".join(self.letters_for_figures(result.text[a:b]) or result.text[a:b] for a, b in pieces)
            result = replace(result, text=lettered)  # as long as read: the characters' steps stay theirs
        outside = {a: m for a, b in pieces if (m := self._outside(result.text[a:b]))}
        if not outside:
            return result
        folded = _fold(probs, _letter_columns(tuple(chars), self.symbols))
        text, char_probs, positions = [], [], []
        for a, b in pieces:
            piece = self._correct_word(result, a, outside[a], folded, margin) if a in outside else None
            piece = piece or (result.text[a:b], result.char_probs[a:b], result.positions[a:b])
            text.append(piece[0])
            char_probs += piece[1]
            positions += piece[2]
        return replace(result, text="".join(text), char_probs=char_probs, positions=positions)

    def letters_for_figures(self, token: str) -> str | None:
        """``token`` with the figures read among a word's letters ("S0LD", "oi1", "N0.") as the letters they look
        like (``lookalike_spellings``), where that spells a list word; else None. Figures as many as the letters or
        fewer, and a "1" in a word of ``FIGURED_ONE_MIN`` or more. Initials are no list words: a "0" among capitals
        and periods is an "O" ("P.0. Box", "V.0.C.s"; read so 6 times to once right on 154 forms and receipts)."""
        initials = _INITIALS.fullmatch(token)
        if initials is not None and "0" in initials[2] and initials[2].strip("0.") != "":
            return initials[1] + initials[2].replace("0", "O") + initials[3]
        match = _FIGURED.fullmatch(token)
        if match is None:
            return None
        lead, core, trail = match.groups()
        figures = sum(c in LOOKALIKES for c in core)
        if not figures or figures > len(core) - figures or ("1" in core and len(core) < FIGURED_ONE_MIN):
            return None  # no figure, more figures than letters ("C01", a code's), or a short word's "1"
        word = next((w for w in lookalike_spellings([core]) if w.lower() in self), None)
        return None if word is None else lead + word + trail

    def knows(self, token: str) -> bool:
        """Whether a word as read ("prefer", "(at", "Court,") is a list word, the marks around it aside."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            return False
        letters = match.group(2)
        return letters.lower() in self or (letters.isupper() and letters.lower() in self.capital_forms)

    def _outside(self, token: str) -> re.Match | None:
        """The parts of a word read outside the list (leading marks, letters, trailing marks), else None. A word
        with a letter the list's words never have ("café" against the English list) is not the list's to correct."""
        if self.knows(token) or (match := _TOKEN.fullmatch(token)) is None:
            return None
        return match if all(c in self._class for c in match.group(2).lower()) else None

    def _correct_word(
        self, result: CTCResult, start: int, match: re.Match, folded: np.ndarray, margin: float
    ) -> tuple[str, list[float], list[tuple[int, int]]] | None:
        """The word at ``result.text[start:]`` (``match``: its parts) as the list word that replaces it, with its
        characters' probabilities and positions; None when no list word comes within the margin."""
        lead, core, trail = match.groups()
        first, end = start + len(lead), start + len(lead) + len(core)  # the letters' span in result.text
        t0 = result.positions[first - 1][1] + 1 if first > 0 else 0  # the steps after the character before them
        t1 = result.positions[end][0] if end < len(result.text) else len(folded)  # ...up to the one after
        window = folded[t0:t1]
        reading = ctc_log_likelihood(window, self._labels(core.lower()))
        if reading > -math.log1p(math.exp(-margin)):
            return None  # the other readings share less than e^-margin of the reading's probability: none comes close
        word, score = self.search(window)
        if word is None or score < reading - margin:
            return None
        if core.isupper() and any(len(piece) == 1 for piece in word.split(" ")):
            return None  # capitals are an acronym ("USA"), not a word and an "A" ("US A")
        if margin >= PAPER_MARGIN and _name_or_code(core, word):
            return None
        labels = self._labels(word)
        spans = ctc_best_alignment(window, labels)
        probs = [float(np.exp(window[a : b + 1, k].max())) for (a, b), k in zip(spans, labels, strict=True)]
        return (
            lead + _case_like(word, core) + trail,
            result.char_probs[start:first] + probs + result.char_probs[end : end + len(trail)],
            result.positions[start:first]
            + [(a + t0, b + t0) for a, b in spans]
            + result.positions[end : end + len(trail)],
        )

    def _labels(self, text: str) -> list[int]:
        """The search's class indices of lower-case ``text`` (0 is the blank)."""
        return [self._class[c] for c in text]


def auto_lexicons(charset: Iterable[str]) -> tuple[str, ...]:
    """The shipped lists ``auto`` stands for with a recognizer of this charset: English, the ten Latin languages'
    where it reads their accented letters (the Latin recognizer, or a fine-tune of it), the four Cyrillic ones' where
    it reads Cyrillic (the Cyrillic recognizer), Greek's where it reads Greek."""
    letters = set(charset)
    return (
        ("en",)
        + ("latin",) * bool(set(ACCENTED) & letters)
        + ("cyrillic",) * bool(set(CYRILLIC) & letters)
        + ("greek",) * bool(set(GREEK) & letters)
    )


@lru_cache(maxsize=4)
def _shipped(name: str) -> tuple[str, ...]:
    folder = resources.files("ocdr.runtime").joinpath("lexicons")
    return tuple(w for file in SHIPPED[name] for w in folder.joinpath(file).read_text(encoding="utf-8").split())


def _name_or_code(reading: str, word: str) -> bool:
    """Whether list ``word`` would stand for a ``reading`` on paper that is a name or a code read right: shortened
    into a short word (``SHORTENED_MIN``: "JALAN" -> "ALAN") or, three Latin capitals, an acronym (``ACRONYM``: "SDN"
    -> "SON")."""
    shortened = " " not in word and len(word) < min(len(reading), SHORTENED_MIN)
    return shortened or (reading.isascii() and reading.isupper() and len(word) <= len(reading) <= ACRONYM)


def lookalike_spellings(pieces: Sequence[str]) -> Iterator[str]:
    """The spellings of a word's ``pieces`` (its letters, with figures among them, or a figure alone) with each
    figure as a letter it looks like (``LOOKALIKES``): a "0" as an "O" unless the word has small letters (a figure
    stands as tall as a capital), a "1" as an "I" in a word of two capitals or more and no small letters, else as
    each of its small letters ("l", "i")."""
    letters = [c for piece in pieces for c in piece if c.isalpha()]
    small = any(c.islower() for c in letters)
    capital = {"0": not small, "1": not small and len(letters) >= 2}
    choices = [
        (LOOKALIKES[c][:1] if capital[c] else LOOKALIKES[c][1:]) if c in LOOKALIKES else c for c in "".join(pieces)
    ]
    return map("".join, itertools.product(*choices))


@lru_cache(maxsize=8)
def _letter_columns(chars: tuple[str, ...], symbols: str) -> tuple[np.ndarray, ...]:
    """For each symbol (letters, space), the output columns of its lower case, its upper case and, where words of
    capitals print it otherwise (Greek's accented vowels: "έ", "Έ" and "Ε"), that capital (0 where the charset has
    none, or the third is the second)."""
    index = {c: i + 1 for i, c in enumerate(chars)}
    lower = np.array([index.get(c, 0) for c in symbols])
    upper = np.array([index.get(c.upper(), 0) if c.isalpha() else 0 for c in symbols])
    plain = np.array([index.get(capitals(c), 0) if capitals(c) != c.upper() else 0 for c in symbols])
    return lower, upper, plain


def _fold(probs: np.ndarray, columns: tuple[np.ndarray, ...]) -> np.ndarray:
    """(steps, classes) softmax -> (steps, 1 + symbols) log probabilities: the blank, each letter in any of its
    cases, the space."""
    letters = sum(probs[:, column] * (column > 0) for column in columns)
    return np.log(np.clip(np.concatenate([probs[:, :1], letters], axis=1), 1e-12, None))


def _case_like(words: str, reading: str) -> str:
    """``words`` (one, or several with spaces between) in ``reading``'s case pattern: capitals, a capital first, or
    lower case; each of several words after the part of ``reading`` at its letters' offsets ("TaxInvoice")."""
    out, start = [], 0
    for word in words.split(" "):
        part = reading[start : start + len(word)] if " " in words else reading
        start += len(word)
        if sum(c.isupper() for c in part) > len(part) / 2:
            out.append(capitals(word))
        else:
            out.append(word[:1].upper() + word[1:] if part[:1].isupper() else word)
    return " ".join(out)
