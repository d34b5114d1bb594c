"""Two OCR set-ups compared word by word on labelled pages: the words each reads right alone, and what the other
read there.

    python benchmarks/word_diff.py --data runs/det_real/val/funsd_train --det-models shipped runs/x.onnx --threads 2

A word F that moves by half a point is the net of two lists, often of dozens of words each way (stop 82: a detector
trained longer found more text on every held-out set, read 38 of the forms' words the shipped one missed and missed
45 it read). This script prints the two lists, so that such a change can be judged by what it gains and loses, not
by the net alone. ``--det-models`` and ``--rec-models`` take two names or files each (``shipped`` for the default);
give one of them, or both. Pages are read as ``ocdr eval e2e`` reads them, and a labelled word counts as read when a
word found overlaps it at IoU 0.5 or more with exactly its text; sets named in ``--segment-sets`` (SROIE by default)
are scored on text segments, as ``ocdr eval e2e --segments`` scores them. Beside each word one set-up read alone, the
other's words over it (IoU, text), most overlapping first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from int8_accuracy import table

from ocdr.api import OCR
from ocdr.document import Word
from ocdr.evaluation.evaluate import _pages
from ocdr.evaluation.metrics import labels_read, polygon_iou
from ocdr.io.labels import RegionLabel
from ocdr.layout.grouping import text_segments

Page = tuple[str, list[RegionLabel], list[bool | None], list[Word]]


def read_pages(ocr: OCR, folder: Path, segments: bool, limit: int | None) -> list[Page]:
    """Each labelled page of ``folder``: its file name, labels, the verdict on each label, and the words (or
    segments) found."""
    pages = []
    for source, labels in _pages(folder, limit):
        page = ocr.pipeline.read_page(source.image, ocr.params, pixel_aspect=source.pixel_aspect)
        words = text_segments(page.words, angle=page.angle + (page.skew or 0.0)) if segments else page.words
        pages.append(
            (Path(source.source).name, labels, labels_read([(w.polygon, w.text) for w in words], labels), words)
        )
    return pages


def read_there(label: RegionLabel, words: list[Word], most: int = 3) -> str:
    """The words over ``label``, most overlapping first, as ``IoU text``; "nothing" where none touches it."""
    over = sorted(((iou, w.text) for w in words if (iou := polygon_iou(w.polygon, label.polygon)) > 0), reverse=True)
    return ", ".join(f"{iou:.2f} {text!r}" for iou, text in over[:most]) or "nothing"


def compare(a: list[Page], b: list[Page]) -> dict:
    """The counts of labelled words read by both, by A alone, by B alone and by neither, and the lines that list
    the words read by one alone (page, text, what the other read there)."""
    counts = dict.fromkeys(("words", "both", "A alone", "B alone", "neither"), 0)
    lines: list[list[str]] = []
    for (name, labels, read_a, words_a), (_, _, read_b, words_b) in zip(a, b, strict=True):
        for label, ra, rb in zip(labels, read_a, read_b, strict=True):
            if ra is None:
                continue
            counts["words"] += 1
            key = "both" if ra and rb else "A alone" if ra else "B alone" if rb else "neither"
            counts[key] += 1
            if ra != rb:
                other = words_b if ra else words_a
                lines.append([name, "A" if ra else "B", repr(label.text), read_there(label, other)])
    return {"counts": counts, "lines": lines}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", nargs="+", type=Path, required=True, help="labelled page folders (ICDAR layout)")
    for kind in ("det", "rec"):
        parser.add_argument(
            f"--{kind}-models",
            nargs=2,
            default=["shipped", "shipped"],
            metavar=("A", "B"),
            help=f"the two set-ups' {kind} models: names or ONNX files ('shipped': the default)",
        )
    parser.add_argument(
        "--segment-sets", nargs="*", default=["sroie_train"], help="page folder names labelled by text segment"
    )
    parser.add_argument("--limit", type=int, help="only the first N pages of each folder")
    parser.add_argument("--threads", type=int, default=2, help="ONNX Runtime threads per model (default 2)")
    args = parser.parse_args()
    if args.det_models[0] == args.det_models[1] and args.rec_models[0] == args.rec_models[1]:
        parser.error("the two set-ups are the same: give two --det-models or two --rec-models")

    def model(name: str) -> str | None:
        return None if name == "shipped" else name

    a, b = (
        OCR(det_model=model(det), rec_model=model(rec), threads=args.threads)
        for det, rec in zip(args.det_models, args.rec_models, strict=True)
    )
    print(
        f"A: det {args.det_models[0]}, rec {args.rec_models[0]}; B: det {args.det_models[1]}, rec {args.rec_models[1]}"
    )
    rows, lists = [], []
    for folder in args.data:
        segments = folder.name in args.segment_sets
        diff = compare(*(read_pages(ocr, folder, segments, args.limit) for ocr in (a, b)))
        c = diff["counts"]
        net = (c["B alone"] - c["A alone"]) / max(1, c["words"])
        rows.append([folder.name, *map(str, c.values()), f"{100 * net:+.2f}"])
        lists.append((folder.name, diff["lines"]))
    print("\n## Labelled words read right (IoU 0.5, exact text)\n")
    print(table(["set", "words", "both", "A alone", "B alone", "neither", "B - A, points of recall"], rows))
    for name, lines in lists:
        print(f"\n## {name}: the words one set-up alone reads (page, by, label, the other's words over it)\n")
        print(table(["page", "read by", "label", "the other read there (IoU text)"], lines) if lines else "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
