"""``ocdr train rec``: CTC training of the recognizer on seed-format data, resumable, CPU or CUDA."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ocdr.io.labels import read_characters_list
from ocdr.models.recognition.charset import DEFAULT_CHARSET, Charset
from ocdr.models.recognition.crnn import CRNN, RecConfig, config_dict, create_recognizer, rec_config
from ocdr.models.recognition.ctc import ctc_greedy_decode
from ocdr.models.recognition.lexicon import Lexicon, auto_lexicons
from ocdr.models.recognition.preprocess import output_steps
from ocdr.models.recognition.spec import SPEC_ARCH, load_model_spec
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
from ocdr.training.rec_data import (
    RecSample,
    caseless_log_probs,
    collate,
    is_caseless,
    load_rec_dataset,
    width_batches,
)

CALIBRATION_BATCHES = 32  # training batches that set the BatchNorm statistics of a model imported from ONNX
DEFAULT_ARCH = "crnn_lite"  # what a run from scratch trains without --arch or --model-spec


@dataclass
class RecTrainConfig(TrainConfig):
    synth_data: list[str] | None = None  # synthetic folders (``ocdr synth lines``), mixed in by real_share
    real_share: float = 0.5  # of each epoch drawn from --data when there is --synth-data too
    augment: float = 1.0  # strength of the on-the-fly augmentation of every training crop (0: none)
    val_fraction: float = 0.1
    val_cap: int = 500  # per folder
    arch: str | None = None  # default: DEFAULT_ARCH
    model_spec: str | None = None  # a TAO/seed OCRNet spec file (YAML or JSON) describing the network, for arch
    charset: str | None = None  # path to characters_list.txt; default: the built-in document charset
    # word lists the validation reads with, as the pipeline reads crops (``Lexicon.load``); None: greedy readings only
    lexicon: list[str] | None = field(default_factory=lambda: ["auto"])
    batch_size: int = 64
    lr: float = 1e-3


def _load(path: str, charset: Charset, height: int, log) -> list[RecSample]:
    samples, skipped = load_rec_dataset(path, charset, height=height)
    log(f"loaded {len(samples)} crops from {path} ({len(skipped)} skipped: {skipped})")
    if is_caseless(samples):
        log(f"{path}: every label is in capitals; case is not trained on these crops nor scored on their validation")
        for s in samples:
            s.caseless = True
    return samples


@torch.no_grad()
def evaluate_rec(
    model: nn.Module,
    samples: list[RecSample],
    charset: Charset,
    device: str,
    batch_size: int = 128,
    lexicon: Lexicon | None = None,
) -> dict:
    """Exact-match word accuracy of the greedy readings (``word_accuracy``) and, with a ``lexicon``, of the
    readings the word list corrects as the pipeline corrects crops (``lexicon_accuracy``). The second is what
    checkpoints are picked by: a network trained longer can read more greedily and fewer with the list, being surer
    of its misreadings (docs/models.md, on the validation split)."""
    was_training = model.training
    model.eval()
    greedy, listed, total = 0, 0, 0
    for idx in width_batches(samples, batch_size, None):
        batch, widths, _ = collate([samples[i] for i in idx], charset)
        probs = model(torch.from_numpy(batch).to(device)).float().cpu().numpy()
        decoded = ctc_greedy_decode(probs, charset.chars, output_steps(widths))
        for row, (i, res) in enumerate(zip(idx, decoded, strict=True)):
            greedy += _reads(samples[i], res.text)
            if lexicon is not None:
                listed += _reads(samples[i], lexicon.correct(res, probs[row, : res.num_steps], charset.chars).text)
            total += 1
    model.train(was_training)
    figures = {"word_accuracy": greedy / max(1, total), "count": total}
    return figures | ({"lexicon_accuracy": listed / max(1, total)} if lexicon is not None else {})


def _reads(sample: RecSample, text: str) -> bool:
    """Whether ``text`` is the sample's label (upper-cased first for sets labelled in capitals)."""
    return (text.upper() if sample.caseless else text) == sample.text


def _charset(cfg: RecTrainConfig, state: dict | None, init: dict | None) -> Charset:
    if state is not None:
        _check_resumed_charset(cfg, state)
        return Charset(state["charset"])
    if init is not None:
        # fine-tuning: keep the model's characters in order and append new ones from the user's charset
        chars = list(init["charset"])
        if cfg.charset:
            chars += [c for c in read_characters_list(cfg.charset) if c not in chars]
        return Charset(chars)
    return Charset(read_characters_list(cfg.charset) if cfg.charset else DEFAULT_CHARSET)


def _check_resumed_charset(cfg: RecTrainConfig, state: dict) -> None:
    """A resumed run keeps its checkpoint's charset, so a ``--charset`` it does not match was dropped without a word
    (its new characters' crops skipped as outside the charset): an error, as ``chosen_arch`` makes ``--arch``. The
    command run again matches: a run from scratch has the file's characters, a fine-tune the model's and the file's."""
    if not cfg.charset:
        return
    wanted, held = read_characters_list(cfg.charset), list(state["charset"])
    from_scratch = not state.get("config", {}).get("init")
    if (wanted == held) if from_scratch else set(wanted) <= set(held):
        return
    lacks = "".join(c for c in wanted if c not in held)
    differs = f"lacks {lacks!r} of it" if lacks else "differs from it"
    raise ValueError(
        f"--charset {cfg.charset}: {cfg.out} holds a run whose charset {differs}, and a resumed run keeps its own: to"
        f" train with it give a new --out (--init {Path(cfg.out) / 'last.pt'} to start from this run's weights), or"
        " leave out --charset to resume the run"
    )


def _init_weights(model: CRNN, init: dict, charset: Charset, calib: list[torch.Tensor]) -> None:
    weights = init["model"]
    head_w, head_b = weights["head.weight"], weights["head.bias"]
    if head_w.shape[0] != charset.num_classes:  # grow the head for new characters
        new_w, new_b = model.head.weight.data.clone(), model.head.bias.data.clone()
        new_w[: head_w.shape[0]] = head_w
        new_b[: head_b.shape[0]] = head_b
        weights = {**weights, "head.weight": new_w, "head.bias": new_b}
    model.load_state_dict(weights)
    if init.get("bn_folded"):
        refit_batchnorm(model, calib)


def _network(cfg: RecTrainConfig, state: dict | None, init: dict | None, log) -> tuple[str, RecConfig]:
    """The architecture name and network to train: a resumed run's or an ``--init`` model's own (its
    ``rec_config`` where it was built from a spec), else ``--model-spec``'s, else ``--arch``'s."""
    spec, notes = load_model_spec(cfg.model_spec) if cfg.model_spec else (None, [])
    source = state or init
    if source is None:
        for note in notes:
            log(f"{cfg.model_spec}: {note}")
        arch = chosen_arch(cfg.arch, None, DEFAULT_ARCH)
        return (SPEC_ARCH, spec) if spec is not None else (arch, rec_config(arch))
    network = rec_config(chosen_arch(cfg.arch, source, DEFAULT_ARCH), source.get("rec_config"))
    if spec is not None and init is not None:
        raise ValueError("--init starts from a model of its own architecture: leave out --model-spec")
    if spec is not None and spec != network:
        raise ValueError(f"{cfg.out} holds a run of another network than {cfg.model_spec} describes: resume it "
                         "without --model-spec, or train into a new --out")  # fmt: skip
    return source["arch"], network


def train_rec(cfg: RecTrainConfig, log=print) -> Path:
    """Train (or resume) and return the path of the best checkpoint.

    Validation is ``--val-data``, or a split carved from each ``--data`` and ``--synth-data`` folder and written to
    ``OUT/val/<folder>``; the best checkpoint is the one with the highest mean word accuracy over those folders."""
    out, split_rng, rng = start_run(cfg)
    state = resumed_state(out, cfg.init)
    init = load_init(cfg.init, "rec") if cfg.init and state is None else None
    charset = _charset(cfg, state, init)
    arch, network = _network(cfg, state, init, log)
    height = network.height

    groups: dict[str, list[list[RecSample]]] = {"real": [], "synth": []}
    val: dict[str, list[RecSample]] = {}
    kinds = [("real", folder) for folder in cfg.data] + [("synth", folder) for folder in cfg.synth_data or []]
    for (kind, folder), name in zip(kinds, split_names([folder for _, folder in kinds]), strict=True):
        samples = _load(folder, charset, height, log)
        if not cfg.val_data:
            samples, held = carve_validation(samples, split_rng, cfg.val_fraction, cfg.val_cap, name, log)
            val[name] = held
            write_held_out(out, name, [(s.path, s.image, s.text) for s in held])  # LMDB crops at model height
        groups[kind].append(samples)
    if cfg.split_only:
        return out / "val"
    for folder, name in zip(cfg.val_data or [], split_names(cfg.val_data or []), strict=True):
        val[name] = _load(folder, charset, height, log)
    samples = [s for group in groups["real"] + groups["synth"] for s in group]
    n_real = sum(len(g) for g in groups["real"])
    if not samples or not any(val.values()):
        raise ValueError(  # _load logged how many crops each folder lost and why
            "no training or validation samples: the --data crops are unreadable, empty or outside the charset"
        )
    lexicon = Lexicon.load(cfg.lexicon, auto_lexicons(charset.chars)) if cfg.lexicon else None
    log(
        f"train {n_real} real + {len(samples) - n_real} synthetic / val {sum(map(len, val.values()))} crops, "
        f"{len(charset)} characters"
    )

    def epoch() -> np.ndarray:
        """Every real crop once, and synthetic crops in the proportion real_share asks for (all when alone)."""
        real = np.arange(n_real)
        if n_real == 0 or n_real == len(samples):
            return np.arange(len(samples))
        n_synth = min(len(samples) - n_real, round(n_real * (1 - cfg.real_share) / max(cfg.real_share, 1e-6)))
        return np.concatenate([real, n_real + rng.choice(len(samples) - n_real, n_synth, replace=False)])

    def augment(img: np.ndarray) -> np.ndarray:
        return augment_crop(img, rng, cfg.augment) if cfg.augment > 0 else img

    model = create_recognizer(arch, charset.num_classes, network).to(cfg.device)
    if init is not None:
        # BatchNorm statistics measured on batches drawn and augmented as training draws them: calibrated on other
        # batches, the running statistics drift from the first step and the model loses accuracy before it learns
        batches = width_batches(samples, cfg.batch_size, rng, epoch())[:CALIBRATION_BATCHES]
        calib = [
            torch.from_numpy(collate([samples[i] for i in b], charset, augment)[0]).to(cfg.device) for b in batches
        ]
        _init_weights(model, init, charset, calib)
        log(f"initialised from {cfg.init} ({init['arch']})")
    meta = {"arch": arch, "rec_config": config_dict(model), "charset": "".join(charset.chars), "config": cfg.__dict__}
    char_odds = (state or init or {}).get("char_odds")  # the init's prior correction, for the export to apply again
    if char_odds:
        meta["char_odds"] = char_odds
    run = TrainingRun(
        model, cfg.lr, cfg.steps, warmup=min(500, cfg.steps // 10), floor=0.02, meta=meta, freeze_bn=cfg.freeze_bn
    )
    if state is not None:
        run.restore(state)
        rng = np.random.default_rng(cfg.seed + run.step)
        log(f"resumed from {out / 'last.pt'} at step {run.step} (best word accuracy {run.best:.4f})")

    def validate(loss: float | None) -> None:
        """Score the model on the held-out crops, as the pipeline reads them; ``run`` keeps the best."""
        figures = {name: evaluate_rec(model, v, charset, cfg.device, lexicon=lexicon) for name, v in val.items() if v}
        per_set = {name: f.get("lexicon_accuracy", f["word_accuracy"]) for name, f in figures.items()}
        score = float(np.mean(list(per_set.values())))
        greedy = float(np.mean([f["word_accuracy"] for f in figures.values()]))
        run.evaluated(score, out, loss, {"word_accuracy": score, "greedy_word_accuracy": greedy, "per_set": per_set})
        sets = ", ".join(f"{k} {v:.3f}" for k, v in per_set.items())
        kind = "with the word list" if lexicon is not None else "greedy"
        log(f"step {run.step} val word accuracy {kind} {score:.4f} (greedy {greedy:.4f}, best {run.best:.4f}): {sets}")

    if init is not None:
        validate(None)  # the model it starts from: best.pt is one that reads the held-out crops better, or this one
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    precision = Precision.of(cfg.device, cfg.precision)
    scaler = precision.scaler()
    log(f"forward passes in {precision.name}")
    t0, logged, losses = time.time(), run.step, []
    model.train()
    while run.step < cfg.steps:
        for idx in width_batches(samples, cfg.batch_size, rng, epoch()):
            if run.step >= cfg.steps:
                break
            batch, widths, targets = collate([samples[i] for i in idx], charset, augment)
            x = torch.from_numpy(batch).to(cfg.device)
            with precision.autocast():
                logits = model.logits(x)
            log_probs = logits.float().log_softmax(-1).permute(1, 0, 2)  # (T, N, C)
            log_probs = caseless_log_probs(log_probs, [samples[i].caseless for i in idx], charset)
            in_lens = torch.from_numpy(np.minimum(output_steps(widths), log_probs.shape[0]))
            tgt_lens = torch.tensor([len(t) for t in targets])
            loss = ctc(log_probs, torch.tensor([c for t in targets for c in t]), in_lens, tgt_lens)
            run.update(loss, scaler)
            losses.append(float(loss.detach()))
            step = run.step
            if step % 50 == 0 or step == cfg.steps:
                rate = (step - logged) / (time.time() - t0)
                lr = run.sched.get_last_lr()[0]
                log(f"step {step}/{cfg.steps} loss {np.mean(losses[-50:]):.4f} lr {lr:.2e} {rate:.2f} it/s")
                t0, logged = time.time(), step
            timed_out = run.out_of_time(cfg.time_limit_min)
            if step % cfg.eval_every == 0 or step == cfg.steps or timed_out:
                validate(float(np.mean(losses[-50:])))
            if timed_out:
                log(f"time limit of {cfg.time_limit_min} min reached at step {step}; resume by running again")
                return out / "best.pt"
    return out / "best.pt"
