"""Synthetic data: text sampling, fonts, crop and page rendering, dataset writers and ``ocdr synth``."""

from __future__ import annotations

import json
import string

import cv2
import numpy as np
import pytest

from ocdr.cli import main
from ocdr.io.labels import read_characters_list, read_gt_list, read_icdar_gt
from ocdr.models.recognition.charset import DEFAULT_CHARSET, Charset
from ocdr.training.synth.datasets import write_line_dataset, write_page_dataset
from ocdr.training.synth.fonts import find_fonts, listed_font_names
from ocdr.training.synth.render import PageStyle, augment_gray, drawable, load_font, render_crop, vertical_extent
from ocdr.training.synth.scene import PatchSource, find_backgrounds
from ocdr.training.synth.text import TextSampler

cv2.setNumThreads(1)


@pytest.fixture(scope="module")
def fonts():
    return find_fonts()


def _tokens(seed: int, n: int) -> list[str]:
    sampler = TextSampler(np.random.default_rng(seed))
    return [sampler.token() for _ in range(n)]


# ---------------------------------------------------------------------------------------------------- text
def test_text_sampler_is_deterministic_per_seed():
    assert _tokens(7, 200) == _tokens(7, 200)
    assert _tokens(7, 200) != _tokens(8, 200)
    a = TextSampler(np.random.default_rng(1)).words_line(6)
    assert a == TextSampler(np.random.default_rng(1)).words_line(6)
    assert len(a) == 6 and all(t and " " not in t for t in a)
    assert len(TextSampler(np.random.default_rng(1)).words_line(0)) == 1


def test_text_sampler_token_variety():
    tokens = _tokens(0, 500)
    joined = "".join(tokens)
    assert all(t and " " not in t for t in tokens)  # tokens are space-free; lines join them
    assert any(c in string.digits for c in joined)
    assert any(c in string.ascii_uppercase for c in joined)
    assert any(c in string.ascii_lowercase for c in joined)
    assert any(c in ",.;:!?()'\"-/" for c in joined)
    assert sum(t.isalpha() and t.islower() for t in tokens) > 100  # mostly plain words
    assert sum(any(c.isdigit() for c in t) for t in tokens) > 25  # numbers, dates, prices, codes
    assert len(set(tokens)) > 300
    assert Charset().covers(joined)  # the default recognizer charset can learn every token


# --------------------------------------------------------------------------------------------------- fonts
def test_find_fonts_with_coverage(fonts):
    assert len(listed_font_names()) >= 40
    assert len(fonts) >= 40
    assert len({f.path for f in fonts}) == len(fonts)
    for spec in fonts:
        assert spec.path.is_file() and spec.path.suffix.lower() in (".ttf", ".otf")
        assert set(string.ascii_letters + string.digits) <= spec.coverage, spec.name
    assert sum("€" in f.coverage for f in fonts) > len(fonts) // 2
    assert find_fonts([fonts[0].path.name]) == [fonts[0]]
    with pytest.raises(FileNotFoundError):
        find_fonts(["no-such-font-anywhere.ttf"])


def test_drawable(fonts):
    spec = fonts[0]
    assert drawable("Hello world 123", spec)
    assert not drawable("\u4e2d", spec)  # a CJK ideograph is not in the Latin fonts


# --------------------------------------------------------------------------------------------- crops/pages
def test_render_crop_gray_with_text_aspect(fonts):
    spec = fonts[0]
    rng = np.random.default_rng(0)
    short = render_crop("Hi", spec, 32, rng, augment=False)
    long = render_crop("Hello wonderful world", spec, 32, rng, augment=False)
    font = load_font(str(spec.path), 32)
    for img, text in ((short, "Hi"), (long, "Hello wonderful world")):
        assert img.dtype == np.uint8 and img.ndim == 2
        x0, _, x1, _ = font.getbbox(text, anchor="ls")
        top, bottom = vertical_extent(font)
        h = bottom - top
        # ink width plus margins of at most 0.45 h each side; height h with margins in [-0.04, 0.3] h
        assert x1 - x0 <= img.shape[1] <= x1 - x0 + 0.9 * h + 2
        assert 0.92 * h - 2 <= img.shape[0] <= 1.6 * h + 2
        assert int(img.max()) - int(img.min()) > 60  # visible ink on the background
    assert long.shape[1] / long.shape[0] > 3 * short.shape[1] / short.shape[0]


def test_render_crop_augmented_keeps_size_and_type(fonts):
    rng = np.random.default_rng(5)
    for i in range(5):
        img = render_crop("Invoice #123", fonts[i], 24, rng, augment=True)
        assert img.dtype == np.uint8 and img.ndim == 2 and img.shape[1] > 2 * img.shape[0]


def test_augment_gray_keeps_shape_and_dtype():
    img = np.full((40, 60), 230, np.uint8)
    img[15:25, 10:50] = 20
    rng = np.random.default_rng(0)
    outs = [augment_gray(img, rng, strength=1.0) for _ in range(10)]
    assert all(o.shape == img.shape and o.dtype == np.uint8 for o in outs)
    assert any(not np.array_equal(o, img) for o in outs)
    assert np.array_equal(augment_gray(img, np.random.default_rng(0), strength=0.0), img)


# ------------------------------------------------------------------------------------------------ datasets
def test_write_line_dataset_round_trip(tmp_path):
    out = write_line_dataset(tmp_path / "lines", 30, seed=1, line_prob=0.5)
    pairs = read_gt_list(out / "gt_list.txt")
    assert len(pairs) == 30
    assert [name for name, _ in pairs] == [f"images/{i:08d}.png" for i in range(30)]
    assert all(text and text == text.strip() for _, text in pairs)
    assert any(" " in text for _, text in pairs)  # multi-word crops with spaces
    chars = read_characters_list(out / "characters_list.txt")
    assert {c for _, text in pairs for c in text} == set(chars)
    assert " " in chars
    charset = Charset(chars)
    for name, text in pairs:
        img = cv2.imread(str(out / name), cv2.IMREAD_UNCHANGED)
        assert img is not None and img.ndim == 2 and img.dtype == np.uint8
        assert img.shape[0] >= 8 and img.shape[1] >= 4
        assert len(charset.encode(text)) == len(text)
    assert set(chars) <= set(DEFAULT_CHARSET)
    # same seed, same data
    again = write_line_dataset(tmp_path / "again", 30, seed=1, line_prob=0.5)
    assert read_gt_list(again / "gt_list.txt") == pairs


def test_end_prob_ends_crops_in_punctuation_and_leaves_the_default_alone(tmp_path):
    plain = read_gt_list(write_line_dataset(tmp_path / "plain", 40, seed=2) / "gt_list.txt")
    again = read_gt_list(write_line_dataset(tmp_path / "zero", 40, seed=2, end_prob=0.0) / "gt_list.txt")
    assert again == plain  # recipes rendered before the option reproduce
    ended = read_gt_list(write_line_dataset(tmp_path / "ended", 40, seed=2, end_prob=1.0) / "gt_list.txt")
    # every crop whose text ends in a letter or digit gets one
    assert sum(text[-1] in ".,:" for _, text in ended) >= 30
    assert sum(text[-1] in ".,:" for _, text in plain) < 10


def test_write_page_dataset(tmp_path):
    out = write_page_dataset(tmp_path / "pages", 1, seed=0, style=PageStyle(dpi=72))
    img = cv2.imread(str(out / "images" / "page_00000.png"), cv2.IMREAD_UNCHANGED)
    assert img is not None and img.ndim == 2
    h, w = img.shape
    assert (h, w) == (int(11.69 * 72), int(8.27 * 72))
    labels = read_icdar_gt(out / "gts" / "gt_page_00000.txt")
    assert len(labels) > 20
    assert all(lab.text and not lab.ignore for lab in labels)
    for lab in labels:
        p = lab.polygon
        assert (p[:, 0] >= 0).all() and (p[:, 0] <= w).all() and (p[:, 1] >= 0).all() and (p[:, 1] <= h).all()
        assert p[1, 0] > p[0, 0] and p[3, 1] > p[0, 1]  # clockwise from the top-left, positive size
    # the boxes hold ink: darker inside the word boxes than the page overall
    inside = np.zeros_like(img, bool)
    for lab in labels:
        x0, y0 = lab.polygon.min(0).astype(int)
        x1, y1 = lab.polygon.max(0).astype(int)
        inside[y0:y1, x0:x1] = True
    assert img[inside].mean() < img[~inside].mean() - 20
    assert (out / "style.json").is_file()


def synth_page(out, *options: str) -> int:
    """``ocdr synth pages``: one small page (50 dpi) in the first listed font, to ``out``."""
    font = find_fonts()[0].path.name
    return main(["synth", "pages", "--out", str(out), "--count", "1", "--dpi", "50", "--fonts", font, *options])


def test_cli_synth_lines_and_pages(tmp_path, capsys):
    assert main(["synth", "lines", "--out", str(tmp_path / "l"), "--count", "6", "--seed", "3"]) == 0
    assert "wrote 6 lines" in capsys.readouterr().out
    assert len(read_gt_list(tmp_path / "l" / "gt_list.txt")) == 6
    assert len(list((tmp_path / "l" / "images").glob("*.png"))) == 6
    assert synth_page(tmp_path / "p", "--noise", "0") == 0
    assert len(read_icdar_gt(tmp_path / "p" / "gts" / "gt_page_00000.txt")) > 10
    assert main(["synth", "lines", "--out", str(tmp_path / "x"), "--count", "0"]) == 2
    assert main(["synth", "lines", "--out", str(tmp_path / "x"), "--count", "2", "--line-prob", "30"]) == 2
    assert not (tmp_path / "x").exists()  # refused before anything is written


def test_synth_lines_draw_words_from_given_lists(tmp_path):
    """``--words``: text in other languages, accented letters and all, for training them."""
    words = tmp_path / "fr.txt"
    words.write_text("été\nfrançais\nnaïve\ngarçon\nœuvre\n", encoding="utf-8")
    out = tmp_path / "fr"
    args = ["synth", "lines", "--out", str(out), "--count", "40", "--seed", "2", "--words", str(words)]
    assert main(args) == 0
    texts = [text for _, text in read_gt_list(out / "gt_list.txt")]
    drawn = {w.lower() for text in texts for w in text.split()}
    assert drawn & {"été", "français", "naïve", "garçon", "œuvre"}
    assert {"é", "ç"} & set(read_characters_list(out / "characters_list.txt"))
    assert not drawn & set(TextSampler(np.random.default_rng(0)).words)  # no English words among them
    pages = tmp_path / "pages"
    assert synth_page(pages, "--words", str(words)) == 0
    labelled = {label.text.lower() for label in read_icdar_gt(pages / "gts" / "gt_page_00000.txt")}
    assert labelled & {"été", "français", "naïve", "garçon", "œuvre"}
    (tmp_path / "empty.txt").write_text("\n")
    assert main([*args[:3], str(tmp_path / "e"), *args[4:9], str(tmp_path / "empty.txt")]) == 2
    assert main([*args[:3], str(tmp_path / "m"), *args[4:9], str(tmp_path / "missing.txt")]) == 2
    assert not (tmp_path / "e").exists() and not (tmp_path / "m").exists()


def test_pages_of_other_scripts_are_drawn_in_fonts_that_have_their_letters(tmp_path, fonts):
    """A page's body font draws all its paragraphs: with Cyrillic words, a font without Cyrillic would leave only the
    numbers and codes between them, so such fonts are left out for that list (all are kept for English)."""
    words = tmp_path / "ru.txt"
    words.write_text("слово\nработа\nгород\nчеловек\nвремя\n", encoding="utf-8")
    latin_only = next(f for f in fonts if "ж" not in f.coverage)
    both = next(f for f in fonts if "ж" in f.coverage)
    for seed in (2, 3, 5):  # pages whose body font would be the Latin one: 17%, 3% and 1% Cyrillic words then
        out = write_page_dataset(
            tmp_path / f"p{seed}",
            1,
            seed=seed,
            fonts=[latin_only.path.name, both.path.name],
            style=PageStyle(dpi=50),
            words=[str(words)],
        )
        labelled = [label.text for label in read_icdar_gt(out / "gts" / "gt_page_00000.txt")]
        cyrillic = [t for t in labelled if any("а" <= c <= "я" for c in t.lower())]
        assert len(cyrillic) > 0.5 * len(labelled), labelled  # 70% or more (the rest: numbers, codes, prices)


def test_crops_of_other_scripts_are_drawn_in_fonts_that_have_their_letters(monkeypatch, fonts):
    """A crop whose font could draw none of the texts tried falls back to a dictionary word: in a font without the
    list's letters, that drew a row of missing-glyph boxes labelled as the word (1% of a Cyrillic set's crops)."""
    from ocdr.training.synth import render, scene

    drawn: list[tuple[str, object]] = []

    def capture(text, spec, *args, **kwargs):
        drawn.append((text, spec))
        return np.zeros((8, 8), np.uint8)

    monkeypatch.setattr(render, "render_crop", capture)
    monkeypatch.setattr(scene, "render_scene_crop", capture)
    latin_only = next(f for f in fonts if "ж" not in f.coverage)
    both = next(f for f in fonts if "ж" in f.coverage)
    rng = np.random.default_rng(0)
    sampler = TextSampler(rng, ["слово", "работа", "город", "человек", "время"])
    for _ in range(300):
        render.sample_crop(sampler, [latin_only, both], rng, line_prob=0.5)
        scene.sample_scene_crop(sampler, [latin_only, both], rng, patches=None, line_prob=0.5)  # type: ignore[arg-type]
    assert all(drawable(text, spec) for text, spec in drawn)  # 12 were not before
    assert sum(spec is latin_only for _, spec in drawn) > 100  # numbers, codes, prices: the Latin font draws them


# ---------------------------------------------------------------------------------------------- scene crops
def _photo_set(root, stems=("a", "b")):
    """A labelled page set of two dark, textured 'photos', each with one bright labelled sign (255) and a bright
    '###' region: the only pixels at 255, so a patch that holds one shows text was let through."""
    (root / "images").mkdir(parents=True)
    (root / "gts").mkdir()
    rng = np.random.default_rng(0)
    for stem in stems:
        img = rng.integers(40, 120, (240, 320)).astype(np.uint8)
        img[100:140, 150:260] = 255
        img[20:40, 20:60] = 255
        cv2.imwrite(str(root / "images" / f"{stem}.png"), img)
        (root / "gts" / f"gt_{stem}.txt").write_text(
            "150,100,260,100,260,140,150,140,SALE\n20,20,60,20,60,40,20,40,###\n"
        )
    return root


def test_scene_patches_keep_labelled_text_out(tmp_path):
    backgrounds = find_backgrounds([_photo_set(tmp_path / "photos")])
    assert [b.path.stem for b in backgrounds] == ["a", "b"] and all(len(b.text) == 2 for b in backgrounds)
    patches = PatchSource(backgrounds)
    rng = np.random.default_rng(1)
    for _ in range(200):
        patch = patches.patch(rng, int(rng.integers(10, 80)), int(rng.integers(8, 30)))
        assert patch.dtype == np.uint8 and patch.max() < 250
    # a folder of plain images is used whole, and held-out pages are left out
    plain = tmp_path / "plain"
    plain.mkdir()
    cv2.imwrite(str(plain / "c.jpg"), np.full((50, 60), 90, np.uint8))
    (plain / "notes.txt").write_text("not an image")
    found = find_backgrounds([tmp_path / "photos", plain], exclude_pages=[_photo_set(tmp_path / "held", ("a",))])
    assert [(b.path.name, b.text) for b in found if b.path.stem != "b"] == [("c.jpg", ())]
    with pytest.raises(FileNotFoundError):
        find_backgrounds([tmp_path / "held"], exclude_pages=[tmp_path / "held"])
    # the command says what is wrong and exits with a usage error, no traceback
    for bad in (tmp_path / "missing", tmp_path / "held"):
        args = ["synth", "scene", "--out", str(tmp_path / "x"), "--count", "2", "--backgrounds", str(bad)]
        assert main([*args, "--exclude-pages", str(tmp_path / "held")]) == 2
    cv2.imwrite(str(plain / "d.png"), np.zeros((40, 40), np.uint8))
    (plain / "e.png").write_bytes(b"not a png")
    assert main(["synth", "scene", "--out", str(tmp_path / "y"), "--count", "50", "--backgrounds", str(plain)]) == 2


def test_scene_dataset_round_trip_and_legible(tmp_path, capsys):
    photos = _photo_set(tmp_path / "photos")
    args = ["synth", "scene", "--out", str(tmp_path / "s"), "--count", "40", "--seed", "2", "--backgrounds"]
    assert main([*args, str(photos)]) == 0
    assert "wrote 40 scene" in capsys.readouterr().out
    pairs = read_gt_list(tmp_path / "s" / "gt_list.txt")
    assert len(pairs) == 40 and all(text.strip() for _, text in pairs)
    assert set(read_characters_list(tmp_path / "s" / "characters_list.txt")) == {c for _, t in pairs for c in t}
    for name, _ in pairs:
        img = cv2.imread(str(tmp_path / "s" / name), cv2.IMREAD_UNCHANGED)
        assert img.ndim == 2 and img.shape[0] >= 8
    # the same seed gives the same crops
    main([*args[:2], "--out", str(tmp_path / "t"), *args[4:], str(photos)])
    assert read_gt_list(tmp_path / "t" / "gt_list.txt") == pairs
    a, b = (cv2.imread(str(tmp_path / d / pairs[7][0]), 0) for d in ("s", "t"))
    assert np.array_equal(a, b)
    # the text is drawn to be read: the shipped recognizer reads most of these crops as labelled
    from ocdr import OCR
    from ocdr.evaluation.evaluate import evaluate_rec

    read = evaluate_rec(OCR(threads=1, lexicon=None), tmp_path / "s")
    assert read["alnum_case_insensitive_accuracy"] >= 0.5


def test_scene_crops_boxed_at_a_slant(tmp_path):
    """``--tilted-share``: the word's box turned and the crop cut by the turned box's bounds, more of the photo in
    the corners (no repeated edge streaks), and the shipped recognizer (``untilt``) reads them."""
    import math

    from ocdr import OCR
    from ocdr.training.synth.fonts import find_fonts
    from ocdr.training.synth.scene import render_scene_crop

    patches = PatchSource(find_backgrounds([_photo_set(tmp_path / "photos")]))
    (font,) = find_fonts(["DejaVuSans-Bold.ttf"])
    level = render_scene_crop("SLANTED", font, 40, np.random.default_rng(5), patches)
    h, w = level.shape
    for degrees in (30.0, -30.0):
        turned = render_scene_crop("SLANTED", font, 40, np.random.default_rng(5), patches, degrees)
        cos, sin = math.cos(math.radians(30)), math.sin(math.radians(30))
        assert turned.shape == (math.ceil(w * sin + h * cos) + 4, math.ceil(w * cos + h * sin) + 4)
    args = ["synth", "scene", "--out", str(tmp_path / "s"), "--count", "30", "--seed", "3", "--tilted-share", "1"]
    assert main([*args, "--backgrounds", str(tmp_path / "photos")]) == 0
    pairs = read_gt_list(tmp_path / "s" / "gt_list.txt")
    crops = [cv2.imread(str(tmp_path / "s" / name), cv2.IMREAD_GRAYSCALE) for name, _ in pairs]
    assert sum(c.shape[1] < 2.5 * c.shape[0] for c in crops) >= 10  # turned words' boxes are far less wide
    ocr = OCR(threads=1, lexicon=None)
    texts = [r.text for r in ocr.recognize(crops)]
    assert sum(t == label for t, (_, label) in zip(texts, pairs, strict=True)) >= 10
    # ``--tilted-degrees``: steeper slants. A box wider than tall turned 45 degrees or more is boxed taller than wide
    steep = ["--out", str(tmp_path / "steep"), *args[4:], "--tilted-degrees", "60", "80"]
    assert main([*args[:2], *steep, "--backgrounds", str(tmp_path / "photos")]) == 0
    pairs = read_gt_list(tmp_path / "steep" / "gt_list.txt")
    crops = [cv2.imread(str(tmp_path / "steep" / name), cv2.IMREAD_GRAYSCALE) for name, _ in pairs]
    assert all(c.shape[0] >= c.shape[1] - 1 for c, (_, text) in zip(crops, pairs, strict=True) if len(text) > 1)
    texts = [r.text for r in ocr.recognize(crops)]  # read turned level at the steep slants: 16 of 30 (2 at stop 63)
    assert sum(t == label for t, (_, label) in zip(texts, pairs, strict=True)) >= 10
    bad = [*args[:2], "--out", str(tmp_path / "bad"), *args[4:], "--backgrounds", str(tmp_path / "photos")]
    assert main([*bad, "--tilted-degrees", "40", "20"]) == 2 and main([*bad, "--tilted-degrees", "5", "90"]) == 2
    assert not (tmp_path / "bad").exists()


def test_dark_pages_are_the_same_pages_light_on_dark(tmp_path):
    light = write_page_dataset(tmp_path / "light", 2, seed=4, style=PageStyle(dpi=60, noise=0.0))
    dark = write_page_dataset(tmp_path / "dark", 2, seed=4, style=PageStyle(dpi=60, noise=0.0, dark=1.0))
    for name in ("page_00000.png", "page_00001.png"):
        page = cv2.imread(str(light / "images" / name), cv2.IMREAD_GRAYSCALE)
        negative = cv2.imread(str(dark / "images" / name), cv2.IMREAD_GRAYSCALE)
        np.testing.assert_array_equal(negative, 255 - page)
        gt = "gts/gt_" + name.replace(".png", ".txt")
        assert (light / gt).read_text() == (dark / gt).read_text()


class _Draws:
    """A generator stand-in whose ``random()`` gives ``first`` in turn, then 1.0 (no further step is taken), and
    whose ``uniform`` gives its upper bound: the largest tilt."""

    def __init__(self, first: list[float]):
        self.first = list(first)

    def random(self) -> float:
        return self.first.pop(0) if self.first else 1.0

    def uniform(self, low: float, high: float) -> float:
        return high


def _dark_pixels(image: np.ndarray) -> int:
    return int((image < 128).sum())


def test_the_ink_weight_step_never_wipes_out_small_print():
    """A 3 x 3 thinning took 20 px print to nothing (1.7% of ``synth lines`` crops were blank but labelled): the
    step now keeps the ink only thinned while half of it stays. Thickening, and thinning large print, still apply."""
    from PIL import Image, ImageDraw

    font = load_font(str(find_fonts(["DejaVuSans.ttf"])[0].path), 20)
    page = Image.new("L", (160, 28), 230)
    ImageDraw.Draw(page).text((4, 22), "thin strokes", font=font, fill=20, anchor="ls")
    small = np.asarray(page)
    thinned = augment_gray(small, _Draws([0.0, 0.0, 0.9]))  # the step, 3 x 3, the dilation (thins dark ink)
    assert _dark_pixels(thinned) >= 0.5 * _dark_pixels(small) > 0
    thickened = augment_gray(small, _Draws([0.0, 0.0, 0.0]))  # the erosion: dark ink grows
    assert _dark_pixels(thickened) > _dark_pixels(small)
    large = cv2.resize(small, None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST)
    assert _dark_pixels(augment_gray(large, _Draws([0.0, 0.0, 0.9]))) < 0.9 * _dark_pixels(large)


def test_a_long_line_tilted_keeps_its_ends():
    """Turned 2 degrees in its own box, a line 900 px long lost the ends of its glyphs: a long crop turns less."""
    from PIL import Image, ImageDraw

    from ocdr.training.synth.render import tilt

    font = load_font(str(find_fonts(["DejaVuSans.ttf"])[0].path), 40)
    text = "clustering Scotswomen laundered 7.90 Pecan"
    top, bottom = vertical_extent(font)  # boxed tight, as a detector boxes a line
    page = Image.new("L", (int(font.getlength(text)) + 16, bottom - top + 4), 240)
    ImageDraw.Draw(page).text((8, 2 - top), text, font=font, fill=10, anchor="ls")
    line = np.asarray(page)
    assert _dark_pixels(tilt(line, _Draws([]))) >= 0.97 * _dark_pixels(line)
    short = np.ascontiguousarray(line[:, :120])
    turned = tilt(short, _Draws([]))  # a short crop still turns the full 2 degrees
    assert not np.array_equal(turned, short)


def test_bad_synth_input_is_said_plainly(tmp_path, capsys):
    """Each of these ended in a traceback, or in a set that was not what was asked for, with exit 0."""
    bom = tmp_path / "bom.txt"  # a byte-order mark became a character of the labels
    bom.write_bytes("\ufeffalpha\nbeta\n".encode())
    assert main(["synth", "lines", "--out", str(tmp_path / "b"), "--count", "30", "--words", str(bom)]) == 0
    assert "\ufeff" not in (tmp_path / "b" / "gt_list.txt").read_text(encoding="utf-8")
    cjk = tmp_path / "cjk.txt"  # words no font draws were drawn as missing-glyph boxes, labelled as the words
    cjk.write_text("日本語\n中文\n", encoding="utf-8")
    unwritable = tmp_path / "w"  # a file where the images folder should be
    unwritable.mkdir()
    (unwritable / "images").write_text("")
    for args, said in (
        (["lines", "--out", str(tmp_path / "c"), "--count", "5", "--words", str(cjk)], "no font draws the words"),
        (["lines", "--out", str(tmp_path / "f"), "--count", "5", "--fonts", "DejaVuSans.ttf", "Nope.ttf"], "Nope.ttf"),
        (["pages", "--out", str(tmp_path / "p"), "--count", "1", "--dpi", "0"], "pages need --dpi 30 or more"),
        (["pages", "--out", str(tmp_path / "p"), "--count", "1", "--dark", "3"], "--dark must be between 0 and 1"),
        (["lines", "--out", str(unwritable), "--count", "2"], "images"),
    ):
        assert main(["synth", *args]) == 2, args
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err, err
    from ocdr.training.synth.datasets import _write_image

    with pytest.raises(OSError, match="could not write the image"):  # OpenCV says only False: a set without images
        _write_image(tmp_path / "missing" / "a.png", np.zeros((4, 4), np.uint8))
    assert main(["synth", "pages", "--out", str(tmp_path / "q"), "--count", "1", "--dpi", "40", "--noise", "0"]) == 0
    assert json.loads((tmp_path / "q" / "style.json").read_text())["dpi"] == 40.0  # JSON, not a Python repr
