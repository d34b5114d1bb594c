"""Character boxes (``return_char_boxes``): each word's box cut where the recognizer read its characters, kept
through page turns and words joined from pieces, and written to JSON, hOCR, ALTO and PAGE."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from conftest import PAGE_LINES, loose, png_bytes

from ocdr.cli import main
from ocdr.document import Char, Document, Word
from ocdr.geometry import polygon_box, quad_from_box
from ocdr.layout.pieces import join_web_addresses
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import load_font

SCHEMAS = Path(__file__).parent / "data" / "schemas"


@pytest.fixture(scope="module")
def char_doc(ocr, text_page) -> Document:
    return ocr(text_page[0], return_char_boxes=True)


def glyph_centers(word: str, left: float) -> list[float]:
    """Where ``render_lines`` (DejaVu Sans, 34 px) put the middle of each glyph's ink of ``word`` drawn from
    ``left``, the word box's left edge."""
    font = load_font(str(find_fonts(["DejaVuSans.ttf"])[0].path), 34)
    origin = left - font.getbbox(word, anchor="ls")[0]
    centers = []
    for i, char in enumerate(word):
        x0, _, x1, _ = font.getbbox(char, anchor="ls")
        centers.append(origin + font.getlength(word[:i]) + (x0 + x1) / 2)
    return centers


def test_char_boxes_lie_on_their_glyphs(char_doc, text_page):
    """On a page of known text, the box of each character read holds the middle of that glyph's ink, and a word's
    boxes tile it left to right."""
    labels = {(label.text, round(float(label.polygon[0, 1]))): label for label in text_page[1]}
    inside = total = 0
    for word in char_doc.words:
        assert word.chars is not None and "".join(c.text for c in word.chars) == word.text
        x0, y0, x1, y1 = polygon_box(word.polygon)
        boxes = np.array([polygon_box(c.polygon) for c in word.chars])
        quads = np.array([c.polygon for c in word.chars])
        assert np.allclose(quads[0, [0, 3]], word.polygon[[0, 3]], atol=0.5)  # from the word's start...
        assert np.allclose(quads[-1, [1, 2]], word.polygon[[1, 2]], atol=0.5)  # ...to its end
        assert np.allclose(quads[1:, [0, 3]], quads[:-1, [1, 2]])  # each starting where the one before ends
        assert (boxes[:, 1] >= y0 - 0.5).all() and (boxes[:, 3] <= y1 + 0.5).all()
        label = next((lab for (text, top), lab in labels.items() if text == word.text and abs(top - y0) < 15), None)
        if label is None:  # a word read wrong: its characters have no known place
            continue
        for center, (bx0, _, bx1, _) in zip(glyph_centers(word.text, float(label.polygon[0, 0])), boxes, strict=True):
            inside += bx0 <= center <= bx1
            total += 1
    assert total >= 120
    assert inside / total >= 0.97, (inside, total)  # 148 of 150 at the time of writing


def test_char_boxes_change_nothing_else(ocr, text_page, char_doc):
    plain = ocr(text_page[0])
    assert plain.text == char_doc.text
    assert all(w.chars is None for w in plain.words)
    for a, b in zip(plain.words, char_doc.words, strict=True):
        assert np.array_equal(a.polygon, b.polygon) and a.text == b.text
    with pytest.raises(ValueError, match="return_char_boxes"):
        plain.pages[0].items("char")
    items = char_doc.pages[0].items("char")
    assert "".join(text for _, text, _ in items) == char_doc.text.replace(" ", "").replace("\n", "")
    assert all(0.0 < conf <= 1.0 for _, _, conf in items)


def test_char_boxes_come_back_to_a_turned_page(ocr, text_page):
    """A page scanned sideways is read upright; its char boxes come back in the input's pixels with its words', in
    reading order down the page."""
    turned = np.ascontiguousarray(np.rot90(text_page[0], -1))  # turned 90 degrees clockwise
    doc = ocr(turned, return_char_boxes=True, use_doc_orientation_classify=True)
    assert doc.pages[0].angle == 90
    words = [w for w in doc.words if len(w.text) >= 4]
    assert len(words) >= 15
    for word in words:
        x0, y0, x1, y1 = polygon_box(word.polygon)
        centers = np.array([np.mean(c.polygon, axis=0) for c in word.chars or ()])
        assert (centers[:, 0] >= x0).all() and (centers[:, 0] <= x1).all()
        assert (centers[:, 1] >= y0).all() and (centers[:, 1] <= y1).all()
        assert (np.diff(centers[:, 1]) > 0).all()  # read top to bottom on the turned page


def test_char_boxes_of_lines_turned_over(ocr, text_page):
    """Lines read turned over (an upside-down page, text-line orientation on) keep their characters in reading
    order: right to left in the input's pixels."""
    doc = ocr(np.ascontiguousarray(text_page[0][::-1, ::-1]), return_char_boxes=True, use_textline_orientation=True)
    assert loose(doc.pages[0].lines[0].text) == loose(PAGE_LINES[0])
    for word in doc.words:
        centers = [float(np.mean(c.polygon[:, 0])) for c in word.chars or ()]
        assert len(centers) == len(word.text) and (np.diff(centers) < 0).all()


def test_web_address_pieces_keep_their_char_boxes():
    """Pieces joined into one word keep their own boxes; where a dot is put in between, the word is cut evenly."""

    def word(x0: float, text: str) -> Word:
        quad = quad_from_box(x0, 10, x0 + 10 * len(text), 30)
        chars = [Char(quad_from_box(x0 + 10 * i, 10, x0 + 10 * i + 10, 30), c, 0.9) for i, c in enumerate(text)]
        return Word(quad, text, 0.9, chars)

    (kept,) = join_web_addresses([word(0, "www."), word(41, "example.com")])
    assert kept.text == "www.example.com"
    assert [polygon_box(c.polygon)[0] for c in kept.chars or ()] == [*range(0, 40, 10), *range(41, 151, 10)]
    (dotted,) = join_web_addresses([word(0, "WWW"), word(32, "lavender.com.my")])
    assert dotted.text == "www.lavender.com.my" and "".join(c.text for c in dotted.chars or ()) == dotted.text
    widths = [polygon_box(c.polygon)[2] - polygon_box(c.polygon)[0] for c in dotted.chars or ()]
    assert np.allclose(widths, 182 / 19, atol=1e-3)


def test_char_boxes_in_json_hocr_alto_and_page(char_doc):
    lxml_etree = pytest.importorskip("lxml.etree")
    data = char_doc.to_dict()
    first = data["pages"][0]["blocks"][0]["lines"][0]["words"][0]
    assert "".join(c["text"] for c in first["chars"]) == first["text"]
    assert Document.from_dict(json.loads(json.dumps(data))).to_dict() == data

    hocr = ET.fromstring(char_doc.export("hocr"))
    words = [e for e in hocr.iter() if e.get("class") == "ocrx_word"]
    assert ["".join(c.text for c in w) for w in words] == [w.text for w in char_doc.words]
    cinfo = [c.get("title") for w in words for c in w]
    assert all(re.fullmatch(r"x_bboxes \d+ \d+ \d+ \d+; x_conf \d+\.\d", t) for t in cinfo)

    for fmt, schema, tag in [("alto", "alto-4-3.xsd", "Glyph"), ("page", "pagecontent.xsd", "Glyph")]:
        xml = char_doc.export(fmt)
        xsd = lxml_etree.XMLSchema(lxml_etree.parse(str(SCHEMAS / schema)))
        assert xsd.validate(lxml_etree.fromstring(xml.encode("utf-8"))), xsd.error_log
        glyphs = [e for e in ET.fromstring(xml).iter() if e.tag.endswith("}" + tag)]
        assert len(glyphs) == sum(len(w.text) for w in char_doc.words)


def test_cli_writes_char_boxes(text_page, tmp_path, capsys):
    page = tmp_path / "page.png"
    page.write_bytes(png_bytes(text_page[0]))
    assert main(["read", str(page), "--format", "json", "--return-char-boxes", "--threads", "2"]) == 0
    words = [
        w for b in json.loads(capsys.readouterr().out)["pages"][0]["blocks"] for ln in b["lines"] for w in ln["words"]
    ]
    assert loose(" ".join(w["text"] for w in words)).split() == loose(" ".join(PAGE_LINES)).split()
    assert all("".join(c["text"] for c in w["chars"]) == w["text"] for w in words)
    assert main(["read", str(page), "--vis", str(tmp_path / "vis"), "--level", "char", "--threads", "2"]) == 0
    assert (tmp_path / "vis" / "page.png").stat().st_size > 0
