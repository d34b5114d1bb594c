"""PaddleX-style result image: the page with coloured regions on the left, their recognized text on the right."""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocdr.document import Page, polygon_angles, polygon_sizes

FILL_ALPHA = 80  # of 255: the page must stay readable under the fill
TEXT_FILL = 0.8  # share of the polygon height the font size takes


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans when the system has it, else Pillow's built-in scalable font, so no font install is needed."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _fitted_font(lines: list[str], width: int, height: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The font whose ``lines`` (a paragraph has several) fill ``TEXT_FILL`` of the height, shrunk to fit the width."""
    size = max(int(height * TEXT_FILL / len(lines)), 1)
    length = max(_font(size).getlength(line) for line in lines)
    if length > width:
        size = max(int(size * width / length), 1)
    return _font(size)


def _text_patch(text: str, width: float, height: float, angle: float) -> Image.Image:
    """``text`` centred in a transparent width x height patch, turned to the polygon's reading angle."""
    w, h = max(int(round(width)), 1), max(int(round(height)), 1)
    lines = text.split("\n")
    font = _fitted_font(lines, w, h)
    patch = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    spacing = h * (1 - TEXT_FILL) / len(lines)
    ImageDraw.Draw(patch).text((w / 2, h / 2), text, fill=(0, 0, 0, 255), font=font, anchor="mm", spacing=spacing)
    # PIL turns counter-clockwise for positive angles; ours are clockwise on screen (y down).
    return patch.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True) if abs(angle) >= 0.5 else patch


def draw_result(image: np.ndarray, page: Page, level: str = "word") -> np.ndarray:
    """RGB uint8 image twice the page width: the page with each item's polygon filled and outlined, then a white
    canvas with the same outlines and each item's text drawn inside them.

    ``image`` is the page as the pipeline saw it (RGB or gray uint8, ``page.width`` x ``page.height``);
    ``level`` is any ``Page.items`` level. Colours are random but seeded, so the same result draws the same.
    """
    if image.shape[:2] != (page.height, page.width):
        raise ValueError(
            f"image is {image.shape[1]}x{image.shape[0]} but page {page.index} is {page.width}x{page.height}"
        )
    items = page.items(level)
    left = Image.fromarray(image).convert("RGBA")
    overlay = Image.new("RGBA", left.size, (0, 0, 0, 0))
    right = Image.new("RGBA", left.size, (255, 255, 255, 255))
    draw_overlay, draw_right = ImageDraw.Draw(overlay), ImageDraw.Draw(right)
    rng = random.Random(0)
    for polygon, _, _ in items:
        colour = tuple(rng.randint(0, 200) for _ in range(3))  # not too light: outlines must show on white
        points = [tuple(p) for p in polygon.tolist()]
        draw_overlay.polygon(points, fill=(*colour, FILL_ALPHA), outline=(*colour, 255), width=2)
        draw_right.polygon(points, outline=(*colour, 255), width=2)
    for polygon, text, _ in items:  # after all outlines, so that no outline crosses a neighbour's text
        if text:
            width, height = polygon_sizes(polygon)[0]
            patch = _text_patch(text, width, height, float(polygon_angles(polygon)[0]))
            cx, cy = polygon.mean(axis=0)
            right.alpha_composite(patch, (int(round(cx - patch.width / 2)), int(round(cy - patch.height / 2))))
    canvas = Image.new("RGB", (2 * left.width, left.height))
    canvas.paste(Image.alpha_composite(left, overlay).convert("RGB"), (0, 0))
    canvas.paste(right.convert("RGB"), (left.width, 0))
    return np.array(canvas)


def save_visualization(path: str | Path, image: np.ndarray, page: Page, level: str = "word") -> None:
    """Write ``draw_result`` to ``path`` (format from the extension)."""
    Image.fromarray(draw_result(image, page, level)).save(path)
