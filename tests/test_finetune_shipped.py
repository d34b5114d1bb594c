"""Fine-tuning the shipped models: their ONNX weights come back into torch exactly, a few training steps run from
them on real crops mixed with synthetic ones, and the crop-set layouts other tools write are read alike."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import lmdb
import numpy as np
import pytest
import torch
from torch import nn

from ocdr.cli import main
from ocdr.io.crop_datasets import crop_dataset_format, read_crop_dataset
from ocdr.io.images import decode_image_bytes
from ocdr.io.labels import icdar_pairs, read_gt_list, read_icdar_gt, write_gt_list
from ocdr.models.detection.dbnet import create_detector
from ocdr.models.recognition.charset import Charset
from ocdr.models.recognition.crnn import create_recognizer
from ocdr.models.recognition.ctc import ctc_greedy_decode
from ocdr.models.recognition.lexicon import Lexicon
from ocdr.models.recognition.preprocess import batch_crops, output_steps, resize_crop, to_gray
from ocdr.runtime.registry import shipped_model_path
from ocdr.runtime.session import OnnxModel
from ocdr.training.checkpoint import load_checkpoint, save_checkpoint
from ocdr.training.det_data import DetItem
from ocdr.training.export import raise_odds
from ocdr.training.loop import freeze_batchnorm
from ocdr.training.onnx_import import checkpoint_from_onnx, refit_batchnorm
from ocdr.training.rec_augment import augment_crop
from ocdr.training.rec_data import load_rec_dataset
from ocdr.training.train_det import evaluate_det
from ocdr.training.train_rec import evaluate_rec
from tests.conftest import PAGE_LINES, SHARED_DATA, render_lines, split_only_repeats

torch.set_num_threads(1)
FUNSD_WORDS = SHARED_DATA / "recognition" / "funsd_train_words"
pytestmark = pytest.mark.filterwarnings("ignore:You are using the legacy TorchScript-based ONNX export")


@pytest.fixture(scope="module")
def funsd_crops():
    items = [(name, img, text) for name, img, text in read_crop_dataset(FUNSD_WORDS, 40) if img is not None]
    assert len(items) >= 30
    return items


@pytest.fixture(scope="module")
def crop_folders(tmp_path_factory, funsd_crops):
    """The FUNSD crops as a seed folder and 100 synthetic lines: the fine-tuning runs' --data and --synth-data."""
    root = tmp_path_factory.mktemp("crops")
    real, synth = root / "funsd", root / "synth"
    (real / "images").mkdir(parents=True)
    for i, (_, img, _) in enumerate(funsd_crops):
        cv2.imwrite(str(real / "images" / f"{i}.png"), img)
    write_gt_list(real / "gt_list.txt", [(f"images/{i}.png", text) for i, (_, _, text) in enumerate(funsd_crops)])
    assert main(["synth", "lines", "--out", str(synth), "--count", "100", "--seed", "3"]) == 0
    return real, synth


def test_shipped_recognizer_comes_back_into_torch_exactly(funsd_crops):
    ck = checkpoint_from_onnx("shipped", "rec")
    assert ck["missing"] == [] and ck["arch"] == "crnn_lite"
    model = create_recognizer(ck["arch"], len(ck["charset"]) + 1)
    model.load_state_dict(ck["model"])
    assert ck["char_odds"] == {".": 3}  # the export's raised odds of the period come back undone ...
    raise_odds(model.head.bias, ck["charset"], ck["char_odds"])  # ... and raised again, they give the file's outputs
    model.eval()
    batch, widths = batch_crops([resize_crop(img) for _, img, _ in funsd_crops[:16]])
    expected = OnnxModel(shipped_model_path("rec"), threads=1).run(batch)
    with torch.no_grad():
        got = model(torch.from_numpy(batch)).numpy()
    assert np.abs(got - expected).max() < 1e-4
    texts = [r.text for r in ctc_greedy_decode(got, ck["charset"], output_steps(widths))]
    truth = [text for _, _, text in funsd_crops[:16]]
    assert sum(a == b for a, b in zip(texts, truth, strict=True)) >= 4  # it reads: the weights are the real ones

    # BatchNorm statistics refitted on batches: the same function in eval mode, close to it in train mode
    refit_batchnorm(model, [torch.from_numpy(batch[:8]), torch.from_numpy(batch[8:])])
    with torch.no_grad():
        assert np.abs(model(torch.from_numpy(batch)).numpy() - expected).max() < 1e-4
        model.train()
        train_mode = model(torch.from_numpy(batch)).numpy()
    assert np.mean(train_mode.argmax(-1) == expected.argmax(-1)) > 0.9


def test_shipped_recognizer_goes_back_to_onnx_with_its_raised_odds(tmp_path, funsd_crops):
    ck = checkpoint_from_onnx("shipped", "rec")
    save_checkpoint(
        tmp_path / "ck.pt", model=ck["model"], arch=ck["arch"], charset=ck["charset"], char_odds=ck["char_odds"]
    )
    assert main(["export", str(tmp_path / "ck.pt"), "-o", str(tmp_path / "again.onnx")]) == 0
    batch, _ = batch_crops([resize_crop(img) for _, img, _ in funsd_crops[:8]])
    again, shipped = OnnxModel(tmp_path / "again.onnx", threads=1), OnnxModel(shipped_model_path("rec"), threads=1)
    assert np.abs(again.run(batch) - shipped.run(batch)).max() < 1e-4  # the odds raised once, not twice or never
    assert json.loads(again.metadata["char_odds"]) == {".": 3}


def test_finetuning_from_onnx_starts_where_the_shipped_model_is(tmp_path, funsd_crops, crop_folders):
    """Steps at learning rate 0 change only BatchNorm's running statistics. Measured at import on batches drawn and
    augmented as training draws them, they stay where they are and the model reads as well as before; measured on
    plain crops, they drifted towards the augmented batches' and the loss rose by 15% in 20 steps."""
    (real, synth), out = crop_folders, tmp_path / "run"
    args = ["train", "rec", "--data", str(real), "--synth-data", str(synth), "--init", "shipped", "--out", str(out)]
    assert (
        main([*args, "--steps", "20", "--eval-every", "20", "--batch-size", "16", "--lr", "0", "--threads", "1"]) == 0
    )
    state = load_checkpoint(out / "last.pt")
    model = create_recognizer(state["arch"], len(state["charset"]) + 1)
    model.load_state_dict(state["model"])
    raise_odds(model.head.bias, state["charset"], state["char_odds"])
    model.eval()
    batch, widths = batch_crops([resize_crop(img) for _, img, _ in funsd_crops])
    charset = Charset(state["charset"])
    targets = [charset.encode(text) for _, _, text in funsd_crops]

    def loss(probs: np.ndarray) -> float:
        log_probs = torch.from_numpy(np.log(np.maximum(probs, 1e-12))).permute(1, 0, 2)
        steps = torch.from_numpy(np.minimum(output_steps(widths), log_probs.shape[0]))
        flat = torch.tensor([c for t in targets for c in t])
        return float(nn.functional.ctc_loss(log_probs, flat, steps, torch.tensor([len(t) for t in targets])))

    with torch.no_grad():
        after = loss(model(torch.from_numpy(batch)).numpy())
    before = loss(OnnxModel(shipped_model_path("rec"), threads=1).run(batch))
    assert after < 1.05 * before, (before, after)


def test_frozen_batchnorm_keeps_its_statistics_and_learns_scale_and_shift():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))
    model(torch.randn(2, 1, 8, 8))  # materialise the lazy layer
    bn = model[1]
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    stats = bn.running_mean.clone(), bn.running_var.clone()
    freeze_batchnorm(model)
    x = torch.randn(6, 1, 8, 8) * 3 + 1  # batch statistics far from the running ones
    model.eval()
    expected = model(x).detach()
    model.train()  # the mode a training loop sets: the BatchNorm still normalises by the running statistics
    out = model(x)
    assert torch.allclose(out, expected) and torch.equal(bn.running_mean, stats[0])
    assert torch.equal(bn.running_var, stats[1])
    weight = bn.weight.detach().clone()
    out.sum().backward()
    torch.optim.SGD(model.parameters(), lr=0.1).step()
    assert not torch.equal(bn.weight, weight)


def test_finetuning_with_frozen_batchnorm_at_lr_0_changes_nothing(tmp_path, funsd_crops, crop_folders):
    """``--freeze-bn``: the imported model's statistics are used as they are, so steps at learning rate 0 export
    the shipped model again, output for output."""
    (real, synth), out = crop_folders, tmp_path / "run"
    args = ["train", "rec", "--data", str(real), "--synth-data", str(synth), "--init", "shipped", "--out", str(out)]
    args += ["--steps", "10", "--eval-every", "10", "--batch-size", "16", "--lr", "0", "--threads", "1"]
    assert main([*args, "--freeze-bn"]) == 0
    assert main(["export", str(out / "last.pt"), "-o", str(tmp_path / "again.onnx")]) == 0
    batch, _ = batch_crops([resize_crop(img) for _, img, _ in funsd_crops])
    again, shipped = OnnxModel(tmp_path / "again.onnx", threads=1), OnnxModel(shipped_model_path("rec"), threads=1)
    assert np.abs(again.run(batch) - shipped.run(batch)).max() < 1e-4


def test_shipped_detector_comes_back_into_torch_exactly():
    ck = checkpoint_from_onnx("shipped", "det")
    assert ck["missing"] and all(k.startswith("thresh_head.") for k in ck["missing"])  # not exported: unused
    model = create_detector(ck["arch"])
    model.load_state_dict(ck["model"])
    model.eval()
    page, _ = render_lines(PAGE_LINES[:2])
    x = cv2.resize(page, (320, 128)).astype(np.float32).transpose(2, 0, 1)[None] / 255.0
    expected = OnnxModel(shipped_model_path("det"), threads=1).run(x)
    with torch.no_grad():
        got = model(torch.from_numpy(x)).numpy()
    assert got.shape == expected.shape and np.abs(got - expected).max() < 1e-4


def test_detector_branch_missing_from_onnx_gets_measured_batchnorm():
    """The shipped detector's file holds the probability branch only. Rebuilt for fine-tuning, its threshold head's
    BatchNorms get the running statistics of their inputs on the first batches, so that with ``--freeze-bn`` they
    normalise that new branch as training would (left at mean 0 and variance 1, they did not normalise at all); the
    probability map stays exactly as it was."""
    ck = checkpoint_from_onnx("shipped", "det")
    model = create_detector(ck["arch"])
    model.load_state_dict(ck["model"])
    page, _ = render_lines(PAGE_LINES[:3])
    x = torch.from_numpy(cv2.resize(page, (320, 128)).astype(np.float32).transpose(2, 0, 1)[None] / 255.0)
    model.eval()
    with torch.no_grad():
        before = model(x)
    refit_batchnorm(model, [x, x])
    with torch.no_grad():
        assert torch.allclose(model(x), before, atol=1e-4)
    last = [m for m in model.thresh_head.modules() if isinstance(m, nn.BatchNorm2d)][-1]
    assert not torch.allclose(last.running_var, torch.ones_like(last.running_var))
    seen = []
    last.register_forward_hook(lambda _m, _i, out: seen.append(out.clone()))  # a ReLU follows in place
    freeze_batchnorm(model)
    model.train()
    with torch.no_grad():
        model(x)
    mean, var = seen[0].mean((0, 2, 3)), seen[0].var((0, 2, 3))
    assert mean.abs().max() < 0.05 and (var - 1).abs().max() < 0.05  # normalised by what it measured


def test_import_refuses_the_wrong_kind():
    with pytest.raises(ValueError, match="'det' model, not 'rec'"):
        checkpoint_from_onnx(shipped_model_path("det"), "rec")


def test_finetune_shipped_recognizer_on_real_and_synthetic_crops(tmp_path, funsd_crops, crop_folders):
    (real, synth), out = crop_folders, tmp_path / "run"
    args = ["train", "rec", "--data", str(real), "--synth-data", str(synth), "--init", "shipped", "--out", str(out)]
    args += ["--steps", "3", "--eval-every", "3", "--batch-size", "8", "--lr", "1e-4", "--threads", "1"]
    assert main(args) == 0
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert metrics[-1]["step"] == 3 and set(metrics[-1]["per_set"]) == {"funsd", "synth"}
    # the model it starts from is scored first, so best.pt never reads the held-out crops worse than it did
    assert metrics[0]["step"] == 0 and metrics[0]["loss"] is None
    best = max(m["word_accuracy"] for m in metrics)
    assert load_checkpoint(out / "best.pt")["best"] == best >= metrics[0]["word_accuracy"]
    # the shipped model already reads a share of both held-out sets; three small steps keep it reading
    assert metrics[-1]["per_set"]["synth"] > 0.3 and metrics[-1]["per_set"]["funsd"] > 0.1
    held = read_gt_list(out / "val" / "funsd" / "gt_list.txt")
    assert len(held) == 4 and {text for _, text in held} <= {text for _, _, text in funsd_crops}
    assert split_only_repeats(args, out, tmp_path / "split")
    assert main(["export", str(out / "best.pt"), "-o", str(tmp_path / "ft.onnx")]) == 0
    assert main(["eval", "rec", "--rec-model", str(tmp_path / "ft.onnx"), "--data", str(out / "val" / "funsd")]) == 0


def _write_layouts(root, crops) -> dict[str, object]:
    """The same crops as a seed folder, a PaddleOCR label file, an LMDB and a tesstrain folder."""
    seed, paddle, db, tess = root / "seed", root / "paddle", root / "lmdb", root / "tess"
    for d in (seed / "images", paddle / "imgs", db, tess):
        d.mkdir(parents=True)
    env = lmdb.open(str(db), map_size=1 << 24)
    with env.begin(write=True) as txn:
        for i, (img, text) in enumerate(crops, 1):
            png = cv2.imencode(".png", img)[1].tobytes()
            cv2.imwrite(str(seed / "images" / f"{i}.png"), img)
            cv2.imwrite(str(paddle / "imgs" / f"{i}.png"), img)
            cv2.imwrite(str(tess / f"line_{i}.png"), img)
            (tess / f"line_{i}.gt.txt").write_text(text + "\n", encoding="utf-8")
            txn.put(b"image-%09d" % i, png)
            txn.put(b"label-%09d" % i, text.encode("utf-8"))
        txn.put(b"num-samples", str(len(crops)).encode())
    env.close()
    write_gt_list(seed / "gt_list.txt", [(f"images/{i}.png", t) for i, (_, t) in enumerate(crops, 1)])
    label_file = paddle / "rec_gt_train.txt"
    label_file.write_text("".join(f"imgs/{i}.png\t{t}\n" for i, (_, t) in enumerate(crops, 1)), encoding="utf-8")
    return {"seed": seed, "paddle": label_file, "lmdb": db, "tesstrain": tess}


def test_crop_set_layouts_read_alike(tmp_path, funsd_crops):
    crops = [(img, text) for _, img, text in funsd_crops[:6]] + [(funsd_crops[6][1], "two words")]
    layouts = _write_layouts(tmp_path, crops)
    charset = Charset(checkpoint_from_onnx("shipped", "rec")["charset"])
    for kind, source in layouts.items():
        assert crop_dataset_format(source) == kind
        items = list(read_crop_dataset(source))
        assert [text for _, _, text in items] == [text for _, text in crops], kind
        for (_, img, _), (ref, _) in zip(items, crops, strict=True):
            assert np.array_equal(img, ref), kind
        samples, skipped = load_rec_dataset(source, charset)
        assert len(samples) == len(crops) and len(skipped) == 0
    assert len(list(read_crop_dataset(layouts["lmdb"], limit=2))) == 2
    with pytest.raises(FileNotFoundError, match="not a crop dataset"):
        crop_dataset_format(tmp_path / "seed" / "images")


def test_held_out_crops_whose_paths_hold_spaces_are_copied_into_the_split(tmp_path, funsd_crops, capsys):
    """A PaddleOCR label file or tesstrain folder naming its images with spaces stopped ``train rec`` before step 1:
    the held-out list (split on the first space) cannot name them. They are copied into the split's images/, read
    back by ``eval rec``, and carved alike by the command run again; under an --out with a space, the copies are
    listed by their path in the split."""
    crops = [(img, f"w{i}") for i, (_, img, _) in enumerate(funsd_crops[:20])]  # labels tell the crops apart
    paddle, tess = tmp_path / "pad", tmp_path / "tess"
    (paddle / "my imgs").mkdir(parents=True)
    tess.mkdir()
    for i, (img, text) in enumerate(crops):
        cv2.imwrite(str(paddle / "my imgs" / f"crop {i}.png"), img)
        cv2.imwrite(str(tess / f"line {i}.png"), img)
        (tess / f"line {i}.gt.txt").write_text(text + "\n", encoding="utf-8")
    label_file = paddle / "label.txt"
    label_file.write_text("".join(f"my imgs/crop {i}.png\t{t}\n" for i, (_, t) in enumerate(crops)), "utf-8")
    by_label = dict((text, img) for img, text in crops)
    for data, out, absolute in ((label_file, tmp_path / "run", True), (tess, tmp_path / "my run", False)):
        args = ["train", "rec", "--data", str(data), "--out", str(out), "--split-only", "--threads", "1"]
        assert main(args) == 0
        val = out / "val" / data.name
        listed = (val / "gt_list.txt").read_text("utf-8")
        held = read_gt_list(val / "gt_list.txt")
        assert len(held) == 2 and all(" " not in name for name, _ in held)
        for i, (name, text) in enumerate(held):
            assert name == (str(val / "images" / f"{i:06d}.png") if absolute else f"images/{i:06d}.png")
            assert np.array_equal(cv2.imread(str(val / name), cv2.IMREAD_GRAYSCALE), by_label[text])
        assert main(args) == 0 and (val / "gt_list.txt").read_text("utf-8") == listed  # the same split again
        capsys.readouterr()
        assert main(["eval", "rec", "--data", str(val), "--json", "--threads", "1"]) == 0
        assert json.loads(capsys.readouterr().out)["crops"] == 2


def test_transparent_crops_are_read_as_recognize_reads_them(tmp_path, funsd_crops):
    """A crop drawn in its alpha channel (a cut-out: black or white pixels, the print in the alpha) was read as a
    flat rectangle for training and ``eval rec`` while ``ocdr recognize`` composited it: files and LMDB records are
    now decoded to the pixels inference sees, those of ``ocdr.io.images`` (dark print over white, light over
    black), and colour crops to inference's gray."""
    crops = [img for _, img, _ in funsd_crops[:3]]
    drawn = []
    for img, light in zip(crops, (False, True, False), strict=True):
        rgba = np.full((*img.shape, 4), 255 if light else 0, np.uint8)
        rgba[..., 3] = 255 - img  # opaque where the crop is dark
        drawn.append(rgba)
    drawn.append(cv2.cvtColor(crops[0], cv2.COLOR_GRAY2BGR) // np.array([1, 2, 3], np.uint8))  # a colour crop
    pngs = [cv2.imencode(".png", img)[1].tobytes() for img in drawn]
    seed, db = tmp_path / "seed", tmp_path / "lmdb"
    (seed / "images").mkdir(parents=True)
    db.mkdir()
    env = lmdb.open(str(db), map_size=1 << 24)
    with env.begin(write=True) as txn:
        for i, png in enumerate(pngs, 1):
            (seed / "images" / f"{i}.png").write_bytes(png)
            txn.put(b"image-%09d" % i, png)
            txn.put(b"label-%09d" % i, b"word")
        txn.put(b"num-samples", str(len(pngs)).encode())
    env.close()
    write_gt_list(seed / "gt_list.txt", [(f"images/{i}.png", "word") for i in range(1, len(pngs) + 1)])
    for source in (seed, db):
        read = [img for _, img, _ in read_crop_dataset(source)]
        for img, png in zip(read, pngs, strict=True):
            assert np.array_equal(img, to_gray(decode_image_bytes(png, "crop", 1 << 24)[0][0]))
        # over white, alpha 255 - g gives the crop back; white print over black gives its negative
        assert np.array_equal(read[0], crops[0]) and np.array_equal(read[1], 255 - crops[1])


def test_tesstrain_line_images_are_found_by_tesstrains_own_names(tmp_path, funsd_crops):
    """tesstrain pairs ``<name>.gt.txt`` with ``<name>.png``, ``.bin.png``, ``.nrm.png``, ``.raw.png`` or ``.tif``
    (in that order); only ``<name>.png`` and the like were found, and only in lower case."""
    names = ["a.bin.png", "b.nrm.png", "c.raw.png", "d.tif", "e.PNG", "f.Bin.Png", "g.png", "g.bin.png"]
    crops = [img for _, img, _ in funsd_crops[: len(names)]]
    for name, img in zip(names, crops, strict=True):
        cv2.imwrite(str(tmp_path / name), img)
        stem = name.split(".")[0]
        (tmp_path / f"{stem}.gt.txt").write_text(f"line {stem}\n", encoding="utf-8")
    items = list(read_crop_dataset(tmp_path))
    # g.png is taken before g.bin.png, as tesstrain's Makefile takes it
    assert [(Path(path).name, text) for path, _, text in items] == [(n, f"line {n.split('.')[0]}") for n in names[:-1]]
    for (_, img, _), ref in zip(items, crops[:-1], strict=True):
        assert np.array_equal(img, ref)


def test_line_classifier_trains_on_every_crop_layout(tmp_path, funsd_crops, capsys):
    crops = [(img, text) for _, img, text in funsd_crops[:20]]
    layouts = _write_layouts(tmp_path / "sets", crops)
    for kind in ("paddle", "lmdb", "tesstrain"):
        out = tmp_path / kind
        args = ["train", "cls", "--task", "line", "--data", str(layouts[kind]), "--out", str(out)]
        args += ["--synth", "0", "--steps", "2", "--eval-every", "2", "--batch-size", "8", "--threads", "1"]
        assert main(args) == 0
        val = out / "val" / Path(layouts[kind]).name
        held = read_gt_list(val / "gt_list.txt")
        assert len(held) == 2 and all(Path(name).is_file() for name, _ in held), kind
        if kind == "lmdb":  # records are no files: their windows are written beside the list, to be read back
            assert all(Path(name).parent == val / "images" for name, _ in held)
        capsys.readouterr()
        assert main(["eval", "cls", "--data", str(val), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["images"] == 2


def test_an_init_the_run_did_not_start_from_is_refused_on_resume(tmp_path, funsd_crops, capsys):
    """``train cls --init`` into an --out that holds a run resumed that run and dropped --init without a word (as
    ``train rec`` and ``train det`` did); the command run again (its own --init, or none) resumes."""
    layouts = _write_layouts(tmp_path / "sets", [(img, text) for _, img, text in funsd_crops[:10]])
    out = tmp_path / "run"
    args = ["train", "cls", "--task", "line", "--data", str(layouts["paddle"]), "--out", str(out), "--synth", "0"]
    args += ["--eval-every", "1", "--batch-size", "4", "--threads", "1"]
    assert main([*args, "--steps", "1"]) == 0
    capsys.readouterr()
    assert main([*args, "--steps", "2", "--init", "shipped"]) == 2
    said = capsys.readouterr().err
    assert f"--init shipped: {out} already holds a run (from scratch)" in said and "give a new --out" in said
    assert load_checkpoint(out / "last.pt")["step"] == 1
    assert main([*args, "--steps", "2"]) == 0 and load_checkpoint(out / "last.pt")["step"] == 2


def test_bad_data_is_reported_not_raised(tmp_path, capsys):
    missing = str(tmp_path / "nope")
    pages = tmp_path / "pages"  # a page set with a label line of three numbers
    (pages / "images").mkdir(parents=True)
    (pages / "gts").mkdir()
    cv2.imwrite(str(pages / "images" / "1.png"), np.full((64, 64), 255, np.uint8))
    (pages / "gts" / "gt_1.txt").write_text("1,2,3,4,5,6,7,8,ok\n1,2,3\n", encoding="utf-8")
    crops = tmp_path / "crops"  # a crop set whose one crop is no image
    (crops / "images").mkdir(parents=True)
    (crops / "images" / "a.png").write_text("not a png")
    write_gt_list(crops / "gt_list.txt", [("images/a.png", "word")])
    (tmp_path / "notes.pt").write_text("not a checkpoint")
    lmdb_set = tmp_path / "lmdb"  # a damaged database
    lmdb_set.mkdir()
    (lmdb_set / "data.mdb").write_bytes(bytes(range(256)) * 64)
    latin = tmp_path / "latin"  # a list saved in Latin-1
    latin.mkdir()
    (latin / "gt_list.txt").write_bytes("a.png café\n".encode("latin-1"))
    for args, said in (
        (["eval", "rec", "--data", str(crops)], f"1 crop image(s) missing or unreadable, e.g. {crops}/images/a.png"),
        (["eval", "rec", "--data", str(lmdb_set)], f"{lmdb_set}: not a readable LMDB crop set"),
        (["eval", "rec", "--data", str(lmdb_set / "data.mdb")], "data.mdb: not a UTF-8 text label file"),
        (["train", "rec", "--data", str(latin), "--out", str(tmp_path / "r4")], "gt_list.txt: not a UTF-8 text"),
        (["eval", "rec", "--data", missing], f"{missing}: not a crop dataset"),
        (["eval", "det", "--data", missing], f"{missing}: not a detection dataset"),
        (["eval", "cls", "--cls-task", "page", "--data", missing], f"{missing}/images: no such file"),
        (["train", "cls", "--task", "line", "--data", missing, "--out", str(tmp_path / "r1")], missing),
        (["export", missing + ".pt", "-o", str(tmp_path / "m.onnx")], f"{missing}.pt: no such file"),
        (["eval", "det", "--data", str(pages)], f"{pages}/gts/gt_1.txt:2: not an ICDAR line"),
        (["train", "det", "--data", str(pages), "--out", str(tmp_path / "r2")], "gt_1.txt:2: not an ICDAR line"),
        (["train", "rec", "--data", str(crops), "--out", str(tmp_path / "r3")], "no training or validation samples"),
        (["export", str(tmp_path / "notes.pt"), "-o", str(tmp_path / "m.onnx")], "not an ocdr training checkpoint"),
    ):
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert f"ocdr {args[0]}: error: " in err and said in err and "Traceback" not in err, err


def test_training_numbers_under_one_are_refused(tmp_path, capsys):
    """``--batch-size -1`` had a run spin on empty epochs for ever, ``--eval-every 0`` divide by zero."""
    for flag in ("--batch-size", "--eval-every", "--steps", "--threads"):
        with pytest.raises(SystemExit) as stopped:
            main(["train", "rec", "--data", str(tmp_path), "--out", str(tmp_path / "run"), flag, "-1"])
        assert stopped.value.code == 2 and "want a whole number of 1 or more" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()
    from ocdr.training.train_rec import RecTrainConfig

    with pytest.raises(ValueError, match="batch_size"):
        RecTrainConfig(data=[], out=str(tmp_path / "run"), batch_size=0)


def test_an_arch_other_than_the_starting_models_is_refused(tmp_path, crop_folders, capsys):
    """With --init (or on resume), --arch named another network and was dropped without a word."""
    real, _ = crop_folders
    args = ["train", "rec", "--data", str(real), "--init", "shipped", "--arch", "crnn_resnet", "--steps", "1"]
    assert main([*args, "--out", str(tmp_path / "run")]) == 2
    assert "--arch crnn_resnet: the run starts from a crnn_lite model" in capsys.readouterr().err


def test_crops_left_out_of_training_are_said_by_why(tmp_path, funsd_crops):
    """A set of characters the charset lacks (a user's own list not given as ``--charset``) was dropped as "20
    skipped: empty, unreadable or outside the charset": the log names the characters and the unreadable files."""
    (tmp_path / "images").mkdir()
    image = funsd_crops[0][1]
    pairs = [("images/ok.png", "word"), ("images/ae.png", "Æble"), ("images/no.png", "№5"), ("images/gone.png", "x")]
    for name, _ in pairs[:3]:
        cv2.imwrite(str(tmp_path / name), image)
    write_gt_list(tmp_path / "gt_list.txt", pairs + [("images/ok.png", "")])
    samples, skipped = load_rec_dataset(tmp_path, Charset(checkpoint_from_onnx("shipped", "rec")["charset"]))
    assert [s.text for s in samples] == ["word"] and len(skipped) == 4
    assert str(skipped) == (
        f"1 unreadable, e.g. {tmp_path}/images/gone.png; 1 with no text; "
        "2 with characters outside the charset: 'Æ' '№' (--charset adds them)"
    )


def test_augment_crop_varies_geometry_and_keeps_the_height(funsd_crops):
    img = resize_crop(funsd_crops[0][1])
    outs = [augment_crop(img, np.random.default_rng(seed)) for seed in range(12)]
    assert all(o.shape[0] == 32 and o.dtype == np.uint8 for o in outs)
    assert len({o.shape[1] for o in outs}) > 3  # stretch, margins and perspective change the width
    again = augment_crop(img, np.random.default_rng(5))
    assert np.array_equal(again, outs[5])  # deterministic for a seed
    assert np.array_equal(augment_crop(img, np.random.default_rng(0), strength=0.0), img)


def test_finetune_shipped_detector_on_real_and_synthetic_pages(tmp_path):
    real = tmp_path / "funsd"  # 10 real FUNSD pages, as an ICDAR folder
    (real / "images").mkdir(parents=True)
    (real / "gts").mkdir()
    for image, gt in icdar_pairs(SHARED_DATA / "detection" / "funsd_train")[:10]:
        (real / "images" / image.name).symlink_to(image)
        (real / "gts" / gt.name).symlink_to(gt)
    receipts = tmp_path / "sroie"  # 10 receipts annotated by line
    (receipts / "images").mkdir(parents=True)
    (receipts / "gts").mkdir()
    for image, gt in icdar_pairs(SHARED_DATA / "detection" / "sroie_train")[:10]:
        (receipts / "images" / image.name).symlink_to(image)
        (receipts / "gts" / gt.name).symlink_to(gt)
    synth, out = tmp_path / "pages", tmp_path / "run"
    assert main(["synth", "pages", "--out", str(synth), "--count", "3", "--dpi", "72", "--seed", "4"]) == 0
    args = ["train", "det", "--data", str(real), "--line-data", str(receipts), "--synth-data", str(synth)]
    args += ["--init", "shipped", "--out", str(out), "--steps", "2", "--eval-every", "2", "--crop-size", "128"]
    assert main([*args, "--batch-size", "2", "--lr", "1e-5", "--threads", "1"]) == 0
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert metrics[-1]["step"] == 2 and set(metrics[-1]["per_set"]) == {"funsd", "sroie", "pages"}
    # the shipped detector finds the text of a clean synthetic page, of a real form and of a receipt's words (the
    # receipt's lines cut into words) from the first step
    per_set = metrics[-1]["per_set"]
    assert per_set["pages"]["hmean"] > 0.5 and per_set["funsd"]["hmean"] > 0.3 and per_set["sroie"]["hmean"] > 0.3
    held = out / "val" / "funsd"  # one page of ten held out, written as an ICDAR folder for ocdr eval det
    assert len(icdar_pairs(held)) == 1
    assert main(["eval", "det", "--data", str(held)]) == 0
    ((_, gt),) = icdar_pairs(out / "val" / "sroie")  # written with the labels as annotated: whole lines
    assert any(" " in label.text for label in read_icdar_gt(gt))
    assert split_only_repeats(args, out, tmp_path / "split")
    # exported, the run keeps the shipped file's post-processing settings (without them it would find far less),
    # but for a setting given at export
    shipped = json.loads(OnnxModel(shipped_model_path("det"), threads=1).metadata["defaults"])
    assert main(["export", str(out / "last.pt"), "-o", str(tmp_path / "kept.onnx")]) == 0
    assert json.loads(OnnxModel(tmp_path / "kept.onnx", threads=1).metadata["defaults"]) == shipped
    args = ["export", str(out / "last.pt"), "-o", str(tmp_path / "new.onnx"), "--text-det-unclip-ratio", "1.6"]
    assert main(args) == 0
    new = json.loads(OnnxModel(tmp_path / "new.onnx", threads=1).metadata["defaults"])
    assert new == {**shipped, "text_det_unclip_ratio": 1.6} and shipped["text_det_unclip_ratio"] != 1.6
    # its validation during training used them too: the best checkpoint is the best at the settings it will carry
    state = load_checkpoint(out / "last.pt")
    assert state["det_params"] == shipped
    model = create_detector(state["arch"])
    model.load_state_dict(state["model"])
    ((image, gt),) = icdar_pairs(held)
    page = [DetItem(image, read_icdar_gt(gt))]
    assert evaluate_det(model, page, "cpu", det_params=shipped)["hmean"] > 0.3
    # a file's reading score (the scene detector's) is no detection setting: validation leaves it out
    scene = json.loads(OnnxModel(shipped_model_path("det_scene"), threads=1).metadata["defaults"])
    assert evaluate_det(model, page, "cpu", det_params=scene)["hmean"] > 0.3
    assert evaluate_det(model, page, "cpu", det_params={"text_det_box_thresh": 1.0})["hmean"] == 0.0


def test_line_labels_are_cut_into_words_at_the_gaps_of_the_print():
    from ocdr.io.labels import RegionLabel
    from ocdr.training.det_data import split_line_label

    page = np.full((60, 500), 255, np.uint8)
    words = [("A", 10), ("B", 40), ("CCCCCCCCCC", 200)]  # one space apart in the text, not in the print
    inks = []
    for text, x in words:
        alone = np.full_like(page, 255)
        cv2.putText(alone, text, (x, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
        cols = np.flatnonzero((alone < 128).any(0))
        inks.append((cols[0], cols[-1]))
        page = np.minimum(page, alone)
    line = RegionLabel(np.array([[5, 10], [480, 10], [480, 50], [5, 50]], np.float32), "A B CCCCCCCCCC")
    cut = split_line_label(line, page)
    assert [w.text for w in cut] == ["A", "B", "CCCCCCCCCC"]
    for word, (ink0, ink1) in zip(cut, inks, strict=True):
        assert word.polygon[:, 0].min() <= ink0 and word.polygon[:, 0].max() >= ink1, (word.text, word.polygon)
    spans = [(w.polygon[:, 0].min(), w.polygon[:, 0].max()) for w in cut]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # in order, not overlapping
    # without the page the cuts fall at the characters' positions: "B" (text position 2 of 14) is cut through
    blind = split_line_label(line)
    assert not (blind[1].polygon[:, 0].min() <= inks[1][0] and blind[1].polygon[:, 0].max() >= inks[1][1])
    assert split_line_label(RegionLabel(line.polygon, "###", ignore=True), page)[0].ignore


def test_synthetic_only_models_are_shipped_by_name(text_page):
    from ocdr import OCR
    from ocdr.runtime.registry import resolve_model

    for kind, name in (("det", "det_dbnet_resnet18_lite_synthetic.onnx"), ("rec", "rec_crnn_lite_synthetic.onnx")):
        path = resolve_model(kind, "synthetic")
        assert path.is_file() and path.name == name and path != resolve_model(kind, None)
    page = OCR(det_model="synthetic", rec_model="synthetic", threads=1)(text_page[0]).pages[0]
    assert [line.text for line in page.lines] == PAGE_LINES


def test_caseless_sets_do_not_teach_capitals():
    from ocdr.training.rec_data import RecSample, caseless_log_probs, is_caseless

    blank = np.zeros((32, 40), np.uint8)
    assert is_caseless([RecSample(blank, "TOTAL"), RecSample(blank, "RM 12.50")])  # SROIE / SVT style
    assert not is_caseless([RecSample(blank, "TOTAL"), RecSample(blank, "Invoice")])
    assert not is_caseless([RecSample(blank, "12.50")])  # no letters: nothing to say about case
    charset = Charset(checkpoint_from_onnx("shipped", "rec")["charset"])
    logits = torch.randn(6, 2, charset.num_classes)
    log_probs = logits.log_softmax(-1)
    out = caseless_log_probs(log_probs, [True, False], charset)
    torch.testing.assert_close(out[:, 1], log_probs[:, 1])  # the cased sample is untouched
    lo, up = charset.index["t"], charset.index["T"]
    torch.testing.assert_close(out[:, 0, up], torch.logaddexp(log_probs[:, 0, up], log_probs[:, 0, lo]))
    assert (out[:, 0, lo] < -1e3).all()
    torch.testing.assert_close(out[:, 0].exp().sum(-1), torch.ones(6))  # still a distribution
    # the CTC loss of "T" no longer depends on whether the model says "t" or "T"
    targets, lengths = torch.tensor([up]), torch.tensor([1])
    ctc = torch.nn.CTCLoss(blank=0)
    for cls in (lo, up):
        peaked = torch.full((6, 1, charset.num_classes), -20.0)
        peaked[:, 0, 0] = 0.0
        peaked[2, 0, 0], peaked[2, 0, cls] = -20.0, 0.0
        loss = ctc(caseless_log_probs(peaked.log_softmax(-1), [True], charset), targets, torch.tensor([6]), lengths)
        assert float(loss) < 1e-3


def test_each_folder_gets_its_share_of_the_crops():
    from ocdr.training.train_det import pool_shares

    # real_share split over the real folders, so a 1,000-page set does not drown a 150-page one
    assert pool_shares(["real", "real", "synth"], 0.7) == pytest.approx([0.35, 0.35, 0.3])
    assert pool_shares(["real", "real"], 0.7) == pytest.approx([0.5, 0.5])
    assert pool_shares(["synth"], 0.7) == [1.0]


def test_validation_reads_with_the_word_list_as_the_pipeline_does():
    """Checkpoints are picked by the readings the word list corrects (the pipeline's), the greedy ones beside: on
    40 scene words the list puts a few near misses right."""
    ck = checkpoint_from_onnx("shipped", "rec")
    charset = Charset(ck["charset"])
    model = create_recognizer(ck["arch"], charset.num_classes)
    model.load_state_dict(ck["model"])
    samples = load_rec_dataset(SHARED_DATA / "recognition" / "icdar2015_words_train", charset)[0][:40]
    listed = evaluate_rec(model, samples, charset, "cpu", lexicon=Lexicon.load(["en"]))
    greedy = evaluate_rec(model, samples, charset, "cpu")
    assert "lexicon_accuracy" not in greedy and greedy["word_accuracy"] == listed["word_accuracy"] > 0.6
    assert listed["lexicon_accuracy"] > listed["word_accuracy"]  # near misses put right
