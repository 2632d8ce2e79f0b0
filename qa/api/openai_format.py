"""OpenAI's chat completion format: request -> (question, history), answer -> completion or
chunks, the model ids, citations as Markdown footnotes.

>>> from qa.cite import Citation
>>> footnotes((Citation("seeds/x.txt", 4, 9, 'say "hi"'),))
'\\n\\n[1]: seeds/x.txt:4-9 "say \\\\"hi\\\\""'
"""

from __future__ import annotations

import json
import time
import uuid

from qa.answer import Answer, Answerer
from qa.api.errors import OpenAIError
from qa.api.routes.sources import public_source
from qa.api.wire import OpenAIRequest
from qa.cite import Citation
from qa.errors import BadQuestion
from qa.guard import Call

DEFAULT_MODEL = "qa"
STARTED = int(time.time())


def model_ids(answerer: Answerer | None) -> list[str]:
    """'qa', then the language model's own name as an alias once it is loaded."""
    ids = [DEFAULT_MODEL]
    if answerer is not None and answerer.model_name not in ids:
        ids.append(answerer.model_name)
    return ids


def resolve_model(requested: str | None, answerer: Answerer | None) -> str:
    """The model id to echo; 404 model_not_found for an unknown one."""
    if requested is None or requested == "":
        return DEFAULT_MODEL
    ids = model_ids(answerer)
    if requested not in ids:
        raise OpenAIError(
            404,
            f"The model {requested!r} does not exist: use one of {', '.join(map(repr, ids))} (GET /v1/models)",
            param="model",
            code="model_not_found",
        )
    return requested


def question_and_history(body: OpenAIRequest) -> tuple[str, list[dict[str, str]]]:
    """The last user turn is the question; user/assistant turns before it are the history."""
    msgs = [(m.role, _text(m.content)) for m in body.messages]
    users = [i for i, (role, _) in enumerate(msgs) if role == "user"]
    if not users:
        raise BadQuestion("messages hold no user message: add {'role': 'user', 'content': QUESTION}")
    last = users[-1]
    history = [{"role": r, "content": c} for r, c in msgs[:last] if r in ("user", "assistant") and c]
    return msgs[last][1], history


def _text(content) -> str:
    if isinstance(content, list):
        return " ".join(p.text for p in content)
    return content or ""


def footnotes(citations: tuple[Citation, ...]) -> str:
    """The citations as Markdown reference lines after a blank line ('' when there are none)."""
    lines = []
    for i, c in enumerate(citations, 1):
        src = public_source(c.source)
        src = f"<{src}>" if " " in src else src
        quote = c.quote.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
        lines.append(f'[{i}]: {src}:{c.start}-{c.end} "{quote}"')
    return "\n\n" + "\n".join(lines) if lines else ""


def extras(answer: Answer) -> dict:
    """The fields OpenAI lacks: the structured citations and the refusal flag."""
    cites = [{**c.to_dict(), "source": public_source(c.source)} for c in answer.citations]
    return {"citations": cites, "refused": answer.refused}


def usage(call: Call) -> dict[str, int]:
    p, c = call.prompt_tokens, call.completion_tokens
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


class Completion:
    """One /v1 answer's ids and its JSON bodies, whole or as stream chunks."""

    def __init__(self, model: str, with_footnotes: bool) -> None:
        self.id, self.created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        self.model, self.with_footnotes = model, with_footnotes

    def content(self, answer: Answer) -> str:
        return answer.text + (footnotes(answer.citations) if self.with_footnotes else "")

    def whole(self, answer: Answer, call: Call) -> dict:
        message = {"role": "assistant", "content": self.content(answer)}
        return {
            "id": self.id, "object": "chat.completion", "created": self.created, "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": usage(call), **extras(answer),
        }  # fmt: skip

    def chunk(self, delta: dict, finish: str | None = None, **extra) -> str:
        choices = [{"index": 0, "delta": delta, "finish_reason": finish}] if delta is not None else []
        body = {"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model}
        return "data: " + json.dumps({**body, "choices": choices, **extra}, ensure_ascii=False) + "\n\n"
