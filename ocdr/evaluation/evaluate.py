"""``ocdr eval``: the seeds' KPIs on labelled folders, with the shipped (or given) ONNX models.

* e2e: word recall / precision / F (IoU >= 0.5 and the same text) on ICDAR-format pages, plus detection P/R/H.
* det: detection precision / recall / hmean at IoU 0.5, ICDAR 2015 protocol (``###`` regions ignored).
* rec: exact-match word accuracy (the seed 000 KPI), case-insensitive alphanumeric accuracy, CER, NED, crops/s.
* cls: text-line orientation accuracy on crops upright and turned by 180 degrees, confusion matrix, crops/s.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import cv2
import numpy as np

from ocdr.api import OCR
from ocdr.evaluation.metrics import PRF, cer, match_detections, match_words, normalized_edit_distance
from ocdr.io.inputs import Source, iter_pages
from ocdr.io.labels import icdar_pairs, read_gt_list, read_icdar_gt


def _pages(data: str | Path, limit: int | None):
    pairs = icdar_pairs(data)[:limit]
    if not pairs:
        raise FileNotFoundError(f"{data}: no images/ + gts/gt_<stem>.txt pairs")
    for image_path, gt_path in pairs:
        page = next(iter_pages(Source(str(image_path), image_path)))
        yield page.image, read_icdar_gt(gt_path)


def evaluate_e2e(ocr: OCR, data: str | Path, limit: int | None = None, case_sensitive: bool = True, **params) -> dict:
    words, dets = PRF(), PRF()
    seconds, n = 0.0, 0
    run_params = ocr.params.with_overrides(**params)
    for image, labels in _pages(data, limit):
        t0 = time.perf_counter()
        page = ocr.pipeline.read_page(image, run_params)
        seconds += time.perf_counter() - t0
        n += 1
        words = words + match_words([(w.polygon, w.text) for w in page.words], labels, case_sensitive=case_sensitive)
        dets = dets + match_detections([r.polygon for r in page.regions], labels)
    return {
        "pages": n,
        "gt_words": words.num_gt,
        "word_precision": words.precision,
        "word_recall": words.recall,
        "word_f": words.hmean,
        "det_precision": dets.precision,
        "det_recall": dets.recall,
        "det_hmean": dets.hmean,
        "seconds_per_page": seconds / max(1, n),
    }


def evaluate_det(ocr: OCR, data: str | Path, limit: int | None = None, **params) -> dict:
    total, seconds, n = PRF(), 0.0, 0
    run_params = ocr.params.with_overrides(**params)
    for image, labels in _pages(data, limit):
        t0 = time.perf_counter()
        regions = ocr.pipeline.detector(image, run_params)
        seconds += time.perf_counter() - t0
        n += 1
        total = total + match_detections([r.polygon for r in regions], labels)
    return {
        "pages": n,
        "precision": total.precision,
        "recall": total.recall,
        "hmean": total.hmean,
        "images_per_second": n / max(seconds, 1e-9),
    }


def _alnum(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _crops(data: str | Path, limit: int | None) -> tuple[list[np.ndarray], list[str]]:
    """The readable gray crops of a ``gt_list.txt`` folder and their texts."""
    root = Path(data)
    crops, gts = [], []
    for name, text in read_gt_list(root / "gt_list.txt")[:limit]:
        path = root / name if (root / name).exists() else root / "images" / name
        img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if img is not None and img.size:
            crops.append(img)
            gts.append(text)
    if not crops:
        raise FileNotFoundError(f"{data}: no readable crops listed in gt_list.txt")
    return crops, gts


def evaluate_cls(ocr: OCR, data: str | Path, limit: int | None = None) -> dict:
    """Text-line orientation: every crop of a ``gt_list.txt`` folder upright and turned by 180 degrees."""
    classifier = ocr.pipeline.line_classifier
    crops, _ = _crops(data, limit)
    both = crops + [np.ascontiguousarray(c[::-1, ::-1]) for c in crops]
    truth = np.array([0] * len(crops) + [180] * len(crops))
    t0 = time.perf_counter()
    predicted = np.array([angle for angle, _ in classifier(both)])
    seconds = time.perf_counter() - t0
    confusion = [[int(np.sum((truth == t) & (predicted == p))) for p in (0, 180)] for t in (0, 180)]
    return {
        "crops": len(crops),
        "accuracy": float(np.mean(predicted == truth)),
        "accuracy_upright": float(np.mean(predicted[: len(crops)] == 0)),
        "accuracy_turned": float(np.mean(predicted[len(crops) :] == 180)),
        "confusion_0_180": confusion,
        "crops_per_second": len(both) / max(seconds, 1e-9),
    }


def evaluate_rec(ocr: OCR, data: str | Path, limit: int | None = None, batch_size: int = 64) -> dict:
    crops, gts = _crops(data, limit)
    t0 = time.perf_counter()
    preds = [r.text for r in ocr.pipeline.recognizer(crops, batch_size)]
    seconds = time.perf_counter() - t0
    return {
        "crops": len(crops),
        "word_accuracy": float(np.mean([p == g for p, g in zip(preds, gts, strict=True)])),
        "alnum_case_insensitive_accuracy": float(
            np.mean([_alnum(p) == _alnum(g) for p, g in zip(preds, gts, strict=True)])
        ),
        "cer": sum(cer(p, g) * max(1, len(g)) for p, g in zip(preds, gts, strict=True)) / max(1, sum(map(len, gts))),
        "normalized_edit_distance": float(
            np.mean([normalized_edit_distance(p, g) for p, g in zip(preds, gts, strict=True)])
        ),
        "crops_per_second": len(crops) / max(seconds, 1e-9),
    }
