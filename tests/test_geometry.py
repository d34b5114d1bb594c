import itertools

import cv2
import numpy as np
import pytest

from ocdr.geometry import crop_region, linked_groups, order_points, polygon_box, quad_from_box, sub_quad


def rotated_quad(cx: float, cy: float, w: float, h: float, degrees: float) -> np.ndarray:
    """Rectangle centred at (cx, cy), rotated clockwise on screen by ``degrees``, ordered from its top-left."""
    t = np.deg2rad(degrees)
    along, across = np.array([np.cos(t), np.sin(t)]), np.array([-np.sin(t), np.cos(t)])
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    return np.array([[cx, cy] + a * along + b * across for a, b in corners], dtype=np.float32)


@pytest.mark.parametrize("degrees", [0, 10, -10, 30, -30, 44, -44])
def test_order_points_any_input_order(degrees):
    expected = rotated_quad(100, 80, 120, 30, degrees)
    for perm in itertools.permutations(range(4)):
        np.testing.assert_allclose(order_points(expected[list(perm)]), expected, atol=1e-4)


def test_order_points_axis_aligned_starts_at_smallest_sum():
    pts = np.array([[50, 5], [10, 40], [10, 5], [50, 40]], dtype=np.float32)
    ordered = order_points(pts)
    np.testing.assert_array_equal(ordered, [[10, 5], [50, 5], [50, 40], [10, 40]])
    assert ordered.dtype == np.float32


def test_order_points_rejects_wrong_shape():
    with pytest.raises(ValueError):
        order_points(np.zeros((3, 2)))


def test_polygon_box_and_quad_from_box():
    assert polygon_box([[3, 9], [7, 1], [5, 4], [1, 6], [2, 2]]) == (1.0, 1.0, 7.0, 9.0)
    quad = quad_from_box(1, 2, 11, 7)
    np.testing.assert_array_equal(quad, [[1, 2], [11, 2], [11, 7], [1, 7]])
    assert polygon_box(quad) == (1.0, 2.0, 11.0, 7.0)
    with pytest.raises(ValueError):
        polygon_box(np.zeros((0, 2)))


def test_sub_quad_axis_aligned_and_slanted():
    np.testing.assert_allclose(sub_quad(quad_from_box(0, 0, 100, 20), 0.25, 0.5), quad_from_box(25, 0, 50, 20))
    # a trapezoid: top edge 0..100, bottom edge 20..60 -> fractions apply to each edge separately
    trapezoid = np.array([[0, 0], [100, 0], [60, 10], [20, 10]], dtype=np.float32)
    np.testing.assert_allclose(sub_quad(trapezoid, 0.5, 1.0), [[50, 0], [100, 0], [60, 10], [40, 10]])
    np.testing.assert_allclose(sub_quad(trapezoid, 0.0, 1.0), trapezoid)
    for start, end in [(0.5, 0.5), (-0.1, 0.5), (0.2, 1.1), (0.6, 0.4)]:
        with pytest.raises(ValueError):
            sub_quad(trapezoid, start, end)


def _bar_image(quad: np.ndarray) -> np.ndarray:
    """White image with a mid-gray rotated rectangle whose left (reading-order) half is black."""
    image = np.full((200, 260, 3), 255, dtype=np.uint8)
    cv2.fillPoly(image, [np.round(quad).astype(np.int32)], (128, 128, 128))
    cv2.fillPoly(image, [np.round(sub_quad(quad, 0.0, 0.5)).astype(np.int32)], (0, 0, 0))
    return image


@pytest.mark.parametrize("degrees", [0, 20, -25])
def test_crop_region_rotated_rectangle_is_upright_with_dark_left_half(degrees):
    quad = rotated_quad(130, 100, 160, 40, degrees)
    strip = crop_region(_bar_image(quad), quad)
    assert strip.shape == (40, 160, 3)
    inner = strip[6:-6].astype(float)  # stay clear of the anti-aliased rim
    assert inner[:, 8:72].mean() < 20  # dark left half
    assert abs(inner[:, 88:152].mean() - 128) < 20  # gray right half


def test_crop_region_gray_image():
    quad = rotated_quad(130, 100, 160, 40, 15)
    gray = cv2.cvtColor(_bar_image(quad), cv2.COLOR_RGB2GRAY)
    strip = crop_region(gray, quad)
    assert strip.shape == (40, 160)
    assert strip[6:-6, 8:72].mean() < 20


def test_crop_region_vertical_text_rotated_counter_clockwise():
    image = np.full((200, 100, 3), 255, dtype=np.uint8)
    image[20:100, 40:60] = 0  # top half of a 20 x 160 vertical line is black
    image[100:180, 40:60] = 128
    strip = crop_region(image, quad_from_box(40, 20, 60, 180))
    # counter-clockwise: the top of the column ends up on the left
    assert strip.shape == (20, 160, 3)
    assert strip[2:-2, 5:75].mean() < 10  # edge rows sample the border
    assert abs(strip[2:-2, 85:155].mean() - 128) < 10
    assert crop_region(image, quad_from_box(40, 20, 60, 180), rotate_vertical=False).shape == (160, 20, 3)
    # below the ratio the strip is kept as is
    assert crop_region(image, quad_from_box(40, 20, 60, 49)).shape == (29, 20, 3)


def test_crop_region_degenerate_quad_gives_at_least_one_pixel():
    image = np.zeros((20, 20), dtype=np.uint8)
    assert crop_region(image, np.full((4, 2), 5, dtype=np.float32)).shape == (1, 1)
    with pytest.raises(ValueError):
        crop_region(np.zeros((0, 5), dtype=np.uint8), quad_from_box(0, 0, 2, 2))


def test_quad_aspect_turn_quad_and_reading_quad():
    from ocdr.geometry import quad_aspect, reading_quad, turn_quad

    tall = quad_from_box(10, 0, 30, 100)
    wide = quad_from_box(0, 0, 100, 20)
    assert quad_aspect(tall) == pytest.approx(5.0)
    assert quad_aspect(wide) == pytest.approx(0.2)
    turned = turn_quad(tall)
    np.testing.assert_allclose(turned[0], [30, 0])  # reading top to bottom starts at the top-right corner
    assert quad_aspect(turned) == pytest.approx(0.2)
    np.testing.assert_allclose(reading_quad(tall), turned)
    np.testing.assert_allclose(reading_quad(wide), wide)


def test_pad_quad_grows_along_the_quad_axes():
    from ocdr.geometry import pad_quad

    padded = pad_quad(quad_from_box(10, 20, 110, 40), 0.1, 0.5)
    np.testing.assert_allclose(padded, quad_from_box(0, 18, 120, 42), atol=1e-4)


def test_linked_groups_follows_chains():
    links = np.zeros((5, 5), bool)
    links[0, 3] = links[3, 4] = True  # 0 - 3 - 4 chained; 1 and 2 alone
    assert linked_groups(links) == [[0, 3, 4], [1], [2]]
    assert linked_groups(np.zeros((0, 0), bool)) == []
