"""``POST /v1/infer``: the request and answer shape of the NeMo Retriever OCR NIM (seed 002).

Each input is one image (a ``data:`` URL, or an http(s) URL where the server allows them); its text comes back at
the requested merge level (word, sentence = our lines, paragraph = our blocks) in reading order, with quadrilaterals
normalized to [0, 1] of the image size.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from ocdr.server.engine import Engine
from ocdr.server.envelope import ServiceError
from ocdr.server.payload import load_file, probe, sniff_kind
from ocdr.server.schemas import MergeLevel, NimRequest

DEFAULT_LEVEL: MergeLevel = "paragraph"


def request_levels(body: NimRequest, max_inputs: int) -> list[MergeLevel]:
    """One merge level per input: the list given, or its single entry repeated (422 for any other length)."""
    if len(body.input) > max_inputs:
        raise ServiceError(413, f"{len(body.input)} inputs; this server reads at most {max_inputs} per request")
    levels = body.merge_levels or [DEFAULT_LEVEL]
    if len(levels) == 1:
        return levels * len(body.input)
    if len(levels) != len(body.input):
        raise ServiceError(
            422, f"merge_levels has {len(levels)} entries for {len(body.input)} inputs; give one, or one per input"
        )
    return list(levels)


def _normalized(polygon: np.ndarray, width: int, height: int) -> list[dict[str, float]]:
    scaled = np.clip(polygon / np.array([width, height], dtype=np.float32), 0.0, 1.0)
    return [{"x": round(float(x), 5), "y": round(float(y), 5)} for x, y in scaled]


def load_inputs(engine: Engine, body: NimRequest) -> list[bytes]:
    """Each input's image bytes (422 for a PDF: this endpoint takes images)."""
    images = []
    for index, item in enumerate(body.input):
        name = f"input[{index}]"
        data, _ = load_file(item.url, engine.url_policy, what=f"{name}.url")
        if sniff_kind(data) == "pdf":
            raise ServiceError(422, f"{name} is a PDF; /v1/infer takes images (use /v1/ocr or /ocr for PDFs)")
        probe(data, name, engine.config.max_pixels)
        images.append(data)
    return images


def infer_result(
    engine: Engine, images: list[bytes], levels: list[MergeLevel], *, cancel: threading.Event
) -> dict[str, Any]:
    data_out = []
    for index, (data, level) in enumerate(zip(images, levels, strict=True)):
        for _, page in engine.read(data, f"input[{index}]", pages=[0], params={}, cancel=cancel):
            detections = [
                {
                    "text_prediction": {"text": text, "confidence": round(float(conf), 4)},
                    "bounding_box": {"points": _normalized(polygon, page.width, page.height)},
                }
                for polygon, text, conf in page.items(level)
            ]
            data_out.append({"index": index, "text_detections": detections})
    return {"data": data_out}
