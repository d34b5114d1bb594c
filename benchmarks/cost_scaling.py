"""How the cost of a page grows: time against page pixels and against words per page (log-log slopes), and memory
over a 100-page PDF.

    python benchmarks/cost_scaling.py --threads 2            # all three tables
    python benchmarks/cost_scaling.py --skip-pdf --runs 2    # quicker

* Pixels: one synthetic page (fixed text) scaled from 1/4 to 2x of A4 at 300 DPI (0.5 to 35 megapixels): the
  same words on ever larger images.
* Words: A4 at 200 DPI, body text from 40 pt down to 6 pt, so the same pixels carry from a few dozen to about two
  thousand words.
* Memory: ``ocdr read`` (a fresh process, 2 threads) on a 10-page and a 100-page PDF of the same pages; its resident
  memory is sampled every 0.2 s. Bounded means the 100-page peak stays near the 10-page one.

Times are the median of ``--runs`` runs after one warm-up; a slope is the least-squares fit of log(seconds) against
log(pixels) or log(words): 1.0 is linear, below 1 grows slower than the input.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from ocdr import OCR
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import PageStyle, render_page
from ocdr.training.synth.text import TextSampler

SCALES = (0.25, 0.354, 0.5, 0.707, 1.0, 1.414, 2.0)  # page sides: pixels double from row to row
POINT_SIZES = (40, 28, 20, 14, 10, 8, 6)


def timed(ocr: OCR, image: np.ndarray, runs: int) -> tuple[float, int]:
    """Median seconds of ``ocr.pipeline.read_page`` after a warm-up, and the words read."""
    page = ocr.pipeline.read_page(image, ocr.params)
    seconds = []
    for _ in range(runs):
        t0 = time.perf_counter()
        page = ocr.pipeline.read_page(image, ocr.params)
        seconds.append(time.perf_counter() - t0)
    return statistics.median(seconds), len(page.words)


def slope(xs: list[float], ys: list[float]) -> float:
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


def by_pixels(ocr: OCR, runs: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    base, _ = render_page(TextSampler(rng), find_fonts(), rng, PageStyle(dpi=300, noise=0.0, min_pt=9, max_pt=12))
    rows = []
    for scale in SCALES:
        image = cv2.resize(
            base, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        )
        image = np.ascontiguousarray(np.repeat(image[:, :, None], 3, axis=2)) if image.ndim == 2 else image
        seconds, words = timed(ocr, image, runs)
        h, w = image.shape[:2]
        rows.append({"width": w, "height": h, "megapixels": w * h / 1e6, "seconds": seconds, "words": words})
    return rows


def by_words(ocr: OCR, runs: int, seed: int) -> list[dict]:
    rows = []
    fonts = find_fonts()
    for pt in POINT_SIZES:
        rng = np.random.default_rng(seed + pt)
        image, labels = render_page(TextSampler(rng), fonts, rng, PageStyle(dpi=200, noise=0.0, min_pt=pt, max_pt=pt))
        image = np.ascontiguousarray(np.repeat(image[:, :, None], 3, axis=2)) if image.ndim == 2 else image
        seconds, words = timed(ocr, image, runs)
        rows.append({"point_size": pt, "true_words": len(labels), "words": words, "seconds": seconds})
    return rows


def make_pdf(path: Path, pages: int, seed: int) -> None:
    """A scanned-looking PDF: ``pages`` pages cycled from 10 rendered A4 pages at 150 DPI, JPEG-compressed."""
    rng = np.random.default_rng(seed)
    sampler, fonts = TextSampler(rng), find_fonts()
    frames = []
    for _ in range(min(10, pages)):
        image, _ = render_page(sampler, fonts, rng, PageStyle(dpi=150, noise=0.5))
        buffer = io.BytesIO()
        Image.fromarray(image).convert("L").save(buffer, "JPEG", quality=80)
        frames.append(Image.open(io.BytesIO(buffer.getvalue())))
    frames = [frames[i % len(frames)] for i in range(pages)]
    frames[0].save(path, "PDF", save_all=True, append_images=frames[1:], resolution=150)


def rss_of_run(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds of a command and its peak resident memory (MB, sampled every 0.2 s) over the first and the
    second half of the run: memory that stays bounded peaks as high in the first half as in the second."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, int]] = []
    while proc.poll() is None:
        try:
            status = Path(f"/proc/{proc.pid}/status").read_text()
            rss = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
            samples.append((time.perf_counter() - t0, rss))
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            pass
        time.sleep(0.2)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {proc.stderr.read()[-400:]}")
    seconds = time.perf_counter() - t0
    first = max((rss for t, rss in samples if t <= seconds / 2), default=0)
    second = max((rss for t, rss in samples if t > seconds / 2), default=0)
    return seconds, first / 1024, second / 1024


def pdf_memory(threads: int, seed: int) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for pages in (10, 100):
            pdf = Path(tmp) / f"{pages}.pdf"
            make_pdf(pdf, pages, seed)
            out = Path(tmp) / f"{pages}.json"
            command = [sys.executable, "-m", "ocdr.cli", "read", str(pdf), "--format", "json"]
            command += ["--threads", str(threads), "-q", "-o", str(out)]
            seconds, first, second = rss_of_run(command)
            rows.append(
                {
                    "pages": pages,
                    "seconds": seconds,
                    "s_per_page": seconds / pages,
                    "peak_rss_mb": max(first, second),
                    "peak_first_half_mb": first,
                    "peak_second_half_mb": second,
                }
            )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=77)
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    figures: dict = {"threads": args.threads}

    rows = figures["pixels"] = by_pixels(ocr, args.runs, args.seed)
    print(f"\n## Time against page pixels (same text, {args.threads} threads)\n")
    print("| image | megapixels | seconds/page | words read |\n|---|---|---|---|")
    for r in rows:
        print(f"| {r['width']}x{r['height']} | {r['megapixels']:.2f} | {r['seconds']:.3f} | {r['words']} |")
    figures["pixels_slope"] = slope([r["megapixels"] for r in rows], [r["seconds"] for r in rows])
    print(f"\nlog-log slope, seconds against pixels: {figures['pixels_slope']:.2f}")

    rows = figures["words"] = by_words(ocr, args.runs, args.seed)
    print(f"\n## Time against words per page (A4 at 200 DPI, {args.threads} threads)\n")
    print("| body text | words on the page | words read | seconds/page | ms/word |\n|---|---|---|---|---|")
    for r in rows:
        ms = 1000 * r["seconds"] / max(1, r["words"])
        print(f"| {r['point_size']} pt | {r['true_words']} | {r['words']} | {r['seconds']:.3f} | {ms:.2f} |")
    figures["words_slope"] = slope([max(1, r["words"]) for r in rows], [r["seconds"] for r in rows])
    print(f"\nlog-log slope, seconds against words: {figures['words_slope']:.2f}")

    if not args.skip_pdf:
        rows = figures["pdf"] = pdf_memory(args.threads, args.seed)
        print(f"\n## `ocdr read` on a long PDF (A4 at 150 DPI, {args.threads} threads, a fresh process)\n")
        print("| pages | seconds | s/page | peak RSS MB | peak in the first / second half of the run |")
        print("|---|---|---|---|---|")
        for r in rows:
            print(
                f"| {r['pages']} | {r['seconds']:.1f} | {r['s_per_page']:.2f} | {r['peak_rss_mb']:.0f} | "
                f"{r['peak_first_half_mb']:.0f} / {r['peak_second_half_mb']:.0f} |"
            )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
