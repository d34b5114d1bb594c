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
