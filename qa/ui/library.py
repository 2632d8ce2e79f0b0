"""The documents panel: what is indexed (title, size, chunks), one document's text, and adding
``.txt``/``.md`` files from the page.

Added files are copied into the default documents folder (``seeds/``, so a later ``qa index``
keeps them) and indexed incrementally: the other indexed documents are kept as they are, and the
answerer's retriever picks up the new index generation at the next question.
"""

from __future__ import annotations

import html
import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qa.chunking import signature
from qa.documents import META_LINE, SUFFIXES, read_document
from qa.errors import DocumentError
from qa.lexicon import TAGS_AND_EMPHASIS
from qa.retrieve import Retriever
from qa.settings import Settings

log = logging.getLogger(__name__)
TITLE_CHARS = 80  # a document's title is its first line, cut to this many characters
_ADDING = threading.Lock()  # one upload indexes at a time: each builds the next index generation


@dataclass(frozen=True)
class DocInfo:
    source: str
    title: str
    chars: int
    chunks: int


def title_of(text: str, title: str = "") -> str:
    """The document's ``title`` (its first heading or metadata, as the index knows it), else its
    first line of text without a leading ``date`` line, HTML tags or Markdown emphasis; cut to
    ``TITLE_CHARS``.

    >>> title_of("\\n  Annual report 2023\\nbody"), title_of("x", "GPL 3")
    ('Annual report 2023', 'GPL 3')
    >>> title_of('<p align="center"><img src="logo.png"></p>\\n\\n__Zstandard__, or `zstd`, is fast.')
    'Zstandard, or zstd, is fast.'
    >>> title_of("date 2024-04-02 At today's meeting of the Cabinet.")
    "At today's meeting of the Cabinet."
    """
    text = META_LINE.sub("", text, count=1)
    lines = (TAGS_AND_EMPHASIS.sub("", ln).strip() for ln in text.splitlines())
    line = title.strip() or next((ln for ln in lines if ln), "(empty)")
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1] + "…"


def list_documents(retriever: Retriever) -> list[DocInfo]:
    """Every indexed document, by source name, with its chunk count."""
    retriever.refresh()
    per_source = retriever.chunk_counts
    return [
        DocInfo(d.source, title_of(d.text, retriever.titles.get(d.source, "")), len(d.text), per_source[d.source])
        for d in sorted(retriever.docs.values(), key=lambda d: d.source)
    ]


def render_table(docs: list[DocInfo]) -> str:
    """The documents as an HTML table, in a box that scrolls sideways on a narrow screen.

    >>> render_table([DocInfo("seeds/a.txt", "A", 900, 2)]).startswith('<div class="doc-table-wrap"><table')
    True
    """
    if not docs:
        return '<p class="doc-empty">No documents are indexed yet.</p>'
    rows = "".join(
        f"<tr><td>{html.escape(d.title)}<br><span class='cite-src'>{html.escape(d.source)}</span></td>"
        f"<td>{_size(d.chars)}</td><td>{d.chunks}</td></tr>"
        for d in docs
    )
    head = "<thead><tr><th>Document</th><th>Size</th><th>Chunks</th></tr></thead>"
    # the wrapper scrolls sideways inside the panel if a row is still too wide (a phone)
    return f'<div class="doc-table-wrap"><table class="doc-table">{head}<tbody>{rows}</tbody></table></div>'


def _size(chars: int) -> str:
    """
    >>> _size(900), _size(4300)
    ('900 chars', '4.2 KB')
    """
    return f"{chars} chars" if chars < 1024 else f"{chars / 1024:.1f} KB"


def render_text(source: str | None, texts: dict[str, str]) -> str:
    """One whole document in the viewer."""
    if not source or source not in texts:
        return '<div class="doc-view">Pick a document to read it.</div>'
    return f'<div class="cite-src">{html.escape(source)}</div><div class="doc-view">{html.escape(texts[source])}</div>'


def add_documents(
    settings: Settings, retriever: Retriever, files: list[Path], step: Callable[[float, str], None] = lambda f, s: None
) -> tuple[list[str], list[str]]:
    """Copy ``files`` into the documents folder and index them, keeping every other document.

    Returns the sources added or updated, and the problems with files that were skipped.
    """
    _check_same_build(settings, retriever)  # before anything is saved
    folder = Path(settings.default_docs)
    folder.mkdir(parents=True, exist_ok=True)
    docs, problems = [], []
    for i, f in enumerate(files):
        step(i / max(len(files), 1) * 0.5, f"reading {f.name}")
        try:
            docs.append(read_document(_store(f, folder), settings.root))
        except DocumentError as exc:
            problems.append(str(exc))
    if docs:
        step(0.5, f"indexing {len(docs)} document(s)")
        with _ADDING:
            _index(settings, retriever, docs)
    step(1.0, "done")
    return [d.source for d in docs], problems


def _index(settings: Settings, retriever: Retriever, docs: list) -> None:
    """Add ``docs`` to the index, keeping every other indexed document as it is."""
    retriever.refresh()
    new = {d.source for d in docs}
    report = retriever.index.sync(docs, settings.chunk_size, settings.chunk_overlap)  # keeps the others
    log.info("added from the page: %s (%d chunks embedded)", sorted(new), report.added)
    retriever.refresh()


def _check_same_build(settings: Settings, retriever: Retriever) -> None:
    """Adding to an index built with another embedder or chunking would re-index (and so drop)
    every other document: refuse instead."""
    index = retriever.index
    gen = index.active()
    want = (index.embedder.name, signature(settings.chunk_size, settings.chunk_overlap))
    if gen and index.built_with(gen) != want:
        raise DocumentError(
            f"the index was built with {index.built_with(gen)}, the server runs with {want}: "
            "run `qa index` with the server's settings first"
        )


def _store(upload: Path, folder: Path) -> Path:
    """Check one upload and copy it into ``folder`` under its own name (a name taken by a different
    text gets ``-2``, ``-3``... so an upload never overwrites another document)."""
    name = Path(upload.name).name
    if Path(name).suffix.lower() not in SUFFIXES:
        raise DocumentError(f"{name}: only .txt and .md files can be added; convert it to text first")
    try:
        read_document(upload, upload.parent)  # UTF-8, not binary, not too big
    except DocumentError as exc:  # named by the file's own name: the page never shows a server path
        raise DocumentError(str(exc).replace(str(upload), name)) from exc
    data = upload.read_bytes()
    target, n = folder / name, 1
    while target.exists() and target.read_bytes() != data:
        n += 1
        target = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
    if not target.exists():
        shutil.copyfile(upload, target)
    return target
