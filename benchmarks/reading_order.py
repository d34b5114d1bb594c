"""Reading order on synthetic pages of known order: the layout step alone, fed the true word boxes and texts.

    python benchmarks/reading_order.py                 # 200 pages (about a third in two columns)
    python benchmarks/reading_order.py --pages 50 --json out.json
    python benchmarks/reading_order.py --skew 3          # scans turned by up to 3 degrees (--photo 0.5: photographed)
    python benchmarks/reading_order.py --data ../shared/data/detection/sroie_train   # rows of real labelled pages
    python benchmarks/reading_order.py --read work_data/photo_order [--unwarp]    # end to end, the shipped models
    python benchmarks/reading_order.py --read work_data/turned_order --deskew     # pages turned up to 45 degrees

Pages come from ``ocdr.training.synth`` (headings, paragraphs, key/value lines, table rows, rules; one or two
columns); their true order is the order they were drawn in: each column top to bottom, each line left to right
(a key before its value, table cells along the row). The true words, in random order, go through
``ocdr.layout.grouping.group_words``; the page text it gives is compared with the true text:

- order CER: character edit distance over the true text's length (whitespace collapsed), all pages together;
- interleaved two-column pages: pages where the output returns to the left column after entering the right one
  (a page's right column starts where the drawn words jump back up the page);
- the share of pages read in exactly the true order, and the layout time per page;
- line recall and precision: the drawn lines (a paragraph's line, a key with its value, a table's row) that are a
  line of the page's plain text (``Page.text``, whitespace collapsed), and the text's lines that are drawn lines.

With ``--data``, the labelled boxes of real pages (ICDAR format) go through the layout instead, and only line
recall and precision are measured, against the pages' rows: labels chained top to bottom while their centres stay
within half the median label height of the row's first, each row read left to right. That is an approximation of
a row (two fields side by side on a form count as one row), good for comparing layout versions.

With ``--read``, pages that ``ocdr synth pages`` wrote (their labels in drawing order) are read end to end by the
shipped models, and the order CER of the page text is measured (recognition errors count too: compare versions).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

from ocdr.document import Page, Word
from ocdr.io.labels import RegionLabel, icdar_pairs, read_icdar_gt
from ocdr.layout.grouping import group_words
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import PageStyle, render_page
from ocdr.training.synth.text import TextSampler


def drawn_lines(labels: list[RegionLabel]) -> list[str]:
    """The page's lines as drawn: labels come in drawing order, and a line ends where the next word's centre is not
    right of the last one's, or is a word's height above or below it."""
    lines: list[list[str]] = []
    previous = None
    for label in labels:
        (cx, cy), height = label.polygon.mean(axis=0), np.ptp(label.polygon[:, 1])
        if previous is None or cx <= previous[0] or abs(cy - previous[1]) > height:
            lines.append([])
        lines[-1].append(label.text)
        previous = (cx, cy)
    return [" ".join(line) for line in lines]


def label_rows(labels: list[RegionLabel]) -> list[str]:
    """A real page's rows: labels chained by centre height (see the module's docstring), each left to right."""
    boxes = sorted((lab.polygon[:, 1].mean(), lab.polygon[:, 0].min(), lab.text) for lab in labels)
    height = float(np.median([np.ptp(lab.polygon[:, 1]) for lab in labels]))
    rows: list[tuple[float, list[tuple[float, str]]]] = []
    for cy, x, text in boxes:
        if rows and abs(cy - rows[-1][0]) < height / 2:
            rows[-1][1].append((x, text))
        else:
            rows.append((cy, [(x, text)]))
    return [" ".join(text for _, text in sorted(row)) for _, row in rows]


def line_counts(truth: list[str], page: Page) -> tuple[int, int, int]:
    """(true lines, lines of the page's text, lines in both), whitespace collapsed."""
    true_lines = Counter(" ".join(line.split()) for line in truth)
    ours = Counter(" ".join(line.split()) for line in page.text.split("\n") if line.strip())
    return true_lines.total(), ours.total(), (true_lines & ours).total()


def measure_real(root: Path) -> dict:
    pages = lines_true = lines_ours = lines_both = 0
    for _, gt in icdar_pairs(root):
        labels = [lab for lab in read_icdar_gt(gt) if not lab.ignore and lab.text.strip()]
        if labels:
            blocks = group_words([Word(lab.polygon, lab.text, 1.0) for lab in labels])
            counts = line_counts(label_rows(labels), Page(0, 1, 1, blocks))
            pages, lines_true, lines_ours, lines_both = (
                pages + 1,
                *(a + b for a, b in zip((lines_true, lines_ours, lines_both), counts, strict=True)),
            )
    return {
        "set": root.name,
        "pages": pages,
        "line_recall": lines_both / max(1, lines_true),
        "line_precision": lines_both / max(1, lines_ours),
    }


def measure_read(root: Path, unwarp: bool, threads: int, deskew: bool = False) -> dict:
    from ocdr import OCR

    ocr = OCR(threads=threads, use_doc_unwarping=unwarp, use_deskew=deskew)
    distance = length = pages = 0
    for image, gt in icdar_pairs(root):
        truth = " ".join(lab.text for lab in read_icdar_gt(gt) if not lab.ignore)
        distance += Levenshtein.distance(" ".join(ocr(str(image)).text.split()), truth)
        length, pages = length + len(truth), pages + 1
    return {
        "set": root.name,
        "pages": pages,
        "unwarp": unwarp,
        "deskew": deskew,
        "order_cer": distance / max(1, length),
    }


def measure(pages: int, seed: int, dpi: float, skew: float = 0.0, photo: float = 0.0) -> dict:
    rng = np.random.default_rng(seed)
    sampler, fonts = TextSampler(rng), find_fonts()
    distance = length = exact = two_col = interleaved = lines_true = lines_ours = lines_both = 0
    seconds = 0.0
    for _ in range(pages):
        image, labels = render_page(sampler, fonts, rng, PageStyle(dpi=dpi, noise=0.0, max_skew_deg=skew, photo=photo))
        if not labels:
            continue
        width = image.shape[1]
        truth = " ".join(label.text for label in labels)
        words = [Word(label.polygon, label.text, 1.0) for label in labels]
        # columns are drawn one after the other, each top to bottom: a column starts where the text jumps back up
        tops = [float(w.polygon[:, 1].mean()) for w in words]
        starts = np.cumsum([0] + [b < a - image.shape[0] / 4 for a, b in zip(tops, tops[1:], strict=False)])
        column_of = {id(w): int(k) for w, k in zip(words, starts, strict=True)}
        shuffled = [words[i] for i in rng.permutation(len(words))]
        start = time.perf_counter()
        blocks = group_words(shuffled)
        seconds += time.perf_counter() - start
        text = " ".join(" ".join(block.text.split()) for block in blocks)
        distance += Levenshtein.distance(text, truth)
        length += len(truth)
        exact += text == truth
        counts = line_counts(drawn_lines(labels), Page(0, width, image.shape[0], blocks))
        lines_true, lines_ours, lines_both = (
            a + b for a, b in zip((lines_true, lines_ours, lines_both), counts, strict=True)
        )
        if starts[-1] == 1:
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
        "line_recall": lines_both / max(1, lines_true),
        "line_precision": lines_both / max(1, lines_ours),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--dpi", type=float, default=150.0)
    parser.add_argument("--skew", type=float, default=0.0, help="pages turned by up to this many degrees")
    parser.add_argument("--photo", type=float, default=0.0, help="pages photographed at an angle (PageStyle.photo)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--data", type=Path, nargs="+", help="labelled real pages (ICDAR format) instead")
    parser.add_argument("--read", type=Path, nargs="+", help="read synthetic pages end to end instead")
    parser.add_argument("--unwarp", action="store_true", help="--read: with use_doc_unwarping")
    parser.add_argument("--deskew", action="store_true", help="--read: with use_deskew")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if args.read or args.data:
        if args.read:
            rows = [measure_read(root, args.unwarp, args.threads, args.deskew) for root in args.read]
            header = "| set | pages | unwarped | deskewed | order CER (reading errors included) |"
            yes = {True: "yes", False: "no"}
            cells = [
                f"{r['set']} | {r['pages']} | {yes[r['unwarp']]} | {yes[r['deskew']]} | {r['order_cer']:.2%}"
                for r in rows
            ]
        else:
            rows = [measure_real(root) for root in args.data]
            header = "| set | pages | text line recall / precision |"
            cells = [f"{r['set']} | {r['pages']} | {r['line_recall']:.3f} / {r['line_precision']:.3f}" for r in rows]
        print(header)
        print("|---" * header.count(" | ") + "|---|")
        print("\n".join(f"| {line} |" for line in cells))
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2))
        return 0
    figures = measure(args.pages, args.seed, args.dpi, args.skew, args.photo)
    print(
        "| pages | order CER | pages in exact order | two-column pages interleaved | layout ms/page "
        "| text line recall / precision |"
    )
    print("|---|---|---|---|---|---|")
    print(
        f"| {figures['pages']} | {figures['order_cer']:.2%} | {figures['exact_pages']:.1%} | "
        f"{figures['interleaved_two_column_pages']} / {figures['two_column_pages']} | {figures['ms_per_page']:.1f} | "
        f"{figures['line_recall']:.3f} / {figures['line_precision']:.3f} |"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
