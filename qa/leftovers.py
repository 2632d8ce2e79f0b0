"""What a local index folder accumulates that nothing else deletes: the HNSW folders of deleted
Chroma collections, and the lexical engines (``qa.lexical``) of generations that are gone."""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
import uuid
from pathlib import Path

from qa.generations import parse_collection, stamp_of

log = logging.getLogger(__name__)
_HNSW_FILES = {"header.bin", "data_level0.bin", "length.bin", "link_lists.bin", "index_metadata.pickle"}


def _is_uuid(name: str) -> bool:
    try:
        return str(uuid.UUID(name)) == name
    except ValueError:
        return False


def remove_dead_segment_dirs(path: Path) -> int:
    """Delete the HNSW folders of deleted collections, which Chroma 1.x leaves in the index folder
    (chroma-core/chroma#5259). A folder goes only when its name is a segment id, it holds nothing
    but HNSW files, and ``chroma.sqlite3`` lists no such segment while it lists another folder's."""
    dirs = [d for d in path.iterdir() if d.is_dir() and _is_uuid(d.name)] if path.is_dir() else []
    if not dirs:
        return 0
    try:  # read after listing: a segment's row is written before its folder
        with contextlib.closing(sqlite3.connect(f"file:{path / 'chroma.sqlite3'}?mode=ro", uri=True)) as db:
            live = {str(row[0]) for row in db.execute("SELECT id FROM segments")}
    except sqlite3.Error as exc:
        log.debug("segment folders not checked: %s", exc)
        return 0
    if not any(d.name in live for d in dirs):
        return 0  # the layout is not the one this code knows: touch nothing
    dead = [d for d in dirs if d.name not in live and {f.name for f in d.iterdir()} <= _HNSW_FILES]
    for d in dead:
        log.info("removing %s, the folder of a deleted collection", d)
        shutil.rmtree(d, ignore_errors=True)
    return len(dead)


def remove_dead_lexical(root: Path, index: str, live: set[str], run_started: float) -> None:
    """Delete the lexical folders under ``root`` of ``index``'s generations that have no
    collections any more (dropped by an older version, or a build killed between the two), and
    unfinished ``.tmp`` ones; never one of a ``live`` generation, nor one started after this run
    began (a build in another process may be writing it)."""
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        gen = folder.name.removesuffix(".tmp")
        if parse_collection(index, gen + "_chunks") is None or gen in live:
            continue
        if stamp_of(gen) < int(run_started) - 1:
            log.info("removing %s, the lexical engine of a deleted generation", folder)
            shutil.rmtree(folder, ignore_errors=True)
