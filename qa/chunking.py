"""Sentence-aware chunking: chunks are runs of whole sentences, with a small overlap, that start
afresh at a new section; each carries a header (document title and section path) that is indexed
and embedded with its text.

>>> from qa.documents import Document
>>> doc = Document("a.txt", "One. Two two. Three three three.")
>>> [c.text for c in chunk_document(doc, size=14, overlap=0)]
['One. Two two.', 'Three three three.']
>>> [c.indexed for c in chunk_document(Document("g.md", "# Guide\\n\\nIntro.\\n\\n## Setup\\n\\nRun it."), 20, 0)]
['Guide\\nGuide Intro.', 'Guide › Setup\\nSetup Run it.']
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from qa.documents import Document, Span, sentences
from qa.structure import flat

CHUNKER = "h4"  # bump when what is embedded or how sentences split changes: the index re-embeds every document


def signature(size: int, overlap: int) -> str:
    """What an index generation records about chunking; a change re-chunks everything."""
    return f"{size}/{overlap}/{CHUNKER}"


@dataclass(frozen=True)
class Chunk:
    """``text == document.text[start:end]``; ``id`` derives from source, header and content."""

    id: str
    source: str
    start: int
    end: int
    text: str
    header: str = ""

    @property
    def indexed(self) -> str:
        """What BM25 and the embedder see: the header, then the text with whitespace collapsed."""
        return indexed_text(self.header, self.text)


def indexed_text(header: str, text: str) -> str:
    return f"{header}\n{flat(text)}" if header else flat(text)


def chunk_id(source: str, start: int, text: str, header: str = "") -> str:
    return hashlib.sha256(f"{source}\x00{start}\x00{header}\x00{text}".encode()).hexdigest()[:24]


def chunk_header(run: list[Span]) -> str:
    """Title and section path of a chunk's sentences: of its first sentence inside a section (a
    title heading alone says little)."""
    return next((s for s in run if s.section), run[0]).header if run else ""


def _make(doc: Document, run: list[Span]) -> Chunk:
    start, end = run[0].start, run[-1].end
    text = doc.text[start:end]
    header = chunk_header(run)
    return Chunk(chunk_id(doc.source, start, text, header), doc.source, start, end, text, header)


def chunk_document(doc: Document, size: int = 500, overlap: int = 120) -> list[Chunk]:
    """Group sentences into chunks of at most ``size`` characters (a longer sentence stands alone).

    Each new chunk repeats the previous chunk's last sentences while they fit in ``overlap`` (not
    across a section change); a chunk of a quarter of ``size`` or more ends where a section starts.
    """
    sents = sentences(doc)
    chunks: list[Chunk] = []
    run: list[Span] = []
    for sent in sents:
        new_section = run and sent.section != run[-1].section and run[-1].end - run[0].start >= size // 4
        if run and (sent.end - run[0].start > size or new_section):
            chunks.append(_make(doc, run))
            carry: list[Span] = []
            for prev in reversed(run):
                if new_section or run[-1].end - prev.start > overlap or sent.end - prev.start > size:
                    break
                carry.insert(0, prev)
            run = carry
        run.append(sent)
    if run:
        chunks.append(_make(doc, run))
    return chunks
