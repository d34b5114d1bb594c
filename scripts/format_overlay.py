"""Viewer-style check of the hOCR and ALTO exporters: read both files back with a plain XML parser, as a viewer
would, and draw what they say onto the page: hOCR word boxes in red, ALTO line boxes in blue, ALTO baselines in green.

    python scripts/format_overlay.py samples/letter.png docs/images/formats-overlay.png
"""

from __future__ import annotations

import argparse
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ocdr import OCR

XHTML = "{http://www.w3.org/1999/xhtml}"
ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"


def hocr_word_boxes(hocr: str) -> list[tuple[int, int, int, int]]:
    boxes = []
    for span in ET.fromstring(hocr).iter(f"{XHTML}span"):
        if span.get("class") == "ocrx_word":
            x0, y0, x1, y1 = map(int, re.search(r"bbox (\d+) (\d+) (\d+) (\d+)", span.get("title", "")).groups())
            boxes.append((x0, y0, x1, y1))
    return boxes


def alto_lines(alto: str) -> list[tuple[tuple[float, float, float, float], list[tuple[float, float]]]]:
    lines = []
    for line in ET.fromstring(alto).iter(f"{ALTO}TextLine"):
        x, y, w, h = (float(line.get(k)) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT"))
        baseline = [tuple(map(float, point.split(","))) for point in line.get("BASELINE", "").split()]
        lines.append(((x, y, x + w, y + h), baseline))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("image", type=Path)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    image = Image.open(args.image).convert("RGB")
    doc = OCR(threads=2)(np.asarray(image))
    canvas = image.copy()
    draw = ImageDraw.Draw(canvas)
    for box, baseline in alto_lines(doc.export("alto")):
        draw.rectangle(box, outline=(40, 90, 230), width=3)
        draw.line(baseline, fill=(0, 160, 60), width=2)
    for box in hocr_word_boxes(doc.export("hocr")):
        draw.rectangle(box, outline=(220, 30, 30), width=1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(args.output)
    print(f"{args.output}: {len(doc.words)} words, {len(doc.pages[0].lines)} lines")


if __name__ == "__main__":
    main()
