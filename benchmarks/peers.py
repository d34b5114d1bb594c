"""ocdr beside PP-OCRv4 mobile (RapidOCR) and Tesseract 5: accuracy and CPU speed on the same inputs, in one run.

    python benchmarks/peers.py rec --limit 500          # word crops: accuracy, CER, crops/s
    python benchmarks/peers.py det --limit 50           # pages: detection P/R/hmean, s/page
    python benchmarks/peers.py e2e --limit 40           # FUNSD pages: word recall/precision, pages/s
    python benchmarks/peers.py cls --limit 500          # word crops upright and turned: text-line orientation
    python benchmarks/peers.py all --threads 2 --json peers.json

Needs ``pip install -e ".[bench]"`` (rapidocr-onnxruntime, shapely, rapidfuzz) and ``tesseract`` with ``eng``.

* rec: every engine reads the same crops as they are (no padding, no rotation). Word accuracy is an exact match on
  the ground truth as given (predictions stripped of leading and trailing spaces); "alnum" is the case-insensitive
  match of ``[0-9a-z]`` only, so no engine loses for a character outside its charset or for case; CER is the total
  edit distance over the total ground-truth length. With more than one set, an "all N sets" row pools each engine's
  crops: accuracies and CER over all of them, the speed all the crops over all the seconds.
* det: ocdr's ICDAR 2015 matching (IoU >= 0.5, predictions mostly inside ``###`` regions left out). Tesseract's
  boxes are its level-5 (word) rows; its time there is a whole OCR run, not detection alone. Sets annotated by
  text segment (``--line-sets``, SROIE by default: a line's words up to a wide gap) are scored on segments: ocdr's
  regions grouped by its layout step and cut at wide gaps, Tesseract's level-4 rows (lines), PP-OCRv4's boxes as
  they are (its detector boxes segments).
* cls: every crop upright and turned by 180 degrees; ocdr's text-line orientation stage against PP-OCR's text-line
  classifier (ch_ppocr_mobile_v2.0_cls in the RapidOCR wheel, its argmax). Tesseract has none for crops.
* e2e: a word counts when IoU >= 0.5 and its text equals the ground truth (exactly; and case-insensitively).
  Every engine returns word boxes: ocdr's, RapidOCR's lines cut at spaces with its character boxes, Tesseract's.
  On the ``--line-sets`` a text segment counts the same way: ocdr's and Tesseract's words grouped into segments
  as for det (their texts joined by single spaces), RapidOCR's lines as they are.

Fairness: models are loaded before timing, each engine is warmed up on the first input, and only inference is
timed (decoding is done beforehand, except by Tesseract, which reads the files itself). ocdr and RapidOCR run
interleaved (input by input, or chunk by chunk for crops) on the same ONNX Runtime thread count, so a change in
machine load hits both alike; Tesseract runs after them. Every engine reads the inputs ``--rounds`` times (3 by
default), the interleaving's order flipped each round, and its speed is that of its fastest round, as ``timeit``
takes the best of its repeats. Speeds are relative: read the ``x PP-OCRv4`` column.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from peer_engines import Ocdr, OcdrProcesses, PPOCRv4, Tesseract, Words, segments

from ocdr.evaluation.metrics import PRF, alnum_form, cer, match_detections, match_words
from ocdr.io.inputs import Source, iter_pages
from ocdr.io.labels import RegionLabel, icdar_pairs, read_gt_list, read_icdar_gt

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_SETS = {
    "rec": ["iiit5k_train", "icdar2015_words_train", "svt_train", "funsd_train_words", "sroie_train_lines"],
    "det": ["funsd_train", "sroie_train", "icdar2015_train"],
    "e2e": ["funsd_train"],
}
DEFAULT_SETS["cls"] = DEFAULT_SETS["rec"]
DEFAULT_LIMIT = {"rec": 500, "cls": 500, "det": 50, "e2e": 40}
LINE_SETS = ["sroie_train"]  # page sets annotated by text segment, not by word
REC_CHUNK = 500  # crops read by one engine before the other takes its turn: large, as batching sorts by width
# per mode: the speed the "x PP-OCRv4" ratio divides, the table's title and its (header, key, format) columns
TABLES: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {
    "rec": (
        "crops_per_second",
        "Recognition: same crops ({limit}), {threads} threads",
        [("crops", "crops", "d"), ("word acc", "word_accuracy", ".3f"), ("alnum acc", "alnum_accuracy", ".3f"),
         ("CER", "cer", ".3f"), ("crops/s", "crops_per_second", ".0f"), ("x PP-OCRv4", "x_ppocr", ".2f")],
    ),
    "cls": (
        "crops_per_second",
        "Text-line orientation: same crops ({limit}) upright and turned 180, {threads} threads",
        [("crops", "crops", "d"), ("accuracy", "accuracy", ".3f"), ("at 0", "accuracy_0", ".3f"),
         ("at 180", "accuracy_180", ".3f"), ("crops/s", "crops_per_second", ".0f"), ("x PP-OCRv4", "x_ppocr", ".2f")],
    ),
    "det": (
        "pages_per_second",
        "Detection: same pages ({limit}), IoU 0.5, ### ignored, {threads} threads "
        "(Tesseract's time is a whole OCR run)",
        [("pages", "pages", "d"), ("P", "precision", ".3f"), ("R", "recall", ".3f"), ("hmean", "hmean", ".3f"),
         ("s/page", "seconds_per_page", ".3f"), ("x PP-OCRv4", "x_ppocr", ".2f")],
    ),
    "e2e": (
        "pages_per_second",
        "End to end: same pages ({limit}), words at IoU 0.5 with the same text, {threads} threads",
        [("pages", "pages", "d"), ("word R", "word_recall", ".3f"), ("word P", "word_precision", ".3f"),
         ("word F", "word_hmean", ".3f"), ("F nocase", "word_nocase_hmean", ".3f"), ("det hmean", "det_hmean", ".3f"),
         ("pages/s", "pages_per_second", ".2f"), ("x PP-OCRv4", "x_ppocr", ".2f")],
    ),
}  # fmt: skip
Row = dict[str, Any]


def sample(items: list, limit: int, seed: int) -> list:
    """A fixed random sample of ``limit`` items in their original order (all of them for 0)."""
    if not limit or limit >= len(items):
        return items
    return [items[i] for i in sorted(random.Random(seed).sample(range(len(items)), limit))]


def resolve_sets(names: Sequence[str], mode: str, root: Path) -> list[Path]:
    """Set names under ``root`` (recognition/ for rec, detection/ otherwise), or folders given as paths."""
    crops = mode in ("rec", "cls")
    family = "recognition" if crops else "detection"
    folders = [Path(n) if Path(n).is_dir() else root / family / n for n in names]
    wanted = "gt_list.txt" if crops else "gts"
    return [f for f in folders if (f / wanted).exists()]


def load_crops(folder: Path, limit: int, seed: int) -> tuple[list[Path], list[np.ndarray], list[str]]:
    """Crop paths, BGR arrays and texts of a ``gt_list.txt`` folder (unreadable images left out)."""
    paths, images, texts = [], [], []
    for name, text in sample(read_gt_list(folder / "gt_list.txt"), limit, seed):
        path = folder / name if (folder / name).exists() else folder / "images" / name
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is not None and image.size:
            paths.append(path)
            images.append(image)
            texts.append(text)
    return paths, images, texts


def load_pages(folder: Path, limit: int, seed: int) -> tuple[list[Path], list[np.ndarray], list[list[RegionLabel]]]:
    """Page paths, RGB arrays (decoded by ocdr) and ground truth of an ICDAR-format folder."""
    pairs = sample(icdar_pairs(folder), limit, seed)
    images = [next(iter_pages(Source(str(image), image))).image for image, _ in pairs]
    return [image for image, _ in pairs], images, [read_icdar_gt(gt) for _, gt in pairs]


def rec_scores(preds: Sequence[str], truths: Sequence[str]) -> Row:
    """Exact, alphanumeric and character-level scores; predictions lose only their outer whitespace."""
    preds = [p.strip() for p in preds]
    pairs = list(zip(preds, truths, strict=True))
    return {
        "crops": len(truths),
        "word_accuracy": float(np.mean([p == t for p, t in pairs])),
        "alnum_accuracy": float(
            np.mean([alnum_form(p, ascii_only=True) == alnum_form(t, ascii_only=True) for p, t in pairs])
        ),
        "cer": sum(cer(p, t) * max(1, len(t)) for p, t in pairs) / max(1, sum(len(t) for t in truths)),
        "chars": max(1, sum(len(t) for t in truths)),  # what the CER is over
    }


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def fastest(rounds: int, run: Callable[[int], tuple[Any, Any]]) -> tuple[Any, Any]:
    """``run(r)`` for each of ``rounds`` rounds, which returns outputs and seconds (a float, or a dict of them by
    engine): the first round's outputs and the fewest seconds of any round (by engine). On this project's 2-core
    machine an engine's speed can differ by 1.6x from one pass over the same crops to the next (PP-OCRv4 read the
    same 198 crops at 96 and then at 59 a second in one process), so a single pass can make either engine look slow."""
    runs = [run(r) for r in range(rounds)]
    times = [seconds for _, seconds in runs]
    if isinstance(times[0], dict):
        return runs[0][0], {key: min(t[key] for t in times) for key in times[0]}
    return runs[0][0], min(times)


def run_crops(
    call: str, bgr: list[np.ndarray], engines: dict[str, Any], rounds: int
) -> tuple[dict[str, list], dict[str, float]]:
    """``call`` ("read_crops" or "classify_lines") of the ONNX engines over the crops, chunk by chunk, interleaved,
    ``rounds`` times (``fastest``): each engine's outputs and seconds."""
    rgb = [cv2.cvtColor(image, cv2.COLOR_BGR2RGB) for image in bgr]
    onnx = [key for key in engines if key != "tesseract" and hasattr(engines[key], call)]
    inputs = {key: bgr if key == "ppocr" else rgb for key in onnx}
    for key in onnx:
        getattr(engines[key], call)(inputs[key][:8])  # warm-up

    def one_round(r: int) -> tuple[dict[str, list], dict[str, float]]:
        outs: dict[str, list] = {key: [] for key in onnx}
        seconds = dict.fromkeys(onnx, 0.0)
        for chunk, start in enumerate(range(0, len(bgr), REC_CHUNK)):
            for key in onnx[:: 1 if (chunk + r) % 2 == 0 else -1]:
                out, dt = timed(lambda k=key, s=start: getattr(engines[k], call)(inputs[k][s : s + REC_CHUNK]))
                outs[key] += out
                seconds[key] += dt
        return outs, seconds

    return fastest(rounds, one_round)


def run_rec(folder: Path, engines: dict[str, Any], limit: int, seed: int, rounds: int) -> list[Row]:
    paths, bgr, truths = load_crops(folder, limit, seed)
    preds, seconds = run_crops("read_crops", bgr, engines, rounds)
    if "tesseract" in engines:
        engines["tesseract"].read_crops(paths[:1])
        preds["tesseract"], seconds["tesseract"] = fastest(rounds, lambda _: engines["tesseract"].read_crops(paths))
    return [
        {"set": folder.name, "engine": engines[key].name, **rec_scores(preds[key], truths)}
        | {"crops_per_second": len(truths) / seconds[key], "seconds": seconds[key]}
        for key in preds
    ]


def pooled(rows: list[Row]) -> list[Row]:
    """Each engine over all the sets' crops together: accuracies weighted by crops, the CER by characters, the speed
    all the crops over all the seconds (so that a set where one engine is slow weighs by its size, not as one of N)."""
    out = []
    for engine in dict.fromkeys(r["engine"] for r in rows):
        mine = [r for r in rows if r["engine"] == engine]
        crops, chars = sum(r["crops"] for r in mine), sum(r["chars"] for r in mine)
        out.append(
            {"set": f"all {len(mine)} sets", "engine": engine, "crops": crops}
            | {k: sum(r[k] * r["crops"] for r in mine) / crops for k in ("word_accuracy", "alnum_accuracy")}
            | {"cer": sum(r["cer"] * r["chars"] for r in mine) / chars, "chars": chars}
            | {"crops_per_second": crops / sum(r["seconds"] for r in mine)}
        )
    return out


def run_cls(folder: Path, engines: dict[str, Any], limit: int, seed: int, rounds: int) -> list[Row]:
    _, bgr, _ = load_crops(folder, limit, seed)
    turned = [np.ascontiguousarray(image[::-1, ::-1]) for image in bgr]
    angles, seconds = run_crops("classify_lines", bgr + turned, engines, rounds)
    truth = np.array([0] * len(bgr) + [180] * len(turned))
    rows = []
    for key, found in angles.items():
        found = np.array(found)
        rows.append(
            {"set": folder.name, "engine": engines[key].name, "crops": len(truth)}
            | {"accuracy": float(np.mean(found == truth))}
            | {f"accuracy_{a}": float(np.mean(found[truth == a] == a)) for a in (0, 180)}
            | {"crops_per_second": len(truth) / seconds[key]}
        )
    return rows


def page_rows(
    folder: Path,
    engines: dict[str, Any],
    limit: int,
    seed: int,
    call: str,
    score: Callable[[Any, list[RegionLabel]], dict[str, PRF]],
    rounds: int,
) -> list[Row]:
    """Run ``call`` ("detect", "detect_lines", "read_page" or "read_lines") of the ONNX engines page by page,
    interleaved, and Tesseract on the same files, ``rounds`` times (``fastest``); ``score`` turns one engine's output
    for a page into named PRF counts, summed over the pages."""
    paths, rgb, labels = load_pages(folder, limit, seed)
    own_processes = [key for key in engines if hasattr(engines[key], "read_pages")]
    batch = [key for key in own_processes if key == "tesseract" or call in ("read_page", "read_lines")]
    onnx = [key for key in engines if key not in own_processes]
    bgr = [cv2.cvtColor(image, cv2.COLOR_RGB2BGR) for image in rgb]
    inputs = {key: bgr if key == "ppocr" else rgb for key in onnx}
    for key in onnx:
        getattr(engines[key], call)(inputs[key][0])  # warm-up

    def one_round(r: int) -> tuple[dict[str, list[Any]], dict[str, float]]:
        outs: dict[str, list[Any]] = {key: [] for key in onnx}
        seconds = dict.fromkeys(onnx, 0.0)
        for i in range(len(paths)):
            for key in onnx[:: 1 if (i + r) % 2 == 0 else -1]:
                out, dt = timed(lambda k=key, j=i: getattr(engines[k], call)(inputs[k][j]))
                outs[key].append(out)
                seconds[key] += dt
        return outs, seconds

    outputs, seconds = fastest(rounds, one_round)
    for key in batch:  # engines that run their own processes over the files
        level = 4 if call == "detect_lines" else 5
        engines[key].read_pages(paths[:2], level)  # warm-up (both of two workers)
        outputs[key], seconds[key] = fastest(rounds, lambda _, k=key, n=level: engines[k].read_pages(paths, n))
        if call == "read_lines":  # their words as segments, by ocdr's rule
            outputs[key] = [segments(words) for words in outputs[key]]
        elif call != "read_page":
            outputs[key] = [[poly for poly, _ in words] for words in outputs[key]]
    rows = []
    for key, pages in outputs.items():
        totals: dict[str, PRF] = {}
        for out, gt in zip(pages, labels, strict=True):
            for name, counts in score(out, gt).items():
                totals[name] = totals.get(name, PRF()) + counts
        row: Row = {"set": folder.name, "engine": engines[key].name, "pages": len(paths)}
        for name, counts in totals.items():
            row |= {f"{name}precision": counts.precision, f"{name}recall": counts.recall, f"{name}hmean": counts.hmean}
        rows.append(
            row | {"seconds_per_page": seconds[key] / len(paths), "pages_per_second": len(paths) / seconds[key]}
        )
    return rows


def det_score(polygons: list[np.ndarray], gt: list[RegionLabel]) -> dict[str, PRF]:
    return {"": match_detections(polygons, gt)}


def e2e_score(words: Words, gt: list[RegionLabel]) -> dict[str, PRF]:
    return {
        "word_": match_words(words, gt),
        "word_nocase_": match_words(words, gt, case_sensitive=False),
        "det_": match_detections([poly for poly, _ in words], gt),
    }


def add_ratios(rows: list[Row], speed: str) -> None:
    """``x_ppocr``: each row's speed over PP-OCRv4's on the same set (higher is faster)."""
    base = {r["set"]: r[speed] for r in rows if r["engine"] == PPOCRv4.name}
    for row in rows:
        if row["set"] in base:
            row["x_ppocr"] = row[speed] / base[row["set"]]


def print_table(title: str, rows: list[Row], columns: list[tuple[str, str, str]]) -> None:
    """A markdown table: ``columns`` are (header, key, format spec)."""
    print(f"\n## {title}\n")
    print("| set | engine | " + " | ".join(h for h, _, _ in columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    for row in rows:
        cells = [format(row[k], spec) if k in row else "" for _, k, spec in columns]
        print(f"| {row['set']} | {row['engine']} | " + " | ".join(cells) + " |")


def installed_version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def machine(threads: int, tesseract: Tesseract | None) -> Row:
    """The machine and the versions of what ran (a peer that is not installed says so: it may not have been asked)."""
    tess = "not installed"
    if shutil.which("tesseract"):
        tess = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return {
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "threads": threads,
        "load_average_1min": os.getloadavg()[0],
        "versions": {
            "ocdr": version("ocdr"),
            "rapidocr-onnxruntime": installed_version("rapidocr-onnxruntime"),
            "onnxruntime": version("onnxruntime"),
            "tesseract": tess,
        },
        "tesseract_processes": tesseract.jobs if tesseract else 0,
        "tesseract_omp_thread_limit": tesseract.omp_threads if tesseract else 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["rec", "cls", "det", "e2e", "all"])
    parser.add_argument(
        "--limit", type=int, help="crops or pages per set (0: all); default 500 rec and cls, 50 det, 40 e2e"
    )
    parser.add_argument("--threads", type=int, default=2, help="ONNX Runtime intra-op threads; Tesseract processes")
    parser.add_argument("--sets", nargs="+", help="set names under --data or folders (default: all sets of a mode)")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared/data folder")
    keys = [
        "ocdr",
        "ocdr_once",
        "ocdr_no_lexicon",
        "ocdr_int8",
        "ocdr_int8_processes",
        "ocdr_synthetic",
        "ppocr",
        "tesseract",
    ]
    only_named = ("ocdr_once", "ocdr_no_lexicon", "ocdr_int8", "ocdr_int8_processes")
    parser.add_argument(
        "--engines",
        nargs="+",
        choices=keys,
        default=[k for k in keys if k not in only_named],
        help="ppocr: PP-OCRv4 mobile (RapidOCR); ocdr_synthetic: ocdr's weights trained on synthetic data alone; "
        "ocdr_once: each crop read once (use_rec_variants off); ocdr_no_lexicon: greedy readings, no word list; "
        "ocdr_int8: the shipped int8 det and rec; ocdr_int8_processes: the same as --threads single-thread "
        "processes, as Tesseract runs (e2e only; these four run only when named)",
    )
    parser.add_argument(
        "--line-sets", nargs="*", default=LINE_SETS, help="page sets scored on text segments (det and e2e)"
    )
    parser.add_argument(
        "--tesseract-omp",
        action="store_true",
        help="one Tesseract process with OMP_THREAD_LIMIT=threads (default: one process per thread)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the --limit samples")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="passes over the same inputs; each engine's speed is its fastest pass (the first pass's outputs are "
        "scored: every engine reads the same each pass)",
    )
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if "tesseract" in args.engines and not shutil.which("tesseract"):
        parser.error(
            "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng): "
            "install it, or name --engines without it"
        )

    tesseract = Tesseract(args.threads, args.tesseract_omp) if "tesseract" in args.engines else None
    makers = {
        "ocdr": lambda: Ocdr(args.threads),
        "ocdr_no_lexicon": lambda: Ocdr(args.threads, lexicon=None),
        "ocdr_once": lambda: Ocdr(args.threads, use_rec_variants=False),
        "ocdr_int8": lambda: Ocdr(args.threads, precision="int8"),
        "ocdr_int8_processes": lambda: OcdrProcesses(args.threads, precision="int8"),
        "ocdr_synthetic": lambda: Ocdr(args.threads, "synthetic"),
        "ppocr": lambda: PPOCRv4(args.threads),
        "tesseract": lambda: tesseract,
    }
    engines = {key: makers[key]() for key in args.engines}
    info = machine(args.threads, tesseract)
    print(f"{info['cpus']} CPUs, {args.threads} threads, load average {info['load_average_1min']:.2f} at the start")
    print(", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    modes = ["rec", "cls", "det", "e2e"] if args.mode == "all" else [args.mode]
    figures: dict[str, Any] = {"machine": info, "rounds": args.rounds}
    for mode in modes:
        limit = DEFAULT_LIMIT[mode] if args.limit is None else args.limit
        folders = resolve_sets(args.sets or DEFAULT_SETS[mode], mode, args.data)
        if not folders:
            print(f"\n{mode}: no {mode} set found among {args.sets or DEFAULT_SETS[mode]}", file=sys.stderr)
            continue
        rows: list[Row] = []
        for folder in folders:
            if mode == "rec":
                rows += run_rec(folder, engines, limit, args.seed, args.rounds)
            elif mode == "cls":
                rows += run_cls(folder, engines, limit, args.seed, args.rounds)
            else:
                call, score = ("detect", det_score) if mode == "det" else ("read_page", e2e_score)
                if folder.name in args.line_sets:
                    call = "detect_lines" if mode == "det" else "read_lines"
                rows += page_rows(folder, engines, limit, args.seed, call, score, args.rounds)
        if mode == "rec" and len(folders) > 1:
            rows += pooled(rows)
        limit_text = f"up to {limit} a set" if limit else "all"
        speed, title, columns = TABLES[mode]
        add_ratios(rows, speed)
        title = title.format(limit=limit_text, threads=args.threads) + f", fastest of {args.rounds} rounds"
        print_table(title, rows, columns)
        figures[mode] = rows
    info["load_average_1min_end"] = os.getloadavg()[0]
    print(f"\nload average {info['load_average_1min_end']:.2f} at the end: speeds under load compare only as ratios")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
