"""The ``ocdr`` command: read documents, make synthetic data, train, export, evaluate, benchmark."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ocdr import __version__
from ocdr.errors import ModelError, about

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
# the keys of ocdr.io.export.EXPORTERS, listed here so that `--help` needs no imports
FORMATS = ["text", "json", "paddlex", "hocr", "alto", "page", "markdown", "tsv", "pdf"]
PASSWORD_VARIABLE = "OCDR_PDF_PASSWORD"  # ocdr read --password's default
STDIN = "-"  # ocdr read's input name for the bytes on stdin
CROP_CHUNK = 256  # ocdr recognize: crops loaded and read at a time

PARAM_FLAGS = {
    "text_det_limit_side_len": int,
    "text_det_limit_type": str,
    "text_det_min_glyph": float,
    "text_det_max_glyph": float,
    "text_det_scene_side": int,
    "text_det_thresh": float,
    "text_det_box_thresh": float,
    "text_det_unclip_ratio": float,
    "text_rec_score_thresh": float,
    "rec_batch_size": int,
}


# ocdr export --text-det-... (and the reading score under which a detector's regions' readings are dropped)
DET_EXPORT_PARAMS = ("text_det_thresh", "text_det_box_thresh", "text_det_unclip_ratio", "text_rec_score_thresh")
MIN_CROP = 32  # ocdr train det --crop-size's least: the detector's output stride, one cell of its coarsest map


def _add_model_options(p) -> None:
    p.add_argument(
        "--det-model", help="detection ONNX model, or 'synthetic': the shipped one trained on synthetic pages only"
    )
    p.add_argument(
        "--rec-model",
        help="recognition ONNX model, or 'synthetic': the shipped one trained on synthetic crops only, or 'latin': "
        "the shipped one that also reads accented letters (French, German, Spanish, Portuguese, Italian, Dutch, "
        "Nordic), 'cyrillic': the one that also reads Russian, Ukrainian, Bulgarian and Macedonian, or 'greek': the "
        "one that also reads Greek",
    )
    p.add_argument("--threads", type=_positive, help="CPU threads per model (default: all cores)")
    p.add_argument(
        "--device",
        default="cpu",
        choices=["cpu", "cuda", "tensorrt"],
        help="cuda / tensorrt need onnxruntime-gpu; an error (exit 2) if the provider is missing, never a CPU fallback",
    )
    p.add_argument(
        "--precision", default="fp32", choices=["fp32", "int8"], help="shipped det/rec models: int8 is faster on CPUs"
    )
    p.add_argument("--trt-cache", type=Path, help="TensorRT engine cache folder (default: ~/.cache/ocdr/tensorrt)")
    p.add_argument("--line-cls-model", help="text-line orientation ONNX model (default: shipped)")
    p.add_argument("--page-cls-model", help="page orientation ONNX model (default: shipped)")
    p.add_argument("--scene-cls-model", help="whole-photo orientation ONNX model (default: shipped)")
    p.add_argument(
        "--scene-det-model",
        help="detection ONNX model for photos' scenes (not print on a flat light ground), with --use-scene-detector "
        "(the default); default: the shipped scene detector beside the shipped detector, none beside a --det-model",
    )
    p.add_argument(
        "--lexicon",
        action="append",
        metavar="LIST",
        help="a word list that corrects near-miss readings: 'auto' (the default: the recognizer's languages, 'en', "
        "and 'latin', 'cyrillic' or 'greek' too with --rec-model latin, cyrillic or greek), a shipped one ('en': "
        "English words and names; 'fr', 'de', 'es', 'pt', 'it', 'nl', 'sv', 'da', 'nb', 'fi'; 'latin': those ten; "
        "'ru', 'uk', 'bg', 'mk'; 'cyrillic': those four; 'el' or 'greek': Greek), a file of one word per line "
        "(your names and terms; give --lexicon again to add 'auto'), or 'none' for the recognizer's readings as "
        "they are",
    )
    for name, kind in PARAM_FLAGS.items():
        p.add_argument("--" + name.replace("_", "-"), type=kind, dest=name)
    p.add_argument(
        "--use-textline-orientation",
        action="store_true",
        default=None,
        help="turn upside-down text lines over before reading them",
    )
    p.add_argument(
        "--use-doc-orientation-classify",
        action="store_true",
        default=None,
        help="turn pages scanned sideways or upside down upright before reading them (boxes stay in the input's "
        "coordinates); a photo whose orientation the classifier is unsure of is read the way the whole-photo "
        "model makes sure, or else turned each way until a reading is plainly text (1.5 readings a street photo "
        "on average)",
    )
    p.add_argument(
        "--use-doc-unwarping",
        action="store_true",
        default=None,
        help="flatten a photographed page (the whole sheet in view, seen at an angle) before reading it (boxes stay in "
        "the input's coordinates)",
    )
    p.add_argument(
        "--use-deskew",
        action="store_true",
        default=None,
        help="straighten pages turned up to 45 degrees off before reading them (boxes stay in the input's coordinates)",
    )
    p.add_argument(
        "--use-rec-variants",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="read each unsure crop again four ways (wider, narrower, with a margin, inverted) and keep the text the "
        "readings agree on",
    )
    p.add_argument(
        "--use-scene-detector",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="find the text of photos' scenes (street photos, not print on a flat light ground) with the scene "
        "detector (default: on)",
    )
    p.add_argument(
        "--return-char-boxes",
        action="store_true",
        default=None,
        help="box each word's characters too (JSON chars, hOCR ocrx_cinfo, ALTO and PAGE glyphs, --vis --level char)",
    )


def _params(args) -> dict:
    """The pipeline settings given on the command line (OCRParams fields)."""
    switches = [
        "use_textline_orientation",
        "use_doc_orientation_classify",
        "use_doc_unwarping",
        "use_deskew",
        "use_rec_variants",
        "use_scene_detector",
        "return_char_boxes",
    ]
    return {k: getattr(args, k) for k in [*PARAM_FLAGS, *switches] if getattr(args, k) is not None}


def _lexicon(args) -> list[str] | None:
    """``--lexicon``: the lists (default: the recognizer's own, 'auto'), or None for 'none'."""
    lists = [name for name in args.lexicon or ["auto"] if name.lower() != "none"]
    return lists or None


def _model_options(args) -> dict:
    """The models and runtime that ``_add_model_options`` sets: ``OCR`` and ``ServerConfig`` take them alike."""
    return dict(
        det_model=args.det_model,
        rec_model=args.rec_model,
        line_cls_model=args.line_cls_model,
        page_cls_model=args.page_cls_model,
        scene_cls_model=args.scene_cls_model,
        scene_det_model=args.scene_det_model,
        lexicon=_lexicon(args),
        threads=args.threads,
        device=args.device,
        precision=args.precision,
        trt_cache=str(args.trt_cache) if args.trt_cache else None,
    )


def _ocr_options(args) -> dict:
    """``OCR``'s keyword arguments from the command line (batch workers build their own ``OCR`` from them)."""
    return dict(
        **_model_options(args),
        dpi=getattr(args, "dpi", 200.0),
        pixel_aspect=getattr(args, "pixel_aspect", None),
        memory_arena=getattr(args, "memory_arena", True),
        **_params(args),
    )


def _report(name: str, exc: Exception) -> None:
    """One input's error on stderr, the input named once (``about``)."""
    print(f"ocdr: {about(name, str(exc))}", file=sys.stderr)


def _make_ocr(args):
    from ocdr.api import OCR

    return OCR(**_ocr_options(args))


def _add_read(sub) -> None:
    p = sub.add_parser("read", help="read images, TIFFs, PDFs or folders of them")
    p.add_argument(
        "inputs",
        nargs="+",
        help="files or folders (read recursively, in sorted order), '-' for an image or PDF on stdin; batch jobs "
        "(-o OUT_DIR/) also take glob patterns ('**' spans folders)",
    )
    p.add_argument(
        "-o",
        "--output",
        help="write results here instead of stdout; a folder (OUT_DIR/, or one that exists) runs a batch job: one "
        "output per input, the input tree mirrored, resumable (see docs/batch.md)",
    )
    p.add_argument("--workers", type=_positive, help="batch: read pages in N worker processes, --threads each")
    p.add_argument(
        "--ray",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="batch: read pages on Ray actors: a local Ray instance (no ADDRESS, or 'local'), or a running cluster "
        "('auto', HOST:PORT, ray://HOST:PORT); needs the 'ray' extra",
    )
    p.add_argument(
        "--format",
        default="text",
        choices=FORMATS,
        help="text, json (ocdr Document), paddlex, hocr, alto (ALTO v4), page (PAGE XML: one file per page, named "
        "after -o), markdown, tsv (as Tesseract's), pdf (searchable PDF; needs -o or a pipe)",
    )
    p.add_argument("--rasterize", action="store_true", help="pdf: replace PDF pages by their images")
    p.add_argument("--jpeg-quality", type=int, help="pdf: embed page images as JPEG (default: lossless)")
    p.add_argument(
        "--vis",
        type=Path,
        help="write a visualization PNG per page into this folder, named as batch outputs are (the input tree "
        "mirrored, a.png.png and a.jpg.png where names clash, scan_p1.png... for a multi-page input)",
    )
    p.add_argument(
        "--level",
        default="word",
        choices=["char", "word", "line", "paragraph"],
        help="boxes drawn by --vis (char: reads with --return-char-boxes)",
    )
    p.add_argument(
        "--pages", help="pages of multi-page inputs, e.g. 1-3,7 (default: all); one-page inputs are read whole"
    )
    p.add_argument("--dpi", type=_positive_number, default=200.0, help="PDF render resolution")
    p.add_argument(
        "--password",
        default=os.environ.get(PASSWORD_VARIABLE),
        help=f"opens encrypted PDFs (default: ${PASSWORD_VARIABLE}, which, unlike an argument, other users of the "
        "machine cannot see in its process list); a searchable PDF made from one is not encrypted",
    )
    p.add_argument(
        "--pixel-aspect",
        type=float,
        help="how many times taller than wide the inputs' pixels are, over what their metadata says (a fax saved "
        "without its resolution tags: 2.08 in standard mode); default: the metadata's, else square",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.add_argument(
        "--memory-arena",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="keep ONNX Runtime's CPU memory arena between model calls, with the buffers of the largest page read so "
        "far (default: on; 74 photos and scans and a 20-page PDF read in 54 s at 0.79 GB peak with it, 59 s at 0.93 GB "
        "with the buffers handed back after each call)",
    )
    _add_model_options(p)


def _run_read(args) -> int:
    from ocdr.batch.plan import input_root
    from ocdr.batch.progress import Progress
    from ocdr.document import Document
    from ocdr.errors import OcdrError
    from ocdr.io.inputs import Source, expand_inputs, parse_page_spec
    from ocdr.io.outputs import render_outputs
    from ocdr.visualization import save_visualization

    if args.level == "char" or args.format == "pdf":  # drawn; the PDF puts each glyph over its character
        args.return_char_boxes = True
    if args.output is not None and (args.output.endswith(("/", os.sep)) or Path(args.output).is_dir()):
        return _run_batch(args)
    if args.workers is not None or args.ray is not None:
        print("ocdr: error: --workers and --ray are for batch jobs: give -o OUT_DIR/ (a folder)", file=sys.stderr)
        return EXIT_USAGE
    output = Path(args.output) if args.output and args.output != "-" else None  # '-': stdout, as for inputs
    if args.format == "pdf" and not output and sys.stdout.isatty():
        print("ocdr: error: --format pdf writes a binary file: give -o FILE.pdf or pipe the output", file=sys.stderr)
        return EXIT_USAGE
    try:
        pages = parse_page_spec(args.pages) if args.pages else None
        ocr = _make_ocr(args)
    except (OcdrError, ValueError, TypeError) as exc:
        print(f"ocdr: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    sources: list[Source] = []
    places: list[tuple[Path, Path] | None] = []  # (path, root) of each input, as a batch has them; None: stdin
    failed = 0
    for item in args.inputs:
        try:
            if item == STDIN:
                sources.append(Source("<stdin>", sys.stdin.buffer.read(), args.password))
                places.append(None)
                continue
            found = expand_inputs(item, args.password)
        except OcdrError as exc:  # e.g. a folder with nothing readable: report it, read the rest
            failed += 1
            _report(item, exc)
            continue
        sources.extend(found)
        for source in found:
            file = Path(os.path.abspath(source.name))
            places.append((file, input_root(item, file)))
    any_dir = any(Path(i).is_dir() for i in args.inputs)
    pictures: list[list[Path] | None] = []
    if args.vis:
        pictures = _vis_pictures(places, [_page_count_or_1(source) for source in sources], args.vis)
    progress = Progress(len(sources), enabled=any_dir and not args.quiet)
    docs: list[tuple[Source, Document]] = []
    for number, source in enumerate(sources):
        picture = pictures[number] if pictures else None
        if args.vis and picture is None:
            print(f"ocdr: no --vis picture for {source.name}: its name would be another input's", file=sys.stderr)
        try:
            results = []
            for page_image, page in ocr.iter_source_pages(source, pages=pages):
                results.append(page)
                if picture:
                    picture[page.index].parent.mkdir(parents=True, exist_ok=True)
                    save_visualization(picture[page.index], page_image.image, page, level=args.level)
            docs.append((source, Document(results, source=source.name)))
            progress.update(source.name, len(results))
        except OcdrError as exc:
            failed += 1
            progress.update(source.name, 0)
            _report(source.name, exc)
    try:
        outputs = render_outputs(
            docs,
            args.format,
            output,
            rasterize=args.rasterize,
            jpeg_quality=args.jpeg_quality,
            as_list=len(args.inputs) > 1 or any_dir,  # the shape follows what was asked, not what could be read
        )
    except (OcdrError, ValueError, ImportError) as exc:
        print(f"ocdr: error: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, (ValueError, ImportError)) else EXIT_SOME_FAILED
    for path, content in outputs:
        if path is None:
            if isinstance(content, bytes):
                sys.stdout.buffer.write(content)
            else:
                sys.stdout.write(content)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _page_count_or_1(source) -> int:
    """An input's page count from its header, to name its ``--vis`` pictures; 1 for one that cannot be opened, as
    reading it will fail too, and say why."""
    from ocdr.errors import OcdrError
    from ocdr.io.inputs import page_count

    try:
        return page_count(source)
    except OcdrError:
        return 1


def _vis_pictures(places: list[tuple[Path, Path] | None], counts: list[int], vis: Path) -> list[list[Path] | None]:
    """Each input's ``--vis`` pictures, one a page, named by the batch's rule for its outputs (``output_paths``):
    the input tree mirrored under ``vis``, the input's suffix kept where names would clash (``a.png.png``,
    ``a.jpg.png``) or a picture would be an input, and ``_p1``, ``_p2``... on every page of a multi-page input.
    ``places``: each input's ``(path, root)``, None for stdin (``stdin.png``); ``counts``: its pages. None where no
    name is free (an input named as another's picture)."""
    from ocdr.batch.plan import output_paths
    from ocdr.io.outputs import page_paths

    home = next((root for _, root in filter(None, places)), Path(os.path.abspath(".")))  # stdin: no root of its own
    bases = output_paths([place or (home / "stdin", home) for place in places], vis, ".png", counts)
    return [
        None if base is None else page_paths(base, count, ".png") for base, count in zip(bases, counts, strict=True)
    ]


def _run_batch(args) -> int:
    """``-o OUT_DIR/``: one output per input, resumable, read here, in worker processes or on Ray (docs/batch.md)."""
    from ocdr.batch.job import ERRORS_FILE, BatchJob, run_batch
    from ocdr.batch.runners import make_runner
    from ocdr.errors import OcdrError
    from ocdr.io.inputs import parse_page_spec

    try:
        if args.vis:
            raise ValueError("--vis is not available in batch jobs (-o OUT_DIR/)")
        if STDIN in args.inputs:
            raise ValueError("batch jobs (-o OUT_DIR/) read files: give stdin ('-') to ocdr read with -o FILE")
        if args.workers is not None and args.workers < 1:
            raise ValueError(f"--workers must be at least 1, got {args.workers}")
        pages = parse_page_spec(args.pages) if args.pages else None
        runner = make_runner(_ocr_options(args), args.workers, args.ray)
    except (OcdrError, ValueError, TypeError) as exc:
        print(f"ocdr: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    job = BatchJob(args.inputs, Path(args.output), args.format, pages, args.rasterize, args.jpeg_quality, args.password)
    try:
        summary = run_batch(job, runner, quiet=args.quiet)
    except OcdrError as exc:  # Ray did not start, no cluster at that address, or no room in it for an actor
        print(f"ocdr: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    errors = f"; errors in {job.out_dir / ERRORS_FILE}" if summary.failed else ""
    print(f"ocdr: {summary}{errors}", file=sys.stderr)
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def _add_recognize(sub) -> None:
    p = sub.add_parser(
        "recognize",
        help="read crops cut by your own boxes, one word or line each, with no detection (the recognizer alone)",
        description="Read each image as one word or line of text, with no detection: crops cut by your own boxes. "
        "A tall crop is also read turned a quarter each way, an unsure one again in variants "
        "(--no-use-rec-variants: once). With --use-textline-orientation an upside-down crop is turned over first "
        "(where the text-line classifier is unsure, the crop is read once each way up to help it decide). The page "
        "options (detection, page orientation, unwarping, deskew) do not apply to crops.",
    )
    p.add_argument("inputs", nargs="+", help="image files or folders of them (read recursively, sorted), '-' for stdin")
    p.add_argument("-o", "--output", type=Path, help="write the readings here instead of stdout")
    p.add_argument(
        "--format",
        default="text",
        choices=["text", "tsv", "json", "paddle"],
        help="text: one reading a line, in input order; tsv: source, text, confidence, angle, with a header; json: a "
        "list of objects with those keys (angle: how far the text was found turned clockwise); paddle: a PaddleOCR "
        "label file (path TAB text, paths relative to -o's folder) to correct and fine-tune on (ocdr train rec "
        "--data FILE)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    _add_model_options(p)


def _run_recognize(args) -> int:
    from ocdr.batch.progress import Progress
    from ocdr.errors import OcdrError
    from ocdr.io.inputs import Source, crop_image, expand_inputs

    try:
        ocr = _make_ocr(args)
    except (OcdrError, ValueError, TypeError) as exc:
        print(f"ocdr: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    sources, failed = [], 0
    for item in args.inputs:  # a bad input is reported, and the rest are read
        try:
            sources += [Source("<stdin>", sys.stdin.buffer.read())] if item == STDIN else expand_inputs(item)
        except OcdrError as exc:
            failed += 1
            _report(item, exc)
    progress = Progress(
        len(sources), enabled=any(Path(i).is_dir() for i in args.inputs) and not args.quiet, unit="crops"
    )
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
    out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    readings = []  # json only: the others are written as they come
    if args.format == "tsv":
        out.write("source\ttext\tconfidence\tangle\n")
    try:
        for start in range(0, len(sources), CROP_CHUNK):  # a chunk loaded at a time: memory stays flat
            chunk = sources[start : start + CROP_CHUNK]
            names: list[str | None] = []
            images = []
            for source in chunk:
                try:
                    images.append(crop_image(source, ocr.max_pixels))
                    names.append(source.name)
                except OcdrError as exc:
                    failed += 1
                    _report(source.name, exc)
                    names.append(None)
            readings_in_turn = iter(ocr.recognize(images))
            for name in names:
                if name is None:  # plain text names no crop: an empty line keeps the lines beside their inputs
                    if args.format == "text":
                        out.write("\n")
                    continue
                reading = next(readings_in_turn)
                if args.format == "json":
                    readings.append(replace(reading, source=name).to_dict())
                elif args.format == "tsv":
                    out.write(f"{name}\t{reading.text}\t{reading.confidence:.4f}\t{reading.angle}\n")
                elif args.format == "paddle":
                    if name.startswith("<"):  # stdin: no file for the label to name
                        failed += 1
                        print(f"ocdr: {name}: a label file names image files; {name} has none", file=sys.stderr)
                        continue
                    out.write(f"{os.path.relpath(name, args.output.parent if args.output else '.')}\t{reading.text}\n")
                else:
                    out.write(reading.text + "\n")
            progress.update(chunk[-1].name, pages=len(images), files=len(chunk))
        if args.format == "json":
            out.write(json.dumps(readings, ensure_ascii=False, indent=1) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _add_eval(sub) -> None:
    p = sub.add_parser("eval", help="measure the seeds' KPIs on a labelled folder")
    p.add_argument("task", choices=["e2e", "det", "rec", "cls"])
    p.add_argument(
        "--data",
        required=True,
        nargs="+",
        type=Path,
        help="ICDAR folder (e2e, det, cls page) or gt_list.txt folder (rec, cls); several (a training run's "
        "OUT/val/*) are measured one after the other with the models loaded once",
    )
    p.add_argument("--limit", type=_positive, help="only the first N items")
    p.add_argument("--case-insensitive", action="store_true", help="e2e: compare words ignoring case")
    p.add_argument(
        "--segments",
        action="store_true",
        help="e2e, det: score text segments (a line's words up to a gap of 0.8 line heights), not words: for page "
        "sets labelled by segment, such as SROIE's receipts",
    )
    p.add_argument(
        "--cls-task",
        default="line",
        choices=["line", "page", "recognize"],
        help="cls: text lines (0/180) by the classifier, pages (four ways), or text lines as `ocdr recognize` "
        "turns them",
    )
    p.add_argument(
        "--model-only",
        action="store_true",
        help="cls --cls-task page: the page model's own vote, as `ocdr train cls --task page` validates (by default "
        "as the pipeline asks it: an unsure page voted on again, ordered with the scene classifier)",
    )
    p.add_argument(
        "--rotate", type=int, default=0, choices=[0, 90, 180, 270], help="e2e: turn pages clockwise before reading"
    )
    p.add_argument(
        "--skew",
        type=float,
        default=0.0,
        metavar="DEGREES",
        help="e2e: turn pages clockwise by this many degrees (after --rotate), as a page photographed at an angle",
    )
    p.add_argument(
        "--one-bit",
        type=_gray_level,
        metavar="LEVEL",
        help="e2e, rec: make each page (last, after --rotate and --skew) or crop 1-bit first, black where its gray "
        "is LEVEL (0-254) or darker, as a 1-bit scan (a fax, an archive's CCITT TIFF) of it",
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    _add_model_options(p)


def _run_eval(args) -> int:
    from ocdr.evaluation.evaluate import evaluate_cls, evaluate_det, evaluate_e2e, evaluate_rec

    ocr = _make_ocr(args)
    results = []
    for i, data in enumerate(args.data):
        if args.task == "e2e":
            result = evaluate_e2e(
                ocr,
                data,
                args.limit,
                case_sensitive=not args.case_insensitive,
                rotate=args.rotate,
                segments=args.segments,
                skew=args.skew,
                one_bit_level=args.one_bit,
            )
        elif args.task == "det":
            result = evaluate_det(ocr, data, args.limit, segments=args.segments)
        elif args.task == "cls":
            result = evaluate_cls(ocr, data, args.limit, task=args.cls_task, model_only=args.model_only)
        else:
            result = evaluate_rec(ocr, data, args.limit, one_bit_level=args.one_bit)
        result = {"task": args.task, "data": str(data), **result}
        if args.json:  # one set: its figures; several: a list of them, printed at the end
            results.append(result)
            continue
        if i:
            print()
        width = max(map(len, result))
        for key, value in result.items():
            print(f"{key:<{width}}  {value:.4f}" if isinstance(value, float) else f"{key:<{width}}  {value}")
        sys.stdout.flush()  # each set's figures as soon as they are measured
    if args.json:
        print(json.dumps(results[0] if len(args.data) == 1 else results, indent=2))
    return EXIT_OK


def _add_synth(sub) -> None:
    p = sub.add_parser("synth", help="render synthetic training data in the seed formats")
    kinds = p.add_subparsers(dest="kind", required=True)
    lines = kinds.add_parser("lines", help="recognizer crops: gt_list.txt + characters_list.txt + images/")
    scene = kinds.add_parser(
        "scene", help="scene-text recognizer crops: words on patches of your photos (gt_list.txt + images/)"
    )
    pages = kinds.add_parser("pages", help="document pages with ICDAR word labels: images/ + gts/")
    for q in (lines, scene, pages):
        q.add_argument("--out", required=True, type=Path)
        q.add_argument("--count", type=int, required=True)
        q.add_argument("--seed", type=int, default=0)
        q.add_argument("--workers", type=_positive, default=1)
        q.add_argument("--fonts", nargs="+", help="font file names (default: ocdr/training/synth/fonts.txt)")
    lines.add_argument("--line-prob", type=float, default=0.3, help="share of multi-word crops (with spaces)")
    scene.add_argument("--line-prob", type=float, default=0.15, help="share of crops of 2-3 words (with spaces)")
    scene.add_argument(
        "--backgrounds",
        nargs="+",
        required=True,
        type=Path,
        help="photos: labelled page sets (their text regions kept out of the patches) or folders of images",
    )
    scene.add_argument(
        "--exclude-pages", nargs="+", default=[], type=Path, help="page sets whose images are not used (held out)"
    )
    scene.add_argument(
        "--tilted-share",
        type=float,
        default=0.0,
        help="share of crops turned 5-40 degrees (--tilted-degrees) either way and cut out by their axis-aligned "
        "bounds, as ICDAR 2015's word crops are cut from their quads",
    )
    scene.add_argument(
        "--tilted-degrees",
        nargs=2,
        type=float,
        metavar=("LEAST", "MOST"),
        help="how far --tilted-share's crops are turned, either way (degrees, under 90; default: 5 40)",
    )
    lines.add_argument("--end-prob", type=float, default=0.0, help="share of crops ending in '.', ',' or ':'")
    for q in (lines, scene, pages):
        q.add_argument(
            "--words",
            nargs="+",
            help="files of the words to draw, one a line (default: the shipped English list); "
            "scripts/language_words.py writes lists of ten European languages",
        )
    pages.add_argument("--dpi", type=float, default=300.0)
    pages.add_argument("--min-pt", type=float, default=8.0)
    pages.add_argument("--max-pt", type=float, default=14.0)
    pages.add_argument("--noise", type=float, default=1.0, help="degradation strength (0 = clean)")
    pages.add_argument("--max-skew", type=float, default=0.0, help="random page rotation, degrees")
    pages.add_argument(
        "--photo",
        type=float,
        default=0.0,
        help="photographed pages: on a surface, seen at an angle (corners moved up to this x 10%% of the sides)",
    )
    pages.add_argument(
        "--dark",
        type=float,
        default=0.0,
        help="share of pages drawn light on dark, as dark-mode screenshots and negatives show text (1: all)",
    )


def _run_synth(args) -> int:
    from ocdr.training.synth.datasets import write_line_dataset, write_page_dataset
    from ocdr.training.synth.render import PageStyle
    from ocdr.training.synth.scene import TILTED_DEGREES, find_backgrounds

    if args.count <= 0:
        raise ValueError(f"--count must be positive, got {args.count}")  # ``main`` reports it, exit 2
    for share in ("line_prob", "end_prob", "tilted_share", "dark"):  # shares: 60 for 0.6 would silently mean "all"
        if not 0.0 <= getattr(args, share, 0.0) <= 1.0:
            raise ValueError(f"--{share.replace('_', '-')} must be between 0 and 1, got {getattr(args, share)}")
    if args.kind == "lines":
        write_line_dataset(
            args.out, args.count, args.seed, args.workers, args.fonts, args.line_prob, args.end_prob, words=args.words
        )
    elif args.kind == "scene":  # no photos, a missing folder, an unreadable photo: reported by ``main``
        least, most = tilted = tuple(args.tilted_degrees or TILTED_DEGREES)
        if not 0.0 <= least <= most < 90.0:
            raise ValueError(f"--tilted-degrees must be 0 <= LEAST <= MOST < 90, got {least} {most}")
        backgrounds = find_backgrounds(args.backgrounds, args.exclude_pages)
        write_line_dataset(
            args.out,
            args.count,
            args.seed,
            args.workers,
            args.fonts,
            args.line_prob,
            backgrounds=backgrounds,
            tilted_share=args.tilted_share,
            words=args.words,
            tilted_degrees=tilted,
        )
    else:  # a page at 0 dpi or type of no size ended in OpenCV's traceback
        if not (args.dpi >= 30 and 0 < args.min_pt <= args.max_pt and args.noise >= 0 and args.max_skew >= 0):
            raise ValueError(
                "pages need --dpi 30 or more, 0 < --min-pt <= --max-pt, and --noise and --max-skew of 0 or more; got "
                f"{args.dpi}, {args.min_pt}, {args.max_pt}, {args.noise}, {args.max_skew}"
            )
        style = PageStyle(
            dpi=args.dpi,
            min_pt=args.min_pt,
            max_pt=args.max_pt,
            noise=args.noise,
            max_skew_deg=args.max_skew,
            photo=args.photo,
            dark=args.dark,
        )
        write_page_dataset(args.out, args.count, args.seed, args.workers, args.fonts, style, words=args.words)
    print(f"wrote {args.count} {args.kind} to {args.out}")
    return EXIT_OK


def _add_crops(sub) -> None:
    p = sub.add_parser(
        "crops", help="cut the labelled regions of a page set into a crop set (gt_list.txt), rectified as read"
    )
    p.add_argument("--data", required=True, type=Path, help="page set: ICDAR folder, PaddleOCR det labels or COCO")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument(
        "--ends", type=float, default=0.0, help="margin at each end, x the region's height (the recognizer reads 0.1)"
    )


def _run_crops(args) -> int:
    from ocdr.io.page_datasets import read_page_dataset
    from ocdr.training.page_crops import write_page_crops

    pairs = write_page_crops(read_page_dataset(args.data), args.out, args.ends)  # errors: ``main`` reports them
    print(f"wrote {len(pairs)} crops to {args.out}")
    return EXIT_OK


def _add_train(sub) -> None:
    p = sub.add_parser("train", help="train a model (needs the 'train' extra: PyTorch)")
    kinds = p.add_subparsers(dest="kind", required=True)
    rec = kinds.add_parser("rec", help="train the recognizer (CTC) from gt_list.txt folders")
    det = kinds.add_parser("det", help="train the DBNet detector from ICDAR-format folders (images/ + gts/)")
    cls = kinds.add_parser(
        "cls", help="train an orientation classifier (--task line: 0/180 crops; page, scene: 0/90/180/270)"
    )
    for q in (rec, det, cls):
        q.add_argument("--data", nargs="+", required=q is not cls, default=[], help="training folder(s)")
        q.add_argument("--val-data", nargs="+", help="validation folder(s); default: carve a split from --data")
        q.add_argument("--out", required=True, type=Path, help="run folder: checkpoints, metrics; resumes if present")
        q.add_argument("--steps", type=_positive, default=10000)
        q.add_argument("--batch-size", type=_positive)
        q.add_argument("--lr", type=float)
        q.add_argument("--eval-every", type=_positive, default=500)
        q.add_argument("--time-limit", type=float, help="stop (resumably) after this many minutes")
        q.add_argument("--device", default="cpu", help="cpu or cuda")
        q.add_argument(
            "--precision",
            choices=["auto", "fp32", "mixed"],
            default="auto",
            help="forward passes in float32, or mixed: float16 on CUDA, bfloat16 on a CPU; auto (the default): "
            "mixed on CUDA and on CPUs with bfloat16 in hardware (AVX512-BF16, AMX), float32 elsewhere",
        )
        q.add_argument("--threads", type=_positive, help="torch CPU threads")
        q.add_argument("--seed", type=int, default=0)
        q.add_argument(
            "--split-seed",
            type=int,
            help="carve the held-out split with this seed (default: --seed): a second round with a new --seed "
            "draws fresh batches and is validated on the first round's split",
        )
        q.add_argument(
            "--split-only",
            action="store_true",
            help="write the held-out split to OUT/val and stop (the same split a run with these flags carves)",
        )
        q.add_argument(
            "--init",
            help="fine-tune: start from a checkpoint (.pt), an exported .onnx, or 'shipped' (the packaged model)",
        )
        q.add_argument(
            "--freeze-bn",
            action="store_true",
            help="keep BatchNorm statistics as they are (normalise by them in training too): for fine-tuning on "
            "small or unfamiliar data; give it again when resuming",
        )
    rec_net = rec.add_mutually_exclusive_group()
    rec_net.add_argument("--arch", help="a registry name (docs/models.md, Architectures; default: crnn_lite)")
    rec_net.add_argument(
        "--model-spec",
        metavar="SPEC",
        help="the network as a TAO / seed 000 OCRNet spec file (YAML or JSON; its model section: TPS, num_fiducial, "
        "backbone, feature_channel, sequence, hidden_size, prediction, input_height...) instead of --arch",
    )
    rec.add_argument("--synth-data", nargs="+", help="synthetic folder(s) (ocdr synth lines) mixed with --data")
    rec.add_argument("--real-share", type=_share, default=0.5, help="share of --data crops when --synth-data is given")
    det.add_argument("--synth-data", nargs="+", help="synthetic page folder(s) (ocdr synth pages) mixed with --data")
    det.add_argument(
        "--line-data", nargs="+", help="real page folders annotated by text line (SROIE): lines are cut into words"
    )
    det.add_argument("--real-share", type=_share, default=0.5, help="share of crops from real pages with --synth-data")
    det.add_argument(
        "--val-pages",
        type=_count,
        default=10,
        help="validation pages carved from each folder (at most; 0: none, then give --val-data)",
    )
    rec.add_argument("--augment", type=float, default=1.0, help="on-the-fly augmentation strength (0: off)")
    rec.add_argument("--charset", help="characters_list.txt (default: the built-in document charset)")
    rec.add_argument(
        "--lexicon",
        action="append",
        metavar="LIST",
        help="word list the validation reads with, as the pipeline reads crops, and picks the best checkpoint by: "
        "'auto' (the default: the charset's languages, as ocdr read), a shipped one (see ocdr read --help), a file "
        "of one word per line (repeat to add more), or 'none' for greedy readings only",
    )
    det.add_argument("--arch", help="default: dbnet_resnet18_lite")
    det.add_argument("--crop-size", type=_crop_side, default=640, help=f"training crop side ({MIN_CROP} or more)")
    det.add_argument("--turn-prob", type=float, default=0.0, help="share of training crops turned upside down")
    det.add_argument(
        "--max-angle",
        type=float,
        default=3.0,
        help="degrees either way that 30%% of the training crops are turned by (pages photographed at an angle)",
    )
    det.add_argument(
        "--workers", type=int, default=0, help="processes that make the training crops (keeps a GPU fed; 0: none)"
    )
    cls.add_argument(
        "--task",
        default="line",
        choices=["line", "page", "scene"],
        help="line: text-line orientation (0/180), --data "
        "gt_list.txt folders; page: page orientation (0/90/180/270), --data folders of page images (images/); "
        "scene: the same four angles from a whole photo (street scenes with little text), --data photo folders",
    )
    cls.add_argument("--arch", help="default: line_orientation_lite / page_orientation_lite / scene_orientation_lite")
    cls.add_argument(
        "--synth",
        type=_count,
        help="synthetic crops (line, default 20000) or pages (page, default 200) rendered before step 1; scene: none",
    )
    cls.add_argument("--synth-data", nargs="+", help="synthetic folder(s) (ocdr synth lines / pages) beside --synth")
    cls.add_argument("--augment", type=float, default=0.0, help="line task: crop augmentation strength (0: off)")
    cls.add_argument("--real-share", type=_share, default=0.5, help="share of each batch from the --data images")


def _run_train(args) -> int:
    shared = ("data", "val_data", "synth_data", "real_share", "steps", "eval_every", "device", "threads", "seed")
    common = {
        k: getattr(args, k) for k in (*shared, "split_seed", "init", "arch", "split_only", "freeze_bn", "precision")
    }
    common["out"] = str(args.out)
    common["time_limit_min"] = args.time_limit
    for k in ("batch_size", "lr"):
        if getattr(args, k) is not None:
            common[k] = getattr(args, k)
    if args.kind == "rec":
        from ocdr.training.train_rec import RecTrainConfig, train_rec

        best = train_rec(
            RecTrainConfig(
                charset=args.charset, augment=args.augment, lexicon=_lexicon(args), model_spec=args.model_spec, **common
            )
        )
    elif args.kind == "cls":
        from ocdr.training.train_cls import ClsTrainConfig, train_cls

        best = train_cls(ClsTrainConfig(task=args.task, synth=args.synth, augment=args.augment, **common))
    else:
        from ocdr.training.train_det import DetTrainConfig, train_det

        best = train_det(
            DetTrainConfig(
                crop_size=args.crop_size,
                line_data=args.line_data,
                val_pages=args.val_pages,
                workers=args.workers,
                turn_prob=args.turn_prob,
                max_angle=args.max_angle,
                **common,
            )
        )
    print(f"held-out split: {best}" if args.split_only else f"best checkpoint: {best}")
    return EXIT_OK


def _add_export(sub) -> None:
    p = sub.add_parser("export", help="export a training checkpoint to ONNX (with its metadata)")
    p.add_argument(
        "checkpoint",
        type=Path,
        help="a training checkpoint (.pt), or an exported detector (.onnx) to copy with new --text-det-... (and "
        "--text-rec-score-thresh) defaults",
    )
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--opset", type=int, default=17)
    for key in DET_EXPORT_PARAMS:
        p.add_argument("--" + key.replace("_", "-"), type=float, help="detector: post-processing default stored in it")
    p.add_argument(
        "--char-odds",
        nargs="+",
        default=[],
        metavar="CHAR=FACTOR",
        type=_char_odds,
        help="recognizer: multiply these characters' odds (a prior correction for characters its training crops "
        "under-represent, e.g. '.=3' for sentence-final periods)",
    )


def _whole_number(least: int) -> Callable[[str], int]:
    """An argparse type for whole numbers of ``least`` or more."""

    def parse(item: str) -> int:
        if not item.strip().isdigit() or int(item) < least:
            raise argparse.ArgumentTypeError(f"want a whole number of {least} or more, got {item!r}")
        return int(item)

    return parse


def _number(low: float, high: float, wanted: str, low_open: bool = False) -> Callable[[str], float]:
    """An argparse type for finite numbers from ``low`` (over it, with ``low_open``) to ``high``."""

    def parse(item: str) -> float:
        try:
            value = float(item)
        except ValueError:
            value = math.nan
        if not (low < value if low_open else low <= value) or not value <= high or math.isinf(value):
            raise argparse.ArgumentTypeError(f"want {wanted}, got {item!r}")
        return value

    return parse


# counts of 1 or more (``--batch-size -1`` had a training run spin on empty epochs for ever), of 0 or more
# (``--val-pages -3`` held out half a folder: a negative cap sliced from the end), a detector training crop's side
# (``--crop-size 0`` failed in torch's loss), a share (``--real-share 1.5`` failed in numpy, "probabilities are not
# non-negative") and a positive number (a batch job read with ``--dpi 0`` failed each PDF page in turn)
_positive, _count, _crop_side = _whole_number(1), _whole_number(0), _whole_number(MIN_CROP)
_share = _number(0.0, 1.0, "a share from 0 to 1")
_positive_number = _number(0.0, math.inf, "a number over 0", low_open=True)


def _gray_level(item: str) -> int:
    if not item.isdigit() or int(item) > 254:
        raise argparse.ArgumentTypeError(f"want a gray level 0-254, got {item!r}")
    return int(item)


def _char_odds(item: str) -> tuple[str, float]:
    char, sep, factor = item.rpartition("=")
    try:
        value = float(factor)
    except ValueError:
        value = 0.0
    if not sep or len(char) != 1 or not value > 0:
        raise argparse.ArgumentTypeError(f"want CHAR=FACTOR (one character, a factor > 0), got {item!r}")
    return char, value


def _run_export(args) -> int:
    from ocdr.training.export import export_checkpoint, restamp_detector

    det_params = {k: getattr(args, k) for k in DET_EXPORT_PARAMS if getattr(args, k) is not None}
    char_odds = dict(args.char_odds) or None
    if args.checkpoint.suffix == ".onnx":  # not there, not ONNX, not a detector, nothing to change: ``main`` says so
        if char_odds:
            raise ValueError("--char-odds needs a training checkpoint (.pt), not an ONNX file")
        path = restamp_detector(args.checkpoint, args.output, det_params)
    else:
        path = export_checkpoint(
            args.checkpoint, args.output, opset=args.opset, det_params=det_params, char_odds=char_odds
        )
    print(f"wrote {path}")
    return EXIT_OK


def _add_quantize(sub) -> None:
    p = sub.add_parser("quantize", help="int8 copy of a det or rec ONNX model for CPUs (static QDQ, calibrated)")
    p.add_argument("model", type=Path, help="fp32 ONNX model made by ocdr export")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument(
        "--calib", type=Path, required=True, help="calibration images: crops (rec) or pages (det), e.g. from ocdr synth"
    )
    p.add_argument("--method", default="minmax", choices=["minmax", "entropy", "percentile"], help="activation ranges")
    p.add_argument("--per-tensor", action="store_true", help="one scale per weight tensor (default: per channel)")
    p.add_argument("--exclude-op", action="append", default=[], metavar="OP", help="op type kept in float, e.g. LSTM")
    p.add_argument("--exclude-node", action="append", default=[], metavar="NAME", help="node kept in float")
    p.add_argument("--limit", type=int, help="only the first N calibration images")


def _run_quantize(args) -> int:
    from ocdr.training.quantize import quantize_model

    path = quantize_model(  # no calibration images, a node name not in the model: ``main`` reports them
        args.model,
        args.output,
        args.calib,
        method=args.method,
        per_channel=not args.per_tensor,
        exclude_ops=args.exclude_op,
        exclude_nodes=args.exclude_node,
        limit=args.limit,
    )
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return EXIT_OK


def _add_bench(sub) -> None:
    p = sub.add_parser("bench", help="this machine's speed per precision and device: det, rec, pages/s, peak RSS")
    p.add_argument(
        "--devices", nargs="+", choices=["cpu", "cuda", "tensorrt"], help="default: those this onnxruntime has"
    )
    p.add_argument("--precisions", nargs="+", choices=["fp32", "int8"], default=["fp32", "int8"])
    p.add_argument("--threads", type=int, help="ONNX Runtime threads per model (default: all cores)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per figure (the median), after a warm-up run")
    p.add_argument("--crops", type=int, default=256, help="recognizer crops per run")
    p.add_argument("--dpi", type=float, default=200.0, help="resolution of the US-letter page")
    p.add_argument("--seed", type=int, default=0, help="seed of the rendered page and crops")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")


def _run_bench(args) -> int:
    from dataclasses import asdict

    from ocdr.evaluation.bench import available_devices, format_table, machine_line, render_inputs, run_bench
    from ocdr.runtime.session import execution_providers

    if args.repeat < 1 or args.crops < 1 or args.dpi <= 0:
        print("ocdr bench: --repeat, --crops and --dpi must be positive", file=sys.stderr)
        return EXIT_USAGE
    devices = args.devices or available_devices()
    for device in devices:
        execution_providers(device)  # a GPU device asked for but missing: ModelError, exit 2
    machine = machine_line()  # before the run: the load is that of the rest of the machine
    inputs = render_inputs(args.seed, args.crops, args.dpi)
    rows = run_bench(devices, args.precisions, inputs, args.threads, args.repeat)
    if args.json:
        print(json.dumps({"machine": machine, "rows": [asdict(r) for r in rows]}, indent=2))
        return EXIT_OK
    print(machine + "\n")
    print(format_table(rows, inputs))
    skipped = [d for d in ("cuda", "tensorrt") if d not in devices]
    if skipped:
        print(f"\nnot measured: {', '.join(skipped)} (not asked for, or this onnxruntime has no provider for it)")
    return EXIT_OK


def _add_serve(sub) -> None:
    p = sub.add_parser("serve", help="run the HTTP service (needs the 'serve' extra)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (0.0.0.0: all interfaces)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--workers", type=int, default=1, help="server processes, each with its own models")
    p.add_argument("--concurrency", type=int, default=4, help="requests worked on at once per process")
    p.add_argument("--queue-size", type=int, default=64, help="requests waiting beyond those; more get 503")
    p.add_argument("--max-batch", type=int, default=8, help="most crops in one recognizer call")
    p.add_argument("--max-wait-ms", type=float, default=2.0, help="how long a recognizer call waits for others")
    p.add_argument(
        "--timeout", type=float, default=60.0, help="seconds a request may take, queue wait included, before a 504"
    )
    p.add_argument("--max-body-mb", type=float, default=32.0, help="request body limit (413)")
    p.add_argument("--max-pixels", type=int, default=50_000_000, help="pixel limit per page (413)")
    p.add_argument("--max-pages", type=int, default=100, help="page limit per request on /v1/ocr, /v1/infer (413)")
    p.add_argument("--dpi", type=_positive_number, default=200.0, help="PDF render resolution")
    p.add_argument(
        "--allow-url-host",
        action="append",
        default=[],
        metavar="HOST",
        help="accept URL inputs from this host (repeatable; '*.example.com' for subdomains, '*' for any)",
    )
    p.add_argument("--allow-private-urls", action="store_true", help="let URLs reach private and loopback addresses")
    p.add_argument("--url-timeout", type=float, default=10.0, help="seconds per URL download")
    p.add_argument("--max-download-mb", type=float, default=32.0, help="URL download size limit (413)")
    p.add_argument(
        "--memory-arena",
        action="store_true",
        help="keep ONNX Runtime's CPU memory arena between model calls: it then holds the buffers of every page in "
        "flight (1,500 mixed requests, 16 clients: 920 MiB against 245 handed back after each call, the default, at "
        "about the same pages a second)",
    )
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    _add_model_options(p)


def _run_serve(args) -> int:
    from ocdr.runtime.session import execution_providers
    from ocdr.server.config import MIB, ServerConfig
    from ocdr.server.runner import serve

    try:
        config = ServerConfig(
            **_model_options(args),
            dpi=args.dpi,
            memory_arena=args.memory_arena,
            params=_params(args),
            concurrency=args.concurrency,
            queue_size=args.queue_size,
            max_batch=args.max_batch,
            max_wait_ms=args.max_wait_ms,
            request_timeout=args.timeout,
            max_body_bytes=int(args.max_body_mb * MIB),
            max_pixels=args.max_pixels,
            max_pages=args.max_pages,
            url_hosts=tuple(args.allow_url_host),
            allow_private_urls=args.allow_private_urls,
            url_timeout=args.url_timeout,
            max_download_bytes=int(args.max_download_mb * MIB),
        )
        if args.workers < 1:
            raise ValueError(f"--workers must be at least 1, got {args.workers}")
        execution_providers(config.device)  # a missing GPU provider stops here, not in each worker
    except (ValueError, ModelError) as exc:
        print(f"ocdr serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    serve(config, args.host, args.port, args.workers, args.log_level)
    return EXIT_OK


COMMANDS = {
    "read": (_add_read, _run_read),
    "recognize": (_add_recognize, _run_recognize),
    "eval": (_add_eval, _run_eval),
    "synth": (_add_synth, _run_synth),
    "crops": (_add_crops, _run_crops),
    "train": (_add_train, _run_train),
    "export": (_add_export, _run_export),
    "quantize": (_add_quantize, _run_quantize),
    "serve": (_add_serve, _run_serve),
    "bench": (_add_bench, _run_bench),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ocdr", description=__doc__)
    parser.add_argument("--version", action="version", version=f"ocdr {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for add, _ in COMMANDS.values():
        add(sub)
    return parser


EXTRAS = {
    "fastapi": "serve",
    "uvicorn": "serve",
    "prometheus_client": "serve",
    "multipart": "serve",
    "python_multipart": "serve",
    "pikepdf": "pdf",
    "torch": "train",
    "onnx": "train",
    "fontTools": "train",
    "shapely": "eval",
    "rapidfuzz": "eval",
    "ray": "ray",
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command][1](args)
    except ModuleNotFoundError as exc:
        extra = EXTRAS.get((exc.name or "").split(".")[0])
        if extra is None:
            raise
        print(
            f"ocdr {args.command}: needs the '{extra}' extra ({exc.name} is not installed): "
            f"pip install 'ocdr[{extra}]'"
            + (" (install torch==2.13.0 or a CPU build first)" if extra == "train" else ""),
            file=sys.stderr,
        )
        return EXIT_USAGE
    except ModelError as exc:  # e.g. --device cuda without a working CUDA provider: say so, never run on the CPU
        print(f"ocdr {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # what reads our output stopped (`| head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so that the exit's flush cannot fail again
        return EXIT_SOME_FAILED
    except OSError as exc:  # a data folder, checkpoint or output path given that is not there or not usable
        print(f"ocdr {args.command}: error: {_path_problem(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:  # data that is not what it should be: a malformed label line, an empty set ...
        print(f"ocdr {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _path_problem(exc: OSError) -> str:
    """``exc`` said as "PATH: what is wrong" where it names a path (Python's own says "[Errno 2] ...: 'PATH'")."""
    if exc.filename is None or exc.strerror is None:
        return str(exc)
    return f"{exc.filename}: {exc.strerror.lower()}"


if __name__ == "__main__":
    sys.exit(main())
