"""Orientation classifier inputs, shared by training and inference.

* text lines: the crop at the recognizer's height, its middle ``CLS_WIDTH`` pixels (enough glyphs to tell upright
  from upside down), padded like the recognizer's batches;
* pages: the page in gray scaled so that its glyphs are about ``GLYPH_SIZE`` pixels (whichever way it is turned),
  cut into ``PAGE_PATCH`` squares; the ``PAGE_PATCHES`` squares with the most ink are classified and their votes
  summed, so one figure or blank margin cannot decide a page.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ocdr.models.recognition.preprocess import REC_HEIGHT, batch_crops, resize_crop, to_gray

CLS_HEIGHT = REC_HEIGHT
CLS_WIDTH = 192
ANGLES = (0, 180)  # class index -> degrees the crop is turned
PAGE_ANGLES = (0, 90, 180, 270)  # class index -> degrees the page content is turned clockwise
PAGE_SIDE = 1280
GLYPH_SIZE = 10.0
PAGE_PATCH = 128
PAGE_PATCHES = 16


def center_window(resized: np.ndarray, width: int = CLS_WIDTH) -> np.ndarray:
    """The middle ``width`` columns of a height-normalized gray crop (all of it when narrower)."""
    w = resized.shape[1]
    if w <= width:
        return resized
    start = (w - width) // 2
    return resized[:, start : start + width]


def cls_batch(crops: Sequence[np.ndarray]) -> np.ndarray:
    """Gray or RGB crops as a float32 (N, 1, CLS_HEIGHT, CLS_WIDTH) batch in [-1, 1]."""
    windows = [center_window(resize_crop(crop, CLS_HEIGHT)) for crop in crops]
    batch, _ = batch_crops(windows, CLS_WIDTH)
    return batch


def turn_180(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[::-1, ::-1])


def glyph_size(gray: np.ndarray) -> float | None:
    """The median size (square root of the box area) of the page's ink blobs, about a glyph's: the same whichever
    way the page is turned. None when the page has too few blobs to tell."""
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h, area = stats[1:, 2], stats[1:, 3], stats[1:, 4]
    keep = (area >= 6) & (np.maximum(w, h) >= 3) & (h <= gray.shape[0] / 8) & (w <= gray.shape[1] / 8)
    return float(np.median(np.sqrt(w[keep] * h[keep]))) if keep.sum() >= 5 else None


def page_gray(image: np.ndarray, side: int = PAGE_SIDE) -> np.ndarray:
    """A page (gray or RGB) in gray at the classifier's scale: glyphs about ``GLYPH_SIZE`` pixels (a scan, a
    screenshot and a photo of a few lines all look alike then), the longer side within [``PAGE_PATCH``, 2 x
    ``side``]; pages with too little ink to measure get their longer side at ``side``."""
    gray = to_gray(image)
    long_side = max(gray.shape[:2])
    preview = side / long_side
    small = cv2.resize(
        gray, None, fx=preview, fy=preview, interpolation=cv2.INTER_AREA if preview < 1 else cv2.INTER_LINEAR
    )
    glyph = glyph_size(small)
    scale = preview * (GLYPH_SIZE / glyph if glyph else 1.0)
    scale = float(np.clip(scale, PAGE_PATCH / long_side, 2 * side / long_side))
    size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)


def ink_tiles(gray: np.ndarray, size: int = PAGE_PATCH, stride: int | None = None) -> list[tuple[float, int, int]]:
    """``(contrast, y, x)`` of every ``size`` square on a grid over the page, most contrast (ink) first."""
    stride = stride or size
    h, w = gray.shape[:2]
    ys = range(0, max(1, h - size + 1), stride)
    xs = range(0, max(1, w - size + 1), stride)
    tiles = [(float(gray[y : y + size, x : x + size].std()), y, x) for y in ys for x in xs]
    return sorted(tiles, reverse=True)


def square(gray: np.ndarray, y: int, x: int, size: int = PAGE_PATCH) -> np.ndarray:
    """The ``size`` square at (y, x), padded with the page's median where the page is smaller."""
    patch = gray[y : y + size, x : x + size]
    if patch.shape != (size, size):
        padded = np.full((size, size), np.median(gray), np.uint8)
        padded[: patch.shape[0], : patch.shape[1]] = patch
        patch = padded
    return patch


def normalize_patches(patches: Sequence[np.ndarray]) -> np.ndarray:
    """Gray uint8 squares as a float32 (N, 1, S, S) batch in [-1, 1]."""
    return (np.stack(patches)[:, None].astype(np.float32) / 127.5) - 1.0


def page_batch(image: np.ndarray, count: int = PAGE_PATCHES) -> np.ndarray:
    """The ``count`` most inked squares of a page as the page classifier's batch."""
    gray = page_gray(image)
    return normalize_patches([square(gray, y, x) for _, y, x in ink_tiles(gray)[:count]])


def vote(probs: np.ndarray) -> tuple[int, float]:
    """One decision from the patches' class probabilities (N, C): the class with the highest mean log
    probability, and its confidence (the normalized geometric mean of the patches' probabilities)."""
    logp = np.log(np.clip(probs, 1e-6, 1.0)).mean(axis=0)
    k = int(logp.argmax())
    joint = np.exp(logp - logp.max())
    return k, float(joint[k] / joint.sum())
