"""Unsure crops read again in variants (ocdr.models.recognition.variants): the vote, the positions, words boxed at a
slant turned level, the shipped recognizer on real crops."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import SHARED_DATA

from ocdr.evaluation.metrics import match_words
from ocdr.io.crop_datasets import read_crop_dataset
from ocdr.io.page_datasets import read_page_dataset
from ocdr.models.recognition import variants as rec_variants
from ocdr.models.recognition.ctc import CTCResult
from ocdr.models.recognition.variants import TILTS, VARIANTS, reread, slanted, untilt, variants, vote, widen


def _result(text: str, prob: float, steps: int = 20, positions: list[tuple[int, int]] | None = None) -> CTCResult:
    return CTCResult(text, [prob] * len(text), positions or [(2 * i, 2 * i) for i in range(len(text))], steps)


def test_vote_sums_confidence_over_readings_of_one_text():
    readings = [_result("SALE", 0.6), _result("SALE", 0.5), _result("SAIE", 0.9), _result("5ALE", 0.3)]
    index, share = vote(readings, [1.01, 1, 1, 1])
    assert index == 0  # 1.106 for SALE beats 0.9 for SAIE; the original is the surer SALE
    assert share == pytest.approx((1.01 * 0.6 + 0.5) / 4.01)
    readings = [_result("SAIE", 0.5), _result("SALE", 0.6), _result("SALE", 0.7)]
    assert vote(readings, [1.01, 1, 1])[0] == 2  # the surest reading of the winning text


def test_vote_tie_goes_to_the_crop_as_cut():
    assert vote([_result("cat", 0.5), _result("cot", 0.5)], [1.01, 1])[0] == 0


def test_variants_are_gray_and_map_back():
    crop = np.full((20, 60, 3), 230, np.uint8)
    crop[5:15, 10:50] = 20
    made = variants(crop)
    assert len(made) == len(VARIANTS)
    for v in made:
        assert v.image.ndim == 2 and v.image.dtype == np.uint8
        # the dark block's left edge, at the crop's column 10, lies where the variant says it does
        row = v.image[v.image.shape[0] // 2].astype(int)
        edge = int(np.argmax(np.abs(np.diff(row)) > 60)) + 1
        assert abs(edge - (10 * v.scale + v.left)) <= 1
    assert made[-1].image[0, 0] == 255 - 230  # inverted


def test_reread_asks_only_unsure_crops_and_maps_positions():
    crops = [np.full((10, 40), 200, np.uint8), np.full((10, 40), 200, np.uint8)]
    first = [_result("sure", 0.99), _result("bad", 0.4, steps=10, positions=[(0, 0), (4, 5), (9, 9)])]
    asked: list[int] = []

    def read(images: list[np.ndarray]) -> list[CTCResult]:
        asked.append(len(images))
        # every variant reads "good"; the margined one (1 px around: 42 px wide) most surely
        return [
            _result("good", 0.9 if im.shape[1] == 42 else 0.5, steps=12, positions=[(0, 0), (3, 3), (6, 6), (11, 11)])
            for im in images
        ]

    out = reread(read, crops, first)
    assert asked == [1, len(VARIANTS) - 1]  # the sure crop is not read again; the margined variant disagreed
    assert out[0] is first[0]
    assert out[1].text == "good" and out[1].num_steps == 10  # the crop's own steps
    # its confidence is the text's share of the vote: 0.9 + 3 x 0.5 of 1.01 + 4
    assert out[1].confidence == pytest.approx(2.4 / 5.01)
    # the margined variant is 42 px wide for the crop's 40: step 11 of 12 lies at its x 40.25, the crop's x 39.25
    assert out[1].positions[-1] == (9, 9) and out[1].positions[0] == (0, 0)
    assert all(0 <= a <= b < 10 for a, b in out[1].positions)


def test_reread_stops_where_the_first_variant_agrees():
    crops = [np.full((10, 40), 200, np.uint8)]
    asked: list[int] = []

    def read(images: list[np.ndarray]) -> list[CTCResult]:
        asked.append(len(images))
        return [_result("word", 0.8) for _ in images]

    first = [_result("word", 0.6)]
    out = reread(read, crops, first)
    assert asked == [1] and out[0] is first[0]  # the crop's own reading of the text that won


def test_reread_keeps_a_reading_the_variants_do_not_outvote():
    crops = [np.full((10, 40), 200, np.uint8)]
    first = [_result("word", 0.9)]
    texts = iter(["ward", "wort", "warm", "wand"])  # each variant reads another text, none as surely
    out = reread(lambda images: [_result(next(texts), 0.5) for _ in images], crops, first)
    assert out[0] is first[0]


@pytest.mark.skipif(not (SHARED_DATA / "detection").is_dir(), reason="needs ../shared/data")
def test_forms_read_with_variants_find_more_words_where_they_lie(ocr, monkeypatch):
    """On three FUNSD forms, regions whose text a variant's reading wins (9 at stop 43: "Other", "Type", "gm/m2",
    ...) are cut into words from that reading's positions, mapped onto the crop: more labelled words are found, each
    at IoU >= 0.5 with its label's box and with its text, than when the crops are read once. (Forms 4-6 since stop
    89's detector: +7 words there; over the first 40 forms +20, 14 forms gaining and 5 losing one; the first three
    gain one.)"""
    won = []
    mapped = rec_variants._mapped

    def counted(result, *args):
        won.append(result.text)
        return mapped(result, *args)

    monkeypatch.setattr(rec_variants, "_mapped", counted)
    found = {False: 0, True: 0}
    for path, labels in read_page_dataset(SHARED_DATA / "detection" / "funsd_train")[3:6]:
        image = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
        for on in found:
            page = ocr(image, use_rec_variants=on).pages[0]
            found[on] += match_words([(w.polygon, w.text) for w in page.words], labels).tp
    assert len(won) >= 5
    assert found[True] >= found[False] + 3


@pytest.mark.skipif(not (SHARED_DATA / "recognition").is_dir(), reason="needs ../shared/data")
def test_reread_reads_more_real_scene_words(ocr):
    """The shipped recognizer on SVT's 256 training words (street signs): the variants' vote reads more of them
    right, mending more crops than it breaks (4 against 0 at stop 43), and leaves the readings it was sure of."""
    crops, texts = [], []
    for _, image, text in read_crop_dataset(SHARED_DATA / "recognition" / "svt_train"):
        if image is not None:
            crops.append(image)
            texts.append(text)
    plain = ocr.pipeline.read_crops(crops, ocr.params.with_overrides(use_rec_variants=False))
    voted = ocr.pipeline.read_crops(crops, ocr.params.with_overrides(use_rec_variants=True))
    right_before = np.array([r.text == t for r, t in zip(plain, texts, strict=True)])
    right_after = np.array([r.text == t for r, t in zip(voted, texts, strict=True)])
    mended, broken = int((right_after & ~right_before).sum()), int((right_before & ~right_after).sum())
    assert mended > broken
    assert right_after.sum() >= right_before.sum() + 2
    sure = [i for i, r in enumerate(plain) if r.confidence >= 0.95]
    assert sure and all(voted[i] == plain[i] for i in sure)


def test_a_slanted_box_is_turned_level_and_cut_to_its_word():
    crop = slanted(np.full((20, 160), 20, np.uint8), 20, ground=230)  # a dark "word" 160 x 20 px on light
    assert crop.shape[1] < 2.5 * crop.shape[0]  # its box is no longer wide: a candidate
    v = rec_variants._tilted(crop, -20)  # turned back clockwise
    assert v is not None
    dark = v.image < 128
    rows = np.flatnonzero(dark.mean(axis=1) > 0.5)
    cols = np.flatnonzero(dark.mean(axis=0) > 0.5)
    assert 16 <= len(rows) <= 24  # level again: the bar's 20 rows, not a slanted band
    assert len(cols) >= 0.9 * 160 and len(cols) >= 0.7 * v.image.shape[1]  # cut to the word, its ends kept
    # its left end lies where the variant's mapping puts the crop's left end of the bar
    left = int(cols[0])
    crop_left = int(np.flatnonzero((crop < 128).any(axis=0))[0])
    assert abs(left - (crop_left * v.scale + v.left)) <= 6
    assert rec_variants._tilted(np.zeros((20, 200), np.uint8), 40) is None  # no word that slanted fits a flat box


def test_untilt_asks_unsure_narrow_crops_and_needs_two_tilts_to_agree():
    """Unsure narrow crops are read at every slant in one call, then either side of the surest slant where it beats
    the crop's own reading; a text needs two tilts to outvote the crop, and one-character readings have no vote.
    The crops are flat grays, each its own, so that the reader can tell whose tries it is given."""
    crops = [np.full((40, 60), gray, np.uint8) for gray in (200, 201, 202, 203, 204)]
    crops[2] = np.full((20, 200), 202, np.uint8)  # wide: not asked
    first = [_result("sure", 0.99), _result("bad", 0.4), _result("wide", 0.4), _result("lone", 0.6)]
    first.append(_result("word", 0.5))
    calls: list[int] = []

    def read(images: list[np.ndarray]) -> list[CTCResult]:
        calls.append(len(images))
        seen: dict[int, int] = {}
        out = []
        for image in images:
            gray = int(image[0, 0])
            k = seen[gray] = seen.get(gray, -1) + 1
            if gray == 204:
                out.append(_result("S", 0.9))  # a blob read at every slant: no vote
            elif len(calls) == 2:
                out.append(_result("good", 0.7) if gray == 201 else _result(f"junk{k}", 0.1))
            elif gray == 201:
                out.append(_result("good", 0.7) if k < 2 else _result(f"junk{k}", 0.1))
            else:
                out.append(_result("once", 0.7) if k == 0 else _result(f"junk{k}", 0.1))
        return out

    out = untilt(read, crops, first)
    tries = len(rec_variants._tries(crops[1], [d for t in TILTS for d in (t, -t)]))
    assert tries >= 4  # the flatter slants fit a box half again as wide as tall; the steep ones do not
    assert calls == [3 * tries, 4]  # every slant of the three, then two finer ones of each crop a tilt read surer
    assert out[0] is first[0] and out[2] is first[2]  # sure, and wide: not asked
    assert out[1].text == "good" and out[1].num_steps == first[1].num_steps
    assert out[1].confidence == pytest.approx(0.7 * 4 / (2 + tries + 2))  # its share of the vote
    assert out[3] is first[3]  # 0.7 for "once" does not outvote 2 x 0.6
    assert out[4] is first[4]  # "S" at every slant, 0.9 sure, has no vote


def _slanted_words(low: float, high: float) -> tuple[list[np.ndarray], list[str]]:
    """60 level IIIT5K training words, each turned ``low``-``high`` degrees either way and cut out by its
    axis-aligned box as ICDAR 2015's words are, and their texts."""
    rng = np.random.default_rng(0)
    crops, texts = [], []
    for _, image, text in read_crop_dataset(SHARED_DATA / "recognition" / "iiit5k_train", limit=60):
        degrees = float(rng.uniform(low, high)) * (1 if rng.random() < 0.5 else -1)
        crops.append(slanted(image, degrees))
        texts.append(text)
    return crops, texts


@pytest.mark.skipif(not (SHARED_DATA / "recognition").is_dir(), reason="needs ../shared/data")
@pytest.mark.parametrize(("low", "high", "least"), [(15, 35, 44), (50, 70, 38)])
def test_words_boxed_at_a_slant_are_read_level(ocr, low: float, high: float, least: int):
    """The shipped recognizer on 60 level IIIT5K training words, each turned ``low``-``high`` degrees either way and
    cut out by its axis-aligned box as ICDAR 2015's words are: reading them turned level at a few slants reads many
    more (15-35 degrees: 46 of 60 against 9 read as cut, none broken, 42 at stop 55; 50-70 degrees: 41 against none,
    none at stop 55; 49 read level as they were)."""
    crops, texts = _slanted_words(low, high)
    plain = ocr.pipeline.read_crops(crops, ocr.params)
    level = [r for r, _ in ocr.pipeline.read_upright(crops, ocr.params)]
    right_before = np.array([r.text == t for r, t in zip(plain, texts, strict=True)])
    right_after = np.array([r.text == t for r, t in zip(level, texts, strict=True)])
    mended, broken = int((right_after & ~right_before).sum()), int((right_before & ~right_after).sum())
    assert right_after.sum() >= least and mended >= least - 10 and broken <= 2


@pytest.mark.skipif(not (SHARED_DATA / "recognition").is_dir(), reason="needs ../shared/data")
def test_the_slants_are_read_by_the_int8_copy_and_read_as_many_words(ocr, monkeypatch):
    """On the CPU the slants a crop is tried at are read by the shipped recognizer's int8 copy (stop 91: held-out
    crops 1.4x as fast), and these 60 slanted words read as well as with every slant read by the float network (44
    and 44 right); a recognizer of the caller's own, or the int8 one throughout, reads its own slants."""
    from ocdr import OCR
    from ocdr.runtime.registry import shipped_model_path

    slants = ocr.pipeline.slant_recognizer
    assert slants.model.path.name == "rec_crnn_lite_int8.onnx" and ocr.pipeline.recognizer.model.path.name == (
        "rec_crnn_lite.onnx"
    )
    for own in (OCR(threads=1, precision="int8"), OCR(threads=1, rec_model=shipped_model_path("rec"))):
        assert own.pipeline.slant_recognizer is own.pipeline.recognizer
    crops, texts = _slanted_words(15, 35)
    asked: list[int] = []

    def counted(images, *args):
        asked.append(len(images))
        return slants(images, *args)

    monkeypatch.setattr(ocr.pipeline, "slant_recognizer", counted)
    by_int8 = [r.text for r, _ in ocr.pipeline.read_upright(crops, ocr.params)]
    assert sum(asked) > 5 * len(crops)  # the tries: up to 16 readings of each unsure crop
    monkeypatch.setattr(ocr.pipeline, "slant_recognizer", ocr.pipeline.recognizer)
    by_float = [r.text for r, _ in ocr.pipeline.read_upright(crops, ocr.params)]
    right_int8, right_float = (sum(r == t for r, t in zip(read, texts, strict=True)) for read in (by_int8, by_float))
    assert right_int8 >= 42 and right_int8 >= right_float - 2, (right_int8, right_float)


@pytest.mark.skipif(not (SHARED_DATA / "recognition").is_dir(), reason="needs ../shared/data")
def test_words_near_upright_are_read_turned_a_quarter_and_level(ocr):
    """A word turned 73-84 degrees and boxed axis-aligned is a tall crop: turned a quarter it still runs 6-17
    degrees off level, and is read turned level too (``read_upright`` puts the quarter-turned readings to ``untilt``
    since stop 64; before, 1 of these 4 IIIT5K training words read right: "india", "KMPM", "BLUSH?")."""
    turns = {"1045_4.jpg": -78, "1045_6.jpg": 77, "192_2.jpg": 73, "2030_3.jpg": 84}
    found = [
        (slanted(image, turns[Path(name).name]), text)
        for name, image, text in read_crop_dataset(SHARED_DATA / "recognition" / "iiit5k_train", limit=200)
        if Path(name).name in turns
    ]
    assert len(found) == 4 and all(c.shape[0] >= 1.5 * c.shape[1] for c, _ in found)  # tall: turned a quarter too
    read = ocr.pipeline.read_upright([c for c, _ in found], ocr.params)
    assert sum(r.text == text for (r, _), (_, text) in zip(read, found, strict=True)) >= 3


def test_widen_reads_unsure_squat_crops_stretched_and_keeps_a_surer_longer_reading():
    """Only unsure crops narrower than 1.6 heights are read again, stretched 1.5 times wider, in one call; a surer
    reading of two characters or more replaces the crop's, its positions mapped back onto the crop's steps."""
    crops = [np.full((40, 40), 200, np.uint8) for _ in range(4)] + [np.full((40, 80), 200, np.uint8)]
    first = [_result("Lit", 0.5, steps=10), _result("sure", 0.99), _result("OK", 0.6), _result("ab", 0.3)]
    first.append(_result("wide", 0.2))
    stretched = [_result("Lift", 0.9, steps=15, positions=[(0, 0), (4, 4), (8, 8), (14, 14)])]
    stretched += [_result("NO", 0.4), _result("%", 0.9)]  # less sure; one character, however sure
    widths: list[list[int]] = []

    def read(images: list[np.ndarray]) -> list[CTCResult]:
        widths.append([im.shape[1] for im in images])
        return stretched

    out = widen(read, crops, first)
    assert widths == [[60, 60, 60]]  # crops 0, 2 and 3: the sure one and the wide one are not asked
    assert out[0].text == "Lift" and out[0].num_steps == 10 and out[0].confidence == pytest.approx(0.9)
    assert [p for p, _ in out[0].positions] == [0, 3, 5, 9]  # step s of 15 lies at (s + 0.5) / 15 of the crop
    assert out[1:] == first[1:]


@pytest.mark.skipif(not (SHARED_DATA / "recognition").is_dir(), reason="needs ../shared/data")
def test_squat_scene_words_are_read_stretched(ocr, monkeypatch):
    """The squat crops (narrower than 1.6 heights) among the first 300 ICDAR 2015 training words: read stretched
    too, 66 of 79 read right against 62 without ("Lift", "PAY", "ROAD", "West"; 6 mended, 2 broken)."""
    crops, texts = [], []
    for _, image, text in read_crop_dataset(SHARED_DATA / "recognition" / "icdar2015_words_train", limit=300):
        if image is not None and image.shape[1] < 1.6 * image.shape[0] and text != "###":
            crops.append(image)
            texts.append(text)
    widened = [r.text == t for (r, _), t in zip(ocr.pipeline.read_upright(crops, ocr.params), texts, strict=True)]
    monkeypatch.setattr(rec_variants, "WIDEN_ASPECT", 0.0)
    plain = [r.text == t for (r, _), t in zip(ocr.pipeline.read_upright(crops, ocr.params), texts, strict=True)]
    right_before, right_after = np.array(plain), np.array(widened)
    assert len(crops) >= 70
    assert right_after.sum() >= right_before.sum() + 3 and int((right_before & ~right_after).sum()) <= 2
