"""Words boxed at a slant: crops turned by a few degrees and cut out by their axis-aligned boxes (as ICDAR 2015's
word crops are cut from their quads), read by the recognizer with and without ``untilt`` (docs/models.md, "Words
boxed at a slant"). A share of the crops is left level, so that what the slants break shows too.

The slants and the weight were picked on fresh synthetic scene words, none of them held out anywhere:

    ocdr synth scene --out work_data/synth_scene55 --count 1500 --seed 55 \\
        --backgrounds ../shared/data/detection/icdar2015_train --exclude-pages runs/det_real/val/icdar2015_train
    python benchmarks/slanted_crops.py --sets work_data/synth_scene55 --threads 2

and the steeper slants of stop 64 on another such set (``--count 1500 --seed 64``), 70% of it turned 5-80 degrees:

    python benchmarks/slanted_crops.py --sets work_data/synth_scene64 --threads 2 --min-degrees 5 --max-degrees 80 \\
        --level-share 0.3 --seed 64

Any ``gt_list.txt`` folder works (real crops: ``--level-share 1`` reads them as they are).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from ocdr import OCR, pipeline
from ocdr.io.crop_datasets import read_crop_dataset
from ocdr.models.recognition.variants import slanted


def read(ocr: OCR, crops: list[np.ndarray], slants: bool) -> tuple[list[str], float]:
    """The crops' readings as ``ocdr eval rec`` reads them, with or without the slants, and the seconds taken."""
    kept = pipeline.untilt
    if not slants:
        pipeline.untilt = lambda read, crops, results: list(results)
    try:
        start = time.perf_counter()
        texts = [r.text for r, _ in ocr.pipeline.read_upright(crops, ocr.params)]
        return texts, time.perf_counter() - start
    finally:
        pipeline.untilt = kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", type=Path, required=True, help="gt_list.txt folders")
    parser.add_argument("--level-share", type=float, default=0.4, help="share of crops left level")
    parser.add_argument("--min-degrees", type=float, default=5.0)
    parser.add_argument("--max-degrees", type=float, default=40.0)
    parser.add_argument("--limit", type=int, default=0, help="first N crops of each set (0: all)")
    parser.add_argument("--seed", type=int, default=55)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    print("| set | crops | slanted | read as before | with slants | mended / broken | ms/crop before / with |")
    print("|---|---|---|---|---|---|---|")
    for folder in args.sets:
        rng = np.random.default_rng(args.seed)
        crops, labels, turned = [], [], 0
        for _, image, text in read_crop_dataset(folder, args.limit or None):
            if image is None:
                continue
            if rng.random() >= args.level_share:
                degrees = float(rng.uniform(args.min_degrees, args.max_degrees)) * (1 if rng.random() < 0.5 else -1)
                image, turned = slanted(image, degrees), turned + 1
            crops.append(image)
            labels.append(text)
        before, seconds_before = read(ocr, crops, slants=False)
        after, seconds_after = read(ocr, crops, slants=True)
        right_before = np.array([a == b for a, b in zip(before, labels, strict=True)])
        right_after = np.array([a == b for a, b in zip(after, labels, strict=True)])
        n = max(1, len(labels))
        print(
            f"| {folder.name} | {len(labels)} | {turned} | {right_before.mean():.3f} | {right_after.mean():.3f}"
            f" | {int((right_after & ~right_before).sum())} / {int((right_before & ~right_after).sum())}"
            f" | {1000 * seconds_before / n:.1f} / {1000 * seconds_after / n:.1f} |"
        )


if __name__ == "__main__":
    main()
