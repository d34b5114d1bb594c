"""Checkboxes on forms: found as hollow squares of ink, painted over before the page is read, and given back as
words "☐" (empty) and "☑" (ticked), the characters FUNSD's annotators use for them.

Read as text, a box came out as a letter joined to the word after it ("☐ STORE" read "USTORE", "☒ REFRIGERATOR"
"QREFRIGERATOR") or as a stray "D", "0" or "K". What tells a box from a letter of the same size ("O", "D", "B", a
low-resolution Courier "o") is its shape (straight inked sides, square corners, a thin frame) and its place: paper
all round it, and more space to the next mark than the letter spacing beyond that mark. A box a pixel or two from
its label has no such space, so those squares are handed back apart, for the page's reading to settle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ocdr.glyphs import Ink

MIN_SIDE = 7  # pixels
MAX_SIDE = 3  # a box is at most MAX_SIDE x the page's glyph size (not a frame around a paragraph or a picture)
SQUARE = 1.3  # the longer side at most this x the shorter
THIN = 4  # the frame at most 1/THIN of the side thick (a filled square or a bold letter is thicker)
EDGE_SHARE = 0.85  # each side's outermost two pixels inked along at least this share of it
CORNER_INK = 2  # ink pixels of each 2x2 corner, at least (a round letter's corners are paper)
MAX_FILL = 0.6  # ink inside the frame, at most (more is a filled square, a bullet)
TICKED = 0.12  # ink inside the frame from which the box is ticked (empty boxes: 0-0.08; crossed 0.18 and more)
CLEAR = 0.25  # paper this share of the side (2 pixels at least) beside the box, each way
SPACE = 2.0  # the gap to the next mark on either side: more than SPACE x the letter spacing beyond it, plus 1 px,
MIN_SPACE = 0.3  # and at least MIN_SPACE x the side


@dataclass(frozen=True)
class Checkbox:
    """A box's bounds in pixels (``x``, ``y`` its top-left corner), whether it is ticked, and how sure the finder
    is (the least inked share of its four sides)."""

    x: int
    y: int
    width: int
    height: int
    ticked: bool
    confidence: float

    @property
    def text(self) -> str:
        return "☑" if self.ticked else "☐"


def _frame_depth(part: np.ndarray) -> float:
    """How far in from its top edge a box's frame reaches: over its columns (the corners left out), the median of
    the first ink's row plus that ink's run down."""
    cols = part[:, 1:-1]
    first = np.argmax(cols, 0)
    rows = np.arange(cols.shape[0])[:, None]
    paper_after = (rows >= first) & ~cols
    end = np.where(paper_after.any(0), np.argmax(paper_after, 0), cols.shape[0])
    return float(np.median(np.where(cols.any(0), end, cols.shape[0])))


def _gaps(k: int, boxes: np.ndarray, step: int) -> list[int]:
    """The gaps between blob ``k`` and the blobs after it on its line, one way (``step`` 1: right, -1: left),
    within three of its widths; ``boxes`` x, y, w, h per blob."""
    first, last = boxes[:, 0], boxes[:, 0] + boxes[:, 2]
    if step < 0:  # leftwards: the same walk on the page mirrored
        first, last = -last, -first
    top, bottom = boxes[:, 1], boxes[:, 1] + boxes[:, 3]
    line = np.minimum(bottom, bottom[k]) - np.maximum(top, top[k]) >= 0.5 * np.minimum(boxes[:, 3], boxes[k, 3])
    near = np.flatnonzero(line & (first >= last[k]) & (first < last[k] + 3 * boxes[k, 2]))
    spans = [(first[k], last[k])] + [(first[i], last[i]) for i in near[np.argsort(first[near])]]
    return [int(b[0] - a[1]) for a, b in zip(spans, spans[1:], strict=False)]


def _spaced(k: int, boxes: np.ndarray, steps: tuple[int, ...] = (1, -1)) -> bool:
    """Whether blob ``k`` stands apart from the marks beside it (``steps``: 1 right, -1 left): a letter's gaps to
    its neighbours are its word's letter spacing; a box is set off from its label by a space."""
    for step in steps:
        gaps = _gaps(k, boxes, step)
        if gaps:
            spacing = max(0.0, float(np.median(gaps[1:4]))) if len(gaps) > 1 else 0.0
            if gaps[0] < max(SPACE * spacing + 1, MIN_SPACE * boxes[k, 2]):
                return False
    return True


def checkboxes(gray: np.ndarray) -> list[Checkbox]:
    """The checkboxes of a gray page that stand apart from their labels (``find_checkboxes``)."""
    return find_checkboxes(gray)[0]


def find_checkboxes(gray: np.ndarray) -> tuple[list[Checkbox], list[Checkbox]]:
    """The checkboxes of a gray page: components of ink (Otsu) that are nearly square, ``MIN_SIDE`` pixels to
    ``MAX_SIDE`` glyphs a side, with four straight inked sides (``EDGE_SHARE``), inked corners (``CORNER_INK``; an
    empty box may have one worn to a pixel) and a thin frame (``THIN``), little ink inside (``MAX_FILL``), paper
    beside them (``CLEAR``) and a space to the marks next to them (``SPACE``, ``MIN_SPACE``).

    Second, the squares of a box's shape, set apart above, below and on the left, that have print close on their
    right, where a box a pixel or two from its label ("☐STORE") and a square letter starting a word ("O", "D" in
    some fonts) look alike: the page's reading tells them apart (``OCRPipeline.glued_boxes``)."""
    blobs = Ink(gray, labelled=True)
    glyph = blobs.glyph_size()
    if glyph is None:
        return [], []
    ink, labels, boxes = blobs.ink, blobs.labels, blobs.stats[:, :4]
    assert ink is not None and labels is not None  # kept: labelled
    w, h = boxes[:, 2], boxes[:, 3]
    sized = (
        (np.minimum(w, h) >= MIN_SIDE)
        & (np.maximum(w, h) <= MAX_SIDE * glyph)
        & (np.maximum(w, h) <= SQUARE * np.minimum(w, h))
    )
    candidates = np.flatnonzero(sized)
    first_x, first_y = boxes[candidates, 0], boxes[candidates, 1]
    last_x, last_y = first_x + boxes[candidates, 2] - 1, first_y + boxes[candidates, 3] - 1
    # each 2x2 corner's pixels of the component, for all the candidates at once (round letters stop here)
    corner_ink = [
        sum(labels[cy + dy, cx + dx] == candidates + 1 for dy in (0, sy) for dx in (0, sx))
        for cy, sy in ((first_y, 1), (last_y, -1))
        for cx, sx in ((first_x, 1), (last_x, -1))
    ]
    # a scanned box may have one corner worn round (a 1-pixel corner) when it is empty; round letters have two or
    # more, and the ones with one ("B" in a thin mono font) have strokes inside
    corners = np.sort(corner_ink, axis=0)
    kept = (corners[0] >= 1) & (corners[1] >= CORNER_INK)
    found: list[Checkbox] = []
    glued: list[Checkbox] = []
    for k, square in zip(candidates[kept], corners[0][kept] >= CORNER_INK, strict=True):
        x, y, width, height = (int(v) for v in boxes[k])
        part = labels[y : y + height, x : x + width] == k + 1
        edges = (part[:2].any(0).mean(), part[-2:].any(0).mean(), part[:, :2].any(1).mean(), part[:, -2:].any(1).mean())
        if min(edges) < EDGE_SHARE:
            continue
        top, bottom, left, right = (_frame_depth(p) for p in (part, part[::-1], part.T, part.T[::-1]))
        if max(top, bottom, left, right) > min(width, height) / THIN:
            continue
        inside = ink[y + int(top) + 1 : y + height - int(bottom) - 1, x + int(left) + 1 : x + width - int(right) - 1]
        if inside.size < 9 or (fill := float(inside.mean())) > MAX_FILL or (not square and fill >= TICKED):
            continue  # a worn box is let through empty only
        clear = max(2, round(CLEAR * width))
        ink_left = ink[y : y + height, max(0, x - clear) : x]
        ink_right = ink[y : y + height, x + width : x + width + clear]
        above_below = (ink[max(0, y - clear) : y, x : x + width], ink[y + height : y + height + clear, x : x + width])
        if any(p.any() for p in (ink_left, *above_below)) or not _spaced(k, boxes, (-1,)):
            continue
        box = Checkbox(x, y, width, height, fill >= TICKED, float(min(edges)))
        (found if not ink_right.any() and _spaced(k, boxes, (1,)) else glued).append(box)
    return found, glued


class Area(Protocol):
    """Bounds in pixels, ``x``, ``y`` the top-left corner: a checkbox's, a superscript's."""

    @property
    def x(self) -> int: ...
    @property
    def y(self) -> int: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...


def paint_over(image: np.ndarray, found: Sequence[Area]) -> np.ndarray:
    """``image`` (gray or HxWx3) with each box (its frame and its tick) filled with the median of the pixels just
    around it, so that the detector sees the word beside it alone; ``image`` itself when there are none."""
    if not found:
        return image
    out = image.copy()
    height, width = image.shape[:2]
    for box in found:
        y0, x0 = max(0, box.y - 1), max(0, box.x - 1)
        y1, x1 = min(height, box.y + box.height + 1), min(width, box.x + box.width + 1)
        ring = np.concatenate([out[y0, x0:x1], out[y1 - 1, x0:x1], out[y0:y1, x0], out[y0:y1, x1 - 1]])
        out[box.y : box.y + box.height, box.x : box.x + box.width] = np.median(ring, axis=0).astype(np.uint8)
    return out
