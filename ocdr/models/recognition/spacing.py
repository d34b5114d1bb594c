"""Spaces the recognizer drops beside a spaced dash: "12 - 48" read "12-48", "08:30 - 21:30" read "08:30 -21:30".

The recognizer reads a spaced dash well, but often not the word spaces beside it. The ink tells a spaced dash from a
hyphen, measured against the text's pitch (the distance from one glyph's start to the next's), in proportional and
monospaced fonts alike, where a threshold on the crop's height could not part a monospaced hyphen from a spaced
dash. On lines rendered in the synthetic-data fonts (14-40 px): a hyphen's narrower gap was at most 0.47 pitch (295
hyphens: "2017-12-03", "well-known", "JA01-04"), a spaced dash's at least 0.44 (48 dashes; ``SPACE_PITCH`` 0.5
spaces 42 of the 45 read without a space, no hyphen). A monospaced hyphen beside a narrow glyph ("l-k") can leave a
gap that wide, but its ink sits one pitch from its neighbours', centre to centre (``SPACE_CENTRES``). On 300 lines
of hyphens (any face) three were spaced wrongly by the gap alone, one with both; on 300 lines of spaced dashes, 37
were read exactly before, 127 with the gap alone, 117 with both.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ocdr.models.recognition.ctc import DASHES, CTCResult
from ocdr.models.recognition.preprocess import print_ink

SPACE_PITCH = 0.5  # both gaps beside a dash at least this x the pitch: a spaced dash
SPACE_CENTRES = 1.15  # ...and the ink beside it at least this x the pitch centre to centre (a monospaced hyphen's is 1)
DASH_THICKNESS = 0.3  # a dash's ink is at most this x the crop's height tall (not glyphs run together with it)


def _ink_runs(crop: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The crop's columns of ink (``print_ink``) in its middle rows, as runs: (starts, ends) of the runs and the ink
    mask."""
    ink, middle = print_ink(crop)
    columns = ink[middle].any(axis=0)
    edges = np.flatnonzero(np.diff(np.r_[0, columns.astype(np.int8), 0]))
    return edges[0::2], edges[1::2], ink


def space_dashes(crop: np.ndarray, result: CTCResult) -> CTCResult:
    """``result`` (read from ``crop``) with a space put beside a spaced dash where it was read without one: on each
    side where the text has a character next to the dash, when the ink on every such side is a space away."""
    text = result.text
    dashes = [i for i, c in enumerate(text) if c in DASHES]
    if len(text) < 2 or not dashes or crop.size == 0 or len(result.positions) != len(text):
        return result
    starts, ends, ink = _ink_runs(crop)
    if not len(starts):
        return result
    mids = (starts + ends) / 2
    height, width = ink.shape
    steps = max(1, result.num_steps)
    chars, probs, positions = list(text), list(result.char_probs), list(result.positions)
    for i in reversed(dashes):  # inserting from the end keeps the indices of the dashes before
        sides = [side for side in (-1, 1) if 0 <= i + side < len(text) and text[i + side] != " "]
        a, b = result.positions[i]
        centre = (a + b + 1) / 2 / steps * width
        k = int(np.argmin(np.abs(mids - centre)))
        if not sides or not all(0 <= k + side < len(starts) for side in sides):
            continue
        rows = np.flatnonzero(ink[:, starts[k] : ends[k]].any(axis=1))
        if abs(mids[k] - centre) > 2 * width / steps or rows[-1] - rows[0] >= DASH_THICKNESS * height:
            continue  # no dash-like ink where the dash was read
        pitches = [starts[j + 1] - starts[j] for j in range(len(starts) - 1) if j not in (k - 1, k)]
        if not pitches:
            continue
        pitch = float(np.median(pitches))
        gaps = [starts[k + 1] - ends[k] if side == 1 else starts[k] - ends[k - 1] for side in sides]
        centres = [abs(mids[k + side] - mids[k]) for side in sides]
        if min(gaps) < SPACE_PITCH * pitch or min(centres) < SPACE_CENTRES * pitch:
            continue
        for side in sorted(sides, reverse=True):  # after the dash, then before it
            at = i + 1 if side == 1 else i
            chars.insert(at, " ")
            probs.insert(at, probs[i])
            positions.insert(at, positions[i])
    if len(chars) == len(text):
        return result
    return replace(result, text="".join(chars), char_probs=probs, positions=positions)
