"""``POST /ocr``: PaddleX's General OCR serving contract (seed 003), on our pipeline.

The body's camelCase pipeline options map to ``OCRParams``; the answer is one ``ocrResults`` entry per page (the
first ``paddlex_max_pages`` of a PDF) with every kept region's polygon, text and score, and the annotated result
image as Base64 JPEG, plus ``dataInfo`` on the input, exactly as PaddleX's serving schema has them.
"""

from __future__ import annotations

import base64
import threading
from typing import Any

import cv2
import numpy as np

from ocdr.io.export import page_to_paddlex
from ocdr.server.engine import Engine
from ocdr.server.envelope import ServiceError
from ocdr.server.payload import load_file, probe
from ocdr.server.schemas import PaddleXOCRRequest
from ocdr.visualization import draw_result

FILE_TYPES = {0: "pdf", 1: "image"}
JPEG_QUALITY = 90
# body option -> OCRParams field
PARAM_FIELDS = {
    "textDetLimitSideLen": "text_det_limit_side_len",
    "textDetLimitType": "text_det_limit_type",
    "textDetMinGlyph": "text_det_min_glyph",  # ocdr's own
    "textDetMaxGlyph": "text_det_max_glyph",  # ocdr's own
    "textDetSceneSide": "text_det_scene_side",  # ocdr's own
    "textDetThresh": "text_det_thresh",
    "textDetBoxThresh": "text_det_box_thresh",
    "textDetUnclipRatio": "text_det_unclip_ratio",
    "textRecScoreThresh": "text_rec_score_thresh",
    "useTextlineOrientation": "use_textline_orientation",
    "useDocOrientationClassify": "use_doc_orientation_classify",
    "useDocUnwarping": "use_doc_unwarping",  # ocdr.unwarp: a photographed sheet's outline flattened
    "useDeskew": "use_deskew",  # ocdr's own (PaddleX has no deskew module)
    "useRecVariants": "use_rec_variants",  # ocdr's own (ocdr.models.recognition.variants)
    "useSceneDetector": "use_scene_detector",  # ocdr's own (the scene detector for photos: OCRParams)
}


def request_params(body: PaddleXOCRRequest) -> dict[str, Any]:
    """``OCRParams`` overrides from the body."""
    params: dict[str, Any] = {}
    if body.inferenceParams is not None and body.inferenceParams.maxLongSide is not None:
        # PaddleX's cap, kept as a cap: neither small print nor a photo's scene enlarges the page past it (unless
        # textDetMinGlyph or textDetSceneSide asks)
        params.update(
            text_det_limit_side_len=body.inferenceParams.maxLongSide,
            text_det_limit_type="max",
            text_det_min_glyph=0.0,
            text_det_scene_side=0,
        )
    for option, name in PARAM_FIELDS.items():
        if getattr(body, option) is not None:
            params[name] = getattr(body, option)
    return params


def encode_jpeg(image: np.ndarray) -> str:
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return base64.b64encode(data.tobytes()).decode("ascii")


def load_input(engine: Engine, body: PaddleXOCRRequest) -> tuple[bytes, str]:
    """The file's bytes and kind ("pdf"/"image"), checked against ``fileType`` (or the URL's extension)."""
    data, url_kind = load_file(body.file, engine.url_policy)
    actual = probe(data, "file", engine.config.max_pixels)
    declared = FILE_TYPES.get(body.fileType) if body.fileType is not None else url_kind
    if declared is not None and declared != actual:
        said = "fileType says" if body.fileType is not None else "the URL's extension says"
        raise ServiceError(422, f"{said} {declared} but the file is {'a PDF' if actual == 'pdf' else 'not a PDF'}")
    return data, actual


def ocr_result(
    engine: Engine, data: bytes, kind: str, params: dict[str, Any], visualize: bool, *, cancel: threading.Event
) -> dict[str, Any]:
    pages = list(range(engine.config.paddlex_max_pages)) if kind == "pdf" else [0]
    results, sizes = [], []
    for image, page in engine.read(data, "file", pages=pages, params=params, cancel=cancel):
        paddlex = page_to_paddlex(page)
        texts = [
            {"poly": poly, "text": text, "score": score}
            for poly, text, score in zip(paddlex["rec_polys"], paddlex["rec_texts"], paddlex["rec_scores"], strict=True)
        ]
        results.append({"texts": texts, "image": encode_jpeg(draw_result(image, page)) if visualize else None})
        sizes.append({"width": page.width, "height": page.height})
    if kind == "pdf":
        info: dict[str, Any] = {"numPages": len(sizes), "pages": sizes, "type": "pdf"}
    else:
        info = {**sizes[0], "type": "image"}
    return {"ocrResults": results, "dataInfo": info}
