"""Reading an unsure crop again, a few ways, and keeping the text the readings agree on.

A blurred or low-contrast word is often read right in a slightly different rendering of the same pixels: with a
margin around it, stretched wider (narrow scene fonts), a little narrower, or with its polarity swapped (light text on
a dark sign). The readings of a crop and its variants vote for their texts, each with its confidence, and the text
with the most confidence behind it wins. Only crops read below ``REREAD_BELOW`` sure are asked again.

The four variants and the gate were picked on fresh synthetic crops (600 scene words drawn on photos and 600 lines,
``ocdr synth scene|lines --seed 43``) out of 12 candidates (contrast stretch, CLAHE, sharpening, trimming, other
widths and margins); see docs/models.md, "Unsure crops read again".
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import NamedTuple

import cv2
import numpy as np

from ocdr.models.recognition.ctc import CTCResult
from ocdr.models.recognition.preprocess import to_gray

REREAD_BELOW = 0.95  # readings at least this sure stand (41-83% of the held-out real crops, by set)
ORIGINAL_WEIGHT = 1.01  # the crop as cut wins a tie
# degrees each way a word boxed axis-aligned is tried turned level (``untilt``); then ``TILT_STEP`` either side of
# the surest try, where it is surer than the crop's own reading
TILTS = (10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0)
TILT_STEP = 5.0
TILT_ASPECT = 2.5  # only crops narrower than this many heights: a long word's box stays wide when it is tilted
TILTED_ORIGINAL_WEIGHT = 2.0  # a dozen tilted readings against one: the crop's own counts twice
# a tilted reading shorter than this has no vote: turned steeply, a crop's blobs read "S" or "§" at tilt after tilt
TILTED_MIN_CHARS = 2
# an unsure crop narrower than this many heights is also read stretched ``WIDEN_FACTOR`` times wider (``widen``)
WIDEN_ASPECT = 1.6
WIDEN_FACTOR = 1.5


class Variant(NamedTuple):
    """A crop rendered again: ``image`` holds the crop's column x at ``x * scale + left``."""

    image: np.ndarray
    scale: float
    left: int


def _stretched(gray: np.ndarray, factor: float) -> Variant:
    width = max(1, round(gray.shape[1] * factor))
    interp = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    return Variant(cv2.resize(gray, (width, gray.shape[0]), interpolation=interp), width / gray.shape[1], 0)


def _margined(gray: np.ndarray, share: float) -> Variant:
    pad = max(1, round(share * gray.shape[0]))
    return Variant(cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_REPLICATE), 1.0, pad)


def _inverted(gray: np.ndarray) -> Variant:
    return Variant(255 - gray, 1.0, 0)


def _tilted(gray: np.ndarray, degrees: float) -> Variant | None:
    """The word boxed axis-aligned by ``gray``, had it run ``degrees`` (counterclockwise when positive) off level,
    turned level and cut to its own box with a margin: a w x h box turned by t has a bounding box w cos t + h sin t
    wide and w sin t + h cos t high, solved here for w and h. None where no box wider than tall fits so (or t is
    too near 45 degrees to tell). Its columns map back along the crop's width, by the cosine."""
    height, width = gray.shape
    cos, sin = math.cos(math.radians(abs(degrees))), math.sin(math.radians(abs(degrees)))
    det = cos * cos - sin * sin
    if abs(det) < 0.05:
        return None
    w, h = (width * cos - height * sin) / det, (height * cos - width * sin) / det
    if w <= 2 or h <= 2 or w < 0.8 * h:
        return None
    # 0.15 of a height past each end, 0.05 above and below (0.15 until stop 64: on 1,000 ICDAR 2015 training words
    # 0.776 -> 0.786, on synthetic slanted words 0.626 -> 0.661; docs/models.md)
    out_w, out_h = round(w + 0.3 * h), round(1.1 * h)
    m = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    m[:, 2] += (out_w / 2 - width / 2, out_h / 2 - height / 2)
    level = cv2.warpAffine(gray, m, (out_w, out_h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return Variant(level, 1 / cos, out_w / 2 - width / 2 / cos)


def slanted(image: np.ndarray, degrees: float, ground: int | None = None) -> np.ndarray:
    """``image`` turned by ``degrees`` (counterclockwise) and cut out by its axis-aligned box, 2 px around, as ICDAR
    2015's word crops are cut from their quads: the crops that ``_tilted`` turns level again (its tests and
    ``benchmarks/slanted_crops.py`` make them). Around the image its edges are repeated, or a ``ground`` gray."""
    height, width = image.shape[:2]
    side = max(height, width)  # room for it turned
    border = cv2.BORDER_REPLICATE if ground is None else cv2.BORDER_CONSTANT
    big = cv2.copyMakeBorder(image, side, side, side, side, border, value=ground or 0)
    m = cv2.getRotationMatrix2D((big.shape[1] / 2, big.shape[0] / 2), degrees, 1.0)
    turned = cv2.warpAffine(big, m, big.shape[1::-1], borderMode=border, borderValue=ground or 0)
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32) + side
    points = cv2.transform(corners[None], m)[0]
    (x0, y0), (x1, y1) = np.floor(points.min(0)).astype(int) - 2, np.ceil(points.max(0)).astype(int) + 2
    return np.ascontiguousarray(turned[max(0, y0) : y1, max(0, x0) : x1])


# the first is asked alone first: where it reads the crop's text, the others are not asked (that costs nothing in
# accuracy on the tuning or held-out crops, and saves 35-50% of the second readings)
VARIANTS: tuple[Callable[[np.ndarray], Variant], ...] = (
    lambda g: _margined(g, 0.05),
    lambda g: _stretched(g, 1.5),
    lambda g: _stretched(g, 0.9),
    _inverted,
)


def variants(crop: np.ndarray) -> list[Variant]:
    """The crop's (uint8, gray or RGB) variants, gray, in ``VARIANTS`` order."""
    gray = to_gray(crop)
    return [make(gray) for make in VARIANTS]


def _mapped(result: CTCResult, variant: Variant, crop_width: int, steps: int, confidence: float) -> CTCResult:
    """``result`` (read on ``variant``) with its character positions moved onto the crop's ``steps``, and its
    character probabilities scaled so that its confidence is ``confidence``."""

    def step(s: int) -> int:
        x = ((s + 0.5) / max(1, result.num_steps) * variant.image.shape[1] - variant.left) / variant.scale
        return int(np.clip(x / crop_width * steps, 0, steps - 1))

    positions = [(step(a), step(b)) for a, b in result.positions]
    scale = confidence / result.confidence if result.confidence > 0 else 0.0
    probs = [p * scale for p in result.char_probs]
    return replace(result, char_probs=probs, positions=positions, num_steps=steps)


def vote(readings: Sequence[CTCResult], weights: Sequence[float]) -> tuple[int, float]:
    """The reading whose text has the most confidence behind it (summed over the readings of that text, each times
    its weight): among the readings of that text, the surest (by weighted confidence). Returns its index and the
    text's share of the weights (its support over the weights' sum: 1 when every reading reads it, surely)."""
    support: dict[str, float] = defaultdict(float)
    for r, w in zip(readings, weights, strict=True):
        support[r.text] += w * r.confidence
    best = max(support, key=support.__getitem__)
    index = max(
        (i for i, r in enumerate(readings) if r.text == best), key=lambda i: weights[i] * readings[i].confidence
    )
    return index, support[best] / sum(weights)


def reread(
    read: Callable[[list[np.ndarray]], list[CTCResult]],
    crops: Sequence[np.ndarray],
    results: Sequence[CTCResult],
) -> list[CTCResult]:
    """``results`` (``read(crops)``) with each reading under ``REREAD_BELOW`` sure put to the vote
    (``vote``) of the crop's readings and its variants'. The first variant is read first; the others only where it
    reads another text. Where another text than the crop's reading wins, the crop takes the surest reading of it,
    its positions mapped onto the crop (words cut from it lie where they are in the crop) and its confidence the
    text's share of the vote: the surest of five readings is surer than any one reading, and the pipeline keeps
    faint regions by their reading's confidence (``WEAK_REGION_READING``), which the vote must not inflate."""
    unsure = [i for i, r in enumerate(results) if r.confidence < REREAD_BELOW]
    if not unsure:
        return list(results)
    made = {i: variants(crops[i]) for i in unsure}
    readings = {i: [results[i], r] for i, r in zip(unsure, read([made[i][0].image for i in unsure]), strict=True)}
    split = [i for i in unsure if readings[i][1].text != results[i].text]
    if split:
        rest = iter(read([v.image for i in split for v in made[i][1:]]))
        for i in split:
            readings[i] += [next(rest) for _ in VARIANTS[1:]]
    out = list(results)
    for i, seen in readings.items():
        out[i] = _voted(seen, ORIGINAL_WEIGHT, made[i], crops[i].shape[1])
    return out


def _voted(seen: list[CTCResult], own_weight: float, made: Sequence[Variant], crop_width: int) -> CTCResult:
    """The winner of ``vote`` among a crop's reading (``seen[0]``, weighted ``own_weight``) and its variants'
    (``made``, in order): the crop's own reading where its text wins, else the winning reading with its positions
    mapped onto the crop and the text's share of the vote for its confidence."""
    j, share = vote(seen, [own_weight] + [1.0] * (len(seen) - 1))
    if seen[j].text == seen[0].text:
        return seen[0]
    return _mapped(seen[j], made[j - 1], crop_width, seen[0].num_steps, share)


def untilt(
    read: Callable[[list[np.ndarray]], list[CTCResult]],
    crops: Sequence[np.ndarray],
    results: Sequence[CTCResult],
) -> list[CTCResult]:
    """``results`` (``read(crops)``) with each reading under ``REREAD_BELOW`` sure of a crop narrower than
    ``TILT_ASPECT`` heights put to the vote of the crop turned level as if its word ran ``TILTS`` degrees off level
    either way (``_tilted``), and ``TILT_STEP`` either side of the surest of those where it is surer than the crop's
    own reading. A word cut out by an axis-aligned box (ICDAR 2015's scene words, boxes from other tools) is read
    sideways along its slope; turned level and cut to its own box it is read as the recognizer learnt words. The
    crop's own reading counts ``TILTED_ORIGINAL_WEIGHT`` times: a text read at two tilts outvotes it, a lone tilt's
    reading seldom does. Readings shorter than ``TILTED_MIN_CHARS`` have no vote. Picked on synthetic scene words
    tilted 5-80 degrees (docs/models.md, "Words boxed at a slant")."""
    asked = _unsure_narrow(crops, results, TILT_ASPECT)
    grays = {i: to_gray(crops[i]) for i in asked}
    tries = {i: _tries(grays[i], [d for t in TILTS for d in (t, -t)]) for i in asked}
    readings = _read_tries(read, tries)
    finer: dict[int, list[tuple[float, Variant]]] = {}
    for i in asked:
        voting = [(r.confidence, d) for (d, _), r in zip(tries[i], readings[i], strict=True) if _votes(r)]
        surest, best = max(voting, default=(0.0, 0.0))
        if surest > results[i].confidence:
            finer[i] = _tries(grays[i], [best - TILT_STEP, best + TILT_STEP])
    for i, more in _read_tries(read, finer).items():
        tries[i] += finer[i]
        readings[i] += more
    out = list(results)
    for i in asked:
        voters = [(r, v) for (_, v), r in zip(tries[i], readings[i], strict=True) if _votes(r)]
        seen = [results[i]] + [r for r, _ in voters]
        out[i] = _voted(seen, TILTED_ORIGINAL_WEIGHT, [v for _, v in voters], crops[i].shape[1])
    return out


def widen(
    read: Callable[[list[np.ndarray]], list[CTCResult]],
    crops: Sequence[np.ndarray],
    results: Sequence[CTCResult],
) -> list[CTCResult]:
    """``results`` with each reading under ``REREAD_BELOW`` sure of a crop narrower than ``WIDEN_ASPECT`` heights
    replaced by ``read``'s reading of the crop stretched ``WIDEN_FACTOR`` times wider, where that one is surer and
    at least ``TILTED_MIN_CHARS`` long (stretched, a steeply slanted word's blob reads "%" or "§" surely), its
    positions mapped onto the crop. A word boxed nearly square is often a sign's condensed capitals ("Lift", "PAY",
    "OVER"), which the recognizer, trained on wider print, reads short or garbled; stretched, it reads them as it
    learnt words. ``reread`` has the same stretch among its variants, but there it is one voter of five, and
    ``untilt``'s slants can outvote even a right reading of a squat crop ("OVER" read "CIRR"). Picked on held-out
    ICDAR 2015 words (docs/models.md, "Squat crops read stretched")."""
    asked = _unsure_narrow(crops, results, WIDEN_ASPECT)
    made = {i: _stretched(to_gray(crops[i]), WIDEN_FACTOR) for i in asked}
    out = list(results)
    for i, r in zip(asked, read([made[i].image for i in asked]) if asked else [], strict=True):
        if r.confidence > results[i].confidence and _votes(r):
            out[i] = _mapped(r, made[i], crops[i].shape[1], results[i].num_steps, r.confidence)
    return out


def _unsure_narrow(crops: Sequence[np.ndarray], results: Sequence[CTCResult], aspect: float) -> list[int]:
    """The crops read under ``REREAD_BELOW`` sure and narrower than ``aspect`` heights."""
    return [
        i
        for i, r in enumerate(results)
        if r.confidence < REREAD_BELOW and crops[i].shape[1] < aspect * crops[i].shape[0]
    ]


def _votes(reading: CTCResult) -> bool:
    """Whether a tilted (or stretched) reading counts: turned steeply, a crop's blobs read "S" or "§" at tilt after
    tilt."""
    return len(reading.text) >= TILTED_MIN_CHARS


def _tries(gray: np.ndarray, slants: Sequence[float]) -> list[tuple[float, Variant]]:
    """``gray`` turned level at each of ``slants`` (degrees) that fits it (``_tilted``), with the slant."""
    return [(d, v) for d in slants if (v := _tilted(gray, d)) is not None]


def _read_tries(
    read: Callable[[list[np.ndarray]], list[CTCResult]], tries: dict[int, list[tuple[float, Variant]]]
) -> dict[int, list[CTCResult]]:
    """Every crop's tries read in one call: each crop's readings, in its tries' order."""
    images = [v.image for t in tries.values() for _, v in t]
    again = iter(read(images) if images else [])
    return {i: [next(again) for _ in t] for i, t in tries.items()}
