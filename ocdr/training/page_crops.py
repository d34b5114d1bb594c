"""Text crops cut from a labelled page set (``ocdr crops``), rectified from their polygons as the pipeline cuts the
regions its detector finds, so recognizer and orientation training and evaluation see what the pipeline feeds them.

Published word-crop sets are often axis-aligned boxes (ICDAR 2015's words): a word written at 45 or 90 degrees comes
out sideways there, which no 0/180 classifier can call and the pipeline never shows one. Polygons given in reading
order (the ICDAR convention: first point at the text's top-left) come out upright, vertical text included.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2

from ocdr.io.labels import write_characters_list, write_gt_list
from ocdr.io.page_datasets import PageItem
from ocdr.pipeline import region_crops


def write_page_crops(items: Sequence[PageItem], out: str | Path, ends: float = 0.0) -> list[tuple[str, str]]:
    """Cut every legible region of ``items`` (``###`` skipped) grown as the pipeline grows its crops (``ends``: x
    the height at each end; the recognizer reads with ``CROP_PAD_X``) into ``out/images/<page stem>_<k>.png`` (k:
    the region's index in the page's labels) with ``gt_list.txt`` and ``characters_list.txt``; returns the
    (name, text) pairs. Unreadable page images raise, naming the file."""
    out = Path(out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    pairs = []
    for path, labels in items:
        image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if image is None:
            raise ValueError(f"{path}: not a readable image")
        keep = [k for k, label in enumerate(labels) if not label.ignore and label.text]
        crops = region_crops(image, [labels[k].polygon for k in keep], ends)
        for k, crop in zip(keep, crops, strict=True):
            name = f"images/{path.stem}_{k}.png"
            cv2.imwrite(str(out / name), crop)
            pairs.append((name, labels[k].text))
    write_gt_list(out / "gt_list.txt", pairs)
    write_characters_list(out / "characters_list.txt", {c for _, t in pairs for c in t})
    return pairs
