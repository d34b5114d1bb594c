"""``ocdr quantize``: int8 versions of the ONNX models for CPUs, by ONNX Runtime's static quantization (QDQ).

Calibration runs the fp32 model on inputs like those it reads in use: recognizer crops resized and batched by the
pipeline's own ``TextRecognizer.batches``, detector pages prepared as the pipeline prepares them (``detector_sizes``,
default settings). The int8 file keeps the original's metadata (kind, charset, height, ...) and adds ``precision:
int8`` and ``quantization`` (how it was made), so it stays self-describing. Needs the ``train`` extra (onnx).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import cv2
import numpy as np
import onnx
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quant_pre_process,
    quantize_static,
)

from ocdr.errors import InputError, ModelError
from ocdr.io.labels import IMAGE_SUFFIXES
from ocdr.models.detection.processing import detection_input
from ocdr.pipeline import OCRParams, TextRecognizer, detector_sizes
from ocdr.runtime.session import OnnxModel

METHODS = {
    "minmax": CalibrationMethod.MinMax,
    "entropy": CalibrationMethod.Entropy,
    "percentile": CalibrationMethod.Percentile,
}
CALIB_BATCH = 32  # recognizer crops per calibration input, as the pipeline batches them
ModelInput = Callable[[], np.ndarray]  # made when called: pages are large, never all in memory


def calibration_images(folder: str | Path, limit: int | None = None) -> list[Path]:
    """The images of a calibration folder (its ``images/`` when there is one, as ``ocdr synth`` writes), sorted."""
    root = Path(folder)
    root = root / "images" if (root / "images").is_dir() else root
    paths = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise FileNotFoundError(f"{folder}: no calibration images")
    return paths[:limit]


def calibration_inputs(model: OnnxModel, folder: str | Path, limit: int | None = None) -> list[ModelInput]:
    """Model inputs made from a folder of images, prepared exactly as the pipeline prepares them."""
    kind = model.metadata.get("kind")
    paths = calibration_images(folder, limit)
    if kind == "rec":
        crops = [c for c in (cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in paths) if c is not None and c.size]
        batches = [batch for _, batch, _ in TextRecognizer(model).batches(crops, CALIB_BATCH)]
        return [partial(np.asarray, b) for b in batches]
    if kind == "det":
        return [partial(_page_input, p, model.metadata.get("color") == "gray") for p in paths]
    raise ModelError(f"{model.path}: quantization handles det and rec models, not kind={kind!r}")


def _page_input(path: Path, gray: bool) -> np.ndarray:
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:  # quantize_model's caller reports it (a ValueError) as it reports a folder with no images
        raise InputError(f"{path}: unreadable calibration image")
    image = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    return detection_input(image, detector_sizes(image, OCRParams())[0], gray)


class _Feeder(CalibrationDataReader):
    """Hands calibration inputs to ONNX Runtime in index ranges (``CalibStridedMinMax``): ranges are reduced as
    they come, so histograms (entropy, percentile) of large pages never pile up in memory."""

    def __init__(self, input_name: str, inputs: list[ModelInput]):
        self.input_name = input_name
        self.inputs = inputs
        self.position, self.end = 0, len(inputs)

    def __len__(self) -> int:
        return len(self.inputs)

    def set_range(self, start_index: int, end_index: int) -> None:
        self.position, self.end = start_index, min(end_index, len(self.inputs))

    def get_next(self) -> dict[str, np.ndarray] | None:
        if self.position >= self.end:
            return None
        self.position += 1
        return {self.input_name: self.inputs[self.position - 1]()}


def quantize_model(
    model_path: str | Path,
    output: str | Path,
    calib: str | Path,
    *,
    method: str = "minmax",
    per_channel: bool = True,
    exclude_ops: Sequence[str] = (),
    exclude_nodes: Sequence[str] = (),
    limit: int | None = None,
) -> Path:
    """Write an int8 (QDQ: uint8 activations, int8 weights) copy of ``model_path`` calibrated on ``calib``.

    ``exclude_ops`` / ``exclude_nodes`` stay in float (e.g. "LSTM", or a first/last convolution that loses
    accuracy in int8); ``method`` picks the activation ranges: minmax, entropy or percentile (99.999%).
    """
    if method not in METHODS:
        raise ValueError(f"unknown calibration method {method!r}; choose from {sorted(METHODS)}")
    model_path, output = Path(model_path), Path(output)
    fp32 = OnnxModel(model_path)
    if fp32.metadata.get("precision", "fp32") != "fp32":
        raise ModelError(f"{model_path} is already quantized (precision={fp32.metadata['precision']})")
    with tempfile.TemporaryDirectory(prefix="ocdr-quant-") as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        quant_pre_process(str(model_path), str(prepared))  # shape inference and graph folding, as ORT advises
        nodes = onnx.load(str(prepared)).graph.node
        unknown = sorted(set(exclude_nodes) - {n.name for n in nodes})
        if unknown:
            raise ValueError(f"no node named {unknown} in {model_path.name}")
        excluded = list(exclude_nodes) + [n.name for n in nodes if n.op_type in set(exclude_ops)]
        quantize_static(
            str(prepared),
            str(output),
            _Feeder(fp32.input_name, calibration_inputs(fp32, calib, limit)),
            quant_format=QuantFormat.QDQ,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            per_channel=per_channel,
            calibrate_method=METHODS[method],
            nodes_to_exclude=excluded,
            extra_options={"CalibStridedMinMax": 1},
        )
    recipe = {
        "format": "QDQ",
        "activations": "uint8",
        "weights": "int8 per-channel" if per_channel else "int8 per-tensor",
        "calibration": method,
        "calibration_items": len(calibration_images(calib, limit)),
        "float_ops": sorted(exclude_ops),
        "float_nodes": sorted(exclude_nodes),
    }
    _write_metadata(output, {**fp32.metadata, "precision": "int8", "quantization": json.dumps(recipe)})
    return output


def _write_metadata(path: Path, metadata: dict[str, str]) -> None:
    model = onnx.load(str(path))
    del model.metadata_props[:]
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(path))
