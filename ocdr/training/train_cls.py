"""``ocdr train cls --task line``: the text-line orientation classifier (upright vs upside down), resumable.

Every crop is a training pair: as it is (class 0) and turned by 180 degrees (class 1). Crops come from seed-format
recognition folders (``gt_list.txt``; a validation split is carved from each, never trained on, and listed in
``OUT/val/<folder>`` for ``ocdr eval cls``) and from synthetic lines rendered at start-up (``synth`` of them, with
the recognizer's scan and photo degradations).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from ocdr.io.labels import read_gt_list
from ocdr.models.classification.orientation import create_classifier
from ocdr.models.classification.preprocess import ANGLES, CLS_HEIGHT, CLS_WIDTH, center_window, turn_180
from ocdr.models.recognition.preprocess import batch_crops, resize_crop
from ocdr.training.checkpoint import load_checkpoint
from ocdr.training.loop import TrainConfig, TrainingRun, carve_validation, start_run

TASKS = ("line",)


@dataclass
class ClsTrainConfig(TrainConfig):
    task: str = "line"
    arch: str = "line_orientation_lite"
    synth: int = 20000  # synthetic crops rendered at start-up
    real_share: float = 0.5  # of each batch drawn from the real crops (when there are both kinds)
    val_fraction: float = 0.1
    val_cap: int = 1000  # per folder
    batch_size: int = 128
    lr: float = 2e-3


def load_windows(root: str | Path, limit: int | None = None) -> list[tuple[Path, np.ndarray]]:
    """The crops of a ``gt_list.txt`` folder as ``(image path, classifier window)`` (gray, height CLS_HEIGHT)."""
    root = Path(root)
    windows = []
    for name, _ in read_gt_list(root / "gt_list.txt")[:limit]:
        path = root / name if (root / name).exists() else root / "images" / name
        img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if img is None or min(img.shape[:2]) < 2:
            continue
        windows.append((path.resolve(), center_window(resize_crop(img, CLS_HEIGHT))))
    return windows


def write_held_out(out: Path, folder: str | Path, held: list[tuple[Path, np.ndarray]]) -> Path:
    """The crops carved out of ``folder`` for validation, as a ``gt_list.txt`` folder of absolute image paths
    (``OUT/val/<folder name>``), so that ``ocdr eval cls --data`` measures exactly the held-out crops."""
    target = out / "val" / Path(folder).name
    target.mkdir(parents=True, exist_ok=True)
    (target / "gt_list.txt").write_text("".join(f"{path} -\n" for path, _ in held), encoding="utf-8")
    return target


def synthetic_windows(count: int, seed: int) -> list[np.ndarray]:
    from ocdr.training.synth.fonts import find_fonts
    from ocdr.training.synth.render import sample_crop
    from ocdr.training.synth.text import TextSampler

    rng = np.random.default_rng(seed)
    sampler, fonts = TextSampler(rng), find_fonts()
    crops = (sample_crop(sampler, fonts, rng, line_prob=0.5).image for _ in range(count))
    return [center_window(resize_crop(crop, CLS_HEIGHT)) for crop in crops]


def make_batch(windows: list[np.ndarray], turned: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    images = [turn_180(w) if t else w for w, t in zip(windows, turned, strict=True)]
    batch, _ = batch_crops(images, CLS_WIDTH)
    return torch.from_numpy(batch), torch.from_numpy(turned.astype(np.int64))


@torch.no_grad()
def evaluate_cls(model: nn.Module, windows: list[np.ndarray], device: str, batch_size: int = 256) -> dict:
    """Accuracy over every window both ways, and the confusion matrix (rows: true angle, columns: predicted)."""
    model.eval()
    confusion = np.zeros((len(ANGLES), len(ANGLES)), dtype=np.int64)
    for start in range(0, len(windows), batch_size):
        chunk = windows[start : start + batch_size]
        for turned in (False, True):
            x, y = make_batch(chunk, np.full(len(chunk), turned))
            predicted = model(x.to(device)).argmax(-1).cpu().numpy()
            np.add.at(confusion, (y.numpy(), predicted), 1)
    model.train()
    return {"accuracy": float(np.trace(confusion) / max(1, confusion.sum())), "confusion": confusion.tolist()}


def train_cls(cfg: ClsTrainConfig, log=print) -> Path:
    if cfg.task not in TASKS:
        raise ValueError(f"unknown classifier task {cfg.task!r}; choose from {TASKS}")
    out, rng = start_run(cfg)
    last = out / "last.pt"
    state = load_checkpoint(last) if last.exists() else None
    init = load_checkpoint(Path(cfg.init)) if cfg.init and state is None else None

    real: list[np.ndarray] = []
    synth: list[np.ndarray] = []
    val: list[np.ndarray] = []
    for folder in cfg.data:
        windows = load_windows(folder)
        if cfg.val_data:
            real += [w for _, w in windows]
        else:
            kept, held = carve_validation(windows, rng, cfg.val_fraction, cap=cfg.val_cap)
            real += [w for _, w in kept]
            val += [w for _, w in held]
            write_held_out(out, folder, held)
        log(f"loaded {len(windows)} crops from {folder}")
    for folder in cfg.val_data or []:
        val += [w for _, w in load_windows(folder)]
    if cfg.synth:
        rendered = synthetic_windows(cfg.synth, cfg.seed)
        synth, held = carve_validation(rendered, rng, 0.05, cap=1000)
        val += held
        log(f"rendered {len(rendered)} synthetic crops")
    if not (real or synth) or not val:
        raise ValueError("no training or validation crops: give --data folders and/or --synth N")
    log(f"train {len(real)} real + {len(synth)} synthetic / val {len(val)} crops, each used both ways up")
    n_real = round(cfg.batch_size * cfg.real_share) if real and synth else (cfg.batch_size if real else 0)

    arch = state["arch"] if state else (init["arch"] if init else cfg.arch)
    model = create_classifier(arch, len(ANGLES)).to(cfg.device)
    if init is not None:
        model.load_state_dict(init["model"])
    meta = {"arch": arch, "task": cfg.task, "angles": list(ANGLES), "config": cfg.__dict__}
    run = TrainingRun(model, cfg.lr, cfg.steps, warmup=min(300, cfg.steps // 10), floor=0.02, meta=meta)
    if state is not None:
        run.restore(state)
        rng = np.random.default_rng(cfg.seed + run.step)
        log(f"resumed from {last} at step {run.step} (best accuracy {run.best:.4f})")

    loss_fn = nn.CrossEntropyLoss()
    scaler = torch.amp.GradScaler("cuda", enabled=cfg.device.startswith("cuda"))
    t0, losses = time.time(), []
    model.train()
    while run.step < cfg.steps:
        batch = [real[i] for i in rng.integers(0, len(real), n_real)] if n_real else []
        batch += [synth[i] for i in rng.integers(0, len(synth), cfg.batch_size - n_real)] if synth else []
        x, y = make_batch(batch, rng.random(len(batch)) < 0.5)
        with torch.autocast("cuda", enabled=cfg.device.startswith("cuda")):
            logits = model.logits(x.to(cfg.device))
        loss = loss_fn(logits.float(), y.to(cfg.device))
        run.update(loss, scaler)
        losses.append(float(loss.detach()))
        step = run.step
        if step % 50 == 0:
            log(f"step {step}/{cfg.steps} loss {np.mean(losses[-50:]):.4f} {50 / (time.time() - t0):.2f} it/s")
            t0 = time.time()
        timed_out = run.out_of_time(cfg.time_limit_min)
        if step % cfg.eval_every == 0 or step == cfg.steps or timed_out:
            metrics = evaluate_cls(model, val, cfg.device)
            run.evaluated(metrics["accuracy"], out)
            log(f"step {step} val accuracy {metrics['accuracy']:.4f} (best {run.best:.4f})")
            with (out / "metrics.jsonl").open("a") as f:
                f.write(json.dumps({"step": step, "loss": float(np.mean(losses[-50:])), **metrics}) + "\n")
        if timed_out:
            log(f"time limit of {cfg.time_limit_min} min reached at step {step}; resume by running again")
            break
    return out / "best.pt"
