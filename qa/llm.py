"""Chat backends. One abstract method, ``stream(messages, max_tokens)``, yields text pieces.

- ``OpenAICompatible``: any OpenAI-compatible server (vLLM, llama.cpp, Ollama, OpenAI) through
  LangChain's ``ChatOpenAI``.
- ``Embedded``: llama.cpp's server started in-process by ``xllamacpp`` on a loopback port, with
  an API key made at start, then the same ``ChatOpenAI`` code path. No network.
- ``qa.guard.GuardedBackend``: the bounded queue the server puts in front of either (429 when full).

``yes_probability(messages)`` says how sure the model is that a yes/no reply is "yes": from the
first token's log-probabilities where the server reports them, else from the reply's word.
Tests register a fake backend in conftest.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qa.errors import LLMUnavailable, ModelError

log = logging.getLogger(__name__)

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": str}


def says_yes(reply: str) -> float:
    """1.0 when a yes/no reply says yes ("Yes.", "yes, it does"), else 0.0."""
    return 1.0 if reply.strip().lower().startswith("yes") else 0.0


class ChatBackend(ABC):
    name: str = "backend"
    tokens_generated: int = 0  # pieces yielded by the most recent stream() call
    prompt_tokens: int = 0  # prompt tokens of the most recent call, as the server reported them (0: not reported)

    @abstractmethod
    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        """Yield the reply in pieces. Raise LLMUnavailable when the model cannot answer."""

    def complete(self, messages: list[Message], max_tokens: int) -> str:
        return "".join(self.stream(messages, max_tokens))

    def yes_probability(self, messages: list[Message]) -> float:
        """How sure the model is that the reply to the yes/no question ``messages`` is "yes", from 0
        to 1. Here the reply's own word (1.0 or 0.0); backends that see token probabilities say more."""
        return says_yes(self.complete(messages, 3))

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
        self.timeout = timeout
        self.stop: list[str] | None = None  # stop sequences sent with every request
        self._chat = ChatOpenAI(
            base_url=base_url,
            model=model,
            api_key=api_key or "none",
            temperature=0,
            timeout=timeout,
            max_retries=0,
            stream_usage=True,  # the last chunk reports prompt and completion tokens
        )

    def yes_probability(self, messages: list[Message]) -> float:
        """P(yes) / (P(yes) + P(no)) over the reply's first token's top candidates (llama.cpp's
        server and OpenAI's report them): at temperature 0 the reply only says which is likelier.
        The reply's own word when the server reports no probabilities."""
        lc = [(m["role"], m["content"]) for m in messages]
        msg = self._chat.bind(logprobs=True, top_logprobs=10).invoke(lc, max_tokens=1, stop=self.stop)
        try:
            top = msg.response_metadata["logprobs"]["content"][0]["top_logprobs"]
        except (KeyError, IndexError, TypeError):
            return says_yes(str(msg.content))
        p = {
            w: sum(math.exp(t["logprob"]) for t in top if t["token"].strip().lower().startswith(w))
            for w in ("yes", "no")
        }
        return p["yes"] / (p["yes"] + p["no"]) if p["yes"] + p["no"] else 0.5

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        """Yield the reply; errors become LLMUnavailable in plain words (details in the log only:
        the message reaches HTTP clients, which must not learn internal URLs)."""
        import openai

        self.tokens_generated = self.prompt_tokens = 0
        lc = [(m["role"], m["content"]) for m in messages]
        try:
            for piece in self._chat.stream(lc, max_tokens=max_tokens, stop=self.stop):
                usage = getattr(piece, "usage_metadata", None)
                if usage:
                    self.prompt_tokens = int(usage.get("input_tokens") or 0)
                text = piece.content if isinstance(piece.content, str) else ""
                if text:
                    self.tokens_generated += 1
                    yield text
        except openai.APITimeoutError as exc:
            log.warning("model at %s timed out: %s", self.base_url, exc)
            raise LLMUnavailable(
                f"the language model timed out after {self.timeout:.0f} s; try again or raise QA_LLM_TIMEOUT"
            ) from exc
        except openai.APIConnectionError as exc:
            log.warning("cannot reach the model at %s: %s", self.base_url, exc)
            raise LLMUnavailable("cannot reach the language model server; is it running (QA_LLM_BASE_URL)?") from exc
        except openai.APIStatusError as exc:
            log.warning("model at %s answered HTTP %s: %s", self.base_url, exc.status_code, exc.message)
            raise LLMUnavailable(
                f"the language model server answered HTTP {exc.status_code}; see the server's log"
            ) from exc


def _common_params(xlc, gguf: Path, n_ctx: int, threads: int, key: str):
    """llama.cpp's server parameters: one slot, ``threads`` for prompt and decoding, quiet, and an
    API key made at start, so other local users and web pages cannot use the loopback port."""
    p = xlc.CommonParams()
    p.model.path = str(gguf)
    p.n_ctx = n_ctx
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = threads
    p.n_parallel = 1
    p.verbosity = -1
    p.api_keys = [key]
    return p


class Embedded(ChatBackend):
    """A GGUF model served in-process by llama.cpp (xllamacpp) on a loopback port that only this
    process can use (an API key made at start); one request at a time."""

    repeatable = True  # cut the prompt cache back to the system message before each call
    reset_slot: str | None = None  # the documents' saved prompt cache (set by prime())
    _clean = False  # the cache holds exactly the saved documents' prompt (``reset_slot``)
    _restorer: threading.Thread | None = None
    _server = None

    def __init__(
        self,
        gguf: Path,
        n_ctx: int = 4096,
        threads: int = 2,
        timeout: float = 120.0,
        speculative: tuple[str, int, int] = ("none", 3, 16),
        slot_dir: Path | None = None,
        stop: tuple[str, ...] = (),
        repeatable: bool = True,
        params: dict | None = None,
    ) -> None:
        try:
            import xllamacpp as xlc
        except ImportError as exc:
            raise ModelError("xllamacpp is not installed: run `make install`") from exc
        from qa.fastllm import configure

        t0 = time.perf_counter()
        key = secrets.token_urlsafe(32)
        p = _common_params(xlc, gguf, n_ctx, threads, key)
        configure(p, speculative, slot_dir, params)  # speculative decoding; prompt caches saved by prime()
        self.slot_dir, self.gguf, self.api_key = slot_dir, Path(gguf), key
        try:
            self._server = xlc.Server(p)
        except Exception as exc:
            log.warning("llama.cpp could not load %s: %s", gguf, exc)
            raise ModelError(f"llama.cpp could not load the model {Path(gguf).name}; delete it and run again") from exc
        self.name = Path(gguf).stem
        self.timeout = timeout
        self.base_url = self._server.listening_address + "/v1"
        self._remote = OpenAICompatible(self.base_url, "local", key, timeout)
        self._remote.stop = list(stop) or None
        self._lock = threading.Lock()
        self.repeatable = repeatable
        log.info("model %s loaded in %.1f s, serving on %s", self.name, time.perf_counter() - t0, self.base_url)

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        """One call at a time; the lock is released however the stream ends (exhausted, closed by
        a client that went away, or raising), and a waiter gives up after the timeout."""
        with self._turn(messages):
            yield from self._remote.stream(messages, max_tokens)
            self.tokens_generated, self.prompt_tokens = self._remote.tokens_generated, self._remote.prompt_tokens

    def yes_probability(self, messages: list[Message]) -> float:
        with self._turn(messages):
            return self._remote.yes_probability(messages)

    @contextmanager
    def _turn(self, messages: list[Message]) -> Iterator[None]:
        """Hold the model for one call (its prompt cache cut back first when answers must repeat)."""
        if not self._lock.acquire(timeout=self.timeout):
            raise LLMUnavailable(f"the model stayed busy for {self.timeout:.0f} s; try again")
        try:
            if self.repeatable and not self._clean:
                self._reset_cache(messages)
            self._clean = False
            yield
        finally:
            self._lock.release()
            self._restore_later()

    def _restore_later(self) -> None:
        """Once a call ends, restore the documents' saved prompt in the background, so the next
        question finds the cache cut back already: the ~25 ms leave the answer's critical path."""
        if self.repeatable and self.reset_slot and self._server is not None:
            self._restorer = threading.Thread(target=self._restore_if_used, name="llm-cache-reset", daemon=True)
            self._restorer.start()

    def _restore_if_used(self) -> None:
        from qa.fastllm import slot_action

        with self._lock:
            if not self._clean and self.reset_slot and self._server is not None:
                base = self._server.listening_address
                self._clean = slot_action(base, "restore", self.reset_slot, self.slot_dir, self.api_key)

    def _reset_cache(self, messages: list[Message]) -> None:
        """Cut llama.cpp's prompt cache back to a question-independent prefix, so the rest of the
        prompt is computed the same way whatever was asked before (reusing a longer,
        question-dependent prefix changes the numerics, and so sometimes the answer). With the
        documents' prompt cache saved (``prime``), restoring it costs ~25 ms; else one token of
        the system message alone, ~50 ms."""
        if not messages or messages[0]["role"] != "system" or len(messages) == 1:
            return
        if self.reset_slot and self._server is not None:
            from qa.fastllm import slot_action

            base, key = self._server.listening_address, self.api_key
            if slot_action(base, "restore", self.reset_slot, self.slot_dir, key):
                return
        try:
            for _ in self._remote.stream(messages[:1], 1):
                pass
        except LLMUnavailable as exc:  # an optimisation for repeatability: the answer goes on
            log.warning("prompt cache reset failed: %s", exc)

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
            self._clean = slot_action(self._server.listening_address, "save", name, self.slot_dir, self.api_key)
            return self._clean

    def restore_slot(self, name: str) -> bool:
        """Load ``slot_dir/name`` into the prompt cache; False if it is missing or that failed."""
        from qa.fastllm import slot_action

        with self._lock:
            self._clean = slot_action(self._server.listening_address, "restore", name, self.slot_dir, self.api_key)
            return self._clean


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
    if kind != "embedded" and not Path(kind).expanduser().is_file():
        raise ModelError(f"QA_LLM {kind!r} is none of embedded, openai, extractive or an existing .gguf file: pick one")
    return Embedded(
        gguf_path(name, settings.cache_path),
        threads=settings.llm_threads,
        timeout=settings.llm_timeout,
        slot_dir=settings.cache_path / "slots" if settings.llm_save_prompt_cache else None,
        repeatable=settings.llm_repeatable,
    )
