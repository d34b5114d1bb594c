"""Crops read both ways up: how often ``OCR.recognize`` (``use_textline_orientation``) leaves an upright crop
upright and turns an upside-down one over, with the recognizer's readings both ways up of the crops the text-line
classifier is unsure of ("now", ``OCRPipeline.read_cut``) and without them ("before": ``unsure`` asks none), in one
process on the same crops (docs/models.md, "Crops read both ways up"). Each crop is taken as it is and turned by 180
degrees (``ocdr eval cls --cls-task recognize``). Any ``gt_list.txt`` folder works:

    python benchmarks/crop_turns.py --threads 2 --sets runs/cls_line2/val/{iiit5k_train,svt_train} \\
        runs/cls_line2/val/{icdar2015_words_train,funsd_train_words,sroie_train_lines} /tmp/synth_cls_val
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from ocdr import OCR, pipeline
from ocdr.evaluation.evaluate import evaluate_cls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", type=Path, required=True, help="gt_list.txt folders")
    parser.add_argument("--limit", type=int, default=0, help="first N crops of each set (0: all)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    asked = pipeline.unsure
    print("| set | crops | upright kept: before / now | upside-down turned: before / now | s: before / now |")
    print("|---|---|---|---|---|")
    totals = np.zeros((2, 3))  # (before, now) x (crops, upright right, upside-down right)
    for folder in args.sets:
        cells = []
        for row, ask in enumerate((lambda evidence: np.zeros(0, int), asked)):
            pipeline.unsure = ask
            try:
                start = time.perf_counter()
                result = evaluate_cls(ocr, folder, args.limit or None, task="recognize")
                seconds = time.perf_counter() - start
            finally:
                pipeline.unsure = asked
            n = result["images"]
            totals[row] += (n, n * result["accuracy_0"], n * result["accuracy_180"])
            cells.append((result["accuracy_0"], result["accuracy_180"], seconds))
        (up0, down0, s0), (up1, down1, s1) = cells
        print(f"| {folder.name} | {n} | {up0:.4f} / {up1:.4f} | {down0:.4f} / {down1:.4f} | {s0:.1f} / {s1:.1f} |")
    (n0, up0, down0), (_, up1, down1) = totals
    print(f"| all | {int(n0)} | {up0 / n0:.4f} / {up1 / n0:.4f} | {down0 / n0:.4f} / {down1 / n0:.4f} | |")


if __name__ == "__main__":
    main()
