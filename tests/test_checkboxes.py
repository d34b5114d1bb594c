"""Checkboxes (ocdr.checkboxes): found beside their labels, told ticked or empty, read as "☐" / "☑"; letters that
look like boxes (O, D, B, 0) are left to the reader."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from ocdr.checkboxes import checkboxes, find_checkboxes, paint_over
from ocdr.document import Word
from ocdr.geometry import quad_from_box
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import render_lines

LINES = ["Storage conditions", "Store in dark", "Refrigerator", "Room temperature"]


def form(gap: float | None = None) -> tuple[np.ndarray, list[tuple[int, int, int, bool]]]:
    """``LINES`` with a box left of each of the last three, the middle one crossed, set off from its label by
    0.45 line heights (or ``gap`` pixels); the boxes as x, y, side, crossed."""
    page, labels = render_lines(LINES, margin=90)
    page = page.copy()
    starts = {label.text: label.polygon for label in labels}
    drawn = []
    for word, crossed in (("Store", False), ("Refrigerator", True), ("Room", False)):
        (x0, y0), (_, y1) = starts[word].min(0), starts[word].max(0)
        side = int(0.8 * (y1 - y0))
        x, y = int(x0 - (0.45 * (y1 - y0) if gap is None else gap)) - side, int(y0 + 0.1 * (y1 - y0))
        cv2.rectangle(page, (x, y), (x + side, y + side), (0, 0, 0), 2)
        if crossed:
            cv2.line(page, (x + 5, y + 5), (x + side - 5, y + side - 5), (0, 0, 0), 3)
            cv2.line(page, (x + 5, y + side - 5), (x + side - 5, y + 5), (0, 0, 0), 3)
        drawn.append((x, y, side, crossed))
    return page, drawn


def test_boxes_are_found_and_told_ticked_or_empty():
    page, drawn = form()
    found = sorted(checkboxes(cv2.cvtColor(page, cv2.COLOR_RGB2GRAY)), key=lambda box: box.y)
    assert len(found) == len(drawn)
    for box, (x, y, side, crossed) in zip(found, drawn, strict=True):
        assert abs(box.x - x) <= 2 and abs(box.y - y) <= 2 and abs(box.width - side) <= 3
        assert box.ticked == crossed and box.text == ("☑" if crossed else "☐")
        assert box.confidence >= 0.85
    cleaned = paint_over(page, found)
    boxes = np.zeros(page.shape[:2], bool)
    for x, y, side, _ in drawn:
        assert cleaned[y - 1 : y + side + 2, x - 1 : x + side + 2].min() >= 200  # paper where the box was
        boxes[y - 1 : y + side + 2, x - 1 : x + side + 2] = True
    assert np.array_equal(cleaned[~boxes], page[~boxes])  # and the page as it was elsewhere: the words untouched


def test_a_form_reads_its_boxes_as_box_characters(ocr, monkeypatch):
    """Read as text, the boxes came out as letters joined to their labels or alone ("D", "K")."""
    import ocdr.pipeline

    page, _ = form()
    lines = [line.text for line in ocr(page).pages[0].lines]
    assert lines == ["Storage conditions", "☐ Store in dark", "☑ Refrigerator", "☐ Room temperature"]
    monkeypatch.setattr(ocdr.pipeline, "find_checkboxes", lambda gray: ([], []))
    assert [line.text for line in ocr(page).pages[0].lines] != lines


def test_boxes_touching_their_labels_are_told_from_letters_by_the_reading(ocr):
    """A box a few pixels from its label ("☐STORE", most of FUNSD's boxes) has no space beside it, as a square
    letter starting a word has none: it is found as a square with print close on its right, and the page's reading
    settles it (``OCRPipeline.glued_boxes``)."""
    page, drawn = form(gap=3)
    apart, glued = find_checkboxes(cv2.cvtColor(page, cv2.COLOR_RGB2GRAY))
    assert apart == [] and len(glued) == len(drawn)
    for box, (x, y, _, crossed) in zip(sorted(glued, key=lambda box: box.y), drawn, strict=True):
        assert abs(box.x - x) <= 2 and abs(box.y - y) <= 2 and box.ticked == crossed
    lines = [line.text for line in ocr(page).pages[0].lines]
    assert lines == ["Storage conditions", "☐ Store in dark", "☑ Refrigerator", "☐ Room temperature"]
    pipeline = ocr.pipeline
    lexicon = pipeline.recognizer.lexicon
    square = glued[0]
    middle = quad_from_box(square.x - 2, square.y - 2, square.x + 40, square.y + square.height + 2)
    word = Word(middle, "OSTORE", 0.9)  # the box read as a letter of its label's word: a box
    assert pipeline.glued_boxes([square], [word]) == [square]
    assert pipeline.glued_boxes([square], [replace(word, text="DATE")]) == []  # a list word as read: a letter
    assert lexicon is not None and lexicon.knows("STORE") and not lexicon.knows("OSTORE")


def test_an_upside_down_form_gives_its_boxes_where_they_are(ocr):
    """Found on the page turned upright, the boxes come back in the input's pixels, as its words do."""
    page, drawn = form()
    height, width = page.shape[:2]
    read = ocr(np.ascontiguousarray(page[::-1, ::-1]), use_doc_orientation_classify=True).pages[0]
    assert read.angle == 180
    assert [line.text for line in read.lines] == [
        "Storage conditions",
        "☐ Store in dark",
        "☑ Refrigerator",
        "☐ Room temperature",
    ]
    boxes = sorted((w for w in read.words if w.text in ("☐", "☑")), key=lambda w: -w.polygon[:, 1].min())
    for word, (x, y, _side, crossed) in zip(boxes, drawn, strict=True):
        right, bottom = word.polygon.max(0)
        assert abs(right - (width - x)) <= 3 and abs(bottom - (height - y)) <= 3
        assert word.text == ("☑" if crossed else "☐")


def test_letters_that_look_like_boxes_are_not_boxes(page_200dpi):
    """O, D, B, 0 and o in the 55 fonts at 10-40 pixels, gray and 1-bit, and a page of synthetic print: no box.
    Left out: 1-bit print 10 pixels high, where one font's "B8" runs together into a square with two holes on
    each side, taken for a ticked box."""
    lines = ["DOOR BOB 0800 ODD HOOD QED", "o0O dog pod 00 OO DD B8 HD", "Page 1 of 0 D. O. B."]
    for spec in find_fonts():
        for size in (10, 16, 28, 40):
            gray = cv2.cvtColor(render_lines(lines, spec.path.name, size=size)[0], cv2.COLOR_RGB2GRAY)
            assert checkboxes(gray) == [], (spec.path.name, size)
            if size > 10:
                assert checkboxes(np.where(gray > 128, 255, 0).astype(np.uint8)) == [], (spec.path.name, size)
    assert checkboxes(cv2.cvtColor(page_200dpi[0], cv2.COLOR_RGB2GRAY)) == []


def test_a_small_scanned_box_with_one_worn_corner():
    """A box of 10 pixels whose scan wore one corner round (one pixel of its 2x2 corner left, as 7 of FUNSD's
    training boxes are) is still found while empty. Crossed, it is not: a "B" of a thin mono font at 16 pixels has
    that shape (one round corner, strokes inside), so a worn ticked box is left to the reader."""
    page = cv2.cvtColor(render_lines(["Yes", "No"], size=14, margin=40)[0], cv2.COLOR_RGB2GRAY)
    for y, crossed in ((40, False), (67, True)):
        x = 14
        cv2.rectangle(page, (x, y), (x + 9, y + 9), 0, 1)
        page[y : y + 2, x + 9] = 255  # the top-right corner worn: one pixel of its 2x2 left
        if crossed:
            cv2.line(page, (x + 2, y + 2), (x + 7, y + 7), 0, 1)
            cv2.line(page, (x + 2, y + 7), (x + 7, y + 2), 0, 1)
    found = checkboxes(page)
    assert [(box.x, box.y, box.ticked) for box in found] == [(14, 40, False)]
