"""Input decoding: every input type, image mode, multi-page document and bad input, made inside the tests."""

from __future__ import annotations

import io
import re
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from ocdr.errors import InputError
from ocdr.io.images import decode_image_bytes, select_pages
from ocdr.io.inputs import PageImage, Source, expand_inputs, iter_pages, parse_page_spec
from ocdr.io.pdf import fitting_dpi, pdf_page_count, render_pdf_pages


def encode(img: Image.Image, fmt: str = "PNG", **params: object) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **params)
    return buffer.getvalue()


def pages_of(obj: object, **kwargs: object) -> list[PageImage]:
    (source,) = expand_inputs(obj)
    return list(iter_pages(source, **kwargs))


def only_page(obj: object, **kwargs: object) -> np.ndarray:
    (page,) = pages_of(obj, **kwargs)
    image = page.image
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3 and image.flags.c_contiguous
    return image


def marked_rgb(width: int = 6, height: int = 4) -> Image.Image:
    """White image with a red top-left pixel and a blue bottom-right one."""
    img = Image.new("RGB", (width, height), "white")
    img.putpixel((0, 0), (255, 0, 0))
    img.putpixel((width - 1, height - 1), (0, 0, 255))
    return img


def assert_marked(image: np.ndarray, width: int = 6, height: int = 4) -> None:
    assert image.shape == (height, width, 3)
    assert image[0, 0].tolist() == [255, 0, 0]
    assert image[-1, -1].tolist() == [0, 0, 255]
    assert image[0, -1].tolist() == [255, 255, 255]


def patch_png_size(data: bytes, width: int, height: int) -> bytes:
    """A PNG whose IHDR claims another size (with a valid CRC), pixel data unchanged."""
    ihdr = bytearray(data[12:29])  # chunk type + 13 data bytes
    ihdr[4:12] = struct.pack(">II", width, height)
    return data[:12] + bytes(ihdr) + struct.pack(">I", zlib.crc32(ihdr)) + data[33:]


def make_pdf(path: Path, pages: list[Image.Image], resolution: float = 100.0) -> None:
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:], resolution=resolution)


# --- expand_inputs ----------------------------------------------------------------------------------------------


def test_expand_inputs_names_every_type_by_position(tmp_path: Path) -> None:
    path = tmp_path / "marked.png"
    path.write_bytes(encode(marked_rgb()))
    data = path.read_bytes()
    array = np.asarray(marked_rgb())
    inputs = [path, str(path), data, bytearray(data), memoryview(data), array, marked_rgb()]
    sources = expand_inputs(inputs)
    assert [s.name for s in sources] == [
        str(path),
        str(path),
        "<bytes #2>",
        "<bytes #3>",
        "<bytes #4>",
        "<array #5>",
        "<image #6>",
    ]
    assert [type(s.obj).__name__ for s in sources[:5]] == ["PosixPath", "PosixPath", "bytes", "bytes", "bytes"]
    for source in sources:
        (page,) = iter_pages(source)
        assert page.source == source.name and page.index == 0
        assert_marked(page.image)


def test_expand_inputs_single_input_and_tuple() -> None:
    array = np.zeros((2, 2), np.uint8)
    assert [s.name for s in expand_inputs(array)] == ["<array #0>"]
    assert [s.name for s in expand_inputs((b"x", array))] == ["<bytes #0>", "<array #1>"]
    assert expand_inputs([]) == []


def test_expand_directory_recursive_sorted_filtered(tmp_path: Path) -> None:
    root = tmp_path / "scans"
    (root / "sub" / "deeper").mkdir(parents=True)
    names = ["b.png", "A.PNG", "z.TIFF", "sub/c.JPG", "sub/deeper/e.pdf", "sub/x.jpeg"]
    for name in names:
        (root / name).write_bytes(b"not decoded by expand_inputs")
    (root / "notes.txt").write_text("skip me")
    (root / "sub" / "model.onnx").write_bytes(b"skip me")
    sources = expand_inputs(root)
    expected = ["A.PNG", "b.png", "sub/c.JPG", "sub/deeper/e.pdf", "sub/x.jpeg", "z.TIFF"]
    assert [s.name for s in sources] == [str(root / name) for name in expected]
    assert all(s.obj == Path(s.name) for s in sources)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="empty"):
        expand_inputs(str(tmp_path / "empty"))
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "a.txt").write_text("x")
    with pytest.raises(InputError, match="no image or PDF files"):
        expand_inputs(tmp_path / "text")


def test_missing_path_fails_when_loaded(tmp_path: Path) -> None:
    missing = tmp_path / "nope.png"
    good = tmp_path / "good.png"
    good.write_bytes(encode(marked_rgb()))
    sources = expand_inputs([missing, good])
    assert [s.name for s in sources] == [str(missing), str(good)]
    with pytest.raises(InputError, match="nope.png does not exist"):
        list(iter_pages(sources[0]))
    assert_marked(next(iter_pages(sources[1])).image)


@pytest.mark.parametrize("bad", [42, {"a": 1}, 3.5, [b"ok", None]])
def test_unsupported_input_type(bad: object) -> None:
    with pytest.raises(InputError, match="unsupported type .*numpy array, PIL image"):
        expand_inputs(bad)


def test_directory_as_a_file_source(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot be read"):
        list(iter_pages(Source(str(tmp_path), tmp_path)))


# --- numpy arrays -----------------------------------------------------------------------------------------------


def test_numpy_gray_and_single_channel() -> None:
    gray = np.array([[0, 100, 200]], np.uint8)
    for array in (gray, gray[..., None]):
        image = only_page(array)
        assert image.shape == (1, 3, 3)
        assert image[..., 0].tolist() == image[..., 2].tolist() == [[0, 100, 200]]


def test_numpy_rgb_is_copied_and_made_contiguous() -> None:
    array = np.asarray(marked_rgb(12, 4)).copy()
    image = only_page(array)
    assert_marked(image, 12, 4)
    image[0, 0] = 7
    assert array[0, 0].tolist() == [255, 0, 0]
    strided = only_page(array[:, ::2])
    assert strided.shape == (4, 6, 3) and strided[0, 0].tolist() == [255, 0, 0]


def test_numpy_bgr_and_bgra() -> None:
    bgr = np.array([[[255, 0, 0], [0, 0, 255]]], np.uint8)  # blue, red in OpenCV order
    assert only_page(bgr, color_order="bgr").tolist() == [[[0, 0, 255], [255, 0, 0]]]
    assert only_page(bgr).tolist() == bgr.tolist()  # RGB by default
    bgra = np.array([[[255, 0, 0, 255], [255, 0, 0, 0]]], np.uint8)
    assert only_page(bgra, color_order="bgr").tolist() == [[[0, 0, 255], [255, 255, 255]]]
    with pytest.raises(ValueError, match="color_order"):
        only_page(bgr, color_order="BGRX")


def test_numpy_rgba_composited_on_white() -> None:
    rgba = np.array([[[0, 0, 0, 255], [0, 0, 0, 0], [0, 0, 0, 128], [255, 0, 0, 128]]], np.uint8)
    assert only_page(rgba).tolist() == [[[0, 0, 0], [255, 255, 255], [127, 127, 127], [255, 127, 127]]]


def test_light_drawing_on_transparency_is_composited_on_black() -> None:
    """White drawn on a transparent ground (alpha carries the shapes) would vanish on white: it goes on black;
    a dark drawing stays on white, a fully transparent image is white."""
    white = np.array([[[255, 255, 255, 255], [255, 255, 255, 0], [255, 255, 255, 128], [0, 0, 0, 0]]], np.uint8)
    assert only_page(white).tolist() == [[[255, 255, 255], [0, 0, 0], [128, 128, 128], [0, 0, 0]]]
    yellow = Image.new("RGBA", (2, 1), (255, 230, 0, 0))
    yellow.putpixel((0, 0), (255, 230, 0, 255))
    assert only_page(encode(yellow)).tolist() == [[[255, 230, 0], [0, 0, 0]]]
    dark = white.copy()
    dark[..., :3] = 30
    assert only_page(dark)[0, 1].tolist() == [255, 255, 255]
    assert only_page(np.zeros((2, 2, 4), np.uint8)).tolist() == [[[255, 255, 255]] * 2] * 2


def test_numpy_uint16_bool_float() -> None:
    deep = np.array([[1000, 2000, 3000]], np.uint16)  # e.g. 12-bit data: stretched, not truncated or shifted
    assert only_page(deep)[..., 1].tolist() == [[0, 128, 255]]
    assert only_page(np.array([[True, False]]))[..., 0].tolist() == [[255, 0]]
    floats = np.array([[0.0, 0.5, 1.0]], np.float32)
    assert only_page(floats)[..., 2].tolist() == [[0, 128, 255]]
    with pytest.raises(InputError, match=r"<array #0> .*\[0, 1\]"):
        only_page(floats * 255)
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        only_page(np.array([[np.nan]]))


@pytest.mark.parametrize("shape", [(5,), (2, 2, 2), (2, 2, 5), (1, 2, 2, 3)])
def test_numpy_bad_shapes(shape: tuple[int, ...]) -> None:
    with pytest.raises(InputError, match=rf"<array #0> has shape {re.escape(str(shape))}"):
        only_page(np.zeros(shape, np.uint8))


@pytest.mark.parametrize("dtype", [np.int64, np.complex64, np.int8])
def test_numpy_bad_dtypes(dtype: type) -> None:
    with pytest.raises(InputError, match=f"dtype {np.dtype(dtype)}"):
        only_page(np.zeros((2, 2), dtype))


def test_zero_sized_and_oversized_arrays_and_images() -> None:
    with pytest.raises(InputError, match="zero size"):
        only_page(np.zeros((0, 5, 3), np.uint8))
    with pytest.raises(InputError, match="zero size"):
        only_page(Image.new("RGB", (0, 5)))
    with pytest.raises(InputError, match="10 x 10 = 100 pixels, over the pixel limit of 99"):
        only_page(np.zeros((10, 10), np.uint8), max_pixels=99)
    with pytest.raises(InputError, match="pixel limit of 99"):
        only_page(Image.new("RGB", (10, 10)), max_pixels=99)


# --- PIL images and encoded images ------------------------------------------------------------------------------


def _frombytes(mode: str, dtype: str, values: list[float]) -> Image.Image:
    return Image.frombytes(mode, (len(values), 1), np.array(values, dtype).tobytes())


def _palette_with_transparency() -> Image.Image:
    img = Image.new("P", (2, 1))
    img.putpalette([255, 0, 0, 0, 0, 255])
    img.putpixel((1, 0), 1)
    img.info["transparency"] = 0  # index 0 (red) is transparent
    return img


def _palette_alpha() -> Image.Image:
    img = Image.new("PA", (2, 1))
    img.putpalette([0, 0, 0, 255, 0, 0])
    img.putpixel((0, 0), (1, 255))
    img.putpixel((1, 0), (1, 0))
    return img


MODE_CASES = {
    "RGB": (lambda: Image.new("RGB", (2, 1), (10, 20, 30)), [[10, 20, 30], [10, 20, 30]]),
    "L": (lambda: Image.new("L", (2, 1), 77), [[77, 77, 77], [77, 77, 77]]),
    "1": (lambda: _frombytes("L", "u1", [0, 255]).convert("1"), [[0, 0, 0], [255, 255, 255]]),
    "P": (_palette_with_transparency, [[255, 255, 255], [0, 0, 255]]),
    "LA": (lambda: Image.new("LA", (2, 1), (0, 128)), [[127, 127, 127], [127, 127, 127]]),
    "RGBA": (lambda: Image.new("RGBA", (2, 1), (255, 0, 0, 0)), [[255, 255, 255], [255, 255, 255]]),
    "PA": (_palette_alpha, [[255, 0, 0], [255, 255, 255]]),
    "I;16": (lambda: _frombytes("I;16", "<u2", [1000, 3000]), [[0, 0, 0], [255, 255, 255]]),
    "I;16B": (lambda: _frombytes("I;16B", ">u2", [3000, 1000]), [[255, 255, 255], [0, 0, 0]]),
    "I": (lambda: _frombytes("I", "<i4", [-5, 5]), [[0, 0, 0], [255, 255, 255]]),
    "F": (lambda: _frombytes("F", "<f4", [0.25, 0.75]), [[0, 0, 0], [255, 255, 255]]),
    "CMYK": (lambda: Image.new("CMYK", (2, 1), (0, 255, 255, 0)), [[255, 0, 0], [255, 0, 0]]),
    "YCbCr": (lambda: Image.new("YCbCr", (2, 1), (255, 128, 128)), [[255, 255, 255], [255, 255, 255]]),
}
# Modes that also go through an encoded file, in a format that stores them losslessly.
ENCODED = {"RGB": "PNG", "L": "PNG", "1": "PNG", "P": "PNG", "LA": "PNG", "RGBA": "PNG", "I;16": "PNG"}
ENCODED |= {"I;16B": "TIFF", "I": "TIFF", "F": "TIFF", "CMYK": "TIFF", "YCbCr": "TIFF"}


@pytest.mark.parametrize("mode", MODE_CASES)
def test_pil_modes(mode: str) -> None:
    make, expected = MODE_CASES[mode]
    img = make()
    assert img.mode == mode
    assert only_page(img).tolist() == [expected]
    if mode in ENCODED:
        decoded = only_page(encode(img, ENCODED[mode]))
        assert np.abs(decoded.astype(int) - np.array([expected])).max() <= 1


def test_exif_orientation(tmp_path: Path) -> None:
    img = Image.new("RGB", (40, 20), "white")
    img.paste((0, 0, 0), (0, 0, 10, 10))  # black block in the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: display rotated 90 degrees clockwise
    path = tmp_path / "rotated.jpg"
    img.save(path, "JPEG", exif=exif.tobytes(), quality=95)
    image = only_page(path)
    assert image.shape == (40, 20, 3)
    assert image[:8, 12:].mean() < 40  # the block is now top-right
    assert image[:8, :8].mean() > 215 and image[-8:].mean() > 215


def test_multipage_tiff_pages_and_dpi(tmp_path: Path) -> None:
    frames = [Image.new("L", (8, 6), level) for level in (30, 130, 230)]
    path = tmp_path / "scan.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(300, 300))
    pages = pages_of(path)
    assert [p.index for p in pages] == [0, 1, 2]
    assert [int(p.image.mean()) for p in pages] == [30, 130, 230]
    assert all(p.dpi == 300 and p.source == str(path) for p in pages)
    (second,) = pages_of(path, pages=[1, 7])
    assert second.index == 1 and int(second.image.mean()) == 130
    untagged = tmp_path / "untagged.tif"  # as OpenCV and Pillow write a TIFF: Pillow reads its resolution as 1 DPI
    frames[0].save(untagged)
    assert pages_of(untagged)[0].dpi is None
    with pytest.raises(InputError, match="scan.tif has 3 pages; none of the requested pages exist"):
        pages_of(path, pages=[3, 4])
    assert [int(frame.mean()) for frame, _ in decode_image_bytes(path.read_bytes(), "scan", 10_000)] == [30, 130, 230]


def test_animated_gif_is_its_first_frame() -> None:
    frames = [Image.new("P", (4, 4), 0), Image.new("P", (4, 4), 1)]
    for frame in frames:
        frame.putpalette([255, 0, 0, 0, 255, 0])
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert only_page(data)[0, 0].tolist() == [255, 0, 0]


def test_pixel_aspect_from_the_two_resolutions() -> None:
    """A standard-mode fax's TIFF (204 x 98 DPI) has pixels 2.08 times taller than wide; a quarter turn by EXIF
    swaps the two; resolutions more than 4 times apart are no scanner's and read as square."""
    fax = pages_of(encode(Image.new("1", (8, 4), 1), "TIFF", compression="group4", dpi=(204, 98)))[0]
    assert fax.dpi == 204 and fax.pixel_aspect == pytest.approx(204 / 98)
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: pil_to_rgb turns the picture upright
    turned = pages_of(encode(marked_rgb(), "JPEG", dpi=(200, 100), exif=exif))[0]
    assert turned.image.shape[:2] == (6, 4) and (turned.dpi, turned.pixel_aspect) == (100, 0.5)
    odd = pages_of(encode(marked_rgb(), dpi=(600, 72)))[0]
    assert round(odd.dpi) == 600 and odd.pixel_aspect == 1.0
    assert pages_of(encode(marked_rgb()))[0].pixel_aspect == 1.0


def test_single_image_page_selection() -> None:
    """A page selection is for multi-page inputs: a one-page input is read whole whatever pages are asked for (so
    that ``--pages`` over a folder of images and PDFs fails none of the images)."""
    data = encode(marked_rgb(), dpi=(150, 150))
    (page,) = pages_of(data, pages=[0])
    assert page.index == 0 and round(page.dpi) == 150
    assert pages_of(marked_rgb())[0].dpi is None
    assert [p.index for p in pages_of(data, pages=[1, 2])] == [0]
    assert [p.index for p in pages_of(marked_rgb(), pages=[4])] == [0]
    assert select_pages(1, [6], "a.png") == [0] and select_pages(3, [1, 6], "b.pdf") == [1]
    with pytest.raises(InputError, match="b.pdf has 3 pages; none of the requested pages exist"):
        select_pages(3, [6], "b.pdf")
    with pytest.raises(InputError, match="c.png has no pages"):
        select_pages(0, [0], "c.png")


# --- PDF ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def two_page_pdf(tmp_path: Path) -> Path:
    """200 x 100 px pages at 100 DPI (144 x 72 pt); page 2 has a black rectangle at x 120..180, y 20..80."""
    first = Image.new("RGB", (200, 100), "white")
    second = first.copy()
    second.paste((0, 0, 0), (120, 20, 180, 80))
    path = tmp_path / "doc.pdf"
    make_pdf(path, [first, second])
    return path


def test_pdf_pages_sizes_and_content(two_page_pdf: Path) -> None:
    assert pdf_page_count(two_page_pdf, "doc") == pdf_page_count(two_page_pdf.read_bytes(), "doc") == 2
    pages = pages_of(two_page_pdf, dpi=100)
    assert [(p.index, p.image.shape, p.dpi) for p in pages] == [(0, (100, 200, 3), 100), (1, (100, 200, 3), 100)]
    assert all(p.image.flags.c_contiguous and p.image.dtype == np.uint8 for p in pages)
    assert pages[0].image[30:70, 130:170].mean() > 240
    assert pages[1].image[30:70, 130:170].mean() < 15
    assert pages[1].image[30:70, 10:100].mean() > 240
    (half,) = pages_of(two_page_pdf.read_bytes(), dpi=50, pages=[1])
    assert half.index == 1 and half.image.shape == (50, 100, 3)
    with pytest.raises(InputError, match="has 2 pages; none of the requested pages exist"):
        pages_of(two_page_pdf, pages=[2])


def test_pdf_detected_by_magic_bytes(two_page_pdf: Path, tmp_path: Path) -> None:
    disguised = tmp_path / "actually_a_pdf.png"
    disguised.write_bytes(two_page_pdf.read_bytes())
    assert len(pages_of(disguised, dpi=20)) == 2


def test_pdf_renders_lazily(two_page_pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = []
    render = pdfium.PdfPage.render
    monkeypatch.setattr(pdfium.PdfPage, "render", lambda page, **kw: rendered.append(1) or render(page, **kw))
    pages = iter_pages(expand_inputs(two_page_pdf)[0], dpi=20)
    assert rendered == []
    next(pages)
    assert rendered == [1]
    pages.close()


def test_pdf_page_size_with_rotation_and_pixel_limit() -> None:
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(144, 72).close()
    rotated = pdf.new_page(144, 72)
    rotated.set_rotation(90)
    rotated.close()
    buffer = io.BytesIO()
    pdf.save(buffer)
    pdf.close()
    data = buffer.getvalue()
    shapes = [image.shape for _, image in render_pdf_pages(data, "doc", None, 72.0, 144 * 72)]
    assert shapes == [(72, 144, 3), (144, 72, 3)]
    with pytest.raises(InputError, match="doc page 1 is 200 x 100 = 20000 pixels, over the pixel limit of 19999"):
        next(render_pdf_pages(data, "doc", None, 100.0, 19_999))
    with pytest.raises(InputError, match=r"limit of 19999 \(max_pixels\); it fits at 99 dpi \(dpi\)$"):
        next(render_pdf_pages(data, "doc", None, 100.0, 19_999))
    assert [image.shape for _, image in render_pdf_pages(data, "doc", [0], 99.0, 19_999)] == [(99, 198, 3)]
    assert fitting_dpi(144, 72, 144 * 72) == 72 and fitting_dpi(144, 72, 1) == 0
    with pytest.raises(ValueError, match="dpi"):
        next(render_pdf_pages(data, "doc", None, 0.0, 19_999))


def test_pdf_without_pages(tmp_path: Path) -> None:
    pdf = pdfium.PdfDocument.new()
    path = tmp_path / "blank.pdf"
    pdf.save(path)
    pdf.close()
    with pytest.raises(
        InputError, match=r"blank.pdf cannot be opened as a PDF \(corrupt, encrypted .*, or with no pages\?\)$"
    ):  # and no word of PDFium's stale error code ("Incorrect password error", "Success")
        pages_of(path)


def test_corrupt_pdf(tmp_path: Path, two_page_pdf: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\ngarbage")
    with pytest.raises(InputError, match="broken.pdf cannot be opened as a PDF"):
        pages_of(path)
    with pytest.raises(InputError, match="<bytes #0>"):
        pages_of(b"%PDF-1.4 nothing else")


# --- bad inputs ---------------------------------------------------------------------------------------------------


def test_empty_inputs(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty.png is empty"):
        pages_of(path)
    with pytest.raises(InputError, match="<bytes #0> is empty"):
        pages_of(b"")


def test_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("just some text\n")
    with pytest.raises(InputError, match="notes.jpg is not a supported image or PDF"):
        pages_of(path)
    with pytest.raises(InputError, match="not a supported image"):  # a format Pillow reads but we do not accept
        pages_of(encode(Image.new("RGB", (4, 4)), "ICO"))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_image(tmp_path: Path, fmt: str) -> None:
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise), fmt)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(InputError, match=f"cut.{fmt.lower()} could not be decoded"):
        pages_of(path)


def test_huge_image_header_is_refused_without_decoding(tmp_path: Path) -> None:
    small = encode(Image.new("RGB", (10, 10), "red"))
    path = tmp_path / "bomb.png"
    path.write_bytes(patch_png_size(small, 20_000, 20_000))
    start = time.perf_counter()
    with pytest.raises(InputError, match="bomb.png is over the pixel limit") as err:
        pages_of(path)
    assert str(err.value).endswith("(400000000 pixels)")  # not Pillow's own, other limit beside ours
    path.write_bytes(patch_png_size(small, 12_000, 12_000))  # under Pillow's own limit: ours applies
    with pytest.raises(InputError, match="12000 x 12000 = 144000000 pixels, over the pixel limit of 1000000"):
        pages_of(path, max_pixels=1_000_000)
    assert time.perf_counter() - start < 1.0
    with pytest.raises(InputError, match="<bytes #0>"):  # zero width: Pillow refuses the header itself
        pages_of(patch_png_size(small, 0, 10))


def test_a_pixel_limit_over_pillows_leaves_pillows_own_guard_in_place() -> None:
    """``max_pixels`` over Pillow's hard limit lets ocdr open the image, and puts Pillow's limit back: raised for
    good, it took the decompression-bomb guard from the host process's own ``Image.open`` calls."""
    from PIL import Image as PILImage

    from ocdr.io.images import probe_image

    before = PILImage.MAX_IMAGE_PIXELS
    huge = patch_png_size(encode(PILImage.new("RGB", (10, 10), "red")), 20_000, 20_000)
    probe_image(huge, "huge.png", max_pixels=500_000_000)  # within ours: no error
    assert PILImage.MAX_IMAGE_PIXELS == before
    with pytest.raises(PILImage.DecompressionBombError):
        PILImage.open(io.BytesIO(huge))


# --- page specs ---------------------------------------------------------------------------------------------------


def test_parse_page_spec() -> None:
    assert parse_page_spec("1-3,7") == [0, 1, 2, 6]
    assert parse_page_spec(" 7 , 2 - 3,2,1") == [0, 1, 2, 6]
    assert parse_page_spec("5") == [4]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("0", "numbered from 1"),
        ("3-1", "ends before it starts"),
        ("a", "'a' is not a page number"),
        ("", "empty"),
        ("1,", "'' is not a page number"),
        ("1-2-3", "is not a page number"),
        ("5-", "is not a page number"),
        ("1-999999999999", "above 100000"),
    ],
)
def test_parse_page_spec_errors(spec: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        parse_page_spec(spec)
