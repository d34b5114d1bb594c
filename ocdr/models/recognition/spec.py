"""A recognizer described as seed 000 and TAO's OCRNet experiment specs describe one: the ``model`` section's
``TPS``, ``num_fiducial``, ``backbone``, ``feature_channel``, ``sequence``, ``hidden_size``, ``prediction`` and
input size (``ocdr train rec --model-spec spec.yaml``). A user coming from TAO keeps the spec they have; each switch
maps onto ``RecConfig``, and what ocdr does not build (attention decoding, FAN backbones, colour input,
quantization-aware training) is refused by name rather than trained as something else."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ocdr.models.recognition.crnn import RecConfig

SPEC_ARCH = "ocrnet_spec"  # the ``arch`` of a model built from a spec; its ``rec_config`` rebuilds it
BACKBONE_BLOCKS = (2, 4)  # basic blocks of the ResNet's last two stages, as ``crnn_resnet``
SEQUENCE_LAYERS = 2  # BiLSTM layers, as TAO's OCRNet stacks them
DEFAULTS: dict[str, Any] = {  # TAO's defaults, the seed's snippet
    "TPS": True,
    "num_fiducial": 20,
    "backbone": "ResNet",
    "feature_channel": 512,
    "sequence": "BiLSTM",
    "hidden_size": 256,
    "prediction": "CTC",
    "quantize": False,
    "input_width": 100,
    "input_height": 32,
    "input_channel": 1,
}


def load_model_spec(path: str | Path) -> tuple[RecConfig, list[str]]:
    """The recognizer a spec file (YAML or JSON) describes, and notes on what of it ocdr does not use: the
    ``model`` section of a whole experiment spec (its other sections are TAO's training settings; ocdr's are
    ``ocdr train rec``'s flags), or a file that is that section alone."""
    import yaml  # the train extra's; specs are YAML (TAO's launcher) or JSON (its API), which YAML reads too

    try:
        spec = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: not a readable YAML or JSON model spec ({exc})") from exc
    if not isinstance(spec, Mapping):
        raise ValueError(f"{path}: a model spec is a mapping of settings (TPS: True, backbone: ResNet, ...)")
    notes = []
    if isinstance(spec.get("model"), Mapping):
        others = sorted(str(k) for k in spec if k != "model")
        if others:
            notes.append(f"sections not read: {', '.join(others)} (training settings are ocdr train rec's flags)")
        spec = spec["model"]
    config, more = config_from_spec(spec)
    return config, notes + more


def config_from_spec(spec: Mapping[str, Any]) -> tuple[RecConfig, list[str]]:
    """``RecConfig`` for a spec's ``model`` section (settings left out take TAO's defaults) and notes on the
    settings ocdr reads differently. Raises ``ValueError`` naming the setting for anything it cannot build."""
    unknown = sorted(str(k) for k in spec if k not in DEFAULTS)
    if unknown:
        raise ValueError(f"unknown model spec settings {unknown}; known: {sorted(DEFAULTS)}")
    s = {**DEFAULTS, **spec}
    tps = _flag(s, "TPS")
    points = _number(s, "num_fiducial", 4, 64)
    if points % 2:
        raise ValueError(f"num_fiducial must be even (half along the top, half along the bottom), not {points}")
    if str(s["backbone"]).lower() != "resnet":
        raise ValueError(f"backbone {s['backbone']!r} is not built by ocdr; use ResNet")
    width = _number(s, "feature_channel", 64, 2048)
    if width % 8:
        raise ValueError(f"feature_channel must be a multiple of 8 (the stages are 1/8, 1/4, 1/2 of it), not {width}")
    sequence = str(s["sequence"]).lower() if s["sequence"] is not None else "none"
    if sequence not in ("bilstm", "none"):
        raise ValueError(f"sequence {s['sequence']!r} is not built by ocdr; use BiLSTM or none")
    hidden = _number(s, "hidden_size", 1, 2048)
    if str(s["prediction"]).lower() != "ctc":
        raise ValueError(f"prediction {s['prediction']!r} is not built by ocdr: it decodes CTC (greedy), use CTC")
    if _flag(s, "quantize"):
        raise ValueError("quantize: True (quantization-aware training) is not supported; train in float and "
                         "quantize the exported file with `ocdr quantize`")  # fmt: skip
    height = _number(s, "input_height", 16, 256)
    if height % 16:
        raise ValueError(f"input_height must be a multiple of 16 (the CNN halves it four times), not {height}")
    if _number(s, "input_channel", 1, 4) != 1:
        raise ValueError("input_channel must be 1: the recognizers read gray crops")
    crop_width = _number(s, "input_width", 1, 100000)
    notes = [
        f"input_width {crop_width}: crops are trained and read at their own width (the model takes any width) "
        f"at height {height}"
    ]
    config = RecConfig(
        channels=(width // 8, width // 4, width // 2, width),
        blocks=BACKBONE_BLOCKS,
        hidden=hidden if sequence == "bilstm" else 0,
        lstm_layers=SEQUENCE_LAYERS if sequence == "bilstm" else 0,
        height=height,
        tps=tps,
        tps_points=points,
    )
    return config, notes


def _flag(spec: Mapping[str, Any], key: str) -> bool:
    if not isinstance(spec[key], bool):
        raise ValueError(f"{key} must be True or False, not {spec[key]!r}")
    return spec[key]


def _number(spec: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = spec[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{key} must be a whole number from {low} to {high}, not {value!r}")
    return value
