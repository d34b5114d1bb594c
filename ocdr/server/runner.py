"""``ocdr serve``: uvicorn around the app, one process or ``workers`` processes sharing the port."""

from __future__ import annotations

import os
import tempfile

import uvicorn

from ocdr.server.app import WORKERS_ENV, create_app
from ocdr.server.config import ENV_VAR, ServerConfig

SHUTDOWN_GRACE = 5.0  # seconds beyond the request timeout that shutdown waits for requests in flight


def serve(config: ServerConfig, host: str = "127.0.0.1", port: int = 8080, workers: int = 1, log_level: str = "info"):
    """Serve until SIGINT/SIGTERM; then stop taking connections, finish the requests in flight, and exit."""
    grace = config.request_timeout + SHUTDOWN_GRACE
    if workers == 1:
        uvicorn.run(  # uvicorn types timeout_graceful_shutdown int, but takes seconds as a float (asyncio.timeout)
            create_app(config),
            host=host,
            port=port,
            log_level=log_level,
            timeout_graceful_shutdown=grace,  # type: ignore[arg-type]
        )
        return
    # worker processes import the app by name, so the config goes through the environment
    os.environ[ENV_VAR] = config.to_env()
    os.environ[WORKERS_ENV] = str(workers)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        _run_workers(host, port, workers, log_level, grace)
        return
    with tempfile.TemporaryDirectory(prefix="ocdr-metrics-") as metrics_dir:  # the workers' shared metric files
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        _run_workers(host, port, workers, log_level, grace)


def _run_workers(host: str, port: int, workers: int, log_level: str, grace: float) -> None:
    uvicorn.run(
        "ocdr.server.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        timeout_graceful_shutdown=grace,  # type: ignore[arg-type]  # a float: see serve
    )
