"""Input checks shared by the /api and /v1 routes (beyond what the wire models enforce)."""

from __future__ import annotations

import time

from qa.answer import Answerer
from qa.errors import BadQuestion
from qa.guard import Call, GuardedBackend
from qa.settings import Settings


def check_history(history: list[dict[str, str]], settings: Settings) -> list[dict[str, str]]:
    """Return the history, or raise BadQuestion when it has too many turns or characters.

    >>> check_history([{"role": "user", "content": "hi"}], Settings(max_history_messages=0))
    Traceback (most recent call last):
    qa.errors.BadQuestion: history has 1 messages, over the limit of 0 (QA_MAX_HISTORY_MESSAGES): send only recent turns
    """
    if len(history) > settings.max_history_messages:
        raise BadQuestion(
            f"history has {len(history)} messages, over the limit of {settings.max_history_messages} "
            "(QA_MAX_HISTORY_MESSAGES): send only recent turns"
        )
    chars = sum(len(m["content"]) for m in history)
    if chars > settings.max_history_chars:
        raise BadQuestion(
            f"history has {chars} characters, over the limit of {settings.max_history_chars} "
            "(QA_MAX_HISTORY_CHARS): send only recent turns"
        )
    return history


def new_call(settings: Settings) -> Call:
    """The request's bookkeeping, with its deadline: QA_LLM_TIMEOUT from now for all model calls."""
    return Call(deadline=time.monotonic() + settings.llm_timeout)


def admit(answerer: Answerer) -> None:
    """Refuse (429) before a stream starts when the model's queue is full; a race past this
    check still ends in an in-stream error event, never a hang."""
    backend = answerer.backend
    if isinstance(backend, GuardedBackend):
        backend.check_room()
