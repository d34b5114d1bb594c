"""Lines running up or down an upright page (a chart's axis title, an arXiv stamp down the margin, a Bates number, a
spine): how often the whole pipeline reads them, and what looking for them costs on pages that have none.

Each rendered page holds one label turned 90 degrees counterclockwise (running up) or clockwise (running down) in a
font of the synthetic-data list, beside a few lines of print across. A label counts as read when a line of the
page's text is the label exactly, or the label with its spaces and letter case aside ("loose").

    python benchmarks/vertical_text.py --count 120 --seed 70 --threads 2
    python benchmarks/vertical_text.py --count 0 --pages runs/det_real/val/funsd_train/images --threads 2

Run it from another checkout (``PYTHONPATH=...``) for the figures before a change; the pages are the same.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocdr import OCR
from ocdr.training.synth.fonts import find_fonts

LABELS = (
    "Temperature (C)",
    "Revenue in millions",
    "Sample ID",
    "Response time (ms)",
    "arXiv:2101.00123v2 [cs.CV] 4 Jan 2021",
    "00866042",
    "TLC 0060214859",
    "Introduction to Algorithms",
    "Volume 3",
    "CONFIDENTIAL",
    "Population density per km2",
    "Page 12 of 40",
)
BODY = ("The results of the survey are shown", "in the figure beside this text, for", "each of the regions we visited.")
SIZES = (12, 14, 18, 24, 32)


def page(label: str, font_path: Path, size: int, degrees: int) -> np.ndarray:
    """A page with ``label`` turned ``degrees`` counterclockwise at its left and ``BODY`` across beside it."""
    font = ImageFont.truetype(str(font_path), size)
    strip = Image.new("L", (int(font.getlength(label)) + 12, int(size * 1.6)), 255)
    ImageDraw.Draw(strip).text((6, size // 6), label, font=font, fill=0)
    turned = strip.rotate(degrees, expand=True)
    body = ImageFont.truetype(str(font_path), 16)
    width = turned.width + 60 + int(max(body.getlength(line) for line in BODY))
    sheet = Image.new("L", (width, max(turned.height + 80, 200)), 255)
    sheet.paste(turned, (30, 40))
    for k, line in enumerate(BODY):
        ImageDraw.Draw(sheet).text((turned.width + 50, 60 + 26 * k), line, font=body, fill=0)
    return np.array(sheet.convert("RGB"))


def loose(text: str) -> str:
    return "".join(text.split()).lower()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=120, help="rendered label pages")
    parser.add_argument("--seed", type=int, default=70)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pages", type=Path, help="a folder of pages to time (read twice, the second timed)")
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    rng = random.Random(args.seed)
    fonts = sorted(find_fonts(), key=lambda f: f.path.name)
    exact = near = 0
    by_turn: dict[int, list[int]] = {90: [0, 0], 270: [0, 0]}
    spent = 0.0
    for _ in range(args.count):
        label, size, degrees = rng.choice(LABELS), rng.choice(SIZES), rng.choice((90, 270))
        font = rng.choice([f for f in fonts if all(c in f.coverage for c in label)])
        image = page(label, font.path, size, degrees)
        start = time.perf_counter()
        lines = ocr(image).pages[0].text.splitlines()
        spent += time.perf_counter() - start
        exact += label in lines
        near += loose(label) in {loose(line) for line in lines}
        by_turn[degrees][0] += 1
        by_turn[degrees][1] += loose(label) in {loose(line) for line in lines}
    print("| what | figure |\n|---|---|")
    if args.count:
        print(f"| rendered labels (seed {args.seed}) | {args.count} |")
        print(f"| read exactly | {exact} ({exact / args.count:.1%}) |")
        print(f"| read, spaces and case aside | {near} ({near / args.count:.1%}) |")
        for degrees, (seen, read) in by_turn.items():
            way = "up (90)" if degrees == 90 else "down (270)"
            print(f"| running {way}, spaces and case aside | {read}/{seen} |")
        print(f"| seconds per label page | {spent / args.count:.3f} |")
    if args.pages:
        paths = sorted(p for p in args.pages.iterdir() if p.suffix.lower() in {".png", ".jpg", ".jpeg", ".tif"})
        for p in paths[:2]:
            ocr(p)  # warm-up
        start = time.perf_counter()
        for p in paths:
            ocr(p)
        per_page = (time.perf_counter() - start) / len(paths)
        print(f"| {args.pages} ({len(paths)} pages): seconds per page | {per_page:.3f} |")


if __name__ == "__main__":
    main()
