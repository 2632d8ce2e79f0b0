"""Request bodies the server cannot use get a 4xx whose message says what is wrong and what to
send, in the error envelope of the route family (``{"error": "..."}`` on /api, OpenAI's on /v1)."""

import pytest
from fastapi.testclient import TestClient

from qa.api import create_app
from qa.api.bodies import describe, example_for, field_path, not_json
from qa.api.wire import AnswerRequest, OpenAIRequest
from tests.conftest import FakeChat

ANSWER_ROUTES = ("/api/answer", "/api/answer/stream")
ALL_ROUTES = (*ANSWER_ROUTES, "/v1/chat/completions")
JSON = {"content-type": "application/json"}


@pytest.fixture
def client(make_answerer, indexed):
    answerer = make_answerer(FakeChat(lambda messages: "NOT IN DOCUMENT"))
    with TestClient(create_app(indexed, answerer=answerer, ui=False)) as c:
        yield c


def message(r) -> str:
    err = r.json()["error"]
    return err["message"] if isinstance(err, dict) else err


def post(client, path, body: bytes, headers=JSON):
    return client.post(path, content=body, headers=headers)


@pytest.mark.parametrize("path", ALL_ROUTES)
@pytest.mark.parametrize(
    ("body", "needles"),
    [
        (b"hello", ["not valid JSON", "Expecting value at line 1 column 1", "Send {"]),
        (b'{"question": "How many', ["not valid JSON", "Unterminated string starting at line 1 column 14"]),
        (b'{\n "question": "a",\n}', ["not valid JSON", "line 3 column 1"]),
        (b"", ["body is empty", "Send {"]),
        (b"[1, 2]", ["must be a JSON object, got a list", "Send {"]),
        (b"null", ["must be a JSON object, got null"]),
        ('{"question": "\xff"}'.encode("latin-1"), ["not UTF-8 JSON", "Send {"]),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400_saying_what_to_send(client, path, body, needles):
    r = post(client, path, body)
    assert r.status_code == 400, r.text
    text = message(r)
    for needle in needles:
        assert needle in text, text
    assert "decode error" not in text and not text[0].isdigit()


def test_the_example_sent_back_is_the_routes_own(client):
    assert '{"question": "' in message(post(client, "/api/answer", b"hello"))
    r = post(client, "/v1/chat/completions", b"hello")
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"}  # OpenAI's envelope, so SDKs raise BadRequestError
    assert err["type"] == "invalid_request_error" and err["param"] is None
    assert '"messages": [{"role": "user"' in err["message"]


@pytest.mark.parametrize("path", ALL_ROUTES)
@pytest.mark.parametrize("ctype", ["application/x-www-form-urlencoded", "text/plain"])
def test_json_sent_without_a_json_content_type_says_which_header_to_send(client, path, ctype):
    r = post(client, path, b'{"question": "How many anchor projects are idle?"}', {"content-type": ctype})
    assert r.status_code == 400
    assert f"sent as {ctype}" in message(r) and "content-type: application/json" in message(r)


def test_json_sent_without_any_content_type_says_which_header_to_send(client):
    r = client.post("/api/answer", content=b'{"question": "How many anchor projects are idle?"}')
    assert r.status_code == 400
    assert "sent without a content type" in message(r) and "content-type: application/json" in message(r)


@pytest.mark.parametrize("path", ANSWER_ROUTES)
@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"question": 5}, "question must be a string, got 5"),
        ({"question": None}, "question must be a string, got null"),
        ({"history": []}, 'question is missing. Send {"question": "'),
        ({"question": "q", "colour": "red"}, "unknown field 'colour': send only question, history"),
        ({"question": "q", "history": "x"}, 'history must be a list, got "x"'),
        ({"question": "q", "history": [{"role": "bot", "content": "x"}]}, "history.0.role must be 'user'"),
        ({"question": "q", "history": [{"role": "user", "content": "x", "n": 1}]}, "unknown field 'history.0.n'"),
    ],
)
def test_field_errors_name_the_field(client, path, payload, expected):
    r = client.post(path, json=payload)
    assert r.status_code == 422, r.text
    assert expected in r.json()["error"]


@pytest.mark.parametrize(
    ("extra", "param", "expected"),
    [
        ({"messages": [{"role": "user", "content": 5}]}, "messages.0.content", "must be a string or a list, got 5"),
        ({"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]}, "messages.0.content.0.text", ""),
        ({"temperature": "hot"}, "temperature", 'temperature must be a number, got "hot"'),
        ({"max_tokens": 0}, "max_tokens", "max_tokens must be greater than or equal to 1, got 0"),
        ({"messages": []}, "messages", "messages must have at least 1 item(s), got 0"),
        ({"messages": None}, "messages", "messages must be a list, got null"),
    ],
)
def test_openai_field_errors_name_the_param_without_union_tags(client, extra, param, expected):
    user = [{"role": "user", "content": "How many anchor projects are idle?"}]
    r = client.post("/v1/chat/completions", json={"model": "qa", "messages": user, **extra})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["param"] == param and err["type"] == "invalid_request_error"
    assert expected in err["message"] and ".str" not in err["message"] and ".float" not in err["message"]


def test_helpers():
    assert field_path(("body", "temperature", "float")) == "temperature"
    assert not_json("{}x", 2, "Extra data", "{}").startswith(
        "The request body is not valid JSON (Extra data at line 1 column 3)"
    )
    assert example_for(AnswerRequest) == '{"question": "How many anchor projects are idle?"}'
    assert '"model": "qa"' in example_for(OpenAIRequest) and example_for(None) == '{"question": "..."}'
    p = describe([{"type": "missing", "loc": ("body",), "msg": "Field required"}], None, "", None)
    assert p.whole and p.message == 'The request body is empty. Send {"question": "..."}'
