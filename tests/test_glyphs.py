"""Glyph measurements on real rendered pages: size, and light print on a dark ground."""

from __future__ import annotations

import cv2
import numpy as np

from ocdr.glyphs import glyph_size, light_text_on_dark


def gray(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def test_glyph_size_follows_the_print(text_page):
    page = gray(text_page[0])
    size = glyph_size(page)
    assert size is not None
    doubled = glyph_size(cv2.resize(page, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR))
    assert doubled is not None and 1.7 * size <= doubled <= 2.3 * size
    assert glyph_size(np.full((200, 200), 255, np.uint8)) is None  # no ink to measure


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
