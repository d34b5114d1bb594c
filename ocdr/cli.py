"""The ``ocdr`` command: read documents, make synthetic data, train, export, evaluate, benchmark."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ocdr import __version__

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
# the keys of ocdr.io.export.EXPORTERS, listed here so that `--help` needs no imports
FORMATS = ["text", "json", "paddlex", "hocr", "alto", "page", "markdown", "tsv", "pdf"]

PARAM_FLAGS = {
    "text_det_limit_side_len": int,
    "text_det_limit_type": str,
    "text_det_thresh": float,
    "text_det_box_thresh": float,
    "text_det_unclip_ratio": float,
    "text_rec_score_thresh": float,
    "rec_batch_size": int,
}


def _add_model_options(p) -> None:
    p.add_argument("--det-model", help="detection ONNX model (default: shipped)")
    p.add_argument("--rec-model", help="recognition ONNX model (default: shipped)")
    p.add_argument("--threads", type=int, help="CPU threads per model (default: all cores)")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--line-cls-model", help="text-line orientation ONNX model (default: shipped)")
    for name, kind in PARAM_FLAGS.items():
        p.add_argument("--" + name.replace("_", "-"), type=kind, dest=name)
    p.add_argument(
        "--use-textline-orientation",
        action="store_true",
        default=None,
        help="turn upside-down text lines over before reading them",
    )


def _params(args) -> dict:
    """The pipeline settings given on the command line (OCRParams fields)."""
    return {k: getattr(args, k) for k in [*PARAM_FLAGS, "use_textline_orientation"] if getattr(args, k) is not None}


def _make_ocr(args):
    from ocdr.api import OCR

    params = _params(args)
    return OCR(
        args.det_model,
        args.rec_model,
        line_cls_model=args.line_cls_model,
        threads=args.threads,
        device=args.device,
        dpi=getattr(args, "dpi", 200.0),
        **params,
    )


def _add_read(sub) -> None:
    p = sub.add_parser("read", help="read images, TIFFs, PDFs or folders of them")
    p.add_argument("inputs", nargs="+", help="files or folders (folders are read recursively, in sorted order)")
    p.add_argument("-o", "--output", type=Path, help="write results here instead of stdout")
    p.add_argument(
        "--format",
        default="text",
        choices=FORMATS,
        help="text, json (ocdr Document), paddlex, hocr, alto (ALTO v4), page (PAGE XML: one file per page, named "
        "after -o), markdown, tsv (as Tesseract's), pdf (searchable PDF; needs -o or a pipe)",
    )
    p.add_argument("--rasterize", action="store_true", help="pdf: replace PDF pages by their images")
    p.add_argument("--jpeg-quality", type=int, help="pdf: embed page images as JPEG (default: lossless)")
    p.add_argument("--vis", type=Path, help="write a visualization PNG per page into this folder")
    p.add_argument("--level", default="word", choices=["word", "line", "paragraph"], help="boxes drawn by --vis")
    p.add_argument("--pages", help="pages of multi-page inputs, e.g. 1-3,7 (default: all)")
    p.add_argument("--dpi", type=float, default=200.0, help="PDF render resolution")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    _add_model_options(p)


class _Progress:
    """A one-line progress report on stderr (files done, pages, pages/s)."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = total, enabled
        self.done, self.pages, self.start = 0, 0, time.perf_counter()
        self.tty = sys.stderr.isatty()

    def update(self, name: str, pages: int) -> None:
        self.done += 1
        self.pages += pages
        if not self.enabled:
            return
        rate = self.pages / max(time.perf_counter() - self.start, 1e-9)
        width = 30
        filled = int(width * self.done / max(1, self.total))
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} files, {self.pages} pages, "
            f"{rate:.2f} pages/s  {name}"
        )
        sys.stderr.write(("\r" + line[:150].ljust(150)) if self.tty else line + "\n")
        if self.tty and self.done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _run_read(args) -> int:
    from ocdr.document import Document
    from ocdr.errors import OcdrError
    from ocdr.io.inputs import expand_inputs, parse_page_spec
    from ocdr.visualization import save_visualization

    if args.format == "pdf" and not args.output and sys.stdout.isatty():
        print("ocdr: error: --format pdf writes a binary file: give -o FILE.pdf or pipe the output", file=sys.stderr)
        return EXIT_USAGE
    try:
        pages = parse_page_spec(args.pages) if args.pages else None
        ocr = _make_ocr(args)
    except (OcdrError, ValueError, TypeError) as exc:
        print(f"ocdr: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    sources, failed = [], 0
    for item in args.inputs:
        try:
            sources.extend(expand_inputs(item))
        except OcdrError as exc:  # e.g. a folder with nothing readable: report it, read the rest
            failed += 1
            print(f"ocdr: {item}: {exc}", file=sys.stderr)
    any_dir = any(Path(i).is_dir() for i in args.inputs)
    progress = _Progress(len(sources), enabled=any_dir and not args.quiet)
    docs = []
    for source in sources:
        try:
            results = []
            for page_image, page in ocr.iter_source_pages(source, pages=pages):
                results.append(page)
                if args.vis:
                    args.vis.mkdir(parents=True, exist_ok=True)
                    stem = Path(source.name).stem if not source.name.startswith("<") else f"input{len(docs)}"
                    suffix = f"_p{page.index + 1}" if page.index or len(results) > 1 else ""
                    save_visualization(args.vis / f"{stem}{suffix}.png", page_image.image, page, level=args.level)
            docs.append((source, Document(results, source=source.name)))
            progress.update(source.name, len(results))
        except OcdrError as exc:
            failed += 1
            progress.update(source.name, 0)
            print(f"ocdr: {source.name}: {exc}", file=sys.stderr)
    try:
        outputs = _render(docs, args)
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


def _render(docs: list, args) -> list[tuple[Path | None, str | bytes]]:
    """``(path or None for stdout, content)`` of each output: one, except for PAGE XML (a file per page)."""
    from ocdr.document import Document
    from ocdr.io.export import export

    fmt, output = args.format, args.output
    if not docs:
        return []
    if fmt == "text":
        if len(docs) == 1:
            return [(output, docs[0][1].text + "\n")]
        return [(output, "".join(f"==> {d.source} <==\n{d.text}\n\n" for _, d in docs))]
    if fmt == "json":
        if len(docs) == 1:
            return [(output, export(docs[0][1], "json") + "\n")]
        return [(output, "[\n" + ",\n".join(export(d, "json") for _, d in docs) + "\n]\n")]
    if fmt == "paddlex":
        pages = [p for _, d in docs for p in json.loads(export(d, "paddlex"))]
        return [(output, json.dumps(pages, ensure_ascii=False, indent=2) + "\n")]
    if fmt == "pdf":
        from ocdr.io.searchable_pdf import merge_pdfs, to_pdf

        parts = [to_pdf(d, s.obj, rasterize=args.rasterize, jpeg_quality=args.jpeg_quality) for s, d in docs]
        return [(output, parts[0] if len(parts) == 1 else merge_pdfs(parts))] if parts else []
    merged = docs[0][1] if len(docs) == 1 else Document([p for _, d in docs for p in d.pages])
    if fmt == "page":
        if len(merged.pages) == 1:
            return [(output, export(merged, "page"))]
        if output is None:
            raise ValueError("PAGE XML is one file per page: give -o FILE and pages go to FILE_p1.xml, FILE_p2.xml...")
        stem = output.name.split(".")[0]
        suffix = output.name[len(stem) :] or ".xml"
        return [
            (output.with_name(f"{stem}_p{i + 1}{suffix}"), export(merged, "page", page=i))
            for i in range(len(merged.pages))
        ]
    return [(output, export(merged, fmt))]


def _add_eval(sub) -> None:
    p = sub.add_parser("eval", help="measure the seeds' KPIs on a labelled folder")
    p.add_argument("task", choices=["e2e", "det", "rec", "cls"])
    p.add_argument("--data", required=True, type=Path, help="ICDAR folder (e2e, det) or gt_list.txt folder (rec, cls)")
    p.add_argument("--limit", type=int, help="only the first N items")
    p.add_argument("--case-insensitive", action="store_true", help="e2e: compare words ignoring case")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    _add_model_options(p)


def _run_eval(args) -> int:
    from ocdr.evaluation.evaluate import evaluate_cls, evaluate_det, evaluate_e2e, evaluate_rec

    ocr = _make_ocr(args)
    if args.task == "e2e":
        result = evaluate_e2e(ocr, args.data, args.limit, case_sensitive=not args.case_insensitive)
    elif args.task == "det":
        result = evaluate_det(ocr, args.data, args.limit)
    elif args.task == "cls":
        result = evaluate_cls(ocr, args.data, args.limit)
    else:
        result = evaluate_rec(ocr, args.data, args.limit)
    result = {"task": args.task, "data": str(args.data), **result}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        width = max(map(len, result))
        for key, value in result.items():
            print(f"{key:<{width}}  {value:.4f}" if isinstance(value, float) else f"{key:<{width}}  {value}")
    return EXIT_OK


def _add_synth(sub) -> None:
    p = sub.add_parser("synth", help="render synthetic training data in the seed formats")
    kinds = p.add_subparsers(dest="kind", required=True)
    lines = kinds.add_parser("lines", help="recognizer crops: gt_list.txt + characters_list.txt + images/")
    pages = kinds.add_parser("pages", help="document pages with ICDAR word labels: images/ + gts/")
    for q in (lines, pages):
        q.add_argument("--out", required=True, type=Path)
        q.add_argument("--count", type=int, required=True)
        q.add_argument("--seed", type=int, default=0)
        q.add_argument("--workers", type=int, default=1)
        q.add_argument("--fonts", nargs="+", help="font file names (default: ocdr/training/synth/fonts.txt)")
    lines.add_argument("--line-prob", type=float, default=0.3, help="share of multi-word crops (with spaces)")
    pages.add_argument("--dpi", type=float, default=300.0)
    pages.add_argument("--min-pt", type=float, default=8.0)
    pages.add_argument("--max-pt", type=float, default=14.0)
    pages.add_argument("--noise", type=float, default=1.0, help="degradation strength (0 = clean)")
    pages.add_argument("--max-skew", type=float, default=0.0, help="random page rotation, degrees")


def _run_synth(args) -> int:
    from ocdr.training.synth.datasets import write_line_dataset, write_page_dataset
    from ocdr.training.synth.render import PageStyle

    if args.count <= 0:
        raise SystemExit("--count must be positive")
    if args.kind == "lines":
        write_line_dataset(args.out, args.count, args.seed, args.workers, args.fonts, args.line_prob)
    else:
        style = PageStyle(
            dpi=args.dpi, min_pt=args.min_pt, max_pt=args.max_pt, noise=args.noise, max_skew_deg=args.max_skew
        )
        write_page_dataset(args.out, args.count, args.seed, args.workers, args.fonts, style)
    print(f"wrote {args.count} {args.kind} to {args.out}")
    return EXIT_OK


def _add_train(sub) -> None:
    p = sub.add_parser("train", help="train a model (needs the 'train' extra: PyTorch)")
    kinds = p.add_subparsers(dest="kind", required=True)
    rec = kinds.add_parser("rec", help="train the recognizer (CTC) from gt_list.txt folders")
    det = kinds.add_parser("det", help="train the DBNet detector from ICDAR-format folders (images/ + gts/)")
    cls = kinds.add_parser("cls", help="train an orientation classifier (--task line: upright vs upside-down crops)")
    for q in (rec, det, cls):
        q.add_argument("--data", nargs="+", required=q is not cls, default=[], help="training folder(s)")
        q.add_argument("--val-data", nargs="+", help="validation folder(s); default: carve a split from --data")
        q.add_argument("--out", required=True, type=Path, help="run folder: checkpoints, metrics; resumes if present")
        q.add_argument("--steps", type=int, default=10000)
        q.add_argument("--batch-size", type=int)
        q.add_argument("--lr", type=float)
        q.add_argument("--eval-every", type=int, default=500)
        q.add_argument("--time-limit", type=float, help="stop (resumably) after this many minutes")
        q.add_argument("--device", default="cpu", help="cpu or cuda")
        q.add_argument("--threads", type=int, help="torch CPU threads")
        q.add_argument("--seed", type=int, default=0)
        q.add_argument("--init", help="start from this checkpoint's weights (fine-tuning)")
    rec.add_argument("--arch", default="crnn_lite")
    rec.add_argument("--charset", help="characters_list.txt (default: the built-in document charset)")
    det.add_argument("--arch", default="dbnet_resnet18_lite")
    det.add_argument("--crop-size", type=int, default=640)
    cls.add_argument("--task", default="line", choices=["line"], help="line: text-line orientation (0/180)")
    cls.add_argument("--arch", default="line_orientation_lite")
    cls.add_argument("--synth", type=int, default=20000, help="synthetic crops rendered at start-up")
    cls.add_argument("--real-share", type=float, default=0.5, help="share of each batch from the --data crops")


def _run_train(args) -> int:
    common = {
        k: getattr(args, k)
        for k in ("data", "val_data", "steps", "eval_every", "device", "threads", "seed", "init", "arch")
    }
    common["out"] = str(args.out)
    common["time_limit_min"] = args.time_limit
    for k in ("batch_size", "lr"):
        if getattr(args, k) is not None:
            common[k] = getattr(args, k)
    if args.kind == "rec":
        from ocdr.training.train_rec import RecTrainConfig, train_rec

        best = train_rec(RecTrainConfig(charset=args.charset, **common))
    elif args.kind == "cls":
        from ocdr.training.train_cls import ClsTrainConfig, train_cls

        best = train_cls(ClsTrainConfig(task=args.task, synth=args.synth, real_share=args.real_share, **common))
    else:
        from ocdr.training.train_det import DetTrainConfig, train_det

        best = train_det(DetTrainConfig(crop_size=args.crop_size, **common))
    print(f"best checkpoint: {best}")
    return EXIT_OK


def _add_export(sub) -> None:
    p = sub.add_parser("export", help="export a training checkpoint to ONNX (with its metadata)")
    p.add_argument("checkpoint", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--opset", type=int, default=17)


def _run_export(args) -> int:
    from ocdr.training.export import export_checkpoint

    path = export_checkpoint(args.checkpoint, args.output, opset=args.opset)
    print(f"wrote {path}")
    return EXIT_OK


def _add_serve(sub) -> None:
    p = sub.add_parser("serve", help="run the HTTP service (needs the 'serve' extra)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (0.0.0.0: all interfaces)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--workers", type=int, default=1, help="server processes, each with its own models")
    p.add_argument("--concurrency", type=int, default=4, help="requests worked on at once per process")
    p.add_argument("--queue-size", type=int, default=64, help="requests waiting beyond those; more get 503")
    p.add_argument("--max-batch", type=int, default=16, help="most crops in one recognizer call")
    p.add_argument("--max-wait-ms", type=float, default=2.0, help="how long a recognizer call waits for others")
    p.add_argument(
        "--timeout", type=float, default=60.0, help="seconds a request may take, queue wait included, before a 504"
    )
    p.add_argument("--max-body-mb", type=float, default=32.0, help="request body limit (413)")
    p.add_argument("--max-pixels", type=int, default=50_000_000, help="pixel limit per page (413)")
    p.add_argument("--max-pages", type=int, default=100, help="page limit per request on /v1/ocr, /v1/infer (413)")
    p.add_argument("--dpi", type=float, default=200.0, help="PDF render resolution")
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
        help="ONNX Runtime's CPU memory arena: a little faster, but memory grows with every new image size",
    )
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    _add_model_options(p)


def _run_serve(args) -> int:
    from ocdr.server.config import MIB, ServerConfig
    from ocdr.server.runner import serve

    try:
        config = ServerConfig(
            det_model=args.det_model,
            rec_model=args.rec_model,
            line_cls_model=args.line_cls_model,
            device=args.device,
            threads=args.threads,
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
    except ValueError as exc:
        print(f"ocdr serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    serve(config, args.host, args.port, args.workers, args.log_level)
    return EXIT_OK


COMMANDS = {
    "read": (_add_read, _run_read),
    "eval": (_add_eval, _run_eval),
    "synth": (_add_synth, _run_synth),
    "train": (_add_train, _run_train),
    "export": (_add_export, _run_export),
    "serve": (_add_serve, _run_serve),
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


if __name__ == "__main__":
    sys.exit(main())
