"""How many entries of rendered tables of contents the pipeline reads with their page numbers on their lines
(``ocdr.leaders``).

    python benchmarks/leaders.py --threads 2

Five entries a page, each title led by dots to its page number set flush right (``render_leaders``), in six faces,
at 16 and 22 px, the dots 0.3 and 0.5 em apart. Printed: entries whose number is read at all, and on its title's
line (the line's first word the title's, its last the number).
"""

from __future__ import annotations

import argparse

from ocdr import OCR
from ocdr.training.synth.render import render_leaders

ENTRIES = [("Introduction", "1"), ("Getting Started", "7"), ("Configuration", "15"), ("Advanced Topics", "42"),
           ("Index", "108")]  # fmt: skip
FONTS = ("LiberationSerif-Regular.ttf", "LiberationSans-Regular.ttf", "DejaVuSans.ttf", "Carlito-Regular.ttf",
         "FreeSerif.ttf", "LiberationSans-Bold.ttf")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    total = numbers = rows = 0
    for font in FONTS:
        for size in (16, 22):
            for pitch in (0.3, 0.5):
                lines = ocr(render_leaders(ENTRIES, font, size, pitch)).pages[0].lines
                texts = [[w.text for w in line.words] for line in lines]
                for title, number in ENTRIES:
                    total += 1
                    numbers += any(t[-1] == number for t in texts)
                    rows += any(t[0] == title.split()[0] and t[-1] == number for t in texts)
    print("| entries | number read | on its title's line |")
    print("|---|---|---|")
    print(f"| {total} | {numbers} | {rows} |")


if __name__ == "__main__":
    main()
