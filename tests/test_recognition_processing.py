"""Recognizer processing in numpy: charset, greedy CTC decoding, crop preparation and word splitting."""

from __future__ import annotations

import string
from dataclasses import replace

import numpy as np
import pytest

from ocdr.document import Word
from ocdr.geometry import quad_from_box
from ocdr.layout.pieces import (
    address_splits,
    join_email_addresses,
    join_read_addresses,
    join_spaced_letters,
    join_split_words,
    join_web_addresses,
)
from ocdr.models.recognition.charset import DEFAULT_CHARSET, Charset
from ocdr.models.recognition.ctc import CTCResult, ctc_greedy_decode
from ocdr.models.recognition.degrees import degree_signs
from ocdr.models.recognition.letter_case import accented_capitals, case_by_height
from ocdr.models.recognition.lexicon import Lexicon
from ocdr.models.recognition.preprocess import (
    REC_HEIGHT,
    batch_crops,
    output_steps,
    padded_width,
    resize_crop,
)
from ocdr.models.recognition.quotes import pair_quotes
from ocdr.models.recognition.scripts import capitals, final_sigma, lone_letters, one_script
from ocdr.models.recognition.separators import thousands_commas
from ocdr.models.recognition.spacing import space_dashes, space_gaps
from ocdr.pipeline import drop_repeats, split_words
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import load_font, render_lines


# ------------------------------------------------------------------------------------------------------ charset
def test_charset_encode_indices_start_after_blank():
    cs = Charset("abc ")
    assert cs.num_classes == 5 and len(cs) == 4
    assert cs.encode("cab a") == [3, 1, 2, 4, 1]
    assert str(cs) == "abc "


def test_charset_normalize_and_covers():
    cs = Charset("a -")
    assert cs.normalize("a\u00a0a\u2212a\u2009\u00ad") == "a a-a -"
    assert cs.covers("a\u00a0\u2212")
    assert cs.encode("a\u00a0\u2212") == [1, 2, 3]
    assert not cs.covers("ab")
    assert cs.covers("")


def test_charset_duplicates_and_unknown():
    with pytest.raises(ValueError, match="duplicate"):
        Charset("abca")
    with pytest.raises(ValueError, match="'d'"):
        Charset("abc").encode("abd")


def test_default_charset_is_document_ready():
    cs = Charset()
    assert len(set(DEFAULT_CHARSET)) == len(DEFAULT_CHARSET)
    assert set(string.printable[:95]) <= set(cs.chars)
    assert " " in cs.chars and "€" in cs.chars
    assert cs.num_classes == len(DEFAULT_CHARSET) + 1


# ------------------------------------------------------------------------------------------------ CTC decoding
def _probs(seq: list[tuple[int, float]], num_classes: int) -> np.ndarray:
    """(steps, classes) softmax-like rows: ``p`` on the given class, the rest spread evenly over the others."""
    out = np.zeros((len(seq), num_classes), np.float32)
    for t, (k, p) in enumerate(seq):
        out[t] = (1 - p) / (num_classes - 1)
        out[t, k] = p
    return out


CHARS = "ehlo"  # classes: 0 blank, 1 e, 2 h, 3 l, 4 o
B, E, H, L, O = 0, 1, 2, 3, 4


def test_ctc_collapses_repeats_and_blank_separates_doubled_letters():
    seq = [(H, 0.6), (H, 0.9), (E, 0.8), (B, 0.9), (L, 0.7), (L, 0.95), (B, 0.99), (L, 0.5), (O, 0.85), (B, 0.9)]
    (res,) = ctc_greedy_decode(_probs(seq, 5)[None], CHARS)
    assert res.text == "hello"
    assert res.positions == [(0, 1), (2, 2), (4, 5), (7, 7), (8, 8)]
    np.testing.assert_allclose(res.char_probs, [0.9, 0.8, 0.95, 0.5, 0.85], rtol=1e-6)
    assert res.num_steps == 10
    expected = float(np.prod([0.9, 0.8, 0.95, 0.5, 0.85]) ** (1 / 5))
    assert res.confidence == pytest.approx(expected, rel=1e-5)
    assert res.confidence < np.mean(res.char_probs)  # the geometric mean is pulled down by the weak 'l'


def test_ctc_doubled_letter_without_blank_collapses():
    seq = [(H, 0.9), (E, 0.9), (L, 0.9), (L, 0.9), (O, 0.9)]
    (res,) = ctc_greedy_decode(_probs(seq, 5)[None], CHARS)
    assert res.text == "helo"
    assert res.positions[2] == (2, 3)


def test_ctc_lengths_truncate_padding_steps():
    seq = [(H, 0.9), (E, 0.9), (B, 0.9), (L, 0.9), (O, 0.9), (O, 0.9)]
    probs = np.stack([_probs(seq, 5), _probs(seq, 5)])
    full, cut = ctc_greedy_decode(probs, CHARS, lengths=[6, 3])
    assert full.text == "helo" and full.num_steps == 6
    assert cut.text == "he" and cut.num_steps == 3
    assert cut.positions == [(0, 0), (1, 1)]
    assert [r.text for r in ctc_greedy_decode(probs, CHARS, lengths=np.array([0, 1]))] == ["", "h"]


def test_ctc_empty_result_has_zero_confidence():
    (res,) = ctc_greedy_decode(_probs([(B, 0.99)] * 7, 5)[None], CHARS)
    assert res.text == "" and res.char_probs == [] and res.positions == []
    assert res.confidence == 0.0
    assert CTCResult("").confidence == 0.0


def test_ctc_dashes_are_as_sure_as_their_group_and_read_as_hyphens_unless_sure():
    """Hyphen, en and em dash look alike: the recognizer split a lone receipt dash 0.45 / 0.5 between "-" and
    en dash, and the reading was dropped as unsure (``LOOKALIKES``)."""
    chars = "a-\u2013\u2014"  # classes: 0 blank, 1 a, 2 hyphen, 3 en dash, 4 em dash
    rows = [
        [0.04, 0.01, 0.45, 0.50, 0.00],  # en dash first, but not sure among the dashes: a hyphen, 0.95 sure
        [0.90, 0.02, 0.02, 0.03, 0.03],
        [0.02, 0.01, 0.02, 0.05, 0.90],  # an em dash, sure of itself: kept, as sure as the group
        [0.90, 0.02, 0.02, 0.03, 0.03],
        [0.10, 0.80, 0.05, 0.03, 0.02],  # other characters as before
    ]
    (res,) = ctc_greedy_decode(np.array([rows], np.float32), chars)
    assert res.text == "-\u2014a"
    np.testing.assert_allclose(res.char_probs, [0.95, 0.97, 0.80], rtol=1e-6)
    # a charset without the look-alikes decodes as it did
    (plain,) = ctc_greedy_decode(np.array([[row[:3] for row in rows]], np.float32), "a-")
    assert plain.text == "-a"
    np.testing.assert_allclose(plain.char_probs, [0.45, 0.80], rtol=1e-6)


def test_ctc_rejects_2d_input():
    with pytest.raises(ValueError):
        ctc_greedy_decode(np.zeros((4, 5), np.float32), CHARS)


# --------------------------------------------------------------------------------------------- preprocessing
def test_resize_crop_keeps_aspect_at_height_32():
    out = resize_crop(np.full((20, 100), 255, np.uint8))
    assert out.shape == (REC_HEIGHT, 160) and out.dtype == np.uint8
    rgb = np.zeros((45, 300, 3), np.uint8)
    rgb[..., 0] = 255
    gray = resize_crop(rgb)
    assert gray.shape == (32, 213)  # 300 * 32 / 45 = 213.3
    assert np.all(np.abs(gray.astype(int) - 76) <= 1)  # pure red -> luma 0.299 * 255
    assert resize_crop(np.zeros((64, 8), np.uint8)).shape == (32, 16)  # at least height // 2 wide
    assert resize_crop(np.zeros((10, 1000), np.uint8)).shape == (32, 1600)  # capped at MAX_WIDTH
    assert resize_crop(np.zeros((100, 20, 1), np.uint8), height=48).shape == (48, 24)
    with pytest.raises(ValueError):
        resize_crop(np.zeros((0, 10), np.uint8))


def test_batch_crops_pads_with_median_border_and_scales():
    a = np.full((32, 40), 200, np.uint8)
    a[8:24, 5:35] = 10  # ink inside, paper border
    a[0, :3] = 0  # a few dark border pixels do not move the median
    b = np.full((32, 20), 60, np.uint8)
    b[10:20, 4:16] = 250  # light text on a dark background
    batch, widths = batch_crops([a, b])
    assert batch.shape == (2, 1, 32, 40) and batch.dtype == np.float32
    assert widths.tolist() == [40, 20]
    assert batch.min() >= -1.0 and batch.max() <= 1.0
    np.testing.assert_allclose(batch[0, 0], a / 127.5 - 1, atol=1e-6)
    np.testing.assert_allclose(batch[1, 0, :, :20], b / 127.5 - 1, atol=1e-6)
    np.testing.assert_allclose(batch[1, 0, :, 20:], 60 / 127.5 - 1, atol=1e-6)
    assert batch[1, 0, 15, 30] != batch[1, 0, 15, 10]  # padding is the background, not the text colour


def test_batch_crops_explicit_width_and_border_median():
    c = np.full((32, 30), 255, np.uint8)
    c[:, 0] = 0  # left column dark: 32 of 2 * 30 + 2 * 32 = 124 border pixels
    batch, widths = batch_crops([c], width=48)
    assert batch.shape == (1, 1, 32, 48)
    assert widths.tolist() == [30]
    np.testing.assert_allclose(batch[0, 0, :, 30:], 1.0)
    narrow, w = batch_crops([c], width=16)  # wider crops are cut to the batch width
    assert narrow.shape == (1, 1, 32, 16) and w.tolist() == [16]


def test_padded_width_and_output_steps():
    assert [padded_width(w) for w in (1, 16, 17, 40, 41)] == [16, 16, 24, 40, 48]
    assert output_steps([3, 4, 40, 41, 160]).tolist() == [1, 1, 10, 10, 40]


# ----------------------------------------------------------------------------------------------- split_words
QUAD = np.array([[0, 0], [400, 0], [400, 40], [0, 40]], np.float32)


def test_split_words_cuts_in_the_gap():
    # "ab cd" over 100 steps: a@10-11, b@20-21, space@40, c@60-61, d@70-71 -> x = 4 px per step
    res = CTCResult("ab cd", [0.9, 0.8, 0.7, 0.6, 0.5], [(10, 11), (20, 21), (40, 40), (60, 61), (70, 71)], 100)
    words = split_words(QUAD, res)
    assert [w.text for w in words] == ["ab", "cd"]
    boxes = [w.box for w in words]
    for x0, y0, x1, y1 in boxes:
        assert 0 <= x0 < x1 <= 400 and 0 <= y0 < y1 <= 40
        assert (y0, y1) == (0, 40)
    (ax0, _, ax1, _), (bx0, _, bx1, _) = boxes
    assert ax1 <= bx0 + 1e-3  # ordered, not overlapping
    cut = ax1
    assert 22 * 4 <= cut <= 60 * 4  # after b's last step, before c's first step
    assert ax0 <= 10 * 4 and ax1 >= 22 * 4  # first word spans its characters
    assert bx0 <= 60 * 4 and bx1 >= 72 * 4
    assert ax0 > 0 and bx1 < 400  # ends are half a character out, not the whole line
    assert words[0].confidence == pytest.approx(np.sqrt(0.9 * 0.8), rel=1e-5)
    assert words[1].confidence == pytest.approx(np.sqrt(0.6 * 0.5), rel=1e-5)


def test_split_words_over_a_crop_padded_at_the_ends():
    """The crop that was read reached ``ends`` heights past each end of the quad (20 px = 5 steps here): the words
    are cut where they would be in the quad's own crop, and their boxes stay inside the quad."""
    probs = [0.9, 0.8, 0.7, 0.6, 0.5]
    plain = CTCResult("ab cd", probs, [(10, 11), (20, 21), (40, 40), (60, 61), (70, 71)], 100)
    padded = CTCResult("ab cd", probs, [(a + 5, b + 5) for a, b in plain.positions], 110)
    for got, want in zip(split_words(QUAD, padded, 0.5), split_words(QUAD, plain), strict=True):
        assert got.text == want.text
        np.testing.assert_allclose(got.polygon, want.polygon, atol=1e-3)
    at_edges = CTCResult("ab cd", probs, [(0, 0), (2, 2), (50, 50), (107, 107), (109, 109)], 110)
    boxes = [w.box for w in split_words(QUAD, at_edges, 0.5)]
    assert boxes[0][0] == pytest.approx(0, abs=1e-3) and boxes[-1][2] == pytest.approx(400, abs=0.5)


def test_split_words_three_words_on_a_slanted_quad():
    quad = np.array([[0, 0], [300, 30], [300, 60], [0, 30]], np.float32)
    res = CTCResult("a b c", [0.9] * 5, [(5, 5), (10, 10), (15, 15), (20, 20), (25, 25)], 30)
    words = split_words(quad, res)
    assert [w.text for w in words] == ["a", "b", "c"]
    xs = [w.box for w in words]
    assert xs[0][2] <= xs[1][0] + 1e-3 and xs[1][2] <= xs[2][0] + 1e-3
    for w in words:
        p = np.asarray(w.polygon)
        # corners stay on the quad's top and bottom edges (y = x / 10 and y = 30 + x / 10)
        np.testing.assert_allclose(p[:2, 1], p[:2, 0] / 10, atol=1e-3)
        np.testing.assert_allclose(p[2:, 1], 30 + p[2:, 0] / 10, atol=1e-3)


def test_split_words_single_word_and_empty():
    (word,) = split_words(QUAD, CTCResult("hello", [0.5] * 5, [(i, i) for i in range(5)], 20))
    assert word.text == "hello"
    np.testing.assert_array_equal(word.polygon, QUAD)
    assert word.confidence == pytest.approx(0.5)
    (padded,) = split_words(QUAD, CTCResult(" hi ", [0.5] * 4, [(i, i) for i in range(4)], 20))
    assert padded.text == "hi"
    assert split_words(QUAD, CTCResult("", [], [], 20)) == []
    assert split_words(QUAD, CTCResult("   ", [0.9] * 3, [(0, 0), (1, 1), (2, 2)], 20)) == []


def _line_read_tight(words: list[str], font: str) -> tuple[np.ndarray, CTCResult]:
    """A line of ``words`` cut close, and a reading of it without its spaces, each character placed (in steps of 4
    pixels) at its word's centre, as CTC places them roughly."""
    page, labels = render_lines([" ".join(words)], font, size=26, margin=8)
    steps = page.shape[1] // 4
    text, positions = "", []
    for label in labels:
        centre = int(label.polygon[:, 0].mean() / 4)
        text += label.text
        positions += [(centre, centre)] * len(label.text)
    return page, CTCResult(text, [0.9] * len(text), positions, steps)


def test_space_dashes_puts_back_the_spaces_beside_a_spaced_dash_only():
    line, tight = _line_read_tight(["1234", "-", "5678"], "LiberationSerif-Regular.ttf")
    spaced = space_dashes(line, tight)
    assert spaced.text == "1234 - 5678"
    assert len(spaced.char_probs) == len(spaced.positions) == len(spaced.text)
    assert space_dashes(line, spaced) == spaced  # read with its spaces: as it is
    # a hyphen (tight, also in a monospaced face) and a reading with its spaces are left as they are
    for font in ("LiberationSerif-Regular.ttf", "Cousine-Regular.ttf"):
        crop, hyphened = _line_read_tight(["2017-12-03"], font)
        assert space_dashes(crop, hyphened) == hyphened


def _line_read_run_together(
    words: list[str], joined: set[int], font: str, size: int = 26
) -> tuple[np.ndarray, CTCResult]:
    """A line of ``words`` cut close, and a reading of it with the spaces after the words numbered in ``joined``
    dropped, each character placed (in steps of 4 pixels) at its glyph's middle."""
    page, labels = render_lines([" ".join(words)], font, size=size, margin=8)
    face = load_font(str(find_fonts([font])[0].path), size)
    text, positions = "", []
    for n, label in enumerate(labels):
        x = float(label.polygon[0, 0]) - face.getbbox(label.text)[0]
        for k, char in enumerate(label.text):
            middle = int((x + (face.getlength(label.text[:k]) + face.getlength(label.text[: k + 1])) / 2) / 4)
            text += char
            positions.append((middle, middle))
        if n < len(labels) - 1 and n not in joined:
            text += " "
            positions.append(positions[-1])
    return page, CTCResult(text, [0.9] * len(text), positions, page.shape[1] // 4)


def test_space_gaps_puts_back_the_spaces_beside_figures_only():
    for font in ("LiberationSans-Regular.ttf", "LiberationSerif-Regular.ttf", "DejaVuSans.ttf"):
        for words, joined in (
            (["Page", "3", "of", "17"], {1}),  # read "Page 3of 17"
            (["June", "3", "at", "9:00"], {1}),
            (["Order", "1084", "755", "units"], {1}),
            (["Suite", "200", "Box", "41"], {0, 1}),
        ):
            line, run_together = _line_read_run_together(words, joined, font)
            spaced = space_gaps(line, run_together)
            assert spaced.text == " ".join(words), (font, run_together.text)
            assert len(spaced.char_probs) == len(spaced.positions) == len(spaced.text)
            assert space_gaps(line, spaced) == spaced  # read with its spaces: as it is
        # figures set close, in proportional and monospaced faces alike, are not parted
        for mono in (font, "Cousine-Regular.ttf"):
            line, tight = _line_read_run_together(
                ["1998", "$1,111.00", "3rd", "10am", "COVID19", "11:11", "A4"], set(), mono
            )
            assert space_gaps(line, tight) == tight, mono
    # figures too small to measure, and a figure broken up (a faded print), are left as read
    line, run_together = _line_read_run_together(["June", "3", "at", "9:00"], {1}, "LiberationSans-Regular.ttf", 9)
    assert space_gaps(line, run_together) == run_together
    line, run_together = _line_read_run_together(["7", "3"], {0}, "LiberationSans-Regular.ttf")
    faded = line.copy()
    ink = np.flatnonzero((faded.min(axis=2) < 128).any(axis=1))
    faded[ink[0] : (ink[0] + ink[-1]) // 2, faded.shape[1] // 2 :] = 255  # the "3"'s upper half gone
    assert space_gaps(line, run_together).text == "7 3"
    assert space_gaps(faded, run_together) == run_together


def test_space_gaps_puts_back_a_space_between_a_letter_and_a_1():
    """A "1" stands wide of a figure beside it (their fixed widths), not of a letter before it: "zest of 1 lemon",
    read "of1", was left so with the figures' bar in 8 of these 12; a letter and a "1" written close ("A1", "1st",
    "v1.1") stay together."""
    for font in ("LiberationSans-Regular.ttf", "DejaVuSans.ttf", "Roboto-Regular.ttf"):
        for size in (15, 18, 24, 26):
            line, run_together = _line_read_run_together(["zest", "of", "1", "lemon"], {1}, font, size)
            assert space_gaps(line, run_together).text == "zest of 1 lemon", (font, size, run_together.text)
            line, close = _line_read_run_together(["Seat", "A1", "the", "1st", "v1.1"], set(), font, size)
            assert space_gaps(line, close) == close, (font, size)


def test_space_gaps_puts_back_the_spaces_beside_brackets_but_not_in_a_fixed_pitch_cell():
    """A bracket run into the word before it ("°C(160") is a word space away; in a fixed-pitch font a bracket's
    cell leaves as wide a gap beside it ("4(b)"), but its ink lies one pitch from its neighbour's."""
    for font in ("LiberationSans-Regular.ttf", "DejaVuSans.ttf", "Roboto-Regular.ttf"):
        for words, joined in ((["180", "°C", "(160", "°C)"], {1}), (["keep", "4", "°C", "[39", "°F]"], {2})):
            line, run_together = _line_read_run_together(words, joined, font, size=20)
            assert space_gaps(line, run_together).text == " ".join(words), (font, run_together.text)
    for font in ("NimbusMonoPS-Regular.otf", "Cousine-Regular.ttf", "LiberationSans-Regular.ttf"):
        for size in (14, 20, 26):
            line, tight = _line_read_run_together(["Section", "4(b)(ii)", "or", "12(b)", "f(2)"], set(), font, size)
            assert space_gaps(line, tight) == tight, (font, size)


def _read_without(words: list[str], left_out: str, font: str) -> tuple[np.ndarray, CTCResult]:
    """A line of ``words`` and a reading of it with every ``left_out`` character missing, as the recognizer reads
    past a degree sign."""
    line, reading = _line_read_run_together(words, set(), font)
    kept = [i for i, c in enumerate(reading.text) if c != left_out]
    text = "".join(reading.text[i] for i in kept)
    return line, CTCResult(text, [0.9] * len(text), [reading.positions[i] for i in kept], reading.num_steps)


def test_degree_signs_put_back_after_a_figure():
    for font in ("LiberationSans-Regular.ttf", "LiberationSerif-Regular.ttf", "DejaVuSans.ttf"):
        for words in (["350°F"], ["25°C"], ["90°"]):
            line, read = _read_without(words, "°", font)
            assert degree_signs(line, read).text == " ".join(words), (font, read.text)
        # no ring: a figure with a superscript, a plain temperature, a word's dot
        for words in (["x²", "+", "1"], ["350F"], ["25.5", "km"]):
            line, read = _read_without(words, "²" if "x²" in words else "°", font)
            assert degree_signs(line, read) == read, (font, read.text)


def test_thousands_commas_read_as_points_are_put_right_by_their_ink():
    """A comma between figures read as a point ("17,000" read "17.000", as on small typewritten figures): its ink
    hangs below the figures' line, a point's does not. A point before one or two figures, and a point that sits on
    the line ("1.234,56", "12.000" as German prints them), stay; an underline under the figures is no ink of theirs."""
    for font in ("LiberationSans-Regular.ttf", "DejaVuSans.ttf", "NimbusMonoPS-Regular.otf"):
        for size in (14, 18, 24):
            line, read = _line_read_run_together(["17,000", "and", "3,400,000"], set(), font, size)
            as_points = replace(read, text=read.text.replace(",", "."))
            assert thousands_commas(line, as_points).text == "17,000 and 3,400,000", (font, size)
            for words in (["1.234,56", "und", "12.000"], ["0.75", "of", "45.20"]):
                line, read = _line_read_run_together(words, set(), font, size)
                assert thousands_commas(line, read) == read, (font, size, words)
    line, read = _line_read_run_together(["17,000"], set(), "LiberationSans-Regular.ttf", 14)
    underlined = line.copy()
    underlined[-4:-2] = 0  # a rule under the figures, as a form's field's
    assert thousands_commas(underlined, replace(read, text="17.000")).text == "17,000"
    underlined[-1, ::4] = 0  # the broken row of a doubled underline, under the rule: no figures' foot either
    underlined[:2] = 0  # and a table's border over them: no figures' top
    assert thousands_commas(underlined, replace(read, text="17.000")).text == "17,000"
    ruled = np.zeros_like(line)  # all rule: no figures to measure
    assert thousands_commas(ruled, replace(read, text="17.000")).text == "17.000"


def test_degree_signs_read_as_a_small_o_beside_a_bracket_the_crop_cuts():
    """ "180 °C (160": the region of "°C" reaches into the bracket after it and reads "oC(" (the bracket's ink cut
    by the crop's end has no run of its own); the ring is still told from a small "o" standing on the line."""
    for font in ("LiberationSans-Regular.ttf", "DejaVuSans.ttf"):
        for size in (15, 20):
            line, read = _line_read_run_together(["°C", "(160"], {0}, font, size)
            cut = read.positions[2][0] * 4 + 2  # the crop ends inside the bracket
            text = "o" + read.text[1:3]
            as_o = CTCResult(text, read.char_probs[:3], read.positions[:3], cut // 4)
            assert degree_signs(line[:, :cut], as_o).text == "°C(", (font, size)
            line, read = _line_read_run_together(["oC", "(160"], {0}, font, size)
            assert (
                degree_signs(line[:, :cut], CTCResult("oC(", read.char_probs[:3], read.positions[:3], cut // 4)).text
                == "oC("
            )


def test_degree_signs_put_back_before_a_scale():
    """A temperature set apart as the SI writes it, "18 °C": its "°C" is a region of its own, read "C" (the ring
    left out) or with the ring read as another character ("OF", "*C", "‘F")."""
    for font in ("LiberationSans-Regular.ttf", "LiberationSerif-Regular.ttf", "DejaVuSans.ttf"):
        for words in (["°C"], ["°F"], ["60°F"]):
            line, read = _read_without(words, "°", font)
            assert degree_signs(line, read).text == words[0], (font, read.text)
            line, read = _line_read_run_together(words, set(), font)
            for other in "O*‘":
                as_other = CTCResult(read.text.replace("°", other), read.char_probs, read.positions, read.num_steps)
                assert degree_signs(line, as_other).text == words[0], (font, as_other.text)
        # no ring: capitals and figures read as they are, a scale alone
        for words in (["OF"], ["PC"], ["2F"], ["C."], ["Vitamin", "C"]):
            line, read = _line_read_run_together(words, set(), font)
            assert degree_signs(line, read) == read, (font, read.text)


def _word_crop(word: str, font: str) -> np.ndarray:
    """A word rendered alone and cut as the recognizer's crops are: its box grown a little on every side."""
    page, (label,) = render_lines([word], font, size=30, margin=20)
    x0, y0 = label.polygon.min(axis=0).astype(int) - 3
    x1, y1 = label.polygon.max(axis=0).astype(int) + 3
    return page[y0:y1, x0:x1]


def _reading(text: str) -> CTCResult:
    return CTCResult(text, [0.9] * len(text), [(2 * i, 2 * i) for i in range(len(text))], 4 * len(text))


def test_case_by_height_sets_the_case_of_look_alike_letters():
    for font in ("LiberationSerif-Regular.ttf", "DejaVuSans.ttf"):
        for word, read in (
            *(("whatever", "Whatever"), ("swirly", "sWirly"), ("Ollie", "ollie"), ("Rosier", "RoSier")),
            *(("Помогала", "помогала"), ("боюсь", "боюСь"), ("Мартин", "мартин")),  # Cyrillic's small capitals
            *(("καλά", "Καλά"), ("Ομάδα", "ομάδα"), ("δρόμο", "δρόμΟ")),  # and Greek's
            ("Some", "some"),  # small letters alone: the cap height put at CAP_TO_X x-heights
        ):
            assert case_by_height(_word_crop(word, font), _reading(read)).text == word, (font, word)
        # with the cap height guessed, a capital is made only where a word starts
        assert case_by_height(_word_crop("unSeen", font), _reading("unseen")).text == "unseen", font
        # read right: as it is; no letter of the other height to tell by ("WWW", "coos", "тост"): as read
        for word, read in (
            ("Sweden", "Sweden"),
            ("WWW", "www"),
            ("coos", "CoOS"),
            ("тост", "ТОСТ"),
            ("Пушка", "Пушка"),
        ):
            assert case_by_height(_word_crop(word, font), _reading(read)).text == read, (font, word)
    # a reading whose characters do not pair with the crop's glyphs is left alone
    assert case_by_height(_word_crop("whatever", "DejaVuSans.ttf"), _reading("Whatevr")).text == "Whatevr"


def test_accented_capitals_in_words_of_capitals():
    read = {"HöFT": "HÖFT", "öARNA; CREYó!": "ÖARNA; CREYÓ!", "EUROPéENNE": "EUROPÉENNE", "PRæMIE": "PRÆMIE"}
    for text, settled in read.items():
        assert accented_capitals(CTCResult(text)).text == settled
    for text in ("ISLANDIA's", "McDONALD", "DeBüsschere", "GROßE", "Hö", "Öl", "MÜNCHEN und köln", "café"):
        assert accented_capitals(CTCResult(text)).text == text  # not a word of capitals, or "ß"


def test_pair_quotes_gives_a_word_s_two_quotes_the_surer_one_s_style():
    def read(text: str, first: float, last: float) -> CTCResult:
        probs = [0.9] * len(text)
        probs[0], probs[-1] = first, last
        return CTCResult(text, probs, [(i, i) for i in range(len(text))], 4 * len(text))

    assert pair_quotes(read("'Shearing\u2019", 0.8, 0.4)).text == "'Shearing'"
    assert pair_quotes(read('\u201cMagoo"', 0.8, 0.5)).text == "\u201cMagoo\u201d"
    assert pair_quotes(read("\u2018timed'", 0.4, 0.8)).text == "'timed'"
    # each word of a line on its own; quotes of one style, an apostrophe and single against double left alone
    assert pair_quotes(read("'a' and \u2018b\u2019", 0.9, 0.9)).text == "'a' and \u2018b\u2019"
    for text in ("don\u2019t 'x'", '\u2018word"', "'ok'"):
        assert pair_quotes(read(text, 0.9, 0.5)).text == text


def test_one_script_settles_the_look_alikes_of_a_word_that_mixes_latin_and_cyrillic():
    def read(text: str) -> str:
        result = one_script(CTCResult(text, [0.9] * len(text)))
        assert len(result.char_probs) == len(result.text)
        return result.text

    # Latin look-alikes in Cyrillic words, and Cyrillic ones in Latin words, each word on its own
    assert read("cлово и PAБОТА") == "слово и РАБОТА"
    assert read("Оpen Москва, Tоkyo") == "Open Москва, Tokyo"
    assert read("ѕеlf-їжа") == "self-їжа"
    # look-alikes alone, words of both scripts' own letters, and text of one script left as read
    for text in ("OKO TAM", "ОКО", "Nжk", "Tel. +7 (495) 123-45-67", "Привет, мир!", "garçon", ""):
        assert read(text) == text
    result = CTCResult("Москва", [0.9] * 6)
    assert one_script(result) is result
    # Greek's look-alikes of Latin, the same way
    assert read("Aθήνα KAΛHMEPA Ηello") == "Αθήνα ΚΑΛΗΜΕΡΑ Hello"
    assert read("λόγoς") == "λόγος"
    for text in ("ΟΚ ΝΟ", "MAKE", "καλημέρα, Κώστα"):
        assert read(text) == text


def test_lone_letters_take_the_script_of_their_neighbours():
    # a one-letter word between words of one script is put in it, with its punctuation; either way round
    assert lone_letters(["Он", "C", "тобой,", "B", "доме", "(o)"]) == ["Он", "С", "тобой,", "В", "доме", "(о)"]
    assert lone_letters(["I", "saw", "а", "boy"]) == ["I", "saw", "a", "boy"]
    assert lone_letters(["και", "O", "Η", "δρόμος"]) == ["και", "Ο", "Η", "δρόμος"]
    # the nearest words with letters of their own are asked, past words of look-alikes alone
    assert lone_letters(["слово", "OK", "c"]) == ["слово", "OK", "с"]
    # neighbours of two scripts, of none, a letter without a look-alike, numbers, longer words: left as read
    for words in (
        ["Москва", "C", "Tokyo"],
        ["C", "OK"],
        ["и", "d", "мир"],
        ["мир", "3", "дня"],
        ["мир", "C3", "дня"],
        ["мир", "'s", "T", "дня"],
        ["Компания", "IBM", "объявила"],
        ["a", "b", "c"],
        [],
    ):
        assert lone_letters(words) == words


def test_greek_capitals_and_final_sigma():
    """Words of capitals drop Greek's accent ("ΕΧΕΙ"; a diaeresis stays), other scripts' accents stay; a sigma
    that ends a word is "ς" (case folding writes every sigma "σ")."""
    assert capitals("έχει ρολόι ΐ") == "ΕΧΕΙ ΡΟΛΟΙ Ϊ"
    assert capitals("Έχει café") == "ΕΧΕΙ CAFÉ" and capitals("été") == "ÉTÉ" == "été".upper()
    assert final_sigma("τησ ελλάδασ, σου σχέσεισ-σ") == "της ελλάδας, σου σχέσεις-ς"
    assert final_sigma("κόσμοσ's") == "κόσμος's"


def test_drop_repeats_drops_a_glyph_read_twice():
    words = [
        Word(quad_from_box(100, 0, 140, 30), "12", 0.99),
        Word(quad_from_box(128, 0, 142, 30), "2", 0.9),  # the neighbour region's reading of the same "2"
        Word(quad_from_box(150, 0, 160, 30), "-", 0.9),
        Word(quad_from_box(300, 0, 320, 30), "2", 0.9),  # another "2", apart
    ]
    assert [w.text for w in drop_repeats(words)] == ["12", "-", "2"]
    # a glyph found again inside a word, read as something else ("1of2" and its "o" read "C"), goes too; a short
    # word inside a long word's box but not its polygon (a stamp turned across the line) stays
    nested = [
        Word(quad_from_box(1105, 420, 1164, 446), "1of2", 0.99),
        Word(quad_from_box(1116, 428, 1130, 441), "C", 0.8),
    ]
    assert [w.text for w in drop_repeats(nested)] == ["1of2"]
    stamp = Word(np.array([[0, 100], [100, 0], [120, 20], [20, 120]], np.float32), "PAID", 0.9)
    under = Word(quad_from_box(5, 5, 25, 20), "to", 0.9)  # in the stamp's box, outside its band
    assert [w.text for w in drop_repeats([stamp, under])] == ["PAID", "to"]


def test_join_split_words_joins_a_word_found_in_two_pieces():
    lexicon = Lexicon(["characteristics", "physical", "any", "one", "anyone", "follow", "up", "followup", "check"])

    def row(*pieces: tuple[float, float, str], top: float = 0) -> list[Word]:
        return [Word(quad_from_box(x0, top, x1, top + 12), text, 0.9 + x0 / 1e4) for x0, x1, text in pieces]

    # a split word's boxes touch or overlap; a word space (here 5 px at 12 px high) keeps words apart
    words = row((73, 132, "Physical"), (136, 161, "Cha"), (159, 245, "racteristics"))
    joined = join_split_words(words, lexicon)
    assert [w.text for w in joined] == ["Physical", "Characteristics"]
    assert joined[1].confidence == words[1].confidence  # the lower of the two
    np.testing.assert_allclose(joined[1].polygon, quad_from_box(136, 0, 245, 12))
    assert [w.text for w in join_split_words(row((0, 40, "Cha"), (45, 131, "racteristics")), lexicon)] == [
        "Cha",
        "racteristics",
    ]
    # a little further apart (2 px), where neither piece is a list word ("adjus" "tments" on a receipt's print)
    lexicon = Lexicon(["adjustments", "luxe", "deluxe"])
    assert [w.text for w in join_split_words(row((0, 40, "adjus"), (42, 90, "tments")), lexicon)] == ["adjustments"]
    assert [w.text for w in join_split_words(row((0, 20, "DE"), (22, 60, "LUXE")), lexicon)] == ["DE", "LUXE"]
    assert [w.text for w in join_split_words(row((0, 20, "DE"), (21, 60, "LUXE")), lexicon)] == ["DELUXE"]
    # a word in three or four pieces, a lone "i" among them read as the figure it looks like (a dot-matrix receipt's
    # wide-set "Invoice"); a figure between two words stays one ("page 1 of", "item 1 in", no list word)
    lexicon = Lexicon(["invoice", "tax", "page", "of", "item", "in"])
    assert [
        w.text for w in join_split_words(row((0, 30, "Tax"), (40, 70, "Invo"), (69, 72, "1"), (73, 88, "ce")), lexicon)
    ] == [
        "Tax",
        "Invoice",
    ]
    assert [
        w.text for w in join_split_words(row((0, 4, "I"), (5, 25, "NVO"), (26, 30, "1"), (31, 45, "CE")), lexicon)
    ] == ["INVOICE"]
    # a figure no letter looks like stands for any letter there ("7" for a dot-matrix "i"; its box shorter than the
    # letters', the gaps measured against the first piece's height); a mark does not
    short_seven = Word(quad_from_box(71, 3, 74, 10), "7", 0.9)
    invo, ce = row((40, 70, "Invo"), (76, 88, "ce"))
    assert [w.text for w in join_split_words([invo, short_seven, ce], lexicon)] == ["Invoice"]
    assert len(join_split_words(row((40, 70, "Invo"), (69, 72, "-"), (73, 88, "ce")), lexicon)) == 3
    for pieces in (
        row((0, 30, "page"), (32, 36, "1"), (38, 50, "of")),
        row((0, 30, "item"), (31, 35, "1"), (36, 50, "in")),
        row((0, 30, "page"), (32, 36, "7"), (38, 50, "of")),
    ):
        assert [w.text for w in join_split_words(pieces, lexicon)] == [w.text for w in pieces]
    lexicon = Lexicon(["characteristics", "physical", "any", "one", "anyone", "follow", "up", "followup", "check"])
    # pieces that are both list words stay apart ("any" "one", "follow" "up"); so do pieces in other rows, pieces
    # whose letters do not meet ("Cha." "racteristics") and joins that spell no list word or a short one
    for pieces in (
        row((0, 30, "any"), (30, 60, "one")),
        row((0, 60, "FOLLOW"), (59, 80, "UP")),
        row((0, 40, "Cha.")) + row((40, 131, "racteristics"), top=14),
        row((0, 40, "Cha."), (40, 131, "racteristics")),
        row((0, 40, "Chx"), (40, 131, "racteristics")),
        row((0, 20, "ch"), (20, 31, "e"), (60, 80, "ck")),
    ):
        assert [w.text for w in join_split_words(pieces, lexicon)] == [w.text for w in pieces]


def test_join_spaced_letters_joins_a_letter_spaced_heading():
    """A heading set letter-spaced, each letter read as a word of its own: the letters of each word joined, a word
    space (wider than the letters' gaps) parting the words; letters that spell no list word stay apart."""
    lexicon = Lexicon(["welcome", "home", "the", "end", "ioi"])

    def row(text: str, pitch: float = 60, space: float = 50, top: float = 0, height: float = 40) -> list[Word]:
        words, x = [], 0.0
        for ch in text:
            if ch == " ":
                x += space
                continue
            words.append(Word(quad_from_box(x, top, x + 30, top + height), ch, 0.9 + x / 1e5))
            x += pitch
        return words

    joined = join_spaced_letters(row("WELCOME H0ME"), lexicon)  # an "O" read alone as a "0"
    assert [w.text for w in joined] == ["WELCOME", "HOME"]
    np.testing.assert_allclose(joined[1].polygon, quad_from_box(470, 0, 680, 40))
    assert joined[0].confidence == 0.9  # its least sure letter's
    assert [w.text for w in join_spaced_letters(row("THE END", pitch=45, space=30), lexicon)] == ["THE", "END"]
    for letters in (row("ABCD"), row("WE LCOME"), row("WEL") + row("COME", top=45), row("HO"), row("101")):
        assert [w.text for w in join_spaced_letters(letters, lexicon)] == [w.text for w in letters]
    # letters farther apart than SPACED_REACH heights are no word's
    assert len(join_spaced_letters(row("HOME", pitch=130), lexicon)) == 4
    # letters read a few together ("TA X I NVO I CE" on a receipt): joined where they spell a list word of 5 letters or
    # more and are not all list words ("TO GET HER", and "A GO", too short, stay)
    lexicon = Lexicon(["invoice", "tax", "to", "get", "her", "together", "a", "go", "ago"])

    def pieces(*texts: str, gap: float = 8, space: float = 30) -> list[Word]:
        words, x = [], 0.0
        for text in texts:
            if text == " ":
                x += space - gap
                continue
            words.append(Word(quad_from_box(x, 0, x + 14 * len(text), 25), text, 0.9))
            x += 14 * len(text) + gap
        return words

    assert [w.text for w in join_spaced_letters(pieces("TA", "X", " ", "I", "NVO", "I", "CE"), lexicon)] == [
        "TA",
        "X",
        "INVOICE",
    ]
    for words in (pieces("TO", "GET", "HER"), pieces("A", "GO")):
        assert [w.text for w in join_spaced_letters(words, lexicon)] == [w.text for w in words]


def test_join_web_addresses_joins_an_address_found_in_pieces():
    def row(*pieces: tuple[float, float, str]) -> list[Word]:
        return [Word(quad_from_box(x0, 0, x1, 20), text, 0.9) for x0, x1, text in pieces]

    def texts(words: list[Word]) -> list[str]:
        return [w.text for w in join_web_addresses(words)]

    # SROIE receipts as read before: the pieces 0.01-0.23 heights apart, the words around 0.34-0.43
    assert texts(row((0, 60, "wWW."), (64, 150, "popular."), (153, 190, "com"), (193, 220, "my"))) == [
        "www.popular.com.my"
    ]
    assert texts(row((0, 40, "Visit"), (48, 80, "www"), (79, 300, ".harveynorman.com.my"), (305, 340, "for"))) == [
        "Visit",
        "www.harveynorman.com.my",
        "for",
    ]
    assert texts(row((0, 60, "WWW."), (52, 150, ".dominos.com"), (149, 180, ".my/terms"))) == [
        "www.dominos.com.my/terms"
    ]
    joined = join_web_addresses(row((0, 60, "www."), (64, 150, "popular."), (153, 190, "com")))
    np.testing.assert_allclose(joined[0].polygon, quad_from_box(0, 0, 190, 20))
    # a whole name is not continued by the next piece; a word space ends the address; no "www", nothing joined
    assert texts(row((0, 150, "wwW.dominos.com"), (154, 220, "my/smile"))) == ["www.dominos.com", "my/smile"]
    assert texts(row((0, 60, "www."), (70, 150, "popular"))) == ["www.", "popular"]
    assert texts(row((0, 40, "the"), (48, 90, "WWW"), (94, 110, "is"))) == ["the", "WWW", "is"]
    assert texts(row((0, 60, "WWW"), (64, 200, "lavender.com.my"))) == ["www.lavender.com.my"]
    assert texts(row((0, 60, "popular."), (62, 90, "com"))) == ["popular.", "com"]
    assert texts(row((0, 60, "WWW."), (62, 150, "(SALE)"))) == ["WWW.", "(SALE)"]
    # after a scheme or a domain name and a "/": pieces parted at a path's marks; the scheme's "//" put right
    assert texts(row((0, 70, "https://github."), (71, 150, "com/ocdr/"), (151, 200, "ocdr"), (207, 230, "for"))) == [
        "https://github.com/ocdr/ocdr",
        "for",
    ]
    assert texts(row((0, 40, "https"), (41, 150, "://uni.edu/docs"))) == ["https://uni.edu/docs"]
    assert texts(row((0, 40, "https:"), (41, 150, "//uni.edu/docs"))) == ["https://uni.edu/docs"]
    assert texts(row((0, 90, "example.org/"), (91, 150, "path"), (151, 190, "?id=42"))) == ["example.org/path?id=42"]
    assert texts(row((0, 200, "https:/lgithub.com/ocdr"))) == ["https://github.com/ocdr"]
    assert texts(row((0, 200, "http:l/acme.co.uk"))) == ["http://acme.co.uk"]
    assert texts(row((0, 200, "https://llama.com"))) == ["https://llama.com"]
    assert texts(row((0, 90, "http://acme.c"), (80, 150, "co.uk/a"))) == ["http://acme.co.uk/a"]
    # past the host name no dot is taken for lost: the next word stays apart
    assert texts(row((0, 90, "www.uni.edu/help"), (92, 120, "for"), (122, 160, "details"))) == [
        "www.uni.edu/help",
        "for",
        "details",
    ]
    assert texts(row((0, 40, "ftplib"), (44, 90, "docs"))) == ["ftplib", "docs"]


def test_join_email_addresses_joins_an_address_found_in_pieces():
    def texts(*pieces: tuple[float, float, str]) -> list[str]:
        words = [Word(quad_from_box(x0, 0, x1, 20), text, 0.9) for x0, x1, text in pieces]
        return [w.text for w in join_email_addresses(words)]

    # as the shipped detector cut rendered addresses: at the "@", at dots, at an underscore; a dot read in both
    # pieces once; a glyph read in both overlapping pieces once
    assert texts((0, 50, "Email:"), (56, 120, "john.smith@"), (121, 200, "company.net")) == [
        "Email:",
        "john.smith@company.net",
    ]
    assert texts((0, 60, "team@"), (60, 110, "acme."), (108, 150, "co.uk"), (158, 190, "today")) == [
        "team@acme.co.uk",
        "today",
    ]
    assert texts((0, 40, "team"), (43, 150, "@company.net")) == ["team@company.net"]
    assert texts((0, 90, "contact@shop."), (89, 110, ".de")) == ["contact@shop.de"]
    assert texts((0, 90, "sales@u"), (80, 170, "uni.edu")) == ["sales@uni.edu"]
    assert texts((0, 50, "mary_"), (52, 150, "jones@uni.edu")) == ["mary_jones@uni.edu"]
    assert texts((0, 70, "(sales@"), (71, 160, "acme.com),")) == ["(sales@acme.com),"]
    # the longest run that is an address: a word after it stays
    assert texts((0, 60, "info@acme."), (62, 100, "com."), (103, 140, "Thanks")) == ["info@acme.com.", "Thanks"]
    # no mark between: words side by side, even overlapping, stay apart; so do pieces a word space apart
    assert texts((0, 20, "to"), (15, 60, "mary"), (62, 150, "jones@uni.edu")) == ["to", "mary", "jones@uni.edu"]
    assert texts((0, 60, "sales@"), (70, 150, "acme.com")) == ["sales@", "acme.com"]
    # pieces that make no address stay apart
    assert texts((0, 40, "3.5"), (42, 80, "@home")) == ["3.5", "@home"]
    assert texts((0, 40, "a@b@"), (41, 90, "c.com")) == ["a@b@", "c.com"]


def _row(*pieces: tuple[float, float, str]) -> list[Word]:
    """Words side by side in a row 20 pixels high: (left, right, text) each."""
    return [Word(quad_from_box(x0, 0, x1, 20), text, 0.9) for x0, x1, text in pieces]


def test_an_address_cut_where_a_separator_was_left_out_is_joined_by_its_reading_as_one():
    words = _row(
        (0, 30, "Ask"),
        (36, 80, "mary"),
        (84, 200, "jones@uni.edu"),
        (230, 260, "or"),
        (300, 340, "3.5"),
        (342, 400, "x@y.com"),
    )
    # "Ask" is a word space from "mary" but "mary" holds no "@"; "or" is far from "3.5"
    assert address_splits(words) == [(1, 2), (4, 5)]

    def texts(readings: dict[tuple[int, int], str]) -> list[str]:
        return [w.text for w in join_read_addresses(words, readings)]

    joined = texts({(1, 2): "mary_ jones@uni.edu", (4, 5): "3.5x@y.com"})
    assert joined == ["Ask", "mary_jones@uni.edu", "or", "3.5", "x@y.com"]
    # after a separator, a wider gap (an underscore read as a dot)
    wider = _row((0, 40, "mary."), (49, 150, "jones@uni.edu"), (200, 240, "mary"), (249, 350, "jones@uni.edu"))
    assert address_splits(wider) == [(0, 1)]
    # a letter more or less, a space left, or the two texts only run together: no join
    for reading in ("mary_jones@unl.edu", "mary jones@uni.edu", "maryjones@uni.edu", "mary_jones@uni"):
        assert texts({(1, 2): reading}) == [w.text for w in words]
