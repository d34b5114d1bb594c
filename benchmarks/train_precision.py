"""Training steps a second on this CPU in float32 and in bfloat16 mixed precision (``ocdr train --precision``), the
detector, the recognizer and the text-line classifier, both sides in one run on the same batches.

    python benchmarks/train_precision.py --threads 2 --det-data runs/det_real/val/funsd_train \
        --rec-data runs/rec_real/val/icdar2015_words_train

A step is what the trainers do: the forward pass under the precision's autocast, the loss in float32, and
``TrainingRun.update`` (backward, gradient clipping, an AdamW step; the learning rate held). Each model takes one
fixed batch of the trainers' size (detector: 4 crops of 512 pixels cut from the pages; recognizer: 64 crops of the
set; classifier: 128 crops of 32 x 192), and the two precisions take turns, ``--rounds`` rounds of ``--steps``
steps; the table gives each side's median and the ratio. Batches are made once, outside the timing: a whole run's
rate also counts making them (600 detector steps ran 1.42x as fast, not 1.9x, at stop 81). On a CPU without
bfloat16 in hardware, ``--precision auto`` trains in float32, and bfloat16 is emulated and slower: the table shows
it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
from int8_accuracy import table
from torch import nn

from ocdr.models.classification.orientation import create_classifier
from ocdr.models.detection.dbnet import create_detector, db_loss
from ocdr.models.recognition.charset import DEFAULT_CHARSET, Charset
from ocdr.models.recognition.crnn import create_recognizer
from ocdr.models.recognition.preprocess import output_steps
from ocdr.training.det_data import load_det_dataset
from ocdr.training.loop import Precision, TrainingRun, native_bf16
from ocdr.training.rec_data import collate, load_rec_dataset
from ocdr.training.train_det import crop_batch, device_batch

Step = Callable[[Precision], None]


def det_step(folder: str) -> Step:
    model = create_detector("dbnet_resnet18_lite")
    run = _run(model)
    batch = device_batch(
        {
            k: torch.from_numpy(v)
            for k, v in crop_batch([load_det_dataset(folder)], [1.0], 512, 4, np.random.default_rng(0)).items()
        },
        "cpu",
    )

    def step(precision: Precision) -> None:
        with precision.autocast():
            outputs = model(batch["image"])
        run.update(db_loss({k: v.float() for k, v in outputs.items()}, batch)["loss"], precision.scaler())

    return step


def rec_step(folder: str) -> Step:
    charset = Charset(DEFAULT_CHARSET)
    samples, _ = load_rec_dataset(folder, charset)
    crops, widths, targets = collate(samples[:64], charset)
    model = create_recognizer("crnn_lite", charset.num_classes)
    run = _run(model)
    x = torch.from_numpy(crops)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)

    def step(precision: Precision) -> None:
        with precision.autocast():
            logits = model.logits(x)
        log_probs = logits.float().log_softmax(-1).permute(1, 0, 2)
        lengths = torch.from_numpy(np.minimum(output_steps(widths), log_probs.shape[0]))
        labels = torch.tensor([c for t in targets for c in t])
        run.update(ctc(log_probs, labels, lengths, torch.tensor([len(t) for t in targets])), precision.scaler())

    return step


def cls_step() -> Step:
    model = create_classifier("line_orientation_lite")
    run = _run(model)
    x, y = torch.randn(128, 1, 32, 192), torch.randint(0, 2, (128,))

    def step(precision: Precision) -> None:
        with precision.autocast():
            logits = model.logits(x)
        run.update(nn.functional.cross_entropy(logits.float(), y), precision.scaler())

    return step


def _run(model: nn.Module) -> TrainingRun:
    """The trainers' optimizer step for ``model`` in training mode, at a constant learning rate."""
    return TrainingRun(model.train(), 1e-4, total_steps=1, warmup=1, floor=1.0, meta={})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--det-data", default="runs/det_real/val/funsd_train", help="ICDAR page folder")
    parser.add_argument("--rec-data", default="runs/rec_real/val/icdar2015_words_train", help="gt_list.txt folder")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    sides = [Precision.of("cpu", "fp32"), Precision.of("cpu", "mixed")]
    print(f"{args.threads} threads; bfloat16 in hardware: {native_bf16()}")
    rows = []
    for name, step in (
        ("detector", det_step(args.det_data)),
        ("recognizer", rec_step(args.rec_data)),
        ("classifier", cls_step()),
    ):
        for side in sides:
            step(side)  # warm-up
        times: dict[str, list[float]] = {side.name: [] for side in sides}
        for _ in range(args.rounds):
            for side in sides:
                start = time.perf_counter()
                for _ in range(args.steps):
                    step(side)
                times[side.name].append((time.perf_counter() - start) / args.steps)
        fp32, bf16 = (statistics.median(times[side.name]) for side in sides)
        rows.append([name, f"{1 / fp32:.2f}", f"{1 / bf16:.2f}", f"{fp32 / bf16:.2f}x"])
    print(table(["model", "fp32 steps/s", "bf16 steps/s", "bf16 over fp32"], rows))


if __name__ == "__main__":
    main()
