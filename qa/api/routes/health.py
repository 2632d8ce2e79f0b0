"""``GET /api/health``: async, in-memory only, so it answers at once under any load."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from qa.api.deps import state
from qa.api.errors import public_message
from qa.api.wire import Health
from qa.guard import GuardedBackend

router = APIRouter(tags=["service"])


@router.get(
    "/api/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "models still loading, or start-up failed"}},
)
async def health(request: Request):
    """Ready once the models are loaded; the model queue's depth (``waiting``, ``busy``). Needs no key."""
    st = state(request)
    a = st.answerer
    if a is None or not st.ready.is_set():
        status = "error" if st.error else "loading"
        body = Health(status=status, error=public_message(st.error) if st.error else None)
        return JSONResponse(body.model_dump(), status_code=503)
    queue = a.backend.stats() if isinstance(a.backend, GuardedBackend) else {}
    return Health(status="ready", model=a.model_name, documents=len(a.retriever.docs), **queue)
