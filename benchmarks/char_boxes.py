"""Character boxes (``return_char_boxes``) against where the glyphs really are, on rendered pages of known text.

    python benchmarks/char_boxes.py                    # 12 fonts, 8 lines each, 2 threads
    python benchmarks/char_boxes.py --fonts 30 --lines 12 --json out.json
    python benchmarks/char_boxes.py --pdf              # also the searchable PDF's characters (needs pdfminer.six)

Each page is lines of synthetic text (``ocdr.training.synth.text``) drawn in one font at a size of 20-40 pixels by
``render_lines``, which knows where every word starts; Pillow's font metrics then place every glyph's ink. The page
is read by the shipped models with char boxes on. For each word read exactly right:

- centre inside: the share of characters whose box holds the middle of its glyph's ink;
- cut error: between two neighbouring characters, the box edge against the true boundary (midway between the ink
  of the one and of the next), in pixels and in glyph heights (the font's cap height to descender); the signed
  mean says whether the cuts lean left (negative) or right.

With ``--pdf``, the same figures for where the searchable PDF's text layer puts each character, as pdfminer.six
reads it (the advance of each glyph, which viewers select and highlight): made from the page read with char boxes
(each glyph over its character's box) and without (each word's glyphs equally wide over its box).
"""

from __future__ import annotations

import argparse
import io
import json
import time
from collections.abc import Callable

import numpy as np

from ocdr import OCR
from ocdr.document import Document
from ocdr.geometry import polygon_box
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import drawable, load_font, render_lines, vertical_extent
from ocdr.training.synth.text import TextSampler


def glyph_inks(font, word: str, left: float) -> list[tuple[float, float]]:
    """The x extent of each glyph's ink of ``word`` drawn by ``render_lines`` with its box starting at ``left``."""
    origin = left - font.getbbox(word, anchor="ls")[0]
    inks = []
    for i, char in enumerate(word):
        x0, _, x1, _ = font.getbbox(char, anchor="ls")
        start = origin + font.getlength(word[:i])
        inks.append((start + x0, start + x1))
    return inks


Boxes = list[tuple[float, float, float, float]]


def pdf_char_boxes(doc: Document, image: np.ndarray) -> list[Boxes]:
    """Per word of the page, where its searchable PDF's text layer puts each character, in page pixels (x only)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTContainer

    doc.pages[0].dpi = 72.0  # a point a pixel
    pdf = doc.export("pdf", source=image)

    def chars(item) -> list:
        if isinstance(item, LTChar):
            return [item]
        return [c for child in item for c in chars(child)] if isinstance(item, LTContainer) else []

    found = [(c.x0, 0.0, c.x1, 0.0) for c in chars(next(extract_pages(io.BytesIO(pdf)))) if not c.get_text().isspace()]
    if len(found) != sum(len(w.text) for w in doc.pages[0].words):
        raise RuntimeError("the PDF's text layer does not have the page's characters")
    out, start = [], 0
    for word in doc.pages[0].words:
        out.append(found[start : start + len(word.text)])
        start += len(word.text)
    return out


def measure_font(ocr: OCR, spec, rng: np.random.Generator, lines: int, pdf: bool) -> dict:
    sampler = TextSampler(rng)
    size = int(rng.integers(20, 41))
    text = []
    while len(text) < lines:
        line = " ".join(sampler.words_line(int(rng.integers(3, 8))))
        if drawable(line, spec):
            text.append(line)
    image, labels = render_lines(text, font_name=spec.path.name, size=size)
    font = load_font(str(spec.path), size)
    top, bottom = vertical_extent(font)
    started = time.perf_counter()
    doc = ocr(image, return_char_boxes=True)
    seconds = time.perf_counter() - started
    page = doc.pages[0]
    char_boxes = [[polygon_box(c.polygon) for c in word.chars or ()] for word in page.words]
    sources: dict[str, Callable[[int], Boxes]] = {"char boxes": char_boxes.__getitem__}
    if pdf:
        placed = pdf_char_boxes(doc, image)
        for word in page.words:
            word.chars = None
        stretched = pdf_char_boxes(doc, image)
        sources["PDF, glyphs over char boxes"] = placed.__getitem__
        sources["PDF, words stretched evenly"] = stretched.__getitem__
    unused = dict(enumerate(labels))
    inside = dict.fromkeys(sources, 0)
    errors: dict[str, list[float]] = {name: [] for name in sources}
    total = words = 0
    for index, word in enumerate(page.words):
        x0, y0, x1, y1 = polygon_box(word.polygon)
        key = next(
            (
                k
                for k, lab in unused.items()
                if lab.text == word.text and abs(float(lab.polygon[:, 1].mean()) - (y0 + y1) / 2) < size / 2
            ),
            None,
        )
        if key is None or len(word.text) < 2:
            continue
        label = unused.pop(key)
        words += 1
        inks = glyph_inks(font, word.text, float(label.polygon[0, 0]))
        total += len(inks)
        for name, boxes_of in sources.items():
            boxes = boxes_of(index)
            for (a, b), (bx0, _, bx1, _) in zip(inks, boxes, strict=True):
                inside[name] += bx0 <= (a + b) / 2 <= bx1
            for (_, right), (left, _), (_, _, edge, _) in zip(inks, inks[1:], boxes, strict=False):
                errors[name].append(edge - (right + left) / 2)
    err = np.asarray(errors["char boxes"])
    return {
        "font": spec.name,
        "size": size,
        "words": words,
        "chars": total,
        "inside": inside["char boxes"] / max(total, 1),
        "cut_mae_px": float(np.abs(err).mean()) if err.size else 0.0,
        "cut_bias_px": float(err.mean()) if err.size else 0.0,
        "cut_mae_heights": float(np.abs(err).mean() / (bottom - top)) if err.size else 0.0,
        "seconds": seconds,
        "_inside": inside,
        "_errors": errors,
        "_height": bottom - top,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fonts", type=int, default=12, help="fonts from the synthetic font list, spread over it")
    parser.add_argument("--lines", type=int, default=8, help="lines per page (one page a font)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", help="write the rows here")
    parser.add_argument("--pdf", action="store_true", help="also the searchable PDF's characters (pdfminer.six)")
    args = parser.parse_args()
    fonts = find_fonts()
    picked = [fonts[i] for i in np.linspace(0, len(fonts) - 1, min(args.fonts, len(fonts))).astype(int)]
    ocr = OCR(threads=args.threads)
    rng = np.random.default_rng(args.seed)
    rows = [measure_font(ocr, spec, rng, args.lines, args.pdf) for spec in picked]
    print(f"{len(picked)} fonts, {args.lines} lines a page, {args.threads} threads; words read exactly right only\n")
    print("| font | px | words | chars | centre inside | cut error px (signed) | cut error / glyph height |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['font']} | {r['size']} | {r['words']} | {r['chars']} | {r['inside']:.3f} | "
            f"{r['cut_mae_px']:.2f} ({r['cut_bias_px']:+.2f}) | {r['cut_mae_heights']:.3f} |"
        )
    chars = sum(r["chars"] for r in rows)
    words = sum(r["words"] for r in rows)
    for name in rows[0]["_inside"]:
        errors = np.concatenate([np.asarray(r["_errors"][name]) for r in rows])
        relative = np.concatenate([np.abs(r["_errors"][name]) / r["_height"] for r in rows])
        inside = sum(r["_inside"][name] for r in rows) / max(chars, 1)
        print(
            f"| all: {name} | | {words} | {chars} | **{inside:.3f}** | "
            f"{np.abs(errors).mean():.2f} ({errors.mean():+.2f}) | {relative.mean():.3f} |"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump([{k: v for k, v in r.items() if not k.startswith("_")} for r in rows], f, indent=2)


if __name__ == "__main__":
    main()
