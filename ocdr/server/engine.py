"""The service's worker side: the models loaded once, a bounded pool of worker threads, admission control, timeouts.

Request handlers stay on the event loop only to parse and answer; decoding, OCR and encoding run here, in
``concurrency`` threads, while recognizer calls from all of them are batched together (``BatchedRecognizer``).
A request over the queue bound is refused at once (503, Retry-After) rather than left to pile up; one that runs past
``request_timeout`` is answered 504 and its work stops at the next page.
"""

from __future__ import annotations

import asyncio
import ctypes
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar

import numpy as np

from ocdr.api import OCR
from ocdr.document import CropReading, Page
from ocdr.errors import InputError, InputTooLarge
from ocdr.io.inputs import Source, crop_image
from ocdr.io.pdf import pdf_page_count
from ocdr.server.batching import BatchedRecognizer
from ocdr.server.config import ServerConfig
from ocdr.server.envelope import ServiceError
from ocdr.server.metrics import ServiceMetrics
from ocdr.server.payload import UrlPolicy, sniff_kind

T = TypeVar("T")
EMA_WEIGHT = 0.1  # of the newest job, in the running mean job time behind Retry-After
TRIM_INTERVAL = 1.0  # seconds between malloc_trim calls (one takes ~25 ms on a busy heap: at most ~2.5% of a core)


# glibc mallopt parameters (malloc.h)
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD_BYTES = 1 << 20  # page images and detector maps (MBs) are mmapped: freed straight back to the system
ARENA_MAX = 2  # worker threads share two heaps instead of one per thread, each keeping its own freed memory


def _glibc() -> ctypes.CDLL | None:
    """The process's glibc, where there is one (not on macOS, Windows or musl)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


GLIBC = _glibc()


def tune_malloc() -> None:
    """Keep the server's RSS flat. Page images and detector maps are large, short-lived buffers freed by many
    threads; by default glibc raises its mmap threshold after such frees (so later ones land on the heap) and keeps
    freed memory in per-thread arenas, and RSS creeps up. A fixed threshold and two arenas stop both; a periodic
    ``malloc_trim`` (in ``Engine``) returns what is left."""
    if GLIBC is not None:
        GLIBC.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        GLIBC.mallopt(M_ARENA_MAX, ARENA_MAX)


class Cancelled(Exception):
    """The request's deadline passed; its work stops here (nobody waits for the answer any more)."""


class Engine:
    def __init__(self, config: ServerConfig, metrics: ServiceMetrics, workers: int = 1):
        self.config = config
        self.metrics = metrics
        tune_malloc()  # before the worker threads start and their arenas exist
        threads = config.threads or max(1, (os.cpu_count() or 1) // (max(1, workers) * config.concurrency))
        self.ocr = OCR(
            config.det_model,
            config.rec_model,
            threads=threads,
            device=config.device,
            precision=config.precision,
            trt_cache=config.trt_cache,
            dpi=config.dpi,
            max_pixels=config.max_pixels,
            memory_arena=config.memory_arena,
            line_cls_model=config.line_cls_model,
            page_cls_model=config.page_cls_model,
            scene_cls_model=config.scene_cls_model,
            scene_det_model=config.scene_det_model,
            lexicon=config.lexicon,
            **config.params,
        )
        self.recognizer = BatchedRecognizer.wrap(
            self.ocr.pipeline.recognizer, config.max_batch, config.max_wait_ms / 1000, metrics.observe_batch
        )
        self.ocr.pipeline.recognizer = self.recognizer  # type: ignore[assignment]
        self.url_policy = UrlPolicy(
            config.url_hosts, config.allow_private_urls, config.url_timeout, config.max_download_bytes
        )
        self._executor = ThreadPoolExecutor(config.concurrency, thread_name_prefix="ocdr-worker")
        self._lock = threading.Lock()
        self._admitted = 0
        self._running = 0
        self._mean_seconds = 1.0
        self._last_trim = 0.0

    # ---- admission, timeouts --------------------------------------------------------------------------------------

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args, cancel=event)`` on a worker thread; 503 if the queue is full, 504 past the timeout."""
        limit = self.config.concurrency + self.config.queue_size
        with self._lock:
            if self._admitted >= limit:
                self.metrics.rejected.inc()
                retry = max(
                    1,
                    math.ceil(
                        self._mean_seconds * (self._admitted - self.config.concurrency + 1) / self.config.concurrency
                    ),
                )
                raise ServiceError(
                    503,
                    f"server busy: {self._admitted} requests in progress or queued (limit {limit}); retry in {retry} s",
                    {"Retry-After": str(retry)},
                )
            self._admitted += 1
            self._publish()
        cancel = threading.Event()
        future = self._executor.submit(self._work, fn, args, cancel)
        future.add_done_callback(self._release)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.config.request_timeout)
        except TimeoutError:
            cancel.set()
            raise ServiceError(
                504, f"the request took longer than the server's limit of {self.config.request_timeout:g} s"
            ) from None

    def _work(self, fn: Callable[..., T], args: tuple, cancel: threading.Event) -> T:
        with self._lock:
            self._running += 1
            self._publish()
        start = time.monotonic()
        try:
            if cancel.is_set():
                raise Cancelled
            return fn(*args, cancel=cancel)
        finally:
            seconds = time.monotonic() - start
            with self._lock:
                self._running -= 1
                self._mean_seconds += EMA_WEIGHT * (seconds - self._mean_seconds)
                self._publish()
                trim = GLIBC is not None and time.monotonic() - self._last_trim >= TRIM_INTERVAL
                if trim:
                    self._last_trim = time.monotonic()
            if trim:
                GLIBC.malloc_trim(0)  # type: ignore[union-attr]

    def _release(self, _: Future) -> None:
        with self._lock:
            self._admitted -= 1
            self._publish()

    def _publish(self) -> None:
        self.metrics.in_flight.set(self._running)
        self.metrics.queue_depth.set(max(0, self._admitted - self._running))

    def close(self) -> None:
        """Finish the work in hand, then stop the threads (graceful shutdown)."""
        self._executor.shutdown(wait=True, cancel_futures=False)
        self.recognizer.close()

    # ---- the work -------------------------------------------------------------------------------------------------

    def check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Validate pipeline settings up front (422), before the request takes a place in the queue."""
        try:
            self.ocr.params.with_overrides(**params)
        except (TypeError, ValueError) as exc:
            raise ServiceError(422, str(exc)) from None
        return params

    def read(
        self,
        data: bytes,
        name: str,
        *,
        pages: list[int] | None,
        params: dict[str, Any],
        cancel: threading.Event,
        max_pages: int | None = None,
        dpi: float | None = None,
        password: str | None = None,
    ) -> Iterator[tuple[np.ndarray, Page]]:
        """Pages of one file with their results, lazily (``password``: an encrypted PDF's). More than
        ``max_pages`` (after ``pages``): 413."""
        if max_pages is not None and sniff_kind(data) == "pdf":
            count = pdf_page_count(data, name, password)
            chosen = count if pages is None else len([p for p in pages if 0 <= p < count])
            if chosen > max_pages:
                raise InputTooLarge(
                    f"{name} has {chosen} pages to read; this server reads at most {max_pages} per request "
                    "(choose fewer with pages=...)"
                )
        for number, (page, result) in enumerate(
            self.ocr.iter_source_pages(Source(name, data, password), pages=pages, dpi=dpi, **params), start=1
        ):
            if max_pages is not None and number > max_pages:
                raise InputTooLarge(f"{name} has more than {max_pages} pages; this server reads at most that many")
            if cancel.is_set():
                raise Cancelled
            self.metrics.pages.inc()
            yield page.image, result

    def recognize(self, uploads: list[tuple[str, bytes]], params: dict[str, Any]) -> list[CropReading]:
        """Each uploaded crop read with no detection (``OCR.recognize``), named as uploaded (its errors too)."""
        images = [crop_image(Source(name, data), self.config.max_pixels) for name, data in uploads]
        readings = self.ocr.recognize(images, **params)
        return [replace(r, source=name) for r, (name, _) in zip(readings, uploads, strict=True)]


def as_service_error(exc: BaseException) -> ServiceError | None:
    """The HTTP answer for an exception from the OCR stack, or None for a server fault."""
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, InputTooLarge):
        return ServiceError(413, str(exc))
    if isinstance(exc, InputError):
        return ServiceError(422, str(exc))
    return None
