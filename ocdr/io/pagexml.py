"""PAGE XML (PRImA, 2019-07-15 schema): TextRegion > TextLine > Word with polygons (Coords), baselines and
TextEquiv with confidences, plus the page's reading order: the format of OCR-D, Transkribus and eScriptorium.
A PAGE file holds one page, so multi-page documents are written page by page (``page=`` picks one). Words read
with char boxes hold a Glyph per character."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import PurePath
from typing import TYPE_CHECKING

from ocdr.io.markup import (
    PRODUCER,
    TURN_REPORTED,
    baseline_points,
    point_list,
    producer_version,
    text_angle,
    xml_text,
)

if TYPE_CHECKING:
    from ocdr.document import Document, Page

PAGE_NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{PAGE_NS} {PAGE_NS}/pagecontent.xsd"


def _text_equiv(parent: ET.Element, text: str, confidence: float) -> None:
    equiv = ET.SubElement(parent, "TextEquiv", {"conf": f"{min(1.0, max(0.0, confidence)):.4f}"})
    ET.SubElement(equiv, "Unicode").text = text


def _timestamp() -> str:
    """Now, or the time ``SOURCE_DATE_EPOCH`` gives (the reproducible-builds convention): with it set, the same
    result gives byte-identical files in every run and worker."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return datetime.now(UTC).replace(microsecond=0).isoformat()
    try:
        return datetime.fromtimestamp(int(epoch), UTC).isoformat()
    except ValueError:
        raise ValueError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {epoch!r}") from None


def page_xml(page: Page, source: str | None = None) -> str:
    """One page as a PAGE XML document."""
    root = ET.Element("PcGts", {"xmlns": PAGE_NS, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": SCHEMA_LOCATION})
    metadata = ET.SubElement(root, "Metadata")
    ET.SubElement(metadata, "Creator").text = f"{PRODUCER} {producer_version()}"
    now = _timestamp()
    ET.SubElement(metadata, "Created").text = now
    ET.SubElement(metadata, "LastChange").text = now
    name = source or page.source
    image = PurePath(name).name if name and not name.startswith("<") else f"page_{page.index + 1}"
    element = ET.SubElement(
        root, "Page", {"imageFilename": image, "imageWidth": str(page.width), "imageHeight": str(page.height)}
    )
    if page.blocks:
        group = ET.SubElement(ET.SubElement(element, "ReadingOrder"), "OrderedGroup", {"id": "reading_order"})
        for b in range(len(page.blocks)):
            ET.SubElement(group, "RegionRefIndexed", {"index": str(b), "regionRef": f"region_{b + 1}"})
    for b, block in enumerate(page.blocks, 1):
        region = ET.SubElement(element, "TextRegion", {"id": f"region_{b}", "type": "paragraph"})
        angle = text_angle([line.polygon for line in block.lines])
        if abs(angle) > TURN_REPORTED:  # PAGE: the clockwise turn that sets the text level, over -180 to 180
            turn = round(-angle, 1)
            region.set("orientation", f"{turn + 360 if turn <= -180 else turn:.1f}")
        ET.SubElement(region, "Coords", {"points": point_list(block.polygon, page)})
        for n, line in enumerate(block.lines, 1):
            text_line = ET.SubElement(region, "TextLine", {"id": f"region_{b}_line_{n}"})
            ET.SubElement(text_line, "Coords", {"points": point_list(line.polygon, page)})
            ET.SubElement(text_line, "Baseline", {"points": point_list(baseline_points(line), page)})
            for w, word in enumerate(line.words, 1):
                word_element = ET.SubElement(text_line, "Word", {"id": f"region_{b}_line_{n}_word_{w}"})
                ET.SubElement(word_element, "Coords", {"points": point_list(word.polygon, page)})
                for c, char in enumerate(word.chars or (), 1):
                    glyph = ET.SubElement(word_element, "Glyph", {"id": f"region_{b}_line_{n}_word_{w}_glyph_{c}"})
                    ET.SubElement(glyph, "Coords", {"points": point_list(char.polygon, page)})
                    _text_equiv(glyph, char.text, char.confidence)
                _text_equiv(word_element, word.text, word.confidence)
            _text_equiv(text_line, line.text, line.confidence)
        _text_equiv(region, block.text, block.confidence)
    return xml_text(root)


def to_page_xml(doc: Document, page: int | None = None) -> str:
    """The document's only page, or page number ``page`` (0-based position in ``doc.pages``) of a longer one."""
    if page is None:
        if len(doc.pages) != 1:
            raise ValueError(
                f"a PAGE XML file holds one page and this document has {len(doc.pages)}: export them one at a time "
                "with page=0, 1, ..."
            )
        page = 0
    if not 0 <= page < len(doc.pages):
        raise ValueError(f"page {page} is out of range: the document has {len(doc.pages)} pages")
    return page_xml(doc.pages[page], doc.source)
