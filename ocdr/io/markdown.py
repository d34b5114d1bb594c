"""Markdown: paragraphs in reading order, lines of a paragraph joined into one, words hyphenated across a line
break joined back, lone lines set clearly larger than the page's body text as headings, lines led by a bullet
(``ocdr.bullets``) or a number as list items, rows of cells (a form's keys and values, a table's rows:
``ocdr.layout.grouping.text_rows``) as tables where two or more follow each other (a lone row is a line, its
cells apart by spaces), pages separated by a rule."""

from __future__ import annotations

import re
import statistics
from typing import TYPE_CHECKING

import numpy as np

from ocdr.bullets import BULLETS
from ocdr.document import polygon_sizes
from ocdr.layout.grouping import rows_apart, table_columns, text_rows

if TYPE_CHECKING:
    from ocdr.document import Block, Document, Page

HEADING_RATIO = 1.5  # a short block whose lines are this much taller than the page's median line is a heading
HEADING_MAX_LINES = 2
# rows of cells this many body line heights apart or more, whose cells do not fall in one set of columns, are two
# tables (a letterhead's name and "INVOICE" over an invoice's items: "INVOICE" joined its "Rate" and "Amount")
TABLE_GAP = 2.5
# characters that would start Markdown syntax: escaped wherever they appear (inline) or begin a paragraph (block)
_INLINE = re.compile(r"([\\`*_\[\]<>|])")
_BLOCK_START = re.compile(r"^(#|>|[-+*] |\d+[.)] )")
_NUMBERED = re.compile(r"\d{1,3}[.)]")  # a numbered list item's number ("1.", "12)")


def _escape(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    return _BLOCK_START.sub(lambda m: "\\" + m.group(0), text)


def _join_lines(lines: list[str]) -> str:
    """One paragraph from its lines: a word broken with a hyphen at a line end is joined back."""
    text = ""
    for line in lines:
        if text.endswith("-") and line[:1].islower() and len(text) > 1 and text[-2].isalpha():
            text = text[:-1] + line
        else:
            text = f"{text} {line}" if text else line
    return text


def _paragraph(block: Block) -> str:
    """A block's text: its lines joined, or where lines are led by a bullet, or by numbers ("1.", "2)", on two
    lines at least), a list item per bullet or number (the lines under an item's line, up to the next, joined to
    it), after the lines before the first (a list's heading, set close above it, is its own paragraph)."""
    lines = [[w.text for w in line.words] for line in block.lines]
    numbered = sum(len(words) > 1 and _NUMBERED.fullmatch(words[0]) is not None for words in lines) >= 2
    lead: list[str] = []
    items: list[tuple[str, list[str]]] = []  # (its mark in Markdown, its lines)
    for words in lines:
        if len(words) > 1 and (words[0] in BULLETS or (numbered and _NUMBERED.fullmatch(words[0]))):
            mark = "-" if words[0] in BULLETS else words[0].rstrip(".)") + "."
            items.append((mark, [" ".join(words[1:])]))
        elif items:
            items[-1][1].append(" ".join(words))
        else:
            lead.append(" ".join(words))
    listed = "\n".join(f"{mark} {_escape(_join_lines(item))}" for mark, item in items)
    head = _escape(_join_lines(lead)) if lead else ""
    return "\n\n".join(part for part in (head, listed) if part)


def _line_height(block: Block) -> float:
    return float(statistics.median(polygon_sizes([line.polygon for line in block.lines])[:, 1]))


def _table(rows: list[list[Block]]) -> str:
    """A GFM table of rows of cells, the first row its header; cells that fall in one column share it. A group's
    header set over the columns it spans ("2025" over its "Sales" and "Costs") falls in none: it goes in the first
    of them (``_spanning``)."""
    columns = _spanning(table_columns(rows))
    width = 1 + max(k for row in columns for k in row)
    lines = []
    for row, placed in zip(rows, columns, strict=True):
        cells = [""] * width
        for block, k in zip(row, placed, strict=True):
            cells[k] = f"{cells[k]} {_escape(block.text)}".strip()
        lines.append("| " + " | ".join(cells) + " |")
    lines.insert(1, "|" + "---|" * width)
    return "\n".join(lines)


def _spanning(columns: list[list[int]]) -> list[list[int]]:
    """``columns`` (each row's cells' columns, ``table_columns``) with each column that only one row's cells fall in,
    that row holding under half as many cells as the table has columns, and columns on both its sides, folded into
    the column on its left: a group's header between the columns it spans (a table's own column holds a cell of
    every row but the empty ones; a header row's cell over an empty column stands in a full row)."""
    width = 1 + max(k for row in columns for k in row)
    rows_in = [{r for r, row in enumerate(columns) if k in row} for k in range(width)]
    spans = {
        k
        for k in range(1, width - 1)
        if len(rows_in[k]) == 1 and 2 * len(columns[next(iter(rows_in[k]))]) < width and len(columns) > 2
    }
    if not spans:
        return columns
    kept = [k for k in range(width) if k not in spans]
    into = {k: max(j for j in kept if j < k) if k in spans else k for k in range(width)}
    return [[kept.index(into[k]) for k in row] for row in columns]


def _fits(table: list[list[Block]], row: list[Block]) -> bool:
    """Whether ``row``'s cells fall in ``table``'s columns: none of its cells, nor of the table's, spans two."""
    columns = table_columns([*table, row])
    return 1 + max(k for r in columns for k in r) >= max(len(row), *(len(r) for r in table))


def _gap(above: list[Block], below: list[Block]) -> float:
    """The blank height between two rows of cells."""
    bottom = max(float(np.max(b.polygon[:, 1])) for b in above)
    top = min(float(np.min(b.polygon[:, 1])) for b in below)
    return top - bottom


def page_markdown(page: Page) -> str:
    if not page.blocks:
        return ""
    body = statistics.median(h for b in page.blocks for h in polygon_sizes([ln.polygon for ln in b.lines])[:, 1])
    parts: list[str] = []
    table: list[list[Block]] = []  # the rows of cells read so far, not yet written
    for row in [*text_rows(page.blocks), []]:
        if len(row) > 1 and (
            not table
            or not rows_apart(table[-1], row)  # two tables far apart, as plain text parts them
            and (_gap(table[-1], row) <= TABLE_GAP * body or _fits(table, row))
        ):
            table.append(row)
            continue
        if len(table) > 1:
            parts.append(_table(table))
        elif table:
            parts.append(" ".join(_escape(block.text) for block in table[0]))
        table = [row] if len(row) > 1 else []  # a row of cells far under the rows before starts the next table
        if table:
            continue
        for block in row:
            text = _paragraph(block)
            heading = len(block.lines) <= HEADING_MAX_LINES and _line_height(block) >= HEADING_RATIO * body
            if heading and not text.startswith("- "):  # a list item's own markup stays
                text = "## " + text
            parts.append(text)
    return "\n\n".join(parts)


def to_markdown(doc: Document) -> str:
    pages = [page_markdown(page) for page in doc.pages]
    return "\n\n---\n\n".join(pages) + "\n"
