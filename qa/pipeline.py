"""Wiring: settings -> embedder, index, retriever, backend, answerer. Used by the CLI, the server
and the eval harness, so all three answer through the same code path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from qa.answer import Answerer
from qa.documents import find_files, load_documents, source_name
from qa.embed import Embedder, load_embedder
from qa.index import ChunkIndex, SyncReport, drop_index, open_index
from qa.llm import ChatBackend, make_backend
from qa.retrieve import Retriever
from qa.settings import Settings

log = logging.getLogger(__name__)


def index_documents(
    settings: Settings,
    paths: Iterable[Path] | None = None,
    embedder: Embedder | None = None,
    progress: bool = False,
    rebuild: bool = False,
) -> tuple[SyncReport, list[str]]:
    """Bring the index in line with the files under ``paths`` (default: seeds/).

    Returns the report and the problems with files that were skipped (their old chunks are kept).
    """
    paths = list(paths) if paths else [settings.default_docs]
    for p in paths:
        if not p.exists():
            from qa.errors import DocumentError

            raise DocumentError(f"{p}: no such file or folder; give a path to .txt or .md files")
    embedder = embedder or load_embedder(settings.embedder, settings.cache_path)
    if rebuild:
        drop_index(settings)
    index = open_index(settings, embedder)
    docs, problems = load_documents(paths, settings.root)
    failed = {source_name(f, settings.root) for f in find_files(paths)} - {d.source for d in docs}
    report = index.sync(docs, settings.chunk_size, settings.chunk_overlap, keep_sources=failed, progress=progress)
    return report, problems


def build_answerer(
    settings: Settings, embedder: Embedder | None = None, backend: ChatBackend | None | str = "auto"
) -> Answerer:
    """Load models once and wire the answer chain (plan, gather, generate, verify, compose) from
    ``settings``. ``backend="auto"`` follows ``settings.llm``; None answers extractively."""
    embedder = embedder or load_embedder(settings.embedder, settings.cache_path)
    index: ChunkIndex = open_index(settings, embedder)
    retriever = Retriever(index, embedder, settings.retriever, settings.top_k, settings.dense_weight)
    chat = make_backend(settings) if backend == "auto" else backend
    return Answerer(
        retriever,
        chat,  # type: ignore[arg-type]
        evidence_k=settings.evidence_k,
        max_tokens=settings.max_tokens,
        context_chars=settings.context_chars,
        max_question_chars=settings.max_question_chars,
        max_parts=settings.max_parts,
        echo_words=settings.echo_words,
        about_cosine=settings.about_cosine,
        paraphrase_cosine=settings.paraphrase_cosine,
        disagree_share=settings.disagree_share,
    )
