"""Dynamic batching: concurrent callers' items go through one model call together.

A page gives the recognizer a few dozen crops and a word image gives it one; run alone, each call pays the model's
fixed cost and leaves the batch dimension idle. ``MicroBatcher`` lets one thread collect the items of every caller
that arrives within ``max_wait`` seconds of the first (up to ``max_items``), run them in one call, and hand each
caller exactly its own results back.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ocdr.models.recognition.ctc import CTCResult
from ocdr.models.recognition.lexicon import LEXICON_MARGIN, Lexicon
from ocdr.pipeline import TextRecognizer

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Job(Generic[T, R]):
    items: Sequence[T]
    future: Future = field(default_factory=Future)


class MicroBatcher(Generic[T, R]):
    """Run ``fn(items) -> results`` (one result per item, in order) on the items of many callers at once.

    ``on_batch(items, callers)`` is told the size of every call (for metrics). If a combined call fails, each caller's
    items are run again alone, so that one bad input fails only its own request.
    """

    def __init__(
        self,
        fn: Callable[[list[T]], list[R]],
        max_items: int = 64,
        max_wait: float = 0.005,
        on_batch: Callable[[int, int], Any] | None = None,
        name: str = "ocdr-batcher",
    ):
        self.fn = fn
        self.max_items = max_items
        self.max_wait = max_wait
        self.on_batch = on_batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def submit(self, items: Sequence[T]) -> Future:
        """A future for ``fn``'s results on ``items``."""
        if self._closed:
            raise RuntimeError("the batcher is closed")
        job: _Job[T, R] = _Job(items)
        if not items:
            job.future.set_result([])
        else:
            self._queue.put(job)
        return job.future

    def __call__(self, items: Sequence[T]) -> list[R]:
        return self.submit(items).result()

    def close(self) -> None:
        """Finish the jobs already queued, then stop the thread."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()

    def _collect(self, first: _Job) -> tuple[list[_Job], bool]:
        """``first`` and the jobs that join it before the wait or the item budget runs out; True if told to stop."""
        jobs, count = [first], len(first.items)
        deadline = time.monotonic() + self.max_wait
        while count < self.max_items:
            timeout = deadline - time.monotonic()
            try:
                job = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None:
                return jobs, True
            jobs.append(job)
            count += len(job.items)
        return jobs, False

    def _loop(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                break
            jobs, stop = self._collect(first)
            self._run([job for job in jobs if job.future.set_running_or_notify_cancel()])

    def _run(self, jobs: list[_Job]) -> None:
        if not jobs:
            return
        items = [item for job in jobs for item in job.items]
        if self.on_batch is not None:
            self.on_batch(len(items), len(jobs))
        try:
            results = self.fn(items)
            if len(results) != len(items):
                raise RuntimeError(f"batched function returned {len(results)} results for {len(items)} items")
        except BaseException as exc:  # every failure must reach the callers, never kill the thread
            if len(jobs) == 1:
                jobs[0].future.set_exception(exc)
            else:
                for job in jobs:  # isolate the culprit: each caller alone
                    self._run_alone(job)
            return
        start = 0
        for job in jobs:
            job.future.set_result(results[start : start + len(job.items)])
            start += len(job.items)

    def _run_alone(self, job: _Job) -> None:
        try:
            job.future.set_result(self.fn(list(job.items)))
        except BaseException as exc:  # reported to its caller, never raised here
            job.future.set_exception(exc)


class BatchedRecognizer:
    """A ``TextRecognizer`` stand-in for ``OCRPipeline`` whose calls from concurrent requests share model runs."""

    def __init__(self, recognizer: TextRecognizer, batcher: MicroBatcher[Any, CTCResult]):
        self.recognizer = recognizer
        self.batcher = batcher

    @classmethod
    def wrap(
        cls,
        recognizer: TextRecognizer,
        max_batch: int,
        max_wait: float,
        on_batch: Callable[[int, int], Any] | None = None,
    ) -> BatchedRecognizer:
        def run(items: list) -> list[CTCResult]:  # (crop, word-list margin) pairs from any number of requests
            return recognizer([crop for crop, _ in items], max_batch, [margin for _, margin in items])

        return cls(recognizer, MicroBatcher(run, max_batch, max_wait, on_batch, name="ocdr-rec-batcher"))

    @property
    def lexicon(self) -> Lexicon | None:
        """The wrapped recognizer's word list (the pipeline checks readings against it)."""
        return self.recognizer.lexicon

    def __call__(self, crops: list, batch_size: int = 32, margin: float = LEXICON_MARGIN) -> list[CTCResult]:
        """``batch_size`` is ignored: the batcher's own ``max_batch`` decides, across requests; each crop keeps its
        request's word-list ``margin``."""
        return self.batcher([(crop, margin) for crop in crops])

    def close(self) -> None:
        self.batcher.close()
