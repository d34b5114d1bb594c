"""Checkboxes: which ocdr finds (``ocdr.checkboxes``) where forms label theirs, where pages have none, and how
pages with boxes read.

    python benchmarks/checkboxes.py --forms ../shared/data/detection/funsd_train           # FUNSD's labelled boxes
    python benchmarks/checkboxes.py --none work_data/eval_pages ../shared/data/detection/sroie_train
    python benchmarks/checkboxes.py --pages 8 [--engines ocdr ppocr]                       # synthetic forms, read

``--forms``: page sets whose labels give their boxes as words "☐" (empty) and "☑" (ticked), FUNSD's convention:
boxes found (IoU >= 0.5 with a label), missed, found where none is labelled (to be looked at: FUNSD leaves out many),
and found but told ticked or empty wrong. ``--none``: page sets without boxes; each box found there is listed.
``--pages``: the first N pages of ``--data`` (``ocdr synth pages --out work_data/eval_pages --count 20 --seed 1000``)
with a box drawn a space left of every third word that has room for one, every other one crossed, and labelled "☐"
or "☑"; word F per engine (IoU >= 0.5, exact text), on the pages as they are and with the boxes. Prints markdown
tables.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from peer_engines import Ocdr, PPOCRv4  # noqa: E402

from ocdr.checkboxes import Checkbox, checkboxes  # noqa: E402
from ocdr.evaluation.metrics import PRF, match_words, polygon_iou  # noqa: E402
from ocdr.geometry import quad_from_box  # noqa: E402
from ocdr.io.labels import RegionLabel  # noqa: E402
from ocdr.io.page_datasets import read_page_dataset  # noqa: E402

BOXES = ("☐", "☑")


def _polygon(box: Checkbox) -> np.ndarray:
    return quad_from_box(box.x, box.y, box.x + box.width, box.y + box.height)


def forms(folder: Path) -> str:
    """One table row: the finder against the boxes the labels give."""
    found = missed = unlabelled = wrong = labelled = 0
    for path, labels in read_page_dataset(folder):
        truth = [lab for lab in labels if lab.text in BOXES]
        labelled += len(truth)
        taken = set()
        for box in checkboxes(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)):
            scores = [polygon_iou(_polygon(box), t.polygon) if i not in taken else 0.0 for i, t in enumerate(truth)]
            best = int(np.argmax(scores)) if scores else -1
            if best >= 0 and scores[best] >= 0.5:
                taken.add(best)
                found += 1
                wrong += box.text != truth[best].text
            else:
                unlabelled += 1
        missed += len(truth) - len(taken)
    return f"| {folder} | {labelled} | {found} | {missed} | {unlabelled} | {wrong} |"


def none(folder: Path) -> str:
    """One table row: boxes found on pages that have none, with where they are."""
    pages = read_page_dataset(folder)
    where = [
        f"{path.name} ({box.x}, {box.y}, {box.width}x{box.height})"
        for path, _ in pages
        for box in checkboxes(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))
    ]
    return f"| {folder} | {len(pages)} | {len(where)} | {'; '.join(where[:5])} |"


def boxed(gray: np.ndarray, labels: list[RegionLabel]) -> tuple[np.ndarray, list[RegionLabel]]:
    """``gray`` with a box 0.8 of a word's height drawn 0.45 of it left of every third word that has 1.6 of it free
    there, every other one crossed; the labels with the boxes' "☐" / "☑" added."""
    out, added = gray.copy(), []
    words = [lab for lab in labels if not lab.ignore]
    spans = np.array([[*lab.polygon.min(0), *lab.polygon.max(0)] for lab in words])
    for i in range(0, len(words), 3):
        x0, y0, _, y1 = spans[i]
        height = y1 - y0
        left = x0 - 1.6 * height
        beside = (spans[:, 2] > left) & (spans[:, 0] < x0) & (spans[:, 3] > y0) & (spans[:, 1] < y1)
        beside[i] = False
        if left < 0 or beside.any():
            continue
        side, right, top = int(0.8 * height), int(x0 - 0.45 * height), int(y0 + 0.1 * height)
        cv2.rectangle(out, (right - side, top), (right, top + side), 0, 2)
        crossed = i % 2 == 1
        if crossed:
            a, b = (right - side + 5, top + 5), (right - 5, top + side - 5)
            cv2.line(out, a, b, 0, 3)
            cv2.line(out, (a[0], b[1]), (b[0], a[1]), 0, 3)
        # the box as drawn: cv2.rectangle's 2-pixel line reaches a pixel out
        polygon = quad_from_box(right - side - 1, top - 1, right + 2, top + side + 2)
        added.append(RegionLabel(polygon, BOXES[crossed], False))
    return out, labels + added


def read(data: Path, pages: int, engines: list) -> list[str]:
    """Table rows: word F per engine on the pages as they are and with boxes."""
    items = read_page_dataset(data)[:pages]
    if not items:
        raise SystemExit(f"{data}: no labelled pages (see the command in this script's docstring)")
    rows = []
    for name in ("as they are", "with boxes"):
        scores = [PRF() for _ in engines]
        for path, labels in items:
            gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            if name == "with boxes":
                gray, labels = boxed(gray, labels)
            rgb = cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB)
            for k, engine in enumerate(engines):
                scores[k] = scores[k] + match_words(engine.read_page(rgb), labels)
        rows.append(f"| {name} | " + " | ".join(f"{s.hmean:.3f}" for s in scores) + " |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forms", type=Path, nargs="*", default=[])
    parser.add_argument("--none", type=Path, nargs="*", default=[])
    parser.add_argument("--data", type=Path, default=Path("work_data/eval_pages"))
    parser.add_argument("--pages", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--engines", nargs="+", default=["ocdr"], choices=["ocdr", "ppocr"])
    args = parser.parse_args(argv)
    if args.forms:
        print("| labelled forms | boxes labelled | found | missed | found, not labelled | ticked or not, wrong |")
        print("|---|---|---|---|---|---|")
        for folder in args.forms:
            print(forms(folder))
    if args.none:
        print("| pages without boxes | pages | boxes found | where (the first 5) |")
        print("|---|---|---|---|")
        for folder in args.none:
            print(none(folder))
    if args.pages:
        engines = [Ocdr(args.threads) if name == "ocdr" else PPOCRv4(args.threads) for name in args.engines]
        print(f"| {args.pages} pages of {args.data} | " + " | ".join(f"{e.name}: word F" for e in engines) + " |")
        print("|---|" + "---|" * len(engines))
        print("\n".join(read(args.data, args.pages, engines)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
