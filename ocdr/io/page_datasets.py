"""Labelled text-detection sets (page images with text polygons) in the layouts that OCR tools write, read as one
list of (image path, regions).

* ICDAR 2015 (the seed's): a folder of ``images/<stem>.*`` and ``gts/gt_<stem>.txt`` (``x1,y1,...,x4,y4,text``);
* a PaddleOCR det label file: ``<image path>\\t[{"transcription": ..., "points": [[x, y], ...]}, ...]`` per line,
  paths relative to the file's folder;
* COCO-Text-like JSON: COCO-Text v2 (``imgs`` and ``anns`` keyed by id; ``mask`` polygon, ``bbox``,
  ``utf8_string``, ``legibility``) or plain COCO (``images``, ``annotations`` with ``segmentation`` or ``bbox``, the
  text in ``text``/``utf8_string``/``transcription``); image files relative to the JSON's folder or its images/.

``###`` (and COCO-Text's ``illegible``) marks a don't-care region, as in ICDAR 2015. Polygons with more than four
points are kept as their minimum-area rectangle, which is what the detector predicts and the metric compares.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from ocdr.geometry import quad_from_box
from ocdr.io.labels import IGNORE_TEXT, RegionLabel, icdar_pairs, read_icdar_gt, read_label_text

PageItem = tuple[Path, list[RegionLabel]]
SHOWN_LEFT_OUT = 1  # names shown for each reason a set's pages are left out (the log line stays one line)


def page_dataset_format(source: str | Path) -> str:
    """``icdar``, ``paddle`` or ``coco``; a clear error for anything else."""
    source = Path(source)
    if source.is_file():
        return "coco" if source.suffix.lower() == ".json" else "paddle"
    if (source / "images").is_dir() and (source / "gts").is_dir():
        return "icdar"
    raise FileNotFoundError(
        f"{source}: not a detection dataset (an ICDAR folder with images/ and gts/, a PaddleOCR det label file, "
        "or a COCO-Text-like .json)"
    )


def _quad(points: Any) -> np.ndarray:
    pts = np.asarray(points, dtype=np.float32).reshape(-1, 2)
    if len(pts) == 4:
        return pts
    if len(pts) < 3:
        raise ValueError(f"a region needs at least 3 points, got {len(pts)}")
    return cv2.boxPoints(cv2.minAreaRect(pts)).astype(np.float32)


def _label(points: np.ndarray, text: str | None, illegible: bool = False) -> RegionLabel:
    text = text or ""
    return RegionLabel(points, text, ignore=illegible or text in ("", IGNORE_TEXT))


def _paddle(label_file: Path) -> list[PageItem]:
    items = []
    for n, line in enumerate(read_label_text(label_file).split("\n"), 1):
        if not line.strip():
            continue
        name, sep, payload = line.removesuffix("\r").partition("\t")
        if not sep:
            raise ValueError(f"{label_file}:{n}: not a PaddleOCR det label line (no tab)")
        try:
            labels = [_label(_quad(r["points"]), r.get("transcription")) for r in json.loads(payload)]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{label_file}:{n}: not a PaddleOCR det label line ({exc!r})") from exc
        items.append((label_file.parent / name, labels))
    return items


def _image_path(root: Path, name: str) -> Path:
    path = root / name
    return path if path.exists() else root / "images" / name


def _coco(json_file: Path) -> list[PageItem]:
    try:
        return _coco_items(json_file, json.loads(json_file.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{json_file}: not a COCO-Text-like label file ({exc!r})") from exc


def _coco_items(json_file: Path, data: dict) -> list[PageItem]:
    root = json_file.parent
    if "imgs" in data and "anns" in data:  # COCO-Text v2
        images = {str(k): v for k, v in data["imgs"].items()}
        anns = list(data["anns"].values())
    else:
        images = {str(img["id"]): img for img in data.get("images", [])}
        anns = data.get("annotations", [])
    by_image: dict[str, list[RegionLabel]] = {key: [] for key in images}
    for ann in anns:
        key = str(ann["image_id"])
        if key not in by_image:
            continue
        polygon = ann.get("mask") or ann.get("polygon") or ann.get("segmentation")
        if isinstance(polygon, list) and polygon and isinstance(polygon[0], list):
            polygon = polygon[0]  # COCO segmentation: a list of polygons
        if polygon:
            points = _quad(polygon)
        else:
            x, y, w, h = ann["bbox"]  # COCO: left, top, width, height
            points = quad_from_box(x, y, x + w, y + h)
        text = ann.get("utf8_string", ann.get("text", ann.get("transcription")))
        by_image[key].append(_label(points, text, ann.get("legibility") == "illegible"))
    return [(_image_path(root, images[key]["file_name"]), labels) for key, labels in by_image.items()]


def read_page_dataset(source: str | Path) -> list[PageItem]:
    """Every labelled page image of ``source`` (any layout above), in a stable order."""
    source = Path(source)
    kind = page_dataset_format(source)
    if kind == "paddle":
        return _paddle(source)
    if kind == "coco":
        return _coco(source)
    return [(image, read_icdar_gt(gt)) for image, gt in icdar_pairs(source)]


def image_readable(path: Path) -> bool:
    """Whether an image file decodes, found cheaply at load time rather than when a run first draws it (hours in):
    Pillow reads the header and, for a PNG, checks every chunk against its CRC (a truncated file fails) without
    decoding pixels (0.1 ms, not a decode's 3.5, for a FUNSD page). A format Pillow does not know is decoded
    by OpenCV, which reads it later."""
    try:
        with Image.open(path) as image:
            image.verify()
        return True
    except UnidentifiedImageError:  # a format Pillow does not know (before OSError: it is one)
        return cv2.imread(str(path), cv2.IMREAD_UNCHANGED) is not None
    except Exception:  # missing, or broken: Pillow's errors are of many kinds (OSError, SyntaxError, struct.error)
        return False


def report_left_out(
    source: str | Path,
    kept: int,
    left_out: Mapping[str, Sequence[str | Path]],
    log: Callable[[str], None] | None,
    noun: str = "page",
) -> None:
    """Say how many of ``source``'s items were left out and why, an example of each reason named (as ``ocdr train
    rec`` reports its skipped crops), so that a set that shrank does not look whole; a set left with none is an
    error here, not an empty pool later."""
    parts = [
        f"{len(names)} {why}, e.g. {', '.join(map(str, names[:SHOWN_LEFT_OUT]))}"
        for why, names in left_out.items()
        if names
    ]
    if not parts:
        return
    if not kept:
        raise ValueError(f"{source}: no usable {noun}s ({'; '.join(parts)})")
    if log is not None:
        count = sum(map(len, left_out.values()))
        log(f"{source}: {count} {noun}(s) left out ({'; '.join(parts)}), {kept} kept")
