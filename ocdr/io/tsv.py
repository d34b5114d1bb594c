"""TSV as Tesseract writes it (``tesseract img out tsv``): one row per page, block, paragraph, line and word with
level, numbering, box and confidence, so scripts written for Tesseract's TSV (pandas, pytesseract's image_to_data
readers) take ocdr's unchanged. Confidence is 0-100 for words and -1 for the other levels, as there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ocdr.io.markup import pixel_box

if TYPE_CHECKING:
    from ocdr.document import Document

COLUMNS = (
    "level", "page_num", "block_num", "par_num", "line_num", "word_num", "left", "top", "width", "height", "conf",
    "text",
)  # fmt: skip


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def to_tsv(doc: Document) -> str:
    rows = ["\t".join(COLUMNS)]

    def row(level: int, numbers: tuple[int, ...], box: tuple[int, int, int, int], conf: float, text: str) -> None:
        x0, y0, x1, y1 = box
        nums = [*numbers, *([0] * (5 - len(numbers)))]
        rows.append("\t".join(map(str, [level, *nums, x0, y0, x1 - x0, y1 - y0, conf, _clean(text)])))

    for p, page in enumerate(doc.pages, 1):
        row(1, (p,), (0, 0, page.width, page.height), -1, "")
        for b, block in enumerate(page.blocks, 1):
            row(2, (p, b), pixel_box(block.polygon, page), -1, "")
            row(3, (p, b, 1), pixel_box(block.polygon, page), -1, "")
            for n, line in enumerate(block.lines, 1):
                row(4, (p, b, 1, n), pixel_box(line.polygon, page), -1, "")
                for w, word in enumerate(line.words, 1):
                    conf = round(max(0.0, min(1.0, word.confidence)) * 100, 6)
                    row(5, (p, b, 1, n, w), pixel_box(word.polygon, page), conf, word.text)
    return "\n".join(rows) + "\n"
