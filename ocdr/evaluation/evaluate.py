"""``ocdr eval``: the seeds' KPIs on labelled folders, with the shipped (or given) ONNX models.

* e2e: word recall / precision / F (IoU >= 0.5 and the same text) on ICDAR-format pages, plus detection P/R/H.
* det: detection precision / recall / hmean at IoU 0.5, ICDAR 2015 protocol (``###`` regions ignored), and why the
  labels left unmatched were lost (merged into a wider region, split, missed, misfit).
  Both score text segments instead of words with ``segments`` (``--segments``), for sets labelled so (SROIE).
* rec: exact-match word accuracy (the seed 000 KPI), case-insensitive alphanumeric accuracy, CER, NED, crops/s.
* cls: orientation accuracy (text-line crops upright and turned by 180 degrees; pages turned four ways), confusion
  matrix, images/s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from ocdr.api import OCR
from ocdr.deskew import straighten
from ocdr.document import Word
from ocdr.errors import InputError
from ocdr.evaluation.metrics import (
    MISS_KINDS,
    PRF,
    alnum_form,
    cer,
    detection_matches,
    detection_report,
    match_words,
    normalized_edit_distance,
)
from ocdr.geometry import map_points, unturn_points
from ocdr.io.crop_datasets import read_crop_dataset
from ocdr.io.inputs import Source, iter_pages
from ocdr.io.labels import RegionLabel, page_images
from ocdr.io.page_datasets import read_page_dataset
from ocdr.layout.grouping import text_segments
from ocdr.models.classification.preprocess import page_batch, vote


def _pages(data: str | Path, limit: int | None):
    """Page images (``PageImage``) and their labels from a detection set in any layout ``read_page_dataset`` knows."""
    items = read_page_dataset(data)[:limit]
    if not items:
        raise FileNotFoundError(f"{data}: no labelled page images")
    for image_path, labels in items:
        yield next(iter_pages(Source(str(image_path), image_path))), labels


def _turn(image: np.ndarray, labels: list[RegionLabel], angle: int) -> tuple[np.ndarray, list[RegionLabel]]:
    """A page and its labels with the content turned clockwise by ``angle`` (a multiple of 90)."""
    if not angle % 360:
        return image, labels
    turned = np.ascontiguousarray(np.rot90(image, -(angle // 90)))
    # the input is the turned page turned back counterclockwise by ``angle``
    height, width = turned.shape[:2]
    return turned, [
        RegionLabel(unturn_points(label.polygon, angle, width, height), label.text, label.ignore) for label in labels
    ]


def _skew(image: np.ndarray, labels: list[RegionLabel], degrees: float) -> tuple[np.ndarray, list[RegionLabel]]:
    """A page and its labels with the content turned clockwise by any ``degrees``, on a canvas that keeps all of it
    (``ocdr.deskew.straighten``'s, filled with the page's median colour)."""
    if not degrees:
        return image, labels
    turned, back = straighten(image, -degrees)
    forward = cv2.invertAffineTransform(back)
    return turned, [RegionLabel(map_points(label.polygon, forward), label.text, label.ignore) for label in labels]


def detection_polygons(regions: list, segments: bool, angle: float = 0.0) -> list[np.ndarray]:
    """The detected regions' polygons, or (``segments``) those of the text segments they form on a page whose
    content is turned clockwise by ``angle`` degrees."""
    if segments:
        regions = text_segments([Word(r.polygon, "", 1.0) for r in regions], angle=angle)
    return [r.polygon for r in regions]


def evaluate_e2e(
    ocr: OCR,
    data: str | Path,
    limit: int | None = None,
    case_sensitive: bool = True,
    rotate: int = 0,
    segments: bool = False,
    skew: float = 0.0,
    one_bit_level: int | None = None,
    **params,
) -> dict:
    """``segments`` scores text segments instead of words (and detected regions as segments), for sets labelled by
    segment such as SROIE's receipts: words compared with segment labels match almost nothing.

    ``rotate`` turns every page (and its labels) clockwise first: with ``use_doc_orientation_classify`` the
    figures should match the upright pages'. ``skew`` turns them clockwise by that many degrees more (a page
    photographed or scanned at an angle; with ``use_deskew``, the figures should match the upright pages').
    ``one_bit_level``: each page made 1-bit at that gray level last (``one_bit``), as a 1-bit scan of it. With
    ``use_textline_orientation`` (and no page orientation) on pages turned 0 or 180 degrees, ``textline_accuracy``
    is the share of detected regions whose found angle is ``rotate``, and ``textline_accuracy_matched`` the same
    share of the regions that match a legible labelled region (a false detection, or a region of unreadable text,
    has no orientation to get right). Regions the text-line stage is not asked about (``Region.angle`` -1: a form's
    checkboxes, found by their shape) count in neither."""
    words, dets = PRF(), PRF()
    seconds, n = 0.0, 0
    run_params = ocr.params.with_overrides(**params)
    line_truth = (
        rotate % 360
        if run_params.use_textline_orientation and not run_params.use_doc_orientation_classify and rotate % 180 == 0
        else None
    )
    angles_right = angles_seen = matched_right = matched_seen = 0
    for source, labels in _pages(data, limit):
        image, labels = _skew(*_turn(source.image, labels, rotate), skew)
        if one_bit_level is not None:
            image = one_bit(image, one_bit_level)
        aspect = source.pixel_aspect if rotate % 180 == 0 else 1 / source.pixel_aspect
        t0 = time.perf_counter()
        page = ocr.pipeline.read_page(image, run_params, pixel_aspect=aspect)
        seconds += time.perf_counter() - t0
        n += 1
        turned = page.angle + (page.skew or 0.0)  # the segments are formed upright
        read = text_segments(page.words, angle=turned) if segments else page.words
        words = words + match_words([(w.polygon, w.text) for w in read], labels, case_sensitive=case_sensitive)
        found, matched = detection_matches(detection_polygons(page.regions, segments, turned), labels)
        dets = dets + found
        asked = [r.angle >= 0 for r in page.regions]  # -1: not asked (a checkbox found by its shape)
        angles_right += sum(r.angle == line_truth for r in page.regions)
        angles_seen += sum(asked)
        matched_right += sum(page.regions[i].angle == line_truth for i in matched)
        matched_seen += sum(asked[i] for i in matched)
    orientation = (
        {}
        if line_truth is None
        else {
            "textline_accuracy": angles_right / max(1, angles_seen),
            "textline_accuracy_matched": matched_right / max(1, matched_seen),
        }
    )
    return {
        "pages": n,
        "gt_words": words.num_gt,
        "word_precision": words.precision,
        "word_recall": words.recall,
        "word_f": words.hmean,
        "det_precision": dets.precision,
        "det_recall": dets.recall,
        "det_hmean": dets.hmean,
        **orientation,
        "seconds_per_page": seconds / max(1, n),
    }


def evaluate_det(ocr: OCR, data: str | Path, limit: int | None = None, segments: bool = False, **params) -> dict:
    """``segments``: the regions grouped into text segments, as ``evaluate_e2e``. The labels left unmatched are
    counted by why (``detection_report``: merged into a wider region, split, missed, misfit)."""
    total, seconds, n = PRF(), 0.0, 0
    lost = dict.fromkeys(MISS_KINDS, 0)
    run_params = ocr.params.with_overrides(**params)
    for source, labels in _pages(data, limit):
        t0 = time.perf_counter()
        regions = ocr.pipeline.detector(source.image, run_params)
        seconds += time.perf_counter() - t0
        n += 1
        counts, kinds = detection_report(detection_polygons(regions, segments), labels)
        total = total + counts
        for kind, count in kinds.items():
            lost[kind] += count
    return {
        "pages": n,
        "precision": total.precision,
        "recall": total.recall,
        "hmean": total.hmean,
        **{f"unmatched_{kind}": count for kind, count in lost.items()},
        "images_per_second": n / max(seconds, 1e-9),
    }


def one_bit(image: np.ndarray, level: int) -> np.ndarray:
    """``image`` as a 1-bit scan of it would hold it: each pixel black or white by its gray against ``level``, in
    the image's own layout (gray, or three channels)."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    out = np.where(gray > level, 255, 0).astype(np.uint8)
    return out if image.ndim == 2 else cv2.cvtColor(out, cv2.COLOR_GRAY2RGB)


def _crops(data: str | Path, limit: int | None) -> tuple[list[np.ndarray], list[str]]:
    """The gray crops of a crop set (any layout ``read_crop_dataset`` knows) and their texts. A crop whose image is
    missing or unreadable is an error naming it: scored on the rest, a set's figures would cover part of it unsaid."""
    crops, gts, unread = [], [], []
    for name, img, text in read_crop_dataset(data, limit):
        if img is None:
            unread.append(name)
        else:
            crops.append(img)
            gts.append(text)
    if unread:
        raise InputError(
            f"{data}: {len(unread)} crop image(s) missing or unreadable, e.g. {', '.join(unread[:3])}"
            " (fix the label file, or leave those lines out)"
        )
    if not crops:
        raise FileNotFoundError(f"{data}: no crops")
    return crops, gts


def evaluate_cls(
    ocr: OCR, data: str | Path, limit: int | None = None, task: str = "line", model_only: bool = False
) -> dict:
    """Orientation accuracy and confusion matrix (rows: true angle, columns: found). ``line``: every crop of a
    ``gt_list.txt`` folder upright and turned by 180 degrees; ``page``: every page image (an ICDAR folder's
    ``images/`` or a held-out ``gt_list.txt``) turned all four ways, by the page classifier as the pipeline asks it
    (``PageClassifier.ranking``: a page its squares are not sure of voted on again turned, and ordered with the
    scene classifier), or with ``model_only`` by its squares' vote alone, as ``ocdr train cls --task page``
    validates (the scene classifier set the order of an unsure model's pages, so a model that gave every page one
    angle scored 1.0), or, when ``ocr`` has ``use_doc_orientation_classify`` on, by the whole page orientation stage
    (``OCRPipeline.read_page``: the classifier, then on a page it is sure of the text-line classifier's check of 0
    against 180, and on one it is not the page's readings turned each way until one is plainly text);
    ``recognize``: the crops as ``line``, turned
    over or not as ``OCR.recognize`` turns them with ``use_textline_orientation`` (``OCRPipeline.read_cut``: the
    classifier, and on a crop it is unsure of the recognizer's readings both ways up), a crop read at a quarter turn
    counted by the half it was read in (90 as 0, 270 as 180)."""
    angles: tuple[int, ...]
    if task == "page":
        classify_page: Callable[[np.ndarray], tuple[int, float | None]] | None
        classify_page, angles = ocr.pipeline.page_classifier, (0, 90, 180, 270)
        if model_only and classify_page is not None:
            squares = classify_page

            def model_vote(image: np.ndarray) -> tuple[int, float | None]:
                index, confidence = vote(squares.model.run(page_batch(image)))
                return squares.angles[index], confidence

            classify_page = model_vote
        elif ocr.params.use_doc_orientation_classify:  # the whole stage: the page's lines check the classifier's 0/180

            def read_angle(image: np.ndarray) -> tuple[int, float | None]:
                page = ocr(image).pages[0]
                return page.angle, page.angle_confidence

            classify_page = read_angle

        images = []
        for path in page_images(data, limit):
            page = next(iter_pages(Source(str(path), path)))
            images.append(page.image)
        # content turned clockwise by 90k is np.rot90(image, -k)
        samples = [(np.ascontiguousarray(np.rot90(img, -k)), 90 * k) for img in images for k in range(4)]
    elif task in ("line", "recognize"):
        classify_lines: Callable[[list[np.ndarray]], list[tuple[int, float]]] | None
        classify_lines, angles = ocr.pipeline.line_classifier, (0, 180)
        if task == "recognize":
            params = ocr.params.with_overrides(use_textline_orientation=True)

            def read_turns(crops: list[np.ndarray]) -> list[tuple[int, float]]:
                return [(180 * (angle >= 180), r.confidence) for r, angle in ocr.pipeline.read_cut(crops, params)]

            classify_lines = read_turns
        crops, _ = _crops(data, limit)
        samples = [(c, 0) for c in crops] + [(np.ascontiguousarray(c[::-1, ::-1]), 180) for c in crops]
    else:
        raise ValueError(f"unknown classifier task {task!r}")
    if not samples:
        raise FileNotFoundError(f"{data}: no images")
    t0 = time.perf_counter()
    if task == "page":
        assert classify_page is not None  # a page classifier is loaded
        predicted = np.array([classify_page(image)[0] for image, _ in samples])
    else:
        assert classify_lines is not None  # a text-line classifier is loaded
        predicted = np.array([angle for angle, _ in classify_lines([image for image, _ in samples])])
    seconds = time.perf_counter() - t0
    truth = np.array([angle for _, angle in samples])
    confusion = [[int(np.sum((truth == t) & (predicted == p))) for p in angles] for t in angles]
    per_angle = {f"accuracy_{a}": float(np.mean(predicted[truth == a] == a)) for a in angles}
    return {
        "images": len(samples) // len(angles),
        "accuracy": float(np.mean(predicted == truth)),
        **per_angle,
        f"confusion_{'_'.join(map(str, angles))}": confusion,
        "per_second": len(samples) / max(seconds, 1e-9),
    }


def evaluate_rec(ocr: OCR, data: str | Path, limit: int | None = None, one_bit_level: int | None = None) -> dict:
    """The crops read as ``OCR.recognize`` reads them: ``ocr.params.rec_batch_size`` crops a model call, for a
    batch's padding changes what a crop reads and how fast (64 a call read a few held-out crops otherwise and half as
    fast on two threads). ``one_bit_level``: each crop made 1-bit at that gray level first (``one_bit``), as cut from
    a 1-bit scan."""
    crops, gts = _crops(data, limit)
    if one_bit_level is not None:
        crops = [one_bit(crop, one_bit_level) for crop in crops]
    t0 = time.perf_counter()
    preds = [r.text for r, _ in ocr.pipeline.read_upright(crops, ocr.params)]
    seconds = time.perf_counter() - t0
    return {
        "crops": len(crops),
        "word_accuracy": float(np.mean([p == g for p, g in zip(preds, gts, strict=True)])),
        "alnum_case_insensitive_accuracy": float(
            np.mean([alnum_form(p) == alnum_form(g) for p, g in zip(preds, gts, strict=True)])
        ),
        "cer": sum(cer(p, g) * max(1, len(g)) for p, g in zip(preds, gts, strict=True)) / max(1, sum(map(len, gts))),
        "normalized_edit_distance": float(
            np.mean([normalized_edit_distance(p, g) for p, g in zip(preds, gts, strict=True)])
        ),
        "crops_per_second": len(crops) / max(seconds, 1e-9),
    }
