"""Real OpenAI clients against a real server (uvicorn in a thread, fake models): the official
``openai`` SDK and LangChain's ``ChatOpenAI`` must work unchanged, citations included."""

from __future__ import annotations

import time

import openai
import pytest
from langchain_openai import ChatOpenAI

from qa.api import create_app
from tests.conftest import IDLE_SENTENCE, FakeChat
from tests.serving import live_server
from tests.test_api import IDLE_Q, scripted

FOOTNOTE = "[1]: seeds/000_c28c5033849fa43c.txt:"
DELAY = 1.0  # the fake model thinks this long before its first word


def slow_scripted(messages):
    time.sleep(DELAY)
    return scripted(messages)


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    from qa.pipeline import build_answerer, index_documents
    from qa.settings import Settings
    from tests.conftest import SEED, FakeEmbedder

    root = tmp_path_factory.mktemp("proj")
    (root / "seeds").mkdir()
    (root / "seeds" / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    settings, embedder = Settings(root=root, llm="extractive"), FakeEmbedder()
    index_documents(settings, embedder=embedder)
    answerer = build_answerer(settings, embedder=embedder, backend=FakeChat(slow_scripted))
    with live_server(create_app(settings, answerer=answerer, ui=False)) as base:
        yield base


@pytest.fixture
def client(url):
    return openai.OpenAI(base_url=url + "/v1", api_key="unused", max_retries=0, timeout=30)


def ask(client, **kw):
    return client.chat.completions.create(model="qa", messages=[{"role": "user", "content": IDLE_Q}], **kw)


def test_sdk_plain_answer_with_footnotes_citations_and_usage(client):
    r = ask(client)
    content = r.choices[0].message.content
    assert content.startswith("Three projects stand idle. [1]")
    assert FOOTNOTE in content and IDLE_SENTENCE in content  # survives clients that drop unknown fields
    assert r.model_extra["citations"][0]["quote"] == IDLE_SENTENCE
    assert r.usage.prompt_tokens > 100 and r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


def test_sdk_stream_is_incremental_and_ends_with_citations(client):
    t0 = time.perf_counter()
    seen = []
    for chunk in ask(client, stream=True, stream_options={"include_usage": True}):
        seen.append((time.perf_counter() - t0, chunk))
    first_at, first = seen[0]
    assert first.choices[0].delta.role == "assistant" and first_at < DELAY / 2  # at once, before the model
    content = "".join(c.choices[0].delta.content or "" for _, c in seen if c.choices)
    assert content == ask(client).choices[0].message.content
    last_choice = [c for _, c in seen if c.choices][-1]
    assert last_choice.choices[0].finish_reason == "stop"
    assert last_choice.model_extra["citations"][0]["quote"] == IDLE_SENTENCE
    assert seen[-1][1].usage.prompt_tokens > 100


def test_sdk_models(client):
    ids = [m.id for m in client.models.list()]
    assert ids == ["qa", "fake-chat"]
    assert client.models.retrieve("fake-chat").id == "fake-chat"
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        client.models.retrieve("gpt-4")
    r = client.chat.completions.create(model="fake-chat", messages=[{"role": "user", "content": IDLE_Q}])
    assert r.model == "fake-chat"


def test_sdk_errors(client):
    with pytest.raises(openai.NotFoundError, match="does not exist") as err:
        client.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": IDLE_Q}])
    assert err.value.code == "model_not_found"
    with pytest.raises(openai.BadRequestError, match="no user message"):
        client.chat.completions.create(model="qa", messages=[{"role": "system", "content": "hi"}])
    with pytest.raises(openai.BadRequestError, match="n"):
        ask(client, n=2)


def test_langchain_invoke_and_stream_show_the_footnotes(url):
    chat = ChatOpenAI(base_url=url + "/v1", api_key="unused", model="qa", max_retries=0, timeout=30)
    whole = chat.invoke(IDLE_Q).content
    assert whole.startswith("Three") and FOOTNOTE in whole
    streamed = "".join(piece.content for piece in chat.stream(IDLE_Q))
    assert streamed == whole
