"""Crops a second by ``OCR``'s ``threads`` setting: the same crops read (as ``ocdr eval rec`` reads them) by one
``OCR`` object per setting, built side by side in one process, in alternating runs. ``default`` is ``OCR()``
(ONNX Runtime's own thread count, and since stop 67 one recognizer worker per CPU). Run it on the machine whose
cores you want to know about; on a 2-core machine:

    python benchmarks/rec_threads.py --sets runs/rec_real/val/icdar2015_words_train --threads default 1 2
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from ocdr import OCR
from ocdr.io.crop_datasets import read_crop_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", type=Path, required=True, help="gt_list.txt folders")
    parser.add_argument("--threads", nargs="+", default=["default", "2"], help="'default' (OCR()) or a number")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per setting (the median), after a warm-up")
    parser.add_argument("--limit", type=int, default=0, help="first N crops of each set (0: all)")
    args = parser.parse_args()
    engines = {t: OCR() if t == "default" else OCR(threads=int(t)) for t in args.threads}
    print(
        f"{os.cpu_count()} CPUs; recognizer workers: "
        + ", ".join(f"{t}: {ocr.pipeline.recognizer.workers}" for t, ocr in engines.items())
    )
    print("| set | crops | " + " | ".join(f"threads {t}, crops/s" for t in engines) + " |")
    print("|---|---|" + "---|" * len(engines))
    for folder in args.sets:
        crops = [image for _, image, _ in read_crop_dataset(folder, args.limit or None) if image is not None]
        seconds: dict[str, list[float]] = {t: [] for t in engines}
        for ocr in engines.values():  # warm-up: sessions, word list, worker threads
            ocr.pipeline.read_upright(crops[:64], ocr.params)
        for _ in range(args.repeat):
            for t, ocr in engines.items():
                start = time.perf_counter()
                ocr.pipeline.read_upright(crops, ocr.params)
                seconds[t].append(time.perf_counter() - start)
        cells = " | ".join(f"{len(crops) / np.median(s):.1f}" for s in seconds.values())
        print(f"| {folder.name} | {len(crops)} | {cells} |")


if __name__ == "__main__":
    main()
