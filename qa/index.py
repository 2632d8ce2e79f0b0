"""The Chroma index: the only module that talks to Chroma.

Layout: a pointer collection ``<name>_meta`` whose metadata names the active generation; each
generation is two collections, ``<gen>_chunks`` (chunk embeddings) and ``<gen>_docs`` (the full
document texts, so citations are checked against exactly what was indexed). ``sync`` builds a
new generation beside the old one (copying unchanged embeddings), flips the pointer, then drops
the old one: a failed or interrupted build never leaves a half-written index in use.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qa.chunking import Chunk, chunk_document, signature
from qa.documents import Document
from qa.embed import Embedder
from qa.errors import IndexCorrupt, IndexMissing

log = logging.getLogger(__name__)
BATCH = 64


@dataclass(frozen=True)
class SyncReport:
    added: int
    removed: int
    unchanged: int
    documents: int
    changed_sources: tuple[str, ...] = ()
    removed_sources: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def connect(path: Path | None = None, url: str | None = None):
    """A Chroma client: an HTTP server when ``url`` is given, else a persistent folder."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    cfg = ChromaSettings(anonymized_telemetry=False)
    if url:
        from urllib.parse import urlparse

        u = urlparse(url)
        try:
            return chromadb.HttpClient(
                host=u.hostname or "127.0.0.1", port=u.port or 8000, ssl=u.scheme == "https", settings=cfg
            )
        except Exception as exc:
            raise IndexMissing(f"cannot reach the Chroma server at {url} ({exc}); start it with `chroma run`") from exc
    assert path is not None
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=cfg)
    except Exception as exc:
        raise IndexCorrupt(f"index at {path} cannot be opened ({exc}); run `qa index --rebuild`") from exc


class ChunkIndex:
    def __init__(self, client, embedder: Embedder, name: str = "qa", where: str = "index") -> None:
        self.client = client
        self.embedder = embedder
        self.name = name
        self.where = where
        self._cache: tuple[str, list[Document], list[Chunk]] | None = None
        self._handles: dict[str, tuple] = {}  # generation -> (chunks, docs) collections

    # ---- pointer -------------------------------------------------------------------------
    def _meta(self):
        return self.client.get_or_create_collection(f"{self.name}_meta", embedding_function=None)

    def active(self) -> str | None:
        try:
            return (self._meta().metadata or {}).get("active")
        except Exception as exc:
            raise IndexCorrupt(f"{self.where} cannot be read ({exc}); run `qa index --rebuild`") from exc

    def _collections(self, gen: str, chunking: str = ""):
        """The generation's two collections, created if new; handles are kept, not fetched per query."""
        if gen not in self._handles:
            space = {"hnsw:space": "cosine", "embedder": self.embedder.name, "chunking": chunking}
            chunks = self.client.get_or_create_collection(f"{gen}_chunks", embedding_function=None, metadata=space)
            docs = self.client.get_or_create_collection(f"{gen}_docs", embedding_function=None)
            self._handles[gen] = (chunks, docs)
        return self._handles[gen]

    def built_with(self, gen: str) -> tuple[str | None, str | None]:
        """The embedder and chunking settings that generation ``gen`` was built with."""
        meta = self._collections(gen)[0].metadata or {}
        return meta.get("embedder"), meta.get("chunking")

    # ---- reading -------------------------------------------------------------------------
    def load(self) -> tuple[list[Document], list[Chunk]]:
        """All documents and chunks of the active generation (cached until it changes)."""
        gen = self.active()
        if not gen:
            raise IndexMissing(f"no index at {self.where}: run `qa index` first")
        if self._cache and self._cache[0] == gen:
            return self._cache[1], self._cache[2]
        try:
            chunks_col, docs_col = self._collections(gen)
            d = docs_col.get(include=["documents", "metadatas"])
            c = chunks_col.get(include=["documents", "metadatas"])
            docs = [
                Document(m["source"], t, {k: str(v) for k, v in m.items() if k not in ("source", "digest", "chars")})
                for t, m in zip(d["documents"], d["metadatas"], strict=True)
            ]
            chunks = [
                Chunk(i, m["source"], int(m["start"]), int(m["end"]), t)
                for i, t, m in zip(c["ids"], c["documents"], c["metadatas"], strict=True)
            ]
        except Exception as exc:
            raise IndexCorrupt(f"{self.where} is damaged ({exc}); run `qa index --rebuild`") from exc
        docs.sort(key=lambda x: x.source)
        chunks.sort(key=lambda x: (x.source, x.start))
        self._cache = (gen, docs, chunks)
        return docs, chunks

    def query(self, text: str, k: int) -> list[tuple[str, float]]:
        """Chunk ids nearest to ``text`` with cosine similarity, best first."""
        gen = self.active()
        if not gen:
            raise IndexMissing(f"no index at {self.where}: run `qa index` first")
        chunks_col, _ = self._collections(gen)
        built = (chunks_col.metadata or {}).get("embedder")
        if built != self.embedder.name:
            raise IndexCorrupt(
                f"{self.where} was built with embedder {built!r}, not {self.embedder.name!r}: run `qa index` again"
            )
        n = chunks_col.count()
        if n == 0:
            return []
        res = chunks_col.query(
            query_embeddings=[self.embedder.embed_one(text)], n_results=min(k, n), include=["distances"]
        )
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    # ---- writing -------------------------------------------------------------------------
    def sync(
        self,
        docs: Iterable[Document],
        chunk_size: int,
        chunk_overlap: int,
        keep_sources: Iterable[str] = (),
        progress: bool = False,
    ) -> SyncReport:
        """Make the index hold exactly ``docs`` (plus ``keep_sources`` already in it, left as they are).

        Unchanged documents keep their embeddings; nothing is written when nothing changed.
        """
        docs = list(docs)
        keep_sources = set(keep_sources)
        chunking = signature(chunk_size, chunk_overlap)
        old_gen = self.active()
        old_docs: dict[str, Document] = {}
        old_chunks: list[Chunk] = []
        if old_gen:
            old_list, old_chunks = self.load()
            old_docs = {d.source: d for d in old_list}
            if self.built_with(old_gen) != (self.embedder.name, chunking):
                log.info("embedder or chunk settings changed: re-indexing every document")
                old_chunks, old_docs = [], {}
        self._drop_stale(old_gen)
        keep = set(keep_sources) & set(old_docs)
        new_by_source = {d.source: d for d in docs}
        unchanged = {s for s, d in new_by_source.items() if s in old_docs and old_docs[s].text == d.text} | keep
        changed = [d for d in docs if d.source not in unchanged]
        removed = sorted(set(old_docs) - set(new_by_source) - keep)
        for d in changed:
            if d.source in old_docs:
                log.info("changed: %s", d.source)
        if not changed and not removed and old_gen:
            kept = sum(1 for c in old_chunks if c.source in unchanged)
            return SyncReport(0, 0, kept, len(old_docs))

        new_chunks = [c for d in changed for c in chunk_document(d, chunk_size, chunk_overlap)]
        final_docs = [d for s, d in old_docs.items() if s in unchanged] + changed
        gen = f"{self.name}_{time.strftime('%Y%m%d%H%M%S')}_{uuid.uuid4().hex[:6]}"
        try:
            chunks_col, docs_col = self._collections(gen, chunking)
            kept = self._copy_unchanged(old_gen, unchanged, chunks_col) if old_gen else 0
            self._add_chunks(chunks_col, new_chunks, progress)
            for d in final_docs:
                meta = {"source": d.source, "digest": d.digest, "chars": len(d.text), **d.metadata}
                docs_col.add(ids=[d.source], embeddings=[[1.0]], documents=[d.text], metadatas=[meta])
            self._meta().modify(metadata={"active": gen})
        except BaseException:
            self._drop(gen)
            raise
        if old_gen:
            self._drop(old_gen)
        old_chunk_count = sum(1 for c in old_chunks if c.source not in unchanged)
        return SyncReport(
            added=len(new_chunks),
            removed=old_chunk_count,
            unchanged=kept,
            documents=len(final_docs),
            changed_sources=tuple(d.source for d in changed),
            removed_sources=tuple(removed),
        )

    def _copy_unchanged(self, old_gen: str, sources: set[str], target) -> int:
        if not sources:
            return 0
        old_chunks_col, _ = self._collections(old_gen)
        got = old_chunks_col.get(
            where={"source": {"$in": sorted(sources)}}, include=["embeddings", "documents", "metadatas"]
        )
        ids = got["ids"]
        for i in range(0, len(ids), BATCH):
            target.add(
                ids=ids[i : i + BATCH],
                embeddings=[list(map(float, e)) for e in got["embeddings"][i : i + BATCH]],
                documents=got["documents"][i : i + BATCH],
                metadatas=got["metadatas"][i : i + BATCH],
            )
        return len(ids)

    def _add_chunks(self, col, chunks: list[Chunk], progress: bool) -> None:
        from tqdm import tqdm

        bar = tqdm(total=len(chunks), desc="embedding", unit="chunk", disable=not progress or len(chunks) < BATCH)
        for i in range(0, len(chunks), BATCH):
            batch = chunks[i : i + BATCH]
            col.add(
                ids=[c.id for c in batch],
                embeddings=self.embedder.embed([c.indexed for c in batch]),
                documents=[c.text for c in batch],
                metadatas=[{"source": c.source, "start": c.start, "end": c.end} for c in batch],
            )
            bar.update(len(batch))
        bar.close()

    def _drop(self, gen: str) -> None:
        self._handles.pop(gen, None)
        for suffix in ("_chunks", "_docs"):
            with contextlib.suppress(Exception):  # already gone
                self.client.delete_collection(f"{gen}{suffix}")

    def _drop_stale(self, active: str | None) -> None:
        """Remove generations left behind by an interrupted build."""
        prefix = f"{self.name}_"
        for col in self.client.list_collections():
            name = col.name if hasattr(col, "name") else str(col)
            gen = name.rsplit("_", 1)[0]
            if name.startswith(prefix) and name != f"{self.name}_meta" and gen != active:
                log.info("removing leftover collection %s", name)
                self.client.delete_collection(name)


def open_index(settings, embedder: Embedder) -> ChunkIndex:
    """Open the index named by settings (server if ``chroma_url`` is set, else ``index_path``)."""
    if settings.chroma_url:
        client = connect(url=settings.chroma_url)
        where = settings.chroma_url
    else:
        client = connect(path=settings.index_path)
        where = str(settings.index_path)
    return ChunkIndex(client, embedder, settings.collection, where)


def drop_index(settings) -> None:
    """Delete the whole index (a damaged one included) so the next sync builds it anew."""
    import shutil

    if settings.chroma_url:
        client = connect(url=settings.chroma_url)
        for col in client.list_collections():
            name = getattr(col, "name", str(col))
            if name.startswith(settings.collection + "_"):
                client.delete_collection(name)
    elif settings.index_path.exists():
        from chromadb.api.client import SharedSystemClient

        log.info("deleting %s", settings.index_path)
        SharedSystemClient.clear_system_cache()  # Chroma keeps one client per folder in-process
        shutil.rmtree(settings.index_path)
