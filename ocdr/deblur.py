"""Motion blur: how far and which way a camera moved while the shutter was open, and the page sharpened again.

A camera that moves at a steady pace during the exposure smears every point of the page along a short line: the
page is convolved with a box of length L in the direction of the motion. Its spectrum is then multiplied by a sinc
whose zeros repeat every 1/L along that direction, so the log power spectrum carries a ripple of period 1/L, and
its Fourier transform (the cepstrum) a deep negative peak at the vector (L cos a, L sin a) and a weaker one, its
echo, at twice it (the classic cepstral estimate of linear motion blur). The spectrum itself dips along the lines
of the sinc's zeros. A page that was not smeared shows no such peak with its dips: its strokes make peaks of their
width without them, and JPEG blocks or a fax's resampling make lone peaks at 3-5 pixels.

The smear found, the page is sharpened by Wiener deconvolution with that box (``NOISE`` keeps the division by the
sinc's near-zeros from amplifying the noise). Horizontal shake of 9 pixels on a 300 dpi page takes "resourcefully"
to "resouceiuliy" and "16.6.1987" to "16.61987"; sharpened, both read right. Looking costs 8-25 ms a page (the
spectra of twelve 256-pixel squares); sharpening a smeared A4 page at 300 dpi about 0.7 s. Noise fills the zeros:
a smear under noise of a few gray levels is often still found, one under JPEG compression mostly not, and a page
whose smear is not found is read as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

TILE = 256  # pixels: the side of the squares whose spectra are averaged
TILES = 12  # the squares with the most detail are used (print, not margin)
STRIDE = 4  # pixels: a square's contrast is judged on every fourth pixel each way
MIN_CONTRAST = 12.0  # gray levels (RMS, less the surroundings): a square with less detail holds no print to measure
# Smears shorter than MIN_LENGTH read well as they are (and JPEG blocks and resampling make lone peaks at 3-4
# pixels); MAX_LENGTH keeps the echo, at twice the length, well inside the squares' cepstrum. The peak is looked
# for from SEARCH_FROM, so that a shorter smear's echo is not taken for a longer smear.
SEARCH_FROM, MIN_LENGTH, MAX_LENGTH = 3, 4.5, 40
# A smear must show a peak at least SMEAR_DEPTH deep (standard deviations below the ring's mean) and dips at its
# zeros (natural log of power, against halfway between them): dips of DEEP_NOTCH or deeper alone, or with a peak of
# PEAK_DEPTH, an echo at twice its vector of ECHO_DEPTH and dips of NOTCH_DEPTH. The print's own stroke widths make
# peaks of 4-10 pixels too, without the echo or the dips. Of 490 pages not smeared (FUNSD, SROIE and ICDAR 2015
# training pages; synthetic pages and photos of pages, at 0.5-2x and degraded every way benchmarks/degraded_pages.py
# degrades them but shake), 297 have their deepest point MIN_LENGTH or more out: none passes two of the second
# rule's three, and the deepest dips are -1.71. Smears of 5-30 pixels: dips of -2 to -7.
SMEAR_DEPTH, DEEP_NOTCH = 6.0, -4.0
PEAK_DEPTH, ECHO_DEPTH, NOTCH_DEPTH = 10.0, 3.5, -2.0
CEPSTRUM_SIGMA = 0.7  # pixels
NOISE_BAND = 0.45  # cycles per pixel: above, a smeared page's spectrum is its noise
NOTCH_BAND = 0.35  # cycles per pixel: below, a page's print outweighs its noise
NOISE = 0.01  # Wiener's noise-to-signal power ratio
FINE = 16  # a smear's kernel is drawn this many times finer than the page
STRIP = 1024  # rows deconvolved at a time
REACH = 10  # smear lengths: how far the Wiener filter reaches, as rows around a strip (and the page's mirrored edge)


@dataclass(frozen=True)
class MotionBlur:
    """A smear along the vector (``dx``, ``dy``) pixels (its length and direction); ``depth`` is how clearly the
    cepstrum shows it (standard deviations below its mean)."""

    dx: float
    dy: float
    depth: float

    @property
    def length(self) -> float:
        return math.hypot(self.dx, self.dy)


@cache
def _window() -> np.ndarray:
    """The squares' 2-D Hann window: their edges do not make a cross in the spectrum."""
    return np.outer(np.hanning(TILE), np.hanning(TILE)).astype(np.float32)


@cache
def _frequencies() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The x and y frequency (cycles per pixel) of each cell of an unshifted TILE x TILE spectrum, and its radius."""
    fy, fx = np.meshgrid(np.fft.fftfreq(TILE), np.fft.fftfreq(TILE), indexing="ij")
    return fx, fy, np.hypot(fx, fy)


@cache
def _ring() -> np.ndarray:
    """The cells of the centred cepstrum ``SEARCH_FROM``-``MAX_LENGTH`` pixels from its centre, in the half
    (y > 0, or y = 0 and x > 0) that holds every vector once: the cepstrum of a real image is symmetric."""
    ys, xs = np.mgrid[:TILE, :TILE] - TILE // 2
    radius = np.hypot(xs, ys)
    return (radius >= SEARCH_FROM) & (radius <= MAX_LENGTH) & ((ys > 0) | ((ys == 0) & (xs > 0)))


def _power(gray: np.ndarray) -> np.ndarray | None:
    """The mean power spectrum (TILE x TILE, unshifted) of the page's ``TILES`` squares with the most detail
    (half-overlapping, Hann-windowed); None when fewer than half that many hold print."""
    height, width = gray.shape
    half = TILE // 2
    rows, cols = height // half, width // half
    if rows < 2 or cols < 2:
        return None
    # each square's contrast from every STRIDE-th pixel of its 2 x 2 half-size blocks, less each pixel's
    # surroundings: print, not the edge of a sheet against a dark table or a shadow's
    step = half // STRIDE
    sample = gray[: rows * half : STRIDE, : cols * half : STRIDE].astype(np.float32)
    detail = np.square(sample - cv2.blur(sample, (5, 5))).reshape(rows, step, cols, step).sum(axis=(1, 3))
    spread = detail[:-1, :-1] + detail[1:, :-1] + detail[:-1, 1:] + detail[1:, 1:]
    spread = np.sqrt(spread / (4 * step * step)).ravel()
    order = np.argsort(spread)[::-1][:TILES]
    order = order[spread[order] >= MIN_CONTRAST]
    if len(order) < TILES // 2:
        return None
    window = _window()
    power = np.zeros((TILE, TILE), np.float64)
    for index in order:
        r, c = divmod(int(index), cols - 1)
        square = gray[r * half : r * half + TILE, c * half : c * half + TILE].astype(np.float32)
        spectrum = cv2.dft((square - square.mean()) * window, flags=cv2.DFT_COMPLEX_OUTPUT)
        power += np.square(spectrum[..., 0]) + np.square(spectrum[..., 1])
    return power / len(order)


def _log_signal(power: np.ndarray) -> np.ndarray:
    """The log of a power spectrum with its noise floor (the median of the highest frequencies, where a smeared
    page has no signal left) taken off, so that noise does not fill the smear's zeros."""
    *_, radius = _frequencies()
    floor = float(np.median(power[radius > NOISE_BAND]))
    return np.log(np.maximum(power - floor, 0.01 * floor + 1e-3))


def _cepstrum(log_signal: np.ndarray) -> np.ndarray:
    """The centred cepstrum of a log power spectrum."""
    # a real image's log spectrum is even, so its forward transform is its inverse (and real)
    spectrum = cv2.dft(log_signal.astype(np.float32), flags=cv2.DFT_COMPLEX_OUTPUT | cv2.DFT_SCALE)
    return np.fft.fftshift(spectrum[..., 0])


def _peak(cepstrum: np.ndarray) -> tuple[float, float, float, float]:
    """The deepest point of the cepstrum ``SEARCH_FROM``-``MAX_LENGTH`` pixels from its centre, (dx, dy) to a
    fraction of a pixel, and how deep it and its echo at twice the vector lie below the ring's mean, in standard
    deviations."""
    centre = TILE // 2
    # a smear along a vector that falls between pixels spreads its peak over their neighbours: blurring the
    # cepstrum gathers it
    cepstrum = cv2.GaussianBlur(cepstrum.astype(np.float32), (0, 0), CEPSTRUM_SIGMA)
    ring = _ring()
    values = cepstrum[ring]
    mean, spread = float(values.mean()), max(float(values.std()), 1e-12)
    y, x = divmod(int(np.argmin(np.where(ring, cepstrum, np.inf))), TILE)
    dy, dx = y - centre, x - centre
    echo = cepstrum[centre + 2 * dy - 1 : centre + 2 * dy + 2, centre + 2 * dx - 1 : centre + 2 * dx + 2]
    # the peak's lowest point between pixels: a parabola through it and its two neighbours, along each axis
    fine_dx, fine_dy = dx + _vertex(cepstrum[y, x - 1 : x + 2]), dy + _vertex(cepstrum[y - 1 : y + 2, x])
    return fine_dx, fine_dy, (mean - float(cepstrum[y, x])) / spread, (mean - float(echo.min())) / spread


def _vertex(values: np.ndarray) -> float:
    """Where, within half a pixel of the middle one, a parabola through three values at -1, 0, 1 turns."""
    before, middle, after = (float(v) for v in values)
    bend = before - 2 * middle + after
    return 0.0 if bend <= 0 else float(np.clip((before - after) / (2 * bend), -0.5, 0.5))


def _notch(log_signal: np.ndarray, dx: float, dy: float) -> float:
    """How much lower (natural log of power) the spectrum lies on the lines where a smear along (dx, dy) has its
    zeros (k / L cycles per pixel along it) than halfway between them, over the first three zeros below
    ``NOTCH_BAND``; near 0 for a page not smeared that way."""
    fx, fy, radius = _frequencies()
    length = math.hypot(dx, dy)
    along = np.abs(fx * dx + fy * dy) / length
    band = (radius > 0.02) & (radius < NOTCH_BAND)
    width = 0.12 / length
    dips = []
    for k in range(1, 4):
        if (k + 0.5) / length > NOTCH_BAND:
            break
        zero = band & (np.abs(along - k / length) < width)
        between = band & ((np.abs(along - (k - 0.5) / length) < width) | (np.abs(along - (k + 0.5) / length) < width))
        dips.append(float(np.median(log_signal[zero]) - np.median(log_signal[between])))
    return float(np.mean(dips)) if dips else 0.0


def motion_blur(gray: np.ndarray) -> MotionBlur | None:
    """The page's linear motion blur (a gray uint8 page), or None when it shows none of ``MIN_LENGTH`` or more:
    a cepstral peak with the spectrum's dips at its zeros, deep ones or shallower ones beside a deep peak and its
    echo."""
    power = _power(gray)
    if power is None:
        return None
    log_signal = _log_signal(power)
    dx, dy, depth, echo = _peak(_cepstrum(log_signal))
    if math.hypot(dx, dy) < MIN_LENGTH or depth < SMEAR_DEPTH:
        return None
    dips = _notch(log_signal, dx, dy)
    if dips <= DEEP_NOTCH or (depth >= PEAK_DEPTH and echo >= ECHO_DEPTH and dips <= NOTCH_DEPTH):
        return MotionBlur(dx, dy, depth)
    return None


def box_kernel(dx: float, dy: float) -> np.ndarray:
    """The smear of a camera moving along (``dx``, ``dy``) pixels during the exposure, in an odd square, centred
    and summing to 1 (``cv2.filter2D(page, -1, box_kernel(9, 0))`` smears a page 9 pixels sideways): a strip one
    pixel wide and as long as the vector, drawn ``FINE`` times finer and averaged down, so that its ends and sides
    fall between pixels where they should."""
    length = math.hypot(dx, dy)
    if length < 1.0:
        dx, dy, length = 1.0, 0.0, 1.0  # no motion: the page as it is
    size = 2 * math.ceil(max(abs(dx), abs(dy)) / 2) + 3
    centre = size * FINE / 2 - 0.5  # the middle pixel's centre, in the fine canvas's pixel coordinates
    # half a fine pixel in from each side: the fill takes every pixel its edges touch
    along, across = length * FINE / 2 - 0.5, FINE / 2 - 0.5
    ux, uy = dx / length, dy / length
    corners = [
        (centre + s * ux * along - t * uy * across, centre + s * uy * along + t * ux * across)
        for s, t in ((-1, -1), (1, -1), (1, 1), (-1, 1))
    ]
    canvas = np.zeros((size * FINE, size * FINE), np.float32)
    cv2.fillConvexPoly(canvas, np.round(np.float64(corners) * 256).astype(np.int32), 1.0, cv2.LINE_8, shift=8)
    kernel = cv2.resize(canvas, (size, size), interpolation=cv2.INTER_AREA)
    return kernel / kernel.sum()


def smear(image: np.ndarray, length: float, degrees: float = 0.0) -> np.ndarray:
    """``image`` as a camera moving ``length`` pixels at ``degrees`` (clockwise from the x axis) during the exposure
    would take it (``box_kernel``): camera shake for benchmarks and tests."""
    angle = math.radians(degrees)
    return cv2.filter2D(image, -1, box_kernel(length * math.cos(angle), length * math.sin(angle)))


def _wiener(rows: np.ndarray, box: np.ndarray) -> np.ndarray:
    """``rows`` (float32) deconvolved by ``box`` (a centred kernel), in the frequency domain, at a size the DFT is
    fast at (the rows mirrored past their right and bottom edges to reach it)."""
    height, width = rows.shape
    tall, wide = cv2.getOptimalDFTSize(height), cv2.getOptimalDFTSize(width)
    page = cv2.copyMakeBorder(rows, 0, tall - height, 0, wide - width, cv2.BORDER_REFLECT)
    size = len(box)
    kernel = np.zeros((tall, wide), np.float32)
    kernel[:size, :size] = box
    kernel = np.roll(kernel, (-(size // 2), -(size // 2)), (0, 1))  # centred on the origin: no shift
    smear = cv2.dft(kernel, flags=cv2.DFT_COMPLEX_OUTPUT)
    real, imag = smear[..., 0], smear[..., 1]
    power = real * real + imag * imag + NOISE
    inverse = np.stack([real / power, -imag / power], axis=-1)
    spectrum = cv2.mulSpectrums(cv2.dft(page, flags=cv2.DFT_COMPLEX_OUTPUT), inverse, 0)
    return cv2.idft(spectrum, flags=cv2.DFT_SCALE | cv2.DFT_REAL_OUTPUT)[:height, :width]


def deblur(image: np.ndarray, blur: MotionBlur) -> np.ndarray:
    """``image`` (gray, or HxWx3 RGB) sharpened by Wiener deconvolution of ``blur``. A colour page's luminance is
    sharpened, and each channel moved by the change, so one transform serves all three. The page is mirrored past
    its edges (so that they do not ring) and deconvolved ``STRIP`` rows at a time, each with ``REACH`` times the
    smear's length of rows around it (the filter's reach), so that a large page needs little memory."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    height, width = gray.shape
    pad = REACH * math.ceil(max(abs(blur.dx), abs(blur.dy)))
    flat = gray.astype(np.float32)
    page = cv2.copyMakeBorder(flat, pad, pad, pad, pad, cv2.BORDER_REFLECT)
    box = box_kernel(blur.dx, blur.dy)
    sharp = np.empty((height, width), np.float32)
    for top in range(0, height, STRIP):
        bottom = min(top + STRIP, height)
        sharp[top:bottom] = _wiener(page[top : bottom + 2 * pad], box)[pad : pad + bottom - top, pad : pad + width]
    if image.ndim == 2:
        return np.clip(sharp, 0, 255).astype(np.uint8)
    change = (sharp - flat)[..., None]
    return np.clip(image.astype(np.float32) + change, 0, 255).astype(np.uint8)


def sharpen(image: np.ndarray) -> np.ndarray:
    """An HxWx3 page with any linear motion blur it shows taken out (``motion_blur``); other pages as they are."""
    blur = motion_blur(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY))
    return image if blur is None else deblur(image, blur)
