"""Running a batch job (``ocdr read INPUTS -o OUT_DIR/``): plan it, have a runner read the pages, put each input's
pages back in order and write its outputs (atomically) as soon as all of them are read, log every failure to the
errors file, and report progress and a summary.

An input with a failed page gets no output, so a rerun, which skips the inputs whose outputs exist, retries it.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ocdr.batch.plan import FileJob, plan_job, source_path
from ocdr.batch.progress import Progress
from ocdr.batch.runners import PageTask, Runner, describe
from ocdr.document import Document
from ocdr.errors import OcdrError, about
from ocdr.io.outputs import render_outputs, write_atomic

if TYPE_CHECKING:
    from ocdr.document import Page

ERRORS_FILE = "ocdr-errors.jsonl"


@dataclass
class BatchJob:
    inputs: list[str]  # files, folders, glob patterns
    out_dir: Path
    fmt: str = "json"  # a key of ocdr.io.export.EXPORTERS
    pages: list[int] | None = None  # 0-based pages of multi-page inputs (None: all)
    rasterize: bool = False  # searchable PDF options, as for ocdr read
    jpeg_quality: int | None = None
    password: str | None = None  # opens the encrypted PDFs among the inputs


@dataclass
class Summary:
    written: int = 0
    skipped: int = 0
    failed: int = 0
    pages: int = 0  # pages read into written outputs
    seconds: float = 0.0

    def __str__(self) -> str:
        rate = self.pages / self.seconds if self.seconds > 0 else 0.0
        return (
            f"files: {self.written} written, {self.skipped} skipped (output exists), {self.failed} failed; "
            f"pages: {self.pages} in {self.seconds:.1f} s ({rate:.2f} pages/s)"
        )


class ErrorLog:
    """``OUT_DIR/ocdr-errors.jsonl``: a JSON line per failure, ``{"input", "page" (from 1; null: the whole input),
    "reason"}``, written as it happens and echoed on stderr. Every run rewrites it, so it lists what fails now; it is
    removed when nothing failed."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.count = path, 0
        self.file = path.open("w", encoding="utf-8")

    def add(self, name: str, page: int | None, reason: str) -> None:
        self.count += 1
        self.file.write(json.dumps({"input": name, "page": page, "reason": reason}, ensure_ascii=False) + "\n")
        self.file.flush()
        print(f"ocdr: {about(name, reason, page)}", file=sys.stderr)

    def close(self) -> None:
        self.file.close()
        if not self.count:
            self.path.unlink()


def _write(job: BatchJob, file: FileJob, pages: list[Page], errors: ErrorLog) -> bool:
    """Write one input's outputs; False (and the reason logged) if they cannot be made or written."""
    doc = Document(pages, source=file.source.name)
    try:
        outputs = render_outputs(
            [(file.source, doc)], job.fmt, file.output, rasterize=job.rasterize, jpeg_quality=job.jpeg_quality
        )
        for path, content in outputs:
            assert path is not None  # a file's output: render_outputs names one for each of its parts
            write_atomic(path, content)
    except (OcdrError, ValueError, OSError) as exc:
        errors.add(file.source.name, None, describe(exc))
        return False
    return True


def run_batch(job: BatchJob, runner: Runner, quiet: bool = False) -> Summary:
    """Run ``job`` on ``runner``: see the module's doc. Progress goes to stderr unless ``quiet``."""
    start = time.perf_counter()
    if job.fmt == "pdf":  # fail before any page is read if the searchable PDF writer's extra is missing
        importlib.import_module("pikepdf")
    plan = plan_job(job.inputs, job.out_dir, job.fmt, job.pages, job.password)
    if not (plan.files or plan.skipped or plan.failed):  # a job that did nothing is no success
        plan.failed.append((" ".join(job.inputs), "no input files to read (earlier outputs under OUT_DIR left out)"))
    summary = Summary(skipped=len(plan.skipped), failed=len(plan.failed))
    errors = ErrorLog(job.out_dir / ERRORS_FILE)
    try:
        for name, reason in plan.failed:
            errors.add(name, None, reason)
        tasks = [
            PageTask(i, file.source.name, Path(source_path(file.source)), page, job.password)
            for i, file in enumerate(plan.files)
            for page in file.pages
        ]
        progress = Progress(len(plan.files), enabled=not quiet, pages=len(tasks))
        left = [len(file.pages) for file in plan.files]
        read: dict[int, dict[int, Page]] = {}
        failed: set[int] = set()
        for result in runner.run(tasks) if tasks else ():
            file = plan.files[result.file]
            if result.result is None:
                errors.add(file.source.name, result.page + 1, result.error or "unknown error")
                failed.add(result.file)
            else:
                read.setdefault(result.file, {})[result.page] = result.result
            left[result.file] -= 1
            progress.add_pages()
            if left[result.file]:
                continue
            pages = read.pop(result.file, {})
            if result.file not in failed and _write(job, file, [pages[i] for i in file.pages], errors):
                summary.written += 1
                summary.pages += len(pages)
            else:
                summary.failed += 1
            progress.update(file.source.name)
    finally:
        errors.close()
    summary.seconds = time.perf_counter() - start
    return summary
