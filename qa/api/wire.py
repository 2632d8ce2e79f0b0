"""Every pydantic model of the HTTP wire format. The pipeline's own types (``Answer``,
``Citation``, ``Stage``) stay frozen dataclasses in their modules; these are the edge only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

IDLE_Q = "How many anchor projects are idle?"
ROLES = ("user", "assistant", "system")


class ChatMessage(BaseModel):
    """One earlier turn of the conversation."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"role": "user", "content": IDLE_Q}]})
    role: Literal["user", "assistant", "system"] = Field(description="who said it; system turns are ignored")
    content: StrictStr = Field(description="what was said")


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"question": IDLE_Q, "history": []}]})
    question: StrictStr = Field(
        description="the question: 1 to QA_MAX_QUESTION_CHARS (2,000) characters, not only whitespace",
        json_schema_extra={"minLength": 1},  # checked by check_question, whose message says what to do
    )
    history: list[ChatMessage] = Field(
        default_factory=list,
        description="earlier turns, oldest first; limited by QA_MAX_HISTORY_MESSAGES and QA_MAX_HISTORY_CHARS",
    )


class CitationOut(BaseModel):
    source: str = Field(description="the document, relative to the project root", examples=["seeds/a.txt"])
    start: int = Field(ge=0, description="offset of the first character of the span (0-based)")
    end: int = Field(ge=0, description="offset just past the span's last character (exclusive)")
    quote: str = Field(description="exactly text[start:end] of the source")


class AnswerOut(BaseModel):
    question: str = Field(description="the question as answered (stripped)")
    answer: str = Field(description="the answer with [n] markers pointing at citations[n-1]")
    refused: bool = Field(description="true when the documents do not hold the answer")
    citations: list[CitationOut]
    model: str = Field(description="the language model, or 'extractive'")
    timings_ms: dict[str, float] = Field(description="milliseconds per step, e.g. retrieve_ms, total_ms")


class ErrorOut(BaseModel):
    """Every error of /api (and 404s anywhere): one line saying what is wrong and what to do."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"error": "question is empty: type a question"}]})
    error: str


class SourceOut(BaseModel):
    id: str = Field(description="stable id for GET /api/sources/{id}")
    source: str = Field(description="the document, relative to the project root")
    chars: int = Field(ge=0, description="length of the text in characters")
    metadata: dict[str, str | int | float | bool]


class SourceText(BaseModel):
    id: str
    source: str
    text: str = Field(description="the whole text; citation offsets index into it")
    metadata: dict[str, str | int | float | bool]


class Health(BaseModel):
    status: Literal["ready", "loading", "error"]
    model: str | None = None
    documents: int | None = None
    error: str | None = None
    waiting: int = Field(0, ge=0, description="requests queued for the language model")
    busy: int = Field(0, ge=0, description="requests the language model is serving now")
    max_waiting: int = Field(0, ge=0, description="queue length beyond which requests get 429")


# ---- OpenAI-compatible /v1 ----------------------------------------------------------------
class TextPart(BaseModel):
    """A content part; only text parts are accepted (this model reads no images or audio)."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["text"]
    text: StrictStr


class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")  # name, tool_call_id, ...: accepted, ignored
    role: Literal["system", "developer", "user", "assistant", "tool"] = Field(
        description="system/developer/tool turns are ignored; the last user turn is the question"
    )
    content: StrictStr | list[TextPart] | None = Field(default=None, description="a string or text parts")


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: StrictBool = False


Number = StrictFloat | StrictInt


class OpenAIRequest(BaseModel):
    """OpenAI's chat completion request. Sampling options are checked for type and range and then
    ignored: answers are deterministic and checked against the documents."""

    model_config = ConfigDict(
        extra="allow",  # other OpenAI options (user, seed, logit_bias, ...): accepted, ignored
        json_schema_extra={"examples": [{"model": "qa", "messages": [{"role": "user", "content": IDLE_Q}]}]},
    )
    model: StrictStr | None = Field(default=None, description="'qa' or an id from GET /v1/models; default 'qa'")
    messages: list[OpenAIMessage] = Field(min_length=1, description="the conversation; the last user turn is asked")
    stream: StrictBool = Field(default=False, description="server-sent chunks, the checked answer as it is ready")
    stream_options: StreamOptions | None = None
    n: StrictInt | None = Field(default=None, ge=1, le=1, description="only 1 choice is produced")
    max_tokens: StrictInt | None = Field(default=None, ge=1, description="accepted, ignored (QA_MAX_TOKENS rules)")
    max_completion_tokens: StrictInt | None = Field(default=None, ge=1, description="as max_tokens")
    temperature: Number | None = Field(default=None, ge=0, le=2, description="accepted, ignored (always 0)")
    top_p: Number | None = Field(default=None, ge=0, le=1, description="accepted, ignored")
    presence_penalty: Number | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: Number | None = Field(default=None, ge=-2, le=2)
    stop: StrictStr | list[StrictStr] | None = Field(default=None, description="accepted, ignored")
    footnotes: StrictBool = Field(
        default=True,
        description="extension: end the content with the sources as Markdown footnotes "
        '(`[1]: seeds/x.txt:1386-1458 "quote"`), so clients that drop `citations` still show them',
    )


class OpenAIErrorBody(BaseModel):
    message: str
    type: str = Field(examples=["invalid_request_error"])
    param: str | None = None
    code: str | None = Field(default=None, examples=["model_not_found"])


class OpenAIErrorOut(BaseModel):
    """OpenAI's error shape, so SDKs raise BadRequestError, NotFoundError, RateLimitError, ..."""

    error: OpenAIErrorBody


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    prompt_tokens: int = Field(description="as the model server counted them, else about characters / 4")
    completion_tokens: int = Field(description="tokens the model generated (translation included)")
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    citations: list[CitationOut] = Field(description="extension: the cited spans, as in /api/answer")
    refused: bool = Field(description="extension: the documents do not hold the answer")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "qa"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def sse_schema(events: list[str] | None, about: str) -> dict:
    """The OpenAPI (3.1) schema of one server-sent event of a ``text/event-stream`` response."""
    event = {"type": "string", "description": "the event type"} | ({"enum": events} if events else {})
    return {
        "type": "object",
        "required": ["data"],
        "properties": {"event": event, "data": {"type": "string", "description": about}},
    }
