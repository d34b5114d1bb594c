"""Punctuation hugging a printed word is taken into the word's region (``ocdr.marks``)."""

from __future__ import annotations

import cv2
import numpy as np

from ocdr.geometry import polygon_box, quad_from_box
from ocdr.marks import take_in_marks
from ocdr.models.detection.processing import DetectedRegion
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
