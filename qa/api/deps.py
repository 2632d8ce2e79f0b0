"""Request dependencies: the server's state, the answerer once loaded, the API key check."""

from __future__ import annotations

import secrets
import threading
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from qa.answer import Answerer
from qa.settings import Settings


class State:
    """What the routes share: the answerer (None until loaded) and a start-up error, if any."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.answerer: Answerer | None = None
        self.error: str | None = None
        self.ready = threading.Event()


def state(request: Request) -> State:
    return request.app.state.qa


def settings(request: Request) -> Settings:
    return request.app.state.qa.settings


async def get_answerer(request: Request) -> Answerer:
    """The loaded answerer, or a 503 saying why there is none yet."""
    st = state(request)
    if st.answerer is None:
        raise HTTPException(503, st.error or "models are still loading: try again shortly")
    return st.answerer


AnswererDep = Annotated[Answerer, Depends(get_answerer)]

bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <QA_API_KEY>`")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="`X-API-Key: <QA_API_KEY>`")


async def require_key(
    request: Request,
    auth: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    header_key: Annotated[str | None, Depends(api_key_header)],
) -> None:
    """When QA_API_KEY is set, the request must carry it (either header)."""
    key = settings(request).api_key
    if not key:
        return
    given = auth.credentials if auth else header_key or ""
    if not given or not secrets.compare_digest(given.encode(), key.encode()):
        raise HTTPException(
            401,
            "missing or wrong API key: send `Authorization: Bearer <QA_API_KEY>`",
            headers={"WWW-Authenticate": "Bearer"},
        )
