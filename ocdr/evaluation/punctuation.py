"""Words that end in ".", "," or ":" on clean rendered pages, read exactly or not.

A thin last glyph at a crop's end is where a CTC recognizer most easily drops a character, and whole-page word F
hides it among thousands of words. The pages: six fonts, 20-40 pixel text, lines of 2-4 words whose last word ends in
punctuation (half drawn from the synthetic word list, half from a small office vocabulary). Used by
``benchmarks/end_punctuation.py`` and the tests.
"""

from __future__ import annotations

import numpy as np

from ocdr.evaluation.metrics import polygon_iou
from ocdr.io.labels import RegionLabel
from ocdr.training.synth.render import render_lines
from ocdr.training.synth.text import TextSampler

FONTS = ["DejaVuSans.ttf", "LiberationSerif-Regular.ttf", "Lato-Regular.ttf", "OpenSans-Regular.ttf",
         "Roboto-Regular.ttf", "NimbusSans-Regular.otf"]  # fmt: skip
VOCABULARY = (
    "account balance invoice payment order delivery customer report market quarter office meeting review contract "
    "service product shipment address number summary budget period request notice schedule record total value "
    "policy company region program project system history station"
).split()
ENDINGS = [".", ".", ",", ":"]


def punctuation_pages(count: int, seed: int = 5) -> list[tuple[np.ndarray, list[RegionLabel]]]:
    rng, sampler = np.random.default_rng(seed), TextSampler(np.random.default_rng(seed + 1))
    pages = []
    for k in range(count):
        lines = []
        for _ in range(6):
            n = int(rng.integers(2, 5))
            if k % 2:
                words = [str(w) for w in rng.choice(VOCABULARY, n)]
            else:
                words = [sampler.dictionary_word() for _ in range(n)]
            words[-1] += str(rng.choice(ENDINGS))
            lines.append(" ".join(words))
        size = int(rng.choice([20, 24, 30, 34, 40]))
        pages.append(render_lines(lines, font_name=FONTS[k % len(FONTS)], size=size))
    return pages


def score_end_punctuation(ocr, pages: list[tuple[np.ndarray, list[RegionLabel]]]) -> dict[str, list[int]]:
    """``[exact, count]`` for all words, words ending in . , or :, those ending in ".", those in "," or ":", and
    ``dropped``: ending words read without their last glyph and otherwise right. Each label is scored against the
    read word whose box overlaps it most."""
    counts = {key: [0, 0] for key in ("all", "end", ".", ",:", "dropped")}
    for image, labels in pages:
        words = [(w.polygon, w.text) for w in ocr(image).pages[0].words]
        for label in labels:
            read = max(words, key=lambda w: polygon_iou(w[0], label.polygon))[1] if words else ""
            last = label.text[-1]
            keys = ["all"] + (["end", "." if last == "." else ",:"] if last in ".,:" else [])
            for key in keys:
                counts[key][0] += read == label.text
                counts[key][1] += 1
            if last in ".,:":
                counts["dropped"][0] += read == label.text[:-1]
                counts["dropped"][1] += 1
    return counts
