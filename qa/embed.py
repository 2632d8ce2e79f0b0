"""Embedders: one method, ``embed(texts) -> unit vectors``. The real ones load a model folder by
path: ONNX Runtime (``qa.onnx_embed``, the default) or sentence-transformers; tests register a
fake in conftest.
"""

from __future__ import annotations

import logging
import os
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from pathlib import Path

import numpy as np

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
    ``BATCH`` texts, and the vectors of the last ``CACHE`` texts kept (questions, and the
    evidence sentences that are ranked again for each question), so only new texts are encoded."""

    BATCH = 32
    CACHE = 8192  # texts; as float32 vectors of 384-768 dimensions, 12-25 MB

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    @abstractmethod
    def _encode_batch(self, texts: list[str]) -> list[list[float]]:
        """Unit vectors for at most ``BATCH`` texts."""

    def _encode(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            return [v for i in range(0, len(texts), self.BATCH) for v in self._encode_batch(texts[i : i + self.BATCH])]

    def embed(self, texts: list[str]) -> list[list[float]]:
        with self._cache_lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
            for t in found:
                self._cache.move_to_end(t)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            fresh = dict(zip(missing, (np.asarray(v, dtype=np.float32) for v in self._encode(missing)), strict=True))
            found.update(fresh)
            with self._cache_lock:
                self._cache.update(fresh)
                while len(self._cache) > self.CACHE:
                    self._cache.popitem(last=False)
        return [found[t].tolist() for t in texts]


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


def cores(n: int) -> int:
    """``n`` threads, or one per core for 0 (``Settings.index_threads``: `qa index` runs no model)."""
    return n or os.cpu_count() or 1


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
