"""The OCR result tree: Document > Page > Block (paragraph) > Line > Word, plus the raw detector Regions.

Pure data (numpy polygons, strings, numbers) so that results are cheap to build, pickle, compare and serialise;
the grouping logic lives in ``ocdr.layout.grouping`` and the output formats in ``ocdr.io.export``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal, overload

import cv2
import numpy as np

from ocdr.errors import InputError
from ocdr.geometry import order_points, polygon_box, quad_from_box, split_quad

if TYPE_CHECKING:
    from ocdr.io.export import TextFormat

Polygon = np.ndarray  # (4, 2) float32, page pixels, clockwise from the top-left corner in reading direction

SCHEMA = "ocdr.document"
SCHEMA_VERSION = 1
SKEW_DEGREES = 5.0  # children rotated more than this get a rotated enclosing rectangle instead of an upright one
# Page.items levels: "sentence" and "block" are aliases, so callers can use either vocabulary; "char" needs pages
# read with ``return_char_boxes``.
LEVELS = {
    "char": "chars",
    "word": "words",
    "line": "lines",
    "sentence": "lines",
    "paragraph": "blocks",
    "block": "blocks",
}


def as_polygon(points: Any) -> Polygon:
    """Coerce to a (4, 2) float32 array; no copy when it already is one, so building a tree stays cheap."""
    polygon = np.asarray(points, dtype=np.float32)
    if polygon.shape != (4, 2):
        raise ValueError(f"expected a (4, 2) polygon, got shape {polygon.shape}")
    return polygon


def polygon_angles(polygons: np.ndarray) -> np.ndarray:
    """Reading-direction angle in degrees of each polygon in an (n, 4, 2) stack (positive = clockwise on screen).

    Averages the top and bottom edges so that a perspective-distorted quad still gives its mean direction.
    """
    p = np.asarray(polygons, dtype=np.float64).reshape(-1, 4, 2)
    direction = (p[:, 1] - p[:, 0]) + (p[:, 2] - p[:, 3])
    return np.degrees(np.arctan2(direction[:, 1], direction[:, 0]))


def polygon_sizes(polygons: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
    """(n, 2) widths and heights of an (n, 4, 2) stack, measured along the polygons' own edges (skew-proof)."""
    p = np.asarray(polygons, dtype=np.float64).reshape(-1, 4, 2)
    widths = (np.linalg.norm(p[:, 1] - p[:, 0], axis=1) + np.linalg.norm(p[:, 2] - p[:, 3], axis=1)) / 2
    heights = (np.linalg.norm(p[:, 3] - p[:, 0], axis=1) + np.linalg.norm(p[:, 2] - p[:, 1], axis=1)) / 2
    return np.stack([widths, heights], axis=1)


def enclosing_polygon(polygons: Sequence[Polygon]) -> Polygon:
    """The 4-point polygon around child polygons: upright hull, or the min-area rectangle when the text is skewed.

    An upright hull of a long skewed line would be far taller than its text, so past ``SKEW_DEGREES`` (median
    of the children) the rotated rectangle is used instead. Children whose text is turned over (read right to
    left on screen: lines the text-line orientation stage turned) get a polygon that starts, as theirs do, at the
    top-left corner in their reading direction.
    """
    if len(polygons) == 0:
        raise ValueError("cannot enclose zero polygons: a line needs words and a block needs lines")
    stack = np.stack(polygons).astype(np.float32)
    if np.cos(np.radians(polygon_angles(stack))).sum() < 0:
        return np.roll(enclosing_polygon(list(np.roll(stack, 2, axis=1))), 2, axis=0)
    points = stack.reshape(-1, 2)
    if abs(float(np.median(polygon_angles(stack)))) <= SKEW_DEGREES:
        return quad_from_box(*polygon_box(points))
    return order_points(cv2.boxPoints(cv2.minAreaRect(points)))


def _weighted_confidence(children: Sequence[Word | Line]) -> float:
    """Mean confidence weighted by character count, so a long word counts more than a stray punctuation mark."""
    weights = [max(len(child.text), 1) for child in children]
    return sum(w * child.confidence for w, child in zip(weights, children, strict=True)) / sum(weights)


def _round_polygon(polygon: Polygon) -> list[list[float]]:
    return np.round(polygon.astype(np.float64), 1).tolist()


def _round_score(value: float) -> float:
    return round(float(value), 4)


class _Value:
    """Field-wise equality that compares polygons by value (a dataclass ``__eq__`` would call bool() on arrays)."""

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        for f in fields(self):  # type: ignore[arg-type]
            a, b = getattr(self, f.name), getattr(other, f.name)
            same = np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
            if not same:
                return False
        return True


class _Shape(_Value):
    """A node with a ``polygon`` field: coerces it on construction and derives the upright box."""

    polygon: Polygon

    def __post_init__(self) -> None:
        self.polygon = as_polygon(self.polygon)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """Axis-aligned ``(x0, y0, x1, y1)`` of the polygon."""
        return polygon_box(self.polygon)


@dataclass(frozen=True)
class CropReading:
    """A crop read with no detection (``OCR.recognize``): its input's name, its text, the reading's confidence
    (0-1), and how far the crop's text was found turned clockwise, as ``Page.angle`` counts: 90 or 270 for vertical
    text, 180 for text the text-line classifier turned over."""

    source: str
    text: str
    confidence: float
    angle: int = 0

    def to_dict(self) -> dict:
        return {"source": self.source, "text": self.text, "confidence": self.confidence, "angle": self.angle}


@dataclass(eq=False)
class _Reading(_Shape):
    """A box with the text read in it and how sure the reading is."""

    polygon: Polygon
    text: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"polygon": _round_polygon(self.polygon), "text": self.text, "confidence": _round_score(self.confidence)}


@dataclass(eq=False)
class Char(_Reading):
    """One character of a word: its box (the word's box cut where the recognizer read it), text and probability."""

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Char:
        return cls(d["polygon"], d["text"], d["confidence"])


@dataclass(eq=False)
class Word(_Reading):
    """A word; ``chars`` are its characters in order (one per character of ``text``) when the page was read with
    ``return_char_boxes``, else None."""

    chars: list[Char] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.chars is not None and len(self.chars) != len(self.text):
            raise ValueError(f"word {self.text!r} has {len(self.text)} characters but {len(self.chars)} char boxes")

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        if self.chars is not None:
            d["chars"] = [c.to_dict() for c in self.chars]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Word:
        chars = [Char.from_dict(c) for c in d["chars"]] if "chars" in d else None
        return cls(d["polygon"], d["text"], d["confidence"], chars)


def fit_chars(chars: list[Char] | None, text: str, polygon: Polygon, confidence: float) -> list[Char] | None:
    """Char boxes for a word on ``polygon`` reading ``text``, made from the boxes ``chars`` it was put together
    from: relabelled where the counts agree (the same letters, or a change of case), else ``polygon`` cut into
    equal parts (a dot put in or left out); None where there were none."""
    if chars is None:
        return None
    if len(chars) == len(text):
        return [Char(c.polygon, t, c.confidence) for c, t in zip(chars, text, strict=True)]
    quads = split_quad(polygon, np.linspace(0.0, 1.0, len(text) + 1))
    return [Char(q, t, confidence) for q, t in zip(quads, text, strict=True)]


@dataclass(eq=False)
class Line(_Shape):
    words: list[Word]
    polygon: Polygon
    confidence: float

    @classmethod
    def from_words(cls, words: list[Word]) -> Line:
        """A line around ``words`` (already in reading order), with its polygon and confidence derived from them."""
        return cls(words, enclosing_polygon([w.polygon for w in words]), _weighted_confidence(words))

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def to_dict(self) -> dict[str, Any]:
        return {
            "polygon": _round_polygon(self.polygon),
            "text": self.text,
            "confidence": _round_score(self.confidence),
            "words": [w.to_dict() for w in self.words],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Line:
        return cls([Word.from_dict(w) for w in d["words"]], d["polygon"], d["confidence"])


@dataclass(eq=False)
class Block(_Shape):
    """A paragraph: lines that belong together, read top to bottom."""

    lines: list[Line]
    polygon: Polygon
    confidence: float

    @classmethod
    def from_lines(cls, lines: list[Line]) -> Block:
        return cls(lines, enclosing_polygon([line.polygon for line in lines]), _weighted_confidence(lines))

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]

    def to_dict(self) -> dict[str, Any]:
        return {
            "polygon": _round_polygon(self.polygon),
            "text": self.text,
            "confidence": _round_score(self.confidence),
            "lines": [line.to_dict() for line in self.lines],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Block:
        return cls([Line.from_dict(line) for line in d["lines"]], d["polygon"], d["confidence"])


@dataclass(eq=False)
class Region(_Shape):
    """One detector region exactly as the pipeline recognized it, before layout (PaddleX output, debugging).

    ``kept`` says whether the reading passed the pipeline's ``text_rec_score_thresh`` (and, for a region the
    detector was barely sure of, ``ocdr.pipeline.WEAK_REGION_READING``); ``angle`` is the text-line orientation
    found (0 or 180: read turned over), -1 when it was not asked for. A region covering the whole image is a word
    or line cropped close, read whole (``ocdr.pipeline.OCRPipeline.read_whole``): its ``det_score`` is 0.0 where
    detection gave no text, else the best of the detected regions whose reading it replaced (those stay, not kept).
    A capital "I" alone found in the ink where the detector found nothing (``ocdr.lone_glyphs``) has ``det_score``
    0.0 too.
    """

    polygon: Polygon
    det_score: float
    text: str
    rec_score: float
    kept: bool
    angle: int = -1

    def to_dict(self) -> dict[str, Any]:
        return {
            "polygon": _round_polygon(self.polygon),
            "det_score": _round_score(self.det_score),
            "text": self.text,
            "rec_score": _round_score(self.rec_score),
            "kept": self.kept,
            "angle": self.angle,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Region:
        return cls(d["polygon"], d["det_score"], d["text"], d["rec_score"], d["kept"], d.get("angle", -1))


@dataclass(eq=False)
class Page(_Value):
    """One page (or image) of results, blocks in reading order.

    ``params`` holds the pipeline settings used, under PaddleX's names where one exists (``limit_side_len``,
    ``limit_type``, ``thresh``, ``box_thresh``, ``unclip_ratio``, ``text_rec_score_thresh``); values must be
    JSON-serialisable. ``angle`` is how far the page content was turned clockwise (0/90/180/270) as the page
    orientation stage found it (polygons are always in the input image's coordinates) and ``angle_confidence`` the
    page classifier's confidence times the share of the text whose orientation agrees (None when it did not run).
    ``skew`` is the angle (degrees, clockwise, within 45) the deskew stage found and straightened the page by (below 0.2
    degrees it is left as it is; None when the stage did not run). ``outline`` is the photographed sheet the
    unwarping stage found and flattened before detection (its corners in the input's pixels; None when the stage did
    not run or found no sheet in full view). ``dpi`` is the resolution the page image had (the
    render DPI of a PDF page, an image's own DPI metadata), None where unknown: exporters that place the page on
    paper (searchable PDF, hOCR's scan_res) use it. ``pixel_aspect`` is how many times taller than wide the
    image's pixels are by its metadata (horizontal over vertical DPI: 2.08 for a standard-mode fax); ``dpi`` is
    the horizontal one.
    """

    index: int
    width: int
    height: int
    blocks: list[Block]
    regions: list[Region] = field(default_factory=list)
    source: str | None = None
    angle: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    dpi: float | None = None
    angle_confidence: float | None = None
    skew: float | None = None
    outline: Polygon | None = None
    pixel_aspect: float = 1.0

    def __post_init__(self) -> None:
        if self.outline is not None:
            self.outline = as_polygon(self.outline)

    @property
    def lines(self) -> list[Line]:
        return [line for block in self.blocks for line in block.lines]

    @property
    def words(self) -> list[Word]:
        return [w for block in self.blocks for w in block.words]

    @property
    def chars(self) -> list[Char]:
        """The words' char boxes in reading order; an error for a page whose words were read without them."""
        words = self.words
        if words and all(w.chars is None for w in words):
            raise ValueError("this page was read without char boxes: read it with return_char_boxes=True")
        return [c for w in words for c in w.chars or ()]

    @property
    def text(self) -> str:
        """Lines joined by newlines in reading order, with a blank line between blocks. The cells of a row (blocks
        of one line side by side: a key and its value, a table's row) share a line, tab-separated, and the rows of
        a table follow each other without blank lines (``rows_apart``: but those of two tables)."""
        from ocdr.layout.grouping import rows_apart, text_rows  # deferred: the layout builds on this module

        text = ""
        previous: list[Block] = []
        for row in text_rows(self.blocks):
            if previous:
                table = len(previous) > 1 and len(row) > 1 and not rows_apart(previous, row)
                text += "\n" if table else "\n\n"
            text += "\t".join(block.text for block in row)
            previous = row
        return text

    def items(self, level: str) -> list[tuple[Polygon, str, float]]:
        """``(polygon, text, confidence)`` of every node at ``level`` (char, word, line/sentence,
        paragraph/block)."""
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}; known levels: {', '.join(LEVELS)}")
        return [(node.polygon, node.text, node.confidence) for node in getattr(self, LEVELS[level])]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "width": self.width,
            "height": self.height,
            "source": self.source,
            "angle": self.angle,
            "angle_confidence": None if self.angle_confidence is None else _round_score(self.angle_confidence),
            "skew": None if self.skew is None else round(self.skew, 2),
            "outline": None if self.outline is None else _round_polygon(self.outline),
            "dpi": self.dpi,
            "pixel_aspect": self.pixel_aspect,
            "params": dict(self.params),
            "blocks": [b.to_dict() for b in self.blocks],
            "regions": [r.to_dict() for r in self.regions],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Page:
        return cls(
            index=d["index"],
            width=d["width"],
            height=d["height"],
            blocks=[Block.from_dict(b) for b in d["blocks"]],
            regions=[Region.from_dict(r) for r in d.get("regions", [])],
            source=d.get("source"),
            angle=d.get("angle", 0),
            params=dict(d.get("params", {})),
            dpi=d.get("dpi"),
            angle_confidence=d.get("angle_confidence"),
            skew=d.get("skew"),
            outline=d.get("outline"),
            pixel_aspect=d.get("pixel_aspect", 1.0),
        )


@dataclass(eq=False)
class Document(_Value):
    """The result for one input (image or multi-page file)."""

    pages: list[Page]
    source: str | None = None

    @property
    def text(self) -> str:
        """Page texts joined by form feeds, as pdftotext does, so page breaks survive in plain text."""
        return "\f".join(page.text for page in self.pages)

    @property
    def words(self) -> list[Word]:
        return [w for page in self.pages for w in page.words]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (see docs/json-schema.md); polygons rounded to 0.1 px, scores to 4 decimals.

        Derived ``text`` fields are written for readers' convenience and ignored by ``from_dict``.
        """
        return {
            "schema": SCHEMA,
            "version": SCHEMA_VERSION,
            "source": self.source,
            "pages": [page.to_dict() for page in self.pages],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        """Inverse of ``to_dict``: ``Document.from_dict(d).to_dict() == d`` for any ``d`` it wrote. A damaged one
        (a field missing or of the wrong shape) is an ``InputError`` naming what broke, not a bare KeyError."""
        if not isinstance(d, dict) or d.get("schema") != SCHEMA or d.get("version") != SCHEMA_VERSION:
            found = (d.get("schema"), d.get("version")) if isinstance(d, dict) else (type(d).__name__, None)
            raise InputError(
                f"not an {SCHEMA} version {SCHEMA_VERSION} result: schema={found[0]!r}, version={found[1]!r}"
            )
        try:
            return cls([Page.from_dict(p) for p in d["pages"]], source=d.get("source"))
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise InputError(f"a damaged {SCHEMA} result: {type(exc).__name__}: {exc}") from exc

    def to_json(self, indent: int | None = 2) -> str:
        return self.export("json", indent=indent)

    def to_paddlex(self) -> list[dict[str, Any]]:
        """One dict per page in the PaddleX OCR pipeline's result format."""
        from ocdr.io.export import page_to_paddlex

        return [page_to_paddlex(page) for page in self.pages]

    @overload
    def export(self, fmt: TextFormat, **kw: Any) -> str: ...
    @overload
    def export(self, fmt: Literal["pdf"], **kw: Any) -> bytes: ...
    @overload
    def export(self, fmt: str, **kw: Any) -> str | bytes: ...
    def export(self, fmt: str, **kw: Any) -> str | bytes:
        """Render in one of ``ocdr.io.export.EXPORTERS``: json, text, paddlex, hocr, alto, page, markdown, tsv, pdf
        (the exporters import this module, hence the late import)."""
        from ocdr.io.export import export

        return export(self, fmt, **kw)
