"""How often ocdr finds a camera-shake smear (``ocdr.deblur.motion_blur``) where there is one, and where there is none.

    ocdr synth pages --out work_data/eval_pages --count 20 --seed 1000      # the 300 dpi pages (once)
    python benchmarks/motion_blur.py --pages 3                              # smears on the first 3 of them
    python benchmarks/motion_blur.py --pages 0 --sharp work_data/eval_pages runs/det_real/val/funsd_train ...

Each smear (a box ``length`` pixels long at ``degrees`` below the x axis, then Gaussian noise of ``noise`` gray levels
and JPEG at ``quality``, 0 for none) is applied to the first ``--pages`` pages of ``--data``; the table gives in how
many it is found, and how far the found length and direction are from the smear's. ``--sharp`` folders (any page
set with an ``images/`` folder) are looked at as they are, at ``--scales`` and saved as JPEG at ``--qualities``: a
smear found there is a false alarm, and the pipeline would deconvolve a sharp page with it. Prints markdown
tables.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import cv2
import numpy as np
from degraded_pages import jpeg

from ocdr.deblur import motion_blur, smear

# (length, degrees, noise, JPEG quality)
SMEARS = [
    (4, 0, 0, 0),
    (5, 0, 0, 0),
    (9, 0, 0, 0),
    (9, 20, 0, 0),
    (12, 45, 0, 0),
    (14, 100, 0, 0),
    (20, 70, 0, 0),
    (30, 20, 0, 0),
    (9, 0, 3, 0),
    (9, 20, 3, 0),
    (20, 70, 3, 0),
    (12, 45, 5, 0),
    (5, 0, 10, 0),
    (9, 0, 10, 0),
    (9, 0, 0, 85),
    (9, 0, 3, 90),
    (9, 0, 3, 85),
    (9, 0, 3, 75),
    (9, 20, 3, 85),
    (12, 45, 3, 85),
    (20, 70, 3, 85),
    (5, 0, 3, 85),
    (7, 30, 3, 60),
]


def smeared(gray: np.ndarray, length: float, degrees: float, noise: float, quality: int, seed: int) -> np.ndarray:
    out = smear(gray, length, degrees)
    if noise:
        out = np.clip(out + np.random.default_rng(seed).normal(0, noise, out.shape), 0, 255).astype(np.uint8)
    return jpeg(out, quality) if quality else out


def images(folder: Path) -> list[Path]:
    found = sorted(p for p in (folder / "images").iterdir() if p.suffix.lower() in {".png", ".jpg", ".jpeg", ".tif"})
    if not found:
        raise SystemExit(f"{folder}/images: no page images")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("work_data/eval_pages"))
    parser.add_argument("--pages", type=int, default=3, help="pages of --data to smear (0: none)")
    parser.add_argument("--sharp", type=Path, nargs="*", default=[], help="page folders that must show no smear")
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0], help="--sharp pages at these scales")
    parser.add_argument(
        "--qualities", type=int, nargs="+", default=[0], help="--sharp pages saved as JPEG at these qualities (0: not)"
    )
    args = parser.parse_args(argv)
    if args.pages:
        pages = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in images(args.data)[: args.pages]]
        print(f"| smear (of {len(pages)} pages of {args.data}) | found | length error (px) | direction error (deg) |")
        print("|---|---|---|---|")
        for length, degrees, noise, quality in SMEARS:
            errors = []
            for seed, page in enumerate(pages):
                blur = motion_blur(smeared(page, length, degrees, noise, quality, seed))
                if blur is not None:
                    turn = math.degrees(math.atan2(blur.dy, blur.dx)) - degrees
                    errors.append((abs(blur.length - length), abs((turn + 90) % 180 - 90)))
            what = f"{length} px at {degrees} deg" + (f", noise {noise}" if noise else "")
            what += f", JPEG {quality}" if quality else ""
            cells = (
                [f"{e:.{d}f}" for e, d in zip(np.mean(errors, axis=0), (2, 1), strict=True)] if errors else ["-"] * 2
            )
            print(f"| {what} | {len(errors)}/{len(pages)} | {cells[0]} | {cells[1]} |")
    if args.sharp:
        print("\n| pages not smeared | scale | JPEG | pages | smear found |")
        print("|---|---|---|---|---|")
        for folder in args.sharp:
            paths = images(folder)
            for scale in args.scales:
                for quality in args.qualities:
                    found = 0
                    for path in paths:
                        gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
                        if scale != 1.0:
                            shrink = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
                            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=shrink)
                        found += motion_blur(jpeg(gray, quality) if quality else gray) is not None
                    print(f"| {folder} | {scale:g} | {quality or '-'} | {len(paths)} | {found} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
