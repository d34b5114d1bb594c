"""``ocdr bench``: what this machine does with each precision and device: detector images/s at 640x640 and at page
size, recognizer crops/s, whole pages/s, and peak memory.

Inputs are rendered once with a fixed seed (a US-letter page of synthetic text, the recognizer crops that
``ocdr synth lines`` makes), so runs on different machines compare. Each configuration runs in a fresh process:
its peak RSS is its own, not the largest of those before it. Needs the fonts of scripts/install-fonts.sh and
fontTools (the ``train`` or ``eval`` extra).
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

import cv2
import numpy as np
import onnxruntime as ort

from ocdr.runtime.session import DEVICES, PROVIDER

DET_SIDE = 640  # the square detector input of detection benchmarks (DBNet's usual training size)


@dataclass
class BenchInputs:
    page: np.ndarray  # HxWx3 uint8 RGB
    crops: list[np.ndarray]  # gray uint8


@dataclass
class BenchRow:
    device: str
    precision: str
    threads: int | None
    det_square_per_s: float
    det_page_per_s: float
    det_page_input: str  # the detector's input size for the page, after its default resize
    rec_crops_per_s: float
    e2e_pages_per_s: float
    peak_rss_mb: float


def available_devices() -> list[str]:
    """The devices whose providers this onnxruntime has (a GPU provider may still fail to attach)."""
    return [d for d in DEVICES if PROVIDER[d] in ort.get_available_providers()]


def render_inputs(seed: int = 0, crops: int = 256, dpi: float = 200.0) -> BenchInputs:
    """A clean US-letter page at ``dpi`` and ``crops`` degraded word and line crops, all from ``seed``."""
    from ocdr.training.synth.fonts import find_fonts
    from ocdr.training.synth.render import PageStyle, render_page, sample_crop
    from ocdr.training.synth.text import TextSampler

    rng = np.random.default_rng(seed)
    fonts = find_fonts()
    sampler = TextSampler(rng)
    page, _ = render_page(sampler, fonts, rng, PageStyle(dpi=dpi, width_in=8.5, height_in=11.0, noise=0.0))
    return BenchInputs(page, [sample_crop(sampler, fonts, rng).image for _ in range(crops)])


def _rate(items: int, call: Callable[[], object], repeat: int) -> float:
    """Items per second: the median of ``repeat`` timed calls after one warm-up call."""
    call()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return items / max(statistics.median(times), 1e-9)


def measure(device: str, precision: str, inputs: BenchInputs, threads: int | None, repeat: int) -> BenchRow:
    """One configuration's figures; meant to run in a process of its own (peak RSS is the process's)."""
    from ocdr.api import OCR
    from ocdr.pipeline import detector_sizes

    ocr = OCR(threads=threads, device=device, precision=precision)
    pipe, params = ocr.pipeline, ocr.params
    square = cv2.resize(inputs.page, (DET_SIDE, DET_SIDE), interpolation=cv2.INTER_AREA)
    page_size = detector_sizes(inputs.page, params)[0]
    return BenchRow(
        device=device,
        precision=precision,
        threads=threads,
        det_square_per_s=_rate(1, lambda: pipe.detector(square, params), repeat),
        det_page_per_s=_rate(1, lambda: pipe.detector(inputs.page, params), repeat),
        det_page_input=f"{page_size[1]}x{page_size[0]}",
        rec_crops_per_s=_rate(len(inputs.crops), lambda: pipe.recognizer(inputs.crops, params.rec_batch_size), repeat),
        e2e_pages_per_s=_rate(1, lambda: pipe.read_page(inputs.page, params), repeat),
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def run_bench(
    devices: list[str],
    precisions: list[str],
    inputs: BenchInputs,
    threads: int | None = None,
    repeat: int = 3,
) -> list[BenchRow]:
    """Every device x precision, each in a fresh process."""
    rows = []
    for device in devices:
        for precision in precisions:
            with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                rows.append(pool.submit(measure, device, precision, inputs, threads, repeat).result())
    return rows


def format_table(rows: list[BenchRow], inputs: BenchInputs) -> str:
    """A Markdown table, one row per configuration, headed by what was measured."""
    height, width = inputs.page.shape[:2]
    header = [
        "device",
        "precision",
        "threads",
        f"det {DET_SIDE}x{DET_SIDE} img/s",
        f"det page {width}x{height} img/s",
        "det page input",
        f"rec crops/s ({len(inputs.crops)} crops)",
        "e2e pages/s",
        "peak RSS MB",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        cells = [r.device, r.precision, str(r.threads or "all")]
        cells += [f"{r.det_square_per_s:.2f}", f"{r.det_page_per_s:.2f}", r.det_page_input]
        cells += [f"{r.rec_crops_per_s:.0f}", f"{r.e2e_pages_per_s:.2f}", f"{r.peak_rss_mb:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine_line() -> str:
    """What the figures depend on besides the code: CPU count, onnxruntime and its providers, and the load."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{os.cpu_count()} CPUs, onnxruntime {ort.__version__} ({', '.join(ort.get_available_providers())}), "
        f"load average {load:.2f} at start"
    )
