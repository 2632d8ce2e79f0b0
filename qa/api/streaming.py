"""Streaming a synchronous answer stream over SSE without wedging the model.

The answer pipeline is synchronous (``Answerer.stream`` is a generator that holds the model's
slot while it generates). ``in_threads`` drives it one item at a time in worker threads on behalf
of one request and guarantees that, however the response ends (finished, the client went away,
an error, the task cancelled), the request's ``Call.cancel`` flag is set and the generator is
closed, so the model's slot is released and the next request goes on.

>>> sse("token", {"text": "Three"})
'event: token\\ndata: {"text": "Three"}\\n\\n'
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import TypeVar

import anyio
from fastapi import Request

from qa.guard import CALL, Call

log = logging.getLogger(__name__)

T = TypeVar("T")
_END = object()
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def sse(event: str, data: dict) -> str:
    """One server-sent event."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _next(call: Call, items: Iterator[T]) -> T | object:
    CALL.set(call)  # this worker thread's copy of the request's context
    return next(items, _END)


async def in_threads(request: Request, items: Iterator[T], call: Call) -> AsyncIterator[T]:
    """Yield ``items`` (a sync generator), each ``next`` in a worker thread, until it ends or the
    client disconnects; then cancel the call and close the generator."""
    try:
        while not await request.is_disconnected():
            item = await anyio.to_thread.run_sync(_next, call, items, abandon_on_cancel=True)
            if item is _END:
                return
            yield item
        log.info("client went away: %s %s cancelled", request.method, request.url.path)
    finally:
        call.cancel.set()
        close_when_idle(items)


def close_when_idle(items: Iterator, patience: float = 300.0) -> None:
    """Close the generator now, or (if a worker thread is still inside it, e.g. a cancelled
    request's model call that has not yet seen its cancel flag) as soon as that thread leaves."""
    close = getattr(items, "close", None)
    if close is None:
        return
    try:
        close()
    except ValueError:  # "generator already executing": retry from a helper thread

        def retry() -> None:
            deadline = time.monotonic() + patience
            while time.monotonic() < deadline:
                try:
                    close()
                    return
                except ValueError:
                    time.sleep(0.02)
            log.warning("a cancelled answer stream did not stop within %.0f s", patience)

        threading.Thread(target=retry, name="qa-close-stream", daemon=True).start()
