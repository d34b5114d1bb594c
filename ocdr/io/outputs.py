"""The files a read writes: the results of one or several inputs in one output format (``ocdr read`` and batch jobs
share these rules), and writing a file whole or not at all."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ocdr.io.export import SUFFIXES, export

if TYPE_CHECKING:
    from ocdr.document import Document
    from ocdr.io.inputs import Source

Output = tuple[Path | None, str | bytes]  # (file, or None for stdout; content)


def page_paths(output: Path, count: int, page_suffix: str = SUFFIXES["page"]) -> list[Path]:
    """The files a ``count``-page result named ``output`` goes to, one a page (PAGE XML, ``--vis`` pictures):
    ``output`` itself for one page, else ``scan_p1.page.xml``, ``scan_p2.page.xml``... for ``scan.page.xml`` (a
    name without ``page_suffix`` splits at its first dot: ``out.xml`` gives ``out_p1.xml``)."""
    if count == 1:
        return [output]
    name = output.name
    stem = name[: -len(page_suffix)] if name.endswith(page_suffix) and name != page_suffix else name.split(".")[0]
    suffix = name[len(stem) :] or ".xml"
    return [output.with_name(f"{stem}_p{i + 1}{suffix}") for i in range(count)]


def render_outputs(
    docs: Sequence[tuple[Source, Document]],
    fmt: str,
    output: Path | None,
    *,
    rasterize: bool = False,
    jpeg_quality: int | None = None,
    as_list: bool = False,
) -> list[Output]:
    """The outputs of ``docs`` (each with the source it was read from) in format ``fmt``, all in ``output``: one,
    except for PAGE XML (a file per page, see ``page_paths``). Several documents are concatenated (text, JSON list,
    PaddleX pages, one merged PDF or document). ``rasterize``, ``jpeg_quality``: searchable PDF options.
    ``as_list``: several inputs (or a folder) were asked for, so JSON is a list even of one document or none (a
    script parsing the output must not get an object because all but one input failed); else JSON of one document
    is that document."""
    from ocdr.document import Document

    if not docs and not (as_list and fmt in ("json", "paddlex")):
        return []
    if fmt == "text":
        if len(docs) == 1:
            return [(output, docs[0][1].text + "\n")]
        return [(output, "".join(f"==> {d.source} <==\n{d.text}\n\n" for _, d in docs))]
    if fmt == "json":
        if len(docs) == 1 and not as_list:
            return [(output, export(docs[0][1], "json") + "\n")]
        items = ",\n".join(export(d, "json") for _, d in docs)
        return [(output, f"[\n{items}\n]\n" if docs else "[]\n")]
    if fmt == "paddlex":
        pages = [p for _, d in docs for p in json.loads(export(d, "paddlex"))]
        return [(output, json.dumps(pages, ensure_ascii=False, indent=2) + "\n")]
    if fmt == "pdf":
        from ocdr.io.searchable_pdf import merge_pdfs, to_pdf

        parts = [to_pdf(d, s.obj, rasterize=rasterize, jpeg_quality=jpeg_quality, password=s.password) for s, d in docs]
        return [(output, parts[0] if len(parts) == 1 else merge_pdfs(parts))]
    merged = docs[0][1] if len(docs) == 1 else Document([p for _, d in docs for p in d.pages])
    if fmt == "page":
        count = len(merged.pages)
        if output is None and count > 1:
            raise ValueError("PAGE XML is one file per page: give -o FILE and pages go to FILE_p1.xml, FILE_p2.xml...")
        paths = page_paths(output, count) if output is not None else [None]
        return [(path, export(merged, "page", page=i)) for i, path in enumerate(paths)]
    return [(output, export(merged, fmt))]


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``path`` whole or not at all: into a temporary file in the same folder, synced to disk, then renamed
    over ``path`` (atomic within a file system), so that a crash or a kill never leaves a half-written file that a
    resumed batch job would take for a finished one. Text is written as UTF-8."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name[:64]}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # 0o666 less the umask, as open() would give
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
