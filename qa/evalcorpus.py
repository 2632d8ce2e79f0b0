"""Eval corpora: each is a set of documents plus an items file, indexed into its own index and
answered through ``qa.pipeline.build_answerer``, with the models loaded once for all of them.

>>> sorted(CORPORA)
['docs', 'heldout', 'injection', 'seed']
>>> CORPORA["injection"].docs
('seeds', 'evals/injection')
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from qa.answer import Answerer
from qa.documents import load_documents
from qa.embed import Embedder
from qa.errors import EvalFileError
from qa.evaluate import SPLITS, Item, load_items
from qa.llm import ChatBackend
from qa.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Corpus:
    """Documents (folders or files) and the items file, all relative to the project root."""

    name: str
    docs: tuple[str, ...]
    items: str

    def doc_paths(self, root: Path) -> list[Path]:
        return [Path(root) / d for d in self.docs]

    def items_path(self, root: Path) -> Path:
        return Path(root) / self.items

    def missing(self, root: Path) -> list[Path]:
        """The files or folders this corpus needs that are not there."""
        return [p for p in [*self.doc_paths(root), self.items_path(root)] if not p.exists()]


CORPORA: dict[str, Corpus] = {
    c.name: c
    for c in (
        Corpus("seed", ("seeds",), "evals/seed_qa.jsonl"),
        Corpus("docs", ("evals/docs",), "evals/docs_qa.jsonl"),
        Corpus("injection", ("seeds", "evals/injection"), "evals/injection_qa.jsonl"),
        Corpus("heldout", ("evals/heldout",), "evals/heldout_qa.jsonl"),  # never tuned on: see README
    )
}


def select(names: str, root: Path) -> list[Corpus]:
    """``all`` (every corpus whose files exist) or comma-separated names, in registry order."""
    if names == "all":
        found = [c for c in CORPORA.values() if not c.missing(root)]
        if not found:
            raise EvalFileError(f"no eval corpus has its files under {root}: need one of {sorted(CORPORA)}")
        return found
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in CORPORA]
    if unknown or not wanted:
        raise EvalFileError(f"unknown corpus {', '.join(unknown) or names!r}: choose from all, {', '.join(CORPORA)}")
    for n in wanted:
        if missing := CORPORA[n].missing(root):
            raise EvalFileError(f"corpus {n!r} needs {', '.join(map(str, missing))}, which is not there")
    return [CORPORA[n] for n in CORPORA if n in wanted]


def corpus_texts(corpus: Corpus, root: Path) -> dict[str, str]:
    """Source name -> text of the corpus's documents (what its index will hold)."""
    docs, problems = load_documents(corpus.doc_paths(root), Path(root))
    for msg in problems:
        log.warning("corpus %s: %s", corpus.name, msg)
    return {d.source: d.text for d in docs}


def corpus_items(
    corpus: Corpus,
    root: Path,
    splits: tuple[str, ...] = SPLITS,
    kinds: set[str] | None = None,
    path: Path | None = None,
) -> list[Item]:
    """The corpus's items (validated against its documents) in the given splits and kinds."""
    items = load_items(path or corpus.items_path(root), corpus_texts(corpus, root))
    return [i for i in items if i.split in splits and (not kinds or i.kind in kinds)]


def corpus_settings(settings: Settings, corpus: Corpus) -> Settings:
    """The settings with the corpus's own index: ``<index dir>/eval-<name>`` (collection of that
    name on a Chroma server), so eval runs never touch the user's index."""
    name = f"eval-{corpus.name}"
    return settings.model_copy(update={"index_dir": settings.index_path / name, "collection": name})


class Models:
    """The embedder and chat models, loaded once and shared by every corpus and configuration.

    ``embedder``/``backend`` may be given (tests pass fakes); otherwise they load on first use.
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None, backend: ChatBackend | None = None):
        from qa.embed import load_embedder

        self.embedder = embedder or load_embedder(settings.embedder, settings.cache_path, settings.embed_backend)
        self._fixed = backend
        self._chats: dict[tuple, ChatBackend | None] = {}

    def chat(self, settings: Settings) -> ChatBackend | None:
        """The chat backend these settings ask for (None: extractive), loaded once per model."""
        if settings.llm == "extractive":
            return None
        if self._fixed is not None:
            return self._fixed
        key = (settings.llm, settings.embedded_model, settings.llm_base_url, settings.llm_model)
        if key not in self._chats:
            from qa.llm import make_backend

            self._chats[key] = make_backend(settings)
        return self._chats[key]

    def index(self, settings: Settings, corpus: Corpus) -> None:
        """Bring the corpus's index up to date (incremental: unchanged documents are kept)."""
        from qa.pipeline import index_documents

        s = corpus_settings(settings, corpus)
        report, problems = index_documents(s, corpus.doc_paths(s.root), embedder=self.embedder)
        log.info(
            "corpus %s: %d documents, %d chunks added (%s)", corpus.name, report.documents, report.added, s.index_path
        )
        if problems:
            raise EvalFileError(f"corpus {corpus.name!r}: unreadable documents: {'; '.join(problems)}")

    def answerer(self, settings: Settings, corpus: Corpus) -> Answerer:
        """An Answerer over the corpus's index, built by the one wiring function."""
        from qa.pipeline import build_answerer

        return build_answerer(corpus_settings(settings, corpus), embedder=self.embedder, backend=self.chat(settings))

    def close(self) -> None:
        for chat in {id(c): c for c in self._chats.values() if c is not None}.values():
            chat.close()
