"""Pack training inputs small enough to travel to a lent GPU machine (64 MiB with the working tree).

* crop folders (``gt_list.txt`` layout) are copied at the recognizer's height (32), gray, JPEG quality 90, in the same
  order, so that a trainer's ``--seed`` carves the same validation split from the copy as from the original;
  ``sources.txt`` maps each copy back to its original file;
* the recipe fonts (``ocdr/training/synth/fonts.txt``) are cut down to the recognizer's characters (fontTools'
  subsetter, layout features kept), 19 MB -> 1.8 MB, so that ``ocdr synth lines`` renders there.

    python scripts/pack_for_device.py --out .gpu ../shared/data/recognition/{iiit5k_train,svt_train,...}

The GPU recipes in the model cards ran on such copies.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import cv2

from ocdr.io.labels import gt_list_items, write_gt_list
from ocdr.models.recognition.charset import DEFAULT_CHARSET
from ocdr.models.recognition.preprocess import REC_HEIGHT, resize_crop
from ocdr.training.synth.fonts import find_fonts


def pack_crops(src: Path, dst: Path, quality: int = 90) -> int:
    (dst / "images").mkdir(parents=True, exist_ok=True)
    items, sources = [], []
    for path, text in gt_list_items(src):
        img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if img is None or min(img.shape[:2]) < 2:  # the trainers skip these too
            continue
        name = f"images/{len(items):06d}.jpg"
        cv2.imwrite(str(dst / name), resize_crop(img, REC_HEIGHT), [cv2.IMWRITE_JPEG_QUALITY, quality])
        items.append((name, text))
        sources.append(f"{path}\t{text}")
    write_gt_list(dst / "gt_list.txt", items)
    (dst / "sources.txt").write_text("\n".join(sources) + "\n", encoding="utf-8")
    return len(items)


def subset_fonts(dst: Path) -> int:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # tables it drops (FFTM, TTFA) are not drawn
    dst.mkdir(parents=True, exist_ok=True)
    options = subset.Options()
    options.layout_features, options.name_IDs, options.notdef_outline = ["*"], ["*"], True
    fonts = find_fonts()
    for spec in fonts:
        font = TTFont(str(spec.path))
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(DEFAULT_CHARSET))
        subsetter.subset(font)
        font.save(str(dst / spec.path.name))
    return len(fonts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=Path, help="crop folders (gt_list.txt layout)")
    parser.add_argument("--out", type=Path, required=True, help="an ignored folder of the checkout, e.g. .gpu")
    args = parser.parse_args()
    for folder in args.folders:
        print(f"{args.out / folder.name}: {pack_crops(folder, args.out / folder.name)} crops")
    print(f"{args.out / 'fonts'}: {subset_fonts(args.out / 'fonts')} fonts")


if __name__ == "__main__":
    main()
