"""Seconds and peak resident memory of ``ocdr read`` with ONNX Runtime's CPU memory arena kept between model calls
(the default) and handed back after each (``--no-memory-arena``).

    python benchmarks/read_memory.py --inputs runs/det_real/val/*/images --threads 2 --runs 2
    python benchmarks/read_memory.py --pdf-pages 20 --threads 2       # a scanned-looking PDF, rendered here

Each run is a fresh ``ocdr read`` process (JSON output to a temporary file), the two settings alternating so that a
change in the machine's load falls on both; its resident memory is sampled every 0.2 s (``cost_scaling.py``'s
``rss_of_run``). Prints one row per run and the medians. The PDF is ``cost_scaling.py``'s: A4 pages at 150 dpi,
JPEG-compressed, ten rendered pages cycled.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from cost_scaling import make_pdf, rss_of_run

SETTINGS = {"arena kept (default)": [], "--no-memory-arena": ["--no-memory-arena"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", nargs="*", default=[], help="images, PDFs or folders for ocdr read")
    parser.add_argument("--pdf-pages", type=int, default=0, help="also read a rendered PDF of this many pages")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=77)
    args = parser.parse_args()
    if not args.inputs and not args.pdf_pages:
        parser.error("give --inputs, --pdf-pages or both")
    rows: dict[str, list[tuple[float, float]]] = {name: [] for name in SETTINGS}
    with tempfile.TemporaryDirectory() as tmp:
        inputs = list(args.inputs)
        if args.pdf_pages:
            pdf = Path(tmp) / "pages.pdf"
            make_pdf(pdf, args.pdf_pages, args.seed)
            inputs.append(str(pdf))
        command = [sys.executable, "-m", "ocdr.cli", "read", *inputs, "--format", "json", "--threads"]
        command += [str(args.threads), "-q", "-o", str(Path(tmp) / "out.json")]
        print("| setting | run | seconds | peak RSS MB |\n|---|---|---|---|")
        for run in range(1, args.runs + 1):
            for name, flags in SETTINGS.items():
                seconds, first, second = rss_of_run(command + flags)
                rows[name].append((seconds, max(first, second)))
                print(f"| {name} | {run} | {seconds:.1f} | {max(first, second):.0f} |", flush=True)
    print("\n| setting | median seconds | median peak RSS MB |\n|---|---|---|")
    for name, got in rows.items():
        print(f"| {name} | {statistics.median(s for s, _ in got):.1f} | {statistics.median(m for _, m in got):.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
