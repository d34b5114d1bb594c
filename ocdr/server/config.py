"""Server settings: one frozen object, checked once, that ``ocdr serve`` fills from its flags.

It travels to uvicorn worker processes as JSON in ``OCDR_SERVER_CONFIG``, since ``--workers N`` starts the app by
import string in fresh processes.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from typing import Any

ENV_VAR = "OCDR_SERVER_CONFIG"
MIB = 1024 * 1024


@dataclass(frozen=True)
class ServerConfig:
    """Everything the HTTP service needs besides the host and port.

    Limits: ``max_body_bytes`` (413), ``max_pixels`` per page (413), ``max_pages`` per request on ``/v1/ocr`` and
    ``/v1/infer`` (413; ``/ocr`` reads the first ``paddlex_max_pages`` as PaddleX does), ``request_timeout`` seconds
    per request in the queue and at work (504), and a queue of ``queue_size`` requests waiting for one of
    ``concurrency`` workers (503 with Retry-After when full).

    Batching: recognizer calls take crops from all waiting requests, up to ``max_batch`` crops, waiting at most
    ``max_wait_ms`` after the first for others to join.

    URLs: off unless ``url_hosts`` names hosts (``"*"``: any; ``"*.example.com"``: its subdomains); addresses in
    private, loopback, link-local or reserved networks are refused unless ``allow_private_urls``.
    """

    det_model: str | None = None
    rec_model: str | None = None
    line_cls_model: str | None = None
    page_cls_model: str | None = None
    scene_cls_model: str | None = None
    scene_det_model: str | None = None
    lexicon: list[str] | None = field(default_factory=lambda: ["auto"])  # word lists (OCR's lexicon); None: off
    device: str = "cpu"  # cpu, cuda or tensorrt
    precision: str = "fp32"  # shipped det/rec models: fp32 or int8
    trt_cache: str | None = None  # TensorRT engine cache folder (default ~/.cache/ocdr/tensorrt)
    threads: int | None = None  # ONNX Runtime threads per model; None: cores / (workers x concurrency), at least 1
    dpi: float = 200.0
    memory_arena: bool = False  # off: buffers handed back after each model call, RSS flat (docs/server.md)
    params: dict[str, Any] = field(default_factory=dict)  # pipeline defaults (OCRParams fields)
    concurrency: int = 4  # requests worked on at once per process
    queue_size: int = 64  # requests waiting beyond those
    max_batch: int = 8  # CPU: 4-16 crops per call read fastest, 64 is slower; = the API's CPU rec_batch_size
    max_wait_ms: float = 2.0
    request_timeout: float = 60.0
    max_body_bytes: int = 32 * MIB
    max_pixels: int = 50_000_000
    max_pages: int = 100
    paddlex_max_pages: int = 10
    url_hosts: tuple[str, ...] = field(default_factory=tuple)
    allow_private_urls: bool = False
    url_timeout: float = 10.0
    max_download_bytes: int = 32 * MIB

    def __post_init__(self) -> None:
        positive = ("concurrency", "max_batch", "max_body_bytes", "max_pixels", "max_pages", "paddlex_max_pages")
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("request_timeout", "url_timeout", "dpi"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.queue_size < 0 or self.max_wait_ms < 0 or self.max_download_bytes < 1:
            raise ValueError("queue_size and max_wait_ms must be >= 0, max_download_bytes >= 1")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be at least 1, got {self.threads}")
        object.__setattr__(self, "url_hosts", tuple(h.lower() for h in self.url_hosts))

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServerConfig:
        """The config ``ocdr serve`` put in the environment (defaults when there is none)."""
        raw = os.environ.get(ENV_VAR)
        if not raw:
            return cls()
        data = json.loads(raw)
        known = {f.name for f in fields(cls)}
        data["url_hosts"] = tuple(data.get("url_hosts", ()))
        return cls(**{k: v for k, v in data.items() if k in known})
