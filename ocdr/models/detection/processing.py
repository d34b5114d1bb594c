"""DBNet pre- and post-processing in numpy/OpenCV/pyclipper, shared by training-time validation and ONNX inference.

Post-processing follows DBNet / PaddleOCR: threshold the probability map, take each connected contour's
minimum-area box, score it by the mean probability inside, and grow ("unclip") it back by
``area * unclip_ratio / perimeter`` to undo the shrinking applied to the training targets. One addition: a lone
character in a row of text is kept below ``box_thresh`` (``_lone_characters``).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import cv2
import numpy as np

from ocdr.errors import InputError
from ocdr.geometry import offset_polygon, order_points, polygon_box, quad_aspect, quad_from_box
from ocdr.glyphs import Ink

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
# pixels: the pipeline shrinks a large page no further than its glyphs' reaching this size (prepare_detection_input).
# Tuning pages (synthetic, 300 dpi: small print, ordinary print, photographed), word F at 0 / 14 / 17 / 20 / 24:
# 0.890 / 0.897 / 0.903 / 0.907 / 0.907, 0.935 / 0.934 / 0.936 / 0.940 / 0.937, 0.825 / 0.829 / 0.838 / 0.841 / 0.845
MIN_GLYPH = 20.0
# pixels: a page whose glyphs measure more is shrunk until they measure this. The detector (trained on text 8-40 pixels
# high) reads rendered posters at every size this way; without, words in 110-pixel type were half lost and in
# 160-pixel type all lost. The real training pages over it (4 of 400 ICDAR 2015 photos, 2 of 360 SROIE receipts)
# read as well or better shrunk.
MAX_GLYPH = 48.0
# a line of print LARGE_PRINT x MAX_GLYPH or more beside ordinary print (ocdr.glyphs.Ink.large_print) is read in a
# second pass at a smaller size; a main region LARGE_PRINT_INSIDE inside a region of that pass is a fragment of it.
# Headlines in capitals 56-64 pixels high over 20-pixel print, 11 fonts (stop 70): at 1.5, 9 and 8 of 11 read; at
# 1.2, 10 and 11
LARGE_PRINT, LARGE_PRINT_INSIDE = 1.2, 0.5
# A region found TALL_REGION x MAX_GLYPH high or more (at the detector's size) is print too large for it that the
# glyph measure missed: the page is read again at a size where that region is REGION_GLYPH x MAX_GLYPH high (a
# region stands about 1.4 times its capitals' height). No held-out real page has one (tallest: 63 pixels on ICDAR
# 2015 photos, 83 on SROIE receipts, 47 on FUNSD forms, those with a large-print reading aside)
TALL_REGION, REGION_GLYPH = 2.0, 1.4
# The detector's input is kept to MAX_PIXELS (its memory), and each side to MAX_SIDE. Sized for its glyphs
# (``detection_sizes``), a strip, a page more than STRIP_ASPECT times as long as wide (a till receipt), is limited by
# the side of a square of its pixels (``limit_extent``) rather than by its long side: else a receipt 600 pixels wide
# and 16,000 long is read 10 times smaller, its glyphs too small to find, where a square page of its pixels is read
# at half its size.
MAX_PIXELS, MAX_SIDE, STRIP_ASPECT = 4000 * 4000, 16384, 2.0
# contours of a probability map post-processed at most: a bound on time for maps of noise, far above the words of
# a dense page (PaddleOCR's 1,000 cut off a newspaper page's or a long receipt's words)
MAX_CANDIDATES = 20000
# A region whose quad's sides differ by at most SQUARISH times, and whose level box is at most LEVEL_AREA x the
# quad's area, is boxed level (``_min_box``)
SQUARISH, LEVEL_AREA = 1.6, 1.1
LINE_DOWN = 3.0  # a weak region this many times taller than wide is a line running down the page, kept in print
LIMIT_TYPES = ("max", "min", "resize_long")
BOX_TYPES = ("quad", "poly")
_STRIDE = 32  # DBNet downsamples by 32: input sides must be multiples of it
# A region scored under box_thresh is still kept when it is no wider than LONE_ASPECT times its height and sits in
# the row of a kept region: vertical overlap at least ROW_OVERLAP of the lower one, heights within ROW_HEIGHTS of
# each other, at most ROW_REACH of the kept region's height apart. Picked on training pages outside the held-out
# ones (the detector's card, stops 33 and 45): a receipt's lone quantity "1" scored 0.35-0.45 and was lost; unclipped,
# a narrow "1" measures 0.48-0.84 of its row's height, and a digit's blurred region can be wider than tall.
LONE_ASPECT, ROW_OVERLAP, ROW_HEIGHTS, ROW_REACH = 1.5, 0.8, 2.0, 1.0
LONE_LEFT = 0.3  # a lone character's region is cut back to the gap beside its row-mates when this x its height is left
# A weak region of one narrow glyph (at least ALONE_NARROW times taller than wide, under ``LINE_DOWN``) with no kept
# region within ALONE_REACH x its height is kept too, if at least ALONE_HEIGHT x the kept regions' median height: a
# narrow glyph alone on the page ("7", "1" on a blank page scored 0.42-0.45, under the default 0.45; their regions
# 1.6-1.7 times taller than wide), which the pipeline keeps only where it reads it surely. A squarish speck far from
# a FUNSD form's text (1.1) read "." and joined a word. Such a region scores at most ALONE_SLACK under ``box_thresh``
# (a caller's higher bar raises this one too: at 1.0, no region at all).
ALONE_NARROW, ALONE_REACH, ALONE_HEIGHT, ALONE_SLACK = 1.3, 3.0, 0.6, 0.1


def _check_positive_int(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _snap(side: float) -> int:
    return max(_STRIDE, int(np.floor(side / _STRIDE + 0.5)) * _STRIDE)


def limit_extent(height: int, width: int) -> float:
    """The side that ``limit_side_len`` bounds on a page sized for its glyphs: the long side, or a strip's square
    side (``STRIP_ASPECT``)."""
    long_side, short_side = max(height, width), min(height, width)
    return math.sqrt(long_side * short_side) if long_side > STRIP_ASPECT * short_side else long_side


def detection_size(
    height: int,
    width: int,
    limit_side_len: int = 1600,
    limit_type: str = "max",
    max_side: int = MAX_SIDE,
    min_ratio: float = 0.0,
    max_pixels: int = MAX_PIXELS,
) -> tuple[int, int]:
    """Network input size ``(H', W')`` for an image, with PaddleX ``limit_side_len`` / ``limit_type`` semantics.

    ``"max"`` shrinks so the long side is at most ``limit_side_len``; ``"min"`` enlarges so the short side is
    at least ``limit_side_len``; ``"resize_long"`` always scales the long side to ``limit_side_len``. A shrink
    stops at ``min_ratio`` (which never enlarges). The size is then kept to ``max_pixels`` and its sides to
    ``max_side``, so that huge inputs cannot exhaust memory, and the sides are rounded to multiples of 32.
    """
    for name, value in (
        ("height", height),
        ("width", width),
        ("limit_side_len", limit_side_len),
        ("max_side", max_side),
    ):
        _check_positive_int(name, value)
    if max_side < _STRIDE:
        raise ValueError(f"max_side must be at least {_STRIDE}, got {max_side}")
    if limit_type not in LIMIT_TYPES:
        raise ValueError(f"limit_type must be one of {LIMIT_TYPES}, got {limit_type!r}")

    long_side, short_side = max(height, width), min(height, width)
    if limit_type == "max":
        ratio = min(1.0, limit_side_len / long_side)
    elif limit_type == "min":
        ratio = max(1.0, limit_side_len / short_side)
    else:
        ratio = limit_side_len / long_side
    ratio = max(ratio, min(1.0, min_ratio))
    h, w = height * ratio, width * ratio
    shrink = min(1.0, max_side / max(h, w), math.sqrt(max_pixels / (h * w)))
    h, w = h * shrink, w * shrink
    sides = []
    for side in (h, w):
        snapped = _snap(side)
        if snapped > max_side:  # rounding up may overshoot the cap: round down instead
            snapped = max(_STRIDE, int(side // _STRIDE) * _STRIDE)
        sides.append(snapped)
    return sides[0], sides[1]


def prepare_detection_input(
    image: np.ndarray,
    limit_side_len: int = 1600,
    limit_type: str = "max",
    max_side: int = MAX_SIDE,
    gray: bool = False,
    min_glyph: float = 0.0,
    max_glyph: float = 0.0,
) -> tuple[np.ndarray, tuple[int, int]]:
    """The (1, 3, H', W') input of the detector's main reading of an HxWx3 uint8 RGB image and ``(H', W')``
    (``detection_sizes``, ``detection_input``)."""
    size, _ = detection_sizes(image, limit_side_len, limit_type, max_side, min_glyph, max_glyph)
    return detection_input(image, size, gray), size


def detection_sizes(
    image: np.ndarray,
    limit_side_len: int = 1600,
    limit_type: str = "max",
    max_side: int = MAX_SIDE,
    min_glyph: float = 0.0,
    max_glyph: float = 0.0,
    min_long_side: int = 0,
) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """The sizes ``(H', W')`` the detector reads an HxWx3 uint8 RGB image at: its main size, and a smaller one for
    print too large for the main size beside ordinary print (a headline over body text), or None.

    The main size follows ``detection_size`` (with ``min_glyph``, a strip is shrunk no further than to its square
    side's limit: ``limit_extent``), enlarged where its long side is under ``min_long_side`` (photos: their
    small words are under the 8-40 pixels the detector learnt); then, measured on the page at that size
    (``ocdr.glyphs``):
    ``min_glyph``: a page the limit would shrink is shrunk no further than its glyphs measuring this many pixels,
    nor to more than twice the limit side (``limit_extent``): small print on a large scan or photo, or on a long
    receipt, stays findable.
    ``max_glyph``: a page whose glyphs measure more (posters, slides, signs close up) is shrunk until they measure
    that, as the detector learnt text up to about 40 pixels high and misses letters twice that size; a page with
    a line of glyphs over ``LARGE_PRINT`` x ``max_glyph`` beside smaller print gets the second size, where those
    measure ``max_glyph``.
    """
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        shape = getattr(image, "shape", None)
        raise InputError(f"expected an HxWx3 uint8 RGB image, got {type(image).__name__} of shape {shape}")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise InputError(f"empty image of shape {image.shape}")
    height, width = image.shape[:2]
    strip = limit_side_len / limit_extent(height, width) if min_glyph else 0.0  # a strip is shrunk no further
    size = detection_size(height, width, limit_side_len, limit_type, max_side, min_ratio=strip)
    if min_long_side and max(size) < min_long_side:
        size = detection_size(height, width, min_long_side, "resize_long", max_side)
    if not (min_glyph or max_glyph):
        return size, None
    ink = Ink(_resize(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), size))  # the page at the main size
    ratio = size[0] / height
    small = min_glyph and size[0] * size[1] < height * width and ink.glyph_size()
    if small and small < min_glyph:
        enlarged = min(ratio * min_glyph / small, 2 * limit_side_len / limit_extent(height, width))
        main = detection_size(height, width, limit_side_len, limit_type, max_side, min_ratio=enlarged)
        return main, _large_print_size(ink, ratio, height, width, max_glyph)
    # large glyphs: a poster's few letters may each be a third of the page, where small print's measure stops; shrunk
    # for them, a headline far larger still (a sale poster's "SALE" over its lines in 90-pixel type) is read again
    large = max_glyph and ink.glyph_size(largest=1 / 2, fewest=3)
    if large and large > max_glyph:
        shrink = max_glyph / large
        main = _snap(height * ratio * shrink), _snap(width * ratio * shrink)
        return main, _large_print_size(ink, ratio, height, width, max_glyph, shrink)
    return size, _large_print_size(ink, ratio, height, width, max_glyph)


def _large_print_size(
    ink: Ink, ratio: float, height: int, width: int, max_glyph: float, shrink: float = 1.0
) -> tuple[int, int] | None:
    """The size at which a line of the page's glyphs over ``LARGE_PRINT`` x ``max_glyph`` at the main size
    (``Ink.large_print``; ``ink`` is the page's at ``ratio``, the main size ``shrink`` times that) measures
    ``max_glyph``, or None when it has none."""
    large = max_glyph and ink.large_print(LARGE_PRINT * max_glyph / shrink)
    if not large:
        return None
    scale = ratio * max_glyph / large
    return _snap(height * scale), _snap(width * scale)


def tall_region_size(size: tuple[int, int], tallest: float, max_glyph: float) -> tuple[int, int] | None:
    """The size at which the tallest region found at ``size`` (``tallest`` pixels high there) measures
    ``REGION_GLYPH`` x ``max_glyph``, when it measures ``TALL_REGION`` x ``max_glyph`` or more, else None: print too
    large for the detector that ``Ink`` could not measure (white letters outlined in black over a photo, a meme's
    captions, read in pieces or not at all at the size a photo is enlarged to)."""
    if not max_glyph or tallest < TALL_REGION * max_glyph:
        return None
    scale = REGION_GLYPH * max_glyph / tallest
    return _snap(size[0] * scale), _snap(size[1] * scale)


def detection_input(image: np.ndarray, size: tuple[int, int], gray: bool = False, pad: int = 0) -> np.ndarray:
    """An HxWx3 uint8 RGB image at ``size`` (H', W'), normalized with ImageNet statistics, as (1, 3, H', W')
    float32. ``gray``: the model was trained on gray pages (its three channels the same): the image is made gray
    first, as in training. ``pad``: that many pixels of the border's median colour around it (the input grows by
    2 x ``pad``): text cut tight at the image's edge, as in a word or line cropped to its ink, gets the background
    around it that the detector needs to find it."""
    resized = pad_border(_resize(image, size), pad)
    planes = [cv2.cvtColor(resized, cv2.COLOR_RGB2GRAY)] * 3 if gray else cv2.split(resized)
    out = np.empty((1, 3, *resized.shape[:2]), dtype=np.float32)
    for channel, (plane, mean, std) in enumerate(zip(planes, MEAN, STD, strict=True)):
        # one pass per plane, straight into the model's layout: 8x faster than numpy's float arithmetic on the
        # interleaved page (8 against 67 ms at 1920x1088), which a photo read enlarged spent 10% of its time on
        out[0, channel] = cv2.addWeighted(plane, 1.0 / (255.0 * std), plane, 0.0, -mean / std, dtype=cv2.CV_32F)
    return out


def pad_border(image: np.ndarray, pad: int) -> np.ndarray:
    """A gray or colour image with ``pad`` pixels of its border's median colour on every side (itself when ``pad``
    is 0)."""
    if not pad:
        return image
    ring = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    fill = [int(v) for v in np.atleast_1d(np.median(ring, axis=0))]
    return cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=fill)


def merge_large_print(regions: list[DetectedRegion], large: list[DetectedRegion]) -> list[DetectedRegion]:
    """The main reading's ``regions`` with the ``large`` print read at a smaller size added: a main region lying
    mostly (``LARGE_PRINT_INSIDE``) inside a large one is a fragment of it and gives way. Reading order kept."""
    if not large:
        return regions
    hulls = [cv2.convexHull(r.polygon.astype(np.float32)) for r in large]

    def inside(region: DetectedRegion) -> bool:
        hull = cv2.convexHull(region.polygon.astype(np.float32))
        area = cv2.contourArea(hull)
        return area > 0 and any(
            cv2.intersectConvexConvex(hull, other)[0] >= LARGE_PRINT_INSIDE * area for other in hulls
        )

    return _reading_order([r for r in regions if not inside(r)] + large)


def _resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` at ``size`` (H, W); area averaging when shrinking, as training scales its pages (linear sampling
    skips pixels and breaks thin strokes)."""
    shrink = size[0] * size[1] < image.shape[0] * image.shape[1]
    return cv2.resize(image, (size[1], size[0]), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


@dataclass
class DetectedRegion:
    """A detected text region in source-image pixels.

    ``polygon`` is a (4, 2) quad clockwise from the top-left for ``box_type="quad"``, or an (N >= 4, 2)
    clockwise polygon starting at the vertex nearest its bounding quad's top-left for ``box_type="poly"``.
    """

    polygon: np.ndarray
    score: float


def _min_box(points: np.ndarray, level: bool = False) -> tuple[np.ndarray, float]:
    """Ordered minimum-area quad around ``points`` and its shorter side. ``level`` (print): a squarish blob (a short
    word, a letter) whose level box is nearly as small is boxed level, its minimum-area quad's turn saying little
    (a short word's blob, a little uneven, came out turned by 6 degrees, and its subscript went unseen). A photo's
    short words are often truly turned: boxed level, held-out street photos lost 0.9 points of hmean."""
    pts = points.reshape(-1, 1, 2).astype(np.float32)
    rect = cv2.minAreaRect(pts)
    (w, h), area = rect[1], rect[1][0] * rect[1][1]
    level_w, level_h = float(np.ptp(pts[:, 0, 0])), float(np.ptp(pts[:, 0, 1]))
    if level and area > 0 and max(w, h) <= SQUARISH * min(w, h) and level_w * level_h <= LEVEL_AREA * area:
        x0, y0 = float(pts[:, 0, 0].min()), float(pts[:, 0, 1].min())
        return quad_from_box(x0, y0, x0 + level_w, y0 + level_h), min(level_w, level_h)
    return order_points(cv2.boxPoints(rect)), float(min(w, h))


def _box_score(prob_map: np.ndarray, polygon: np.ndarray) -> float:
    """Mean probability inside ``polygon``, filling it into a mask over its bounding rectangle only (fast)."""
    h, w = prob_map.shape
    x0 = int(np.clip(np.floor(polygon[:, 0].min()), 0, w - 1))
    x1 = int(np.clip(np.ceil(polygon[:, 0].max()), 0, w - 1))
    y0 = int(np.clip(np.floor(polygon[:, 1].min()), 0, h - 1))
    y1 = int(np.clip(np.ceil(polygon[:, 1].max()), 0, h - 1))
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), dtype=np.uint8)
    shifted = np.round(polygon - np.array([x0, y0], dtype=np.float32)).astype(np.int32)
    cv2.fillPoly(mask, [shifted], 1)
    return float(cv2.mean(prob_map[y0 : y1 + 1, x0 : x1 + 1], mask)[0])


def _unclip(polygon: np.ndarray, unclip_ratio: float) -> np.ndarray | None:
    """Grow ``polygon`` by ``area * unclip_ratio / perimeter``; None if nothing is left."""
    perimeter = cv2.arcLength(polygon.reshape(-1, 1, 2), True)
    if perimeter <= 0:
        return None
    return offset_polygon(polygon, cv2.contourArea(polygon.reshape(-1, 1, 2)) * unclip_ratio / perimeter)


def _clockwise_from(polygon: np.ndarray, anchor: np.ndarray) -> np.ndarray:
    """``polygon`` turned clockwise on screen and rotated to start at its vertex nearest ``anchor``."""
    if cv2.contourArea(polygon.reshape(-1, 1, 2), oriented=True) < 0:
        polygon = polygon[::-1]
    start = int(np.argmin(np.linalg.norm(polygon - anchor, axis=1)))
    return np.roll(polygon, -start, axis=0)


def _lines_down(kept: list[DetectedRegion], weak: list[DetectedRegion]) -> list[DetectedRegion]:
    """The ``weak`` regions (scored under ``box_thresh``) that run down a page with ``kept`` text, ``LINE_DOWN``
    times taller than wide: a chart's axis title, a margin's stamp. DB learnt text running across and scores such a
    line low (a label up a chart's axis, found whole, scored 0.43); the pipeline keeps it only where it reads it
    surely."""
    return [region for region in weak if quad_aspect(region.polygon) >= LINE_DOWN] if kept else []


def _lone_characters(kept: list[DetectedRegion], weak: list[DetectedRegion]) -> list[DetectedRegion]:
    """The ``weak`` regions (scored under ``box_thresh``) that are single characters in the row of a ``kept`` one.

    DB scores a region by its mean probability, and a lone digit or letter is mostly blurred stroke edge, so it
    scores low where a word of the same print scores high; alone, such a score is no different from a speck's. A
    small square-ish region lined up with kept text (same row, same height, next to it) is text whatever its score.
    """
    rows = _Rows(kept)
    found = []
    for region in weak:
        x0, y0, x1, y1 = polygon_box(region.polygon)
        height = y1 - y0
        if height <= 0 or x1 - x0 > LONE_ASPECT * height:
            continue
        mates = rows.mates(region)
        if any(min(abs(x0 - bx1), abs(bx0 - x1)) <= ROW_REACH * h for bx0, bx1, h in mates):
            found.append(_between(region, mates))
    return found


def _alone(kept: list[DetectedRegion], weak: list[DetectedRegion], floor: float) -> list[DetectedRegion]:
    """The ``weak`` regions (scored under ``box_thresh``, ``floor`` or more) that are single narrow characters
    (``ALONE_NARROW``) far from any ``kept`` region (``ALONE_REACH``) and not small beside its print
    (``ALONE_HEIGHT``): a narrow glyph alone (a page's lone "7" or "1"), mostly blurred stroke edge, scores as low as
    in a row (``_lone_characters``) but has no row to vouch for it; the pipeline keeps such a region only where it
    reads it surely."""
    boxes = np.array([polygon_box(r.polygon) for r in kept], np.float64).reshape(-1, 4)
    least = ALONE_HEIGHT * float(np.median(boxes[:, 3] - boxes[:, 1])) if len(boxes) else 0.0
    found = []
    for region in weak:
        x0, y0, x1, y1 = polygon_box(region.polygon)
        height = y1 - y0
        if region.score < floor or height <= 0 or height < least:
            continue  # too faint, or a speck beside the print
        if not ALONE_NARROW <= quad_aspect(region.polygon) < LINE_DOWN:
            continue  # no narrow glyph's, or a line running down (``_lines_down``)
        reach = ALONE_REACH * height
        gap_x = np.maximum(boxes[:, 0] - x1, x0 - boxes[:, 2])
        gap_y = np.maximum(boxes[:, 1] - y1, y0 - boxes[:, 3])
        if not np.any((gap_x <= reach) & (gap_y <= reach)):
            found.append(region)
    return found


class _Rows:
    """Regions' boxes sorted by top, for finding those in a region's row."""

    def __init__(self, regions: list[DetectedRegion]):
        self.boxes = sorted((polygon_box(r.polygon) for r in regions), key=lambda box: box[1])
        self.tops = [box[1] for box in self.boxes]

    def mates(self, region: DetectedRegion) -> list[tuple[float, float, float]]:
        """The x spans and heights of the regions in ``region``'s row: overlapping it across by ``ROW_OVERLAP`` x
        the lower one, heights within ``ROW_HEIGHTS`` x each other (their tops from that many times its height
        above its top to its bottom)."""
        _, y0, _, y1 = polygon_box(region.polygon)
        height = y1 - y0
        start = bisect.bisect_left(self.tops, y0 - ROW_HEIGHTS * height)
        return [
            (bx0, bx1, by1 - by0)
            for bx0, by0, bx1, by1 in self.boxes[start : bisect.bisect_left(self.tops, y1)]
            if min(y1, by1) - max(y0, by0) >= ROW_OVERLAP * min(height, by1 - by0)
            and max(height, by1 - by0) <= ROW_HEIGHTS * min(height, by1 - by0)
        ]


def _between(region: DetectedRegion, mates: list[tuple[float, float, float]], both: bool = True) -> DetectedRegion:
    """A lone character's region cut back to the gap between the kept regions of its row that it reaches into on
    both sides (``mates``: their x spans and heights): grown around a glyph scored low, it takes in its neighbours'
    end glyphs, and read so it is unsure ("mouth 3 times": "3" read 0.62 sure, and dropped). Left as it is where it
    reaches into one neighbour only (a mark after a word: cut, it reads as something else; with ``both`` False it
    is cut there too), or where less than ``LONE_LEFT`` x its height would be left."""
    x0, y0, x1, y1 = polygon_box(region.polygon)
    middle = (x0 + x1) / 2
    left = max([x0, *[bx1 for _, bx1, _ in mates if bx1 <= middle]])
    right = min([x1, *[bx0 for bx0, _, _ in mates if bx0 >= middle]])
    cut = (left > x0 and right < x1) if both else (left > x0 or right < x1)
    if right - left < LONE_LEFT * (y1 - y0) or not cut:
        return region
    return DetectedRegion(quad_from_box(left, y0, right, y1).astype(np.float32), region.score)


def cut_to_gaps(regions: list[DetectedRegion], others: list[DetectedRegion]) -> list[DetectedRegion]:
    """Each of ``regions`` cut back to the gap between the ``others`` of its row that it reaches into, on either
    side or both (``_between``; the region itself where there is none): a weak region read unsure as it is (its
    neighbours' glyphs in it: "225 g" read "225" and nothing) is read again so."""
    rows = _Rows(others)
    return [_between(region, rows.mates(region), both=False) for region in regions]


def _reading_order(regions: list[DetectedRegion]) -> list[DetectedRegion]:
    """Sort top to bottom, then left to right within a line: regions whose tops lie within half the height of
    the line's first region."""
    boxed = sorted(((polygon_box(r.polygon), r) for r in regions), key=lambda item: (item[0][1], item[0][0]))
    ordered: list[DetectedRegion] = []
    line: list[tuple[tuple[float, float, float, float], DetectedRegion]] = []
    for box, region in boxed:
        if line:
            first = line[0][0]
            if box[1] > first[1] + 0.5 * (first[3] - first[1]):
                ordered.extend(r for _, r in sorted(line, key=lambda item: item[0][0]))
                line = []
        line.append((box, region))
    ordered.extend(r for _, r in sorted(line, key=lambda item: item[0][0]))
    return ordered


class DBPostProcessor:
    """Turn a DB probability map into scored text regions in source-image pixels."""

    def __init__(
        self,
        thresh: float = 0.3,
        box_thresh: float = 0.6,
        unclip_ratio: float = 1.5,
        max_candidates: int = MAX_CANDIDATES,
        min_size: float = 3.0,
        box_type: str = "quad",
        print_page: bool = True,
    ) -> None:
        """``print_page`` (a page of print, not a photo's scene): keep a lone character scored under ``box_thresh``
        in a row of kept text (``_lone_characters``; on 60 tuning photos: one word more for 11 more regions) and a
        weak line running down the page (``_lines_down``), and box squarish blobs level (``_min_box``)."""
        for name, value in (("thresh", thresh), ("box_thresh", box_thresh)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        if not unclip_ratio > 0:
            raise ValueError(f"unclip_ratio must be > 0, got {unclip_ratio}")
        _check_positive_int("max_candidates", max_candidates)
        if not min_size >= 0:
            raise ValueError(f"min_size must be >= 0, got {min_size}")
        if box_type not in BOX_TYPES:
            raise ValueError(f"box_type must be one of {BOX_TYPES}, got {box_type!r}")
        self.thresh = thresh
        self.box_thresh = box_thresh
        self.unclip_ratio = unclip_ratio
        self.max_candidates = max_candidates
        self.min_size = min_size
        self.box_type = box_type
        self.print_page = print_page

    def __call__(self, prob_map: np.ndarray, source_size: tuple[int, int]) -> list[DetectedRegion]:
        """Detect regions in an (H', W') probability map; ``source_size`` is the original ``(height, width)``."""
        prob_map = np.asarray(prob_map, dtype=np.float32)
        if prob_map.ndim != 2 or prob_map.size == 0:
            raise ValueError(f"expected a non-empty (H, W) probability map, got shape {prob_map.shape}")
        src_h, src_w = source_size
        _check_positive_int("source height", src_h)
        _check_positive_int("source width", src_w)
        scale = np.array([src_w / prob_map.shape[1], src_h / prob_map.shape[0]], dtype=np.float32)
        limit = np.array([src_w, src_h], dtype=np.float32)

        bitmap = (prob_map > self.thresh).astype(np.uint8)
        contours = cv2.findContours(bitmap, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)[-2]
        kept: list[DetectedRegion] = []
        weak: list[DetectedRegion] = []
        for contour in contours[: self.max_candidates]:
            polygon = self._polygon(prob_map, contour.reshape(-1, 2).astype(np.float32))
            if polygon is not None:
                points, score = polygon
                region = DetectedRegion(np.clip(points * scale, 0, limit).astype(np.float32), score)
                if score >= self.box_thresh:
                    kept.append(region)
                elif score >= self.thresh:
                    weak.append(region)
        return _reading_order(
            kept
            + (
                _lone_characters(kept, weak)
                + _alone(kept, weak, self.box_thresh - ALONE_SLACK)
                + _lines_down(kept, weak)
                if self.print_page
                else []
            )
        )

    def _polygon(self, prob_map: np.ndarray, contour: np.ndarray) -> tuple[np.ndarray, float] | None:
        """The unclipped region of one contour at map resolution with its score, or None if it is rejected (a
        region scored under ``box_thresh`` is returned for ``_lone_characters`` to judge)."""
        if self.box_type == "quad":
            candidate, short_side = _min_box(contour, self.print_page)
            if short_side < self.min_size:
                return None
        else:
            epsilon = 0.002 * cv2.arcLength(contour.reshape(-1, 1, 2), True)
            candidate = cv2.approxPolyDP(contour.reshape(-1, 1, 2), epsilon, True).reshape(-1, 2)
            if len(candidate) < 4 or _min_box(candidate, self.print_page)[1] < self.min_size:
                return None
        score = _box_score(prob_map, candidate)
        expanded = _unclip(candidate, self.unclip_ratio)
        if expanded is None or len(expanded) < 4:
            return None
        box, short_side = _min_box(expanded, self.print_page)
        if short_side < self.min_size + 2:
            return None
        if self.box_type == "quad":
            return box, score
        return _clockwise_from(expanded, box[0]), score
