"""Whatever the user passes (paths, directories, bytes, numpy arrays, PIL images) turned into RGB pages.

:func:`expand_inputs` only names and lists the inputs; :func:`iter_pages` decodes one of them lazily, so a missing
or corrupt file raises its InputError when its turn comes and a long PDF is never rendered all at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ocdr.errors import InputError
from ocdr.io.images import (
    array_to_rgb,
    check_size,
    decode_guard,
    image_frame_count,
    image_resolution,
    iter_image_frames,
    pil_to_rgb,
    select_pages,
)
from ocdr.io.labels import IMAGE_SUFFIXES
from ocdr.io.pdf import pdf_page_count, render_pdf_pages

DEFAULT_MAX_PIXELS = 178_956_970  # ~ 13379 x 13379; refuse larger images before decoding pixels
PDF_EXTENSIONS = {".pdf"}
PDF_MAGIC = b"%PDF"
MAX_PAGE_NUMBER = 100_000  # bounds what parse_page_spec materialises, so a typo like "1-1000000000" cannot hang

_PAGE_RANGE = re.compile(r"\s*([0-9]+)\s*(?:-\s*([0-9]+)\s*)?")


@dataclass
class Source:
    """One user input, not yet decoded."""

    name: str  # path string, or "<bytes #i>", "<array #i>", "<image #i>" (i: position in the input list)
    obj: Path | bytes | np.ndarray | Image.Image
    password: str | None = None  # opens an encrypted PDF (other inputs ignore it)


@dataclass
class PageImage:
    """One decoded page."""

    image: np.ndarray  # H x W x 3 uint8 RGB, C-contiguous
    source: str  # Source.name
    index: int  # 0-based page index within the source (0 for single images)
    dpi: float | None = None  # render DPI for PDF pages, the image's DPI metadata when present, else None
    pixel_aspect: float = 1.0  # how many times taller than wide its pixels are, by the metadata (a fax: 2.08)


def expand_inputs(inputs: object, password: str | None = None) -> list[Source]:
    """One input or a list/tuple of them as Sources; a directory becomes its image and PDF files, recursively,
    sorted by path. A missing path is kept, so that decoding it reports its name and a batch can go on.
    ``password`` goes with every source, for the encrypted PDFs among them."""
    items = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    sources: list[Source] = []
    for position, item in enumerate(items):
        if isinstance(item, (bytes, bytearray, memoryview)):
            sources.append(Source(f"<bytes #{position}>", bytes(item)))
        elif isinstance(item, np.ndarray):
            sources.append(Source(f"<array #{position}>", item))
        elif isinstance(item, Image.Image):
            sources.append(Source(f"<image #{position}>", item))
        elif isinstance(item, (str, os.PathLike)):
            name = os.fsdecode(item)
            if not name:  # Path("") is "." : an unset setting read the working folder, unasked
                raise InputError(f"input #{position} is an empty path")
            path = Path(name)
            if path.is_dir():
                sources.extend(Source(str(file), file) for file in _directory_files(path, name))
            else:
                sources.append(Source(name, path))
        else:
            raise InputError(
                f"input #{position} has unsupported type {type(item).__name__}; expected a path (str or os.PathLike), "
                "bytes, bytearray, memoryview, numpy array, PIL image, or a list or tuple of these"
            )
    for source in sources:
        source.password = password
    return sources


def _directory_files(directory: Path, name: str) -> list[Path]:
    """The directory's image and PDF files (by extension, any case), recursively, sorted by path; hidden files and
    folders left out (macOS's "._scan.png" beside each file it copies is no image)."""
    suffixes = {*IMAGE_SUFFIXES, *PDF_EXTENSIONS}
    files = []
    for root, folders, file_names in os.walk(directory):
        folders[:] = [folder for folder in folders if not folder.startswith(".")]
        files += [
            Path(root, file_name)
            for file_name in file_names
            if not file_name.startswith(".") and Path(file_name).suffix.lower() in suffixes
        ]
    files.sort()
    if not files:
        raise InputError(f"{name} is a directory with no image or PDF files")
    return files


def iter_pages(
    source: Source,
    *,
    pages: Sequence[int] | None = None,
    dpi: float = 200.0,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    color_order: str = "rgb",
) -> Iterator[PageImage]:
    """Decode a source lazily into pages: every page of a PDF (rendered at ``dpi``) or multi-page TIFF, or the
    single page 0 of other images. ``pages`` selects 0-based pages (those past the end are skipped);
    ``color_order`` says how a numpy array's channels are ordered ("rgb", or "bgr" for OpenCV arrays)."""
    name, obj = source.name, source.obj
    if isinstance(obj, np.ndarray):
        select_pages(1, pages, name)
        yield PageImage(array_to_rgb(obj, name, color_order, max_pixels), name, 0)
    elif isinstance(obj, Image.Image):
        select_pages(1, pages, name)
        check_size(name, *obj.size, max_pixels)
        with decode_guard(name, max_pixels):
            image = pil_to_rgb(obj)
        yield PageImage(image, name, 0, *image_resolution(obj))
    else:
        data = _read(obj, name)
        if isinstance(data, Path) or data.startswith(PDF_MAGIC):
            for index, image in render_pdf_pages(data, name, pages, dpi, max_pixels, source.password):
                yield PageImage(image, name, index, dpi)
        else:
            for index, image, resolution in iter_image_frames(data, name, max_pixels, pages):
                yield PageImage(image, name, index, *resolution)


def crop_image(source: Source, max_pixels: int = DEFAULT_MAX_PIXELS, color_order: str = "rgb") -> np.ndarray:
    """The one image of a crop's source (``OCR.recognize``): an ``InputError`` for a PDF or multi-page file, whose
    pages are read with ``OCR()``, and for anything ``iter_pages`` refuses."""
    pages = iter_pages(source, max_pixels=max_pixels, color_order=color_order)
    first = next(pages, None)
    if first is None:
        raise InputError(f"{source.name} has no pages")
    if next(pages, None) is not None:
        raise InputError(f"{source.name} has more than one page; a crop is one image (read pages with OCR())")
    return first.image


def page_count(source: Source) -> int:
    """How many pages ``iter_pages`` would decode from a path or bytes source (all of them), without decoding any:
    lets a batch job split a long file into page tasks up front."""
    assert isinstance(source.obj, (Path, bytes)), "a path or bytes source"
    data = _read(source.obj, source.name)
    if isinstance(data, Path) or data.startswith(PDF_MAGIC):
        return pdf_page_count(data, source.name, source.password)
    return image_frame_count(data, source.name)


def _read(obj: Path | bytes, name: str) -> bytes | Path:
    """The bytes of a bytes or path source; a PDF file's path instead, as pdfium reads it without loading it whole."""
    if isinstance(obj, bytes):
        data = obj
    else:
        path = Path(obj)
        try:
            with path.open("rb") as file:
                data = file.read(len(PDF_MAGIC))
                if data == PDF_MAGIC:
                    return path
                data += file.read()
        except FileNotFoundError as exc:
            raise InputError(f"{name} does not exist") from exc
        except OSError as exc:
            raise InputError(f"{name} cannot be read: {exc.strerror or exc}") from exc
        except ValueError as exc:  # a path no file system takes (a NUL byte in it)
            raise InputError(f"{name!r} is not a valid path: {exc}") from exc
    if not data:
        raise InputError(f"{name} is empty")
    return data


def parse_page_spec(spec: str) -> list[int]:
    """``"1-3,7"`` -> ``[0, 1, 2, 6]``: users number pages from 1 (as viewers do), iter_pages from 0."""
    if not spec.strip():
        raise InputError("page spec is empty; expected page numbers and ranges such as 1-3,7")
    indices: set[int] = set()
    for part in spec.split(","):
        match = _PAGE_RANGE.fullmatch(part)
        if match is None:
            raise InputError(f"page spec {spec!r}: {part.strip()!r} is not a page number or a range such as 2-5")
        first, last = int(match[1]), int(match[2] or match[1])
        if first < 1:
            raise InputError(f"page spec {spec!r}: pages are numbered from 1")
        if last < first:
            raise InputError(f"page spec {spec!r}: range {part.strip()!r} ends before it starts")
        if last > MAX_PAGE_NUMBER:
            raise InputError(f"page spec {spec!r}: page numbers above {MAX_PAGE_NUMBER} are not supported")
        indices.update(range(first - 1, last))
    return sorted(indices)
