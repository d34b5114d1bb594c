"""Searchable PDFs: is the text layer right, and how long does a scanned PDF take, beside OCRmyPDF + Tesseract?

    python benchmarks/searchable_pdf.py                      # 10 two-page PDFs for the round trip, a 10-page timing
    python benchmarks/searchable_pdf.py --docs 3 --timing-pages 3 --json out.json

Round trip: synthetic scanned PDFs of known text (``ocdr.training.synth`` pages: paragraphs, headings, key/value
lines, tables, one or two columns, rendered at 200 DPI with mild scan noise, made into image-only PDFs) are read by
ocdr and written back as searchable PDFs. The text layer is then extracted with pypdfium2 and with ``pdftotext``, and
each text is scored by character error rate (CER, whitespace collapsed) against the truth, beside ocdr's own text
output: the layer must lose nothing. pypdfium2 and ``pdftotext -raw`` read the layer in its content order, which is
ocdr's reading order; plain ``pdftotext`` reorders words by its own layout analysis. CER against the truth also
counts reading-order differences (two-column pages, tables), which are the layout step's, not the layer's.
Word boxes from ``pdftotext -bbox`` are matched to ocdr's word boxes (same text, best IoU) and the share with
IoU >= 0.7 is reported. The same pages made searchable by OCRmyPDF + Tesseract go through the same extractors, to
show what poppler's layout analysis does to a peer's layer; and so does a perfect layer (the true words at their true
boxes, written by the same exporter), which shows what it does to any layer of these pages.

Timing: one 10-page 300 DPI scanned PDF made into a searchable PDF by ``ocdr read --format pdf`` and by ``ocrmypdf``
(Tesseract; and with the ocdr plugin when installed), each a fresh command on 2 CPU threads
(``--threads 2``; ``-j 2`` with ``OMP_THREAD_LIMIT=1``), with the CER of each output's text.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from rapidfuzz.distance import Levenshtein

from ocdr import OCR
from ocdr.document import Document, Page, Word
from ocdr.layout.grouping import group_words
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import PageStyle, render_page
from ocdr.training.synth.text import TextSampler

IOU_OK = 0.7
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
UNESCAPE = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}


def flat(text: str) -> str:
    return " ".join(text.split())


def cer(hypothesis: str, truth: str) -> float:
    truth, hypothesis = flat(truth), flat(hypothesis)
    return Levenshtein.distance(hypothesis, truth) / max(1, len(truth))


def make_pdf(pages: list[np.ndarray], dpi: float) -> bytes:
    frames = [Image.fromarray(page) for page in pages]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PDF", save_all=True, append_images=frames[1:], resolution=dpi)
    return buffer.getvalue()


def synthetic_pdf(seed: int, pages: int, dpi: float) -> tuple[bytes, list[str], Document]:
    """An image-only PDF of synthetic pages, each page's true text (words in drawing order), and the truth as a
    document: the true words at their true boxes, in lines and blocks by ocdr's layout step."""
    rng = np.random.default_rng(seed)
    sampler, fonts = TextSampler(rng), find_fonts()
    images, truths, truth_pages = [], [], []
    for index in range(pages):
        image, labels = render_page(sampler, fonts, rng, PageStyle(dpi=dpi, noise=0.5))
        images.append(image)
        truths.append(" ".join(label.text for label in labels))
        words = [Word(label.polygon, label.text, 1.0) for label in labels]
        truth_pages.append(Page(index, image.shape[1], image.shape[0], group_words(words), dpi=dpi))
    return make_pdf(images, dpi), truths, Document(truth_pages)


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, check=True, text=True).stdout


def pdfium_pages(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def layer_boxes(path: Path) -> list[list[tuple[str, np.ndarray]]]:
    """Per page, pdftotext's words with boxes in points from the top-left of the crop box."""
    html = pdftotext(path, "-bbox", "-cropbox")
    pages = re.findall(r"<page [^>]*>(.*?)</page>", html, re.S)
    out = []
    for page in pages:
        words = []
        for *box, text in WORD.findall(page):
            for escaped, char in UNESCAPE.items():
                text = text.replace(escaped, char)
            words.append((text, np.array(list(map(float, box)))))
        out.append(words)
    return out


def box_iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    ix = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    iy = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = ix * iy
    union = (box[2] - box[0]) * (box[3] - box[1]) + (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) - inter
    return inter / np.maximum(union, 1e-9)


def tesseract_layer(source: Path, out: Path) -> tuple[str, str] | None:
    """``pdftotext`` and ``pdftotext -raw`` of OCRmyPDF + Tesseract's searchable PDF of ``source`` (None without
    them): the same poppler layout analysis on a peer's text layer."""
    if not (shutil.which("ocrmypdf") and shutil.which("tesseract")):
        return None
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    subprocess.run(["ocrmypdf", "-q", "-j", "2", "--output-type", "pdf", str(source), str(out)], check=True, env=env)
    return pdftotext(out), pdftotext(out, "-raw")


def round_trip(ocr: OCR, docs: int, pages: int, dpi: float, work: Path, peer: bool = True) -> dict[str, Any]:
    truth_all, ocdr_all, pdfium_all, poppler_all, raw_all, perfect_all = [], [], [], [], [], []
    tess_all: list[tuple[str, str]] = []
    matched = total = 0
    ious: list[float] = []
    for i in range(docs):
        data, truths, truth_doc = synthetic_pdf(1000 + i, pages, dpi)
        doc = ocr(data, dpi=dpi, return_char_boxes=True)  # as `ocdr read --format pdf` reads
        out = work / f"doc{i}.pdf"
        out.write_bytes(doc.export("pdf", source=data))
        perfect = work / f"perfect{i}.pdf"
        perfect.write_bytes(truth_doc.export("pdf", source=data))
        perfect_all.append(pdftotext(perfect))
        truth_all.append(" ".join(truths))
        ocdr_all.append(" ".join(page.text for page in doc.pages))
        pdfium_all.append(" ".join(pdfium_pages(out.read_bytes())))
        poppler_all.append(pdftotext(out))
        raw_all.append(pdftotext(out, "-raw"))
        if peer:
            (work / "scan.pdf").write_bytes(data)
            if (texts := tesseract_layer(work / "scan.pdf", work / f"tess{i}.pdf")) is not None:
                tess_all.append(texts)
        for layer, page in zip(layer_boxes(out), doc.pages, strict=True):
            scale = 72 / dpi
            by_text: dict[str, list[np.ndarray]] = {}
            for text, box in layer:
                by_text.setdefault(text, []).append(box)
            for word in page.words:
                total += 1
                candidates = by_text.get(word.text)
                if not candidates:
                    continue
                best = float(box_iou(np.array(word.box) * scale, np.stack(candidates)).max())
                ious.append(best)
                matched += best >= IOU_OK
    truth = " ".join(truth_all)
    figures = {
        "docs": docs,
        "pages": docs * pages,
        "words": total,
        "cer_ocdr_text": cer(" ".join(ocdr_all), truth),
        "cer_pdf_pypdfium2": cer(" ".join(pdfium_all), truth),
        "cer_pdf_pdftotext_raw": cer(" ".join(raw_all), truth),
        "cer_pdf_pdftotext": cer(" ".join(poppler_all), truth),
        "cer_perfect_layer_pdftotext": cer(" ".join(perfect_all), truth),
        "cer_pdfium_vs_ocdr": cer(" ".join(pdfium_all), " ".join(ocdr_all)),
        "cer_pdftotext_raw_vs_ocdr": cer(" ".join(raw_all), " ".join(ocdr_all)),
        "cer_pdftotext_vs_ocdr": cer(" ".join(poppler_all), " ".join(ocdr_all)),
        "boxes_iou_ok": matched / max(1, total),
        "boxes_median_iou": float(np.median(ious)) if ious else 0.0,
    }
    if len(tess_all) == docs:
        figures["tesseract_pdf_pdftotext"] = cer(" ".join(t for t, _ in tess_all), truth)
        figures["tesseract_pdf_pdftotext_raw"] = cer(" ".join(r for _, r in tess_all), truth)
    print(f"\n## Round trip: {docs} PDFs x {pages} pages ({total} words), {dpi:.0f} DPI\n")
    print("| text | CER vs truth |\n|---|---|")
    print(f"| ocdr's own text output | {figures['cer_ocdr_text']:.2%} |")
    print(f"| searchable PDF, pypdfium2 | {figures['cer_pdf_pypdfium2']:.2%} |")
    print(f"| searchable PDF, pdftotext -raw (content order) | {figures['cer_pdf_pdftotext_raw']:.2%} |")
    print(f"| searchable PDF, pdftotext (its own layout order) | {figures['cer_pdf_pdftotext']:.2%} |")
    print(f"| a perfect layer (true words, true boxes), pdftotext | {figures['cer_perfect_layer_pdftotext']:.2%} |")
    if "tesseract_pdf_pdftotext" in figures:
        print(f"| OCRmyPDF + Tesseract's PDF, pdftotext -raw | {figures['tesseract_pdf_pdftotext_raw']:.2%} |")
        print(f"| OCRmyPDF + Tesseract's PDF, pdftotext | {figures['tesseract_pdf_pdftotext']:.2%} |")
    print(
        f"\nPDF text vs ocdr's text: CER {figures['cer_pdfium_vs_ocdr']:.2%} (pypdfium2), "
        f"{figures['cer_pdftotext_raw_vs_ocdr']:.2%} (pdftotext -raw), "
        f"{figures['cer_pdftotext_vs_ocdr']:.2%} (pdftotext). Word boxes with IoU >= {IOU_OK}: "
        f"{figures['boxes_iou_ok']:.1%} (median IoU {figures['boxes_median_iou']:.3f})."
    )
    return figures


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    return seconds, ("" if result.returncode == 0 else (result.stderr or result.stdout)[-500:])


def timing(pages: int, work: Path) -> list[dict[str, Any]]:
    data, truths, _ = synthetic_pdf(7, pages, 300.0)
    source = work / "scan.pdf"
    source.write_bytes(data)
    truth = " ".join(truths)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    runs = [("ocdr read --format pdf", [sys.executable, "-m", "ocdr.cli", "read", str(source), "--format", "pdf",
                                        "--threads", "2", "-q", "-o"])]  # fmt: skip
    if shutil.which("ocrmypdf") and shutil.which("tesseract"):
        base = ["ocrmypdf", "-q", "-j", "2", "--output-type", "pdf"]
        runs.append(("ocrmypdf + Tesseract 5", [*base, str(source)]))
        try:
            import ocdr.ocrmypdf_plugin  # noqa: F401

            runs.append(("ocrmypdf + ocdr plugin", [*base, "--plugin", "ocdr.ocrmypdf_plugin", str(source)]))
        except ImportError:
            pass
    rows = []
    for name, command in runs:
        out = work / f"{len(rows)}.pdf"
        seconds, error = timed([*command, str(out)], env)
        row = {"tool": name, "seconds": seconds, "s_per_page": seconds / pages, "error": error}
        if not error:
            row["cer_pdftotext"] = cer(pdftotext(out), truth)
        rows.append(row)
    print(f"\n## Time to make a {pages}-page 300 DPI scanned PDF searchable (2 CPU threads, a fresh command each)\n")
    print("| tool | seconds | s/page | CER of its text (pdftotext) |\n|---|---|---|---|")
    for row in rows:
        if row["error"]:
            print(f"| {row['tool']} | failed: {row['error'].strip().splitlines()[-1]} | | |")
            continue
        print(f"| {row['tool']} | {row['seconds']:.1f} | {row['s_per_page']:.2f} | {row['cer_pdftotext']:.2%} |")
    base = rows[0]["seconds"]
    for row in rows[1:]:
        if not row["error"]:
            print(f"\n{row['tool']}: {row['seconds'] / base:.2f}x ocdr's time")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10, help="round-trip PDFs (0: no round trip)")
    parser.add_argument("--pages", type=int, default=2, help="pages per round-trip PDF")
    parser.add_argument("--dpi", type=float, default=200.0)
    parser.add_argument("--timing-pages", type=int, default=10, help="pages of the timed PDF (0: no timing)")
    parser.add_argument("--no-peer", action="store_true", help="skip OCRmyPDF + Tesseract in the round trip")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if not shutil.which("pdftotext"):
        print("pdftotext (poppler-utils) is needed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        figures: dict[str, Any] = {}
        if args.docs:
            figures["round_trip"] = round_trip(OCR(threads=2), args.docs, args.pages, args.dpi, work, not args.no_peer)
        if args.timing_pages:
            figures["timing"] = timing(args.timing_pages, work)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
