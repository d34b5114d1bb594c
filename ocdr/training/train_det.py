"""``ocdr train det``: DBNet training on ICDAR-format pages, resumable, CPU or CUDA."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ocdr.evaluation.metrics import PRF, match_detections
from ocdr.models.detection.dbnet import create_detector, db_loss
from ocdr.models.detection.processing import DBPostProcessor, prepare_detection_input
from ocdr.training.checkpoint import load_checkpoint, save_checkpoint
from ocdr.training.det_data import DetItem, _read_gray, load_det_dataset, sample_crop


@dataclass
class DetTrainConfig:
    data: list[str]
    out: str
    val_data: list[str] | None = None
    val_fraction: float = 0.05
    arch: str = "dbnet_resnet18_lite"
    batch_size: int = 4
    lr: float = 2e-3
    steps: int = 10000
    eval_every: int = 500
    crop_size: int = 512
    time_limit_min: float | None = None
    device: str = "cpu"
    threads: int | None = None
    seed: int = 0
    init: str | None = None
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
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    items = [it for root in cfg.data for it in load_det_dataset(root)]
    if cfg.val_data:
        val = [it for root in cfg.val_data for it in load_det_dataset(root)]
    else:
        perm = rng.permutation(len(items))
        n_val = max(1, int(len(items) * cfg.val_fraction))
        val, items = [items[i] for i in perm[:n_val]], [items[i] for i in perm[n_val:]]
    val = val[: cfg.val_pages]
    log(f"train {len(items)} pages / val {len(val)} pages")

    last, best = out / "last.pt", out / "best.pt"
    state = load_checkpoint(last) if last.exists() else None
    arch = state["arch"] if state else cfg.arch
    model = create_detector(arch).to(cfg.device)
    if state is None and cfg.init:
        model.load_state_dict(load_checkpoint(Path(cfg.init))["model"])
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    warmup = min(300, cfg.steps // 10)

    def lr_at(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, cfg.steps - warmup)))) * 0.97 + 0.03

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    step, best_h = 0, -1.0
    if state is not None:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        step, best_h = state["step"], state["best_hmean"]
        rng = np.random.default_rng(cfg.seed + step)
        log(f"resumed from {last} at step {step} (best hmean {best_h:.4f})")
    use_amp = cfg.device.startswith("cuda")
    meta = {"arch": arch, "config": cfg.__dict__}

    def checkpoint(path: Path) -> None:
        save_checkpoint(
            path,
            model=model.state_dict(),
            optimizer=opt.state_dict(),
            scheduler=sched.state_dict(),
            step=step,
            best_hmean=best_h,
            **meta,
        )

    start, t0, hist = time.time(), time.time(), []
    model.train()
    while step < cfg.steps:
        batch = _batch(items, rng, cfg.crop_size, cfg.batch_size, cfg.device)
        with torch.autocast("cuda", enabled=use_amp):
            outputs = model(batch["image"])
        losses = db_loss({k: v.float() for k, v in outputs.items()}, batch)
        opt.zero_grad(set_to_none=True)
        losses["loss"].backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        sched.step()
        step += 1
        hist.append([float(v.detach()) for v in losses.values()])
        if step % 20 == 0:
            m = np.mean(hist[-20:], axis=0)
            log(
                f"step {step}/{cfg.steps} loss {m[0]:.4f} (prob {m[1]:.4f} thresh {m[2]:.4f} dice {m[3]:.4f}) "
                f"{20 / (time.time() - t0):.2f} it/s"
            )
            t0 = time.time()
        timed_out = cfg.time_limit_min is not None and time.time() - start > cfg.time_limit_min * 60
        if step % cfg.eval_every == 0 or step == cfg.steps or timed_out:
            metrics = evaluate_det(model, val, cfg.device, cfg.limit_side_len)
            if metrics["hmean"] > best_h:
                best_h = metrics["hmean"]
                checkpoint(best)
            checkpoint(last)
            log(
                f"step {step} val P {metrics['precision']:.4f} R {metrics['recall']:.4f} H {metrics['hmean']:.4f} "
                f"(best {best_h:.4f})"
            )
            with (out / "metrics.jsonl").open("a") as f:
                loss = float(np.mean([h[0] for h in hist[-20:]]))
                f.write(json.dumps({"step": step, "loss": loss, **metrics}) + "\n")
        if timed_out:
            log(f"time limit of {cfg.time_limit_min} min reached at step {step}; resume by running again")
            break
    return best
