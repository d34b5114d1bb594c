"""Dot leaders: the rows of dots that lead a table of contents' or a menu's entry to its page number or price.

The detector, sure only of words, leaves a leader's dots out, and the entry's page number, a lone figure far from
its title, is often not found at all: a table of contents came out as its titles, then (read as a column of their
own) the page numbers it found ("1 Introduction", "2 Getting Started", ..., "15", "42", "108"; "1" and "7" lost). On
paper, a leader is five or more small dots on the line, evenly spaced, starting close after a word: it is given
back as a word of dots (so the layout reads the entry, its leader and its number as one line), and the ink just
after it, where no word was found, is a region to read (``Leader.after``).
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from ocdr.document import Word, fit_chars
from ocdr.geometry import polygon_box, quad_aspect, quad_from_box

MIN_HEIGHT = 6  # pixels: words less high are not looked after
LEADER_DOTS = 5  # a leader holds this many dots at least
ROOM = 1.5  # ...so no word starts less than this many heights after the word it leads from
CHUNK = 256  # words measured against the page's at a time
DOT_SIZE = 0.25  # a dot is at most this many heights across
LEADER_START = 1.5  # its first dot at most this many heights after the word it leads from
LEADER_REACH = 40.0  # ...and its dots looked for up to this many heights along
PITCH_SPREAD = 0.25  # its dots' pitch varies by at most this share of its median
GAP_DOTS = 2.5  # a gap of more than this many pitches ends it
AFTER = 2.0  # the ink starting at most this many heights after its last dot is what it leads to
CONFIDENCE = 0.9  # a leader found by its dots, not read


class Leader(NamedTuple):
    """A leader's word of dots, and the box (x0, y0, x1, y1) of the ink after it that no word covers, if any."""

    word: Word
    after: tuple[int, int, int, int] | None


def find_leaders(gray: np.ndarray, words: list[Word], chars: bool = False) -> list[Leader]:
    """The dot leaders that start after ``words`` (of an upright page of print, ``gray``: its gray pixels).
    ``chars``: give each leader's word a char box a dot (``return_char_boxes``)."""
    boxes = np.array([polygon_box(w.polygon) for w in words]).reshape(-1, 4)
    heights = boxes[:, 3] - boxes[:, 1]
    # a word whose row's next word starts close after it (most words) leaves no room for a leader; measured a chunk
    # of words at a time (a dense page's words by its words would take hundreds of megabytes)
    close = np.zeros(len(words), bool)
    for a in range(0, len(words), CHUNK):
        part = boxes[a : a + CHUNK]
        starts = boxes[None, :, 0] - part[:, None, 2]
        rows = np.minimum(boxes[None, :, 3], part[:, None, 3]) - np.maximum(boxes[None, :, 1], part[:, None, 1])
        room = heights[a : a + CHUNK, None]
        close[a : a + CHUNK] = ((starts > -0.5 * room) & (starts < ROOM * room) & (rows > 0)).any(axis=1)
    found = []
    for i, word in enumerate(words):
        if not close[i] and heights[i] >= MIN_HEIGHT and quad_aspect(word.polygon) < 1.0:
            leader = _leader(gray, boxes, i, chars)
            if leader is not None:
                found.append(leader)
    return found


def drop_leader_dots(words: list[Word], leaders: list[Leader]) -> list[Word]:
    """``words`` less the dots a leader lent them: a page number's region that starts over the leader's last dots
    reads them (".15" for "15"); such a word, in the leader's row, is cut back to the leader's end."""
    spans = np.array([polygon_box(leader.word.polygon) for leader in leaders]).reshape(-1, 4)
    kept = []
    for word in words:
        rest = word.text.lstrip(".")
        if rest and rest != word.text and quad_aspect(word.polygon) < 1.0:
            x0, y0, x1, y1 = polygon_box(word.polygon)
            rows = np.minimum(spans[:, 3], y1) - np.maximum(spans[:, 1], y0) > 0.5 * (y1 - y0)
            over = rows & (spans[:, 0] < x0) & (spans[:, 2] > x0) & (spans[:, 2] < x1)
            if over.any():
                quad = quad_from_box(float(spans[over, 2].max()), y0, x1, y1)
                chars = None if word.chars is None else word.chars[len(word.text) - len(rest) :]
                word = Word(quad, rest, word.confidence, fit_chars(chars, rest, quad, word.confidence))
        kept.append(word)
    return kept


def _leader(gray: np.ndarray, boxes: np.ndarray, i: int, chars: bool) -> Leader | None:
    """The leader that starts after word ``i`` (``boxes``: the page's words' (x0, y0, x1, y1)), if one does."""
    x0, y0, x1, y1 = boxes[i]
    height = y1 - y0
    left, right = int(x1), int(min(gray.shape[1], x1 + LEADER_REACH * height))
    top, bottom = int(max(0, y0)), int(min(gray.shape[0], y1 + 1))
    if right - left < LEADER_DOTS * 2 or bottom - top < 3:
        return None
    # the threshold from the word and the strip after it: the word's ink sets it where the strip holds dots only
    span = gray[top:bottom, int(max(0, x0)) : right]
    level, _ = cv2.threshold(span, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = (gray[top:bottom, left:right] < level).astype(np.uint8)
    count, _, stats, centres = cv2.connectedComponentsWithStats(ink, connectivity=8)
    order = sorted(range(1, count), key=lambda k: stats[k, cv2.CC_STAT_LEFT])
    dots: list[int] = []
    for k in order:
        if stats[k, cv2.CC_STAT_LEFT] == 0:
            continue  # the word's own glyph, cut by its box's end
        w, h = stats[k, cv2.CC_STAT_WIDTH], stats[k, cv2.CC_STAT_HEIGHT]
        if max(w, h) > DOT_SIZE * height:
            if dots:
                break  # a glyph after the dots: the leader ends
            if stats[k, cv2.CC_STAT_LEFT] > LEADER_START * height:
                return None  # a glyph before any dot: no leader here
            continue  # the word's last glyph, reaching past its box
        if not dots and stats[k, cv2.CC_STAT_LEFT] > LEADER_START * height:
            return None
        if dots:
            pitch = centres[k][0] - centres[dots[-1]][0]
            if len(dots) >= 2 and pitch > GAP_DOTS * (centres[dots[-1]][0] - centres[dots[-2]][0]):
                break
        dots.append(k)
    if len(dots) < LEADER_DOTS:
        return None
    xs = np.array([centres[k][0] for k in dots])
    pitches = np.diff(xs)
    if np.abs(pitches - np.median(pitches)).max() > PITCH_SPREAD * np.median(pitches):
        return None
    rows = np.array([centres[k][1] for k in dots])
    if np.ptp(rows) > DOT_SIZE * height:
        return None  # not on one line
    d0 = left + int(stats[dots[0], cv2.CC_STAT_LEFT])
    d1 = left + int(stats[dots[-1], cv2.CC_STAT_LEFT] + stats[dots[-1], cv2.CC_STAT_WIDTH])
    quad = quad_from_box(d0, y0, d1, y1)
    text = "." * len(dots)
    word = Word(quad, text, CONFIDENCE, fit_chars([] if chars else None, text, quad, CONFIDENCE))
    return Leader(word, _after(gray, boxes, d1, y0, y1, level, height))


def _after(
    gray: np.ndarray, boxes: np.ndarray, start: int, y0: float, y1: float, level: float, height: float
) -> tuple[int, int, int, int] | None:
    """The box of the ink just after a leader ending at ``start`` (a glyph or a few close together), where no word's
    box lies; None where a word is found there or there is no ink."""
    reach = int(AFTER * height)
    beside = (boxes[:, 0] < start + reach + height) & (boxes[:, 2] > start) & (boxes[:, 1] < y1) & (boxes[:, 3] > y0)
    if beside.any():
        return None
    top, bottom = int(max(0, y0)), int(min(gray.shape[0], y1 + 1))
    right = int(min(gray.shape[1], start + reach + 6 * height))
    columns = (gray[top:bottom, start:right] < level).any(axis=0)
    inked = np.flatnonzero(columns)
    if not len(inked) or inked[0] > reach:
        return None
    end = inked[0]
    for x in inked[1:]:
        if x - end > 0.6 * height:
            break  # a word space: the number has ended
        end = x
    return start + int(inked[0]) - 1, top, start + int(end) + 2, bottom - 1
