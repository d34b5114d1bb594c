"""Result exporters: one registry, ``EXPORTERS``, of every output format; each format's writer is its own module
(hocr, alto, pagexml, markdown, tsv, searchable_pdf); JSON, text and PaddleX JSON live here."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from ocdr.io.alto import to_alto
from ocdr.io.hocr import to_hocr
from ocdr.io.markdown import to_markdown
from ocdr.io.pagexml import to_page_xml
from ocdr.io.tsv import to_tsv

if TYPE_CHECKING:
    from ocdr.document import Document, Page

# PaddleX's text_det_params keys, read from Page.params under the same names.
DET_PARAM_KEYS = ("limit_side_len", "limit_type", "thresh", "box_thresh", "unclip_ratio")
INLINE_WIDTH = 100  # longest list written on one line by the indented JSON exporters
# The formats exported as text (str); the other, "pdf", is exported as bytes.
TextFormat = Literal["json", "text", "paddlex", "hocr", "alto", "page", "markdown", "tsv"]


def _plain(value: Any) -> Any:
    """json ``default`` hook: numpy scalars (easily left in ``Page.params``) become Python numbers."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _compact(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=_plain)


def _flat(value: Any) -> bool:
    if isinstance(value, dict):
        return False
    return not isinstance(value, list) or all(_flat(v) for v in value)


def _dumps(data: Any, indent: int | None, depth: int = 0) -> str:
    """``json.dumps`` (non-ASCII kept), except that short lists without objects (points, polygons, boxes) stay on
    one line: a polygon spread over 14 lines makes a page result unreadable."""
    if indent is None or not data or not isinstance(data, dict | list):
        return _compact(data)
    if isinstance(data, list) and _flat(data):
        one_line = _compact(data)
        if len(one_line) <= INLINE_WIDTH:
            return one_line
    inner, outer = " " * (indent * (depth + 1)), " " * (indent * depth)
    if isinstance(data, dict):
        fields = (f"{inner}{_compact(key)}: {_dumps(value, indent, depth + 1)}" for key, value in data.items())
        return "{\n" + ",\n".join(fields) + f"\n{outer}}}"
    return "[\n" + ",\n".join(inner + _dumps(v, indent, depth + 1) for v in data) + f"\n{outer}]"


def _int_polygon(polygon: np.ndarray) -> np.ndarray:
    """Integer pixel polygon, as PaddleX reports it."""
    return np.rint(polygon).astype(np.int64)


def page_to_paddlex(page: Page) -> dict[str, Any]:
    """One page as the PaddleX OCR pipeline's result dict (``res.json["res"]``), with plain lists for arrays.

    ``dt_polys`` holds every detected region; the ``rec_*`` lists only those that passed ``text_rec_score_thresh``.
    """
    kept = [r for r in page.regions if r.kept]
    rec_polys = [_int_polygon(r.polygon) for r in kept]
    doc_orientation = bool(page.params.get("use_doc_orientation_classify", False))
    doc_unwarping = bool(page.params.get("use_doc_unwarping", False))
    result: dict[str, Any] = {
        "input_path": page.source,
        "page_index": page.index,
        "model_settings": {
            "use_doc_preprocessor": doc_orientation or doc_unwarping,
            "use_textline_orientation": bool(page.params.get("use_textline_orientation", False)),
        },
    }
    if doc_orientation or doc_unwarping:  # unlike PaddleX, the polygons below stay in the input image's coordinates
        result["doc_preprocessor_res"] = {
            "input_path": None,
            "page_index": None,
            "model_settings": {"use_doc_orientation_classify": doc_orientation, "use_doc_unwarping": doc_unwarping},
            "angle": page.angle if doc_orientation else -1,
        }
    return result | {
        "dt_polys": [_int_polygon(r.polygon).tolist() for r in page.regions],
        "text_det_params": {key: page.params.get(key) for key in DET_PARAM_KEYS},
        "text_type": "general",
        "textline_orientation_angles": [r.angle for r in page.regions],
        "text_rec_score_thresh": page.params.get("text_rec_score_thresh"),
        "rec_texts": [r.text for r in kept],
        "rec_scores": [float(r.rec_score) for r in kept],
        "rec_polys": [p.tolist() for p in rec_polys],
        "rec_boxes": [[*p.min(axis=0).tolist(), *p.max(axis=0).tolist()] for p in rec_polys],
    }


def to_json(doc: Document, indent: int | None = 2) -> str:
    return _dumps(doc.to_dict(), indent)


def to_text(doc: Document) -> str:
    return doc.text


def to_paddlex(doc: Document, indent: int | None = 4) -> str:
    """The list of per-page PaddleX dicts as JSON text (indent 4 like PaddleX's ``save_to_json``)."""
    return _dumps(doc.to_paddlex(), indent)


def to_pdf(doc: Document, source: Any = None, **kw: Any) -> bytes:
    """Searchable PDF (see ``ocdr.io.searchable_pdf.to_pdf``); imported on use, as it needs the ``pdf`` extra."""
    from ocdr.io.searchable_pdf import to_pdf as searchable_pdf

    return searchable_pdf(doc, source, **kw)


EXPORTERS: dict[str, Callable[..., str | bytes]] = {
    "json": to_json,
    "text": to_text,
    "paddlex": to_paddlex,
    "hocr": to_hocr,
    "alto": to_alto,
    "page": to_page_xml,
    "markdown": to_markdown,
    "tsv": to_tsv,
    "pdf": to_pdf,
}
# File name suffix of each format, for writers that name output files.
SUFFIXES = {
    "json": ".json",
    "text": ".txt",
    "paddlex": ".json",
    "hocr": ".hocr",
    "alto": ".alto.xml",
    "page": ".page.xml",
    "markdown": ".md",
    "tsv": ".tsv",
    "pdf": ".pdf",
}


@overload
def export(doc: Document, fmt: TextFormat, **kw: Any) -> str: ...
@overload
def export(doc: Document, fmt: Literal["pdf"], **kw: Any) -> bytes: ...
@overload
def export(doc: Document, fmt: str, **kw: Any) -> str | bytes: ...
def export(doc: Document, fmt: str, **kw: Any) -> str | bytes:
    """Render ``doc`` in format ``fmt``; keyword arguments go to that format's exporter."""
    try:
        exporter = EXPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; known formats: {', '.join(sorted(EXPORTERS))}") from None
    return exporter(doc, **kw)
