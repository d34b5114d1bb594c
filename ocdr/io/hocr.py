"""hOCR 1.2 (https://kba.github.io/hocr-spec/1.2/): XHTML with ocr_page > ocr_carea > ocr_par > ocr_line > ocrx_word,
each with a ``bbox`` and words with ``x_wconf``, as Tesseract writes it, so hOCR tools (hocr-tools, OCRmyPDF's hOCR
renderer, viewers) read ocdr output unchanged. One ocdr block is one content area holding one paragraph. Words read
with char boxes hold their characters as ``ocrx_cinfo`` spans (``x_bboxes``, ``x_conf``), as Tesseract's
``hocr_char_boxes`` writes them."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import PurePath
from typing import TYPE_CHECKING

from ocdr.document import polygon_sizes
from ocdr.io.markup import (
    PRODUCER,
    TURN_REPORTED,
    baseline_points,
    pixel_box,
    producer_version,
    text_angle,
    xml_text,
)

if TYPE_CHECKING:
    from ocdr.document import Document, Line, Page

XHTML_NS = "http://www.w3.org/1999/xhtml"
DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)
CAPABILITIES = "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf"
BASELINE_ANGLE = 45.0  # degrees: a line turned more than this has no baseline


def _bbox(box: tuple[int, int, int, int]) -> str:
    return "bbox {} {} {} {}".format(*box)


def _line_title(line: Line, page: Page) -> str:
    """bbox, baseline (slope and offset from the box's bottom-left, the polygon's bottom edge), x_size (the print's
    height, across the line), textangle. A line turned more than ``BASELINE_ANGLE`` from level (a page read turned
    a quarter, or over) gets no baseline, as Tesseract writes such lines: hOCR's baseline is a slope in the page's
    frame from the box's bottom-left, which a line running down the page or upside down does not have."""
    box = pixel_box(line.polygon, page)
    angle = -text_angle([line.polygon])  # hOCR: counter-clockwise degrees
    parts = [_bbox(box)]
    if abs(angle) <= BASELINE_ANGLE:
        (bx0, by0), (bx1, by1) = baseline_points(line)
        slope = (by1 - by0) / (bx1 - bx0) if abs(bx1 - bx0) > 1e-6 else 0.0
        offset = by0 + slope * (box[0] - bx0) - box[3]
        parts.append(f"baseline {slope:.3f} {round(offset)}")
    parts.append(f"x_size {round(float(polygon_sizes(line.polygon[None])[0, 1]))}")
    if abs(angle) > TURN_REPORTED:
        parts.append(f"textangle {angle % 360:.1f}")
    return "; ".join(parts)


def _percent(confidence: float) -> int:
    return max(0, min(100, math.floor(confidence * 100 + 0.5)))


def _page_element(page: Page, number: int) -> ET.Element:
    image = PurePath(page.source).name if page.source and not page.source.startswith("<") else f"page_{number}"
    title = [f'image "{image}"', _bbox((0, 0, page.width, page.height)), f"ppageno {page.index}"]
    if page.dpi:
        title.append(f"scan_res {round(page.dpi)} {round(page.dpi / page.pixel_aspect)}")
    div = ET.Element("div", {"class": "ocr_page", "id": f"page_{number}", "title": "; ".join(title)})
    line_no = word_no = 0
    for b, block in enumerate(page.blocks, 1):
        box = _bbox(pixel_box(block.polygon, page))
        area = ET.SubElement(div, "div", {"class": "ocr_carea", "id": f"block_{number}_{b}", "title": box})
        par = ET.SubElement(area, "p", {"class": "ocr_par", "id": f"par_{number}_{b}", "title": box})
        for line in block.lines:
            line_no += 1
            attrs = {"class": "ocr_line", "id": f"line_{number}_{line_no}", "title": _line_title(line, page)}
            span = ET.SubElement(par, "span", attrs)
            for word in line.words:
                word_no += 1
                word_title = f"{_bbox(pixel_box(word.polygon, page))}; x_wconf {_percent(word.confidence)}"
                element = ET.SubElement(
                    span, "span", {"class": "ocrx_word", "id": f"word_{number}_{word_no}", "title": word_title}
                )
                if word.chars is None:
                    element.text = word.text
                for char in word.chars or ():  # Tesseract's hocr_char_boxes layout
                    bboxes = " ".join(map(str, pixel_box(char.polygon, page)))
                    cinfo = f"x_bboxes {bboxes}; x_conf {min(100.0, max(0.0, char.confidence * 100)):.1f}"
                    ET.SubElement(element, "span", {"class": "ocrx_cinfo", "title": cinfo}).text = char.text
                span[-1].tail = " "
            span[-1].tail = None
    return div


def to_hocr(doc: Document) -> str:
    """The whole document as one hOCR file: one ocr_page per page."""
    html = ET.Element("html", {"xmlns": XHTML_NS, "xml:lang": "en", "lang": "en"})
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "title").text = PurePath(doc.source).name if doc.source else ""
    ET.SubElement(head, "meta", {"http-equiv": "Content-Type", "content": "text/html;charset=utf-8"})
    ET.SubElement(head, "meta", {"name": "ocr-system", "content": f"{PRODUCER} {producer_version()}"})
    ET.SubElement(head, "meta", {"name": "ocr-number-of-pages", "content": str(len(doc.pages))})
    ET.SubElement(head, "meta", {"name": "ocr-capabilities", "content": CAPABILITIES})
    body = ET.SubElement(html, "body")
    for number, page in enumerate(doc.pages, 1):
        body.append(_page_element(page, number))
    return xml_text(html, DOCTYPE)
