"""FUNSD words or SROIE lines cut from their pages as the pipeline cuts regions, beyond the published sample.

``recognition/funsd_train_words`` and ``recognition/sroie_train_lines`` are seeded samples (2,000 of 21,888 words,
1,000 of 18,706 lines) of the regions of ``detection/funsd_train`` and ``detection/sroie_train``, named
``<page stem>_<line number in its label file>``. This cuts the other regions too, rectified and grown as the
pipeline grows its crops (``--ends``), into ``OUT/train``, less: the crops of ``--exclude`` folders (held-out splits
of the published sample, e.g. ``runs/rec_real/val/funsd_train_words``: the same words are not trained on in another
cut), which go to ``OUT/val`` cut this way; the pages of ``--exclude-pages`` (a detector run's held-out pages, so
that end-to-end figures on them stay clean); the crops of ``--exclude-cuts`` folders (earlier cuts of this script,
named by the region's 0-based index, and splits of them: a second cut adds new crops only); and, with ``--sample
N``, all but a seeded sample of N.

    python scripts/document_crops.py --pages ../shared/data/detection/funsd_train --out work_data/funsd_rect \
        --exclude runs/rec_real/val/funsd_train_words --exclude-pages runs/det_real/val/funsd_train --ends 0.1
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from ocdr.io.labels import page_images, read_gt_list
from ocdr.io.page_datasets import read_page_dataset
from ocdr.training.page_crops import write_page_crops


def region_ids(folder: Path, first: int = 1) -> dict[tuple[str, int], str]:
    """(page stem, 0-based label index) -> text of each ``<stem>_<n>`` crop a ``gt_list.txt`` lists; ``first``: the
    ``n`` of a page's first label (1 in the published samples, which number label lines; 0 in this script's cuts)."""
    ids = {}
    for name, text in read_gt_list(folder / "gt_list.txt"):
        stem, n = Path(name).stem.rsplit("_", 1)
        ids[(stem, int(n) - first)] = text
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", required=True, type=Path, help="the ICDAR-format page set the crops come from")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--exclude", nargs="*", default=[], type=Path, help="crop folders: to OUT/val, not train")
    parser.add_argument(
        "--exclude-cuts", nargs="*", default=[], type=Path, help="this script's earlier cuts: not cut again"
    )
    parser.add_argument("--exclude-pages", nargs="*", default=[], type=Path, help="page folders left out of train")
    parser.add_argument("--sample", type=int, default=0, help="keep a seeded sample of this many train crops")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ends", type=float, default=0.1, help="end margins x height (the recognizer reads 0.1)")
    args = parser.parse_args()

    items = read_page_dataset(args.pages)
    stems = [path.stem for path, _ in items]
    held = {key: text for folder in args.exclude for key, text in region_ids(folder).items()}
    cut = {key: text for folder in args.exclude_cuts for key, text in region_ids(folder, first=0).items()}
    excluded = held | cut
    by_stem = dict(zip(stems, items, strict=True))
    for (stem, k), text in excluded.items():
        labels = by_stem[stem][1] if stem in by_stem else []
        if k >= len(labels) or labels[k].text != text:
            raise SystemExit(f"{stem}, label line {k + 1}: not the label {text!r} of {args.pages}")
    skip = {path.stem.split("_", 1)[-1] for folder in args.exclude_pages for path in page_images(folder)}
    train = [
        (stem, k)
        for stem, (_, labels) in zip(stems, items, strict=True)
        if stem not in skip
        for k, label in enumerate(labels)
        if not label.ignore and label.text and (stem, k) not in excluded
    ]
    if args.sample and args.sample < len(train):
        rng = np.random.default_rng(args.seed)
        train = [train[i] for i in sorted(rng.choice(len(train), args.sample, replace=False))]
    for split, wanted in (("val", set(held)), ("train", set(train))):
        chosen = [
            (path, [label if (stem, k) in wanted else replace(label, ignore=True) for k, label in enumerate(labels)])
            for stem, (path, labels) in zip(stems, items, strict=True)
        ]
        print(f"{split}: {len(write_page_crops(chosen, args.out / split, args.ends))} crops")


if __name__ == "__main__":
    main()
