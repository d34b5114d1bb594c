"""Punctuation that hugs a printed word, taken into the word's detected region.

The detector's boxes often stop short of a word's quotes, brackets and end marks ("'adjectives'", "platoons:"), or
find such a mark as a region of its own, so the mark is cut in half or read alone and lost. On paper, the ink tells
where a word's marks are: a glyph past the box's end that is no wider than a mark, lies closer to the word than a
word space, and closer to it than to the ink beyond it, belongs to the word. The box is grown to take it in (with a
region that holds nothing else). On 20 synthetic 300 dpi pages, 106 of 5,848 words lost or garbled an edge mark;
read from their labelled boxes, 83 of them came out right.

The opposite slip: two neighbouring regions whose boxes overlap on a mark both read it ("RM0." ".08", "°C(" "(160").
Where one reading ends with the mark the next one starts with, read from the same place on the page, the mark is
left to one of them (``marks_read_twice``).
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from ocdr.geometry import crop_region, pad_quad, polygon_box, quad_aspect, region_height, sub_quad
from ocdr.models.detection.processing import DetectedRegion
from ocdr.models.recognition.ctc import CTCResult

REACH = 1.0  # heights looked at past each end of a region
# A mark lies at most MARK_GAP heights from the word's ink (a word space is 0.25-0.35 em, a quote's gap 0.05-0.1) and
# at most MARK_BEYOND x its gap to the ink beyond it; it is at most MARK_WIDTH heights wide (one glyph, not a word)
MARK_GAP, MARK_BEYOND, MARK_WIDTH = 0.15, 0.5, 0.6
# A mark found as a region of its own is taken in with it when the region is no longer than the word's height and
# the mark at most OWN_MARK_WIDTH heights wide: a quote, colon or bracket, not a "$" or "2" (FUNSD labels "$ 40.00"
# and "Supp 2" as two words each, printed a hair apart)
OWN_MARK_WIDTH = 0.35
# ...and is not a dash or rule: at most FLAT heights tall and 1.5 times wider than tall (a leader's dashes after a
# form's key, a table rule's stub)
FLAT = 0.25
# ...though a dash before a word that its box cuts, as high as the word's middle (within MINUS_MIDDLE x the strip's
# height of the strip's middle; a rule's stub runs along a cell's top or bottom), is a minus sign ("-RM0.02",
# "-12.50"; a spaced dash before a word stands clear of its box)
MINUS_MIDDLE = 0.25
MIN_HEIGHT = 6  # pixels: smaller print is not looked at
# A mark that starts or ends a word (at most MARK_HEIGHT x the region's height tall) and that the region's top or
# foot cuts (a quote, a comma under the line) gets MARK_ROOM x the height of ground there: cut at its top, a
# leading quote was read as nothing ("'adjectives'" read "adjectives'", 6 of 48 quoted words)
MARK_HEIGHT, MARK_ROOM = 0.45, 0.1
# A mark read twice: the last character of one region's reading and the first of the next one's in its row (boxes
# at most TWICE_REACH x the lower one's height apart, overlapping by TWICE_ROW x it down the page), read at most
# TWICE_APART x that height apart (on 114 held-out and training pages, 0.03-0.28 for the 11 marks read twice; 0.73
# and more for the asterisks of a receipt's rows of them; letters, which a word may end and the next one start
# with, "not" "the", are not looked at: their readings lie as close)
TWICE_REACH, TWICE_ROW, TWICE_APART = 0.5, 0.5, 0.45
JOINING_MARKS = ".,/-"  # inside a token ("RM0.08", "CO.NO.", "1/2", "MON-SUN"): the two readings are one word
OPENING_MARKS = "([{"  # a bracket opens the word after it ("°C (160"): kept there; any other mark with the first
TWICE_MARKS = JOINING_MARKS + OPENING_MARKS + ")]}:;#!?"


def take_in_marks(gray: np.ndarray, regions: list[DetectedRegion]) -> list[DetectedRegion]:
    """``regions`` of a page of print (``gray``: its gray pixels) with each quad grown at its ends to take in the
    marks that hug its word, less the regions that held only such a mark. Polygons and upright regions (vertical
    text) are left as they are."""
    polygons = [r.polygon for r in regions]
    boxes = np.array([polygon_box(p) for p in polygons]).reshape(-1, 4)
    grown: dict[int, np.ndarray] = {}
    taken: set[int] = set()
    for i, region in enumerate(regions):
        quad = region.polygon
        if quad.shape != (4, 2) or quad_aspect(quad) >= 1.0:
            continue
        height = (np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
        if height < MIN_HEIGHT:
            continue
        frame = pad_quad(quad, 0.0, REACH)
        strip = crop_region(gray, frame, rotate_vertical=False)
        glyphs = _glyphs(strip)
        if not len(glyphs):
            continue
        width = strip.shape[1]
        start = REACH * height / max(float(np.linalg.norm(frame[1] - frame[0])), 1e-6) * width
        owners, small = _owners(glyphs, strip.shape, frame, start, i, polygons, boxes, height)
        x, w = glyphs[:, 0].astype(np.float64), glyphs[:, 2].astype(np.float64)
        flat = (glyphs[:, 3] <= FLAT * height) & (w >= 1.5 * glyphs[:, 3])
        middle = np.abs(glyphs[:, 1] + glyphs[:, 3] / 2 - strip.shape[0] / 2) <= MINUS_MIDDLE * strip.shape[0]
        right, right_marks = _reach(x, w, owners, small, flat, ~flat, width - start, height)
        left, left_marks = _reach(width - x - w, w, owners, small, flat, ~flat | middle, width - start, height)
        above, below = _cut_ends(glyphs, strip.shape[0], start - left, width - start + right, float(height))
        if right > 0 or left > 0 or above or below:
            quad = sub_quad(frame, max(0.0, (start - left) / width), min(1.0, (width - start + right) / width))
            grown[i] = pad_quad(quad, MARK_ROOM * above, 0.0, MARK_ROOM * below)
            taken |= right_marks | left_marks
    taken -= set(grown)  # a region that grew itself is a word, not a mark
    return [DetectedRegion(grown[i], r.score) if i in grown else r for i, r in enumerate(regions) if i not in taken]


def _cut_ends(glyphs: np.ndarray, rows: int, x0: float, x1: float, height: float) -> tuple[bool, bool]:
    """Whether the word's first or last glyph between ``x0`` and ``x1`` (its extent in the strip) is a mark (a
    quote, a comma: at most ``MARK_HEIGHT`` x the region's ``height`` tall and ``OWN_MARK_WIDTH`` wide) that the
    strip's top, or its foot, cuts: (above, below)."""
    inside = glyphs[(glyphs[:, 0] >= x0 - 1) & (glyphs[:, 0] + glyphs[:, 2] <= x1 + 1)]
    if not len(inside):
        return False, False
    ends = inside[[int(np.argmin(inside[:, 0])), int(np.argmax(inside[:, 0] + inside[:, 2]))]]
    marks = ends[(ends[:, 3] <= MARK_HEIGHT * height) & (ends[:, 2] <= OWN_MARK_WIDTH * height)]
    return bool((marks[:, 1] <= 0).any()), bool((marks[:, 1] + marks[:, 3] >= rows).any())


def _glyphs(strip: np.ndarray) -> np.ndarray:
    """Connected ink of a region's strip (Otsu), as ``(x, y, w, h, area)`` rows: specks and ink running the strip's
    full height (rules down the page, the lines above and below run together) left out."""
    _, ink = cv2.threshold(strip, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    stats = stats[1:]
    full = (stats[:, 1] == 0) & (stats[:, 1] + stats[:, 3] >= strip.shape[0])
    return stats[(stats[:, 4] >= 2) & ~full]


def _owners(
    glyphs: np.ndarray,
    shape: tuple[int, int],
    frame: np.ndarray,
    start: float | np.floating,
    index: int,
    polygons: list[np.ndarray],
    boxes: np.ndarray,
    height: float | np.floating,
) -> tuple[np.ndarray, np.ndarray]:
    """For each glyph reaching past the region's ends: the other region its centre lies in (-1: none), and whether
    that region holds just a mark (``OWN_MARK_WIDTH``), so the glyph may be taken in with it. A glyph the region
    cuts that an overlapping neighbour holds ("08:30" and "- 21:30" found overlapping) is the neighbour's."""
    owners = np.full(len(glyphs), -1)
    small = np.zeros(len(glyphs), bool)
    rows, width = shape
    outside = np.flatnonzero((glyphs[:, 0] < start) | (glyphs[:, 0] + glyphs[:, 2] > width - start))
    if not len(outside):
        return owners, small
    u = (glyphs[outside, 0] + glyphs[outside, 2] / 2) / width
    v = (glyphs[outside, 1] + glyphs[outside, 3] / 2) / rows
    top = frame[0] + (frame[1] - frame[0]) * u[:, None]
    bottom = frame[3] + (frame[2] - frame[3]) * u[:, None]
    points = top + (bottom - top) * v[:, None]
    for k, (px, py) in zip(outside, points, strict=True):
        holders = np.flatnonzero((boxes[:, 0] <= px) & (boxes[:, 2] >= px) & (boxes[:, 1] <= py) & (boxes[:, 3] >= py))
        for j in holders[holders != index]:
            contour = polygons[j].reshape(-1, 1, 2).astype(np.float32)
            if cv2.pointPolygonTest(contour, (float(px), float(py)), False) >= 0:
                owners[k] = j
                small[k] = _long_side(polygons[j]) <= height and glyphs[k, 2] <= OWN_MARK_WIDTH * height
                break
    return owners, small


def _long_side(polygon: np.ndarray) -> float:
    x0, y0, x1, y1 = polygon_box(polygon)
    return max(x1 - x0, y1 - y0)


def _reach(
    x: np.ndarray,
    w: np.ndarray,
    owners: np.ndarray,
    small: np.ndarray,
    flat: np.ndarray,
    own: np.ndarray,
    end: float | np.floating,
    height: float | np.floating,
) -> tuple[float | np.floating, set[int]]:
    """How far past ``end`` (the region's end in its strip, read left to right) its word's ink and marks reach, and
    the mark-sized regions taken in. Glyphs the region cuts are its own when no more than ``MARK_WIDTH`` wide and
    ``own`` (not flat, or a minus sign); then glyphs past the end, nearest first, while each is a mark hugging the
    word (``MARK_GAP``, ``MARK_BEYOND``), not ``flat``."""
    right = x + w
    free = owners < 0
    cut = (x < end - 1) & (right > end) & (w <= MARK_WIDTH * height) & free & own
    ink_end = max(end, float(right[cut].max())) if cut.any() else end
    order = [k for k in np.argsort(x, kind="stable") if x[k] >= ink_end - 1 and right[k] > end]
    marks: set[int] = set()
    for n, k in enumerate(order):
        gap = x[k] - ink_end
        if not (free[k] or small[k]) or flat[k] or w[k] > MARK_WIDTH * height or gap > MARK_GAP * height:
            break
        beyond = [x[j] - right[k] for j in order[n + 1 :] if x[j] >= right[k] - 1]
        if beyond and gap > MARK_BEYOND * max(0.0, min(beyond)):
            break
        ink_end = max(ink_end, float(right[k]))
        if not free[k]:
            marks.add(int(owners[k]))
    return ink_end - end, marks


def marks_read_twice(
    quads: list[np.ndarray], results: list[CTCResult], angles: list[int], ends: float
) -> tuple[list[CTCResult], list[tuple[int, int]]]:
    """``results`` (the readings of ``quads``, each read from its quad grown by ``ends`` x its height at both ends)
    with each mark read twice by neighbours left to one of them, and the pairs (left, right) of regions whose
    readings then make one word (the mark joins them: ``JOINING_MARKS``). Regions read turned (``angles`` above 0)
    are left as they are."""
    results = list(results)
    ending = [i for i, r in enumerate(results) if r.text and r.text[-1] in TWICE_MARKS and angles[i] <= 0]
    starting = [j for j, r in enumerate(results) if r.text and r.text[0] in TWICE_MARKS and angles[j] <= 0]
    if not ending or not starting:
        return results, []
    boxes = np.array([polygon_box(quads[k]) for k in starting]).reshape(-1, 4)
    joined = []
    for i in ending:
        left = results[i]
        if not left.text or left.text[-1] not in TWICE_MARKS:  # already left to its neighbour on the left
            continue
        x0, y0, x1, y1 = polygon_box(quads[i])
        height = region_height(quads[i])
        near = (
            (boxes[:, 0] > x0)
            & (boxes[:, 2] > x1)
            & (boxes[:, 0] <= x1 + TWICE_REACH * height)
            & (np.minimum(boxes[:, 3], y1) - np.maximum(boxes[:, 1], y0) >= TWICE_ROW * height)
        )
        for n in np.flatnonzero(near):
            j = starting[n]
            right = results[j]
            if right.text[:1] != left.text[-1] or j == i:
                continue
            low = min(height, region_height(quads[j]))
            last, first = _centre(quads[i], left, len(left.text) - 1, ends), _centre(quads[j], right, 0, ends)
            if np.linalg.norm(last - first) > TWICE_APART * low:
                continue
            mark = left.text[-1]
            if mark in OPENING_MARKS:
                results[i] = _without(left, slice(0, -1))
            else:
                results[j] = _without(right, slice(1, None))
            if mark in JOINING_MARKS and left.text[-2:-1].strip() and right.text[1:2].strip():
                joined.append((i, j))
            break
    return results, joined


def _centre(quad: np.ndarray, result: CTCResult, k: int, ends: float) -> np.ndarray:
    """Where on the page character ``k`` of ``result`` (``quad``'s reading) was read: the middle of its CTC steps
    along the quad's midline, grown by ``ends`` as the crop was."""
    frame = pad_quad(quad, 0.0, ends)
    first, last = result.positions[k]
    t = (first + last + 1) / 2 / max(1, result.num_steps)
    return ((1 - t) * (frame[0] + frame[3]) + t * (frame[1] + frame[2])) / 2


def _without(result: CTCResult, keep: slice) -> CTCResult:
    """``result`` cut to the characters ``keep``."""
    return replace(
        result, text=result.text[keep], char_probs=list(result.char_probs[keep]), positions=result.positions[keep]
    )
