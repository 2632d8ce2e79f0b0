"""Assembling the server: state, lifespan (models load once, at start-up), handlers, routers,
docs, and the Gradio chat at ``/``. ``GET /api/health`` says ready only once the models are loaded.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from qa.answer import Answerer
from qa.api.deps import State
from qa.api.docs import add_docs
from qa.api.errors import ErrorBodies, install_handlers
from qa.api.routes import answer, health, openai, sources
from qa.errors import QAError
from qa.guard import GuardedBackend
from qa.settings import Settings

log = logging.getLogger(__name__)

DESCRIPTION = (
    "Answers questions from the indexed documents; every claim cites an exact character span. "
    'Errors are JSON: `{"error": "..."}` on /api, OpenAI\'s `{"error": {"message", "type", '
    '"param", "code"}}` on /v1. When QA_API_KEY is set, /api (except /api/health) and /v1 need '
    "`Authorization: Bearer <key>` or `X-API-Key: <key>`."
)


def load_answerer(settings: Settings) -> Answerer:
    """Load every model once (embedder and language model in parallel), index the default
    documents if there is no index, and warm (or restore) the prompt cache."""
    from qa.startup import load_models

    return load_models(settings)


def guard(answerer: Answerer, settings: Settings) -> Answerer:
    """Put the bounded queue (GuardedBackend) in front of the answerer's model, once."""
    b = answerer.backend
    if b is not None and not isinstance(b, GuardedBackend):
        remote = settings.llm == "openai" or bool(settings.llm_base_url)
        parallel = settings.llm_parallel if remote else 1  # llama.cpp here serves one at a time
        answerer.backend = GuardedBackend(b, settings.max_waiting, settings.llm_timeout, parallel)
    return answerer


def lifespan_for(state: State, answerer: Answerer | None):
    """The lifespan: take the given answerer, or load the models in a worker thread."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        import anyio

        try:
            loaded = answerer or await anyio.to_thread.run_sync(load_answerer, state.settings)
            state.answerer = guard(loaded, state.settings)
            state.ready.set()
        except QAError as exc:
            state.error = str(exc)
            log.error("start-up failed: %s", exc)
        yield
        if state.answerer and state.answerer.backend:
            state.answerer.backend.close()

    return lifespan


def create_app(settings: Settings, answerer: Answerer | None = None, ui: bool = True) -> FastAPI:
    """The server. Pass ``answerer`` to skip loading (tests); else models load in the lifespan."""
    state = State(settings)
    app = FastAPI(
        title="Document QA",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan_for(state, answerer),
        docs_url=None,  # served by add_docs, from local files
        redoc_url=None,
    )
    app.state.qa = state
    install_handlers(app)
    for module in (health, answer, sources, openai):
        app.include_router(module.router)
    add_docs(app)
    if ui:
        from qa.ui import mount_ui

        app = mount_ui(app, lambda: state.answerer, settings)
    app.add_middleware(ErrorBodies)
    return app


def check_address(host: str, port: int) -> None:
    """Raise QAError, before any model loads, when ``host:port`` cannot be listened on (the port is
    taken, the host is not an address of this machine)."""
    import socket

    where = f"{host}:{port}"
    try:
        family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            sock.bind(addr)
    except socket.gaierror as exc:
        raise QAError(f"cannot listen on {where} ({exc.strerror}): give --host (QA_HOST) an address of "
                      "this machine, e.g. 127.0.0.1 or 0.0.0.0") from None  # fmt: skip
    except OSError as exc:
        raise QAError(f"cannot listen on {where} ({exc.strerror}): is another server running there? Stop it, "
                      "or pick another --port (QA_PORT)") from None  # fmt: skip


def serve(settings: Settings) -> None:
    """Run the server with uvicorn until interrupted."""
    import uvicorn

    check_address(settings.host, settings.port)
    app = create_app(settings)
    log.info("serving on http://%s:%d (chat at /, API docs at /docs)", settings.host, settings.port)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
