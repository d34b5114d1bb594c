"""Pack training inputs small enough to travel to a lent GPU machine (64 MiB with the working tree).

* crop folders (``gt_list.txt`` layout) are copied at the recognizer's height (32), gray, JPEG quality 90, in the same
  order, so that a trainer's ``--seed`` carves the same validation split from the copy as from the original;
  ``sources.txt`` maps each copy back to its original file;
* detection page folders (ICDAR layout: ``images/`` + ``gts/``) are copied gray at full size as WebP (quality 60:
  ICDAR 2015 93 -> 36 MB, SROIE 45 -> 20 MB, FUNSD 13 -> 7.5 MB), same stems and labels, so the same order and split;
  the detector reads pages in gray, so it sees what it would see in the originals, less the compression;
  ``--exclude`` leaves out the pages of held-out splits (``runs/det_real/val/*``: links to the originals), and
  ``--max-pages`` keeps a seeded sample of a larger folder, so that a whole training set fits the transfer;
* the recipe fonts (``ocdr/training/synth/fonts.txt``) are cut down to the recognizer's characters (fontTools'
  subsetter, layout features kept), 19 MB -> 1.8 MB, so that ``ocdr synth lines`` renders there.

    python scripts/pack_for_device.py --out .gpu ../shared/data/recognition/{iiit5k_train,svt_train,...}
    python scripts/pack_for_device.py --out .det --no-fonts --exclude runs/det_real/val/* --max-pages 450 --seed 51 \
        ../shared/data/detection/{funsd_train,icdar2015_train,sroie_train}

The GPU recipes in the model cards ran on such copies.
"""

from __future__ import annotations

import argparse
import logging
import random
import shutil
from pathlib import Path

import cv2

from ocdr.io.labels import gt_list_items, icdar_pairs, write_gt_list
from ocdr.models.recognition.charset import DEFAULT_CHARSET
from ocdr.models.recognition.preprocess import REC_HEIGHT, resize_crop
from ocdr.training.loop import split_names
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


def pack_pages(
    src: Path, dst: Path, quality: int = 60, exclude: frozenset[Path] = frozenset(), max_pages: int = 0, seed: int = 0
) -> int:
    (dst / "images").mkdir(parents=True, exist_ok=True)
    (dst / "gts").mkdir(exist_ok=True)
    pairs = [(image, gt) for image, gt in icdar_pairs(src) if image.resolve() not in exclude]
    if max_pages and len(pairs) > max_pages:
        random.Random(seed).shuffle(pairs)
        pairs = sorted(pairs[:max_pages])
    for image, gt in pairs:
        gray = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
        if gray is None:
            raise ValueError(f"cannot read {image}")
        cv2.imwrite(str(dst / "images" / f"{image.stem}.webp"), gray, [cv2.IMWRITE_WEBP_QUALITY, quality])
        shutil.copyfile(gt, dst / "gts" / gt.name)
    return len(pairs)


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
    parser.add_argument("folders", nargs="+", type=Path, help="crop folders (gt_list.txt) or page folders (ICDAR)")
    parser.add_argument("--out", type=Path, required=True, help="an ignored folder of the checkout, e.g. .gpu")
    parser.add_argument("--no-fonts", action="store_true", help="do not pack the recipe fonts")
    parser.add_argument("--exclude", nargs="+", type=Path, default=[], help="page folders whose pages to leave out")
    parser.add_argument("--max-pages", type=int, default=0, help="a seeded sample of at most this many pages a folder")
    parser.add_argument("--seed", type=int, default=0, help="the --max-pages sample's seed")
    args = parser.parse_args()
    exclude = frozenset(image.resolve() for folder in args.exclude for image, _ in icdar_pairs(folder))
    for folder, name in zip(args.folders, split_names(args.folders), strict=True):  # a/train, b/train: a_train, b_train
        if (folder / "gts").is_dir():
            n = pack_pages(folder, args.out / name, exclude=exclude, max_pages=args.max_pages, seed=args.seed)
            print(f"{args.out / name}: {n} pages")
        else:
            print(f"{args.out / name}: {pack_crops(folder, args.out / name)} crops")
    if not args.no_fonts:
        print(f"{args.out / 'fonts'}: {subset_fonts(args.out / 'fonts')} fonts")


if __name__ == "__main__":
    main()
