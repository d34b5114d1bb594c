"""The PaddleX response envelope ``{logId, errorCode, errorMsg[, result]}`` that every answer of the service uses,
errors included, and the one exception type the request handlers raise to produce an error answer."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.responses import Response

SUCCESS = "Success"


class ServiceError(Exception):
    """An error answer: HTTP ``status`` (also the envelope's ``errorCode``) and a message that says what to fix."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def new_log_id() -> str:
    return str(uuid.uuid4())


def success_body(result: Any, log_id: str | None = None) -> dict[str, Any]:
    return {"logId": log_id or new_log_id(), "errorCode": 0, "errorMsg": SUCCESS, "result": result}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON bytes written once (non-ASCII kept), without a second validation pass over large results."""
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(content, status, headers=headers, media_type="application/json")


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response({"logId": new_log_id(), "errorCode": status, "errorMsg": message}, status, headers)
