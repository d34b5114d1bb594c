"""Planning a batch job: the input files (folders and glob patterns expanded), where each one's output goes (the
input tree mirrored under OUT_DIR), which are finished already (resume), and the pages to read of the others.

Nothing is decoded here: page counts come from file headers, so a long PDF can be split into page tasks up front.
"""

from __future__ import annotations

import glob
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ocdr.errors import InputError
from ocdr.io.export import SUFFIXES
from ocdr.io.images import select_pages
from ocdr.io.inputs import Source, expand_inputs, page_count
from ocdr.io.outputs import page_paths

GLOB_CHARS = frozenset("*?[")


@dataclass
class FileJob:
    """One input to read: its source, its output (for PAGE XML the name its per-page files derive from), and the
    0-based pages to read."""

    source: Source
    output: Path
    pages: list[int] = field(default_factory=list)


@dataclass
class Plan:
    files: list[FileJob]  # to read, in input order
    skipped: list[FileJob]  # their outputs are all there already
    failed: list[tuple[str, str]]  # (input, reason): cannot be read at all (missing, corrupt, no pages)


def source_path(source: Source) -> Path:
    """The path of a batch input: ``expand_inputs`` makes a path source of every file it is given or finds."""
    assert isinstance(source.obj, Path)
    return source.obj


def _absolute(path: str | os.PathLike) -> Path:
    """The absolute path with ``..`` resolved (on the names, as symlinks are not followed): output paths are made
    relative to a common root and must not climb out of OUT_DIR."""
    return Path(os.path.abspath(path))


def expand(
    patterns: list[str], out_dir: Path, password: str | None = None
) -> tuple[list[tuple[Source, Path]], list[tuple[str, str]]]:
    """``(source, root)`` of every input file, and ``(pattern, reason)`` of those that name nothing readable.

    A pattern is a file, a folder (read recursively) or a glob (``**`` spans folders), for shells that do not expand
    them. ``root`` is the folder a file's output path is taken relative to: a folder input itself, else the file's
    own folder. Files under ``out_dir`` are left out (an output folder inside an input folder), and repeats too."""
    found: list[tuple[Source, Path]] = []
    failed: list[tuple[str, str]] = []
    seen: set[Path] = set()
    out_dir = _absolute(out_dir)
    for pattern in patterns:
        matches = [pattern]
        if GLOB_CHARS & set(pattern) and not os.path.exists(pattern):
            matches = sorted(glob.glob(pattern, recursive=True))
            if not matches:
                failed.append((pattern, "no file matches this pattern"))
                continue
        for match in matches:
            try:
                sources = expand_inputs(match, password)
            except InputError as exc:  # a folder with nothing readable
                failed.append((match, str(exc)))
                continue
            root = _absolute(match) if Path(match).is_dir() else None
            for source in sources:
                path = _absolute(source_path(source))
                if path in seen or path.is_relative_to(out_dir):
                    continue
                seen.add(path)
                found.append((source, root or path.parent))
    return found, failed


def output_paths(files: list[tuple[Source, Path]], out_dir: Path, fmt: str) -> list[Path]:
    """Each file's output: its path relative to the inputs' common root, under ``out_dir``, with the format's suffix
    in place of its own (``scans/a/b.pdf`` -> ``OUT/a/b.json``). Files that would collide (``b.pdf`` and ``b.png``)
    keep their own suffix before the format's (``b.pdf.json``, ``b.png.json``)."""
    if not files:
        return []
    root = Path(os.path.commonpath([str(r) for _, r in files]))
    relative = [_absolute(source_path(source)).relative_to(root) for source, _ in files]
    suffix = SUFFIXES[fmt]
    plain = [rel.with_name(rel.stem + suffix) for rel in relative]
    taken = Counter(plain)
    return [
        out_dir / (short if taken[short] == 1 else rel.with_name(rel.name + suffix))
        for rel, short in zip(relative, plain, strict=True)
    ]


def plan_job(
    patterns: list[str], out_dir: Path, fmt: str, pages: list[int] | None = None, password: str | None = None
) -> Plan:
    """The job for ``patterns`` (see ``expand``), written to ``out_dir`` in format ``fmt``; ``pages``: 0-based
    pages to read of multi-page files (None: all). An input is skipped when all its output files exist (a PAGE XML
    result is one file per page, so its page count is needed first; other formats are checked without opening)."""
    files, failed = expand(patterns, out_dir, password)
    plan = Plan([], [], failed)
    for (source, _), output in zip(files, output_paths(files, out_dir, fmt), strict=True):
        job = FileJob(source, output)
        if fmt != "page" and output.exists():
            plan.skipped.append(job)
            continue
        try:
            job.pages = select_pages(page_count(job.source), pages, job.source.name)
        except InputError as exc:
            plan.failed.append((job.source.name, str(exc)))
            continue
        if fmt == "page" and all(p.exists() for p in page_paths(output, len(job.pages))):
            plan.skipped.append(job)
        else:
            plan.files.append(job)
    return plan
