"""The Python API: every input type, streaming, thread safety, bad inputs, no torch at inference."""

from __future__ import annotations

import io
import subprocess
import sys
import threading

import cv2
import numpy as np
import pytest
from conftest import SAMPLE, huge_png_header, pdf_bytes, pdf_without_pages, render_lines
from PIL import Image, ImageDraw, ImageFont

from ocdr import OCR, Document, InputError
from ocdr.training.synth.fonts import find_fonts

LINE = "Invoice total 42.50"


@pytest.fixture(scope="module")
def line_image():
    image, _ = render_lines([LINE], margin=24)
    return image


def _text(doc: Document) -> str:
    return doc.text.strip()


def test_inputs_of_every_kind_give_the_same_text(ocr, line_image, tmp_path):
    png = tmp_path / "line.png"
    Image.fromarray(line_image).save(png)
    gray = np.asarray(Image.fromarray(line_image).convert("L"))
    expected = _text(ocr(line_image))
    assert expected == LINE
    variants = [
        str(png),
        png,
        png.read_bytes(),
        bytearray(png.read_bytes()),
        gray,
        Image.fromarray(line_image),
        Image.fromarray(line_image).convert("P"),
        Image.fromarray(line_image).convert("RGBA"),
    ]
    for v in variants:
        assert _text(ocr(v)) == expected, type(v)
    assert _text(ocr(line_image[:, :, ::-1].copy(), color_order="bgr")) == expected


def test_a_long_price_list_is_read_row_by_row(ocr):
    """Twenty-four items with their prices on the right: each row is a line of the text, item then price, in order
    (the gap down the page was taken for a gutter between two text columns: all items first, then all prices)."""
    font = next(f for f in find_fonts() if f.path.name == "DejaVuSans.ttf")
    rows = [(f"Coffee beans no {i}", f"{3 + 1.25 * i:.2f}") for i in range(24)]
    image = Image.new("RGB", (420, 40 + 34 * len(rows)), "white")
    draw = ImageDraw.Draw(image)
    typeface = ImageFont.truetype(str(font.path), 22)
    for i, (item, price) in enumerate(rows):
        draw.text((30, 20 + 34 * i), item, font=typeface, fill="black")
        draw.text((300, 20 + 34 * i), price, font=typeface, fill="black")
    lines = [" ".join(line.split()) for line in ocr(np.asarray(image)).text.split("\n") if line.strip()]
    assert len(lines) == len(rows)
    assert sum(line == f"{item} {price}" for line, (item, price) in zip(lines, rows, strict=True)) >= 22, lines


def test_a_chat_screenshot_is_read_message_by_message(ocr):
    """Short messages in bubbles, left and right by turns and far apart: read in the order they were sent, not
    every left message first."""
    font = ImageFont.truetype(str(next(f for f in find_fonts() if f.path.name == "DejaVuSans.ttf").path), 20)
    turns = [("l", "Are we still on for lunch?"), ("r", "Yes at the usual place"), ("l", "Great, see you there"),
             ("r", "Running late, sorry")]  # fmt: skip
    image = Image.new("RGB", (640, 400), (236, 229, 221))
    draw = ImageDraw.Draw(image)
    for k, (side, text) in enumerate(turns):
        width, top = draw.textlength(text, font=font), 30 + 90 * k
        x = 20 if side == "l" else 620 - width - 30
        draw.rounded_rectangle((x, top, x + width + 30, top + 50), 14, fill="white" if side == "l" else (0, 132, 255))
        draw.text((x + 15, top + 13), text, font=font, fill="black" if side == "l" else "white")
    lines = [line for line in ocr(np.asarray(image)).text.split("\n") if line.strip()]
    assert lines == [text for _, text in turns]


def test_a_letter_spaced_heading_is_read_as_words(ocr):
    """A heading set letter-spaced (a slide's, a poster's): each letter was found and read as a word of its own,
    "W E L C O M E"; its letters are read as one word."""
    font = ImageFont.truetype(str(next(f for f in find_fonts() if f.path.name == "DejaVuSans-Bold.ttf").path), 40)
    image = Image.new("RGB", (760, 200), "white")
    draw = ImageDraw.Draw(image)
    for k, letter in enumerate("WELCOME"):
        draw.text((40 + 60 * k, 40), letter, font=font, fill="black")
    draw.text((40, 130), "to our new office", font=font.font_variant(size=30), fill="black")
    assert ocr(np.asarray(image)).text.split() == ["WELCOME", "to", "our", "new", "office"]


def test_white_text_on_a_transparent_ground_is_read(ocr, line_image, tmp_path):
    """A line drawn in white on a transparent ground (its shapes in the alpha channel, as dark-mode screenshots and
    cut-out subtitles are) is read as the same line drawn dark on white."""
    rgba = np.full((*line_image.shape[:2], 4), 255, np.uint8)
    rgba[..., 3] = 255 - cv2.cvtColor(line_image, cv2.COLOR_RGB2GRAY)
    png = tmp_path / "white.png"
    Image.fromarray(rgba).save(png)
    assert _text(ocr(png)) == _text(ocr(rgba)) == LINE


def test_predict_lists_directories_and_streams(ocr, line_image, tmp_path):
    (tmp_path / "sub").mkdir()
    Image.fromarray(line_image).save(tmp_path / "b.png")
    Image.fromarray(line_image).save(tmp_path / "sub" / "a.jpg", quality=95)
    (tmp_path / "notes.txt").write_text("not an image")  # skipped: not an image extension
    docs = ocr.predict(tmp_path)
    assert [d.source.replace(str(tmp_path), "") for d in docs] == ["/b.png", "/sub/a.jpg"]
    assert all(_text(d) == LINE for d in docs)
    stream = ocr.predict_iter([line_image, str(SAMPLE)])
    first = next(stream)
    assert _text(first) == LINE
    assert "Invoice" in next(stream).text
    # one bad input among good ones: its error in its place, the rest read (by default the error ends the stream)
    read = ocr.predict([line_image, tmp_path / "missing.png", line_image], errors="return")
    assert isinstance(read[1], InputError) and "missing.png" in str(read[1])
    assert [_text(d) for d in (read[0], read[2])] == [LINE, LINE]
    with pytest.raises(InputError, match="missing.png"):
        ocr.predict([line_image, tmp_path / "missing.png", line_image])


def test_a_receipts_rows_are_lines_of_its_text(ocr):
    """Items and prices far apart are separate blocks (cells), yet the plain text puts each row on one line, cells
    tab-separated, and the rows of the table on consecutive lines."""
    font = next(f for f in find_fonts() if f.path.name == "DejaVuSans.ttf")
    image = Image.new("RGB", (640, 330), "white")
    draw = ImageDraw.Draw(image)
    typeface = ImageFont.truetype(str(font.path), 28)
    for i, (item, price) in enumerate([("Coffee", "3.50"), ("Bagel", "2.25"), ("Total", "5.75")]):
        draw.text((40, 30 + 45 * i), item, font=typeface, fill="black")
        draw.text((500, 30 + 45 * i), price, font=typeface, fill="black")
    draw.text((40, 240), "Thank you for coming", font=typeface, fill="black")
    page = ocr(np.asarray(image)).pages[0]
    assert [b.text for b in page.blocks[:2]] == ["Coffee", "3.50"]  # the tree keeps its cells
    assert page.text == "Coffee\t3.50\nBagel\t2.25\nTotal\t5.75\n\nThank you for coming"


def test_multipage_tiff_and_pdf(ocr, line_image, tmp_path):
    other, _ = render_lines(["Second page here"], margin=24)
    frames = [Image.fromarray(line_image), Image.fromarray(other)]
    tiff = tmp_path / "doc.tif"
    frames[0].save(tiff, save_all=True, append_images=frames[1:])
    doc = ocr(tiff)
    assert [p.index for p in doc.pages] == [0, 1]
    assert doc.pages[1].text == "Second page here"
    assert doc.text == f"{LINE}\fSecond page here"
    buf = io.BytesIO()
    frames[0].save(buf, "PDF", save_all=True, append_images=frames[1:], resolution=100)
    pdf = ocr(buf.getvalue(), dpi=100)
    assert [p.text for p in pdf.pages] == [LINE, "Second page here"]
    assert [p.text for p in ocr(buf.getvalue(), dpi=100, pages="2").pages] == ["Second page here"]


def test_concurrent_calls_match_sequential(ocr, text_page, line_image):
    images = [text_page[0], line_image, np.ascontiguousarray(text_page[0][:, ::-1]), line_image[:, :200].copy()]
    expected = [ocr(im).to_dict() for im in images]
    results: dict[int, dict] = {}
    errors = []

    def work(k: int) -> None:
        try:
            results[k] = ocr(images[k % len(images)]).to_dict()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for k, result in results.items():
        assert result == expected[k % len(images)]


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"", "empty"),
        (b"hello, I am not an image", "not a supported image or PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", None),
        (pdf_without_pages(), "with no pages?"),
        (huge_png_header(), "pixel"),
    ],
    ids=["empty", "text", "truncated-png", "pdf-no-pages", "huge"],
)
def test_bad_inputs_raise_clear_errors(ocr, tmp_path, payload, message):
    path = tmp_path / "bad.png"
    path.write_bytes(payload)
    with pytest.raises(InputError) as info:
        ocr(path)
    assert "bad.png" in str(info.value)
    if message:
        assert message in str(info.value)


def test_wrong_types_and_missing_files(ocr, tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        ocr(tmp_path / "missing.png")
    for bad in (42, {"image": 1}, np.zeros((4, 4, 7), np.uint8), np.zeros((4, 4), np.int64)):
        with pytest.raises(InputError):
            ocr(bad)
    with pytest.raises(InputError, match="use OCR.predict"):
        ocr([np.zeros((8, 8, 3), np.uint8)] * 2)
    with pytest.raises(InputError, match="not a valid path"):
        ocr("page\x00.png")
    with pytest.raises(InputError, match="empty path"):  # Path("") is ".": it read the working folder
        ocr.predict("")


def test_settings_of_the_wrong_type_or_range_are_refused_by_name(ocr, line_image):
    """Each is named, where they failed inside ONNX Runtime, pypdfium2 or pathlib, at the first PDF only, or were
    taken for something else (``dpi=0`` for the default)."""
    two_page_pdf = pdf_bytes([line_image, line_image])
    for kwargs, name in [
        ({"pages": 5.0}, "pages"),
        ({"pages": ["1"]}, "pages"),
        ({"pages": [True]}, "pages"),
        ({"dpi": 0}, "dpi"),
        ({"dpi": "300"}, "dpi"),
        ({"password": 123}, "password"),
    ]:
        with pytest.raises(ValueError, match=name):
            ocr(two_page_pdf, **kwargs)
        with pytest.raises(ValueError, match=name):  # a one-page input too, not ignored there
            ocr(line_image, **kwargs)
    assert [p.index for p in ocr(two_page_pdf, pages=1, dpi=72).pages] == [1]  # an index alone
    assert len(ocr(two_page_pdf, password=b"unneeded", dpi=72).pages) == 2  # bytes: decoded
    for kwargs, name in [
        ({"threads": "2"}, "threads"),
        ({"max_pixels": 0}, "max_pixels"),
        ({"memory_arena": "no"}, "memory_arena"),
        ({"det_model": 5}, "det_model"),
        ({"dpi": -5}, "dpi"),
    ]:
        with pytest.raises(ValueError, match=name):
            OCR(**{"threads": 1, **kwargs})


def test_a_long_receipt_is_read_whole(ocr):
    """A till receipt 400 pixels wide and 9,000 long: the detector's limit bounds the side of a square of its pixels,
    not its long side, so its print is not shrunk out of reach (before: 136 of its 224 lines read right)."""
    strip = np.full((9000, 400, 3), 255, np.uint8)
    lines = [f"ITEM {k:04d} COFFEE {k % 97}.50" for k in range(224)]
    for k, line in enumerate(lines):
        cv2.putText(strip, line, (20, 40 + 40 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 0), 2)
    assert ocr(strip).text.split("\n") == lines


@pytest.mark.parametrize("shape", [(1, 5000), (5000, 1), (2, 20000), (1, 1)])
def test_images_a_pixel_or_two_thick_read_as_empty_pages(shape):
    """Every stage that shrinks a page for a preview keeps a side of one pixel at least (OpenCV refuses none)."""
    everything = OCR(
        threads=1,
        use_deskew=True,
        use_doc_unwarping=True,
        use_doc_orientation_classify=True,
        use_textline_orientation=True,
    )
    page = everything(np.zeros((*shape, 3), np.uint8)).pages[0]
    assert (page.height, page.width) == shape
    assert page.text == ""


def test_inference_never_imports_torch(tmp_path):
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch' or name.startswith('torch.'):\n"
        "            raise ImportError('torch is blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from ocdr import OCR\n"
        f"print(OCR(threads=1)({str(SAMPLE)!r}).text)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Invoice" in out.stdout


def test_inference_dependencies_exclude_torch():
    import tomllib
    from pathlib import Path

    meta = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    deps = " ".join(meta["project"]["dependencies"]).lower()
    assert "torch" not in deps
    assert "torch" in " ".join(meta["project"]["optional-dependencies"]["train"])
