"""Orientation classifier inputs, shared by training and inference.

* text lines: the crop at the recognizer's height, its middle ``CLS_WIDTH`` pixels (enough glyphs to tell upright
  from upside down), padded like the recognizer's batches;
* pages: the page in gray scaled so that its glyphs are about ``GLYPH_SIZE`` pixels (whichever way it is turned),
  cut into ``PAGE_PATCH`` squares; the ``PAGE_PATCHES`` squares with the most glyphs are classified and their votes
  summed, so one figure or blank margin cannot decide a page;
* scenes: a photo's centre square in colour at ``SCENE_SIDE`` pixels, for what is up in a street scene (sky,
  ceiling lights, floors) where the text is too sparse for the page squares to tell.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ocdr.geometry import scaled
from ocdr.glyphs import Ink
from ocdr.models.recognition.preprocess import REC_HEIGHT, batch_crops, resize_crop, to_gray

CLS_HEIGHT = REC_HEIGHT
CLS_WIDTH = 192
ANGLES = (0, 180)  # class index -> degrees the crop is turned
PAGE_ANGLES = (0, 90, 180, 270)  # class index -> degrees the page content is turned clockwise
PAGE_SIDE = 1280
GLYPH_SIZE = 15.0  # pixels, the upper quartile of the blobs' longer sides
PAGE_PATCH = 128
PAGE_PATCHES = 16
SCENE_SIDE = 64
SCENE_STORED = 80  # training keeps the square at this side and draws jittered crops of SCENE_SIDE..SCENE_STORED
# the views of a photo's square the scene classifier reads: (quarter turns counterclockwise, then mirrored or not)
SCENE_VIEWS = tuple((turns, mirrored) for turns in range(4) for mirrored in (False, True))


def center_window(resized: np.ndarray, width: int = CLS_WIDTH) -> np.ndarray:
    """The middle ``width`` columns of a height-normalized gray crop (all of it when narrower)."""
    w = resized.shape[1]
    if w <= width:
        return resized
    start = (w - width) // 2
    return resized[:, start : start + width]


def cls_batch(crops: Sequence[np.ndarray], turned: bool = False) -> np.ndarray:
    """Gray or RGB crops as a float32 (N, 1, CLS_HEIGHT, CLS_WIDTH) batch in [-1, 1]; with ``turned``, each window
    turned by 180 degrees (padded on the right all the same, as the classifier was trained)."""
    windows = [center_window(resize_crop(crop, CLS_HEIGHT)) for crop in crops]
    batch, _ = batch_crops([turn_180(w) for w in windows] if turned else windows, CLS_WIDTH)
    return batch


def turn_180(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[::-1, ::-1])


def page_gray(image: np.ndarray, side: int = PAGE_SIDE) -> np.ndarray:
    """A page (gray or RGB) in gray at the classifier's scale: glyphs about ``GLYPH_SIZE`` pixels (a scan, a
    screenshot and a photo of a few lines all look alike then), the longer side within [``PAGE_PATCH``, 2 x
    ``side``]; pages with too little ink to measure get their longer side at ``side``."""
    gray = to_gray(image)
    long_side = max(gray.shape[:2])
    preview = side / long_side
    small = scaled(gray, preview)
    glyph = Ink(small).glyph_size()
    scale = preview * (GLYPH_SIZE / glyph if glyph else 1.0)
    scale = float(np.clip(scale, PAGE_PATCH / long_side, 2 * side / long_side))
    size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)


def ink_tiles(gray: np.ndarray, size: int = PAGE_PATCH, stride: int | None = None) -> list[tuple[float, int, int]]:
    """``(score, y, x)`` of every ``size`` square on a grid over the page, most text first. The score counts the
    glyph-sized blobs centred in the square (contrast breaks ties), so punched holes, stamps, photos and the dark
    edges of a photographed receipt, which have more contrast than print, do not take the squares that vote."""
    stride = stride or size
    h, w = gray.shape[:2]
    ys = np.arange(0, max(1, h - size + 1), stride)
    xs = np.arange(0, max(1, w - size + 1), stride)
    blobs = Ink(gray).blobs()
    if len(blobs):
        median = np.median(blobs[:, 2])
        blobs = blobs[(blobs[:, 2] >= 0.4 * median) & (blobs[:, 2] <= 2.5 * median)]
    # glyph centres per square: (rows x glyphs) @ (glyphs x columns) of "centre inside this band"
    in_rows = (blobs[None, :, 1] >= ys[:, None]) & (blobs[None, :, 1] < ys[:, None] + size)
    in_cols = (blobs[None, :, 0] >= xs[:, None]) & (blobs[None, :, 0] < xs[:, None] + size)
    counts = in_rows.astype(np.int64) @ in_cols.T.astype(np.int64)
    tiles = [
        (int(counts[r, c]) + float(gray[y : y + size, x : x + size].std()) / 256, int(y), int(x))
        for r, y in enumerate(ys)
        for c, x in enumerate(xs)
    ]
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
    """The ``count`` squares of a page with the most glyphs as the page classifier's batch."""
    gray = page_gray(image)
    return normalize_patches([square(gray, y, x) for _, y, x in ink_tiles(gray)[:count]])


def vote_probs(probs: np.ndarray) -> np.ndarray:
    """The patches' joint verdict from their class probabilities (N, C): the normalized geometric mean (C,)."""
    logp = np.log(np.clip(probs, 1e-6, 1.0)).mean(axis=0)
    joint = np.exp(logp - logp.max())
    return joint / joint.sum()


def vote(probs: np.ndarray) -> tuple[int, float]:
    """One decision from the patches' class probabilities (N, C): the class with the highest mean log
    probability, and its confidence (its share of the joint verdict, ``vote_probs``)."""
    joint = vote_probs(probs)
    k = int(joint.argmax())
    return k, float(joint[k])


def scene_square(image: np.ndarray, side: int = SCENE_STORED) -> np.ndarray:
    """The image's centre square (its shorter side), RGB uint8, at ``side`` pixels: the same content whichever way
    the photo is turned, with no aspect ratio to give the turn away."""
    rgb = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB) if image.ndim == 2 else image[..., :3]
    h, w = rgb.shape[:2]
    s = min(h, w)
    y, x = (h - s) // 2, (w - s) // 2
    return cv2.resize(rgb[y : y + s, x : x + s], (side, side), interpolation=cv2.INTER_AREA)


def normalize_scenes(squares: Sequence[np.ndarray]) -> np.ndarray:
    """RGB squares as a float32 (N, 3, SCENE_SIDE, SCENE_SIDE) batch in [-1, 1]."""
    batch = np.stack([np.ascontiguousarray(sq, dtype=np.float32) for sq in squares])
    return (batch.transpose(0, 3, 1, 2) / 127.5 - 1.0).astype(np.float32)


def scene_batch(image: np.ndarray) -> np.ndarray:
    """The photo's centre square turned back each of the four ways (``SCENE_VIEWS``), each also mirrored, ready
    for the scene classifier; ``scene_votes`` maps what it reads in them back to the photo's own angles."""
    sq = scene_square(image, SCENE_SIDE)
    turned = [np.rot90(sq, turns) for turns in range(4)]
    return normalize_scenes([turned[t][:, ::-1] if mirrored else turned[t] for t, mirrored in SCENE_VIEWS])


def scene_votes(probs: np.ndarray) -> np.ndarray:
    """The photo's probabilities over ``PAGE_ANGLES`` from the scene classifier's (len(SCENE_VIEWS), 4) readings
    of ``scene_batch``: content turned ``a`` clockwise, turned back ``t`` quarter turns, reads as ``a - t``, and a
    mirror then reads that as ``t - a`` (it keeps 0 and 180 and swaps 90 and 270). Their joint verdict, so that the
    model's leanings towards some angle whatever the photo cancel out."""
    n = len(PAGE_ANGLES)
    rows = [
        row[[(t - a if mirrored else a - t) % n for a in range(n)]]
        for row, (t, mirrored) in zip(probs, SCENE_VIEWS, strict=True)
    ]
    return vote_probs(np.stack(rows))
