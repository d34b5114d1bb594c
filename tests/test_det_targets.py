"""DBNet training targets and detection training crops."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocdr.io.labels import RegionLabel, write_icdar_gt
from ocdr.training.det_data import DetItem, load_det_dataset, sample_crop
from ocdr.training.det_targets import (
    MIN_TEXT_SIZE,
    SHRINK_RATIO,
    THRESH_MAX,
    THRESH_MIN,
    make_db_targets,
    shrink_distance,
)
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import PageStyle, render_page
from ocdr.training.synth.text import TextSampler

cv2.setNumThreads(1)

# a 200 x 40 box centred in a 256 x 256 image: A = 8000, L = 480, D = A (1 - 0.4^2) / L = 14
X0, Y0, X1, Y1 = 28, 108, 228, 148
BOX = np.array([[X0, Y0], [X1, Y0], [X1, Y1], [X0, Y1]], np.float32)
D = 200 * 40 * (1 - SHRINK_RATIO**2) / (2 * (200 + 40))


def _extent(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


@pytest.fixture(scope="module")
def box_targets():
    return make_db_targets([BOX], [False], 256, 256)


def test_shrink_distance_formula():
    assert D == pytest.approx(14.0)
    assert shrink_distance(BOX) == pytest.approx(D, rel=1e-4)


def test_target_shapes_and_dtypes(box_targets):
    assert set(box_targets) == {"shrink_map", "shrink_mask", "thresh_map", "thresh_mask"}
    for value in box_targets.values():
        assert value.shape == (256, 256) and value.dtype == np.float32


def test_shrink_map_is_centred_smaller_rectangle(box_targets):
    shrink = box_targets["shrink_map"]
    assert set(np.unique(shrink).tolist()) == {0.0, 1.0}
    x0, y0, x1, y1 = _extent(shrink)
    # shrunk by D from every side (pixel rounding: +-1)
    assert abs(x0 - (X0 + D)) <= 1 and abs(x1 - (X1 - D)) <= 1
    assert abs(y0 - (Y0 + D)) <= 1 and abs(y1 - (Y1 - D)) <= 1
    # a filled rectangle: every pixel of its bounding box is set
    assert shrink[y0 : y1 + 1, x0 : x1 + 1].all()
    assert shrink.sum() == (x1 - x0 + 1) * (y1 - y0 + 1)
    # centred on the box
    assert (x0 + x1) / 2 == pytest.approx((X0 + X1) / 2, abs=1)
    assert (y0 + y1) / 2 == pytest.approx((Y0 + Y1) / 2, abs=1)
    assert box_targets["shrink_mask"].all()  # nothing is ignored


def test_thresh_map_range_and_peak_on_border(box_targets):
    tmap = box_targets["thresh_map"]
    assert tmap.min() >= THRESH_MIN - 1e-6 and tmap.max() <= THRESH_MAX + 1e-6
    assert tmap.min() == pytest.approx(THRESH_MIN)
    # highest on the text border, falling off towards the centre and outside
    assert tmap[128, X0] == pytest.approx(THRESH_MAX, abs=1e-5)
    assert tmap[Y0, 128] == pytest.approx(THRESH_MAX, abs=1e-5)
    assert tmap[Y1, 128] == pytest.approx(THRESH_MAX, abs=1e-5)
    row = tmap[128, X0 - 20 : X0 + 21]
    assert int(np.argmax(row)) == 20
    assert np.all(np.diff(row[6:21]) > 0) and np.all(np.diff(row[20:35]) < 0)
    assert tmap[128, X0 + 7] == pytest.approx(THRESH_MIN + (THRESH_MAX - THRESH_MIN) * 0.5, abs=1e-5)
    assert tmap[128, 128] == pytest.approx(THRESH_MIN)  # 20 px from any edge > D
    assert tmap[5, 5] == pytest.approx(THRESH_MIN)


def test_thresh_mask_covers_dilated_box(box_targets):
    tmask = box_targets["thresh_mask"]
    x0, y0, x1, y1 = _extent(tmask)
    assert abs(x0 - (X0 - D)) <= 1 and abs(x1 - (X1 + D)) <= 1
    assert abs(y0 - (Y0 - D)) <= 1 and abs(y1 - (Y1 + D)) <= 1
    assert tmask[Y0 : Y1 + 1, X0 : X1 + 1].all()  # the box itself
    assert tmask[128, X0 - 10] == 1 and tmask[Y0 - 10, 128] == 1
    assert tmask[128, X0 - 20] == 0 and tmask[Y1 + 20, 128] == 0
    # round joins: the dilated corner is cut off
    assert tmask[Y0 - 13, X0 - 13] == 0


def test_ignored_polygon_zeroes_mask_only():
    ign = np.array([[20, 20], [100, 20], [100, 60], [20, 60]], np.float32)
    t = make_db_targets([BOX, ign], [False, True], 256, 256)
    mask = t["shrink_mask"]
    assert (mask[20:61, 20:101] == 0).all()
    assert mask.sum() == 256 * 256 - 81 * 41
    assert t["shrink_map"][20:61, 20:101].sum() == 0
    assert t["thresh_mask"][30:50, 30:90].sum() == 0  # no threshold band for ignored text
    assert t["shrink_map"].sum() == make_db_targets([BOX], [False], 256, 256)["shrink_map"].sum()


def test_tiny_box_is_masked_out():
    tiny = np.array([[50, 50], [90, 50], [90, 51.5], [50, 51.5]], np.float32)  # 1.5 px high < MIN_TEXT_SIZE
    assert 1.5 < MIN_TEXT_SIZE
    t = make_db_targets([tiny], [False], 128, 128)
    assert t["shrink_map"].sum() == 0
    assert t["thresh_mask"].sum() == 0
    assert t["shrink_mask"][50:52, 50:91].sum() == 0
    assert t["shrink_mask"].sum() >= 128 * 128 - 3 * 41


def test_shrink_map_keeps_sub_pixel_position():
    t = make_db_targets([BOX + 0.9], [False], 256, 256)
    # shrunk box 42.9..214.9 x 122.9..134.9, filled with rounded corners -> 43..215 x 123..135
    assert _extent(t["shrink_map"]) == (43, 123, 215, 135)


def test_no_polygons_gives_empty_targets():
    t = make_db_targets([], [], 64, 32)
    assert t["shrink_map"].shape == (64, 32)
    assert t["shrink_map"].sum() == 0 and t["shrink_mask"].all() and t["thresh_mask"].sum() == 0
    assert np.allclose(t["thresh_map"], THRESH_MIN)


def test_polygon_partly_outside_image():
    poly = BOX + np.array([150, 0], np.float32)  # right part beyond the 256 px image
    t = make_db_targets([poly], [False], 256, 256)
    x0, _, x1, _ = _extent(t["shrink_map"])
    assert x1 == 255 and abs(x0 - (X0 + 150 + D)) <= 1
    assert t["thresh_map"].max() <= THRESH_MAX + 1e-6


# ------------------------------------------------------------------------------------------- training crops
@pytest.fixture(scope="module")
def synthetic_page(tmp_path_factory):
    root = tmp_path_factory.mktemp("det_page")
    (root / "images").mkdir()
    (root / "gts").mkdir()
    rng = np.random.default_rng(3)
    fonts = find_fonts()
    image, labels = render_page(TextSampler(rng), fonts, rng, PageStyle(dpi=100, noise=0.0))
    cv2.imwrite(str(root / "images" / "page.png"), image[:, :, 0])
    write_icdar_gt(root / "gts" / "gt_page.txt", labels)
    return root, image, labels


def test_load_det_dataset_reads_written_page(synthetic_page):
    root, image, labels = synthetic_page
    (item,) = load_det_dataset(root)
    assert item.image_path.name == "page.png"
    assert len(item.labels) == len(labels) > 20
    assert [lab.text for lab in item.labels] == [lab.text for lab in labels]
    # word boxes at 100 dpi, 8 to 14 pt plus headings: 10 to 40 px high
    assert 8 < item.median_height < 40
    with pytest.raises(FileNotFoundError):
        load_det_dataset(root / "gts")


def test_sample_crop_is_compact_and_its_targets_line_up_with_the_ink(synthetic_page):
    """A crop travels compact (uint8 gray and 0/1 maps, a float16 threshold map) and its targets are
    ``make_db_targets``'s: text pixels are the ink's."""
    root, _, _ = synthetic_page
    (item,) = load_det_dataset(root)
    with_text = 0
    for seed in range(6):
        s = sample_crop(item, np.random.default_rng(seed), 128)
        assert {key: (v.shape, v.dtype) for key, v in s.items()} == {
            "image": ((128, 128), np.uint8),
            "shrink_map": ((128, 128), np.uint8),
            "shrink_mask": ((128, 128), np.uint8),
            "thresh_map": ((128, 128), np.float16),
            "thresh_mask": ((128, 128), np.uint8),
        }
        assert set(np.unique(s["shrink_map"]).tolist()) <= {0, 1} and set(np.unique(s["thresh_mask"])) <= {0, 1}
        assert s["thresh_map"].min() >= THRESH_MIN - 1e-3 and s["thresh_map"].max() <= THRESH_MAX + 1e-3
        pos = s["shrink_map"] > 0
        if pos.sum() > 20:
            with_text += 1
            # text pixels differ from the background: the targets line up with the ink
            background = (s["thresh_mask"] == 0) & (s["shrink_mask"] > 0)
            if background.sum() > 100:
                g = s["image"].astype(np.float32) / 255
                assert abs(float(g[pos].mean()) - float(np.median(g[background]))) > 0.03
    assert with_text >= 3


def test_sample_crop_text_height_scaling(synthetic_page):
    """Crops are scaled so the page's median word height lands on the drawn text height."""
    root, _, _ = synthetic_page
    (item,) = load_det_dataset(root)
    rng = np.random.default_rng(0)
    stats = {}
    for height in (8, 30):
        heights = []
        for _ in range(3):
            shrink = sample_crop(item, rng, 256, text_height=(height, height * 1.001))["shrink_map"]
            _, _, comp, _ = cv2.connectedComponentsWithStats((shrink > 0).astype(np.uint8))
            heights += comp[1:, cv2.CC_STAT_HEIGHT].tolist()
        stats[height] = (len(heights), float(np.median(heights)))
    (n_small, h_small), (n_large, h_large) = stats[8], stats[30]
    assert n_small > n_large > 0  # many small words vs a few large ones
    assert h_large > 1.8 * h_small


def test_det_item_median_height_ignores_dont_care():
    def box(h):
        return np.array([[0, 0], [50, 0], [50, h], [0, h]], np.float32)

    item = DetItem(None, [RegionLabel(box(10), "a"), RegionLabel(box(12), "b"), RegionLabel(box(100), "###", True)])
    assert item.median_height == pytest.approx(11)
    assert DetItem(None, []).median_height == 20.0


def test_sample_crop_max_angle_turns_crops_that_far(tmp_path):
    """``max_angle`` (``ocdr train det --max-angle``): 30% of the crops turned by up to that many degrees either way,
    the labels with them (the word's shrink region runs along the turned word)."""
    page = np.full((600, 600), 255, np.uint8)
    page[290:310, 200:400] = 0
    cv2.imwrite(str(tmp_path / "p.png"), page)
    item = DetItem(
        tmp_path / "p.png", [RegionLabel(np.array([[200, 290], [400, 290], [400, 310], [200, 310]], np.float32), "w")]
    )
    for max_angle in (0.0, 40.0):
        angles = []
        for seed in range(240):  # a word the crop's edge cuts is left out: about one crop in five has it whole
            s = sample_crop(item, np.random.default_rng(seed), 256, text_height=(20, 20.001), max_angle=max_angle)
            ys, xs = np.nonzero(s["shrink_map"])
            if len(xs) > 100:  # the word's long axis: the principal axis of its shrink region
                _, vectors = np.linalg.eigh(np.cov(np.stack([xs, ys]).astype(np.float64)))
                vx, vy = vectors[:, -1]
                angles.append(abs(np.degrees(np.arctan2(vy, vx)) + 90) % 180 - 90)
        angles = np.abs(angles)
        assert len(angles) >= 20
        if max_angle:
            assert angles.max() > 15 and angles.max() <= max_angle + 1 and (angles > 1).mean() < 0.6
        else:
            assert angles.max() < 1


def test_sample_crop_turn_prob_turns_page_and_labels_upside_down(tmp_path):
    """``turn_prob=1`` crops are the page turned by 180 degrees (a left-to-right ramp runs right to left), and the
    labels turn with it (the word's shrink region stays a wide box on its ink)."""
    page = np.tile(np.linspace(20, 235, 600).astype(np.uint8), (600, 1))
    page[290:310, 250:350] = 0
    cv2.imwrite(str(tmp_path / "p.png"), page)
    word = RegionLabel(np.array([[250, 290], [350, 290], [350, 310], [250, 310]], np.float32), "w")
    item = DetItem(tmp_path / "p.png", [word])
    for turn, sign in ((0.0, 1), (1.0, -1)):
        ramps, on_ink = 0, 0
        for seed in range(10):
            rng = np.random.default_rng(seed)
            s = sample_crop(item, rng, 256, text_height=(20, 20.001), max_angle=0, turn_prob=turn)
            gray = s["image"].astype(np.float32) / 255
            ramps += sign * (np.median(gray[:, 200:240]) - np.median(gray[:, 16:56])) > 0.1
            text = s["shrink_map"] > 0
            if text.any():
                x0, y0, x1, y1 = _extent(text)
                assert x1 - x0 > 2 * (y1 - y0)
                on_ink += float(gray[text].mean()) < float(np.median(gray)) - 0.1
        assert ramps >= 8 and on_ink >= 4
