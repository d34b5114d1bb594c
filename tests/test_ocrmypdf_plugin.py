"""The OCRmyPDF plugin (ocdr/ocrmypdf_plugin.py): OCRmyPDF runs with ocdr as its OCR engine, on a rendered "scan".

The end-to-end runs use --output-type pdf and --optimize 0 with an empty PATH: they must need neither the tesseract
nor the ghostscript program.
"""

from __future__ import annotations

import io
import re
import sys
import xml.etree.ElementTree as ET

import cv2
import numpy as np
import pytest
from conftest import PAGE_LINES, pdf_bytes, render_lines
from PIL import Image

ocrmypdf = pytest.importorskip("ocrmypdf")
pikepdf = pytest.importorskip("pikepdf")
pdfium = pytest.importorskip("pypdfium2")

from ocrmypdf.exceptions import BadArgsError, MissingDependencyError  # noqa: E402

from ocdr.ocrmypdf_plugin import OCRMYPDF_17, OcdrEngine, image_dpi  # noqa: E402

PLUGIN = "ocdr.ocrmypdf_plugin"
RESOLUTION = 150  # DPI of the scanned page image
HOCR_NS = {"h": "http://www.w3.org/1999/xhtml"}


def words_of(text: str) -> list[str]:
    """Words compared ignoring case and punctuation."""
    return re.findall(r"[a-z0-9]+", text.lower())


def found_share(expected: list[str], text: str) -> float:
    got = set(words_of(text))
    return sum(word in got for word in expected) / len(expected)


EXPECTED = words_of(" ".join(PAGE_LINES))


@pytest.fixture(autouse=True)
def keep_std_streams():
    """ocrmypdf.ocr() (17.13) leaves sys.stderr replaced by a StringIO (its "Checking output" progress bar, with or
    without this plugin): put the streams back so that later tests' output is not lost under ``pytest -s``."""
    saved = sys.stdout, sys.stderr
    yield
    sys.stdout, sys.stderr = saved


@pytest.fixture(scope="module")
def page_image():
    image, labels = render_lines(PAGE_LINES)
    return image, labels


@pytest.fixture(scope="module")
def scan_pdf(page_image, tmp_path_factory):
    path = tmp_path_factory.mktemp("scan") / "scan.pdf"
    path.write_bytes(pdf_bytes([page_image[0]], resolution=RESOLUTION))
    return path


@pytest.fixture
def no_programs(tmp_path, monkeypatch):
    """An empty PATH: no tesseract, no gs."""
    if not OCRMYPDF_17:
        pytest.skip("OCRmyPDF 16 keeps the Tesseract plugin and rasterizes with Ghostscript: it needs both programs")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def png_file(path, image: np.ndarray, dpi=(RESOLUTION, RESOLUTION)):
    Image.fromarray(image).save(path, dpi=dpi)
    return path


def page_images(pdf: pikepdf.Pdf, index: int) -> list[pikepdf.Object]:
    """The image XObjects drawn on a page, also inside form XObjects (OCRmyPDF wraps the original content)."""
    found, seen = [], set()

    def walk(resources):
        for obj in (resources.get("/XObject") or {}).values():
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
            if obj.get("/Subtype") == "/Image":
                found.append(obj)
            elif obj.get("/Subtype") == "/Form" and "/Resources" in obj:
                walk(obj.Resources)

    walk(pdf.pages[index].obj.get("/Resources") or {})
    return found


@pytest.mark.parametrize("renderer", ["auto", "sandwich"])  # generate_hocr + OCRmyPDF's renderer; generate_pdf
def test_ocrmypdf_reads_the_scan(scan_pdf, page_image, tmp_path, no_programs, renderer):
    out, sidecar = tmp_path / "out.pdf", tmp_path / "out.txt"
    code = ocrmypdf.ocr(
        scan_pdf,
        out,
        plugins=[PLUGIN],
        output_type="pdf",
        optimize=0,
        pdf_renderer=renderer,
        sidecar=sidecar,
        jobs=1,
        progress_bar=False,
    )
    assert code == ocrmypdf.ExitCode.ok

    doc = pdfium.PdfDocument(out)
    source = pdfium.PdfDocument(scan_pdf)
    assert len(doc) == len(source) == 1
    assert doc[0].get_size() == pytest.approx(source[0].get_size(), abs=0.01)
    textpage = doc[0].get_textpage()
    text = textpage.get_text_range()
    assert found_share(EXPECTED, text) >= 0.8, text
    assert found_share(EXPECTED, sidecar.read_text(encoding="utf-8")) >= 0.8

    # the words sit on the image where they were drawn: each found word's text box is centred in its drawn box.
    # OCRmyPDF's own renderer (auto) sets the glyphs on the hOCR baseline, ocdr's estimate (a fifth of the line
    # height above the box's bottom): allow 25% of the box height up or down there.
    slack = 0.0 if renderer == "sandwich" else 0.25
    _, labels = page_image
    height_pt = source[0].get_size()[1]
    scale = 72.0 / RESOLUTION
    placed = checked = 0
    for label in labels:
        word = label.text.strip(".,:")
        if len(word) < 4:  # short words are found inside longer ones
            continue
        hit = textpage.search(word, match_case=True).get_next()
        if hit is None:
            continue
        checked += 1
        boxes = [textpage.get_charbox(i) for i in range(hit[0], hit[0] + hit[1])]
        cx = (min(b[0] for b in boxes) + max(b[2] for b in boxes)) / 2
        cy = (min(b[1] for b in boxes) + max(b[3] for b in boxes)) / 2
        x0, y0 = label.polygon.min(axis=0) * scale
        x1, y1 = label.polygon.max(axis=0) * scale
        bottom, top = height_pt - y1, height_pt - y0
        margin = slack * (top - bottom)
        placed += x0 <= cx <= x1 and bottom - margin <= cy <= top + margin
    assert checked >= 8 and placed >= 0.9 * checked, (placed, checked)

    # the page keeps the scan's own image, not a new rendering of it
    with pikepdf.open(scan_pdf) as src, pikepdf.open(out) as dst:
        (before,) = page_images(src, 0)
        (after,) = page_images(dst, 0)
        assert (int(after.Width), int(after.Height)) == (int(before.Width), int(before.Height))
        assert after.read_raw_bytes() == before.read_raw_bytes()
        creator = str(dst.docinfo.get("/Creator", ""))
    assert "ocdr" in creator


def test_generate_hocr(page_image, tmp_path):
    png = png_file(tmp_path / "page.png", page_image[0])
    hocr, txt = tmp_path / "page.hocr", tmp_path / "page.txt"
    OcdrEngine.generate_hocr(png, hocr, txt, None)

    root = ET.parse(hocr).getroot()
    page = root.find(".//h:div[@class='ocr_page']", HOCR_NS)
    height, width = page_image[0].shape[:2]
    assert f"bbox 0 0 {width} {height}" in page.get("title")
    assert f"scan_res {RESOLUTION} {RESOLUTION}" in page.get("title")
    spans = root.findall(".//h:span[@class='ocrx_word']", HOCR_NS)
    assert all("x_wconf" in span.get("title") for span in spans)
    assert found_share(EXPECTED, " ".join(span.text or "" for span in spans)) >= 0.8
    assert found_share(EXPECTED, txt.read_text(encoding="utf-8")) >= 0.8

    from ocrmypdf import hocrtransform

    if not hasattr(hocrtransform, "HocrParser"):  # OCRmyPDF 17's parser, which its renderer reads hOCR with
        return
    tree = hocrtransform.HocrParser(hocr).parse()
    assert tree.dpi == RESOLUTION
    assert found_share(EXPECTED, " ".join(w.text or "" for w in tree.words)) >= 0.8


@pytest.mark.parametrize("dpi", [(RESOLUTION, RESOLUTION), (RESOLUTION, 2 * RESOLUTION)])
def test_generate_pdf_page_is_the_image_size(page_image, tmp_path, dpi):
    """The page has the image's size at its DPI; pixels wider than tall (here half as tall: the page image
    squeezed across, as a scanner at those resolutions gives it) are read stretched back."""
    image = page_image[0]
    if dpi[0] != dpi[1]:
        image = np.asarray(Image.fromarray(image).resize((image.shape[1] * dpi[0] // dpi[1], image.shape[0])))
    png = png_file(tmp_path / "page.png", image, dpi)
    out, txt = tmp_path / "page.pdf", tmp_path / "page.txt"
    OcdrEngine.generate_pdf(png, out, txt, None)
    height, width = image.shape[:2]
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        assert [float(v) for v in page.mediabox] == pytest.approx(
            [0, 0, width * 72 / dpi[0], height * 72 / dpi[1]], abs=1e-3
        )
        assert isinstance(page.obj.Contents, pikepdf.Stream)  # one stream and the font name, as OCRmyPDF grafts it
        assert list(page.obj.Resources.Font.keys()) == ["/f-0-0"]
        assert not page_images(pdf, 0)  # text only
        ops = [str(operator) for _, operator in pikepdf.parse_content_stream(page)]
    text = pdfium.PdfDocument(out)[0].get_textpage().get_text_range()
    assert found_share(EXPECTED, text) >= 0.8
    assert ops.count("Tz") >= len("".join(text.split()))  # read with char boxes: a glyph over each
    if dpi[0] != dpi[1]:  # laid out at both resolutions: the text still spans the page height
        boxes = pdfium.PdfDocument(out)[0].get_textpage()
        top = max(boxes.get_charbox(i)[3] for i in range(boxes.count_chars()))
        assert top > 0.7 * height * 72 / dpi[1]


@pytest.mark.parametrize("turn", [3.0, -3.0])
def test_get_deskew_sign_follows_ocrmypdf(page_image, tmp_path, turn):
    """OCRmyPDF straightens a page with ``Image.rotate(get_deskew(...))`` (counter-clockwise degrees): a page turned
    3 degrees counter-clockwise (cv2's positive angle) must give about -3."""
    image = cv2.copyMakeBorder(page_image[0], 60, 60, 60, 60, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), turn, 1.0)
    turned = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    png = png_file(tmp_path / "turned.png", turned)
    angle = OcdrEngine.get_deskew(png, None)
    assert angle == pytest.approx(-turn, abs=0.5)

    with Image.open(png) as img:  # straighten as OCRmyPDF does, and measure again
        fixed = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor="white")
    assert abs(OcdrEngine.get_deskew(png_file(tmp_path / "fixed.png", np.asarray(fixed)), None)) < 0.5


def test_engine_description(tmp_path):
    engine = OcdrEngine()
    import ocdr

    assert str(engine) == f"ocdr {ocdr.__version__}" and OcdrEngine.version() == ocdr.__version__
    assert "eng" in OcdrEngine.languages(None)
    blank = png_file(tmp_path / "blank.png", np.full((200, 300, 3), 255, np.uint8))
    orientation = OcdrEngine.get_orientation(blank, None)
    assert (orientation.angle, orientation.confidence) == (0, 0.0)  # no text, no vote
    assert OcdrEngine.get_deskew(blank, None) == 0.0
    hocr, txt = tmp_path / "blank.hocr", tmp_path / "blank.txt"
    OcdrEngine.generate_hocr(blank, hocr, txt, None)
    assert ET.parse(hocr).getroot().findall(".//h:span[@class='ocrx_word']", HOCR_NS) == []
    assert txt.read_text() == ""


def test_image_dpi_undoes_png_rounding(tmp_path):
    # PNG keeps whole pixels per metre: 150 dpi reads back as 150.0124 through Pillow
    png = png_file(tmp_path / "p.png", np.zeros((4, 4, 3), np.uint8), (150, 300))
    with Image.open(png) as img:
        assert img.info["dpi"][0] != 150
    assert image_dpi(png) == (150.0, 300.0)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    (tmp_path / "nodpi.png").write_bytes(buffer.getvalue())
    assert image_dpi(tmp_path / "nodpi.png") == (300.0, 300.0)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"language": "deu"}, MissingDependencyError),  # the recognizer reads English only
        ({"ocr_engine": "tesseract"}, BadArgsError),  # the plugin replaces Tesseract
        ({"ocdr_det_model": "/nonexistent/det.onnx"}, BadArgsError),
        ({"ocdr_threads": 0}, BadArgsError),
    ],
)
def test_refused_options(scan_pdf, tmp_path, no_programs, options, error):
    with pytest.raises(error):
        ocrmypdf.ocr(scan_pdf, tmp_path / "out.pdf", plugins=[PLUGIN], output_type="pdf", progress_bar=False, **options)


@pytest.mark.parametrize("angle", [0, 90, 180, 270])
def test_orientation_of_pages_turned_four_ways(tmp_path, page_image, angle):
    image, _ = page_image
    turned = np.ascontiguousarray(np.rot90(image, -angle // 90))  # content turned clockwise by angle
    found = OcdrEngine.get_orientation(png_file(tmp_path / f"{angle}.png", turned), None)
    assert found.angle == angle and found.confidence >= 14  # above --rotate-pages-threshold's default
