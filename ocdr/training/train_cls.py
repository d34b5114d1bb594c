"""``ocdr train cls``: the orientation classifiers, resumable.

* ``--task line``: text lines upright vs upside down. Every crop is a training pair: as it is (class 0) and turned
  by 180 degrees (class 1). Crops come from recognition crop sets in any layout ``ocdr train rec`` reads (the seed's
  ``gt_list.txt``, PaddleOCR label files, LMDB, tesstrain folders) and from synthetic
  lines (``--synth-data`` folders of ``ocdr synth lines``, or ``synth`` of them rendered at start-up, with the
  recognizer's scan and photo degradations); ``augment`` varies each training crop as the recognizer's trainer does.
* ``--task page``: pages turned by 0, 90, 180 or 270 degrees. Pages come from ICDAR-format folders (``images/``)
  and from synthetic pages rendered at start-up; each training sample is one square of a page (a place with glyphs,
  scale-jittered, degraded) turned one of the four ways; validation classifies whole pages by the patch vote the
  pipeline uses.

* ``--task scene``: whole photos turned by 0, 90, 180 or 270 degrees, for the street photos whose text is too
  sparse for the page squares. Photos come from ICDAR-format or ``gt_list.txt`` folders (no synthetic ones); each
  sample is the photo's centre square in colour, a jittered crop of it, maybe mirrored, its brightness and
  contrast varied, turned one of the four ways; validation classifies each held-out photo turned all four ways.

A validation split is carved from each ``--data`` folder, never trained on, and listed in ``OUT/val/<folder>``
(``gt_list.txt`` of absolute paths) for ``ocdr eval cls``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import cv2
import numpy as np
import torch
from torch import nn

from ocdr.io.crop_datasets import read_crop_dataset
from ocdr.io.labels import page_images
from ocdr.io.page_datasets import report_left_out
from ocdr.models.classification.orientation import create_classifier
from ocdr.models.classification.postprocess import log_odds, settle
from ocdr.models.classification.preprocess import (
    ANGLES,
    CLS_HEIGHT,
    CLS_WIDTH,
    PAGE_ANGLES,
    PAGE_PATCH,
    PAGE_PATCHES,
    SCENE_SIDE,
    SCENE_STORED,
    center_window,
    ink_tiles,
    normalize_patches,
    normalize_scenes,
    page_gray,
    scene_batch,
    scene_square,
    scene_votes,
    square,
    turn_180,
    vote,
)
from ocdr.models.recognition.preprocess import batch_crops, resize_crop
from ocdr.training.loop import (
    Precision,
    TrainConfig,
    TrainingRun,
    carve_validation,
    chosen_arch,
    resumed_state,
    split_names,
    start_run,
    write_held_out,
)
from ocdr.training.onnx_import import load_init, refit_batchnorm
from ocdr.training.rec_augment import augment_crop

TASKS = ("line", "page", "scene")
DEFAULT_ARCH = {"line": "line_orientation_lite", "page": "page_orientation_lite", "scene": "scene_orientation_lite"}
MIN_CROP_SIDE = 2  # line task: crops thinner than this are no text line
MIN_PAGE_SIDE = PAGE_PATCH // 4  # page task: pages smaller than this hold no square worth classifying
# --synth's default by task: 20,000 line crops render in minutes, while 20,000 pages took 75-110 min and 57 GB
# before step 1; 200 pages start in about a minute on one core (the model card's recipe gives --synth 400)
DEFAULT_SYNTH = {"line": 20000, "page": 200, "scene": 0}
RENDER_REPORT_S = 10.0  # seconds between progress lines while synthetic items render
T = TypeVar("T")
SCALE_JITTER = float(np.log(1.6))  # page squares zoomed up to 1.6x either way: glyph-size estimates spread so


@dataclass
class ClsTrainConfig(TrainConfig):
    task: str = "line"
    arch: str | None = None  # default: DEFAULT_ARCH[task]
    synth: int | None = None  # synthetic crops (line) or pages (page) rendered at start-up; None: DEFAULT_SYNTH
    synth_data: list[str] | None = None  # synthetic folders (ocdr synth lines / pages), instead of or beside synth
    augment: float = 0.0  # line task: strength of the recognizer's crop augmentation on every training crop
    real_share: float = 0.5  # of each batch drawn from the real crops (when there are both kinds)
    val_fraction: float = 0.1
    val_cap: int = 1000  # per folder
    batch_size: int = 128
    lr: float = 2e-3


# ---------------------------------------------------------------------------------------------------- lines
class LineTask:
    """Text-line crops, as the classifier's centre windows; two classes (as is, turned by 180 degrees)."""

    angles = ANGLES

    def __init__(self, augment: float = 0.0):
        self.augment = augment

    def load(self, root: str | Path, log: Callable[[str], None] | None = None) -> list[tuple[Path | None, np.ndarray]]:
        """The centre windows of a crop set in any layout ``read_crop_dataset`` knows, with their files (None for
        an LMDB record); crops that do not decode, or under 2 px, are left out and said (``report_left_out``)."""
        windows, unreadable = [], []
        for name, img, _ in read_crop_dataset(root):
            if img is not None and min(img.shape[:2]) >= MIN_CROP_SIDE:
                path = Path(name)
                windows.append((path if path.is_file() else None, center_window(resize_crop(img, CLS_HEIGHT))))
            else:
                unreadable.append(name)
        report_left_out(root, len(windows), {f"unreadable or under {MIN_CROP_SIDE} px": unreadable}, log, "crop")
        return windows

    def render(self, count: int, seed: int, log: Callable[[str], None] | None = None) -> list[np.ndarray]:
        from ocdr.training.synth.fonts import find_fonts
        from ocdr.training.synth.render import sample_crop
        from ocdr.training.synth.text import TextSampler

        rng = np.random.default_rng(seed)
        sampler, fonts = TextSampler(rng), find_fonts()
        return render_all(
            count,
            lambda: center_window(resize_crop(sample_crop(sampler, fonts, rng, line_prob=0.5).image, CLS_HEIGHT)),
            log,
            "crop",
        )

    def batch(self, items: list[np.ndarray], rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        turned = rng.random(len(items)) < 0.5
        if self.augment > 0:
            items = [center_window(augment_crop(w, rng, self.augment)) for w in items]
        return self._batch(items, turned)

    @staticmethod
    def _batch(windows: list[np.ndarray], turned: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        images = [turn_180(w) if t else w for w, t in zip(windows, turned, strict=True)]
        batch, _ = batch_crops(images, CLS_WIDTH)
        return torch.from_numpy(batch), torch.from_numpy(turned.astype(np.int64))

    @torch.no_grad()
    def evaluate(self, model: nn.Module, windows: list[np.ndarray], device: str, batch_size: int = 256) -> dict:
        """Every window both ways, decided as the pipeline decides (``settle``: unsure verdicts asked of the turned
        copy too): accuracy and the confusion matrix (rows: true angle, columns: predicted), and beside them the
        accuracy of the model's first verdicts alone (``one_pass_accuracy``)."""
        confusion = np.zeros((2, 2), dtype=np.int64)
        one_pass = 0
        for start in range(0, len(windows), batch_size):
            chunk = windows[start : start + batch_size]
            evidence = []
            for turn in (False, True):
                x, _ = self._batch(chunk, np.full(len(chunk), turn))
                evidence.append(log_odds(model(x.to(device)).float().cpu().numpy()))
            upright, turned = evidence
            one_pass += int(np.sum(upright <= 0) + np.sum(turned > 0))
            confusion[0] += np.bincount(settle(upright, turned) > 0, minlength=2)
            confusion[1] += np.bincount(settle(turned, upright) > 0, minlength=2)
        return {**_scores(confusion), "one_pass_accuracy": one_pass / max(1, 2 * len(windows))}


# ---------------------------------------------------------------------------------------------------- pages
@dataclass
class PageSample:
    """A page in gray at the classifier's scale, and the top-left corners of its most inked places."""

    gray: np.ndarray
    inked: list[tuple[int, int]]


def page_sample(image: np.ndarray) -> PageSample:
    gray = page_gray(image)
    return PageSample(gray, [(y, x) for _, y, x in ink_tiles(gray, stride=PAGE_PATCH // 2)[:48]])


class PageTask:
    """Page squares turned 0/90/180/270 degrees clockwise (class k: turned by 90k)."""

    angles = PAGE_ANGLES

    def load(self, root: str | Path, log: Callable[[str], None] | None = None) -> list[tuple[Path, PageSample]]:
        """The pages of a set in any layout ``page_images`` reads; those that do not decode, or are too small to
        classify, are left out and said (``report_left_out``: before, the count alone showed it)."""
        pages, unreadable, small = [], [], []
        for path in page_images(root):
            img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            if img is None:
                unreadable.append(path)
            elif min(img.shape[:2]) < MIN_PAGE_SIDE:
                small.append(path)
            else:
                pages.append((path, page_sample(img)))
        report_left_out(root, len(pages), {"unreadable": unreadable, f"under {MIN_PAGE_SIDE} px": small}, log)
        return pages

    def render(self, count: int, seed: int, log: Callable[[str], None] | None = None) -> list[PageSample]:
        from ocdr.training.synth.fonts import find_fonts
        from ocdr.training.synth.render import PageStyle, render_page
        from ocdr.training.synth.text import TextSampler

        rng = np.random.default_rng(seed)
        sampler, fonts = TextSampler(rng), find_fonts()

        def one() -> PageSample:
            style = PageStyle(dpi=float(rng.uniform(120, 200)), min_pt=7, max_pt=16, max_skew_deg=3)
            image, _ = render_page(sampler, fonts, rng, style)
            return page_sample(image)

        return render_all(count, one, log, "page")

    def patch(self, page: PageSample, rng: np.random.Generator) -> np.ndarray:
        """A square around one of the page's inked places, at a jittered scale, degraded like a scan or photo."""
        from ocdr.training.synth.render import augment_gray

        size = int(round(PAGE_PATCH * np.exp(rng.uniform(-SCALE_JITTER, SCALE_JITTER))))
        y, x = page.inked[int(rng.integers(len(page.inked)))] if page.inked else (0, 0)
        h, w = page.gray.shape
        y = int(np.clip(y + rng.integers(-PAGE_PATCH // 2, PAGE_PATCH // 2 + 1), 0, max(0, h - size)))
        x = int(np.clip(x + rng.integers(-PAGE_PATCH // 2, PAGE_PATCH // 2 + 1), 0, max(0, w - size)))
        patch = cv2.resize(square(page.gray, y, x, size), (PAGE_PATCH, PAGE_PATCH), interpolation=cv2.INTER_AREA)
        return augment_gray(patch, rng, 0.7)

    def batch(self, items: list[PageSample], rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        turns = rng.integers(0, 4, len(items))
        patches = [np.rot90(self.patch(page, rng), -int(k)) for page, k in zip(items, turns, strict=True)]
        return torch.from_numpy(normalize_patches(patches)), torch.from_numpy(turns.astype(np.int64))

    @torch.no_grad()
    def evaluate(self, model: nn.Module, pages: list[PageSample], device: str) -> dict:
        """Page accuracy over every page turned all four ways, by the pipeline's patch vote."""

        def predict(turned: np.ndarray) -> int:
            patches = [square(turned, y, x) for _, y, x in ink_tiles(turned)[:PAGE_PATCHES]]
            return vote(model(torch.from_numpy(normalize_patches(patches)).to(device)).cpu().numpy())[0]

        return _four_way_scores([page.gray for page in pages], predict)


# --------------------------------------------------------------------------------------------------- scenes
class SceneTask:
    """Whole photos, as their centre squares, turned 0/90/180/270 degrees clockwise (class k: turned by 90k)."""

    angles = PAGE_ANGLES

    def load(self, root: str | Path, log: Callable[[str], None] | None = None) -> list[tuple[Path, np.ndarray]]:
        """The photos of a set in any layout ``page_images`` reads; those that do not decode are left out and said."""
        photos, unreadable = [], []
        for path in page_images(root):
            img = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if img is None:
                unreadable.append(path)
            else:
                photos.append((path, scene_square(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))))
        report_left_out(root, len(photos), {"unreadable": unreadable}, log, "photo")
        return photos

    def render(self, count: int, seed: int, log: Callable[[str], None] | None = None) -> list[np.ndarray]:
        """None: street scenes are not rendered, so ``--synth`` is ignored for this task."""
        return []

    def batch(self, items: list[np.ndarray], rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        turns = rng.integers(0, 4, len(items))
        squares = []
        for sq, k in zip(items, turns, strict=True):
            size = int(rng.integers(SCENE_SIDE, SCENE_STORED + 1))
            y, x = rng.integers(0, SCENE_STORED - size + 1, 2)
            crop = cv2.resize(sq[y : y + size, x : x + size], (SCENE_SIDE, SCENE_SIDE), interpolation=cv2.INTER_AREA)
            if rng.random() < 0.5:
                crop = crop[:, ::-1]
            crop = np.clip(crop * rng.uniform(0.7, 1.3) + rng.uniform(-40, 40), 0, 255)
            squares.append(np.rot90(crop, -int(k)))
        return torch.from_numpy(normalize_scenes(squares)), torch.from_numpy(turns.astype(np.int64))

    @torch.no_grad()
    def evaluate(self, model: nn.Module, photos: list[np.ndarray], device: str) -> dict:
        """Photo accuracy over every photo turned all four ways, each read in all its views, as the pipeline
        reads it."""

        def predict(turned: np.ndarray) -> int:
            probs = model(torch.from_numpy(scene_batch(turned)).to(device)).cpu().numpy()
            return int(scene_votes(probs).argmax())

        return _four_way_scores(photos, predict)


def render_all(count: int, make: Callable[[], T], log: Callable[[str], None] | None, noun: str) -> list[T]:
    """``count`` items of ``make()``, saying how far it has got every ``RENDER_REPORT_S`` seconds: rendering runs
    before step 1 (a page takes 0.2-0.3 s on one core), and a run that printed nothing for minutes looked hung."""
    items: list[T] = []
    if log is not None and count:
        log(f"rendering {count} synthetic {noun}s (--synth)")
    last = time.time()
    for done in range(1, count + 1):
        items.append(make())
        if log is not None and time.time() - last >= RENDER_REPORT_S:
            log(f"rendered {done}/{count} synthetic {noun}s")
            last = time.time()
    return items


def _scores(confusion: np.ndarray) -> dict:
    """Accuracy and the confusion matrix (rows: true angle, columns: predicted)."""
    return {"accuracy": float(np.trace(confusion) / max(1, confusion.sum())), "confusion": confusion.tolist()}


def _four_way_scores(images: list[np.ndarray], predict: Callable[[np.ndarray], int]) -> dict:
    """``_scores`` of ``predict`` (image -> class index k, turned by 90k) on every image turned all four ways."""
    confusion = np.zeros((4, 4), dtype=np.int64)
    for image in images:
        for k in range(4):
            confusion[k, predict(np.ascontiguousarray(np.rot90(image, -k)))] += 1
    return _scores(confusion)


def make_task(name: str, augment: float = 0.0) -> Any:
    if name not in TASKS:
        raise ValueError(f"unknown classifier task {name!r}; choose from {TASKS}")
    return {"line": lambda: LineTask(augment), "page": PageTask, "scene": SceneTask}[name]()


def train_cls(cfg: ClsTrainConfig, log=print) -> Path:
    task = make_task(cfg.task, cfg.augment)
    out, split_rng, rng = start_run(cfg)
    state = resumed_state(out, cfg.init)
    init = load_init(cfg.init, f"cls_{cfg.task}") if cfg.init and state is None else None

    real: list = []
    synth: list = []
    val: list = []
    for folder, name in zip(cfg.data, split_names(cfg.data), strict=True):
        items = task.load(folder, log)
        if cfg.val_data:
            real += [item for _, item in items]
        else:
            kept, held = carve_validation(items, split_rng, cfg.val_fraction, cfg.val_cap, name, log)
            real += [item for _, item in kept]
            val += [item for _, item in held]
            write_held_out(out, name, [(path, item if path is None else None, "-") for path, item in held])
        log(f"loaded {len(items)} images from {folder}")
    if cfg.split_only:  # synthetic held-out items are not written: the split of the --data folders is all there is
        return out / "val"
    for folder in cfg.val_data or []:
        val += [item for _, item in task.load(folder, log)]

    def add_synthetic(items: list) -> None:
        """5% of each synthetic source (at most 1,000) is held out for validation."""
        kept, held = carve_validation(items, split_rng, 0.05, cap=1000)
        synth.extend(kept)
        val.extend(held)

    for folder in cfg.synth_data or []:
        items = [item for _, item in task.load(folder, log)]
        add_synthetic(items)
        log(f"loaded {len(items)} synthetic images from {folder}")
    count = DEFAULT_SYNTH[cfg.task] if cfg.synth is None else cfg.synth
    if count:
        rendered = task.render(count, cfg.seed, log)
        add_synthetic(rendered)
        log(f"rendered {len(rendered)} synthetic images")
    if not (real or synth) or not val:
        raise ValueError("no training or validation images: give --data folders and/or --synth N")
    log(f"train {len(real)} real + {len(synth)} synthetic / val {len(val)}, each turned all {len(task.angles)} ways")
    n_real = round(cfg.batch_size * cfg.real_share) if real and synth else (cfg.batch_size if real else 0)

    arch = chosen_arch(cfg.arch, state or init, DEFAULT_ARCH[cfg.task])
    model = create_classifier(arch, len(task.angles)).to(cfg.device)

    def draw(rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """One training batch: ``n_real`` real items and the rest synthetic, each turned at random."""
        batch = [real[i] for i in rng.integers(0, len(real), n_real)] if n_real else []
        batch += [synth[i] for i in rng.integers(0, len(synth), cfg.batch_size - n_real)] if synth else []
        return task.batch(batch, rng)

    if init is not None:
        model.load_state_dict(init["model"])
        if init.get("bn_folded"):  # from ONNX: BatchNorm statistics measured on training batches
            refit_batchnorm(model, [draw(rng)[0].to(cfg.device) for _ in range(8)])
        log(f"initialised from {cfg.init} ({arch})")
    meta = {"arch": arch, "task": cfg.task, "angles": list(task.angles), "config": cfg.__dict__}
    run = TrainingRun(
        model, cfg.lr, cfg.steps, warmup=min(300, cfg.steps // 10), floor=0.02, meta=meta, freeze_bn=cfg.freeze_bn
    )
    if state is not None:
        run.restore(state)
        rng = np.random.default_rng(cfg.seed + run.step)
        log(f"resumed from {out / 'last.pt'} at step {run.step} (best accuracy {run.best:.4f})")

    def validate(loss: float | None) -> None:
        """Score the model on the held-out samples; ``run`` keeps the best."""
        model.eval()
        metrics = task.evaluate(model, val, cfg.device)
        model.train()
        run.evaluated(metrics["accuracy"], out, loss, metrics)
        alone = f", first verdicts alone {metrics['one_pass_accuracy']:.4f}" if "one_pass_accuracy" in metrics else ""
        log(f"step {run.step} val accuracy {metrics['accuracy']:.4f} (best {run.best:.4f}{alone})")

    if init is not None:
        validate(None)  # the model it starts from: best.pt is one that does better, or this one
    loss_fn = nn.CrossEntropyLoss()
    precision = Precision.of(cfg.device, cfg.precision)
    scaler = precision.scaler()
    log(f"forward passes in {precision.name}")
    t0, logged, losses = time.time(), run.step, []
    model.train()
    while run.step < cfg.steps:
        x, y = draw(rng)
        with precision.autocast():
            logits = model.logits(x.to(cfg.device))
        loss = loss_fn(logits.float(), y.to(cfg.device))
        run.update(loss, scaler)
        losses.append(float(loss.detach()))
        step = run.step
        if step % 50 == 0 or step == cfg.steps:
            rate = (step - logged) / (time.time() - t0)
            log(f"step {step}/{cfg.steps} loss {np.mean(losses[-50:]):.4f} {rate:.2f} it/s")
            t0, logged = time.time(), step
        timed_out = run.out_of_time(cfg.time_limit_min)
        if step % cfg.eval_every == 0 or step == cfg.steps or timed_out:
            validate(float(np.mean(losses[-50:])))
        if timed_out:
            log(f"time limit of {cfg.time_limit_min} min reached at step {step}; resume by running again")
            break
    return out / "best.pt"
