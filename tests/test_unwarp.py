"""Document unwarping: a photographed sheet's outline is found, the sheet flattened before detection, and the boxes
come back in the photo's coordinates; scans, street scenes and sheets cut by the frame are left as they are."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from rapidfuzz.distance import Levenshtein

from ocdr.cli import main
from ocdr.document import Document
from ocdr.evaluation.metrics import match_detections
from ocdr.geometry import map_points
from ocdr.io.export import page_to_paddlex
from ocdr.io.labels import RegionLabel
from ocdr.training.det_data import load_det_dataset
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import PageStyle, render_page
from ocdr.training.synth.text import TextSampler
from ocdr.unwarp import find_page, flatten
from tests.conftest import PAGE_LINES, loose, loose_word_recall, photographed, png_bytes


def squeezed(text: str) -> str:
    """``loose`` text without its spaces: the far side of a photographed sheet, stretched back to size, is softer,
    and a gap inside a word ("sales@ example") is read there now and then."""
    return loose(text).replace(" ", "")


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_find_page_finds_the_sheet_corners(text_page, seed):
    image, _, corners = photographed(*text_page, seed=seed)
    found = find_page(image)
    assert found is not None
    assert np.abs(found - corners).max() <= 0.015 * max(image.shape[:2])  # clockwise from the top-left, in place


def test_find_page_leaves_scans_scenes_and_cut_sheets_alone(text_page, photo):
    image, _, corners = photo
    assert find_page(text_page[0]) is None  # a scan: the sheet is the picture
    assert find_page(np.full((400, 300, 3), 255, np.uint8)) is None
    assert find_page(np.zeros((400, 300, 3), np.uint8)) is None
    assert find_page(np.zeros((3, 2, 3), np.uint8)) is None
    # a bright band across a darker picture (a sky over a street) runs off the frame: not a sheet
    scene = np.full((300, 400, 3), 60, np.uint8)
    scene[:120] = 230
    assert find_page(scene) is None
    # the sheet cut by the frame: its bottom corners are not in the picture
    cut = image[: int(corners[:, 1].max() * 0.8)]
    assert find_page(cut) is None


def test_flatten_makes_the_sheet_an_upright_rectangle(photo):
    image, _, corners = photo
    flat, back = flatten(image, corners)
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = map_points(corners, np.linalg.inv(back))  # the sheet in the flat page
    assert x0 == pytest.approx(x3, abs=0.5) and x1 == pytest.approx(x2, abs=0.5)  # upright sides
    assert y0 == pytest.approx(y1, abs=0.5) and y3 == pytest.approx(y2, abs=0.5)
    rows, cols = flat.shape[:2]
    assert 0 < x0 < x1 < cols and 0 < y0 < y3 < rows  # with a border around it
    # no side shorter than the sheet's longer edge across from it: nothing is shrunk
    assert x1 - x0 >= max(np.linalg.norm(corners[1] - corners[0]), np.linalg.norm(corners[2] - corners[3])) - 1


def test_a_photographed_two_column_page_is_read_in_order_without_unwarping(ocr):
    """Left in perspective, a page's text lines converge and its columns lean: the layout makes the lines parallel
    and cuts the columns along their lean, so the columns are read one after the other (stop 46's code read this
    page with a character error rate of 0.64 against its drawn order, jumping between the columns)."""
    rng = np.random.default_rng(53)
    image, labels = render_page(TextSampler(rng), find_fonts(), rng, PageStyle(dpi=150, noise=0.0))
    picture, mapped, _ = photographed(image, labels, 53, strength=1.0)
    truth = " ".join(label.text for label in mapped)
    page = ocr(picture).pages[0]
    assert page.outline is None  # not unwarped
    assert Levenshtein.distance(" ".join(page.text.split()), truth) <= 0.02 * len(truth)  # read: 0.005


def test_pipeline_unwarps_and_reports_boxes_in_the_photo(ocr, photo):
    image, labels, corners = photo
    page = ocr(image, use_doc_unwarping=True).pages[0]
    assert page.params["use_doc_unwarping"] is True
    assert np.abs(page.outline - corners).max() <= 0.015 * max(image.shape[:2])
    assert [squeezed(line.text) for line in page.lines] == [
        squeezed(line) for line in PAGE_LINES
    ]  # the lines, in order
    assert loose_word_recall(page, labels) >= 0.95  # every box lies on its word in the photo
    restored = Document.from_dict(json.loads(json.dumps(ocr(image, use_doc_unwarping=True).to_dict())))
    np.testing.assert_allclose(restored.pages[0].outline, page.outline, atol=0.06)
    assert ocr(image).pages[0].outline is None  # the stage did not run
    settings = page_to_paddlex(page)["doc_preprocessor_res"]  # PaddleX's result names the stages that ran
    assert settings["model_settings"] == {"use_doc_orientation_classify": False, "use_doc_unwarping": True}
    assert settings["angle"] == -1


def test_pipeline_unwarps_after_turning_the_page_upright(ocr, photo):
    image, labels, corners = photo
    sideways = np.ascontiguousarray(np.rot90(image, -1))  # photographed a quarter turn clockwise
    page = ocr(sideways, use_doc_orientation_classify=True, use_doc_unwarping=True).pages[0]
    assert page.angle == 90
    assert [squeezed(line.text) for line in page.lines] == [squeezed(line) for line in PAGE_LINES]
    h = image.shape[0]
    turned = [RegionLabel(np.stack([h - lab.polygon[:, 1], lab.polygon[:, 0]], axis=1), lab.text) for lab in labels]
    assert loose_word_recall(page, turned) >= 0.95
    sheet = np.stack([h - corners[:, 1], corners[:, 0]], axis=1)  # the sheet's corners in the sideways photo
    nearest = np.linalg.norm(page.outline[:, None] - sheet[None], axis=2).min(axis=1)
    assert nearest.max() <= 0.015 * max(image.shape[:2])


def test_cli_use_doc_unwarping(tmp_path, photo, capsys):
    path = tmp_path / "photo.png"
    path.write_bytes(png_bytes(photo[0]))
    assert main(["read", str(path), "--format", "json", "--use-doc-unwarping"]) == 0
    page = json.loads(capsys.readouterr().out)["pages"][0]
    assert page["params"]["use_doc_unwarping"] is True and len(page["outline"]) == 4


def test_synthetic_photographed_pages_keep_their_labels_on_the_words(ocr, tmp_path):
    args = ["synth", "pages", "--count", "1", "--dpi", "100", "--seed", "2"]
    assert main([*args, "--out", str(tmp_path), "--noise", "0"]) == 0
    assert main([*args, "--out", str(tmp_path / "photo"), "--photo", "1.5"]) == 0
    (item,) = load_det_dataset(tmp_path / "photo")
    (flat,) = load_det_dataset(tmp_path)
    assert [lab.text for lab in item.labels] == [lab.text for lab in flat.labels]  # the same page, photographed
    image = cv2.cvtColor(cv2.imread(str(item.image_path)), cv2.COLOR_BGR2RGB)
    assert find_page(image) is not None
    # the shipped detector's boxes on the flattened photo, mapped back, land on the labels
    page = ocr(image, use_doc_unwarping=True).pages[0]
    assert match_detections([r.polygon for r in page.regions], item.labels).recall >= 0.8
