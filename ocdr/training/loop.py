"""What every trainer shares: AdamW with a warm-up + cosine schedule, and checkpoints that resume exactly."""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from ocdr.io.labels import gt_list_name_ok, write_gt_list
from ocdr.training.checkpoint import load_checkpoint, save_checkpoint

MIN_HELD_OUT = 1  # items a folder of 2 or more holds out for validation, however small its ``fraction``


@dataclass
class TrainConfig:
    """Settings every trainer takes (``ocdr train rec|det`` flags)."""

    data: list[str]
    out: str
    val_data: list[str] | None = None
    steps: int = 10000
    eval_every: int = 500
    time_limit_min: float | None = None  # stop (resumably) after this many minutes
    device: str = "cpu"
    threads: int | None = None
    seed: int = 0
    # carve the held-out split with this seed instead of ``seed``: a later round (``--init`` the last round's best)
    # draws fresh batches under a new ``seed`` and is still measured on the pages and crops the first round held out
    # (``train cls``'s rendered ``--synth`` crops follow ``seed``, and so does their held-out share)
    split_seed: int | None = None
    init: str | None = None  # start from these weights (fine-tuning)
    split_only: bool = False  # write the held-out split (OUT/val) and stop: recreates a run's split without training
    freeze_bn: bool = False  # normalise by the running statistics in training too (``freeze_batchnorm``)
    precision: str = "auto"  # the forward pass's arithmetic: ``Precision.of``

    def __post_init__(self) -> None:
        # a batch size under 1 made every epoch empty and a run spin for ever (batch_size: in each trainer's config)
        for name in ("steps", "eval_every", "batch_size"):
            value = getattr(self, name, 1)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number of 1 or more, got {value!r}")


def chosen_arch(arch: str | None, source: dict | None, default: str) -> str:
    """The network a run trains: a resumed run's or an ``--init`` model's own, else ``arch``, else ``default``. An
    ``arch`` that names another network than the source's is an error: it was dropped without a word."""
    if source is None:
        return arch or default
    if arch and arch != source["arch"]:
        raise ValueError(
            f"--arch {arch}: the run starts from a {source['arch']} model (its --init, or the last.pt of its --out):"
            " leave out --arch, or train from scratch into a new --out"
        )
    return source["arch"]


def resumed_state(out: Path, init: str | None) -> dict | None:
    """The run ``out`` holds (its last.pt), to resume, or None. Resuming restores the run's own weights, so an
    ``--init`` other than the one it started from was dropped without a word: an error, as ``chosen_arch`` makes
    ``--arch``. Its own ``--init`` (the command run again, as a time limit asks) resumes."""
    last = out / "last.pt"
    if not last.exists():
        return None
    state = load_checkpoint(last)
    started = state.get("config", {}).get("init")
    if init and not (started and (init == started or Path(init).resolve() == Path(started).resolve())):
        began = f"--init {started}" if started else "from scratch"
        raise ValueError(
            f"--init {init}: {out} already holds a run ({began}), which would resume from its last.pt instead: give a"
            f" new --out to start from {init}, or leave out --init to resume the run"
        )
    return state


PRECISIONS = ("auto", "fp32", "mixed")  # ``ocdr train --precision``'s choices (the CLI lists them without torch)


def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX): elsewhere bfloat16 is emulated and
    slower than float32."""
    return any(
        getattr(torch.cpu, name, lambda: False)() for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    )


@dataclass(frozen=True)
class Precision:
    """The arithmetic of a run's forward passes: float32, or autocast to ``dtype`` (weights, optimizer and losses
    stay float32). Mixed precision is float16 with loss scaling on CUDA and bfloat16 on a CPU (float32's range,
    so no scaling): on a CPU with bfloat16 in hardware a training step takes about half the time of float32 (0.52x
    the detector's, 0.48x the recognizer's, 0.43x the classifier's: ``benchmarks/train_precision.py``, stop 81)."""

    device_type: str  # "cuda" or "cpu"
    dtype: torch.dtype | None  # None: float32

    @classmethod
    def of(cls, device: str, precision: str = "auto") -> Precision:
        """``precision``: ``fp32``; ``mixed``; ``auto``, mixed on CUDA and on CPUs with bfloat16 in hardware."""
        if precision not in PRECISIONS:
            raise ValueError(f"unknown precision {precision!r}; choose from {', '.join(PRECISIONS)}")
        kind = "cuda" if device.startswith("cuda") else "cpu"
        mixed = precision == "mixed" or (precision == "auto" and (kind == "cuda" or native_bf16()))
        return cls(kind, (torch.float16 if kind == "cuda" else torch.bfloat16) if mixed else None)

    @property
    def name(self) -> str:
        return {None: "fp32", torch.float16: "fp16", torch.bfloat16: "bf16"}[self.dtype]

    def autocast(self) -> torch.autocast:
        return torch.autocast(self.device_type, dtype=self.dtype, enabled=self.dtype is not None)

    def scaler(self) -> torch.amp.GradScaler:
        """Loss scaling, for float16 only; transparent otherwise."""
        return torch.amp.GradScaler(self.device_type, enabled=self.dtype == torch.float16)


def start_run(cfg: TrainConfig) -> tuple[Path, np.random.Generator, np.random.Generator]:
    """Create the run folder, set threads and seeds; returns the folder, the generator that carves the held-out
    split and the one that draws everything else. Without a ``split_seed`` of its own they are one generator, as
    they were before ``--split-seed``: a run's split and batches stay those its command always made."""
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    own = cfg.split_seed is not None and cfg.split_seed != cfg.seed
    return out, np.random.default_rng(cfg.split_seed) if own else rng, rng


def _running_statistics(module: nn.Module, _inputs: tuple) -> None:
    module.training = False  # this forward pass normalises by the running statistics and leaves them as they are


def freeze_batchnorm(model: nn.Module) -> None:
    """Make every BatchNorm normalise by its running statistics in training too, whatever mode the model is put
    in; scale and shift still learn. For fine-tuning: the statistics stay those of the data the model was trained
    on instead of drifting towards a few small batches of other crops, so learning rate 0 changes nothing and a
    small one moves the model only as far as it learns."""
    for layer in model.modules():
        if isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
            layer.register_forward_pre_hook(_running_statistics)


def carve_validation(
    items: list,
    rng: np.random.Generator,
    fraction: float,
    cap: int | None = None,
    name: str | None = None,
    log: Callable[[str], None] | None = None,
) -> tuple[list, list]:
    """A random (train, validation) split, the validation part ``fraction`` of the items (rounded down), at most
    ``cap`` (0: none held out). A folder too small for ``fraction`` to make one item still holds one out, so that it
    can be validated on, but never its last item: a 1-item folder held its only page out and left an empty training
    pool (``train det`` died on numpy's "high <= 0"). The permutation is drawn whatever is held out, so a later
    folder's split does not depend on this one's size. With ``log``, a folder that holds nothing out says so."""
    if cap is not None and cap < 0:
        raise ValueError(f"the held-out cap must be 0 or more, got {cap}")
    perm = rng.permutation(len(items))
    n_val = min(max(MIN_HELD_OUT, int(len(items) * fraction)), len(items) - 1)
    n_val = max(0, n_val if cap is None else min(cap, n_val))
    if log is not None and items and not n_val:
        why = "a cap of 0" if cap == 0 else f"{len(items)} item, too few to split"
        log(f"{name}: none held out for validation ({why}): all {len(items)} trained on")
    return [items[i] for i in perm[n_val:]], [items[i] for i in perm[:n_val]]


def split_names(folders: Sequence[str | Path]) -> list[str]:
    """Each data folder's name in a run (its held-out split ``OUT/val/<name>``, its validation figures): the
    folder's own name, or, where folders share it (``a/train`` and ``b/train``), as many of its parents' names as
    tell them apart, joined by ``_`` (``a_train``, ``b_train``); otherwise one would overwrite the other's split."""
    parts = [Path(os.path.abspath(folder)).parts[1:] for folder in folders]  # links not followed
    depth = [1] * len(parts)
    while True:
        names = ["_".join(p[-d:]) for p, d in zip(parts, depth, strict=True)]
        clash = [i for i, name in enumerate(names) if names.count(name) > 1 and depth[i] < len(parts[i])]
        if not clash:
            return names
        for i in clash:
            depth[i] += 1


def write_held_out(out: Path, name: str, items: Sequence[tuple[Path | None, np.ndarray | None, str]]) -> Path:
    """The samples carved out of a data folder for validation, as a ``gt_list.txt`` folder of absolute image paths
    and their labels (``OUT/val/<name>``, ``split_names``), so that ``ocdr eval ... --data`` measures exactly the
    held-out ones. Items are (file, image, label); a sample the list cannot name by its own path gets a file in the
    folder's ``images/`` (``_held_out_copy``)."""
    target = out / "val" / name
    target.mkdir(parents=True, exist_ok=True)
    pairs = []
    for i, (path, image, label) in enumerate(items):
        listed = str(Path(path).resolve()) if path is not None else ""
        pairs.append((listed if listed and gt_list_name_ok(listed) else _held_out_copy(target, i, path, image), label))
    write_gt_list(target / "gt_list.txt", pairs)
    return target


def _held_out_copy(target: Path, i: int, path: Path | None, image: np.ndarray | None) -> str:
    """Held-out sample ``i`` written to ``target/images`` under a name a gt_list can hold, and that name: a copy of
    its file where the file's path holds a space (PaddleOCR and tesstrain sets name files freely, the list splits on
    the first space), else its image as the trainer holds it (an LMDB record is no file). Named by the copy's
    absolute path, or, where that holds a space too (an --out with one), by its path in ``target``."""
    folder = target / "images"
    folder.mkdir(exist_ok=True)
    if path is not None:
        suffix = Path(path).suffix
        copy = folder / f"{i:06d}{suffix if gt_list_name_ok(suffix) else ''}"
        shutil.copyfile(path, copy)
    elif image is not None:
        copy = folder / f"{i:06d}.png"
        cv2.imwrite(str(copy), image)
    else:
        raise ValueError(f"held-out sample {i} of {target.name} has neither a file nor an image")
    listed = str(copy.resolve())
    return listed if gt_list_name_ok(listed) else copy.relative_to(target).as_posix()


def warmup_cosine(total_steps: int, warmup: int, floor: float) -> Callable[[int], float]:
    """LR factor: linear warm-up, then a cosine from 1 down to ``floor`` at ``total_steps``."""

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
        return 0.5 * (1 + math.cos(math.pi * progress)) * (1 - floor) + floor

    return factor


class TrainingRun:
    """Optimizer, schedule, step and best score of one run folder; saved and restored together."""

    def __init__(
        self,
        model: nn.Module,
        lr: float,
        total_steps: int,
        warmup: int,
        floor: float,
        meta: dict,
        freeze_bn: bool = False,
    ):
        if freeze_bn:
            freeze_batchnorm(model)
        self.model = model
        self.opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
        self.sched = torch.optim.lr_scheduler.LambdaLR(self.opt, warmup_cosine(total_steps, max(1, warmup), floor))
        self.meta = meta
        self.step, self.best = 0, -1.0
        self.started = time.time()

    def restore(self, state: dict) -> None:
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["optimizer"])
        self.sched.load_state_dict(state["scheduler"])
        self.step, self.best = state["step"], state["best"]

    def save(self, path: Path) -> None:
        save_checkpoint(
            path,
            model=self.model.state_dict(),
            optimizer=self.opt.state_dict(),
            scheduler=self.sched.state_dict(),
            step=self.step,
            best=self.best,
            **self.meta,
        )

    def update(self, loss: torch.Tensor, scaler: torch.amp.GradScaler, clip: float = 5.0) -> None:
        """One optimizer step with gradient clipping (``scaler`` scales the loss under float16 mixed precision
        and is transparent when disabled: ``Precision.scaler``)."""
        self.opt.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.unscale_(self.opt)
        nn.utils.clip_grad_norm_(self.model.parameters(), clip)
        scaler.step(self.opt)
        scaler.update()
        self.sched.step()
        self.step += 1

    def evaluated(self, score: float, out: Path, loss: float | None, metrics: dict) -> bool:
        """Record a validation score: appends the step's figures to metrics.jsonl, saves best.pt when the score
        improves, and last.pt always. ``loss``: None before the first step (a fine-tune's starting model)."""
        with (out / "metrics.jsonl").open("a") as f:
            f.write(json.dumps({"step": self.step, "loss": loss, **metrics}) + "\n")
        improved = score > self.best
        if improved:
            self.best = score
            self.save(out / "best.pt")
        self.save(out / "last.pt")
        return improved

    def out_of_time(self, limit_min: float | None) -> bool:
        return limit_min is not None and time.time() - self.started > limit_min * 60


class _BatchStream(IterableDataset):
    """Endless batches from ``make``; each worker process draws from its own generator."""

    def __init__(self, make: Callable[[np.random.Generator], dict[str, np.ndarray]], seed: int):
        self.make, self.seed = make, seed

    def __iter__(self) -> Iterator[dict[str, np.ndarray]]:
        info = get_worker_info()
        rng = np.random.default_rng([self.seed, info.id if info else 0])
        while True:
            yield self.make(rng)


def _one_cv2_thread(_: int) -> None:
    cv2.setNumThreads(1)  # the workers are the parallelism


def batch_stream(
    make: Callable[[np.random.Generator], dict[str, np.ndarray]], seed: int, workers: int = 0
) -> Iterator[dict[str, torch.Tensor]]:
    """Training batches made by ``make(rng)``, as tensors; with ``workers`` > 0 they are made in that many
    processes ahead of the step, so that a GPU does not wait on CPU-side cropping and augmentation."""
    loader = DataLoader(
        _BatchStream(make, seed),
        batch_size=None,
        num_workers=workers,
        worker_init_fn=_one_cv2_thread if workers else None,
        prefetch_factor=4 if workers else None,
        multiprocessing_context="spawn" if workers else None,  # a fork would inherit locked OpenMP/OpenCV pools
    )
    return iter(loader)
