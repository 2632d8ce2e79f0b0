"""OpenAI-compatible ``/v1``: chat completions (whole or streamed) and the model list, with
OpenAI-shaped errors so the official SDKs and LangChain's ChatOpenAI work unchanged."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse

from qa.answer import Answer
from qa.api.checks import admit, check_history, new_call
from qa.api.deps import AnswererDep, require_key, settings, state
from qa.api.errors import public_message
from qa.api.openai_format import STARTED, Completion, extras, model_ids, question_and_history, resolve_model, usage
from qa.api.streaming import SSE_HEADERS, in_threads
from qa.api.wire import ChatCompletion, ModelCard, ModelList, OpenAIErrorOut, OpenAIRequest, sse_schema
from qa.errors import Overloaded, QAError, check_question
from qa.events import Stage
from qa.guard import CALL, Call

router = APIRouter(tags=["openai"], dependencies=[Depends(require_key)])
ERRORS = {
    400: {"model": OpenAIErrorOut, "description": "bad request: wrong type, unsupported option, no user message"},
    401: {"model": OpenAIErrorOut, "description": "QA_API_KEY is set and the request lacks it"},
    404: {"model": OpenAIErrorOut, "description": "unknown model (code model_not_found)"},
    429: {"model": OpenAIErrorOut, "description": "too many requests wait for the model; see Retry-After"},
    503: {"model": OpenAIErrorOut, "description": "models loading, or the model failed or timed out"},
}
STREAM_DOC = {
    200: {
        "model": ChatCompletion,
        "description": "a chat.completion, or with `stream: true` server-sent `chat.completion.chunk` events: "
        "the role first, `: stage NAME` comments while the answer is found and checked, the checked content, "
        "the footnotes, a last chunk with finish_reason, citations and refused, then `data: [DONE]`",
        "content": {
            "text/event-stream": {
                "schema": sse_schema(None, "JSON chat.completion.chunk, or an OpenAI error object, or [DONE]")
            }
        },
    }
}


@router.get("/v1/models", response_model=ModelList, responses={401: ERRORS[401]})
async def models(request: Request) -> dict:
    """'qa' (the default) and the language model's name as an alias."""
    return {"object": "list", "data": [_card(i) for i in model_ids(state(request).answerer)]}


@router.get("/v1/models/{model_id}", response_model=ModelCard, responses={401: ERRORS[401], 404: ERRORS[404]})
async def model(request: Request, model_id: Annotated[str, PathParam(examples=["qa"])]) -> dict:
    """One model by id."""
    return _card(resolve_model(model_id, state(request).answerer))


def _card(model_id: str) -> dict:
    return {"id": model_id, "object": "model", "created": STARTED, "owned_by": "qa"}


@router.post("/v1/chat/completions", response_model=ChatCompletion, responses={**ERRORS, **STREAM_DOC})
def chat_completions(body: OpenAIRequest, request: Request, a: AnswererDep):
    """The last user message is the question; earlier user/assistant turns are history. The
    content ends with the sources as Markdown footnotes (unless `footnotes: false`); the
    structured citations travel in the extra `citations` field (in the last chunk when streaming)."""
    out = Completion(resolve_model(body.model, a), body.footnotes)
    q, history = question_and_history(body)
    s = settings(request)
    q, history = check_question(q, s.max_question_chars), check_history(history, s)
    call = new_call(s)
    if not body.stream:
        CALL.set(call)
        return out.whole(a.answer(q, history), call)
    admit(a)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    chunks = _chunks(out, in_threads(request, a.stream(q, history), call), call, include_usage)
    return StreamingResponse(chunks, media_type="text/event-stream", headers=SSE_HEADERS)


async def _chunks(out: Completion, items: AsyncIterator, call: Call, include_usage: bool) -> AsyncIterator[str]:
    """Role first, at once; stage comments; checked pieces as they come; footnotes; the end."""
    yield out.chunk({"role": "assistant", "content": ""})
    try:
        async for item in items:
            if isinstance(item, Stage):
                yield f": stage {item.name}\n\n"
            elif isinstance(item, Answer):
                if out.content(item) != item.text:
                    yield out.chunk({"content": out.content(item)[len(item.text) :]})
                yield out.chunk({}, "stop", **extras(item))
            else:
                yield out.chunk({"content": item.text})
    except QAError as exc:
        kind = (
            ("rate_limit_error", "rate_limit_exceeded")
            if isinstance(exc, Overloaded)
            else ("server_error", "model_unavailable")
        )
        err = {"message": public_message(str(exc)), "type": kind[0], "param": None, "code": kind[1]}
        yield "data: " + json.dumps({"error": err}) + "\n\n"
        return
    if include_usage:
        yield out.chunk(None, usage=usage(call))
    yield "data: [DONE]\n\n"
