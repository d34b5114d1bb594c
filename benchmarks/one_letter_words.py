"""How well the pipeline reads one-letter words in running text ("I", "a", "A") and the words beside them, and
whether a figure alone ("1") stays a figure.

    python benchmarks/one_letter_words.py --threads 2

Lines of prose full of one-letter words, and lines with a "1" alone among words, rendered in twelve faces (sans,
serif, monospaced) at 18, 24 and 36 px. Printed per face class: one-letter words ("I", "a", "A") read exactly in
their place in the page's words (the page's words in reading order aligned with the true ones by word-level edit
distance, so a line read in two does not shift the rest), lines read exactly word for word as one of the page's
lines, the word error rate (word-level edit distance over the words), and the figures "1" alone read so in their
place.
"""

from __future__ import annotations

import argparse
from collections import defaultdict

from rapidfuzz.distance import Levenshtein

from ocdr import OCR
from ocdr.training.synth.render import render_superscripts

PROSE = [
    "I am writing to confirm that I will attend.",
    "A final draft is attached and I hope it helps.",
    "If a question comes up, I can call you.",
    "As I said, a copy goes to the board.",
    "Then I saw a cat and a dog near a tree.",
    "I think I know what I want to do.",
    "Was it a good year? I would say a great one.",
    "A man and a woman sat in a small room.",
]
FIGURES = [
    "The key for Room 1 is at the front desk.",
    "Add 1 cup of milk and stir for 1 minute.",
    "Chapter 1 explains what I mean by a loss.",
]
FONTS = {
    "sans": ("LiberationSans-Regular.ttf", "DejaVuSans.ttf", "Carlito-Regular.ttf", "Roboto-Regular.ttf",
             "OpenSans-Regular.ttf"),
    "serif": ("LiberationSerif-Regular.ttf", "DejaVuSerif.ttf", "FreeSerif.ttf", "texgyrepagella-regular.otf"),
    "mono": ("LiberationMono-Regular.ttf", "DejaVuSansMono.ttf", "Inconsolata.otf"),
}  # fmt: skip
SIZES = (18, 24, 36)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    lines = PROSE + FIGURES
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, fonts in FONTS.items():
        row = rows[kind]
        for font in fonts:
            for size in SIZES:
                page = ocr(render_superscripts([[(line, "")] for line in lines], font, size)).pages[0]
                read = [[w.text for w in line.words] for line in page.lines]
                words = [word for line in read for word in line]
                expected = [word for line in lines for word in line.split()]
                row["lines"] += len(lines)
                row["exact"] += sum(line.split() in read for line in lines)
                row["words"] += len(expected)
                row["errors"] += Levenshtein.distance(expected, words)
                wrong = {op.src_pos for op in Levenshtein.editops(expected, words) if op.tag != "insert"}
                for k, word in enumerate(expected):  # read in its place in the page's words, or not
                    what = "figures" if word == "1" else "one" if len(word) == 1 else None
                    if what:
                        row[what] += 1
                        row[what + "_read"] += k not in wrong
    print("| faces | one-letter words read | lines exact | word error rate | figure 1 kept |")
    print("|---|---|---|---|---|")
    for kind, row in rows.items():
        print(
            f"| {kind} | {row['one_read']}/{row['one']} | {row['exact']}/{row['lines']} | "
            f"{row['errors'] / row['words']:.3f} | {row['figures_read']}/{row['figures']} |"
        )


if __name__ == "__main__":
    main()
