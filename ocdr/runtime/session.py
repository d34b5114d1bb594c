"""ONNX Runtime sessions: one place that picks providers and thread counts.

Devices: "cpu", "cuda" (onnxruntime-gpu's CUDA provider) and "tensorrt" (its TensorRT provider, FP16, engines cached
on disk). A GPU device that is not there, or whose provider fails to attach, is an error: ONNX Runtime itself would
only log it and run on the CPU, many times slower, which a deployment should hear about at start-up.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import onnxruntime as ort

from ocdr.errors import ModelError

PROVIDER = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider", "tensorrt": "TensorrtExecutionProvider"}
DEVICES = tuple(PROVIDER)


def default_trt_cache() -> Path:
    """Where TensorRT engines are kept between runs (building one takes from seconds to minutes)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ocdr" / "tensorrt"


def execution_providers(device: str, trt_cache: str | Path | None = None) -> list[str | tuple[str, dict[str, str]]]:
    """The provider list for ``device``: its provider first, then those that take the nodes it cannot run.

    Raises ``ModelError`` when this onnxruntime build lacks the device's provider (no silent CPU fallback).
    """
    if device not in PROVIDER:
        raise ValueError(f"unknown device {device!r}; choose from {list(DEVICES)}")
    available = ort.get_available_providers()
    if PROVIDER[device] not in available:
        raise ModelError(
            f"device {device!r} asked for, but this onnxruntime has no {PROVIDER[device]} "
            f"(available: {', '.join(available)}); install onnxruntime-gpu with CUDA/cuDNN"
            + (" and TensorRT" if device == "tensorrt" else "")
            + ", or use --device cpu"
        )
    if device == "cpu":
        return [PROVIDER["cpu"]]
    if device == "cuda":
        return [PROVIDER["cuda"], PROVIDER["cpu"]]
    cache = str(trt_cache or default_trt_cache())
    trt_options = {
        "trt_fp16_enable": "True",
        "trt_engine_cache_enable": "True",
        "trt_engine_cache_path": cache,
        "trt_timing_cache_enable": "True",
        "trt_timing_cache_path": cache,
    }
    return [(PROVIDER["tensorrt"], trt_options), PROVIDER["cuda"], PROVIDER["cpu"]]


class OnnxModel:
    """An ONNX model loaded once; ``run`` is safe to call from several threads (ONNX Runtime guarantees it)."""

    def __init__(
        self,
        path: str | Path,
        threads: int | None = None,
        device: str = "cpu",
        memory_arena: bool = True,
        trt_cache: str | Path | None = None,
    ):
        path = Path(path)
        if not path.is_file():
            raise ModelError(f"model file not found: {path}")
        trt_cache = Path(trt_cache or default_trt_cache())
        providers = execution_providers(device, trt_cache)
        if device == "tensorrt":
            trt_cache.mkdir(parents=True, exist_ok=True)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        # the CPU arena keeps the largest buffers any input size needed: faster, and pages read one after another
        # peak no higher with it. Without ``memory_arena`` (the server: it would keep them for every page in
        # flight) the arena still serves each run, and hands its free buffers back at the run's end: 17-18% more
        # pages a second than no arena at all, with memory as flat (docs/server.md)
        self.run_options = ort.RunOptions()
        if not memory_arena:
            self.run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        # ONNX Runtime's memory pattern, on by default, plans one block per input shape on top of the arena's own
        # buffers: on the CPU it held a second copy of the detector's largest buffers (an A4 page at 300 dpi, 2
        # threads: 1.2 GB resident after a few pages, 0.66 GB without it) and saved no time
        options.enable_mem_pattern = device != "cpu"
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self.session = ort.InferenceSession(str(path), options, providers=providers)
        except Exception as exc:  # onnxruntime raises its own untyped errors for corrupt files
            if zipfile.is_zipfile(path):  # torch.save writes a zip archive
                raise ModelError(
                    f"{path} is a training checkpoint, not an ONNX model: export it first (ocdr export {path} -o "
                    "model.onnx) and give the .onnx file"
                ) from exc
            raise ModelError(f"cannot load model {path}: {exc}") from exc
        if PROVIDER[device] not in self.session.get_providers():
            raise ModelError(
                f"device {device!r}: {PROVIDER[device]} failed to attach for {path.name} (ONNX Runtime fell back to "
                f"{', '.join(self.session.get_providers())}); check the CUDA/cuDNN/TensorRT libraries it logged "
                "above, or use --device cpu"
            )
        self.path = path
        self.device = device
        self.metadata: dict[str, str] = dict(self.session.get_modelmeta().custom_metadata_map)
        self.input_name = self.session.get_inputs()[0].name

    def run(self, x):
        return self.session.run(None, {self.input_name: x}, self.run_options)[0]
