"""Superscript figures after a word ("m²", "E = mc²", a footnote's "appendix¹"), found by their ink.

A superscript's figures are small and raised. The detector seldom finds them (too small beside the word) or takes
them into a word's region, and the recognizer, which learnt glyphs standing on the line, reads them as nothing
("25 m²" read "m"), as a quote mark ("appendix¹ for" read "appendix 'for") or garbles the region ("x² + y² = 1"
read "xe+y=1", dropped). On a page of print, ink in or just after a region that is a fraction of its height and
stands well above its glyphs' line is read on its own; where it reads as figures, it is painted out before the
regions are read, and put back after the word on its left as superscript figures (``attach``). Ink read as
anything else (a quote, an asterisk, "TM", "st") is left as printed; so is a ring (a degree sign, a "%"'s top).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ocdr.document import Char, Word
from ocdr.geometry import polygon_box, quad_aspect, quad_from_box, split_quad

REACH = 0.6  # heights looked at past a region's end (a superscript hugs its word)
RAISE = 0.5  # heights above a region's top a superscript may reach
SIZE = (0.2, 0.65)  # a superscript's figures are this share of its region's height tall
BODY = 0.35  # a region's glyphs standing on its line are this share of its height tall or more
LIFT = 0.3  # a superscript's bottom stands this share of its line's glyph height above the line at least
HUG = 0.25  # ...and a glyph standing on the line ends at most this x the region's height before it
FOLLOW = 0.08  # ...and no ink reaching lower than it starts within this x the region's height after it
FOLLOW_LOWER = 0.2  # ...reaching this x its height lower than it (a figure of its own stands level with it)
GLYPH_GAP = 0.4  # figures of one superscript ("12") at most this x their height apart
NARROWEST = 0.3  # a superscript is this x its height wide at least (a straight quote's stroke is narrower)
ROUND = 0.8  # a "0" this wide for its height is a ring (a degree sign), left as printed
LEVEL = 6.0  # degrees: a region turned more is not looked at (a stamp's line; a superscript tilts its own a little)
UPRIGHT = 2.0  # a region this many times taller than wide runs down the page (a lone "x²" is about as tall as wide)
MIN_HEIGHT = 12  # pixels: a region lower than this is not looked at (its superscript would be specks)
MIN_FIGURE = 7  # pixels: a superscript's figures are this tall at least (a typed quote's strokes read "1")
TRAILING = ".,;:!?)]}'\"’”"  # marks a word ends with that its superscript goes before ("quarter⁴.", "(m²)")
FIGURES = str.maketrans("0123456789+-−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻")


@dataclass(frozen=True)
class Superscript:
    """Raised ink found at a region: its box in page pixels (``x``, ``y`` its top-left corner), and its figures
    once read."""

    x: int
    y: int
    width: int
    height: int
    text: str = ""
    confidence: float = 0.0

    @property
    def quad(self) -> np.ndarray:
        return quad_from_box(self.x, self.y, self.x + self.width, self.y + self.height)


def find_raised(gray: np.ndarray, polygons: list[np.ndarray]) -> list[Superscript]:
    """The raised ink, small, in or just after each horizontal region (``polygons``) of a page of print (``gray``:
    its gray pixels), figures close together taken as one."""
    if not polygons:
        return []
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    # a small figure's thin strokes break off its body ("2"'s foot): rejoined up and down, not across (its word)
    ink = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 1), np.uint8))
    stats = cv2.connectedComponentsWithStats(ink, connectivity=8)[2][1:]  # x, y, width, height, area of each blob
    x0s, y0s = stats[:, 0], stats[:, 1]
    x1s, y1s = x0s + stats[:, 2], y0s + stats[:, 3]
    taken: set[int] = set()
    found = []
    for polygon in polygons:
        x0, y0, x1, y1 = polygon_box(polygon)
        height = y1 - y0
        if height < MIN_HEIGHT or quad_aspect(polygon) >= UPRIGHT or _slant(polygon) > LEVEL:
            continue  # vertical text, a stamp's turned line: no level line to stand above
        near = np.flatnonzero((x0s >= x0) & (x1s <= x1 + REACH * height) & (y0s >= y0 - RAISE * height) & (y1s <= y1))
        tall = stats[near, 3]
        body = near[(tall >= BODY * height) & ((x0s[near] + x1s[near]) / 2 <= x1)]
        if len(body) == 0:
            continue
        line, top = float(np.median(y1s[body])), float(np.median(y0s[body]))
        on_line = (stats[:, 3] >= BODY * height) & (y1s > line - LIFT * (line - top)) & (y0s < line)
        raised = [
            k
            for k in near[(tall >= max(SIZE[0] * height, MIN_FIGURE)) & (tall <= SIZE[1] * height)]
            if k not in taken
            and top < y1s[k] <= line - LIFT * (line - top)  # above the line, not above the glyphs (a line above)
            and stats[k, 2] >= NARROWEST * stats[k, 3]
            # no ink under it reaching lower down to the line: no glyph broken in pieces (a faded receipt's "A"),
            # no "%"'s slash under its ring, no "!" or "½"
            and not ((x0s < x1s[k]) & (x1s > x0s[k]) & (y1s > y1s[k]) & (y0s < line)).any()
            # ...nor ink close after it reaching lower: a superscript ends its word ("40170": a faded "7"'s bar;
            # a broken "O"'s left half), but for a mark under it ("quarter⁴.")
            and not (
                (x0s >= x1s[k])
                & (x0s < x1s[k] + FOLLOW * height)
                & (y0s < y1s[k])
                & (y1s > y1s[k] + FOLLOW_LOWER * stats[k, 3])
            ).any()
        ]
        for run in _runs(sorted(raised, key=lambda k: x0s[k]), x0s, x1s, stats[:, 3]):
            start = x0s[run[0]]
            if not (on_line & (x1s <= start + 1) & (x1s >= start - HUG * height)).any():
                continue  # no glyph on the line just before it: a superscript hugs its word
            taken.update(run)
            left, right = int(x0s[run].min()), int(x1s[run].max())
            top_y, bottom = int(y0s[run].min()), int(y1s[run].max())
            found.append(Superscript(left, top_y, right - left, bottom - top_y))
    return found


def _slant(polygon: np.ndarray) -> float:
    """Degrees a quad's top edge runs off level, either way."""
    dx, dy = np.asarray(polygon[1], np.float64) - np.asarray(polygon[0], np.float64)
    return abs(math.degrees(math.atan2(dy, dx)))


def _runs(blobs: list[int], x0s: np.ndarray, x1s: np.ndarray, heights: np.ndarray) -> list[list[int]]:
    """Blobs (left to right) in runs whose neighbours are at most ``GLYPH_GAP`` x their height apart."""
    runs: list[list[int]] = []
    for k in blobs:
        if runs and x0s[k] - x1s[runs[-1]].max() <= GLYPH_GAP * heights[runs[-1] + [k]].max():
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def figures(found: Superscript, text: str, confidence: float) -> Superscript | None:
    """``found`` read as ``text``: kept, its text as superscript figures, when it reads as figures (or a sign
    and figures), not a ring read "0"."""
    text = text.strip()
    if not text or not all(c.isdigit() or c in "+-−" for c in text) or not any(c.isdigit() for c in text):
        return None
    if text == "0" and found.width >= ROUND * found.height:
        return None
    return Superscript(found.x, found.y, found.width, found.height, text.translate(FIGURES), confidence)


def attach(words: list[Word], read: list[Superscript], chars: bool = False) -> list[Word]:
    """``words`` with each superscript put after the word on its left in its row (its box grown to take it in),
    or as a word of its own where none is (its word not read). ``chars``: give it a char box a figure
    (``return_char_boxes``)."""
    out = list(words)
    boxes = np.array([polygon_box(w.polygon) for w in words]).reshape(-1, 4)
    for sup in read:
        sx0, sy0, sx1, sy1 = sup.x, sup.y, sup.x + sup.width, sup.y + sup.height
        row = (
            (boxes[:, 1] < sy1)
            & (boxes[:, 3] > sy0)
            & ((boxes[:, 0] + boxes[:, 2]) / 2 < sx0)
            & (boxes[:, 2] >= sx0 - REACH * (boxes[:, 3] - boxes[:, 1]))
        )
        quads = split_quad(sup.quad, np.linspace(0.0, 1.0, len(sup.text) + 1))
        added = [Char(q, c, sup.confidence) for q, c in zip(quads, sup.text, strict=True)] if chars else None
        if not row.any():
            out.append(Word(sup.quad, sup.text, sup.confidence, added))
            continue
        i = int(np.flatnonzero(row)[np.argmax(boxes[row, 2])])
        word = out[i]
        x0, y0, x1, y1 = boxes[i]
        # after the word, or before the marks it ends with where its box runs on past the figures ("quarter⁴.")
        at = len(word.text) if x1 <= sx1 else len(word.text.rstrip(TRAILING)) or len(word.text)
        text = word.text[:at] + sup.text + word.text[at:]
        polygon = quad_from_box(x0, min(y0, sy0), max(x1, sx1), y1)
        merged = None if word.chars is None or added is None else [*word.chars[:at], *added, *word.chars[at:]]
        out[i] = Word(polygon, text, min(word.confidence, sup.confidence), merged)
    return out
