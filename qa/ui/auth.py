"""One door: when ``QA_API_KEY`` is set, the chat page and every Gradio route behind it need it.

Browsers get Gradio's own login page (any user name, the key as password) and its session cookie;
programmatic clients send ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``, like on /api.
``KeyGuard`` wraps the mounted Gradio app and refuses (401) every request that has neither,
except the few routes the login page itself needs (the page, its assets, ``/login``). Gradio's own
``login_check`` then sees a valid session for header-key clients, so its routes behave as for a
logged-in browser.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

PUBLIC = {"", "/", "/login", "/login/", "/logout", "/theme.css", "/robots.txt", "/favicon.ico", "/manifest.json",
          "/gradio_api/login_check", "/gradio_api/login_check/"}  # fmt: skip
PUBLIC_PREFIXES = ("/assets/", "/static/", "/svelte/", "/pwa_icon")  # the login page's own code and styles
API_USER = "api-key"  # the Gradio user name of header-key clients


def key_matches(given: str | None, key: str) -> bool:
    """Constant-time comparison of a presented key with the configured one.

    >>> key_matches("s3cret", "s3cret"), key_matches("", "s3cret"), key_matches(None, "s3cret")
    (True, False, False)
    """
    return bool(given) and secrets.compare_digest(given.encode(), key.encode())


def header_key(headers: Headers) -> str:
    """The key a client sent: ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``."""
    auth = headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else headers.get("x-api-key", "")


def login_check(key: str) -> Callable[[str, str], bool]:
    """Gradio ``auth=`` callable: any user name, the key as password."""

    def check(username: str, password: str) -> bool:
        return key_matches(password, key)

    return check


class KeyGuard:
    """ASGI middleware around the mounted Gradio app; see the module docstring."""

    def __init__(self, app: ASGIApp, key: str, gradio_app) -> None:
        self.app, self.key, self.gradio = app, key, gradio_app
        self.token = secrets.token_urlsafe(24)  # the session header-key clients are given

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        if key_matches(header_key(headers), self.key):
            return await self.app(self._with_session(scope, headers), receive, send)
        if self._public(scope) or self._logged_in(headers):
            return await self.app(scope, receive, send)
        await self._refuse(scope, send)

    def _public(self, scope: Scope) -> bool:
        path = scope["path"][len(scope.get("root_path", "")) :] if scope.get("root_path") else scope["path"]
        return scope["type"] == "http" and (path in PUBLIC or path.startswith(PUBLIC_PREFIXES))

    def _logged_in(self, headers: Headers) -> bool:
        cid = self.gradio.cookie_id
        cookies = _cookies(headers.get("cookie", ""))
        token = cookies.get(f"access-token-{cid}") or cookies.get(f"access-token-unsecure-{cid}")
        return bool(token) and token in self.gradio.tokens

    def _with_session(self, scope: Scope, headers: Headers) -> Scope:
        """The request as Gradio sees it after a login: its session cookie added."""
        self.gradio.tokens[self.token] = API_USER
        cookie = f"access-token-unsecure-{self.gradio.cookie_id}={self.token}"
        old = headers.get("cookie")
        raw = [(k, v) for k, v in scope["headers"] if k != b"cookie"]
        raw.append((b"cookie", (f"{old}; {cookie}" if old else cookie).encode()))
        return {**scope, "headers": raw}

    async def _refuse(self, scope: Scope, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = json.dumps(
            {"error": "missing or wrong API key: log in on the chat page, or send `Authorization: Bearer <QA_API_KEY>`"}
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"www-authenticate", b"Bearer")]  # fmt: skip
        await send({"type": "http.response.start", "status": 401, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _cookies(header: str) -> dict[str, str]:
    """``a=1; b=2`` as a dict.

    >>> _cookies("a=1; b=x=y")
    {'a': '1', 'b': 'x=y'}
    """
    out = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            out[name] = value
    return out
