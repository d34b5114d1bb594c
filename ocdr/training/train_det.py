"""``ocdr train det``: DBNet training on ICDAR-format pages, resumable, CPU or CUDA."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ocdr.evaluation.metrics import PRF, match_detections
from ocdr.models.detection.dbnet import create_detector, db_loss
from ocdr.models.detection.processing import DBPostProcessor, prepare_detection_input
from ocdr.training.checkpoint import load_checkpoint
from ocdr.training.det_data import DetItem, _read_gray, load_det_dataset, sample_crop
from ocdr.training.loop import TrainConfig, TrainingRun, carve_validation, start_run


@dataclass
class DetTrainConfig(TrainConfig):
    val_fraction: float = 0.05
    arch: str = "dbnet_resnet18_lite"
    batch_size: int = 4
    lr: float = 2e-3
    crop_size: int = 512
    val_pages: int = 10
    limit_side_len: int = 1600


@torch.no_grad()
def evaluate_det(model: nn.Module, items: list[DetItem], device: str, limit_side_len: int = 1600) -> dict:
    """Precision / recall / hmean at IoU 0.5 (ICDAR 2015 protocol) with the inference post-processing."""
    model.eval()
    post = DBPostProcessor()
    total = PRF()
    for item in items:
        gray = _read_gray(item.image_path)
        rgb = np.repeat(gray[:, :, None], 3, axis=2)
        x, _ = prepare_detection_input(rgb, limit_side_len=limit_side_len)
        prob = model(torch.from_numpy(x).to(device))[0, 0].float().cpu().numpy()
        regions = post(prob, gray.shape[:2])
        total = total + match_detections([r.polygon for r in regions], item.labels)
    model.train()
    return {"precision": total.precision, "recall": total.recall, "hmean": total.hmean, "pages": len(items)}


def _batch(items: list[DetItem], rng: np.random.Generator, size: int, n: int, device: str) -> dict[str, torch.Tensor]:
    samples = [sample_crop(items[int(rng.integers(len(items)))], rng, size) for _ in range(n)]
    return {k: torch.from_numpy(np.stack([s[k] for s in samples])).to(device) for k in samples[0]}


def train_det(cfg: DetTrainConfig, log=print) -> Path:
    out, rng = start_run(cfg)
    items = [it for root in cfg.data for it in load_det_dataset(root)]
    if cfg.val_data:
        val = [it for root in cfg.val_data for it in load_det_dataset(root)]
    else:
        items, val = carve_validation(items, rng, cfg.val_fraction)
    val = val[: cfg.val_pages]
    log(f"train {len(items)} pages / val {len(val)} pages")

    last = out / "last.pt"
    state = load_checkpoint(last) if last.exists() else None
    arch = state["arch"] if state else cfg.arch
    model = create_detector(arch).to(cfg.device)
    if state is None and cfg.init:
        model.load_state_dict(load_checkpoint(Path(cfg.init))["model"])
    run = TrainingRun(
        model,
        cfg.lr,
        cfg.steps,
        warmup=min(300, cfg.steps // 10),
        floor=0.03,
        meta={"arch": arch, "config": cfg.__dict__},
    )
    if state is not None:
        run.restore(state)
        rng = np.random.default_rng(cfg.seed + run.step)
        log(f"resumed from {last} at step {run.step} (best hmean {run.best:.4f})")
    use_amp = cfg.device.startswith("cuda")
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    t0, hist = time.time(), []
    model.train()
    while run.step < cfg.steps:
        batch = _batch(items, rng, cfg.crop_size, cfg.batch_size, cfg.device)
        with torch.autocast("cuda", enabled=use_amp):
            outputs = model(batch["image"])
        losses = db_loss({k: v.float() for k, v in outputs.items()}, batch)
        run.update(losses["loss"], scaler)
        step = run.step
        hist.append([float(v.detach()) for v in losses.values()])
        if step % 20 == 0:
            m = np.mean(hist[-20:], axis=0)
            log(
                f"step {step}/{cfg.steps} loss {m[0]:.4f} (prob {m[1]:.4f} thresh {m[2]:.4f} dice {m[3]:.4f}) "
                f"{20 / (time.time() - t0):.2f} it/s"
            )
            t0 = time.time()
        timed_out = run.out_of_time(cfg.time_limit_min)
        if step % cfg.eval_every == 0 or step == cfg.steps or timed_out:
            metrics = evaluate_det(model, val, cfg.device, cfg.limit_side_len)
            run.evaluated(metrics["hmean"], out, float(np.mean([h[0] for h in hist[-20:]])), metrics)
            log(
                f"step {step} val P {metrics['precision']:.4f} R {metrics['recall']:.4f} H {metrics['hmean']:.4f} "
                f"(best {run.best:.4f})"
            )
        if timed_out:
            log(f"time limit of {cfg.time_limit_min} min reached at step {step}; resume by running again")
            break
    return out / "best.pt"
