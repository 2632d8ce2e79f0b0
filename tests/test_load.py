"""The server under load and under clients that go away, over real sockets (uvicorn in a thread):
a stream dropped mid-answer frees the model at once; more clients than the queue holds get 429s
with Retry-After, nobody hangs, and /api/health stays fast throughout."""

from __future__ import annotations

import time

import httpx
import pytest

from qa.api import create_app
from qa.api.loadtest import run
from tests.conftest import FakeChat
from tests.serving import live_server
from tests.test_api import IDLE_Q, scripted

WEAK_Q = "Which towns have the weakest performance indicators?"
SLOW_PIECES = 40  # the slow answer takes SLOW_PIECES x 0.1 s = 4 s


class SlowChat(FakeChat):
    """The scripted model; the 'weakest' answer is long and slow, word by word."""

    def __init__(self) -> None:
        super().__init__(scripted)
        self.slow_pieces = 0

    def stream(self, messages, max_tokens):
        slow = "weakest" in messages[-1]["content"]
        yield from super().stream(messages, max_tokens)
        for _ in range(SLOW_PIECES if slow else 0):
            time.sleep(0.1)
            self.slow_pieces += 1
            yield " more"


STREAMS = [
    ("/api/answer/stream", {"question": WEAK_Q}),
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": WEAK_Q}], "stream": True}),
]


@pytest.mark.parametrize(("path", "payload"), STREAMS, ids=["api", "v1"])
def test_a_stream_dropped_mid_answer_frees_the_model(indexed, make_answerer, path, payload):
    chat = SlowChat()
    with live_server(create_app(indexed, answerer=make_answerer(chat), ui=False)) as url:
        with httpx.Client(timeout=10) as c, c.stream("POST", url + path, json=payload) as r:
            assert r.status_code == 200
            for line in r.iter_lines():
                if "writing" in line:  # the model is generating now: hang up
                    break
        t = time.perf_counter()
        r = httpx.post(url + "/api/answer", json={"question": IDLE_Q}, timeout=10)
        elapsed = time.perf_counter() - t
        health = httpx.get(url + "/api/health").json()
    assert r.status_code == 200 and r.json()["answer"].startswith("Three")
    assert elapsed < 1.5, f"the next answer waited {elapsed:.1f} s behind an abandoned one"
    assert chat.slow_pieces < SLOW_PIECES // 2  # the abandoned generation was stopped
    assert health["busy"] == 0 and health["waiting"] == 0


def test_more_clients_than_the_queue_get_429_and_nobody_hangs(indexed, make_answerer):
    def slow(messages):
        time.sleep(0.2)
        return scripted(messages)

    s = indexed.model_copy(update={"max_waiting": 3})
    with live_server(create_app(s, answerer=make_answerer(FakeChat(slow)), ui=False)) as url:
        result = run(url, clients=16, per_client=2, timeout=30)
        after = httpx.post(url + "/api/answer", json={"question": IDLE_Q}, timeout=10)
    print(result.line())
    assert result.rejected > 0 and result.retry_after_missing == 0
    assert result.ok >= 4 and result.errors == 0
    assert result.seconds < 20  # bounded: 32 requests, 0.2 s each at most, one at a time
    assert result.health_p95_ms < 50, result.line()
    assert after.status_code == 200  # the server goes on
