import contextlib
import socket
import threading
import time
from pathlib import Path

import pytest

from qa.errors import LLMUnavailable, ModelError, Overloaded
from qa.guard import CALL, Call, GuardedBackend, estimate_tokens
from qa.llm import Embedded, OpenAICompatible, make_backend
from qa.models import join_parts, verify_file
from qa.settings import Settings
from tests.conftest import FakeChat, free_port


@pytest.fixture
def silent_server():
    """A loopback TCP server that accepts connections and never answers."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    conns = []
    stop = threading.Event()

    def accept():
        srv.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                conns.append(srv.accept()[0])

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}/v1"
    stop.set()
    t.join()
    for c in conns:
        c.close()
    srv.close()


def test_remote_timeout_is_a_clear_error(silent_server):
    backend = OpenAICompatible(silent_server, "m", timeout=1.0)
    with pytest.raises(LLMUnavailable, match="timed out"):
        backend.complete([{"role": "user", "content": "hi"}], 5)


def test_refused_connection_is_a_clear_error():
    backend = OpenAICompatible(f"http://127.0.0.1:{free_port()}/v1", "m", timeout=2.0)
    with pytest.raises(LLMUnavailable, match="cannot reach"):
        backend.complete([{"role": "user", "content": "hi"}], 5)


def test_make_backend_choices(tmp_path):
    assert make_backend(Settings(root=tmp_path, llm="extractive")) is None
    remote = make_backend(Settings(root=tmp_path, llm="openai", llm_base_url="http://127.0.0.1:9/v1", llm_model="m"))
    assert isinstance(remote, OpenAICompatible) and remote.name == "m"
    with pytest.raises(LLMUnavailable, match="QA_LLM_BASE_URL"):
        make_backend(Settings(root=tmp_path, llm="openai"))
    with pytest.raises(ModelError, match="nope.gguf"):
        make_backend(Settings(root=tmp_path, llm="embedded", embedded_model=str(tmp_path / "nope.gguf")))


def test_join_parts_verifies_checksum(tmp_path: Path):
    import hashlib

    parts = []
    for i, data in enumerate([b"abc", b"def", b"g"]):
        p = tmp_path / f"p{i}"
        p.write_bytes(data)
        parts.append(p)
    good = hashlib.sha256(b"abcdefg").hexdigest()
    out = join_parts(parts, tmp_path / "m.gguf", good)
    assert out.read_bytes() == b"abcdefg"
    with pytest.raises(ModelError, match="sha256"):
        join_parts(parts[::-1], tmp_path / "bad.gguf", good)
    assert not (tmp_path / "bad.gguf").exists()  # nothing half-written


def test_corrupted_model_file_fails_its_checksum(tmp_path: Path):
    import hashlib

    f = tmp_path / "m.gguf"
    f.write_bytes(b"model")
    digest = hashlib.sha256(b"model").hexdigest()
    assert verify_file(f, digest) == f
    f.write_bytes(b"modeX")
    (tmp_path / "m.gguf.sha256").unlink()
    with pytest.raises(ModelError, match="checksum"):
        verify_file(f, digest)


# ---- the guarded queue in front of the model --------------------------------------------------
def _held(backend):
    """A stream that holds the model: started, not finished."""
    it = backend.stream([{"role": "user", "content": "hi"}], 5)
    next(it)
    return it


def test_guard_releases_the_model_when_a_stream_is_closed_or_fails():
    g = GuardedBackend(FakeChat("one two three"), max_waiting=0)
    it = _held(g)
    assert g.stats() == {"waiting": 0, "busy": 1, "max_waiting": 0}
    it.close()  # a client that went away
    assert g.busy == 0
    assert g.complete([{"role": "user", "content": "hi"}], 5) == "one two three"
    broken = GuardedBackend(FakeChat(LLMUnavailable("the model timed out")))
    with pytest.raises(LLMUnavailable, match="timed out"):
        broken.complete([{"role": "user", "content": "hi"}], 5)
    assert broken.busy == 0


def test_guard_turns_away_more_waiters_than_allowed():
    g = GuardedBackend(FakeChat("one two"), max_waiting=0)
    it = _held(g)
    with pytest.raises(Overloaded, match="QA_MAX_WAITING=0") as err:
        g.complete([{"role": "user", "content": "hi"}], 5)
    assert err.value.retry_after > 0
    it.close()


def test_guard_waiter_gives_up_at_the_deadline():
    g = GuardedBackend(FakeChat("one two"), max_waiting=4, timeout=0.3)
    it = _held(g)
    t = time.monotonic()
    with pytest.raises(Overloaded, match="took over"):
        g.complete([{"role": "user", "content": "hi"}], 5)
    assert 0.25 < time.monotonic() - t < 2.0 and g.waiting == 0
    it.close()


def test_guard_stops_a_cancelled_call_and_counts_tokens():
    g = GuardedBackend(FakeChat("one two three"))
    call = Call()
    token = CALL.set(call)
    try:
        it = g.stream([{"role": "user", "content": "x" * 40}], 5)
        assert next(it) == "one"
        call.cancel.set()
        with pytest.raises(LLMUnavailable, match="disconnected"):
            next(it)
        assert g.busy == 0
        fresh = Call()
        CALL.set(fresh)
        assert g.complete([{"role": "user", "content": "x" * 40}], 5) == "one two three"
        assert fresh.prompt_tokens == estimate_tokens([{"role": "user", "content": "x" * 40}]) == 14
        assert fresh.estimated and fresh.completion_tokens == 3
    finally:
        CALL.reset(token)


def test_embedded_lock_is_released_when_a_stream_is_abandoned():
    e = Embedded.__new__(Embedded)  # the lock logic only, without loading a model
    e._lock, e.timeout, e._remote = threading.Lock(), 0.5, FakeChat("one two")
    it = e.stream([{"role": "user", "content": "hi"}], 5)
    next(it)
    it.close()
    assert e.complete([{"role": "user", "content": "hi"}], 5) == "one two"
    held = e.stream([{"role": "user", "content": "hi"}], 5)
    next(held)
    with pytest.raises(LLMUnavailable, match="busy"):
        e.complete([{"role": "user", "content": "hi"}], 5)
    held.close()


def test_embedded_cuts_the_prompt_cache_back_to_the_system_message_before_each_call():
    """What a question reuses of llama.cpp's cache must not depend on the one asked before."""
    e = Embedded.__new__(Embedded)
    e._lock, e.timeout, e._remote = threading.Lock(), 0.5, FakeChat("an answer")
    e.reset_slot, e._server, e._clean = None, None, False  # no saved prompt cache: one token of the system message
    system = {"role": "system", "content": "documents"}
    for q in ("first?", "second?"):
        assert e.complete([system, {"role": "user", "content": q}], 5) == "an answer"
    assert [len(m) for m in e._remote.seen] == [1, 2, 1, 2]  # system alone, then the question
    e.repeatable = False
    e.complete([system, {"role": "user", "content": "third?"}], 5)
    assert len(e._remote.seen) == 5


def test_embedded_restores_the_saved_prompt_after_each_call_not_before(monkeypatch):
    """With the documents' prompt saved, the cut happens once a call ends, in the background."""
    e = Embedded.__new__(Embedded)
    e._lock, e.timeout, e._remote = threading.Lock(), 0.5, FakeChat("an answer")
    e.repeatable, e.reset_slot, e._clean, e.slot_dir, e.api_key = True, "docs.slot", False, None, None
    e._server = type("S", (), {"listening_address": "http://127.0.0.1:1"})()
    log: list[str] = []

    def restore(base, action, name, slot_dir, key=None):
        log.append(f"{action} {name}")
        return True

    monkeypatch.setattr("qa.fastllm.slot_action", restore)
    monkeypatch.setattr(e._remote, "stream", lambda m, n: iter(log.append("answer") or ["ok"]))
    system = {"role": "system", "content": "documents"}
    for q in ("first?", "second?"):
        assert e.complete([system, {"role": "user", "content": q}], 5) == "ok"
        e._restorer.join(2)
    # the first call cuts the cache itself; afterwards each call finds it cut already
    assert log == ["restore docs.slot", "answer", "restore docs.slot", "answer", "restore docs.slot"]
    assert e._clean


def test_model_errors_name_no_url():
    backend = OpenAICompatible(f"http://127.0.0.1:{free_port()}/v1", "m", timeout=2.0)
    with pytest.raises(LLMUnavailable) as err:
        backend.complete([{"role": "user", "content": "hi"}], 5)
    assert "http" not in str(err.value) and "127.0.0.1" not in str(err.value)


@pytest.mark.slow
def test_embedded_server_port_needs_its_key():
    """The loopback llama.cpp port answers only this process."""
    import httpx

    from qa.models import gguf_path

    backend = Embedded(gguf_path("qwen", Settings().cache_path), n_ctx=512, threads=2, timeout=120)
    try:
        r = httpx.post(
            backend.base_url + "/chat/completions",
            json={"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2},
            timeout=30,
        )
        assert r.status_code == 401
        assert backend.complete([{"role": "user", "content": "Say hi."}], 4)
        assert backend.prompt_tokens > 0  # the server's own count, not an estimate
    finally:
        backend.close()


def test_guard_enforces_the_request_deadline_across_calls():
    def slow(messages):
        time.sleep(0.3)
        return "one two"

    g = GuardedBackend(FakeChat(slow), timeout=60)
    token = CALL.set(Call(deadline=time.monotonic() + 0.2))  # the request's time, shared by its calls
    try:
        with pytest.raises(LLMUnavailable, match="took over"):
            g.complete([{"role": "user", "content": "hi"}], 5)
        assert g.busy == 0
    finally:
        CALL.reset(token)


def _completion_server(body: dict):
    """A loopback HTTP server answering every chat completion with ``body`` (JSON)."""
    import json
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("content-length", 0)))
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def _reply(content: str, top: list[tuple[str, float]] | None) -> dict:
    choice = {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "length"}
    if top is not None:
        cands = [{"token": t, "logprob": lp, "bytes": None} for t, lp in top]
        choice["logprobs"] = {"content": [{**cands[0], "top_logprobs": cands}]}
    return {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": [choice]}


@pytest.mark.parametrize(
    ("content", "top", "expected"),
    [
        ("Yes", [("Yes", -0.5), ("No", -1.0), (" yes", -3.0), ("Maybe", -4.0)], 0.641),  # (e^-.5 + e^-3) / (… + e^-1)
        ("No", [("No", -0.1), ("Yes", -2.5)], 0.083),
        ("Yes", None, 1.0),  # a server that reports no probabilities: the reply's word
        ("No.", None, 0.0),
    ],
)
def test_yes_probability_is_read_from_the_first_tokens_candidates(content, top, expected):
    srv = _completion_server(_reply(content, top))
    try:
        backend = OpenAICompatible(f"http://127.0.0.1:{srv.server_address[1]}/v1", "m", timeout=5.0)
        assert backend.yes_probability([{"role": "user", "content": "Is it?"}]) == pytest.approx(expected, abs=1e-3)
    finally:
        srv.shutdown()


def test_guard_passes_yes_probability_through_and_frees_the_model():
    guard = GuardedBackend(FakeChat("Yes, it does."), max_waiting=1, timeout=5)
    assert guard.yes_probability([{"role": "user", "content": "Is it?"}]) == 1.0
    assert guard.stats()["busy"] == 0
    assert GuardedBackend(FakeChat("No")).yes_probability([{"role": "user", "content": "Is it?"}]) == 0.0


@pytest.mark.slow
def test_the_real_model_is_surer_of_a_sentence_that_answers():
    from qa.answer.prompt import confirm_messages
    from qa.models import gguf_path

    backend = Embedded(gguf_path("qwen", Settings().cache_path), n_ctx=1024, threads=2, timeout=120)
    try:
        said = ["Nine projects are under implementation, while three projects stand idle."]
        yes = backend.yes_probability(confirm_messages("How many projects stand idle?", said))
        no = backend.yes_probability(confirm_messages("What was Kazakhstan's GDP in 2023?", said))
        assert 0.5 < yes <= 1.0 and 0.0 <= no < 0.5 and no < yes
    finally:
        backend.close()
