"""Deskew: how far a page's text lines are turned (a scan a few degrees off, a photo up to 45), and the page turned
straight.

The angle is the one at which the page's ink, projected across the lines, gives the sharpest row profile (the
classic projection-profile method): ink pixels of a page downscaled to ``WORK_SIDE`` are projected at every angle
of a coarse grid, then of a fine one around the best; a row histogram is sharpest (largest sum of squares) when
the projection runs along the lines. The coarse grid projects a quarter of the points (``COARSE_POINTS``). It
costs about 25 milliseconds a page and needs no model.

Up to ``MAX_SKEW`` either way (a photo of a page taken at an angle, a receipt laid crooked on the scanner): the
detector learnt text at most a few degrees off, and reads a page turned 30 degrees as fragments. Two things the
small angles never met had to be dealt with there: the pixel grid's own diagonals (ink at whole pixels, projected
at 45 degrees, falls into every other row: a sharp profile of nothing; each point is moved by up to half a pixel
first), and a narrow receipt's columns, its rows' ends and amounts aligned down the page, whose profile grows
sharper towards the perpendicular of the lines, past the range's end, and with a scanner's shadow down its side
higher than the lines' own peak: the angle is the coarse grid's most prominent peak (``_prominence``), never an end.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocdr.geometry import scaled

WORK_SIDE = 1200  # pixels: the long side the page is analysed at
MAX_POINTS = 40000  # ink pixels sampled for the profiles
COARSE_POINTS = 10000  # of them, for the coarse grid's profiles
MIN_INK = 200  # fewer ink pixels than this: no text to measure, angle 0
COARSE_STEP, FINE_STEP = 0.5, 0.05  # degrees
MAX_SKEW = 45.0  # degrees: text turned further is a page turned by a quarter (the page classifier's), plus this


def _ink_points(image: np.ndarray) -> np.ndarray:
    """(N, 2) x, y of the dark-on-light ink of the page downscaled to ``WORK_SIDE``, in its pixels."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    gray = scaled(gray, min(1.0, WORK_SIDE / max(gray.shape[:2])))
    ink = cv2.adaptiveThreshold(gray, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    ys, xs = np.nonzero(ink)
    return np.stack([xs, ys], axis=1).astype(np.float32)


def _sharpness(points: np.ndarray, degrees: np.ndarray) -> np.ndarray:
    """Sum of squared row counts of the points projected across lines turned clockwise by each angle."""
    rad = np.deg2rad(degrees)[:, None]
    rows = points[None, :, 1] * np.cos(rad) - points[None, :, 0] * np.sin(rad)  # (angles, N)
    rows = np.round(rows - rows.min(axis=1, keepdims=True)).astype(np.int64)
    return np.array([float(np.square(np.bincount(r)).sum()) for r in rows])


def _prominence(values: np.ndarray, i: int) -> float:
    """How far ``values[i]`` stands above the higher of the lowest values on each side before a higher one (or the
    end): a peak of the lines' profile stands out; a ripple on the slope up to the range's end does not."""
    bases = []
    for side in (values[i::-1], values[i:]):
        higher = np.flatnonzero(side > values[i])
        bases.append(side[: higher[0] if len(higher) else len(side)].min())
    return float(values[i] - max(bases))


def estimate_skew(image: np.ndarray, max_angle: float = MAX_SKEW, seed: int = 0) -> float:
    """Degrees the page's text lines are turned clockwise on screen (ocdr's angle sign): the most prominent peak of
    the projection profile within ``max_angle`` (to a fine step past it); 0 for a page with too little ink to tell
    or no peak inside the range."""
    points = _ink_points(image)
    if len(points) < MIN_INK:
        return 0.0
    rng = np.random.default_rng(seed)
    points = points[rng.permutation(len(points))[:MAX_POINTS]]  # in no order: the coarse grid's are the first
    points += rng.uniform(-0.5, 0.5, points.shape).astype(np.float32)  # off the pixel grid's diagonals
    coarse = np.arange(-max_angle - COARSE_STEP, max_angle + COARSE_STEP + 1e-9, COARSE_STEP)
    sharp = _sharpness(points[:COARSE_POINTS], coarse)
    inner = sharp[1:-1]
    peaks = np.flatnonzero((inner >= sharp[:-2]) & (inner > sharp[2:])) + 1
    if not len(peaks):
        return 0.0
    best = float(coarse[peaks[int(np.argmax([_prominence(sharp, int(i)) for i in peaks]))]])
    fine = np.arange(best - COARSE_STEP, best + COARSE_STEP + 1e-9, FINE_STEP)
    return float(fine[int(np.argmax(_sharpness(points, fine)))])


def straighten(image: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """The page turned counter-clockwise by ``angle`` degrees (undoing a clockwise skew) on a canvas large enough to
    keep all of it, filled with the page's median colour; and the 2x3 matrix that maps the straight page's points
    back to the input's."""
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)  # positive: counter-clockwise on screen
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    new_w, new_h = int(np.ceil(w * cos + h * sin)), int(np.ceil(w * sin + h * cos))
    m[0, 2] += (new_w - w) / 2
    m[1, 2] += (new_h - h) / 2
    fill = tuple(int(v) for v in np.median(image.reshape(-1, image.shape[2] if image.ndim == 3 else 1), axis=0))
    out = cv2.warpAffine(image, m, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=fill)
    return out, cv2.invertAffineTransform(m)
