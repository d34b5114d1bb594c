"""int8 models: ``ocdr quantize`` (static QDQ, calibrated), the shipped int8 files and picking them by precision."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from ocdr.cli import main
from ocdr.errors import ModelError
from ocdr.evaluation.metrics import match_words
from ocdr.pipeline import CROP_PAD_X, TextRecognizer, region_crops
from ocdr.runtime.registry import shipped_model_path
from ocdr.runtime.session import OnnxModel
from ocdr.training.quantize import quantize_model

pytest.importorskip("onnx")


@pytest.fixture(scope="module")
def crops(text_page):
    image, labels = text_page
    padded = region_crops(image, [label.polygon for label in labels], CROP_PAD_X)  # as the pipeline crops
    return padded, [label.text for label in labels]


def test_quantize_rec_keeps_metadata_and_reads_like_fp32(tmp_path, crops, capsys):
    images, texts = crops
    calib = tmp_path / "calib" / "images"
    calib.mkdir(parents=True)
    for i, crop in enumerate(images):
        cv2.imwrite(str(calib / f"{i:03d}.png"), cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY))
    out = tmp_path / "rec_int8.onnx"
    first_conv = "/cnn/cnn.0/cnn.0.0/Conv"
    args = ["quantize", str(shipped_model_path("rec")), "-o", str(out), "--calib", str(calib.parent)]
    assert main([*args, "--per-tensor", "--exclude-node", first_conv]) == 0
    fp32, int8 = OnnxModel(shipped_model_path("rec")), OnnxModel(out)
    assert int8.metadata["precision"] == "int8"
    assert {k: int8.metadata[k] for k in fp32.metadata} == fp32.metadata  # kind, charset, height, ...
    recipe = json.loads(int8.metadata["quantization"])
    assert recipe["calibration"] == "minmax" and recipe["weights"] == "int8 per-tensor"
    assert recipe["float_nodes"] == [first_conv]
    assert recipe["calibration_items"] == len(images)
    assert out.stat().st_size < 0.5 * shipped_model_path("rec").stat().st_size
    read, read_fp32 = ([r.text for r in TextRecognizer(m)(images)] for m in (int8, fp32))
    assert sum(a == b for a, b in zip(read, texts, strict=True)) >= 0.9 * len(texts)
    assert sum(a == b for a, b in zip(read, read_fp32, strict=True)) >= 0.9 * len(texts)
    assert main(["quantize", str(out), "-o", str(tmp_path / "again.onnx"), "--calib", str(calib.parent)]) == 2
    assert "already quantized" in capsys.readouterr().err


def test_quantize_usage_errors(tmp_path, capsys):
    rec = str(shipped_model_path("rec"))
    assert main(["quantize", rec, "-o", str(tmp_path / "x.onnx"), "--calib", str(tmp_path)]) == 2
    assert "no calibration images" in capsys.readouterr().err
    cv2.imwrite(str(tmp_path / "a.png"), np.full((32, 96), 200, np.uint8))
    args = ["quantize", rec, "-o", str(tmp_path / "x.onnx"), "--calib", str(tmp_path), "--exclude-node", "/nope"]
    assert main(args) == 2
    assert "no node named ['/nope']" in capsys.readouterr().err
    (tmp_path / "b.png").write_bytes(b"not an image")  # a detector's calibration pages are read one by one
    det = str(shipped_model_path("det"))
    assert main(["quantize", det, "-o", str(tmp_path / "d.onnx"), "--calib", str(tmp_path)]) == 2
    assert "b.png: unreadable calibration image" in capsys.readouterr().err


def test_quantize_refuses_other_model_kinds(tmp_path, capsys):
    calib = tmp_path / "calib"
    calib.mkdir()
    cv2.imwrite(str(calib / "a.png"), 255 * (cv2.getGaussianKernel(32, 5) @ cv2.getGaussianKernel(96, 5).T))
    args = ["quantize", str(shipped_model_path("cls_line")), "-o", str(tmp_path / "x.onnx"), "--calib", str(calib)]
    assert main(args) == 2
    assert "handles det and rec models, not kind='cls_line'" in capsys.readouterr().err
    with pytest.raises(ModelError, match="det and rec"):  # the same from Python
        quantize_model(shipped_model_path("cls_line"), tmp_path / "x.onnx", calib)


def test_registry_precisions():
    for kind in ("det", "rec"):
        path = shipped_model_path(kind, "int8")
        assert path.name.endswith("_int8.onnx") and path.stat().st_size < 16e6
        meta = OnnxModel(path).metadata
        assert meta["precision"] == "int8" and meta["kind"] == kind
    with pytest.raises(ValueError, match="no int8 cls_line model"):
        shipped_model_path("cls_line", "int8")
    with pytest.raises(ValueError, match="unknown precision"):
        shipped_model_path("det", "fp16")


def test_ocr_int8_reads_the_rendered_page(text_page):
    from ocdr import OCR

    image, labels = text_page
    ocr = OCR(threads=2, precision="int8")
    assert ocr.pipeline.detector.model.metadata["precision"] == "int8"
    assert ocr.pipeline.recognizer.model.metadata["precision"] == "int8"
    page = ocr(image).pages[0]
    prf = match_words([(w.polygon, w.text) for w in page.words], labels)
    assert prf.recall >= 0.9 and prf.precision >= 0.9, [w.text for w in page.words]
