"""Writing a generation's collections: chunks copied from the old generation, new chunks embedded,
documents stored whole. Used by ``qa.index.ChunkIndex`` only (the one module that opens Chroma).
"""

from __future__ import annotations

from qa.chunking import Chunk
from qa.documents import Document
from qa.embed import Embedder

BATCH = 64  # rows per Chroma add, and texts per embedder call while indexing
SOURCES_PAGE = 500  # sources per `$in` filter: SQLite limits the variables of one query (32,766)


def copy_chunks(old_col, sources: set[str], target) -> int:
    """Copy the chunks of ``sources`` (embeddings included) from ``old_col`` to ``target``."""
    names, copied = sorted(sources), 0
    for p in range(0, len(names), SOURCES_PAGE):  # one `$in` of 5,000+ sources is too many variables
        got = old_col.get(
            where={"source": {"$in": names[p : p + SOURCES_PAGE]}}, include=["embeddings", "documents", "metadatas"]
        )
        ids = got["ids"]
        for i in range(0, len(ids), BATCH):
            target.add(
                ids=ids[i : i + BATCH],
                embeddings=[list(map(float, e)) for e in got["embeddings"][i : i + BATCH]],
                documents=got["documents"][i : i + BATCH],
                metadatas=got["metadatas"][i : i + BATCH],
            )
        copied += len(ids)
    return copied


def add_documents(col, docs: list[Document]) -> None:
    """Store each document's whole text and metadata (a dummy vector: they are read, not searched)."""
    for i in range(0, len(docs), BATCH):
        batch = docs[i : i + BATCH]
        col.add(
            ids=[d.source for d in batch],
            embeddings=[[1.0]] * len(batch),
            documents=[d.text for d in batch],
            metadatas=[{"source": d.source, "digest": d.digest, "chars": len(d.text), **d.metadata} for d in batch],
        )


def add_chunks(col, chunks: list[Chunk], embedder: Embedder, progress: bool) -> None:
    """Embed (header and text) and store ``chunks``, with a progress bar on a terminal."""
    from tqdm import tqdm

    bar = tqdm(total=len(chunks), desc="embedding", unit="chunk", disable=not progress or len(chunks) < BATCH)
    for i in range(0, len(chunks), BATCH):
        batch = chunks[i : i + BATCH]
        col.add(
            ids=[c.id for c in batch],
            embeddings=embedder.embed([c.indexed for c in batch]),
            documents=[c.text for c in batch],
            metadatas=[{"source": c.source, "start": c.start, "end": c.end} for c in batch],
        )
        bar.update(len(batch))
    bar.close()
