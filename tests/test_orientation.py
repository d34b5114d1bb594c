"""Text-line orientation: preprocessing, a few training steps, export, the pipeline stage and the shipped model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import PAGE_LINES, SHARED_DATA, render_lines

from ocdr.models.classification.preprocess import CLS_HEIGHT, CLS_WIDTH, center_window, cls_batch, turn_180
from ocdr.pipeline import OCRParams, TextlineClassifier
from ocdr.runtime.session import OnnxModel

RECOGNITION = SHARED_DATA / "recognition"


def test_windows_are_the_middle_of_the_crop():
    crop = np.tile((np.arange(400) % 256).astype(np.uint8), (CLS_HEIGHT, 1))
    window = center_window(crop)
    assert window.shape == (CLS_HEIGHT, CLS_WIDTH)
    assert window[0, 0] == (400 - CLS_WIDTH) // 2
    narrow = crop[:, :50]
    assert center_window(narrow) is narrow
    batch = cls_batch([np.zeros((10, 30, 3), np.uint8), np.zeros((64, 900), np.uint8)])
    assert batch.shape == (2, 1, CLS_HEIGHT, CLS_WIDTH) and batch.dtype == np.float32
    assert np.array_equal(turn_180(turn_180(crop)), crop)


def test_only_an_orientation_model_is_taken(ocr):
    from ocdr.errors import ModelError

    with pytest.raises(ModelError, match="orientation"):
        TextlineClassifier(ocr.pipeline.recognizer.model)


def test_pipeline_turns_upside_down_lines_over(ocr, text_page):
    image, _ = text_page
    upside_down = np.ascontiguousarray(image[::-1, ::-1])
    plain = ocr(upside_down)
    assert "Quarterly" not in plain.text
    assert all(r.angle == -1 for r in plain.pages[0].regions)
    turned = ocr(upside_down, use_textline_orientation=True)
    assert turned.pages[0].params["use_textline_orientation"] is True
    assert any(r.angle == 180 for r in turned.pages[0].regions)
    assert [line.text for line in turned.pages[0].lines] == PAGE_LINES  # lines read right, and in their order
    paddlex = turned.to_paddlex()[0]
    assert paddlex["model_settings"]["use_textline_orientation"] is True
    assert set(paddlex["textline_orientation_angles"]) <= {0, 180} and 180 in paddlex["textline_orientation_angles"]
    upright = ocr(image, use_textline_orientation=True)
    assert [line.text for line in upright.pages[0].lines] == PAGE_LINES
    assert all(r.angle == 0 for r in upright.pages[0].regions)


def test_orientation_needs_a_model(ocr, text_page):
    from ocdr.errors import ModelError
    from ocdr.pipeline import OCRPipeline

    bare = OCRPipeline(ocr.pipeline.detector, ocr.pipeline.recognizer)
    with pytest.raises(ModelError, match="orientation"):
        bare.read_page(text_page[0], OCRParams(use_textline_orientation=True))


def test_shipped_classifier_on_real_crops(ocr):
    """The shipped model on real word crops (the first 200 of SVT; its card reports the held-out figures)."""
    from ocdr.evaluation.evaluate import evaluate_cls

    result = evaluate_cls(ocr, RECOGNITION / "svt_train", limit=200)
    assert result["accuracy"] >= 0.9, result
    assert sum(map(sum, result["confusion_0_180"])) == 400


def test_a_few_training_steps_then_export(tmp_path):
    pytest.importorskip("torch")
    from ocdr.training.export import export_checkpoint
    from ocdr.training.train_cls import ClsTrainConfig, train_cls

    out = tmp_path / "run"
    cfg = ClsTrainConfig(
        data=[str(RECOGNITION / "svt_train")], out=str(out), synth=64, steps=6, eval_every=3, batch_size=16, threads=2
    )
    logs: list[str] = []
    best = train_cls(cfg, log=logs.append)
    assert best.exists() and (out / "last.pt").exists()
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [m["step"] for m in metrics] == [3, 6]
    assert all(0 <= m["accuracy"] <= 1 and len(m["confusion"]) == 2 for m in metrics)
    held_out = (out / "val" / "svt_train" / "gt_list.txt").read_text().splitlines()
    assert len(held_out) == 25 and all(Path(line.split(" ")[0]).is_file() for line in held_out)
    # resuming a finished run does no more steps
    cfg.steps = 8
    train_cls(cfg, log=logs.append)
    assert any("resumed" in line and "step 6" in line for line in logs)
    onnx_path = export_checkpoint(best, tmp_path / "cls.onnx")
    classifier = TextlineClassifier(OnnxModel(onnx_path, threads=1))
    assert classifier.angles == [0, 180]
    image, _ = render_lines(["An upright line"])
    results = classifier([image, image[::-1, ::-1]])
    assert [angle in (0, 180) and 0.5 <= conf <= 1 for angle, conf in results] == [True, True]
