import numpy as np
import pytest

from ocdr.evaluation.metrics import (
    PRF,
    alnum_form,
    cer,
    detection_matches,
    detection_report,
    labels_read,
    match_detections,
    match_words,
    normalized_edit_distance,
    polygon_iou,
    word_accuracy,
    word_outcomes,
)
from ocdr.geometry import quad_from_box
from ocdr.io.labels import RegionLabel


def label(x0, y0, x1, y1, text="word", ignore=False) -> RegionLabel:
    return RegionLabel(quad_from_box(x0, y0, x1, y1), text, ignore)


def test_polygon_iou_hand_computed():
    a = quad_from_box(0, 0, 10, 10)
    assert polygon_iou(a, a) == pytest.approx(1.0)
    assert polygon_iou(a, quad_from_box(5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert polygon_iou(a, quad_from_box(20, 20, 30, 30)) == 0.0
    # a rotated diamond inscribed in the square covers half of it
    diamond = np.array([[5, 0], [10, 5], [5, 10], [0, 5]], dtype=np.float32)
    assert polygon_iou(a, diamond) == pytest.approx(0.5)


def test_polygon_iou_repairs_or_rejects_bad_polygons():
    bowtie = np.array([[0, 0], [10, 10], [10, 0], [0, 10]], dtype=np.float32)  # corners out of order: crossed
    assert polygon_iou(bowtie, quad_from_box(0, 0, 10, 10)) == pytest.approx(1.0)  # its hull, the box (was 0.25)
    crossed = np.array([[0, 0], [10, 0], [5, 5], [5, -5], [0, 0]], dtype=np.float32)  # more points: repaired
    assert 0.0 <= polygon_iou(crossed, quad_from_box(0, 0, 10, 10)) <= 1.0
    assert polygon_iou(np.array([[0, 0], [5, 5], [10, 10], [0, 0]]), quad_from_box(0, 0, 10, 10)) == 0.0
    assert polygon_iou(np.zeros((2, 2)), quad_from_box(0, 0, 10, 10)) == 0.0


def test_prf_rates_and_sum():
    total = sum([PRF(2, 4, 3), PRF(1, 1, 2)], PRF())
    assert total == PRF(3, 5, 5)
    assert total.precision == pytest.approx(0.6)
    assert total.recall == pytest.approx(0.6)
    assert total.hmean == pytest.approx(0.6)
    assert PRF(1, 2, 4).hmean == pytest.approx(2 * 0.5 * 0.25 / 0.75)
    empty = PRF()
    assert (empty.precision, empty.recall, empty.hmean) == (0.0, 0.0, 0.0)


def test_match_detections_counts_and_duplicates():
    gt = [label(0, 0, 100, 20), label(0, 40, 100, 60), label(200, 0, 260, 30)]
    preds = [
        quad_from_box(2, 1, 98, 21),  # matches gt 0
        quad_from_box(0, 0, 90, 20),  # duplicate on gt 0: not a second tp
        quad_from_box(0, 40, 40, 60),  # IoU 0.4 with gt 1: miss
        quad_from_box(500, 500, 520, 520),  # false positive
    ]
    result = match_detections(preds, gt)
    assert result == PRF(tp=1, num_pred=4, num_gt=3)
    # the lower threshold lets the partial box on gt 1 match
    assert match_detections(preds, gt, iou_thresh=0.4).tp == 2


def test_detection_matches_name_the_matched_predictions():
    """The predictions matched one-to-one to legible labels, by index; none on a don't-care region."""
    gt = [label(0, 0, 100, 20), label(0, 40, 100, 60), label(200, 0, 260, 30, "###", ignore=True)]
    preds = [
        quad_from_box(500, 500, 520, 520),  # false positive
        quad_from_box(0, 0, 70, 20),  # on gt 0 (IoU 0.7), but the last one fits it better (0.87)
        quad_from_box(1, 41, 99, 59),  # matches gt 1
        quad_from_box(2, 1, 98, 21),  # matches gt 0
        quad_from_box(200, 0, 260, 30),  # on the don't-care region: left out
    ]
    counts, matched = detection_matches(preds, gt)
    assert matched == [2, 3]
    assert counts == match_detections(preds, gt) == PRF(tp=2, num_pred=4, num_gt=2)


def test_unmatched_labels_are_counted_by_why_they_were_lost():
    gt = [
        label(0, 0, 100, 20),  # matched
        label(0, 40, 30, 60),  # inside a region that also holds its neighbour: merged
        label(50, 40, 80, 60),
        label(0, 80, 100, 100),  # two halves: split
        label(0, 120, 100, 140),  # nothing there: missed
        label(0, 160, 100, 180),  # found, but boxed short of half of it: misfit
        label(300, 0, 400, 20, "###", ignore=True),  # don't care: never counted
    ]
    preds = [
        quad_from_box(1, 0, 100, 20),
        quad_from_box(0, 40, 80, 60),
        quad_from_box(0, 80, 48, 100),
        quad_from_box(52, 80, 100, 100),
        quad_from_box(55, 160, 100, 180),
    ]
    counts, kinds = detection_report(preds, gt)
    assert kinds == {"merged": 2, "split": 1, "missed": 1, "misfit": 1}
    assert sum(kinds.values()) == match_detections(preds, gt).num_gt - 1
    assert counts == match_detections(preds, gt)
    assert detection_report([], gt[:1])[1] == {"merged": 0, "split": 0, "missed": 1, "misfit": 0}


def test_match_detections_greedy_prefers_best_iou():
    gt = [label(0, 0, 100, 20), label(60, 0, 160, 20)]
    preds = [quad_from_box(30, 0, 130, 20), quad_from_box(0, 0, 100, 20)]
    # pred 0 overlaps both ground truths at IoU 0.54; pred 1 is exact on gt 0, which must go to pred 1
    assert match_detections(preds, gt) == PRF(2, 2, 2)


def test_match_detections_ignore_regions():
    gt = [label(0, 0, 100, 20), label(0, 100, 100, 140, "###", ignore=True)]
    preds = [
        quad_from_box(0, 0, 100, 20),
        quad_from_box(10, 100, 90, 140),  # inside the don't-care region: dropped
        quad_from_box(50, 110, 150, 130),  # half inside (0.5, not > 0.5): kept as a false positive
    ]
    assert match_detections(preds, gt) == PRF(tp=1, num_pred=2, num_gt=1)
    assert match_detections(preds, gt, ignore_overlap=0.4) == PRF(tp=1, num_pred=1, num_gt=1)


def test_match_detections_empty():
    assert match_detections([], []) == PRF(0, 0, 0)
    assert match_detections([], [label(0, 0, 10, 10)]) == PRF(0, 0, 1)
    assert match_detections([quad_from_box(0, 0, 10, 10)], []) == PRF(0, 1, 0)
    assert match_detections([quad_from_box(0, 0, 10, 10)], [label(0, 0, 10, 10, ignore=True)]) == PRF(0, 0, 0)


def test_match_detections_validates_thresholds():
    with pytest.raises(ValueError):
        match_detections([], [], iou_thresh=0.0)
    with pytest.raises(ValueError):
        match_detections([], [], ignore_overlap=1.5)


def test_match_words_text_and_case():
    gt = [label(0, 0, 100, 20, "Hello"), label(0, 40, 100, 60, "world"), label(0, 80, 100, 100, "###", True)]
    preds = [
        (quad_from_box(0, 0, 100, 20), "hello"),
        (quad_from_box(0, 40, 100, 60), "word"),  # right place, wrong text
        (quad_from_box(0, 80, 100, 100), "noise"),  # on the don't-care region: dropped
    ]
    assert match_words(preds, gt) == PRF(tp=0, num_pred=2, num_gt=2)
    assert match_words(preds, gt, case_sensitive=False) == PRF(tp=1, num_pred=2, num_gt=2)


def test_match_words_duplicate_with_wrong_text_does_not_steal_the_match():
    gt = [label(0, 0, 100, 20, "exit")]
    preds = [(quad_from_box(0, 0, 100, 20), "exlt"), (quad_from_box(2, 0, 100, 20), "exit")]
    assert match_words(preds, gt) == PRF(tp=1, num_pred=2, num_gt=1)
    assert match_words([], gt) == PRF(0, 0, 1)


def test_word_outcomes_judge_each_prediction_as_match_words_counts():
    """Each prediction right (matched in place and text), wrong (misread, or found where no word is labelled) or
    not counted (on a region labelled illegible), in the order given; the rights are ``match_words``'s matches."""
    gt = [label(0, 0, 100, 20, "Hello"), label(0, 40, 100, 60, "world"), label(0, 80, 100, 100, "###", True)]
    preds = [
        (quad_from_box(0, 80, 100, 100), "noise"),  # on the don't-care region
        (quad_from_box(0, 40, 100, 60), "world"),
        (quad_from_box(0, 0, 100, 20), "hello"),  # right place, other case
        (quad_from_box(200, 0, 300, 20), "extra"),  # nothing labelled there
        (quad_from_box(2, 40, 100, 60), "world"),  # a duplicate: the label is taken
    ]
    assert word_outcomes(preds, gt) == [None, True, False, False, False]
    assert word_outcomes(preds, gt, case_sensitive=False) == [None, True, True, False, False]
    assert sum(v is True for v in word_outcomes(preds, gt)) == match_words(preds, gt).tp
    assert word_outcomes([], gt) == []


def test_labels_read_judge_each_label_as_match_words_counts():
    """Each label read (a prediction on it with its text), not read (misread, missed, or its word taken by a
    duplicate) or not counted (labelled illegible), in the labels' order; the reads are ``match_words``'s matches."""
    gt = [
        label(0, 0, 100, 20, "Hello"),
        label(0, 40, 100, 60, "world"),
        label(0, 80, 100, 100, "###", True),
        label(0, 120, 100, 140, "again"),
    ]
    preds = [
        (quad_from_box(0, 80, 100, 100), "noise"),
        (quad_from_box(0, 40, 100, 60), "world"),
        (quad_from_box(2, 40, 100, 60), "world"),  # a duplicate reads no second label
        (quad_from_box(0, 0, 100, 20), "hello"),
    ]
    assert labels_read(preds, gt) == [False, True, None, False]
    assert labels_read(preds, gt, case_sensitive=False) == [True, True, None, False]
    assert sum(v is True for v in labels_read(preds, gt)) == match_words(preds, gt).tp
    assert labels_read([], gt) == [False, False, None, False]


def test_cer_and_normalized_edit_distance():
    assert cer("hello", "hello") == 0.0
    assert cer("helo", "hello") == pytest.approx(1 / 5)
    assert cer("kitten", "sitting") == pytest.approx(3 / 7)
    assert cer("abc", "") == 3.0  # nothing to read, three insertions
    assert cer("", "abcd") == 1.0
    assert normalized_edit_distance("kitten", "sitting") == pytest.approx(3 / 7)
    assert normalized_edit_distance("abcdef", "ab") == pytest.approx(4 / 6)
    assert normalized_edit_distance("", "") == 0.0


def test_word_accuracy():
    assert word_accuracy(["a", "b", "c", "D"], ["a", "x", "c", "d"]) == pytest.approx(0.5)
    assert word_accuracy([], []) == 0.0
    with pytest.raises(ValueError):
        word_accuracy(["a"], [])


def test_alnum_form_keeps_the_letters_of_every_script():
    """The case-insensitive alphanumeric match compares letters and digits: a Cyrillic or accented word is not
    emptied to its digits (every Cyrillic crop matched any other before); ``ascii_only`` keeps the 36 classes of
    the English scene-text benchmarks."""
    assert alnum_form("Москва-2!") == "москва2" and alnum_form("Москва") != alnum_form("Москве")
    assert alnum_form("Éte, ÉTÉ") == "éteété" and alnum_form("STRASSE") == alnum_form("Straße")
    assert alnum_form("Ήρεμη") == alnum_form("ήρεμη") != alnum_form("ηρεμη")
    assert alnum_form("Café No.7", ascii_only=True) == "cafno7" and alnum_form("Москва", ascii_only=True) == ""
