"""Glyph measurements on real rendered pages: size, and light print on a dark ground."""

from __future__ import annotations

import cv2
import numpy as np
from conftest import render_headline, render_lines

from ocdr.glyphs import Ink, light_text_on_dark, show_through


def gray(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def test_glyph_size_follows_the_print(text_page):
    page = gray(text_page[0])
    size = Ink(page).glyph_size()
    assert size is not None
    doubled = Ink(cv2.resize(page, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR)).glyph_size()
    assert doubled is not None and 1.7 * size <= doubled <= 2.3 * size
    assert Ink(np.full((200, 200), 255, np.uint8)).glyph_size() is None  # no ink to measure


def test_light_text_on_dark(text_page, photo):
    page = gray(text_page[0])
    assert not light_text_on_dark(page)
    assert light_text_on_dark(255 - page)  # a negative
    # a dark-mode screenshot: light gray print on a dark blue-gray ground, with sensor-like noise
    ground, ink = 36.0, 205.0
    ui = ground + (ink - ground) * (1 - page.astype(np.float32) / 255)
    ui = np.clip(ui + np.random.default_rng(0).normal(0, 3, ui.shape), 0, 255).astype(np.uint8)
    assert light_text_on_dark(ui)
    assert not light_text_on_dark(gray(photo[0]))  # a light page photographed on a surface
    assert not light_text_on_dark(np.zeros((300, 400), np.uint8))  # dark, but no print at all


def test_a_dark_scene_is_not_a_negative():
    """A dark street scene has light blobs (lamps, windows) but no flat ground: it is read as it is."""
    rng = np.random.default_rng(1)
    shading = cv2.resize(rng.uniform(5, 120, (6, 8)).astype(np.float32), (640, 480), interpolation=cv2.INTER_CUBIC)
    scene = (shading + rng.normal(0, 6, shading.shape)).clip(0, 255).astype(np.uint8)
    for x, y in rng.integers(20, 460, (60, 2)):
        cv2.circle(scene, (int(x), int(y)), 4, 250, -1)
    assert not light_text_on_dark(scene)


def _render_headline(title_size: int = 160) -> np.ndarray:
    """A headline in large type over two lines of body text."""
    lines = ["Members are invited to the meeting on Friday.", "Please bring your card."]
    return gray(render_headline("Annual Meeting", title_size, lines, 32)[0])


def test_large_print_finds_a_line_of_large_type():
    size = Ink(_render_headline(160)).large_print(72)
    assert size is not None and 80 <= size <= 160  # the headline's letters (capitals and x-height), not the body's
    assert Ink(_render_headline(60)).large_print(72) is None  # a headline the detector reads as it is
    body, _ = render_lines(["Only ordinary print on this page."], size=32)
    assert Ink(gray(body)).large_print(72) is None


def test_large_print_ignores_boxes_and_patches():
    """A form's row of empty boxes and a row of solid patches are not letters."""
    page = np.full((600, 1200), 255, np.uint8)
    for x in range(60, 1100, 200):
        cv2.rectangle(page, (x, 60), (x + 120, 180), 0, 3)  # hollow
        cv2.rectangle(page, (x, 300), (x + 120, 420), 0, -1)  # solid
    assert Ink(page).large_print(72) is None


def _boxes(labels) -> list[np.ndarray]:
    return [label.polygon for label in labels]


def show_through_page(image: np.ndarray, back: np.ndarray, strength: float = 0.15) -> np.ndarray:
    """``image`` with ``back`` mirrored showing through at ``strength`` of its ink's darkness (thin paper)."""
    back = cv2.resize(back[:, ::-1], (image.shape[1], image.shape[0]))
    dark = (255 - back.astype(np.float32)) * strength
    return np.clip(image.astype(np.float32) - dark, 0, 255).astype(np.uint8)


def test_print_showing_through_is_told_from_the_page_s_own():
    """On a page with its back showing through, the back's lines are flagged and the front's kept; a page with two
    lines in light gray beside black print keeps them all (a few faint regions are the page's own)."""
    lines = ["Quarterly report for the region", "Revenue grew by twelve percent", "Shipping was billed apart"]
    front, front_labels = render_lines(lines)
    back_lines, back_labels = render_lines(["Minutes of the annual meeting", "Members voted on the budget", "Next"])
    height, width = front.shape[:2]
    shift = 32  # the back's lines fall between the front's
    back = np.full_like(front, 255)
    back[shift:, : min(width, back_lines.shape[1])] = back_lines[: height - shift, :width]
    page = show_through_page(front, back)
    mirrored = [np.float32([[width - x, y + shift] for x, y in box]) for box in _boxes(back_labels)]
    mirrored = [np.clip(box, 0, [width, height]) for box in mirrored]
    flags = show_through(page, _boxes(front_labels) + mirrored)
    assert not any(flags[: len(front_labels)]) and all(flags[len(front_labels) :])
    assert not any(show_through(front, _boxes(front_labels)))
    gray_lines = front.copy()
    for box in _boxes(front_labels)[:2]:  # two words in light gray (contrast 40 of 255)
        x0, y0 = box.min(axis=0).astype(int)
        x1, y1 = box.max(axis=0).astype(int)
        gray_lines[y0:y1, x0:x1] = 215 + gray_lines[y0:y1, x0:x1] // 6
    assert not any(show_through(gray_lines, _boxes(front_labels)))


def test_a_lone_dash_is_not_print_showing_through():
    """A dash is little ink in its region: over the whole box, the 5th-percentile gray of the dash in a one-line
    image was the paper's, so the dash looked faint, one region in five (over ``SHOW_THROUGH_SHARE``), and it was
    dropped as print from the sheet's back. The contrast is now taken over the box's middle half, 1st percentile."""
    page, labels = render_lines(["Open 08:30 - 21:30 daily"], "LiberationSerif-Regular.ttf", size=26)
    corners = np.float32([[-1, -1], [1, -1], [1, 1], [-1, 1]])
    # each box grown by a third of its height on every side, as the detector's unclipped regions are
    boxes = [label.polygon + corners * np.ptp(label.polygon[:, 1]) / 3 for label in labels]
    assert [label.text for label in labels][2] == "-"
    assert not any(show_through(page, boxes))
