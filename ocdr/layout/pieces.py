"""Words the detector found in pieces, given back whole.

The detector sometimes finds one printed word as two or more regions side by side, each read as a word of its own:
an underlined typed heading ("Cha" "racteristics", "Tippi" "ng"), a long word ("inconven" "iences"), a web address
cut at its dots ("www." "popular." "com" "my", read "www. popular. com my"). Touching boxes alone do not tell a
piece from a word: most words on a tight form touch their neighbours. So a piece is joined only where its text says
so: the letters of two pieces spell a word-list word (``join_split_words``), the pieces follow a "www"
(``join_web_addresses``), or the first is a French or Italian elided article cut off at its apostrophe
(``join_elisions``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ocdr.document import Word, fit_chars
from ocdr.geometry import polygon_box, quad_aspect, quad_from_box
from ocdr.models.recognition.lexicon import Lexicon

# Pieces of a word: boxes side by side at most JOIN_GAP x their height apart (or overlapping), in a row (overlapping
# by JOIN_ROW x the lower one's height), whose letters spell a list word of JOIN_LETTERS or more
JOIN_GAP, JOIN_ROW, JOIN_LETTERS = 0.1, 0.7, 5
# Pieces of a web address: at most ADDRESS_GAP x their height apart (on 24 SROIE training receipts with addresses
# the pieces were 0.01-0.23 apart, the words around them 0.34-0.43)
ADDRESS_GAP = 0.3
_TOKEN_END = re.compile(r"(.*?)([A-Za-z]+)")  # a word ending in letters: its letters at the end
_TOKEN_START = re.compile(r"([A-Za-z]+)(.*)")  # a word starting with letters
_WWW = re.compile(r"(?i)(?:https?://)?www(?:\..*)?")  # the first piece of a web address
_ADDRESS_PIECE = re.compile(r"[A-Za-z0-9./_~%#?=&:-]+")
# Pieces of an elided form ("l" "'homme", "Qu'" "il", "dell'" "anno"): at most ELISION_GAP x their height apart
ELISION_GAP = 0.3
# French and Italian articles and pronouns elided before a vowel or "h"
ELIDED_ARTICLES = (
    *("c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu"),
    *("dell", "dall", "nell", "sull", "all", "coll", "un", "quest", "quell", "nessun"),
)
_ELIDED = re.compile(rf"(?i)([(\[«“„\"]*)({'|'.join(ELIDED_ARTICLES)})(['’]?)")
_ELIDED_WORD = re.compile(r"(['’]?)[^\W\d_].*")


def join_split_words(words: list[Word], lexicon: Lexicon) -> list[Word]:
    """``words`` with each word found in two pieces joined: two words side by side whose boxes touch (``JOIN_GAP``,
    ``JOIN_ROW``), the first ending and the second starting with a letter, whose letters together spell a list word
    of ``JOIN_LETTERS`` or more while the pieces are not both list words of two letters or more ("any" "one",
    "follow" "up" stay apart)."""
    rows = _Rows(words)
    joined: dict[int, Word] = {}
    for i in rows.left_to_right():
        first = _TOKEN_END.fullmatch(words[i].text)
        if i in rows.used or first is None or (j := rows.next(i, JOIN_GAP)) is None:
            continue
        second = _TOKEN_START.fullmatch(words[j].text)
        if second is None:
            continue
        head, tail = first.group(2).lower(), second.group(1).lower()
        pieces_are_words = min(len(head), len(tail)) >= 2 and head in lexicon and tail in lexicon
        if len(head + tail) < JOIN_LETTERS or head + tail not in lexicon or pieces_are_words:
            continue
        joined[i] = rows.join([i, j], words[i].text + words[j].text)
    return rows.result(joined)


def join_elisions(words: list[Word]) -> list[Word]:
    """``words`` with each French or Italian elided article or pronoun that the detector cut off its word at the
    apostrophe joined to it ("l" "'homme" is "l'homme", "Qu'" "il" is "Qu'il"): the next word in its row at most
    ``ELISION_GAP`` away, starting with a letter, one apostrophe between the two. Without one ("all" "artisti")
    nothing tells a lost apostrophe from two words, and they stay apart."""
    rows = _Rows(words)
    joined: dict[int, Word] = {}
    for i in rows.left_to_right():
        first = _ELIDED.fullmatch(words[i].text)
        if i in rows.used or first is None or (j := rows.next(i, ELISION_GAP, narrow=True)) is None:
            continue
        second = _ELIDED_WORD.fullmatch(words[j].text)
        if second is not None and bool(first.group(3)) != bool(second.group(1)):
            joined[i] = rows.join([i, j], words[i].text + words[j].text)
    return rows.result(joined)


def join_web_addresses(words: list[Word]) -> list[Word]:
    """``words`` with each web address found in pieces joined, and its "www" in the case of the rest. A word
    starting with "www" takes in the words after it in its row that are at most ``ADDRESS_GAP`` apart and made of
    an address's characters, while a dot separates them: on either side, or lost between two pieces ("com" "my" is
    "com.my", "WWW" "lavender.com.my" is "WWW.lavender.com.my"); a doubled dot is read once ("www." ".dominos.com")."""
    rows = _Rows(words)
    joined: dict[int, Word] = {}
    for i in rows.left_to_right():
        if i in rows.used or quad_aspect(words[i].polygon) >= 1.0 or not _WWW.fullmatch(words[i].text):
            continue
        chain, text = [i], words[i].text
        while (j := rows.next(chain[-1], ADDRESS_GAP, chain)) is not None:
            left, right = words[chain[-1]].text, words[j].text
            if not _ADDRESS_PIECE.fullmatch(right):
                break
            if left.endswith(".") and right.startswith("."):
                right = right[1:]
            elif not (left.endswith(".") or right.startswith(".")):
                # a dot lost between ("com" "my", "WWW" "lavender.com.my"); but a "www" before a word ("the WWW
                # is") or a whole name before what follows ("www.dominos.com" "my/smile") stay apart
                if "." in left.strip(".") or (len(chain) == 1 and "." not in right.strip(".")):
                    break
                right = "." + right
            chain.append(j)
            text += right
        cased = _www_cased(text)
        if len(chain) > 1 or cased != text:
            joined[i] = rows.join(chain, cased)
    return rows.result(joined)


def _www_cased(address: str) -> str:
    """``address`` with its "www" in the case of most of its other letters ("wWW.popular.com" -> "www.popular...")."""
    start = address.lower().index("www")
    rest = address[start + 3 :]
    upper, lower = sum(c.isupper() for c in rest), sum(c.islower() for c in rest)
    if upper == lower:  # no letters to go by
        return address
    return address[:start] + ("WWW" if upper > lower else "www") + rest


class _Rows:
    """The words' boxes, for finding each word's neighbour on its right in its row, and the words joined so far."""

    def __init__(self, words: list[Word]):
        self.words = words
        self.boxes = np.array([polygon_box(w.polygon) for w in words]).reshape(-1, 4)
        self.heights = self.boxes[:, 3] - self.boxes[:, 1]
        self.used: set[int] = set()

    def left_to_right(self) -> list[int]:
        return np.argsort(self.boxes[:, 0], kind="stable").tolist()

    def next(self, i: int, gap: float, also: Sequence[int] = (), narrow: bool = False) -> int | None:
        """The nearest word right of word ``i`` (a horizontal one) in its row, starting at most ``gap`` x the lower
        of their heights after its end; not one already joined or in ``also``. ``narrow``: word ``i`` may be
        narrower than tall (a letter alone, "l"); else such a word is taken for vertical text."""
        if not narrow and quad_aspect(self.words[i].polygon) >= 1.0:
            return None
        x0, y0, x1, y1 = self.boxes[i]
        boxes, low = self.boxes, np.minimum(self.heights, self.heights[i])
        beside = (
            (boxes[:, 0] > x0)
            & (boxes[:, 2] > x1)
            & (boxes[:, 0] - x1 <= gap * low)
            & (np.minimum(boxes[:, 3], y1) - np.maximum(boxes[:, 1], y0) >= JOIN_ROW * low)
        )
        beside[[*self.used, i, *also]] = False
        if not beside.any():
            return None
        return int(np.flatnonzero(beside)[np.argmin(boxes[beside, 0])])

    def join(self, pieces: list[int], text: str) -> Word:
        """One word over ``pieces`` (left to right) reading ``text``, as sure as the least sure piece."""
        first, last = self.words[pieces[0]].polygon, self.words[pieces[-1]].polygon
        if first.shape == last.shape == (4, 2):
            polygon = np.array([first[0], last[1], last[2], first[3]])
        else:
            x0, y0 = self.boxes[pieces, :2].min(0)
            x1, y1 = self.boxes[pieces, 2:].max(0)
            polygon = quad_from_box(x0, y0, x1, y1)
        self.used |= set(pieces)
        words = [self.words[k] for k in pieces]
        confidence = min(w.confidence for w in words)
        chars = None if any(w.chars is None for w in words) else [c for w in words for c in w.chars or ()]
        return Word(polygon, text, confidence, fit_chars(chars, text, polygon, confidence))

    def result(self, joined: dict[int, Word]) -> list[Word]:
        """The words with each joined one in place of its first piece, its other pieces left out."""
        return [joined.get(k, w) for k, w in enumerate(self.words) if k in joined or k not in self.used]
