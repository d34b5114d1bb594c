"""Detection, end-to-end and recognition metrics.

Detection follows the ICDAR 2015 protocol: predictions that mostly cover a don't-care region are left out of
the counts, then predictions and ground truth are matched one-to-one by IoU. shapely and rapidfuzz are
evaluation extras, so they are imported only when a metric needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ocdr.io.labels import RegionLabel

if TYPE_CHECKING:
    from shapely.geometry import Polygon


def _polygon(points: np.ndarray) -> Polygon | None:
    """A valid shapely polygon (a quad with crossed corners taken as their hull, other self-intersections repaired
    with ``buffer(0)``), or None when there is none."""
    from shapely.errors import GEOSException
    from shapely.geometry import MultiPoint, Polygon

    try:
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        poly = Polygon(points)
        if not poly.is_valid:  # a quad's corners out of order (crossed) is its hull: buffer(0) kept one triangle
            poly = MultiPoint(points).convex_hull if len(points) == 4 else poly.buffer(0)
    except (ValueError, GEOSException):
        return None
    return None if poly.is_empty or poly.area <= 0 else poly


def _iou(a: Polygon | None, b: Polygon | None) -> float:
    if a is None or b is None:
        return 0.0
    inter = a.intersection(b).area
    union = a.area + b.area - inter
    return float(inter / union) if union > 0 else 0.0


def polygon_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two polygons; 0 when either is degenerate or cannot be repaired."""
    return _iou(_polygon(a), _polygon(b))


@dataclass
class PRF:
    """Match counts; sum per-image results with ``+`` (``sum(results, PRF())``) before reading the rates."""

    tp: int = 0
    num_pred: int = 0
    num_gt: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.num_pred if self.num_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.num_gt if self.num_gt else 0.0

    @property
    def hmean(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r > 0 else 0.0

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp + other.tp, self.num_pred + other.num_pred, self.num_gt + other.num_gt)


def _match(
    pred_polys: Sequence[np.ndarray],
    gt: Sequence[RegionLabel],
    iou_thresh: float,
    ignore_overlap: float,
    compatible: Callable[[int, RegionLabel], bool],
) -> tuple[PRF, list[int], list[int], list[int]]:
    """ICDAR 2015 counting with greedy one-to-one matching by descending IoU among ``compatible`` pairs; the
    counts, the indices of the predictions matched, those of the legible labels left unmatched, and those of the
    predictions counted (the others lie mostly in regions labelled illegible)."""
    if not 0.0 < iou_thresh <= 1.0:
        raise ValueError(f"iou_thresh must be in (0, 1], got {iou_thresh}")
    if not 0.0 <= ignore_overlap <= 1.0:
        raise ValueError(f"ignore_overlap must be in [0, 1], got {ignore_overlap}")
    preds = [_polygon(p) for p in pred_polys]
    care = [(j, label, _polygon(label.polygon)) for j, label in enumerate(gt) if not label.ignore]
    dont_care = [poly for poly in (_polygon(label.polygon) for label in gt if label.ignore) if poly is not None]

    kept = []
    for i, poly in enumerate(preds):
        if poly is not None and any(poly.intersection(d).area / poly.area > ignore_overlap for d in dont_care):
            continue
        kept.append(i)

    pairs = []
    for i in kept:
        for j, label, gt_poly in care:
            iou = _iou(preds[i], gt_poly)
            if iou >= iou_thresh and compatible(i, label):
                pairs.append((-iou, i, j))
    pairs.sort()
    used_pred, used_gt = set(), set()
    for _, i, j in pairs:
        if i not in used_pred and j not in used_gt:
            used_pred.add(i)
            used_gt.add(j)
    lost = [j for j, _, _ in care if j not in used_gt]
    return PRF(len(used_pred), len(kept), len(care)), sorted(used_pred), lost, kept


def match_detections(
    pred_polys: Sequence[np.ndarray], gt: Sequence[RegionLabel], iou_thresh: float = 0.5, ignore_overlap: float = 0.5
) -> PRF:
    """Detection counts for one image under the ICDAR 2015 protocol (ignored regions count for nothing)."""
    return detection_matches(pred_polys, gt, iou_thresh, ignore_overlap)[0]


def detection_matches(
    pred_polys: Sequence[np.ndarray], gt: Sequence[RegionLabel], iou_thresh: float = 0.5, ignore_overlap: float = 0.5
) -> tuple[PRF, list[int]]:
    """``match_detections``'s counts and the indices of the predictions that matched a legible labelled region:
    what a per-region figure (such as a region's orientation) can be checked on."""
    return _match(pred_polys, gt, iou_thresh, ignore_overlap, lambda i, label: True)[:2]


MISS_KINDS = ("merged", "split", "missed", "misfit")


def detection_report(
    pred_polys: Sequence[np.ndarray], gt: Sequence[RegionLabel], iou_thresh: float = 0.5, ignore_overlap: float = 0.5
) -> tuple[PRF, dict[str, int]]:
    """``match_detections``'s counts, and why the legible labelled regions no prediction matched were lost, counted
    by kind, to tell a detector that misses text from one that draws its boxes in another unit than the labels (words
    against segments, say):

    * ``merged``: a prediction covers at least half of the label and is over 1.6x its area (it holds neighbours);
    * ``split``: two or more predictions lie mostly (half their area or more) inside the label;
    * ``missed``: no prediction covers a tenth of it;
    * ``misfit``: the rest (found, but boxed too loosely or tightly for IoU ``iou_thresh``)."""
    counts = dict.fromkeys(MISS_KINDS, 0)
    matched, _, lost, _ = _match(pred_polys, gt, iou_thresh, ignore_overlap, lambda i, label: True)
    preds = [poly for poly in (_polygon(p) for p in pred_polys) if poly is not None]
    for j in lost:
        label = _polygon(gt[j].polygon)
        if label is None:
            counts["missed"] += 1
            continue
        shared = [(poly, poly.intersection(label).area) for poly in preds]
        if any(area >= 0.5 * label.area and poly.area > 1.6 * label.area for poly, area in shared):
            counts["merged"] += 1
        elif sum(area >= 0.5 * poly.area for poly, area in shared) >= 2:
            counts["split"] += 1
        elif all(area <= 0.1 * label.area for _, area in shared):
            counts["missed"] += 1
        else:
            counts["misfit"] += 1
    return matched, counts


def match_words(
    preds: Sequence[tuple[np.ndarray, str]],
    gt: Sequence[RegionLabel],
    iou_thresh: float = 0.5,
    ignore_overlap: float = 0.5,
    case_sensitive: bool = True,
) -> PRF:
    """End-to-end word counts for one image: a match needs IoU >= ``iou_thresh`` and the same text.

    Text is checked before matching, so a wrongly read duplicate cannot take a ground-truth word away from a
    correctly read prediction.
    """
    return _word_match(preds, gt, iou_thresh, ignore_overlap, case_sensitive)[0]


def word_outcomes(
    preds: Sequence[tuple[np.ndarray, str]],
    gt: Sequence[RegionLabel],
    iou_thresh: float = 0.5,
    ignore_overlap: float = 0.5,
    case_sensitive: bool = True,
) -> list[bool | None]:
    """``match_words``'s verdict on each prediction: True where it matched a labelled word (in place and text),
    False where it did not, None where it lies in a region labelled illegible and counts for nothing. What a figure
    per word is measured on, such as how often the words read so sure are right (``benchmarks/confidence.py``)."""
    _, matched, _, kept = _word_match(preds, gt, iou_thresh, ignore_overlap, case_sensitive)
    right, counted = set(matched), set(kept)
    return [i in right if i in counted else None for i in range(len(preds))]


def labels_read(
    preds: Sequence[tuple[np.ndarray, str]],
    gt: Sequence[RegionLabel],
    iou_thresh: float = 0.5,
    ignore_overlap: float = 0.5,
    case_sensitive: bool = True,
) -> list[bool | None]:
    """``match_words``'s verdict on each label: True where a prediction matched it in place and text, False where
    none did, None where it is labelled illegible. What two readings of a page are compared on, word by word: a
    word F moves by the net of the words each reads alone (``benchmarks/word_diff.py``)."""
    lost = set(_word_match(preds, gt, iou_thresh, ignore_overlap, case_sensitive)[2])
    return [None if label.ignore else j not in lost for j, label in enumerate(gt)]


def _word_match(
    preds: Sequence[tuple[np.ndarray, str]],
    gt: Sequence[RegionLabel],
    iou_thresh: float,
    ignore_overlap: float,
    case_sensitive: bool,
) -> tuple[PRF, list[int], list[int], list[int]]:
    """``_match`` of word predictions to labels that read the same (``case_sensitive``, or not)."""

    def norm(text: str) -> str:
        return text if case_sensitive else text.casefold()

    texts = [norm(text) for _, text in preds]
    return _match(
        [poly for poly, _ in preds], gt, iou_thresh, ignore_overlap, lambda i, label: texts[i] == norm(label.text)
    )


def _distance(pred: str, gt: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(pred, gt)


def cer(pred: str, gt: str) -> float:
    """Character error rate: edit distance over the ground-truth length (may exceed 1 for long predictions)."""
    return _distance(pred, gt) / max(1, len(gt))


def alnum_form(text: str, ascii_only: bool = False) -> str:
    """``text`` case-folded with its letters and digits alone kept: the case-insensitive alphanumeric match of
    scene-text papers compares these. Letters of every script count (a Cyrillic or accented word is not emptied
    to its digits); ``ascii_only`` keeps [0-9a-z] alone, the papers' 36 classes, so that an English benchmark does
    not fault an engine for a letter outside them."""
    if ascii_only:
        return "".join(c for c in text.lower() if c.isascii() and c.isalnum())
    return "".join(c for c in text.casefold() if c.isalnum())


def normalized_edit_distance(pred: str, gt: str) -> float:
    """Edit distance over the longer string's length, in [0, 1]."""
    return _distance(pred, gt) / max(len(pred), len(gt), 1)


def word_accuracy(preds: Sequence[str], gts: Sequence[str]) -> float:
    """Fraction of exact matches; 0 for no words."""
    if len(preds) != len(gts):
        raise ValueError(f"got {len(preds)} predictions for {len(gts)} ground-truth words")
    if not gts:
        return 0.0
    return sum(p == g for p, g in zip(preds, gts, strict=True)) / len(gts)
