"""Searchable PDF: each page image with an invisible text layer on top, words placed and stretched to their boxes, so
that selecting, searching and copying work and ``pdftotext`` gives the recognized text.

A PDF input keeps its own pages (content, fonts, vectors untouched; the text layer is added on top) unless
``rasterize=True``; images and TIFF pages are embedded losslessly (a JPEG file as it is). Image-based output is
written as PDF/A-2b (XMP identification, sRGB output intent); a PDF input's own pages may break PDF/A rules we
cannot check, so no such claim is made for them.

The text layer uses one font for every glyph: a Type0/Identity-H font whose character codes are the UTF-16 code
units of the text (a ToUnicode map says so to extractors), every glyph 1/2 em wide and the em spanning the word box's
height (ascent 0.8, descent 0.2). In words read with ``return_char_boxes``, each glyph is stretched over its
character's box instead, so that selecting part of a word selects the characters under it (the CLI, the server and
the OCRmyPDF plugin read with char boxes for a PDF). The text is invisible (rendering mode 3), yet the font's program
is embedded (``glyphless.ttf``: one box glyph, which every code but the space's maps to): without it pdfium's
stand-in font has no glyph for a character outside its own set (Cyrillic, Greek, check boxes), and pdfium leaves a
text object of one such glyph out of the page's text. Needs ``pikepdf`` (``pip install "ocdr[pdf]"``).
"""

from __future__ import annotations

import functools
import io
import itertools
import struct
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageCms

from ocdr.errors import InputError
from ocdr.io.inputs import PDF_MAGIC, Source, iter_pages
from ocdr.io.markup import DESCENT, PRODUCER, producer_version
from ocdr.io.pdf import password_problem

if TYPE_CHECKING:
    import pikepdf

    from ocdr.document import Document, Line, Page, Word

POINTS_PER_INCH = 72.0
DEFAULT_IMAGE_DPI = 300.0  # for images that carry no DPI of their own (the usual scanning resolution)
GLYPH_WIDTH = 0.5  # em: the advance of every glyph; Tz stretches each word to its box
# Extractors (pdfium) see two words where the gap between them is over about a third of a character's width, and
# word boxes split from one detected line nearly touch: a word followed by another on its line is drawn narrower,
# so that the gap is at least this many of its characters' widths.
MIN_GAP_CHARS = 0.4
FONT_NAME = "GlyphLessFont"
FONT_PROGRAM = Path(__file__).with_name("glyphless.ttf")  # scripts/make_glyphless_font.py writes it
MIN_GAP = 0.5  # pixels: no space character in narrower gaps
# degrees: a word box this near a page axis is drawn along it. Extractors (pdftotext) start a new word where a
# glyph's baseline moves by half a point, which glyphs over char boxes along a box tilted by a degree or two do
AXIS_SNAP = 2.0
ICC_DATE_SPAN = slice(24, 36)  # the ICC header's creation date: year, month, day, hour, minute, second (uint16 each)
ICC_DATE = (2000, 1, 1, 0, 0, 0)
Matrix = tuple[float, float, float, float, float, float]


def _pikepdf() -> Any:
    try:
        import pikepdf
    except ImportError as exc:
        raise ModuleNotFoundError(
            'the searchable PDF exporter needs pikepdf: pip install "ocdr[pdf]"', name="pikepdf"
        ) from exc
    return pikepdf


# ---- the text layer -----------------------------------------------------------------------------------------------


def _to_unicode_cmap() -> bytes:
    """CMap mapping every 2-byte code to the same UTF-16 code unit (ranges may only vary in their last byte)."""
    ranges = [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256)]
    chunks = [
        f"{len(ranges[i : i + 100])} beginbfrange\n" + "\n".join(ranges[i : i + 100]) + "\nendbfrange"
        for i in range(0, len(ranges), 100)
    ]
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(chunks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


def _text_font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    pk = _pikepdf()
    name = pk.Name
    descriptor = pk.Dictionary(
        Type=name.FontDescriptor,
        FontName=name("/" + FONT_NAME),
        Flags=5,
        FontBBox=[0, round(-1000 * DESCENT), round(1000 * GLYPH_WIDTH), round(1000 * (1 - DESCENT))],
        ItalicAngle=0,
        Ascent=round(1000 * (1 - DESCENT)),
        Descent=round(-1000 * DESCENT),
        CapHeight=round(1000 * (1 - DESCENT)),
        StemV=80,
    )
    program = FONT_PROGRAM.read_bytes()
    descriptor.FontFile2 = pdf.make_indirect(pk.Stream(pdf, zlib.compress(program), Filter=name.FlateDecode))
    descriptor.FontFile2.Length1 = len(program)
    # every code to the box glyph (1), but the space to the empty one (0): pdfium puts a space object that covers
    # an area among the glyphs by where it starts (after the next word's first glyph on a line down the page), and
    # one that covers none it leaves out, making its own spaces from the gaps
    glyphs = np.ones(0x10000, dtype=">u2")
    glyphs[ord(" ")] = 0
    cid_to_gid = pk.Stream(pdf, zlib.compress(glyphs.tobytes()), Filter=name.FlateDecode)
    cid_font = pk.Dictionary(
        Type=name.Font,
        Subtype=name.CIDFontType2,
        BaseFont=name("/" + FONT_NAME),
        CIDSystemInfo=pk.Dictionary(Registry=pk.String("Adobe"), Ordering=pk.String("Identity"), Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor),
        DW=round(1000 * GLYPH_WIDTH),
        CIDToGIDMap=pdf.make_indirect(cid_to_gid),
    )
    to_unicode = pk.Stream(pdf, zlib.compress(_to_unicode_cmap()))
    to_unicode.Filter = name.FlateDecode
    font = pk.Dictionary(
        Type=name.Font,
        Subtype=name.Type0,
        BaseFont=name("/" + FONT_NAME),
        Encoding=name("/Identity-H"),
        DescendantFonts=[pdf.make_indirect(cid_font)],
        ToUnicode=pdf.make_indirect(to_unicode),
    )
    return pdf.make_indirect(font)


def _codes(text: str) -> str:
    """The text as hex 2-byte codes: its UTF-16 code units."""
    return text.encode("utf-16-be").hex().upper()


def _word_frame(polygon: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Unit reading direction, baseline origin, width and height of a word polygon (pixels, y down)."""
    p = np.asarray(polygon, dtype=np.float64)
    along = ((p[1] - p[0]) + (p[2] - p[3])) / 2
    width = float(np.linalg.norm(along))
    height = float((np.linalg.norm(p[3] - p[0]) + np.linalg.norm(p[2] - p[1])) / 2)
    direction = along / width if width > 0 else np.array([1.0, 0.0])
    axis = np.round(direction)  # the page axis nearest the word's, where it is within AXIS_SNAP of one
    if abs(axis).sum() == 1 and float(direction @ axis) >= np.cos(np.radians(AXIS_SNAP)):
        direction = axis
    up = np.array([direction[1], -direction[0]])  # perpendicular, pointing up on screen
    origin = p[3] + DESCENT * height * up  # the bottom-left corner, raised by the descent
    return direction, origin, width, height


def _char_edges(word: Word, frame: tuple[np.ndarray, np.ndarray, float, float], width: float) -> np.ndarray | None:
    """Where each character's box (``return_char_boxes``) starts along its word's box, and where the last one ends:
    ``width``, the word as drawn (narrower than its box before a word that touches it; by more than half its last
    character, every character is narrowed alike). None for a word without char boxes, or with a character of two
    UTF-16 units (the text layer has a glyph per unit) or a box of no width."""
    if not word.chars or any(len(c.text.encode("utf-16-be")) != 2 for c in word.chars):
        return None
    direction, _, full, _ = frame
    quads = np.asarray([c.polygon for c in word.chars], dtype=np.float64)
    p = np.asarray(word.polygon, dtype=np.float64)
    starts = ((quads[1:, 0] + quads[1:, 3]) / 2 - (p[0] + p[3]) / 2) @ direction
    edges = np.clip(np.concatenate([[0.0], starts, [full]]), 0.0, full)
    if full - width > (full - edges[-2]) / 2:
        edges *= width / full
    else:
        edges[-1] = width
    return edges if bool((np.diff(edges) > 0).all()) else None


def _placed_glyphs(text: str, edges: np.ndarray, height: float) -> str:
    """The glyphs, each stretched over its character's box (``Tz``), a text object (``Tj``) each. A run of the same
    character shares one: pdfium drops a text object that repeats the one before it where their boxes overlap
    (taking them for the doubled glyphs of fake bold)."""
    ops, start = [], 0
    for _, run in itertools.groupby(text):
        end = start + len(list(run))
        advance = (edges[end] - edges[start]) / (end - start)
        ops.append(f"{100 * advance / (GLYPH_WIDTH * height):.3f} Tz <{_codes(text[start:end])}> Tj")
        start = end
    return " ".join(ops)


def _line_ops(line: Line, font: str, to_user: Matrix) -> Iterator[str]:
    frames = [_word_frame(word.polygon) for word in line.words]
    for i, word in enumerate(line.words):
        units = len(word.text.encode("utf-16-be")) // 2
        direction, origin, width, height = frames[i]
        if units == 0 or height < 1e-3 or width < 1e-3:
            continue
        gap = None
        if i + 1 < len(line.words):  # room for a gap (and a space) before the next word
            reach = float(np.dot(frames[i + 1][1] - origin, direction))
            # the gap measured against the last glyph where its char box is wider than the word's mean ("com" "or")
            last = _word_frame(word.chars[-1].polygon)[2] if word.chars and units == len(word.chars) else 0.0
            width = max(min(width, reach / (1 + MIN_GAP_CHARS / units), reach - MIN_GAP_CHARS * last), width / 2)
            gap = reach - width
        dx, dy = direction
        # glyphs over char boxes unless the word reads leftwards on the page: pdfium reads such one-glyph objects
        # backwards, in pieces
        leftwards = to_user[0] * dx + to_user[2] * dy < -abs(to_user[1] * dx + to_user[3] * dy)
        edges = None if leftwards else _char_edges(word, frames[i], width)
        frame = f"{dx:.5f} {dy:.5f} {dy:.5f} {-dx:.5f} {origin[0]:.2f} {origin[1]:.2f} Tm"
        if edges is None:  # every glyph as wide: the word stretched over its box
            yield f"/{font} {height:.2f} Tf {100 * width / (units * GLYPH_WIDTH * height):.2f} Tz"
            yield f"{frame} <{_codes(word.text)}> Tj"
        else:  # each glyph over its character
            yield f"/{font} {height:.2f} Tf {frame}"
            yield _placed_glyphs(word.text, edges, height)
        if gap is not None and gap > MIN_GAP:  # a space over the gap, for copy and paste
            yield f"{100 * gap / (GLYPH_WIDTH * height):.2f} Tz <0020> Tj"


def text_layer(page: Page, font: str, to_user: Matrix) -> bytes:
    """Content stream drawing the page's words invisibly; ``to_user`` maps page pixels (y down) to user space."""
    ops = ["q", " ".join(f"{v:.6f}" for v in to_user) + " cm", "BT", "3 Tr"]
    for line in page.lines:
        ops.extend(_line_ops(line, font, to_user))
    ops += ["ET", "Q"]
    return ("\n".join(ops) + "\n").encode("ascii")


# ---- page geometry ------------------------------------------------------------------------------------------------


def _inherited(page_obj: pikepdf.Dictionary, key: str) -> Any:
    """A page attribute, looked up the page tree as PDF inheritance says (/MediaBox, /CropBox, /Rotate, /Resources)."""
    node: Any = page_obj
    for _ in range(64):  # page trees are shallow; a cycle must not hang us
        if key in node:
            return node[key]
        if "/Parent" not in node:
            return None
        node = node.Parent
    return None


def pdf_pixel_matrix(page_obj: pikepdf.Dictionary, width_px: int, height_px: int) -> Matrix:
    """The matrix taking pixels of the page as rendered (crop box, /Rotate applied, y down, ``width_px`` x
    ``height_px``) to the page's user space."""
    media = [float(v) for v in _inherited(page_obj, "/MediaBox")]
    crop = _inherited(page_obj, "/CropBox")
    x0, y0, x1, y1 = [float(v) for v in crop] if crop is not None else media
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    rotate = int(_inherited(page_obj, "/Rotate") or 0) % 360
    w, h = (x1 - x0, y1 - y0) if rotate in (0, 180) else (y1 - y0, x1 - x0)
    sx, sy = w / width_px, h / height_px
    return {
        0: (sx, 0.0, 0.0, -sy, x0, y1),
        90: (0.0, sx, sy, 0.0, x0, y0),
        180: (-sx, 0.0, 0.0, sy, x1, y0),
        270: (0.0, -sx, -sy, 0.0, x1, y1),
    }[rotate]


# ---- building pages -----------------------------------------------------------------------------------------------


def _image_xobject(pdf: pikepdf.Pdf, image: np.ndarray, jpeg: bytes | None, jpeg_quality: int | None) -> Any:
    """The page image as an image XObject: given JPEG bytes as they are, else JPEG at ``jpeg_quality``, else
    lossless (Flate), in gray where the page has no colour."""
    pk = _pikepdf()
    gray = bool(np.array_equal(image[..., 0], image[..., 1]) and np.array_equal(image[..., 0], image[..., 2]))
    pixels = image[..., 0] if gray else image
    if jpeg is None and jpeg_quality is not None:
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, "JPEG", quality=jpeg_quality)
        jpeg = buffer.getvalue()
    if jpeg is not None:
        with Image.open(io.BytesIO(jpeg)) as img:
            gray = img.mode == "L"
        data, filter_ = jpeg, pk.Name.DCTDecode
    else:
        data, filter_ = zlib.compress(np.ascontiguousarray(pixels).tobytes(), 6), pk.Name.FlateDecode
    stream = pk.Stream(pdf, data)
    stream.Type, stream.Subtype = pk.Name.XObject, pk.Name.Image
    stream.Width, stream.Height = int(image.shape[1]), int(image.shape[0])
    stream.ColorSpace = pk.Name.DeviceGray if gray else pk.Name.DeviceRGB
    stream.BitsPerComponent = 8
    stream.Filter = filter_
    return stream


def _add_text_layer(pdf: pikepdf.Pdf, page_obj: Any, page: Page, font: Any, to_user: Matrix) -> None:
    pk = _pikepdf()
    for key in ("/MediaBox", "/CropBox", "/Rotate", "/Resources"):  # own them before changing the page
        value = _inherited(page_obj, key)
        if value is not None and key not in page_obj:
            page_obj[key] = value
    # shallow copies: resource dictionaries are often shared by several pages
    resources = pk.Dictionary(dict(page_obj.Resources.items())) if "/Resources" in page_obj else pk.Dictionary()
    fonts = pk.Dictionary(dict(resources.Font.items())) if "/Font" in resources else pk.Dictionary()
    name = "OcdrText"
    while "/" + name in fonts:
        name += "X"
    fonts["/" + name] = font
    resources.Font = fonts
    page_obj.Resources = resources
    contents = page_obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pk.Array) else ([contents] if contents is not None else [])
    layer = pk.Stream(pdf, zlib.compress(text_layer(page, name, to_user)))
    layer.Filter = pk.Name.FlateDecode
    page_obj.Contents = pk.Array([pk.Stream(pdf, b"q\n"), *streams, pk.Stream(pdf, b"\nQ\n"), layer])


def _point_scales(page: Page, dpi: float) -> tuple[float, float]:
    """PDF points per pixel across and down a page image at ``dpi`` across (pixels taller than wide: more down)."""
    return POINTS_PER_INCH / dpi, POINTS_PER_INCH * page.pixel_aspect / dpi


def _image_page(
    pdf: pikepdf.Pdf, page: Page, image: np.ndarray | None, dpi: float, jpeg: bytes | None, quality: int | None
) -> Any:
    """A new page of the image's size at ``dpi`` (across; down, ``dpi / page.pixel_aspect``) with the image (None:
    text only) and the text layer."""
    pk = _pikepdf()
    x_scale, y_scale = _point_scales(page, dpi)
    w_pt, h_pt = page.width * x_scale, page.height * y_scale
    resources = pk.Dictionary()
    contents = b""
    if image is not None:
        resources.XObject = pk.Dictionary(Im0=pdf.make_indirect(_image_xobject(pdf, image, jpeg, quality)))
        contents = f"q {w_pt:.4f} 0 0 {h_pt:.4f} 0 0 cm /Im0 Do Q\n".encode("ascii")
    page_obj = pdf.make_indirect(
        pk.Dictionary(
            Type=pk.Name.Page,
            MediaBox=[0, 0, round(w_pt, 4), round(h_pt, 4)],
            Resources=resources,
            Contents=pk.Stream(pdf, contents),
        )
    )
    pdf.pages.append(pk.Page(page_obj))
    return pdf.pages[-1].obj


# ---- documents ----------------------------------------------------------------------------------------------------


def _source_of(doc: Document, source: Any) -> Any:
    if source is not None:
        return source
    if doc.source and not doc.source.startswith("<") and Path(doc.source).is_file():
        return Path(doc.source)
    raise ValueError(
        "a searchable PDF needs the page images: pass source= (the path, bytes, array or PIL image that was read), "
        "or text_only=True for the text layer alone"
    )


def _is_pdf(obj: Any) -> bool:
    if isinstance(obj, (str, Path)):
        with open(obj, "rb") as f:
            return f.read(len(PDF_MAGIC)) == PDF_MAGIC
    return isinstance(obj, (bytes, bytearray, memoryview)) and bytes(obj[: len(PDF_MAGIC)]) == PDF_MAGIC


def _passthrough_jpeg(obj: Any, page: Page) -> bytes | None:
    """The file's own bytes when it is a one-frame gray or RGB JPEG of the page's size with no EXIF turn."""
    if isinstance(obj, (str, Path)):
        data = Path(obj).read_bytes()
    elif isinstance(obj, (bytes, bytearray, memoryview)):
        data = bytes(obj)
    else:
        return None
    if not data.startswith(b"\xff\xd8"):
        return None
    with Image.open(io.BytesIO(data)) as img:
        turned = img.getexif().get(0x0112, 1) != 1
        if img.format == "JPEG" and img.mode in ("L", "RGB") and img.size == (page.width, page.height) and not turned:
            return data
    return None


@functools.cache
def _srgb_profile() -> bytes:
    """LittleCMS's sRGB ICC profile with its header date pinned: LittleCMS stamps the time of the call, which would
    make two runs (or two worker processes) write different bytes for the same page."""
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    icc[ICC_DATE_SPAN] = struct.pack(">6H", *ICC_DATE)
    return bytes(icc)


def _mark_pdfa(pdf: pikepdf.Pdf, title: str | None) -> None:
    """PDF/A-2b identification: XMP metadata and an sRGB output intent (the images are device RGB or gray)."""
    pk = _pikepdf()
    profile = pk.Stream(pdf, _srgb_profile())
    profile.N = 3
    pdf.Root.OutputIntents = pk.Array(
        [
            pk.Dictionary(
                Type=pk.Name.OutputIntent,
                S=pk.Name.GTS_PDFA1,
                OutputConditionIdentifier=pk.String("sRGB"),
                Info=pk.String("sRGB IEC61966-2.1"),
                DestOutputProfile=pdf.make_indirect(profile),
            )
        ]
    )
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
        meta["xmp:CreatorTool"] = f"{PRODUCER} {producer_version()}"
        meta["pdf:Producer"] = f"{PRODUCER} {producer_version()} (pikepdf)"
        if title:
            meta["dc:title"] = title


def to_pdf(
    doc: Document,
    source: Any = None,
    *,
    rasterize: bool = False,
    dpi: float | None = None,
    jpeg_quality: int | None = None,
    text_only: bool = False,
    pdfa: bool = True,
    password: str | None = None,
) -> bytes:
    """The document as a searchable PDF.

    Args:
        source: what ``doc`` was read from (path, bytes, numpy array, PIL image); default ``doc.source`` when it is
            a file. Pages are matched by ``Page.index``.
        rasterize: for a PDF source, replace its pages by their images rather than adding text to them.
        dpi: page size for images that say no DPI of their own (default: their DPI metadata, else 300).
        jpeg_quality: embed page images as JPEG at this quality rather than losslessly (a JPEG file stays as is).
        text_only: pages with the text layer alone, sized as the page images (to lay over pages elsewhere).
        pdfa: mark image-based output as PDF/A-2b.
        password: an encrypted PDF source's password (as read with it). The output is not encrypted.
    """
    pk = _pikepdf()
    if not doc.pages:
        raise ValueError("the document has no pages")
    out = pk.new()
    font = _text_font(out)
    obj = None if text_only else _source_of(doc, source)
    if obj is not None and not rasterize and _is_pdf(obj):
        try:
            with warnings.catch_warnings():  # a password for a PDF that needs none (OCDR_PDF_PASSWORD set for a batch)
                warnings.filterwarnings("ignore", "A password was provided, but no password was needed")
                src = pk.open(
                    io.BytesIO(bytes(obj)) if not isinstance(obj, (str, Path)) else obj, password=password or ""
                )
        except pk.PasswordError as exc:
            raise InputError(f"{doc.source}: the source PDF cannot be opened ({password_problem(password)})") from exc
        with src:
            for page in doc.pages:
                if not 0 <= page.index < len(src.pages):
                    raise InputError(f"{doc.source}: page {page.index + 1} is not in the source PDF")
                out.pages.append(src.pages[page.index])
                page_obj = out.pages[-1].obj
                _add_text_layer(out, page_obj, page, font, pdf_pixel_matrix(page_obj, page.width, page.height))
            return _save(out)
    images = _page_images(doc, obj, password) if obj is not None else {}
    for page in doc.pages:
        page_dpi = page.dpi or dpi or DEFAULT_IMAGE_DPI
        image = images.get(page.index) if obj is not None else None
        if obj is not None and image is None:
            raise InputError(f"{doc.source}: page {page.index + 1} is not in the source")
        if image is not None and image.shape[:2] != (page.height, page.width):
            raise InputError(
                f"{doc.source}: page {page.index + 1} is {image.shape[1]}x{image.shape[0]} pixels but the result is "
                f"for {page.width}x{page.height}: pass the source that was read (and the same dpi for PDFs)"
            )
        jpeg = _passthrough_jpeg(obj, page) if image is not None and len(doc.pages) == 1 else None
        page_obj = _image_page(out, page, image, page_dpi, jpeg, jpeg_quality)
        if image is not None and page.angle in (90, 180, 270):  # shown upright, as the page stage read it: an
            page_obj.Rotate = 360 - page.angle  # upside-down page's layer read back backwards in pdfium
        x_scale, y_scale = _point_scales(page, page_dpi)
        _add_text_layer(out, page_obj, page, font, (x_scale, 0.0, 0.0, -y_scale, 0.0, page.height * y_scale))
    if pdfa:
        _mark_pdfa(out, Path(doc.source).name if doc.source and not doc.source.startswith("<") else None)
    return _save(out)


def _page_images(doc: Document, obj: Any, password: str | None) -> dict[int, np.ndarray]:
    """The source's page images by index, decoded (a PDF rendered at each page's DPI) as when it was read."""
    wanted = sorted({page.index for page in doc.pages})
    dpi = next((page.dpi for page in doc.pages if page.dpi), 200.0)
    name = doc.source or "<source>"
    pages = iter_pages(Source(name, obj, password), pages=wanted, dpi=dpi)
    return {page.index: page.image for page in pages}


def _save(pdf: pikepdf.Pdf) -> bytes:
    buffer = io.BytesIO()
    # deterministic_id: the file /ID is a hash of the content rather than random, so that the same result gives the
    # same bytes in every run and every worker process
    pdf.save(
        buffer, compress_streams=True, object_stream_mode=_pikepdf().ObjectStreamMode.generate, deterministic_id=True
    )
    return buffer.getvalue()


def merge_pdfs(parts: list[bytes]) -> bytes:
    """Several PDFs as one, pages in order (one searchable PDF for several uploaded files)."""
    pk = _pikepdf()
    out = pk.new()
    opened = [pk.open(io.BytesIO(part)) for part in parts]
    try:
        for part in opened:
            out.pages.extend(part.pages)
        return _save(out)
    finally:
        for part in opened:
            part.close()
