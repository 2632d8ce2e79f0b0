"""The lexical side of an index generation: a ``bm25s`` engine over its chunks, fed with our own
tokens (``qa.text.tokens``, so it ranks as ``qa.text.BM25`` does), plus what the retriever needs
about the corpus without holding its texts: each chunk's place (id, document, offsets), the
sections it lies in, per-document titles, sizes and sentence counts, the sentences' term
statistics (so the sentences of a few hit chunks are scored as if against every sentence), and
the numbers the documents mention.

It is built when a generation is written (``qa.index``) and saved in a folder named after the
generation beside the Chroma files; numeric arrays are memory-mapped when loaded. bm25s scores
with Lucene's formula without the constant factor ``k1 + 1``; ``scores`` puts it back.

>>> from qa.documents import Document
>>> from qa.chunking import chunk_document
>>> docs = [Document("a.txt", "Cats sit. Dogs bark loudly."), Document("b.txt", "A cat and a dog.")]
>>> lex = Lexical.build(docs, [c for d in docs for c in chunk_document(d, 12, 0)])
>>> [(lex.chunk(i).source, lex.chunk(i).start) for i in lex.top(lex.scores("cat"), 5)]
[('a.txt', 0), ('b.txt', 0)]
"""

from __future__ import annotations

import json
import logging
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.chunking import Chunk, chunk_header
from qa.documents import Document, Span, sentences
from qa.structure import file_title, section_numbers
from qa.text import K1, B, idf_of, numbers_in, tokens

log = logging.getLogger(__name__)
FORMAT = (
    2  # bump when what is saved changes: an older folder is then rebuilt from the index (2: "getting" stems to "get")
)
META = "qa-lexical.json"


@dataclass(frozen=True)
class ChunkRef:
    """Where a chunk lies; its text is ``document.text[start:end]``."""

    id: str
    source: str
    start: int
    end: int


def _placed(doc: Document, sents: list[Span], chunks: list[Chunk]) -> list[tuple[Chunk, set[tuple[str, str]]]]:
    """The document's chunks with their header (a chunk read back from the index has none) and
    the section numbers of their sentences."""
    at = {s.start: i for i, s in enumerate(sents)}
    out = []
    for c in chunks:
        i, inside = at.get(c.start), []
        while i is not None and i < len(sents) and sents[i].end <= c.end:
            inside.append(sents[i])
            i += 1
        header = c.header or chunk_header(inside)
        out.append((Chunk(c.id, c.source, c.start, c.end, c.text, header), set().union(*map(_sections, inside))))
    return out


def _sections(s: Span) -> set[tuple[str, str]]:
    return section_numbers(s.section)


class _Tables:
    """What ``Lexical.build`` collects, one document at a time: per chunk its id, document, span and
    tokens; per document its source, size, title and counts; the sentences' term statistics."""

    def __init__(self) -> None:
        self.meta: dict = {"format": FORMAT, "sources": [], "chars": [], "titles": [], "chunk_counts": []}
        self.meta |= {"sentence_counts": [], "sections": {}}
        self.ids: list[str] = []
        self.doc_of: list[int] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.corpus: list[list[str]] = []
        self.sentence_df: Counter[str] = Counter()
        self.sentence_tokens = 0
        self.numbers: set[str] = set()

    def add(self, d: int, doc: Document, chunks: list[Chunk]) -> None:
        sents = sentences(doc)
        placed = _placed(doc, sents, chunks)
        for c, secs in placed:
            for kind, number in secs:
                self.meta["sections"].setdefault(f"{kind} {number}", []).append(len(self.ids))
            self.ids.append(c.id)
            self.doc_of.append(d)
            self.starts.append(c.start)
            self.ends.append(c.end)
            self.corpus.append(tokens(c.indexed))
        for s in sents:
            toks = tokens(s.text)
            self.sentence_tokens += len(toks)
            self.sentence_df.update(set(toks))
        self.numbers |= numbers_in(doc.text)
        title = sents[-1].title if sents else ""
        for key, value in (
            ("sources", doc.source),
            ("chars", len(doc.text)),
            ("titles", title or file_title(doc.source)),
        ):
            self.meta[key].append(value)
        self.meta["chunk_counts"].append(len(placed))
        self.meta["sentence_counts"].append(len(sents))


class Lexical:
    """The saved lexical engine of one generation (see the module's docstring)."""

    def __init__(self, engine, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        self.engine, self.meta = engine, meta
        self.ids, self.doc_of, self.starts, self.ends = (arrays[k] for k in ("ids", "doc_of", "starts", "ends"))
        self.sentence_df = arrays["sentence_df"]
        self._by_id = np.argsort(self.ids, kind="stable")
        self.sources: list[str] = meta["sources"]
        self.doc_pos = {s: i for i, s in enumerate(self.sources)}
        self.first_chunk = np.concatenate([[0], np.cumsum(meta["chunk_counts"])]).astype(np.int64)
        self.first_sentence = np.concatenate([[0], np.cumsum(meta["sentence_counts"])]).astype(np.int64)
        self.sections = {tuple(k.split(" ", 1)): np.asarray(v, dtype=np.int64) for k, v in meta["sections"].items()}
        self.vocab: dict[str, int] = engine.vocab_dict

    # ---- building and saving ---------------------------------------------------------------
    @classmethod
    def build(cls, docs: list[Document], chunks: list[Chunk]) -> Lexical:
        """Index ``chunks`` (headers computed where missing) of ``docs``; every chunk's document
        must be among ``docs``."""
        import bm25s

        by_doc: dict[str, list[Chunk]] = {}
        for c in sorted(chunks, key=lambda c: (c.source, c.start)):
            by_doc.setdefault(c.source, []).append(c)
        t = _Tables()
        for d, doc in enumerate(sorted(docs, key=lambda d: d.source)):
            t.add(d, doc, by_doc.get(doc.source, []))
        n_sent = sum(t.meta["sentence_counts"])
        t.meta |= {"sentence_avg": t.sentence_tokens / n_sent if n_sent else 0.0, "numbers": sorted(t.numbers)}
        engine = bm25s.BM25(k1=K1, b=B, method="lucene", dtype="float64")
        engine.index(t.corpus or [[]], show_progress=False)
        vocab = engine.vocab_dict
        df = np.zeros(len(vocab), dtype=np.int64)
        for term, f in t.sentence_df.items():
            if term in vocab:  # every sentence lies in a chunk, so in practice every term is there
                df[vocab[term]] = f
        arrays = {
            "ids": np.array([i.encode() for i in t.ids], dtype=f"S{max(map(len, t.ids), default=1)}"),
            "doc_of": np.array(t.doc_of, dtype=np.int32),
            "starts": np.array(t.starts, dtype=np.int64),
            "ends": np.array(t.ends, dtype=np.int64),
            "sentence_df": df,
        }
        return cls(engine, t.meta, arrays)

    def save(self, folder: Path) -> None:
        """Write the engine to ``folder`` (replaced whole: written beside it, then renamed)."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.engine.save(str(tmp), show_progress=False)
        for name in ("ids", "doc_of", "starts", "ends", "sentence_df"):
            np.save(tmp / f"{name}.npy", getattr(self, name))
        (tmp / META).write_text(json.dumps(self.meta), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> Lexical | None:
        """The engine saved in ``folder`` (arrays memory-mapped), or None when there is none or it
        was written by another format."""
        import bm25s

        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                return None
            engine = bm25s.BM25.load(str(folder), mmap=True, show_progress=False, verbosity=0)
            names = ("ids", "doc_of", "starts", "ends", "sentence_df")
            arrays = {n: np.load(folder / f"{n}.npy", mmap_mode="r") for n in names}
        except (OSError, ValueError, KeyError) as exc:
            log.info("no lexical engine in %s (%s)", folder, exc)
            return None
        return cls(engine, meta, arrays)

    # ---- reading ---------------------------------------------------------------------------
    @property
    def n_chunks(self) -> int:
        return len(self.ids)

    @property
    def n_sentences(self) -> int:
        return int(self.first_sentence[-1])

    def chunk(self, i: int) -> ChunkRef:
        return ChunkRef(self.ids[i].decode(), self.sources[self.doc_of[i]], int(self.starts[i]), int(self.ends[i]))

    def position(self, chunk_id: str) -> int | None:
        """The chunk's ordinal (chunks are ordered by document, then offset), None if unknown."""
        key = chunk_id.encode()
        j = int(np.searchsorted(self.ids, key, sorter=self._by_id))
        if j < len(self.ids) and self.ids[self._by_id[j]] == key:
            return int(self._by_id[j])
        return None

    def chunks_of(self, source: str) -> range:
        d = self.doc_pos.get(source)
        return range(0) if d is None else range(int(self.first_chunk[d]), int(self.first_chunk[d + 1]))

    def in_sections(self, refs: set[tuple[str, str]]) -> set[int]:
        """The chunks that hold a sentence of one of the sections ``refs``."""
        return {int(i) for r in refs for i in self.sections.get(r, ())}

    def scores(self, query: str) -> np.ndarray:
        """BM25 of every chunk for ``query`` (as ``qa.text.BM25`` scores them)."""
        ids = [self.vocab[t] for t in tokens(query) if t in self.vocab]
        if not ids or not self.n_chunks:
            return np.zeros(self.n_chunks)
        return np.asarray(self.engine.get_scores(ids), dtype=np.float64) * (K1 + 1)

    def top(self, scores: np.ndarray, k: int) -> list[int]:
        """The ``k`` best-scoring chunks with a positive score, best first, ties by ordinal."""
        pos = np.flatnonzero(scores > 0)
        if len(pos) > k:
            cut = np.partition(scores[pos], len(pos) - k)[len(pos) - k]
            pos = pos[scores[pos] >= cut]
        order = np.lexsort((pos, -scores[pos]))
        return [int(i) for i in pos[order][:k]]

    def sentence_idf(self, term: str) -> float:
        """Idf of ``term`` among every sentence of the corpus."""
        i = self.vocab.get(term)
        return idf_of(self.n_sentences, int(self.sentence_df[i]) if i is not None else 0)

    def sentence_vocabulary(self) -> set[str]:
        """The terms some sentence holds."""
        df = np.asarray(self.sentence_df)
        return {t for t, i in self.vocab.items() if df[i] > 0}
