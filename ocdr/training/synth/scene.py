"""Scene-text crops: words drawn on patches of real photographs (``ocdr synth scene``).

Document crops (``render_crop``) sit on paper. A word on a sign, a shop front or a package sits on whatever the
photograph has around it, at any contrast, often outlined or shadowed, and a recognizer trained on paper alone reads
that clutter as letters. These crops put the synthetic text on real backgrounds: patches of the user's photos with
the text already in them (labelled regions of a page set) kept out, so that no real word is drawn over or learnt as
background.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from ocdr.io.labels import IMAGE_SUFFIXES, page_images
from ocdr.io.page_datasets import read_page_dataset
from ocdr.models.recognition.scripts import capitals
from ocdr.training.synth.fonts import FontSpec
from ocdr.training.synth.render import (
    CropSample,
    augment_gray,
    crop_layout,
    drawable,
    font_for,
    load_font,
    tilt,
)
from ocdr.training.synth.text import TextSampler

TEXT_MARGIN = 0.5  # labelled text is kept out of patches with this much of its height around it
MAX_SPREAD = 30.0  # gray-level standard deviation of a patch under the glyphs, above which another is tried
TILTED_DEGREES = (5.0, 40.0)  # how far a crop boxed at a slant (``tilted_share``) is turned, either way: the default


@dataclass(frozen=True)
class Background:
    path: Path
    text: tuple[np.ndarray, ...] = ()  # polygons of the text already in the photo


def find_backgrounds(folders: list[str | Path], exclude_pages: Sequence[str | Path] = ()) -> list[Background]:
    """The photos of ``folders``: a labelled page set (any layout ``read_page_dataset`` reads) gives its images with
    their text regions (``###`` ones too) to keep out; any other folder gives its image files, used whole. Images
    whose stem is a page of an ``exclude_pages`` set (a detector's held-out pages) are left out."""
    excluded = {p.stem for folder in exclude_pages for p in page_images(folder)}
    found: list[Background] = []
    for folder in map(Path, folders):
        if not folder.exists():
            raise FileNotFoundError(f"{folder}: no such file or folder")
        try:
            items = [(Path(image), tuple(lab.polygon for lab in labels)) for image, labels in read_page_dataset(folder)]
        except FileNotFoundError:
            if not folder.is_dir():
                raise
            items = [(p, ()) for p in sorted(folder.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES]
        found += [Background(path, text) for path, text in items if path.stem not in excluded]
    if not found:
        raise FileNotFoundError(f"no background images in {', '.join(map(str, folders))}")
    return found


class PatchSource:
    """Text-free patches of background photos, any size, at a random scale; recently used photos stay loaded."""

    def __init__(self, backgrounds: list[Background], cached: int = 48):
        self.backgrounds = backgrounds
        self.cached = cached
        self._loaded: OrderedDict[Path, tuple[np.ndarray, np.ndarray]] = OrderedDict()

    def _load(self, bg: Background) -> tuple[np.ndarray, np.ndarray]:
        """(gray photo, summed-area table of its text mask)."""
        if bg.path in self._loaded:
            self._loaded.move_to_end(bg.path)
            return self._loaded[bg.path]
        gray = cv2.imread(str(bg.path), cv2.IMREAD_GRAYSCALE)
        if gray is None:
            raise ValueError(f"{bg.path}: not a readable image")
        mask = np.zeros(gray.shape, np.uint8)
        for poly in bg.text:
            pts = np.round(poly).astype(np.int32)
            grow = int(TEXT_MARGIN * min(cv2.minAreaRect(poly.astype(np.float32))[1])) + 2
            cv2.fillPoly(mask, [pts], 1)
            cv2.polylines(mask, [pts], True, 1, thickness=2 * grow + 1)
        self._loaded[bg.path] = (gray, cv2.integral(mask))
        if len(self._loaded) > self.cached:
            self._loaded.popitem(last=False)
        return self._loaded[bg.path]

    def patch(self, rng: np.random.Generator, width: int, height: int) -> np.ndarray:
        """A ``height`` x ``width`` gray patch free of labelled text; a smooth random field when none is found."""
        for _ in range(30):
            gray, text = self._load(self.backgrounds[int(rng.integers(len(self.backgrounds)))])
            scale = float(np.exp(rng.uniform(np.log(0.5), np.log(2.5))))  # photo pixels per crop pixel
            w, h = int(width * scale) + 1, int(height * scale) + 1
            if w >= gray.shape[1] or h >= gray.shape[0]:
                continue
            x, y = int(rng.integers(gray.shape[1] - w)), int(rng.integers(gray.shape[0] - h))
            if text[y + h, x + w] - text[y, x + w] - text[y + h, x] + text[y, x]:
                continue
            area = cv2.INTER_AREA if scale > 1 else cv2.INTER_LINEAR
            return cv2.resize(gray[y : y + h, x : x + w], (width, height), interpolation=area)
        field = cv2.resize(rng.normal(0, 1, (4, 8)).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
        return np.clip(float(rng.uniform(40, 220)) + field * 20, 0, 255).astype(np.uint8)


def _contrasting(level: float, rng: np.random.Generator, least: float = 40.0) -> float:
    """A gray level that stands out from ``level``: mostly the side with more room, by 40 to 180 levels."""
    darker = rng.random() < (0.85 if level > 128 else 0.15)
    delta = float(rng.uniform(least, 180))
    ink = level - delta if darker else level + delta
    if abs(np.clip(ink, 0, 255) - level) < least:  # no room on that side: the other
        ink = level + delta if darker else level - delta
    return float(np.clip(ink, 0, 255))


def _mask(size: tuple[int, int], origin: tuple[int, int], text: str, font, stroke: int = 0) -> np.ndarray:
    canvas = Image.new("L", size, 0)
    ImageDraw.Draw(canvas).text(origin, text, font=font, fill=255, anchor="ls", stroke_width=stroke, stroke_fill=255)
    return np.asarray(canvas, np.float32) / 255.0


def render_scene_crop(
    text: str, spec: FontSpec, size_px: int, rng: np.random.Generator, patches: PatchSource, degrees: float = 0.0
) -> np.ndarray:
    """``text`` on a photo patch, boxed as a detector boxes it: ink that contrasts with the patch, sometimes an
    outline (20%), a drop shadow (20%) or ink that fades across the word (30%); then tilted and degraded.
    ``degrees``: the word's box turned so far (counterclockwise when positive) and the crop cut out by the turned
    box's axis-aligned bounds, 2 px around, as ICDAR 2015's word crops are cut from their quads; what the turned
    box leaves in the corners is more of the same photo."""
    font = load_font(str(spec.path), size_px)
    stroke = int(rng.integers(1, max(1, size_px // 14) + 1)) if rng.random() < 0.2 else 0
    width, height, origin = crop_layout(font, text, rng, stroke)
    bounds = None
    if degrees:  # the turned box's bounds, cut from the middle of a square canvas that they cover at any turn
        cos, sin = abs(math.cos(math.radians(degrees))), abs(math.sin(math.radians(degrees)))
        bounds = math.ceil(width * cos + height * sin) + 4, math.ceil(width * sin + height * cos) + 4
        side = math.ceil(math.hypot(*bounds)) + 2
        origin = origin[0] + (side - width) // 2, origin[1] + (side - height) // 2
        width = height = side
    glyphs = _mask((width, height), origin, text, font)
    # a patch even enough under the text for one ink to stand out from all of it: the calmest of a few
    calmest = None
    for _ in range(4):
        patch = patches.patch(rng, width, height).astype(np.float32)
        spread = float(patch[glyphs > 0.5].std()) if (glyphs > 0.5).any() else 0.0
        if calmest is None or spread < calmest[0]:
            calmest = (spread, patch)
        if spread <= MAX_SPREAD:
            break
    assert calmest is not None  # the loop above runs
    out = calmest[1]
    level = float((out * glyphs).sum() / max(glyphs.sum(), 1.0))
    if rng.random() < 0.2:
        dx, dy = (int(rng.integers(1, max(2, size_px // 10) + 1)) for _ in range(2))
        shadow = np.roll(glyphs, (dy, dx), axis=(0, 1))
        shadow = cv2.GaussianBlur(shadow, (0, 0), float(rng.uniform(0.5, 2.0)))
        out = out * (1 - shadow * float(rng.uniform(0.4, 0.9)))
    ink = _contrasting(level, rng)
    if stroke:
        rim = _mask((width, height), origin, text, font, stroke)
        out = out * (1 - rim) + _contrasting(ink, rng, 60.0) * rim
    if rng.random() < 0.3:
        ramp = np.linspace(-1, 1, width, dtype=np.float32)[None, :] * float(rng.uniform(10, 40))
        out = out * (1 - glyphs) + np.clip(ink + ramp, 0, 255) * glyphs
    else:
        out = out * (1 - glyphs) + ink * glyphs
    img = np.clip(out, 0, 255).astype(np.uint8)
    if bounds is not None:
        m = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
        img = cv2.warpAffine(img, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        x, y = (width - bounds[0]) // 2, (height - bounds[1]) // 2
        img = np.ascontiguousarray(img[y : y + bounds[1], x : x + bounds[0]])
    elif rng.random() < 0.3:
        img = tilt(img, rng, 3.0)
    return augment_gray(img, rng)


def sample_scene_crop(
    sampler: TextSampler,
    fonts: list[FontSpec],
    rng: np.random.Generator,
    patches: PatchSource,
    line_prob: float = 0.15,
    tilted_share: float = 0.0,
    tilted_degrees: tuple[float, float] = TILTED_DEGREES,
) -> CropSample:
    """One scene crop: a token (in capitals a third of the time more, as signs are), now and then 2-3 of them;
    ``tilted_share`` of them boxed at a slant of ``tilted_degrees`` (the least and the most) either way
    (``render_scene_crop``)."""
    spec = fonts[int(rng.integers(len(fonts)))]
    for _ in range(20):
        n = int(rng.integers(2, 4)) if rng.random() < line_prob else 1
        text = " ".join(sampler.words_line(n))
        if rng.random() < 0.3:
            text = capitals(text)
        if drawable(text, spec) and len(text) <= 40:
            break
    else:
        text = sampler.dictionary_word()
        spec = font_for(text, spec, fonts, rng)
    size_px = int(rng.integers(16, 72))
    degrees = 0.0
    if tilted_share and rng.random() < tilted_share:  # no draw without it: a seed's crops stay what they were
        degrees = float(rng.uniform(*tilted_degrees)) * (1 if rng.random() < 0.5 else -1)
    return CropSample(render_scene_crop(text, spec, size_px, rng, patches, degrees), text)
