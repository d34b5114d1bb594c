"""``ocdr train rec``: CTC training of the recognizer on seed-format data, resumable, CPU or CUDA."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ocdr.io.labels import read_characters_list
from ocdr.models.recognition.charset import DEFAULT_CHARSET, Charset
from ocdr.models.recognition.crnn import create_recognizer
from ocdr.models.recognition.ctc import ctc_greedy_decode
from ocdr.models.recognition.preprocess import output_steps
from ocdr.training.checkpoint import load_checkpoint
from ocdr.training.loop import TrainConfig, TrainingRun, carve_validation, start_run
from ocdr.training.rec_data import RecSample, collate, load_rec_dataset, width_batches


@dataclass
class RecTrainConfig(TrainConfig):
    val_fraction: float = 0.02
    arch: str = "crnn_lite"
    charset: str | None = None  # path to characters_list.txt; default: the built-in document charset
    batch_size: int = 64
    lr: float = 1e-3


def _load_all(paths: list[str], charset: Charset, log) -> list[RecSample]:
    samples: list[RecSample] = []
    for p in paths:
        s, skipped = load_rec_dataset(p, charset)
        log(f"loaded {len(s)} crops from {p} ({skipped} skipped: empty, unreadable or outside the charset)")
        samples.extend(s)
    return samples


@torch.no_grad()
def evaluate_rec(
    model: nn.Module, samples: list[RecSample], charset: Charset, device: str, batch_size: int = 128
) -> dict:
    model.eval()
    correct, total = 0, 0
    for idx in width_batches(samples, batch_size, None):
        batch, widths, _ = collate([samples[i] for i in idx], charset)
        probs = model(torch.from_numpy(batch).to(device)).float().cpu().numpy()
        for i, res in zip(idx, ctc_greedy_decode(probs, charset.chars, output_steps(widths)), strict=True):
            correct += res.text == samples[i].text
            total += 1
    model.train()
    return {"word_accuracy": correct / max(1, total), "count": total}


def train_rec(cfg: RecTrainConfig, log=print) -> Path:
    """Train (or resume) and return the path of the best checkpoint."""
    out, rng = start_run(cfg)
    last = out / "last.pt"
    state = load_checkpoint(last) if last.exists() else None
    init = load_checkpoint(Path(cfg.init)) if cfg.init and state is None else None

    if state is not None:
        charset = Charset(state["charset"])
    elif init is not None:
        # fine-tuning: keep the shipped characters in order and append new ones from the user's charset
        chars = list(init["charset"])
        if cfg.charset:
            chars += [c for c in read_characters_list(cfg.charset) if c not in chars]
        charset = Charset(chars)
    else:
        charset = Charset(read_characters_list(cfg.charset) if cfg.charset else DEFAULT_CHARSET)

    samples = _load_all(cfg.data, charset, log)
    if cfg.val_data:
        val = _load_all(cfg.val_data, charset, log)
    else:
        samples, val = carve_validation(samples, rng, cfg.val_fraction, cap=2000)
    if not samples:
        raise ValueError("no training samples")
    log(f"train {len(samples)} / val {len(val)} crops, {len(charset)} characters")

    arch = state["arch"] if state else (init["arch"] if init else cfg.arch)
    model = create_recognizer(arch, charset.num_classes).to(cfg.device)
    if init is not None:
        weights = init["model"]
        head_w, head_b = weights["head.weight"], weights["head.bias"]
        if head_w.shape[0] != charset.num_classes:  # grow the head for new characters
            new_w, new_b = model.head.weight.data.clone(), model.head.bias.data.clone()
            new_w[: head_w.shape[0]] = head_w
            new_b[: head_b.shape[0]] = head_b
            weights = {**weights, "head.weight": new_w, "head.bias": new_b}
        model.load_state_dict(weights)
    meta = {"arch": arch, "charset": "".join(charset.chars), "config": cfg.__dict__}
    run = TrainingRun(model, cfg.lr, cfg.steps, warmup=min(500, cfg.steps // 10), floor=0.02, meta=meta)
    if state is not None:
        run.restore(state)
        rng = np.random.default_rng(cfg.seed + run.step)
        log(f"resumed from {out / 'last.pt'} at step {run.step} (best word accuracy {run.best:.4f})")

    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    use_amp = cfg.device.startswith("cuda")
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    t0, losses = time.time(), []
    model.train()
    while run.step < cfg.steps:
        for idx in width_batches(samples, cfg.batch_size, rng):
            if run.step >= cfg.steps:
                break
            batch, widths, targets = collate([samples[i] for i in idx], charset)
            x = torch.from_numpy(batch).to(cfg.device)
            with torch.autocast("cuda", enabled=use_amp):
                logits = model.logits(x)
            log_probs = logits.float().log_softmax(-1).permute(1, 0, 2)  # (T, N, C)
            in_lens = torch.from_numpy(np.minimum(output_steps(widths), log_probs.shape[0]))
            tgt_lens = torch.tensor([len(t) for t in targets])
            loss = ctc(log_probs, torch.tensor([c for t in targets for c in t]), in_lens, tgt_lens)
            run.update(loss, scaler)
            losses.append(float(loss.detach()))
            step = run.step
            if step % 50 == 0:
                rate = 50 / (time.time() - t0)
                lr = run.sched.get_last_lr()[0]
                log(f"step {step}/{cfg.steps} loss {np.mean(losses[-50:]):.4f} lr {lr:.2e} {rate:.2f} it/s")
                t0 = time.time()
            timed_out = run.out_of_time(cfg.time_limit_min)
            if step % cfg.eval_every == 0 or step == cfg.steps or timed_out:
                metrics = evaluate_rec(model, val, charset, cfg.device)
                run.evaluated(metrics["word_accuracy"], out, float(np.mean(losses[-50:])), metrics)
                log(f"step {step} val word accuracy {metrics['word_accuracy']:.4f} (best {run.best:.4f})")
            if timed_out:
                log(f"time limit of {cfg.time_limit_min} min reached at step {step}; resume by running again")
                return out / "best.pt"
    return out / "best.pt"
