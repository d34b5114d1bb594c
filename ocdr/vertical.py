"""Vertical lines of text on an upright page: a chart's axis title, an arXiv stamp down the margin, a book's spine.

The detector learnt text running across; a line running up or down the page comes out of it in pieces of a glyph or
two, each read as nonsense ("Temperature (C)" up a chart's axis as "0", "aim", "e/a", "0"; 0 of 48 rendered labels
read). Turned a quarter, the same line is text running across, which the detector finds whole. A page's pieces that
stack into a column (``vertical_windows``) are looked at again: the strip around them is turned a quarter and
detected, and the lines found there (``strip_lines``) are read both ways along the column. A reading that is sure,
and surer than the pieces it covers or longer, replaces them (``OCRPipeline.read_vertical``). Pages with no such
column cost only the stacking of their regions; a column of a table's numbers read sure is none.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import cv2
import numpy as np

from ocdr.document import polygon_angles
from ocdr.geometry import linked_groups, order_points, polygon_box, quad_aspect, unturn_points
from ocdr.models.detection.processing import DetectedRegion

UNSURE = 0.8  # a piece read less sure than this may be part of a line running down the page
LINE_SURE = 0.85  # a line found whole in the turned strip replaces the pieces when read this sure (and more: pipeline)
LINE_LETTERS = 0.75  # ...with at least this share of the letters and digits read from them (nonsense reads many)
UNSURE_PIECES, UNSURE_SHARE = 2, 1 / 3  # ...when a column holds this many such pieces, and this share of its pieces
STACK_OVERLAP = 0.5  # pieces stack when their spans across overlap by this share of the narrower one's
STACK_GAP = 2.0  # ...and the gap between them is at most this many column widths
STACK_WIDTHS = 1.6  # ...and the wider is at most this many times as wide: a line's thickness holds down its length
COLUMN_RATIO = 1.5  # a column of pieces is looked at again when this many times taller than wide
REACH_ALONG, REACH_ACROSS = 4.0, 0.5  # column widths the strip looked at reaches past the pieces, along and across
END_NEAR = 0.25  # ...and grown along its column when a line found in it comes this many strip widths near an end
GROW = 3  # ...this many times at most (``column_lines``)
LONG = 2.0  # a line found in the turned strip runs down the page when this many times longer than thick
ROW_OVERLAP, ROW_GAP = 0.5, 1.5  # ...its regions gathered into rows (``_beside``)


def _stacked(boxes: np.ndarray) -> np.ndarray:
    """Which pairs of ``boxes`` (n, 4: x0, y0, x1, y1) lie one above the other, close, in one column: their spans
    across overlapping by ``STACK_OVERLAP`` of the narrower one's, at most ``STACK_GAP`` of the wider one's width
    apart, the wider at most ``STACK_WIDTHS`` times as wide."""
    x0, y0, x1, y1 = (boxes[:, k] for k in range(4))
    widths = x1 - x0
    overlap = np.minimum.outer(x1, x1) - np.maximum.outer(x0, x0)
    narrower, wider = np.minimum.outer(widths, widths), np.maximum.outer(widths, widths)
    gap = np.maximum.outer(y0, y0) - np.minimum.outer(y1, y1)
    return (overlap >= STACK_OVERLAP * narrower) & (gap <= STACK_GAP * wider) & (wider <= STACK_WIDTHS * narrower)


class Strip(NamedTuple):
    """A strip of the page to detect again turned a quarter (``x0, y0, x1, y1``), and how far up and down it may
    grow (``top``, ``bottom``: to the print read plainly across above and below its column, or the page's edges)."""

    x0: int
    y0: int
    x1: int
    y1: int
    top: int
    bottom: int


def vertical_windows(
    polygons: Sequence[np.ndarray], readings: Sequence[tuple[str, float, bool]], width: int, height: int
) -> list[Strip]:
    """The strips of a ``width`` x ``height`` page worth detecting again turned a quarter: around each column of
    pieces (stacked, ``_stacked``) ``COLUMN_RATIO`` times taller than wide that holds a piece read along the column,
    or ``UNSURE_PIECES`` pieces (and ``UNSURE_SHARE`` of them) read less than ``UNSURE`` sure. ``readings``: each
    region's text, confidence and whether it was read running up or down the page. A piece is a region not much
    wider than tall read unsure, along the column, or as a glyph or two: a word read plainly across the page (two
    letters or more, read sure) is none, and a strip stops short of those over or under its column (a table's
    numbers under a heading running up it). A column of a table's numbers, all read sure, is not looked at again.
    Overlapping strips are merged."""
    boxes = [polygon_box(p) for p in polygons]
    narrow = [
        i
        for i, (b, (text, confidence, along)) in enumerate(zip(boxes, readings, strict=True))
        if b[3] - b[1] >= 0.6 * (b[2] - b[0]) and (confidence < UNSURE or along or letters(text) <= 2)
    ]
    pieces = set(narrow)
    plain = [  # print read plainly across: words of two letters or more, read sure
        boxes[i]
        for i, (text, confidence, along) in enumerate(readings)
        if confidence >= UNSURE and not along and letters(text) >= 2 and i not in pieces
    ]
    columns = linked_groups(_stacked(np.array([boxes[i] for i in narrow]).reshape(-1, 4)))
    windows: list[list[float]] = []
    for members in ([narrow[a] for a in column] for column in columns):
        x0 = min(boxes[i][0] for i in members)
        y0 = min(boxes[i][1] for i in members)
        x1 = max(boxes[i][2] for i in members)
        y1 = max(boxes[i][3] for i in members)
        across = max(x1 - x0, 1.0)
        along = any(readings[i][2] for i in members)
        doubtful = sum(readings[i][1] < UNSURE for i in members)
        unsure = doubtful >= UNSURE_PIECES and doubtful >= UNSURE_SHARE * len(members)
        if y1 - y0 < COLUMN_RATIO * across or not (along or unsure):
            continue
        over = [b for b in plain if b[0] < x1 and x0 < b[2]]  # print read across, over or under the column
        top = max([b[3] for b in over if b[3] <= y0], default=0.0)
        bottom = min([b[1] for b in over if b[1] >= y1], default=float(height))
        window = [
            max(0.0, x0 - REACH_ACROSS * across),
            max(top, y0 - REACH_ALONG * across),
            min(float(width), x1 + REACH_ACROSS * across),
            min(bottom, y1 + REACH_ALONG * across),
            top,
            bottom,
        ]
        for other in windows:  # merged into a strip it overlaps
            if window[0] < other[2] and other[0] < window[2] and window[1] < other[3] and other[1] < window[3]:
                other[:] = [min(window[0], other[0]), min(window[1], other[1]), max(window[2], other[2]),
                            max(window[3], other[3]), min(window[4], other[4]), max(window[5], other[5])]  # fmt: skip
                break
        else:
            windows.append(window)
    return [Strip(int(a), int(b), int(np.ceil(c)), int(np.ceil(d)), int(e), int(f)) for a, b, c, d, e, f in windows]


def _beside(boxes: np.ndarray) -> np.ndarray:
    """Which pairs of ``boxes`` (n, 4: x0, y0, x1, y1) lie side by side on one row of text running across: their
    spans across overlapping by ``ROW_OVERLAP`` of the shorter one's height, at most ``ROW_GAP`` heights apart, the
    taller at most ``STACK_WIDTHS`` times as tall (a table's numbers under a column heading running up the page
    stand sideways in the turned strip, taller than the heading's line, and are not of it)."""
    x0, y0, x1, y1 = (boxes[:, k] for k in range(4))
    heights = y1 - y0
    lower, higher = np.minimum.outer(heights, heights), np.maximum.outer(heights, heights)
    overlap = np.minimum.outer(y1, y1) - np.maximum.outer(y0, y0)
    gap = np.maximum.outer(x0, x0) - np.minimum.outer(x1, x1)
    return (overlap >= ROW_OVERLAP * lower) & (gap <= ROW_GAP * higher) & (higher <= STACK_WIDTHS * lower)


def strip_lines(regions: Sequence[DetectedRegion], window: tuple[int, int, int, int]) -> list[DetectedRegion]:
    """The lines of text in ``window`` turned a quarter clockwise (``np.rot90(strip, 3)``; ``regions``: found in it,
    in its pixels): its regions gathered into rows (``_beside``: a line's short words, "in", "(C)", are found apart),
    those ``LONG`` times longer than thick, as quads in the page's pixels, their corners kept in the turned strip's
    reading order (the first edge runs along the text)."""
    x0, y0, x1, y1 = window
    boxes = [polygon_box(r.polygon) for r in regions]
    found = []
    for row in linked_groups(_beside(np.array(boxes).reshape(-1, 4))):
        points = np.concatenate([np.asarray(regions[i].polygon, np.float32).reshape(-1, 2) for i in row])
        quad = order_points(cv2.boxPoints(cv2.minAreaRect(points.reshape(-1, 1, 2))))
        if quad_aspect(quad) * LONG <= 1.0:
            page_quad = unturn_points(quad, 270, x1 - x0, y1 - y0) + np.array([x0, y0], np.float32)
            found.append(DetectedRegion(page_quad, float(np.mean([regions[i].score for i in row]))))
    return found


def column_lines(
    image: np.ndarray, strips: Sequence[Strip], detect: Callable[[np.ndarray], list[DetectedRegion]]
) -> list[DetectedRegion]:
    """The lines running down ``image`` found in its ``strips`` (``strip_lines``; ``detect``: the detector), a
    strip grown along its column, up to ``GROW`` times and within its ``top`` and ``bottom``, while a line found in
    it runs into an end (the pieces it was set around were the middle of a longer line)."""
    found = []
    for strip in strips:
        x0, y0, x1, y1, top, bottom = strip
        for turn in range(GROW + 1):
            window = (x0, y0, x1, y1)
            lines = strip_lines(detect(np.ascontiguousarray(np.rot90(image[y0:y1, x0:x1], 3))), window)
            near = END_NEAR * (x1 - x0)
            up = y0 > top and any(float(line.polygon[:, 1].min()) <= y0 + near for line in lines)
            down = y1 < bottom and any(float(line.polygon[:, 1].max()) >= y1 - near for line in lines)
            if turn == GROW or not (up or down):
                break
            reach = round(REACH_ALONG * (x1 - x0))
            y0, y1 = (max(top, y0 - reach) if up else y0), (min(bottom, y1 + reach) if down else y1)
        found += lines
    return found


def runs_down(quad: np.ndarray, turned: float = 0.0) -> bool:
    """Whether a region read from ``quad`` (corners in reading order) runs up or down the page; with ``turned``,
    up or down the page as it was read turned by that many degrees (its regions are mapped back onto the page as it
    came, so a page read turned by 90 has its lines running down the page it came as)."""
    if len(quad) != 4:
        return False
    angle = float(polygon_angles(np.asarray(quad)[None])[0]) - turned
    return abs(math.sin(math.radians(angle))) > math.sin(math.radians(45))


def covered(polygons: Sequence[np.ndarray], quad: np.ndarray) -> list[int]:
    """Which of ``polygons`` have their middle inside ``quad``: the pieces a line found whole replaces."""
    outline = np.asarray(quad, np.float32).reshape(-1, 1, 2)
    return [
        i
        for i, p in enumerate(polygons)
        if cv2.pointPolygonTest(outline, tuple(float(v) for v in np.asarray(p, np.float32).mean(axis=0)), False) >= 0
    ]


def letters(text: str) -> int:
    """How many letters and digits ``text`` holds."""
    return sum(c.isalnum() for c in text)
