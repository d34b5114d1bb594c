"""Crop sets less another run's held-out crops, so that a new run trains on none of the crops an older model is
measured on, and can be measured on the same ones (``ocdr train rec --val-data OLD_RUN/val/*``).

    python scripts/crops_except.py --out work_data/latin_real --except runs/rec_real/val \\
        ../shared/data/recognition/{iiit5k_train,icdar2015_words_train,svt_train,funsd_train_words,sroie_train_lines}

For each crop folder (any layout ``ocdr train rec`` reads whose crops are image files),
``OUT/<folder name>/gt_list.txt`` lists its crops by absolute path, less those in ``EXCEPT/<folder name>/gt_list.txt``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ocdr.io.crop_datasets import read_crop_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=Path, help="crop sets")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--except", dest="held", type=Path, required=True, help="a run's val folder")
    args = parser.parse_args()
    for folder in args.folders:
        listed = args.held / folder.name / "gt_list.txt"
        held = {line.split(" ", 1)[0] for line in listed.read_text(encoding="utf-8").splitlines() if line.strip()}
        kept = []
        for path, _, text in read_crop_dataset(folder):
            if path is None:
                raise SystemExit(f"{folder}: crops that are not image files (LMDB) cannot be listed by path")
            if str(Path(path).resolve()) not in held:
                kept.append(f"{Path(path).resolve()} {text}")
        (args.out / folder.name).mkdir(parents=True, exist_ok=True)
        (args.out / folder.name / "gt_list.txt").write_text("\n".join(kept) + "\n", encoding="utf-8")
        print(f"{folder.name}: {len(kept)} crops kept, {len(held)} held out")


if __name__ == "__main__":
    main()
