"""Where the pages of a batch job are read: in this process, in worker processes on this machine, or on Ray actors.

Every runner takes the same page tasks, ``(file, page index)``, so that the pages of one long PDF spread over all
workers, and yields a result per task in the order they finish; the job puts each file's pages back in order. Each
worker loads the models once and reads a page exactly as ``OCR`` does in one process, so the outputs do not depend
on the runner. A failure is a result too (with its reason): one bad page never stops the job.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ocdr.errors import OcdrError
from ocdr.io.inputs import Source

if TYPE_CHECKING:
    from ocdr.document import Page

TASKS_PER_WORKER = 2  # in flight per worker: one read, one queued, so no worker waits for the parent between pages


@dataclass(frozen=True)
class PageTask:
    file: int  # position of the file in the job
    name: str  # Source.name
    path: Path
    page: int  # 0-based page index
    password: str | None = None  # the job's, for encrypted PDFs


@dataclass
class PageResult:
    file: int
    page: int
    result: Page | None  # None when the page failed
    error: str | None = None


class Runner(Protocol):
    def run(self, tasks: list[PageTask]) -> Iterator[PageResult]: ...


def describe(exc: BaseException) -> str:
    """The reason an error gives in the errors file: ocdr's own messages name the input; others need their type."""
    return str(exc) if isinstance(exc, OcdrError) else f"{type(exc).__name__}: {exc}"


def _failed(task: PageTask, reason: str) -> PageResult:
    return PageResult(task.file, task.page, None, reason)


class PageReader:
    """One worker's models, loaded once, reading one page per call. ``threads`` also caps OpenCV's threads, so
    that N workers keep to their budget."""

    def __init__(self, ocr_options: dict[str, Any]):
        import cv2

        from ocdr.api import OCR

        if ocr_options.get("threads"):
            cv2.setNumThreads(ocr_options["threads"])
        self.ocr = OCR(**ocr_options)

    def read(self, task: PageTask, data: bytes | None = None) -> PageResult:
        """``task``'s page, read from its file, or from ``data`` (the file's bytes) where the file is not at hand."""
        source = Source(task.name, task.path if data is None else data, task.password)
        try:
            [(_, page)] = self.ocr.iter_source_pages(source, pages=[task.page])
        except Exception as exc:  # any failure is this page's, reported in its result
            return _failed(task, describe(exc))
        return PageResult(task.file, task.page, page)


def check_options(ocr_options: dict[str, Any]) -> None:
    """Load the models once here, on the CPU, before any worker starts: a bad setting or model path is then one
    clear error rather than one per page (the device is the workers' to check: a Ray driver may have no GPU)."""
    from ocdr.api import OCR

    OCR(**{**ocr_options, "device": "cpu", "threads": 1})


class InProcessRunner:
    """Reads the pages here, one after another (the default)."""

    def __init__(self, ocr_options: dict[str, Any]):
        self.reader = PageReader(ocr_options)

    def run(self, tasks: list[PageTask]) -> Iterator[PageResult]:
        for task in tasks:
            yield self.reader.read(task)


_worker: PageReader | None = None  # the models of a pool worker process


def _start_worker(ocr_options: dict[str, Any]) -> None:
    global _worker
    _worker = PageReader(ocr_options)


def _read_in_worker(task: PageTask) -> PageResult:
    assert _worker is not None, "the pool starts every worker with _start_worker"
    return _worker.read(task)


class ProcessRunner:
    """``workers`` processes on this machine, each with its own models and ``threads`` threads (default: an even
    share of the cores). They are spawned, not forked: a fork of a process holding ONNX Runtime's thread pools can
    hang. If a worker dies (out of memory, a crash in a decoder), its pages and those not yet started fail with that
    reason; a rerun retries them."""

    def __init__(self, ocr_options: dict[str, Any], workers: int):
        check_options(ocr_options)
        threads = ocr_options.get("threads") or max(1, (os.cpu_count() or 1) // workers)
        self.options, self.workers = {**ocr_options, "threads": threads}, workers

    def run(self, tasks: list[PageTask]) -> Iterator[PageResult]:
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_start_worker, initargs=(self.options,)
        )
        pending: dict[Future, PageTask] = {}
        queue = iter(tasks)
        broken = ""
        try:
            while True:
                while not broken and len(pending) < TASKS_PER_WORKER * self.workers:
                    task = next(queue, None)
                    if task is None:
                        break
                    try:
                        pending[pool.submit(_read_in_worker, task)] = task
                    except BrokenProcessPool as exc:
                        broken = f"a worker process died: {exc}"
                        yield _failed(task, broken)
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    task = pending.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool as exc:
                        broken = f"a worker process died: {exc}"
                        yield _failed(task, broken)
            for task in queue:
                yield _failed(task, broken)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ModuleNotFoundError('--ray needs Ray: pip install "ocdr[ray]"', name="ray") from exc
    return ray


class RayRunner:
    """Ray actors, each holding the models: ``workers`` of them (default: one per slot the cluster has), each
    taking ``threads`` CPUs (default 1), or one GPU on a GPU device (cuda, tensorrt).

    ``address`` as ``ray.init`` takes it: ``"local"`` starts a new Ray instance on this machine for the job;
    ``"auto"``, ``HOST:PORT`` or ``ray://HOST:PORT`` join a running cluster (see ``ray start``). A Ray this process
    has already started is used as it is. Files travel to the actors through Ray's object store, so the other nodes
    need no access to the inputs; the outputs are written here, by the driver. An actor that dies fails its pages.
    """

    def __init__(self, ocr_options: dict[str, Any], address: str, workers: int | None = None):
        self.ray = _import_ray()
        check_options(ocr_options)
        self.options = {**ocr_options, "threads": ocr_options.get("threads") or 1}
        self.address, self.workers = address, workers

    def run(self, tasks: list[PageTask]) -> Iterator[PageResult]:
        ray = self.ray
        started = not ray.is_initialized()
        if started:  # a new local instance gets the CPUs the actors need, a cluster has its own
            cpus = self.workers * self.options["threads"] if self.address == "local" and self.workers else None
            try:
                ray.init(address=self.address, num_cpus=cpus)
            except Exception as exc:  # Ray raises ConnectionError, or a plain Exception when its node times out
                raise OcdrError(f"Ray did not start or connect (--ray {self.address}): {exc}") from exc
        actors: list[Any] = []
        try:
            actors = self._start_actors()
            yield from self._schedule(tasks, actors)
        finally:
            for actor in actors:
                ray.kill(actor)
            if started:
                ray.shutdown()

    def _start_actors(self) -> list[Any]:
        ray = self.ray
        gpu = self.options.get("device", "cpu") != "cpu"  # cuda, tensorrt
        resource, each = ("GPU", 1) if gpu else ("CPU", self.options["threads"])
        slots = int(ray.cluster_resources().get(resource, 0) // each)
        if slots < 1:
            raise OcdrError(f"the Ray cluster has no room for an actor of {each} {resource}(s)")
        count = min(self.workers or slots, slots)  # actors the cluster cannot place would wait for ever
        actor_class = ray.remote(**{"num_gpus" if gpu else "num_cpus": each})(PageReader)
        return [actor_class.remote(self.options) for _ in range(count)]

    def _schedule(self, tasks: list[PageTask], actors: list[Any]) -> Iterator[PageResult]:
        """Keep every actor busy with up to TASKS_PER_WORKER pages, and yield results as they come."""
        ray = self.ray
        load = {actor: 0 for actor in actors}
        pending: dict[Any, tuple[PageTask, Any]] = {}
        queue = iter(tasks)
        current: tuple[int, Any] = (-1, None)  # (file, its bytes in the object store), released when the file changes
        while True:
            while actors:
                actor = min(actors, key=load.__getitem__)
                task = next(queue, None) if load[actor] < TASKS_PER_WORKER else None
                if task is None:
                    break
                if current[0] != task.file:
                    try:
                        current = (task.file, ray.put(task.path.read_bytes()))
                    except OSError as exc:
                        current = (-1, None)
                        yield _failed(task, f"{task.name} cannot be read: {exc.strerror or exc}")
                        continue
                pending[actor.read.remote(task, current[1])] = (task, actor)
                load[actor] += 1
            if not pending:
                break
            [ref], _ = ray.wait(list(pending), num_returns=1)
            task, actor = pending.pop(ref)
            load[actor] -= 1
            try:
                yield ray.get(ref)
            except ray.exceptions.RayError as exc:  # the actor died, or its node and the result with it
                if isinstance(exc, ray.exceptions.RayActorError) and actor in actors:
                    actors.remove(actor)
                yield _failed(task, f"Ray: {exc}")
        for task in queue:
            yield _failed(task, "no Ray actor is left to read it (see the errors above)")


def make_runner(ocr_options: dict[str, Any], workers: int | None = None, ray: str | None = None) -> Runner:
    """The runner for ``--workers N`` (processes on this machine) or ``--ray [ADDRESS]`` (Ray actors; ``workers``
    is then the number of actors); neither: this process."""
    if ray is not None:
        return RayRunner(ocr_options, ray, workers)
    if workers is not None:
        return ProcessRunner(ocr_options, workers)
    return InProcessRunner(ocr_options)
