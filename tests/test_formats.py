"""The standard output formats on real OCR results: hOCR, ALTO (schema-validated), PAGE XML (schema-validated),
Markdown, TSV and the searchable PDF (text and word boxes read back with pypdfium2 and pdftotext)."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import shutil
import subprocess
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from conftest import PAGE_LINES, loose, pdf_bytes, png_bytes, render_lines
from PIL import Image

from ocdr.cli import FORMATS, main
from ocdr.document import Block, Char, Document, Line, Page, Word
from ocdr.geometry import quad_from_box
from ocdr.io.export import EXPORTERS, SUFFIXES
from ocdr.io.searchable_pdf import FONT_PROGRAM

lxml_etree = pytest.importorskip("lxml.etree")
pikepdf = pytest.importorskip("pikepdf")
pdfium = pytest.importorskip("pypdfium2")

SCHEMAS = Path(__file__).parent / "data" / "schemas"
PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
SECOND_PAGE = ["Invoice number 20931 dated 4 May", "Total amount due within thirty days"]


def validate(xml: str, schema: str) -> None:
    xsd = lxml_etree.XMLSchema(lxml_etree.parse(str(SCHEMAS / schema)))
    root = lxml_etree.fromstring(xml.encode("utf-8"))
    assert xsd.validate(root), xsd.error_log


@pytest.fixture(scope="module")
def page_doc(ocr, text_page) -> Document:
    image, _ = text_page
    doc = ocr(image)
    assert len(doc.words) >= 20
    return doc


@pytest.fixture(scope="module")
def two_page_pdf() -> bytes:
    return pdf_bytes([render_lines(PAGE_LINES)[0], render_lines(SECOND_PAGE)[0]], resolution=100.0)


@pytest.fixture(scope="module")
def two_page_doc(ocr, two_page_pdf) -> Document:
    return ocr(two_page_pdf, dpi=100)


def hand_doc() -> Document:
    def word(x0, y0, x1, y1, text, conf=0.9):
        return Word(quad_from_box(x0, y0, x1, y1), text, conf)

    title = Line.from_words([word(100, 20, 400, 80, "Results")])
    body = [
        Line.from_words([word(100, 100, 220, 130, "A"), word(240, 100, 380, 130, "hyphen-")]),
        Line.from_words([word(100, 140, 200, 170, "ated"), word(215, 140, 300, 170, "*x*")]),
        Line.from_words([word(100, 180, 200, 210, "# not"), word(215, 180, 300, 210, "a|b")]),
    ]
    page = Page(0, 800, 600, [Block.from_lines([title]), Block.from_lines(body)], source="hand.png")
    return Document([page], source="hand.png")


def test_every_format_is_offered_everywhere():
    assert sorted(FORMATS) == sorted(EXPORTERS)
    assert set(SUFFIXES) == set(EXPORTERS)


# ---- hOCR ---------------------------------------------------------------------------------------------------------


def test_hocr_nests_pages_areas_paragraphs_lines_words(two_page_doc):
    html = two_page_doc.export("hocr")
    assert html.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html')
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    root = ET.fromstring(html)
    assert root.find("h:head/h:meta[@name='ocr-system']", ns).get("content").startswith("ocdr ")
    pages = root.findall("h:body/h:div[@class='ocr_page']", ns)
    assert len(pages) == 2
    for page, result in zip(pages, two_page_doc.pages, strict=True):
        assert f"bbox 0 0 {result.width} {result.height}" in page.get("title")
        assert f"ppageno {result.index}" in page.get("title")
        words = page.findall("h:div[@class='ocr_carea']/h:p[@class='ocr_par']/h:span[@class='ocr_line']/h:span", ns)
        assert [w.text for w in words] == [w.text for w in result.words]
        assert all(w.get("class") == "ocrx_word" for w in words)
        for element, word in zip(words, result.words, strict=True):
            title = element.get("title")
            x0, y0, x1, y1, conf = map(
                int, re.fullmatch(r"bbox (\d+) (\d+) (\d+) (\d+); x_wconf (\d+)", title).groups()
            )
            assert 0 <= x0 < x1 <= result.width and 0 <= y0 < y1 <= result.height
            assert abs(conf - 100 * word.confidence) <= 0.5
        for line in page.iter("{http://www.w3.org/1999/xhtml}span"):
            if line.get("class") == "ocr_line":
                assert re.match(r"bbox \d+ \d+ \d+ \d+; baseline -?\d+\.\d+ -?\d+; x_size \d+", line.get("title"))
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def _turned_lines_doc() -> Document:
    """Three one-word blocks: a line read down the page (a page read turned a quarter), one upside down, one level."""
    down = np.array([[130, 20], [130, 420], [100, 420], [100, 20]], dtype=np.float64)  # read top to bottom
    over = np.array([[600, 330], [200, 330], [200, 300], [600, 300]], dtype=np.float64)  # read right to left
    level = quad_from_box(200, 100, 600, 130)
    lines = [Line([Word(p, t, 0.9)], p, 0.9) for p, t in ((down, "down"), (over, "over"), (level, "level"))]
    return Document([Page(0, 800, 600, [Block.from_lines([line]) for line in lines])])


def test_hocr_lines_turned_a_quarter_or_over_keep_their_print_height_and_no_baseline():
    """x_size is the print's height across a turned line, not the box's height on the page, and no baseline in the
    page's frame is claimed (as Tesseract writes turned lines); a level line keeps its baseline."""
    root = ET.fromstring(_turned_lines_doc().export("hocr"))
    titles = [e.get("title") for e in root.iter("{http://www.w3.org/1999/xhtml}span") if e.get("class") == "ocr_line"]
    assert titles == [
        "bbox 100 20 130 420; x_size 30; textangle 270.0",
        "bbox 200 300 600 330; x_size 30; textangle 180.0",
        "bbox 200 100 600 130; baseline 0.000 -6; x_size 30",
    ]


def test_alto_and_page_say_which_blocks_are_turned():
    """ALTO's block ROTATION (counter-clockwise degrees) and PAGE's region orientation (the clockwise turn that
    sets it level), still valid against the schemas; a level block says nothing."""
    doc = _turned_lines_doc()
    alto, page = doc.export("alto"), doc.export("page")
    validate(alto, "alto-4-3.xsd")
    validate(page, "pagecontent.xsd")
    blocks = [e for e in ET.fromstring(alto).iter() if e.tag.endswith("TextBlock")]
    assert [b.get("ROTATION") for b in blocks] == ["270.0", "180.0", None]
    regions = [e for e in ET.fromstring(page).iter() if e.tag.endswith("TextRegion")]
    assert [r.get("orientation") for r in regions] == ["-90.0", "180.0", None]


# ---- ALTO and PAGE: the published schemas -------------------------------------------------------------------------


def test_alto_validates_and_holds_every_word(two_page_doc):
    xml = two_page_doc.export("alto")
    validate(xml, "alto-4-3.xsd")
    ns = {"a": "http://www.loc.gov/standards/alto/ns-v4#"}
    root = ET.fromstring(xml)
    assert root.find("a:Description/a:MeasurementUnit", ns).text == "pixel"
    pages = root.findall("a:Layout/a:Page", ns)
    assert [int(p.get("PHYSICAL_IMG_NR")) for p in pages] == [1, 2]
    for page, result in zip(pages, two_page_doc.pages, strict=True):
        strings = page.findall(".//a:String", ns)
        assert [s.get("CONTENT") for s in strings] == [w.text for w in result.words]
        assert all(0 <= float(s.get("WC")) <= 1 for s in strings)
        lines = page.findall(".//a:TextLine", ns)
        assert len(lines) == len(result.lines)
        # words on a line are separated by SP elements
        assert sum(len(line.findall("a:SP", ns)) for line in lines) == len(strings) - len(lines)


def test_page_xml_validates_with_reading_order_and_text(page_doc):
    xml = page_doc.export("page")
    validate(xml, "pagecontent.xsd")
    ns = {"p": "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"}
    root = ET.fromstring(xml)
    page = root.find("p:Page", ns)
    assert (int(page.get("imageWidth")), int(page.get("imageHeight"))) == (
        page_doc.pages[0].width,
        page_doc.pages[0].height,
    )
    regions = page.findall("p:TextRegion", ns)
    order = [r.get("regionRef") for r in page.findall("p:ReadingOrder/p:OrderedGroup/p:RegionRefIndexed", ns)]
    assert order == [r.get("id") for r in regions]
    words = [w.find("p:TextEquiv/p:Unicode", ns).text for w in page.iter(f"{{{ns['p']}}}Word")]
    assert words == [w.text for w in page_doc.words]
    line_texts = [ln.find("p:TextEquiv/p:Unicode", ns).text for ln in page.iter(f"{{{ns['p']}}}TextLine")]
    assert line_texts == [ln.text for ln in page_doc.pages[0].lines]


def test_page_xml_is_one_page_per_file(two_page_doc):
    with pytest.raises(ValueError, match="one page"):
        two_page_doc.export("page")
    second = two_page_doc.export("page", page=1)
    validate(second, "pagecontent.xsd")
    assert "thirty" in second.lower() or "Total" in second


def test_schemas_reject_a_broken_file(page_doc):
    """The validation is real: a String without its required CONTENT fails."""
    xml = page_doc.export("alto").replace("CONTENT=", "XCONTENT=", 1)
    with pytest.raises(AssertionError):
        validate(xml, "alto-4-3.xsd")


# ---- Markdown and TSV ---------------------------------------------------------------------------------------------


def test_markdown_paragraphs_headings_hyphens_and_escapes():
    md = hand_doc().export("markdown")
    assert md == "## Results\n\nA hyphenated \\*x\\* # not a\\|b\n"  # "#" starts a heading only at the start


def test_markdown_tables_from_rows_of_cells():
    """Rows of cells that follow each other make a table (the first row its header, a missing cell left empty, a
    '|' escaped); a lone row is a line; the tree's cells stay blocks."""
    from ocdr.layout.grouping import group_words

    def cell(text: str, x: float, y: float) -> Word:
        return Word(quad_from_box(x, y, x + 12 * len(text), y + 20), text, 0.9)

    words = [cell("Receipt", 20, 10)]
    for y, row in ((60, ("Item", "Qty", "Total")), (86, ("Coffee", "1", "3.50")), (112, ("Tea|x", None, "2.00"))):
        words += [cell(text, x, y) for text, x in zip(row, (20, 240, 440), strict=True) if text]
    words += [cell("Thank", 20, 170), cell("you", 92, 170), cell("Paid:", 20, 230), cell("card", 300, 230)]
    page = Page(0, 600, 300, group_words(words))
    assert len(page.blocks) == 12
    assert Document([page]).export("markdown") == (
        "Receipt\n\n| Item | Qty | Total |\n|---|---|---|\n| Coffee | 1 | 3.50 |\n| Tea\\|x |  | 2.00 |\n\n"
        "Thank you\n\nPaid: card\n"
    )


def test_markdown_tables_apart_when_far_apart_and_their_columns_differ():
    """A letterhead's name and "INVOICE" over an invoice's items: stop 74's code wrote them as one table, "INVOICE"
    joining the items' "Rate" and "Amount" columns. Rows far apart whose cells fall in other columns are two tables;
    a calendar's rows, as far apart but in its columns, stay one."""
    from ocdr.layout.grouping import group_words

    def cell(text: str, x: float, y: float) -> Word:
        return Word(quad_from_box(x, y, x + 12 * len(text), y + 20), text, 0.9)

    words = [cell("Acme", 20, 10), cell("INVOICE", 440, 10), cell("Bristol", 20, 36), cell("No.", 440, 36)]
    for y, row in ((120, ("Item", "Hours", "Rate", "Amount")), (146, ("Workshop", "6", "120.00", "720.00"))):
        words += [cell(text, x, y) for text, x in zip(row, (20, 240, 400, 520), strict=True)]
    md = Document([Page(0, 700, 300, group_words(words))]).export("markdown")
    assert md.startswith("| Acme | INVOICE |\n|---|---|\n| Bristol | No. |\n\n| Item | Hours | Rate | Amount |")
    days = [cell(str(d), 20 + 60 * (d % 3), 20 + 90 * (d // 3)) for d in range(9)]
    md = Document([Page(0, 700, 300, group_words(days))]).export("markdown")
    assert md == "| 0 | 1 | 2 |\n|---|---|---|\n| 3 | 4 | 5 |\n| 6 | 7 | 8 |\n"


def test_markdown_group_headers_go_in_the_first_column_they_span():
    """A financial table's years set over the "Sales" and "Costs" under each: stop 74's code gave each year a column
    of its own, empty below it (7 columns for 5)."""
    from ocdr.layout.grouping import group_words

    def cell(text: str, x: float, y: float) -> Word:
        return Word(quad_from_box(x, y, x + 12 * len(text), y + 20), text, 0.9)

    words = [cell("2025", 330, 10), cell("2026", 650, 10)]
    rows = (("Region", "Sales", "Costs", "Sales", "Costs"), ("North", "1,204", "880", "1,310", "902"))
    rows += (("South", "954", "701", "1,002", "745"),)
    for y, row in zip((50, 80, 110), rows, strict=True):
        words += [cell(text, x, y) for text, x in zip(row, (20, 260, 400, 580, 720), strict=True)]
    md = Document([Page(0, 900, 200, group_words(words))]).export("markdown")
    assert md.splitlines()[:3] == [
        "|  | 2025 |  | 2026 |  |",
        "|---|---|---|---|---|",
        "| Region | Sales | Costs | Sales | Costs |",
    ]


def test_markdown_separates_pages(two_page_doc):
    md = two_page_doc.export("markdown")
    assert md.count("\n\n---\n\n") == 1
    first, second = md.split("\n\n---\n\n")
    assert "Quarterly" in first and ("Invoice" in second or "Total" in second)


def test_tsv_rows_like_tesseract(two_page_doc):
    rows = list(csv.DictReader(io.StringIO(two_page_doc.export("tsv")), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert list(rows[0]) == [
        "level", "page_num", "block_num", "par_num", "line_num", "word_num", "left", "top", "width", "height", "conf",
        "text",
    ]  # fmt: skip
    by_level = {level: [r for r in rows if r["level"] == str(level)] for level in range(1, 6)}
    assert len(by_level[1]) == 2
    assert len(by_level[4]) == sum(len(p.lines) for p in two_page_doc.pages)
    assert [r["text"] for r in by_level[5]] == [w.text for w in two_page_doc.words]
    assert all(r["conf"] == "-1" for level in (1, 2, 3, 4) for r in by_level[level])
    assert all(0 <= float(r["conf"]) <= 100 for r in by_level[5])
    page_one = by_level[1][0]
    assert (int(page_one["width"]), int(page_one["height"])) == (
        two_page_doc.pages[0].width,
        two_page_doc.pages[0].height,
    )


# ---- searchable PDF -----------------------------------------------------------------------------------------------


def box_iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def pdftotext_words(pdf: bytes, tmp_path: Path) -> list[list[tuple[str, tuple[float, ...]]]]:
    """Per page, (word, box in points from the crop box's top-left) as pdftotext -bbox reads the text layer."""
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        [PDFTOTEXT, "-bbox", "-cropbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    pages = re.findall(r"<page [^>]*>(.*?)</page>", html, re.S)
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
    unescape = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}

    def text(t: str) -> str:
        for k, v in unescape.items():
            t = t.replace(k, v)
        return t

    return [[(text(m[4]), tuple(map(float, m[:4]))) for m in word.findall(page)] for page in pages]


def pdfium_text(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def assert_layer_matches(
    doc: Document, pdf: bytes, tmp_path: Path, points_per_pixel: list[float | tuple[float, float]]
) -> None:
    """Text read back = ocdr's words in order; every word's box overlaps ocdr's (IoU >= 0.7). Points per pixel
    are one figure per page, or (across, down) for pixels that are not square."""
    for text, page in zip(pdfium_text(pdf), doc.pages, strict=True):
        assert text.split() == " ".join(w.text for w in page.words).split()
    if PDFTOTEXT is None:
        return
    for words, page, scale in zip(pdftotext_words(pdf, tmp_path), doc.pages, points_per_pixel, strict=True):
        assert [w for w, _ in words] == [w.text for w in page.words]
        pairs = zip(words, page.words, strict=True)
        across, down = scale if isinstance(scale, tuple) else (scale, scale)
        factors = np.array([across, down, across, down])
        ious = [box_iou(box, tuple(np.array(word.box) * factors)) for (_, box), word in pairs]
        assert min(ious) >= 0.7, ious


def glyph_offsets(pdf: bytes, doc: Document) -> np.ndarray:
    """Where each glyph of the first page's text layer starts (pdfium's loose box: the glyph's origin) from where its
    word's first glyph does, in points across, the page's words and characters in order."""
    textpage = pdfium.PdfDocument(pdf)[0].get_textpage()
    chars = range(textpage.count_chars())
    lefts = iter([textpage.get_charbox(i, loose=True)[0] for i in chars if not textpage.get_text_range(i, 1).isspace()])
    offsets = []
    for word in doc.pages[0].words:
        starts = [next(lefts) for _ in word.text]
        offsets += [x - starts[0] for x in starts]
    assert next(lefts, None) is None
    return np.asarray(offsets)


def char_box_offsets(doc: Document, scale: float) -> np.ndarray:
    """Where each char box starts from where its word's first one does, in pixels across times ``scale``."""
    starts = [[float(c.polygon[[0, 3], 0].mean()) for c in w.chars or ()] for w in doc.pages[0].words]
    assert all(len(s) == len(w.text) for s, w in zip(starts, doc.pages[0].words, strict=True))
    return np.asarray([(x - s[0]) * scale for s in starts for x in s])


def test_pdf_puts_each_glyph_over_its_char_box(ocr, text_page, tmp_path):
    """A page read with char boxes: each glyph starts where its character's box does (but inside a run of the same
    character, which the layer spaces evenly), and the text and word boxes read back as ever. Without char boxes, a
    word's glyphs are equally wide: they start elsewhere."""
    image, _ = text_page
    doc = ocr(image, return_char_boxes=True)
    doc.pages[0].dpi = 72.0  # a point a pixel
    pdf = doc.export("pdf", source=image)
    assert_layer_matches(doc, pdf, tmp_path, [1.0])
    truth = char_box_offsets(doc, 1.0)
    placed = np.abs(glyph_offsets(pdf, doc) - truth)
    text = "".join(w.text for w in doc.words)
    run_starts = np.array([k == 0 or text[k] != text[k - 1] for k in range(len(text))])
    assert placed[run_starts].max() < 0.1 and run_starts.mean() > 0.9
    for word in doc.words:
        word.chars = None
    even = np.abs(glyph_offsets(doc.export("pdf", source=image), doc) - truth)
    assert np.median(even) > 1 and placed.mean() < even.mean() / 3


@pytest.mark.parametrize("quarters", [1, 2, 3])
def test_pdf_glyphs_over_char_boxes_on_a_page_turned_sideways(ocr, text_page, quarters, tmp_path):
    """Glyphs over char boxes in lines that run down or up the page (or upside down): pdfium (which drops a one-glyph
    text object that repeats the one before it nearby, as "55" in "$4,310.55" would be) and pdftotext read every word
    whole and in order; the page is shown upright (``/Rotate``), as the page stage read it."""
    image = np.ascontiguousarray(np.rot90(text_page[0], quarters))
    doc = ocr(image, return_char_boxes=True, use_doc_orientation_classify=True)
    assert "$4,310.55" in doc.text
    pdf = doc.export("pdf", source=image)
    words = " ".join(w.text for w in doc.words).split()
    assert pdfium_text(pdf)[0].split() == words  # upside down it read back backwards, before the page's turn
    with pikepdf.open(io.BytesIO(pdf)) as shown:  # shown upright, as read (numpy turns counter-clockwise)
        assert doc.pages[0].angle == 360 - 90 * quarters and shown.pages[0].Rotate == 90 * quarters
    if PDFTOTEXT is not None:
        path = tmp_path / "out.pdf"
        path.write_bytes(pdf)
        raw = subprocess.run([PDFTOTEXT, "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout
        assert raw.split() == words


@pytest.mark.parametrize("char_boxes", [False, True])
def test_pdf_keeps_one_glyph_words_of_any_script(char_boxes, tmp_path):
    """Words of one character outside pdfium's stand-in font (Cyrillic "в", Greek, check boxes, arrows) read back
    from the text layer: pdfium left out a text object of one glyph its font could not draw, and a word read with
    char boxes is an object per glyph."""
    texts = ["в", "дом", "и", "Ελλάδα", "☑", "Ω", "→", "x", "é", "aa"]
    words, x = [], 10
    for text in texts:
        width = 30 * len(text)
        chars = [Char(quad_from_box(x + 30 * k, 20, x + 30 * (k + 1), 60), c, 0.9) for k, c in enumerate(text)]
        words.append(Word(quad_from_box(x, 20, x + width, 60), text, 0.9, chars if char_boxes else None))
        x += width + 20
    doc = Document([Page(0, x, 100, [Block.from_lines([Line.from_words(words)])], dpi=72.0)])
    pdf = doc.export("pdf", source=np.full((100, x, 3), 255, np.uint8))
    assert_layer_matches(doc, pdf, tmp_path, [1.0])
    assert pdfium_text(pdf)[0].split() == texts


def test_pdf_font_is_the_one_its_script_builds(tmp_path):
    """The text layer's embedded font is what scripts/make_glyphless_font.py writes, byte for byte."""
    pytest.importorskip("fontTools")
    script = Path(__file__).resolve().parents[1] / "scripts" / "make_glyphless_font.py"
    spec = importlib.util.spec_from_file_location("make_glyphless_font", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path / "font.ttf")
    assert (tmp_path / "font.ttf").read_bytes() == FONT_PROGRAM.read_bytes()


def test_pdf_from_an_image_is_pdfa_with_the_text_in_place(ocr, text_page, tmp_path):
    image, _ = text_page
    doc = ocr(Image.fromarray(image))
    doc.pages[0].dpi = 150.0
    pdf = doc.export("pdf", source=image)
    assert pdf.startswith(b"%PDF-")
    assert_layer_matches(doc, pdf, tmp_path, [72 / 150])
    with pikepdf.open(io.BytesIO(pdf)) as out:
        page = out.pages[0]
        assert [float(v) for v in page.mediabox] == pytest.approx(
            [0, 0, image.shape[1] * 72 / 150, image.shape[0] * 72 / 150]
        )
        (image_obj,) = page.get_images().values()
        assert (image_obj.Width, image_obj.Height) == (image.shape[1], image.shape[0])
        assert image_obj.ColorSpace == "/DeviceGray"  # a black-on-white page is stored in gray, losslessly
        assert np.array_equal(np.asarray(pikepdf.PdfImage(image_obj).as_pil_image()), image[..., 0])
        with out.open_metadata() as meta:
            assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        assert out.Root.OutputIntents[0].S == "/GTS_PDFA1"
        assert "/ID" in out.trailer


def test_a_fax_keeps_its_proportions_in_pdf_and_hocr(ocr, text_page, tmp_path):
    """A fax's pixels are twice as tall as wide (200 x 100 DPI): its searchable PDF page has the sheet's shape,
    the text over the words, and its hOCR page gives both resolutions."""
    image, _ = text_page
    height, width = image.shape[:2]
    fax = np.asarray(Image.fromarray(image[..., 0]).resize((width, height // 2), Image.Resampling.BOX)) > 128
    path = tmp_path / "fax.tif"
    Image.fromarray(fax).save(path, compression="group4", dpi=(200, 100))
    doc = ocr(path)
    assert doc.pages[0].pixel_aspect == 2.0 and loose(doc.pages[0].lines[0].text) == loose(PAGE_LINES[0])
    pdf = doc.export("pdf")
    with pikepdf.open(io.BytesIO(pdf)) as out:
        assert [float(v) for v in out.pages[0].mediabox] == pytest.approx(
            [0, 0, width * 72 / 200, height // 2 * 72 / 100]
        )
    assert_layer_matches(doc, pdf, tmp_path, [(72 / 200, 72 / 100)])
    assert "scan_res 200 100" in doc.export("hocr")
    assert Document.from_dict(json.loads(doc.to_json())).pages[0].pixel_aspect == 2.0


def test_pdf_keeps_a_jpeg_as_it_is(ocr, text_page, tmp_path):
    image, _ = text_page
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=90, dpi=(200, 200))
    path = tmp_path / "scan.jpg"
    path.write_bytes(buffer.getvalue())
    doc = ocr(path)
    assert doc.pages[0].dpi == 200
    pdf = doc.export("pdf")  # the source is found from doc.source
    with pikepdf.open(io.BytesIO(pdf)) as out:
        (image_obj,) = out.pages[0].get_images().values()
        assert image_obj.Filter == "/DCTDecode"
        assert image_obj.read_raw_bytes() == path.read_bytes()
    assert_layer_matches(doc, pdf, tmp_path, [72 / 200])


def test_pdf_from_a_pdf_keeps_its_pages_and_adds_text(ocr, two_page_pdf, two_page_doc, tmp_path):
    pdf = two_page_doc.export("pdf", source=two_page_pdf)
    assert_layer_matches(two_page_doc, pdf, tmp_path, [72 / 100, 72 / 100])
    with pikepdf.open(io.BytesIO(two_page_pdf)) as original, pikepdf.open(io.BytesIO(pdf)) as out:
        assert len(out.pages) == 2
        for before, after in zip(original.pages, out.pages, strict=True):
            assert list(after.mediabox) == list(before.mediabox)
            (a,) = before.get_images().values()
            (b,) = after.get_images().values()
            assert a.read_raw_bytes() == b.read_raw_bytes()  # the page image untouched, not re-rasterised
        assert "pdfaid:part" not in str(out.open_metadata())  # no PDF/A claim for someone else's pages


@needs_pdftotext
def test_an_encrypted_pdf_is_read_with_its_password(ocr, two_page_pdf, two_page_doc, tmp_path, capsys, monkeypatch):
    """A PDF that needs a password to open (user password "s3cret") is refused with a clear error without it or
    with a wrong one, and read as the plain file is with it: through the API, ``ocdr read --password`` (or the
    OCDR_PDF_PASSWORD variable, which no process list shows), a batch job's worker processes, and into a
    searchable PDF, which is written unencrypted."""
    from ocdr.errors import InputError

    locked = tmp_path / "locked.pdf"
    with pikepdf.open(io.BytesIO(two_page_pdf)) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="owner", user="s3cret"))
    with pytest.raises(InputError, match="locked.pdf cannot be opened .* encrypted without its password given"):
        ocr(locked)
    with pytest.raises(InputError, match="the password given is wrong"):
        ocr(locked, password="guess")
    for password in ("s3cret", "owner"):
        assert ocr(locked, password=password, dpi=100).text == two_page_doc.text
    with pytest.raises(InputError, match=r"source PDF cannot be opened \(encrypted without its password given\)"):
        two_page_doc.export("pdf", source=locked)  # the searchable PDF's writer opens the source too
    assert main(["read", str(locked), "--dpi", "100", "--password", "guess"]) == 1
    assert "the password given is wrong" in capsys.readouterr().err
    monkeypatch.setenv("OCDR_PDF_PASSWORD", "s3cret")
    out = tmp_path / "out.pdf"
    assert main(["read", str(locked), "--dpi", "100", "--format", "pdf", "-o", str(out)]) == 0
    with pikepdf.open(out) as pdf:
        assert not pdf.is_encrypted and len(pdf.pages) == 2
    assert loose(" ".join(w for page in pdftotext_words(out.read_bytes(), tmp_path) for w, _ in page)) == loose(
        " ".join(w.text for w in two_page_doc.words)
    )
    plain = tmp_path / "plain.pdf"  # the variable set for a batch of PDFs, some of them not encrypted: no warning
    plain.write_bytes(two_page_pdf)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        two_page_doc.export("pdf", source=plain, password="s3cret")
    monkeypatch.delenv("OCDR_PDF_PASSWORD")
    batch = tmp_path / "batch"
    args = ["read", str(locked), "--dpi", "100", "-o", f"{batch}/", "--workers", "2", "--format", "text", "-q"]
    assert main([*args, "--password", "s3cret"]) == 0
    assert (batch / "locked.txt").read_text(encoding="utf-8").strip() == two_page_doc.text.strip()


def test_pdf_rasterize_replaces_pdf_pages_by_their_images(two_page_pdf, two_page_doc, tmp_path):
    pdf = two_page_doc.export("pdf", source=two_page_pdf, rasterize=True)
    with pikepdf.open(io.BytesIO(pdf)) as out:
        assert len(out.pages) == 2
        for page, result in zip(out.pages, two_page_doc.pages, strict=True):
            (image_obj,) = page.get_images().values()
            assert (image_obj.Width, image_obj.Height) == (result.width, result.height)
    assert_layer_matches(two_page_doc, pdf, tmp_path, [72 / 100, 72 / 100])


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_pdf_text_follows_rotated_and_cropped_pages(ocr, text_page, rotate, tmp_path):
    """A page shown turned (/Rotate) and cropped (/CropBox): the words land where the rendered page showed them."""
    image, _ = text_page
    with pikepdf.open(io.BytesIO(pdf_bytes([image], resolution=100.0))) as src:
        page = src.pages[0]
        x1, y1 = float(page.mediabox[2]), float(page.mediabox[3])
        # turn the drawn image so that the page, displayed with /Rotate, shows the text upright
        quarter = {90: "0 1 -1 0 {w} 0", 180: "-1 0 0 -1 {w} {h}", 270: "0 -1 1 0 0 {h}"}[rotate]
        w, h = (y1, x1) if rotate in (90, 270) else (x1, y1)
        page.contents_add(pikepdf.Stream(src, f"q {quarter.format(w=w, h=h)} cm\n".encode()), prepend=True)
        page.contents_add(pikepdf.Stream(src, b"\nQ\n"))
        page.mediabox = [0, 0, w, h]
        page.cropbox = [5, 5, w - 5, h - 5]
        page.Rotate = rotate
        buffer = io.BytesIO()
        src.save(buffer)
    turned = buffer.getvalue()
    doc = ocr(turned, dpi=100, return_char_boxes=True)  # each glyph over its character, as the CLI writes it
    assert "Quarterly" in doc.text  # displayed upright
    pdf = doc.export("pdf", source=turned)
    for text, page in zip(pdfium_text(pdf), doc.pages, strict=True):
        assert text.split() == page.text.split()
    if PDFTOTEXT is not None:  # pdftotext reports boxes in the displayed page
        (words,) = pdftotext_words(pdf, tmp_path)
        ious = [box_iou(box, tuple(v * 72 / 100 for v in w.box)) for (_, box), w in zip(words, doc.words, strict=True)]
        assert min(ious) >= 0.7, ious


def test_pdf_needs_the_source_or_says_so(page_doc):
    with pytest.raises(ValueError, match="source="):
        page_doc.export("pdf")
    text_only = page_doc.export("pdf", text_only=True, pdfa=False)
    with pikepdf.open(io.BytesIO(text_only)) as out:
        assert not out.pages[0].get_images()


def test_pdf_refuses_a_source_that_does_not_match(page_doc):
    from ocdr.errors import InputError

    with pytest.raises(InputError, match="pixels"):
        page_doc.export("pdf", source=np.zeros((50, 60, 3), np.uint8))


def test_pdf_of_a_multi_page_tiff(ocr, tmp_path):
    frames = [Image.fromarray(render_lines(lines)[0]) for lines in (PAGE_LINES, SECOND_PAGE)]
    path = tmp_path / "scan.tiff"
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(150, 150))
    doc = ocr(path)
    pdf = doc.export("pdf")
    assert len(pdfium_text(pdf)) == 2
    assert_layer_matches(doc, pdf, tmp_path, [72 / 150, 72 / 150])


# ---- the CLI ------------------------------------------------------------------------------------------------------


def test_cli_writes_each_format(ocr, text_page, tmp_path, capsys):
    image, _ = text_page
    path = tmp_path / "page.png"
    path.write_bytes(png_bytes(image))
    assert main(["read", str(path), "--format", "hocr", "--threads", "2"]) == 0
    assert 'class="ocrx_word"' in capsys.readouterr().out
    out = tmp_path / "page.pdf"
    assert main(["read", str(path), "--format", "pdf", "-o", str(out), "--threads", "2"]) == 0
    assert "Quarterly" in pdfium_text(out.read_bytes())[0]
    read = ocr(image, return_char_boxes=True)  # the CLI reads with char boxes for a PDF: glyphs over them
    assert np.median(np.abs(glyph_offsets(out.read_bytes(), read) - char_box_offsets(read, 72 / 300))) < 0.05
    assert main(["read", str(path), "--format", "alto", "-o", str(tmp_path / "page.alto.xml"), "--threads", "2"]) == 0
    validate((tmp_path / "page.alto.xml").read_text(), "alto-4-3.xsd")


def test_cli_writes_page_xml_page_by_page(two_page_pdf, tmp_path, capsys):
    path = tmp_path / "two.pdf"
    path.write_bytes(two_page_pdf)
    assert main(["read", str(path), "--format", "page", "--dpi", "100", "--threads", "2"]) == 2
    assert "one file per page" in capsys.readouterr().err
    out = tmp_path / "out" / "two.page.xml"
    assert main(["read", str(path), "--format", "page", "--dpi", "100", "-o", str(out), "--threads", "2"]) == 0
    written = sorted(p.name for p in out.parent.iterdir())
    assert written == ["two_p1.page.xml", "two_p2.page.xml"]
    for name in written:
        validate((out.parent / name).read_text(), "pagecontent.xsd")
