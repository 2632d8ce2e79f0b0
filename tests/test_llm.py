import contextlib
import socket
import threading
from pathlib import Path

import pytest

from qa.errors import LLMUnavailable, ModelError
from qa.llm import OpenAICompatible, make_backend
from qa.models import join_parts, verify_file
from qa.settings import Settings
from tests.conftest import free_port


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
