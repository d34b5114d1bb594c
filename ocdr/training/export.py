"""``ocdr export``: a training checkpoint to an ONNX file that carries its own metadata (kind, arch, charset)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import onnx
import torch
from google.protobuf.message import DecodeError

from ocdr import __version__
from ocdr.models.classification.orientation import OrientationNet, create_classifier
from ocdr.models.classification.preprocess import CLS_HEIGHT, CLS_WIDTH, PAGE_PATCH, SCENE_SIDE
from ocdr.models.detection.dbnet import DBNet, create_detector
from ocdr.models.detection.processing import MEAN, STD
from ocdr.models.recognition.crnn import CRNN, config_dict, create_recognizer
from ocdr.training.checkpoint import load_checkpoint


def export_checkpoint(
    checkpoint: str | Path,
    output: str | Path,
    opset: int = 17,
    det_params: dict[str, float] | None = None,
    char_odds: dict[str, float] | None = None,
) -> Path:
    """Write the checkpoint's network as ONNX with the metadata inference needs. ``det_params``: a detector's
    post-processing settings picked for it (``text_det_thresh``, ``text_det_box_thresh``, ``text_det_unclip_ratio``,
    and ``text_rec_score_thresh``: the reading score under which its regions' readings are dropped), stored as its
    defaults (``TextDetector.defaults``); settings a user passes still win. ``char_odds``: a
    recognizer's prior correction, each character's odds against every other class multiplied by its factor (its
    output bias raised by the factor's log), for characters the training crops under-represent (sentence-final
    periods); recorded in the metadata. Without it, a checkpoint fine-tuned from an ONNX file that had such a
    correction (``ocdr train rec --init``) gets that file's again; likewise a detector fine-tuned from a file with
    defaults (``ocdr train det --init``) gets that file's, but for the ``det_params`` given."""
    state = load_checkpoint(Path(checkpoint))
    char_odds = char_odds or state.get("char_odds")
    # a detector fine-tuned from a file with picked settings keeps them, but for those given here
    det_params = {**state.get("det_params", {}), **(det_params or {})}
    if char_odds and "charset" not in state:
        raise ValueError("char_odds applies to recognizer checkpoints only")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    model: OrientationNet | CRNN | DBNet
    if "task" in state:
        model = create_classifier(state["arch"], len(state["angles"]))
        height, width = {"page": (PAGE_PATCH, PAGE_PATCH), "scene": (SCENE_SIDE, SCENE_SIDE)}.get(
            state["task"], (CLS_HEIGHT, CLS_WIDTH)
        )
        example = torch.zeros(2, model.in_channels, height, width)
        names, axes = ("x", "probs"), {"x": {0: "batch"}, "probs": {0: "batch"}}
        meta = {
            "kind": f"cls_{state['task']}",
            "angles": json.dumps(state["angles"]),
            "height": str(height),
            "width": str(width),
        }
    elif "charset" in state:
        model = create_recognizer(state["arch"], len(state["charset"]) + 1, state.get("rec_config"))
        height = model.config.height
        example = torch.zeros(2, 1, height, 128)
        names, axes = ("x", "probs"), {"x": {0: "batch", 3: "width"}, "probs": {0: "batch", 1: "steps"}}
        meta = {
            "kind": "rec",
            "charset": state["charset"],
            "height": str(height),
            "time_stride": "4",
            "rec_config": json.dumps(config_dict(model)),  # rebuilds the network (--init), spec-built ones too
        }
    else:
        model = create_detector(state["arch"])
        example = torch.zeros(1, 3, 640, 640)
        names, axes = (
            ("x", "prob"),
            {"x": {0: "batch", 2: "height", 3: "width"}, "prob": {0: "batch", 2: "height", 3: "width"}},
        )
        # trained on gray pages (ocdr.training.det_data): inference makes pages gray too
        meta = {"kind": "det", "mean": json.dumps(MEAN), "std": json.dumps(STD), "stride": "32", "color": "gray"}
        if det_params:
            meta["defaults"] = json.dumps(det_params)
    model.load_state_dict(state["model"])
    if char_odds:
        meta["char_odds"] = json.dumps(char_odds, ensure_ascii=False)
        assert isinstance(model, CRNN)  # char_odds was refused above without a charset (a recognizer's)
        raise_odds(model.head.bias, state["charset"], char_odds)
    model.eval()
    torch.onnx.export(
        model,
        (example,),
        str(output),
        input_names=[names[0]],
        output_names=[names[1]],
        dynamic_axes=axes,
        opset_version=opset,
        dynamo=False,
    )
    proto = onnx.load(str(output))
    meta.update({"arch": state["arch"], "step": str(state.get("step", "")), "ocdr_version": __version__})
    for key, value in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, str(output))
    return output


def restamp_detector(source: str | Path, output: str | Path, det_params: dict[str, float]) -> Path:
    """Copy an exported detector (fp32 or int8) with new post-processing defaults, its weights untouched: the
    settings of a shipped file can be picked again after its training checkpoint is gone. Settings not given keep
    the file's."""
    if not det_params:
        raise ValueError("nothing to change: give the --text-det-... settings to store")
    try:
        proto = onnx.load(str(source))
    except DecodeError as exc:
        raise ValueError(f"{source} is not an ONNX file ({exc})") from exc
    meta = {p.key: p for p in proto.metadata_props}
    if meta.get("kind") is None or meta["kind"].value != "det":
        raise ValueError(f"{source} is not a detector exported by ocdr; only a detector's defaults can be restamped")
    entry = meta.get("defaults") or proto.metadata_props.add()
    entry.key, entry.value = "defaults", json.dumps({**json.loads(entry.value or "{}"), **det_params})
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(proto, str(output))
    return output


@torch.no_grad()
def raise_odds(bias: torch.Tensor, charset: str, char_odds: dict[str, float]) -> None:
    """Multiply each character's odds by its factor: its bias in the recognizer's head raised by the factor's log."""
    for char, factor in char_odds.items():
        if char not in charset or not factor > 0:
            raise ValueError(f"char_odds: {char!r}={factor} needs a character of the model's charset and a factor > 0")
        bias[charset.index(char) + 1] += math.log(factor)  # class 0 is the CTC blank
