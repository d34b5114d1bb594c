import math
import random
import time

import cv2
import numpy as np
import pytest

from ocdr.document import Char, Line, Page, Word, polygon_angles
from ocdr.geometry import quad_from_box, unturn_points
from ocdr.io.markdown import page_markdown
from ocdr.layout.grouping import SEGMENT_GAP, group_lines, group_words, text_rows, text_segments

CHAR_W = 10.0  # px per character of the synthetic words


def _line(text: str, x: float, y: float, h: float = 20.0, conf: float = 0.9) -> list[Word]:
    """Words of ``text`` laid out from (x, y), one space (half the height) apart."""
    words = []
    for token in text.split():
        width = CHAR_W * len(token)
        words.append(Word(quad_from_box(x, y, x + width, y + h), token, conf))
        x += width + h / 2
    return words


def _shuffled(words: list[Word], seed: int = 0) -> list[Word]:
    words = list(words)
    random.Random(seed).shuffle(words)
    return words


def _rotate(words: list[Word], degrees: float, centre=(300.0, 200.0)) -> list[Word]:
    a = math.radians(degrees)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return [Word((w.polygon - centre) @ rot.T + centre, w.text, w.confidence) for w in words]


def _text(blocks) -> str:
    return Page(0, 1000, 1000, blocks).text


def _two_paragraphs() -> list[Word]:
    return (
        _line("The quick brown fox", 20, 20)
        + _line("jumps over the", 20, 46)
        + _line("lazy dog.", 20, 72)
        + _line("A second paragraph", 20, 120)
        + _line("ends here.", 20, 146)
    )


def test_two_paragraphs_in_reading_order():
    blocks = group_words(_shuffled(_two_paragraphs()))
    assert _text(blocks) == "The quick brown fox\njumps over the\nlazy dog.\n\nA second paragraph\nends here."
    assert [len(b.lines) for b in blocks] == [3, 2]
    assert blocks[0].box == (20.0, 20.0, 210.0, 92.0)
    assert [w.text for w in blocks[0].lines[1].words] == ["jumps", "over", "the"]


def test_a_column_broken_by_a_figure_is_read_before_the_next_column():
    """Under a title across two columns, the left column's two paragraphs stand apart (a figure between them) while
    the right column's break elsewhere: the page cut into bands read the left's first, the right's two, then the
    left's second. A one-line heading under the columns, on the left, is still read after both."""
    rows = [f"{name} line {i} of the text" for name in ("left", "lower", "right", "second") for i in range(1, 6)]
    left, lower, right, second = (rows[k : k + 5] for k in range(0, 20, 5))
    title = "A title across the whole page of two columns"
    words = _line(title, 20, 10, h=30) + _column(left, 20, 60) + _column(lower, 20, 360)
    words += _column(right, 330, 60) + _column(second, 330, 230)
    blocks = group_words(_shuffled(words, seed=4))
    assert [b.text for b in blocks] == [title] + ["\n".join(c) for c in (left, lower, right, second)]
    heading = group_words(_shuffled(words + _line("Next section", 20, 520), seed=4))
    assert heading[-1].text == "Next section"


def test_markdown_lists_under_a_heading_and_numbered():
    """Stop 91's Markdown wrote a bullet list set close under its heading as one paragraph ("Packing List • Warm
    jacket ..."), and a numbered list always so ("\\1. Check ... 2. Tell ..."). A lone numbered line stays text."""
    words = _line("Packing List", 20, 20) + _line("• Warm jacket and gloves", 20, 46) + _line("• First aid kit", 20, 72)
    words += (
        _line("1. Check the weather", 20, 140) + _line("2. Tell a friend", 20, 166) + _line("3. Leave early", 20, 192)
    )
    words += _line("1. Introduction", 20, 260)
    assert page_markdown(Page(0, 1000, 1000, group_words(_shuffled(words)))).split("\n\n") == [
        "Packing List",
        "- Warm jacket and gloves\n- First aid kit",
        "1. Check the weather\n2. Tell a friend\n3. Leave early",
        "\\1. Introduction",
    ]


def test_double_spaced_paragraphs_hold_together():
    """Lines of running text a line height apart (double spacing): stop 91's code read each as a paragraph of its
    own. A wider gap still parts two paragraphs, and a form's short lines as far apart stay apart."""
    first = ["Double spacing leaves a blank line between", "the lines of a manuscript or of a legal brief", "so that"]
    second = ["A second paragraph starts after a wider gap", "and runs on for one more line of its own text"]
    words = _column(first, 20, 20, pitch=42) + _column(second, 20, 20 + 2 * 42 + 80, pitch=42)
    assert [b.text for b in group_words(_shuffled(words))] == ["\n".join(first), "\n".join(second)]
    fields = ["Name:", "Date:", "Signed:", "Witness:"]
    assert len(group_words(_column(fields, 20, 20, pitch=42))) == 4


def _column(lines: list[str], x: float, y: float, h: float = 20.0, pitch: float = 26.0) -> list[Word]:
    return [w for i, text in enumerate(lines) for w in _line(text, x, y + i * pitch, h)]


LEFT = ["the left column starts here", "and runs on for a while", "before it ends"]
RIGHT = ["the right column starts too", "with lines level with the", "left column's lines"]


def test_two_columns_are_read_one_after_the_other():
    """Text columns with a narrow gutter (under the wide-gap split) and lines level with each other."""
    words = _line("A title across the page", 20, 10, h=30) + _column(LEFT, 20, 60) + _column(RIGHT, 330, 60)
    blocks = group_words(_shuffled(words, seed=3))
    assert [b.text for b in blocks] == ["A title across the page", "\n".join(LEFT), "\n".join(RIGHT)]


def test_columns_never_interleave_across_paragraph_breaks():
    """Two paragraphs per column whose breaks line up: still the whole left column, then the right one."""
    words = _column(LEFT, 20, 20) + _column(LEFT[:2], 20, 120) + _column(RIGHT, 330, 20) + _column(RIGHT[:2], 330, 120)
    blocks = group_words(_shuffled(words))
    assert [b.text for b in blocks] == ["\n".join(LEFT), "\n".join(LEFT[:2]), "\n".join(RIGHT), "\n".join(RIGHT[:2])]


def test_a_footer_under_two_columns_is_read_after_them():
    """A page number at the left margin under two columns is read last, not between them; a left column's last
    paragraph of one line, below the right column's end at the column's paragraph gap, stays in its column."""
    left = [f"left line {i} of the column text" for i in range(10)]
    right = [f"right line {i} of the column text" for i in range(12)]
    columns = _column(left, 20, 20) + _column(right, 400, 20)
    blocks = group_words(_shuffled(columns + _line("Page 1 of 4", 20, 20 + 11 * 26 + 60)))
    assert [b.text for b in blocks] == ["\n".join(left), "\n".join(right), "Page 1 of 4"]
    longer = _column(left + left[:4], 20, 20) + _column(left[:4], 20, 20 + 14 * 26 + 20)
    blocks = group_words(_shuffled(longer + _column(right, 400, 20) + _line("The end.", 20, 20 + 18 * 26 + 34)))
    assert [b.text for b in blocks][-2:] == ["The end.", "\n".join(right)]


def test_double_spaced_columns_under_a_heading_are_not_interleaved():
    """Each line its own paragraph (double spacing), the columns under a heading that spans both: still read column
    by column, because the lines are wide next to the region (text columns, not a table's row)."""
    title = "A title that runs across both of the columns below"
    words = _line(title, 20, 10, h=30) + _column(LEFT, 20, 60, pitch=44) + _column(RIGHT, 330, 60, pitch=44)
    lines = [line.text for block in group_words(_shuffled(words, seed=4)) for line in block.lines]
    assert lines == [title, *LEFT, *RIGHT]


def test_a_list_spaced_close_to_the_paragraph_gap_stays_one_paragraph():
    """A receipt's item lines, their gaps a pixel either side of the paragraph gap (0.8 line heights): the list's own
    pitch carries on, so it is not split into paragraphs wherever a gap is a pixel over."""
    items = [f"{k:04d} COFFEE {k}.50" for k in range(8)]
    words, y = [], 20.0
    for k, item in enumerate(items):
        words += _line(item, 20, y)
        y += 20 + (16.5 if k % 2 else 15.5)
    assert [block.text for block in group_words(_shuffled(words))] == ["\n".join(items)]


def test_a_tight_table_is_read_row_by_row():
    """A table of short single-line cells in three columns, rows close together, under a heading: each row left to
    right, then the next (the rows share the columns' gutters, but no cell is a paragraph or a wide line)."""
    rows = [("9.279", "$807.86", "864 Missy"), ("'course'", "contingents,", "0.60"), ("$68.41?", "Antennas", "Evert")]
    words = _line("Price list for the quarter, one row per item", 20, 10, h=30)
    for i, row in enumerate(rows):
        for text, x in zip(row, (20, 160, 300), strict=True):
            words += _line(text, x, 60 + 24 * i)
    assert _text(group_words(_shuffled(words, seed=5))).split() == [
        *"Price list for the quarter, one row per item".split(),
        *" ".join(" ".join(row) for row in rows).split(),
    ]


def test_a_gutter_down_the_page_parts_short_cells_from_the_next_column():
    """A form in the left column whose values end close to the right column's text (a gap under the wide-gap
    split, with short text beside it): the gutter runs down the page, so no line is read across it."""
    words = []
    for i in range(8):
        y = 20 + 26 * i
        words += _line(f"Key{i}:", 20, y) + _line(f"12.{i}", 240, y) + _line(f"right column line {i}", 330, y)
    blocks = group_words(_shuffled(words))
    lines = [line.text for block in blocks for line in block.lines]
    assert all(not ("12." in text and "right" in text) for text in lines), lines
    text = Page(0, 1000, 1000, blocks).text
    assert text.index("right column line 7") > text.index("12.7")  # the left column first, then the right one
    assert text.split().index("12.0") == text.split().index("Key0:") + 1  # the form still read along its rows


def test_a_form_key_stays_a_cell_where_its_gap_spans_column_gutters():
    """A key far left of its value, its gap across the gutter of two-column lines elsewhere on the page: the cut is a
    cell's (the value is read with its key), not a column's; a line's last word there is a column's line end."""
    from ocdr.layout.grouping import _LineBuilder, _measure

    def cells(words: list[Word]) -> list[bool]:
        extents = _measure(words)
        builder = _LineBuilder(0, extents[0])
        for i, extent in enumerate(extents[1:], 1):
            builder.add(i, extent)
        return [cell for _, cell in builder.split(gutters, [], [], *[[False] * len(words)] * 3)]

    gutters = [(320.0, 10.0), (320.0, 60.0)]  # on the lines just above and below
    assert cells(_line("Key:", 20, 20) + _line("the first value", 350, 20)) == [True, True]
    assert cells(_line("a column's line ends here", 20, 20) + _line("end", 350, 20)) == [False, False]
    # gutters of another table's columns, far below, say nothing of this line: its gap is a cell's
    gutters = [(320.0, 600.0), (320.0, 640.0)]
    assert cells(_line("a column's line ends here", 20, 20) + _line("end", 350, 20)) == [True, True]


def test_form_fields_and_receipt_rows_are_read_along_their_rows():
    """Keys and values (or items and prices) far apart: each value right after its key, not all keys first."""
    rows = [("Invoice:", "2026-0417"), ("Date:", "14 March 2026"), ("Total:", "$95.10"), ("Paid by:", "card")]
    words = [w for i, (k, v) in enumerate(rows) for w in _line(k, 20, 20 + 26 * i) + _line(v, 400, 20 + 26 * i)]
    blocks = group_words(_shuffled(words))
    assert Page(0, 1000, 1000, blocks).text == "\n".join(f"{k}\t{v}" for k, v in rows)  # a row to a line


def test_a_short_invoice_table_is_read_along_its_rows():
    """Two items and their prices, too few rows for a gutter down the page (``_page_gutters``), the gap before the
    prices column-like for the width of the text on both its sides: still cells of a row (stop 73 read both items,
    then both rows of prices). Two text columns set so are still parted."""

    def read(rows: list[tuple[str, str]], x: float) -> str:
        words = [w for i, (k, v) in enumerate(rows) for w in _line(k, 20, 20 + 26 * i) + _line(v, x, 20 + 26 * i)]
        return _text(group_words(_shuffled(words)))

    rows = [("2 USB-C cable (1 m)", "€12,50 €25,00 €37,50"), ("1 Monitor stand, oak", "€89.99 €89.99 €79.99")]
    assert read(rows, 270) == "\n".join(f"{k}\t{v}" for k, v in rows)
    rows = [("the first column line of text", "and the second one"), ("runs on with more text", "as does this one")]
    assert read(rows, 370).split() == " ".join([k for k, _ in rows] + [v for _, v in rows]).split()


def test_two_tables_far_apart_are_parted_by_a_blank_line():
    """An invoice's two address blocks, read row by row, then its items table of four columns well under them: a
    blank line between the two tables (they ran together as one); a form's key/value rows far apart stay together."""
    addresses = _table([("Bill To:", "Ship To:"), ("Acme Corp", "Acme Depot"), ("Denver", "Aurora")], [20, 420], 30)
    table = _table([("Item", "Qty", "Price", "Amount"), ("Bolts", "200", "0.15", "30.00")], [20, 220, 340, 460], 30)
    table = [Word(w.polygon + (0, 200), w.text, w.confidence) for w in table]
    blocks = group_words(_shuffled(addresses + table))
    tables = page_markdown(Page(0, 1000, 1000, blocks)).split("\n\n")  # Markdown: two tables, not one
    assert [t.splitlines()[0] for t in tables] == ["| Bill To: | Ship To: |", "| Item | Qty | Price | Amount |"]
    text = _text(blocks)
    assert text.split("\n\n") == [
        "Bill To:\tShip To:\nAcme Corp\tAcme Depot\nDenver\tAurora",
        "Item\tQty\tPrice\tAmount\nBolts\t200\t0.15\t30.00",
    ]
    form = _table([("Name:", "Ada"), ("Town:", "Leeds")], [20, 420], 200)
    assert _text(group_words(_shuffled(form))) == "Name:\tAda\nTown:\tLeeds"


def _table(rows: list[tuple[str, ...]], xs: list[float], pitch: float = 40.0) -> list[Word]:
    """A table's words: row k's cells at ``xs``, ``pitch`` apart down the page; an empty cell draws nothing."""
    return [
        w
        for k, row in enumerate(rows)
        for x, cell in zip(xs, row, strict=True)
        for w in _line(cell, x, 100 + pitch * k)
    ]


def test_an_amount_near_its_item_is_a_cell_of_its_row():
    """A bank statement: debits and credits in columns mostly empty, an amount 2.8 heights after a long item (no
    column gutter, too few rows for one down the page): a cell still, so the table keeps its five columns (stop
    74 read "2231 -45.20" as one cell, and its column joined the description's and the debits')."""
    rows = [
        ("Date", "Description", "Debit", "Credit", "Balance"),
        ("03/11/2026", "CARD PAYMENT STORES 2231", "-45.20", "", "1,159.35"),
        ("05/11/2026", "SALARY NOV ACME", "", "2,850.00", "4,009.35"),
        ("12/11/2026", "TRANSFER TO J SMITH", "", "", "3,577.35"),
    ]
    words = _table(rows, [20, 180, 476, 600, 716])
    assert _text(group_words(_shuffled(words))) == "\n".join("\t".join(c for c in row if c) for row in rows)
    page = Page(0, 1000, 1000, group_words(_shuffled(words)))
    assert page_markdown(page).splitlines()[3] == "| 05/11/2026 | SALARY NOV ACME |  | 2,850.00 | 4,009.35 |"


def test_a_short_table_of_figures_keeps_its_header_cells_apart():
    """A table of three rows whose first column is figures: the gap after them runs down the table (a table's
    gutter, ``TABLE_ROWS``), so its header's words there, 1.6 heights apart, are cells too; a heading above and a
    note below that cross the gutter do not hide it."""
    rows = [("Pos", "Team", "Pts"), ("1", "Riverside FC", "29"), ("2", "Northgate United", "27")]
    words = _line("Premier Division table", 20, 40) + _table(rows, [20, 82, 400]) + _line("Played on 12 dates", 20, 280)
    blocks = group_words(_shuffled(words))
    assert [[b.text for b in row] for row in text_rows(blocks)][1:4] == [list(row) for row in rows]


def test_a_lone_total_is_read_with_its_amount():
    """One row of a label and its amount above a line of text: the row is read before the line (the amount was
    read last, a column of its own beside the two lines)."""
    words = _line("TOTAL AMOUNT", 20, 20) + _line("5.50", 200, 20) + _line("THANK YOU", 20, 56)
    assert _text(group_words(_shuffled(words))) == "TOTAL AMOUNT\t5.50\n\nTHANK YOU"


def test_a_long_price_list_is_read_along_its_rows():
    """Thirty items and their prices, the gap between them running down the page beside wide text: a table's
    column of amounts, not a second text column (it was read as all the items, then all the prices); the same for
    quantities before their items."""
    rows = [(f"Item {i} coffee beans", f"{i * 1.25:.2f}") for i in range(30)]
    words = [w for i, (k, v) in enumerate(rows) for w in _line(k, 20, 20 + 30 * i) + _line(v, 320, 20 + 30 * i)]
    assert Page(0, 1000, 1000, group_words(_shuffled(words))).text.split("\n") == [f"{k}\t{v}" for k, v in rows]
    # a quantity first on each line, its item after a gap under the one that always cuts: a row of cells
    counted = [(f"{i % 7 + 1}", f"Blue widget model {i}") for i in range(30)]
    words = [w for i, (k, v) in enumerate(counted) for w in _line(k, 20, 20 + 30 * i) + _line(v, 80, 20 + 30 * i)]
    assert Page(0, 1000, 1000, group_words(_shuffled(words))).text.split("\n") == [f"{k}\t{v}" for k, v in counted]
    # words, not amounts, after the gap on every line: two text columns, each read in turn
    words = [
        w for i, (k, _) in enumerate(rows) for w in _line(k, 20, 20 + 30 * i) + _line(f"and {k}", 320, 20 + 30 * i)
    ]
    assert len(group_words(_shuffled(words))) == 2


def test_a_form_whose_values_start_near_their_keys_is_read_along_its_rows():
    """Values close to their keys, at different distances: the first row's gap looks like a gutter between text
    columns (wide text on both sides), the others are cells' gaps. No gutter between text columns runs through the
    rows, so they are a form's, read row by row, rather than a column of keys and a column of values."""
    rows = [("Bourbaki:", "73B headfirst 09285#R", 140), ("Flab:", "infuriate ZFK8888 enfolded", 160)]
    rows.append(("greying:", "Buffalo criers", 240))
    words = [
        w for k, (key, value, x) in enumerate(rows) for w in _line(key, 20, 60 + 30 * k) + _line(value, x, 60 + 30 * k)
    ]
    assert _text(group_words(_shuffled(words))).split("\n") == [f"{key}\t{value}" for key, value, _ in rows]


@pytest.mark.parametrize("degrees", [0, 4, 90, 180, 270])
def test_rows_of_cells_are_lines_of_the_text_on_a_page_at_any_angle(degrees):
    """Plain text: a key and its value share a line (tab-separated), a table's rows follow each other, and a blank
    line still parts blocks that are not rows; a turned page (polygons in its own pixels) reads the same."""
    words = _line("Receipt", 20, 20, h=30) + _line("Coffee", 20, 70) + _line("3.50", 400, 70)
    words += (
        _line("Total due", 20, 96)
        + _line("12.00", 400, 96)
        + _line("Thank you for shopping with us, come again soon", 20, 150, h=30)
    )
    blocks = group_words(_shuffled(_rotate(words, degrees)))
    assert (
        _text(blocks) == "Receipt\n\nCoffee\t3.50\nTotal due\t12.00\n\nThank you for shopping with us, come again soon"
    )


def test_single_line_paragraphs_of_two_columns_are_not_rows():
    """Double-spaced columns: every line a block of its own, beside a line of the other column, yet read column by
    column, so no line of the text joins the two."""
    words = _column(LEFT, 20, 60, pitch=44) + _column(RIGHT, 330, 60, pitch=44)
    text = _text(group_words(_shuffled(words, seed=4)))
    assert text == "\n\n".join(LEFT + RIGHT)


def test_wide_gap_splits_a_line_but_word_spacing_does_not():
    words = _line("Name: Alice Smith", 20, 20)
    words += [Word(quad_from_box(400, 20, 450, 40), "Date:", 0.9), Word(quad_from_box(460, 20, 510, 40), "today", 0.9)]
    blocks = group_words(_shuffled(words))
    assert [b.text for b in blocks] == ["Name: Alice Smith", "Date: today"]


def test_mixed_font_sizes_on_one_baseline():
    words = [
        Word(quad_from_box(20, 0, 140, 40), "BIG", 0.9),  # 40 px tall, same baseline (y=40) as the small words
        *_line("small words", 150, 20),
        *_line("next line here", 20, 50),
    ]
    blocks = group_words(_shuffled(words))
    assert [line.text for line in blocks[0].lines] == ["BIG small words", "next line here"]


def test_heading_in_a_larger_font_starts_its_own_block():
    words = _line("Heading", 20, 20, h=40) + _line("body text under it", 20, 66) + _line("and more", 20, 92)
    blocks = group_words(words)
    assert [b.text for b in blocks] == ["Heading", "body text under it\nand more"]


def test_stacked_small_lines_beside_a_tall_word_stay_separate():
    words = [Word(quad_from_box(20, 10, 70, 70), "D", 0.9), *_line("top line", 80, 14), *_line("low line", 80, 44)]
    # The drop cap joins the first line it fits; the line below must not be merged into it as well.
    assert [b.text for b in group_words(words)] == ["D top line\nlow line"]


def test_skewed_page_groups_like_a_straight_one():
    words = _rotate(_two_paragraphs(), 8)
    blocks = group_words(_shuffled(words))
    assert _text(blocks) == "The quick brown fox\njumps over the\nlazy dog.\n\nA second paragraph\nends here."
    assert polygon_angles(blocks[0].lines[0].polygon)[0] == pytest.approx(8, abs=0.5)


def _seen_at_an_angle(words: list[Word], corners: list[tuple[float, float]]) -> list[Word]:
    """The words as a photo shows them: the page's (0, 0)-(700, 400) corners moved to ``corners``."""
    flat = np.float32([[0, 0], [700, 0], [700, 400], [0, 400]])
    matrix = cv2.getPerspectiveTransform(flat, np.float32(corners))
    return [Word(cv2.perspectiveTransform(w.polygon[None], matrix)[0], w.text, w.confidence) for w in words]


def test_a_page_in_perspective_groups_like_a_flat_one():
    """Text lines that converge (a page photographed at an angle) and columns that lean: lines are made parallel
    (``_converging``) and columns cut along their lean (``_shear``), so the page reads as it does flat."""
    left = ["the left column starts here and", "runs on for a good while", "until it ends at last here", "done"]
    right = ["the right column starts too and", "its lines are level with the", "lines of the left column", "end"]
    words = _line("A title across the page", 20, 0, h=30)
    words += _column(left, 20, 60) + _column(right, 370, 60) + _column(left, 20, 180) + _column(right, 370, 180)
    flat = _text(group_words(_shuffled(words)))
    assert flat.split("\n\n")[1:3] == ["\n".join(left), "\n".join(left)]  # the left column first
    photo = _seen_at_an_angle(words, [(0, 0), (600, 60), (640, 360), (40, 420)])
    angles = polygon_angles(np.stack([w.polygon for w in photo]))
    assert np.ptp(angles) > 3  # the lines converge
    assert _text(group_words(_shuffled(photo))) == flat


def test_columns_close_together_on_a_leaning_page_stay_apart():
    """A gutter two line heights wide that leans further than its width down the page is found on every line once
    the lean is taken out: else a short line at the right column's top joins the left column's first line."""
    left = ["the left column runs on and", "on line after line of it", "down the page for a while"] * 4
    right = ["the right column has some", "a paragraph as well as", "that goes down the page"] * 3
    words = _column(left, 20, 60) + _line("805XZP", 330, 60) + _column(right, 330, 112)
    flat = _text(group_words(_shuffled(words)))
    assert flat.split("\n\n") == ["\n".join(left), "805XZP", "\n".join(right)]
    leaning = [Word(w.polygon + [[0.2 * y, 0] for y in w.polygon[:, 1]], w.text, w.confidence) for w in words]
    assert _text(group_words(_shuffled(leaning))) == flat


def test_a_flat_page_is_measured_as_it_is():
    """Scans, straight or skewed, are not taken for photos: their words' directions agree."""
    from ocdr.layout.grouping import _converging

    polygons = np.stack([w.polygon for w in _rotate(_two_paragraphs(), 4)]).astype(np.float64)
    assert _converging(polygons) is polygons


def test_a_page_lean_comes_from_left_aligned_paragraphs_only():
    """Line starts on a straight line (left-aligned text) give the lean of a page's verticals; centred lines, as a
    receipt's heading, do not, however their starts happen to drift."""
    from ocdr.layout.grouping import _Extent, _shear

    def paragraph(x0: float, lean: float, widths: list[float], centred: bool = False) -> list[_Extent]:
        lines = []
        for k, width in enumerate(widths):
            y = 100 + 26 * k
            start = x0 + lean * y + ((300 - width) / 2 if centred else 0)
            lines.append(_Extent(start, start + width, y, 20))
        return lines

    def lean(*paragraphs: list[_Extent]) -> float:
        extents = [e for p in paragraphs for e in p]
        members, start = [], 0
        for p in paragraphs:
            members.append(list(range(start, start + len(p))))
            start += len(p)
        return _shear(extents, members)

    widths = [300, 280, 290, 260, 120]
    assert lean(paragraph(20, 0.2, widths), paragraph(400, 0.2, widths)) == pytest.approx(0.2)
    assert lean(paragraph(20, 0.0, widths), paragraph(400, 0.0, widths)) == 0.0
    centred = [300, 300, 260, 290, 250]  # the starts drift right by 0.23 a pixel down, off a straight line by 8 px
    assert lean(paragraph(20, 0.0, centred, centred=True), paragraph(400, 0.0, centred, centred=True)) == 0.0


def test_slightly_skewed_long_lines_stay_apart():
    words = _rotate(_line(" ".join(["word"] * 20), 0, 100) + _line(" ".join(["next"] * 20), 0, 126), -3)
    blocks = group_words(_shuffled(words))
    assert [line.text for b in blocks for line in b.lines] == [" ".join(["word"] * 20), " ".join(["next"] * 20)]


def test_group_lines_from_a_line_detector():
    def detected(text: str, x: float, y: float) -> Line:
        return Line.from_words([Word(quad_from_box(x, y, x + CHAR_W * len(text), y + 20), text, 0.9)])

    lines = [
        detected("right one", 340, 60),
        detected("left two", 20, 86),
        detected("left one", 20, 60),
        detected("right two", 340, 86),
    ]
    blocks = group_lines(lines)
    assert [b.text for b in blocks] == ["left one\nleft two", "right one\nright two"]


def test_empty_inputs():
    assert group_words([]) == []
    assert group_lines([]) == []


def test_two_thousand_words_is_fast():
    words = []
    for row in range(50):
        words += _line(" ".join(f"w{row}x{i}" for i in range(20)), 20, 20 + 26 * row)
        words += _line(" ".join(f"v{row}x{i}" for i in range(20)), 1400, 20 + 26 * row)
    assert len(words) == 2000
    start = time.perf_counter()
    blocks = group_words(_shuffled(words))
    elapsed = time.perf_counter() - start
    assert [len(b.lines) for b in blocks] == [50, 50]
    assert blocks[0].lines[0].text.startswith("w0x0 w0x1") and blocks[1].lines[-1].text.endswith("v49x19")
    assert elapsed < 2.0


def test_text_segments_split_lines_at_wide_gaps():
    """Receipt sets label text segments: a line's words up to a wide gap (label | amount), each boxed as a whole."""
    amount = Word(quad_from_box(190, 20, 240, 40), "12.50", 0.6)  # 2.5 heights after "AMOUNT"
    words = _line("TOTAL AMOUNT", 20, 20) + [amount] + _line("THANK YOU", 20, 60, conf=0.8)
    # the layout reads the amount as a cell of the label's row (a gap before a number: a table's, not a word's)...
    assert [[b.text for b in row] for row in text_rows(group_words(words))][0] == ["TOTAL AMOUNT", "12.50"]
    segments = text_segments(_shuffled(words))
    assert [s.text for s in segments] == ["TOTAL AMOUNT", "12.50", "THANK YOU"]  # ...and so do segments
    np.testing.assert_allclose(segments[0].polygon, quad_from_box(20, 20, 140, 40))
    assert [s.confidence for s in segments] == [0.9, 0.6, 0.8]  # the least sure word's
    due = Word(quad_from_box(190, 20, 240, 40), "DUE", 0.6)  # a word, not an amount: the layout line goes on
    assert [s.text for s in text_segments(_line("TOTAL AMOUNT", 20, 20) + [due], max_gap=3.0)] == ["TOTAL AMOUNT DUE"]
    assert SEGMENT_GAP < 2.5 and text_segments([]) == []


def test_text_segments_measure_a_row_not_its_cells():
    """A receipt's "1 X" in small print before its tall amount, cells of one row (a gap before an amount): the gap
    in "1 X" is measured against the row's height, as SROIE's annotators drew it, not against the cell's own."""
    words = [
        Word(quad_from_box(263, 953, 271, 969), "1", 0.9),
        Word(quad_from_box(289, 952, 307, 978), "X", 0.9),
        Word(quad_from_box(396, 947, 463, 979), "1.70", 0.9),
        Word(quad_from_box(535, 945, 601, 981), "1.70", 0.9),
    ]
    assert [s.text for s in text_segments(_shuffled(words))] == ["1 X", "1.70", "1.70"]


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_text_segments_of_a_turned_page_read_upright(angle):
    """On a page read turned (``Page.angle``), the words' polygons are in the turned image: a line there runs right
    to left (180) or vertically (90, 270), yet its segments read as on the upright page, boxed in the same frame."""
    words = _line("TOTAL AMOUNT", 20, 20) + [Word(quad_from_box(190, 20, 240, 40), "12.50", 0.6)]
    upright = text_segments(words)
    turned = [Word(unturn_points(w.polygon, angle, 600, 400), w.text, w.confidence) for w in _shuffled(words)]
    segments = text_segments(turned, angle=angle)
    assert [s.text for s in segments] == [s.text for s in upright] == ["TOTAL AMOUNT", "12.50"]
    for seg, up in zip(segments, upright, strict=True):
        box = unturn_points(up.polygon, angle, 600, 400)
        np.testing.assert_allclose(np.sort(seg.polygon, axis=0), np.sort(box, axis=0), atol=1e-3)


def words_in_row(*pieces: tuple[float, str]) -> list[Word]:
    """Words side by side in one row 20 pixels tall, each 10 pixels a character wide, starting at the given x."""
    return [Word(quad_from_box(x, 10, x + 10 * len(t), 30), t, 0.9) for x, t in pieces]


def test_elided_articles_cut_off_at_the_apostrophe_are_joined_to_their_words():
    """The detector cut 6 of the 25 elided forms on 12 rendered Latin-script pages in two at the apostrophe ("all"
    "'assemblea", "Qu'" "option"): a piece that is an elided article, beside a word, with one apostrophe between
    them, is joined to it."""
    from ocdr.layout.pieces import join_elisions

    def texts(words: list[Word]) -> list[str]:
        return [w.text for w in join_elisions(words)]

    assert texts(words_in_row((0, "l"), (12, "'homme"), (100, "arrive"))) == ["l'homme", "arrive"]
    assert texts(words_in_row((0, "Qu'"), (33, "il"))) == ["Qu'il"]
    assert texts(words_in_row((0, "“dell’"), (63, "anno”"))) == ["“dell’anno”"]
    (joined,) = join_elisions(words_in_row((0, "D'"), (24, "abord")))
    assert joined.box == (0, 10, 74, 30)
    # no apostrophe between them, two, a word that is no elided article, a gap of a space, digits: apart
    for words in (
        words_in_row((0, "all"), (32, "artisti")),
        words_in_row((0, "l'"), (22, "'a")),
        words_in_row((0, "Jones"), (52, "'s")),
        words_in_row((0, "l"), (18, "'homme")),
        words_in_row((0, "d'"), (22, "42")),
        words_in_row((0, "*'s"), (32, "'dice'")),
    ):
        assert texts(words) == [w.text for w in words]


def test_amounts_cut_at_their_decimal_point_are_joined():
    """The detector cuts receipts' and forms' amounts at the point ("RM3." "80", "780,900." "00": FUNSD labels them
    so); the two pieces make one amount. A list's number alone at the start of its row keeps its item apart."""
    from ocdr.layout.pieces import join_decimals

    def texts(words: list[Word]) -> list[str]:
        return [w.text for w in join_decimals(words)]

    assert texts(words_in_row((0, "RM3."), (41, "80"))) == ["RM3.80"]
    assert texts(words_in_row((0, "780,900."), (93, "00"))) == ["780,900.00"]
    assert texts(words_in_row((0, "(452.408."), (95, "08)"))) == ["(452.408.08)"]
    assert texts(words_in_row((0, "TOTAL"), (60, "27."), (88, "00"))) == ["TOTAL", "27.00"]  # fixed pitch: a wide gap
    assert texts(words_in_row((0, "TOTAL"), (60, "52"), (78, ".00"))) == ["TOTAL", "52.00"]
    (joined,) = join_decimals(words_in_row((0, "RM5."), (38, "45")))
    assert joined.box == (0, 10, 58, 30) and joined.text == "RM5.45"
    # a list's number, a figure after "No.", three figures, a gap of two spaces, no point: apart
    for words in (
        words_in_row((0, "1."), (22, "25"), (45, "g")),
        words_in_row((0, "No."), (32, "42")),
        words_in_row((0, "RM3."), (41, "800")),
        words_in_row((0, "RM3."), (56, "80")),
        words_in_row((0, "RM3"), (32, "80")),
        words_in_row((0, "RM3."), (41, ".80")),
        words_in_row((0, "RM3.8"), (52, "0")),
    ):
        assert texts(words) == [w.text for w in words]


def test_an_amounts_last_zero_the_print_cut_is_read_among_amounts():
    """A receipt printer's worn edge cuts each amount's last "0" into a "C" ("35.0C"): on a page of amounts with two
    decimals it is a "0" again (an "O" too, and the char boxes follow); with fewer such amounts ("37.5C", a
    temperature), and where a unit follows ("13.8CM"), it stays."""
    from ocdr.layout.amounts import cut_zeros

    amounts = [
        Word(quad_from_box(0, 40 * k, 60, 40 * k + 20), t, 0.9) for k, t in enumerate(["RM7.72", "7.70", "0.02"])
    ]
    cut = [Word(quad_from_box(100, 0, 160, 20), t, 0.8) for t in ("35.0C", "313.5C", "(12.5O)", "13.8CM", "12.5")]
    assert [w.text for w in cut_zeros(amounts + cut)][3:] == ["35.00", "313.50", "(12.50)", "13.8CM", "12.5"]
    assert [w.text for w in cut_zeros(amounts[:2] + cut)][2:] == [w.text for w in cut]
    chars = [Char(quad_from_box(100 + 12 * k, 0, 112 + 12 * k, 20), c, 0.8) for k, c in enumerate("35.0C")]
    (fixed,) = cut_zeros(amounts + [Word(quad_from_box(100, 0, 160, 20), "35.0C", 0.8, chars)])[3:]
    assert [c.text for c in fixed.chars or []] == list("35.00") and fixed.chars[4].polygon is chars[4].polygon


def _running_up(text: str, x: float, bottom: float, h: float = 20.0) -> list[Word]:
    """Words of ``text`` running up the page from (x, bottom), as a chart's axis title: each word's quad starts at
    its bottom-left corner, so that its top edge (in reading order) is its left side."""
    words = []
    for w in _line(text, 0.0, 0.0, h):
        x0, _, x1, _ = w.polygon[0, 0], 0, w.polygon[1, 0], 0
        quad = np.array([[x, bottom - x0], [x, bottom - x1], [x + h, bottom - x1], [x + h, bottom - x0]], np.float32)
        words.append(Word(quad, w.text, w.confidence))
    return words


def test_a_line_running_up_the_page_is_grouped_in_its_own_direction():
    """An axis title running up beside lines across: its words form one line in their reading order (bottom to
    top), not one line each sorted down the page, and it is read as a block of its own before the lines that start
    below its top."""
    across = _line("Sales by region in the third quarter", 80, 40) + _line("Time of day in hours", 120, 420)
    up = _running_up("Revenue in millions", 20, 380)
    blocks = group_words(_shuffled(across + up))
    assert [b.text for b in blocks] == [
        "Sales by region in the third quarter",
        "Revenue in millions",
        "Time of day in hours",
    ]
    assert polygon_angles(blocks[1].lines[0].words[0].polygon[None])[0] == pytest.approx(-90)


def test_a_page_turned_sideways_as_a_whole_is_not_split():
    """A page of lines all running up (read without the page classifier) groups as before: nothing runs across."""
    up = _running_up("one two three", 20, 300) + _running_up("four five", 50, 300)
    assert [b.text for b in group_words(up)] == [b.text for b in group_words(list(reversed(up)))]
    assert sum(len(b.lines) for b in group_words(up)) == 2


def test_a_mark_read_turned_stays_in_its_line():
    """A glyph or two read turned on a line across ("(9)" on a receipt's item line) is a misread mark of that
    line, not a line running down the page: it keeps its place."""
    words = _line("TMAPTKISMIS 500GM (9) 9.90", 20, 100)
    mark = words[2]
    x0, y0 = mark.polygon[0]
    x1, y1 = mark.polygon[2]
    words[2] = Word(np.array([[x0, y1], [x0, y0], [x1, y0], [x1, y1]], np.float32), mark.text, mark.confidence)
    assert [b.text for b in group_words(words)] == ["TMAPTKISMIS 500GM (9) 9.90"]


def _turned_over(words: list[Word]) -> list[Word]:
    """``words`` as the text-line orientation stage hands back a line it turned over: each quad starts at its
    bottom-right corner on screen (the top-left of the turned text)."""
    return [Word(np.roll(w.polygon, 2, axis=0), w.text, w.confidence) for w in words]


def test_a_line_turned_over_on_an_upright_page_reads_in_its_own_direction():
    """A line the text-line stage turned over among upright ones: its words run right to left on screen, so they
    are read in that order (not sorted left to right on screen: "days thirty within..."), its line's polygon starts
    where its words' do, and it keeps its place down the page."""
    turned = _turned_over(_line("days thirty within payment remit", 20, 60))  # "remit" rightmost on screen
    words = _line("Invoice number 4471 dated March", 20, 20) + turned + _line("Thank you for your business", 20, 100)
    blocks = group_words(_shuffled(words))
    assert [b.text for b in blocks] == [
        "Invoice number 4471 dated March",
        "remit payment within thirty days",
        "Thank you for your business",
    ]
    line = blocks[1].lines[0]
    assert polygon_angles(line.polygon[None])[0] == pytest.approx(180)
    assert tuple(line.polygon[0]) == (max(float(w.polygon[:, 0].max()) for w in turned), 80.0)


def test_a_page_turned_over_as_a_whole_reads_in_its_own_direction():
    """Every line turned over (an upside-down page read without the page classifier): nothing is split apart, and
    the lines read in their own order, bottom to top on screen."""
    words = _turned_over(_line("here line first", 20, 100)) + _turned_over(_line("line second", 20, 60))
    blocks = group_words(_shuffled(words))
    assert [ln.text for b in blocks for ln in b.lines] == ["first line here", "second line"]
    assert all(polygon_angles(b.polygon[None])[0] == pytest.approx(180) for b in blocks)


def test_two_columns_of_running_text_set_far_apart_are_read_column_by_column():
    """A flyer's two columns, a gutter of over half a column between them and a headline across both: too few lines
    for a gutter down the page, and a gap too wide beside its text to look like one on a line, so each pair of lines
    was read as a table's row. Running text on both sides of a gap, on three lines close together, makes it a
    gutter (one form row of a long key and a long value stays a row: FUNSD's labelled pages read as before)."""
    left = [
        "The city council voted on Tuesday to",
        "approve a plan for a new park in the",
        "downtown area with paths and a garden",
        "for residents.",
    ]
    right = [
        "Construction is expected to begin next",
        "spring and last about eighteen months.",
        "Funding comes from state grants and",
        "local taxes.",
    ]
    words = _line("City Council Approves New Park Plan", 40, 30, h=40)
    for k, (a, b) in enumerate(zip(left, right, strict=True)):
        words += _line(a, 40, 130 + 34 * k, h=24) + _line(b, 640, 130 + 34 * k, h=24)
    text = _text(group_words(_shuffled(words)))
    assert text == "\n\n".join(["City Council Approves New Park Plan", "\n".join(left), "\n".join(right)])


def test_a_table_of_short_cells_far_apart_is_still_read_by_rows():
    rows = [("Item", "Qty"), ("Widget", "2"), ("Gadget", "10"), ("Service fee", "1")]
    words = [
        w for k, (a, b) in enumerate(rows) for w in _line(a, 40, 40 + 34 * k, h=24) + _line(b, 640, 40 + 34 * k, h=24)
    ]
    assert _text(group_words(_shuffled(words))).splitlines() == [f"{a}\t{b}" for a, b in rows]


def test_a_chats_bubbles_left_and_right_are_read_in_turn():
    """A chat screenshot: messages on the left and on the right by turns, the two sides a few pixels apart. A
    channel that narrow, with no gutter between text columns on any line, parts no columns: before, every left
    message was read, then every right one."""
    turns = [("l", "Hey are we still on for lunch"), ("r", "Yes at the usual place"), ("l", "Great see you"),
             ("r", "Running late sorry"), ("l", "No worries")]  # fmt: skip
    words = []
    for k, (side, text) in enumerate(turns):
        x = 35 if side == "l" else 330  # the longest left message ends at x 325
        words += _line(text, x, 30 + 95 * k)
        words += _line("10:0" + str(k), x, 66 + 95 * k, h=12)
    blocks = group_words(_shuffled(words))
    said = [line.text for block in blocks for line in block.lines if not line.text.startswith("10:0")]
    assert said == [text for _, text in turns]


def test_a_chats_short_messages_far_apart_are_read_in_turn():
    """Short messages, left and right by turns, a wide channel between the two sides: with each message beside
    nothing on the other side, the bands going left, right, left, right are read top to bottom (all the left
    messages were read first). A lone note in the margin between two bands is still read after its column."""
    turns = [("l", "Are we still on"), ("r", "Yes at noon"), ("l", "Great"), ("r", "Running late")]
    words = [w for k, (side, text) in enumerate(turns) for w in _line(text, 35 if side == "l" else 420, 30 + 60 * k)]
    assert _text(group_words(_shuffled(words))).split("\n\n") == [text for _, text in turns]
    margin = _line("Note one", 35, 30) + _line("ref 12", 420, 90) + _line("Note two", 35, 150)
    assert _text(group_words(_shuffled(margin))).split("\n\n") == ["Note one", "Note two", "ref 12"]


def test_a_form_key_ending_with_a_colon_keeps_its_value_on_its_line():
    """An e-mail's header: "Subject:" and its value a little over a column gap apart, each side wide enough for a
    column's line. The gap was taken for a gutter: the value was read as the line under "Date:"'s, "Subject:" after
    it; it is a cell's. A line of a text column ending with a colon, beside the next column's lines, is still parted
    from them as a column's."""
    header = [("From:", "Dana Lee"), ("To:", "Sam Ortiz"), ("Date:", "Mon 30 Nov 2026"),
              ("Subject:", "Budget review moved to Friday")]  # fmt: skip
    words = [
        w for k, (key, value) in enumerate(header) for w in _line(key, 40, 30 + 40 * k) + _line(value, 150, 30 + 40 * k)
    ]
    lines = _text(group_words(_shuffled(words))).replace("\t", " ").split("\n")
    assert [line for line in lines if line] == [f"{key} {value}" for key, value in header]
    left = ["the left column starts here", "and runs on for a while", "as follows:"]
    words = _column(left, 20, 20) + _column(RIGHT, 330, 20)
    assert [b.text for b in group_words(_shuffled(words))] == ["\n".join(left), "\n".join(RIGHT)]


def test_a_letters_blocks_on_the_right_are_read_in_turn_from_the_top():
    """A letter: the sender's address and the date set on the right, beside nothing of the body's wide lines. The
    whitespace down the page beside the body parted them into a column read last: the date came after the
    signature."""

    def lines(texts: list[str], x: float, y: float, right: bool = False) -> list[Word]:
        return [w for k, t in enumerate(texts) for w in _line(t, x - CHAR_W * len(t) if right else x, y + 30 * k)]

    body = ["Thank you for your letter of 2 March about the delayed", "delivery of your order which was held at the"]
    words = (
        lines(["Northwind Traders Ltd.", "12 Harbour Road"], 960, 40, right=True)
        + lines(["Ms. Rosa Alvarez", "7 Mill Lane"], 40, 160)
        + lines(["5 March 2026"], 960, 260, right=True)
        + lines(["Dear Ms. Alvarez,"], 40, 320)
        + lines(body, 40, 370)
        + lines(["Yours sincerely,"], 40, 470)
    )
    said = [line.text for block in group_words(_shuffled(words)) for line in block.lines]
    assert said == ["Northwind Traders Ltd.", "12 Harbour Road", "Ms. Rosa Alvarez", "7 Mill Lane", "5 March 2026",
                    "Dear Ms. Alvarez,", *body, "Yours sincerely,"]  # fmt: skip
    # a reference on the left and the date on the right of one line: a row, read left to right
    words = lines(["Ref: NW/2026/0311"], 40, 40) + lines(["5 March 2026"], 960, 40, right=True) + lines(body, 40, 120)
    assert _text(group_words(_shuffled(words))).splitlines()[0] == "Ref: NW/2026/0311\t5 March 2026"
