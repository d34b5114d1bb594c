"""A page's pixels cleaned before it is read: specks removed, bilevel (1-bit) pages smoothed, ruling lines found
and painted over.

The models learnt text from pages in shades of gray with mild noise. A 1-bit page's stair-stepped edges, a scan's
scattered specks and a table's borders touching the print are outside that, and all cost words; each cleaning runs
only where the page shows it. (The pipeline paints over the rules down a page, and the rules across it that print
touches: underlines and strike-throughs; see ``OCRPipeline.read_turned``.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple, overload

import cv2
import numpy as np

from ocdr.glyphs import ground

# A bilevel page's smoothing (Gaussian sigma, pixels): BILEVEL_SIGMA, or COARSE_SIGMA for a page stretched to square
# pixels first (a standard-mode fax, its rows twice as far apart as its columns: steps twice as tall to smooth) and
# for one with dotted shading (SHADE_SHARE, below). Word F at sigma 0.6 / 0.7 / 0.85 / 1.0 (stop 74; eight 300 dpi
# synthetic pages made 1-bit, and the 14 held-out FUNSD forms made 1-bit at gray 128): 1-bit at 100 dpi 0.732 /
# 0.728 / 0.704 / 0.664; at 150 dpi 0.892 / 0.897 / 0.897 / 0.893; at 200 dpi 0.969 / 0.970 / 0.974 / 0.967;
# fine-mode faxes 0.959 / 0.960 / 0.960 / 0.961; FUNSD 0.659 / 0.655 / 0.627 / 0.554; standard-mode faxes
# (stretched) at 0.7 / 0.85 / 1.0 / 1.2: 0.840 / 0.852 / 0.860 / 0.857; pages with dotted shading (black print
# ordered-dithered, its page's light grays dots) at 0.7 / 0.85 / 1.0: 0.909 / 0.921 / 0.925. The finer the print's
# strokes, the less blur it bears; dots want more.
BILEVEL_SIGMA, COARSE_SIGMA = 0.7, 1.0
# A dithered bilevel page (a fax's photo mode, a 1-bit scan of gray or coloured print: its ink a pattern of dots) is
# smoothed more, DITHER_SIGMA, so that its dots merge into strokes, and not despeckled. It is told by its ink pixels
# joined to other ink: DITHER_SHARE or more of them differ from three or four of their four neighbours (gray print
# dithered: 0.53-1.0, 8 pages ordered and error-diffused; plain faxes and 1-bit scans: 0.00-0.11, and 0.15-0.27 with
# 8% salt-and-pepper noise), and DOT_SHARE or more from all four, dots that touch others at their corners only (gray
# print dithered 0.16-1.0; plain 1-bit scans 0.00-0.05, at 100 dpi too, whose strokes are one pixel thin and whose
# curves' steps differ from three of their neighbours: 0.04-0.45 of them; stop 73 took such a page for dots, recall
# 0.046). A page with SHADE_SHARE or more from all four has some dots, its shading's (0.05-0.12 on the 6 pages of
# black print dithered that are not taken for dots; plain 1-bit scans 0.00-0.03 but one FUNSD form's 0.054).
DITHER_SIGMA, DITHER_SHARE, DOT_SHARE, SHADE_SHARE = 1.5, 0.4, 0.12, 0.04
SPECK_CONTRAST = 80  # a pixel this many gray levels darker (or lighter) than all eight of its neighbours is a speck
# A page with more specks than this share of its pixels is despeckled. Real pages have far fewer: at most 0.044% of
# a FUNSD scan's pixels, 0.028% of a SROIE receipt's, 0.0002% of an ICDAR 2015 photo's (150 training pages each), 0.03%
# of a synthetic page made a fax; 0.5% salt-and-pepper noise gives 0.49%.
SPECK_SHARE = 0.002
# Ruling lines: straight runs of ink at least 1/RULE_RUN of the page's shorter side (and RULE_MIN_RUN pixels) long and
# RULE_ASPECT times longer than thick; a box's side half as long and BOX_ASPECT times longer than thick, between
# two edges across as long as a rule and BOX_ASPECT times longer than thick.
RULE_RUN, RULE_MIN_RUN, RULE_ASPECT, BOX_ASPECT = 60, 25, 20, 8
RULE_CLEAR = 0.9  # the share of ink along its two sides together, at most (halftone tints have more)
DOUBLE_RULE = 0.9  # a side this much ink along is a second rule beside it
# A page looked at for rules has a light ground, this much of it flat: less than other stages ask (FLAT_SHARE),
# as a page of boxed cells is much ink (0.57 for a 150 dpi page with every word in a box; 0.70-0.97 for the held-out
# FUNSD and SROIE pages, 0.10-0.58 for the ICDAR 2015 photos, none of them with a light ground and 0.4 or more).
RULE_FLAT_SHARE = 0.4
RULE_THICK = 250  # and at most 1/RULE_THICK of the page's shorter side thick (3 pixels at least): not a filled bar
# Print runs through a rule across (a strike-through) when parts of glyphs cut in two, at least half as tall as the
# rule is thick, touch it from above and from below, each along this share of its length. Share of rules across at
# 0.3: 98.5% of those striking through the words of eight synthetic pages, 0.2% of underlines drawn through their
# descenders, none of the held-out FUNSD pages' and 0.5% of 60 other FUNSD pages' (two lines typed through words,
# handwriting over signatures' lines, fraction bars), 0.5% and 0.4% of the held-out and 60 other SROIE receipts'.
THROUGH_SHARE = 0.3
# Print sits on a rule across (an underline tight under its words) when such parts touch it from above along this
# share of its length. At 0.5: 98.8% of the underlines drawn under the words of eight synthetic pages, none of
# their tight boxes' edges; 2.7% of the held-out FUNSD pages' rules across and 11.3% of 60 other FUNSD pages'
# (mostly typewritten underlines under headings), 2.5% and 7.7% of the held-out and 60 other SROIE receipts'.
UNDERLINE_SHARE = 0.5
_RING = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], np.uint8)  # the eight neighbours
# which of a page's runs of ink one way may be rules: (length, area, boxes as x, y, w, h) -> boolean per run
Keep = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def bilevel(image: np.ndarray) -> bool:
    """Whether an image holds two values at most (a fax, a 1-bit scan), judged on every fourth pixel."""
    sample = image[::4, ::4]
    return bool(((sample == sample.min()) | (sample == sample.max())).all())


class Smoothing(NamedTuple):
    """How a bilevel page is smoothed before it is read: whether its print is ``dots`` (dithered: it is not
    despeckled, its dots are its print; ``DITHER_SHARE``, ``DOT_SHARE``) and the Gaussian's ``sigma``."""

    dots: bool
    sigma: float


def smoothing(gray: np.ndarray, stretched: bool = False, page: bool = True) -> Smoothing:
    """A bilevel page's smoothing, from its ink pixels joined to other ink (lone ones are specks, or a light gray's
    sparse dots): the shares that differ from three or more, and from all four, of their four neighbours (see
    ``DITHER_SHARE``). ``stretched``: the page was stretched to square pixels. Not a ``page`` but a crop of one (a
    word): no shading to tell, as small print's steps differ from all four neighbours as often as shading's dots
    (words in four fonts at 11-15 pixels, 1-bit: 89 of 96 read right at ``SHADE_SHARE``, 92 without)."""
    ink = gray < 128
    inner = ink[1:-1, 1:-1]
    sides = [ink[:-2, 1:-1], ink[2:, 1:-1], ink[1:-1, :-2], ink[1:-1, 2:]]
    corners = [ink[:-2, :-2], ink[:-2, 2:], ink[2:, :-2], ink[2:, 2:]]
    joined = inner & (np.logical_or.reduce(sides) | np.logical_or.reduce(corners))
    unlike = sum((inner != side).view(np.uint8) for side in sides)[joined]
    count = max(1, unlike.size)
    three, four = np.count_nonzero(unlike >= 3) / count, np.count_nonzero(unlike == 4) / count
    if three >= DITHER_SHARE and four >= DOT_SHARE:
        return Smoothing(True, DITHER_SIGMA)
    return Smoothing(False, COARSE_SIGMA if stretched or (page and four >= SHADE_SHARE) else BILEVEL_SIGMA)


def specks(gray: np.ndarray) -> np.ndarray:
    """Boolean mask of the pixels ``SPECK_CONTRAST`` darker or lighter than every one of their eight neighbours:
    noise, not ink (a stroke's pixels, however thin, have neighbours in the stroke)."""
    darker = cv2.subtract(cv2.erode(gray, _RING), gray) > SPECK_CONTRAST
    lighter = cv2.subtract(gray, cv2.dilate(gray, _RING)) > SPECK_CONTRAST
    return darker | lighter


def despeckle(image: np.ndarray) -> np.ndarray:
    """An HxWx3 page with its specks replaced by the median of their 3x3 neighbourhood, where they are more than
    ``SPECK_SHARE`` of its pixels (salt-and-pepper noise: a dirty scanner, a bad line); other pages as they are.
    Only the specks change, so thin strokes survive, as a median over the whole page would not let them."""
    mask = specks(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY))
    if mask.mean() <= SPECK_SHARE:
        return image
    return np.where(mask[..., None], cv2.medianBlur(image, 3), image)


@dataclass(frozen=True)
class Rule:
    """A ruling line: its pixels (``mask``) in the box whose top-left corner is ``x``, ``y``; ``across`` the page
    (a row's way) or down it; rules across only: ``through``, print runs through it (``THROUGH_SHARE``), and
    ``underline``, print sits on it (``UNDERLINE_SHARE``)."""

    x: int
    y: int
    mask: np.ndarray
    across: bool
    through: bool = False
    underline: bool = False

    @property
    def touches_print(self) -> bool:
        """Whether print touches this rule across: painted over exactly, without its edge (``remove_rules``)."""
        return self.through or self.underline

    @property
    def from_below(self) -> bool:
        """Whether it is filled from below alone (``remove_rules``): an underline that print does not run through."""
        return self.underline and not self.through


def rules(gray: np.ndarray) -> list[Rule]:
    """A page's ruling lines: table borders, boxes, underlines, strike-throughs.

    A rule is a straight run of ink (Otsu) along a row or a column, at most ``RULE_THICK`` thick, with paper along
    both its sides (``RULE_CLEAR``), at least ``RULE_RUN`` long and ``RULE_ASPECT`` times longer than thick. Glyph
    strokes are shorter or thicker (a "T"'s bar, an en dash: at most 12 times; an em dash 15 times in most fonts).
    A box's sides can be as short as the text in it, so a run down that is half that long and ``BOX_ASPECT`` times
    longer than thick is a rule too when edges across meet both its ends: runs across as long as a rule and
    ``BOX_ASPECT`` times longer than thick (a short box's top and bottom). Rules across are told whether print runs
    through them or sits on them (``_touching``); such an edge is a rule too when print sits on it (an underline or
    a strike-through under or through a short word)."""
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    run = max(RULE_MIN_RUN, min(ink.shape) // RULE_RUN)
    thick = max(3.0, min(ink.shape) / RULE_THICK)

    @overload
    def long(length: np.ndarray, area: np.ndarray) -> np.ndarray: ...  # a rule, per run
    @overload
    def long(length: int, area: int | np.integer) -> bool | np.bool_: ...  # or for one
    def long(length: np.ndarray | int, area: np.ndarray | int | np.integer) -> np.ndarray | bool | np.bool_:
        return (length >= run) & (length**2 >= RULE_ASPECT * area) & (area <= thick * length)

    def edge(length: np.ndarray, area: np.ndarray, _) -> np.ndarray:  # a box's top or bottom, or a rule
        return (length >= run) & (length**2 >= BOX_ASPECT * area) & (area <= thick * length)

    edges = _runs(ink, True, run, edge)
    if not edges:  # a page without a rule or a box's edge across has no table or box: no run down is looked at
        return []
    edge_pixels = _pixels(ink.shape, edges)
    ends = cv2.dilate(edge_pixels, _RING, iterations=2)

    def side(length: np.ndarray, area: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        keep = long(length, area)
        for k in np.flatnonzero((length**2 >= BOX_ASPECT * area) & (area <= thick * length) & ~keep):
            x, y, w, h = boxes[k]
            keep[k] = ends[y, x : x + w].any() and ends[y + h - 1, x : x + w].any()
        return keep

    down = _runs(ink, False, run // 2, side)
    ruled = cv2.dilate(edge_pixels | _pixels(ink.shape, down), _RING)
    found = []
    for rule in edges:
        above, below = _touching(ink, ruled, rule)
        underline = above >= UNDERLINE_SHARE
        if underline or long(rule.mask.shape[1], np.count_nonzero(rule.mask)):
            found.append(replace(rule, through=min(above, below) >= THROUGH_SHARE, underline=underline))
    return found + down


def _pixels(shape: tuple[int, ...], found: list[Rule]) -> np.ndarray:
    """The pixels of the rules ``found`` on a page of ``shape``: 1 on a rule, 0 elsewhere."""
    pixels = np.zeros(shape, np.uint8)
    for rule in found:
        pixels[rule.y : rule.y + rule.mask.shape[0], rule.x : rule.x + rule.mask.shape[1]] |= rule.mask.view(np.uint8)
    return pixels


def _touching(ink: np.ndarray, ruled: np.ndarray, rule: Rule) -> tuple[float, float]:
    """The shares of a rule across's length that print touches from above and from below: marks of ``ink`` off
    the rules (``ruled``: a table's cells are not joined by its sides, a double rule's lines are apart) at least
    half as tall as the rule is thick and narrower than half of it, within two pixels. A strike-through cuts its
    words' glyphs in two, touched from both sides; an underline touches its words from above and only descenders
    cross it; a table's border has paper on both sides, and a rule in a halftone tint its grain, joined all along
    it."""
    height, width = rule.mask.shape
    thick = np.count_nonzero(rule.mask) / width
    margin = int(8 * max(thick, 3.0))
    y0, y1 = max(0, rule.y - margin), min(ink.shape[0], rule.y + height + margin)
    line = np.zeros((y1 - y0, width), np.uint8)
    line[rule.y - y0 : rule.y - y0 + height] = rule.mask
    box = np.s_[y0:y1, rule.x : rule.x + width]
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink[box] * (ruled[box] == 0))
    touching = np.unique(labels[cv2.dilate(line, np.ones((5, 1), np.uint8)) > 0])  # two pixels out
    _, top, wide, tall = stats[touching[touching > 0], :4].T
    above = top + tall / 2 < rule.y - y0 + height / 2
    parts = (2 * tall >= thick) & (2 * wide <= width)
    return wide[parts & above].sum() / width, wide[parts & ~above].sum() / width


def _runs(ink: np.ndarray, across: bool, least: int, keep: Keep) -> list[Rule]:
    """The straight runs of ``ink`` one way (``across`` its rows, or down its columns) at least ``least`` long
    whose components pass ``keep(length, area, boxes)`` (arrays over the components; boxes as x, y, w, h) and have
    paper along both sides (together under ``RULE_CLEAR`` ink, a pixel out, or past a second rule beside it: not the
    grain of a halftone tint, nor the edge of a filled area)."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (least, 1) if across else (1, least))
    lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
    if not cv2.countNonZero(lines):
        return []
    _, labels, stats, _ = cv2.connectedComponentsWithStats(lines)
    stats = stats[1:].astype(np.int64)
    length = stats[:, cv2.CC_STAT_WIDTH if across else cv2.CC_STAT_HEIGHT]
    chosen = keep(length, stats[:, cv2.CC_STAT_AREA], stats[:, :4])
    along = ink if across else ink.T  # a rule's sides: the rows beside a rule across, the columns beside one down
    last = along.shape[0] - 1
    found = []
    for k in np.flatnonzero(chosen):
        x, y, w, h = stats[k, :4] if across else stats[k, [1, 0, 3, 2]]
        ink_beside: int | np.integer = 0
        for step in (-1, 1):  # each side a pixel out; where a second rule lies there (a double rule), past it
            start = y - 1 if step < 0 else y + h
            near, far = (
                np.count_nonzero(along[min(max(start + step * gap, 0), last), x : x + w]) for gap in (1, 2 * h + 2)
            )
            ink_beside += min(near, far) if near >= DOUBLE_RULE * w else near
        if ink_beside <= RULE_CLEAR * w:
            x, y, w, h = stats[k, :4]
            found.append(Rule(int(x), int(y), labels[y : y + h, x : x + w] == k + 1, across))
    return found


def paper_gray(image: np.ndarray) -> np.ndarray | None:
    """The gray of an HxWx3 page of dark print on a flat light ground (paper, a screen; not a photo's scene:
    ``RULE_FLAT_SHARE``), the pages whose rules and checkboxes are looked for; None for other pages."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    level, flat = ground(gray, RULE_FLAT_SHARE)
    return gray if flat and level >= 128 else None


def remove_rules(image: np.ndarray, found: list[Rule]) -> np.ndarray:
    """``image`` with the rules ``found`` on it painted over (itself when there are none). Each rule is filled in
    from either side of it (``_fill_across``), so print that a strike-through runs through keeps its strokes; an
    underline from the side away from its print alone, so descenders that cross it go on and letters that sit on
    it end there, not in a gray smear. Rules that lie side by side (a double rule, the touching sides of two boxed
    words) are filled as one: filled one by one, each took the other's ink for the paper beyond it and left a gray
    bar between the two words, read as "|" or "]" and joining them into one region."""
    if not found:
        return image
    out = image.copy()
    height, width = image.shape[:2]
    # rules across first, then down: where they cross, a rule down is filled from its across rules' fill
    for across, from_below in ((True, False), (True, True), (False, False)):
        group = [rule for rule in found if rule.across == across and rule.from_below == from_below]
        if not group:
            continue
        # the group's box, grown by the masks' dilation and the pixel beyond it (across), or the ends' blur (along)
        y0, x0 = max(0, min(rule.y for rule in group) - 2), max(0, min(rule.x for rule in group) - 2)
        y1 = min(height, max(rule.y + rule.mask.shape[0] for rule in group) + 2)
        x1 = min(width, max(rule.x + rule.mask.shape[1] for rule in group) + 2)
        exact, edged = (
            _pixels((y1 - y0, x1 - x0), [replace(r, x=r.x - x0, y=r.y - y0) for r in group if r.touches_print == t])
            for t in (True, False)
        )
        # a rule print touches is painted exactly: strokes along it are partly in its antialiased edge (an "e"'s
        # bar; struck pages 0.49 -> 0.75); other rules with that edge
        mask = exact | cv2.dilate(edged, _RING)
        _fill_across(out[y0:y1, x0:x1], mask.astype(bool), across, from_below)
    return out


def _fill_across(image: np.ndarray, mask: np.ndarray, across: bool, from_after: bool = False) -> None:
    """Each run of ``mask`` pixels across a rule (down a column for a rule across the page, along a row for one
    down it) filled in place from the pixels just outside its two ends, blended by distance: paper where the rule
    ran over paper, a glyph's stroke where one crosses it; ``from_after``: from the end below (or right) alone.
    The end pixels are averaged over three along the rule, so that a noisy paper's grain does not run across the
    rule in streaks."""
    fixed, pos = np.nonzero(mask.T if across else mask)  # (column, row) or (row, column), runs consecutive in pos
    new = np.r_[True, (np.diff(fixed) != 0) | (np.diff(pos) != 1)]
    run = np.cumsum(new) - 1
    first = pos[new][run]
    last = np.r_[pos[np.flatnonzero(new)[1:] - 1], pos[-1]][run]
    limit = mask.shape[0 if across else 1] - 1
    before = np.where(first > 0, first - 1, np.minimum(last + 1, limit))
    after = np.where(last < limit, last + 1, before)
    # how far along the run: the nearer end counts more (from_after: the end after alone)
    share = np.ones(len(pos)) if from_after else (pos - first + 1) / (last - first + 2)
    if image.ndim == 3:
        share = share[:, None]
    ends = cv2.blur(image, (3, 1) if across else (1, 3))
    if across:
        image[pos, fixed] = np.rint(ends[before, fixed] * (1 - share) + ends[after, fixed] * share).astype(np.uint8)
    else:
        image[fixed, pos] = np.rint(ends[fixed, before] * (1 - share) + ends[fixed, after] * share).astype(np.uint8)
