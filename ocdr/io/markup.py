"""Helpers shared by the XML and table exporters (hOCR, ALTO, PAGE, TSV): integer boxes, point lists, baselines,
text directions."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ocdr import geometry

if TYPE_CHECKING:
    from ocdr.document import Line, Page, Polygon

PRODUCER = "ocdr"
DESCENT = 0.2  # of a box's height: where the baseline sits above the bottom edge of a text box (descenders below)
TURN_REPORTED = 0.5  # degrees: text turned more than this says so (hOCR textangle, ALTO ROTATION, PAGE orientation)


def producer_version() -> str:
    from ocdr import __version__

    return __version__


def pixel_box(polygon: Polygon, page: Page) -> tuple[int, int, int, int]:
    """Integer ``(x0, y0, x1, y1)`` around the polygon, inside the page (formats want whole pixels on the page)."""
    return geometry.pixel_box(polygon, page.width, page.height)


def point_list(polygon: Polygon, page: Page) -> str:
    """``"x,y x,y ..."`` in whole pixels inside the page (PAGE XML's points, ALTO's polygon)."""
    p = np.rint(np.asarray(polygon, dtype=np.float64))
    p[:, 0] = np.clip(p[:, 0], 0, page.width)
    p[:, 1] = np.clip(p[:, 1], 0, page.height)
    return " ".join(f"{int(x)},{int(y)}" for x, y in p)


def baseline_points(line: Line) -> np.ndarray:
    """The line's baseline as two points (left, right): its polygon's bottom edge raised by ``DESCENT`` of its
    height, an estimate (boxes reach down to the descenders; the recognizer does not find the baseline itself)."""
    p = np.asarray(line.polygon, dtype=np.float64)
    return np.stack([p[3] + DESCENT * (p[0] - p[3]), p[2] + DESCENT * (p[1] - p[2])])


def xml_text(root: ET.Element, doctype: str | None = None) -> str:
    """The element as an indented XML document with its declaration (and a doctype line where one is given)."""
    ET.indent(root, space="  ")
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' + (doctype + "\n" if doctype else "")
    return head + ET.tostring(root, encoding="unicode") + "\n"


def text_angle(polygons: Sequence[Polygon]) -> float:
    """The reading direction of text ``polygons`` (a line's, or a block's lines), in clockwise degrees on screen
    from -180 to 180: their directions summed as unit vectors, so lines at 179 and -179 degrees make 180, not 0."""
    p = np.asarray(polygons, dtype=np.float64).reshape(-1, 4, 2)
    along = (p[:, 1] - p[:, 0]) + (p[:, 2] - p[:, 3])
    along /= np.maximum(np.linalg.norm(along, axis=1, keepdims=True), 1e-9)
    dx, dy = along.sum(axis=0)
    return math.degrees(math.atan2(dy, dx))
