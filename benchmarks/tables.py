"""How well the pipeline's Markdown keeps the cells of rendered tables: a bank statement, a calendar, a league
table, an order, a timetable, each under a title, and an invoice's items under its letterhead.

    python benchmarks/tables.py --threads 2

Each table is drawn at known columns (left-aligned text, some cells empty), read, and written as Markdown
(``Document.export("markdown")``). Printed per table: the shape of the Markdown table that holds its header (rows x
columns; 0 x 0 where no Markdown table holds it) against the drawn one, and the share of drawn cells read exactly
in their place (0 where the shape differs: a cell in the wrong column is not in its place). Cells are compared as
read, so a recognition slip counts.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from ocdr import OCR
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import load_font


@dataclass
class Table:
    name: str
    title: str
    rows: list[tuple[str, ...]]
    xs: tuple[int, ...]
    font: str = "LiberationSans-Regular.ttf"
    size: int = 20
    pitch: int = 40
    above: tuple[tuple[str, str], ...] = ()  # a letterhead's rows of two cells, over the title


TABLES = [
    Table(
        "bank statement",
        "Statement: November 2026",
        [
            ("Date", "Description", "Debit", "Credit", "Balance"),
            ("01/11/2026", "Opening balance", "", "", "1,204.55"),
            ("03/11/2026", "CARD PAYMENT TESCO STORES 2231", "-45.20", "", "1,159.35"),
            ("05/11/2026", "SALARY NOV ACME LTD", "", "2,850.00", "4,009.35"),
            ("07/11/2026", "DIRECT DEBIT COUNCIL TAX", "-132.00", "", "3,877.35"),
            ("18/11/2026", "INTEREST PAID", "", "0.87", "3,878.22"),
        ],
        (40, 190, 620, 760, 900),
    ),
    Table(
        "calendar",
        "December 2026",
        [
            ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
            ("", "1", "2", "3", "4", "5", "6"),
            ("7", "8", "9", "10", "11", "12", "13"),
            ("14", "15", "16", "17", "18", "19", "20"),
            ("21", "22", "23", "24", "25", "26", "27"),
        ],
        (60, 175, 290, 405, 520, 635, 750),
        size=22,
        pitch=90,
    ),
    Table(
        "league table",
        "Premier Division table",
        [
            ("Pos", "Team", "P", "W", "D", "L", "Pts"),
            ("1", "Riverside FC", "12", "9", "2", "1", "29"),
            ("2", "Northgate United", "12", "8", "3", "1", "27"),
            ("3", "Old Town Rovers", "12", "7", "1", "4", "22"),
            ("4", "Harbour City", "12", "5", "4", "3", "19"),
        ],
        (40, 110, 560, 660, 760, 860, 960),
    ),
    Table(
        "order",
        "Order summary",
        [("Qty", "Item", "Price"), ("1", "Wireless mouse", "$24.99"), ("3", "HDMI cable, 2 m", "$8.50")],
        (40, 120, 700),
    ),
    Table(
        "timetable",
        "Bus 42: weekday departures",
        [
            ("Stop", "1st", "2nd", "3rd", "4th"),
            ("Central Station", "06:15", "07:05", "07:45", "08:30"),
            ("Market Square", "06:22", "07:12", "", "08:37"),
            ("Hospital", "06:30", "07:20", "07:58", "08:45"),
        ],
        (40, 400, 560, 720, 880),
    ),
    Table(
        "invoice",
        "",
        [
            ("Description", "Hours", "Rate", "Amount"),
            ("Strategy workshop", "6", "£120.00", "£720.00"),
            ("Market research report", "14.5", "£95.00", "£1,377.50"),
        ],
        (40, 560, 700, 840),
        above=(("Acme Consulting Ltd", "INVOICE"), ("12 Quay Street, Bristol", "No. INV-2026-0311")),
    ),
]


def render(table: Table) -> np.ndarray:
    """The table drawn on a white page under its title (and letterhead)."""
    face = load_font(str(find_fonts([table.font])[0].path), table.size)
    bold = load_font(str(find_fonts(["LiberationSans-Bold.ttf"])[0].path), table.size + 6)
    top = 40 + 40 * len(table.above) + (60 if table.above else 0)
    page = Image.new("RGB", (1100, top + 90 + table.pitch * len(table.rows)), "white")
    draw = ImageDraw.Draw(page)
    big = load_font(str(find_fonts(["LiberationSans-Bold.ttf"])[0].path), table.size + 16)
    for k, (left, right) in enumerate(table.above):  # the first right cell large, over the last two columns
        draw.text((40, 30 + 40 * k), left, font=face, fill="black")
        draw.text((table.xs[-2], 30 + 40 * k), right, font=big if k == 0 else face, fill="black")
    if table.title:
        draw.text((40, top), table.title, font=bold, fill="black")
    for k, row in enumerate(table.rows):
        for x, text in zip(table.xs, row, strict=True):
            draw.text((x, top + 60 + table.pitch * k), text, font=face, fill="black")
    return np.asarray(page)


def markdown_tables(markdown: str) -> list[list[list[str]]]:
    """The Markdown's tables, each a list of rows of cells (the separator row left out)."""
    tables: list[list[list[str]]] = []
    previous = False
    for line in markdown.splitlines():
        if line.startswith("|"):
            if not previous:
                tables.append([])
            if not line.startswith("|---"):
                tables[-1].append([cell.strip() for cell in line.strip("|").split(" | ")])
        previous = line.startswith("|")
    return tables


def score(table: Table, markdown: str) -> tuple[tuple[int, int], float]:
    """The shape of the Markdown table whose row starts with the drawn header's first cell (or a cell joined with
    it), and the share of cells read exactly."""

    def header(row: list[str]) -> bool:
        return any(cell.startswith(table.rows[0][0]) for cell in row[:2])

    found = [t for t in markdown_tables(markdown) if any(header(row) for row in t)]
    if not found:
        return (0, 0), 0.0
    read = found[0]
    start = next(k for k, row in enumerate(read) if header(row))
    read = read[start : start + len(table.rows)]
    shape = (len(read), max(len(row) for row in read))
    if shape != (len(table.rows), len(table.xs)):
        return shape, 0.0
    cells = [(r, c) for r in range(len(table.rows)) for c in range(len(table.xs))]
    return shape, sum(read[r][c] == table.rows[r][c] for r, c in cells) / len(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    print("| table | drawn rows x columns | read rows x columns | cells read in place |")
    print("|---|---|---|---|")
    total = 0.0
    for table in TABLES:
        (rows, columns), share = score(table, ocr(render(table)).export("markdown"))
        total += share
        print(f"| {table.name} | {len(table.rows)} x {len(table.xs)} | {rows} x {columns} | {share:.3f} |")
    print(f"| all | | | {total / len(TABLES):.3f} |")


if __name__ == "__main__":
    main()
