"""``ocdr train rec``: CTC training of the recognizer on seed-format data, resumable, CPU or CUDA."""

from __future__ import annotations

import json
import math
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
from ocdr.training.checkpoint import load_checkpoint, save_checkpoint
from ocdr.training.rec_data import RecSample, collate, load_rec_dataset, width_batches


@dataclass
class RecTrainConfig:
    data: list[str]
    out: str
    val_data: list[str] | None = None
    val_fraction: float = 0.02
    arch: str = "crnn_lite"
    charset: str | None = None  # path to characters_list.txt; default: the built-in document charset
    batch_size: int = 64
    lr: float = 1e-3
    steps: int = 10000
    eval_every: int = 500
    time_limit_min: float | None = None
    device: str = "cpu"
    threads: int | None = None
    seed: int = 0
    init: str | None = None  # start from these weights (fine-tuning)


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
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    last, best = out / "last.pt", out / "best.pt"
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
        perm = rng.permutation(len(samples))
        n_val = min(2000, max(1, int(len(samples) * cfg.val_fraction)))
        val = [samples[i] for i in perm[:n_val]]
        samples = [samples[i] for i in perm[n_val:]]
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
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    warmup = min(500, cfg.steps // 10)

    def lr_at(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, cfg.steps - warmup)))) * 0.98 + 0.02

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    step, best_acc = 0, -1.0
    if state is not None:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        step, best_acc = state["step"], state["best_acc"]
        rng = np.random.default_rng(cfg.seed + step)
        log(f"resumed from {last} at step {step} (best word accuracy {best_acc:.4f})")

    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    use_amp = cfg.device.startswith("cuda")
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    meta = {"arch": arch, "charset": "".join(charset.chars), "config": cfg.__dict__}

    def checkpoint(path: Path) -> None:
        save_checkpoint(
            path,
            model=model.state_dict(),
            optimizer=opt.state_dict(),
            scheduler=sched.state_dict(),
            step=step,
            best_acc=best_acc,
            **meta,
        )

    start, t0, losses = time.time(), time.time(), []
    model.train()
    while step < cfg.steps:
        for idx in width_batches(samples, cfg.batch_size, rng):
            if step >= cfg.steps:
                break
            batch, widths, targets = collate([samples[i] for i in idx], charset)
            x = torch.from_numpy(batch).to(cfg.device)
            with torch.autocast("cuda", enabled=use_amp):
                logits = model.logits(x)
            log_probs = logits.float().log_softmax(-1).permute(1, 0, 2)  # (T, N, C)
            in_lens = torch.from_numpy(np.minimum(output_steps(widths), log_probs.shape[0]))
            tgt_lens = torch.tensor([len(t) for t in targets])
            loss = ctc(log_probs, torch.tensor([c for t in targets for c in t]), in_lens, tgt_lens)
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            scaler.step(opt)
            scaler.update()
            sched.step()
            step += 1
            losses.append(float(loss.detach()))
            if step % 50 == 0:
                rate = 50 / (time.time() - t0)
                log(
                    f"step {step}/{cfg.steps} loss {np.mean(losses[-50:]):.4f} lr {sched.get_last_lr()[0]:.2e} "
                    f"{rate:.2f} it/s"
                )
                t0 = time.time()
            timed_out = cfg.time_limit_min is not None and time.time() - start > cfg.time_limit_min * 60
            if step % cfg.eval_every == 0 or step == cfg.steps or timed_out:
                metrics = evaluate_rec(model, val, charset, cfg.device)
                if metrics["word_accuracy"] > best_acc:
                    best_acc = metrics["word_accuracy"]
                    checkpoint(best)
                checkpoint(last)
                log(f"step {step} val word accuracy {metrics['word_accuracy']:.4f} (best {best_acc:.4f})")
                with (out / "metrics.jsonl").open("a") as f:
                    f.write(json.dumps({"step": step, "loss": float(np.mean(losses[-50:])), **metrics}) + "\n")
            if timed_out:
                log(f"time limit of {cfg.time_limit_min} min reached at step {step}; resume by running again")
                return best
    return best
