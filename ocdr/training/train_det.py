"""``ocdr train det``: DBNet training on ICDAR-format pages, resumable, CPU or CUDA."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ocdr.evaluation.metrics import PRF, match_detections
from ocdr.io.labels import write_icdar_gt
from ocdr.models.detection.dbnet import create_detector, db_loss
from ocdr.models.detection.processing import MAX_GLYPH, MEAN, MIN_GLYPH, STD, DBPostProcessor, prepare_detection_input
from ocdr.training.det_data import DetItem, _read_gray, as_word_items, load_det_dataset, sample_crop
from ocdr.training.loop import (
    Precision,
    TrainConfig,
    TrainingRun,
    batch_stream,
    carve_validation,
    chosen_arch,
    resumed_state,
    split_names,
    start_run,
)
from ocdr.training.onnx_import import load_init, refit_batchnorm

DEFAULT_ARCH = "dbnet_resnet18_lite"  # what a run from scratch trains without --arch


@dataclass
class DetTrainConfig(TrainConfig):
    synth_data: list[str] | None = None  # synthetic page folders (``ocdr synth pages``), mixed in by real_share
    line_data: list[str] | None = None  # real sets annotated by text line (SROIE): lines cut into words
    real_share: float = 0.5  # of each batch's crops drawn from real pages when there is --synth-data too
    val_fraction: float = 0.1
    arch: str | None = None  # default: DEFAULT_ARCH
    batch_size: int = 4
    lr: float = 2e-3
    crop_size: int = 512
    val_pages: int = 10  # per folder, carved from --data or read from --val-data (0: none carved, --val-data whole)
    limit_side_len: int = 1600
    workers: int = 0  # processes that make the training crops (0: the training process)
    turn_prob: float = 0.0  # share of crops turned upside down
    max_angle: float = 3.0  # degrees either way that 30% of the crops are turned by


def write_held_out_pages(out: Path, name: str, items: list[DetItem]) -> Path:
    """Pages carved out of a data folder for validation as an ICDAR folder (``OUT/val/<name>``, ``split_names``:
    images linked, labels written), so that ``ocdr eval det --data`` measures exactly the held-out pages."""
    target = out / "val" / name
    shutil.rmtree(target, ignore_errors=True)
    (target / "images").mkdir(parents=True)
    (target / "gts").mkdir()
    for i, item in enumerate(items):
        name = f"{i:04d}_{item.image_path.name}"
        link = target / "images" / name
        try:
            link.symlink_to(item.image_path.resolve())
        except OSError:  # no symlinks here: copy
            shutil.copyfile(item.image_path, link)
        write_icdar_gt(target / "gts" / f"gt_{Path(name).stem}.txt", item.labels)
    return target


@torch.no_grad()
def evaluate_det(
    model: nn.Module,
    items: list[DetItem],
    device: str,
    limit_side_len: int = 1600,
    det_params: dict[str, float] | None = None,
) -> dict:
    """Precision / recall / hmean at IoU 0.5 (ICDAR 2015 protocol) with the inference post-processing, at the
    settings the export will store (``det_params``, the ``--init`` file's: ``text_det_box_thresh`` ...), so that the
    best checkpoint is the best at them."""
    model.eval()
    settings: dict[str, Any] = {
        key.removeprefix("text_det_"): value for key, value in (det_params or {}).items() if key.startswith("text_det_")
    }
    post = DBPostProcessor(**settings)  # by name: DBPostProcessor checks them
    total = PRF()
    for item in items:
        gray = _read_gray(item.image_path)
        rgb = np.repeat(gray[:, :, None], 3, axis=2)
        x, _ = prepare_detection_input(rgb, limit_side_len=limit_side_len, min_glyph=MIN_GLYPH, max_glyph=MAX_GLYPH)
        prob = model(torch.from_numpy(x).to(device))[0, 0].float().cpu().numpy()
        regions = post(prob, gray.shape[:2])
        total = total + match_detections([r.polygon for r in regions], item.labels)
    model.train()
    return {"precision": total.precision, "recall": total.recall, "hmean": total.hmean, "pages": len(items)}


def crop_batch(
    pools: list[list[DetItem]],
    shares: list[float],
    size: int,
    n: int,
    rng: np.random.Generator,
    turn_prob: float = 0.0,
    max_angle: float = 3.0,
) -> dict[str, np.ndarray]:
    """``n`` training crops, each from a page of a pool drawn with the pools' shares (``sample_crop``)."""
    picks = [pools[int(rng.choice(len(pools), p=shares))] for _ in range(n)]
    samples = [
        sample_crop(pool[int(rng.integers(len(pool)))], rng, size, max_angle=max_angle, turn_prob=turn_prob)
        for pool in picks
    ]
    return {k: np.stack([s[k] for s in samples]) for k in samples[0]}


def device_batch(batch: dict[str, torch.Tensor], device: str) -> dict[str, torch.Tensor]:
    """A batch of ``sample_crop``'s compact crops on ``device`` as the model and ``db_loss`` take it: the gray crops
    as the inference's (N, 3, H, W) input (ImageNet statistics, the formula of ``detection_input``) and the
    targets as float32. Done on the training device, after the hand-over: a worker's batch is a fifth of the
    bytes it was as floats, and a GPU normalizes it in no time."""
    moved = {key: value.to(device, non_blocking=True) for key, value in batch.items()}
    gray = moved.pop("image").unsqueeze(1).float()
    scale = torch.tensor([1 / (255 * s) for s in STD], device=device).view(1, 3, 1, 1)
    shift = torch.tensor([-m / s for m, s in zip(MEAN, STD, strict=True)], device=device).view(1, 3, 1, 1)
    return {"image": gray * scale + shift, **{key: value.float() for key, value in moved.items()}}


def pool_shares(kinds: list[str], real_share: float) -> list[float]:
    """Each folder's share of the crops: ``real_share`` split evenly over the real folders, the rest over the
    synthetic ones (so a 1,000-page set does not drown a 150-page one)."""
    n_real, n_synth = kinds.count("real"), kinds.count("synth")
    if not n_real or not n_synth:
        return [1 / len(kinds)] * len(kinds)
    return [real_share / n_real if k == "real" else (1 - real_share) / n_synth for k in kinds]


def train_det(cfg: DetTrainConfig, log=print) -> Path:
    """Train (or resume) and return the path of the best checkpoint.

    Validation is ``--val-data``, or pages carved from each ``--data`` and ``--synth-data`` folder and written to
    ``OUT/val/<folder>``; the best checkpoint has the highest mean hmean over those folders."""
    out, split_rng, rng = start_run(cfg)
    state = resumed_state(out, cfg.init)  # before the data: a refused --init stops at once
    pools: list[list[DetItem]] = []
    kinds: list[str] = []
    val: dict[str, list[DetItem]] = {}
    folders = (
        [("real", f) for f in cfg.data]
        + [("lines", f) for f in cfg.line_data or []]
        + [("synth", f) for f in cfg.synth_data or []]
    )
    names = split_names([folder for _, folder in folders])
    for (kind, folder), name in zip(folders, names, strict=True):
        items = load_det_dataset(folder, log)
        if not cfg.val_data:
            items, held = carve_validation(items, split_rng, cfg.val_fraction, cfg.val_pages, name, log)
            write_held_out_pages(out, name, held)  # the labels as annotated
            val[name] = as_word_items(held) if kind == "lines" else held
        pools.append(as_word_items(items) if kind == "lines" else items)
        kinds.append("synth" if kind == "synth" else "real")
    if cfg.split_only:
        return out / "val"
    for folder, name in zip(cfg.val_data or [], split_names(cfg.val_data or []), strict=True):
        val[name] = load_det_dataset(folder, log)[: cfg.val_pages or None]  # 0 (none carved): read it whole
    if not pools:
        raise ValueError("no training pages: give --data folders")
    if not any(val.values()):
        raise ValueError(
            "no validation pages: the run picks its best checkpoint on held-out pages, and none were held out"
            " (--val-pages 0, or 1-page folders): give --val-data, or folders of 2 pages or more"
        )
    shares = pool_shares(kinds, cfg.real_share)
    counts = ", ".join(f"{name} {len(p)}" for name, p in zip(names, pools, strict=True))
    log(f"train pages: {counts} / val {sum(map(len, val.values()))} pages")

    init = load_init(cfg.init, "det") if cfg.init and state is None else None
    arch = chosen_arch(cfg.arch, state or init, DEFAULT_ARCH)
    make_batch = partial(
        crop_batch, pools, shares, cfg.crop_size, cfg.batch_size, turn_prob=cfg.turn_prob, max_angle=cfg.max_angle
    )
    model = create_detector(arch).to(cfg.device)
    if init is not None:
        model.load_state_dict(init["model"])
        if init.get("bn_folded"):  # from ONNX: BatchNorm statistics measured on training crops
            calib = [
                device_batch({"image": torch.from_numpy(make_batch(rng)["image"])}, cfg.device)["image"]
                for _ in range(8)
            ]
            refit_batchnorm(model, calib)
        log(f"initialised from {cfg.init} ({arch})")
    meta = {"arch": arch, "config": cfg.__dict__}
    det_params = (state or init or {}).get("det_params")  # the init's post-processing settings, for the export
    if det_params:
        meta["det_params"] = det_params
    run = TrainingRun(
        model,
        cfg.lr,
        cfg.steps,
        warmup=min(300, cfg.steps // 10),
        floor=0.03,
        meta=meta,
        freeze_bn=cfg.freeze_bn,
    )
    if state is not None:
        run.restore(state)
        log(f"resumed from {out / 'last.pt'} at step {run.step} (best hmean {run.best:.4f})")
    batches = batch_stream(make_batch, cfg.seed + run.step, cfg.workers)
    precision = Precision.of(cfg.device, cfg.precision)
    scaler = precision.scaler()
    log(f"forward passes in {precision.name}")

    def validate(loss: float | None) -> None:
        """Score the model on the held-out pages; ``run`` keeps the best."""
        per_set = {
            name: evaluate_det(model, v, cfg.device, cfg.limit_side_len, det_params) for name, v in val.items() if v
        }
        metrics: dict = {k: float(np.mean([m[k] for m in per_set.values()])) for k in ("precision", "recall", "hmean")}
        metrics |= {"pages": sum(m["pages"] for m in per_set.values()), "per_set": per_set}
        run.evaluated(metrics["hmean"], out, loss, metrics)
        sets = ", ".join(f"{name} {m['hmean']:.3f}" for name, m in per_set.items())
        log(
            f"step {run.step} val P {metrics['precision']:.4f} R {metrics['recall']:.4f} H {metrics['hmean']:.4f} "
            f"(best {run.best:.4f}): {sets}"
        )

    if init is not None:
        validate(None)  # the model it starts from: best.pt is one that does better, or this one
    t0, logged, hist = time.time(), run.step, []
    model.train()
    while run.step < cfg.steps:
        batch = device_batch(next(batches), cfg.device)
        with precision.autocast():
            outputs = model(batch["image"])
        losses = db_loss({k: v.float() for k, v in outputs.items()}, batch)
        run.update(losses["loss"], scaler)
        step = run.step
        hist.append([float(v.detach()) for v in losses.values()])
        if step % 20 == 0 or step == cfg.steps:
            m = np.mean(hist[-20:], axis=0)
            log(
                f"step {step}/{cfg.steps} loss {m[0]:.4f} (prob {m[1]:.4f} thresh {m[2]:.4f} dice {m[3]:.4f}) "
                f"{(step - logged) / (time.time() - t0):.2f} it/s"
            )
            t0, logged = time.time(), step
        timed_out = run.out_of_time(cfg.time_limit_min)
        if step % cfg.eval_every == 0 or step == cfg.steps or timed_out:
            validate(float(np.mean([h[0] for h in hist[-20:]])))
        if timed_out:
            log(f"time limit of {cfg.time_limit_min} min reached at step {step}; resume by running again")
            break
    return out / "best.pt"
