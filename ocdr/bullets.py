"""A list's bullets, found by their shape in the ink left of its lines.

The recognizer reads a bullet when the detector finds it, as "•" or as whatever it resembles ("m" for a small
square, "0" or "." for a ring or a dot), and the detector, sure only of words, often drops it (a bullet's region
scores under the weak-region bar, or is never found). On rendered lists of five items in three faces and five
bullet styles (•, -, ▪, ◦, *), a list came out with its bullets consistent in 2 of 15, the others showing some
bullets and not others, or a letter for one. On paper, a bullet is a lone mark at a line's start, well apart from
its first word, and a list's bullets share a shape and stand one above another: two or more such marks that agree
are given back as words of their own ("•" for a dot, "▪" for a square, "◦" for a ring, "-" for a dash), in place of
what was read there. Other marks ("*", arrows, check marks, numbers) are left to the recognizer, but for a list's
icons (a résumé's envelope, phone and pin before its contact lines, read "M", "D", "9"): marks of no bullet's
shape, up to a little over the line's height, filled more than a glyph's strokes fill or in a colour apart from
their words', whose readings are dropped unless they count on ("A" "B" "C": a list's labels).
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import cv2
import numpy as np

from ocdr.document import Char, Word
from ocdr.geometry import linked_groups, polygon_box, quad_from_box

BULLETS = frozenset("•▪◦-–*·")  # a lone word of one of these at a line's start is a bullet (found or read)
REACH = 4.0  # heights looked at left of a line's first word
# a bullet is apart from its word by at least GAP heights (a word space is 0.25-0.35 em, 0.2-0.3 of a word's box);
# a dash by DASH_GAP: "- item" with one space sets it 0.35 apart, and a list's second dash, missed by the detector,
# was lost (its items read as one); no letter is dash-shaped
GAP = 0.4
DASH_GAP = 0.3
MAX_SIZE = 0.6  # ...at most this many heights wide and tall (a glyph of its own, not a letter of a word)
MIN_SIZE = 3  # pixels: smaller ink is specks
ALIGN = 0.5  # a list's bullets' middles within this many heights across
LIST_SPAN = 6.0  # ...and each at most this many heights under the one above (items of a few lines each)
SQUARE = 0.9  # a filled mark filling this share of its box is a square, less a dot
SMALL_SQUARE = 6  # pixels: a square's sides at least this long
DOT = 0.6  # a dot fills at least this share of its box (a disc's pi / 4, less its ragged pixels)
ROUND = 1.5  # a dot's, a square's or a ring's sides within this ratio
DASH = 2.0  # a dash at least this many times wider than tall
HOLE = 0.2  # a ring's hole fills at least this share of its box
LEAST = 0.12  # ...and at least this many heights wide or tall (a period's speck in a margin is smaller)
MIDDLE = 0.25  # its middle at least this many heights inside the word's box, top and bottom
ICON = "icon"  # a list's marks of no bullet's shape, filled or coloured apart from the text: icons, not text
ICON_SIZE = 1.3  # ...at most this many heights wide and tall
ICON_FILL = 0.85  # ...filling this share of its box at least (a bold glyph fills up to 0.8 of its box)
ICON_COLOUR = 80.0  # ...or this far from its word's colour (RGB distance)
CONFIDENCE = 0.9  # a bullet found by its shape, not read
TAKEN_IN = 2  # readings of at most this many characters lying on a bullet are what it was read as
ON_PAD = 0.25  # ...their middles at most this many heights off its ink


class Mark(NamedTuple):
    """A lone mark left of a word: its ink's box (page pixels), shape ("•", "▪", "◦", "-") and the word's top and
    bottom (the bullet's word box spans the line's height, as a glyph's does)."""

    x0: int
    y0: int
    x1: int
    y1: int
    shape: str
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


def _shape(component: np.ndarray) -> str | None:
    """A mark's bullet, by its ink (a bool mask cut to its box), or None for other shapes."""
    h, w = component.shape
    if w >= DASH * h:
        return "-"
    if max(h, w) > ROUND * min(h, w):
        return None
    filled = component.mean()
    contours, hierarchy = cv2.findContours(component.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    holes = [c for c, link in zip(contours, hierarchy[0], strict=True) if link[3] >= 0]
    if holes:
        hole = max(cv2.contourArea(c) for c in holes)
        return "◦" if hole >= HOLE * h * w and filled < 0.7 else None
    if filled >= SQUARE and min(h, w) >= SMALL_SQUARE:  # a small dot's pixels fill its box as a square's
        return "▪"
    return "•" if filled >= DOT else None


def _icon(component: np.ndarray, colour: np.ndarray, text: np.ndarray) -> bool:
    """Whether a mark of no bullet's shape is an icon, not a glyph: filled more than glyphs are (a phone, a pin, a
    badge), or in a colour of its own beside its word's (``colour``, ``text``: their mean RGB)."""
    return bool(component.mean() >= ICON_FILL or np.linalg.norm(colour - text) >= ICON_COLOUR)


def _mark(image: np.ndarray, gray: np.ndarray, box: tuple[float, float, float, float]) -> Mark | None:
    """The lone mark left of the word in ``box``, if its ink holds one and nothing else (``image``: the page's
    RGB pixels, ``gray`` its gray ones)."""
    x0, y0, x1, y1 = box
    height = y1 - y0
    left = int(max(0, x0 - REACH * height))
    top, bottom = int(max(0, y0 - ICON_SIZE * height / 4)), int(min(gray.shape[0], y1 + ICON_SIZE * height / 4 + 1))
    right = int(x0 + 0.25 * (x1 - x0))  # into the word: its own ink sets the threshold and its left edge
    strip = gray[top:bottom, left:right]
    if strip.size == 0 or right - left < 2 or bottom - top < MIN_SIZE:
        return None
    _, ink = cv2.threshold(strip, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    word = int(x0) - left  # where the word's box starts in the strip
    lone = [
        k
        for k in range(1, count)
        if stats[k, cv2.CC_STAT_LEFT] + stats[k, cv2.CC_STAT_WIDTH] <= word
        and max(stats[k, cv2.CC_STAT_WIDTH], stats[k, cv2.CC_STAT_HEIGHT]) >= MIN_SIZE
    ]
    if len(lone) != 1:
        return None
    k = lone[0]
    cx, cy, cw, ch = (int(v) for v in stats[k, :4])
    near = [j for j in range(1, count) if j != k and stats[j, cv2.CC_STAT_LEFT] > cx + cw]
    first = min((stats[j, cv2.CC_STAT_LEFT] for j in near), default=word)  # the word's first ink
    if (
        cx == 0  # cut by the strip's edge: more ink runs on to the left
        or cy == 0
        or cy + ch >= strip.shape[0]
        or not LEAST * height <= max(cw, ch) <= ICON_SIZE * height
        or not MIDDLE * height <= top + cy + ch / 2 - y0 <= (1 - MIDDLE) * height
        or first - (cx + cw) < DASH_GAP * height
    ):
        return None
    component = labels[cy : cy + ch, cx : cx + cw] == k
    shape = _shape(component) if max(cw, ch) <= MAX_SIZE * height else None
    if shape != "-" and first - (cx + cw) < GAP * height:
        return None
    if shape is None:
        pixels = image[top:bottom, left:right].reshape(-1, image.shape[2]).astype(np.float64)
        words = np.isin(labels, near).reshape(-1)
        if not words.any() or not _icon(component, pixels[(labels == k).reshape(-1)].mean(0), pixels[words].mean(0)):
            return None
        shape = ICON
    return Mark(left + cx, top + cy, left + cx + cw, top + cy + ch, shape, y0, y1)


def _lists(marks: list[Mark]) -> list[list[Mark]]:
    """The lists the marks stand in: marks of one shape and about one size, each right above or under another,
    their middles aligned; each list top to bottom."""
    links = np.zeros((len(marks), len(marks)), bool)
    for i, a in enumerate(marks):
        for j in range(i + 1, len(marks)):
            b = marks[j]
            height = min(a.height, b.height)
            links[i, j] = links[j, i] = (
                a.shape == b.shape
                and abs((a.x0 + a.x1) - (b.x0 + b.x1)) / 2 <= ALIGN * height
                and abs(a.y0 - b.y0) <= LIST_SPAN * height
                and max(a.y1 - a.y0, b.y1 - b.y0) <= ROUND * min(a.y1 - a.y0, b.y1 - b.y0) + 1
            )
    groups = [group for group in linked_groups(links) if len(group) > 1]
    return [sorted((marks[i] for i in group), key=lambda m: m.y0) for group in groups]


def _in_turn(texts: list[str]) -> bool:
    """Whether ``texts`` count on: letters one by one ("A" "B" "C"), or numbers rising ("1" "2" "3"; "1" "4" "6": a
    spreadsheet's gray row numbers, those of other rows not found as marks): a list's labels, not its icons."""
    if all(t.isdecimal() for t in texts):
        return all(int(a) < int(b) for a, b in itertools.pairwise(texts))
    return all(len(t) == 1 for t in texts) and all(ord(b) - ord(a) == 1 for a, b in itertools.pairwise(texts))


def _read_on(mark: Mark, words: list[Word], boxes: list[tuple[float, float, float, float]]) -> list[int]:
    """The words read on ``mark`` (``boxes``: theirs): of ``TAKEN_IN`` characters at most, their middles within
    ``ON_PAD`` heights of its ink."""
    pad = ON_PAD * mark.height
    return [
        n
        for n, (x0, y0, x1, y1) in enumerate(boxes)
        if len(words[n].text) <= TAKEN_IN
        and mark.x0 - pad <= (x0 + x1) / 2 <= mark.x1 + pad
        and mark.y0 - pad <= (y0 + y1) / 2 <= mark.y1 + pad
    ]


def list_bullets(image: np.ndarray, gray: np.ndarray, words: list[Word], chars: bool = False) -> list[Word]:
    """``words`` (of an upright page of print, ``image`` its RGB pixels, ``gray`` its gray ones) with a list's
    bullets as words of their own, in place of the short readings lying on them, and those lying on a list's icons
    dropped (unless they count on, as labels do). ``chars``: give each bullet a char box (``return_char_boxes``)."""
    boxes = [polygon_box(w.polygon) for w in words]
    # a mark left of several words ("4" "large" after a bullet, the "4" not quite apart from "large") is the first's
    nearest: dict[tuple[int, int, int, int], tuple[float, Mark]] = {}
    for box in boxes:
        if (mark := _mark(image, gray, box)) is not None:
            ink = (mark.x0, mark.y0, mark.x1, mark.y1)
            if ink not in nearest or box[0] < nearest[ink][0]:
                nearest[ink] = (box[0], mark)
    marks = [mark for _, mark in nearest.values()]
    added: list[Word] = []
    covered: set[int] = set()
    for found in _lists(marks):
        on = [_read_on(mark, words, boxes) for mark in found]
        if found[0].shape == ICON:
            if _in_turn(["".join(words[n].text for n in read) for read in on]):
                continue
        else:
            for mark in found:
                quad = quad_from_box(mark.x0, mark.top, mark.x1, mark.bottom)
                box_chars = [Char(quad, mark.shape, CONFIDENCE)] if chars else None
                added.append(Word(quad, mark.shape, CONFIDENCE, box_chars))
        covered.update(n for read in on for n in read)
    if not added and not covered:
        return words
    return [w for n, w in enumerate(words) if n not in covered] + added
