"""Words and lines handed to the pipeline as images of their own (``OCR()(crop)``, the way users read a crop they
cut), against the same crops read by the recognizer alone (``read_upright``, what ``ocdr eval rec`` scores). A crop
counts when the page's words, joined by single spaces, equal its label exactly. With ``--blank-pages``, patches cut
from those labelled photos away from any labelled text are read too: the share that comes back with text is the
price of reading crops whole (``OCRPipeline.read_whole``).

    python benchmarks/crops_as_images.py --sets runs/rec_real/val/icdar2015_words_train \\
        --blank-pages work_data/tune_icdar2015_train --threads 2
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import cv2
import numpy as np

from ocdr import OCR
from ocdr.io.labels import icdar_pairs, read_gt_list, read_icdar_gt


def load_crops(folder: Path, limit: int) -> tuple[list[np.ndarray], list[str]]:
    """RGB crops and labels of a ``gt_list.txt`` folder (unreadable images left out)."""
    images, texts = [], []
    for name, text in read_gt_list(folder / "gt_list.txt")[: limit or None]:
        path = folder / name if (folder / name).exists() else folder / "images" / name
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is not None and image.size:
            images.append(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
            texts.append(text)
    return images, texts


def blank_patches(pages: Path, count: int, seed: int = 5) -> list[np.ndarray]:
    """``count`` patches (20-80 x 40-250 pixels) of the set's photos, 10 pixels or more from any labelled region."""
    rng = random.Random(seed)
    pairs = icdar_pairs(pages)
    patches: list[np.ndarray] = []
    while len(patches) < count:
        image_path, gt = rng.choice(pairs)
        image = cv2.cvtColor(cv2.imread(str(image_path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        boxes = [cv2.boundingRect(np.asarray(label.polygon, np.float32)) for label in read_icdar_gt(gt)]
        h, w = rng.randint(20, 80), rng.randint(40, 250)
        x, y = rng.randint(0, image.shape[1] - w), rng.randint(0, image.shape[0] - h)
        if not any(
            x < bx + bw + 10 and bx - 10 < x + w and y < by + bh + 10 and by - 10 < y + h for bx, by, bw, bh in boxes
        ):
            patches.append(np.ascontiguousarray(image[y : y + h, x : x + w]))
    return patches


def as_images(ocr: OCR, images: list[np.ndarray]) -> tuple[list[str], float]:
    """Each image read by the whole pipeline: its words joined by single spaces, and the seconds taken."""
    start = time.perf_counter()
    texts = [" ".join(w.text for w in ocr(image).pages[0].words) for image in images]
    return texts, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", type=Path, required=True, help="gt_list.txt folders")
    parser.add_argument("--blank-pages", type=Path, help="an ICDAR-format photo set to cut text-free patches from")
    parser.add_argument("--blanks", type=int, default=300)
    parser.add_argument("--limit", type=int, default=0, help="first N crops of each set (0: all)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--use-scene-detector",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="crops that are not print on a flat light ground go to the scene detector (the pipeline's default)",
    )
    args = parser.parse_args()
    ocr = OCR(threads=args.threads, use_scene_detector=args.use_scene_detector)
    print("| set | crops | as images: exact | empty | ms/crop | recognizer alone: exact | ms/crop |")
    print("|---|---|---|---|---|---|---|")
    for folder in args.sets:
        images, labels = load_crops(folder, args.limit)
        read, seconds = as_images(ocr, images)
        start = time.perf_counter()
        alone = [r.text.strip() for r, _ in ocr.pipeline.read_upright(images, ocr.params)]
        alone_seconds = time.perf_counter() - start
        n = max(1, len(labels))
        print(
            f"| {folder.name} | {len(labels)} | {np.mean([a == b for a, b in zip(read, labels, strict=True)]):.3f}"
            f" | {np.mean([not t for t in read]):.3f} | {1000 * seconds / n:.0f}"
            f" | {np.mean([a == b for a, b in zip(alone, labels, strict=True)]):.3f} | {1000 * alone_seconds / n:.0f} |"
        )
    if args.blank_pages:
        read, seconds = as_images(ocr, blank_patches(args.blank_pages, args.blanks))
        print(
            f"\nPatches without text ({args.blanks}, from {args.blank_pages.name}): read as text"
            f" {np.mean([bool(t) for t in read]):.3f}, {1000 * seconds / args.blanks:.0f} ms each"
        )


if __name__ == "__main__":
    main()
