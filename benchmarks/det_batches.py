"""How fast the detector's trainer gets its training batches: crops made in N worker processes and handed to the
training process, with no model (on a GPU the step is fast and this is the limit).

    python benchmarks/det_batches.py --data runs/det_real/val/funsd_train runs/det_real/val/sroie_train --workers 2

Prints a table: batches per second and crops per second (after a warm-up of as many batches as workers times the
prefetch), and the megabytes one batch carries from a worker to the trainer.
"""

from __future__ import annotations

import argparse
import time
from functools import partial

from ocdr.training.det_data import load_det_dataset
from ocdr.training.loop import batch_stream
from ocdr.training.train_det import crop_batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", required=True, help="ICDAR page folders")
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 2])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--crop-size", type=int, default=512)
    parser.add_argument("--batches", type=int, default=40)
    args = parser.parse_args()

    pools = [load_det_dataset(folder) for folder in args.data]
    make = partial(crop_batch, pools, [1 / len(pools)] * len(pools), args.crop_size, args.batch_size)
    print("| workers | batches/s | crops/s | MB a batch |")
    print("|---|---|---|---|")
    for workers in args.workers:
        stream = batch_stream(make, 0, workers)
        for _ in range(max(1, 4 * workers)):  # the prefetch queue filled
            batch = next(stream)
        t0 = time.perf_counter()
        for _ in range(args.batches):
            batch = next(stream)
        rate = args.batches / (time.perf_counter() - t0)
        mb = sum(v.numel() * v.element_size() for v in batch.values()) / 2**20
        print(f"| {workers} | {rate:.2f} | {rate * args.batch_size:.0f} | {mb:.1f} |")
        del stream


if __name__ == "__main__":
    main()
