"""Dot leaders (``ocdr.leaders``): a table of contents' and a menu's entries read with their leaders and numbers."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import load_font, render_leaders

ENTRIES = [("Introduction", "1"), ("Getting Started", "7"), ("Configuration", "15"), ("Index", "108")]


@pytest.mark.parametrize(("font", "size"), [("LiberationSerif-Regular.ttf", 22), ("LiberationSans-Bold.ttf", 16)])
def test_a_table_of_contents_is_read_entry_by_entry(ocr, font, size):
    """Stop 70's code read the titles, then the page numbers it found as a column of their own, and lost the ones
    the detector found nothing at ("1" and "7"; in the serif face "15" too)."""
    lines = ocr(render_leaders(ENTRIES, font, size)).pages[0].lines
    assert [(line.words[0].text, line.words[-1].text) for line in lines] == [
        (title.split()[0], number) for title, number in ENTRIES
    ]
    for line, (title, _) in zip(lines, ENTRIES, strict=True):
        dots = line.words[-2]
        assert set(dots.text) == {"."} and len(dots.text) >= 5
        assert " ".join(w.text for w in line.words[:-2]) == title
        assert dots.confidence == pytest.approx(0.9)


def test_dots_that_lead_nowhere_far_are_no_leader(ocr):
    # an ellipsis's three dots, and dots spaced unevenly, stay as read (no word of dots is added)
    face = load_font(str(find_fonts(["LiberationSans-Regular.ttf"])[0].path), 24)
    page = Image.new("RGB", (900, 160), "white")
    draw = ImageDraw.Draw(page)
    draw.text((40, 20), "Wait... what happened next", font=face, fill="black")
    x = 40 + draw.textlength("Uneven", font=face) + 8
    draw.text((40, 90), "Uneven", font=face, fill="black")
    for step in (6, 14, 7, 20, 9, 15):
        draw.text((x, 90), ".", font=face, fill="black")
        x += step
    words = ocr(np.asarray(page)).pages[0].words
    assert not any(w.text.count(".") >= 5 for w in words)
