"""The reading pipeline: detection -> crops -> recognition -> words -> layout, each stage a small object."""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields, replace
from typing import NamedTuple, TypeVar

import cv2
import numpy as np

from ocdr.bullets import list_bullets
from ocdr.checkboxes import Checkbox, find_checkboxes, paint_over
from ocdr.cleanup import Rule, bilevel, despeckle, paper_gray, remove_rules, rules, smoothing
from ocdr.deblur import sharpen
from ocdr.deskew import estimate_skew, straighten
from ocdr.document import Char, Line, Page, Region, Word, enclosing_polygon
from ocdr.errors import InputError, ModelError
from ocdr.geometry import (
    crop_region,
    map_points,
    pad_quad,
    polygon_box,
    quad_aspect,
    quad_from_box,
    region_height,
    split_quad,
    sub_quad,
    turn_quad,
    unturn_points,
)
from ocdr.glyphs import ground, light_text_on_dark, show_through
from ocdr.layout.amounts import cut_zeros
from ocdr.layout.grouping import group_words
from ocdr.layout.pieces import (
    address_splits,
    join_comb_letters,
    join_decimals,
    join_elisions,
    join_email_addresses,
    join_pieces,
    join_read_addresses,
    join_spaced_letters,
    join_split_words,
    join_underscored,
    join_web_addresses,
    span,
)
from ocdr.leaders import drop_leader_dots, find_leaders
from ocdr.lone_glyphs import LONE_BARS, MAX_ASPECT, MISSED_SCORE, SHAPE_READING, bar_cut, capital_i
from ocdr.marks import marks_read_twice, take_in_marks
from ocdr.models.classification.postprocess import log_odds, settle, unsure
from ocdr.models.classification.preprocess import (
    cls_batch,
    page_batch,
    scene_batch,
    scene_votes,
    turn_180,
    vote_probs,
)
from ocdr.models.detection.processing import (
    LARGE_PRINT,
    MAX_GLYPH,
    MIN_GLYPH,
    DBPostProcessor,
    DetectedRegion,
    cut_to_gaps,
    detection_input,
    detection_sizes,
    merge_large_print,
    pad_border,
    tall_region_size,
)
from ocdr.models.recognition.ctc import CTCResult, ctc_greedy_decode
from ocdr.models.recognition.degrees import degree_signs
from ocdr.models.recognition.letter_case import LOOKALIKES as CASE_LOOKALIKES
from ocdr.models.recognition.letter_case import (
    accented_capitals,
    case_by_height,
    descends_past_figures,
    height_cases,
)
from ocdr.models.recognition.lexicon import LEXICON_MARGIN, PAPER_MARGIN, Lexicon
from ocdr.models.recognition.preprocess import (
    MAX_WIDTH,
    REC_HEIGHT,
    REC_TAIL,
    WIDE_PIECES,
    WORD_SPACE,
    ShapeBuckets,
    batch_crops,
    output_steps,
    padded_width,
    resize_crop,
    to_gray,
    wide_cuts,
)
from ocdr.models.recognition.quotes import pair_quotes
from ocdr.models.recognition.scripts import lone_letters, one_script
from ocdr.models.recognition.separators import thousands_commas
from ocdr.models.recognition.spacing import space_dashes, space_gaps
from ocdr.models.recognition.variants import reread, untilt, widen
from ocdr.runtime.session import OnnxModel
from ocdr.superscripts import SCRIPT_FIGURES, Superscript, attach, figures, find_raised, printed
from ocdr.unwarp import find_page, flatten
from ocdr.vertical import LINE_LETTERS, LINE_SURE, column_lines, covered, letters, runs_down, vertical_windows

T = TypeVar("T")
R = TypeVar("R")

LIMIT_TYPES = ("max", "min", "resize_long")
_UNIT_G = re.compile(r"9[).,;:]?")  # a unit's "g" read as a "9" (``_settle_units``), and a mark after it
_FIGURES = re.compile(r"[(]?\d[\d.,]*")  # the number before it
CROP_SIDE = 256  # an image whose shorter side is at most this is a word or line crop to the detector (DET_PAD)
DET_PAD = 16  # pixels of background the detector reads around such a crop: text cut tight at an edge is found
VERTICAL_RATIO = 1.5  # regions this much taller than wide may hold vertical text
CROP_PAD = 0.1  # recognition crops grow by this x height above and below: glyphs rise over the box (i dots)
# ...and by this x height at each end: detector boxes clip thin glyphs at a word's ends (quotes, colons, a first "j"),
# and the recognizer was trained with margins of up to 0.12 heights. End-to-end word F, 0 -> 0.1: synthetic pages
# 0.889 -> 0.914, FUNSD 0.682 -> 0.690, ICDAR 2015 0.322 -> 0.332, SROIE 0.221 -> 0.226; from 0.4 on, neighbours intrude
CROP_PAD_X = 0.1
MIN_SKEW = 0.2  # degrees: pages found turned less than this are read as they are
SQUARE_PIXELS = 1.1  # pixels closer to square than this are read as they are (a fine-mode fax: 204 x 196 DPI)
# A character is read (its CTC peak) on the left of its glyph: char box edges cut midway between the steps where
# neighbouring characters were read sit 0.17 glyph heights left of the true boundary (benchmarks/char_boxes.py). Cuts
# moved right by this many steps: on 16 fonts (seed 1) 0.75 keeps 99.6% of the glyphs' middles inside their boxes
# (0.5: 99.8%, unmoved 98.4%, 1.0: 99.1%) and halves the edges' error (0.094 heights, 1.0: 0.080, unmoved 0.173)
CHAR_CUT_SHIFT = 0.75
FLIP_CONFIDENCE = 0.9  # a text line is turned over when its regions pooled make the classifier this sure (cls_thresh)
FLIP_LOG_ODDS = math.log(FLIP_CONFIDENCE / (1 - FLIP_CONFIDENCE))
# ...counting, besides its own regions, this share of the page's mean evidence per region (most pages are upright or
# upside down as a whole): on held-out FUNSD and SROIE pages read both ways up, 99.2-99.9% of the regions come out
# right, and one line turned over on an upright page is still found 91% of the time (96% without; see the card)
PAGE_PRIOR = 0.5
CHECK_REGIONS = 24  # the page stage checks its 0/180 on this many of the longest regions (about 35 ms)
# ...and only when they hold this many heights of text (about as many characters): one or two stray regions of a
# street photo overturned a right vote (3 of the page classifier's 97 held-out photos' turns; no document page has
# so little text and was turned over)
CHECK_MIN_LENGTH = 10.0
PAGE_SURE = 0.5  # a page vote less sure than this is taken again with the squares read turned the other three ways,
# and the page is then read turned each way until a reading has a legible list word: one read this sure, with this
# many letters or digits
LEGIBLE_CONFIDENCE, LEGIBLE_CHARS = 0.9, 3
# ...a reading with this many legible list words is taken at once; one with fewer is set against the reading turned
# by 180 degrees more, which a sideways or upside-down photo's vote often ranks next (a single short list word is
# read now and then from text turned over)
KNOWN_WORDS_SURE = 2
# ...and the readings of such a page are tried in the order of the squares' vote times the whole-photo (scene)
# classifier's probabilities to this power (picked on the page classifier's carved photos: 0.5 / 1 / 2 tried)
SCENE_WEIGHT = 0.5
# ...and a page whose order puts this share on one angle is read that way only (stop 34: on the page classifier's
# carved photos no order above 0.51 was wrong; at 0.9, 88% of their unsure turns are read once)
ORDER_SURE = 0.9
# A page whose four votes are this close reads as no turn at all (a blank page: 0.25 each, give or take 5e-7; the
# held-out FUNSD forms and ICDAR 2015 photos, each turned four ways, spread 0.011 or more)
PAGE_TIE = 1e-3
# A region the detector scores below WEAK_REGION (the detector's default box_thresh, 0.45, lets faint receipt print
# and small words in) is kept only when it is read at least WEAK_REGION_READING sure: specks, rules and scene
# texture that pass the box score read as nothing sure. Picked on training pages outside the held-out ones (card).
WEAK_REGION, WEAK_REGION_READING = 0.5, 0.7
CUT_READING = 0.5  # a region cut at a bar alone (``read_capital_i``) reads its rest at least this sure
SUPERSCRIPT_READING = 0.9  # a superscript's or subscript's figures, read alone (``read_superscripts``), this sure
REPEAT_OVERLAP = 0.5  # a word this much on a longer word that holds its text was read twice (``drop_repeats``)
NESTED = 0.9  # ...as was a word this much inside a longer word, whatever its text (a glyph of it read again)
MIRROR_SAMPLE = 16  # faint regions read as they are and mirrored to tell show-through (``reads_mirrored``)
# Photos are read at least this long (pixels): their small words are under the 8-40 pixels the detector learnt.
# Picked on 60 ICDAR 2015 training photos outside the held-out ones (the card's "Stop 43")
SCENE_SIDE = 1920
# A scene whose ground (``ground``'s median gray) is at least this light goes to the main detector, not the scene
# one: print too dense or too cluttered to look flat (a till receipt, a page photographed on a desk) on a light
# ground. 1 of ICDAR 2015's 1,000 training photos is that light (6 at 150).
SCENE_GROUND = 170
# An image no more than CROP_SIDE across is a word or line cropped close when a region found in it at its own size
# is at least this share of its height; else it is a small photo, and a photo's scene is read enlarged
# (``text_det_scene_side``). Detected at their own size, synthetic scene words and lines (``ocdr synth scene|lines
# --seed 44``) fill 0.54 and more of their height (5th percentile), ICDAR 2015 tuning photos shrunk to 238x422
# 0.13 and less (90th)
CROP_FILL = 0.3


# the settings' types, as a page's JSON stores them: a switch given "false" would turn it on
_SETTING_TYPES = {"bool": (bool,), "int": (int,), "float": (int, float), "str": (str,)}


@dataclass(frozen=True)
class OCRParams:
    """Pipeline settings, named as PaddleX names them."""

    text_det_limit_side_len: int = 1600
    text_det_limit_type: str = "max"
    # a page the limit would shrink keeps its glyphs at least this many pixels (up to twice the limit side; 0: off)
    text_det_min_glyph: float = MIN_GLYPH
    # a page whose glyphs measure more is shrunk until they measure this (posters, slides; 0: off)
    text_det_max_glyph: float = MAX_GLYPH
    # a photo's scene (not print on a flat light ground) with a shorter long side is enlarged to it (0: off)
    text_det_scene_side: int = SCENE_SIDE
    text_det_thresh: float = 0.3
    text_det_box_thresh: float = 0.6
    text_det_unclip_ratio: float = 2.0  # tuned on the validation pages (DB shrink 0.4 under-recovers at 1.5)
    text_rec_score_thresh: float = 0.0
    # crops per recognizer call on CPUs: small batches waste less padding. FUNSD pages, recognizer alone, int8 (fp32)
    # at 1 thread: 177 (420) ms a page at 8 against 212 (503) at 32; at 2 threads 113 (231) against 119 (281)
    rec_batch_size: int = 8
    use_textline_orientation: bool = False  # turn upside-down lines over before reading them (needs the classifier)
    use_doc_orientation_classify: bool = False  # turn pages upright before detection (needs the page classifier)
    use_deskew: bool = False  # straighten pages turned up to 45 degrees off before detection (ocdr.deskew)
    use_doc_unwarping: bool = False  # flatten a photographed sheet before detection (ocdr.unwarp)
    # read an unsure crop again with a margin, stretched, narrowed and inverted, and keep the text the readings agree
    # on (ocdr.models.recognition.variants): word F +0.5-0.8 on forms, receipts and pages; forms take 26-42% longer
    use_rec_variants: bool = True
    # read a photo's scene (not print on a flat light ground: ``paper_gray``; on a ground darker than
    # ``SCENE_GROUND``, more than ``CROP_SIDE`` across) with the scene detector where one is loaded
    # (``OCR(scene_det_model=...)``; by default with the shipped detector): ICDAR 2015 held-out hmean 0.517 -> 0.701
    use_scene_detector: bool = True
    # each word's characters boxed too (Word.chars; hOCR ocrx_cinfo, ALTO and PAGE glyphs): for highlighting or
    # redacting part of a word
    return_char_boxes: bool = False
    # the settings a caller chose (``with_overrides``), which a model's own picks never replace (``with_defaults``)
    chosen: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def __post_init__(self) -> None:
        for f in fields(self):
            value, kinds = getattr(self, f.name), _SETTING_TYPES.get(str(f.type))
            if kinds and (not isinstance(value, kinds) or (f.type != "bool" and isinstance(value, bool))):
                raise ValueError(f"{f.name} must be a{'n' * (f.type == 'int')} {f.type}, got {value!r}")
        if self.text_det_limit_type not in LIMIT_TYPES:
            raise ValueError(f"text_det_limit_type must be one of {LIMIT_TYPES}, got {self.text_det_limit_type!r}")
        side = self.text_det_limit_side_len
        if not isinstance(side, int) or not 32 <= side <= 8192:
            raise ValueError(f"text_det_limit_side_len must be an int in [32, 8192], got {side!r}")
        for name in ("text_det_thresh", "text_det_box_thresh", "text_rec_score_thresh"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        for name in ("text_det_min_glyph", "text_det_max_glyph"):
            if not 0.0 <= getattr(self, name) <= 200.0:
                raise ValueError(f"{name} must be in [0, 200] pixels, got {getattr(self, name)}")
        if 0.0 < self.text_det_max_glyph < self.text_det_min_glyph:
            raise ValueError(
                f"text_det_max_glyph {self.text_det_max_glyph} is under text_det_min_glyph {self.text_det_min_glyph}"
            )
        if not 0.0 < self.text_det_unclip_ratio <= 10.0:
            raise ValueError(f"text_det_unclip_ratio must be in (0, 10], got {self.text_det_unclip_ratio}")
        scene = self.text_det_scene_side
        if not isinstance(scene, int) or not (scene == 0 or 32 <= scene <= 8192):
            raise ValueError(f"text_det_scene_side must be 0 (off) or an int in [32, 8192], got {scene!r}")
        if not isinstance(self.rec_batch_size, int) or self.rec_batch_size < 1:
            raise ValueError(f"rec_batch_size must be a positive int, got {self.rec_batch_size}")

    def with_overrides(self, **overrides) -> OCRParams:
        """These settings with the caller's choices (None: left as they are)."""
        known = set(asdict(self)) - {"chosen"}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise TypeError(f"unknown OCR parameter(s) {unknown}; known: {sorted(known)}")
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, chosen=self.chosen | set(given), **given)

    def with_defaults(self, **defaults) -> OCRParams:
        """These settings with a model's own picks (``ocdr export --text-det-...``) where the caller chose none, so
        a caller who passes a value that happens to equal some model's pick still gets it."""
        return replace(self, **{k: v for k, v in defaults.items() if k not in self.chosen})

    def page_params(self) -> dict:
        """The settings as stored in ``Page.params`` (PaddleX's ``text_det_params`` names)."""
        return {
            "limit_side_len": self.text_det_limit_side_len,
            "limit_type": self.text_det_limit_type,
            "min_glyph": self.text_det_min_glyph,
            "max_glyph": self.text_det_max_glyph,
            "scene_side": self.text_det_scene_side,
            "thresh": self.text_det_thresh,
            "box_thresh": self.text_det_box_thresh,
            "unclip_ratio": self.text_det_unclip_ratio,
            "text_rec_score_thresh": self.text_rec_score_thresh,
            "use_textline_orientation": self.use_textline_orientation,
            "use_doc_orientation_classify": self.use_doc_orientation_classify,
            "use_deskew": self.use_deskew,
            "use_doc_unwarping": self.use_doc_unwarping,
            "use_rec_variants": self.use_rec_variants,
            "use_scene_detector": self.use_scene_detector,
        }


def detector_sizes(
    image: np.ndarray, params: OCRParams, enlarge: bool = False
) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """The sizes the detector reads ``image`` at under ``params``: main, and large print's or None
    (``detection_sizes``). ``enlarge``: read it at least ``text_det_scene_side`` long (a photo's scene:
    ``TextDetector``)."""
    return detection_sizes(
        image,
        params.text_det_limit_side_len,
        params.text_det_limit_type,
        min_glyph=params.text_det_min_glyph,
        max_glyph=params.text_det_max_glyph,
        min_long_side=params.text_det_scene_side if enlarge else 0,
    )


class TextDetector:
    """DBNet on ONNX Runtime: image -> scored quads in image pixels. ``scene_model``: a second DBNet for photos'
    scenes (``use_scene_detector``), which reads street photos' words better than one network trained on pages and
    photos together does, and pages worse."""

    def __init__(self, model: OnnxModel, scene_model: OnnxModel | None = None):
        for m in (model, scene_model):
            if m is not None and m.metadata.get("kind", "det") != "det":
                raise ModelError(f"{m.path} is not a detection model (kind={m.metadata.get('kind')!r})")
        self.model = model
        self.scene_model = scene_model
        # post-processing settings picked for this model (``ocdr export --text-det-...``), used unless a user sets them
        self.defaults: dict[str, float] = json.loads(model.metadata.get("defaults", "{}"))
        self.scene_defaults: dict[str, float] = json.loads((scene_model or model).metadata.get("defaults", "{}"))

    def reads_scene(self, image: np.ndarray, params: OCRParams, scene: bool) -> bool:
        """Whether the scene detector reads ``image`` (``__call__``): a photo's scene more than ``CROP_SIDE``
        across on a ground darker than ``SCENE_GROUND``, with ``use_scene_detector`` and a scene detector loaded."""
        return (
            scene
            and not crop_border(image)
            and params.use_scene_detector
            and self.scene_model is not None
            and ground(image)[0] < SCENE_GROUND
        )

    def settings(self, image: np.ndarray, params: OCRParams, scene: bool) -> OCRParams:
        """The settings ``image`` is read with: where the scene detector reads it, that file's own stored picks for
        those the caller did not choose, so each file reads with the settings picked for it, its regions' readings
        too (``text_rec_score_thresh``: the scene detector's regions read under 0.4 sure were mostly not text)."""
        return params.with_defaults(**self.scene_defaults) if self.reads_scene(image, params, scene) else params

    def __call__(self, image: np.ndarray, params: OCRParams, scene: bool | None = None) -> list[DetectedRegion]:
        """The regions of ``image``. ``scene``: whether it is a photo's scene, not a page of print on a flat light
        ground; None: told here (``paper_gray``). A scene is read at least ``text_det_scene_side`` long, unless it
        may be a word or line cropped close (``crop_border``): a crop's text already fills it, and enlarged 10-30
        times it is not found at all (synthetic scene words read as images, exactly: 0.649 before the scene side,
        0.168 with it applied to them). Such an image is enlarged only as a small photo (``fills``). A photo's scene
        on a ground darker than ``SCENE_GROUND`` goes to the scene detector where there is one
        (``use_scene_detector``); an image no more than ``CROP_SIDE`` across to the main one: the scene detector
        learnt whole street photos, and read close-cropped words worse (SVT read as images 0.600 -> 0.480; a
        banner's light print on black lost a letter's case). Lone characters scored under ``box_thresh`` are kept in
        print only (``DBPostProcessor``)."""
        if scene is None:
            scene = paper_gray(image) is None
        cropped = crop_border(image) > 0
        model = self.model
        if self.reads_scene(image, params, scene):
            model, params = self.scene_model or model, params.with_defaults(**self.scene_defaults)
        post = DBPostProcessor(
            params.text_det_thresh, params.text_det_box_thresh, params.text_det_unclip_ratio, print_page=not scene
        )
        size, large_size = detector_sizes(image, params, enlarge=scene and not cropped)
        regions = post(self.run(image, size, model), image.shape[:2])
        if scene and params.text_det_scene_side and cropped and regions and not fills(image, regions):
            # text found, none filling it: a small photo, not a crop, whose text is small: read enlarged (ICDAR 2015
            # tuning photos shrunk to 238x422: word F 0.128, never enlarged 0.099; enlarging those with nothing
            # found at their own size too, 0.161, but then every close crop missed at its size, and every patch
            # without text, took 4x as long)
            size, large_size = detector_sizes(image, params, enlarge=True)
            regions = post(self.run(image, size, model), image.shape[:2])
        if large_size is None:  # print the glyph measure missed, found too tall
            tallest = max((region_height(r.polygon) for r in regions), default=0.0) * size[0] / image.shape[0]
            large_size = tall_region_size(size, tallest, params.text_det_max_glyph)
        if large_size is None:
            return regions
        # the second reading keeps only print too large for the main one (measured at the main size)
        least = LARGE_PRINT * params.text_det_max_glyph * image.shape[0] / size[0]
        large = [
            r for r in post(self.run(image, large_size, model), image.shape[:2]) if region_height(r.polygon) >= least
        ]
        return merge_large_print(regions, large)

    def run(self, image: np.ndarray, size: tuple[int, int], model: OnnxModel | None = None) -> np.ndarray:
        """``model``'s (default: the main one's) probability map of ``image`` read at ``size`` (H, W), before
        post-processing. An image no more than ``CROP_SIDE`` pixels across (a word or line cropped close) is read
        with ``DET_PAD`` pixels of background around it, which the map leaves out again; pages and photos are not (a
        border of one colour around a photo adds false regions at its edges: ICDAR 2015 photos lost 3 points of word
        F)."""
        model = model or self.model
        gray = model.metadata.get("color") == "gray"  # trained on gray pages (models exported before: RGB)
        pad = crop_border(image)
        prob = model.run(detection_input(image, size, gray, pad))[0, 0]
        return prob[pad : prob.shape[0] - pad, pad : prob.shape[1] - pad]


class TextRecognizer:
    """CRNN on ONNX Runtime: crops -> CTC results, batched by width so padding stays small. With ``buckets`` (GPU
    devices) every model call has one of a few fixed shapes, so the accelerator does not re-plan per crop width.
    With a ``lexicon``, words read outside it that one of its words nearly matches become that word
    (``ocdr.models.recognition.lexicon``). With ``workers`` > 1, a call of several batches reads them that many at
    a time on ``worker_model`` (a one-thread session of the same network): one batch's word-list search, in
    Python, then runs while another is in the network, where ``model`` on all its threads would leave all but one
    idle during it. A call of one batch (a crop read alone) is still read by ``model``, on all its threads."""

    def __init__(
        self,
        model: OnnxModel,
        buckets: ShapeBuckets | None = None,
        lexicon: Lexicon | None = None,
        workers: int = 1,
        worker_model: OnnxModel | None = None,
    ):
        meta = model.metadata
        if meta.get("kind") != "rec" or "charset" not in meta:
            raise ModelError(f"{model.path} is not an ocdr recognition model (no charset in its metadata)")
        self.model = model
        self.chars = list(meta["charset"])
        self.height = int(meta.get("height", REC_HEIGHT))
        self.buckets = buckets
        self.lexicon = lexicon
        self.tail = round(REC_TAIL * self.height)  # pixels of background read after each crop
        self.workers = workers
        self.worker_model = worker_model or model
        self._pool: tuple[int, ThreadPoolExecutor] | None = None  # made by the process that uses it
        self._pool_lock = threading.Lock()

    @property
    def pool(self) -> ThreadPoolExecutor | None:
        """The worker threads (None with one worker), started on first use in this process: a process forked from
        one that used them has none of their threads, and work handed to that pool would wait for ever."""
        if self.workers < 2:
            return None
        with self._pool_lock:
            if self._pool is None or self._pool[0] != os.getpid():
                self._pool = (os.getpid(), ThreadPoolExecutor(self.workers, thread_name_prefix="ocdr-rec"))
            return self._pool[1]

    def batches(self, crops: list[np.ndarray], batch_size: int) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
        """``(crop indices, model input, valid widths)`` for each model call; the input may have padding rows, and
        each valid width counts the crop's background tail (``REC_TAIL``)."""
        return self._batches([resize_crop(c, self.height) for c in crops], batch_size)

    def _batches(
        self, resized: list[np.ndarray], batch_size: int
    ) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
        order = sorted(range(len(resized)), key=lambda i: resized[i].shape[1])
        if self.buckets:
            batch_size = min(batch_size, max(self.buckets.batches))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            widest = resized[idx[-1]].shape[1] + self.tail
            width = self.buckets.width(widest) if self.buckets else padded_width(widest)
            batch, widths = batch_crops([resized[i] for i in idx], width, REC_TAIL)
            if self.buckets:
                batch = np.pad(batch, ((0, self.buckets.batch(len(idx)) - len(idx)), (0, 0), (0, 0), (0, 0)))
            yield idx, batch, widths

    def __call__(
        self, crops: list[np.ndarray], batch_size: int = 32, margin: float | Sequence[float] = LEXICON_MARGIN
    ) -> list[CTCResult]:
        """One result per crop. Its ``num_steps`` are the crop's own, so positions map onto the crop; a character
        read in the background tail lies past them. ``margin``: the word list's, for all crops or one per crop."""
        margins = [margin] * len(crops) if isinstance(margin, float | int) else list(margin)
        pool = self.pool if len(crops) > batch_size else None  # one batch: the all-threads model reads it
        model = self.model if pool is None else self.worker_model

        def read(job: tuple[list[int], np.ndarray, np.ndarray]) -> list[tuple[int, CTCResult]]:
            idx, batch, widths = job
            probs = model.run(batch)[: len(idx)]
            decoded = ctc_greedy_decode(probs, self.chars, output_steps(widths))
            out = []
            for row, (i, res, steps) in enumerate(zip(idx, decoded, output_steps(widths - self.tail), strict=True)):
                if self.lexicon is not None:
                    res = self.lexicon.correct(res, probs[row, : res.num_steps], self.chars, margins[i])
                out.append((i, replace(res, num_steps=int(steps))))
            return out

        pieces, owners, cuts = self._pieces(crops)
        margins = [margins[i] for i in owners]
        jobs = self._batches(pieces, batch_size)
        results: list[CTCResult | None] = [None] * len(pieces)
        for out in map(read, jobs) if pool is None else _in_order(pool, read, jobs, 2 * self.workers):
            for i, res in out:
                results[i] = res
        read_pieces = iter(results)
        return [
            _joined([next(read_pieces) for _ in range(len(cut) + 1)], cut, self.height)  # type: ignore[misc]
            for cut in cuts
        ]

    def _pieces(self, crops: list[np.ndarray]) -> tuple[list[np.ndarray], list[int], list[list[tuple[int, int]]]]:
        """Each crop at the network's height, a crop wider than ``MAX_WIDTH`` there cut into pieces
        (``wide_cuts``): the pieces, the crop each is from, and each crop's cuts."""
        pieces, owners, cuts = [], [], []
        for i, crop in enumerate(crops):
            h, w = crop.shape[:2]
            wide = h > 0 and w * self.height > MAX_WIDTH * h
            resized = resize_crop(crop, self.height, WIDE_PIECES * MAX_WIDTH if wide else MAX_WIDTH)
            cut = wide_cuts(resized)
            edges = [0, *(x for x, _ in cut), resized.shape[1]]
            pieces += [resized[:, a:b] for a, b in itertools.pairwise(edges)]
            owners += [i] * (len(cut) + 1)
            cuts.append(cut)
        return pieces, owners, cuts


def _joined(readings: list[CTCResult], cuts: list[tuple[int, int]], height: int) -> CTCResult:
    """A wide crop's reading from its pieces' (``TextRecognizer._pieces``): their texts in turn, a space where the
    cut lay in a gap of ``WORD_SPACE`` x the height or more, each piece's steps after the ones before."""
    if not cuts:
        return readings[0]
    text, probs, positions, offset = readings[0].text, list(readings[0].char_probs), list(readings[0].positions), 0
    for (x, gap), reading in zip(cuts, readings[1:], strict=True):
        offset = int(output_steps([x])[0])
        if gap >= WORD_SPACE * height and text and reading.text and not text.endswith(" "):
            text, probs, positions = text + " ", [*probs, 1.0], [*positions, (offset, offset)]
        text += reading.text
        probs += reading.char_probs
        positions += [(a + offset, b + offset) for a, b in reading.positions]
    return CTCResult(text, probs, positions, offset + readings[-1].num_steps)


def _in_order(pool: ThreadPoolExecutor, fn: Callable[[T], R], items: Iterable[T], ahead: int) -> Iterator[R]:
    """``fn`` of each item, in order, run on ``pool`` with at most ``ahead`` items handed over and not yet taken
    back (``Executor.map`` would take every item at once: a call of thousands of crops would hold every batch's
    pixels as floats)."""
    waiting: deque[Future[R]] = deque()
    for item in items:
        waiting.append(pool.submit(fn, item))
        if len(waiting) >= ahead:
            yield waiting.popleft().result()
    while waiting:
        yield waiting.popleft().result()


def drop_repeats(words: list[Word]) -> list[Word]:
    """``words`` less those read twice: a word lying mostly (``REPEAT_OVERLAP`` of its box) on a longer word whose
    text holds its own. Unclipped, a short region reaches into its neighbour, and its reading may take in the
    neighbour's first or last glyph ("12 - 48": "12" and "2 - 48"); once spaced, that glyph is a word of its own. A
    word lying nearly wholly (``NESTED``) inside a longer one is a piece of it found again (a faint region around
    the "o" of "Page 1 of 2", read "C"), whatever it was read as."""
    boxes = [polygon_box(w.polygon) for w in words]
    order = sorted(range(len(words)), key=lambda i: boxes[i][1])  # by top: a word meets only its line's neighbours
    dropped = set()
    for n, i in enumerate(order):
        x0, y0, x1, y1 = boxes[i]
        for j in order[n + 1 :]:
            u0, v0, u1, v1 = boxes[j]
            if v0 >= y1:
                break
            overlap = max(0.0, min(x1, u1) - max(x0, u0)) * max(0.0, min(y1, v1) - v0)
            for small, large, area in ((i, j, (x1 - x0) * (y1 - y0)), (j, i, (u1 - u0) * (v1 - v0))):
                texts = words[small].text, words[large].text
                if len(texts[0]) >= len(texts[1]) or overlap < REPEAT_OVERLAP * area:
                    continue
                if texts[0] in texts[1] or (overlap >= NESTED * area and _nested(words[small], words[large])):
                    dropped.add(small)
    return [w for k, w in enumerate(words) if k not in dropped]


def _nested(small: Word, large: Word) -> bool:
    """Whether ``small`` lies ``NESTED`` inside ``large``, polygon in polygon (not just boxes: a stamp turned across
    a page's lines holds their words in its box, not in its polygon)."""
    a, b = (cv2.convexHull(np.asarray(w.polygon, np.float32)) for w in (small, large))
    inside, _ = cv2.intersectConvexConvex(a, b)
    return inside >= NESTED * cv2.contourArea(a)


def split_words(quad: np.ndarray, result: CTCResult, ends: float = 0.0, chars: bool = False) -> list[Word]:
    """Words of a recognized region. A region read with spaces (a line) is cut into word boxes at the CTC
    positions of its characters: cuts fall midway through the gaps, the ends half a character out. ``ends``: the
    crop that was read reached this many heights beyond each end of ``quad`` (``CROP_PAD_X``); boxes stay inside
    ``quad``. With ``chars``, each word's box is cut into char boxes the same way (``return_char_boxes``)."""
    spans = [(m.group(), m.start(), m.end() - 1) for m in re.finditer(r"\S+", result.text)]
    if not spans:
        return []
    if len(spans) == 1 and not chars:
        return [Word(quad, spans[0][0], result.confidence)]
    frame = pad_quad(quad, 0.0, ends)
    inside = ends * quad_aspect(quad) / (1 + 2 * ends * quad_aspect(quad))  # where quad starts, as a part of frame
    if len(spans) == 1:
        token, a, b = spans[0]
        return [Word(quad, token, result.confidence, _char_boxes(frame, result, a, b, inside, 1 - inside))]
    pos, steps = result.positions, max(1, result.num_steps)
    centers = [(a + b + 1) / 2 for a, b in pos]
    pitch = (centers[-1] - centers[0]) / max(1, len(centers) - 1)
    cuts = [(pos[left[2]][1] + 1 + pos[right[1]][0]) / 2 for left, right in zip(spans, spans[1:], strict=False)]
    starts = [centers[spans[0][1]] - pitch / 2, *cuts]
    stops = [*cuts, centers[spans[-1][2]] + pitch / 2]
    words = []
    for (token, a, b), start, end in zip(spans, starts, stops, strict=True):
        s = min(max(inside, start / steps), 1 - inside - 1e-3)
        e = max(min(1 - inside, end / steps), s + 1e-3)
        conf = float(np.exp(np.mean(np.log(np.clip(result.char_probs[a : b + 1], 1e-8, 1.0)))))
        boxes = _char_boxes(frame, result, a, b, s, e) if chars else None
        words.append(Word(sub_quad(frame, s, e), token, conf, boxes))
    return words


def _char_boxes(frame: np.ndarray, result: CTCResult, first: int, last: int, start: float, end: float) -> list[Char]:
    """Char boxes of ``result.text[first : last + 1]``, a word spanning fractions ``start``-``end`` of ``frame``
    (the crop read): cut midway between the steps where neighbouring characters were read (``CHAR_CUT_SHIFT``)."""
    pos, steps = result.positions, max(1, result.num_steps)
    cuts = [((pos[i][1] + 1 + pos[i + 1][0]) / 2 + CHAR_CUT_SHIFT) / steps for i in range(first, last)]
    fractions = np.maximum.accumulate(np.clip([start, *cuts, end], start, end))  # in order, inside the word
    quads = split_quad(frame, fractions)
    return [
        Char(q, result.text[i], float(result.char_probs[i])) for q, i in zip(quads, range(first, last + 1), strict=True)
    ]


class _AngleClassifier:
    """An orientation CNN on ONNX Runtime whose classes are the angles in its ``angles`` metadata."""

    kind, what = "", ""

    def __init__(self, model: OnnxModel):
        if model.metadata.get("kind") != self.kind:
            raise ModelError(f"{model.path} is not an ocdr {self.what} model")
        self.model = model
        self.angles = [int(a) for a in json.loads(model.metadata["angles"])]


class SceneClassifier(_AngleClassifier):
    """Whole-photo orientation: image -> probabilities of its angles, from the photo's centre square read turned
    each of the four ways and mirrored, for street photos whose text is too sparse for the page squares."""

    kind, what = "cls_scene", "scene orientation"

    def __call__(self, image: np.ndarray) -> np.ndarray:
        return scene_votes(self.model.run(scene_batch(image)))


class PageRanking(NamedTuple):
    """A page's angles likeliest first, each with the squares' vote for it, and the order's share of its first
    angle (the vote times the scene model's probabilities, normalized; the vote's own share without a scene)."""

    angles: list[tuple[int, float]]
    lead: float


class PageClassifier(_AngleClassifier):
    """Page orientation: image -> (angle the content is turned clockwise: 0/90/180/270, confidence), by the vote
    of the page's most inked squares. With a ``scene`` classifier, a page the squares are not sure of is ranked by
    both."""

    kind, what = "cls_page", "page orientation"

    def __init__(self, model: OnnxModel, scene: SceneClassifier | None = None):
        super().__init__(model)
        if scene is not None and scene.angles != self.angles:
            raise ModelError(f"{scene.model.path}: angles {scene.angles}, the page model's are {self.angles}")
        self.scene = scene

    def __call__(self, image: np.ndarray) -> tuple[int, float]:
        return self.ranking(image).angles[0]

    def ranking(self, image: np.ndarray) -> PageRanking:
        """The four angles with the vote's probability of each, likeliest first. A page it is not sure of
        (``PAGE_SURE``: photos, hardly ever documents) is voted on again with its squares also read turned by 90,
        180 and 270 degrees, each reading mapped back to the page's own angles, so that the model's leanings towards
        some angle whatever the content (it takes many upright street photos for 180) cancel out, as the text-line
        classifier's do when it reads a crop both ways up. Such a page's angles are then ordered by that vote times
        the scene model's probabilities (``SCENE_WEIGHT``), while the probabilities reported stay the vote's: still
        under ``PAGE_SURE``, so the page is still read in that order, unless the order itself is ``ORDER_SURE``."""
        batch = page_batch(image)
        probs = self.model.run(batch)
        joint = order = vote_probs(probs)
        if joint.max() < PAGE_SURE:
            joint = order = vote_probs(np.concatenate([probs, self._turned(batch)]))
            if self.scene is not None:  # what is up in the scene orders the readings; the squares' odds stay reported
                order = joint * self.scene(image) ** SCENE_WEIGHT
                order = order / order.sum()
        ranked = np.argsort(-order, kind="stable")
        return PageRanking([(self.angles[k], float(joint[k])) for k in ranked], float(order[ranked[0]]))

    def _turned(self, batch: np.ndarray) -> np.ndarray:
        """Class probabilities of the squares turned 90, 180 and 270 degrees counterclockwise, in the columns of
        the unturned page's angles: content turned ``a`` clockwise, turned back by ``t``, reads as ``a - t``."""
        turns = (90, 180, 270)
        probs = self.model.run(np.concatenate([np.rot90(batch, t // 90, axes=(2, 3)) for t in turns]))
        return np.concatenate(
            [
                part[:, [self.angles.index((a - t) % 360) for a in self.angles]]
                for part, t in zip(np.split(probs, len(turns)), turns, strict=True)
            ]
        )


class TextlineClassifier(_AngleClassifier):
    """Text-line orientation: crops -> (angle, confidence), angle 0 or 180.

    A crop the model is not sure of (``SURE_LOG_ODDS``) is classified turned over as well, and the two verdicts are
    averaged (log-odds of 180 for the crop minus those for its turned copy): the model's leanings that do not depend
    on the text's orientation cancel out. On the held-out real crops this took accuracy from 88.8% to 90.7% (SROIE
    lines 96.5% -> 100%); asking only the unsure ones (40% of them) gave the same answers as asking all."""

    kind, what = "cls_line", "text-line orientation"

    def evidence(self, crops: list[np.ndarray], batch_size: int = 64) -> np.ndarray:
        """Evidence (log-odds) that each crop is turned by 180 degrees."""
        out = [np.zeros(0)]
        for start in range(0, len(crops), batch_size):
            chunk = crops[start : start + batch_size]
            evidence = log_odds(self.model.run(cls_batch(chunk)))
            asked = unsure(evidence)
            if len(asked):
                turned = log_odds(self.model.run(cls_batch([chunk[i] for i in asked], turned=True)))
                evidence[asked] = settle(evidence[asked], turned)
            out.append(evidence)
        return np.concatenate(out)

    def __call__(self, crops: list[np.ndarray], batch_size: int = 64) -> list[tuple[int, float]]:
        return [(self.angles[int(e > 0)], float(1 / (1 + np.exp(-abs(e))))) for e in self.evidence(crops, batch_size)]


def _finished(crop: np.ndarray, result: CTCResult) -> CTCResult:
    """A reading of ``crop`` with the dashes and figures spaced, degree signs put back, thousands separators read as
    points put right, each word in one script, the letter case set by height (and the accented letters of words of
    capitals in capitals) and the quotes paired."""
    spaced = thousands_commas(crop, degree_signs(crop, space_gaps(crop, space_dashes(crop, result))))
    return pair_quotes(accented_capitals(case_by_height(crop, one_script(spaced))))


def _as_i(bar: np.ndarray, score: float, angle: int) -> tuple[DetectedRegion, np.ndarray, CTCResult, int]:
    """A region of a capital "I" told by its glyph's shape (``capital_i``), read ``SHAPE_READING`` sure: its box
    ``bar`` (page pixels) a pixel wider each side, the detector's ``score`` for it, its text-line ``angle``."""
    quad = quad_from_box(bar[0] - 1, bar[1], bar[2] + 1, bar[3])
    return DetectedRegion(quad, score), quad, CTCResult("I", [SHAPE_READING], [(0, 0)], 1), angle


def _settle_lone_letters(image: np.ndarray, page: Page) -> None:
    """Each line's one-letter words in the script of their neighbours (``lone_letters``), then those and the words
    of look-alike letters alone in the case their height beside a neighbour gives (``_lone_cases``), their chars
    with them. ``image``: the page as read, in the coordinates of its words' polygons."""
    lines = page.lines
    scripts = [lone_letters([w.text for w in line.words]) for line in lines]
    for line, texts in zip(lines, _lone_cases(image, lines, scripts), strict=True):
        for word, text in zip(line.words, texts, strict=True):
            if text != word.text:
                word.text = text
                if word.chars is not None:  # one per character: a letter for a letter
                    for char, letter in zip(word.chars, text, strict=True):
                        char.text = letter


def _settle_units(image: np.ndarray, page: Page) -> None:
    """A unit's "g" read "9" after a number ("225 g" read "225 9", "(per 100 g)" read "(per 100 9)"): the
    recognizer reads a "g" alone as a "9"; beside the figures before it, its glyph hangs from their x-height past
    their line (``descends_past_figures``). ``image``: the page as read, in the coordinates of its words' polygons."""
    for line in page.lines:
        for before, word in itertools.pairwise(line.words):
            if not (_UNIT_G.fullmatch(word.text) and _FIGURES.fullmatch(before.text)):
                continue
            quad = enclosing_polygon([before.polygon, word.polygon])
            if quad_aspect(quad) >= 1.0:
                continue
            crop = region_crops(image, [quad], CROP_PAD_X)[0]
            text = printed(before.text)
            if descends_past_figures(crop, text + word.text, len(text.replace(" ", ""))):
                word.text = "g" + word.text[1:]
                if word.chars:
                    word.chars[0].text = "g"


def _lone_cases(image: np.ndarray, lines: list[Line], texts: list[list[str]]) -> list[list[str]]:
    """``texts`` (of each line's words), a word whose letters are all drawn alike in both cases ("с" or "С", "o" or
    "O", "пол" read "ПоЛ") put in the case its glyphs' heights give when read with the next word of two characters
    or more, or where that gives no heights to go by, the one before: the crop of such a word alone, which the
    recognizer and ``case_by_height`` read, shows no letter of a known height to measure it against."""
    texts = [list(line) for line in texts]
    pairs: list[tuple[int, int, int]] = []  # (line, lone word, a neighbour), the next one's first
    quads: list[np.ndarray] = []
    for n, line in enumerate(lines):
        for i, text in enumerate(texts[n]):
            letters = [c for c in text if c.isalpha()]
            if not letters or not all(c in CASE_LOOKALIKES for c in letters):
                continue
            for j in (i + 1, i - 1):
                if not (0 <= j < len(texts[n]) and len(texts[n][j]) > 1):
                    continue
                quad = enclosing_polygon([line.words[i].polygon, line.words[j].polygon])
                if quad_aspect(quad) < 1.0:  # side by side along a line across
                    pairs.append((n, i, j))
                    quads.append(quad)
    settled: set[tuple[int, int]] = set()
    for (n, i, j), crop in zip(pairs, region_crops(image, quads, CROP_PAD_X) if quads else [], strict=True):
        if (n, i) in settled:
            continue
        # superscript and subscript figures are painted out of ``image``: the glyphs pair with the rest ("x₁")
        lone, other = (printed(texts[n][k]) for k in (i, j))
        both = height_cases(crop, lone + " " + other if i < j else other + " " + lone)
        if both is not None:
            cased = iter(both[: len(lone)] if i < j else both[-len(lone) :])
            texts[n][i] = "".join(c if c in SCRIPT_FIGURES else next(cased) for c in texts[n][i])
            settled.add((n, i))
    return texts


def _legible(word: str, confidence: float) -> bool:
    """A word read plainly: at least ``LEGIBLE_CONFIDENCE`` sure, with at least ``LEGIBLE_CHARS`` letters or digits."""
    return confidence >= LEGIBLE_CONFIDENCE and sum(ch.isalnum() for ch in word) >= LEGIBLE_CHARS


def _nodes(page: Page) -> list:
    """Every node of a page's result that has a polygon in the page's pixels."""
    words = page.words
    return [*page.blocks, *page.lines, *words, *(c for w in words for c in w.chars or ()), *page.regions]


def _turned_over(polygon: np.ndarray, width: int, height: int) -> np.ndarray:
    """A polygon of a ``width`` x ``height`` page in that page turned by 180 degrees, its first corner still the
    top-left one."""
    return np.roll(unturn_points(polygon, 180, width, height), len(polygon) // 2, axis=0)


def region_crops(image: np.ndarray, quads: list[np.ndarray], ends: float = 0.0) -> list[np.ndarray]:
    """The crops the classifiers and (with ``ends=CROP_PAD_X``) the recognizer read: each quad grown by
    ``CROP_PAD`` x its height above and below and ``ends`` x its height at each end, rectified."""
    pad = crop_border(image)  # a word cropped close: its crops grow into background, not into repeated ink
    image = pad_border(image, pad)
    return [crop_region(image, pad_quad(q + pad, CROP_PAD, ends), rotate_vertical=False) for q in quads]


def _add_reading(
    regions: list[Region],
    words: list[Word],
    det: DetectedRegion,
    quad: np.ndarray,
    res: CTCResult,
    angle: int,
    params: OCRParams,
    ends: float = CROP_PAD_X,
) -> None:
    """One region's reading added to a page's ``regions``, and its words to ``words`` when it is kept: some text,
    read at least ``text_rec_score_thresh`` sure, and (a region the detector was barely sure of)
    ``WEAK_REGION_READING`` sure. ``ends``: as ``split_words``'s (0 for a crop read as it is)."""
    kept = (
        bool(res.text.strip())
        and res.confidence >= params.text_rec_score_thresh
        and (det.score >= WEAK_REGION or res.confidence >= WEAK_REGION_READING)
    )
    regions.append(Region(det.polygon, det.score, res.text, res.confidence, kept, angle))
    if kept:
        words.extend(split_words(quad, res, ends, params.return_char_boxes))


def fills(image: np.ndarray, found: list[DetectedRegion] | list[Word]) -> bool:
    """Whether any region (or word) ``found`` in ``image`` is at least ``CROP_FILL`` of its height: the text of a
    word or line cropped close, not of a small photo."""
    return any(region_height(r.polygon) >= CROP_FILL * image.shape[0] for r in found)


def crop_border(image: np.ndarray) -> int:
    """Pixels of background the detector and the crops read around ``image``: ``DET_PAD`` for a word or line
    cropped close (shorter side at most ``CROP_SIDE``), 0 for pages and photos."""
    return DET_PAD if min(image.shape[:2]) <= CROP_SIDE else 0


class OCRPipeline:
    """(Page orientation,) detection, (text-line orientation,) recognition and layout for one page image
    (HxWx3 uint8 RGB). ``slant_recognizer``: what reads the slants a crop is tried at (``read_upright``), a faster
    copy of ``recognizer`` (its int8 one on a CPU); None: ``recognizer`` itself."""

    def __init__(
        self,
        detector: TextDetector,
        recognizer: TextRecognizer,
        line_classifier: TextlineClassifier | None = None,
        page_classifier: PageClassifier | None = None,
        slant_recognizer: TextRecognizer | None = None,
    ):
        self.detector = detector
        self.recognizer = recognizer
        self.line_classifier = line_classifier
        self.page_classifier = page_classifier
        self.slant_recognizer = slant_recognizer or recognizer

    def check_upside_down(
        self, image: np.ndarray, detections: list[DetectedRegion], confidence: float | None
    ) -> tuple[np.ndarray, list[DetectedRegion], bool, float | None]:
        """The page classifier's 0 against 180 checked by the text-line classifier on the detected regions,
        which tells them apart more surely from many lines than the page classifier does from a few squares (it
        takes 270 for 90 now and then). When most of the text of the ``CHECK_REGIONS`` longest regions (weighed by
        their length in heights, about their characters) reads turned over, the page and its regions are turned by
        180 degrees; under ``CHECK_MIN_LENGTH`` heights of text, the page classifier's angle stands. Returns the
        page, its regions, whether it was turned, and the page confidence times the share of the text that agrees."""
        if self.line_classifier is None or not detections:
            return image, detections, False, confidence
        lengths = np.array([1 / max(quad_aspect(d.polygon), 1e-3) for d in detections])
        longest = np.argsort(-lengths)[:CHECK_REGIONS]
        if lengths[longest].sum() < CHECK_MIN_LENGTH:
            return image, detections, False, confidence
        evidence = self.line_classifier.evidence(region_crops(image, [detections[i].polygon for i in longest]))
        turned = float(lengths[longest][evidence > 0].sum() / lengths[longest].sum())
        agree = max(turned, 1 - turned)
        confidence = None if confidence is None else confidence * agree
        if turned <= 0.5:
            return image, detections, False, confidence
        height, width = image.shape[:2]
        detections = [replace(d, polygon=_turned_over(d.polygon, width, height)) for d in detections]
        return turn_180(image), detections, True, confidence

    def orient(self, image: np.ndarray, quads: list[np.ndarray], params: OCRParams) -> list[int]:
        """Turn upside-down lines' quads over (in place); each line's angle, or -1 for all when not asked."""
        if not params.use_textline_orientation:
            return [-1] * len(quads)
        if self.line_classifier is None:
            raise ModelError("use_textline_orientation needs a text-line orientation model (none is loaded)")
        # evidence for 180 degrees (log-odds) per region, pooled over the regions of each text line: a short word
        # ("by", "on") alone is a coin toss, its line is not
        evidence = self.line_classifier.evidence(region_crops(image, quads)).tolist()
        angles = [0] * len(quads)
        regions = [Word(q, "", 1.0) for q in quads]
        index = {id(w): i for i, w in enumerate(regions)}
        # the page's lean: most pages are upright or upside down as a whole, so a line of weak evidence follows it
        prior = PAGE_PRIOR * sum(evidence) / max(1, len(evidence))
        for members in ([index[id(w)] for w in line.words] for block in group_words(regions) for line in block.lines):
            total = sum(evidence[i] for i in members) + prior
            if total >= FLIP_LOG_ODDS:
                for i in members:
                    quads[i] = np.roll(quads[i], 2, axis=0)  # the same box, read from its other end
                    angles[i] = 180
        return angles

    def recognize(
        self,
        image: np.ndarray,
        detections: list[DetectedRegion],
        params: OCRParams,
        margin: float = LEXICON_MARGIN,
    ) -> tuple[list[np.ndarray], list[CTCResult], list[int]]:
        """Read each region; returns its quad in reading direction, its CTC result and its text-line angle.
        ``margin``: the word list's (``read_crops``)."""
        quads = [d.polygon for d in detections]
        angles = self.orient(image, quads, params)
        # a tall region is vertical text or a short narrow word ("I", "1"): read it both ways, keep the surer, but
        # not one glyph turned (a bar read turned is a dash)
        tall = [i for i, q in enumerate(quads) if quad_aspect(q) >= VERTICAL_RATIO]
        candidates = quads + [turn_quad(quads[i]) for i in tall]
        results = self.read_crops(region_crops(image, candidates, CROP_PAD_X), params, margin=margin)
        for k, i in enumerate(tall):
            turned = results[len(quads) + k]
            if turned.confidence > results[i].confidence and len(turned.text.strip()) > 1:
                results[i], quads[i] = turned, candidates[len(quads) + k]
        results = results[: len(quads)]
        # a weak region that would be dropped, read unsure, may hold its neighbours' end glyphs ("225 g" read
        # "225" and nothing for the "g"): read again cut back to the gap beside them, it is kept where that reads
        # letters or figures surely (marks so read were specks: ":", "=", "**" on receipts)
        strong = [d for d in detections if d.score >= WEAK_REGION]
        asked = [
            i
            for i, d in enumerate(detections)
            if d.score < WEAK_REGION
            and (results[i].confidence < WEAK_REGION_READING or not results[i].text.strip())
            and i not in tall
        ]
        cuts = cut_to_gaps([detections[i] for i in asked], strong)
        unsure = [(i, cut.polygon) for i, cut in zip(asked, cuts, strict=True) if cut is not detections[i]]
        crops = region_crops(image, [q for _, q in unsure], CROP_PAD_X)
        again = self.read_crops(crops, params, margin=margin) if unsure else []
        for (i, quad), reading in zip(unsure, again, strict=True):
            if reading.text.isalnum() and reading.confidence >= max(WEAK_REGION_READING, results[i].confidence):
                results[i], quads[i] = reading, quad
        return quads, results, angles

    def read_capital_i(
        self,
        image: np.ndarray,
        gray: np.ndarray,
        params: OCRParams,
        margin: float,
        detections: list[DetectedRegion],
        quads: list[np.ndarray],
        results: list[CTCResult],
        angles: list[int],
    ) -> tuple[list[DetectedRegion], list[np.ndarray], list[CTCResult], list[int]]:
        """A page of print's regions with each capital "I" alone read as one (``ocdr.lone_glyphs``): a region read
        as one word that holds a bar alone at an end, beside a word space, is cut in two where the rest reads as a
        list word ("lam" for "I am": "am"; "Hope" for "I hope": "hope"; not "Indiana", whose "ndiana" is none)
        and both parts are read; then each region read as a bar whose glyph stands as an "I" beside a word of
        small letters, and each such glyph in no region, is read "I" (``capital_i``), boxed as wide as its glyph.
        ``gray``: ``image`` in gray."""
        parts: dict[int, list[tuple[DetectedRegion, np.ndarray, CTCResult, int]]] = {}
        if (lexicon := self.lexicon) is not None:
            cuts: list[tuple[int, list[np.ndarray], bool, bool]] = []  # (region, its parts, bar first, space sure)
            for i, (quad, result, angle) in enumerate(zip(quads, results, angles, strict=True)):
                if angle == 180 or not (text := result.text.strip()) or " " in text or quad.shape != (4, 2):
                    continue
                if quad_aspect(quad) < MAX_ASPECT and (cut := bar_cut(crop_region(gray, quad, False))) is not None:
                    cuts.append((i, [sub_quad(quad, 0.0, cut[0]), sub_quad(quad, cut[0], 1.0)], cut[1], cut[2]))
            crops = region_crops(image, [q for _, pair, _, _ in cuts for q in pair], CROP_PAD_X) if cuts else []
            readings = iter(self.read_crops(crops, params, margin=margin))
            for i, pair, first, sure in cuts:
                read = [next(readings), next(readings)]
                if read[1 if first else 0].confidence < CUT_READING:
                    continue  # the rest alone read unsurely: the cut is no word space ("Ion" read "A" + "on")
                text = results[i].text.strip()
                rest, whole = read[1 if first else 0].text.lower(), text.lower()
                end = text[0] if first else text[-1]  # the bar as read (a serif "I" as "T")
                less = whole[1:] if first else whole[:-1]  # the rest
                # the rest a list word read as in the whole ("I ndiana": none; "1,ARA": "ARA" lost the comma), and
                # the bar dropped from the whole ("Hope" for "I hope") or read as a bar, a list word's letter ("lam",
                # "all") only where the space is wide beyond doubt
                as_bar = rest == less and end in LONE_BARS and (sure or not (end.isalpha() and lexicon.knows(whole)))
                if lexicon.knows(rest) and (rest == whole or as_bar):
                    score = detections[i].score
                    parts[i] = [(DetectedRegion(q, score), q, r, angles[i]) for q, r in zip(pair, read, strict=True)]
        found = [
            part
            for i, region in enumerate(zip(detections, quads, results, angles, strict=True))
            for part in parts.get(i, [region])
        ]
        held, repeats, missed = capital_i(
            gray, [d for d, _, _, _ in found], [(r.text, r.confidence) for _, _, r, _ in found]
        )
        kept = [
            (d, q, r, a) if bar is None or a == 180 else _as_i(bar, d.score, a)  # read upright, cut upright
            for k, ((d, q, r, a), bar) in enumerate(zip(found, held, strict=True))
            if k not in repeats
        ]
        kept += [_as_i(bar, MISSED_SCORE, 0 if params.use_textline_orientation else -1) for bar in missed]
        return [k[0] for k in kept], [k[1] for k in kept], [k[2] for k in kept], [k[3] for k in kept]

    def read_vertical(
        self,
        image: np.ndarray,
        params: OCRParams,
        margin: float,
        scene: bool,
        detections: list[DetectedRegion],
        quads: list[np.ndarray],
        results: list[CTCResult],
        angles: list[int],
    ) -> tuple[list[DetectedRegion], list[np.ndarray], list[CTCResult], list[int]]:
        """The page's regions and readings (``recognize``'s, ``detections`` in its order) with the pieces of lines
        running down the page replaced by the lines found whole in the strips around them turned a quarter
        (``ocdr.vertical``). Each line is read once each way along the strip; the surer reading replaces the pieces
        whose middles it covers when it is at least ``LINE_SURE`` sure, holds ``LINE_LETTERS`` of the letters and
        digits read from them (pieces of a line read as nonsense hold many), and is surer than they are on average or
        holds more (a line's last words found only in the strip: "Revenue" read from a piece, "Revenue in millions"
        from the line). A line taken is then read as the other regions are (``read_crops``)."""
        polygons = [d.polygon for d in detections]
        windows = vertical_windows(
            polygons,
            [(r.text, r.confidence, runs_down(q)) for r, q in zip(results, quads, strict=True)],
            *image.shape[1::-1],
        )
        found = column_lines(image, windows, lambda strip: self.detector(strip, params, scene))
        if not found:
            return detections, quads, results, angles
        both = [q for line in found for q in (line.polygon, np.roll(line.polygon, 2, axis=0))]
        crops = region_crops(image, both, CROP_PAD_X)
        first = self.recognizer(crops, params.rec_batch_size, margin)
        replaced: set[int] = set()
        taken = []
        # a line found in two strips, whole in one and in part in the other, is one line: the one that covers most
        # pieces goes first, and a line over pieces already replaced is left out (its pieces were read twice)
        cover = [covered(polygons, line.polygon) for line in found]
        for k in sorted(range(len(found)), key=lambda k: -len(cover[k])):
            line, pieces = found[k], cover[k]
            best = max((2 * k, 2 * k + 1), key=lambda j: first[j].confidence)
            if not pieces or replaced.intersection(pieces):  # print across the page seen sideways in the strip,
                continue  # or a line the page read already
            sure = float(np.mean([results[i].confidence for i in pieces]))
            held = sum(letters(results[i].text) for i in pieces)
            reading = first[best]
            more = letters(reading.text)
            if (
                reading.confidence >= LINE_SURE
                and more >= LINE_LETTERS * held
                and (reading.confidence > sure or more > held)
            ):
                replaced.update(pieces)
                taken.append((line, best))
        readings = self.read_crops([crops[best] for _, best in taken], params, margin=margin) if taken else []
        keep = [i for i in range(len(detections)) if i not in replaced]
        angle = 0 if params.use_textline_orientation else -1
        return (
            [detections[i] for i in keep] + [line for line, _ in taken],
            [quads[i] for i in keep] + [both[best] for _, best in taken],
            [results[i] for i in keep] + readings,
            [angles[i] for i in keep] + [angle] * len(taken),
        )

    def read_crops(
        self,
        crops: list[np.ndarray],
        params: OCRParams,
        batch_size: int | None = None,
        margin: float = LEXICON_MARGIN,
    ) -> list[CTCResult]:
        """The recognizer's reading of each crop (``batch_size`` crops a call, ``params.rec_batch_size`` by default),
        with the unsure ones read again in variants when ``params.use_rec_variants`` is on. ``margin``: how much
        less likely than the reading a word-list word may be and still replace it (``LEXICON_MARGIN`` for crops and
        scenes, ``PAPER_MARGIN`` for the regions of a paper page)."""
        size = batch_size or params.rec_batch_size
        results = self.recognizer(crops, size, margin)
        if params.use_rec_variants:
            results = reread(lambda again: self.recognizer(again, size, margin), crops, results)
        return [_finished(crop, result) for crop, result in zip(crops, results, strict=True)]

    def read_upright(
        self,
        crops: list[np.ndarray],
        params: OCRParams,
        batch_size: int | None = None,
        margin: float = LEXICON_MARGIN,
    ) -> list[tuple[CTCResult, int]]:
        """Each crop's reading (``read_crops``) and the quarter turns counterclockwise it was read at: a crop
        ``VERTICAL_RATIO`` times taller than wide may hold vertical text, running down or up (street signs, spines),
        so it is also read turned a quarter each way and keeps the surest of the three readings; a narrow word ("I",
        "1") stays surest as it is. (``recognize`` turns a page's tall regions one way only: the other way too
        changed nothing on the held-out pages, stop 51, and read receipts' tall marks turned, stop 70; a line
        running up the page is read both ways by ``read_vertical``.) With ``params.use_rec_variants``, an unsure
        crop not much wider than tall is also read turned level at a few slants (``untilt``, by
        ``slant_recognizer``): a word boxed axis-aligned at a slant (a detector's regions are cut along their own
        slope, and are not asked); a tall crop turned a quarter too (a word near upright: synthetic scene words
        turned 60-80 degrees 0.537 -> 0.612, stop 64), and an unsure crop not much wider than tall is also read
        stretched wider (``widen``). A bilevel crop (a word cut from a 1-bit scan) is smoothed first, as a bilevel
        page is (``smoothing``); a page's regions are cut from the page smoothed already."""
        size = batch_size or params.rec_batch_size
        crops = [
            cv2.GaussianBlur(c, (0, 0), smoothing(to_gray(c), page=False).sigma) if bilevel(c) else c for c in crops
        ]

        def read_level(images: list[np.ndarray], recognizer: TextRecognizer = self.recognizer) -> list[CTCResult]:
            return [_finished(im, r) for im, r in zip(images, recognizer(images, size, margin), strict=True)]

        def read_slants(images: list[np.ndarray]) -> list[CTCResult]:
            return read_level(images, self.slant_recognizer)

        def read(images: list[np.ndarray]) -> list[CTCResult]:
            readings = self.read_crops(images, params, batch_size, margin) if images else []
            return untilt(read_slants, images, readings) if params.use_rec_variants else readings

        def read_widened(images: list[np.ndarray]) -> list[CTCResult]:  # not in ``reread``'s variants: no gain
            return untilt(read_slants, images, read_level(images))

        first = read(crops)
        results = [(r, 0) for r in (widen(read_widened, crops, first) if params.use_rec_variants else first)]
        tall = [i for i, crop in enumerate(crops) if crop.shape[0] >= VERTICAL_RATIO * crop.shape[1]]
        turned = [np.ascontiguousarray(np.rot90(crops[i], turns)) for i in tall for turns in (1, 3)]
        again = iter(read(turned))
        for i in tall:
            for turns in (1, 3):
                reading = next(again)
                if reading.confidence > results[i][0].confidence:
                    results[i] = (reading, turns)
        return results

    def read_cut(self, crops: list[np.ndarray], params: OCRParams) -> list[tuple[CTCResult, int]]:
        """Crops cut by the caller's own boxes, read with no detection (``read_upright``): each one's reading and how
        far its text was found turned clockwise (0, 90, 180, 270). With ``params.use_textline_orientation`` a crop
        is turned over first where the evidence makes it ``FLIP_CONFIDENCE`` sure to be upside down, as the page's
        lines are: the text-line classifier's, and for a crop it is unsure of (``unsure``) the recognizer's too, the
        log of how many times surer the crop reads turned over than as it is. A page's line pools its regions'
        evidence and the page's lean (``orient``); a lone crop has neither. On 1,962 held-out crops both ways up
        this kept 99.3% of the upright ones upright (98.9% before) and turned 90.9% of the upside-down ones over
        (88.9%; docs/models.md, "Crops read both ways up"). On pages it turned right regions over (stops 16-22)."""
        flipped = [False] * len(crops)
        if params.use_textline_orientation and crops:
            flipped = self._upside_down(crops, params)
            crops = [turn_180(c) if f else c for c, f in zip(crops, flipped, strict=True)]
        readings = self.read_upright(crops, params)
        return [(r, (90 * turns + 180 * f) % 360) for (r, turns), f in zip(readings, flipped, strict=True)]

    def _upside_down(self, crops: list[np.ndarray], params: OCRParams) -> list[bool]:
        """Which crops ``read_cut`` turns over: the text-line classifier's evidence, plus on a crop it is unsure of
        the log of how many times surer the crop reads turned over than as it is (each read once, no variants: an
        upside-down crop's nonsense would be read in all of them), at least ``FLIP_CONFIDENCE`` sure."""
        if self.line_classifier is None:
            raise ModelError("use_textline_orientation needs a text-line orientation model (none is loaded)")
        evidence = self.line_classifier.evidence(crops)
        asked = unsure(evidence)
        if len(asked):
            plain = params.with_overrides(use_rec_variants=False)
            both = self.read_upright([crops[i] for i in asked] + [turn_180(crops[i]) for i in asked], plain)
            for i, (own, _), (over, _) in zip(asked, both[: len(asked)], both[len(asked) :], strict=True):
                if own.text or over.text:
                    evidence[i] += math.log(max(over.confidence, 1e-6)) - math.log(max(own.confidence, 1e-6))
        return [bool(e >= FLIP_LOG_ODDS) for e in evidence]

    def read_page(
        self, image: np.ndarray, params: OCRParams, index: int = 0, source: str | None = None, pixel_aspect: float = 1.0
    ) -> Page:
        """One page read, its results in the input's pixels. ``pixel_aspect``: how many times taller than wide the
        image's pixels are (``PageImage.pixel_aspect``, from its DPI metadata); a page whose pixels are further from
        square than ``SQUARE_PIXELS`` (a standard-mode fax: 204 x 98 DPI, its print half as tall as wide) is read
        stretched to square pixels, the shape the models learnt text in. A speckled page is despeckled and a
        bilevel page (a fax, a 1-bit scan) smoothed first (a dithered one, whose print is dots, smoothed more and
        not despeckled), a page smeared by a moving camera is sharpened
        (``ocdr.deblur``), and a document's rules down the page (table borders, box sides) are painted over
        (``ocdr.cleanup``)."""
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise InputError(f"{source or 'image'}: expected HxWx3 uint8, got {image.shape} {image.dtype}")
        stretched = max(pixel_aspect, 1 / pixel_aspect) >= SQUARE_PIXELS
        smooth = smoothing(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), stretched) if bilevel(image) else None
        # a dithered page's dots are its print, not specks
        read = image if smooth is not None and smooth.dots else despeckle(image)
        if smooth is None:  # a bilevel page's edges are steps: no smear to measure
            read = sharpen(read)
        if stretched:  # the coarser axis stretched, so that no detail is lost
            height, width = image.shape[:2]
            size = (round(width / min(pixel_aspect, 1.0)), round(height * max(pixel_aspect, 1.0)))
            read = cv2.resize(read, size, interpolation=cv2.INTER_LINEAR)
        if smooth is not None:
            read = cv2.GaussianBlur(read, (0, 0), smooth.sigma)
        page = self.read_oriented(read, params, index, source)
        if stretched:
            back = np.array([width / size[0], height / size[1]], np.float32)
            for node in _nodes(page):
                node.polygon = node.polygon * back
            if page.outline is not None:
                page.outline = page.outline * back
            page.width, page.height = width, height
        page.pixel_aspect = pixel_aspect
        return page

    def read_oriented(self, image: np.ndarray, params: OCRParams, index: int = 0, source: str | None = None) -> Page:
        """One page of square pixels read. With ``use_doc_orientation_classify``, a page the page classifier is
        sure of is turned to its angle and read (the text-line classifier checking 0 against 180:
        ``check_upside_down``); one it is not sure of (photos) is read each way in the classifier's order until a
        reading has legible word-list words (``upright_words``, ``KNOWN_WORDS_SURE``; a reading with only one is set
        against the reading turned over); when none has, the reading with the most legible words is kept, ties going
        to the classifier's likelier angle. An order the scene model makes sure (``ORDER_SURE``) is read its first
        way only. A page whose votes tie (``PAGE_TIE``) and that reads no word upright is blank: it stays at 0. With
        ``use_deskew``, the classifier judges the page straightened (the quarter turn is the same)."""
        if light_text_on_dark(image):
            image = 255 - image  # every model reads dark print on light best; coordinates stay the same
        if not params.use_doc_orientation_classify:
            return self.read_turned(image, params, 0, None, index, source)
        if self.page_classifier is None:
            raise ModelError("use_doc_orientation_classify needs a page orientation model (none is loaded)")
        judged = image  # with deskew on, the classifier judges the page straightened: a page 40 degrees off is
        if params.use_deskew and abs(skew := estimate_skew(image)) >= MIN_SKEW:  # as near 270 as 0 turned as it is
            judged = straighten(image, skew)[0]
        ranking, lead = self.page_classifier.ranking(judged)
        votes = [c for _, c in ranking]
        if max(votes) - min(votes) < PAGE_TIE:  # nothing to turn by: a blank page stays as it is, not turned at random
            page = self.read_turned(image, params, 0, dict(ranking)[0], index, source)
            if not page.words:
                return page
        angle, confidence = ranking[0]
        if confidence >= PAGE_SURE:
            return self.read_turned(image, params, angle, confidence, index, source, check=True)
        if lead >= ORDER_SURE:  # the squares and the scene agree: one reading
            return self.read_turned(image, params, angle, confidence, index, source)
        # readings set against each other are a photo's at its own size by the main detector, and the one kept is
        # read again enlarged (``text_det_scene_side``) by the scene detector: enlarged, a wrong turn's reading found
        # more stray list words (held-out photos 120/120 -> 116/120), and the scene detector's readings called one
        # photo of 97 upside down at all four turns (388/388 -> 384/388)
        trial = params
        if paper_gray(image) is None and not crop_border(image):
            trial = params.with_overrides(text_det_scene_side=0, use_scene_detector=False)
        page = self.compare_turns(image, trial, ranking, index, source)
        if trial == params:
            return page
        return self.read_turned(image, params, page.angle, page.angle_confidence, index, source)

    def compare_turns(
        self, image: np.ndarray, params: OCRParams, ranking: list[tuple[int, float]], index: int, source: str | None
    ) -> Page:
        """The reading ``read_oriented`` keeps of a page read each way in ``ranking``'s order."""
        counts: list[int] = []
        readings: list[Page] = []
        for a, c in ranking:
            page = self.read_turned(image, params, a, c, index, source)
            legible = self.upright_words(page)
            known = self.known_words(legible)
            if len(known) >= KNOWN_WORDS_SURE:
                return page  # word-list words read plainly: text the right way up
            if known:  # one: unless the reading turned over (not read yet: it had none) reads more plainly
                opposite = (a + 180) % 360
                if opposite in [angle for angle, _ in ranking[: len(readings)]]:
                    return page
                other = self.read_turned(image, params, opposite, dict(ranking)[opposite], index, source)
                return other if self.plainness(other) > self.plainness(page) else page
            counts.append(len(legible))
            readings.append(page)
        return readings[int(np.argmax(counts))]  # the first of equals: the classifier's order

    def plainness(self, page: Page) -> tuple[int, int]:
        """How plainly a reading reads as it stands: its legible list words and legible words (``upright_words``)."""
        words = self.upright_words(page)
        return len(self.known_words(words)), len(words)

    @staticmethod
    def upright_words(page: Page) -> list[str]:
        """The words of a reading that are plainly text: read at least ``LEGIBLE_CONFIDENCE`` sure, with at least
        ``LEGIBLE_CHARS`` letters or digits, in the regions the text-line stage left as they were and that run along
        the rows of the page as it was read. A page read sideways or upside down gives few, and those it gives
        ("dn-do1" for "Top up") are rarely word-list words; with ``use_textline_orientation``, a reading turned over
        has its lines turned back and reads as well as the right one, and which lines it turned tells them apart. A
        page read sideways has its lines as columns, which the vertical-text reader (``read_vertical``) reads whole
        and right: those are no sign that the turn is right (a receipt turned by 270 was kept at 180 so)."""
        return [
            word
            for region in page.regions
            if region.kept and region.angle != 180 and not runs_down(region.polygon, page.angle)
            for word in region.text.split()
            if _legible(word, region.rec_score)
        ]

    def glued_boxes(self, squares: list[Checkbox], words: list[Word]) -> list[Checkbox]:
        """The ``squares`` shaped as checkboxes with print close on their right (``find_checkboxes``) that are
        boxes: those no word was read over, and those whose word starts with a letter for the box ("OSTORE" for
        "☐STORE") and is a list word without that letter but not with it (a square "D" starting "Dear" or "DATE"
        stays a letter). None without a word list. They cost a second reading of their page, with them painted over
        as the others are."""
        lexicon = self.lexicon
        if lexicon is None:
            return []
        found = []
        for box in squares:
            middle = (box.x + box.width / 2, box.y + box.height / 2)
            over = [w for w in words if cv2.pointPolygonTest(w.polygon.astype(np.float32), middle, False) >= 0]
            text = over[0].text if len(over) == 1 else ""
            if not over or (len(text) >= 3 and lexicon.knows(text[1:]) and not lexicon.knows(text)):
                found.append(box)
        return found

    def reread_addresses(self, image: np.ndarray, words: list[Word]) -> list[Word]:
        """``words`` with the e-mail addresses the detector cut at a separator it left out (``address_splits``) read
        again as one crop each, and joined where that reads as the address (``join_read_addresses``): "mary"
        "jones@mail.org" is read "mary_jones@mail.org" (7 of 9 rendered lines so cut)."""
        pairs = address_splits(words)
        if not pairs:
            return words
        quads = [span([words[i], words[j]]) for i, j in pairs]
        readings = self.recognizer(region_crops(image, quads, CROP_PAD_X))
        return join_read_addresses(words, {pair: r.text for pair, r in zip(pairs, readings, strict=True)})

    def read_superscripts(
        self, image: np.ndarray, detections: list[DetectedRegion], params: OCRParams
    ) -> tuple[np.ndarray, list[Superscript]]:
        """The page of print ``image`` with its superscript and subscript figures painted out, and those figures:
        the raised or lowered ink at its regions (``ocdr.superscripts``) read ``SUPERSCRIPT_READING`` sure as
        figures."""
        found = find_raised(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), [d.polygon for d in detections])
        readings = self.read_crops(region_crops(image, [f.quad for f in found], CROP_PAD_X), params) if found else []
        read = [
            sup
            for f, r in zip(found, readings, strict=True)
            if r.confidence >= SUPERSCRIPT_READING and (sup := figures(f, r.text, r.confidence)) is not None
        ]
        return paint_over(image, read), read

    def read_leaders(self, image: np.ndarray, gray: np.ndarray, words: list[Word], params: OCRParams) -> list[Word]:
        """``words`` with the page's dot leaders (found in ``gray``, the page's gray pixels) as words of dots
        (``ocdr.leaders``), and what each leads to read from ``image`` where the detector found nothing there (a
        table of contents' lone page number), kept when read ``WEAK_REGION_READING`` sure."""
        leaders = find_leaders(gray, words, params.return_char_boxes)
        words = drop_leader_dots(words, leaders) if leaders else words
        added = [leader.word for leader in leaders]
        quads = [quad_from_box(*leader.after) for leader in leaders if leader.after is not None]
        readings = self.read_crops(region_crops(image, quads, CROP_PAD_X), params) if quads else []
        for quad, result in zip(quads, readings, strict=True):
            if result.text.strip() and result.confidence >= WEAK_REGION_READING:
                added += split_words(quad, result, CROP_PAD_X, params.return_char_boxes)
        return words + added

    def reads_mirrored(self, image: np.ndarray, faint: list[DetectedRegion]) -> bool:
        """Whether the page's faint regions (``show_through``) are print showing through from the sheet's back:
        mirrored, they read surer than as they are (on average over the ``MIRROR_SAMPLE`` longest). Faint print of
        the page's own (a light gray font, a receipt's fading) reads surer as it is, and is kept."""
        longest = sorted(faint, key=lambda d: -float(np.ptp(d.polygon[:, 0])))[:MIRROR_SAMPLE]
        crops = region_crops(image, [d.polygon for d in longest], CROP_PAD_X)
        mirrored = [np.ascontiguousarray(crop[:, ::-1]) for crop in crops]
        readings = self.recognizer(crops + mirrored)
        sure = np.array([r.confidence for r in readings]).reshape(2, -1).mean(axis=1)
        return bool(sure[1] > sure[0])

    def known_words(self, words: list[str]) -> list[str]:
        """The ``words`` in the recognizer's word list (none without one)."""
        lexicon = self.lexicon
        return [] if lexicon is None else [w for w in words if lexicon.knows(w)]

    @property
    def lexicon(self) -> Lexicon | None:
        """The recognizer's word list; none for a stand-in recognizer without one."""
        return getattr(self.recognizer, "lexicon", None)

    def read_whole(self, image: np.ndarray, params: OCRParams, regions: list[Region], words: list[Word]) -> None:
        """A word or line cropped close (``crop_border``) whose detection gave one line of text filling it
        (``CROP_FILL``) or none, read whole by the recognizer as well, as it reads crops: the whole reading
        replaces the line's when it is surer than the line's least sure word; with no text found it is kept when
        read ``WEAK_REGION_READING`` sure (its region's score is 0.0: not the detector's). The detector cuts a
        close crop's one line into pieces and trims its ends, or misses it on a busy ground; the recognizer learnt
        such crops as they are cut. Replacing the line's reading even when it was surer (by up to 0.5) read more
        synthetic crops (scene words 0.745 -> 0.776), but lost clean ones whose first letter touches the edge
        ("Invoice" read "voice")."""
        whole = DetectedRegion(quad_from_box(0, 0, image.shape[1], image.shape[0]), 0.0)
        quads = [whole.polygon]
        (angle,) = self.orient(image, quads, params)  # -1 when not asked
        crop = np.ascontiguousarray(image[::-1, ::-1]) if angle == 180 else image
        ((res, turns),) = self.read_upright([crop], params)
        quads[0] = np.roll(quads[0], -turns, axis=0)  # read turned: the quad's top edge is where its text's top is
        if not words:
            _add_reading(regions, words, whole, quads[0], res, angle, params, ends=0.0)
            return
        if not fills(image, words) or min(w.confidence for w in words) >= res.confidence or not res.text.strip():
            return
        found = [r for r in regions if r.kept]
        regions[:] = [replace(r, kept=False) for r in regions]
        words.clear()
        best = replace(whole, score=max(r.det_score for r in found))
        _add_reading(regions, words, best, quads[0], res, angle, params, ends=0.0)

    def read_turned(
        self,
        image: np.ndarray,
        params: OCRParams,
        page_angle: int,
        page_confidence: float | None,
        index: int = 0,
        source: str | None = None,
        check: bool = False,
        glued: tuple[Checkbox, ...] = (),
    ) -> Page:
        """The page read turned back by ``page_angle`` (the angle its content is turned clockwise), with results in
        the input's coordinates; ``check``: let the text-line classifier turn it by 180 degrees more; ``glued``:
        checkboxes touching their labels, found by a first reading (``glued_boxes``)."""
        given = image
        height, width = image.shape[:2]
        image = np.ascontiguousarray(np.rot90(image, page_angle // 90))
        outline, unwarp_back = None, None
        if params.use_doc_unwarping and (outline := find_page(image)) is not None:
            image, unwarp_back = flatten(image, outline)
        skew, back = 0.0, None
        if params.use_deskew and abs(skew := estimate_skew(image)) >= MIN_SKEW:
            image, back = straighten(image, skew)
        # On paper (not a photo's scene), a form's checkboxes were read as letters joined to their labels ("USTORE"
        # for a box and "STORE"): they are painted over and given back as words "☐" and "☑" (ocdr.checkboxes)
        boxes: list[Checkbox] = []
        close: list[Checkbox] = []
        found: list[Rule] = []
        if (gray := paper_gray(image)) is not None:
            boxes, close = find_checkboxes(gray)
            boxes += glued
            image = paint_over(image, boxes)
            found = rules(paint_over(gray, boxes))
        # Table borders and box sides are read with the print they touch ("|", "J"; a row of cells as one region):
        # they are painted over, as are strike-throughs (a struck "c" reads "e") and underlines tight under their
        # words (a comma on the line is lost). Other rules across stay (ocdr.cleanup).
        ruled = image  # as printed: an underscore's stroke tells itself from an underline by where it runs
        image = remove_rules(image, [rule for rule in found if not rule.across or rule.touches_print])
        params = self.detector.settings(image, params, scene=gray is None)
        detections = self.detector(image, params, scene=gray is None)
        faint = show_through(image, [d.polygon for d in detections])
        if any(faint) and not self.reads_mirrored(image, [d for d, f in zip(detections, faint, strict=True) if f]):
            faint = [False] * len(detections)  # faint print of the page's own: it reads better as it is
        detections = [d for d, through in zip(detections, faint, strict=True) if not through]
        if gray is not None:  # on paper, quotes and end marks cut off a word's box are taken back in (ocdr.marks)
            detections = take_in_marks(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), detections)
        flipped = False
        if check:
            image, detections, flipped, page_confidence = self.check_upside_down(image, detections, page_confidence)
        # a paper page's words are mostly list words: near misses are put right more readily than on a scene's signs
        margin = LEXICON_MARGIN if gray is None else PAPER_MARGIN
        image, raised = (image, []) if gray is None else self.read_superscripts(image, detections, params)
        quads, results, angles = self.recognize(image, detections, params, margin)
        detections, quads, results, angles = self.read_vertical(
            image, params, margin, gray is None, detections, quads, results, angles
        )
        page_gray = None if gray is None else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)  # the page as read from here on
        if page_gray is not None:  # a capital "I" alone, which the detector and recognizer get wrong (ocdr.lone_glyphs)
            detections, quads, results, angles = self.read_capital_i(
                image, page_gray, params, margin, detections, quads, results, angles
            )
        results, joined = marks_read_twice(quads, results, angles, CROP_PAD_X)
        regions: list[Region] = []
        words: list[Word] = []
        spans: dict[int, tuple[int, int]] = {}  # each region's first and last word
        for k, found_region in enumerate(zip(detections, quads, results, angles, strict=True)):
            first = len(words)
            _add_reading(regions, words, *found_region, params)
            if len(words) > first:
                spans[k] = first, len(words) - 1
        words = join_pieces(words, [(spans[i][1], spans[j][0]) for i, j in joined if i in spans and j in spans])
        if crop_border(image) and not boxes and sum(len(block.lines) for block in group_words(words)) <= 1:
            self.read_whole(image, params, regions, words)
        if not glued and not flipped and (more := self.glued_boxes(close, words)):
            return self.read_turned(given, params, page_angle, page_confidence, index, source, check, tuple(more))
        words = join_email_addresses(join_web_addresses(drop_repeats(words)))
        words = cut_zeros(join_decimals(join_elisions(self.reread_addresses(image, words))))
        if self.lexicon is not None:  # a heading's or a sign's letter-spaced words
            words = join_spaced_letters(words, self.lexicon)
        if gray is not None and self.lexicon is not None:  # on paper: words the detector cut in two
            words = join_split_words(words, self.lexicon)
        if page_gray is not None:  # ...and at an underscore; a list's bullets and icons (ocdr.bullets); dot leaders
            ruled_gray = cv2.cvtColor(turn_180(ruled) if flipped else ruled, cv2.COLOR_RGB2GRAY)
            words = join_comb_letters(ruled_gray, join_underscored(ruled_gray, words))
            words = list_bullets(image, page_gray, words, params.return_char_boxes)
            words = self.read_leaders(image, page_gray, words, params)
            words = attach(words, raised, params.return_char_boxes)  # superscripts and subscripts
        for box in boxes:
            quad = quad_from_box(box.x, box.y, box.x + box.width, box.y + box.height)
            if flipped:  # into the turned page's pixels, as its regions (turned back below)
                quad = _turned_over(quad, image.shape[1], image.shape[0])
            regions.append(Region(quad, 1.0, box.text, box.confidence, True))
            chars = [Char(quad, box.text, box.confidence)] if params.return_char_boxes else None
            words.append(Word(quad, box.text, box.confidence, chars))
        page = Page(
            index=index,
            width=width,
            height=height,
            blocks=group_words(words),  # grouped upright, then put back in the input's coordinates
            regions=regions,
            source=source,
            angle=(page_angle + 180 * flipped) % 360,
            angle_confidence=page_confidence,
            skew=round(skew, 2) + 0.0 if params.use_deskew else None,  # + 0.0: no "-0.0"
            params=params.page_params(),
            outline=outline,
        )
        _settle_lone_letters(image, page)
        _settle_units(image, page)
        for node in _nodes(page):
            if flipped:
                node.polygon = unturn_points(node.polygon, 180, image.shape[1], image.shape[0])
            if back is not None:
                node.polygon = map_points(node.polygon, back)
            if unwarp_back is not None:
                node.polygon = map_points(node.polygon, unwarp_back)
            if page_angle:
                node.polygon = unturn_points(node.polygon, page_angle, width, height)
        if page_angle and outline is not None:
            page.outline = unturn_points(outline, page_angle, width, height)
        return page
