"""Exception handlers: every error is JSON. ``/api`` and the rest answer ``{"error": "..."}``;
``/v1`` answers OpenAI's shape ``{"error": {"message", "type", "param", "code"}}`` so SDKs raise
their usual exceptions. Messages never carry internal URLs or absolute paths.

>>> public_message("cannot reach http://127.0.0.1:5123/v1 from /root/x/model.gguf")
'cannot reach the model server from model.gguf'
>>> public_message("/work/a/b.txt: not UTF-8; see GET /api/sources")
'b.txt: not UTF-8; see GET /api/sources'
"""

from __future__ import annotations

import json
import logging
import math
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from qa.api.bodies import body_model, describe, example_for, not_utf8
from qa.errors import BadQuestion, Overloaded, QAError

log = logging.getLogger(__name__)

_URL = re.compile(r"\b(?:https?|wss?)://\S+?(?=[\s,;)'\"]|$)")
_ABS_PATH = re.compile(
    r"(?<![\w.])(?:/(?:home|root|tmp|work|usr|opt|var|mnt|srv|media|private|Users|nix)|[A-Za-z]:\\)[\w.+/\\-]*?([\w.+-]+)(?=$|[\s,;:)'\"])"
)
FASTAPI_UNPARSABLE = "There was an error parsing the body"  # FastAPI's 400 for a body it cannot decode
_OPENAI_TYPES = {
    400: ("invalid_request_error", None),
    401: ("authentication_error", "invalid_api_key"),
    404: ("invalid_request_error", "not_found"),
    405: ("invalid_request_error", "method_not_allowed"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
    503: ("server_error", "model_unavailable"),
}


def public_message(text: str) -> str:
    """The message with URLs named as 'the model server' and absolute paths cut to their file name."""
    return _ABS_PATH.sub(r"\1", _URL.sub("the model server", text))


class OpenAIError(Exception):
    """An error on /v1 with OpenAI's ``param`` and ``code`` fields (e.g. model_not_found)."""

    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.param, self.code = status, param, code


def error_response(request: Request, status: int, message: str, headers=None, param=None, code=None) -> JSONResponse:
    """The JSON error for this route family."""
    message = public_message(message)
    if not request.url.path.startswith("/v1"):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    kind, default_code = _OPENAI_TYPES.get(status, ("invalid_request_error" if status < 500 else "server_error", None))
    body = {"message": message, "type": kind, "param": param, "code": code or default_code}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def retry_after(exc: Overloaded) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(exc.retry_after)))}


class ErrorBodies:
    """ASGI middleware: a JSON 404/405 from anywhere (Gradio's mounted app answers ``{"detail"}``)
    becomes ``{"error": ...}`` like every other error of the server."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        held: dict = {}

        async def rewrite(message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (404, 405):
                ctype = dict(message.get("headers", [])).get(b"content-type", b"")
                if ctype.startswith(b"application/json"):
                    held["start"], held["body"] = message, b""
                    return
            if "start" not in held or message["type"] != "http.response.body":
                return await send(message)
            held["body"] += message.get("body", b"")
            if not message.get("more_body"):
                await _send_rewritten(send, held["start"], held["body"])

        await self.app(scope, receive, rewrite)


async def _send_rewritten(send, start: dict, body: bytes) -> None:
    try:
        data = json.loads(body or b"null")
    except ValueError:
        data = None
    if isinstance(data, dict) and "detail" in data and "error" not in data:
        body = json.dumps({"error": str(data["detail"])}).encode()
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def install_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        model = body_model(request.scope.get("route"))
        problem = describe(list(exc.errors()), exc.body, request.headers.get("content-type", ""), model)
        v1 = request.url.path.startswith("/v1")
        status = 400 if v1 or problem.whole else 422
        return error_response(request, status, problem.message, param=problem.param)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = str(exc.detail)
        if exc.status_code == 400 and message == FASTAPI_UNPARSABLE:
            message = not_utf8(example_for(body_model(request.scope.get("route"))))
        return error_response(request, exc.status_code, message, headers=exc.headers)

    @app.exception_handler(OpenAIError)
    async def openai_error(request: Request, exc: OpenAIError):
        return error_response(request, exc.status, str(exc), param=exc.param, code=exc.code)

    @app.exception_handler(BadQuestion)
    async def bad_question(request: Request, exc: BadQuestion):
        status = 400 if request.url.path.startswith("/v1") else 422
        return error_response(request, status, str(exc), param="messages" if status == 400 else "question")

    @app.exception_handler(Overloaded)
    async def overloaded(request: Request, exc: Overloaded):
        return error_response(request, 429, str(exc), headers=retry_after(exc))

    @app.exception_handler(QAError)
    async def qa_error(request: Request, exc: QAError):
        log.warning("%s %s failed: %s", request.method, request.url.path, exc)
        return error_response(request, 503, str(exc))
