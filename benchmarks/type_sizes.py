"""Words read by type size: pages in type far larger than the detector learnt (posters, slides, headlines).

    python benchmarks/type_sizes.py --threads 2                       # ocdr, and ocdr without the large-print rules
    python benchmarks/type_sizes.py --threads 2 --engines ocdr ppocr  # beside PP-OCRv4 mobile (RapidOCR)

Two kinds of page, rendered in the recipe fonts (``ocdr.training.synth.fonts``) with known word boxes:
* posters: three short phrases in one type size on a 1800x1400 page;
* headlines: one phrase in a type size over two lines of body text (32 pixels, ``--body``);
* captions: a meme's two phrases in bold capitals, white outlined in black, over a photo-like ground.
For each size, the share of words read exactly at IoU >= 0.5 (posters: all words; headlines: the headline's words,
and the body's separately). ``ocdr (max_glyph 0)`` turns off both large-print rules (``text_det_max_glyph``):
what ocdr read before stop 35.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).parent))

from peer_engines import Ocdr, PPOCRv4, Words  # noqa: E402

from ocdr.evaluation.metrics import match_words  # noqa: E402
from ocdr.geometry import quad_from_box  # noqa: E402
from ocdr.io.labels import RegionLabel  # noqa: E402
from ocdr.training.synth.fonts import find_fonts  # noqa: E402
from ocdr.training.synth.render import render_headline  # noqa: E402

PHRASES = ["SALE", "Exit", "Open", "Welcome", "PARKING", "Notice", "Room 12", "Thank you", "Grand Opening", "Menu"]
SIZES = (40, 80, 110, 160, 320, 600)
BODY = ["Members are invited to the meeting on Friday.", "Please bring your card and a guest."]


def poster(size: int, seed: int) -> tuple[np.ndarray, list[RegionLabel]]:
    """Up to three phrases in ``size``-pixel type, one font, on an 1800x1400 page, and their word boxes."""
    rng = np.random.default_rng(seed)
    fonts = find_fonts()
    font = ImageFont.truetype(str(fonts[seed % len(fonts)].path), size)
    page = Image.new("L", (1800, 1400), 245)
    draw = ImageDraw.Draw(page)
    labels, y = [], 40
    for phrase in rng.choice(PHRASES, 3, replace=False):
        if draw.textbbox((60, y), phrase, font=font)[3] > 1380 or draw.textbbox((60, y), phrase, font=font)[2] > 1780:
            break
        x = 60
        for word in phrase.split():
            x0, y0, x1, y1 = draw.textbbox((x, y), word, font=font)
            draw.text((x, y), word, font=font, fill=20)
            labels.append(RegionLabel(quad_from_box(x0, y0, x1, y1), word))
            x = draw.textbbox((x, y), word + " ", font=font)[2]
        y = draw.textbbox((60, y), phrase, font=font)[3] + size // 2
    return np.stack([np.asarray(page)] * 3, axis=2), labels


def captions(size: int, seed: int) -> tuple[np.ndarray, list[RegionLabel]]:
    """A meme's captions: a phrase at the top and one at the bottom (where both fit) in ``size``-pixel bold capitals,
    white outlined in black, over a smooth random photo-like ground (1200x900), and their word boxes."""
    rng = np.random.default_rng(seed)
    fonts = [f for f in find_fonts() if "Bold" in f.path.name] or find_fonts()
    font = ImageFont.truetype(str(fonts[seed % len(fonts)].path), size)
    ground = (rng.normal(0, 1, (30, 40, 3)).cumsum(0).cumsum(1) * 8 + 128).clip(0, 255).astype(np.uint8)
    page = Image.fromarray(ground).resize((1200, 900), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(page)
    labels = []
    tops = (30, 900 - 30 - int(size * 1.2)) if size * 2.4 + 60 <= 900 else (30,)  # one phrase when two do not fit
    for phrase, y in zip(rng.choice(PHRASES, len(tops), replace=False), tops, strict=True):
        x = 40
        for word in phrase.upper().split():
            x0, y0, x1, y1 = draw.textbbox((x, y), word, font=font, stroke_width=max(2, size // 20))
            if x1 > 1180:
                break
            draw.text((x, y), word, font=font, fill="white", stroke_width=max(2, size // 20), stroke_fill="black")
            labels.append(RegionLabel(quad_from_box(x0, y0, x1, y1), word))
            x = x1 + size // 3
    return np.asarray(page), labels


def headline(size: int, body_size: int = 32) -> tuple[np.ndarray, list[RegionLabel], list[RegionLabel]]:
    """ "Annual Meeting" in ``size``-pixel type over two lines of ``body_size``-pixel body text; the page, headline
    and body labels."""
    return render_headline("Annual Meeting", size, BODY, body_size)


def read(words: Words, labels: list[RegionLabel]) -> int:
    return round(match_words(words, labels).recall * len(labels))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pages", type=int, default=6, help="posters per type size")
    parser.add_argument("--body", type=int, default=32, help="the headline pages' body type size (pixels)")
    parser.add_argument(
        "--engines", nargs="+", default=["ocdr", "ocdr_before"], choices=["ocdr", "ocdr_before", "ppocr"]
    )
    args = parser.parse_args(argv)
    engines = []
    for name in args.engines:
        if name == "ppocr":
            engines.append(PPOCRv4(args.threads))
        else:
            engine = Ocdr(args.threads)
            if name == "ocdr_before":
                engine.ocr.params = engine.ocr.params.with_overrides(text_det_max_glyph=0.0)
                engine.name = "ocdr (max_glyph 0)"
            engines.append(engine)
    print("| type size (px) | " + " | ".join(f"{e.name}: posters / headline / body / captions" for e in engines) + " |")
    print("|---|" + "---|" * len(engines))
    for size in SIZES:
        posters = [poster(size, seed) for seed in range(args.pages)]
        page, title, body = headline(size, args.body)
        memes = [captions(size, seed) for seed in range(args.pages)]
        cells = []
        for engine in engines:
            found = sum(read(engine.read_page(image), labels) for image, labels in posters)
            total = sum(len(labels) for _, labels in posters)
            words = engine.read_page(page)
            said = sum(read(engine.read_page(image), labels) for image, labels in memes)
            told = sum(len(labels) for _, labels in memes)
            cells.append(
                f"{found}/{total} / {read(words, title)}/{len(title)} / {read(words, body)}/{len(body)} / {said}/{told}"
            )
        print(f"| {size} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
