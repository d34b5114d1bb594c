"""DBNet training targets (numpy/opencv/pyclipper): shrink map and mask, threshold map and mask.

A text polygon of area A and perimeter L is shrunk (and, for the threshold band, dilated) by the Vatti clipping
offset D = A (1 - r^2) / L with r = 0.4, as in the DBNet paper.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocdr.geometry import offset_polygon

SHRINK_RATIO = 0.4
THRESH_MIN, THRESH_MAX = 0.3, 0.7
MIN_TEXT_SIZE = 3


def shrink_distance(poly: np.ndarray, ratio: float = SHRINK_RATIO) -> float:
    area = abs(cv2.contourArea(poly.astype(np.float32)))
    perimeter = cv2.arcLength(poly.astype(np.float32), True)
    return area * (1 - ratio**2) / max(perimeter, 1e-6)


def _point_segment_distance(xs: np.ndarray, ys: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    denom = float(ab @ ab) or 1e-6
    t = np.clip(((xs - a[0]) * ab[0] + (ys - a[1]) * ab[1]) / denom, 0, 1)
    return np.hypot(xs - (a[0] + t * ab[0]), ys - (a[1] + t * ab[1]))


def _draw_border(poly: np.ndarray, distance: float, thresh_map: np.ndarray, thresh_mask: np.ndarray) -> None:
    dil = offset_polygon(poly, distance)
    if dil is None:
        return
    cv2.fillPoly(thresh_mask, [np.round(dil).astype(np.int32)], 1.0)
    h, w = thresh_map.shape
    x0, y0 = np.floor(dil.min(0)).astype(int)
    x1, y1 = np.ceil(dil.max(0)).astype(int)
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, w - 1), min(y1, h - 1)
    if cx1 < cx0 or cy1 < cy0:
        return
    ys, xs = np.mgrid[cy0 : cy1 + 1, cx0 : cx1 + 1].astype(np.float32)
    dist = np.full(xs.shape, np.inf, dtype=np.float32)
    n = len(poly)
    for i in range(n):
        dist = np.minimum(dist, _point_segment_distance(xs, ys, poly[i], poly[(i + 1) % n]))
    value = 1 - np.clip(dist / max(distance, 1e-6), 0, 1)
    region = thresh_map[cy0 : cy1 + 1, cx0 : cx1 + 1]
    np.maximum(region, value, out=region)


def make_db_targets(polys: list[np.ndarray], ignore: list[bool], height: int, width: int) -> dict[str, np.ndarray]:
    """Targets for one image of size (height, width); ``polys`` are (k, 2) float arrays in that image's pixels."""
    shrink_map = np.zeros((height, width), np.float32)
    shrink_mask = np.ones((height, width), np.float32)
    thresh_map = np.zeros((height, width), np.float32)
    thresh_mask = np.zeros((height, width), np.float32)
    for poly, ign in zip(polys, ignore, strict=True):
        poly = np.asarray(poly, np.float32)
        rect_w, rect_h = cv2.minAreaRect(poly)[1]
        if ign or min(rect_w, rect_h) < MIN_TEXT_SIZE:
            cv2.fillPoly(shrink_mask, [np.round(poly).astype(np.int32)], 0.0)
            continue
        distance = shrink_distance(poly)
        shrunk = offset_polygon(poly, -distance)
        if shrunk is None:
            cv2.fillPoly(shrink_mask, [np.round(poly).astype(np.int32)], 0.0)
            continue
        cv2.fillPoly(shrink_map, [np.round(shrunk).astype(np.int32)], 1.0)
        _draw_border(poly, distance, thresh_map, thresh_mask)
    thresh_map = thresh_map * (THRESH_MAX - THRESH_MIN) + THRESH_MIN
    return {"shrink_map": shrink_map, "shrink_mask": shrink_mask, "thresh_map": thresh_map, "thresh_mask": thresh_mask}
