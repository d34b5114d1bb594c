"""Raster decoding: encoded image bytes, PIL images and numpy arrays to ``H x W x 3`` uint8 RGB arrays.

Every failure becomes an :class:`~ocdr.errors.InputError` that names the input, so a caller processing many
files can report one and go on; sizes are checked against a pixel limit before any pixel buffer is allocated.
"""

from __future__ import annotations

import io
import math
import re
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NamedTuple, SupportsFloat, cast

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ocdr.errors import InputError, InputTooLarge

# Pillow formats we decode: those of ``labels.IMAGE_SUFFIXES`` (PPM covers .pbm/.pgm/.ppm). Restricting
# Image.open keeps exotic plugins (EPS runs Ghostscript) away from untrusted data.
PIL_FORMATS = ("PNG", "JPEG", "BMP", "TIFF", "WEBP", "GIF", "JPEG2000", "PPM")
COLOR_ORDERS = ("rgb", "bgr")
_HIGH_DEPTH_MODES = {"I;16", "I;16L", "I;16B", "I;16N", "I", "F"}
LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601, as OpenCV and Pillow make gray
SAMPLED_PIXELS = 1_000_000  # what ``drawn_light`` looks at


def check_size(name: str, width: int, height: int, max_pixels: int | None) -> None:
    """Refuse empty images, and images over ``max_pixels`` while only their header has been read."""
    if width <= 0 or height <= 0:
        raise InputError(f"{name} has zero size ({width} x {height} pixels)")
    if max_pixels is not None and width * height > max_pixels:
        raise InputTooLarge(
            f"{name} is {width} x {height} = {width * height} pixels, over the pixel limit of {max_pixels} (max_pixels)"
        )


def select_pages(count: int, pages: Sequence[int] | None, name: str) -> list[int]:
    """The 0-based indices to decode, in document order: ``pages`` minus those past the end (None: all). A page
    selection is for multi-page inputs: a one-page input is read whole, so that ``--pages`` over a folder of images
    and PDFs does not fail every image; a multi-page input none of whose selected pages exist is an error."""
    if count == 0:
        raise InputError(f"{name} has no pages")
    if pages is None or count == 1:
        return list(range(count))
    chosen = sorted({index for index in pages if 0 <= index < count})
    if not chosen:
        raise InputError(f"{name} has {count} page{'s' if count != 1 else ''}; none of the requested pages exist")
    return chosen


@contextmanager
def decode_guard(name: str, max_pixels: int | None = None) -> Iterator[None]:
    """Turn whatever Pillow raises on bad data into an InputError naming the input, instead of a raw traceback."""
    try:
        with warnings.catch_warnings():
            # Our own max_pixels check decides; Pillow's warning would only repeat it, less precisely.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            yield
    except InputError:
        raise
    except Image.DecompressionBombError as exc:
        limit = f" of {max_pixels}" if max_pixels is not None else ""
        # Pillow's text names its own limit too, which contradicts ours: its count of pixels alone is kept
        size = re.search(r"\((\d+) pixels\)", str(exc))
        counted = f" ({size.group(1)} pixels)" if size else ""
        raise InputTooLarge(f"{name} is over the pixel limit{limit} (max_pixels){counted}") from exc
    except UnidentifiedImageError as exc:
        raise InputError(f"{name} is not a supported image or PDF") from exc
    except Exception as exc:  # corrupt data makes Pillow raise OSError, SyntaxError, ValueError, struct.error, ...
        raise InputError(f"{name} could not be decoded (corrupt or truncated?): {exc}") from exc


DPI_SNAP = 0.02  # PNG's pixels-per-metre rounding, in DPI
# a resolution under this is no scan's: Pillow reports 1 DPI for a TIFF with no resolution tags (as OpenCV and Pillow
# write them), which made a searchable PDF of a page 762 x 1000 inches
MIN_DPI = 10.0
# Horizontal and vertical resolutions farther apart than this no scanner or fax machine writes: such metadata is
# taken for square pixels.
PIXEL_ASPECT_MAX = 4.0
ORIENTATION_TAG = 0x0112  # EXIF Orientation; values 5-8 are a quarter turn (with or without a mirror)
EXIF_QUARTER_TURNS = (5, 6, 7, 8)


class Resolution(NamedTuple):
    """An image's resolution metadata: ``dpi`` its horizontal DPI (None where it has none, or a meaningless one);
    ``pixel_aspect`` how many times taller than wide its pixels are (horizontal over vertical DPI: 2.08 for a
    standard-mode fax's 204 x 98 DPI), 1.0 where unknown or implausible (over ``PIXEL_ASPECT_MAX`` either way)."""

    dpi: float | None = None
    pixel_aspect: float = 1.0


_PILLOW_LIMIT = threading.Lock()


@contextmanager
def _opened(data: bytes, max_pixels: int | None) -> Iterator[Image.Image]:
    """``data`` opened by Pillow, which refuses images over ``2 * Image.MAX_IMAGE_PIXELS`` before their size is
    visible to us: where ``max_pixels`` is over that, Pillow's limit is raised for the open alone and put back, so
    ours applies (never lowered; None leaves Pillow's). Raised for good, it left the host process's own
    ``Image.open`` calls without Pillow's decompression-bomb guard."""
    limit = Image.MAX_IMAGE_PIXELS
    if max_pixels is None or limit is None or max_pixels <= 2 * limit:
        yield Image.open(io.BytesIO(data), formats=PIL_FORMATS)
        return
    with _PILLOW_LIMIT:
        Image.MAX_IMAGE_PIXELS = math.ceil(max_pixels / 2)
        try:
            img = Image.open(io.BytesIO(data), formats=PIL_FORMATS)
        finally:
            Image.MAX_IMAGE_PIXELS = limit
    yield img


def _dpi_value(value: object) -> float | None:
    """One DPI figure, finite and at least ``MIN_DPI``, snapped to a whole number within ``DPI_SNAP`` (PNG stores
    whole pixels per metre, so 150 DPI reads back as 150.0124); None otherwise."""
    try:
        value = float(cast(SupportsFloat, value))  # whatever Pillow stored: what float() refuses is caught
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not (math.isfinite(value) and value >= MIN_DPI):
        return None
    return float(round(value)) if abs(value - round(value)) < DPI_SNAP else value


def image_resolution(img: Image.Image) -> Resolution:
    """The image's resolution from its metadata (TIFF, PNG, JPEG and the rest, as Pillow reports ``dpi``)."""
    dpi = img.info.get("dpi")
    if not isinstance(dpi, (tuple, list)) or not dpi:
        return Resolution()
    x = _dpi_value(dpi[0])
    y = _dpi_value(dpi[1]) if len(dpi) > 1 else x
    if img.getexif().get(ORIENTATION_TAG) in EXIF_QUARTER_TURNS:  # pil_to_rgb turns it upright: the axes swap
        x, y = y, x
    if x is None or y is None:
        return Resolution(x)
    aspect = x / y
    return Resolution(x, aspect if max(aspect, 1 / aspect) <= PIXEL_ASPECT_MAX else 1.0)


def iter_image_frames(
    data: bytes, name: str, max_pixels: int, pages: Sequence[int] | None = None
) -> Iterator[tuple[int, np.ndarray, Resolution]]:
    """Decode ``(index, RGB array, resolution)`` frames one at a time: every frame of a TIFF (those in ``pages`` if
    given), the first frame of other formats (animated GIF/WebP)."""
    with decode_guard(name, max_pixels), _opened(data, max_pixels) as opened:
        img = opened
    try:
        with decode_guard(name, max_pixels):
            count = _frame_count(img)
        for index in select_pages(count, pages, name):
            frame_name = f"{name} page {index + 1}" if count > 1 else name
            with decode_guard(frame_name, max_pixels):
                img.seek(index)
                check_size(frame_name, *img.size, max_pixels)
                frame = pil_to_rgb(img)
            yield index, frame, image_resolution(img)
    finally:
        img.close()


def _frame_count(img: Image.Image) -> int:
    """The pages of an image: every frame of a TIFF, only the first of other formats (animated GIF/WebP)."""
    # Pillow types n_frames on its multi-frame formats' classes only (an opened TIFF is a TiffImageFile)
    return img.n_frames if img.format == "TIFF" else 1  # type: ignore[attr-defined]


def image_frame_count(data: bytes, name: str) -> int:
    """How many pages ``iter_image_frames`` would decode, from the header alone."""
    with decode_guard(name), Image.open(io.BytesIO(data), formats=PIL_FORMATS) as img:
        return _frame_count(img)


def probe_image(data: bytes, name: str, max_pixels: int) -> None:
    """Check, from the header alone, that ``data`` is an image we decode and that its first frame is within
    ``max_pixels``: a cheap refusal before any decoding work is queued."""
    with decode_guard(name, max_pixels), _opened(data, max_pixels) as img, img:
        check_size(name, *img.size, max_pixels)


def decode_image_bytes(data: bytes, name: str, max_pixels: int) -> list[tuple[np.ndarray, Resolution]]:
    """All frames of an encoded image with their resolution, for callers that want them at once
    (see iter_image_frames)."""
    return [(frame, res) for _, frame, res in iter_image_frames(data, name, max_pixels)]


def pil_to_rgb(img: Image.Image) -> np.ndarray:
    """A PIL image of any mode, upright per its EXIF orientation, as ``H x W x 3`` uint8 RGB; transparency is
    composited onto white (the usual paper colour; onto black under light drawing, ``composite``) and
    16-bit/32-bit/float values are stretched over 0..255."""
    img = ImageOps.exif_transpose(img)
    if img.mode in _HIGH_DEPTH_MODES:
        return np.repeat(_stretch_to_uint8(np.asarray(img))[..., None], 3, axis=2)
    if img.has_transparency_data:
        return composite(np.asarray(img.convert("RGBA")))
    return np.array(img.convert("RGB"))


def array_to_rgb(arr: np.ndarray, name: str, color_order: str = "rgb", max_pixels: int | None = None) -> np.ndarray:
    """A numpy image as a new ``H x W x 3`` uint8 RGB array.

    Accepts ``H x W`` or ``H x W x 1/3/4`` of uint8, bool, uint16 (stretched over its actual range) or float in
    [0, 1]; ``color_order="bgr"`` for OpenCV arrays (BGRA with 4 channels); alpha is composited onto white
    (black under light drawing, ``composite``).
    """
    if color_order not in COLOR_ORDERS:
        raise ValueError(f"color_order must be one of {COLOR_ORDERS}, not {color_order!r}")
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (1, 3, 4)):
        raise InputError(f"{name} has shape {arr.shape}; expected H x W or H x W x 1, 3 or 4")
    check_size(name, arr.shape[1], arr.shape[0], max_pixels)
    pixels = _array_to_uint8(arr, name)
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    if color_order == "bgr" and pixels.shape[2] > 1:
        pixels = pixels[..., [2, 1, 0, 3][: pixels.shape[2]]]
    if pixels.shape[2] == 4:
        return composite(pixels)
    return np.repeat(pixels, 3 // pixels.shape[2], axis=2)


def _array_to_uint8(arr: np.ndarray, name: str) -> np.ndarray:
    """Values of an accepted dtype mapped to uint8 (the input itself when it already is)."""
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype == np.bool_:
        return arr.astype(np.uint8) * np.uint8(255)
    if arr.dtype == np.uint16:
        return _stretch_to_uint8(arr)
    if np.issubdtype(arr.dtype, np.floating):
        lo, hi = float(np.min(arr)), float(np.max(arr))
        if not (0.0 <= lo and hi <= 1.0):  # also refuses NaN
            raise InputError(f"{name} is a {arr.dtype} array with values in [{lo}, {hi}]; floats must be in [0, 1]")
        return np.round(arr * 255.0).astype(np.uint8)
    raise InputError(f"{name} has dtype {arr.dtype}; expected uint8, uint16, bool or float in [0, 1]")


def _stretch_to_uint8(values: np.ndarray) -> np.ndarray:
    """Map the values' actual range onto 0..255: Pillow's own conversion of deep images clips at 255 instead."""
    values = np.nan_to_num(values.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = float(values.min()), float(values.max())
    if hi <= lo:  # a flat image has no range to stretch: keep it black if it is 0, else white
        return np.full(values.shape, 255 if hi > 0 else 0, np.uint8)
    return np.round((values - lo) * (255.0 / (hi - lo))).astype(np.uint8)


def composite(rgba: np.ndarray) -> np.ndarray:
    """``H x W x 4`` uint8 RGBA over a plain ground, as ``H x W x 3`` uint8 RGB (rounded exactly): white (paper)
    under a dark drawing, black under a light one (``drawn_light``). White text on a transparent ground (a
    dark-mode screenshot, a subtitle or logo cut out) vanished on white: nothing was read of it."""
    alpha = rgba[..., 3:].astype(np.uint16)
    ground = 0 if drawn_light(rgba) else 255
    return ((rgba[..., :3] * alpha + ground * (255 - alpha) + 127) // 255).astype(np.uint8, order="C")


def drawn_light(rgba: np.ndarray) -> bool:
    """Whether what an RGBA image draws (its pixels weighted by their opacity) is lighter than mid-gray on the
    whole. Measured on at most about a million pixels, evenly spread: a mean needs no more."""
    step = max(1, round(math.sqrt(rgba.shape[0] * rgba.shape[1] / SAMPLED_PIXELS)))
    sample = rgba[::step, ::step].astype(np.float32)
    weight = sample[..., 3]
    luma = sample[..., :3] @ np.array(LUMA, np.float32)
    total = float(weight.sum())
    return total > 0 and float((luma * weight).sum()) / total > 127.5
