"""Lines of print holding lone characters between words ("dated 3 December", "page / total"): how often the whole
pipeline reads them exactly, as a line cut close and as a line on a page. A lone digit, letter or sign is mostly
blurred stroke edge to the detector, so it scores low and is easily lost (the detector's card, stops 33 and 45).

    python benchmarks/lone_characters.py --count 240 --seed 0 --threads 2
    python benchmarks/lone_characters.py --count 120 --seed 0 --threads 2 --lone -   # spaced dashes only
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
from PIL import Image, ImageDraw

from ocdr import OCR
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import load_font

WORDS = "dated December invoice total number room page items order paid amount due from account the item".split()
LONE = "123456789AaI&$#%-+=/xBC"
SIZES = (14, 18, 24, 32, 40, 56)
MARGINS = (2, 4, 8, 20)
FILLER = "Some other text on the page here"


def sample_lines(count: int, seed: int, lone: str = LONE) -> list[tuple[str, int, str, int]]:
    """(font path, size, text, margin) for ``count`` lines: "word X word", or, one time in three, "Word word X word
    X", X one of ``lone``, in the upright regular faces of the synthetic-data font list."""
    fonts = [
        str(f.path)
        for f in find_fonts()
        if not any(style in f.path.name for style in ("Bold", "Italic", "Oblique", "Mono", "Math"))
    ]
    rng = random.Random(seed)
    lines = []
    for i in range(count):
        font, size, margin = rng.choice(fonts), rng.choice(SIZES), rng.choice(MARGINS)
        words = [rng.choice(WORDS), rng.choice(lone), rng.choice(WORDS)]
        if i % 3 == 0:
            words = [rng.choice(WORDS).title(), *words, rng.choice(lone)]
        text = " ".join(words)
        lines.append((font, size, text, margin))
    return lines


def render(font_path: str, size: int, lines: list[str], margin: int, gap: float = 2.0) -> np.ndarray:
    """``lines`` in black on white, ``margin`` pixels around their ink, ``gap`` font sizes from one to the next."""
    font = load_font(font_path, size)
    boxes = [font.getbbox(line) for line in lines]
    width = max(right - left for left, _, right, _ in boxes) + 2 * margin
    step = int(gap * size)
    height = boxes[-1][3] - boxes[0][1] + step * (len(lines) - 1) + 2 * margin
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for i, (line, (left, _, _, _)) in enumerate(zip(lines, boxes, strict=True)):
        draw.text((margin - left, margin - boxes[0][1] + i * step), line, font=font, fill="black")
    return np.asarray(image)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=240)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--lone", default=LONE, help="the lone characters drawn from (default: %(default)s)")
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    lines = sample_lines(args.count, args.seed, args.lone)
    close = on_page = 0
    start = time.perf_counter()
    for font, size, text, margin in lines:
        close += ocr(render(font, size, [text], margin)).text.split() == text.split()
        page = ocr(render(font, size, [text, FILLER], 60))
        on_page += page.text.split() == f"{text} {FILLER}".split()
    print("| lines | cut close: exact | on a page: exact | s |")
    print("|---|---|---|---|")
    print(
        f"| {len(lines)} | {close / len(lines):.3f} | {on_page / len(lines):.3f} | {time.perf_counter() - start:.0f} |"
    )


if __name__ == "__main__":
    main()
