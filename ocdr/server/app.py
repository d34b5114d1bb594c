"""The FastAPI application: routes, the error envelope, body-size limit and metrics.

Every answer, errors included, is PaddleX's envelope ``{logId, errorCode, errorMsg[, result]}`` (``/v1/infer``'s
success answer is the NIM shape). Failures of the input are 4xx with a message that says what to fix; a 500 means a
bug, is logged with its traceback, and leaves the server running.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from functools import partial
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocdr import __version__
from ocdr.document import LEVELS
from ocdr.errors import InputError
from ocdr.io.inputs import parse_page_spec
from ocdr.pipeline import LIMIT_TYPES
from ocdr.server import native, nim, paddlex
from ocdr.server.config import ServerConfig
from ocdr.server.engine import Engine, as_service_error
from ocdr.server.envelope import ServiceError, error_response, json_response, new_log_id, success_body
from ocdr.server.metrics import ServiceMetrics
from ocdr.server.schemas import (
    DocumentsResponse,
    Envelope,
    NimRequest,
    NimResponse,
    PaddleXOCRRequest,
    PaddleXOCRResponse,
    ReadingsResponse,
)

log = logging.getLogger("ocdr.server")
WORKERS_ENV = "OCDR_SERVER_WORKERS"
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Envelope, "description": text}
    for code, text in {
        400: "Malformed JSON",
        403: "URL inputs refused",
        413: "Body, image, download or page count over the limits",
        422: "Invalid request or unreadable file",
        503: "Queue full (see Retry-After) or models not loaded",
        504: "Request timeout",
    }.items()
}


class BodyTooLarge(HTTPException):
    pass


class BodyLimit:
    """Answer 413 to a body over ``max_bytes``: at once from Content-Length, or as soon as a chunked body passes it."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = f"request body over the server's limit of {self.max_bytes} bytes"
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and not length.isdigit():
            await error_response(400, "Content-Length is not a whole number of bytes")(scope, receive, send)
            return
        if length is not None and int(length) > self.max_bytes:
            await error_response(413, message)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(413, message)
            return msg

        await self.app(scope, limited, send)


class RequestMetrics:
    """Count and time every answer by route (the route's path template, so labels stay few) and status."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500

        async def tracked(msg: Message) -> None:
            nonlocal status
            if msg["type"] == "http.response.start":
                status = msg["status"]
            await send(msg)

        try:
            await self.app(scope, receive, tracked)
        finally:
            route = scope.get("route")
            endpoint = getattr(route, "path", None) or "other"
            self.metrics.observe_request(endpoint, status, time.perf_counter() - start)


# ``use_rec_variants`` as /v1/ocr and /v1/recognize take it
RecVariants = Annotated[
    bool | None, Query(description="read unsure crops again in variants (default true; false: once, faster)")
]


def _validation_message(exc: RequestValidationError) -> tuple[int, str]:
    """400 for a body that is not JSON at all, else 422; errors as ``body.fileType: Input should be 0 or 1``."""
    errors = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        return 400, "request body is not valid JSON: " + "; ".join(
            str(e.get("ctx", {}).get("error", "")) for e in errors
        )
    parts = []
    for error in errors:
        where = ".".join(str(p) for p in error.get("loc", ()))
        parts.append(f"{where}: {error.get('msg')}")
    return 422, "; ".join(parts)


def internal_error(exc: BaseException) -> ServiceError:
    """A bug: logged with its traceback under a logId that the 500 answer quotes."""
    log_id = new_log_id()
    log.error("request %s failed", log_id, exc_info=exc)
    return ServiceError(500, f"internal error ({type(exc).__name__}); logId {log_id}")


def create_app(config: ServerConfig | None = None, workers: int = 1) -> FastAPI:
    """The app; models load in its lifespan (``/ready`` answers 503 until then)."""
    config = config or ServerConfig()
    metrics = ServiceMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = await asyncio.to_thread(Engine, config, metrics, workers)
        try:
            yield
        finally:
            engine, app.state.engine = app.state.engine, None
            await asyncio.to_thread(engine.close)

    app = FastAPI(
        title="ocdr",
        version=__version__,
        summary="OCR service: PaddleX-compatible /ocr, NIM-compatible /v1/infer, and ocdr's own /v1/ocr",
        lifespan=lifespan,
    )
    app.state.engine = None
    app.state.config = config
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(RequestMetrics, metrics=metrics)

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> Response:
        return error_response(exc.status, exc.message, exc.headers)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        return error_response(exc.status_code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        error = internal_error(exc)
        return error_response(error.status, error.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(*_validation_message(exc))

    def engine() -> Engine:
        current = app.state.engine
        if current is None:
            raise ServiceError(
                503, "the models are not loaded yet (or the server is shutting down)", {"Retry-After": "1"}
            )
        return current

    async def answer(step: Awaitable[Any]) -> Any:
        """Await a request's step; the OCR stack's input errors become 4xx, anything else a logged 500."""
        try:
            return await step
        except Exception as exc:
            raise (as_service_error(exc) or internal_error(exc)) from None

    async def work(job: partial) -> Any:
        """Run an OCR job on the engine's workers: queued, bounded, timed."""
        return await answer(engine().run(job))

    async def prepare(job: partial) -> Any:
        """Decode and check a request's files off the event loop but outside the OCR queue, so that a bad file is
        refused at once, without waiting behind OCR work or taking a queue place."""
        return await answer(asyncio.to_thread(job))

    @app.get("/health", response_model=Envelope, tags=["service"])
    async def health() -> Response:
        """Liveness: the process answers."""
        return json_response({"logId": new_log_id(), "errorCode": 0, "errorMsg": "Healthy"})

    @app.get("/ready", response_model=Envelope, responses={503: ERROR_RESPONSES[503]}, tags=["service"])
    async def ready() -> Response:
        """Readiness: the models are loaded and requests are taken."""
        engine()
        return json_response({"logId": new_log_id(), "errorCode": 0, "errorMsg": "Ready"})

    @app.get("/metrics", tags=["service"], response_class=Response)
    async def prometheus() -> Response:
        """Prometheus text: requests, latencies, queue depth, in-flight work, batch sizes, errors."""
        return Response(metrics.render(), media_type=metrics.content_type)

    @app.post("/ocr", response_model=PaddleXOCRResponse, responses=ERROR_RESPONSES, tags=["PaddleX"])
    async def paddlex_ocr(body: PaddleXOCRRequest) -> Response:
        """PaddleX General OCR: Base64 (or URL) image or PDF in; per page texts with polygons and scores, and the
        annotated image. PDFs: the first 10 pages."""
        params = engine().check_params(paddlex.request_params(body))
        data, kind = await prepare(partial(paddlex.load_input, engine(), body))
        result = await work(partial(paddlex.ocr_result, engine(), data, kind, params, body.visualize is not False))
        return json_response(success_body(result))

    @app.post("/v1/infer", response_model=NimResponse, responses=ERROR_RESPONSES, tags=["NIM"])
    async def nim_infer(body: NimRequest) -> Response:
        """NeMo Retriever OCR NIM: images as data URLs in; text detections at a merge level, normalized points."""
        levels = nim.request_levels(body, config.max_pages)
        images = await prepare(partial(nim.load_inputs, engine(), body))
        return json_response(await work(partial(nim.infer_result, engine(), images, levels)))

    @app.post("/v1/ocr", response_model=DocumentsResponse, responses=ERROR_RESPONSES, tags=["ocdr"])
    async def ocr_files(
        files: Annotated[list[UploadFile], File(description="images, TIFFs or PDFs")],
        format: Annotated[str, Query(description="json, or any export format")] = "json",
        level: Annotated[str | None, Query(description="json: also list each page's items at this level")] = None,
        pages: Annotated[str | None, Query(description='pages of multi-page files, e.g. "1-3,7"')] = None,
        dpi: Annotated[float | None, Query(gt=0, le=600, description="PDF render resolution")] = None,
        text_det_limit_side_len: Annotated[int | None, Query()] = None,
        text_det_limit_type: Annotated[str | None, Query(description=f"one of {', '.join(LIMIT_TYPES)}")] = None,
        text_det_min_glyph: Annotated[
            float | None, Query(description="a large page is shrunk no further than its glyphs' reaching this size")
        ] = None,
        text_det_max_glyph: Annotated[
            float | None, Query(description="a page whose glyphs are larger is shrunk until they are this size")
        ] = None,
        text_det_scene_side: Annotated[
            int | None, Query(description="a photo's scene with a shorter long side is enlarged to this (0: off)")
        ] = None,
        text_det_thresh: Annotated[float | None, Query()] = None,
        text_det_box_thresh: Annotated[float | None, Query()] = None,
        text_det_unclip_ratio: Annotated[float | None, Query()] = None,
        text_rec_score_thresh: Annotated[float | None, Query()] = None,
        return_char_boxes: Annotated[
            bool | None, Query(description="box each word's characters too (json chars; hOCR, ALTO, PAGE glyphs)")
        ] = None,
        use_doc_orientation_classify: Annotated[
            bool | None, Query(description="turn pages upright (0/90/180/270) before reading them")
        ] = None,
        use_textline_orientation: Annotated[
            bool | None, Query(description="turn lines the text-line classifier finds upside down over first")
        ] = None,
        use_deskew: Annotated[bool | None, Query(description="straighten pages turned up to 45 degrees off")] = None,
        use_doc_unwarping: Annotated[bool | None, Query(description="flatten a photographed sheet first")] = None,
        use_rec_variants: RecVariants = None,
        password: Annotated[
            str | None,
            Form(description="opens the encrypted PDFs among the files (a form field, kept out of URLs and logs)"),
        ] = None,
    ) -> Response:
        """ocdr's own API: multipart files in; ocdr Document JSON (or text, PaddleX JSON, ...) out."""
        if format not in native.formats():
            raise ServiceError(422, f"format {format!r} is not one of {', '.join(native.formats())}")
        if level is not None and level not in LEVELS:
            raise ServiceError(422, f"level {level!r} is not one of {', '.join(LEVELS)}")
        if len(files) > config.max_pages:
            raise ServiceError(
                413, f"{len(files)} files; this server reads at most {config.max_pages} pages per request"
            )
        try:
            page_list = parse_page_spec(pages) if pages is not None else None
        except InputError as exc:
            raise ServiceError(422, str(exc)) from None
        params = engine().check_params(
            {
                "text_det_limit_side_len": text_det_limit_side_len,
                "text_det_limit_type": text_det_limit_type,
                "text_det_min_glyph": text_det_min_glyph,
                "text_det_max_glyph": text_det_max_glyph,
                "text_det_scene_side": text_det_scene_side,
                "text_det_thresh": text_det_thresh,
                "text_det_box_thresh": text_det_box_thresh,
                "text_det_unclip_ratio": text_det_unclip_ratio,
                "text_rec_score_thresh": text_rec_score_thresh,
                # the optional stages, as the Python API and the CLI switch them (a sideways page was read as it lay)
                "use_doc_orientation_classify": use_doc_orientation_classify,
                "use_textline_orientation": use_textline_orientation,
                "use_deskew": use_deskew,
                "use_doc_unwarping": use_doc_unwarping,
                "use_rec_variants": use_rec_variants,
                # char boxes are drawn at level char; the PDF puts each glyph over its character unless told not to
                "return_char_boxes": level == "char"
                or (format == "pdf" if return_char_boxes is None else return_char_boxes),
            }
        )
        uploads = [(upload.filename or f"file #{i}", await upload.read()) for i, upload in enumerate(files)]
        await prepare(partial(native.check_uploads, engine(), uploads, password))
        return await work(
            partial(
                native.documents_answer,
                engine(),
                uploads,
                fmt=format,
                level=level,
                pages=page_list,
                params=params,
                dpi=dpi,
                password=password,
            )
        )

    @app.post("/v1/recognize", response_model=ReadingsResponse, responses=ERROR_RESPONSES, tags=["ocdr"])
    async def recognize_files(
        files: Annotated[list[UploadFile], File(description="crops, one word or line each: images")],
        use_textline_orientation: Annotated[
            bool | None, Query(description="turn crops the text-line classifier finds upside down over first")
        ] = None,
        use_rec_variants: RecVariants = None,
    ) -> Response:
        """ocdr's own: crops cut by your own boxes in (multipart), each read as one word or line with no detection;
        one reading per file out (text, confidence, the angle its text was found turned by)."""
        if len(files) > config.max_pages:
            raise ServiceError(
                413, f"{len(files)} files; this server reads at most {config.max_pages} images per request"
            )
        params = engine().check_params(
            {"use_textline_orientation": use_textline_orientation, "use_rec_variants": use_rec_variants}
        )
        uploads = [(upload.filename or f"file #{i}", await upload.read()) for i, upload in enumerate(files)]
        await prepare(partial(native.check_uploads, engine(), uploads))
        return await work(partial(native.readings_answer, engine(), uploads, params=params))

    return app


def app_from_env() -> FastAPI:
    """The app of a uvicorn worker process started by ``ocdr serve`` (config in the environment)."""
    return create_app(ServerConfig.from_env(), int(os.environ.get(WORKERS_ENV, "1")))
