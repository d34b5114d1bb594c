"""Degree signs the recognizer reads past: "350°F" read "350F", "25°C" read "25C".

The recognizer knows "°" but, learnt mostly on words, rarely emits it after a figure: the small raised ring is left
out of the reading though it is in the crop. The ink tells: a crop read with one character fewer than it holds ink
runs, whose run left out (pairing the characters with the runs in turn, the one left out being where the pairing
sits best) follows a figure, is small (at most ``RING`` of the figures' height), raised (its foot above their
middle) and a ring (a hole in it), holds the degree sign; it is put back after the figure.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from ocdr.models.recognition.ctc import CTCResult
from ocdr.models.recognition.spacing import figure_rows, inner_runs, step_centres

RING = 0.55  # a degree sign's ring is at most this x the figures' height across


def degree_signs(crop: np.ndarray, result: CTCResult) -> CTCResult:
    """``result`` (read from ``crop``) with a degree sign put back after a figure where its ring's ink was left out
    of the reading."""
    text = result.text
    glyphs = [i for i, c in enumerate(text) if c != " "]
    if crop.size == 0 or not any(c.isdigit() for c in text) or len(result.positions) != len(text) or "°" in text:
        return result
    starts, ends, ink = inner_runs(crop)
    if len(starts) != len(glyphs) + 1:
        return result
    mids = (starts + ends) / 2
    centres = step_centres(result, ink.shape[1])[glyphs]
    # the run left out: the one whose leaving out pairs the rest with the characters in turn most closely
    costs = [float(np.abs(np.delete(mids, s) - centres)[1:].sum()) for s in range(len(starts))]
    skipped = int(np.argmin(costs))
    if skipped == 0 or not text[glyphs[skipped - 1]].isdigit():
        return result
    paired = [k for k in range(len(starts)) if k != skipped]  # the runs the characters were read at, in turn
    figures = figure_rows(ink, starts, ends, [k for k, i in zip(paired, glyphs, strict=True) if text[i].isdigit()])
    top, bottom = (float(np.median(e)) for e in zip(*figures, strict=True))
    height = bottom - top + 1
    ring = ink[:, starts[skipped] : ends[skipped]]
    rows = np.flatnonzero(ring.any(axis=1))
    if not len(rows) or rows[-1] > (top + bottom) / 2 or max(rows[-1] - rows[0] + 1, ring.shape[1]) > RING * height:
        return result
    mask = ring[rows[0] : rows[-1] + 1].astype(np.uint8)
    _, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None or not (hierarchy[0][:, 3] >= 0).any():
        return result  # no hole: a dot or a tick, not a ring
    at = glyphs[skipped - 1] + 1
    return replace(
        result,
        text=text[:at] + "°" + text[at:],
        char_probs=[*result.char_probs[:at], result.char_probs[at - 1], *result.char_probs[at:]],
        positions=[*result.positions[:at], result.positions[at - 1], *result.positions[at:]],
    )
