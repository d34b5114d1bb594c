"""How many rendered lists the pipeline reads with every item led by its bullet (``ocdr.bullets``).

    python benchmarks/bullet_lists.py --threads 2

Each list is four items, one under another, each led by a bullet (• - ▪ ◦ *) set 1.2 or 2.5 em before its text,
in four faces and sizes (Liberation Sans 24 and 16 px, Liberation Serif 20 px, DejaVu Sans 12 px). A list counts
when the page's lines are exactly "<bullet> <item>", in order; a square is also counted when read as a dot (a
square a few pixels across is one to the eye). Printed: lists read so, per bullet.
"""

from __future__ import annotations

import argparse

from ocdr import OCR
from ocdr.training.synth.render import render_list

ITEMS = ["Revenue grew in every region", "Costs held flat", "Two new offices opened", "Hiring on track"]
BULLETS = ["•", "-", "▪", "◦", "*"]
FACES = [("LiberationSans-Regular.ttf", 24), ("LiberationSerif-Regular.ttf", 20), ("LiberationSans-Regular.ttf", 16),
         ("DejaVuSans.ttf", 12)]  # fmt: skip
GAPS = (1.2, 2.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    print("| bullet | lists read with every bullet |")
    print("|---|---|")
    total = 0
    for bullet in BULLETS:
        read = 0
        for font, size in FACES:
            for gap in GAPS:
                lines = [line.text for line in ocr(render_list(bullet, ITEMS, font, size, gap)).pages[0].lines]
                shown = [bullet, "•"] if bullet == "▪" else [bullet]
                read += any(lines == [f"{b} {item}" for item in ITEMS] for b in shown)
        total += read
        print(f"| {bullet} | {read} / {len(FACES) * len(GAPS)} |")
    print(f"| all | {total} / {len(BULLETS) * len(FACES) * len(GAPS)} |")


if __name__ == "__main__":
    main()
