"""Page cleaning before reading (ocdr.cleanup): specks removed, 1-bit pages smoothed, ruling lines painted over,
clean pages untouched."""

from __future__ import annotations

import cv2
import numpy as np
from conftest import recall, render_lines

from ocdr.cleanup import (
    BILEVEL_SIGMA,
    COARSE_SIGMA,
    SPECK_SHARE,
    Smoothing,
    bilevel,
    despeckle,
    paper_gray,
    remove_rules,
    rules,
    smoothing,
    specks,
)
from ocdr.io.labels import RegionLabel
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import PageStyle, render_page
from ocdr.training.synth.text import TextSampler


def salt_and_pepper(image: np.ndarray, share: float, seed: int = 0) -> np.ndarray:
    """``image`` with ``share`` of its pixels set black or white (half each)."""
    draw = np.random.default_rng(seed).random(image.shape[:2])
    noisy = image.copy()
    noisy[draw < share / 2] = 0
    noisy[draw > 1 - share / 2] = 255
    return noisy


def test_a_clean_page_is_left_as_it_is(text_page):
    image, _ = text_page
    assert specks(image[..., 0]).mean() <= SPECK_SHARE / 10
    assert despeckle(image) is image
    assert not bilevel(image)  # anti-aliased print has grays
    assert bilevel(np.where(image > 128, 255, 0).astype(np.uint8))


def test_specks_go_and_thin_strokes_stay(text_page):
    """The specks are put back to their surroundings; a one-pixel rule, which a median over the whole page would
    erase, is kept."""
    image, _ = text_page
    image = image.copy()
    image[5, 10:200] = 0  # a hairline
    noisy = salt_and_pepper(image, 0.01)
    cleaned = despeckle(noisy)
    wrong = np.abs(noisy.astype(int) - image).max(axis=2) > 80
    still_wrong = np.abs(cleaned.astype(int) - image).max(axis=2) > 80
    assert still_wrong.sum() < 0.2 * wrong.sum()
    assert (cleaned[5, 10:200] == 0).mean() > 0.95


def test_a_speckled_page_reads_as_the_clean_one(ocr):
    """2% salt-and-pepper noise: recall 0.971 (clean 0.978); 0.899 read as it comes, without despeckling."""
    rng = np.random.default_rng(21)
    image, labels = render_page(TextSampler(rng), find_fonts(), rng, PageStyle(dpi=200, noise=0.0))

    clean = recall(ocr, image, labels)
    assert clean >= 0.85
    assert recall(ocr, salt_and_pepper(image, 0.02), labels) >= clean - 0.03


def test_a_one_bit_line_reads_like_the_gray_one(ocr):
    image, _ = render_lines(["Shipping and handling were billed separately."], size=28)
    one_bit = np.where(image > 128, 255, 0).astype(np.uint8)
    assert ocr(one_bit).text.strip() == ocr(image).text.strip() == "Shipping and handling were billed separately."


def test_one_bit_word_crops_are_smoothed_before_reading(ocr, monkeypatch):
    """Words cut from a 1-bit scan (``OCR.recognize``) are smoothed as a 1-bit page is. Read as they come, their
    stair-stepped edges cost letters ("Compen:alion", "approximalely", "Sigmature"). On 96 rendered words made 1-bit
    (four fonts at 11, 13 and 15 pixels; stop 74), 92 read right smoothed, 88 as they came."""
    import ocdr.pipeline

    words = [("LiberationSerif-Regular.ttf", "Compensation"), ("LiberationSerif-Regular.ttf", "approximately")]
    words.append(("DejaVuSerif.ttf", "Signature"))
    crops = []
    for font, word in words:
        image, _ = render_lines([word], font_name=font, size=11, margin=4, spacing=1.3)
        crops.append(np.where(image > 128, 255, 0).astype(np.uint8))
    assert [reading.text for reading in ocr.recognize(crops)] == [word for _, word in words]
    monkeypatch.setattr(ocdr.pipeline, "bilevel", lambda image: False)
    assert all(reading.text != word for reading, (_, word) in zip(ocr.recognize(crops), words, strict=True))


def test_a_100dpi_one_bit_page_is_not_taken_for_dots(ocr, monkeypatch, page_200dpi):
    """The 200 dpi page at half its size, made 1-bit: its small print's strokes are one pixel thin, and 45% of its
    ink pixels (the steps of curves and slopes) differ from three of their four neighbours, as a dither's dots do,
    but only 7% from all four (``DOT_SHARE``). Read as plain 1-bit print, recall 0.217 (at sigma 0.7, 0.296: the 7%
    is a shaded page's, ``SHADE_SHARE``); taken for dots (stop 73), 0.046. The gray page at 100 dpi: 0.945."""
    import ocdr.cleanup

    image, labels = page_200dpi
    small = cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    one_bit = np.where(small > 128, 255, 0).astype(np.uint8)
    labels = [RegionLabel(label.polygon * 0.5, label.text, label.ignore) for label in labels]
    assert bilevel(one_bit) and not smoothing(one_bit[..., 0]).dots
    assert recall(ocr, one_bit, labels) >= 0.19
    monkeypatch.setattr(ocdr.cleanup, "DOT_SHARE", 0.0)
    assert smoothing(one_bit[..., 0]).dots
    assert recall(ocr, one_bit, labels) <= 0.1


def ordered_dither(gray: np.ndarray) -> np.ndarray:
    """``gray`` made 1-bit by a 4 x 4 ordered (Bayer) dither, as a scanner's dither mode does."""
    bayer = (np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32) + 0.5) * 16
    height, width = gray.shape
    return np.where(gray > np.tile(bayer, (height // 4 + 1, width // 4 + 1))[:height, :width], 255, 0).astype(np.uint8)


def test_a_one_bit_page_is_smoothed_as_its_print_asks(page_200dpi):
    """Plain print lightly (``BILEVEL_SIGMA``); stretched to square pixels, or with a band of dotted shading (a
    letterhead's tint dithered), more (``COARSE_SIGMA``); a crop of it is not judged by shading; print that is
    dots most (``DITHER_SIGMA``)."""
    gray = cv2.cvtColor(page_200dpi[0], cv2.COLOR_RGB2GRAY)
    plain = np.where(gray > 128, 255, 0).astype(np.uint8)
    assert smoothing(plain) == Smoothing(False, BILEVEL_SIGMA)
    assert smoothing(plain, stretched=True) == Smoothing(False, COARSE_SIGMA)
    shaded = plain.copy()
    shaded[:40] = np.minimum(shaded[:40], ordered_dither(np.full((40, plain.shape[1]), 180, np.uint8)))
    assert smoothing(shaded) == Smoothing(False, COARSE_SIGMA)
    assert smoothing(shaded, page=False) == Smoothing(False, BILEVEL_SIGMA)
    assert smoothing(ordered_dither((90 + gray.astype(np.float32) * (165 / 255)).astype(np.uint8))).dots


def test_dithered_print_reads_smoothed_as_dots(ocr, monkeypatch, page_200dpi):
    """The 200 dpi page with its ink at gray 90, dithered to 1 bit: every stroke is dots. Smoothed as dots (not
    despeckled, sigma 1.5), recall 0.861 at stop 74 (0.806 at stop 36, the gray page 0.952); as a plain 1-bit page
    (its dots taken for specks, sigma 1: ``SHADE_SHARE``), 0.580. A plain 1-bit page is not dithered, nor one with
    salt-and-pepper noise."""
    import ocdr.cleanup

    image, labels = page_200dpi
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    dots = ordered_dither((90 + gray.astype(np.float32) * (165 / 255)).astype(np.uint8))
    plain = np.where(gray > 128, 255, 0).astype(np.uint8)
    assert smoothing(dots).dots
    assert not smoothing(plain).dots and not smoothing(salt_and_pepper(plain, 0.08)).dots  # specks are not dots
    page = cv2.cvtColor(dots, cv2.COLOR_GRAY2RGB)
    assert recall(ocr, page, labels) >= 0.75
    monkeypatch.setattr(ocdr.cleanup, "DOT_SHARE", 2.0)
    assert recall(ocr, page, labels) <= 0.7


def boxed(image: np.ndarray, labels, margin: int, thickness: int) -> np.ndarray:
    """``image`` with a box drawn ``margin`` pixels around each labelled word, as a table's tight cells."""
    out = image.copy()
    for label in labels:
        x0, y0 = np.floor(label.polygon.min(axis=0)).astype(int) - margin
        x1, y1 = np.ceil(label.polygon.max(axis=0)).astype(int) + margin
        cv2.rectangle(out, (int(x0), int(y0)), (int(x1), int(y1)), (0, 0, 0), thickness)
    return out


def test_rules_are_found_and_painted_over_and_glyphs_stay(text_page):
    """Boxes around words, an underline through the descenders and a strike-through are rules; painted over, the
    page is its clean self again but where a rule ran through a glyph's stroke. The clean page has none."""
    image, labels = text_page
    assert rules(paper_gray(image)) == [] and remove_rules(image, []) is image
    lined = boxed(image, [labels[0], labels[15]], margin=2, thickness=2)  # "Quarterly", "sales@example.com"
    first, second = labels[4].polygon, labels[8].polygon  # words of the second and third lines
    underline_y = int(first[:, 1].max() - 0.15 * np.ptp(first[:, 1]))  # through the descenders
    cv2.line(lined, (int(first[:, 0].min()), underline_y), (int(first[:, 0].max()) + 200, underline_y), (0, 0, 0), 2)
    strike_y = int(second[:, 1].mean())
    cv2.line(lined, (int(second[:, 0].min()), strike_y), (int(second[:, 0].max()) + 200, strike_y), (0, 0, 0), 2)
    drawn = np.abs(lined.astype(int) - image).max(axis=2) > 100
    found = np.zeros(drawn.shape, bool)
    found_rules = rules(lined[..., 0])
    for rule in found_rules:
        found[rule.y : rule.y + rule.mask.shape[0], rule.x : rule.x + rule.mask.shape[1]] |= rule.mask
    # print runs through the strike-through alone: not the underline, nor a box's edges
    through = {rule.y + rule.mask.shape[0] // 2 for rule in found_rules if rule.through}
    assert len(through) == 1 and abs(through.pop() - strike_y) <= 1
    assert (found & drawn).sum() >= 0.95 * drawn.sum()
    glyphs = image[..., 0] < 128
    assert (found & glyphs & ~drawn).sum() <= 0.02 * glyphs.sum()  # where the lines cross strokes, no more
    cleaned = remove_rules(lined, rules(paper_gray(lined)))
    left = np.abs(cleaned.astype(int) - image).max(axis=2) > 100
    assert left.sum() < 0.1 * drawn.sum()


def test_rules_side_by_side_are_painted_over_as_one():
    """Two boxed words whose boxes touch: their sides, a paper pixel apart, are filled as one run. Filled one by one,
    each took the other's ink for the paper beyond it, and a gray bar was left between the words (read as "|" or
    "]", the two words as one region; 8 boxed pages: word F 0.738, and 0.847 filled as one)."""
    page = np.full((300, 700, 3), 230, np.uint8)
    for x0, x1, word in ((60, 330, "Dicey"), (334, 640, "backless")):  # sides at 328-332 and 332-336
        cv2.rectangle(page, (x0, 100), (x1, 180), (0, 0, 0), 2)
        cv2.putText(page, word, (x0 + 20, 160), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (0, 0, 0), 3)
    found = rules(paper_gray(page))
    assert sum(not rule.across for rule in found) == 4
    cleaned = remove_rules(page, [rule for rule in found if not rule.across])
    assert cleaned[104:177, 320:345].min() >= 200  # paper between the two words
    assert cleaned[104:177, 50:65].min() >= 200 and cleaned[104:177, 630:650].min() >= 200  # the outer sides


def test_halftone_tints_filled_bars_and_photos_are_not_rules():
    """Runs of ink in a halftone tint's grain, a filled bar (a form's header, a redaction) and a scene are left."""
    rng = np.random.default_rng(0)
    page = np.full((600, 800, 3), 235, np.uint8)
    tint = rng.random((120, 700)) < 0.6
    page[40:160, 50:750][tint] = 40  # dense halftone dots
    page[300:330, 50:750] = 20  # a filled bar 30 pixels thick
    assert rules(page[..., 0]) == []
    scene = rng.integers(0, 255, (600, 800, 3), dtype=np.uint8)
    scene[300:302, 50:750] = 0  # a rule in a scene: not a page, not looked for
    assert paper_gray(scene) is None


def test_words_in_tight_boxes_read_as_the_words_alone(ocr, monkeypatch):
    """A page of words each in a box 2 pixels around it (tight table cells): with the boxes' sides painted over,
    recall 0.906 (0.930 for the words alone; 0.823 with touching sides filled one by one); read with them, 0.070
    (sides read as "|", rows of cells as one word)."""
    import ocdr.pipeline

    rng = np.random.default_rng(41)
    image, labels = render_page(TextSampler(rng), find_fonts(), rng, PageStyle(dpi=150, noise=0.0))
    page = boxed(image, labels, margin=2, thickness=1)

    assert recall(ocr, page, labels) >= 0.87
    monkeypatch.setattr(ocdr.pipeline, "remove_rules", lambda image, rules: image)
    assert recall(ocr, page, labels) <= 0.2


def lined(image: np.ndarray, labels, thickness: int, level: float) -> np.ndarray:
    """``image`` with a line ``thickness`` pixels thick under or through each labelled word, ``level`` of the way
    down its box (0.5: through its middle)."""
    out = image.copy()
    for label in labels:
        (x0, y0), (x1, y1) = label.polygon.min(axis=0), label.polygon.max(axis=0)
        y = int(round(y0 + level * (y1 - y0)))
        cv2.line(out, (int(x0), y), (int(x1), y), (0, 0, 0), thickness)
    return out


def test_struck_through_words_read_as_the_words_alone(ocr, monkeypatch, page_200dpi):
    """A 200 dpi page with every word struck through by a line 2 pixels thick: with the strike-throughs painted
    over, recall 0.912 (the words alone: 0.949); read with them (a struck "c" reads "e", an "o" "e"), 0.240."""
    import ocdr.pipeline

    image, labels = page_200dpi
    page = lined(image, labels, thickness=2, level=0.5)

    assert recall(ocr, page, labels) >= 0.85
    monkeypatch.setattr(
        ocdr.pipeline, "remove_rules", lambda image, found: remove_rules(image, [r for r in found if not r.through])
    )
    assert recall(ocr, page, labels) <= 0.35


def test_underlined_words_read_as_the_words_alone(ocr, monkeypatch, page_200dpi):
    """The same page with every word underlined by a line 2 pixels thick through its descenders: with the
    underlines painted over, recall 0.889 (the words alone: 0.949); read with them (a comma or a period on the
    line is lost: "34," reads "34"), 0.651."""
    import ocdr.pipeline

    image, labels = page_200dpi
    page = lined(image, labels, thickness=2, level=0.78)

    found = [rule for rule in rules(paper_gray(page)) if rule.across]
    assert sum(rule.underline for rule in found) >= 0.95 * len(found)
    assert recall(ocr, page, labels) >= 0.84
    monkeypatch.setattr(
        ocdr.pipeline, "remove_rules", lambda image, found: remove_rules(image, [r for r in found if not r.underline])
    )
    assert recall(ocr, page, labels) <= 0.72
