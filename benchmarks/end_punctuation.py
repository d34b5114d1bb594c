"""Words that end in ".", "," or ":" on clean rendered pages: how often each recognizer reads them exactly
(``ocdr.evaluation.punctuation``). Same pages for every model, in one run.

    python benchmarks/end_punctuation.py --rec-models shipped /path/to/other.onnx --pages 36
"""

from __future__ import annotations

import argparse
import time

from ocdr import OCR
from ocdr.evaluation.punctuation import punctuation_pages, score_end_punctuation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rec-models", nargs="+", default=["shipped"], help="'shipped', 'synthetic' or .onnx files")
    parser.add_argument("--pages", type=int, default=36)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    pages = punctuation_pages(args.pages, args.seed)
    print("| recognizer | all words exact | ending in . , : | '.' | ',' ':' | last glyph dropped | s |")
    print("|---|---|---|---|---|---|---|")
    for name in args.rec_models:
        ocr = OCR(threads=args.threads, **({} if name == "shipped" else {"rec_model": name}))
        start = time.perf_counter()
        counts = score_end_punctuation(ocr, pages)
        cells = " | ".join(f"{ok}/{n}" for ok, n in counts.values())
        print(f"| {name} | {cells} | {time.perf_counter() - start:.1f} |")


if __name__ == "__main__":
    main()
