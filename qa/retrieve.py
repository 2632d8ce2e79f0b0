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
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate

from qa.chunking import CHUNKER, Chunk, chunk_header
from qa.context import FILL_DOCS, FILL_WORDS, ContextBlock, readable, render  # noqa: F401 - part of this API
from qa.documents import Document, Span, sentences
from qa.embed import Embedder
from qa.errors import IndexCorrupt
from qa.index import ChunkIndex
from qa.lexical import Lexical
from qa.lexicon import LINK_DEFINITIONS
from qa.naming import (
    TITLE_ASK,
    in_title_block,
    name_terms,
    name_words,
    section_numbers,
    section_refs,
    version_pairs,
    written_as_names,
)
from qa.structure import is_heading
from qa.text import BM25, STOPWORDS, bm25, rrf, terms, tokens, words
from qa.typos import english_words
from qa.views import Chunks, Docs, SentencePositions, Sentences, Texts

log = logging.getLogger(__name__)
POOL = 32  # candidates taken from each ranking before fusion
WITHIN_POOL = 128  # dense candidates searched for one document's chunks when the whole ranking buried them
NAMED_SHARE = 0.8  # a document named almost as clearly as the best one is named too
DOC_CACHE = 128  # documents (text and sentences) kept in memory: the hits' and the citations'


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


def same_sentences(index: ChunkIndex, gen: str) -> None:
    """Raise IndexCorrupt when generation ``gen`` was chunked by a version that split sentences
    otherwise (its saved sentence positions would not match the documents as split now)."""
    chunking = index.built_with(gen)[1] or ""
    if chunking and chunking.rsplit("/", 1)[-1] != CHUNKER:
        raise IndexCorrupt(
            f"{index.where} was built by a version that splits sentences differently "
            f"(chunker {chunking.rsplit('/', 1)[-1]!r}, now {CHUNKER!r}): run `qa index` again"
        )


def _cos(a: list[float], b: list[float]) -> float:
    norms = (math.sqrt(sum(x * x for x in v)) or 1.0 for v in (a, b))
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.prod(norms)


class Retriever(ContextBlock):
    """Searches the index: Chroma (dense) and the generation's ``qa.lexical`` engine (BM25) find
    the chunks; texts are read from the index for the few hits only (``docs``, ``texts`` and
    ``sentences`` read documents when asked and keep the last ``DOC_CACHE``)."""

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
        self.docs, self.sentences, self.sentence_pos = Docs(self), Sentences(self), SentencePositions(self)
        self.texts, self.chunks = Texts(self.docs), Chunks(self)
        self.refresh()

    def refresh(self) -> None:
        """Open the active generation's lexical engine if the index changed since the last time."""
        with self._lock:
            gen = self.index.active()
            if gen == self._gen and gen is not None:
                return
            if gen is not None:
                same_sentences(self.index, gen)
            lex = self.index.lexical()
            self.lex: Lexical = lex
            self._doc = lru_cache(maxsize=DOC_CACHE)(self._read_doc)
            self._topics: dict[tuple[str, float], frozenset[str]] = {}
            for name in ("vocabulary", "sent_bm25", "corpus_chars", "flat_chars"):
                self.__dict__.pop(name, None)
            self.titles = dict(zip(lex.sources, lex.meta["titles"], strict=True))
            self.names = {src: name_terms(t, src) for src, t in self.titles.items()}
            df = Counter(w for ws, ns in self.names.values() for w in ws | ns)
            self.name_idf = {w: math.log(1 + len(lex.sources) / f) for w, f in df.items()}
            self._naming: dict[str, list[str]] = {}  # name word -> the documents it names
            for src, (ws, _) in self.names.items():
                for w in ws:
                    self._naming.setdefault(w, []).append(src)
            self.corpus_numbers: set[str] = set(lex.meta["numbers"])
            self._gen = gen
            log.info(
                "retriever ready: %d documents, %d chunks, %d sentences",
                len(lex.sources),
                lex.n_chunks,
                lex.n_sentences,
            )

    def _read_doc(self, source: str) -> tuple[Document, list[Span], dict[int, int]]:
        """A document, its sentences, and each sentence's position by its start."""
        doc = self.index.documents([source]).get(source)
        if doc is None:
            raise KeyError(f"{source} is not in the index any more")
        sents = sentences(doc)
        return doc, sents, {s.start: i for i, s in enumerate(sents)}

    def _chunk(self, i: int) -> Chunk:
        """Chunk ``i`` with its text and header (title and section path of its sentences)."""
        ref = self.lex.chunk(i)
        doc, sents, at = self._doc(ref.source)
        j, inside = at.get(ref.start), []
        while j is not None and j < len(sents) and sents[j].end <= ref.end:
            inside.append(sents[j])
            j += 1
        return Chunk(ref.id, ref.source, ref.start, ref.end, doc.text[ref.start : ref.end], chunk_header(inside))

    def chunk_holding(self, span: Span) -> Chunk | None:
        """The indexed chunk that holds ``span``'s start (None if its document is not indexed)."""
        for i in self.lex.chunks_of(span.source):
            ref = self.lex.chunk(i)
            if ref.start <= span.start < ref.end:
                return self._chunk(i)
        return None

    def document_sentences(self, source: str) -> list[Span]:
        """The sentences of one indexed document, in order (read from the index, kept for the next)."""
        return list(self._doc(source)[1])

    def topic_terms(self, source: str, share: float, least: int = 10) -> frozenset[str]:
        """The terms in at least ``share`` of the sentences of ``source`` (a document of at least
        ``least`` sentences): its subject ("single-industry towns", a licence's "license"), which a
        sentence of it need not repeat to be about a question."""
        key = (source, share)
        if key not in self._topics:
            sents = self.document_sentences(source)
            seen = Counter(t for s in sents for t in set(terms(s.text)))
            many = len(sents) >= least
            self._topics[key] = frozenset(t for t, k in seen.items() if many and k >= share * len(sents))
        return self._topics[key]

    @property
    def document_words(self) -> set[str]:
        """Every word that names one of the documents (title and file-name words: "gpl", "mmh3")."""
        return {w for ws, _ in (self.names or {}).values() for w in ws}

    @cached_property
    def vocabulary(self) -> set[str]:
        """Every term some sentence holds, and the words that name documents."""
        return self.lex.sentence_vocabulary() | {w for ws, _ in self.names.values() for w in ws}

    def says(self, phrase: str, k: int = 5) -> bool:
        """Some chunk holds ``phrase`` word for word, case and line breaks aside (BM25's best ``k``
        chunks for it are read): "news agency" is a phrase the documents use, not two words."""
        want = f" {' '.join(words(phrase))} "
        return any(
            want in f" {' '.join(words(self._chunk(i).text))} " for i in self.lex.top(self.lex.scores(phrase), k)
        )

    @cached_property
    def sent_bm25(self) -> BM25:
        """BM25 over every sentence, in memory: for the eval's no-model baseline on small corpora."""
        return BM25([s.text for s in self.sentences])

    def named(self, query: str) -> set[str]:
        """The documents a question names (title or file-name words, acronyms; a version number
        counts once a word matched), when it singles some out; else an empty set.

        A document named as well as every other one is not singled out. A word the question gives
        a version ("GPLv3", "MPL 2.0") does not name a document of that name with other versions,
        and names the one document of that name and version however clearly others are named.
        An everyday English word of a title names its document only when the question writes it
        as a name (capitalised after the first word: "Does Rich support …?") or with another of
        its name words ("rootless builds"): "Does HTTPX support HTTP/2?" names no document "Supporting …".
        """
        q, pairs, capitalised = name_words(query), version_pairs(query), written_as_names(query)
        ordinary = english_words()
        scores = {}
        for src in {src for w in q for src in self._naming.get(w, ())}:
            ws, ns = self.names[src]
            hit = ws & q
            if ns:  # "GPLv3" names the GPL version 3, not the GPL version 2
                hit -= {w for w, _ in pairs} - {w for w, n in pairs if n in ns}
            hit = {w for w in hit if not any(o != w and o.startswith(w) for o in hit)}  # "urllib3" once, not twice
            if len(hit) == 1 and not (hit - ordinary) | (hit & capitalised):
                continue  # one everyday word ("support" of "Supporting rootless builds") used as a word
            if hit:
                scores[src] = sum(self.name_idf[w] for w in hit) + 0.5 * sum(self.name_idf[n] for n in ns & q)
        if not scores:
            return set()
        best = max(scores.values())
        top = {s for s, v in scores.items() if v >= NAMED_SHARE * best}  # "GPLv3 and MPL 2.0": both
        top |= {s for w, n in pairs if len(one := [s for s in scores if w in self.names[s][0] and n in self.names[s][1]]) == 1 for s in one}  # fmt: skip
        return top if len(top) < len(self.names) else set()

    def in_title(self, span: Span) -> bool:
        """``span`` is in its document's title block (``structure.in_title_block``)."""
        i = self.sentence_pos.get((span.source, span.start))
        if i is None or span.source not in self.lex.doc_pos:
            return False
        return in_title_block(span, i - int(self.lex.first_sentence[self.lex.doc_pos[span.source]]))

    def title_asked(self, question: str, spans: list[Span], named: set[str] | None = None) -> bool:
        """The question asks about the title block of a document it names ("the top of GPL version
        2", "its opening lines"), or of one of ``named``, and every span is in that block."""
        named = (self.named(question) if named is None else named) if TITLE_ASK.search(question) else set()
        return bool(spans) and all(s.source in named and self.in_title(s) for s in spans)

    def common_words(self, n: int) -> list[str]:
        """The ``n`` most frequent content words of the documents, as written there (reads them all)."""
        counts = Counter(
            w for d in self.docs.values() for w in words(d.text) if w not in STOPWORDS and w.isalpha() and len(w) > 3
        )
        return [w for w, _ in counts.most_common(n)]

    @property
    def chunk_counts(self) -> dict[str, int]:
        """Chunks per document, without reading any (for listings: iterating ``chunks`` reads every text)."""
        return dict(zip(self.lex.sources, self.lex.meta["chunk_counts"], strict=True))

    @cached_property
    def corpus_chars(self) -> int:
        return sum(self.lex.meta["chars"])

    @cached_property
    def flat_chars(self) -> int:
        """The corpus as a context block reads it: every sentence, wraps collapsed, one separator
        between each two (reads every document: asked only of a corpus near the budget)."""
        return sum(len(readable(s.text)) for s in self.sentences) + max(len(self.sentences) - 1, 0)

    def retrieve(self, query: str, k: int | None = None) -> list[Hit]:
        k = k or self.top_k
        lex = self.lex
        rankings: list[list[int]] = []
        weights: list[float] = []
        if self.mode in ("dense", "hybrid"):
            dense = self.index.query(query, max(k, POOL))
            rankings.append([i for i in (lex.position(c) for c, _ in dense) if i is not None])
            weights.append(self.dense_weight)
        scores = lex.scores(query)
        if self.mode in ("bm25", "hybrid"):
            rankings.append(lex.top(scores, POOL))
            weights.append(1.0)
        fused = dict(rrf(rankings, weights))
        extra = self._named_chunks(query, fused, scores) if self.structure_weight else []
        if extra:
            rankings += [r[:POOL] for r in extra]
            weights += [self.structure_weight] * len(extra)
            fused = dict(rrf(rankings, weights))
        best = sorted(fused.items(), key=lambda x: -x[1])[:k]
        return [Hit(self._chunk(i), s, r) for r, (i, s) in enumerate(best)]

    def within(self, query: str, source: str, k: int = 2) -> list[Hit]:
        """The ``k`` best chunks of one document for ``query``: BM25 (the words that only name a
        document aside) and dense ranks fused among that document's chunks alone. For a comparison
        whose other document fills the whole ranking ("GPL version 2 or the Apache License 2.0?")."""
        lex, mine = self.lex, self.lex.chunks_of(source)
        scores = lex.scores(self._unnamed(query, self.named(query)))
        rankings = [[i for i in sorted(mine, key=lambda i: -scores[i]) if scores[i] > 0][:POOL]]
        weights = [1.0]
        if self.mode in ("dense", "hybrid"):
            dense = self.index.query(query, WITHIN_POOL)
            rankings.append([i for i in (lex.position(c) for c, _ in dense) if i is not None and i in mine])
            weights.append(self.dense_weight)
        best = rrf([r for r in rankings if r], weights=[w for r, w in zip(rankings, weights, strict=True) if r])
        return [Hit(self._chunk(i), s, r) for r, (i, s) in enumerate(best[:k])]

    def _named_chunks(self, query: str, fused: dict[int, float], scores) -> list[list[int]]:
        """Rankings of the chunks of the documents and sections the question names, in fused order,
        plus one of their heads: the first chunk of a named section (its heading) or, for a date or
        version of a named document, of that document (its title block)."""
        named, refs = self.named(query), section_refs(query)
        if not named and not refs:
            return []
        lex = self.lex
        in_refs = lex.in_sections(refs) if refs else set()
        named_chunks = sorted(i for src in named for i in lex.chunks_of(src))
        wanted = [i for i in named_chunks if not refs or i in in_refs] if named else sorted(in_refs)
        wanted.sort(key=lambda i: (-fused.get(i, 0.0), -scores[i], i))
        if refs:
            heads = [i for i in wanted if i == 0 or not (lex.doc_of[i - 1] == lex.doc_of[i] and i - 1 in in_refs)]
            return [wanted, sorted(heads)]
        if TITLE_ASK.search(query):
            firsts = (min((i for i in wanted if i in lex.chunks_of(src)), default=-1) for src in sorted(named))
            return [wanted, [i for i in firsts if i >= 0]]
        return [wanted]

    def _unnamed(self, query: str, named: set[str]) -> str:
        """The question without the words that only name its document ("MPL", "2.0"): the document
        is chosen already, and a sentence that merely names it is no answer."""
        if not named:
            return query
        own = set().union(*(self.names[src][0] | self.names[src][1] for src in named))
        others = {w for w in own if any(src not in named for src in self._naming.get(w, ()))}  # name others too
        drop = (own - others) | set().union(*(self.names[src][1] for src in named))
        kept = " ".join(w for w in query.split() if not name_words(w) & drop)
        return kept if tokens(kept) else query

    def evidence(self, query: str, hits: list[Hit], n: int) -> list[Evidence]:
        """Rank the sentences inside ``hits`` against ``query``; best ``n`` first.

        Words that only name a document do not count lexically; one more ranking puts first the
        sentences of a section the question names (its heading first), or, for a date or version
        of a named document, its title. Markdown link definitions are no evidence."""
        inside = [i for i in self._inside(hits) if not LINK_DEFINITIONS.fullmatch(self.sentences[i].text)]
        if not inside:
            return []
        named = self.named(query)
        q, lex_idf, avg = tokens(self._unnamed(query, named)), self.lex.sentence_idf, self.lex.meta["sentence_avg"]
        lex = {}
        for i in inside:  # scored against every sentence's statistics, as if all were searched
            counts = Counter(tokens(self.sentences[i].text))
            lex[i] = bm25(q, counts, sum(counts.values()), lex_idf, avg)
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
        return [Evidence(self.sentences[i], s, cos[i], lex[i]) for i, s in self._taking(rrf(rankings, weights), n)]

    def _taking(self, fused: list[tuple[int, float]], n: int) -> list[tuple[int, float]]:
        """The best of ``fused`` up to ``n`` sentences that are not headings: a heading ranks high
        for its words but says nothing, so it comes along without taking a sentence's place."""
        before = accumulate((not is_heading(self.sentences[i]) for i, _ in fused), initial=0)  # sentences before each
        return [f for f, said in zip(fused, before, strict=False) if said < n]

    def _inside(self, hits: list[Hit]) -> list[int]:
        """Positions (in ``sentences``) of the sentences inside the hit chunks, in document order."""
        found: set[int] = set()
        for h in hits:
            c = h.chunk
            first = int(self.lex.first_sentence[self.lex.doc_pos[c.source]])
            sents = self._doc(c.source)[1]
            found.update(first + j for j, s in enumerate(sents) if c.start <= s.start and s.end <= c.end)
        return sorted(found)

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
