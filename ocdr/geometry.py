"""Polygon helpers and text-region crops, shared by detection post-processing, recognition and evaluation.

Quads are (4, 2) float32 arrays in pixel coordinates (x right, y down), ordered clockwise on screen starting at
the top-left corner, so that p0->p1 is the top edge in reading direction and p3->p2 the bottom edge.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import pyclipper
from numpy.typing import ArrayLike


def scaled(image: np.ndarray, scale: float) -> np.ndarray:
    """``image`` resized by ``scale`` (area-averaged when shrinking), each side one pixel at least: an image a pixel
    or two thick (a rule, a strip cut from a scan) would otherwise shrink to nothing, which OpenCV refuses."""
    if scale == 1.0:
        return image
    height, width = image.shape[:2]
    interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
    if min(height, width) * scale >= 1:  # OpenCV sizes it, keeping the exact factor (a given size rounds it)
        return cv2.resize(image, None, fx=scale, fy=scale, interpolation=interpolation)
    return cv2.resize(image, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=interpolation)


def _as_quad(pts: np.ndarray) -> np.ndarray:
    quad = np.asarray(pts, dtype=np.float32)
    if quad.shape != (4, 2):
        raise ValueError(f"expected a (4, 2) quad, got shape {quad.shape}")
    return quad


def order_points(pts: np.ndarray) -> np.ndarray:
    """Order 4 points clockwise from the top-left, whatever their input order.

    The points are sorted by angle around their centroid, then the start is the corner whose outgoing edge
    points most nearly along +x. Unlike the usual ``x + y`` / ``y - x`` rules this stays right for boxes
    rotated by up to 45 degrees either way; for near-axis-aligned boxes the start is the smallest ``x + y``.
    """
    quad = _as_quad(pts)
    centre = quad.mean(axis=0)
    angles = np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0])
    quad = quad[np.argsort(angles, kind="stable")]  # increasing angle with y down = clockwise on screen
    edges = np.roll(quad, -1, axis=0) - quad
    lengths = np.maximum(np.linalg.norm(edges, axis=1), 1e-9)
    start = int(np.argmax(edges[:, 0] / lengths))
    return np.roll(quad, -start, axis=0)


def polygon_box(pts: np.ndarray) -> tuple[float, float, float, float]:
    """Axis-aligned bounds ``(x0, y0, x1, y1)`` of a polygon with any number of points."""
    arr = np.asarray(pts, dtype=np.float32).reshape(-1, 2)
    if len(arr) == 0:
        raise ValueError("cannot bound an empty polygon")
    x0, y0 = arr.min(axis=0)
    x1, y1 = arr.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def pixel_box(polygon: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    """Integer ``(x0, y0, x1, y1)`` around a polygon, inside a ``width`` x ``height`` image (whole pixels)."""
    p = np.asarray(polygon, dtype=np.float64)
    x0, y0 = np.floor(p.min(axis=0))
    x1, y1 = np.ceil(p.max(axis=0))
    x0, x1 = (int(np.clip(v, 0, width)) for v in (x0, x1))
    y0, y1 = (int(np.clip(v, 0, height)) for v in (y0, y1))
    return x0, y0, max(x1, x0), max(y1, y0)


def quad_from_box(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """The quad of an axis-aligned box, clockwise from the top-left."""
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)


def sub_quad(polygon: np.ndarray, start: float, end: float) -> np.ndarray:
    """The part of a text-line quad between fractions ``start`` and ``end`` of its length in reading direction.

    Top and bottom edges are interpolated separately, so slanted and perspective lines keep their shape; this is
    how word boxes are cut out of a line box from the CTC character positions.
    """
    if not 0.0 <= start < end <= 1.0:
        raise ValueError(f"need 0 <= start < end <= 1, got start={start}, end={end}")
    return split_quad(polygon, [start, end])[0]


def split_quad(polygon: np.ndarray, cuts: Sequence[float] | np.ndarray) -> np.ndarray:
    """The parts of a text-line quad between consecutive ``cuts`` (fractions of its length in reading direction,
    ascending), as ``sub_quad`` cuts one: an (n - 1, 4, 2) stack, in one step for a word's characters."""
    top0, top1, bottom1, bottom0 = _as_quad(polygon)
    f = np.asarray(cuts, dtype=np.float32)[:, None]
    top, bottom = top0 + (top1 - top0) * f, bottom0 + (bottom1 - bottom0) * f
    return np.stack([top[:-1], top[1:], bottom[1:], bottom[:-1]], axis=1).astype(np.float32)


def quad_aspect(polygon: np.ndarray) -> float:
    """Height over width of a quad (longer side edge over longer top/bottom edge)."""
    p0, p1, p2, p3 = _as_quad(polygon)
    width: np.floating | float = max(np.linalg.norm(p1 - p0), np.linalg.norm(p2 - p3))
    height = max(np.linalg.norm(p3 - p0), np.linalg.norm(p2 - p1))
    return float(height / max(width, 1e-6))


def region_height(polygon: np.ndarray) -> float:
    """A region's print height: the shorter side of its minimum-area rectangle (any turn)."""
    (_, _), (w, h), _ = cv2.minAreaRect(np.asarray(polygon, dtype=np.float32).reshape(-1, 1, 2))
    return float(min(w, h))


def turn_quad(polygon: np.ndarray) -> np.ndarray:
    """The same quad read top to bottom: corners rolled by one, so its "top edge" is the right side."""
    return np.roll(_as_quad(polygon), -1, axis=0)


def unturn_points(points: np.ndarray, angle: int, width: int, height: int) -> np.ndarray:
    """Points of ``np.rot90(image, angle // 90)`` (the image turned counterclockwise by ``angle``) in the
    coordinates of ``image`` itself, a ``width`` x ``height`` image."""
    pts = np.asarray(points, dtype=np.float32)
    x, y = pts[..., 0], pts[..., 1]
    turns = (angle // 90) % 4
    if turns == 1:
        x, y = width - y, x
    elif turns == 2:
        x, y = width - x, height - y
    elif turns == 3:
        x, y = y, height - x
    return np.stack([x, y], axis=-1).astype(np.float32)


def reading_quad(polygon: np.ndarray, vertical_ratio: float = 1.5) -> np.ndarray:
    """The quad with its corners starting at the top-left in reading direction: a region at least
    ``vertical_ratio`` times taller than wide is taken to be vertical text read top to bottom (PaddleOCR's rule)."""
    return turn_quad(polygon) if quad_aspect(polygon) >= vertical_ratio else _as_quad(polygon)


def crop_region(
    image: np.ndarray, polygon: np.ndarray, rotate_vertical: bool = True, vertical_ratio: float = 1.5
) -> np.ndarray:
    """Warp a quad of ``image`` (gray or colour) to an upright horizontal strip for recognition.

    The strip is as wide as the longer of the top/bottom edges and as tall as the longer side edge. With
    ``rotate_vertical``, vertical text (see ``reading_quad``) comes out turned 90 degrees counter-clockwise, so the
    recognizer always reads left to right.
    """
    if image.ndim not in (2, 3) or image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"expected a non-empty HxW or HxWxC image, got shape {image.shape}")
    quad = reading_quad(polygon, vertical_ratio) if rotate_vertical else _as_quad(polygon)
    p0, p1, p2, p3 = quad
    width = max(1, int(round(max(np.linalg.norm(p1 - p0), np.linalg.norm(p2 - p3)))))
    height = max(1, int(round(max(np.linalg.norm(p3 - p0), np.linalg.norm(p2 - p1)))))
    target = quad_from_box(0, 0, width, height)
    matrix = cv2.getPerspectiveTransform(quad, target)
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


CLIPPER_SCALE = 64.0  # pyclipper works on integers: fixed point keeps sub-pixel precision


def offset_polygon(polygon: np.ndarray, distance: float) -> np.ndarray | None:
    """Grow (distance > 0) or shrink (< 0) a polygon with round joins, the Vatti clipping DBNet uses for its
    targets and its unclipping. Returns the outer path (a concave polygon may also yield holes), or None if
    nothing is left."""
    offset = pyclipper.PyclipperOffset()
    offset.ArcTolerance = 0.25 * CLIPPER_SCALE
    path = np.round(np.asarray(polygon, np.float64).reshape(-1, 2) * CLIPPER_SCALE).astype(np.int64)
    offset.AddPath(path.tolist(), pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    paths = offset.Execute(distance * CLIPPER_SCALE)
    if not paths:
        return None
    outer = max(paths, key=lambda p: abs(pyclipper.Area(p)))
    return np.asarray(outer, dtype=np.float32) / CLIPPER_SCALE


def true_runs(mask: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The runs of True in a 1-D mask, as their starts and ends (exclusive)."""
    edges = np.flatnonzero(np.diff(np.r_[0, np.asarray(mask).astype(np.int8), 0]))
    return edges[0::2], edges[1::2]


def pad_quad(polygon: np.ndarray, vertical: float, horizontal: float = 0.0, below: float | None = None) -> np.ndarray:
    """The quad grown by ``vertical`` x its height above and below (``below``: by that below instead), and
    ``horizontal`` x its height at both ends, along its own axes, so a skewed quad stays skewed."""
    p0, p1, p2, p3 = _as_quad(polygon).astype(np.float64)
    height = (np.linalg.norm(p3 - p0) + np.linalg.norm(p2 - p1)) / 2
    down = ((p3 - p0) + (p2 - p1)) / 2
    right = ((p1 - p0) + (p2 - p3)) / 2
    unit = down / max(np.linalg.norm(down), 1e-6) * height
    up, down = unit * vertical, unit * (vertical if below is None else below)
    right = right / max(np.linalg.norm(right), 1e-6) * height * horizontal
    return np.stack([p0 - up - right, p1 - up + right, p2 + down + right, p3 + down - right]).astype(np.float32)


def map_points(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Points (..., 2) through a 2x3 affine matrix or a 3x3 homography."""
    pts = np.asarray(points, dtype=np.float64)
    out = pts @ matrix[:2, :2].T + matrix[:2, 2]
    if matrix.shape == (3, 3):
        out = out / (pts @ matrix[2, :2] + matrix[2, 2])[..., None]
    return out.astype(np.float32)


def linked_groups(links: np.ndarray) -> list[list[int]]:
    """Items gathered into groups, two items in one group when a chain of pairs ``links`` (a square boolean matrix,
    ``links[i, j]``: items i and j are linked) joins them (union-find); each group in increasing order, the groups
    by their first item."""
    count = len(links)
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in np.argwhere(np.triu(links, 1)).tolist():
        parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(count):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())
