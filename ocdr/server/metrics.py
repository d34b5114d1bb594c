"""Prometheus metrics of the service: requests, latencies, queue depth, batch sizes, errors.

Each app gets its own registry (tests start several apps in one process). With ``--workers N`` the workers share
``PROMETHEUS_MULTIPROC_DIR`` (set by ``ocdr serve``) and a scrape of any worker reports all of them.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as prom_multiprocess

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class ServiceMetrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.multiprocess = multiprocess_dir() is not None
        # in multiprocess mode values live in files that the collector reads; registering them too would double them
        target = None if self.multiprocess else CollectorRegistry()
        self._registry = target
        self.requests = Counter("ocdr_requests", "HTTP requests answered", ["endpoint", "status"], registry=target)
        self.errors = Counter("ocdr_errors", "Error answers (4xx and 5xx)", ["endpoint", "status"], registry=target)
        self.latency = Histogram(
            "ocdr_request_duration_seconds", "Time to answer", ["endpoint"], buckets=LATENCY_BUCKETS, registry=target
        )
        self.pages = Counter("ocdr_pages", "Pages read", registry=target)
        self.queue_depth = Gauge(
            "ocdr_queue_depth", "Requests waiting for a worker", registry=target, multiprocess_mode="livesum"
        )
        self.in_flight = Gauge(
            "ocdr_in_flight", "Requests being worked on", registry=target, multiprocess_mode="livesum"
        )
        self.rejected = Counter("ocdr_rejected", "Requests refused because the queue was full", registry=target)
        self.batch_crops = Histogram(
            "ocdr_rec_batch_crops", "Crops per recognizer call", buckets=BATCH_BUCKETS, registry=target
        )
        self.batch_requests = Histogram(
            "ocdr_rec_batch_requests", "Requests sharing one recognizer call", buckets=BATCH_BUCKETS, registry=target
        )

    def observe_batch(self, crops: int, requests: int) -> None:
        self.batch_crops.observe(crops)
        self.batch_requests.observe(requests)

    def observe_request(self, endpoint: str, status: int, seconds: float) -> None:
        self.requests.labels(endpoint, str(status)).inc()
        self.latency.labels(endpoint).observe(seconds)
        if status >= 400:
            self.errors.labels(endpoint, str(status)).inc()

    def render(self) -> bytes:
        if self._registry is not None:
            return generate_latest(self._registry)
        registry = CollectorRegistry()
        prom_multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
