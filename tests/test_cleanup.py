"""Page cleaning before reading (ocdr.cleanup): specks removed, 1-bit pages smoothed, clean pages untouched."""

from __future__ import annotations

import numpy as np
from conftest import render_lines

from ocdr.cleanup import SPECK_SHARE, bilevel, despeckle, specks
from ocdr.evaluation.metrics import match_words
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

    def recall(picture: np.ndarray) -> float:
        page = ocr(picture).pages[0]
        return match_words([(w.polygon, w.text) for w in page.words], labels).recall

    clean = recall(image)
    assert clean >= 0.85
    assert recall(salt_and_pepper(image, 0.02)) >= clean - 0.03


def test_a_one_bit_line_reads_like_the_gray_one(ocr):
    image, _ = render_lines(["Shipping and handling were billed separately."], size=28)
    one_bit = np.where(image > 128, 255, 0).astype(np.uint8)
    assert ocr(one_bit).text.strip() == ocr(image).text.strip() == "Shipping and handling were billed separately."
