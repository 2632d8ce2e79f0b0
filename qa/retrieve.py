"""Retrieval: dense (Chroma), BM25, or both fused by reciprocal rank; then sentence-level evidence;
then a bounded, stable context block for the model.

Chunks are what the index stores and ranks (their header, title and section path, is indexed with
them); the sentences inside the best chunks are ranked again, the same way, and the best ones
become the evidence that answers are drawn from and checked against. A question that names a
document (title or file-name words, an acronym, a version) or a section number adds one more
ranking to the fusion: the chunks and sentences it names.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from dataclasses import dataclass, replace

from qa.chunking import Chunk
from qa.documents import Document, Span, sentences
from qa.embed import Embedder
from qa.index import ChunkIndex
from qa.structure import SECTION_REF, file_title, flat, name_terms, name_words, section_numbers
from qa.text import BM25, STOPWORDS, numbers_in, rrf, words

log = logging.getLogger(__name__)
POOL = 32  # candidates taken from each ranking before fusion


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
        self,
        index: ChunkIndex,
        embedder: Embedder,
        mode: str = "hybrid",
        top_k: int = 4,
        dense_weight: float = 0.7,
        structure_weight: float = 1.0,
    ) -> None:
        if mode not in ("hybrid", "dense", "bm25"):
            raise ValueError(f"retriever mode {mode!r}: use hybrid, dense or bm25")
        self.index, self.embedder, self.mode, self.top_k = index, embedder, mode, top_k
        self.dense_weight, self.structure_weight = dense_weight, structure_weight
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
            self.texts: dict[str, str] = {d.source: d.text for d in docs}
            self.sentences: list[Span] = [s for d in docs for s in sentences(d)]
            self.sentence_pos = {(s.source, s.start): i for i, s in enumerate(self.sentences)}
            self.chunks = [self._with_header(c) for c in chunks]
            self.chunk_pos = {c.id: i for i, c in enumerate(self.chunks)}
            self.bm25 = BM25([c.indexed for c in self.chunks])
            self.sent_bm25 = BM25([s.text for s in self.sentences])
            self._index_names(docs)
            self.vocabulary = set(self.sent_bm25.idf) | {w for ws, _ in self.names.values() for w in ws}
            self.corpus_numbers = set().union(*(numbers_in(d.text) for d in docs)) if docs else set()
            self._gen = gen
            log.info(
                "retriever ready: %d documents, %d chunks, %d sentences", len(docs), len(chunks), len(self.sentences)
            )

    def _with_header(self, c: Chunk) -> Chunk:
        """The loaded chunk with its header (title and section path of its first sentence)."""
        i = self.sentence_pos.get((c.source, c.start))
        return replace(c, header=self.sentences[i].header) if i is not None and not c.header else c

    def _index_names(self, docs: list[Document]) -> None:
        titles = {s.source: s.title for s in self.sentences}
        self.titles = {d.source: titles.get(d.source) or file_title(d.source) for d in docs}
        self.names = {src: name_terms(t, src) for src, t in self.titles.items()}
        df = Counter(w for ws, ns in self.names.values() for w in ws | ns)
        self.name_idf = {w: math.log(1 + len(docs) / f) for w, f in df.items()}
        self.chunk_sections = [set().union(*(section_numbers(s.section) for s in self._inside(c))) for c in self.chunks]

    def _inside(self, c: Chunk) -> list[Span]:
        i = self.sentence_pos.get((c.source, c.start))
        out = []
        while i is not None and i < len(self.sentences) and self.sentences[i].source == c.source:
            if self.sentences[i].end > c.end:
                break
            out.append(self.sentences[i])
            i += 1
        return out

    def named(self, query: str) -> set[str]:
        """The documents a question names (title or file-name words, acronyms; a version number
        counts once a word matched), when it singles some out; else an empty set.

        A document named as well as every other one is not singled out.
        """
        q = name_words(query)
        scores = {}
        for src, (ws, ns) in self.names.items():
            hit = ws & q
            if hit:
                scores[src] = sum(self.name_idf[w] for w in hit) + 0.5 * sum(self.name_idf[n] for n in ns & q)
        if not scores:
            return set()
        best = max(scores.values())
        top = {s for s, v in scores.items() if v >= best - 1e-9}
        return top if len(top) < len(self.names) else set()

    def common_words(self, n: int) -> list[str]:
        """The ``n`` most frequent content words of the documents, as written there."""
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
            dense = self.index.query(query, max(k, POOL))
            rankings.append([self.chunk_pos[i] for i, _ in dense if i in self.chunk_pos])
            weights.append(self.dense_weight)
        lex = self.bm25.scores(query) if self.chunks else []
        if self.mode in ("bm25", "hybrid"):
            rankings.append([i for i in sorted(range(len(lex)), key=lambda i: -lex[i])[:POOL] if lex[i] > 0])
            weights.append(1.0)
        fused = dict(rrf(rankings, weights))
        named, refs = self.named(query), set(SECTION_REF.findall(query))
        if (named or refs) and self.structure_weight:
            wanted = [
                i
                for i, c in enumerate(self.chunks)
                if (not named or c.source in named) and (not refs or refs & self.chunk_sections[i])
            ]
            wanted.sort(key=lambda i: (-fused.get(i, 0.0), -lex[i], i))
            rankings.append(wanted[:POOL])
            weights.append(self.structure_weight)
            fused = dict(rrf(rankings, weights))
        best = sorted(fused.items(), key=lambda x: -x[1])[:k]
        return [Hit(self.chunks[i], s, r) for r, (i, s) in enumerate(best)]

    def evidence(self, query: str, hits: list[Hit], n: int) -> list[Evidence]:
        """Rank the sentences inside ``hits`` against ``query``; best ``n`` first. Sentences of a
        section the question names by number rank first in one more ranking, its heading first."""
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
        refs = set(SECTION_REF.findall(query))
        named = self.named(query)
        if refs and self.structure_weight:
            rankings.append(
                [
                    i
                    for i in inside
                    if refs & section_numbers(self.sentences[i].section)
                    and (not named or self.sentences[i].source in named)
                ]
            )
            weights.append(self.structure_weight)
        fused = rrf(rankings, weights)[:n]
        return [Evidence(self.sentences[i], s, cos[i], lex[i]) for i, s in fused]

    # ---- the model's context ------------------------------------------------------------------
    def context(self, evidence: list[Evidence], budget_chars: int) -> list[Span]:
        """The sentences to show the model, in document order, within ``budget_chars``.

        Filled by priority: each evidence sentence and its section's heading, then neighbours at
        distance 1, 2, ... in its document, then every other sentence in document order. The
        block is built the same way for every corpus size: one that fits whole comes out whole
        (a stable prefix a model server can cache), one a character larger loses only a sentence
        or so - no cliff. ``len(text) + 1`` per sentence counts against the budget.
        """
        chosen: set[int] = set()
        used = 0
        for i in self._priority(evidence):
            cost = len(self.sentences[i].text) + 1
            if i not in chosen and used + cost <= budget_chars:
                chosen.add(i)
                used += cost
        return [self.sentences[i] for i in sorted(chosen)]

    def _priority(self, evidence: list[Evidence]):
        sents = self.sentences
        seeds = [self.sentence_pos.get((e.span.source, e.span.start)) for e in evidence]
        seeds = [i for i in dict.fromkeys(seeds) if i is not None]
        for i in seeds:
            yield i
            h = self._heading_of(i)
            if h is not None:
                yield h
        for d in range(1, len(sents) if seeds else 0):
            ring = [
                j for i in seeds for j in (i - d, i + d) if 0 <= j < len(sents) and sents[j].source == sents[i].source
            ]
            if not ring:
                break
            yield from ring
        yield from range(len(sents))

    def _heading_of(self, i: int) -> int | None:
        """The sentence that opens sentence ``i``'s deepest section (its heading), if any."""
        s = self.sentences[i]
        if not s.section:
            return None
        j = i
        while j > 0 and self.sentences[j - 1].source == s.source and self.sentences[j - 1].section == s.section:
            j -= 1
        return j if j != i else None


def render(spans: list[Span]) -> str:
    """The numbered sentences for a prompt, whitespace collapsed, with a line naming each
    document (its title and file) where its sentences begin.

    >>> print(render([Span("a.txt", 0, 3, "Hi\\n there.", "A Guide", ("1. Intro",))]))
    (A Guide — a.txt)
    [1] Hi there.
    """
    lines, current = [], None
    for n, s in enumerate(spans, 1):
        if s.source != current:
            current = s.source
            lines.append(f"({s.title} — {s.source})" if s.title else f"({s.source})")
        lines.append(f"[{n}] {flat(s.text)}")
    return "\n".join(lines)
