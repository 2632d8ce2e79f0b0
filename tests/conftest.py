"""Fakes for unit tests (a hashing embedder, a scripted chat model) and a temp project fixture.

The real models are exercised by tests marked ``slow``.
"""

from __future__ import annotations

import hashlib
import math
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qa.embed import Embedder
from qa.llm import ChatBackend, Message
from qa.settings import Settings
from qa.text import tokens

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_c28c5033849fa43c.txt"
IDLE_SENTENCE = "Nine projects are under implementation, while three projects stand idle."


class FakeEmbedder(Embedder):
    """Bag of stemmed words hashed into 64 dimensions: similar wording, similar vectors."""

    name = "fake"

    def __init__(self, fail_after: int | None = None) -> None:
        self.calls = 0
        self.fail_after = fail_after

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise RuntimeError("embedder crashed")
        out = []
        for t in texts:
            v = [0.0] * 64
            for tok in tokens(t) or ["<empty>"]:
                v[int(hashlib.md5(tok.encode()).hexdigest(), 16) % 64] += 1.0
            n = math.sqrt(sum(x * x for x in v)) or 1.0
            out.append([x / n for x in v])
        return out


class FakeChat(ChatBackend):
    """Replies with scripted text (or a function of the messages), in word-sized pieces."""

    name = "fake-chat"

    def __init__(self, reply: str | Exception | callable = "") -> None:
        self.reply = reply
        self.seen: list[list[Message]] = []

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        self.seen.append(messages)
        reply = self.reply(messages) if callable(self.reply) else self.reply
        if isinstance(reply, Exception):
            raise reply
        self.tokens_generated = 0
        for i, word in enumerate(reply.split(" ")):
            self.tokens_generated += 1
            yield word if i == 0 else " " + word


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(proc: subprocess.Popen, ready: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``ready()`` (connection errors count as not ready) until it is true; fail the test if
    ``proc`` exits first or ``timeout`` seconds pass."""
    import httpx

    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with code {proc.returncode}")
        try:
            if ready():
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.3)
    pytest.fail(f"{what} was not ready after {timeout:.0f} s")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A temp project root holding a copy of the seed under seeds/."""
    (tmp_path / "seeds").mkdir()
    shutil.copy(SEED, tmp_path / "seeds" / SEED.name)
    return tmp_path


@pytest.fixture
def settings(project: Path) -> Settings:
    return Settings(root=project, llm="extractive")


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def indexed(settings: Settings, embedder: FakeEmbedder) -> Settings:
    from qa.pipeline import index_documents

    index_documents(settings, embedder=embedder)
    return settings


@pytest.fixture
def make_answerer(indexed: Settings, embedder: FakeEmbedder):
    from qa.pipeline import build_answerer

    def make(backend: ChatBackend | None = None, **overrides):
        s = indexed.model_copy(update=overrides)
        return build_answerer(s, embedder=embedder, backend=backend)

    return make
