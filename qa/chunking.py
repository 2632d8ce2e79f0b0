"""Sentence-aware chunking: chunks are runs of whole sentences, with a small overlap.

>>> from qa.documents import Document
>>> doc = Document("a.txt", "One. Two two. Three three three.")
>>> [c.text for c in chunk_document(doc, size=14, overlap=0)]
['One. Two two.', 'Three three three.']
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from qa.documents import Document, Span, sentences


@dataclass(frozen=True)
class Chunk:
    """``text == document.text[start:end]``; ``id`` derives from source and content."""

    id: str
    source: str
    start: int
    end: int
    text: str


def chunk_id(source: str, start: int, text: str) -> str:
    return hashlib.sha256(f"{source}\x00{start}\x00{text}".encode()).hexdigest()[:24]


def _make(doc: Document, run: list[Span]) -> Chunk:
    start, end = run[0].start, run[-1].end
    text = doc.text[start:end]
    return Chunk(chunk_id(doc.source, start, text), doc.source, start, end, text)


def chunk_document(doc: Document, size: int = 500, overlap: int = 120) -> list[Chunk]:
    """Group sentences into chunks of at most ``size`` characters (a longer sentence stands alone).

    Each new chunk repeats the previous chunk's last sentences while they fit in ``overlap``.
    """
    sents = sentences(doc)
    chunks: list[Chunk] = []
    run: list[Span] = []
    for sent in sents:
        if run and sent.end - run[0].start > size:
            chunks.append(_make(doc, run))
            carry: list[Span] = []
            for prev in reversed(run):
                if run[-1].end - prev.start > overlap or sent.end - prev.start > size:
                    break
                carry.insert(0, prev)
            run = carry
        run.append(sent)
    if run:
        chunks.append(_make(doc, run))
    return chunks
