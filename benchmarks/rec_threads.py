"""Crops a second (and word accuracy) by ``OCR``'s ``threads`` setting and by ``rec_batch_size``: the same crops
read (as ``ocdr eval rec`` and ``OCR.recognize`` read them) by one ``OCR`` object per thread setting, built side by
side in one process, in alternating runs. ``default`` is ``OCR()`` (ONNX Runtime's own thread count, and since stop
67 one recognizer worker per CPU). Run it on the machine whose cores you want to know about; on a 2-core machine:

    python benchmarks/rec_threads.py --sets runs/rec_real/val/icdar2015_words_train --threads default 1 2
    python benchmarks/rec_threads.py --sets runs/rec_real/val/iiit5k_train --threads 2 --batch-sizes 8 64
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
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[8], help="crops a model call (rec_batch_size)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per setting (the median), after a warm-up")
    parser.add_argument("--limit", type=int, default=0, help="first N crops of each set (0: all)")
    args = parser.parse_args()
    engines = {t: OCR() if t == "default" else OCR(threads=int(t)) for t in args.threads}
    print(
        f"{os.cpu_count()} CPUs; recognizer workers: "
        + ", ".join(f"{t}: {ocr.pipeline.recognizer.workers}" for t, ocr in engines.items())
    )
    settings = [(t, size) for t in engines for size in args.batch_sizes]
    print(
        "| set | crops | "
        + " | ".join(f"threads {t}, {size} a call: crops/s (accuracy)" for t, size in settings)
        + " |"
    )
    print("|---|---|" + "---|" * len(settings))
    for folder in args.sets:
        read = [(image, text) for _, image, text in read_crop_dataset(folder, args.limit or None) if image is not None]
        crops = [image for image, _ in read]
        seconds: dict[tuple[str, int], list[float]] = {setting: [] for setting in settings}
        accuracy = {}
        for ocr in engines.values():  # warm-up: sessions, word list, worker threads
            ocr.pipeline.read_upright(crops[:64], ocr.params)
        for _ in range(args.repeat):
            for t, size in settings:
                ocr = engines[t]
                start = time.perf_counter()
                readings = ocr.pipeline.read_upright(crops, ocr.params, size)
                seconds[t, size].append(time.perf_counter() - start)
                accuracy[t, size] = np.mean([r.text == text for (r, _), (_, text) in zip(readings, read, strict=True)])
        cells = " | ".join(f"{len(crops) / np.median(seconds[s]):.1f} ({accuracy[s]:.4f})" for s in settings)
        print(f"| {folder.name} | {len(crops)} | {cells} |")


if __name__ == "__main__":
    main()
