"""An amount's last "0" that the print cut, read against the page's other amounts.

A receipt printer's worn head, or the roll run off its edge, cuts the right side off the last glyph of each line: in
a right-aligned column of amounts, every last "0" is read "C" ("35.0C", "313.5C": 10 amounts of one held-out SROIE
receipt). Where the page shows ``AMOUNTS_MIN`` amounts or more with two decimals, an amount read with one decimal and
a "C" (or an "O", a "0"'s look-alike) after it ends in that "0". A page with fewer such amounts (a thermometer's
"37.5C") is left as read.
"""

from __future__ import annotations

import re

from ocdr.document import Word, fit_chars

AMOUNTS_MIN = 3
_TWO_DECIMALS = re.compile(r"\d\.\d\d(?!\d)")
_CUT_ZERO = re.compile(r"(\S*\d\.\d)[CO](\W*)")  # an amount with one decimal and a round letter after it


def cut_zeros(words: list[Word]) -> list[Word]:
    """``words`` with each amount's last "0" read as a "C" or "O" put right, where the page's amounts have two
    decimals (``AMOUNTS_MIN``)."""
    if sum(bool(_TWO_DECIMALS.search(w.text)) for w in words) < AMOUNTS_MIN:
        return words
    fixed = []
    for w in words:
        match = _CUT_ZERO.fullmatch(w.text)
        if match is not None:
            text = f"{match.group(1)}0{match.group(2)}"
            w = Word(w.polygon, text, w.confidence, fit_chars(w.chars, text, w.polygon, w.confidence))
        fixed.append(w)
    return fixed
