"""The same batch job in one process, on N worker processes and on a local N-worker Ray cluster: wall time, pages/s,
and whether every output file is byte-identical to the one-process run.

    python benchmarks/batch_scale.py --pages 200 --workers 2            # needs the 'ray' extra for the Ray row

The job: page images from --images (default: the FUNSD training pages), half of them as one long PDF (so that its
pages must spread over the workers) and the rest as single PNG files. Each runner is a fresh ``ocdr read`` process,
so wall time includes starting up (loading the models in every worker, starting Ray). Prints a table.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
FUNSD = REPO.parent / "shared" / "data" / "detection" / "funsd_train" / "images"
PDF_DPI = 100  # the PDF's pages are rendered back at this DPI: the images' own size


def make_job(images: Path, pages: int, folder: Path, scale: float = 1.0) -> None:
    """``folder/long.pdf`` with the first half of ``pages`` page images, ``folder/png/NNNN.png`` with the rest
    (the images are cycled through when there are fewer than ``pages``), resized by ``scale``."""
    files = sorted(p for p in images.iterdir() if p.suffix.lower() in {".png", ".jpg", ".jpeg", ".tif", ".tiff"})
    if not files:
        raise SystemExit(f"no page images in {images}")

    def load(path: Path) -> Image.Image:
        image = Image.open(path).convert("RGB")
        return image.resize((round(image.width * scale), round(image.height * scale))) if scale != 1 else image

    chosen = [files[i % len(files)] for i in range(pages)]
    in_pdf = chosen[: pages // 2]
    (folder / "png").mkdir(parents=True)
    if in_pdf:
        frames = [load(path) for path in in_pdf]
        frames[0].save(folder / "long.pdf", "PDF", save_all=True, append_images=frames[1:], resolution=PDF_DPI)
    for i, path in enumerate(chosen[pages // 2 :]):
        load(path).save(folder / "png" / f"{i:04d}.png")


def run(job: Path, out: Path, fmt: str, extra: list[str]) -> float | None:
    """Wall seconds of one ``ocdr read`` batch run; None (and its stderr shown) if it failed."""
    command = [sys.executable, "-m", "ocdr.cli", "read", str(job), "-o", f"{out}/", "--format", fmt, "-q"]
    command += ["--dpi", str(PDF_DPI), *extra]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        print(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}", file=sys.stderr)
        return None
    return seconds


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (one process: workers x threads)")
    parser.add_argument("--format", default="json", help="output format (see ocdr read --format)")
    parser.add_argument("--images", type=Path, default=FUNSD, help="folder of page images")
    parser.add_argument("--scale", type=float, default=1.0, help="resize the page images by this factor")
    parser.add_argument("--no-ray", action="store_true", help="leave out the Ray row")
    parser.add_argument("--ray-address", default="local", help="--ray's value: local (a new instance), auto, HOST:PORT")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        job = Path(tmp) / "job"
        make_job(args.images, args.pages, job, args.scale)
        n, threads = str(args.workers), str(args.threads)
        runners = {
            "one process": ["--threads", str(args.workers * args.threads)],
            f"--workers {n}": ["--workers", n, "--threads", threads],
        }
        if not args.no_ray:
            ray = ["--ray", args.ray_address, "--workers", n, "--threads", threads]
            runners[f"--ray {args.ray_address} ({n} actors)"] = ray
        rows: list[tuple[str, float | None, bool]] = []
        reference: dict[str, bytes] | None = None
        for name, extra in runners.items():
            out = Path(tmp) / f"out{len(rows)}"
            seconds = run(job, out, args.format, extra)
            if seconds is None and reference is None:
                raise SystemExit("the one-process run failed: nothing to compare with")
            outputs = files(out) if seconds is not None else None
            reference = reference if reference is not None else outputs
            rows.append((name, seconds, outputs == reference))
        print(
            f"{args.pages} pages ({args.pages // 2} in one PDF, scale {args.scale}), format {args.format}, "
            f"{len(reference or {})} output files"
        )
        print("| runner | pages | wall s | pages/s | identical |\n|---|---|---|---|---|")
        for name, seconds, same in rows:
            timing = f"{seconds:.1f} | {args.pages / seconds:.2f}" if seconds else "failed | -"
            print(f"| {name} | {args.pages} | {timing} | {'yes' if same else 'NO'} |")
        if not all(same for *_, same in rows):
            sys.exit(1)


if __name__ == "__main__":
    main()
