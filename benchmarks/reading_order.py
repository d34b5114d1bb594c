"""Reading order on synthetic pages of known order: the layout step alone, fed the true word boxes and texts.

    python benchmarks/reading_order.py                 # 200 pages (about a third in two columns)
    python benchmarks/reading_order.py --pages 50 --json out.json

Pages come from ``ocdr.training.synth`` (headings, paragraphs, key/value lines, table rows, rules; one or two
columns); their true order is the order they were drawn in: each column top to bottom, each line left to right
(a key before its value, table cells along the row). The true words, in random order, go through
``ocdr.layout.grouping.group_words``; the page text it gives is compared with the true text:

- order CER: character edit distance over the true text's length (whitespace collapsed), all pages together;
- interleaved two-column pages: pages where the output returns to the left column after entering the right one;
- the share of pages read in exactly the true order, and the layout time per page.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

from ocdr.document import Word
from ocdr.layout.grouping import group_words
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import PageStyle, render_page
from ocdr.training.synth.text import TextSampler


def measure(pages: int, seed: int, dpi: float) -> dict:
    rng = np.random.default_rng(seed)
    sampler, fonts = TextSampler(rng), find_fonts()
    distance = length = exact = two_col = interleaved = 0
    seconds = 0.0
    for _ in range(pages):
        image, labels = render_page(sampler, fonts, rng, PageStyle(dpi=dpi, noise=0.0))
        if not labels:
            continue
        width = image.shape[1]
        truth = " ".join(label.text for label in labels)
        words = [Word(label.polygon, label.text, 1.0) for label in labels]
        column_of = {id(w): int(w.polygon[:, 0].mean() > width / 2) for w in words}
        gutter = [w for w in words if abs(w.polygon[:, 0].mean() - width / 2) < width * 0.02]
        shuffled = [words[i] for i in rng.permutation(len(words))]
        start = time.perf_counter()
        blocks = group_words(shuffled)
        seconds += time.perf_counter() - start
        text = " ".join(" ".join(block.text.split()) for block in blocks)
        distance += Levenshtein.distance(text, truth)
        length += len(truth)
        exact += text == truth
        left = [w for w in words if column_of[id(w)] == 0]
        is_two_col = (
            not gutter and len(left) not in (0, len(words)) and max(w.polygon[:, 0].max() for w in left) < width / 2
        )
        if is_two_col:
            two_col += 1
            sequence = [column_of[id(w)] for block in blocks for w in block.words]
            interleaved += any(a == 1 and b == 0 for a, b in zip(sequence, sequence[1:], strict=False))
    return {
        "pages": pages,
        "order_cer": distance / max(1, length),
        "exact_pages": exact / max(1, pages),
        "two_column_pages": two_col,
        "interleaved_two_column_pages": interleaved,
        "ms_per_page": 1000 * seconds / max(1, pages),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--dpi", type=float, default=150.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = measure(args.pages, args.seed, args.dpi)
    print("| pages | order CER | pages in exact order | two-column pages interleaved | layout ms/page |")
    print("|---|---|---|---|---|")
    print(
        f"| {figures['pages']} | {figures['order_cer']:.2%} | {figures['exact_pages']:.1%} | "
        f"{figures['interleaved_two_column_pages']} / {figures['two_column_pages']} | {figures['ms_per_page']:.1f} |"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
