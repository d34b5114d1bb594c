"""Punctuation hugging a printed word is taken into the word's region (``ocdr.marks``)."""

from __future__ import annotations

import cv2
import numpy as np

from ocdr.document import Word
from ocdr.geometry import polygon_box, quad_from_box
from ocdr.layout.pieces import join_pieces
from ocdr.marks import marks_read_twice, take_in_marks
from ocdr.models.detection.processing import DetectedRegion
from ocdr.models.recognition.ctc import CTCResult
from ocdr.training.synth.render import render_lines

FONT = "LiberationSerif-Regular.ttf"


def _ink_runs(gray: np.ndarray, box: tuple[float, float, float, float]) -> list[tuple[int, int]]:
    """Page columns of ink runs inside ``box``: the glyphs of a word, left to right."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    columns = (gray[y0:y1, x0 : x1 + 1] < 128).any(axis=0)
    edges = np.flatnonzero(np.diff(np.r_[0, columns.astype(np.int8), 0]))
    return [(x0 + a, x0 + b) for a, b in zip(edges[0::2], edges[1::2], strict=True)]


def _regions(line: str) -> tuple[np.ndarray, list, list[DetectedRegion]]:
    page, labels = render_lines([line], FONT, size=40, margin=30)
    gray = cv2.cvtColor(page, cv2.COLOR_RGB2GRAY)
    return gray, labels, [DetectedRegion(label.polygon.copy(), 0.9) for label in labels]


def _box_of(regions: list[DetectedRegion], x: float) -> tuple[float, float, float, float]:
    """The box of the region that holds page column ``x``."""
    (box,) = [b for b in map(polygon_box, (r.polygon for r in regions)) if b[0] <= x <= b[2]]
    return box


def test_quotes_and_end_marks_cut_off_a_box_are_taken_back_in():
    gray, labels, regions = _regions("said 'adjectives' and platoons: then")
    quoted = labels[1]
    runs = _ink_runs(gray, polygon_box(quoted.polygon))
    x0, y0, x1, y1 = polygon_box(quoted.polygon)
    # the detector's box stops inside both quotes, as it did on the synthetic pages
    regions[1] = DetectedRegion(quad_from_box(runs[0][1] - 2, y0, runs[-1][0] + 2, y1), 0.9)
    # the colon found as a region of its own
    colon = labels[3]
    runs3 = _ink_runs(gray, polygon_box(colon.polygon))
    c0, cy0, c1, cy1 = polygon_box(colon.polygon)
    regions[3] = DetectedRegion(quad_from_box(c0, cy0, runs3[-2][1], cy1), 0.9)
    regions.append(DetectedRegion(quad_from_box(runs3[-1][0] - 1, cy0 + 8, runs3[-1][1] + 1, cy1 - 4), 0.9))

    grown = take_in_marks(gray, regions)
    assert len(grown) == len(labels)  # the colon's own region was taken in
    gx0, _, gx1, _ = _box_of(grown, (x0 + x1) / 2)
    assert gx0 <= runs[0][0] and gx1 >= runs[-1][1]  # both quotes
    assert gx0 > polygon_box(labels[0].polygon)[2] and gx1 < polygon_box(labels[2].polygon)[0]  # not the neighbours
    assert _box_of(grown, (c0 + c1) / 2)[2] >= runs3[-1][1]
    # the words that held all their ink keep their boxes
    for k in (0, 2, 4):
        np.testing.assert_array_equal(grown[k].polygon, regions[k].polygon)


def test_words_a_space_apart_and_a_form_leader_stay_apart():
    gray, labels, regions = _regions("Total 5 . Name ------ x")
    grown = take_in_marks(gray, regions)
    assert [polygon_box(r.polygon) for r in grown] == [polygon_box(r.polygon) for r in regions]


def test_a_minus_sign_the_box_cuts_is_taken_in_and_a_spaced_dash_is_not():
    """ "-12.50": the detector's box starts inside the minus sign (a flat glyph, which a box's end is not otherwise
    grown over: a leader's dash, a rule's stub); at the word's middle height it is the amount's sign. A dash a
    space before a word ("2020 - 2021") stands clear of the word's box and stays out."""
    gray, labels, regions = _regions("due -12.50 and 2020 - 2021")
    amount = labels[1]
    runs = _ink_runs(gray, polygon_box(amount.polygon))
    x0, y0, x1, y1 = polygon_box(amount.polygon)
    minus = runs[0]
    regions[1] = DetectedRegion(quad_from_box((minus[0] + minus[1]) / 2, y0, x1, y1), 0.9)  # cuts the minus
    grown = take_in_marks(gray, regions)
    assert _box_of(grown, (x0 + x1) / 2)[0] <= minus[0] + 1  # the whole minus, to a pixel
    assert polygon_box(grown[-1].polygon) == polygon_box(regions[-1].polygon)  # "2021": the dash a space before
    # the same dash cut at the strip's foot (a cell's rule under the word) is no sign
    ruled = gray.copy()
    ruled[int(y0) : int(y1) + 1, minus[0] : minus[1] + 1] = 255
    ruled[int(y1) - 3 : int(y1) - 1, minus[0] : minus[1] + 1] = 0
    kept = take_in_marks(ruled, regions)
    assert _box_of(kept, (x0 + x1) / 2)[0] == polygon_box(regions[1].polygon)[0]


def _read(text: str, x0: float, x1: float, at: list[float]) -> tuple[np.ndarray, CTCResult]:
    """A region 40 pixels tall over columns ``x0``-``x1`` read as ``text``, each character at the page column in
    ``at`` (as the pipeline reads it: its crop grown by 0.1 x its height at both ends, 4 pixels a CTC step)."""
    quad = quad_from_box(x0, 100, x1, 140)
    start, steps = x0 - 4, int((x1 - x0 + 8) // 4)
    positions = [(int((x - start) // 4), int((x - start) // 4)) for x in at]
    return quad, CTCResult(text, [0.99] * len(text), positions, steps)


def test_a_mark_both_overlapping_regions_read_is_left_to_one():
    """Boxes overlapping on the dot of "RM0.08" both read it ("RM0." ".08"): the dot is left to the first and the
    two readings make one word; a bracket that opens the next word ("°C (160") is left to the word it opens."""
    pieces = [_read("RM0.", 100, 190, [110, 135, 160, 182]), _read(".08", 176, 240, [181, 200, 225])]
    pieces += [_read("°C(", 300, 370, [305, 325, 362]), _read("(160", 355, 450, [362, 380, 405, 430])]
    quads, results = [q for q, _ in pieces], [r for _, r in pieces]
    kept, joined = marks_read_twice(quads, results, [0, -1, 0, 0], ends=0.1)
    assert [r.text for r in kept] == ["RM0.", "08", "°C", "(160"]
    assert joined == [(0, 1)]
    assert kept[1].positions == results[1].positions[1:] and len(kept[2].char_probs) == 2


def test_marks_read_apart_or_turned_are_kept_twice():
    """Words ending with the mark the next one starts with, read a word space or more apart ("etc." ".NET"), and
    a region read turned over are left as they were read."""
    pieces = [_read("etc.", 100, 180, [110, 130, 150, 170]), _read(".NET", 176, 260, [200, 215, 230, 250])]
    pieces += [_read("key:", 300, 340, [305, 315, 325, 336]), _read(":b", 330, 370, [366, 368])]
    quads, results = [q for q, _ in pieces], [r for _, r in pieces]
    assert marks_read_twice(quads, results, [0, 0, 0, 0], ends=0.1) == (results, [])
    pieces = [_read("x.", 100, 150, [120, 145]), _read(".y", 140, 190, [145, 170])]
    quads, results = [q for q, _ in pieces], [r for _, r in pieces]
    assert marks_read_twice(quads, results, [180, 0], ends=0.1) == (results, [])
    assert marks_read_twice(quads, results, [0, 0], ends=0.1)[1] == [(0, 1)]


def test_pieces_are_joined_in_chains():
    words = [
        Word(quad_from_box(x, 0, x + 30, 20), t, c)
        for x, t, c in [(0, "1.", 0.9), (28, "5.", 0.8), (56, "2", 0.95), (100, "kg", 0.9)]
    ]
    joined = join_pieces(words, [(0, 1), (1, 2)])
    assert [w.text for w in joined] == ["1.5.2", "kg"]
    assert polygon_box(joined[0].polygon) == (0, 0, 86, 20) and joined[0].confidence == 0.8
