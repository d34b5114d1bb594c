"""ONNX Runtime sessions: one place that picks providers and thread counts."""

from __future__ import annotations

from pathlib import Path

import onnxruntime as ort

from ocdr.errors import ModelError

PROVIDERS = {"cpu": ["CPUExecutionProvider"], "cuda": ["CUDAExecutionProvider", "CPUExecutionProvider"]}


class OnnxModel:
    """An ONNX model loaded once; ``run`` is safe to call from several threads (ONNX Runtime guarantees it)."""

    def __init__(self, path: str | Path, threads: int | None = None, device: str = "cpu", memory_arena: bool = True):
        path = Path(path)
        if not path.is_file():
            raise ModelError(f"model file not found: {path}")
        if device not in PROVIDERS:
            raise ValueError(f"unknown device {device!r}; choose from {sorted(PROVIDERS)}")
        if device == "cuda" and "CUDAExecutionProvider" not in ort.get_available_providers():
            raise ModelError(
                "device 'cuda' asked for, but this onnxruntime has no CUDA provider (install onnxruntime-gpu)"
            )
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        # the CPU arena keeps the largest buffers any input size needed, and sizes vary from image to image: a
        # long-running server turns it off so that its memory stays flat (at a few percent of speed)
        options.enable_cpu_mem_arena = memory_arena
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self.session = ort.InferenceSession(str(path), options, providers=PROVIDERS[device])
        except Exception as exc:  # onnxruntime raises its own untyped errors for corrupt files
            raise ModelError(f"cannot load model {path}: {exc}") from exc
        self.path = path
        self.metadata: dict[str, str] = dict(self.session.get_modelmeta().custom_metadata_map)
        self.input_name = self.session.get_inputs()[0].name

    def run(self, x):
        return self.session.run(None, {self.input_name: x})[0]
