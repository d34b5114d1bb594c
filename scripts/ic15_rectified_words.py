"""ICDAR 2015's word crops cut again from their pages, rectified as the pipeline cuts regions, with the same
held-out split as the axis-aligned originals.

``recognition/icdar2015_words_train/word_N`` is the N-th legible region of ``detection/icdar2015_train`` taken page
by page (img_1 ... img_1000) in label order: checked here, text for text. The published crops are axis-aligned
boxes, so a word at 45 or 90 degrees is sideways in them; cut from its reading-order quad it is upright, as the
text-line classifier sees it in the pipeline. ``--val`` names the held-out crops (a ``gt_list.txt`` folder of
``word_N`` images, e.g. a training run's carved split), written to ``OUT/val``; every other word goes to
``OUT/train`` except those in ``--exclude`` folders and those on the pages of ``--exclude-pages`` (held-out pages
of a detection run, whose file names end in the original page stem).

    python scripts/ic15_rectified_words.py --out work_data/ic15_rect \
        --val runs/cls_line2/val/icdar2015_words_train --exclude runs/rec_real/val/icdar2015_words_train \
        --exclude-pages runs/det_real/val/icdar2015_train
"""

from __future__ import annotations

import argparse
import re
from dataclasses import replace
from pathlib import Path

from ocdr.io.labels import page_images, read_gt_list
from ocdr.io.page_datasets import read_page_dataset
from ocdr.training.page_crops import write_page_crops

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def word_ids(folder: Path) -> set[int]:
    """The N of each ``word_N`` image a ``gt_list.txt`` folder lists."""
    return {int(re.search(r"word_(\d+)", name).group(1)) for name, _ in read_gt_list(folder / "gt_list.txt")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--val", required=True, type=Path, help="held-out word crops: written to OUT/val")
    parser.add_argument("--exclude", nargs="*", default=[], type=Path, help="word crop folders left out of train")
    parser.add_argument("--exclude-pages", nargs="*", default=[], type=Path, help="page folders left out of train")
    parser.add_argument("--ends", type=float, default=0.0, help="end margins x height (the recognizer reads 0.1)")
    parser.add_argument("--pages", type=Path, default=DATA / "detection" / "icdar2015_train")
    parser.add_argument("--words", type=Path, default=DATA / "recognition" / "icdar2015_words_train")
    args = parser.parse_args()

    pages = read_page_dataset(args.pages)
    number = {path.stem: int(path.stem.split("_")[-1]) for path, _ in pages}
    items = sorted(pages, key=lambda item: number[item[0].stem])
    texts = dict(read_gt_list(args.words / "gt_list.txt"))
    legible = [(p, k) for p, (_, labels) in enumerate(items) for k, lab in enumerate(labels) if not lab.ignore]
    if len(legible) != len(texts) or any(
        texts[f"word_{n + 1}.jpg"] != items[p][1][k].text for n, (p, k) in enumerate(legible)
    ):
        raise SystemExit(f"{args.words} is not the legible regions of {args.pages} in page order")
    held = word_ids(args.val)
    excluded = held.union(*(word_ids(folder) for folder in args.exclude))
    skip_pages = {number[path.stem.split("_", 1)[-1]] for folder in args.exclude_pages for path in page_images(folder)}
    for split, wanted in (
        ("val", held),
        ("train", {n + 1 for n, (p, _) in enumerate(legible) if number[items[p][0].stem] not in skip_pages} - excluded),
    ):
        keep = {legible[n - 1] for n in wanted}
        chosen = [
            (path, [lab if (p, k) in keep else replace(lab, ignore=True) for k, lab in enumerate(labels)])
            for p, (path, labels) in enumerate(items)
        ]
        print(f"{split}: {len(write_page_crops(chosen, args.out / split, args.ends))} crops")


if __name__ == "__main__":
    main()
