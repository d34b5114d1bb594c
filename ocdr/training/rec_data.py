"""Recognition datasets in the seed format, held in memory as height-32 gray crops, batched by width."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ocdr.io.labels import gt_list_items
from ocdr.models.recognition.charset import Charset
from ocdr.models.recognition.preprocess import REC_HEIGHT, batch_crops, resize_crop


@dataclass
class RecSample:
    image: np.ndarray  # gray uint8, height REC_HEIGHT
    text: str


def load_rec_dataset(root: str | Path, charset: Charset, limit: int | None = None) -> tuple[list[RecSample], int]:
    """Read ``root/gt_list.txt`` (images relative to root or root/images). Returns samples and the number
    skipped because their text falls outside the charset, is empty, or their image is unreadable."""
    samples, skipped = [], 0
    for path, text in gt_list_items(root, limit):
        text = charset.normalize(text)
        img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if img is None or not text or not charset.covers(text) or img.shape[0] < 2 or img.shape[1] < 2:
            skipped += 1
            continue
        samples.append(RecSample(resize_crop(img, REC_HEIGHT), text))
    return samples, skipped


def width_batches(samples: list[RecSample], batch_size: int, rng: np.random.Generator | None) -> list[list[int]]:
    """Group indices of similar widths so padding stays small; shuffled when rng is given."""
    order = np.argsort([s.image.shape[1] for s in samples], kind="stable")
    if rng is not None:
        # jitter the sort so batches differ from epoch to epoch
        noise = rng.normal(0, 4, len(samples))
        order = np.argsort(np.array([s.image.shape[1] for s in samples]) + noise, kind="stable")
    batches = [order[i : i + batch_size].tolist() for i in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


def collate(samples: list[RecSample], charset: Charset) -> tuple[np.ndarray, np.ndarray, list[list[int]]]:
    batch, widths = batch_crops([s.image for s in samples])
    targets = [charset.encode(s.text) for s in samples]
    return batch, widths, targets
