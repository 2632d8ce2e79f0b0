"""The HTTP server: JSON API under /api, OpenAI-compatible /v1, Gradio chat at /, docs at /docs.

Models load once, at start-up; ``GET /api/health`` says ready only after that. Pydantic models
here are the wire format only; the pipeline's own types stay in the other modules.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Literal

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from starlette.exceptions import HTTPException as StarletteHTTPException

from qa.answer import Answer, Answerer
from qa.errors import BadQuestion, QAError, check_question
from qa.events import Stage
from qa.settings import Settings

log = logging.getLogger(__name__)


# ---- wire models ---------------------------------------------------------------------------
class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant", "system"]
    content: StrictStr


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: StrictStr = Field(description="the question, 1 to 2,000 characters")
    history: list[ChatMessage] = Field(default_factory=list, description="earlier turns, oldest first")


class CitationOut(BaseModel):
    source: str
    start: int
    end: int
    quote: str


class AnswerOut(BaseModel):
    question: str
    answer: str
    refused: bool
    citations: list[CitationOut]
    model: str
    timings_ms: dict[str, float]


class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["user", "assistant", "system", "developer", "tool"]
    content: StrictStr | list | None = None


class OpenAIRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # clients send temperature, top_p, ...: accepted, ignored
    model: str | None = None
    messages: list[OpenAIMessage] = Field(min_length=1)
    stream: bool = False


class ErrorOut(BaseModel):
    error: str


# ---- state ---------------------------------------------------------------------------------
class State:
    def __init__(self) -> None:
        self.answerer: Answerer | None = None
        self.error: str | None = None
        self.ready = threading.Event()


def _text_of(content) -> str:
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


def source_id(source: str) -> str:
    return hashlib.sha1(source.encode()).hexdigest()[:12]


def load_answerer(settings: Settings) -> Answerer:
    """Load every model once (embedder and language model in parallel), index the default documents
    if there is no index, and fill the prompt cache (restored from disk after the first start)."""
    from qa.startup import load_models

    return load_models(settings)


def create_app(settings: Settings, answerer: Answerer | None = None, ui: bool = True) -> FastAPI:
    """The server. Pass ``answerer`` to skip loading (tests); else models load in the lifespan."""
    state = State()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if answerer is not None:
            state.answerer = answerer
            state.ready.set()
        else:
            import anyio

            try:
                state.answerer = await anyio.to_thread.run_sync(load_answerer, settings)
                state.ready.set()
            except QAError as exc:
                state.error = str(exc)
                log.error("start-up failed: %s", exc)
        yield
        if state.answerer and state.answerer.backend:
            state.answerer.backend.close()

    app = FastAPI(
        title="Document QA",
        version="0.1.0",
        description="Answers questions from the indexed documents; every claim cites an exact character span.",
        lifespan=lifespan,
        docs_url="/docs",
    )
    app.state.qa = state

    def require_key(request: Request) -> None:
        if not settings.api_key:
            return
        auth = request.headers.get("authorization", "")
        given = auth[7:] if auth.lower().startswith("bearer ") else request.headers.get("x-api-key", "")
        if not given or not secrets.compare_digest(given, settings.api_key):
            raise HTTPException(401, "missing or wrong API key: send `Authorization: Bearer <QA_API_KEY>`")

    def get_answerer() -> Answerer:
        if state.answerer is None:
            raise HTTPException(503, state.error or "models are still loading: try again shortly")
        return state.answerer

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        parts = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
            parts.append(f"{where}: {e.get('msg')}")
        return JSONResponse({"error": "; ".join(parts) or "invalid request"}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(BadQuestion)
    async def bad_question(request: Request, exc: BadQuestion):
        return JSONResponse({"error": str(exc)}, status_code=422)

    @app.exception_handler(QAError)
    async def qa_error(request: Request, exc: QAError):
        return JSONResponse({"error": str(exc)}, status_code=503)

    errors = {401: {"model": ErrorOut}, 422: {"model": ErrorOut}, 503: {"model": ErrorOut}}
    protected = [Depends(require_key)]

    @app.get("/api/health", tags=["service"])
    def health():
        if state.ready.is_set():
            a = state.answerer
            return {"status": "ready", "model": a.model_name, "documents": len(a.retriever.docs)}
        return JSONResponse({"status": "error" if state.error else "loading", "error": state.error}, status_code=503)

    @app.post("/api/answer", response_model=AnswerOut, responses=errors, dependencies=protected, tags=["answer"])
    def answer(body: AnswerRequest) -> dict:
        a = get_answerer()
        q = check_question(body.question, settings.max_question_chars)
        return a.answer(q, [m.model_dump() for m in body.history]).to_dict()

    @app.post("/api/answer/stream", responses=errors, dependencies=protected, tags=["answer"])
    def answer_stream(body: AnswerRequest):
        """Server-sent events: ``stage`` events ({"stage", "detail", "elapsed_ms"}) while the answer
        is found and checked, then ``token`` events ({"text"}) carrying only checked text (together
        they equal the final answer), then one ``answer`` event (the AnswerOut object), or an
        ``error`` event. The model's unchecked draft is never sent."""
        a = get_answerer()
        q = check_question(body.question, settings.max_question_chars)
        history = [m.model_dump() for m in body.history]

        def events() -> Iterator[str]:
            try:
                for item in a.stream(q, history):
                    if isinstance(item, Answer):
                        yield _sse("answer", item.to_dict())
                    elif isinstance(item, Stage):
                        yield _sse("stage", item.to_dict())
                    else:
                        yield _sse("token", {"text": item.text})
            except QAError as exc:
                yield _sse("error", {"error": str(exc)})

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @app.get("/api/sources", dependencies=protected, tags=["sources"])
    def sources() -> list[dict]:
        a = get_answerer()
        a.retriever.refresh()
        return [
            {"id": source_id(d.source), "source": d.source, "chars": len(d.text), "metadata": d.metadata}
            for d in a.retriever.docs.values()
        ]

    @app.get("/api/sources/{sid}", dependencies=protected, tags=["sources"])
    def source(sid: str) -> dict:
        a = get_answerer()
        for d in a.retriever.docs.values():
            if sid in (source_id(d.source), d.source):
                return {"id": source_id(d.source), "source": d.source, "text": d.text, "metadata": d.metadata}
        raise HTTPException(404, f"no indexed document with id {sid!r}: see GET /api/sources")

    @app.post("/v1/chat/completions", dependencies=protected, tags=["openai"])
    def chat_completions(body: OpenAIRequest):
        """OpenAI-compatible. The last user message is the question; earlier turns are history.
        Citations travel in an extra ``citations`` field (and in the last chunk when streaming)."""
        a = get_answerer()
        msgs = [{"role": m.role, "content": _text_of(m.content)} for m in body.messages]
        users = [i for i, m in enumerate(msgs) if m["role"] == "user"]
        if not users:
            raise BadQuestion("messages hold no user message: add {'role': 'user', 'content': QUESTION}")
        q = check_question(msgs[users[-1]]["content"], settings.max_question_chars)
        result = a.answer(q, [m for m in msgs[: users[-1]] if m["role"] in ("user", "assistant")])
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        extra = {"citations": [c.to_dict() for c in result.citations], "refused": result.refused}
        if not body.stream:
            return {
                "id": cid, "object": "chat.completion", "created": created, "model": result.model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": result.text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 0, "completion_tokens": result.tokens, "total_tokens": result.tokens},
                **extra,
            }  # fmt: skip

        def chunks() -> Iterator[str]:
            # The checked answer is streamed (not raw model tokens), so clients never show an
            # unsupported claim that is later replaced.
            base = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": result.model}
            yield "data: " + json.dumps({**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}]}) + "\n\n"
            for i, word in enumerate(result.text.split(" ")):
                piece = word if i == 0 else " " + word
                yield "data: " + json.dumps({**base, "choices": [{"index": 0, "delta": {"content": piece}}]}) + "\n\n"
            last = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], **extra}
            yield "data: " + json.dumps(last) + "\n\ndata: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")

    if ui:
        from qa.ui import mount_ui

        app = mount_ui(app, lambda: state.answerer, settings)
    return app


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def serve(settings: Settings) -> None:
    import uvicorn

    app = create_app(settings)
    log.info("serving on http://%s:%d (chat at /, API docs at /docs)", settings.host, settings.port)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")


__all__ = ["create_app", "serve"]
