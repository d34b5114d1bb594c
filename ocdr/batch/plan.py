"""Planning a batch job: the input files (folders and glob patterns expanded), where each one's output goes (the
input tree mirrored under OUT_DIR), which are finished already (resume), and the pages to read of the others.

Nothing is decoded here: page counts come from file headers, so a long PDF can be split into page tasks up front.
"""

from __future__ import annotations

import glob
import os
from collections import Counter
from collections.abc import Iterable, Sequence
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
class Found:
    """An input file as ``expand`` finds it."""

    source: Source
    root: Path  # the folder its output path is taken relative to: a folder input itself, else the file's own folder
    named: bool  # named by the user, not found in a folder or by a glob: never taken for an earlier output


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


def input_root(pattern: str, path: Path) -> Path:
    """The folder the output of ``path``, given as or found in ``pattern``, is named from (``output_paths``): a
    folder pattern itself (its tree is mirrored), else the file's own folder."""
    return _absolute(pattern) if Path(pattern).is_dir() else path.parent


def expand(patterns: list[str], password: str | None = None) -> tuple[list[Found], list[tuple[str, str]]]:
    """Every input file, and ``(pattern, reason)`` of the patterns that name nothing readable.

    A pattern is a file, a folder (read recursively) or a glob (``**`` spans folders), for shells that do not expand
    them. Repeats are left out."""
    found: list[Found] = []
    failed: list[tuple[str, str]] = []
    seen: set[Path] = set()
    for pattern in patterns:
        matches = [pattern]
        is_glob = bool(GLOB_CHARS & set(pattern)) and not os.path.exists(pattern)
        if is_glob:
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
            named = not (is_glob or Path(match).is_dir())
            for source in sources:
                path = _absolute(source_path(source))
                if path in seen:
                    continue
                seen.add(path)
                found.append(Found(source, input_root(match, path), named))
    return found, failed


def _names(rel: Path, suffix: str) -> tuple[Path, Path]:
    """The two output names of an input at ``rel`` (relative to the inputs' root): the short one (its suffix
    replaced by ``suffix``), and the long one (``suffix`` added to its name), for inputs whose short names clash."""
    return rel.with_name(rel.stem + suffix), rel.with_name(rel.name + suffix)


def without_earlier_outputs(found: list[Found], out_dir: Path, suffix: str) -> list[Found]:
    """``found`` less the files found in a folder or by a glob that lie under ``out_dir`` where this job would write
    another input's output (``OUT/a.pdf`` for an input ``a.png`` with ``--format pdf``): outputs of an earlier run,
    when OUT_DIR is an input folder or lies inside one, are not read again. Files named one by one are always kept.
    The outputs are named from two roots (``output_paths``): that of all the files found, and that of those not
    under OUT_DIR, as an earlier output found by a glob adds its own folder to the roots, which can move their common
    one. Nothing else ocdr writes there is an input (the errors file is JSON lines, temporary files end in ``.tmp``,
    PAGE XML pages in ``.xml``)."""
    if not found:
        return found
    out_dir = _absolute(out_dir)
    paths = [_absolute(source_path(item.source)) for item in found]
    maybe = [not item.named and path.is_relative_to(out_dir) for item, path in zip(found, paths, strict=True)]
    roots = {_common_root(item.root for item in found)}
    if not all(maybe):
        roots.add(_common_root(item.root for item, out in zip(found, maybe, strict=True) if not out))
    writers: dict[Path, set[Path]] = {}  # an output -> the inputs that would write it
    for path in paths:
        for root in roots:
            for name in _names(path.relative_to(root), suffix) if path.is_relative_to(root) else ():
                writers.setdefault(out_dir / name, set()).add(path)
    return [
        item
        for item, path, out in zip(found, paths, maybe, strict=True)
        if not (out and writers.get(path, set()) - {path})
    ]


def _common_root(roots: Iterable[Path]) -> Path:
    """The folder the outputs' tree is named from: the inputs' roots' common folder."""
    return Path(os.path.commonpath([str(root) for root in roots]))


def output_paths(
    files: Sequence[tuple[Path, Path]], out_dir: Path, suffix: str, counts: Sequence[int] | None = None
) -> list[Path | None]:
    """The output of each ``(input path, root)``: its path relative to the inputs' common root, under ``out_dir``,
    with ``suffix`` in place of its own (``scans/a/b.pdf`` -> ``OUT/a/b.json``). ``counts``: pages per input, for a
    result written a file per page (``page_paths``: PAGE XML, ``--vis``), whose names are compared page by page.

    An output that would clash with another input's, or be an input itself (``-o`` the inputs' folder with
    ``--format pdf``), takes the long name: its input's suffix before ``suffix`` (``b.pdf.json``, ``b.png.json``),
    for both inputs of a clash. None where even the long name clashes (an input named as another's output)."""
    if not files:
        return []
    root = _common_root(r for _, r in files)
    relative = [_absolute(path).relative_to(root) for path, _ in files]
    inputs, out = {root / rel for rel in relative}, _absolute(out_dir)
    long = [False] * len(files)
    while True:
        bases = [_names(rel, suffix)[is_long] for rel, is_long in zip(relative, long, strict=True)]
        written = [page_paths(base, counts[i], suffix) if counts else [base] for i, base in enumerate(bases)]
        writers = Counter(path for paths in written for path in set(paths))
        clashes = [any(writers[path] > 1 or out / path in inputs for path in paths) for paths in written]
        shorts = [i for i, clash in enumerate(clashes) if clash and not long[i]]
        if not shorts:  # each long name holds its input's whole name, so this ends with few clashes left, if any
            return [None if clash else out_dir / base for base, clash in zip(bases, clashes, strict=True)]
        for i in shorts:
            long[i] = True


def plan_job(
    patterns: list[str], out_dir: Path, fmt: str, pages: list[int] | None = None, password: str | None = None
) -> Plan:
    """The job for ``patterns`` (see ``expand``; earlier outputs left out, see ``without_earlier_outputs``), written
    to ``out_dir`` in format ``fmt``; ``pages``: 0-based pages to read of multi-page files (None: all). An input is
    skipped when all its output files exist (a PAGE XML result is one file per page, so every input's page count is
    needed first, to name the pages; other formats are checked without opening)."""
    found, failed = expand(patterns, password)
    suffix = SUFFIXES[fmt]
    plan = Plan([], [], failed)
    jobs: list[tuple[FileJob, Path]] = []
    for item in without_earlier_outputs(found, out_dir, suffix):
        job = FileJob(item.source, out_dir)
        if fmt == "page" and not _select(job, pages, plan):
            continue
        jobs.append((job, item.root))
    counts = [len(job.pages) for job, _ in jobs] if fmt == "page" else None
    outputs = output_paths([(source_path(job.source), root) for job, root in jobs], out_dir, suffix, counts)
    for (job, _), output in zip(jobs, outputs, strict=True):
        if output is None:
            plan.failed.append((job.source.name, "its output would be another input or another input's output"))
            continue
        job.output = output
        if all(path.exists() for path in (page_paths(output, len(job.pages)) if counts else [output])):
            plan.skipped.append(job)
        elif fmt == "page" or _select(job, pages, plan):
            plan.files.append(job)
    return plan


def _select(job: FileJob, pages: list[int] | None, plan: Plan) -> bool:
    """Set the pages ``job`` reads, from its page count (read from its header); False, with the reason in
    ``plan.failed``, if it cannot be read at all (missing, corrupt, no pages)."""
    try:
        job.pages = select_pages(page_count(job.source), pages, job.source.name)
    except InputError as exc:
        plan.failed.append((job.source.name, str(exc)))
        return False
    return True
