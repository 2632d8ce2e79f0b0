"""Embedders: one method, ``embed(texts) -> unit vectors``. The real one is sentence-transformers
loaded from a folder path; tests register a fake in conftest.
"""

from __future__ import annotations

import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
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


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model loaded by path, with no network.

    Uses one torch thread: with an LLM on the same cores, that is much faster than contending.
    """

    def __init__(self, path: Path, threads: int = 1, name: str | None = None) -> None:
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
        self.name = name or Path(path).name
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._lock = threading.Lock()
        self._cached = lru_cache(maxsize=4096)(self._embed_uncached)
        log.info("embedder %s loaded from %s", self.name, path)

    def _embed_uncached(self, text: str) -> tuple[float, ...]:
        return tuple(self._encode([text])[0])

    def _encode(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            vecs = self._model.encode(texts, normalize_embeddings=True, batch_size=32, show_progress_bar=False)
        return [v.tolist() for v in vecs]

    def embed(self, texts: list[str]) -> list[list[float]]:
        if len(texts) > 8:
            return self._encode(texts)
        return [list(self._cached(t)) for t in texts]


@contextmanager
def torch_threads(n: int) -> Iterator[int]:
    """PyTorch's CPU threads set to ``n`` (0: one per core) inside the block, as they were after it.
    For indexing, when no language model shares the cores (``Settings.index_threads``)."""
    import torch

    before, n = torch.get_num_threads(), n or os.cpu_count() or 1
    torch.set_num_threads(n)
    try:
        yield n
    finally:
        torch.set_num_threads(before)


def load_embedder(name: str, cache: Path) -> Embedder:
    from qa.models import embedder_path

    label = name if name in ("minilm", "mpnet") else Path(name).name
    return SentenceTransformerEmbedder(embedder_path(name, cache), name=label)
