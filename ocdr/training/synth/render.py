"""Rendering synthetic text: recognizer crops (a word or a line) and whole pages with word boxes.

Box convention, shared by pages and crops: a word's box spans its ink horizontally and, vertically, the font's
cap-height top to descender bottom ("Hg"), so every word on a line gets the same height whatever its letters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocdr.geometry import map_points
from ocdr.io.labels import RegionLabel
from ocdr.training.synth.fonts import FontSpec, find_fonts
from ocdr.training.synth.text import TextSampler

# the ink weight step (``augment_gray``) thins ink only while it keeps this share of it: a 3 x 3 thinning wiped out
# print 20 px high, and 1.7% of the crops of ``ocdr synth lines`` before stop 92 were blank or nearly, yet labelled
INK_KEPT = 0.5
# a crop tilted (``tilt``) moves its ends by at most this x its height: turned 2 degrees in its own box, a line 900
# px long lost the ends of its glyphs (up to 13% of its ink; 2% or more in 2% of the crops before stop 92)
TILT_ROOM = 0.15


@lru_cache(maxsize=512)
def load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def vertical_extent(font: ImageFont.FreeTypeFont) -> tuple[int, int]:
    """(top, bottom) of the reference box relative to the baseline (top is negative)."""
    # Pillow annotates floats, for float stroke widths; without a stroke the box is in whole pixels
    _, top, _, bottom = cast("tuple[int, int, int, int]", font.getbbox("Hg", anchor="ls"))
    return top, bottom


def render_lines(
    lines: list[str], font_name: str = "DejaVuSans.ttf", size: int = 34, margin: int = 40, spacing: float = 1.9
) -> tuple[np.ndarray, list[RegionLabel]]:
    """A clean white RGB page with ``lines`` drawn in one font (a file name from the font list), and its word boxes:
    the tests' and benchmarks' pages of known text."""
    font = load_font(str(find_fonts([font_name])[0].path), size)
    top, bottom = vertical_extent(font)
    width = margin * 2 + int(max(font.getlength(line) for line in lines))
    height = margin * 2 + int(len(lines) * size * spacing)
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)
    labels = []
    for i, line in enumerate(lines):
        baseline = margin + (i + 1) * size * spacing - size * 0.6
        x: float = margin
        for word in line.split(" "):
            x0, _, x1, _ = font.getbbox(word, anchor="ls")
            draw.text((x - x0, baseline), word, font=font, fill="black", anchor="ls")
            box = np.array(
                [
                    [x, baseline + top],
                    [x + x1 - x0, baseline + top],
                    [x + x1 - x0, baseline + bottom],
                    [x, baseline + bottom],
                ],
                np.float32,
            )
            labels.append(RegionLabel(box, word))
            x += (x1 - x0) + font.getlength(" ")
    return np.asarray(page), labels


def render_headline(
    title: str, title_size: int, body: list[str], body_size: int
) -> tuple[np.ndarray, list[RegionLabel], list[RegionLabel]]:
    """``title`` in ``title_size``-pixel type over the ``body`` lines in ``body_size``-pixel type (``render_lines``):
    the page, the title's word labels and the body's, in the page's pixels (large-print tests and benchmarks)."""
    top, title_labels = render_lines([title], size=title_size, margin=40)
    bottom, body_labels = render_lines(body, size=body_size)
    page = np.full((top.shape[0] + bottom.shape[0], max(top.shape[1], bottom.shape[1]), 3), 255, np.uint8)
    page[: top.shape[0], : top.shape[1]] = top
    page[top.shape[0] :, : bottom.shape[1]] = bottom
    for label in body_labels:
        label.polygon = label.polygon + np.array([0, top.shape[0]], np.float32)
    return page, title_labels, body_labels


def render_list(bullet: str, items: list[str], font_name: str, size: int, gap: float = 1.2) -> np.ndarray:
    """A white RGB page with ``items`` one under another, each led by ``bullet`` set ``gap`` em before its text: the
    tests' and benchmarks' lists."""
    face = load_font(str(find_fonts([font_name])[0].path), size)
    step = int(size * 1.8)
    page = Image.new("RGB", (40 + int(size * (gap + 20)), 40 + step * len(items)), "white")
    draw = ImageDraw.Draw(page)
    for i, item in enumerate(items):
        draw.text((40, 20 + i * step), bullet, font=face, fill="black")
        draw.text((40 + size * gap, 20 + i * step), item, font=face, fill="black")
    return np.asarray(page)


def render_leaders(entries: list[tuple[str, str]], font_name: str, size: int, pitch: float = 0.45) -> np.ndarray:
    """A white RGB page with ``entries`` (title, number) one under another, each title led by dots ``pitch`` em apart
    to its number, set flush right: the tests' and benchmarks' tables of contents."""
    face = load_font(str(find_fonts([font_name])[0].path), size)
    page = Image.new("RGB", (40 + size * 40, 40 + int(size * 2) * len(entries)), "white")
    draw = ImageDraw.Draw(page)
    right = size * 38
    for i, (title, number) in enumerate(entries):
        y = 20 + i * int(size * 2)
        draw.text((40, y), title, font=face, fill="black")
        x, end = 40 + draw.textlength(title, font=face) + 8, right - draw.textlength(number, font=face) - 8
        while x < end:
            draw.text((x, y), ".", font=face, fill="black")
            x += size * pitch
        draw.text((right - draw.textlength(number, font=face), y), number, font=face, fill="black")
    return np.asarray(page)


def render_comb_fields(
    fields: list[tuple[str, str]], font_name: str, size: int, pitch: int, boxes: int = 12
) -> np.ndarray:
    """A white RGB form of comb fields, one under another: each label (Liberation Sans), then a row of ``boxes``
    boxes ``pitch`` px wide and 1.6 em tall, one character of its value written in ``font_name`` in the middle of
    each (a space leaves its box empty), in dark blue: the tests' and benchmarks' comb fields."""
    label = load_font(str(find_fonts(["LiberationSans-Regular.ttf"])[0].path), 20)
    face = load_font(str(find_fonts([font_name])[0].path), size)
    step, tall = int(size * 1.6) + 40, int(size * 1.6)
    page = Image.new("RGB", (280 + pitch * boxes, 40 + step * len(fields)), "white")
    draw = ImageDraw.Draw(page)
    for k, (name, value) in enumerate(fields):
        y = 30 + step * k
        draw.text((30, y + tall // 2 - 10), name, font=label, fill="black")
        for i in range(boxes):
            x = 240 + pitch * i
            draw.rectangle([x, y, x + pitch, y + tall], outline=(60, 60, 60), width=2)
            if i < len(value):
                draw.text((x + pitch / 2, y + tall / 2), value[i], font=face, fill=(20, 20, 120), anchor="mm")
    return np.asarray(page)


def render_superscripts(lines: list[list[tuple[str, str]]], font_name: str, size: int) -> np.ndarray:
    """A white RGB page with ``lines`` one under another, each a list of (text, script) runs: the text set on the
    line, then its superscript (if any) set as a word processor sets one, 0.58 the size, its baseline 0.33 em up,
    hugging the text; a script starting with "_" is a subscript, its baseline 0.14 em down ("H", "_2"): the tests'
    and benchmarks' pages of units, formulas and footnote markers."""
    path = str(find_fonts([font_name])[0].path)
    face, small = load_font(path, size), load_font(path, round(0.58 * size))
    page = Image.new("RGB", (40 + size * 30, 40 + int(size * 2) * len(lines)), "white")
    draw = ImageDraw.Draw(page)
    ascent, small_ascent = face.getmetrics()[0], small.getmetrics()[0]
    for i, runs in enumerate(lines):
        x, y = 40.0, 20 + i * int(size * 2)
        for text, script in runs:
            draw.text((x, y), text, font=face, fill="black")
            x += draw.textlength(text, font=face)
            if script:
                shift = round(0.14 * size) if script.startswith("_") else -round(0.33 * size)
                script = script.removeprefix("_")
                draw.text((x + 1, y + ascent + shift - small_ascent), script, font=small, fill="black")
                x += 1 + draw.textlength(script, font=small)
    return np.asarray(page)


def drawable(text: str, spec: FontSpec) -> bool:
    return all(c == " " or c in spec.coverage for c in text)


def font_for(text: str, spec: FontSpec, fonts: list[FontSpec], rng: np.random.Generator) -> FontSpec:
    """``spec`` when it draws ``text``, else one of ``fonts`` that does (``spec`` when none does). A crop's last
    resort, a dictionary word, is not checked against its font: a Latin-only font drew a Cyrillic word as a row of
    missing-glyph boxes, labelled as the word (1% of a Cyrillic set's crops). No draw when ``spec`` draws it, so the
    crops of sets that never fell back (English, Latin languages) stay what they were for their seeds."""
    if drawable(text, spec):
        return spec
    able = [f for f in fonts if drawable(text, f)]
    return able[int(rng.integers(len(able)))] if able else spec


# ----------------------------------------------------------------------------------------------- augmentation
def augment_gray(img: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Scan/photo degradations on a gray uint8 image: blur, resolution loss, noise, JPEG, contrast, ink weight."""
    out: np.ndarray = img.astype(np.float32)
    if rng.random() < 0.25 * strength:
        k = 3 if rng.random() < 0.5 else 2
        kernel = np.ones((k, k), np.uint8)
        op = cv2.erode if rng.random() < 0.5 else cv2.dilate
        weighted = op(out, kernel)
        if _ink(weighted) >= INK_KEPT * _ink(out):  # thinned past that, small print's 1-2 px strokes were wiped out
            out = weighted
    if rng.random() < 0.3 * strength:
        out = cv2.GaussianBlur(out, (0, 0), sigmaX=float(rng.uniform(0.3, 1.2)))
    if rng.random() < 0.3 * strength:
        h, w = out.shape[:2]
        f = float(rng.uniform(0.35, 0.8))
        small = cv2.resize(out, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
        out = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.25 * strength:
        lo, hi = float(rng.uniform(0, 80)), float(rng.uniform(170, 255))
        out = lo + out * (hi - lo) / 255.0
    if rng.random() < 0.5 * strength:
        out = out + rng.normal(0, float(rng.uniform(2, 12)), out.shape)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.3 * strength:
        ok, enc = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 90))])
        if ok:
            decoded = cv2.imdecode(enc, cv2.IMREAD_UNCHANGED)
            assert decoded is not None  # the JPEG just encoded
            out = decoded
    return out


def _ink(img: np.ndarray) -> int:
    """How many pixels are ink: farther from the ground (the median) than half the farthest pixel is."""
    away = np.abs(img - np.median(img))
    return int(np.count_nonzero(away > 0.5 * away.max())) if away.max() > 0 else 0


def _colors(rng: np.random.Generator) -> tuple[int, int]:
    """(background, ink) gray levels: mostly dark ink on paper, sometimes light on dark."""
    if rng.random() < 0.08:
        return int(rng.integers(0, 90)), int(rng.integers(170, 256))
    bg = int(rng.integers(170, 256))
    ink = int(rng.integers(0, max(1, min(110, bg - 80))))
    return bg, ink


# ------------------------------------------------------------------------------------------------- line crops
@dataclass
class CropSample:
    image: np.ndarray  # gray uint8
    text: str


def crop_layout(
    font: ImageFont.FreeTypeFont, text: str, rng: np.random.Generator, stroke: int = 0
) -> tuple[int, int, tuple[int, int]]:
    """(width, height, baseline origin) of a crop around ``text`` as a detector would box it: the reference box
    ("Hg", plus any outline) with random margins, a little into the text at the top at most."""
    # Pillow annotates floats, for float stroke widths; with a whole-pixel stroke the box is in whole pixels
    x0, y0, x1, y1 = cast("tuple[int, int, int, int]", font.getbbox(text, anchor="ls", stroke_width=stroke))
    ref_top, ref_bottom = vertical_extent(font)
    top, bottom = min(ref_top - stroke, y0), max(ref_bottom + stroke, y1)
    h = bottom - top
    mt, mb = (int(round(h * rng.uniform(-0.04, 0.3))) for _ in range(2))
    ml, mr = (int(round(h * rng.uniform(0.0, 0.45))) for _ in range(2))
    return max(1, x1 - x0 + ml + mr), max(1, h + mt + mb), (ml - x0, mt - top)


def tilt(img: np.ndarray, rng: np.random.Generator, max_deg: float = 2.0) -> np.ndarray:
    """Rotate a crop a little about its centre, its border repeated into the corners; a long crop less, so that its
    ends move by at most ``TILT_ROOM`` of its height (turned 2 degrees, a long line's ends left the crop)."""
    height, width = img.shape[:2]
    most = min(max_deg, math.degrees(math.atan(TILT_ROOM * height / max(width / 2, 1))))
    m = cv2.getRotationMatrix2D((width / 2, height / 2), float(rng.uniform(-1, 1)) * most, 1.0)
    return cv2.warpAffine(img, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def render_crop(text: str, spec: FontSpec, size_px: int, rng: np.random.Generator, augment: bool = True) -> np.ndarray:
    """Draw ``text`` tightly cropped as a detector would box it, with random margins, then degrade it."""
    font = load_font(str(spec.path), size_px)
    width, height, origin = crop_layout(font, text, rng)
    bg, ink = _colors(rng)
    canvas = Image.new("L", (width, height), bg)
    ImageDraw.Draw(canvas).text(origin, text, font=font, fill=ink, anchor="ls")
    img = np.asarray(canvas)
    if augment and rng.random() < 0.3:
        img = tilt(img, rng)
    if augment and rng.random() < 0.3:
        # background texture: a smooth random field
        field = cv2.resize(rng.normal(0, 1, (4, 8)).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
        img = np.clip(img.astype(np.float32) + field * float(rng.uniform(5, 25)), 0, 255).astype(np.uint8)
    return augment_gray(img, rng) if augment else img


def sample_crop(
    sampler: TextSampler,
    fonts: list[FontSpec],
    rng: np.random.Generator,
    line_prob: float = 0.3,
    augment: bool = True,
    end_prob: float = 0.0,
) -> CropSample:
    """One recognizer training sample: usually a single token, sometimes a line of several with spaces.
    ``end_prob``: the share of crops that end a sentence or clause (".", ",", ":" after a last letter or digit);
    the token sampler alone ends few crops so, and a thin last glyph at a crop's end is easily dropped."""
    spec = fonts[int(rng.integers(len(fonts)))]
    for _ in range(20):
        n = int(rng.integers(2, 9)) if rng.random() < line_prob else 1
        text = " ".join(sampler.words_line(n))
        if drawable(text, spec) and len(text) <= 64:
            break
    else:
        text = sampler.dictionary_word()
        spec = font_for(text, spec, fonts, rng)
    if end_prob and rng.random() < end_prob and text[-1].isalnum():
        text += str(rng.choice([".", ".", ".", ",", ":"]))
    size = int(rng.integers(14, 64))
    return CropSample(render_crop(text, spec, size, rng, augment), text)


# ------------------------------------------------------------------------------------------------------ pages
@dataclass
class PageStyle:
    dpi: float = 300.0
    width_in: float = 8.27  # A4
    height_in: float = 11.69
    min_pt: float = 8.0
    max_pt: float = 14.0
    noise: float = 1.0  # scales the degradations; 0 renders a clean page
    max_skew_deg: float = 0.0
    photo: float = 0.0  # 0: a scan; above: a photo of the page (photograph), its corners moved up to this x 10%
    dark: float = 0.0  # share of pages drawn light on dark (dark-mode screenshots, negatives); at 0 or 1 no draw


def photograph(
    img: np.ndarray, labels: list[RegionLabel], rng: np.random.Generator, strength: float = 1.0
) -> tuple[np.ndarray, list[RegionLabel]]:
    """A gray page as a phone photographs it: laid on a darker, textured surface that shows around it, seen at an
    angle (each corner moved by up to ``strength`` x 10% of the page's sides), lit unevenly and, more often than not,
    partly in a soft shadow. The image grows by a margin of ``strength`` x 10% + 4% of the page on every side, so
    that the whole sheet stays in view; the labels follow the page."""
    h, w = img.shape[:2]
    mx, my = (0.04 + 0.1 * strength) * w, (0.04 + 0.1 * strength) * h
    size = (int(w + 2 * mx), int(h + 2 * my))
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    moved = corners + [mx, my] + (rng.uniform(-1, 1, (4, 2)) * strength * 0.1 * [w, h]).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(corners, moved.astype(np.float32))
    page = cv2.warpPerspective(img, matrix, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full_like(img, 255), matrix, size, flags=cv2.INTER_LINEAR).astype(np.float32) / 255
    # the surface: a smooth field of a darker tone with a fine grain
    tone = float(rng.uniform(20, 140))
    field = cv2.resize(rng.normal(0, 1, (6, 6)).astype(np.float32), size, interpolation=cv2.INTER_CUBIC)
    surface = tone + field * float(rng.uniform(5, 30)) + rng.normal(0, float(rng.uniform(1, 8)), mask.shape)
    out = page * mask + surface * (1 - mask)
    # light falling off across the picture
    ys, xs = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float32)
    angle = float(rng.uniform(0, 2 * np.pi))
    ramp = (xs / size[0] - 0.5) * np.cos(angle) + (ys / size[1] - 0.5) * np.sin(angle)
    out = out * (1 - float(rng.uniform(0.05, 0.35)) * (ramp + 0.5))
    if rng.random() < 0.6:  # the shadow of the phone or a hand: one side of a soft-edged line darker
        angle = float(rng.uniform(0, 2 * np.pi))
        across = (xs - size[0] / 2) * np.cos(angle) + (ys - size[1] / 2) * np.sin(angle)
        edge = float(rng.uniform(-0.3, 0.3)) * max(size)
        softness = float(rng.uniform(0.01, 0.06)) * max(size)
        shade = 1 / (1 + np.exp(-np.clip((across - edge) / softness, -30, 30)))
        out = out * (1 - float(rng.uniform(0.15, 0.45)) * shade)
    mapped = [RegionLabel(map_points(lab.polygon, matrix), lab.text, lab.ignore) for lab in labels]
    return np.clip(out, 0, 255).astype(np.uint8), mapped


def _draw_words(
    draw: ImageDraw.ImageDraw,
    x: float,
    baseline: float,
    words: list[str],
    font,
    ink: int,
    space: float,
    x_max: float,
    labels: list[RegionLabel],
) -> float:
    """Draw words left to right from x until x_max; returns the x after the last word drawn."""
    top, bottom = vertical_extent(font)
    for word in words:
        x0, _, x1, _ = font.getbbox(word, anchor="ls")
        if x + (x1 - x0) > x_max:
            break
        draw.text((x - x0, baseline), word, font=font, fill=ink, anchor="ls")
        box = np.array(
            [
                [x, baseline + top],
                [x + x1 - x0, baseline + top],
                [x + x1 - x0, baseline + bottom],
                [x, baseline + bottom],
            ],
            dtype=np.float32,
        )
        labels.append(RegionLabel(box, word))
        x += (x1 - x0) + space
    return x


def render_page(
    sampler: TextSampler, fonts: list[FontSpec], rng: np.random.Generator, style: PageStyle | None = None
) -> tuple[np.ndarray, list[RegionLabel]]:
    """A document page: headings, paragraphs, key/value lines and table rows, in one or two columns."""
    style = style or PageStyle()
    width, height = int(style.width_in * style.dpi), int(style.height_in * style.dpi)
    bg = int(rng.integers(225, 256))
    ink = int(rng.integers(0, 70))
    page = Image.new("L", (width, height), bg)
    draw = ImageDraw.Draw(page)
    labels: list[RegionLabel] = []
    body = fonts[int(rng.integers(len(fonts)))]
    margin_x = width * rng.uniform(0.05, 0.12)
    margin_y = height * rng.uniform(0.04, 0.09)
    n_cols = 2 if rng.random() < 0.3 else 1
    gutter = width * 0.04
    col_w = (width - 2 * margin_x - gutter * (n_cols - 1)) / n_cols

    def px(pt: float) -> int:
        return max(6, int(round(pt * style.dpi / 72)))

    body_pt = float(rng.uniform(style.min_pt, style.max_pt))
    for col in range(n_cols):
        x_left = margin_x + col * (col_w + gutter)
        x_right = x_left + col_w
        y = margin_y
        while True:
            kind = rng.choice(["heading", "para", "para", "para", "kv", "table", "rule"])
            spec = body
            size_pt = body_pt
            if kind == "heading":
                spec = fonts[int(rng.integers(len(fonts)))]
                size_pt = body_pt * rng.uniform(1.2, 1.8)
            elif rng.random() < 0.2:
                spec = fonts[int(rng.integers(len(fonts)))]
                size_pt = float(rng.uniform(style.min_pt, style.max_pt))
            font = load_font(str(spec.path), px(size_pt))
            top, bottom = vertical_extent(font)
            line_h = (bottom - top) * rng.uniform(1.25, 1.7)
            space = font.getlength(" ") * rng.uniform(0.9, 1.4)
            n_lines = {
                "heading": 1,
                "para": int(rng.integers(2, 9)),
                "kv": int(rng.integers(1, 5)),
                "table": int(rng.integers(2, 7)),
                "rule": 0,
            }[kind]
            if y + line_h * max(1, n_lines) - top > height - margin_y:
                break
            if kind == "rule":
                yy = int(y)
                draw.line([(x_left, yy), (x_right, yy)], fill=ink, width=max(1, px(0.8)))
                y += line_h * 0.6
                continue
            for li in range(n_lines):
                baseline = y - top
                words = [w for w in sampler.words_line(40) if drawable(w, spec)]
                if kind == "table":
                    n_cells = int(rng.integers(2, 5))
                    cell_w = col_w / n_cells
                    for c in range(n_cells):
                        cell = words[c * 3 : c * 3 + int(rng.integers(1, 3))]
                        _draw_words(
                            draw,
                            x_left + c * cell_w,
                            baseline,
                            cell,
                            font,
                            ink,
                            space,
                            x_left + (c + 1) * cell_w - space,
                            labels,
                        )
                elif kind == "kv":
                    key = [w.rstrip(".,;") + ":" for w in words[:1]]
                    x = _draw_words(draw, x_left, baseline, key, font, ink, space, x_right, labels)
                    x = max(x, x_left + col_w * rng.uniform(0.25, 0.45))
                    _draw_words(
                        draw, x, baseline, words[1 : 1 + int(rng.integers(1, 5))], font, ink, space, x_right, labels
                    )
                else:
                    indent = space * 3 if (kind == "para" and li == 0 and rng.random() < 0.3) else 0
                    last = kind == "para" and li == n_lines - 1
                    limit = x_left + col_w * (rng.uniform(0.3, 0.9) if last else 1.0)
                    _draw_words(draw, x_left + indent, baseline, words, font, ink, space, limit, labels)
                y += line_h
            y += line_h * rng.uniform(0.3, 1.2)
    img = np.asarray(page)
    if style.max_skew_deg > 0:
        angle = float(rng.uniform(-style.max_skew_deg, style.max_skew_deg))
        m = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
        img = cv2.warpAffine(img, m, (width, height), flags=cv2.INTER_LINEAR, borderValue=bg)
        for label in labels:
            label.polygon = map_points(label.polygon, m)
    if style.photo > 0:
        img, labels = photograph(img, labels, rng, style.photo)
    if style.dark >= 1 or (style.dark > 0 and rng.random() < style.dark):
        img = 255 - img
    if style.noise > 0:
        img = augment_gray(img, rng, strength=0.6 * style.noise)
    return np.ascontiguousarray(np.stack([img] * 3, axis=2)), labels
