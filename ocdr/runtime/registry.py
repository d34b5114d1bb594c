"""The models shipped inside the package, found without any network access."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ocdr.errors import ModelError

WEIGHTS = {
    "det": "det_dbnet_resnet18_lite.onnx",
    "rec": "rec_crnn_lite.onnx",
    "cls_line": "cls_line_orientation_lite.onnx",
}


def shipped_model_path(kind: str) -> Path:
    if kind not in WEIGHTS:
        raise ValueError(f"unknown model kind {kind!r}; choose from {sorted(WEIGHTS)}")
    path = Path(str(resources.files("ocdr.runtime").joinpath("weights", WEIGHTS[kind])))
    if not path.is_file():
        raise ModelError(f"the shipped {kind} model is missing ({path}); reinstall ocdr")
    return path


def resolve_model(kind: str, path: str | Path | None) -> Path:
    """A user-given model path, or the shipped default."""
    return Path(path) if path is not None else shipped_model_path(kind)
