"""Detection training samples: random scaled/rotated crops of labelled pages with their DB targets."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from ocdr.io.labels import RegionLabel
from ocdr.io.page_datasets import image_readable, read_page_dataset, report_left_out
from ocdr.training.det_targets import make_db_targets
from ocdr.training.synth.render import augment_gray


@dataclass
class DetItem:
    image_path: Path
    labels: list[RegionLabel]

    @property
    def median_height(self) -> float:
        heights = [min(cv2.minAreaRect(lab.polygon)[1]) for lab in self.labels if not lab.ignore]
        return float(np.median(heights)) if heights else 20.0


def load_det_dataset(root: str | Path, log: Callable[[str], None] | None = None) -> list[DetItem]:
    """Labelled pages of a detection set in any layout ``read_page_dataset`` knows (ICDAR folder, PaddleOCR det
    label file, COCO-Text-like JSON). Pages whose image is missing or does not decode are left out here and said
    (``report_left_out``): found when first drawn, one killed the run at that step, before its checkpoint."""
    items = read_page_dataset(root)
    if not items:
        raise FileNotFoundError(f"{root}: no labelled page images found")
    readable = [image_readable(image) for image, _ in items]
    pages = [DetItem(image, labels) for (image, labels), ok in zip(items, readable, strict=True) if ok]
    unreadable = [image for (image, _), ok in zip(items, readable, strict=True) if not ok]
    report_left_out(root, len(pages), {"missing or unreadable": unreadable}, log)
    return pages


def split_line_label(label: RegionLabel, gray: np.ndarray | None = None) -> list[RegionLabel]:
    """Word labels cut from a text-line label (SROIE annotates lines; the detector boxes words) at the spaces of
    its text: each cut starts at the character position of the space along the line quad (exact for monospaced
    print) and, given the page (``gray``), moves to the nearest run of ink-free columns of the line, so that wide
    gaps in the print do not put a cut through a word. Ignored and one-word lines stay as they are."""
    text = label.text.strip()
    words = list(re.finditer(r"\S+", text))
    if label.ignore or len(words) < 2 or len(label.polygon) != 4:
        return [label]
    tl, tr, br, bl = label.polygon.astype(np.float32)
    n = len(text)
    cuts = [((a.end() + b.start()) / 2 / n, (b.start() - a.end()) / n) for a, b in zip(words, words[1:], strict=False)]
    if gray is not None:
        cuts = _snap_to_gaps(gray, label.polygon.astype(np.float32), cuts)
    edges = [0.0] + [t for c, w in cuts for t in (c - w / 2, c + w / 2)] + [1.0]
    out = []
    for m, (t0, t1) in zip(words, zip(edges[::2], edges[1::2], strict=True), strict=True):
        top0, top1, bot0, bot1 = tl + (tr - tl) * t0, tl + (tr - tl) * t1, bl + (br - bl) * t0, bl + (br - bl) * t1
        out.append(RegionLabel(np.stack([top0, top1, bot1, bot0]).astype(np.float32), m.group()))
    return out


def _snap_to_gaps(gray: np.ndarray, quad: np.ndarray, cuts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Move each (centre, width) cut, in fractions of the line's length, to the nearest ink-free run of the line."""
    width = max(8, int(np.linalg.norm(quad[1] - quad[0])))
    height = max(4, int(np.linalg.norm(quad[3] - quad[0])))
    dst = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    strip = cv2.warpPerspective(gray, cv2.getPerspectiveTransform(quad, dst), (width, height), borderValue=255)
    _, ink = cv2.threshold(strip, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    blank = np.r_[False, ink.sum(0) == 0, False].astype(np.int8)
    starts, ends = np.flatnonzero(np.diff(blank) == 1), np.flatnonzero(np.diff(blank) == -1)
    runs: list[tuple[float, float]] = [
        ((s + e) / 2 / width, (e - s) / width) for s, e in zip(starts, ends, strict=True) if 0 < s and e < width
    ]
    snapped: list[tuple[float, float]] = []
    last = 0.0
    for centre, w in cuts:
        free = [r for r in runs if r[0] > last]
        best: tuple[float, float] | None = min(free, key=lambda r: abs(r[0] - centre), default=None)
        if best is None or abs(best[0] - centre) > 4 * max(w, 1 / len(cuts) / 4):
            best = (centre, w)
        snapped.append(best)
        last = best[0]
    return snapped


def as_word_items(items: list[DetItem]) -> list[DetItem]:
    """Pages of a line-annotated set with every line label cut into words (``split_line_label``)."""
    return [
        DetItem(it.image_path, [w for lab in it.labels for w in split_line_label(lab, _read_gray(it.image_path))])
        for it in items
    ]


@lru_cache(maxsize=32)
def _read_gray(path: Path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if img is None:
        raise ValueError(f"cannot read {path}")
    return img


def sample_crop(
    item: DetItem,
    rng: np.random.Generator,
    size: int,
    text_height: tuple[float, float] = (8, 40),
    max_angle: float = 3.0,
    turn_prob: float = 0.0,
) -> dict[str, np.ndarray]:
    """A ``size`` x ``size`` training crop whose median text height is drawn log-uniformly from ``text_height``;
    with ``turn_prob`` it is turned upside down (so that text is found on pages read without the page stage).
    Compact, as it travels from a crop worker to the trainer: the gray crop and the 0/1 maps as uint8, the
    threshold map as float16 (1.5 MB a 512-pixel crop, not 7); ``ocdr.training.train_det.device_batch`` makes the
    model's input and the float targets of a batch of them on the training device."""
    page = _read_gray(item.image_path)
    target_h = float(np.exp(rng.uniform(np.log(text_height[0]), np.log(text_height[1]))))
    scale = target_h / max(item.median_height, 1.0)
    angle = float(rng.uniform(-max_angle, max_angle)) if rng.random() < 0.3 else 0.0
    if turn_prob and rng.random() < turn_prob:
        angle += 180.0
    cared = [lab for lab in item.labels if not lab.ignore]
    if cared and rng.random() < 0.85:
        center = cared[int(rng.integers(len(cared)))].polygon.mean(0)
    else:
        center = np.array([rng.uniform(0, page.shape[1]), rng.uniform(0, page.shape[0])], np.float32)
    center = center + rng.uniform(-0.4, 0.4, 2) * size / scale
    m = cv2.getRotationMatrix2D((float(center[0]), float(center[1])), angle, scale)
    m[:, 2] += np.array([size / 2, size / 2]) - center
    fill = int(np.median(page[:: max(1, page.shape[0] // 50), :: max(1, page.shape[1] // 50)]))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    crop = cv2.warpAffine(page, m, (size, size), flags=interp, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
    polys, ignore = [], []
    for lab in item.labels:
        pts = np.hstack([lab.polygon, np.ones((len(lab.polygon), 1), np.float32)]) @ m.T
        inside = (pts >= 0).all(1) & (pts[:, 0] < size) & (pts[:, 1] < size)
        if not inside.any() and not _overlaps(pts, size):
            continue
        polys.append(pts.astype(np.float32))
        ignore.append(lab.ignore or not inside.all())  # words cut by the crop edge are don't-care
    if rng.random() < 0.05:
        crop = 255 - crop
    targets = make_db_targets(polys, ignore, size, size)
    return {
        "image": augment_gray(crop, rng, strength=0.5),
        **{key: value.astype(np.float16 if key == "thresh_map" else np.uint8) for key, value in targets.items()},
    }


def _overlaps(pts: np.ndarray, size: int) -> bool:
    x0, y0 = pts.min(0)
    x1, y1 = pts.max(0)
    return x1 >= 0 and y1 >= 0 and x0 < size and y0 < size
