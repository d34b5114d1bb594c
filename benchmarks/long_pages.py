"""Long receipts and dense pages: pages whose shape or word count the detector's usual limits do not expect.

    python benchmarks/long_pages.py --threads 2                       # ocdr
    python benchmarks/long_pages.py --threads 2 --engines ocdr ppocr  # beside PP-OCRv4 mobile (RapidOCR)

Pages rendered in one of the recipe fonts (DejaVu Sans, ``ocdr.training.synth.render.render_lines``) with known
word boxes:
* till receipts: lines of a line number, an item and its price in 22-pixel type, about 310 pixels wide, from
  2,000 to 24,000 pixels long;
* a banner: three lines of 400 numbers in 22-pixel type, about 31,000 pixels wide and 200 high;
* a dense page: 1,600 short words in 14-pixel type on a page about 2,000 pixels square (far over PaddleOCR's
  1,000 boxes a page).
For each page, the words read exactly at IoU >= 0.5 (``ocdr.evaluation.metrics.match_words``) and the seconds
the engine took.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from peer_engines import Ocdr, PPOCRv4  # noqa: E402

from ocdr.evaluation.metrics import match_words  # noqa: E402
from ocdr.io.labels import RegionLabel  # noqa: E402
from ocdr.training.synth.render import render_lines  # noqa: E402

ITEMS = ["COFFEE", "MILK TEA", "BAGEL", "SANDWICH", "WATER", "CAKE SLICE", "NOODLES", "RICE SET", "SOUP", "JUICE"]
RECEIPT_LENGTHS = (2000, 6000, 12000, 24000)


def receipt(length: int) -> tuple[np.ndarray, list[RegionLabel]]:
    """A till receipt about ``length`` pixels long: a line number, an item and its price a line."""
    count = int((length - 80) / (22 * 1.9))
    lines = [f"{k + 1:04d} {ITEMS[k % len(ITEMS)]} {(k * 37) % 900 / 10 + 1:.2f}" for k in range(count)]
    return render_lines(lines, size=22)


def banner() -> tuple[np.ndarray, list[RegionLabel]]:
    """Three lines of 400 five-digit numbers: a strip across."""
    return render_lines([" ".join(f"{k:05d}" for k in range(row * 400, row * 400 + 400)) for row in range(3)], size=22)


def dense_page() -> tuple[np.ndarray, list[RegionLabel]]:
    """1,600 short words, 40 to a line, in 14-pixel type."""
    lines = [" ".join(f"{(row * 40 + col) * 7919 % 100000:05d}" for col in range(40)) for row in range(40)]
    return render_lines(lines, size=14, spacing=2.4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--engines", nargs="+", default=["ocdr"], choices=["ocdr", "ppocr"])
    args = parser.parse_args(argv)
    engines = [PPOCRv4(args.threads) if name == "ppocr" else Ocdr(args.threads) for name in args.engines]
    pages = [(f"receipt, {length} px long", *receipt(length)) for length in RECEIPT_LENGTHS]
    pages.append(("banner, 1,200 words", *banner()))
    pages.append(("dense page, 1,600 words", *dense_page()))
    print("| page | size (w x h) | " + " | ".join(f"{e.name}: words read, s" for e in engines) + " |")
    print("|---|---|" + "---|" * len(engines))
    for name, image, labels in pages:
        cells = []
        for engine in engines:
            start = time.perf_counter()
            try:
                words = engine.read_page(image)
            except Exception as exc:  # a peer that refuses the page (RapidOCR: ResizeImgError on the banner)
                cells.append(f"failed: {type(exc).__name__}")
                continue
            seconds = time.perf_counter() - start
            found = round(match_words(words, labels).recall * len(labels))
            cells.append(f"{found} / {len(labels)}, {seconds:.1f}")
        print(f"| {name} | {image.shape[1]} x {image.shape[0]} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
