"""The scene detector: photos' scenes (not print on a flat light ground) are found by a second DBNet, the shipped
detector fine-tuned on street photos; pages of print and close-cropped words by the main one."""

from __future__ import annotations

import cv2
import pytest
from conftest import PAGE_LINES, SHARED_DATA, render_lines

from ocdr import OCR
from ocdr.cli import main
from ocdr.errors import ModelError
from ocdr.evaluation.metrics import PRF, detection_report, match_words
from ocdr.io.labels import read_icdar_gt
from ocdr.pipeline import TextDetector
from ocdr.runtime.registry import shipped_model_path

# ICDAR 2015 training photos that neither detector learnt from: the first of the detector card's 30 held-out ones
# (``runs/det_real/val/icdar2015_train``, ``ocdr train det ... --split-only``)
HELD_OUT = ["img_963", "img_878", "img_50", "img_74", "img_953", "img_514", "img_440", "img_269", "img_735", "img_95"]


def _models_run(ocr: OCR, monkeypatch, image, **params) -> set[str]:
    """Which of ``ocr``'s detectors read ``image``: "main", "scene"."""
    seen: set[str] = set()
    run = TextDetector.run  # patched on the class: an instance attribute would outlive the test

    def counted(self, image, size, model=None):
        seen.add("scene" if model is not None and model is self.scene_model else "main")
        return run(self, image, size, model)

    monkeypatch.setattr(TextDetector, "run", counted)
    ocr(image, **params)
    monkeypatch.undo()
    return seen


def test_shipped_scene_detector_is_packaged_small_and_a_detector():
    for precision in ("fp32", "int8"):
        path = shipped_model_path("det_scene", precision)
        assert path.stat().st_size < 16e6
        assert OCR(threads=1, precision=precision).pipeline.detector.scene_model.metadata["kind"] == "det"


def test_only_the_shipped_detector_brings_the_scene_detector():
    """A detector of your own (or the synthetic-only one, free of the real sets' terms) reads photos too, unless a
    scene detector is named; the shipped one brings the shipped scene detector."""
    own = str(shipped_model_path("det"))
    assert OCR(threads=1).pipeline.detector.scene_model is not None
    assert OCR(own, threads=1).pipeline.detector.scene_model is None
    assert OCR("synthetic", threads=1).pipeline.detector.scene_model is None
    named = OCR(own, threads=1, scene_det_model=str(shipped_model_path("det_scene"))).pipeline.detector
    assert named.scene_model is not None and named.scene_model.path != named.model.path
    with pytest.raises(ModelError, match="is not a detection model"):
        OCR(threads=1, scene_det_model=str(shipped_model_path("cls_line")))


def test_pages_go_to_the_main_detector_and_photos_to_the_scene_one(ocr, monkeypatch):
    page, _ = render_lines(PAGE_LINES)
    assert _models_run(ocr, monkeypatch, page) == {"main"}
    if not (SHARED_DATA / "detection").is_dir():
        pytest.skip("needs ../shared/data")
    photo = cv2.imread(str(SHARED_DATA / "detection" / "icdar2015_train" / "images" / f"{HELD_OUT[0]}.jpg"))
    assert _models_run(ocr, monkeypatch, photo) == {"scene"}
    assert _models_run(ocr, monkeypatch, photo, use_scene_detector=False) == {"main"}


@pytest.mark.skipif(not (SHARED_DATA / "detection").is_dir(), reason="needs ../shared/data")
def test_the_scene_detector_finds_more_of_a_street_photos_words(ocr):
    """On ten held-out ICDAR 2015 photos the scene detector finds more labelled words than the main one (IoU 0.5,
    the seed's detection KPI) and fewer false regions: 21 of 32 against 18, with 8 regions matching no label against
    16."""
    folder = SHARED_DATA / "detection" / "icdar2015_train"
    counts = dict.fromkeys((True, False), PRF())
    for on in counts:
        for name in HELD_OUT:
            image = cv2.imread(str(folder / "images" / f"{name}.jpg"))
            regions = ocr.pipeline.detector(image, ocr.params.with_overrides(use_scene_detector=on))
            found, _ = detection_report([r.polygon for r in regions], read_icdar_gt(folder / "gts" / f"gt_{name}.txt"))
            counts[on] = counts[on] + found
    on, off = counts[True], counts[False]
    assert on.tp >= off.tp + 2 and on.num_pred - on.tp <= off.num_pred - off.tp - 5, (on, off)


def test_cli_switches_the_scene_detector_off(tmp_path, capsys):
    page, _ = render_lines(PAGE_LINES[:1])
    path = tmp_path / "page.png"
    cv2.imwrite(str(path), page)
    assert main(["read", str(path), "--no-use-scene-detector", "--threads", "1"]) == 0
    assert "Quarterly report" in capsys.readouterr().out


@pytest.mark.skipif(not (SHARED_DATA / "detection").is_dir(), reason="needs ../shared/data")
def test_each_detector_reads_with_the_settings_picked_for_it(ocr):
    """The scene detector's file stores its own picks: box score 0.5 (the main file's 0.45) and reading score 0.4
    (the main file's: none), under which its regions' readings are dropped. They apply where it reads and the call
    leaves the setting alone; a setting a caller chooses holds for both files, even one equal to the main file's
    pick. A page reports the settings it was read with."""
    detector = ocr.pipeline.detector
    photo = cv2.imread(str(SHARED_DATA / "detection" / "icdar2015_train" / "images" / f"{HELD_OUT[0]}.jpg"))
    page, _ = render_lines(PAGE_LINES[:2])
    assert detector.defaults["text_det_box_thresh"] == ocr.params.text_det_box_thresh == 0.45
    assert ocr.params.text_rec_score_thresh == 0.0
    scene = detector.settings(photo, ocr.params, scene=True)
    assert (scene.text_det_box_thresh, scene.text_rec_score_thresh) == (0.5, 0.4)
    assert scene.text_det_unclip_ratio == ocr.params.text_det_unclip_ratio
    assert detector.settings(page, ocr.params, scene=False) == ocr.params
    off = ocr.params.with_overrides(use_scene_detector=False)
    assert detector.settings(photo, off, scene=True) == off
    for thresh in (0.3, 0.45):
        asked = ocr.params.with_overrides(text_det_box_thresh=thresh, text_rec_score_thresh=0.0)
        assert detector.settings(photo, asked, scene=True) == asked
    chosen = OCR(threads=1, text_det_box_thresh=0.45)
    assert chosen.pipeline.detector.settings(photo, chosen.params, scene=True).text_det_box_thresh == 0.45
    reported = ocr(photo).pages[0].params
    assert (reported["box_thresh"], reported["text_rec_score_thresh"]) == (0.5, 0.4)
    assert ocr(page).pages[0].params["text_rec_score_thresh"] == 0.0


@pytest.mark.skipif(not (SHARED_DATA / "detection").is_dir(), reason="needs ../shared/data")
def test_a_photos_unsure_readings_are_dropped(ocr):
    """On ten held-out ICDAR 2015 photos, the readings the scene detector's reading score drops are mostly of
    regions that are no labelled word: word precision rises much more than recall falls."""
    folder = SHARED_DATA / "detection" / "icdar2015_train"
    counts = dict.fromkeys((None, 0.0), PRF())
    for thresh in counts:
        for name in HELD_OUT:
            page = ocr(folder / "images" / f"{name}.jpg", text_rec_score_thresh=thresh).pages[0]
            labels = read_icdar_gt(folder / "gts" / f"gt_{name}.txt")
            counts[thresh] = counts[thresh] + match_words([(w.polygon, w.text) for w in page.words], labels)
    kept, every = counts[None], counts[0.0]
    assert kept.precision >= every.precision + 0.1 and kept.tp >= every.tp - 1, (kept, every)
