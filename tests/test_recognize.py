"""Crops read with no detection: ``OCR.recognize`` and ``ocdr recognize``, on real word crops."""

from __future__ import annotations

import io
import json
import shutil
import sys

import cv2
import numpy as np
import pytest
from conftest import SHARED_DATA, render_lines
from PIL import Image

from ocdr import CropReading, InputError
from ocdr.cli import main
from ocdr.io.crop_datasets import read_crop_dataset

pytestmark = pytest.mark.skipif(not (SHARED_DATA / "recognition").is_dir(), reason="needs ../shared/data")
IIIT5K = SHARED_DATA / "recognition" / "iiit5k_train"


@pytest.fixture(scope="module")
def words() -> list[tuple[str, np.ndarray, str]]:
    """30 IIIT5K training words: path, RGB image, label."""
    return [
        (path, cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB), text)
        for path, _, text in read_crop_dataset(IIIT5K, limit=30)
    ]


def test_crops_are_read_as_the_recognizer_reads_them(ocr, words):
    paths = [path for path, _, _ in words]
    readings = ocr.recognize(paths)
    assert [r.source for r in readings] == paths
    texts = [text for _, _, text in words]
    right = sum(r.text == t for r, t in zip(readings, texts, strict=True))
    assert right >= 24  # 28 of 30 at stop 55 (the network saw these words in training)
    # exactly what ``ocdr eval rec`` scores: the same readings as the pipeline's crop reader
    alone = ocr.pipeline.read_upright([image for _, image, _ in words], ocr.params)
    assert [r.text for r in readings] == [r.text for r, _ in alone]
    assert all(0 < r.confidence <= 1 and r.angle == 0 for r in readings)


def test_eval_scores_the_readings_recognize_gives(ocr, words, monkeypatch):
    """``ocdr eval rec`` reads its crops as ``OCR.recognize`` does, ``rec_batch_size`` crops a model call (it read 64
    a call once: a batch's padding moved a few crops' readings, and on two threads it read half as fast)."""
    from ocdr.evaluation.evaluate import evaluate_rec

    sizes: list[int] = []
    batches = ocr.pipeline.recognizer._batches
    monkeypatch.setattr(
        ocr.pipeline.recognizer, "_batches", lambda resized, size: sizes.append(size) or batches(resized, size)
    )
    result = evaluate_rec(ocr, IIIT5K, limit=len(words))
    assert set(sizes) == {ocr.params.rec_batch_size}
    readings = ocr.recognize([path for path, _, _ in words])
    assert result["word_accuracy"] == np.mean([r.text == text for r, (_, _, text) in zip(readings, words, strict=True)])


def test_every_kind_of_input_reads_alike(ocr, words):
    path, image, _ = words[0]
    data = open(path, "rb").read()
    bgr = np.ascontiguousarray(image[..., ::-1])
    (by_path,) = ocr.recognize(path)
    by_bytes, by_array, by_pil = ocr.recognize([data, image, Image.open(io.BytesIO(data))])
    (by_bgr,) = ocr.recognize(bgr, color_order="bgr")
    assert by_path.text == by_bytes.text == by_array.text == by_pil.text == by_bgr.text
    assert (by_bytes.source, by_array.source, by_pil.source) == ("<bytes #0>", "<array #1>", "<image #2>")
    assert CropReading("a", "b", 0.5, 90).to_dict() == {"source": "a", "text": "b", "confidence": 0.5, "angle": 90}


def test_turned_crops_come_back_upright_with_their_angle(ocr, words):
    """A word turned over is read right with the text-line classifier asked, its angle 180; a word printed down
    (turned a quarter clockwise) is read turned back, its angle 90."""
    found = 0
    for _, image, text in words[:10]:
        upright = ocr.recognize(image)[0]
        if upright.text != text or len(text) < 4:
            continue
        over = ocr.recognize(image[::-1, ::-1].copy(), use_textline_orientation=True)[0]
        down = ocr.recognize(np.ascontiguousarray(np.rot90(image, -1)))[0]
        assert (over.text, over.angle) == (text, 180)
        assert (down.text, down.angle) == (text, 90)
        assert ocr.recognize(image, use_textline_orientation=True)[0].angle == 0
        found += 1
    assert found >= 3


def test_crops_the_classifier_is_unsure_of_are_read_both_ways_up(ocr, words, monkeypatch):
    """Where the text-line classifier leans to 180 degrees but is not 90% sure (88% here: on its own, every crop
    would stay as it is), the recognizer's readings both ways up add their evidence: upright words stay as they
    are, words turned over are turned back and read right."""
    picked = [(image, text) for _, image, text in words if len(text) >= 4][:6]
    crops = [image for image, _ in picked] + [image[::-1, ::-1].copy() for image, _ in picked]
    classifier = ocr.pipeline.line_classifier
    monkeypatch.setattr(classifier, "evidence", lambda crops, batch_size=64: np.full(len(crops), 2.0))
    readings = ocr.recognize(crops, use_textline_orientation=True)
    assert [r.angle for r in readings[:6]] == [0] * 6
    texts = [text for _, text in picked]
    assert sum(r.text == t for r, t in zip(readings[:6], texts, strict=True)) >= 5
    # where the nonsense of a word turned over reads nearly as surely ("BATOTE" as "alolvs" 85%), it stays as it is
    turned = [(r, t) for r, t in zip(readings[6:], texts, strict=True) if r.angle == 180]
    assert len(turned) >= 4 and all(r.text == t for r, t in turned)
    # sure evidence (8 log-odds) is not asked again: one reading, the crops turned over as the classifier says
    monkeypatch.setattr(classifier, "evidence", lambda crops, batch_size=64: np.full(len(crops), 8.0))
    calls = []
    read_upright = ocr.pipeline.read_upright
    monkeypatch.setattr(ocr.pipeline, "read_upright", lambda *a, **k: calls.append(len(a[0])) or read_upright(*a, **k))
    assert [r.angle for r in ocr.recognize(crops[:2], use_textline_orientation=True)] == [180, 180]
    assert calls == [2]
    # and the classifier's 88% alone turns none over
    monkeypatch.setattr(classifier, "evidence", lambda crops, batch_size=64: np.full(len(crops), 2.0))
    monkeypatch.setattr("ocdr.pipeline.unsure", lambda evidence: np.zeros(0, int))
    assert {r.angle for r in ocr.recognize(crops, use_textline_orientation=True)} == {0}


def test_eval_counts_the_turns_recognize_makes(ocr):
    from ocdr.evaluation.evaluate import evaluate_cls

    result = evaluate_cls(ocr, IIIT5K, limit=20, task="recognize")
    assert result["images"] == 20 and sum(map(sum, result["confusion_0_180"])) == 40
    assert result["accuracy_0"] >= 0.95 and result["accuracy_180"] >= 0.9, result


def test_a_line_far_wider_than_the_network_reads_is_read_in_pieces(ocr):
    """A line 110 times as wide as tall, beyond the width the recognizer takes (squashed into it, it read "overthe
    lary" at 100 times, and nonsense at 150): read in pieces cut between words, joined with their spaces."""
    text = " ".join(["The quick brown fox jumps over the lazy dog while 12 zebras quietly watch."] * 4) + " Fine"
    page, labels = render_lines([text], size=28, margin=8, spacing=1.4)
    top, bottom = int(min(b.polygon[:, 1].min() for b in labels)) - 6, int(max(b.polygon[:, 1].max() for b in labels))
    crop = page[max(0, top) : bottom + 6]
    assert crop.shape[1] / crop.shape[0] > 100
    assert ocr.recognize(crop)[0].text == text


def test_what_is_not_one_image_is_refused(ocr, words):
    frames = [Image.fromarray(image) for _, image, _ in words[:2]]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(InputError, match="more than one page; a crop is one image"):
        ocr.recognize(buffer.getvalue())
    with pytest.raises(InputError, match="unsupported type"):
        ocr.recognize(3.5)
    with pytest.raises(InputError, match="is empty"):
        ocr.recognize(b"")
    assert ocr.recognize([]) == []


def test_cli_reads_crops_and_reports_the_bad_ones(words, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("ocdr.cli.CROP_CHUNK", 2)  # crops are loaded and read a chunk at a time
    paths = [path for path, _, _ in words[:3]]
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    assert main(["recognize", *paths, "--threads", "1"]) == 0
    texts = capsys.readouterr().out.splitlines()
    assert len(texts) == 3 and texts[0] == words[0][2]
    assert main(["recognize", paths[0], str(bad), paths[1], "--threads", "1"]) == 1  # plain text: a line a crop
    assert capsys.readouterr().out.splitlines() == [words[0][2], "", words[1][2]]
    out = tmp_path / "readings.tsv"
    assert main(["recognize", paths[0], str(bad), paths[1], "--format", "tsv", "-o", str(out)]) == 1
    assert capsys.readouterr().err == f"ocdr: {bad} is not a supported image or PDF\n"  # named once; the rest read
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == ["source", "text", "confidence", "angle"]
    assert [row[0] for row in rows[1:]] == paths[:2] and rows[1][1] == words[0][2]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(cv2.imencode(".png", words[0][1])[1].tobytes())))
    assert main(["recognize", "-", "--format", "json"]) == 0
    (reading,) = json.loads(capsys.readouterr().out)
    assert reading["source"] == "<stdin>" and reading["text"] == words[0][2] and reading["angle"] == 0
    folder = tmp_path / "crops"  # a folder shows progress on stderr, counted in crops
    folder.mkdir()
    for path in paths[:2]:
        shutil.copy(path, folder)
    assert main(["recognize", str(folder), "-o", str(tmp_path / "texts.txt")]) == 0
    err = capsys.readouterr().err
    assert "2/2 files, 2 crops, " in err and "crops/s" in err and "pages" not in err


def test_cli_writes_a_label_file_to_fine_tune_on(words, tmp_path, capsys, monkeypatch):
    """``--format paddle``: the readings as a PaddleOCR label file, paths relative to its folder, which the training
    readers take back as it is (correct the labels, then ``ocdr train rec --data FILE``)."""
    crops = tmp_path / "crops"
    crops.mkdir()
    for i, (_, image, _) in enumerate(words[:3]):
        cv2.imwrite(str(crops / f"word {i}.png"), image[..., ::-1])  # a space in the name, which tabs allow
    labels = tmp_path / "labels" / "rec.txt"
    assert main(["recognize", str(crops), "--format", "paddle", "-o", str(labels), "-q"]) == 0
    lines = labels.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[0] for line in lines] == [f"../crops/word {i}.png" for i in range(3)]
    read_back = list(read_crop_dataset(labels))
    assert [text for _, _, text in read_back] == [text for _, _, text in words[:3]]
    assert all(image is not None for _, image, _ in read_back)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(cv2.imencode(".png", words[0][1])[1].tobytes())))
    assert main(["recognize", "-", "--format", "paddle"]) == 1  # stdin has no file to name
    assert "<stdin>: a label file names image files" in capsys.readouterr().err
