"""Words read on degraded copies of pages of known text: faxes, 1-bit scans (plain at 100-200 dpi, and dithered),
faint print, blur, heavy JPEG, marker highlights, a watermark, coloured paper, speckle, grain, underexposure, camera
shake (as it is and saved as JPEG), the back showing through, and rules drawn through or around the words
(underlines, strike-throughs, tight boxes).

    ocdr synth pages --out work_data/eval_pages --count 20 --seed 1000      # the 300 dpi pages (once)
    python benchmarks/degraded_pages.py --threads 2                         # ocdr
    python benchmarks/degraded_pages.py --threads 2 --engines ocdr ppocr    # beside PP-OCRv4 mobile (RapidOCR)

Each degradation is applied to the first ``--pages`` pages of ``--data`` (gray, 300 dpi), and the labels follow
the page where it is resized. Faxes are 1-bit at 204 x 98 DPI (standard mode: each pixel about twice as tall as
wide) or 204 x 196 DPI (fine mode); ocdr is told the pixels' shape as a fax's TIFF tags tell it
(``pixel_aspect``); PP-OCRv4 reads the pixels as they are, as it does a file. A word counts when its box has
IoU >= 0.5 with the label's and its text is exact. Prints a markdown table of word F per engine.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))

from peer_engines import Ocdr, PPOCRv4  # noqa: E402

from ocdr.deblur import smear  # noqa: E402
from ocdr.evaluation.metrics import PRF, match_words  # noqa: E402
from ocdr.io.labels import RegionLabel  # noqa: E402
from ocdr.io.page_datasets import read_page_dataset  # noqa: E402

# (image, rng, word boxes) -> (image, x scale, y scale, pixel aspect); images are H x W gray uint8 or H x W x 3 BGR;
# word boxes (x0, y0, x1, y1) of the page's legible labels
Degradation = Callable[[np.ndarray, np.random.Generator, np.ndarray], tuple[np.ndarray, float, float, float]]


def _bilevel(image: np.ndarray, fx: float, fy: float, threshold: int = 128) -> np.ndarray:
    small = cv2.resize(image, None, fx=fx, fy=fy, interpolation=cv2.INTER_AREA)
    return np.where(small > threshold, 255, 0).astype(np.uint8)


def fax_standard(image, rng, words):
    return _bilevel(image, 204 / 300, 98 / 300), 204 / 300, 98 / 300, 204 / 98


def fax_fine(image, rng, words):
    return _bilevel(image, 204 / 300, 196 / 300), 204 / 300, 196 / 300, 204 / 196


def one_bit_200dpi(image, rng, words):
    return _bilevel(image, 2 / 3, 2 / 3, 150), 2 / 3, 2 / 3, 1.0


def one_bit_150dpi(image, rng, words):
    return _bilevel(image, 1 / 2, 1 / 2), 1 / 2, 1 / 2, 1.0


def one_bit_100dpi(image, rng, words):  # an old archive's scan: strokes of small print one pixel thin
    return _bilevel(image, 1 / 3, 1 / 3), 1 / 3, 1 / 3, 1.0


# a 4 x 4 ordered-dither (Bayer) threshold matrix, in gray levels
_BAYER = (np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32) + 0.5) * 16


def _ordered(gray: np.ndarray) -> np.ndarray:
    height, width = gray.shape
    return np.where(gray > np.tile(_BAYER, (height // 4 + 1, width // 4 + 1))[:height, :width], 255, 0).astype(np.uint8)


def _gray_ink_200dpi(image: np.ndarray) -> np.ndarray:  # ink at gray 90, paper white
    small = cv2.resize(image, None, fx=2 / 3, fy=2 / 3, interpolation=cv2.INTER_AREA)
    return (90 + small.astype(np.float32) * (165 / 255)).astype(np.uint8)


def dithered_200dpi(image, rng, words):  # a 1-bit scan in a scanner's dither mode: gray shading becomes dots
    return _ordered(cv2.resize(image, None, fx=2 / 3, fy=2 / 3, interpolation=cv2.INTER_AREA)), 2 / 3, 2 / 3, 1.0


def dithered_gray_ink(image, rng, words):  # gray (or coloured) print so dithered: every stroke is dots
    return _ordered(_gray_ink_200dpi(image)), 2 / 3, 2 / 3, 1.0


def diffused_gray_ink(image, rng, words):  # the same by error diffusion (Floyd-Steinberg): a fax's photo mode
    dots = Image.fromarray(_gray_ink_200dpi(image)).convert("1", dither=Image.Dither.FLOYDSTEINBERG)
    return np.array(dots, np.uint8) * 255, 2 / 3, 2 / 3, 1.0


def faint(image, rng, words):
    return (150 + image.astype(np.float32) * (80 / 255)).astype(np.uint8), 1, 1, 1.0


def blur(image, rng, words):
    return cv2.GaussianBlur(image, (0, 0), 2.5), 1, 1, 1.0


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    """``image`` saved as JPEG at ``quality`` and read back."""
    return cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_UNCHANGED)


def jpeg_150dpi_q12(image, rng, words):
    return jpeg(cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), 12), 0.5, 0.5, 1.0


def highlighter(image, rng, words):
    out = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR).astype(np.float32)
    h, w = image.shape
    colours = [(60, 240, 255), (120, 255, 120), (200, 140, 255), (255, 200, 110)]  # BGR marker inks
    for _ in range(12):
        y, x = int(rng.integers(0, h - 60)), int(rng.integers(0, w // 2))
        out[y : y + 55, x : x + int(rng.integers(300, w // 2))] *= np.float32(colours[int(rng.integers(4))]) / 255
    return out.astype(np.uint8), 1, 1, 1.0


def watermark(image, rng, words):
    h, w = image.shape
    layer = np.zeros((h, w), np.uint8)
    cv2.putText(layer, "CONFIDENTIAL", (int(w * 0.05), int(h * 0.6)), cv2.FONT_HERSHEY_SIMPLEX, 9, 255, 40)
    layer = cv2.warpAffine(layer, cv2.getRotationMatrix2D((w / 2, h / 2), 35, 1), (w, h))
    return (image.astype(np.float32) * (1 - 0.25 * layer / 255)).astype(np.uint8), 1, 1, 1.0


def coloured_paper(image, rng, words):
    t = image.astype(np.float32)[..., None] / 255
    ink, paper = np.float32([120, 40, 10]), np.float32([200, 235, 250])  # BGR: dark blue on pale yellow
    return (ink * (1 - t) + paper * t).astype(np.uint8), 1, 1, 1.0


def _salt_and_pepper(image: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
    out, draw = image.copy(), rng.random(image.shape)
    out[draw < share / 2], out[draw > 1 - share / 2] = 0, 255
    return out


def speckle(image, rng, words):
    return _salt_and_pepper(image, rng, 0.04), 1, 1, 1.0


def light_speckle(image, rng, words):
    return _salt_and_pepper(image, rng, 0.005), 1, 1, 1.0


def grain(image, rng, words):  # sensor noise of a photo in poor light
    return np.clip(image + rng.normal(0, 25, image.shape), 0, 255).astype(np.uint8), 1, 1, 1.0


def underexposed(image, rng, words):  # ink at gray 20, paper at 90
    return (20 + image.astype(np.float32) * (70 / 255)).astype(np.uint8), 1, 1, 1.0


def shake_5px(image, rng, words):  # the camera moved sideways during the exposure
    return smear(image, 5), 1, 1, 1.0


def shake_9px(image, rng, words):
    return smear(image, 9), 1, 1, 1.0


def shake_12px_slanted(image, rng, words):  # down and to the right, 30 degrees below the line
    return smear(image, 12, 30), 1, 1, 1.0


def shake_9px_jpeg(image, rng, words):  # shaken 9 pixels sideways, then saved as a phone saves a photo
    return jpeg(smear(image, 9), 85), 1, 1, 1.0


def shake_12px_slanted_jpeg(image, rng, words):
    return jpeg(smear(image, 12, 30), 85), 1, 1, 1.0


def show_through(image, rng, words):  # thin paper: the back's print (here the page itself, mirrored and shifted) at 15%
    back = np.roll(image[:, ::-1], int(rng.integers(10, 60)), axis=0)
    return np.clip(image - (255 - back.astype(np.float32)) * 0.15, 0, 255).astype(np.uint8), 1, 1, 1.0


def underlined(image, rng, words):  # every word underlined through its descenders, 3 pixels (0.25 mm) thick
    out = image.copy()
    for x0, y0, x1, y1 in words:
        y = int(y1 - 0.22 * (y1 - y0))
        cv2.line(out, (int(x0), y), (int(x1), y), 0, 3)
    return out, 1, 1, 1.0


def struck_through(image, rng, words):  # every word struck through its middle
    out = image.copy()
    for x0, y0, x1, y1 in words:
        cv2.line(out, (int(x0), int((y0 + y1) / 2)), (int(x1), int((y0 + y1) / 2)), 0, 3)
    return out, 1, 1, 1.0


def boxed_words(image, rng, words):  # every word in a box 4 pixels around it, 3 pixels thick: a table's tight cells
    out = image.copy()
    for x0, y0, x1, y1 in words:
        cv2.rectangle(out, (int(x0) - 4, int(y0) - 4), (int(x1) + 4, int(y1) + 4), 0, 2)
    return out, 1, 1, 1.0


def clean(image, rng, words):
    return image, 1, 1, 1.0


DEGRADATIONS: dict[str, Degradation] = {
    f.__name__: f
    for f in (
        clean,
        fax_standard,
        fax_fine,
        one_bit_200dpi,
        one_bit_150dpi,
        one_bit_100dpi,
        dithered_200dpi,
        dithered_gray_ink,
        diffused_gray_ink,
        faint,
        blur,
        jpeg_150dpi_q12,
        highlighter,
        watermark,
        coloured_paper,
        light_speckle,
        speckle,
        grain,
        underexposed,
        shake_5px,
        shake_9px,
        shake_12px_slanted,
        shake_9px_jpeg,
        shake_12px_slanted_jpeg,
        show_through,
        underlined,
        struck_through,
        boxed_words,
    )
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("work_data/eval_pages"))
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--engines", nargs="+", default=["ocdr"], choices=["ocdr", "ppocr"])
    parser.add_argument("--only", nargs="+", choices=list(DEGRADATIONS), help="these degradations alone")
    args = parser.parse_args(argv)
    items = read_page_dataset(args.data)[: args.pages]
    if not items:
        raise SystemExit(f"{args.data}: no labelled pages (see the command in this script's docstring)")
    engines = [Ocdr(args.threads) if name == "ocdr" else PPOCRv4(args.threads) for name in args.engines]
    print(f"| {len(items)} pages of {args.data} | " + " | ".join(f"{e.name}: word F" for e in engines) + " |")
    print("|---|" + "---|" * len(engines))
    for name in args.only or DEGRADATIONS:
        scores = [PRF() for _ in engines]
        for index, (path, labels) in enumerate(items):
            gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            words = np.array([[*lab.polygon.min(axis=0), *lab.polygon.max(axis=0)] for lab in labels if not lab.ignore])
            image, fx, fy, aspect = DEGRADATIONS[name](gray, np.random.default_rng(index), words)
            rgb = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB if image.ndim == 2 else cv2.COLOR_BGR2RGB)
            truth = [RegionLabel(lab.polygon * np.float32([fx, fy]), lab.text, lab.ignore) for lab in labels]
            for k, engine in enumerate(engines):
                words = engine.read_page(rgb, aspect) if isinstance(engine, Ocdr) else engine.read_page(rgb)
                scores[k] = scores[k] + match_words(words, truth)
        print(f"| {name} | " + " | ".join(f"{s.hmean:.3f}" for s in scores) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
