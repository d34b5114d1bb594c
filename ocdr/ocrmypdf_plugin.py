"""OCRmyPDF plugin: ocdr as OCRmyPDF's OCR engine, in place of Tesseract.

    ocrmypdf --plugin ocdr.ocrmypdf_plugin in.pdf out.pdf

or from Python: ``ocrmypdf.ocr("in.pdf", "out.pdf", plugins=["ocdr.ocrmypdf_plugin"])``. Needs the ``ocrmypdf``
extra (``pip install "ocdr[ocrmypdf]"``). The plugin is not registered as an entry point on purpose: installing ocdr
must not replace Tesseract for every OCRmyPDF user, so it is active only where ``--plugin`` names it.

OCRmyPDF rasterizes each page to an image (with its DPI set) and hands it to the engine:

* ``generate_hocr`` (OCRmyPDF's default renderer): ocdr's hOCR export and the plain text; OCRmyPDF parses the hOCR
  and draws the invisible text layer itself.
* ``generate_pdf`` (``--pdf-renderer sandwich``): ocdr's own text-only PDF page, sized to the image at its DPI.
* ``get_deskew`` (``--deskew``): the page's skew by ``ocdr.deskew`` (projection profiles of its ink, no OCR).
* ``get_orientation`` (``--rotate-pages``): 0/90/180/270, by ocdr's page orientation classifier, then its
  text-line orientation classifier's vote on the lines of the page turned upright.

With the plugin loaded the built-in Tesseract plugin is blocked (``initialize``), so that OCRmyPDF does not require
the ``tesseract`` program that this run will not use; ``--ocr-engine tesseract`` is refused with a clear message (run
without ``--plugin`` to use Tesseract). ``--ocr-engine none`` still works. Written for OCRmyPDF 17; OCRmyPDF 16 runs
it too, but there the Tesseract plugin must stay (and the ``tesseract`` program be installed). See docs/ocrmypdf.md.

OCRmyPDF already runs pages in parallel (``--jobs``; worker threads by default), so each worker's ONNX Runtime
sessions get one thread unless ``--ocdr-threads`` says otherwise. One ``ocdr.OCR`` per process (per distinct model
settings) is created on first use and shared by the worker threads.
"""

from __future__ import annotations

import inspect
import io
import logging
import threading
from collections.abc import Set
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
from ocrmypdf import hookimpl, pluginspec
from ocrmypdf.cli import numeric
from ocrmypdf.exceptions import BadArgsError
from ocrmypdf.pluginspec import OcrEngine, OrientationConfidence
from PIL import Image
from pydantic import BaseModel, Field, ValidationError

import ocdr
from ocdr.deskew import estimate_skew
from ocdr.io.images import image_resolution

if TYPE_CHECKING:
    from ocrmypdf._options import OcrOptions

    from ocdr.api import OCR
    from ocdr.document import Document

log = logging.getLogger(__name__)

ENGINE_NAME = "ocdr"
NAMESPACE = "ocdr"  # options.ocdr.<field>, from the --ocdr-<field> arguments
TESSERACT_PLUGIN = "ocrmypdf.builtin_plugins.tesseract_ocr"
# What the shipped recognizer reads: Latin script, English charset. ISO 639-2 codes, as OCRmyPDF's -l takes them.
LANGUAGES = frozenset({"eng"})
DEFAULT_DPI = 300.0  # for a page image without DPI metadata (OCRmyPDF always sets one)
TEXT_FONT = "/f-0-0"  # the font name OCRmyPDF's sandwich grafter copies from a text-only page
ORIENTATION_SCALE = 20.0  # get_orientation's confidence for a unanimous vote (OCRmyPDF's threshold: 14)
# OCRmyPDF 17 passes the options to get_ocr_engine and has plugin option models; 16 has neither
OCRMYPDF_17 = "options" in inspect.signature(pluginspec.get_ocr_engine).parameters


class OcdrOptions(BaseModel):
    """ocdr's options, as ``options.ocdr.<field>`` (``--ocdr-<field>`` on the command line, ``ocdr_<field>=`` in
    ``ocrmypdf.ocr``)."""

    det_model: Annotated[str | None, Field(description="ONNX text detection model (default: the shipped one)")] = None
    rec_model: Annotated[str | None, Field(description="ONNX text recognition model (default: the shipped one)")] = None
    threads: Annotated[int, Field(ge=1, le=256, description="ONNX Runtime threads per model and worker")] = 1
    device: Annotated[str, Field(pattern="^(cpu|cuda)$", description="cpu, or cuda (needs onnxruntime-gpu)")] = "cpu"


# ---- hooks --------------------------------------------------------------------------------------------------------


@hookimpl
def initialize(plugin_manager: Any) -> None:
    """Block the built-in Tesseract plugin (OCRmyPDF 17): its ``check_options`` would require the ``tesseract``
    program. OCRmyPDF 16 reads Tesseract's options (``options.tesseract_timeout``) in its own pipeline, so there the
    Tesseract plugin stays, and with it the need for the ``tesseract`` program, though ocdr does the OCR.

    OCRmyPDF calls this in the main process only; worker processes (``use_threads=False``) rebuild the plugin
    manager without it, which is harmless: options were checked already and ``get_ocr_engine`` below runs first.
    """
    if OCRMYPDF_17:
        plugin_manager.set_blocked(TESSERACT_PLUGIN)


@hookimpl
def register_options() -> dict[str, type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {NAMESPACE: OcdrOptions}
    # OCRmyPDF's option validation reads options.tesseract.* whichever engine runs; with the Tesseract plugin
    # blocked, nobody else registers that namespace, so register its (default-valued) model here.
    from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOptions

    models["tesseract"] = TesseractOptions
    return models


def _add_engine_choice(parser: Any) -> None:
    """Accept ``--ocr-engine ocdr`` (argparse has no public way to extend an option's choices)."""
    for action in parser._actions:
        if action.dest == "ocr_engine" and action.choices is not None:
            if ENGINE_NAME not in action.choices:
                action.choices = [*action.choices, ENGINE_NAME]
            return


@hookimpl
def add_options(parser: Any) -> None:
    _add_engine_choice(parser)
    group = parser.add_argument_group("ocdr", "OCR with ocdr (DBNet + CRNN on ONNX Runtime) instead of Tesseract")
    group.add_argument(
        "--ocdr-det-model", metavar="ONNX", dest="ocdr_det_model", help="Text detection model (default: shipped)."
    )
    group.add_argument(
        "--ocdr-rec-model", metavar="ONNX", dest="ocdr_rec_model", help="Text recognition model (default: shipped)."
    )
    group.add_argument(
        "--ocdr-threads",
        metavar="N",
        type=numeric(int, 1, 256),
        dest="ocdr_threads",
        help="ONNX Runtime threads per model in each OCRmyPDF worker (default 1: OCRmyPDF parallelizes pages).",
    )
    group.add_argument(
        "--ocdr-device",
        choices=["cpu", "cuda"],
        dest="ocdr_device",
        help="Run the models on cpu (default) or cuda (needs onnxruntime-gpu).",
    )


@hookimpl
def check_options(options: OcrOptions) -> None:
    if getattr(options, "ocr_engine", "auto") == "tesseract":
        raise BadArgsError(
            "--ocr-engine tesseract cannot be used with the ocdr plugin loaded (it replaces Tesseract); "
            "run OCRmyPDF without --plugin ocdr.ocrmypdf_plugin to use Tesseract"
        )
    if not _selected(options):
        return
    settings = _settings(options)  # validates --ocdr-* now rather than in the first page's worker
    for kind, path in (("detection", settings[0]), ("recognition", settings[1])):
        if path is not None and not Path(path).is_file():
            raise BadArgsError(f"--ocdr-{kind[:3]}-model: {kind} model {path} is not a file")


def _selected(options: Any) -> bool:
    """Whether these options pick ocdr: ``--ocr-engine auto`` (the default) or ``ocdr`` (OCRmyPDF 16 has no choice)."""
    return options is None or getattr(options, "ocr_engine", "auto") in ("auto", ENGINE_NAME)


if OCRMYPDF_17:

    @hookimpl(tryfirst=True)
    def get_ocr_engine(options: OcrOptions | None) -> OcrEngine | None:
        """ocdr for ``--ocr-engine auto`` (the default) and ``ocdr``; None lets another plugin answer."""
        return OcdrEngine() if _selected(options) else None

else:  # OCRmyPDF 16: the hook takes no options, and there is no engine choice

    @hookimpl(tryfirst=True)
    def get_ocr_engine() -> OcrEngine:  # type: ignore[misc]  # OCRmyPDF 16's hook signature, not 17's
        return OcdrEngine()


# ---- the shared OCR object ----------------------------------------------------------------------------------------

_ocr_lock = threading.Lock()
_ocr_cache: dict[tuple[Any, ...], OCR] = {}


def _settings(options: OcrOptions | None) -> tuple[str | None, str | None, int, str]:
    """(det_model, rec_model, threads, device) from ``options.ocdr``, or from the flat ``ocdr_*`` attributes of
    OCRmyPDF 16's argparse namespace; defaults for what is not given."""
    try:
        ns = getattr(options, NAMESPACE, None) if options is not None else None
        if ns is None:
            given = {name: getattr(options, f"{NAMESPACE}_{name}", None) for name in OcdrOptions.model_fields}
            ns = OcdrOptions(**{name: value for name, value in given.items() if value is not None})
    except ValidationError as exc:  # a bad ocdr_* value given to ocrmypdf.ocr(); argparse checks the CLI's
        raise BadArgsError(f"invalid ocdr option: {exc}") from exc
    return ns.det_model, ns.rec_model, ns.threads, ns.device


def get_ocr(options: OcrOptions | None = None) -> OCR:
    """The process-wide ``ocdr.OCR`` for these options' model settings, loaded on first use (thread-safe)."""
    key = _settings(options)
    with _ocr_lock:
        ocr = _ocr_cache.get(key)
        if ocr is None:
            det_model, rec_model, threads, device = key
            log.debug("loading ocdr models (threads=%d, device=%s)", threads, device)
            ocr = ocdr.OCR(det_model, rec_model, threads=threads, device=device)
            _ocr_cache[key] = ocr
        return ocr


# ---- page images --------------------------------------------------------------------------------------------------


def image_dpi(input_file: Path) -> tuple[float, float]:
    """(x, y) DPI of a page image file, as OCRmyPDF set it (``ocdr.io.images.image_resolution``); 300 if unset."""
    with Image.open(input_file) as img:
        resolution = image_resolution(img)
    if resolution.dpi is None:
        log.warning("%s has no valid DPI; assuming %g", input_file, DEFAULT_DPI)
        return DEFAULT_DPI, DEFAULT_DPI
    return resolution.dpi, resolution.dpi / resolution.pixel_aspect


def _read(input_file: Path, options: OcrOptions | None, char_boxes: bool = False) -> Document:
    """The page image read, laid out at its DPI (OCRmyPDF's default where it has none)."""
    dpi = image_dpi(input_file)
    doc = get_ocr(options)(Path(input_file), return_char_boxes=char_boxes)
    for page in doc.pages:
        page.dpi, page.pixel_aspect = dpi[0], dpi[0] / dpi[1]
    return doc


def sandwich_page(pdf_data: bytes) -> bytes:
    """Rewrite ocdr's text-only PDF page the way OCRmyPDF's sandwich grafter reads one: a single content stream and
    the font under the name it looks for."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_data)) as pdf:
        page = pdf.pages[0]
        fonts = page.obj.Resources.Font
        (old_name,) = list(fonts.keys())
        operations = []
        # an instruction unpacks as (operands, operator) by its __getitem__, which pikepdf's types do not count
        for operands, operator in pikepdf.parse_content_stream(page):  # type: ignore[misc]
            if str(operator) == "Tf" and operands and operands[0] == pikepdf.Name(old_name):
                operands = [pikepdf.Name(TEXT_FONT), *operands[1:]]
            operations.append(pikepdf.ContentStreamInstruction(operands, operator))
        content = pikepdf.unparse_content_stream(operations)
        page.obj.Resources.Font = pikepdf.Dictionary({TEXT_FONT: fonts[old_name]})
        page.obj.Contents = pdf.make_stream(content)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _sidecar_text(doc: Document) -> str:
    """The page's text, ending in a newline as Tesseract's does (OCRmyPDF puts form feeds between pages)."""
    return doc.text + "\n" if doc.text else ""


# ---- the engine ---------------------------------------------------------------------------------------------------


class OcdrEngine(OcrEngine):
    """OCRmyPDF's view of ocdr: hOCR or a text-only PDF per page image, deskew angle, (no) orientation."""

    @staticmethod
    def version() -> str:
        return ocdr.__version__

    @staticmethod
    def creator_tag(options: OcrOptions) -> str:
        """As Tesseract's: who drew the text layer, then the engine (OCRmyPDF prepends its own name)."""
        if options is not None and options.pdf_renderer == "sandwich":
            return f"ocdr {ocdr.__version__} + PDF"
        return f"OCRmyPDF fpdf2 + ocdr {ocdr.__version__}"

    def __str__(self) -> str:
        return f"ocdr {ocdr.__version__}"

    @staticmethod
    def languages(options: OcrOptions) -> Set[str]:
        """ISO 639-2 codes of what the recognizer reads: English (Latin script). OCRmyPDF refuses other ``-l``
        values before any work, naming the missing language."""
        return LANGUAGES

    @staticmethod
    def get_orientation(input_file: Path, options: OcrOptions) -> OrientationConfidence:
        """How far the page's content is turned clockwise (0/90/180/270), which OCRmyPDF undoes.

        ocdr's page orientation classifier turns the page upright (it tells sideways from upright reliably, but
        may take 270 for 90), then the text-line orientation classifier votes on each line read, weighted by its
        characters: lines still upside down add 180 degrees. Confidence is ``ORIENTATION_SCALE`` times the vote's
        margin (0: a tie, 1: unanimous), scaled down by the page classifier's own confidence when it turned the
        page sideways; on Tesseract's scale (``--rotate-pages-threshold`` defaults to 14), so a page is turned only
        when clearly more than four fifths of its text agrees."""
        doc = get_ocr(options)(Path(input_file), use_doc_orientation_classify=True, use_textline_orientation=True)
        if not doc.pages:
            return OrientationConfidence(angle=0, confidence=0.0)
        page = doc.pages[0]
        votes = {0: 0, 180: 0}
        for region in page.regions:
            if region.kept and region.angle in votes:
                votes[region.angle] += len(region.text.strip())
        total = sum(votes.values())
        if not total:
            return OrientationConfidence(angle=0, confidence=0.0)
        flip = 180 if votes[180] > votes[0] else 0
        confidence = ORIENTATION_SCALE * abs(votes[180] - votes[0]) / total
        if page.angle in (90, 270) and page.angle_confidence is not None:
            confidence *= max(0.0, (page.angle_confidence - 0.25) / 0.75)  # 0 for a 4-way tie, 1 when certain
        return OrientationConfidence(angle=(page.angle + flip) % 360, confidence=confidence)

    @staticmethod
    def get_deskew(input_file: Path, options: OcrOptions) -> float:
        """Degrees to turn the image counter-clockwise to straighten it.

        OCRmyPDF passes the value to PIL's ``Image.rotate``, which turns counter-clockwise, as it does Tesseract's
        deskew angle (same sign: both give about -3 for a page turned 3 degrees counter-clockwise). Text turned
        clockwise on screen (ocdr's positive angle) needs a counter-clockwise turn of the same size, so the value
        is ``ocdr.deskew.estimate_skew`` unchanged: the angle of the sharpest projection profile of the page's ink,
        about 25 ms, no OCR.
        """
        from PIL import Image

        with Image.open(input_file) as img:
            angle = estimate_skew(np.asarray(img.convert("L")))
        log.debug("ocdr deskew angle: %.3f degrees", angle)
        return angle

    @staticmethod
    def generate_hocr(input_file: Path, output_hocr: Path, output_text: Path, options: OcrOptions) -> None:
        doc = _read(input_file, options)
        Path(output_hocr).write_text(doc.export("hocr"), encoding="utf-8")
        Path(output_text).write_text(_sidecar_text(doc), encoding="utf-8")

    @staticmethod
    def generate_pdf(input_file: Path, output_pdf: Path, output_text: Path, options: OcrOptions) -> None:
        from ocdr.io.searchable_pdf import to_pdf

        doc = _read(input_file, options, char_boxes=True)  # each glyph of the text layer over its character
        Path(output_pdf).write_bytes(sandwich_page(to_pdf(doc, text_only=True, pdfa=False)))
        Path(output_text).write_text(_sidecar_text(doc), encoding="utf-8")
