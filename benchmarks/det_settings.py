"""Detection hmean at a grid of DB post-processing settings, to pick a detector's stored defaults.

    python benchmarks/det_settings.py --sets ../shared/data/detection/sroie_train ../shared/data/detection/funsd_train \
        ../shared/data/detection/icdar2015_train --exclude runs/det_real/val --sample 60 30 80 --threads 2

Picking the settings on the pages that report the figures would flatter them, so ``--exclude`` leaves out every page
whose file name (less the ``NNNN_`` prefix the held-out folders add) is in a folder of that name under it, and
``--sample`` draws that many of the rest (seeded shuffle of the names). The detector runs once per page; each
setting only re-runs the numpy post-processing on the stored probability maps. Sets in ``--line-sets`` (SROIE by
default) are scored on text segments, as ``ocdr eval det --segments`` and ``benchmarks/peers.py`` score them. Store
the pick with ``ocdr export DET.onnx -o DET.onnx --text-det-box-thresh B --text-det-unclip-ratio U``.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from pathlib import Path

import numpy as np

from ocdr import OCR
from ocdr.evaluation.evaluate import detection_polygons
from ocdr.evaluation.metrics import PRF, match_detections
from ocdr.io.inputs import Source, iter_pages
from ocdr.io.page_datasets import read_page_dataset
from ocdr.models.detection.processing import DBPostProcessor
from ocdr.pipeline import detector_sizes


def sample(folder: Path, exclude: Path | None, count: int, seed: int) -> list:
    """``count`` labelled pages of ``folder`` (all if 0) outside the held-out copy ``exclude/<folder name>``."""
    held = exclude / folder.name / "images" if exclude else None
    names = {p.name.split("_", 1)[-1] for p in held.iterdir()} if held and held.is_dir() else set()
    items = sorted((item for item in read_page_dataset(folder) if item[0].name not in names), key=lambda i: i[0].name)
    random.Random(seed).shuffle(items)
    return items[:count] if count else items


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", type=Path, required=True, help="ICDAR-style page folders")
    ap.add_argument("--exclude", type=Path, help="folder of held-out copies (<set name>/images/NNNN_<page>)")
    ap.add_argument("--sample", nargs="+", type=int, default=[0], help="pages per set (one for all, or one each)")
    ap.add_argument("--line-sets", nargs="*", default=["sroie_train"], help="set names scored on text segments")
    ap.add_argument("--thresh", nargs="+", type=float, default=[0.3])
    ap.add_argument("--box-thresh", nargs="+", type=float, default=[0.4, 0.45, 0.5])
    ap.add_argument("--unclip-ratio", nargs="+", type=float, default=[1.3, 1.4, 1.5])
    ap.add_argument("--det-model", help="detector ONNX file (default: the shipped one)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args(argv)
    counts = args.sample * len(args.sets) if len(args.sample) == 1 else args.sample
    if len(counts) != len(args.sets):
        ap.error("--sample takes one count, or one per set")

    ocr = OCR(det_model=args.det_model, threads=args.threads)
    detector, params = ocr.pipeline.detector, ocr.params
    maps: dict[str, list] = {}
    for folder, count in zip(args.sets, counts, strict=True):
        maps[folder.name] = []
        for path, labels in sample(folder, args.exclude, count, args.seed):
            image = next(iter_pages(Source(str(path), path))).image
            maps[folder.name].append((detector.run(image, detector_sizes(image, params)[0]), image.shape[:2], labels))
        print(f"{folder.name}: {len(maps[folder.name])} pages", file=sys.stderr)

    columns = " | ".join(f"{name} P / R / hmean" for name in maps)
    print(f"| thresh | box_thresh | unclip_ratio | {columns} | mean hmean |")
    print("|---" * (4 + len(maps)) + "|")
    for thresh, box, unclip in itertools.product(args.thresh, args.box_thresh, args.unclip_ratio):
        post, cells, hmeans = DBPostProcessor(thresh, box, unclip), [], []
        for name, pages in maps.items():
            total = PRF()
            for prob, shape, labels in pages:
                polygons = detection_polygons(post(prob, shape), name in args.line_sets)
                total = total + match_detections(polygons, labels)
            cells.append(f"{total.precision:.3f} / {total.recall:.3f} / {total.hmean:.3f}")
            hmeans.append(total.hmean)
        print(f"| {thresh} | {box} | {unclip} | " + " | ".join(cells) + f" | {np.mean(hmeans):.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
