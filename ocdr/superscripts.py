"""Superscript and subscript figures ("m²", "E = mc²", a footnote's "appendix¹"; "H₂O", "x₁"), found by their ink.

A superscript's figures are small and raised. The detector seldom finds them (too small beside the word) or takes
them into a word's region, and the recognizer, which learnt glyphs standing on the line, reads them as nothing
("25 m²" read "m"), as a quote mark ("appendix¹ for" read "appendix 'for") or garbles the region ("x² + y² = 1"
read "xe+y=1", dropped). On a page of print, ink in or just after a region that is a fraction of its height and
stands well above its glyphs' line is read on its own; where it reads as figures, it is painted out before the
regions are read, and put back after the word on its left as superscript figures (``attach``). Ink read as
anything else (a quote, an asterisk, "TM", "st") is left as printed; so is a ring (a degree sign, a "%"'s top).
Subscripts, as small and sunk below the line ("H₂O" read "H.0", "C₆H₁₂O₆" read "CgHO"), go the same way, into their
word where it runs on after them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import cv2
import numpy as np

from ocdr.document import Char, Word, polygon_angles
from ocdr.geometry import polygon_box, quad_aspect, quad_from_box, split_quad

REACH = 0.6  # heights looked at past a region's end (a superscript hugs its word)
RAISE = 0.5  # heights above a region's top (below its bottom) a superscript (subscript) may reach
SIZE = (0.2, 0.65)  # a superscript's figures are this share of its region's height tall
NARROWEST = 0.3  # ...and this x their height wide at least (a straight quote's stroke is narrower)
BODY = 0.35  # a region's glyphs standing on its line are this share of its height tall or more
HUG = 0.25  # ink standing on the line ends at most this x the region's height before a superscript or subscript
LIFT = 0.3  # a superscript's bottom stands this share of its line's glyph height above the line at least
FOLLOW = 0.08  # ...and no ink reaching lower than it starts within this x the region's height after it
FOLLOW_LOWER = 0.2  # ...reaching this x its height lower than it (a figure of its own stands level with it)
FOLLOW_SIZE = 0.5  # ...and this x its height tall at least (a comma after it, "²,³", is a mark of its own)
DROP, SINK = 0.35, 0.1  # a subscript's top this share of the glyph height below their tops, its bottom below the line
PEEK = 0.25  # ...and its top this share of the glyph height above the line at least (a comma's is lower)
GLYPH_GAP = 0.6  # figures of one superscript ("12", "2,3") at most this x their height apart
MARK_BELOW = 0.3  # a mark among a superscript's figures (a comma, "2,3") reaches this x their height below them
ROUND = 0.8  # a "0" this wide for its height is a ring (a degree sign), left as printed
LEVEL = 6.0  # degrees: a region turned more is not looked at (a stamp's line; a superscript tilts its own a little)
UPRIGHT = 2.0  # a region this many times taller than wide runs down the page (a lone "x²" is about as tall as wide)
MIN_HEIGHT = 12  # pixels: a region lower than this is not looked at (its superscript would be specks)
MIN_FIGURE = 9  # pixels: a superscript's figures are this tall at least (a typed quote's strokes, a small typed
# "i" or "l" in pieces, read "1")
MIN_SUBSCRIPT = 11  # ...a subscript's (a receipt's dot-matrix comma, 10 pixels, stands as one and reads "5")
TRAILING = ".,;:!?)]}'\"’”"  # marks a word ends with that its superscript goes before ("quarter⁴.", "(m²)")
FIGURES = str.maketrans("0123456789+-−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻")
SUBSCRIPT_FIGURES = str.maketrans("0123456789+-−", "₀₁₂₃₄₅₆₇₈₉₊₋₋")
_FIGURES = re.compile(r"[-+−]?\d+(?:[,\-−]\d+)*")  # what a superscript's figures may read
SCRIPT_FIGURES = frozenset(chr(c) for table in (FIGURES, SUBSCRIPT_FIGURES) for c in table.values())


@dataclass(frozen=True)
class Superscript:
    """Raised (or, ``sunk``, lowered) ink found at a region: its box in page pixels (``x``, ``y`` its top-left
    corner), and its figures once read."""

    x: int
    y: int
    width: int
    height: int
    sunk: bool = False
    text: str = ""
    confidence: float = 0.0

    @property
    def quad(self) -> np.ndarray:
        return quad_from_box(self.x, self.y, self.x + self.width, self.y + self.height)


def find_raised(gray: np.ndarray, polygons: list[np.ndarray]) -> list[Superscript]:
    """The raised ink, small, in or just after each horizontal region (``polygons``) of a page of print (``gray``:
    its gray pixels), and the lowered ink (``sunk``), figures close together taken as one."""
    if not polygons:
        return []
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    # a small figure's thin strokes break off its body ("2"'s foot): rejoined up and down, not across (its word)
    ink = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 1), np.uint8))
    # a skewed page's lines rise or fall along a word: its glyphs stand on a line at the page's slant, the median
    # of its regions' (a word's box is often drawn level, and its last figure stood "raised": "$95.1⁰" at 6 degrees)
    slant = float(np.median(polygon_angles(np.stack(polygons))))
    slope = math.tan(math.radians(slant)) if abs(slant) <= LEVEL else 0.0
    blobs = _Blobs(cv2.connectedComponentsWithStats(ink, connectivity=8)[2][1:], slope)
    found = []
    for polygon in polygons:
        x0, y0, x1, y1 = polygon_box(polygon)
        height = y1 - y0
        if height < MIN_HEIGHT or quad_aspect(polygon) >= UPRIGHT or _slant(polygon) > LEVEL:
            continue  # vertical text, a stamp's turned line: no level line to stand above
        lift = slope * (x0 + x1) / 2  # measured as the blobs are
        found += blobs.scripts(x0, y0 - lift, x1, y1 - lift)
    return found


class _Blobs:
    """A page's blobs of ink (``stats``: x, y, width, height, area of each), and those taken as figures so far.
    ``slope``: how far the page's lines fall (y per x, rising where negative); the blobs' tops and bottoms, and the
    regions' boxes given to ``scripts``, are measured with it taken out (y less slope times x), as on a level page."""

    def __init__(self, stats: np.ndarray, slope: float = 0.0):
        self.stats, self.slope = stats, slope
        self.x0s = stats[:, 0]
        self.x1s = self.x0s + stats[:, 2]
        lift = slope * (self.x0s + self.x1s) / 2  # the line's fall at each blob's middle
        self.y0s = stats[:, 1] - lift
        self.y1s = self.y0s + stats[:, 3]
        self.taken: set[int] = set()

    def scripts(self, x0: float, y0: float, x1: float, y1: float) -> list[Superscript]:
        """The superscripts and subscripts at the region boxed (x0, y0, x1, y1). Each blob is measured against
        the line of the region's other glyphs (``_line``): in a short word ("x₁") the figure is as tall as a
        glyph."""
        x0s, y0s, x1s, y1s, tall = self.x0s, self.y0s, self.x1s, self.y1s, self.stats[:, 3]
        height = y1 - y0
        near = (x0s >= x0) & (x1s <= x1 + REACH * height) & (y0s >= y0 - RAISE * height) & (y1s <= y1 + RAISE * height)
        body = np.flatnonzero(near & (tall >= BODY * height) & ((x0s + x1s) / 2 <= x1) & (y1s <= y1))
        if len(body) == 0:
            return []
        small = np.flatnonzero(
            near & (tall >= max(SIZE[0] * height, MIN_FIGURE)) & (tall <= SIZE[1] * height)
            & (self.stats[:, 2] >= NARROWEST * tall)
        )  # fmt: skip
        raised, sunk = [], []
        for k in small.tolist():
            rest = body[body != k]
            if k in self.taken or len(rest) == 0:
                continue
            line, top = self._line(rest)
            if self._raised(k, line, top):
                raised.append(k)
            elif self._sunk(k, line, top):
                sunk.append(k)
        line, top = self._line(body)
        on_line = (y1s > line - LIFT * (line - top)) & (y0s < line)  # glyphs and marks ("ref.¹") on the line
        glyphs = on_line & (tall >= BODY * height)  # a subscript's letter ("H₂", "x₁")
        found = []
        for figures, lowered in ((raised, False), (sunk, True)):
            for run in _runs(sorted(figures, key=lambda k: x0s[k]), x0s, x1s, tall):
                if not lowered:
                    if self._followed(run[-1], height):
                        continue
                    run = self._with_marks(run, np.flatnonzero(near), line - LIFT * (line - top))
                start = x0s[run[0]]
                before = glyphs if lowered else on_line
                if not (before & (x1s <= start + 1) & (x1s >= start - HUG * height)).any():
                    continue  # no glyph on the line just before it: a superscript hugs its word
                self.taken.update(run)
                left, right = int(x0s[run].min()), int(x1s[run].max())
                lift = self.slope * (left + right) / 2  # back on the page
                top_y, bottom = round(y0s[run].min() + lift), round(y1s[run].max() + lift)
                found.append(Superscript(left, top_y, right - left, bottom - top_y, lowered))
        return found

    def _with_marks(self, run: list[int], near: np.ndarray, raised: float) -> list[int]:
        """A superscript's figures (``run``, left to right) with the marks too small to be figures that stand
        among them ("2,3", "1-4") or just before them (a sign: "10⁻³"), raised above ``raised`` as they are."""
        x0s, y0s, x1s, y1s = self.x0s, self.y0s, self.x1s, self.y1s
        top, bottom = y0s[run].min(), y1s[run].max()
        reach = GLYPH_GAP * (bottom - top)
        middles = (y0s[near] + y1s[near]) / 2
        marks = near[
            (self.stats[near, 3] < bottom - top)
            & (middles >= top)
            & (middles <= bottom + MARK_BELOW * (bottom - top))
            & (y1s[near] <= raised)
            & (x1s[near] >= x0s[run[0]] - reach)
            & (x1s[near] <= x1s[run[-1]])
        ]
        marks = [k for k in marks.tolist() if k not in run and k not in self.taken]
        return sorted([*run, *marks], key=lambda k: x0s[k])

    def _line(self, body: np.ndarray) -> tuple[float, float]:
        """The line the glyphs ``body`` stand on and their top: their bottoms' and tops' medians weighted by their
        ink (a formula's small subscripts, "C₆H₁₂O₆", may outnumber its letters; a word's descenders are fewer
        than the glyphs on its line)."""
        weights = self.stats[body, 4].astype(np.float64)
        return _weighted_median(self.y1s[body], weights), _weighted_median(self.y0s[body], weights)

    def _raised(self, k: int, line: float, top: float) -> bool:
        """Whether blob ``k`` stands above the line (``line``, ``top``: its glyphs' bottom and top) as a
        superscript does."""
        x0s, y0s, x1s, y1s = self.x0s, self.y0s, self.x1s, self.y1s
        return bool(
            top < y1s[k] <= line - LIFT * (line - top)  # above the line, not above the glyphs (a line above)
            # no ink under it reaching lower down to the line: no glyph broken in pieces (a faded receipt's "A"),
            # no "%"'s slash under its ring, no "!" or "½"
            and not ((x0s < x1s[k]) & (x1s > x0s[k]) & (y1s > y1s[k]) & (y0s < line)).any()
        )

    def _followed(self, k: int, height: float) -> bool:
        """Whether ink close after blob ``k`` (a superscript's last figure) reaches lower: a superscript ends its
        word ("40170": a faded "7"'s bar; a broken "O"'s left half), but for a mark after it ("quarter⁴.",
        "²,³")."""
        x0s, y0s, x1s, y1s = self.x0s, self.y0s, self.x1s, self.y1s
        return bool(
            (
                (x0s >= x1s[k])
                & (x0s < x1s[k] + FOLLOW * height)
                & (y0s < y1s[k])
                & (y1s > y1s[k] + FOLLOW_LOWER * self.stats[k, 3])
                & (self.stats[:, 3] >= FOLLOW_SIZE * self.stats[k, 3])
            ).any()
        )

    def _sunk(self, k: int, line: float, top: float) -> bool:
        """Whether blob ``k`` hangs across the line (``line``, ``top``: its glyphs' bottom and top) as a
        subscript does."""
        x0s, y0s, x1s, y1s = self.x0s, self.y0s, self.x1s, self.y1s
        return bool(
            top + DROP * (line - top) <= y0s[k] <= line - PEEK * (line - top)  # its top well up (not a comma's)
            and line + SINK * (line - top) <= y1s[k]
            and self.stats[k, 3] >= MIN_SUBSCRIPT
            # no ink over it reaching higher: no glyph broken in pieces (a "g"'s tail)
            and not ((x0s < x1s[k]) & (x1s > x0s[k]) & (y0s < y0s[k]) & (y1s > top)).any()
        )


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values, kind="stable")
    reach = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(reach, reach[-1] / 2)])


def _slant(polygon: np.ndarray) -> float:
    """Degrees a quad's top edge runs off level, either way."""
    dx, dy = np.asarray(polygon[1], np.float64) - np.asarray(polygon[0], np.float64)
    return abs(math.degrees(math.atan2(dy, dx)))


def _runs(blobs: list[int], x0s: np.ndarray, x1s: np.ndarray, heights: np.ndarray) -> list[list[int]]:
    """Blobs (left to right) in runs whose neighbours are at most ``GLYPH_GAP`` x their height apart."""
    runs: list[list[int]] = []
    for k in blobs:
        if runs and x0s[k] - x1s[runs[-1]].max() <= GLYPH_GAP * heights[runs[-1] + [k]].max():
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def figures(found: Superscript, text: str, confidence: float) -> Superscript | None:
    """``found`` read as ``text``: kept, its text as superscript figures, when it reads as figures (a sign before
    them, commas and dashes between them: "-3", "2,3", "1-4"), not a ring read "0"."""
    text = text.strip()
    if _FIGURES.fullmatch(text) is None:
        return None
    if text == "0" and found.width >= ROUND * found.height:
        return None
    table = SUBSCRIPT_FIGURES if found.sunk else FIGURES
    return replace(found, text=text.translate(table), confidence=confidence)


def attach(words: list[Word], read: list[Superscript], chars: bool = False) -> list[Word]:
    """``words`` with each superscript put after the word on its left in its row (``_host``; its box grown to take
    it in), at its place in the word (``_place``), or as a word of its own where none is (its word not read).
    ``chars``: give it a char box a figure (``return_char_boxes``)."""
    out = list(words)
    boxes = np.array([polygon_box(w.polygon) for w in words]).reshape(-1, 4)
    placed: dict[int, list[tuple[int, Superscript]]] = {}
    for sup in read:
        i = _host(boxes, sup, [len(w.text) for w in words])
        if i is None:
            out.append(Word(sup.quad, sup.text, sup.confidence, _chars(sup) if chars else None))
        else:
            placed.setdefault(i, []).append((_place(words[i].text, boxes[i], sup), sup))
    for i, found in placed.items():
        word = words[i]
        text, boxed = word.text, None if word.chars is None or not chars else list(word.chars)
        for at, sup in sorted(found, key=lambda item: (item[0], item[1].x), reverse=True):  # earlier places hold
            text = text[:at] + sup.text + text[at:]
            if boxed is not None:
                boxed[at:at] = _chars(sup)
        x0, y0, x1, y1 = boxes[i]
        polygon = quad_from_box(
            x0, min(y0, *(s.y for _, s in found)), max(x1, *(s.x + s.width for _, s in found)),
            max(y1, *(s.y + s.height for _, s in found)),
        )  # fmt: skip
        out[i] = Word(polygon, text, min(word.confidence, *(s.confidence for _, s in found)), boxed)
    return out


def _host(boxes: np.ndarray, sup: Superscript, lengths: list[int]) -> int | None:
    """The word (``boxes``: the words' (x0, y0, x1, y1); ``lengths``: their texts') a superscript belongs to: in
    its row, the nearest whose middle is left of it and that ends at most ``REACH`` heights before it; for a
    subscript, first the word its start lies in past that word's first letter ("HO" for "H₂O"). A superscript's
    start may lie in the next word's box (a region that took it in, read without it): that word is not its."""
    sx0 = sup.x
    row = (
        (boxes[:, 1] < sup.y + sup.height)
        & (boxes[:, 3] > sup.y)
        & (boxes[:, 0] < sx0)
        & (boxes[:, 2] >= sx0 - REACH * (boxes[:, 3] - boxes[:, 1]))
    )
    inside = row & (boxes[:, 2] > sx0)
    if sup.sunk and inside.any():
        i = int(np.flatnonzero(inside)[np.argmax(boxes[inside, 0])])
        if (sx0 - boxes[i, 0]) / max(boxes[i, 2] - boxes[i, 0], 1.0) * lengths[i] >= 0.5:
            return i
    before = row & ((boxes[:, 0] + boxes[:, 2]) / 2 < sx0)
    return int(np.flatnonzero(before)[np.argmax(boxes[before, 2])]) if before.any() else None


def _place(text: str, box: np.ndarray, sup: Superscript) -> int:
    """Where in its word's ``text`` a superscript goes: at its end, unless the word's box runs on past it; then a
    superscript goes before the marks the word ends with ("quarter⁴."), a subscript where it stands across the
    word ("H₂O", "C₆H₁₂O₆")."""
    x0, x1 = box[0], box[2]
    if x1 <= sup.x + sup.width:
        return len(text)
    if sup.sunk:
        return min(len(text), max(1, round(len(text) * (sup.x - x0) / max(x1 - x0, 1.0))))
    return len(text.rstrip(TRAILING)) or len(text)


def printed(text: str) -> str:
    """``text`` without its superscript and subscript figures: what its glyphs on the line spell, the figures
    painted out of the page."""
    return "".join(c for c in text if c not in SCRIPT_FIGURES)


def _chars(sup: Superscript) -> list[Char]:
    """A char box a figure, across the superscript's box."""
    quads = split_quad(sup.quad, np.linspace(0.0, 1.0, len(sup.text) + 1))
    return [Char(q, c, sup.confidence) for q, c in zip(quads, sup.text, strict=True)]
