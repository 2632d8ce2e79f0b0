"""Wiring: settings -> embedder, index, retriever, backend, answerer. Used by the CLI, the server
and the eval harness, so all three answer through the same code path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from qa import thesaurus
from qa.answer import Answerer
from qa.documents import Scan, is_under, read_documents, scan_paths, source_name
from qa.embed import Embedder, cores, load_embedder
from qa.errors import DocumentError, IndexMissing, NothingIndexed
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
    prune: bool = False,
) -> tuple[SyncReport, list[str]]:
    """Add or update the documents under ``paths`` (default: seeds/); keep every other one indexed.

    An indexed document is removed only when its file is gone from a folder given now, or, with
    ``prune``, when it was not found under any of ``paths``; never one under a folder that holds no
    files. Files that fail (unreadable, not UTF-8, empty, not a regular file) keep their old chunks
    and come back as problems. Raises NothingIndexed, changing nothing, when no file could be read.
    """
    paths = list(paths) if paths else [settings.default_docs]
    for p in paths:
        if not p.exists():
            raise DocumentError(f"{p}: no such file or folder; give a path to .txt or .md files")
    scan = scan_paths(paths)
    docs, failed = read_documents(scan.files, settings.root)
    problems = [*scan.problems, *failed]
    if not docs:
        raise _nothing_indexed(paths, scan, problems)
    # no model runs beside indexing: its own embedder gets every core (the server passes its 1-thread one)
    embedder = embedder or load_embedder(
        settings.embedder, settings.cache_path, settings.embed_backend, threads=cores(settings.index_threads)
    )
    if rebuild:
        drop_index(settings)
    index = open_index(settings, embedder)
    remove = _removals(index.sources(), scan, paths, settings.root, prune)
    report = index.sync(docs, settings.chunk_size, settings.chunk_overlap, remove=remove, progress=progress)
    return report, problems


def _nothing_indexed(paths: list[Path], scan: Scan, problems: list[str]) -> NothingIndexed:
    where = ", ".join(str(p) for p in paths)
    if not scan.seen:
        msg = (
            f"no .txt or .md files under {where}; nothing was changed: give folders of .txt/.md files, "
            "or name a file by its path (read whatever its extension)"
        )
    else:
        msg = (
            f"none of the {len(scan.seen)} files under {where} could be indexed; nothing was changed: "
            "fix the files listed and run `qa index` again"
        )
    return NothingIndexed(msg, tuple(problems))


def _removals(indexed: set[str], scan: Scan, paths: list[Path], root: Path, prune: bool) -> set[str]:
    """Indexed documents whose files were not found now and that lie under a folder given now (any
    folder, with ``prune``); never one under a given folder that held no files."""
    present = {source_name(f, root) for f in scan.seen}
    empty = [source_name(p, root) for p in scan.empty]
    scopes = [source_name(p, root) for p in paths if p.is_dir() and p not in scan.empty]
    return {
        s
        for s in indexed - present
        if not any(is_under(s, e) for e in empty) and (prune or any(is_under(s, f) for f in scopes))
    }


def remove_documents(settings: Settings, targets: Iterable[str]) -> SyncReport:
    """Remove the indexed documents that ``targets`` name: a source as indexed (``seeds/a.txt``), a
    folder holding sources, or a path to either. Nothing is removed when one target matches none."""
    index = open_index(settings, None)
    indexed = index.sources()
    if not indexed:
        raise IndexMissing(f"no documents indexed at {index.where}: nothing to remove")
    chosen: set[str] = set()
    for target in targets:
        names = {target.rstrip("/") or target, source_name(Path(target), settings.root)}
        hits = {s for s in indexed if any(s == n or is_under(s, n) for n in names)}
        if not hits:
            raise DocumentError(
                f"{target}: no indexed document has this name or lies under it (indexed: e.g. "
                f"{min(indexed)}); nothing was removed"
            )
        chosen |= hits
    return index.remove(chosen)


def build_answerer(
    settings: Settings, embedder: Embedder | None = None, backend: ChatBackend | None | str = "auto"
) -> Answerer:
    """Load models once and wire the answer chain (plan, gather, generate, verify, compose) from
    ``settings``. ``backend="auto"`` follows ``settings.llm``; None answers extractively."""
    embedder = embedder or load_embedder(settings.embedder, settings.cache_path, settings.embed_backend)
    index: ChunkIndex = open_index(settings, embedder)
    retriever = Retriever(
        index, embedder, settings.retriever, settings.top_k, settings.dense_weight, settings.structure_weight
    )
    chat = make_backend(settings) if backend == "auto" else backend
    answerer = Answerer(
        retriever,
        chat,  # type: ignore[arg-type]
        evidence_k=settings.evidence_k,
        max_tokens=settings.max_tokens,
        context_chars=settings.context_chars,
        evidence_chars=settings.evidence_chars,
        max_question_chars=settings.max_question_chars,
        max_parts=settings.max_parts,
        echo_words=settings.echo_words,
        about_cosine=settings.about_cosine,
        paraphrase_cosine=settings.paraphrase_cosine,
        disagree_share=settings.disagree_share,
        reword_cosine=settings.reword_cosine,
        thesaurus=thesaurus.load(settings.thesaurus, settings.thesaurus_senses),
        topic_share=settings.topic_share,
    )
    answerer.generator.evidence_after = settings.evidence_after
    v = answerer.verifier
    v.unsaid_words, v.unsaid_share, v.follow_words = settings.unsaid_words, settings.unsaid_share, settings.follow_words
    v.strong_coverage, v.strong_cosine = settings.strong_coverage, settings.strong_cosine
    v.confirm_yes, v.misquote_words, v.about_share = settings.confirm_yes, settings.misquote_words, settings.about_share
    v.rival = (settings.rival_window, settings.rival_margin)
    answerer.extractor.define_bonus = settings.define_bonus
    answerer.planner.reword_growth = settings.reword_growth
    answerer.gatherer.limits = {
        "min_cosine": settings.judge_cosine,
        "missing_share": settings.missing_share,
        "cover_share": settings.cover_share,
        "weak_cosine": settings.weak_cosine,
    }
    return answerer
