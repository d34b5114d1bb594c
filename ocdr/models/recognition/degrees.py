"""Degree signs the recognizer reads past: "350°F" read "350F", "25°C" read "25C".

The recognizer knows "°" but, learnt mostly on words, rarely emits it after a figure: the small raised ring is left
out of the reading though it is in the crop. The ink tells: a crop read with one character fewer than it holds ink
runs, whose run left out (pairing the characters with the runs in turn, the one left out being where the pairing
sits best) follows a figure, is small (at most ``RING`` of the figures' height), raised (its foot at most ``RAISED``
down them) and a ring (a hole in it), holds the degree sign; it is put back after the figure.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from ocdr.models.recognition.ctc import CTCResult
from ocdr.models.recognition.spacing import figure_rows, inner_runs, step_centres

RING = 0.55  # a degree sign's ring is at most this x the figures' height across
RAISED = 0.65  # ...and its foot at most this far down them (a small "o" stands on their foot; a ring at 0.53 in
# 15-pixel Liberation Sans "°C")
SCALES = "CF"  # a temperature's scale, read alone where its ring stands apart from the figure ("18 °C" read "18 C")


def degree_signs(crop: np.ndarray, result: CTCResult) -> CTCResult:
    """``result`` (read from ``crop``) with a degree sign put back where its ring's ink was left out of the reading,
    after a figure or before a scale that begins the reading (``SCALES``: "°C" set apart from its figure, as the SI
    writes it), or read as another character before a scale ("212 OF", "60‘F", "8 *C")."""
    text = result.text
    glyphs = [i for i, c in enumerate(text) if c != " "]
    if crop.size == 0 or len(result.positions) != len(text) or "°" in text or not glyphs:
        return result
    if not any(c.isdigit() or c in SCALES for c in text):
        return result
    starts, ends, ink = inner_runs(crop)
    centres = step_centres(result, ink.shape[1])
    while len(starts) and len(starts) < len(glyphs) and centres[glyphs[-1]] > ends[-1]:
        glyphs.pop()  # the next word's mark the crop's end cuts ("°C(" of "°C (160"): it has no run
    if len(starts) == len(glyphs):  # a run for each character in turn: a ring read as one, before its scale
        for j in range(len(glyphs) - 1):
            at = glyphs[j]
            after_figure = j == 0 or text[glyphs[j - 1]].isdigit()
            if text[glyphs[j + 1]] in SCALES and after_figure and _ring(ink, starts, ends, j, [j + 1]):
                return replace(result, text=text[:at] + "°" + text[at + 1 :])
        return result
    if len(starts) != len(glyphs) + 1:
        return result
    mids = (starts + ends) / 2
    read_at = centres[glyphs]
    # the run left out: the one whose leaving out pairs the rest with the characters in turn most closely
    costs = [float(np.abs(np.delete(mids, s) - read_at)[1:].sum()) for s in range(len(starts))]
    skipped = int(np.argmin(costs))
    paired = [k for k in range(len(starts)) if k != skipped]  # the runs the characters were read at, in turn
    if skipped == 0:  # before the scale: the ring measured against the scale's capital
        if text[glyphs[0]] not in SCALES:
            return result
        at, sized = glyphs[0], [paired[0]]
    elif text[glyphs[skipped - 1]].isdigit():
        at, sized = glyphs[skipped - 1] + 1, [k for k, i in zip(paired, glyphs, strict=True) if text[i].isdigit()]
    else:
        return result
    if not _ring(ink, starts, ends, skipped, sized):
        return result
    like = at - 1 if skipped else at  # the character the ring was read beside
    return replace(
        result,
        text=text[:at] + "°" + text[at:],
        char_probs=[*result.char_probs[:at], result.char_probs[like], *result.char_probs[at:]],
        positions=[*result.positions[:at], result.positions[like], *result.positions[at:]],
    )


def _ring(ink: np.ndarray, starts: np.ndarray, ends: np.ndarray, run: int, sized: list[int]) -> bool:
    """Whether ink run ``run`` is a degree sign's ring beside the runs ``sized`` (its figures, or its scale's
    capital): small (at most ``RING`` of their height), raised (its foot at most ``RAISED`` down them), with a
    hole."""
    top, bottom = (float(np.median(e)) for e in zip(*figure_rows(ink, starts, ends, sized), strict=True))
    height = bottom - top + 1
    ring = ink[:, starts[run] : ends[run]]
    rows = np.flatnonzero(ring.any(axis=1))
    if not len(rows) or rows[-1] > top + RAISED * height or max(rows[-1] - rows[0] + 1, ring.shape[1]) > RING * height:
        return False
    mask = ring[rows[0] : rows[-1] + 1].astype(np.uint8)
    _, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    return hierarchy is not None and bool((hierarchy[0][:, 3] >= 0).any())  # no hole: a dot or a tick
