import json
import math
import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from ocdr.document import Block, Document, Line, Page, Region, Word, polygon_angles
from ocdr.errors import InputError
from ocdr.geometry import quad_from_box


def _word(text: str, x: float, y: float, conf: float, h: float = 20.0) -> Word:
    return Word(quad_from_box(x, y, x + 10 * len(text), y + h), text, conf)


def _rotated(polygon: np.ndarray, degrees: float, centre=(300.0, 200.0)) -> np.ndarray:
    a = math.radians(degrees)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return ((polygon - centre) @ rot.T + centre).astype(np.float32)


@pytest.fixture
def doc() -> Document:
    """Two pages; values on 0.5 px and short decimals so the JSON rounding is exact."""
    l1 = Line.from_words([_word("Hello", 10, 10, 0.75), _word("world", 70, 10, 0.25)])
    l2 = Line.from_words([_word("again", 10, 35, 0.5)])
    l3 = Line.from_words([_word("Next", 10.5, 100, 1.0)])
    page0 = Page(
        0,
        640,
        480,
        [Block.from_lines([l1, l2]), Block.from_lines([l3])],
        regions=[
            Region(l1.polygon, 0.9, "Hello world", 0.5, True),
            Region(quad_from_box(300, 300, 320, 310), 0.7, "~", 0.125, False),
        ],
        source="scan.pdf",
        params={"thresh": 0.3, "box_thresh": 0.6, "unclip_ratio": 1.5},
    )
    page1 = Page(1, 640, 480, [Block.from_lines([Line.from_words([_word("End", 5, 5, 0.5)])])], source="scan.pdf")
    return Document([page0, page1], source="scan.pdf")


def test_word_box_is_axis_aligned_bounds_of_polygon():
    word = Word([[10, 20], [50, 14], [52, 30], [12, 36]], "skew", 0.9)
    assert word.polygon.dtype == np.float32
    assert word.box == (10.0, 14.0, 52.0, 36.0)


def test_polygon_must_have_four_points():
    with pytest.raises(ValueError, match=r"\(4, 2\)"):
        Word([[0, 0], [1, 0], [1, 1]], "x", 1.0)


def test_line_from_words_hull_and_character_weighted_confidence():
    line = Line.from_words([_word("ab", 0, 0, 0.5), _word("abcd", 30, 5, 1.0, h=25)])
    assert line.text == "ab abcd"
    assert line.confidence == pytest.approx((2 * 0.5 + 4 * 1.0) / 6)
    np.testing.assert_array_equal(line.polygon, quad_from_box(0, 0, 70, 30))
    assert line.box == (0.0, 0.0, 70.0, 30.0)


def test_block_confidence_weights_lines_by_length():
    long_line = Line.from_words([_word("abcdefgh", 0, 0, 1.0)])
    short_line = Line.from_words([_word("ab", 0, 30, 0.0)])
    block = Block.from_lines([long_line, short_line])
    assert block.text == "abcdefgh\nab"
    assert block.confidence == pytest.approx(0.8)
    assert block.box == (0.0, 0.0, 80.0, 50.0)


def test_skewed_words_get_a_rotated_rectangle_from_top_left():
    words = [Word(_rotated(_word(t, x, 190, 0.9).polygon, 20), t, 0.9) for t, x in (("tilted", 200), ("text", 270))]
    line = Line.from_words(words)
    assert polygon_angles(line.polygon)[0] == pytest.approx(20, abs=0.5)  # p0->p1 is the top edge: clockwise from TL
    for word in words:
        for x, y in word.polygon:
            assert cv2.pointPolygonTest(line.polygon, (float(x), float(y)), True) >= -0.5
    upright_area = np.prod(np.ptp(line.polygon, axis=0))
    assert cv2.contourArea(line.polygon) < 0.6 * upright_area


def test_slightly_skewed_words_keep_the_upright_hull():
    words = [Word(_rotated(_word("slight", 200, 190, 0.9).polygon, 3), "slight", 0.9)]
    line = Line.from_words(words)
    np.testing.assert_array_equal(line.polygon, quad_from_box(*line.box))


def test_empty_line_is_rejected():
    with pytest.raises(ValueError, match="needs words"):
        Line.from_words([])


def test_page_and_document_text(doc):
    assert doc.pages[0].text == "Hello world\nagain\n\nNext"
    assert doc.text == "Hello world\nagain\n\nNext\fEnd"
    assert [w.text for w in doc.words] == ["Hello", "world", "again", "Next", "End"]
    assert [line.text for line in doc.pages[0].lines] == ["Hello world", "again", "Next"]


def test_items_at_each_level_and_aliases(doc):
    page = doc.pages[0]
    words = page.items("word")
    assert [(t, c) for _, t, c in words] == [("Hello", 0.75), ("world", 0.25), ("again", 0.5), ("Next", 1.0)]
    np.testing.assert_array_equal(words[1][0], quad_from_box(70, 10, 120, 30))
    lines = page.items("line")
    assert [t for _, t, _ in lines] == ["Hello world", "again", "Next"]
    assert lines[0][2] == pytest.approx(0.5)
    assert [t for _, t, _ in page.items("sentence")] == [t for _, t, _ in lines]
    paragraphs = page.items("paragraph")
    assert [t for _, t, _ in paragraphs] == ["Hello world\nagain", "Next"]
    np.testing.assert_array_equal(paragraphs[0][0], quad_from_box(10, 10, 120, 55))
    assert [t for _, t, _ in page.items("block")] == [t for _, t, _ in paragraphs]
    with pytest.raises(ValueError, match="known levels: char, word, line, sentence, paragraph, block"):
        page.items("character")


def test_dict_round_trip_is_exact(doc):
    d = doc.to_dict()
    assert d["schema"] == "ocdr.document" and d["version"] == 1
    back = Document.from_dict(json.loads(json.dumps(d)))
    assert back == doc
    assert back.to_dict() == d
    np.testing.assert_array_equal(back.pages[0].regions[1].polygon, doc.pages[0].regions[1].polygon)
    assert back.pages[0].params == {"thresh": 0.3, "box_thresh": 0.6, "unclip_ratio": 1.5}
    assert back.pages[0].regions[1].kept is False


def test_dict_rounds_polygons_and_scores():
    line = Line.from_words([Word([[0.04, 1.26], [10.0, 1.0], [10.0, 5.0], [0.0, 5.0]], "abc", 0.123456)])
    d = line.to_dict()
    assert d["words"][0]["polygon"][0] == [0.0, 1.3]
    assert d["confidence"] == 0.1235
    assert Line.from_dict(d).to_dict() == d


def test_equality_compares_polygons_by_value(doc):
    other = Document.from_dict(doc.to_dict())
    other.pages[0].blocks[0].lines[0].words[0].polygon[0, 0] += 1
    assert other != doc
    assert Word(quad_from_box(0, 0, 1, 1), "a", 1.0) == Word(quad_from_box(0, 0, 1, 1), "a", 1.0)


def test_from_dict_rejects_other_schemas(doc):
    d = doc.to_dict() | {"version": 99}
    with pytest.raises(InputError, match="version=99"):
        Document.from_dict(d)
    with pytest.raises(InputError, match="schema='list'"):
        Document.from_dict([d])  # type: ignore[arg-type]
    damaged = doc.to_dict()
    del damaged["pages"][0]["blocks"][0]["lines"][0]["words"][0]["polygon"]  # a field lost: no bare KeyError
    with pytest.raises(InputError, match="damaged .*KeyError"):
        Document.from_dict(damaged)


def test_to_json_is_the_json_export(doc):
    text = doc.to_json()
    assert text == doc.export("json")
    assert json.loads(text) == doc.to_dict()
    assert text.startswith('{\n  "schema": "ocdr.document"')


def test_the_documented_example_is_a_valid_result():
    doc_text = (Path(__file__).parents[1] / "docs" / "json-schema.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(.*?)```", doc_text, re.DOTALL).group(1))
    doc = Document.from_dict(example)
    assert doc.to_dict() == example
    assert doc.to_json() + "\n" in doc_text  # byte for byte what to_json writes
    assert doc.text == "Hello world\nGoodbye."
    assert json.loads(re.findall(r"```json\n(.*?)```", doc_text, re.DOTALL)[1]) == doc.to_paddlex()
