import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from qa.api import create_app
from qa.cite import Citation, verify
from qa.errors import LLMUnavailable
from tests.conftest import IDLE_SENTENCE, SEED, FakeChat

IDLE_Q = "How many anchor projects are idle?"


def numbered(messages, sentence):
    line = next(x for x in messages[0]["content"].splitlines() if x.endswith(sentence))
    return int(line.split("]")[0].lstrip("["))


def scripted(messages):
    """Answers from the sentence that holds the question's topic: enough to tell answers apart."""
    q = messages[-1]["content"].lower()
    if "idle" in q:
        return f"Three projects stand idle. [{numbered(messages, IDLE_SENTENCE)}]"
    if "implementation" in q:
        return f"Nine projects are under implementation. [{numbered(messages, IDLE_SENTENCE)}]"
    if "weakest" in q:
        s = "The weakest performance indicators are observed in Temirtau, Balkhash and kulsary."
        return f"Temirtau, Balkhash and kulsary. [{numbered(messages, s)}]"
    return "NOT IN DOCUMENT"


@pytest.fixture
def client(make_answerer, indexed):
    answerer = make_answerer(FakeChat(scripted))
    with TestClient(create_app(indexed, answerer=answerer, ui=False)) as c:
        c.answerer = answerer
        yield c


def texts(client):
    return {s: d.text for s, d in client.answerer.retriever.docs.items()}


def test_answer(client):
    r = client.post("/api/answer", json={"question": IDLE_Q})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"question", "answer", "refused", "citations", "model", "timings_ms"}
    assert body["answer"].startswith("Three") and not body["refused"]
    assert body["citations"][0]["quote"] == IDLE_SENTENCE
    assert verify(Citation(**body["citations"][0]), texts(client))


def test_refusal(client):
    body = client.post("/api/answer", json={"question": "What is the GDP of Kazakhstan?"}).json()
    assert body["refused"] is True and body["citations"] == []


def test_follow_up_with_history(client):
    history = [{"role": "user", "content": IDLE_Q}, {"role": "assistant", "content": "Three projects stand idle. [1]"}]
    body = client.post(
        "/api/answer", json={"question": "and how many are under implementation?", "history": history}
    ).json()
    assert body["answer"].startswith("Nine") and body["citations"]


def test_stream(client):
    with client.stream("POST", "/api/answer/stream", json={"question": IDLE_Q}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        raw = "".join(r.iter_text())
    events = [(b.split("\n")[0][7:], json.loads(b.split("\n")[1][6:])) for b in raw.strip().split("\n\n")]
    kinds = [k for k, _ in events]
    assert kinds[-1] == "answer" and kinds.count("token") >= 2 and kinds[0] == "stage"
    assert kinds.index("token") > max(i for i, k in enumerate(kinds) if k == "stage")  # checked text only
    streamed = "".join(d["text"] for k, d in events if k == "token")
    assert streamed == events[-1][1]["answer"] and streamed.startswith("Three projects")
    assert events[-1][1]["citations"][0]["quote"] == IDLE_SENTENCE


def test_openai_compatible(client):
    msgs = [{"role": "system", "content": "be brief"}, {"role": "user", "content": IDLE_Q}]
    r = client.post("/v1/chat/completions", json={"model": "qa", "messages": msgs, "temperature": 0})
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"].startswith("Three")
    assert body["citations"][0]["quote"] == IDLE_SENTENCE

    with client.stream("POST", "/v1/chat/completions", json={"messages": msgs, "stream": True}) as r:
        lines = [x[6:] for x in "".join(r.iter_text()).split("\n") if x.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(x) for x in lines[:-1]]
    content = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert content == body["choices"][0]["message"]["content"]
    assert chunks[-1]["citations"] == body["citations"]
    assert content.endswith(
        f'\n\n[1]: seeds/000_c28c5033849fa43c.txt:{body["citations"][0]["start"]}-{body["citations"][0]["end"]} "{IDLE_SENTENCE}"'
    )
    plain = client.post("/v1/chat/completions", json={"messages": msgs, "footnotes": False}).json()
    assert plain["choices"][0]["message"]["content"] == "Three projects stand idle. [1]"


def test_health_and_sources(client):
    assert client.get("/api/health").json()["status"] == "ready"
    listing = client.get("/api/sources").json()
    assert [s["source"] for s in listing] == ["seeds/000_c28c5033849fa43c.txt"]
    assert listing[0]["metadata"] == {"date": "2024-04-02"} and listing[0]["chars"] == len(
        SEED.read_text(encoding="utf-8")
    )
    doc = client.get(f"/api/sources/{listing[0]['id']}").json()
    assert IDLE_SENTENCE in doc["text"]
    for bad in ("..%2F..%2Fetc%2Fpasswd", "etc/passwd", "pyproject.toml"):
        r = client.get(f"/api/sources/{bad}")
        assert r.status_code == 404 and "error" in r.json()


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"question": ""}, "empty"),
        ({"question": "   \t"}, "empty"),
        ({"question": "x" * 2001}, "2001"),
        ({"question": 42}, "question"),
        ({"question": None}, "question"),
        ({}, "question"),
        ({"question": "hi", "colour": "red"}, "colour"),
        ({"question": "hi", "history": "nope"}, "history"),
        ({"question": "hi", "history": [{"role": "robot", "content": "x"}]}, "role"),
        ([1, 2], "body"),
    ],
)
def test_bad_input_is_a_4xx_json_error(client, payload, needle):
    for path in ("/api/answer", "/api/answer/stream"):
        r = client.post(path, json=payload)
        assert 400 <= r.status_code < 500, r.text
        assert needle in r.json()["error"]


def test_non_json_body(client):
    r = client.post("/api/answer", content=b"question=hi", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]  # the 400 the OpenAPI spec documents
    r = client.post("/v1/chat/completions", json={"messages": []})
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"  # OpenAI's shape


def test_model_failure_is_503_and_server_goes_on(indexed, make_answerer):
    calls = {"n": 0}

    def flaky(messages):
        calls["n"] += 1
        return LLMUnavailable("the model timed out") if calls["n"] == 1 else scripted(messages)

    with TestClient(create_app(indexed, answerer=make_answerer(FakeChat(flaky)), ui=False)) as c:
        r = c.post("/api/answer", json={"question": IDLE_Q})
        assert r.status_code == 503 and "timed out" in r.json()["error"]
        assert c.post("/api/answer", json={"question": IDLE_Q}).status_code == 200


def test_api_key(indexed, make_answerer):
    s = indexed.model_copy(update={"api_key": "s3cret"})
    with TestClient(create_app(s, answerer=make_answerer(FakeChat(scripted)), ui=False)) as c:
        assert c.post("/api/answer", json={"question": IDLE_Q}).status_code == 401
        assert (
            c.post("/api/answer", json={"question": IDLE_Q}, headers={"Authorization": "Bearer nope"}).status_code
            == 401
        )
        assert (
            c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": IDLE_Q}]}).status_code == 401
        )
        assert c.get("/api/sources").status_code == 401
        ok = c.post("/api/answer", json={"question": IDLE_Q}, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert c.get("/api/sources", headers={"X-API-Key": "s3cret"}).status_code == 200
        assert c.get("/api/health").status_code == 200  # probes need no key


def test_concurrent_requests_each_get_their_own_answer(indexed, make_answerer):
    """20 clients at once against one model that serves a single request at a time."""
    busy = threading.Lock()
    overlaps = []

    def slow(messages):
        if not busy.acquire(blocking=False):
            overlaps.append(1)
            busy.acquire()
        try:
            time.sleep(0.02)
            return scripted(messages)
        finally:
            busy.release()

    chat = FakeChat(slow)
    answerer = make_answerer(chat)
    serial = threading.Lock()
    inner = chat.stream

    def locked_stream(messages, max_tokens):  # the embedded backend holds such a lock
        with serial:
            yield from inner(messages, max_tokens)

    chat.stream = locked_stream
    questions = [IDLE_Q, "Which towns have the weakest performance indicators?", "What is the GDP of Kazakhstan?"] * 7
    roomy = indexed.model_copy(update={"max_waiting": 32})  # all 20 queue; none is turned away with a 429
    with TestClient(create_app(roomy, answerer=answerer, ui=False)) as c, ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda q: (q, c.post("/api/answer", json={"question": q})), questions[:20]))
    assert not overlaps
    for q, r in results:
        assert r.status_code == 200
        body = r.json()
        assert body["question"] == q
        if "idle" in q:
            assert body["answer"].startswith("Three")
        elif "weakest" in q:
            assert "Temirtau" in body["answer"]
        else:
            assert body["refused"]


def test_ui_is_served_at_root(indexed, make_answerer):
    with TestClient(create_app(indexed, answerer=make_answerer(FakeChat(scripted)), ui=True)) as c:
        r = c.get("/")
        assert r.status_code == 200 and "<html" in r.text.lower()
        assert c.get("/docs").status_code == 200
        assert "/api/answer" in c.get("/openapi.json").json()["paths"]


def test_errors_and_sources_carry_no_internal_urls_or_absolute_paths(indexed, make_answerer, embedder, tmp_path):
    from qa.pipeline import index_documents

    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "memo.txt").write_text("The memo says the budget is 42 tenge.", encoding="utf-8")
    index_documents(indexed, paths=[indexed.default_docs, outside], embedder=embedder)
    leak = LLMUnavailable("cannot reach http://127.0.0.1:5123/v1 (model /root/models/secret.gguf)")
    with TestClient(create_app(indexed, answerer=make_answerer(FakeChat(leak)), ui=False)) as c:
        listing = c.get("/api/sources").json()
        assert sorted(s["source"] for s in listing) == sorted(
            [f"{outside.name}/memo.txt", "seeds/000_c28c5033849fa43c.txt"]
        )
        r = c.post("/api/answer", json={"question": IDLE_Q})
        assert r.status_code == 503
        assert "http" not in r.json()["error"] and "/root" not in r.json()["error"], r.json()
        assert "secret.gguf" in r.json()["error"]


USER = {"role": "user", "content": IDLE_Q}


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"messages": [{"role": "user", "content": [{"type": "text", "text": 123}]}]}, "messages"),
        ({"messages": [{"role": "user", "content": [{"type": "text", "text": None}]}]}, "messages"),
        ({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}, "messages"),
        ({"messages": [{"role": "robot", "content": "hi"}]}, "messages"),
        ({"n": 2}, "n"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"max_tokens": "5"}, "max_tokens"),
        ({"temperature": "hot"}, "temperature"),
        ({"temperature": 3}, "temperature"),
        ({"stream": "yes"}, "stream"),
        ({"model": 5}, "model"),
        ({"messages": [{"role": "system", "content": "be brief"}]}, "messages"),
    ],
)
def test_bad_openai_requests_are_openai_shaped_400s(client, extra, param):
    r = client.post("/v1/chat/completions", json={"messages": [USER], **extra})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["type"] == "invalid_request_error" and err["param"].startswith(param) and err["message"]


def test_history_limits(client):
    s = client.app.state.qa.settings
    turns = [{"role": "user", "content": "x"}] * (s.max_history_messages + 1)
    r = client.post("/api/answer", json={"question": IDLE_Q, "history": turns})
    assert r.status_code == 422 and "QA_MAX_HISTORY_MESSAGES" in r.json()["error"]
    big = [{"role": "user", "content": "x" * (s.max_history_chars + 1)}]
    r = client.post("/api/answer/stream", json={"question": IDLE_Q, "history": big})
    assert r.status_code == 422 and "QA_MAX_HISTORY_CHARS" in r.json()["error"]
    r = client.post("/v1/chat/completions", json={"messages": [*turns, USER]})
    assert r.status_code == 400 and "QA_MAX_HISTORY_MESSAGES" in r.json()["error"]["message"]


def test_openapi_documents_what_the_server_does(client):
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    stream = spec["paths"]["/api/answer/stream"]["post"]["responses"]
    assert "text/event-stream" in stream["200"]["content"] and {"401", "422", "429", "503"} <= set(stream)
    assert "503" in spec["paths"]["/api/health"]["get"]["responses"]
    request = spec["components"]["schemas"]["AnswerRequest"]["properties"]["question"]
    assert request["minLength"] == 1
    roles = spec["components"]["schemas"]["ChatMessage"]["properties"]["role"]["enum"]
    assert sorted(roles) == ["assistant", "system", "user"]
    assert "exclusive" in spec["components"]["schemas"]["CitationOut"]["properties"]["end"]["description"]
    chat = spec["paths"]["/v1/chat/completions"]["post"]["responses"]
    assert {"400", "404", "429"} <= set(chat) and "text/event-stream" in chat["200"]["content"]


def test_404_anywhere_is_an_error_json(indexed, make_answerer):
    with TestClient(create_app(indexed, answerer=make_answerer(FakeChat(scripted)), ui=True)) as c:
        for path in ("/nope", "/api/nope", "/v1/nope", "/gradio_api/nope"):
            r = c.get(path)
            assert r.status_code == 404, path
            body = r.json()
            assert "error" in body and "detail" not in body, (path, body)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_docs_load_nothing_from_outside(indexed, make_answerer, page):
    import re

    with TestClient(create_app(indexed, answerer=make_answerer(FakeChat(scripted)), ui=True)) as c:
        html = c.get(page)
        assert html.status_code == 200
        assert "http://" not in html.text and "https://" not in html.text and "//" not in html.text.replace("://", "")
        urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*["']([^"']+)["']""", html.text)
        assert len(urls) >= 3, urls  # script, style or favicon, and the schema
        for url in urls:
            assert url.startswith("/") and not url.startswith("//"), url
            assert c.get(url).status_code == 200, url


def test_a_full_queue_is_a_429_with_retry_after_on_every_answering_route(indexed, make_answerer):
    s = indexed.model_copy(update={"max_waiting": 0})
    with TestClient(create_app(s, answerer=make_answerer(FakeChat(scripted)), ui=False)) as c:
        backend = c.app.state.qa.answerer.backend
        held = backend.stream([{"role": "user", "content": "hi"}], 5)
        next(held)  # the model is busy and nobody may wait
        try:
            assert c.get("/api/health").json()["busy"] == 1
            for path in ("/api/answer", "/api/answer/stream"):
                r = c.post(path, json={"question": IDLE_Q})
                assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
                assert "QA_MAX_WAITING" in r.json()["error"]
            for stream in (False, True):
                r = c.post("/v1/chat/completions", json={"messages": [USER], "stream": stream})
                assert r.status_code == 429 and r.headers["retry-after"]
                assert r.json()["error"]["type"] == "rate_limit_error"
        finally:
            held.close()
        assert c.post("/api/answer", json={"question": IDLE_Q}).status_code == 200
