"""``POST /v1/ocr``: our own API. Multipart uploads of images, TIFFs and PDFs; the answer in any export format.

``format=json`` gives the envelope with one ocdr Document JSON per file (``docs/json-schema.md``); with ``level``,
each page also lists its ``items`` at that level (word, line/sentence, paragraph/block) flat, in reading order.
Other formats render all files' pages as one document (text: pages separated by form feeds).

``POST /v1/recognize``: crops cut by the caller's own boxes, one word or line each, read with no detection; the
envelope holds one reading per file (``readings_answer``).
"""

from __future__ import annotations

import threading
from typing import Any

from starlette.responses import Response

from ocdr.document import Document
from ocdr.io.export import EXPORTERS, export
from ocdr.io.searchable_pdf import merge_pdfs, to_pdf
from ocdr.server.engine import Cancelled, Engine
from ocdr.server.envelope import ServiceError, json_response, success_body
from ocdr.server.payload import probe

MEDIA_TYPES = {
    "json": "application/json",
    "paddlex": "application/json",
    "text": "text/plain; charset=utf-8",
    "hocr": "text/html; charset=utf-8",
    "alto": "application/xml",
    "page": "application/xml",
    "markdown": "text/markdown; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "pdf": "application/pdf",
}


def formats() -> list[str]:
    return sorted(EXPORTERS)


def _with_items(doc: Document, level: str) -> dict[str, Any]:
    data = doc.to_dict()
    for page, page_data in zip(doc.pages, data["pages"], strict=True):
        page_data["items"] = [
            {
                "polygon": [[round(float(x), 1), round(float(y), 1)] for x, y in polygon],
                "text": text,
                "confidence": round(float(conf), 4),
            }
            for polygon, text, conf in page.items(level)
        ]
    return data


def check_uploads(engine: Engine, uploads: list[tuple[str, bytes]], password: str | None = None) -> None:
    """Every file opens (the encrypted PDFs with ``password``) and is within the pixel limit (from headers), before
    any OCR is queued."""
    for name, data in uploads:
        probe(data, name, engine.config.max_pixels, password)


def readings_answer(
    engine: Engine, uploads: list[tuple[str, bytes]], *, params: dict[str, Any], cancel: threading.Event
) -> Response:
    """The envelope with each crop's reading (``Engine.recognize``), in upload order."""
    if cancel.is_set():
        raise Cancelled
    readings = engine.recognize(uploads, params)
    return json_response(success_body({"readings": [r.to_dict() for r in readings]}))


def documents_answer(
    engine: Engine,
    uploads: list[tuple[str, bytes]],
    *,
    fmt: str,
    level: str | None,
    pages: list[int] | None,
    params: dict[str, Any],
    dpi: float | None,
    cancel: threading.Event,
    password: str | None = None,
) -> Response:
    budget = engine.config.max_pages
    docs = []
    for name, data in uploads:
        results = [
            page
            for _, page in engine.read(
                data, name, pages=pages, params=params, cancel=cancel, max_pages=budget, dpi=dpi, password=password
            )
        ]
        budget -= len(results)
        docs.append(Document(results, source=name))
    if fmt == "json":
        documents = [_with_items(doc, level) if level else doc.to_dict() for doc in docs]
        return json_response(success_body({"documents": documents}))
    if fmt == "pdf":
        parts = [to_pdf(doc, data, password=password) for (_, data), doc in zip(uploads, docs, strict=True)]
        return Response(parts[0] if len(parts) == 1 else merge_pdfs(parts), media_type=MEDIA_TYPES["pdf"])
    merged = Document([page for doc in docs for page in doc.pages], source=docs[0].source if len(docs) == 1 else None)
    if fmt == "page" and len(merged.pages) != 1:
        raise ServiceError(
            422,
            f"format=page (PAGE XML) holds one page and this request read {len(merged.pages)}: ask for one with pages=",
        )
    content = export(merged, fmt)
    media_type = MEDIA_TYPES.get(
        fmt, "text/plain; charset=utf-8" if isinstance(content, str) else "application/octet-stream"
    )
    return Response(content, media_type=media_type)
