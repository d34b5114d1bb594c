"""Seconds per page and peak memory for a clean 300-DPI A4 page (rendered here, fixed seed), on N CPU threads.

    python benchmarks/page_speed.py --threads 2 --runs 5

Prints a table: detection, recognition and whole-page time (median of the runs after one warm-up), words found,
and the process's peak RSS. Needs the fonts of scripts/install-fonts.sh and the `train` extra (fonttools).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

import numpy as np

from ocdr import OCR
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import PageStyle, render_page
from ocdr.training.synth.text import TextSampler


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=4242)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    image, labels = render_page(TextSampler(rng), find_fonts(), rng, PageStyle(dpi=300, noise=0.0))
    rss_page = peak_rss_mb()
    ocr = OCR(threads=args.threads)
    rss_loaded = peak_rss_mb()
    params = ocr.params
    det_times, rec_times, total_times, words = [], [], [], 0
    for run in range(args.runs + 1):
        t0 = time.perf_counter()
        regions = ocr.pipeline.detector(image, params)
        t1 = time.perf_counter()
        ocr.pipeline.recognize(image, regions, params)
        t2 = time.perf_counter()
        page = ocr.pipeline.read_page(image, params)
        t3 = time.perf_counter()
        if run:  # the first run warms up
            det_times.append(t1 - t0)
            rec_times.append(t2 - t1)
            total_times.append(t3 - t2)
        words = len(page.words)
    h, w = image.shape[:2]
    rows = [
        ("page", f"{w}x{h} px (A4 at 300 DPI), {len(labels)} words in the ground truth"),
        ("threads", str(args.threads)),
        ("detection s/page", f"{statistics.median(det_times):.3f}"),
        ("recognition s/page", f"{statistics.median(rec_times):.3f} ({len(regions)} regions)"),
        ("whole page s/page", f"{statistics.median(total_times):.3f} (min {min(total_times):.3f})"),
        ("words read", str(words)),
        ("peak RSS MB (page only / models loaded / end)", f"{rss_page:.0f} / {rss_loaded:.0f} / {peak_rss_mb():.0f}"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"| {'measure':<{width}} | value |\n|{'-' * (width + 2)}|-------|")
    for key, value in rows:
        print(f"| {key:<{width}} | {value} |")


if __name__ == "__main__":
    main()
