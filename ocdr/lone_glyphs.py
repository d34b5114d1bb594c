"""A capital "I" alone, which the detector and the recognizer get wrong on pages of prose: "lam" for "I am",
"that1" for "that I", "Hope" for "I hope", "|" or "1" for "I", or nothing at all.

Its glyph is one stroke (a bar, with serifs on both sides or none), and alone it is as much a "|", an "l" or a "1"
without its flag to the recognizer; the detector sees little but edges in it, so it scores it low or misses it, and
the space beside it is too small a part of a pair for the detector to part "I am". On paper, the ink tells such a
word: a bar standing on the baseline of the word beside it and as tall as a capital, with no flag or one-sided
serif (``capital_i``); and the space beside it: at a region's end, a bar apart from the rest of its ink by a word
space (``WORD_GAP`` times the print's height; a word space is 0.25-0.35 em, letters' gaps under 0.25 of the height
in text faces) and by much more than the rest's own gaps between letters (``GAP_RATIO``: a monospaced font's are all
wide) (``bar_cut``). The pipeline (``OCRPipeline.read_capital_i``) cuts such a region in two where the rest reads
as a list word, and reads "I" each bar that stands as one, in a region or in none beside a word (``capital_i``).
"""

from __future__ import annotations

import cv2
import numpy as np

from ocdr.geometry import polygon_box, true_runs
from ocdr.models.detection.processing import DetectedRegion
from ocdr.models.recognition.preprocess import print_ink

WORD_GAP = 0.3  # a word space: at least this x the height of the glyph or the rest's letters, whichever is taller
GAP_RATIO = 2.0  # ...and this x the median gap between the rest's letters
GAP_PIXELS = 2  # ...and this many pixels more than it
# A space wide beyond doubt, 0.45 of the height and 3 times the rest's gaps: "I am" read "lam" (a list word) is cut
# there, 0.56 and 5 times in Liberation Sans; a typewritten FUNSD "all" (0.4 and 2 times) is not
SURE_GAP = (0.45, 3.0)
# The rest's glyphs evenly spaced, centre to centre (within EVEN_PITCH of each other), are maybe monospaced: a
# narrow glyph sits in the middle of its cell, far from its neighbour ("r" in DejaVu Sans Mono's "near": 2.0-2.5
# times the other gaps); there the space is an empty cell, EMPTY_CELL x the pitch from centre to centre, or a gap
# EVEN_GAP_RATIO x the others (the spaces cut in proportional faces' evenly spaced words: 2.3-4.7 times, one of the
# 235 cut on the benchmark's pages under 2.75)
EVEN_PITCH, EMPTY_CELL, EVEN_GAP_RATIO = 1.3, 1.5, 2.75
LONE_HEIGHT = 0.85  # the bar is at least this x the rest's letters' median height: a capital's, not a mark's
MIN_HEIGHT = 8  # pixels: smaller print is not looked at (a pixel of blur closes its gaps)
MAX_ASPECT = 0.7  # a region cut is at least this much wider than tall: two glyphs and a space or more
MIN_REST = 2  # the rest has at least this many glyphs (ink runs), so that its gaps can be compared
# A capital "I" alone: one glyph at most BAR_WIDTH x as wide as tall, its serifs (if any) as wide each side at its
# top and at its foot (a "1"'s flag and an "l"'s top serif stand out on one side: SERIF_SKEW x its height), standing
# on the baseline of the word beside it (BASELINE x its height) and as tall as that word's glyphs (BAR_HEIGHT:
# from a capital's height to a small letter's x 1.6); a "|" reaches below the baseline, a rule is taller
BAR_WIDTH, SERIF_SKEW, BASELINE, BAR_HEIGHT = 0.45, 0.08, 0.1, (0.85, 1.6)
STEM = 0.7  # a bar's stem: its columns with ink down at least this part of its height
MISSED_SCORE = 0.0  # the detector's score for an "I" found in no region: it gave it none
SPECK = 0.15  # ink no longer either way than this x the height looked at is a speck (a thin "I" is long)
SHAPE_READING = 0.9  # how sure a capital "I" told by its shape is reported
BARS = frozenset("Il1iT")  # a region read as these (or as marks only: "|", "/", "-") may hold an "I" alone
# what a bar is read as at the end of a reading of it and a word; a serif face's "I" as "T" ("Tam" for "I am")
LONE_BARS = frozenset("Il1iT|!/")
# ...but a "1" read this sure is a figure: on the benchmark's pages figures were read "1" 0.986-1.0 sure, bars of
# an "I" at most 0.958 (a small face's "1" may show no flag to tell it by)
FIGURE_SURE = 0.98
LONE_WIDTH = 1.5  # a region holding an "I" alone is at most this x as wide as tall (a loose box, a neighbour's edge)
WINDOW_PAD = 0.2  # ...and its glyph is looked for this x its height around its box
NEIGHBOUR_GAP = 1.5  # the word beside it lies at most this x its height away


def bar_cut(strip: np.ndarray) -> tuple[float, bool, bool] | None:
    """Where along ``strip`` (a region's gray pixels, read left to right) to cut off a bar alone at either end, as
    a fraction of its width (the middle of the word space beside it), whether the bar is at the start, and whether
    the space is wide beyond doubt (``SURE_GAP``); None if neither end has one."""
    ink, _ = print_ink(strip)
    starts, ends = true_runs(ink.any(axis=0))
    if len(starts) < MIN_REST + 1:
        return None
    gaps = (starts[1:] - ends[:-1]).astype(np.float64)
    pitches = np.diff((starts + ends) / 2)  # glyph centre to centre
    width = strip.shape[1]
    n = len(starts)
    ends_at = [(0, 0, (1, n)), (n - 1, n - 2, (0, n - 1))]  # (the bar, the gap beside it, the rest's runs)
    if starts[0] == 0 and n > MIN_REST + 2:  # a neighbour's glyph the box cuts, then the bar
        ends_at.append((1, 1, (2, n)))
    if ends[-1] == width and n > MIN_REST + 2:
        ends_at.append((n - 2, n - 3, (0, n - 2)))
    heights: np.ndarray | None = None
    for lone, gap, (a, b) in ends_at:
        others, steps = gaps[a : b - 1], pitches[a : b - 1]  # the rest's own gaps and pitches
        if len(others) and gaps[gap] < others.min() + GAP_PIXELS:
            continue  # most regions: no gap stands out (checked first: the rest is the costly part)
        if heights is None:
            heights = np.array([_height(ink[:, x0:x1]) for x0, x1 in zip(starts, ends, strict=True)], np.float64)
        tall = float(np.median(heights[a:b]))
        median = float(np.median(others)) if len(others) else 0.0
        bar = max(WORD_GAP * max(heights[lone], tall), GAP_RATIO * median, median + GAP_PIXELS)
        if heights[lone] < LONE_HEIGHT * tall or gaps[gap] < bar:
            continue
        if len(steps) >= 2 and steps.max() <= EVEN_PITCH * steps.min():  # monospaced, maybe: a space is a cell
            if gaps[gap] < EVEN_GAP_RATIO * median and pitches[gap] < EMPTY_CELL * float(np.median(steps)):
                continue
        glyph = ink[:, starts[lone] : ends[lone]]
        rows = np.flatnonzero(glyph.any(axis=1))
        glyph = glyph[rows[0] : rows[-1] + 1]
        if glyph.shape[1] <= BAR_WIDTH * glyph.shape[0] and _symmetric(glyph):
            sure = gaps[gap] >= max(SURE_GAP[0] * max(heights[lone], tall), SURE_GAP[1] * median)
            return float(ends[gap] + gaps[gap] / 2) / width, lone == gap, bool(sure)
    return None


def _height(ink: np.ndarray) -> int:
    """How many rows a glyph's ink spans, top to bottom."""
    rows = np.flatnonzero(ink.any(axis=1))
    return int(rows[-1] - rows[0] + 1) if len(rows) else 0


def capital_i(
    gray: np.ndarray, regions: list[DetectedRegion], readings: list[tuple[str, float]]
) -> tuple[list[np.ndarray | None], set[int], list[np.ndarray]]:
    """The capitals "I" alone on a page of print (``gray``) among and beside ``regions``, read as ``readings``
    (text, confidence): for each region, the box (page pixels) of the "I" it holds, else None; the narrow regions
    over one another region holds (the detector found some twice, overlapping: the first keeps it); and the boxes of
    those in no region. A region holds one when it is read as a bar (``BARS``, marks, or nothing; not a
    "1" read ``FIGURE_SURE``), no wider than ``LONE_WIDTH`` heights, and the one glyph in it that no other region
    holds (but another such) stands as an "I" beside the nearest word of small letters either side
    (``_stands_as_i``); the glyphs in no region looked at lie within ``NEIGHBOUR_GAP`` heights of such a word's
    end."""
    boxes = np.array([polygon_box(r.polygon) for r in regions], np.float64).reshape(-1, 4)
    worded = np.array([_word_of_letters(text) for text, _ in readings], bool)
    heights, widths = boxes[:, 3] - boxes[:, 1], boxes[:, 2] - boxes[:, 0]
    narrow = (heights >= MIN_HEIGHT) & (widths <= LONE_WIDTH * heights)
    barred = narrow & np.array([_read_as_bar(text.strip(), confidence) for text, confidence in readings], bool)
    held: list[np.ndarray | None] = [None] * len(regions)
    for k in map(int, np.flatnonzero(barred)):
        x0, y0, x1, y1 = boxes[k]
        pad = WINDOW_PAD * heights[k]
        bar = _lone_glyph(gray, boxes[~barred], (x0 - pad, y0 - pad, x1 + pad, y1 + pad))
        if bar is not None:
            held[k] = _beside_words(gray, bar, boxes[worded & (np.arange(len(boxes)) != k)])
    repeats: set[int] = set()  # narrow regions over an "I" another region holds (found twice; one read "1" sure)
    for i, box in enumerate(held):
        if box is None or i in repeats:
            continue
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        over = narrow & ~worded & (boxes[:, 0] <= cx) & (cx <= boxes[:, 2]) & (boxes[:, 1] <= cy) & (cy <= boxes[:, 3])
        over[i] = False
        repeats |= {int(j) for j in np.flatnonzero(over)}
    held = [None if i in repeats else box for i, box in enumerate(held)]
    missed: list[np.ndarray] = []
    for x0, y0, x1, y1 in boxes[worded]:
        height = y1 - y0
        if height < MIN_HEIGHT:
            continue
        reach = NEIGHBOUR_GAP * height
        for a, b in ((x0 - reach, x0), (x1, x1 + reach)):
            bar = _lone_glyph(gray, boxes, (a, y0, b, y1))
            if bar is None or any(
                f[0] <= (bar[0] + bar[2]) / 2 <= f[2] for f in missed if f[1] < bar[3] and bar[1] < f[3]
            ):
                continue  # none, or found from its other side
            if (box := _beside_words(gray, bar, boxes[worded])) is not None:
                missed.append(box)
    return held, repeats, missed


def _beside_words(gray: np.ndarray, bar: np.ndarray, words: np.ndarray) -> np.ndarray | None:
    """The box of an "I" for the glyph in box ``bar`` if it stands as one beside the nearest of ``words`` (boxes)
    on its left or on its right (in its row, within ``NEIGHBOUR_GAP`` of its height): as wide as the glyph and as
    high as that word's box, so that it lines up with its words; else None."""
    x0, y0, x1, y1 = bar
    height = y1 - y0
    overlap = np.minimum(words[:, 3], y1) - np.maximum(words[:, 1], y0)
    gap = np.maximum(words[:, 0], x0) - np.minimum(words[:, 2], x1)
    near = (overlap >= 0.5 * np.minimum(words[:, 3] - words[:, 1], height)) & (gap <= NEIGHBOUR_GAP * height)
    for side in (np.flatnonzero(near & (words[:, 0] < x0)), np.flatnonzero(near & (words[:, 0] > x0))):
        if len(side) and _stands_as_i(gray, bar, word := words[side[np.argmin(gap[side])]]):
            return np.array([x0, min(y0, word[1]), x1, max(y1, word[3])])
    return None


def _read_as_bar(text: str, confidence: float) -> bool:
    """A reading an "I" alone may have been given: a bar's letters or figures (``BARS``), marks, or nothing; not a
    "1" read ``FIGURE_SURE``."""
    return not any(c.isalnum() and c not in BARS for c in text) and not (text == "1" and confidence >= FIGURE_SURE)


def _word_of_letters(text: str) -> bool:
    """A reading of two small letters or more, marks around them aside: a word of the prose an "I" stands in ("I
    am", "that I"), not of a receipt's or a table's ("1 PCS", "QTY 1")."""
    core = text.strip().strip(".,;:!?\"'()“”‘’")
    return len(core) >= 2 and core.isalpha() and core.islower()


def _lone_glyph(gray: np.ndarray, boxes: np.ndarray, window: tuple[float, ...]) -> np.ndarray | None:
    """The box (page pixels) of the one glyph of ink wholly inside ``window`` (x0, y0, x1, y1) and in none of
    ``boxes``, if there is just one."""
    x0, y0 = (int(max(0, np.floor(v))) for v in window[:2])
    x1, y1 = int(min(gray.shape[1], np.ceil(window[2]))), int(min(gray.shape[0], np.ceil(window[3])))
    if x1 - x0 < 2 or y1 - y0 < MIN_HEIGHT:
        return None
    ink = _ink(gray[y0:y1, x0:x1])
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    left, top, width, height, area = stats[1:].T
    # not a speck, not ink running on out of the window (the lines above and below), in no region
    whole = (
        (np.maximum(width, height) > SPECK * (y1 - y0))
        & (left > 0)
        & (top > 0)
        & (left + width < x1 - x0)
        & (top + height < y1 - y0)
    )
    cx, cy = x0 + left + width / 2, y0 + top + height / 2  # each glyph's centre in the page
    inside = (boxes[:, None, 0] < cx) & (cx < boxes[:, None, 2]) & (boxes[:, None, 1] < cy) & (cy < boxes[:, None, 3])
    covered = inside.any(axis=0)  # a region holds it
    alone = np.flatnonzero(whole & ~covered)
    if len(alone) != 1:
        return None
    k = alone[0]
    return np.array([x0 + left[k], y0 + top[k], x0 + left[k] + width[k], y0 + top[k] + height[k]], np.float64)


def _stands_as_i(gray: np.ndarray, bar: np.ndarray, word: np.ndarray) -> bool:
    """Whether the one glyph in box ``bar`` is a capital "I" beside the word in box ``word`` (page pixels)."""
    pad = 0.25 * (bar[3] - bar[1])
    x0, y0 = (int(max(0, np.floor(min(bar[k], word[k]) - pad))) for k in (0, 1))
    x1 = int(min(gray.shape[1], np.ceil(max(bar[2], word[2]) + pad)))
    y1 = int(min(gray.shape[0], np.ceil(max(bar[3], word[3]) + pad)))
    crop = gray[y0:y1, x0:x1]
    if crop.size == 0:
        return False
    ink = _ink(crop)
    _, labels, stats, centroids = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    cx, cy = centroids[1:, 0] + x0, centroids[1:, 1] + y0
    stats = stats[1:]
    large = stats[:, 4] >= 0.02 * (bar[3] - bar[1]) ** 2  # not a speck
    mine = large & (cx >= bar[0]) & (cx <= bar[2]) & (cy >= bar[1]) & (cy <= bar[3])
    theirs = large & (cx >= word[0]) & (cx <= word[2]) & (cy >= word[1]) & (cy <= word[3]) & ~mine
    if mine.sum() != 1 or not theirs.any():
        return False
    k = int(np.flatnonzero(mine)[0])
    left, top, width, height = stats[k, :4]
    heights = stats[theirs, 3]
    glyphs = theirs & (stats[:, 3] >= 0.5 * heights.max())  # letters, not dots and commas
    baseline = np.percentile(stats[glyphs, 1] + stats[glyphs, 3], 25, method="lower")  # descenders reach below
    tall = float(np.median(stats[glyphs, 3]))
    if width > BAR_WIDTH * height or abs(top + height - baseline) > max(1.5, BASELINE * height):
        return False
    if not BAR_HEIGHT[0] * tall <= height <= BAR_HEIGHT[1] * tall:
        return False
    return _symmetric(labels[top : top + height, left : left + width] == k + 1)


def _symmetric(glyph: np.ndarray) -> bool:
    """Whether a glyph's mask is a bar (a stem down its height) with no serif or flag standing out on one side more
    than on the other at its top or its foot."""
    height = glyph.shape[0]
    stem = np.flatnonzero(glyph.sum(axis=0) >= STEM * height)
    if not len(stem):
        return False
    band = max(1, height // 5)
    serifs = []
    for rows in (glyph[:band], glyph[-band:]):
        columns = np.flatnonzero(rows.any(axis=0))
        left, right = stem[0] - columns[0], columns[-1] - stem[-1]  # a pixel either way is blur or a tilt
        if abs(left - right) > max(1.0, SERIF_SKEW * height) or ((left > 1) != (right > 1) and abs(left - right) > 1):
            return False  # a serif on one side only (a "1"'s flag); one a pixel short of the other's is blur
        serifs.append(max(left, right) > 1)
    return serifs[0] == serifs[1]  # an "I" has serifs at both ends or at neither; a "1" a foot alone


def _ink(gray: np.ndarray) -> np.ndarray:
    """A window's ink (a bool mask) by Otsu's threshold over all of it: a window around a lone glyph may hold no
    other ink to set ``print_ink``'s middle rows' threshold by (a thin "I" alone is all anti-aliased gray)."""
    level, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return (gray <= level) if np.median(gray) > level else (gray > level)  # Otsu sets 0 between 0 and 255
