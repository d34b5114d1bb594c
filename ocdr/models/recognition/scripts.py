"""Text in the scripts' own ways: each word in one script, Greek's final sigma and capitals.

A recognizer that reads Latin and another alphabet (``rec_model="cyrillic"``, ``"greek"``) has a class for the Latin
"o" and one for the Cyrillic "о" (or the Greek "ο"), drawn alike in every font: inside a word it can only tell them
by their neighbours, and it sometimes picks the wrong one ("cлово", the first letter Latin). Print does not mix the
two inside a word, so a word whose letters that only one script has are all of that script gets its look-alikes in
that script too. A word of look-alikes alone ("OKO", "TAM") or of both scripts' own letters is left as read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from ocdr.models.recognition.ctc import CTCResult

# each script's letters drawn the same as Latin ones in common fonts: (the Latin letters, theirs in the same order)
LOOKALIKES = {
    "cyrillic": ("aceopxyijsABCEHIJKMOPSTXY", "асеорхуіјѕАВСЕНІЈКМОРЅТХУ"),
    "greek": ("oABEZHIKMNOPTXY", "οΑΒΕΖΗΙΚΜΝΟΡΤΧΥ"),
}
# script -> (Latin look-alikes to that script's, that script's to Latin)
_TABLES = {
    name: (str.maketrans(latin, theirs), str.maketrans(theirs, latin)) for name, (latin, theirs) in LOOKALIKES.items()
}
_LETTERS = re.compile(r"[^\W\d_]+")
_GREEK = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")  # the Greek block and the extended (polytonic) one


def _script(letter: str) -> str:
    if _GREEK.match(letter):
        return "greek"
    return "cyrillic" if "\u0400" <= letter <= "\u04ff" else "latin"


def one_script(result: CTCResult) -> CTCResult:
    """``result`` with the look-alike letters of each word that mixes Latin and another script put in the script
    of the word's other letters, where those are all of one script."""
    text = result.text
    if text.isascii():
        return result
    chars = list(text)
    for word in _LETTERS.finditer(text):
        letters = word.group()
        other = {_script(c) for c in letters} - {"latin"}
        if len(other) != 1 or (script := other.pop()) not in LOOKALIKES:
            continue
        latin, theirs = LOOKALIKES[script]
        own = {_script(c) for c in letters if c not in latin and c not in theirs}
        if len(own) == 1:
            to_theirs, to_latin = _TABLES[script]
            chars[word.start() : word.end()] = letters.translate(to_theirs if own.pop() == script else to_latin)
    settled = "".join(chars)
    return result if settled == text else replace(result, text=settled)


_LOOKALIKE = frozenset("".join(latin + theirs for latin, theirs in LOOKALIKES.values()))
# the look-alikes that are words on their own ("с", "В", the Greek article "Ο"); "ѕ" or "Т" alone is no word
ONE_LETTER_WORDS = {"cyrillic": "асеоуіАВСЕІКОУ", "greek": "οΟΗ"}


def _own_script(word: str) -> str | None:
    """The script of ``word``'s letters that have no look-alike, where those are all of one script."""
    scripts = {_script(c) for c in word if c.isalpha() and c not in _LOOKALIKE}
    return scripts.pop() if len(scripts) == 1 else None


def _in_script(letter: str, script: str) -> str:
    """``letter``'s look-alike in ``script``, or ``letter`` where it has none there that is a word alone."""
    own = _script(letter)
    if own == script:
        return letter
    if script == "latin" and own in LOOKALIKES:
        return letter.translate(_TABLES[own][1])
    if (
        own == "latin"
        and script in LOOKALIKES
        and (theirs := letter.translate(_TABLES[script][0])) in ONE_LETTER_WORDS[script]
    ):
        return theirs
    return letter


def lone_letters(words: list[str]) -> list[str]:
    """A line's words (in reading order), each one-letter word whose letter has a look-alike in another script put
    in the script of the nearest words on either side whose other letters are all of one script ("Он C тобой" ->
    "Он С тобой"), where it is a word there (``ONE_LETTER_WORDS``: an English "'s" stays). ``one_script`` settles
    a letter by the rest of its word; a word of one letter has none, and the recognizers read the Russian "с", "в",
    "к", "о" and the Greek "Ο", "Η" alone as Latin letters more often than not. Numbers ("3" for "З") stay."""
    if all(word.isascii() for word in words):
        return words
    evidence = [_own_script(word) for word in words]
    settled = list(words)
    for i, word in enumerate(words):
        letters = _LETTERS.findall(word)
        if len(letters) != 1 or len(letter := letters[0]) != 1 or letter not in _LOOKALIKE:
            continue
        if any(c.isdigit() for c in word):
            continue
        left = next((e for e in reversed(evidence[:i]) if e is not None), None)
        right = next((e for e in evidence[i + 1 :] if e is not None), None)
        sides = {side for side in (left, right) if side is not None}
        if len(sides) == 1:
            settled[i] = word.replace(letter, _in_script(letter, sides.pop()))
    return settled


_FINAL_SIGMA = re.compile(r"σ(?![^\W\d_])")
_TONOS = re.compile("(?<=[\u0370-\u03ff])(\u0308?)\u0301")  # Greek's accent, as NFD splits it off its letter


def final_sigma(text: str) -> str:
    """``text`` with each Greek "σ" that ends a word written "ς", as print does: case folding (wordfreq's lists,
    ``str.casefold``) writes every sigma "σ"."""
    return _FINAL_SIGMA.sub("ς", text)


def capitals(text: str) -> str:
    """``text`` in capitals as print sets them: Greek drops its accent (tonos) in words of capitals ("έχει" ->
    "ΕΧΕΙ", not "ΈΧΕΙ"; a diaeresis stays), which ``str.upper`` keeps; other scripts as ``str.upper``."""
    upper = text.upper()
    if not _GREEK.search(upper):  # one scan in C: word lists call this for each word
        return upper
    return unicodedata.normalize("NFC", _TONOS.sub(r"\1", unicodedata.normalize("NFD", upper)))
