"""Read-only views of a retriever's corpus that read documents from the index when asked:
``docs`` and ``texts`` by source, every ``sentences`` and ``chunks`` in index order, and
``sentence_pos`` (a sentence's position from its source and start). They behave as the dicts and
lists a retriever held before (the answer stages index them), without holding the corpus.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from qa.chunking import Chunk
from qa.documents import Document, Span
from qa.index import ChunkIndex
from qa.lexical import Lexical


class Reader(Protocol):
    """What the views need of a retriever."""

    index: ChunkIndex
    lex: Lexical

    def _doc(self, source: str) -> tuple[Document, list[Span], dict[int, int]]: ...

    def _chunk(self, i: int) -> Chunk: ...


class Docs(Mapping[str, Document]):
    """The documents by source, read from the index when asked (the last few are cached)."""

    def __init__(self, r: Reader) -> None:
        self._r = r

    def __getitem__(self, source: str) -> Document:
        if source not in self._r.lex.doc_pos:
            raise KeyError(source)
        return self._r._doc(source)[0]

    def __iter__(self) -> Iterator[str]:
        return iter(self._r.lex.sources)

    def __len__(self) -> int:
        return len(self._r.lex.sources)

    def values(self) -> Iterator[Document]:  # type: ignore[override]
        """Every document, read a page at a time (listing them all is rare: the library panel)."""
        names = self._r.lex.sources
        for p in range(0, len(names), 256):
            got = self._r.index.documents(names[p : p + 256])
            yield from (got[s] for s in names[p : p + 256] if s in got)


class Texts(Mapping[str, str]):
    """The document texts by source (what citations are checked against)."""

    def __init__(self, docs: Docs) -> None:
        self._docs = docs

    def __getitem__(self, source: str) -> str:
        return self._docs[source].text

    def __iter__(self) -> Iterator[str]:
        return iter(self._docs)

    def __len__(self) -> int:
        return len(self._docs)


class Sentences(Sequence[Span]):
    """Every sentence of the corpus in document order, split from a document's text when one of
    its sentences is asked for; position ``i`` is the same as in a list of them all."""

    def __init__(self, r: Reader) -> None:
        self._r = r

    def __len__(self) -> int:
        return self._r.lex.n_sentences

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(i)
        i %= n
        lex = self._r.lex
        d = int(lex.first_sentence.searchsorted(i, side="right")) - 1
        return self._r._doc(lex.sources[d])[1][i - int(lex.first_sentence[d])]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and len(other) == len(self) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


class SentencePositions:
    """``get((source, start))``: the position in ``Retriever.sentences`` of the sentence there."""

    def __init__(self, r: Reader) -> None:
        self._r = r

    def get(self, key: tuple[str, int], default: int | None = None) -> int | None:
        source, start = key
        d = self._r.lex.doc_pos.get(source)
        if d is None:
            return default
        local = self._r._doc(source)[2].get(start)
        return default if local is None else int(self._r.lex.first_sentence[d]) + local

    def __getitem__(self, key: tuple[str, int]) -> int:
        i = self.get(key)
        if i is None:
            raise KeyError(key)
        return i


class Chunks(Sequence[Chunk]):
    """Every chunk in index order (document, then offset), made from its document when asked."""

    def __init__(self, r: Reader) -> None:
        self._r = r

    def __len__(self) -> int:
        return self._r.lex.n_chunks

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._r._chunk(range(len(self))[i])
