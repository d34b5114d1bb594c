"""The three engines of ``benchmarks/peers.py`` behind one small interface, each loaded once with N CPU threads.

* ocdr: the ``OCR`` facade's pipeline stages (recognizer, detector, ``read_page``), shipped models, default settings.
* PP-OCRv4 mobile: the det / rec ONNX models bundled in the ``rapidocr-onnxruntime`` wheel, run through RapidOCR's
  own classes so that pre- and post-processing are exactly RapidOCR's; its angle classifier is off everywhere
  (ocdr's text-line orientation is off by default too).
* Tesseract 5: the ``tesseract`` command over a list file, so that its model loads once per process, not per image.

Images go in as arrays decoded once beforehand (ocdr takes RGB, RapidOCR BGR: both made before timing), except
Tesseract, which reads the same files itself (its time includes decoding them).
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from ocdr import OCR
from ocdr.document import Word
from ocdr.geometry import quad_from_box
from ocdr.layout.grouping import text_segments

Words = list[tuple[np.ndarray, str]]  # (4x2 polygon in image pixels, text) per word


def char_words(char_boxes: Sequence[Sequence[Sequence[float]]], chars: Sequence[str]) -> Words:
    """Runs of non-space characters of a line, each boxed by the union of its characters' boxes."""
    words: Words = []
    points: list[np.ndarray] = []
    text = ""
    for box, char in [*zip(char_boxes, chars, strict=True), (None, " ")]:
        if char.strip():
            points.append(np.asarray(box, dtype=np.float32))
            text += char
        elif text:
            corners = np.concatenate(points)
            words.append((quad_from_box(*corners.min(0), *corners.max(0)), text))
            points, text = [], ""
    return words


def segments(words: Words) -> Words:
    """Words as text segments by ocdr's rule (``text_segments``), for sets annotated by segment (SROIE)."""
    return [(w.polygon, w.text) for w in text_segments([Word(polygon, text, 1.0) for polygon, text in words])]


class Ocdr:
    """ocdr's shipped detector and recognizer at their default settings (or other shipped weights by name; or no
    lexicon: the recognizer's greedy readings as they are; or each crop read once, ``use_rec_variants`` off)."""

    name = "ocdr"

    def __init__(
        self,
        threads: int,
        weights: str | None = None,
        precision: str = "fp32",
        lexicon: str | None = "en",
        **params,
    ):
        self.ocr = OCR(
            threads=threads, det_model=weights, rec_model=weights, precision=precision, lexicon=lexicon, **params
        )
        if weights:
            self.name = f"ocdr ({weights} weights)"
        elif precision != "fp32":
            self.name = f"ocdr ({precision})"
        elif lexicon is None:
            self.name = "ocdr (no lexicon)"
        elif params.get("use_rec_variants") is False:
            self.name = "ocdr (crops read once)"

    def read_crops(self, crops: Sequence[np.ndarray]) -> list[str]:
        """``crops`` are RGB; batched as the pipeline batches them (``rec_batch_size``)."""
        return [r.text for r, _ in self.ocr.pipeline.read_upright(list(crops), self.ocr.params)]

    def classify_lines(self, crops: Sequence[np.ndarray]) -> list[int]:
        """Text-line orientation (0 or 180) of RGB ``crops``, as the pipeline decides it."""
        return [angle for angle, _ in self.ocr.pipeline.line_classifier(list(crops))]

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        return [r.polygon for r in self.ocr.pipeline.detector(image, self.ocr.params)]

    def detect_lines(self, image: np.ndarray) -> list[np.ndarray]:
        """The detector's regions as text segments (``segments``)."""
        return [polygon for polygon, _ in segments([(polygon, "") for polygon in self.detect(image)])]

    def read_lines(self, image: np.ndarray) -> Words:
        """The words read as text segments (``segments``), for sets annotated by segment."""
        return segments(self.read_page(image))

    def read_page(self, image: np.ndarray, pixel_aspect: float = 1.0) -> Words:
        """``pixel_aspect``: as a file's resolution tags give it (``PageImage.pixel_aspect``)."""
        page = self.ocr.pipeline.read_page(image, self.ocr.params, pixel_aspect=pixel_aspect)
        return [(w.polygon, w.text) for w in page.words]


_worker: OCR | None = None


def _start_worker(precision: str) -> None:
    global _worker
    _worker = OCR(threads=1, precision=precision)


def _read_file(path: Path) -> Words:
    assert _worker is not None
    image = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    return [(w.polygon, w.text) for w in _worker.pipeline.read_page(image, _worker.params).words]


class OcdrProcesses:
    """ocdr as Tesseract is run here: one single-thread process per core, each with its own models, pages shared
    out one at a time (what ``ocdr read --workers N --threads 1`` does), timed as the wall time of all of them."""

    def __init__(self, processes: int, precision: str = "fp32"):
        self.name = f"ocdr ({precision}, {processes} processes x 1 thread)"
        context = multiprocessing.get_context("spawn")
        self.pool = context.Pool(processes, initializer=_start_worker, initargs=(precision,))

    def read_pages(self, paths: Sequence[Path], level: int = 5) -> tuple[list[Words], float]:
        if level != 5:
            raise ValueError("ocdr processes read whole pages only (level 5)")
        start = time.perf_counter()
        words = self.pool.map(_read_file, paths, chunksize=1)
        return words, time.perf_counter() - start


class PPOCRv4:
    """PP-OCRv4 mobile (det, and the Chinese+English rec) as RapidOCR runs it, at RapidOCR's default settings.

    RapidOCR takes ``intra_op_num_threads`` only when it is between 1 and ``os.cpu_count()`` and otherwise falls
    back silently to ONNX Runtime's default (all cores), so the thread count is checked on each session.
    """

    name = "PP-OCRv4 mobile"

    def __init__(self, threads: int):
        from rapidocr_onnxruntime import RapidOCR

        self.ocr = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
        sessions = (self.ocr.text_det.infer.session, self.ocr.text_rec.session.session, self.ocr.text_cls.infer.session)
        for session in sessions:
            got = session.get_session_options().intra_op_num_threads
            if got != threads:
                raise RuntimeError(f"RapidOCR runs {got} intra-op threads, not {threads} (it allows 1..cpu_count)")

    def read_crops(self, crops: Sequence[np.ndarray]) -> list[str]:
        """``crops`` are BGR; RapidOCR's recognizer resizes to 48 px high, normalises and batches (6 a batch)."""
        results, _ = self.ocr.text_rec(list(crops))
        return [text for text, *_ in results]

    def classify_lines(self, crops: Sequence[np.ndarray]) -> list[int]:
        """PP-OCR's text-line orientation classifier (ch_ppocr_mobile_v2.0_cls) on BGR ``crops``: its more likely
        angle (RapidOCR turns a crop only above 0.9; the plain argmax is the classifier's best case)."""
        _, results, _ = self.ocr.text_cls(list(crops))
        return [180 if "180" in label else 0 for label, _ in results]

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        """The whole RapidOCR call with recognition off: its resizing, letterbox and box mapping are included."""
        boxes, _ = self.ocr(image, use_cls=False, use_rec=False)
        return [np.asarray(b, dtype=np.float32) for b in boxes or []]

    def detect_lines(self, image: np.ndarray) -> list[np.ndarray]:
        """PP-OCRv4's detector boxes text lines already."""
        return self.detect(image)

    def read_lines(self, image: np.ndarray) -> Words:
        """Its lines as they are (its detector boxes text segments already)."""
        result, _ = self.ocr(image, use_cls=False)
        return [(np.asarray(box, dtype=np.float32), text) for box, text, _score in result or []]

    def read_page(self, image: np.ndarray) -> Words:
        """Lines cut into words with RapidOCR's own character boxes (``return_word_box``), split at spaces."""
        result, _ = self.ocr(image, use_cls=False, return_word_box=True)
        return [word for _box, _text, _score, boxes, chars, _confs in result or [] for word in char_words(boxes, chars)]


class Tesseract:
    """Tesseract 5 (``eng``) over list files: ``jobs`` processes on interleaved shares, each with ``omp`` threads.

    Two ways to give it N cores: N processes with ``OMP_THREAD_LIMIT=1`` (the default here, and what OCRmyPDF
    does) or one process with ``OMP_THREAD_LIMIT=N``. On a loaded machine the second spins in OpenMP barriers
    (3 crops: 0.1 s at 1 thread, 6-15 s at 2), so it is kept as an option, not the default.
    """

    name = "Tesseract 5"

    def __init__(self, threads: int, omp: bool = False):
        self.jobs, self.omp_threads = (1, threads) if omp else (threads, 1)

    def run(self, paths: Sequence[Path], args: Sequence[str], level: int = 5) -> tuple[list[Words], float]:
        """Rows of ``tesseract LIST - ARGS tsv`` of one level (5: words with their text, 4: text lines, no text) for
        each image, and the wall time of all processes."""
        env = {**os.environ, "OMP_THREAD_LIMIT": str(self.omp_threads)}
        shares = [list(range(k, len(paths), self.jobs)) for k in range(self.jobs)]
        shares = [share for share in shares if share]
        with tempfile.TemporaryDirectory() as tmp:
            procs, outs = [], []
            start = time.perf_counter()
            for k, share in enumerate(shares):
                listing, out = Path(tmp, f"list{k}.txt"), Path(tmp, f"out{k}.tsv")
                listing.write_text("".join(f"{paths[i]}\n" for i in share))
                with out.open("w") as stdout:  # files, not pipes: a full pipe would stall a process while timed
                    command = ["tesseract", str(listing), "-", "-l", "eng", *args, "tsv"]
                    procs.append(subprocess.Popen(command, stdout=stdout, stderr=subprocess.DEVNULL, env=env))
                outs.append(out)
            for proc in procs:
                if proc.wait():
                    raise RuntimeError(f"tesseract exited with {proc.returncode}")
            seconds = time.perf_counter() - start
            words: list[Words] = [[] for _ in paths]
            for share, out in zip(shares, outs, strict=True):
                for row in out.read_text().splitlines()[1:]:
                    row_level, page, *_, left, top, width, height, _conf, text = row.split("\t")
                    if row_level == str(level) and (text.strip() or level != 5):
                        x, y, w, h = map(float, (left, top, width, height))
                        words[share[int(page) - 1]].append((quad_from_box(x, y, x + w, y + h), text))
        return words, seconds

    def read_crops(self, paths: Sequence[Path]) -> tuple[list[str], float]:
        """One text line a crop (``--psm 7``): its words joined by single spaces."""
        words, seconds = self.run(paths, ["--psm", "7"])
        return [" ".join(text for _, text in page) for page in words], seconds

    def read_pages(self, paths: Sequence[Path], level: int = 5) -> tuple[list[Words], float]:
        """Whole pages with automatic layout analysis (the default ``--psm 3``): words, or lines for ``level`` 4."""
        return self.run(paths, [], level)
