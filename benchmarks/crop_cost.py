"""Where reading a crop's time goes: the recognizer's readings per crop by the stage that asked for them, and the
time spent in the network, in the word list and in the rest.

    python benchmarks/crop_cost.py --threads 2 --sets runs/rec_real/val/icdar2015_words_train \
        runs/rec_real/val/iiit5k_train

Each set's crops (a ``gt_list.txt`` folder) are read as ``ocdr eval rec`` and ``benchmarks/peers.py rec`` read them
(``OCRPipeline.read_upright``: a crop read once, then the unsure ones again in variants). Readings per crop count
the images the recognizer was handed, by stage: ``first`` (each crop, and a tall crop turned a quarter each way),
``reread`` (an unsure crop's variants: margin, stretches, inverted), ``untilt`` (an unsure narrow crop turned level
at a few slants), ``widen`` (an unsure squat crop stretched wider) and ``widen, slants`` (that stretched crop's
slants). PP-OCRv4 reads each crop once, so on a set where ocdr reads a crop seven times its speed rests on each
reading costing a seventh. Times: ``network`` is ONNX Runtime's (``OnnxModel.run``), ``word list`` the lexicon's
corrections (``Lexicon.correct``), ``rest`` everything else (cutting variants, decoding, voting), as shares of one
more run with the recognizer's batches read one at a time: with ``--threads`` 2 or more the recognizer reads them
that many at a time (``TextRecognizer``'s workers), the word list of one batch beside the network of another, and
the parts no longer add up to the time taken. That run also counts the readings (the workers read the same ones).
Runs ``--runs`` times after a warm-up, nothing wrapped; the milliseconds are their median's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import ocdr.pipeline as pipeline_module
from ocdr.api import OCR
from ocdr.evaluation.evaluate import _crops
from ocdr.models.recognition.lexicon import Lexicon
from ocdr.runtime.session import OnnxModel

STAGES = ("untilt", "reread", "widen")  # the pipeline's names for the stages that read a crop again
COLUMNS = ("first", "reread", "untilt", "widen", "widen, slants")


class Tally:
    """Readings by stage and seconds by part, gathered while ``counting`` is on."""

    def __init__(self) -> None:
        self.readings: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        self.stage: list[str] = []

    def label(self) -> str:
        if not self.stage:
            return "first"
        return "widen, slants" if self.stage[:1] == ["widen"] and "untilt" in self.stage else self.stage[0]


def _staged(tally: Tally, name: str, fn: Callable) -> Callable:
    def run(*args, **kwargs):
        tally.stage.append(name)
        try:
            return fn(*args, **kwargs)
        finally:
            tally.stage.pop()

    return run


def _timed(tally: Tally, part: str, fn: Callable) -> Callable:
    def run(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            tally.seconds[part] += time.perf_counter() - start

    return run


@contextmanager
def counting(tally: Tally) -> Iterator[None]:
    """The pipeline's re-reading stages, the recognizer, the network and the word list wrapped to fill ``tally``;
    put back on exit."""
    recognize = pipeline_module.TextRecognizer.__call__

    def counted(self, crops, *args, **kwargs):
        tally.readings[tally.label()] += len(crops)
        return recognize(self, crops, *args, **kwargs)

    saved = {name: getattr(pipeline_module, name) for name in STAGES}
    run, correct = OnnxModel.run, Lexicon.correct
    try:
        for name in STAGES:
            setattr(pipeline_module, name, _staged(tally, name, saved[name]))
        pipeline_module.TextRecognizer.__call__ = counted  # type: ignore[method-assign]
        OnnxModel.run = _timed(tally, "network", run)  # type: ignore[method-assign]
        Lexicon.correct = _timed(tally, "word list", correct)  # type: ignore[method-assign]
        yield
    finally:
        for name in STAGES:
            setattr(pipeline_module, name, saved[name])
        pipeline_module.TextRecognizer.__call__ = recognize  # type: ignore[method-assign]
        OnnxModel.run, Lexicon.correct = run, correct  # type: ignore[method-assign]


def measure(ocr: OCR, folder: Path, runs: int) -> dict:
    """One row: accuracy, readings per crop by stage, milliseconds per crop and the time split, for one set."""
    crops, truths = _crops(folder, None)  # FileNotFoundError for a folder without crops
    ocr.pipeline.read_upright(crops[:8], ocr.params)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        readings = ocr.pipeline.read_upright(crops, ocr.params)
        times.append(time.perf_counter() - start)
    # one more run, counted, with the batches one at a time: the same readings, and the parts add up
    recognizers = {ocr.pipeline.recognizer, ocr.pipeline.slant_recognizer}  # the slants' may be an int8 copy
    workers = {recognizer: recognizer.workers for recognizer in recognizers}
    try:
        for recognizer in recognizers:
            recognizer.workers = 1
        tally = Tally()
        with counting(tally):
            start = time.perf_counter()
            ocr.pipeline.read_upright(crops, ocr.params)
            total = time.perf_counter() - start
    finally:
        for recognizer, count in workers.items():
            recognizer.workers = count
    n = len(crops)
    rest = total - tally.seconds["network"] - tally.seconds["word list"]
    return {
        "set": folder.name,
        "crops": n,
        "word acc": sum(r.text == t for (r, _), t in zip(readings, truths, strict=True)) / n,
        "readings/crop": sum(tally.readings.values()) / n,
        **{column: tally.readings[column] / n for column in COLUMNS},
        "ms/crop": statistics.median(times) * 1000 / n,
        "network": tally.seconds["network"] / total,
        "word list": tally.seconds["word list"] / total,
        "rest": rest / total,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sets", nargs="+", type=Path, required=True, help="gt_list.txt folders of crops")
    parser.add_argument("--threads", type=int, default=2, help="ONNX Runtime threads per model (default 2)")
    parser.add_argument("--runs", type=int, default=1, help="timed runs per set (default 1)")
    parser.add_argument("--no-variants", action="store_true", help="each crop read once (use_rec_variants off)")
    args = parser.parse_args()
    ocr = OCR(threads=args.threads, use_rec_variants=not args.no_variants)
    rows = [measure(ocr, folder, args.runs) for folder in args.sets]
    header = ["set", "crops", "word acc", "readings/crop", *COLUMNS, "ms/crop", "network", "word list", "rest"]
    print(f"## Readings per crop and where the time goes ({args.threads} threads)\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        cells = [
            row["set"],
            str(row["crops"]),
            f"{row['word acc']:.4f}",
            *(f"{row[c]:.2f}" for c in ("readings/crop", *COLUMNS)),
            f"{row['ms/crop']:.1f}",
            *(f"{row[c]:.0%}" for c in ("network", "word list", "rest")),
        ]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
