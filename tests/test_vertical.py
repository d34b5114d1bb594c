"""Lines of text running up or down an upright page (a chart's axis title, a margin's stamp, a Bates number): the
detector finds them in pieces, and the strip around a column of pieces is detected again turned a quarter."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocdr.geometry import quad_from_box
from ocdr.models.detection.processing import DetectedRegion
from ocdr.training.synth.fonts import find_fonts
from ocdr.vertical import Strip, column_lines, covered, runs_down, strip_lines, vertical_windows


def _box(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return quad_from_box(x0, y0, x1, y1)


def test_a_column_of_unsure_pieces_is_looked_at_again():
    pieces = [_box(20, 40, 40, 78), _box(21, 80, 39, 106), _box(20, 110, 41, 144), _box(22, 150, 40, 170)]
    readings = [("TOE", 0.19, False), ("uer", 0.9, False), ("LAD", 0.3, False), ("8", 0.73, False)]
    across = [_box(100, 60, 300, 80)]
    windows = vertical_windows(pieces + across, readings + [("Some ordinary text", 1.0, False)], 400, 300)
    assert len(windows) == 1
    x0, y0, x1, y1, top, bottom = windows[0]
    assert x0 < 20 and x1 > 41 and x1 < 100  # the column and a margin, not the text across beside it
    assert y0 == 0 and y1 > 170
    assert (top, bottom) == (0, 300)  # nothing read across over or under it: it may grow to the page's edges


def test_a_strip_stops_at_print_read_across_under_its_column():
    """A heading running up over a table's column: the strip reaches no further down than the numbers under it."""
    heading = [_box(200, 74, 229, 149)]
    numbers = [_box(200, 190, 250, 212), _box(200, 240, 250, 262)]
    readings = [("January", 0.98, True), ("1200", 1.0, False), ("430", 1.0, False)]
    (strip,) = vertical_windows(heading + numbers, readings, 700, 400)
    assert strip.bottom == 190 and strip.y1 <= 190 and strip.top == 0


def test_a_piece_read_along_the_column_is_looked_at_again():
    windows = vertical_windows([_box(20, 100, 40, 190)], [("Revenue", 1.0, True)], 400, 400)
    assert len(windows) == 1


@pytest.mark.parametrize(
    "readings",
    [
        [("12", 1.0, False), ("34", 0.99, False), ("5", 0.98, False), ("67", 1.0, False)],  # a table's numbers
        [("12", 1.0, False), ("34", 0.5, False), ("5", 0.98, False), ("67", 1.0, False)],  # one of them unsure
    ],
)
def test_a_column_of_numbers_read_sure_is_not(readings):
    pieces = [_box(20, 20 + 30 * k, 42, 42 + 30 * k) for k in range(4)]
    assert vertical_windows(pieces, readings, 400, 400) == []


def test_words_read_plainly_across_are_no_pieces():
    words = [_box(20, 20 + 30 * k, 60, 42 + 30 * k) for k in range(4)]
    readings = [("Name", 1.0, False), ("Date", 0.6, False), ("City", 0.7, False), ("Zip", 1.0, False)]
    assert vertical_windows(words, readings, 400, 400) == []


def test_strip_lines_gathers_a_rows_words_and_maps_them_back_onto_the_page():
    """Regions found in a strip turned a quarter clockwise: a row's words become one line, as a quad in the page's
    pixels whose first edge runs along the text (up the page); a stray short region across the row is dropped."""
    window = (10, 30, 50, 230)  # 40 wide, 200 tall: turned, 200 wide and 40 tall
    words = [DetectedRegion(_box(20, 12, 90, 28), 0.7), DetectedRegion(_box(96, 12, 110, 28), 0.6)]
    stray = [DetectedRegion(_box(180, 2, 190, 38), 0.6)]  # taller than long: print across the page, cut
    (line,) = strip_lines(words + stray, window)
    assert runs_down(line.polygon)
    xs, ys = line.polygon[:, 0], line.polygon[:, 1]
    assert (xs.min(), xs.max()) == pytest.approx((10 + 12, 10 + 28), abs=1.5)
    assert (ys.min(), ys.max()) == pytest.approx((30 + 200 - 110, 30 + 200 - 20), abs=1.5)
    assert line.polygon[1, 1] < line.polygon[0, 1]  # read from the bottom up
    assert line.score == pytest.approx(0.65)


def test_column_lines_grows_a_window_while_a_line_runs_into_its_end():
    """A line reaching the window's end is followed along the column, up to the page's edges (its limits here)."""
    page = np.zeros((600, 100, 3), np.uint8)
    seen = []

    def detect(strip: np.ndarray) -> list[DetectedRegion]:
        seen.append(strip.shape[:2])
        return [DetectedRegion(_box(0, 5, strip.shape[1], 25), 0.9)]  # text all along the turned strip

    (line,) = column_lines(page, [Strip(20, 200, 50, 300, 0, 600)], detect)
    assert seen[0] == (30, 100) and len(seen) > 1
    assert line.polygon[:, 1].min() == pytest.approx(0, abs=1) and line.polygon[:, 1].max() == pytest.approx(600, abs=1)


def test_covered_pieces_are_those_with_their_middle_inside():
    line = _box(20, 40, 40, 300)
    assert covered([_box(22, 50, 38, 80), _box(30, 290, 60, 320), _box(100, 50, 140, 70)], line) == [0]


def _label_page(text: str, degrees: int, size: int = 20) -> np.ndarray:
    """``text`` turned ``degrees`` counterclockwise (90: running up, 270: running down) beside a line across."""
    path = next((f.path for f in find_fonts() if f.path.name == "LiberationSans-Regular.ttf"), None)
    if path is None:
        pytest.skip("needs fonts-liberation2 (scripts/install-fonts.sh)")
    font = ImageFont.truetype(str(path), size)
    label = Image.new("L", (int(font.getlength(text)) + 10, size + 10), 255)
    ImageDraw.Draw(label).text((5, 3), text, font=font, fill=0)
    page = Image.new("L", (500, label.width + 80), 255)
    page.paste(label.rotate(degrees, expand=True), (20, 40))
    ImageDraw.Draw(page).text((120, 60), "Some ordinary text", font=ImageFont.truetype(str(path), 16), fill=0)
    return np.array(page.convert("RGB"))


@pytest.mark.parametrize(
    ("text", "degrees", "size"),
    [("Temperature (C)", 90, 20), ("Revenue in millions", 270, 20), ("Sample ID", 90, 14), ("00866042", 270, 14)],
)
def test_labels_running_up_or_down_are_read(ocr, text, degrees, size):
    """Read by the shipped models: before, every one of these came out as pieces of nonsense ("0 aim e/a 0")."""
    page = ocr(_label_page(text, degrees, size)).pages[0]
    assert page.text.splitlines()[0] == text
    assert "Some ordinary text" in page.text
    words = [w for w in page.words if w.text in text.split()]
    assert len(words) == len(text.split()) and all(runs_down(w.polygon) for w in words)


def test_a_tables_column_headings_running_up_are_read(ocr):
    """A spreadsheet's headings turned to run up over their columns of numbers: a heading found whole is read
    turned one way only at first (top to bottom: "January" as "Arenuer"), and its strip reached down into the
    numbers and gathered them, standing sideways, into the heading's line ("N @A January", not taken); the
    headings were also read in the order of their tops, not left to right."""
    path = next((f.path for f in find_fonts() if f.path.name == "LiberationSans-Bold.ttf"), None)
    if path is None:
        pytest.skip("needs fonts-liberation2 (scripts/install-fonts.sh)")
    sheet = Image.new("L", (700, 400), 255)
    draw = ImageDraw.Draw(sheet)
    for c, heading in enumerate(["January", "February", "March"]):
        label = Image.new("L", (150, 30), 255)
        ImageDraw.Draw(label).text((4, 3), heading, font=ImageFont.truetype(str(path), 20), fill=0)
        sheet.paste(label.rotate(90, expand=True), (200 + 100 * c, 10))
    regular = ImageFont.truetype(str(path.with_name("LiberationSans-Regular.ttf")), 22)
    for r, (name, values) in enumerate([("Rent", (1200, 1200, 1250)), ("Food", (430, 389, 512))]):
        draw.text((30, 190 + 50 * r), name, font=regular, fill=0)
        for c, value in enumerate(values):
            draw.text((200 + 100 * c, 190 + 50 * r), str(value), font=regular, fill=0)
    page = ocr(np.array(sheet.convert("RGB"))).pages[0]
    lines = [" ".join(line.split()) for line in page.text.splitlines() if line]
    assert lines == ["January", "February", "March", "Rent 1200 1200 1250", "Food 430 389 512"]


def test_a_line_down_a_skewed_sideways_page_is_read_once(ocr):
    """A landscape page turned a quarter and 3 degrees more, read with no orientation stage: each line runs down
    the page, and strips of two windows found a line whole in one and in part in the other. Both replaced its pieces,
    and the part's words were read twice ("The quick brown fox ... Every" after the whole line)."""
    import textwrap

    import cv2
    from conftest import render_lines

    text = (
        "The quick brown fox jumps over the lazy dog near the river bank. Every morning the farmer walks along the"
        " narrow path to check his garden and water the tomatoes. Public libraries provide access to books,"
        " newspapers and computers for everyone in the community. Scientists measured the temperature of the ocean"
        " during several summer months and reported their findings."
    )
    image, labels = render_lines(textwrap.wrap(" ".join([text] * 2), 105), font_name="Arimo-Regular.ttf", size=30)
    turned = np.ascontiguousarray(np.rot90(image))
    h, w = turned.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 3.0, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    size = (int(w * cos + h * sin) + 1, int(w * sin + h * cos) + 1)
    matrix[:, 2] += ((size[0] - w) / 2, (size[1] - h) / 2)
    skewed = cv2.warpAffine(turned, matrix, size, borderValue=(255, 255, 255))
    read = [word.text for word in ocr(skewed).words]
    truth = [label.text for label in labels]
    assert max(read.count(word) - truth.count(word) for word in set(read)) <= 0
    assert len(read) >= 0.9 * len(truth)
