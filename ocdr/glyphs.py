"""How big a page's glyphs are, measured from its ink: the page classifier scales pages by it, and the detector
shrinks large pages no further than it can still find their text."""

from __future__ import annotations

import cv2
import numpy as np

# a flat ground: at least FLAT_SHARE of a FLAT_SIDE-square preview's pixels within FLAT_SPREAD gray levels of its median
FLAT_SIDE, FLAT_SPREAD, FLAT_SHARE = 256, 16, 0.6
POLARITY_SIDE = 1280  # glyphs are counted on a preview at most this long


def ink_blobs(gray: np.ndarray, largest: float = 1 / 8) -> np.ndarray:
    """``(cx, cy, size)`` of the page's ink blobs that could be glyphs (not specks, rules or pictures: none wider or
    taller than ``largest`` of the page); size is the longer side of the blob's box, which a 90-degree turn leaves
    alone."""
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, _, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h, area = stats[1:, 2], stats[1:, 3], stats[1:, 4]
    keep = (area >= 6) & (np.maximum(w, h) >= 3) & (h <= gray.shape[0] * largest) & (w <= gray.shape[1] * largest)
    return np.column_stack([centroids[1:][keep], np.maximum(w[keep], h[keep])])


def glyph_size(gray: np.ndarray, largest: float = 1 / 8, fewest: int = 5) -> float | None:
    """About a glyph's size: the 75th percentile of the blobs' sizes, the same whichever way the page is turned (the
    upper quartile, because thermal and dot-matrix print breaks glyphs into many small blobs). None when the page
    has too few blobs to tell."""
    blobs = ink_blobs(gray, largest)
    return float(np.percentile(blobs[:, 2], 75)) if len(blobs) >= fewest else None


def light_text_on_dark(gray: np.ndarray) -> bool:
    """Whether a page is light print on a flat dark ground (dark-mode screenshots, negatives, white-on-black
    slides). Both models read dark print on light far better (trained with a few inverted samples only). A dark
    photo is not flat (its ground is a scene) and needs light glyphs to outnumber dark ones twice over."""
    small = cv2.resize(gray, (FLAT_SIDE, FLAT_SIDE), interpolation=cv2.INTER_AREA)
    ground = float(np.median(small))
    if ground >= 128 or np.mean(np.abs(small.astype(np.float32) - ground) <= FLAT_SPREAD) < FLAT_SHARE:
        return False
    scale = min(1.0, POLARITY_SIDE / max(gray.shape[:2]))
    preview = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    return len(ink_blobs(255 - preview)) > 2 * len(ink_blobs(preview))
