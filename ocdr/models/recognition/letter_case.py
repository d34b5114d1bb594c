"""The case of letters that look alike in both cases (c o s u v w x z, most of Cyrillic's: в к м н о п с т ..., and
Greek's ο κ), told by their height.

The recognizer sees one crop at a time at 32 pixels high, and a "w" is a small "W": "whatever" was read "Whatever",
"swirly" "sWirly", "Ollie" "ollie" (31 of 5,848 words on 20 synthetic 300 dpi pages); with the Cyrillic recognizer,
"Помогала" "помогала" and "боюсь" "боюСь" (5 of the 6 case slips on 500 synthetic Cyrillic crops). The word's
other letters show where its x-height and cap height are; a look-alike's glyph top says which case it is. Only
crops whose glyphs pair one to one with the characters read, with letters of a known height that agree among
themselves, are looked at (a word with letters of one height only has the other put at ``CAP_TO_X`` times the
x-height from its baseline): a scene's stylized, tilted words (ICDAR 2015, SVT, IIIT5K) mostly fail those tests and
are left as read.
"""

from __future__ import annotations

import re
from dataclasses import replace

import cv2
import numpy as np

from ocdr.models.recognition.ctc import CTCResult
from ocdr.models.recognition.lexicon import ACCENTED
from ocdr.models.recognition.preprocess import print_ink

# Cyrillic's small letters are mostly small capitals; not those with a mark above (й і ї ґ ѓ ќ ѝ ё), a descender
# in one case alone (у р ф ј), or a shape of their own in many fonts (д: Bulgarian's is a "g")
_CYRILLIC_LOOKALIKES = "вгжзиклмнопстхцчшщъыьэюяєѕљњџ"
_SMALL_CAPS = "cosuvwxz" + _CYRILLIC_LOOKALIKES + "οκ"  # Greek's "ο" and "κ" too
LOOKALIKES = frozenset(_SMALL_CAPS) | frozenset(_SMALL_CAPS.upper())
X_LETTERS = frozenset("aegmnpqr" + "аеру" + "αεινυω")  # tops at the x-height
# tops at the cap height or the ascenders'
TALL_LETTERS = frozenset("ABDEFGHIJKLMNPQRTYbdfhkl" + "АБЕРУФб" + "ΑΒΓΔΕΖΗΘΙΛΜΝΞΠΡΣΤΥΦΧΨΩβδθλ")
DESCENDERS = frozenset("gjpqy,;" + "дцщруфџДЦЩЏ" + "βγζημξρςφχψ")
MIN_SEPARATION = 0.15  # x-height and cap-height tops at least this x the cap height apart (not small caps)
SPREAD = 0.2  # every reference letter's top within this x the separation of its height's median
NEAR = 0.3  # a look-alike is decided only when its top is this x the separation from one of the two heights
CAP_TO_X = 1.4  # a cap height this x the x-height, for words with letters of one height only ("Мартин", "Some")
SPECK = 0.002  # ink blobs smaller than this x the crop's height squared are specks
G_DROP = 0.2  # a "g"'s top and bottom at least this x the figures' height under theirs (``descends_past_figures``)
# the Latin recognizer's accented letters but "ß", which words of capitals keep ("GROßE")
_ACCENTED_SMALL = frozenset(ACCENTED) - {"ß"}
_WORD = re.compile(r"[^\W\d_]+")


def case_by_height(crop: np.ndarray, result: CTCResult) -> CTCResult:
    """``result`` (read from ``crop``) with each look-alike letter's case set by its glyph's height."""
    if len(result.positions) != len(result.text):
        return result
    cased = cased_by_height(crop, result.text)
    return result if cased == result.text else replace(result, text=cased)


def accented_capitals(result: CTCResult) -> CTCResult:
    """``result`` with the accented letters read small in a word of capitals put in capitals: "HöFT" is "HÖFT",
    "CREYó" "CREYÓ" (the Latin recognizer, 2 of 3,364 words on 12 synthetic pages of ten languages; "ö" and "ó" are
    their capitals drawn smaller). A word is of capitals when it has two or more and its small letters are all
    accented ("ISLANDIA's" and "McDONALD" stay); the marks put the glyphs' tops at any height, so
    ``case_by_height`` cannot tell them."""

    def capitals(word: re.Match[str]) -> str:
        text = word.group()
        small = [c for c in text if c.islower()]
        if small and all(c in _ACCENTED_SMALL for c in small) and sum(c.isupper() for c in text) >= 2:
            return text.upper()
        return text

    text = _WORD.sub(capitals, result.text) if not result.text.isascii() else result.text
    return result if text == result.text else replace(result, text=text)


def cased_by_height(crop: np.ndarray, text: str) -> str:
    """``text`` (the text drawn in ``crop``) with each look-alike letter's case set by its glyph's height."""
    return height_cases(crop, text) or text


def height_cases(crop: np.ndarray, text: str) -> str | None:
    """``cased_by_height``'s text, or None where the crop gives no heights to go by (its glyphs do not pair with the
    characters, no letter of a known height, or heights that disagree)."""
    lookalikes = [k for k, c in enumerate(text) if c in LOOKALIKES]
    if not lookalikes or crop.size == 0:
        return None
    glyphs = _glyph_boxes(crop, sum(not c.isspace() for c in text))
    if glyphs is None:
        return None
    letters = [k for k, c in enumerate(text) if not c.isspace()]
    top = dict(zip(letters, glyphs[:, 0].tolist(), strict=True))
    bottom = dict(zip(letters, glyphs[:, 1].tolist(), strict=True))
    x_tops = np.array([top[k] for k in letters if text[k] in X_LETTERS], np.float64)
    cap_tops = np.array([top[k] for k in letters if text[k] in TALL_LETTERS], np.float64)
    bottoms = [bottom[k] for k in letters if text[k].isalnum() and text[k] not in DESCENDERS]
    if not (len(x_tops) or len(cap_tops)) or not bottoms:
        return None
    base = float(np.median(bottoms))
    x_top = float(np.median(x_tops)) if len(x_tops) else base - (base - float(np.median(cap_tops))) / CAP_TO_X
    cap_top = float(np.median(cap_tops)) if len(cap_tops) else base - (base - x_top) * CAP_TO_X
    separation = x_top - cap_top
    if separation < MIN_SEPARATION * (base - cap_top):
        return None
    if max(np.abs(np.r_[x_tops - x_top, cap_tops - cap_top])) > SPREAD * separation:
        return None
    chars = list(text)
    for k in lookalikes:
        if min(abs(top[k] - cap_top), abs(top[k] - x_top)) > NEAR * separation:
            continue
        upper = top[k] - cap_top < x_top - top[k]
        if upper and not len(cap_tops) and k and text[k - 1].isalpha():
            continue  # a cap height guessed: a capital only where a word starts (not "maquinaS" by a quote's blob)
        chars[k] = chars[k].upper() if upper else chars[k].lower()
    return "".join(chars)


def descends_past_figures(crop: np.ndarray, text: str, k: int) -> bool:
    """Whether glyph ``k`` of ``text`` (read from ``crop``, glyphs one to a non-space character) stands from under
    the figures' top to under their line, by ``G_DROP`` x their height each: a "g" (a unit's: "225 g"), not the
    "9" the recognizer reads a lone "g" as; a "9" stands as tall as the figures beside it, on their line."""
    glyphs = text.replace(" ", "")
    rows = _glyph_boxes(crop, len(glyphs))
    figures = [i for i, c in enumerate(glyphs) if c.isdigit() and i != k]
    if rows is None or not figures:
        return False
    top, bottom = float(np.median(rows[figures, 0])), float(np.median(rows[figures, 1]))
    drop = G_DROP * (bottom - top + 1)
    return bool(rows[k, 0] >= top + drop and rows[k, 1] >= bottom + drop)


def _glyph_boxes(crop: np.ndarray, count: int) -> np.ndarray | None:
    """(top, bottom) rows of the crop's ``count`` glyphs from left to right, or None when its ink does not part into
    that many: connected blobs in the crop's middle rows (not the lines above and below), those over one another
    (an "i" and its dot, a colon) one glyph."""
    ink, middle = print_ink(crop)
    height = ink.shape[0]
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    stats = stats[1:]
    stats = stats[
        (stats[:, 4] >= max(2.0, SPECK * height * height))
        & (stats[:, 1] < middle.stop)
        & (stats[:, 1] + stats[:, 3] > middle.start)
    ]
    boxes: list[list[int]] = []
    for x, y, w, h, _ in stats[np.argsort(stats[:, 0], kind="stable")]:
        if boxes and min(boxes[-1][2], x + w) - max(boxes[-1][0], x) >= 0.5 * min(w, boxes[-1][2] - boxes[-1][0]):
            last = boxes[-1]
            boxes[-1] = [min(last[0], x), min(last[1], y), max(last[2], x + w), max(last[3], y + h)]
        else:
            boxes.append([x, y, x + w, y + h])
    if len(boxes) != count:
        return None
    return np.array([[b[1], b[3] - 1] for b in boxes])
