"""Writing synthetic datasets to disk in the seed formats (``ocdr synth lines`` / ``scene`` / ``pages``)."""

from __future__ import annotations

import errno
import json
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np

from ocdr.io.labels import write_characters_list, write_gt_list, write_icdar_gt
from ocdr.training.synth.fonts import drawn_words, find_fonts, fonts_drawing
from ocdr.training.synth.render import PageStyle, render_page, sample_crop
from ocdr.training.synth.scene import TILTED_DEGREES, Background, PatchSource, sample_scene_crop
from ocdr.training.synth.text import TextSampler, load_words

CHUNK = 500
PHOTOS_PER_CHUNK = 48


def _crop_chunk(args) -> list[tuple[str, str]]:
    out, seed, chunk, start, count, font_names, line_prob, end_prob, backgrounds, tilted, words = args
    rng = np.random.default_rng([seed, chunk])
    fonts = find_fonts(font_names)
    sampler = TextSampler(rng, drawn_words(load_words(words), fonts))
    patches = None
    if backgrounds:  # each chunk draws on a few photos of its own, so that they stay loaded (all do not fit in memory)
        patches = PatchSource([backgrounds[i] for i in rng.permutation(len(backgrounds))[:PHOTOS_PER_CHUNK]])
    pairs = []
    for i in range(start, start + count):
        if patches is not None:
            sample = sample_scene_crop(sampler, fonts, rng, patches, line_prob, *tilted)
        else:
            sample = sample_crop(sampler, fonts, rng, line_prob=line_prob, end_prob=end_prob)
        name = f"{i:08d}.png"
        _write_image(Path(out) / "images" / name, sample.image)
        pairs.append((f"images/{name}", sample.text))
    return pairs


def write_line_dataset(
    out: str | Path,
    count: int,
    seed: int = 0,
    workers: int = 1,
    fonts: list[str] | None = None,
    line_prob: float = 0.3,
    end_prob: float = 0.0,
    backgrounds: list[Background] | None = None,
    tilted_share: float = 0.0,
    words: list[str] | None = None,
    tilted_degrees: tuple[float, float] = TILTED_DEGREES,
) -> Path:
    """Render ``count`` crops to ``out/images`` with ``out/gt_list.txt`` and ``out/characters_list.txt``: on paper,
    or with ``backgrounds`` on patches of those photos (scene text; ``end_prob`` does not apply, ``tilted_share``
    and ``tilted_degrees`` do: ``sample_scene_crop``). ``words``: files of the words to draw (default: the shipped
    English list)."""
    out = Path(out)
    drawn_words(load_words(words), find_fonts(fonts))  # an empty or missing list, or one no font draws: said first
    (out / "images").mkdir(parents=True, exist_ok=True)
    tilted = (tilted_share, tilted_degrees)
    jobs = [
        (str(out), seed, c, s, min(CHUNK, count - s), fonts, line_prob, end_prob, backgrounds, tilted, words)
        for c, s in enumerate(range(0, count, CHUNK))
    ]
    pairs: list[tuple[str, str]] = []
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            for chunk in pool.map(_crop_chunk, jobs):
                pairs.extend(chunk)
    else:
        for job in jobs:
            pairs.extend(_crop_chunk(job))
    write_gt_list(out / "gt_list.txt", pairs)
    write_characters_list(out / "characters_list.txt", {c for _, t in pairs for c in t})
    return out


def _write_image(path: Path, image: np.ndarray) -> None:
    """``image`` to ``path``, or an error: OpenCV's imwrite says only False (a label file listed images never
    written to a folder that refused them)."""
    if not cv2.imwrite(str(path), image):
        raise OSError(errno.EACCES, "could not write the image", str(path))


def _page_job(args) -> None:
    out, seed, index, font_names, style, words = args
    rng = np.random.default_rng([seed, index])
    found = find_fonts(font_names)
    word_list = drawn_words(load_words(words), found)
    fonts = fonts_drawing(found, word_list)
    image, labels = render_page(TextSampler(rng, word_list), fonts, rng, style)
    stem = f"page_{index:05d}"
    _write_image(Path(out) / "images" / f"{stem}.png", image[:, :, 0])
    write_icdar_gt(Path(out) / "gts" / f"gt_{stem}.txt", labels)


def write_page_dataset(
    out: str | Path,
    count: int,
    seed: int = 0,
    workers: int = 1,
    fonts: list[str] | None = None,
    style: PageStyle | None = None,
    words: list[str] | None = None,
) -> Path:
    """Render ``count`` pages to ``out/images`` with ICDAR word labels in ``out/gts`` (the shared/data layout).
    ``words``: files of the words to draw (default: the shipped English list)."""
    out = Path(out)
    drawn_words(load_words(words), find_fonts(fonts))  # an empty or missing list, or one no font draws: said first
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "gts").mkdir(parents=True, exist_ok=True)
    style = style or PageStyle()
    jobs = [(str(out), seed, i, fonts, style, words) for i in range(count)]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_page_job, jobs))
    else:
        for job in jobs:
            _page_job(job)
    (out / "style.json").write_text(json.dumps(asdict(style), indent=1) + "\n")
    return out
