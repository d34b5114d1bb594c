"""Labelled text-crop sets in the layouts that OCR tools write, read as one stream of (name, gray image, text).

* the seed's folder: ``gt_list.txt`` (``<image> <text>``) [+ ``characters_list.txt``], images beside it or in images/;
* a PaddleOCR label file: ``<image path>\\t<text>`` per line, paths relative to the file's folder;
* LMDB (the layout the TAO, PaddleOCR and MMOCR tools write): ``num-samples``, ``image-%09d`` (encoded image bytes)
  and ``label-%09d``, counted from 1 (needs the ``lmdb`` package, in the ``train`` extra);
* a tesstrain folder: ``<name>.gt.txt`` beside ``<name>.png`` (or .tif, .jpg, ...).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from ocdr.errors import InputError
from ocdr.io.labels import gt_list_items, read_label_text

IMAGE_SUFFIXES = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp", ".webp")
CropItem = tuple[str, np.ndarray | None, str]  # name (a file path where there is one), gray image or None, text


def crop_dataset_format(source: str | Path) -> str:
    """``seed``, ``paddle``, ``lmdb`` or ``tesstrain``; a clear error for anything else."""
    source = Path(source)
    if source.is_file():
        return "paddle"
    if (source / "gt_list.txt").is_file():
        return "seed"
    if (source / "data.mdb").is_file():
        return "lmdb"
    if source.is_dir() and next(source.glob("*.gt.txt"), None) is not None:
        return "tesstrain"
    raise FileNotFoundError(
        f"{source}: not a crop dataset (a folder with gt_list.txt, an LMDB folder with data.mdb, a tesstrain folder "
        "of <name>.gt.txt files, or a PaddleOCR label file)"
    )


def _read_gray(path: Path) -> np.ndarray | None:
    if not path.is_file():
        return None  # (OpenCV would warn on stderr)
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    return img if img is not None and img.size else None


def _paddle(label_file: Path, limit: int | None) -> Iterator[CropItem]:
    lines = [line for line in read_label_text(label_file).split("\n") if line.strip()]
    for line in lines[:limit]:
        name, sep, text = line.removesuffix("\r").partition("\t")
        if not sep:
            raise ValueError(f"{label_file}: not a PaddleOCR label file (no tab in {line[:60]!r})")
        path = label_file.parent / name
        yield str(path), _read_gray(path), text


def _lmdb(folder: Path, limit: int | None) -> Iterator[CropItem]:
    try:
        import lmdb
    except ImportError as exc:  # pragma: no cover - lmdb is in the train extra
        raise ImportError("reading LMDB crop sets needs the 'lmdb' package: pip install 'ocdr[train]'") from exc
    try:
        env = lmdb.open(str(folder), readonly=True, lock=False, readahead=False, meminit=False)
    except lmdb.Error as exc:
        raise InputError(f"{folder}: not a readable LMDB crop set ({exc})") from None
    try:
        with env.begin(write=False) as txn:
            count = int(txn.get(b"num-samples") or 0)
            for i in range(1, min(count, limit or count) + 1):
                raw, label = txn.get(b"image-%09d" % i), txn.get(b"label-%09d" % i)
                if label is None:
                    continue
                img = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_GRAYSCALE) if raw else None
                yield f"{folder}#{i}", img if img is not None and img.size else None, label.decode("utf-8")
    except (lmdb.Error, ValueError) as exc:  # a damaged database, a count or label that is not text
        raise InputError(f"{folder}: not a readable LMDB crop set ({exc})") from None
    finally:
        env.close()


def _tesstrain(folder: Path, limit: int | None) -> Iterator[CropItem]:
    for gt in sorted(folder.glob("*.gt.txt"))[:limit]:
        stem = gt.name.removesuffix(".gt.txt")
        image = next((folder / f"{stem}{s}" for s in IMAGE_SUFFIXES if (folder / f"{stem}{s}").is_file()), None)
        text = read_label_text(gt).strip("\r\n")
        yield str(image or gt), _read_gray(image) if image else None, text


def read_crop_dataset(source: str | Path, limit: int | None = None) -> Iterator[CropItem]:
    """Every labelled crop of ``source`` (any layout above); unreadable images come as None, for the caller to
    count and skip."""
    source = Path(source)
    kind = crop_dataset_format(source)
    if kind == "paddle":
        yield from _paddle(source, limit)
    elif kind == "lmdb":
        yield from _lmdb(source, limit)
    elif kind == "tesstrain":
        yield from _tesstrain(source, limit)
    else:
        for path, text in gt_list_items(source, limit):
            yield str(path), _read_gray(path), text
