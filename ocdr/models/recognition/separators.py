"""Thousands separators read as points: "17,000" read "17.000".

On small typewritten figures (9-12 pixels tall) the recognizer takes a comma for a point about as often as not (a
FUNSD budget form: 9 of its 24 amounts; 7 of them are put right here). The ink tells: a comma hangs below the
figures' line, a point sits on it. A point between figures with three after it (where a thousands separator stands)
whose blob reaches at least ``COMMA_DROP`` x the figures' height below their line is read as the comma it is. A
point before one or two figures (a decimal one) is left as read, and so is a point that sits on the line
("1.234,56" as German prints it).
"""

from __future__ import annotations

import re
from dataclasses import replace

import cv2
import numpy as np

from ocdr.models.recognition.ctc import CTCResult
from ocdr.models.recognition.spacing import MIN_FIGURE, figure_rows, inner_runs, paired_runs, step_centres

# A comma's foot lies at least this x the figures' height below their line (on rendered and scanned figures of 9-30
# pixels: commas 0.08-0.33, points 0.0-0.02 rendered, up to 0.1 on a blurred scan)
COMMA_DROP = 0.08
RULE = 0.6  # rows this much ink across are a rule under the figures (an underline), not glyphs
RULE_EDGE, UNDER_RULE = 0.15, 2  # ...and so are rows this much ink across at most this many rows under one
_THOUSANDS_POINT = re.compile(r"(?<=\d)\.(?=\d{3}(?!\d))")


def _without_rules(ink: np.ndarray) -> np.ndarray:
    """``ink`` without its rules: rows ``RULE`` inked or more, and the rows at most ``UNDER_RULE`` under one that
    are ``RULE_EDGE`` inked or more (the broken second row of a doubled underline), which are no figure's foot. A
    comma's tail that crosses the underline is too thin to be taken for one; rows over a rule hold the figures' feet
    and stay."""
    cover = ink.mean(axis=1)
    rule = cover >= RULE
    under = np.zeros_like(rule)
    for k in range(1, UNDER_RULE + 1):
        under[k:] |= rule[:-k]
    return ink & ~(rule | (under & (cover >= RULE_EDGE)))[:, None]


def thousands_commas(crop: np.ndarray, result: CTCResult) -> CTCResult:
    """``result`` (read from ``crop``) with each point between figures where a thousands separator stands, whose ink
    hangs ``COMMA_DROP`` below the figures' line, read as a comma."""
    text = result.text
    points = [m.start() for m in _THOUSANDS_POINT.finditer(text)]
    if not points or crop.size == 0 or len(result.positions) != len(text):
        return result
    starts, ends, ink = inner_runs(crop)
    if not len(starts):
        return result
    ink = _without_rules(ink)
    runs = paired_runs(result, starts, ends, ink.shape[1])
    figures = [k for c, k in zip(text, runs, strict=True) if c.isdigit() and k is not None]
    figures = [k for k in figures if ink[:, starts[k] : ends[k]].any()]  # not all rule
    if not figures:
        return result
    top, bottom = (float(np.median(e)) for e in zip(*figure_rows(ink, starts, ends, figures), strict=True))
    height = bottom - top + 1
    if height < MIN_FIGURE:
        return result
    # each point's blob: between the middles of the figures beside it, in their lower half, no taller than half of
    # them (a comma touching a figure joins its column run, so the blobs are looked at, not the runs)
    _, _, blobs, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    x, y, w, h = (blobs[1:, n].astype(np.float64) for n in range(4))
    marks = (y >= top + height / 2) & (h <= height / 2) & (w <= height / 2)  # not a piece of a rule
    centres = step_centres(result, ink.shape[1])
    chars = list(text)
    for i in points:
        beside = marks & (x + w / 2 > centres[i - 1]) & (x + w / 2 < centres[i + 1])
        if beside.any() and (y + h - 1)[beside].max() >= bottom + COMMA_DROP * height:
            chars[i] = ","
    return result if chars == list(text) else replace(result, text="".join(chars))
