"""What a reading's confidence says: how often the words read so sure are right, on labelled crops and pages.

    python benchmarks/confidence.py --threads 2 \
        --crops runs/rec_real/val/{iiit5k_train,icdar2015_words_train,svt_train,funsd_train_words,sroie_train_lines} \
        --pages runs/det_real/val/{funsd_train,sroie_train,icdar2015_train}

Crops are read as ``ocdr eval rec`` reads them (``OCR.recognize``'s path): a reading is right when its text is the
label's, exactly (in either case with ``--case-blind``). Pages are read whole; each word found is right when it
matches a labelled word at IoU 0.5 or more and reads its text (``ocdr eval e2e``'s count, ``word_outcomes``), wrong
otherwise, a false detection included; words in regions labelled illegible count for nothing. Sets labelled by text
segment (``--segment-sets``, SROIE by default) are scored on segments, as ``ocdr eval e2e --segments`` scores them:
a segment's confidence is its least sure word's. Two tables: the share right in each confidence band, with the
expected calibration error (the bands' gaps between mean confidence and share right, weighted by their readings);
and, for a few thresholds, the share of the readings at least that sure, the share right among them and the share
of the right readings left out. The confidences are ``CropReading.confidence`` (``OCR.recognize``) for crops and
``Word.confidence`` on pages; the pipeline's ``text_rec_score_thresh`` drops a page's regions by their reading's
confidence, a region at a time.
"""

from __future__ import annotations

import argparse
import sys
from itertools import pairwise
from pathlib import Path

import numpy as np
from int8_accuracy import table

from ocdr.api import OCR
from ocdr.evaluation.evaluate import _crops, _pages
from ocdr.evaluation.metrics import word_outcomes
from ocdr.layout.grouping import text_segments

BANDS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0)
THRESHOLDS = (0.5, 0.8, 0.9, 0.95)


def crop_readings(ocr: OCR, folder: Path, case_blind: bool) -> list[tuple[float, bool]]:
    """``(confidence, right)`` of each crop of a ``gt_list.txt`` folder."""
    crops, truths = _crops(folder, None)
    readings = ocr.pipeline.read_upright(crops, ocr.params)
    fold = str.casefold if case_blind else str
    return [(r.confidence, fold(r.text) == fold(t)) for (r, _), t in zip(readings, truths, strict=True)]


def page_readings(ocr: OCR, folder: Path, segments: bool, case_blind: bool) -> list[tuple[float, bool]]:
    """``(confidence, right)`` of each word (or segment) found on the labelled pages of an ICDAR folder."""
    out = []
    for source, labels in _pages(folder, None):
        page = ocr.pipeline.read_page(source.image, ocr.params, pixel_aspect=source.pixel_aspect)
        words = text_segments(page.words, angle=page.angle + (page.skew or 0.0)) if segments else page.words
        verdicts = word_outcomes([(w.polygon, w.text) for w in words], labels, case_sensitive=not case_blind)
        out += [(w.confidence, right) for w, right in zip(words, verdicts, strict=True) if right is not None]
    return out


def band_table(name: str, readings: list[tuple[float, bool]]) -> list[str]:
    """The row of ``name``: its readings, share right, expected calibration error, and share right in each band."""
    conf = np.array([c for c, _ in readings])
    right = np.array([r for _, r in readings], dtype=float)
    cells, ece = [], 0.0
    for k, (low, high) in enumerate(pairwise(BANDS)):
        inside = (conf >= low) & ((conf < high) if k < len(BANDS) - 2 else (conf <= high))
        n = int(inside.sum())
        if n:
            ece += n * abs(right[inside].mean() - conf[inside].mean())
        cells.append(f"{right[inside].mean():.2f} ({n})" if n else "-")
    return [name, str(len(readings)), f"{right.mean():.3f}", f"{ece / max(1, len(readings)):.3f}", *cells]


def threshold_rows(name: str, readings: list[tuple[float, bool]]) -> list[list[str]]:
    """For each threshold: the share of ``name``'s readings kept, right among them, and of its right ones left out."""
    conf = np.array([c for c, _ in readings])
    right = np.array([r for _, r in readings], dtype=bool)
    rows = []
    for t in THRESHOLDS:
        kept = conf >= t
        rows.append(
            [
                name,
                f"{t:.2f}",
                f"{kept.mean():.3f}",
                f"{right[kept].mean():.3f}" if kept.any() else "-",
                f"{(right & ~kept).sum() / max(1, right.sum()):.3f}",
            ]
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--crops", nargs="*", type=Path, default=[], help="gt_list.txt folders of crops")
    parser.add_argument("--pages", nargs="*", type=Path, default=[], help="labelled page folders (ICDAR layout)")
    parser.add_argument(
        "--segment-sets", nargs="*", default=["sroie_train"], help="page folder names labelled by text segment"
    )
    parser.add_argument(
        "--case-blind",
        action="store_true",
        help="a reading is right in either case (SROIE and SVT label every word in capitals whatever the print)",
    )
    parser.add_argument("--threads", type=int, default=2, help="ONNX Runtime threads per model (default 2)")
    args = parser.parse_args()
    if not args.crops and not args.pages:
        parser.error("give --crops or --pages folders")
    ocr = OCR(threads=args.threads)
    sets: dict[str, list[tuple[float, bool]]] = {}
    for folder in args.crops:
        sets[f"{folder.name} (crops)"] = crop_readings(ocr, folder, args.case_blind)
    for folder in args.pages:
        segments = folder.name in args.segment_sets
        kind = "segments" if segments else "words"
        sets[f"{folder.name} ({kind} on pages)"] = page_readings(ocr, folder, segments, args.case_blind)
    bands = [f"{low:g}-{high:g}" for low, high in pairwise(BANDS)]
    case = ", case-blind" if args.case_blind else ""
    print(f"## Share right by confidence band, readings in brackets ({args.threads} threads{case})\n")
    print(table(["set", "readings", "right", "ECE", *bands], [band_table(k, v) for k, v in sets.items()]))
    print("\n## Keeping the readings at least this sure\n")
    rows = [row for k, v in sets.items() for row in threshold_rows(k, v)]
    print(table(["set", "threshold", "kept", "right among kept", "right ones left out"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
