import json

import numpy as np
import pytest
from PIL import Image, ImageFont

from ocdr import visualization
from ocdr.document import Block, Document, Line, Page, Region, Word
from ocdr.geometry import quad_from_box
from ocdr.io import export as exporters
from ocdr.io.export import EXPORTERS, export, page_to_paddlex
from ocdr.visualization import draw_result, save_visualization

PARAMS = {
    "limit_side_len": 960,
    "limit_type": "max",
    "thresh": 0.3,
    "box_thresh": 0.6,
    "unclip_ratio": np.float32(1.5),  # numpy scalars must serialise too
    "text_rec_score_thresh": 0.5,
}


@pytest.fixture
def page() -> Page:
    hello = Word(quad_from_box(10, 10, 90, 40), "Hello", 0.95)
    world = Word(quad_from_box(100, 10, 180, 40), "world", 0.85)
    below = Word(quad_from_box(10, 60, 120, 90), "Über", 0.9)
    blocks = [Block.from_lines([Line.from_words([hello, world]), Line.from_words([below])])]
    regions = [
        Region(quad_from_box(9.6, 10.2, 180.4, 40.5), 0.91, "Hello world", 0.9, True),
        Region(quad_from_box(150, 100, 170, 110), 0.65, "~", 0.2, False),
        Region(quad_from_box(10, 60, 120, 90), 0.88, "Über", 0.9, True),
    ]
    return Page(0, 200, 120, blocks, regions=regions, source="in.png", params=PARAMS)


@pytest.fixture
def doc(page) -> Document:
    return Document([page], source="in.png")


def test_page_to_paddlex_matches_the_pipeline_result_format(page):
    res = page_to_paddlex(page)
    assert list(res) == [
        "input_path", "page_index", "model_settings", "dt_polys", "text_det_params", "text_type",
        "textline_orientation_angles", "text_rec_score_thresh", "rec_texts", "rec_scores", "rec_polys", "rec_boxes",
    ]  # fmt: skip
    assert res["input_path"] == "in.png" and res["page_index"] == 0
    assert res["model_settings"] == {"use_doc_preprocessor": False, "use_textline_orientation": False}
    assert len(res["dt_polys"]) == 3
    assert res["dt_polys"][1] == [[150, 100], [170, 100], [170, 110], [150, 110]]
    assert res["text_det_params"] == {
        "limit_side_len": 960, "limit_type": "max", "thresh": 0.3, "box_thresh": 0.6, "unclip_ratio": 1.5,
    }  # fmt: skip
    assert res["text_type"] == "general"
    assert res["textline_orientation_angles"] == [-1, -1, -1]
    assert res["text_rec_score_thresh"] == 0.5
    assert res["rec_texts"] == ["Hello world", "Über"]
    assert res["rec_scores"] == pytest.approx([0.9, 0.9])
    assert res["rec_polys"][0] == [[10, 10], [180, 10], [180, 40], [10, 40]]
    assert res["rec_boxes"] == [[10, 10, 180, 40], [10, 60, 120, 90]]
    assert all(type(v) is int for box in res["rec_boxes"] for v in box)


def test_paddlex_export_is_json_of_the_page_dicts(doc):
    text = export(doc, "paddlex")
    assert json.loads(text) == json.loads(json.dumps(doc.to_paddlex(), default=float))
    assert '\n        "rec_texts": ["Hello world", "Über"],\n' in text  # indent 4, short lists inline, non-ASCII kept
    assert "\n            [[10, 60], [120, 60], [120, 90], [10, 90]]\n" in text  # a polygon per line


def test_json_export_round_trips(doc):
    text = doc.export("json", indent=None)
    assert "\n" not in text and "Über" in text
    back = Document.from_dict(json.loads(text))
    assert back.text == doc.text
    assert back.to_dict() == json.loads(text)
    assert back.pages[0].params["unclip_ratio"] == 1.5


def test_text_export(doc):
    assert export(doc, "text") == "Hello world\nÜber"
    two_pages = Document([doc.pages[0], Page(1, 10, 10, [])])
    assert two_pages.export("text") == "Hello world\nÜber\f"


def test_unknown_format_lists_the_known_ones(doc):
    with pytest.raises(ValueError, match="unknown export format 'docx'; known formats: alto, hocr, json, markdown"):
        export(doc, "docx")


def test_a_new_format_plugs_in_with_one_entry(doc, monkeypatch):
    monkeypatch.setitem(EXPORTERS, "words", lambda d: "\n".join(w.text for w in d.words))
    assert doc.export("words") == "Hello\nworld\nÜber"


def _page_image(page: Page) -> np.ndarray:
    return np.full((page.height, page.width, 3), 200, dtype=np.uint8)


def test_visualization_shows_boxes_left_and_text_right(page):
    image = _page_image(page)
    out = draw_result(image, page)
    assert out.shape == (120, 400, 3) and out.dtype == np.uint8
    left, right = out[:, :200], out[:, 200:]
    assert (left[15:35, 15:85] != 200).any(axis=2).all()  # every pixel inside "Hello" is tinted
    assert (left[100:115, 185:195] == 200).all()  # outside every word stays as it was
    assert (right[15:35, 15:85].min(axis=2) < 100).sum() > 50  # dark glyph pixels inside "Hello"
    assert (right[15:35, 105:175].min(axis=2) < 100).sum() > 50  # and inside "world"
    assert (right[95:, :] == 255).all()  # blank where there is no text


def test_visualization_levels_and_gray_input(page):
    gray = _page_image(page)[..., 0]
    lines = draw_result(gray, page, level="line")
    words = draw_result(gray, page, level="word")
    assert lines.shape == words.shape == (120, 400, 3)
    assert (lines[:, 200:] != words[:, 200:]).any()  # line outline spans both words, text is drawn once per line
    with pytest.raises(ValueError, match="unknown level"):
        draw_result(gray, page, level="glyph")


def test_visualization_without_system_fonts(page, monkeypatch):
    truetype = ImageFont.truetype

    def no_system_fonts(font, *args, **kwargs):  # load_default() itself goes through truetype() with a file object
        if isinstance(font, str):
            raise OSError(f"cannot open resource {font}")
        return truetype(font, *args, **kwargs)

    monkeypatch.setattr(ImageFont, "truetype", no_system_fonts)
    visualization._font.cache_clear()
    try:
        right = draw_result(_page_image(page), page)[:, 200:]
    finally:
        visualization._font.cache_clear()
    assert (right[15:35, 15:85].min(axis=2) < 100).sum() > 50


def test_visualization_rejects_an_image_of_another_size(page):
    with pytest.raises(ValueError, match="image is 100x50 but page 0 is 200x120"):
        draw_result(np.zeros((50, 100, 3), np.uint8), page)


def test_save_visualization(page, tmp_path):
    path = tmp_path / "vis.png"
    save_visualization(path, _page_image(page), page, level="paragraph")
    with Image.open(path) as saved:
        assert saved.size == (400, 120) and saved.mode == "RGB"


def test_exporters_module_is_what_document_dispatches_to(doc, monkeypatch):
    monkeypatch.setattr(exporters, "EXPORTERS", {"only": lambda d: "x"})
    assert doc.export("only") == "x"
