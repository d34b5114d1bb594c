"""fp32 vs int8 accuracy (and indicative speed) of the shipped detector and recognizer, on the same data in one run.

    ocdr synth lines --out work_data/int8_val_lines --count 1000 --seed 2
    ocdr synth pages --out work_data/int8_val_pages --count 20 --seed 3
    python benchmarks/int8_accuracy.py --threads 2

Prints two Markdown tables: recognizer word accuracy (exact match, ``ocdr eval rec``) and detector hmean (IoU 0.5,
``ocdr eval det``) per set, fp32 and int8 side by side with the difference in points. Folders that do not exist are
left out (the real sets live in ../shared/data).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ocdr import OCR
from ocdr.evaluation.evaluate import evaluate_det, evaluate_rec

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
REC_SETS = [
    "work_data/int8_val_lines",
    *(str(SHARED / "recognition" / n) for n in ("iiit5k_train", "svt_train", "icdar2015_words_train")),
    *(str(SHARED / "recognition" / n) for n in ("funsd_train_words", "sroie_train_lines")),
]
DET_SETS = [
    "work_data/int8_val_pages",
    *(str(SHARED / "detection" / n) for n in ("funsd_train", "sroie_train", "icdar2015_train")),
]


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rec-data", nargs="+", default=REC_SETS)
    parser.add_argument("--det-data", nargs="+", default=DET_SETS)
    parser.add_argument("--rec-limit", type=int, help="first N crops per set (default: all)")
    parser.add_argument("--det-limit", type=int, default=30, help="first N pages per set")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    ocrs = {p: OCR(threads=args.threads, precision=p) for p in ("fp32", "int8")}
    rec_rows, det_rows = [], []
    for data in filter(lambda d: Path(d).is_dir(), args.rec_data):
        fp32, int8 = (evaluate_rec(ocrs[p], data, args.rec_limit) for p in ("fp32", "int8"))
        delta = 100 * (int8["word_accuracy"] - fp32["word_accuracy"])
        rec_rows.append(
            [Path(data).name, str(fp32["crops"]), f"{fp32['word_accuracy']:.4f}", f"{int8['word_accuracy']:.4f}"]
            + [f"{delta:+.2f}", f"{fp32['crops_per_second']:.0f}", f"{int8['crops_per_second']:.0f}"]
        )
    for data in filter(lambda d: Path(d).is_dir(), args.det_data):
        fp32, int8 = (evaluate_det(ocrs[p], data, args.det_limit) for p in ("fp32", "int8"))
        prh = [" / ".join(f"{r[k]:.3f}" for k in ("precision", "recall", "hmean")) for r in (fp32, int8)]
        delta = 100 * (int8["hmean"] - fp32["hmean"])
        det_rows.append(
            [Path(data).name, str(fp32["pages"]), *prh, f"{delta:+.2f}"]
            + [f"{fp32['images_per_second']:.2f}", f"{int8['images_per_second']:.2f}"]
        )
    print(f"threads {args.threads}; speeds are indicative (they count whatever else the machine runs)\n")
    rec_header = ["rec set", "crops", "fp32 word acc", "int8 word acc", "diff (points)", "fp32 crops/s", "int8 crops/s"]
    print(table(rec_header, rec_rows) + "\n")
    det_header = ["det set", "pages", "fp32 P / R / H", "int8 P / R / H", "diff H (points)", "fp32 img/s", "int8 img/s"]
    print(table(det_header, det_rows))


if __name__ == "__main__":
    main()
