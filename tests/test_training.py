"""The training loops end to end on tiny synthetic data: train, resume, export, fine-tune (rec) and det.

Everything is kept tiny (a few steps, 64 crops, 3 pages at 72 dpi, one thread) so the module runs in seconds.
"""

from __future__ import annotations

import json
import math
import shutil
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch

from ocdr.cli import main
from ocdr.io.labels import read_gt_list, write_characters_list, write_gt_list
from ocdr.models.detection.dbnet import create_detector
from ocdr.models.detection.processing import detection_input
from ocdr.models.recognition.charset import DEFAULT_CHARSET, Charset
from ocdr.models.recognition.crnn import create_recognizer
from ocdr.models.recognition.preprocess import batch_crops, output_steps, resize_crop
from ocdr.pipeline import TextRecognizer
from ocdr.runtime.session import OnnxModel
from ocdr.training.checkpoint import load_checkpoint
from ocdr.training.det_data import load_det_dataset
from ocdr.training.loop import batch_stream
from ocdr.training.rec_data import collate, load_rec_dataset
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import render_crop
from ocdr.training.train_det import DetTrainConfig, crop_batch, device_batch, train_det
from ocdr.training.train_rec import RecTrainConfig, train_rec

torch.set_num_threads(1)
cv2.setNumThreads(1)

pytestmark = [
    pytest.mark.slow,  # training loops (about 15 s for the module on a busy 2-core machine)
    pytest.mark.filterwarnings("ignore:You are using the legacy TorchScript-based ONNX export"),
    pytest.mark.filterwarnings("ignore:The feature will be removed"),
    pytest.mark.filterwarnings("ignore:Converting a tensor to a Python boolean"),
    pytest.mark.filterwarnings("ignore:Exporting a model to ONNX with a batch_size other than 1"),
]

REC_ARGS = ["--batch-size", "16", "--eval-every", "3", "--threads", "1"]
DET_ARGS = ["--crop-size", "128", "--batch-size", "2", "--eval-every", "3", "--threads", "1"]


def _metrics(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _params(state: dict) -> dict:
    """Trainable tensors of a state dict (BatchNorm running statistics move even at a zero learning rate)."""
    return {k: v for k, v in state.items() if "running_" not in k and "num_batches_tracked" not in k}


# --------------------------------------------------------------------------------------------- recognition
@pytest.fixture(scope="module")
def rec_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("rec")
    data, run = root / "lines", root / "run"
    assert main(["synth", "lines", "--out", str(data), "--count", "64", "--seed", "0"]) == 0
    assert main(["train", "rec", "--data", str(data), "--out", str(run), "--steps", "6", *REC_ARGS]) == 0
    shutil.copy(run / "last.pt", root / "step6.pt")
    metrics6 = _metrics(run / "metrics.jsonl")
    logs: list[str] = []
    cfg = RecTrainConfig(data=[str(data)], out=str(run), steps=8, eval_every=3, batch_size=16, threads=1)
    best = train_rec(cfg, log=logs.append)
    return SimpleNamespace(
        root=root, data=data, run=run, step6=root / "step6.pt", metrics6=metrics6, logs=logs, best=best
    )


def test_rec_training_writes_checkpoints_and_metrics(rec_run):
    run = rec_run.run
    assert (run / "best.pt").is_file() and (run / "last.pt").is_file()
    assert [m["step"] for m in rec_run.metrics6] == [3, 6]
    for m in rec_run.metrics6:  # read with the word list (the default), the greedy figure beside
        assert 0.0 <= m["word_accuracy"] <= 1.0 and list(m["per_set"]) == ["lines"]
        assert 0.0 <= m["greedy_word_accuracy"] <= 1.0
    assert any("val word accuracy with the word list" in line for line in rec_run.logs)
    held_out = read_gt_list(run / "val" / "lines" / "gt_list.txt")  # 10 % of 64 crops, listed for ocdr eval rec
    assert len(held_out) == 6 and all(name.startswith("/") for name, _ in held_out)
    state = load_checkpoint(rec_run.step6)
    assert state["step"] == 6 and state["arch"] == "crnn_lite"
    assert state["charset"] == DEFAULT_CHARSET
    assert -1.0 < state["best"] <= 1.0
    assert {"model", "optimizer", "scheduler"} <= set(state)
    best = load_checkpoint(run / "best.pt")
    assert best["step"] in (3, 6, 8)


def test_folders_of_the_same_name_keep_their_own_held_out_splits(rec_run, tmp_path):
    """Two data folders both named ``lines`` (``a/lines``, ``b/lines``): each split is written under a name that
    tells them apart, instead of the second overwriting the first."""
    from ocdr.training.loop import split_names

    assert split_names(["x/a/train", "y/b/train", "lines", "z/a/train"]) == [
        "x_a_train",
        "b_train",
        "lines",
        "z_a_train",
    ]
    folders = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "lines").symlink_to(rec_run.data, target_is_directory=True)
        folders.append(str(tmp_path / name / "lines"))
    out = tmp_path / "run"
    assert main(["train", "rec", "--data", *folders, "--out", str(out), "--split-only", *REC_ARGS]) == 0
    assert sorted(p.name for p in (out / "val").iterdir()) == ["a_lines", "b_lines"]
    assert [len(read_gt_list(out / "val" / name / "gt_list.txt")) for name in ("a_lines", "b_lines")] == [6, 6]


def test_a_new_seed_keeps_the_split_it_is_told_to(rec_run, tmp_path):
    """``--split-seed`` carves the held-out split as the run with that ``--seed`` did, while batches follow
    ``--seed``: a second round draws fresh batches and is measured on the first round's held-out crops."""
    from ocdr.training.loop import TrainConfig, start_run

    def held(seed: list[str], name: str) -> list:
        out = tmp_path / name
        args = ["train", "rec", "--data", str(rec_run.data), "--out", str(out), "--split-only", *seed, *REC_ARGS]
        assert main(args) == 0
        return read_gt_list(out / "val" / "lines" / "gt_list.txt")

    first = held(["--seed", "0"], "first")
    assert held(["--seed", "1", "--split-seed", "0"], "second") == first
    assert held(["--seed", "1"], "fresh") != first
    _, split, draw = start_run(TrainConfig(data=[], out=str(tmp_path / "g"), seed=1, split_seed=0))
    assert split.random() == np.random.default_rng(0).random() and draw.random() == np.random.default_rng(1).random()
    _, split, draw = start_run(TrainConfig(data=[], out=str(tmp_path / "g"), seed=3))
    assert split is draw  # one generator, as every run's command made before --split-seed


def test_rec_training_updates_weights_and_loss_is_finite(rec_run):
    state = load_checkpoint(rec_run.step6)
    charset = Charset(state["charset"])
    torch.manual_seed(0)  # train_rec seeds torch before building the model: this is its initial state
    initial = create_recognizer("crnn_lite", charset.num_classes).state_dict()
    trained = _params(state["model"])
    assert all(torch.isfinite(v).all() for v in trained.values())
    changed = [k for k, v in trained.items() if not torch.equal(v, initial[k])]
    assert len(changed) > len(trained) // 2  # the optimizer stepped
    # metrics.jsonl holds no loss: recompute the CTC loss of the trained weights on a training batch
    model = create_recognizer(state["arch"], charset.num_classes)
    model.load_state_dict(state["model"])
    model.eval()
    samples, skipped = load_rec_dataset(rec_run.data, charset)
    assert len(samples) == 64 and len(skipped) == 0
    batch, widths, targets = collate(samples[:16], charset)
    with torch.no_grad():
        log_probs = model.logits(torch.from_numpy(batch)).log_softmax(-1).permute(1, 0, 2)
    loss = torch.nn.functional.ctc_loss(
        log_probs,
        torch.tensor([c for t in targets for c in t]),
        torch.from_numpy(output_steps(widths)),
        torch.tensor([len(t) for t in targets]),
        blank=0,
        zero_infinity=False,
    )
    assert math.isfinite(float(loss)) and float(loss) > 0


def test_rec_resume_continues_from_last(rec_run):
    assert any(line.startswith("resumed from") and "at step 6" in line for line in rec_run.logs), rec_run.logs
    assert load_checkpoint(rec_run.run / "last.pt")["step"] == 8
    assert [m["step"] for m in _metrics(rec_run.run / "metrics.jsonl")] == [3, 6, 8]
    assert rec_run.best == rec_run.run / "best.pt"
    before, after = load_checkpoint(rec_run.step6), load_checkpoint(rec_run.run / "last.pt")
    assert after["charset"] == before["charset"]
    assert any(not torch.equal(v, before["model"][k]) for k, v in _params(after["model"]).items())


def test_an_init_or_charset_the_run_lacks_is_refused_on_resume(rec_run, tmp_path, capsys):
    """With ``--out`` holding a run, ``--init`` and a new ``--charset`` were dropped without a word and the old run
    resumed (its crops of the new characters skipped as outside the charset): refused, saying what to do."""
    run, args = rec_run.run, ["train", "rec", "--data", str(rec_run.data), "--out", str(rec_run.run), *REC_ARGS]
    assert main([*args, "--steps", "9", "--init", "shipped"]) == 2
    said = capsys.readouterr().err
    assert f"--init shipped: {run} already holds a run (from scratch)" in said and "leave out --init" in said
    charset = tmp_path / "characters_list.txt"
    charset.write_text("".join(f"{c}\n" for c in DEFAULT_CHARSET + "ß"), encoding="utf-8")
    assert main([*args, "--steps", "9", "--charset", str(charset)]) == 2
    said = capsys.readouterr().err
    assert f"--charset {charset}: {run} holds a run whose charset lacks 'ß' of it" in said
    assert f"give a new --out (--init {run / 'last.pt'}" in said
    assert load_checkpoint(run / "last.pt")["step"] == 8  # nothing was trained
    charset.write_text("".join(f"{c}\n" for c in DEFAULT_CHARSET), encoding="utf-8")  # the run's own: resumes
    assert main([*args, "--steps", "8", "--charset", str(charset), "--split-only"]) == 0


@pytest.fixture(scope="module")
def rec_onnx(rec_run):
    out = rec_run.root / "rec.onnx"
    assert main(["export", str(rec_run.run / "last.pt"), "-o", str(out)]) == 0
    return out


def test_rec_export_metadata_and_output_shape(rec_onnx):
    model = OnnxModel(rec_onnx, threads=1)
    meta = model.metadata
    assert meta["kind"] == "rec" and meta["charset"] == DEFAULT_CHARSET
    assert meta["arch"] == "crnn_lite" and meta["height"] == "32" and meta["step"] == "8"
    n_classes = len(meta["charset"]) + 1
    rng = np.random.default_rng(0)
    for n, width in ((3, 136), (1, 40)):  # batch and width differ from the export example (2 x 128)
        probs = model.run(rng.uniform(-1, 1, (n, 1, 32, width)).astype(np.float32))
        assert probs.shape == (n, width // 4, n_classes)
        assert probs.min() >= 0
        np.testing.assert_allclose(probs.sum(-1), 1.0, atol=1e-4)


def test_rec_export_char_odds_multiply_one_characters_odds(rec_run, tmp_path):
    """``ocdr export --char-odds .=3``: the period's odds against every other class are 3x the plain export's, the
    other classes' unchanged; recorded in the metadata; a malformed spec is a usage error."""
    plain, odds = tmp_path / "plain.onnx", tmp_path / "odds.onnx"
    assert main(["export", str(rec_run.step6), "-o", str(plain)]) == 0
    assert main(["export", str(rec_run.step6), "-o", str(odds), "--char-odds", ".=3"]) == 0
    assert json.loads(OnnxModel(odds, threads=1).metadata["char_odds"]) == {".": 3.0}
    x = np.random.default_rng(0).uniform(-1, 1, (2, 1, 32, 64)).astype(np.float32)
    a, b = OnnxModel(plain, threads=1).run(x), OnnxModel(odds, threads=1).run(x)
    ratio = (b / b[..., :1]) / (a / a[..., :1])  # each class's odds against the blank, odds export over plain
    k = DEFAULT_CHARSET.index(".") + 1
    np.testing.assert_allclose(ratio[..., k], 3.0, rtol=1e-3)
    np.testing.assert_allclose(np.delete(ratio, k, axis=-1), 1.0, rtol=1e-3)
    for bad in ("ab=2", ".=0", ".=x", "3"):
        with pytest.raises(SystemExit):
            main(["export", str(rec_run.step6), "-o", str(odds), "--char-odds", bad])


def test_rec_torch_and_onnx_agree(rec_run, rec_onnx):
    state = load_checkpoint(rec_run.run / "last.pt")
    model = create_recognizer(state["arch"], len(state["charset"]) + 1)
    model.load_state_dict(state["model"])
    model.eval()
    samples, _ = load_rec_dataset(rec_run.data, Charset(state["charset"]), limit=5)
    batch, _ = batch_crops([s.image for s in samples])
    with torch.no_grad():
        expected = model(torch.from_numpy(batch)).numpy()
    got = OnnxModel(rec_onnx, threads=1).run(batch)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() < 1e-4


def test_rec_onnx_in_the_text_recognizer(rec_run, rec_onnx):
    recognizer = TextRecognizer(OnnxModel(rec_onnx, threads=1))
    pairs = read_gt_list(rec_run.data / "gt_list.txt")[:4]
    crops = [cv2.imread(str(rec_run.data / name), cv2.IMREAD_GRAYSCALE) for name, _ in pairs]
    results = recognizer(crops, batch_size=3)
    assert len(results) == 4
    for crop, res in zip(crops, results, strict=True):
        assert res.num_steps == int(output_steps([resize_crop(crop).shape[1]])[0])
        assert set(res.text) <= set(DEFAULT_CHARSET)
        assert 0.0 <= res.confidence <= 1.0


def test_rec_finetune_grows_charset(rec_run, tmp_path):
    spec = next(f for f in find_fonts() if "ß" in f.coverage)
    data = tmp_path / "eszett"
    (data / "images").mkdir(parents=True)
    rng = np.random.default_rng(0)
    words = ["Straße", "groß", "Fuß", "weiß", "Maß 3", "süß", "heiß", "Grüße"]
    texts = [words[i % len(words)] for i in range(16)]
    pairs = []
    for i, text in enumerate(texts):
        cv2.imwrite(str(data / "images" / f"{i}.png"), render_crop(text, spec, 28, rng, augment=False))
        pairs.append((f"images/{i}.png", text))
    write_gt_list(data / "gt_list.txt", pairs)
    write_characters_list(data / "characters_list.txt", "".join(texts))
    new_chars = [c for c in sorted(set("".join(texts))) if c not in DEFAULT_CHARSET]
    assert new_chars == ["ß", "ü"]

    out = tmp_path / "ft"
    init = rec_run.run / "last.pt"
    args = ["train", "rec", "--data", str(data), "--out", str(out), "--init", str(init)]
    args += ["--charset", str(data / "characters_list.txt"), "--lr", "1e-12", "--batch-size", "8", "--eval-every", "2"]
    assert main([*args, "--steps", "2", "--threads", "1"]) == 0
    old, new = load_checkpoint(init), load_checkpoint(out / "last.pt")
    assert new["charset"] == old["charset"] + "ßü"  # the shipped characters keep their indices
    assert new["step"] == 2
    n_old, n_new = len(old["charset"]) + 1, len(new["charset"]) + 1
    assert new["model"]["head.weight"].shape[0] == n_new == n_old + 2
    assert new["model"]["head.bias"].shape == (n_new,)
    # at a vanishing learning rate the initial weights are kept: old head rows and the whole backbone
    torch.testing.assert_close(new["model"]["head.weight"][:n_old], old["model"]["head.weight"], atol=1e-6, rtol=0)
    torch.testing.assert_close(new["model"]["head.bias"][:n_old], old["model"]["head.bias"], atol=1e-6, rtol=0)
    for key, value in _params(old["model"]).items():
        if not key.startswith("head."):
            torch.testing.assert_close(new["model"][key], value, atol=1e-6, rtol=0)
    onnx_path = tmp_path / "ft.onnx"
    assert main(["export", str(out / "last.pt"), "-o", str(onnx_path)]) == 0
    model = OnnxModel(onnx_path, threads=1)
    assert model.metadata["charset"].endswith("ßü")
    assert model.run(np.zeros((1, 1, 32, 64), np.float32)).shape == (1, 16, n_new)
    # the same command run again (its --init and --charset) resumes the fine-tune instead of being refused
    assert main([*args, "--steps", "3", "--threads", "1"]) == 0
    resumed = load_checkpoint(out / "last.pt")
    assert resumed["step"] == 3 and resumed["charset"] == new["charset"]


# ----------------------------------------------------------------------------------------------- detection
@pytest.fixture(scope="module")
def det_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("det")
    pages, run = root / "pages", root / "run"
    assert main(["synth", "pages", "--out", str(pages), "--count", "3", "--dpi", "72", "--seed", "0"]) == 0
    assert main(["train", "det", "--data", str(pages), "--out", str(run), "--steps", "3", *DET_ARGS]) == 0
    step3 = root / "step3.pt"
    shutil.copy(run / "last.pt", step3)  # test_det_resume moves last.pt on
    onnx_path = root / "det.onnx"
    assert main(["export", str(step3), "-o", str(onnx_path)]) == 0
    return SimpleNamespace(root=root, pages=pages, run=run, step3=step3, onnx=onnx_path)


def test_det_training_writes_checkpoints_and_metrics(det_run):
    assert len(load_det_dataset(det_run.pages)) == 3
    run = det_run.run
    assert (run / "best.pt").is_file() and (run / "last.pt").is_file()
    m = _metrics(run / "metrics.jsonl")[0]
    assert m["step"] == 3 and m["pages"] == 1  # 3 pages: 1 for validation, 2 for training
    for key in ("precision", "recall", "hmean"):
        assert 0.0 <= m[key] <= 1.0
    state = load_checkpoint(det_run.step3)
    assert state["step"] == 3 and state["arch"] == "dbnet_resnet18_lite" and "charset" not in state
    assert all(torch.isfinite(v).all() for v in state["model"].values() if v.is_floating_point())
    torch.manual_seed(0)
    initial = create_detector("dbnet_resnet18_lite").state_dict()
    assert any(not torch.equal(v, initial[k]) for k, v in _params(state["model"]).items())


def test_det_export_shape_and_range(det_run):
    model = OnnxModel(det_run.onnx, threads=1)
    meta = model.metadata
    assert meta["kind"] == "det" and meta["stride"] == "32" and meta["step"] == "3" and meta["color"] == "gray"
    assert len(json.loads(meta["mean"])) == 3 and len(json.loads(meta["std"])) == 3
    x = np.random.default_rng(0).normal(0, 1, (1, 3, 64, 96)).astype(np.float32)
    prob = model.run(x)
    assert prob.shape == (1, 1, 64, 96)
    assert prob.min() >= 0.0 and prob.max() <= 1.0
    # the same weights in torch (eval mode returns the probability map only)
    net = create_detector("dbnet_resnet18_lite")
    net.load_state_dict(load_checkpoint(det_run.step3)["model"])
    net.eval()
    with torch.no_grad():
        expected = net(torch.from_numpy(x)).numpy()
    assert np.abs(prob - expected).max() < 1e-4


def test_det_export_stores_post_processing_defaults(det_run, tmp_path):
    """Settings picked for a detector travel in its file and become the pipeline's defaults; a user's still win."""
    from ocdr import OCR

    path = tmp_path / "det.onnx"
    args = ["export", str(det_run.step3), "-o", str(path), "--text-det-box-thresh", "0.45"]
    assert main([*args, "--text-det-unclip-ratio", "1.7"]) == 0
    ocr = OCR(det_model=path, threads=1)
    assert (ocr.params.text_det_box_thresh, ocr.params.text_det_unclip_ratio) == (0.45, 1.7)
    assert ocr.params.text_det_thresh == 0.3  # not set: the global default
    assert OCR(det_model=path, threads=1, text_det_unclip_ratio=2.2).params.text_det_unclip_ratio == 2.2
    assert OCR(det_model=det_run.onnx, threads=1).params.text_det_unclip_ratio == 2.0  # exported without


def test_export_restamps_a_shipped_detector_with_new_defaults(tmp_path, capsys):
    """An exported detector (the shipped one: its checkpoint is not shipped) is copied with new post-processing
    defaults and its weights untouched; settings not given keep the file's. Other files are refused plainly."""
    import onnx

    from ocdr import OCR
    from ocdr.runtime.registry import shipped_model_path

    source, path = shipped_model_path("det"), tmp_path / "det.onnx"
    args = ["export", str(source), "-o", str(path), "--text-det-box-thresh", "0.42", "--text-rec-score-thresh", "0.3"]
    assert main(args) == 0
    before, after = OCR(det_model=source, threads=1).params, OCR(det_model=path, threads=1).params
    assert after.text_det_box_thresh == 0.42 and before.text_det_box_thresh != 0.42
    assert after.text_rec_score_thresh == 0.3 and before.text_rec_score_thresh == 0.0
    assert after.text_det_unclip_ratio == before.text_det_unclip_ratio
    weights = [{t.name: t.raw_data for t in onnx.load(str(f)).graph.initializer} for f in (source, path)]
    assert weights[0] == weights[1]
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a model")
    for bad in (shipped_model_path("rec"), garbage):
        assert main(["export", str(bad), "-o", str(tmp_path / "x.onnx"), "--text-det-box-thresh", "0.4"]) == 2
    assert main(["export", str(source), "-o", str(tmp_path / "x.onnx")]) == 2  # nothing to change
    assert "not a detector" in capsys.readouterr().err


def test_det_batches_from_a_worker_process_are_the_in_process_ones(det_run):
    """``--workers``: crops made in worker processes (spawned) are exactly those the training process would make
    (worker k draws from the generator seeded (seed, k); in-process is worker 0)."""
    make = partial(crop_batch, [load_det_dataset(det_run.pages)], [1.0], 96, 2)
    here, there = batch_stream(make, 5, workers=0), batch_stream(make, 5, workers=1)
    for _ in range(2):
        a, b = next(here), next(there)
        assert a.keys() == b.keys() and a["image"].shape == (2, 96, 96)
        assert all(torch.equal(a[k], b[k]) for k in a)


def test_device_batch_is_the_inference_input_and_float_targets(det_run):
    """Crops travel compact; on the training device a batch becomes what the detector reads at inference
    (``detection_input`` of the same gray crop) and ``db_loss``'s float targets, the threshold map within float16."""
    batch = crop_batch([load_det_dataset(det_run.pages)], [1.0], 96, 2, np.random.default_rng(0))
    out = device_batch({key: torch.from_numpy(value) for key, value in batch.items()}, "cpu")
    assert out["image"].shape == (2, 3, 96, 96) and out["image"].is_contiguous()
    for i, gray in enumerate(batch["image"]):
        inference = detection_input(np.repeat(gray[:, :, None], 3, axis=2), (96, 96), gray=True)[0]
        np.testing.assert_allclose(out["image"][i].numpy(), inference, atol=1e-5)
    for key in ("shrink_map", "shrink_mask", "thresh_map", "thresh_mask"):
        assert out[key].dtype == torch.float32 and torch.equal(out[key], torch.from_numpy(batch[key]).float())
    assert out["shrink_map"].sum() > 0 and 0.29 < out["thresh_map"].min() <= out["thresh_map"].max() < 0.71


def test_det_resume(det_run):
    logs: list[str] = []
    cfg = DetTrainConfig(
        data=[str(det_run.pages)],
        out=str(det_run.run),
        steps=4,
        eval_every=3,
        crop_size=128,
        batch_size=2,
        threads=1,
        workers=1,  # the resumed run makes its crops in a worker process
    )
    train_det(cfg, log=logs.append)
    assert any(line.startswith("resumed from") and "at step 3" in line for line in logs), logs
    assert load_checkpoint(det_run.run / "last.pt")["step"] == 4
    assert [m["step"] for m in _metrics(det_run.run / "metrics.jsonl")] == [3, 4]


def test_validation_keeps_a_page_for_training_and_real_sets_split_as_before():
    """A 1-page folder held its only page out (``train det``: numpy's "high <= 0" on the empty pool); a folder of
    10 or more holds out what it always did (the project's ``runs/*/val`` splits stay), ``cap=0`` none."""
    from ocdr.training.loop import carve_validation

    logs: list[str] = []
    assert carve_validation(["a"], np.random.default_rng(0), 0.1, 10, "one", logs.append) == (["a"], [])
    assert logs == ["one: none held out for validation (1 item, too few to split): all 1 trained on"]
    for n in (2, 3, 6):  # too few for 10% to make a page: one held out, the rest trained on
        kept, held = carve_validation(list(range(n)), np.random.default_rng(0), 0.1, 10)
        assert len(held) == 1 and len(kept) == n - 1
    assert carve_validation(list(range(6)), np.random.default_rng(0), 0.1, 0, "f", logs.append)[1] == []
    assert logs[-1] == "f: none held out for validation (a cap of 0): all 6 trained on"
    for n, cap in ((10, 30), (149, 30), (626, 30), (360, 1000), (9999, 500)):
        perm = np.random.default_rng(n).permutation(n)
        before = [int(i) for i in perm[: min(cap, max(1, int(n * 0.1)))]]
        assert carve_validation(list(range(n)), np.random.default_rng(n), 0.1, cap)[1] == before


def test_det_on_a_one_page_folder_trains_on_it(det_run, tmp_path, capsys):
    """``train det --data pages one`` with a 1-page folder: trained on, not validated, said; alone, a clear error."""
    one = tmp_path / "one"
    (one / "images").mkdir(parents=True)
    (one / "gts").mkdir()
    first = sorted((det_run.pages / "images").iterdir())[0]
    shutil.copy(first, one / "images" / first.name)
    shutil.copy(det_run.pages / "gts" / f"gt_{first.stem}.txt", one / "gts")
    out = tmp_path / "run"
    args = ["train", "det", "--out", str(out), "--steps", "1", "--eval-every", "1", *DET_ARGS]
    assert main([*args, "--data", str(det_run.pages), str(one)]) == 0
    said = capsys.readouterr().out
    assert "one: none held out for validation (1 item, too few to split)" in said
    assert "train pages: pages 2, one 1 / val 1 pages" in said and (out / "last.pt").is_file()
    assert main([*args, "--data", str(one), "--out", str(tmp_path / "alone")]) == 2
    assert "no validation pages" in capsys.readouterr().err


def test_det_flags_out_of_range_are_usage_errors(det_run, tmp_path, capsys):
    """``--val-pages -3`` held out half a folder, ``--real-share 1.5`` and ``--crop-size 0`` failed in numpy and
    torch; ``--val-pages 0`` still held out a page: now none, and a run left with no validation says so."""
    base = ["train", "det", "--data", str(det_run.pages), "--out", str(tmp_path / "run"), "--steps", "1"]
    for flag, value, said in (
        ("--val-pages", "-3", "want a whole number of 0 or more"),
        ("--real-share", "1.5", "want a share from 0 to 1"),
        ("--crop-size", "0", "want a whole number of 32 or more"),
    ):
        with pytest.raises(SystemExit) as stopped:
            main([*base, flag, value])
        err = capsys.readouterr().err
        assert stopped.value.code == 2 and f"argument {flag}: {said}" in err, err
    assert not (tmp_path / "run").exists()
    assert main([*base, "--val-pages", "0", "--split-only"]) == 0
    assert "pages: none held out for validation (a cap of 0): all 3 trained on" in capsys.readouterr().out
    assert main([*base, "--val-pages", "0", *DET_ARGS]) == 2
    assert "no validation pages" in capsys.readouterr().err


def test_page_classifier_renders_few_pages_by_default_and_says_how_far(monkeypatch):
    """``train cls --task page`` rendered 20,000 pages (75-110 min, 57 GB) before step 1 without a word."""
    from ocdr.cli import build_parser
    from ocdr.training import train_cls

    args = build_parser().parse_args(["train", "cls", "--task", "page", "--out", "o"])
    assert args.synth is None and train_cls.ClsTrainConfig(data=[], out="o").synth is None
    assert train_cls.DEFAULT_SYNTH["page"] <= 400 and train_cls.DEFAULT_SYNTH["line"] == 20000
    logs: list[str] = []
    monkeypatch.setattr(train_cls, "RENDER_REPORT_S", 0.0)
    assert train_cls.render_all(2, lambda: 0, logs.append, "page") == [0, 0]
    assert logs == [
        "rendering 2 synthetic pages (--synth)",
        "rendered 1/2 synthetic pages",
        "rendered 2/2 synthetic pages",
    ]


def test_det_init_on_a_run_to_resume_is_refused(det_run, tmp_path, capsys):
    """``train det --init`` into an --out holding a run resumed that run, the --init dropped without a word."""
    out = tmp_path / "run"
    out.mkdir()
    shutil.copy(det_run.step3, out / "last.pt")
    args = ["train", "det", "--data", str(det_run.pages), "--out", str(out), "--steps", "4", *DET_ARGS]
    assert main([*args, "--init", str(det_run.step3)]) == 2
    said = capsys.readouterr().err
    assert f"--init {det_run.step3}: {out} already holds a run (from scratch)" in said
    assert not (out / "val").exists()  # refused before any work


def test_rec_seed_v2_input_height_64(rec_run, tmp_path):
    """``ocrnet_resnet_tps_v2`` (seed 000's 1 x 64 x W input): trains on crops at 64 pixels, exports with height 64,
    and the pipeline resizes crops to the height the model file names."""
    out = tmp_path / "v2"
    args = ["train", "rec", "--data", str(rec_run.data), "--out", str(out), "--arch", "ocrnet_resnet_tps_v2"]
    assert main([*args, "--steps", "1", "--batch-size", "4", "--eval-every", "1", "--threads", "1"]) == 0
    state = load_checkpoint(out / "last.pt")
    assert state["arch"] == "ocrnet_resnet_tps_v2"
    onnx_path = tmp_path / "v2.onnx"
    assert main(["export", str(out / "last.pt"), "-o", str(onnx_path)]) == 0
    model = OnnxModel(onnx_path, threads=1)
    assert model.metadata["height"] == "64"
    assert model.run(np.zeros((1, 1, 64, 200), np.float32)).shape == (1, 50, len(DEFAULT_CHARSET) + 1)
    recognizer = TextRecognizer(model)
    crop = cv2.imread(str(rec_run.data / read_gt_list(rec_run.data / "gt_list.txt")[0][0]), cv2.IMREAD_GRAYSCALE)
    (result,) = recognizer([crop])
    assert recognizer.height == 64 and result.num_steps == int(output_steps([resize_crop(crop, 64).shape[1]])[0])


SEED_SPEC = """\
results_dir: /results
encryption_key: nvidia_tao
model:
  TPS: True
  backbone: ResNet
  feature_channel: 512
  sequence: BiLSTM
  hidden_size: 256
  prediction: CTC
  quantize: False
  input_width: 100
  input_height: 32
  input_channel: 1
dataset:
  train_dataset_dir: [/data/train/lmdb]
"""


def test_seed_spec_builds_the_seed_network(tmp_path):
    """Seed 000's TAO spec, as a whole experiment file, is the registry's ``ocrnet_resnet_tps``; its training
    sections and fixed input width are said to be unused, not silently dropped. JSON (TAO's API) reads too."""
    from ocdr.models.recognition.crnn import REC_CONFIGS
    from ocdr.models.recognition.spec import load_model_spec

    (tmp_path / "seed.yaml").write_text(SEED_SPEC)
    config, notes = load_model_spec(tmp_path / "seed.yaml")
    assert config == REC_CONFIGS["ocrnet_resnet_tps"]
    assert any("dataset" in n and "results_dir" in n for n in notes) and any("input_width 100" in n for n in notes)
    sample, notes = load_model_spec(Path(__file__).parents[1] / "samples" / "ocrnet_spec.yaml")  # the README's
    assert sample == config and not any("sections not read" in n for n in notes)
    (tmp_path / "v2.json").write_text(json.dumps({"input_height": 64, "input_width": 200, "sequence": "none"}))
    config, _ = load_model_spec(tmp_path / "v2.json")
    assert (config.height, config.lstm_layers, config.tps, config.channels) == (64, 0, True, (64, 128, 256, 512))


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("prediction: Attn", "prediction 'Attn' is not built by ocdr"),
        ("backbone: FAN_tiny_2X", "backbone 'FAN_tiny_2X' is not built"),
        ("sequence: Transformer", "sequence 'Transformer' is not built"),
        ("input_channel: 3", "input_channel must be 1"),
        ("quantize: True", "ocdr quantize"),
        ("hidden: 256", "unknown model spec settings \\['hidden'\\]"),
        ("num_fiducial: 7", "num_fiducial must be even"),
        ("input_height: 40", "input_height must be a multiple of 16"),
        ("feature_channel: 100", "feature_channel must be a multiple of 8"),
        ("TPS: yes please", "TPS must be True or False"),
        ("hidden_size: 0", "hidden_size must be a whole number from 1"),
    ],
)
def test_a_spec_ocdr_cannot_build_is_refused_by_name(tmp_path, setting, message):
    from ocdr.models.recognition.spec import load_model_spec

    (tmp_path / "spec.yaml").write_text(f"model:\n  {setting}\n")
    with pytest.raises(ValueError, match=message):
        load_model_spec(tmp_path / "spec.yaml")
    (tmp_path / "list.yaml").write_text("- TPS: True\n")
    with pytest.raises(ValueError, match="a mapping of settings"):
        load_model_spec(tmp_path / "list.yaml")


@pytest.mark.parametrize(
    ("spec", "height", "sequence"),
    [("TPS: True\nfeature_channel: 64\nhidden_size: 16\nnum_fiducial: 10", 32, "LSTM"),
     ("TPS: False\nfeature_channel: 64\nsequence: none\ninput_height: 64", 64, None)],
)  # fmt: skip
def test_rec_trains_exports_and_fine_tunes_from_a_spec(rec_run, tmp_path, spec, height, sequence):
    """``--model-spec``: the network the spec describes trains, its checkpoint and ONNX file carry ``rec_config``,
    the ONNX file reads as the checkpoint does, ``--init model.onnx`` rebuilds that network (not the registry's),
    and resuming the run with another spec is refused."""
    from ocdr.models.recognition.crnn import rec_config
    from ocdr.training.onnx_import import checkpoint_from_onnx

    (tmp_path / "spec.yaml").write_text(spec)
    out, onnx_path = tmp_path / "run", tmp_path / "spec.onnx"
    args = ["train", "rec", "--data", str(rec_run.data), "--out", str(out), "--model-spec", str(tmp_path / "spec.yaml")]
    assert main([*args, "--steps", "1", "--batch-size", "4", "--eval-every", "1", "--threads", "1"]) == 0
    state = load_checkpoint(out / "last.pt")
    assert state["arch"] == "ocrnet_spec" and state["rec_config"]["height"] == height
    model = create_recognizer(state["arch"], len(state["charset"]) + 1, state["rec_config"]).eval()
    model.load_state_dict(state["model"])
    assert (type(model.rnn).__name__ if model.rnn is not None else None) == sequence
    assert main(["export", str(out / "last.pt"), "-o", str(onnx_path)]) == 0
    onnx_model = OnnxModel(onnx_path, threads=1)
    stored = json.loads(onnx_model.metadata["rec_config"])
    assert rec_config("ocrnet_spec", stored) == rec_config("ocrnet_spec", state["rec_config"])
    x = np.random.default_rng(0).uniform(-1, 1, (2, 1, height, 96)).astype(np.float32)
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(onnx_model.run(x), expected, atol=1e-5)
    imported = checkpoint_from_onnx(onnx_path, "rec")
    rebuilt = create_recognizer(imported["arch"], len(imported["charset"]) + 1, imported["rec_config"]).eval()
    rebuilt.load_state_dict(imported["model"])
    with torch.no_grad():
        np.testing.assert_allclose(rebuilt(torch.from_numpy(x)).numpy(), expected, atol=1e-5)
    other = tmp_path / "other.yaml"
    other.write_text("feature_channel: 32\n")
    assert main([*args[:-1], str(other), "--steps", "2", "--threads", "1"]) == 2  # resuming with another network


# ----------------------------------------------------------------------------------------------- precision
def test_precision_picks_the_forward_arithmetic(monkeypatch):
    """``--precision``: fp32 is float32 everywhere; mixed is float16 with loss scaling on CUDA and bfloat16 on a CPU
    (no scaling: float32's range); auto is mixed on CUDA and on CPUs with bfloat16 in hardware, float32 elsewhere
    (emulated bfloat16 is slower than float32)."""
    from ocdr.training import loop

    assert loop.Precision.of("cpu", "fp32").name == "fp32"
    assert loop.Precision.of("cpu", "mixed").name == "bf16"
    assert loop.Precision.of("cuda:0", "auto").name == "fp16"
    assert loop.Precision.of("cuda", "mixed").name == "fp16"
    assert loop.Precision.of("cuda", "fp32").name == "fp32"
    monkeypatch.setattr(loop, "native_bf16", lambda: False)
    assert loop.Precision.of("cpu", "auto").name == "fp32"
    monkeypatch.setattr(loop, "native_bf16", lambda: True)
    assert loop.Precision.of("cpu", "auto").name == "bf16"
    with pytest.raises(ValueError, match="unknown precision 'half'"):
        loop.Precision.of("cpu", "half")
    assert not loop.Precision.of("cpu", "mixed").scaler().is_enabled()
    conv, x = torch.nn.Conv2d(1, 2, 3), torch.randn(1, 1, 8, 8)
    with loop.Precision.of("cpu", "mixed").autocast():
        assert conv(x).dtype == torch.bfloat16
    with loop.Precision.of("cpu", "fp32").autocast():
        assert conv(x).dtype == torch.float32
    from ocdr.cli import build_parser  # the CLI lists the choices itself, so that parsing needs no torch

    args = build_parser().parse_args(["train", "det", "--data", "d", "--out", "o"])
    assert args.precision == "auto"
    train = next(a for a in build_parser()._actions if a.dest == "command").choices["train"]
    for kind in ("rec", "det", "cls"):
        sub = next(a for a in train._actions if a.dest == "kind").choices[kind]
        assert tuple(next(a for a in sub._actions if a.dest == "precision").choices) == loop.PRECISIONS


@pytest.mark.parametrize("kind", ["rec", "det"])
def test_training_in_bf16_on_the_cpu_steps_and_stays_finite(kind, rec_run, det_run, tmp_path, capsys):
    """``--precision mixed`` on a CPU: the run says it computes in bf16, its losses are finite, and the weights it
    saves are float32, finite and moved by the steps."""
    data, extra = (rec_run.data, REC_ARGS) if kind == "rec" else (det_run.pages, DET_ARGS)
    out = tmp_path / "run"
    args = ["train", kind, "--data", str(data), "--out", str(out), "--precision", "mixed", *extra]
    assert main([*args, "--steps", "1", "--eval-every", "1"]) == 0
    first = _params(load_checkpoint(out / "last.pt")["model"])
    assert main([*args, "--steps", "3"]) == 0  # resumes at step 1
    assert "forward passes in bf16" in capsys.readouterr().out
    assert [m["step"] for m in _metrics(out / "metrics.jsonl")] == [1, 3]
    assert all(math.isfinite(m["loss"]) for m in _metrics(out / "metrics.jsonl"))
    weights = _params(load_checkpoint(out / "last.pt")["model"])
    assert all(v.dtype == torch.float32 and torch.isfinite(v).all() for v in weights.values() if v.is_floating_point())
    assert any(not torch.equal(v, first[k]) for k, v in weights.items())
