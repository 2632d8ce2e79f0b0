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

from qa.chunking import Chunk, chunk_header
from qa.documents import Document, Span, sentences
from qa.embed import Embedder
from qa.index import ChunkIndex
from qa.structure import TITLE_ASK, file_title, flat, name_terms, name_words, section_numbers, section_refs
from qa.text import BM25, STOPWORDS, numbers_in, rrf, tokens, words

log = logging.getLogger(__name__)
POOL = 32  # candidates taken from each ranking before fusion
NAMED_SHARE = 0.8  # a document named almost as clearly as the best one is named too


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
        """The loaded chunk with its header, as chunking gave it (the index stores text only)."""
        return c if c.header else replace(c, header=chunk_header(self._inside(c)))

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
        top = {s for s, v in scores.items() if v >= NAMED_SHARE * best}  # "GPLv3 and MPL 2.0": both
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
        extra = self._named_chunks(query, fused, lex) if self.structure_weight else []
        if extra:
            rankings += [r[:POOL] for r in extra]
            weights += [self.structure_weight] * len(extra)
            fused = dict(rrf(rankings, weights))
        best = sorted(fused.items(), key=lambda x: -x[1])[:k]
        return [Hit(self.chunks[i], s, r) for r, (i, s) in enumerate(best)]

    def _named_chunks(self, query: str, fused: dict[int, float], lex: list[float]) -> list[list[int]]:
        """Rankings of the chunks of the documents and sections the question names, in fused order,
        plus one of their heads: the first chunk of a named section (its heading) or, for a date or
        version of a named document, of that document (its title block)."""
        named, refs = self.named(query), section_refs(query)
        if not named and not refs:
            return []
        wanted = [
            i
            for i, c in enumerate(self.chunks)
            if (not named or c.source in named) and (not refs or refs & self.chunk_sections[i])
        ]
        wanted.sort(key=lambda i: (-fused.get(i, 0.0), -lex[i], i))
        if refs:
            heads = [i for i in wanted if i == 0 or not self._continues(i, refs)]
            return [wanted, sorted(heads)]
        if TITLE_ASK.search(query):
            firsts = (min((i for i in wanted if self.chunks[i].source == src), default=-1) for src in sorted(named))
            return [wanted, [i for i in firsts if i >= 0]]
        return [wanted]

    def _continues(self, i: int, refs: set[tuple[str, str]]) -> bool:
        """Chunk ``i - 1`` is in the same document and already in one of the sections ``refs``."""
        before = self.chunks[i - 1]
        return before.source == self.chunks[i].source and bool(refs & self.chunk_sections[i - 1])

    def _unnamed(self, query: str, named: set[str]) -> str:
        """The question without the words that only name its document ("MPL", "2.0"): the document
        is chosen already, and a sentence that merely names it is no answer."""
        if not named:
            return query
        own = set().union(*(ws | ns for src, (ws, ns) in self.names.items() if src in named))
        others = set().union(*(ws for src, (ws, _) in self.names.items() if src not in named))
        drop = (own - others) | set().union(*(self.names[src][1] for src in named))
        kept = " ".join(w for w in query.split() if not name_words(w) & drop)
        return kept if tokens(kept) else query

    def evidence(self, query: str, hits: list[Hit], n: int) -> list[Evidence]:
        """Rank the sentences inside ``hits`` against ``query``; best ``n`` first.

        Words that only name a document do not count lexically; one more ranking puts first the
        sentences of a section the question names (its heading first), or, for a date or version
        of a named document, its title."""
        inside = [
            i
            for i, s in enumerate(self.sentences)
            if any(h.chunk.source == s.source and h.chunk.start <= s.start and s.end <= h.chunk.end for h in hits)
        ]
        if not inside:
            return []
        named = self.named(query)
        lex_all = self.sent_bm25.scores(self._unnamed(query, named))
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
        lead = self._named_sentences(query, named, inside)
        if lead and self.structure_weight:
            rankings.append(lead)
            weights.append(self.structure_weight)
        fused = rrf(rankings, weights)[:n]
        return [Evidence(self.sentences[i], s, cos[i], lex[i]) for i, s in fused]

    def _named_sentences(self, query: str, named: set[str], inside: list[int]) -> list[int]:
        refs = section_refs(query)
        sents = self.sentences
        if refs:
            return [
                i
                for i in inside
                if refs & section_numbers(sents[i].section) and (not named or sents[i].source in named)
            ]
        if named and TITLE_ASK.search(query):
            firsts = {
                src: min(i for i in inside if sents[i].source == src)
                for src in named
                if any(sents[i].source == src for i in inside)
            }
            return [i for i in firsts.values() if not sents[i].section]
        return []

    # ---- the model's context ------------------------------------------------------------------
    def context(self, evidence: list[Evidence], budget_chars: int) -> list[Span]:
        """The sentences to show the model, in document order, within ``budget_chars``.

        Filled by priority: each evidence sentence and its section's heading, then neighbours at
        distance 1, 2, ... in its document, then every other sentence in document order. The
        block is built the same way for every corpus size: one that fits whole comes out whole
        (a stable prefix a model server can cache), one a character larger loses only a sentence
        or so - no cliff. The sentences' characters and one separator between each two count
        against the budget, so a corpus of ``budget_chars`` or fewer characters always fits.
        """
        chosen: set[int] = set()
        used = 0
        for i in self._priority(evidence):
            cost = len(self.sentences[i].text) + (1 if chosen else 0)  # one separator between sentences
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
