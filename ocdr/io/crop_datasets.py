"""Labelled text-crop sets in the layouts that OCR tools write, read as one stream of (name, gray image, text).

* the seed's folder: ``gt_list.txt`` (``<image> <text>``) [+ ``characters_list.txt``], images beside it or in images/;
* a PaddleOCR label file: ``<image path>\\t<text>`` per line, paths relative to the file's folder;
* LMDB (the layout the TAO, PaddleOCR and MMOCR tools write): ``num-samples``, ``image-%09d`` (encoded image bytes)
  and ``label-%09d``, counted from 1 (needs the ``lmdb`` package, in the ``train`` extra);
* a tesstrain folder: ``<name>.gt.txt`` beside ``<name>.png``, ``.bin.png``, ``.nrm.png``, ``.raw.png`` or ``.tif`` (the
  names tesstrain's Makefile pairs, in its order) or ``.jpg`` etc., the suffix in any case.

Crops are decoded as the recognizer's inference decodes them (``ocdr.io.images``): transparency is composited onto
white (black under light drawing), so a crop drawn in its alpha channel is not read as a black rectangle.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from ocdr.errors import InputError
from ocdr.io.images import array_to_rgb
from ocdr.io.labels import IMAGE_SUFFIXES, gt_list_items, label_form, read_label_text
from ocdr.models.recognition.preprocess import to_gray

# tesstrain's line images, in the order its Makefile's ``%.box`` rules try them, then the other suffixes read here
TESSTRAIN_SUFFIXES = (".png", ".bin.png", ".nrm.png", ".raw.png", *IMAGE_SUFFIXES[1:])
JPEG_MAGIC = b"\xff\xd8\xff"
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


def _decode_gray(data: bytes, name: str) -> np.ndarray | None:
    """A crop's gray pixels as inference sees them, or None where it does not decode. OpenCV's gray decoding drops
    alpha (a crop drawn in its alpha channel came out black): images are decoded as stored, and only those that are
    not plain 8-bit gray (alpha, colour, 16 bits) pay for ``array_to_rgb``, which composites alpha as
    ``ocdr recognize`` does. A JPEG has no alpha: it is decoded straight to gray (its EXIF turn applied)."""
    flag = cv2.IMREAD_GRAYSCALE if data.startswith(JPEG_MAGIC) else cv2.IMREAD_UNCHANGED
    img = cv2.imdecode(np.frombuffer(data, np.uint8), flag) if data else None
    if img is None or not img.size:
        return None
    if img.ndim == 2 and img.dtype == np.uint8:  # the common case: a plain gray crop, as decoded
        return img
    try:
        return to_gray(array_to_rgb(img, name, color_order="bgr"))
    except InputError:  # a depth or channel count no crop has (float TIFF, 2 channels)
        return None


def _read_gray(path: Path) -> np.ndarray | None:
    try:
        data = path.read_bytes()
    except OSError:  # missing, a folder, unreadable
        return None
    return _decode_gray(data, str(path))


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
                name = f"{folder}#{i}"
                yield name, _decode_gray(raw, name) if raw else None, label_form(label.decode("utf-8"))
    except (lmdb.Error, ValueError) as exc:  # a damaged database, a count or label that is not text
        raise InputError(f"{folder}: not a readable LMDB crop set ({exc})") from None
    finally:
        env.close()


def _tesstrain(folder: Path, limit: int | None) -> Iterator[CropItem]:
    """Each ``<name>.gt.txt`` with the first of ``TESSTRAIN_SUFFIXES`` beside it, the exact name first, then in any
    case (``x.PNG``); the folder is listed once rather than probed per suffix."""
    names = {path.name: path for path in sorted(folder.iterdir())}
    caseless: dict[str, Path] = {}
    for name, path in names.items():
        caseless.setdefault(name.lower(), path)
    for gt in sorted(folder.glob("*.gt.txt"))[:limit]:
        stem = gt.name.removesuffix(".gt.txt")
        found = (names.get(stem + s) or caseless.get((stem + s).lower()) for s in TESSTRAIN_SUFFIXES)
        image = next((path for path in found if path is not None and path.is_file()), None)
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
