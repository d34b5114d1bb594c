"""Detection sets in the layouts other tools write (ICDAR 2015, PaddleOCR det labels, COCO-Text v2, COCO) read
alike, and feed evaluation and training."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from ocdr.io.labels import RegionLabel, write_icdar_gt
from ocdr.io.page_datasets import page_dataset_format, read_page_dataset
from ocdr.training.det_data import load_det_dataset

QUADS = [
    [[10, 10], [90, 10], [90, 30], [10, 30]],
    [[100, 12], [180, 14], [179, 34], [99, 32]],
    [[20, 50], [60, 50], [60, 70], [20, 70]],
]
TEXTS = ["Invoice", "No. 42", "###"]


@pytest.fixture
def layouts(tmp_path):
    image = np.full((100, 200, 3), 255, np.uint8)
    icdar = tmp_path / "icdar"
    (icdar / "images").mkdir(parents=True)
    (icdar / "gts").mkdir()
    cv2.imwrite(str(icdar / "images" / "p1.png"), image)
    write_icdar_gt(
        icdar / "gts" / "gt_p1.txt",
        [RegionLabel(np.float32(q), t, t == "###") for q, t in zip(QUADS, TEXTS, strict=True)],
    )

    paddle = tmp_path / "paddle"
    (paddle / "imgs").mkdir(parents=True)
    cv2.imwrite(str(paddle / "imgs" / "p1.png"), image)
    regions = [{"transcription": t, "points": q} for q, t in zip(QUADS, TEXTS, strict=True)]
    (paddle / "Label.txt").write_text(f"imgs/p1.png\t{json.dumps(regions, ensure_ascii=False)}\n", encoding="utf-8")

    cocotext = tmp_path / "cocotext"
    (cocotext / "images").mkdir(parents=True)
    cv2.imwrite(str(cocotext / "images" / "p1.png"), image)
    anns = {
        str(i): {
            "image_id": 7,
            "mask": [v for point in q for v in point],
            "bbox": [0, 0, 1, 1],
            "utf8_string": "" if t == "###" else t,
            "legibility": "illegible" if t == "###" else "legible",
        }
        for i, (q, t) in enumerate(zip(QUADS, TEXTS, strict=True))
    }
    v2 = {"imgs": {"7": {"id": 7, "file_name": "p1.png"}}, "anns": anns}
    (cocotext / "cocotext.v2.json").write_text(json.dumps(v2), encoding="utf-8")

    coco = tmp_path / "coco"
    coco.mkdir()
    cv2.imwrite(str(coco / "p1.png"), image)
    plain = {
        "images": [{"id": 1, "file_name": "p1.png"}],
        "annotations": [
            {"image_id": 1, "segmentation": [[v for point in q for v in point]], "text": t}
            for q, t in zip(QUADS, TEXTS, strict=True)
        ]
        + [{"image_id": 1, "bbox": [120, 60, 40, 20], "text": "total"}],  # no polygon: the box
    }
    (coco / "text.json").write_text(json.dumps(plain), encoding="utf-8")
    return {
        "icdar": icdar,
        "paddle": paddle / "Label.txt",
        "coco": cocotext / "cocotext.v2.json",
        "coco2": coco / "text.json",
    }


def test_detection_layouts_read_alike(layouts):
    for kind, source in layouts.items():
        assert page_dataset_format(source) == kind.rstrip("2")
        ((image, labels),) = read_page_dataset(source)
        assert image.is_file() and image.name == "p1.png"
        assert [lab.text if not lab.ignore else "###" for lab in labels[:3]] == ["Invoice", "No. 42", "###"], kind
        assert [lab.ignore for lab in labels[:3]] == [False, False, True]
        for lab, quad in zip(labels, QUADS, strict=False):
            np.testing.assert_allclose(lab.polygon, np.float32(quad), atol=0.5)
        (item,) = load_det_dataset(source)  # training reads them too
        assert len(item.labels) == len(labels)
    ((_, labels),) = read_page_dataset(layouts["coco2"])
    np.testing.assert_allclose(labels[3].polygon, [[120, 60], [160, 60], [160, 80], [120, 80]])


def test_polygons_of_more_points_become_their_rectangle(tmp_path):
    (tmp_path / "p.png").write_bytes(cv2.imencode(".png", np.zeros((50, 50, 3), np.uint8))[1].tobytes())
    curved = [[0, 10], [20, 5], [40, 10], [40, 30], [20, 25], [0, 30]]
    (tmp_path / "Label.txt").write_text(f'p.png\t[{{"transcription": "arc", "points": {curved}}}]\n', encoding="utf-8")
    ((_, (label,)),) = read_page_dataset(tmp_path / "Label.txt")
    assert label.polygon.shape == (4, 2) and label.text == "arc"
    xs, ys = label.polygon[:, 0], label.polygon[:, 1]
    assert xs.min() <= 0.5 and xs.max() >= 39.5 and ys.min() <= 5.5 and ys.max() >= 29.5


def test_unknown_layouts_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a detection dataset"):
        page_dataset_format(tmp_path)
    (tmp_path / "bad.txt").write_text("p.png no tab here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no tab"):
        read_page_dataset(tmp_path / "bad.txt")
    # malformed label files are refused naming the file (and the line): never a bare JSON or key error
    (tmp_path / "cut.txt").write_text('p.png\t[{"transcription": "a", "points": [[0, 0], [1, 0]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"cut.txt:1: not a PaddleOCR det label line"):
        read_page_dataset(tmp_path / "cut.txt")
    (tmp_path / "nopoints.txt").write_text('p.png\t[{"transcription": "a"}]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"nopoints.txt:1: .*'points'"):
        read_page_dataset(tmp_path / "nopoints.txt")
    (tmp_path / "coco.json").write_text('{"images": [{"id": 1, "file_name": "p.png"}], "annotations": [{"id": 2}]}')
    with pytest.raises(ValueError, match="coco.json: not a COCO-Text-like label file"):
        read_page_dataset(tmp_path / "coco.json")


def test_crops_cut_from_a_turned_page_come_out_upright_and_readable(tmp_path, ocr):
    """``ocdr crops`` rectifies each region from its reading-order polygon: words on a page turned by 90 degrees
    come out horizontal and upright, the shipped recognizer reads them, and don't-care regions are left out."""
    from conftest import render_lines

    from ocdr.cli import main
    from ocdr.io.labels import read_gt_list

    image, labels = render_lines(["Quarterly report for March"])
    height = image.shape[0]
    turned = np.ascontiguousarray(np.rot90(image, -1))  # clockwise: (x, y) -> (H - 1 - y, x)
    moved = [RegionLabel(np.stack([height - 1 - lab.polygon[:, 1], lab.polygon[:, 0]], 1), lab.text) for lab in labels]
    moved.append(RegionLabel(moved[0].polygon + 5, "###", ignore=True))
    pages = tmp_path / "pages"
    (pages / "images").mkdir(parents=True)
    (pages / "gts").mkdir()
    cv2.imwrite(str(pages / "images" / "p1.png"), turned)
    write_icdar_gt(pages / "gts" / "gt_p1.txt", moved)

    assert main(["crops", "--data", str(pages), "--out", str(tmp_path / "crops"), "--ends", "0.1"]) == 0
    pairs = read_gt_list(tmp_path / "crops" / "gt_list.txt")
    assert [text for _, text in pairs] == ["Quarterly", "report", "for", "March"]
    crops = [cv2.imread(str(tmp_path / "crops" / name)) for name, _ in pairs]
    assert all(c.shape[1] > c.shape[0] for c in crops)
    assert [r.text for r in ocr.pipeline.recognizer(crops)] == ["Quarterly", "report", "for", "March"]


def test_crops_refuses_what_is_not_a_page_set(tmp_path, capsys):
    from ocdr.cli import main

    assert main(["crops", "--data", str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 2
    assert "not a detection dataset" in capsys.readouterr().err
    pages = tmp_path / "pages"
    (pages / "images").mkdir(parents=True)
    (pages / "gts").mkdir()
    (pages / "images" / "p1.png").write_bytes(b"not a png")
    write_icdar_gt(pages / "gts" / "gt_p1.txt", [RegionLabel(np.float32(QUADS[0]), "Invoice")])
    assert main(["crops", "--data", str(pages), "--out", str(tmp_path / "out")]) == 2
    assert "p1.png: not a readable image" in capsys.readouterr().err


def test_the_page_classifier_reads_every_detection_layout(layouts):
    """``train cls --task page`` and ``eval cls --cls-task page`` refused PaddleOCR and COCO page sets
    (".../Label.txt/images: not a directory"): ``page_images`` reads every layout ``read_page_dataset`` reads."""
    from ocdr.io.labels import page_images
    from ocdr.training.train_cls import PageTask

    for kind, source in layouts.items():
        assert [p.name for p in page_images(source)] == ["p1.png"], kind
        assert [path.name for path, _ in PageTask().load(source)] == ["p1.png"], kind


def test_unreadable_pages_are_left_out_at_load_and_said(layouts):
    """A truncated page, or one a label file names but nobody saved, killed ``train det`` at the step that first drew
    it (before any checkpoint); the page classifier dropped it without a word. Both leave it out at load time and
    say so through one helper; a set left with no page is an error."""
    from ocdr.training.train_cls import PageTask

    icdar = layouts["icdar"]
    good = (icdar / "images" / "p1.png").read_bytes()
    (icdar / "images" / "p2.png").write_bytes(good[: len(good) // 2])  # truncated
    (icdar / "gts" / "gt_p2.txt").write_text("10,10,90,10,90,30,10,30,word\n", encoding="utf-8")
    logs: list[str] = []
    assert [item.image_path.name for item in load_det_dataset(icdar, logs.append)] == ["p1.png"]
    assert logs == [f"{icdar}: 1 page(s) left out (1 missing or unreadable, e.g. {icdar}/images/p2.png), 1 kept"]
    logs.clear()
    assert [path.name for path, _ in PageTask().load(icdar, logs.append)] == ["p1.png"]
    assert logs == [f"{icdar}: 1 page(s) left out (1 unreadable, e.g. {icdar}/images/p2.png), 1 kept"]

    paddle = layouts["paddle"]
    line = paddle.read_text(encoding="utf-8").splitlines()[0]
    paddle.write_text(f"{line}\n{line.replace('p1.png', 'missing.png')}\n", encoding="utf-8")
    logs.clear()
    assert len(load_det_dataset(paddle, logs.append)) == 1 and "1 missing or unreadable" in logs[0]
    (icdar / "images" / "p1.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really a png")
    with pytest.raises(ValueError, match="no usable pages"):
        load_det_dataset(icdar)
