"""Readers and writers for the seed label formats.

* Recognition (seed 000): ``gt_list.txt`` with ``<image> <text>`` a line (text is everything after the first
  space) and ``characters_list.txt`` with one character a line (a line holding a single space is the space).
* Detection (seed 001, ICDAR 2015): ``gt_<stem>.txt`` with ``x1,y1,...,x4,y4,transcription`` a line; the
  transcription is everything after the 8th comma and ``###`` marks a don't-care region.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ocdr.errors import InputError

IGNORE_TEXT = "###"
# the image files ocdr reads (``ocdr.io.images``' Pillow formats), .png first: a tesstrain folder's order of trial
IMAGE_SUFFIXES = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp", ".webp", ".gif", ".jp2", ".pbm", ".pgm", ".ppm")


def read_label_text(path: str | Path) -> str:
    """A label file's text (UTF-8, a byte-order mark dropped); one that is not UTF-8 text (an image or a database
    given for a label file, a list saved in Latin-1) is an error that names it."""
    data = Path(path).read_bytes()
    try:
        return label_form(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a UTF-8 text label file (byte 0x{data[exc.start]:02x} at {exc.start})") from None


def label_form(text: str) -> str:
    """A label in composed Unicode (NFC), as the recognizers read: an "é" saved as "e" and a combining accent
    (decomposed, as some tools and file systems write) was scored wrong against the reading "é", and a training
    crop with it had a character outside the charset."""
    return unicodedata.normalize("NFC", text)


@dataclass
class RegionLabel:
    """One annotated region: a 4-point polygon in pixels, its text, and whether evaluation ignores it."""

    polygon: np.ndarray  # (4, 2) float32
    text: str
    ignore: bool = False


def read_gt_list(path: str | Path) -> list[tuple[str, str]]:
    """Read a seed ``gt_list.txt``: returns ``(image name, text)`` pairs; blank lines are skipped."""
    pairs = []
    # split on "\n" only: str.splitlines() would also break on form feeds and other separators inside texts
    for raw in read_label_text(path).split("\n"):
        raw = raw.removesuffix("\r")
        if not raw.strip():
            continue
        name, _, text = raw.partition(" ")
        pairs.append((name, text))
    return pairs


def gt_list_items(root: str | Path, limit: int | None = None) -> list[tuple[Path, str]]:
    """``(image path, text)`` of a ``gt_list.txt`` folder; names are relative to the folder, to its ``images/``,
    or absolute (the held-out lists that trainers write)."""
    root = Path(root)
    items = []
    for name, text in read_gt_list(root / "gt_list.txt")[:limit]:
        path, beside = root / name, root / "images" / name
        items.append((beside if not path.exists() and beside.exists() else path, text))
    return items


def gt_list_name_ok(name: str) -> bool:
    """Whether ``name`` reads back from a ``gt_list.txt`` line: the text starts after its first space."""
    return " " not in name and "\n" not in name


def write_gt_list(path: str | Path, pairs: Iterable[tuple[str, str]]) -> None:
    lines = []
    for name, text in pairs:
        if not gt_list_name_ok(name) or "\n" in text or text.endswith("\r"):
            raise ValueError(f"cannot write {name!r}: names may not hold spaces, texts may not hold line breaks")
        lines.append(f"{name} {text}\n")
    Path(path).write_text("".join(lines), encoding="utf-8")


def read_characters_list(path: str | Path) -> list[str]:
    """Read ``characters_list.txt`` without stripping, so that a line holding one space means the space."""
    chars = []
    for raw in read_label_text(path).split("\n"):
        raw = raw.rstrip("\r")
        if raw == "":
            continue
        if len(raw) != 1:
            raise ValueError(f"{path}: line {raw!r} is not a single character")
        chars.append(raw)
    return chars


def write_characters_list(path: str | Path, chars: Iterable[str]) -> None:
    Path(path).write_text("".join(f"{c}\n" for c in sorted(set(chars))), encoding="utf-8")


def parse_icdar_line(line: str) -> RegionLabel | None:
    """Parse one ICDAR 2015 line (``x1,y1,...,x4,y4,text``); returns None for blank lines."""
    line = line.lstrip("\ufeff").rstrip("\r\n")
    if not line.strip():
        return None
    parts = line.split(",", 8)
    if len(parts) < 8:
        raise ValueError(f"not an ICDAR line (needs 8 coordinates): {line!r}")
    coords = np.array([float(v) for v in parts[:8]], dtype=np.float32).reshape(4, 2)
    text = parts[8] if len(parts) == 9 else ""
    return RegionLabel(coords, text, ignore=text.strip() in (IGNORE_TEXT, ""))


def read_icdar_gt(path: str | Path) -> list[RegionLabel]:
    labels = []
    for n, line in enumerate(read_label_text(path).split("\n"), 1):
        try:
            label = parse_icdar_line(line)
        except ValueError as exc:  # a malformed line, or coordinates that are not numbers
            raise ValueError(f"{path}:{n}: {exc}") from exc
        if label is not None:
            labels.append(label)
    return labels


def write_icdar_gt(path: str | Path, labels: Iterable[RegionLabel]) -> None:
    lines = []
    for label in labels:
        pts = np.asarray(label.polygon).reshape(-1)
        coords = ",".join(str(int(round(float(v)))) for v in pts)
        text = IGNORE_TEXT if label.ignore else label.text
        lines.append(f"{coords},{text}\n")
    Path(path).write_text("".join(lines), encoding="utf-8")


def page_images(root: str | Path, limit: int | None = None) -> list[Path]:
    """The page images of a set: those a folder's ``gt_list.txt`` lists, else every file in ``root/images``, or,
    for a PaddleOCR det label file or a COCO-Text-like JSON, the pages it labels: the page classifier reads every
    layout the detector's trainer reads (``read_page_dataset``), not only folders."""
    root = Path(root)
    if (root / "gt_list.txt").exists():
        return [path for path, _ in gt_list_items(root, limit)]
    if root.is_file():
        from ocdr.io.page_datasets import read_page_dataset  # it imports this module

        return [path for path, _ in read_page_dataset(root)][:limit]
    return sorted(p for p in (root / "images").iterdir() if p.is_file())[:limit]


def icdar_pairs(root: str | Path) -> list[tuple[Path, Path]]:
    """Pair ``root/images/<stem>.*`` with ``root/gts/gt_<stem>.txt`` (the shared/data detection layout). An image
    with no label file, or a label file with no image, is an error that names them: left out, a page's words were
    missing from an evaluation's count (a two-page set, one image gone, scored 1.0 on the other)."""
    root = Path(root)
    images = sorted(p for p in (root / "images").iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    gts = {p.name for p in (root / "gts").glob("gt_*.txt")} if (root / "gts").is_dir() else set()
    pairs = [(image, root / "gts" / f"gt_{image.stem}.txt") for image in images]
    unlabelled = [image.name for image, gt in pairs if gt.name not in gts]
    orphans = sorted(gts - {gt.name for _, gt in pairs})
    for what, names in (("image(s) without a label file", unlabelled), ("label file(s) without an image", orphans)):
        if names:
            raise InputError(f"{root}: {len(names)} {what} (gts/gt_<stem>.txt beside images/<stem>.*), e.g. {names[0]}")
    return pairs
