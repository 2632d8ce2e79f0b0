"""``POST /api/answer`` (JSON) and ``POST /api/answer/stream`` (server-sent events)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from qa.answer import Answer
from qa.api.checks import admit, check_history, new_call
from qa.api.deps import AnswererDep, require_key, settings
from qa.api.errors import public_message
from qa.api.streaming import SSE_HEADERS, in_threads, sse
from qa.api.wire import AnswerOut, AnswerRequest, ErrorOut, sse_schema
from qa.errors import Overloaded, QAError, check_question
from qa.events import Stage
from qa.guard import CALL

router = APIRouter(tags=["answer"], dependencies=[Depends(require_key)])

ERRORS = {
    400: {
        "model": ErrorOut,
        "description": "the body is not a JSON object (not JSON, empty, not UTF-8, or sent without "
        "content-type: application/json); the message shows what to send",
    },
    401: {"model": ErrorOut, "description": "QA_API_KEY is set and the request lacks it"},
    422: {"model": ErrorOut, "description": "bad input: the message says which field and why"},
    429: {"model": ErrorOut, "description": "too many requests wait for the model; see Retry-After"},
    503: {"model": ErrorOut, "description": "models loading, or the model failed or timed out"},
}
SSE_DOC = {
    200: {
        "description": "server-sent events; see the operation's description for the event types",
        "content": {
            "text/event-stream": {
                "schema": sse_schema(
                    ["stage", "token", "answer", "error"],
                    'JSON: stage {"stage","detail","elapsed_ms"}, token {"text"}, answer (AnswerOut), error {"error","code"}',
                )
            }
        },
    }
}


def public_answer(answer: Answer) -> dict:
    """The answer as AnswerOut's dict."""
    return AnswerOut.model_validate(answer.to_dict()).model_dump()


def _inputs(body: AnswerRequest, request: Request) -> tuple[str, list[dict[str, str]]]:
    s = settings(request)
    q = check_question(body.question, s.max_question_chars)
    return q, check_history([m.model_dump() for m in body.history], s)


@router.post("/api/answer", response_model=AnswerOut, responses=ERRORS)
def answer(body: AnswerRequest, request: Request, a: AnswererDep) -> dict:
    """Answer a question from the documents; every claim cites an exact character span."""
    q, history = _inputs(body, request)
    CALL.set(new_call(settings(request)))
    return public_answer(a.answer(q, history))


@router.post("/api/answer/stream", response_class=StreamingResponse, responses={**SSE_DOC, **ERRORS})
async def answer_stream(body: AnswerRequest, request: Request, a: AnswererDep):
    """Server-sent events: ``stage`` events (`{"stage", "detail", "elapsed_ms"}`) while the answer
    is found and checked, then ``token`` events (`{"text"}`) carrying only checked text (together
    they equal the final answer), then one ``answer`` event (an AnswerOut object), or one
    ``error`` event (`{"error", "code"}`, code `overloaded` or `unavailable`). The model's
    unchecked draft is never sent."""
    q, history = _inputs(body, request)
    admit(a)
    events = _events(in_threads(request, a.stream(q, history), new_call(settings(request))))
    return StreamingResponse(events, media_type="text/event-stream", headers=SSE_HEADERS)


async def _events(items: AsyncIterator) -> AsyncIterator[str]:
    try:
        async for item in items:
            if isinstance(item, Answer):
                yield sse("answer", public_answer(item))
            elif isinstance(item, Stage):
                yield sse("stage", item.to_dict())
            else:
                yield sse("token", {"text": item.text})
    except QAError as exc:
        code = "overloaded" if isinstance(exc, Overloaded) else "unavailable"
        yield sse("error", {"error": public_message(str(exc)), "code": code})


__all__ = ["router"]
