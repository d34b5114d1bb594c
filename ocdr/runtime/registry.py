"""The models shipped inside the package, found without any network access."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ocdr.errors import ModelError

WEIGHTS = {
    "det": "det_dbnet_resnet18_lite.onnx",
    "det_scene": "det_dbnet_resnet18_lite_scene.onnx",  # photos' scenes beside the shipped "det" (scene_det_model)
    "rec": "rec_crnn_lite.onnx",
    "cls_line": "cls_line_orientation_lite.onnx",
    "cls_page": "cls_page_orientation_lite.onnx",
    "cls_scene": "cls_scene_orientation_lite.onnx",
}
# int8 CPU versions (static QDQ quantization of the files above: `ocdr quantize`, recipe in docs/models.md)
INT8_WEIGHTS = {
    "det": "det_dbnet_resnet18_lite_int8.onnx",
    "det_scene": "det_dbnet_resnet18_lite_scene_int8.onnx",
    "rec": "rec_crnn_lite_int8.onnx",
}
PRECISIONS = ("fp32", "int8")
# other shipped weights, picked by name where a model path is taken (``rec_model="synthetic"``, ``--det-model
# synthetic``): the models trained on synthetic data alone, free of the real training sets' research-use terms, and
# the recognizers that also read the accented letters of ten Western European languages (``rec_model="latin"``) and
# the Cyrillic of Russian, Ukrainian, Bulgarian and Macedonian (``rec_model="cyrillic"``) and Greek (``"greek"``)
NAMED_WEIGHTS = {
    ("det", "synthetic"): "det_dbnet_resnet18_lite_synthetic.onnx",
    ("rec", "synthetic"): "rec_crnn_lite_synthetic.onnx",
    ("rec", "latin"): "rec_crnn_lite_latin.onnx",
    ("rec", "cyrillic"): "rec_crnn_lite_cyrillic.onnx",
    ("rec", "greek"): "rec_crnn_lite_greek.onnx",
}


def shipped_model_path(kind: str, precision: str = "fp32") -> Path:
    if kind not in WEIGHTS:
        raise ValueError(f"unknown model kind {kind!r}; choose from {sorted(WEIGHTS)}")
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose from {list(PRECISIONS)}")
    names = INT8_WEIGHTS if precision == "int8" else WEIGHTS
    if kind not in names:
        raise ValueError(f"no {precision} {kind} model is shipped ({precision} models: {sorted(names)})")
    path = Path(str(resources.files("ocdr.runtime").joinpath("weights", names[kind])))
    if not path.is_file():
        raise ModelError(f"the shipped {kind} model is missing ({path}); reinstall ocdr")
    return path


def resolve_model(kind: str, path: str | Path | None, precision: str = "fp32") -> Path:
    """A user-given model path (used whatever its precision), the name of other shipped weights (``NAMED_WEIGHTS``),
    or the shipped model of that precision."""
    if path is None:
        return shipped_model_path(kind, precision)
    name = NAMED_WEIGHTS.get((kind, str(path)))
    if name is not None and not Path(path).exists():
        return Path(str(resources.files("ocdr.runtime").joinpath("weights", name)))
    return Path(path)
