"""PDF rendering with pypdfium2, one page at a time, with every pdfium object closed as soon as it is done."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium

from ocdr.errors import InputError, InputTooLarge
from ocdr.io.images import check_size, select_pages

POINTS_PER_INCH = 72.0


def password_problem(password: str | None) -> str:
    """Why an encrypted PDF did not open, as the error messages say it: no password given, or a wrong one."""
    return "the password given is wrong" if password is not None else "encrypted without its password given"


@contextmanager
def _open_pdf(data: bytes | Path, name: str, password: str | None = None) -> Iterator[pdfium.PdfDocument]:
    """An open document, closed on exit (``password``: an encrypted one's user or owner password); pdfium's errors
    (corrupt, encrypted, a wrong password) become InputError."""
    try:
        pdf = pdfium.PdfDocument(data, password=password)
    except (pdfium.PdfiumError, OSError) as exc:
        # PDFium opens no PDF of no pages, and says why with a stale error code (the thread's last: "Incorrect
        # password error" or "Success" for the same file): no telling it from a corrupt one or one that wants a
        # password, so its words are left out
        raise InputError(
            f"{name} cannot be opened as a PDF (corrupt, {password_problem(password)}, or with no pages?)"
        ) from exc
    try:
        yield pdf
    finally:
        pdf.close()


def pdf_page_count(data: bytes | Path, name: str, password: str | None = None) -> int:
    """Number of pages of a PDF given as bytes or a path."""
    with _open_pdf(data, name, password) as pdf:
        return len(pdf)


def render_pdf_pages(
    data: bytes | Path,
    name: str,
    pages: Sequence[int] | None,
    dpi: float,
    max_pixels: int,
    password: str | None = None,
) -> Iterator[tuple[int, np.ndarray]]:
    """Render ``(index, H x W x 3 uint8 RGB)`` pages lazily, in document order: all pages, or those of the 0-based
    ``pages`` that exist. A page whose rendering would exceed ``max_pixels`` is refused before it is rendered,
    with the resolution at which it would not (``fitting_dpi``)."""
    if not (math.isfinite(dpi) and dpi > 0):
        raise ValueError(f"dpi must be a positive number, not {dpi!r}")
    scale = dpi / POINTS_PER_INCH
    with _open_pdf(data, name, password) as pdf:
        pdf.init_forms()  # before loading pages, so that filled-in form fields are rendered too
        for index in select_pages(len(pdf), pages, name):
            page_name = f"{name} page {index + 1}"
            try:
                width, height = pdf.get_page_size(index)  # points, after the page's /Rotate
                # pypdfium2 sizes the bitmap with ceil(), as here.
                try:
                    check_size(page_name, math.ceil(width * scale), math.ceil(height * scale), max_pixels)
                except InputTooLarge as exc:  # a poster, a drawing: say what resolution reads it
                    raise InputTooLarge(
                        f"{exc}; it fits at {fitting_dpi(width, height, max_pixels)} dpi (dpi)"
                    ) from exc
                image = _render(pdf, index, scale)
            except pdfium.PdfiumError as exc:
                raise InputError(f"{page_name} could not be rendered: {exc}") from exc
            yield index, image


def fitting_dpi(width: float, height: float, max_pixels: int) -> int:
    """The highest whole resolution at which a page of ``width`` x ``height`` points renders within
    ``max_pixels`` (0 when none does)."""
    dpi = math.floor(POINTS_PER_INCH * math.sqrt(max_pixels / (width * height)))
    while dpi > 0 and math.ceil(width * dpi / POINTS_PER_INCH) * math.ceil(height * dpi / POINTS_PER_INCH) > max_pixels:
        dpi -= 1
    return dpi


def _render(pdf: pdfium.PdfDocument, index: int, scale: float) -> np.ndarray:
    """One page as an RGB array that owns its memory (the pdfium bitmap and page are closed here)."""
    page = pdf[index]
    try:
        bitmap = page.render(scale=scale, rev_byteorder=True)  # reversed byte order: RGB rather than BGR
        try:
            return np.array(bitmap.to_numpy(), dtype=np.uint8, order="C")
        finally:
            bitmap.close()
    finally:
        page.close()
