"""A page's glyphs, measured from its ink (no model): how big they are (the page classifier scales pages by it; the
detector picks the sizes it reads a page at by it), whether a line of them is large print, whether the page
is light print on a dark ground (read inverted), and which of its regions are print showing through the sheet."""

from __future__ import annotations

import cv2
import numpy as np

from ocdr.geometry import pixel_box, scaled

# a flat ground: at least FLAT_SHARE of a FLAT_SIDE-square preview's pixels within FLAT_SPREAD gray levels of its median
FLAT_SIDE, FLAT_SPREAD, FLAT_SHARE = 256, 16, 0.6
POLARITY_SIDE = 1280  # glyphs are counted on a preview at most this long
LINE_GLYPHS = 3  # large print: this many letter-like blobs in a row
# Show-through: regions on paper with under SHOW_THROUGH of the page's strong print's ink contrast, when they are at
# least SHOW_THROUGH_SHARE of its regions. A back page showing through at 15% made 44-66% of the regions of eight
# synthetic pages faint; real pages have at most 7.4% (90 SROIE receipts), 1.9% (74 FUNSD forms).
SHOW_THROUGH, SHOW_THROUGH_SHARE = 0.25, 0.15
CONTRAST_SAMPLE = 1024  # a region's contrast is taken over about this many of its pixels


class Ink:
    """A gray page's dark connected components (Otsu), found once for every question asked of them."""

    def __init__(self, gray: np.ndarray, labelled: bool = False):
        """``labelled``: keep the ink (``ink``, a mask) and each pixel's component (``labels``: k + 1 for the
        component of ``stats[k]``, 0 for paper), for questions about the shapes of the blobs themselves."""
        _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
        _, labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
        self.stats, self.centroids, self.shape = stats[1:], centroids[1:], gray.shape[:2]
        self.ink: np.ndarray | None
        self.labels: np.ndarray | None
        self.ink, self.labels = (ink > 0, labels) if labelled else (None, None)

    def blobs(self, largest: float = 1 / 8) -> np.ndarray:
        """``(cx, cy, size)`` of the blobs that could be glyphs (not specks, rules or pictures: none wider or taller
        than ``largest`` of the page); size is the longer side of the blob's box, which a 90-degree turn leaves
        alone."""
        w, h, area = self.stats[:, 2], self.stats[:, 3], self.stats[:, 4]
        keep = (area >= 6) & (np.maximum(w, h) >= 3) & (h <= self.shape[0] * largest) & (w <= self.shape[1] * largest)
        return np.column_stack([self.centroids[keep], np.maximum(w[keep], h[keep])])

    def glyph_size(self, largest: float = 1 / 8, fewest: int = 5) -> float | None:
        """About a glyph's size: the 75th percentile of the blobs' sizes, the same whichever way the page is turned
        (the upper quartile, because thermal and dot-matrix print breaks glyphs into many small blobs). None when the
        page has too few blobs to tell."""
        blobs = self.blobs(largest)
        return float(np.percentile(blobs[:, 2], 75)) if len(blobs) >= fewest else None

    def large_print(self, least: float) -> float | None:
        """The size (longer side, as ``glyph_size``) of the glyphs of ``least`` pixels or more when they make a
        line: at least ``LINE_GLYPHS`` blobs shaped like letters (not hollow like a form's boxes, not solid like a
        picture's patches, not long like rules) of about one height in one row. None when there is no such line."""
        w, h, area = (self.stats[:, k].astype(np.float64) for k in (2, 3, 4))
        fill = area / np.maximum(w * h, 1)
        keep = (
            (np.maximum(w, h) >= least)
            & (h <= self.shape[0] / 2)
            & (w <= self.shape[1] / 2)
            & (fill >= 0.2)
            & (fill <= 0.75)
            & (h <= 4 * w)
            & (w <= 4 * h)
        )
        heights, rows, sizes = h[keep], self.centroids[keep, 1], np.maximum(w, h)[keep]
        best = None
        for i in np.argsort(-heights):  # each candidate as a row's reference glyph: its row-mates of about its height
            same = (
                (np.abs(rows - rows[i]) <= 0.3 * heights[i])
                & (heights <= 1.5 * heights[i])
                & (heights >= heights[i] / 1.5)
            )
            if np.count_nonzero(same) >= LINE_GLYPHS:
                size = float(np.median(sizes[same]))
                best = size if best is None else max(best, size)
        return best


def light_text_on_dark(image: np.ndarray) -> bool:
    """Whether a page (gray or RGB) is light print on a flat dark ground (dark-mode screenshots, negatives,
    white-on-black slides). Both models read dark print on light far better (trained with a few inverted samples
    only). A dark photo is not flat (its ground is a scene) and needs light glyphs to outnumber dark ones twice
    over. Previews are cut before they are made gray, so a large page costs little."""
    level, flat = ground(image)
    if level >= 128 or not flat:
        return False
    scale = min(1.0, POLARITY_SIDE / max(image.shape[:2]))
    preview = _gray(scaled(image, scale))
    return len(Ink(255 - preview).blobs()) > 2 * len(Ink(preview).blobs())


def ground(image: np.ndarray, share: float = FLAT_SHARE) -> tuple[float, bool]:
    """A page's ground (the median gray of a ``FLAT_SIDE``-square preview) and whether it is flat: paper or a
    screen, not a scene (at least ``share`` of the preview within ``FLAT_SPREAD`` gray levels of it)."""
    small = _gray(cv2.resize(image, (FLAT_SIDE, FLAT_SIDE), interpolation=cv2.INTER_AREA))
    level = float(np.median(small))
    return level, bool(np.mean(np.abs(small.astype(np.float32) - level) <= FLAT_SPREAD) >= share)


def show_through(image: np.ndarray, polygons: list[np.ndarray]) -> list[bool]:
    """Which of a page's text regions are print showing through the sheet from its back (thin paper, two-sided
    printing). On a flat ground (a document, not a photo), a region is faint when its ink contrast (90th less 1st
    percentile gray of its box's middle half of rows: a lone dash is little ink in its box) is under
    ``SHOW_THROUGH`` of the page's strong print's (the 90th percentile over its regions); the faint regions show
    through when they are at least ``SHOW_THROUGH_SHARE`` of the page's. Read, such regions give mirrored garbage.
    A few faint regions (a receipt's fading lines, light gray print beside black) are the page's own and are kept."""
    none = [False] * len(polygons)
    if len(polygons) < 2 or not ground(image)[1]:
        return none
    gray = _gray(image)
    contrasts = []
    for polygon in polygons:
        x0, y0, x1, y1 = pixel_box(polygon, gray.shape[1], gray.shape[0])
        y0, y1 = y0 + (y1 - y0) // 4, y1 - (y1 - y0) // 4
        step = max(1, int(np.sqrt((x1 - x0) * (y1 - y0) / CONTRAST_SAMPLE)))  # a large region: every step-th pixel
        values = np.sort(gray[y0:y1:step, x0:x1:step], axis=None)  # np.percentile costs 10x more on small patches
        last = len(values) - 1
        contrasts.append(float(values[int(0.9 * last)]) - float(values[int(0.01 * last)]) if len(values) else 0.0)
    faint = np.array(contrasts) < SHOW_THROUGH * float(np.percentile(contrasts, 90))
    return faint.tolist() if faint.mean() >= SHOW_THROUGH_SHARE else none


def _gray(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
