"""The Chroma index: the only module that talks to Chroma.

Layout: a pointer collection ``<name>_meta`` whose metadata names the active generation; each
generation is two collections, ``<gen>_chunks`` (chunk embeddings) and ``<gen>_docs`` (the full
document texts, so citations are checked against exactly what was indexed). A write (``sync``,
``remove``) builds a new generation beside the old one (copying unchanged embeddings), flips the
pointer, then drops the old one: a failed or interrupted build never leaves a half-written index
in use. Each write first deletes the generations that killed builds left behind (the rule is in
``qa.generations``) and, for a local index folder, the segment folders Chroma leaves on disk for
deleted collections.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qa.chroma_client import connect, drop_index  # noqa: F401 - drop_index: part of this module's API
from qa.chunking import Chunk, chunk_document, signature
from qa.documents import Document
from qa.embed import Embedder
from qa.errors import IndexCorrupt, IndexMissing
from qa.generations import (
    builder_of,
    building,
    built,
    is_orphan,
    new_generation,
    owner_metadata,
    parse_collection,
)
from qa.index_write import add_chunks, add_documents, copy_chunks
from qa.leftovers import remove_dead_lexical, remove_dead_segment_dirs
from qa.lexical import Lexical

log = logging.getLogger(__name__)
PAGE = 5000  # rows per read of a whole collection (see _get_all)
LEXICAL = "lexical"  # the folder, inside a local index, of each generation's lexical engine


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


class ChunkIndex:
    def __init__(
        self,
        client,
        embedder: Embedder | None,
        name: str = "qa",
        where: str = "index",
        path: Path | None = None,
        lexical_root: Path | None = None,
    ) -> None:
        self.client = client
        self.embedder = embedder  # None is enough to read documents and to remove some
        self.name = name
        self.where = where
        self.path = path  # the local index folder; None for a Chroma server
        self._cache: tuple[str, list[Document], list[Chunk]] | None = None
        self._handles: dict[str, tuple] = {}  # generation -> (chunks, docs) collections
        self._lexical: tuple[str, Lexical] | None = None
        self._counts: dict[str, int] = {}
        # each generation's lexical engine is saved beside the Chroma files; with a Chroma server,
        # in ``lexical_root`` (a local cache folder per server): generation names are unique, so a
        # saved engine is never stale, and one missing is built from the index once and saved
        self.lexical_root = path / LEXICAL if path is not None else lexical_root

    # ---- pointer -------------------------------------------------------------------------
    def _meta(self):
        return self.client.get_or_create_collection(f"{self.name}_meta", embedding_function=None)

    def active(self) -> str | None:
        try:
            return (self._meta().metadata or {}).get("active")
        except Exception as exc:
            raise IndexCorrupt(f"{self.where} cannot be read ({exc}); run `qa index --rebuild`") from exc

    def _collections(self, gen: str):
        """The generation's two collections; handles are kept, not fetched per query."""
        if gen not in self._handles:
            try:
                chunks = self.client.get_collection(f"{gen}_chunks", embedding_function=None)
                docs = self.client.get_collection(f"{gen}_docs", embedding_function=None)
            except Exception as exc:
                raise IndexCorrupt(
                    f"{self.where}: generation {gen} is missing ({exc}); run `qa index --rebuild`"
                ) from exc
            self._handles[gen] = (chunks, docs)
        return self._handles[gen]

    def _create(self, gen: str, settings: dict[str, str]):
        """New collections for generation ``gen``, recording this process as their builder."""
        owner = owner_metadata()
        space = {"hnsw:space": "cosine", **settings, **owner}
        chunks = self.client.create_collection(f"{gen}_chunks", embedding_function=None, metadata=space)
        docs = self.client.create_collection(f"{gen}_docs", embedding_function=None, metadata=owner)
        self._handles[gen] = (chunks, docs)
        return chunks, docs

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
            d = _get_all(docs_col)
            c = _get_all(chunks_col)
            docs = [_document(t, m) for t, m in zip(d["documents"], d["metadatas"], strict=True)]
            chunks = [
                Chunk(i, m["source"], int(m["start"]), int(m["end"]), t)
                for i, t, m in zip(c["ids"], c["documents"], c["metadatas"], strict=True)
            ]
        except IndexCorrupt:
            raise
        except Exception as exc:
            raise IndexCorrupt(f"{self.where} is damaged ({exc}); run `qa index --rebuild`") from exc
        docs.sort(key=lambda x: x.source)
        chunks.sort(key=lambda x: (x.source, x.start))
        self._cache = (gen, docs, chunks)
        return docs, chunks

    def documents(self, sources: list[str]) -> dict[str, Document]:
        """The active generation's documents named ``sources`` (unknown names are left out)."""
        gen = self.active()
        if not gen or not sources:
            return {}
        try:
            got = self._collections(gen)[1].get(ids=list(sources), include=["documents", "metadatas"])
        except IndexCorrupt:
            raise
        except Exception as exc:
            raise IndexCorrupt(f"{self.where} is damaged ({exc}); run `qa index --rebuild`") from exc
        return {m["source"]: _document(t, m) for t, m in zip(got["documents"], got["metadatas"], strict=True)}

    def lexical(self) -> Lexical:
        """The active generation's lexical engine: loaded from its folder, or (an index written
        before engines were saved, or a Chroma server) built from the index once and saved."""
        gen = self.active()
        if not gen:
            raise IndexMissing(f"no index at {self.where}: run `qa index` first")
        if self._lexical and self._lexical[0] == gen:
            return self._lexical[1]
        folder = self.lexical_root / gen if self.lexical_root else None
        lex = Lexical.load(folder) if folder else None
        if lex is None:
            log.info("building the lexical engine of %s from the index", gen)
            docs, chunks = self.load()
            lex = Lexical.build(docs, chunks)
            self._cache = None  # the texts are not kept: the engine is what is searched
            if folder:
                lex.save(folder)
                lex = Lexical.load(folder) or lex
        self._lexical = (gen, lex)
        return lex

    def sources(self) -> set[str]:
        """The sources of the documents in the active generation (none when there is no index)."""
        return {d.source for d in self.load()[0]} if self.active() else set()

    def query(self, text: str, k: int) -> list[tuple[str, float]]:
        """Chunk ids nearest to ``text`` with cosine similarity, best first."""
        gen = self.active()
        if not gen:
            raise IndexMissing(f"no index at {self.where}: run `qa index` first")
        assert self.embedder is not None, "querying needs the embedder"
        chunks_col, _ = self._collections(gen)
        built = (chunks_col.metadata or {}).get("embedder")
        if built != self.embedder.name:
            raise IndexCorrupt(
                f"{self.where} was built with embedder {built!r}, not {self.embedder.name!r}: run `qa index` again"
            )
        n = self._count(gen, chunks_col)
        if n == 0:
            return []
        res = chunks_col.query(
            query_embeddings=[self.embedder.embed_one(text)], n_results=min(k, n), include=["distances"]
        )
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def _count(self, gen: str, col) -> int:
        """Chunks in generation ``gen`` (a generation is not written once live; counting 100,000
        rows costs ~6 ms a question)."""
        if gen not in self._counts:
            self._counts[gen] = col.count()
        return self._counts[gen]

    # ---- writing -------------------------------------------------------------------------
    def sync(
        self,
        docs: Iterable[Document],
        chunk_size: int,
        chunk_overlap: int,
        remove: Iterable[str] = (),
        progress: bool = False,
    ) -> SyncReport:
        """Add or update ``docs`` and delete the documents named in ``remove``; keep every other one.

        Unchanged documents keep their embeddings; nothing is written when nothing changed. When the
        embedder or chunk settings changed, every document is embedded again (kept ones from the
        text stored in the index).
        """
        assert self.embedder is not None, "indexing needs the embedder"
        self.collect_orphans()
        chunking = signature(chunk_size, chunk_overlap)
        old_gen, old_docs, old_chunks = self._current()
        final, reuse, changed, removed = self._plan(old_gen, old_docs, docs, remove, chunking)
        if old_gen and not changed and not removed:
            return SyncReport(0, 0, sum(1 for c in old_chunks if c.source in reuse), len(final))
        new_chunks = [c for d in changed for c in chunk_document(d, chunk_size, chunk_overlap)]
        settings = {"embedder": self.embedder.name, "chunking": chunking}
        reused = [c for c in old_chunks if c.source in reuse]
        kept = self._write(old_gen, list(final.values()), reuse, reused, new_chunks, settings, progress)
        return SyncReport(
            added=len(new_chunks),
            removed=sum(1 for c in old_chunks if c.source not in reuse),
            unchanged=kept,
            documents=len(final),
            changed_sources=tuple(d.source for d in changed),
            removed_sources=tuple(removed),
        )

    def _plan(self, old_gen, old_docs: dict, docs: Iterable[Document], remove: Iterable[str], chunking: str):
        """What a sync keeps and writes: (final documents by source, sources whose chunks are reused,
        documents to chunk and embed, sources removed)."""
        given = {d.source: d for d in docs}
        removed = sorted(set(remove) & set(old_docs) - set(given))
        final = {s: d for s, d in old_docs.items() if s not in removed} | given
        same = old_gen is None or self.built_with(old_gen) == (self.embedder.name, chunking)
        if not same:
            log.info("embedder or chunk settings changed: re-indexing every document")
        reuse = {s for s, d in final.items() if same and s in old_docs and old_docs[s].text == d.text}
        changed = [d for s, d in final.items() if s not in reuse]
        for d in changed:
            if d.source in old_docs:
                log.info("changed: %s", d.source)
        return final, reuse, changed, removed

    def remove(self, sources: Iterable[str]) -> SyncReport:
        """Delete the documents ``sources`` and their chunks; the others keep their embeddings."""
        self.collect_orphans()
        old_gen, old_docs, old_chunks = self._current()
        if not old_gen:
            raise IndexMissing(f"no index at {self.where}: nothing to remove")
        removed = sorted(set(sources) & set(old_docs))
        if not removed:
            return SyncReport(0, 0, len(old_chunks), len(old_docs))
        final = [d for s, d in old_docs.items() if s not in removed]
        embedder, chunking = self.built_with(old_gen)
        settings = {"embedder": embedder or "", "chunking": chunking or ""}
        keep = {d.source for d in final}
        reused = [c for c in old_chunks if c.source in keep]
        kept = self._write(old_gen, final, keep, reused, [], settings, progress=False)
        dropped = sum(1 for c in old_chunks if c.source in removed)
        return SyncReport(0, dropped, kept, len(final), removed_sources=tuple(removed))

    def _current(self) -> tuple[str | None, dict[str, Document], list[Chunk]]:
        """The active generation, its documents by source, and its chunks (nothing if no index)."""
        gen = self.active()
        if not gen:
            return None, {}, []
        docs, chunks = self.load()
        return gen, {d.source: d for d in docs}, chunks

    def _write(
        self,
        old_gen: str | None,
        docs: list[Document],
        reuse: set[str],
        reused: list[Chunk],
        new_chunks: list[Chunk],
        settings: dict[str, str],
        progress: bool,
    ) -> int:
        """Build a generation of ``docs`` (the ``reuse`` ones copied from ``old_gen``, plus
        ``new_chunks``; ``reused`` are the chunks copied) and its lexical engine, flip the pointer
        to it and drop ``old_gen``. Returns the chunks copied."""
        gen = new_generation(self.name)
        building(gen)
        try:
            chunks_col, docs_col = self._create(gen, settings)
            kept = copy_chunks(self._collections(old_gen)[0], reuse, chunks_col) if old_gen else 0
            add_chunks(chunks_col, new_chunks, self.embedder, progress)
            add_documents(docs_col, docs)
            if self.lexical_root is not None:
                Lexical.build(docs, reused + new_chunks).save(self.lexical_root / gen)
            self._meta().modify(metadata={"active": gen})
        except BaseException:
            self._drop(gen)
            raise
        finally:
            built(gen)
            self._cache = None  # every text of the old generation: not kept once written
        if old_gen:
            self._drop(old_gen)
            if self.path is not None:
                remove_dead_segment_dirs(self.path)
        return kept

    def _drop(self, gen: str) -> None:
        self._handles.pop(gen, None)
        if self.lexical_root is not None:
            shutil.rmtree(self.lexical_root / gen, ignore_errors=True)
        for suffix in ("_docs", "_chunks"):  # the chunks, which name the builder, go last
            with contextlib.suppress(Exception):  # already gone
                self.client.delete_collection(f"{gen}{suffix}")

    def collect_orphans(self) -> list[str]:
        """Delete the generations that killed builds left behind (the rule: ``qa.generations``),
        never the live one, then their segment folders on disk. Returns the generations deleted."""
        run_started = time.time()
        found: dict[str, dict] = {}
        for col in self.client.list_collections():
            parsed = parse_collection(self.name, getattr(col, "name", str(col)))
            meta = getattr(col, "metadata", None) or {}
            if parsed and (parsed[0] not in found or builder_of(meta)):
                found[parsed[0]] = meta
        dropped = []
        for gen, meta in sorted(found.items()):
            if gen != self.active() and is_orphan(gen, builder_of(meta), run_started):
                log.info("removing generation %s, left by an interrupted build", gen)
                self._drop(gen)
                dropped.append(gen)
        if self.path is not None:
            remove_dead_segment_dirs(self.path)
        if self.lexical_root is not None:
            remove_dead_lexical(self.lexical_root, self.name, set(found) - set(dropped), run_started)
        return dropped


def _document(text: str, meta: dict) -> Document:
    return Document(
        meta["source"], text, {k: str(v) for k, v in meta.items() if k not in ("source", "digest", "chars")}
    )


def _get_all(col) -> dict:
    """Every row's id, document and metadata, a page at a time: one ``get()`` of a whole collection
    fails past ~30,000 rows ("too many SQL variables"), found by ``qa bench --scale 100000``."""
    out: dict[str, list] = {"ids": [], "documents": [], "metadatas": []}
    while True:
        got = col.get(include=["documents", "metadatas"], limit=PAGE, offset=len(out["ids"]))
        for key, rows in out.items():
            rows.extend(got[key] or [])
        if len(got["ids"]) < PAGE:
            return out


def open_index(settings, embedder: Embedder | None) -> ChunkIndex:
    """Open the index named by settings (server if ``chroma_url`` is set, else ``index_path``).

    ``embedder`` may be None to read documents or remove some; searching and indexing need it.
    """
    if settings.chroma_url:
        server = hashlib.sha256(settings.chroma_url.encode()).hexdigest()[:12]
        lexical = settings.cache_path / LEXICAL / server
        return ChunkIndex(
            connect(url=settings.chroma_url), embedder, settings.collection, settings.chroma_url, None, lexical
        )
    client = connect(path=settings.index_path)
    return ChunkIndex(client, embedder, settings.collection, str(settings.index_path), settings.index_path)
