"""The HTTP service (``ocdr serve``; needs the ``serve`` extra: fastapi, uvicorn, prometheus-client,
python-multipart). See docs/server.md."""
