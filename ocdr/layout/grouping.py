"""Reading-order layout: words -> lines -> blocks (paragraphs), ordered top to bottom and left to right.

Geometry is measured in a de-skewed frame (the page rotated by the median text angle), so a slightly rotated scan
groups like a straight one; on a page photographed at an angle, the text lines are first made parallel
(``_converging``) and the blocks are cut into columns along the lean of the page's verticals (``_shear``). Every
threshold is a multiple of the text height, so it holds at any resolution.
Sorting plus sweeps over a few nearby candidates keep it about O(n log n) for pages of thousands of words.
"""

from __future__ import annotations

import bisect
import math
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ocdr.bullets import BULLETS
from ocdr.bullets import REACH as BULLET_REACH
from ocdr.document import Block, Line, Word, polygon_angles, polygon_sizes
from ocdr.geometry import linked_groups, polygon_box, quad_from_box

SAME_LINE = 0.5  # a word joins a line when its centre is within this x max(word, line height) of its neighbour's
WORD_OVERLAP = 0.5  # ...unless it overlaps that neighbour by more than this share of the narrower width (stacked)
SPLIT_GAP = 3.0  # a horizontal gap wider than this x line height splits a line: two columns or form fields
# A narrower gap, down to COLUMN_GAP x line height, splits it where it is a column gutter: the text on both sides is
# at least COLUMN_RATIO x the gap wide (lines of two text columns), or the gap spans a gutter found so on 2+ lines.
COLUMN_GAP = 1.2
COLUMN_RATIO = 2.5
GUTTER_REACH = 3.0  # ...counting gutters found on lines at most this x line height above or below (not another table's)
# A gap that runs down the page (``_page_gutters``) is a gutter when the text beside it is wider than the gap (on its
# wider side, in the median over its lines); the keys and values of a form, aligned as well, are narrower than theirs.
GUTTER_SIDE = 1.0
# ...unless, on this share of its lines or more, the text after it, or the text that starts the line before it, is a
# number (``_NUMBER``: a price list's, a receipt's or a table's amounts after their items, quantities or item numbers
# before them): a table's columns, read row by row, not text columns. A long receipt was read as all its items, then
# all its prices. (A form's values before a gutter, after their keys, still part columns.)
TABLE_GUTTER = 0.5
# A table's gutter needs TABLE_ROWS lines with a gap there (a gutter between text columns, 6), and only the lines
# beside the table's own rows count against it, not a heading above or a note below; nor need its cells be wider
# than the gap: a calendar's days, a league table's figures, an order's quantities (stop 75: a calendar's "Wed Thu",
# an order's "Qty Item" headers were read as one cell, and the columns under them joined; a header over two items
# is three lines)
TABLE_ROWS = 3
_NUMBER = re.compile(r"[-+(]?[$€£¥]?\d[\d.,:/-]*%?\)?")  # 12.50, -3, $1,200.00, 45%, 12/05/2026, 10:30
# ...and a gap of any width parts text columns where it has running text on both its sides (PROSE_WORDS words or more,
# PROSE_WIDTH line heights wide or more) on PROSE_LINES lines within GUTTER_REACH line heights: two columns of a
# flyer set far apart were read as a table's rows (one form row of long key and value stays a row)
PROSE_WORDS, PROSE_WIDTH, PROSE_LINES = 4, 10.0, 3
KEY_RATIO = 0.5  # a line's first part narrower than this x the gap after it is a form key, not a column's line end
KEY_WORDS = 3  # ...as is a first part of at most this many words ending with a colon ("Subject:"): the gap after it,
# column-like for its width alone, is a cell's (an e-mail's "Subject:" and its value were read as two columns' lines)
PARAGRAPH_GAP = 0.8  # a line continues the paragraph above when the vertical gap is below this x line height
PARAGRAPH_HEIGHT_RATIO = 1.6  # ...and the two heights differ by less than this factor (a heading starts a block)
# ...or, below a paragraph's two last lines, the gap is at most PITCH_SLACK x line height over theirs, and at most
# PITCH_GAP x line height: a list spaced close to PARAGRAPH_GAP keeps its pitch, not split where a gap is a pixel over
PITCH_SLACK, PITCH_GAP = 0.1, 1.0
# ...or, under a line of running text (SPACING_WIDTH line heights wide or more, 30 characters or so), the page's own
# line spacing: where SPACING_SHARE of its lines are such lines and SPACING_SHARE of the gaps under them (each one's
# to the nearest such line under it, across the same columns, under SPACING_MAX) lie within 2 x PITCH_SLACK x line
# height of each other and past PARAGRAPH_GAP, the widest of them plus PITCH_SLACK. Double-spaced text was read a
# paragraph a line; on pages of fewer such lines (12 of 149 FUNSD forms), keys joined lines over them, parted from
# their values
SPACING_SHARE, SPACING_MAX, SPACING_WIDTH = 0.5, 2.0, 16.0
ORDER_SLACK = 0.5  # blocks must overlap by more than this x median line height to count as side by side/stacked
COLUMN_COVER = 0.5  # ...and, beside a paragraph, each column's blocks stand beside this share of its height at least
CHANNEL_GAP = 0.6  # ...and, where no gutter between text columns is found, columns stand this far apart at least
COLUMN_WIDTH = 0.6  # a band's paragraphs at least this x as wide as a column's blocks beside them continue it
FOOTER_GAP = 1.5  # a one-line block this x line height under text columns, narrow and apart, is a footer (``_footer``)
FOOTER_WIDTH = 0.5
TURNS = 3  # ...and bands that change column this many times, each band in one column, are read top to bottom
# A photographed page's converging lines (``_converging``): fitted on this many words at least, when their directions
# spread (10th to 90th percentile) at least this many degrees, kept when it leaves them at most this x the spread off.
PERSPECTIVE_WORDS = 20
PERSPECTIVE_SPREAD = 2.0
PERSPECTIVE_RESIDUAL = 0.25
# The lean of a page's verticals (``_shear``): from paragraphs of this many lines or more, this many of them at least;
# a lean under MIN_SHEAR is taken for none (a flat scan's ragged starts), over MAX_SHEAR for a measuring error.
SHEAR_LINES = 4
SHEAR_PARAGRAPHS = 2
MIN_SHEAR = 0.01
MAX_SHEAR = 0.5
SHEAR_FIT = 0.25  # a paragraph's line starts count when they stray from their straight line by this x its line height
CROSS_ANGLE = 60.0  # degrees: words turned this far from the page's text direction run across it (``_crosswise``)
CROSS_LETTERS = 3  # ...in runs that hold this many letters or digits
ROW_OVERLAP = 0.5  # single-line blocks share a row (``text_rows``) when they overlap across by this x the lower one
ROW_BREAK = 1.5  # rows of different numbers of cells this x their line height apart are two tables (``rows_apart``)
# a gap wider than this x line height ends a text segment (``text_segments``; picked on 12 SROIE training receipts
# outside the detector's held-out split: detection hmean 0.84 for 0.5-0.8, 0.76 at 1.5, 0.69 for whole lines)
SEGMENT_GAP = 0.8


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

    def sheared(self, shear: float) -> _Extent:
        """The extent with the page's lean (``_shear``: x per unit of y) taken out."""
        return _Extent(self.x0 - shear * self.cy, self.x1 - shear * self.cy, self.cy, self.h)


def _median_angle(radians: np.ndarray) -> float:
    """The median of angles around their circular mean: words turned over (near +-180 degrees) average right."""
    mean = math.atan2(float(np.sin(radians).mean()), float(np.cos(radians).mean()))
    return mean + float(np.median((radians - mean + math.pi) % (2 * math.pi) - math.pi))


def _converging(polygons: np.ndarray) -> np.ndarray:
    """The polygons with their text lines made parallel where they converge, as on a page photographed at an angle.

    On a flat sheet seen in perspective, every text line points at one vanishing point. It is fitted to the words'
    directions (each word's line through its centre, weighted by its width), and a projective map that sends it to
    infinity (keeping the words' centroid, its vanishing line square to the way to the point) makes the lines
    parallel, so that lines, rows and columns are measured as on the flat sheet. Left as they are: pages whose
    words' directions spread less than ``PERSPECTIVE_SPREAD`` degrees (scans, skewed or not), and words the fit does
    not explain (most directions still ``PERSPECTIVE_RESIDUAL`` x their spread off: street scenes, curled pages).
    """
    angles = polygon_angles(polygons)
    if len(angles) < PERSPECTIVE_WORDS:
        return polygons
    relative = (angles - np.degrees(_median_angle(np.radians(angles))) + 90) % 180 - 90  # turned-over words alike
    along = np.abs(relative) < 30
    if along.sum() < PERSPECTIVE_WORDS:
        return polygons
    low, high = np.percentile(relative[along], [10, 90])
    if high - low < PERSPECTIVE_SPREAD:
        return polygons
    centres = polygons.mean(axis=1)
    origin, scale = centres[along].mean(axis=0), float(centres[along].std()) + 1e-9
    c = (centres[along] - origin) / scale
    t = np.radians(angles[along])
    d = np.stack([np.cos(t), np.sin(t)], axis=1)
    lines = np.stack([-d[:, 1], d[:, 0], d[:, 1] * c[:, 0] - d[:, 0] * c[:, 1]], axis=1)  # l . (x, y, 1) = distance
    weights = np.sqrt(polygon_sizes(polygons[along])[:, 0])
    vanishing = np.linalg.svd(lines * weights[:, None], full_matrices=False)[2][-1]
    vx, vy, vw = vanishing
    if abs(vw) < 1e-9:
        return polygons  # parallel already
    towards = np.degrees(np.arctan2(vy / vw - c[:, 1], vx / vw - c[:, 0]))
    residual = np.abs((np.degrees(t) - towards + 90) % 180 - 90)
    if np.median(residual) > PERSPECTIVE_RESIDUAL * (high - low):
        return polygons
    a, b = -vw * np.array([vx, vy]) / (vx * vx + vy * vy)
    points = (polygons - origin) / scale
    w = 1 + a * points[..., 0] + b * points[..., 1]
    if w.min() < 0.2:
        return polygons  # words near the vanishing line: the fit is not a sheet's
    return points / w[..., None] * scale + origin


def _measure(words: list[Word]) -> list[_Extent]:
    """Extents of ``words`` in the frame that undoes their median angle, after their lines are made parallel where
    they converge (``_converging``); heights are the words' own edge lengths there."""
    polygons = _converging(np.stack([w.polygon for w in words]).astype(np.float64))
    angle = _median_angle(np.radians(polygon_angles(polygons)))
    c, s = math.cos(angle), math.sin(angle)
    points = polygons @ np.array([[c, s], [-s, c]]).T  # rows: along the text, across it
    x0, x1 = points[..., 0].min(axis=1), points[..., 0].max(axis=1)
    cy = points[..., 1].mean(axis=1)
    heights = polygon_sizes(polygons)[:, 1]
    return [_Extent(*v) for v in zip(x0.tolist(), x1.tolist(), cy.tolist(), heights.tolist(), strict=True)]


def _column_like(left: float, right: float, gap: float) -> bool:
    """A gap with wide text on both sides (``COLUMN_RATIO``): a gutter between two text columns."""
    return min(left, right) >= COLUMN_RATIO * gap


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

    def gaps(self) -> list[tuple[int, float, float]]:
        """``(k, x0, x1)`` of each gap wider than ``COLUMN_GAP`` line heights, before member ``k`` (x order)."""
        found = []
        right = -math.inf
        for k, e in enumerate(self.extents):
            if k and e.x0 - right > COLUMN_GAP * self.height:
                found.append((k, right, e.x0))
            right = max(right, e.x1)
        return found

    def gap_sides(self) -> list[tuple[int, float, float, float, float]]:
        """``(k, x0, x1, left, right)`` of each gap (``gaps``) and the widths of the text parts on its two sides."""
        gaps = self.gaps()
        edges = [self.extents[0].x0, *[x for _, g0, g1 in gaps for x in (g0, g1)], self.line_x1]
        return [
            (k, g0, g1, edges[2 * i + 1] - edges[2 * i], edges[2 * i + 3] - edges[2 * i + 2])
            for i, (k, g0, g1) in enumerate(gaps)
        ]

    def number_cells(self, numbers: list[bool]) -> list[bool]:
        """For each gap (``gaps``), whether the part of the line after it (up to the next gap), or before it where
        that part starts the line, is all numbers (``numbers``: whether each item is one): an amount after its
        item, a quantity or an item number before it."""
        starts = [0, *[k for k, _, _ in self.gaps()], len(self.members)]
        parts = [all(numbers[m] for m in self.members[a:b]) for a, b in zip(starts, starts[1:], strict=False)]
        return [after or (i == 0 and parts[0]) for i, after in enumerate(parts[1:])]

    def prose_gaps(self) -> list[bool]:
        """For each gap (``gaps``), whether the parts of the line on its two sides (up to the next gaps) are both
        running text: ``PROSE_WORDS`` words or more, ``PROSE_WIDTH`` line heights wide or more."""
        starts = [0, *[k for k, _, _ in self.gaps()], len(self.members)]
        prose = [
            b - a >= PROSE_WORDS and self.extents[b - 1].x1 - self.extents[a].x0 >= PROSE_WIDTH * self.height
            for a, b in zip(starts, starts[1:], strict=False)
        ]
        return [before and after for before, after in zip(prose, prose[1:], strict=False)]

    def column_gaps(self, keys: list[bool], numbers: list[bool]) -> list[tuple[float, float]]:
        """The gaps with wide text on both sides, but for a form key's (``key_gap``) and a table's before its
        amounts (``number_cells``): gutters between text columns."""
        key = self.key_gap(keys)
        return [
            (g0, g1)
            for (k, g0, g1, left, right), amounts in zip(self.gap_sides(), self.number_cells(numbers), strict=True)
            if _column_like(left, right, g1 - g0) and k != key and not amounts
        ]

    def key_gap(self, keys: list[bool]) -> int | None:
        """The member position after the gap that follows the line's first part where that part is a form key: at
        most ``KEY_WORDS`` words, the last ending with a colon (``keys``: whether each item does); None where it
        is not."""
        gaps = self.gaps()
        k = gaps[0][0] if gaps else None
        return k if k is not None and k <= KEY_WORDS and keys[self.members[k - 1]] else None

    @property
    def line_x1(self) -> float:
        return max(e.x1 for e in self.extents)

    def split(
        self,
        gutters: list[tuple[float, float]],
        page_gutters: list[float],
        table_gutters: list[float],
        bullets: list[bool],
        keys: list[bool],
        numbers: list[bool],
    ) -> list[tuple[list[int], bool]]:
        """Members in x order, cut at gaps wider than ``SPLIT_GAP`` line heights, and at narrower gaps (over
        ``COLUMN_GAP``) that are column-like, span two of the ``gutters`` ((x, y) midpoints of column gaps on lines)
        found within ``GUTTER_REACH`` line heights, or one of the ``page_gutters`` (``_page_gutters``), and at those
        that span one of the ``table_gutters`` (into cells). Each part comes with whether it is a cell: cut from a
        row-mate by a gap that is no column gutter (a form's key or value, a table's cell), it is read along its row
        rather than joined to the lines above and below. A line's first member that is a bullet (``bullets``: whether
        each item is one) stays with what follows it up to ``BULLET_REACH`` line heights away, but for a table's
        cell. A form key's gap (``key_gap``), column-like for its width alone, is a cell's, and so is a gap before
        (or after) a part that is all numbers (``number_cells``: an invoice's prices after its items, a short table
        that ``_page_gutters`` does not look at), cut whatever its width (a bank statement's amount 2.8 heights after
        its item was read as part of the item, and the table's columns joined under it)."""
        cuts: dict[int, bool] = {}  # member position -> the gap before it is a column gutter
        cy = self.extents[0].cy
        key_gap = self.key_gap(keys)
        for (k, g0, g1, left, right), amounts in zip(self.gap_sides(), self.number_cells(numbers), strict=True):
            table = any(g0 < mid < g1 for mid in table_gutters)
            if k == 1 and bullets[self.members[0]] and g1 - g0 <= BULLET_REACH * self.height and not table:
                continue  # a bullet, as far from its item as ``ocdr.bullets`` looks
            # a line's first part, narrower than half the gap after it, is a form key: the value goes with it
            key = k == 1 and left < KEY_RATIO * (g1 - g0)
            like, cell = _column_like(left, right, g1 - g0), k == key_gap or amounts
            column = (
                (like and not cell)
                or (sum(g0 < x < g1 and abs(y - cy) <= GUTTER_REACH * self.height for x, y in gutters) >= 2 and not key)
                or any(g0 < mid < g1 for mid in page_gutters)
            )
            if column or g1 - g0 > SPLIT_GAP * self.height or table or like or amounts:
                cuts[k] = column
        starts = [0, *sorted(cuts), len(self.members)]
        return [
            (self.members[first:end], cuts.get(first) is False or cuts.get(end) is False)
            for first, end in zip(starts, starts[1:], strict=False)
        ]


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


def _page_gutters(builders: list[_LineBuilder], numbers: list[bool]) -> tuple[list[float], list[float]]:
    """x midpoints of line gaps that run down the page: where, on most lines with a gap there, what follows the gap
    or what starts the line before it is a number (``TABLE_GUTTER``; ``numbers``: whether each item's text is one),
    a table's gutter, found on ``TABLE_ROWS`` lines or more, (nearly) every line beside them that reaches across
    having the gap; else a gutter between text columns: at that x, (nearly) every line that reaches across has a
    gap, over at least half of the text's height, and the text on its wider side is wider than the gap
    (``GUTTER_SIDE``; not the keys and values of a form, aligned as well). A line gap over a text columns' gutter is
    a column cut although the text on its sides is short (the cells of a form in one column, beside running text
    in the other): two columns whose lines happen to be close would otherwise be read across. Over a table's, it
    cuts the line into cells, read along their row. Returns (text column gutters, table gutters)."""
    gaps = [
        (g0, g1, b.extents[0].cy, max(left, right) / (g1 - g0), cells)
        for b in builders
        for (_, g0, g1, left, right), cells in zip(b.gap_sides(), b.number_cells(numbers), strict=True)
    ]
    if len(gaps) < 6:
        return [], []
    g = np.array(gaps)
    lx0 = np.array([b.extents[0].x0 for b in builders])
    lx1 = np.array([b.line_x1 for b in builders])
    lcy = np.array([b.extents[0].cy for b in builders])
    cys = np.array([e.cy for b in builders for e in b.extents])
    height = float(cys.max() - cys.min())
    columns: list[float] = []
    tables: list[float] = []
    for g0, g1, *_ in gaps:
        mid = (g0 + g1) / 2
        across = (lx0 < mid) & (mid < lx1)
        hit = (g[:, 0] < mid) & (mid < g[:, 1])
        if hit.sum() < TABLE_ROWS:
            continue
        top, bottom = g[hit, 2].min(), g[hit, 2].max()
        if np.mean(g[hit, 4]) >= TABLE_GUTTER:
            if hit.sum() >= 0.9 * (across & (lcy >= top) & (lcy <= bottom)).sum():
                tables.append(mid)
        elif (
            hit.sum() >= 6
            and hit.sum() >= 0.9 * across.sum()
            and bottom - top >= 0.5 * height
            and np.median(g[hit, 3]) >= GUTTER_SIDE
        ):
            columns.append(mid)
    return columns, tables


def _split_lines(
    extents: list[_Extent], numbers: list[bool], bullets: list[bool], keys: list[bool]
) -> tuple[list[tuple[list[int], bool]], list[tuple[float, float]]]:
    """Words (by their extents) clustered into lines and cut at gaps (``_LineBuilder.split``; ``numbers``,
    ``bullets`` and ``keys``: whether each item is a number, a bullet, ends with a colon): the parts, each with
    whether it is a cell, and the (x, y) of the gutters found between text columns, y NaN for one that runs down
    the page."""
    builders = _cluster_lines(extents)
    found = [((g0 + g1) / 2, b.extents[0].cy) for b in builders for g0, g1 in b.column_gaps(keys, numbers)]
    # gaps with running text on both sides, on PROSE_LINES lines close together: gutters, however wide
    prose = [
        (g0, g1, b.extents[0].cy, b.height)
        for b in builders
        for (_, g0, g1), running in zip(b.gaps(), b.prose_gaps(), strict=True)
        if running
    ]
    found += [
        ((g0 + g1) / 2, cy)
        for g0, g1, cy, height in prose
        if sum(g0 < (a + b) / 2 < g1 and abs(y - cy) <= GUTTER_REACH * height for a, b, y, _ in prose) >= PROSE_LINES
    ]
    page_gutters, table_gutters = _page_gutters(builders, numbers)
    parts = [part for b in builders for part in b.split(found, page_gutters, table_gutters, bullets, keys, numbers)]
    # a page gutter parts columns on its own (at any height): it counts twice where ordering asks for two line gutters
    return parts, found + 2 * [(x, math.nan) for x in page_gutters]


def _crosswise(words: list[Word]) -> np.ndarray:
    """Which ``words`` run across the page's text direction (``CROSS_ANGLE`` or more off it either way): a line
    running down a page of lines across (a chart's axis title, a margin's stamp). The page's direction is the
    words' mean axis weighted by their lengths (angles doubled: a word turned over lies along the same axis)."""
    polygons = np.stack([w.polygon for w in words])
    doubled = 2 * np.radians(polygon_angles(polygons))
    lengths = polygon_sizes(polygons)[:, 0]
    axis = np.degrees(math.atan2(float(lengths @ np.sin(doubled)), float(lengths @ np.cos(doubled)))) / 2
    relative = (np.degrees(doubled) / 2 - axis + 90) % 180 - 90
    return _in_runs(words, polygons, np.flatnonzero(np.abs(relative) >= CROSS_ANGLE))


def _turned_over(words: list[Word]) -> np.ndarray:
    """Which ``words`` read the other way along the page's text direction (more than 90 degrees off it): the lines
    the text-line orientation stage turned over on a page that is otherwise upright, whose words run right to left
    on screen. The page's direction is the words' mean direction weighted by their lengths."""
    polygons = np.stack([w.polygon for w in words])
    radians = np.radians(polygon_angles(polygons))
    lengths = polygon_sizes(polygons)[:, 0]
    direction = math.atan2(float(lengths @ np.sin(radians)), float(lengths @ np.cos(radians)))
    return _in_runs(words, polygons, np.flatnonzero(np.cos(radians - direction) < 0))


def _in_runs(words: list[Word], polygons: np.ndarray, off: np.ndarray) -> np.ndarray:
    """A mask of the words ``off`` (indices) that lie in runs of such words close together holding
    ``CROSS_LETTERS`` letters or digits: a mark or two read turned ("(9)", "ti" on a receipt) is a misread glyph of
    the page's lines, and stays in them."""
    boxes = np.array([polygon_box(polygons[i]) for i in off]).reshape(-1, 4)
    reach = np.minimum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    apart = [np.subtract.outer(boxes[:, k], boxes[:, k + 2]) for k in (0, 1)]  # [a, b]: a's start past b's end
    gaps = np.maximum.reduce([apart[0], apart[0].T, apart[1], apart[1].T])
    found = np.zeros(len(words), bool)
    for run in linked_groups(gaps <= np.maximum.outer(reach, reach)):
        if sum(c.isalnum() for a in run for c in words[off[a]].text) >= CROSS_LETTERS:
            found[off[run]] = True
    return found


def _interleave(along: list[Block], across: list[Block]) -> list[Block]:
    """The page's blocks in reading order: those along its text direction in their own order, and those running
    across it (a table's column headings running up: left to right) or turned over against it in theirs, each read
    before the first block along it that starts lower on the page than it (and the ones before it) do."""

    def top(block: Block) -> float:
        return float(np.asarray(block.polygon)[:, 1].min())

    waiting = list(across)
    order: list[Block] = []
    for block in along:
        while waiting and top(waiting[0]) < top(block):
            order.append(waiting.pop(0))
        order.append(block)
    return order + waiting


def group_words(words: list[Word]) -> list[Block]:
    """Group recognized words into lines and paragraphs, in reading order.

    Where the page's verticals lean (``_shear``, measured on the lines of a first pass), the words are measured
    again with the lean taken out, so that a leaning gutter is found on every line it parts: else the lines of two
    columns close together are joined across it. Words running across the page's text direction (``_crosswise``),
    and then words turned over against it (``_turned_over``), are grouped apart, in their own direction, and their
    blocks read among the others (``_interleave``)."""
    if not words:
        return []
    for apart in (_crosswise, _turned_over):
        out = apart(words)
        if out.any() and not out.all():
            along = group_words([w for w, o in zip(words, out, strict=True) if not o])
            return _interleave(along, group_words([w for w, o in zip(words, out, strict=True) if o]))
    extents = _measure(words)
    numbers = [_NUMBER.fullmatch(w.text) is not None for w in words]
    bullets = [w.text in BULLETS for w in words]
    keys = [len(w.text) > 1 and w.text.endswith(":") for w in words]
    parts, gutters = _split_lines(extents, numbers, bullets, keys)
    line_extents = [_span([extents[i] for i in part]) for part, _ in parts]
    shear = _shear(line_extents, _paragraphs(line_extents, [cell for _, cell in parts]))
    if shear:
        parts, gutters = _split_lines([e.sheared(shear) for e in extents], numbers, bullets, keys)
    lines = [Line.from_words([words[i] for i in part]) for part, _ in parts]
    return group_lines(lines, [cell for _, cell in parts], gutters, shear)


def _turned(points: np.ndarray, degrees: float) -> np.ndarray:
    """The points turned clockwise on screen (y down) by ``degrees`` about the origin."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    x, y = points[..., 0], points[..., 1]
    return np.stack([x * c - y * s, x * s + y * c], axis=-1).astype(np.float32)


def text_segments(words: list[Word], max_gap: float = SEGMENT_GAP, angle: float = 0.0) -> list[Word]:
    """The words as text segments, the unit that receipt sets such as SROIE label: the words of each row of cells
    (``text_rows``: a table's row, a label and its amount) or each line of a block, merged left to right while the
    gap to the next is at most ``max_gap`` x the row's or line's height (the median of its words': a wider gap, as
    between a label and its amount, starts a new segment; a row's, not a cell's, so that a cell of small print such
    as "1 X" is measured as its row is). Each segment is boxed by its words' union; its text is
    theirs joined by single spaces, its confidence their lowest. ``angle``: how far the page's content is turned
    clockwise, in degrees (``Page.angle`` plus ``Page.skew``); the words are grouped upright, so that a turned
    page's lines still read left to right, and the segments' boxes come back in the words' coordinates."""
    if angle % 360:
        upright = [Word(_turned(w.polygon, -angle), w.text, w.confidence) for w in words]
        return [Word(_turned(s.polygon, angle), s.text, s.confidence) for s in text_segments(upright, max_gap)]
    found = []
    for row in text_rows(group_words(words)):
        lines = [[w for block in row for w in block.words]] if len(row) > 1 else [ln.words for ln in row[0].lines]
        for line_words in lines:
            boxes = sorted(
                ((np.min(w.polygon, 0), np.max(w.polygon, 0), w) for w in line_words), key=lambda box: float(box[0][0])
            )
            height = float(np.median([hi[1] - lo[1] for lo, hi, _ in boxes]))
            runs = [[boxes[0]]]
            for box in boxes[1:]:
                if box[0][0] - max(hi[0] for _, hi, _ in runs[-1]) > max_gap * height:
                    runs.append([])
                runs[-1].append(box)
            for run in runs:
                (x0, y0), (x1, y1) = np.min([lo for lo, _, _ in run], 0), np.max([hi for _, hi, _ in run], 0)
                found.append(
                    Word(
                        quad_from_box(x0, y0, x1, y1),
                        " ".join(w.text for *_, w in run),
                        min(w.confidence for *_, w in run),
                    )
                )
    return found


def _line_spacing(extents: list[_Extent]) -> float:
    """The page's own gap between the lines of its paragraphs, in line heights (the widest of the gaps most of its
    lines keep, ``SPACING_SHARE``), where those are wider than ``PARAGRAPH_GAP`` (double-spaced text); else 0."""
    order = sorted(
        (i for i, e in enumerate(extents) if e.x1 - e.x0 >= SPACING_WIDTH * e.h), key=lambda i: extents[i].top
    )
    if len(order) < SPACING_SHARE * len(extents):
        return 0.0  # a form's or a table's page: its lines are spaced as its fields come
    tops = [extents[i].top for i in order]
    gaps = []
    for i in order:
        e = extents[i]
        under = (
            (extents[j].top - e.bottom) / ((e.h + extents[j].h) / 2)
            for j in order[bisect.bisect_left(tops, e.bottom) : bisect.bisect_right(tops, e.bottom + SPACING_MAX * e.h)]
            if _overlap(e.x0, e.x1, extents[j].x0, extents[j].x1) > 0
            and max(e.h, extents[j].h) < PARAGRAPH_HEIGHT_RATIO * min(e.h, extents[j].h)
        )
        if (gap := min(under, default=None)) is not None:
            gaps.append(gap)
    gaps.sort()
    best, widest = 0, 0.0
    for k, gap in enumerate(gaps):  # the gaps most of them keep: within 2 x PITCH_SLACK of each other
        near = bisect.bisect_right(gaps, gap + 2 * PITCH_SLACK) - k
        if near > best:
            best, widest = near, gaps[k + near - 1]
    kept = best >= 2 and best >= SPACING_SHARE * len(gaps) and widest > PARAGRAPH_GAP
    return widest if kept else 0.0


def _continues(extents: list[_Extent], paragraph: list[int], below: _Extent, spacing: float = 0.0) -> bool:
    """Whether ``below`` is the next line of ``paragraph`` (indices into ``extents``): close under its last line,
    keeping the pitch of its last two, or, under a line of running text, keeping the page's ``spacing``
    (``_line_spacing``)."""
    above = extents[paragraph[-1]]
    low, high = sorted((above.h, below.h))
    height = (above.h + below.h) / 2
    limit = PARAGRAPH_GAP * height
    if spacing and above.x1 - above.x0 >= SPACING_WIDTH * height:
        limit = max(limit, (spacing + PITCH_SLACK) * height)
    if len(paragraph) > 1:
        pitch = above.top - extents[paragraph[-2]].bottom + PITCH_SLACK * height
        limit = max(limit, min(pitch, PITCH_GAP * height))
    return (
        below.top - above.bottom < limit
        and _overlap(above.x0, above.x1, below.x0, below.x1) > 0
        and high < PARAGRAPH_HEIGHT_RATIO * low
    )


def _paragraphs(extents: list[_Extent], cells: list[bool]) -> list[list[int]]:
    """Sweep lines by top; each continues the open paragraph it fits closest, or starts one. Cells stay alone."""
    spacing = _line_spacing(extents)
    # No later line (larger top, height within the ratio) can continue a paragraph whose last line ends this far up.
    reach = max(PARAGRAPH_GAP, PITCH_GAP, spacing + PITCH_SLACK) * (1 + PARAGRAPH_HEIGHT_RATIO) / 2
    paragraphs: list[list[int]] = []
    active: list[list[int]] = []
    for i in sorted(range(len(extents)), key=lambda i: (extents[i].top, extents[i].x0)):
        e = extents[i]
        active = [p for p in active if e.top - extents[p[-1]].bottom < reach * extents[p[-1]].h]
        fits = [] if cells[i] else [p for p in active if not cells[p[-1]] and _continues(extents, p, e, spacing)]
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


class _Order:
    """Reading order of blocks by recursive cuts through the whitespace between them (XY-cut).

    A region with a gutter running its whole height is read column by column, each recursively, unless it is a
    table or form (most of its blocks are cells, and no gutter between text columns runs through it): then row by
    row. Otherwise it is cut into bands top to bottom;
    neighbouring bands split by the same gutter (two columns whose paragraph breaks happen to line up) are read
    as one region, so that columns never interleave, when they look like text columns: a block of several lines
    among them, or blocks wide next to the region (``_wide_parts``), and no row of cells unless a gutter between
    text columns parts it (``_column_lines``). Rows of cells (a table's, a form's keys and values) are read row by
    row.
    """

    def __init__(
        self,
        extents: list[_Extent],
        cells: list[bool],
        gutters: list[tuple[float, float]],
        slack: float,
        multiline: list[bool],
        amounts: list[bool],
    ) -> None:
        self.e, self.cells, self.text_gutters, self.slack = extents, cells, gutters, slack
        self.multiline = multiline  # per block: a paragraph of more than one line
        self.amounts = amounts  # per block: a cell of numbers alone (``_NUMBER``: a price, a quantity, a date)

    def columns(self, items: list[int]) -> list[list[int]]:
        return _chain(items, lambda i: self.e[i].x0, lambda i: self.e[i].x1, self.slack)

    def bands(self, items: list[int]) -> list[list[int]]:
        return _chain(items, lambda i: self.e[i].top, lambda i: self.e[i].bottom, self.slack)

    def gutters(self, items: list[int]) -> list[tuple[float, float]]:
        columns = self.columns(items)
        pairs = zip(columns, columns[1:], strict=False)
        return [(max(self.e[i].x1 for i in left), min(self.e[i].x0 for i in right)) for left, right in pairs]

    def _text_gutter(self, g0: float, g1: float, items: list[int]) -> bool:
        """Whether two gutters between text columns found on lines beside ``items`` (or one that runs down the
        page) lie in the gap from ``g0`` to ``g1``: a gutter far above or below (another table's, another
        section's columns) says nothing of these blocks."""
        top, bottom = min(self.e[i].top for i in items), max(self.e[i].bottom for i in items)
        return sum(g0 < x < g1 and (math.isnan(y) or top <= y <= bottom) for x, y in self.text_gutters) >= 2

    def text_columns(self, columns: list[list[int]]) -> list[list[int]]:
        """Neighbouring columns joined unless a gutter between text columns parts them."""
        items = [i for column in columns for i in column]
        joined = [columns[0]]
        for left, right in zip(columns, columns[1:], strict=False):
            if self._text_gutter(max(self.e[i].x1 for i in left), min(self.e[i].x0 for i in right), items):
                joined.append(list(right))
            else:
                joined[-1] = joined[-1] + right
        return joined

    def cover(self, column: list[int], items: list[int]) -> float:
        """The share of the height of ``items`` that the blocks of ``column`` (some of them) stand beside."""
        spans = sorted((self.e[i].top, self.e[i].bottom) for i in column)
        covered, reach = 0.0, -math.inf
        for top, bottom in spans:
            covered += max(0.0, bottom - max(top, reach))
            reach = max(reach, bottom)
        height = max(self.e[i].bottom for i in items) - min(self.e[i].top for i in items)
        return covered / height if height > 0 else 1.0

    def tabular(self, items: list[int]) -> bool:
        """A table or form: cells make up most of every column, and no gutter between text columns runs through."""
        if any(self._text_gutter(g0, g1, items) for g0, g1 in self.gutters(items)):
            return False
        return all(2 * sum(self.cells[i] for i in column) > len(column) for column in self.columns(items))

    def order(self, items: list[int]) -> list[int]:
        if len(items) <= 1:
            return items
        columns, bands = self.columns(items), self.bands(items)
        footer = self._footer(items, columns, bands)
        if footer is not None:
            return self.order([i for i in items if i != footer]) + [footer]
        if len(columns) > 1 and not self.tabular(items) and not self._by_turns(columns, bands):
            sides = self.text_columns(columns)  # a form beside a text column: the form is read as one region
            # with no gutter between text columns, a channel narrower than CHANNEL_GAP line heights parts no
            # columns: a chat's bubbles, left and right by turns, are read top to bottom
            wide = any(g1 - g0 >= CHANNEL_GAP * self.slack / ORDER_SLACK for g0, g1 in self.gutters(items))
            # ...nor, where a paragraph of several lines stands, does one beside a column of a few blocks far apart
            # (a letter's date and sender's address on the right, beside its body's lines): those are read in turn
            # from the top; a photo's scattered words (no paragraph) are read column by column still
            sparse = any(self.multiline[i] for i in items) and any(
                self.cover(column, items) < COLUMN_COVER for column in columns
            )
            # ...nor does one that a row of cells with an amount crosses (a receipt's total and its line of thanks:
            # read total, thanks, amount)
            side = {i: k for k, column in enumerate(columns) for i in column}
            priced = any(
                any(self.amounts[i] for i in band) and len({side[i] for i in band if self.cells[i]}) > 1
                for band in bands
            )
            if len(sides) > 1 or (wide and not sparse and not priced):
                parts = sides if len(sides) > 1 else columns
                return [i for part in parts for i in self.order(part)]
        if len(bands) == 1:
            if len(columns) > 1:  # one row of cells: left to right
                return [i for column in columns for i in self.order(column)]
            return sorted(items, key=lambda i: (self.e[i].top, self.e[i].x0))
        groups: list[list[int]] = []
        for band in bands:
            if (
                groups
                and not self.tabular(groups[-1] + band)
                and (any(self.multiline[i] for i in groups[-1] + band) or self._wide_parts(groups[-1] + band))
                and self._column_lines(groups[-1] + band)
                and self._share_gutter(groups[-1], band)
            ):
                groups[-1] = groups[-1] + band
            else:
                groups.append(band)
        if len(groups) == 1:  # every band shares one gutter, yet the whole has none: read band by band
            groups = bands
        return [i for group in groups for i in self.order(group)]

    def _footer(self, items: list[int], columns: list[list[int]], bands: list[list[int]]) -> int | None:
        """A page's footer under its text columns, read after them: the lowest block, one line alone in its band,
        FOOTER_GAP line heights below all the rest, farther below its column than any of the column's blocks from
        the next, and at most FOOTER_WIDTH of the column's width ("Page 1 of 4" at the left margin, which the
        column split read with the left column). A column's last paragraph of one line is wider, or nearer."""
        last = bands[-1]
        if len(columns) < 2 or len(bands) < 2 or len(last) != 1 or self.multiline[last[0]]:
            return None
        footer = last[0]
        rest = [i for i in items if i != footer]
        if len(self.text_columns(self.columns(rest))) < 2:
            return None
        top = self.e[footer].top
        if top - max(self.e[i].bottom for i in rest) < FOOTER_GAP * self.slack / ORDER_SLACK:
            return None
        column = [i for i in next(c for c in columns if footer in c) if i != footer]
        if not column:
            return None
        spans = sorted((self.e[i].top, self.e[i].bottom) for i in column)
        gaps = [below[0] - above[1] for above, below in zip(spans, spans[1:], strict=False)]
        if gaps and top - max(self.e[i].bottom for i in column) <= max(gaps):
            return None
        width = max(self.e[i].x1 for i in column) - min(self.e[i].x0 for i in column)
        return footer if self.e[footer].x1 - self.e[footer].x0 <= FOOTER_WIDTH * width else None

    @staticmethod
    def _by_turns(columns: list[list[int]], bands: list[list[int]]) -> bool:
        """Whether, in two columns, every band stands in one and the bands change sides TURNS times at least: a
        chat's bubbles, left and right by turns, however far apart the two sides. Text columns stand side by side;
        a margin's lone note between two bands is read after the column beside it; a photo's signs in more columns
        are read column by column."""
        if len(columns) != 2:
            return False
        side = {i: k for k, column in enumerate(columns) for i in column}
        turns = []
        for band in bands:
            sides = {side[i] for i in band}
            if len(sides) > 1:
                return False
            turns.append(sides.pop())
        return sum(a != b for a, b in zip(turns, turns[1:], strict=False)) >= TURNS

    def _column_lines(self, items: list[int]) -> bool:
        """Whether the blocks may be lines of text columns: in each band that has a block cut from a row-mate by a
        gap that is no column gutter (a form's key or value, a table's cell), a gutter between text columns runs
        through the gap (a column's short last line beside the next column's line)."""
        return all(
            not any(self.cells[i] for i in band)
            or any(self._text_gutter(g0, g1, items) for g0, g1 in self.gutters(band))
            for band in self.bands(items)
        )

    def _wide_parts(self, items: list[int]) -> bool:
        """Blocks that are, in the median, at least a third as wide as all of them: the lines of text columns
        (however short a paragraph's last line), not a table's cells."""
        x0, x1 = min(self.e[i].x0 for i in items), max(self.e[i].x1 for i in items)
        return statistics.median(self.e[i].x1 - self.e[i].x0 for i in items) >= (x1 - x0) / 3

    def _share_gutter(self, a: list[int], b: list[int]) -> bool:
        """Whether two neighbouring bands are parted by one gutter: both have it, or one has it and the other is
        paragraphs of the column on one side of it (``_column_beside``)."""
        if len(self.columns(a + b)) == 1:
            return False
        return any(_overlap(g0, g1, h0, h1) > 0 for g0, g1 in self.gutters(a) for h0, h1 in self.gutters(b)) or any(
            self._column_beside(two, one) for two, one in ((a, b), (b, a))
        )

    def _column_beside(self, two: list[int], one: list[int]) -> bool:
        """Whether ``one`` (a band in one column) is paragraphs of a text column of ``two`` (a band with a gutter):
        of several lines each, as wide as that column's blocks in ``two`` (``COLUMN_WIDTH``), beside the gutter.
        A column's paragraphs under a title across the columns, the other column's broken by a figure, were read
        after both columns' first paragraphs; a section's heading under the columns is one line, and stays after."""
        if len(self.columns(one)) > 1 or not all(self.multiline[i] for i in one):
            return False
        whole = self.gutters(two + one)
        if not any(_overlap(g0, g1, h0, h1) > 0 for g0, g1 in self.gutters(two) for h0, h1 in whole):
            return False
        column = next(c for c in self.columns(two + one) if one[0] in c)
        above = [i for i in column if i in two]
        if not above:
            return False
        width = max(self.e[i].x1 for i in above) - min(self.e[i].x0 for i in above)
        return min(self.e[i].x1 - self.e[i].x0 for i in one) >= COLUMN_WIDTH * width


def _span(parts: list[_Extent]) -> _Extent:
    """The extent of a line from its words': their span, mean centre, median height."""
    return _Extent(
        x0=min(p.x0 for p in parts),
        x1=max(p.x1 for p in parts),
        cy=statistics.fmean(p.cy for p in parts),
        h=statistics.median(p.h for p in parts),
    )


def _line_extents(lines: list[Line]) -> list[_Extent]:
    """Each line's extent (``_span``) in the frame of all their words (``_measure``)."""
    word_extents = iter(_measure([w for line in lines for w in line.words]))
    return [_span([next(word_extents) for _ in line.words]) for line in lines]


def _shear(extents: list[_Extent], paragraphs: list[list[int]]) -> float:
    """How far the page's verticals lean in the de-skewed frame (x per unit of y): a photographed page's columns
    converge, and a gutter that leans more than its width joins its two columns in any upright cut. Measured on
    paragraphs of ``SHEAR_LINES`` lines or more, from the lines' starts (the first line left out: it may be
    indented) where they lie on a straight line (``SHEAR_FIT``: left-aligned text, not centred or right-aligned
    lines), the median over paragraphs; 0 below ``MIN_SHEAR`` or under ``SHEAR_PARAGRAPHS`` paragraphs."""
    slopes = []
    for members in paragraphs:
        if len(members) >= SHEAR_LINES:
            ys = np.array([extents[i].cy for i in members[1:]])
            xs = np.array([extents[i].x0 for i in members[1:]])
            slope, start = np.polyfit(ys, xs, 1)
            stray = float(np.sqrt(np.mean((xs - slope * ys - start) ** 2)))
            if stray <= SHEAR_FIT * statistics.median(extents[i].h for i in members):
                slopes.append(float(slope))
    if len(slopes) < SHEAR_PARAGRAPHS:
        return 0.0
    shear = statistics.median(slopes)
    return shear if MIN_SHEAR <= abs(shear) <= MAX_SHEAR else 0.0


def group_lines(
    lines: list[Line],
    cells: list[bool] | None = None,
    gutters: list[tuple[float, float]] | None = None,
    shear: float | None = None,
) -> list[Block]:
    """Group lines (from ``group_words`` or a line-level detector) into paragraphs, in reading order. ``cells``
    says which lines are cells (cut from a row-mate: see ``_LineBuilder.split``), ``gutters`` gives the
    (x, y) of gaps found between text columns on single lines, y NaN for a gap that runs down the page, in the frame
    with the page's lean ``shear`` taken out (``group_words`` knows all three; a line detector's lines are no cells,
    and their lean is measured here)."""
    if not lines:
        return []
    cells = cells or [False] * len(lines)
    extents = _line_extents(lines)
    paragraphs = _paragraphs(extents, cells)
    if shear is None:
        shear = _shear(extents, paragraphs)
    sheared = [e.sheared(shear) for e in extents]
    block_extents = []
    for members in paragraphs:
        top = min(extents[i].top for i in members)
        bottom = max(extents[i].bottom for i in members)
        x0, x1 = min(sheared[i].x0 for i in members), max(sheared[i].x1 for i in members)
        block_extents.append(_Extent(x0, x1, (top + bottom) / 2, bottom - top))
    slack = ORDER_SLACK * statistics.median(e.h for e in extents)
    block_cells = [any(cells[i] for i in members) for members in paragraphs]  # a cell is a paragraph alone
    multiline = [len(members) > 1 for members in paragraphs]
    amounts = [
        cell and all(_NUMBER.fullmatch(w.text) for i in members for w in lines[i].words)
        for cell, members in zip(block_cells, paragraphs, strict=True)
    ]
    reading = _Order(block_extents, block_cells, gutters or [], slack, multiline, amounts)
    order = reading.order(list(range(len(paragraphs))))
    return [Block.from_lines([lines[i] for i in paragraphs[b]]) for b in order]


def text_rows(blocks: list[Block]) -> list[list[Block]]:
    """Blocks in reading order, gathered into rows: a single-line block read right after another single-line block
    beside it on the page's same line (a form's value after its key, a table's next cell) joins that one's row.
    Plain text puts a row on one line (``ocdr.document.Page.text``), where a block per line would part a key from
    its value by a blank line."""
    if not blocks:
        return []
    extents = _line_extents([block.lines[0] for block in blocks])
    words = [word for block in blocks for word in block.words]
    across = {id(word) for word, c in zip(words, _crosswise(words), strict=True) if c}
    cross = [id(block.lines[0].words[0]) in across for block in blocks]  # a line running down the page is no cell
    rows = [[blocks[0]]]
    for i in range(1, len(blocks)):
        a, b = extents[i - 1], extents[i]
        if (
            len(blocks[i - 1].lines) == len(blocks[i].lines) == 1
            and not cross[i - 1]
            and not cross[i]
            and b.x0 > a.cx
            and _overlap(a.top, a.bottom, b.top, b.bottom) > ROW_OVERLAP * min(a.h, b.h)
        ):
            rows[-1].append(blocks[i])
        else:
            rows.append([blocks[i]])
    return rows


def rows_apart(above: list[Block], below: list[Block]) -> bool:
    """Whether two rows of cells are of two tables, to be parted by a blank line as blocks are: of different
    numbers of cells, ``ROW_BREAK`` line heights or more apart (an invoice's two addresses over its items table of
    four columns). A form's rows of a key and a value each, however far apart, are one form."""
    if len(above) == len(below):
        return False
    extents = _line_extents([block.lines[0] for block in above + below])
    upper, lower = extents[: len(above)], extents[len(above) :]
    gap = min(e.top for e in lower) - max(e.bottom for e in upper)
    return gap >= ROW_BREAK * statistics.median(e.h for e in extents)


def table_columns(rows: list[list[Block]]) -> list[list[int]]:
    """The column of each cell of a table's rows (``text_rows``): cells whose spans along the text overlap, however
    many rows apart, share a column (a cell across two columns joins them); columns numbered left to right."""
    cells = [block for row in rows for block in row]
    extents = _line_extents([block.lines[0] for block in cells])
    columns = _chain(list(range(len(cells))), lambda i: extents[i].x0, lambda i: extents[i].x1, 0.0)
    column_of = {i: k for k, column in enumerate(columns) for i in column}
    found, start = [], 0
    for row in rows:
        found.append([column_of[i] for i in range(start, start + len(row))])
        start += len(row)
    return found
