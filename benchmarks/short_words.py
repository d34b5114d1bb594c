"""How many one-letter words and elided forms ("и", "à", "l'homme", "dell'anno") a recognizer finds on pages of known
text, beside the other words: end-to-end word recall by kind of word.

    python benchmarks/short_words.py --data work_data/cyr_pages2 --models cyrillic old_cyrillic.onnx
    python benchmarks/short_words.py --data work_data/latin_pages2 --models latin round3.onnx --threads 2

``--data`` is a page folder with ICDAR labels (``images/``, ``gts/``), such as ``ocdr synth pages --words`` renders
from ``scripts/language_words.py``'s lists. A labelled word is found when a word read on its page overlaps it at
IoU 0.5 or more with the same text (``ocdr eval e2e``'s rule). A word's kind is taken from its letters, its
surrounding punctuation stripped: one letter; a French or Italian elision (an article or "qu'" before an
apostrophe: the pipeline's ``ocdr.layout.pieces.ELIDED_ARTICLES``); other. Printed: per model, each kind's count
and the share found.
"""

from __future__ import annotations

import argparse
import re

from ocdr import OCR
from ocdr.evaluation.metrics import polygon_iou
from ocdr.io.labels import icdar_pairs, read_icdar_gt
from ocdr.layout.pieces import ELIDED_ARTICLES

ELIDED = re.compile(rf"(?:{'|'.join(ELIDED_ARTICLES)})['’]\w", re.IGNORECASE)
KINDS = ("one letter", "elided", "other")


def word_kind(text: str) -> str:
    core = re.sub(r"^\W+|\W+$", "", text)
    if len(core) == 1 and core.isalpha():
        return "one letter"
    return "elided" if ELIDED.match(core) else "other"


def found_by_kind(ocr: OCR, data: str) -> dict[str, tuple[int, int]]:
    """(labelled, found) per kind of word over the pages of ``data``."""
    counts = {kind: [0, 0] for kind in KINDS}
    for image, gt in icdar_pairs(data):
        read = [(w.polygon, w.text) for w in ocr(str(image)).pages[0].words]
        for label in read_icdar_gt(gt):
            if label.text == "###":
                continue
            count = counts[word_kind(label.text)]
            count[0] += 1
            count[1] += any(text == label.text and polygon_iou(poly, label.polygon) >= 0.5 for poly, text in read)
    return {kind: (n, k) for kind, (n, k) in counts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="page folder with images/ and gts/")
    parser.add_argument("--models", nargs="+", required=True, help="recognizers: shipped names or .onnx files")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    print(f"| model | {' | '.join(KINDS)} |")
    print(f"|---{'|---' * len(KINDS)}|")
    for model in args.models:
        counts = found_by_kind(OCR(rec_model=model, threads=args.threads), args.data)
        cells = [f"{k}/{n} ({k / n:.3f})" if n else "-" for n, k in (counts[kind] for kind in KINDS)]
        print(f"| {model} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
