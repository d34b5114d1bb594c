"""ALTO XML v4 (https://www.loc.gov/standards/alto/, schema 4.3): Layout > Page > PrintSpace > TextBlock > TextLine
> String/SP, in pixels, with word confidences (WC, 0-1) and line baselines, the format of library and newspaper
archives. One Page per document page, all in one file. Words read with char boxes hold a Glyph per character (GC:
its confidence)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import PurePath
from typing import TYPE_CHECKING

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
    from ocdr.document import Document, Page, Polygon

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XLINK_NS = "http://www.w3.org/1999/xlink"
SCHEMA_LOCATION = f"{ALTO_NS} http://www.loc.gov/alto/v4/alto-4-3.xsd"
SCHEMA_VERSION = "4.3"


def _position(polygon: Polygon, page: Page) -> dict[str, str]:
    x0, y0, x1, y1 = pixel_box(polygon, page)
    return {"HPOS": str(x0), "VPOS": str(y0), "WIDTH": str(x1 - x0), "HEIGHT": str(y1 - y0)}


def _score(confidence: float) -> str:
    return f"{min(1.0, max(0.0, confidence)):.4f}"


def _page_element(page: Page, number: int) -> ET.Element:
    element = ET.Element(
        "Page",
        {
            "ID": f"page_{number}",
            "PHYSICAL_IMG_NR": str(page.index + 1),
            "WIDTH": str(page.width),
            "HEIGHT": str(page.height),
        },
    )
    space = ET.SubElement(
        element, "PrintSpace", {"HPOS": "0", "VPOS": "0", "WIDTH": str(page.width), "HEIGHT": str(page.height)}
    )
    line_no = word_no = 0
    for b, block in enumerate(page.blocks, 1):
        text_block = ET.SubElement(space, "TextBlock", {"ID": f"block_{number}_{b}", **_position(block.polygon, page)})
        angle = text_angle([line.polygon for line in block.lines])
        if abs(angle) > TURN_REPORTED:  # ALTO: counter-clockwise degrees
            text_block.set("ROTATION", f"{-angle % 360:.1f}")
        for line in block.lines:
            line_no += 1
            baseline = " ".join(f"{round(x)},{round(y)}" for x, y in baseline_points(line))
            text_line = ET.SubElement(
                text_block,
                "TextLine",
                {"ID": f"line_{number}_{line_no}", **_position(line.polygon, page), "BASELINE": baseline},
            )
            previous_end = None
            for word in line.words:
                word_no += 1
                position = _position(word.polygon, page)
                if previous_end is not None:
                    start = int(position["HPOS"])
                    gap = {"HPOS": str(min(previous_end, start)), "WIDTH": str(max(0, start - previous_end))}
                    ET.SubElement(text_line, "SP", gap)
                string = ET.SubElement(
                    text_line,
                    "String",
                    {
                        "ID": f"string_{number}_{word_no}",
                        **position,
                        "CONTENT": word.text,
                        "WC": _score(word.confidence),
                    },
                )
                for c, char in enumerate(word.chars or (), 1):
                    glyph = {"ID": f"glyph_{number}_{word_no}_{c}", **_position(char.polygon, page)}
                    ET.SubElement(string, "Glyph", {**glyph, "CONTENT": char.text, "GC": _score(char.confidence)})
                previous_end = int(position["HPOS"]) + int(position["WIDTH"])
    return element


def to_alto(doc: Document) -> str:
    root = ET.Element(
        "alto",
        {
            "xmlns": ALTO_NS,
            "xmlns:xlink": XLINK_NS,
            "xmlns:xsi": XSI_NS,
            "xsi:schemaLocation": SCHEMA_LOCATION,
            "SCHEMAVERSION": SCHEMA_VERSION,
        },
    )
    description = ET.SubElement(root, "Description")
    ET.SubElement(description, "MeasurementUnit").text = "pixel"
    if doc.source:
        info = ET.SubElement(description, "sourceImageInformation")
        ET.SubElement(info, "fileName").text = PurePath(doc.source).name
    processing = ET.SubElement(description, "OCRProcessing", {"ID": "ocr_0"})
    software = ET.SubElement(ET.SubElement(processing, "ocrProcessingStep"), "processingSoftware")
    ET.SubElement(software, "softwareName").text = PRODUCER
    ET.SubElement(software, "softwareVersion").text = producer_version()
    layout = ET.SubElement(root, "Layout")
    for number, page in enumerate(doc.pages, 1):
        layout.append(_page_element(page, number))
    return xml_text(root)
