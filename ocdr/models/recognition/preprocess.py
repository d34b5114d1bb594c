"""Recognizer input preparation, shared by training and inference so both see the same pixels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ocdr.geometry import true_runs

REC_HEIGHT = 32
WIDTH_STEP = 8  # padded widths are multiples of this; the CNN's time stride is 4 pixels
MAX_WIDTH = 1600
CUT_ZONE = 0.25  # a crop wider than MAX_WIDTH is cut in the last this share of each piece (``wide_cuts``)
WIDE_PIECES = 64  # ...into at most this many pieces: a crop wider still is squashed
WORD_SPACE = 0.25  # ...and a cut in an inkless run this x the height wide or more is a space between the pieces
# Background (in crop heights) after every recognizer crop, read as part of it. The network's zero padding at a crop's
# right edge reads as gray and can swallow a last small glyph ("March." read "March" or not, with the batch's padding).
# End-to-end word F, no tail -> 0.25 -> 1.0: synthetic pages 0.914 -> 0.916 -> 0.920, FUNSD 0.690 -> 0.691 -> 0.688;
# recognizer time +2% / +19%. (Background before the crop hurts: FUNSD 0.690 -> 0.660.)
REC_TAIL = 0.25


def to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    if image.shape[2] == 1:
        return image[:, :, 0]
    return cv2.cvtColor(image[:, :, :3], cv2.COLOR_RGB2GRAY)


def print_ink(crop: np.ndarray) -> tuple[np.ndarray, slice]:
    """A crop's ink (a bool mask) and its middle half of rows. Otsu's threshold is taken over the middle rows, where a
    line's glyphs all lie and the lines above and below do not reach; the ink is dark or light, whichever the
    majority (the ground) is not."""
    gray = to_gray(crop)
    middle = slice(gray.shape[0] // 4, gray.shape[0] - gray.shape[0] // 4)
    band = np.ascontiguousarray(gray[middle])
    level, _ = cv2.threshold(band, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    dark = np.median(band) > level  # dark print on a light ground
    return ((gray < level) if dark else (gray > level)), middle


def wide_cuts(resized: np.ndarray, max_width: int = MAX_WIDTH) -> list[tuple[int, int]]:
    """Where a crop at the recognizer's height wider than ``max_width`` is cut into pieces read one by one (squashed
    into ``max_width``, a long line's glyphs grow narrower than any the network learnt, and it reads nonsense): each
    cut at the middle of the widest run of inkless columns in the last ``CUT_ZONE`` of a piece's room, else at its
    end. ``(x, gap)`` for each cut: its column and the width of the inkless run it lies in."""
    width = resized.shape[1]
    if width <= max_width:
        return []
    empty = np.logical_not(np.any(print_ink(resized)[0], axis=0))
    cuts: list[tuple[int, int]] = []
    start = 0
    while width - start > max_width:
        lo, hi = start + int((1 - CUT_ZONE) * max_width), start + max_width
        starts, ends = true_runs(empty[lo:hi])
        if len(starts):
            k = int(np.argmax(ends - starts))
            cut, gap = lo + int(starts[k] + ends[k]) // 2, int(ends[k] - starts[k])
        else:
            cut, gap = hi, 0
        cuts.append((cut, gap))
        start = cut
    return cuts


def resize_crop(image: np.ndarray, height: int = REC_HEIGHT, max_width: int = MAX_WIDTH) -> np.ndarray:
    """Gray crop resized to ``height`` keeping its aspect ratio (width at least ``height // 2``)."""
    gray = to_gray(image)
    h, w = gray.shape[:2]
    if h == 0 or w == 0:
        raise ValueError("empty crop")
    new_w = int(round(w * height / h))
    new_w = max(height // 2, min(max_width, new_w))
    interp = cv2.INTER_AREA if h > height else cv2.INTER_LINEAR
    return cv2.resize(gray, (new_w, height), interpolation=interp)


def padded_width(width: int) -> int:
    return max(WIDTH_STEP * 2, -(-width // WIDTH_STEP) * WIDTH_STEP)


@dataclass(frozen=True)
class ShapeBuckets:
    """Fixed recognizer input shapes for accelerators: CUDA (cuDNN algorithm search) and TensorRT (engine builds)
    plan per input shape, so crop widths are padded up to one of ``widths`` and batches up to one of ``batches``
    rows; a model then sees a handful of shapes instead of one per crop width. CPU needs none of this."""

    widths: tuple[int, ...] = (64, 128, 256, 512, 1024, MAX_WIDTH)
    batches: tuple[int, ...] = (1, 8, 32, 128)

    def width(self, width: int) -> int:
        """The smallest bucket width that holds ``width`` pixels (the padded width itself past the last bucket)."""
        return bucket(padded_width(width), self.widths)

    def batch(self, rows: int) -> int:
        return bucket(rows, self.batches)


def bucket(value: int, sizes: Sequence[int]) -> int:
    """The smallest of ``sizes`` at least ``value``, or ``value`` when none is."""
    return min((s for s in sizes if s >= value), default=value)


def batch_crops(
    resized: Sequence[np.ndarray], width: int | None = None, tail: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Stack resized gray crops into a float32 (N, 1, H, W) batch scaled to [-1, 1].

    Each crop is padded on the right with its own median border value (text colour stays readable whatever
    the background). Returns the batch and each crop's valid width in pixels, which counts ``tail`` x H pixels of
    that padding (``REC_TAIL`` for the recognizer) where the batch is wide enough.
    """
    height = resized[0].shape[0]
    extra = int(round(tail * height))
    if width is None:
        width = padded_width(max(r.shape[1] for r in resized) + extra)
    batch = np.empty((len(resized), 1, height, width), dtype=np.float32)
    widths = np.zeros(len(resized), dtype=np.int64)
    for i, r in enumerate(resized):
        w = min(r.shape[1], width)
        border = np.concatenate([r[0, :w], r[-1, :w], r[:, 0], r[:, w - 1]])
        fill = float(np.median(border))
        batch[i, 0, :, :] = fill
        batch[i, 0, :, :w] = r[:, :w]
        widths[i] = min(w + extra, width)
    batch = batch / 127.5 - 1.0
    return batch, widths


def output_steps(widths: np.ndarray | Sequence[int]) -> np.ndarray:
    """Number of CTC steps the recognizer emits for a crop of the given pixel width (time stride 4)."""
    return np.maximum(1, np.asarray(widths) // 4)
