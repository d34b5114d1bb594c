"""Torch weights rebuilt from an exported ONNX file, so the shipped models (which live in the package as ONNX only) can
be fine-tuned: ``ocdr train rec|det|cls --init shipped`` or ``--init model.onnx``.

The exporter folds each BatchNorm into the convolution before it and renames those weights, so the import walks the
graph: a Conv node's name is its module path (``/cnn/cnn.4/cnn.4.0/conv1/conv1.0/Conv`` -> ``cnn.4.0.conv1.0``), its
folded weight goes to that convolution and its bias to the BatchNorm after it, which starts as the identity.
``refit_batchnorm`` then gives those BatchNorms statistics measured on batches drawn as training draws them while
keeping the function the same, so training in train mode starts from the shipped model's outputs. LSTM gates come back
in torch's order, MatMul weights transposed; every other initializer whose name is a state-dict key is copied as is.
A recognizer's export-time prior correction (``char_odds``) is taken back out of its head's bias and returned beside
the weights, for the next export to apply again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from ocdr.runtime.registry import shipped_model_path
from ocdr.training.export import raise_odds

# ONNX LSTM gates are (i, o, f, c); torch's are (i, f, g=c, o)
_LSTM_GATES = (0, 2, 3, 1)


def _module_path(node_name: str, modules: set[str]) -> str:
    """The module a node belongs to. The exporter names scopes relative to a parent scope, some repeating the
    parent's tail (``/cnn/cnn.4/cnn.4.0/conv1/conv1.0/Conv`` is ``cnn.4.0.conv1.0``; ``/backbone/stages.0/...``
    is ``backbone.stages.0``), so each scope is resolved against the modules that exist."""
    path = ""
    for scope in node_name.strip("/").split("/")[:-1]:
        parts = scope.split(".")
        for k in range(len(parts)):
            candidate = ".".join(filter(None, [path, *parts[k:]]))
            if candidate in modules:
                path = candidate
                break
    return path


def _next_batchnorm(model: nn.Module, path: str) -> str | None:
    """The BatchNorm right after the convolution at ``path`` in its Sequential, where there is one."""
    parent_path, _, index = path.rpartition(".")
    parent = model.get_submodule(parent_path) if parent_path else model
    if isinstance(parent, nn.Sequential) and index.isdigit() and int(index) + 1 < len(parent):
        nxt = parent[int(index) + 1]
        if isinstance(nxt, nn.BatchNorm2d):
            return f"{parent_path}.{int(index) + 1}"
    return None


def _lstm_weights(inits: dict[str, np.ndarray], node: onnx.NodeProto, layer: int) -> dict[str, np.ndarray]:
    w, r = inits[node.input[1]], inits[node.input[2]]
    b = inits[node.input[3]] if len(node.input) > 3 and node.input[3] in inits else None
    hidden = r.shape[-1]

    def reorder(m: np.ndarray) -> np.ndarray:
        return np.concatenate([m[g * hidden : (g + 1) * hidden] for g in _LSTM_GATES])

    out = {}
    for d, suffix in enumerate(("", "_reverse")[: w.shape[0]]):
        out[f"weight_ih_l{layer}{suffix}"] = reorder(w[d])
        out[f"weight_hh_l{layer}{suffix}"] = reorder(r[d])
        if b is not None:
            out[f"bias_ih_l{layer}{suffix}"] = reorder(b[d, : 4 * hidden])
            out[f"bias_hh_l{layer}{suffix}"] = reorder(b[d, 4 * hidden :])
    return out


def onnx_state_dict(model: nn.Module, proto: onnx.ModelProto) -> tuple[dict[str, torch.Tensor], list[str]]:
    """``model``'s state dict with every weight the ONNX graph holds; returns it and the keys it had no value for."""
    inits = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    state = {k: v.clone() for k, v in model.state_dict().items()}
    found: dict[str, np.ndarray] = {k: v for k, v in inits.items() if k in state}
    lstm_layers: dict[str, int] = {}
    modules = {name for name, _ in model.named_modules()}
    for node in proto.graph.node:
        path = _module_path(node.name, modules)
        params = [i for i in node.input[1:] if i in inits]
        if node.op_type == "Conv" and params and f"{path}.weight" in state:
            found[f"{path}.weight"] = inits[node.input[1]]
            bias = inits[node.input[2]] if len(node.input) > 2 and node.input[2] in inits else None
            if bias is None:
                continue
            if f"{path}.bias" in state:
                found[f"{path}.bias"] = bias
            elif (bn := _next_batchnorm(model, path)) is not None:
                eps = cast(nn.BatchNorm2d, model.get_submodule(bn)).eps  # _next_batchnorm found a BatchNorm2d
                found.update(
                    {
                        f"{bn}.weight": np.ones_like(bias),
                        f"{bn}.bias": bias,
                        f"{bn}.running_mean": np.zeros_like(bias),
                        f"{bn}.running_var": np.full_like(bias, 1.0 - eps),
                    }
                )
            else:
                raise ValueError(f"{node.name}: a bias with nowhere to go in {type(model).__name__}")
        elif node.op_type == "LSTM":
            layer = lstm_layers.get(path, 0)
            lstm_layers[path] = layer + 1
            found.update({f"{path}.{k}": v for k, v in _lstm_weights(inits, node, layer).items()})
        elif node.op_type == "MatMul" and params and f"{path}.weight" in state:
            found[f"{path}.weight"] = inits[params[0]].T
    for key, value in found.items():
        if tuple(state[key].shape) != value.shape:
            raise ValueError(f"{key}: the ONNX file has shape {value.shape}, the model {tuple(state[key].shape)}")
        state[key] = torch.from_numpy(np.array(value)).to(state[key].dtype)
    missing = [k for k in state if k not in found and not k.endswith("num_batches_tracked")]
    return state, missing


def checkpoint_from_onnx(path_or_kind: str | Path, kind: str) -> dict:
    """A checkpoint-like dict (``model``, ``arch``, ``charset`` for recognizers) from an ONNX file we exported, or
    from the shipped model of ``kind`` (``det``, ``rec``, ``cls_line``, ``cls_page``) when ``path_or_kind`` is
    ``"shipped"``. ``missing`` lists the weights the file does not hold (e.g. DBNet's threshold head, which
    inference does not use): they keep their initial values."""
    path = shipped_model_path(kind) if str(path_or_kind) == "shipped" else Path(path_or_kind)
    proto = onnx.load(str(path))
    meta = {p.key: p.value for p in proto.metadata_props}
    if meta.get("kind") != kind:
        raise ValueError(f"{path} is a {meta.get('kind', 'unknown')!r} model, not {kind!r}")
    if meta.get("precision") == "int8":
        raise ValueError(f"{path} is quantized (int8); fine-tune from the float model")
    model: nn.Module
    if kind == "rec":
        from ocdr.models.recognition.crnn import create_recognizer

        model = create_recognizer(meta["arch"], len(meta["charset"]) + 1, json.loads(meta.get("rec_config", "null")))
    elif kind == "det":
        from ocdr.models.detection.dbnet import create_detector

        model = create_detector(meta["arch"])
    elif kind.startswith("cls_"):
        from ocdr.models.classification.orientation import create_classifier

        model = create_classifier(meta["arch"], len(json.loads(meta["angles"])))
    else:
        raise ValueError(f"importing {kind!r} models from ONNX is not supported")
    state, missing = onnx_state_dict(model, proto)
    out = {"model": state, "arch": meta["arch"], "missing": missing, "bn_folded": True, "source": str(path)}
    if kind == "rec":
        out["charset"] = meta["charset"]
        if "rec_config" in meta:
            out["rec_config"] = json.loads(meta["rec_config"])
        if "char_odds" in meta:  # the export's prior correction, undone so that training starts from the network
            out["char_odds"] = json.loads(meta["char_odds"])
            raise_odds(state["head.bias"], meta["charset"], {c: 1 / f for c, f in out["char_odds"].items()})
    if "defaults" in meta:  # a detector's post-processing settings, for the export to store again
        out["det_params"] = json.loads(meta["defaults"])
    if "angles" in meta:
        out["angles"] = json.loads(meta["angles"])
    return out


def load_init(init: str, kind: str) -> dict:
    """``--init``: a training checkpoint (.pt), an ONNX file we exported, or ``shipped``."""
    from ocdr.training.checkpoint import load_checkpoint

    if init == "shipped" or init.endswith(".onnx"):
        return checkpoint_from_onnx(init, kind)
    return load_checkpoint(Path(init))


def _is_identity(bn: nn.BatchNorm2d) -> bool:
    """Whether ``bn`` is one ``onnx_state_dict`` left as the identity (running mean 0, weight 1)."""
    assert bn.running_mean is not None  # every BatchNorm of the models keeps running statistics
    return not bn.running_mean.any() and bool((bn.weight == 1).all())


@torch.no_grad()
def refit_batchnorm(model: nn.Module, batches: list[torch.Tensor]) -> None:
    """Give the identity BatchNorms left by ``onnx_state_dict`` the mean and variance of their inputs, averaged over
    ``batches`` formed as training forms them (as BatchNorm's running statistics are), and the matching scale and
    shift: the eval-mode function is unchanged, and train-mode batch statistics start close to the running ones."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    folded = [bn for bn in bns if _is_identity(bn)]
    sums: dict[nn.Module, list] = {bn: [0, 0, 0] for bn in folded}  # mean, variance, batches seen

    def hook(module, inputs):
        x = inputs[0]
        total = sums[module]
        total[0], total[1], total[2] = total[0] + x.mean((0, 2, 3)), total[1] + x.var((0, 2, 3)), total[2] + 1

    handles = [bn.register_forward_pre_hook(hook) for bn in folded]
    was_training = model.training
    model.eval()
    try:
        for batch in batches:
            model(batch)
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    for bn in folded:  # the others the exporter kept as they were (not folded)
        mean, var, seen = sums[bn]
        if not seen:  # not on the inference path (DBNet's threshold head): measured below
            continue
        mean, var = mean / seen, var / seen
        shift = bn.bias.clone()
        assert bn.running_mean is not None and bn.running_var is not None  # as _is_identity found
        bn.running_mean.copy_(mean)
        bn.running_var.copy_(var)
        bn.weight.copy_(torch.sqrt(var + bn.eps))
        bn.bias.copy_(mean + shift)
    _measure_new_batchnorms(model, [bn for bn in folded if not sums[bn][2]], batches)


def _measure_new_batchnorms(model: nn.Module, new: list[nn.BatchNorm2d], batches: list[torch.Tensor]) -> None:
    """Running statistics for the BatchNorms of a branch the file does not hold (DBNet's threshold head: the ONNX
    file has the probability branch only), from the training-mode forward of ``batches`` with every other BatchNorm
    as it is. Otherwise they keep mean 0 and variance 1, and with ``--freeze-bn`` the new branch is never normalised
    (200 steps of fine-tuning the shipped detector so: mean held-out hmean 0.720 without this, 0.732 with it)."""
    if not new:
        return
    was_training = model.training
    model.train()
    for layer in model.modules():
        if isinstance(layer, nn.BatchNorm2d) and layer not in new:
            layer.eval()
    momenta = [bn.momentum for bn in new]
    for bn in new:
        bn.reset_running_stats()
        bn.momentum = None  # a plain average over the batches
    try:
        for batch in batches:
            model(batch)
    finally:
        for bn, momentum in zip(new, momenta, strict=True):
            bn.momentum = momentum
        model.train(was_training)
