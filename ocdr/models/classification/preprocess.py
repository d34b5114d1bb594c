"""Text-line orientation classifier input, shared by training and inference: the crop at the recognizer's
height, its middle ``CLS_WIDTH`` pixels (enough glyphs to tell upright from upside down), padded like the
recognizer's batches."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ocdr.models.recognition.preprocess import REC_HEIGHT, batch_crops, resize_crop

CLS_HEIGHT = REC_HEIGHT
CLS_WIDTH = 192
ANGLES = (0, 180)  # class index -> degrees the crop is turned


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
