"""``OCR``: the public facade. Load the models once, then read images, paths, bytes, arrays, PIL images and PDFs.

    from ocdr import OCR
    ocr = OCR()
    doc = ocr("page.png")
    print(doc.text)

Arrays are taken as RGB (``color_order="bgr"`` for OpenCV arrays). One ``OCR`` object may be shared by threads:
the models are read-only and every call keeps its own state.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path

from ocdr.document import CropReading, Document, Page
from ocdr.errors import InputError
from ocdr.io.inputs import (
    DEFAULT_MAX_PIXELS,
    PageImage,
    Source,
    crop_image,
    expand_inputs,
    iter_pages,
    parse_page_spec,
)
from ocdr.models.recognition.lexicon import Lexicon, auto_lexicons
from ocdr.models.recognition.preprocess import ShapeBuckets
from ocdr.pipeline import (
    OCRParams,
    OCRPipeline,
    PageClassifier,
    SceneClassifier,
    TextDetector,
    TextlineClassifier,
    TextRecognizer,
)
from ocdr.runtime.registry import resolve_model, shipped_model_path
from ocdr.runtime.session import OnnxModel

GPU_REC_BATCH = 128  # crops per recognizer call on GPU devices: large batches keep an accelerator busy


class OCR:
    """End-to-end OCR on ONNX Runtime.

    Args:
        det_model / rec_model: ONNX files made by ``ocdr export`` (default: the models shipped in the package), or
            the names of other shipped ones: "synthetic" (trained on synthetic data alone), "latin" (rec: also
            reads the accented letters of ten Western European languages), "cyrillic" (rec: also reads Russian,
            Ukrainian, Bulgarian and Macedonian), "greek" (rec: also reads Greek).
        threads: ONNX Runtime intra-op threads per model (default: ONNX Runtime's choice, all cores). On the CPU,
            with 2 or more (by default, one per CPU: ``os.cpu_count()``), the recognizer reads a call's batches
            ``threads`` at a time, on one thread each, so that its word list's search, in Python, overlaps the
            network (held-out scene crops about 20% more a second); a call of one batch is read on all ``threads``.
        device: "cpu" (default), "cuda" or "tensorrt" (need onnxruntime-gpu; an error, never a silent fall back to the
            CPU, when the GPU provider is missing). GPU devices read crops in fixed-shape buckets, 128 per call.
        precision: the shipped det and rec models to load: "fp32" (default) or "int8" (quantized for CPUs; see
            docs/models.md). A model path given is used as it is. With "fp32" on the CPU, the slants an unsure crop
            is tried at (``OCR.recognize``) are read by the int8 recognizer, its own reading by the float one.
        trt_cache: TensorRT engine cache folder (device "tensorrt"; default ~/.cache/ocdr/tensorrt).
        dpi: PDF render resolution.  max_pixels: larger images are refused before decoding.
        pixel_aspect: how many times taller than wide the inputs' pixels are, over what their metadata says: for
            an array, or a fax saved without its resolution tags (204 / 98 in standard mode). None (default): the
            metadata's, else square. A call's own ``pixel_aspect`` comes first.
        memory_arena: keep ONNX Runtime's CPU arena's buffers between model calls (default; faster). False hands
            them back after each call, so memory stays flat over many image sizes and pages read at once.
        line_cls_model: text-line orientation ONNX model (default: shipped), used with use_textline_orientation.
        page_cls_model: page orientation ONNX model (default: shipped), used with use_doc_orientation_classify.
        scene_cls_model: whole-photo orientation ONNX model (default: shipped), which orders the readings of a page
            the page model is not sure of (street photos).
        scene_det_model: detection ONNX model for photos' scenes (images that are not print on a flat light
            ground), used with use_scene_detector (default): by default the shipped scene detector (the shipped
            detector fine-tuned on street photos) where det_model is the shipped one of its precision; with a
            det_model of your own (or "synthetic"), that model reads photos too unless this is given.
        lexicon: word lists that correct near-miss readings (``ocdr.models.recognition.lexicon``): "auto" (default:
            the recognizer's languages, "en", and "latin", "cyrillic" or "greek" too for one that reads accented
            letters, Cyrillic or Greek, such as ``rec_model="latin"``), "en" (73,066 English words and names), "fr",
            "de", "es", "pt", "it", "nl", "sv", "da", "nb", "fi" (about 19,800 frequent words each) or "latin" (all
            ten), "ru", "uk", "bg", "mk" (as many) or "cyrillic" (all four), "el" or "greek" (18,744 Greek words),
            files of one word per line (your names and terms), a list of these, or None (or "none", as the CLI
            takes it) for the recognizer's readings as they are.
        **params: defaults for the pipeline settings (``OCRParams``: text_det_limit_side_len, text_det_limit_type,
            text_det_thresh, text_det_box_thresh, text_det_unclip_ratio, text_rec_score_thresh, rec_batch_size,
            use_textline_orientation, use_doc_orientation_classify, use_doc_unwarping, use_deskew,
            use_rec_variants, use_scene_detector, return_char_boxes).
    """

    def __init__(
        self,
        det_model: str | Path | None = None,
        rec_model: str | Path | None = None,
        *,
        threads: int | None = None,
        device: str = "cpu",
        dpi: float = 200.0,
        pixel_aspect: float | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        memory_arena: bool = True,
        precision: str = "fp32",
        trt_cache: str | Path | None = None,
        line_cls_model: str | Path | None = None,
        page_cls_model: str | Path | None = None,
        scene_cls_model: str | Path | None = None,
        scene_det_model: str | Path | None = None,
        lexicon: str | Path | Sequence[str | Path] | None = "auto",
        **params,
    ):
        _check_options(
            threads,
            max_pixels,
            memory_arena,
            det_model=det_model,
            rec_model=rec_model,
            line_cls_model=line_cls_model,
            page_cls_model=page_cls_model,
            scene_cls_model=scene_cls_model,
            scene_det_model=scene_det_model,
        )
        gpu = device != "cpu"
        self.dpi = _checked_dpi(dpi)
        self.pixel_aspect = _checked_aspect(pixel_aspect)
        self.max_pixels = max_pixels
        load = partial(OnnxModel, threads=threads, device=device, memory_arena=memory_arena, trt_cache=trt_cache)
        scene = scene_det_model is not None or det_model is None
        detector = TextDetector(
            load(resolve_model("det", det_model, precision)),
            load(resolve_model("det_scene", scene_det_model, precision)) if scene else None,
        )
        recognizer_path = resolve_model("rec", rec_model, precision)
        recognizer_model = load(recognizer_path)
        # on the CPU the recognizer reads several batches ``threads`` (by default one per CPU) at a time, one thread
        # each (``TextRecognizer``): OCR() read held-out scene crops 10-16% slower than OCR(threads=2) on 2 cores before
        workers = 1 if gpu else max(1, threads or os.cpu_count() or 1)
        if isinstance(lexicon, str) and lexicon.lower() == "none":
            lexicon = None
        words = Lexicon.load(lexicon, auto_lexicons(recognizer_model.metadata.get("charset", ""))) if lexicon else None

        def reader(path: Path, model: OnnxModel) -> TextRecognizer:
            worker_model = load(path, threads=1) if workers > 1 else None
            return TextRecognizer(model, ShapeBuckets() if gpu else None, words, workers, worker_model)

        # the slants an unsure crop is turned level at (``untilt``, about 16 readings of it) are read by the int8 copy
        # of the shipped recognizer on the CPU: held-out crops 1.4x as fast on 2 threads, two of 446 ICDAR 2015
        # words fewer and every other set the same (docs/models.md, "Words boxed at a slant")
        slant_path = (
            shipped_model_path("rec", "int8") if not gpu and rec_model is None and precision == "fp32" else None
        )
        base = OCRParams(rec_batch_size=GPU_REC_BATCH) if gpu else OCRParams()
        self.params = base.with_defaults(**detector.defaults).with_overrides(**params)
        self.pipeline = OCRPipeline(
            detector,
            reader(recognizer_path, recognizer_model),
            TextlineClassifier(load(resolve_model("cls_line", line_cls_model))),
            PageClassifier(
                load(resolve_model("cls_page", page_cls_model)),
                SceneClassifier(load(resolve_model("cls_scene", scene_cls_model))),
            ),
            reader(slant_path, load(slant_path)) if slant_path else None,
        )

    def iter_source_pages(
        self,
        source: Source,
        pages: Sequence[int] | str | None = None,
        color_order: str = "rgb",
        dpi: float | None = None,
        pixel_aspect: float | None = None,
        **params,
    ) -> Iterator[tuple[PageImage, Page]]:
        """Each page image of one input with its result, lazily (a long PDF is never held whole). ``pixel_aspect``
        as the constructor's, for this input."""
        pixel_aspect = _checked_aspect(pixel_aspect)
        if pixel_aspect is None:
            pixel_aspect = self.pixel_aspect
        run_params = self.params.with_overrides(**params)
        pages = _checked_pages(pages)
        dpi = self.dpi if dpi is None else _checked_dpi(dpi)
        for page in iter_pages(source, pages=pages, dpi=dpi, max_pixels=self.max_pixels, color_order=color_order):
            aspect = page.pixel_aspect if pixel_aspect is None else pixel_aspect
            result = self.pipeline.read_page(
                page.image, run_params, index=page.index, source=source.name, pixel_aspect=aspect
            )
            result.dpi = page.dpi
            yield page, result

    def read_source(self, source: Source, **kwargs) -> Document:
        """Read one already-expanded input (all its pages). Raises ``InputError`` if it cannot be read."""
        return Document([result for _, result in self.iter_source_pages(source, **kwargs)], source=source.name)

    def predict_iter(
        self, inputs, password: str | None = None, errors: str = "raise", **kwargs
    ) -> Iterator[Document | InputError]:
        """One ``Document`` per input, in order, as each is read (directories expand to their files). ``password``
        opens encrypted PDFs. ``errors``: "raise" (default) ends the iteration at an input that cannot be read, with
        its ``InputError``; "return" yields that error in its place and goes on (a folder of thousands with one
        corrupt file). Other keyword arguments as ``iter_source_pages``: pages ("1-3,7" or 0-based indices),
        color_order, dpi, pixel_aspect, pipeline settings."""
        if errors not in ("raise", "return"):
            raise ValueError(f'errors must be "raise" or "return", got {errors!r}')
        for source in expand_inputs(inputs, _checked_password(password)):
            try:
                yield self.read_source(source, **kwargs)
            except InputError as exc:
                if errors == "raise":
                    raise
                yield exc

    def predict(
        self, inputs, password: str | None = None, errors: str = "raise", **kwargs
    ) -> list[Document | InputError]:
        """Like ``predict_iter`` but returns the list."""
        return list(self.predict_iter(inputs, password, errors, **kwargs))

    def recognize(self, crops, color_order: str = "rgb", **params) -> list[CropReading]:
        """Read each crop as one word or line of text, with no detection: text already cut out by your own boxes (a
        form's fields, another detector's words, a folder of word crops). ``crops``: one input or a list of them
        (paths, bytes, arrays, PIL images; folders expand to their images), one image each. Each is read as ``ocdr
        eval rec`` scores the recognizer: a crop much taller than wide is also read turned a quarter each way, and
        with ``use_rec_variants`` (default) an unsure one is read again in variants and, not much wider than tall,
        turned level at a few slants (nearly square, stretched wider too). With ``use_textline_orientation``,
        upside-down crops are turned over first. Other pipeline settings as keyword arguments (``rec_batch_size``,
        ...). Raises ``InputError`` for an input that cannot be read as one image."""
        run_params = self.params.with_overrides(**params)
        sources = expand_inputs(crops)
        images = [crop_image(source, self.max_pixels, color_order) for source in sources]
        return [
            CropReading(source.name, result.text, result.confidence, angle)
            for source, (result, angle) in zip(sources, self.pipeline.read_cut(images, run_params), strict=True)
        ]

    def __call__(self, image, password: str | None = None, **kwargs) -> Document:
        """Read one input (path, bytes, array, PIL image, PDF; ``password`` for an encrypted PDF); use ``predict``
        for lists and directories."""
        sources = expand_inputs(image, _checked_password(password))
        if len(sources) != 1:
            raise InputError(f"OCR() reads one input, got {len(sources)}; use OCR.predict() for several")
        return self.read_source(sources[0], **kwargs)


def _checked_dpi(dpi: object) -> float:
    """``dpi`` as a float; a ValueError naming it for anything but a finite number over 0 (0 was taken for the
    default, and a string failed deep in the PDF renderer on the first PDF)."""
    if isinstance(dpi, bool) or not isinstance(dpi, numbers.Real) or not 0 < float(dpi) < math.inf:
        raise ValueError(f"dpi must be a number over 0, got {dpi!r}")
    return float(dpi)


def _checked_pages(pages: object) -> list[int] | None:
    """``pages`` as 0-based page indices: a spec ("1-3,7"), an index or a sequence of them, or None for all; a
    ValueError naming it otherwise (an int or ["1"] failed inside the PDF renderer, and one-page inputs ignored
    them)."""
    if pages is None or isinstance(pages, str):
        return parse_page_spec(pages) if pages is not None else None
    items = [pages] if isinstance(pages, numbers.Integral) and not isinstance(pages, bool) else pages
    if not isinstance(items, Sequence) or not all(
        isinstance(i, numbers.Integral) and not isinstance(i, bool) and int(i) >= 0 for i in items
    ):
        raise ValueError(f'pages must be a spec ("1-3,7"), a 0-based page index or a list of them, got {pages!r}')
    return [int(i) for i in items]


def _checked_password(password: object) -> str | None:
    """A PDF password as text (bytes as UTF-8); a ValueError naming it for anything else (it failed inside
    pypdfium2)."""
    if isinstance(password, bytes):
        return password.decode("utf-8", errors="surrogateescape")
    if password is not None and not isinstance(password, str):
        raise ValueError(f"password must be a str (or bytes), got {type(password).__name__}")
    return password


def _check_options(threads: object, max_pixels: object, memory_arena: object, **models: object) -> None:
    """``OCR``'s own options of the wrong type or range, refused with their name (they failed as ONNX Runtime's or
    pathlib's errors, or only at the first input: ``max_pixels=0`` called every image over the limit)."""
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 0):
        raise ValueError(f"threads must be a whole number (0 or None: ONNX Runtime's choice), got {threads!r}")
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
        raise ValueError(f"max_pixels must be a whole number of 1 or more, got {max_pixels!r}")
    if not isinstance(memory_arena, bool):
        raise ValueError(f"memory_arena must be True or False, got {memory_arena!r}")
    for name, value in models.items():
        if value is not None and not isinstance(value, (str, os.PathLike)):
            raise ValueError(f"{name} must be a shipped model's name or a path, got {value!r}")


def _checked_aspect(pixel_aspect: float | None) -> float | None:
    """``pixel_aspect`` as a float, or None; a ValueError for anything but a number in [0.1, 10]."""
    if pixel_aspect is None:
        return None
    if isinstance(pixel_aspect, bool) or not isinstance(pixel_aspect, numbers.Real) or not 0.1 <= pixel_aspect <= 10:
        raise ValueError(f"pixel_aspect must be a number in [0.1, 10], got {pixel_aspect!r}")
    return float(pixel_aspect)
