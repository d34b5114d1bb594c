"""Each word in one script: Latin and Cyrillic look-alike letters settled by the word's other letters.

A recognizer that reads both alphabets (``rec_model="cyrillic"``) has a class for the Latin "o" and one for the
Cyrillic "о", drawn alike in every font: inside a word it can only tell them by their neighbours, and it sometimes
picks the wrong one ("cлово", the first letter Latin). Print does not mix the two inside a word, so a word whose
letters that only one script has are all of that script gets its look-alikes in that script too. A word of
look-alikes alone ("OKO", "TAM") or of both scripts' own letters is left as read.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ocdr.models.recognition.ctc import CTCResult

# Latin letters and the Cyrillic ones drawn the same in common fonts
LATIN_LOOKALIKES = "aceopxyijsABCEHIJKMOPSTXY"
CYRILLIC_LOOKALIKES = "асеорхуіјѕАВСЕНІЈКМОРЅТХУ"
TO_CYRILLIC = str.maketrans(LATIN_LOOKALIKES, CYRILLIC_LOOKALIKES)
TO_LATIN = str.maketrans(CYRILLIC_LOOKALIKES, LATIN_LOOKALIKES)
_LETTERS = re.compile(r"[^\W\d_]+")


def _is_cyrillic(c: str) -> bool:
    return "\u0400" <= c <= "\u04ff"


def one_script(result: CTCResult) -> CTCResult:
    """``result`` with the look-alike letters of each word that mixes Latin and Cyrillic put in the script of the
    word's other letters, where those are all of one script."""
    text = result.text
    if text.isascii():
        return result
    chars = list(text)
    for word in _LETTERS.finditer(text):
        own = {_is_cyrillic(c) for c in word.group() if c not in LATIN_LOOKALIKES and c not in CYRILLIC_LOOKALIKES}
        if len(own) == 1:
            table = TO_CYRILLIC if own.pop() else TO_LATIN
            chars[word.start() : word.end()] = word.group().translate(table)
    settled = "".join(chars)
    return result if settled == text else replace(result, text=settled)
