"""Seed label formats: gt_list.txt, characters_list.txt and ICDAR 2015 ground truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ocdr.errors import InputError
from ocdr.io.labels import (
    IGNORE_TEXT,
    RegionLabel,
    icdar_pairs,
    parse_icdar_line,
    read_characters_list,
    read_gt_list,
    read_icdar_gt,
    write_characters_list,
    write_gt_list,
    write_icdar_gt,
)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


# ------------------------------------------------------------------------------------------------ gt_list.txt
def test_gt_list_round_trip_keeps_spaces(tmp_path):
    pairs = [
        ("images/a.png", "hello world"),
        ("b.jpg", "  two leading spaces"),
        ("c.png", "trailing space "),
        ("d.png", "Total: $1,234.50 (incl. VAT)"),
        ("e.png", "Straße – “quoted” €5"),
    ]
    path = tmp_path / "gt_list.txt"
    write_gt_list(path, pairs)
    assert path.read_text(encoding="utf-8").splitlines()[0] == "images/a.png hello world"
    assert read_gt_list(path) == pairs


def test_gt_list_text_is_everything_after_first_space_and_blank_lines_skipped(tmp_path):
    path = tmp_path / "gt_list.txt"
    path.write_bytes(b"x.png a b  c\r\n\n   \ny.png 42\n")
    assert read_gt_list(path) == [("x.png", "a b  c"), ("y.png", "42")]


@pytest.mark.parametrize("pair", [("a b.png", "text"), ("a.png", "two\nlines")])
def test_gt_list_write_rejects_unrepresentable(tmp_path, pair):
    with pytest.raises(ValueError):
        write_gt_list(tmp_path / "gt_list.txt", [pair])


@pytest.mark.parametrize("text", ["a\rb", "a\u2028b", "a\x85b"])
def test_gt_list_other_line_breaks_round_trip_or_are_rejected(tmp_path, text):
    path = tmp_path / "gt_list.txt"
    try:
        write_gt_list(path, [("x.png", text)])
    except ValueError:
        return
    assert read_gt_list(path) == [("x.png", text)]


def test_gt_list_and_characters_list_with_bom(tmp_path):
    gt = tmp_path / "gt_list.txt"
    gt.write_text("\ufeffimg.png hello\n", encoding="utf-8")
    chars = tmp_path / "characters_list.txt"
    chars.write_text("\ufeffa\nb\n", encoding="utf-8")
    assert read_gt_list(gt) == [("img.png", "hello")]
    assert read_characters_list(chars) == ["a", "b"]


# ---------------------------------------------------------------------------------------- characters_list.txt
def test_characters_list_leading_space_line_is_the_space(tmp_path):
    path = tmp_path / "characters_list.txt"
    path.write_text(" \na\nB\n7\n€\n", encoding="utf-8")
    assert read_characters_list(path) == [" ", "a", "B", "7", "€"]


def test_characters_list_crlf_and_missing_final_newline(tmp_path):
    path = tmp_path / "characters_list.txt"
    path.write_bytes(b" \r\nx\r\ny")
    assert read_characters_list(path) == [" ", "x", "y"]


def test_characters_list_round_trip_sorted_unique(tmp_path):
    path = tmp_path / "characters_list.txt"
    write_characters_list(path, "hello world")
    chars = read_characters_list(path)
    assert chars == sorted(set("hello world"))
    assert chars[0] == " "


def test_characters_list_rejects_multi_char_line(tmp_path):
    path = tmp_path / "characters_list.txt"
    path.write_text("a\nbc\n", encoding="utf-8")
    with pytest.raises(ValueError, match="single character"):
        read_characters_list(path)


# ------------------------------------------------------------------------------------------------- ICDAR 2015
def test_parse_icdar_line_commas_in_transcription():
    label = parse_icdar_line("10,20,110,20,110,45,10,45,1,234,567.00")
    assert label.text == "1,234,567.00"
    assert not label.ignore
    assert label.polygon.dtype == np.float32
    np.testing.assert_array_equal(label.polygon, [[10, 20], [110, 20], [110, 45], [10, 45]])


def test_parse_icdar_line_ignore_bom_blank_and_float_coords():
    ign = parse_icdar_line("\ufeff1,2,3,4,5,6,7,8,###\r\n")
    assert ign.ignore and ign.text == IGNORE_TEXT
    np.testing.assert_array_equal(ign.polygon.reshape(-1), np.arange(1, 9))
    assert parse_icdar_line("   \n") is None
    frac = parse_icdar_line("0.5,1.5,10.25,1.5,10.25,8,0.5,8,ok")
    assert frac.polygon[2, 0] == pytest.approx(10.25)
    assert frac.text == "ok"
    # a text that merely contains ### is not a don't-care region
    assert not parse_icdar_line("0,0,1,0,1,1,0,1,a###b").ignore


@pytest.mark.parametrize("line", ["1,2,3,4,5,6,7,word", "a,b,c,d,e,f,g,h,word", "just some text"])
def test_parse_icdar_bad_line_raises(line):
    with pytest.raises(ValueError):
        parse_icdar_line(line)


def test_read_icdar_gt_with_bom_and_round_trip(tmp_path):
    path = tmp_path / "gt_img_1.txt"
    path.write_bytes(
        "\ufeff377,117,463,117,465,130,378,130,Genaxis Theatre\r\n"
        "493,115,519,115,519,131,493,131,[06]\r\n"
        "374,155,409,155,409,170,374,170,###\r\n"
        "\r\n"
        "1,1,9,1,9,9,1,9,a,b,c\r\n".encode()
    )
    labels = read_icdar_gt(path)
    assert [lab.text for lab in labels] == ["Genaxis Theatre", "[06]", "###", "a,b,c"]
    assert [lab.ignore for lab in labels] == [False, False, True, False]
    assert labels[0].polygon[0].tolist() == [377, 117]

    out = tmp_path / "gt_copy.txt"
    write_icdar_gt(out, labels)
    again = read_icdar_gt(out)
    assert [(lab.text, lab.ignore) for lab in again] == [(lab.text, lab.ignore) for lab in labels]
    for a, b in zip(labels, again, strict=True):
        np.testing.assert_array_equal(a.polygon, b.polygon)


def test_write_icdar_gt_rounds_and_marks_ignored(tmp_path):
    path = tmp_path / "gt.txt"
    poly = np.array([[0.4, 0.6], [10.5, 0.6], [10.5, 5.49], [0.4, 5.49]], np.float32)
    write_icdar_gt(path, [RegionLabel(poly, "secret", ignore=True), RegionLabel(poly, "x, y")])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(",###")
    assert lines[1].endswith(",x, y")
    coords = [int(v) for v in lines[1].split(",")[:8]]
    assert coords == [0, 1, 10, 1, 10, 5, 0, 5]  # round half to even for 10.5


def test_icdar_pairs_pairs_by_stem_and_names_what_is_unpaired(tmp_path):
    """Images pair with their label files by stem; an image without one, or a label file without its image, is an
    error naming it (left out, the page's words were missing from the score); files that are no images are not
    pages."""
    (tmp_path / "images").mkdir()
    (tmp_path / "gts").mkdir()
    for name in ("b.png", "a.jpg", "g.gif", "Thumbs.db"):  # every image ocdr reads is a page (.gif, .jp2, .pgm ...)
        (tmp_path / "images" / name).write_bytes(b"")
    for stem in ("a", "b", "g"):
        (tmp_path / "gts" / f"gt_{stem}.txt").write_text("0,0,1,0,1,1,0,1,x\n")
    pairs = icdar_pairs(tmp_path)
    assert [(img.name, gt.name) for img, gt in pairs] == [
        ("a.jpg", "gt_a.txt"),
        ("b.png", "gt_b.txt"),
        ("g.gif", "gt_g.txt"),
    ]
    assert all(gt.parent == tmp_path / "gts" for _, gt in pairs)
    (tmp_path / "gts" / "gt_orphan.txt").write_text("0,0,1,0,1,1,0,1,x\n")
    with pytest.raises(InputError, match="1 label file.*without an image.*gt_orphan.txt"):
        icdar_pairs(tmp_path)
    (tmp_path / "gts" / "gt_orphan.txt").unlink()
    (tmp_path / "images" / "c.png").write_bytes(b"")
    with pytest.raises(InputError, match="1 image.*without a label file.*c.png"):
        icdar_pairs(tmp_path)


def test_labels_are_read_composed_and_a_spaced_ignore_mark_is_one(tmp_path):
    """A label saved decomposed ("e" + a combining accent) reads as the recognizers write it (NFC), in every
    reader; "### " with a trailing space still marks a don't-care region."""
    (tmp_path / "gt_list.txt").write_text("a.png Cafe\u0301\n", encoding="utf-8")
    assert read_gt_list(tmp_path / "gt_list.txt") == [("a.png", "Caf\u00e9")]
    (tmp_path / "gt_a.txt").write_text("0,0,1,0,1,1,0,1,Cafe\u0301\n0,0,1,0,1,1,0,1,### \n", encoding="utf-8")
    labels = read_icdar_gt(tmp_path / "gt_a.txt")
    assert [(label.text, label.ignore) for label in labels] == [("Caf\u00e9", False), ("### ", True)]


# ------------------------------------------------------------------------------------------ real shared data
@pytest.mark.skipif(not (SHARED_DATA / "detection" / "funsd_train").is_dir(), reason="shared data not present")
def test_real_funsd_gt():
    root = SHARED_DATA / "detection" / "funsd_train"
    pairs = icdar_pairs(root)
    assert len(pairs) >= 100
    assert len(pairs) == len(list((root / "images").iterdir()))
    labels = read_icdar_gt(pairs[0][1])
    assert 10 <= len(labels) <= 2000
    for lab in labels:
        assert lab.polygon.shape == (4, 2)
        assert (lab.polygon >= 0).all()
        assert (lab.polygon[:, 0] < 5000).all() and (lab.polygon[:, 1] < 5000).all()
    assert sum(not lab.ignore for lab in labels) > len(labels) // 2
    assert any(lab.text.isalpha() and len(lab.text) > 2 for lab in labels)


@pytest.mark.skipif(not (SHARED_DATA / "recognition" / "svt_train").is_dir(), reason="shared data not present")
def test_real_svt_gt_list():
    root = SHARED_DATA / "recognition" / "svt_train"
    pairs = read_gt_list(root / "gt_list.txt")
    n_lines = sum(1 for line in (root / "gt_list.txt").read_text(encoding="utf-8").splitlines() if line.strip())
    assert len(pairs) == n_lines >= 100
    assert all(text for _, text in pairs)
    for name, _ in pairs[:20]:
        assert (root / name).is_file() or (root / "images" / name).is_file()
    chars = read_characters_list(root / "characters_list.txt")
    assert len(chars) == len(set(chars)) > 10
    assert {c for _, text in pairs for c in text} <= set(chars)
