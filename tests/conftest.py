"""Shared fixtures: the shipped models loaded once, and pages rendered with known text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocdr.io.labels import RegionLabel

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "letter.png"
SHARED_DATA = REPO.parent / "shared" / "data"

PAGE_LINES = [
    "Quarterly report for the northern region",
    "Revenue grew by 12% to $4,310.55 in March.",
    "Contact: sales@example.com or call 555-0147.",
    "Shipping and handling were billed separately.",
]


def render_lines(
    lines: list[str], font_name: str = "DejaVuSans.ttf", size: int = 34, margin: int = 40, spacing: float = 1.9
) -> tuple[np.ndarray, list[RegionLabel]]:
    """A white RGB page with ``lines`` drawn in one font, and its word boxes (cap top to descender bottom)."""
    from ocdr.training.synth.fonts import find_fonts
    from ocdr.training.synth.render import load_font, vertical_extent

    font = load_font(str(find_fonts([font_name])[0].path), size)
    top, bottom = vertical_extent(font)
    width = margin * 2 + int(max(font.getlength(line) for line in lines))
    height = margin * 2 + int(len(lines) * size * spacing)
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)
    labels = []
    for i, line in enumerate(lines):
        baseline = margin + (i + 1) * size * spacing - size * 0.6
        x = margin
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


@pytest.fixture(scope="session")
def ocr():
    from ocdr import OCR

    return OCR(threads=2)


@pytest.fixture(scope="session")
def text_page():
    return render_lines(PAGE_LINES)
