"""Document unwarping for photographed pages: find the sheet's outline and flatten it to a rectangle.

A phone photo of a page shows the sheet at an angle (a trapezoid, its far side smaller) on whatever surface it
lies on. The picture, downscaled to ``WORK_SIDE`` and smoothed, is looked at two ways: bright paper against the
surface (Otsu's threshold) and sharp edges (Canny); the large outer contours of both are simplified to polygons. A
polygon is a sheet when it has four convex corners, covers at least ``MIN_AREA`` of the picture with every corner
inside it and none far from square, and its paper is ``CONTRAST`` gray levels brighter than the surface just
outside it (a box drawn on a form is not). The largest such sheet is warped so that its corners become a
rectangle's (a homography). A sheet that fills the frame (a scan), runs off the picture or cannot be told from its
surface is left as it is. Curled or folded paper is flattened only as far as its outline goes: the text between the
corners keeps its bends.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocdr.geometry import order_points, scaled

WORK_SIDE = 800  # pixels: the long side the picture is analysed at
MIN_AREA = 0.2  # share of the picture the sheet must cover
FRAME_MARGIN = 0.01  # share of the picture's side: a sheet's corners lie at least this far inside its edges
MAX_COSINE = 0.7  # the sheet's corners lie between 45 and 135 degrees
APPROX = 0.02  # polygon simplification: this share of the outline's perimeter
BAND = 6  # pixels at WORK_SIDE: the strips inside and outside the outline whose gray levels are compared
CONTRAST = 25  # gray levels: a sheet's paper is at least this much brighter than the surface around it
KEEP = 0.02  # the flat page keeps this share of its size around the outline (text printed to the sheet's edge)


def _sheet_masks(small: np.ndarray) -> list[np.ndarray]:
    """Two views of where the sheet may be: its bright paper (Otsu's threshold), which a bright patch of the surface
    can join, and its sharp outline (Canny edges), which a faint edge can break; each closed over the sheet's ink."""
    _, paper = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    median = float(np.median(small))
    edges = cv2.Canny(small, 0.33 * median, 0.66 * median)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    close = np.ones((15, 15), np.uint8)
    return [cv2.morphologyEx(mask, cv2.MORPH_CLOSE, close) for mask in (paper, edges)]


def _corners(contour: np.ndarray, width: int, height: int) -> np.ndarray | None:
    """The four corners of a contour that outlines a whole sheet seen at an angle, clockwise from the top-left;
    None for any other shape."""
    hull = cv2.convexHull(contour)
    polygon = cv2.approxPolyDP(hull, APPROX * cv2.arcLength(hull, True), True).reshape(-1, 2)
    if len(polygon) != 4 or not cv2.isContourConvex(polygon.reshape(-1, 1, 2)):
        return None
    corners = order_points(polygon.astype(np.float32))
    # the whole sheet in view, its surface showing beyond every corner: a sheet cut by the frame, a scan, or a
    # bright patch of a street scene (sky, a wall) running off the picture is not flattened
    margin = FRAME_MARGIN * np.array([width, height], np.float32)
    if (corners < margin).any() or (corners > np.array([width, height], np.float32) - margin).any():
        return None
    edges = np.roll(corners, -1, axis=0) - corners
    cosines = [
        abs(float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9)))
        for a, b in zip(edges, np.roll(edges, 1, axis=0), strict=True)
    ]
    return corners if max(cosines) <= MAX_COSINE else None  # a rectangle seen at an angle keeps near-square corners


def _stands_out(small: np.ndarray, corners: np.ndarray) -> bool:
    """Whether the paper just inside the outline is ``CONTRAST`` gray levels brighter than the surface just outside
    it: a box drawn on a form, a table's frame or a photo printed on the page has the same paper on both sides."""
    inside = np.zeros(small.shape, np.uint8)
    cv2.fillConvexPoly(inside, np.round(corners).astype(np.int32), 1)
    band = np.ones((2 * BAND + 1, 2 * BAND + 1), np.uint8)
    outer = cv2.dilate(inside, band) > inside
    inner = inside > cv2.erode(inside, band)
    if not outer.any() or not inner.any():
        return False
    return float(np.median(small[inner])) - float(np.median(small[outer])) >= CONTRAST


def find_page(image: np.ndarray) -> np.ndarray | None:
    """The photographed sheet's corners (4, 2) in the image's pixels, clockwise from the top-left; None when the
    picture shows no sheet with its surface around it."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    height, width = gray.shape[:2]
    scale = min(1.0, WORK_SIDE / max(height, width))
    small = scaled(gray, scale)
    small = cv2.GaussianBlur(small, (7, 7), 0)
    found = []
    for mask in _sheet_masks(small):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            area = cv2.contourArea(contour)
            if area < MIN_AREA * small.size:
                continue
            corners = _corners(contour, small.shape[1], small.shape[0])
            if corners is not None and _stands_out(small, corners):
                found.append((area, corners))
    if not found:
        return None
    return max(found, key=lambda item: item[0])[1] / scale


def flatten(image: np.ndarray, corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sheet inside ``corners`` warped to an upright rectangle, each side as long as the longer of the outline's
    two edges across from each other (so that no text is shrunk), with a border of ``KEEP`` around it; and the 3x3
    homography that maps the flat page's points back to the input's."""
    tl, tr, br, bl = corners.astype(np.float32)
    width = int(round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = int(round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    pad = round(KEEP * max(width, height))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32) + pad
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    size = (width + 2 * pad, height + 2 * pad)
    flat = cv2.warpPerspective(image, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return flat, np.linalg.inv(matrix)
