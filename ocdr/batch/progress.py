"""A one-line progress report on stderr: files and pages done, pages/s and the time left."""

from __future__ import annotations

import sys
import time

BAR_WIDTH = 30
LINE_WIDTH = 150


def format_duration(seconds: float) -> str:
    """``75`` -> ``1:15``, ``3725`` -> ``1:02:05``."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Files done of ``files``, pages done (of ``pages`` when known up front), pages/s and ETA. ``unit``: what the
    pages are called (``ocdr recognize`` reads crops).

    On a terminal the line is redrawn in place, at every page; otherwise (a log file) a line is written per file, so
    that logs stay short. The ETA comes from the pages left when their total is known, else from the files left.
    """

    def __init__(self, files: int, enabled: bool, pages: int | None = None, unit: str = "pages"):
        self.files, self.total_pages, self.enabled, self.unit = files, pages, enabled, unit
        self.done, self.pages, self.start = 0, 0, time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.name = ""

    def add_pages(self, count: int = 1) -> None:
        """Pages read (or failed) before their file is complete: a batch job reports them as they come."""
        self.pages += count
        if self.tty:
            self._draw()

    def update(self, name: str, pages: int = 0, files: int = 1) -> None:
        """A file is finished (or ``files`` of them, the last ``name``); ``pages``: those of its pages not yet counted
        by ``add_pages``."""
        self.done += files
        self.pages += pages
        self.name = name
        self._draw()

    def _draw(self) -> None:
        if not self.enabled:
            return
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        rate = self.pages / elapsed
        filled = int(BAR_WIDTH * self.done / max(1, self.files))
        pages = f"{self.pages}/{self.total_pages}" if self.total_pages is not None else str(self.pages)
        line = (
            f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.files} files, {pages} {self.unit}, "
            f"{rate:.2f} {self.unit}/s{self._eta(elapsed, rate)}  {self.name}"
        )
        sys.stderr.write(("\r" + line[:LINE_WIDTH].ljust(LINE_WIDTH)) if self.tty else line + "\n")
        if self.tty and self.done == self.files:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def _eta(self, elapsed: float, rate: float) -> str:
        if self.total_pages is not None and self.pages and rate > 0:
            left = max(self.total_pages - self.pages, 0) / rate
        elif self.done:
            left = (self.files - self.done) * elapsed / self.done
        else:
            return ""
        return f", ETA {format_duration(left)}"
