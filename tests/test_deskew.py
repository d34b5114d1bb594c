"""Deskew: the skew of a page scanned a few degrees off, or photographed up to 45 degrees off, is measured, the page
straightened before detection, and the boxes come back in the input's coordinates."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from ocdr.cli import main
from ocdr.deskew import estimate_skew, straighten
from ocdr.document import Document
from ocdr.evaluation.evaluate import _skew as skewed
from ocdr.evaluation.metrics import match_words
from ocdr.geometry import map_points
from ocdr.pipeline import PageRanking
from tests.conftest import PAGE_LINES, SHARED_DATA, loose

SROIE = SHARED_DATA / "detection" / "sroie_train" / "images"


@pytest.mark.parametrize("degrees", [-4.0, -1.2, 0.0, 0.7, 2.5, 6.0, 18.0, -30.0, 41.0])
def test_estimate_skew(text_page, degrees):
    image, labels = text_page
    turned, _ = skewed(image, labels, degrees)
    assert abs(estimate_skew(turned) - degrees) <= 0.15


@pytest.mark.skipif(not SROIE.is_dir(), reason="needs ../shared/data")
@pytest.mark.parametrize("name", ["256.jpg", "478.jpg", "213.jpg"])
def test_receipts_turned_far_measure_their_lines_not_their_columns(name):
    """Narrow receipts, one with a scanner's shadow down its side: their columns' profile grows sharper towards
    the range's end (the lines' perpendicular), and the sharpest angle there is no measure of the lines."""
    image = cv2.cvtColor(cv2.imread(str(SROIE / name)), cv2.COLOR_BGR2RGB)
    upright = estimate_skew(image)
    assert abs(upright) < 2
    for degrees in (8.0, 30.0, -40.0):
        assert abs(estimate_skew(skewed(image, [], degrees)[0]) - upright - degrees) <= 0.5, degrees


def test_blank_and_tiny_pages_have_no_skew():
    assert estimate_skew(np.full((300, 200, 3), 255, np.uint8)) == 0.0
    assert estimate_skew(np.zeros((4, 4, 3), np.uint8)) == 0.0


def test_straighten_keeps_the_whole_page_and_maps_back(text_page):
    image, _ = text_page
    straight, back = straighten(image, 5.0)
    h, w = image.shape[:2]
    assert straight.shape[0] > h and straight.shape[1] > w  # the corners are kept
    # the straight page's corners of the input land on the input's corners
    forward = cv2.invertAffineTransform(back)
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    np.testing.assert_allclose(map_points(map_points(corners, forward), back), corners, atol=1e-3)


def test_pipeline_deskews_and_reports_boxes_in_the_input(ocr, text_page):
    image, labels = text_page
    turned, turned_labels = skewed(image, labels, 3.0)
    page = ocr(turned, use_deskew=True).pages[0]
    assert page.skew == pytest.approx(3.0, abs=0.15) and page.params["use_deskew"] is True
    assert [loose(line.text) for line in page.lines] == [loose(line) for line in PAGE_LINES]  # the lines, in order
    matched = match_words([(w.polygon, w.text) for w in page.words], turned_labels)
    assert matched.recall >= 0.95  # every box lies on its word in the skewed input
    assert ocr(turned).pages[0].skew is None  # the stage did not run
    assert ocr(image, use_deskew=True).pages[0].skew == pytest.approx(0.0, abs=0.1)  # straight: left as it is
    restored = Document.from_dict(json.loads(json.dumps(ocr(turned, use_deskew=True).to_dict())))
    assert restored.pages[0].skew == pytest.approx(page.skew, abs=0.01)


def test_a_page_photographed_30_degrees_off_is_read(ocr, text_page):
    """The detector learnt text a few degrees off: turned 30 degrees, a page read as it is gives fragments."""
    image, labels = text_page
    turned, turned_labels = skewed(image, labels, -30.0)
    page = ocr(turned, use_deskew=True).pages[0]
    assert page.skew == pytest.approx(-30.0, abs=0.15)
    assert [loose(line.text) for line in page.lines] == [loose(line) for line in PAGE_LINES]
    assert match_words([(w.polygon, w.text) for w in page.words], turned_labels).recall >= 0.95


@pytest.mark.parametrize("degrees", [60.0, 135.0, 250.0])
def test_a_page_at_any_angle_is_read_with_the_page_classifier(ocr, text_page, degrees):
    """The page classifier turns the page by the nearest quarter, the deskew stage by the rest (up to 45)."""
    image, labels = text_page
    turned, turned_labels = skewed(image, labels, degrees)
    page = ocr(turned, use_doc_orientation_classify=True, use_deskew=True).pages[0]
    assert (page.angle + page.skew) % 360 == pytest.approx(degrees, abs=0.2)
    assert [loose(line.text) for line in page.lines] == [loose(line) for line in PAGE_LINES]
    assert match_words([(w.polygon, w.text) for w in page.words], turned_labels).recall >= 0.95


@pytest.mark.skipif(not (SHARED_DATA / "detection").is_dir(), reason="needs ../shared/data")
def test_a_form_40_degrees_off_is_judged_straightened(ocr):
    """Turned 40 degrees, a FUNSD form looked as much turned by 270 as upright to the page classifier, which was
    sure of 270: the page was then deskewed from -50 degrees, out of the stage's reach, and read sideways (stop 91:
    angle 90, skew 40, 49 of 127 words). The classifier now judges the page straightened."""
    from ocdr.io.labels import read_icdar_gt

    folder = SHARED_DATA / "detection" / "funsd_train"
    image = cv2.cvtColor(cv2.imread(str(folder / "images" / "0000971160.png")), cv2.COLOR_BGR2RGB)
    turned, labels = skewed(image, read_icdar_gt(folder / "gts" / "gt_0000971160.txt"), 40.0)
    page = ocr(turned, use_doc_orientation_classify=True, use_deskew=True).pages[0]
    assert page.angle == 0 and page.skew == pytest.approx(40.0, abs=1.5)
    assert match_words([(w.polygon, w.text) for w in page.words], labels).recall >= 0.7  # 0.78, as deskew alone


def test_cli_use_deskew(tmp_path, text_page, capsys):
    image, labels = text_page
    turned, _ = skewed(image, labels, -2.0)
    path = tmp_path / "skewed.png"
    cv2.imwrite(str(path), cv2.cvtColor(turned, cv2.COLOR_RGB2BGR))
    assert main(["read", str(path), "--use-deskew", "--format", "json", "--threads", "1"]) == 0
    page = json.loads(capsys.readouterr().out)["pages"][0]
    assert page["skew"] == pytest.approx(-2.0, abs=0.15)


def test_deskew_composes_with_the_page_stages_extra_turn(ocr, text_page, monkeypatch):
    """A sideways page, skewed, that the page classifier takes for 270 instead of 90: turned, straightened, found
    upside down by the text-line check and turned again, its boxes still land on its words in the input."""
    from ocdr.evaluation.evaluate import _turn

    image, labels = text_page
    sideways, sideways_labels = _turn(image, labels, 90)
    turned, turned_labels = skewed(sideways, sideways_labels, 3.0)
    ranking = PageRanking([(270, 0.6), (90, 0.2), (0, 0.1), (180, 0.1)], 0.6)
    monkeypatch.setattr(type(ocr.pipeline.page_classifier), "ranking", lambda self, img: ranking)
    page = ocr(turned, use_doc_orientation_classify=True, use_deskew=True).pages[0]
    assert page.angle == 90 and page.skew is not None and abs(page.skew) > 2
    assert [loose(line.text) for line in page.lines] == [loose(line) for line in PAGE_LINES]  # the lines, in order
    assert match_words([(w.polygon, w.text) for w in page.words], turned_labels).recall >= 0.95
