"""Shared fixtures: the shipped models loaded once, and pages rendered with known text."""

from __future__ import annotations

import io
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ocdr.evaluation.metrics import match_words
from ocdr.io.labels import RegionLabel
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import (
    PageStyle,
    photograph,
    render_headline,  # noqa: F401  (the tests import it from here)
    render_lines,  # noqa: F401  (the tests import it from here)
    render_page,
)
from ocdr.training.synth.text import TextSampler

# The modules that need the 'train' extra (torch, onnx, lmdb) throughout; other tests of training skip one by one.
# Without it (pip install ".[serve,dev]"), the rest of the suite still runs: the inference package alone.
TRAINING_MODULES = {
    "test_detection_models.py": ("torch",),
    "test_training.py": ("torch",),
    "test_finetune_shipped.py": ("torch", "onnx", "lmdb"),
    "test_quantize.py": ("onnx",),
    "test_pack_for_device.py": ("torch",),
}
collect_ignore = [module for module, needs in TRAINING_MODULES.items() if not all(map(find_spec, needs))]

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "letter.png"
SHARED_DATA = REPO.parent / "shared" / "data"


def loose(text: str) -> str:
    """Text with case and periods set aside, for the tests of order, structure, formats and geometry on
    ``PAGE_LINES``: a period is a few pixels, read or lost with a pixel of its box ("March." and "separately." at
    P = 0.4 to 0.55 at stop 16 and 0.2 to 0.45 at stop 17; the dot of "example.com" on the page turned by 3 degrees
    and straightened, 0.98 with the stop 17 detector's box and 0.38 with stop 18's, 0.91 upright), and c and C, o and
    O differ only in size. Reading punctuation and case is measured over many words
    (``test_words_ending_in_punctuation_on_rendered_pages``, ``benchmarks/end_punctuation.py``, the model cards)."""
    return text.lower().replace(".", "")


def loose_word_recall(page, labels: list[RegionLabel]) -> float:
    """Word recall of ``page`` against ``labels``, both as ``loose`` text: for the tests of where word boxes lie."""
    from dataclasses import replace

    from ocdr.evaluation.metrics import match_words

    truth = [replace(label, text=loose(label.text)) for label in labels]
    return match_words([(w.polygon, loose(w.text)) for w in page.words], truth).recall


PAGE_LINES = [
    "Quarterly report for the northern region",
    "Revenue grew by 12% to $4,310.55 in March.",
    "Contact: sales@example.com or call 555-0147.",
    "Shipping and handling were billed separately.",
]


def split_only_repeats(args: list[str], run: Path, other: Path) -> bool:
    """``ocdr train ... --split-only`` with a finished run's flags (its ``--out`` swapped for ``other``) writes the
    held-out split that run carved, file for file, and trains nothing."""
    from ocdr.cli import main

    at = args.index("--out") + 1
    assert main([*args[:at], str(other), *args[at + 1 :], "--split-only"]) == 0

    def files(root: Path) -> dict:
        return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    return files(run / "val") == files(other / "val") and not list(other.glob("*.pt"))


def encrypted_pdf(image: np.ndarray, password: str = "s3cret") -> bytes:
    """A one-page PDF of ``image`` that opens only with ``password`` (pikepdf, a dev dependency)."""
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_bytes([image]))) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="owner", user=password))
    return out.getvalue()


def pdf_without_pages() -> bytes:
    """A well-formed PDF with an empty page tree."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


def huge_png_header() -> bytes:
    """A tiny PNG whose header claims 60000 x 60000 pixels."""
    import struct
    import zlib

    buf = io.BytesIO()
    Image.new("L", (8, 8)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    ihdr = struct.pack(">II", 60000, 60000) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def pdf_bytes(images: list[np.ndarray], resolution: float = 100.0) -> bytes:
    """A PDF with one page per image."""
    frames = [Image.fromarray(image) for image in images]
    buf = io.BytesIO()
    frames[0].save(buf, "PDF", save_all=True, append_images=frames[1:], resolution=resolution)
    return buf.getvalue()


def png_bytes(image: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "PNG")
    return buf.getvalue()


def photographed(
    image: np.ndarray, labels: list[RegionLabel], seed: int, strength: float = 1.5
) -> tuple[np.ndarray, list[RegionLabel], np.ndarray]:
    """An RGB page photographed on a surface (``photograph``), its labels, and the sheet's corners in the photo."""
    h, w = image.shape[:2]
    sheet = RegionLabel(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), "sheet")
    gray, mapped = photograph(image[..., 0], [*labels, sheet], np.random.default_rng(seed), strength)
    return np.ascontiguousarray(np.stack([gray] * 3, axis=2)), mapped[:-1], mapped[-1].polygon


@pytest.fixture(scope="session")
def photo(text_page):
    """The test page photographed at an angle (seed 3)."""
    return photographed(*text_page, seed=3)


@pytest.fixture(scope="session")
def ocr():
    from ocdr import OCR

    return OCR(threads=2)


@pytest.fixture(scope="session")
def text_page():
    return render_lines(PAGE_LINES)


@pytest.fixture(scope="session")
def page_200dpi():
    """A rendered 200 dpi page and its word labels (seed 47), for lines drawn through its words or a smear."""
    rng = np.random.default_rng(47)
    return render_page(TextSampler(rng), find_fonts(), rng, PageStyle(dpi=200, noise=0.0))


def recall(ocr, picture: np.ndarray, labels: list[RegionLabel]) -> float:
    """The share of a rendered page's labelled words that ``ocr`` reads right (IoU >= 0.5, exact text)."""
    words = ocr(picture).pages[0].words
    return match_words([(w.polygon, w.text) for w in words], labels).recall
