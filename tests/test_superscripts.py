"""Superscript and subscript figures (``ocdr.superscripts``): found by their ink, read, and put in their words."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocdr.document import Word
from ocdr.geometry import quad_from_box
from ocdr.superscripts import Superscript, attach, figures, find_raised
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import load_font, render_superscripts

LINES = [
    [("The room is 25 m", "2"), (" and the tank 3 m", "3"), (" in all.", "")],
    [("See the appendix", "1"), (" for details and the notes", "12"), (" below.", "")],
    [("The rate falls by 10", "-3"), (" per cycle.", "")],
]


def _font(name: str = "DejaVuSans.ttf", size: int = 40):
    return load_font(str(next(f for f in find_fonts() if f.path.name == name).path), size)


def _line(text: str, font, marks: list[tuple[float, float, str]] = ()) -> tuple[np.ndarray, np.ndarray]:
    """A gray line of ``text`` and its region's quad, with ``marks`` (text drawn 0.6 the size, its box's left and
    top ``dx``, ``dy`` from the line's ink's right end and top)."""
    image = Image.new("L", (900, 160), 255)
    draw = ImageDraw.Draw(image)
    draw.text((40, 60), text, font=font, fill=0)
    x0, y0, x1, y1 = draw.textbbox((40, 60), text, font=font)
    small = font.font_variant(size=font.size * 3 // 5)
    for dx, dy, mark in marks:
        left, top, _, _ = draw.textbbox((0, 0), mark, font=small)
        draw.text((x1 + dx - left, y0 + dy - top), mark, font=small, fill=0)
    return np.asarray(image), quad_from_box(x0 - 2, y0 - 4, x1 + 2, y1 + 4)


def test_find_raised_finds_small_raised_ink_after_a_word_only():
    font = _font()
    gray, quad = _line("area m", font, [(2, -4, "2")])
    (found,) = find_raised(gray, [quad])
    x1 = quad[1, 0] - 2
    assert x1 < found.x <= x1 + 6 and found.height < 0.65 * (quad[2, 1] - quad[0, 1])
    # the same figure standing on the line, a quote's thin stroke, and a figure with ink under it (a glyph broken
    # in two, a fraction's slash) are not superscripts
    for marks in ([(2, 8, "2")], [(2, -4, "'")], [(2, -4, "2"), (2, 14, "l")]):
        gray, quad = _line("area m", font, marks)
        assert find_raised(gray, [quad]) == [], marks


def test_find_raised_finds_small_sunk_ink_in_a_formula():
    font = _font()
    gray, quad = _line("H", font, [(2, 20, "2")])
    (found,) = find_raised(gray, [quad])
    assert found.sunk and found.y > quad[0, 1] + 10
    # a figure with ink over it reaching higher (a glyph broken in two) is no subscript
    gray, quad = _line("H", font, [(2, 20, "2"), (2, -2, "l")])
    assert not any(f.sunk for f in find_raised(gray, [quad]))


def test_figures_keeps_figures_and_signs_only():
    box = Superscript(0, 0, 6, 10)
    assert figures(box, "2", 0.99).text == "²"
    assert figures(box, "12", 0.99).text == "¹²"
    assert figures(box, "-1", 0.99).text == "⁻¹"
    assert figures(box, "2,3", 0.99).text == "²,³" and figures(box, "1-4", 0.99).text == "¹⁻⁴"
    assert figures(box, "2,", 0.99) is None and figures(box, "1.5", 0.99) is None
    for text in ("x", "'", "*", "TM", "+", ""):
        assert figures(box, text, 0.99) is None, text
    assert figures(Superscript(0, 0, 10, 10), "0", 0.99) is None  # a ring: a degree sign
    assert figures(box, "0", 0.99).text == "⁰"
    assert figures(Superscript(0, 0, 6, 10, sunk=True), "12", 0.99).text == "₁₂"


def test_attach_puts_figures_after_the_word_on_their_left():
    words = [Word(quad_from_box(0, 20, 60, 50), "area", 0.95), Word(quad_from_box(70, 20, 90, 50), "m", 0.99)]
    sup = Superscript(91, 14, 8, 14, text="²", confidence=0.97)
    out = attach(words, [sup], chars=False)
    assert [w.text for w in out] == ["area", "m²"]
    np.testing.assert_allclose(out[1].polygon, quad_from_box(70, 14, 99, 50))
    assert out[1].confidence == 0.97
    # a word read with the mark after its superscript ("quarter⁴." read "quarter.") takes it before the mark
    quarter = [Word(quad_from_box(0, 20, 110, 50), "quarter.", 0.95)]
    assert attach(quarter, [Superscript(100, 14, 8, 14, text="⁴", confidence=0.97)])[0].text == "quarter⁴."
    # a footnote's number at its line's start stands alone; one above another line's words is no word's
    # subscripts go where they stand in a word read across them ("HO" read for "H₂O"), or after it
    formula = [Word(quad_from_box(0, 20, 90, 50), "CHO", 0.95)]
    subs = [Superscript(x, 40, 8, 14, True, text, 0.97) for x, text in ((31, "₆"), (61, "₁₂"), (91, "₆"))]
    assert attach(formula, subs)[0].text == "C₆H₁₂O₆"
    alone = attach(words, [Superscript(0, 100, 8, 14, text="¹", confidence=0.95)], chars=True)
    assert [w.text for w in alone] == ["area", "m", "¹"] and [c.text for c in alone[2].chars] == ["¹"]


@pytest.mark.parametrize("font", ["LiberationSerif-Regular.ttf", "DejaVuSans.ttf"])
def test_superscripts_are_read_after_their_words(ocr, font):
    """Units, footnote markers: read as nothing or as a quote taken into the next word ("appendix 'for") before."""
    if not any(f.path.name == font for f in find_fonts()):
        pytest.skip("needs fonts-liberation2 (scripts/install-fonts.sh)")
    text = ocr(render_superscripts(LINES, font, 30)).text
    assert "25 m² and the tank 3 m³ in all." in text
    assert "See the appendix¹ for details and the notes¹² below." in text
    assert "The rate falls by 10⁻³ per cycle." in text  # a sign too small to be a figure, taken with them


def test_subscripts_are_read_in_their_words(ocr):
    """Formulas: the subscripts were read as marks ("H.0", "CgHO") before."""
    lines = [[("Water is H", "_2"), ("O and carbon dioxide CO", "_2"), (".", "")],
             [("Glucose is C", "_6"), ("H", "_12"), ("O", "_6"), (" in short.", "")]]  # fmt: skip
    text = ocr(render_superscripts(lines, "DejaVuSans.ttf", 30)).text
    assert "Water is H₂O and carbon dioxide CO₂." in text
    assert "Glucose is C₆H₁₂O₆ in short." in text


def test_a_lone_letter_with_a_subscript_is_cased_by_its_neighbour(ocr):
    """A lone "x" read "X": its case is told beside its neighbour's glyphs, its subscript (painted out of the page)
    left out of the pairing; before, the "₁" among the characters paired with no glyph, and "X₁" stayed."""
    if not any(f.path.name == "LiberationSerif-Regular.ttf" for f in find_fonts()):
        pytest.skip("needs fonts-liberation2 (scripts/install-fonts.sh)")
    lines = [[("The values x", "_1"), (" and x", "_2"), (" sum to 10.", "")]]
    assert ocr(render_superscripts(lines, "LiberationSerif-Regular.ttf", 30)).text == "The values x₁ and x₂ sum to 10."


def test_raised_marks_that_are_no_superscripts_are_left_as_printed(ocr):
    lines = [[("It's 25°C today, 50% off, and the dogs' toys.", "")], [('Add ½ cup to the "Classic" mix.', "")],
             [("Jump, quickly; pygmy yaks graze (1, 2, 3 and 4).", "")]]  # fmt: skip
    text = ocr(render_superscripts(lines, "DejaVuSans.ttf", 30)).text
    assert not set(text) & set("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉"), text


def test_a_skewed_pages_line_end_is_not_raised(ocr):
    """A scan turned 6 degrees, its words boxed level: the last figure of "$95.10" stands 0.3 of a height above the
    word's first glyphs, and stop 74's code read "$95.1⁰". Glyphs now stand on a line at the page's slant (the
    median of its regions'); superscripts on such a page read better too."""
    lines = [[("Paper, A4, 500 sheets: 4 x 5.90", "")], [("Delivery to the office 7.50", "")],
             [("Total due for the order $95.10", "")]]  # fmt: skip
    page = render_superscripts(lines, "DejaVuSans.ttf", 24)
    height, width = page.shape[:2]
    for degrees in (6, -6):
        turn = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
        text = ocr(cv2.warpAffine(page, turn, (width, height), borderValue=(255, 255, 255))).text
        assert "$95.10" in text and not set(text) & set("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉"), text
    page = render_superscripts(LINES, "DejaVuSans.ttf", 30)
    turn = cv2.getRotationMatrix2D((page.shape[1] / 2, page.shape[0] / 2), -5, 1.0)
    text = ocr(cv2.warpAffine(page, turn, page.shape[1::-1], borderValue=(255, 255, 255))).text
    assert "m²" in text and "appendix¹" in text  # stop 74's code: "m²" and "m³" only
