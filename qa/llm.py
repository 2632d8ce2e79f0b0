"""Chat backends. One abstract method, ``stream(messages, max_tokens)``, yields text pieces.

- ``OpenAICompatible``: any OpenAI-compatible server (vLLM, llama.cpp, Ollama, OpenAI) through
  LangChain's ``ChatOpenAI``.
- ``Embedded``: llama.cpp's server started in-process by ``xllamacpp`` on a loopback port, then
  the same ``ChatOpenAI`` code path. No network, no API key.
Tests register a fake backend in conftest.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path

from qa.errors import LLMUnavailable, ModelError

log = logging.getLogger(__name__)

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": str}


class ChatBackend(ABC):
    name: str = "backend"
    tokens_generated: int = 0  # pieces yielded by the most recent stream() call

    @abstractmethod
    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        """Yield the reply in pieces. Raise LLMUnavailable when the model cannot answer."""

    def complete(self, messages: list[Message], max_tokens: int) -> str:
        return "".join(self.stream(messages, max_tokens))

    def prime(self, messages: list[Message]) -> str:
        """Have the server cache the prompt ``messages`` (a warm-up); says how: "computed" or "restored"."""
        self.complete(messages, 1)
        return "computed"

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (a server, a process)."""


class OpenAICompatible(ChatBackend):
    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 120.0) -> None:
        from langchain_openai import ChatOpenAI

        self.name = model
        self.base_url = base_url
        self.stop: list[str] | None = None  # stop sequences sent with every request
        self._chat = ChatOpenAI(
            base_url=base_url,
            model=model,
            api_key=api_key or "none",
            temperature=0,
            timeout=timeout,
            max_retries=0,
        )

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        import openai

        self.tokens_generated = 0
        lc = [(m["role"], m["content"]) for m in messages]
        try:
            for piece in self._chat.stream(lc, max_tokens=max_tokens, stop=self.stop):
                text = piece.content if isinstance(piece.content, str) else ""
                if text:
                    self.tokens_generated += 1
                    yield text
        except openai.APITimeoutError as exc:
            raise LLMUnavailable(f"the model at {self.base_url} timed out; try again or raise QA_LLM_TIMEOUT") from exc
        except openai.APIConnectionError as exc:
            raise LLMUnavailable(f"cannot reach the model at {self.base_url}; is the server running?") from exc
        except openai.APIStatusError as exc:
            raise LLMUnavailable(
                f"the model at {self.base_url} answered HTTP {exc.status_code}: {exc.message}"
            ) from exc


class Embedded(ChatBackend):
    """A GGUF model served in-process by llama.cpp (xllamacpp); one request at a time."""

    def __init__(
        self,
        gguf: Path,
        n_ctx: int = 4096,
        threads: int = 2,
        timeout: float = 120.0,
        speculative: tuple[str, int, int] = ("none", 3, 16),
        slot_dir: Path | None = None,
        stop: tuple[str, ...] = (),
    ) -> None:
        try:
            import xllamacpp as xlc
        except ImportError as exc:
            raise ModelError("xllamacpp is not installed: run `make install`") from exc
        t0 = time.perf_counter()
        p = xlc.CommonParams()
        p.model.path = str(gguf)
        p.n_ctx = n_ctx
        p.cpuparams.n_threads = threads
        p.cpuparams_batch.n_threads = threads
        p.n_parallel = 1
        p.verbosity = -1
        from qa.fastllm import configure

        configure(p, speculative, slot_dir)  # speculative decoding; prompt caches saved by prime()
        self.slot_dir, self.gguf = slot_dir, Path(gguf)
        try:
            self._server = xlc.Server(p)
        except Exception as exc:
            raise ModelError(f"llama.cpp could not load {gguf} ({exc}); delete it and run again") from exc
        self.name = Path(gguf).stem
        self.base_url = self._server.listening_address + "/v1"
        self._remote = OpenAICompatible(self.base_url, "local", None, timeout)
        self._remote.stop = list(stop) or None
        self._lock = threading.Lock()
        log.info("model %s loaded in %.1f s, serving on %s", self.name, time.perf_counter() - t0, self.base_url)

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        with self._lock:
            yield from self._remote.stream(messages, max_tokens)
            self.tokens_generated = self._remote.tokens_generated

    def close(self) -> None:
        self._server = None

    # ---- the prompt cache on disk (qa.fastllm) -------------------------------------------------
    def prime(self, messages: list[Message]) -> str:
        """Restore the cache of ``messages`` saved by an earlier start, else compute and save it."""
        from qa.fastllm import prime

        return prime(self, messages)

    def save_slot(self, name: str) -> bool:
        """Write the prompt cache (llama.cpp slot 0) to ``slot_dir/name``; False if that failed."""
        from qa.fastllm import slot_action

        with self._lock:
            return slot_action(self._server.listening_address, "save", name, self.slot_dir)

    def restore_slot(self, name: str) -> bool:
        """Load ``slot_dir/name`` into the prompt cache; False if it is missing or that failed."""
        from qa.fastllm import slot_action

        with self._lock:
            return slot_action(self._server.listening_address, "restore", name, self.slot_dir)


def make_backend(settings) -> ChatBackend | None:
    """The backend the settings ask for; None means extractive answers only."""
    from qa.models import gguf_path

    kind = settings.llm
    if kind == "extractive":
        return None
    if kind == "openai" or (kind == "embedded" and settings.llm_base_url):
        if not settings.llm_base_url:
            raise LLMUnavailable("QA_LLM=openai needs QA_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1)")
        return OpenAICompatible(settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout)
    name = settings.embedded_model if kind == "embedded" else kind
    return Embedded(
        gguf_path(name, settings.cache_path),
        threads=settings.llm_threads,
        timeout=settings.llm_timeout,
        slot_dir=settings.cache_path / "slots" if settings.llm_save_prompt_cache else None,
    )
