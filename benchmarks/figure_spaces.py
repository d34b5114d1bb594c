"""How many words and numbers the pipeline reads whole and apart on lines of figures and short words set one space
apart ("Page 3 of 17", "Room 12 on floor 4"), and how many of the tokens written close ("1998", "3rd", "$1,111.00",
"COVID19") stay whole: the recognizer drops spaces beside figures (``ocdr.models.recognition.spacing``).

    python benchmarks/figure_spaces.py --pages 80 --seed 5 --threads 2

Each page is three lines of six tokens in one of the synthetic-data fonts at 11-30 px (``render_lines``). A token
counts as read when the page's text, split at whitespace, holds it (each read token counted once). Printed: tokens
and the share read, for tokens set apart (figures, times, prices, short words) and the close-set ones.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter

from ocdr import OCR
from ocdr.training.synth.fonts import listed_font_names
from ocdr.training.synth.render import render_lines

WORDS = (
    "at of on in to by for and or is it a I am pm No Rm Apt Ste Page Room Suite Floor Box lbs kg mm cm x per each "
    "item Qty Total"
).split()
CLOSE = (
    "1998 2011 111 11 1:11 11:15 $1,111.00 3rd 21st 10am 5pm 5kg 12mm A4 B12 COVID19 4x4 1st 11th 2nd 100% No.1 "
    "Rm101 v1.1 7s 17 71 101 1/11 #11"
).split()
SIZES = (11, 12, 14, 16, 20, 24, 30)


def token(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.4:
        return str(rng.choice([rng.randint(0, 9), rng.randint(10, 99), rng.randint(100, 2000)]))
    if draw < 0.5:
        return f"{rng.randint(1, 12)}:{rng.randint(0, 59):02d}"
    if draw < 0.55:
        return f"${rng.randint(1, 99)}.{rng.randint(0, 99):02d}"
    return rng.choice(CLOSE) if draw < 0.75 else rng.choice(WORDS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=80)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    ocr = OCR(threads=args.threads)
    fonts = listed_font_names()
    counts: Counter[str] = Counter()
    for _ in range(args.pages):
        font, size = rng.choice(fonts), rng.choice(SIZES)
        lines = [" ".join(token(rng) for _ in range(6)) for _ in range(3)]
        image, _ = render_lines(lines, font, size)
        read = Counter(ocr(image).text.split())
        for text in " ".join(lines).split():
            kind = "close" if text in CLOSE else "apart"
            counts[kind] += 1
            if read[text] > 0:
                read[text] -= 1
                counts[kind + " read"] += 1
    print("| tokens | count | read |")
    print("|---|---|---|")
    for kind, name in (("apart", "set apart (figures, times, prices, short words)"), ("close", "written close")):
        print(f"| {name} | {counts[kind]} | {counts[kind + ' read'] / max(1, counts[kind]):.3f} |")


if __name__ == "__main__":
    main()
