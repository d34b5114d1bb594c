"""``OCR``: the public facade. Load the models once, then read images, paths, bytes, arrays, PIL images and PDFs.

    from ocdr import OCR
    ocr = OCR()
    doc = ocr("page.png")
    print(doc.text)

Arrays are taken as RGB (``color_order="bgr"`` for OpenCV arrays). One ``OCR`` object may be shared by threads:
the models are read-only and every call keeps its own state.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from ocdr.document import Document, Page
from ocdr.errors import InputError
from ocdr.io.inputs import DEFAULT_MAX_PIXELS, PageImage, Source, expand_inputs, iter_pages, parse_page_spec
from ocdr.pipeline import OCRParams, OCRPipeline, TextDetector, TextlineClassifier, TextRecognizer
from ocdr.runtime.registry import resolve_model
from ocdr.runtime.session import OnnxModel


class OCR:
    """End-to-end OCR on ONNX Runtime.

    Args:
        det_model / rec_model: ONNX files made by ``ocdr export`` (default: the models shipped in the package).
        threads: ONNX Runtime intra-op threads per model (default: ONNX Runtime's choice, all cores).
        device: "cpu" (default) or "cuda" (needs onnxruntime-gpu; never falls back silently).
        dpi: PDF render resolution.  max_pixels: larger images are refused before decoding.
        memory_arena: ONNX Runtime's CPU memory arena (faster; False keeps memory flat over many image sizes).
        line_cls_model: text-line orientation ONNX model (default: shipped), used with use_textline_orientation.
        **params: defaults for the pipeline settings (``OCRParams``: text_det_limit_side_len, text_det_limit_type,
            text_det_thresh, text_det_box_thresh, text_det_unclip_ratio, text_rec_score_thresh, rec_batch_size,
            use_textline_orientation).
    """

    def __init__(
        self,
        det_model: str | Path | None = None,
        rec_model: str | Path | None = None,
        *,
        threads: int | None = None,
        device: str = "cpu",
        dpi: float = 200.0,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        memory_arena: bool = True,
        line_cls_model: str | Path | None = None,
        **params,
    ):
        self.params = OCRParams().with_overrides(**params)
        self.dpi = dpi
        self.max_pixels = max_pixels
        self.pipeline = OCRPipeline(
            TextDetector(OnnxModel(resolve_model("det", det_model), threads, device, memory_arena)),
            TextRecognizer(OnnxModel(resolve_model("rec", rec_model), threads, device, memory_arena)),
            TextlineClassifier(OnnxModel(resolve_model("cls_line", line_cls_model), threads, device, memory_arena)),
        )

    def iter_source_pages(
        self,
        source: Source,
        pages: Sequence[int] | str | None = None,
        color_order: str = "rgb",
        dpi: float | None = None,
        **params,
    ) -> Iterator[tuple[PageImage, Page]]:
        """Each page image of one input with its result, lazily (a long PDF is never held whole)."""
        run_params = self.params.with_overrides(**params)
        if isinstance(pages, str):
            pages = parse_page_spec(pages)
        for page in iter_pages(
            source, pages=pages, dpi=dpi or self.dpi, max_pixels=self.max_pixels, color_order=color_order
        ):
            result = self.pipeline.read_page(page.image, run_params, index=page.index, source=source.name)
            result.dpi = page.dpi
            yield page, result

    def read_source(self, source: Source, **kwargs) -> Document:
        """Read one already-expanded input (all its pages). Raises ``InputError`` if it cannot be read."""
        return Document([result for _, result in self.iter_source_pages(source, **kwargs)], source=source.name)

    def predict_iter(self, inputs, **kwargs) -> Iterator[Document]:
        """One ``Document`` per input, in order, as each is read (directories expand to their files). Keyword
        arguments as ``iter_source_pages``: pages ("1-3,7" or 0-based indices), color_order, dpi, pipeline settings."""
        for source in expand_inputs(inputs):
            yield self.read_source(source, **kwargs)

    def predict(self, inputs, **kwargs) -> list[Document]:
        """Like ``predict_iter`` but returns the list."""
        return list(self.predict_iter(inputs, **kwargs))

    def __call__(self, image, **kwargs) -> Document:
        """Read one input (path, bytes, array, PIL image, PDF); use ``predict`` for lists and directories."""
        sources = expand_inputs(image)
        if len(sources) != 1:
            raise InputError(f"OCR() reads one input, got {len(sources)}; use OCR.predict() for several")
        return self.read_source(sources[0], **kwargs)
