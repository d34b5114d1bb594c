"""Spaces the recognizer drops beside a spaced dash ("12 - 48" read "12-48", "08:30 - 21:30" read "08:30 -21:30")
and beside figures ("3 at" read "3at").

The recognizer reads a spaced dash well, but often not the word spaces beside it. The ink tells a spaced dash from a
hyphen, measured against the text's pitch (the distance from one glyph's start to the next's), in proportional and
monospaced fonts alike, where a threshold on the crop's height could not part a monospaced hyphen from a spaced
dash. On lines rendered in the synthetic-data fonts (14-40 px): a hyphen's narrower gap was at most 0.47 pitch (295
hyphens: "2017-12-03", "well-known", "JA01-04"), a spaced dash's at least 0.44 (48 dashes; ``SPACE_PITCH`` 0.5
spaces 42 of the 45 read without a space, no hyphen). A monospaced hyphen beside a narrow glyph ("l-k") can leave a
gap that wide, but its ink sits one pitch from its neighbours', centre to centre (``SPACE_CENTRES``). On 300 lines
of hyphens (any face) three were spaced wrongly by the gap alone, one with both; on 300 lines of spaced dashes, 37
were read exactly before, 127 with the gap alone, 117 with both.

It drops spaces beside figures too: "Page 3 of 17" read "Page 3of 17", "7 3" read "73" (at 11-30 px in the
synthetic-data fonts, 15% of the spaces between two figures, 6% between a figure and a word). There the gap is
measured against the figures' height (a word space is 0.35-0.6 of it, two figures of a number at most 0.3 apart,
but a "1" stands up to 0.5 from its neighbour) and against the crop's other gaps (a monospaced font's are all
wide), only where the glyphs are whole, large enough to measure and paired one to one with what was read. And
beside a bracket, in a crop with figures ("180 °C (160" read "180 °C(160"): measured as beside a figure, and against
the crop's pitch, as a spaced dash is (``BRACKET_CENTRES``: a fixed-pitch font's bracket stands in a wide cell).
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from ocdr.geometry import true_runs
from ocdr.models.recognition.ctc import DASHES, CTCResult
from ocdr.models.recognition.preprocess import print_ink

SPACE_PITCH = 0.5  # both gaps beside a dash at least this x the pitch: a spaced dash
SPACE_CENTRES = 1.15  # ...and the ink beside it at least this x the pitch centre to centre (a monospaced hyphen's is 1)
SPACE_GAP = 0.35  # ink this x the figures' height apart beside a figure: a word space
SPACE_GAP_WIDE = 0.55  # ...beside a "1"
# ...after a letter: a letter's side is no figure's fixed width ("zest of 1 lemon" read "of1": 0.5 apart in 15-pixel
# Liberation Sans). A "1" before a letter keeps the wide bar: its own side is ("1st" in 15-pixel Roboto, a FUNSD
# form's bold "B1G1F", would be split)
SPACE_GAP_LETTER = 0.45
SPACE_GAP_RATIO = 2.0  # ...and this x the median gap of the crop's other glyphs read together
SPACE_GAP_PIXELS = 2  # ...and this many pixels wider than it (a pixel of blur either way)
SPACE_GAP_ALONE = 1.4  # the bar raised this much where the crop has no other gap to compare
MIN_FIGURE = 7  # figures fewer pixels high are left as read: a pixel of blur is a large part of their gaps
SOLID = 0.75  # every figure's ink this x the figures' median height or more: none broken up
# Brackets run into the word before or after them ("°C(160" of "°C (160 °C fan)") are spaced as figures are, unless
# their ink lies less than BRACKET_CENTRES x the crop's pitch (start to start) from the glyph beside, centre to centre:
# in a fixed-pitch font a bracket's cell leaves wide gaps ("4(b)", "12(b)": 0.95-1.19 at 14-24 px in Nimbus Mono; "°C
# (160", "4 °C [39" run together: 1.35-2.0 in Liberation, DejaVu and Roboto at 16-28 px)
OPENING, CLOSING = "([{", ")]}"
BRACKET_CENTRES = 1.3
DASH_THICKNESS = 0.3  # a dash's ink is at most this x the crop's height tall (not glyphs run together with it)


def ink_runs(crop: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The crop's columns of ink (``print_ink``) in its middle rows, as runs: (starts, ends) of the runs and the ink
    mask."""
    ink, middle = print_ink(crop)
    starts, ends = true_runs(ink[middle].any(axis=0))
    return starts, ends, ink


def inner_runs(crop: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``ink_runs`` less the runs the crop's edges cut: a neighbour's glyph reaching into the crop's padding."""
    starts, ends, ink = ink_runs(crop)
    inside = (starts > 0) & (ends < ink.shape[1])
    return starts[inside], ends[inside], ink


def step_centres(result: CTCResult, width: int) -> np.ndarray:
    """Where across a crop ``width`` pixels wide each character of ``result`` was read: its CTC steps' middle."""
    steps = max(1, result.num_steps)
    return np.array([(a + b + 1) / 2 / steps * width for a, b in result.positions], np.float64)


def figure_rows(ink: np.ndarray, starts: np.ndarray, ends: np.ndarray, runs: list[int]) -> list[tuple[int, int]]:
    """The (top, bottom) ink rows of each of the ink runs ``runs`` (those read as figures)."""
    found = []
    for k in runs:
        rows = np.flatnonzero(ink[:, starts[k] : ends[k]].any(axis=1))
        found.append((int(rows[0]), int(rows[-1])))
    return found


def paired_runs(result: CTCResult, starts: np.ndarray, ends: np.ndarray, width: int) -> list[int | None]:
    """The ink run (of ``starts``, ``ends`` in a crop ``width`` pixels wide) each character of ``result`` was read
    at: in turn where there is a run a glyph (CTC reads a crop's first glyph a step or two early), else the nearest
    (``_glyph_runs``); None for a space."""
    glyphs = len(result.text) - result.text.count(" ")
    if len(starts) == glyphs:
        counted = iter(range(glyphs))
        return [None if c == " " else next(counted) for c in result.text]
    return _glyph_runs(result, (starts + ends) / 2, width)


def _glyph_runs(result: CTCResult, mids: np.ndarray, width: int) -> list[int | None]:
    """The ink run each character of ``result`` was read at: the run whose middle is nearest the middle of the
    character's CTC steps, None where none lies within two steps of it."""
    reach = 2 * width / max(1, result.num_steps)
    runs: list[int | None] = []
    for centre in step_centres(result, width):
        k = int(np.argmin(np.abs(mids - centre)))
        runs.append(k if abs(mids[k] - centre) <= reach else None)
    return runs


def space_gaps(crop: np.ndarray, result: CTCResult) -> CTCResult:
    """``result`` (read from ``crop``) with a space put between a figure and the figure or letter beside it where
    the recognizer read them run together ("3 at" read "3at", "7 3" read "73") but their ink lies a word space
    apart: ``SPACE_GAP`` times the figures' height or more (``SPACE_GAP_WIDE`` beside a "1", whose flag and a
    figure's fixed width leave a wide gap), and ``SPACE_GAP_RATIO`` times the median gap of the crop's other glyphs
    read together (a monospaced font's gaps are all wide); with no other gap to compare, ``SPACE_GAP_ALONE``. Gaps
    are measured across the figures' band of rows, only between neighbours read at two ink runs side by side. A
    letter or figure and a bracket run into it ("°C(160") are spaced the same way, unless their ink lies a
    fixed-pitch font's cell apart (``BRACKET_CENTRES``)."""
    text = result.text
    pairs = [
        i
        for i in range(len(text) - 1)
        if (text[i].isalnum() and text[i + 1].isalnum() and (text[i].isdigit() or text[i + 1].isdigit()))
        or (text[i].isalnum() and text[i + 1] in OPENING)
        or (text[i] in CLOSING and text[i + 1].isalnum())
    ]
    if not pairs or crop.size == 0 or len(result.positions) != len(text):
        return result
    starts, ends, ink = inner_runs(crop)
    glyphs = len(text) - text.count(" ")
    if not 2 <= len(starts) <= glyphs:  # more runs than glyphs: broken (a faded dot matrix)
        return result
    runs = paired_runs(result, starts, ends, ink.shape[1])
    extents = figure_rows(
        ink, starts, ends, [k for c, k in zip(text, runs, strict=True) if c.isdigit() and k is not None]
    )
    if not extents:
        return result
    top, bottom = (int(np.median(e)) for e in zip(*extents, strict=True))
    height = bottom - top + 1
    if height < MIN_FIGURE or min(b - a + 1 for a, b in extents) < SOLID * height:
        return result  # figures too small to measure, or some broken up (a faded dot matrix)
    blank = np.asarray(~ink[top : bottom + 1].any(axis=0))  # columns with no ink across the figures' band

    def gap(k: int) -> int:
        """The widest blank stretch between the middles of runs k and k + 1."""
        between = blank[(starts[k] + ends[k]) // 2 : (starts[k + 1] + ends[k + 1]) // 2]
        first, end = true_runs(between)
        return int((end - first).max()) if len(first) else 0

    pitch = float(np.median(np.diff(starts))) if len(starts) > 2 else 0.0

    def one_pitch(k: int) -> bool:
        """Whether the ink of runs k and k + 1 lies less than ``BRACKET_CENTRES`` x the crop's pitch apart, centre
        to centre: a bracket set in a fixed-pitch font, its cell's sides blank ("4(b)")."""
        return (starts[k + 1] + ends[k + 1] - starts[k] - ends[k]) / 2 < BRACKET_CENTRES * pitch

    gaps = {
        i: gap(k)
        for i, (k, n) in enumerate(itertools.pairwise(runs))
        if text[i] != " " != text[i + 1] and k is not None and n == k + 1
    }
    chars, probs, positions = list(text), list(result.char_probs), list(result.positions)
    for i in reversed(pairs):  # inserting from the end keeps the indices before
        others = [g for j, g in gaps.items() if j != i]
        bar = _space_bar(text[i : i + 2]) * height
        if others:
            median = float(np.median(others))
            bar = max(bar, SPACE_GAP_RATIO * median, median + SPACE_GAP_PIXELS)
        else:
            bar *= SPACE_GAP_ALONE
        if i not in gaps or gaps[i] < bar:
            continue
        if (text[i + 1] in OPENING or text[i] in CLOSING) and (k := runs[i]) is not None and one_pitch(k):
            continue
        chars.insert(i + 1, " ")
        probs.insert(i + 1, probs[i])
        positions.insert(i + 1, positions[i])
    if len(chars) == len(text):
        return result
    return replace(result, text="".join(chars), char_probs=probs, positions=positions)


def _space_bar(pair: str) -> float:
    """The gap, in the figures' heights, from which two characters read together (a figure among them) are a word
    space apart: wider beside a "1" (``SPACE_GAP_WIDE``), unless a letter comes before it (``SPACE_GAP_LETTER``)."""
    if "1" not in pair:
        return SPACE_GAP
    return SPACE_GAP_LETTER if pair[0].isalpha() and pair[1] == "1" else SPACE_GAP_WIDE


def space_dashes(crop: np.ndarray, result: CTCResult) -> CTCResult:
    """``result`` (read from ``crop``) with a space put beside a spaced dash where it was read without one: on each
    side where the text has a character next to the dash, when the ink on every such side is a space away. A crop
    whose print is broken into more ink runs than glyphs (a faded dot matrix) is left as read: its pitch cannot be
    measured."""
    text = result.text
    dashes = [i for i, c in enumerate(text) if c in DASHES]
    if len(text) < 2 or not dashes or crop.size == 0 or len(result.positions) != len(text):
        return result
    starts, ends, ink = ink_runs(crop)
    whole = (starts > 0) & (ends < ink.shape[1])  # not cut by the crop's ends
    if not len(starts) or whole.sum() > len(text) - text.count(" "):
        return result  # more runs than glyphs: broken print (a faded dot matrix), its pitch not to be measured
    mids = (starts + ends) / 2
    height = ink.shape[0]
    runs = _glyph_runs(result, mids, ink.shape[1])
    chars, probs, positions = list(text), list(result.char_probs), list(result.positions)
    for i in reversed(dashes):  # inserting from the end keeps the indices of the dashes before
        sides = [side for side in (-1, 1) if 0 <= i + side < len(text) and text[i + side] != " "]
        k = runs[i]
        if k is None or not sides or not all(0 <= k + side < len(starts) for side in sides):
            continue
        rows = np.flatnonzero(ink[:, starts[k] : ends[k]].any(axis=1))
        if rows[-1] - rows[0] >= DASH_THICKNESS * height:
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
