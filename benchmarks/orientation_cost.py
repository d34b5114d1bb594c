"""What the optional stages around detection cost, page by page, next to detection itself.

    python benchmarks/orientation_cost.py --data runs/det_real/val/funsd_train --threads 2

Each page image of ``--data`` (an ICDAR-style folder's ``images/``, or any folder of images) goes through the
pipeline's stages one at a time, ``--repeat`` times; the table gives the median milliseconds per page of:

- deskew (``use_deskew``): the page's skew measured (``ocdr.deskew.estimate_skew``, +-45 degrees) and, where it
  is 0.2 degrees or more, the page straightened (``straighten``), with the share of pages straightened;
- unwarping (``use_doc_unwarping``): the search for a photographed sheet's outline (``ocdr.unwarp.find_page``)
  and, where one is found, its flattening (``flatten``), with the share of pages where one was found;
- page orientation: the page classifier (``PageClassifier``) and its 0/180 check on the longest detected regions
  (``OCRPipeline.check_upside_down``), which together make ``use_doc_orientation_classify`` on a page the classifier
  is sure of; a page it is not sure of (photos) is instead read turned each way until a reading is plainly text, so
  the table also gives the whole read with and without the stage, and the share of such pages;
- detection (for scale);
- text-line orientation (``OCRPipeline.orient``: every detected region classified, pooled per line), per page and
  per region;
- layout (``group_words`` on the page's recognized words).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from ocdr import OCR
from ocdr.deskew import estimate_skew, straighten
from ocdr.io.inputs import Source, iter_pages
from ocdr.io.labels import page_images
from ocdr.layout.grouping import group_words
from ocdr.pipeline import MIN_SKEW, PAGE_SURE
from ocdr.unwarp import find_page, flatten


def _ms(seconds: list[float]) -> float:
    return 1000 * statistics.median(seconds)


def measure(data: Path, threads: int, repeat: int) -> dict[str, float]:
    ocr = OCR(threads=threads)
    pipeline, params = ocr.pipeline, ocr.params
    both = params.with_overrides(use_textline_orientation=True)
    staged = params.with_overrides(use_doc_orientation_classify=True)
    keys = ("page", "check", "detect", "orient", "layout", "unwarp", "read", "staged", "deskew")
    times: dict[str, list[float]] = {k: [] for k in keys}
    per_region: list[float] = []
    sheets = unsure = skewed = 0
    images = [next(iter_pages(Source(str(path), path))).image for path in page_images(data)]
    for _ in range(repeat):
        for image in images:
            t0 = time.perf_counter()
            unsure += pipeline.page_classifier(image)[1] < PAGE_SURE
            t1 = time.perf_counter()
            detections = pipeline.detector(image, params)
            t2 = time.perf_counter()
            pipeline.check_upside_down(image, detections, 1.0)
            t3 = time.perf_counter()
            pipeline.orient(image, [d.polygon for d in detections], both)
            t4 = time.perf_counter()
            words = pipeline.read_page(image, params).words
            t5 = time.perf_counter()
            group_words(words)
            t6 = time.perf_counter()
            if (outline := find_page(image)) is not None:
                flatten(image, outline)
                sheets += 1
            t7 = time.perf_counter()
            pipeline.read_page(image, staged)
            t8 = time.perf_counter()
            if abs(skew := estimate_skew(image)) >= MIN_SKEW:
                straighten(image, skew)
                skewed += 1
            t9 = time.perf_counter()
            spans = (t1 - t0, t3 - t2, t2 - t1, t4 - t3, t6 - t5, t7 - t6, t5 - t4, t8 - t7, t9 - t8)
            for key, seconds in zip(times, spans, strict=True):
                times[key].append(seconds)
            per_region.append((t4 - t3) / max(1, len(detections)))
    figures = {key: _ms(seconds) for key, seconds in times.items()}
    figures["orient_per_region"] = _ms(per_region)
    figures["pages"] = len(images)
    figures["sheets"] = sheets / max(1, repeat * len(images))
    figures["unsure"] = unsure / max(1, repeat * len(images))
    figures["skewed"] = skewed / max(1, repeat * len(images))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="page images (a folder, or an ICDAR folder)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    f = measure(args.data, args.threads, args.repeat)
    print(
        "| pages | deskew (straightened) | unwarping (sheets found) | page classifier | its 0/180 check | detection "
        "| text-line orientation (per region) | layout | whole read: plain / page stage on (pages read four ways) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {f['pages']} | {f['deskew']:.1f} ms ({f['skewed']:.0%}) | {f['unwarp']:.1f} ms ({f['sheets']:.0%}) | "
        f"{f['page']:.1f} ms | {f['check']:.1f} ms | "
        f"{f['detect']:.1f} ms | {f['orient']:.1f} ms ({f['orient_per_region']:.2f} ms) | {f['layout']:.1f} ms | "
        f"{f['read']:.0f} / {f['staged']:.0f} ms ({f['unsure']:.0%}) |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
