"""Requests to the model from the server: a bounded queue in front of a backend, and per-request
bookkeeping (the deadline, a client that went away, tokens used) read through a context variable.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from qa.errors import LLMUnavailable, Overloaded
from qa.llm import ChatBackend, Message


@dataclass
class Call:
    """Per-request bookkeeping that ``GuardedBackend`` reads and writes through ``CALL``: a flag
    the server sets when the client went away, and the token counts of every model call made for
    the request (the translation too). A contextvar reaches the worker threads of a request."""

    cancel: threading.Event = field(default_factory=threading.Event)
    deadline: float | None = None  # time.monotonic() by which the whole request must be done
    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated: bool = False  # prompt_tokens estimated from characters (the backend reported none)


CALL: ContextVar[Call | None] = ContextVar("qa_call", default=None)


def estimate_tokens(messages: list[Message]) -> int:
    """About four characters a token, plus a few per message for the chat template.

    >>> estimate_tokens([{"role": "user", "content": "How many projects are idle?"}])
    10
    """
    return sum(len(m["content"]) // 4 + 4 for m in messages)


class GuardedBackend(ChatBackend):
    """A bounded queue in front of a backend: at most ``parallel`` calls run, at most
    ``max_waiting`` wait (more get ``Overloaded`` at once), each call ends within ``timeout``
    seconds of its arrival, and the slot is released however the stream ends (exhausted,
    ``close()``d by a client that went away, or raising)."""

    def __init__(self, inner: ChatBackend, max_waiting: int = 16, timeout: float = 120.0, parallel: int = 1) -> None:
        self.inner, self.name = inner, inner.name
        self.max_waiting, self.timeout, self.parallel = max_waiting, timeout, parallel
        self.waiting = self.busy = 0
        self._mean_s = 2.0  # running mean of a call's duration, for Retry-After
        self._cond = threading.Condition()

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        with self._slot() as (call, deadline):
            pieces = self.inner.stream(messages, max_tokens)
            try:
                for piece in pieces:
                    _check(deadline, self.timeout, call)
                    yield piece
            finally:
                getattr(pieces, "close", lambda: None)()
            self.tokens_generated, self.prompt_tokens = self.inner.tokens_generated, self.inner.prompt_tokens
            _count(call, messages, self.inner)

    def yes_probability(self, messages: list[Message]) -> float:
        with self._slot():
            return self.inner.yes_probability(messages)

    @contextmanager
    def _slot(self) -> Iterator[tuple[Call | None, float]]:
        """Wait for a free slot within the request's time, and hold it until the block ends."""
        call = CALL.get()
        deadline = time.monotonic() + self.timeout
        if call is not None and call.deadline is not None:
            deadline = min(deadline, call.deadline)  # a second call (translation first) shares the request's time
        self._enter(deadline, call)
        t0 = time.monotonic()
        try:
            yield call, deadline
        finally:
            self._leave(time.monotonic() - t0)

    def _enter(self, deadline: float, call: Call | None) -> None:
        with self._cond:
            self.check_room()
            self.waiting += 1
            try:
                while self.busy >= self.parallel:
                    _check(deadline, self.timeout, call, waiting=True)
                    self._cond.wait(min(0.25, max(0.0, deadline - time.monotonic())))
            finally:
                self.waiting -= 1
            self.busy += 1

    def check_room(self) -> None:
        """Raise Overloaded when a new call would find the queue full."""
        if self.busy >= self.parallel and self.waiting >= self.max_waiting:
            wait = self._mean_s * (self.waiting + 1) / self.parallel
            raise Overloaded(
                f"{self.waiting} requests already wait for the model (QA_MAX_WAITING={self.max_waiting}): "
                f"retry in about {max(1, round(wait))} s",
                retry_after=wait,
            )

    def _leave(self, seconds: float) -> None:
        with self._cond:
            self.busy -= 1
            self._mean_s = 0.8 * self._mean_s + 0.2 * seconds
            self._cond.notify()

    def stats(self) -> dict[str, int]:
        """Queue depth for /api/health: read without the lock, so it never waits."""
        return {"waiting": self.waiting, "busy": self.busy, "max_waiting": self.max_waiting}

    def close(self) -> None:
        self.inner.close()


def _check(deadline: float, timeout: float, call: Call | None, waiting: bool = False) -> None:
    """Raise when the client went away or the request's time is up."""
    if call is not None and call.cancel.is_set():
        raise LLMUnavailable("the request was cancelled: the client disconnected")
    if time.monotonic() > deadline:
        what = "waiting for the model" if waiting else "answering"
        raise (Overloaded if waiting else LLMUnavailable)(
            f"the model took over {timeout:.0f} s ({what}); try again or raise QA_LLM_TIMEOUT"
        )


def _count(call: Call | None, messages: list[Message], inner: ChatBackend) -> None:
    if call is None:
        return
    reported = inner.prompt_tokens
    call.prompt_tokens += reported or estimate_tokens(messages)
    call.estimated = call.estimated or not reported
    call.completion_tokens += inner.tokens_generated
