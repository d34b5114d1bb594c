"""On-the-fly augmentation of recognizer crops (already at model height): the geometry in which real crops differ
from clean renders (detector box margins, slant, rotation, perspective, stretch), then scan/photo degradations.
Small real sets (a few thousand scene words) need it most: each epoch sees them differently."""

from __future__ import annotations

import cv2
import numpy as np

from ocdr.models.recognition.preprocess import resize_crop
from ocdr.training.synth.render import augment_gray


def _margins(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Crop into or pad out each side by up to 12% of the height, as a looser or tighter detector box would."""
    h, w = img.shape
    t, b, left, right = (int(round(h * rng.uniform(-0.12, 0.12))) for _ in range(4))
    top, bottom = max(0, -t), max(0, -b)
    cropped = img[max(0, t) : h - max(0, b), max(0, left) : w - max(0, right)]
    if cropped.shape[0] < h // 2 or cropped.shape[1] < 4:
        return img
    return cv2.copyMakeBorder(cropped, top, bottom, max(0, -left), max(0, -right), cv2.BORDER_REPLICATE)


def _warp(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rotation (up to 3 degrees), slant, horizontal stretch and a mild perspective, in one homography."""
    h, w = img.shape
    angle = np.deg2rad(rng.uniform(-3, 3))
    shear = rng.uniform(-0.3, 0.3)
    stretch = rng.uniform(0.8, 1.25)
    out_w = max(4, int(round(w * stretch)))
    src = np.asarray([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    jitter = rng.uniform(-0.08, 0.08, (4, 2)) * h
    dst = src * np.asarray([stretch, 1], np.float32) + jitter.astype(np.float32)
    dst[:, 0] += (dst[:, 1] - h / 2) * shear
    centre = dst.mean(0)
    rot = np.asarray([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    dst = (dst - centre) @ rot.T + centre
    x0, y0 = dst.min(0)
    dst -= (x0, y0)
    size = np.ceil(dst.max(0)).astype(int)
    if size[0] > 4 * out_w or size[1] > 3 * h:
        return img
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    return cv2.warpPerspective(
        img, m, (int(size[0]) + 1, int(size[1]) + 1), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def augment_crop(img: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """A randomly varied copy of a gray crop, returned at the crop's own height (the recognizer's)."""
    height = img.shape[0]
    if rng.random() < 0.5 * strength:
        img = _margins(img, rng)
    if rng.random() < 0.6 * strength:
        img = _warp(img, rng)
    if rng.random() < 0.1 * strength:
        img = 255 - img
    img = augment_gray(img, rng, 0.6 * strength)
    return resize_crop(img, height)
