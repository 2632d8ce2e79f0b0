"""Embedders: one method, ``embed(texts) -> unit vectors``. The real one is sentence-transformers
loaded from a folder path; tests register a fake in conftest.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)


class Embedder(ABC):
    name: str = "embedder"

    @abstractmethod
    def embed(self, texts: list[str]) -> list[list[float]]:
        """Unit-length vectors, one per text."""

    def embed_one(self, text: str) -> list[float]:
        return self.embed([text])[0]


class BatchedEmbedder(Embedder):
    """An embedder over a model that encodes batches: one call at a time (a lock), batches of
    ``BATCH`` texts, and the last few thousand single texts (questions) cached."""

    BATCH = 32

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._cached = lru_cache(maxsize=4096)(self._embed_uncached)

    @abstractmethod
    def _encode_batch(self, texts: list[str]) -> list[list[float]]:
        """Unit vectors for at most ``BATCH`` texts."""

    def _embed_uncached(self, text: str) -> tuple[float, ...]:
        return tuple(self._encode([text])[0])

    def _encode(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            return [v for i in range(0, len(texts), self.BATCH) for v in self._encode_batch(texts[i : i + self.BATCH])]

    def embed(self, texts: list[str]) -> list[list[float]]:
        if len(texts) > 8:
            return self._encode(texts)
        return [list(self._cached(t)) for t in texts]


class SentenceTransformerEmbedder(BatchedEmbedder):
    """A sentence-transformers model loaded by path, with no network (PyTorch).

    Uses one torch thread: with an LLM on the same cores, that is much faster than contending.
    """

    def __init__(self, path: Path, threads: int = 1, name: str | None = None) -> None:
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        super().__init__(name or Path(path).name)
        torch.set_num_threads(threads)
        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        log.info("embedder %s loaded from %s", self.name, path)

    def _encode_batch(self, texts: list[str]) -> list[list[float]]:
        vecs = self._model.encode(texts, normalize_embeddings=True, batch_size=self.BATCH, show_progress_bar=False)
        return [v.tolist() for v in vecs]


def load_embedder(name: str, cache: Path, backend: str = "onnx", threads: int = 1) -> Embedder:
    """``name`` (minilm, mpnet or a folder) on ``backend``: ``onnx`` (ONNX Runtime, exported once from
    the folder; the PyTorch path for a model it cannot reproduce) or ``torch`` (sentence-transformers)."""
    from qa.errors import ModelError
    from qa.models import embedder_path

    if backend not in ("onnx", "torch"):
        raise ModelError(f"embedder backend {backend!r}: use onnx or torch")
    label = name if name in ("minilm", "mpnet") else Path(name).name
    path = embedder_path(name, cache)
    if backend == "onnx":
        from qa import onnx_embed

        if onnx_embed.supports(path):
            try:
                return onnx_embed.load(path, cache, threads=threads, name=label)
            except Exception as exc:  # an export that fails leaves the PyTorch path, which gives the same vectors
                log.warning("embedder %s: ONNX export or load failed (%s); using PyTorch", label, exc)
        else:
            log.info("embedder %s: not a mean-pooled, normalised model, so it runs on PyTorch", label)
    return SentenceTransformerEmbedder(path, threads=threads, name=label)
