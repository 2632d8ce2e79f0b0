"""Retrieval: dense (Chroma), BM25, or both fused by reciprocal rank; then sentence-level evidence.

Chunks are what the index stores and ranks; the sentences inside the best chunks are ranked
again, the same way, and the best ones become the evidence that answers are drawn from and
checked against.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass

from qa.chunking import Chunk
from qa.documents import Document, Span, sentences
from qa.embed import Embedder
from qa.index import ChunkIndex
from qa.text import BM25, numbers_in, rrf

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    rank: int


@dataclass(frozen=True)
class Evidence:
    span: Span
    score: float  # fused rank score
    cosine: float  # dense similarity to the question (0 when dense is off)
    bm25: float


def _cos(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(x * x for x in a)) or 1.0
    nb = math.sqrt(sum(y * y for y in b)) or 1.0
    return dot / (na * nb)


class Retriever:
    def __init__(
        self, index: ChunkIndex, embedder: Embedder, mode: str = "hybrid", top_k: int = 4, dense_weight: float = 0.7
    ) -> None:
        if mode not in ("hybrid", "dense", "bm25"):
            raise ValueError(f"retriever mode {mode!r}: use hybrid, dense or bm25")
        self.index, self.embedder, self.mode, self.top_k = index, embedder, mode, top_k
        self.dense_weight = dense_weight
        self._lock = threading.Lock()
        self._gen: str | None = None
        self.refresh()

    def refresh(self) -> None:
        """Reload chunks and documents if the index changed since the last load."""
        with self._lock:
            gen = self.index.active()
            if gen == self._gen and gen is not None:
                return
            docs, chunks = self.index.load()
            self.docs: dict[str, Document] = {d.source: d for d in docs}
            self.chunks = chunks
            self.chunk_pos = {c.id: i for i, c in enumerate(chunks)}
            self.texts: dict[str, str] = {d.source: d.text for d in docs}
            self.bm25 = BM25([c.text for c in chunks])
            self.sentences: list[Span] = [s for d in docs for s in sentences(d)]
            self.sentence_pos = {(s.source, s.start): i for i, s in enumerate(self.sentences)}
            self.sent_bm25 = BM25([s.text for s in self.sentences])
            self.vocabulary = set(self.sent_bm25.idf)
            self.corpus_numbers = set().union(*(numbers_in(d.text) for d in docs)) if docs else set()
            self._gen = gen
            log.info(
                "retriever ready: %d documents, %d chunks, %d sentences", len(docs), len(chunks), len(self.sentences)
            )

    def common_words(self, n: int) -> list[str]:
        """The ``n`` most frequent content words of the documents, as written there."""
        from collections import Counter

        from qa.text import STOPWORDS, words

        counts = Counter(
            w for d in self.docs.values() for w in words(d.text) if w not in STOPWORDS and w.isalpha() and len(w) > 3
        )
        return [w for w, _ in counts.most_common(n)]

    @property
    def corpus_chars(self) -> int:
        return sum(len(d.text) for d in self.docs.values())

    def retrieve(self, query: str, k: int | None = None) -> list[Hit]:
        k = k or self.top_k
        rankings: list[list[int]] = []
        weights: list[float] = []
        if self.mode in ("dense", "hybrid"):
            dense = self.index.query(query, max(k, 8))
            rankings.append([self.chunk_pos[i] for i, _ in dense if i in self.chunk_pos])
            weights.append(self.dense_weight)
        if self.mode in ("bm25", "hybrid"):
            rankings.append([i for i, _ in self.bm25.top(query, max(k, 8))])
            weights.append(1.0)
        fused = rrf(rankings, weights)[:k]
        return [Hit(self.chunks[i], s, r) for r, (i, s) in enumerate(fused)]

    def evidence(self, query: str, hits: list[Hit], n: int) -> list[Evidence]:
        """Rank the sentences inside ``hits`` against ``query``; best ``n`` first."""
        inside = [
            i
            for i, s in enumerate(self.sentences)
            if any(h.chunk.source == s.source and h.chunk.start <= s.start and s.end <= h.chunk.end for h in hits)
        ]
        if not inside:
            return []
        lex_all = self.sent_bm25.scores(query)
        lex = {i: lex_all[i] for i in inside}
        cos: dict[int, float] = {i: 0.0 for i in inside}
        rankings, weights = [], []
        if self.mode in ("dense", "hybrid"):
            weights.append(self.dense_weight)
            qv = self.embedder.embed_one(query)
            vecs = self.embedder.embed([self.sentences[i].text for i in inside])
            cos = {i: _cos(qv, v) for i, v in zip(inside, vecs, strict=True)}
            rankings.append(sorted(inside, key=lambda i: -cos[i]))
        if self.mode in ("bm25", "hybrid"):
            rankings.append([i for i in sorted(inside, key=lambda i: -lex[i]) if lex[i] > 0])
            weights.append(1.0)
        fused = rrf(rankings, weights)[:n]
        return [Evidence(self.sentences[i], s, cos[i], lex[i]) for i, s in fused]
