"""Reading-order layout: words -> lines -> blocks (paragraphs), ordered top to bottom and left to right.

Geometry is measured in a de-skewed frame (the page rotated by the median text angle), so a slightly rotated scan
groups like a straight one, and every threshold is a multiple of the text height, so it holds at any resolution.
Sorting plus sweeps over a few nearby candidates keep it about O(n log n) for pages of thousands of words.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ocdr.document import Block, Line, Word, polygon_angles, polygon_sizes

SAME_LINE = 0.5  # a word joins a line when its centre is within this x max(word, line height) of its neighbour's
WORD_OVERLAP = 0.5  # ...unless it overlaps that neighbour by more than this share of the narrower width (stacked)
SPLIT_GAP = 3.0  # a horizontal gap wider than this x line height splits a line: two columns or form fields
PARAGRAPH_GAP = 0.8  # a line continues the paragraph above when the vertical gap is below this x line height
PARAGRAPH_HEIGHT_RATIO = 1.6  # ...and the two heights differ by less than this factor (a heading starts a block)
ORDER_SLACK = 0.5  # blocks must overlap by more than this x median line height to count as side by side/stacked


@dataclass
class _Extent:
    """An item's extent in the de-skewed frame: x along the text direction, y across it (down)."""

    x0: float
    x1: float
    cy: float
    h: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def top(self) -> float:
        return self.cy - self.h / 2

    @property
    def bottom(self) -> float:
        return self.cy + self.h / 2


def _measure(words: list[Word]) -> list[_Extent]:
    """Extents of ``words`` in the frame that undoes their median angle; heights are the words' own edge lengths."""
    polygons = np.stack([w.polygon for w in words]).astype(np.float64)
    angle = math.radians(float(np.median(polygon_angles(polygons))))
    c, s = math.cos(angle), math.sin(angle)
    points = polygons @ np.array([[c, s], [-s, c]]).T  # rows: along the text, across it
    x0, x1 = points[..., 0].min(axis=1), points[..., 0].max(axis=1)
    cy = points[..., 1].mean(axis=1)
    heights = polygon_sizes(polygons)[:, 1]
    return [_Extent(*v) for v in zip(x0.tolist(), x1.tolist(), cy.tolist(), heights.tolist(), strict=True)]


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


class _LineBuilder:
    """Words of one line being collected, kept sorted by x so the neighbours of a new word are found by bisection."""

    def __init__(self, index: int, extent: _Extent) -> None:
        self.xs = [extent.cx]
        self.members = [index]
        self.extents = [extent]
        self.heights = [extent.h]
        self.height = extent.h  # running median, robust to a few big or small words
        self.max_cy = extent.cy

    def distance(self, e: _Extent) -> float | None:
        """How well ``e`` fits (0 = perfectly), or None when it belongs to another line."""
        k = bisect.bisect(self.xs, e.cx)
        neighbours = self.extents[max(k - 1, 0) : k + 1]
        for n in neighbours:
            if _overlap(n.x0, n.x1, e.x0, e.x1) > WORD_OVERLAP * min(n.x1 - n.x0, e.x1 - e.x0):
                return None  # two words at the same x are on two stacked lines
        nearest = min(neighbours, key=lambda n: abs(n.cx - e.cx))
        tolerance = SAME_LINE * max(e.h, self.height)
        d = abs(e.cy - nearest.cy)  # the nearest word, not the line's mean, follows residual skew and curl
        return d / tolerance if d < tolerance else None

    def add(self, index: int, e: _Extent) -> None:
        k = bisect.bisect(self.xs, e.cx)
        self.xs.insert(k, e.cx)
        self.members.insert(k, index)
        self.extents.insert(k, e)
        self.heights.append(e.h)
        self.height = statistics.median(self.heights)
        self.max_cy = max(self.max_cy, e.cy)

    def split(self) -> list[list[int]]:
        """Members in x order, cut where the gap to the words on the left exceeds ``SPLIT_GAP`` line heights."""
        parts: list[list[int]] = []
        right = -math.inf
        for index, e in zip(self.members, self.extents, strict=True):
            if e.x0 - right > SPLIT_GAP * self.height:
                parts.append([])
            parts[-1].append(index)
            right = max(right, e.x1)
        return parts


def _cluster_lines(extents: list[_Extent]) -> list[_LineBuilder]:
    """Sweep words by centre y; each joins the best-fitting line still in reach or starts a new one."""
    lines: list[_LineBuilder] = []
    active: list[_LineBuilder] = []
    for i in sorted(range(len(extents)), key=lambda i: extents[i].cy):
        e = extents[i]
        active = [line for line in active if e.cy - line.max_cy <= 2 * line.height]
        best, best_distance = None, math.inf
        for line in active:
            d = line.distance(e)
            if d is not None and d < best_distance:
                best, best_distance = line, d
        if best is None:
            best = _LineBuilder(i, e)
            lines.append(best)
            active.append(best)
        else:
            best.add(i, e)
    return lines


def group_words(words: list[Word]) -> list[Block]:
    """Group recognized words into lines and paragraphs, in reading order."""
    if not words:
        return []
    lines = [
        Line.from_words([words[i] for i in part])
        for builder in _cluster_lines(_measure(words))
        for part in builder.split()
    ]
    return group_lines(lines)


def _continues(above: _Extent, below: _Extent) -> bool:
    """Whether ``below`` is the next line of the paragraph whose last line is ``above``."""
    low, high = sorted((above.h, below.h))
    return (
        below.top - above.bottom < PARAGRAPH_GAP * (above.h + below.h) / 2
        and _overlap(above.x0, above.x1, below.x0, below.x1) > 0
        and high < PARAGRAPH_HEIGHT_RATIO * low
    )


def _paragraphs(extents: list[_Extent]) -> list[list[int]]:
    """Sweep lines by top; each continues the open paragraph it fits closest, or starts one."""
    # No later line (larger top, height within the ratio) can continue a paragraph whose last line ends this far up.
    reach = PARAGRAPH_GAP * (1 + PARAGRAPH_HEIGHT_RATIO) / 2
    paragraphs: list[list[int]] = []
    active: list[list[int]] = []
    for i in sorted(range(len(extents)), key=lambda i: (extents[i].top, extents[i].x0)):
        e = extents[i]
        active = [p for p in active if e.top - extents[p[-1]].bottom < reach * extents[p[-1]].h]
        fits = [p for p in active if _continues(extents[p[-1]], e)]
        if fits:
            min(fits, key=lambda p: e.top - extents[p[-1]].bottom).append(i)
        else:
            paragraphs.append([i])
            active.append(paragraphs[-1])
    return paragraphs


def _chain(items: list[int], lo: Callable[[int], float], hi: Callable[[int], float], slack: float) -> list[list[int]]:
    """Split items into runs whose [lo, hi] intervals overlap (by more than ``slack``), transitively, in lo order."""
    runs: list[list[int]] = []
    reach = -math.inf
    for i in sorted(items, key=lo):
        if lo(i) >= reach - slack:
            runs.append([])
            reach = hi(i)
        runs[-1].append(i)
        reach = max(reach, hi(i))
    return runs


def _reading_order(extents: list[_Extent], slack: float) -> list[int]:
    """Bands of vertically overlapping blocks top to bottom; in a band, columns left to right, each top down."""
    order = []
    for band in _chain(list(range(len(extents))), lambda i: extents[i].top, lambda i: extents[i].bottom, slack):
        for column in _chain(band, lambda i: extents[i].x0, lambda i: extents[i].x1, slack):
            order.extend(sorted(column, key=lambda i: (extents[i].top, extents[i].x0)))
    return order


def group_lines(lines: list[Line]) -> list[Block]:
    """Group lines (from ``group_words`` or a line-level detector) into paragraphs, in reading order."""
    if not lines:
        return []
    word_extents = iter(_measure([w for line in lines for w in line.words]))
    extents = []
    for line in lines:
        parts = [next(word_extents) for _ in line.words]
        extents.append(
            _Extent(
                x0=min(p.x0 for p in parts),
                x1=max(p.x1 for p in parts),
                cy=statistics.fmean(p.cy for p in parts),
                h=statistics.median(p.h for p in parts),
            )
        )
    paragraphs = _paragraphs(extents)
    block_extents = []
    for members in paragraphs:
        top = min(extents[i].top for i in members)
        bottom = max(extents[i].bottom for i in members)
        x0, x1 = min(extents[i].x0 for i in members), max(extents[i].x1 for i in members)
        block_extents.append(_Extent(x0, x1, (top + bottom) / 2, bottom - top))
    slack = ORDER_SLACK * statistics.median(e.h for e in extents)
    return [Block.from_lines([lines[i] for i in paragraphs[b]]) for b in _reading_order(block_extents, slack)]
