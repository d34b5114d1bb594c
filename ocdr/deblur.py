"""Motion blur: how far and which way a camera moved while the shutter was open, and the page sharpened again.

A camera that moves at a steady pace during the exposure smears every point of the page along a short line: the
page is convolved with a box of length L in the direction of the motion. Its spectrum is then multiplied by a sinc
whose zeros repeat every 1/L along that direction, so the log power spectrum carries a ripple of period 1/L, and
its Fourier transform (the cepstrum) a deep negative peak at the vector (L cos a, L sin a) and a weaker one, its
echo, at twice it (the classic cepstral estimate of linear motion blur). The spectrum itself dips along the lines
of the sinc's zeros. A page that was not smeared shows no such peak with its dips: its strokes make peaks of their
width without them, and JPEG blocks or a fax's resampling make lone peaks at 3-5 pixels. JPEG compression after
the smear fills its dips but leaves its peak; such a page is told by deconvolving it: undone along its own vector
the smear leaves the page within its range of grays, while a sharp page deconvolved along any vector rings.

The smear found, the page is sharpened by Wiener deconvolution with that box (``NOISE`` keeps the division by the
sinc's near-zeros from amplifying the noise). Horizontal shake of 9 pixels on a 300 dpi page takes "resourcefully"
to "resouceiuliy" and "16.6.1987" to "16.61987"; sharpened, both read right. Looking costs 8-25 ms a page (the
spectra of twelve 256-pixel squares, and 40-55 ms more when a page's cepstrum has a peak without the dips);
sharpening a smeared A4 page at 300 dpi about 0.7 s. Noise fills the zeros: a smear under noise of a few gray
levels is often still found, and a page whose smear is not found is read as it is.
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
# JPEG compression after the smear fills its dips (its 8-pixel blocks spread each frequency's rounding over its
# neighbours) but leaves the peak where it was: a candidate is then taken when undoing it rings the page less than
# MAX_RINGING times what undoing it turned a quarter or LONGER times longer does (``_ringing``), the squares
# mirrored RING_PAD smear lengths past their edges; the RING_SQUARES squares with the most detail are enough (the
# twelve gave the same ratios to 0.04 on the pages that decided these numbers, for twice the time).
MAX_RINGING, LONGER, RING_PAD, RING_SQUARES = 0.35, 1.4, 3, 6
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


def _squares(gray: np.ndarray) -> list[np.ndarray] | None:
    """The page's ``TILES`` squares (TILE pixels, half-overlapping) with the most detail, the most first, as
    float32; None when fewer than half that many hold print."""
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
    corners = (divmod(int(index), cols - 1) for index in order)
    return [gray[r * half : r * half + TILE, c * half : c * half + TILE].astype(np.float32) for r, c in corners]


def _power(squares: list[np.ndarray]) -> np.ndarray:
    """The mean power spectrum (TILE x TILE, unshifted) of the squares, Hann-windowed."""
    window = _window()
    power = np.zeros((TILE, TILE), np.float64)
    for square in squares:
        spectrum = cv2.dft((square - square.mean()) * window, flags=cv2.DFT_COMPLEX_OUTPUT)
        power += np.square(spectrum[..., 0]) + np.square(spectrum[..., 1])
    return power / len(squares)


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


def _overshoot(squares: list[np.ndarray], ranges: np.ndarray, dx: float, dy: float) -> float:
    """How far the squares deconvolved with a smear along (dx, dy) go past their own ``ranges`` (low, high), as a
    share of them: the median of the squares' mean overshoot."""
    wiener = _Wiener(box_kernel(dx, dy))
    pad = RING_PAD * math.ceil(max(abs(dx), abs(dy)))
    shares = []
    for square, (low, high) in zip(squares, ranges, strict=True):
        sharp = wiener(cv2.copyMakeBorder(square, pad, pad, pad, pad, cv2.BORDER_REFLECT))[pad:-pad, pad:-pad]
        past = np.maximum(sharp - high, 0) + np.maximum(low - sharp, 0)
        shares.append(float(past.mean()) / max(float(high - low), 1.0))
    return float(np.median(shares))


def _ringing(squares: list[np.ndarray], dx: float, dy: float) -> float:
    """How much the squares ring deconvolved with a smear along (dx, dy), against deconvolved with the same smear
    turned a quarter and with one ``LONGER`` times longer (the geometric mean of the two ratios): well under 1 when
    that smear made them (undone, they barely overshoot their range, the 1st to 99th percentile; the others ring),
    near 1 or over on a page that was not smeared (every deconvolution rings it). Each comparison alone is fooled
    by something: the quarter turn by rules along the vector, which ring across it only, and the longer smear by a
    page out of focus, which rings at no length."""
    ranges = np.array([np.percentile(square[::2, ::2], (1, 99)) for square in squares])
    along = _overshoot(squares, ranges, dx, dy)
    across = _overshoot(squares, ranges, -dy, dx)
    longer = _overshoot(squares, ranges, LONGER * dx, LONGER * dy)
    return along / max(math.sqrt(across * longer), 1e-9)


def motion_blur(gray: np.ndarray) -> MotionBlur | None:
    """The page's linear motion blur (a gray uint8 page), or None when it shows none of ``MIN_LENGTH`` or more:
    a cepstral peak with the spectrum's dips at its zeros (deep ones, or shallower ones beside a deep peak and its
    echo), or one that undoing barely rings the page (``_ringing``: a smear under JPEG, whose blocks fill the
    dips)."""
    squares = _squares(gray)
    if squares is None:
        return None
    log_signal = _log_signal(_power(squares))
    dx, dy, depth, echo = _peak(_cepstrum(log_signal))
    if math.hypot(dx, dy) < MIN_LENGTH or depth < SMEAR_DEPTH:
        return None
    dips = _notch(log_signal, dx, dy)
    if (
        dips <= DEEP_NOTCH
        or (depth >= PEAK_DEPTH and echo >= ECHO_DEPTH and dips <= NOTCH_DEPTH)
        or _ringing(squares[:RING_SQUARES], dx, dy) <= MAX_RINGING
    ):
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
    cv2.fillConvexPoly(
        canvas, np.round(np.asarray(corners, dtype=np.float64) * 256).astype(np.int32), 1.0, cv2.LINE_8, shift=8
    )
    kernel = cv2.resize(canvas, (size, size), interpolation=cv2.INTER_AREA)
    return kernel / kernel.sum()


def smear(image: np.ndarray, length: float, degrees: float = 0.0) -> np.ndarray:
    """``image`` as a camera moving ``length`` pixels at ``degrees`` (clockwise from the x axis) during the exposure
    would take it (``box_kernel``): camera shake for benchmarks and tests."""
    angle = math.radians(degrees)
    return cv2.filter2D(image, -1, box_kernel(length * math.cos(angle), length * math.sin(angle)))


class _Wiener:
    """Wiener deconvolution by one centred kernel, in the frequency domain, at a size the DFT is fast at (the rows
    mirrored past their right and bottom edges to reach it); the inverse filter is computed once for each size, so
    equal squares or strips share it."""

    def __init__(self, box: np.ndarray) -> None:
        self.box = box
        self.inverses: dict[tuple[int, int], np.ndarray] = {}

    def _inverse(self, tall: int, wide: int) -> np.ndarray:
        if (tall, wide) not in self.inverses:
            size = len(self.box)
            kernel = np.zeros((tall, wide), np.float32)
            kernel[:size, :size] = self.box
            kernel = np.roll(kernel, (-(size // 2), -(size // 2)), (0, 1))  # centred on the origin: no shift
            smear = cv2.dft(kernel, flags=cv2.DFT_COMPLEX_OUTPUT)
            real, imag = smear[..., 0], smear[..., 1]
            power = real * real + imag * imag + NOISE
            self.inverses[tall, wide] = np.stack([real / power, -imag / power], axis=-1)
        return self.inverses[tall, wide]

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` (float32) deconvolved."""
        height, width = rows.shape
        tall, wide = cv2.getOptimalDFTSize(height), cv2.getOptimalDFTSize(width)
        page = cv2.copyMakeBorder(rows, 0, tall - height, 0, wide - width, cv2.BORDER_REFLECT)
        spectrum = cv2.mulSpectrums(cv2.dft(page, flags=cv2.DFT_COMPLEX_OUTPUT), self._inverse(tall, wide), 0)
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
    wiener = _Wiener(box_kernel(blur.dx, blur.dy))
    sharp = np.empty((height, width), np.float32)
    for top in range(0, height, STRIP):
        bottom = min(top + STRIP, height)
        sharp[top:bottom] = wiener(page[top : bottom + 2 * pad])[pad : pad + bottom - top, pad : pad + width]
    if image.ndim == 2:
        return np.clip(sharp, 0, 255).astype(np.uint8)
    change = (sharp - flat)[..., None]
    return np.clip(image.astype(np.float32) + change, 0, 255).astype(np.uint8)


def sharpen(image: np.ndarray) -> np.ndarray:
    """An HxWx3 page with any linear motion blur it shows taken out (``motion_blur``); other pages as they are."""
    blur = motion_blur(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY))
    return image if blur is None else deblur(image, blur)
